/* test-log.c - the internal log's file sink: JSON and LTSV layouts, levels,
 * bad settings. */
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "test.h"

static size_t
tg_read(const char *dir, const char *name, char *out, size_t cap)
{
	char	p[PATH_MAX];
	FILE	*f;
	size_t	n;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	if ((f = fopen(p, "r")) == NULL)
		return 0;
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
	return n;
}

static int
tg_match(const char *s, const char *re)
{
	regex_t	r;
	int	rc;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	rc = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return rc;
}

static void
tg_cfg(struct config_log *c, char *dir, char *fmt)
{
	memset(c, 0, sizeof *c);
	c->dir = dir;
	c->enable = true;
	c->stdout_ = false;
	c->format = fmt;
	c->rotate_enable = false;
	c->rotation_time = (char *)"daily";
	c->rotation_count = 7;
	c->file_name = (char *)"tcpdp.log";
}

TEST(log_json_file)
{
	char			dir[256], buf[4096];
	struct config_log	c;

	test_tmpdir(dir, sizeof dir, "log");
	tg_cfg(&c, dir, (char *)"json");
	CHECK_INT(log_open(&c, NULL), 0);
	rec_cstr(log_fields(), "dumper", "hex");
	rec_bool(log_fields(), "use_server_starter", false);
	log_write(LOG_INFO, NULL, "Starting proxy. a <-> b");
	log_write(LOG_DEBUG, NULL, "not in the file");
	rec_cstr(log_fields(), "error", "x\"y");
	log_write(LOG_ERROR, "server/proxy.go:158", "strCon Read error");
	log_close();
	tg_read(dir, "tcpdp.log", buf, sizeof buf);
	CHECK(tg_match(buf, "^\\{\"level\":\"info\",\"ts\":\"[0-9-]{10}T"
	    "[0-9:]{8}\\.[0-9]{3}Z\",\"msg\":\"Starting proxy. a <-> b\","
	    "\"dumper\":\"hex\",\"use_server_starter\":false\\}\n"
	    "\\{\"level\":\"error\",\"ts\":\"[^\"]+\",\"caller\":"
	    "\"server/proxy.go:158\",\"msg\":\"strCon Read error\","
	    "\"error\":\"x\\\\\"y\"\\}\n$"));
	if (!tg_match(buf, "^\\{\"level\":\"info\""))
		printf("got: %s\n", buf);
	test_rmrf(dir);
}

TEST(log_ltsv_file)
{
	char			dir[256], buf[4096];
	struct config_log	c;

	test_tmpdir(dir, sizeof dir, "log");
	tg_cfg(&c, dir, (char *)"LTSV");
	CHECK_INT(log_open(&c, NULL), 0);
	rec_cstr(log_fields(), "dumper", "mysql");
	rec_int(log_fields(), "n", 3);
	log_write(LOG_WARN, "a.go:1", "hello");
	log_close();
	tg_read(dir, "tcpdp.log", buf, sizeof buf);
	CHECK(tg_match(buf, "^ts:[0-9-]{10}T[0-9:]{8}\\.[0-9]{3}Z\tlevel:warn\t"
	    "caller:a.go:1\tmsg:hello\tdumper:mysql\tn:3\n$"));
	test_rmrf(dir);
}

TEST(log_bad_settings)
{
	char			dir[256];
	struct config_log	c;

	test_tmpdir(dir, sizeof dir, "log");
	tg_cfg(&c, dir, (char *)"xml");
	CHECK_INT(log_open(&c, NULL), -1);
	log_close();
	tg_cfg(&c, dir, (char *)"json");
	c.rotate_enable = true;
	c.rotation_time = (char *)"weekly";
	CHECK_INT(log_open(&c, NULL), -1);
	log_close();
	/* The file sink off: any format is fine (it is never used). */
	tg_cfg(&c, dir, (char *)"xml");
	c.enable = false;
	CHECK_INT(log_open(&c, NULL), 0);
	log_close();
	CHECK(access(dir, F_OK) == 0);
	test_rmrf(dir);
}

/* Console lines go to a terminal: a message or a field quoting a peer or
 * a file name must not carry raw control bytes (ESC, BEL, DEL, C1). */
TEST(log_console_terminal_safe)
{
	char		 path[PATH_MAX], buf[4096];
	const char	*t = getenv("TCPDP_TMP");
	FILE		*f;
	size_t		 n, i;
	int		 fd, saved;

	snprintf(path, sizeof path, "%s/logcons.XXXXXX", t ? t : "/tmp");
	if ((fd = mkstemp(path)) == -1) {
		CHECK(0);
		return;
	}
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	rec_cstr(log_fields(), "error", "bad \x1b]0;owned\x07 \xc2\x9b" "2J\x7f");
	log_write(LOG_WARN, "x\x1b[1m.go:1", "read \x1b[2Jfile\x7f\xc2\x9b: x");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	f = fopen(path, "r");
	n = f != NULL ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f != NULL)
		fclose(f);
	unlink(path);
	buf[n] = '\0';
	CHECK(n > 0 && buf[n - 1] == '\n');
	for (i = 0; i + 1 < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f ||
		    (c == 0xc2 && (unsigned char)buf[i + 1] >= 0x80 &&
		    (unsigned char)buf[i + 1] < 0xa0))
			test_fail(__FILE__, __LINE__, "raw control at %zu: %s",
			    i, buf);
	}
	CHECK(strstr(buf, "read ^[[2Jfile^?") != NULL);
	CHECK(strstr(buf, "\\u001b]0;owned\\u0007 \\u009b2J\\u007f") != NULL);
}
