/* sink-logfile.c - dump records to a rotated log file (dump.log).
 *
 * Records are encoded into a buffer and written in batches: when the
 * buffer is large, on engine_flush(), and at the latest 100 ms after the
 * first buffered record. A batch never spans a period boundary: a record
 * arriving after the boundary first flushes the batch into the old
 * period's file, so every record lands in the file of the time it was
 * written. */
#include <stdlib.h>

#include <event2/event.h>

#include "buf.h"
#include "logfile.h"
#include "sink.h"
#include "xmalloc.h"

#define SINK_LF_HIGH		(1024 * 1024)
#define SINK_LF_DELAY_US	100000

struct sink_logfile {
	struct sink	 s;
	struct logfile	*lf;
	enum fmt	 fmt;
	struct buf	 b;
	uint64_t	 nrec;		/* records in b */
	time_t		 bstart;	/* clock when b got its first record */
	time_t		 bend;		/* end of that record's period */
	struct event	*timer;
};

static uint64_t	sink_lf_records, sink_lf_bytes;

static void
sink_logfile_flush(struct sink *s)
{
	struct sink_logfile	*f = (struct sink_logfile *)s;

	if (f->b.len == 0)
		return;
	if (logfile_write(f->lf, f->b.p, f->b.len, f->bstart) == 0) {
		sink_lf_records += f->nrec;
		sink_lf_bytes += f->b.len;
	}
	buf_reset(&f->b);
	f->nrec = 0;
	if (f->timer != NULL)
		event_del(f->timer);
}

static void
sink_logfile_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sink_logfile_flush(arg);
}

static void
sink_logfile_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	struct sink_logfile	*f = (struct sink_logfile *)s;
	struct timeval		 tv = { 0, SINK_LF_DELAY_US };
	time_t			 now = logfile_now();

	(void)c;
	if (f->b.len > 0 && now >= f->bend)
		sink_logfile_flush(s);
	if (f->b.len == 0) {
		f->bstart = now;
		f->bend = logfile_period_end(f->lf, now);
		if (f->timer != NULL)
			event_add(f->timer, &tv);
	}
	emit_view(&f->b, r, f->fmt);
	f->nrec++;
	if (f->b.len >= SINK_LF_HIGH)
		sink_logfile_flush(s);
}

static void
sink_logfile_close(struct sink *s)
{
	struct sink_logfile	*f = (struct sink_logfile *)s;

	sink_logfile_flush(s);
	if (f->timer != NULL)
		event_free(f->timer);
	logfile_close(f->lf);
	buf_free(&f->b);
	free(f);
}

struct sink *
sink_logfile_new(struct logfile *lf, enum fmt fmt, struct event_base *base)
{
	struct sink_logfile	*f;

	f = xcalloc(1, sizeof *f);
	f->s.name = "logfile";
	f->s.write = sink_logfile_write;
	f->s.flush = sink_logfile_flush;
	f->s.close = sink_logfile_close;
	f->lf = lf;
	f->fmt = fmt;
	buf_init(&f->b);
	if (base != NULL)
		f->timer = event_new(base, -1, 0, sink_logfile_timer_cb, f);
	return &f->s;
}

void
sink_logfile_totals(uint64_t *records, uint64_t *bytes)
{
	*records = sink_lf_records;
	*bytes = sink_lf_bytes;
}
