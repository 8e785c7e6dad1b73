/* test-mysql-set.c - the scan of statement texts for client character set
 * changes (mysql-set.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mysql-set.h"
#include "mysql-text.h"
#include "test.h"

/* The changes of text (in charset cs) as "stmt:cs stmt:cs", DEFAULT as
 * "D". */
static const char *
set_scan(const char *text, size_t n, unsigned cs, unsigned flags)
{
	static char		out[128];
	struct mysql_cs_change	chg[MYSQL_CS_CHANGES];
	unsigned		k, i;
	size_t			o = 0;

	memset(chg, 0xee, sizeof chg);
	k = mysql_set_scan(text, n, cs, flags, chg);
	out[0] = '\0';
	for (i = 0; i < k && i < MYSQL_CS_CHANGES; i++) {
		if (chg[i].cs == MYSQL_CS_DEFAULT)
			o += (size_t)snprintf(out + o, sizeof out - o, "%s%u:D",
			    i ? " " : "", chg[i].stmt);
		else
			o += (size_t)snprintf(out + o, sizeof out - o, "%s%u:%u",
			    i ? " " : "", chg[i].stmt, chg[i].cs);
	}
	if (k > MYSQL_CS_CHANGES)
		return "overflow";
	return out;
}

#define SCAN(text, want) \
	CHECK_STR(set_scan((text), strlen(text), 8, 0), (want))

TEST(mysql_set_scan_forms)
{
	SCAN("SET NAMES utf8mb4", "0:255");
	SCAN("set names 'sjis'", "0:13");
	SCAN("SET NAMES `cp932`", "0:95");
	SCAN("SET NAMES \"ujis\" COLLATE 'ujis_bin'", "0:12");
	SCAN("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;", "0:255");
	SCAN("  SET\tNAMES\nlatin1  ", "0:8");
	SCAN("SET NAMES utf8", "0:33");
	SCAN("SET NAMES utf8mb3", "0:33");
	SCAN("SET NAMES binary", "0:63");
	SCAN("SET NAMES ascii", "0:11");
	SCAN("SET NAMES eucjpms", "0:97");
	SCAN("SET NAMES DEFAULT", "0:D");
	SCAN("SET NAMES DEFAULT COLLATE utf8mb4_bin", "0:D");
	SCAN("SET CHARACTER SET sjis", "0:13");
	SCAN("SET CHARACTER SET DEFAULT", "0:D");
	SCAN("SET CHARSET ujis", "0:12");
	SCAN("SET character_set_client = latin1", "0:8");
	SCAN("SET character_set_client='sjis'", "0:13");
	SCAN("SET character_set_client := sjis", "0:13");
	SCAN("SET character_set_client = DEFAULT", "0:D");
	SCAN("SET character_set_client = 13", "0:13");
	SCAN("SET character_set_client = 45", "0:45");
	SCAN("SET SESSION character_set_client = ascii", "0:11");
	SCAN("SET LOCAL character_set_client = ascii", "0:11");
	SCAN("SET @@character_set_client = sjis", "0:13");
	SCAN("SET @@session.character_set_client = sjis", "0:13");
	SCAN("SET @@LOCAL.CHARACTER_SET_CLIENT = SJIS", "0:13");
	SCAN("SET `character_set_client` = `sjis`", "0:13");
	/* several assignments: the last one counts */
	SCAN("SET NAMES utf8mb4, @a = 1, character_set_client = sjis", "0:13");
	SCAN("SET @a = (SELECT 1, 2), character_set_client = ujis, @b = 'x,y'",
	    "0:12");
	SCAN("SET autocommit = 1, NAMES sjis", "0:13");
	/* mysqldump's executed comments; MariaDB's */
	SCAN("/*!40101 SET NAMES utf8mb4 */", "0:255");
	SCAN("/*!40101 SET NAMES utf8mb4 */;", "0:255");
	SCAN("/*M!100100 SET NAMES sjis */", "0:13");
	SCAN("/*!40101 SET character_set_client = utf8 */;", "0:33");
	SCAN("SET /* why */ NAMES -- the names\n sjis # done", "0:13");
}

TEST(mysql_set_scan_not_changes)
{
	/* the global value, sticky GLOBAL */
	SCAN("SET GLOBAL character_set_client = sjis", "");
	SCAN("SET @@global.character_set_client = sjis", "");
	SCAN("SET PERSIST character_set_client = sjis", "");
	SCAN("SET GLOBAL max_connections = 10, character_set_client = sjis",
	    "");
	SCAN("SET GLOBAL max_connections = 10, SESSION character_set_client = "
	    "sjis", "0:13");
	SCAN("SET @@global.max_connections = 10, character_set_client = sjis",
	    "0:13");
	/* values that are not a known name */
	SCAN("SET NAMES nosuch", "");
	SCAN("SET NAMES 'sj\\is'", "");
	SCAN("SET NAMES", "");
	SCAN("SET character_set_client = @saved_cs_client", "");
	SCAN("SET character_set_client = @@global.character_set_client", "");
	SCAN("SET character_set_client = CONCAT('s', 'jis')", "");
	SCAN("SET character_set_client = sjis + 1", "");
	SCAN("SET character_set_client = 99999999", "");
	SCAN("SET character_set_client = '13'", "");
	SCAN("SET character_set_connection = sjis", "");
	SCAN("SET character_set_results = sjis, collation_connection = x", "");
	SCAN("SET @character_set_client = sjis", "");
	SCAN("SET STATEMENT character_set_client = sjis FOR SELECT 1", "");
	SCAN("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "");
	SCAN("SET PASSWORD = PASSWORD('x')", "");
	/* inside a literal, a comment, another statement */
	SCAN("SELECT 'SET NAMES sjis'", "");
	SCAN("SELECT \"; SET NAMES sjis\"", "");
	SCAN("SELECT `; SET NAMES sjis`", "");
	SCAN("SELECT 1 -- ; SET NAMES sjis", "");
	SCAN("SELECT 1 # ; SET NAMES sjis", "");
	SCAN("SELECT 1 /* ; SET NAMES sjis */", "");
	SCAN("/* SET NAMES sjis */ SELECT 1", "");
	SCAN("INSERT INTO t VALUES ('SET NAMES sjis')", "");
	SCAN("UPDATE t SET names = 'sjis'", "");
	SCAN("SELECT 1--1; SET NAMES sjis", "1:13");
	/* a stored program's body: what follows is not read */
	SCAN("CREATE PROCEDURE p() BEGIN SELECT 1; SET NAMES sjis; END; "
	    "SET NAMES ujis", "");
	SCAN("BEGIN NOT ATOMIC SET NAMES sjis; END", "");
	SCAN("IF 1 THEN SET NAMES sjis; END IF", "");
	SCAN("lbl: LOOP SET NAMES sjis; LEAVE lbl; END LOOP", "");
	SCAN("CREATE TABLE t (a INT); SET NAMES sjis", "1:13");
}

TEST(mysql_set_scan_multi)
{
	SCAN("SELECT 1; SET NAMES sjis", "1:13");
	SCAN("SELECT ';'; SET NAMES sjis; SELECT 2", "1:13");
	SCAN("SET NAMES sjis; SELECT 1; SET NAMES ujis", "0:13 2:12");
	SCAN("BEGIN; SET NAMES sjis", "1:13");
	SCAN("SELECT 'it''s'; SET NAMES sjis", "1:13");
	SCAN("SELECT 'a\\'; SET NAMES ujis'; SET NAMES sjis", "1:13");
	/* the last MYSQL_CS_CHANGES */
	SCAN("SET NAMES sjis; SET NAMES ujis; SET NAMES cp932; SET NAMES utf8; "
	    "SET NAMES latin1", "1:12 2:95 3:33 4:8");
	/* NO_BACKSLASH_ESCAPES: a backslash is a character */
	CHECK_STR(set_scan("SELECT 'a\\'; SET NAMES sjis", 27, 8,
	    MYSQL_SET_NOBS), "1:13");
	CHECK_STR(set_scan("SELECT 'a\\'; SET NAMES sjis", 27, 8, 0), "");
}

/* In Shift_JIS (and Big5, GBK) a character's second byte can be a
 * backslash: "'ソ'" is 27 83 5c 27, which does not escape the quote. */
TEST(mysql_set_scan_multibyte)
{
	static const char t[] = "SELECT '\x83\x5c'; SET NAMES utf8mb4";
	static const char b[] = "SELECT `\x83\x60`; SET NAMES utf8mb4";
	static const char g[] = "SELECT '\xa5\x5c'; SET NAMES utf8mb4";

	CHECK_STR(set_scan(t, sizeof t - 1, 13, 0), "1:255");
	CHECK_STR(set_scan(t, sizeof t - 1, 95, 0), "1:255");
	CHECK_STR(set_scan(t, sizeof t - 1, 33, 0), "");	/* in utf8: \' */
	CHECK_STR(set_scan(b, sizeof b - 1, 13, 0), "1:255");
	CHECK_STR(set_scan(g, sizeof g - 1, 1, 0), "1:255");	/* big5 */
	CHECK_STR(set_scan(g, sizeof g - 1, 28, 0), "1:255");	/* gbk */
	/* a lead byte at the very end */
	CHECK_STR(set_scan("SET NAMES sjis\x83", 15, 13, 0), "");
}

/* Hostile texts: every prefix of these and of a mix of them ends, and
 * reads nothing past its end (the sanitizer build checks that). */
TEST(mysql_set_scan_prefixes)
{
	static const char *const texts[] = {
		"/*!40101 SET NAMES 'utf8mb4' COLLATE `x` */; SET @a := "
		"(1, (2, ')')), character_set_client = \"sjis\" -- x\n;",
		"SET @@session.character_set_client = 13, @`a` = @@b; "
		"BEGIN NOT ATOMIC END",
		"/*M!1 SET CHARACTER SET DEFAULT # *\n */; SET",
		"SET @@", "SET @@x.", "SET @", "SET `", "SET '", "/*", "/*!",
		"--", "#", "'\\", "SET NAMES utf8mb4 COLLATE",
	};
	char		*buf;
	size_t		 i, k, n;
	unsigned	 cs;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		n = strlen(texts[i]);
		for (k = 0; k <= n; k++) {
			/* an exact-size copy: a read past k is caught */
			buf = malloc(k ? k : 1);
			memcpy(buf, texts[i], k);
			for (cs = 0; cs < 3; cs++)
				(void)set_scan(buf, k, cs == 0 ? 8 :
				    cs == 1 ? 13 : 28, cs == 2 ?
				    MYSQL_SET_NOBS : 0);
			free(buf);
		}
	}
	CHECK_STR(set_scan(texts[0], strlen(texts[0]), 8, 0), "0:255 1:13");
	CHECK_STR(set_scan(texts[1], strlen(texts[1]), 8, 0), "0:13");
	CHECK_STR(set_scan(texts[2], strlen(texts[2]), 8, 0), "0:D");
}

/* The SET after another statement is found wherever it lies (the check
 * for the letters runs 16 places at a time, the last block overlapping). */
TEST(mysql_set_scan_every_offset)
{
	char	buf[160];
	int	k, m, bad = 0;

	for (k = 0; k < 40; k++)
		for (m = 0; m < 40; m++) {
			snprintf(buf, sizeof buf, "SELECT 1;%*sset names sjis%*s",
			    k, "", m, "");
			if (strcmp(set_scan(buf, strlen(buf), 8, 0), "1:13") != 0)
				bad++;
			snprintf(buf, sizeof buf, "SELECT 1;%*sSELECT 'se'%*s",
			    k, "", m, "");
			if (strcmp(set_scan(buf, strlen(buf), 8, 0), "") != 0)
				bad++;
		}
	CHECK_INT(bad, 0);
}

TEST(mysql_charset_id)
{
	CHECK_INT(mysql_charset_id("utf8mb4", 7), 255);
	CHECK_INT(mysql_charset_id("UTF8MB4", 7), 255);
	CHECK_INT(mysql_charset_id("utf8mb3", 7), 33);
	CHECK_INT(mysql_charset_id("utf8", 4), 33);
	CHECK_INT(mysql_charset_id("latin1", 6), 8);
	CHECK_INT(mysql_charset_id("sjis", 4), 13);
	CHECK_INT(mysql_charset_id("cp932", 5), 95);
	CHECK_INT(mysql_charset_id("ujis", 4), 12);
	CHECK_INT(mysql_charset_id("eucjpms", 7), 97);
	CHECK_INT(mysql_charset_id("binary", 6), 63);
	CHECK_INT(mysql_charset_id("ascii", 5), 11);
	CHECK_INT(mysql_charset_id("utf8mb", 6), -1);
	CHECK_INT(mysql_charset_id("sjisx", 4), 13);	/* n counts */
	CHECK_INT(mysql_charset_id("", 0), -1);
	CHECK_INT(mysql_charset_id("nosuch", 6), -1);
}
