/* buf.h - growable byte buffer, reused across records so the hot path
 * stops allocating once it has reached its working size. */
#ifndef TCPDP_BUF_H
#define TCPDP_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
/* Grows the buffer for n more bytes; aborts on allocation failure. */
void	 buf_grow(struct buf *, size_t);

/* The encoders call these per character: inline, with the growth path
 * out of line. */
static inline void
buf_reserve(struct buf *b, size_t n)
{
	if (b->cap - b->len < n)
		buf_grow(b, n);
}

static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	buf_reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static inline void
buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = c;
}

static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Drops the first n bytes (consumed input). */
void	 buf_consume(struct buf *, size_t);

#endif
