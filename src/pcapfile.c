/* pcapfile.c - classic pcap files read without libpcap (see pcapfile.h). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapfile.h"
#include "xmalloc.h"
#include "pkt.h"

#define PCAPFILE_HDR		24
#define PCAPFILE_REC		16
#define PCAPFILE_MAXSNAP	262144	/* libpcap's largest for our types */
/* Read this much at a time: large enough that the calls cost nothing
 * per packet, small enough to stay in the cache the parser reads it from. */
#define PCAPFILE_CHUNK		(1u << 20)
#define PCAPFILE_BUF		(PCAPFILE_CHUNK + PCAPFILE_MAXSNAP + PCAPFILE_REC)

#define MAGIC_US	0xa1b2c3d4u
#define MAGIC_NS	0xa1b23c4du

static uint32_t
pf_u32(const struct pcapfile *pf, const uint8_t *p)
{
	uint32_t	v;

	memcpy(&v, p, sizeof v);
	return pf->swap ? __builtin_bswap32(v) : v;
}

/* Link types as files name them, to the DLT values pkt.c parses. The
 * others go to libpcap, which maps and names them. */
static int
pf_dlt(uint32_t linktype)
{
	switch (linktype & 0x03ffffffu) {	/* high bits: FCS length */
	case 0:		return PKT_DLT_NULL;
	case 1:		return PKT_DLT_EN10MB;
	case 101:	return PKT_DLT_LINKTYPE_RAW;
	case 108:	return PKT_DLT_LOOP;
	case 113:	return PKT_DLT_LINUX_SLL;
	case 228:	return PKT_DLT_IPV4;
	case 229:	return PKT_DLT_IPV6;
	case 276:	return PKT_DLT_LINUX_SLL2;
	default:	return -1;
	}
}

bool
pcapfile_header(struct pcapfile *pf, const uint8_t *p, size_t n)
{
	uint32_t	magic;

	if (n < PCAPFILE_HDR)
		return false;
	memcpy(&magic, p, sizeof magic);
	pf->swap = false;
	if (magic == __builtin_bswap32(MAGIC_US) ||
	    magic == __builtin_bswap32(MAGIC_NS)) {
		pf->swap = true;
		magic = __builtin_bswap32(magic);
	}
	if (magic != MAGIC_US && magic != MAGIC_NS)
		return false;
	pf->nsec = magic == MAGIC_NS;
	/* Only version 2.4 (2.3 differs in caplen/len order, and nothing
	 * writes it any more). */
	if ((pf->swap ? p[4] << 8 | p[5] : p[5] << 8 | p[4]) != 2 ||
	    (pf->swap ? p[6] << 8 | p[7] : p[7] << 8 | p[6]) != 4)
		return false;
	pf->snaplen = pf_u32(pf, p + 16);
	if (pf->snaplen == 0 || pf->snaplen > PCAPFILE_MAXSNAP)
		pf->snaplen = PCAPFILE_MAXSNAP;
	pf->dlt = pf_dlt(pf_u32(pf, p + 20));
	return pf->dlt != -1;
}

/* Moves the unread bytes to the front and reads more behind them, until
 * the buffer is full or the file ends. -1 with err set on a read error. */
static int
pf_fill(struct pcapfile *pf, char *err, size_t errlen)
{
	ssize_t	n;

	if (pf->off > 0) {
		memmove(pf->buf, pf->buf + pf->off, pf->len - pf->off);
		pf->len -= pf->off;
		pf->off = 0;
	}
	while (!pf->eof && pf->len < PCAPFILE_BUF) {
		n = read(pf->fd, pf->buf + pf->len, PCAPFILE_BUF - pf->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "error reading dump file: %s",
			    strerror(errno));
			return -1;
		}
		if (n == 0) {
			pf->eof = true;
			/* Less than fstat said at the open: cut under us
			 * (copytruncate), not a capture that ends here. */
			pf->shrank = pf->pos < pf->size;
		}
		pf->len += (size_t)n;
		pf->pos += (uint64_t)n;
	}
	return 0;
}

enum pcapfile_open
pcapfile_open(struct pcapfile *pf, const char *path, char *err,
    size_t errlen)
{
	struct stat	st;
	uint8_t		hdr[PCAPFILE_HDR];
	ssize_t		n;

	memset(pf, 0, sizeof *pf);
	pf->fd = -1;
	if (path == NULL || strcmp(path, "-") == 0)
		return PCAPFILE_FALLBACK;
	if ((pf->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return PCAPFILE_ERROR;
	}
	if (fstat(pf->fd, &st) == -1 || !S_ISREG(st.st_mode))
		goto fallback;
	do
		n = pread(pf->fd, hdr, sizeof hdr, 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof hdr || !pcapfile_header(pf, hdr, sizeof hdr))
		goto fallback;
	if (lseek(pf->fd, PCAPFILE_HDR, SEEK_SET) != PCAPFILE_HDR)
		goto fallback;
	(void)posix_fadvise(pf->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	pf->size = (uint64_t)st.st_size;
	pf->pos = PCAPFILE_HDR;
	pf->buf = xmalloc(PCAPFILE_BUF);
	return PCAPFILE_OK;
fallback:
	close(pf->fd);
	pf->fd = -1;
	return PCAPFILE_FALLBACK;
}

int
pcapfile_next(struct pcapfile *pf, const uint8_t **p, uint32_t *caplen,
    int64_t *ts_us, char *err, size_t errlen)
{
	const uint8_t	*h;
	size_t		 left = pf->len - pf->off;
	uint32_t	 cap, sec, frac;

	if (left < PCAPFILE_REC) {
		if (pf_fill(pf, err, errlen) == -1)
			return -1;
		left = pf->len;
		if (pf->shrank && left < PCAPFILE_REC) {
			snprintf(err, errlen, "the file shrank while it was "
			    "read");
			pf->off = pf->len;
			return -1;
		}
		if (left == 0)
			return 0;
		if (left < PCAPFILE_REC) {
			snprintf(err, errlen, "truncated dump file; tried to "
			    "read %d header bytes, only got %zu", PCAPFILE_REC,
			    left);
			pf->off = pf->len;
			return -1;
		}
	}
	h = pf->buf + pf->off;
	cap = pf_u32(pf, h + 8);
	if (cap > PCAPFILE_MAXSNAP) {
		snprintf(err, errlen, "invalid packet capture length %u, "
		    "bigger than maximum of %u", cap, PCAPFILE_MAXSNAP);
		return -1;
	}
	if (cap > left - PCAPFILE_REC) {
		if (pf_fill(pf, err, errlen) == -1)
			return -1;
		h = pf->buf;
		left = pf->len;
		if (cap > left - PCAPFILE_REC && pf->shrank) {
			snprintf(err, errlen, "the file shrank while it was "
			    "read");
			pf->off = pf->len;
			return -1;
		}
		if (cap > left - PCAPFILE_REC) {
			snprintf(err, errlen, "truncated dump file; tried to "
			    "read %u captured bytes, only got %zu", cap,
			    left - PCAPFILE_REC);
			pf->off = pf->len;
			return -1;
		}
	}
	sec = pf_u32(pf, h);
	frac = pf_u32(pf, h + 4);
	*p = h + PCAPFILE_REC;
	/* Like libpcap: bytes beyond the file's snaplen are not handed on. */
	*caplen = cap > pf->snaplen ? pf->snaplen : cap;
	*ts_us = (int64_t)sec * 1000000 + (pf->nsec ? frac / 1000 : frac);
	pf->off += PCAPFILE_REC + cap;
	return 1;
}

void
pcapfile_close(struct pcapfile *pf)
{
	if (pf->fd != -1)
		close(pf->fd);
	free(pf->buf);
	pf->buf = NULL;
	pf->fd = -1;
}
