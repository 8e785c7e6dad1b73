/* vis.c - sanitising untrusted text for JSON, LTSV and terminals. */
#include <stdint.h>
#include <string.h>

#include "vis.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* Non-zero if any byte of w is '"' or '\\'. */
static inline uint64_t
vis_quote8(uint64_t w)
{
	uint64_t	q = w ^ (ONES * '"');
	uint64_t	bs = w ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((bs - ONES) & ~bs)) & HIGHS;
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

/* Bytes that JSON takes as they are: 0x20-0x7f but '"' and '\\'. */
static const uint8_t vis_plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x30] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x40] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	[0x60] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/*
 * Writes straight into the buffer. Invariant: at least (n - i) + 8 bytes
 * are free at o, so plain bytes (and eight-byte stores of them) need no
 * check; before each escape, which writes at most six bytes, room for
 * the rest plus sixteen is reserved again.
 */
void
vis_json(struct buf *b, const char *s, size_t n, bool array)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k;
	unsigned char		 c;
	char			*o;

	buf_reserve(b, n + 8);
	o = b->p + b->len;
	for (;;) {
#ifdef __SSE2__
		/* Sixteen bytes at a time (signed compare: bytes >= 0x80 are
		 * below ' ' too, and so are caught with the controls). */
		while (i + 16 <= n) {
			__m128i	x = _mm_loadu_si128((const __m128i *)(p + i));
			__m128i	bad = _mm_or_si128(_mm_or_si128(
			    _mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
			    _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
			    _mm_cmplt_epi8(x, _mm_set1_epi8(' ')));

			if (_mm_movemask_epi8(bad) != 0)
				break;
			_mm_storeu_si128((__m128i *)o, x);
			o += 16;
			i += 16;
		}
#endif
		/* Eight bytes at a time while none needs escaping. */
		while (i + 8 <= n) {
			uint64_t	w;

			memcpy(&w, p + i, 8);
			if (vis_plain8(w) != 0)
				break;
			memcpy(o, &w, 8);
			o += 8;
			i += 8;
		}
		/* A tail under eight bytes: the last eight, overlapping what
		 * was written, if they are all plain (and so were copied 1:1). */
		if (i < n && i + 8 > n && n >= 8) {
			uint64_t	w;

			memcpy(&w, p + n - 8, 8);
			if (vis_plain8(w) == 0) {
				memcpy(o - (i - (n - 8)), &w, 8);
				o += n - i;
				break;
			}
		}
		while (i < n && vis_plain[c = p[i]]) {
			*o++ = (char)c;
			i++;
		}
		if (i == n)
			break;
		b->len = (size_t)(o - b->p);
		buf_reserve(b, n - i + 16);
		o = b->p + b->len;
		c = p[i];
		if (c < 0x80) {
			*o++ = '\\';
			switch (c) {
			case '"':  *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				memcpy(o, "u00", 3);
				o[3] = hexdig[c >> 4];
				o[4] = hexdig[c & 0xf];
				o += 5;
			}
			i++;
			continue;
		}
		k = vis_utf8_len(p + i, n - i);
		if (k == 0) {
			memcpy(o, "\\ufffd", 6);
			o += 6;
			i++;
		} else if (array && k == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			memcpy(o, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			o += 6;
			i += 3;
		} else {
			memcpy(o, p + i, k);
			o += k;
			i += k;
		}
	}
	b->len = (size_t)(o - b->p);
}

void
vis_json_print(struct buf *b, const char *s, size_t n)
{
	size_t	i = 0, start;
	char	c;

	/* At most one escape per byte. */
	buf_reserve(b, n * 2);
	while (i < n) {
		start = i;
#ifdef __SSE2__
		while (i + 16 <= n) {
			__m128i	x = _mm_loadu_si128((const __m128i *)(s + i));
			__m128i	bad = _mm_or_si128(
			    _mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
			    _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));

			if (_mm_movemask_epi8(bad) != 0)
				break;
			i += 16;
		}
#endif
		while (i + 8 <= n) {
			uint64_t	w;

			memcpy(&w, s + i, 8);
			if (vis_quote8(w) != 0)
				break;
			i += 8;
		}
		while (i < n && (c = s[i]) != '"' && c != '\\')
			i++;
		memcpy(b->p + b->len, s + start, i - start);
		b->len += i - start;
		if (i == n)
			break;
		b->p[b->len++] = '\\';
		b->p[b->len++] = s[i++];
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
