/* pg-value.c - rendering Bind parameters (see pg-value.h).
 *
 * A binary value is shown as the text PostgreSQL's output function prints
 * for it (pg_text, which dispatches by type; the writers are declared in
 * pg-text.h). It is read through rd.h with the checks of the type's
 * receive function: a value the server would refuse is not rendered, the
 * caller shows its bytes instead. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "pg-text.h"
#include "pg-value.h"
#include "rd.h"
#include "xmalloc.h"

/* The server's limits: MAXDIM, MaxArraySize, FirstGenbkiObjectId (OIDs
 * below it are built in). */
#define PG_MAXDIM	6
#define PG_MAX_ITEMS	134217727
#define PG_OID_BUILTIN	10000
/* A scratch buffer grown past this by one value is given back after it. */
#define PG_SCRATCH_KEEP	(64 * 1024)

static struct buf	pg_scratch;

static bool	pg_text(struct buf *, size_t, uint32_t, const uint8_t *, size_t,
		    bool);

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
bool
pg_txt_room(struct buf *b, size_t lim, size_t need)
{
	if (need > lim || b->len > lim - need)
		return false;
	buf_reserve(b, need + 1);
	return true;
}

bool
pg_txt_put(struct buf *b, size_t lim, const void *s, size_t n)
{
	if (!pg_txt_room(b, lim, n))
		return false;
	buf_add(b, s, n);
	return true;
}

bool
pg_txt_putf(struct buf *b, size_t lim, const char *fmt, ...)
{
	char	 s[128];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof s)
		return false;
	return pg_txt_put(b, lim, s, (size_t)n);
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
	return pg_txt_put(b, lim, s, 36);
}

static bool
pg_txt_bytea(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	if (n > lim / 2 || !pg_txt_room(b, lim, 2 * n + 2))
		return false;
	b->len += pg_value_hex(b->p + b->len, p, n);
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
	return pg_txt_put(b, lim, s, (size_t)o);
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
		return pg_txt_putf(b, lim, "%02x:%02x:%02x:%02x:%02x:%02x", p[0],
		    p[1], p[2], p[3], p[4], p[5]);
	if (n == 6) {
		memcpy(a, p, 3);
		a[3] = 0xff;
		a[4] = 0xfe;
		memcpy(a + 5, p + 3, 3);
		p = a;
	}
	return pg_txt_putf(b, lim, "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", p[0],
	    p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
}

/* "char": one byte; NUL is the empty string, a high-bit byte \ooo. */
static bool
pg_txt_char(struct buf *b, size_t lim, const uint8_t *p, size_t n)
{
	if (n != 1)
		return false;
	if (p[0] == 0)
		return pg_txt_put(b, lim, "", 0);
	if (p[0] & 0x80)
		return pg_txt_putf(b, lim, "\\%03o", p[0]);
	return pg_txt_put(b, lim, p, 1);
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
	    !pg_rd_end(&rd) || !pg_txt_room(b, lim, bits))
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
	if (!pg_txt_room(b, lim, extra + 2))
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
		return pg_txt_put(b, lim, "NULL", 4);
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
		return rd_left(&rd) == 0 && pg_txt_put(b, lim, "{}", 2);
	if (a.needdims && !vec) {
		for (i = 0; i < a.ndim; i++)
			if (!pg_txt_putf(b, lim, "[%" PRId32 ":%" PRId64 "]",
			    a.lbs[i], (int64_t)a.lbs[i] + a.dims[i] - 1))
				return false;
		if (!pg_txt_put(b, lim, "=", 1))
			return false;
	}
	if (!vec && !pg_txt_put(b, lim, "{", 1))
		return false;
	j = 0;
	do {
		for (i = j; !vec && i < a.ndim - 1; i++)
			if (!pg_txt_put(b, lim, "{", 1))
				return false;
		if (!pg_array_el(b, lim, &rd, el, vec))
			return false;
		/* the next index, closing the dimensions it wraps */
		for (i = a.ndim - 1; i >= 0; i--) {
			if (++idx[i] < a.dims[i]) {
				if (!pg_txt_put(b, lim, vec ? " " : ",", 1))
					return false;
				break;
			}
			idx[i] = 0;
			if (!vec && !pg_txt_put(b, lim, "}", 1))
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
		return n == 1 && pg_txt_put(b, lim, p[0] != 0 ? "t" : "f", 1);
	case PG_OID_INT2:
		return n == 2 && pg_txt_putf(b, lim, "%d", (int16_t)(p[0] << 8 |
		    p[1]));
	case PG_OID_INT4:
		return n == 4 && pg_txt_putf(b, lim, "%" PRId32,
		    (int32_t)pg_be32(p));
	case PG_OID_OID:
		return n == 4 && pg_txt_putf(b, lim, "%" PRIu32, pg_be32(p));
	case PG_OID_INT8:
		return n == 8 && pg_txt_putf(b, lim, "%" PRId64,
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
		return pg_txt_put(b, lim, p, n);
	case PG_OID_JSONB:
		/* Version byte 1, then the JSON text. */
		return n >= 1 && p[0] == 1 && pg_txt_put(b, lim, p + 1, n - 1);
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
