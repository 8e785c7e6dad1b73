/* decode-hex.c - the hex dumper (SPEC §4.2): every chunk as hex and ascii.
 *
 * The record and its text are scratch for one conn_emit, which hands them
 * to the sinks synchronously: one scratch serves every connection, so an
 * idle connection holds no buffer (100k open flows would otherwise keep
 * four times their last chunk each). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "decode.h"
#include "xmalloc.h"

struct hex_state {
	char	unused;
};

static struct record	hex_rec;
static struct buf	hex_buf;

/* Per byte value: its "hh " (padded to four bytes, so one fixed-size copy
 * writes it) and its ascii column character. Built on first use. */
#define HEX_ONES	0x0101010101010101ULL

static char	hex_tab[256][4];
static char	hex_asc[256];
static bool	hex_tab_ready;

static void
hex_tab_init(void)
{
	static const char	hexdig[] = "0123456789abcdef";
	int			i;

	for (i = 0; i < 256; i++) {
		hex_tab[i][0] = hexdig[i >> 4];
		hex_tab[i][1] = hexdig[i & 0xf];
		hex_tab[i][2] = ' ';
		hex_tab[i][3] = ' ';
		hex_asc[i] = i >= 0x20 && i <= 0x7e ? (char)i : '.';
	}
	rec_init(&hex_rec);
	buf_init(&hex_buf);
	hex_tab_ready = true;
}

static void
hex_data(struct conn *c, void *st, const struct chunk *ch)
{
	const uint8_t		*in = ch->p;
	size_t			 i, n = ch->n;
	char			*p;

	if (n == 0)
		return;
	(void)st;
	if (!hex_tab_ready)
		hex_tab_init();
	rec_reset(&hex_rec);
	buf_reset(&hex_buf);
	/* 3n - 1 hex bytes, n ascii, and the fourth byte of the last copy
	 * (overwritten by the ascii column): 4n in all. */
	buf_reserve(&hex_buf, n * 4);
	p = hex_buf.p;
	for (i = 0; i + 4 <= n; i += 4) {
		memcpy(p, hex_tab[in[i]], 4);
		memcpy(p + 3, hex_tab[in[i + 1]], 4);
		memcpy(p + 6, hex_tab[in[i + 2]], 4);
		memcpy(p + 9, hex_tab[in[i + 3]], 4);
		p += 12;
	}
	for (; i < n; i++) {
		memcpy(p, hex_tab[in[i]], 4);
		p += 3;
	}
	/* Hex digits and spaces need no escaping in any format. */
	rec_strref_esc(&hex_rec, "bytes", hex_buf.p, n * 3 - 1, RESC_NONE);
	/* Eight bytes at a time: each byte kept if 0x20-0x7e, else '.'. */
	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t	w, t, ok, m;

		memcpy(&w, in + i, 8);
		t = w & HEX_ONES * 0x7f;
		ok = (t + HEX_ONES * (0x80 - 0x20)) &
		    ~(t + HEX_ONES * (0x80 - 0x7f)) & ~w & HEX_ONES * 0x80;
		m = (ok >> 7) * 0xff;
		w = (w & m) | (HEX_ONES * '.' & ~m);
		memcpy(p + i, &w, 8);
	}
	for (; i < n; i++)
		p[i] = hex_asc[in[i]];
	rec_strref_esc(&hex_rec, "ascii", p, n, RESC_PRINT);
	conn_emit(c, &hex_rec, ch->dir, ch->ts_us, ch->seq);
}

const struct decoder decoder_hex = {
	.name = "hex",
	.state_size = sizeof(struct hex_state),
	.data = hex_data,
};
