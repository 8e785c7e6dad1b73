/* rd.h - bounds-checked reader over untrusted bytes.
 *
 * Every decoder reads the wire through this. A read past the end never
 * touches memory: it sets the sticky `bad` flag and yields zero, so a
 * decoder can read a whole structure and check `rd_ok()` once at the end
 * (the tcpdump ND_TCHECK idea without the longjmp). */
#ifndef TCPDP_RD_H
#define TCPDP_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	bool		 bad;
};

static inline void
rd_init(struct rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->bad = false;
}

static inline size_t rd_left(const struct rd *r) { return r->bad ? 0 : r->len - r->off; }
static inline bool rd_ok(const struct rd *r) { return !r->bad; }
static inline const uint8_t *rd_ptr(const struct rd *r) { return r->p + r->off; }

/* Claims n bytes; returns NULL (and marks the reader bad) if absent. */
static inline const uint8_t *
rd_take(struct rd *r, size_t n)
{
	const uint8_t	*q;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	q = r->p + r->off;
	r->off += n;
	return q;
}

static inline bool rd_skip(struct rd *r, size_t n) { return rd_take(r, n) != NULL; }

static inline uint8_t
rd_u8(struct rd *r)
{
	const uint8_t *q = rd_take(r, 1);
	return q ? q[0] : 0;
}

static inline uint16_t
rd_le16(struct rd *r)
{
	const uint8_t *q = rd_take(r, 2);
	return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}

static inline uint32_t
rd_le24(struct rd *r)
{
	const uint8_t *q = rd_take(r, 3);
	return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 : 0;
}

static inline uint32_t
rd_le32(struct rd *r)
{
	const uint8_t *q = rd_take(r, 4);
	return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
	    (uint32_t)q[3] << 24 : 0;
}

static inline uint64_t
rd_le64(struct rd *r)
{
	uint64_t lo = rd_le32(r);
	uint64_t hi = rd_le32(r);
	return r->bad ? 0 : lo | hi << 32;
}

static inline uint16_t
rd_be16(struct rd *r)
{
	const uint8_t *q = rd_take(r, 2);
	return q ? (uint16_t)(q[0] << 8 | q[1]) : 0;
}

static inline uint32_t
rd_be32(struct rd *r)
{
	const uint8_t *q = rd_take(r, 4);
	return q ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | (uint32_t)q[3] : 0;
}

static inline uint64_t
rd_be64(struct rd *r)
{
	uint64_t hi = rd_be32(r);
	uint64_t lo = rd_be32(r);
	return r->bad ? 0 : hi << 32 | lo;
}

/* A NUL-terminated string; the NUL is consumed but not counted in *n. */
static inline const char *
rd_cstr(struct rd *r, size_t *n)
{
	const uint8_t	*s, *e;

	if (r->bad)
		goto bad;
	s = r->p + r->off;
	e = memchr(s, 0, r->len - r->off);
	if (e == NULL)
		goto bad;
	*n = (size_t)(e - s);
	r->off += *n + 1;
	return (const char *)s;
bad:
	r->bad = true;
	*n = 0;
	return NULL;
}

#endif
