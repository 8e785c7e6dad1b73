/* pg-text.h - the text PostgreSQL's output functions print for a binary
 * value, type by type: the writers pg-value.c dispatches to (the date and
 * time family in pg-text-time.c, floats and numeric in pg-text-num.c).
 *
 * Each reads a value p[0..n) with the checks of the type's receive
 * function and appends its text to b, whose length may not pass lim. It
 * returns false when the server would refuse the value or the text would
 * not fit; b then holds a partial text, which the caller drops. */
#ifndef TCPDP_PG_TEXT_H
#define TCPDP_PG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "rd.h"

/* A value's text at most: what a text parameter may carry (PG_KEEP_TEXT).
 * An array of values that expand (intervals, far-off numerics) could
 * otherwise grow to many times the bytes it came from. */
#define PG_TEXT_MAX	(1024 * 1024)

static inline uint32_t
pg_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
pg_be64(const uint8_t *p)
{
	return (uint64_t)pg_be32(p) << 32 | pg_be32(p + 4);
}

/* The reader took the value whole, no byte missing or left over: the
 * exact length each receive function wants. */
static inline bool
pg_rd_end(const struct rd *rd)
{
	return rd_ok(rd) && rd_left(rd) == 0;
}

/* Room for need more bytes within lim; then b can take them (and a NUL). */
bool	pg_txt_room(struct buf *b, size_t lim, size_t need);
bool	pg_txt_put(struct buf *b, size_t lim, const void *s, size_t n);
bool	pg_txt_putf(struct buf *b, size_t lim, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* pg-text-time.c: v days / us microseconds from 2000-01-01 */
bool	pg_txt_date(struct buf *b, size_t lim, int32_t v);
bool	pg_txt_timestamp(struct buf *b, size_t lim, int64_t us, bool tz);
bool	pg_txt_time(struct buf *b, size_t lim, const uint8_t *p, size_t n);
bool	pg_txt_timetz(struct buf *b, size_t lim, const uint8_t *p, size_t n);
bool	pg_txt_interval(struct buf *b, size_t lim, const uint8_t *p,
	    size_t n);

/* pg-text-num.c: float4/float8 (single) as float4out/float8out print
 * them; numeric */
bool	pg_txt_float(struct buf *b, size_t lim, double x, bool single);
bool	pg_txt_numeric(struct buf *b, size_t lim, const uint8_t *p, size_t n);

#endif
