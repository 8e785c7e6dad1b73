/* test-connid.c - xid-compatible conn_id (SPEC §3.5). */
#include "connid.h"
#include "test.h"

TEST(connid_encode_vectors)
{
	/* rs/xid's own test vector: 4d88e15b60f486e428412dc9 */
	static const uint8_t raw[12] = { 0x4d, 0x88, 0xe1, 0x5b, 0x60, 0xf4,
	    0x86, 0xe4, 0x28, 0x41, 0x2d, 0xc9 };
	char	out[CONNID_LEN + 1];

	connid_encode(out, raw);
	CHECK_STR(out, "9m4e2mr0ui3e8a215n4g");
}

TEST(connid_new_ordered_unique)
{
	char	a[CONNID_LEN + 1], b[CONNID_LEN + 1];

	/* 2026-11-26T11:36:19Z, when SPEC saw ids starting "dc41" */
	connid_new(a, 1795692979);
	connid_new(b, 1795692979);
	CHECK_INT(strlen(a), 20);
	CHECK(strcmp(a, b) != 0);
	CHECK(strncmp(a, "dc41", 4) == 0);
	connid_new(b, 1795692980);
	CHECK(strcmp(a, b) < 0);
}
