/* log.c - the internal log (SPEC §3.1-§3.3).
 *
 * Two sinks: the console format on stdout (log.stdout, every level) and a
 * rotated file in JSON or LTSV (log.enable, info and above). Until
 * log_open() runs, console lines go to stderr so start-up errors are seen.
 *
 * A message is encoded completely before any sink is written, because
 * writing the file can itself log (a write error, a removed file): such a
 * nested message only goes to the console, never back into the file. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "emit.h"
#include "log.h"
#include "logfile.h"
#include "vis.h"

static struct record	 log_rec;	/* the caller's fields */
static struct record	 log_out;	/* level, ts, msg + fields for the file */
static int		 log_inited;
static int		 log_busy;
static int		 log_console_fd = STDERR_FILENO;	/* -1: off */
static bool		 log_console_on = true;
static struct logfile	*log_file;
static enum fmt		 log_file_fmt = FMT_JSON;
static struct buf	 log_bfile, log_bcons;

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

static void
log_init(void)
{
	if (log_inited)
		return;
	rec_init(&log_rec);
	rec_init(&log_out);
	buf_init(&log_bfile);
	buf_init(&log_bcons);
	log_inited = 1;
}

struct record *
log_fields(void)
{
	log_init();
	return &log_rec;
}

int
log_format_parse(const char *s, enum fmt *f)
{
	if (s != NULL && strcasecmp(s, "json") == 0)
		*f = FMT_JSON;
	else if (s != NULL && strcasecmp(s, "ltsv") == 0)
		*f = FMT_LTSV;
	else
		return -1;
	return 0;
}

int
log_open(const struct config_log *cfg, struct event_base *base)
{
	return log_open_flags(cfg, base, 0);
}

int
log_open_flags(const struct config_log *cfg, struct event_base *base,
    int flags)
{
	char	err[512];
	enum fmt f = FMT_JSON;

	log_init();
	if (cfg == NULL)
		return 0;
	if (cfg->enable) {
		if (log_format_parse(cfg->format, &f) == -1) {
			fprintf(stderr, "tcpdp-top: log setting error: "
			    "log.format \"%s\": must be json or ltsv\n",
			    cfg->format != NULL ? cfg->format : "");
			return -1;
		}
		log_file = logfile_open(cfg->dir, cfg->file_name,
		    cfg->rotate_enable, cfg->rotation_time,
		    cfg->rotation_count, cfg->rotation_hook, base, err,
		    sizeof err);
		if (log_file == NULL) {
			fprintf(stderr, "tcpdp-top: log setting error: %s\n",
			    err);
			return -1;
		}
		log_file_fmt = f;
	}
	log_console_fd = !cfg->stdout_ ? -1 :
	    (flags & LOG_F_STDERR) ? STDERR_FILENO : STDOUT_FILENO;
	log_console_on = !(flags & LOG_F_NOCONSOLE);
	return 0;
}

void
log_console(bool on)
{
	log_console_on = on;
}

void
log_reopen(void)
{
	if (log_file != NULL)
		logfile_reopen(log_file);
}

void
log_close(void)
{
	struct logfile	*lf = log_file;

	/* Messages from closing the file (hooks still running) may only
	 * reach the console now. */
	log_file = NULL;
	logfile_close(lf);
	if (log_inited) {
		rec_free(&log_rec);
		rec_free(&log_out);
		buf_free(&log_bfile);
		buf_free(&log_bcons);
	}
	log_inited = 0;
	log_console_fd = STDERR_FILENO;
	log_console_on = true;
}

static void
log_put(int fd, const struct buf *b)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < b->len) {
		n = write(fd, b->p + off, b->len - off);
		if (n <= 0)
			return;		/* nowhere left to report it */
		off += (size_t)n;
	}
}

static void
log_console_line(struct buf *b, int64_t now, enum log_level l,
    const char *caller, const char *msg, const struct record *f)
{
	emit_ts(b, now);
	buf_addc(b, '\t');
	buf_adds(b, log_level_name(l));
	buf_addc(b, '\t');
	/* A message may quote a file name or a peer's words: no raw
	 * control byte reaches the terminal. */
	if (caller != NULL) {
		vis_term(b, caller, strlen(caller), SIZE_MAX);
		buf_addc(b, '\t');
	}
	vis_term(b, msg, strlen(msg), SIZE_MAX);
	if (f->nf > 0) {
		buf_addc(b, '\t');
		emit_console_object(b, f, 0);
	}
	buf_addc(b, '\n');
}

static void
log_file_line(struct buf *b, int64_t now, enum log_level l,
    const char *caller, const char *msg, const struct record *f)
{
	struct record	*o = &log_out;

	rec_reset(o);
	if (log_file_fmt == FMT_LTSV) {
		rec_time(o, "ts", now);
		rec_strref(o, "level", log_level_name(l),
		    strlen(log_level_name(l)));
	} else {
		rec_strref(o, "level", log_level_name(l),
		    strlen(log_level_name(l)));
		rec_time(o, "ts", now);
	}
	if (caller != NULL)
		rec_strref(o, "caller", caller, strlen(caller));
	rec_strref(o, "msg", msg, strlen(msg));
	rec_append(o, f, 0, f->nf);
	emit_record(b, o, log_file_fmt);
	rec_reset(o);
}

void
log_write(enum log_level l, const char *caller, const char *msg)
{
	struct record	*f = log_fields();
	struct timeval	 tv;
	struct buf	 nb;
	int64_t		 now;
	int		 cfd = log_console_on ? log_console_fd : -1;
	bool		 tofile;

	gettimeofday(&tv, NULL);
	now = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;

	if (log_busy) {
		/* From inside a sink (the file failing): console only. */
		if (cfd != -1) {
			buf_init(&nb);
			log_console_line(&nb, now, l, caller, msg, f);
			log_put(cfd, &nb);
			buf_free(&nb);
		}
		rec_reset(f);
		return;
	}

	buf_reset(&log_bcons);
	buf_reset(&log_bfile);
	if (cfd != -1)
		log_console_line(&log_bcons, now, l, caller, msg, f);
	/* A fatal error must be seen somewhere even with every sink off. */
	else if (l == LOG_FATAL && log_console_fd != STDERR_FILENO) {
		log_console_line(&log_bcons, now, l, caller, msg, f);
		cfd = STDERR_FILENO;
	}
	tofile = log_file != NULL && l >= LOG_INFO;
	if (tofile)
		log_file_line(&log_bfile, now, l, caller, msg, f);
	rec_reset(f);

	log_busy = 1;
	if (cfd != -1)
		log_put(cfd, &log_bcons);
	if (tofile)
		logfile_write(log_file, log_bfile.p, log_bfile.len,
		    logfile_now());
	log_busy = 0;
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
