/* test-hexdump.c - the hex dumper's columns against byte-at-a-time models,
 * on the vector and the portable code, and its records in every format
 * against the same values as plain strings. */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "decode.h"
#include "emit.h"
#include "engine.h"
#include "hexdump.h"
#include "record.h"
#include "sink.h"
#include "test.h"

#define HT_MAX		300
#define HT_CANARY	0xa5

/* Bytes that matter to one encoder or another. */
static const uint8_t ht_special[] = {
	'"', '\\', 0x00, 0x01, '\n', '\r', '\t', 0x1f, 0x20, 0x7e, 0x7f, 0x80,
	0x9b, 0xc2, 0xe2, 0xa8, 0xff, '/', '<', '&',
};

static size_t
ht_model_hex(char *out, const uint8_t *in, size_t n)
{
	static const char	hexdig[] = "0123456789abcdef";
	size_t			i, o = 0;

	for (i = 0; i < n; i++) {
		if (i)
			out[o++] = ' ';
		out[o++] = hexdig[in[i] >> 4];
		out[o++] = hexdig[in[i] & 0xf];
	}
	return o;
}

static int
ht_model_ascii(char *out, const uint8_t *in, size_t n)
{
	size_t	i;
	int	q = 0;

	for (i = 0; i < n; i++) {
		out[i] = in[i] >= 0x20 && in[i] <= 0x7e ? (char)in[i] : '.';
		q |= in[i] == '"' || in[i] == '\\';
	}
	return q;
}

/* Both columns of in[0, n) into buffers of exactly the room the header
 * asks for, canaries after it. */
static void
ht_check(const uint8_t *in, size_t n)
{
	static char	hx[HEXDUMP_HEX_ROOM(HT_MAX) + 8];
	static char	as[HEXDUMP_ASCII_ROOM(HT_MAX) + 8];
	char		want[HT_MAX * 3];
	size_t		len, wlen, i;
	bool		q;
	int		wq;

	memset(hx, HT_CANARY, sizeof hx);
	len = hexdump_hex(hx, in, n);
	wlen = ht_model_hex(want, in, n);
	CHECK_MEM(hx, len, want, wlen);
	for (i = HEXDUMP_HEX_ROOM(n); i < sizeof hx; i++)
		if ((uint8_t)hx[i] != HT_CANARY) {
			test_fail(__FILE__, __LINE__, "hex n=%zu wrote at %zu",
			    n, i);
			break;
		}
	memset(as, HT_CANARY, sizeof as);
	q = hexdump_ascii(as, in, n);
	wq = ht_model_ascii(want, in, n);
	CHECK_MEM(as, n, want, n);
	if ((int)q != wq)
		test_fail(__FILE__, __LINE__, "ascii n=%zu quote %d, want %d",
		    n, (int)q, wq);
	for (i = HEXDUMP_ASCII_ROOM(n); i < sizeof as; i++)
		if ((uint8_t)as[i] != HT_CANARY) {
			test_fail(__FILE__, __LINE__,
			    "ascii n=%zu wrote at %zu", n, i);
			break;
		}
}

static void
ht_all(void)
{
	uint8_t		data[HT_MAX + 16];
	size_t		n, i, k, off;
	unsigned	seed = 1;

	/* Every byte value, at several alignments. */
	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 8));
	for (off = 0; off < 4; off++)
		for (n = 0; n <= 40; n++)
			ht_check(data + off, n);
	for (n = 41; n <= HT_MAX; n += 17)
		ht_check(data + 1, n);
	/* Each special byte alone at each place of each length to 40, among
	 * plain letters (so the quote answer depends on it alone). */
	for (k = 0; k < sizeof ht_special; k++)
		for (n = 1; n <= 40; n++)
			for (i = 0; i < n; i++) {
				memset(data, 'a', n);
				data[i] = ht_special[k];
				ht_check(data, n);
			}
	/* Random mixes of the special bytes. */
	for (k = 0; k < 2000; k++) {
		n = k % 64;
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			data[i] = ht_special[(seed >> 16) % sizeof ht_special];
		}
		ht_check(data, n);
	}
}

TEST(hexdump_columns_simd)
{
	hexdump_use_simd(true);
	ht_all();
}

TEST(hexdump_columns_portable)
{
	hexdump_use_simd(false);
	ht_all();
	hexdump_use_simd(true);
}

/* The dumper's records, whose values carry escape classes, against the
 * same values added as untrusted strings, in every format. */
static struct buf	ht_out;
static enum fmt		ht_fmt;

static void
ht_sink_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	(void)s;
	(void)c;
	emit_view(&ht_out, r, ht_fmt);
}

static void
ht_sink_close(struct sink *s)
{
	(void)s;
}

TEST(hexdump_records_every_format)
{
	static struct sink	ts;
	static const enum fmt	fmts[] = { FMT_JSON, FMT_LTSV, FMT_CONSOLE };
	struct engine		eng;
	struct conn		c;
	struct chunk		ch;
	struct record		r;
	struct buf		want;
	uint8_t			data[80];
	char			hx[HT_MAX * 3], as[HT_MAX];
	size_t			n, i, k, f, hn;

	ts.name = "test";
	ts.write = ht_sink_write;
	ts.close = ht_sink_close;
	engine_init(&eng, ENG_READ, &decoder_hex);
	engine_add_sink(&eng, &ts);
	conn_init(&c, &eng);
	strcpy(c.cli, "127.0.0.1:1");
	strcpy(c.srv, "127.0.0.1:2");
	conn_open(&c, 0);
	buf_init(&ht_out);
	buf_init(&want);
	rec_init(&r);
	for (f = 0; f < sizeof fmts / sizeof fmts[0]; f++)
		for (k = 0; k < sizeof ht_special; k++)
			for (n = 1; n <= 40; n++) {
				for (i = 0; i < n; i++)
					data[i] = i % 3 == 0 ? ht_special[k] :
					    (uint8_t)('A' + i);
				ht_fmt = fmts[f];
				buf_reset(&ht_out);
				ch.p = data;
				ch.n = n;
				ch.dir = DIR_S2C;
				ch.ts_us = 1000;
				ch.seq = 0;
				ch.peer_acked = 0;
				conn_data(&c, &ch);
				/* The composed record, values as rec_str. */
				hn = ht_model_hex(hx, data, n);
				ht_model_ascii(as, data, n);
				rec_reset(&r);
				rec_time(&r, "ts", 1000);
				rec_cstr(&r, "src_addr", c.srv);
				rec_cstr(&r, "dst_addr", c.cli);
				rec_str(&r, "bytes", hx, hn);
				rec_str(&r, "ascii", as, n);
				buf_reset(&want);
				emit_record(&want, &r, ht_fmt);
				CHECK_MEM(ht_out.p, ht_out.len, want.p, want.len);
			}
	rec_free(&r);
	conn_close(&c, 0);
	conn_free(&c);
	engine_free(&eng);
	buf_free(&want);
	buf_free(&ht_out);
}
