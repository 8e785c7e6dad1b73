/* pg-value.c - rendering Bind parameters (see pg-value.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pg-value.h"
#include "xmalloc.h"

/* Days from 2000-01-01 (PostgreSQL's epoch) to 1970-01-01 is -10957. */
#define PG_EPOCH_DAYS	10957

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

static void
pg_value_date(struct record *r, int32_t v)
{
	char		 s[64];
	const char	*bc;
	int		 n;

	if (v == INT32_MAX) {
		rec_el_str(r, "infinity", 8);
		return;
	}
	if (v == INT32_MIN) {
		rec_el_str(r, "-infinity", 9);
		return;
	}
	n = pg_fmt_date(s, sizeof s, (int64_t)v + PG_EPOCH_DAYS, &bc);
	n += snprintf(s + n, sizeof s - (size_t)n, "%s", bc);
	rec_el_str(r, s, (size_t)n);
}

static void
pg_value_timestamp(struct record *r, int64_t us, bool tz)
{
	char		 s[96];
	const char	*bc;
	int64_t		 days, rem;
	int		 n, frac, k;

	if (us == INT64_MAX) {
		rec_el_str(r, "infinity", 8);
		return;
	}
	if (us == INT64_MIN) {
		rec_el_str(r, "-infinity", 9);
		return;
	}
	days = us / 86400000000LL;
	rem = us % 86400000000LL;
	if (rem < 0) {
		rem += 86400000000LL;
		days--;
	}
	n = pg_fmt_date(s, sizeof s, days + PG_EPOCH_DAYS, &bc);
	n += snprintf(s + n, sizeof s - (size_t)n, " %02d:%02d:%02d",
	    (int)(rem / 3600000000LL), (int)(rem / 60000000 % 60),
	    (int)(rem / 1000000 % 60));
	frac = (int)(rem % 1000000);
	if (frac != 0) {
		/* PostgreSQL drops trailing zeros of the fraction. */
		k = 6;
		while (frac % 10 == 0) {
			frac /= 10;
			k--;
		}
		n += snprintf(s + n, sizeof s - (size_t)n, ".%0*d", k, frac);
	}
	n += snprintf(s + n, sizeof s - (size_t)n, "%s%s", tz ? "+00" : "", bc);
	rec_el_str(r, s, (size_t)n);
}

static void
pg_value_uuid(struct record *r, const uint8_t *p)
{
	static const char	 hx[] = "0123456789abcdef";
	char			 s[37];
	int			 i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			s[o++] = '-';
		s[o++] = hx[p[i] >> 4];
		s[o++] = hx[p[i] & 15];
	}
	rec_el_str(r, s, 36);
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
		/* Version byte 1, then the JSON text. */
		if (n < 1 || p[0] != 1)
			goto hex;
		rec_el_str(r, p + 1, n - 1);
		return;
	case PG_OID_UUID:
		if (n != 16)
			goto hex;
		pg_value_uuid(r, p);
		return;
	case PG_OID_DATE:
		if (n != 4)
			goto hex;
		pg_value_date(r, (int32_t)pg_be32(p));
		return;
	case PG_OID_TIMESTAMP:
	case PG_OID_TIMESTAMPTZ:
		if (n != 8)
			goto hex;
		pg_value_timestamp(r, (int64_t)pg_be64(p),
		    oid == PG_OID_TIMESTAMPTZ);
		return;
	default:
		break;
	}
hex:
	pg_value_el_hex(r, p, n);
}
