/* main.c - unit-test runner. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "test.h"

static struct test	*tests, **tail = &tests;
static int		 cur_failed;

void
test_tmpdir(char *out, size_t len, const char *prefix)
{
	const char	*t = getenv("TCPDP_TMP");

	snprintf(out, len, "%s/%s.XXXXXX", t != NULL ? t : "/tmp", prefix);
	if (mkdtemp(out) == NULL)
		out[0] = '\0';
}

void
test_rmrf(const char *dir)
{
	char	cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		/* left for the test run's cleanup */
	}
}

void
test_register(struct test *t)
{
	*tail = t;
	tail = &t->next;
}

void
test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cur_failed = 1;
}

size_t
test_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t	n = 0;
	int	hi = -1, v;

	for (; *hex; hex++) {
		char c = *hex;
		if (c >= '0' && c <= '9') v = c - '0';
		else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
		else continue;
		if (hi < 0)
			hi = v;
		else {
			if (n < cap)
				out[n] = (uint8_t)(hi << 4 | v);
			n++;
			hi = -1;
		}
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct test	*t;
	int		 passed = 0, failed = 0;

	setenv("TZ", "UTC", 1);
	for (t = tests; t != NULL; t = t->next) {
		if (argc > 1 && strstr(t->name, argv[1]) == NULL)
			continue;
		cur_failed = 0;
		t->fn();
		if (cur_failed) {
			printf("FAIL: unit/%s\n", t->name);
			failed++;
		} else {
			printf("PASS: unit/%s\n", t->name);
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
