/* decode-pg.c - the pg dumper: PostgreSQL frontend/backend protocol 3.
 *
 * Records (SPEC §4.4), upstream keys first, in upstream order:
 *   Q  query, message_type
 *   P  stmt_name, parse_query, message_type
 *   B  portal_name, stmt_name, bind_values, message_type
 *   E  portal_name, execute_query, message_type   (execute_query is the
 *      statement's text when its Parse was seen; upstream always "")
 * Beyond upstream (no upstream keys; message_type is an extension key):
 *   F  FunctionCall, message_type "F"; CancelRequest, message_type
 *   "cancel"; a failed login, message_type "startup"; a Sync answered
 *   with an error (a deferred constraint failing at the implicit commit),
 *   message_type "S"; an error ending a replication stream whose
 *   START_REPLICATION was already written, message_type "stream"; a
 *   FATAL error ending an idle session, message_type "fatal".
 * Startup parameters user/database go to the connection values as
 * username/database, in message order (as upstream).
 *
 * Extension keys (after the composer's keys), when known:
 *   param_types        P: declared parameter type OIDs
 *   stmt_query         B: the bound statement's text
 *   stmt_name          E: the statement the portal was bound from
 *   row_limit          E: maximum rows (0 = all)
 *   function_oid       F
 *   cancel_pid         cancel: the backend process id (never the key)
 *   auth_method        startup: password, md5, SASL mechanism, ...
 *   truncated          the message was longer than we keep (PG_KEEP_TEXT)
 *   decode_error       what was malformed in the message
 *   response_first_us  µs from the request to its first response message
 *   response_last_us   µs from the request to its completion
 *   rows               row count of the command tag(s), else DataRows seen
 *   command_tag        CommandComplete tag (the last one of a multi-
 *                      statement Query)
 *   error_severity, error_code (SQLSTATE), error_message   ErrorResponse
 *   notice_code, notice_message   the first NoticeResponse
 *   copy_bytes         CopyData bytes in either direction
 *   tx_status          Q/F: idle, transaction or failed (ReadyForQuery)
 *   status             ok, error, empty, suspended, or skipped (the server
 *                      discarded it after an earlier error, until Sync)
 * Records still waiting for a response at a gap or at close are emitted
 * without the response keys.
 *
 * Request records are emitted when their response completes: Q and F at
 * ReadyForQuery (Q also at CopyBothResponse: a replication stream ends
 * only with the connection), P at ParseComplete, B at BindComplete, E at
 * CommandComplete/EmptyQueryResponse/PortalSuspended, any of them at an
 * ErrorResponse (Q and F only at a FATAL one, which ends the session). A
 * Sync the server ignores (sent during an Execute's COPY FROM STDIN) is
 * not waited for. Requests are matched to responses in order through a
 * bounded queue; a response that cannot belong to the oldest pending
 * request is not for anything we saw and is ignored. Picked up
 * mid-stream (or past a gap), matches are tentative until a
 * ReadyForQuery confirms them (pg_hold_commit, pg_hold_undo). */
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "pg-frame.h"
#include "pg-stmt.h"
#include "pg-value.h"
#include "rd.h"
#include "xmalloc.h"

#define PG_KEEP_TEXT	(1024 * 1024)	/* Q/P/B text kept per message */
#define PG_KEEP_STMT	(64 * 1024)	/* text kept per named statement */
#define PG_KEEP_SMALL	8192
#define PG_QUEUE_MAX	4096		/* pending requests */
#define PG_POOL_MAX	PG_QUEUE_MAX	/* pending requests with a record */
#define PG_POOL_KEEP	128		/* records kept for reuse when idle */
/* Bytes of the records waiting for their responses, per connection and
 * in all: a batch of a few thousand Bind/Execute pairs fits, one of
 * huge texts is written as it comes, without its responses. */
#define PG_POOL_BYTES	(4u << 20)
#define PG_POOL_ALL	(64u << 20)
#define PG_ERRMSG_MAX	2048
#define PG_REC_SHRINK	(256 * 1024)
#define PG_REC_SMALL	2048

#define PG_CANCEL	80877102
#define PG_SSLREQ	80877103
#define PG_GSSREQ	80877104

#define PG_TLS_WHY	"client is trying to connect using SSL. " \
			"tcpdp pg dumper not support SSL connection"

enum pg_kind {
	K_Q, K_P, K_B, K_E, K_D, K_C, K_S, K_F,
};
#define M(k)	(1u << (k))

enum pg_phase {
	PH_UNKNOWN,	/* picked up mid-stream */
	PH_STARTUP,	/* startup sent, no ReadyForQuery yet */
	PH_READY,
};

struct pg_slot {
	uint8_t		kind;
	int32_t		rec;		/* pool index, -1 when none */
	int64_t		ts;
	uint64_t	seq;
	uint64_t	acked;		/* the server's bytes the client had
					 * when it sent this (struct chunk
					 * peer_acked); 0: not known */
	uint64_t	gen;		/* Describe of a statement: which
					 * definition (pg_stmt gen), else 0 */
	uint32_t	mark;		/* held: the record's fields before
					 * its response keys */
	uint32_t	tags;		/* PH_UNKNOWN, Q and E: the command
					 * tags its statement can give
					 * (pg_sql_tags), 0: any */
	uint32_t	rbytes;		/* of its record, in pool_held */
	bool		blind;		/* sent after client bytes we did not
					 * decode, in the same Sync group as
					 * the requests among them */
};

/* What the server said so far about the oldest pending request; cleared
 * field by field (pg_resp_reset), so a new field goes there too. */
struct pg_resp {
	bool		any, err, notice, empty, copy, tagrows_known;
	bool		copy_from;	/* CopyInResponse: the client's data */
	char		tx;
	int64_t		first_ts;
	uint64_t	datarows, tagrows, copy_bytes;
	char		tag[64];
	uint8_t		taglen;
	char		sev[16];
	uint8_t		sevlen;
	char		code[8];
	uint8_t		codelen;
	char		ncode[8];
	uint8_t		ncodelen;
	struct buf	msg;
	struct buf	nmsg;
};

struct pg_state {
	struct conn	*c;
	struct pg_frame	 f[2];
	uint8_t		 phase;
	bool		 meta_done;
	bool		 skip_open;	/* discarding until Sync after an error */
	bool		 copy_in;	/* an Execute's COPY FROM STDIN runs: the
					 * server ignores Syncs until CopyDone */
	bool		 sasl_mech_seen;
	bool		 streaming;	/* a CopyBoth stream runs, its request
					 * already written (pg_copy_both) */
	bool		 drain;		/* PH_UNKNOWN: responses to requests
					 * before the capture still come;
					 * ignored up to a ReadyForQuery */
	bool		 drain_hit;	/* one of them could answer the
					 * oldest pending request */
	bool		 drain_strict;	/* the drain began at another
					 * statement's command tag: only a
					 * tag of ours ends it early */
	bool		 blind;		/* client bytes were skipped or lost
					 * since the last Sync or Query */
	bool		 z_free;	/* a ReadyForQuery with nothing of
					 * ours pending came after our last
					 * request, the server having read
					 * the client's bytes up to z_acked */
	uint64_t	 z_acked;
	uint64_t	 cskipped;	/* f[DIR_C2S].skipped seen */
	bool		 seg_err;	/* an ErrorResponse since the last
					 * ReadyForQuery */
	uint32_t	 seg_done;	/* responses since then that each
					 * complete one request (pg_seg) */
	uint32_t	 nheld;		/* PH_UNKNOWN: popped, not yet
					 * emitted (the nheld slots before
					 * qhead), see pg_hold */
	bool		 pipelined;	/* the client sent a request before
					 * it had the ReadyForQuery of a
					 * Sync, Query or FunctionCall */
	bool		 held_z;	/* held across a ReadyForQuery of a
					 * pipelined client (pg_hold_undo) */
	bool		 unsure;	/* picked up mid-stream or past a
					 * loss, not confirmed since: a
					 * ReadyForQuery with nothing of ours
					 * pending may have ended one of
					 * several unseen groups */
	uint8_t		 sslreq;	/* 'S' or 'G' while the answer is due */
	int64_t		 ssl_ts;
	uint64_t	 ssl_seq;
	int64_t		 startup_ts;
	uint64_t	 startup_seq;
	char		 auth[48];
	struct pg_slot	*q;
	uint32_t	 qhead, qlen, qcap;
	struct record	*pool;
	uint32_t	 npool, cappool;
	uint32_t	*freel;
	uint32_t	 nfree;
	size_t		 pool_held;	/* bytes of the records pending */
	struct record	 scratch;
	struct pg_resp	 resp;
	struct pg_stmts	 stmts;
	uint64_t	 skipped_seen;
	uint64_t	 lost_gen;	/* statement generation (pg_stmt gen)
					 * at the last loss of client bytes:
					 * those defined before may have been
					 * redefined unseen */
};

static uint32_t	keep_c[256], keep_s[256];
static size_t	pg_pool_all;	/* pool_held of all connections */

static void
pg_keep_init(void)
{
	if (keep_c['Q'] != 0)
		return;
	keep_c['Q'] = keep_c['P'] = keep_c['B'] = PG_KEEP_TEXT;
	keep_c['E'] = keep_c['D'] = keep_c['C'] = keep_c['F'] = PG_KEEP_SMALL;
	keep_c[PG_MSG_STARTUP] = PG_STARTUP_MAX;
	/* Password and SASL bodies are secrets: keep only enough for the
	 * SASL mechanism name. */
	keep_c['p'] = 64;
	keep_s['E'] = keep_s['N'] = PG_KEEP_SMALL;
	keep_s['C'] = 64;
	keep_s['Z'] = 1;
	keep_s['R'] = 256;
	keep_s['T'] = 2;
	keep_s['t'] = 2 + 4 * 65535;	/* every parameter's type OID */
}

/* Records. */

static struct record *
pg_rec_get(struct pg_state *st, int32_t *idx)
{
	uint32_t	i;

	if (st->nfree > 0) {
		i = st->freel[--st->nfree];
	} else if (st->npool < PG_POOL_MAX) {
		if (st->npool == st->cappool) {
			st->cappool = st->cappool ? st->cappool * 2 : 16;
			st->pool = xreallocarray(st->pool, st->cappool,
			    sizeof *st->pool);
			st->freel = xreallocarray(st->freel, st->cappool,
			    sizeof *st->freel);
		}
		i = st->npool++;
		rec_init(&st->pool[i]);
	} else {
		*idx = -1;
		rec_reset(&st->scratch);
		return &st->scratch;
	}
	*idx = (int32_t)i;
	rec_reset(&st->pool[i]);
	return &st->pool[i];
}

/* After emission: a record that held a huge text gives its memory back,
 * so a connection keeps at most a little per pooled record; beyond the
 * records kept for reuse (a deep pipeline still running), any but a
 * small one does. */
static void
pg_rec_done(struct pg_state *st, struct record *r)
{
	if (r->acap > PG_REC_SHRINK ||
	    (st->npool > PG_POOL_KEEP && r->acap > PG_REC_SMALL))
		rec_free(r);
	else
		rec_reset(r);
}

static void
pg_rec_put(struct pg_state *st, int32_t idx)
{
	if (idx >= 0)
		st->freel[st->nfree++] = (uint32_t)idx;
}

/* What a record costs while it waits for its response. */
static size_t
pg_rec_bytes(const struct record *r)
{
	return r->capf * sizeof *r->f + r->capel * sizeof *r->el + r->acap;
}

/* A record that waited goes: its bytes leave the budgets. */
static void
pg_rec_release(struct pg_state *st, struct pg_slot *s)
{
	st->pool_held -= s->rbytes;
	pg_pool_all -= s->rbytes;
	s->rbytes = 0;
	pg_rec_put(st, s->rec);
}

/* Nothing pending: a deep pipeline's records beyond the few kept for
 * reuse give their memory back. */
static void
pg_pool_trim(struct pg_state *st)
{
	uint32_t	i;

	if (st->npool <= PG_POOL_KEEP || st->nfree != st->npool)
		return;
	for (i = PG_POOL_KEEP; i < st->npool; i++)
		rec_free(&st->pool[i]);
	st->npool = st->cappool = PG_POOL_KEEP;
	st->pool = xreallocarray(st->pool, st->cappool, sizeof *st->pool);
	st->freel = xreallocarray(st->freel, st->cappool, sizeof *st->freel);
	for (i = 0; i < st->npool; i++)
		st->freel[i] = i;
	st->nfree = st->npool;
}

static struct record *
pg_rec(struct pg_state *st, int32_t idx)
{
	return idx >= 0 ? &st->pool[idx] : &st->scratch;
}

/* Queue of pending requests. */

static struct pg_slot *
pg_slot_at(struct pg_state *st, uint32_t i)
{
	return &st->q[(st->qhead + i) & (st->qcap - 1)];
}

/* Per response, so the text fields are not cleared: their lengths say
 * what of them is set. */
static void
pg_resp_reset(struct pg_resp *r)
{
	r->any = r->err = r->notice = r->empty = r->copy = false;
	r->tagrows_known = r->copy_from = false;
	r->tx = 0;
	r->first_ts = 0;
	r->datarows = r->tagrows = r->copy_bytes = 0;
	r->taglen = r->sevlen = r->codelen = r->ncodelen = 0;
	buf_reset(&r->msg);
	buf_reset(&r->nmsg);
}

static void
pg_tx_status(struct record *r, char tx)
{
	switch (tx) {
	case 'I':
		rec_lit(r, "tx_status", "idle");
		break;
	case 'T':
		rec_lit(r, "tx_status", "transaction");
		break;
	case 'E':
		rec_lit(r, "tx_status", "failed");
		break;
	default:
		rec_lit(r, "tx_status", "unknown");
	}
}

/* The error keys of the ErrorResponse in rp (pg_err_fields). */
static void
pg_rec_err(struct record *r, const struct pg_resp *rp)
{
	rec_str(r, "error_severity", rp->sev, rp->sevlen);
	rec_str(r, "error_code", rp->code, rp->codelen);
	rec_str(r, "error_message", rp->msg.p, rp->msg.len);
}

static void
pg_resp_keys(struct pg_state *st, struct record *r, const struct pg_slot *s,
    const char *status, int64_t ts_last)
{
	struct pg_resp	*rp = &st->resp;

	if (rp->any) {
		rec_int(r, "response_first_us",
		    rp->first_ts > s->ts ? rp->first_ts - s->ts : 0);
		rec_int(r, "response_last_us",
		    ts_last > s->ts ? ts_last - s->ts : 0);
	}
	if (s->kind == K_Q || s->kind == K_E) {
		if (rp->tagrows_known)
			rec_uint(r, "rows", rp->tagrows);
		else if (rp->datarows > 0)
			rec_uint(r, "rows", rp->datarows);
		if (rp->taglen > 0)
			rec_str(r, "command_tag", rp->tag, rp->taglen);
	}
	if (rp->err)
		pg_rec_err(r, rp);
	if (rp->notice) {
		rec_str(r, "notice_code", rp->ncode, rp->ncodelen);
		rec_str(r, "notice_message", rp->nmsg.p, rp->nmsg.len);
	}
	/* The server had read client bytes we did not see (lost in
	 * capture, the gap known only with the client's next bytes): some
	 * of its copy data, and the count would fall short. */
	if (rp->copy_bytes > 0 &&
	    !(rp->copy_from && conn_read_unseen(st->c, DIR_S2C)))
		rec_uint(r, "copy_bytes", rp->copy_bytes);
	if (rp->tx != 0)
		pg_tx_status(r, rp->tx);
	rec_lit(r, "status", status);	/* our words: "ok", "error" */
}

/* An error raised at a Sync (a deferred constraint checked at the
 * implicit commit) belongs to no request of ours: the Executes before it
 * completed "ok" at their CommandComplete. It gets a record of its own,
 * or the failed commit would not be seen. */
static void
pg_sync_error(struct pg_state *st, const struct pg_slot *s, int64_t ts_last)
{
	struct record	*r = &st->scratch;

	rec_reset(r);
	rec_mark_ext(r);
	rec_lit(r, "message_type", "S");
	pg_resp_keys(st, r, s, "error", ts_last);
	conn_emit(st->c, r, DIR_C2S, s->ts, s->seq);
}

/* What a Parse's answer (its pop's status; NULL: none seen) says of the
 * statement it defines. */
static enum pg_parse_outcome
pg_parse_outcome(const char *status)
{
	if (status == NULL)
		return PG_PARSE_UNKNOWN;
	if (strcmp(status, "ok") == 0)
		return PG_PARSE_OK;
	return strcmp(status, "error") == 0 ? PG_PARSE_FAILED :
	    PG_PARSE_UNKNOWN;
}

/* Completes the oldest pending request: emits its record, with the
 * response keys unless status is NULL. answered: a response completed
 * it (else it is given up: gap, close, overflow). */
static void
pg_pop_x(struct pg_state *st, const char *status, int64_t ts_last,
    bool answered)
{
	struct pg_slot	*s;
	struct record	*r;

	if (st->qlen == 0)
		return;
	s = pg_slot_at(st, 0);
	/* Copy-in mode ends with its Execute at the latest, even if the
	 * CopyDone was seen first. */
	if (s->kind == K_E)
		st->copy_in = false;
	if (s->kind == K_P && s->gen != 0)
		pg_stmt_settle(&st->stmts, s->gen,
		    pg_parse_outcome(answered ? status : NULL));
	if (answered && st->phase == PH_UNKNOWN) {
		/* Matched tentatively: held until a ReadyForQuery confirms
		 * the match (pg_hold_commit) or a response that fits no
		 * request shows it was wrong (pg_hold_undo). Every slot is
		 * held, with a record or not, so the held ones stay just
		 * before qhead. */
		if (s->rec >= 0) {
			r = pg_rec(st, s->rec);
			s->mark = r->nf;
			if (status != NULL)
				pg_resp_keys(st, r, s, status, ts_last);
		}
		st->nheld++;
	} else if (s->rec >= 0) {
		r = pg_rec(st, s->rec);
		if (status != NULL)
			pg_resp_keys(st, r, s, status, ts_last);
		conn_emit(st->c, r, DIR_C2S, s->ts, s->seq);
		pg_rec_done(st, r);
		pg_rec_release(st, s);
	} else if (s->kind == K_S && status != NULL && st->resp.err) {
		pg_sync_error(st, s, ts_last);
	}
	st->qhead = (st->qhead + 1) & (st->qcap - 1);
	st->qlen--;
	pg_resp_reset(&st->resp);
}

static void
pg_pop(struct pg_state *st, const char *status, int64_t ts_last)
{
	pg_pop_x(st, status, ts_last, true);
}

/* The oldest pending request will get no response we can match. */
static void
pg_pop_lost(struct pg_state *st)
{
	pg_pop_x(st, NULL, 0, false);
}

/* A capture that begins inside a connection (PH_UNKNOWN) may see the
 * server still answering requests sent before it began: a pipeline's
 * ParseComplete, BindComplete, CommandComplete can fit the first
 * requests we saw as well as theirs, and taking them would give every
 * later request its predecessor's response. So until a ReadyForQuery
 * confirms the matching, the requests it completed are held (kept in
 * the ring before qhead, response keys added); a response that fits no
 * pending request proves the matching wrong and puts them back. */
static struct pg_slot *
pg_held_at(struct pg_state *st, uint32_t i)
{
	return &st->q[(st->qhead - st->nheld + i) & (st->qcap - 1)];
}

/* The held requests go out: with their responses (commit), or without
 * them when those may be others' (drop). */
static void
pg_hold_out(struct pg_state *st, bool with_resp)
{
	struct pg_slot	*s;
	struct record	*r;
	uint32_t	 i;

	for (i = 0; i < st->nheld; i++) {
		s = pg_held_at(st, i);
		if (s->rec < 0)
			continue;
		r = pg_rec(st, s->rec);
		if (!with_resp)
			rec_truncate(r, s->mark);
		conn_emit(st->c, r, DIR_C2S, s->ts, s->seq);
		pg_rec_done(st, r);
		pg_rec_release(st, s);
	}
	st->nheld = 0;
	st->held_z = false;
}

static void
pg_hold_commit(struct pg_state *st)
{
	pg_hold_out(st, true);
}

/* The held requests' responses were another's: they go back to the
 * queue without them, and responses are ignored up to the next
 * ReadyForQuery (pg_drain_ready). Held across a ReadyForQuery of a
 * client that sends Sync groups without waiting (postgres.js, pipeline
 * modes), they were shifted by an unknown number of unseen groups of the
 * same shape: matching them again from the next response would shift
 * them again, so they go out without responses. */
static void
pg_hold_undo(struct pg_state *st)
{
	struct pg_slot	*s;
	uint32_t	 i;

	if (st->held_z)
		pg_hold_out(st, false);
	for (i = 0; i < st->nheld; i++) {
		s = pg_held_at(st, i);
		if (s->rec >= 0)
			rec_truncate(pg_rec(st, s->rec), s->mark);
	}
	if (st->nheld > 0)
		st->drain_hit = true;	/* the head had a response */
	st->drain_strict = false;
	st->qhead = (st->qhead - st->nheld) & (st->qcap - 1);
	st->qlen += st->nheld;
	st->nheld = 0;
	st->skip_open = false;
	st->copy_in = false;
	st->drain = true;
	pg_resp_reset(&st->resp);
}

/* A ReadyForQuery before our blind requests' Sync: the unseen requests'
 * group ended there, and ours are a group of their own. */
static void
pg_unblind(struct pg_state *st)
{
	uint32_t	i;

	for (i = 0; i < st->qlen; i++)
		pg_slot_at(st, i)->blind = false;
}

/* Everything pending lost its response (gap, resync, close). */
static void
pg_flush(struct pg_state *st)
{
	pg_hold_commit(st);
	st->drain = false;
	st->drain_hit = false;
	while (st->qlen > 0)
		pg_pop_lost(st);
	st->skip_open = false;
	st->copy_in = false;
	st->streaming = false;
}

/*
 * Before a request is queued: whether the client pipelines Sync groups
 * (its previous group's end still unanswered, the client having read
 * the server's bytes we saw and no others: a request sent after a
 * response lost in capture is no sign; or sent in the same microsecond,
 * where the ACK is not known past a loss: no server answers that fast).
 * Held mid-stream matches of such a client are confirmed only once it
 * sends a request having read every server byte (nothing of the unseen
 * groups can be still to come), not at a ReadyForQuery, which may end
 * one of the unseen groups ahead of ours.
 */
static void
pg_pipelined(struct pg_state *st, int64_t ts)
{
	struct pg_slot	*t;
	bool		 read_all = st->c->acked[DIR_C2S] != 0 &&
			    st->c->acked[DIR_C2S] == st->c->pos[DIR_S2C];

	if (st->qlen > 0) {
		t = pg_slot_at(st, st->qlen - 1);
		if ((t->kind == K_S || t->kind == K_Q || t->kind == K_F) &&
		    (read_all || t->ts == ts) && !st->pipelined) {
			/* Found out only now: what went before was matched
			 * as if the client waited. */
			if (st->unsure && st->phase == PH_READY &&
			    st->nheld == 0)
				st->phase = PH_UNKNOWN;
			st->pipelined = true;
		}
	}
	if (st->phase == PH_UNKNOWN && st->pipelined && st->qlen == 0 &&
	    st->nheld > 0 && read_all) {
		pg_hold_commit(st);
		st->phase = PH_READY;
		st->unsure = false;
	}
}

static struct pg_slot *
pg_push(struct pg_state *st, uint8_t kind, int32_t idx, int64_t ts,
    uint64_t seq)
{
	struct pg_slot	*nq, *s;
	uint32_t	 i, ncap;

	if (st->qlen + st->nheld >= PG_QUEUE_MAX)
		pg_hold_commit(st);
	if (st->qlen == PG_QUEUE_MAX)
		pg_pop_lost(st);
	if (st->qlen + st->nheld == st->qcap) {
		ncap = st->qcap ? st->qcap * 2 : 16;
		nq = xreallocarray(NULL, ncap, sizeof *nq);
		for (i = 0; i < st->nheld + st->qlen; i++)
			nq[i] = *pg_held_at(st, i);
		free(st->q);
		st->q = nq;
		st->qcap = ncap;
		st->qhead = st->nheld;
	}
	pg_pipelined(st, ts);
	s = &st->q[(st->qhead + st->qlen) & (st->qcap - 1)];
	s->kind = kind;
	s->rec = idx;
	s->ts = ts;
	s->seq = seq;
	s->acked = st->c->acked[DIR_C2S];
	s->gen = 0;
	s->tags = 0;
	s->rbytes = 0;
	/* A Sync ends the group; a Query or FunctionCall too, and its own
	 * response follows the unseen requests' (drained by shape and
	 * command tag, as at any mid-stream start). */
	s->blind = st->blind && kind != K_Q && kind != K_F;
	if (kind == K_S || kind == K_Q || kind == K_F)
		st->blind = false;
	st->qlen++;
	return s;
}

/* Queues a request whose record (if any) is r/idx, built with its
 * extension mark set. Returns its slot, or NULL when the server skips it
 * (an earlier message failed). */
static struct pg_slot *
pg_submit(struct pg_state *st, uint8_t kind, struct record *r, int32_t idx,
    const struct pg_msg *m)
{
	struct pg_slot	*s;
	size_t		 b = 0;

	if (st->skip_open && kind != K_S) {
		/* The server discards it: an earlier message failed. */
		if (r != NULL) {
			rec_cstr(r, "status", "skipped");
			conn_emit(st->c, r, DIR_C2S, m->ts, m->seq);
			pg_rec_done(st, r);
			pg_rec_put(st, idx);
		}
		return NULL;
	}
	if (kind == K_S)
		st->skip_open = false;
	/* A client sends requests once logged in: the ReadyForQuery that
	 * ended the startup was lost, and with it maybe responses. A later
	 * error without a request is not a failed login. */
	if (st->phase == PH_STARTUP)
		st->phase = PH_UNKNOWN;
	st->streaming = false;
	if (r != NULL && idx >= 0) {
		b = pg_rec_bytes(r);
		if (st->pool_held + b > PG_POOL_BYTES ||
		    pg_pool_all + b > PG_POOL_ALL) {
			pg_rec_put(st, idx);	/* r stays valid until reused */
			idx = -1;
		}
	}
	if (r != NULL && idx < 0) {
		/* No room to hold it: out now, without its response. */
		conn_emit(st->c, r, DIR_C2S, m->ts, m->seq);
		pg_rec_done(st, r);
	}
	s = pg_push(st, kind, r != NULL ? idx : -1, m->ts, m->seq);
	if (s->rec >= 0) {
		s->rbytes = (uint32_t)b;
		st->pool_held += b;
		pg_pool_all += b;
	}
	return s;
}

/* Whether a command tag can be the first one of a request whose
 * statement gives tags (pg_sql_tags). */
static bool
pg_tag_fits(uint32_t tags, const char *tag, size_t n)
{
	uint32_t	w;

	if (tags == 0 || (w = pg_tag_word(tag, n)) == 0)
		return true;
	return (tags & w) != 0;
}

/* A CommandComplete that names the oldest pending request's statement
 * (where pg_tag_fits lets anything through, this does not). */
static bool
pg_tag_ours(struct pg_state *st, const struct pg_msg *m)
{
	const uint8_t	*z;
	uint32_t	 tags = pg_slot_at(st, 0)->tags, w;

	if (m->type != 'C' || tags == 0)
		return false;
	z = memchr(m->p, 0, m->n);
	w = pg_tag_word((const char *)m->p, z != NULL ?
	    (size_t)(z - m->p) : m->n);
	return (tags & w) != 0;
}

/* Whether the response m belongs to the oldest pending request (one of
 * the kinds in mask). Responses come in request order and a gap flushes
 * the queue, so a response that does not fit the oldest request is for
 * one we did not see (a mid-stream start): it is ignored, as is one that
 * began before the request was complete. */
static bool
pg_align(struct pg_state *st, unsigned mask, const struct pg_msg *m)
{
	struct pg_slot	*s;

	if (st->drain) {
		if (st->qlen == 0 || !(mask & M(pg_slot_at(st, 0)->kind)))
			return false;
		/* A Query's (or FunctionCall's) own RowDescription,
		 * DataRows and ReadyForQuery come with a response of its own
		 * that ends the drain (CommandComplete, EmptyQueryResponse,
		 * CopyInResponse, FunctionCallResponse) or leaves it in doubt
		 * (an error): without one they are the unseen group's (a
		 * Describe's RowDescription, its Sync's ReadyForQuery). */
		if ((M(pg_slot_at(st, 0)->kind) & (M(K_Q) | M(K_F))) &&
		    (m->type == 'Z' || m->type == 'T' || m->type == 'D'))
			return false;
		if (st->drain_strict && !pg_tag_ours(st, m)) {
			/* Still the unseen request's group; an error may be
			 * either's. */
			if (mask == ~0u)
				st->drain_hit = true;
			return false;
		}
		/* It fits our oldest request. An error fits anything: not
		 * a sign. A response of the kind the request wants is
		 * (pg-cursor's Execute/Flush rounds have no Sync for long):
		 * matching starts again from it, tentatively as before. */
		st->drain_hit = true;
		if (mask == ~0u || m->ts_first < pg_slot_at(st, 0)->ts)
			return false;
		st->drain = false;
	}
	if (st->qlen == 0) {
		if (st->nheld > 0)
			pg_hold_undo(st);
		return false;
	}
	s = pg_slot_at(st, 0);
	if (m->ts_first < s->ts)
		return false;
	if (!(mask & M(s->kind))) {
		/* Mid-stream, this answers a request we did not see: so may
		 * the responses before it, up to a ReadyForQuery. */
		if (st->phase == PH_UNKNOWN)
			pg_hold_undo(st);
		return false;
	}
	if (!st->resp.any) {
		st->resp.any = true;
		st->resp.first_ts = m->ts_first;
	}
	return true;
}

static uint8_t
pg_head_kind(struct pg_state *st)
{
	return pg_slot_at(st, 0)->kind;
}

/* Reading helpers. */

/* A NUL-terminated string, or the rest of a message cut short by the
 * keep limit (then *cut is set). */
static const char *
pg_cstr(struct rd *r, size_t *n, bool *cut)
{
	const char	*s;

	if (r->bad)
		return NULL;
	s = rd_cstr(r, n);
	if (s == NULL && cut != NULL) {
		r->bad = false;
		s = (const char *)rd_ptr(r);
		*n = rd_left(r);
		r->off = r->len;
		r->bad = true;
		*cut = true;
	}
	return s;
}

static void
pg_malformed(struct pg_state *st, struct record *r, const char *what)
{
	st->c->st.decode_errors++;
	if (r != NULL)
		rec_cstr(r, "decode_error", what);
}

/* Client messages. */

static void
pg_startup(struct pg_state *st, const struct pg_msg *m)
{
	struct conn	*c = st->c;
	struct record	*r;
	struct rd	 rd;
	const char	*k, *v;
	size_t		 kn, vn;

	switch (m->code) {
	case PG_SSLREQ:
	case PG_GSSREQ:
		st->sslreq = m->code == PG_SSLREQ ? 'S' : 'G';
		st->ssl_ts = m->ts;
		st->ssl_seq = m->seq;
		st->f[DIR_C2S].st = PG_FS_STARTUP;
		st->f[DIR_S2C].st = PG_FS_SSLANS;
		return;
	case PG_CANCEL:
		rd_init(&rd, m->p, m->n);
		r = &st->scratch;
		rec_reset(r);
		rec_mark_ext(r);
		rec_cstr(r, "message_type", "cancel");
		rec_uint(r, "cancel_pid", rd_be32(&rd));
		conn_emit(c, r, DIR_C2S, m->ts, m->seq);
		return;
	}
	st->phase = PH_STARTUP;
	st->unsure = false;
	st->startup_ts = m->ts;
	st->startup_seq = m->seq;
	rd_init(&rd, m->p, m->n);
	for (;;) {
		if ((k = rd_cstr(&rd, &kn)) == NULL) {
			pg_malformed(st, NULL, "startup");
			break;
		}
		if (kn == 0)
			break;
		if ((v = rd_cstr(&rd, &vn)) == NULL) {
			pg_malformed(st, NULL, "startup");
			break;
		}
		if (st->meta_done)
			continue;
		if (kn == 4 && memcmp(k, "user", 4) == 0)
			rec_str(&c->meta, "username", v, vn);
		else if (kn == 8 && memcmp(k, "database", 8) == 0)
			rec_str(&c->meta, "database", v, vn);
	}
	st->meta_done = true;
}

static void
pg_tls(struct pg_state *st, int64_t ts, uint64_t seq)
{
	(void)seq;
	st->f[DIR_C2S].st = PG_FS_OFF;
	st->f[DIR_S2C].st = PG_FS_OFF;
	pg_flush(st);
	conn_set_tls(st->c, DIR_C2S, ts, PG_TLS_WHY);
}

static void
pg_query(struct pg_state *st, const struct pg_msg *m)
{
	struct record	*r;
	struct pg_slot	*q;
	int32_t		 idx;
	const uint8_t	*z;
	size_t		 n;

	r = pg_rec_get(st, &idx);
	z = m->n ? memchr(m->p, 0, m->n) : NULL;
	n = z != NULL ? (size_t)(z - m->p) : m->n;
	rec_str(r, "query", m->p, n);
	rec_lit(r, "message_type", "Q");
	rec_mark_ext(r);
	if (m->n < m->len)
		rec_bool(r, "truncated", true);
	else if (z == NULL)
		pg_malformed(st, r, "Query without terminator");
	pg_stmts_unnamed_reset(&st->stmts);
	/* pgbouncer's DISCARD ALL between two clients' transactions,
	 * PDO's DEALLOCATE, asyncpg's CLOSE ALL: a later Bind of that name
	 * is another statement (or none), not the one we kept. */
	pg_stmts_sql(&st->stmts, (const char *)m->p, n);
	st->c->st.requests++;
	if ((q = pg_submit(st, K_Q, r, idx, m)) != NULL &&
	    st->phase == PH_UNKNOWN)
		q->tags = pg_sql_tags((const char *)m->p, n);
}

static void
pg_parse(struct pg_state *st, const struct pg_msg *m)
{
	struct record	*r;
	struct pg_stmt	*s;
	struct pg_slot	*q;
	struct rd	 rd;
	const char	*name, *query;
	size_t		 nn = 0, qn = 0;
	bool		 cut = false;
	int32_t		 idx;
	int		 np, i;
	enum resc	 esc;
	uint32_t	 oid;
	uint64_t	 gen;

	r = pg_rec_get(st, &idx);
	rd_init(&rd, m->p, m->n);
	name = pg_cstr(&rd, &nn, &cut);
	query = pg_cstr(&rd, &qn, &cut);
	if (query == NULL)
		query = "";
	/* Classified once: Bind and Execute records repeat the text. */
	esc = rec_esc_class(query, qn);
	rec_str(r, "stmt_name", name != NULL ? name : "", nn);
	rec_str_esc(r, "parse_query", query, qn, esc);
	rec_lit(r, "message_type", "P");
	rec_mark_ext(r);
	/* A named statement must be closed before it is parsed again: a
	 * Parse of a name in use fails (42P05: behind pgbouncer, another
	 * client's statement of that name), and the statement stays the
	 * old one. The new text waits for the ParseComplete. */
	if (nn > 0 && pg_stmt_find(&st->stmts, name, nn) != NULL)
		s = pg_stmt_define_pending(&st->stmts, name, nn, query, qn,
		    PG_KEEP_STMT);
	else
		s = pg_stmt_define(&st->stmts, name != NULL ? name : "", nn,
		    query, qn, nn == 0 ? PG_KEEP_TEXT : PG_KEEP_STMT);
	gen = s->gen;
	s->esc = (uint8_t)esc;
	if (m->n < m->len)
		s->truncated = true;
	/* Counts are unsigned: up to 65535 parameters (the server's and
	 * libpq's limit), not 32767. */
	np = rd_be16(&rd);
	if (rd_ok(&rd) && np > 0) {
		rec_array_begin(r, "param_types");
		for (i = 0; i < np; i++) {
			oid = rd_be32(&rd);
			if (!rd_ok(&rd))
				break;
			rec_el_uint(r, oid);
			pg_stmt_add_oid(s, oid);
		}
		rec_array_end(r);
	}
	if (m->n < m->len)
		rec_bool(r, "truncated", true);
	else if (!rd_ok(&rd) || rd_left(&rd) != 0)
		pg_malformed(st, r, "Parse");
	if ((q = pg_submit(st, K_P, r, idx, m)) != NULL)
		q->gen = gen;
	else		/* skipped after an error: its Binds are too */
		pg_stmt_settle(&st->stmts, gen, PG_PARSE_UNKNOWN);
}

static void
pg_bind(struct pg_state *st, const struct pg_msg *m)
{
	struct record	*r;
	struct pg_stmt	*s;
	struct rd	 rd;
	const char	*portal, *stmt;
	const uint8_t	*fmts = NULL, *v;
	size_t		 pn = 0, sn = 0;
	bool		 cut = false, bad = false;
	int32_t		 idx, vlen;
	int		 nf, np = 0, i, fmt;
	uint32_t	 oid;

	r = pg_rec_get(st, &idx);
	rd_init(&rd, m->p, m->n);
	portal = pg_cstr(&rd, &pn, &cut);
	stmt = pg_cstr(&rd, &sn, &cut);
	if (portal == NULL)
		portal = "";
	if (stmt == NULL)
		stmt = "";
	s = pg_stmt_find(&st->stmts, stmt, sn);
	rec_str(r, "portal_name", portal, pn);
	rec_str(r, "stmt_name", stmt, sn);
	rec_array_begin(r, "bind_values");
	/* Both counts are unsigned 16-bit, as in Parse. */
	nf = rd_be16(&rd);
	fmts = rd_take(&rd, (size_t)nf * 2);
	np = rd_be16(&rd);
	for (i = 0; !bad && i < np; i++) {
		vlen = (int32_t)rd_be32(&rd);
		if (!rd_ok(&rd))
			break;
		if (vlen == -1) {
			rec_el_null(r);
			continue;
		}
		if (vlen < 0) {
			bad = true;
			break;
		}
		if ((size_t)vlen > rd_left(&rd) && m->n < m->len) {
			/* The value runs past what we keep (a 2 MB bytea):
			 * its first bytes, as a cut query shows its start
			 * ("truncated" says so), rather than no value. */
			vlen = (int32_t)rd_left(&rd);
			np = i + 1;
		}
		if ((v = rd_take(&rd, (size_t)vlen)) == NULL) {
			bad = true;
			break;
		}
		/* One format code applies to every parameter (upstream
		 * indexes past it and crashes). */
		if (nf == 0 || fmts == NULL)
			fmt = 0;
		else if (nf == 1)
			fmt = (int16_t)(fmts[0] << 8 | fmts[1]);
		else if (i < nf)
			fmt = (int16_t)(fmts[2 * i] << 8 | fmts[2 * i + 1]);
		else
			fmt = -1;
		oid = s != NULL && (uint32_t)i < s->noids ? s->oids[i] : 0;
		pg_value_el(r, oid, fmt, v, (size_t)vlen);
	}
	rec_array_end(r);
	rec_lit(r, "message_type", "B");
	rec_mark_ext(r);
	if (s != NULL)
		rec_str_esc(r, "stmt_query", s->query.p, s->query.len,
		    (enum resc)s->esc);
	/* A named statement's text is kept shorter (PG_KEEP_STMT) than
	 * the Parse's: stmt_query says it is cut, as execute_query does. */
	if (m->n < m->len || (s != NULL && s->truncated))
		rec_bool(r, "truncated", true);
	if (m->n == m->len && (bad || !rd_ok(&rd) || (nf > 1 && nf != np)))
		pg_malformed(st, r, "Bind");
	pg_portal_bind(&st->stmts, portal, pn, stmt, sn);
	pg_submit(st, K_B, r, idx, m);
}

static void
pg_execute(struct pg_state *st, const struct pg_msg *m)
{
	struct record		*r;
	struct pg_stmt		*s;
	struct pg_portal	*p;
	struct pg_slot		*q;
	struct rd		 rd;
	const char		*portal;
	size_t			 pn = 0;
	int32_t			 idx, limit;

	r = pg_rec_get(st, &idx);
	rd_init(&rd, m->p, m->n);
	portal = pg_cstr(&rd, &pn, NULL);
	if (portal == NULL)
		portal = "";
	limit = (int32_t)rd_be32(&rd);
	p = pg_portal_find(&st->stmts, portal, pn);
	s = pg_portal_stmt(&st->stmts, portal, pn);
	rec_str(r, "portal_name", portal, pn);
	if (s != NULL)
		rec_str_esc(r, "execute_query", s->query.p, s->query.len,
		    (enum resc)s->esc);
	else
		rec_lit(r, "execute_query", "");
	rec_lit(r, "message_type", "E");
	rec_mark_ext(r);
	if (p != NULL)
		rec_str(r, "stmt_name", p->stmt, p->stmtlen);
	rec_int(r, "row_limit", limit);
	if (s != NULL && s->truncated)
		rec_bool(r, "truncated", true);
	if (!rd_ok(&rd) || rd_left(&rd) != 0)
		pg_malformed(st, r, "Execute");
	st->c->st.requests++;
	if ((q = pg_submit(st, K_E, r, idx, m)) != NULL &&
	    st->phase == PH_UNKNOWN && s != NULL && s->gen > st->lost_gen)
		q->tags = pg_sql_tags(s->query.p, s->query.len);
}

/* Describe and Close: no record, but each has a response to match. */
static void
pg_describe_close(struct pg_state *st, const struct pg_msg *m)
{
	struct pg_stmt	*s;
	struct pg_slot	*q;
	struct rd	 rd;
	const char	*name;
	size_t		 nn;
	uint8_t		 what;
	uint64_t	 gen = 0;

	rd_init(&rd, m->p, m->n);
	what = rd_u8(&rd);
	name = rd_cstr(&rd, &nn);
	if (name == NULL || (what != 'S' && what != 'P'))
		pg_malformed(st, NULL, "Describe/Close");
	else if (m->type == 'C' && what == 'S')
		pg_stmt_close(&st->stmts, name, nn);
	else if (m->type == 'C')
		pg_portal_close(&st->stmts, name, nn);
	else if (what == 'S' && (s = pg_stmt_find(&st->stmts, name, nn)) != NULL)
		gen = s->gen;
	if ((q = pg_submit(st, m->type == 'C' ? K_C : K_D, NULL, -1, m)) != NULL)
		q->gen = gen;
}

/* ParameterDescription answering a Describe of a statement: the types
 * the server resolved. asyncpg, postgres.js and pgjdbc Parse with no (or
 * 0) type OIDs, learn the types here, then Bind binary values: without
 * them those values could only be shown as hex. The server's types
 * replace the Parse's (they agree where the Parse gave one). */
static void
pg_param_desc(struct pg_state *st, const struct pg_msg *m)
{
	struct pg_stmt	*s;
	struct rd	 rd;
	uint64_t	 gen;
	int		 np, i;

	if (!pg_align(st, M(K_D), m) || (gen = pg_slot_at(st, 0)->gen) == 0)
		return;
	if ((s = pg_stmt_by_gen(&st->stmts, gen)) == NULL)
		return;		/* redefined since: the types are not its */
	if (m->n < m->len)
		return;		/* cut short (memory budget): not all known */
	rd_init(&rd, m->p, m->n);
	np = rd_be16(&rd);
	if (!rd_ok(&rd) || rd_left(&rd) != (size_t)np * 4) {
		pg_malformed(st, NULL, "ParameterDescription");
		return;
	}
	s->noids = 0;
	for (i = 0; i < np; i++)
		pg_stmt_add_oid(s, rd_be32(&rd));
}

static void
pg_function(struct pg_state *st, const struct pg_msg *m)
{
	struct record	*r;
	struct rd	 rd;
	int32_t		 idx;

	r = pg_rec_get(st, &idx);
	rd_init(&rd, m->p, m->n);
	rec_mark_ext(r);
	rec_cstr(r, "message_type", "F");
	rec_uint(r, "function_oid", rd_be32(&rd));
	st->c->st.requests++;
	pg_submit(st, K_F, r, idx, m);
}

static void
pg_password(struct pg_state *st, const struct pg_msg *m)
{
	struct rd	 rd;
	const char	*mech;
	size_t		 n;

	/* Only a SASLInitialResponse names something that is not secret:
	 * the mechanism. Nothing else of these messages is looked at. */
	if (strncmp(st->auth, "SASL", 4) != 0 || st->sasl_mech_seen)
		return;
	st->sasl_mech_seen = true;
	rd_init(&rd, m->p, m->n);
	mech = rd_cstr(&rd, &n);
	if (mech != NULL && n < sizeof st->auth - 6)
		snprintf(st->auth, sizeof st->auth, "SASL %.*s", (int)n, mech);
}

static void
pg_copy_bytes(struct pg_state *st, const struct pg_msg *m)
{
	if (st->qlen > 0 && (M(pg_head_kind(st)) & (M(K_Q) | M(K_E))))
		st->resp.copy_bytes += m->len;
}

static void
pg_lost(struct pg_state *st)
{
	/* The next group, which would have shown them shifted, may have
	 * been in the lost bytes. */
	if (st->held_z)
		pg_hold_out(st, false);
	pg_flush(st);
	st->sslreq = 0;
	st->unsure = true;
	/* Past a gap, as at a mid-stream start, the server may still be
	 * answering requests we did not see. */
	if (st->phase == PH_READY)
		st->phase = PH_UNKNOWN;
}

/* Client bytes were lost: a Parse or Bind among them redefined the
 * unnamed statement or portal (lib/pq, pgx and pgjdbc Parse it before
 * most queries), so what we kept of them is not what the next Bind or
 * Execute uses. */
static void
pg_client_lost(struct pg_state *st, uint64_t upto)
{
	pg_stmts_unnamed_reset(&st->stmts);
	st->lost_gen = st->stmts.gen;
	pg_lost(st);
	/* Requests that follow them in their Sync group are matched only
	 * once that group's end is known (pg_ready). Unless the server,
	 * having read the lost bytes, sent a ReadyForQuery with nothing of
	 * ours pending: they ended their group (pgbench waits for each;
	 * the reassembly tells the loss only with the next request). */
	st->blind = !(st->z_free && st->z_acked != 0 && st->z_acked >= upto);
}

/*
 * The server's bytes before `upto` were lost in capture. The responses in
 * them belonged to the oldest pending requests, but not to one the client
 * sent after reading past them (its ACK said so): that one and those
 * behind it keep their places, and their responses, which come after the
 * loss, still find them. Without that knowledge everything pending goes,
 * as at any other loss.
 */
static void
pg_lost_responses(struct pg_state *st, uint64_t upto)
{
	struct pg_slot	*s;
	bool		 popped = false;

	pg_hold_out(st, !st->held_z);	/* as in pg_lost */
	while (st->qlen > 0) {
		s = pg_slot_at(st, 0);
		if (s->acked != 0 && s->acked >= upto)
			break;
		pg_pop_lost(st);
		popped = true;
	}
	if (st->qlen == 0)
		pg_lost(st);
	else if (popped && st->pipelined) {
		/* Those given up may have had only some of their responses
		 * in the lost bytes (a client that does not wait for them):
		 * the rest come first, of the same shape as ours. */
		st->phase = PH_UNKNOWN;
	}
}

static void
pg_on_client(void *arg, const struct pg_msg *m)
{
	struct pg_state	*st = arg;

	/* Bytes passed over to find this message (a capture begun inside
	 * one, a resynchronisation): requests may have been among them. */
	if (st->f[DIR_C2S].skipped != st->cskipped) {
		st->cskipped = st->f[DIR_C2S].skipped;
		st->blind = true;
	}
	if (m->type != 'd' && m->type != 'p' && m->type != 'H')
		st->z_free = false;
	switch (m->type) {
	case PG_MSG_STARTUP:
		pg_startup(st, m);
		break;
	case PG_MSG_TLS:
		pg_tls(st, m->ts, m->seq);
		break;
	case PG_MSG_DESYNC:
		pg_malformed(st, NULL, "framing");
		pg_client_lost(st, UINT64_MAX);
		break;
	case 'Q':
		pg_query(st, m);
		break;
	case 'P':
		pg_parse(st, m);
		break;
	case 'B':
		pg_bind(st, m);
		break;
	case 'E':
		pg_execute(st, m);
		break;
	case 'D':
	case 'C':
		pg_describe_close(st, m);
		break;
	case 'S':
		/* In copy-in mode the server ignores a Sync: it gets no
		 * ReadyForQuery, so queueing it would shift every later
		 * response onto the wrong request. */
		if (!st->copy_in) {
			pg_stmts_sync(&st->stmts);
			pg_submit(st, K_S, NULL, -1, m);
		}
		break;
	case 'F':
		pg_function(st, m);
		break;
	case 'd':
		pg_copy_bytes(st, m);
		break;
	case 'c':
	case 'f':
		pg_copy_bytes(st, m);
		st->copy_in = false;
		break;
	case 'p':
		pg_password(st, m);
		break;
	default:		/* H Flush, X Terminate */
		break;
	}
}

/* Server messages. */

static void
pg_auth(struct pg_state *st, const struct pg_msg *m)
{
	struct rd	 rd;
	const char	*name = NULL;

	rd_init(&rd, m->p, m->n);
	switch (rd_be32(&rd)) {
	case 3:
		name = "password";
		break;
	case 5:
		name = "md5";
		break;
	case 7:
		name = "gss";
		break;
	case 9:
		name = "sspi";
		break;
	case 10:
		name = "SASL";
		break;
	}
	if (name != NULL) {
		snprintf(st->auth, sizeof st->auth, "%s", name);
		st->sasl_mech_seen = false;
	}
}

static void
pg_copy_field(char *dst, uint8_t *dlen, size_t cap, const char *s, size_t n)
{
	if (n > cap)
		n = cap;
	memcpy(dst, s, n);
	*dlen = (uint8_t)n;
}

/* ErrorResponse / NoticeResponse fields: severity (the untranslated V
 * when present), SQLSTATE, message. */
static bool
pg_err_fields(struct pg_state *st, const struct pg_msg *m, bool notice)
{
	struct pg_resp	*rp = &st->resp;
	struct rd	 rd;
	const char	*s;
	size_t		 n;
	uint8_t		 t;
	bool		 have_v = false;

	rd_init(&rd, m->p, m->n);
	while ((t = rd_u8(&rd)) != 0) {
		if ((s = rd_cstr(&rd, &n)) == NULL)
			break;
		switch (t) {
		case 'V':
			have_v = true;
			/* FALLTHROUGH */
		case 'S':
			if (!notice && (t == 'V' || !have_v))
				pg_copy_field(rp->sev, &rp->sevlen,
				    sizeof rp->sev, s, n);
			break;
		case 'C':
			if (notice)
				pg_copy_field(rp->ncode, &rp->ncodelen,
				    sizeof rp->ncode, s, n);
			else
				pg_copy_field(rp->code, &rp->codelen,
				    sizeof rp->code, s, n);
			break;
		case 'M':
			if (n > PG_ERRMSG_MAX)
				n = PG_ERRMSG_MAX;
			buf_reset(notice ? &rp->nmsg : &rp->msg);
			buf_add(notice ? &rp->nmsg : &rp->msg, s, n);
			break;
		}
	}
	if (!rd_ok(&rd) && m->n == m->len) {
		pg_malformed(st, NULL, "ErrorResponse");
		return false;
	}
	return true;
}

/* FATAL and PANIC end the session (the untranslated V severity; S when a
 * pre-9.6 server sent only that, untranslated for lc_messages C). */
static bool
pg_err_fatal(const struct pg_resp *rp)
{
	return rp->sevlen == 5 && (memcmp(rp->sev, "FATAL", 5) == 0 ||
	    memcmp(rp->sev, "PANIC", 5) == 0);
}

static void
pg_startup_failed(struct pg_state *st, const struct pg_msg *m)
{
	struct record	*r = &st->scratch;
	struct pg_resp	*rp = &st->resp;

	pg_resp_reset(rp);
	pg_err_fields(st, m, false);
	rec_reset(r);
	rec_mark_ext(r);
	rec_cstr(r, "message_type", "startup");
	if (st->auth[0] != '\0')
		rec_cstr(r, "auth_method", st->auth);
	rec_int(r, "response_last_us",
	    m->ts > st->startup_ts ? m->ts - st->startup_ts : 0);
	pg_rec_err(r, rp);
	rec_cstr(r, "status", "error");
	conn_emit(st->c, r, DIR_C2S, st->startup_ts, st->startup_seq);
	pg_resp_reset(rp);
}

/* An error that answers no request gets a record of its own when it ends
 * something the user must see: a replication stream whose
 * START_REPLICATION was written at CopyBothResponse ("stream": a
 * terminated walsender, WAL already removed), or an idle session
 * ("fatal": pg_terminate_backend, idle_session_timeout,
 * idle_in_transaction_session_timeout, a shutdown). Other errors without
 * a request (a capture that began inside a response) are only counted. */
static void
pg_lone_error(struct pg_state *st, const struct pg_msg *m)
{
	struct record	*r = &st->scratch;
	struct pg_resp	*rp = &st->resp;
	const char	*type = st->streaming ? "stream" : "fatal";

	pg_resp_reset(rp);
	pg_err_fields(st, m, false);
	if (st->streaming || pg_err_fatal(rp)) {
		rec_reset(r);
		rec_mark_ext(r);
		rec_cstr(r, "message_type", type);
		pg_rec_err(r, rp);
		rec_cstr(r, "status", "error");
		conn_emit(st->c, r, DIR_C2S, m->ts, m->seq);
	}
	st->streaming = false;
	pg_resp_reset(rp);
}

static void
pg_error(struct pg_state *st, const struct pg_msg *m)
{
	uint8_t	k;

	st->c->st.errors++;
	if (st->phase == PH_STARTUP && st->qlen == 0) {
		pg_startup_failed(st, m);
		return;
	}
	if (st->qlen == 0 && st->nheld == 0) {
		pg_lone_error(st, m);
		return;
	}
	if (!pg_align(st, ~0u, m))
		return;
	if (!st->resp.err) {
		st->resp.err = true;
		pg_err_fields(st, m, false);
	}
	k = pg_head_kind(st);
	if (pg_err_fatal(&st->resp)) {
		/* The server closes the connection: no ReadyForQuery will
		 * complete the request, and at close it would lose its
		 * error. Later requests are never answered. */
		pg_hold_commit(st);
		st->phase = PH_READY;
		pg_pop(st, "error", m->ts);
		return;
	}
	if (k == K_Q || k == K_F || k == K_S)
		return;		/* completed by ReadyForQuery */
	pg_pop(st, "error", m->ts);
	/* The server now discards everything up to the next Sync. */
	while (st->qlen > 0 && pg_head_kind(st) != K_S)
		pg_pop(st, "skipped", m->ts);
	if (st->qlen == 0)
		st->skip_open = true;
}

static void
pg_notice(struct pg_state *st, const struct pg_msg *m)
{
	struct pg_slot	*s;

	if (st->qlen == 0 || st->resp.notice)
		return;
	s = pg_slot_at(st, 0);
	if (m->ts_first < s->ts)
		return;
	st->resp.notice = true;
	pg_err_fields(st, m, true);
}

/* Row count at the end of a command tag ("INSERT 0 5", "SELECT 3"). */
static bool
pg_tag_rows(const char *t, size_t n, uint64_t *rows)
{
	size_t		i = n;
	uint64_t	v = 0;

	while (i > 0 && t[i - 1] >= '0' && t[i - 1] <= '9')
		i--;
	if (i == n || i == 0 || t[i - 1] != ' ' || n - i > 19)
		return false;
	for (; i < n; i++)
		v = v * 10 + (uint64_t)(t[i] - '0');
	*rows = v;
	return true;
}

static void
pg_complete(struct pg_state *st, const struct pg_msg *m)
{
	struct pg_resp	*rp = &st->resp;
	const uint8_t	*z;
	size_t		 n;
	uint64_t	 rows;

	if (!pg_align(st, M(K_Q) | M(K_E), m))
		return;
	z = m->n ? memchr(m->p, 0, m->n) : NULL;
	n = z != NULL ? (size_t)(z - m->p) : m->n;
	if (st->phase == PH_UNKNOWN && rp->taglen == 0 &&
	    !pg_tag_fits(pg_slot_at(st, 0)->tags, (const char *)m->p, n)) {
		/* Another statement's tag: the server still answers a
		 * request sent before the capture began, and so did the
		 * responses matched since the last ReadyForQuery. */
		pg_hold_undo(st);
		st->drain_hit = false;
		st->drain_strict = true;
		return;
	}
	pg_copy_field(rp->tag, &rp->taglen, sizeof rp->tag,
	    (const char *)m->p, n);
	if (pg_tag_rows(rp->tag, rp->taglen, &rows)) {
		rp->tagrows += rows;
		rp->tagrows_known = true;
	}
	if (pg_head_kind(st) == K_E)
		pg_pop(st, rp->err ? "error" : "ok", m->ts);
}

/* The ReadyForQuery that ends a drain (pg_hold_undo) ends a Sync group:
 * one sent before the capture began, or our first (the requests up to
 * our first Sync, Query or FunctionCall, if the capture began inside
 * that group). It is not ours if nothing in the drain could answer our
 * oldest request (its answer comes first), nor if it began before our
 * first Sync was sent: then our requests wait on. Otherwise it may be
 * either, and our group's requests are written without a response
 * rather than risk taking the next group's. */
static void
pg_drain_ready(struct pg_state *st, const struct pg_msg *m)
{
	uint32_t	i, j;
	uint8_t		k;
	bool		hit = st->drain_hit;
	uint32_t	need = 0;

	st->drain = false;
	st->drain_hit = false;
	if (st->qlen == 0)
		return;
	if (!hit && pg_slot_at(st, 0)->kind != K_S)
		return;
	for (j = 0; j < st->qlen; j++) {
		k = pg_slot_at(st, j)->kind;
		if (k == K_S || k == K_Q || k == K_F)
			break;
		need++;
	}
	if (j == st->qlen || pg_slot_at(st, j)->ts > m->ts_first)
		return;
	/* Each of our Parse, Bind, Describe, Execute, Close gets exactly
	 * one completing response before its Sync's ReadyForQuery unless
	 * an error skips the rest: fewer since the last ReadyForQuery, and
	 * this one cannot end our group. */
	if (pg_slot_at(st, j)->kind == K_S && !st->seg_err &&
	    st->seg_done < need)
		return;
	for (i = 0; i <= j; i++)
		pg_pop_lost(st);
}

static void
pg_ready(struct pg_state *st, const struct pg_msg *m)
{
	struct pg_resp	*rp = &st->resp;
	unsigned	 mask = M(K_Q) | M(K_S) | M(K_F);
	uint8_t		 k;

	st->streaming = false;
	/* Nothing of ours pending: this answers client bytes we did not
	 * decode, which ended their group (pgbench's requests, each group
	 * waited for: the one lost in capture is answered before the next
	 * is sent). */
	if (st->qlen == 0 && st->nheld == 0) {
		st->blind = false;
		st->z_free = true;
		st->z_acked = st->c->acked[DIR_S2C];
	}
	if (st->phase == PH_UNKNOWN) {
		if (!st->drain && st->qlen == 0 && st->held_z) {
			/* One more group than ours was answered. */
			pg_hold_undo(st);
			return;
		}
		if (!st->drain && st->qlen == 0) {
			/* Nothing left it could be for but the held ones
			 * (whose Sync an Execute's COPY made the server
			 * ignore). A client that pipelines its groups may
			 * have more unseen ones still to be answered. */
			pg_hold_commit(st);
			if (!st->pipelined)
				st->phase = PH_READY;
			return;
		}
		if (!pg_align(st, mask, m)) {
			if (st->qlen > 0 && pg_slot_at(st, 0)->blind &&
			    pg_head_kind(st) != K_S)
				pg_unblind(st);
			if (st->drain)
				pg_drain_ready(st, m);
			return;
		}
		if (pg_slot_at(st, 0)->blind) {
			/* The Sync of requests sent behind unseen ones of
			 * their group, no ReadyForQuery between: what they
			 * were matched with may be the unseen ones' answers,
			 * shifted (a batch of one shape, an error among the
			 * unseen rows). */
			pg_hold_out(st, false);
			pg_pop_x(st, NULL, 0, false);
			st->skip_open = false;
			return;
		}
		if (st->pipelined) {
			/* This may end an unseen group, ours still to come:
			 * held on (pg_pipelined). */
			st->held_z = true;
		} else {
			/* The responses fitted up to a Sync: the matching
			 * holds. */
			pg_hold_commit(st);
			st->phase = PH_READY;
		}
	} else {
		if (st->phase != PH_READY) {
			st->phase = PH_READY;
			if (st->qlen == 0)
				return;
		}
		if (!pg_align(st, mask, m))
			return;
	}
	st->skip_open = false;
	k = pg_head_kind(st);
	rp->tx = m->n > 0 ? (char)m->p[0] : 0;
	if (k == K_S) {
		pg_pop(st, rp->err ? "error" : NULL, m->ts);
		return;
	}
	pg_pop(st, rp->err ? "error" : rp->empty && rp->taglen == 0 ?
	    "empty" : "ok", m->ts);
}

/* CopyInResponse to an Execute: the server reads the client's messages
 * in copy-in mode until CopyDone/CopyFail and ignores the Syncs among
 * them. libpq (PQexecParams) sends Sync right after Execute, before the
 * copy data, and another after CopyDone; only the second one is
 * answered. The Syncs already queued behind the Execute are dropped, and
 * later ones are not queued until the copy ends (pg_on_client). */
static void
pg_copy_in_begin(struct pg_state *st)
{
	struct pg_slot	head;
	uint32_t	n = 0;

	/* The Syncs are dropped from the ring: nothing may be held
	 * before them. */
	pg_hold_commit(st);
	head = *pg_slot_at(st, 0);

	while (n + 1 < st->qlen && pg_slot_at(st, n + 1)->kind == K_S)
		n++;
	st->qhead = (st->qhead + n) & (st->qcap - 1);
	st->qlen -= n;
	*pg_slot_at(st, 0) = head;
	st->copy_in = true;
}

/* CopyBothResponse: START_REPLICATION's stream runs for as long as the
 * replica is connected (days), and only ends with the connection, often
 * without CommandComplete or ReadyForQuery. Waiting for them would hold
 * the record until then and lose its response; the request is complete
 * once the server has agreed to stream. What comes after (the stream,
 * its end) finds no request pending and is ignored. */
static void
pg_copy_both(struct pg_state *st, const struct pg_msg *m)
{
	if (!pg_align(st, M(K_Q) | M(K_E), m))
		return;
	/* No ReadyForQuery comes to confirm a mid-stream match: this does. */
	pg_hold_commit(st);
	st->phase = PH_READY;
	pg_pop(st, "ok", m->ts);
	st->streaming = true;
}

/* Counts, between two ReadyForQuery, the responses that complete one
 * extended-protocol request each (pg_drain_ready). */
static void
pg_seg(struct pg_state *st, uint8_t type)
{
	switch (type) {
	case '1': case '2': case '3': case 'n': case 'T': case 'C':
	case 'I': case 's':
		st->seg_done++;
		break;
	case 'E':
		st->seg_err = true;
		break;
	}
}

static void
pg_on_server(void *arg, const struct pg_msg *m)
{
	struct pg_state	*st = arg;

	pg_seg(st, m->type);
	switch (m->type) {
	case PG_MSG_SSLANS:
		if (st->sslreq != 0 && (m->code == 'S' || m->code == 'G'))
			pg_tls(st, st->ssl_ts, st->ssl_seq);
		st->sslreq = 0;
		break;
	case PG_MSG_DESYNC:
		pg_malformed(st, NULL, "framing");
		pg_lost(st);
		break;
	case 'R':
		pg_auth(st, m);
		break;
	case 'E':
		pg_error(st, m);
		break;
	case 'N':
		pg_notice(st, m);
		break;
	case 'Z':
		pg_ready(st, m);
		st->seg_done = 0;
		st->seg_err = false;
		if (st->qlen == 0 && st->nheld == 0)
			pg_pool_trim(st);
		break;
	case 'C':
		pg_complete(st, m);
		break;
	case 'D':
		if (st->qlen > 0 && pg_align(st, M(K_Q) | M(K_E), m))
			st->resp.datarows++;
		break;
	case '1':
		if (pg_align(st, M(K_P), m))
			pg_pop(st, st->resp.err ? "error" : "ok", m->ts);
		break;
	case '2':
		if (pg_align(st, M(K_B), m))
			pg_pop(st, "ok", m->ts);
		break;
	case '3':
		if (pg_align(st, M(K_C), m))
			pg_pop(st, NULL, m->ts);
		break;
	case 'n':
		if (pg_align(st, M(K_D), m))
			pg_pop(st, NULL, m->ts);
		break;
	case 't':
		pg_param_desc(st, m);
		break;
	case 'T':
		if (pg_align(st, M(K_D) | M(K_Q), m) &&
		    pg_head_kind(st) == K_D)
			pg_pop(st, NULL, m->ts);
		break;
	case 'I':
		if (!pg_align(st, M(K_Q) | M(K_E), m))
			break;
		st->resp.empty = true;
		if (pg_head_kind(st) == K_E)
			pg_pop(st, "empty", m->ts);
		break;
	case 's':
		if (pg_align(st, M(K_E), m))
			pg_pop(st, "suspended", m->ts);
		break;
	case 'G':
		if (!pg_align(st, M(K_Q) | M(K_E), m))
			break;
		st->resp.copy = st->resp.copy_from = true;
		if (pg_head_kind(st) == K_E)
			pg_copy_in_begin(st);
		break;
	case 'H':
		if (pg_align(st, M(K_Q) | M(K_E), m))
			st->resp.copy = true;
		break;
	case 'W':
		pg_copy_both(st, m);
		break;
	case 'd':
		pg_copy_bytes(st, m);
		break;
	case 'V':
		pg_align(st, M(K_F), m);
		break;
	default:	/* S ParameterStatus, K, A, v, c */
		break;
	}
}

/* The decoder contract. */

static void
pg_open(struct conn *c, void *arg)
{
	struct pg_state	*st = arg;

	pg_keep_init();
	st->c = c;
	pg_frame_init(&st->f[DIR_C2S], false, keep_c, PG_FS_STARTUP);
	pg_frame_init(&st->f[DIR_S2C], true, keep_s, PG_FS_HDR);
	st->unsure = true;
}

static void
pg_account(struct pg_state *st)
{
	uint64_t	s = st->f[0].skipped + st->f[1].skipped;

	st->c->st.skipped += s - st->skipped_seen;
	st->skipped_seen = s;
}

static void
pg_data(struct conn *c, void *arg, const struct chunk *ch)
{
	struct pg_state	*st = arg;

	st->c = c;
	pg_frame_feed(&st->f[ch->dir], ch->p, ch->n, ch->ts_us, ch->seq,
	    ch->dir == DIR_C2S ? pg_on_client : pg_on_server, st);
	pg_account(st);
}

static void
pg_gap(struct conn *c, void *arg, enum dir d, uint64_t nbytes, int64_t ts_us)
{
	struct pg_state	*st = arg;

	(void)ts_us;
	st->c = c;
	pg_frame_lost(&st->f[d]);
	if (d == DIR_C2S)
		pg_client_lost(st, c->pos[DIR_C2S] + nbytes);
	else if (!st->copy_in && !st->streaming)
		pg_lost_responses(st, c->pos[DIR_S2C] + nbytes);
	else
		pg_lost(st);
}

static void
pg_close(struct conn *c, void *arg, int64_t ts_us)
{
	struct pg_state	*st = arg;
	uint32_t	 i;

	(void)ts_us;
	st->c = c;
	pg_flush(st);
	pg_account(st);
	for (i = 0; i < st->npool; i++)
		rec_free(&st->pool[i]);
	free(st->pool);
	free(st->freel);
	free(st->q);
	rec_free(&st->scratch);
	buf_free(&st->resp.msg);
	buf_free(&st->resp.nmsg);
	pg_stmts_free(&st->stmts);
	pg_frame_free(&st->f[0]);
	pg_frame_free(&st->f[1]);
	memset(st, 0, sizeof *st);
}

const struct decoder decoder_pg = {
	.name = "pg",
	.state_size = sizeof(struct pg_state),
	.lazy = true,
	.open = pg_open,
	.data = pg_data,
	.gap = pg_gap,
	.close = pg_close,
};
