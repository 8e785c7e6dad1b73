/* test-pcapfile.c - the in-place pcap reader: byte orders, timestamp
 * precisions, snaplen, cut and damaged files, and what it leaves to
 * libpcap. */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../src/pcapfile.h"
#include "../../src/pkt.h"
#include "test.h"

struct img {
	uint8_t	b[16384];
	size_t	n;
};

static void
put32(struct img *m, uint32_t v, int be)
{
	int	i;

	for (i = 0; i < 4; i++)
		m->b[m->n++] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void
put16(struct img *m, uint16_t v, int be)
{
	m->b[m->n++] = (uint8_t)(be ? v >> 8 : v);
	m->b[m->n++] = (uint8_t)(be ? v : v >> 8);
}

static void
ghdr(struct img *m, uint32_t magic, int be, uint32_t snap, uint32_t lt)
{
	m->n = 0;
	put32(m, magic, be);
	put16(m, 2, be);
	put16(m, 4, be);
	put32(m, 0, be);
	put32(m, 0, be);
	put32(m, snap, be);
	put32(m, lt, be);
}

static void
prec(struct img *m, int be, uint32_t sec, uint32_t frac, uint32_t cap,
    uint32_t body)
{
	uint32_t	i;

	put32(m, sec, be);
	put32(m, frac, be);
	put32(m, cap, be);
	put32(m, cap, be);
	for (i = 0; i < body; i++)
		m->b[m->n++] = (uint8_t)i;
}

static char *
pf_file(const struct img *m)
{
	static char	path[64];
	int		fd;

	strcpy(path, "/tmp/tcpdp-pcapfile-XXXXXX");
	fd = mkstemp(path);
	if (fd == -1 || write(fd, m->b, m->n) != (ssize_t)m->n)
		abort();
	close(fd);
	return path;
}

TEST(pcapfile_both_orders_and_precisions)
{
	static const struct {
		uint32_t	magic;
		int		be;
		int64_t		want_ts;
	} v[] = {
		{ 0xa1b2c3d4, 0, 1700000000LL * 1000000 + 123456 },
		{ 0xa1b2c3d4, 1, 1700000000LL * 1000000 + 123456 },
		{ 0xa1b23c4d, 0, 1700000000LL * 1000000 + 123 },
		{ 0xa1b23c4d, 1, 1700000000LL * 1000000 + 123 },
	};
	struct img	 m;
	struct pcapfile	 pf;
	const uint8_t	*p;
	uint32_t	 cap;
	int64_t		 ts;
	char		 err[256], *path;
	size_t		 i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		ghdr(&m, v[i].magic, v[i].be, 65535, 1);
		prec(&m, v[i].be, 1700000000, 123456, 60, 60);
		prec(&m, v[i].be, 1700000001, 0, 0, 0);
		path = pf_file(&m);
		CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
		CHECK_INT(pf.dlt, PKT_DLT_EN10MB);
		CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
		CHECK_INT(cap, 60);
		CHECK_INT(ts, v[i].want_ts);
		CHECK_INT(p[59], 59);
		CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
		CHECK_INT(cap, 0);
		CHECK_INT(ts, 1700000001LL * 1000000);
		CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 0);
		CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 0);
		pcapfile_close(&pf);
		unlink(path);
	}
}

TEST(pcapfile_link_types)
{
	static const struct {
		uint32_t	lt;
		int		dlt;
	} v[] = {
		{ 0, PKT_DLT_NULL }, { 1, PKT_DLT_EN10MB },
		{ 101, PKT_DLT_LINKTYPE_RAW }, { 108, PKT_DLT_LOOP },
		{ 113, PKT_DLT_LINUX_SLL }, { 228, PKT_DLT_IPV4 },
		{ 229, PKT_DLT_IPV6 }, { 276, PKT_DLT_LINUX_SLL2 },
		{ 0x10000001, PKT_DLT_EN10MB },	/* FCS bits set */
		{ 105, -1 }, { 12, -1 }, { 0xffff, -1 },
	};
	struct img	m;
	struct pcapfile	pf;
	size_t		i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		ghdr(&m, 0xa1b2c3d4, 0, 65535, v[i].lt);
		CHECK_INT(pcapfile_header(&pf, m.b, m.n), v[i].dlt != -1);
		if (v[i].dlt != -1)
			CHECK_INT(pf.dlt, v[i].dlt);
	}
}

/* What is not a classic pcap of ours goes to libpcap, which reads or
 * refuses it with its own messages. */
TEST(pcapfile_fallbacks)
{
	struct img	 m;
	struct pcapfile	 pf;
	char		 err[256], *path;

	/* pcapng section header */
	m.n = 0;
	put32(&m, 0x0a0d0d0a, 0);
	put32(&m, 28, 0);
	put32(&m, 0x1a2b3c4d, 0);
	while (m.n < 28)
		m.b[m.n++] = 0;
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_FALLBACK);
	CHECK_INT(pf.fd, -1);
	unlink(path);
	/* a link type we do not parse */
	ghdr(&m, 0xa1b2c3d4, 0, 65535, 105);
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_FALLBACK);
	unlink(path);
	/* shorter than a header, and version 2.3 */
	ghdr(&m, 0xa1b2c3d4, 0, 65535, 1);
	m.n = 23;
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_FALLBACK);
	unlink(path);
	ghdr(&m, 0xa1b2c3d4, 0, 65535, 1);
	m.b[6] = 3;
	CHECK(!pcapfile_header(&pf, m.b, m.n));
	/* a directory, a missing file (standard input: pcapfile_stream_*) */
	CHECK_INT(pcapfile_open(&pf, "/tmp", err, sizeof err), PCAPFILE_FALLBACK);
	CHECK_INT(pcapfile_open(&pf, "/nonexistent/x.pcap", err, sizeof err),
	    PCAPFILE_ERROR);
	CHECK(strstr(err, "No such file") != NULL);
}

/* Cut at every byte: never a read past the end, the packets before the
 * cut delivered, libpcap's messages for the cut. */
TEST(pcapfile_cut_everywhere)
{
	struct img	 full, m;
	struct pcapfile	 pf;
	const uint8_t	*p;
	uint32_t	 cap;
	int64_t		 ts;
	char		 err[256], *path;
	size_t		 cut;
	int		 n, rc;

	ghdr(&full, 0xa1b2c3d4, 0, 65535, 1);
	prec(&full, 0, 1, 0, 30, 30);
	prec(&full, 0, 2, 0, 50, 50);
	for (cut = 24; cut <= full.n; cut++) {
		memcpy(m.b, full.b, cut);
		m.n = cut;
		path = pf_file(&m);
		CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
		n = 0;
		while ((rc = pcapfile_next(&pf, &p, &cap, &ts, err,
		    sizeof err)) == 1) {
			CHECK(p + cap <= pf.map + pf.size);
			n++;
		}
		if (cut == 24 || cut == 24 + 46 || cut == full.n)
			CHECK_INT(rc, 0);
		else {
			CHECK_INT(rc, -1);
			CHECK(strstr(err, "truncated dump file") != NULL);
		}
		CHECK_INT(n, cut >= full.n ? 2 : cut >= 24 + 46 ? 1 : 0);
		pcapfile_close(&pf);
		unlink(path);
	}
}

TEST(pcapfile_lengths)
{
	struct img	 m;
	struct pcapfile	 pf;
	const uint8_t	*p;
	uint32_t	 cap;
	int64_t		 ts;
	char		 err[256], *path;

	/* caplen beyond the file's snaplen: only snaplen bytes handed on,
	 * the next record still found */
	ghdr(&m, 0xa1b2c3d4, 0, 40, 1);
	prec(&m, 0, 1, 0, 100, 100);
	prec(&m, 0, 2, 0, 10, 10);
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(cap, 40);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(cap, 10);
	CHECK_INT(ts, 2000000);
	pcapfile_close(&pf);
	unlink(path);
	/* a length field from a damaged file */
	ghdr(&m, 0xa1b2c3d4, 0, 0, 1);
	prec(&m, 0, 1, 0, 0xfffffff0u, 8);
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), -1);
	CHECK(strstr(err, "invalid packet capture length") != NULL);
	pcapfile_close(&pf);
	unlink(path);
	/* just under the limit but past the end */
	ghdr(&m, 0xa1b2c3d4, 1, 0, 1);
	prec(&m, 1, 1, 0, 262144, 8);
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), -1);
	CHECK_STR(err, "truncated dump file; tried to read 262144 captured "
	    "bytes, only got 8");
	pcapfile_close(&pf);
	unlink(path);
}

/* Cut short under the mapping: an error, never SIGBUS. */
TEST(pcapfile_shrinks_while_read)
{
	static struct img	 m;
	struct pcapfile		 pf;
	const uint8_t		*p;
	uint32_t		 cap;
	int64_t			 ts;
	char			 err[256], *path;
	unsigned		 sum = 0;
	int			 rc, n = 0, i;

	ghdr(&m, 0xa1b2c3d4, 0, 65535, 1);
	for (i = 0; i < 120; i++)
		prec(&m, 0, 1, 0, 96, 96);
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(truncate(path, 100), 0);
	while ((rc = pcapfile_next(&pf, &p, &cap, &ts, err,
	    sizeof err)) == 1) {
		sum += p[cap > 0 ? cap - 1 : 0];	/* touches every page */
		n++;
	}
	CHECK_INT(rc, -1);
	CHECK(n < 1000);
	CHECK(strstr(err, "shrank") != NULL);
	pcapfile_close(&pf);
	unlink(path);
	(void)sum;
}

/* pcapng blocks: type, total length, body padded to 4, total length. */
static void
ngblock(struct img *m, int be, uint32_t type, const uint8_t *body, size_t n)
{
	uint32_t	len = (uint32_t)(12 + ((n + 3) & ~(size_t)3));
	size_t		i;

	put32(m, type, be);
	put32(m, len, be);
	for (i = 0; i < n; i++)
		m->b[m->n++] = body[i];
	while (i++ % 4 != 0)
		m->b[m->n++] = 0;
	put32(m, len, be);
}

static void
ngshb(struct img *m, int be)
{
	struct img	b = { .n = 0 };

	put32(&b, 0x1a2b3c4d, be);
	put16(&b, 1, be);
	put16(&b, 0, be);
	put32(&b, 0xffffffff, be);
	put32(&b, 0xffffffff, be);
	ngblock(m, be, 0x0a0d0d0a, b.b, b.n);
}

/* tsresol < 0: no option. */
static void
ngidb(struct img *m, int be, uint16_t lt, uint32_t snap, int tsresol)
{
	struct img	b = { .n = 0 };

	put16(&b, lt, be);
	put16(&b, 0, be);
	put32(&b, snap, be);
	if (tsresol >= 0) {
		put16(&b, 9, be);
		put16(&b, 1, be);
		put32(&b, (uint32_t)tsresol, 0);	/* one byte, then padding */
		put16(&b, 0, be);
		put16(&b, 0, be);
	}
	ngblock(m, be, 1, b.b, b.n);
}

static void
ngepb(struct img *m, int be, uint32_t ifid, uint64_t ts, uint32_t cap)
{
	struct img	b = { .n = 0 };
	uint32_t	i;

	put32(&b, ifid, be);
	put32(&b, (uint32_t)(ts >> 32), be);
	put32(&b, (uint32_t)ts, be);
	put32(&b, cap, be);
	put32(&b, cap, be);
	for (i = 0; i < cap; i++)
		b.b[b.n++] = (uint8_t)(ifid * 16 + i);
	ngblock(m, be, 6, b.b, b.n);
}

/* A pcapng mixing link types (mergecap of an lo and an `-i any`
 * capture), which libpcap refuses: every packet carries its interface's
 * link type and timestamp resolution; later sections (another byte order)
 * bring their own interfaces; unknown blocks are skipped. */
TEST(pcapfile_pcapng_interfaces)
{
	static const uint8_t	 junk[8] = { 1, 2, 3 };
	struct img		 m = { .n = 0 }, spb = { .n = 0 };
	struct pcapfile		 pf;
	const uint8_t		*p;
	uint32_t		 cap;
	int64_t			 ts;
	char			 err[256], *path;

	ngshb(&m, 0);
	ngidb(&m, 0, 1, 0, 9);			/* Ethernet, ns */
	ngidb(&m, 0, 276, 40, -1);		/* SLL2, us, snaplen 40 */
	ngidb(&m, 0, 147, 0, -1);		/* a type we do not parse */
	ngepb(&m, 0, 1, 1700000000ULL * 1000000 + 7, 60);
	ngblock(&m, 0, 0x40000bad, junk, 3);	/* unknown: skipped */
	ngepb(&m, 0, 0, 1700000000ULL * 1000000000 + 123456789, 20);
	ngepb(&m, 0, 2, 0, 4);
	put32(&spb, 10, 0);
	put32(&spb, 0xdeadbeef, 0);
	ngblock(&m, 0, 3, spb.b, spb.n);	/* simple packet: if 0 */
	ngshb(&m, 1);				/* big-endian section */
	ngidb(&m, 1, 101, 0, 0x80 | 20);	/* raw IP, 2^-20 s */
	ngepb(&m, 1, 0, 3ULL << 20 | 1 << 19, 8);
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
	CHECK_INT(pf.dlt, PKT_DLT_EN10MB);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(pf.dlt_cur, PKT_DLT_LINUX_SLL2);
	CHECK_INT(cap, 40);
	CHECK_INT(p[0], 16);
	CHECK_INT(ts, 1700000000LL * 1000000 + 7);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(pf.dlt_cur, PKT_DLT_EN10MB);
	CHECK_INT(cap, 20);
	CHECK_INT(ts, 1700000000LL * 1000000 + 123456);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(pf.dlt_cur, -1);
	CHECK_INT(cap, 4);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(pf.dlt_cur, PKT_DLT_EN10MB);
	CHECK_INT(cap, 4);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(pf.dlt_cur, PKT_DLT_LINKTYPE_RAW);
	CHECK_INT(cap, 8);
	CHECK_INT(ts, 3500000);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 0);
	pcapfile_close(&pf);
	unlink(path);

	/* A packet on an interface the section did not describe. */
	m.n = 0;
	ngshb(&m, 0);
	ngidb(&m, 0, 1, 0, -1);
	ngepb(&m, 0, 1, 0, 4);
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), -1);
	CHECK(strstr(err, "no such interface") != NULL);
	pcapfile_close(&pf);
	unlink(path);

	/* The first interface of a type we do not parse: libpcap's. */
	m.n = 0;
	ngshb(&m, 0);
	ngidb(&m, 0, 147, 0, -1);
	ngidb(&m, 0, 1, 0, -1);
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_FALLBACK);
	unlink(path);
}

/* Hostile timestamps: 64-bit counts and an if_tsoffset at the ends of
 * int64 give times within classic pcap's range (0 to 2^32 - 1 s), never
 * an overflow (UBSan); a too-short interface block is an error, not an
 * interface left out that would renumber the later ones. */
TEST(pcapfile_pcapng_hostile_times)
{
	struct img	 m = { .n = 0 }, b;
	struct pcapfile	 pf;
	const uint8_t	*p;
	uint32_t	 cap;
	int64_t		 ts, offs[2] = { INT64_MAX, INT64_MIN };
	char		 err[256], *path;
	int		 i, k;

	for (k = 0; k < 2; k++) {
		m.n = 0;
		ngshb(&m, 0);
		b.n = 0;
		put16(&b, 1, 0);
		put16(&b, 0, 0);
		put32(&b, 0, 0);
		put16(&b, 14, 0);		/* if_tsoffset */
		put16(&b, 8, 0);
		for (i = 0; i < 8; i++)
			b.b[b.n++] = (uint8_t)((uint64_t)offs[k] >> (8 * i));
		put16(&b, 9, 0);		/* if_tsresol: 1 s */
		put16(&b, 1, 0);
		put32(&b, 0, 0);
		put32(&b, 0, 0);
		ngblock(&m, 0, 1, b.b, b.n);
		ngepb(&m, 0, 0, UINT64_MAX, 4);
		ngepb(&m, 0, 0, 5, 4);
		path = pf_file(&m);
		CHECK_INT(pcapfile_open(&pf, path, err, sizeof err),
		    PCAPFILE_OK);
		CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
		CHECK_INT(ts, k == 0 ? (int64_t)UINT32_MAX * 1000000 : 0);
		CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
		CHECK_INT(ts, k == 0 ? (int64_t)UINT32_MAX * 1000000 : 0);
		pcapfile_close(&pf);
		unlink(path);
	}

	m.n = 0;
	ngshb(&m, 0);
	ngidb(&m, 0, 1, 0, -1);
	ngblock(&m, 0, 1, (const uint8_t *)"\1\0\0", 3);	/* 4-byte body */
	ngidb(&m, 0, 276, 0, -1);
	ngepb(&m, 0, 1, 0, 4);
	path = pf_file(&m);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), -1);
	CHECK(strstr(err, "interface block of 16 bytes is too short") != NULL);
	pcapfile_close(&pf);
	unlink(path);
}

/* A pcapng cut at every byte: never a read past the end, the packets
 * before the cut delivered. */
TEST(pcapfile_pcapng_cut_everywhere)
{
	struct img	 full = { .n = 0 }, m;
	struct pcapfile	 pf;
	const uint8_t	*p;
	uint32_t	 cap;
	int64_t		 ts;
	char		 err[256], *path;
	size_t		 cut, first, idb;
	int		 n, rc;

	ngshb(&full, 1);
	ngidb(&full, 1, 1, 0, -1);
	idb = full.n;
	ngepb(&full, 1, 0, 5, 30);
	first = full.n;
	ngepb(&full, 1, 0, 6, 50);
	for (cut = 0; cut <= full.n; cut++) {
		memcpy(m.b, full.b, cut);
		m.n = cut;
		path = pf_file(&m);
		if (cut < idb) {
			CHECK_INT(pcapfile_open(&pf, path, err, sizeof err),
			    PCAPFILE_FALLBACK);
			unlink(path);
			continue;
		}
		CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
		n = 0;
		while ((rc = pcapfile_next(&pf, &p, &cap, &ts, err,
		    sizeof err)) == 1) {
			CHECK(p + cap <= pf.map + pf.size);
			n++;
		}
		if (cut == idb || cut == first || cut == full.n)
			CHECK_INT(rc, 0);
		else {
			CHECK_INT(rc, -1);
			CHECK(strstr(err, "truncated pcapng dump file") != NULL);
		}
		CHECK_INT(n, cut >= full.n ? 2 : cut >= first ? 1 : 0);
		pcapfile_close(&pf);
		unlink(path);
	}
}

/* ---- streams: pipes and standard input ---- */

/* A pipe that a child fills with b[0..n) and closes; its read end as a
 * path (/dev/fd/N) in path. The child is waited for by pf_pipe_done. */
static int
pf_pipe(const uint8_t *b, size_t n, char *path, size_t pathlen)
{
	int	fds[2];
	size_t	o;
	ssize_t	k;

	if (pipe(fds) == -1)
		abort();
	switch (fork()) {
	case -1:
		abort();
	case 0:
		close(fds[0]);
		for (o = 0; o < n; o += (size_t)k)
			if ((k = write(fds[1], b + o, n - o > 4093 ?
			    4093 : n - o)) <= 0)	/* odd pieces */
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	snprintf(path, pathlen, "/dev/fd/%d", fds[0]);
	return fds[0];
}

static void
pf_pipe_done(int fd)
{
	int	st;

	close(fd);
	wait(&st);
}

/* What a reader sees of a capture, as one string: the packets (length,
 * time, link type, first byte) and how it ended. */
static void
pf_trace(struct pcapfile *pf, enum pcapfile_open o, char *out, size_t cap)
{
	const uint8_t	*p;
	uint32_t	 caplen;
	int64_t		 ts;
	char		 err[256];
	size_t		 len = 0;
	int		 rc;

	if (o != PCAPFILE_OK) {
		snprintf(out, cap, "open %d", (int)o);
		return;
	}
	while ((rc = pcapfile_next(pf, &p, &caplen, &ts, err,
	    sizeof err)) == 1 && len < cap - 64)
		len += (size_t)snprintf(out + len, cap - len, "%u/%lld/%d/%d ",
		    caplen, (long long)ts, pf->dlt_cur, caplen ? p[0] : -1);
	snprintf(out + len, cap - len, "end %d %s", rc, rc == -1 ? err : "");
}

/* Cut anywhere, a pipe gives what the same bytes as a file give: the
 * same packets, the same end, the same message. */
TEST(pcapfile_stream_cut_everywhere)
{
	static struct img	 full, m;
	struct pcapfile		 pf;
	char			 err[256], *path, fpath[32];
	static char		 a[8192], b[8192];
	size_t			 cut;
	int			 fd, kind;

	for (kind = 0; kind < 2; kind++) {
		if (kind == 0) {
			ghdr(&full, 0xa1b2c3d4, 0, 65535, 1);
			prec(&full, 0, 1, 0, 30, 30);
			prec(&full, 0, 2, 5, 50, 50);
		} else {
			full.n = 0;
			ngshb(&full, 0);
			ngidb(&full, 0, 1, 0, -1);
			ngidb(&full, 0, 276, 40, 9);
			ngepb(&full, 0, 1, 7, 60);
			ngshb(&full, 1);
			ngidb(&full, 1, 101, 0, -1);
			ngepb(&full, 1, 0, 9, 8);
		}
		for (cut = 0; cut <= full.n; cut++) {
			memcpy(m.b, full.b, cut);
			m.n = cut;
			path = pf_file(&m);
			pf_trace(&pf, pcapfile_open(&pf, path, err, sizeof err),
			    a, sizeof a);
			pcapfile_close(&pf);
			unlink(path);
			fd = pf_pipe(m.b, m.n, fpath, sizeof fpath);
			pf_trace(&pf, pcapfile_open(&pf, fpath, err, sizeof err),
			    b, sizeof b);
			/* a file too short for a header is libpcap's; a
			 * stream's bytes are handed to it */
			if (cut < 24 && strncmp(a, "open 1", 6) == 0)
				CHECK_STR(b, "open 1");
			else
				CHECK_STR(b, a);
			pcapfile_close(&pf);
			pf_pipe_done(fd);
		}
	}
}

/* A pcapng block larger than the first buffer, behind small ones. */
TEST(pcapfile_stream_big_block)
{
	static struct img	 head, tail;
	struct pcapfile		 pf;
	const uint8_t		*p;
	uint32_t		 cap, big = 3u << 20, blen = 12 + 20 + big;
	int64_t			 ts;
	uint8_t			*b;
	char			 err[256], path[32];
	size_t			 n;
	int			 fd;

	ngshb(&head, 0);
	ngidb(&head, 0, 1, 0, -1);
	ngepb(&head, 0, 0, 1, 10);
	ngepb(&tail, 0, 0, 3, 12);
	b = malloc(head.n + blen + tail.n);
	memcpy(b, head.b, head.n);
	n = head.n;
	memcpy(b + n, &(uint32_t){ 6 }, 4);
	memcpy(b + n + 4, &blen, 4);
	memset(b + n + 8, 0, 20);
	memcpy(b + n + 8 + 12, &big, 4);
	memcpy(b + n + 8 + 16, &big, 4);
	memset(b + n + 28, 0xab, big);
	memcpy(b + n + blen - 4, &blen, 4);
	n += blen;
	memcpy(b + n, tail.b, tail.n);
	n += tail.n;
	fd = pf_pipe(b, n, path, sizeof path);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_OK);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(cap, 10);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(cap, 262144);		/* cut to the largest snaplen */
	CHECK_INT(p[0], 0xab);
	CHECK_INT(p[cap - 1], 0xab);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 1);
	CHECK_INT(cap, 12);
	CHECK_INT(ts, 3);
	CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err, sizeof err), 0);
	CHECK(pf.cap <= 4u << 20);
	pcapfile_close(&pf);
	pf_pipe_done(fd);
	free(b);
}

/* A stream in a format we leave to libpcap: it gets every byte, the
 * ones read to decide first. */
TEST(pcapfile_stream_fallback)
{
	static struct img	 m;
	struct pcapfile		 pf;
	static uint8_t		 got[sizeof m.b];
	char			 err[256], path[32];
	FILE			*f;
	size_t			 n;
	int			 fd;

	ghdr(&m, 0xa1b2cd34, 0, 65535, 1);	/* "modified" pcap */
	prec(&m, 0, 1, 0, 30, 30);
	fd = pf_pipe(m.b, m.n, path, sizeof path);
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_FALLBACK);
	f = pcapfile_fallback_stream(&pf);
	CHECK(f != NULL);
	n = fread(got, 1, sizeof got, f);
	CHECK_MEM(got, n, m.b, m.n);
	fclose(f);
	pcapfile_close(&pf);		/* nothing left to it */
	pf_pipe_done(fd);
	/* not a stream: open it again by its path */
	m.n = 10;
	strcpy(path, pf_file(&m));
	CHECK_INT(pcapfile_open(&pf, path, err, sizeof err), PCAPFILE_FALLBACK);
	CHECK(pcapfile_fallback_stream(&pf) == NULL);
	unlink(path);
}

/* "-" reads standard input, a pipe or a file, and leaves fd 0 open. */
TEST(pcapfile_stream_stdin)
{
	static struct img	 m;
	struct pcapfile		 pf;
	const uint8_t		*p;
	uint32_t		 cap;
	int64_t			 ts;
	char			 err[256], path[32];
	int			 fd, saved, i, file;

	ghdr(&m, 0xa1b2c3d4, 0, 65535, 1);
	prec(&m, 0, 1, 0, 30, 30);
	saved = dup(STDIN_FILENO);
	for (file = 0; file < 2; file++) {
		if (file) {
			strcpy(path, pf_file(&m));
			fd = open(path, O_RDONLY);
			unlink(path);
		} else
			fd = pf_pipe(m.b, m.n, path, sizeof path);
		dup2(fd, STDIN_FILENO);
		/* a file is mapped each time; the pipe is read once */
		for (i = 0; i < 1 + file; i++) {
			CHECK_INT(pcapfile_open(&pf, i ? NULL : "-", err,
			    sizeof err), PCAPFILE_OK);
			CHECK_INT(pf.stream, !file);
			CHECK_INT(pcapfile_next(&pf, &p, &cap, &ts, err,
			    sizeof err), 1);
			CHECK_INT(cap, 30);
			pcapfile_close(&pf);
		}
		CHECK(fcntl(STDIN_FILENO, F_GETFD) != -1);
		if (file)
			close(fd);
		else
			pf_pipe_done(fd);
	}
	dup2(saved, STDIN_FILENO);
	close(saved);
}
