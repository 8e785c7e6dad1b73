/* pxload.c - echo server and load client for the proxy tests.
 *
 *   pxload echo PORT
 *	echoes every connection on 127.0.0.1:PORT; EOF from the client
 *	becomes shutdown(SHUT_WR) once everything was echoed.
 *   pxload client PORT [-c conns] [-b bytes] [-s slowmod] [-a abortmod]
 *	    [-k holdsecs] [-r rounds] [-t timeout]
 *	each connection sends `bytes` of pseudo-random data (seeded by its
 *	index), half-closes, reads the echo until EOF and checks it against
 *	the same sequence, byte by byte. Every slowmod-th connection reads
 *	4 KB per 5 ms; every abortmod-th one resets its connection halfway
 *	(SO_LINGER 0). With -k, all connections are first opened and each
 *	exchanges `rounds` small messages, then "HOLDING" is printed and the
 *	connections stay open for holdsecs before the bulk phase.
 *	Prints "ok=N failed=N aborted=N bytes=N" and exits 1 on any failure.
 *
 * Test tool, not part of tcpdp-top: one epoll loop, no threads. */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFSZ	65536

static int64_t
now_ms(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void
nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* ---- echo server ---- */

struct econn {
	int	fd;
	char	buf[BUFSZ];
	size_t	off, len;
	int	eof;
};

static void
emod(int ep, struct econn *e, uint32_t ev)
{
	struct epoll_event	ee = { .events = ev, .data.ptr = e };

	epoll_ctl(ep, EPOLL_CTL_MOD, e->fd, &ee);
}

static int
echo_main(int port)
{
	struct sockaddr_in	sin;
	struct epoll_event	ee, evs[256];
	int			lfd, ep, one = 1, n, i;

	signal(SIGPIPE, SIG_IGN);
	nofile();
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(lfd, 4096) != 0) {
		perror("echo: bind/listen");
		return 1;
	}
	ep = epoll_create1(0);
	ee.events = EPOLLIN;
	ee.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ee);
	for (;;) {
		n = epoll_wait(ep, evs, 256, -1);
		for (i = 0; i < n; i++) {
			struct econn *e = evs[i].data.ptr;
			ssize_t r;

			if (e == NULL) {
				int fd;
				while ((fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK)) >= 0) {
					e = calloc(1, sizeof *e);
					e->fd = fd;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
					    &one, sizeof one);
					ee.events = EPOLLIN;
					ee.data.ptr = e;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee);
				}
				continue;
			}
			if (e->len == 0 && !e->eof) {
				r = read(e->fd, e->buf, sizeof e->buf);
				if (r > 0) {
					e->off = 0;
					e->len = (size_t)r;
				} else if (r == 0)
					e->eof = 1;
				else if (errno != EAGAIN)
					goto drop;
			}
			while (e->len > 0) {
				r = write(e->fd, e->buf + e->off, e->len);
				if (r < 0) {
					if (errno == EAGAIN)
						break;
					goto drop;
				}
				e->off += (size_t)r;
				e->len -= (size_t)r;
			}
			if (e->len > 0) {
				emod(ep, e, EPOLLOUT);
				continue;
			}
			if (e->eof) {
				shutdown(e->fd, SHUT_WR);
				/* Wait for the peer to close (EPOLLIN/RDHUP). */
				emod(ep, e, EPOLLIN | EPOLLRDHUP);
				if (evs[i].events & (EPOLLRDHUP | EPOLLHUP))
					goto drop;
				if (e->eof == 1) {
					e->eof = 2;
					continue;
				}
				goto drop;
			}
			emod(ep, e, EPOLLIN);
			continue;
drop:
			epoll_ctl(ep, EPOLL_CTL_DEL, e->fd, NULL);
			close(e->fd);
			free(e);
		}
	}
}

/* ---- load client ---- */

struct cconn {
	int		 fd;
	int		 idx;
	uint64_t	 gs, gv;	/* generators: sending, verifying */
	size_t		 sent, got;
	int		 slow, abort, done, failed, shut, connected;
	int		 rounds_left, rpend;	/* -k: small exchanges */
	uint8_t		 pend[BUFSZ];
	size_t		 pend_off, pend_len;
};

static uint8_t
gen(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint8_t)(*s >> 24);
}

static size_t	 opt_bytes = 1 << 20;
static int	 phase_hold;

static void
cfail(struct cconn *c, const char *why)
{
	if (!c->failed && !c->done)
		fprintf(stderr, "conn %d: %s (sent %zu got %zu)\n", c->idx, why,
		    c->sent, c->got);
	c->failed = 1;
	c->done = 1;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Reads what is there (at most lim); returns -1 when the conn ended. */
static int
cread(struct cconn *c, size_t lim)
{
	uint8_t	buf[BUFSZ];
	ssize_t	r;
	size_t	i;

	if (lim > sizeof buf)
		lim = sizeof buf;
	r = read(c->fd, buf, lim);
	if (r < 0)
		return errno == EAGAIN ? 0 : (cfail(c, strerror(errno)), -1);
	if (r == 0) {
		if (phase_hold && c->rounds_left > 0) {
			cfail(c, "EOF during rounds");
			return -1;
		}
		if (c->got != opt_bytes) {
			cfail(c, "short echo");
			return -1;
		}
		c->done = 1;
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	if (c->rpend > 0) {	/* small exchange: 1 byte messages echoed */
		c->rpend -= (int)r;
		if (c->rpend < 0) {
			cfail(c, "unexpected bytes in rounds");
			return -1;
		}
		return 1;
	}
	for (i = 0; i < (size_t)r; i++)
		if (buf[i] != gen(&c->gv)) {
			cfail(c, "byte mismatch");
			return -1;
		}
	c->got += (size_t)r;
	if (c->got > opt_bytes) {
		cfail(c, "too many bytes");
		return -1;
	}
	return 1;
}

static void
cwrite(struct cconn *c)
{
	ssize_t	r;
	size_t	i, n;

	while (c->sent < opt_bytes || c->pend_len > 0) {
		if (c->pend_len == 0) {
			n = opt_bytes - c->sent;
			if (c->abort && c->sent < opt_bytes / 2)
				n = opt_bytes / 2 - c->sent;
			if (n > BUFSZ)
				n = BUFSZ;
			if (n == 0)
				break;
			for (i = 0; i < n; i++)
				c->pend[i] = gen(&c->gs);
			c->pend_off = 0;
			c->pend_len = n;
			c->sent += n;
		}
		r = write(c->fd, c->pend + c->pend_off, c->pend_len);
		if (r < 0) {
			if (errno != EAGAIN)
				cfail(c, strerror(errno));
			return;
		}
		c->pend_off += (size_t)r;
		c->pend_len -= (size_t)r;
	}
	if (c->abort && c->sent >= opt_bytes / 2 && c->pend_len == 0) {
		struct linger l = { 1, 0 };
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
		close(c->fd);
		c->fd = -1;
		c->done = 1;
		return;
	}
	if (c->sent == opt_bytes && c->pend_len == 0 && !c->shut) {
		shutdown(c->fd, SHUT_WR);
		c->shut = 1;
	}
}

static int
client_main(int port, int nconns, int slowmod, int abortmod, int hold,
    int rounds, int timeout)
{
	struct sockaddr_in	 sin;
	struct cconn		*cs;
	struct epoll_event	 ee, evs[256];
	int			 ep, i, n, left, ok = 0, failed = 0, aborted = 0;
	int			 one = 1;
	int64_t			 deadline = now_ms() + (int64_t)timeout * 1000;
	uint64_t		 total = 0;

	signal(SIGPIPE, SIG_IGN);
	nofile();
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ep = epoll_create1(0);
	cs = calloc((size_t)nconns, sizeof *cs);
	for (i = 0; i < nconns; i++) {
		struct cconn *c = &cs[i];

		c->idx = i;
		c->gs = c->gv = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)(i + 1) << 20);
		c->slow = slowmod > 0 && i % slowmod == 1;
		c->abort = abortmod > 0 && i % abortmod == 2;
		c->rounds_left = hold ? rounds : 0;
		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		/* so our TIME_WAITs do not block listeners on test ports */
		setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (c->fd < 0 || (connect(c->fd, (struct sockaddr *)&sin,
		    sizeof sin) != 0 && errno != EINPROGRESS)) {
			cfail(c, "connect");
			continue;
		}
		ee.events = EPOLLIN | EPOLLOUT;
		ee.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ee);
	}

	/* -k: every connection does `rounds` one-byte echoes, then all are
	 * held open together. */
	if (hold) {
		phase_hold = 1;
		for (;;) {
			left = 0;
			for (i = 0; i < nconns; i++)
				if (!cs[i].done && cs[i].rounds_left > 0)
					left++;
			if (left == 0 || now_ms() > deadline)
				break;
			n = epoll_wait(ep, evs, 256, 100);
			for (i = 0; i < n; i++) {
				struct cconn *c = evs[i].data.ptr;
				if (c->done)
					continue;
				if ((evs[i].events & EPOLLIN) && c->rpend > 0 &&
				    cread(c, 1) < 0)
					continue;
				if (c->rpend == 0 && c->rounds_left > 0 &&
				    (evs[i].events & (EPOLLOUT | EPOLLIN))) {
					if (write(c->fd, "x", 1) == 1) {
						c->rpend = 1;
						c->rounds_left--;
					}
				}
			}
		}
		for (i = 0; i < nconns; i++)
			if (!cs[i].done && cs[i].rounds_left > 0)
				cfail(&cs[i], "rounds not finished");
		/* Finish the pending echoes. */
		while (now_ms() < deadline) {
			left = 0;
			for (i = 0; i < nconns; i++)
				if (!cs[i].done && cs[i].rpend > 0)
					left++;
			if (left == 0)
				break;
			n = epoll_wait(ep, evs, 256, 100);
			for (i = 0; i < n; i++) {
				struct cconn *c = evs[i].data.ptr;
				if (!c->done && c->rpend > 0 &&
				    (evs[i].events & EPOLLIN))
					cread(c, 1);
			}
		}
		printf("HOLDING\n");
		fflush(stdout);
		sleep((unsigned)hold);
		phase_hold = 0;
	}

	for (;;) {
		left = 0;
		for (i = 0; i < nconns; i++)
			if (!cs[i].done)
				left++;
		if (left == 0 || now_ms() > deadline)
			break;
		n = epoll_wait(ep, evs, 256, 5);
		for (i = 0; i < n; i++) {
			struct cconn *c = evs[i].data.ptr;

			if (c->done)
				continue;
			if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
				cwrite(c);
			if (c->done || c->fd < 0)
				continue;
			if (!c->slow && (evs[i].events & (EPOLLIN | EPOLLERR |
			    EPOLLHUP)))
				while (cread(c, BUFSZ) == 1)
					;
			if (!c->done && c->fd >= 0) {
				ee.events = EPOLLIN | (c->sent < opt_bytes ||
				    c->pend_len > 0 ? EPOLLOUT : 0);
				if (c->slow)
					ee.events &= ~(uint32_t)EPOLLIN;
				ee.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ee);
			}
		}
		/* Slow readers: 4 KB per connection per pass. */
		for (i = 0; i < nconns; i++) {
			struct cconn *c = &cs[i];
			if (!c->slow || c->done || c->fd < 0)
				continue;
			cread(c, 4096);
			if (!c->done && c->fd >= 0 && (c->sent < opt_bytes ||
			    c->pend_len > 0))
				cwrite(c);
		}
	}
	for (i = 0; i < nconns; i++) {
		struct cconn *c = &cs[i];
		if (!c->done)
			cfail(c, "timeout");
		if (c->abort && !c->failed)
			aborted++;
		else if (c->failed)
			failed++;
		else {
			ok++;
			total += c->got;
		}
	}
	printf("ok=%d failed=%d aborted=%d bytes=%llu\n", ok, failed, aborted,
	    (unsigned long long)total);
	return failed ? 1 : 0;
}

int
main(int argc, char **argv)
{
	int	port, conns = 10, slowmod = 0, abortmod = 0, hold = 0;
	int	rounds = 3, timeout = 60, i;

	if (argc < 3) {
		fprintf(stderr, "usage: pxload echo PORT | client PORT [opts]\n");
		return 2;
	}
	port = atoi(argv[2]);
	if (strcmp(argv[1], "echo") == 0)
		return echo_main(port);
	for (i = 3; i + 1 < argc; i += 2) {
		const char *o = argv[i];
		long v = atol(argv[i + 1]);
		if (strcmp(o, "-c") == 0) conns = (int)v;
		else if (strcmp(o, "-b") == 0) opt_bytes = (size_t)v;
		else if (strcmp(o, "-s") == 0) slowmod = (int)v;
		else if (strcmp(o, "-a") == 0) abortmod = (int)v;
		else if (strcmp(o, "-k") == 0) hold = (int)v;
		else if (strcmp(o, "-r") == 0) rounds = (int)v;
		else if (strcmp(o, "-t") == 0) timeout = (int)v;
		else {
			fprintf(stderr, "pxload: unknown option %s\n", o);
			return 2;
		}
	}
	return client_main(port, conns, slowmod, abortmod, hold, rounds,
	    timeout);
}
