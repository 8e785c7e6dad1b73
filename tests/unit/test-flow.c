/* test-flow.c - the flow table and reassembly end to end: synthetic
 * frames in, byte streams out (through a decoder that records them). */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <unistd.h>

#include "decode.h"
#include "engine.h"
#include "flow.h"
#include "synth.h"
#include "target.h"
#include "test.h"

#define COLL_MAX	8192

struct coll {
	uint8_t		buf[2][COLL_MAX];
	size_t		n[2];
	uint64_t	gap_bytes[2];
	int		gaps[2];
	int		chunks[2];
	int		opens, closes;
	char		id[CONNID_LEN + 1];
	char		cli[ADDR_STRLEN], srv[ADDR_STRLEN];
	int64_t		mss;
	int		syn_seen;
	char		events[256];	/* chunks' bytes, ' ' between, '|' a gap */
	int64_t		last_ts[2];	/* of the last chunk per direction */
	uint64_t	last_acked[2];	/* its peer_acked */
};

static struct coll	*coll;

static void
coll_event(const char *p, size_t n)
{
	size_t	len = strlen(coll->events);

	if (len + n + 2 < sizeof coll->events) {
		if (len > 0)
			coll->events[len++] = ' ';
		memcpy(coll->events + len, p, n);
		coll->events[len + n] = '\0';
	}
}

static void
coll_open(struct conn *c, void *st)
{
	(void)st;
	coll->opens++;
	snprintf(coll->id, sizeof coll->id, "%s", c->id);
	snprintf(coll->cli, sizeof coll->cli, "%s", c->cli);
	snprintf(coll->srv, sizeof coll->srv, "%s", c->srv);
	coll->syn_seen = c->syn_seen;
}

static void
coll_data(struct conn *c, void *st, const struct chunk *ch)
{
	(void)c;
	(void)st;
	if (coll->n[ch->dir] + ch->n <= COLL_MAX) {
		memcpy(coll->buf[ch->dir] + coll->n[ch->dir], ch->p, ch->n);
		coll->n[ch->dir] += ch->n;
	}
	coll->chunks[ch->dir]++;
	coll->last_ts[ch->dir] = ch->ts_us;
	coll->last_acked[ch->dir] = ch->peer_acked;
	coll_event((const char *)ch->p, ch->n);
}

static void
coll_gap(struct conn *c, void *st, enum dir d, uint64_t n, int64_t ts)
{
	(void)c;
	(void)st;
	(void)ts;
	coll->gaps[d]++;
	coll->gap_bytes[d] += n;
	coll_event("|", 1);
}

static void
coll_close(struct conn *c, void *st, int64_t ts)
{
	uint32_t	i;

	(void)st;
	(void)ts;
	coll->closes++;
	for (i = 0; i < c->meta.nf; i++)
		if (strcmp(c->meta.f[i].key, "mss") == 0)
			coll->mss = c->meta.f[i].val.v.i;
}

static const struct decoder coll_dec = {
	.name = "coll",
	.state_size = 1,
	.open = coll_open,
	.data = coll_data,
	.gap = coll_gap,
	.close = coll_close,
};

struct rig {
	struct engine		eng;
	struct target		tgt;
	struct flow_table	ft;
	struct coll		c;
	struct synth		s;
	int64_t			ts;
};

static void
rig_init(struct rig *g, const char *target, int af, int vlan)
{
	char	err[256];

	memset(g, 0, sizeof *g);
	coll = &g->c;
	coll->mss = -1;
	engine_init(&g->eng, ENG_READ, &coll_dec);
	if (target_parse(&g->tgt, target, err, sizeof err) != 0)
		test_fail(__FILE__, __LINE__, "target: %s", err);
	flow_table_init(&g->ft, &g->eng, &g->tgt);
	g->ft.all_conns = true;
	if (af == 6)
		synth_v6(&g->s, 50000, 3306);
	else
		synth_v4(&g->s, 50000, 3306);
	g->s.vlan = vlan;
	g->ts = 1000000;
}

static void
rig_free(struct rig *g)
{
	flow_table_free(&g->ft);
	engine_free(&g->eng);
	target_free(&g->tgt);
}

static void
rig_send(struct rig *g, int cli, uint8_t flags, uint32_t off, const char *d,
    const uint8_t *opts, size_t optlen)
{
	uint8_t		f[2048];
	size_t		n;
	uint32_t	seq, ack;

	seq = (cli ? g->s.cisn : g->s.sisn) + 1 + off;
	if (flags & TH_SYN)
		seq--;
	ack = (cli ? g->s.sisn : g->s.cisn) + 1;
	n = synth_frame(f, &g->s, cli, flags, seq, ack, d, d ? strlen(d) : 0,
	    opts, optlen);
	flow_frame(&g->ft, PKT_DLT_EN10MB, f, n, g->ts);
	g->ts += 100;
}

static const uint8_t mss_opt[] = { 2, 4, 0x3f, 0xd8, 1, 1, 4, 2 };

static void
rig_handshake(struct rig *g)
{
	rig_send(g, 1, TH_SYN, 0, NULL, mss_opt, sizeof mss_opt);
	rig_send(g, 0, TH_SYN | TH_ACK, 0, NULL, mss_opt, sizeof mss_opt);
	rig_send(g, 1, TH_ACK, 0, NULL, NULL, 0);
}

/* A segment at offset off of its sender's stream acknowledging the peer's
 * bytes up to pack. */
static void
rig_send_ack(struct rig *g, int cli, uint8_t flags, uint32_t off,
    uint32_t pack, const char *d)
{
	uint8_t		f[2048];
	size_t		n;

	n = synth_frame(f, &g->s, cli, flags,
	    (cli ? g->s.cisn : g->s.sisn) + 1 + off,
	    (cli ? g->s.sisn : g->s.cisn) + 1 + pack, d, d ? strlen(d) : 0,
	    NULL, 0);
	flow_frame(&g->ft, PKT_DLT_EN10MB, f, n, g->ts);
	g->ts += 100;
}

/* The client's FIN, then the server's acknowledging all of it, as a
 * close goes: the flow ends once every byte before both FINs is in. */
static void
rig_fins(struct rig *g, uint32_t coff, uint32_t soff)
{
	rig_send_ack(g, 1, TH_FIN | TH_ACK, coff, soff, NULL);
	rig_send_ack(g, 0, TH_FIN | TH_ACK, soff, coff + 1, NULL);
}

#define CHECK_STREAM(g, d, s) \
	CHECK_MEM((g)->c.buf[d], (g)->c.n[d], s, strlen(s))

TEST(flow_in_order)
{
	struct rig	g;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK | TH_PUSH, 0, "hello ", NULL, 0);
	rig_send(&g, 1, TH_ACK | TH_PUSH, 6, "world", NULL, 0);
	rig_send(&g, 0, TH_ACK | TH_PUSH, 0, "ok", NULL, 0);
	CHECK_INT(g.c.opens, 1);
	rig_fins(&g, 11, 2);
	CHECK_INT(g.c.closes, 1);
	CHECK_STREAM(&g, DIR_C2S, "hello world");
	CHECK_STREAM(&g, DIR_S2C, "ok");
	CHECK_INT(g.c.chunks[DIR_C2S], 2);
	CHECK_INT(strlen(g.c.id), 20);
	CHECK_INT(g.c.syn_seen, 1);
	CHECK_INT(g.c.mss, 16344);
	CHECK_STR(g.c.cli, "127.0.0.1:50000");
	CHECK_STR(g.c.srv, "127.0.0.2:3306");
	CHECK_INT(g.ft.st.active, 0);
	CHECK_INT(g.ft.st.closed_fin, 1);
	CHECK_INT(g.c.gaps[0] + g.c.gaps[1], 0);
	rig_free(&g);
}

TEST(flow_reordered_duplicated_overlapping)
{
	struct rig	g;

	rig_init(&g, "", 4, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 10, "klmno", NULL, 0);		/* early */
	rig_send(&g, 1, TH_ACK, 5, "fghij", NULL, 0);		/* early */
	rig_send(&g, 1, TH_ACK, 10, "klmno", NULL, 0);		/* dup held */
	rig_send(&g, 1, TH_ACK, 0, "abcde", NULL, 0);		/* fills */
	rig_send(&g, 1, TH_ACK, 0, "abcde", NULL, 0);		/* retrans */
	rig_send(&g, 1, TH_ACK, 12, "mnopq", NULL, 0);		/* overlap */
	rig_send(&g, 1, TH_ACK, 3, "XXXXXXXXXXXXXXrs", NULL, 0); /* overlap */
	rig_send(&g, 0, TH_ACK, 4, "45", NULL, 0);
	rig_send(&g, 0, TH_ACK, 0, "0123", NULL, 0);
	rig_fins(&g, 19, 6);
	CHECK_STREAM(&g, DIR_C2S, "abcdefghijklmnopqrs");
	CHECK_STREAM(&g, DIR_S2C, "012345");
	CHECK_INT(g.c.gaps[0] + g.c.gaps[1], 0);
	CHECK(g.ft.rx.st.ooo >= 3);
	CHECK(g.ft.rx.st.retrans >= 2);
	CHECK(g.ft.rx.st.overlaps >= 2);
	CHECK_INT(g.ft.rx.st.held_bytes, 0);
	rig_free(&g);
}

TEST(flow_missing_segment_is_a_gap)
{
	struct rig	g;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "abc", NULL, 0);
	rig_send(&g, 1, TH_ACK, 6, "ghi", NULL, 0);	/* "def" lost */
	CHECK_STREAM(&g, DIR_C2S, "abc");
	rig_fins(&g, 9, 0);
	CHECK_STREAM(&g, DIR_C2S, "abcghi");
	CHECK_INT(g.c.gaps[DIR_C2S], 1);
	CHECK_INT(g.c.gap_bytes[DIR_C2S], 3);
	rig_free(&g);
}

TEST(flow_ack_releases_hole)
{
	struct rig	g;
	uint8_t		f[256];
	size_t		n;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "abc", NULL, 0);
	rig_send(&g, 1, TH_ACK, 6, "ghi", NULL, 0);
	/* The server acknowledges all nine bytes: "def" was lost in capture. */
	n = synth_frame(f, &g.s, 0, TH_ACK, g.s.sisn + 1, g.s.cisn + 1 + 9,
	    NULL, 0, NULL, 0);
	flow_frame(&g.ft, PKT_DLT_EN10MB, f, n, g.ts);
	CHECK_STREAM(&g, DIR_C2S, "abcghi");
	CHECK_INT(g.c.gap_bytes[DIR_C2S], 3);
	CHECK_INT(g.c.closes, 0);
	rig_free(&g);
}

/*
 * A request lost in capture, the next one held behind the hole: the
 * server's packet whose ACK proves the hole lost must pass the held
 * request on before its own payload (that request's response), with the
 * request's own capture time. Delivered after it, the response went to
 * no request, and every later response to the request before its own.
 */
TEST(flow_ack_passes_held_request_before_response)
{
	struct rig	g;
	int64_t		t_q3;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send_ack(&g, 1, TH_ACK | TH_PUSH, 0, 0, "Q1");
	rig_send_ack(&g, 0, TH_ACK | TH_PUSH, 0, 2, "R1");
	/* "Q2" (client bytes 2-3) is lost in capture; nothing is held yet
	 * when its response comes. */
	rig_send_ack(&g, 0, TH_ACK | TH_PUSH, 2, 4, "R2");
	t_q3 = g.ts;
	rig_send_ack(&g, 1, TH_ACK | TH_PUSH, 4, 4, "Q3");
	CHECK_STR(g.c.events, "Q1 R1 R2");
	rig_send_ack(&g, 0, TH_ACK | TH_PUSH, 4, 6, "R3");
	CHECK_STR(g.c.events, "Q1 R1 R2 | Q3 R3");
	CHECK_INT(g.c.gap_bytes[DIR_C2S], 2);
	CHECK_INT(g.c.last_ts[DIR_C2S], t_q3);
	CHECK_INT(g.c.last_ts[DIR_S2C], t_q3 + 100);
	rig_free(&g);
}

/* How far into the other direction a chunk's packet acknowledged, in
 * stream offsets that count lost bytes too; not known for held bytes. */
TEST(flow_chunk_peer_acked)
{
	struct rig	g;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send_ack(&g, 1, TH_ACK | TH_PUSH, 0, 0, "Q1");
	CHECK_INT(g.c.last_acked[DIR_C2S], 0);
	rig_send_ack(&g, 0, TH_ACK | TH_PUSH, 0, 2, "R1");
	CHECK_INT(g.c.last_acked[DIR_S2C], 2);
	rig_send_ack(&g, 1, TH_ACK | TH_PUSH, 2, 2, "Q2");
	CHECK_INT(g.c.last_acked[DIR_C2S], 2);
	/* "R2" (server bytes 2-3) lost in capture: Q3 acknowledges it */
	rig_send_ack(&g, 1, TH_ACK | TH_PUSH, 4, 4, "Q3");
	CHECK_INT(g.c.last_acked[DIR_C2S], 4);
	/* R3 waits behind the lost R2; Q4's ACK releases it */
	rig_send_ack(&g, 0, TH_ACK | TH_PUSH, 4, 6, "R3");
	CHECK_STR(g.c.events, "Q1 R1 Q2 Q3");
	rig_send_ack(&g, 1, TH_ACK | TH_PUSH, 6, 6, "Q4");
	CHECK_STR(g.c.events, "Q1 R1 Q2 Q3 | R3 Q4");
	CHECK_INT(g.c.last_acked[DIR_S2C], 0);
	CHECK_INT(g.c.last_acked[DIR_C2S], 6);
	/* Q6 waits behind the lost Q5; released by the server's ACK, the
	 * ACK of its own packet is not known. */
	rig_send_ack(&g, 1, TH_ACK | TH_PUSH, 10, 6, "Q6");
	rig_send_ack(&g, 0, TH_ACK, 6, 12, NULL);
	CHECK_STR(g.c.events, "Q1 R1 Q2 Q3 | R3 Q4 | Q6");
	CHECK_INT(g.c.last_acked[DIR_C2S], 0);
	rig_free(&g);
}

/* A held segment's own time never goes before bytes the other direction
 * already passed on: the connection's times stay in order. */
TEST(flow_ack_released_time_in_order)
{
	struct rig	g;
	int64_t		t_r;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send_ack(&g, 1, TH_ACK | TH_PUSH, 2, 0, "Q2");	/* "Q1" lost */
	t_r = g.ts;
	rig_send_ack(&g, 0, TH_ACK | TH_PUSH, 0, 0, "R0");	/* acks nothing */
	rig_send_ack(&g, 0, TH_ACK | TH_PUSH, 2, 4, "R2");
	CHECK_STR(g.c.events, "R0 | Q2 R2");
	CHECK_INT(g.c.last_ts[DIR_C2S], t_r);
	rig_free(&g);
}

TEST(flow_snaplen_cut)
{
	struct rig	g;
	uint8_t		f[256];
	size_t		n;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	n = synth_frame(f, &g.s, 1, TH_ACK, g.s.cisn + 1, g.s.sisn + 1,
	    "abcdefghij", 10, NULL, 0);
	flow_frame(&g.ft, PKT_DLT_EN10MB, f, n - 4, g.ts);	/* 6 captured */
	rig_send(&g, 1, TH_ACK, 10, "KL", NULL, 0);
	CHECK_STREAM(&g, DIR_C2S, "abcdefKL");
	CHECK_INT(g.c.gap_bytes[DIR_C2S], 4);
	CHECK_INT(g.ft.st.truncated, 1);
	/* Headers cut: counted, skipped. */
	flow_frame(&g.ft, PKT_DLT_EN10MB, f, 30, g.ts);
	CHECK_INT(g.ft.st.truncated, 2);
	rig_free(&g);
}

TEST(flow_ipv6_vlan_both_directions)
{
	struct rig	g;

	rig_init(&g, "[2001::2]:3306", 6, 2);
	rig_handshake(&g);
	rig_send(&g, 0, TH_ACK, 0, "greeting", NULL, 0);
	rig_send(&g, 1, TH_ACK, 0, "login", NULL, 0);
	rig_send(&g, 0, TH_ACK, 8, "ok", NULL, 0);
	rig_fins(&g, 5, 10);
	CHECK_STREAM(&g, DIR_C2S, "login");
	CHECK_STREAM(&g, DIR_S2C, "greetingok");
	CHECK_STR(g.c.cli, "[2001::1]:50000");
	CHECK_STR(g.c.srv, "[2001::2]:3306");
	CHECK_INT(g.c.mss, 16344);
	rig_free(&g);
}

TEST(flow_mid_stream_pickup)
{
	struct rig	g;

	rig_init(&g, "", 4, 0);
	/* Server bytes first: the lower port still makes it the server. */
	rig_send(&g, 0, TH_ACK, 100, "row", NULL, 0);
	rig_send(&g, 1, TH_ACK, 50, "next query", NULL, 0);
	CHECK_INT(g.c.opens, 1);
	CHECK_STR(g.c.id, "");
	CHECK_INT(g.c.syn_seen, 0);
	CHECK_STR(g.c.srv, "127.0.0.2:3306");
	CHECK_STREAM(&g, DIR_S2C, "row");
	CHECK_STREAM(&g, DIR_C2S, "next query");
	rig_free(&g);
	CHECK_INT(g.c.closes, 1);	/* closed at the end */
	CHECK_INT(g.c.mss, -1);
}

TEST(flow_target_decides_direction)
{
	struct rig	g;

	/* The client listens on the low port here; the target says so. */
	rig_init(&g, "127.0.0.2", 4, 0);
	g.s.cport = 80;
	g.s.sport = 40000;
	memcpy(g.s.cip, (uint8_t[]){ 127, 0, 0, 2 }, 4);
	memcpy(g.s.sip, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	/* Now 127.0.0.2 is the "client" of synth: the target names it as
	 * the server, so its bytes are server to client. */
	rig_send(&g, 1, TH_ACK, 0, "from target", NULL, 0);
	CHECK_STREAM(&g, DIR_S2C, "from target");
	CHECK_STR(g.c.srv, "127.0.0.2:80");
	rig_free(&g);
}

TEST(flow_not_target_not_decoded)
{
	struct rig	g;

	rig_init(&g, "5432", 4, 0);
	g.ft.all_conns = false;
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "x", NULL, 0);
	CHECK_INT(g.c.opens, 0);
	CHECK_INT(g.ft.st.ignored, 1);
	rig_free(&g);
}

TEST(flow_rst_and_port_reuse)
{
	struct rig	g;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "a", NULL, 0);
	rig_send(&g, 0, TH_RST, 0, NULL, NULL, 0);
	CHECK_INT(g.c.closes, 1);
	CHECK_INT(g.ft.st.active, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_SYN, 0, NULL, mss_opt, sizeof mss_opt); /* rexmit */
	CHECK_INT(g.c.opens, 2);
	g.s.cisn += 5000;
	rig_send(&g, 1, TH_SYN, 0, NULL, NULL, 0);	/* new ISN: reuse */
	CHECK_INT(g.c.closes, 2);
	CHECK_INT(g.c.opens, 3);
	rig_free(&g);
}

TEST(flow_bad_tcp_options)
{
	static const uint8_t	bad1[] = { 2, 0, 0, 0 };	/* len 0 */
	static const uint8_t	bad2[] = { 1, 1, 2, 9 };	/* overrun */
	static const uint8_t	bad3[] = { 2, 3, 1, 0 };	/* MSS len 3 */
	struct rig		g;

	rig_init(&g, "3306", 4, 0);
	rig_send(&g, 1, TH_SYN, 0, NULL, bad1, sizeof bad1);
	rig_send(&g, 0, TH_SYN | TH_ACK, 0, NULL, bad2, sizeof bad2);
	rig_send(&g, 0, TH_SYN | TH_ACK, 0, NULL, bad3, sizeof bad3);
	CHECK_INT(g.ft.st.bad_options, 2);
	rig_send(&g, 1, TH_ACK, 0, "q", NULL, 0);
	rig_free(&g);
	CHECK_INT(g.c.mss, -1);
	CHECK_STREAM(&g, DIR_C2S, "q");
}

TEST(flow_caps_bound_held_data)
{
	struct rig	g;
	char		seg[8];
	uint32_t	i;

	rig_init(&g, "3306", 4, 0);
	g.ft.rx.cap_segs = 8;
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "0000", NULL, 0);
	/* Hole at 4..8, then 40 segments beyond it. */
	for (i = 2; i < 42; i++) {
		snprintf(seg, sizeof seg, "%04u", i);
		rig_send(&g, 1, TH_ACK, i * 4, seg, NULL, 0);
		CHECK(g.ft.rx.st.held_bytes <= 8 * 4);
	}
	CHECK(g.ft.rx.st.cap_hits >= 1);
	rig_fins(&g, 42 * 4, 0);
	CHECK_INT(g.c.n[DIR_C2S], 41 * 4);
	CHECK_INT(g.c.gap_bytes[DIR_C2S], 4);
	CHECK_INT(g.ft.rx.st.held_bytes, 0);
	rig_free(&g);
}

TEST(flow_max_flows_and_expiry)
{
	struct rig	g;
	int		i;

	rig_init(&g, "", 4, 0);
	g.ft.max_flows = 4;
	for (i = 0; i < 10; i++) {
		g.s.cport = (uint16_t)(40000 + i);
		rig_send(&g, 1, TH_ACK, 0, "x", NULL, 0);
	}
	CHECK_INT(g.ft.st.active, 4);
	CHECK_INT(g.ft.st.flow_cap_hits, 6);
	flow_expire(&g.ft, g.ts + g.ft.idle_us + 1);
	CHECK_INT(g.ft.st.active, 0);
	CHECK_INT(g.ft.st.expired, 4);
	CHECK_INT(g.c.closes, 10);
	rig_free(&g);
}

TEST(flow_pcap_file_roundtrip)
{
	struct rig		 g;
	struct pcap_pkthdr	 h, *hp;
	const u_char		*data;
	pcap_t			*p;
	pcap_dumper_t		*d;
	uint8_t			 f[256];
	char			 path[] = "/tmp/tcpdp-test-XXXXXX", err[PCAP_ERRBUF_SIZE];
	size_t			 n;
	int			 fd, i;
	static const char	*parts[] = { "ab", "ef", "cd", "cd", "gh" };
	static const uint32_t	 offs[] = { 0, 4, 2, 2, 6 };

	rig_init(&g, "3306", 4, 1);
	fd = mkstemp(path);
	CHECK(fd != -1);
	close(fd);
	p = pcap_open_dead(DLT_EN10MB, 65535);
	d = pcap_dump_open(p, path);
	CHECK(d != NULL);
	for (i = 0; i < 5; i++) {
		n = synth_frame(f, &g.s, 1, TH_ACK, g.s.cisn + 1 + offs[i],
		    g.s.sisn + 1, parts[i], 2, NULL, 0);
		memset(&h, 0, sizeof h);
		h.ts.tv_sec = 1000 + i;
		h.caplen = h.len = (bpf_u_int32)n;
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);
	p = pcap_open_offline(path, err);
	CHECK(p != NULL);
	while (p != NULL && pcap_next_ex(p, &hp, &data) == 1)
		flow_frame(&g.ft, pcap_datalink(p), data, hp->caplen,
		    (int64_t)hp->ts.tv_sec * 1000000);
	if (p != NULL)
		pcap_close(p);
	unlink(path);
	flow_close_all(&g.ft, g.ts);
	CHECK_STREAM(&g, DIR_C2S, "abcdefgh");
	rig_free(&g);
}

TEST(flow_tick_releases_stale_holes)
{
	struct rig	g;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "abc", NULL, 0);
	rig_send(&g, 1, TH_ACK, 6, "ghi", NULL, 0);
	flow_tick(&g.ft, g.ts + 1000);
	CHECK_STREAM(&g, DIR_C2S, "abc");	/* still waiting */
	flow_tick(&g.ft, g.ts + g.ft.hole_us + 1000);
	CHECK_STREAM(&g, DIR_C2S, "abcghi");
	CHECK_INT(g.c.gap_bytes[DIR_C2S], 3);
	CHECK_INT(g.ft.st.stale_holes, 1);
	CHECK_INT(g.c.closes, 0);
	rig_send(&g, 1, TH_ACK, 9, "jk", NULL, 0);
	CHECK_STREAM(&g, DIR_C2S, "abcghijk");
	rig_free(&g);
}

TEST(flow_host_target_both_ends_loopback)
{
	struct rig	g;

	/* Both ends are 127.0.0.1: the target names both, the SYN decides. */
	rig_init(&g, "127.0.0.1", 4, 0);
	memcpy(g.s.sip, g.s.cip, 4);
	g.s.cport = 3306;	/* the client even has the lower port */
	g.s.sport = 50000;
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "q", NULL, 0);
	CHECK_STR(g.c.cli, "127.0.0.1:3306");
	CHECK_STREAM(&g, DIR_C2S, "q");
	rig_free(&g);

	/* Mid-stream, nothing else to go by: the lower port serves. */
	rig_init(&g, "127.0.0.1", 4, 0);
	memcpy(g.s.sip, g.s.cip, 4);
	rig_send(&g, 0, TH_ACK, 0, "r", NULL, 0);
	CHECK_STR(g.c.srv, "127.0.0.1:3306");
	CHECK_STREAM(&g, DIR_S2C, "r");
	rig_free(&g);
}

/* A string value of the record (not NUL-terminated there) into out. */
static void
meta_str(const struct record *m, const char *key, char *out, size_t len)
{
	const struct rval	*v;
	uint32_t		 i;

	*out = '\0';
	for (i = 0; i < m->nf; i++) {
		v = &m->f[i].val;
		if (strcmp(m->f[i].key, key) != 0 || v->type != R_STR)
			continue;
		snprintf(out, len, "%.*s", (int)v->v.s.len, v->ref ?
		    v->v.s.ptr : m->arena + v->v.s.off);
	}
}

static char	pp_src[64], pp_dst[64];

static void
pp_close(struct conn *c, void *st, int64_t ts)
{
	coll_close(c, st, ts);
	meta_str(&c->meta, "proxy_protocol_src_addr", pp_src, sizeof pp_src);
	meta_str(&c->meta, "proxy_protocol_dst_addr", pp_dst, sizeof pp_dst);
}

TEST(flow_proxy_protocol_first_client_bytes)
{
	static const struct decoder	 pp_dec = { "pp", 1, coll_open,
					    coll_data, coll_gap, pp_close, false };
	struct rig			 g;
	const char			*hdr =
	    "PROXY TCP4 192.0.2.1 198.51.100.2 4000 3306\r\n";

	rig_init(&g, "3306", 4, 0);
	g.eng.dec = &pp_dec;
	g.eng.proxy_protocol = true;
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, hdr, NULL, 0);
	rig_send(&g, 1, TH_ACK, (uint32_t)strlen(hdr), "query", NULL, 0);
	/* A header-looking payload later is payload. */
	rig_send(&g, 0, TH_ACK, 0, hdr, NULL, 0);
	rig_fins(&g, (uint32_t)strlen(hdr) + 5, (uint32_t)strlen(hdr));
	CHECK_STREAM(&g, DIR_C2S, "query");
	CHECK_STREAM(&g, DIR_S2C, hdr);
	CHECK_STR(pp_src, "192.0.2.1:4000");
	CHECK_STR(pp_dst, "198.51.100.2:3306");
	rig_free(&g);

	/* Header and payload in one segment. */
	rig_init(&g, "3306", 4, 0);
	g.eng.dec = &pp_dec;
	g.eng.proxy_protocol = true;
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "PROXY TCP4 10.0.0.1 10.0.0.2 1 2\r\nhi",
	    NULL, 0);
	rig_fins(&g, 36, 0);
	CHECK_STREAM(&g, DIR_C2S, "hi");
	CHECK_STR(pp_src, "10.0.0.1:1");
	rig_free(&g);
}

/* A PROXY header cut over segments, at every byte: held until whole, then
 * taken off; the payload that follows (in the same segment or the next)
 * reaches the decoder intact. */
TEST(flow_proxy_protocol_split_header)
{
	static const struct decoder	 pp_dec = { "pp", 1, coll_open,
					    coll_data, coll_gap, pp_close, false };
	const char	*msg = "PROXY TCP4 192.0.2.1 198.51.100.2 4000 3306\r\n"
			    "select 1";
	size_t		 len = strlen(msg), hlen = len - 8, cut, cut2;
	char		 a[128], b[128], c[128];
	struct rig	 g;
	int		 bad = 0;

	for (cut = 1; cut < len; cut++) {
		rig_init(&g, "3306", 4, 0);
		g.eng.dec = &pp_dec;
		g.eng.proxy_protocol = true;
		rig_handshake(&g);
		snprintf(a, sizeof a, "%.*s", (int)cut, msg);
		rig_send(&g, 1, TH_ACK, 0, a, NULL, 0);
		rig_send(&g, 1, TH_ACK, (uint32_t)cut, msg + cut, NULL, 0);
		rig_fins(&g, (uint32_t)len, 0);
		if (g.c.n[DIR_C2S] != 8 ||
		    memcmp(g.c.buf[DIR_C2S], "select 1", 8) != 0 ||
		    strcmp(pp_src, "192.0.2.1:4000") != 0)
			bad++;
		rig_free(&g);
	}
	CHECK_INT(bad, 0);
	/* three pieces, the header's end in the last with the payload */
	for (cut = 1; cut + 1 < hlen; cut += 7)
		for (cut2 = cut + 1; cut2 < hlen; cut2 += 5) {
			rig_init(&g, "3306", 4, 0);
			g.eng.dec = &pp_dec;
			g.eng.proxy_protocol = true;
			rig_handshake(&g);
			snprintf(a, sizeof a, "%.*s", (int)cut, msg);
			snprintf(b, sizeof b, "%.*s", (int)(cut2 - cut),
			    msg + cut);
			snprintf(c, sizeof c, "%s", msg + cut2);
			rig_send(&g, 1, TH_ACK, 0, a, NULL, 0);
			rig_send(&g, 1, TH_ACK, (uint32_t)cut, b, NULL, 0);
			rig_send(&g, 1, TH_ACK, (uint32_t)cut2, c, NULL, 0);
			rig_fins(&g, (uint32_t)len, 0);
			if (g.c.n[DIR_C2S] != 8 ||
			    memcmp(g.c.buf[DIR_C2S], "select 1", 8) != 0 ||
			    strcmp(pp_dst, "198.51.100.2:3306") != 0)
				bad++;
			rig_free(&g);
		}
	CHECK_INT(bad, 0);
}

/* What only looked like the start of a header is payload, whole; so are
 * held bytes whose rest was lost, and a v1 line that never ends. */
TEST(flow_proxy_protocol_held_then_payload)
{
	static const struct decoder	 pp_dec = { "pp", 1, coll_open,
					    coll_data, coll_gap, pp_close, false };
	struct rig	 g;
	char		 line[300];

	rig_init(&g, "3306", 4, 0);
	g.eng.dec = &pp_dec;
	g.eng.proxy_protocol = true;
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "PRO", NULL, 0);
	rig_send(&g, 1, TH_ACK, 3, "select", NULL, 0);
	rig_fins(&g, 9, 0);
	CHECK_STREAM(&g, DIR_C2S, "PROselect");
	rig_free(&g);

	/* the header's second part lost: held bytes, a gap, what follows */
	rig_init(&g, "3306", 4, 0);
	g.eng.dec = &pp_dec;
	g.eng.proxy_protocol = true;
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "PROXY TCP4 1.2", NULL, 0);
	rig_send(&g, 1, TH_ACK, 30, "xyz", NULL, 0);
	rig_fins(&g, 33, 0);
	CHECK_STREAM(&g, DIR_C2S, "PROXY TCP4 1.2xyz");
	CHECK_INT(g.c.gaps[DIR_C2S], 1);
	CHECK_INT(g.c.gap_bytes[DIR_C2S], 16);
	rig_free(&g);

	/* "PROXY " and then no CRLF within a v1 line's length */
	memset(line, 'a', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	memcpy(line, "PROXY ", 6);
	rig_init(&g, "3306", 4, 0);
	g.eng.dec = &pp_dec;
	g.eng.proxy_protocol = true;
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "PROXY ", NULL, 0);
	rig_send(&g, 1, TH_ACK, 6, line + 6, NULL, 0);
	rig_fins(&g, (uint32_t)strlen(line), 0);
	CHECK_STREAM(&g, DIR_C2S, line);
	rig_free(&g);
}

/* A segment reordered behind both FINs (or retransmitted for a loss before
 * them) still belongs to the connection: the flow ends only once each
 * direction has everything up to its FIN. */
TEST(flow_fin_waits_for_hole)
{
	struct rig	g;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "AAAA", NULL, 0);
	rig_send_ack(&g, 1, TH_FIN | TH_ACK | TH_PUSH, 8, 0, "CCCC");
	rig_send_ack(&g, 0, TH_FIN | TH_ACK, 0, 4, NULL);
	CHECK_INT(g.c.closes, 0);
	CHECK_STREAM(&g, DIR_C2S, "AAAA");
	rig_send(&g, 1, TH_ACK, 4, "BBBB", NULL, 0);
	CHECK_STREAM(&g, DIR_C2S, "AAAABBBBCCCC");
	CHECK_INT(g.c.gaps[DIR_C2S], 0);
	CHECK_INT(g.c.closes, 1);
	CHECK_INT(g.c.opens, 1);
	CHECK_INT(g.ft.st.closed_fin, 1);
	CHECK_INT(g.ft.st.active, 0);
	rig_free(&g);
}

/* Both FINs and a hole nobody acknowledges: flow_tick ends the flow once
 * it has been quiet for hole_us. A FIN's stream with nothing held but
 * bytes missing before the FIN learns from the peer's ack that they were
 * lost. */
TEST(flow_fin_hole_ends_on_tick_or_ack)
{
	struct rig	g;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "abc", NULL, 0);
	rig_send(&g, 1, TH_ACK, 6, "ghi", NULL, 0);
	rig_send_ack(&g, 1, TH_FIN | TH_ACK, 9, 0, NULL);
	rig_send_ack(&g, 0, TH_FIN | TH_ACK, 0, 3, NULL);
	CHECK_INT(g.c.closes, 0);
	flow_tick(&g.ft, g.ts);
	CHECK_INT(g.c.closes, 0);
	flow_tick(&g.ft, g.ts + g.ft.hole_us + 1);
	CHECK_STREAM(&g, DIR_C2S, "abcghi");
	CHECK_INT(g.c.gap_bytes[DIR_C2S], 3);
	CHECK_INT(g.c.closes, 1);
	CHECK_INT(g.ft.st.active, 0);
	rig_free(&g);

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK, 0, "abc", NULL, 0);
	rig_send_ack(&g, 1, TH_FIN | TH_ACK, 6, 0, NULL);	/* "def" lost */
	rig_send_ack(&g, 0, TH_FIN | TH_ACK, 0, 3, NULL);
	CHECK_INT(g.c.closes, 0);
	rig_send_ack(&g, 0, TH_ACK, 1, 7, NULL);
	CHECK_INT(g.c.gap_bytes[DIR_C2S], 3);
	CHECK_INT(g.c.closes, 1);
	rig_free(&g);
}

/* Segments after the end (a spurious retransmission after both FINs, data
 * in flight when the peer reset) are dropped, not made into a connection
 * picked up mid-stream; a SYN on the same ports starts a new one. */
TEST(flow_after_close_is_not_a_new_connection)
{
	struct rig	g;

	rig_init(&g, "3306", 4, 0);
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK | TH_PUSH, 0, "query", NULL, 0);
	rig_send(&g, 0, TH_ACK | TH_PUSH, 0, "resp", NULL, 0);
	rig_fins(&g, 5, 4);
	CHECK_INT(g.c.closes, 1);
	rig_send(&g, 1, TH_ACK | TH_PUSH, 0, "query", NULL, 0);
	rig_send(&g, 0, TH_ACK | TH_PUSH, 0, "resp", NULL, 0);
	CHECK_INT(g.c.opens, 1);
	CHECK_STREAM(&g, DIR_C2S, "query");
	CHECK_STREAM(&g, DIR_S2C, "resp");
	CHECK_INT(g.ft.st.after_close, 2);
	CHECK_INT(g.ft.st.conns, 1);

	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK | TH_PUSH, 0, "again", NULL, 0);
	CHECK_INT(g.c.opens, 2);
	CHECK_STREAM(&g, DIR_C2S, "queryagain");
	rig_send(&g, 1, TH_RST | TH_ACK, 5, NULL, NULL, 0);
	rig_send(&g, 0, TH_ACK | TH_PUSH, 0, "late", NULL, 0);
	CHECK_INT(g.c.closes, 2);
	CHECK_INT(g.c.opens, 2);
	CHECK_STREAM(&g, DIR_S2C, "resp");
	/* The tombstone goes after its time-wait. */
	flow_expire(&g.ft, g.ts + 61 * 1000000LL);
	CHECK_INT(g.ft.ntw, 0);
	rig_send(&g, 0, TH_ACK | TH_PUSH, 0, "later", NULL, 0);
	CHECK_INT(g.c.opens, 3);
	rig_free(&g);
}

/* The server's first bytes captured before its SYN-ACK: the SYN-ACK does
 * not restart the stream (which held the next segments behind a phantom
 * hole and reported the first bytes again as a gap). */
TEST(flow_server_data_before_synack)
{
	struct rig	g;

	rig_init(&g, "3306", 4, 0);
	rig_send(&g, 1, TH_SYN, 0, NULL, mss_opt, sizeof mss_opt);
	rig_send(&g, 1, TH_ACK, 0, NULL, NULL, 0);
	rig_send(&g, 0, TH_ACK | TH_PUSH, 0, "greeting", NULL, 0);
	rig_send(&g, 0, TH_SYN | TH_ACK, 0, NULL, mss_opt, sizeof mss_opt);
	rig_send(&g, 1, TH_ACK | TH_PUSH, 0, "login", NULL, 0);
	rig_send(&g, 0, TH_ACK | TH_PUSH, 8, "ok", NULL, 0);
	CHECK_STREAM(&g, DIR_S2C, "greetingok");
	CHECK_INT(g.ft.rx.st.held_bytes, 0);
	rig_send_ack(&g, 1, TH_ACK | TH_PUSH, 5, 10, "q");
	CHECK_INT(g.c.gaps[DIR_S2C], 0);
	CHECK_INT(g.c.mss, -1);
	rig_free(&g);
	CHECK_INT(g.c.mss, 0x3fd8);
}

/* A lazy decoder's state waits for the first byte: the flows of a SYN
 * flood (no data) hold none, and never see open or close. */
TEST(flow_lazy_decoder_state_at_first_byte)
{
	static const struct decoder	lazy_dec = { "lazy", 1, coll_open,
					    coll_data, coll_gap, coll_close,
					    true };
	struct rig	g;
	int		i;

	rig_init(&g, "3306", 4, 0);
	g.eng.dec = &lazy_dec;
	for (i = 0; i < 5; i++) {
		g.s.cport = (uint16_t)(41000 + i);
		rig_send(&g, 1, TH_SYN, 0, NULL, mss_opt, sizeof mss_opt);
	}
	CHECK_INT(g.ft.st.active, 5);
	CHECK_INT(g.c.opens, 0);
	g.s.cport = 50000;
	rig_handshake(&g);
	CHECK_INT(g.c.opens, 0);
	rig_send(&g, 1, TH_ACK | TH_PUSH, 0, "abc", NULL, 0);
	CHECK_INT(g.c.opens, 1);
	CHECK_STREAM(&g, DIR_C2S, "abc");
	rig_fins(&g, 3, 0);
	CHECK_INT(g.c.closes, 1);
	flow_close_all(&g.ft, g.ts);
	CHECK_INT(g.c.opens, 1);
	CHECK_INT(g.c.closes, 1);
	/* A flow picked up mid-stream makes it at its first byte too. */
	g.s.cport = 42000;
	rig_send(&g, 1, TH_ACK, 0, "x", NULL, 0);
	CHECK_INT(g.c.opens, 2);
	rig_free(&g);
}

/* A full table gives up connections that never carried a byte before
 * one that talks: a SYN flood leaves the idle established connections
 * (a server's pool) and their streams alone. */
TEST(flow_cap_evicts_quiet_flows_first)
{
	struct rig	g;
	int		i;

	rig_init(&g, "3306", 4, 0);
	g.ft.max_flows = 4;
	rig_handshake(&g);
	rig_send(&g, 1, TH_ACK | TH_PUSH, 0, "abc", NULL, 0);
	for (i = 0; i < 10; i++) {
		g.s.cport = (uint16_t)(41000 + i);
		rig_send(&g, 1, TH_SYN, 0, NULL, mss_opt, sizeof mss_opt);
	}
	CHECK_INT(g.ft.st.active, 4);
	CHECK_INT(g.ft.st.flow_cap_hits, 7);
	CHECK_INT(g.c.closes, 7);	/* SYN-only flows, not ours */
	g.s.cport = 50000;
	rig_send(&g, 1, TH_ACK | TH_PUSH, 3, "def", NULL, 0);
	CHECK_STREAM(&g, DIR_C2S, "abcdef");
	CHECK_INT(g.c.gaps[DIR_C2S], 0);
	CHECK_INT(g.c.opens, 11);	/* not picked up again mid-stream */
	/* With only talking flows, the least recently active goes. */
	for (i = 0; i < 3; i++) {
		g.s.cport = (uint16_t)(42000 + i);
		rig_send(&g, 1, TH_ACK | TH_PUSH, 0, "x", NULL, 0);
	}
	CHECK_INT(g.ft.st.flow_cap_hits, 10);
	g.s.cport = 43000;
	rig_send(&g, 1, TH_ACK | TH_PUSH, 0, "y", NULL, 0);
	CHECK_INT(g.ft.st.flow_cap_hits, 11);
	CHECK_INT(g.c.closes, 11);
	rig_free(&g);
}
