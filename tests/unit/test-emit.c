/* test-emit.c - records and their JSON/LTSV/console encodings (SPEC §3.2). */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "buf.h"
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
