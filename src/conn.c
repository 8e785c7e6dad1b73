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
	rec_init(&c->meta_refs);
	c->meta_refs_gen = c->meta.gen - 1;
	for (i = 0; i < sizeof c->ecache / sizeof c->ecache[0]; i++)
		rcache_init(&c->ecache[i]);
}

void
conn_open(struct conn *c, int64_t ts_us)
{
	struct engine	*eng = c->eng;

	c->t_open_us = c->t_last_us = ts_us;
	c->cli_len = (uint8_t)strlen(c->cli);
	c->srv_len = (uint8_t)strlen(c->srv);
	c->id_len = (uint8_t)strlen(c->id);
	memcpy(c->ecache_id, c->id, sizeof c->id);
	c->dec = eng->dec;
	eng->st.conns_opened++;
	if (eng->on_open != NULL)
		eng->on_open(eng, c);
	if (c->dec != NULL) {
		c->dstate = xcalloc(1, c->dec->state_size);
		if (c->dec->open != NULL)
			c->dec->open(c, c->dstate);
	}
}

void
conn_data(struct conn *c, const struct chunk *ch)
{
	c->t_last_us = ch->ts_us;
	c->st.bytes[ch->dir] += ch->n;
	c->st.chunks[ch->dir]++;
	if (c->dec != NULL && c->dec->data != NULL)
		c->dec->data(c, c->dstate, ch);
}

void
conn_gap(struct conn *c, enum dir d, uint64_t nbytes, int64_t ts_us)
{
	c->st.gaps++;
	c->st.gap_bytes += nbytes;
	if (c->dec != NULL && c->dec->gap != NULL)
		c->dec->gap(c, c->dstate, d, nbytes, ts_us);
}

void
conn_close(struct conn *c, int64_t ts_us)
{
	struct engine	*eng = c->eng;

	if (c->closed)
		return;
	c->closed = true;
	if (c->dec != NULL && c->dec->close != NULL)
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
	rec_free(&c->meta_refs);
	for (i = 0; i < sizeof c->ecache / sizeof c->ecache[0]; i++)
		rcache_free(&c->ecache[i]);
}

/* c->meta as references, current. */
static const struct record *
conn_meta_refs(struct conn *c)
{
	if (c->meta_refs_gen != c->meta.gen) {
		rec_reset(&c->meta_refs);
		rec_append(&c->meta_refs, &c->meta, 0, c->meta.nf);
		c->meta_refs_gen = c->meta.gen;
	}
	return &c->meta_refs;
}

void
conn_emit(struct conn *c, const struct record *vals, enum dir d,
    int64_t ts_us, uint64_t seq)
{
	struct engine	*eng = c->eng;
	struct record	*out = &eng->out;
	uint32_t	 ext = rec_ext_index(vals), first;

	rec_view(out, vals);
	/* The addresses are fixed at open; conn_id may be learnt late. */
	if (memcmp(c->ecache_id, c->id, sizeof c->id) != 0) {
		memcpy(c->ecache_id, c->id, sizeof c->id);
		c->id_len = (uint8_t)strlen(c->id);
		c->ecache[2].fmt = -1;
	}
	if (eng->mode == ENG_PROXY) {
		rec_append(out, vals, 0, ext);
		first = out->nf;
		/* Measured here: a dial error is emitted before conn_open,
		 * while the addresses are still being learnt. */
		rec_strref(out, "conn_id", c->id, strlen(c->id));
		rec_strref(out, "client_addr", c->cli, strlen(c->cli));
		rec_strref(out, "proxy_listen_addr", c->listen,
		    strlen(c->listen));
		rec_strref(out, "proxy_client_addr", c->pcli, strlen(c->pcli));
		rec_strref(out, "remote_addr", c->srv, strlen(c->srv));
		rec_append(out, conn_meta_refs(c), 0, c->meta.nf);
		rec_span(out, first, &c->ecache[2], c->meta.gen);
		rec_uint(out, "conn_seq_num", seq);
		rec_strref(out, "direction", d == DIR_C2S ? "->" : "<-", 2);
		rec_time(out, "ts", ts_us);
	} else {
		const char *src = d == DIR_C2S ? c->cli : c->srv;
		const char *dst = d == DIR_C2S ? c->srv : c->cli;
		size_t	    srclen = d == DIR_C2S ? c->cli_len : c->srv_len;
		size_t	    dstlen = d == DIR_C2S ? c->srv_len : c->cli_len;

		/* Escaped in full: the spans' caches make that once per
		 * connection (an IPv6 scope is an interface name). */
		rec_time(out, "ts", ts_us);
		rec_strref(out, "src_addr", src, srclen);
		rec_strref(out, "dst_addr", dst, dstlen);
		rec_span(out, 1, &c->ecache[d], 0);
		rec_append(out, vals, 0, ext);
		first = out->nf;
		if (eng->mode == ENG_PROBE) {
			rec_strref(out, "interface", eng->interface,
			    strlen(eng->interface));
			rec_strref(out, "probe_target_addr", eng->target,
			    strlen(eng->target));
		}
		if (c->id[0] != '\0')
			rec_strref(out, "conn_id", c->id, c->id_len);
		rec_append(out, conn_meta_refs(c), 0, c->meta.nf);
		rec_span(out, first, &c->ecache[2], c->meta.gen);
	}
	rec_append(out, vals, ext, vals->nf);
	c->st.records++;
	eng->st.records++;
	engine_write(eng, out, c);
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
