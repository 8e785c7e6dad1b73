/* synth.h - synthetic TCP frames for the packet-path tests: Ethernet
 * (optionally VLAN-tagged), IPv4 or IPv6, TCP with options. Both ends of a
 * connection and their sequence numbers live in struct synth. */
#ifndef TCPDP_TEST_SYNTH_H
#define TCPDP_TEST_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"

struct synth {
	int		af;		/* 4 or 6 */
	int		vlan;		/* tag count */
	uint8_t		cip[16];
	uint8_t		sip[16];
	uint16_t	cport;
	uint16_t	sport;
	uint32_t	cisn;
	uint32_t	sisn;
};

static inline void
synth_v4(struct synth *s, uint16_t cport, uint16_t sport)
{
	memset(s, 0, sizeof *s);
	s->af = 4;
	s->cip[0] = 127; s->cip[3] = 1;
	s->sip[0] = 127; s->sip[3] = 2;
	s->cport = cport;
	s->sport = sport;
	s->cisn = 1000;
	s->sisn = 0xfffffff0u;	/* wraps during the test */
}

static inline void
synth_v6(struct synth *s, uint16_t cport, uint16_t sport)
{
	synth_v4(s, cport, sport);
	s->af = 6;
	memset(s->cip, 0, 16);
	memset(s->sip, 0, 16);
	s->cip[0] = 0x20; s->cip[1] = 0x01; s->cip[15] = 1;
	s->sip[0] = 0x20; s->sip[1] = 0x01; s->sip[15] = 2;
}

static inline void
synth_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
synth_put32(uint8_t *p, uint32_t v)
{
	synth_put16(p, v >> 16);
	synth_put16(p + 2, v & 0xffff);
}

/* An Ethernet frame; returns its length. seq/ack are absolute. */
static inline size_t
synth_frame(uint8_t *out, const struct synth *s, int from_client,
    uint8_t flags, uint32_t seq, uint32_t ack, const void *data, size_t n,
    const uint8_t *opts, size_t optlen)
{
	const uint8_t	*src = from_client ? s->cip : s->sip;
	const uint8_t	*dst = from_client ? s->sip : s->cip;
	size_t		 off = 12, iph, tcph = 20 + optlen;
	int		 i;

	memset(out, 0, 14);
	out[0] = 2;
	out[6] = 4;
	for (i = 0; i < s->vlan; i++) {
		synth_put16(out + off, 0x8100);
		synth_put16(out + off + 2, 100 + i);
		off += 4;
	}
	synth_put16(out + off, s->af == 4 ? 0x0800 : 0x86dd);
	off += 2;
	if (s->af == 4) {
		iph = 20;
		memset(out + off, 0, 20);
		out[off] = 0x45;
		synth_put16(out + off + 2, (unsigned)(iph + tcph + n));
		out[off + 6] = 0x40;	/* DF */
		out[off + 8] = 64;
		out[off + 9] = 6;
		memcpy(out + off + 12, src, 4);
		memcpy(out + off + 16, dst, 4);
	} else {
		iph = 40;
		memset(out + off, 0, 40);
		out[off] = 0x60;
		synth_put16(out + off + 4, (unsigned)(tcph + n));
		out[off + 6] = 6;
		out[off + 7] = 64;
		memcpy(out + off + 8, src, 16);
		memcpy(out + off + 24, dst, 16);
	}
	off += iph;
	synth_put16(out + off, from_client ? s->cport : s->sport);
	synth_put16(out + off + 2, from_client ? s->sport : s->cport);
	synth_put32(out + off + 4, seq);
	synth_put32(out + off + 8, ack);
	out[off + 12] = (uint8_t)((tcph / 4) << 4);
	out[off + 13] = flags;
	synth_put16(out + off + 14, 65535);
	out[off + 16] = out[off + 17] = out[off + 18] = out[off + 19] = 0;
	if (optlen > 0)
		memcpy(out + off + 20, opts, optlen);
	off += tcph;
	if (n > 0)
		memcpy(out + off, data, n);
	return off + n;
}

#endif
