/* decode-hex.c - the hex dumper (SPEC §4.2): every chunk as hex and ascii.
 *
 * The record and its text are scratch for one conn_emit, which hands them
 * to the sinks synchronously: one scratch serves every connection, so an
 * idle connection holds no buffer (100k open flows would otherwise keep
 * four times their last chunk each). */
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "decode.h"
#include "hexdump.h"

struct hex_state {
	char	unused;
};

static struct record	hex_rec;
static struct buf	hex_buf;
static bool		hex_ready;

static void
hex_data(struct conn *c, void *st, const struct chunk *ch)
{
	size_t		 n = ch->n, hn;
	char		*p;
	bool		 quote;

	if (n == 0)
		return;
	(void)st;
	if (!hex_ready) {
		rec_init(&hex_rec);
		buf_init(&hex_buf);
		rec_strref_esc(&hex_rec, "bytes", "", 0, RESC_NONE);
		rec_strref_esc(&hex_rec, "ascii", "", 0, RESC_NONE);
		hex_ready = true;
	}
	/* The ascii column follows the hex text, whose scratch bytes past
	 * its end it overwrites. */
	buf_reserve(&hex_buf, HEXDUMP_HEX_ROOM(n) + HEXDUMP_ASCII_ROOM(n));
	p = hex_buf.p;
	hn = hexdump_hex(p, ch->p, n);
	quote = hexdump_ascii(p + n * 3, ch->p, n);
	/* The record keeps its two fields: only their values change. Hex
	 * digits and spaces need no escaping in any format, and the ascii
	 * column none unless it holds '"' or '\\'. */
	hex_rec.f[0].val.v.s.ptr = p;
	hex_rec.f[0].val.v.s.len = (uint32_t)hn;
	hex_rec.f[1].val.v.s.ptr = p + n * 3;
	hex_rec.f[1].val.v.s.len = (uint32_t)n;
	hex_rec.f[1].val.esc = quote ? RESC_PRINT : RESC_NONE;
	conn_emit(c, &hex_rec, ch->dir, ch->ts_us, ch->seq);
}

const struct decoder decoder_hex = {
	.name = "hex",
	.state_size = sizeof(struct hex_state),
	.lazy = true,
	.data = hex_data,
};
