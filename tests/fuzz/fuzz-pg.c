/* fuzz-pg.c - any byte stream through the pg decoder.
 *
 * The input is a script: a control byte (bit 0 direction, bits 1-2:
 * 3 = a gap, bit 3: an upstream-style startup flag on the connection),
 * a length byte, then that many bytes as one chunk. The decoder must
 * never read out of bounds, leak, hang, or emit invalid JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "conn.h"
#include "decode.h"
#include "emit.h"
#include "engine.h"
#include "sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct buf	out;

static void
fz_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	cJSON	*o;

	(void)s;
	(void)c;
	buf_reset(&out);
	emit_view(&out, r, FMT_JSON);
	o = cJSON_ParseWithLength(out.p, out.len);
	if (o == NULL)
		abort();
	cJSON_Delete(o);
}

static void
fz_close(struct sink *s)
{
	(void)s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct sink	sk = { "fuzz", fz_write, NULL, fz_close, NULL };
	struct engine		eng;
	struct conn		c;
	struct chunk		ch;
	size_t			off = 0, len;
	uint8_t			ctl;
	int64_t			ts = 0;

	engine_init(&eng, ENG_READ, &decoder_pg);
	engine_add_sink(&eng, &sk);
	conn_init(&c, &eng);
	strcpy(c.cli, "127.0.0.1:1");
	strcpy(c.srv, "127.0.0.1:2");
	conn_open(&c, 0);
	while (off + 2 <= n) {
		ctl = p[off];
		len = p[off + 1];
		off += 2;
		ts += ctl & 0x80 ? 0 : 1000;
		if ((ctl >> 1 & 3) == 3) {
			conn_gap(&c, (enum dir)(ctl & 1), len, ts);
			continue;
		}
		if (len > n - off)
			len = n - off;
		ch.p = p + off;
		ch.n = len;
		ch.dir = (enum dir)(ctl & 1);
		ch.ts_us = ts;
		ch.seq = 0;
		/* how far the client had read: unknown, all the server's
		 * bytes so far, or past bytes a gap may lose next */
		ch.peer_acked = (ctl >> 1 & 3) == 0 ? 0 :
		    c.pos[DIR_S2C] + ((ctl >> 1 & 3) == 1 ? 64 : 0);
		conn_data(&c, &ch);
		off += len;
	}
	conn_close(&c, ts);
	conn_free(&c);
	engine_free(&eng);
	return 0;
}
