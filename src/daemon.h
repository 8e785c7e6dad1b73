/* daemon.h - what a headless probe or proxy needs to be a good daemon:
 * signals on the event loop, the pidfile (SPEC §1.9, §1.10).
 *
 * A runner's start and end (tests/drivers/logs-driver.c does exactly this):
 *
 *	log_open_flags(&cfg->log, base, ui ? LOG_F_NOCONSOLE : 0)  -1: exit 1
 *	dumpsinks_add(eng, cfg, run->stdout_flag, err, len)        -1: exit 1
 *	daemon_signals(base, stop_cb, arg)
 *	pidfile_write(cfg->pidfile, err, len)     probe/proxy;     -1: exit 1
 *	log "Starting ..."; health_start(base, fill_cb, arg,
 *	    cfg->log.enable_internal)                              probe/proxy
 *	event_base_dispatch(base)       stop_cb: event_base_loopexit
 *	health_stop(); engine_free(eng)     (flushes and closes the dump log)
 *	daemon_signals_free(); pidfile_remove(); log_close(); exit 0 */
#ifndef TCPDP_DAEMON_H
#define TCPDP_DAEMON_H

#include <stddef.h>

struct event_base;

/* SIGHUP reopens every log file; SIGINT, SIGTERM and SIGQUIT call stop
 * (every time one arrives: a second one may mean "hurry"), or end the loop
 * when stop is NULL; SIGPIPE is ignored. Returns 0 or -1. */
int	daemon_signals(struct event_base *, void (*stop)(int sig, void *),
	    void *arg);
void	daemon_signals_free(void);

/* Refuses when the pidfile names a live process ("pid already running:
 * N"), else writes "PID\n" (0664) to path made absolute. The file is
 * removed by pidfile_remove() and at exit, if it still holds our pid.
 * Returns 0, or -1 with the reason in err. */
int	pidfile_write(const char *path, char *err, size_t errlen);
void	pidfile_remove(void);

#endif
