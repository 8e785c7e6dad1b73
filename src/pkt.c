/* pkt.c - frame parsing: link layer, IP, TCP (headers only, bounded). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pkt.h"
#include "rd.h"

#define ETH_IPV4	0x0800
#define ETH_IPV6	0x86dd
#define ETH_VLAN	0x8100
#define ETH_QINQ	0x88a8
#define ETH_QINQ_OLD	0x9100
#define MAX_VLAN	4	/* stacked tags followed before giving up */
#define MAX_V6_EXT	8	/* IPv6 extension headers followed */

bool
pkt_dlt_supported(int dlt)
{
	switch (dlt) {
	case PKT_DLT_NULL:
	case PKT_DLT_EN10MB:
	case PKT_DLT_RAW:
	case PKT_DLT_RAW_BSD:
	case PKT_DLT_LINKTYPE_RAW:
	case PKT_DLT_LOOP:
	case PKT_DLT_LINUX_SLL:
	case PKT_DLT_IPV4:
	case PKT_DLT_IPV6:
	case PKT_DLT_LINUX_SLL2:
	case PKT_DLT_PKTAP:
		return true;
	}
	return false;
}

/* Walks the TCP options; only MSS is kept. A length byte that is absent,
 * below 2 or runs past the header ends the walk and flags the packet;
 * with cut (the snap length ended the header early) running past n only
 * ends the walk. */
static void
pkt_tcp_options(struct pkt *pk, const uint8_t *o, size_t n, bool cut)
{
	size_t	i = 0, len;

	/* Linux's NOP, NOP, timestamps on every established segment. */
	if (n == 12 && o[0] == 1 && o[1] == 1 && o[2] == 8 && o[3] == 10)
		return;
	while (i < n) {
		switch (o[i]) {
		case 0:
			return;
		case 1:
			i++;
			continue;
		}
		if (cut && (i + 1 >= n || i + o[i + 1] > n))
			return;
		if (i + 1 >= n || (len = o[i + 1]) < 2 || i + len > n) {
			pk->opts_bad = true;
			return;
		}
		if (o[i] == 2 && len == 4)
			pk->mss = o[i + 2] << 8 | o[i + 3];
		i += len;
	}
}

/* p..p+n is what the IP header says is TCP (capped to what was captured);
 * wire is the TCP length the IP header claims. */
static enum pkt_res
pkt_parse_tcp(struct pkt *pk, const uint8_t *p, size_t n, size_t wire)
{
	struct rd	r;
	size_t		hlen;

	rd_init(&r, p, n);
	pk->sport = rd_be16(&r);
	pk->dport = rd_be16(&r);
	pk->seq = rd_be32(&r);
	pk->ack = rd_be32(&r);
	hlen = (size_t)(rd_u8(&r) >> 4) * 4;
	pk->flags = rd_u8(&r);
	if (!rd_ok(&r))
		return wire >= 20 ? PKT_TRUNC : PKT_BAD;
	if (hlen < 20 || hlen > wire)
		return PKT_BAD;
	pk->mss = -1;
	pk->opts_bad = false;
	pk->wire_len = (uint32_t)(wire - hlen);
	if (n < 20)
		return PKT_TRUNC;	/* window and checksum: not needed,
					 * but a header cut short of them is
					 * no header */
	if (hlen > n) {
		/* A snap length of 60 or so cuts the options (timestamps
		 * alone make the header 32 bytes): ports, sequence numbers
		 * and flags are whole, so the SYN, FIN and RST still count
		 * and the payload is a gap of known length. The MSS is kept
		 * when it was captured whole. */
		pkt_tcp_options(pk, p + 20, n - 20, true);
		pk->payload = p + n;
		pk->len = 0;
		return PKT_OK;
	}
	pkt_tcp_options(pk, p + 20, hlen - 20, false);
	pk->payload = p + hlen;
	pk->len = (uint32_t)(n - hlen);
	return PKT_OK;
}

static enum pkt_res
pkt_parse_ip4(struct pkt *pk, const uint8_t *p, size_t n)
{
	size_t	hlen, tot;

	if (n < 20)
		return PKT_TRUNC;
	hlen = (size_t)(p[0] & 0x0f) * 4;
	tot = (size_t)p[2] << 8 | p[3];
	/* Total length 0: a segment larger than 64 KB (Linux's IPv4 BIG TCP,
	 * captures of TSO hardware) takes what was captured, as IPv6
	 * jumbograms below and Wireshark do. */
	if (tot == 0)
		tot = n;
	if (hlen < 20 || tot < hlen)
		return PKT_BAD;
	if (hlen > n)
		return PKT_TRUNC;
	if (p[9] != 6)
		return PKT_SKIP;
	/* More-fragments set or a non-zero offset. */
	if ((p[6] & 0x20) != 0 || ((p[6] & 0x1f) | p[7]) != 0)
		return PKT_FRAG;
	pk->af = 4;
	memset(pk->src, 0, sizeof pk->src);
	memset(pk->dst, 0, sizeof pk->dst);
	memcpy(pk->src, p + 12, 4);
	memcpy(pk->dst, p + 16, 4);
	/* Ethernet padding lies beyond tot; a snap length cut lies before. */
	return pkt_parse_tcp(pk, p + hlen, (tot < n ? tot : n) - hlen,
	    tot - hlen);
}

static enum pkt_res
pkt_parse_ip6(struct pkt *pk, const uint8_t *p, size_t n)
{
	size_t	off = 40, plen, end, elen;
	int	nh, i;

	if (n < 40)
		return PKT_TRUNC;
	plen = (size_t)p[4] << 8 | p[5];
	nh = p[6];
	/* Jumbograms (length 0) take what was captured. */
	end = plen == 0 ? n : 40 + plen;
	for (i = 0; i < MAX_V6_EXT && nh != 6; i++) {
		switch (nh) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (off + 8 > n)
				return PKT_TRUNC;
			elen = ((size_t)p[off + 1] + 1) * 8;
			nh = p[off];
			break;
		case 44:	/* fragment */
			if (off + 8 > n)
				return PKT_TRUNC;
			if (((p[off + 2] << 8 | p[off + 3]) & 0xfff9) != 0)
				return PKT_FRAG;
			elen = 8;
			nh = p[off];
			break;
		default:
			return PKT_SKIP;
		}
		off += elen;
		if (off > end)
			return PKT_BAD;
	}
	if (nh != 6)
		return PKT_SKIP;
	if (off > n)
		return PKT_TRUNC;	/* extension headers ran past the capture */
	pk->af = 6;
	memcpy(pk->src, p + 8, 16);
	memcpy(pk->dst, p + 24, 16);
	return pkt_parse_tcp(pk, p + off, (end < n ? end : n) - off,
	    end - off);
}

enum pkt_res
pkt_parse_ip(struct pkt *pk, const uint8_t *p, size_t n)
{
	if (n < 1)
		return PKT_TRUNC;
	switch (p[0] >> 4) {
	case 4:
		return pkt_parse_ip4(pk, p, n);
	case 6:
		return pkt_parse_ip6(pk, p, n);
	}
	return PKT_SKIP;
}

/* What follows an EtherType: VLAN tags (802.1Q, 802.1ad) are walked over
 * here for every link layer, since libpcap puts the tag the kernel took
 * off back in after Linux cooked headers too (protocol 0x8100, then the
 * tag) for `-i any`. */
static enum pkt_res
pkt_ethertype(struct pkt *pk, unsigned type, const uint8_t *p, size_t n)
{
	size_t	off = 0;
	int	i;

	for (i = 0; i < MAX_VLAN && (type == ETH_VLAN || type == ETH_QINQ ||
	    type == ETH_QINQ_OLD); i++) {
		if (off + 4 > n)
			return PKT_TRUNC;
		type = (unsigned)p[off + 2] << 8 | p[off + 3];
		off += 4;
	}
	switch (type) {
	case ETH_IPV4:
	case ETH_IPV6:
		return pkt_parse_ip(pk, p + off, n - off);
	}
	return PKT_SKIP;
}

/* macOS's PKTAP (tcpdump -i any, -k): a header that gives its own length
 * and the link type of the packet behind it. Its fields are in the
 * capturing host's order: little-endian on every Mac. */
static enum pkt_res
pkt_parse_pktap(struct pkt *pk, const uint8_t *p, size_t n)
{
	struct rd	r;
	uint32_t	hl, type, dlt;

	rd_init(&r, p, n);
	hl = rd_le32(&r);
	type = rd_le32(&r);
	dlt = rd_le32(&r);
	if (!rd_ok(&r))
		return PKT_TRUNC;
	if (type != 1)		/* PTH_TYPE_PACKET; others carry no packet */
		return PKT_SKIP;
	if (hl < 12)
		return PKT_BAD;
	if (hl > n)
		return PKT_TRUNC;
	/* one level: a PKTAP inside a PKTAP is not a packet */
	if (dlt == PKT_DLT_PKTAP || !pkt_dlt_supported((int)dlt))
		return PKT_SKIP;
	return pkt_parse(pk, (int)dlt, p + hl, n - hl);
}

enum pkt_res
pkt_parse(struct pkt *pk, int dlt, const uint8_t *p, size_t n)
{
	unsigned	type;

	switch (dlt) {
	case PKT_DLT_EN10MB:
		if (n < 14)
			return PKT_TRUNC;
		type = (unsigned)p[12] << 8 | p[13];
		return pkt_ethertype(pk, type, p + 14, n - 14);
	case PKT_DLT_NULL:
	case PKT_DLT_LOOP:
		/* The family is in the capturing host's byte order (NULL)
		 * or network order (LOOP), and differs per OS for IPv6:
		 * the IP version nibble decides. */
		if (n < 4)
			return PKT_TRUNC;
		return pkt_parse_ip(pk, p + 4, n - 4);
	case PKT_DLT_LINUX_SLL:
		if (n < 16)
			return PKT_TRUNC;
		type = (unsigned)p[14] << 8 | p[15];
		return pkt_ethertype(pk, type, p + 16, n - 16);
	case PKT_DLT_LINUX_SLL2:
		if (n < 20)
			return PKT_TRUNC;
		type = (unsigned)p[0] << 8 | p[1];
		return pkt_ethertype(pk, type, p + 20, n - 20);
	case PKT_DLT_RAW:
	case PKT_DLT_RAW_BSD:
	case PKT_DLT_LINKTYPE_RAW:
	case PKT_DLT_IPV4:
	case PKT_DLT_IPV6:
		return pkt_parse_ip(pk, p, n);
	case PKT_DLT_PKTAP:
		return pkt_parse_pktap(pk, p, n);
	}
	return PKT_SKIP;
}
