/* buf.h - growable byte buffer, reused across records so the hot path
 * stops allocating once it has reached its working size. */
#ifndef TCPDP_BUF_H
#define TCPDP_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
/* Ensures room for n more bytes; aborts on allocation failure. */
void	 buf_reserve(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Drops the first n bytes (consumed input). */
void	 buf_consume(struct buf *, size_t);

#endif
