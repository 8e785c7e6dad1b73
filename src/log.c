/* log.c - the internal log. Until log_open() configures the sinks, lines go
 * to stderr in console format, so start-up errors are always seen. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "emit.h"
#include "log.h"

static struct record	log_rec;
static int		log_inited;

static const char *
log_level_name(enum log_level l)
{
	switch (l) {
	case LOG_DEBUG:	return "debug";
	case LOG_INFO:	return "info";
	case LOG_WARN:	return "warn";
	case LOG_ERROR:	return "error";
	case LOG_FATAL:	return "fatal";
	}
	return "info";
}

struct record *
log_fields(void)
{
	if (!log_inited) {
		rec_init(&log_rec);
		log_inited = 1;
	}
	return &log_rec;
}

int
log_open(const struct config_log *cfg, struct event_base *base)
{
	(void)cfg;
	(void)base;
	return 0;
}

void
log_close(void)
{
	if (log_inited)
		rec_free(&log_rec);
	log_inited = 0;
}

void
log_write(enum log_level l, const char *caller, const char *msg)
{
	struct record	*f = log_fields();
	struct buf	 b;
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	buf_init(&b);
	emit_ts(&b, (int64_t)tv.tv_sec * 1000000 + tv.tv_usec);
	buf_addc(&b, '\t');
	buf_adds(&b, log_level_name(l));
	buf_addc(&b, '\t');
	if (caller != NULL) {
		buf_adds(&b, caller);
		buf_addc(&b, '\t');
	}
	buf_adds(&b, msg);
	if (f->nf > 0) {
		buf_addc(&b, '\t');
		emit_console_object(&b, f, 0);
	}
	buf_addc(&b, '\n');
	if (write(STDERR_FILENO, b.p, b.len) < 0) {
		/* nowhere left to report it */
	}
	buf_free(&b);
	rec_reset(f);
}

void
log_msgf(enum log_level l, const char *fmt, ...)
{
	char	msg[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_write(l, NULL, msg);
}

void
log_fatal(const char *caller, const char *msg)
{
	log_write(LOG_FATAL, caller, msg);
	log_close();
	exit(1);
}
