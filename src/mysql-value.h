/* mysql-value.h - MySQL wire values: length-encoded integers and the
 * binary protocol values of COM_STMT_EXECUTE (SPEC §4.3.3). */
#ifndef TCPDP_MYSQL_VALUE_H
#define TCPDP_MYSQL_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "rd.h"
#include "record.h"

/* Length-encoded integer. 0xfb (NULL) and 0xff (invalid) are not numbers:
 * they mark the reader bad. */
uint64_t	 mysql_lenenc(struct rd *);

/*
 * Appends one parameter of MYSQL_TYPE type (flags bit 0x80 = unsigned) read
 * from r to the open array of rec. Strings are decoded with charset cs
 * (scratch is work space). rec NULL only checks the value. Returns false if the value ran past the end of
 * the input or its length was malformed (nothing appended then).
 */
bool		 mysql_value(struct record *rec, struct rd *r, uint8_t type,
		    uint8_t flags, unsigned cs, struct buf *scratch);

/* The value formats, exposed for tests: DATE / DATETIME / TIME with the
 * length byte first (n bytes at p). */
bool		 mysql_fmt_date(char *out, size_t outsz, struct rd *r,
		    uint8_t type);

/* True for the type codes a client may send in COM_STMT_EXECUTE. */
bool		 mysql_type_valid(uint8_t type);

#endif
