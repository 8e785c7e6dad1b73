/* sink-fd.c - records to a file descriptor (stdout, a plain file). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "sink.h"
#include "xmalloc.h"

#define SINK_FD_HIGH	(256 * 1024)

struct sink_fd {
	struct sink	 s;
	int		 fd;
	enum fmt	 fmt;
	struct buf	 b;
	int		 failed;
};

static void
sink_fd_flush(struct sink *s)
{
	struct sink_fd	*f = (struct sink_fd *)s;
	size_t		 off = 0;
	ssize_t		 n;

	while (off < f->b.len) {
		n = write(f->fd, f->b.p + off, f->b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EAGAIN) {
				/* Non-blocking consumer: keep the rest. */
				buf_consume(&f->b, off);
				return;
			}
			if (!f->failed && errno != EPIPE)
				fprintf(stderr, "tcpdp-top: write error: %s\n",
				    strerror(errno));
			f->failed = 1;
			break;
		}
		off += (size_t)n;
	}
	buf_reset(&f->b);
}

static void
sink_fd_write(struct sink *s, const struct rview *r, const struct conn *c)
{
	struct sink_fd	*f = (struct sink_fd *)s;

	(void)c;
	emit_view(&f->b, r, f->fmt);
	if (f->b.len >= SINK_FD_HIGH)
		sink_fd_flush(s);
}

static void
sink_fd_close(struct sink *s)
{
	struct sink_fd	*f = (struct sink_fd *)s;

	sink_fd_flush(s);
	buf_free(&f->b);
	free(f);
}

struct sink *
sink_fd_new(int fd, enum fmt fmt)
{
	struct sink_fd	*f;

	f = xcalloc(1, sizeof *f);
	f->s.name = "fd";
	f->s.write = sink_fd_write;
	f->s.flush = sink_fd_flush;
	f->s.close = sink_fd_close;
	f->fd = fd;
	f->fmt = fmt;
	buf_init(&f->b);
	return &f->s;
}
