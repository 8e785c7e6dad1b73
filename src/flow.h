/* flow.h - the connection table of the pcap sources.
 *
 * Each TCP connection seen becomes a flow holding a conn (conn.h) and two
 * reassembly streams. The table decides which side is the client (target,
 * then SYN, then ports), follows SYN/SYN-ACK/FIN/RST, expires idle flows,
 * and caps the number of flows and the bytes held for reordering. */
#ifndef TCPDP_FLOW_H
#define TCPDP_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "pkt.h"
#include "reasm.h"

struct engine;
struct target;
struct flow;

/* Capture health, read by the stats and the UI. */
struct flow_stats {
	uint64_t	packets;	/* frames handed in */
	uint64_t	bytes;		/* their captured bytes */
	uint64_t	tcp_packets;
	uint64_t	payload_bytes;	/* TCP payload captured */
	uint64_t	non_tcp;	/* skipped: not TCP over IP */
	uint64_t	fragments;	/* skipped: IP fragments */
	uint64_t	bad;		/* malformed headers */
	uint64_t	truncated;	/* headers or payload cut by snaplen */
	uint64_t	bad_options;	/* TCP options that did not add up */
	uint64_t	conns;		/* flows created */
	uint64_t	active;		/* flows now */
	uint64_t	ignored;	/* flows not decoded (not the target) */
	uint64_t	closed_fin;
	uint64_t	closed_rst;
	uint64_t	expired;	/* closed after idling */
	uint64_t	flow_cap_hits;	/* oldest flow evicted for room */
	uint64_t	stale_holes;	/* held data released after hole_us */
	uint64_t	after_close;	/* data segments of ended connections,
					 * dropped */
};

struct flow_table {
	struct engine		*eng;
	const struct target	*target;
	bool			 all_conns;	/* decode non-target flows too */
	bool			 proxy_protocol;
	struct flow		**buckets;
	size_t			 nbuckets;
	uint64_t		 seed;		/* of the flow hash */
	struct flow		*lru_head;	/* least recently active */
	struct flow		*lru_tail;
	struct flow		*quiet_head;	/* no payload yet, oldest first */
	struct flow		*quiet_tail;
	struct flow		*tw_head;	/* ended, oldest first */
	struct flow		*tw_tail;
	size_t			 ntw;
	size_t			 fin_waits;	/* both FINs, bytes missing */
	size_t			 max_flows;
	int64_t			 idle_us;
	int64_t			 hole_us;	/* longest wait for a hole */
	int64_t			 now_us;	/* latest packet time */
	struct reasm_ctx	 rx;
	struct flow_stats	 st;
};

void	flow_table_init(struct flow_table *, struct engine *,
	    const struct target *);
/* One captured frame: caplen bytes of a frame of link type dlt. */
void	flow_frame(struct flow_table *, int dlt, const uint8_t *, size_t caplen,
	    int64_t ts_us);
/* One parsed TCP packet. */
void	flow_input(struct flow_table *, const struct pkt *, int64_t ts_us);
/* Closes flows idle since before now - idle_us. */
void	flow_expire(struct flow_table *, int64_t now_us);
/* Periodic work (about once a second): idle expiry, and data held longer
 * than hole_us behind a hole is delivered with a gap. */
void	flow_tick(struct flow_table *, int64_t now_us);
/* Closes every flow (end of file, shutdown), oldest first. */
void	flow_close_all(struct flow_table *, int64_t ts_us);
void	flow_table_free(struct flow_table *);

#endif
