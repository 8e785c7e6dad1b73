/* mysql-set.h - the client character set changes that a statement text
 * asks for: SET NAMES, SET CHARACTER SET / CHARSET, and assignments to the
 * session's character_set_client. */
#ifndef TCPDP_MYSQL_SET_H
#define TCPDP_MYSQL_SET_H

#include <stddef.h>
#include <stdint.h>

/* cs of a change to DEFAULT: the server's default character set */
#define MYSQL_CS_DEFAULT	0x10000u
/* changes kept of one text (the last ones) */
#define MYSQL_CS_CHANGES	4

/* flags */
#define MYSQL_SET_NOBS		0x01	/* NO_BACKSLASH_ESCAPES */

struct mysql_cs_change {
	uint32_t	stmt;	/* the statement's index in the text */
	uint32_t	cs;	/* collation id, or MYSQL_CS_DEFAULT */
};

/*
 * Scans a statement text (p[0..n), raw bytes in the client's charset cs,
 * a collation id) for the statements that set character_set_client of the
 * session, in a multi-statement text too. Writes the last
 * MYSQL_CS_CHANGES of them to out, in order (one per statement: its last
 * assignment), and returns how many. Values it cannot tell (expressions,
 * user variables, unknown names) are left out. The scan stops at the
 * first statement with a compound body (CREATE ... BEGIN, BEGIN NOT
 * ATOMIC, IF, a label...): its inner semicolons do not end statements.
 */
unsigned	mysql_set_scan(const void *p, size_t n, unsigned cs,
		    unsigned flags, struct mysql_cs_change *out);

#endif
