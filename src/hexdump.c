/* hexdump.c - hex and ascii columns of a payload.
 *
 * x86: the hex digits come from a sixteen-entry table looked up with
 * pshufb (SSSE3, chosen at run time: the build targets plain x86-64) and
 * are spread into "hh " triples by three more shuffles; the ascii column
 * is an SSE2 compare and blend. Elsewhere, and for CPUs without SSSE3, a
 * table of "hh " per byte value and eight bytes at a time for ascii. */
#include <string.h>

#include "hexdump.h"

#if defined(__x86_64__) && defined(__SSE2__)
#define HEXDUMP_X86	1
#include <emmintrin.h>
#include <tmmintrin.h>
#else
#define HEXDUMP_X86	0
#endif

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

static char	hexdump_tab[256][4];
static int	hexdump_ready;		/* 1: table built; 2: and SSSE3 */

static void
hexdump_init(void)
{
	static const char	hexdig[] = "0123456789abcdef";
	int			i;

	for (i = 0; i < 256; i++) {
		hexdump_tab[i][0] = hexdig[i >> 4];
		hexdump_tab[i][1] = hexdig[i & 0xf];
		hexdump_tab[i][2] = ' ';
		hexdump_tab[i][3] = ' ';
	}
	hexdump_ready = 1;
#if HEXDUMP_X86
	__builtin_cpu_init();
	if (__builtin_cpu_supports("ssse3"))
		hexdump_ready = 2;
#endif
}

/* Writes 4n bytes. */
static void
hexdump_hex_tab(char *p, const uint8_t *in, size_t n)
{
	size_t	i;

	for (i = 0; i + 4 <= n; i += 4) {
		memcpy(p, hexdump_tab[in[i]], 4);
		memcpy(p + 3, hexdump_tab[in[i + 1]], 4);
		memcpy(p + 6, hexdump_tab[in[i + 2]], 4);
		memcpy(p + 9, hexdump_tab[in[i + 3]], 4);
		p += 12;
	}
	for (; i < n; i++) {
		memcpy(p, hexdump_tab[in[i]], 4);
		p += 3;
	}
}

#if HEXDUMP_X86
/* Sixteen bytes to the 48 characters "hh hh ... hh ". */
__attribute__((target("ssse3"))) static inline void
hexdump_hex16(char *out, __m128i x)
{
	const __m128i	lut = _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6',
			    '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f');
	const __m128i	nib = _mm_set1_epi8(0x0f);
	/* Output bytes k of each 16: which digit of the pairs p0 (bytes
	 * 0-7) or p1 (bytes 8-15); -1 (zero) where a space goes. */
	const __m128i	m0 = _mm_setr_epi8(0, 1, -1, 2, 3, -1, 4, 5, -1, 6, 7,
			    -1, 8, 9, -1, 10);
	const __m128i	m1a = _mm_setr_epi8(11, -1, 12, 13, -1, 14, 15, -1,
			    -1, -1, -1, -1, -1, -1, -1, -1);
	const __m128i	m1b = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1,
			    0, 1, -1, 2, 3, -1, 4, 5);
	const __m128i	m2 = _mm_setr_epi8(-1, 6, 7, -1, 8, 9, -1, 10, 11, -1,
			    12, 13, -1, 14, 15, -1);
	const __m128i	s0 = _mm_setr_epi8(0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0,
			    0, ' ', 0, 0, ' ', 0);
	const __m128i	s1 = _mm_setr_epi8(0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0,
			    ' ', 0, 0, ' ', 0, 0);
	const __m128i	s2 = _mm_setr_epi8(' ', 0, 0, ' ', 0, 0, ' ', 0, 0,
			    ' ', 0, 0, ' ', 0, 0, ' ');
	__m128i		hi, lo, p0, p1, o0, o1, o2;

	hi = _mm_shuffle_epi8(lut, _mm_and_si128(_mm_srli_epi16(x, 4), nib));
	lo = _mm_shuffle_epi8(lut, _mm_and_si128(x, nib));
	p0 = _mm_unpacklo_epi8(hi, lo);
	p1 = _mm_unpackhi_epi8(hi, lo);
	o0 = _mm_or_si128(_mm_shuffle_epi8(p0, m0), s0);
	o1 = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(p0, m1a),
	    _mm_shuffle_epi8(p1, m1b)), s1);
	o2 = _mm_or_si128(_mm_shuffle_epi8(p1, m2), s2);
	_mm_storeu_si128((__m128i *)out, o0);
	_mm_storeu_si128((__m128i *)(out + 16), o1);
	_mm_storeu_si128((__m128i *)(out + 32), o2);
}

/* Writes max(3n, 48) bytes. */
__attribute__((target("ssse3"))) static void
hexdump_hex_ssse3(char *out, const uint8_t *in, size_t n)
{
	uint8_t	tmp[16];
	size_t	i;

	if (n < 16) {
		memset(tmp, 0, sizeof tmp);
		memcpy(tmp, in, n);
		hexdump_hex16(out, _mm_loadu_si128((const __m128i *)tmp));
		return;
	}
	for (i = 0; i + 16 <= n; i += 16)
		hexdump_hex16(out + i * 3,
		    _mm_loadu_si128((const __m128i *)(in + i)));
	/* The last sixteen again, overlapping: same bytes, same text. */
	if (i < n)
		hexdump_hex16(out + (n - 16) * 3,
		    _mm_loadu_si128((const __m128i *)(in + n - 16)));
}
#endif

size_t
hexdump_hex(char *out, const uint8_t *in, size_t n)
{
	if (n == 0)
		return 0;
	if (hexdump_ready == 0)
		hexdump_init();
#if HEXDUMP_X86
	if (hexdump_ready == 2) {
		hexdump_hex_ssse3(out, in, n);
		return n * 3 - 1;
	}
#endif
	hexdump_hex_tab(out, in, n);
	return n * 3 - 1;
}

#if HEXDUMP_X86
/* Sixteen ascii characters; returns the mask of '"' and '\\' among them. */
static inline int
hexdump_ascii16(char *out, __m128i x)
{
	/* Signed compares: bytes >= 0x80 are negative, so below 0x20. */
	__m128i	ok = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x1f)),
		    _mm_cmplt_epi8(x, _mm_set1_epi8(0x7f)));
	__m128i	r = _mm_or_si128(_mm_and_si128(ok, x),
		    _mm_andnot_si128(ok, _mm_set1_epi8('.')));

	_mm_storeu_si128((__m128i *)out, r);
	return _mm_movemask_epi8(_mm_or_si128(
	    _mm_cmpeq_epi8(r, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(r, _mm_set1_epi8('\\'))));
}
#endif

/* Eight bytes at a time: each byte kept if 0x20-0x7e, else '.'. */
static bool
hexdump_ascii_swar(char *out, const uint8_t *in, size_t n)
{
	size_t		i;
	uint64_t	quote = 0, w, t, ok, m, x;
	uint8_t		c;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, in + i, 8);
		t = w & ONES * 0x7f;
		ok = (t + ONES * (0x80 - 0x20)) &
		    ~(t + ONES * (0x80 - 0x7f)) & ~w & HIGHS;
		m = (ok >> 7) * 0xff;
		w = (w & m) | (ONES * '.' & ~m);
		memcpy(out + i, &w, 8);
		x = w ^ ONES * '"';
		quote |= (x - ONES) & ~x;
		x = w ^ ONES * '\\';
		quote |= (x - ONES) & ~x;
	}
	for (; i < n; i++) {
		c = in[i];
		out[i] = c >= 0x20 && c <= 0x7e ? (char)c : '.';
		if (c == '"' || c == '\\')
			quote = HIGHS;
	}
	return (quote & HIGHS) != 0;
}

bool
hexdump_ascii(char *out, const uint8_t *in, size_t n)
{
#if HEXDUMP_X86
	uint8_t		tmp[16];
	size_t		i;
	int		q = 0;

	if (hexdump_ready == 0)
		hexdump_init();
	if (hexdump_ready != 2)
		return hexdump_ascii_swar(out, in, n);
	if (n == 0)
		return false;
	if (n < 16) {
		/* Zero padding becomes '.', past the text. */
		memset(tmp, 0, sizeof tmp);
		memcpy(tmp, in, n);
		return hexdump_ascii16(out,
		    _mm_loadu_si128((const __m128i *)tmp)) != 0;
	}
	for (i = 0; i + 16 <= n; i += 16)
		q |= hexdump_ascii16(out + i,
		    _mm_loadu_si128((const __m128i *)(in + i)));
	if (i < n)
		q |= hexdump_ascii16(out + n - 16,
		    _mm_loadu_si128((const __m128i *)(in + n - 16)));
	return q != 0;
#else
	return hexdump_ascii_swar(out, in, n);
#endif
}

void
hexdump_use_simd(bool on)
{
	hexdump_init();
	if (!on)
		hexdump_ready = 1;
}
