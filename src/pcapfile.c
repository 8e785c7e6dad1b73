/* pcapfile.c - pcap and pcapng files read in place (see pcapfile.h). */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapfile.h"
#include "pkt.h"
#include "xmalloc.h"

#define PCAPFILE_HDR		24
#define PCAPFILE_REC		16
#define PCAPFILE_MAXSNAP	262144	/* libpcap's largest for our types */
/* Pages behind the reader are handed back this often: mapped pages count
 * in the process's RSS, which must not grow with the capture's size. */
#define PCAPFILE_RELEASE	(4u << 20)

#define PCAPFILE_AHEAD		2048	/* bytes prefetched ahead */
#define PCAPFILE_CHUNK		(1u << 20)	/* a stream's first buffer */

#define MAGIC_US	0xa1b2c3d4u
#define MAGIC_NS	0xa1b23c4du

#define NG_SHB		0x0a0d0d0au	/* section header: same both orders */
#define NG_IDB		1u		/* interface description */
#define NG_OPB		2u		/* packet (obsolete) */
#define NG_SPB		3u		/* simple packet */
#define NG_EPB		6u		/* enhanced packet */
#define NG_BOM		0x1a2b3c4du
#define NG_MAXBLOCK	(16u << 20)	/* libpcap's largest block */
#define NG_MAXIFS	65536		/* interfaces in a section */
#define NG_MAXSEC	((int64_t)UINT32_MAX)	/* classic pcap's range */
/* A stream whose first interface is not within this many bytes goes to
 * libpcap: what was read to decide is kept in memory until then. */
#define NG_MAXPROBE	(2 * NG_MAXBLOCK)

/*
 * A file that shrinks under the mapping (copytruncate, an editor) makes
 * every access past its new end raise SIGBUS. The handler puts a page of
 * zeros there, so the access goes on and reads zeros, and the next
 * pcapfile_next ends the read with an error. Only one mapped file is read
 * at a time.
 */
static const uint8_t		*pf_bus_lo, *pf_bus_hi;
static uintptr_t		 pf_bus_page;	/* sysconf is not for handlers */
static volatile sig_atomic_t	 pf_bus_hit;
static struct sigaction		 pf_bus_old;

static void
pf_bus(int sig, siginfo_t *si, void *uc)
{
	const uint8_t	*a = si->si_addr;
	uintptr_t	 page = pf_bus_page;

	(void)uc;
	if (a >= pf_bus_lo && a < pf_bus_hi &&
	    mmap((void *)((uintptr_t)a & ~(page - 1)), page, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
		pf_bus_hit = 1;
		return;
	}
	/* Not ours: what SIGBUS would have done. */
	sigaction(sig, &pf_bus_old, NULL);
	raise(sig);
}

static void
pf_bus_guard(const struct pcapfile *pf)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = pf_bus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	pf_bus_page = (uintptr_t)sysconf(_SC_PAGESIZE);
	pf_bus_lo = pf->map;
	pf_bus_hi = pf->map + pf->size;
	pf_bus_hit = 0;
	sigaction(SIGBUS, &sa, &pf_bus_old);
}

static uint32_t
pf_u32(const struct pcapfile *pf, const uint8_t *p)
{
	uint32_t	v;

	memcpy(&v, p, sizeof v);
	return pf->swap ? __builtin_bswap32(v) : v;
}

static uint16_t
pf_u16(const struct pcapfile *pf, const uint8_t *p)
{
	uint16_t	v;

	memcpy(&v, p, sizeof v);
	return pf->swap ? __builtin_bswap16(v) : v;
}

/*
 * A stream's bytes: at least need of them from off when the input has
 * them (fewer at its end or after a read error); returns how many there
 * are. A file's mapping has all of them already. The buffer moves, so
 * pointers into it are taken again after a call.
 */
static size_t
pf_fill(struct pcapfile *pf, size_t need)
{
	struct pollfd	 pfd;
	size_t		 ncap;
	ssize_t		 n;

	if (pf->off > 0 && pf->cap - pf->off < need) {
		memmove(pf->buf, pf->buf + pf->off, pf->size - pf->off);
		pf->size -= pf->off;
		pf->released = pf->ahead = 0;
		pf->off = 0;
	}
	if (pf->cap < need) {
		for (ncap = pf->cap; ncap < need; ncap *= 2)
			;
		pf->buf = xrealloc(pf->buf, ncap);
		pf->cap = ncap;
	}
	pf->map = pf->buf;
	while (pf->size - pf->off < need && !pf->eof) {
		if (pf->idle != NULL) {
			pfd.fd = pf->fd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 0) == 0)
				pf->idle(pf->idle_arg);
		}
		n = read(pf->fd, pf->buf + pf->size, pf->cap - pf->size);
		if (n > 0)
			pf->size += (size_t)n;
		else if (n == 0)
			pf->eof = true;
		else if (errno != EINTR) {
			pf->rerr = errno;
			pf->eof = true;
		}
	}
	return pf->size - pf->off;
}

static inline size_t
pf_avail(struct pcapfile *pf, size_t need)
{
	size_t	left = pf->size - pf->off;

	return left >= need || !pf->stream ? left : pf_fill(pf, need);
}

/* The end of a stream that a read error cut says so, not "truncated". */
static int
pf_short(const struct pcapfile *pf, char *err, size_t errlen)
{
	if (pf->rerr != 0)
		snprintf(err, errlen, "error reading dump file: %s",
		    strerror(pf->rerr));
	return -1;
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
	case 258:	return PKT_DLT_PKTAP;
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

/* ---- pcapng ---- */

/* An interface description: its link type, snap length and timestamp
 * options (if_tsresol, if_tsoffset); b..b+n is the block's body. */
static void
ng_idb(struct pcapfile *pf, const uint8_t *b, size_t n)
{
	struct pcapfile_if	*fi;
	size_t			 o = 8, olen;
	uint16_t		 code;
	uint8_t			 res;
	int			 i;

	if (pf->nifs >= NG_MAXIFS)
		return;
	if (pf->nifs % 16 == 0)
		pf->ifs = xreallocarray(pf->ifs, pf->nifs + 16,
		    sizeof *pf->ifs);
	fi = &pf->ifs[pf->nifs++];
	fi->dlt = pf_dlt(pf_u16(pf, b));
	fi->snaplen = pf_u32(pf, b + 4);
	if (fi->snaplen == 0 || fi->snaplen > PCAPFILE_MAXSNAP)
		fi->snaplen = PCAPFILE_MAXSNAP;
	fi->units = 1000000;
	fi->offset_s = 0;
	while (o + 4 <= n) {
		code = pf_u16(pf, b + o);
		olen = pf_u16(pf, b + o + 2);
		o += 4;
		if (code == 0 || o + olen > n)
			break;
		if (code == 9 && olen >= 1) {
			/* 10^-x, or 2^-x with the top bit; beyond what 64
			 * bits hold the default stays. */
			res = b[o];
			if ((res & 0x80) != 0 && (res & 0x7f) < 64)
				fi->units = 1ULL << (res & 0x7f);
			else if ((res & 0x80) == 0 && res <= 19)
				for (fi->units = 1, i = 0; i < res; i++)
					fi->units *= 10;
		} else if (code == 14 && olen >= 8) {
			memcpy(&fi->offset_s, b + o, 8);
			if (pf->swap)
				fi->offset_s = (int64_t)__builtin_bswap64(
				    (uint64_t)fi->offset_s);
		}
		o += (olen + 3) & ~(size_t)3;
	}
}

/* Microseconds since the epoch, kept to what a classic pcap can hold (0
 * to 2^32 - 1 seconds): the file's 64-bit counts and if_tsoffset are
 * untrusted, and a time out of that range would overflow the arithmetic
 * of everything that follows (expiry, latencies, formatting). */
static int64_t
ng_ts(const struct pcapfile_if *fi, uint32_t hi, uint32_t lo)
{
	uint64_t	t = (uint64_t)hi << 32 | lo, s = t / fi->units;
	int64_t		off = fi->offset_s, sec;

	if (s > NG_MAXSEC)
		s = NG_MAXSEC;
	if (off > NG_MAXSEC || off < -NG_MAXSEC)
		off = off < 0 ? -NG_MAXSEC : NG_MAXSEC;
	sec = (int64_t)s + off;
	if (sec < 0)
		sec = 0;
	else if (sec > NG_MAXSEC)
		sec = NG_MAXSEC;
	return sec * 1000000 + (int64_t)((unsigned __int128)(t % fi->units) *
	    1000000 / fi->units);
}

/* The next packet of a pcapng: blocks other than packets are walked over
 * (section and interface blocks taken note of). */
static int
ng_next(struct pcapfile *pf, const uint8_t **p, uint32_t *caplen,
    int64_t *ts_us, char *err, size_t errlen)
{
	const struct pcapfile_if	*fi;
	const uint8_t			*h, *b;
	size_t				 left, n;
	uint32_t			 type, blen, ifid, cap, hi = 0, lo = 0;
	uint32_t			 bom;

	for (;;) {
		left = pf_avail(pf, 12);
		if (left == 0 && pf->rerr == 0)
			return 0;
		if (left < 12) {
			snprintf(err, errlen, "truncated pcapng dump file; "
			    "tried to read 12 bytes, only got %zu", left);
			return pf_short(pf, err, errlen);
		}
		h = pf->map + pf->off;
		memcpy(&type, h, 4);
		if (type == NG_SHB) {
			/* A new section: its own byte order, its own
			 * interfaces. */
			memcpy(&bom, h + 8, 4);
			if (bom != NG_BOM && bom != __builtin_bswap32(NG_BOM)) {
				snprintf(err, errlen, "pcapng section header "
				    "with an unknown byte-order magic");
				return -1;
			}
			pf->swap = bom != NG_BOM;
			pf->nifs = 0;
		}
		type = pf_u32(pf, h);
		blen = pf_u32(pf, h + 4);
		if (blen < 12 || blen % 4 != 0 || blen > NG_MAXBLOCK) {
			snprintf(err, errlen, "pcapng block of type %u has a "
			    "bad length %u", type, blen);
			return -1;
		}
		if (blen > left && (left = pf_avail(pf, blen)) < blen) {
			snprintf(err, errlen, "truncated pcapng dump file; "
			    "tried to read %u bytes, only got %zu", blen, left);
			return pf_short(pf, err, errlen);
		}
		h = pf->map + pf->off;
		pf->off += blen;
		b = h + 8;
		n = blen - 12;
		switch (type) {
		case NG_IDB:
			/* Interfaces are numbered by their order: one left
			 * out would give later packets the wrong one's
			 * link type. */
			if (n < 8) {
				snprintf(err, errlen, "pcapng interface block "
				    "of %u bytes is too short", blen);
				return -1;
			}
			ng_idb(pf, b, n);
			continue;
		case NG_EPB:
		case NG_OPB:
			/* The obsolete packet block has the same layout but
			 * a 16-bit interface id (then drop counts). */
			if (n < 20)
				goto bad;
			ifid = type == NG_EPB ? pf_u32(pf, b) : pf_u16(pf, b);
			hi = pf_u32(pf, b + 4);
			lo = pf_u32(pf, b + 8);
			cap = pf_u32(pf, b + 12);
			b += 20;
			n -= 20;
			break;
		case NG_SPB:
			if (n < 4)
				goto bad;
			ifid = 0;
			cap = pf_u32(pf, b);	/* the packet's length */
			b += 4;
			n -= 4;
			if (cap > n)
				cap = (uint32_t)n;
			break;
		default:
			continue;	/* statistics, names, comments... */
		}
		if (cap > n)
			goto bad;
		if (ifid >= pf->nifs) {
			snprintf(err, errlen, "a packet arrived on interface "
			    "%u, but there's no such interface", ifid);
			return -1;
		}
		fi = &pf->ifs[ifid];
		*p = b;
		*caplen = cap > fi->snaplen ? fi->snaplen : cap;
		*ts_us = type == NG_SPB ? 0 : ng_ts(fi, hi, lo);
		pf->dlt_cur = fi->dlt;
		return 1;
	}
bad:
	snprintf(err, errlen, "pcapng packet block of %u bytes is too short "
	    "for what it holds", blen);
	return -1;
}

/* A pcapng is ours when its first interface, before any packet, has a
 * link type pkt.c parses; else libpcap reads or refuses it. */
static bool
ng_open(struct pcapfile *pf)
{
	const uint8_t	*h;
	uint32_t	 bom, type, blen;
	size_t		 off;

	if (pf_avail(pf, 28) < 28)
		return false;
	memcpy(&type, pf->map, 4);
	memcpy(&bom, pf->map + 8, 4);
	if (type != NG_SHB || (bom != NG_BOM && bom != __builtin_bswap32(NG_BOM)))
		return false;
	pf->swap = bom != NG_BOM;
	if (pf_u16(pf, pf->map + 12) != 1)	/* major version */
		return false;
	/* pf->off stays 0 while this walks: the stream's buffer only grows. */
	for (off = 0; off <= NG_MAXPROBE && pf_avail(pf, off + 12) >= off + 12;
	    off += blen) {
		h = pf->map + off;
		type = pf_u32(pf, h);
		blen = pf_u32(pf, h + 4);
		if (blen < 12 || blen % 4 != 0 || blen > NG_MAXBLOCK ||
		    pf_avail(pf, off + blen) < off + blen)
			return false;
		h = pf->map + off;
		if (off > 0 && type == NG_SHB)
			return false;
		if (type == NG_EPB || type == NG_OPB || type == NG_SPB)
			return false;
		if (type == NG_IDB) {
			if (blen < 20)
				return false;
			pf->dlt = pf_dlt(pf_u16(pf, h + 8));
			if (pf->dlt == -1)
				return false;
			pf->ng = true;
			pf->off = 0;		/* walked again by ng_next */
			pf->nifs = 0;
			return true;
		}
	}
	return false;
}

/* A pipe or standard input: the header (and for pcapng the blocks up to
 * the first interface) read into the buffer to decide. */
static enum pcapfile_open
pf_open_stream(struct pcapfile *pf)
{
	pf->stream = true;
	pf->cap = PCAPFILE_CHUNK;
	pf->buf = xmalloc(pf->cap);
	pf->map = pf->buf;
	if (pf_avail(pf, PCAPFILE_HDR) >= PCAPFILE_HDR &&
	    pcapfile_header(pf, pf->map, pf->size)) {
		pf->off = PCAPFILE_HDR;
		pf->dlt_cur = pf->dlt;
		return PCAPFILE_OK;
	}
	if (ng_open(pf)) {
		pf->dlt_cur = pf->dlt;
		return PCAPFILE_OK;
	}
	return PCAPFILE_FALLBACK;	/* the bytes stay for libpcap */
}

enum pcapfile_open
pcapfile_open(struct pcapfile *pf, const char *path, char *err,
    size_t errlen)
{
	struct stat	st;
	void		*m;
	bool		 in = path == NULL || strcmp(path, "-") == 0;

	memset(pf, 0, sizeof *pf);
	pf->fd = -1;
	/* Standard input through a descriptor of our own, so that closing
	 * it leaves fd 0 alone. */
	if (in)
		pf->fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	else
		pf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pf->fd == -1) {
		snprintf(err, errlen, "%s: %s", in ? "-" : path,
		    strerror(errno));
		return PCAPFILE_ERROR;
	}
	if (fstat(pf->fd, &st) == -1 || S_ISDIR(st.st_mode))
		goto fallback;
	/* A regular file is mapped, unless it is standard input already
	 * read from (the mapping would start over at its beginning). */
	if (!S_ISREG(st.st_mode) ||
	    (in && lseek(pf->fd, 0, SEEK_CUR) != 0))
		return pf_open_stream(pf);
	if (st.st_size < PCAPFILE_HDR || (uint64_t)st.st_size > SIZE_MAX)
		goto fallback;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, pf->fd, 0);
	if (m == MAP_FAILED)
		goto fallback;
	pf->map = m;
	pf->size = (size_t)st.st_size;
	if (!pcapfile_header(pf, pf->map, pf->size) && !ng_open(pf)) {
		munmap(m, pf->size);
		pf->map = NULL;
		goto fallback;
	}
	(void)madvise(m, pf->size, MADV_SEQUENTIAL);
	(void)madvise(m, pf->size < PCAPFILE_RELEASE ? pf->size :
	    PCAPFILE_RELEASE, MADV_WILLNEED);
	if (!pf->ng)
		pf->off = PCAPFILE_HDR;
	pf->dlt_cur = pf->dlt;
	pf_bus_guard(pf);
	return PCAPFILE_OK;
fallback:
	close(pf->fd);
	pf->fd = -1;
	return PCAPFILE_FALLBACK;
}

/* Hands back the pages behind the reader and asks for the next stretch
 * ahead of it. */
static void
pf_release(struct pcapfile *pf)
{
	size_t	page = (size_t)sysconf(_SC_PAGESIZE);
	size_t	upto = pf->off / page * page;
	size_t	ahead;

	if (upto > pf->released)
		(void)madvise((void *)(pf->map + pf->released),
		    upto - pf->released, MADV_DONTNEED);
	pf->released = upto;
	ahead = pf->size - upto < PCAPFILE_RELEASE ? pf->size - upto :
	    PCAPFILE_RELEASE;
	if (ahead > 0)
		(void)madvise((void *)(pf->map + upto), ahead, MADV_WILLNEED);
}

int
pcapfile_next(struct pcapfile *pf, const uint8_t **p, uint32_t *caplen,
    int64_t *ts_us, char *err, size_t errlen)
{
	const uint8_t	*h;
	struct stat	 st;
	size_t		 left = pf->size - pf->off;
	uint32_t	 cap, sec, frac;

	/* The tail of a shrunk file's last page reads as zeros: look at the
	 * size now and then, the SIGBUS guard covers the rest. */
	if (!pf->stream && (++pf->calls & 4095) == 0 &&
	    fstat(pf->fd, &st) == 0 && (uint64_t)st.st_size < pf->size)
		pf_bus_hit = 1;
	if (pf_bus_hit && !pf->stream) {
		snprintf(err, errlen, "the file shrank while it was read");
		return -1;
	}
	if (!pf->stream && pf->off - pf->released >= PCAPFILE_RELEASE)
		pf_release(pf);
	if (pf->ng)
		return ng_next(pf, p, caplen, ts_us, err, errlen);
	if (left < PCAPFILE_REC)
		left = pf_avail(pf, PCAPFILE_REC);
	if (left == 0 && pf->rerr == 0)
		return 0;
	if (left < PCAPFILE_REC) {
		snprintf(err, errlen, "truncated dump file; tried to read %d "
		    "header bytes, only got %zu", PCAPFILE_REC, left);
		return pf_short(pf, err, errlen);
	}
	/* The next header's place comes from this one's length: the walk
	 * would wait on memory per packet without asking ahead. */
	if (pf->ahead < pf->off)
		pf->ahead = pf->off;
	for (; pf->ahead < pf->off + PCAPFILE_AHEAD && pf->ahead < pf->size;
	    pf->ahead += 64)
		__builtin_prefetch(pf->map + pf->ahead);
	h = pf->map + pf->off;
	sec = pf_u32(pf, h);
	frac = pf_u32(pf, h + 4);
	cap = pf_u32(pf, h + 8);
	if (cap > PCAPFILE_MAXSNAP) {
		snprintf(err, errlen, "invalid packet capture length %u, "
		    "bigger than maximum of %u", cap, PCAPFILE_MAXSNAP);
		return -1;
	}
	if (cap > left - PCAPFILE_REC) {
		left = pf_avail(pf, PCAPFILE_REC + cap);
		h = pf->map + pf->off;
		if (cap > left - PCAPFILE_REC) {
			snprintf(err, errlen, "truncated dump file; tried to "
			    "read %u captured bytes, only got %zu", cap,
			    left - PCAPFILE_REC);
			return pf_short(pf, err, errlen);
		}
	}
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
	if (pf->stream) {
		free(pf->buf);
		pf->buf = NULL;
		pf->stream = false;
	} else if (pf->map != NULL) {
		munmap((void *)pf->map, pf->size);
		sigaction(SIGBUS, &pf_bus_old, NULL);
		pf_bus_lo = pf_bus_hi = NULL;
	}
	if (pf->fd != -1)
		close(pf->fd);
	free(pf->ifs);
	pf->ifs = NULL;
	pf->nifs = 0;
	pf->map = NULL;
	pf->fd = -1;
}

/* ---- libpcap's reading of a stream we have begun ---- */

struct pf_replay {
	uint8_t	*buf;
	size_t	 off, size;
	int	 fd;
};

static ssize_t
pf_replay_read(void *c, char *out, size_t n)
{
	struct pf_replay	*r = c;
	ssize_t			 k;

	if (r->off < r->size) {
		if (n > r->size - r->off)
			n = r->size - r->off;
		memcpy(out, r->buf + r->off, n);
		r->off += n;
		return (ssize_t)n;
	}
	while ((k = read(r->fd, out, n)) == -1 && errno == EINTR)
		;
	return k;
}

static int
pf_replay_close(void *c)
{
	struct pf_replay	*r = c;

	close(r->fd);
	free(r->buf);
	free(r);
	return 0;
}

FILE *
pcapfile_fallback_stream(struct pcapfile *pf)
{
	cookie_io_functions_t	 io = {
		.read = pf_replay_read,
		.close = pf_replay_close,
	};
	struct pf_replay	*r;
	FILE			*f;

	if (!pf->stream || pf->fd == -1)
		return NULL;
	r = xmalloc(sizeof *r);
	r->buf = pf->buf;
	r->off = pf->off;
	r->size = pf->size;
	r->fd = pf->fd;
	if ((f = fopencookie(r, "r", io)) == NULL) {
		free(r);
		return NULL;
	}
	pf->buf = NULL;
	pf->map = NULL;
	pf->fd = -1;
	pf->stream = false;
	return f;
}
