/* config.c - tcpdp's TOML configuration through inih.
 *
 * inih reads INI, and the TOML that tcpdp documents is INI-shaped: sections,
 * `key = value`, comments. Three differences are bridged by a line reader
 * that runs before inih sees a line: leading blanks are dropped (inih would
 * take an indented line as a continuation), `#` comments after a value are
 * cut (outside quotes), and `;` inside quotes is shielded from inih's inline
 * comment rule. Values are then unquoted and unescaped as TOML strings. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "xmalloc.h"

#define CONFIG_LINE_MAX	4096
#define SHIELD_SEMI	'\x01'

enum ctype { C_STR, C_BOOL, C_INT };

struct ckey {
	const char	*section;
	const char	*key;
	enum ctype	 type;
	size_t		 off;
};

#define S(f)	offsetof(struct config, f)
static const struct ckey ckeys[] = {
	{ "tcpdp", "pidfile", C_STR, S(pidfile) },
	{ "tcpdp", "dumper", C_STR, S(dumper) },
	{ "tcpdp", "proxyProtocol", C_BOOL, S(proxy_protocol) },
	{ "probe", "interface", C_STR, S(probe.interface) },
	{ "probe", "target", C_STR, S(probe.target) },
	{ "probe", "bufferSize", C_STR, S(probe.buffer_size) },
	{ "probe", "immediateMode", C_BOOL, S(probe.immediate_mode) },
	{ "probe", "snapshotLength", C_STR, S(probe.snapshot_length) },
	{ "probe", "internalBufferLength", C_INT, S(probe.internal_buffer_length) },
	{ "probe", "filter", C_STR, S(probe.filter) },
	{ "proxy", "useServerStarter", C_BOOL, S(proxy.use_server_starter) },
	{ "proxy", "listenAddr", C_STR, S(proxy.listen_addr) },
	{ "proxy", "remoteAddr", C_STR, S(proxy.remote_addr) },
#define L(sec, base) \
	{ sec, "dir", C_STR, S(base.dir) }, \
	{ sec, "enable", C_BOOL, S(base.enable) }, \
	{ sec, "stdout", C_BOOL, S(base.stdout_) }, \
	{ sec, "format", C_STR, S(base.format) }, \
	{ sec, "rotateEnable", C_BOOL, S(base.rotate_enable) }, \
	{ sec, "rotationTime", C_STR, S(base.rotation_time) }, \
	{ sec, "rotationCount", C_INT, S(base.rotation_count) }, \
	{ sec, "rotationHook", C_STR, S(base.rotation_hook) }, \
	{ sec, "fileName", C_STR, S(base.file_name) }
	L("log", log),
	{ "log", "enableInternal", C_BOOL, S(log.enable_internal) },
	L("dumpLog", dump_log),
	{ "dumpLog", "stdoutFormat", C_STR, S(dump_log.stdout_format) },
#undef L
};
#undef S

void
config_set(char **dst, const char *v)
{
	free(*dst);
	*dst = v != NULL ? xstrdup(v) : NULL;
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	config_set(&c->pidfile, "./tcpdp.pid");
	config_set(&c->dumper, "hex");
	config_set(&c->probe.interface, "");
	config_set(&c->probe.target, "localhost:80");
	config_set(&c->probe.buffer_size, "2MB");
	config_set(&c->probe.snapshot_length, "65535B");
	c->probe.internal_buffer_length = 10000;
	config_set(&c->probe.filter, "");
	config_set(&c->proxy.listen_addr, "localhost:8080");
	config_set(&c->proxy.remote_addr, "localhost:80");

	config_set(&c->log.dir, ".");
	c->log.enable = true;
	c->log.stdout_ = true;
	config_set(&c->log.format, "json");
	c->log.rotate_enable = true;
	config_set(&c->log.rotation_time, "daily");
	c->log.rotation_count = 7;
	config_set(&c->log.rotation_hook, "");
	config_set(&c->log.file_name, "tcpdp.log");

	config_set(&c->dump_log.dir, ".");
	c->dump_log.enable = true;
	c->dump_log.stdout_ = false;
	config_set(&c->dump_log.format, "json");
	c->dump_log.rotate_enable = true;
	config_set(&c->dump_log.rotation_time, "daily");
	c->dump_log.rotation_count = 7;
	config_set(&c->dump_log.rotation_hook, "");
	config_set(&c->dump_log.file_name, "dump.log");
}

void
config_free(struct config *c)
{
	size_t	i;

	for (i = 0; i < sizeof ckeys / sizeof ckeys[0]; i++)
		if (ckeys[i].type == C_STR)
			free(*(char **)((char *)c + ckeys[i].off));
	free(c->path);
	memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- loading */

struct cload {
	struct config	*cfg;
	FILE		*f;
	const char	*path;
	int		 line;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

/* Gives inih one line at a time, reshaped as described at the top. */
static char *
config_reader(char *str, int num, void *arg)
{
	struct cload	*cl = arg;
	char		 raw[CONFIG_LINE_MAX], *p, *o;
	char		 quote = 0;
	size_t		 n;

	if (fgets(raw, sizeof raw, cl->f) == NULL)
		return NULL;
	cl->line++;
	n = strlen(raw);
	if (n == sizeof raw - 1 && raw[n - 1] != '\n' && !cl->failed) {
		snprintf(cl->err, cl->errlen, "%s:%d: line too long",
		    cl->path, cl->line);
		cl->failed = 1;
	}
	p = raw;
	while (*p == ' ' || *p == '\t')
		p++;
	o = str;
	for (; *p != '\0' && o - str < num - 2; p++) {
		char c = *p;

		if (quote) {
			if (c == '\\' && quote == '"' && p[1] != '\0') {
				*o++ = c;
				c = *++p;
			} else if (c == quote)
				quote = 0;
			else if (c == ';')
				c = SHIELD_SEMI;
		} else if (c == '"' || c == '\'')
			quote = c;
		else if (c == '#' && p != raw && o != str)
			break;
		*o++ = c;
	}
	if (o == str || o[-1] != '\n')
		*o++ = '\n';
	*o = '\0';
	return str;
}

/* Unquotes a TOML value into out; returns 1 if it was a quoted string. */
static int
config_unquote(const char *v, char *out, size_t outlen, const char **why)
{
	size_t	n = strlen(v), o = 0;
	char	q;

	*why = NULL;
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	if (n == 0 || (v[0] != '"' && v[0] != '\'')) {
		snprintf(out, outlen, "%.*s", (int)n, v);
		for (o = 0; out[o]; o++)
			if (out[o] == SHIELD_SEMI)
				out[o] = ';';
		return 0;
	}
	q = v[0];
	if (n < 2 || v[n - 1] != q) {
		*why = "unterminated string";
		return -1;
	}
	for (size_t i = 1; i < n - 1 && o + 5 < outlen; i++) {
		char c = v[i];
		if (c == SHIELD_SEMI)
			c = ';';
		if (c == '\\' && q == '"') {
			c = v[++i];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '"': case '\\': break;
			case 'u': {
				unsigned int	cp;
				char		hex[5];

				if (i + 4 >= n - 1) {
					*why = "bad \\u escape";
					return -1;
				}
				memcpy(hex, v + i + 1, 4);
				hex[4] = '\0';
				cp = (unsigned int)strtoul(hex, NULL, 16);
				i += 4;
				if (cp < 0x80)
					out[o++] = (char)cp;
				else if (cp < 0x800) {
					out[o++] = (char)(0xc0 | cp >> 6);
					out[o++] = (char)(0x80 | (cp & 0x3f));
				} else {
					out[o++] = (char)(0xe0 | cp >> 12);
					out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
					out[o++] = (char)(0x80 | (cp & 0x3f));
				}
				continue;
			}
			default:
				*why = "unknown escape in string";
				return -1;
			}
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return 1;
}

static int
config_bool(const char *s, bool *b)
{
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
	    strcasecmp(s, "t") == 0) {
		*b = true;
		return 0;
	}
	if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 ||
	    strcasecmp(s, "f") == 0) {
		*b = false;
		return 0;
	}
	return -1;
}

static int
config_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct cload		*cl = arg;
	const struct ckey	*k = NULL;
	char			 v[CONFIG_LINE_MAX];
	const char		*why;
	char			*end;
	long			 l;
	size_t			 i;

	for (i = 0; i < sizeof ckeys / sizeof ckeys[0]; i++) {
		if (strcasecmp(ckeys[i].section, section) == 0 &&
		    strcasecmp(ckeys[i].key, name) == 0) {
			k = &ckeys[i];
			break;
		}
	}
	if (k == NULL) {
		fprintf(stderr, "tcpdp-top: %s:%d: warning: unknown key "
		    "%s%s%s (ignored)\n", cl->path, cl->line, section,
		    *section ? "." : "", name);
		return 1;
	}
	if (config_unquote(value, v, sizeof v, &why) < 0)
		goto bad;
	switch (k->type) {
	case C_STR:
		config_set((char **)((char *)cl->cfg + k->off), v);
		break;
	case C_BOOL:
		if (config_bool(v, (bool *)((char *)cl->cfg + k->off)) < 0) {
			why = "expected true or false";
			goto bad;
		}
		break;
	case C_INT:
		errno = 0;
		l = strtol(v, &end, 10);
		if (v[0] == '\0' || *end != '\0' || errno != 0) {
			why = "expected an integer";
			goto bad;
		}
		*(long *)((char *)cl->cfg + k->off) = l;
		break;
	}
	return 1;
bad:
	if (!cl->failed)
		snprintf(cl->err, cl->errlen, "%s:%d: %s.%s: %s (value %s)",
		    cl->path, cl->line, k->section, k->key, why, value);
	cl->failed = 1;
	return 1;
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = config_load_stream(cfg, f, path, err, errlen);
	fclose(f);
	if (rc == 0)
		config_set(&cfg->path, path);
	return rc;
}

int
config_load_stream(struct config *cfg, FILE *f, const char *name, char *err,
    size_t errlen)
{
	struct cload	cl;
	int		rc;

	memset(&cl, 0, sizeof cl);
	cl.cfg = cfg;
	cl.f = f;
	cl.path = name;
	cl.err = err;
	cl.errlen = errlen;
	rc = ini_parse_stream(config_reader, &cl, config_handler, &cl);
	if (rc > 0 && !cl.failed) {
		snprintf(err, errlen, "%s:%d: syntax error", name, rc);
		return -1;
	}
	if (rc < 0 && !cl.failed) {
		snprintf(err, errlen, "%s: cannot parse", name);
		return -1;
	}
	return cl.failed ? -1 : 0;
}

char *
config_find(void)
{
	const char	*home = getenv("HOME");
	char		 p[PATH_MAX];
	const char	*dirs[] = { "/etc/tcpdp-top", "/etc/tcpdp", NULL, "." };
	size_t		 i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		if (dirs[i] == NULL) {
			if (home == NULL || *home == '\0')
				continue;
			snprintf(p, sizeof p, "%s/.tcpdp/tcpdp.toml", home);
		} else
			snprintf(p, sizeof p, "%s/tcpdp.toml", dirs[i]);
		if (access(p, R_OK) == 0)
			return xstrdup(p);
		if (i == 0) {
			snprintf(p, sizeof p, "%s/tcpdp-top.toml", dirs[i]);
			if (access(p, R_OK) == 0)
				return xstrdup(p);
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------- printing */

static void
config_print_log(FILE *f, const char *name, const struct config_log *l,
    int is_log)
{
	fprintf(f, "[%s]\n", name);
	fprintf(f, "dir = \"%s\"\n", l->dir);
	fprintf(f, "enable = %s\n", l->enable ? "true" : "false");
	if (is_log)
		fprintf(f, "enableInternal = %s\n",
		    l->enable_internal ? "true" : "false");
	fprintf(f, "stdout = %s\n", l->stdout_ ? "true" : "false");
	fprintf(f, "format = \"%s\"\n", l->format);
	fprintf(f, "rotateEnable = %s\n", l->rotate_enable ? "true" : "false");
	fprintf(f, "rotationTime = \"%s\"\n", l->rotation_time);
	fprintf(f, "rotationCount = %ld\n", l->rotation_count);
	if (l->rotation_hook != NULL && *l->rotation_hook != '\0')
		fprintf(f, "rotationHook = \"%s\"\n", l->rotation_hook);
	fprintf(f, "fileName = \"%s\"", l->file_name);
}

/*
 * tcpdp's template, including its blank-line quirks (SPEC §1.5): a set
 * [log] hook leaves an extra blank line before [dumpLog], and the output
 * ends with a newline only when the [dumpLog] hook is set.
 */
void
config_print(const struct config *c, FILE *f)
{
	fprintf(f, "[tcpdp]\npidfile = \"%s\"\ndumper = \"%s\"\n"
	    "proxyProtocol = %s\n\n", c->pidfile, c->dumper,
	    c->proxy_protocol ? "true" : "false");
	fprintf(f, "[probe]\ninterface = \"%s\"\ntarget = \"%s\"\n"
	    "bufferSize = \"%s\"\nimmediateMode = %s\nsnapshotLength = \"%s\"\n"
	    "internalBufferLength = %ld\nfilter = \"%s\"\n\n",
	    c->probe.interface, c->probe.target, c->probe.buffer_size,
	    c->probe.immediate_mode ? "true" : "false",
	    c->probe.snapshot_length, c->probe.internal_buffer_length,
	    c->probe.filter);
	fprintf(f, "[proxy]\nuseServerStarter = %s\nlistenAddr = \"%s\"\n"
	    "remoteAddr = \"%s\"\n\n",
	    c->proxy.use_server_starter ? "true" : "false",
	    c->proxy.listen_addr, c->proxy.remote_addr);
	config_print_log(f, "log", &c->log, 1);
	fputs("\n\n", f);
	if (c->log.rotation_hook != NULL && *c->log.rotation_hook != '\0')
		fputc('\n', f);
	config_print_log(f, "dumpLog", &c->dump_log, 0);
	if (c->dump_log.rotation_hook != NULL && *c->dump_log.rotation_hook != '\0')
		fputc('\n', f);
}

/* ---------------------------------------------------------------- sizes */

long long
bytesize_parse(const char *in)
{
	static const struct { const char *u; int shift; } units[] = {
		{ "B", 0 }, { "K", 10 }, { "KB", 10 }, { "KIB", 10 },
		{ "M", 20 }, { "MB", 20 }, { "MIB", 20 },
		{ "G", 30 }, { "GB", 30 }, { "GIB", 30 },
		{ "T", 40 }, { "TB", 40 }, { "TIB", 40 },
		{ "P", 50 }, { "PB", 50 }, { "PIB", 50 },
		{ "E", 60 }, { "EB", 60 }, { "EIB", 60 },
	};
	char		 s[64], num[64], *end;
	size_t		 n, i, j;
	double		 d, r;

	while (isspace((unsigned char)*in))
		in++;
	n = strlen(in);
	while (n > 0 && isspace((unsigned char)in[n - 1]))
		n--;
	if (n == 0 || n >= sizeof s - 1)
		return -1;
	for (i = 0; i < n; i++)
		s[i] = (char)toupper((unsigned char)in[i]);
	s[n] = '\0';
	if (strspn(s, "0123456789") == n) {
		s[n++] = 'B';
		s[n] = '\0';
	}
	for (i = 0; i < n && !isalpha((unsigned char)s[i]); i++)
		;
	if (i == 0 || i == n)
		return -1;
	memcpy(num, s, i);
	num[i] = '\0';
	/* "2 MB": the number part must be a plain decimal. */
	if (strspn(num, "0123456789.") != i)
		return -1;
	d = strtod(num, &end);
	if (*end != '\0' || !(d > 0))
		return -1;
	for (j = 0; j < sizeof units / sizeof units[0]; j++) {
		if (strcmp(s + i, units[j].u) == 0) {
			r = floor(d * ldexp(1.0, units[j].shift));
			if (r >= 9.2e18 || r < 1)
				return -1;
			return (long long)r;
		}
	}
	return -1;
}
