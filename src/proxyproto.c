/* proxyproto.c - HAProxy PROXY protocol v1/v2 header parser (SPEC §1.12).
 *
 * Everything here reads at most `n` bytes of the buffer it is given: a
 * header cut short answers PP_MORE so the caller can wait for more bytes,
 * and the v1 line is bounded to 107 bytes as the protocol defines, so a
 * peer that never sends CRLF costs a bounded amount and then an error
 * (upstream crashes on it). */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "proxyproto.h"
#include "rd.h"

#define PP_V1_MAX	107	/* longest v1 line, CRLF included */
#define PP_V2_HDR	16

static const uint8_t pp_v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};
static const char pp_v1_sig[] = "PROXY ";

/* 1 if p[0..n) equals the first n bytes of sig (n < siglen). */
static int
pp_prefix(const uint8_t *p, size_t n, const void *sig, size_t siglen)
{
	if (n > siglen)
		n = siglen;
	return memcmp(p, sig, n) == 0;
}

static enum pp_status
pp_error(struct pp_result *r, const char *why)
{
	r->len = 0;
	r->has_addr = 0;
	r->src[0] = r->dst[0] = '\0';
	r->err = why;
	return PP_ERROR;
}

/* Decimal port, 1 to 5 digits, at most 65535. */
static int
pp_port(const char *s, size_t n, unsigned *port)
{
	unsigned	v = 0;
	size_t		i;

	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = v;
	return 0;
}

/* One v1 address field: parsed with inet_pton into addr (sized for v6). */
static int
pp_v1_addr(int af, const char *s, size_t n, void *addr)
{
	char	tmp[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(af, tmp, addr) == 1 ? 0 : -1;
}

static enum pp_status
pp_v1(const uint8_t *p, size_t n, struct pp_result *r)
{
	const char	*line = (const char *)p;
	const char	*f[8];
	size_t		 fl[8];
	size_t		 end, i, start, nf;
	/* The CR must leave room for the LF within PP_V1_MAX bytes. */
	size_t		 lim = n < PP_V1_MAX - 1 ? n : PP_V1_MAX - 1;
	unsigned	 sport, dport;
	uint8_t		 sa[16], da[16];
	int		 af;

	for (end = 0; end < lim; end++) {
		if (p[end] == '\r')
			break;
		if (p[end] == '\n' || p[end] == '\0')
			return pp_error(r, "PROXY v1 header: bad character");
	}
	if (end == lim)
		return n < PP_V1_MAX - 1 ? PP_MORE :
		    pp_error(r, "PROXY v1 header: no CRLF within 107 bytes");
	if (end + 1 >= n)
		return PP_MORE;
	if (p[end + 1] != '\n')
		return pp_error(r, "PROXY v1 header: CR without LF");
	r->len = end + 2;

	/* Fields separated by single spaces; an empty field is an error. */
	nf = 0;
	for (start = 0, i = 0; i <= end; i++) {
		if (i < end && line[i] != ' ')
			continue;
		if (nf == 8)
			return pp_error(r, "PROXY v1 header: too many fields");
		f[nf] = line + start;
		fl[nf++] = i - start;
		start = i + 1;
	}
	/* "PROXY UNKNOWN" may carry anything after it: no usable address. */
	if (nf >= 2 && fl[1] == 7 && memcmp(f[1], "UNKNOWN", 7) == 0)
		return PP_OK;
	for (i = 0; i < nf; i++)
		if (fl[i] == 0)
			return pp_error(r, "PROXY v1 header: empty field");
	if (nf != 6)
		return pp_error(r, "PROXY v1 header: expected 6 fields");
	if (fl[1] == 4 && memcmp(f[1], "TCP4", 4) == 0)
		af = AF_INET;
	else if (fl[1] == 4 && memcmp(f[1], "TCP6", 4) == 0)
		af = AF_INET6;
	else
		return pp_error(r, "PROXY v1 header: unknown protocol");
	if (pp_v1_addr(af, f[2], fl[2], sa) != 0 ||
	    pp_v1_addr(af, f[3], fl[3], da) != 0)
		return pp_error(r, "PROXY v1 header: bad address");
	if (pp_port(f[4], fl[4], &sport) != 0 ||
	    pp_port(f[5], fl[5], &dport) != 0)
		return pp_error(r, "PROXY v1 header: bad port");
	addr_fmt(r->src, ADDR_STRLEN, af, sa, sport);
	addr_fmt(r->dst, ADDR_STRLEN, af, da, dport);
	r->has_addr = 1;
	return PP_OK;
}

/* A unix socket path: NULs trimmed, non-printable bytes shown as '?',
 * cut to what fits. */
static void
pp_unix(char *out, const uint8_t *path)
{
	size_t	i, len = 108;

	while (len > 0 && path[len - 1] == '\0')
		len--;
	if (len > ADDR_STRLEN - 1)
		len = ADDR_STRLEN - 1;
	for (i = 0; i < len; i++)
		out[i] = path[i] >= 0x20 && path[i] < 0x7f ? (char)path[i] : '?';
	out[len] = '\0';
}

static enum pp_status
pp_v2(const uint8_t *p, size_t n, struct pp_result *r)
{
	struct rd	 rd;
	uint8_t		 vc, fam;
	uint16_t	 alen;
	const uint8_t	*a;

	if (n < PP_V2_HDR)
		return PP_MORE;
	rd_init(&rd, p, n);
	rd_skip(&rd, sizeof pp_v2_sig);
	vc = rd_u8(&rd);
	fam = rd_u8(&rd);
	alen = rd_be16(&rd);
	if ((vc >> 4) != 2)
		return pp_error(r, "PROXY v2 header: unexpected version");
	if ((vc & 0x0f) > 1)
		return pp_error(r, "PROXY v2 header: unexpected command");
	if ((fam >> 4) > 3 || (fam & 0x0f) > 2)
		return pp_error(r, "PROXY v2 header: unsupported family");
	if (n - PP_V2_HDR < alen)
		return PP_MORE;
	r->len = PP_V2_HDR + (size_t)alen;

	/* LOCAL (health checks) and UNSPEC carry no usable address; the
	 * address block and any TLVs are skipped by the length field. */
	if ((vc & 0x0f) == 0 || (fam >> 4) == 0)
		return PP_OK;
	a = p + PP_V2_HDR;	/* alen bytes are there: checked above */
	switch (fam >> 4) {
	case 1:
		if (alen < 12)
			return pp_error(r, "PROXY v2 header: short IPv4 block");
		addr_fmt(r->src, ADDR_STRLEN, AF_INET, a,
		    (unsigned)(a[8] << 8 | a[9]));
		addr_fmt(r->dst, ADDR_STRLEN, AF_INET, a + 4,
		    (unsigned)(a[10] << 8 | a[11]));
		break;
	case 2:
		if (alen < 36)
			return pp_error(r, "PROXY v2 header: short IPv6 block");
		addr_fmt(r->src, ADDR_STRLEN, AF_INET6, a,
		    (unsigned)(a[32] << 8 | a[33]));
		addr_fmt(r->dst, ADDR_STRLEN, AF_INET6, a + 16,
		    (unsigned)(a[34] << 8 | a[35]));
		break;
	default:
		if (alen < 216)
			return pp_error(r, "PROXY v2 header: short unix block");
		pp_unix(r->src, a);
		pp_unix(r->dst, a + 108);
		break;
	}
	r->has_addr = 1;
	return PP_OK;
}

enum pp_status
pp_parse(const uint8_t *p, size_t n, struct pp_result *r)
{
	r->len = 0;
	r->has_addr = 0;
	r->src[0] = r->dst[0] = '\0';
	r->err = NULL;
	if (n == 0)
		return PP_MORE;
	if (pp_prefix(p, n, pp_v1_sig, sizeof pp_v1_sig - 1)) {
		if (n < sizeof pp_v1_sig - 1)
			return PP_MORE;
		return pp_v1(p, n, r);
	}
	if (pp_prefix(p, n, pp_v2_sig, sizeof pp_v2_sig)) {
		if (n < sizeof pp_v2_sig)
			return PP_MORE;
		return pp_v2(p, n, r);
	}
	return PP_NONE;
}
