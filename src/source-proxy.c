/* source-proxy.c - the proxy source (SPEC §1.2, §6): a TCP relay on
 * libevent bufferevents that hands a copy of every chunk to the decoder.
 *
 * Relaying comes first. Bytes read from one side are shown to the decoder
 * in place (evbuffer_peek, no copy) and then moved, not copied, to the
 * other side's output (evbuffer_add_buffer). Nothing the decoder does can
 * fail a connection; only sockets and a malformed PROXY header do.
 *
 * Back-pressure: when a destination's output grows past PX_HIGH, reading
 * from the source stops until the destination has drained to PX_LOW, so a
 * slow reader costs at most about PX_HIGH + one read per direction.
 *
 * Half-close: EOF from one side becomes shutdown(SHUT_WR) on the other once
 * everything read before it was written; the pair is closed when both
 * directions are done, or at once on any error. */
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "config.h"
#include "conn.h"
#include "connid.h"
#include "decode.h"
#include "engine.h"
#include "log.h"
#include "proxyproto.h"
#include "run.h"
#include "sink.h"
#include "xmalloc.h"

#define PX_HIGH		(256 * 1024)	/* destination output: stop reading */
#define PX_LOW		(64 * 1024)	/* ... resume below this */
#define PX_MAX_READ	65536		/* one socket read, as upstream */
#define PX_PP_MAX	(16 + 65535)	/* largest PROXY header (v2) */
#define PX_CALLER	"proxy/source-proxy.c"

#define PX_CONNECT_TIMEOUT_MS	10000
#define PX_GRACE_MS		10000

enum { CLI = 0, SRV = 1 };

struct session;
TAILQ_HEAD(sessions, session);

struct proxy {
	struct run		*run;
	struct config		*cfg;
	struct event_base	*base;
	struct engine		 eng;
	struct evconnlistener	*lev;
	struct sockaddr_storage	 remote;
	socklen_t		 remotelen;
	struct timeval		 connect_tv;
	struct timeval		 grace_tv;
	struct event		*sig[3];
	struct event		*flush_ev;
	struct event		*grace_ev;
	struct event		*relisten_ev;
	struct sessions		 sessions;
	unsigned		 nsessions;
	int			 stopping;
	int			 dump_fd;
	char			*pidfile;
	int			 pid_check;
};

struct session {
	struct proxy		*px;
	struct bufferevent	*bev[2];
	struct conn		 c;
	uint64_t		 seq;		/* conn_seq_num */
	int			 connected;
	int			 eof[2];	/* EOF read from side i */
	int			 shut[2];	/* SHUT_WR done on side i */
	int			 throttled[2];	/* reading from side i stopped */
	int			 pp_wait;	/* PROXY header not yet parsed */
	size_t			 pp_skip;	/* header bytes hidden from decoder */
	TAILQ_ENTRY(session)	 entry;
};

static void	px_read_cb(struct bufferevent *, void *);
static void	px_write_cb(struct bufferevent *, void *);
static void	px_event_cb(struct bufferevent *, short, void *);
static void	px_session_free(struct session *);

static int64_t
px_now_us(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* "a.b.c.d:port" or "[v6]:port". */
static void
px_addr_str(const struct sockaddr *sa, char *out, size_t len)
{
	char	ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
		snprintf(out, len, "%s:%u", ip, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
		snprintf(out, len, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else
		snprintf(out, len, "?");
}

static void
px_sock_str(int fd, int peer, char *out, size_t len)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof ss;
	int			rc;

	rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &sl) :
	    getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (rc != 0) {
		snprintf(out, len, "?");
		return;
	}
	px_addr_str((struct sockaddr *)&ss, out, len);
}

/* "host:port", "[v6]:port", ":port". IPv4 is preferred when a name has
 * both. Returns 0, or -1 with a message in err. host_empty tells whether
 * the host part was empty (printed as <nil> in the start line). */
static int
px_resolve(const char *spec, int passive, struct sockaddr_storage *ss,
    socklen_t *sl, int *host_empty, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res, *ai, *pick = NULL;
	char		 host[256];
	const char	*colon, *port;
	size_t		 hl;
	int		 rc;

	colon = strrchr(spec, ':');
	if (colon == NULL) {
		snprintf(err, errlen, "address %s: missing port", spec);
		return -1;
	}
	port = colon + 1;
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof host) {
		snprintf(err, errlen, "address %s: host too long", spec);
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	*host_empty = hl == 0;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	rc = getaddrinfo(hl ? host : NULL, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "lookup %s: %s", hl ? host : port,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			pick = ai;
			break;
		}
		if (pick == NULL && ai->ai_family == AF_INET6)
			pick = ai;
	}
	if (pick == NULL || pick->ai_addrlen > sizeof *ss) {
		freeaddrinfo(res);
		snprintf(err, errlen, "address %s: no usable address", spec);
		return -1;
	}
	memcpy(ss, pick->ai_addr, pick->ai_addrlen);
	*sl = pick->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* The start line prints resolved addresses, an empty host as <nil>. */
static void
px_start_str(const struct sockaddr_storage *ss, int host_empty, char *out,
    size_t len)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	if (!host_empty)
		px_addr_str((const struct sockaddr *)ss, out, len);
	else
		snprintf(out, len, "<nil>:%u", ntohs(ss->ss_family == AF_INET ?
		    s4->sin_port : s6->sin6_port));
}

/* Connection fields for error lines (SPEC §3.3, §6.5). */
static void
px_conn_fields(struct session *s, struct record *f)
{
	struct conn	*c = &s->c;

	rec_cstr(f, "conn_id", c->id);
	rec_cstr(f, "client_addr", c->cli);
	rec_cstr(f, "proxy_listen_addr", c->listen);
	rec_cstr(f, "proxy_client_addr", c->pcli);
	rec_cstr(f, "remote_addr", c->srv);
	rec_append(f, &c->meta, 0, c->meta.nf);
}

static void
px_log_conn(struct session *s, const char *msg, const char *err, enum dir d)
{
	struct record	*f = log_fields();

	rec_cstr(f, "error", err);
	rec_uint(f, "conn_seq_num", s->seq);
	rec_cstr(f, "direction", d == DIR_C2S ? "->" : "<-");
	px_conn_fields(s, f);
	log_write(LOG_ERROR, PX_CALLER, msg);
}

/* One record with an `error` key in the dump (remote unreachable, bad
 * PROXY header): the dump then tells why a client saw its connection
 * closed. */
static void
px_error_record(struct session *s, const char *err, enum dir d)
{
	struct record	r;

	rec_init(&r);
	rec_cstr(&r, "error", err);
	conn_emit(&s->c, &r, d, px_now_us(), s->seq);
	rec_free(&r);
}

static void
px_maybe_done(struct proxy *px)
{
	if (px->stopping && px->nsessions == 0)
		event_base_loopexit(px->base, NULL);
}

static void
px_session_free(struct session *s)
{
	struct proxy	*px = s->px;
	int		 i;

	if (s->connected)
		conn_close(&s->c, px_now_us());
	conn_free(&s->c);
	for (i = 0; i < 2; i++)
		if (s->bev[i] != NULL)
			bufferevent_free(s->bev[i]);
	TAILQ_REMOVE(&px->sessions, s, entry);
	px->nsessions--;
	free(s);
	px_maybe_done(px);
}

/* Both directions done: each side got its SHUT_WR after its output
 * drained. */
static void
px_check_done(struct session *s)
{
	if (s->shut[CLI] && s->shut[SRV])
		px_session_free(s);
}

/* Side `to` had EOF from its peer side and its output is empty. */
static void
px_shutdown(struct session *s, int to)
{
	if (s->shut[to])
		return;
	shutdown(bufferevent_getfd(s->bev[to]), SHUT_WR);
	s->shut[to] = 1;
}

/* The PROXY header at the start of the client stream (SPEC §1.12). Returns
 * 1 when the stream can go on, 0 to wait for more bytes, -1 when the
 * session was closed. */
static int
px_proxy_header(struct session *s, struct evbuffer *in)
{
	struct pp_result	 r;
	size_t			 n = evbuffer_get_length(in);
	const uint8_t		*p;

	if (n > PX_PP_MAX)
		n = PX_PP_MAX;
	p = evbuffer_pullup(in, (ev_ssize_t)n);
	switch (pp_parse(p, n, &r)) {
	case PP_MORE:
		if (s->eof[CLI])
			break;	/* the stream ends inside the header */
		return 0;
	case PP_NONE:
		s->pp_wait = 0;
		return 1;
	case PP_OK:
		s->pp_wait = 0;
		s->pp_skip = r.len;
		if (r.has_addr) {
			rec_cstr(&s->c.meta, "proxy_protocol_src_addr", r.src);
			rec_cstr(&s->c.meta, "proxy_protocol_dst_addr", r.dst);
		}
		return 1;
	case PP_ERROR:
		break;
	}
	if (r.err == NULL)
		r.err = "PROXY header: truncated";
	px_log_conn(s, "dumper Dump error", r.err, DIR_C2S);
	px_error_record(s, r.err, DIR_C2S);
	px_session_free(s);
	return -1;
}

/* Shows the input to the decoder segment by segment, without copying. */
static void
px_decode(struct session *s, struct evbuffer *in, enum dir d)
{
	struct evbuffer_iovec	 v[16];
	struct evbuffer_ptr	 ptr;
	struct chunk		 ch;
	size_t			 left = evbuffer_get_length(in), off;
	int			 i, k;

	if (evbuffer_ptr_set(in, &ptr, 0, EVBUFFER_PTR_SET) != 0)
		return;
	ch.dir = d;
	ch.ts_us = px_now_us();
	while (left > 0) {
		k = evbuffer_peek(in, (ev_ssize_t)left, &ptr, v, 16);
		if (k <= 0)
			break;
		if (k > 16)
			k = 16;
		for (i = 0; i < k && left > 0; i++) {
			const uint8_t *p = v[i].iov_base;
			size_t n = v[i].iov_len < left ? v[i].iov_len : left;

			left -= n;
			evbuffer_ptr_set(in, &ptr, n, EVBUFFER_PTR_ADD);
			off = 0;
			if (d == DIR_C2S && s->pp_skip > 0) {
				off = s->pp_skip < n ? s->pp_skip : n;
				s->pp_skip -= off;
			}
			if (off == n)
				continue;
			ch.p = p + off;
			ch.n = n - off;
			ch.seq = s->seq++;
			conn_data(&s->c, &ch);
		}
	}
}

/* Decodes and moves what side `from` has read. Returns -1 if the session
 * was closed. */
static int
px_relay(struct session *s, int from)
{
	int		 to = !from;
	struct evbuffer	*in = bufferevent_get_input(s->bev[from]);
	struct evbuffer	*out = bufferevent_get_output(s->bev[to]);

	if (evbuffer_get_length(in) == 0)
		return 0;
	if (from == CLI && s->pp_wait) {
		int rc = px_proxy_header(s, in);
		if (rc <= 0)
			return rc;
	}
	px_decode(s, in, from == CLI ? DIR_C2S : DIR_S2C);
	evbuffer_add_buffer(out, in);
	if (evbuffer_get_length(out) >= PX_HIGH && !s->throttled[from]) {
		bufferevent_disable(s->bev[from], EV_READ);
		s->throttled[from] = 1;
		bufferevent_setwatermark(s->bev[to], EV_WRITE, PX_LOW, 0);
	}
	return 0;
}

static void
px_read_cb(struct bufferevent *bev, void *arg)
{
	struct session	*s = arg;

	px_relay(s, bev == s->bev[CLI] ? CLI : SRV);
}

/* Output of side `to` drained (to the low mark, or empty). */
static void
px_write_cb(struct bufferevent *bev, void *arg)
{
	struct session	*s = arg;
	int		 to = bev == s->bev[CLI] ? CLI : SRV, from = !to;

	if (s->throttled[from]) {
		s->throttled[from] = 0;
		bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
		if (!s->eof[from])
			bufferevent_enable(s->bev[from], EV_READ);
	}
	if (s->eof[from] && evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		px_shutdown(s, to);
		px_check_done(s);
	}
}

static void
px_connected(struct session *s)
{
	struct proxy	*px = s->px;
	int		 fd = bufferevent_getfd(s->bev[SRV]), one = 1;

	s->connected = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	px_sock_str(fd, 0, s->c.pcli, sizeof s->c.pcli);
	px_sock_str(fd, 1, s->c.srv, sizeof s->c.srv);
	bufferevent_set_timeouts(s->bev[SRV], NULL, NULL);
	conn_open(&s->c, px_now_us());
	s->pp_wait = px->eng.proxy_protocol;
	bufferevent_enable(s->bev[CLI], EV_READ);
	bufferevent_enable(s->bev[SRV], EV_READ);
}

static void
px_dial_error(struct session *s, const char *err)
{
	struct record	*f = log_fields();

	rec_cstr(f, "error", err);
	rec_cstr(f, "client_addr", s->c.cli);
	rec_cstr(f, "proxy_listen_addr", s->c.listen);
	rec_cstr(f, "remote_addr", s->px->cfg->proxy.remote_addr);
	log_write(LOG_ERROR, PX_CALLER, "remoteAddr DialTCP error");
	px_error_record(s, err, DIR_C2S);
	px_session_free(s);
}

static void
px_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct session	*s = arg;
	int		 side = bev == s->bev[CLI] ? CLI : SRV;
	char		 err[256];
	int		 e = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		px_connected(s);
		return;
	}
	if (side == SRV && !s->connected) {
		if (what & BEV_EVENT_TIMEOUT)
			snprintf(err, sizeof err, "dial tcp %s: i/o timeout",
			    s->px->cfg->proxy.remote_addr);
		else
			snprintf(err, sizeof err, "dial tcp %s: %s",
			    s->px->cfg->proxy.remote_addr,
			    evutil_socket_error_to_string(e));
		px_dial_error(s, err);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		struct evbuffer *in = bufferevent_get_input(bev);

		s->eof[side] = 1;
		bufferevent_disable(bev, EV_READ);
		/* A header cut by EOF is an error; bytes still waiting for
		 * a header decision are relayed now. */
		if (evbuffer_get_length(in) > 0) {
			if (px_relay(s, side) < 0)
				return;
		} else if (side == CLI && s->pp_wait)
			s->pp_wait = 0;
		if (evbuffer_get_length(bufferevent_get_output(s->bev[!side])) == 0) {
			px_shutdown(s, !side);
			px_check_done(s);
		} else
			bufferevent_setwatermark(s->bev[!side], EV_WRITE, 0, 0);
		return;
	}
	/* Errors and timeouts: close both sides, log with the conn fields. */
	snprintf(err, sizeof err, "%s", (what & BEV_EVENT_TIMEOUT) ?
	    "i/o timeout" : evutil_socket_error_to_string(e));
	if (what & BEV_EVENT_WRITING)
		px_log_conn(s, "destCon Write error", err,
		    side == SRV ? DIR_C2S : DIR_S2C);
	else
		px_log_conn(s, "strCon Read error", err,
		    side == CLI ? DIR_C2S : DIR_S2C);
	px_session_free(s);
}

static void
px_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct proxy	*px = arg;
	struct session	*s;
	int		 one = 1, rfd;

	(void)lev;
	(void)salen;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	s = xcalloc(1, sizeof *s);
	s->px = px;
	conn_init(&s->c, &px->eng);
	s->c.owner = s;
	s->c.syn_seen = true;	/* a proxy sees every connection from its start */
	connid_new(s->c.id, time(NULL));
	px_addr_str(sa, s->c.cli, sizeof s->c.cli);
	px_sock_str(fd, 0, s->c.listen, sizeof s->c.listen);
	px_addr_str((struct sockaddr *)&px->remote, s->c.srv, sizeof s->c.srv);
	TAILQ_INSERT_TAIL(&px->sessions, s, entry);
	px->nsessions++;

	s->bev[CLI] = bufferevent_socket_new(px->base, fd, BEV_OPT_CLOSE_ON_FREE);
	rfd = socket(px->remote.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (s->bev[CLI] == NULL || rfd < 0) {
		if (s->bev[CLI] == NULL)
			close(fd);
		px_dial_error(s, rfd < 0 ? strerror(errno) : "out of memory");
		return;
	}
	s->bev[SRV] = bufferevent_socket_new(px->base, rfd, BEV_OPT_CLOSE_ON_FREE);
	if (s->bev[SRV] == NULL) {
		close(rfd);
		px_dial_error(s, "out of memory");
		return;
	}
	bufferevent_set_max_single_read(s->bev[CLI], PX_MAX_READ);
	bufferevent_set_max_single_read(s->bev[SRV], PX_MAX_READ);
	bufferevent_setcb(s->bev[CLI], px_read_cb, px_write_cb, px_event_cb, s);
	bufferevent_setcb(s->bev[SRV], px_read_cb, px_write_cb, px_event_cb, s);
	/* The client is read once the remote answered. */
	bufferevent_disable(s->bev[CLI], EV_READ);
	bufferevent_set_timeouts(s->bev[SRV], NULL, &px->connect_tv);
	if (bufferevent_socket_connect(s->bev[SRV],
	    (struct sockaddr *)&px->remote, (int)px->remotelen) != 0) {
		char err[256];

		snprintf(err, sizeof err, "dial tcp %s: %s",
		    px->cfg->proxy.remote_addr, strerror(errno));
		px_dial_error(s, err);
	}
}

static void
px_relisten_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proxy	*px = arg;

	(void)fd;
	(void)what;
	if (!px->stopping && px->lev != NULL)
		evconnlistener_enable(px->lev);
}

/* Accept errors (EMFILE, ENFILE, ENOBUFS...) would spin the loop: pause
 * accepting for a moment instead of exiting like upstream. */
static void
px_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct proxy	*px = arg;
	struct timeval	 tv = { 0, 100000 };
	struct record	*f = log_fields();

	rec_cstr(f, "error", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	log_write(LOG_ERROR, PX_CALLER, "listener AcceptTCP error");
	evconnlistener_disable(lev);
	evtimer_add(px->relisten_ev, &tv);
}

static void
px_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proxy	*px = arg;

	(void)fd;
	(void)what;
	engine_flush(&px->eng);
}

static void
px_grace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proxy	*px = arg;

	(void)fd;
	(void)what;
	if (px->nsessions > 0)
		log_msgf(LOG_INFO, "Grace period over, closing %u connections",
		    px->nsessions);
	while (!TAILQ_EMPTY(&px->sessions))
		px_session_free(TAILQ_FIRST(&px->sessions));
	event_base_loopexit(px->base, NULL);
}

static void
px_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct proxy	*px = arg;

	(void)what;
	if (px->stopping) {
		/* A second signal: do not wait any longer. */
		px_grace_cb(-1, 0, px);
		return;
	}
	px->stopping = 1;
	log_write(LOG_INFO, NULL, sig == SIGINT ? "Shutting down proxy..." :
	    "Graceful Shutting down proxy...");
	if (px->lev != NULL) {
		evconnlistener_free(px->lev);
		px->lev = NULL;
	}
	evtimer_add(px->grace_ev, &px->grace_tv);
	px_maybe_done(px);
}

/* SPEC §1.11: the first fd of SERVER_STARTER_PORT ("spec=fd;..."). */
static int
px_server_starter_fd(char *err, size_t errlen)
{
	const char	*env = getenv("SERVER_STARTER_PORT");
	const char	*eq, *end;
	char		 num[16];
	size_t		 n;
	long		 fd;
	char		*ep;
	int		 type, acc;
	socklen_t	 sl = sizeof type;

	while (env != NULL && (*env == ' ' || *env == '\t'))
		env++;
	if (env == NULL || *env == '\0') {
		snprintf(err, errlen, "no listening target");
		return -1;
	}
	end = strchr(env, ';');
	if (end == NULL)
		end = env + strlen(env);
	eq = memchr(env, '=', (size_t)(end - env));
	if (eq == NULL) {
		snprintf(err, errlen, "invalid SERVER_STARTER_PORT: %s", env);
		return -1;
	}
	eq++;
	while (eq < end && (*eq == ' ' || *eq == '\t'))
		eq++;
	n = (size_t)(end - eq);
	while (n > 0 && (eq[n - 1] == ' ' || eq[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof num) {
		snprintf(err, errlen, "invalid fd in SERVER_STARTER_PORT");
		return -1;
	}
	memcpy(num, eq, n);
	num[n] = '\0';
	errno = 0;
	fd = strtol(num, &ep, 10);
	if (*ep != '\0' || errno != 0 || fd < 0 || fd > INT_MAX) {
		snprintf(err, errlen, "invalid fd in SERVER_STARTER_PORT: %s", num);
		return -1;
	}
	if (getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &sl) != 0 ||
	    type != SOCK_STREAM) {
		snprintf(err, errlen, "fd %ld is not a stream socket", fd);
		return -1;
	}
	sl = sizeof acc;
	if (getsockopt((int)fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &sl) != 0 ||
	    !acc) {
		snprintf(err, errlen, "fd %ld is not listening", fd);
		return -1;
	}
	evutil_make_socket_nonblocking((int)fd);
	evutil_make_socket_closeonexec((int)fd);
	return (int)fd;
}

/* SPEC §1.9, with the "already running" check that upstream never
 * reaches. Under server_starter the old process is still draining while
 * the new one starts, so the check is skipped there; the file is removed
 * only if it still holds our pid. */
static char *
px_pidfile_abs(const char *path)
{
	char	cwd[PATH_MAX], abs[2 * PATH_MAX];

	if (path == NULL || *path == '\0')
		return NULL;
	if (path[0] == '/')
		return xstrdup(path);
	if (getcwd(cwd, sizeof cwd) == NULL)
		return NULL;
	if (strncmp(path, "./", 2) == 0)
		path += 2;
	snprintf(abs, sizeof abs, "%s/%s", cwd, path);
	return xstrdup(abs);
}

static long
px_pidfile_read(const char *path)
{
	char	buf[32], *ep;
	ssize_t	n;
	long	pid;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &ep, 10);
	while (*ep == '\n' || *ep == '\r' || *ep == ' ')
		ep++;
	if (errno != 0 || *ep != '\0' || pid <= 0 || ep == buf)
		return -1;
	return pid;
}

static void
px_pidfile_write(struct proxy *px)
{
	char	buf[32], msg[PATH_MAX + 32];
	long	old;
	int	fd, n;

	px->pidfile = px_pidfile_abs(px->cfg->pidfile);
	if (px->pidfile == NULL) {
		if (px->cfg->pidfile == NULL || *px->cfg->pidfile == '\0')
			return;
		log_fatal(PX_CALLER, "pidfile path error");
	}
	if (px->pid_check && (old = px_pidfile_read(px->pidfile)) > 0 &&
	    old != (long)getpid() && (kill((pid_t)old, 0) == 0 || errno == EPERM)) {
		snprintf(msg, sizeof msg, "pid already running: %ld", old);
		free(px->pidfile);
		px->pidfile = NULL;
		log_fatal(PX_CALLER, msg);
	}
	n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	fd = open(px->pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0664);
	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		snprintf(msg, sizeof msg, "can not write %s", px->pidfile);
		if (fd >= 0)
			close(fd);
		free(px->pidfile);
		px->pidfile = NULL;
		log_fatal(PX_CALLER, msg);
	}
	close(fd);
}

static int
px_pidfile_remove(struct proxy *px)
{
	char	msg[PATH_MAX + 32];
	int	rc = 0;

	if (px->pidfile == NULL)
		return 0;
	if (px_pidfile_read(px->pidfile) == (long)getpid() &&
	    unlink(px->pidfile) != 0) {
		snprintf(msg, sizeof msg, "can not delete %s", px->pidfile);
		log_write(LOG_FATAL, PX_CALLER, msg);
		rc = 1;
	}
	free(px->pidfile);
	px->pidfile = NULL;
	return rc;
}

/* The dump sinks. Kept in one place so the rotating log sinks can
 * replace the plain append file. */
static int
px_sinks(struct proxy *px)
{
	struct config	*cfg = px->cfg;
	struct run	*r = px->run;
	char		 path[2 * PATH_MAX];
	enum fmt	 fmt = FMT_JSON;

	if (r->stdout_flag || cfg->dump_log.stdout_)
		engine_add_sink(&px->eng, sink_fd_new(STDOUT_FILENO,
		    r->stdout_fmt));
	if (!cfg->dump_log.enable && !r->stdout_flag)
		return 0;
	if (cfg->dump_log.format != NULL && fmt_parse(cfg->dump_log.format, &fmt) != 0)
		fmt = FMT_JSON;
	snprintf(path, sizeof path, "%s/%s", cfg->dump_log.dir ? cfg->dump_log.dir : ".",
	    cfg->dump_log.file_name ? cfg->dump_log.file_name : "dump.log");
	px->dump_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (px->dump_fd < 0) {
		struct record *f = log_fields();
		rec_cstr(f, "error", strerror(errno));
		rec_cstr(f, "path", path);
		log_write(LOG_FATAL, NULL, "Log setting error");
		return -1;
	}
	engine_add_sink(&px->eng, sink_fd_new(px->dump_fd, fmt));
	return 0;
}

/* 1,000 proxied connections need 2,000 descriptors. */
static void
px_raise_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
px_env_ms(const char *name, int def)
{
	const char	*v = getenv(name);
	char		*ep;
	long		 n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtol(v, &ep, 10);
	if (*ep != '\0' || n <= 0 || n > 86400000)
		return def;
	return (int)n;
}

static void
px_ms_tv(struct timeval *tv, int ms)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

int
proxy_main(struct run *r)
{
	struct proxy		 px;
	struct config		*cfg = r->cfg;
	struct sockaddr_storage	 lss;
	socklen_t		 lsl = 0;
	char			 err[512], lstr[ADDR_STRLEN + 8], rstr[ADDR_STRLEN + 8];
	char			 msg[3 * ADDR_STRLEN];
	struct timeval		 flush_tv = { 0, 100000 };
	int			 lempty = 0, rempty = 0, lfd = -1, rc = 0, i;
	static const int	 sigs[3] = { SIGINT, SIGTERM, SIGQUIT };

	memset(&px, 0, sizeof px);
	px.run = r;
	px.cfg = cfg;
	px.dump_fd = -1;
	TAILQ_INIT(&px.sessions);
	px_ms_tv(&px.connect_tv, r->connect_timeout_ms > 0 ?
	    r->connect_timeout_ms : px_env_ms("TCPDP_CONNECT_TIMEOUT_MS",
	    PX_CONNECT_TIMEOUT_MS));
	px_ms_tv(&px.grace_tv, r->grace_ms > 0 ? r->grace_ms :
	    px_env_ms("TCPDP_GRACE_MS", PX_GRACE_MS));

	if (!cfg->proxy.use_server_starter &&
	    px_resolve(cfg->proxy.listen_addr ? cfg->proxy.listen_addr : "",
	    1, &lss, &lsl, &lempty, err, sizeof err) != 0) {
		rec_cstr(log_fields(), "error", err);
		log_fatal(NULL, "error");
	}
	if (px_resolve(cfg->proxy.remote_addr ? cfg->proxy.remote_addr : "", 0,
	    &px.remote, &px.remotelen, &rempty, err, sizeof err) != 0) {
		rec_cstr(log_fields(), "error", err);
		log_fatal(NULL, "error");
	}
	signal(SIGPIPE, SIG_IGN);
	px_raise_nofile();

	px.base = event_base_new();
	if (px.base == NULL)
		log_fatal(PX_CALLER, "event_base_new failed");
	if (log_open(&cfg->log, px.base) != 0)
		return 1;
	engine_init(&px.eng, ENG_PROXY, decoder_find(cfg->dumper ?
	    cfg->dumper : "hex"));
	if (px.eng.dec == NULL)
		px.eng.dec = &decoder_hex;	/* upstream: unknown means hex */
	px.eng.base = px.base;
	px.eng.proxy_protocol = cfg->proxy_protocol;
	px.pid_check = !cfg->proxy.use_server_starter;
	if (px_sinks(&px) != 0) {
		rc = 1;
		goto out;
	}

	px_start_str(&px.remote, rempty, rstr, sizeof rstr);
	rec_cstr(log_fields(), "dumper", px.eng.dec->name);
	if (cfg->proxy.use_server_starter) {
		snprintf(msg, sizeof msg,
		    "Starting proxy. [server_starter] <-> %s", rstr);
	} else {
		px_start_str(&lss, lempty, lstr, sizeof lstr);
		snprintf(msg, sizeof msg, "Starting proxy. %s <-> %s", lstr, rstr);
		rec_cstr(log_fields(), "proxy_listen_addr", cfg->proxy.listen_addr);
	}
	rec_cstr(log_fields(), "remote_addr", cfg->proxy.remote_addr);
	rec_bool(log_fields(), "use_server_starter", cfg->proxy.use_server_starter);
	rec_bool(log_fields(), "proxy_protocol", cfg->proxy_protocol);
	log_write(LOG_INFO, NULL, msg);

	px_pidfile_write(&px);

	if (cfg->proxy.use_server_starter) {
		lfd = px_server_starter_fd(err, sizeof err);
		if (lfd < 0) {
			rec_cstr(log_fields(), "error", err);
			log_write(LOG_FATAL, PX_CALLER, "server-starter listen error");
			rc = 1;
			goto out;
		}
		px.lev = evconnlistener_new(px.base, px_accept_cb, &px,
		    LEV_OPT_CLOSE_ON_FREE, 0, lfd);
	} else
		px.lev = evconnlistener_new_bind(px.base, px_accept_cb, &px,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
		    LEV_OPT_CLOSE_ON_EXEC, 1024, (struct sockaddr *)&lss,
		    (int)lsl);
	if (px.lev == NULL) {
		rec_cstr(log_fields(), "error",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		log_write(LOG_FATAL, PX_CALLER, cfg->proxy.use_server_starter ?
		    "server-starter listen error" : "listenAddr ListenTCP error");
		rc = 1;
		goto out;
	}
	evconnlistener_set_error_cb(px.lev, px_accept_error_cb);

	for (i = 0; i < 3; i++) {
		px.sig[i] = evsignal_new(px.base, sigs[i], px_signal_cb, &px);
		evsignal_add(px.sig[i], NULL);
	}
	px.flush_ev = event_new(px.base, -1, EV_PERSIST, px_flush_cb, &px);
	evtimer_add(px.flush_ev, &flush_tv);
	px.grace_ev = evtimer_new(px.base, px_grace_cb, &px);
	px.relisten_ev = evtimer_new(px.base, px_relisten_cb, &px);

	event_base_dispatch(px.base);

out:
	while (!TAILQ_EMPTY(&px.sessions))
		px_session_free(TAILQ_FIRST(&px.sessions));
	if (px.lev != NULL)
		evconnlistener_free(px.lev);
	for (i = 0; i < 3; i++)
		if (px.sig[i] != NULL)
			event_free(px.sig[i]);
	if (px.flush_ev != NULL)
		event_free(px.flush_ev);
	if (px.grace_ev != NULL)
		event_free(px.grace_ev);
	if (px.relisten_ev != NULL)
		event_free(px.relisten_ev);
	engine_flush(&px.eng);
	engine_free(&px.eng);
	if (px.dump_fd >= 0)
		close(px.dump_fd);
	if (px_pidfile_remove(&px) != 0)
		rc = 1;
	event_base_free(px.base);
	return rc;
}
