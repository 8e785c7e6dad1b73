/* target.h - the probe/read target (SPEC §5.1): parts joined by `||`,
 * each a port, a host, or host:port. Unlike upstream, host-only targets
 * and 0.0.0.0:PORT match packets, IPv6 works, ports above 65535 and
 * unresolvable names are errors. */
#ifndef TCPDP_TARGET_H
#define TCPDP_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct target_part {
	int		af;		/* 4, 6, or 0 = any host */
	uint8_t		ip[16];
	uint16_t	port;		/* 0 = any port */
	char		host[48];	/* numeric text, "" for any */
	/* The name's other addresses, which the part does not watch
	 * ("localhost" is also ::1, where psql goes first): "" if none. */
	char		also[128];
};

struct target {
	struct target_part	*parts;
	size_t			 n;
};

/* "" or NULL gives an empty target (matches nothing, BPF "tcp").
 * Returns 0, or -1 with a message in err. */
int	 target_parse(struct target *, const char *, char *err, size_t errlen);
void	 target_free(struct target *);
/* A warning naming the addresses a host name also resolves to and the
 * target leaves out (upstream takes the first IPv4 one only), or NULL;
 * caller frees. probe says it: its BPF filter drops them (read decodes
 * every connection, the target only orients them). */
char	*target_unwatched(const struct target *);
/* True if the endpoint is one the target names. */
bool	 target_match(const struct target *, int af, const uint8_t *ip,
	    uint16_t port);
/* The generated BPF filter (SPEC §5.1); caller frees. */
char	*target_bpf(const struct target *);

#endif
