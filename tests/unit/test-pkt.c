/* test-pkt.c - frame parsing over every link type, and hostile headers. */
#include "pkt.h"
#include "synth.h"
#include "test.h"

static const uint8_t mssopt[] = { 1, 1, 2, 4, 0x05, 0xb4, 0, 0 };

TEST(pkt_ethernet_ipv4)
{
	struct synth	s;
	struct pkt	pk;
	uint8_t		f[256];
	size_t		n;

	synth_v4(&s, 40000, 3306);
	n = synth_frame(f, &s, 1, TH_SYN, 7, 0, "abc", 3, mssopt,
	    sizeof mssopt);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_OK);
	CHECK_INT(pk.af, 4);
	CHECK_INT(pk.sport, 40000);
	CHECK_INT(pk.dport, 3306);
	CHECK_INT(pk.seq, 7);
	CHECK_INT(pk.flags, TH_SYN);
	CHECK_INT(pk.mss, 1460);
	CHECK_INT(pk.len, 3);
	CHECK_INT(pk.wire_len, 3);
	CHECK_MEM(pk.payload, pk.len, "abc", 3);
	/* Ethernet padding after the IP packet is not payload. */
	memset(f + n, 0xee, 10);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n + 10), PKT_OK);
	CHECK_INT(pk.len, 3);
}

TEST(pkt_other_link_types)
{
	struct synth	s;
	struct pkt	pk;
	uint8_t		f[256], g[300];
	size_t		n;

	synth_v6(&s, 40000, 5432);
	n = synth_frame(f, &s, 0, TH_ACK, 1, 2, "xy", 2, NULL, 0);
	/* Raw IP */
	CHECK_INT(pkt_parse(&pk, PKT_DLT_RAW, f + 14, n - 14), PKT_OK);
	CHECK_INT(pk.af, 6);
	CHECK_INT(pk.sport, 5432);
	CHECK_INT(pk.len, 2);
	/* BSD loopback (NULL): 4-byte family in any byte order */
	memcpy(g, "\x1e\0\0\0", 4);
	memcpy(g + 4, f + 14, n - 14);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_NULL, g, n - 10), PKT_OK);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_LOOP, g, n - 10), PKT_OK);
	/* Linux cooked v1: protocol at 14..15 */
	memset(g, 0, 16);
	g[14] = 0x86; g[15] = 0xdd;
	memcpy(g + 16, f + 14, n - 14);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_LINUX_SLL, g, n + 2), PKT_OK);
	CHECK_INT(pk.len, 2);
	/* Linux cooked v2: protocol at 0..1, 20-byte header */
	memset(g, 0, 20);
	g[0] = 0x86; g[1] = 0xdd;
	memcpy(g + 20, f + 14, n - 14);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_LINUX_SLL2, g, n + 6), PKT_OK);
	CHECK_MEM(pk.payload, pk.len, "xy", 2);
	/* Linux cooked v1 and v2 with the VLAN tag libpcap puts back in
	 * after the header: protocol 0x8100, then the tag. */
	memset(g, 0, 20);
	g[14] = 0x81;
	g[17] = 10;
	g[18] = 0x86; g[19] = 0xdd;
	memcpy(g + 20, f + 14, n - 14);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_LINUX_SLL, g, n + 6), PKT_OK);
	CHECK_MEM(pk.payload, pk.len, "xy", 2);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_LINUX_SLL, g, 19), PKT_TRUNC);
	memset(g, 0, 24);
	g[0] = 0x88; g[1] = 0xa8;
	g[21] = 10;
	g[22] = 0x86; g[23] = 0xdd;
	memcpy(g + 24, f + 14, n - 14);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_LINUX_SLL2, g, n + 10), PKT_OK);
	CHECK_MEM(pk.payload, pk.len, "xy", 2);
	/* VLAN */
	s.vlan = 2;
	n = synth_frame(f, &s, 0, TH_ACK, 1, 2, "xy", 2, NULL, 0);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_OK);
	CHECK_MEM(pk.payload, pk.len, "xy", 2);
	CHECK(!pkt_dlt_supported(105));
}

TEST(pkt_every_cut_and_garbage)
{
	struct synth	s;
	struct pkt	pk;
	uint8_t		f[256];
	size_t		n, i;
	int		rc;
	unsigned	x = 12345;

	synth_v4(&s, 40000, 3306);
	n = synth_frame(f, &s, 1, TH_ACK, 1, 2, "hello", 5, mssopt,
	    sizeof mssopt);
	for (i = 0; i < n; i++) {
		rc = pkt_parse(&pk, PKT_DLT_EN10MB, f, i);
		if (i < 14 + 20 + 20)
			CHECK(rc == PKT_TRUNC);
		else if (i < 14 + 20 + 28) {
			/* Options cut: the header's fixed part counts, the
			 * payload is all missing, the MSS kept once whole. */
			CHECK_INT(rc, PKT_OK);
			CHECK_INT(pk.flags, TH_ACK);
			CHECK_INT(pk.seq, 1);
			CHECK_INT(pk.len, 0);
			CHECK_INT(pk.wire_len, 5);
			CHECK_INT(pk.opts_bad, 0);
			CHECK_INT(pk.mss, i >= 14 + 20 + 26 ? 1460 : -1);
		} else {
			CHECK_INT(rc, PKT_OK);
			CHECK_INT(pk.len, i - 62);
			CHECK_INT(pk.wire_len, 5);
		}
	}
	/* Random bytes after a valid Ethernet/IPv4 prefix. */
	for (i = 0; i < 20000; i++) {
		size_t j, len = 14 + (x % 80);

		for (j = 14; j < len; j++) {
			x = x * 1103515245 + 12345;
			f[j] = (uint8_t)(x >> 16);
		}
		if (i & 1)
			f[14] = 0x45;
		else
			f[14] = 0x60;
		f[23] = 6;
		(void)pkt_parse(&pk, PKT_DLT_EN10MB, f, len);
		(void)pkt_parse(&pk, PKT_DLT_LINUX_SLL2, f, len);
	}
}

/* macOS PKTAP (tcpdump -i any / -k): its own header length, then the
 * packet with the link type the header names; little-endian fields. */
TEST(pkt_pktap)
{
	struct synth	s;
	struct pkt	pk;
	uint8_t		f[256], g[400];
	size_t		n, hl = 108;

	synth_v4(&s, 40000, 3306);
	n = synth_frame(f, &s, 0, TH_ACK, 1, 2, "xy", 2, NULL, 0);
	memset(g, 0, hl);
	g[0] = (uint8_t)hl;
	g[4] = 1;			/* PTH_TYPE_PACKET */
	g[8] = PKT_DLT_EN10MB;
	memcpy(g + hl, f, n);
	CHECK(pkt_dlt_supported(PKT_DLT_PKTAP));
	CHECK_INT(pkt_parse(&pk, PKT_DLT_PKTAP, g, hl + n), PKT_OK);
	CHECK_INT(pk.sport, 3306);
	CHECK_MEM(pk.payload, pk.len, "xy", 2);
	/* a loopback packet (NULL) behind it */
	g[8] = PKT_DLT_NULL;
	memcpy(g + hl, "\x02\0\0\0", 4);
	memcpy(g + hl + 4, f + 14, n - 14);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_PKTAP, g, hl + n - 10), PKT_OK);
	CHECK_MEM(pk.payload, pk.len, "xy", 2);
	/* cut inside the header, a header shorter than its fields, a
	 * record that is not a packet, an unknown or nested link type */
	CHECK_INT(pkt_parse(&pk, PKT_DLT_PKTAP, g, 11), PKT_TRUNC);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_PKTAP, g, hl - 1), PKT_TRUNC);
	g[0] = 8;
	CHECK_INT(pkt_parse(&pk, PKT_DLT_PKTAP, g, hl + n - 10), PKT_BAD);
	g[0] = (uint8_t)hl;
	g[4] = 2;
	CHECK_INT(pkt_parse(&pk, PKT_DLT_PKTAP, g, hl + n - 10), PKT_SKIP);
	g[4] = 1;
	g[8] = 0xee;
	CHECK_INT(pkt_parse(&pk, PKT_DLT_PKTAP, g, hl + n - 10), PKT_SKIP);
	g[8] = 2;
	g[9] = 1;			/* 258: PKTAP again */
	CHECK_INT(pkt_parse(&pk, PKT_DLT_PKTAP, g, hl + n - 10), PKT_SKIP);
	/* a header length past 32 bits' worth of capture */
	g[8] = PKT_DLT_NULL;
	g[9] = 0;
	g[3] = 0xff;
	CHECK_INT(pkt_parse(&pk, PKT_DLT_PKTAP, g, hl + n - 10), PKT_TRUNC);
}

TEST(pkt_bad_headers)
{
	struct synth	s;
	struct pkt	pk;
	uint8_t		f[256];
	size_t		n;

	synth_v4(&s, 40000, 3306);
	n = synth_frame(f, &s, 1, TH_ACK, 1, 2, "hello", 5, NULL, 0);
	f[14 + 20 + 12] = 0x30;		/* TCP header of 12 bytes */
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_BAD);
	f[14 + 20 + 12] = 0xf0;		/* 60 bytes: past the IP length */
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_BAD);
	f[14 + 20 + 12] = 0x50;
	f[14 + 3] = 10;			/* IP total length < header */
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_BAD);
	f[14 + 3] = (uint8_t)(n - 14);
	f[14 + 6] = 0x20;		/* more fragments */
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_FRAG);
	f[14 + 6] = 0;
	f[14 + 9] = 17;			/* UDP */
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_SKIP);
}

TEST(pkt_ipv6_ext_header_past_capture)
{
	uint8_t		f[64];
	struct pkt	pk;

	/* IPv6 claiming 200 payload bytes, a hop-by-hop header of 8 * 5
	 * bytes, and only 56 bytes captured: the walk leaves the capture. */
	memset(f, 0, sizeof f);
	f[0] = 0x60;
	f[5] = 200;
	f[6] = 0;		/* hop-by-hop */
	f[40] = 6;		/* then TCP */
	f[41] = 4;		/* (4 + 1) * 8 = 40 bytes */
	CHECK_INT(pkt_parse(&pk, PKT_DLT_RAW, f, 56), PKT_TRUNC);
	CHECK_INT(pkt_parse_ip(&pk, f, 48), PKT_TRUNC);
}

/* The timestamps layout Linux puts on every segment takes a shortcut; its
 * look-alikes with a bad length still go through the walk and are
 * flagged. */
TEST(pkt_tcp_options_timestamps)
{
	static const uint8_t ts[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
	static const uint8_t tsbad[] = { 1, 1, 8, 11, 0, 0, 0, 1, 0, 0, 0, 2 };
	static const uint8_t tsmss[] = { 2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0,
	    0, 1, 0, 0, 0, 2 };
	struct synth	s;
	struct pkt	pk;
	uint8_t		f[256];
	size_t		n;

	synth_v4(&s, 40000, 3306);
	n = synth_frame(f, &s, 1, TH_ACK, 7, 9, "abc", 3, ts, sizeof ts);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_OK);
	CHECK_INT(pk.opts_bad, 0);
	CHECK_INT(pk.mss, -1);
	CHECK_MEM(pk.payload, pk.len, "abc", 3);
	n = synth_frame(f, &s, 1, TH_ACK, 7, 9, "abc", 3, tsbad,
	    sizeof tsbad);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_OK);
	CHECK_INT(pk.opts_bad, 1);
	n = synth_frame(f, &s, 1, TH_SYN, 7, 0, "", 0, tsmss, sizeof tsmss);
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_OK);
	CHECK_INT(pk.opts_bad, 0);
	CHECK_INT(pk.mss, 1460);
}

/* IPv4 total length 0 is a segment beyond 64 KB (BIG TCP, TSO hardware):
 * its payload is what was captured, not a malformed header. */
TEST(pkt_ipv4_total_length_zero)
{
	struct synth	s;
	struct pkt	pk;
	uint8_t		f[256];
	size_t		n;

	synth_v4(&s, 40000, 3306);
	n = synth_frame(f, &s, 1, TH_ACK, 1, 2, "hello", 5, NULL, 0);
	f[14 + 2] = 0;
	f[14 + 3] = 0;
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, n), PKT_OK);
	CHECK_MEM(pk.payload, pk.len, "hello", 5);
	CHECK_INT(pk.wire_len, 5);
	/* Only the header captured: no payload, nothing claimed. */
	CHECK_INT(pkt_parse(&pk, PKT_DLT_EN10MB, f, 14 + 20 + 20), PKT_OK);
	CHECK_INT(pk.len, 0);
	CHECK_INT(pk.wire_len, 0);
}
