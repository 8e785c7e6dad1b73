/* daemon.c - signals and the pidfile. */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon.h"
#include "log.h"
#include "logfile.h"

static struct event	*dm_ev[4];
static void		(*dm_stop)(int, void *);
static void		*dm_arg;
static struct event_base *dm_base;

static char		 pid_path[PATH_MAX];
static pid_t		 pid_written;
static int		 pid_atexit;

static void
dm_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	if (sig == SIGHUP) {
		log_write(LOG_INFO, NULL, "Reopening log files (SIGHUP)");
		logfile_reopen_all();
		return;
	}
	if (dm_stop != NULL)
		dm_stop((int)sig, dm_arg);
	else
		event_base_loopexit(dm_base, NULL);
}

int
daemon_signals(struct event_base *base, void (*stop)(int, void *), void *arg)
{
	static const int	sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGQUIT };
	size_t			i;

	signal(SIGPIPE, SIG_IGN);
	dm_stop = stop;
	dm_arg = arg;
	dm_base = base;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		/* libevent restores this disposition when the event goes, so
		 * a signal during the final flush is ignored, not fatal. */
		signal(sigs[i], SIG_IGN);
		dm_ev[i] = evsignal_new(base, sigs[i], dm_signal_cb, NULL);
		if (dm_ev[i] == NULL || evsignal_add(dm_ev[i], NULL) == -1)
			return -1;
	}
	return 0;
}

void
daemon_signals_free(void)
{
	size_t	i;

	for (i = 0; i < sizeof dm_ev / sizeof dm_ev[0]; i++) {
		if (dm_ev[i] != NULL)
			event_free(dm_ev[i]);
		dm_ev[i] = NULL;
	}
}

/* The pid in a pidfile, or 0. Unlike upstream, the newline we write
 * ourselves is accepted. */
static pid_t
pid_read(const char *path)
{
	char	buf[64], *end;
	long	v;
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || v <= 0 || v > INT_MAX)
		return 0;
	while (*end == '\n' || *end == '\r' || *end == ' ' || *end == '\t')
		end++;
	if (*end != '\0')
		return 0;
	return (pid_t)v;
}

static void
pidfile_atexit(void)
{
	pidfile_remove();
}

int
pidfile_write(const char *path, char *err, size_t errlen)
{
	char	cwd[PATH_MAX], buf[32];
	pid_t	old;
	int	fd, len;
	ssize_t	n;

	if (path == NULL || *path == '\0') {
		snprintf(err, errlen, "pidfile path error: empty path");
		return -1;
	}
	if (*path == '/')
		len = snprintf(pid_path, sizeof pid_path, "%s", path);
	else if (getcwd(cwd, sizeof cwd) == NULL) {
		snprintf(err, errlen, "pidfile path error: %s",
		    strerror(errno));
		return -1;
	} else
		len = snprintf(pid_path, sizeof pid_path, "%s/%s", cwd,
		    strncmp(path, "./", 2) == 0 ? path + 2 : path);
	if (len < 0 || (size_t)len >= sizeof pid_path) {
		snprintf(err, errlen, "pidfile path error: too long");
		return -1;
	}

	old = pid_read(pid_path);
	if (old > 0 && old != getpid() &&
	    (kill(old, 0) == 0 || errno == EPERM)) {
		snprintf(err, errlen, "pid already running: %ld", (long)old);
		pid_path[0] = '\0';
		return -1;
	}
	fd = open(pid_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0664);
	if (fd == -1) {
		snprintf(err, errlen, "can not write %s: %s", pid_path,
		    strerror(errno));
		pid_path[0] = '\0';
		return -1;
	}
	len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	n = write(fd, buf, (size_t)len);
	if (n != len || close(fd) == -1) {
		snprintf(err, errlen, "can not write %s: %s", pid_path,
		    n < 0 ? strerror(errno) : "short write");
		unlink(pid_path);
		pid_path[0] = '\0';
		return -1;
	}
	pid_written = getpid();
	if (!pid_atexit) {
		pid_atexit = 1;
		atexit(pidfile_atexit);
	}
	return 0;
}

void
pidfile_remove(void)
{
	/* Only our own file: a child, or a successor that took over the
	 * path, must not lose theirs. */
	if (pid_path[0] == '\0' || pid_written != getpid())
		return;
	if (pid_read(pid_path) == pid_written && unlink(pid_path) == -1)
		fprintf(stderr, "tcpdp-top: can not delete %s: %s\n", pid_path,
		    strerror(errno));
	pid_path[0] = '\0';
}
