/* pcapfile.h - pcap and pcapng files read in place (mmap) or streamed.
 *
 * libpcap's offline reader copies every packet twice: the kernel copies
 * the file into stdio's buffer, then libpcap copies each record into its
 * own. For `read` of a large capture those copies cost more than the
 * parsing of what they bring, so a classic pcap on a regular file is
 * mapped and walked in place. pcapng is read here too: libpcap refuses a
 * pcapng whose interfaces differ in link type (mergecap of an `lo` and an
 * `-i any` capture, `dumpcap -i eth0 -i lo -w -`), where each packet here
 * carries its interface's link type (pcapfile.dlt_cur).
 *
 * Pipes and standard input (`tcpdump -w - | tcpdp-top read -`) are read
 * into a buffer that holds at least the record at hand (a pcapng block is
 * at most 16 MB), so they get the same formats and messages as files.
 * What we do not parse (files whose first interface has a link type we do
 * not parse, the rarely seen modified formats) stays with libpcap:
 * pcapfile_open() then says so and the caller falls back; for a stream,
 * pcapfile_fallback_stream() hands libpcap the bytes already read.
 *
 * The file is untrusted: every record header and body is checked against
 * the mapped size, and the messages for a cut or damaged file are
 * libpcap's. A file that shrinks while it is mapped ends the read with an
 * error instead of SIGBUS (pcapfile.c); what a capture being written
 * gains after the open is not read. */
#ifndef TCPDP_PCAPFILE_H
#define TCPDP_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pcapfile_if {
	int		 dlt;		/* -1: a link type we do not parse */
	uint32_t	 snaplen;
	uint64_t	 units;		/* timestamp units per second */
	int64_t		 offset_s;	/* if_tsoffset */
};

struct pcapfile {
	int		 fd;
	const uint8_t	*map;
	size_t		 size;
	size_t		 off;		/* next record header */
	size_t		 released;	/* pages before this were dropped */
	size_t		 ahead;		/* prefetched up to here */
	uint32_t	 calls;
	bool		 swap;		/* written on the other byte order */
	bool		 nsec;		/* nanosecond timestamps */
	uint32_t	 snaplen;
	int		 dlt;		/* classic: the file's; pcapng: the first
					 * interface's */
	int		 dlt_cur;	/* of the packet pcapfile_next returned */
	bool		 ng;		/* pcapng */
	struct pcapfile_if *ifs;	/* pcapng: this section's interfaces */
	uint32_t	 nifs;
	/* A stream: map is buf, size the bytes in it, off the next record
	 * (the bytes before off are dropped as the buffer moves on). */
	bool		 stream;
	bool		 eof;
	int		 rerr;		/* errno of a failed read */
	uint8_t		*buf;
	size_t		 cap;
	/* Called before a stream read that would wait for its writer, so
	 * that what was decoded is written out meanwhile. */
	void		(*idle)(void *);
	void		*idle_arg;
};

enum pcapfile_open {
	PCAPFILE_OK = 0,
	PCAPFILE_FALLBACK,	/* not ours to read: use libpcap */
	PCAPFILE_ERROR,		/* cannot open: err says why */
};

/* path NULL or "-": standard input. */
enum pcapfile_open	pcapfile_open(struct pcapfile *, const char *path,
			    char *err, size_t errlen);
/* 1 and the packet (its link type in dlt_cur), 0 at the end of the file,
 * -1 with err set when the file is cut or damaged (what came before stays
 * valid). *p is valid until the next call. */
int			pcapfile_next(struct pcapfile *, const uint8_t **p,
			    uint32_t *caplen, int64_t *ts_us, char *err,
			    size_t errlen);
void			pcapfile_close(struct pcapfile *);
/* After PCAPFILE_FALLBACK on a stream: a FILE that reads the bytes taken
 * so far and then the rest, for libpcap (it owns the descriptor then);
 * NULL when the input was not a stream (open it again by its path). */
FILE			*pcapfile_fallback_stream(struct pcapfile *);

/* Parses a pcap global header (24 bytes); for tests and the fallback
 * decision. Returns false when it is not a classic pcap we read. */
bool			pcapfile_header(struct pcapfile *, const uint8_t *,
			    size_t);

#endif
