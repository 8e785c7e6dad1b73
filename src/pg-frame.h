/* pg-frame.h - cutting one direction of a PostgreSQL connection into
 * protocol messages.
 *
 * Bytes arrive in any split. A message whose body is whole inside the
 * chunk is handed over in place; otherwise its first `keep` bytes are
 * buffered (the rest counted and skipped, so a 1 GB DataRow costs
 * nothing). Headers are checked against what each message type may be
 * (known type byte for this direction, sane length); a stream that starts
 * mid-connection or loses its place is resynchronised by hunting for a
 * plausible boundary, and the bytes passed over are counted. */
#ifndef TCPDP_PG_FRAME_H
#define TCPDP_PG_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Pseudo message types (real ones are printable letters/digits). */
#define PG_MSG_STARTUP	0	/* length + code: startup, SSL, GSS, cancel */
#define PG_MSG_SSLANS	1	/* the server's one-byte answer, in code */
#define PG_MSG_TLS	2	/* a TLS record where a startup was expected */
#define PG_MSG_DESYNC	3	/* a bad header in a synchronised stream */

#define PG_STARTUP_MAX	10000	/* the server's own limit */
#define PG_LEN_MAX	0x40000000u	/* 1 GB: no message is larger */
#define PG_HUNT_LEN_MAX	(64u << 20)	/* larger is not believed when hunting */

enum pg_fstate {
	PG_FS_HDR,		/* at a typed message header */
	PG_FS_STARTUP,		/* at a startup-class message */
	PG_FS_SSLANS,		/* at the server's answer to SSL/GSS request */
	PG_FS_BODY,
	PG_FS_HUNT,		/* looking for a message boundary */
	PG_FS_OFF,		/* decode nothing more (TLS) */
};

struct pg_msg {
	uint8_t		 type;
	uint32_t	 code;		/* startup code, or the answer byte */
	const uint8_t	*p;		/* kept body bytes */
	size_t		 n;
	size_t		 len;		/* whole body length */
	int64_t		 ts_first;	/* time of the chunk it began in */
	int64_t		 ts;		/* time of the chunk it ended in */
	uint64_t	 seq;
};

typedef void	pg_msg_fn(void *arg, const struct pg_msg *);

struct pg_frame {
	uint8_t		 st;
	bool		 server;	/* direction: backend messages */
	bool		 synced;	/* a good header was seen since the hunt */
	uint8_t		 type;
	uint8_t		 hdr[8];
	uint8_t		 hlen;
	uint8_t		 tail[5];	/* hunting: last bytes of the chunk */
	uint8_t		 tlen;
	uint32_t	 code;
	uint32_t	 len;		/* body length */
	uint32_t	 got;		/* body bytes seen */
	uint32_t	 keep;		/* body bytes to buffer */
	int64_t		 ts_first;
	const uint32_t	*keeptab;	/* bytes to keep per type (256) */
	struct buf	 body;
	uint64_t	 skipped;	/* bytes passed over while hunting */
	uint64_t	 desyncs;
};

void	pg_frame_init(struct pg_frame *, bool server, const uint32_t *keeptab,
	    enum pg_fstate);
void	pg_frame_free(struct pg_frame *);
/* Drops any partial message and hunts for the next boundary. */
void	pg_frame_lost(struct pg_frame *);
void	pg_frame_feed(struct pg_frame *, const uint8_t *, size_t, int64_t ts,
	    uint64_t seq, pg_msg_fn *, void *);
/* Whether a header of this type and length (length field, including
 * itself) can start a message in this direction. */
bool	pg_frame_hdr_ok(bool server, uint8_t type, uint32_t len);

#endif
