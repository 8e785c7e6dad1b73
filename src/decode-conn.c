/* decode-conn.c - the conn dumper (SPEC §4.5): no decoding. In read and
 * probe one record per connection start (SYN); in proxy one per chunk. */
#include "decode.h"
#include "engine.h"

static void
conn_dec_open(struct conn *c, void *st)
{
	struct record	r;

	(void)st;
	if (c->eng->mode == ENG_PROXY || !c->syn_seen)
		return;
	rec_init(&r);
	conn_emit(c, &r, DIR_C2S, c->t_open_us, 0);
	rec_free(&r);
}

static void
conn_dec_data(struct conn *c, void *st, const struct chunk *ch)
{
	struct record	r;

	(void)st;
	if (c->eng->mode != ENG_PROXY)
		return;
	rec_init(&r);
	conn_emit(c, &r, ch->dir, ch->ts_us, ch->seq);
	rec_free(&r);
}

const struct decoder decoder_conn = {
	.name = "conn",
	.state_size = 1,
	.open = conn_dec_open,
	.data = conn_dec_data,
};
