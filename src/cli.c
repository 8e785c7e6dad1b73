/* cli.c - commands and flags (SPEC §1), as tcpdp has them plus --batch.
 *
 * Unlike tcpdp, flags always beat the config file (also -d and
 * --proxy-protocol), and bad usage is one line on stderr and exit 2. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "config.h"
#include "decode.h"
#include "run.h"
#include "target.h"
#include "xmalloc.h"

enum {
	O_STDOUT = 256,
	O_PROXY_PROTOCOL,
	O_IMMEDIATE,
	O_FILTER,
	O_BATCH,
};

struct cmd;

struct flag {
	const char	*lng;
	int		 shrt;		/* 0: long only */
	const char	*arg;		/* NULL: boolean */
	const char	*help;
	const char	*def;
};

struct cmd {
	const char		*name;
	const char		*summary;
	const char		*usage;
	const struct flag	*flags;
};

#define F_HELP	{ "help", 'h', NULL, "help for this command", NULL }
#define F_BATCH	{ "batch", 0, NULL, "headless: no UI, output through the logs", NULL }

static const struct flag proxy_flags[] = {
	{ "config", 'c', "FILE", "config file path", NULL },
	{ "listen", 'l', "ADDR", "listen address", "localhost:8080" },
	{ "remote", 'r', "ADDR", "remote address", "localhost:80" },
	{ "dumper", 'd', "NAME", "dumper: hex, mysql, pg, conn", "hex" },
	{ "use-server-starter", 's', NULL, "use server_starter's listening socket", NULL },
	{ "stdout", 0, NULL, "write dump records to stdout as well", NULL },
	{ "proxy-protocol", 0, NULL, "parse PROXY protocol headers", NULL },
	F_BATCH, F_HELP, { NULL, 0, NULL, NULL, NULL },
};

static const struct flag probe_flags[] = {
	{ "config", 'c', "FILE", "config file path", NULL },
	{ "target", 't', "TARGET", "target: PORT, HOST:PORT, HOST, [V6]:PORT, 'A || B'", "localhost:80" },
	{ "interface", 'i', "IF", "interface to capture on ('any' on Linux)", NULL },
	{ "buffer-size", 'B', "SIZE", "libpcap buffer size", "2MB" },
	{ "immediate-mode", 0, NULL, "libpcap immediate mode", NULL },
	{ "snapshot-length", 's', "SIZE", "snapshot length, or auto (MTU + 18)", "65535B" },
	{ "dumper", 'd', "NAME", "dumper: hex, mysql, pg, conn", "hex" },
	{ "stdout", 0, NULL, "write dump records to stdout as well", NULL },
	{ "filter", 0, "BPF", "BPF filter replacing the one made from the target", NULL },
	{ "proxy-protocol", 0, NULL, "parse PROXY protocol headers", NULL },
	F_BATCH, F_HELP, { NULL, 0, NULL, NULL, NULL },
};

static const struct flag read_flags[] = {
	{ "config", 'c', "FILE", "config file path", NULL },
	{ "target", 't', "TARGET", "target (as for probe)", NULL },
	{ "format", 'f', "FORMAT", "stdout format: json, ltsv, console", "json" },
	{ "dumper", 'd', "NAME", "dumper: hex, mysql, pg, conn", "hex" },
	{ "proxy-protocol", 0, NULL, "parse PROXY protocol headers", NULL },
	F_BATCH, F_HELP, { NULL, 0, NULL, NULL, NULL },
};

static const struct flag config_flags[] = {
	{ "config", 'c', "FILE", "config file path", NULL },
	F_HELP, { NULL, 0, NULL, NULL, NULL },
};

static const struct flag plain_flags[] = {
	F_HELP, { NULL, 0, NULL, NULL, NULL },
};

static const struct cmd cmds[] = {
	{ "proxy", "TCP proxy server mode", "proxy [flags]", proxy_flags },
	{ "probe", "Probe mode", "probe [flags]", probe_flags },
	{ "read", "Read pcap file mode", "read [flags] [FILE|-]", read_flags },
	{ "config", "Show current config", "config [flags]", config_flags },
	{ "version", "Print version", "version", plain_flags },
	{ "help", "Help about any command", "help [COMMAND]", plain_flags },
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static const char	*progname = "tcpdp-top";
static bool		 as_tcpdp;

static void __attribute__((noreturn, format(printf, 2, 3)))
usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (c != NULL)
		fprintf(stderr, "; see '%s %s --help'\n", progname, c->name);
	else
		fprintf(stderr, "; see '%s --help'\n", progname);
	exit(2);
}

static const struct cmd *
cmd_find(const char *name)
{
	size_t	i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static void
help_root(FILE *f)
{
	size_t	i;

	fprintf(f, "%s is a TCP dump tool with custom dumpers for MySQL and "
	    "PostgreSQL,\nwith a top-like interface (tcpdp compatible).\n\n"
	    "Usage:\n  %s [--batch] [-c FILE] COMMAND [flags]\n"
	    "  %s -i IF -t TARGET -d DUMPER      (same as probe)\n\n"
	    "Commands:\n", progname, progname, progname);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nGlobal flags:\n"
	    "      --batch            headless: no UI, output through the logs\n"
	    "  -c, --config FILE      config file path\n"
	    "  -h, --help             help\n"
	    "  -v, --version          print version\n\n"
	    "Use \"%s COMMAND --help\" for more about a command.\n", progname);
}

static void
help_cmd(const struct cmd *c, FILE *f)
{
	const struct flag	*fl;
	char			 left[64];

	fprintf(f, "%s\n\nUsage:\n  %s %s\n\nFlags:\n", c->summary, progname,
	    c->usage);
	for (fl = c->flags; fl->lng != NULL; fl++) {
		if (fl->shrt)
			snprintf(left, sizeof left, "-%c, --%s%s%s", fl->shrt,
			    fl->lng, fl->arg ? " " : "", fl->arg ? fl->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", fl->lng,
			    fl->arg ? " " : "", fl->arg ? fl->arg : "");
		fprintf(f, "  %-30s %s", left, fl->help);
		if (fl->def != NULL)
			fprintf(f, " (default \"%s\")", fl->def);
		fputc('\n', f);
	}
}

/* host:port, [v6]:port or :port; the port a number or service name. */
static int
addr_valid(const char *s)
{
	char		 host[256];
	const char	*port;

	if ((port = addr_split(s, host, sizeof host)) == NULL)
		return 0;
	/* A bracketed host ends at "]:"; a bare IPv6 needs brackets. */
	if (s[0] == '[' ? port[-2] != ']' : strchr(host, ':') != NULL)
		return 0;
	if (*port == '\0')
		return 0;
	if (strspn(port, "0123456789") == strlen(port)) {
		long p = strtol(port, NULL, 10);
		return p >= 0 && p <= 65535 && strlen(port) <= 5;
	}
	return strspn(port, "abcdefghijklmnopqrstuvwxyz-") == strlen(port);
}

struct parsed {
	const struct cmd	*cmd;
	const char		*config;
	const char		*dumper;
	const char		*target;
	const char		*interface;
	const char		*buffer_size;
	const char		*snaplen;
	const char		*filter;
	const char		*listen;
	const char		*remote;
	const char		*format;
	bool			 immediate;
	bool			 server_starter;
	bool			 stdout_flag;
	bool			 proxy_protocol;
	bool			 batch;
	char			*file;
};

static void
parse_flags(const struct cmd *c, int argc, char **argv, struct parsed *p)
{
	struct option		 lo[24];
	char			 so[64];
	const struct flag	*fl;
	size_t			 n = 0, s = 0;
	int			 ch, idx;

	so[s++] = ':';
	for (fl = c->flags; fl->lng != NULL; fl++) {
		lo[n].name = fl->lng;
		lo[n].has_arg = fl->arg ? required_argument : no_argument;
		lo[n].flag = NULL;
		lo[n].val = fl->shrt ? fl->shrt : 1000 + (int)(fl - c->flags);
		n++;
		if (fl->shrt) {
			so[s++] = (char)fl->shrt;
			if (fl->arg)
				so[s++] = ':';
		}
	}
	memset(&lo[n], 0, sizeof lo[n]);
	so[s] = '\0';

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, so, lo, &idx)) != -1) {
		const char *name;

		if (ch == '?') {
			if (optopt)
				usage_error(c, "unknown shorthand flag '%c' for "
				    "\"%s\"", optopt, c->name);
			usage_error(c, "unknown flag %s for \"%s\"",
			    argv[optind - 1], c->name);
		}
		if (ch == ':')
			usage_error(c, "flag %s needs an argument",
			    argv[optind - 1]);
		name = NULL;
		for (fl = c->flags; fl->lng != NULL; fl++)
			if ((fl->shrt && fl->shrt == ch) ||
			    (!fl->shrt && 1000 + (fl - c->flags) == ch))
				name = fl->lng;
		if (name == NULL)
			continue;
		if (strcmp(name, "help") == 0) {
			help_cmd(c, stdout);
			exit(0);
		}
#define IS(x) (strcmp(name, (x)) == 0)
		if (IS("config")) p->config = optarg;
		else if (IS("dumper")) p->dumper = optarg;
		else if (IS("target")) p->target = optarg;
		else if (IS("interface")) p->interface = optarg;
		else if (IS("buffer-size")) p->buffer_size = optarg;
		else if (IS("snapshot-length")) p->snaplen = optarg;
		else if (IS("filter")) p->filter = optarg;
		else if (IS("listen")) p->listen = optarg;
		else if (IS("remote")) p->remote = optarg;
		else if (IS("format")) p->format = optarg;
		else if (IS("immediate-mode")) p->immediate = true;
		else if (IS("use-server-starter")) p->server_starter = true;
		else if (IS("stdout")) p->stdout_flag = true;
		else if (IS("proxy-protocol")) p->proxy_protocol = true;
		else if (IS("batch")) p->batch = true;
#undef IS
	}
	if (optind < argc) {
		if (strcmp(c->name, "read") == 0 && optind == argc - 1)
			p->file = argv[optind];
		else if (strcmp(c->name, "help") != 0)
			usage_error(c, "unexpected argument \"%s\" for \"%s\"",
			    argv[optind], c->name);
	}
}

/* Builds the effective configuration: defaults < file < flags. */
static void
effective_config(struct parsed *p, struct config *cfg)
{
	char	 err[1024];
	char	*path;

	config_defaults(cfg);
	path = p->config ? xstrdup(p->config) : config_find();
	if (path != NULL) {
		if (config_load(cfg, path, err, sizeof err) < 0) {
			fprintf(stderr, "%s: config: %s\n", progname, err);
			exit(1);
		}
		free(path);
	}
	if (p->dumper) config_set(&cfg->dumper, p->dumper);
	if (p->proxy_protocol) cfg->proxy_protocol = true;
	if (p->target && strcmp(p->cmd->name, "probe") == 0)
		config_set(&cfg->probe.target, p->target);
	if (p->interface) config_set(&cfg->probe.interface, p->interface);
	if (p->buffer_size) config_set(&cfg->probe.buffer_size, p->buffer_size);
	if (p->snaplen) config_set(&cfg->probe.snapshot_length, p->snaplen);
	if (p->filter) config_set(&cfg->probe.filter, p->filter);
	if (p->immediate) cfg->probe.immediate_mode = true;
	if (p->listen) config_set(&cfg->proxy.listen_addr, p->listen);
	if (p->remote) config_set(&cfg->proxy.remote_addr, p->remote);
	if (p->server_starter) cfg->proxy.use_server_starter = true;
	if (p->format) config_set(&cfg->dump_log.stdout_format, p->format);
}

/* Values from flags or the file that cannot work are errors, never a
 * silent fallback. */
static void
validate(const struct parsed *p, const struct config *cfg)
{
	const struct cmd	*c = p->cmd;
	const char		*name = c->name;
	enum fmt		 f;

	if (decoder_find(cfg->dumper) == NULL)
		usage_error(c, "unknown dumper \"%s\" (one of %s)", cfg->dumper,
		    decoder_names());
	if (strcmp(name, "probe") == 0) {
		if (bytesize_parse(cfg->probe.buffer_size) < 0)
			usage_error(c, "bad buffer size \"%s\"",
			    cfg->probe.buffer_size);
		if (strcasecmp(cfg->probe.snapshot_length, "auto") != 0 &&
		    bytesize_parse(cfg->probe.snapshot_length) < 0)
			usage_error(c, "bad snapshot length \"%s\"",
			    cfg->probe.snapshot_length);
		if (*cfg->probe.interface == '\0')
			usage_error(c, "no interface: give -i IF");
	}
	if (strcmp(name, "proxy") == 0) {
		if (!cfg->proxy.use_server_starter &&
		    !addr_valid(cfg->proxy.listen_addr))
			usage_error(c, "bad listen address \"%s\" (want "
			    "host:port)", cfg->proxy.listen_addr);
		if (!addr_valid(cfg->proxy.remote_addr))
			usage_error(c, "bad remote address \"%s\" (want "
			    "host:port)", cfg->proxy.remote_addr);
	}
	if (!as_tcpdp && (strcmp(name, "probe") == 0 ||
	    (strcmp(name, "read") == 0 && p->target != NULL))) {
		struct target	t;
		char		terr[256];
		const char	*ts = strcmp(name, "probe") == 0 ?
			    cfg->probe.target : p->target;

		if (target_parse(&t, ts, terr, sizeof terr) == -1)
			usage_error(c, "bad target \"%s\": %s", ts, terr);
		target_free(&t);
	}
	if (strcmp(name, "read") == 0 && p->format != NULL &&
	    fmt_parse(p->format, &f) < 0)
		usage_error(c, "unknown format \"%s\" (json, ltsv, console)",
		    p->format);
}

int
cli_main(int argc, char **argv)
{
	struct parsed	 p;
	struct config	 cfg;
	struct run	 r;
	const char	*base;
	int		 i, rc, first;

	base = strrchr(argv[0], '/');
	base = base != NULL ? base + 1 : argv[0];
	if (strcmp(base, "tcpdp") == 0) {
		as_tcpdp = true;
		progname = "tcpdp";
	}
	memset(&p, 0, sizeof p);

	/* Global flags before the command. */
	for (first = 1; first < argc; first++) {
		const char *a = argv[first];

		if (strcmp(a, "--batch") == 0)
			p.batch = true;
		else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (first + 1 >= argc)
				usage_error(NULL, "flag %s needs an argument", a);
			p.config = argv[++first];
		} else if (strncmp(a, "--config=", 9) == 0)
			p.config = a + 9;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			help_root(stdout);
			return 0;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
			p.cmd = cmd_find("version");
			break;
		} else
			break;
	}
	if (p.cmd == NULL) {
		if (first >= argc) {
			help_root(stdout);
			return 0;
		}
		if (argv[first][0] == '-') {
			/* No command but -i: probe. */
			for (i = first; i < argc; i++)
				if (strcmp(argv[i], "-i") == 0 ||
				    strncmp(argv[i], "--interface", 11) == 0 ||
				    (strncmp(argv[i], "-i", 2) == 0 &&
				    argv[i][1] == 'i'))
					break;
			if (i == argc)
				usage_error(NULL, "no command given (proxy, "
				    "probe, read, config, version)");
			p.cmd = cmd_find("probe");
			first--;
		} else if ((p.cmd = cmd_find(argv[first])) == NULL)
			usage_error(NULL, "unknown command \"%s\"", argv[first]);
	}

	if (strcmp(p.cmd->name, "version") == 0) {
		if (as_tcpdp)
			puts(TCPDP_COMPAT_VERSION);
		else
			printf("tcpdp-top %s (tcpdp %s compatible)\n",
			    TCPDP_TOP_VERSION, TCPDP_COMPAT_VERSION);
		return 0;
	}
	{
		/* getopt wants argv[0] before the flags. */
		int	 n = argc - first;
		char	**av = xcalloc((size_t)n + 1, sizeof *av);

		av[0] = argv[first < argc ? first : 0];
		for (i = 1; i < n; i++)
			av[i] = argv[first + i];
		parse_flags(p.cmd, n, av, &p);
		if (strcmp(p.cmd->name, "help") == 0) {
			const struct cmd *c = n > 1 ? cmd_find(av[1]) : NULL;
			if (n > 1 && c == NULL)
				usage_error(NULL, "unknown command \"%s\"", av[1]);
			if (c != NULL)
				help_cmd(c, stdout);
			else
				help_root(stdout);
			free(av);
			return 0;
		}
		free(av);
	}

	effective_config(&p, &cfg);
	if (strcmp(p.cmd->name, "config") == 0) {
		config_print(&cfg, stdout);
		config_free(&cfg);
		return 0;
	}
	validate(&p, &cfg);

	memset(&r, 0, sizeof r);
	r.cfg = &cfg;
	r.cmd = p.cmd->name;
	r.batch = p.batch || as_tcpdp;
	r.tcpdp = as_tcpdp;
	r.stdout_flag = p.stdout_flag;
	r.config_given = p.config != NULL;
	r.target = p.target;
	r.file = p.file;
	if (cfg.dump_log.stdout_format == NULL ||
	    fmt_parse(cfg.dump_log.stdout_format, &r.stdout_fmt) < 0)
		r.stdout_fmt = FMT_JSON;
	if (strcmp(p.cmd->name, "read") == 0) {
		if (r.file == NULL) {
			if (isatty(STDIN_FILENO))
				usage_error(p.cmd, "requires a pcap file path "
				    "(or - for stdin)");
			r.file = "-";
		}
		rc = read_main(&r);
	} else if (strcmp(p.cmd->name, "probe") == 0)
		rc = probe_main(&r);
	else
		rc = proxy_main(&r);
	config_free(&cfg);
	return rc;
}
