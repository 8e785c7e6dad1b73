/* fuzz-flow.c - the packet path from frame bytes to decoder: the input
 * drives a synthetic connection (flags, sequence jumps, payload lengths,
 * both directions, snaplen cuts) and also raw frames of every link type.
 * Reassembly caps are set small so the give-up paths run too. Nothing may
 * crash or leak, and no held byte may remain after the table is freed. */
#include <stdint.h>
#include <stdlib.h>

#include "decode.h"
#include "engine.h"
#include "flow.h"
#include "sink.h"
#include "target.h"
#include "../unit/synth.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
null_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	(void)s;
	(void)r;
	(void)c;
}

static void
null_close(struct sink *s)
{
	(void)s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static const int	 dlts[] = { PKT_DLT_EN10MB, PKT_DLT_NULL,
				    PKT_DLT_RAW, PKT_DLT_LINUX_SLL,
				    PKT_DLT_LINUX_SLL2, PKT_DLT_IPV6,
				    PKT_DLT_PKTAP };
	static const struct decoder *decs[] = { &decoder_hex, &decoder_conn,
				    &decoder_mysql, &decoder_pg };
	struct sink		 sk = { "null", null_write, NULL, null_close,
				    NULL };
	struct engine		 eng;
	struct target		 t;
	struct flow_table	 ft;
	struct synth		 s;
	uint8_t			 f[2048];
	char			 err[128];
	size_t			 i = 1, len;
	uint32_t		 off[2] = { 0, 0 };
	int64_t			 ts = 1;

	if (n < 1)
		return 0;
	engine_init(&eng, ENG_READ, decs[p[0] & 3]);
	engine_add_sink(&eng, &sk);
	target_parse(&t, (p[0] & 4) ? "3306" : "", err, sizeof err);
	flow_table_init(&ft, &eng, &t);
	ft.all_conns = true;
	ft.rx.cap_segs = 8;
	ft.rx.cap_dir = 4096;
	ft.rx.cap_total = 8192;
	ft.max_flows = 4;
	if (p[0] & 8) {
		/* Raw frames: [dlt][len][bytes]... */
		while (i + 2 <= n) {
			int dlt = dlts[p[i] % 7];

			len = p[i + 1];
			i += 2;
			if (len > n - i)
				len = n - i;
			flow_frame(&ft, dlt, p + i, len, ts++);
			i += len;
		}
	} else {
		if (p[0] & 16)
			synth_v6(&s, 40000, 3306);
		else
			synth_v4(&s, 40000, 3306);
		s.vlan = (p[0] >> 5) & 1;
		/* Ops: [flags][dir|jump][len][payload...] */
		while (i + 3 <= n) {
			uint8_t	 flags = p[i], ctl = p[i + 1];
			int	 cli = ctl & 1;
			uint32_t seq;
			size_t	 fn, cut;

			len = p[i + 2] % 200;
			i += 3;
			if (len > n - i)
				len = n - i;
			if (ctl & 2)
				off[cli] += (uint32_t)(int8_t)ctl * 3;
			if (ctl & 4)
				s.cport = (uint16_t)(40000 + (ctl >> 5));
			seq = (cli ? s.cisn : s.sisn) + 1 + off[cli];
			fn = synth_frame(f, &s, cli, flags, seq,
			    (cli ? s.sisn : s.cisn) + 1 + off[!cli], p + i,
			    len, NULL, 0);
			if (!(ctl & 8))
				off[cli] += (uint32_t)len;
			cut = (ctl & 16) ? fn - (len / 2) : fn;
			flow_frame(&ft, PKT_DLT_EN10MB, f, cut, ts);
			ts += (ctl & 64) ? 3000000 : 10;
			if (ctl & 128)
				flow_tick(&ft, ts);
			i += len;
		}
	}
	flow_table_free(&ft);
	if (ft.rx.st.held_bytes != 0)
		abort();
	target_free(&t);
	engine_free(&eng);
	return 0;
}
