/* test-daemon.c - the pidfile: live pids refuse, stale ones are replaced,
 * our own newline-terminated file parses. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "test.h"

static void
td_put(const char *p, const char *s)
{
	FILE	*f = fopen(p, "w");

	if (f != NULL) {
		fputs(s, f);
		fclose(f);
	}
}

TEST(pidfile)
{
	const char	*t = getenv("TCPDP_TMP");
	char		 p[PATH_MAX], err[256], buf[64], want[64];
	FILE		*f;
	size_t		 n;

	snprintf(p, sizeof p, "%s/test-%ld.pid", t != NULL ? t : "/tmp",
	    (long)getpid());
	/* A live process (our parent) holds it, written the way we do. */
	snprintf(buf, sizeof buf, "%ld\n", (long)getppid());
	td_put(p, buf);
	CHECK_INT(pidfile_write(p, err, sizeof err), -1);
	snprintf(want, sizeof want, "pid already running: %ld", (long)getppid());
	CHECK_STR(err, want);
	/* Stale or garbage: replaced. */
	td_put(p, "2147483646\n");
	CHECK_INT(pidfile_write(p, err, sizeof err), 0);
	f = fopen(p, "r");
	CHECK(f != NULL);
	if (f != NULL) {
		n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = '\0';
		fclose(f);
		snprintf(want, sizeof want, "%ld\n", (long)getpid());
		CHECK_STR(buf, want);
	}
	pidfile_remove();
	CHECK(access(p, F_OK) == -1);
	td_put(p, "12abc\n");
	CHECK_INT(pidfile_write(p, err, sizeof err), 0);
	/* Someone else's pid now: not ours to delete. */
	snprintf(buf, sizeof buf, "%ld\n", (long)getppid());
	td_put(p, buf);
	pidfile_remove();
	CHECK(access(p, F_OK) == 0);
	unlink(p);
	snprintf(p, sizeof p, "/nonexistent-dir/x.pid");
	CHECK_INT(pidfile_write(p, err, sizeof err), -1);
	CHECK(strstr(err, "can not write /nonexistent-dir/x.pid") != NULL);
}
