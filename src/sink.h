/* sink.h - consumers of finished records.
 *
 * The dump log writer, stdout, statistics and the UI model are sinks. A
 * sink takes the record by pointer during write() and copies what it keeps;
 * it never blocks the event loop. */
#ifndef TCPDP_SINK_H
#define TCPDP_SINK_H

#include <stdint.h>
#include <stdio.h>

#include "emit.h"
#include "record.h"

struct conn;
struct event_base;
struct logfile;

struct sink {
	const char	*name;
	void		(*write)(struct sink *, const struct rview *,
			    const struct conn *);
	void		(*flush)(struct sink *);	/* may be NULL */
	void		(*close)(struct sink *);	/* frees the sink */
	struct sink	*next;
};

/* Records encoded in fmt to a file descriptor, buffered; flushed when the
 * buffer is large, on flush() and on close. Write errors are reported once
 * on stderr. */
struct sink	*sink_fd_new(int fd, enum fmt);

/* Records encoded in fmt to a rotated log file, which the sink owns from
 * then on. Buffered; flushed when large, on flush(), 100 ms after the
 * first buffered record (when base is given) and before a record of a
 * new rotation period. */
struct sink	*sink_logfile_new(struct logfile *, enum fmt,
		    struct event_base *);
/* Records and bytes written by every logfile sink of the process. */
void		 sink_logfile_totals(uint64_t *records, uint64_t *bytes);

#endif
