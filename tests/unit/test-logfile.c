/* test-logfile.c - names, periods, retention and failure handling of log
 * files, with an injected clock. */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "logfile.h"
#include "test.h"

static int
tl_count(const char *dir, const char *prefix)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	int		 n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static int
tl_exists(const char *dir, const char *name)
{
	char	p[PATH_MAX];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static void
tl_touch(const char *dir, const char *name, time_t mtime)
{
	char		p[PATH_MAX];
	struct timespec	ts[2];
	int		fd;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (fd != -1)
		close(fd);
	ts[0].tv_sec = ts[1].tv_sec = mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, p, ts, 0);
}

static time_t
tl_utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	return mktime(&tm);	/* local time: tests run with TZ=UTC */
}

TEST(logfile_period_parse)
{
	enum logfile_period	p;

	CHECK_INT(logfile_period_parse("daily", &p), 0);
	CHECK_INT(p, LF_DAILY);
	CHECK_INT(logfile_period_parse("Hourly", &p), 0);
	CHECK_INT(p, LF_HOURLY);
	CHECK_INT(logfile_period_parse("minutely", &p), 0);
	CHECK_INT(p, LF_MINUTELY);
	CHECK_INT(logfile_period_parse("secondly", &p), -1);
	CHECK_INT(logfile_period_parse("", &p), -1);
	CHECK_INT(logfile_period_parse(NULL, &p), -1);
}

TEST(logfile_period_bounds)
{
	char	sfx[16];
	time_t	t = tl_utc(2026, 11, 26, 13, 37, 42), s, e;

	setenv("TZ", "UTC", 1);
	tzset();
	logfile_period_bounds(LF_DAILY, t, sfx, sizeof sfx, &s, &e);
	CHECK_STR(sfx, "20261126");
	CHECK_INT(s, tl_utc(2026, 11, 26, 0, 0, 0));
	CHECK_INT(e, tl_utc(2026, 11, 27, 0, 0, 0));
	logfile_period_bounds(LF_HOURLY, t, sfx, sizeof sfx, &s, &e);
	CHECK_STR(sfx, "2026112613");
	CHECK_INT(s, tl_utc(2026, 11, 26, 13, 0, 0));
	CHECK_INT(e, tl_utc(2026, 11, 26, 14, 0, 0));
	logfile_period_bounds(LF_MINUTELY, t, sfx, sizeof sfx, &s, &e);
	CHECK_STR(sfx, "202611261337");
	CHECK_INT(e - s, 60);
	/* Month and year ends. */
	t = tl_utc(2026, 12, 31, 23, 59, 59);
	logfile_period_bounds(LF_DAILY, t, sfx, sizeof sfx, &s, &e);
	CHECK_STR(sfx, "20261231");
	CHECK_INT(e, tl_utc(2027, 1, 1, 0, 0, 0));
	logfile_period_bounds(LF_DAILY, e, sfx, sizeof sfx, &s, &e);
	CHECK_STR(sfx, "20270101");
}

TEST(logfile_period_local_time)
{
	char	sfx[16];
	time_t	t, s, e;

	/* Aligned to local midnight, not UTC's. */
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	t = 1764167400;		/* 2025-11-26T14:30:00Z = 23:30 in Tokyo */
	logfile_period_bounds(LF_DAILY, t, sfx, sizeof sfx, &s, &e);
	CHECK_STR(sfx, "20251126");
	CHECK_INT(e, 1764169200);	/* 15:00Z = midnight in Tokyo */
	logfile_period_bounds(LF_DAILY, e, sfx, sizeof sfx, &s, &e);
	CHECK_STR(sfx, "20251127");

	/* A day with a DST change is 23 hours long. */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	t = 1774778400;		/* 2026-03-29T10:00:00Z */
	logfile_period_bounds(LF_DAILY, t, sfx, sizeof sfx, &s, &e);
	CHECK_STR(sfx, "20260329");
	CHECK_INT(e - s, 23 * 3600);
	setenv("TZ", "UTC", 1);
	tzset();
}

TEST(logfile_rotation_names_symlink)
{
	char		 dir[256], err[256], link[PATH_MAX], p[PATH_MAX];
	struct logfile	*lf;
	struct stat	 sb;
	ssize_t		 n;
	time_t		 t0 = tl_utc(2026, 11, 26, 13, 58, 30);
	int		 i;

	setenv("TZ", "UTC", 1);
	tzset();
	test_tmpdir(dir, sizeof dir, "lf");
	lf = logfile_open(dir, "dump.log", true, "minutely", -1, NULL, NULL,
	    err, sizeof err);
	CHECK(lf != NULL);
	if (lf == NULL)
		return;
	/* Nothing exists before the first record. */
	CHECK_INT(tl_count(dir, "dump.log"), 0);
	CHECK_STR(logfile_current(lf), "");
	for (i = 0; i < 5; i++) {
		CHECK_INT(logfile_write(lf, "a\n", 2, t0 + i * 30), 0);
	}
	/* 13:58:30, 13:59:00, 13:59:30, 14:00:00, 14:00:30 */
	CHECK(tl_exists(dir, "dump.log.202611261358"));
	CHECK(tl_exists(dir, "dump.log.202611261359"));
	CHECK(tl_exists(dir, "dump.log.202611261400"));
	CHECK_INT(tl_count(dir, "dump.log."), 3);
	snprintf(p, sizeof p, "%s/dump.log", dir);
	CHECK_INT(lstat(p, &sb), 0);
	CHECK(S_ISLNK(sb.st_mode));
	n = readlink(p, link, sizeof link - 1);
	CHECK(n > 0);
	link[n > 0 ? n : 0] = '\0';
	snprintf(p, sizeof p, "%s/dump.log.202611261400", dir);
	CHECK_STR(link, p);
	CHECK_STR(logfile_current(lf), p);
	CHECK_INT(stat(p, &sb), 0);
	CHECK_INT(sb.st_size, 4);
	CHECK_INT(logfile_period_end(lf, t0 + 121), tl_utc(2026, 11, 26, 14, 1, 0));
	logfile_close(lf);
	test_rmrf(dir);
}

TEST(logfile_no_rotation_appends)
{
	char		 dir[256], err[256], p[PATH_MAX];
	struct logfile	*lf;
	struct stat	 sb;

	test_tmpdir(dir, sizeof dir, "lf");
	lf = logfile_open(dir, "tcpdp.log", false, "bogus", 7, NULL, NULL,
	    err, sizeof err);
	CHECK(lf != NULL);
	if (lf == NULL)
		return;
	CHECK_INT(logfile_write(lf, "one\n", 4, 1000), 0);
	CHECK_INT(logfile_write(lf, "two\n", 4, 1000 + 86400 * 3), 0);
	logfile_close(lf);
	lf = logfile_open(dir, "tcpdp.log", false, NULL, 7, NULL, NULL,
	    err, sizeof err);
	CHECK(lf != NULL);
	if (lf != NULL) {
		CHECK_INT(logfile_write(lf, "three\n", 6, 1000), 0);
		logfile_close(lf);
	}
	snprintf(p, sizeof p, "%s/tcpdp.log", dir);
	CHECK_INT(lstat(p, &sb), 0);
	CHECK(S_ISREG(sb.st_mode));
	CHECK_INT(sb.st_size, 14);
	CHECK_INT(sb.st_mode & 0777, 0644 & ~0022);
	CHECK_INT(tl_count(dir, ""), 3);	/* ., .. and the file */
	test_rmrf(dir);
}

TEST(logfile_open_errors)
{
	char		 dir[256], err[256] = "", p[PATH_MAX];
	struct logfile	*lf;

	test_tmpdir(dir, sizeof dir, "lf");
	lf = logfile_open(dir, "x.log", true, "weekly", 7, NULL, NULL, err,
	    sizeof err);
	CHECK(lf == NULL);
	CHECK(strstr(err, "daily, hourly, minutely") != NULL);
	/* A file where the directory should be. */
	snprintf(p, sizeof p, "%s/file", dir);
	tl_touch(dir, "file", time(NULL));
	lf = logfile_open(p, "x.log", true, "daily", 7, NULL, NULL, err,
	    sizeof err);
	CHECK(lf == NULL);
	CHECK(strstr(err, "log directory") != NULL);
	/* A missing directory is made. */
	snprintf(p, sizeof p, "%s/a/b", dir);
	lf = logfile_open(p, "x.log", true, "daily", 7, NULL, NULL, err,
	    sizeof err);
	CHECK(lf != NULL);
	logfile_close(lf);
	test_rmrf(dir);
}

TEST(logfile_retention_count)
{
	char	dir[256], p[PATH_MAX];

	test_tmpdir(dir, sizeof dir, "lf");
	tl_touch(dir, "dump.log.20261120", 1);
	tl_touch(dir, "dump.log.20261121", 1);
	tl_touch(dir, "dump.log.20261122", 1);
	tl_touch(dir, "dump.log.20261123", 1);
	tl_touch(dir, "dump.log.20261119_lock", 1);
	tl_touch(dir, "dump.log.notes", 1);
	tl_touch(dir, "dump.logx.20261101", 1);
	tl_touch(dir, "tcpdp.log.20261101", 1);
	snprintf(p, sizeof p, "%s/dump.log", dir);
	CHECK_INT(logfile_retain(p, 2, 100), 2);
	CHECK(!tl_exists(dir, "dump.log.20261120"));
	CHECK(!tl_exists(dir, "dump.log.20261121"));
	CHECK(tl_exists(dir, "dump.log.20261122"));
	CHECK(tl_exists(dir, "dump.log.20261123"));
	CHECK(tl_exists(dir, "dump.log.20261119_lock"));
	CHECK(tl_exists(dir, "dump.log.notes"));
	CHECK(tl_exists(dir, "dump.logx.20261101"));
	CHECK(tl_exists(dir, "tcpdp.log.20261101"));
	/* Negative keeps everything. */
	CHECK_INT(logfile_retain(p, -1, 100), 0);
	CHECK_INT(logfile_retain(p, 1, 100), 1);
	CHECK(tl_exists(dir, "dump.log.20261123"));
	test_rmrf(dir);
}

TEST(logfile_retention_age)
{
	char	dir[256], p[PATH_MAX];
	time_t	now = 1800000000;

	test_tmpdir(dir, sizeof dir, "lf");
	tl_touch(dir, "dump.log.20261101", now - 8 * 86400);
	tl_touch(dir, "dump.log.20261102", now - 7 * 86400 - 1);
	tl_touch(dir, "dump.log.20261110", now - 6 * 86400);
	tl_touch(dir, "dump.log.20261111", now);
	snprintf(p, sizeof p, "%s/dump.log", dir);
	CHECK_INT(logfile_retain(p, 0, now), 2);
	CHECK(!tl_exists(dir, "dump.log.20261101"));
	CHECK(!tl_exists(dir, "dump.log.20261102"));
	CHECK(tl_exists(dir, "dump.log.20261110"));
	CHECK(tl_exists(dir, "dump.log.20261111"));
	test_rmrf(dir);
}

TEST(logfile_retention_on_rotation)
{
	char		 dir[256], err[256];
	struct logfile	*lf;
	time_t		 t0 = tl_utc(2026, 11, 26, 10, 0, 0);
	int		 i;

	test_tmpdir(dir, sizeof dir, "lf");
	lf = logfile_open(dir, "d.log", true, "hourly", 3, NULL, NULL, err,
	    sizeof err);
	CHECK(lf != NULL);
	if (lf == NULL)
		return;
	for (i = 0; i < 6; i++)
		CHECK_INT(logfile_write(lf, "x\n", 2, t0 + i * 3600), 0);
	/* The current file counts: three remain, the newest ones. */
	CHECK_INT(tl_count(dir, "d.log."), 3);
	CHECK(tl_exists(dir, "d.log.2026112613"));
	CHECK(tl_exists(dir, "d.log.2026112614"));
	CHECK(tl_exists(dir, "d.log.2026112615"));
	logfile_close(lf);
	test_rmrf(dir);
}

TEST(logfile_dir_removed)
{
	char		 dir[256], err[256], p[PATH_MAX];
	struct logfile	*lf;
	struct stat	 sb;

	test_tmpdir(dir, sizeof dir, "lf");
	lf = logfile_open(dir, "d.log", false, NULL, 0, NULL, NULL, err,
	    sizeof err);
	CHECK(lf != NULL);
	if (lf == NULL)
		return;
	CHECK_INT(logfile_write(lf, "a\n", 2, 100), 0);
	test_rmrf(dir);
	/* Within the same second the old descriptor is still used. */
	CHECK_INT(logfile_write(lf, "b\n", 2, 100), 0);
	/* The next check notices, makes the directory and a new file. */
	CHECK_INT(logfile_write(lf, "c\n", 2, 102), 0);
	snprintf(p, sizeof p, "%s/d.log", dir);
	CHECK_INT(stat(p, &sb), 0);
	CHECK_INT(sb.st_size, 2);
	logfile_close(lf);
	test_rmrf(dir);
}
