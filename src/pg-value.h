/* pg-value.h - a Bind parameter as a record array element.
 *
 * Text-format values are kept as strings. Binary-format values are
 * rendered by the parameter's type OID when the Parse declared it or a
 * ParameterDescription answering a Describe of the statement gave it (the
 * integer, float, bool, bytea, text, uuid, date and timestamp families);
 * anything else, or a value whose length does not fit its type, is shown
 * as PostgreSQL shows bytea: "\x" and lowercase hex. */
#ifndef TCPDP_PG_VALUE_H
#define TCPDP_PG_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* Type OIDs we render (pg_type.dat). */
#define PG_OID_BOOL		16
#define PG_OID_BYTEA		17
#define PG_OID_NAME		19
#define PG_OID_INT8		20
#define PG_OID_INT2		21
#define PG_OID_INT4		23
#define PG_OID_TEXT		25
#define PG_OID_OID		26
#define PG_OID_JSON		114
#define PG_OID_XML		142
#define PG_OID_FLOAT4		700
#define PG_OID_FLOAT8		701
#define PG_OID_UNKNOWN		705
#define PG_OID_BPCHAR		1042
#define PG_OID_VARCHAR		1043
#define PG_OID_DATE		1082
#define PG_OID_TIMESTAMP	1114
#define PG_OID_TIMESTAMPTZ	1184
#define PG_OID_UUID		2950
#define PG_OID_JSONB		3802

/* Appends one value to the array being built in r. fmt is the parameter's
 * format code (0 text, 1 binary, anything else treated as unknown bytes). */
void	pg_value_el(struct record *r, uint32_t oid, int fmt, const uint8_t *p,
	    size_t n);
/* "\x0001ff" into out (at least 2 + 2 * n + 1 bytes); returns its length. */
size_t	pg_value_hex(char *out, const uint8_t *p, size_t n);

#endif
