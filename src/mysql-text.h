/* mysql-text.h - MySQL names and text: collation id names, command names,
 * decoding of client text to UTF-8 (SPEC §4.3.1, §4.3.2). */
#ifndef TCPDP_MYSQL_TEXT_H
#define TCPDP_MYSQL_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Upstream's name for a collation id; "" for ids it does not list. */
const char	*mysql_charset_name(unsigned);

/* The collation id that upstream's table names as the charset s[0..n)
 * (case-insensitive; utf8mb3 is utf8, 33); -1 for other names. */
int		 mysql_charset_id(const char *s, size_t n);

/* "COM_QUERY" for 3 and so on; "COM_UNKNOWN" for codes not defined. */
const char	*mysql_command_name(unsigned);

/*
 * The text p[0..n) in charset cs as UTF-8 without trailing NULs. Returns
 * p itself when no conversion is needed (everything but the Japanese
 * charsets: other bytes are repaired to UTF-8 by the encoders), else the
 * converted text in scratch. Invalid sequences become U+FFFD.
 */
const char	*mysql_text(struct buf *scratch, unsigned cs, const void *p,
		    size_t n, size_t *outn);

/*
 * The length of a UTF-8 sequence that s[0..n) ends in the middle of (0 if
 * it ends on a character's end): what a cut text drops, so that it does
 * not end in U+FFFD. Bytes that are not UTF-8 are left alone.
 */
size_t		 mysql_utf8_partial(const char *s, size_t n);

#endif
