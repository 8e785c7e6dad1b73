/* vis.c - sanitising untrusted text for JSON, LTSV and terminals. */
#include <stdint.h>
#include <string.h>

#include "vis.h"

static const char hexdig[] = "0123456789abcdef";

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* Non-zero if any byte of w is < 0x20, >= 0x80, '"' or '\\' (the
 * classic "has a zero byte" trick applied to w, w ^ '"' and w ^ '\\'). */
static inline uint64_t
vis_plain8(uint64_t w)
{
	uint64_t	lt20 = (w - ONES * 0x20) & ~w;
	uint64_t	q = w ^ (ONES * '"');
	uint64_t	bs = w ^ (ONES * '\\');

	return (lt20 | w | ((q - ONES) & ~q) | ((bs - ONES) & ~bs)) & HIGHS;
}

size_t
vis_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char	c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (n >= 2 && (p[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0;	/* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

void
vis_json(struct buf *b, const char *s, size_t n, bool array)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, start, k;
	unsigned char		 c;

	buf_reserve(b, n + 2);
	while (i < n) {
		start = i;
		/* Eight bytes at a time while none needs escaping. */
		while (i + 8 <= n) {
			uint64_t	w;

			memcpy(&w, p + i, 8);
			if (vis_plain8(w) != 0)
				break;
			i += 8;
		}
		while (i < n && (c = p[i]) >= 0x20 && c < 0x80 && c != '"' &&
		    c != '\\')
			i++;
		buf_add(b, p + start, i - start);
		if (i == n)
			break;
		c = p[i];
		if (c < 0x80) {
			buf_addc(b, '\\');
			switch (c) {
			case '"':  buf_addc(b, '"'); break;
			case '\\': buf_addc(b, '\\'); break;
			case '\n': buf_addc(b, 'n'); break;
			case '\r': buf_addc(b, 'r'); break;
			case '\t': buf_addc(b, 't'); break;
			default:
				buf_add(b, "u00", 3);
				buf_addc(b, hexdig[c >> 4]);
				buf_addc(b, hexdig[c & 0xf]);
			}
			i++;
			continue;
		}
		k = vis_utf8_len(p + i, n - i);
		if (k == 0) {
			buf_add(b, "\\ufffd", 6);
			i++;
		} else if (array && k == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			buf_add(b, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			i += 3;
		} else {
			buf_add(b, p + i, k);
			i += k;
		}
	}
}

void
vis_json_console(struct buf *b, const char *s, size_t n, bool array)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, start = 0;
	unsigned		 cp;

	for (i = 0; i < n; i++) {
		if (p[i] == 0x7f)
			cp = 0x7f;
		else if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 &&
		    p[i + 1] < 0xa0)
			cp = p[i + 1];
		else
			continue;
		vis_json(b, s + start, i - start, array);
		buf_add(b, "\\u00", 4);
		buf_addc(b, hexdig[cp >> 4]);
		buf_addc(b, hexdig[cp & 0xf]);
		i += cp == 0x7f ? 0 : 1;
		start = i + 1;
	}
	vis_json(b, s + start, n - start, array);
}

void
vis_term(struct buf *b, const char *s, size_t n, size_t width)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k, cols = 0;
	unsigned char		 c;

	while (i < n && cols < width) {
		c = p[i];
		if (c < 0x20 || c == 0x7f) {
			if (cols + 2 > width)
				break;
			buf_addc(b, '^');
			buf_addc(b, c == 0x7f ? '?' : (char)(c + '@'));
			cols += 2;
			i++;
			continue;
		}
		k = vis_utf8_len(p + i, n - i);
		if (k == 0) {
			buf_add(b, "\xef\xbf\xbd", 3);
			i++;
		} else if (k == 2 && c == 0xc2 && p[i + 1] < 0xa0) {
			/* C1 controls (CSI etc.) act like ESC on some terminals. */
			buf_add(b, "\xef\xbf\xbd", 3);
			i += 2;
		} else {
			buf_add(b, p + i, k);
			i += k;
		}
		cols++;
	}
	buf_reserve(b, 1);
	b->p[b->len] = '\0';
}
