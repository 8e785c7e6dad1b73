/* mysql-value.c - lenenc integers and binary protocol parameter values.
 *
 * Differences from upstream (SPEC §8.5): a read past the end is an error
 * rather than zero bytes, the unsigned flag is honoured, 0xfb/0xff length
 * prefixes are rejected, all-zero dates render as 0000-00-00 instead of
 * -0001-11-30, a zero-length TIME as 0d 00:00:00 and a TIME's hours past
 * 23 are carried into its days instead of wrapped (libmariadb sends
 * -100:02:03 as 0 days, 100 hours: upstream showed -0d 04:02:03). */
#include <stdio.h>
#include <string.h>

#include "mysql-text.h"
#include "mysql-value.h"

uint64_t
mysql_lenenc(struct rd *r)
{
	uint8_t	b = rd_u8(r);

	if (b < 0xfb)
		return b;
	switch (b) {
	case 0xfc:
		return rd_le16(r);
	case 0xfd:
		return rd_le24(r);
	case 0xfe:
		return rd_le64(r);
	}
	r->bad = true;
	return 0;
}

bool
mysql_type_valid(uint8_t t)
{
	return t <= 0x14 || t >= 0xf2;
}

bool
mysql_fmt_date(char *out, size_t outsz, struct rd *r, uint8_t type)
{
	unsigned	 y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, us = 0;
	unsigned	 days = 0, neg = 0;
	unsigned long long dd;
	uint8_t		 len;

	len = rd_u8(r);
	if (!rd_ok(r))
		return false;
	if (type == 0x0b) {	/* TIME */
		if (len == 8 || len == 12) {
			neg = rd_u8(r);
			days = rd_le32(r);
			h = rd_u8(r);
			mi = rd_u8(r);
			s = rd_u8(r);
			if (len == 12)
				us = rd_le32(r);
		} else	/* not a valid length: zero, as upstream */
			rd_skip(r, len < rd_left(r) ? len : rd_left(r));
		if (!rd_ok(r))
			return false;
		/* the server reads hours past 23 as more days: so do we */
		dd = (unsigned long long)days + h / 24;
		if (len == 12)
			snprintf(out, outsz, "%s%llud %02u:%02u:%02u.%03u %03u",
			    neg == 1 ? "-" : "", dd, h % 24, mi % 100,
			    s % 100, (us / 1000) % 1000, us % 1000);
		else
			snprintf(out, outsz, "%s%llud %02u:%02u:%02u",
			    neg == 1 ? "-" : "", dd, h % 24, mi % 100,
			    s % 100);
		return true;
	}
	if (len == 4 || len == 7 || len == 11) {
		y = rd_le16(r);
		mo = rd_u8(r);
		d = rd_u8(r);
		if (len >= 7) {
			h = rd_u8(r);
			mi = rd_u8(r);
			s = rd_u8(r);
		}
		if (len == 11)
			us = rd_le32(r);
	} else
		rd_skip(r, len < rd_left(r) ? len : rd_left(r));
	if (!rd_ok(r))
		return false;
	if (type == 0x0a)
		snprintf(out, outsz, "%04u-%02u-%02u", y % 10000, mo % 100,
		    d % 100);
	else
		snprintf(out, outsz, "%04u-%02u-%02u %02u:%02u:%02u.%03u %03u",
		    y % 10000, mo % 100, d % 100, h % 100, mi % 100, s % 100,
		    (us / 1000) % 1000, us % 1000);
	return true;
}

#define EL(call) do { if (rec != NULL) call; } while (0)

bool
mysql_value(struct record *rec, struct rd *r, uint8_t type, uint8_t flags,
    unsigned cs, struct buf *scratch)
{
	bool		 uns = (flags & 0x80) != 0;
	char		 tmp[64];
	const uint8_t	*p;
	const char	*s;
	uint64_t	 n, u;
	size_t		 sn;
	union { uint64_t u; double d; } dv;
	union { uint32_t u; float f; } fv;

	switch (type) {
	case 0x06:	/* NULL */
		EL(rec_el_null(rec));
		return true;
	case 0x08:	/* LONGLONG */
		u = rd_le64(r);
		if (!rd_ok(r))
			return false;
		if (uns)
			EL(rec_el_uint(rec, u));
		else
			EL(rec_el_int(rec, (int64_t)u));
		return true;
	case 0x03:	/* LONG */
	case 0x09:	/* INT24 */
		u = rd_le32(r);
		if (!rd_ok(r))
			return false;
		if (uns)
			EL(rec_el_uint(rec, u));
		else
			EL(rec_el_int(rec, (int32_t)(uint32_t)u));
		return true;
	case 0x02:	/* SHORT */
	case 0x0d:	/* YEAR */
		u = rd_le16(r);
		if (!rd_ok(r))
			return false;
		if (uns)
			EL(rec_el_uint(rec, u));
		else
			EL(rec_el_int(rec, (int16_t)(uint16_t)u));
		return true;
	case 0x01:	/* TINY */
		u = rd_u8(r);
		if (!rd_ok(r))
			return false;
		if (uns)
			EL(rec_el_uint(rec, u));
		else
			EL(rec_el_int(rec, (int8_t)(uint8_t)u));
		return true;
	case 0x05:	/* DOUBLE */
		dv.u = rd_le64(r);
		if (!rd_ok(r))
			return false;
		EL(rec_el_float(rec, dv.d));
		return true;
	case 0x04:	/* FLOAT */
		fv.u = rd_le32(r);
		if (!rd_ok(r))
			return false;
		EL(rec_el_float32(rec, fv.f));
		return true;
	case 0x0a:	/* DATE */
	case 0x0c:	/* DATETIME */
	case 0x07:	/* TIMESTAMP */
	case 0x0b:	/* TIME */
		if (!mysql_fmt_date(tmp, sizeof tmp, r, type))
			return false;
		EL(rec_el_str(rec, tmp, strlen(tmp)));
		return true;
	}
	n = mysql_lenenc(r);
	if (!rd_ok(r) || n > rd_left(r)) {
		r->bad = true;
		return false;
	}
	p = rd_take(r, (size_t)n);
	if (rec != NULL) {
		s = mysql_text(scratch, cs, p, (size_t)n, &sn);
		rec_el_str(rec, s, sn);
	}
	return true;
}
