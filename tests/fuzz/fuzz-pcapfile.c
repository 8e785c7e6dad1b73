/* fuzz-pcapfile.c - pcapfile_open/pcapfile_next on any bytes (as a file:
 * the reader maps it). Every packet must lie inside the mapping, the walk
 * must end (no record may be read twice or loop), and an error must say
 * why. pcapng's blocks, sections and interfaces are parsed here, not by
 * libpcap, so this is the reader's hostile-input test. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct pcapfile	 pf;
	char		 path[64], err[256];
	const uint8_t	*p;
	uint32_t	 caplen;
	int64_t		 ts;
	size_t		 packets = 0;
	int		 fd, rc;

	if ((fd = memfd_create("fuzz-pcapfile", 0)) < 0)
		abort();
	if (n > 0 && write(fd, data, n) != (ssize_t)n)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	err[0] = '\0';
	switch (pcapfile_open(&pf, path, err, sizeof err)) {
	case PCAPFILE_OK:
		break;
	case PCAPFILE_ERROR:
		if (err[0] == '\0')
			abort();
		/* FALLTHROUGH */
	default:
		close(fd);
		return 0;
	}
	for (;;) {
		err[0] = '\0';
		rc = pcapfile_next(&pf, &p, &caplen, &ts, err, sizeof err);
		if (rc <= 0)
			break;
		/* A packet is inside the file, and each takes at least a
		 * record header, so there are fewer packets than bytes. */
		if (p < pf.map || caplen > pf.size ||
		    (size_t)(p - pf.map) > pf.size - caplen)
			abort();
		if (++packets > n)
			abort();
	}
	if (rc < 0 && err[0] == '\0')
		abort();
	pcapfile_close(&pf);
	close(fd);
	return 0;
}
