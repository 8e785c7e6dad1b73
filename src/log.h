/* log.h - tcpdp's internal log (tcpdp.log, SPEC §3.1, §3.3).
 *
 * A message is a level, a message text, an optional caller and fields.
 * Fields are written into the record returned by log_fields() just before
 * log_write(); the logger encodes them for each of its sinks (console on
 * stdout, JSON or LTSV to the file). */
#ifndef TCPDP_LOG_H
#define TCPDP_LOG_H

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

/* Before log_open the log writes console lines to stderr. */
int		 log_open(const struct config_log *, struct event_base *);
void		 log_close(void);
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
