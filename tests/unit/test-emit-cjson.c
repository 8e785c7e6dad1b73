/* test-emit-cjson.c - every JSON line we write is valid JSON that cJSON
 * reads back to the same strings (for valid UTF-8 input), whatever bytes
 * the values hold. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "emit.h"
#include "record.h"
#include "vis.h"
#include "test.h"

static uint32_t	rng = 12345;

static uint32_t
rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

TEST(emit_json_valid_for_random_bytes)
{
	struct record	 r;
	struct buf	 b;
	uint8_t		 s[64];
	int		 i, j, n, bad = 0;
	cJSON		*o;

	rec_init(&r);
	buf_init(&b);
	for (i = 0; i < 5000; i++) {
		n = (int)(rnd() % sizeof s);
		for (j = 0; j < n; j++)
			s[j] = (uint8_t)rnd();
		rec_reset(&r);
		buf_reset(&b);
		rec_str(&r, "k", s, (size_t)n);
		rec_array_begin(&r, "a");
		rec_el_str(&r, s, (size_t)n);
		rec_array_end(&r);
		emit_record(&b, &r, FMT_JSON);
		buf_addc(&b, '\0');
		o = cJSON_Parse(b.p);
		if (o == NULL || !cJSON_IsString(cJSON_GetObjectItem(o, "k")))
			bad++;
		cJSON_Delete(o);
	}
	CHECK_INT(bad, 0);
	rec_free(&r);
	buf_free(&b);
}

TEST(emit_json_roundtrip_valid_utf8)
{
	static const char *v[] = { "plain", "quote \" back \\ slash",
	    "tab\tnl\ncr\r", "\x01\x1f", "\xe3\x81\x82\xe3\x81\x84",
	    "\xf0\x9f\x98\x80 emoji", "</script>&", "" };
	struct record	 r;
	struct buf	 b;
	size_t		 i;
	cJSON		*o, *k;

	rec_init(&r);
	buf_init(&b);
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		rec_reset(&r);
		buf_reset(&b);
		rec_cstr(&r, "k", v[i]);
		emit_record(&b, &r, FMT_JSON);
		buf_addc(&b, '\0');
		o = cJSON_Parse(b.p);
		k = o ? cJSON_GetObjectItem(o, "k") : NULL;
		CHECK(k != NULL && cJSON_IsString(k));
		if (k != NULL)
			CHECK_STR(k->valuestring, v[i]);
		cJSON_Delete(o);
	}
	rec_free(&r);
	buf_free(&b);
}
