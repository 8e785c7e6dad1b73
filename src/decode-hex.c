/* decode-hex.c - the hex dumper (SPEC §4.2): every chunk as hex and ascii. */
#include "buf.h"
#include "decode.h"
#include "xmalloc.h"

struct hex_state {
	struct record	r;
	struct buf	b;
};

static void
hex_data(struct conn *c, void *st, const struct chunk *ch)
{
	static const char	 hexdig[] = "0123456789abcdef";
	struct hex_state	*h = st;
	size_t			 i;
	char			*p;

	if (ch->n == 0)
		return;
	rec_reset(&h->r);
	buf_reset(&h->b);
	buf_reserve(&h->b, ch->n * 4);
	p = h->b.p;
	for (i = 0; i < ch->n; i++) {
		*p++ = hexdig[ch->p[i] >> 4];
		*p++ = hexdig[ch->p[i] & 0xf];
		*p++ = ' ';
	}
	rec_strref(&h->r, "bytes", h->b.p, ch->n * 3 - 1);
	for (i = 0; i < ch->n; i++)
		*p++ = ch->p[i] >= 0x20 && ch->p[i] <= 0x7e ? (char)ch->p[i] : '.';
	rec_strref(&h->r, "ascii", h->b.p + ch->n * 3, ch->n);
	conn_emit(c, &h->r, ch->dir, ch->ts_us, ch->seq);
}

static void
hex_open(struct conn *c, void *st)
{
	struct hex_state	*h = st;

	(void)c;
	rec_init(&h->r);
	buf_init(&h->b);
}

static void
hex_close(struct conn *c, void *st, int64_t ts_us)
{
	struct hex_state	*h = st;

	(void)c;
	(void)ts_us;
	rec_free(&h->r);
	buf_free(&h->b);
}

const struct decoder decoder_hex = {
	.name = "hex",
	.state_size = sizeof(struct hex_state),
	.open = hex_open,
	.data = hex_data,
	.close = hex_close,
};
