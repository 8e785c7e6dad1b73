/* record.c - ordered typed key/value records. */
#include <string.h>

#include "record.h"
#include "xmalloc.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

void
rec_init(struct record *r)
{
	memset(r, 0, sizeof *r);
}

void
rec_free(struct record *r)
{
	free(r->f);
	free(r->el);
	free(r->arena);
	rec_init(r);
}

void
rec_reset(struct record *r)
{
	r->nf = r->nel = 0;
	r->alen = 0;
	r->ext = 0;
	r->ext_marked = false;
	r->gen++;
}

void
rec_truncate(struct record *r, uint32_t nf)
{
	if (nf >= r->nf)
		return;
	r->nf = nf;
	if (r->ext > nf)
		r->ext = nf;
	r->gen++;
}

struct rval *
rec_slot_grow(struct record *r, const char *key)
{
	r->capf = r->capf ? r->capf * 2 : 8;
	r->f = xreallocarray(r->f, r->capf, sizeof *r->f);
	return rec_slot(r, key);
}

static struct rval *
rec_elslot(struct record *r)
{
	struct rval	*v;

	if (r->nel == r->capel) {
		r->capel = r->capel ? r->capel * 2 : 16;
		r->el = xreallocarray(r->el, r->capel, sizeof *r->el);
	}
	v = &r->el[r->nel++];
	r->gen++;
	memset(v, 0, sizeof *v);
	r->f[r->nf - 1].val.v.a.count++;
	return v;
}

static void
rec_copy(struct record *r, struct rval *v, const void *p, size_t n)
{
	size_t	cap;

	if (n > UINT32_MAX)
		n = UINT32_MAX;
	if (r->acap - r->alen < n) {
		cap = r->acap ? r->acap : 1024;
		while (cap - r->alen < n)
			cap *= 2;
		r->arena = xrealloc(r->arena, cap);
		r->acap = cap;
	}
	v->type = R_STR;
	v->ref = false;
	v->esc = RESC_ANY;
	v->v.s.off = (uint32_t)r->alen;
	v->v.s.len = (uint32_t)n;
	if (n)
		memcpy(r->arena + r->alen, p, n);
	r->alen += n;
}

void
rec_mark_ext(struct record *r)
{
	r->ext = r->nf;
	r->ext_marked = true;
}

uint32_t
rec_ext_index(const struct record *r)
{
	return r->ext_marked ? r->ext : r->nf;
}

/* Short strings are classified as they are copied (rec_esc_class): it
 * costs less than the escaping scan their encoding would otherwise make. */
#define REC_CLASSIFY_MAX	32

void
rec_str(struct record *r, const char *key, const void *p, size_t n)
{
	struct rval	*v;

	/* Empty names (the unnamed statement and portal) are common. */
	if (n == 0) {
		rec_strref_esc(r, key, "", 0, RESC_NONE);
		return;
	}
	v = rec_slot(r, key);
	rec_copy(r, v, p, n);
	if (n <= REC_CLASSIFY_MAX)
		v->esc = (uint8_t)rec_esc_class(p, n);
}

void
rec_str_esc(struct record *r, const char *key, const void *p, size_t n,
    enum resc esc)
{
	struct rval	*v = rec_slot(r, key);

	rec_copy(r, v, p, n);
	v->esc = (uint8_t)esc;
}

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* Non-zero if a byte of w equals c (the "has a zero byte" trick). */
static inline uint64_t
rec_has8(uint64_t w, unsigned char c)
{
	uint64_t	x = w ^ (ONES * c);

	return (x - ONES) & ~x & HIGHS;
}

enum resc
rec_esc_class(const void *vp, size_t n)
{
	const unsigned char	*p = vp;
	enum resc		 e = RESC_NONE;
	uint64_t		 w;
	size_t			 i = 0;

#ifdef __SSE2__
	/* Sixteen at a time: a signed compare with 0x20 finds the controls
	 * and, being negative, the bytes from 0x80 up. */
	for (; i + 16 <= n; i += 16) {
		__m128i	x = _mm_loadu_si128((const __m128i *)(p + i));
		__m128i	ctl = _mm_or_si128(
		    _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
		    _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
		__m128i	quo = _mm_or_si128(
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));

		if (_mm_movemask_epi8(ctl) != 0)
			return RESC_ANY;
		if (_mm_movemask_epi8(quo) != 0)
			e = RESC_PRINT;
	}
#endif
	/* Eight bytes at a time: below 0x20, 0x80 and up, 0x7f. */
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if ((((w - ONES * 0x20) & ~w) | w | rec_has8(w, 0x7f)) & HIGHS)
			return RESC_ANY;
		if (rec_has8(w, '"') | rec_has8(w, '\\'))
			e = RESC_PRINT;
	}
	for (; i < n; i++) {
		if (p[i] < 0x20 || p[i] > 0x7e)
			return RESC_ANY;
		if (p[i] == '"' || p[i] == '\\')
			e = RESC_PRINT;
	}
	return e;
}

void
rec_cstr(struct record *r, const char *key, const char *s)
{
	rec_str(r, key, s, strlen(s));
}

#define REC_SET(r, key, body) do {				\
	struct rval	*v = rec_slot((r), (key));		\
	body;							\
} while (0)

/* Drops arena bytes no longer referenced (after rec_set_str replaced a
 * value), so a long-lived record does not grow with every change. */
static void
rec_compact(struct record *r)
{
	char		*old = r->arena;
	size_t		 live = 0, n;
	uint32_t	 i;
	struct rval	*v;

	for (i = 0; i < r->nf + r->nel; i++) {
		v = i < r->nf ? &r->f[i].val : &r->el[i - r->nf];
		if (v->type == R_STR && !v->ref)
			live += v->v.s.len;
	}
	if (r->alen < 4096 || r->alen < live * 2)
		return;
	r->arena = NULL;
	r->alen = r->acap = 0;
	for (i = 0; i < r->nf + r->nel; i++) {
		v = i < r->nf ? &r->f[i].val : &r->el[i - r->nf];
		if (v->type == R_STR && !v->ref) {
			n = v->v.s.len;
			rec_copy(r, v, old + v->v.s.off, n);
		}
	}
	free(old);
}

void
rec_set_str(struct record *r, const char *key, const void *p, size_t n)
{
	uint32_t	 i;
	struct rval	*v;

	for (i = 0; i < r->nf; i++) {
		if (strcmp(r->f[i].key, key) != 0)
			continue;
		v = &r->f[i].val;
		r->gen++;
		if (v->type == R_STR && !v->ref && n <= v->v.s.len) {
			if (n)
				memcpy(r->arena + v->v.s.off, p, n);
			v->v.s.len = (uint32_t)n;
		} else
			rec_copy(r, v, p, n);
		/* the old value's escape class says nothing of the new */
		v->esc = (uint8_t)(n <= REC_CLASSIFY_MAX ?
		    rec_esc_class(p, n) : RESC_ANY);
		rec_compact(r);
		return;
	}
	rec_str(r, key, p, n);
}

void
rec_array_begin(struct record *r, const char *key)
{
	REC_SET(r, key, { v->type = R_ARRAY; v->v.a.first = r->nel;
	    v->v.a.count = 0; });
}

void
rec_array_end(struct record *r)
{
	(void)r;
}

void
rec_el_str(struct record *r, const void *p, size_t n)
{
	struct rval	*v = rec_elslot(r);

	rec_copy(r, v, p, n);
	if (n <= REC_CLASSIFY_MAX)
		v->esc = (uint8_t)rec_esc_class(p, n);
}

void
rec_el_int(struct record *r, int64_t i)
{
	struct rval *v = rec_elslot(r);
	v->type = R_INT;
	v->v.i = i;
}

void
rec_el_uint(struct record *r, uint64_t u)
{
	struct rval *v = rec_elslot(r);
	v->type = R_UINT;
	v->v.u = u;
}

void
rec_el_float(struct record *r, double f)
{
	struct rval *v = rec_elslot(r);
	v->type = R_FLOAT;
	v->v.f = f;
}

void
rec_el_float32(struct record *r, float f)
{
	struct rval *v = rec_elslot(r);
	v->type = R_FLOAT32;
	v->v.f = f;
}

void
rec_el_bool(struct record *r, bool b)
{
	struct rval *v = rec_elslot(r);
	v->type = R_BOOL;
	v->v.b = b;
}

void
rec_el_null(struct record *r)
{
	rec_elslot(r)->type = R_NULL;
}

static void
rec_appendval(struct record *dst, struct rval *dv, const struct record *src,
    const struct rval *sv)
{
	size_t		 n;
	uint32_t	 i;

	*dv = *sv;
	if (sv->type == R_STR) {
		dv->ref = true;
		dv->v.s.ptr = rec_sval(src, sv, &n);
	} else if (sv->type == R_ARRAY) {
		dv->v.a.first = dst->nel;
		dv->v.a.count = 0;
		for (i = 0; i < sv->v.a.count; i++) {
			struct rval *e = rec_elslot(dst);
			rec_appendval(dst, e, src, rec_elem(src, sv, i));
		}
	}
}

/* Composition runs per emitted record: the fields are copied as they are
 * after one capacity check, and only arena strings (made references into
 * src) and arrays (elements copied) need more. */
void
rec_append(struct record *dst, const struct record *src, uint32_t from,
    uint32_t to)
{
	uint32_t		 i, k;
	const struct rfield	*sf;
	struct rfield		*df;

	if (to > src->nf)
		to = src->nf;
	if (from >= to)
		return;
	if (dst->capf - dst->nf < to - from) {
		while (dst->capf - dst->nf < to - from)
			dst->capf = dst->capf ? dst->capf * 2 : 16;
		dst->f = xreallocarray(dst->f, dst->capf, sizeof *dst->f);
	}
	if (src->alen == 0 && src->nel == 0) {
		/* A src of references and numbers only. */
		memcpy(dst->f + dst->nf, src->f + from,
		    (to - from) * sizeof *dst->f);
		dst->nf += to - from;
		dst->gen++;
		return;
	}
	for (i = from; i < to; i++) {
		sf = &src->f[i];
		df = &dst->f[dst->nf++];
		*df = *sf;
		if (sf->val.type == R_STR) {
			if (!sf->val.ref) {
				df->val.ref = true;
				df->val.v.s.ptr = src->arena != NULL ?
				    src->arena + sf->val.v.s.off : "";
			}
		} else if (sf->val.type == R_ARRAY) {
			/* rec_elslot counts into the last field: df. */
			df->val.v.a.first = dst->nel;
			df->val.v.a.count = 0;
			for (k = 0; k < sf->val.v.a.count; k++)
				rec_appendval(dst, rec_elslot(dst), src,
				    rec_elem(src, &sf->val, k));
		}
	}
}

void
rview_flatten(struct record *out, const struct rview *v)
{
	uint32_t	i;

	rec_reset(out);
	for (i = 0; i < v->n; i++)
		rec_append(out, v->run[i].r, v->run[i].from, v->run[i].to);
}

void
rcache_init(struct rcache *c)
{
	c->key = 0;
	c->fmt = -1;
	buf_init(&c->enc);
}

void
rcache_free(struct rcache *c)
{
	buf_free(&c->enc);
	rcache_init(c);
}

const struct rfield *
rec_find(const struct record *r, const char *key)
{
	uint32_t	i;

	for (i = 0; i < r->nf; i++)
		if (strcmp(r->f[i].key, key) == 0)
			return &r->f[i];
	return NULL;
}

