/* mysql-text.c - collation names and Japanese charset conversion.
 *
 * The conversion tables for Shift_JIS and EUC-JP are large; glibc's iconv
 * already has them, so it is used (converters opened once, on first use). */
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "mysql-text.h"

static const char *const mysql_charsets[256] = {
	[1] = "big5", [3] = "dec8", [4] = "cp850", [6] = "hp8", [7] = "koi8r",
	[8] = "latin1", [9] = "latin2", [10] = "swe7", [11] = "ascii",
	[12] = "ujis", [13] = "sjis", [16] = "hebrew", [18] = "tis620",
	[19] = "euckr", [22] = "koi8u", [24] = "gb2312", [25] = "greek",
	[26] = "cp1250", [28] = "gbk", [30] = "latin5", [32] = "armscii8",
	[33] = "utf8", [35] = "ucs2", [36] = "cp866", [37] = "keybcs2",
	[38] = "macce", [39] = "macroman", [40] = "cp852", [41] = "latin7",
	[51] = "cp1251", [54] = "utf16", [56] = "utf16le", [57] = "cp1256",
	[59] = "cp1257", [60] = "utf32", [63] = "binary", [92] = "geostd8",
	[95] = "cp932", [97] = "eucjpms", [248] = "gb18030", [255] = "utf8mb4",
};

const char *
mysql_charset_name(unsigned id)
{
	if (id < 256 && mysql_charsets[id] != NULL)
		return mysql_charsets[id];
	return "";
}

int
mysql_charset_id(const char *s, size_t n)
{
	unsigned	i;

	/* MySQL 8 and MariaDB 10.6+ call utf8 utf8mb3 (and report that) */
	if (n == 7 && strncasecmp(s, "utf8mb3", 7) == 0)
		return 33;
	if (n == 0)
		return -1;
	for (i = 0; i < 256; i++)
		if (mysql_charsets[i] != NULL &&
		    strlen(mysql_charsets[i]) == n &&
		    strncasecmp(mysql_charsets[i], s, n) == 0)
			return (int)i;
	return -1;
}

static const char *const mysql_commands[] = {
	"COM_SLEEP", "COM_QUIT", "COM_INIT_DB", "COM_QUERY", "COM_FIELD_LIST",
	"COM_CREATE_DB", "COM_DROP_DB", "COM_REFRESH", "COM_SHUTDOWN",
	"COM_STATISTICS", "COM_PROCESS_INFO", "COM_CONNECT",
	"COM_PROCESS_KILL", "COM_DEBUG", "COM_PING", "COM_TIME",
	"COM_DELAYED_INSERT", "COM_CHANGE_USER", "COM_BINLOG_DUMP",
	"COM_TABLE_DUMP", "COM_CONNECT_OUT", "COM_REGISTER_SLAVE",
	"COM_STMT_PREPARE", "COM_STMT_EXECUTE", "COM_STMT_SEND_LONG_DATA",
	"COM_STMT_CLOSE", "COM_STMT_RESET", "COM_SET_OPTION", "COM_STMT_FETCH",
	"COM_DAEMON", "COM_BINLOG_DUMP_GTID", "COM_RESET_CONNECTION",
};

const char *
mysql_command_name(unsigned cmd)
{
	if (cmd < sizeof mysql_commands / sizeof mysql_commands[0])
		return mysql_commands[cmd];
	if (cmd == 0xfa)
		return "COM_STMT_BULK_EXECUTE";	/* MariaDB */
	return "COM_UNKNOWN";
}

enum { CV_NONE, CV_EUCJP, CV_SJIS };

static int
mysql_conv_kind(unsigned cs)
{
	switch (cs) {
	case 12: case 97:
		return CV_EUCJP;
	case 13: case 95:
		return CV_SJIS;
	}
	return CV_NONE;
}

static iconv_t
mysql_conv_open(int kind)
{
	static iconv_t	cd[3] = { (iconv_t)-1, (iconv_t)-1, (iconv_t)-1 };
	static int	tried[3];

	if (!tried[kind]) {
		tried[kind] = 1;
		/* CP932 and EUC-JP-MS are supersets of what clients send. */
		if (kind == CV_EUCJP) {
			cd[kind] = iconv_open("UTF-8", "EUC-JP-MS");
			if (cd[kind] == (iconv_t)-1)
				cd[kind] = iconv_open("UTF-8", "EUC-JP");
		} else {
			cd[kind] = iconv_open("UTF-8", "CP932");
			if (cd[kind] == (iconv_t)-1)
				cd[kind] = iconv_open("UTF-8", "SHIFT_JIS");
		}
	}
	return cd[kind];
}

const char *
mysql_text(struct buf *scratch, unsigned cs, const void *vp, size_t n,
    size_t *outn)
{
	const char	*p = vp;
	iconv_t		 cd;
	char		*in, *out;
	size_t		 inleft, outleft, r;
	int		 kind;

	while (n > 0 && p[n - 1] == '\0')
		n--;
	kind = mysql_conv_kind(cs);
	if (kind == CV_NONE || n == 0 ||
	    (cd = mysql_conv_open(kind)) == (iconv_t)-1) {
		*outn = n;
		return p;
	}
	buf_reset(scratch);
	buf_reserve(scratch, n * 3 + 16);
	iconv(cd, NULL, NULL, NULL, NULL);
	in = (char *)(uintptr_t)p;
	inleft = n;
	out = scratch->p;
	outleft = scratch->cap;
	while (inleft > 0) {
		r = iconv(cd, &in, &inleft, &out, &outleft);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			/* cannot happen with 3 bytes out per byte in, but
			 * stay correct if it does */
			size_t used = (size_t)(out - scratch->p);
			scratch->len = used;
			buf_reserve(scratch, inleft * 3 + 16);
			out = scratch->p + used;
			outleft = scratch->cap - used;
			continue;
		}
		/* EILSEQ or EINVAL (truncated sequence): U+FFFD, skip a byte */
		if (outleft < 3) {
			size_t used = (size_t)(out - scratch->p);
			scratch->len = used;
			buf_reserve(scratch, inleft * 3 + 16);
			out = scratch->p + used;
			outleft = scratch->cap - used;
		}
		memcpy(out, "\xef\xbf\xbd", 3);
		out += 3;
		outleft -= 3;
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	scratch->len = (size_t)(out - scratch->p);
	*outn = scratch->len;
	return scratch->p;
}

size_t
mysql_utf8_partial(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 k, need;

	/* back to the sequence's first byte: at most 3 continuations */
	for (k = n; k > 0 && n - k < 4; k--) {
		if ((p[k - 1] & 0xc0) == 0x80)
			continue;
		need = p[k - 1] >= 0xf8 ? 1 : p[k - 1] >= 0xf0 ? 4 :
		    p[k - 1] >= 0xe0 ? 3 : p[k - 1] >= 0xc0 ? 2 : 1;
		return n - (k - 1) < need ? n - (k - 1) : 0;
	}
	return 0;
}
