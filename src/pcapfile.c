/* pcapfile.c - classic pcap files read in place (see pcapfile.h). */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pcapfile.h"
#include "pkt.h"

#define PCAPFILE_HDR		24
#define PCAPFILE_REC		16
#define PCAPFILE_MAXSNAP	262144	/* libpcap's largest for our types */
/* Pages behind the reader are handed back this often: mapped pages count
 * in the process's RSS, which must not grow with the capture's size. */
#define PCAPFILE_RELEASE	(4u << 20)

#define PCAPFILE_AHEAD		2048	/* bytes prefetched ahead */

#define MAGIC_US	0xa1b2c3d4u
#define MAGIC_NS	0xa1b23c4du

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

enum pcapfile_open
pcapfile_open(struct pcapfile *pf, const char *path, char *err,
    size_t errlen)
{
	struct stat	st;
	void		*m;

	memset(pf, 0, sizeof *pf);
	pf->fd = -1;
	if (path == NULL || strcmp(path, "-") == 0)
		return PCAPFILE_FALLBACK;
	if ((pf->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return PCAPFILE_ERROR;
	}
	if (fstat(pf->fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size < PCAPFILE_HDR || (uint64_t)st.st_size > SIZE_MAX)
		goto fallback;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, pf->fd, 0);
	if (m == MAP_FAILED)
		goto fallback;
	pf->map = m;
	pf->size = (size_t)st.st_size;
	if (!pcapfile_header(pf, pf->map, pf->size)) {
		munmap(m, pf->size);
		pf->map = NULL;
		goto fallback;
	}
	(void)madvise(m, pf->size, MADV_SEQUENTIAL);
	(void)madvise(m, pf->size < PCAPFILE_RELEASE ? pf->size :
	    PCAPFILE_RELEASE, MADV_WILLNEED);
	pf->off = PCAPFILE_HDR;
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
	if ((++pf->calls & 4095) == 0 && fstat(pf->fd, &st) == 0 &&
	    (uint64_t)st.st_size < pf->size)
		pf_bus_hit = 1;
	if (pf_bus_hit) {
		snprintf(err, errlen, "the file shrank while it was read");
		return -1;
	}
	if (left == 0)
		return 0;
	if (left < PCAPFILE_REC) {
		snprintf(err, errlen, "truncated dump file; tried to read %d "
		    "header bytes, only got %zu", PCAPFILE_REC, left);
		return -1;
	}
	if (pf->off - pf->released >= PCAPFILE_RELEASE)
		pf_release(pf);
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
	left -= PCAPFILE_REC;
	if (cap > left) {
		snprintf(err, errlen, "truncated dump file; tried to read %u "
		    "captured bytes, only got %zu", cap, left);
		return -1;
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
	if (pf->map != NULL) {
		munmap((void *)pf->map, pf->size);
		sigaction(SIGBUS, &pf_bus_old, NULL);
		pf_bus_lo = pf_bus_hi = NULL;
	}
	if (pf->fd != -1)
		close(pf->fd);
	pf->map = NULL;
	pf->fd = -1;
}
