/* fuzz-pgvalue.c - any bytes as a binary Bind value of any rendered type.
 *
 * The first byte picks the type OID (the scalars and arrays pg-value.c
 * renders, and some it does not), the rest is the value. The renderer must
 * never read past the value, leak, or emit invalid JSON, and its text is
 * bounded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "emit.h"
#include "pg-value.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint32_t	fz_oids[] = {
	16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 30, 114, 142, 650, 700, 701,
	705, 774, 829, 869, 1042, 1043, 1082, 1083, 1114, 1184, 1186, 1266,
	1560, 1562, 1700, 2950, 3802, 1000, 1001, 1002, 1003, 1005, 1006,
	1007, 1009, 1013, 1014, 1015, 1016, 1021, 1022, 1028, 1041, 1115,
	1182, 1183, 1185, 1187, 1231, 1270, 1561, 1563, 199, 143, 2951, 3807,
	651, 1040, 775, 0, 600, 16384,
};

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct record	r;
	static struct buf	out;
	cJSON			*o;
	uint8_t			*v;

	if (n < 1)
		return 0;
	/* A copy of exactly the value, so a read past it is caught. */
	v = malloc(n - 1 ? n - 1 : 1);
	memcpy(v, p + 1, n - 1);
	rec_reset(&r);
	buf_reset(&out);
	rec_array_begin(&r, "v");
	pg_value_el(&r, fz_oids[p[0] % (sizeof fz_oids / sizeof fz_oids[0])],
	    1, v, n - 1);
	rec_array_end(&r);
	emit_json_value(&out, &r, &r.f[0].val, 0);
	free(v);
	/* at most 1 MB of text, or the hex; JSON escapes at most 6 for 1 */
	if (out.len > 6 * (1024 * 1024 + 2 * n) + 16)
		abort();
	o = cJSON_ParseWithLength(out.p, out.len);
	if (o == NULL)
		abort();
	cJSON_Delete(o);
	return 0;
}
