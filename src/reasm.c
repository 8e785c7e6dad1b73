/* reasm.c - per-direction TCP reassembly (sequence arithmetic mod 2^32). */
#include <stdlib.h>
#include <string.h>

#include "reasm.h"
#include "xmalloc.h"

#define REASM_CAP_DIR	(1024 * 1024)
#define REASM_CAP_TOTAL	(64 * 1024 * 1024)
#define REASM_CAP_SEGS	512
#define REASM_ACK_WINDOW	(1U << 30)	/* saner acks than this are ignored */

struct reasm_seg {
	struct reasm_seg	*next;
	uint32_t		 seq;
	uint32_t		 len;
	uint32_t		 wire;
	int64_t			 ts_us;
	uint8_t			 data[];
};

static inline int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

void
reasm_ctx_init(struct reasm_ctx *x)
{
	memset(x, 0, sizeof *x);
	x->cap_dir = REASM_CAP_DIR;
	x->cap_total = REASM_CAP_TOTAL;
	x->cap_segs = REASM_CAP_SEGS;
}

void
reasm_start(struct reasm *r, uint32_t next)
{
	r->started = true;
	r->next = next;
}

void
reasm_fin(struct reasm *r, uint32_t seq)
{
	if (!r->fin) {
		r->fin = true;
		r->fin_seq = seq;
	}
}

static void
reasm_gap(struct reasm_ctx *x, struct reasm *r, void *arg, uint32_t upto,
    int64_t ts_us)
{
	uint32_t	n = upto - r->next;

	x->st.gaps++;
	x->st.gap_bytes += n;
	r->next = upto;
	x->gap(arg, r, n, ts_us);
}

/* Delivers what is new in a segment that starts at or before next.
 * Returns false (and does nothing) if it starts later. */
static bool
reasm_take(struct reasm_ctx *x, struct reasm *r, void *arg, uint32_t seq,
    const uint8_t *p, uint32_t n, uint32_t wire, int64_t ts_us)
{
	int32_t		d = seq_diff(seq, r->next);
	uint32_t	skip;

	if (d > 0)
		return false;
	skip = (uint32_t)-(int64_t)d;
	if (skip >= wire) {
		x->st.retrans++;
		return true;
	}
	if (skip > 0)
		x->st.overlaps++;
	if (skip < n) {
		r->next += n - skip;
		x->data(arg, r, p + skip, n - skip, ts_us);
	}
	if (r->next != seq + wire) {
		x->st.truncated++;
		reasm_gap(x, r, arg, seq + wire, ts_us);
	}
	return true;
}

static void
reasm_pop(struct reasm_ctx *x, struct reasm *r)
{
	struct reasm_seg	*s = r->held;

	r->held = s->next;
	r->nheld--;
	r->held_bytes -= s->len;
	x->st.held_bytes -= s->len;
	free(s);
}

/*
 * Held bytes carry the time of the packet that made them deliverable
 * (the one that filled the hole), so records stay in time order and a
 * request is timed from when it was complete. With own_ts they carry
 * their own: the peer's ACK showed the hole was lost only in the capture,
 * so the bytes after it were complete on the wire when they were seen.
 */
static void
reasm_drain(struct reasm_ctx *x, struct reasm *r, void *arg, bool own_ts,
    int64_t ts_us)
{
	struct reasm_seg	*s;

	while ((s = r->held) != NULL && reasm_take(x, r, arg, s->seq, s->data,
	    s->len, s->wire, own_ts ? s->ts_us : ts_us))
		reasm_pop(x, r);
}

/* Delivers held segments starting before upto, bridging holes with gaps. */
static void
reasm_release(struct reasm_ctx *x, struct reasm *r, void *arg, uint32_t upto,
    bool all, bool own_ts, int64_t ts_us)
{
	struct reasm_seg	*s;

	while ((s = r->held) != NULL &&
	    (all || seq_diff(s->seq, upto) < 0)) {
		if (seq_diff(s->seq, r->next) > 0)
			reasm_gap(x, r, arg, s->seq, own_ts ? s->ts_us : ts_us);
		reasm_take(x, r, arg, s->seq, s->data, s->len, s->wire,
		    own_ts ? s->ts_us : ts_us);
		reasm_pop(x, r);
	}
}

static void
reasm_hold(struct reasm_ctx *x, struct reasm *r, uint32_t seq,
    const uint8_t *p, uint32_t n, uint32_t wire, int64_t ts_us)
{
	struct reasm_seg	**pp, *s;

	for (pp = &r->held; (s = *pp) != NULL; pp = &s->next) {
		if (s->seq == seq && s->wire >= wire) {
			x->st.retrans++;
			return;
		}
		if (seq_diff(s->seq, seq) > 0)
			break;
	}
	s = xmalloc(sizeof *s + n);
	s->seq = seq;
	s->len = n;
	s->wire = wire;
	s->ts_us = ts_us;
	memcpy(s->data, p, n);
	s->next = *pp;
	*pp = s;
	r->nheld++;
	r->held_bytes += n;
	x->st.held_bytes += n;
	if (x->st.held_bytes > x->st.held_max)
		x->st.held_max = x->st.held_bytes;
	x->st.ooo++;
}

void
reasm_add(struct reasm_ctx *x, struct reasm *r, void *arg, uint32_t seq,
    const uint8_t *p, uint32_t n, uint32_t wire, int64_t ts_us)
{
	if (wire < n)
		wire = n;
	if (wire == 0)
		return;
	x->st.segs++;
	if (!r->started)
		reasm_start(r, seq);
	if (reasm_take(x, r, arg, seq, p, n, wire, ts_us)) {
		if (r->held != NULL)
			reasm_drain(x, r, arg, false, ts_us);
		return;
	}
	if (r->nheld >= x->cap_segs || r->held_bytes + n > x->cap_dir ||
	    x->st.held_bytes + n > x->cap_total) {
		/* Stop waiting for the hole: what is held goes out now. */
		x->st.cap_hits++;
		reasm_release(x, r, arg, 0, true, false, ts_us);
		if (seq_diff(seq, r->next) > 0)
			reasm_gap(x, r, arg, seq, ts_us);
		reasm_take(x, r, arg, seq, p, n, wire, ts_us);
		return;
	}
	reasm_hold(x, r, seq, p, n, wire, ts_us);
}

void
reasm_acked(struct reasm_ctx *x, struct reasm *r, void *arg, uint32_t ack,
    int64_t ts_us)
{
	/* With nothing held only a FIN's stream needs the ack: the bytes
	 * before the FIN that never came are then known lost. */
	if (!r->started || (r->held == NULL && !r->fin))
		return;
	if (r->fin && seq_diff(ack, r->fin_seq) > 0)
		ack = r->fin_seq;
	if (seq_diff(ack, r->next) <= 0 ||
	    (uint32_t)(ack - r->next) > REASM_ACK_WINDOW)
		return;
	reasm_release(x, r, arg, ack, false, true, ts_us);
	if (seq_diff(ack, r->next) > 0)
		reasm_gap(x, r, arg, ack, ts_us);
	reasm_drain(x, r, arg, true, ts_us);
}

void
reasm_flush(struct reasm_ctx *x, struct reasm *r, void *arg, int64_t ts_us)
{
	reasm_release(x, r, arg, 0, true, false, ts_us);
}

bool
reasm_done(const struct reasm *r)
{
	return !r->started || (r->held == NULL &&
	    (!r->fin || seq_diff(r->next, r->fin_seq) >= 0));
}

void
reasm_free(struct reasm_ctx *x, struct reasm *r)
{
	while (r->held != NULL)
		reasm_pop(x, r);
}

int64_t
reasm_held_since(const struct reasm *r)
{
	const struct reasm_seg	*s;
	int64_t			 t = INT64_MAX;

	for (s = r->held; s != NULL; s = s->next)
		if (s->ts_us < t)
			t = s->ts_us;
	return t;
}
