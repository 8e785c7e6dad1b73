/* test-logfile-async.c - log files written through io_uring: the file
 * holds exactly what was handed over, in order, whatever the batch sizes
 * and alignments; rotation hands over a whole previous file; close waits;
 * a busy log is written in whole chunks, a quiet one within moments. */
#include <sys/resource.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "logfile.h"
#include "test.h"
#include "uring.h"

/* The whole file, or NULL. */
static char *
ta_slurp(const char *path, size_t *len)
{
	FILE		*f = fopen(path, "r");
	struct stat	 sb;
	char		*p;

	if (f == NULL || fstat(fileno(f), &sb) == -1) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	p = malloc((size_t)sb.st_size + 1);
	*len = fread(p, 1, (size_t)sb.st_size, f);
	fclose(f);
	return p;
}

/* Whether the directory's filesystem takes O_DIRECT at all. */
static bool
ta_dio_ok(const char *dir)
{
	char	p[PATH_MAX];
	int	fd;

	snprintf(p, sizeof p, "%s/.dio-probe", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_DIRECT, 0600);
	if (fd != -1)
		close(fd);
	unlink(p);
	return fd != -1;
}

/* Runs the loop for ms milliseconds. */
static void
ta_run(struct event_base *base, long ms)
{
	struct timeval	tv = { ms / 1000, ms % 1000 * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* What every test here sets up: a directory, a loop, two buffers. */
struct ta {
	char			 dir[256];
	struct event_base	*base;
	struct buf		 all;	/* everything handed over */
	struct buf		 b;	/* the batch at hand */
	unsigned		 seq;	/* of the next line */
};

static void
ta_begin(struct ta *t)
{
	test_tmpdir(t->dir, sizeof t->dir, "lfa");
	t->base = event_base_new();
	buf_init(&t->all);
	buf_init(&t->b);
	t->seq = 0;
}

static void
ta_end(struct ta *t, struct logfile *lf)
{
	if (lf != NULL)
		logfile_close(lf);
	buf_free(&t->all);
	buf_free(&t->b);
	event_base_free(t->base);
	test_rmrf(t->dir);
}

/* Opens NAME in the test's directory (checked). */
static struct logfile *
ta_open(struct ta *t, const char *name, bool rotate, const char *period)
{
	char		 err[256];
	struct logfile	*lf;

	lf = logfile_open(t->dir, name, rotate, period, -1, NULL,
	    t->base, err, sizeof err);
	CHECK(lf != NULL);
	if (lf == NULL)
		printf("  %s\n", err);
	return lf;
}

/* Batches of whole lines, n bytes or a little more. */
static void
ta_batch(struct buf *b, size_t n, unsigned *seq)
{
	char	line[96];
	size_t	start = b->len;
	int	k;

	while (b->len - start < n) {
		k = snprintf(line, sizeof line, "{\"seq\":%u,\"pad\":\"%.*s\"}\n",
		    *seq, (int)(*seq % 37), "abcdefghijklmnopqrstuvwxyz0123456789");
		buf_add(b, line, (size_t)k);
		(*seq)++;
	}
}

TEST(logfile_async_file_equals_batches)
{
	struct ta		 t;
	char			 p[PATH_MAX];
	struct logfile		*lf;
	struct logfile_stats	 st;
	/* Sizes around the chunk and block sizes, and tiny ones. */
	static const size_t	 sizes[] = { 1, 4000, 300000, 5000, 1048000,
	    3 * 1048576 + 17, 40, 4096, 8191, 262144, 700000, 100, 2000000,
	    3, 65536, 1048576, 12345 };
	size_t			 i, flen = 0, pre = 1000, prelen;
	char			*got;
	int			 fd;

	ta_begin(&t);
	/* An existing file of an unaligned size: appended to. */
	ta_batch(&t.all, pre, &t.seq);
	prelen = t.all.len;
	snprintf(p, sizeof p, "%s/d.log", t.dir);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	CHECK(fd != -1 && write(fd, t.all.p, t.all.len) == (ssize_t)t.all.len);
	close(fd);
	if ((lf = ta_open(&t, "d.log", false, NULL)) == NULL)
		goto out;
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		buf_reset(&t.b);
		ta_batch(&t.b, sizes[i], &t.seq);
		buf_add(&t.all, t.b.p, t.b.len);
		CHECK_INT(logfile_write(lf, t.b.p, t.b.len, logfile_now()), 0);
		/* Let some completions come through the loop, not all. */
		if (i % 3 == 0)
			event_base_loop(t.base, EVLOOP_NONBLOCK);
	}
	logfile_sync(lf);
	logfile_stats(lf, &st);
	got = ta_slurp(p, &flen);
	CHECK(got != NULL);
	CHECK_INT(flen, t.all.len);
	CHECK(got != NULL && flen == t.all.len &&
	    memcmp(got, t.all.p, t.all.len) == 0);
	CHECK_INT((size_t)st.bytes, t.all.len - prelen);
	if (uring_on() && ta_dio_ok(t.dir))
		CHECK(st.direct_bytes > t.all.len / 2);
	else
		printf("  (io_uring or O_DIRECT unavailable here: %s path)\n",
		    uring_on() ? "buffered" : "synchronous");
	free(got);
out:
	ta_end(&t, lf);
}

TEST(logfile_async_rotation_hands_over_whole_file)
{
	struct ta		 t;
	char			 p[PATH_MAX];
	struct logfile		*lf;
	struct stat		 sb;
	time_t			 t0 = 1795000000 - 1795000000 % 60;

	ta_begin(&t);
	setenv("TZ", "UTC", 1);
	tzset();
	if ((lf = ta_open(&t, "r.log", true, "minutely")) == NULL)
		goto out;
	ta_batch(&t.b, 3 * 1048576, &t.seq);
	CHECK_INT(logfile_write(lf, t.b.p, t.b.len, t0 + 5), 0);
	snprintf(p, sizeof p, "%s", logfile_current(lf));
	/* The next period's first write: the previous file is complete
	 * before the new one is announced (hook, retention). */
	CHECK_INT(logfile_write(lf, "x\n", 2, t0 + 65), 0);
	CHECK_INT(stat(p, &sb), 0);
	CHECK_INT((size_t)sb.st_size, t.b.len);
	CHECK(strcmp(p, logfile_current(lf)) != 0);
	/* Close waits for what is queued. */
	CHECK_INT(logfile_write(lf, t.b.p, t.b.len, t0 + 66), 0);
	snprintf(p, sizeof p, "%s", logfile_current(lf));
	logfile_close(lf);
	lf = NULL;
	CHECK_INT(stat(p, &sb), 0);
	CHECK_INT((size_t)sb.st_size, t.b.len + 2);
out:
	ta_end(&t, lf);
}

/*
 * A write error (the file size limit here, a full disk in production) in
 * the middle of queued batches: the file keeps whole records only, even
 * when the record cut in two began in a batch already written, and the
 * loss is counted.
 */
TEST(logfile_async_error_leaves_whole_records)
{
	struct ta		 t;
	char			 p[PATH_MAX];
	struct logfile		*lf;
	struct logfile_stats	 st;
	struct rlimit		 old, lim;
	char			*got;
	size_t			 flen = 0;
	int			 i;

	ta_begin(&t);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 3 * 4096;	/* a block boundary */
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
	if ((lf = ta_open(&t, "e.log", false, NULL)) == NULL)
		goto out;
	for (i = 0; i < 200; i++) {
		buf_reset(&t.b);
		ta_batch(&t.b, 250, &t.seq);
		buf_add(&t.all, t.b.p, t.b.len);
		logfile_write(lf, t.b.p, t.b.len, logfile_now());
		nanosleep(&(struct timespec){ 0, 200000 }, NULL);
		/* A small queue waits LF_HOLD_US: let it go now and then,
		 * so the failing write is not the first. */
		if (i % 50 == 49)
			ta_run(t.base, 60);
	}
	logfile_sync(lf);
	logfile_stats(lf, &st);
	setrlimit(RLIMIT_FSIZE, &old);
	snprintf(p, sizeof p, "%s/e.log", t.dir);
	got = ta_slurp(p, &flen);
	CHECK(got != NULL);
	CHECK(flen > 0 && flen <= lim.rlim_cur);
	/* A prefix of what was handed over, ending with a whole line. */
	CHECK(got != NULL && flen <= t.all.len &&
	    memcmp(got, t.all.p, flen) == 0);
	CHECK(flen > 0 && got != NULL && got[flen - 1] == '\n');
	CHECK(st.lost_records > 0);
	CHECK_INT(st.bytes, flen);
	CHECK_INT(st.bytes + st.lost_bytes, t.all.len);
	free(got);
out:
	ta_end(&t, lf);
}

static size_t
ta_size(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 ? (size_t)sb.st_size : 0;
}

static double
ta_ms(const struct timespec *a)
{
	struct timespec	b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/*
 * A busy capture hands over a few hundred KB every few milliseconds: they
 * go out in 1 MB writes, not a write each (which costs twice the kernel
 * time per byte). A quiet log's small batch waits a moment for company,
 * then is written without any more coming.
 */
TEST(logfile_async_busy_log_writes_whole_chunks)
{
	struct ta		 t;
	char			 p[PATH_MAX];
	struct logfile		*lf;
	struct logfile_stats	 st;
	struct timespec		 t0;
	size_t			 flen = 0, small;
	char			*got;
	int			 i;

	ta_begin(&t);
	if ((lf = ta_open(&t, "w.log", false, NULL)) == NULL)
		goto out;
	snprintf(p, sizeof p, "%s/w.log", t.dir);
	if (!uring_on()) {
		printf("  (io_uring unavailable here: synchronous path)\n");
		goto out;
	}
	for (i = 0; i < 20; i++) {
		buf_reset(&t.b);
		ta_batch(&t.b, 300000, &t.seq);
		buf_add(&t.all, t.b.p, t.b.len);
		CHECK_INT(logfile_write(lf, t.b.p, t.b.len, logfile_now()), 0);
		event_base_loop(t.base, EVLOOP_NONBLOCK);
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	}
	/* A backlog: 12 MB at once, more than the disk takes at once. */
	buf_reset(&t.b);
	ta_batch(&t.b, 12 * 1048576, &t.seq);
	buf_add(&t.all, t.b.p, t.b.len);
	CHECK_INT(logfile_write(lf, t.b.p, t.b.len, logfile_now()), 0);
	logfile_stats(lf, &st);
	CHECK(st.queue_mem >= 12 * 1048576);
	logfile_sync(lf);
	logfile_stats(lf, &st);
	/* 18 MB: 18 chunks, a page-cache write of a last partial block
	 * perhaps, and the drained rest; a write per batch is 32. */
	CHECK(st.writes <= 22);
	if (st.writes > 22)
		printf("  %llu writes for %zu bytes\n",
		    (unsigned long long)st.writes, t.all.len);
	/* The backlog's memory is kept a while for the next one, then
	 * goes back but for a few chunks. */
	CHECK(st.queue_mem >= 8 * 1048576);
	ta_run(t.base, 5300);
	logfile_stats(lf, &st);
	CHECK(st.queue_mem <= 4 * 1048576);

	/* Quiet: nothing written within 10 ms, all of it soon after. */
	small = t.all.len;
	buf_reset(&t.b);
	ta_batch(&t.b, 10000, &t.seq);
	buf_add(&t.all, t.b.p, t.b.len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(logfile_write(lf, t.b.p, t.b.len, logfile_now()), 0);
	nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	event_base_loop(t.base, EVLOOP_NONBLOCK);
	CHECK_INT(ta_size(p), small);
	while (ta_size(p) < t.all.len && ta_ms(&t0) < 3000)
		ta_run(t.base, 5);
	CHECK_INT(ta_size(p), t.all.len);
	CHECK(ta_ms(&t0) >= 40);
	got = ta_slurp(p, &flen);
	CHECK(got != NULL && flen == t.all.len &&
	    memcmp(got, t.all.p, t.all.len) == 0);
	free(got);
out:
	ta_end(&t, lf);
}
