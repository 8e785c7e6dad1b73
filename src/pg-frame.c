/* pg-frame.c - PostgreSQL message framing and resynchronisation. */
#include <string.h>

#include "pg-frame.h"

/* Body length bounds per message type and direction; min > max means the
 * type does not exist in that direction. (Protocol 3.0, "Message Formats"
 * in the PostgreSQL manual.) */
struct pg_lim {
	uint32_t	min, max;
};

#define ANY		PG_LEN_MAX
#define PG_BODY_SHRINK	(16 * 1024)	/* kept between messages */
/* Body bytes buffered by all connections together: past it a message is
 * kept shorter (it is truncated, as past its type's keep), so many
 * connections each sending part of a big message cost a bounded amount. */
#define PG_HELD_MAX	(32u << 20)
#define PG_HELD_MIN	64

static size_t	pg_held;

/* What a body holding `have` bytes may add: what is left of the budget,
 * but always its first PG_HELD_MIN bytes (the start of a query). */
static size_t
pg_budget(size_t have)
{
	size_t	lim = pg_held < PG_HELD_MAX ? PG_HELD_MAX - pg_held : 0;

	if (have < PG_HELD_MIN && lim < PG_HELD_MIN - have)
		lim = PG_HELD_MIN - have;
	return lim;
}

static void
pg_body_drop(struct pg_frame *f)
{
	pg_held -= f->body.len;
	buf_reset(&f->body);
	if (f->body.cap > PG_BODY_SHRINK)
		buf_free(&f->body);
}
static struct pg_lim	lim[2][256];
static bool		lim_done;

static void
pg_lim_set(int server, uint8_t t, uint32_t min, uint32_t max)
{
	lim[server][t].min = min;
	lim[server][t].max = max;
}

static void
pg_lim_init(void)
{
	int	i, s;

	if (lim_done)
		return;
	for (s = 0; s < 2; s++)
		for (i = 0; i < 256; i++)
			pg_lim_set(s, (uint8_t)i, 1, 0);
	/* frontend */
	pg_lim_set(0, 'Q', 1, ANY);
	pg_lim_set(0, 'P', 4, ANY);
	pg_lim_set(0, 'B', 8, ANY);
	pg_lim_set(0, 'E', 5, ANY);
	pg_lim_set(0, 'D', 2, ANY);
	pg_lim_set(0, 'C', 2, ANY);
	pg_lim_set(0, 'S', 0, 0);
	pg_lim_set(0, 'H', 0, 0);
	pg_lim_set(0, 'X', 0, 0);
	pg_lim_set(0, 'c', 0, 0);
	pg_lim_set(0, 'd', 0, ANY);
	pg_lim_set(0, 'f', 1, ANY);
	pg_lim_set(0, 'F', 10, ANY);
	pg_lim_set(0, 'p', 0, ANY);
	/* backend */
	pg_lim_set(1, 'R', 4, ANY);
	pg_lim_set(1, 'S', 2, ANY);
	pg_lim_set(1, 'K', 8, 260);
	pg_lim_set(1, 'Z', 1, 1);
	pg_lim_set(1, 'T', 2, ANY);
	pg_lim_set(1, 'D', 2, ANY);
	pg_lim_set(1, 'C', 1, ANY);
	pg_lim_set(1, 'E', 1, ANY);
	pg_lim_set(1, 'N', 1, ANY);
	pg_lim_set(1, '1', 0, 0);
	pg_lim_set(1, '2', 0, 0);
	pg_lim_set(1, '3', 0, 0);
	pg_lim_set(1, 'n', 0, 0);
	pg_lim_set(1, 'I', 0, 0);
	pg_lim_set(1, 's', 0, 0);
	pg_lim_set(1, 'c', 0, 0);
	pg_lim_set(1, 't', 2, ANY);
	pg_lim_set(1, 'G', 3, ANY);
	pg_lim_set(1, 'H', 3, ANY);
	pg_lim_set(1, 'W', 3, ANY);
	pg_lim_set(1, 'd', 0, ANY);
	pg_lim_set(1, 'V', 4, ANY);
	pg_lim_set(1, 'A', 6, ANY);
	pg_lim_set(1, 'v', 8, ANY);
	lim_done = true;
}

/* Body of an empty message: readers never see a NULL pointer. */
static const uint8_t	pg_empty[1];

static uint32_t
pg_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

bool
pg_frame_hdr_ok(bool server, uint8_t type, uint32_t len)
{
	const struct pg_lim	*l;

	pg_lim_init();
	l = &lim[server][type];
	if (len < 4)
		return false;
	len -= 4;
	return len >= l->min && len <= l->max;
}

static bool
pg_startup_ok(uint32_t len, uint32_t code)
{
	if (len < 8 || len > PG_STARTUP_MAX)
		return false;
	switch (code) {
	case 80877102:		/* CancelRequest: protocol 3.2 (PostgreSQL
				 * 18) keys are 4 to 256 bytes */
		return len >= 16 && len <= 12 + 256;
	case 80877103:		/* SSLRequest */
	case 80877104:		/* GSSENCRequest */
		return len == 8;
	}
	return code >> 16 == 3;	/* StartupMessage, protocol 3.x */
}

void
pg_frame_init(struct pg_frame *f, bool server, const uint32_t *keeptab,
    enum pg_fstate st)
{
	pg_lim_init();
	memset(f, 0, sizeof *f);
	f->server = server;
	f->keeptab = keeptab;
	f->st = (uint8_t)st;
}

void
pg_frame_free(struct pg_frame *f)
{
	pg_body_drop(f);
	buf_free(&f->body);
}

void
pg_frame_lost(struct pg_frame *f)
{
	if (f->st == PG_FS_OFF)
		return;
	f->st = PG_FS_HUNT;
	f->hlen = 0;
	f->skipped += f->tlen;
	f->tlen = 0;
	f->synced = false;
	pg_body_drop(f);
}

/* A believable message boundary at p[j]: a known type, a sane length, and
 * the message after it also believable, or ending exactly at the chunk's
 * end. A message running past the chunk is believed only at the chunk's
 * start, where a sender's segments usually begin. */
static bool
pg_hunt_at(const struct pg_frame *f, const uint8_t *p, size_t n, size_t j,
    size_t start)
{
	uint32_t	len;
	size_t		end;

	if (n - j < 5)
		return false;
	len = pg_be32(p + j + 1);
	if (!pg_frame_hdr_ok(f->server, p[j], len) || len > PG_HUNT_LEN_MAX)
		return false;
	end = j + 1 + len;
	if (end == n)
		return true;
	if (end < n) {
		if (n - end >= 5)
			return pg_frame_hdr_ok(f->server, p[end],
			    pg_be32(p + end + 1));
		return lim[f->server][p[end]].min <= lim[f->server][p[end]].max;
	}
	return j == start;
}

/* Hunting across chunks: a boundary inside the kept tail of the last
 * chunk, checked as pg_hunt_at() does with the new chunk q. On success
 * the header's first bytes become the partial header. */
static bool
pg_hunt_tail(struct pg_frame *f, const uint8_t *q, size_t m)
{
	uint8_t		w[sizeof f->tail + 5];	/* tail + q's first bytes */
	size_t		t, avail, e, total = f->tlen + m, k;
	uint32_t	len;

	avail = f->tlen + (m < 5 ? m : 5);
	memcpy(w, f->tail, f->tlen);
	memcpy(w + f->tlen, q, avail - f->tlen);
	/* The tail is the last 5 bytes: a header starting there had no
	 * room to be judged with the previous chunk. */
	for (t = 0; t < f->tlen; t++) {
		if (avail - t < 5)
			return false;
		len = pg_be32(w + t + 1);
		if (!pg_frame_hdr_ok(f->server, w[t], len) ||
		    len > PG_HUNT_LEN_MAX)
			continue;
		e = t + 1 + len;
		/* Ending in the tail: judged with the previous chunk. */
		if (e > total || e <= f->tlen)
			continue;
		if (e < total) {
			k = e - f->tlen;	/* the next header, in q */
			if (m - k >= 5 ? !pg_frame_hdr_ok(f->server, q[k],
			    pg_be32(q + k + 1)) :
			    lim[f->server][q[k]].min > lim[f->server][q[k]].max)
				continue;
		}
		f->skipped += t;
		f->hlen = (uint8_t)(f->tlen - t);
		memcpy(f->hdr, f->tail + t, f->hlen);
		f->tlen = 0;
		f->st = PG_FS_HDR;
		return true;
	}
	return false;
}

/* A message whose type and code are set starts: len body bytes, of which
 * its type's keep are kept. */
static inline void
pg_frame_begin(struct pg_frame *f, uint32_t len, int64_t ts)
{
	f->len = len;
	f->got = 0;
	f->keep = f->keeptab[f->type];
	if (f->keep > f->len)
		f->keep = f->len;
	f->ts_first = ts;
}

static void
pg_frame_deliver(struct pg_frame *f, const uint8_t *p, size_t n, int64_t ts,
    uint64_t seq, pg_msg_fn *fn, void *arg)
{
	struct pg_msg	m;

	m.type = f->type;
	m.code = f->code;
	m.p = p != NULL ? p : pg_empty;
	m.n = n;
	m.len = f->len;
	m.ts_first = f->ts_first;
	m.ts = ts;
	m.seq = seq;
	/* The next message starts after this one unless the decoder says
	 * otherwise from inside fn. */
	f->st = PG_FS_HDR;
	f->hlen = 0;
	f->synced = true;
	fn(arg, &m);
}

static void
pg_frame_event(uint8_t type, uint32_t code, int64_t ts, uint64_t seq,
    pg_msg_fn *fn, void *arg)
{
	struct pg_msg	m;

	memset(&m, 0, sizeof m);
	m.p = pg_empty;
	m.type = type;
	m.code = code;
	m.ts_first = m.ts = ts;
	m.seq = seq;
	fn(arg, &m);
}

void
pg_frame_feed(struct pg_frame *f, const uint8_t *p, size_t n, int64_t ts,
    uint64_t seq, pg_msg_fn *fn, void *arg)
{
	size_t		 off = 0, need, take, j, start;
	const uint8_t	*h;
	uint32_t	 len;

	while (off < n) {
		/* The common case without the machine's steps: a whole
		 * message in the chunk at a boundary (its body buffer is then
		 * empty: every other path drops it before coming back here). */
		if (f->st == PG_FS_HDR && f->hlen == 0 && n - off >= 5) {
			h = p + off;
			len = pg_be32(h + 1);
			if (pg_frame_hdr_ok(f->server, h[0], len) &&
			    n - off - 5 >= len - 4) {
				f->type = h[0];
				f->code = 0;
				pg_frame_begin(f, len - 4, ts);
				off += 1 + (size_t)len;
				pg_frame_deliver(f, h + 5, f->keep, ts, seq, fn,
				    arg);
				continue;
			}
		}
		switch (f->st) {
		case PG_FS_OFF:
			return;
		case PG_FS_HUNT:
			if (f->tlen > 0 && pg_hunt_tail(f, p + off, n - off))
				break;
			f->skipped += f->tlen;
			f->tlen = 0;
			start = off;
			for (j = off; j < n; j++)
				if (pg_hunt_at(f, p, n, j, start))
					break;
			if (j < n) {
				f->skipped += j - off;
				off = j;
				f->st = PG_FS_HDR;
				break;
			}
			/* A header may begin in the last bytes: keep them for
			 * the next chunk. */
			take = n - off < sizeof f->tail ? n - off :
			    sizeof f->tail;
			f->skipped += n - off - take;
			memcpy(f->tail, p + n - take, take);
			f->tlen = (uint8_t)take;
			off = n;
			break;
		case PG_FS_SSLANS:
			if (p[off] == 'S' || p[off] == 'N' || p[off] == 'G') {
				f->st = PG_FS_HDR;
				f->synced = true;
				pg_frame_event(PG_MSG_SSLANS, p[off], ts, seq,
				    fn, arg);
				off++;
			} else
				f->st = PG_FS_HDR;	/* e.g. an ErrorResponse */
			break;
		case PG_FS_STARTUP:
		case PG_FS_HDR:
			if (f->hlen == 0 && f->st == PG_FS_STARTUP &&
			    p[off] != 0) {
				/* No startup here: TLS, or a mid-stream start. */
				if (p[off] == 0x16 && !f->server &&
				    (n - off < 2 || p[off + 1] == 3)) {
					pg_frame_event(PG_MSG_TLS, 0, ts, seq,
					    fn, arg);
					if (f->st == PG_FS_OFF)
						return;
				}
				/* A typed message: its header decides. */
				f->st = lim[0][p[off]].min <= lim[0][p[off]].max ?
				    PG_FS_HDR : PG_FS_HUNT;
				break;
			}
			need = f->st == PG_FS_STARTUP ? 8 : 5;
			if (f->hlen == 0 && n - off >= need) {
				h = p + off;
				off += need;
			} else {
				take = need - f->hlen;
				if (take > n - off)
					take = n - off;
				memcpy(f->hdr + f->hlen, p + off, take);
				f->hlen += (uint8_t)take;
				off += take;
				if (f->hlen < need)
					return;
				h = f->hdr;
			}
			f->hlen = 0;
			if (need == 8) {
				len = pg_be32(h);
				f->code = pg_be32(h + 4);
				if (!pg_startup_ok(len, f->code)) {
					f->skipped += need;
					f->st = PG_FS_HUNT;
					break;
				}
				f->type = PG_MSG_STARTUP;
				f->len = len - 8;
			} else {
				len = pg_be32(h + 1);
				if (!pg_frame_hdr_ok(f->server, h[0], len)) {
					if (f->synced) {
						f->desyncs++;
						f->synced = false;
						pg_frame_event(PG_MSG_DESYNC, 0,
						    ts, seq, fn, arg);
					}
					/* Hunt again from just after the bad
					 * type byte when it is in this chunk. */
					if (h == p + off - need) {
						off -= need - 1;
						f->skipped++;
					} else
						f->skipped += need;
					f->st = PG_FS_HUNT;
					break;
				}
				f->type = h[0];
				f->code = 0;
				f->len = len - 4;
			}
			pg_frame_begin(f, f->len, ts);
			f->st = PG_FS_BODY;
			pg_body_drop(f);
			if (f->len == 0)
				pg_frame_deliver(f, pg_empty, 0, ts, seq, fn,
				    arg);
			break;
		case PG_FS_BODY:
			if (f->got == 0 && n - off >= f->len) {
				/* Whole body here: no copy. */
				h = p + off;
				off += f->len;
				pg_frame_deliver(f, h, f->keep, ts, seq, fn, arg);
				break;
			}
			take = f->len - f->got;
			if (take > n - off)
				take = n - off;
			if (f->got < f->keep) {
				size_t	k = take < f->keep - f->got ? take :
				    f->keep - f->got;

				if (k > pg_budget(f->body.len))
					k = pg_budget(f->body.len);
				buf_add(&f->body, p + off, k);
				pg_held += k;
			}
			f->got += (uint32_t)take;
			off += take;
			if (f->got == f->len) {
				pg_frame_deliver(f, (const uint8_t *)f->body.p,
				    f->body.len, ts, seq, fn, arg);
				pg_body_drop(f);
			}
			break;
		}
	}
}
