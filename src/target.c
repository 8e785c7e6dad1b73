/* target.c - target parsing, endpoint matching and BPF generation. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "target.h"
#include "xmalloc.h"

#define TARGET_MAX_PARTS	64

static int
target_port(const char *s, uint16_t *port, char *err, size_t errlen)
{
	struct servent	*se;
	char		*end;
	unsigned long	 v;

	if (*s == '\0') {
		*port = 0;
		return 0;
	}
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (*end != '\0' || errno != 0 || v > 65535) {
			snprintf(err, errlen, "invalid port: %s", s);
			return -1;
		}
		*port = (uint16_t)v;
		return 0;
	}
	if ((se = getservbyname(s, "tcp")) == NULL) {
		snprintf(err, errlen, "address tcp/%s: unknown port", s);
		return -1;
	}
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

/* The addresses of res other than pick's, as text, as many as fit. */
static void
target_also(struct target_part *tp, const struct addrinfo *res,
    const struct addrinfo *pick)
{
	const struct addrinfo	*ai, *bi;
	const void		*a;
	char			 txt[INET6_ADDRSTRLEN];
	size_t			 len = 0;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    (ai->ai_addrlen == pick->ai_addrlen &&
		    memcmp(ai->ai_addr, pick->ai_addr, ai->ai_addrlen) == 0))
			continue;
		for (bi = res; bi != ai; bi = bi->ai_next)	/* seen */
			if (bi->ai_addrlen == ai->ai_addrlen &&
			    memcmp(bi->ai_addr, ai->ai_addr,
			    ai->ai_addrlen) == 0)
				break;
		if (bi != ai)
			continue;
		a = ai->ai_family == AF_INET ?
		    (const void *)&((const struct sockaddr_in *)(void *)
		    ai->ai_addr)->sin_addr :
		    (const void *)&((const struct sockaddr_in6 *)(void *)
		    ai->ai_addr)->sin6_addr;
		if (inet_ntop(ai->ai_family, a, txt, sizeof txt) == NULL ||
		    len + strlen(txt) + 3 > sizeof tp->also)
			continue;
		len += (size_t)snprintf(tp->also + len, sizeof tp->also - len,
		    "%s%s", len > 0 ? ", " : "", txt);
	}
}

/* A literal address or a name (IPv4 preferred, as upstream). */
static int
target_host(struct target_part *tp, const char *h, char *err, size_t errlen)
{
	struct addrinfo		 hints, *res;
	const struct addrinfo	*pick;
	int			 rc;

	if (*h == '\0' || strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0) {
		tp->af = 0;
		return 0;
	}
	if (inet_pton(AF_INET, h, tp->ip) == 1)
		tp->af = 4;
	else if (inet_pton(AF_INET6, h, tp->ip) == 1)
		tp->af = 6;
	else {
		memset(&hints, 0, sizeof hints);
		hints.ai_socktype = SOCK_STREAM;
		if ((rc = getaddrinfo(h, NULL, &hints, &res)) != 0) {
			snprintf(err, errlen, "lookup %s: %s", h,
			    gai_strerror(rc));
			return -1;
		}
		if ((pick = addr_pick(res)) == NULL) {
			freeaddrinfo(res);
			snprintf(err, errlen, "lookup %s: no address", h);
			return -1;
		}
		target_also(tp, res, pick);
		if (pick->ai_family == AF_INET) {
			tp->af = 4;
			memcpy(tp->ip, &((const struct sockaddr_in *)(void *)
			    pick->ai_addr)->sin_addr, 4);
		} else {
			tp->af = 6;
			memcpy(tp->ip, &((const struct sockaddr_in6 *)(void *)
			    pick->ai_addr)->sin6_addr, 16);
		}
		freeaddrinfo(res);
	}
	if (tp->af == 4 && memcmp(tp->ip, "\0\0\0\0", 4) == 0)
		tp->af = 0;
	else if (tp->af == 6 && memcmp(tp->ip, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	    16) == 0)
		tp->af = 0;
	if (tp->af != 0)
		inet_ntop(tp->af == 4 ? AF_INET : AF_INET6, tp->ip, tp->host,
		    sizeof tp->host);
	return 0;
}

static int
target_part_parse(struct target_part *tp, char *s, char *err, size_t errlen)
{
	char	*colon, *close;

	memset(tp, 0, sizeof *tp);
	if (*s == '\0')
		return 0;
	if (*s == '[') {
		if ((close = strchr(s, ']')) == NULL) {
			snprintf(err, errlen, "missing ']' in address %s", s);
			return -1;
		}
		*close = '\0';
		if (close[1] != '\0' && close[1] != ':') {
			snprintf(err, errlen, "invalid address %s]%s", s,
			    close + 1);
			return -1;
		}
		if (target_host(tp, s + 1, err, errlen) == -1)
			return -1;
		return close[1] == ':' ?
		    target_port(close + 2, &tp->port, err, errlen) : 0;
	}
	colon = strchr(s, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL)
		return target_host(tp, s, err, errlen);	/* bare IPv6 */
	if (colon != NULL) {
		*colon = '\0';
		if (target_port(colon + 1, &tp->port, err, errlen) == -1)
			return -1;
		return target_host(tp, s, err, errlen);
	}
	if (strspn(s, "0123456789") == strlen(s))
		return target_port(s, &tp->port, err, errlen);
	return target_host(tp, s, err, errlen);
}

int
target_parse(struct target *t, const char *spec, char *err, size_t errlen)
{
	char	*s, *q, *part, *next;
	size_t	 n;

	t->parts = NULL;
	t->n = 0;
	if (spec == NULL || *spec == '\0')
		return 0;
	s = xmalloc(strlen(spec) + 1);
	for (q = s; *spec != '\0'; spec++)
		if (*spec != ' ')
			*q++ = *spec;
	*q = '\0';
	for (n = 1, q = s; (q = strstr(q, "||")) != NULL; q += 2)
		n++;
	if (n > TARGET_MAX_PARTS) {
		snprintf(err, errlen, "too many target parts (max %d)",
		    TARGET_MAX_PARTS);
		free(s);
		return -1;
	}
	t->parts = xcalloc(n, sizeof *t->parts);
	for (part = s; part != NULL; part = next) {
		if ((next = strstr(part, "||")) != NULL) {
			*next = '\0';
			next += 2;
		}
		if (target_part_parse(&t->parts[t->n], part, err,
		    errlen) == -1) {
			free(s);
			target_free(t);
			return -1;
		}
		t->n++;
	}
	free(s);
	return 0;
}

char *
target_unwatched(const struct target *t)
{
	struct buf	 b = { 0 };
	size_t		 i;

	for (i = 0; i < t->n; i++)
		if (t->parts[i].also[0] != '\0')
			buf_printf(&b, "%sthe target's name resolves to %s "
			    "and also to %s, left unwatched (join them with "
			    "|| in the target to watch them too)",
			    b.len > 0 ? "; " : "", t->parts[i].host,
			    t->parts[i].also);
	if (b.len == 0)
		return NULL;
	buf_addc(&b, '\0');
	return b.p;
}

void
target_free(struct target *t)
{
	free(t->parts);
	t->parts = NULL;
	t->n = 0;
}

bool
target_match(const struct target *t, int af, const uint8_t *ip, uint16_t port)
{
	const struct target_part	*tp;
	size_t				 i;

	for (i = 0; i < t->n; i++) {
		tp = &t->parts[i];
		if (tp->af == 0 && tp->port == 0)
			continue;	/* empty part: names no endpoint */
		if (tp->port != 0 && tp->port != port)
			continue;
		if (tp->af != 0 && (tp->af != af ||
		    memcmp(tp->ip, ip, af == 4 ? 4 : 16) != 0))
			continue;
		return true;
	}
	return false;
}

char *
target_bpf(const struct target *t)
{
	const struct target_part	*tp;
	struct buf			 b;
	size_t				 i;
	char				*s;

	for (i = 0; i < t->n; i++)
		if (t->parts[i].af == 0 && t->parts[i].port == 0)
			return xstrdup("tcp");
	if (t->n == 0)
		return xstrdup("tcp");
	buf_init(&b);
	buf_adds(&b, "tcp and (");
	for (i = 0; i < t->n; i++) {
		tp = &t->parts[i];
		if (i > 0)
			buf_adds(&b, " or ");
		if (tp->af == 0)
			buf_printf(&b, "(port %u)", tp->port);
		else if (tp->port == 0)
			buf_printf(&b, "(host %s)", tp->host);
		else
			buf_printf(&b, "(host %s and port %u)", tp->host,
			    tp->port);
	}
	buf_adds(&b, ")");
	s = xmalloc(b.len + 1);
	memcpy(s, b.p, b.len);
	s[b.len] = '\0';
	buf_free(&b);
	return s;
}
