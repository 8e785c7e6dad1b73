/* test-pcapfile.c - the in-place pcap reader: byte orders, timestamp
 * precisions, snaplen, cut and damaged files, and what it leaves to
 * libpcap. */
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
	/* standard input, a directory, a missing file */
	CHECK_INT(pcapfile_open(&pf, "-", err, sizeof err), PCAPFILE_FALLBACK);
	CHECK_INT(pcapfile_open(&pf, NULL, err, sizeof err), PCAPFILE_FALLBACK);
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
