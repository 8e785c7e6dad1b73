/* connid.c - rs/xid compatible ids: 4-byte big-endian seconds, 3-byte
 * machine id, 2-byte pid, 3-byte counter from a random start, base32hex
 * (lowercase, no padding). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "connid.h"

static const char b32[] = "0123456789abcdefghijklmnopqrstuv";

void
connid_encode(char out[CONNID_LEN + 1], const uint8_t raw[12])
{
	uint64_t	acc = 0;
	int		bits = 0, i, o = 0;

	for (i = 0; i < 12; i++) {
		acc = acc << 8 | raw[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32[(acc >> (bits - 5)) & 0x1f];
			bits -= 5;
		}
	}
	out[o++] = b32[(acc << (5 - bits)) & 0x1f];
	out[o] = '\0';
}

static uint32_t
fnv1a(const void *p, size_t n)
{
	const uint8_t	*s = p;
	uint32_t	 h = 2166136261u;

	while (n--)
		h = (h ^ *s++) * 16777619u;
	return h;
}

void
connid_new(char out[CONNID_LEN + 1], time_t now)
{
	static int	 init;
	static uint8_t	 machine[3];
	static uint32_t	 counter;
	uint8_t		 raw[12];
	char		 host[256] = "";
	FILE		*f;
	uint32_t	 h, c;
	pid_t		 pid;

	if (!init) {
		if ((f = fopen("/etc/machine-id", "r")) != NULL) {
			if (fgets(host, sizeof host, f) == NULL)
				host[0] = '\0';
			fclose(f);
		}
		if (host[0] == '\0')
			gethostname(host, sizeof host - 1);
		h = fnv1a(host, strlen(host));
		machine[0] = (uint8_t)(h >> 16);
		machine[1] = (uint8_t)(h >> 8);
		machine[2] = (uint8_t)h;
		if ((f = fopen("/dev/urandom", "r")) != NULL) {
			if (fread(&counter, sizeof counter, 1, f) != 1)
				counter = (uint32_t)now ^ (uint32_t)getpid();
			fclose(f);
		} else
			counter = (uint32_t)now ^ (uint32_t)getpid();
		init = 1;
	}
	pid = getpid();
	c = counter++;
	raw[0] = (uint8_t)((uint64_t)now >> 24);
	raw[1] = (uint8_t)((uint64_t)now >> 16);
	raw[2] = (uint8_t)((uint64_t)now >> 8);
	raw[3] = (uint8_t)now;
	memcpy(raw + 4, machine, 3);
	raw[7] = (uint8_t)(pid >> 8);
	raw[8] = (uint8_t)pid;
	raw[9] = (uint8_t)(c >> 16);
	raw[10] = (uint8_t)(c >> 8);
	raw[11] = (uint8_t)c;
	connid_encode(out, raw);
}
