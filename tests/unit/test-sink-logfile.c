/* test-sink-logfile.c - batches stay inside their rotation period; the
 * dump sinks follow the configuration. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dumpsinks.h"
#include "engine.h"
#include "logfile.h"
#include "sink.h"
#include "test.h"

static time_t	ts_now;

static time_t
ts_clock(void)
{
	return ts_now;
}

static int
ts_lines(const char *dir, const char *name)
{
	char	p[PATH_MAX];
	FILE	*f;
	int	c, n = 0;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	if ((f = fopen(p, "r")) == NULL)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

TEST(sink_logfile_period_batches)
{
	char		 dir[256], err[256];
	struct logfile	*lf;
	struct sink	*s;
	struct record	 r;
	struct rview	 v;
	time_t		 (*saved)(void) = logfile_clock;
	uint64_t	 recs0, recs, bytes;
	int		 i;

	setenv("TZ", "UTC", 1);
	tzset();
	test_tmpdir(dir, sizeof dir, "sinklf");
	logfile_clock = ts_clock;
	ts_now = 1795737599;	/* 2026-11-26T23:59:59Z */
	lf = logfile_open(dir, "dump.log", true, "minutely", -1, NULL, NULL,
	    err, sizeof err);
	CHECK(lf != NULL);
	if (lf == NULL)
		return;
	sink_logfile_totals(&recs0, &bytes);
	s = sink_logfile_new(lf, FMT_JSON, NULL);
	rec_init(&r);
	rec_cstr(&r, "k", "v");
	rview_of(&v, &r);
	for (i = 0; i < 3; i++)
		s->write(s, &v, NULL);
	/* Nothing written yet: buffered. */
	CHECK_INT(ts_lines(dir, "dump.log.202611262359"), -1);
	ts_now++;
	for (i = 0; i < 2; i++)
		s->write(s, &v, NULL);
	CHECK_INT(ts_lines(dir, "dump.log.202611262359"), 3);
	s->flush(s);
	CHECK_INT(ts_lines(dir, "dump.log.202611270000"), 2);
	s->close(s);
	sink_logfile_totals(&recs, &bytes);
	CHECK_INT(recs - recs0, 5);
	rec_free(&r);
	logfile_clock = saved;
	test_rmrf(dir);
}

TEST(dumpsinks_config)
{
	char		dir[256], err[256];
	struct config	cfg;
	struct engine	eng;
	struct sink	*s;
	int		n;

	test_tmpdir(dir, sizeof dir, "sinklf");
	/* config.c may not be linked in yet: only what dumpsinks reads. */
	memset(&cfg, 0, sizeof cfg);
	cfg.dump_log.dir = dir;
	cfg.dump_log.enable = true;
	cfg.dump_log.format = (char *)"json";
	cfg.dump_log.rotate_enable = true;
	cfg.dump_log.rotation_time = (char *)"daily";
	cfg.dump_log.rotation_count = 7;
	cfg.dump_log.file_name = (char *)"dump.log";
	engine_init(&eng, ENG_READ, NULL);
	CHECK_INT(dumpsinks_add(&eng, &cfg, true, err, sizeof err), 0);
	n = 0;
	for (s = eng.sinks; s != NULL; s = s->next)
		n++;
	CHECK_INT(n, 2);
	CHECK_STR(eng.sinks->name, "logfile");
	engine_free(&eng);

	/* --stdout keeps the dump file on even when disabled (SPEC 1.7). */
	cfg.dump_log.enable = false;
	engine_init(&eng, ENG_READ, NULL);
	CHECK_INT(dumpsinks_add(&eng, &cfg, true, err, sizeof err), 0);
	n = 0;
	for (s = eng.sinks; s != NULL; s = s->next)
		n++;
	CHECK_INT(n, 2);
	engine_free(&eng);
	engine_init(&eng, ENG_READ, NULL);
	CHECK_INT(dumpsinks_add(&eng, &cfg, false, err, sizeof err), 0);
	CHECK(eng.sinks == NULL);
	engine_free(&eng);
	cfg.dump_log.enable = true;

	cfg.dump_log.format = (char *)"yaml";
	engine_init(&eng, ENG_READ, NULL);
	CHECK_INT(dumpsinks_add(&eng, &cfg, false, err, sizeof err), -1);
	CHECK(strstr(err, "dumpLog.format") != NULL);
	CHECK(eng.sinks == NULL);
	engine_free(&eng);

	cfg.dump_log.format = (char *)"ltsv";
	cfg.dump_log.rotation_time = (char *)"yearly";
	engine_init(&eng, ENG_READ, NULL);
	CHECK_INT(dumpsinks_add(&eng, &cfg, false, err, sizeof err), -1);
	CHECK(strstr(err, "daily, hourly, minutely") != NULL);
	engine_free(&eng);
	test_rmrf(dir);
}
