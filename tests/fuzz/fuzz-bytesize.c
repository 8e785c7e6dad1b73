/* fuzz-bytesize.c - bytesize_parse on any text: -1 or a positive size,
 * and a size that parses again the same when written in bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	char		*s, again[32];
	long long	 v;

	if (n > 256)
		return 0;
	s = malloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	v = bytesize_parse(s);
	if (v < -1 || v == 0)
		abort();
	if (v > 0) {
		snprintf(again, sizeof again, "%lldB", v);
		if (bytesize_parse(again) != v)
			abort();
	}
	free(s);
	return 0;
}
