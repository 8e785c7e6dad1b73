/* flow.c - connection table: lookup, direction, lifecycle, expiry, caps. */
#include <sys/random.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "connid.h"
#include "decode.h"
#include "engine.h"
#include "flow.h"
#include "proxyproto.h"
#include "target.h"
#include "xmalloc.h"

#define FLOW_BUCKETS_MIN	4096
#define FLOW_MAX		(256 * 1024)
#define FLOW_IDLE_US		(600LL * 1000000)	/* as upstream's buffers */
#define FLOW_HOLE_US		(2LL * 1000000)	/* beyond a few RTOs */
#define FLOW_TW_US		(60LL * 1000000)	/* as Linux's TIME_WAIT */

struct flow_link {
	struct flow	*prev;
	struct flow	*next;
};

struct flow {
	struct flow	*hnext;
	struct flow_link l;		/* the LRU, or the time-wait list */
	uint32_t	 hash;
	int		 af;
	uint8_t		 ip[2][16];	/* [DIR_C2S] client, [DIR_S2C] server */
	uint16_t	 port[2];
	uint32_t	 syn_isn;	/* client ISN when the SYN was seen */
	int64_t		 last_us;
	bool		 ended;		/* closed: a tombstone on the tw list */
	/* An ended flow keeps only what is above (FLOW_TW_SIZE). */
	bool		 decode;	/* conn opened, bytes go to the decoder */
	bool		 quiet;		/* no payload yet: on the quiet list */
	struct flow_link q;
	bool		 synack_seen;
	bool		 fin[2];
	bool		 pp_done;
	uint16_t	 pp_held;	/* bytes in pp_hold */
	uint8_t		*pp_hold;	/* a PROXY header cut by a segment */
	int64_t		 out_us;	/* time of the last bytes or gap passed on */
	/* The packet being read: its payload and how far into the other
	 * direction its ACK reached (struct chunk peer_acked). */
	const uint8_t	*live_p;
	uint32_t	 live_n;
	uint64_t	 live_acked;
	struct reasm	 r[2];		/* bytes sent by [DIR_C2S] / [DIR_S2C] */
	struct conn	 conn;
};

/* A tombstone's size: a connection's end gives back the conn (near 1 KB),
 * so that a minute of closed connections on a busy server costs ~100
 * bytes each. */
#define FLOW_TW_SIZE	(offsetof(struct flow, ended) + sizeof(bool))

static void	flow_data_cb(void *, struct reasm *, const uint8_t *, size_t,
		    int64_t);
static void	flow_gap_cb(void *, struct reasm *, uint64_t, int64_t);

/*
 * Flow hashing: a word at a time, and seeded per table so that traffic
 * from the network cannot be crafted to fall into one bucket (the chains
 * would turn every packet's lookup into a walk over all flows).
 */
static inline uint32_t
flow_mix(uint64_t seed, const uint8_t *ip, int alen, uint16_t port)
{
	uint64_t	h = seed ^ (uint64_t)port << 32;
	uint32_t	w;
	int		i;

	for (i = 0; i < alen; i += 4) {
		memcpy(&w, ip + i, sizeof w);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	h *= 0xff51afd7ed558ccdULL;
	return (uint32_t)(h ^ h >> 33);
}

/* Symmetric: both directions of a connection hash alike. */
static inline uint32_t
flow_hash(const struct flow_table *ft, const struct pkt *pk)
{
	int	alen = pk->af == 4 ? 4 : 16;

	return flow_mix(ft->seed, pk->src, alen, pk->sport) +
	    flow_mix(ft->seed, pk->dst, alen, pk->dport);
}

static uint64_t
flow_seed(void)
{
	uint64_t	s;

	if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s)
		s = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid() ^
		    (uint64_t)(uintptr_t)&s;
	return s;
}

void
flow_table_init(struct flow_table *ft, struct engine *eng,
    const struct target *t)
{
	memset(ft, 0, sizeof *ft);
	ft->eng = eng;
	ft->target = t;
	ft->nbuckets = FLOW_BUCKETS_MIN;
	ft->buckets = xcalloc(ft->nbuckets, sizeof *ft->buckets);
	ft->max_flows = FLOW_MAX;
	ft->idle_us = FLOW_IDLE_US;
	ft->hole_us = FLOW_HOLE_US;
	reasm_ctx_init(&ft->rx);
	ft->rx.data = flow_data_cb;
	ft->rx.gap = flow_gap_cb;
	ft->seed = flow_seed();
}

/* Addresses compared as words, not through memcmp: every packet makes
 * two of these comparisons. */
static inline bool
flow_ip_eq(const uint8_t *a, const uint8_t *b, int af)
{
	uint64_t	x[2], y[2];
	uint32_t	u, v;

	if (af == 4) {
		memcpy(&u, a, sizeof u);
		memcpy(&v, b, sizeof v);
		return u == v;
	}
	memcpy(x, a, sizeof x);
	memcpy(y, b, sizeof y);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

static struct flow *
flow_lookup(struct flow_table *ft, const struct pkt *pk, uint32_t h,
    enum dir *d)
{
	struct flow	*f;
	int		 af = pk->af;

	for (f = ft->buckets[h & (ft->nbuckets - 1)]; f != NULL; f = f->hnext) {
		if (f->hash != h || f->af != af)
			continue;
		if (f->port[0] == pk->sport && f->port[1] == pk->dport &&
		    flow_ip_eq(f->ip[0], pk->src, af) &&
		    flow_ip_eq(f->ip[1], pk->dst, af)) {
			*d = DIR_C2S;
			return f;
		}
		if (f->port[0] == pk->dport && f->port[1] == pk->sport &&
		    flow_ip_eq(f->ip[0], pk->dst, af) &&
		    flow_ip_eq(f->ip[1], pk->src, af)) {
			*d = DIR_S2C;
			return f;
		}
	}
	return NULL;
}

/* A flow is on one of two lists through its link l: the LRU of live
 * flows, or the time-wait list of ended ones (flow_end); while it has
 * carried no payload, also on the quiet list through q. */
static struct flow_link *
flow_link(struct flow *f, bool q)
{
	return q ? &f->q : &f->l;
}

static void
flow_list_unlink(struct flow **head, struct flow **tail, struct flow *f,
    bool q)
{
	struct flow_link	*k = flow_link(f, q);

	if (k->prev != NULL)
		flow_link(k->prev, q)->next = k->next;
	else
		*head = k->next;
	if (k->next != NULL)
		flow_link(k->next, q)->prev = k->prev;
	else
		*tail = k->prev;
	k->prev = k->next = NULL;
}

static void
flow_list_append(struct flow **head, struct flow **tail, struct flow *f,
    bool q)
{
	struct flow_link	*k = flow_link(f, q);

	k->next = NULL;
	k->prev = *tail;
	if (*tail != NULL)
		flow_link(*tail, q)->next = f;
	else
		*head = f;
	*tail = f;
}

static void
flow_lru_unlink(struct flow_table *ft, struct flow *f)
{
	flow_list_unlink(&ft->lru_head, &ft->lru_tail, f, false);
}

static void
flow_lru_append(struct flow_table *ft, struct flow *f)
{
	flow_list_append(&ft->lru_head, &ft->lru_tail, f, false);
}

/*
 * Flows that have carried no payload yet (a handshake, a SYN flood, a port
 * scan) are also on the quiet list, oldest first: a full table gives up
 * one of them before a connection that talks, as the kernel's conntrack
 * drops unassured connections first, so a flood does not push the
 * server's idle pooled connections out of the table.
 */
static void
flow_quiet_end(struct flow_table *ft, struct flow *f)
{
	if (!f->quiet)
		return;
	f->quiet = false;
	flow_list_unlink(&ft->quiet_head, &ft->quiet_tail, f, true);
}

static void
flow_quiet_start(struct flow_table *ft, struct flow *f)
{
	f->quiet = true;
	flow_list_append(&ft->quiet_head, &ft->quiet_tail, f, true);
}

static void
flow_grow(struct flow_table *ft)
{
	struct flow	**nb, *f, *next;
	size_t		  n = ft->nbuckets * 2, i;

	nb = xcalloc(n, sizeof *nb);
	for (i = 0; i < ft->nbuckets; i++) {
		for (f = ft->buckets[i]; f != NULL; f = next) {
			next = f->hnext;
			f->hnext = nb[f->hash & (n - 1)];
			nb[f->hash & (n - 1)] = f;
		}
	}
	free(ft->buckets);
	ft->buckets = nb;
	ft->nbuckets = n;
}

/* The connection's end: held bytes delivered (with gaps for the holes),
 * the conn closed and its memory given back. */
static void
flow_finish(struct flow_table *ft, struct flow *f, int64_t ts_us)
{
	if (f->decode) {
		reasm_flush(&ft->rx, &f->r[DIR_C2S], f, ts_us);
		reasm_flush(&ft->rx, &f->r[DIR_S2C], f, ts_us);
		conn_close(&f->conn, ts_us);
	}
	reasm_free(&ft->rx, &f->r[DIR_C2S]);
	reasm_free(&ft->rx, &f->r[DIR_S2C]);
	free(f->pp_hold);
	f->pp_hold = NULL;
	conn_free(&f->conn);
}

static void
flow_unhash(struct flow_table *ft, struct flow *f)
{
	struct flow	**pp;

	for (pp = &ft->buckets[f->hash & (ft->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext) {
		if (*pp == f) {
			*pp = f->hnext;
			break;
		}
	}
}

/* Frees an ended flow (its time-wait is over, or a SYN reuses it). */
static void
flow_destroy(struct flow_table *ft, struct flow *f)
{
	flow_unhash(ft, f);
	flow_list_unlink(&ft->tw_head, &ft->tw_tail, f, false);
	ft->ntw--;
	free(f);
}

/* A live flow's connection ends and the flow leaves the table and the
 * LRU (flow_close frees it, flow_end keeps a tombstone). */
static void
flow_retire(struct flow_table *ft, struct flow *f, int64_t ts_us)
{
	flow_finish(ft, f, ts_us);
	flow_unhash(ft, f);
	flow_lru_unlink(ft, f);
	flow_quiet_end(ft, f);
	ft->st.active--;
}

/* Closes a live flow for good: expiry, eviction, a new connection on
 * its ports, the end of the capture. */
static void
flow_close(struct flow_table *ft, struct flow *f, int64_t ts_us)
{
	flow_retire(ft, f, ts_us);
	free(f);
}

/*
 * A connection that ended on FINs or a RST: closed now, but its flow stays
 * in the table (without its conn or held bytes) for FLOW_TW_US, as the
 * kernel's TIME_WAIT does. Segments that still come - a retransmission
 * after both FINs, data that was in flight when the RST went out - are
 * dropped there; without the tombstone each made a new connection picked
 * up mid-stream, which dumped those bytes a second time and fed the
 * decoders the middle of a conversation. A SYN starts a new connection.
 */
static void
flow_end(struct flow_table *ft, struct flow *f, int64_t ts_us)
{
	flow_retire(ft, f, ts_us);
	f = xrealloc(f, FLOW_TW_SIZE);	/* moves it: relinked below */
	f->ended = true;
	f->last_us = ts_us > ft->now_us ? ts_us : ft->now_us;
	f->hnext = ft->buckets[f->hash & (ft->nbuckets - 1)];
	ft->buckets[f->hash & (ft->nbuckets - 1)] = f;
	flow_list_append(&ft->tw_head, &ft->tw_tail, f, false);
	if (++ft->ntw > ft->max_flows)
		flow_destroy(ft, ft->tw_head);
}

/* Both sides sent FIN: the connection is over once each direction has
 * had everything up to its FIN (a segment reordered behind the FIN, or
 * retransmitted for a loss before it, may still be coming). */
static bool
flow_fins_done(const struct flow *f)
{
	return f->fin[0] && f->fin[1] && reasm_done(&f->r[0]) &&
	    reasm_done(&f->r[1]);
}

/* Which end is the server: the target, then the handshake, then ports. */
static bool
flow_src_is_client(struct flow_table *ft, const struct pkt *pk, bool *named)
{
	const struct target	*t = ft->target;
	bool			 ms = false, md = false;

	if (t != NULL && t->n > 0) {
		ms = target_match(t, pk->af, pk->src, pk->sport);
		md = target_match(t, pk->af, pk->dst, pk->dport);
	}
	*named = ms || md;
	if (md && !ms)
		return true;
	if (ms && !md)
		return false;
	if ((pk->flags & (TH_SYN | TH_ACK)) == TH_SYN)
		return true;
	if ((pk->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		return false;
	/* Mid-stream: the lower (well-known) port serves. */
	return pk->sport >= pk->dport;
}

static struct flow *
flow_new(struct flow_table *ft, const struct pkt *pk, uint32_t h, enum dir *d,
    int64_t ts_us)
{
	struct flow	*f;
	size_t		 alen = pk->af == 4 ? 4 : 16;
	bool		 named, handshake, cli;
	int		 c, s, af;

	if (ft->st.active >= ft->max_flows && ft->lru_head != NULL) {
		ft->st.flow_cap_hits++;
		flow_close(ft, ft->quiet_head != NULL ? ft->quiet_head :
		    ft->lru_head, ts_us);
	}
	if (ft->st.active + ft->ntw >= ft->nbuckets)
		flow_grow(ft);
	f = xcalloc(1, sizeof *f);
	f->hash = h;
	f->af = pk->af;
	cli = flow_src_is_client(ft, pk, &named);
	*d = cli ? DIR_C2S : DIR_S2C;
	c = cli ? 0 : 1;
	s = 1 - c;
	memcpy(f->ip[c], pk->src, alen);
	memcpy(f->ip[s], pk->dst, alen);
	f->port[c] = pk->sport;
	f->port[s] = pk->dport;
	f->last_us = ts_us;
	f->hnext = ft->buckets[h & (ft->nbuckets - 1)];
	ft->buckets[h & (ft->nbuckets - 1)] = f;
	flow_lru_append(ft, f);
	if (pk->wire_len == 0)
		flow_quiet_start(ft, f);
	ft->st.active++;
	ft->st.conns++;

	handshake = (pk->flags & TH_SYN) != 0;
	if (named || ft->all_conns ||
	    ((ft->target == NULL || ft->target->n == 0) && handshake))
		f->decode = true;
	else
		ft->st.ignored++;

	conn_init(&f->conn, ft->eng);
	f->conn.owner = f;
	af = f->af == 6 ? AF_INET6 : AF_INET;
	addr_fmt(f->conn.cli, sizeof f->conn.cli, af, f->ip[0], f->port[0]);
	addr_fmt(f->conn.srv, sizeof f->conn.srv, af, f->ip[1], f->port[1]);
	if (handshake) {
		connid_new(f->conn.id, time(NULL));
		if ((pk->flags & TH_ACK) == 0)
			f->conn.syn_seen = true;
	}
	if (f->decode)
		conn_open(&f->conn, ts_us);
	return f;
}

static void
flow_synack(struct flow_table *ft, struct flow *f, const struct pkt *pk)
{
	(void)ft;
	if (f->synack_seen)
		return;
	f->synack_seen = true;
	if (f->conn.id[0] == '\0')
		connid_new(f->conn.id, time(NULL));
	if (pk->mss >= 0)
		rec_int(&f->conn.meta, "mss", pk->mss);
}

static void
flow_deliver(struct flow *f, enum dir d, const uint8_t *p, size_t n,
    int64_t ts_us)
{
	struct chunk	ch;

	if (n == 0)
		return;
	ch.p = p;
	ch.n = n;
	ch.dir = d;
	ch.ts_us = ts_us;
	ch.seq = 0;
	/* Only the packet's own bytes: held ones were sent before it, when
	 * its sender had seen less. */
	ch.peer_acked = (uintptr_t)p - (uintptr_t)f->live_p < f->live_n ?
	    f->live_acked : 0;
	conn_data(&f->conn, &ch);
}

/*
 * The PROXY header HAProxy puts before the client's first bytes (SPEC
 * §1.12) may come cut over segments: its start is held (at most
 * FLOW_PP_MAX bytes, a v2 header with the TLVs HAProxy sends fits) until
 * the header is whole. Returns how much of p[0..n) it took; then f->pp_done
 * is set and what followed the header in the held bytes has gone on.
 */
#define FLOW_PP_MAX	((size_t)1024)

static size_t
flow_pp(struct flow *f, const uint8_t *p, size_t n, int64_t ts_us)
{
	struct pp_result	 pr;
	const uint8_t		*q = p;
	size_t			 m = n, k = 0;
	enum pp_status		 st;

	if (f->pp_hold != NULL) {
		k = FLOW_PP_MAX - f->pp_held < n ? FLOW_PP_MAX - f->pp_held : n;
		memcpy(f->pp_hold + f->pp_held, p, k);
		f->pp_held += (uint16_t)k;
		q = f->pp_hold;
		m = f->pp_held;
	}
	st = pp_parse(q, m, &pr);
	if (st == PP_MORE && m < FLOW_PP_MAX) {
		if (f->pp_hold == NULL) {
			f->pp_hold = xmalloc(FLOW_PP_MAX);
			memcpy(f->pp_hold, p, n);
			f->pp_held = (uint16_t)n;
		}
		return n;
	}
	f->pp_done = true;
	if (st == PP_OK) {
		if (pr.has_addr) {
			rec_cstr(&f->conn.meta, "proxy_protocol_src_addr",
			    pr.src);
			rec_cstr(&f->conn.meta, "proxy_protocol_dst_addr",
			    pr.dst);
		}
	} else
		pr.len = 0;	/* not a header (or too long): payload */
	if (f->pp_hold == NULL)
		return pr.len;
	/* From the held bytes, what follows the header; p[k..n) is next. */
	if (pr.len < m)
		flow_deliver(f, DIR_C2S, q + pr.len, m - pr.len, ts_us);
	free(f->pp_hold);
	f->pp_hold = NULL;
	f->pp_held = 0;
	return k;
}

/* The stream offset (struct conn pos) up to which an ACK covers direction
 * d: the next byte expected there is at pos[d], so the ACK's distance from
 * it moves that offset. 0 when not known. */
static uint64_t
flow_acked_pos(const struct flow *f, int d, uint32_t ack, uint8_t fl)
{
	int32_t	ahead;

	if (!(fl & TH_ACK) || !f->r[d].started)
		return 0;
	ahead = (int32_t)(ack - f->r[d].next);
	if (ahead < 0 && (uint64_t)-(int64_t)ahead > f->conn.pos[d])
		return 0;
	return f->conn.pos[d] + (uint64_t)(int64_t)ahead;
}

/* Bytes in order from reassembly, on to the decoder. */
static void
flow_data_cb(void *arg, struct reasm *r, const uint8_t *p, size_t n,
    int64_t ts_us)
{
	struct flow	*f = arg;
	enum dir	 d = r == &f->r[DIR_C2S] ? DIR_C2S : DIR_S2C;
	size_t		 k;

	/* Bytes released by an ACK past a capture loss carry their own
	 * capture time (reasm.h), which can precede what the other direction
	 * already passed on: a connection's times never go backwards. */
	if (ts_us < f->out_us)
		ts_us = f->out_us;
	f->out_us = ts_us;
	if (d == DIR_C2S && !f->pp_done && f->conn.eng->proxy_protocol) {
		k = flow_pp(f, p, n, ts_us);
		p += k;
		n -= k;
	}
	flow_deliver(f, d, p, n, ts_us);
}

static void
flow_gap_cb(void *arg, struct reasm *r, uint64_t n, int64_t ts_us)
{
	struct flow	*f = arg;
	enum dir	 d = r == &f->r[DIR_C2S] ? DIR_C2S : DIR_S2C;

	if (ts_us < f->out_us)
		ts_us = f->out_us;
	f->out_us = ts_us;
	if (d == DIR_C2S && f->pp_hold != NULL) {
		/* The header's rest is lost: what was held is payload. */
		flow_deliver(f, d, f->pp_hold, f->pp_held, ts_us);
		free(f->pp_hold);
		f->pp_hold = NULL;
		f->pp_held = 0;
		f->pp_done = true;
	}
	conn_gap(&f->conn, d, n, ts_us);
}

void
flow_input(struct flow_table *ft, const struct pkt *pk, int64_t ts_us)
{
	struct flow	*f;
	enum dir	 d = DIR_C2S;
	uint32_t	 h = flow_hash(ft, pk), seq = pk->seq;
	uint8_t		 fl = pk->flags;

	ft->st.tcp_packets++;
	ft->st.payload_bytes += pk->len;
	if (pk->opts_bad)
		ft->st.bad_options++;
	if (ts_us > ft->now_us)
		ft->now_us = ts_us;
	f = flow_lookup(ft, pk, h, &d);
	if (f != NULL && f->ended) {
		if ((fl & (TH_SYN | TH_ACK | TH_RST)) != TH_SYN) {
			if (pk->wire_len > 0)	/* not the last ACK */
				ft->st.after_close++;
			return;
		}
		flow_destroy(ft, f);	/* a new connection on its ports */
		f = NULL;
	}

	if (fl & TH_RST) {
		if (f != NULL) {
			ft->st.closed_rst++;
			flow_end(ft, f, ts_us);
		}
		return;
	}
	if ((fl & (TH_SYN | TH_ACK)) == TH_SYN) {
		if (f != NULL && f->conn.syn_seen && f->syn_isn == seq)
			return;		/* a retransmitted SYN */
		if (f != NULL)
			flow_close(ft, f, ts_us);	/* port reused */
		f = flow_new(ft, pk, h, &d, ts_us);
		f->syn_isn = seq;
		reasm_start(&f->r[d], seq + 1);
	} else if (fl & TH_SYN) {
		if (f == NULL)
			f = flow_new(ft, pk, h, &d, ts_us);
		/* A capture can show the server's first bytes before its
		 * SYN-ACK (`-i any` reorders across CPUs): those started the
		 * stream, and starting it again at the ISN would hold every
		 * later segment behind a hole that is not there. */
		if (!f->synack_seen && !f->r[d].started)
			reasm_start(&f->r[d], seq + 1);
		flow_synack(ft, f, pk);
	} else if (f == NULL) {
		/* Picked up mid-stream; bare ACKs and FINs of connections
		 * we never saw do not make one. */
		if (pk->wire_len == 0)
			return;
		f = flow_new(ft, pk, h, &d, ts_us);
	}
	if (f->quiet && pk->wire_len > 0)
		flow_quiet_end(ft, f);
	if (f->last_us != ts_us) {
		f->last_us = ts_us;
		if (f != ft->lru_tail) {
			flow_lru_unlink(ft, f);
			flow_lru_append(ft, f);
		}
	}
	if (!f->decode)
		goto fin;
	if (fl & TH_SYN)
		seq++;
	/* The ACK first: the peer's bytes it covers were sent before this
	 * packet, so a request held behind a capture loss reaches the decoder
	 * before the response this packet carries, not after it (which would
	 * give the response to the next request, and every later response to
	 * the one before it). */
	if (fl & TH_ACK)
		reasm_acked(&ft->rx, &f->r[1 - d], f, pk->ack, ts_us);
	if (pk->wire_len > 0) {
		f->live_p = pk->payload;
		f->live_n = pk->len;
		f->live_acked = flow_acked_pos(f, 1 - d, pk->ack, fl);
		reasm_add(&ft->rx, &f->r[d], f, seq, pk->payload, pk->len,
		    pk->wire_len, ts_us);
		f->live_p = NULL;
		f->live_n = 0;
	}
fin:
	if (fl & TH_FIN) {
		reasm_fin(&f->r[d], seq + pk->wire_len);
		f->fin[d] = true;
	}
	if (!f->fin[0] || !f->fin[1])
		return;
	if (flow_fins_done(f)) {
		ft->st.closed_fin++;
		flow_end(ft, f, ts_us);
	} else
		ft->fin_waits++;	/* flow_tick ends it if nothing comes */
}

void
flow_frame(struct flow_table *ft, int dlt, const uint8_t *p, size_t caplen,
    int64_t ts_us)
{
	struct pkt	pk;

	ft->st.packets++;
	ft->st.bytes += caplen;
	switch (pkt_parse(&pk, dlt, p, caplen)) {
	case PKT_OK:
		flow_input(ft, &pk, ts_us);
		if (pk.len < pk.wire_len)
			ft->st.truncated++;
		break;
	case PKT_SKIP:
		ft->st.non_tcp++;
		break;
	case PKT_FRAG:
		ft->st.fragments++;
		break;
	case PKT_TRUNC:
		ft->st.truncated++;
		break;
	case PKT_BAD:
		ft->st.bad++;
		break;
	}
}

void
flow_expire(struct flow_table *ft, int64_t now_us)
{
	while (ft->lru_head != NULL &&
	    ft->lru_head->last_us + ft->idle_us < now_us) {
		ft->st.expired++;
		flow_close(ft, ft->lru_head, now_us);
	}
	while (ft->tw_head != NULL &&
	    ft->tw_head->last_us + FLOW_TW_US < now_us)
		flow_destroy(ft, ft->tw_head);
}

void
flow_tick(struct flow_table *ft, int64_t now_us)
{
	struct flow	*f, *next;
	int		 d;

	flow_expire(ft, now_us);
	if (ft->rx.st.held_bytes == 0 && ft->fin_waits == 0)
		return;
	ft->fin_waits = 0;
	for (f = ft->lru_head; f != NULL; f = next) {
		next = f->l.next;
		for (d = 0; d < 2; d++) {
			if (f->r[d].held == NULL ||
			    reasm_held_since(&f->r[d]) + ft->hole_us > now_us)
				continue;
			ft->st.stale_holes++;
			reasm_flush(&ft->rx, &f->r[d], f, now_us);
		}
		if (!f->fin[0] || !f->fin[1])
			continue;
		/* Both FINs, still short of one: the missing bytes are not
		 * coming once the peers have gone quiet. */
		if (flow_fins_done(f) || f->last_us + ft->hole_us <= now_us) {
			ft->st.closed_fin++;
			flow_end(ft, f, now_us);
		} else
			ft->fin_waits++;
	}
}

void
flow_close_all(struct flow_table *ft, int64_t ts_us)
{
	while (ft->lru_head != NULL)
		flow_close(ft, ft->lru_head, ts_us);
	while (ft->tw_head != NULL)
		flow_destroy(ft, ft->tw_head);
}

void
flow_table_free(struct flow_table *ft)
{
	flow_close_all(ft, ft->now_us);
	free(ft->buckets);
	ft->buckets = NULL;
}
