/* test-mysql.c - the mysql decoder: SPEC §7.1's upstream vectors, our own
 * response vectors, every chunk split at every point. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "conn.h"
#include "decode.h"
#include "emit.h"
#include "engine.h"
#include "mysql-text.h"
#include "mysql-value.h"
#include "test.h"

/* ---------------------------------------------------------------------
 * A script of chunks and a harness that plays it through a conn.
 */

#define SC_MAX	128

struct sc_ev {
	enum dir	 d;
	int64_t		 ts;
	struct buf	 b;
	int		 gap;	/* a gap event instead of data */
	uint64_t	 acked;	/* struct chunk peer_acked */
};

struct script {
	struct sc_ev	 ev[SC_MAX];
	int		 nev;
	int		 zon[2];	/* wrap packets in raw compressed frames */
	uint8_t		 zseq[2];
};

struct tsink {
	struct sink	 s;
	struct buf	 b;
};

static void
tsink_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	(void)c;
	emit_view(&((struct tsink *)s)->b, r, FMT_JSON);
}

static void
tsink_close(struct sink *s)
{
	(void)s;
}

static struct sc_ev *
sc_new(struct script *s, enum dir d, int64_t ts)
{
	struct sc_ev	*e;

	if (s->nev == SC_MAX)
		abort();
	e = &s->ev[s->nev++];
	memset(e, 0, sizeof *e);
	e->d = d;
	e->ts = ts;
	buf_init(&e->b);
	return e;
}

static void
sc_frame(struct buf *b, const uint8_t *p, size_t n, uint8_t seq)
{
	uint8_t	h[7] = { (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16),
		    seq, 0, 0, 0 };

	buf_add(b, h, 7);
	buf_add(b, p, n);
}

/* Appends a packet (header built here) to the last event. */
static void
sc_add(struct script *s, uint8_t seq, const char *hex)
{
	struct sc_ev	*e = &s->ev[s->nev - 1];
	uint8_t		 tmp[8192];
	struct buf	 pk;
	size_t		 n = test_unhex(hex, tmp + 4, sizeof tmp - 4);

	tmp[0] = (uint8_t)n;
	tmp[1] = (uint8_t)(n >> 8);
	tmp[2] = (uint8_t)(n >> 16);
	tmp[3] = seq;
	if (s->zon[e->d]) {
		buf_init(&pk);
		sc_frame(&e->b, tmp, n + 4, s->zseq[e->d]++);
		buf_free(&pk);
	} else
		buf_add(&e->b, tmp, n + 4);
}

static void
sc_pkt(struct script *s, enum dir d, int64_t ts, uint8_t seq, const char *hex)
{
	sc_new(s, d, ts);
	sc_add(s, seq, hex);
}

static void
sc_raw(struct script *s, enum dir d, int64_t ts, const char *hex)
{
	struct sc_ev	*e = sc_new(s, d, ts);
	uint8_t		 tmp[8192];
	size_t		 n = test_unhex(hex, tmp, sizeof tmp);

	buf_add(&e->b, tmp, n);
}

static void
sc_gap(struct script *s, enum dir d)
{
	sc_new(s, d, 0)->gap = 1;
}

/* The last event was sent having read every byte of the peer's before
 * it (a gap is 100 bytes) and `ahead` more (struct chunk peer_acked). */
static void
sc_acked(struct script *s, uint64_t ahead)
{
	uint64_t	peer = 0;
	int		i;

	for (i = 0; i < s->nev - 1; i++)
		if (s->ev[i].d != s->ev[s->nev - 1].d)
			peer += s->ev[i].gap ? 100 : s->ev[i].b.len;
	s->ev[s->nev - 1].acked = peer + ahead;
}

static void
sc_free(struct script *s)
{
	int	i;

	for (i = 0; i < s->nev; i++)
		buf_free(&s->ev[i].b);
	s->nev = 0;
}

/*
 * Plays the script; split > 0 cuts every chunk after `split` bytes,
 * split < 0 feeds byte by byte. Returns the records (JSON lines, malloc'd);
 * *meta (if not NULL) gets the connection values at the end.
 */
static char *
sc_run(const struct script *s, int split, bool syn, char **meta)
{
	struct engine	 eng;
	struct tsink	 ts;
	struct conn	 c;
	struct chunk	 ch;
	struct buf	 mb;
	size_t		 off, k;
	char		*out;
	int		 i;

	engine_init(&eng, ENG_READ, &decoder_mysql);
	memset(&ts, 0, sizeof ts);
	ts.s.name = "test";
	ts.s.write = tsink_write;
	ts.s.close = tsink_close;
	buf_init(&ts.b);
	engine_add_sink(&eng, &ts.s);
	conn_init(&c, &eng);
	strcpy(c.cli, "127.0.0.1:50000");
	strcpy(c.srv, "127.0.0.1:3306");
	c.syn_seen = syn;
	conn_open(&c, 0);
	for (i = 0; i < s->nev; i++) {
		const struct sc_ev *e = &s->ev[i];

		if (e->gap) {
			conn_gap(&c, e->d, 100, e->ts);
			continue;
		}
		for (off = 0; off < e->b.len; off += k) {
			k = e->b.len - off;
			if (split < 0)
				k = 1;
			else if (split > 0 && off == 0 && (size_t)split < k)
				k = (size_t)split;
			ch.p = (const uint8_t *)e->b.p + off;
			ch.n = k;
			ch.dir = e->d;
			ch.ts_us = e->ts;
			ch.seq = (uint64_t)i;
			ch.peer_acked = e->acked;
			conn_data(&c, &ch);
		}
	}
	if (meta != NULL) {
		buf_init(&mb);
		emit_record(&mb, &c.meta, FMT_JSON);
		buf_addc(&mb, '\0');
		*meta = mb.p;
	}
	conn_close(&c, 999999);
	conn_free(&c);
	buf_addc(&ts.b, '\0');
	out = ts.b.p;
	engine_free(&eng);
	return out;
}

static int
count(const char *hay, const char *needle)
{
	int	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

#define CHECK_HAS(out, sub) do {					\
	if (strstr((out), (sub)) == NULL)				\
		test_fail(__FILE__, __LINE__, "missing %s\n  in: %s",	\
		    (sub), (out)); } while (0)
#define CHECK_NOT(out, sub) do {					\
	if (strstr((out), (sub)) != NULL)				\
		test_fail(__FILE__, __LINE__, "unexpected %s\n  in: %s", \
		    (sub), (out)); } while (0)

/* Runs whole, byte by byte and split at every point: all must agree. */
static char *
sc_run_all(const struct script *s, char **meta)
{
	char	*ref, *o;
	size_t	 max = 0;
	int	 i, k;

	ref = sc_run(s, 0, true, meta);
	o = sc_run(s, -1, true, NULL);
	if (strcmp(o, ref) != 0)
		test_fail(__FILE__, __LINE__, "byte-by-byte differs:\n%s\nvs\n%s",
		    o, ref);
	free(o);
	for (i = 0; i < s->nev; i++)
		if (s->ev[i].b.len > max)
			max = s->ev[i].b.len;
	if (max > 300)
		max = 300;
	for (k = 1; k < (int)max; k++) {
		o = sc_run(s, k, true, NULL);
		if (strcmp(o, ref) != 0) {
			test_fail(__FILE__, __LINE__, "split %d differs:\n%s\n"
			    "vs\n%s", k, o, ref);
			free(o);
			break;
		}
		free(o);
	}
	return ref;
}

/* ---------------------------------------------------------------------
 * Vectors
 */

#define HS41 "8da60f000000000108000000000000000000000000000000000000000000000070616d0014ab09eef6bcb1323e61143865c0991d957d75d44774657374006d7973716c5f6e61746976655f70617373776f726400"
#define HS41_57 "0da6ff0100000001210000000000000000000000000000000000000000000000726f6f7400144598cee113fae5e3379fc73a61a17ec633735718746573746462006d7973716c5f6e61746976655f70617373776f72640069035f6f73086f737831302e31330c5f636c69656e745f6e616d65086c69626d7973716c045f7069640531363730330f5f636c69656e745f76657273696f6e06352e372e3233095f706c6174666f726d067838365f36340c70726f6772616d5f6e616d65056d7973716c"
/* HS41_57 with CLIENT_COMPRESS (0x20) added to the capabilities */
#define HS41_Z "2da6ff0100000001210000000000000000000000000000000000000000000000726f6f7400144598cee113fae5e3379fc73a61a17ec633735718746573746462006d7973716c5f6e61746976655f70617373776f726400"
/* HS41_57 with CLIENT_DEPRECATE_EOF */
#define HS41_D "0da6ff0100000001210000000000000000000000000000000000000000000000726f6f7400144598cee113fae5e3379fc73a61a17ec633735718746573746462006d7973716c5f6e61746976655f70617373776f726400"
#define OK_AUTH "00000002000000"
#define Q_POSTS "0373656c656374202a2066726f6d20706f737473"
#define COLDEF "0364656600000001610000000c210000000000fd0000000000"
#define EOF5 "fe00000200"

/* A server greeting (MariaDB-like), protocol 10. */
#define GREETING "0a352e352e352d31302e31312e362d4d617269614442000b000000" \
	"4a3b5e2c7b2f3d4500fef7080200ff81150000000000001d00000047" \
	"5a3f2a7e6d245e2b53405a00" "6d7973716c5f6e61746976655f70617373776f726400"

static void
sc_login(struct script *s, const char *hs)
{
	sc_pkt(s, DIR_S2C, 1000, 0, GREETING);
	sc_pkt(s, DIR_C2S, 2000, 1, hs);
	sc_pkt(s, DIR_S2C, 3000, 2, OK_AUTH);
}

/* sc_login with other capabilities: the server's upper 16 bits (4 hex
 * digits, GREETING has "ff81") and the client's 32 (8 hex digits, little-
 * endian as on the wire) if not NULL. */
static void
sc_login_caps(struct script *s, const char *srv_hi, const char *hs,
    const char *cli)
{
	char	greet[sizeof GREETING], resp[512];
	char	*at;

	strcpy(greet, GREETING);
	at = strstr(greet, "ff81150000");
	memcpy(at, srv_hi, 4);
	snprintf(resp, sizeof resp, "%s", hs);
	if (cli != NULL)
		memcpy(resp, cli, 8);
	sc_pkt(s, DIR_S2C, 1000, 0, greet);
	sc_pkt(s, DIR_C2S, 2000, 1, resp);
	sc_pkt(s, DIR_S2C, 3000, 2, OK_AUTH);
}

/* Registers statement id with np params (and no columns). */
static void
sc_prepare(struct script *s, int64_t ts, uint32_t id, unsigned np)
{
	char	hex[64];
	unsigned i;

	sc_pkt(s, DIR_C2S, ts, 0, "1678");
	snprintf(hex, sizeof hex, "00%02x%02x%02x%02x0000%02x%02x000000",
	    id & 0xff, id >> 8 & 0xff, id >> 16 & 0xff, id >> 24, np & 0xff,
	    np >> 8);
	sc_pkt(s, DIR_S2C, ts + 10, 1, hex);
	for (i = 0; i < np; i++)
		sc_add(s, (uint8_t)(2 + i), COLDEF);
	if (np)
		sc_add(s, (uint8_t)(2 + np), EOF5);
}

TEST(mysql_upstream_handshake41)
{
	struct script	 s = { 0 };
	char		*out, *meta;

	sc_pkt(&s, DIR_C2S, 1, 1, HS41);
	out = sc_run_all(&s, &meta);
	CHECK_STR(meta, "{\"character_set\":\"latin1\",\"username\":\"pam\","
	    "\"database\":\"test\"}\n");
	CHECK_STR(out, "");
	free(out);
	free(meta);
	sc_free(&s);

	sc_pkt(&s, DIR_C2S, 1, 1, HS41_57);
	out = sc_run_all(&s, &meta);
	CHECK_STR(meta, "{\"character_set\":\"utf8\",\"username\":\"root\","
	    "\"database\":\"testdb\"}\n");
	free(out);
	free(meta);
	sc_free(&s);
}

TEST(mysql_upstream_handshake320)
{
	struct script	 s = { 0 };
	char		*out, *meta;

	sc_raw(&s, DIR_C2S, 1, "1100000185240000006f6c6400474453435159525f");
	out = sc_run_all(&s, &meta);
	CHECK_STR(meta, "{\"username\":\"old\"}\n");
	free(out);
	free(meta);
	sc_free(&s);

	sc_raw(&s, DIR_C2S, 1, "110000018d24000000726f6f740000746573746462");
	out = sc_run_all(&s, &meta);
	CHECK_STR(meta, "{\"username\":\"root\",\"database\":\"testdb\"}\n");
	free(out);
	free(meta);
	sc_free(&s);
}

TEST(mysql_upstream_commands)
{
	struct script	 s = { 0 };
	char		*out;

	sc_prepare(&s, 10, 5, 2);
	sc_prepare(&s, 20, 1, 0);
	/* 5: query, 6: the same bytes from the server (not a command) */
	sc_raw(&s, DIR_C2S, 100, "140000000373656c656374202a2066726f6d20706f737473");
	sc_pkt(&s, DIR_S2C, 105, 1, "00000002000000");
	sc_raw(&s, DIR_S2C, 110, "140000000373656c656374202a2066726f6d20706f737473");
	/* 7 */
	sc_raw(&s, DIR_C2S, 200, "25000000170500000000010000000001fe00fe00067465737464620d636f6d6d656e745f7374617273");
	sc_pkt(&s, DIR_S2C, 210, 1, "0000000200000000");
	/* 8 */
	sc_raw(&s, DIR_C2S, 300, "0b0000001701000000000100000000");
	sc_pkt(&s, DIR_S2C, 310, 1, "0000000200000000");
	/* 9 */
	sc_raw(&s, DIR_C2S, 400, "310000001653454c454354202a2046524f4d20696e666f726d6174696f6e5f736368656d612e7461626c6573204c494d495420313b");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"select * from posts\",\"seq_num\":0,\"command_id\":3");
	CHECK_INT(count(out, "select * from posts"), 1);
	CHECK_HAS(out, "\"stmt_id\":5,\"stmt_execute_values\":[\"testdb\",\"comment_stars\"],\"seq_num\":0,\"command_id\":23");
	CHECK_HAS(out, "\"stmt_id\":1,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23");
	CHECK_HAS(out, "\"stmt_prepare_query\":\"SELECT * FROM information_schema.tables LIMIT 1;\",\"seq_num\":0,\"command_id\":22");
	/* the prepare got no response: emitted at close without keys */
	CHECK_HAS(out, "\"command_id\":22}");
	CHECK_HAS(out, "\"query\":\"select * from posts\",\"seq_num\":0,\"command_id\":3,\"response_first_us\":5,");
	free(out);
	sc_free(&s);
}

TEST(mysql_upstream_compressed)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41_Z);
	s.zon[0] = s.zon[1] = 1;
	sc_prepare(&s, 10, 5, 2);
	sc_prepare(&s, 20, 3, 3);
	sc_prepare(&s, 30, 2, 3);
	s.zon[0] = s.zon[1] = 0;
	/* 11..16, raw compressed frames */
	sc_raw(&s, DIR_C2S, 100, "22000000320000789cd3636060602e4ecd494d2e51503230343236313533b7b0c4cd5202000cd10a6c");
	sc_raw(&s, DIR_C2S, 200, "2c000000000000280000000353454c454354202a2046524f4d20696e666f726d6174696f6e5f736368656d612e7461626c6573");
	sc_raw(&s, DIR_C2S, 300, "60000000100100789ce2616460100b76f571750e5170f6f773760cd1b0d7518020258592e482940285cc628510e7008594d2dc028592fcfc1c85f2cc920c85e4d2e292fc5cb0686a914279516649496a9e42669e827bbe9ed210d5ac690d080000ffffb6f55955");
	sc_raw(&s, DIR_C2S, 400, "400000001c0100789c92606460106766606060600413ff184090b524b920a5e0cf1f86c7cd6d8f9b163f6edef3b8693b886c9e0226dba18250eef054c300080000ffff638db3bd");
	sc_raw(&s, DIR_C2S, 500, "15000000000000110000001653454c454354203f202b203f202b203f");
	sc_raw(&s, DIR_C2S, 600, "2e0000000000002a000000170200000000010000000001080005000800010000000000000066666666666637400000000000000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"select \\\"012345678901234567890123456789012345\\\"\",\"seq_num\":0,\"command_id\":3");
	CHECK_HAS(out, "\"query\":\"SELECT * FROM information_schema.tables\",\"seq_num\":0,\"command_id\":3");
	CHECK_HAS(out, "\"stmt_prepare_query\":\"SELECT CONCAT(?, ?, ?, \\\" tcpdp is TCP dump tool with custom dumper written in Go.\\\", \\\" tcpdp is TCP dump tool with custom dumper written in Go.\\\", \\\" tcpdp is TCP dump tool with custom dumper written in Go.\\\", \\\" tcpdp is TCP dump tool with custom dumper written in Go.\\\");\",\"seq_num\":0,\"command_id\":22");
	CHECK_HAS(out, "\"stmt_id\":3,\"stmt_execute_values\":[\"tcpdp\",\"ティーシーピーディーピーティーシーピーディーピーティーシーピーディーピーティーシーピーディーピーティーシーピーディーピーティーシーピーディーピーティーシーピーディーピー\",\"\"],\"seq_num\":0,\"command_id\":23");
	CHECK_HAS(out, "\"stmt_prepare_query\":\"SELECT ? + ? + ?\",\"seq_num\":0,\"command_id\":22");
	CHECK_HAS(out, "\"stmt_id\":2,\"stmt_execute_values\":[1,23.4,0],\"seq_num\":0,\"command_id\":23");
	free(out);
	sc_free(&s);
}

TEST(mysql_upstream_ssl)
{
	struct script	 s = { 0 };
	char		*out, *meta;

	sc_pkt(&s, DIR_S2C, 1, 0, GREETING);
	sc_raw(&s, DIR_C2S, 2, "2000000105ae030000000001080000000000000000000000000000000000000000000000");
	sc_raw(&s, DIR_C2S, 3, "160303" "140000000373656c656374202a2066726f6d20706f737473");
	out = sc_run_all(&s, &meta);
	CHECK_STR(meta, "{\"character_set\":\"latin1\"}\n");
	CHECK_HAS(out, "\"error\":\"client is trying to connect using SSL. tcpdp mysql dumper not support SSL connection\"");
	CHECK_HAS(out, "\"character_set\":\"latin1\"");
	CHECK_INT(count(out, "\n"), 1);
	CHECK_NOT(out, "posts");
	free(out);
	free(meta);
	sc_free(&s);
}

TEST(mysql_charsets)
{
	struct buf	 b;
	const char	*s;
	size_t		 n;
	uint8_t		 in[64];

	buf_init(&b);
	n = test_unhex("53454c454354202782a082a282a482a682a827", in, sizeof in);
	s = mysql_text(&b, 13, in, n, &n);
	CHECK_MEM(s, n, "SELECT 'あいうえお'", strlen("SELECT 'あいうえお'"));
	n = test_unhex("53454c4543542027a4a2a4a4a4a6a4a8a4aa2700", in, sizeof in);
	s = mysql_text(&b, 12, in, n, &n);
	CHECK_MEM(s, n, "SELECT 'あいうえお'", strlen("SELECT 'あいうえお'"));
	n = test_unhex("73656c656374202a2066726f6d20706f7374730000", in, sizeof in);
	s = mysql_text(&b, 0, in, n, &n);
	CHECK_MEM(s, n, "select * from posts", 19);
	/* invalid SJIS: U+FFFD, the rest kept */
	n = test_unhex("41ff42", in, sizeof in);
	s = mysql_text(&b, 95, in, n, &n);
	CHECK_MEM(s, n, "A\xef\xbf\xbd" "B", 5);
	n = test_unhex("4182", in, sizeof in);
	s = mysql_text(&b, 13, in, n, &n);
	CHECK_MEM(s, n, "A\xef\xbf\xbd", 4);
	CHECK_STR(mysql_charset_name(45), "");
	CHECK_STR(mysql_charset_name(255), "utf8mb4");
	CHECK_STR(mysql_charset_name(33), "utf8");
	CHECK_STR(mysql_charset_name(1000), "");
	CHECK_STR(mysql_command_name(3), "COM_QUERY");
	CHECK_STR(mysql_command_name(0x16), "COM_STMT_PREPARE");
	CHECK_STR(mysql_command_name(0x17), "COM_STMT_EXECUTE");
	CHECK_STR(mysql_command_name(0x1f), "COM_RESET_CONNECTION");
	CHECK_STR(mysql_command_name(0x20), "COM_UNKNOWN");
	buf_free(&b);
}

TEST(mysql_lenenc)
{
	struct rd	r;
	uint8_t		in[16];
	size_t		n;

	n = test_unhex("fa", in, sizeof in);
	rd_init(&r, in, n);
	CHECK_INT(mysql_lenenc(&r), 250);
	n = test_unhex("fcfb00", in, sizeof in);
	rd_init(&r, in, n);
	CHECK_INT(mysql_lenenc(&r), 251);
	CHECK(rd_ok(&r));
	n = test_unhex("fd010203", in, sizeof in);
	rd_init(&r, in, n);
	CHECK_INT(mysql_lenenc(&r), 0x030201);
	n = test_unhex("fe0100000000000080", in, sizeof in);
	rd_init(&r, in, n);
	CHECK(mysql_lenenc(&r) == 0x8000000000000001ull);
	n = test_unhex("fc01", in, sizeof in);	/* short */
	rd_init(&r, in, n);
	mysql_lenenc(&r);
	CHECK(!rd_ok(&r));
	n = test_unhex("fb", in, sizeof in);	/* NULL is not a length */
	rd_init(&r, in, n);
	mysql_lenenc(&r);
	CHECK(!rd_ok(&r));
}

/* One binary value as JSON. */
static void
value_json(uint8_t type, uint8_t flags, const char *hex, const char *want)
{
	struct record	 rec;
	struct buf	 b, scratch;
	struct rd	 r;
	uint8_t		 in[64];
	size_t		 n = test_unhex(hex, in, sizeof in);
	bool		 ok;

	rec_init(&rec);
	buf_init(&b);
	buf_init(&scratch);
	rec_array_begin(&rec, "v");
	rd_init(&r, in, n);
	ok = mysql_value(&rec, &r, type, flags, 0, &scratch);
	rec_array_end(&rec);
	emit_record(&b, &rec, FMT_JSON);
	buf_addc(&b, '\0');
	if (want == NULL)
		CHECK(!ok);
	else {
		CHECK(ok);
		CHECK_STR(b.p, want);
		CHECK_INT(rd_left(&r), 0);
	}
	rec_free(&rec);
	buf_free(&b);
	buf_free(&scratch);
}

TEST(mysql_binary_values)
{
	value_json(0x08, 0, "0100000000000000", "{\"v\":[1]}\n");
	value_json(0x08, 0, "ffffffffffffffff", "{\"v\":[-1]}\n");
	value_json(0x08, 0x80, "ffffffffffffffff", "{\"v\":[18446744073709551615]}\n");
	value_json(0x03, 0, "01000000", "{\"v\":[1]}\n");
	value_json(0x09, 0, "01000000", "{\"v\":[1]}\n");
	value_json(0x02, 0, "0100", "{\"v\":[1]}\n");
	value_json(0x0d, 0, "e207", "{\"v\":[2018]}\n");
	value_json(0x01, 0, "01", "{\"v\":[1]}\n");
	value_json(0x01, 0, "c8", "{\"v\":[-56]}\n");
	value_json(0x01, 0x80, "c8", "{\"v\":[200]}\n");
	value_json(0x05, 0, "6666666666662440", "{\"v\":[10.2]}\n");
	value_json(0x04, 0, "33332341", "{\"v\":[10.2]}\n");
	value_json(0x0a, 0, "04da070a11", "{\"v\":[\"2010-10-17\"]}\n");
	value_json(0x0c, 0, "0bda070a11131b1e01000000", "{\"v\":[\"2010-10-17 19:27:30.000 001\"]}\n");
	value_json(0x07, 0, "0bda070a11131b1e01000000", "{\"v\":[\"2010-10-17 19:27:30.000 001\"]}\n");
	value_json(0x0c, 0, "07da070a11131b1e", "{\"v\":[\"2010-10-17 19:27:30.000 000\"]}\n");
	value_json(0x0c, 0, "04da070a11", "{\"v\":[\"2010-10-17 00:00:00.000 000\"]}\n");
	value_json(0x0c, 0, "00", "{\"v\":[\"0000-00-00 00:00:00.000 000\"]}\n");
	value_json(0x0a, 0, "00", "{\"v\":[\"0000-00-00\"]}\n");
	value_json(0x0b, 0, "0c0178000000131b1e01000000", "{\"v\":[\"-120d 19:27:30.000 001\"]}\n");
	value_json(0x0b, 0, "080178000000131b1e", "{\"v\":[\"-120d 19:27:30\"]}\n");
	value_json(0x0b, 0, "00", "{\"v\":[\"0d 00:00:00\"]}\n");
	value_json(0x0b, 0, "01", "{\"v\":[\"0d 00:00:00\"]}\n");
	/* libmariadb's -100:02:03.456 (0 days, 100 hours): hours past 23
	 * are more days, as the server stores them */
	value_json(0x0b, 0, "0c010000000064020340f50600", "{\"v\":[\"-4d 04:02:03.456 000\"]}\n");
	value_json(0x0b, 0, "0800ffffffff170000", "{\"v\":[\"4294967295d 23:00:00\"]}\n");
	value_json(0x0b, 0, "0800ffffffffff0000", "{\"v\":[\"4294967305d 15:00:00\"]}\n");
	value_json(0x06, 0, "", "{\"v\":[null]}\n");
	value_json(0xfe, 0, "03666f6f", "{\"v\":[\"foo\"]}\n");
	value_json(0xf6, 0, "0431322e35", "{\"v\":[\"12.5\"]}\n");
	value_json(0xfc, 0, "00", "{\"v\":[\"\"]}\n");
	/* malformed: short values, lengths past the end, bad lenenc */
	value_json(0x08, 0, "01000000", NULL);
	value_json(0xfe, 0, "05666f6f", NULL);
	value_json(0xfe, 0, "fb", NULL);
	value_json(0xfe, 0, "ff", NULL);
	value_json(0x0c, 0, "0bda070a", NULL);
	value_json(0x05, 0, "", NULL);
}

/* ---------------------------------------------------------------------
 * Responses
 */

#define OK1 "000105020000000"	/* affected 1, insert id 5 */
#define ROW1 "0131"
#define ROW2 "0132"
#define HEX_PING "0e"

TEST(mysql_responses_eof)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	/* result set: count, definition, EOF, 2 rows, EOF */
	sc_pkt(&s, DIR_C2S, 10000, 0, Q_POSTS);
	sc_pkt(&s, DIR_S2C, 10500, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_add(&s, 4, ROW1);
	sc_pkt(&s, DIR_S2C, 10700, 5, ROW2);
	sc_add(&s, 6, "fe01000200");
	/* OK */
	sc_pkt(&s, DIR_C2S, 20000, 0, "03494e53");		/* INS */
	sc_pkt(&s, DIR_S2C, 20100, 1, "00010502000000");
	/* ERR */
	sc_pkt(&s, DIR_C2S, 30000, 0, "03626164");		/* bad */
	sc_pkt(&s, DIR_S2C, 30020, 1, "ff2804233432303030596f7520686176652061");
	/* COM_INIT_DB, then a query carries the new database */
	sc_pkt(&s, DIR_C2S, 40000, 0, "026f74686572");		/* other */
	sc_pkt(&s, DIR_S2C, 40010, 1, "00000002000000");
	sc_pkt(&s, DIR_C2S, 41000, 0, "0331");			/* 1 */
	sc_pkt(&s, DIR_S2C, 41010, 1, "00000002000000");
	/* a failing COM_INIT_DB changes nothing */
	sc_pkt(&s, DIR_C2S, 42000, 0, "026e6f6e65");		/* none */
	sc_pkt(&s, DIR_S2C, 42010, 1, "ff19042334324530303042616420");
	sc_pkt(&s, DIR_C2S, 43000, 0, "0332");			/* 2 */
	sc_pkt(&s, DIR_S2C, 43010, 1, "00000002000000");
	/* prepare: OK, 2 parameter definitions + EOF, 1 column + EOF */
	sc_pkt(&s, DIR_C2S, 50000, 0, "1653454c454354203f2b3f");	/* SELECT ?+? */
	sc_pkt(&s, DIR_S2C, 50030, 1, "000700000001000200000000");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, COLDEF);
	sc_add(&s, 4, EOF5);
	sc_add(&s, 5, COLDEF);
	sc_add(&s, 6, EOF5);
	/* execute with a NULL (bitmap) and types; binary result row */
	sc_pkt(&s, DIR_C2S, 60000, 0, "17070000000001000000020108000800" "0100000000000000");
	sc_pkt(&s, DIR_S2C, 60040, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_add(&s, 4, "00000200000000000000");
	sc_add(&s, 5, EOF5);
	/* execute again without types: the remembered ones */
	sc_pkt(&s, DIR_C2S, 61000, 0, "1707000000000100000000000300000000000000" "0400000000000000");
	sc_pkt(&s, DIR_S2C, 61040, 1, "00000002000000");
	/* LOCAL INFILE: 0xfb, client data, empty packet, OK */
	sc_pkt(&s, DIR_C2S, 70000, 0, "034c4f41442078");		/* LOAD x */
	sc_pkt(&s, DIR_S2C, 70010, 1, "fb78");
	sc_pkt(&s, DIR_C2S, 70020, 2, "610a");
	sc_add(&s, 3, "");
	sc_pkt(&s, DIR_S2C, 70030, 4, "00010002000000");
	/* two result sets (SERVER_MORE_RESULTS_EXISTS) */
	sc_pkt(&s, DIR_C2S, 80000, 0, "0353454c45435420313b53454c4543542032");
	sc_pkt(&s, DIR_S2C, 80010, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, "fe00000a00");
	sc_add(&s, 4, ROW1);
	sc_add(&s, 5, "fe00000a00");
	sc_add(&s, 6, "01");
	sc_add(&s, 7, COLDEF);
	sc_add(&s, 8, EOF5);
	sc_add(&s, 9, ROW2);
	sc_add(&s, 10, EOF5);
	/* ping (not emitted), close, then execute of the closed statement */
	sc_pkt(&s, DIR_C2S, 90000, 0, HEX_PING);
	sc_pkt(&s, DIR_S2C, 90010, 1, "00000002000000");
	sc_pkt(&s, DIR_C2S, 91000, 0, "1907000000");
	sc_pkt(&s, DIR_C2S, 92000, 0, "1707000000000100000000000300000000000000" "0400000000000000");
	sc_pkt(&s, DIR_S2C, 92010, 1, "ff132123485930303055");
	/* pipelined: two queries in one chunk, both OKs in one chunk */
	sc_pkt(&s, DIR_C2S, 100000, 0, "0361");
	sc_add(&s, 0, "0362");
	sc_pkt(&s, DIR_S2C, 100100, 1, "00010002000000");
	sc_add(&s, 1, "00020002000000");
	/* no response before close */
	sc_pkt(&s, DIR_C2S, 110000, 0, "0363");
	out = sc_run_all(&s, NULL);

	CHECK_HAS(out, "{\"ts\":\"1970-01-01T00:00:00.010Z\",\"src_addr\":\"127.0.0.1:50000\",\"dst_addr\":\"127.0.0.1:3306\",\"query\":\"select * from posts\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":500,\"response_last_us\":700,\"status\":\"ok\",\"rows\":2,\"warnings\":1}\n");
	CHECK_HAS(out, "\"query\":\"INS\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":1,\"last_insert_id\":5,\"warnings\":0}");
	CHECK_HAS(out, "\"query\":\"bad\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":20,\"response_last_us\":20,\"status\":\"error\",\"error_code\":1064,\"sql_state\":\"42000\",\"error_message\":\"You have a\"}");
	CHECK_HAS(out, "\"query\":\"1\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"other\",");
	CHECK_HAS(out, "\"query\":\"2\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"other\",");
	CHECK_NOT(out, "none");
	CHECK_HAS(out, "\"stmt_prepare_query\":\"SELECT ?+?\",\"seq_num\":0,\"command_id\":22,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"other\",\"response_first_us\":30,\"response_last_us\":30,\"status\":\"ok\",\"stmt_id\":7,\"num_params\":2,\"warnings\":0}");
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_execute_values\":[1,null],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"other\",\"stmt_query\":\"SELECT ?+?\",\"response_first_us\":40,\"response_last_us\":40,\"status\":\"ok\",\"rows\":1,\"warnings\":0}");
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_execute_values\":[3,4],");
	CHECK_HAS(out, "\"query\":\"LOAD x\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"other\",\"response_first_us\":10,\"response_last_us\":30,\"status\":\"ok\",\"affected_rows\":1,\"last_insert_id\":0,\"warnings\":0}");
	CHECK_HAS(out, "\"query\":\"SELECT 1;SELECT 2\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"other\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":2,");
	CHECK_INT(count(out, "command_id\":14"), 0);
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"other\",\"values_error\":\"statement not seen\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"error\",\"error_code\":8467,\"sql_state\":\"HY000\",\"error_message\":\"U\"}");
	CHECK_HAS(out, "\"query\":\"a\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"other\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":1,");
	CHECK_HAS(out, "\"query\":\"b\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"other\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":2,");
	CHECK_HAS(out, "\"query\":\"c\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"other\"}\n");
	CHECK_INT(count(out, "\n"), 14);
	free(out);
	sc_free(&s);
}

TEST(mysql_responses_deprecate_eof)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41_D);
	sc_pkt(&s, DIR_C2S, 10000, 0, Q_POSTS);
	sc_pkt(&s, DIR_S2C, 10500, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, ROW1);
	sc_add(&s, 4, ROW2);
	sc_add(&s, 5, ROW1);
	sc_add(&s, 6, "fe00000200000000");
	/* empty result */
	sc_pkt(&s, DIR_C2S, 11000, 0, "0378");
	sc_pkt(&s, DIR_S2C, 11500, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, "fe000002000000");
	/* prepare without EOFs, then a query right after */
	sc_pkt(&s, DIR_C2S, 20000, 0, "1653454c454354203f2b3f");
	sc_pkt(&s, DIR_S2C, 20030, 1, "000700000001000200000000");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, COLDEF);
	sc_add(&s, 4, COLDEF);
	sc_pkt(&s, DIR_C2S, 30000, 0, "0379");
	sc_pkt(&s, DIR_S2C, 30010, 1, "00000002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"select * from posts\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":500,\"response_last_us\":500,\"status\":\"ok\",\"rows\":3,\"warnings\":0}");
	CHECK_HAS(out, "\"query\":\"x\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":500,\"response_last_us\":500,\"status\":\"ok\",\"rows\":0,");
	CHECK_HAS(out, "\"stmt_prepare_query\":\"SELECT ?+?\",\"seq_num\":0,\"command_id\":22,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":30,\"response_last_us\":30,\"status\":\"ok\",\"stmt_id\":7,\"num_params\":2,");
	CHECK_HAS(out, "\"query\":\"y\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":10,");
	CHECK_INT(count(out, "\n"), 4);
	free(out);
	sc_free(&s);
}

/* Capture begins mid-connection: no handshake, a chunk inside a message,
 * the tail of a response, an execute whose prepare was not seen. */
TEST(mysql_midstream)
{
	struct script	 s = { 0 };
	char		*out;

	sc_raw(&s, DIR_C2S, 1, "6c6563742031");		/* "lect 1" */
	sc_pkt(&s, DIR_S2C, 2, 3, ROW1);		/* tail of a result */
	sc_pkt(&s, DIR_S2C, 3, 4, EOF5);
	/* a query whose bytes 4..35 would pass a naive handshake check */
	sc_pkt(&s, DIR_C2S, 100, 0, "030002000000000000" "000000000000000000000000000000000000000000000000" "41");
	sc_pkt(&s, DIR_S2C, 110, 1, "00000002000000");
	sc_raw(&s, DIR_C2S, 200, "25000000170500000000010000000001fe00fe00067465737464620d636f6d6d656e745f7374617273");
	sc_pkt(&s, DIR_S2C, 210, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_add(&s, 4, ROW1);
	sc_add(&s, 5, EOF5);
	/* statement 5 was learnt from its first execute: without types now */
	sc_pkt(&s, DIR_C2S, 250, 0, "17050000000001000000000003616263017a");
	sc_pkt(&s, DIR_S2C, 260, 1, "00000002000000");
	/* unknown statement, no types: undecodable */
	sc_pkt(&s, DIR_C2S, 300, 0, "1709000000000100000000000300000000000000");
	sc_pkt(&s, DIR_S2C, 310, 1, "00000002000000");
	out = sc_run(&s, 0, false, NULL);
	CHECK_HAS(out, "\"seq_num\":0,\"command_id\":3,\"response_first_us\":10,");
	CHECK_NOT(out, "lect");
	CHECK_HAS(out, "\"stmt_id\":5,\"stmt_execute_values\":[\"testdb\",\"comment_stars\"],\"seq_num\":0,\"command_id\":23,\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":1,");
	CHECK_HAS(out, "\"stmt_id\":5,\"stmt_execute_values\":[\"abc\",\"z\"],\"seq_num\":0,\"command_id\":23,\"response_first_us\":10,");
	CHECK_HAS(out, "\"stmt_id\":9,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"values_error\":\"statement not seen\",\"response_first_us\":10,");
	CHECK_INT(count(out, "\n"), 4);
	CHECK_NOT(out, "username");
	free(out);
	sc_free(&s);
}

/* Ruby mysql2 (libmariadb) executes of a statement whose prepare a cut
 * capture missed: six parameters INT, STRING, INT, DATETIME (4 bytes),
 * DOUBLE, STRING, with their types. Read as four parameters the message
 * parses exactly too (the last two types and the values as values): the
 * smaller count was taken and gave [51556253701, "", 2339461066959880192,
 * "0000-00-00 ..."]. Two counts that fit: the values cannot be told. One
 * that fits (a mysql2 execute of stmt 9, one INT) is still read. */
TEST(mysql_midstream_infer_ambiguous)
{
	struct script	 s = { 0 };
	char		*out;

	sc_pkt(&s, DIR_C2S, 100, 0, "1708000000000100000000010800fe0008000c000500fe000c0000000000000006726f772031320c0000000000000004e407010c00000000000010400c787878787878787878787878");
	sc_pkt(&s, DIR_S2C, 110, 1, "00000002000000");
	sc_pkt(&s, DIR_C2S, 200, 0, "17090000000001000000000108000400000000000000");
	sc_pkt(&s, DIR_S2C, 210, 1, "00000002000000");
	out = sc_run(&s, 0, false, NULL);
	CHECK_NOT(out, "51556253701");
	CHECK_HAS(out, "\"stmt_id\":8,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"values_error\":\"statement not seen\",\"response_first_us\":10,");
	CHECK_HAS(out, "\"stmt_id\":9,\"stmt_execute_values\":[4],\"seq_num\":0,\"command_id\":23,\"response_first_us\":10,");
	CHECK_INT(count(out, "\n"), 2);
	free(out);
	sc_free(&s);
}

TEST(mysql_gap)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	sc_pkt(&s, DIR_C2S, 10000, 0, "0361");
	sc_pkt(&s, DIR_S2C, 10100, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_gap(&s, DIR_S2C);
	/* the rest of the old response, starting mid-packet */
	sc_raw(&s, DIR_S2C, 10200, "313131" "0200000501" "32");
	sc_pkt(&s, DIR_S2C, 10300, 6, EOF5);
	sc_pkt(&s, DIR_C2S, 20000, 0, "0362");
	sc_pkt(&s, DIR_S2C, 20100, 1, "00000002000000");
	/* a gap in the client direction, then a query mid-way */
	sc_gap(&s, DIR_C2S);
	sc_raw(&s, DIR_C2S, 30000, "61626364");
	sc_pkt(&s, DIR_C2S, 30100, 0, "0363");
	sc_pkt(&s, DIR_S2C, 30200, 1, "00000002000000");
	out = sc_run(&s, 0, true, NULL);
	CHECK_HAS(out, "\"query\":\"a\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\"}\n");
	CHECK_HAS(out, "\"query\":\"b\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":100,");
	CHECK_HAS(out, "\"query\":\"c\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":100,");
	CHECK_INT(count(out, "\n"), 3);
	free(out);
	sc_free(&s);
}

/*
 * One server packet lost in capture: the answer to "a". The client read it
 * and sent "b"; the loss shows only when b's answer comes. b was sent
 * after the lost bytes were read (its ACK), so it keeps its place and gets
 * its answer; only "a" goes without. Sent before them, or not known, b
 * goes too (it may have had its answer in them).
 */
TEST(mysql_server_loss_keeps_later_requests)
{
	struct script	 s = { 0 };
	char		*out;
	int		 ahead;

	for (ahead = 100; ahead >= 99; ahead--) {
		sc_login(&s, HS41);
		sc_pkt(&s, DIR_C2S, 10000, 0, "0361");
		sc_acked(&s, 0);
		sc_pkt(&s, DIR_C2S, 20000, 0, "0362");
		sc_acked(&s, (uint64_t)ahead);
		sc_gap(&s, DIR_S2C);
		sc_pkt(&s, DIR_S2C, 20100, 1, "00000002000000");
		out = sc_run(&s, 0, true, NULL);
		CHECK_HAS(out, "\"query\":\"a\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\"}\n");
		if (ahead == 100)
			CHECK_HAS(out, "\"query\":\"b\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":100,");
		else
			CHECK_INT(count(out, "response_first_us"), 0);
		CHECK_INT(count(out, "\n"), 2);
		free(out);
		sc_free(&s);
	}
}

/* A query of 16 MiB + 10 bytes: two packets, the first 0xffffff long. */
TEST(mysql_multipacket)
{
	struct script	 s = { 0 };
	struct sc_ev	*e;
	char		*out, want[128];
	size_t		 total = 0xffffff + 10, i;
	uint8_t		 h[4];

	sc_login(&s, HS41);
	e = sc_new(&s, DIR_C2S, 10000);
	buf_reserve(&e->b, total + 8);
	h[0] = h[1] = h[2] = 0xff;
	h[3] = 0;
	buf_add(&e->b, h, 4);
	buf_add(&e->b, "\x03SELECT '", 9);
	for (i = 9; i < 0xffffff; i++)
		e->b.p[e->b.len++] = 'x';
	h[0] = 10;
	h[1] = h[2] = 0;
	h[3] = 1;
	buf_add(&e->b, h, 4);
	buf_add(&e->b, "xxxxxxxxx'", 10);
	sc_pkt(&s, DIR_S2C, 10100, 2, "00000002000000");
	sc_pkt(&s, DIR_C2S, 20000, 0, "0379");
	sc_pkt(&s, DIR_S2C, 20100, 1, "00000002000000");
	out = sc_run(&s, 0, true, NULL);
	CHECK_HAS(out, "\"query\":\"SELECT 'xxxxxxxx");
	snprintf(want, sizeof want, "\"truncated_bytes\":%zu,\"response_first_us\":100,", total - 1 - (1u << 20) + 1);
	CHECK_HAS(out, want);
	CHECK_HAS(out, "\"query\":\"y\",");
	CHECK_INT(count(out, "\n"), 2);
	free(out);
	/* and in 64 KiB pieces */
	out = sc_run(&s, 65536, true, NULL);
	CHECK_HAS(out, want);
	free(out);
	sc_free(&s);
}

/* Appends a message of n bytes (head, then `fill` up to n) to the last
 * event, split as the protocol does: 0xffffff-long packets, then the rest
 * (an empty one when n is a multiple). Returns the next sequence id. */
static uint8_t
sc_add_big(struct script *s, uint8_t seq, const uint8_t *head, size_t hn,
    size_t n, uint8_t fill)
{
	struct sc_ev	*e = &s->ev[s->nev - 1];
	size_t		 off = 0, k, i;
	uint8_t		 h[4];

	buf_reserve(&e->b, n + 4 * (n / 0xffffff + 1));
	do {
		k = n - off < 0xffffff ? n - off : 0xffffff;
		h[0] = (uint8_t)k;
		h[1] = (uint8_t)(k >> 8);
		h[2] = (uint8_t)(k >> 16);
		h[3] = seq++;
		buf_add(&e->b, h, 4);
		for (i = off; i < off + k; i++)
			e->b.p[e->b.len++] = i < hn ? head[i] : fill;
		off += k;
	} while (k == 0xffffff);
	return seq;
}

/* go-sql-driver with max_allowed_packet over 16 MiB: an execute whose
 * BLOB parameter makes it 16 MiB + 100 bytes (one message over two
 * packets), its OK; a text result whose one row is 16 MiB + 33 bytes (the
 * row's packets continue each other: one row, not two), a binary result
 * likewise; then a query. Checked against a capture of the driver
 * (README.mysql, gobig), too large to keep. */
TEST(mysql_multipacket_both_ways)
{
	struct script	 s = { 0 };
	char		*out, want[128];
	uint8_t		 ex[64], row[16];
	size_t		 blob = 0xffffff + 100, exn, rown = 0xffffff + 33;
	size_t		 hl, k;
	uint8_t		 seq;
	int		 split;

	sc_login(&s, HS41);
	sc_prepare(&s, 1000, 1, 2);
	/* COM_STMT_EXECUTE id 1, no flags, 1 iteration, NULL bitmap 00,
	 * bound, LONGLONG, LONG_BLOB, 2, then the blob as lenenc 0xfe */
	hl = test_unhex("1701000000000100000000010800fb00"
	    "0200000000000000fe", ex, sizeof ex);
	exn = hl + 8 + blob;
	for (k = 0; k < 8; k++)
		ex[hl + k] = (uint8_t)(blob >> (8 * k));
	sc_new(&s, DIR_C2S, 2000);
	sc_add_big(&s, 0, ex, hl + 8, exn, 'b');
	sc_pkt(&s, DIR_S2C, 2100, 2, "00010002000000");
	/* a text result: 1 column, its definition, EOF, the row, EOF */
	sc_pkt(&s, DIR_C2S, 3000, 0, "0378");
	sc_pkt(&s, DIR_S2C, 3100, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	row[0] = 0xfe;
	for (k = 0; k < 8; k++)
		row[1 + k] = (uint8_t)((rown - 9) >> (8 * k));
	seq = sc_add_big(&s, 4, row, 9, rown, 'q');
	sc_add(&s, seq, EOF5);
	/* a binary one (an execute of statement 2, no parameters) */
	sc_prepare(&s, 4000, 2, 0);
	sc_pkt(&s, DIR_C2S, 5000, 0, "1702000000000100000000");
	sc_pkt(&s, DIR_S2C, 5100, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	memmove(row + 2, row, 9);
	row[0] = 0x00;
	row[1] = 0x00;		/* header, NULL bitmap */
	seq = sc_add_big(&s, 4, row, 11, rown + 2, 'q');
	sc_add(&s, seq, EOF5);
	sc_pkt(&s, DIR_C2S, 6000, 0, "0379");
	sc_pkt(&s, DIR_S2C, 6100, 1, "00000002000000");
	for (split = 0; split <= 65536; split += 65536) {
		out = sc_run(&s, split, true, NULL);
		snprintf(want, sizeof want, "\"stmt_execute_values\":[2],");
		CHECK_HAS(out, want);
		snprintf(want, sizeof want, "\"values_error\":\"truncated\","
		    "\"truncated_bytes\":%zu,", exn - (1u << 20));
		CHECK_HAS(out, want);
		CHECK_HAS(out, "\"status\":\"ok\",\"affected_rows\":1,");
		CHECK_HAS(out, "\"query\":\"x\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"rows\":1,");
		CHECK_HAS(out, "\"stmt_id\":2,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"rows\":1,");
		CHECK_HAS(out, "\"query\":\"y\",");
		CHECK_INT(count(out, "\n"), 6);
		free(out);
	}
	sc_free(&s);
}

/* Appends one zlib-compressed frame holding the given packets (hex with
 * headers) to the last event. */
static void
sc_zframe(struct script *s, uint8_t seq, const char *hex)
{
	struct sc_ev	*e = &s->ev[s->nev - 1];
	uint8_t		 in[8192], out[8192 + 64], h[7];
	size_t		 n = test_unhex(hex, in, sizeof in);
	uLongf		 on = sizeof out;

	compress2(out, &on, in, n, 6);
	h[0] = (uint8_t)on;
	h[1] = (uint8_t)(on >> 8);
	h[2] = (uint8_t)(on >> 16);
	h[3] = seq;
	h[4] = (uint8_t)n;
	h[5] = (uint8_t)(n >> 8);
	h[6] = (uint8_t)(n >> 16);
	buf_add(&e->b, h, 7);
	buf_add(&e->b, out, on);
}

TEST(mysql_compressed_responses)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41_Z);
	sc_new(&s, DIR_C2S, 10000);
	sc_zframe(&s, 0, "14000000" Q_POSTS);
	/* result set in one frame, rows text compressible */
	sc_new(&s, DIR_S2C, 10100);
	sc_zframe(&s, 1, "0100000101" "19000002" COLDEF "02000003" ROW1
	    "02000004" ROW2 "07000005fe000002000000");
	/* two queries in one frame; responses in two frames, a packet
	 * spanning them */
	sc_new(&s, DIR_C2S, 20000);
	sc_zframe(&s, 0, "020000000361" "020000000362");
	sc_new(&s, DIR_S2C, 20100);
	sc_zframe(&s, 1, "0700000100010002000000" "07000001");
	sc_zframe(&s, 2, "00020002000000");
	/* a corrupt frame is skipped, the next one decoded */
	sc_new(&s, DIR_C2S, 30000);
	buf_add(&s.ev[s.nev - 1].b, "\x05\x00\x00\x00\x10\x00\x00\x78\x9c\xff\xff\xff", 12);
	sc_zframe(&s, 0, "020000000363");
	sc_new(&s, DIR_S2C, 30100);
	sc_zframe(&s, 1, "0700000100030002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"select * from posts\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"rows\":2,");
	CHECK_HAS(out, "\"query\":\"a\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":1,");
	CHECK_HAS(out, "\"query\":\"b\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":2,");
	CHECK_HAS(out, "\"query\":\"c\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":3,");
	CHECK_INT(count(out, "\n"), 4);
	free(out);
	sc_free(&s);

	/* mid-stream: the first client chunk is a whole compressed frame */
	sc_raw(&s, DIR_C2S, 100, "22000000320000789cd3636060602e4ecd494d2e51503230343236313533b7b0c4cd5202000cd10a6c");
	sc_new(&s, DIR_S2C, 200);
	sc_zframe(&s, 1, "0700000100090002000000");
	out = sc_run(&s, 0, false, NULL);
	CHECK_HAS(out, "\"query\":\"select \\\"012345678901234567890123456789012345\\\"\",\"seq_num\":0,\"command_id\":3,\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":9,");
	free(out);
	sc_free(&s);
}

TEST(mysql_malformed)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	sc_prepare(&s, 100, 5, 2);
	/* stmt 5 has 2 params; only one value present */
	sc_pkt(&s, DIR_C2S, 1000, 0, "170500000000010000000001fe00fe0003616263");
	sc_pkt(&s, DIR_S2C, 1010, 1, "00000002000000");
	/* bad lenenc in a value */
	sc_pkt(&s, DIR_C2S, 2000, 0, "170500000000010000000001fe00fe00fb0161");
	sc_pkt(&s, DIR_S2C, 2010, 1, "00000002000000");
	/* execute too short for its header */
	sc_pkt(&s, DIR_C2S, 3000, 0, "170500");
	sc_pkt(&s, DIR_S2C, 3010, 1, "00000002000000");
	/* prepare OK too short; bad column count */
	sc_pkt(&s, DIR_C2S, 4000, 0, "1678");
	sc_pkt(&s, DIR_S2C, 4010, 1, "0007");
	sc_pkt(&s, DIR_C2S, 5000, 0, "0378");
	sc_pkt(&s, DIR_S2C, 5010, 1, "ff");
	sc_pkt(&s, DIR_C2S, 5500, 0, "0379");
	sc_pkt(&s, DIR_S2C, 5510, 1, "fc01");
	/* unknown command byte */
	sc_pkt(&s, DIR_C2S, 6000, 0, "99");
	/* a packet whose length runs past the end of the stream */
	sc_raw(&s, DIR_C2S, 7000, "ffff000003414243");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"stmt_id\":5,\"stmt_execute_values\":[\"abc\"],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"values_error\":\"malformed\",");
	CHECK_HAS(out, "\"stmt_id\":5,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"values_error\":\"malformed\",\"response_first_us\":10,");
	CHECK_HAS(out, "\"stmt_id\":0,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"values_error\":\"malformed\",");
	CHECK_HAS(out, "\"stmt_prepare_query\":\"x\",\"seq_num\":0,\"command_id\":22,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\"}");
	CHECK_HAS(out, "\"query\":\"x\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"error\",\"error_code\":0,\"error_message\":\"\"}");
	CHECK_HAS(out, "\"query\":\"y\",");
	CHECK_NOT(out, "ABC");
	free(out);
	sc_free(&s);
}

TEST(mysql_change_user)
{
	struct script	 s = { 0 };
	char		*out, *meta;

	sc_login(&s, HS41);
	/* COM_CHANGE_USER bob, auth (secure: length byte), db2; auth switch
	 * in between, then OK */
	sc_pkt(&s, DIR_C2S, 1000, 0, "11626f6200" "0100" "64623200");
	sc_pkt(&s, DIR_S2C, 1010, 1, "fe6d7973716c5f6e61746976655f70617373776f726400");
	sc_pkt(&s, DIR_C2S, 1020, 2, "0102");
	sc_pkt(&s, DIR_S2C, 1030, 3, "00000002000000");
	sc_pkt(&s, DIR_C2S, 2000, 0, "0378");
	sc_pkt(&s, DIR_S2C, 2010, 1, "00000002000000");
	out = sc_run_all(&s, &meta);
	CHECK_STR(meta, "{\"character_set\":\"latin1\",\"username\":\"bob\",\"database\":\"db2\"}\n");
	CHECK_HAS(out, "\"query\":\"x\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"bob\",\"database\":\"db2\",\"response_first_us\":10,");
	free(out);
	free(meta);
	sc_free(&s);
}

TEST(mysql_record_set_str)
{
	struct record	r;
	struct buf	b;
	int		i;
	char		name[32];

	rec_init(&r);
	buf_init(&b);
	rec_cstr(&r, "character_set", "utf8");
	rec_set_str(&r, "database", "a", 1);
	rec_set_str(&r, "database", "bbb", 3);
	rec_set_str(&r, "database", "cc", 2);
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof name, "db%d-%s", i, i % 2 ? "long-name" : "x");
		rec_set_str(&r, "database", name, strlen(name));
	}
	rec_set_str(&r, "database", "final", 5);
	emit_record(&b, &r, FMT_JSON);
	buf_addc(&b, '\0');
	CHECK_STR(b.p, "{\"character_set\":\"utf8\",\"database\":\"final\"}\n");
	CHECK(r.acap <= 16384);
	rec_free(&r);
	buf_free(&b);
}

/* The start of the connection unseen (no SYN) but the greeting captured:
 * the handshake is still decoded. */
TEST(mysql_nosyn_handshake)
{
	struct script	 s = { 0 };
	char		*out, *meta;

	sc_login(&s, HS41);
	sc_pkt(&s, DIR_C2S, 10000, 0, "0361");
	sc_pkt(&s, DIR_S2C, 10100, 1, "00000002000000");
	out = sc_run(&s, 0, false, &meta);
	CHECK_STR(meta, "{\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\"}\n");
	CHECK_HAS(out, "\"query\":\"a\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":100,");
	free(out);
	free(meta);
	sc_free(&s);
}

/* Statement ids that share their low byte (1, 257, 513) are told apart:
 * the lookup remembers a slot per low byte, and a stale one must not
 * answer for another id. */
TEST(mysql_stmt_ids_same_low_byte)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	/* prepare "SELECT 1" -> id 1, "SELECT 2" -> id 257: no params, no
	 * columns, so each answer is the bare prepare OK */
	sc_pkt(&s, DIR_C2S, 1000, 0, "1653454c4543542031");
	sc_pkt(&s, DIR_S2C, 1010, 1, "000100000000000000000000");
	sc_pkt(&s, DIR_C2S, 2000, 0, "1653454c4543542032");
	sc_pkt(&s, DIR_S2C, 2010, 1, "000101000000000000000000");
	sc_pkt(&s, DIR_C2S, 3000, 0, "17010100000001000000");
	sc_pkt(&s, DIR_S2C, 3010, 1, "00000002000000");
	sc_pkt(&s, DIR_C2S, 4000, 0, "17010000000001000000");
	sc_pkt(&s, DIR_S2C, 4010, 1, "00000002000000");
	/* close 1; 513 takes a slot; 1 is gone, 257 and 513 are found */
	sc_pkt(&s, DIR_C2S, 5000, 0, "1901000000");
	sc_pkt(&s, DIR_C2S, 6000, 0, "1653454c4543542033");
	sc_pkt(&s, DIR_S2C, 6010, 1, "000102000000000000000000");
	sc_pkt(&s, DIR_C2S, 7000, 0, "17010200000001000000");
	sc_pkt(&s, DIR_S2C, 7010, 1, "00000002000000");
	sc_pkt(&s, DIR_C2S, 8000, 0, "17010000000001000000");
	sc_pkt(&s, DIR_S2C, 8010, 1, "ff132123485930303055");
	sc_pkt(&s, DIR_C2S, 9000, 0, "17010100000001000000");
	sc_pkt(&s, DIR_S2C, 9010, 1, "00000002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"ts\":\"1970-01-01T00:00:00.003Z\",\"src_addr\":\"127.0.0.1:50000\",\"dst_addr\":\"127.0.0.1:3306\",\"stmt_id\":257,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"SELECT 2\",");
	CHECK_HAS(out, "\"ts\":\"1970-01-01T00:00:00.004Z\",\"src_addr\":\"127.0.0.1:50000\",\"dst_addr\":\"127.0.0.1:3306\",\"stmt_id\":1,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"SELECT 1\",");
	CHECK_HAS(out, "\"ts\":\"1970-01-01T00:00:00.007Z\",\"src_addr\":\"127.0.0.1:50000\",\"dst_addr\":\"127.0.0.1:3306\",\"stmt_id\":513,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"SELECT 3\",");
	CHECK_HAS(out, "\"ts\":\"1970-01-01T00:00:00.008Z\",\"src_addr\":\"127.0.0.1:50000\",\"dst_addr\":\"127.0.0.1:3306\",\"stmt_id\":1,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,");
	CHECK_HAS(out, "\"ts\":\"1970-01-01T00:00:00.009Z\",\"src_addr\":\"127.0.0.1:50000\",\"dst_addr\":\"127.0.0.1:3306\",\"stmt_id\":257,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"SELECT 2\",");
	free(out);
	sc_free(&s);
}

/* MariaDB pipelines COM_STMT_PREPARE and COM_STMT_EXECUTE with statement id
 * -1 ("the one just prepared"). */
TEST(mysql_pipelined_prepare_execute)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	sc_pkt(&s, DIR_C2S, 1000, 0, "1653454c454354203f");	/* SELECT ? */
	sc_add(&s, 0, "17ffffffff0001000000000108000200000000000000");
	sc_pkt(&s, DIR_S2C, 1010, 1, "000900000000000100000000");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_add(&s, 1, "00000002000000");
	/* now -1 means statement 9 */
	sc_pkt(&s, DIR_C2S, 2000, 0, "17ffffffff0001000000000108000300000000000000");
	sc_pkt(&s, DIR_S2C, 2010, 1, "00000002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"stmt_prepare_query\":\"SELECT ?\",\"seq_num\":0,\"command_id\":22,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"stmt_id\":9,\"num_params\":1,");
	CHECK_HAS(out, "\"stmt_id\":4294967295,\"stmt_execute_values\":[2],\"seq_num\":0,\"command_id\":23,");
	/* the statement's text, from the prepare it was sent behind */
	CHECK_HAS(out, "\"stmt_id\":4294967295,\"stmt_execute_values\":[2],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"SELECT ?\",");
	CHECK_HAS(out, "\"stmt_id\":9,\"stmt_execute_values\":[3],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"SELECT ?\",");
	free(out);
	sc_free(&s);
}

/* MariaDB Connector/Node.js (pipelining on, the default) sends the execute
 * of a statement without parameters, with id -1, behind its prepare and
 * with a new-params-bound byte though there are no parameters. One stray
 * byte cannot be parameters (they need a NULL bitmap and that flag at
 * least): it was reported "statement not seen". */
TEST(mysql_execute_no_params_flag)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	sc_pkt(&s, DIR_C2S, 1000, 0, "1653454c4543542031");	/* SELECT 1 */
	sc_pkt(&s, DIR_C2S, 1001, 0, "17ffffffff000100000001");
	sc_pkt(&s, DIR_S2C, 1010, 1, "000700000001000000000000");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_pkt(&s, DIR_S2C, 1020, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_add(&s, 4, "000001");
	sc_add(&s, 5, EOF5);
	/* mid-stream too: an unknown statement, the flag 0 */
	sc_pkt(&s, DIR_C2S, 2000, 0, "1742000000000100000000");
	sc_pkt(&s, DIR_S2C, 2010, 1, "00000002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"stmt_id\":4294967295,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"SELECT 1\",\"response_first_us\":19,\"response_last_us\":19,\"status\":\"ok\",\"rows\":1,");
	CHECK_HAS(out, "\"stmt_id\":66,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,");
	CHECK_NOT(out, "values_error");
	free(out);
	sc_free(&s);
}

/* MariaDB Connector/Node.js pipelines every request sent before the first
 * answer (Promise.all of many queries). Past 16 the oldest request was
 * dropped, its response then taken for the next request's, and every later
 * record got the response of the request before it. */
TEST(mysql_deep_pipeline)
{
	struct script	 s = { 0 };
	char		*out, hex[64];
	int		 i;

	sc_login(&s, HS41);
	sc_new(&s, DIR_C2S, 1000);
	for (i = 1; i <= 20; i++) {
		/* "SELECT 1", "SELECT 2", ... */
		snprintf(hex, sizeof hex, "0353454c45435420%02x", '0' + i);
		sc_add(&s, 0, hex);
	}
	sc_new(&s, DIR_S2C, 1010);
	for (i = 1; i <= 20; i++) {
		snprintf(hex, sizeof hex, "00%02x0002000000", i);
		sc_add(&s, 1, hex);
	}
	sc_pkt(&s, DIR_C2S, 2000, 0, "0353454c4543542078");
	sc_pkt(&s, DIR_S2C, 2010, 1, "00150002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"SELECT 1\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"affected_rows\":1,");
	CHECK_HAS(out, "\"query\":\"SELECT 5\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"affected_rows\":5,");
	CHECK_HAS(out, "\"query\":\"SELECT D\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"affected_rows\":20,");
	CHECK_HAS(out, "\"query\":\"SELECT x\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"affected_rows\":21,");
	if (count(out, "\"query\"") != 21)
		test_fail(__FILE__, __LINE__, "want 21 records:\n%s", out);
	free(out);
	sc_free(&s);
}

/* A deep pipeline of long queries: past 16 records and 1 MB held, the
 * oldest records are written before their responses, without response
 * keys; the responses still go to their own requests. */
TEST(mysql_deep_pipeline_bytes)
{
	struct script	 s = { 0 };
	struct sc_ev	*e;
	char		*out, *line, *nl, want[64], hex[32];
	uint8_t		 h[4] = { 0 }, *q;
	size_t		 qn = 40000;
	int		 i, k, early = 0;

	sc_login(&s, HS41);
	e = sc_new(&s, DIR_C2S, 1000);
	if ((q = malloc(qn)) == NULL)
		abort();
	for (i = 1; i <= 40; i++) {
		/* COM_QUERY "SELECT <i> aaaa...", 40000 bytes */
		memset(q, 'a', qn);
		q[0] = 0x03;
		k = snprintf(want, sizeof want, "SELECT %d ", i);
		memcpy(q + 1, want, (size_t)k);
		h[0] = (uint8_t)qn;
		h[1] = (uint8_t)(qn >> 8);
		h[2] = (uint8_t)(qn >> 16);
		buf_add(&e->b, h, 4);
		buf_add(&e->b, q, qn);
	}
	free(q);
	sc_new(&s, DIR_S2C, 1010);
	for (i = 1; i <= 40; i++) {
		snprintf(hex, sizeof hex, "00%02x0002000000", i);
		sc_add(&s, 1, hex);
	}
	out = sc_run(&s, 0, true, NULL);
	CHECK_INT(count(out, "\n"), 40);
	for (i = 1, line = out; i <= 40 && *line; i++, line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		snprintf(want, sizeof want, "\"query\":\"SELECT %d a", i);
		CHECK_HAS(line, want);
		if (strstr(line, "\"status\"") == NULL) {
			early++;
			continue;
		}
		snprintf(want, sizeof want, "\"affected_rows\":%d,", i);
		CHECK_HAS(line, want);
	}
	/* 40 KB texts, in records of 64 KB: about 16 fit in 1 MB */
	if (early < 10 || early > 30)
		test_fail(__FILE__, __LINE__, "%d written early", early);
	free(out);
	sc_free(&s);
}

/* MariaDB with MARIADB_CLIENT_CACHE_METADATA (libmariadb, DBD::mysql): an
 * execute's column count carries a "metadata follows" byte, 0 when the
 * client has the definitions from the prepare; none are sent then. Taking
 * the count alone, the EOF and rows were counted as definitions and every
 * later response went to the wrong request. */
TEST(mysql_cache_metadata)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	sc_pkt(&s, DIR_C2S, 1000, 0, "1653454c454354203f");	/* SELECT ? */
	sc_pkt(&s, DIR_S2C, 1010, 1, "000900000001000100000000");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_add(&s, 4, COLDEF);
	sc_add(&s, 5, EOF5);
	/* count 2, no definitions: EOF, two binary rows, EOF */
	sc_pkt(&s, DIR_C2S, 2000, 0, "17090000000001000000000108000200000000000000");
	sc_pkt(&s, DIR_S2C, 2010, 1, "0200");
	sc_add(&s, 2, EOF5);
	sc_add(&s, 3, "000001");
	sc_add(&s, 4, "000002");
	sc_add(&s, 5, EOF5);
	/* metadata follows (1): the definitions are there */
	sc_pkt(&s, DIR_C2S, 3000, 0, "17090000000001000000000108000300000000000000");
	sc_pkt(&s, DIR_S2C, 3010, 1, "0101");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_add(&s, 4, "000003");
	sc_add(&s, 5, EOF5);
	sc_pkt(&s, DIR_C2S, 4000, 0, "0378");			/* x */
	sc_pkt(&s, DIR_S2C, 4010, 1, "00010002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"stmt_id\":9,\"stmt_execute_values\":[2],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"SELECT ?\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":2,\"warnings\":0}");
	CHECK_HAS(out, "\"stmt_id\":9,\"stmt_execute_values\":[3],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"SELECT ?\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":1,\"warnings\":0}");
	CHECK_HAS(out, "\"query\":\"x\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"affected_rows\":1,");
	CHECK_INT(count(out, "\n"), 4);
	free(out);
	sc_free(&s);
}

/* Capture begins inside a long row (a blob, REPEAT()): its bytes read as
 * a packet header ("xxxx": 7.9 MB, seq 0x78) swallowed every response
 * after them. A server chunk is taken only as the start of the response
 * to the request held. */
TEST(mysql_midstream_inside_row)
{
	struct script	 s = { 0 };
	char		 hex[2 * 1400 + 1];
	char		*out;
	int		 i, round;

	for (i = 0; i < 1400; i++)
		memcpy(hex + 2 * i, "78", 2);
	hex[2 * 1400] = '\0';
	for (round = 0; round < 2; round++) {
		/* round 0: nothing known yet; round 1: a gap (packets
		 * lost) inside a result after a command */
		if (round == 1) {
			sc_pkt(&s, DIR_C2S, 10, 0, "0378");	/* x */
			sc_pkt(&s, DIR_S2C, 20, 1, "01");
			sc_add(&s, 2, COLDEF);
			sc_add(&s, 3, EOF5);
			sc_gap(&s, DIR_S2C);
		}
		sc_raw(&s, DIR_S2C, 100, hex);
		sc_raw(&s, DIR_S2C, 110, hex);
		sc_pkt(&s, DIR_C2S, 200, 0, "0379");		/* y */
		sc_pkt(&s, DIR_S2C, 210, 1, "01");
		sc_add(&s, 2, COLDEF);
		sc_add(&s, 3, EOF5);
		sc_add(&s, 4, ROW1);
		sc_add(&s, 5, EOF5);
		sc_pkt(&s, DIR_C2S, 300, 0, "037a");		/* z */
		sc_pkt(&s, DIR_S2C, 320, 1, "00030002000000");
		out = sc_run(&s, 0, false, NULL);
		CHECK_HAS(out, "\"query\":\"y\",\"seq_num\":0,\"command_id\":3,\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":1,\"warnings\":0}");
		CHECK_HAS(out, "\"query\":\"z\",\"seq_num\":0,\"command_id\":3,\"response_first_us\":20,\"response_last_us\":20,\"status\":\"ok\",\"affected_rows\":3,");
		CHECK_INT(count(out, "\n"), 2 + round);
		if (round == 1)
			CHECK_HAS(out, "\"query\":\"x\",\"seq_num\":0,\"command_id\":3}");
		free(out);
		sc_free(&s);
	}
}

/* LOCAL INFILE of more than 256 packets: their sequence numbers wrap past
 * 0, and a data packet with seq 0 starting with a tab or a newline was
 * taken for a COM_STATISTICS / COM_PROCESS_INFO, whose "requests" then
 * took the responses of the next queries. */
TEST(mysql_infile_seq_wrap)
{
	struct script	 s = { 0 };
	char		*out;
	unsigned	 i, seq = 2;

	sc_login(&s, HS41);
	sc_pkt(&s, DIR_C2S, 1000, 0, "034c4f41442078");		/* LOAD x */
	sc_pkt(&s, DIR_S2C, 1010, 1, "fb78");
	sc_new(&s, DIR_C2S, 1020);
	for (i = 0; i < 300; i++, seq++)
		sc_add(&s, (uint8_t)seq, (uint8_t)seq == 0 ? "09610a" :
		    (uint8_t)seq == 1 ? "0a620a" : "31093633");
	sc_add(&s, (uint8_t)seq++, "");
	sc_pkt(&s, DIR_S2C, 1030, (uint8_t)seq, "00fce803000200000000");
	sc_pkt(&s, DIR_C2S, 2000, 0, "0379");			/* y */
	sc_pkt(&s, DIR_S2C, 2010, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_add(&s, 4, ROW1);
	sc_add(&s, 5, EOF5);
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"LOAD x\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":30,\"status\":\"ok\",\"affected_rows\":1000,");
	CHECK_HAS(out, "\"query\":\"y\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":1,");
	CHECK_INT(count(out, "\n"), 2);
	free(out);
	sc_free(&s);
}

/* LOAD DATA LOCAL INFILE in a multi-statement (CLIENT_MULTI_STATEMENTS):
 * the OK after the file says more results follow. The request ended at
 * that OK, and the results after it (here 2 rows) were lost. */
TEST(mysql_infile_multi_statement)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	sc_pkt(&s, DIR_C2S, 1000, 0, "034c4f414420783b2053454c454354");
	sc_pkt(&s, DIR_S2C, 1010, 1, "fb78");
	sc_pkt(&s, DIR_C2S, 1020, 2, "31093633");
	sc_add(&s, 3, "");
	sc_pkt(&s, DIR_S2C, 1030, 4, "0032000a000000");	/* more results */
	sc_pkt(&s, DIR_S2C, 1040, 5, "01");
	sc_add(&s, 6, COLDEF);
	sc_add(&s, 7, EOF5);
	sc_add(&s, 8, "0131");
	sc_add(&s, 9, "0132");
	sc_add(&s, 10, EOF5);
	sc_pkt(&s, DIR_C2S, 2000, 0, "0379");			/* y */
	sc_pkt(&s, DIR_S2C, 2010, 1, "00000002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"LOAD x; SELECT\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":40,\"status\":\"ok\",\"rows\":2,");
	CHECK_HAS(out, "\"query\":\"y\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"affected_rows\":0,");
	free(out);
	sc_free(&s);
}

/* A param sent with COM_STMT_SEND_LONG_DATA is not in the execute
 * (Connector/J's setBinaryStream/setBytes: NULL bit clear): its bytes were
 * read from the next param's, giving garbage and "malformed". The server
 * forgets long data after an execute and at COM_STMT_RESET. */
TEST(mysql_long_data)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	sc_prepare(&s, 1000, 7, 3);
	sc_pkt(&s, DIR_C2S, 2000, 0, "1807000000010068656c6c6f");	/* hello */
	sc_pkt(&s, DIR_C2S, 2001, 0, "18070000000100776f726c64");	/* world */
	sc_pkt(&s, DIR_C2S, 2002, 0, "170700000000010000000001" "0300fc000300" "01000000" "03000000");
	sc_pkt(&s, DIR_S2C, 2010, 1, "00010002000000");
	/* no long data now: the blob is inline */
	sc_pkt(&s, DIR_C2S, 3000, 0, "170700000000010000000001" "0300fc000300" "04000000" "026162" "06000000");
	sc_pkt(&s, DIR_S2C, 3010, 1, "00010002000000");
	/* long data, then COM_STMT_RESET drops it */
	sc_pkt(&s, DIR_C2S, 4000, 0, "1807000000010068656c6c6f");
	sc_pkt(&s, DIR_C2S, 4001, 0, "1a07000000");
	sc_pkt(&s, DIR_S2C, 4010, 1, "00000002000000");
	sc_pkt(&s, DIR_C2S, 5000, 0, "170700000000010000000000" "07000000" "026364" "09000000");
	sc_pkt(&s, DIR_S2C, 5010, 1, "00010002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_execute_values\":[1,null,3],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":8,");
	CHECK_HAS(out, "\"stmt_execute_values\":[4,\"ab\",6],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":10,");
	CHECK_HAS(out, "\"stmt_execute_values\":[7,\"cd\",9],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":10,");
	CHECK_NOT(out, "values_error");
	CHECK_INT(count(out, "\n"), 4);
	free(out);
	sc_free(&s);
}

/* libmysqlclient 5.7+ sets CLIENT_DEPRECATE_EOF whatever the server
 * offers; a server without it (MySQL 5.6, MariaDB 10.1) still sends EOFs,
 * and the EOF after the definitions was taken for the end of the result
 * (rows 0, the rows dropped). */
TEST(mysql_deprecate_eof_not_offered)
{
	struct script	 s = { 0 };
	char		*out;

	/* the greeting with DEPRECATE_EOF (bit 24) cleared */
	sc_login_caps(&s, "ff80", HS41_D, NULL);
	sc_pkt(&s, DIR_C2S, 10000, 0, Q_POSTS);
	sc_pkt(&s, DIR_S2C, 10500, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_add(&s, 4, ROW1);
	sc_add(&s, 5, ROW2);
	sc_add(&s, 6, EOF5);
	sc_pkt(&s, DIR_C2S, 20000, 0, "0378");
	sc_pkt(&s, DIR_S2C, 20010, 1, "00010002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"select * from posts\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":500,\"response_last_us\":500,\"status\":\"ok\",\"rows\":2,\"warnings\":0}");
	CHECK_HAS(out, "\"query\":\"x\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"affected_rows\":1,");
	CHECK_INT(count(out, "\n"), 2);
	free(out);
	sc_free(&s);
}

/* MariaDB's COM_STMT_BULK_EXECUTE (Connector/J batches) is not emitted,
 * but its response is held for it: with a query sent right behind it, the
 * bulk's OK was taken for the query's. */
TEST(mysql_bulk_execute)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	sc_prepare(&s, 1000, 7, 1);
	sc_pkt(&s, DIR_C2S, 2000, 0, "fa070000008000" "0300" "0001000000" "0002000000");
	sc_add(&s, 0, "0378");					/* x */
	sc_pkt(&s, DIR_S2C, 2010, 1, "00020002000000");
	sc_pkt(&s, DIR_S2C, 2020, 1, "00050002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"x\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":20,\"response_last_us\":20,\"status\":\"ok\",\"affected_rows\":5,");
	CHECK_NOT(out, "command_id\":250");
	CHECK_INT(count(out, "\n"), 2);
	free(out);
	sc_free(&s);
}

/* MySQL 8.0.23+ with CLIENT_QUERY_ATTRIBUTES: a COM_QUERY has an attribute
 * block before its text (two bytes 00 01 without attributes: they were the
 * start of every query), an execute an explicit parameter count and a name
 * after each type, its attributes after the statement's parameters. */
TEST(mysql_query_attributes)
{
	struct script	 s = { 0 };
	char		*out;

	/* CLIENT_QUERY_ATTRIBUTES (bit 27) on both sides */
	sc_login_caps(&s, "ff89", HS41, "8da60f08");
	sc_pkt(&s, DIR_C2S, 4000, 0, "030001" "73656c6563742031");
	sc_pkt(&s, DIR_S2C, 4010, 1, "00000002000000");
	/* one attribute, ts = "abc" */
	sc_pkt(&s, DIR_C2S, 5000, 0, "030101" "00" "01" "fe00" "027473" "03616263" "73656c6563742032");
	sc_pkt(&s, DIR_S2C, 5010, 1, "00000002000000");
	sc_prepare(&s, 6000, 7, 2);
	sc_pkt(&s, DIR_C2S, 7000, 0, "17070000000001000000" "02" "00" "01" "030000" "fe0000" "05000000" "026162");
	sc_pkt(&s, DIR_S2C, 7010, 1, "00000002000000");
	/* the statement's two, then an attribute */
	sc_pkt(&s, DIR_C2S, 8000, 0, "17070000000001000000" "03" "00" "01" "030000" "fe0000" "fe00027473" "06000000" "026364" "0178");
	sc_pkt(&s, DIR_S2C, 8010, 1, "00000002000000");
	/* types not sent again */
	sc_pkt(&s, DIR_C2S, 9000, 0, "17070000000001000000" "02" "02" "00" "09000000");
	sc_pkt(&s, DIR_S2C, 9010, 1, "00000002000000");
	/* no parameters, PARAMETER_COUNT_AVAILABLE with a count of 0 */
	sc_prepare(&s, 10000, 8, 0);
	sc_pkt(&s, DIR_C2S, 11000, 0, "17080000000801000000" "00");
	sc_pkt(&s, DIR_S2C, 11010, 1, "00000002000000");
	/* a parameter count past the message */
	sc_pkt(&s, DIR_C2S, 12000, 0, "17070000000001000000" "fc0010" "00");
	sc_pkt(&s, DIR_S2C, 12010, 1, "00000002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"select 1\",\"seq_num\":0,\"command_id\":3,");
	CHECK_HAS(out, "\"query\":\"select 2\",\"seq_num\":0,\"command_id\":3,");
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_execute_values\":[5,\"ab\"],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":10,");
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_execute_values\":[6,\"cd\"],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":10,");
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_execute_values\":[9,null],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":10,");
	CHECK_HAS(out, "\"stmt_id\":8,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":10,");
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"values_error\":\"malformed\",");
	CHECK_INT(count(out, "values_error"), 1);
	CHECK_INT(count(out, "\n"), 7 + 2);	/* and the two prepares */
	free(out);
	sc_free(&s);
}

/* The same, in a capture that began after the handshake: the attribute
 * layout is told by its shape; the older layout still decodes. */
TEST(mysql_query_attributes_midstream)
{
	struct script	 s = { 0 };
	char		*out;

	sc_pkt(&s, DIR_C2S, 1000, 0, "030001" "73656c6563742031");
	sc_pkt(&s, DIR_S2C, 1010, 1, "00000002000000");
	sc_pkt(&s, DIR_C2S, 2000, 0, "030101" "00" "01" "fe00" "027473" "03616263" "73656c6563742032");
	sc_pkt(&s, DIR_S2C, 2010, 1, "00000002000000");
	/* unknown statement 9, one BIGINT parameter, attributes layout */
	sc_pkt(&s, DIR_C2S, 3000, 0, "17090000000001000000" "01" "00" "01" "080000" "2a00000000000000");
	sc_pkt(&s, DIR_S2C, 3010, 1, "00000002000000");
	/* learnt: then without its types */
	sc_pkt(&s, DIR_C2S, 4000, 0, "17090000000001000000" "01" "00" "00" "2b00000000000000");
	sc_pkt(&s, DIR_S2C, 4010, 1, "00000002000000");
	/* statement 10 in the older layout */
	sc_pkt(&s, DIR_C2S, 5000, 0, "170a0000000001000000" "00" "01" "0800" "2c00000000000000");
	sc_pkt(&s, DIR_S2C, 5010, 1, "00000002000000");
	/* a query that only starts like a block: kept whole */
	sc_pkt(&s, DIR_C2S, 6000, 0, "030101" "00" "02" "73656c6563742033");
	sc_pkt(&s, DIR_S2C, 6010, 1, "00000002000000");
	out = sc_run(&s, 0, false, NULL);
	CHECK_HAS(out, "\"query\":\"select 1\",\"seq_num\":0,\"command_id\":3,");
	CHECK_HAS(out, "\"query\":\"select 2\",\"seq_num\":0,\"command_id\":3,");
	CHECK_HAS(out, "\"stmt_id\":9,\"stmt_execute_values\":[42],\"seq_num\":0,");
	CHECK_HAS(out, "\"stmt_id\":9,\"stmt_execute_values\":[43],\"seq_num\":0,");
	CHECK_HAS(out, "\"stmt_id\":10,\"stmt_execute_values\":[44],\"seq_num\":0,");
	CHECK_HAS(out, "select 3\",\"seq_num\"");
	CHECK_NOT(out, "\"query\":\"select 3\"");
	CHECK_NOT(out, "values_error");
	CHECK_INT(count(out, "\n"), 6);
	free(out);
	sc_free(&s);
}

/* MySQL 8.0.18+ may compress with zstd (a flag of its own), which we do not
 * decode: one clear record, not the compressed frames taken for packets. */
TEST(mysql_zstd_compression)
{
	struct script	 s = { 0 };
	char		*out;

	/* CLIENT_ZSTD_COMPRESSION_ALGORITHM (bit 26) on both sides */
	sc_login_caps(&s, "ff85", HS41, "8da60f04");
	/* a zstd frame: 7-byte header, then what zlib can't read */
	sc_raw(&s, DIR_C2S, 4000, "100000000f0000" "28b52ffd200f79000003000000000373");
	sc_raw(&s, DIR_S2C, 4010, "09000001070000" "28b52ffd2007390000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"error\":\"zstd compression");
	CHECK_NOT(out, "command_id");
	CHECK_INT(count(out, "\n"), 1);
	free(out);
	sc_free(&s);
}

/* An ERR that answers no request (MySQL 8.0.24+ closing an idle session
 * at wait_timeout, a shutdown) gets a record of its own once the decoder
 * is in step; before a request was answered (a capture that began inside
 * a response) it is not taken for one. */
TEST(mysql_err_on_idle_session)
{
	struct script	 s = { 0 };
	char		*out;

	/* picked up mid-stream: an ERR before any request is answered */
	sc_pkt(&s, DIR_S2C, 500, 1, "ff1504233238303030416363657373");
	sc_pkt(&s, DIR_C2S, 1000, 0, "0378");
	sc_pkt(&s, DIR_S2C, 1010, 1, "00000002000000");
	/* MariaDB progress report: not an error */
	sc_pkt(&s, DIR_S2C, 1500, 1, "ffffff0101000000");
	sc_pkt(&s, DIR_S2C, 2000, 0, "ffbf0f2348593030305468652063" "6c69656e74207761732064697363" "6f6e6e6563746564");
	out = sc_run(&s, 0, false, NULL);
	CHECK_HAS(out, "{\"ts\":\"1970-01-01T00:00:00.002Z\",\"src_addr\":\"127.0.0.1:50000\",\"dst_addr\":\"127.0.0.1:3306\",\"status\":\"error\"");
	CHECK_HAS(out, "\"status\":\"error\",\"error_code\":4031,\"sql_state\":\"HY000\",\"error_message\":\"The client was disconnected\"}");
	CHECK_INT(count(out, "error_code"), 1);
	CHECK_INT(count(out, "\n"), 2);
	free(out);
	sc_free(&s);
}


/* go-sql-driver's `INSERT ...; INSERT ...` (a duplicate key in the second)
 * with its request dropped in capture: the server's OK (more results) and
 * ERR come before the client's next bytes show the loss. The server had
 * read client bytes the decoder had not (its ACK): the ERR answers a lost
 * request, not an idle session; it was a record of its own (status error,
 * no query). Read up to what was captured, it still is. */
TEST(mysql_err_of_lost_request_not_lone)
{
	struct script	 s = { 0 };
	char		*out;
	int		 ahead;

	for (ahead = 1; ahead >= 0; ahead--) {
		sc_login(&s, HS41);
		sc_pkt(&s, DIR_C2S, 1000, 0, "0361");
		sc_pkt(&s, DIR_S2C, 1010, 1, "00000002000000");
		/* the lost query: 40 bytes the server read */
		sc_pkt(&s, DIR_S2C, 2000, 1, "0001000a000000");
		sc_acked(&s, ahead ? 40 : 0);
		sc_pkt(&s, DIR_S2C, 2010, 2, "ff2604233233303030" "4475706c6963617465");
		sc_acked(&s, ahead ? 40 : 0);
		sc_gap(&s, DIR_C2S);
		sc_pkt(&s, DIR_C2S, 3000, 0, "0362");
		sc_pkt(&s, DIR_S2C, 3010, 1, "00000002000000");
		out = sc_run(&s, 0, true, NULL);
		CHECK_HAS(out, "\"query\":\"a\"");
		CHECK_HAS(out, "\"query\":\"b\"");
		if (ahead) {
			CHECK_NOT(out, "1062");
			CHECK_INT(count(out, "\n"), 2);
		} else {	/* not known to be lost: an idle ERR */
			CHECK_HAS(out, "\"status\":\"error\",\"error_code\":1062");
			CHECK_INT(count(out, "\n"), 3);
		}
		free(out);
		sc_free(&s);
	}
}

/* Capture begun inside a TLS session (a probe started after the handshake,
 * or a gap): every chunk is TLS records, "17 03 03" and a 2-byte length.
 * Read as a MySQL header that is a packet of 0x030317 bytes, sequence 0,
 * whose "command" is the low byte of the record's length: a TLS 1.3
 * record of 22 bytes (a 5-byte COM_PING or COM_QUIT inside) reads as
 * COM_STMT_PREPARE, of 23 as COM_STMT_EXECUTE, and a chunk of 512 bytes
 * or more starting with one was believed, so ciphertext became a record. */
TEST(mysql_midstream_tls_records)
{
	struct script	 s = { 0 };
	static uint8_t	 fill[200000];
	char		 hex[2 * 2000 + 1];
	char		*out;
	int		 i, round;

	memset(fill, 0x5a, sizeof fill);
	for (round = 0; round < 4; round++) {
		/* a 22- or 23-byte record, then one of 600 (0x258) */
		snprintf(hex, sizeof hex, "170303%04x", 22 + round % 2);
		for (i = 0; i < 22 + round % 2; i++)
			strcat(hex, "a5");
		strcat(hex, "1703030258");
		for (i = 0; i < 600; i++)
			strcat(hex, "5a");
		if (round >= 2) {
			/* in step before a gap in the client direction */
			sc_pkt(&s, DIR_C2S, 10, 0, "0378");	/* x */
			sc_pkt(&s, DIR_S2C, 20, 1, "00000002000000");
			sc_gap(&s, DIR_C2S);
		}
		sc_raw(&s, DIR_C2S, 100, hex);
		/* what follows fills the 0x030317-byte "packet" */
		buf_add(&sc_new(&s, DIR_C2S, 101)->b, fill, sizeof fill);
		sc_raw(&s, DIR_S2C, 110, "170303001a" "0102030405060708090a0b0c0d0e0f101112131415161718191a");
		sc_raw(&s, DIR_C2S, 200, hex);
		out = sc_run(&s, 0, round >= 2, NULL);
		CHECK_NOT(out, "stmt_prepare_query");
		CHECK_NOT(out, "stmt_id");
		CHECK_INT(count(out, "\n"), round >= 2 ? 1 : 0);
		free(out);
		sc_free(&s);
	}
}

/* Appends one packet of n bytes (header built here) to the last event. */
static void
sc_add_bin(struct script *s, uint8_t seq, const uint8_t *p, size_t n)
{
	uint8_t	h[4] = { (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16),
		    seq };

	buf_add(&s->ev[s->nev - 1].b, h, 4);
	buf_add(&s->ev[s->nev - 1].b, p, n);
}

/* A COM_STMT_EXECUTE of statement id with np LONG params v0, v0 + 1, ...,
 * the types sent only if bound (mysqlnd, libmariadb: first execute). */
static void
sc_exec_longs_id(struct script *s, int64_t ts, uint32_t id, unsigned np,
    bool bound, uint32_t v0)
{
	struct buf	b;
	unsigned	i;
	uint8_t		v[4];
	uint8_t		h[10] = { 0x17, (uint8_t)id, (uint8_t)(id >> 8),
			    (uint8_t)(id >> 16), (uint8_t)(id >> 24), 0x00,
			    0x01, 0x00, 0x00, 0x00 };

	buf_init(&b);
	buf_add(&b, h, sizeof h);
	for (i = 0; i < (np + 7) / 8; i++)
		buf_addc(&b, 0);			/* no NULLs */
	buf_addc(&b, bound ? 1 : 0);
	for (i = 0; bound && i < np; i++)
		buf_add(&b, "\x03\x00", 2);		/* LONG */
	for (i = 0; i < np; i++) {
		v[0] = (uint8_t)(v0 + i);
		v[1] = (uint8_t)((v0 + i) >> 8);
		v[2] = (uint8_t)((v0 + i) >> 16);
		v[3] = 0;
		buf_add(&b, v, 4);
	}
	sc_new(s, DIR_C2S, ts);
	sc_add_bin(s, 0, (const uint8_t *)b.p, b.len);
	buf_free(&b);
}

static void
sc_exec_longs(struct script *s, int64_t ts, unsigned np, bool bound,
    uint32_t v0)
{
	sc_exec_longs_id(s, ts, 9, np, bound, v0);
}

/* The types kept for a connection's statements are bounded (1 MB,
 * MYSQL_TYPES_BUDGET): 17 statements of 32768 parameters would keep
 * 1.1 MB, so the 17th's are not kept. Executed again without its types
 * it has no values; the first still decodes. */
TEST(mysql_types_budget)
{
	struct script	 s = { 0 };
	const unsigned	 np = 32768;
	uint8_t		 ok[12], def[64];
	size_t		 dn = test_unhex(COLDEF, def, sizeof def);
	unsigned	 k, i;
	char		*out;

	sc_login(&s, HS41);
	for (k = 1; k <= 17; k++) {
		memset(ok, 0, sizeof ok);
		ok[1] = (uint8_t)k;
		ok[7] = (uint8_t)np;
		ok[8] = (uint8_t)(np >> 8);
		sc_pkt(&s, DIR_C2S, 1000 * k, 0, "1678");
		sc_new(&s, DIR_S2C, 1000 * k + 10);
		sc_add_bin(&s, 1, ok, sizeof ok);
		for (i = 0; i < np; i++)
			sc_add_bin(&s, (uint8_t)(2 + i), def, dn);
		sc_add(&s, (uint8_t)(2 + np), EOF5);
		sc_exec_longs_id(&s, 1000 * k + 100, k, np, true, 1);
		sc_pkt(&s, DIR_S2C, 1000 * k + 110, 1, "00010002000000");
	}
	sc_exec_longs_id(&s, 50000, 1, np, false, 7);
	sc_pkt(&s, DIR_S2C, 50010, 1, "00010002000000");
	sc_exec_longs_id(&s, 60000, 17, np, false, 7);
	sc_pkt(&s, DIR_S2C, 60010, 1, "00010002000000");
	out = sc_run(&s, 0, true, NULL);
	CHECK_HAS(out, "\"stmt_id\":1,\"stmt_execute_values\":[7,8,9,");
	CHECK_HAS(out, "\"stmt_id\":17,\"stmt_execute_values\":[],");
	CHECK_INT(count(out, "parameter types unknown"), 1);
	CHECK_INT(count(out, "\n"), 36);
	free(out);
	sc_free(&s);
}

/* A statement of more than 4096 parameters (a multi-row INSERT batch from
 * PHP mysqli or a libmariadb program) executed again without its types:
 * only 4096 params' types were kept, so the second execute had
 * "parameter types unknown" and no values. */
TEST(mysql_many_params_types_kept)
{
	struct script	 s = { 0 };
	const unsigned	 np = 5000;
	uint8_t		 ok[12] = { 0x00, 0x09, 0, 0, 0, 0, 0,
			    (uint8_t)np, (uint8_t)(np >> 8), 0, 0, 0 };
	uint8_t		 def[64];
	size_t		 dn;
	unsigned	 i;
	char		*out;

	sc_login(&s, HS41);
	sc_pkt(&s, DIR_C2S, 1000, 0, "1678");		/* prepare "x" */
	sc_new(&s, DIR_S2C, 1010);
	sc_add_bin(&s, 1, ok, sizeof ok);
	dn = test_unhex(COLDEF, def, sizeof def);
	for (i = 0; i < np; i++)
		sc_add_bin(&s, (uint8_t)(2 + i), def, dn);
	sc_add(&s, (uint8_t)(2 + np), EOF5);
	sc_exec_longs(&s, 2000, np, true, 1);
	sc_pkt(&s, DIR_S2C, 2010, 1, "00010002000000");
	sc_exec_longs(&s, 3000, np, false, 10001);
	sc_pkt(&s, DIR_S2C, 3010, 1, "00010002000000");
	out = sc_run(&s, 0, true, NULL);
	CHECK_HAS(out, "\"stmt_id\":9,\"stmt_execute_values\":[1,2,3,");
	CHECK_HAS(out, ",4999,5000],\"seq_num\":0,\"command_id\":23,");
	CHECK_HAS(out, "\"stmt_id\":9,\"stmt_execute_values\":[10001,10002,");
	CHECK_HAS(out, ",14999,15000],\"seq_num\":0,\"command_id\":23,");
	CHECK_NOT(out, "values_error");
	CHECK_INT(count(out, "\n"), 3);
	free(out);
	sc_free(&s);
}

TEST(mysql_utf8_partial)
{
	CHECK_INT((int)mysql_utf8_partial("abc", 3), 0);
	CHECK_INT((int)mysql_utf8_partial("", 0), 0);
	CHECK_INT((int)mysql_utf8_partial("a\xc3", 2), 1);
	CHECK_INT((int)mysql_utf8_partial("a\xc3\xa9", 3), 0);
	CHECK_INT((int)mysql_utf8_partial("\xe2\x98", 2), 2);
	CHECK_INT((int)mysql_utf8_partial("\xe2\x98\x83", 3), 0);
	CHECK_INT((int)mysql_utf8_partial("x\xf0\x9f\x98", 4), 3);
	CHECK_INT((int)mysql_utf8_partial("\xf0\x9f\x98\x80", 4), 0);
	/* not UTF-8 (latin1 bytes): left alone */
	CHECK_INT((int)mysql_utf8_partial("\xa9\xa9\xa9\xa9", 4), 0);
	CHECK_INT((int)mysql_utf8_partial("ab\xff", 3), 0);
}

/* A prepared statement's text is kept to 4096 bytes for its executes'
 * stmt_query, and a COM_QUERY to 1 MB: a cut through a multibyte
 * character left its first bytes, written as U+FFFD at the text's end. */
TEST(mysql_text_cut_on_character)
{
	struct script	 s = { 0 };
	struct buf	 b;
	uint8_t		 ok[12] = { 0x00, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	size_t		 i;
	char		*out;

	sc_login(&s, HS41);
	/* prepare "a" and 2100 é's: the first 4096 bytes end inside the
	 * 2048th é */
	buf_init(&b);
	buf_add(&b, "\x16" "a", 2);
	for (i = 0; i < 2100; i++)
		buf_add(&b, "\xc3\xa9", 2);
	sc_new(&s, DIR_C2S, 1000);
	sc_add_bin(&s, 0, (const uint8_t *)b.p, b.len);
	sc_new(&s, DIR_S2C, 1010);
	sc_add_bin(&s, 1, ok, sizeof ok);
	sc_pkt(&s, DIR_C2S, 2000, 0, "17070000000001000000");
	sc_pkt(&s, DIR_S2C, 2010, 1, "00000002000000");
	/* a COM_QUERY of 1 MB + 13 bytes: "bb", then é's; the kept 1 MB - 1
	 * bytes of text end inside one */
	buf_reset(&b);
	buf_add(&b, "\x03" "bb", 3);
	while (b.len < (1u << 20) + 12)
		buf_add(&b, "\xc3\xa9", 2);
	sc_new(&s, DIR_C2S, 3000);
	sc_add_bin(&s, 0, (const uint8_t *)b.p, b.len);
	sc_pkt(&s, DIR_S2C, 3010, 1, "00000002000000");
	buf_free(&b);
	out = sc_run(&s, 0, true, NULL);
	CHECK_NOT(out, "\\ufffd");
	/* 4096 bytes: "a", 2047 é's (4094), and not the first byte of one */
	CHECK_HAS(out, "\xc3\xa9\",\"response_first_us\":10,");
	CHECK(strstr(out, "\"stmt_query\":\"a\xc3\xa9") != NULL);
	{
		const char *q = strstr(out, "\"stmt_query\":\"");
		const char *e = q != NULL ? strchr(q + 14, '"') : NULL;

		CHECK(e != NULL && e - (q + 14) == 4095);
	}
	/* 1048589 bytes, 1048576 kept, less the half é */
	CHECK_HAS(out, "\"truncated_bytes\":14,");
	CHECK_INT(count(out, "\n"), 3);
	free(out);
	sc_free(&s);
}

/* A gap inside a compressed result: the frames after it go on in the
 * middle of a packet. Their bytes were read as a packet header of
 * megabytes (here 0x414141) that swallowed the responses after it, so
 * every later request of the session had no response keys. A frame is
 * taken again once one begins with a packet that fits. */
TEST(mysql_compressed_gap_mid_packet)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41_Z);
	sc_new(&s, DIR_C2S, 10000);
	sc_zframe(&s, 0, "14000000" Q_POSTS);
	sc_new(&s, DIR_S2C, 10100);
	sc_zframe(&s, 1, "0100000101" "19000002" COLDEF "0500000330");
	sc_gap(&s, DIR_S2C);
	/* the rest of a long row, then the EOF */
	sc_new(&s, DIR_S2C, 10300);
	sc_zframe(&s, 5, "41414141414141414141414141414141" "07000005fe000002000000");
	sc_new(&s, DIR_C2S, 20000);
	sc_zframe(&s, 0, "020000000361");
	sc_new(&s, DIR_S2C, 20100);
	sc_zframe(&s, 1, "0700000100010002000000");
	sc_new(&s, DIR_C2S, 30000);
	sc_zframe(&s, 0, "020000000362");
	sc_new(&s, DIR_S2C, 30100);
	sc_zframe(&s, 1, "0700000100020002000000");
	out = sc_run(&s, 0, true, NULL);
	CHECK_HAS(out, "\"query\":\"a\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":1,");
	CHECK_HAS(out, "\"query\":\"b\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":2,");
	CHECK_INT(count(out, "\n"), 3);
	free(out);
	sc_free(&s);
}

/* MySQL2 for Node.js writes a compressed frame's header and its body in
 * two segments. In a capture begun after the handshake the first client
 * chunk was then a lone header (or, cut between the two, a body that reads
 * as a packet), compression was never noticed, and no response was
 * decoded; after a gap in the client direction no lone header was taken
 * for a frame's start, and no request was decoded again. */
TEST(mysql_compressed_split_header_midstream)
{
	struct script	 s = { 0 };
	char		*out;
	int		 round;

	for (round = 0; round < 3; round++) {
		if (round < 2) {
			/* header, then body: an uncompressed frame of
			 * COM_QUERY "a" */
			if (round == 0)
				sc_raw(&s, DIR_C2S, 100, "06000000000000");
			sc_raw(&s, DIR_C2S, 101, "020000000361");
		} else {
			/* in step, then a gap; a lone header after it */
			sc_login(&s, HS41_Z);
			sc_new(&s, DIR_C2S, 50);
			sc_zframe(&s, 0, "020000000378");
			sc_new(&s, DIR_S2C, 60);
			sc_zframe(&s, 1, "0700000100090002000000");
			sc_gap(&s, DIR_C2S);
			sc_raw(&s, DIR_C2S, 100, "06000003000000");
			sc_raw(&s, DIR_C2S, 101, "020000000361");
		}
		sc_new(&s, DIR_S2C, 200);
		sc_zframe(&s, 1, "0700000100010002000000");
		sc_raw(&s, DIR_C2S, 300, "06000000000000");
		sc_raw(&s, DIR_C2S, 301, "020000000362");
		sc_new(&s, DIR_S2C, 400);
		sc_zframe(&s, 1, "0700000100020002000000");
		out = sc_run(&s, 0, round == 2, NULL);
		CHECK_HAS(out, "\"query\":\"a\",\"seq_num\":0,\"command_id\":3,");
		CHECK_HAS(out, "\"response_first_us\":99,\"response_last_us\":99,\"status\":\"ok\",\"affected_rows\":1,");
		CHECK_HAS(out, "\"query\":\"b\",\"seq_num\":0,\"command_id\":3,");
		CHECK_HAS(out, "\"response_first_us\":99,\"response_last_us\":99,\"status\":\"ok\",\"affected_rows\":2,");
		CHECK_INT(count(out, "\n"), round == 2 ? 3 : 2);
		free(out);
		sc_free(&s);
	}
}

/* MySQL2 for Node.js asks for CLIENT_QUERY_ATTRIBUTES whatever the server
 * offers; MariaDB never takes them. With the greeting missed (a capture
 * begun during the handshake) the client's word was taken, executes were
 * read in the attributes layout, and their values were lost without a
 * values_error. */
TEST(mysql_query_attributes_client_only)
{
	struct script	 s = { 0 };
	char		*out;

	/* the handshake response with bit 27 set, no greeting */
	sc_pkt(&s, DIR_C2S, 2000, 1, HS41);
	memcpy(s.ev[0].b.p + 4, "\x8d\xa6\x0f\x08", 4);
	sc_pkt(&s, DIR_S2C, 3000, 2, OK_AUTH);
	sc_prepare(&s, 4000, 7, 2);
	sc_pkt(&s, DIR_C2S, 5000, 0, "17070000000001000000" "00" "01" "0300fe00" "05000000" "026162");
	sc_pkt(&s, DIR_S2C, 5010, 1, "00000002000000");
	sc_pkt(&s, DIR_C2S, 6000, 0, "030001" "73656c6563742031");
	sc_pkt(&s, DIR_S2C, 6010, 1, "00000002000000");
	sc_pkt(&s, DIR_C2S, 7000, 0, "0373656c6563742032");
	sc_pkt(&s, DIR_S2C, 7010, 1, "00000002000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_execute_values\":[5,\"ab\"],");
	CHECK_NOT(out, "values_error");
	/* the query's shape still tells a block when there is one */
	CHECK_HAS(out, "\"query\":\"select 1\",");
	CHECK_HAS(out, "\"query\":\"select 2\",");
	free(out);
	sc_free(&s);
}

/* A capture begun in an uncompressed session: when the first request's
 * packet could be a stored frame's body, the server's first chunk decides.
 * The tail of an earlier binary result (rows start 00 and a NULL bitmap)
 * reads as a stored frame's header; it must not turn compression on. */
TEST(mysql_midstream_not_compressed)
{
	struct script	 s = { 0 };
	char		*out;

	sc_pkt(&s, DIR_C2S, 100, 0, "0378");
	sc_raw(&s, DIR_S2C, 150, "0a000005000000030000070102");
	sc_pkt(&s, DIR_S2C, 200, 1, "00050002000000");
	sc_pkt(&s, DIR_C2S, 300, 0, "0379");
	sc_pkt(&s, DIR_S2C, 400, 1, "00060002000000");
	out = sc_run(&s, 0, false, NULL);
	CHECK_HAS(out, "\"query\":\"x\",\"seq_num\":0,\"command_id\":3,\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":5,");
	CHECK_HAS(out, "\"query\":\"y\",\"seq_num\":0,\"command_id\":3,\"response_first_us\":100,\"response_last_us\":100,\"status\":\"ok\",\"affected_rows\":6,");
	free(out);
	sc_free(&s);
}

/* ---------------------------------------------------------------------
 * The client character set after the handshake
 */

/* A client command cmd with the raw bytes of t. */
static void
sc_cmd(struct script *s, int64_t ts, uint8_t cmd, const char *t)
{
	uint8_t	b[512];
	size_t	n = strlen(t);

	b[0] = cmd;
	memcpy(b + 1, t, n);
	sc_new(s, DIR_C2S, ts);
	sc_add_bin(s, 0, b, n + 1);
}

#define OK_PLAIN	"00000002000000"
/* SJIS "SELECT 'ソ表'" (both second bytes are backslashes) */
#define SJIS_Q		"SELECT '\x83\x5c\x95\x5c'"
#define SJIS_OUT	"SELECT 'ソ表'"
/* EUC-JP "SELECT '日本'" */
#define EUCJP_Q		"SELECT '\xc6\xfc\xcb\xdc'"
#define UTF8_Q		"SELECT '\xc3\xa4 \xe6\x97\xa5\xe6\x9c\xac'"
#define UTF8_OUT	"SELECT 'ä 日本'"
/* the server's OK for SET NAMES x with session tracking (MariaDB: each
 * variable in an entry of its own) */
static void
sc_ok_track(struct script *s, int64_t ts, const char *cs)
{
	static const char *const vars[] = { "character_set_connection",
	    "character_set_client", "character_set_results" };
	uint8_t		b[256], st[200];
	size_t		n = 0, sn = 0, vl, cl = strlen(cs);
	unsigned	i;

	for (i = 0; i < 3; i++) {
		vl = strlen(vars[i]);
		st[sn++] = 0;			/* SYSTEM_VARIABLES */
		st[sn++] = (uint8_t)(1 + vl + 1 + cl);
		st[sn++] = (uint8_t)vl;
		memcpy(st + sn, vars[i], vl);
		sn += vl;
		st[sn++] = (uint8_t)cl;
		memcpy(st + sn, cs, cl);
		sn += cl;
	}
	memcpy(b, "\x00\x00\x00\x02\x40\x00\x00\x00", 8);	/* info "" */
	n = 8;
	b[n++] = (uint8_t)sn;
	memcpy(b + n, st, sn);
	n += sn;
	sc_new(s, DIR_S2C, ts);
	sc_add_bin(s, 1, b, n);
}

/* A latin1 client (the handshake's) that sends SET NAMES: its later texts
 * are read in the new charset once the server says OK; a failed SET
 * changes nothing. Before, every text was read in latin1 (bytes as they
 * are): Shift_JIS came out as U+FFFD. */
TEST(mysql_charset_set_names)
{
	struct script	 s = { 0 };
	char		*out, *meta;

	sc_login(&s, HS41);				/* latin1 */
	sc_cmd(&s, 10000, 3, "SET NAMES sjis");
	sc_pkt(&s, DIR_S2C, 10010, 1, OK_PLAIN);
	sc_cmd(&s, 11000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 11010, 1, OK_PLAIN);
	/* ER_UNKNOWN_CHARACTER_SET */
	sc_cmd(&s, 12000, 3, "SET NAMES nosuch");
	sc_pkt(&s, DIR_S2C, 12010, 1, "ff5b04233432303030556e6b6e6f776e");
	sc_cmd(&s, 13000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 13010, 1, OK_PLAIN);
	/* known but refused (ucs2 cannot be a client charset) */
	sc_cmd(&s, 14000, 3, "SET NAMES ucs2");
	sc_pkt(&s, DIR_S2C, 14010, 1, "ff1d0423343230303043616e2774");
	sc_cmd(&s, 15000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 15010, 1, OK_PLAIN);
	sc_cmd(&s, 16000, 3, "/*!40101 SET NAMES utf8mb4 */");
	sc_pkt(&s, DIR_S2C, 16010, 1, OK_PLAIN);
	sc_cmd(&s, 17000, 3, UTF8_Q);
	sc_pkt(&s, DIR_S2C, 17010, 1, OK_PLAIN);
	out = sc_run_all(&s, &meta);
	/* the SET's own text was read in the charset before it */
	CHECK_HAS(out, "\"query\":\"SET NAMES sjis\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",");
	CHECK_HAS(out, "\"query\":\"" SJIS_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"sjis\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,");
	CHECK_INT(count(out, "\"query\":\"" SJIS_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"sjis\""), 3);
	CHECK_HAS(out, "\"query\":\"SET NAMES nosuch\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"sjis\",");
	CHECK_HAS(out, "\"query\":\"" UTF8_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8mb4\",");
	CHECK_NOT(out, "\\ufffd");
	CHECK_STR(meta, "{\"character_set\":\"utf8mb4\",\"username\":\"pam\",\"database\":\"test\"}\n");
	free(out);
	free(meta);
	sc_free(&s);
}

/* A Shift_JIS handshake, then SET NAMES utf8mb4 (and DEFAULT, the
 * server's: its greeting says latin1): UTF-8 texts read as Shift_JIS were
 * mojibake. The string values of an execute follow too. */
TEST(mysql_charset_from_sjis)
{
	struct script	 s = { 0 };
	char		 hs[sizeof HS41];
	char		*out;

	strcpy(hs, HS41);
	memcpy(hs + 16, "0d", 2);			/* sjis */
	sc_login(&s, hs);
	sc_cmd(&s, 10000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 10010, 1, OK_PLAIN);
	sc_cmd(&s, 11000, 3, "set character_set_client = 'utf8mb4'");
	sc_pkt(&s, DIR_S2C, 11010, 1, OK_PLAIN);
	sc_cmd(&s, 12000, 3, UTF8_Q);
	sc_pkt(&s, DIR_S2C, 12010, 1, OK_PLAIN);
	/* an execute's string value: "ä" */
	sc_prepare(&s, 13000, 7, 1);
	sc_pkt(&s, DIR_C2S, 14000, 0, "17070000000001000000" "00" "01" "fe00" "02c3a4");
	sc_pkt(&s, DIR_S2C, 14010, 1, OK_PLAIN);
	sc_cmd(&s, 15000, 3, "SET NAMES DEFAULT");
	sc_pkt(&s, DIR_S2C, 15010, 1, OK_PLAIN);
	sc_cmd(&s, 16000, 3, UTF8_Q);
	sc_pkt(&s, DIR_S2C, 16010, 1, OK_PLAIN);
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"" SJIS_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"sjis\",");
	CHECK_HAS(out, "\"query\":\"" UTF8_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8mb4\",");
	CHECK_HAS(out, "\"stmt_execute_values\":[\"ä\"],\"seq_num\":0,\"command_id\":23,\"character_set\":\"utf8mb4\",");
	CHECK_HAS(out, "\"query\":\"SET NAMES DEFAULT\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8mb4\",");
	CHECK_HAS(out, "\"query\":\"" UTF8_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",");
	free(out);
	sc_free(&s);
}

/* COM_CHANGE_USER carries a charset (4.1: two bytes after the database);
 * COM_RESET_CONNECTION goes back to the handshake's, or the last
 * COM_CHANGE_USER's (MariaDB 10.11, checked). A failed one changes
 * nothing. */
TEST(mysql_charset_change_user_reset)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);				/* latin1 */
	sc_cmd(&s, 10000, 3, "SET NAMES sjis");
	sc_pkt(&s, DIR_S2C, 10010, 1, OK_PLAIN);
	sc_pkt(&s, DIR_C2S, 11000, 0, "1f");
	sc_pkt(&s, DIR_S2C, 11010, 1, OK_PLAIN);
	sc_cmd(&s, 12000, 3, "SELECT 1");
	sc_pkt(&s, DIR_S2C, 12010, 1, OK_PLAIN);
	/* bob, db2, ujis (12), then the plugin; an auth switch */
	sc_pkt(&s, DIR_C2S, 13000, 0, "11626f6200" "0100" "64623200" "0c00" "6d7973716c5f6e61746976655f70617373776f726400");
	sc_pkt(&s, DIR_S2C, 13010, 1, "fe6d7973716c5f6e61746976655f70617373776f726400");
	sc_pkt(&s, DIR_C2S, 13020, 2, "0102");
	sc_pkt(&s, DIR_S2C, 13030, 3, OK_PLAIN);
	sc_cmd(&s, 14000, 3, EUCJP_Q);
	sc_pkt(&s, DIR_S2C, 14010, 1, OK_PLAIN);
	sc_cmd(&s, 15000, 3, "SET NAMES sjis");
	sc_pkt(&s, DIR_S2C, 15010, 1, OK_PLAIN);
	sc_pkt(&s, DIR_C2S, 16000, 0, "1f");
	sc_pkt(&s, DIR_S2C, 16010, 1, OK_PLAIN);
	sc_cmd(&s, 17000, 3, EUCJP_Q);
	sc_pkt(&s, DIR_S2C, 17010, 1, OK_PLAIN);
	/* refused: sjis stays (the session too) */
	sc_cmd(&s, 18000, 3, "SET NAMES sjis");
	sc_pkt(&s, DIR_S2C, 18010, 1, OK_PLAIN);
	sc_pkt(&s, DIR_C2S, 19000, 0, "11626f6200" "0100" "64623200" "2100" "6d7973716c5f6e61746976655f70617373776f726400");
	sc_pkt(&s, DIR_S2C, 19010, 1, "ff1504233238303030416363657373");
	sc_cmd(&s, 20000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 20010, 1, OK_PLAIN);
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"SELECT 1\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",");
	CHECK_INT(count(out, "\"query\":\"SELECT '日本'\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"ujis\",\"username\":\"bob\",\"database\":\"db2\""), 2);
	CHECK_HAS(out, "\"query\":\"" SJIS_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"sjis\",\"username\":\"bob\",");
	free(out);
	sc_free(&s);
}

/* With CLIENT_SESSION_TRACK the server's OK says what character_set_client
 * became: taken over our reading of the request (a procedure that runs
 * SET NAMES, a SET from a user variable as mysqldump's restores). A name
 * we do not know leaves the charset as it was. */
TEST(mysql_charset_session_track)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41_57);				/* utf8, tracking */
	sc_cmd(&s, 10000, 3, "CALL set_sjis()");
	sc_ok_track(&s, 10010, "sjis");
	sc_cmd(&s, 11000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 11010, 1, OK_PLAIN);
	sc_cmd(&s, 12000, 3, "SET character_set_client = @saved");
	sc_ok_track(&s, 12010, "utf8mb3");
	sc_cmd(&s, 13000, 3, UTF8_Q);
	sc_pkt(&s, DIR_S2C, 13010, 1, OK_PLAIN);
	/* the server's word over the text's */
	sc_cmd(&s, 14000, 3, "SET NAMES ujis");
	sc_ok_track(&s, 14010, "sjis");
	sc_cmd(&s, 15000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 15010, 1, OK_PLAIN);
	sc_cmd(&s, 16000, 3, "SET NAMES utf8mb4");
	sc_ok_track(&s, 16010, "nosuch");
	sc_cmd(&s, 17000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 17010, 1, OK_PLAIN);
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"CALL set_sjis()\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",");
	CHECK_INT(count(out, "\"query\":\"" SJIS_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"sjis\","), 3);
	CHECK_HAS(out, "\"query\":\"" UTF8_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"utf8\",");
	CHECK_HAS(out, "\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"affected_rows\":0,\"last_insert_id\":0,\"warnings\":0}");
	free(out);
	sc_free(&s);
}

/* A capture begun after the handshake: no character_set key until a
 * change says one; from its OK on, texts are read in it. */
TEST(mysql_charset_midstream)
{
	struct script	 s = { 0 };
	char		*out, *meta;

	sc_cmd(&s, 10000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 10010, 1, OK_PLAIN);
	sc_cmd(&s, 11000, 3, "SET NAMES 'sjis' COLLATE 'sjis_bin'");
	sc_pkt(&s, DIR_S2C, 11010, 1, OK_PLAIN);
	sc_cmd(&s, 12000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 12010, 1, OK_PLAIN);
	out = sc_run_all(&s, &meta);
	CHECK_HAS(out, "\"query\":\"SELECT '\\ufffd\\\\\\ufffd\\\\'\",\"seq_num\":0,\"command_id\":3,\"response_first_us\":10,");
	CHECK_HAS(out, "\"query\":\"SET NAMES 'sjis' COLLATE 'sjis_bin'\",\"seq_num\":0,\"command_id\":3,\"response_first_us\":10,");
	CHECK_HAS(out, "\"query\":\"" SJIS_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"sjis\",\"response_first_us\":10,");
	CHECK_STR(meta, "{\"character_set\":\"sjis\"}\n");
	free(out);
	free(meta);
	sc_free(&s);
}

/* A multi-statement stops at its first error: the SETs before it were
 * made, those after it not. */
TEST(mysql_charset_multi_statement)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);				/* latin1 */
	sc_cmd(&s, 10000, 3, "SET NAMES sjis; SELECT nosuch");
	sc_pkt(&s, DIR_S2C, 10010, 1, "0000000a000000");	/* more results */
	sc_add(&s, 2, "ff4004233432533232556e6b6e6f776e");
	sc_cmd(&s, 11000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 11010, 1, OK_PLAIN);
	sc_cmd(&s, 12000, 3, "SELECT nosuch; SET NAMES utf8mb4");
	sc_pkt(&s, DIR_S2C, 12010, 1, "ff4004233432533232556e6b6e6f776e");
	sc_cmd(&s, 13000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 13010, 1, OK_PLAIN);
	sc_cmd(&s, 14000, 3, "SELECT 'SET NAMES utf8mb4'; SET NAMES ujis");
	sc_pkt(&s, DIR_S2C, 14010, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, "fe00000a00");
	sc_add(&s, 4, ROW1);
	sc_add(&s, 5, "fe00000a00");
	sc_add(&s, 6, OK_PLAIN);
	sc_cmd(&s, 15000, 3, EUCJP_Q);
	sc_pkt(&s, DIR_S2C, 15010, 1, OK_PLAIN);
	out = sc_run_all(&s, NULL);
	CHECK_INT(count(out, "\"query\":\"" SJIS_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"sjis\","), 2);
	CHECK_HAS(out, "\"query\":\"SELECT '日本'\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"ujis\",");
	free(out);
	sc_free(&s);
}

/* Requests sent before the SET's answer (a pipeline) run after it: they
 * are read in the new charset, and their records say so. A prepared
 * SET NAMES changes it when executed. */
TEST(mysql_charset_pipelined_prepared)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);				/* latin1 */
	sc_cmd(&s, 10000, 3, "SET NAMES sjis");
	sc_add_bin(&s, 0, (const uint8_t *)"\x03" SJIS_Q, sizeof SJIS_Q);
	sc_pkt(&s, DIR_S2C, 10010, 1, OK_PLAIN);
	sc_add(&s, 1, OK_PLAIN);
	/* prepare SET NAMES ujis: id 5, no columns, no params */
	sc_cmd(&s, 11000, 0x16, "SET NAMES ujis");
	sc_pkt(&s, DIR_S2C, 11010, 1, "000500000000000000000000");
	sc_cmd(&s, 12000, 3, SJIS_Q);
	sc_pkt(&s, DIR_S2C, 12010, 1, OK_PLAIN);
	sc_pkt(&s, DIR_C2S, 13000, 0, "17050000000001000000");
	sc_pkt(&s, DIR_S2C, 13010, 1, OK_PLAIN);
	sc_cmd(&s, 14000, 3, EUCJP_Q);
	sc_pkt(&s, DIR_S2C, 14010, 1, OK_PLAIN);
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"query\":\"SET NAMES sjis\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"latin1\",");
	CHECK_INT(count(out, "\"query\":\"" SJIS_OUT "\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"sjis\","), 2);
	CHECK_HAS(out, "\"stmt_id\":5,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"sjis\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"SET NAMES ujis\",");
	CHECK_HAS(out, "\"query\":\"SELECT '日本'\",\"seq_num\":0,\"command_id\":3,\"character_set\":\"ujis\",");
	free(out);
	sc_free(&s);
}

/* ---------------------------------------------------------------------
 * Cursors (COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY, COM_STMT_FETCH)
 */

#define EOF_CURSOR	"fe00004200"	/* SERVER_STATUS_CURSOR_EXISTS */
#define EOF_LAST	"fe0000c200"	/* and SERVER_STATUS_LAST_ROW_SENT */
#define BROW		"000031"
#define ERR_NOCURSOR	"ff8d052348593030305468652073746174656d656e742028372920686173206e6f206f70656e20637572736f72"

/* An execute that opens a cursor answers the column definitions only:
 * its record said rows 0 (a SELECT that found nothing) and the fetches
 * that read the rows wrote nothing. Now the execute says cursor true and
 * each fetch is a record: the rows it got and whether the cursor is
 * exhausted, or the error (no open cursor, unknown statement). */
TEST(mysql_cursor_fetch)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41);
	sc_prepare(&s, 10000, 7, 0);			/* "x" */
	sc_pkt(&s, DIR_C2S, 11000, 0, "17070000000101000000");
	sc_pkt(&s, DIR_S2C, 11010, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF_CURSOR);
	sc_pkt(&s, DIR_C2S, 12000, 0, "1c0700000002000000");
	sc_pkt(&s, DIR_S2C, 12010, 1, BROW);
	sc_add(&s, 2, BROW);
	sc_add(&s, 3, EOF_CURSOR);
	sc_pkt(&s, DIR_C2S, 13000, 0, "1c0700000002000000");
	sc_pkt(&s, DIR_S2C, 13010, 1, BROW);
	sc_add(&s, 2, EOF_LAST);
	/* after the last row the server closed it */
	sc_pkt(&s, DIR_C2S, 14000, 0, "1c0700000002000000");
	sc_pkt(&s, DIR_S2C, 14010, 1, ERR_NOCURSOR);
	/* an unknown statement */
	sc_pkt(&s, DIR_C2S, 15000, 0, "1c6300000001000000");
	sc_pkt(&s, DIR_S2C, 15010, 1, "ffdb042348593030305568");
	/* executed again, reset before the end, fetched: refused */
	sc_pkt(&s, DIR_C2S, 16000, 0, "17070000000101000000");
	sc_pkt(&s, DIR_S2C, 16010, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF_CURSOR);
	sc_pkt(&s, DIR_C2S, 17000, 0, "1c07000000ffffffff");
	sc_pkt(&s, DIR_S2C, 17010, 1, BROW);
	sc_add(&s, 2, EOF_CURSOR);
	sc_pkt(&s, DIR_C2S, 18000, 0, "1a07000000");
	sc_pkt(&s, DIR_S2C, 18010, 1, OK_PLAIN);
	sc_pkt(&s, DIR_C2S, 19000, 0, "1c0700000002000000");
	sc_pkt(&s, DIR_S2C, 19010, 1, ERR_NOCURSOR);
	/* a plain execute: no cursor key */
	sc_pkt(&s, DIR_C2S, 20000, 0, "17070000000001000000");
	sc_pkt(&s, DIR_S2C, 20010, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, EOF5);
	sc_add(&s, 4, BROW);
	sc_add(&s, 5, EOF5);
	out = sc_run_all(&s, NULL);
	CHECK_INT(count(out, "\"stmt_id\":7,\"stmt_execute_values\":[],\"seq_num\":0,\"command_id\":23,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":0,\"warnings\":0,\"cursor\":true}\n"), 2);
	CHECK_HAS(out, "{\"ts\":\"1970-01-01T00:00:00.012Z\",\"src_addr\":\"127.0.0.1:50000\",\"dst_addr\":\"127.0.0.1:3306\",\"stmt_id\":7,\"stmt_fetch_rows\":2,\"seq_num\":0,\"command_id\":28,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":2,\"warnings\":0,\"cursor_exhausted\":false}\n");
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_fetch_rows\":2,\"seq_num\":0,\"command_id\":28,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":1,\"warnings\":0,\"cursor_exhausted\":true}\n");
	CHECK_INT(count(out, "\"stmt_id\":7,\"stmt_fetch_rows\":2,\"seq_num\":0,\"command_id\":28,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"stmt_query\":\"x\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"error\",\"error_code\":1421,\"sql_state\":\"HY000\",\"error_message\":\"The statement (7) has no open cursor\"}\n"), 2);
	CHECK_HAS(out, "\"stmt_id\":99,\"stmt_fetch_rows\":1,\"seq_num\":0,\"command_id\":28,\"character_set\":\"latin1\",\"username\":\"pam\",\"database\":\"test\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"error\",\"error_code\":1243,");
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_fetch_rows\":4294967295,\"seq_num\":0,\"command_id\":28,");
	CHECK_HAS(out, "\"stmt_query\":\"x\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":1,\"warnings\":0}\n");
	CHECK_INT(count(out, "\n"), 10);
	free(out);
	sc_free(&s);
}

/* With CLIENT_DEPRECATE_EOF the cursor's status comes in OKs (0xfe, 7+
 * bytes). A fetch cut by a gap has no response keys. */
TEST(mysql_cursor_deprecate_eof)
{
	struct script	 s = { 0 };
	char		*out;

	sc_login(&s, HS41_D);
	sc_prepare(&s, 10000, 7, 0);
	sc_pkt(&s, DIR_C2S, 11000, 0, "17070000000101000000");
	sc_pkt(&s, DIR_S2C, 11010, 1, "01");
	sc_add(&s, 2, COLDEF);
	sc_add(&s, 3, "fe000042000000");
	sc_pkt(&s, DIR_C2S, 12000, 0, "1c0700000005000000");
	sc_pkt(&s, DIR_S2C, 12010, 1, BROW);
	sc_add(&s, 2, BROW);
	sc_add(&s, 3, "fe0000c2000000");
	sc_pkt(&s, DIR_C2S, 13000, 0, "1c0700000005000000");
	out = sc_run_all(&s, NULL);
	CHECK_HAS(out, "\"stmt_query\":\"x\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":0,\"warnings\":0,\"cursor\":true}\n");
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_fetch_rows\":5,\"seq_num\":0,\"command_id\":28,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"stmt_query\":\"x\",\"response_first_us\":10,\"response_last_us\":10,\"status\":\"ok\",\"rows\":2,\"warnings\":0,\"cursor_exhausted\":true}\n");
	CHECK_HAS(out, "\"stmt_id\":7,\"stmt_fetch_rows\":5,\"seq_num\":0,\"command_id\":28,\"character_set\":\"utf8\",\"username\":\"root\",\"database\":\"testdb\",\"stmt_query\":\"x\"}\n");
	free(out);
	sc_free(&s);
}
