/* logfile.h - a log file with time-based rotation (SPEC §3.6).
 *
 * With rotation, records go to NAME.YYYYMMDD[HH[MM]] (periods aligned to
 * local time) and NAME is a symlink to the current file, replaced
 * atomically. Files are created on the first write of a period (0644,
 * append-only), retention runs after each new file and the rotation hook
 * runs asynchronously without a shell. Without rotation, records are
 * appended to NAME.
 *
 * Callers hand over whole records (or batches of whole records); a batch is
 * never split across files and never left half-written on disk. Write
 * errors start an "episode": reported once (stderr and the internal log),
 * records dropped and counted, the file retried after a back-off, and the
 * end of the episode reported with what was lost.
 *
 * Opened with an event base, a log file queues batches and writes them
 * through io_uring (uring.h), in order, so a slow disk never stalls the
 * loop; past 1/64 of the RAM (64 MB to 256 MB) queued the writer waits
 * (back-pressure, never a dropped line). Rotation waits for the previous file's writes
 * before its hook runs. Whole blocks go with O_DIRECT unless
 * TCPDP_LOG_DIRECT=0. Without a base, or without io_uring, writes are
 * plain write(2) calls. */
#ifndef TCPDP_LOGFILE_H
#define TCPDP_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct event_base;
struct logfile;

enum logfile_period {
	LF_DAILY,
	LF_HOURLY,
	LF_MINUTELY,
};

struct logfile_stats {
	uint64_t	bytes;		/* written to disk */
	uint64_t	direct_bytes;	/* of which with O_DIRECT */
	uint64_t	writes;		/* write calls that wrote something */
	uint64_t	queue_mem;	/* bytes mapped for the queue now */
	uint64_t	lost_bytes;	/* dropped by write errors */
	uint64_t	lost_records;
	uint64_t	rotations;	/* new files opened */
	uint64_t	errors;		/* error episodes */
};

/* "daily", "hourly", "minutely" (any case); -1 otherwise. */
int		 logfile_period_parse(const char *, enum logfile_period *);

/* Checks the directory (created if missing, must be writable) and the
 * settings; nothing is created in it until the first write. base may be
 * NULL, then a hook is never run. Returns NULL with a message in err. */
struct logfile	*logfile_open(const char *dir, const char *name, bool rotate,
		    const char *period, long count, const char *hook,
		    struct event_base *base, char *err, size_t errlen);
/* Waits for queued writes, closes the file, frees. */
void		 logfile_close(struct logfile *);
/* Waits until everything handed to logfile_write is in the file (or
 * dropped by a write error). */
void		 logfile_sync(struct logfile *);

/* Appends whole records (ending in '\n') to the file of the period that
 * holds `when` (normally logfile_now()). Returns 0, or -1 when the data was
 * dropped (error episode). */
int		 logfile_write(struct logfile *, const void *, size_t, time_t when);
/* The first second after the period holding t; TIME_MAX-like far future
 * without rotation. Lets a buffering caller flush before crossing it. */
time_t		 logfile_period_end(struct logfile *, time_t t);
/* Closes the file so the next write opens it again (SIGHUP) and ends any
 * back-off. */
void		 logfile_reopen(struct logfile *);
void		 logfile_reopen_all(void);
const char	*logfile_path(const struct logfile *);	/* NAME, absolute */
/* The file written last, or "" if none yet. */
const char	*logfile_current(const struct logfile *);
void		 logfile_stats(const struct logfile *, struct logfile_stats *);

/* The clock used for periods and retention. Tests replace it, or set
 * TCPDP_TEST_CLOCK=EPOCH[xSPEED] (time starts at EPOCH when the process
 * starts and runs SPEED times faster than real time). */
extern time_t	(*logfile_clock)(void);
time_t		 logfile_now(void);

/* Suffix of the period holding t ("20261126", "2026112613", ...) and the
 * period's bounds; exposed for tests. */
void		 logfile_period_bounds(enum logfile_period, time_t t,
		    char *suffix, size_t, time_t *start, time_t *end);
/* Applies retention to the files NAME.<digits...> in the directory of path
 * (count > 0: keep the count lexically last; 0: delete those older than 7
 * days; < 0: keep all). Returns the number deleted; exposed for tests. */
int		 logfile_retain(const char *path, long count, time_t now);

#endif
