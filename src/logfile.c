/* logfile.c - log files, rotation, retention and the rotation hook. */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "log.h"
#include "logfile.h"
#include "uring.h"
#include "xmalloc.h"

extern char **environ;

#define LF_HOOK_MAX		4	/* hooks running at once per file */
#define LF_HOOK_OUTPUT		4096	/* hook output kept for the report */
#define LF_HOOK_SLOW		60	/* seconds before a hook is reported as hanging */
#define LF_HOOK_EXIT_GRACE	2	/* seconds a closing log waits for its hooks */
#define LF_BACKOFF_MAX		8	/* seconds between retries in an episode */
#define LF_RETAIN_AGE		(7 * 86400)
/*
 * With an event loop, batches are queued and written by io_uring (uring.h)
 * so a slow write never stalls the capture. The whole blocks of a batch are
 * written with O_DIRECT: a busy dump log (tens of MB/s of hex) otherwise
 * costs more kernel time filling new page-cache pages than the capture
 * itself, and evicts the database's own cached pages. The bytes up to the
 * first block boundary go through the page cache; a partial last block
 * waits up to LF_HOLD_US for the next batch to ride with, then goes
 * through the page cache too. 4096 covers the offset, length and memory
 * alignment of common devices.
 * A chunk is written when it is full, or LF_HOLD_US after it began to
 * wait: the batches of a busy capture come every few milliseconds, a few
 * hundred KB each, and a write of each would cost twice the kernel time
 * per byte of 1 MB writes (with a worker wake-up and a device kick each).
 */
#define LF_DIO_ALIGN		4096
#define LF_CHUNK		(1024 * 1024)	/* bytes queued per write */
/* Then the writer waits. The disk can stall for a second (a device flush,
 * a host busy elsewhere) while a hex dump comes at 80 MB/s: waiting stalls
 * the capture too, whose ring is full in some 50 ms. */
#define LF_QUEUE_MIN		((size_t)64 << 20)
#define LF_QUEUE_RAM_SHIFT	6	/* or 1/64 of the RAM, */
#define LF_QUEUE_CAP		((size_t)256 << 20)	/* up to this */
#define LF_SPARES		4	/* free chunks kept when idle */
#define LF_TRIM_SECS		5	/* then the others go */
#define LF_HOLD_US		50000	/* a partial chunk or block waits */

/* An open file; outlives rotation until its queued bytes are written. */
struct lf_file {
	int		 fd;		/* O_APPEND */
	int		 dfd;		/* the same file with O_DIRECT, or -1 */
	off_t		 qsize;		/* its size once the queue is written */
	off_t		 whole;		/* end of the last whole record written */
	int		 refs;		/* chunks, and the logfile while current */
};

/* Queued bytes of one file. d sits at the same offset
 * from a block boundary in memory as in the file, so its whole blocks can
 * be written directly. */
struct lf_chunk {
	struct lf_chunk	*next;
	struct lf_file	*f;
	off_t		 off;		/* file offset of d[0] */
	unsigned char	*mem;		/* LF_CHUNK bytes, LF_DIO_ALIGN-aligned */
	unsigned char	*d;
	size_t		 len;
	size_t		 done;		/* bytes of d written */
	bool		 busy;		/* a write of it is in flight */
	bool		 dio;		/* that write is the direct one */
	bool		 due;		/* has waited LF_HOLD_US: no more */
};

struct lf_hook {
	struct logfile	*lf;
	pid_t		 pid;
	int		 fd;		/* stdout+stderr of the hook, -1 at EOF */
	struct event	*rev;
	struct event	*timer;
	struct buf	 out;
	size_t		 skipped;	/* output beyond LF_HOOK_OUTPUT */
	struct timespec	 started;
	int		 status;
	bool		 exited;
	bool		 slow_reported;
	char		*prev;
	char		*cur;
	struct lf_hook	*next;
};

struct logfile {
	char		*path;		/* absolute NAME */
	char		*dir;		/* its directory */
	bool		 rotate;
	enum logfile_period period;
	long		 count;
	char		*hook;
	struct event_base *base;

	int		 fd;
	bool		 async;		/* writes queued through io_uring */
	struct lf_file	*file;		/* fd's, when async */
	struct lf_chunk	*qhead, *qtail;	/* qhead is the one in flight */
	struct lf_chunk	*spare;		/* free LF_CHUNK ones, reused */
	int		 nspare;
	size_t		 queued;	/* bytes not yet written */
	struct event	*hold_ev;	/* ends the wait of the last chunk */
	struct event	*trim_ev;	/* unmaps spare chunks after a backlog */
	bool		 draining;	/* hold nothing back */
	char		*cur;		/* file open or written last, "" if none */
	char		 suffix[16];	/* period of the next write */
	time_t		 pstart, pend;
	bool		 have_period;
	time_t		 check_at;	/* next check that the file still exists */
	bool		 symlink_warned;

	bool		 failing;	/* in an error episode */
	int		 err;
	time_t		 retry_at;
	int		 backoff;
	uint64_t	 ep_lost_bytes, ep_lost_records;

	struct logfile_stats st;
	struct lf_hook	*hooks;
	int		 nhooks;
	struct logfile	*next;
};

static struct logfile	*lf_all;

/* Clock. */

static time_t
lf_real_clock(void)
{
	return time(NULL);
}

time_t			(*logfile_clock)(void) = lf_real_clock;
/* Direct I/O for the whole blocks of queued batches; TCPDP_LOG_DIRECT=0
 * turns it off (the file's content is the same either way). */
static bool		 lf_direct_io = true;
static int		 lf_clock_env_done;
static time_t		 lf_test_epoch;
static double		 lf_test_speed = 1;
static struct timespec	 lf_test_start;

static time_t
lf_test_clock(void)
{
	struct timespec	ts;
	double		el;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	el = (double)(ts.tv_sec - lf_test_start.tv_sec) +
	    (double)(ts.tv_nsec - lf_test_start.tv_nsec) / 1e9;
	return lf_test_epoch + (time_t)(el * lf_test_speed);
}

time_t
logfile_now(void)
{
	const char	*s;
	char		*end;

	if (!lf_clock_env_done) {
		lf_clock_env_done = 1;
		s = getenv("TCPDP_TEST_CLOCK");
		if (s != NULL && *s != '\0') {
			lf_test_epoch = (time_t)strtoll(s, &end, 10);
			if (*end == 'x')
				lf_test_speed = strtod(end + 1, NULL);
			if (lf_test_speed <= 0)
				lf_test_speed = 1;
			clock_gettime(CLOCK_MONOTONIC, &lf_test_start);
			logfile_clock = lf_test_clock;
		}
	}
	return logfile_clock();
}

/* Periods. */

int
logfile_period_parse(const char *s, enum logfile_period *p)
{
	if (s == NULL)
		return -1;
	if (strcasecmp(s, "daily") == 0)
		*p = LF_DAILY;
	else if (strcasecmp(s, "hourly") == 0)
		*p = LF_HOURLY;
	else if (strcasecmp(s, "minutely") == 0)
		*p = LF_MINUTELY;
	else
		return -1;
	return 0;
}

void
logfile_period_bounds(enum logfile_period p, time_t t, char *suffix,
    size_t len, time_t *start, time_t *end)
{
	struct tm	tm, e;
	const char	*f;

	localtime_r(&t, &tm);
	tm.tm_sec = 0;
	switch (p) {
	case LF_DAILY:
		f = "%Y%m%d";
		tm.tm_hour = 0;
		tm.tm_min = 0;
		break;
	case LF_HOURLY:
		f = "%Y%m%d%H";
		tm.tm_min = 0;
		break;
	default:
		f = "%Y%m%d%H%M";
		break;
	}
	if (suffix != NULL)
		strftime(suffix, len, f, &tm);
	e = tm;
	tm.tm_isdst = -1;
	*start = mktime(&tm);
	switch (p) {
	case LF_DAILY:
		e.tm_mday++;
		break;
	case LF_HOURLY:
		e.tm_hour++;
		break;
	default:
		e.tm_min++;
		break;
	}
	e.tm_isdst = -1;
	*end = mktime(&e);
	/* Local time can repeat or skip (DST): keep t inside its period. */
	if (*start > t || *start == (time_t)-1)
		*start = t;
	if (*end <= t)
		*end = t + 1;
}

time_t
logfile_period_end(struct logfile *lf, time_t t)
{
	time_t	s, e;

	if (!lf->rotate)
		return (time_t)INT64_MAX;
	if (lf->have_period && t >= lf->pstart && t < lf->pend)
		return lf->pend;
	logfile_period_bounds(lf->period, t, NULL, 0, &s, &e);
	return e;
}

/* Paths. */

static int
lf_mkdirs(const char *dir)
{
	char	*p, *s;
	int	 rc = 0;

	s = xstrdup(dir);
	for (p = s + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (*p == '/' && p[1] == '/')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(s, 0755) == -1 && errno != EEXIST)
			rc = -1;
		*p = c;
		if (c == '\0')
			break;
	}
	free(s);
	return rc;
}

static char *
lf_abspath(const char *dir, const char *name)
{
	char		 cwd[PATH_MAX];
	struct buf	 b;
	const char	*d = dir != NULL ? dir : "";
	char		*out, *w;
	const char	*r;

	buf_init(&b);
	if (*d != '/') {
		if (getcwd(cwd, sizeof cwd) == NULL)
			strcpy(cwd, ".");
		buf_adds(&b, cwd);
		buf_addc(&b, '/');
	}
	buf_adds(&b, d);
	buf_addc(&b, '/');
	buf_adds(&b, name);
	buf_addc(&b, '\0');

	/* Drop "./" components and repeated slashes so the symlink target
	 * and the messages read cleanly. */
	out = xmalloc(b.len);
	w = out;
	for (r = b.p; *r != '\0'; r++) {
		if (*r == '/' && w > out && w[-1] == '/')
			continue;
		if (*r == '.' && w > out && w[-1] == '/' &&
		    (r[1] == '/' || r[1] == '\0')) {
			if (r[1] == '/')
				r++;
			continue;
		}
		*w++ = *r;
	}
	if (w > out + 1 && w[-1] == '/')
		w--;
	*w = '\0';
	buf_free(&b);
	return out;
}

static char *
lf_dirname(const char *path)
{
	const char	*s = strrchr(path, '/');

	if (s == NULL || s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}

/* Set-up. */

static bool	lf_atexit_set;
static void	lf_sync_all(void);

struct logfile *
logfile_open(const char *dir, const char *name, bool rotate,
    const char *period, long count, const char *hook, struct event_base *base,
    char *err, size_t errlen)
{
	struct logfile		*lf;
	enum logfile_period	 p = LF_DAILY;
	struct stat		 sb;
	char			*path, *d;
	const char		*e;

	if (name == NULL || *name == '\0' || name[strlen(name) - 1] == '/') {
		snprintf(err, errlen, "log file name is empty");
		return NULL;
	}
	if (rotate && logfile_period_parse(period, &p) == -1) {
		snprintf(err, errlen, "rotationTime \"%s\": please specify one "
		    "of the periods [daily, hourly, minutely]",
		    period != NULL ? period : "");
		return NULL;
	}
	if ((e = getenv("TCPDP_LOG_DIRECT")) != NULL && strcmp(e, "0") == 0)
		lf_direct_io = false;
	path = lf_abspath(dir, name);
	d = lf_dirname(path);
	if (lf_mkdirs(d) == -1 || stat(d, &sb) == -1) {
		snprintf(err, errlen, "log directory %s: %s", d,
		    strerror(errno));
		goto fail;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "log directory %s: Not a directory", d);
		goto fail;
	}
	if (access(d, W_OK | X_OK) == -1) {
		snprintf(err, errlen, "log directory %s: %s", d,
		    strerror(errno));
		goto fail;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "log file %s: Is a directory", path);
		goto fail;
	}

	lf = xcalloc(1, sizeof *lf);
	lf->path = path;
	lf->dir = d;
	lf->rotate = rotate;
	lf->period = p;
	lf->count = count;
	lf->hook = hook != NULL && *hook != '\0' ? xstrdup(hook) : NULL;
	lf->base = base;
	lf->async = base != NULL && uring_start(base) == 0;
	if (lf->async && !lf_atexit_set) {
		/* exit() on a fatal error: what was queued still lands. */
		atexit(lf_sync_all);
		lf_atexit_set = true;
	}
	lf->fd = -1;
	lf->cur = xstrdup("");
	lf->next = lf_all;
	lf_all = lf;
	return lf;

fail:
	free(path);
	free(d);
	return NULL;
}

const char *
logfile_path(const struct logfile *lf)
{
	return lf->path;
}

const char *
logfile_current(const struct logfile *lf)
{
	return lf->cur;
}

void
logfile_stats(const struct logfile *lf, struct logfile_stats *st)
{
	*st = lf->st;
}

/* Retention. */

static int
lf_namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
lf_rotated_name(const char *ent, const char *base, size_t blen)
{
	size_t	n = strlen(ent), i;

	if (n < blen + 1 + 8 || strncmp(ent, base, blen) != 0 ||
	    ent[blen] != '.')
		return false;
	/* Our suffixes start with 8 digits; anything else in the directory
	 * (notes, other programs' files) is never deleted. A hook that
	 * compresses NAME.20261126 into NAME.20261126.gz keeps it counted. */
	for (i = blen + 1; i < blen + 9; i++)
		if (ent[i] < '0' || ent[i] > '9')
			return false;
	if ((n >= 5 && strcmp(ent + n - 5, "_lock") == 0) ||
	    (n >= 8 && strcmp(ent + n - 8, "_symlink") == 0))
		return false;
	return true;
}

int
logfile_retain(const char *path, long count, time_t now)
{
	char		*dir, **names = NULL, full[PATH_MAX];
	const char	*base;
	size_t		 blen, n = 0, cap = 0, i, del;
	DIR		*dp;
	struct dirent	*de;
	struct stat	 sb;
	int		 deleted = 0;

	if (count < 0)
		return 0;
	dir = lf_dirname(path);
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	blen = strlen(base);
	if ((dp = opendir(dir)) == NULL) {
		free(dir);
		return 0;
	}
	while ((de = readdir(dp)) != NULL) {
		if (!lf_rotated_name(de->d_name, base, blen))
			continue;
		if ((size_t)snprintf(full, sizeof full, "%s/%s", dir,
		    de->d_name) >= sizeof full)
			continue;
		if (lstat(full, &sb) == -1 || !S_ISREG(sb.st_mode))
			continue;
		if (count == 0) {
			if (sb.st_mtime < now - LF_RETAIN_AGE &&
			    unlink(full) == 0)
				deleted++;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = xstrdup(full);
	}
	closedir(dp);
	if (n > (size_t)count) {
		qsort(names, n, sizeof *names, lf_namecmp);
		del = n - (size_t)count;
		for (i = 0; i < del; i++)
			if (unlink(names[i]) == 0)
				deleted++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	return deleted;
}

/* The rotation hook. */

static void
lf_hook_free(struct lf_hook *h)
{
	struct lf_hook	**pp;

	for (pp = &h->lf->hooks; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	h->lf->nhooks--;
	if (h->rev != NULL)
		event_free(h->rev);
	if (h->timer != NULL)
		event_free(h->timer);
	if (h->fd != -1)
		close(h->fd);
	buf_free(&h->out);
	free(h->prev);
	free(h->cur);
	free(h);
}

static void
lf_hook_drain(struct lf_hook *h)
{
	char	tmp[4096];
	ssize_t	n;
	size_t	keep;

	while (h->fd != -1) {
		n = read(h->fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (h->rev != NULL)
				event_del(h->rev);
			close(h->fd);
			h->fd = -1;
			return;
		}
		keep = LF_HOOK_OUTPUT - h->out.len;
		if (keep > (size_t)n)
			keep = (size_t)n;
		buf_add(&h->out, tmp, keep);
		h->skipped += (size_t)n - keep;
	}
}

static void
lf_hook_report(struct lf_hook *h)
{
	struct record	*f = log_fields();
	bool		 ok;

	/* Trailing newlines of the hook's output are noise in a field. */
	while (h->out.len > 0 && h->out.p[h->out.len - 1] == '\n')
		h->out.len--;
	ok = WIFEXITED(h->status) && WEXITSTATUS(h->status) == 0;
	rec_cstr(f, "hook", h->lf->hook);
	rec_cstr(f, "prev_file", h->prev);
	rec_cstr(f, "file", h->cur);
	if (WIFEXITED(h->status))
		rec_int(f, "exit_status", WEXITSTATUS(h->status));
	else if (WIFSIGNALED(h->status))
		rec_cstr(f, "signal", strsignal(WTERMSIG(h->status)));
	rec_str(f, "output", h->out.p != NULL ? h->out.p : "", h->out.len);
	if (h->skipped > 0)
		rec_uint(f, "output_skipped_bytes", h->skipped);
	log_write(ok ? LOG_INFO : LOG_ERROR, NULL,
	    ok ? "rotation hook done" : "rotation hook failed");
}

static long
lf_hook_slow(void)
{
	static long	 slow;
	const char	*s;

	if (slow == 0) {
		/* Tests shorten it. */
		s = getenv("TCPDP_TEST_HOOK_SLOW");
		slow = s != NULL && atol(s) > 0 ? atol(s) : LF_HOOK_SLOW;
	}
	return slow;
}

static void
lf_hook_check(struct lf_hook *h)
{
	struct timespec	now;
	int		st;
	pid_t		r;

	if (!h->exited) {
		do
			r = waitpid(h->pid, &st, WNOHANG);
		while (r == -1 && errno == EINTR);
		if (r == h->pid || (r == -1 && errno == ECHILD)) {
			h->exited = true;
			h->status = r == h->pid ? st : 0;
		}
	}
	if (h->exited) {
		/* A grandchild may keep the pipe open: take what is there. */
		lf_hook_drain(h);
		lf_hook_report(h);
		lf_hook_free(h);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!h->slow_reported && now.tv_sec - h->started.tv_sec >= lf_hook_slow()) {
		h->slow_reported = true;
		rec_cstr(log_fields(), "hook", h->lf->hook);
		rec_cstr(log_fields(), "file", h->cur);
		rec_int(log_fields(), "pid", h->pid);
		log_write(LOG_WARN, NULL, "rotation hook still running");
	}
}

static void
lf_hook_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lf_hook	*h = arg;

	(void)fd;
	(void)what;
	lf_hook_drain(h);
	if (h->fd == -1)
		lf_hook_check(h);
}

static void
lf_hook_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	lf_hook_check(arg);
}

static void
lf_hook_run(struct logfile *lf, const char *prev, const char *cur)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 at;
	sigset_t			 none, dfl;
	struct lf_hook			*h;
	struct timeval			 tv = { 0, 200000 };
	char				*argv[4];
	int				 p[2], rc;
	pid_t				 pid;

	if (lf->hook == NULL || lf->base == NULL)
		return;
	if (lf->nhooks >= LF_HOOK_MAX) {
		rec_cstr(log_fields(), "hook", lf->hook);
		rec_cstr(log_fields(), "file", cur);
		rec_int(log_fields(), "running", lf->nhooks);
		log_write(LOG_ERROR, NULL,
		    "rotation hook skipped: earlier runs still running");
		return;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		rc = errno;
		goto spawn_fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	/* Sockets and capture handles without close-on-exec must not stay
	 * open for as long as the hook runs. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGQUIT);
	sigaddset(&dfl, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at,
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	argv[0] = lf->hook;
	argv[1] = (char *)prev;
	argv[2] = (char *)cur;
	argv[3] = NULL;
	rc = posix_spawn(&pid, lf->hook, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		goto spawn_fail;
	}
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);

	h = xcalloc(1, sizeof *h);
	h->lf = lf;
	h->pid = pid;
	h->fd = p[0];
	buf_init(&h->out);
	clock_gettime(CLOCK_MONOTONIC, &h->started);
	h->prev = xstrdup(prev);
	h->cur = xstrdup(cur);
	h->rev = event_new(lf->base, h->fd, EV_READ | EV_PERSIST,
	    lf_hook_read_cb, h);
	h->timer = event_new(lf->base, -1, EV_PERSIST, lf_hook_timer_cb, h);
	event_add(h->rev, NULL);
	event_add(h->timer, &tv);
	h->next = lf->hooks;
	lf->hooks = h;
	lf->nhooks++;
	return;

spawn_fail:
	rec_cstr(log_fields(), "hook", lf->hook);
	rec_cstr(log_fields(), "prev_file", prev);
	rec_cstr(log_fields(), "file", cur);
	rec_cstr(log_fields(), "error", strerror(rc));
	log_write(LOG_ERROR, NULL, "rotation hook failed");
}

/* Opening and switching files. */

static void
lf_symlink(struct logfile *lf, const char *target)
{
	char		tmp[PATH_MAX];
	struct stat	sb;

	if (lstat(lf->path, &sb) == 0 && !S_ISLNK(sb.st_mode)) {
		/* Never replace a real file (say, from a run without
		 * rotation) by the link. */
		if (!lf->symlink_warned) {
			lf->symlink_warned = true;
			rec_cstr(log_fields(), "file", lf->path);
			log_write(LOG_WARN, NULL,
			    "log symlink not updated: a file is in the way");
		}
		return;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s_symlink", target) >=
	    sizeof tmp)
		return;
	unlink(tmp);
	if (symlink(target, tmp) == -1 || rename(tmp, lf->path) == -1) {
		if (!lf->symlink_warned) {
			lf->symlink_warned = true;
			rec_cstr(log_fields(), "file", lf->path);
			rec_cstr(log_fields(), "error", strerror(errno));
			log_write(LOG_WARN, NULL, "log symlink not updated");
		}
		unlink(tmp);
		return;
	}
	lf->symlink_warned = false;
}

static struct lf_file	*lf_file_new(int, const char *);
static void		 lf_drain(struct logfile *);

static int
lf_openfile(struct logfile *lf, time_t now)
{
	char	 target[PATH_MAX];
	char	*prev;
	bool	 fresh;

	if (lf->rotate) {
		if ((size_t)snprintf(target, sizeof target, "%s.%s", lf->path,
		    lf->suffix) >= sizeof target) {
			errno = ENAMETOOLONG;
			return -1;
		}
	} else
		snprintf(target, sizeof target, "%s", lf->path);

	lf->fd = open(target, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (lf->fd == -1 && errno == ENOENT) {
		/* The directory went away: make it again. */
		if (lf_mkdirs(lf->dir) == 0)
			lf->fd = open(target,
			    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	}
	if (lf->fd == -1)
		return -1;
	lf->check_at = now + 1;
	if (lf->async)
		lf->file = lf_file_new(lf->fd, target);
	if (!lf->rotate)
		return 0;

	fresh = strcmp(target, lf->cur) != 0;
	/* The hook (compressing, shipping) and retention get the previous
	 * file whole. */
	if (fresh)
		lf_drain(lf);
	lf_symlink(lf, target);
	if (!fresh)
		return 0;
	prev = lf->cur;
	lf->cur = xstrdup(target);
	lf->st.rotations++;
	logfile_retain(lf->path, lf->count, now);
	lf_hook_run(lf, prev, lf->cur);
	free(prev);
	return 0;
}

static void	lf_file_put(struct lf_file *);

static void
lf_closefd(struct logfile *lf)
{
	if (lf->file != NULL) {
		/* Closed by its last queued write. */
		lf_file_put(lf->file);
		lf->file = NULL;
	} else if (lf->fd != -1)
		close(lf->fd);
	lf->fd = -1;
}

static uint64_t
lf_count_records(const char *p, size_t n)
{
	uint64_t	c = 0;
	const char	*e = p + n;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		c++;
		p++;
	}
	return c;
}

static void
lf_episode_start(struct logfile *lf, int err, time_t now)
{
	const char	*f = *lf->cur != '\0' ? lf->cur : lf->path;

	lf->backoff = lf->failing ? lf->backoff * 2 : 1;
	if (lf->backoff > LF_BACKOFF_MAX)
		lf->backoff = LF_BACKOFF_MAX;
	lf->retry_at = now + lf->backoff;
	if (lf->failing)
		return;
	lf->failing = true;
	lf->err = err;
	lf->st.errors++;
	lf->ep_lost_bytes = 0;
	lf->ep_lost_records = 0;
	fprintf(stderr, "tcpdp-top: %s: write error: %s (records are "
	    "dropped until it can be written again)\n", f, strerror(err));
	rec_cstr(log_fields(), "file", f);
	rec_cstr(log_fields(), "error", strerror(err));
	log_write(LOG_ERROR, NULL, "log write error");
}

static void
lf_episode_end(struct logfile *lf)
{
	lf->failing = false;
	lf->backoff = 0;
	fprintf(stderr, "tcpdp-top: %s: writing again, %llu records "
	    "(%llu bytes) lost\n", lf->cur[0] != '\0' ? lf->cur : lf->path,
	    (unsigned long long)lf->ep_lost_records,
	    (unsigned long long)lf->ep_lost_bytes);
	rec_cstr(log_fields(), "file", lf->cur[0] != '\0' ? lf->cur : lf->path);
	rec_uint(log_fields(), "lost_records", lf->ep_lost_records);
	rec_uint(log_fields(), "lost_bytes", lf->ep_lost_bytes);
	log_write(LOG_INFO, NULL, "log write resumed");
}

static void
lf_drop(struct logfile *lf, const char *p, size_t n)
{
	uint64_t	r = lf_count_records(p, n);

	lf->st.lost_bytes += n;
	lf->st.lost_records += r;
	lf->ep_lost_bytes += n;
	lf->ep_lost_records += r;
}

/* Asynchronous writing. */

static struct lf_file *
lf_file_new(int fd, const char *path)
{
	struct lf_file	*f;
	struct stat	 a, b;

	f = xcalloc(1, sizeof *f);
	f->fd = fd;
	f->dfd = -1;
	f->refs = 1;
	if (fstat(fd, &a) == -1 || !S_ISREG(a.st_mode))
		return f;	/* qsize unknown: no direct writes */
	f->qsize = f->whole = a.st_size;
	if (!lf_direct_io)
		return f;
	/* Refused where the filesystem has no direct I/O; the path is
	 * checked to still name the file just opened. */
	f->dfd = open(path, O_WRONLY | O_APPEND | O_DIRECT | O_CLOEXEC);
	if (f->dfd != -1 && (fstat(f->dfd, &b) == -1 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino)) {
		close(f->dfd);
		f->dfd = -1;
	}
	return f;
}

static void
lf_file_put(struct lf_file *f)
{
	if (--f->refs > 0)
		return;
	close(f->fd);
	if (f->dfd != -1)
		close(f->dfd);
	free(f);
}

static struct lf_chunk *
lf_chunk_new(struct logfile *lf)
{
	struct lf_chunk	*c;
	struct lf_file	*f = lf->file;
	size_t		 pad = (size_t)(f->qsize % LF_DIO_ALIGN);
	void		*mem;

	if (lf->spare != NULL) {
		c = lf->spare;
		lf->spare = c->next;
		lf->nspare--;
	} else {
		c = xcalloc(1, sizeof *c);
		/* Mapped, not malloc'ed: the memory of a backlog can go back
		 * to the system (lf_chunk_free). */
		mem = mmap(NULL, LF_CHUNK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			fatalx("out of memory");
		c->mem = mem;
		lf->st.queue_mem += LF_CHUNK;
	}
	c->next = NULL;
	c->f = f;
	f->refs++;
	c->off = f->qsize;
	c->d = c->mem + pad;
	c->len = c->done = 0;
	c->busy = c->dio = c->due = false;
	return c;
}

/* Unmaps the free chunks beyond LF_SPARES. */
static void
lf_trim(struct logfile *lf)
{
	struct lf_chunk	*c;

	while (lf->nspare > LF_SPARES) {
		c = lf->spare;
		lf->spare = c->next;
		lf->nspare--;
		munmap(c->mem, LF_CHUNK);
		free(c);
		lf->st.queue_mem -= LF_CHUNK;
	}
}

static void
lf_trim_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	lf_trim(arg);
}

/* Written chunks are kept for reuse (a fresh mapping costs its page faults
 * and zeroing, which doubled the CPU per MB of a disk-bound hex dump whose
 * queue filled again after every pause); those beyond LF_SPARES go back to
 * the system LF_TRIM_SECS after the queue last emptied. */
static void
lf_chunk_free(struct logfile *lf, struct lf_chunk *c)
{
	struct timeval	tv = { LF_TRIM_SECS, 0 };

	lf_file_put(c->f);
	c->next = lf->spare;
	lf->spare = c;
	lf->nspare++;
	if (lf->nspare <= LF_SPARES || lf->qhead != NULL)
		return;
	if (lf->base == NULL) {
		lf_trim(lf);
		return;
	}
	if (lf->trim_ev == NULL)
		lf->trim_ev = evtimer_new(lf->base, lf_trim_cb, lf);
	evtimer_add(lf->trim_ev, &tv);
}

static void	lf_written(void *, long);
static void	lf_submit(struct logfile *);

static size_t
lf_queue_max(void)
{
	static size_t	 max;
	long		 pages, psize;
	size_t		 ram;

	if (max != 0)
		return max;
	max = LF_QUEUE_MIN;
	pages = sysconf(_SC_PHYS_PAGES);
	psize = sysconf(_SC_PAGESIZE);
	if (pages > 0 && psize > 0) {
		ram = (size_t)pages * (size_t)psize >> LF_QUEUE_RAM_SHIFT;
		if (ram > max)
			max = ram < LF_QUEUE_CAP ? ram : LF_QUEUE_CAP;
	}
	return max;
}

static void
lf_hold_cb(evutil_socket_t fd, short what, void *arg)
{
	struct logfile	*lf = arg;

	(void)fd;
	(void)what;
	if (lf->qtail != NULL)
		lf->qtail->due = true;
	lf_submit(lf);
}

/* The last chunk waits while it is not full (more batches will fill it),
 * or while it holds only a partial block (the next batch takes it along in
 * its direct write); the wait ends LF_HOLD_US after it began. */
static bool
lf_hold(struct logfile *lf, const struct lf_chunk *c, off_t o, size_t n)
{
	struct timeval	 tv;

	if (c->next != NULL || c->due || lf->draining)
		return false;
	if ((size_t)(c->d - c->mem) + c->len == LF_CHUNK &&
	    (c->f->dfd == -1 || o % LF_DIO_ALIGN != 0 || n >= LF_DIO_ALIGN))
		return false;
	if (lf->hold_ev == NULL)
		lf->hold_ev = evtimer_new(lf->base, lf_hold_cb, lf);
	if (!evtimer_pending(lf->hold_ev, NULL)) {
		tv.tv_sec = 0;
		tv.tv_usec = LF_HOLD_US;
		evtimer_add(lf->hold_ev, &tv);
	}
	return true;
}

/*
 * Writes the next piece of the first chunk: up to its file's next block
 * boundary through the page cache, then its whole blocks directly, then
 * the rest through the page cache again.
 */
static void
lf_submit(struct logfile *lf)
{
	struct lf_chunk	*c = lf->qhead, *nx;
	struct lf_file	*f;
	off_t		 o;
	size_t		 n, mis;
	ssize_t		 w;
	int		 fd;

	if (c == NULL || c->busy)
		return;
	f = c->f;
	o = c->off + (off_t)c->done;
	n = c->len - c->done;
	if (lf_hold(lf, c, o, n))
		return;
	/* The next chunk to wait starts its own LF_HOLD_US. */
	if (lf->hold_ev != NULL)
		evtimer_del(lf->hold_ev);
	if (f->dfd != -1 && o % LF_DIO_ALIGN == 0 && n < LF_DIO_ALIGN &&
	    (nx = c->next) != NULL && nx->f == f && nx->done == 0 &&
	    nx->d - nx->mem == (ptrdiff_t)n) {
		/* A partial last block with more queued behind it: it goes
		 * with the next chunk's direct write, not through the page
		 * cache (nx->d sits exactly n bytes past a block boundary). */
		nx->d -= n;
		nx->off -= (off_t)n;
		nx->len += n;
		memcpy(nx->d, c->d + c->done, n);
		lf->qhead = nx;
		lf_chunk_free(lf, c);
		c = nx;
		o = c->off;
		n = c->len;
	}
	fd = f->fd;
	c->dio = false;
	if (f->dfd != -1) {
		mis = (size_t)(o % LF_DIO_ALIGN);
		if (mis != 0 && n > LF_DIO_ALIGN - mis)
			n = LF_DIO_ALIGN - mis;
		else if (mis == 0 && n >= LF_DIO_ALIGN) {
			n &= ~(size_t)(LF_DIO_ALIGN - 1);
			fd = f->dfd;
			c->dio = true;
		}
	}
	c->busy = true;
	if (uring_pwrite(fd, c->d + c->done, n, (uint64_t)o, lf_written,
	    lf) == 0)
		return;
	/* Every slot busy (never with two log files): write it now. */
	while ((w = write(fd, c->d + c->done, n)) == -1 && errno == EINTR)
		;
	lf_written(lf, w >= 0 ? (long)w : -errno);
}

static void
lf_queue_free(struct logfile *lf, bool count_lost)
{
	struct lf_chunk	*c;

	while ((c = lf->qhead) != NULL) {
		lf->qhead = c->next;
		if (count_lost)
			lf_drop(lf, (char *)c->d + c->done, c->len - c->done);
		lf_chunk_free(lf, c);
	}
	lf->qtail = NULL;
	lf->queued = 0;
}

/* As the synchronous path: the whole records already written stay, a
 * partial one is cut off (it may have begun in the chunk before, whose
 * last block rode with this one), the rest of the queue is lost and
 * counted. */
static void
lf_async_fail(struct logfile *lf, struct lf_chunk *c, int err)
{
	off_t	end = c->off + (off_t)c->done;
	size_t	cut;

	if (end > c->f->whole) {
		cut = (size_t)(end - c->f->whole);
		(void)ftruncate(c->f->fd, c->f->whole);
		lf->st.bytes -= cut;
		lf->st.lost_bytes += cut;
		lf->ep_lost_bytes += cut;
	}
	lf_queue_free(lf, true);
	lf_closefd(lf);
	lf_episode_start(lf, err, logfile_now());
}

static void
lf_written(void *arg, long res)
{
	struct logfile		*lf = arg;
	struct lf_chunk		*c = lf->qhead;
	const unsigned char	*nl;

	c->busy = false;
	if (res == -EINVAL && c->dio) {
		/* Direct I/O refused after all (another writer left the file
		 * unaligned): the page cache for this file from now on. */
		close(c->f->dfd);
		c->f->dfd = -1;
		lf_submit(lf);
		return;
	}
	if (res == -EAGAIN || res == -EINTR) {
		lf_submit(lf);
		return;
	}
	if (res <= 0) {
		lf_async_fail(lf, c, res == 0 ? ENOSPC : (int)-res);
		return;
	}
	if ((nl = memrchr(c->d + c->done, '\n', (size_t)res)) != NULL)
		c->f->whole = c->off + (off_t)(nl - c->d) + 1;
	c->done += (size_t)res;
	lf->queued -= (size_t)res;
	lf->st.bytes += (uint64_t)res;
	lf->st.writes++;
	if (c->dio)
		lf->st.direct_bytes += (uint64_t)res;
	if (c->done == c->len) {
		lf->qhead = c->next;
		if (lf->qhead == NULL)
			lf->qtail = NULL;
		lf_chunk_free(lf, c);
		/* Only whole batches end an episode: the first piece of one
		 * can fit on a disk that has no room for the rest. */
		if (lf->failing && lf->fd != -1)
			lf_episode_end(lf);
	}
	lf_submit(lf);
}

/* Chunks are all LF_CHUNK bytes (reused without page faults); a batch
 * fills the last one and goes on in new ones. Records may straddle chunks:
 * an error cuts back to the file's last whole record, wherever it is. */
static void
lf_queue(struct logfile *lf, const char *p, size_t len)
{
	struct lf_chunk	*c = lf->qtail;
	size_t		 room, n;

	while (len > 0) {
		if (c == NULL || c->busy || c->done > 0 ||
		    c->f != lf->file ||
		    (size_t)(c->d - c->mem) + c->len == LF_CHUNK) {
			c = lf_chunk_new(lf);
			if (lf->qtail != NULL)
				lf->qtail->next = c;
			else
				lf->qhead = c;
			lf->qtail = c;
		}
		room = LF_CHUNK - (size_t)(c->d - c->mem) - c->len;
		n = len < room ? len : room;
		memcpy(c->d + c->len, p, n);
		c->len += n;
		lf->file->qsize += (off_t)n;
		lf->queued += n;
		p += n;
		len -= n;
	}
	lf_submit(lf);
}

/* Waits until the queue is written (or dropped by an error); a caller
 * inside a completion callback cannot wait and leaves it queued. */
static void
lf_drain(struct logfile *lf)
{
	bool	was = lf->draining;

	lf->draining = true;
	lf_submit(lf);
	while (lf->qhead != NULL && uring_wait())
		;
	lf->draining = was;
}

void
logfile_sync(struct logfile *lf)
{
	lf_drain(lf);
}

static void
lf_sync_all(void)
{
	struct logfile	*lf;

	for (lf = lf_all; lf != NULL; lf = lf->next)
		lf_drain(lf);
}

int
logfile_write(struct logfile *lf, const void *data, size_t len, time_t when)
{
	const char	*p = data;
	char		 suffix[sizeof lf->suffix];
	time_t		 s, e;
	size_t		 off = 0, keep;
	ssize_t		 n;
	struct stat	 sb;
	const char	*nl;
	off_t		 pos;
	int		 err;

	if (len == 0)
		return 0;
	if (lf->rotate && (!lf->have_period || when < lf->pstart ||
	    when >= lf->pend)) {
		logfile_period_bounds(lf->period, when, suffix, sizeof suffix,
		    &s, &e);
		if (!lf->have_period || strcmp(suffix, lf->suffix) != 0) {
			lf_closefd(lf);
			memcpy(lf->suffix, suffix, sizeof suffix);
			/* A new period is worth trying at once. */
			lf->retry_at = when;
		}
		lf->pstart = s;
		lf->pend = e;
		lf->have_period = true;
	}

	if (lf->fd != -1 && when >= lf->check_at) {
		lf->check_at = when + 1;
		/* Written to a file nobody can see any more (removed, or its
		 * directory was): start a new one. */
		if (fstat(lf->fd, &sb) == 0 && sb.st_nlink == 0) {
			lf_closefd(lf);
			rec_cstr(log_fields(), "file", lf->cur[0] != '\0' ?
			    lf->cur : lf->path);
			log_write(LOG_WARN, NULL, "log file removed, reopening");
		}
	}
	if (lf->fd == -1) {
		if (lf->failing && when < lf->retry_at) {
			lf_drop(lf, p, len);
			return -1;
		}
		if (lf_openfile(lf, when) == -1) {
			err = errno;
			lf_drop(lf, p, len);
			lf_episode_start(lf, err, when);
			return -1;
		}
	}

	if (lf->async) {
		lf_queue(lf, p, len);
		/* Back-pressure when the disk cannot keep up. */
		while (lf->queued > lf_queue_max() && uring_wait())
			;
		uring_reap();
		return 0;
	}
	while (off < len) {
		n = write(lf->fd, p + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : ENOSPC;
			goto fail;
		}
		off += (size_t)n;
		lf->st.writes++;
	}
	lf->st.bytes += len;
	if (lf->failing)
		lf_episode_end(lf);
	return 0;

fail:
	/* Keep the whole records that made it; cut off a partial one so the
	 * file never holds half a line. */
	keep = 0;
	if (off > 0 && (nl = memrchr(p, '\n', off)) != NULL)
		keep = (size_t)(nl - p) + 1;
	if (off > keep && (pos = lseek(lf->fd, 0, SEEK_CUR)) != (off_t)-1)
		(void)ftruncate(lf->fd, pos - (off_t)(off - keep));
	lf->st.bytes += keep;
	lf_drop(lf, p + keep, len - keep);
	lf_closefd(lf);
	lf_episode_start(lf, err, when);
	return -1;
}

void
logfile_reopen(struct logfile *lf)
{
	lf_closefd(lf);
	lf->retry_at = 0;
}

void
logfile_reopen_all(void)
{
	struct logfile	*lf;

	for (lf = lf_all; lf != NULL; lf = lf->next)
		logfile_reopen(lf);
}

void
logfile_close(struct logfile *lf)
{
	struct logfile	**pp;
	struct lf_hook	 *h, *next;
	struct lf_chunk	 *c;
	struct timespec	  deadline, now;

	if (lf == NULL)
		return;
	for (pp = &lf_all; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == lf) {
			*pp = lf->next;
			break;
		}
	}
	/*
	 * A hook started by the last rotation is usually a few milliseconds
	 * from done: wait for it, bounded, so its result reaches the log
	 * instead of a "still running" line. A hanging one is left to init.
	 */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += LF_HOOK_EXIT_GRACE;
	for (;;) {
		for (h = lf->hooks; h != NULL; h = next) {
			next = h->next;
			lf_hook_drain(h);
			lf_hook_check(h);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (lf->hooks == NULL || now.tv_sec > deadline.tv_sec ||
		    (now.tv_sec == deadline.tv_sec &&
		    now.tv_nsec >= deadline.tv_nsec))
			break;
		nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
	}
	while (lf->hooks != NULL) {
		h = lf->hooks;
		rec_cstr(log_fields(), "hook", lf->hook);
		rec_cstr(log_fields(), "file", h->cur);
		rec_int(log_fields(), "pid", h->pid);
		log_write(LOG_WARN, NULL, "rotation hook still running at exit");
		lf_hook_free(h);
	}
	lf_drain(lf);
	lf_queue_free(lf, true);
	lf_closefd(lf);
	while ((c = lf->spare) != NULL) {
		lf->spare = c->next;
		munmap(c->mem, LF_CHUNK);
		free(c);
	}
	if (lf->hold_ev != NULL)
		event_free(lf->hold_ev);
	if (lf->trim_ev != NULL)
		event_free(lf->trim_ev);
	if (lf_all == NULL)
		uring_stop();
	free(lf->path);
	free(lf->dir);
	free(lf->hook);
	free(lf->cur);
	free(lf);
}
