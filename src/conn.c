/* conn.c - connection lifecycle and record composition (SPEC §3.4). */
#include <string.h>

#include "conn.h"
#include "decode.h"
#include "engine.h"
#include "xmalloc.h"

void
conn_init(struct conn *c, struct engine *eng)
{
	size_t	i;

	memset(c, 0, sizeof *c);
	c->eng = eng;
	rec_init(&c->meta);
	rec_init(&c->head[0]);
	rec_init(&c->head[1]);
	rec_init(&c->tail);
	rec_init(&c->per);
	c->tail_gen = c->meta.gen - 1;
	for (i = 0; i < sizeof c->ecache / sizeof c->ecache[0]; i++)
		rcache_init(&c->ecache[i]);
}

/* Drops what was built of the addresses (at the open, when they are
 * final). */
static void
conn_fixed_reset(struct conn *c)
{
	size_t	i;

	rec_reset(&c->head[0]);
	rec_reset(&c->head[1]);
	c->tail_gen = c->meta.gen - 1;
	for (i = 0; i < sizeof c->ecache / sizeof c->ecache[0]; i++)
		c->ecache[i].fmt = -1;
}

static void
conn_dec_start(struct conn *c)
{
	c->dstate = xcalloc(1, c->dec->state_size);
	if (c->dec->open != NULL)
		c->dec->open(c, c->dstate);
}

void
conn_open(struct conn *c, int64_t ts_us)
{
	struct engine	*eng = c->eng;

	c->t_open_us = c->t_last_us = ts_us;
	c->opened = true;
	/* The addresses are final now: what records before the open were
	 * composed of is built again. */
	conn_fixed_reset(c);
	c->dec = eng->dec;
	eng->st.conns_opened++;
	if (eng->on_open != NULL)
		eng->on_open(eng, c);
	if (c->dec != NULL && !c->dec->lazy)
		conn_dec_start(c);
}

void
conn_data(struct conn *c, const struct chunk *ch)
{
	c->t_last_us = ch->ts_us;
	c->st.bytes[ch->dir] += ch->n;
	c->st.chunks[ch->dir]++;
	c->acked[ch->dir] = ch->peer_acked;
	if (c->dec != NULL && c->dec->data != NULL) {
		if (c->dstate == NULL)
			conn_dec_start(c);
		c->dec->data(c, c->dstate, ch);
	}
	c->pos[ch->dir] += ch->n;
}

void
conn_gap(struct conn *c, enum dir d, uint64_t nbytes, int64_t ts_us)
{
	c->st.gaps++;
	c->st.gap_bytes += nbytes;
	if (c->dec != NULL && c->dec->gap != NULL) {
		if (c->dstate == NULL)
			conn_dec_start(c);
		c->dec->gap(c, c->dstate, d, nbytes, ts_us);
	}
	c->pos[d] += nbytes;
}

void
conn_close(struct conn *c, int64_t ts_us)
{
	struct engine	*eng = c->eng;

	if (c->closed)
		return;
	c->closed = true;
	if (c->dec != NULL && c->dec->close != NULL && c->dstate != NULL)
		c->dec->close(c, c->dstate, ts_us);
	free(c->dstate);
	c->dstate = NULL;
	eng->st.conns_closed++;
	if (eng->on_close != NULL)
		eng->on_close(eng, c);
}

void
conn_free(struct conn *c)
{
	size_t	i;

	free(c->dstate);
	c->dstate = NULL;
	rec_free(&c->meta);
	rec_free(&c->head[0]);
	rec_free(&c->head[1]);
	rec_free(&c->tail);
	rec_free(&c->per);
	for (i = 0; i < sizeof c->ecache / sizeof c->ecache[0]; i++)
		rcache_free(&c->ecache[i]);
}

/*
 * Composition (SPEC §3.4): the decoder's fields [0, ext), the
 * connection's keys, then the decoder's extension fields; in read and
 * probe preceded by ts and the address pair. The connection's keys are
 * records of references kept by the conn, so a record is a view of five
 * runs and nothing is copied; the address pair and the connection's keys
 * are encoded once per connection (ecache).
 */

static const struct record *
conn_head(struct conn *c, enum dir d)
{
	struct record	*h = &c->head[d];
	const char	*src = d == DIR_C2S ? c->cli : c->srv;
	const char	*dst = d == DIR_C2S ? c->srv : c->cli;

	if (h->nf == 0 || !c->opened) {
		rec_reset(h);
		rec_strref(h, "src_addr", src, strlen(src));
		rec_strref(h, "dst_addr", dst, strlen(dst));
		c->ecache[d].fmt = -1;
	}
	return h;
}

/* The connection's keys, current: built again when a value is learnt, or
 * conn_id (late), or before the open, while the addresses are learnt (a
 * proxy's dial error is emitted then). */
static const struct record *
conn_tail(struct conn *c)
{
	struct engine	*eng = c->eng;
	struct record	*t = &c->tail;

	if (c->tail_gen == c->meta.gen && c->opened &&
	    memcmp(c->tail_id, c->id, sizeof c->id) == 0)
		return t;
	memcpy(c->tail_id, c->id, sizeof c->id);
	rec_reset(t);
	if (eng->mode == ENG_PROXY) {
		rec_strref(t, "conn_id", c->id, strlen(c->id));
		rec_strref(t, "client_addr", c->cli, strlen(c->cli));
		rec_strref(t, "proxy_listen_addr", c->listen,
		    strlen(c->listen));
		rec_strref(t, "proxy_client_addr", c->pcli, strlen(c->pcli));
		rec_strref(t, "remote_addr", c->srv, strlen(c->srv));
	} else {
		if (eng->mode == ENG_PROBE) {
			rec_strref(t, "interface", eng->interface,
			    strlen(eng->interface));
			rec_strref(t, "probe_target_addr", eng->target,
			    strlen(eng->target));
		}
		if (c->id[0] != '\0')
			rec_strref(t, "conn_id", c->id, strlen(c->id));
	}
	rec_append(t, &c->meta, 0, c->meta.nf);
	c->tail_gen = c->meta.gen;
	c->tail_key++;
	return t;
}

void
conn_emit(struct conn *c, const struct record *vals, enum dir d,
    int64_t ts_us, uint64_t seq)
{
	struct engine		*eng = c->eng;
	struct rview		 v;
	const struct record	*t = conn_tail(c);
	uint32_t		 ext = rec_ext_index(vals);

	rview_init(&v);
	rec_reset(&c->per);
	if (eng->mode == ENG_PROXY) {
		rec_uint(&c->per, "conn_seq_num", seq);
		rec_strref(&c->per, "direction", d == DIR_C2S ? "->" : "<-",
		    2);
		rec_time(&c->per, "ts", ts_us);
		rview_add(&v, vals, 0, ext, NULL, 0);
		rview_add(&v, t, 0, t->nf, &c->ecache[2], c->tail_key);
		rview_add(&v, &c->per, 0, c->per.nf, NULL, 0);
	} else {
		rec_time(&c->per, "ts", ts_us);
		rview_add(&v, &c->per, 0, 1, NULL, 0);
		rview_add(&v, conn_head(c, d), 0, 2, &c->ecache[d], 0);
		rview_add(&v, vals, 0, ext, NULL, 0);
		rview_add(&v, t, 0, t->nf, &c->ecache[2], c->tail_key);
	}
	rview_add(&v, vals, ext, vals->nf, NULL, 0);
	c->st.records++;
	eng->st.records++;
	engine_write(eng, &v, c);
}

void
conn_set_tls(struct conn *c, enum dir d, int64_t ts_us, const char *why)
{
	struct record	r;

	if (c->tls)
		return;
	c->tls = true;
	c->eng->st.conns_tls++;
	rec_init(&r);
	rec_cstr(&r, "error", why);
	conn_emit(c, &r, d, ts_us, 0);
	rec_free(&r);
}
