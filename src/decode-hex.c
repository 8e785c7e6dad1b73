/* decode-hex.c - the hex dumper (SPEC §4.2): every chunk as hex and ascii.
 *
 * The record and its text are scratch for one conn_emit, which hands them
 * to the sinks synchronously: one scratch serves every connection, so an
 * idle connection holds no buffer (100k open flows would otherwise keep
 * four times their last chunk each). */
#include "buf.h"
#include "decode.h"
#include "xmalloc.h"

struct hex_state {
	char	unused;
};

static struct record	hex_rec;
static struct buf	hex_buf;
static int		hex_ready;

static void
hex_data(struct conn *c, void *st, const struct chunk *ch)
{
	static const char	 hexdig[] = "0123456789abcdef";
	size_t			 i;
	char			*p;

	(void)st;
	if (ch->n == 0)
		return;
	if (!hex_ready) {
		rec_init(&hex_rec);
		buf_init(&hex_buf);
		hex_ready = 1;
	}
	rec_reset(&hex_rec);
	buf_reset(&hex_buf);
	buf_reserve(&hex_buf, ch->n * 4);
	p = hex_buf.p;
	for (i = 0; i < ch->n; i++) {
		*p++ = hexdig[ch->p[i] >> 4];
		*p++ = hexdig[ch->p[i] & 0xf];
		*p++ = ' ';
	}
	rec_strref(&hex_rec, "bytes", hex_buf.p, ch->n * 3 - 1);
	for (i = 0; i < ch->n; i++)
		*p++ = ch->p[i] >= 0x20 && ch->p[i] <= 0x7e ? (char)ch->p[i] : '.';
	rec_strref(&hex_rec, "ascii", hex_buf.p + ch->n * 3, ch->n);
	conn_emit(c, &hex_rec, ch->dir, ch->ts_us, ch->seq);
}

const struct decoder decoder_hex = {
	.name = "hex",
	.state_size = sizeof(struct hex_state),
	.data = hex_data,
};
