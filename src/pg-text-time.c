/* pg-text-time.c - dates, timestamps, times and intervals as PostgreSQL
 * prints them (DateStyle ISO, IntervalStyle postgres; see pg-text.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg-text.h"

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
#define PG_TZDISP_LIMIT	(16 * 3600)	/* TZDISP_LIMIT */

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

bool
pg_txt_date(struct buf *b, size_t lim, int32_t v)
{
	char		 s[64];
	const char	*bc;
	int		 n;

	if (v == INT32_MAX)
		return pg_txt_put(b, lim, "infinity", 8);
	if (v == INT32_MIN)
		return pg_txt_put(b, lim, "-infinity", 9);
	if (v < PG_DATE_MIN || v >= PG_DATE_END)
		return false;
	n = pg_fmt_date(s, sizeof s, (int64_t)v + PG_EPOCH_DAYS, &bc);
	n += snprintf(s + n, sizeof s - (size_t)n, "%s", bc);
	return pg_txt_put(b, lim, s, (size_t)n);
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

bool
pg_txt_timestamp(struct buf *b, size_t lim, int64_t us, bool tz)
{
	char		 s[96];
	const char	*bc;
	int64_t		 days, rem;
	int		 n;

	if (us == INT64_MAX)
		return pg_txt_put(b, lim, "infinity", 8);
	if (us == INT64_MIN)
		return pg_txt_put(b, lim, "-infinity", 9);
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
	return pg_txt_put(b, lim, s, (size_t)n);
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

bool
pg_txt_time(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	struct rd	rd;
	char		s[64];
	int64_t		us;

	rd_init(&rd, p, n);
	us = (int64_t)rd_be64(&rd);
	if (!pg_rd_end(&rd) || us < 0 || us > PG_USECS_DAY)
		return false;
	return pg_txt_put(b, lim, s, (size_t)pg_fmt_time(s, sizeof s, us));
}

/*
 * The binary zone is seconds west of UTC; PostgreSQL prints the offset
 * east: +HH, +HH:MM when minutes, +HH:MM:SS when seconds (EncodeTimezone).
 */
bool
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
	return pg_txt_put(b, lim, s, (size_t)o);
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
bool
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
		return pg_txt_put(b, lim, "infinity", 8);
	if (t == INT64_MIN && day == INT32_MIN && month == INT32_MIN)
		return pg_txt_put(b, lim, "-infinity", 9);
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
	return pg_txt_put(b, lim, s, (size_t)o);
}
