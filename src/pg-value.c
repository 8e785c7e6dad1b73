/* pg-value.c - rendering Bind parameters (see pg-value.h).
 *
 * A binary value is shown as the text PostgreSQL's output function prints
 * for it (pg_text). It is read through rd.h with the checks of the type's
 * receive function: a value the server would refuse is not rendered, the
 * caller shows its bytes instead. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "pg-value.h"
#include "rd.h"
#include "xmalloc.h"

/* Days from 2000-01-01 (PostgreSQL's epoch) to 1970-01-01 is -10957. */
#define PG_EPOCH_DAYS	10957
#define PG_USECS_DAY	86400000000LL
#define PG_USECS_HOUR	3600000000LL
#define PG_USECS_MIN	60000000LL
/* The dates and timestamps date_recv and timestamp_recv take: from
 * 4714-11-24 BC to before 5874898-01-01 (294277-01-01), besides the
 * infinities. */
#define PG_DATE_MIN	(-2451545)
#define PG_DATE_END	2145031949
#define PG_TS_MIN	(-211813488000000000LL)
#define PG_TS_END	9223371331200000000LL

/* A value's text at most: what a text parameter may carry (PG_KEEP_TEXT).
 * An array of values that expand (intervals, far-off numerics) could
 * otherwise grow to many times the bytes it came from. */
#define PG_TEXT_MAX	(1024 * 1024)
/* A numeric's text at most: past it, a few bytes of weight or scale are
 * thousands of zeros nobody reads. */
#define PG_NUMERIC_MAX	1000
/* The server's limits: MAXDIM, MaxArraySize, FirstGenbkiObjectId (OIDs
 * below it are built in), TZDISP_LIMIT, NUMERIC_DSCALE_MASK. */
#define PG_MAXDIM	6
#define PG_MAX_ITEMS	134217727
#define PG_OID_BUILTIN	10000
#define PG_TZDISP_LIMIT	(16 * 3600)
#define PG_DSCALE_MASK	0x3fff
/* A scratch buffer grown past this by one value is given back after it. */
#define PG_SCRATCH_KEEP	(64 * 1024)

/* numeric sign words */
#define PG_NUM_POS	0x0000
#define PG_NUM_NEG	0x4000
#define PG_NUM_NAN	0xc000
#define PG_NUM_PINF	0xd000
#define PG_NUM_NINF	0xf000

static struct buf	pg_scratch;

static bool	pg_text(struct buf *, size_t, uint32_t, const uint8_t *, size_t,
		    bool);

static uint32_t
pg_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
pg_be64(const uint8_t *p)
{
	return (uint64_t)pg_be32(p) << 32 | pg_be32(p + 4);
}

/* The reader took the value whole, no byte missing or left over: the
 * exact length each receive function wants. */
static bool
pg_rd_end(const struct rd *rd)
{
	return rd_ok(rd) && rd_left(rd) == 0;
}

size_t
pg_value_hex(char *out, const uint8_t *p, size_t n)
{
	static const char	 hx[] = "0123456789abcdef";
	size_t			 i, o = 0;

	out[o++] = '\\';
	out[o++] = 'x';
	for (i = 0; i < n; i++) {
		out[o++] = hx[p[i] >> 4];
		out[o++] = hx[p[i] & 15];
	}
	out[o] = '\0';
	return o;
}

static void
pg_value_el_hex(struct record *r, const uint8_t *p, size_t n)
{
	char	 small[256], *s = small;
	size_t	 len;

	if (n > (sizeof small - 3) / 2)
		s = xmalloc(2 * n + 3);
	len = pg_value_hex(s, p, n);
	rec_el_str(r, s, len);
	if (s != small)
		free(s);
}

/*
 * The text is built in b, whose length may not pass lim: every writer
 * checks before it writes and says false when the text would not fit.
 */
static bool
pg_room(struct buf *b, size_t lim, size_t need)
{
	if (need > lim || b->len > lim - need)
		return false;
	buf_reserve(b, need + 1);
	return true;
}

static bool
pg_put(struct buf *b, size_t lim, const void *s, size_t n)
{
	if (!pg_room(b, lim, n))
		return false;
	buf_add(b, s, n);
	return true;
}

static bool __attribute__((format(printf, 3, 4)))
pg_putf(struct buf *b, size_t lim, const char *fmt, ...)
{
	char	 s[128];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof s)
		return false;
	return pg_put(b, lim, s, (size_t)n);
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void
pg_civil(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t		era, yoe, doy, mp;
	uint64_t	doe;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (uint64_t)(z - era * 146097);
	yoe = (int64_t)((doe - doe / 1460 + doe / 36524 - doe / 146096) / 365);
	*y = yoe + era * 400;
	doy = (int64_t)doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	if (*m <= 2)
		(*y)++;
}

/* "YYYY-MM-DD", with " BC" for years before 1 as PostgreSQL prints them. */
static int
pg_fmt_date(char *out, size_t cap, int64_t days_unix, const char **bc)
{
	int64_t	y;
	int	m, d;

	pg_civil(days_unix, &y, &m, &d);
	*bc = "";
	if (y <= 0) {
		y = 1 - y;
		*bc = " BC";
	}
	return snprintf(out, cap, "%04" PRId64 "-%02d-%02d", y, m, d);
}

static bool
pg_txt_date(struct buf *b, size_t lim, int32_t v)
{
	char		 s[64];
	const char	*bc;
	int		 n;

	if (v == INT32_MAX)
		return pg_put(b, lim, "infinity", 8);
	if (v == INT32_MIN)
		return pg_put(b, lim, "-infinity", 9);
	if (v < PG_DATE_MIN || v >= PG_DATE_END)
		return false;
	n = pg_fmt_date(s, sizeof s, (int64_t)v + PG_EPOCH_DAYS, &bc);
	n += snprintf(s + n, sizeof s - (size_t)n, "%s", bc);
	return pg_put(b, lim, s, (size_t)n);
}

/* ".ffffff" without the trailing zeros PostgreSQL drops; nothing for 0. */
static int
pg_fmt_frac(char *out, size_t cap, int frac)
{
	int	k = 6;

	if (frac == 0) {
		out[0] = '\0';
		return 0;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		k--;
	}
	return snprintf(out, cap, ".%0*d", k, frac);
}

static bool
pg_txt_timestamp(struct buf *b, size_t lim, int64_t us, bool tz)
{
	char		 s[96];
	const char	*bc;
	int64_t		 days, rem;
	int		 n;

	if (us == INT64_MAX)
		return pg_put(b, lim, "infinity", 8);
	if (us == INT64_MIN)
		return pg_put(b, lim, "-infinity", 9);
	if (us < PG_TS_MIN || us >= PG_TS_END)
		return false;
	days = us / PG_USECS_DAY;
	rem = us % PG_USECS_DAY;
	if (rem < 0) {
		rem += PG_USECS_DAY;
		days--;
	}
	n = pg_fmt_date(s, sizeof s, days + PG_EPOCH_DAYS, &bc);
	n += snprintf(s + n, sizeof s - (size_t)n, " %02d:%02d:%02d",
	    (int)(rem / PG_USECS_HOUR), (int)(rem / PG_USECS_MIN % 60),
	    (int)(rem / 1000000 % 60));
	n += pg_fmt_frac(s + n, sizeof s - (size_t)n, (int)(rem % 1000000));
	n += snprintf(s + n, sizeof s - (size_t)n, "%s%s", tz ? "+00" : "", bc);
	return pg_put(b, lim, s, (size_t)n);
}

/* time_recv and timetz_recv take 0 to 24:00:00 inclusive. */
static int
pg_fmt_time(char *out, size_t cap, int64_t us)
{
	int	n;

	n = snprintf(out, cap, "%02d:%02d:%02d", (int)(us / PG_USECS_HOUR),
	    (int)(us / PG_USECS_MIN % 60), (int)(us / 1000000 % 60));
	return n + pg_fmt_frac(out + n, cap - (size_t)n, (int)(us % 1000000));
}

static bool
pg_txt_time(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	struct rd	rd;
	char		s[64];
	int64_t		us;

	rd_init(&rd, p, n);
	us = (int64_t)rd_be64(&rd);
	if (!pg_rd_end(&rd) || us < 0 || us > PG_USECS_DAY)
		return false;
	return pg_put(b, lim, s, (size_t)pg_fmt_time(s, sizeof s, us));
}

/*
 * The binary zone is seconds west of UTC; PostgreSQL prints the offset
 * east: +HH, +HH:MM when minutes, +HH:MM:SS when seconds (EncodeTimezone).
 */
static bool
pg_txt_timetz(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	struct rd	rd;
	char		s[96];
	int64_t		us;
	int32_t		zone;
	int		o, a, h, m, sec;

	rd_init(&rd, p, n);
	us = (int64_t)rd_be64(&rd);
	zone = (int32_t)rd_be32(&rd);
	if (!pg_rd_end(&rd) || us < 0 || us > PG_USECS_DAY ||
	    zone <= -PG_TZDISP_LIMIT || zone >= PG_TZDISP_LIMIT)
		return false;
	o = pg_fmt_time(s, sizeof s, us);
	a = zone < 0 ? -zone : zone;
	h = a / 3600;
	m = a / 60 % 60;
	sec = a % 60;
	s[o++] = zone <= 0 ? '+' : '-';
	if (sec != 0)
		o += snprintf(s + o, sizeof s - (size_t)o, "%02d:%02d:%02d", h, m,
		    sec);
	else if (m != 0)
		o += snprintf(s + o, sizeof s - (size_t)o, "%02d:%02d", h, m);
	else
		o += snprintf(s + o, sizeof s - (size_t)o, "%02d", h);
	return pg_put(b, lim, s, (size_t)o);
}

/* One "N unit(s)" of IntervalStyle postgres (AddPostgresIntPart): a part
 * after a negative one gets an explicit "+". */
static int
pg_interval_part(char *out, size_t cap, int64_t v, const char *unit,
    bool *zero, bool *before)
{
	int	n;

	if (v == 0)
		return 0;
	n = snprintf(out, cap, "%s%s%" PRId64 " %s%s", *zero ? "" : " ",
	    *before && v > 0 ? "+" : "", v, unit, v != 1 ? "s" : "");
	*before = v < 0;
	*zero = false;
	return n;
}

/*
 * interval_out with IntervalStyle postgres (EncodeInterval): years and
 * months from the months, then days, then a signed h:mm:ss when there is
 * time or nothing else; each part truncates toward zero.
 */
static bool
pg_txt_interval(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	struct rd	rd;
	char		s[192];
	int64_t		t, hour;
	int32_t		day, month;
	int		o = 0, min, sec, usec;
	bool		zero = true, before = false, minus;

	rd_init(&rd, p, n);
	t = (int64_t)rd_be64(&rd);
	day = (int32_t)rd_be32(&rd);
	month = (int32_t)rd_be32(&rd);
	if (!pg_rd_end(&rd))
		return false;
	/* PostgreSQL 17's infinite intervals: every field at its end. */
	if (t == INT64_MAX && day == INT32_MAX && month == INT32_MAX)
		return pg_put(b, lim, "infinity", 8);
	if (t == INT64_MIN && day == INT32_MIN && month == INT32_MIN)
		return pg_put(b, lim, "-infinity", 9);
	hour = t / PG_USECS_HOUR;
	t -= hour * PG_USECS_HOUR;
	min = (int)(t / PG_USECS_MIN);
	t -= min * PG_USECS_MIN;
	sec = (int)(t / 1000000);
	usec = (int)(t - sec * 1000000LL);
	o += pg_interval_part(s + o, sizeof s - (size_t)o, month / 12, "year",
	    &zero, &before);
	o += pg_interval_part(s + o, sizeof s - (size_t)o, month % 12, "mon",
	    &zero, &before);
	o += pg_interval_part(s + o, sizeof s - (size_t)o, day, "day", &zero,
	    &before);
	if (zero || hour != 0 || min != 0 || sec != 0 || usec != 0) {
		minus = hour < 0 || min < 0 || sec < 0 || usec < 0;
		o += snprintf(s + o, sizeof s - (size_t)o,
		    "%s%s%02" PRId64 ":%02d:%02d", zero ? "" : " ",
		    minus ? "-" : before ? "+" : "", hour < 0 ? -hour : hour,
		    abs(min), abs(sec));
		o += pg_fmt_frac(s + o, sizeof s - (size_t)o, abs(usec));
	}
	return pg_put(b, lim, s, (size_t)o);
}

static bool
pg_txt_uuid(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	static const char	 hx[] = "0123456789abcdef";
	char			 s[37];
	int			 i, o = 0;

	if (n != 16)
		return false;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			s[o++] = '-';
		s[o++] = hx[p[i] >> 4];
		s[o++] = hx[p[i] & 15];
	}
	return pg_put(b, lim, s, 36);
}

static bool
pg_txt_bytea(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	if (n > lim / 2 || !pg_room(b, lim, 2 * n + 2))
		return false;
	b->len += pg_value_hex(b->p + b->len, p, n);
	return true;
}

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
 * The shortest digits are searched as emit.c does: any decimal of at most
 * DBL_DIG (FLT_DIG) digits that reads back is the value rounded to that
 * many digits; one on a bound of the values that read back is passed
 * over, as Ryu does.
 */
static bool
pg_txt_float(struct buf *b, size_t lim, double x, bool single)
{
	char	 digs[40], m[24], s[48], *e, *q;
	int	 prec, exp, nd, o = 0, i;
	bool	 back;

	if (isnan(x))
		return pg_put(b, lim, "NaN", 3);
	if (isinf(x))
		return x > 0 ? pg_put(b, lim, "Infinity", 8) :
		    pg_put(b, lim, "-Infinity", 9);
	if (x == 0)
		return signbit(x) ? pg_put(b, lim, "-0", 2) :
		    pg_put(b, lim, "0", 1);
	prec = single ? FLT_DIG : DBL_DIG;
	if (fabs(x) < (single ? FLT_MIN : DBL_MIN))
		prec = 1;
	for (;; prec++) {
		snprintf(digs, sizeof digs, "%.*e", prec - 1, x);
		back = single ? strtof(digs, NULL) == (float)x :
		    strtod(digs, NULL) == x;
		/* digs: [-]d.ddde[+-]XX */
		e = strchr(digs, 'e');
		exp = atoi(e + 1);
		*e = '\0';
		q = digs + (digs[0] == '-');
		for (nd = 0; *q != '\0' && nd < (int)sizeof m; q++)
			if (*q != '.')
				m[nd++] = *q;
		while (nd > 1 && m[nd - 1] == '0')
			nd--;
		if (prec >= 17 || (back &&
		    !pg_float_bound(fabs(x), single, m, nd, exp)))
			break;
	}
	if (x < 0)
		s[o++] = '-';
	if (exp < -4 || exp >= (single ? FLT_DIG : DBL_DIG)) {
		s[o++] = m[0];
		if (nd > 1) {
			s[o++] = '.';
			for (i = 1; i < nd; i++)
				s[o++] = m[i];
		}
		o += snprintf(s + o, sizeof s - (size_t)o, "e%c%02d",
		    exp < 0 ? '-' : '+', abs(exp));
	} else if (exp < 0) {
		s[o++] = '0';
		s[o++] = '.';
		for (i = -1; i > exp; i--)
			s[o++] = '0';
		for (i = 0; i < nd; i++)
			s[o++] = m[i];
	} else {
		for (i = 0; i < nd || i <= exp; i++) {
			if (i == exp + 1)
				s[o++] = '.';
			s[o++] = i < nd ? m[i] : '0';
		}
	}
	return pg_put(b, lim, s, (size_t)o);
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
static bool
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
		return pg_put(b, lim, "NaN", 3);
	if (sign == PG_NUM_PINF)
		return pg_put(b, lim, "Infinity", 8);
	if (sign == PG_NUM_NINF)
		return pg_put(b, lim, "-Infinity", 9);
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
	if (len > PG_NUMERIC_MAX || !pg_room(b, lim, (size_t)len))
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

/*
 * inet_recv/cidr_recv: family 2 (IPv4) or 3 (IPv6), mask bits, a flag the
 * server ignores, the address length and the address; a cidr has no bits
 * set past its mask. Printed as pg_inet_net_ntop does: inet without a
 * full mask's /32 or /128, cidr always with its mask.
 */
static bool
pg_txt_inet(struct buf *b, size_t lim, const uint8_t *p, size_t n, bool cidr)
{
	struct rd	 rd;
	char		 s[64];
	unsigned	 w[8];
	int		 fam, bits, nb, max, size, i, o = 0, base = -1, len = 0;
	int		 cb = -1, cl = 0;

	rd_init(&rd, p, n);
	fam = rd_u8(&rd);
	bits = rd_u8(&rd);
	(void)rd_u8(&rd);		/* is_cidr: the server ignores it */
	nb = rd_u8(&rd);
	if (fam == 2) {
		max = 32;
		size = 4;
	} else if (fam == 3) {
		max = 128;
		size = 16;
	} else
		return false;
	if (bits > max || nb != size ||
	    (p = rd_take(&rd, (size_t)size)) == NULL || !pg_rd_end(&rd))
		return false;
	if (cidr)
		for (i = bits; i < max; i++)
			if (p[i / 8] & (0x80 >> (i % 8)))
				return false;
	if (fam == 2)
		o = snprintf(s, sizeof s, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
	else {
		/* The first longest run of two or more zero words is "::"
		 * (RFC 5952); ::a.b.c.d and ::ffff:a.b.c.d keep dotted IPv4. */
		for (i = 0; i < 8; i++) {
			w[i] = (unsigned)p[2 * i] << 8 | p[2 * i + 1];
			if (w[i] == 0) {
				if (cb == -1)
					cb = i, cl = 0;
				if (++cl > len)
					base = cb, len = cl;
			} else
				cb = -1;
		}
		if (len < 2)
			base = -1;
		for (i = 0; i < 8; i++) {
			if (base != -1 && i >= base && i < base + len) {
				if (i == base)
					s[o++] = ':';
				continue;
			}
			if (i != 0)
				s[o++] = ':';
			if (i == 6 && base == 0 && (len == 6 ||
			    (len == 7 && w[7] != 1) ||
			    (len == 5 && w[5] == 0xffff))) {
				o += snprintf(s + o, sizeof s - (size_t)o,
				    "%u.%u.%u.%u", p[12], p[13], p[14], p[15]);
				break;
			}
			o += snprintf(s + o, sizeof s - (size_t)o, "%x", w[i]);
		}
		if (base != -1 && base + len == 8)
			s[o++] = ':';
	}
	if (cidr || bits != max)
		o += snprintf(s + o, sizeof s - (size_t)o, "/%d", bits);
	return pg_put(b, lim, s, (size_t)o);
}

/* macaddr (6 bytes); macaddr8 (8, or 6 taken as EUI-48 with ff:fe
 * inserted, as macaddr8_recv does). */
static bool
pg_txt_mac(struct buf *b, size_t lim, const uint8_t *p, size_t n, bool eui64)
{
	struct rd	rd;
	uint8_t		a[8];

	rd_init(&rd, p, n);
	if ((p = rd_take(&rd, n == 8 && eui64 ? 8 : 6)) == NULL ||
	    !pg_rd_end(&rd))
		return false;
	if (!eui64)
		return pg_putf(b, lim, "%02x:%02x:%02x:%02x:%02x:%02x", p[0],
		    p[1], p[2], p[3], p[4], p[5]);
	if (n == 6) {
		memcpy(a, p, 3);
		a[3] = 0xff;
		a[4] = 0xfe;
		memcpy(a + 5, p + 3, 3);
		p = a;
	}
	return pg_putf(b, lim, "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", p[0],
	    p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
}

/* "char": one byte; NUL is the empty string, a high-bit byte \ooo. */
static bool
pg_txt_char(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	if (n != 1)
		return false;
	if (p[0] == 0)
		return pg_put(b, lim, "", 0);
	if (p[0] & 0x80)
		return pg_putf(b, lim, "\\%03o", p[0]);
	return pg_put(b, lim, p, 1);
}

/* bit/varbit: a bit count, then the bits in whole bytes (the padding
 * bits past the count are ignored, as the server zeroes them). */
static bool
pg_txt_bits(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	struct rd	rd;
	uint32_t	bits, i;

	rd_init(&rd, p, n);
	bits = rd_be32(&rd);
	if (!rd_ok(&rd) || bits > INT32_MAX ||
	    (p = rd_take(&rd, ((size_t)bits + 7) / 8)) == NULL ||
	    !pg_rd_end(&rd) || !pg_room(b, lim, bits))
		return false;
	for (i = 0; i < bits; i++)
		b->p[b->len++] = p[i / 8] & (0x80 >> (i % 8)) ? '1' : '0';
	return true;
}

/* The element type of the array types rendered (pg_type.dat typelem). */
static uint32_t
pg_array_elem(uint32_t oid)
{
	static const uint32_t	map[][2] = {
		{ 1000, PG_OID_BOOL }, { 1001, PG_OID_BYTEA },
		{ 1002, PG_OID_CHAR }, { 1003, PG_OID_NAME },
		{ 1016, PG_OID_INT8 }, { 1005, PG_OID_INT2 },
		{ 1007, PG_OID_INT4 }, { 1009, PG_OID_TEXT },
		{ 1028, PG_OID_OID }, { 199, PG_OID_JSON }, { 143, PG_OID_XML },
		{ 1021, PG_OID_FLOAT4 }, { 1022, PG_OID_FLOAT8 },
		{ 1014, PG_OID_BPCHAR }, { 1015, PG_OID_VARCHAR },
		{ 1182, PG_OID_DATE }, { 1183, PG_OID_TIME },
		{ 1115, PG_OID_TIMESTAMP }, { 1185, PG_OID_TIMESTAMPTZ },
		{ 1187, PG_OID_INTERVAL }, { 1270, PG_OID_TIMETZ },
		{ 1231, PG_OID_NUMERIC }, { 2951, PG_OID_UUID },
		{ 3807, PG_OID_JSONB }, { 1041, PG_OID_INET },
		{ 651, PG_OID_CIDR }, { 1040, PG_OID_MACADDR },
		{ 775, PG_OID_MACADDR8 }, { 1561, PG_OID_BIT },
		{ 1563, PG_OID_VARBIT },
	};
	size_t	i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i][0] == oid)
			return map[i][1];
	return 0;
}

/*
 * array_out's quoting of the element text just written at b->p + from:
 * in double quotes, with '"' and '\\' backslashed, when it is empty, is
 * NULL in any case, or holds a brace, the delimiter, a quote, a backslash
 * or white space (array_isspace).
 */
static bool
pg_array_quote(struct buf *b, size_t lim, size_t from)
{
	char	*s = b->p + from, *src, *dst;
	size_t	 m = b->len - from, extra = 0, i;
	bool	 q = m == 0;

	if (m == 4 && strncasecmp(s, "NULL", 4) == 0)
		q = true;
	for (i = 0; i < m; i++) {
		switch (s[i]) {
		case '"':
		case '\\':
			extra++;
			q = true;
			break;
		case '{': case '}': case ',': case ' ': case '\t': case '\n':
		case '\r': case '\v': case '\f':
			q = true;
			break;
		default:
			break;
		}
	}
	if (!q)
		return true;
	if (!pg_room(b, lim, extra + 2))
		return false;
	s = b->p + from;
	/* Backward, so the text moves over itself. */
	src = s + m;
	dst = s + m + extra + 2;
	*--dst = '"';
	while (src > s) {
		*--dst = *--src;
		if (*src == '"' || *src == '\\')
			*--dst = '\\';
	}
	*--dst = '"';
	b->len += extra + 2;
	return true;
}

/* An array's header as array_recv reads it. */
struct pg_arr {
	int32_t		ndim;
	int32_t		dims[PG_MAXDIM];
	int32_t		lbs[PG_MAXDIM];
	int64_t		items;
	bool		needdims;	/* a lower bound is not 1 */
};

/*
 * ndim (0 to 6), a has-null flag (0 or 1), the element type, then per
 * dimension its size and lower bound. The element type must be the
 * array's, unless it is not a built-in type (array_recv then takes the
 * array's). The sizes multiply to at most MaxArraySize, and each element
 * needs at least its length word of the bytes left.
 */
static bool
pg_array_head(struct rd *rd, uint32_t el, struct pg_arr *a)
{
	uint32_t	flags, oid;
	int		i;

	a->ndim = (int32_t)rd_be32(rd);
	flags = rd_be32(rd);
	oid = rd_be32(rd);
	if (!rd_ok(rd) || a->ndim < 0 || a->ndim > PG_MAXDIM || flags > 1)
		return false;
	if (oid != el && oid < PG_OID_BUILTIN)
		return false;
	a->items = 0;
	a->needdims = false;
	for (i = 0; i < a->ndim; i++) {
		a->dims[i] = (int32_t)rd_be32(rd);
		a->lbs[i] = (int32_t)rd_be32(rd);
		if (a->dims[i] < 0 ||
		    (int64_t)a->dims[i] + a->lbs[i] > INT32_MAX)
			return false;
		a->items = i == 0 ? a->dims[i] : a->items * a->dims[i];
		if (a->items > INT32_MAX)
			return false;
		if (a->lbs[i] != 1)
			a->needdims = true;
	}
	return rd_ok(rd) && a->items <= PG_MAX_ITEMS &&
	    (uint64_t)a->items <= rd_left(rd) / 4;
}

/* One element: a length (-1: NULL), then its binary value, rendered and
 * quoted (not in a vector, whose elements are numbers). */
static bool
pg_array_el(struct buf *b, size_t lim, struct rd *rd, uint32_t el, bool vec)
{
	const uint8_t	*q;
	int32_t		 len;
	size_t		 from = b->len;

	len = (int32_t)rd_be32(rd);
	if (!rd_ok(rd) || len < -1 || (vec && len == -1))
		return false;
	if (len == -1)
		return pg_put(b, lim, "NULL", 4);
	if ((q = rd_take(rd, (size_t)len)) == NULL)
		return false;
	return pg_text(b, lim, el, q, (size_t)len, true) &&
	    (vec || pg_array_quote(b, lim, from));
}

/*
 * array_recv then array_out: {a,b} nested per dimension, with [lb:ub]=
 * first when a lower bound is not 1; an array without elements is {}.
 * int2vector and oidvector (vec) are one dimension from 0 without NULLs,
 * printed as the values separated by spaces.
 */
static bool
pg_txt_array(struct buf *b, size_t lim, uint32_t el, const uint8_t *p,
    size_t n, bool vec)
{
	struct rd	rd;
	struct pg_arr	a;
	int32_t		idx[PG_MAXDIM] = { 0 };
	int		i, j;

	rd_init(&rd, p, n);
	if (!pg_array_head(&rd, el, &a))
		return false;
	if (vec && (a.ndim != 1 || a.items == 0 || a.lbs[0] != 0))
		return false;
	if (a.items == 0)
		return rd_left(&rd) == 0 && pg_put(b, lim, "{}", 2);
	if (a.needdims && !vec) {
		for (i = 0; i < a.ndim; i++)
			if (!pg_putf(b, lim, "[%" PRId32 ":%" PRId64 "]",
			    a.lbs[i], (int64_t)a.lbs[i] + a.dims[i] - 1))
				return false;
		if (!pg_put(b, lim, "=", 1))
			return false;
	}
	if (!vec && !pg_put(b, lim, "{", 1))
		return false;
	j = 0;
	do {
		for (i = j; !vec && i < a.ndim - 1; i++)
			if (!pg_put(b, lim, "{", 1))
				return false;
		if (!pg_array_el(b, lim, &rd, el, vec))
			return false;
		/* the next index, closing the dimensions it wraps */
		for (i = a.ndim - 1; i >= 0; i--) {
			if (++idx[i] < a.dims[i]) {
				if (!pg_put(b, lim, vec ? " " : ",", 1))
					return false;
				break;
			}
			idx[i] = 0;
			if (!vec && !pg_put(b, lim, "}", 1))
				return false;
		}
		j = i;
	} while (j != -1);
	return rd_left(&rd) == 0;
}

/*
 * Appends to b the text PostgreSQL prints for the binary value p of type
 * oid; false, with b's text past its length before undefined, when the
 * type is not one we render, the value is not one its receive function
 * takes, or its text would pass lim. An array's element (elem) is never
 * an array, so this recurses once at most.
 */
static bool
pg_text(struct buf *b, size_t lim, uint32_t oid, const uint8_t *p, size_t n,
    bool elem)
{
	uint32_t	u32;
	uint64_t	u64;
	float		f;
	double		d;

	switch (oid) {
	case PG_OID_BOOL:
		return n == 1 && pg_put(b, lim, p[0] != 0 ? "t" : "f", 1);
	case PG_OID_INT2:
		return n == 2 && pg_putf(b, lim, "%d", (int16_t)(p[0] << 8 |
		    p[1]));
	case PG_OID_INT4:
		return n == 4 && pg_putf(b, lim, "%" PRId32,
		    (int32_t)pg_be32(p));
	case PG_OID_OID:
		return n == 4 && pg_putf(b, lim, "%" PRIu32, pg_be32(p));
	case PG_OID_INT8:
		return n == 8 && pg_putf(b, lim, "%" PRId64,
		    (int64_t)pg_be64(p));
	case PG_OID_FLOAT4:
		if (n != 4)
			return false;
		u32 = pg_be32(p);
		memcpy(&f, &u32, sizeof f);
		return pg_txt_float(b, lim, f, true);
	case PG_OID_FLOAT8:
		if (n != 8)
			return false;
		u64 = pg_be64(p);
		memcpy(&d, &u64, sizeof d);
		return pg_txt_float(b, lim, d, false);
	case PG_OID_TEXT:
	case PG_OID_VARCHAR:
	case PG_OID_BPCHAR:
	case PG_OID_NAME:
	case PG_OID_JSON:
	case PG_OID_XML:
	case PG_OID_UNKNOWN:
		return pg_put(b, lim, p, n);
	case PG_OID_JSONB:
		/* Version byte 1, then the JSON text. */
		return n >= 1 && p[0] == 1 && pg_put(b, lim, p + 1, n - 1);
	case PG_OID_BYTEA:
		return pg_txt_bytea(b, lim, p, n);
	case PG_OID_CHAR:
		return pg_txt_char(b, lim, p, n);
	case PG_OID_UUID:
		return pg_txt_uuid(b, lim, p, n);
	case PG_OID_DATE:
		return n == 4 && pg_txt_date(b, lim, (int32_t)pg_be32(p));
	case PG_OID_TIMESTAMP:
	case PG_OID_TIMESTAMPTZ:
		return n == 8 && pg_txt_timestamp(b, lim, (int64_t)pg_be64(p),
		    oid == PG_OID_TIMESTAMPTZ);
	case PG_OID_TIME:
		return pg_txt_time(b, lim, p, n);
	case PG_OID_TIMETZ:
		return pg_txt_timetz(b, lim, p, n);
	case PG_OID_INTERVAL:
		return pg_txt_interval(b, lim, p, n);
	case PG_OID_NUMERIC:
		return pg_txt_numeric(b, lim, p, n);
	case PG_OID_INET:
	case PG_OID_CIDR:
		return pg_txt_inet(b, lim, p, n, oid == PG_OID_CIDR);
	case PG_OID_MACADDR:
	case PG_OID_MACADDR8:
		return pg_txt_mac(b, lim, p, n, oid == PG_OID_MACADDR8);
	case PG_OID_BIT:
	case PG_OID_VARBIT:
		return pg_txt_bits(b, lim, p, n);
	case PG_OID_INT2VECTOR:
		return !elem && pg_txt_array(b, lim, PG_OID_INT2, p, n, true);
	case PG_OID_OIDVECTOR:
		return !elem && pg_txt_array(b, lim, PG_OID_OID, p, n, true);
	default:
		if (elem || (u32 = pg_array_elem(oid)) == 0)
			return false;
		return pg_txt_array(b, lim, u32, p, n, false);
	}
}

static bool
pg_value_text(struct buf *b, uint32_t oid, const uint8_t *p, size_t n)
{
	size_t	from = b->len;

	if (pg_text(b, from + PG_TEXT_MAX, oid, p, n, false))
		return true;
	b->len = from;
	return false;
}

/* JSON has no NaN or infinities: PostgreSQL's own spelling, as text. */
static void
pg_value_nonfinite(struct record *r, double d)
{
	if (isnan(d))
		rec_el_str(r, "NaN", 3);
	else if (d > 0)
		rec_el_str(r, "Infinity", 8);
	else
		rec_el_str(r, "-Infinity", 9);
}

void
pg_value_el(struct record *r, uint32_t oid, int fmt, const uint8_t *p,
    size_t n)
{
	uint32_t	u32;
	float		f;
	double		d;
	uint64_t	u64;
	bool		ok;

	if (fmt == 0) {
		rec_el_str(r, p, n);
		return;
	}
	if (fmt != 1)
		goto hex;
	switch (oid) {
	case PG_OID_BOOL:
		if (n != 1)
			goto hex;
		rec_el_bool(r, p[0] != 0);
		return;
	case PG_OID_INT2:
		if (n != 2)
			goto hex;
		rec_el_int(r, (int16_t)(p[0] << 8 | p[1]));
		return;
	case PG_OID_INT4:
		if (n != 4)
			goto hex;
		rec_el_int(r, (int32_t)pg_be32(p));
		return;
	case PG_OID_OID:
		if (n != 4)
			goto hex;
		rec_el_uint(r, pg_be32(p));
		return;
	case PG_OID_INT8:
		if (n != 8)
			goto hex;
		rec_el_int(r, (int64_t)pg_be64(p));
		return;
	case PG_OID_FLOAT4:
		if (n != 4)
			goto hex;
		u32 = pg_be32(p);
		memcpy(&f, &u32, sizeof f);
		if (!isfinite(f))
			pg_value_nonfinite(r, f);
		else
			rec_el_float32(r, f);
		return;
	case PG_OID_FLOAT8:
		if (n != 8)
			goto hex;
		u64 = pg_be64(p);
		memcpy(&d, &u64, sizeof d);
		if (!isfinite(d))
			pg_value_nonfinite(r, d);
		else
			rec_el_float(r, d);
		return;
	case PG_OID_TEXT:
	case PG_OID_VARCHAR:
	case PG_OID_BPCHAR:
	case PG_OID_NAME:
	case PG_OID_JSON:
	case PG_OID_XML:
	case PG_OID_UNKNOWN:
		rec_el_str(r, p, n);
		return;
	case PG_OID_JSONB:
		if (n < 1 || p[0] != 1)
			goto hex;
		rec_el_str(r, p + 1, n - 1);
		return;
	default:
		break;
	}
	buf_reset(&pg_scratch);
	ok = pg_value_text(&pg_scratch, oid, p, n);
	if (ok)
		rec_el_str(r, pg_scratch.len > 0 ? pg_scratch.p : "",
		    pg_scratch.len);
	if (pg_scratch.cap > PG_SCRATCH_KEEP)
		buf_free(&pg_scratch);
	if (ok)
		return;
hex:
	pg_value_el_hex(r, p, n);
}
