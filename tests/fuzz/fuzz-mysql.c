/* fuzz-mysql.c - libFuzzer target over the mysql decoder.
 *
 * Input: one flags byte, then chunks: a control byte (bit 0 direction,
 * bits 1-2 == 3 a gap instead of data, bits 3-7 a length multiplier) and a
 * length byte, then that many bytes. Flags: bit 0 the connection start was
 * seen; bit 1 a greeting, handshake response (with CLIENT_SESSION_TRACK)
 * and OK come first (bit 2 with CLIENT_COMPRESS, bit 3 with
 * CLIENT_DEPRECATE_EOF, bit 7 with CLIENT_QUERY_ATTRIBUTES) so that the
 * fuzzer reaches the command phase at once; bits 4-6 pick the engine mode.
 * Every record is encoded, so the encoders see what the decoder produced. */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "conn.h"
#include "decode.h"
#include "emit.h"
#include "engine.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fsink {
	struct sink	s;
	struct buf	b;
};

static void
fsink_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	struct fsink	*f = (struct fsink *)s;

	(void)c;
	buf_reset(&f->b);
	emit_view(&f->b, r, FMT_JSON);
	buf_reset(&f->b);
	emit_view(&f->b, r, FMT_LTSV);
}

static void
fsink_close(struct sink *s)
{
	buf_free(&((struct fsink *)s)->b);
}

static const uint8_t greeting[] = {
	0x0a, '1', '0', '.', '1', '1', 0, 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
	0, 0xfe, 0xf7, 0x08, 0x02, 0, 0xff, 0x81, 0x15, 0, 0, 0, 0, 0, 0, 0x1d,
	0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0,
};

static void
feed(struct conn *c, enum dir d, uint8_t seq, const uint8_t *p, size_t n)
{
	uint8_t		buf[128];
	struct chunk	ch;

	buf[0] = (uint8_t)n;
	buf[1] = 0;
	buf[2] = 0;
	buf[3] = seq;
	memcpy(buf + 4, p, n);
	ch.p = buf;
	ch.n = n + 4;
	ch.dir = d;
	ch.ts_us = 1;
	ch.seq = 0;
	ch.peer_acked = 0;
	conn_data(c, &ch);
}

static void
login(struct conn *c, uint8_t flags)
{
	uint8_t		hs[64], gr[sizeof greeting];
	uint32_t	caps = 0x008fa68d & ~0x20u;	/* + SESSION_TRACK */
	static const uint8_t ok[] = { 0, 0, 0, 2, 0, 0, 0 };

	memcpy(gr, greeting, sizeof gr);
	if (flags & 4)
		caps |= 0x20;
	if (flags & 8)
		caps |= 0x01000000;
	if (flags & 0x80) {
		caps |= 0x08000000;
		gr[26] |= 0x08;		/* the server offers it too */
	}
	memset(hs, 0, sizeof hs);
	hs[0] = (uint8_t)caps;
	hs[1] = (uint8_t)(caps >> 8);
	hs[2] = (uint8_t)(caps >> 16);
	hs[3] = (uint8_t)(caps >> 24);
	hs[8] = 33;
	memcpy(hs + 32, "root\0\0db\0", 9);
	feed(c, DIR_S2C, 0, gr, sizeof gr);
	feed(c, DIR_C2S, 1, hs, 41);
	feed(c, DIR_S2C, 2, ok, sizeof ok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum engine_mode modes[] = { ENG_READ, ENG_PROBE, ENG_PROXY };
	struct engine	 eng;
	struct fsink	 fs;
	struct conn	 c;
	struct chunk	 ch;
	size_t		 i = 1, n;
	uint8_t		 flags, ctl;

	if (size < 1)
		return 0;
	flags = data[0];
	engine_init(&eng, modes[((flags >> 4) & 7) % 3], &decoder_mysql);
	eng.interface = "lo";
	eng.target = "3306";
	memset(&fs, 0, sizeof fs);
	fs.s.name = "fuzz";
	fs.s.write = fsink_write;
	fs.s.close = fsink_close;
	engine_add_sink(&eng, &fs.s);
	conn_init(&c, &eng);
	strcpy(c.cli, "127.0.0.1:50000");
	strcpy(c.srv, "127.0.0.1:3306");
	c.syn_seen = flags & 1;
	conn_open(&c, 0);
	if (flags & 2)
		login(&c, flags);
	while (i + 2 <= size) {
		ctl = data[i];
		n = data[i + 1] + (size_t)(ctl >> 3) * 256;
		i += 2;
		if ((ctl & 6) == 6) {
			conn_gap(&c, ctl & 1 ? DIR_S2C : DIR_C2S, n, (int64_t)i);
			continue;
		}
		if (n > size - i)
			n = size - i;
		ch.p = data + i;
		ch.n = n;
		ch.dir = ctl & 1 ? DIR_S2C : DIR_C2S;
		ch.ts_us = (int64_t)i;
		ch.seq = i;
		/* how far the sender had read the other side: unknown, all
		 * its bytes so far, or past bytes a gap may lose next (the
		 * server: a request not seen yet) */
		ch.peer_acked = (ctl & 6) == 0 ? 0 :
		    c.pos[ch.dir == DIR_C2S ? DIR_S2C : DIR_C2S] +
		    ((ctl & 6) == 2 ? 100 : 0);
		conn_data(&c, &ch);
		i += n;
	}
	conn_close(&c, (int64_t)size);
	conn_free(&c);
	engine_free(&eng);
	return 0;
}
