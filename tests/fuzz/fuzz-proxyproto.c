/* fuzz-proxyproto.c - pp_parse on any bytes, from an exactly sized heap
 * copy so ASan sees an over-read. A header that parses must claim no more
 * bytes than it was given, name printable addresses, and parse the same
 * way from every longer buffer (a prefix answers PP_MORE, never OK with a
 * different length). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxyproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_text(const char *s)
{
	size_t	i, n = strnlen(s, ADDR_STRLEN);

	if (n == ADDR_STRLEN)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct pp_result	 r, r2;
	enum pp_status		 st, st2;
	uint8_t			*copy;

	copy = malloc(n ? n : 1);
	memcpy(copy, p, n);
	st = pp_parse(copy, n, &r);
	switch (st) {
	case PP_OK:
		if (r.len == 0 || r.len > n)
			abort();
		check_text(r.src);
		check_text(r.dst);
		/* An unnamed unix socket has an empty address: no check. */
		/* The header alone must parse to the same result. */
		st2 = pp_parse(copy, r.len, &r2);
		if (st2 != PP_OK || r2.len != r.len ||
		    strcmp(r.src, r2.src) != 0 || strcmp(r.dst, r2.dst) != 0)
			abort();
		break;
	case PP_ERROR:
		if (r.err == NULL)
			abort();
		break;
	case PP_NONE:
	case PP_MORE:
		break;
	default:
		abort();
	}
	free(copy);
	return 0;
}
