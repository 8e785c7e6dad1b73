/* pgtest.h - a scripted pg connection for the decoder's unit tests.
 *
 * A script is a list of steps (bytes in one direction, or a gap), built
 * with the s_* helpers. pgt_run() feeds it to a fresh engine + connection
 * with the pg decoder and returns the JSON lines it produced;
 * pgt_check_splits() checks that every way of cutting any one step in two,
 * and feeding it byte by byte, gives the same output. */
#ifndef TCPDP_PGTEST_H
#define TCPDP_PGTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"

void		 s_reset(void);
/* Starts a new step in direction d (DIR_C2S / DIR_S2C), 1 ms later. */
void		 s_step(int d);
void		 s_gap(int d, uint64_t n);
/* The current step was sent having read every byte the other side sent
 * in the steps before it and `ahead` more (struct chunk peer_acked). */
void		 s_acked(uint64_t ahead);
void		 s_u8(uint8_t);
void		 s_be16(uint16_t);
void		 s_be32(uint32_t);
void		 s_cstr(const char *);
void		 s_raw(const void *, size_t);
void		 s_hex(const char *);
/* A typed message: s_msg('Q'); ...body...; s_end(). */
void		 s_msg(char type);
void		 s_end(void);

/* The engine mode of the runs (ENG_READ unless set). */
extern int	 pgt_mode;
/* Split the step's bytes at k (step -1: no split); bytewise feeds one
 * byte per chunk. */
const char	*pgt_run(int step, size_t k, bool bytewise);
/* The last run's connection counters (after close). */
const struct conn_stats *pgt_stats(void);
/* Runs unsplit, then every split; returns the unsplit output. */
const char	*pgt_check_splits(const char *file, int line);
#define PGT_SPLITS()	pgt_check_splits(__FILE__, __LINE__)

#endif
