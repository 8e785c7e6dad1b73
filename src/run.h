/* run.h - what the command line hands to each mode's runner. */
#ifndef TCPDP_RUN_H
#define TCPDP_RUN_H

#include <stdbool.h>

#include "config.h"
#include "emit.h"

struct run {
	struct config	*cfg;		/* effective: defaults < file < flags */
	const char	*cmd;		/* "read", "probe", "proxy" */
	const char	*file;		/* read: path, "-" = stdin */
	const char	*target;	/* read: -t (not bound to config) */
	enum fmt	 stdout_fmt;	/* dump records on stdout */
	bool		 batch;		/* headless */
	bool		 tcpdp;		/* invoked as tcpdp: upstream behaviour */
	bool		 stdout_flag;	/* --stdout given */
	bool		 config_given;	/* -c given (not found by the search) */
	/* proxy: 0 = default (or $TCPDP_CONNECT_TIMEOUT_MS, $TCPDP_GRACE_MS) */
	int		 connect_timeout_ms;	/* connecting to the remote */
	int		 grace_ms;	/* SIGTERM: wait for open connections */
};

/* log_open_flags() flags for a runner: console lines on stderr when dump
 * records go to stdout (except as tcpdp). */
int	run_log_flags(const struct run *);

/* Each returns the process exit status. */
int	read_main(struct run *);
int	probe_main(struct run *);
int	proxy_main(struct run *);

#endif
