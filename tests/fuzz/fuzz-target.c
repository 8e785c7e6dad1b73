/* fuzz-target.c - target_parse, target_match and target_bpf on any text.
 * Name lookups are replaced below so the fuzzer never waits on a resolver:
 * every name fails except "localhost", as a stub resolver would say. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct sockaddr_in	fz_sin;
static struct addrinfo		fz_ai;

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	(void)service;
	(void)hints;
	if (node == NULL || strcmp(node, "localhost") != 0)
		return EAI_NONAME;
	fz_sin.sin_family = AF_INET;
	fz_sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fz_ai.ai_family = AF_INET;
	fz_ai.ai_socktype = SOCK_STREAM;
	fz_ai.ai_addr = (struct sockaddr *)&fz_sin;
	fz_ai.ai_addrlen = sizeof fz_sin;
	fz_ai.ai_next = NULL;
	*res = &fz_ai;
	return 0;
}

void
freeaddrinfo(struct addrinfo *ai)
{
	(void)ai;
}

struct servent *
getservbyname(const char *name, const char *proto)
{
	static char		*aliases[] = { NULL };
	static struct servent	 se = { "mysql", aliases, 0, "tcp" };

	(void)proto;
	if (strcmp(name, "mysql") != 0)
		return NULL;
	se.s_port = htons(3306);
	return &se;
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct target	 t;
	char		*spec, *bpf, err[256];
	uint8_t		 ip[16] = { 127, 0, 0, 1 };
	size_t		 i;

	if (n > 4096)
		return 0;
	spec = malloc(n + 1);
	memcpy(spec, p, n);
	spec[n] = '\0';
	err[0] = '\0';
	if (target_parse(&t, spec, err, sizeof err) == 0) {
		if (t.n > 64)
			abort();
		(void)target_match(&t, 4, ip, 3306);
		(void)target_match(&t, 6, ip, 0);
		bpf = target_bpf(&t);
		if (bpf == NULL || strncmp(bpf, "tcp", 3) != 0)
			abort();
		/* The filter goes to pcap_compile: printable text only. */
		for (i = 0; bpf[i] != '\0'; i++)
			if ((unsigned char)bpf[i] < 0x20 ||
			    (unsigned char)bpf[i] >= 0x7f)
				abort();
		free(bpf);
		target_free(&t);
	} else if (err[0] == '\0' || t.parts != NULL)
		abort();
	free(spec);
	return 0;
}
