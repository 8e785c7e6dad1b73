/* test-badinput.c - the packet path over damaged captures: a fixture cut
 * at every byte, and thousands of randomly mutated copies, each read with
 * libpcap and decoded by the hex dumper (run under ASan/UBSan by make
 * check). Nothing may crash, hang or leak; the reassembly caps hold. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"
#include "engine.h"
#include "flow.h"
#include "sink.h"
#include "target.h"
#include "test.h"

struct count_sink {
	struct sink	s;
	uint64_t	n;
};

static void
count_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	(void)r;
	(void)c;
	((struct count_sink *)(void *)s)->n++;
}

static void
count_close(struct sink *s)
{
	(void)s;
}

/* Reads a capture from memory; returns the records written. */
static uint64_t
run_mem(uint8_t *p, size_t len, const struct decoder *dec, const char *tgt)
{
	struct count_sink	 cs = { { "count", count_write, NULL,
				    count_close, NULL }, 0 };
	struct engine		 eng;
	struct target		 t;
	struct flow_table	 ft;
	struct pcap_pkthdr	*h;
	const u_char		*d;
	char			 err[PCAP_ERRBUF_SIZE];
	FILE			*f;
	pcap_t			*pc;
	int			 dlt;

	if (len == 0 || (f = fmemopen(p, len, "r")) == NULL)
		return 0;
	if ((pc = pcap_fopen_offline(f, err)) == NULL) {
		fclose(f);
		return 0;
	}
	engine_init(&eng, ENG_READ, dec);
	engine_add_sink(&eng, &cs.s);
	if (target_parse(&t, tgt, err, sizeof err) != 0)
		t.n = 0;
	flow_table_init(&ft, &eng, &t);
	ft.all_conns = true;
	dlt = pcap_datalink(pc);
	while (pcap_next_ex(pc, &h, &d) == 1)
		flow_frame(&ft, dlt, d, h->caplen,
		    (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec);
	pcap_close(pc);
	flow_table_free(&ft);
	CHECK_INT(ft.rx.st.held_bytes, 0);
	target_free(&t);
	engine_free(&eng);
	return cs.n;
}

static uint8_t *
load_fixture(const char *name, size_t *len)
{
	const char	*fx = getenv("TCPDP_FIXTURES");
	char		 path[1024];
	uint8_t		*p;
	FILE		*f;
	long		 n;

	if (fx == NULL)
		return NULL;
	snprintf(path, sizeof path, "%s/%s", fx, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = malloc((size_t)n);
	if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

TEST(badinput_fixture_cut_at_every_byte)
{
	uint8_t		*p;
	size_t		 n, cut;
	uint64_t	 full, got;

	if ((p = load_fixture("pcap/mysql_ipv6.pcap", &n)) == NULL) {
		printf("  (TCPDP_FIXTURES not set: skipped)\n");
		return;
	}
	full = run_mem(p, n, &decoder_hex, "[::1]:33306");
	CHECK(full > 10);
	for (cut = 0; cut < n; cut++) {
		got = run_mem(p, cut, &decoder_hex, "[::1]:33306");
		CHECK(got <= full);
	}
	free(p);
}

TEST(badinput_mutated_captures)
{
	static const char	*names[] = { "pcap/mysql_simple.pcap",
				    "upstream/pg_prepare.pcap" };
	const struct decoder	*decs[] = { &decoder_hex, &decoder_conn,
				    &decoder_mysql, &decoder_pg };
	uint8_t			*p, *q;
	size_t			 n, j, k;
	unsigned		 x = 4242;
	int			 i, m;

	for (k = 0; k < 2; k++) {
		if ((p = load_fixture(names[k], &n)) == NULL) {
			printf("  (TCPDP_FIXTURES not set: skipped)\n");
			return;
		}
		q = malloc(n);
		for (i = 0; i < 600; i++) {
			memcpy(q, p, n);
			for (m = 0; m < 1 + i % 16; m++) {
				x = x * 1103515245 + 12345;
				j = 24 + (x >> 8) % (n - 24);
				x = x * 1103515245 + 12345;
				q[j] = (uint8_t)(x >> 16);
			}
			(void)run_mem(q, n, decs[i % 4], i & 1 ? "" : "3306");
		}
		free(q);
		free(p);
	}
}
