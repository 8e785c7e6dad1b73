/* test-proxyproto.c - PROXY protocol v1/v2 parser. */
#include <stdlib.h>

#include "proxyproto.h"
#include "test.h"

/* Parses exactly n bytes from a heap copy so ASan sees any over-read. */
static enum pp_status
parse(const void *p, size_t n, struct pp_result *r)
{
	uint8_t		*copy = malloc(n ? n : 1);
	enum pp_status	 st;

	memcpy(copy, p, n);
	st = pp_parse(copy, n, r);
	free(copy);
	return st;
}

/* Every proper prefix of a complete header must answer PP_MORE. */
static void
check_prefixes(const uint8_t *p, size_t n)
{
	struct pp_result	r;
	size_t			i;

	for (i = 0; i < n; i++) {
		enum pp_status st = parse(p, i, &r);
		if (st != PP_MORE)
			test_fail(__FILE__, __LINE__, "prefix %zu/%zu: %d", i, n,
			    (int)st);
	}
}

TEST(pp_v1_tcp4_upstream_vector)
{
	const char		*h = "PROXY TCP4 198.51.100.22 203.0.113.7 35646 80\r\n";
	struct pp_result	 r;

	CHECK_INT(parse(h, strlen(h), &r), PP_OK);
	CHECK_INT(r.len, 47);
	CHECK_INT(r.has_addr, 1);
	CHECK_STR(r.src, "198.51.100.22:35646");
	CHECK_STR(r.dst, "203.0.113.7:80");
	check_prefixes((const uint8_t *)h, strlen(h));
}

TEST(pp_v1_followed_by_payload)
{
	const char		*h = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nSELECT 1";
	struct pp_result	 r;

	CHECK_INT(parse(h, strlen(h), &r), PP_OK);
	CHECK_INT(r.len, 32);
	CHECK_STR(r.src, "1.2.3.4:1");
	CHECK_STR(r.dst, "5.6.7.8:2");
}

TEST(pp_v1_tcp6)
{
	const char		*h = "PROXY TCP6 2001:db8::1 ::1 1234 5432\r\n";
	struct pp_result	 r;

	CHECK_INT(parse(h, strlen(h), &r), PP_OK);
	CHECK_INT(r.len, strlen(h));
	CHECK_STR(r.src, "[2001:db8::1]:1234");
	CHECK_STR(r.dst, "[::1]:5432");
	check_prefixes((const uint8_t *)h, strlen(h));
}

TEST(pp_v1_unknown)
{
	const char		*h = "PROXY UNKNOWN\r\nabc";
	const char		*h2 = "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n";
	struct pp_result	 r;

	CHECK_INT(parse(h, strlen(h), &r), PP_OK);
	CHECK_INT(r.len, 15);
	CHECK_INT(r.has_addr, 0);
	CHECK_STR(r.src, "");
	CHECK_INT(parse(h2, strlen(h2), &r), PP_OK);
	CHECK_INT(r.len, strlen(h2));
	CHECK_INT(r.has_addr, 0);
}

TEST(pp_v1_malformed)
{
	static const char *bad[] = {
		"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
		"PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.400 5.6.7.8 1 2\r\n",
		"PROXY TCP4 ::1 5.6.7.8 1 2\r\n",
		"PROXY TCP6 1.2.3.4 ::1 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 x\r\n",
		"PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
		"PROXY \r\n",
		"PROXY TCP4\r\n",
	};
	struct pp_result	r;
	size_t			i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum pp_status st = parse(bad[i], strlen(bad[i]), &r);
		if (st != PP_ERROR)
			test_fail(__FILE__, __LINE__, "case %zu: %d", i, (int)st);
		CHECK(r.err != NULL);
		CHECK_INT(r.len, 0);
	}
}

TEST(pp_v1_no_crlf_bounded)
{
	uint8_t			buf[300];
	struct pp_result	r;
	size_t			n;

	memcpy(buf, "PROXY TCP4 ", 11);
	memset(buf + 11, '1', sizeof buf - 11);
	/* Below the 107-byte limit: wait; at or past it: error. */
	for (n = 6; n < 106; n++)
		CHECK_INT(parse(buf, n, &r), PP_MORE);
	for (n = 106; n <= sizeof buf; n++)
		CHECK_INT(parse(buf, n, &r), PP_ERROR);
	/* A CR as the 107th byte leaves no room for the LF. */
	memset(buf + 11, 'a', 95);
	buf[106] = '\r';
	buf[107] = '\n';
	CHECK_INT(parse(buf, 108, &r), PP_ERROR);
}

TEST(pp_v1_longest_line)
{
	/* A maximal TCP6 line (104 bytes + CRLF) is accepted. */
	const char *h = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	struct pp_result r;

	CHECK_INT(strlen(h), 104);
	CHECK_INT(parse(h, strlen(h), &r), PP_OK);
	CHECK_STR(r.src, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

TEST(pp_v2_ipv4_upstream_vector)
{
	uint8_t			b[64];
	size_t			n;
	struct pp_result	r;

	n = test_unhex("0d0a0d0a000d0a515549540a 21 11 000c 7d190a01 0a040508 "
	    "1f90 1068", b, sizeof b);
	CHECK_INT(n, 28);
	CHECK_INT(parse(b, n, &r), PP_OK);
	CHECK_INT(r.len, 28);
	CHECK_INT(r.has_addr, 1);
	CHECK_STR(r.src, "125.25.10.1:8080");
	CHECK_STR(r.dst, "10.4.5.8:4200");
	check_prefixes(b, n);
}

TEST(pp_v2_tlvs_skipped)
{
	uint8_t			b[64];
	size_t			n;
	struct pp_result	r;

	/* Length 0x14: the 12-byte address block and an 8-byte TLV. */
	n = test_unhex("0d0a0d0a000d0a515549540a 21 11 0014 7f000001 7f000002 "
	    "0001 0002 04 0005 6162636465 ffff", b, sizeof b);
	CHECK_INT(parse(b, n, &r), PP_OK);
	CHECK_INT(r.len, 36);
	CHECK_STR(r.src, "127.0.0.1:1");
	CHECK_STR(r.dst, "127.0.0.2:2");
	check_prefixes(b, 36);
}

TEST(pp_v2_ipv6)
{
	uint8_t			b[64];
	size_t			n;
	struct pp_result	r;

	n = test_unhex("0d0a0d0a000d0a515549540a 21 21 0024 "
	    "20010db8000000000000000000000001 00000000000000000000000000000001 "
	    "04d2 1538", b, sizeof b);
	CHECK_INT(n, 52);
	CHECK_INT(parse(b, n, &r), PP_OK);
	CHECK_INT(r.len, 52);
	CHECK_STR(r.src, "[2001:db8::1]:1234");
	CHECK_STR(r.dst, "[::1]:5432");
	check_prefixes(b, n);
}

TEST(pp_v2_local_and_unspec)
{
	uint8_t			b[64];
	size_t			n;
	struct pp_result	r;

	/* LOCAL with UNSPEC and no addresses: a HAProxy health check. */
	n = test_unhex("0d0a0d0a000d0a515549540a 20 00 0000", b, sizeof b);
	CHECK_INT(parse(b, n, &r), PP_OK);
	CHECK_INT(r.len, 16);
	CHECK_INT(r.has_addr, 0);
	/* LOCAL with an address block: skipped, not reported. */
	n = test_unhex("0d0a0d0a000d0a515549540a 20 11 000c 7f000001 7f000002 "
	    "0001 0002", b, sizeof b);
	CHECK_INT(parse(b, n, &r), PP_OK);
	CHECK_INT(r.len, 28);
	CHECK_INT(r.has_addr, 0);
	/* PROXY with UNSPEC. */
	n = test_unhex("0d0a0d0a000d0a515549540a 21 00 0000 4142", b, sizeof b);
	CHECK_INT(parse(b, n, &r), PP_OK);
	CHECK_INT(r.len, 16);
	CHECK_INT(r.has_addr, 0);
}

TEST(pp_v2_unix)
{
	uint8_t			b[300];
	struct pp_result	r;

	memset(b, 0, sizeof b);
	test_unhex("0d0a0d0a000d0a515549540a 21 31 00d8", b, sizeof b);
	memcpy(b + 16, "/run/a.sock", 11);
	memcpy(b + 16 + 108, "/run/b.sock", 11);
	CHECK_INT(parse(b, 232, &r), PP_OK);
	CHECK_INT(r.len, 232);
	CHECK_STR(r.src, "/run/a.sock");
	CHECK_STR(r.dst, "/run/b.sock");
	check_prefixes(b, 232);
}

TEST(pp_v2_malformed)
{
	static const char *bad[] = {
		"0d0a0d0a000d0a515549540a 11 11 000c",	/* version 1 */
		"0d0a0d0a000d0a515549540a 22 11 000c",	/* command 2 */
		"0d0a0d0a000d0a515549540a 21 41 000c",	/* family 4 */
		"0d0a0d0a000d0a515549540a 21 13 000c",	/* transport 3 */
		"0d0a0d0a000d0a515549540a 21 11 0008 7f000001 7f000002",
		"0d0a0d0a000d0a515549540a 21 21 000c 7f000001 7f000002 00010002",
		"0d0a0d0a000d0a515549540a 21 31 0000",
	};
	uint8_t			b[64];
	struct pp_result	r;
	size_t			i, n;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = test_unhex(bad[i], b, sizeof b);
		enum pp_status st = parse(b, n, &r);
		if (st != PP_ERROR)
			test_fail(__FILE__, __LINE__, "case %zu: %d", i, (int)st);
		CHECK(r.err != NULL);
	}
}

TEST(pp_v2_length_beyond_buffer)
{
	uint8_t			b[64];
	size_t			n;
	struct pp_result	r;

	/* The length says 0xffff: never read past what we have, wait. */
	n = test_unhex("0d0a0d0a000d0a515549540a 21 11 ffff 7f000001 7f000002 "
	    "0001 0002", b, sizeof b);
	CHECK_INT(parse(b, n, &r), PP_MORE);
}

TEST(pp_none)
{
	static const char *none[] = {
		"GET / HTTP/1.1\r\n", "PROXX", "PROXYTCP4", "\r\n\r\n\x01",
		"\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0b",
	};
	uint8_t			mysql[] = { 0x54, 0x00, 0x00, 0x01 };
	struct pp_result	r;
	size_t			i;

	for (i = 0; i < 4; i++)
		CHECK_INT(parse(none[i], strlen(none[i]) ? strlen(none[i]) : 1,
		    &r), PP_NONE);
	CHECK_INT(parse(none[4], 12, &r), PP_NONE);
	CHECK_INT(parse(mysql, sizeof mysql, &r), PP_NONE);
	CHECK_INT(parse("P", 1, &r), PP_MORE);
	CHECK_INT(parse("", 0, &r), PP_MORE);
}

TEST(pp_random_never_overreads)
{
	uint8_t			b[256];
	struct pp_result	r;
	unsigned		seed = 1;
	int			i;
	size_t			j, n;

	/* Random tails after both signatures: any status, no over-read
	 * (ASan checks the heap copy), consistent lengths. */
	for (i = 0; i < 20000; i++) {
		n = (size_t)(i % 250) + 1;
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			b[j] = (uint8_t)(seed >> 16);
		}
		if (i & 1)
			memcpy(b, "\x0d\x0a\x0d\x0a\x00\x0d\x0a\x51\x55\x49\x54\x0a\x21",
			    n < 13 ? n : 13);
		else
			memcpy(b, "PROXY TCP4 ", n < 11 ? n : 11);
		enum pp_status st = parse(b, n, &r);
		if (st == PP_OK)
			CHECK(r.len <= n);
		if (st == PP_ERROR)
			CHECK(r.err != NULL);
	}
}
