/* test-reasm.c - one stream: order, wrap-around, overlaps, gaps, caps. */
#include "reasm.h"
#include "test.h"

struct rout {
	char		buf[4096];
	size_t		n;
	uint64_t	gap;
	int		chunks;
};

static void
rout_data(void *arg, struct reasm *r, const uint8_t *p, size_t n, int64_t ts)
{
	struct rout	*o = arg;

	(void)r;
	(void)ts;
	if (o->n + n < sizeof o->buf)
		memcpy(o->buf + o->n, p, n);
	o->n += n;
	o->chunks++;
}

static void
rout_gap(void *arg, struct reasm *r, uint64_t n, int64_t ts)
{
	struct rout	*o = arg;

	(void)r;
	(void)ts;
	o->gap += n;
}

static void
add(struct reasm_ctx *x, struct reasm *r, struct rout *o, uint32_t seq,
    const char *s)
{
	reasm_add(x, r, o, seq, (const uint8_t *)s, (uint32_t)strlen(s),
	    (uint32_t)strlen(s), 0);
}

TEST(reasm_wraparound_and_order)
{
	struct reasm_ctx	x;
	struct reasm		r;
	struct rout		o;
	uint32_t		b = 0xfffffffcu;

	memset(&r, 0, sizeof r);
	memset(&o, 0, sizeof o);
	reasm_ctx_init(&x);
	x.data = rout_data;
	x.gap = rout_gap;
	reasm_start(&r, b);
	add(&x, &r, &o, b + 8, "ijkl");
	add(&x, &r, &o, b + 4, "efgh");		/* crosses zero */
	CHECK_INT(o.n, 0);
	add(&x, &r, &o, b, "abcd");
	CHECK_MEM(o.buf, o.n, "abcdefghijkl", 12);
	CHECK_INT(o.chunks, 3);
	add(&x, &r, &o, b + 2, "cdefgh");	/* all old */
	CHECK_INT(x.st.retrans, 1);
	add(&x, &r, &o, b + 10, "klmn");	/* half old */
	CHECK_MEM(o.buf, o.n, "abcdefghijklmn", 14);
	CHECK_INT(o.gap, 0);
	reasm_free(&x, &r);
}

TEST(reasm_flush_reports_holes)
{
	struct reasm_ctx	x;
	struct reasm		r;
	struct rout		o;

	memset(&r, 0, sizeof r);
	memset(&o, 0, sizeof o);
	reasm_ctx_init(&x);
	x.data = rout_data;
	x.gap = rout_gap;
	reasm_start(&r, 100);
	add(&x, &r, &o, 110, "k");
	add(&x, &r, &o, 120, "u");
	CHECK_INT(x.st.held_bytes, 2);
	reasm_flush(&x, &r, &o, 0);
	CHECK_MEM(o.buf, o.n, "ku", 2);
	CHECK_INT(o.gap, 19);
	CHECK_INT(x.st.gaps, 2);
	CHECK_INT(x.st.held_bytes, 0);
	/* Acknowledged past a hole with nothing held: wait. */
	reasm_acked(&x, &r, &o, 200, 0);
	CHECK_INT(o.gap, 19);
	add(&x, &r, &o, 130, "x");
	reasm_acked(&x, &r, &o, 140, 0);
	CHECK_INT(o.gap, 19 + 9 + 9);
	reasm_free(&x, &r);
}

TEST(reasm_total_cap)
{
	struct reasm_ctx	x;
	struct reasm		r[4];
	struct rout		o;
	int			i, j;
	char			s[101];

	memset(r, 0, sizeof r);
	memset(&o, 0, sizeof o);
	memset(s, 'z', 100);
	s[100] = '\0';
	reasm_ctx_init(&x);
	x.data = rout_data;
	x.gap = rout_gap;
	x.cap_total = 1000;
	for (i = 0; i < 4; i++) {
		reasm_start(&r[i], 0);
		for (j = 1; j < 20; j++) {
			add(&x, &r[i], &o, (uint32_t)j * 100, s);
			CHECK(x.st.held_bytes <= 1000);
		}
	}
	CHECK(x.st.cap_hits > 0);
	for (i = 0; i < 4; i++)
		reasm_free(&x, &r[i]);
	CHECK_INT(x.st.held_bytes, 0);
}
