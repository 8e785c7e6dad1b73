/* test.h - a minimal unit-test harness: TEST(name) { ... } registers a
 * test; CHECK* macros record failures and keep going. The runner
 * (tests/unit/main.c) runs all tests, or those whose name contains argv[1]. */
#ifndef TCPDP_TEST_H
#define TCPDP_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct test {
	const char	*name;
	void		(*fn)(void);
	struct test	*next;
};

void	test_register(struct test *);
void	test_fail(const char *file, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Hex string ("14 00 0a" or "14000a") to bytes; returns length. */
size_t	test_unhex(const char *hex, uint8_t *out, size_t cap);
/* A fresh directory PREFIX.XXXXXX under TCPDP_TMP or /tmp ("" on failure),
 * and its removal (what fails is left to the test run's cleanup). */
void	test_tmpdir(char *out, size_t len, const char *prefix);
void	test_rmrf(const char *dir);

#define TEST(n)								\
	static void test_fn_##n(void);					\
	static struct test test_##n = { #n, test_fn_##n, NULL };	\
	__attribute__((constructor)) static void test_reg_##n(void)	\
	{ test_register(&test_##n); }					\
	static void test_fn_##n(void)

#define CHECK(c) do { if (!(c))						\
	test_fail(__FILE__, __LINE__, "CHECK(%s)", #c); } while (0)

#define CHECK_INT(a, b) do {						\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ != b_) test_fail(__FILE__, __LINE__,			\
	    "%s == %lld, expected %lld", #a, a_, b_); } while (0)

#define CHECK_STR(a, b) do {						\
	const char *a_ = (a), *b_ = (b);				\
	if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)		\
		test_fail(__FILE__, __LINE__, "%s:\n   got: %s\n  want: %s", \
		    #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)

#define CHECK_MEM(a, alen, b, blen) do {				\
	size_t al_ = (alen), bl_ = (blen);				\
	if (al_ != bl_ || memcmp((a), (b), al_) != 0)			\
		test_fail(__FILE__, __LINE__, "%s: %zu bytes differ from %zu", \
		    #a, al_, bl_); } while (0)

#endif
