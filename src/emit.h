/* emit.h - encodings of a record: JSON, LTSV and console (SPEC §3.2).
 *
 * One line per record, keys in record order. Values follow zap's rules:
 * strings escaped by vis_json(), integers decimal, floats shortest
 * round-trip, `ts` as local time with milliseconds and zone, arrays as
 * compact JSON. Unlike upstream, LTSV always has a tab between fields and
 * arrays are not HTML-escaped. */
#ifndef TCPDP_EMIT_H
#define TCPDP_EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

enum fmt {
	FMT_JSON,
	FMT_LTSV,
	FMT_CONSOLE,
};

/* "json", "ltsv" or "console" (case-insensitive); -1 if none of them. */
int	 fmt_parse(const char *, enum fmt *);

/* A dump record, with the trailing newline. */
void	 emit_record(struct buf *, const struct record *, enum fmt);
void	 emit_view(struct buf *, const struct rview *, enum fmt);
/* Fields [from, nf) as a console-style object: {"k": v, "k": v}. */
void	 emit_console_object(struct buf *, const struct record *, uint32_t from);
/* One value as JSON (strings quoted). */
void	 emit_json_value(struct buf *, const struct record *, const struct rval *,
	    int array);
/* 2018-09-24T08:59:52.094Z / 2018-09-22T14:23:46.847+0900 */
void	 emit_ts(struct buf *, int64_t t_us);
/* Shortest decimal that reads back as the same double / float. */
void	 emit_float(struct buf *, double, int single);
/* Float text in parts: printf's "%e" text digs (cut at its 'e') as its
 * significant digits (trailing zeros dropped; returns how many, at most
 * mcap) and decimal exponent; and those digits written out, plain or as
 * d.ddde[+-]XX (sci), into out (nd + 28 bytes, |exp| < 100 when plain).
 * pg-text-num.c spells floats with them too. */
int	 emit_digits(char *digs, char *m, size_t mcap, int *exp);
size_t	 emit_decimal(char *out, bool neg, const char *m, int nd, int exp,
	    bool sci);

#endif
