/* pg-text-num.c - floats and numerics as PostgreSQL prints them (see
 * pg-text.h). */
#include <float.h>
#include <math.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "pg-text.h"

/* A numeric's text at most: past it, a few bytes of weight or scale are
 * thousands of zeros nobody reads. */
#define PG_NUMERIC_MAX	1000
#define PG_DSCALE_MASK	0x3fff	/* NUMERIC_DSCALE_MASK */

/* numeric sign words */
#define PG_NUM_POS	0x0000
#define PG_NUM_NEG	0x4000
#define PG_NUM_NAN	0xc000
#define PG_NUM_PINF	0xd000
#define PG_NUM_NINF	0xf000

/* Whether the nd digits m times 10^k are a * 2^bexp, a odd: then 5^k
 * divides a and 2^k divides 2^bexp. Only integers can have so few digits
 * (a fraction a / 2^j has j decimals): bexp and k are not negative. */
static bool
pg_dec_is(const char *m, int nd, int k, uint64_t a, int bexp)
{
	uint64_t	d = 0;
	int		i;

	if (bexp < 0 || k < 0 || k > 27 || bexp < k)
		return false;
	for (i = 0; i < k; i++) {
		if (a % 5 != 0)
			return false;
		a /= 5;
	}
	for (i = k; i < bexp; i++) {
		if (a > UINT64_MAX / 2)
			return false;
		a *= 2;
	}
	for (i = 0; i < nd; i++)
		d = d * 10 + (uint64_t)(m[i] - '0');
	return a == d;
}

/*
 * Whether the digits m (nd of them, the first at 10^exp) are exactly a
 * bound of the values that read back as ax: the midpoint to the next
 * value up or down. They read back as ax when its mantissa is even (ties
 * go to even), but PostgreSQL's shortest-digits search (Ryu, not
 * STRICTLY_SHORTEST) leaves both bounds out: 45985601490518016 is
 * 4.5985601490518016e+16, not 4.598560149051802e+16. Below a power of two
 * the next value down is half as far.
 */
static bool
pg_float_bound(double ax, bool single, const char *m, int nd, int exp)
{
	uint64_t	v;
	int		mant = single ? FLT_MANT_DIG : DBL_MANT_DIG, e;
	int		k = exp - (nd - 1);

	if (ax <= (single ? FLT_MIN : DBL_MIN))
		return false;
	v = (uint64_t)ldexp(frexp(ax, &e), mant);
	e -= mant;
	if (pg_dec_is(m, nd, k, 2 * v + 1, e - 1))
		return true;
	if (v == (uint64_t)1 << (mant - 1))
		return pg_dec_is(m, nd, k, 4 * v - 1, e - 2);
	return pg_dec_is(m, nd, k, 2 * v - 1, e - 1);
}

/*
 * float4out/float8out with extra_float_digits 1 (the default from
 * PostgreSQL 12): the shortest digits that read back as the value (Ryu),
 * fixed-point for decimal exponents -4 to 14 (float4: 5), else d.ddde+XX.
 * The shortest digits are searched as emit.c does (and spelled by its
 * emit_digits/emit_decimal): any decimal of at most DBL_DIG (FLT_DIG)
 * digits that reads back is the value rounded to that many digits; one on
 * a bound of the values that read back is passed over, as Ryu does.
 */
bool
pg_txt_float(struct buf *b, size_t lim, double x, bool single)
{
	char	 digs[40], m[24], s[48];
	int	 prec, exp, nd;
	bool	 back;

	if (isnan(x))
		return pg_txt_put(b, lim, "NaN", 3);
	if (isinf(x))
		return x > 0 ? pg_txt_put(b, lim, "Infinity", 8) :
		    pg_txt_put(b, lim, "-Infinity", 9);
	if (x == 0)
		return signbit(x) ? pg_txt_put(b, lim, "-0", 2) :
		    pg_txt_put(b, lim, "0", 1);
	prec = single ? FLT_DIG : DBL_DIG;
	if (fabs(x) < (single ? FLT_MIN : DBL_MIN))
		prec = 1;
	for (;; prec++) {
		snprintf(digs, sizeof digs, "%.*e", prec - 1, x);
		back = single ? strtof(digs, NULL) == (float)x :
		    strtod(digs, NULL) == x;
		nd = emit_digits(digs, m, sizeof m, &exp);
		if (prec >= 17 || (back &&
		    !pg_float_bound(fabs(x), single, m, nd, exp)))
			break;
	}
	return pg_txt_put(b, lim, s, emit_decimal(s, x < 0, m, nd, exp,
	    exp < -4 || exp >= (single ? FLT_DIG : DBL_DIG)));
}

/* A numeric's base-10000 digit i, after the 8 bytes of its header; one
 * past the n bytes reads as 10000, which no receive takes. */
static int
pg_numdig(const uint8_t *p, size_t n, int i)
{
	size_t	o = 8 + 2 * (size_t)i;

	if (i < 0 || o + 2 > n)
		return 10000;
	return p[o] << 8 | p[o + 1];
}

/*
 * numeric_recv then numeric_out (get_str_from_var): digits past dscale
 * are cut away (trunc_var), leading and trailing zero digits dropped
 * (strip_var), a zero is never negative, and the text has all integer
 * digits and exactly dscale decimals.
 */
bool
pg_txt_numeric(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	static const int	 cut[4] = { 0, 1000, 100, 10 };
	struct rd		 rd;
	int			 nd, weight, sign, dscale, first = 0, last = -1;
	int			 lastval = 0, i, k, di, v, dig, len;
	char			*o;

	rd_init(&rd, p, n);
	nd = rd_be16(&rd);
	weight = (int16_t)rd_be16(&rd);
	sign = rd_be16(&rd);
	dscale = rd_be16(&rd);
	if (!rd_ok(&rd) || n != 8 + 2 * (size_t)nd)
		return false;
	if (sign != PG_NUM_POS && sign != PG_NUM_NEG && sign != PG_NUM_NAN &&
	    sign != PG_NUM_PINF && sign != PG_NUM_NINF)
		return false;
	if ((dscale & PG_DSCALE_MASK) != dscale)
		return false;
	for (i = 0; i < nd; i++)
		if (pg_numdig(p, n, i) > 9999)
			return false;
	if (sign == PG_NUM_NAN)
		return pg_txt_put(b, lim, "NaN", 3);
	if (sign == PG_NUM_PINF)
		return pg_txt_put(b, lim, "Infinity", 8);
	if (sign == PG_NUM_NINF)
		return pg_txt_put(b, lim, "-Infinity", 9);
	/* trunc_var: the decimal digits wanted, the last one cut inside. */
	di = (weight + 1) * 4 + dscale;
	if (di <= 0)
		nd = 0;
	else if ((di + 3) / 4 <= nd) {
		nd = (di + 3) / 4;
		if (di % 4 != 0) {
			last = nd - 1;
			lastval = pg_numdig(p, n, last);
			lastval -= lastval % cut[di % 4];
		}
	}
#define NUMDIG(j)	((j) == last ? lastval : pg_numdig(p, n, (j)))
	/* strip_var */
	while (nd > 0 && NUMDIG(first) == 0) {
		first++;
		nd--;
		weight--;
	}
	while (nd > 0 && NUMDIG(first + nd - 1) == 0)
		nd--;
	if (nd == 0) {
		sign = PG_NUM_POS;
		weight = 0;
	}
	/* make_result refuses a weight that no longer fits its int16. */
	if (weight < INT16_MIN)
		return false;
	len = (sign == PG_NUM_NEG) + (weight >= 0 ? (weight + 1) * 4 : 1) +
	    (dscale > 0 ? 1 + dscale : 0);
	if (len > PG_NUMERIC_MAX || !pg_txt_room(b, lim, (size_t)len))
		return false;
	o = b->p + b->len;
	if (sign == PG_NUM_NEG)
		*o++ = '-';
	if (weight < 0) {
		k = weight + 1;
		*o++ = '0';
	} else {
		for (k = 0; k <= weight; k++) {
			dig = k < nd ? NUMDIG(first + k) : 0;
			/* the first group without its leading zeros */
			for (v = 1000; v > 0; v /= 10)
				if (k > 0 || dig >= v || v == 1)
					*o++ = (char)('0' + dig / v % 10);
		}
	}
	if (dscale > 0) {
		*o++ = '.';
		for (i = 0; i < dscale; k++) {
			dig = k >= 0 && k < nd ? NUMDIG(first + k) : 0;
			for (v = 1000; v > 0 && i < dscale; v /= 10, i++)
				*o++ = (char)('0' + dig / v % 10);
		}
	}
#undef NUMDIG
	b->len = (size_t)(o - b->p);
	return true;
}
