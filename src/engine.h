/* engine.h - the shared state of one run: mode, dumper, sinks, counters.
 *
 * There is one engine per process, driven by one libevent loop. */
#ifndef TCPDP_ENGINE_H
#define TCPDP_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"
#include "sink.h"

struct event_base;
struct conn;
struct decoder;

enum engine_mode {
	ENG_READ,
	ENG_PROBE,
	ENG_PROXY,
};

struct engine_stats {
	uint64_t	conns_opened;
	uint64_t	conns_closed;
	uint64_t	conns_tls;
	uint64_t	records;
	uint64_t	decode_errors;
};

struct engine {
	enum engine_mode	 mode;
	const struct decoder	*dec;
	struct event_base	*base;
	const char		*interface;	/* probe_target values (probe) */
	const char		*target;
	bool			 proxy_protocol;
	struct sink		*sinks;
	struct engine_stats	 st;
	/* Called on connection open/close for stats and the UI; may be NULL. */
	void			(*on_open)(struct engine *, struct conn *);
	void			(*on_close)(struct engine *, struct conn *);
	void			*ctx;
};

void	engine_init(struct engine *, enum engine_mode, const struct decoder *);
void	engine_add_sink(struct engine *, struct sink *);
/* Sends a finished record (a view, record.h) to every sink. */
void	engine_write(struct engine *, const struct rview *, const struct conn *);
void	engine_flush(struct engine *);
void	engine_free(struct engine *);

#endif
