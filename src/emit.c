/* emit.c - JSON, LTSV and console encodings of records. */
#include <math.h>
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

const char *
fmt_name(enum fmt f)
{
	switch (f) {
	case FMT_JSON:		return "json";
	case FMT_LTSV:		return "ltsv";
	case FMT_CONSOLE:	return "console";
	}
	return "?";
}

/*
 * localtime_r is costly and records come in bursts within one second, so
 * the formatted prefix of the current second is cached.
 */
void
emit_ts(struct buf *b, int64_t t_us)
{
	static time_t	 cached_sec = (time_t)-1;
	static char	 prefix[32], zone[24];
	time_t		 sec;
	int64_t		 ms;
	struct tm	 tm;
	long		 off;
	char		 tmp[8];

	sec = (time_t)(t_us >= 0 ? t_us / 1000000 : (t_us - 999999) / 1000000);
	ms = (t_us - (int64_t)sec * 1000000) / 1000;
	if (sec != cached_sec) {
		localtime_r(&sec, &tm);
		strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S", &tm);
		off = tm.tm_gmtoff;
		if (off == 0)
			strcpy(zone, "Z");
		else
			snprintf(zone, sizeof zone, "%c%02ld%02ld",
			    off < 0 ? '-' : '+', labs(off) / 3600,
			    (labs(off) % 3600) / 60);
		cached_sec = sec;
	}
	buf_adds(b, prefix);
	snprintf(tmp, sizeof tmp, ".%03d", (int)ms);
	buf_adds(b, tmp);
	buf_adds(b, zone);
}

/*
 * Go's strconv 'g'-like shortest formatting as encoding/json uses it:
 * plain decimal for 1e-6 <= |x| < 1e21, exponent form (1e-07, 1e+21)
 * outside that range.
 */
void
emit_float(struct buf *b, double x, int single)
{
	char	 digs[40], out[64], *e;
	int	 prec, exp, nd, i;
	size_t	 o = 0;
	double	 ax;

	if (isnan(x) || isinf(x)) {
		buf_adds(b, "null");
		return;
	}
	if (x == 0) {
		buf_adds(b, signbit(x) ? "-0" : "0");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digs, sizeof digs, "%.*e", prec - 1, x);
		if (single ? strtof(digs, NULL) == (float)x :
		    strtod(digs, NULL) == x)
			break;
	}
	/* digs: [-]d.ddde[+-]XX */
	e = strchr(digs, 'e');
	exp = atoi(e + 1);
	*e = '\0';
	{
		char	 m[40];
		char	*p = digs;
		nd = 0;
		if (*p == '-') {
			out[o++] = '-';
			p++;
		}
		for (; *p; p++)
			if (*p != '.')
				m[nd++] = *p;
		while (nd > 1 && m[nd - 1] == '0')
			nd--;
		m[nd] = '\0';
		ax = fabs(x);
		if (ax < 1e-6 || ax >= 1e21) {
			out[o++] = m[0];
			if (nd > 1) {
				out[o++] = '.';
				for (i = 1; i < nd; i++)
					out[o++] = m[i];
			}
			o += (size_t)snprintf(out + o, sizeof out - o, "e%c%02d",
			    exp < 0 ? '-' : '+', abs(exp));
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
	}
	buf_add(b, out, o);
}

static void
emit_scalar(struct buf *b, const struct rval *v)
{
	char	tmp[32];
	int	n;

	switch (v->type) {
	case R_INT:
		n = snprintf(tmp, sizeof tmp, "%lld", (long long)v->v.i);
		buf_add(b, tmp, (size_t)n);
		break;
	case R_UINT:
		n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v->v.u);
		buf_add(b, tmp, (size_t)n);
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

void
emit_json_value(struct buf *b, const struct record *r, const struct rval *v,
    int array)
{
	const char	*s;
	size_t		 n;
	uint32_t	 i;

	switch (v->type) {
	case R_STR:
		s = rec_sval(r, v, &n);
		buf_addc(b, '"');
		vis_json(b, s, n, array);
		buf_addc(b, '"');
		break;
	case R_TIME:
		buf_addc(b, '"');
		emit_ts(b, v->v.t_us);
		buf_addc(b, '"');
		break;
	case R_ARRAY:
		buf_addc(b, '[');
		for (i = 0; i < v->v.a.count; i++) {
			if (i)
				buf_addc(b, ',');
			emit_json_value(b, r, rec_elem(r, v, i), 1);
		}
		buf_addc(b, ']');
		break;
	default:
		emit_scalar(b, v);
	}
}

static void
emit_ltsv_value(struct buf *b, const struct record *r, const struct rval *v)
{
	const char	*s;
	size_t		 n;

	switch (v->type) {
	case R_STR:
		s = rec_sval(r, v, &n);
		vis_json(b, s, n, 0);
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
		emit_json_value(b, r, &r->f[i].val, 0);
	}
	buf_addc(b, '}');
}

void
emit_record(struct buf *b, const struct record *r, enum fmt f)
{
	uint32_t	i;

	switch (f) {
	case FMT_JSON:
		buf_addc(b, '{');
		for (i = 0; i < r->nf; i++) {
			if (i)
				buf_addc(b, ',');
			buf_addc(b, '"');
			buf_adds(b, r->f[i].key);
			buf_add(b, "\":", 2);
			emit_json_value(b, r, &r->f[i].val, 0);
		}
		buf_addc(b, '}');
		break;
	case FMT_LTSV:
		for (i = 0; i < r->nf; i++) {
			if (i)
				buf_addc(b, '\t');
			buf_adds(b, r->f[i].key);
			buf_addc(b, ':');
			emit_ltsv_value(b, r, &r->f[i].val);
		}
		break;
	case FMT_CONSOLE:
		emit_console_object(b, r, 0);
		break;
	}
	buf_addc(b, '\n');
}
