/* pgtest.c - scripted pg connections for unit tests (see pgtest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conn.h"
#include "decode.h"
#include "emit.h"
#include "engine.h"
#include "pgtest.h"
#include "sink.h"
#include "test.h"

#define MAXSTEP	128

struct step {
	int		 dir;
	int64_t		 ts;
	size_t		 off, n;
	uint64_t	 gap;	/* > 0: a gap of that many bytes */
	uint64_t	 acked;	/* struct chunk peer_acked */
};

static struct step	 steps[MAXSTEP];
static int		 nsteps;
static struct buf	 bytes;
static size_t		 msgat;
static struct buf	 out, first;
static struct conn_stats last_stats;
int			 pgt_mode = ENG_READ;

void
s_reset(void)
{
	nsteps = 0;
	buf_reset(&bytes);
}

void
s_step(int d)
{
	struct step	*s;

	if (nsteps == MAXSTEP)
		abort();
	s = &steps[nsteps++];
	s->dir = d;
	s->ts = 1000 * (int64_t)nsteps;
	s->off = bytes.len;
	s->n = 0;
	s->gap = 0;
	s->acked = 0;
}

void
s_acked(uint64_t ahead)
{
	uint64_t	srv = 0;
	int		i;

	for (i = 0; i < nsteps - 1; i++)
		if (steps[i].dir != steps[nsteps - 1].dir)
			srv += steps[i].gap + steps[i].n;
	steps[nsteps - 1].acked = srv + ahead;
}

void
s_gap(int d, uint64_t n)
{
	s_step(d);
	steps[nsteps - 1].gap = n;
}

static void
s_add(const void *p, size_t n)
{
	buf_add(&bytes, p, n);
	steps[nsteps - 1].n += n;
}

void
s_u8(uint8_t v)
{
	s_add(&v, 1);
}

void
s_be16(uint16_t v)
{
	uint8_t	b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	s_add(b, 2);
}

void
s_be32(uint32_t v)
{
	uint8_t	b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	s_add(b, 4);
}

void
s_cstr(const char *s)
{
	s_add(s, strlen(s) + 1);
}

void
s_raw(const void *p, size_t n)
{
	s_add(p, n);
}

void
s_hex(const char *hex)
{
	uint8_t	*b = malloc(strlen(hex) / 2 + 1);
	size_t	 n = test_unhex(hex, b, strlen(hex) / 2 + 1);

	s_add(b, n);
	free(b);
}

void
s_msg(char type)
{
	s_u8((uint8_t)type);
	msgat = bytes.len;
	s_be32(0);
}

void
s_end(void)
{
	uint32_t	len = (uint32_t)(bytes.len - msgat);
	uint8_t		*p = (uint8_t *)bytes.p + msgat;

	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
}

struct tsink {
	struct sink	 s;
};

static void
tsink_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	(void)s;
	(void)c;
	emit_view(&out, r, FMT_JSON);
}

static void
tsink_close(struct sink *s)
{
	(void)s;
}

static void
feed(struct conn *c, const struct step *s, size_t from, size_t to)
{
	struct chunk	ch;

	if (to <= from)
		return;
	ch.p = (const uint8_t *)bytes.p + s->off + from;
	ch.n = to - from;
	ch.dir = (enum dir)s->dir;
	ch.ts_us = s->ts;
	ch.seq = (uint64_t)(s - steps);
	ch.peer_acked = s->acked;
	conn_data(c, &ch);
}

const char *
pgt_run(int split, size_t k, bool bytewise)
{
	static struct tsink	ts;
	struct engine		eng;
	struct conn		c;
	int			i;
	size_t			j;

	buf_reset(&out);
	ts.s.name = "test";
	ts.s.write = tsink_write;
	ts.s.flush = NULL;
	ts.s.close = tsink_close;
	engine_init(&eng, pgt_mode, &decoder_pg);
	engine_add_sink(&eng, &ts.s);
	conn_init(&c, &eng);
	strcpy(c.cli, "127.0.0.1:50000");
	strcpy(c.srv, "127.0.0.1:5432");
	if (pgt_mode == ENG_PROXY) {
		strcpy(c.id, "bfk0d5rt4dkl5ke0e5ig");
		strcpy(c.listen, "127.0.0.1:33065");
		strcpy(c.pcli, "127.0.0.1:50001");
	}
	conn_open(&c, 0);
	for (i = 0; i < nsteps; i++) {
		const struct step *s = &steps[i];

		if (s->gap) {
			conn_gap(&c, (enum dir)s->dir, s->gap, s->ts);
			continue;
		}
		if (bytewise) {
			for (j = 0; j < s->n; j++)
				feed(&c, s, j, j + 1);
		} else if (i == split) {
			feed(&c, s, 0, k);
			feed(&c, s, k, s->n);
		} else
			feed(&c, s, 0, s->n);
	}
	conn_close(&c, 1000 * (int64_t)(nsteps + 1));
	last_stats = c.st;
	conn_free(&c);
	engine_free(&eng);
	buf_addc(&out, '\0');
	out.len--;
	return out.p != NULL ? out.p : "";
}

const struct conn_stats *
pgt_stats(void)
{
	return &last_stats;
}

const char *
pgt_check_splits(const char *file, int line)
{
	const char	*o;
	int		 i;
	size_t		 k;

	buf_reset(&first);
	buf_adds(&first, pgt_run(-1, 0, false));
	buf_addc(&first, '\0');
	for (i = 0; i < nsteps; i++) {
		for (k = 1; k < steps[i].n; k++) {
			o = pgt_run(i, k, false);
			if (strcmp(o, first.p) != 0) {
				test_fail(file, line, "step %d split at %zu:\n"
				    "   got: %s\n  want: %s", i, k, o, first.p);
				goto bytewise;
			}
		}
	}
bytewise:
	o = pgt_run(-1, 0, true);
	if (strcmp(o, first.p) != 0)
		test_fail(file, line, "byte by byte:\n   got: %s\n  want: %s",
		    o, first.p);
	pgt_run(-1, 0, false);
	return first.p;
}
