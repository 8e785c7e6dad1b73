/* record.h - a dump or log record: an ordered list of typed key/value pairs.
 *
 * Keys are static strings (every key we write is a literal). String values
 * are either copied into the record's own arena (rec_str) or borrowed from
 * memory that outlives the record's use (rec_strref). Output records are
 * views (struct rview): a decoder's record and the connection's fields
 * side by side, not copied into one.
 * Fields, array elements and the arena grow geometrically and are reused
 * after rec_reset(), so a record that is reused per packet stops allocating
 * once warm.
 *
 * A decoder writes upstream's keys first, then calls rec_mark_ext() and
 * writes our additions (latency, rows, errors): the composer places the
 * per-mode and per-connection keys between the two parts, so upstream's key
 * order is kept and our keys come last. */
#ifndef TCPDP_RECORD_H
#define TCPDP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

enum rtype {
	R_STR,		/* text (JSON string; repaired to valid UTF-8 on output) */
	R_INT,
	R_UINT,
	R_FLOAT,	/* double, shortest round-trip */
	R_FLOAT32,	/* single precision, shortest round-trip as a float */
	R_BOOL,
	R_TIME,		/* microseconds since the epoch, printed in local time */
	R_NULL,
	R_ARRAY,	/* elements in the record's element list */
};

/* How much escaping an R_STR needs on output (set by the producer, who
 * knows its bytes; the encoders trust it). */
enum resc {
	RESC_ANY = 0,	/* untrusted bytes: full JSON escaping, UTF-8 repair */
	RESC_PRINT,	/* printable ASCII 0x20-0x7e: only '"' and '\\' */
	RESC_NONE,	/* printable ASCII without '"' or '\\': copied as is */
};

struct rval {
	uint8_t		type;
	bool		ref;		/* R_STR: s.ptr valid, else s.off into arena */
	uint8_t		esc;		/* R_STR: enum resc */
	union {
		struct {
			uint32_t	 off;
			uint32_t	 len;
			const char	*ptr;
		} s;
		int64_t		i;
		uint64_t	u;
		double		f;
		bool		b;
		int64_t		t_us;
		struct {
			uint32_t	first;
			uint32_t	count;
		} a;
	} v;
};

struct rfield {
	const char	*key;
	struct rval	 val;
};

/*
 * An encoding kept for reuse (see struct rrun): the composer marks the
 * connection's keys (addresses, conn_id, its values), which are the same
 * in every record of a connection, so each format encodes them once per
 * connection instead of once per record. The producer owns the cache and
 * names the fields' contents with key: a cache holding another key or
 * format is encoded anew.
 */
struct rcache {
	uint32_t	key;
	int8_t		fmt;		/* -1: empty */
	struct buf	enc;		/* with the leading separator */
};

struct record {
	struct rfield	*f;
	uint32_t	 nf, capf;
	struct rval	*el;
	uint32_t	 nel, capel;
	char		*arena;
	size_t		 alen, acap;
	uint32_t	 ext;		/* index of our first extension key */
	bool		 ext_marked;
	uint32_t	 gen;		/* bumped by every change */
};

/*
 * A record as the sinks see it: runs of fields taken in order from other
 * records (the decoder's, the connection's), so that composing an output
 * record copies nothing. The records must stay unchanged while the view is
 * in use. A run with a cache is encoded once per format and key.
 */
struct rrun {
	const struct record	*r;
	uint32_t		 from, to;
	struct rcache		*cache;		/* NULL: encoded every time */
	uint32_t		 key;
};

#define RVIEW_RUNS	6

struct rview {
	struct rrun	run[RVIEW_RUNS];
	uint32_t	n;
};

void	 rec_init(struct record *);
void	 rec_free(struct record *);
void	 rec_reset(struct record *);
/* Drops the fields added after the first nf (keys appended later, such
 * as a response's, taken back). */
void	 rec_truncate(struct record *, uint32_t nf);

void	 rec_str(struct record *, const char *key, const void *p, size_t n);
void	 rec_cstr(struct record *, const char *key, const char *s);
/* rec_str of bytes whose escape class the producer has (rec_esc_class). */
void	 rec_str_esc(struct record *, const char *key, const void *p,
	    size_t n, enum resc);
/*
 * The setters of values that need no copy are inline: decoders call them
 * several times per record. rec_slot adds a zeroed field (the growth path
 * out of line).
 */
struct rval	*rec_slot_grow(struct record *, const char *key);

static inline struct rval *
rec_slot(struct record *r, const char *key)
{
	struct rfield	*f;

	if (__builtin_expect(r->nf == r->capf, 0))
		return rec_slot_grow(r, key);
	f = &r->f[r->nf++];
	r->gen++;
	f->key = key;
	memset(&f->val, 0, sizeof f->val);
	return &f->val;
}

static inline void
rec_strref_esc(struct record *r, const char *key, const void *p, size_t n,
    enum resc esc)
{
	struct rval	*v = rec_slot(r, key);

	v->type = R_STR;
	v->ref = true;
	v->esc = (uint8_t)esc;
	v->v.s.ptr = p;
	v->v.s.len = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* Bytes that outlive the record's use, referenced, not copied; rec_strref_esc
 * for bytes known to need less escaping (enum resc). */
static inline void
rec_strref(struct record *r, const char *key, const void *p, size_t n)
{
	rec_strref_esc(r, key, p, n, RESC_ANY);
}

static inline void
rec_int(struct record *r, const char *key, int64_t i)
{
	struct rval	*v = rec_slot(r, key);

	v->type = R_INT;
	v->v.i = i;
}

static inline void
rec_uint(struct record *r, const char *key, uint64_t u)
{
	struct rval	*v = rec_slot(r, key);

	v->type = R_UINT;
	v->v.u = u;
}

static inline void
rec_float(struct record *r, const char *key, double x)
{
	struct rval	*v = rec_slot(r, key);

	v->type = R_FLOAT;
	v->v.f = x;
}

static inline void
rec_bool(struct record *r, const char *key, bool b)
{
	struct rval	*v = rec_slot(r, key);

	v->type = R_BOOL;
	v->v.b = b;
}

/* Microseconds since the epoch. */
static inline void
rec_time(struct record *r, const char *key, int64_t t_us)
{
	struct rval	*v = rec_slot(r, key);

	v->type = R_TIME;
	v->v.t_us = t_us;
}

static inline void
rec_null(struct record *r, const char *key)
{
	rec_slot(r, key)->type = R_NULL;
}

/* A string constant (a literal of ours, printable, without '"' or '\\'):
 * referenced, never copied or scanned. */
#define rec_lit(r, key, s)	\
	rec_strref_esc((r), (key), (s), __builtin_strlen(s), RESC_NONE)
/* The least escaping n bytes at p need (enum resc). */
enum resc rec_esc_class(const void *p, size_t n);
/* Sets the string value of key: replaces the first field with that key, or
 * appends one. For connection values that change (COM_INIT_DB). p must not
 * point into the record's own arena. */
void	 rec_set_str(struct record *, const char *key, const void *p, size_t n);

/* Arrays: begin, add elements, end. Elements attach to the last field
 * added, so nothing else may be added between begin and end. */
void	 rec_array_begin(struct record *, const char *key);
void	 rec_el_str(struct record *, const void *p, size_t n);
void	 rec_el_int(struct record *, int64_t);
void	 rec_el_uint(struct record *, uint64_t);
void	 rec_el_float(struct record *, double);
void	 rec_el_float32(struct record *, float);
void	 rec_el_bool(struct record *, bool);
void	 rec_el_null(struct record *);
void	 rec_array_end(struct record *);

/* Everything added after this is an extension key (see above). */
void	 rec_mark_ext(struct record *);
/* The first extension field, or nf when none was marked. */
uint32_t rec_ext_index(const struct record *);
/* Appends fields [from, to) of src by reference: src must stay unchanged
 * while dst is in use. */
void	 rec_append(struct record *dst, const struct record *src,
	    uint32_t from, uint32_t to);

/* Views: v starts empty (rview_init) or as all of r (rview_of); runs are
 * added in order, at most RVIEW_RUNS, empty ones ignored. */
static inline void
rview_init(struct rview *v)
{
	v->n = 0;
}

static inline void
rview_add(struct rview *v, const struct record *r, uint32_t from,
    uint32_t to, struct rcache *cache, uint32_t key)
{
	struct rrun	*u;

	if (to > r->nf)
		to = r->nf;
	if (from >= to || v->n == RVIEW_RUNS)
		return;
	u = &v->run[v->n++];
	u->r = r;
	u->from = from;
	u->to = to;
	u->cache = cache;
	u->key = key;
}

static inline void
rview_of(struct rview *v, const struct record *r)
{
	rview_init(v);
	rview_add(v, r, 0, r->nf, NULL, 0);
}

/* The view's fields in one record (by reference: the view's records must
 * outlive out's use), for consumers that want a record. */
void	 rview_flatten(struct record *out, const struct rview *);

void	 rcache_init(struct rcache *);
void	 rcache_free(struct rcache *);

/* Read access for encoders, sinks and tests; the two that the encoders
 * call per field are inline. */
static inline const char *
rec_sval(const struct record *r, const struct rval *v, size_t *n)
{
	*n = v->v.s.len;
	if (v->ref)
		return v->v.s.ptr != NULL ? v->v.s.ptr : "";
	return r->arena != NULL ? r->arena + v->v.s.off : "";
}

static inline const struct rval *
rec_elem(const struct record *r, const struct rval *a, uint32_t i)
{
	return &r->el[a->v.a.first + i];
}

const struct rfield	*rec_find(const struct record *, const char *key);

#endif
