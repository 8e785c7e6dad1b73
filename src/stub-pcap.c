/* stub-pcap.c - temporary: replaced by source-pcap.c (delete this file
 * when read_main/probe_main land). */
#include <stdio.h>

#include "run.h"

int
read_main(struct run *r)
{
	(void)r;
	fprintf(stderr, "tcpdp-top: read: not built yet\n");
	return 1;
}

int
probe_main(struct run *r)
{
	(void)r;
	fprintf(stderr, "tcpdp-top: probe: not built yet\n");
	return 1;
}
