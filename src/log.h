/* log.h - tcpdp's internal log (tcpdp.log, SPEC §3.1, §3.3).
 *
 * A message is a level, a message text, an optional caller and fields.
 * Fields are written into the record returned by log_fields() just before
 * log_write(); the logger encodes them for each of its sinks (console on
 * stdout, JSON or LTSV to the file). */
#ifndef TCPDP_LOG_H
#define TCPDP_LOG_H

#include <stdbool.h>

#include "emit.h"
#include "record.h"

struct config_log;
struct event_base;

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
	LOG_FATAL,
};

/* Before log_open the log writes console lines to stderr. log_open sets up
 * the sinks from [log]; on a bad setting (format, directory, period) it
 * prints the reason on stderr and returns -1: exit 1. */
int		 log_open(const struct config_log *, struct event_base *);
/* LOG_F_NOCONSOLE: the terminal belongs to the UI, no console sink.
 * LOG_F_STDERR: console lines on stderr, because dump records own stdout
 * (--stdout, dumpLog.stdout) and must stay a clean stream. */
#define LOG_F_NOCONSOLE	0x1
#define LOG_F_STDERR	0x2
int		 log_open_flags(const struct config_log *, struct event_base *,
		    int flags);
/* Turns the console sink on or off (the UI takes or gives back the
 * terminal); it still only writes when log.stdout asked for it. */
void		 log_console(bool);
/* Reopens the file (SIGHUP). */
void		 log_reopen(void);
void		 log_close(void);
/* "json" or "ltsv" (any case); -1 otherwise. */
int		 log_format_parse(const char *, enum fmt *);
/* Scratch record for the next message's fields (reset by each write). */
struct record	*log_fields(void);
void		 log_write(enum log_level, const char *caller, const char *msg);
/* Formatted message without fields. */
void		 log_msgf(enum log_level, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Fatal: writes the message, flushes, exits 1. */
void		 log_fatal(const char *caller, const char *msg)
		    __attribute__((noreturn));

#endif
