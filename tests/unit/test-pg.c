/* test-pg.c - the pg decoder: upstream vectors (SPEC §7.1), every request
 * and response message, errors in the extended protocol, pipelining,
 * COPY, TLS, mid-stream pickup, gaps and malformed input. Every script is
 * also fed split at every point of every step and byte by byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "pgtest.h"
#include "test.h"

#define C	DIR_C2S
#define S	DIR_S2C

#define ADDR_C	"\"src_addr\":\"127.0.0.1:50000\",\"dst_addr\":\"127.0.0.1:5432\""

#define UP_STARTUP "000000640003000065787472615f666c6f61745f6469676974730032" \
	"007573657200706f7374677265730064617461626173650074657374646200636c" \
	"69656e745f656e636f64696e67005554463800646174657374796c650049534f2c" \
	"204d44590000"
#define UP_QUERY "510000001953454c454354202a2046524f4d2075736572733b00"
#define UP_PARSE "50000000340053454c45435420434f4e4341542824313a3a746578742c" \
	"2024323a3a746578742c2024333a3a74657874293b000000440000000653005300" \
	"000004"
#define UP_BIND "420000003f000000000003000000093031323334353637390000001ee3" \
	"8182e38184e38186e38188e3818ae3818be3818de3818fe38191e381930000000000" \
	"00450000000900000000005300000004"

static size_t
count(const char *hay, const char *needle)
{
	size_t	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

#define CHECK_HAS(o, s) do {						\
	if (strstr((o), (s)) == NULL)					\
		test_fail(__FILE__, __LINE__, "missing %s in:\n%s", (s), (o)); \
} while (0)
#define CHECK_NOT(o, s) do {						\
	if (strstr((o), (s)) != NULL)					\
		test_fail(__FILE__, __LINE__, "unexpected %s in:\n%s", (s), (o)); \
} while (0)

static void
srv_ready(char tx)
{
	s_msg('Z'); s_u8((uint8_t)tx); s_end();
}

static void
srv_tag(const char *tag)
{
	s_msg('C'); s_cstr(tag); s_end();
}

static void
srv_rowdesc(void)
{
	s_msg('T'); s_be16(1); s_cstr("x"); s_be32(0); s_be16(0);
	s_be32(23); s_be16(4); s_be32(0xffffffff); s_be16(0); s_end();
}

static void
srv_row(const char *v)
{
	s_msg('D'); s_be16(1); s_be32((uint32_t)strlen(v)); s_raw(v, strlen(v));
	s_end();
}

static void
srv_error(const char *code, const char *msg)
{
	s_msg('E');
	s_u8('S'); s_cstr("ERREUR");
	s_u8('V'); s_cstr("ERROR");
	s_u8('C'); s_cstr(code);
	s_u8('M'); s_cstr(msg);
	s_u8(0);
	s_end();
}

TEST(pg_upstream_startup)
{
	const char *o;

	s_reset();
	s_step(C); s_hex(UP_STARTUP);
	s_step(S); s_msg('R'); s_be32(0); s_end(); srv_ready('I');
	s_step(C); s_hex(UP_QUERY);
	s_step(S); srv_rowdesc(); srv_row("1"); srv_tag("SELECT 1"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_STR(o, "{\"ts\":\"1970-01-01T00:00:00.003Z\"," ADDR_C
	    ",\"query\":\"SELECT * FROM users;\",\"message_type\":\"Q\","
	    "\"username\":\"postgres\",\"database\":\"testdb\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,\"rows\":1,"
	    "\"command_tag\":\"SELECT 1\",\"tx_status\":\"idle\","
	    "\"status\":\"ok\"}\n");
	CHECK_INT(pgt_stats()->requests, 1);
	CHECK_INT(pgt_stats()->decode_errors, 0);
	CHECK_INT(pgt_stats()->skipped, 0);
}

TEST(pg_upstream_extended)
{
	const char *o;

	s_reset();
	s_step(C); s_hex(UP_PARSE);
	s_step(S);
	s_msg('1'); s_end();
	s_msg('t'); s_be16(3); s_be32(25); s_be32(25); s_be32(25); s_end();
	srv_rowdesc();
	srv_ready('I');
	s_step(C); s_hex(UP_BIND);
	s_step(S);
	s_msg('2'); s_end();
	srv_row("012345679あいうえおかきくけこ");
	srv_tag("SELECT 1");
	srv_ready('I');
	o = PGT_SPLITS();
	CHECK_STR(o,
	    "{\"ts\":\"1970-01-01T00:00:00.001Z\"," ADDR_C ",\"stmt_name\":\"\","
	    "\"parse_query\":\"SELECT CONCAT($1::text, $2::text, $3::text);\","
	    "\"message_type\":\"P\",\"response_first_us\":1000,"
	    "\"response_last_us\":1000,\"status\":\"ok\"}\n"
	    "{\"ts\":\"1970-01-01T00:00:00.003Z\"," ADDR_C ",\"portal_name\":\"\","
	    "\"stmt_name\":\"\",\"bind_values\":[\"012345679\","
	    "\"あいうえおかきくけこ\",\"\"],\"message_type\":\"B\","
	    "\"stmt_query\":\"SELECT CONCAT($1::text, $2::text, $3::text);\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"status\":\"ok\"}\n"
	    "{\"ts\":\"1970-01-01T00:00:00.003Z\"," ADDR_C ",\"portal_name\":\"\","
	    "\"execute_query\":\"SELECT CONCAT($1::text, $2::text, $3::text);\","
	    "\"message_type\":\"E\",\"stmt_name\":\"\",\"row_limit\":0,"
	    "\"response_first_us\":1000,\"response_last_us\":1000,\"rows\":1,"
	    "\"command_tag\":\"SELECT 1\",\"status\":\"ok\"}\n");
	CHECK_INT(pgt_stats()->requests, 1);
}

TEST(pg_upstream_server_side)
{
	s_reset();
	s_step(S); s_hex(UP_QUERY);
	CHECK_STR(PGT_SPLITS(), "");
}

TEST(pg_no_response_at_close)
{
	const char *o;

	s_reset();
	s_step(C); s_hex(UP_PARSE);
	s_step(C); s_hex(UP_BIND);
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 3);
	CHECK_NOT(o, "status");
	CHECK_NOT(o, "response_");
	CHECK_HAS(o, "\"message_type\":\"E\"");
}

TEST(pg_pipeline_named)
{
	const char *o;
	int i;

	s_reset();
	s_step(C);
	s_msg('P'); s_cstr("s1"); s_cstr("SELECT $1::int"); s_be16(1);
	s_be32(23); s_end();
	for (i = 0; i < 3; i++) {
		s_msg('B'); s_cstr(""); s_cstr("s1"); s_be16(1); s_be16(1);
		s_be16(1); s_be32(4); s_be32((uint32_t)(i + 7)); s_be16(0);
		s_end();
		s_msg('E'); s_cstr(""); s_be32(0); s_end();
	}
	s_msg('C'); s_u8('S'); s_cstr("s1"); s_end();
	s_msg('S'); s_end();
	s_step(C);
	s_msg('B'); s_cstr(""); s_cstr("s1"); s_be16(0); s_be16(1);
	s_be32(1); s_raw("9", 1); s_be16(0); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end();
	for (i = 0; i < 3; i++) {
		s_msg('2'); s_end();
		srv_row("7");
		srv_tag("SELECT 1");
	}
	s_msg('3'); s_end();
	srv_ready('I');
	s_msg('2'); s_end();
	srv_tag("SELECT 0");
	srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 9);
	CHECK_HAS(o, "\"param_types\":[23]");
	CHECK_HAS(o, "\"bind_values\":[7]");
	CHECK_HAS(o, "\"bind_values\":[8]");
	CHECK_HAS(o, "\"bind_values\":[9]");
	CHECK_INT(count(o, "\"execute_query\":\"SELECT $1::int\""), 3);
	CHECK_INT(count(o, "\"stmt_name\":\"s1\""), 9);
	/* After the Close, s1 is unknown: its text is not shown. */
	CHECK_HAS(o, "\"bind_values\":[\"9\"],\"message_type\":\"B\",\"response");
	CHECK_HAS(o, "\"execute_query\":\"\",\"message_type\":\"E\","
	    "\"stmt_name\":\"s1\",\"row_limit\":0,\"response_first_us\":"
	    "1000,\"response_last_us\":1000,\"rows\":0,\"command_tag\":"
	    "\"SELECT 0\",\"status\":\"ok\"}");
}

TEST(pg_bind_binary_values)
{
	const char *o;
	static const uint8_t uuid[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
	    0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("q"); s_be16(14);
	s_be32(16); s_be32(21); s_be32(23); s_be32(20); s_be32(700);
	s_be32(701); s_be32(17); s_be32(25); s_be32(2950); s_be32(1082);
	s_be32(1114); s_be32(1184); s_be32(3802); s_be32(1700); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(1); s_be16(1); s_be16(16);
	s_be32(1); s_u8(1);
	s_be32(2); s_be16(0xfffe);
	s_be32(4); s_be32(0x7fffffff);
	s_be32(8); s_be32(0xffffffff); s_be32(0xfffffffd);
	s_be32(4); s_hex("3fa00000");
	s_be32(8); s_hex("4037666666666666");
	s_be32(3); s_hex("00ff10");
	s_be32(5); s_raw("héé", 5);
	s_be32(16); s_raw(uuid, 16);
	s_be32(4); s_be32(0xfffffffe);
	s_be32(8); s_hex("0002b58341728608");
	s_be32(8); s_hex("0000000000000000");
	s_be32(3); s_hex("017b7d");
	s_be32(2); s_hex("0001");
	s_be32(0xffffffff);
	s_be32(3); s_hex("010203");
	s_be16(0); s_end();
	s_msg('S'); s_end();
	o = PGT_SPLITS();
	CHECK_HAS(o, "\"bind_values\":[true,-2,2147483647,-3,1.25,23.4,"
	    "\"\\\\x00ff10\",\"héé\",\"12345678-9abc-def0-0123-456789abcdef\","
	    "\"1999-12-30\",\"2024-02-29 12:34:56.789\","
	    "\"2000-01-01 00:00:00+00\",\"{}\",\"\\\\x0001\",null,"
	    "\"\\\\x010203\"]");
	/* 1.25 is exact in float4; 23.4 is a double. */
}

/* asyncpg (and postgres.js, pgjdbc) Parse with no type OIDs, Describe
 * the statement, and Bind binary values of the types the server's
 * ParameterDescription gave: those render by type, not as hex. A
 * statement redefined before the answer does not take its types. */
TEST(pg_bind_types_from_param_desc)
{
	const char *o;

	s_reset();
	s_step(C);
	s_msg('P'); s_cstr("__asyncpg_stmt_1__");
	s_cstr("SELECT $1::int + 1, $2::text"); s_be16(0); s_end();
	s_msg('D'); s_u8('S'); s_cstr("__asyncpg_stmt_1__"); s_end();
	s_msg('P'); s_cstr(""); s_cstr("SELECT $1::int8"); s_be16(1);
	s_be32(0); s_end();
	s_msg('D'); s_u8('S'); s_cstr(""); s_end();
	s_msg('P'); s_cstr(""); s_cstr("SELECT $1::bool"); s_be16(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end();
	s_msg('t'); s_be16(2); s_be32(23); s_be32(25); s_end();
	srv_rowdesc();
	s_msg('1'); s_end();
	s_msg('t'); s_be16(1); s_be32(20); s_end();
	srv_rowdesc();
	s_msg('1'); s_end();
	srv_ready('I');
	s_step(C);
	s_msg('B'); s_cstr(""); s_cstr("__asyncpg_stmt_1__"); s_be16(1);
	s_be16(1); s_be16(2); s_be32(4); s_be32(41); s_be32(7);
	s_raw("h\xc3\xa9 \xe2\x9c\x93", 7); s_be16(1); s_be16(1); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(1); s_be16(1); s_be16(1);
	s_be32(1); s_u8(1); s_be16(0); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('2'); s_end(); srv_row("42"); srv_tag("SELECT 1");
	s_msg('2'); s_end(); srv_row("t"); srv_tag("SELECT 1");
	srv_ready('I');
	o = PGT_SPLITS();
	CHECK_HAS(o, "\"stmt_name\":\"__asyncpg_stmt_1__\","
	    "\"bind_values\":[41,\"hé ✓\"],\"message_type\":\"B\"");
	/* The unnamed statement was parsed again (bool) before its int8
	 * description came: its value stays hex. */
	CHECK_HAS(o, "\"bind_values\":[\"\\\\x01\"]");
	CHECK_INT(pgt_stats()->decode_errors, 0);
}

/* pgbouncer (transaction pooling) runs DISCARD ALL on the server
 * connection between two clients' transactions; PDO DEALLOCATEs its
 * statements. A Bind of that name afterwards is not the statement we
 * kept: asyncpg behind pgbouncer binds __asyncpg_stmt_1__ again and the
 * server says it does not exist. The record showed the forgotten
 * statement's text and rendered the values by its types. */
TEST(pg_discard_all_drops_statements)
{
	const char *o;

	s_reset();
	s_step(C);
	s_msg('P'); s_cstr("__asyncpg_stmt_1__"); s_cstr("SELECT $1::int");
	s_be16(1); s_be32(23); s_end();
	s_msg('P'); s_cstr("pdo_stmt_1"); s_cstr("SELECT $1::int8");
	s_be16(1); s_be32(20); s_end();
	s_msg('P'); s_cstr("keep"); s_cstr("SELECT $1::int4");
	s_be16(1); s_be32(23); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end(); s_msg('1'); s_end(); s_msg('1'); s_end();
	srv_ready('I');
	s_step(C);
	s_msg('Q'); s_cstr("SELECT 'x;DISCARD ALL'; DEALLOCATE \"pdo_stmt_1\""); s_end();
	s_step(S);
	srv_rowdesc(); srv_row("x"); srv_tag("SELECT 1"); srv_tag("DEALLOCATE");
	srv_ready('I');
	s_step(C);
	s_msg('B'); s_cstr(""); s_cstr("pdo_stmt_1"); s_be16(1); s_be16(1);
	s_be16(1); s_be32(8); s_be32(0); s_be32(7); s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr("keep"); s_be16(1); s_be16(1);
	s_be16(1); s_be32(4); s_be32(5); s_be16(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	srv_error("26000", "prepared statement \"pdo_stmt_1\" does not exist");
	srv_ready('I');
	s_step(C);
	s_msg('Q'); s_cstr("discard all"); s_end();
	s_step(S); srv_tag("DISCARD ALL"); srv_ready('I');
	s_step(C);
	s_msg('B'); s_cstr(""); s_cstr("__asyncpg_stmt_1__"); s_be16(1);
	s_be16(1); s_be16(1); s_be32(4); s_be32(1); s_be16(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	srv_error("26000", "prepared statement does not exist");
	srv_ready('I');
	o = PGT_SPLITS();
	/* The quoted DISCARD ALL is a string: "keep" lives on. */
	CHECK_HAS(o, "\"stmt_name\":\"keep\",\"bind_values\":[5],"
	    "\"message_type\":\"B\",\"stmt_query\":\"SELECT $1::int4\"");
	CHECK_HAS(o, "\"stmt_name\":\"pdo_stmt_1\",\"bind_values\":"
	    "[\"\\\\x0000000000000007\"],\"message_type\":\"B\","
	    "\"response_first_us\"");
	CHECK_HAS(o, "\"stmt_name\":\"__asyncpg_stmt_1__\",\"bind_values\":"
	    "[\"\\\\x00000001\"],\"message_type\":\"B\","
	    "\"response_first_us\"");
}

/* Behind pgbouncer (transaction pooling) two asyncpg processes both
 * Parse __asyncpg_stmt_1__ on one server connection: the second Parse
 * fails (42P05 already exists) and the name stays the first one's. We
 * took the failed text, so the next Bind showed the other client's
 * query and rendered its values by the wrong types. A Parse of a name
 * in use now waits for its ParseComplete (taken if the old one was
 * dropped unseen). */
TEST(pg_parse_of_name_in_use)
{
	const char *o;

	s_reset();
	s_step(C);
	s_msg('P'); s_cstr("__asyncpg_stmt_1__"); s_cstr("SELECT $1::int");
	s_be16(1); s_be32(23); s_end();
	s_msg('S'); s_end();
	s_step(S); s_msg('1'); s_end(); srv_ready('I');
	s_step(C);
	s_msg('P'); s_cstr("__asyncpg_stmt_1__"); s_cstr("SELECT $1::text");
	s_be16(1); s_be32(25); s_end();
	s_msg('S'); s_end();
	s_step(S);
	srv_error("42P05", "prepared statement already exists");
	srv_ready('I');
	s_step(C);
	s_msg('B'); s_cstr(""); s_cstr("__asyncpg_stmt_1__"); s_be16(1);
	s_be16(1); s_be16(1); s_be32(4); s_be32(9); s_be16(0); s_end();
	s_msg('S'); s_end();
	s_step(S); s_msg('2'); s_end(); srv_ready('I');
	/* Dropped unseen (DEALLOCATE in a function): the new Parse
	 * succeeds and its text is the statement's. */
	s_step(C);
	s_msg('P'); s_cstr("__asyncpg_stmt_1__"); s_cstr("SELECT $1::bool");
	s_be16(1); s_be32(16); s_end();
	s_msg('B'); s_cstr(""); s_cstr("__asyncpg_stmt_1__"); s_be16(1);
	s_be16(1); s_be16(1); s_be32(1); s_u8(1); s_be16(0); s_end();
	s_msg('S'); s_end();
	s_step(S); s_msg('1'); s_end(); s_msg('2'); s_end(); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_HAS(o, "\"bind_values\":[9],\"message_type\":\"B\","
	    "\"stmt_query\":\"SELECT $1::int\"");
	CHECK_NOT(o, "\"stmt_query\":\"SELECT $1::text\"");
	CHECK_HAS(o, "\"stmt_query\":\"SELECT $1::bool\"");

	/* The capture began after the other client's Parse: the refused
	 * one is all we saw of the name, and it defines nothing either. */
	s_reset();
	s_step(C);
	s_msg('P'); s_cstr("__asyncpg_stmt_1__"); s_cstr("SELECT $1::text");
	s_be16(1); s_be32(25); s_end();
	s_msg('S'); s_end();
	s_step(S);
	srv_error("42P05", "prepared statement already exists");
	srv_ready('I');
	s_step(C);
	s_msg('B'); s_cstr(""); s_cstr("__asyncpg_stmt_1__"); s_be16(1);
	s_be16(1); s_be16(1); s_be32(4); s_be32(9); s_be16(0); s_end();
	s_msg('S'); s_end();
	s_step(S); s_msg('2'); s_end(); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_HAS(o, "\"bind_values\":[\"\\\\x00000009\"],"
	    "\"message_type\":\"B\",\"response_first_us\"");
}

TEST(pg_bind_formats)
{
	const char *o;

	s_reset();
	s_step(C);
	/* No Parse seen: binary values as hex, text as text, NULL kept. */
	s_msg('B'); s_cstr("p1"); s_cstr("unseen"); s_be16(3);
	s_be16(0); s_be16(1); s_be16(0); s_be16(3);
	s_be32(2); s_raw("ab", 2);
	s_be32(2); s_hex("0102");
	s_be32(0xffffffff);
	s_be16(0); s_end();
	s_msg('E'); s_cstr("p1"); s_be32(10); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('2'); s_end();
	srv_row("a"); srv_row("b");
	s_msg('s'); s_end();
	srv_ready('T');
	o = PGT_SPLITS();
	CHECK_HAS(o, "\"portal_name\":\"p1\",\"stmt_name\":\"unseen\","
	    "\"bind_values\":[\"ab\",\"\\\\x0102\",null],\"message_type\":\"B\"");
	CHECK_HAS(o, "\"portal_name\":\"p1\",\"execute_query\":\"\","
	    "\"message_type\":\"E\",\"stmt_name\":\"unseen\",\"row_limit\":10,"
	    "\"response_first_us\":1000,\"response_last_us\":1000,\"rows\":2,"
	    "\"status\":\"suspended\"}");
	CHECK_INT(pgt_stats()->decode_errors, 0);
}

TEST(pg_error_in_bind_skips_to_sync)
{
	const char *o;

	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("SELECT * FROM t WHERE id = $1");
	s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(1);
	s_be32(3); s_raw("abc", 3); s_be16(0); s_end();
	s_msg('D'); s_u8('P'); s_cstr(""); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end();
	srv_error("22P02", "invalid input syntax for type integer: \"abc\"");
	s_step(S);
	srv_ready('I');
	s_step(C); s_hex(UP_QUERY);
	s_step(S); srv_tag("SELECT 0"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 4);
	CHECK_HAS(o, "\"message_type\":\"P\",\"response_first_us\":1000,"
	    "\"response_last_us\":1000,\"status\":\"ok\"}");
	CHECK_HAS(o, "\"message_type\":\"B\",\"stmt_query\":\"SELECT * FROM t "
	    "WHERE id = $1\",\"response_first_us\":1000,\"response_last_us\":"
	    "1000,\"error_severity\":\"ERROR\",\"error_code\":\"22P02\","
	    "\"error_message\":\"invalid input syntax for type integer: "
	    "\\\"abc\\\"\",\"status\":\"error\"}");
	CHECK_HAS(o, "\"message_type\":\"E\",\"stmt_name\":\"\","
	    "\"row_limit\":0,\"status\":\"skipped\"}");
	CHECK_HAS(o, "\"query\":\"SELECT * FROM users;\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000");
	CHECK_INT(pgt_stats()->errors, 1);
}

TEST(pg_error_in_parse_open_skip)
{
	const char *o;

	/* The error arrives before the client sent Sync: what it sends
	 * until Sync is discarded by the server. */
	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("SELEC 1"); s_be16(0); s_end();
	s_msg('H'); s_end();
	s_step(S);
	srv_error("42601", "syntax error at or near \"SELEC\"");
	s_step(C);
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	srv_ready('I');
	s_step(C); s_hex(UP_QUERY);
	s_step(S); srv_tag("SELECT 0"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 4);
	CHECK_HAS(o, "\"parse_query\":\"SELEC 1\",\"message_type\":\"P\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"error_severity\":\"ERROR\",\"error_code\":\"42601\"");
	CHECK_INT(count(o, "\"status\":\"skipped\""), 2);
	CHECK_HAS(o, "\"command_tag\":\"SELECT 0\",\"tx_status\":\"idle\","
	    "\"status\":\"ok\"}");
}

TEST(pg_simple_error_multi_empty)
{
	const char *o;

	s_reset();
	s_step(C); s_msg('Q'); s_cstr("SELEC broken FROM;"); s_end();
	s_step(S); srv_error("42601", "syntax error"); srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("SELECT 1 ; SELECT 2;"); s_end();
	s_step(S);
	srv_rowdesc(); srv_row("1"); srv_tag("SELECT 1");
	srv_rowdesc(); srv_row("2"); srv_tag("SELECT 1");
	srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr(""); s_end();
	s_step(S); s_msg('I'); s_end(); srv_ready('T');
	s_step(C); s_msg('Q'); s_cstr("DROP TABLE IF EXISTS x"); s_end();
	s_step(S);
	s_msg('N'); s_u8('S'); s_cstr("NOTICE"); s_u8('C'); s_cstr("00000");
	s_u8('M'); s_cstr("table \"x\" does not exist, skipping"); s_u8(0);
	s_end();
	srv_tag("DROP TABLE");
	srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 4);
	CHECK_HAS(o, "\"query\":\"SELEC broken FROM;\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"error_severity\":\"ERROR\",\"error_code\":\"42601\","
	    "\"error_message\":\"syntax error\",\"tx_status\":\"idle\","
	    "\"status\":\"error\"}");
	CHECK_HAS(o, "\"rows\":2,\"command_tag\":\"SELECT 1\"");
	CHECK_HAS(o, "\"query\":\"\",\"message_type\":\"Q\",\"response_first_us"
	    "\":1000,\"response_last_us\":1000,\"tx_status\":\"transaction\","
	    "\"status\":\"empty\"}");
	CHECK_HAS(o, "\"command_tag\":\"DROP TABLE\",\"notice_code\":\"00000\","
	    "\"notice_message\":\"table \\\"x\\\" does not exist, skipping\"");
}

TEST(pg_copy_in_out)
{
	const char *o;

	s_reset();
	s_step(C); s_msg('Q'); s_cstr("COPY t FROM STDIN;"); s_end();
	s_step(S); s_msg('G'); s_u8(0); s_be16(1); s_be16(0); s_end();
	s_step(C);
	s_msg('d'); s_raw("a\tb\n", 4); s_end();
	s_msg('d'); s_raw("c\td\n", 4); s_end();
	s_msg('c'); s_end();
	s_step(S); srv_tag("COPY 2"); srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("COPY t TO STDOUT;"); s_end();
	s_step(S); s_msg('H'); s_u8(0); s_be16(1); s_be16(0); s_end();
	s_msg('d'); s_raw("a\tb\n", 4); s_end();
	s_msg('c'); s_end();
	srv_tag("COPY 1"); srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("COPY t FROM STDIN;"); s_end();
	s_step(S); s_msg('G'); s_u8(0); s_be16(0); s_end();
	s_step(C); s_msg('f'); s_cstr("client gave up"); s_end();
	s_step(S); srv_error("57014", "COPY from stdin failed: client gave up");
	srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 3);
	CHECK_HAS(o, "\"response_first_us\":1000,\"response_last_us\":3000,"
	    "\"rows\":2,\"command_tag\":\"COPY 2\",\"copy_bytes\":8,");
	CHECK_HAS(o, "\"rows\":1,\"command_tag\":\"COPY 1\",\"copy_bytes\":4,");
	CHECK_HAS(o, "\"error_code\":\"57014\"");
}

/* libpq's PQexecParams("COPY ... FROM STDIN"): Sync right after Execute,
 * copy data, then a second Sync. The server ignores Syncs in copy-in
 * mode and answers only the second: the first must not wait for a
 * ReadyForQuery, or every later response lands on the wrong request. */
static void
ext_copy_in(void)
{
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("COPY t FROM STDIN"); s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_msg('D'); s_u8('P'); s_cstr(""); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); s_msg('n'); s_end();
	s_msg('G'); s_u8(0); s_be16(2); s_be16(0); s_be16(0); s_end();
}

TEST(pg_copy_in_extended_ignored_sync)
{
	const char *o;

	s_reset();
	ext_copy_in();
	s_step(C);
	s_msg('d'); s_raw("1\tone\n", 6); s_end();
	s_msg('c'); s_end();
	s_msg('S'); s_end();
	s_step(S); srv_tag("COPY 1"); srv_ready('I');
	s_step(C); s_hex(UP_QUERY);
	s_step(S); srv_rowdesc(); srv_row("1"); srv_row("2");
	srv_tag("SELECT 2"); srv_ready('I');
	/* The copy fails: the server discards until the Sync after
	 * CopyDone, not the one it ignored. */
	ext_copy_in();
	s_step(C); s_msg('d'); s_raw("x\ty\n", 4); s_end();
	s_step(S); srv_error("22P02", "invalid input syntax");
	s_step(C); s_msg('c'); s_end(); s_msg('S'); s_end();
	s_step(S); srv_ready('I');
	s_step(C); s_hex(UP_QUERY);
	s_step(S); srv_rowdesc(); srv_row("1"); srv_tag("SELECT 1");
	srv_ready('T');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 8);
	CHECK_HAS(o, "\"message_type\":\"E\",\"stmt_name\":\"\",\"row_limit\":0,"
	    "\"response_first_us\":1000,\"response_last_us\":3000,\"rows\":1,"
	    "\"command_tag\":\"COPY 1\",\"copy_bytes\":6,\"status\":\"ok\"}");
	CHECK_HAS(o, "\"query\":\"SELECT * FROM users;\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,\"rows\":2,"
	    "\"command_tag\":\"SELECT 2\",\"tx_status\":\"idle\","
	    "\"status\":\"ok\"}");
	CHECK_HAS(o, "\"error_code\":\"22P02\",\"error_message\":\"invalid "
	    "input syntax\",\"copy_bytes\":4,\"status\":\"error\"}");
	CHECK_HAS(o, "\"query\":\"SELECT * FROM users;\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,\"rows\":1,"
	    "\"command_tag\":\"SELECT 1\",\"tx_status\":\"transaction\","
	    "\"status\":\"ok\"}");
	CHECK_NOT(o, "skipped");
	CHECK_INT(pgt_stats()->decode_errors, 0);

	/* A client that sends its copy data and CopyDone without waiting
	 * for CopyInResponse: its Syncs are all dropped, and copy-in mode
	 * ends with the Execute, so later Syncs count again (an error then
	 * skips only to the next Sync). */
	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("COPY t FROM STDIN"); s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_msg('d'); s_raw("1\tone\n", 6); s_end();
	s_msg('c'); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end();
	s_msg('G'); s_u8(0); s_be16(2); s_be16(0); s_be16(0); s_end();
	srv_tag("COPY 1"); srv_ready('I');
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("SELEC"); s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_msg('S'); s_end();
	s_hex(UP_QUERY);
	s_step(S); srv_error("42601", "syntax error"); srv_ready('I');
	srv_tag("SELECT 0"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 6);
	CHECK_HAS(o, "\"command_tag\":\"COPY 1\",\"status\":\"ok\"}");
	CHECK_HAS(o, "\"status\":\"skipped\"");
	CHECK_HAS(o, "\"query\":\"SELECT * FROM users;\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"rows\":0,\"command_tag\":\"SELECT 0\"");
}

/* A FATAL error (pg_terminate_backend, admin shutdown) ends the session
 * without ReadyForQuery: the request completes with the error instead of
 * being written at close without its response. */
TEST(pg_fatal_completes_request)
{
	const char *o;

	s_reset();
	s_step(C); s_hex(UP_QUERY);
	s_step(S); srv_rowdesc(); srv_row("t");
	s_msg('E');
	s_u8('S'); s_cstr("FATAL"); s_u8('V'); s_cstr("FATAL");
	s_u8('C'); s_cstr("57P01");
	s_u8('M'); s_cstr("terminating connection due to administrator "
	    "command");
	s_u8(0); s_end();
	o = PGT_SPLITS();
	CHECK_STR(o, "{\"ts\":\"1970-01-01T00:00:00.001Z\"," ADDR_C
	    ",\"query\":\"SELECT * FROM users;\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,\"rows\":1,"
	    "\"error_severity\":\"FATAL\",\"error_code\":\"57P01\","
	    "\"error_message\":\"terminating connection due to administrator "
	    "command\",\"status\":\"error\"}\n");
	CHECK_INT(pgt_stats()->errors, 1);
}

/* A deferred constraint fails at the implicit commit: the error answers
 * the Sync, after the Execute completed. */
TEST(pg_sync_error_has_record)
{
	const char *o;

	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("INSERT INTO c VALUES (1)"); s_be16(0);
	s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); srv_tag("INSERT 0 1");
	srv_error("23503", "insert or update violates foreign key constraint");
	srv_ready('I');
	s_step(C); s_hex(UP_QUERY);
	s_step(S); srv_tag("SELECT 0"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 5);
	CHECK_HAS(o, "\"message_type\":\"E\",\"stmt_name\":\"\",\"row_limit\":0,"
	    "\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"rows\":1,\"command_tag\":\"INSERT 0 1\",\"status\":\"ok\"}");
	CHECK_HAS(o, "{\"ts\":\"1970-01-01T00:00:00.001Z\"," ADDR_C
	    ",\"message_type\":\"S\",\"response_first_us\":1000,"
	    "\"response_last_us\":1000,\"error_severity\":\"ERROR\","
	    "\"error_code\":\"23503\",\"error_message\":\"insert or update "
	    "violates foreign key constraint\",\"tx_status\":\"idle\","
	    "\"status\":\"error\"}\n");
	/* the next request's response is its own */
	CHECK_HAS(o, "\"query\":\"SELECT * FROM users;\",\"message_type\":"
	    "\"Q\",\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"rows\":0,\"command_tag\":\"SELECT 0\"");
}

/* A Sync answered without an error has no record. */
TEST(pg_sync_ok_no_record)
{
	const char *o;

	s_reset();
	s_step(C);
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S); srv_tag("SELECT 0"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 1);
	CHECK_NOT(o, "\"message_type\":\"S\"");
}

TEST(pg_function_call)
{
	const char *o;

	s_reset();
	s_step(C); s_msg('F'); s_be32(1598); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_step(S); s_msg('V'); s_be32(4); s_be32(42); s_end(); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_STR(o, "{\"ts\":\"1970-01-01T00:00:00.001Z\"," ADDR_C
	    ",\"message_type\":\"F\",\"function_oid\":1598,"
	    "\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"tx_status\":\"idle\",\"status\":\"ok\"}\n");
}

TEST(pg_ssl_refused_then_clear)
{
	const char *o;

	s_reset();
	s_step(C); s_be32(8); s_be32(80877103);
	s_step(S); s_u8('N');
	s_step(C); s_hex(UP_STARTUP);
	s_step(S); s_msg('R'); s_be32(0); s_end(); srv_ready('I');
	s_step(C); s_hex(UP_QUERY);
	s_step(S); srv_tag("SELECT 0"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 1);
	CHECK_HAS(o, "\"query\":\"SELECT * FROM users;\"");
	CHECK_HAS(o, "\"username\":\"postgres\",\"database\":\"testdb\"");
}

TEST(pg_ssl_accepted)
{
	const char *o;

	s_reset();
	s_step(C); s_be32(8); s_be32(80877103);
	s_step(S); s_u8('S');
	s_step(C); s_hex("160301020001000000"); s_hex(UP_QUERY);
	s_step(S); s_hex("160303007a020000"); s_hex(UP_QUERY);
	o = PGT_SPLITS();
	CHECK_STR(o, "{\"ts\":\"1970-01-01T00:00:00.001Z\"," ADDR_C
	    ",\"error\":\"client is trying to connect using SSL. tcpdp pg "
	    "dumper not support SSL connection\"}\n");
}

TEST(pg_gssenc_accepted_and_direct_tls)
{
	const char *o;

	s_reset();
	s_step(C); s_be32(8); s_be32(80877104);
	s_step(S); s_u8('G');
	s_step(C); s_hex(UP_QUERY);
	o = PGT_SPLITS();
	CHECK_INT(count(o, "not support SSL"), 1);
	CHECK_NOT(o, "query");
	/* TLS hello without SSLRequest (sslnegotiation=direct). */
	s_reset();
	s_step(C); s_hex("1603010200010001fc0303"); s_hex(UP_QUERY);
	o = PGT_SPLITS();
	CHECK_INT(count(o, "not support SSL"), 1);
	CHECK_NOT(o, "query");
}

/* A client asking for protocol 3.2 and a _pq_ option from a server that
 * knows neither: NegotiateProtocolVersion ('v') before authentication,
 * a 3.2-length BackendKeyData, then the session as usual. */
TEST(pg_negotiate_protocol_version)
{
	s_reset();
	s_step(C); s_be32(8 + 5 + 4 + 9 + 3 + 7 + 2 + 1); s_be32(0x00030002);
	s_cstr("user"); s_cstr("bob"); s_cstr("database"); s_cstr("db");
	s_cstr("_pq_.x"); s_cstr("1"); s_u8(0);
	s_step(S); s_msg('v'); s_be32(0); s_be32(1); s_cstr("_pq_.x"); s_end();
	s_msg('R'); s_be32(0); s_end();
	s_msg('K'); s_be32(77); s_raw("0123456789abcdef0123456789abcdef", 32);
	s_end();
	srv_ready('I');
	s_step(C); s_hex(UP_QUERY);
	s_step(S); srv_rowdesc(); srv_row("1"); srv_tag("SELECT 1");
	srv_ready('I');
	CHECK_STR(PGT_SPLITS(), "{\"ts\":\"1970-01-01T00:00:00.003Z\"," ADDR_C
	    ",\"query\":\"SELECT * FROM users;\",\"message_type\":\"Q\","
	    "\"username\":\"bob\",\"database\":\"db\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,\"rows\":1,"
	    "\"command_tag\":\"SELECT 1\",\"tx_status\":\"idle\","
	    "\"status\":\"ok\"}\n");
	CHECK_INT(pgt_stats()->decode_errors, 0);
	CHECK_INT(pgt_stats()->skipped, 0);
}

TEST(pg_cancel_request)
{
	s_reset();
	s_step(C); s_be32(16); s_be32(80877102); s_be32(4242);
	s_be32(0xdeadbeef);
	CHECK_STR(PGT_SPLITS(), "{\"ts\":\"1970-01-01T00:00:00.001Z\"," ADDR_C
	    ",\"message_type\":\"cancel\",\"cancel_pid\":4242}\n");
}

/* Protocol 3.2 (PostgreSQL 18): the secret key may be up to 256 bytes
 * long, and the request with it; such a request was taken for noise. */
TEST(pg_cancel_request_long_key)
{
	int	i;

	s_reset();
	s_step(C); s_be32(12 + 32); s_be32(80877102); s_be32(4243);
	for (i = 0; i < 8; i++)
		s_be32(0x01020304u * (unsigned)(i + 1));
	CHECK_STR(PGT_SPLITS(), "{\"ts\":\"1970-01-01T00:00:00.001Z\"," ADDR_C
	    ",\"message_type\":\"cancel\",\"cancel_pid\":4243}\n");
}

TEST(pg_auth_failure_no_secret)
{
	const char *o;

	s_reset();
	s_step(C);
	s_be32(8 + 5 + 4 + 9 + 3 + 1); s_be32(196608);
	s_cstr("database"); s_cstr("db"); s_cstr("user"); s_cstr("bob");
	s_u8(0);
	s_step(S); s_msg('R'); s_be32(10); s_cstr("SCRAM-SHA-256"); s_u8(0);
	s_end();
	s_step(C); s_msg('p'); s_cstr("SCRAM-SHA-256"); s_be32(20);
	s_raw("n,,n=,r=SECRETNONCE1", 20); s_end();
	s_step(S); s_msg('R'); s_be32(11); s_raw("r=SECRETNONCE1xyz", 17);
	s_end();
	s_step(C); s_msg('p'); s_raw("c=biws,r=x,p=SECRETPROOF", 24); s_end();
	s_step(S); srv_error("28P01", "password authentication failed for "
	    "user \"bob\"");
	o = PGT_SPLITS();
	CHECK_STR(o, "{\"ts\":\"1970-01-01T00:00:00.001Z\"," ADDR_C
	    ",\"database\":\"db\",\"username\":\"bob\",\"message_type\":"
	    "\"startup\",\"auth_method\":\"SASL SCRAM-SHA-256\","
	    "\"response_last_us\":5000,\"error_severity\":\"ERROR\","
	    "\"error_code\":\"28P01\",\"error_message\":\"password "
	    "authentication failed for user \\\"bob\\\"\",\"status\":\"error\"}\n");
	CHECK_NOT(o, "SECRET");
	/* md5 and cleartext passwords are never looked at. */
	s_reset();
	s_step(C); s_hex(UP_STARTUP);
	s_step(S); s_msg('R'); s_be32(5); s_be32(0x01020304); s_end();
	s_step(C); s_msg('p'); s_cstr("md5SECRETHASH"); s_end();
	s_step(S); s_msg('R'); s_be32(0); s_end();
	s_msg('S'); s_cstr("server_version"); s_cstr("15"); s_end();
	s_msg('K'); s_be32(1); s_be32(2); s_end();
	srv_ready('I');
	s_step(C); s_hex(UP_QUERY);
	o = PGT_SPLITS();
	CHECK_NOT(o, "SECRET");
	CHECK_INT(count(o, "\n"), 1);
}

/*
 * pgx with a packet loss: the server's AuthenticationOk ... ReadyForQuery
 * was lost, then the responses to the next requests, and the error of a
 * cancelled pg_sleep (57014) found nothing pending: it was written as a
 * failed login ("startup"). A client that sends a request is logged in.
 */
TEST(pg_startup_end_lost)
{
	const char *o;

	s_reset();
	s_step(C); s_hex(UP_STARTUP);
	s_step(S); s_msg('R'); s_be32(10); s_cstr("SCRAM-SHA-256"); s_u8(0);
	s_end();
	s_gap(S, 300);
	s_step(C); s_msg('Q'); s_cstr("SELECT pg_sleep(5)"); s_end();
	s_gap(S, 20);
	s_step(S); srv_error("57014", "canceling statement due to user "
	    "request");
	srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("SELECT 2"); s_end();
	s_step(S); srv_row("2"); srv_tag("SELECT 1"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_NOT(o, "startup");
	CHECK_NOT(o, "57014");
	CHECK_INT(count(o, "\n"), 2);
	CHECK_HAS(o, "\"query\":\"SELECT pg_sleep(5)\",\"message_type\":"
	    "\"Q\",\"username\"");
	CHECK_HAS(o, "\"rows\":1,\"command_tag\":\"SELECT 1\"");
}

TEST(pg_midstream_pickup)
{
	const char *o;

	/* The capture starts inside a Query and inside a DataRow. */
	s_reset();
	s_step(C); s_raw("ELECT 1 FROM big WHERE x = 'Q'", 30); s_u8(0);
	s_msg('B'); s_cstr(""); s_cstr("S_3"); s_be16(0); s_be16(2);
	s_be32(2); s_raw("42", 2); s_be32(0xffffffff); s_be16(0); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S); s_raw("garbage of a row", 16);
	srv_tag("SELECT 9"); srv_ready('I');
	s_msg('2'); s_end(); srv_row("x"); srv_tag("UPDATE 1"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 2);
	CHECK_HAS(o, "\"stmt_name\":\"S_3\",\"bind_values\":[\"42\",null],"
	    "\"message_type\":\"B\",\"response_first_us\":1000");
	CHECK_HAS(o, "\"rows\":1,\"command_tag\":\"UPDATE 1\",\"status\":\"ok\"}");
	CHECK_INT(pgt_stats()->skipped, 31 + 16);
	/* Cut anywhere in the garbage or in the first real header: the same
	 * records (the tail of a chunk is kept while hunting). */
	{
		char *want = strdup(o);
		size_t k;

		for (k = 1; k <= 31 + 5; k++)
			if (strcmp(pgt_run(0, k, false), want) != 0)
				test_fail(__FILE__, __LINE__, "split at %zu", k);
		for (k = 1; k < 16 + 5; k++)
			if (strcmp(pgt_run(1, k, false), want) != 0)
				test_fail(__FILE__, __LINE__, "server split at %zu", k);
		free(want);
	}
}

/*
 * pgjdbc's executeBatch writes a batch of Bind/Describe/Execute triples
 * in 8 KB pieces and one Sync at the end. A capture that began inside it
 * (or lost a piece) saw the later triples only, all of one shape: the
 * unseen triples' responses answered ours one by one, the error of an
 * unseen row landed on one of ours and the rest were "skipped", and the
 * Sync's ReadyForQuery confirmed it all. Requests that follow client
 * bytes not decoded are now matched only if a ReadyForQuery ends the
 * unseen requests' group before theirs; else their group's responses
 * cannot be told apart and they are written without them.
 */
static void
s_bde(int v)
{
	char	b[16];

	snprintf(b, sizeof b, "%d", v);
	s_msg('B'); s_cstr(""); s_cstr("S_2"); s_be16(0); s_be16(1);
	s_be32((uint32_t)strlen(b)); s_raw(b, strlen(b)); s_be16(0); s_end();
	s_msg('D'); s_u8('P'); s_cstr(""); s_end();
	s_msg('E'); s_cstr(""); s_be32(1); s_end();
}

TEST(pg_midstream_batch_unseen_head)
{
	const char *o;
	int i;

	/* Begins inside the third triple's Bind: the first three unseen,
	 * ours are 4 to 7, the error is the fifth row's. */
	s_reset();
	s_step(C); s_raw("\x00\x01\x00\x00\x00\x01" "3\x00\x00", 9);
	s_msg('D'); s_u8('P'); s_cstr(""); s_end();
	s_msg('E'); s_cstr(""); s_be32(1); s_end();
	for (i = 4; i <= 7; i++)
		s_bde(i);
	s_msg('S'); s_end();
	s_step(S);
	for (i = 1; i <= 4; i++) {
		s_msg('2'); s_end(); s_msg('n'); s_end();
		srv_tag("INSERT 0 1");
	}
	s_msg('2'); s_end(); s_msg('n'); s_end();
	srv_error("23505", "duplicate key");
	srv_ready('E');
	s_step(C); s_msg('Q'); s_cstr("ROLLBACK"); s_end();
	s_step(S); srv_tag("ROLLBACK"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	{
		/* Any cut of the server's answer (163 bytes): the same
		 * (byte by byte, a hunt cannot judge a header). */
		char *want = strdup(o);
		size_t k;

		for (k = 1; k < 163; k++)
			if (strcmp(pgt_run(1, k, false), want) != 0)
				test_fail(__FILE__, __LINE__, "split at %zu", k);
		o = pgt_run(-1, 0, false);
		free(want);
	}
	CHECK_NOT(o, "23505");
	CHECK_NOT(o, "skipped");
	CHECK_NOT(o, "\"message_type\":\"S\"");
	CHECK_INT(count(o, "\"status\""), 1);
	CHECK_HAS(o, "\"query\":\"ROLLBACK\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000");

	/* The same after client bytes lost in capture. */
	s_reset();
	s_step(C);
	s_msg('P'); s_cstr("S_2"); s_cstr("INSERT INTO t VALUES ($1)");
	s_be16(0); s_end();
	s_msg('S'); s_end();
	s_step(S); s_msg('1'); s_end(); srv_ready('T');
	s_step(C); s_bde(1); s_bde(2);
	s_gap(C, 60);
	s_step(C); s_bde(4); s_bde(5); s_msg('S'); s_end();
	s_step(S);
	for (i = 1; i <= 3; i++) {
		s_msg('2'); s_end(); s_msg('n'); s_end();
		srv_tag("INSERT 0 1");
	}
	s_msg('2'); s_end(); s_msg('n'); s_end();
	srv_error("23505", "duplicate key");
	srv_ready('E');
	o = pgt_run(-1, 0, false);
	CHECK_NOT(o, "23505");
	CHECK_NOT(o, "skipped");
	CHECK_INT(count(o, "\"status\""), 1);

	/* pgbench waits for each group: one lost in capture was answered
	 * before the next was sent, its ReadyForQuery acknowledging the lost
	 * bytes, and the reassembly tells the loss only with the next
	 * group, which keeps its responses. */
	for (i = 0; i < 2; i++) {
		s_reset();
		s_step(C); s_bde(1); s_msg('S'); s_end();
		s_step(S); s_msg('2'); s_end(); s_msg('n'); s_end();
		srv_tag("INSERT 0 1"); srv_ready('I');
		s_step(S); s_msg('2'); s_end(); s_msg('n'); s_end();
		srv_tag("INSERT 0 1"); srv_ready('I');
		/* Not acknowledging them, it answered an earlier group:
		 * the lost bytes' group may still be pending, ours in it. */
		s_acked(i == 0 ? 40 : 0);
		s_gap(C, 40);
		s_step(C); s_bde(3); s_msg('S'); s_end();
		s_step(S); s_msg('2'); s_end(); s_msg('n'); s_end();
		srv_tag("INSERT 0 1"); srv_ready('I');
		o = pgt_run(-1, 0, false);
		CHECK_INT(count(o, "\"status\":\"ok\""), i == 0 ? 4 : 2);
	}

	/* Unseen bytes that end their group (the tail of a Query): its
	 * ReadyForQuery comes first, and ours are matched after it. */
	s_reset();
	s_step(C); s_raw("ELECT 1 FROM big", 16); s_u8(0);
	s_bde(1); s_bde(2); s_msg('S'); s_end();
	s_step(S); srv_tag("SELECT 9"); srv_ready('I');
	s_step(S);
	for (i = 1; i <= 2; i++) {
		s_msg('2'); s_end(); s_msg('n'); s_end();
		srv_tag("INSERT 0 1");
	}
	srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\"status\":\"ok\""), 4);
	CHECK_NOT(o, "SELECT 9");
}

/* A capture that begins while the server still answers a pipeline sent
 * before it (libpq pipeline mode, Ruby pg): those ParseComplete,
 * BindComplete, CommandComplete fit our first requests too. They were
 * taken for ours: the SELECT got the unseen INSERT's tag and a record
 * "S" the unseen statement's error. Now they are held until a
 * ReadyForQuery confirms them; a response that fits nothing pending
 * puts them back, and a group that cannot be told apart is written
 * without a response rather than a wrong one. */
TEST(pg_midstream_pipeline_no_shift)
{
	const char *o;

	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("SELECT count(*) FROM rb"); s_be16(0);
	s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_msg('D'); s_u8('P'); s_cstr(""); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); s_msg('n'); s_end();
	srv_tag("INSERT 0 1");
	s_msg('1'); s_end(); s_msg('2'); s_end(); s_msg('n'); s_end();
	srv_error("23505", "duplicate key");
	srv_ready('I');
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); srv_rowdesc(); srv_row("2");
	srv_tag("SELECT 1"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 3);
	CHECK_NOT(o, "INSERT");
	CHECK_NOT(o, "23505");
	CHECK_NOT(o, "\"message_type\":\"S\"");
	CHECK_INT(pgt_stats()->decode_errors, 0);

	/* The unseen group was a shorter one (Parse/Bind/Execute/Sync):
	 * its ParseComplete and BindComplete fit ours, its CommandComplete
	 * does not fit our Describe. Three completions before that
	 * ReadyForQuery cannot answer our four requests: it is not ours,
	 * and ours get their own responses after it. */
	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("SELECT count(*) FROM rb"); s_be16(0);
	s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_msg('D'); s_u8('P'); s_cstr(""); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); srv_tag("INSERT 0 1");
	srv_ready('I');
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); srv_rowdesc(); srv_row("2");
	srv_tag("SELECT 1"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 3);
	CHECK_NOT(o, "INSERT");
	CHECK_HAS(o, "\"rows\":1,\"command_tag\":\"SELECT 1\","
	    "\"status\":\"ok\"}");
	CHECK_INT(count(o, "\"status\":\"ok\""), 3);

	/* pg-cursor: the capture begins inside Parse/Bind/Describe/Execute/
	 * Flush rounds that have no Sync until the cursor is done. The
	 * ParseComplete and BindComplete of the unseen messages fit nothing
	 * pending; the RowDescription answers our Describe, and matching
	 * goes on from there. */
	s_reset();
	s_step(C);
	s_msg('D'); s_u8('P'); s_cstr("C_1"); s_end();
	s_msg('H'); s_end();
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); srv_rowdesc();
	s_step(C);
	s_msg('E'); s_cstr("C_1"); s_be32(2); s_end();
	s_msg('H'); s_end();
	s_step(S);
	srv_row("1"); srv_row("2"); s_msg('s'); s_end();
	s_step(C);
	s_msg('E'); s_cstr("C_1"); s_be32(2); s_end();
	s_msg('S'); s_end();
	s_step(S);
	srv_row("3"); srv_tag("SELECT 1"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 2);
	CHECK_HAS(o, "\"row_limit\":2,\"response_first_us\":1000,"
	    "\"response_last_us\":1000,\"rows\":2,\"status\":\"suspended\"}");
	CHECK_HAS(o, "\"rows\":1,\"command_tag\":\"SELECT 1\","
	    "\"status\":\"ok\"}");
}

/*
 * pgjdbc with autosave=always sends RELEASE SAVEPOINT and the next
 * SAVEPOINT as two simple Queries without waiting in between. A capture
 * that begins between them saw only the SAVEPOINT, and took the unseen
 * RELEASE's CommandComplete and ReadyForQuery for its response (tag
 * RELEASE, its latency). A command tag names the statement that made it:
 * before a ReadyForQuery has confirmed the matching, a tag that the
 * statement's first keyword cannot give is another request's, and it
 * and the responses up to its ReadyForQuery are left out.
 */
TEST(pg_midstream_tag_names_statement)
{
	const char *o;

	s_reset();
	s_step(C); s_msg('Q'); s_cstr("SAVEPOINT PGJDBC_AUTOSAVE"); s_end();
	s_step(S); srv_tag("RELEASE"); srv_ready('T');
	s_step(S); srv_tag("SAVEPOINT"); srv_ready('T');
	s_step(C); s_msg('Q'); s_cstr("SELECT 1"); s_end();
	s_step(S); srv_row("1"); srv_tag("SELECT 1"); srv_ready('T');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 2);
	CHECK_NOT(o, "RELEASE");
	CHECK_HAS(o, "\"query\":\"SAVEPOINT PGJDBC_AUTOSAVE\","
	    "\"message_type\":\"Q\",\"response_first_us\":2000,"
	    "\"response_last_us\":2000,\"command_tag\":\"SAVEPOINT\"");
	CHECK_HAS(o, "\"rows\":1,\"command_tag\":\"SELECT 1\"");

	/* pgjdbc's BEGIN goes as Parse/Bind/Execute without a Sync, the
	 * SAVEPOINT Query right behind it: one ReadyForQuery for both. The
	 * unseen BEGIN's tag comes first, then the SAVEPOINT's own. */
	s_reset();
	s_step(C); s_msg('Q'); s_cstr("  /* autosave */ SAVEPOINT x"); s_end();
	s_step(S); s_msg('1'); s_end(); s_msg('2'); s_end();
	srv_tag("BEGIN"); srv_tag("SAVEPOINT"); srv_ready('T');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 1);
	CHECK_HAS(o, "\"command_tag\":\"SAVEPOINT\",\"tx_status\":"
	    "\"transaction\",\"status\":\"ok\"}");

	/* The same for the extended protocol: an unseen INSERT's group has
	 * the shape of our SELECT's; its tag tells them apart. */
	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("(select n from t)"); s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); srv_tag("INSERT 0 1");
	srv_ready('I');
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); srv_row("7");
	srv_tag("SELECT 1"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 3);
	CHECK_NOT(o, "INSERT");
	CHECK_INT(count(o, "\"response_first_us\":2000"), 3);
	CHECK_HAS(o, "\"rows\":1,\"command_tag\":\"SELECT 1\","
	    "\"status\":\"ok\"}");

	/* An unseen Parse/Describe/Sync before our Query: its
	 * RowDescription and ReadyForQuery are not the Query's. */
	s_reset();
	s_step(C); s_msg('Q'); s_cstr("SELECT 5"); s_end();
	s_step(S); s_msg('1'); s_end(); s_msg('t'); s_be16(0); s_end();
	srv_rowdesc(); srv_ready('I');
	s_step(S); srv_rowdesc(); srv_row("5"); srv_tag("SELECT 1");
	srv_ready('I');
	o = PGT_SPLITS();
	CHECK_HAS(o, "\"query\":\"SELECT 5\",\"message_type\":\"Q\","
	    "\"response_first_us\":2000,\"response_last_us\":2000,"
	    "\"rows\":1,\"command_tag\":\"SELECT 1\"");

	/* pgjdbc's empty statement, mid-stream: an empty text (no buffer
	 * kept) judges nothing. */
	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr(""); s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S); s_msg('1'); s_end(); s_msg('2'); s_end(); s_msg('I'); s_end();
	srv_ready('I');
	o = PGT_SPLITS();
	CHECK_HAS(o, "\"execute_query\":\"\",\"message_type\":\"E\","
	    "\"stmt_name\":\"\",\"row_limit\":0,\"response_first_us\":1000,"
	    "\"response_last_us\":1000,\"status\":\"empty\"}");

	/* Tags a statement gives besides its own keyword: COMMIT of a
	 * failed transaction, CREATE TABLE AS; and a first keyword we do
	 * not judge (WITH) takes any tag. */
	s_reset();
	s_step(C); s_msg('Q'); s_cstr("commit"); s_end();
	s_step(S); srv_tag("ROLLBACK"); srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("-- x\nCREATE TABLE t2 AS SELECT 1");
	s_end();
	s_step(S); srv_tag("SELECT 1"); srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("WITH a AS (SELECT 1) DELETE FROM t");
	s_end();
	s_step(S); srv_tag("DELETE 3"); srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\"status\":\"ok\""), 3);
	CHECK_HAS(o, "\"command_tag\":\"ROLLBACK\"");
	CHECK_HAS(o, "\"rows\":3,\"command_tag\":\"DELETE 3\"");
}

/*
 * lib/pq Parses the unnamed statement before each query. A client packet
 * lost in capture took the Parse of a SELECT: its Bind and Execute were
 * shown with the INSERT parsed before (execute_query an INSERT, command
 * tag "SELECT 3"). Bytes of the client lost: what they defined is not
 * known, and the unnamed statement and portal are forgotten.
 */
TEST(pg_client_loss_forgets_unnamed)
{
	const char *o;

	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("INSERT INTO t VALUES ($1)"); s_be16(0);
	s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(1);
	s_be32(1); s_raw("1", 1); s_be16(0); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S); s_msg('1'); s_end(); s_msg('2'); s_end();
	srv_tag("INSERT 0 1"); srv_ready('I');
	s_gap(C, 40);
	s_step(S); s_msg('1'); s_end(); srv_rowdesc(); srv_ready('I');
	s_step(C);
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(1);
	s_be32(1); s_raw("3", 1); s_be16(0); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S); s_msg('2'); s_end(); srv_row("1"); srv_row("2");
	srv_tag("SELECT 2"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 5);
	CHECK_INT(count(o, "INSERT INTO t"), 3);
	CHECK_HAS(o, "\"bind_values\":[\"3\"],\"message_type\":\"B\","
	    "\"response_first_us\"");
	CHECK_HAS(o, "\"execute_query\":\"\",\"message_type\":\"E\","
	    "\"stmt_name\":\"\",\"row_limit\":0,\"response_first_us\":1000,"
	    "\"response_last_us\":1000,\"rows\":2,\"command_tag\":"
	    "\"SELECT 2\"");

	/* A named statement defined before the loss may have been closed
	 * and parsed again in it: its text does not judge the command tags
	 * of a capture resuming there (pg_midstream_tag_names_statement). */
	s_reset();
	s_step(C);
	s_msg('P'); s_cstr("S_1"); s_cstr("INSERT INTO t VALUES (1)");
	s_be16(0); s_end();
	s_msg('S'); s_end();
	s_step(S); s_msg('1'); s_end(); srv_ready('I');
	s_gap(C, 60);
	s_step(C);
	s_msg('B'); s_cstr(""); s_cstr("S_1"); s_be16(0); s_be16(0); s_be16(0);
	s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S); s_msg('3'); s_end(); s_msg('1'); s_end(); srv_ready('I');
	s_msg('2'); s_end(); srv_row("1"); srv_tag("SELECT 1");
	srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_HAS(o, "\"message_type\":\"E\",\"stmt_name\":\"S_1\","
	    "\"row_limit\":0,\"response_first_us\":1000,"
	    "\"response_last_us\":1000,\"rows\":1,\"command_tag\":"
	    "\"SELECT 1\",\"status\":\"ok\"}");
}

TEST(pg_gap_flushes_and_resyncs)
{
	const char *o;

	s_reset();
	s_step(C); s_hex(UP_PARSE);
	s_gap(S, 100);
	s_step(S); s_raw("tail", 4); srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("SELECT 2"); s_end();
	s_step(S); srv_tag("SELECT 1"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 2);
	CHECK_HAS(o, "\"message_type\":\"P\"}\n");
	CHECK_HAS(o, "\"query\":\"SELECT 2\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,\"rows\":1");
	/* A gap inside a client message. */
	s_reset();
	s_step(C); s_msg('Q'); s_cstr("SELECT 1"); s_end();
	s_gap(C, 50);
	s_step(C); s_raw("lost", 4);
	s_msg('Q'); s_cstr("SELECT 3"); s_end();
	s_step(S); srv_tag("SELECT 1"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 2);
	CHECK_HAS(o, "\"query\":\"SELECT 3\",\"message_type\":\"Q\",\"resp");
}

/*
 * pgbench through a capture that lost one server packet: the INSERT's
 * response. The client read it and sent END; the loss shows only when
 * END's response comes (reassembly holds it behind the hole). END was sent
 * after the lost bytes were read (its ACK), so it keeps its place and
 * gets its response; only the INSERT goes without. Before, both did.
 */
TEST(pg_server_loss_keeps_later_requests)
{
	const char *o;

	s_reset();
	s_step(C); s_msg('Q'); s_cstr("INSERT 1"); s_end(); s_acked(0);
	s_step(C); s_msg('Q'); s_cstr("END"); s_end(); s_acked(30);
	s_gap(S, 30);
	s_step(S); srv_tag("COMMIT"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 2);
	CHECK_HAS(o, "\"query\":\"INSERT 1\",\"message_type\":\"Q\"}\n");
	CHECK_HAS(o, "\"query\":\"END\",\"message_type\":\"Q\","
	    "\"response_first_us\":2000,\"response_last_us\":2000,"
	    "\"command_tag\":\"COMMIT\",\"tx_status\":\"idle\",\"status\":\"ok\"}");
	/* Sent before the lost bytes were read (a pipeline), or not known
	 * (0): the request may have had its response in them and goes too. */
	s_reset();
	s_step(C); s_msg('Q'); s_cstr("INSERT 1"); s_end(); s_acked(0);
	s_step(C); s_msg('Q'); s_cstr("END"); s_end(); s_acked(29);
	s_gap(S, 30);
	s_step(S); srv_tag("COMMIT"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\"status\""), 0);
	/* Extended protocol: the kept request is the Parse of the next
	 * statement, and every message behind it keeps its place. */
	s_reset();
	s_step(C); s_msg('P'); s_cstr(""); s_cstr("INSERT 1"); s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end(); s_msg('S'); s_end();
	s_acked(0);
	s_step(C); s_msg('P'); s_cstr(""); s_cstr("END"); s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0); s_be16(0); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end(); s_msg('S'); s_end();
	s_acked(40);
	s_gap(S, 40);
	s_step(S); s_msg('1'); s_end(); s_msg('2'); s_end();
	srv_tag("COMMIT"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 6);
	CHECK_INT(count(o, "\"status\":\"ok\""), 3);
	CHECK_HAS(o, "\"execute_query\":\"END\",\"message_type\":\"E\","
	    "\"stmt_name\":\"\",\"row_limit\":0,\"response_first_us\":2000");
	CHECK_HAS(o, "\"command_tag\":\"COMMIT\"");
}

/* postgres.js: Bind/Execute/Sync of a prepared INSERT, each group
 * written without waiting for the last one's ReadyForQuery. */
static void
s_bes(int v)
{
	char	b[16];

	snprintf(b, sizeof b, "%d", v);
	s_msg('B'); s_cstr(""); s_cstr("q4"); s_be16(0); s_be16(1);
	s_be32((uint32_t)strlen(b)); s_raw(b, strlen(b)); s_be16(0); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
}

static void
srv_bes(void)
{
	s_msg('2'); s_end(); srv_tag("INSERT 0 1"); srv_ready('I');
}

/*
 * A capture that begins inside postgres.js's pipeline: groups of
 * Bind/Execute/Sync, each with its own Sync, sent without waiting, two
 * of them unseen and still unanswered. Each ReadyForQuery fitted our
 * oldest group and confirmed the match, so every group seen took the
 * response of the one before it (the latency of an unseen INSERT) and
 * the last answers were left over. Whether a ReadyForQuery ends one of
 * ours cannot be told while unseen groups of the same shape may be
 * ahead: a client seen to pipeline its groups has its mid-stream matches
 * held past them, written without responses when more responses come
 * than it has requests, and confirmed only by a request sent having read
 * every server byte.
 */
TEST(pg_midstream_pipelined_syncs)
{
	const char *o;
	int i;

	s_reset();
	s_step(S); srv_bes();		/* an unseen group's answer */
	s_step(C);
	for (i = 1; i <= 3; i++)
		s_bes(i);
	s_msg('P'); s_cstr("q5"); s_cstr("SELECT 1"); s_be16(0); s_end();
	s_msg('H'); s_end();
	s_step(S);
	for (i = 0; i < 5; i++)		/* two unseen groups, then ours */
		srv_bes();
	s_msg('1'); s_end();
	s_step(C); s_acked(0);
	s_bes(4);
	s_step(S); srv_bes();
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 9);
	CHECK_INT(count(o, "\"status\":\"ok\""), 3);
	CHECK_HAS(o, "\"parse_query\":\"SELECT 1\",\"message_type\":\"P\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"status\":\"ok\"}");
	CHECK_HAS(o, "\"bind_values\":[\"4\"],\"message_type\":\"B\","
	    "\"response_first_us\":1000");
	CHECK_INT(count(o, "\"bind_values\":[\"1\"],\"message_type\":\"B\"}"),
	    1);

	/* No unseen group ahead: the matches hold, confirmed by the next
	 * request. */
	s_reset();
	s_step(S); srv_bes();
	s_step(C);
	for (i = 1; i <= 3; i++)
		s_bes(i);
	s_step(S);
	for (i = 0; i < 3; i++)
		srv_bes();
	s_step(C); s_acked(0);
	s_bes(4);
	s_step(S); srv_bes();
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 8);
	CHECK_INT(count(o, "\"status\":\"ok\""), 8);
}

/*
 * The same client through a capture that lost one server packet: the
 * groups sent before it was read were given up, but only some of their
 * answers were in it; the rest came after and were taken by the groups
 * sent after the loss was read (kept, as pgbench's are). The client is
 * seen to pipeline: those are matched as at a mid-stream start, and
 * written without responses when the answers outnumber them.
 */
TEST(pg_server_loss_pipelined_syncs)
{
	const char *o;
	int i;

	s_reset();
	s_step(C); s_hex(UP_STARTUP);
	s_step(S); s_msg('R'); s_be32(0); s_end(); srv_ready('I');
	s_step(C); s_acked(0);
	for (i = 1; i <= 4; i++)
		s_bes(i);
	s_step(S); srv_bes();
	s_gap(S, 20);			/* the second group's answer */
	s_step(C); s_acked(0);
	for (i = 5; i <= 8; i++)
		s_bes(i);
	s_step(S);
	for (i = 0; i < 6; i++)		/* groups 3 and 4, then ours */
		srv_bes();
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 16);
	CHECK_INT(count(o, "\"status\":\"ok\""), 2);
	CHECK_HAS(o, "\"bind_values\":[\"5\"],\"message_type\":\"B\","
	    "\"username\":\"postgres\",\"database\":\"testdb\"}");
	CHECK_INT(pgt_stats()->decode_errors, 0);
}

/*
 * postgres.js's COPY FROM STDIN through a capture that lost a packet of
 * its CopyData: the server's CommandComplete (its ACK past the client
 * bytes we saw) comes before the client's next bytes tell the loss. The
 * record said copy_bytes 19 of 4400; the count is left out when the
 * server had read client bytes we did not see.
 */
TEST(pg_copy_in_loss_no_short_count)
{
	const char *o;

	s_reset();
	s_step(C); s_hex(UP_STARTUP);
	s_step(S); s_msg('R'); s_be32(0); s_end(); srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("COPY pt FROM STDIN"); s_end();
	s_acked(0);
	s_step(S); s_msg('G'); s_u8(0); s_be16(0); s_end();
	s_step(C); s_msg('d'); s_raw("1\tx\n", 4); s_end(); s_acked(0);
	s_step(S); srv_tag("COPY 200"); srv_ready('I'); s_acked(60);
	s_gap(C, 60);
	s_step(C); s_msg('Q'); s_cstr("SELECT 1"); s_end(); s_acked(0);
	s_step(S); srv_tag("SELECT 1"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_HAS(o, "\"query\":\"COPY pt FROM STDIN\"");
	CHECK_HAS(o, "\"rows\":200,\"command_tag\":\"COPY 200\","
	    "\"tx_status\":\"idle\",\"status\":\"ok\"}");
	CHECK_NOT(o, "copy_bytes");

	/* Nothing lost: counted. */
	s_reset();
	s_step(C); s_hex(UP_STARTUP);
	s_step(S); s_msg('R'); s_be32(0); s_end(); srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("COPY pt FROM STDIN"); s_end();
	s_acked(0);
	s_step(S); s_msg('G'); s_u8(0); s_be16(0); s_end();
	s_step(C); s_msg('d'); s_raw("1\tx\n", 4); s_end(); s_msg('c'); s_end();
	s_acked(0);
	s_step(S); srv_tag("COPY 1"); srv_ready('I'); s_acked(0);
	o = PGT_SPLITS();
	CHECK_HAS(o, "\"command_tag\":\"COPY 1\",\"copy_bytes\":");
}

TEST(pg_desync_resync)
{
	const char *o;

	s_reset();
	s_step(C); s_msg('Q'); s_cstr("SELECT 1"); s_end();
	s_step(S); srv_tag("SELECT 1"); srv_ready('I');
	s_step(C); s_raw("\x01\x02\x03\x04\x05\x06", 6);
	s_msg('Q'); s_cstr("SELECT 2"); s_end();
	s_step(S); srv_tag("SELECT 1"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\"status\":\"ok\""), 2);
	CHECK_INT(pgt_stats()->decode_errors, 1);
	CHECK_INT(pgt_stats()->skipped, 6);
}

TEST(pg_malformed)
{
	const char *o;

	/* Length < 4 and length past any sane size: resync, no crash. */
	s_reset();
	s_step(C); s_u8('Q'); s_be32(3); s_cstr("x");
	s_step(C); s_u8('Q'); s_be32(0x7fffffff); s_cstr("x");
	s_step(C); s_u8('P'); s_be32(5); s_u8(0);
	s_step(C); s_u8('Q'); s_be32(100); s_cstr("cut short");
	o = PGT_SPLITS();
	CHECK_STR(o, "");

	/* Bind: negative counts, counts beyond the message. */
	s_reset();
	s_step(C);
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0xffff); s_be16(0);
	s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(0xfff0);
	s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(3000);
	s_be32(1); s_raw("a", 1); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(1);
	s_be32(0x7ffffff0); s_raw("a", 1); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(0); s_be16(1);
	s_be32(0xfffffff0); s_end();
	s_msg('B'); s_cstr("no-terminator"); s_end();
	s_msg('P'); s_cstr(""); s_cstr("SELECT 1"); s_be16(100); s_be32(23);
	s_end();
	s_msg('P'); s_cstr(""); s_cstr("SELECT 1"); s_be16(0x8000); s_end();
	s_msg('E'); s_raw("abcde", 5); s_end();
	s_msg('D'); s_u8('X'); s_cstr("x"); s_end();
	s_msg('Q'); s_raw("no nul", 6); s_end();
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 10);
	CHECK_INT(count(o, "\"decode_error\""), 10);
	CHECK_HAS(o, "\"bind_values\":[\"a\"]");
	CHECK_HAS(o, "\"param_types\":[23],\"decode_error\":\"Parse\"");
	CHECK_HAS(o, "\"query\":\"no nul\"");
	CHECK_INT(pgt_stats()->decode_errors, 11);

	/* Startup: no terminator, odd pairs; error response cut. */
	s_reset();
	s_step(C); s_be32(8 + 9); s_be32(196608); s_raw("user\0bob\0", 9);
	s_step(S); s_msg('E'); s_u8('S'); s_raw("ERR", 3); s_end();
	o = PGT_SPLITS();
	CHECK_HAS(o, "\"username\":\"bob\"");
	CHECK_HAS(o, "\"message_type\":\"startup\"");
}

TEST(pg_huge_messages)
{
	const char *o;
	char *big;
	size_t n = 1100 * 1024, i;

	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	s_reset();
	s_step(C); s_msg('Q'); s_raw(big, n); s_u8(0); s_end();
	s_step(S); srv_rowdesc();
	s_msg('D'); s_be16(1); s_be32((uint32_t)n); s_raw(big, n); s_end();
	srv_tag("SELECT 1"); srv_ready('I');
	s_step(S); s_msg('d'); s_raw(big, 100); s_end();
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 1);
	CHECK_HAS(o, "\"truncated\":true");
	CHECK(strlen(o) > 1024 * 1024 && strlen(o) < 1024 * 1024 + 1000);
	CHECK_HAS(o, "\"rows\":1,\"command_tag\":\"SELECT 1\"");
	CHECK(strcmp(pgt_run(1, 70000, false), o) == 0);
	CHECK(strcmp(pgt_run(0, 1024 * 1024 + 3, false), o) == 0);

	/* A Bind whose value runs past the kept 1 MB (asyncpg binding a
	 * 2 MB bytea): the values before it, then its first bytes, not an
	 * empty bind_values. */
	s_reset();
	s_step(C);
	s_msg('P'); s_cstr(""); s_cstr("SELECT length($2::text)"); s_be16(2);
	s_be32(23); s_be32(25); s_end();
	s_msg('B'); s_cstr(""); s_cstr(""); s_be16(1); s_be16(1); s_be16(3);
	s_be32(4); s_be32(7); s_be32((uint32_t)n); s_raw(big, n);
	s_be32(1); s_raw("z", 1); s_be16(0); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); srv_row("9");
	srv_tag("SELECT 1"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_HAS(o, "\"bind_values\":[7,\"abcdefghijklmnopqrstuvwxyzabc");
	CHECK_HAS(o, "\"],\"message_type\":\"B\",\"stmt_query\":"
	    "\"SELECT length($2::text)\",\"truncated\":true,");
	CHECK_INT(pgt_stats()->decode_errors, 0);
	free(big);
}

/* Parameter counts are unsigned 16-bit: libpq (PQ_QUERY_PARAM_MAX_LIMIT)
 * and the server take up to 65535 parameters. A count over 32767 was read
 * as negative: the Parse and Bind were called malformed and bind_values
 * came out empty. */
TEST(pg_param_count_over_32767)
{
	const char *o;
	uint32_t n = 40000, i;

	s_reset();
	s_step(C); s_msg('P'); s_u8(0); s_cstr("SELECT $1");
	s_be16((uint16_t)n);
	for (i = 0; i < n; i++)
		s_be32(23);
	s_end();
	s_msg('B'); s_u8(0); s_u8(0); s_be16(1); s_be16(0);
	s_be16((uint16_t)n);
	for (i = 0; i < n - 1; i++)
		s_be32(0xffffffff);
	s_be32(2); s_raw("42", 2);
	s_be16(0); s_end();
	s_step(S); s_msg('1'); s_end(); s_msg('2'); s_end();
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 2);
	CHECK_NOT(o, "decode_error");
	CHECK_INT(count(o, "23,"), n - 1);
	CHECK_INT(count(o, "null,"), n - 1);
	CHECK_HAS(o, "null,\"42\"],\"message_type\":\"B\"");
	CHECK_INT(pgt_stats()->decode_errors, 0);
}

/* Logical replication (pg_recvlogical, replication=database): the
 * CopyBothResponse to START_REPLICATION opens a stream that lasts until
 * the connection ends. Its record was held until then and written
 * without any response key; it is complete at CopyBothResponse. The
 * stream (XLogData, keepalives, standby status updates) and its end are
 * no requests' business. */
TEST(pg_copy_both_replication)
{
	const char *o;
	int i;

	s_reset();
	s_step(C); s_msg('Q'); s_cstr("IDENTIFY_SYSTEM"); s_end();
	s_step(S); srv_rowdesc(); srv_row("7"); srv_tag("IDENTIFY_SYSTEM");
	srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("START_REPLICATION SLOT \"s1\" "
	    "LOGICAL 0/0"); s_end();
	s_step(S); s_msg('W'); s_u8(0); s_be16(0); s_end();
	for (i = 0; i < 3; i++) {
		s_step(S); s_msg('d'); s_u8('w'); s_be32(0); s_be32(0x100);
		s_be32(0); s_be32(0x100); s_be32(0); s_be32(0);
		s_raw("BEGIN 734", 9); s_end();
		s_msg('d'); s_u8('k'); s_be32(0); s_be32(0x200); s_be32(0);
		s_be32(0); s_u8(1); s_end();
		s_step(C); s_msg('d'); s_u8('r'); s_be32(0); s_be32(0x200);
		s_be32(0); s_be32(0x200); s_be32(0); s_be32(0x200);
		s_be32(0); s_be32(0); s_u8(0); s_end();
	}
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 2);
	CHECK_HAS(o, "\"query\":\"START_REPLICATION SLOT \\\"s1\\\" LOGICAL "
	    "0/0\",\"message_type\":\"Q\",\"response_first_us\":1000,"
	    "\"response_last_us\":1000,\"status\":\"ok\"}\n");
	CHECK_INT(pgt_stats()->decode_errors, 0);
	CHECK_INT(pgt_stats()->requests, 2);

	/* The client ends the stream; the server's end of it is ignored
	 * and the next query is matched to its own response. */
	s_step(C); s_msg('c'); s_end();
	s_step(S); s_msg('c'); s_end(); srv_tag("COPY 0");
	srv_tag("START_STREAMING"); srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("SELECT 2"); s_end();
	s_step(S); srv_rowdesc(); srv_row("2"); srv_tag("SELECT 1");
	srv_ready('I');
	o = PGT_SPLITS();
	CHECK_INT(count(o, "\n"), 3);
	CHECK_INT(count(o, "\"status\":\"ok\""), 3);
	CHECK_HAS(o, "\"query\":\"SELECT 2\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"rows\":1,\"command_tag\":\"SELECT 1\",\"tx_status\":"
	    "\"idle\",\"status\":\"ok\"}\n");
	CHECK_INT(pgt_stats()->decode_errors, 0);
}

/* An error ending the stream (the walsender terminated, WAL removed)
 * comes after the START_REPLICATION record was written: it gets one of
 * its own instead of being lost. Errors outside a stream still need a
 * request to belong to. */
TEST(pg_copy_both_stream_error)
{
	const char *o;

	s_reset();
	s_step(C); s_msg('Q'); s_cstr("START_REPLICATION 0/0"); s_end();
	s_step(S); s_msg('W'); s_u8(0); s_be16(0); s_end();
	s_msg('d'); s_u8('k'); s_be32(0); s_be32(0x200); s_be32(0);
	s_be32(0); s_u8(1); s_end();
	s_step(S); s_msg('E'); s_u8('S'); s_cstr("FATAL"); s_u8('V');
	s_cstr("FATAL"); s_u8('C'); s_cstr("57P01"); s_u8('M');
	s_cstr("terminating connection due to administrator command");
	s_u8(0); s_end();
	s_step(S); srv_error("XX000", "not in a stream");
	o = PGT_SPLITS();
	CHECK_STR(o, "{\"ts\":\"1970-01-01T00:00:00.001Z\"," ADDR_C
	    ",\"query\":\"START_REPLICATION 0/0\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"status\":\"ok\"}\n"
	    "{\"ts\":\"1970-01-01T00:00:00.003Z\"," ADDR_C
	    ",\"message_type\":\"stream\",\"error_severity\":\"FATAL\","
	    "\"error_code\":\"57P01\",\"error_message\":\"terminating "
	    "connection due to administrator command\",\"status\":\"error\"}"
	    "\n");
	CHECK_INT(pgt_stats()->errors, 2);
}

/* A FATAL error on an idle session (pg_terminate_backend,
 * idle_session_timeout) answers no request: it was only counted, so a
 * session ended by the server went unseen. An ERROR without a request (a
 * capture that began inside a response) is still only counted. */
TEST(pg_fatal_on_idle_session)
{
	const char *o;

	s_reset();
	s_step(C); s_hex(UP_QUERY);
	s_step(S); srv_rowdesc(); srv_row("t"); srv_tag("SELECT 1");
	srv_ready('I');
	s_step(S); srv_error("XX000", "not for a request");
	s_step(S); s_msg('E');
	s_u8('S'); s_cstr("FATAL"); s_u8('V'); s_cstr("FATAL");
	s_u8('C'); s_cstr("57P05");
	s_u8('M'); s_cstr("terminating connection due to idle-session "
	    "timeout");
	s_u8(0); s_end();
	o = PGT_SPLITS();
	CHECK_STR(o, "{\"ts\":\"1970-01-01T00:00:00.001Z\"," ADDR_C
	    ",\"query\":\"SELECT * FROM users;\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,\"rows\":1,"
	    "\"command_tag\":\"SELECT 1\",\"tx_status\":\"idle\",\"status\":\"ok\"}\n"
	    "{\"ts\":\"1970-01-01T00:00:00.004Z\"," ADDR_C
	    ",\"message_type\":\"fatal\",\"error_severity\":\"FATAL\","
	    "\"error_code\":\"57P05\",\"error_message\":\"terminating "
	    "connection due to idle-session timeout\",\"status\":\"error\"}\n");
	CHECK_INT(pgt_stats()->errors, 2);
}

#include "emit.h"
#include "pg-value.h"

static const char *
render(uint32_t oid, int fmt, const char *hex)
{
	static struct record r;
	static struct buf b;
	uint8_t v[64];
	size_t n = test_unhex(hex, v, sizeof v);

	rec_reset(&r);
	buf_reset(&b);
	rec_array_begin(&r, "v");
	pg_value_el(&r, oid, fmt, v, n);
	rec_array_end(&r);
	emit_json_value(&b, &r, &r.f[0].val, 0);
	buf_addc(&b, '\0');
	return b.p;
}

/* A named statement's text longer than PG_KEEP_STMT: the Parse record has
 * it whole, its Bind's stmt_query and Execute's execute_query are cut and
 * say so. */
TEST(pg_long_named_statement_truncated)
{
	const char *o;
	char *big;
	size_t n = 70000, i;

	big = malloc(n + 1);
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	s_reset();
	s_step(C);
	s_msg('P'); s_cstr("_pg3_0"); s_cstr(big); s_be16(0); s_end();
	s_msg('B'); s_cstr(""); s_cstr("_pg3_0"); s_be16(0); s_be16(0);
	s_be16(0); s_end();
	s_msg('E'); s_cstr(""); s_be32(0); s_end();
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end(); s_msg('2'); s_end(); srv_tag("SELECT 0");
	srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 3);
	CHECK_INT(count(o, "\"truncated\":true"), 2);
	CHECK_HAS(o, "\"message_type\":\"B\",\"stmt_query\":\"abc");
	CHECK_HAS(o, "\",\"truncated\":true,\"response_first_us\":1000,"
	    "\"response_last_us\":1000,\"status\":\"ok\"}");
	CHECK_INT(pgt_stats()->decode_errors, 0);
	free(big);
}

TEST(pg_value_render)
{
	CHECK_STR(render(PG_OID_DATE, 1, "7fffffff"), "[\"infinity\"]");
	CHECK_STR(render(PG_OID_DATE, 1, "80000000"), "[\"-infinity\"]");
	/* 2000-01-01 minus 730120 days = 0001-01-01; one more is 1 BC. */
	CHECK_STR(render(PG_OID_DATE, 1, "fff4dbf9"), "[\"0001-01-01\"]");
	CHECK_STR(render(PG_OID_DATE, 1, "fff4dbf8"), "[\"0001-12-31 BC\"]");
	CHECK_STR(render(PG_OID_TIMESTAMP, 1, "ffffffffffffffff"),
	    "[\"1999-12-31 23:59:59.999999\"]");
	CHECK_STR(render(PG_OID_TIMESTAMP, 1, "7fffffffffffffff"),
	    "[\"infinity\"]");
	CHECK_STR(render(PG_OID_TIMESTAMPTZ, 1, "000000003b9aca00"),
	    "[\"2000-01-01 00:16:40+00\"]");
	CHECK_STR(render(PG_OID_INT4, 1, "0102"), "[\"\\\\x0102\"]");
	CHECK_STR(render(PG_OID_BOOL, 1, "00"), "[false]");
	CHECK_STR(render(PG_OID_OID, 1, "ffffffff"), "[4294967295]");
	CHECK_STR(render(PG_OID_INT2, 1, "8000"), "[-32768]");
	CHECK_STR(render(PG_OID_FLOAT8, 1, "7ff8000000000000"), "[\"NaN\"]");
	CHECK_STR(render(PG_OID_FLOAT4, 1, "ff800000"), "[\"-Infinity\"]");
	CHECK_STR(render(PG_OID_JSONB, 1, "02"), "[\"\\\\x02\"]");
	CHECK_STR(render(PG_OID_INT4, 0, "3132"), "[\"12\"]");
	CHECK_STR(render(PG_OID_INT4, 7, "3132"), "[\"\\\\x3132\"]");
	CHECK_STR(render(0, 1, ""), "[\"\\\\x\"]");
}

TEST(pg_proxy_mode_keys)
{
	const char *o;

	/* Key order as upstream's proxy output (proxysim_pg_conn50736). */
	pgt_mode = ENG_PROXY;
	s_reset();
	s_step(C); s_hex(UP_STARTUP);
	s_step(S); s_msg('R'); s_be32(0); s_end(); srv_ready('I');
	s_step(C); s_hex(UP_PARSE);
	s_step(S); s_msg('1'); s_end(); s_msg('n'); s_end(); srv_ready('I');
	o = PGT_SPLITS();
	pgt_mode = ENG_READ;
	CHECK_STR(o, "{\"stmt_name\":\"\",\"parse_query\":\"SELECT CONCAT($1::text, "
	    "$2::text, $3::text);\",\"message_type\":\"P\",\"conn_id\":"
	    "\"bfk0d5rt4dkl5ke0e5ig\",\"client_addr\":\"127.0.0.1:50000\","
	    "\"proxy_listen_addr\":\"127.0.0.1:33065\",\"proxy_client_addr\":"
	    "\"127.0.0.1:50001\",\"remote_addr\":\"127.0.0.1:5432\","
	    "\"username\":\"postgres\",\"database\":\"testdb\","
	    "\"conn_seq_num\":2,\"direction\":\"->\",\"ts\":"
	    "\"1970-01-01T00:00:00.003Z\",\"response_first_us\":1000,"
	    "\"response_last_us\":1000,\"status\":\"ok\"}\n");
}

/*
 * pgx SendBatch and pgjdbc executeBatch send hundreds of Bind/Execute
 * pairs before one Sync. Only 128 requests kept their records until the
 * responses came: the rest were written at once without them, the one
 * that failed among them too (its error was in no record). Records are
 * now held up to 4096 requests and a byte budget per connection; past
 * it they go out at once without response keys, matching in step.
 */
TEST(pg_deep_pipeline_bounded)
{
	const char *o;
	char big[8192];
	int i;

	s_reset();
	s_step(C);
	s_msg('P'); s_cstr("s1"); s_cstr("INSERT INTO t VALUES ($1)");
	s_be16(0); s_end();
	for (i = 0; i < 300; i++) {
		char v[8];

		snprintf(v, sizeof v, "%d", i);
		s_msg('B'); s_cstr(""); s_cstr("s1"); s_be16(0); s_be16(1);
		s_be32((uint32_t)strlen(v)); s_raw(v, strlen(v)); s_be16(0);
		s_end();
		s_msg('D'); s_u8('P'); s_cstr(""); s_end();
		s_msg('E'); s_cstr(""); s_be32(0); s_end();
	}
	s_msg('S'); s_end();
	s_step(S);
	s_msg('1'); s_end();
	for (i = 0; i < 150; i++) {
		s_msg('2'); s_end(); s_msg('n'); s_end();
		srv_tag("INSERT 0 1");
	}
	s_msg('2'); s_end(); s_msg('n'); s_end();
	srv_error("23505", "duplicate key");
	srv_ready('I');
	s_step(C); s_msg('Q'); s_cstr("SELECT 2"); s_end();
	s_step(S); srv_tag("SELECT 2"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 1 + 600 + 1);
	CHECK_INT(count(o, "\"status\":\"ok\""), 1 + 151 + 150 + 1);
	CHECK_INT(count(o, "\"status\":\"skipped\""), 2 * 149);
	CHECK_HAS(o, "\"bind_values\":[\"150\"],\"message_type\":\"B\","
	    "\"stmt_query\":\"INSERT INTO t VALUES ($1)\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,"
	    "\"status\":\"ok\"}");
	CHECK_INT(count(o, "\"error_code\":\"23505\""), 1);

	/* Past the byte budget (each record here carries an 8 KB text):
	 * the overflow goes out at once without response keys; matching
	 * stays in step. */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "SELECT 1 --", 11);
	s_reset();
	s_step(C);
	for (i = 0; i < 1000; i++) {
		s_msg('Q'); s_cstr(big); s_end();
	}
	s_step(S);
	for (i = 0; i < 1000; i++) {
		srv_tag(i == 999 ? "SELECT 7" : "SELECT 1");
		srv_ready('I');
	}
	s_step(C); s_msg('Q'); s_cstr("SELECT 2"); s_end();
	s_step(S); srv_tag("SELECT 2"); srv_ready('I');
	o = pgt_run(-1, 0, false);
	CHECK_INT(count(o, "\n"), 1001);
	CHECK_INT(count(o, "\"status\":\"ok\"") < 1000, 1);
	CHECK_INT(count(o, "\"status\":\"ok\"") > 300, 1);
	CHECK_HAS(o, "\"query\":\"SELECT 2\",\"message_type\":\"Q\","
	    "\"response_first_us\":1000,\"response_last_us\":1000,\"rows\":2");
	/* The last one was sent out early: its tag has no record. */
	CHECK_NOT(o, "SELECT 7");
}
