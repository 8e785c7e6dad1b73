/* pg-value.h - a Bind parameter as a record array element.
 *
 * Text-format values are kept as strings. Binary-format values are
 * rendered by the parameter's type OID when the Parse declared it or a
 * ParameterDescription answering a Describe of the statement gave it:
 *   - int2/int4/int8/oid as JSON numbers, float4/float8 as JSON numbers
 *     (NaN and the infinities as the strings PostgreSQL prints), bool as
 *     true/false;
 *   - everything else as the string PostgreSQL's output function prints
 *     for the value (DateStyle ISO, IntervalStyle postgres, the
 *     extra_float_digits default of PostgreSQL 12 on, a timestamptz in
 *     UTC): text, varchar, bpchar, name, json, jsonb, xml, bytea ("\x.."),
 *     "char" (a high-bit byte as \ooo), uuid, date, time, timetz,
 *     timestamp, timestamptz, interval ("1 year 2 mons 3 days 04:05:06",
 *     "-1 days +02:00:00"; PostgreSQL 17's infinite intervals as
 *     "infinity"), numeric (exactly dscale decimals; "NaN", "Infinity"),
 *     inet and cidr (IPv6 compressed as RFC 5952), macaddr, macaddr8,
 *     bit and varbit ("0101"), int2vector and oidvector ("1 2 3");
 *   - arrays of any of those but the two vectors, as a string like a
 *     text-format array: {1,2,NULL}, {{1,2},{3,4}}, [0:1]={a,b},
 *     {"a b","",x}, elements quoted and escaped as array_out does.
 * A value is rendered only if the type's receive function would take it
 * (exact length, fields in range: a cidr with bits past its mask, a
 * numeric digit over 9999, an array whose element type is another
 * built-in type, or trailing bytes are refused by the server too), but
 * text is shown as sent whatever its encoding; a value the server would
 * refuse, of a type we do not render, or whose text would be too long (a
 * numeric over 1000 characters, as one of 8 bytes with a scale of 16383
 * would be; any value over 1 MB, as an array of many such could be) is
 * shown as PostgreSQL shows bytea: "\x" and lowercase hex.
 */
#ifndef TCPDP_PG_VALUE_H
#define TCPDP_PG_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* Type OIDs we render (pg_type.dat); array types are in pg-value.c. */
#define PG_OID_BOOL		16
#define PG_OID_BYTEA		17
#define PG_OID_CHAR		18
#define PG_OID_NAME		19
#define PG_OID_INT8		20
#define PG_OID_INT2		21
#define PG_OID_INT2VECTOR	22
#define PG_OID_INT4		23
#define PG_OID_TEXT		25
#define PG_OID_OID		26
#define PG_OID_OIDVECTOR	30
#define PG_OID_JSON		114
#define PG_OID_XML		142
#define PG_OID_CIDR		650
#define PG_OID_FLOAT4		700
#define PG_OID_FLOAT8		701
#define PG_OID_UNKNOWN		705
#define PG_OID_MACADDR8		774
#define PG_OID_MACADDR		829
#define PG_OID_INET		869
#define PG_OID_BPCHAR		1042
#define PG_OID_VARCHAR		1043
#define PG_OID_DATE		1082
#define PG_OID_TIME		1083
#define PG_OID_TIMESTAMP	1114
#define PG_OID_TIMESTAMPTZ	1184
#define PG_OID_INTERVAL		1186
#define PG_OID_TIMETZ		1266
#define PG_OID_BIT		1560
#define PG_OID_VARBIT		1562
#define PG_OID_NUMERIC		1700
#define PG_OID_UUID		2950
#define PG_OID_JSONB		3802

/* Appends one value to the array being built in r. fmt is the parameter's
 * format code (0 text, 1 binary, anything else treated as unknown bytes). */
void	pg_value_el(struct record *r, uint32_t oid, int fmt, const uint8_t *p,
	    size_t n);
/* "\x0001ff" into out (at least 2 + 2 * n + 1 bytes); returns its length. */
size_t	pg_value_hex(char *out, const uint8_t *p, size_t n);

#endif
