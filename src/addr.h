/* addr.h - network addresses as text: "a.b.c.d:port" and "[v6]:port", the
 * form of every address key in a record and of every host:port flag, and
 * the IPv4-first choice among a name's addresses (as upstream). */
#ifndef TCPDP_ADDR_H
#define TCPDP_ADDR_H

#include <stddef.h>

struct addrinfo;
struct sockaddr;

/* af is AF_INET or AF_INET6; ip is 4 or 16 bytes in network order. */
void			 addr_fmt(char *out, size_t len, int af, const void *ip,
			     unsigned port);
/* A sockaddr_in or sockaddr_in6; "?" for any other family. */
void			 addr_fmt_sa(char *out, size_t len,
			     const struct sockaddr *sa);
/* "host:port", "[v6]:port" or ":port", split at the last colon, brackets
 * taken off the host. Returns the port (inside spec), or NULL when there
 * is no colon or the host does not fit in hostlen. */
const char		*addr_split(const char *spec, char *host,
			     size_t hostlen);
/* The first IPv4 address of a getaddrinfo() answer, else its first IPv6
 * one, else NULL. */
const struct addrinfo	*addr_pick(const struct addrinfo *res);

#endif
