/* encode.c - our streaming record encoder against cJSON for a typical dump
 * record (a MySQL execute in read mode), same output shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "emit.h"
#include "record.h"

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	long		 n = argc > 1 ? atol(argv[1]) : 1000000, i;
	struct record	 r;
	struct buf	 b;
	double		 t0, t_ours, t_cjson;
	size_t		 bytes = 0;
	char		*s;
	const char	*q = "SELECT c FROM sbtest1 WHERE id=? AND k BETWEEN ? AND ?";

	rec_init(&r);
	buf_init(&b);
	t0 = now();
	for (i = 0; i < n; i++) {
		rec_reset(&r);
		rec_time(&r, "ts", 1537779592094000LL + i);
		rec_cstr(&r, "src_addr", "127.0.0.1:58107");
		rec_cstr(&r, "dst_addr", "127.0.0.1:33066");
		rec_int(&r, "stmt_id", 1);
		rec_array_begin(&r, "stmt_execute_values");
		rec_el_int(&r, i);
		rec_el_str(&r, "\xe3\x81\x82\xe3\x81\x84", 6);
		rec_el_float(&r, 23.4);
		rec_array_end(&r);
		rec_int(&r, "seq_num", 0);
		rec_int(&r, "command_id", 23);
		rec_cstr(&r, "conn_id", "dc41fjtqmd2ut826ttd0");
		rec_int(&r, "mss", 16344);
		rec_cstr(&r, "username", "root");
		rec_cstr(&r, "database", "testdb");
		rec_cstr(&r, "stmt_query", q);
		rec_int(&r, "response_last_us", 1234);
		buf_reset(&b);
		emit_record(&b, &r, FMT_JSON);
		bytes += b.len;
	}
	t_ours = now() - t0;

	t0 = now();
	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *a;
		char ts[40];
		struct buf tb;

		buf_init(&tb);
		emit_ts(&tb, 1537779592094000LL + i);
		buf_addc(&tb, '\0');
		snprintf(ts, sizeof ts, "%s", tb.p);
		buf_free(&tb);
		cJSON_AddStringToObject(o, "ts", ts);
		cJSON_AddStringToObject(o, "src_addr", "127.0.0.1:58107");
		cJSON_AddStringToObject(o, "dst_addr", "127.0.0.1:33066");
		cJSON_AddNumberToObject(o, "stmt_id", 1);
		a = cJSON_AddArrayToObject(o, "stmt_execute_values");
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)i));
		cJSON_AddItemToArray(a, cJSON_CreateString("\xe3\x81\x82\xe3\x81\x84"));
		cJSON_AddItemToArray(a, cJSON_CreateNumber(23.4));
		cJSON_AddNumberToObject(o, "seq_num", 0);
		cJSON_AddNumberToObject(o, "command_id", 23);
		cJSON_AddStringToObject(o, "conn_id", "dc41fjtqmd2ut826ttd0");
		cJSON_AddNumberToObject(o, "mss", 16344);
		cJSON_AddStringToObject(o, "username", "root");
		cJSON_AddStringToObject(o, "database", "testdb");
		cJSON_AddStringToObject(o, "stmt_query", q);
		cJSON_AddNumberToObject(o, "response_last_us", 1234);
		s = cJSON_PrintUnformatted(o);
		bytes += strlen(s);
		free(s);
		cJSON_Delete(o);
	}
	t_cjson = now() - t0;
	printf("encode %ld records: ours %.0f ns/record, cJSON %.0f ns/record, "
	    "cJSON/ours = %.2fx (%zu bytes)\n", n, t_ours / n * 1e9,
	    t_cjson / n * 1e9, t_cjson / t_ours, bytes);
	rec_free(&r);
	buf_free(&b);
	return 0;
}
