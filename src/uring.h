/* uring.h - file writes that never stall the event loop (io_uring).
 *
 * A write(2) to a log file can hold the loop for tens or hundreds of
 * milliseconds (new page-cache pages, a busy or slow disk, a direct write
 * waiting for the device); meanwhile the capture ring overflows and the
 * kernel drops packets. Writes submitted here run in the kernel's own
 * workers; their completions come back through the loop (an eventfd) or
 * whenever uring_reap() or uring_wait() is called, so a caller that never
 * dispatches the loop (read flat out) still makes progress.
 *
 * No liburing: the few system calls are made directly. Where io_uring is
 * missing (old kernel, kernel.io_uring_disabled, a seccomp filter) or
 * TCPDP_LOG_ASYNC=0 is set, uring_start fails and callers write
 * synchronously. One thread: callbacks run on the caller's thread. */
#ifndef TCPDP_URING_H
#define TCPDP_URING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;

/* res: bytes written, or -errno. */
typedef void	(*uring_cb)(void *arg, long res);

/* Sets the ring up once (base may be NULL: completions are then only
 * seen by uring_reap/uring_wait). 0, or -1 when unavailable. */
int		 uring_start(struct event_base *);
bool		 uring_on(void);
/* Queues a write of n bytes at off (ignored for O_APPEND files). The
 * buffer must stay untouched until cb runs. -1 when all slots are busy
 * (the caller waits with uring_wait and tries again). */
int		 uring_pwrite(int fd, const void *, size_t n, uint64_t off,
		    uring_cb, void *arg);
/* Runs the callbacks of finished writes; never blocks. Nested calls (a
 * callback that writes again) return at once. */
void		 uring_reap(void);
/* Blocks until at least one write has finished, then reaps. false, at
 * once, when nothing is in flight or when called from a callback. */
bool		 uring_wait(void);
/* Waits for every write, then tears the ring down (before the event base
 * goes away). */
void		 uring_stop(void);

#endif
