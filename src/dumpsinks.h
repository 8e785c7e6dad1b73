/* dumpsinks.h - the dump record sinks a run's configuration asks for
 * (SPEC §3.1, §1.7): the dump log file if dumpLog.enable, stdout if
 * dumpLog.stdout; --stdout (force_stdout) turns both on, as in tcpdp. */
#ifndef TCPDP_DUMPSINKS_H
#define TCPDP_DUMPSINKS_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct engine;

/* Adds the sinks to the engine (its base runs the flush timer and the
 * rotation hook). Returns 0, or -1 with the reason in err (bad format,
 * period or directory) and nothing added: exit 1. */
int	dumpsinks_add(struct engine *, const struct config *,
	    bool force_stdout, char *err, size_t errlen);

#endif
