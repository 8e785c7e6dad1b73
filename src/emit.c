/* emit.c - JSON, LTSV and console encodings of records. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "emit.h"
#include "vis.h"

int
fmt_parse(const char *s, enum fmt *f)
{
	if (strcasecmp(s, "json") == 0)
		*f = FMT_JSON;
	else if (strcasecmp(s, "ltsv") == 0)
		*f = FMT_LTSV;
	else if (strcasecmp(s, "console") == 0)
		*f = FMT_CONSOLE;
	else
		return -1;
	return 0;
}

/*
 * localtime_r is costly and records come in bursts within one second, so
 * the formatted prefix of the current second is cached; and the whole
 * text of the last millisecond, which busy captures repeat.
 */
void
emit_ts(struct buf *b, int64_t t_us)
{
	static time_t	 cached_sec = (time_t)-1;
	static char	 prefix[32], zone[24];
	static size_t	 prefix_len, zone_len;
	static int64_t	 last_ms = INT64_MIN;
	static char	 last[64];
	static size_t	 last_len;
	time_t		 sec;
	int64_t		 ms, t_ms;
	struct tm	 tm;
	long		 off;
	char		*o;

	t_ms = t_us >= 0 ? t_us / 1000 : (t_us - 999) / 1000;
	if (t_ms != last_ms) {
		sec = (time_t)(t_ms >= 0 ? t_ms / 1000 : (t_ms - 999) / 1000);
		ms = t_ms - (int64_t)sec * 1000;
		if (sec != cached_sec) {
			localtime_r(&sec, &tm);
			strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S",
			    &tm);
			off = tm.tm_gmtoff;
			if (off == 0)
				strcpy(zone, "Z");
			else
				snprintf(zone, sizeof zone, "%c%02ld%02ld",
				    off < 0 ? '-' : '+', labs(off) / 3600,
				    (labs(off) % 3600) / 60);
			prefix_len = strlen(prefix);
			zone_len = strlen(zone);
			cached_sec = sec;
		}
		o = last;
		memcpy(o, prefix, prefix_len);
		o += prefix_len;
		*o++ = '.';
		*o++ = (char)('0' + ms / 100);
		*o++ = (char)('0' + ms / 10 % 10);
		*o++ = (char)('0' + ms % 10);
		memcpy(o, zone, zone_len);
		last_len = (size_t)(o - last) + zone_len;
		last_ms = t_ms;
	}
	buf_reserve(b, sizeof last);
	memcpy(b->p + b->len, last, sizeof last);
	b->len += last_len;
}

/* Integers are the most common value: no printf on this path, two digits
 * per division, and single digits (counts, flags, zero) stored at once. */
static const char emit_d2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

static inline int
emit_ndigits(uint64_t u)
{
	int	n = 1;

	while (u >= 10000) {
		u /= 10000;
		n += 4;
	}
	return n + (u >= 10) + (u >= 100) + (u >= 1000);
}

/* Written in place, from the last digit back. Most values are small
 * (counts, ids, microseconds, flags): up to four digits take no loop and
 * no 64-bit division. */
static inline __attribute__((always_inline)) void
emit_u64_in(struct buf *b, uint64_t u, int neg)	/* 21 bytes of room */
{
	char		*o, *e;
	uint32_t	 hi, lo;

	o = b->p + b->len;
	if (neg)
		*o++ = '-';
	if (u < 10) {
		*o++ = (char)('0' + u);
	} else if (u < 100) {
		memcpy(o, emit_d2 + u * 2, 2);
		o += 2;
	} else if (u < 10000) {
		hi = (uint32_t)u / 100;
		lo = (uint32_t)u % 100;
		if (hi < 10)
			*o++ = (char)('0' + hi);
		else {
			memcpy(o, emit_d2 + hi * 2, 2);
			o += 2;
		}
		memcpy(o, emit_d2 + lo * 2, 2);
		o += 2;
	} else {
		e = o + emit_ndigits(u);
		o = e;
		while (u >= 100) {
			e -= 2;
			memcpy(e, emit_d2 + (u % 100) * 2, 2);
			u /= 100;
		}
		if (u >= 10)
			memcpy(e - 2, emit_d2 + u * 2, 2);
		else
			e[-1] = (char)('0' + u);
	}
	b->len = (size_t)(o - b->p);
}

static inline __attribute__((always_inline)) void
emit_u64(struct buf *b, uint64_t u, int neg)
{
	buf_reserve(b, 24);
	emit_u64_in(b, u, neg);
}

static inline __attribute__((always_inline)) void
emit_i64_in(struct buf *b, int64_t i)
{
	if (i < 0)
		emit_u64_in(b, (uint64_t)0 - (uint64_t)i, 1);
	else
		emit_u64_in(b, (uint64_t)i, 0);
}

static inline __attribute__((always_inline)) void
emit_i64(struct buf *b, int64_t i)
{
	if (i < 0)
		emit_u64(b, (uint64_t)0 - (uint64_t)i, 1);
	else
		emit_u64(b, (uint64_t)i, 0);
}

/* "[-]d.ddde[+-]XX" (printf's %e; digs is cut at its 'e') as its
 * significant digits m (trailing zeros dropped) and decimal exponent. */
int
emit_digits(char *digs, char *m, size_t mcap, int *exp)
{
	char	*e = strchr(digs, 'e'), *p = digs;
	int	 nd = 0;

	*exp = e != NULL ? atoi(e + 1) : 0;
	if (e != NULL)
		*e = '\0';
	if (*p == '-')
		p++;
	for (; *p != '\0' && nd < (int)mcap; p++)
		if (*p != '.')
			m[nd++] = *p;
	while (nd > 1 && m[nd - 1] == '0')
		nd--;
	return nd;
}

size_t
emit_decimal(char *out, bool neg, const char *m, int nd, int exp, bool sci)
{
	size_t	o = 0;
	int	i;

	if (neg)
		out[o++] = '-';
	if (sci) {
		out[o++] = m[0];
		if (nd > 1) {
			out[o++] = '.';
			for (i = 1; i < nd; i++)
				out[o++] = m[i];
		}
		out[o++] = 'e';
		out[o++] = exp < 0 ? '-' : '+';
		o += (size_t)sprintf(out + o, "%02d", abs(exp));
	} else if (exp < 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (i = -1; i > exp; i--)
			out[o++] = '0';
		for (i = 0; i < nd; i++)
			out[o++] = m[i];
	} else {
		for (i = 0; i <= exp || i < nd; i++) {
			if (i == exp + 1)
				out[o++] = '.';
			out[o++] = i < nd ? m[i] : '0';
		}
	}
	return o;
}

/*
 * Go's strconv 'g'-like shortest formatting as encoding/json uses it:
 * plain decimal for 1e-6 <= |x| < 1e21, exponent form (1e-07, 1e+21)
 * outside that range.
 */
void
emit_float(struct buf *b, double x, int single)
{
	char	 digs[40], m[40], out[64];
	int	 prec, exp, nd;
	double	 ax;

	if (isnan(x) || isinf(x)) {
		buf_adds(b, "null");
		return;
	}
	if (x == 0) {
		buf_adds(b, signbit(x) ? "-0" : "0");
		return;
	}
	if (fabs(x) < 1e15 && x == (double)(int64_t)x) {
		int64_t iv = (int64_t)x;
		emit_u64(b, iv < 0 ? (uint64_t)-iv : (uint64_t)iv, iv < 0);
		return;
	}
	/*
	 * Any decimal of at most 15 (float: 6) digits that reads back as x is
	 * what rounding x to 15 (6) digits gives, padded with zeros; so start
	 * there, strip the zeros, and go longer only if that does not read
	 * back. Subnormals carry fewer digits: search them from one.
	 */
	prec = single ? 6 : 15;
	if (fabs(x) < (single ? FLT_MIN : DBL_MIN))
		prec = 1;
	for (; prec <= 17; prec++) {
		snprintf(digs, sizeof digs, "%.*e", prec - 1, x);
		if (single ? strtof(digs, NULL) == (float)x :
		    strtod(digs, NULL) == x)
			break;
	}
	nd = emit_digits(digs, m, sizeof m, &exp);
	ax = fabs(x);
	buf_add(b, out, emit_decimal(out, x < 0, m, nd, exp,
	    ax < 1e-6 || ax >= 1e21));
}

static void
emit_scalar(struct buf *b, const struct rval *v)
{
	switch (v->type) {
	case R_INT:
		emit_i64(b, v->v.i);
		break;
	case R_UINT:
		emit_u64(b, v->v.u, 0);
		break;
	case R_FLOAT:
		emit_float(b, v->v.f, 0);
		break;
	case R_FLOAT32:
		emit_float(b, v->v.f, 1);
		break;
	case R_BOOL:
		buf_adds(b, v->v.b ? "true" : "false");
		break;
	case R_NULL:
		buf_adds(b, "null");
		break;
	default:
		break;
	}
}

static inline void
emit_bytes(struct buf *b, const char *s, size_t n, uint8_t esc, int array)
{
	switch (esc) {
	case RESC_NONE:
		buf_add(b, s, n);
		break;
	case RESC_PRINT:
		vis_json_print(b, s, n);
		break;
	default:
		vis_json(b, s, n, array);
	}
}

static inline void
emit_str(struct buf *b, const struct record *r, const struct rval *v,
    int array)
{
	const char	*s;
	size_t		 n;

	s = rec_sval(r, v, &n);
	emit_bytes(b, s, n, v->esc, array);
}

static void	emit_array(struct buf *, const struct record *,
		    const struct rval *);

/* JSON, or with `console` the console format's terminal-safe strings
 * (vis_json_console) in the same layout. */
static void
emit_value(struct buf *b, const struct record *r, const struct rval *v,
    int array, int console)
{
	const char	*s;
	size_t		 n;
	uint32_t	 i;

	switch (v->type) {
	case R_STR:
		buf_addc(b, '"');
		if (console) {
			s = rec_sval(r, v, &n);
			vis_json_console(b, s, n, array);
		} else
			emit_str(b, r, v, array);
		buf_addc(b, '"');
		break;
	case R_TIME:
		buf_addc(b, '"');
		emit_ts(b, v->v.t_us);
		buf_addc(b, '"');
		break;
	case R_ARRAY:
		if (!console) {
			emit_array(b, r, v);
			break;
		}
		buf_addc(b, '[');
		for (i = 0; i < v->v.a.count; i++) {
			if (i)
				buf_addc(b, ',');
			emit_value(b, r, rec_elem(r, v, i), 1, console);
		}
		buf_addc(b, ']');
		break;
	default:
		emit_scalar(b, v);
	}
}

/* Arrays (execute and bind values), in JSON and LTSV alike: strings and
 * numbers, the common elements, without going through emit_value. */
static void
emit_array(struct buf *b, const struct record *r, const struct rval *v)
{
	const struct rval	*e;
	uint32_t		 i;

	buf_addc(b, '[');
	for (i = 0; i < v->v.a.count; i++) {
		e = rec_elem(r, v, i);
		if (i > 0)
			buf_addc(b, ',');
		if (e->type == R_STR) {
			buf_addc(b, '"');
			emit_str(b, r, e, 1);
			buf_addc(b, '"');
		} else if (e->type == R_INT)
			emit_i64(b, e->v.i);
		else if (e->type == R_ARRAY || e->type == R_TIME)
			emit_value(b, r, e, 1, 0);
		else
			emit_scalar(b, e);
	}
	buf_addc(b, ']');
}

void
emit_json_value(struct buf *b, const struct record *r, const struct rval *v,
    int array)
{
	emit_value(b, r, v, array, 0);
}

static void
emit_ltsv_value(struct buf *b, const struct record *r, const struct rval *v)
{
	switch (v->type) {
	case R_STR:
		emit_str(b, r, v, 0);
		break;
	case R_TIME:
		emit_ts(b, v->v.t_us);
		break;
	case R_ARRAY:
		emit_json_value(b, r, v, 1);
		break;
	default:
		emit_scalar(b, v);
	}
}

void
emit_console_object(struct buf *b, const struct record *r, uint32_t from)
{
	uint32_t	i;

	buf_addc(b, '{');
	for (i = from; i < r->nf; i++) {
		if (i > from)
			buf_add(b, ", ", 2);
		buf_addc(b, '"');
		buf_adds(b, r->f[i].key);
		buf_add(b, "\": ", 3);
		emit_value(b, r, &r->f[i].val, 0, 1);
	}
	buf_addc(b, '}');
}

/* Keys are short literals: one pass copies them, no strlen. */
static void
emit_key_slow(struct buf *b, const char *key, char before, const char *after)
{
	char	*o;

	buf_reserve(b, 64);
	o = b->p + b->len;
	if (before)
		*o++ = before;
	while (*key != '\0' && o < b->p + b->cap - 4)
		*o++ = *key++;
	b->len = (size_t)(o - b->p);
	if (*key != '\0')
		buf_adds(b, key);
	buf_adds(b, after);
}

/*
 * Keys are string literals (record.h), so a key's address names its text
 * for the life of the process: each format keeps the encoded key with its
 * separator (',"key":' and '\tkey:') in a small direct-mapped cache by
 * address, and writes it with one fixed-size copy.
 */
#define KEYC_SETS	256		/* of two slots */
#define KEYC_COPY	40		/* bytes copied per key */
#define KEYC_MAXKEY	(KEYC_COPY - 4)

struct keyc {
	const char	*key;
	uint8_t		 len;		/* of enc, separator included */
	char		 enc[KEYC_COPY + 8];
};

static struct keyc	keyc_json[KEYC_SETS][2], keyc_ltsv[KEYC_SETS][2];

/* Fills a slot for key (shorter than KEYC_MAXKEY) in format f. */
static void
emit_key_fill(struct keyc *e, const char *key, size_t n, enum fmt f)
{
	memset(e->enc, 0, sizeof e->enc);
	if (f == FMT_JSON) {
		e->enc[0] = ',';
		e->enc[1] = '"';
		memcpy(e->enc + 2, key, n);
		memcpy(e->enc + 2 + n, "\":", 2);
		e->len = (uint8_t)(n + 4);
	} else {
		e->enc[0] = '\t';
		memcpy(e->enc + 1, key, n);
		e->enc[1 + n] = ':';
		e->len = (uint8_t)(n + 2);
	}
	e->key = key;
}

/*
 * Two slots per set, the newest first: a record's keys are a few dozen
 * literals, and a direct-mapped table let two of them that share a slot
 * evict each other on every record. A miss (once per key and format,
 * unless two more keys share its set) is out of line.
 */
static __attribute__((noinline)) void
emit_key_miss(struct buf *b, const char *key, int first, enum fmt f,
    struct keyc *set)
{
	size_t	n = strlen(key), skip = first ? 1 : 0;

	if (n > KEYC_MAXKEY) {
		if (f == FMT_JSON) {
			if (!first)
				buf_addc(b, ',');
			emit_key_slow(b, key, '"', "\":");
		} else
			emit_key_slow(b, key, first ? 0 : '\t', ":");
		return;
	}
	set[1] = set[0];
	emit_key_fill(&set[0], key, n, f);
	buf_reserve(b, KEYC_COPY);
	memcpy(b->p + b->len, set[0].enc + skip, KEYC_COPY);
	b->len += set[0].len - skip;
}

/* The key, leaving room for `extra` more bytes: a field's key and a
 * number or a plain string take one room check. */
static inline __attribute__((always_inline)) void
emit_key(struct buf *b, const char *key, int first, enum fmt f,
    size_t extra)
{
	struct keyc	*set, *e;
	size_t		 skip = first ? 1 : 0;
	uint64_t	 h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ULL;

	set = (f == FMT_JSON ? keyc_json : keyc_ltsv)[h >> 56];
	e = &set[0];
	if (e->key != key) {
		e = &set[1];
		if (e->key != key) {
			emit_key_miss(b, key, first, f, set);
			buf_reserve(b, extra);
			return;
		}
	}
	buf_reserve(b, KEYC_COPY + extra);
	memcpy(b->p + b->len, e->enc + skip, KEYC_COPY);
	b->len += e->len - skip;
}

/* A field's value of the less common types, after its key. */
static inline __attribute__((always_inline)) void
emit_value_other(struct buf *b, const struct record *r, const struct rval *v,
    enum fmt f)
{
	switch (v->type) {
	case R_TIME:
		if (f == FMT_JSON)
			buf_addc(b, '"');
		emit_ts(b, v->v.t_us);
		if (f == FMT_JSON)
			buf_addc(b, '"');
		break;
	case R_ARRAY:
		emit_array(b, r, v);
		break;
	default:
		if (f == FMT_LTSV)
			emit_ltsv_value(b, r, v);
		else
			emit_json_value(b, r, v, 0);
	}
}

/* Inlined into the record loop: it runs for every field. */
static inline __attribute__((always_inline)) void
emit_field(struct buf *b, const struct record *r, uint32_t i, int first,
    enum fmt f)
{
	const struct rval	*v = &r->f[i].val;
	const char		*s;
	size_t			 n;
	char			*o;

	/* The common types without a call (emit_json_value). */
	switch (v->type) {
	case R_STR:
		s = rec_sval(r, v, &n);
		if (v->esc == RESC_NONE) {
			emit_key(b, r->f[i].key, first, f, n + 2);
			o = b->p + b->len;
			if (f == FMT_JSON)
				*o++ = '"';
			memcpy(o, s, n);
			o += n;
			if (f == FMT_JSON)
				*o++ = '"';
			b->len = (size_t)(o - b->p);
			break;
		}
		emit_key(b, r->f[i].key, first, f, 1);
		if (f == FMT_JSON)
			b->p[b->len++] = '"';
		emit_bytes(b, s, n, v->esc, 0);
		if (f == FMT_JSON)
			buf_addc(b, '"');
		break;
	case R_UINT:
		emit_key(b, r->f[i].key, first, f, 24);
		emit_u64_in(b, v->v.u, 0);
		break;
	case R_INT:
		emit_key(b, r->f[i].key, first, f, 24);
		emit_i64_in(b, v->v.i);
		break;
	default:
		emit_key(b, r->f[i].key, first, f, 0);
		emit_value_other(b, r, v, f);
	}
}

/*
 * A cached run's fields from its cache, or encoded and then kept there.
 * The cache holds the form with the leading separator, which a run at the
 * start of the record leaves out.
 */
static void
emit_cached(struct buf *b, const struct rrun *u, int first, enum fmt f)
{
	struct rcache	*c = u->cache;
	size_t		 start = b->len;
	uint32_t	 i;

	if (c->fmt == (int8_t)f && c->key == u->key) {
		buf_add(b, c->enc.p + first, c->enc.len - first);
		return;
	}
	for (i = u->from; i < u->to; i++)
		emit_field(b, u->r, i, first && i == u->from, f);
	c->enc.len = 0;
	if (first)
		buf_addc(&c->enc, f == FMT_JSON ? ',' : '\t');
	buf_add(&c->enc, b->p + start, b->len - start);
	c->fmt = (int8_t)f;
	c->key = u->key;
}

/* The field loop, instantiated once per format so that the format's tests
 * fold away. Runs are never empty (rview_add). */
static inline __attribute__((always_inline)) void
emit_runs(struct buf *b, const struct rview *v, enum fmt f)
{
	const struct rrun	*u;
	uint32_t		 k, i;

	for (k = 0; k < v->n; k++) {
		u = &v->run[k];
		if (u->cache != NULL) {
			emit_cached(b, u, k == 0, f);
			continue;
		}
		i = u->from;
		if (k == 0)
			emit_field(b, u->r, i++, 1, f);
		for (; i < u->to; i++)
			emit_field(b, u->r, i, 0, f);
	}
}

void
emit_view(struct buf *b, const struct rview *v, enum fmt f)
{
	static struct record	flat;	/* console only: kept for reuse */

	switch (f) {
	case FMT_CONSOLE:
		rview_flatten(&flat, v);
		emit_console_object(b, &flat, 0);
		break;
	case FMT_JSON:
		buf_addc(b, '{');
		emit_runs(b, v, FMT_JSON);
		buf_addc(b, '}');
		break;
	default:
		emit_runs(b, v, FMT_LTSV);
	}
	buf_addc(b, '\n');
}

void
emit_record(struct buf *b, const struct record *r, enum fmt f)
{
	struct rview	v;

	if (f == FMT_CONSOLE) {
		emit_console_object(b, r, 0);
		buf_addc(b, '\n');
		return;
	}
	rview_of(&v, r);
	emit_view(b, &v, f);
}
