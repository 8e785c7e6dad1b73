/* uring.c - asynchronous writes through io_uring, made with the raw
 * system calls (the ring layout is the kernel's ABI, linux/io_uring.h). */
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <errno.h>
#include <linux/io_uring.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "uring.h"
#include "xmalloc.h"

/* Log files keep one write in flight each; a few spare slots. Fewer writes
 * in flight than CQ entries means the completion queue never overflows. */
#define URING_SLOTS	8

struct uring_slot {
	uring_cb	 cb;
	void		*arg;
	bool		 busy;
};

static struct {
	int		 fd;
	int		 efd;
	bool		 on;
	bool		 failed;	/* set-up tried and failed: stay off */
	bool		 reaping;
	int		 inflight;
	struct event	*ev;

	void		*sq_map, *cq_map;
	size_t		 sq_len, cq_len;
	struct io_uring_sqe *sqes;
	size_t		 sqes_len;
	unsigned	*sq_tail, *sq_mask, *sq_array;
	unsigned	*cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;

	struct uring_slot slots[URING_SLOTS];
} ur = { .fd = -1, .efd = -1 };

static int
uring_enter(unsigned submit, unsigned wait, unsigned flags)
{
	return (int)syscall(__NR_io_uring_enter, ur.fd, submit, wait, flags,
	    NULL, 0);
}

/* The kernel must know IORING_OP_WRITE (5.6+). */
static bool
uring_probe_write(void)
{
	size_t			 len;
	struct io_uring_probe	*p;
	bool			 ok;

	len = sizeof *p + 256 * sizeof(struct io_uring_probe_op);
	p = xcalloc(1, len);
	ok = syscall(__NR_io_uring_register, ur.fd, IORING_REGISTER_PROBE, p,
	    256) == 0 && p->last_op >= IORING_OP_WRITE &&
	    (p->ops[IORING_OP_WRITE].flags & IO_URING_OP_SUPPORTED);
	free(p);
	return ok;
}

static void
uring_unmap(void)
{
	if (ur.sqes != NULL && ur.sqes != MAP_FAILED)
		munmap(ur.sqes, ur.sqes_len);
	if (ur.cq_map != NULL && ur.cq_map != MAP_FAILED &&
	    ur.cq_map != ur.sq_map)
		munmap(ur.cq_map, ur.cq_len);
	if (ur.sq_map != NULL && ur.sq_map != MAP_FAILED)
		munmap(ur.sq_map, ur.sq_len);
	ur.sqes = NULL;
	ur.sq_map = ur.cq_map = NULL;
	if (ur.efd != -1)
		close(ur.efd);
	if (ur.fd != -1)
		close(ur.fd);
	ur.efd = ur.fd = -1;
}

static int
uring_map(void)
{
	struct io_uring_params	p;
	unsigned char		*sq, *cq;

	memset(&p, 0, sizeof p);
	ur.fd = (int)syscall(__NR_io_uring_setup, URING_SLOTS, &p);
	if (ur.fd == -1)
		return -1;
	ur.sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	ur.cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		if (ur.cq_len > ur.sq_len)
			ur.sq_len = ur.cq_len;
		ur.cq_len = ur.sq_len;
	}
	ur.sq_map = mmap(NULL, ur.sq_len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_POPULATE, ur.fd, IORING_OFF_SQ_RING);
	if (ur.sq_map == MAP_FAILED)
		return -1;
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		ur.cq_map = ur.sq_map;
	else {
		ur.cq_map = mmap(NULL, ur.cq_len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ur.fd, IORING_OFF_CQ_RING);
		if (ur.cq_map == MAP_FAILED)
			return -1;
	}
	ur.sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	ur.sqes = mmap(NULL, ur.sqes_len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_POPULATE, ur.fd, IORING_OFF_SQES);
	if (ur.sqes == MAP_FAILED)
		return -1;
	sq = ur.sq_map;
	cq = ur.cq_map;
	ur.sq_tail = (unsigned *)(sq + p.sq_off.tail);
	ur.sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	ur.sq_array = (unsigned *)(sq + p.sq_off.array);
	ur.cq_head = (unsigned *)(cq + p.cq_off.head);
	ur.cq_tail = (unsigned *)(cq + p.cq_off.tail);
	ur.cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	ur.cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	if (p.sq_entries < URING_SLOTS || !uring_probe_write())
		return -1;
	ur.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ur.efd == -1 || syscall(__NR_io_uring_register, ur.fd,
	    IORING_REGISTER_EVENTFD, &ur.efd, 1) != 0)
		return -1;
	return 0;
}

static void
uring_event_cb(evutil_socket_t fd, short what, void *arg)
{
	uint64_t	v;

	(void)what;
	(void)arg;
	while (read(fd, &v, sizeof v) == -1 && errno == EINTR)
		;
	uring_reap();
}

int
uring_start(struct event_base *base)
{
	const char	*e;

	if (ur.on)
		return 0;
	if (ur.failed)
		return -1;
	if ((e = getenv("TCPDP_LOG_ASYNC")) != NULL && strcmp(e, "0") == 0) {
		ur.failed = true;
		return -1;
	}
	if (uring_map() == -1) {
		uring_unmap();
		ur.failed = true;
		return -1;
	}
	if (base != NULL) {
		ur.ev = event_new(base, ur.efd, EV_READ | EV_PERSIST,
		    uring_event_cb, NULL);
		if (ur.ev == NULL || event_add(ur.ev, NULL) == -1)
			fatalx("uring: event_new failed");
	}
	ur.on = true;
	return 0;
}

bool
uring_on(void)
{
	return ur.on;
}

int
uring_pwrite(int fd, const void *p, size_t n, uint64_t off, uring_cb cb,
    void *arg)
{
	struct io_uring_sqe	*sqe;
	unsigned		 tail, idx;
	int			 i, r;

	for (i = 0; i < URING_SLOTS && ur.slots[i].busy; i++)
		;
	if (i == URING_SLOTS)
		return -1;
	if (n > (1U << 30))
		n = 1U << 30;	/* a short write; the caller goes on */
	tail = *ur.sq_tail;
	idx = tail & *ur.sq_mask;
	sqe = &ur.sqes[idx];
	memset(sqe, 0, sizeof *sqe);
	sqe->opcode = IORING_OP_WRITE;
	sqe->fd = fd;
	sqe->addr = (uint64_t)(uintptr_t)p;
	sqe->len = (uint32_t)n;
	sqe->off = off;
	sqe->user_data = (uint64_t)i;
	sqe->flags = IOSQE_ASYNC;
	ur.sq_array[idx] = idx;
	atomic_store_explicit((_Atomic unsigned *)ur.sq_tail, tail + 1,
	    memory_order_release);
	ur.slots[i] = (struct uring_slot){ cb, arg, true };
	ur.inflight++;
	/* The submission is only refused for want of memory or with a full
	 * completion queue, which the slot count rules out: retry briefly. */
	while ((r = uring_enter(1, 0, 0)) == -1) {
		if (errno != EINTR && errno != EAGAIN && errno != EBUSY)
			fatalx("io_uring_enter: %s", strerror(errno));
		if (errno == EBUSY)
			uring_enter(0, 1, IORING_ENTER_GETEVENTS);
	}
	return 0;
}

void
uring_reap(void)
{
	struct io_uring_cqe	*cqe;
	struct uring_slot	 s;
	unsigned		 head;
	uint64_t		 i;
	long			 res;

	if (!ur.on || ur.reaping)
		return;
	ur.reaping = true;
	for (;;) {
		head = *ur.cq_head;
		if (head == atomic_load_explicit((_Atomic unsigned *)ur.cq_tail,
		    memory_order_acquire))
			break;
		cqe = &ur.cqes[head & *ur.cq_mask];
		i = cqe->user_data;
		res = cqe->res;
		atomic_store_explicit((_Atomic unsigned *)ur.cq_head, head + 1,
		    memory_order_release);
		if (i >= URING_SLOTS || !ur.slots[i].busy)
			continue;
		s = ur.slots[i];
		ur.slots[i].busy = false;
		ur.inflight--;
		/* A callback submits the next write at once; it may not reap
		 * (ur.reaping) but this loop picks its completion up. */
		s.cb(s.arg, res);
	}
	ur.reaping = false;
}

bool
uring_wait(void)
{
	if (!ur.on || ur.reaping || ur.inflight == 0)
		return false;
	if (uring_enter(0, 1, IORING_ENTER_GETEVENTS) == -1 &&
	    errno != EINTR && errno != EAGAIN)
		fatalx("io_uring_enter: %s", strerror(errno));
	uring_reap();
	return true;
}

void
uring_stop(void)
{
	if (!ur.on)
		return;
	while (ur.inflight > 0 && !ur.reaping)
		uring_wait();
	if (ur.ev != NULL)
		event_free(ur.ev);
	ur.ev = NULL;
	uring_unmap();
	ur.on = false;
}
