/* test-emit.c - records and their JSON/LTSV/console encodings (SPEC §3.2). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "conn.h"
#include "decode.h"
#include "engine.h"
#include "emit.h"
#include "record.h"
#include "vis.h"
#include "test.h"

static const char *
enc(const struct record *r, enum fmt f)
{
	static struct buf	b;

	buf_reset(&b);
	emit_record(&b, r, f);
	buf_addc(&b, '\0');
	return b.p;
}

TEST(emit_json_escapes)
{
	struct record	r;
	const char	s[] = "a\"b\\c\nd\re\tf\x01g\x7fh\x1f";

	rec_init(&r);
	rec_str(&r, "q", s, sizeof s - 1);
	CHECK_STR(enc(&r, FMT_JSON),
	    "{\"q\":\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\x7fh\\u001f\"}\n");
	CHECK_STR(enc(&r, FMT_LTSV),
	    "q:a\\\"b\\\\c\\nd\\re\\tf\\u0001g\x7fh\\u001f\n");
	rec_free(&r);
}

TEST(emit_invalid_utf8_and_nul)
{
	struct record	r;
	/* valid 3-byte, lone continuation, truncated 2-byte, NUL, overlong,
	 * surrogate, emoji */
	const char	s[] = "\xe3\x81\x82\x80\xc3\0\xc0\xaf\xed\xa0\x80\xf0\x9f\x98\x80";

	rec_init(&r);
	rec_str(&r, "q", s, sizeof s - 1);
	CHECK_STR(enc(&r, FMT_JSON), "{\"q\":\"\xe3\x81\x82\\ufffd\\ufffd\\u0000"
	    "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\xf0\x9f\x98\x80\"}\n");
	rec_free(&r);
}

TEST(emit_types_and_order)
{
	struct record	r;

	rec_init(&r);
	rec_time(&r, "ts", 1537779592094123LL);
	rec_cstr(&r, "src_addr", "127.0.0.1:58107");
	rec_int(&r, "stmt_id", 1);
	rec_array_begin(&r, "stmt_execute_values");
	rec_el_str(&r, "012345679", 9);
	rec_el_str(&r, "\xe3\x81\x82", 3);
	rec_el_str(&r, "", 0);
	rec_array_end(&r);
	rec_int(&r, "seq_num", 0);
	rec_bool(&r, "b", true);
	rec_null(&r, "n");
	CHECK_STR(enc(&r, FMT_JSON), "{\"ts\":\"2018-09-24T08:59:52.094Z\","
	    "\"src_addr\":\"127.0.0.1:58107\",\"stmt_id\":1,"
	    "\"stmt_execute_values\":[\"012345679\",\"\xe3\x81\x82\",\"\"],"
	    "\"seq_num\":0,\"b\":true,\"n\":null}\n");
	/* Valid LTSV: a tab after the array too (upstream's defect fixed). */
	CHECK_STR(enc(&r, FMT_LTSV), "ts:2018-09-24T08:59:52.094Z\t"
	    "src_addr:127.0.0.1:58107\tstmt_id:1\t"
	    "stmt_execute_values:[\"012345679\",\"\xe3\x81\x82\",\"\"]\t"
	    "seq_num:0\tb:true\tn:null\n");
	CHECK_STR(enc(&r, FMT_CONSOLE), "{\"ts\": \"2018-09-24T08:59:52.094Z\", "
	    "\"src_addr\": \"127.0.0.1:58107\", \"stmt_id\": 1, "
	    "\"stmt_execute_values\": [\"012345679\",\"\xe3\x81\x82\",\"\"], "
	    "\"seq_num\": 0, \"b\": true, \"n\": null}\n");
	rec_free(&r);
}

TEST(emit_array_values)
{
	struct record	r;

	rec_init(&r);
	rec_array_begin(&r, "v");
	rec_el_int(&r, 1);
	rec_el_float(&r, 23.4);
	rec_el_int(&r, 0);
	rec_el_float32(&r, 10.2f);
	rec_el_null(&r);
	rec_el_uint(&r, 18446744073709551615ULL);
	rec_el_str(&r, "<a>&\xe2\x80\xa8", 7);
	rec_el_int(&r, -56);
	rec_array_end(&r);
	CHECK_STR(enc(&r, FMT_JSON), "{\"v\":[1,23.4,0,10.2,null,"
	    "18446744073709551615,\"<a>&\\u2028\",-56]}\n");
	rec_free(&r);
}

TEST(emit_floats)
{
	struct buf	b;
	static const struct { double d; const char *s; } v[] = {
		{ 10.2, "10.2" }, { 0.1, "0.1" }, { 1e21, "1e+21" },
		{ 1e20, "100000000000000000000" }, { 1e-7, "1e-07" },
		{ 0.000001, "0.000001" }, { -2.5, "-2.5" }, { 123456789, "123456789" },
		{ 1.5e300, "1.5e+300" }, { 5e-324, "5e-324" }, { 100, "100" },
	};
	size_t		i;

	buf_init(&b);
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		buf_reset(&b);
		emit_float(&b, v[i].d, 0);
		buf_addc(&b, '\0');
		CHECK_STR(b.p, v[i].s);
	}
	buf_reset(&b);
	emit_float(&b, (float)23.4f, 1);
	buf_addc(&b, '\0');
	CHECK_STR(b.p, "23.4");
	buf_reset(&b);
	emit_float(&b, NAN, 0);
	buf_addc(&b, '\0');
	CHECK_STR(b.p, "null");
	buf_free(&b);
}

TEST(emit_ts_zones)
{
	struct buf	b;

	buf_init(&b);
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	/* the cache is per second: use a second not yet formatted */
	emit_ts(&b, 1537593826847999LL);
	buf_addc(&b, '\0');
	CHECK_STR(b.p, "2018-09-22T14:23:46.847+0900");
	setenv("TZ", "UTC", 1);
	tzset();
	buf_reset(&b);
	emit_ts(&b, 1537593827000000LL);
	buf_addc(&b, '\0');
	CHECK_STR(b.p, "2018-09-22T05:23:47.000Z");
	buf_free(&b);
}

TEST(record_compose_ext)
{
	struct record	vals, meta, out;

	rec_init(&vals);
	rec_init(&meta);
	rec_init(&out);
	rec_cstr(&vals, "query", "select 1");
	rec_int(&vals, "seq_num", 0);
	rec_mark_ext(&vals);
	rec_int(&vals, "rows", 1);
	rec_cstr(&meta, "username", "root");
	CHECK_INT(rec_ext_index(&vals), 2);
	rec_append(&out, &vals, 0, rec_ext_index(&vals));
	rec_append(&out, &meta, 0, meta.nf);
	rec_append(&out, &vals, rec_ext_index(&vals), vals.nf);
	CHECK_STR(enc(&out, FMT_JSON),
	    "{\"query\":\"select 1\",\"seq_num\":0,\"username\":\"root\",\"rows\":1}\n");
	CHECK(rec_find(&out, "rows") != NULL);
	CHECK(rec_find(&out, "nope") == NULL);
	/* reuse after reset allocates nothing new and starts clean */
	rec_reset(&vals);
	CHECK_INT(rec_ext_index(&vals), 0);
	rec_free(&vals);
	rec_free(&meta);
	rec_free(&out);
}

static const char *
encv(const struct rview *v, enum fmt f)
{
	static struct buf	b;

	buf_reset(&b);
	emit_view(&b, v, f);
	buf_addc(&b, '\0');
	return b.p;
}

/* A view's runs come out as the record they would make together: a
 * base's copied strings and arrays as they are, other records' fields
 * referenced, in every format; and the base is untouched. */
TEST(record_view)
{
	struct record	base, meta, head, flat;
	struct rview	v;
	const char	*want;
	char		 a[512];
	int		 round;
	enum fmt	 f;

	rec_init(&base);
	rec_init(&meta);
	rec_init(&head);
	rec_init(&flat);
	rec_lit(&meta, "conn_id", "c1");
	rec_cstr(&meta, "username", "root");
	rec_uint(&meta, "mss", 1460);
	for (round = 0; round < 3; round++) {
		rec_reset(&base);
		rec_str(&base, "query", "select \"1\"", 10);
		rec_array_begin(&base, "values");
		rec_el_str(&base, "x", 1);
		rec_el_int(&base, -7);
		rec_array_end(&base);
		rec_mark_ext(&base);
		rec_int(&base, "rows", round);
		rec_reset(&head);
		rec_time(&head, "ts", 0);
		rview_init(&v);
		rview_add(&v, &head, 0, head.nf, NULL, 0);
		rview_add(&v, &base, 0, rec_ext_index(&base), NULL, 0);
		rview_add(&v, &meta, 0, meta.nf, NULL, 0);
		rview_add(&v, &base, 5, 9, NULL, 0);	/* empty: ignored */
		rview_add(&v, &base, rec_ext_index(&base), base.nf, NULL, 0);
		CHECK_INT(v.n, 4);
		want = "\tquery:select \\\"1\\\"\tvalues:[\"x\",-7]\tconn_id:c1"
		    "\tusername:root\tmss:1460\trows:";
		CHECK(strstr(encv(&v, FMT_LTSV), want) != NULL);
		rview_flatten(&flat, &v);
		CHECK_INT(flat.nf, 7);
		for (f = FMT_JSON; f <= FMT_CONSOLE; f++) {
			snprintf(a, sizeof a, "%s", enc(&flat, f));
			CHECK_STR(encv(&v, f), a);
		}
		snprintf(a, sizeof a, "{\"query\":\"select \\\"1\\\"\","
		    "\"values\":[\"x\",-7],\"rows\":%d}\n", round);
		CHECK_STR(enc(&base, FMT_JSON), a);
		CHECK_INT(base.nel, 2);
	}
	/* a view of one record is the record; an empty one is {} */
	rview_of(&v, &base);
	CHECK_STR(encv(&v, FMT_JSON), enc(&base, FMT_JSON));
	rview_init(&v);
	CHECK_STR(encv(&v, FMT_JSON), "{}\n");
	CHECK_STR(encv(&v, FMT_LTSV), "\n");
	rec_free(&flat);
	rec_free(&head);
	rec_free(&base);
	rec_free(&meta);
}

/* Short strings carry their escape class from the copy; a value replaced
 * in place takes the new bytes' class, not the old one's. */
TEST(record_short_string_class)
{
	struct record	r;

	rec_init(&r);
	rec_str(&r, "db", "abcdef", 6);
	rec_array_begin(&r, "v");
	rec_el_str(&r, "x\"y", 3);
	rec_el_str(&r, "plain", 5);
	rec_el_str(&r, "\x01", 1);
	rec_array_end(&r);
	CHECK_INT(r.f[0].val.esc, RESC_NONE);
	CHECK_STR(enc(&r, FMT_JSON),
	    "{\"db\":\"abcdef\",\"v\":[\"x\\\"y\",\"plain\",\"\\u0001\"]}\n");
	rec_set_str(&r, "db", "a\"b", 3);		/* in place, shorter */
	CHECK_STR(enc(&r, FMT_JSON),
	    "{\"db\":\"a\\\"b\",\"v\":[\"x\\\"y\",\"plain\",\"\\u0001\"]}\n");
	rec_set_str(&r, "db", "\xff", 1);
	CHECK(strstr(enc(&r, FMT_JSON), "\"db\":\"\\ufffd\"") != NULL);
	rec_free(&r);
}

TEST(record_big_strings)
{
	struct record	r;
	char		*big = malloc(1 << 20);
	const char	*p;
	size_t		 n;
	int		 i;

	memset(big, 'x', 1 << 20);
	rec_init(&r);
	for (i = 0; i < 8; i++)
		rec_str(&r, "k", big, 1 << 20);
	p = rec_sval(&r, &r.f[7].val, &n);
	CHECK_INT(n, 1 << 20);
	CHECK(p[0] == 'x' && p[n - 1] == 'x');
	rec_free(&r);
	free(big);
}

TEST(vis_term)
{
	struct buf	b;

	buf_init(&b);
	vis_term(&b, "a\x1b[2Jb\x07\xff\xc2\x9b" "c\xe3\x81\x82", 14, 80);
	CHECK_STR(b.p, "a^[[2Jb^G\xef\xbf\xbd\xef\xbf\xbd" "c\xe3\x81\x82");
	buf_reset(&b);
	vis_term(&b, "abcdef", 6, 3);
	CHECK_STR(b.p, "abc");
	buf_free(&b);
}

/* Strings their producer marked as needing less escaping (the hex dumper's
 * columns) encode exactly as the general path would encode them. */
TEST(emit_resc_fast_paths)
{
	struct record	r, g;
	const char	asc[] = "a\"b\\c..~ 0123456789\"\"\\\\xyz";
	const char	hex[] = "de ad be ef 00 7f";
	char		want[256];

	rec_init(&r);
	rec_init(&g);
	rec_strref_esc(&r, "bytes", hex, sizeof hex - 1, RESC_NONE);
	rec_strref_esc(&r, "ascii", asc, sizeof asc - 1, RESC_PRINT);
	rec_strref(&g, "bytes", hex, sizeof hex - 1);
	rec_strref(&g, "ascii", asc, sizeof asc - 1);
	snprintf(want, sizeof want, "%s", enc(&g, FMT_JSON));
	CHECK_STR(enc(&r, FMT_JSON), want);
	CHECK_STR(want, "{\"bytes\":\"de ad be ef 00 7f\","
	    "\"ascii\":\"a\\\"b\\\\c..~ 0123456789\\\"\\\"\\\\\\\\xyz\"}\n");
	snprintf(want, sizeof want, "%s", enc(&g, FMT_LTSV));
	CHECK_STR(enc(&r, FMT_LTSV), want);
	snprintf(want, sizeof want, "%s", enc(&g, FMT_CONSOLE));
	CHECK_STR(enc(&r, FMT_CONSOLE), want);
	/* composition keeps the mark; a copied value drops it */
	rec_reset(&g);
	rec_append(&g, &r, 0, r.nf);
	CHECK_INT(g.f[1].val.esc, RESC_PRINT);
	rec_set_str(&r, "ascii", "\x01", 1);
	CHECK_INT(r.f[1].val.esc, RESC_ANY);
	CHECK_STR(enc(&r, FMT_JSON),
	    "{\"bytes\":\"de ad be ef 00 7f\",\"ascii\":\"\\u0001\"}\n");
	rec_free(&r);
	rec_free(&g);
}

/* Every length around the eight-byte steps, a quote at every position. */
TEST(vis_json_print_lengths)
{
	struct buf	a, b;
	char		s[40];
	size_t		n, q;

	buf_init(&a);
	buf_init(&b);
	buf_reserve(&a, 1);
	buf_reserve(&b, 1);
	for (n = 0; n < sizeof s; n++)
		for (q = 0; q <= n; q++) {
			memset(s, 'x', n);
			if (q < n)
				s[q] = q & 1 ? '"' : '\\';
			buf_reset(&a);
			buf_reset(&b);
			vis_json_print(&a, s, n);
			vis_json(&b, s, n, false);
			CHECK_MEM(a.p, a.len, b.p, b.len);
		}
	buf_free(&a);
	buf_free(&b);
}

/* Encoded keys are cached by address: long keys bypass the cache, and
 * many distinct keys (colliding slots) still encode right. */
TEST(emit_key_cache)
{
	static char	keys[600][8];
	struct record	r;
	struct buf	want;
	const char	*lk = "a_key_longer_than_the_cached_encodings_hold_xyz";
	int		i, round;

	rec_init(&r);
	rec_int(&r, lk, 1);
	rec_int(&r, "k", 2);
	rec_int(&r, lk, 3);
	CHECK_STR(enc(&r, FMT_JSON), "{\"a_key_longer_than_the_cached_encodings"
	    "_hold_xyz\":1,\"k\":2,\"a_key_longer_than_the_cached_encodings"
	    "_hold_xyz\":3}\n");
	CHECK_STR(enc(&r, FMT_LTSV), "a_key_longer_than_the_cached_encodings"
	    "_hold_xyz:1\tk:2\ta_key_longer_than_the_cached_encodings"
	    "_hold_xyz:3\n");
	rec_reset(&r);
	for (i = 0; i < 600; i++) {
		snprintf(keys[i], sizeof keys[i], "k%d", i);
		rec_int(&r, keys[i], i);
	}
	buf_init(&want);
	for (round = 0; round < 2; round++) {
		buf_reset(&want);
		buf_addc(&want, '{');
		for (i = 0; i < 600; i++)
			buf_printf(&want, "%s\"k%d\":%d", i ? "," : "", i, i);
		buf_add(&want, "}\n", 3);
		CHECK_STR(enc(&r, FMT_JSON), want.p);
		buf_reset(&want);
		for (i = 0; i < 600; i++)
			buf_printf(&want, "%sk%d:%d", i ? "\t" : "", i, i);
		buf_add(&want, "\n", 2);
		CHECK_STR(enc(&r, FMT_LTSV), want.p);
	}
	/* a key's room check covers its value: a missed long key, then a
	 * long plain string, into a buffer that starts empty each time (ASan
	 * sees a short reservation) */
	rec_reset(&r);
	{
		static char	big[5000];
		enum fmt	f;
		struct buf	b;

		memset(big, 'x', sizeof big);
		rec_strref_esc(&r, lk, big, sizeof big, RESC_NONE);
		rec_strref_esc(&r, lk, "", 0, RESC_NONE);
		rec_uint(&r, lk, UINT64_MAX);
		for (f = FMT_JSON; f <= FMT_LTSV; f++) {
			buf_init(&b);
			emit_record(&b, &r, f);
			/* keys with their quotes and colons, separators,
			 * braces, the value quotes, 20 digits, the newline */
			CHECK_INT(b.len, strlen(lk) * 3 + sizeof big + 20 + 1 +
			    (f == FMT_JSON ? 3 * 3 + 2 + 2 + 4 : 3 + 2));
			buf_free(&b);
		}
	}
	buf_free(&want);
	rec_free(&r);
}

/* A byte-at-a-time model of vis_json's rules. */
static void
vis_json_model(struct buf *b, const char *s, size_t n, bool array)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k;

	while (i < n) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c == '\n')
			buf_add(b, "\\n", 2);
		else if (c == '\r')
			buf_add(b, "\\r", 2);
		else if (c == '\t')
			buf_add(b, "\\t", 2);
		else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else if (c < 0x80)
			buf_addc(b, (char)c);
		else if ((k = vis_utf8_len(p + i, n - i)) == 0)
			buf_add(b, "\\ufffd", 6);
		else {
			if (array && k == 3 && c == 0xe2 && p[i + 1] == 0x80 &&
			    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
				buf_printf(b, "\\u%s", p[i + 2] == 0xa8 ?
				    "2028" : "2029");
			else
				buf_add(b, p + i, k);
			i += k;
			continue;
		}
		i++;
	}
}

/* The word-at-a-time escaper against the model: random strings mixing
 * plain runs with every kind of byte, at every length and alignment. */
TEST(vis_json_random)
{
	static const char	pool[] = "abcdefgh\"\\\n\t\x01\x7f\xe3\x81\x82"
	    "\xe2\x80\xa8\xc3\xff";
	struct buf		a, b;
	char			s[80];
	size_t			n, j;
	unsigned		seed = 12345;
	int			iter;

	buf_init(&a);
	buf_init(&b);
	for (iter = 0; iter < 20000; iter++) {
		n = (size_t)(iter % 70);
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly plain so the word paths run */
			s[j] = (seed >> 16) % 8 ? 'a' + (char)((seed >> 8) % 26) :
			    pool[(seed >> 20) % (sizeof pool - 1)];
		}
		buf_reset(&a);
		buf_reset(&b);
		buf_addc(&a, '<');
		buf_addc(&b, '<');
		vis_json(&a, s, n, iter & 1);
		vis_json_model(&b, s, n, iter & 1);
		CHECK_MEM(a.p, a.len, b.p, b.len);
	}
	buf_free(&a);
	buf_free(&b);
}

/* Integers against printf at every digit count and both extremes. */
TEST(emit_integers)
{
	struct record	r;
	char		want[64];
	uint64_t	u;
	int64_t		i;
	int		k;

	rec_init(&r);
	for (k = 0, u = 1; k < 20; k++, u *= 10) {
		uint64_t vals[3] = { u - 1, u, u + 1 };
		int j;
		for (j = 0; j < 3; j++) {
			rec_reset(&r);
			rec_uint(&r, "u", vals[j]);
			i = (int64_t)vals[j];
			rec_int(&r, "i", -i);
			snprintf(want, sizeof want, "{\"u\":%llu,\"i\":%lld}\n",
			    (unsigned long long)vals[j], (long long)-i);
			CHECK_STR(enc(&r, FMT_JSON), want);
		}
	}
	/* every value of the short paths (one to four digits) and past
	 * them, both signs */
	for (k = 0; k <= 20000; k++) {
		rec_reset(&r);
		rec_uint(&r, "u", (uint64_t)k);
		rec_int(&r, "i", -k);
		snprintf(want, sizeof want, "{\"u\":%d,\"i\":%d}\n", k, -k);
		CHECK_STR(enc(&r, FMT_JSON), want);
	}
	rec_reset(&r);
	rec_uint(&r, "u", UINT64_MAX);
	rec_int(&r, "i", INT64_MIN);
	rec_int(&r, "j", INT64_MAX);
	CHECK_STR(enc(&r, FMT_JSON), "{\"u\":18446744073709551615,"
	    "\"i\":-9223372036854775808,\"j\":9223372036854775807}\n");
	rec_free(&r);
}

/* The hex dumper's word-at-a-time columns against a byte-at-a-time
 * model: every byte value, lengths around the unrolled steps. */
static struct buf	hexout;

static void
hex_tsink_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	(void)s;
	(void)c;
	emit_view(&hexout, r, FMT_LTSV);
}

static void
hex_tsink_close(struct sink *s)
{
	(void)s;
}

TEST(decode_hex_columns)
{
	static struct sink	ts;
	struct engine		eng;
	struct conn		c;
	struct chunk		ch;
	struct buf		want;
	uint8_t			data[300];
	size_t			n, i, off;

	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 8));	/* all 256 values */
	ts.name = "test";
	ts.write = hex_tsink_write;
	ts.close = hex_tsink_close;
	engine_init(&eng, ENG_READ, &decoder_hex);
	engine_add_sink(&eng, &ts);
	conn_init(&c, &eng);
	conn_open(&c, 0);
	buf_init(&want);
	for (off = 0; off < 3; off++)
		for (n = 1; n < 40 || (n < 280 && (n += 13)); n++) {
			buf_reset(&hexout);
			ch.p = data + off;
			ch.n = n;
			ch.dir = DIR_C2S;
			ch.ts_us = 0;
			ch.seq = 0;
			ch.peer_acked = 0;
			conn_data(&c, &ch);
			buf_reset(&want);
			for (i = 0; i < n; i++)
				buf_printf(&want, "%s%02x", i ? " " : "",
				    ch.p[i]);
			buf_add(&want, "\tascii:", 7);
			for (i = 0; i < n; i++) {
				uint8_t b = ch.p[i];
				if (b == '"' || b == '\\')
					buf_addc(&want, '\\');
				buf_addc(&want, b >= 0x20 && b <= 0x7e ?
				    (char)b : '.');
			}
			buf_add(&want, "\n", 2);
			buf_addc(&hexout, '\0');
			CHECK(strstr(hexout.p, want.p) != NULL);
		}
	conn_close(&c, 0);
	conn_free(&c);
	engine_free(&eng);
	buf_free(&want);
	buf_free(&hexout);
}
/* The console format is for terminals: no raw control byte from the wire
 * (ESC, BEL, DEL, C1 controls such as CSI U+009B) may reach one. */
static void
check_term_safe(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, n = strlen(s);

	for (i = 0; i < n; i++) {
		if ((p[i] < 0x20 && !(p[i] == '\n' && i == n - 1)) ||
		    p[i] == 0x7f ||
		    (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
		    p[i + 1] < 0xa0))
			test_fail(__FILE__, __LINE__, "raw control at %zu: %s",
			    i, s);
	}
}

TEST(emit_console_terminal_safe)
{
	struct record	r;
	const char	s[] = "\x1b[2J\x07\x7f\xc2\x9b" "31m\xc2\x85\xff\xc2\xa0ok";

	rec_init(&r);
	rec_str(&r, "query", s, sizeof s - 1);
	rec_array_begin(&r, "args");
	rec_el_str(&r, s, sizeof s - 1);
	rec_array_end(&r);
	check_term_safe(enc(&r, FMT_CONSOLE));
	CHECK_STR(enc(&r, FMT_CONSOLE), "{\"query\": "
	    "\"\\u001b[2J\\u0007\\u007f\\u009b31m\\u0085\\ufffd\xc2\xa0ok\", "
	    "\"args\": [\"\\u001b[2J\\u0007\\u007f\\u009b31m\\u0085\\ufffd"
	    "\xc2\xa0ok\"]}\n");
	/* JSON and LTSV files keep upstream's bytes (zap escapes < 0x20). */
	CHECK(strstr(enc(&r, FMT_JSON), "\x7f\xc2\x9b") != NULL);
	rec_free(&r);
}

/* A span's encoding is kept per format and key and reused: the output
 * equals what the fields give without a span, whatever the order of
 * formats, keys and positions. */
TEST(emit_span_cache)
{
	struct record	r, plain, tail;
	struct rview	v;
	struct rcache	c[2];
	static const enum fmt fmts[] = { FMT_JSON, FMT_LTSV, FMT_JSON,
	    FMT_CONSOLE, FMT_LTSV, FMT_LTSV, FMT_JSON };
	char		want[512];
	size_t		i;
	int		round, first0;

	rcache_init(&c[0]);
	rcache_init(&c[1]);
	rec_init(&r);
	rec_init(&tail);
	rec_init(&plain);
	for (round = 0; round < 4; round++) {
		for (i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
			/* the cached run's contents change with its key */
			const char *who = round < 2 ? "alice" : "bob\"\n";

			first0 = round % 2;
			rec_reset(&r);
			rec_reset(&tail);
			rec_reset(&plain);
			rview_init(&v);
			if (!first0) {
				rec_uint(&r, "seq", i);
				rec_uint(&plain, "seq", i);
			}
			rec_cstr(&r, "user", who);
			rec_int(&r, "mss", -5);
			rview_add(&v, &r, 0, first0 ? 0 : 1, NULL, 0);
			rview_add(&v, &r, first0 ? 0 : 1, r.nf, &c[0],
			    round < 2 ? 7 : 8);
			rec_cstr(&plain, "user", who);
			rec_int(&plain, "mss", -5);
			rec_cstr(&tail, "q", "select 1");
			rec_cstr(&plain, "q", "select 1");
			rview_add(&v, &tail, 0, 1, NULL, 0);
			rec_cstr(&tail, "db", "x");
			rview_add(&v, &tail, 1, 2, &c[1], 1);
			rec_cstr(&plain, "db", "x");
			snprintf(want, sizeof want, "%s", enc(&plain, fmts[i]));
			CHECK_STR(encv(&v, fmts[i]), want);
		}
	}
	/* runs past RVIEW_RUNS are dropped, not written past the array */
	rview_init(&v);
	for (i = 0; i < RVIEW_RUNS + 3; i++)
		rview_add(&v, &tail, 0, 1, NULL, 0);
	CHECK_INT(v.n, RVIEW_RUNS);
	rec_free(&r);
	rec_free(&tail);
	rec_free(&plain);
	rcache_free(&c[0]);
	rcache_free(&c[1]);
}

/* The escape class a producer computes once must never let through what
 * full escaping would change. */
TEST(record_esc_class)
{
	struct record	r, full;
	char		s[4];
	int		a, b;
	enum fmt	f;

	CHECK_INT(rec_esc_class("", 0), RESC_NONE);
	CHECK_INT(rec_esc_class("select 1", 8), RESC_NONE);
	CHECK_INT(rec_esc_class("a\"b", 3), RESC_PRINT);
	CHECK_INT(rec_esc_class("a\\b", 3), RESC_PRINT);
	CHECK_INT(rec_esc_class("a\nb", 3), RESC_ANY);
	CHECK_INT(rec_esc_class("a\x7f", 2), RESC_ANY);
	CHECK_INT(rec_esc_class("\xc3\xa9", 2), RESC_ANY);
	CHECK_INT(rec_esc_class("a\0b", 3), RESC_ANY);
	rec_init(&r);
	rec_init(&full);
	/* every pair of byte values in a 3-byte string, all formats */
	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b += 5) {
			s[0] = 'x';
			s[1] = (char)a;
			s[2] = (char)b;
			for (f = FMT_JSON; f <= FMT_CONSOLE; f++) {
				char want[64];

				rec_reset(&r);
				rec_reset(&full);
				rec_str_esc(&r, "q", s, 3, rec_esc_class(s, 3));
				rec_str(&full, "q", s, 3);
				snprintf(want, sizeof want, "%s", enc(&full, f));
				CHECK_STR(enc(&r, f), want);
			}
		}
	}
	/* the sixteen- and eight-byte paths and the tail: one byte of every
	 * value at every position of strings of 1..48 bytes, against the
	 * byte-wise rule */
	for (a = 1; a <= 48; a++) {
		for (b = 0; b < a; b++) {
			int	v;

			for (v = 0; v < 256; v++) {
				char	t[48];
				int	want;

				memset(t, 'a', sizeof t);
				t[b] = (char)v;
				want = v < 0x20 || v > 0x7e ? RESC_ANY :
				    v == '"' || v == '\\' ? RESC_PRINT : RESC_NONE;
				CHECK_INT(rec_esc_class(t, (size_t)a), want);
			}
		}
	}
	/* a quote in one block does not hide a control in a later one */
	{
		char	t[40];

		memset(t, 'a', sizeof t);
		t[3] = '"';
		t[37] = '\n';
		CHECK_INT(rec_esc_class(t, sizeof t), RESC_ANY);
		t[37] = 'a';
		CHECK_INT(rec_esc_class(t, sizeof t), RESC_PRINT);
	}
	/* an empty string is a value like any other, in every format */
	rec_reset(&r);
	rec_str(&r, "name", "ignored", 0);
	rec_str(&r, "q", "x\"", 2);
	CHECK_STR(enc(&r, FMT_JSON), "{\"name\":\"\",\"q\":\"x\\\"\"}\n");
	CHECK_STR(enc(&r, FMT_LTSV), "name:\tq:x\\\"\n");
	rec_reset(&r);
	rec_lit(&r, "status", "ok");
	CHECK_STR(enc(&r, FMT_JSON), "{\"status\":\"ok\"}\n");
	CHECK_STR(enc(&r, FMT_LTSV), "status:ok\n");
	rec_free(&r);
	rec_free(&full);
}

/* conn_emit's composition: the address pair and the connection's keys are
 * encoded once, and encoded again whenever they change (addresses before
 * the open, a value learnt or replaced, conn_id learnt late), in either
 * format and either mode. */
static struct buf	ce_out;
static enum fmt		ce_fmt;

static void
ce_write(struct sink *s, const struct rview *v, const struct conn *c)
{
	(void)s;
	(void)c;
	buf_reset(&ce_out);
	emit_view(&ce_out, v, ce_fmt);
	buf_addc(&ce_out, '\0');
}

static void
ce_close(struct sink *s)
{
	(void)s;
}

static const char *
ce_emit(struct conn *c, const struct record *vals, enum dir d, enum fmt f)
{
	ce_fmt = f;
	conn_emit(c, vals, d, 0, 7);
	return ce_out.p;
}

TEST(conn_emit_composition)
{
	static struct sink	ts;
	struct engine		eng;
	struct conn		c;
	struct record		vals;
	int			k;

	setenv("TZ", "UTC", 1);
	tzset();
	ts.name = "test";
	ts.write = ce_write;
	ts.close = ce_close;
	rec_init(&vals);
	rec_cstr(&vals, "query", "q");
	rec_mark_ext(&vals);
	rec_int(&vals, "rows", 1);
	engine_init(&eng, ENG_PROBE, NULL);
	eng.interface = "lo";
	eng.target = "3306";
	engine_add_sink(&eng, &ts);
	conn_init(&c, &eng);
	strcpy(c.cli, "10.0.0.1:5000");
	for (k = 0; k < 2; k++) {	/* the second time from the caches */
		CHECK_STR(ce_emit(&c, &vals, DIR_C2S, FMT_JSON),
		    "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"src_addr\":\"10.0.0.1:5000\",\"dst_addr\":\"\",\"query\":\"q\",\"interface\":\"lo\",\"probe_target_addr\":\"3306\",\"rows\":1}\n");
	}
	strcpy(c.srv, "10.0.0.2:3306");
	conn_open(&c, 0);
	for (k = 0; k < 2; k++) {
		CHECK_STR(ce_emit(&c, &vals, DIR_C2S, FMT_JSON),
		    "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"src_addr\":\"10.0.0.1:5000\",\"dst_addr\":\"10.0.0.2:3306\",\"query\":\"q\",\"interface\":\"lo\",\"probe_target_addr\":\"3306\",\"rows\":1}\n");
		CHECK_STR(ce_emit(&c, &vals, DIR_S2C, FMT_LTSV),
		    "ts:1970-01-01T00:00:00.000Z\tsrc_addr:10.0.0.2:3306\tdst_addr:10.0.0.1:5000\tquery:q\tinterface:lo\tprobe_target_addr:3306\trows:1\n");
	}
	rec_cstr(&c.meta, "username", "u1");
	for (k = 0; k < 2; k++)
		CHECK_STR(ce_emit(&c, &vals, DIR_C2S, FMT_LTSV),
		    "ts:1970-01-01T00:00:00.000Z\tsrc_addr:10.0.0.1:5000\tdst_addr:10.0.0.2:3306\tquery:q\tinterface:lo\tprobe_target_addr:3306\tusername:u1\trows:1\n");
	strcpy(c.id, "abc");
	for (k = 0; k < 2; k++)
		CHECK_STR(ce_emit(&c, &vals, DIR_C2S, FMT_LTSV),
		    "ts:1970-01-01T00:00:00.000Z\tsrc_addr:10.0.0.1:5000\tdst_addr:10.0.0.2:3306\tquery:q\tinterface:lo\tprobe_target_addr:3306\tconn_id:abc\tusername:u1\trows:1\n");
	rec_set_str(&c.meta, "username", "u2", 2);
	for (k = 0; k < 2; k++)
		CHECK_STR(ce_emit(&c, &vals, DIR_C2S, FMT_JSON),
		    "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"src_addr\":\"10.0.0.1:5000\",\"dst_addr\":\"10.0.0.2:3306\",\"query\":\"q\",\"interface\":\"lo\",\"probe_target_addr\":\"3306\",\"conn_id\":\"abc\",\"username\":\"u2\",\"rows\":1}\n");
	conn_close(&c, 0);
	conn_free(&c);
	engine_free(&eng);

	/* proxy: a dial error before the open, while addresses are learnt */
	engine_init(&eng, ENG_PROXY, NULL);
	engine_add_sink(&eng, &ts);
	conn_init(&c, &eng);
	strcpy(c.id, "p1");
	strcpy(c.cli, "10.0.0.1:5000");
	strcpy(c.listen, "127.0.0.1:3307");
	CHECK_STR(ce_emit(&c, &vals, DIR_C2S, FMT_JSON),
	    "{\"query\":\"q\",\"conn_id\":\"p1\",\"client_addr\":\"10.0.0.1:5000\",\"proxy_listen_addr\":\"127.0.0.1:3307\",\"proxy_client_addr\":\"\",\"remote_addr\":\"\",\"conn_seq_num\":7,\"direction\":\"->\",\"ts\":\"1970-01-01T00:00:00.000Z\",\"rows\":1}\n");
	strcpy(c.pcli, "127.0.0.1:40000");
	strcpy(c.srv, "10.0.0.2:3306");
	conn_open(&c, 0);
	for (k = 0; k < 2; k++)
		CHECK_STR(ce_emit(&c, &vals, DIR_S2C, FMT_JSON),
		    "{\"query\":\"q\",\"conn_id\":\"p1\",\"client_addr\":\"10.0.0.1:5000\",\"proxy_listen_addr\":\"127.0.0.1:3307\",\"proxy_client_addr\":\"127.0.0.1:40000\",\"remote_addr\":\"10.0.0.2:3306\",\"conn_seq_num\":7,\"direction\":\"<-\",\"ts\":\"1970-01-01T00:00:00.000Z\",\"rows\":1}\n");
	conn_close(&c, 0);
	conn_free(&c);
	engine_free(&eng);
	rec_free(&vals);
	buf_free(&ce_out);
}
