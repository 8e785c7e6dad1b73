/* test-heldcap.c - the bytes kept of unfinished mysql and pg messages are
 * capped across all connections: while many connections hold part of a
 * huge message, a new one's message is kept shorter (and says so); once
 * they are gone, the budget is whole again (no accounting drift). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conn.h"
#include "decode.h"
#include "emit.h"
#include "engine.h"
#include "test.h"

#define HC_CONNS	40		/* x 1 MB: past the 32 MB budget */
#define HC_PART		(1u << 20)

static struct buf	hc_out;

static void
hc_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	(void)s;
	(void)c;
	emit_view(&hc_out, r, FMT_JSON);
}

static void
hc_close(struct sink *s)
{
	(void)s;
}

static void
hc_feed(struct conn *c, const uint8_t *p, size_t n)
{
	struct chunk	ch;
	size_t		off, k;

	/* 64 KB chunks, so the message is assembled, not seen whole. */
	for (off = 0; off < n; off += k) {
		k = n - off < 65536 ? n - off : 65536;
		memset(&ch, 0, sizeof ch);
		ch.p = p + off;
		ch.n = k;
		ch.dir = DIR_C2S;
		ch.ts_us = 1;
		conn_data(c, &ch);
	}
}

/* A message of n bytes: mysql COM_QUERY or pg Query, its header saying
 * `announce` bytes (so it may never end). */
static uint8_t *
hc_msg(int pg, size_t n, uint32_t announce, size_t *len)
{
	uint8_t	*p = malloc(n);

	memset(p, 'a', n);
	if (pg) {
		p[0] = 'Q';
		p[1] = (uint8_t)(announce >> 24);
		p[2] = (uint8_t)(announce >> 16);
		p[3] = (uint8_t)(announce >> 8);
		p[4] = (uint8_t)announce;
		p[n - 1] = '\0';
	} else {
		p[0] = (uint8_t)announce;
		p[1] = (uint8_t)(announce >> 8);
		p[2] = (uint8_t)(announce >> 16);
		p[3] = 0;
		p[4] = 0x03;
	}
	*len = n;
	return p;
}

static void
hc_run(const struct decoder *dec, int pg)
{
	static struct sink	 sk = { "t", hc_write, NULL, hc_close, NULL };
	struct engine		 eng;
	struct conn		*hold, one;
	uint8_t			*big, *q;
	size_t			 nbig, nq;
	int			 i, round;

	engine_init(&eng, ENG_READ, dec);
	engine_add_sink(&eng, &sk);
	big = hc_msg(pg, HC_PART, pg ? 1u << 30 : 0xffffff, &nbig);
	q = hc_msg(pg, 300000, pg ? 300000 - 1 : 300000 - 4, &nq);
	hold = calloc(HC_CONNS, sizeof *hold);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < HC_CONNS; i++) {
			conn_init(&hold[i], &eng);
			conn_open(&hold[i], 0);
			hc_feed(&hold[i], big, nbig);
		}
		/* While they hold the budget, a new message is cut short. */
		buf_reset(&hc_out);
		conn_init(&one, &eng);
		conn_open(&one, 0);
		hc_feed(&one, q, nq);
		conn_close(&one, 3);
		conn_free(&one);
		buf_addc(&hc_out, '\0');
		CHECK(strstr(hc_out.p, pg ? "\"truncated\":true" :
		    "\"truncated_bytes\"") != NULL);
		for (i = 0; i < HC_CONNS; i++) {
			/* half of them lose bytes: the gap path drops too */
			if (i % 2)
				conn_gap(&hold[i], DIR_C2S, 100, 2);
			conn_close(&hold[i], 3);
			conn_free(&hold[i]);
		}
		/* All gone: the same message is kept whole, every round. */
		buf_reset(&hc_out);
		conn_init(&one, &eng);
		conn_open(&one, 0);
		hc_feed(&one, q, nq);
		conn_close(&one, 3);
		conn_free(&one);
		buf_addc(&hc_out, '\0');
		CHECK(strstr(hc_out.p, "\"query\":\"aaaa") != NULL);
		CHECK(strstr(hc_out.p, "truncated") == NULL);
	}
	free(hold);
	free(big);
	free(q);
	engine_free(&eng);
	buf_free(&hc_out);
}

TEST(heldcap_mysql)
{
	hc_run(&decoder_mysql, 0);
}

TEST(heldcap_pg)
{
	hc_run(&decoder_pg, 1);
}
