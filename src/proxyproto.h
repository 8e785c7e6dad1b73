/* proxyproto.h - HAProxy PROXY protocol v1/v2 header parser (SPEC §1.12).
 *
 * Used by the proxy (on the first bytes of an accepted connection) and by
 * the pcap sources (on the first client bytes of a connection). Unlike
 * upstream it looks only at the start of a connection, never trusts the
 * header's lengths, skips v2 TLVs, accepts LOCAL/UNSPEC (health checks). */
#ifndef TCPDP_PROXYPROTO_H
#define TCPDP_PROXYPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

enum pp_status {
	PP_NONE,	/* no header: the bytes are payload */
	PP_MORE,	/* a header may be there but is incomplete */
	PP_OK,		/* header parsed; `len` bytes belong to it */
	PP_ERROR,	/* malformed header; `err` says why */
};

struct pp_result {
	size_t		len;
	int		has_addr;	/* 0 for LOCAL, UNSPEC, UNKNOWN */
	char		src[ADDR_STRLEN];	/* "a.b.c.d:port", "[v6]:port" */
	char		dst[ADDR_STRLEN];
	const char	*err;
};

enum pp_status	pp_parse(const uint8_t *, size_t, struct pp_result *);

#endif
