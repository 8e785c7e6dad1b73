/* conn.h - one TCP connection as every source presents it to a decoder.
 *
 * The pcap sources (through the flow table and reassembly) and the proxy
 * both create a conn, feed it ordered bytes per direction with conn_data(),
 * report lost bytes with conn_gap() and end it with conn_close(). Decoders
 * cannot tell the sources apart. A decoder reports what it decoded with
 * conn_emit(), which composes the final record for the engine's mode
 * (SPEC §3.4) and hands it to the sinks. */
#ifndef TCPDP_CONN_H
#define TCPDP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connid.h"
#include "record.h"

struct engine;
struct decoder;

enum dir {
	DIR_C2S = 0,	/* client to server: "->" */
	DIR_S2C = 1,	/* server to client: "<-" */
};

#define ADDR_STRLEN	56	/* "[ffff:...:ffff%scope]:65535" */

/* A piece of one direction's byte stream, in order. */
struct chunk {
	const uint8_t	*p;
	size_t		 n;
	enum dir	 dir;
	int64_t		 ts_us;		/* capture time, or clock in proxy */
	uint64_t	 seq;		/* proxy: conn_seq_num of this chunk */
	/* Capture: how far into the other direction (struct conn pos) the
	 * packet carrying these bytes acknowledged, so that a response that
	 * comes after bytes lost in capture can be told from one lost in
	 * them. 0: not known (proxy; bytes released after a hole). */
	uint64_t	 peer_acked;
};

struct conn_stats {
	uint64_t	bytes[2];
	uint64_t	chunks[2];
	uint64_t	gaps;		/* gap events */
	uint64_t	gap_bytes;
	uint64_t	records;	/* records emitted */
	uint64_t	requests;	/* decoded requests (queries, executes) */
	uint64_t	errors;		/* server error responses */
	uint64_t	decode_errors;	/* malformed or undecodable input */
	uint64_t	skipped;	/* bytes passed over to resynchronise */
};

struct conn {
	struct engine		*eng;
	char			 id[CONNID_LEN + 1];	/* "" if start unseen */
	char			 cli[ADDR_STRLEN];	/* client ip:port */
	char			 srv[ADDR_STRLEN];	/* server ip:port */
	/* proxy mode */
	char			 listen[ADDR_STRLEN];	/* proxy_listen_addr */
	char			 pcli[ADDR_STRLEN];	/* proxy_client_addr */
	/* Connection values appended as learned: mss, character_set,
	 * username, database, proxy_protocol_* (SPEC §3.4). */
	struct record		 meta;
	/* The fields conn_emit puts around a decoder's, by reference (see
	 * conn.c): per direction src_addr and dst_addr (read/probe); the
	 * connection's own keys through meta's last, rebuilt when meta or id
	 * moves (tail_gen; tail_key names the build for ecache[2]); and the
	 * record's own: ts, and in proxy conn_seq_num and direction. */
	struct record		 head[2];
	struct record		 tail;
	struct record		 per;
	uint32_t		 tail_gen, tail_key;
	int64_t			 t_open_us;
	int64_t			 t_last_us;
	/* Per direction, the stream offset of the next byte: bytes passed on
	 * and bytes lost. In a gap callback, where the lost bytes begin. */
	uint64_t		 pos[2];
	/* Per direction, the peer_acked of its latest chunk: how far its
	 * sender had read the other direction (0: not known). */
	uint64_t		 acked[2];
	bool			 syn_seen;	/* the start was captured */
	bool			 tls;		/* TLS negotiated: not decoded */
	bool			 opened;
	bool			 closed;
	struct conn_stats	 st;
	/* Encoded connection keys (record.h, struct rcache): the address
	 * pair per direction, and tail. */
	struct rcache		 ecache[3];
	char			 tail_id[CONNID_LEN + 1];	/* id as of tail */
	const struct decoder	*dec;
	void			*dstate;
	void			*owner;		/* flow or proxy session */
	void			*view;		/* per-connection state of stats/UI */
};

/* Lifecycle, called by sources. conn_open gives the conn a decoder state;
 * the conn's addresses, id and flags must be set before. */
void	conn_init(struct conn *, struct engine *);
void	conn_open(struct conn *, int64_t ts_us);
void	conn_data(struct conn *, const struct chunk *);
void	conn_gap(struct conn *, enum dir, uint64_t nbytes, int64_t ts_us);
void	conn_close(struct conn *, int64_t ts_us);
void	conn_free(struct conn *);

/* Called by decoders. vals holds the dumper values (and, after
 * rec_mark_ext, our extension keys); dir/ts_us/seq describe the chunk that
 * the record is about (the request, for a request/response pair). */
void	conn_emit(struct conn *, const struct record *vals, enum dir,
	    int64_t ts_us, uint64_t seq);
/* Marks the connection as TLS, emits one record saying so. */
void	conn_set_tls(struct conn *, enum dir, int64_t ts_us, const char *why);

/* The sender of direction d's latest bytes had read bytes of the other
 * direction that we have not had (lost in capture, the loss known only
 * with that direction's next bytes): what it answers may be theirs. */
static inline bool
conn_read_unseen(const struct conn *c, enum dir d)
{
	return c->acked[d] != 0 && c->acked[d] > c->pos[1 - d];
}

#endif
