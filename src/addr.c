/* addr.c - network addresses as text, and the IPv4-first pick. */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

void
addr_fmt(char *out, size_t len, int af, const void *ip, unsigned port)
{
	const uint8_t	*b = ip;
	char		 a[INET6_ADDRSTRLEN];

	if (af == AF_INET6) {
		if (inet_ntop(AF_INET6, ip, a, sizeof a) == NULL)
			strcpy(a, "::");
		snprintf(out, len, "[%s]:%u", a, port);
	} else
		snprintf(out, len, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3],
		    port);
}

void
addr_fmt_sa(char *out, size_t len, const struct sockaddr *sa)
{
	const struct sockaddr_in	*s4;
	const struct sockaddr_in6	*s6;

	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		addr_fmt(out, len, AF_INET, &s4->sin_addr, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		addr_fmt(out, len, AF_INET6, &s6->sin6_addr,
		    ntohs(s6->sin6_port));
	} else
		snprintf(out, len, "?");
}

const char *
addr_split(const char *spec, char *host, size_t hostlen)
{
	const char	*colon;
	size_t		 hl;

	if ((colon = strrchr(spec, ':')) == NULL)
		return NULL;
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl >= hostlen)
		return NULL;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	return colon + 1;
}

const struct addrinfo *
addr_pick(const struct addrinfo *res)
{
	const struct addrinfo	*ai, *pick = NULL;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			return ai;
		if (ai->ai_family == AF_INET6 && pick == NULL)
			pick = ai;
	}
	return pick;
}
