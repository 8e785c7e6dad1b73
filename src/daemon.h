/* daemon.h - what a headless probe or proxy needs to be a good daemon:
 * signals on the event loop, the pidfile (SPEC §1.9, §1.10). */
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
