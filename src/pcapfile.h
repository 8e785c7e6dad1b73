/* pcapfile.h - classic pcap files read without libpcap.
 *
 * libpcap's offline reader copies every packet twice: the kernel copies
 * the file into stdio's buffer, then libpcap copies each record into its
 * own, behind a callback per packet. For `read` of a large capture those
 * costs exceed the parsing of what they bring, so a classic pcap on a
 * regular file is read in large chunks into one buffer and its records
 * are handed on where they lie. Everything else (pcapng, pipes, standard
 * input, link types we do not parse, the rarely seen modified formats)
 * stays with libpcap: pcapfile_open() then says so and the caller falls
 * back.
 *
 * The file is untrusted: every record header and body is checked against
 * what was read, and the messages for a cut or damaged file are
 * libpcap's. A file that ends short of the size it had at the open (cut
 * while read) ends with an error that says so; what a capture being
 * written gains after the open is read too. Memory is one buffer of
 * 1.3 MB (pcapfile.c) whatever the file's size. (An earlier version mapped
 * the file: as fast, but it needed a SIGBUS handler for files cut under
 * the mapping and madvise bookkeeping to keep RSS bounded.) */
#ifndef TCPDP_PCAPFILE_H
#define TCPDP_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcapfile {
	int		 fd;
	uint8_t		*buf;		/* records as read, unparsed */
	size_t		 len;		/* read into buf */
	size_t		 off;		/* next record header in buf */
	uint64_t	 size;		/* at the open */
	uint64_t	 pos;		/* file offset of buf + len */
	bool		 eof;
	bool		 shrank;
	bool		 swap;		/* written on the other byte order */
	bool		 nsec;		/* nanosecond timestamps */
	uint32_t	 snaplen;
	int		 dlt;
};

enum pcapfile_open {
	PCAPFILE_OK = 0,
	PCAPFILE_FALLBACK,	/* not ours to read: use libpcap */
	PCAPFILE_ERROR,		/* cannot open: err says why */
};

enum pcapfile_open	pcapfile_open(struct pcapfile *, const char *path,
			    char *err, size_t errlen);
/* 1 and the packet, 0 at the end of the file, -1 with err set when the
 * file is cut or damaged (what came before was good). *p is valid until
 * the next call. */
int			pcapfile_next(struct pcapfile *, const uint8_t **p,
			    uint32_t *caplen, int64_t *ts_us, char *err,
			    size_t errlen);
void			pcapfile_close(struct pcapfile *);

/* Parses a pcap global header (24 bytes); for tests and the fallback
 * decision. Returns false when it is not a classic pcap we read. */
bool			pcapfile_header(struct pcapfile *, const uint8_t *,
			    size_t);

#endif
