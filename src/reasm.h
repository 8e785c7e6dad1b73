/* reasm.h - one direction of a TCP byte stream put back in order.
 *
 * Segments at the expected sequence number are delivered at once; later
 * ones are copied and held (bounded per direction and in total) until the
 * hole before them fills. Bytes seen before are dropped (retransmissions,
 * overlaps: the first copy wins). Bytes that will not come - the peer
 * acknowledged them, a cap was hit, the snap length cut them, the stream
 * ended - are reported as a gap so the decoder can resynchronise. */
#ifndef TCPDP_REASM_H
#define TCPDP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reasm;
struct reasm_seg;

struct reasm_stats {
	uint64_t	segs;		/* segments with payload */
	uint64_t	ooo;		/* held out of order */
	uint64_t	retrans;	/* wholly seen before: dropped */
	uint64_t	overlaps;	/* partly seen before: trimmed */
	uint64_t	gaps;		/* gap events */
	uint64_t	gap_bytes;
	uint64_t	truncated;	/* segments cut by the snap length */
	uint64_t	cap_hits;	/* held data given up for a cap */
	uint64_t	held_bytes;	/* held now, all directions */
	uint64_t	held_max;
};

/* Shared by every stream of one flow table. */
struct reasm_ctx {
	struct reasm_stats	 st;
	size_t			 cap_dir;	/* bytes held per direction */
	size_t			 cap_total;	/* bytes held in all */
	uint32_t		 cap_segs;	/* segments held per direction */
	void			(*data)(void *arg, struct reasm *,
				    const uint8_t *, size_t, int64_t ts_us);
	void			(*gap)(void *arg, struct reasm *, uint64_t,
				    int64_t ts_us);
};

struct reasm {
	bool			 started;
	bool			 fin;
	uint32_t		 next;		/* next expected sequence */
	uint32_t		 fin_seq;
	uint32_t		 nheld;
	size_t			 held_bytes;
	struct reasm_seg	*held;		/* sorted by sequence */
};

void	reasm_ctx_init(struct reasm_ctx *);
/* The stream's first byte has sequence number next (ISN + 1). */
void	reasm_start(struct reasm *, uint32_t next);
/* A segment: n captured bytes at seq of the wire bytes the headers
 * claim (wire > n when the snap length cut it). */
void	reasm_add(struct reasm_ctx *, struct reasm *, void *arg, uint32_t seq,
	    const uint8_t *, uint32_t n, uint32_t wire, int64_t ts_us);
/* The FIN's sequence number: nothing after it is data. */
void	reasm_fin(struct reasm *, uint32_t seq);
/* The peer acknowledged up to ack: bytes before it that are missing were
 * lost in capture. The held bytes this releases carry their own capture
 * time: they were complete on the wire when they were seen. */
void	reasm_acked(struct reasm_ctx *, struct reasm *, void *arg, uint32_t ack,
	    int64_t ts_us);
/* Delivers everything held, with gaps for the holes, at time ts_us.
 * Held bytes are delivered with the time of the packet (or flush) that
 * made them deliverable, except those an ACK releases (reasm_acked). */
void	reasm_flush(struct reasm_ctx *, struct reasm *, void *arg,
	    int64_t ts_us);
void	reasm_free(struct reasm_ctx *, struct reasm *);
/* Nothing held, and if a FIN was seen every byte before it was delivered
 * or reported as a gap (true for a stream never started). */
bool	reasm_done(const struct reasm *);
/* Capture time of the oldest held segment; INT64_MAX if none. */
int64_t	reasm_held_since(const struct reasm *);

#endif
