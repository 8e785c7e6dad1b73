/* sink.h - consumers of finished records.
 *
 * The dump log writer, stdout, statistics and the UI model are sinks. A
 * sink takes the record by pointer during write() and copies what it keeps;
 * it never blocks the event loop. */
#ifndef TCPDP_SINK_H
#define TCPDP_SINK_H

#include <stdio.h>

#include "emit.h"
#include "record.h"

struct conn;

struct sink {
	const char	*name;
	void		(*write)(struct sink *, const struct record *,
			    const struct conn *);
	void		(*flush)(struct sink *);	/* may be NULL */
	void		(*close)(struct sink *);	/* frees the sink */
	struct sink	*next;
};

/* Records encoded in fmt to a file descriptor, buffered; flushed when the
 * buffer is large, on flush() and on close. Write errors are reported once
 * on stderr. */
struct sink	*sink_fd_new(int fd, enum fmt);

#endif
