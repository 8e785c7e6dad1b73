/* pkt.h - link layer, IPv4/IPv6 and TCP header parsing of one captured
 * frame. Nothing here is trusted: every length is checked against what
 * was captured and what the headers claim. */
#ifndef TCPDP_PKT_H
#define TCPDP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Link types (libpcap DLT_ values; kept here so only source-pcap.c
 * includes pcap.h). */
#define PKT_DLT_NULL		0
#define PKT_DLT_EN10MB		1
#define PKT_DLT_RAW		12
#define PKT_DLT_RAW_BSD		14
#define PKT_DLT_LINKTYPE_RAW	101
#define PKT_DLT_LOOP		108
#define PKT_DLT_LINUX_SLL	113
#define PKT_DLT_IPV4		228
#define PKT_DLT_IPV6		229
#define PKT_DLT_PKTAP		258	/* LINKTYPE_PKTAP: macOS -i any, -k */
#define PKT_DLT_LINUX_SLL2	276

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PUSH	0x08
#define TH_ACK	0x10

enum pkt_res {
	PKT_OK,
	PKT_SKIP,	/* not TCP over IP (ARP, UDP, ...): ignored */
	PKT_FRAG,	/* an IP fragment: not reassembled */
	PKT_TRUNC,	/* IP or fixed TCP header cut by the snap length (TCP
			 * options cut give PKT_OK with no payload) */
	PKT_BAD,	/* malformed headers */
};

struct pkt {
	int		 af;		/* 4 or 6 */
	uint8_t		 src[16];	/* IPv4 in the first 4 bytes */
	uint8_t		 dst[16];
	uint16_t	 sport;
	uint16_t	 dport;
	uint32_t	 seq;
	uint32_t	 ack;
	uint8_t		 flags;
	int		 mss;		/* MSS option, -1 if absent */
	bool		 opts_bad;	/* option lengths did not add up */
	const uint8_t	*payload;	/* captured payload */
	uint32_t	 len;		/* captured payload bytes */
	uint32_t	 wire_len;	/* payload bytes the IP header claims */
};

bool		 pkt_dlt_supported(int dlt);
enum pkt_res	 pkt_parse(struct pkt *, int dlt, const uint8_t *, size_t caplen);
/* From the IP header on. */
enum pkt_res	 pkt_parse_ip(struct pkt *, const uint8_t *, size_t);
/* "a.b.c.d:port" or "[v6]:port". */

#endif
