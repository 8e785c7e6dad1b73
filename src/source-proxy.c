/* source-proxy.c - the proxy source (SPEC §1.2, §6): a TCP relay on the
 * libevent loop that hands a copy of every chunk to the decoder.
 *
 * Relaying comes first. A read lands in a static arena and is sent on at
 * once when the destination has nothing queued (only an unsent rest is
 * copied, into the destination's evbuffer). The decoder sees the same bytes
 * in place, in chunks of at most 64 KB as upstream reads them (a large read
 * is several chunks), but only once every socket that was ready in this
 * loop pass has been relayed: with many busy connections, no query waits
 * for the decoding of the ones read before it. Chunks are decoded in the
 * order they were read, and before anything else
 * reaches the connection (its close, an error record), so the dump is the
 * same as if each were decoded at once. Nothing the decoder does can fail
 * a connection; only sockets and a malformed PROXY header do.
 * Plain events rather than bufferevents: a bufferevent defers every write
 * to the next loop pass, one more epoll round trip per query.
 *
 * Back-pressure: when a destination's queue grows past PX_HIGH, reading
 * from the source stops until the queue has drained to PX_LOW, so a slow
 * reader costs at most about PX_HIGH + PX_CHUNK per direction.
 *
 * Half-close: EOF from one side becomes shutdown(SHUT_WR) on the other once
 * everything read before it was written; the pair is closed when both
 * directions are done, or at once on any error. */
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "addr.h"
#include "config.h"
#include "conn.h"
#include "connid.h"
#include "daemon.h"
#include "decode.h"
#include "dumpsinks.h"
#include "engine.h"
#include "health.h"
#include "log.h"
#include "proxyproto.h"
#include "run.h"
#include "xmalloc.h"

#define PX_HIGH		(256 * 1024)	/* destination output: stop reading */
#define PX_LOW		(64 * 1024)	/* ... resume below this */
#define PX_CHUNK	65536		/* largest chunk decoded, as upstream */
#define PX_MAX_READ	(4 * PX_CHUNK)	/* one socket read */
#define PX_ARENA	(4 * PX_MAX_READ) /* reads awaiting the decoder */
#define PX_PENDING	1024		/* ... at most this many chunks */
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
	struct event		*flush_ev;
	struct event		*grace_ev;
	struct event		*relisten_ev;
	struct sessions		 sessions;
	unsigned		 nsessions;
	int			 stopping;
	uint64_t		 bytes[2];	/* relayed, per direction */
	uint64_t		 dial_errors;
};

struct session {
	struct proxy		*px;
	int			 fd[2];
	struct event		*rev[2];	/* readable, persistent */
	struct event		*wev[2];	/* writable; connect on SRV */
	struct evbuffer		*out[2];	/* bytes waiting to go to side i */
	struct evbuffer		*hold;		/* client bytes before the
						 * PROXY header decision */
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

/* The reads of one loop pass: they land in the arena, are written on at
 * once when the destination has nothing queued, and are decoded in place
 * at the end of the pass (or when the arena is full). */
struct px_pending {
	struct session	*s;
	struct chunk	 ch;
};
static uint8_t		 px_arena[PX_ARENA];
static size_t		 px_used;
static struct px_pending px_pend[PX_PENDING];
static unsigned		 px_npend;

static void	px_session_free(struct session *);

static int64_t
px_now_us(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Hands the chunks read so far to their decoders, oldest first. A
 * decoder cannot free a session, so the list stays valid meanwhile. */
static void
px_decode_pending(void)
{
	unsigned	i;

	for (i = 0; i < px_npend; i++)
		conn_data(&px_pend[i].s->c, &px_pend[i].ch);
	px_npend = 0;
	px_used = 0;
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
	addr_fmt_sa(out, len, (struct sockaddr *)&ss);
}

/* "host:port", "[v6]:port", ":port". IPv4 is preferred when a name has
 * both. Returns 0, or -1 with a message in err. host_empty tells whether
 * the host part was empty (printed as <nil> in the start line). */
static int
px_resolve(const char *spec, int passive, struct sockaddr_storage *ss,
    socklen_t *sl, int *host_empty, char *err, size_t errlen)
{
	struct addrinfo		 hints, *res;
	const struct addrinfo	*pick;
	char			 host[256];
	const char		*port;
	int			 rc;

	if (strchr(spec, ':') == NULL) {
		snprintf(err, errlen, "address %s: missing port", spec);
		return -1;
	}
	if ((port = addr_split(spec, host, sizeof host)) == NULL) {
		snprintf(err, errlen, "address %s: host too long", spec);
		return -1;
	}
	*host_empty = *host == '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	rc = getaddrinfo(*host != '\0' ? host : NULL, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "lookup %s: %s", *host != '\0' ? host :
		    port, gai_strerror(rc));
		return -1;
	}
	pick = addr_pick(res);
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
		addr_fmt_sa(out, len, (const struct sockaddr *)ss);
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

	px_decode_pending();
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

	px_decode_pending();	/* what was read comes before the close */
	if (s->connected)
		conn_close(&s->c, px_now_us());
	conn_free(&s->c);
	for (i = 0; i < 2; i++) {
		if (s->rev[i] != NULL)
			event_free(s->rev[i]);
		if (s->wev[i] != NULL)
			event_free(s->wev[i]);
		if (s->out[i] != NULL)
			evbuffer_free(s->out[i]);
		if (s->fd[i] >= 0)
			close(s->fd[i]);
	}
	if (s->hold != NULL)
		evbuffer_free(s->hold);
	TAILQ_REMOVE(&px->sessions, s, entry);
	px->nsessions--;
	free(s);
	px_maybe_done(px);
}

/* Side `to` gets SHUT_WR once its peer side sent EOF and everything read
 * before the EOF was written. The pair is done when both sides got it.
 * Returns -1 if the session was freed. */
static int
px_maybe_shutdown(struct session *s, int to)
{
	if (!s->eof[!to] || s->shut[to] || evbuffer_get_length(s->out[to]) > 0)
		return 0;
	shutdown(s->fd[to], SHUT_WR);
	s->shut[to] = 1;
	if (s->shut[CLI] && s->shut[SRV]) {
		px_session_free(s);
		return -1;
	}
	return 0;
}

static enum dir
px_dir(int from)
{
	return from == CLI ? DIR_C2S : DIR_S2C;
}

/* Socket errors close both sides (SPEC §6.5). */
static void
px_fail(struct session *s, const char *msg, int err, enum dir d)
{
	px_log_conn(s, msg, strerror(err), d);
	px_session_free(s);
}

/* Queued bytes for side `to`. Returns -1 if the session was freed. */
static int
px_flush_out(struct session *s, int to)
{
	int	n;

	while (evbuffer_get_length(s->out[to]) > 0) {
		n = evbuffer_write(s->out[to], s->fd[to]);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			px_fail(s, "destCon Write error", errno, px_dir(!to));
			return -1;
		}
		if (n == 0)
			break;
	}
	return 0;
}

/* Relays n bytes read from side `from` at ts and then shows them to the
 * decoder: at the end of the loop pass when they are in the arena, at once
 * otherwise. Returns -1 if the session was freed. */
static int
px_forward(struct session *s, int from, const uint8_t *p, size_t n,
    int64_t ts)
{
	int		 to = !from;
	struct evbuffer	*out = s->out[to];
	size_t		 off = 0, skip;
	ssize_t		 w;
	struct chunk	 ch;
	bool		 in_arena = p >= px_arena && p < px_arena + PX_ARENA;

	s->px->bytes[from] += n;
	/* Relaying first: straight to the socket when nothing is queued. */
	if (evbuffer_get_length(out) == 0) {
		w = send(s->fd[to], p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				px_fail(s, "destCon Write error", errno,
				    px_dir(from));
				return -1;
			}
			w = 0;
		}
		off = (size_t)w;
	}
	if (off < n) {
		evbuffer_add(out, p + off, n - off);
		event_add(s->wev[to], NULL);
		if (evbuffer_get_length(out) >= PX_HIGH) {
			event_del(s->rev[from]);
			s->throttled[from] = 1;
		}
	}

	skip = 0;
	if (from == CLI && s->pp_skip > 0) {
		skip = s->pp_skip < n ? s->pp_skip : n;
		s->pp_skip -= skip;
	}
	if (skip == n)
		return 0;
	/* A large read is shown as chunks of at most PX_CHUNK, as if read
	 * one after the other. */
	ch.dir = px_dir(from);
	ch.ts_us = ts;
	if (!in_arena)
		px_decode_pending();
	for (off = skip; off < n; off += ch.n) {
		ch.p = p + off;
		ch.n = n - off < PX_CHUNK ? n - off : PX_CHUNK;
		ch.seq = s->seq++;
		ch.peer_acked = 0;
		if (!in_arena) {
			conn_data(&s->c, &ch);
			continue;
		}
		if (px_npend == PX_PENDING)
			px_decode_pending();	/* no read lands meanwhile */
		px_pend[px_npend].s = s;
		px_pend[px_npend].ch = ch;
		px_npend++;
	}
	if (in_arena)
		px_used = (size_t)(p + n - px_arena);
	return 0;
}

/* The PROXY header at the start of the client stream (SPEC §1.12): client
 * bytes are held until the header is complete or known absent. Returns 1
 * when the stream can go on, 0 to wait for more bytes, -1 when the session
 * was closed. */
static int
px_proxy_header(struct session *s)
{
	struct pp_result	 r;
	size_t			 n = evbuffer_get_length(s->hold);
	const uint8_t		*p;

	if (n > PX_PP_MAX)
		n = PX_PP_MAX;
	p = evbuffer_pullup(s->hold, (ev_ssize_t)n);
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

/* Client bytes while the PROXY header is undecided. Returns -1 if the
 * session was freed. */
static int
px_hold(struct session *s, const uint8_t *p, size_t n, int64_t ts)
{
	size_t	len;
	int	rc;

	if (s->hold == NULL)
		s->hold = evbuffer_new();
	if (n > 0)
		evbuffer_add(s->hold, p, n);
	rc = px_proxy_header(s);
	if (rc <= 0)
		return rc;
	len = evbuffer_get_length(s->hold);
	rc = len > 0 ? px_forward(s, CLI, evbuffer_pullup(s->hold, -1), len,
	    ts) : 0;
	if (rc == 0) {
		evbuffer_free(s->hold);
		s->hold = NULL;
	}
	return rc;
}

static void
px_eof(struct session *s, int from)
{
	s->eof[from] = 1;
	event_del(s->rev[from]);
	/* A stream that ends inside a header is an error, an empty one
	 * is not. */
	if (from == CLI && s->pp_wait) {
		if (s->hold == NULL || evbuffer_get_length(s->hold) == 0)
			s->pp_wait = 0;
		else if (px_hold(s, NULL, 0, px_now_us()) < 0)
			return;
	}
	px_maybe_shutdown(s, !from);
}

static void
px_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;
	int		 from = fd == s->fd[CLI] ? CLI : SRV;
	ssize_t		 n;
	uint8_t		*p;
	int64_t		 ts;

	(void)what;
	if (PX_ARENA - px_used < PX_MAX_READ || px_npend == PX_PENDING)
		px_decode_pending();
	p = px_arena + px_used;
	/* Into a queue (a slow destination) only a chunk at a time, so it
	 * stays within PX_HIGH + PX_CHUNK. */
	n = recv(fd, p, evbuffer_get_length(s->out[!from]) > 0 ? PX_CHUNK :
	    PX_MAX_READ, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		px_fail(s, "strCon Read error", errno, px_dir(from));
		return;
	}
	if (n == 0) {
		px_eof(s, from);
		return;
	}
	ts = px_now_us();
	if (from == CLI && s->pp_wait)
		px_hold(s, p, (size_t)n, ts);
	else
		px_forward(s, from, p, (size_t)n, ts);
}

static void
px_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;
	int		 to = fd == s->fd[CLI] ? CLI : SRV, from = !to;

	(void)what;
	if (px_flush_out(s, to) < 0)
		return;
	if (evbuffer_get_length(s->out[to]) == 0)
		event_del(s->wev[to]);
	if (s->throttled[from] && evbuffer_get_length(s->out[to]) <= PX_LOW) {
		s->throttled[from] = 0;
		if (!s->eof[from])
			event_add(s->rev[from], NULL);
	}
	px_maybe_shutdown(s, to);
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
	s->px->dial_errors++;
	px_error_record(s, err, DIR_C2S);
	px_session_free(s);
}

static void
px_connect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;
	struct proxy	*px = s->px;
	char		 err[256];
	int		 e = 0, one = 1, i;
	socklen_t	 el = sizeof e;

	if (what & EV_TIMEOUT) {
		snprintf(err, sizeof err, "dial tcp %s: i/o timeout",
		    px->cfg->proxy.remote_addr);
		px_dial_error(s, err);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
		e = errno;
	if (e != 0) {
		snprintf(err, sizeof err, "dial tcp %s: %s",
		    px->cfg->proxy.remote_addr, strerror(e));
		px_dial_error(s, err);
		return;
	}
	event_free(s->wev[SRV]);
	s->wev[SRV] = NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	px_sock_str(fd, 0, s->c.pcli, sizeof s->c.pcli);
	px_sock_str(fd, 1, s->c.srv, sizeof s->c.srv);
	for (i = 0; i < 2; i++) {
		s->rev[i] = event_new(px->base, s->fd[i], EV_READ | EV_PERSIST,
		    px_read_cb, s);
		s->wev[i] = event_new(px->base, s->fd[i], EV_WRITE | EV_PERSIST,
		    px_write_cb, s);
		s->out[i] = evbuffer_new();
		if (s->rev[i] == NULL || s->wev[i] == NULL || s->out[i] == NULL) {
			px_dial_error(s, "out of memory");
			return;
		}
	}
	s->connected = 1;
	px_decode_pending();
	conn_open(&s->c, px_now_us());
	s->pp_wait = px->eng.proxy_protocol;
	event_add(s->rev[CLI], NULL);
	event_add(s->rev[SRV], NULL);
}

static void
px_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct proxy	*px = arg;
	struct session	*s;
	char		 err[256];
	int		 one = 1;

	(void)lev;
	(void)salen;
	evutil_make_socket_nonblocking(fd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	s = xcalloc(1, sizeof *s);
	s->px = px;
	s->fd[CLI] = fd;
	s->fd[SRV] = -1;
	conn_init(&s->c, &px->eng);
	s->c.owner = s;
	s->c.syn_seen = true;	/* a proxy sees every connection from its start */
	connid_new(s->c.id, time(NULL));
	addr_fmt_sa(s->c.cli, sizeof s->c.cli, sa);
	px_sock_str(fd, 0, s->c.listen, sizeof s->c.listen);
	addr_fmt_sa(s->c.srv, sizeof s->c.srv, (struct sockaddr *)&px->remote);
	TAILQ_INSERT_TAIL(&px->sessions, s, entry);
	px->nsessions++;

	/* The client is read once the remote answered. */
	s->fd[SRV] = socket(px->remote.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (s->fd[SRV] < 0) {
		snprintf(err, sizeof err, "dial tcp %s: %s",
		    px->cfg->proxy.remote_addr, strerror(errno));
		px_dial_error(s, err);
		return;
	}
	/* Our connections' TIME_WAIT remnants must not keep anyone (us
	 * after a restart included) from binding their ephemeral port. */
	setsockopt(s->fd[SRV], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (connect(s->fd[SRV], (struct sockaddr *)&px->remote,
	    px->remotelen) != 0 && errno != EINPROGRESS) {
		snprintf(err, sizeof err, "dial tcp %s: %s",
		    px->cfg->proxy.remote_addr, strerror(errno));
		px_dial_error(s, err);
		return;
	}
	s->wev[SRV] = event_new(px->base, s->fd[SRV], EV_WRITE, px_connect_cb, s);
	if (s->wev[SRV] == NULL) {
		px_dial_error(s, "out of memory");
		return;
	}
	event_add(s->wev[SRV], &px->connect_tv);
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

/* SIGINT, SIGTERM, SIGQUIT (daemon_signals). */
static void
px_stop_cb(int sig, void *arg)
{
	struct proxy	*px = arg;

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

/* The proxy's part of the periodic health line. */
static void
px_health_fill(struct record *f, void *arg)
{
	struct proxy	*px = arg;

	rec_uint(f, "connections", px->nsessions);
	rec_uint(f, "connections_total", px->eng.st.conns_opened);
	rec_uint(f, "dial_errors", px->dial_errors);
	rec_uint(f, "bytes_client_to_remote", px->bytes[CLI]);
	rec_uint(f, "bytes_remote_to_client", px->bytes[SRV]);
}

static void
px_start_line(struct proxy *px, const struct sockaddr_storage *lss,
    int lempty, int rempty)
{
	struct config	*cfg = px->cfg;
	struct record	*f = log_fields();
	char		 lstr[ADDR_STRLEN + 8], rstr[ADDR_STRLEN + 8];
	char		 msg[3 * ADDR_STRLEN];

	px_start_str(&px->remote, rempty, rstr, sizeof rstr);
	rec_cstr(f, "dumper", px->eng.dec->name);
	if (cfg->proxy.use_server_starter) {
		snprintf(msg, sizeof msg,
		    "Starting proxy. [server_starter] <-> %s", rstr);
	} else {
		px_start_str(lss, lempty, lstr, sizeof lstr);
		snprintf(msg, sizeof msg, "Starting proxy. %s <-> %s", lstr,
		    rstr);
		rec_cstr(f, "proxy_listen_addr", cfg->proxy.listen_addr);
	}
	rec_cstr(f, "remote_addr", cfg->proxy.remote_addr);
	rec_bool(f, "use_server_starter", cfg->proxy.use_server_starter);
	rec_bool(f, "proxy_protocol", cfg->proxy_protocol);
	log_write(LOG_INFO, NULL, msg);
}

int
proxy_main(struct run *r)
{
	struct proxy		 px;
	struct config		*cfg = r->cfg;
	struct sockaddr_storage	 lss;
	socklen_t		 lsl = 0;
	char			 err[512];
	struct timeval		 flush_tv = { 0, 100000 };
	int			 lempty = 0, rempty = 0, lfd, lrc, rc = 1;

	memset(&px, 0, sizeof px);
	px.run = r;
	px.cfg = cfg;
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
	px_raise_nofile();

	if ((px.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	engine_init(&px.eng, ENG_PROXY, decoder_find(cfg->dumper ?
	    cfg->dumper : "hex"));
	if (px.eng.dec == NULL)
		px.eng.dec = &decoder_hex;	/* upstream: unknown means hex */
	px.eng.base = px.base;
	px.eng.proxy_protocol = cfg->proxy_protocol;

	/* The console stays on until a UI owns the terminal. */
	if (log_open_flags(&cfg->log, px.base, run_log_flags(r)) == -1)
		goto out;
	if (dumpsinks_add(&px.eng, cfg, r->stdout_flag, err, sizeof err) == -1) {
		fprintf(stderr, "tcpdp-top: %s\n", err);
		goto out;
	}
	if (daemon_signals(px.base, px_stop_cb, &px) == -1)
		goto out;
	px_start_line(&px, &lss, lempty, rempty);
	/* Under server_starter the previous generation is still draining
	 * with its pid in the file: the new one takes the file over (the
	 * old one removes it only while it holds its own pid). */
	if (cfg->proxy.use_server_starter && cfg->pidfile != NULL &&
	    *cfg->pidfile != '\0')
		unlink(cfg->pidfile);
	if (pidfile_write(cfg->pidfile, err, sizeof err) == -1)
		log_fatal(PX_CALLER, err);

	if (cfg->proxy.use_server_starter) {
		if ((lfd = px_server_starter_fd(err, sizeof err)) < 0) {
			rec_cstr(log_fields(), "error", err);
			log_fatal(PX_CALLER, "server-starter listen error");
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
		log_fatal(PX_CALLER, cfg->proxy.use_server_starter ?
		    "server-starter listen error" : "listenAddr ListenTCP error");
	}
	evconnlistener_set_error_cb(px.lev, px_accept_error_cb);

	px.flush_ev = event_new(px.base, -1, EV_PERSIST, px_flush_cb, &px);
	evtimer_add(px.flush_ev, &flush_tv);
	px.grace_ev = evtimer_new(px.base, px_grace_cb, &px);
	px.relisten_ev = evtimer_new(px.base, px_relisten_cb, &px);
	health_start(px.base, px_health_fill, &px, cfg->log.enable_internal);

	/* One pass at a time: what the pass read is decoded after it. */
	for (;;) {
		lrc = event_base_loop(px.base, EVLOOP_ONCE);
		px_decode_pending();
		if (lrc != 0 || event_base_got_exit(px.base) ||
		    event_base_got_break(px.base))
			break;
	}

	while (!TAILQ_EMPTY(&px.sessions))
		px_session_free(TAILQ_FIRST(&px.sessions));
	engine_flush(&px.eng);
	health_stop();
	rc = 0;
out:
	if (px.lev != NULL)
		evconnlistener_free(px.lev);
	if (px.flush_ev != NULL)
		event_free(px.flush_ev);
	if (px.grace_ev != NULL)
		event_free(px.grace_ev);
	if (px.relisten_ev != NULL)
		event_free(px.relisten_ev);
	engine_free(&px.eng);
	daemon_signals_free();
	pidfile_remove();
	log_close();
	event_base_free(px.base);
	return rc;
}
