/* source-pcap.c - `read` (a capture file) and `probe` (live capture).
 *
 * Both hand frames to the flow table (flow.c), which reassembles them and
 * feeds the decoders. read runs flat out without an event loop; probe
 * puts the non-blocking pcap fd in the libevent loop with a packet budget
 * per wake-up and a timer as a fallback (some capture mechanisms deliver
 * without waking the fd). */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <net/if.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "daemon.h"
#include "decode.h"
#include "dumpsinks.h"
#include "engine.h"
#include "flow.h"
#include "health.h"
#include "log.h"
#include "pcapfile.h"
#include "run.h"
#include "sink.h"
#include "source-pcap.h"
#include "target.h"
#include "xmalloc.h"

#define READ_BATCH	4096	/* packets between flushes in read */
#define READ_BUFSZ	(1024 * 1024)
#define PROBE_BUDGET	2048	/* packets per dispatch in probe */
#define PROBE_ROUNDS	16	/* dispatches per wake-up at most */
#define PROBE_TIMEOUT_MS 100	/* libpcap read timeout (block delivery) */
#define PROBE_POLL_US	50000	/* fallback poll */
#define PROBE_MTU_ANY	1500

/* zap-style caller: file:line of the message. */
#define CALLER_STR2(l)	#l
#define CALLER_STR(l)	CALLER_STR2(l)
#define CALLER		(__FILE__ ":" CALLER_STR(__LINE__))

struct psrc {
	pcap_t			*p;
	int			 dlt;
	struct engine		 eng;
	struct target		 tgt;
	struct flow_table	 ft;
	struct pcap_source_stats stats;
	struct event_base	*base;
	struct event		*ev_fd;
	struct event		*ev_poll;
	struct event		*ev_tick;
	const char		*iface;
	const char		*target_str;
	bool			 stopping;
};

static struct psrc	*psrc_cur;

const struct pcap_source_stats *
source_pcap_stats(void)
{
	return psrc_cur != NULL ? &psrc_cur->stats : NULL;
}

static void
psrc_frame(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct psrc	*ps = (struct psrc *)arg;

	flow_frame(&ps->ft, ps->dlt, bytes, h->caplen,
	    (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec);
}

/* Our counters in the periodic health line (health.h). */
static void
psrc_health(struct record *r, void *arg)
{
	struct psrc			*ps = arg;
	const struct flow_stats		*f = &ps->ft.st;
	const struct reasm_stats	*x = &ps->ft.rx.st;
	const struct capture_stats	*c = &ps->stats.cap;

	rec_uint(r, "packets", f->packets);
	rec_uint(r, "bytes", f->bytes);
	rec_uint(r, "packet_received", c->received);
	rec_uint(r, "drops", c->dropped);
	rec_uint(r, "if_drops", c->if_dropped);
	rec_uint(r, "non_tcp", f->non_tcp);
	rec_uint(r, "fragments", f->fragments);
	rec_uint(r, "malformed", f->bad);
	rec_uint(r, "truncated", f->truncated);
	rec_uint(r, "bad_tcp_options", f->bad_options);
	rec_uint(r, "connections", f->conns);
	rec_uint(r, "connections_active", f->active);
	rec_uint(r, "connections_ignored", f->ignored);
	rec_uint(r, "connections_expired", f->expired);
	rec_uint(r, "connection_cap_hits", f->flow_cap_hits);
	rec_uint(r, "out_of_order", x->ooo);
	rec_uint(r, "retransmitted", x->retrans);
	rec_uint(r, "overlaps", x->overlaps);
	rec_uint(r, "gaps", x->gaps);
	rec_uint(r, "gap_bytes", x->gap_bytes);
	rec_uint(r, "stale_holes", f->stale_holes);
	rec_uint(r, "after_close", f->after_close);
	rec_uint(r, "reassembly_cap_hits", x->cap_hits);
	rec_uint(r, "reassembly_held_bytes", x->held_bytes);
	rec_uint(r, "reassembly_held_max", x->held_max);
}

static const struct decoder *
psrc_decoder(const struct config *cfg)
{
	const struct decoder	*dec = NULL;

	if (cfg->dumper != NULL)
		dec = decoder_find(cfg->dumper);
	return dec != NULL ? dec : &decoder_hex;	/* unknown: hex */
}

static void
psrc_init(struct psrc *ps, enum engine_mode mode, const struct config *cfg)
{
	memset(ps, 0, sizeof *ps);
	engine_init(&ps->eng, mode, psrc_decoder(cfg));
	ps->eng.proxy_protocol = cfg->proxy_protocol;
	flow_table_init(&ps->ft, &ps->eng, &ps->tgt);
	/* hex and conn show every connection, as upstream does; query
	 * decoders only those the target names (or, without a target,
	 * those whose handshake shows the client). */
	ps->ft.all_conns = ps->eng.dec == &decoder_hex ||
	    ps->eng.dec == &decoder_conn;
	ps->ft.proxy_protocol = cfg->proxy_protocol;
	ps->stats.flow = &ps->ft.st;
	ps->stats.reasm = &ps->ft.rx.st;
	psrc_cur = ps;
}

static void
psrc_free(struct psrc *ps)
{
	flow_table_free(&ps->ft);
	engine_flush(&ps->eng);
	engine_free(&ps->eng);
	target_free(&ps->tgt);
	if (ps->p != NULL)
		pcap_close(ps->p);
	psrc_cur = NULL;
}

/* ---- read ---- */

/* Large stdio buffers: stdio's default 4 KB reads cost more than the
 * parsing of what they bring. */
static pcap_t *
read_open(struct pcapfile *pf, const char *file, char *err)
{
	static char	 bufs[READ_BUFSZ];
	FILE		*f;
	pcap_t		*p;

	if ((f = pcapfile_fallback_stream(pf)) != NULL) {
		/* the stream's first bytes are already read: libpcap gets
		 * them back first */
		if ((p = pcap_fopen_offline(f, err)) == NULL)
			fclose(f);
		return p;
	}
	if (file == NULL || strcmp(file, "-") == 0)
		f = stdin;
	else if ((f = fopen(file, "rb")) == NULL) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s: %s", file,
		    strerror(errno));
		return NULL;
	}
	setvbuf(f, bufs, _IOFBF, sizeof bufs);
	if (f != stdin)
		posix_fadvise(fileno(f), 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((p = pcap_fopen_offline(f, err)) == NULL && f != stdin)
		fclose(f);
	return p;
}

/* Console lines of the internal log leave stdout to dump records when
 * those go there too (tcpdp mixed them). */
int
run_log_flags(const struct run *r)
{
	return !r->tcpdp && (r->stdout_flag || r->cfg->dump_log.stdout_) ?
	    LOG_F_STDERR : 0;
}

/* read writes the dump log only when asked for plainly: --batch and a
 * config file given with -c (never one found by the search, and never as
 * tcpdp, whose read only prints). */
static bool
read_dumplog(const struct run *r)
{
	return r->batch && !r->tcpdp && r->config_given;
}

/* Periodic work on capture time, about once a second of it, so the scans
 * stay rare; and the sinks' buffers written out. */
static void
read_batch_done(struct psrc *ps, int64_t *last_tick)
{
	if (ps->ft.now_us - *last_tick > 1000000) {
		flow_tick(&ps->ft, ps->ft.now_us);
		*last_tick = ps->ft.now_us;
	}
	engine_flush(&ps->eng);
}

/* A pipe's writer is slower than us (tcpdump -U -w - | tcpdp-top read -):
 * what was decoded is written out before waiting for more. */
static void
read_idle(void *arg)
{
	engine_flush(&((struct psrc *)arg)->eng);
}

static int
read_mapped(struct psrc *ps, struct pcapfile *pf, char *err, size_t errlen)
{
	const uint8_t	*p;
	uint32_t	 caplen;
	int64_t		 ts_us, last_tick = 0;
	int		 n, i;

	for (;;) {
		for (i = 0; i < READ_BATCH; i++) {
			n = pcapfile_next(pf, &p, &caplen, &ts_us, err, errlen);
			if (n != 1)
				break;
			flow_frame(&ps->ft, pf->dlt_cur, p, caplen, ts_us);
		}
		read_batch_done(ps, &last_tick);
		if (i < READ_BATCH)
			return n;
	}
}

static int
read_libpcap(struct psrc *ps)
{
	int64_t	last_tick = 0;
	int	n;

	while ((n = pcap_dispatch(ps->p, READ_BATCH, psrc_frame,
	    (u_char *)ps)) > 0)
		read_batch_done(ps, &last_tick);
	return n;
}

int
read_main(struct run *r)
{
	struct psrc	 ps;
	char		 err[PCAP_ERRBUF_SIZE + 256];
	FILE		*out = r->tcpdp ? stdout : stderr;
	const char	*file = r->file;
	struct pcapfile	 pf = { .fd = -1 };
	int		 n;

	psrc_init(&ps, ENG_READ, r->cfg);
	if (target_parse(&ps.tgt, r->target, err, sizeof err) == -1) {
		fprintf(out, "%s\n", err);
		psrc_free(&ps);
		return 1;
	}
	switch (pcapfile_open(&pf, file, err, sizeof err)) {
	case PCAPFILE_OK:
		ps.dlt = pf.dlt;
		break;
	case PCAPFILE_ERROR:
		fprintf(out, "%s\n", err);
		psrc_free(&ps);
		return 1;
	case PCAPFILE_FALLBACK:
		if ((ps.p = read_open(&pf, file, err)) == NULL) {
			fprintf(out, "%s\n", err);
			psrc_free(&ps);
			return 1;
		}
		ps.dlt = pcap_datalink(ps.p);
		break;
	}
	if (!pkt_dlt_supported(ps.dlt)) {
		fprintf(out, "unsupported link type %s (%d)\n",
		    pcap_datalink_val_to_name(ps.dlt) ?
		    pcap_datalink_val_to_name(ps.dlt) : "?", ps.dlt);
		pcapfile_close(&pf);
		psrc_free(&ps);
		return 1;
	}
	if (read_dumplog(r)) {
		/* --batch with -c: the logs as the file configures them. */
		*err = '\0';
		if ((ps.base = event_base_new()) == NULL)
			fatalx("event_base_new failed");
		ps.eng.base = ps.base;
		if (log_open_flags(&r->cfg->log, ps.base, run_log_flags(r)) == -1 ||
		    dumpsinks_add(&ps.eng, r->cfg, r->stdout_flag, err,
		    sizeof err) == -1) {
			if (*err != '\0')
				fprintf(stderr, "tcpdp-top: %s\n", err);
			pcapfile_close(&pf);
			psrc_free(&ps);
			log_close();
			event_base_free(ps.base);
			return 1;
		}
	} else
		engine_add_sink(&ps.eng, sink_fd_new(STDOUT_FILENO,
		    r->stdout_fmt));

	if (pf.map != NULL) {
		pf.idle = read_idle;
		pf.idle_arg = &ps;
		n = read_mapped(&ps, &pf, err, sizeof err);
	} else {
		n = read_libpcap(&ps);
		if (n == -1)
			snprintf(err, sizeof err, "%s", pcap_geterr(ps.p));
	}
	if (n == -1) {
		/* A truncated or damaged file: keep what was read. */
		log_msgf(LOG_WARN, "read %s: %s", file ? file : "-", err);
	}
	flow_close_all(&ps.ft, ps.ft.now_us);
	psrc_free(&ps);
	pcapfile_close(&pf);
	if (ps.base != NULL) {
		log_close();
		event_base_free(ps.base);
	}
	return 0;
}

/* ---- probe ---- */

#define probe_fatal(ps, msg, error) probe_fatal_at(ps, CALLER, msg, error)

static void
probe_fields(struct psrc *ps, const char *error)
{
	struct record	*f = log_fields();

	rec_cstr(f, "error", error);
	rec_cstr(f, "interface", ps->iface);
	rec_cstr(f, "probe_target_addr", ps->target_str);
}

static void __attribute__((noreturn))
probe_fatal_at(struct psrc *ps, const char *caller, const char *msg,
    const char *error)
{
	probe_fields(ps, error);
	log_fatal(caller, msg);
}

static void
probe_pcap_stats(struct psrc *ps, bool final)
{
	struct pcap_stat	 s;
	struct capture_stats	*c = &ps->stats.cap;
	struct record		*f;
	bool			 grew;

	if (pcap_stats(ps->p, &s) != 0)
		return;
	grew = s.ps_drop > c->dropped || s.ps_ifdrop > c->if_dropped;
	c->received = s.ps_recv;
	c->dropped = s.ps_drop;
	c->if_dropped = s.ps_ifdrop;
	if (!final && !grew)
		return;
	f = log_fields();
	rec_uint(f, "packet_received", c->received);
	rec_uint(f, "packet_dropped", c->dropped);
	rec_uint(f, "packet_if_dropped", c->if_dropped);
	if (final)
		log_write(LOG_INFO, NULL, "pcap Stats");
	else
		log_write(LOG_ERROR, NULL, "pcap packets dropped");
}

static void
probe_read(struct psrc *ps)
{
	int	n, i, total = 0;

	/* Several budgets per wake-up while the ring stays full, so a busy
	 * capture catches up without starving the rest of the loop. */
	for (i = 0; i < PROBE_ROUNDS; i++) {
		n = pcap_dispatch(ps->p, PROBE_BUDGET, psrc_frame,
		    (u_char *)ps);
		if (n == PCAP_ERROR) {
			probe_fields(ps, pcap_geterr(ps->p));
			log_write(LOG_FATAL, CALLER, "ReadAndDump error");
			event_base_loopbreak(ps->base);
			return;
		}
		if (n <= 0)
			break;
		total += n;
	}
	if (total > 0)
		engine_flush(&ps->eng);
}

static void
probe_fd_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	probe_read(arg);
}

static void
probe_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	probe_read(arg);
}

static void
probe_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct psrc	*ps = arg;
	struct timeval	 tv;

	(void)fd;
	(void)what;
	probe_pcap_stats(ps, false);
	gettimeofday(&tv, NULL);
	/* Live: the wall clock, not the last packet, tells idle. */
	flow_tick(&ps->ft, (int64_t)tv.tv_sec * 1000000 + tv.tv_usec);
	engine_flush(&ps->eng);
}

/* SIGINT, SIGTERM, SIGQUIT (daemon.h): leave the loop; shutdown is short,
 * so later signals change nothing. */
static void
probe_stop(int sig, void *arg)
{
	struct psrc	*ps = arg;

	(void)sig;
	if (ps->stopping)
		return;
	ps->stopping = true;
	log_write(LOG_INFO, NULL, "Shutting down probe...");
	event_base_loopexit(ps->base, NULL);
}

static int
probe_mtu(const char *iface)
{
	struct ifreq	ifr;
	int		s, mtu = PROBE_MTU_ANY;

	if (strcmp(iface, "any") == 0)
		return PROBE_MTU_ANY;
	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return mtu;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", iface);
	if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		mtu = ifr.ifr_mtu;
	close(s);
	return mtu;
}

static void
probe_setup(struct psrc *ps, struct run *r, int *snaplen_out, char *filter,
    size_t filterlen)
{
	struct config	*cfg = r->cfg;
	struct bpf_program prog;
	char		 err[PCAP_ERRBUF_SIZE + 256];
	long long	 snaplen, bufsize;
	int		 rc;

	(void)filterlen;
	ps->p = pcap_create(ps->iface, err);
	if (ps->p == NULL)
		probe_fatal(ps, "pcap create error", err);
	snaplen = *snaplen_out;
	if (pcap_set_snaplen(ps->p, (int)snaplen) != 0)
		probe_fatal(ps, "pcap create error (snaplen)",
		    pcap_geterr(ps->p));
	if (pcap_set_promisc(ps->p, 0) != 0)
		probe_fatal(ps, "pcap create error (promiscuous)",
		    pcap_geterr(ps->p));
	if (pcap_set_timeout(ps->p, PROBE_TIMEOUT_MS) != 0)
		probe_fatal(ps, "pcap create error (timeout)",
		    pcap_geterr(ps->p));
	bufsize = bytesize_parse(cfg->probe.buffer_size ?
	    cfg->probe.buffer_size : "2MB");
	if (bufsize > INT_MAX)
		bufsize = INT_MAX;
	if (pcap_set_buffer_size(ps->p, (int)bufsize) != 0)
		probe_fatal(ps, "pcap create error (pcap_buffer_size)",
		    pcap_geterr(ps->p));
	if (pcap_set_immediate_mode(ps->p, cfg->probe.immediate_mode) != 0)
		probe_fatal(ps, "pcap create error (pcap_set_immediate_mode)",
		    pcap_geterr(ps->p));
	if ((rc = pcap_activate(ps->p)) < 0)
		probe_fatal(ps, "pcap handle activate error",
		    rc == PCAP_ERROR ? pcap_geterr(ps->p) :
		    pcap_statustostr(rc));
	if (pcap_compile(ps->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(ps->p, &prog) != 0) {
		snprintf(err, sizeof err, "%s", pcap_geterr(ps->p));
		probe_fatal(ps, "Set BPF error", err);
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(ps->p, 1, err) != 0)
		probe_fatal(ps, "pcap create error", err);
	ps->dlt = pcap_datalink(ps->p);
	if (!pkt_dlt_supported(ps->dlt))
		probe_fatal(ps, "pcap handle activate error",
		    "unsupported link type");
}

int
probe_main(struct run *r)
{
	struct config		*cfg = r->cfg;
	struct psrc		 ps;
	struct record		*f;
	struct timeval		 tv;
	char			 err[1024], mtus[16], snaps[32], *filter, *warn;
	const char		*snapstr;
	long long		 snaplen, bufsize;
	int			 mtu, fd, snap;

	psrc_init(&ps, ENG_PROBE, cfg);
	ps.iface = cfg->probe.interface ? cfg->probe.interface : "";
	ps.target_str = cfg->probe.target ? cfg->probe.target : "";
	ps.eng.interface = ps.iface;
	ps.eng.target = ps.target_str;

	/* The runner's start (daemon.h): logs, dump sinks, signals. */
	if ((ps.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	ps.eng.base = ps.base;
	if (log_open_flags(&cfg->log, ps.base, run_log_flags(r)) == -1)
		return 1;
	if (dumpsinks_add(&ps.eng, cfg, r->stdout_flag, err, sizeof err) ==
	    -1) {
		fprintf(stderr, "tcpdp-top: %s\n", err);
		log_close();
		return 1;
	}
	if (daemon_signals(ps.base, probe_stop, &ps) == -1)
		fatalx("cannot set up signals");

	if (*ps.iface == '\0' || (strcmp(ps.iface, "any") != 0 &&
	    if_nametoindex(ps.iface) == 0)) {
		f = log_fields();
		rec_cstr(f, "error", *ps.iface == '\0' ?
		    "route ip+net: invalid network interface name" :
		    "route ip+net: no such network interface");
		log_fatal(NULL, "interface error.");
	}
	mtu = probe_mtu(ps.iface);
	snapstr = cfg->probe.snapshot_length ? cfg->probe.snapshot_length :
	    "65535B";
	if (strcmp(snapstr, "auto") == 0) {
		snaplen = mtu + 18;
		snprintf(snaps, sizeof snaps, "%lldB", snaplen);
		snapstr = snaps;
	} else if ((snaplen = bytesize_parse(snapstr)) <= 0 ||
	    snaplen > INT_MAX)
		probe_fatal(&ps, "parse snapshot-length error",
		    "invalid snapshot length");
	bufsize = bytesize_parse(cfg->probe.buffer_size ?
	    cfg->probe.buffer_size : "2MB");
	if (bufsize <= 0)
		probe_fatal(&ps, "parse buffer-size error",
		    "invalid buffer size");
	if (target_parse(&ps.tgt, ps.target_str, err, sizeof err) == -1)
		probe_fatal(&ps, "parse target error", err);
	if ((warn = target_unwatched(&ps.tgt)) != NULL) {
		log_msgf(LOG_WARN, "%s", warn);
		free(warn);
	}
	if (pidfile_write(cfg->pidfile, err, sizeof err) == -1) {
		rec_cstr(log_fields(), "error", err);
		log_fatal(CALLER, "pidfile path error");
	}
	if (cfg->probe.filter != NULL && *cfg->probe.filter != '\0') {
		filter = xmalloc(strlen(cfg->probe.filter) + 16);
		sprintf(filter, "tcp and (%s)", cfg->probe.filter);
	} else
		filter = target_bpf(&ps.tgt);
	snprintf(mtus, sizeof mtus, "%d", mtu);

	f = log_fields();
	rec_cstr(f, "dumper", ps.eng.dec->name);
	rec_cstr(f, "interface", ps.iface);
	rec_cstr(f, "mtu", mtus);
	rec_cstr(f, "probe_target_addr", ps.target_str);
	rec_cstr(f, "filter", filter);
	rec_cstr(f, "buffer_size", cfg->probe.buffer_size ?
	    cfg->probe.buffer_size : "2MB");
	rec_bool(f, "immediate_mode", cfg->probe.immediate_mode);
	rec_cstr(f, "snapshot_length", snapstr);
	rec_int(f, "internal_buffer_length", cfg->probe.internal_buffer_length);
	log_write(LOG_INFO, NULL, "Starting probe.");

	snap = (int)snaplen;
	probe_setup(&ps, r, &snap, filter, 0);
	free(filter);
	health_start(ps.base, psrc_health, &ps, cfg->log.enable_internal);

	if ((fd = pcap_get_selectable_fd(ps.p)) != -1) {
		ps.ev_fd = event_new(ps.base, fd, EV_READ | EV_PERSIST,
		    probe_fd_cb, &ps);
		event_add(ps.ev_fd, NULL);
	}
	ps.ev_poll = event_new(ps.base, -1, EV_PERSIST, probe_poll_cb, &ps);
	tv.tv_sec = 0;
	tv.tv_usec = PROBE_POLL_US;
	event_add(ps.ev_poll, &tv);
	ps.ev_tick = event_new(ps.base, -1, EV_PERSIST, probe_tick_cb, &ps);
	tv.tv_sec = 1;
	tv.tv_usec = 0;
	event_add(ps.ev_tick, &tv);

	event_base_dispatch(ps.base);

	/* What the kernel still holds goes through first. */
	while (pcap_dispatch(ps.p, PROBE_BUDGET, psrc_frame, (u_char *)&ps) > 0)
		;
	probe_pcap_stats(&ps, true);
	gettimeofday(&tv, NULL);
	flow_close_all(&ps.ft, (int64_t)tv.tv_sec * 1000000 + tv.tv_usec);
	health_stop();
	if (ps.ev_fd != NULL)
		event_free(ps.ev_fd);
	event_free(ps.ev_poll);
	event_free(ps.ev_tick);
	psrc_free(&ps);
	daemon_signals_free();
	pidfile_remove();
	/* The logs' writes complete through the base: close them first. */
	log_close();
	event_base_free(ps.base);
	return 0;
}
