/* logs-driver.c - drives the log modules the way a headless runner does,
 * for the integration tests: internal log and dump sinks from a config
 * file, signals, pidfile, health lines, and a generator of numbered dump
 * records (bursts every millisecond) instead of a packet source.
 *
 *   logs-driver [-c FILE] [-n RECORDS] [-b BURST] [-l EVERY] [-s] [-p]
 *
 * -n 0 runs until SIGINT/SIGTERM. -l writes an internal log line every
 * EVERY records. -s forces dump records on stdout (--stdout). -p writes
 * the pidfile. Exit 0 after a clean stop, 1 on a setting error. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "daemon.h"
#include "dumpsinks.h"
#include "engine.h"
#include "health.h"
#include "log.h"

static struct engine	 eng;
static struct record	 rec;
static struct event	*tick;
static unsigned long	 total, burst = 50, every, seq;

static void
drv_stop(int sig, void *arg)
{
	(void)arg;
	rec_cstr(log_fields(), "signal", strsignal(sig));
	log_write(LOG_INFO, NULL, "Shutting down probe...");
	event_base_loopexit(eng.base, NULL);
}

static void
drv_fill(struct record *r, void *arg)
{
	(void)arg;
	rec_uint(r, "packets", seq);
	rec_uint(r, "drops", 0);
	rec_uint(r, "gaps", 0);
	rec_uint(r, "connections", 1);
}

static void
drv_tick(evutil_socket_t fd, short what, void *arg)
{
	struct rview	v;
	unsigned long	i;

	(void)fd;
	(void)what;
	(void)arg;
	for (i = 0; i < burst && (total == 0 || seq < total); i++) {
		rec_reset(&rec);
		rec_uint(&rec, "seq", seq);
		rec_cstr(&rec, "query", "select * from t where a = 'x\ty'");
		rview_of(&v, &rec);
		engine_write(&eng, &v, NULL);
		seq++;
		if (every > 0 && seq % every == 0) {
			rec_uint(log_fields(), "seq", seq);
			log_write(LOG_INFO, NULL, "progress");
		}
	}
	engine_flush(&eng);
	if (total != 0 && seq >= total)
		event_base_loopexit(eng.base, NULL);
}

int
main(int argc, char **argv)
{
	struct config		 cfg;
	struct event_base	*base;
	struct timeval		 tv = { 0, 1000 };
	char			 err[1024];
	const char		*file = NULL;
	bool			 force_stdout = false, pid = false;
	int			 ch, rc = 1;

	while ((ch = getopt(argc, argv, "b:c:l:n:ps")) != -1) {
		switch (ch) {
		case 'b': burst = strtoul(optarg, NULL, 10); break;
		case 'c': file = optarg; break;
		case 'l': every = strtoul(optarg, NULL, 10); break;
		case 'n': total = strtoul(optarg, NULL, 10); break;
		case 'p': pid = true; break;
		case 's': force_stdout = true; break;
		default:
			fprintf(stderr, "usage: logs-driver [-c FILE] [-n N] "
			    "[-b BURST] [-l EVERY] [-s] [-p]\n");
			return 2;
		}
	}
	config_defaults(&cfg);
	if (file != NULL && config_load(&cfg, file, err, sizeof err) == -1) {
		fprintf(stderr, "logs-driver: %s\n", err);
		return 1;
	}
	base = event_base_new();
	engine_init(&eng, ENG_PROBE, NULL);
	eng.base = base;
	if (log_open(&cfg.log, base) == -1)
		goto out;
	if (dumpsinks_add(&eng, &cfg, force_stdout, err, sizeof err) == -1) {
		fprintf(stderr, "tcpdp-top: %s\n", err);
		goto out;
	}
	if (daemon_signals(base, drv_stop, NULL) == -1)
		goto out;
	if (pid && pidfile_write(cfg.pidfile, err, sizeof err) == -1) {
		fprintf(stderr, "tcpdp-top: %s\n", err);
		goto out;
	}
	log_write(LOG_INFO, NULL, "Starting probe.");
	health_start(base, drv_fill, NULL, cfg.log.enable_internal);
	rec_init(&rec);
	tick = event_new(base, -1, EV_PERSIST, drv_tick, NULL);
	event_add(tick, &tv);
	event_base_dispatch(base);

	event_free(tick);
	engine_flush(&eng);
	health_stop();
	rec_free(&rec);
	rc = 0;
out:
	engine_free(&eng);
	daemon_signals_free();
	pidfile_remove();
	log_close();
	config_free(&cfg);
	event_base_free(base);
	return rc;
}
