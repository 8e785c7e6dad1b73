/* fuzz-pcapfile.c - pcapfile_open/pcapfile_next on any bytes, as a file
 * (the reader maps it) and as a pipe (it streams it), which must agree. Every packet must lie inside the mapping, the walk
 * must end (no record may be read twice or loop), and an error must say
 * why. pcapng's blocks, sections and interfaces are parsed here, not by
 * libpcap, so this is the reader's hostile-input test. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <fcntl.h>
#include <unistd.h>

#include "pcapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Reads path to its end; what it saw, as a hash of every packet (length,
 * time, link type, bytes) and of how it ended. */
static uint64_t
fz_walk(const char *path, size_t n)
{
	struct pcapfile	 pf;
	char		 err[256];
	const uint8_t	*p;
	uint32_t	 caplen, i;
	int64_t		 ts;
	size_t		 packets = 0;
	uint64_t	 h = 1469598103934665603ULL;
	int		 rc;

#define FZ_MIX(v)	(h = (h ^ (uint64_t)(v)) * 1099511628211ULL)
	err[0] = '\0';
	rc = (int)pcapfile_open(&pf, path, err, sizeof err);
	if (rc == PCAPFILE_ERROR && err[0] == '\0')
		abort();
	if (rc != PCAPFILE_OK) {
		pcapfile_close(&pf);
		return (uint64_t)rc;
	}
	for (;;) {
		err[0] = '\0';
		rc = pcapfile_next(&pf, &p, &caplen, &ts, err, sizeof err);
		if (rc <= 0)
			break;
		/* A packet is inside the buffer, and each takes at least a
		 * record header, so there are fewer packets than bytes. */
		if (p < pf.map || caplen > pf.size ||
		    (size_t)(p - pf.map) > pf.size - caplen)
			abort();
		if (++packets > n)
			abort();
		FZ_MIX(caplen);
		FZ_MIX(ts);
		FZ_MIX(pf.dlt_cur);
		for (i = 0; i < caplen; i++)
			FZ_MIX(p[i]);
	}
	if (rc < 0 && err[0] == '\0')
		abort();
	FZ_MIX(rc);
	for (i = 0; err[i] != '\0'; i++)
		FZ_MIX(err[i]);
	pcapfile_close(&pf);
	return h;
}

/* The same bytes as a file (mapped) and, when a pipe holds them, as a
 * stream: both walks must see the same. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char		 path[64];
	uint64_t	 a, b;
	int		 fd, fds[2];

	if ((fd = memfd_create("fuzz-pcapfile", 0)) < 0)
		abort();
	if (n > 0 && write(fd, data, n) != (ssize_t)n)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	a = fz_walk(path, n);
	close(fd);
	if (pipe(fds) == -1)
		abort();
	if (fcntl(fds[1], F_SETPIPE_SZ, 1 << 20) >= (int)n &&
	    (n == 0 || write(fds[1], data, n) == (ssize_t)n)) {
		close(fds[1]);
		fds[1] = -1;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
		b = fz_walk(path, n);
		if (a != b)
			abort();
	}
	close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	return 0;
}
