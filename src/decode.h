/* decode.h - the decoder (dumper) contract.
 *
 * A decoder is per connection and per protocol, incremental (bytes arrive
 * in any split), resumable after a gap, and bounded in memory: it keeps at
 * most a configured amount of a partial message and skips the rest. It
 * never reads outside the chunk it was given (see rd.h). Requests whose
 * responses are pending are emitted at close without response keys. */
#ifndef TCPDP_DECODE_H
#define TCPDP_DECODE_H

#include "conn.h"

struct decoder {
	const char	*name;
	size_t		 state_size;	/* zeroed by the caller before open */
	void		(*open)(struct conn *, void *st);
	void		(*data)(struct conn *, void *st, const struct chunk *);
	/* nbytes of direction dir were lost in capture. */
	void		(*gap)(struct conn *, void *st, enum dir, uint64_t nbytes,
			    int64_t ts_us);
	/* Flush pending records and free everything the state owns. */
	void		(*close)(struct conn *, void *st, int64_t ts_us);
	/* The state is made (and open called) at the connection's first
	 * byte or gap, not when it opens: a decoder that writes nothing for a
	 * connection without data spares the memory of the flows a SYN
	 * flood or a port scan leaves behind. */
	bool		 lazy;
};

extern const struct decoder decoder_hex;
extern const struct decoder decoder_conn;
extern const struct decoder decoder_mysql;
extern const struct decoder decoder_pg;

/* By name ("hex", "conn", "mysql", "pg"); NULL if unknown. */
const struct decoder	*decoder_find(const char *);
/* "hex, mysql, pg, conn" for messages. */
const char		*decoder_names(void);

#endif
