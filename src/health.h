/* health.h - periodic health lines in the internal log.
 *
 * Every 60 s and at the end: message "health" with the run's counters
 * (the runner's fill callback adds e.g. packets, drops, gaps,
 * connections), then records_written and bytes_written of the dump log,
 * and with log.enableInternal the process memory (rss_bytes, vm_bytes). */
#ifndef TCPDP_HEALTH_H
#define TCPDP_HEALTH_H

#include <stdbool.h>

struct event_base;
struct record;

void	health_start(struct event_base *,
	    void (*fill)(struct record *, void *), void *arg, bool memory);
/* One line now. */
void	health_log(void);
/* The final line; stops the timer. */
void	health_stop(void);

#endif
