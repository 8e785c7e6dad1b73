/* source-pcap.h - the read and probe sources (libpcap). read_main and
 * probe_main are declared in run.h. */
#ifndef TCPDP_SOURCE_PCAP_H
#define TCPDP_SOURCE_PCAP_H

#include <stdint.h>

#include "flow.h"
#include "reasm.h"

struct capture_stats {
	uint64_t	received;	/* pcap_stats: ps_recv */
	uint64_t	dropped;	/* ps_drop: kernel buffer full */
	uint64_t	if_dropped;	/* ps_ifdrop */
};

struct pcap_source_stats {
	const struct flow_stats		*flow;
	const struct reasm_stats	*reasm;
	struct capture_stats		 cap;	/* probe only */
};

/* The running source's counters, or NULL when none runs. */
const struct pcap_source_stats	*source_pcap_stats(void);

#endif
