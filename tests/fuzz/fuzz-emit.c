/* fuzz-emit.c - any bytes as string values and array elements: every
 * encoding stays within bounds and JSON output always parses. */
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "emit.h"
#include "record.h"
#include "vis.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct record	r;
	static struct buf	b;
	size_t			half = n / 2, i;
	cJSON			*o;

	rec_reset(&r);
	buf_reset(&b);
	rec_str(&r, "k", p, half);
	rec_array_begin(&r, "a");
	rec_el_str(&r, p + half, n - half);
	rec_el_int(&r, (int64_t)n);
	rec_array_end(&r);
	emit_record(&b, &r, FMT_LTSV);
	buf_reset(&b);
	/* Console: a terminal must see no raw control byte (C0, DEL, C1),
	 * and the object is JSON. */
	emit_record(&b, &r, FMT_CONSOLE);
	for (i = 0; i + 1 < b.len; i++) {
		unsigned char c = (unsigned char)b.p[i];

		if (c < 0x20 || c == 0x7f || (c == 0xc2 &&
		    (unsigned char)b.p[i + 1] >= 0x80 &&
		    (unsigned char)b.p[i + 1] < 0xa0))
			abort();
	}
	buf_addc(&b, '\0');
	if ((o = cJSON_Parse(b.p)) == NULL)
		abort();
	cJSON_Delete(o);
	buf_reset(&b);
	emit_record(&b, &r, FMT_JSON);
	buf_addc(&b, '\0');
	if ((o = cJSON_Parse(b.p)) == NULL)
		abort();
	cJSON_Delete(o);
	buf_reset(&b);
	vis_term(&b, (const char *)p, n, 80);
	return 0;
}
