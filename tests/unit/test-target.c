/* test-target.c - target parsing, BPF generation (SPEC §5.1 table) and
 * matching, including the cases upstream never matched. */
#include <stdlib.h>

#include "target.h"
#include "test.h"

static void
bpf_is(const char *spec, const char *want, int line)
{
	struct target	t;
	char		err[256], *bpf;

	if (target_parse(&t, spec, err, sizeof err) != 0) {
		test_fail(__FILE__, line, "%s: %s", spec, err);
		return;
	}
	bpf = target_bpf(&t);
	if (strcmp(bpf, want) != 0)
		test_fail(__FILE__, line, "%s:\n   got: %s\n  want: %s", spec,
		    bpf, want);
	free(bpf);
	target_free(&t);
}

TEST(target_bpf_upstream_table)
{
	bpf_is("localhost:80", "tcp and ((host 127.0.0.1 and port 80))",
	    __LINE__);
	bpf_is("0.0.0.0:80", "tcp and ((port 80))", __LINE__);
	bpf_is("80", "tcp and ((port 80))", __LINE__);
	bpf_is("127.0.0.1", "tcp and ((host 127.0.0.1))", __LINE__);
	bpf_is("", "tcp", __LINE__);
	bpf_is("0.0.0.0:0", "tcp", __LINE__);
	bpf_is("0.0.0.0", "tcp", __LINE__);
	bpf_is("127.0.0.1||203.0.113.1",
	    "tcp and ((host 127.0.0.1) or (host 203.0.113.1))", __LINE__);
	bpf_is("127.0.0.1 || 203.0.113.1",
	    "tcp and ((host 127.0.0.1) or (host 203.0.113.1))", __LINE__);
	bpf_is("127.0.0.1:80 || 203.0.113.1:80",
	    "tcp and ((host 127.0.0.1 and port 80) or "
	    "(host 203.0.113.1 and port 80))", __LINE__);
	bpf_is("127.0.0.1:80 || 127.0.0.1:443",
	    "tcp and ((host 127.0.0.1 and port 80) or "
	    "(host 127.0.0.1 and port 443))", __LINE__);
	bpf_is("80 || 127.0.0.1:443",
	    "tcp and ((port 80) or (host 127.0.0.1 and port 443))", __LINE__);
	bpf_is("0.0.0.0 || 127.0.0.1:443", "tcp", __LINE__);
	/* Beyond upstream. */
	bpf_is(":3306", "tcp and ((port 3306))", __LINE__);
	bpf_is("[::1]:5432", "tcp and ((host ::1 and port 5432))", __LINE__);
	bpf_is("::1", "tcp and ((host ::1))", __LINE__);
	bpf_is("[::]:5432", "tcp and ((port 5432))", __LINE__);
}

TEST(target_errors)
{
	struct target	t;
	char		err[256];

	CHECK_INT(target_parse(&t, "x:y", err, sizeof err), -1);
	CHECK_STR(err, "address tcp/y: unknown port");
	CHECK_INT(target_parse(&t, "70000", err, sizeof err), -1);
	CHECK_INT(target_parse(&t, "[::1:5432", err, sizeof err), -1);
	CHECK_INT(target_parse(&t, "[::1]x", err, sizeof err), -1);
	CHECK_INT(target_parse(&t, "no-such-host.invalid", err, sizeof err),
	    -1);
}

TEST(target_match_fixed_cases)
{
	static const uint8_t	lo[16] = { 127, 0, 0, 1 };
	static const uint8_t	other[16] = { 10, 0, 0, 1 };
	static const uint8_t	lo6[16] = { [15] = 1 };
	struct target		t;
	char			err[256];

	CHECK_INT(target_parse(&t, "127.0.0.1", err, sizeof err), 0);
	CHECK(target_match(&t, 4, lo, 5555));
	CHECK(!target_match(&t, 4, other, 5555));
	target_free(&t);

	CHECK_INT(target_parse(&t, "0.0.0.0:3306", err, sizeof err), 0);
	CHECK(target_match(&t, 4, other, 3306));
	CHECK(target_match(&t, 6, lo6, 3306));
	CHECK(!target_match(&t, 4, other, 3307));
	target_free(&t);

	CHECK_INT(target_parse(&t, "[::1]:5432 || 10.0.0.1:80", err,
	    sizeof err), 0);
	CHECK_INT(t.n, 2);
	CHECK(target_match(&t, 6, lo6, 5432));
	CHECK(!target_match(&t, 4, lo, 5432));
	CHECK(target_match(&t, 4, other, 80));
	target_free(&t);

	CHECK_INT(target_parse(&t, "", err, sizeof err), 0);
	CHECK(!target_match(&t, 4, lo, 80));
	target_free(&t);
}

/* A name's other addresses are named in a warning, literals never. */
TEST(target_unwatched_addresses)
{
	struct target	 t;
	char		 err[256], *w;

	CHECK_INT(target_parse(&t, "127.0.0.1:5432 || [::1]:5432 || 3306",
	    err, sizeof err), 0);
	CHECK(target_unwatched(&t) == NULL);
	strcpy(t.parts[0].also, "::1");
	w = target_unwatched(&t);
	CHECK_STR(w, "the target's name resolves to 127.0.0.1 and also to ::1, "
	    "left unwatched (join them with || in the target to watch "
	    "them too)");
	free(w);
	strcpy(t.parts[1].also, "10.0.0.1, 10.0.0.2");
	w = target_unwatched(&t);
	CHECK(strstr(w, "; the target's name resolves to ::1 and also to "
	    "10.0.0.1, 10.0.0.2, left") != NULL);
	free(w);
	target_free(&t);
}
