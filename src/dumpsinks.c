/* dumpsinks.c - dump sinks from the configuration. */
#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "dumpsinks.h"
#include "emit.h"
#include "engine.h"
#include "log.h"
#include "logfile.h"
#include "sink.h"

int
dumpsinks_add(struct engine *eng, const struct config *cfg, bool force_stdout,
    char *err, size_t errlen)
{
	const struct config_log	*d = &cfg->dump_log;
	struct logfile		*lf = NULL;
	enum fmt		 ffmt = FMT_JSON, sfmt = FMT_JSON;
	char			 e[512];

	/* --stdout turns every dump sink on (SPEC §1.7): records go to
	 * stdout and still to the dump log. */
	if (d->enable || force_stdout) {
		if (log_format_parse(d->format, &ffmt) == -1) {
			snprintf(err, errlen, "dumpLog.format \"%s\": must be "
			    "json or ltsv", d->format != NULL ? d->format : "");
			return -1;
		}
		lf = logfile_open(d->dir, d->file_name, d->rotate_enable,
		    d->rotation_time, d->rotation_count, d->rotation_hook,
		    eng->base, e, sizeof e);
		if (lf == NULL) {
			snprintf(err, errlen, "dumpLog: %s", e);
			return -1;
		}
		engine_add_sink(eng, sink_logfile_new(lf, ffmt, eng->base));
	}
	if (d->stdout_ || force_stdout) {
		/* Upstream: json, ltsv, and anything else is console. */
		if (d->stdout_format != NULL &&
		    fmt_parse(d->stdout_format, &sfmt) == -1)
			sfmt = FMT_CONSOLE;
		engine_add_sink(eng, sink_fd_new(STDOUT_FILENO, sfmt));
	}
	return 0;
}
