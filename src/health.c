/* health.c - periodic health lines. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "health.h"
#include "log.h"
#include "record.h"
#include "sink.h"

#define HEALTH_INTERVAL	60

static struct event	*hl_timer;
static void		(*hl_fill)(struct record *, void *);
static void		*hl_arg;
static bool		 hl_memory;
static bool		 hl_started;

static void
hl_memory_fields(struct record *r)
{
	unsigned long	size, rss;
	long		page = sysconf(_SC_PAGESIZE);
	FILE		*f;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return;
	if (fscanf(f, "%lu %lu", &size, &rss) == 2) {
		rec_uint(r, "rss_bytes", (uint64_t)rss * (uint64_t)page);
		rec_uint(r, "vm_bytes", (uint64_t)size * (uint64_t)page);
	}
	fclose(f);
}

void
health_log(void)
{
	struct record	*r = log_fields();
	uint64_t	 recs, bytes;

	if (hl_fill != NULL)
		hl_fill(r, hl_arg);
	sink_logfile_totals(&recs, &bytes);
	rec_uint(r, "records_written", recs);
	rec_uint(r, "bytes_written", bytes);
	if (hl_memory)
		hl_memory_fields(r);
	log_write(LOG_INFO, NULL, "health");
}

static void
hl_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	health_log();
}

void
health_start(struct event_base *base, void (*fill)(struct record *, void *),
    void *arg, bool memory)
{
	struct timeval	 tv = { HEALTH_INTERVAL, 0 };
	const char	*s;

	/* Tests shorten the interval. */
	if ((s = getenv("TCPDP_TEST_HEALTH_INTERVAL")) != NULL && atoi(s) > 0)
		tv.tv_sec = atoi(s);
	hl_fill = fill;
	hl_arg = arg;
	hl_memory = memory;
	hl_started = true;
	if (base != NULL) {
		hl_timer = event_new(base, -1, EV_PERSIST, hl_timer_cb, NULL);
		event_add(hl_timer, &tv);
	}
}

void
health_stop(void)
{
	if (!hl_started)
		return;
	health_log();
	if (hl_timer != NULL)
		event_free(hl_timer);
	hl_timer = NULL;
	hl_started = false;
	hl_fill = NULL;
}
