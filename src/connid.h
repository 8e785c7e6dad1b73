/* connid.h - conn_id generator (SPEC §3.5): 20-char, time-ordered xid. */
#ifndef TCPDP_CONNID_H
#define TCPDP_CONNID_H

#include <stdint.h>
#include <time.h>

#define CONNID_LEN	20

/* Writes 20 characters and a NUL into out (21 bytes). */
void	connid_new(char out[CONNID_LEN + 1], time_t now);
/* Encodes 12 raw bytes; exposed for tests. */
void	connid_encode(char out[CONNID_LEN + 1], const uint8_t raw[12]);

#endif
