/* decode-mysql.c - the mysql dumper (SPEC §4.3): client commands and the
 * server's responses to them.
 *
 * Records (one per COM_QUERY, COM_STMT_PREPARE, COM_STMT_EXECUTE and
 * COM_STMT_FETCH, emitted when the response completes, in request order)
 * carry upstream's keys
 *   query, seq_num, command_id
 *   stmt_prepare_query, seq_num, command_id
 *   stmt_id, stmt_execute_values, seq_num, command_id
 * or, for a fetch (upstream wrote none), in the same places
 *   stmt_id, stmt_fetch_rows (the rows asked for), seq_num, command_id
 * then the connection values, then our extension keys, each only when known:
 *   stmt_query          execute, fetch: text of the prepared statement
 *                       (its first MYSQL_STMT_TEXT_MAX bytes)
 *   values_error        execute: why stmt_execute_values is empty or short
 *                       ("statement not seen", "parameter types unknown",
 *                       "malformed", "truncated")
 *   truncated_bytes     request bytes beyond MYSQL_TEXT_MAX, not kept
 *                       (with those of a character the cut split)
 *   response_first_us   microseconds from the request to the first and
 *   response_last_us    the last packet of the response
 *   status              "ok" or "error"
 *   rows                rows of the result set(s)
 *   affected_rows, last_insert_id, warnings   from the final OK/EOF
 *   error_code, sql_state, error_message       from an ERR packet
 *   stmt_id, num_params prepare: from the COM_STMT_PREPARE_OK
 *   cursor              execute: true, it opened a cursor (rows 0: its
 *                       rows come with COM_STMT_FETCH)
 *   cursor_exhausted    fetch: whether the server sent the last row
 * Requests still waiting for a response at close or after a gap are emitted
 * without response keys, and so are the oldest of a pipeline deeper than
 * MYSQL_QUEUE_HELD and MYSQL_QUEUE_BYTES (before their responses, which
 * are still matched).
 *
 * Handshake values (character_set, username, database) are connection
 * values; COM_INIT_DB and COM_CHANGE_USER update them when the server says
 * OK. After an SSL request nothing more is decoded.
 *
 * Texts (queries, prepares, string values) are read in the client's
 * character set (mysql_text: Shift_JIS and EUC-JP are converted), which
 * the handshake names and SET NAMES / SET CHARACTER SET / SET
 * character_set_client (mysql-set.c reads the request), COM_CHANGE_USER
 * and COM_RESET_CONNECTION change once the server says OK; an OK's
 * session state (CLIENT_SESSION_TRACK) says what it became and is taken
 * over the request. character_set says the charset the record's texts
 * were read in (a SET's own record: the one before it).
 *
 * Layers per direction: the compressed protocol (7-byte frames, each an
 * independent zlib stream, inflated incrementally), then MySQL packets
 * (4-byte headers, 0xffffff-long packets continue the message), then
 * messages, which are handled by connection phase. Bytes beyond what a
 * message needs are counted, not kept.
 */
#include <endian.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "buf.h"
#include "decode.h"
#include "mysql-set.h"
#include "mysql-text.h"
#include "mysql-value.h"
#include "rd.h"
#include "xmalloc.h"

#define MYSQL_TEXT_MAX		(1u << 20)	/* kept of a client command */
#define MYSQL_RESP_KEEP		4096		/* kept of a server packet */
#define MYSQL_AUX_KEEP		64		/* kept of other client packets */
/* Pipelined requests: their records are held for the responses while
 * they are at most MYSQL_QUEUE_HELD or hold at most MYSQL_QUEUE_BYTES;
 * past both, the oldest is written early, without response keys, and the
 * request is still tracked (up to MYSQL_QUEUE_MAX) so that the responses
 * after it go to the right requests. */
#define MYSQL_QUEUE_HELD	16
#define MYSQL_QUEUE_BYTES	(1u << 20)
#define MYSQL_QUEUE_MAX		4096
#define MYSQL_STMT_MAX		256		/* prepared statements remembered */
_Static_assert(MYSQL_STMT_MAX <= 256, "my_state.shint holds slots in a byte");
#define MYSQL_STMT_TEXT_MAX	4096		/* of each statement's text */
/* Params whose types are kept: all a statement can have (the prepare's
 * count is 16 bits). mysqlnd and libmariadb send the types with the first
 * execute only; a multi-row INSERT batch of more than 4096 placeholders
 * executed again had "parameter types unknown" while this was 4096. The
 * types of a statement the server prepared are at most 128 KB. */
#define MYSQL_PARAMS_MAX	65535
/* The types kept for all the statements of a connection: a client that
 * prepares 256 statements of 65535 parameters must not make us keep
 * 32 MB per connection. Past it, re-executes go without values
 * ("parameter types unknown"). */
#define MYSQL_TYPES_BUDGET	(1u << 20)
#define MYSQL_INFER_MAX		64		/* params tried for unknown stmts */
#define MYSQL_BUF_SHRINK	(64u << 10)
#define MYSQL_MSG_SHRINK	(16u << 10)	/* message buffer kept idle */
/* Partial message bytes kept by all connections together: past it a
 * message is kept shorter (reported truncated), so many connections each
 * sending part of a 1 MB command cost a bounded amount (each still keeps
 * its first MYSQL_AUX_KEEP bytes). */
#define MYSQL_HELD_MAX		(32u << 20)

#define CLIENT_CONNECT_WITH_DB	0x00000008u
#define CLIENT_COMPRESS		0x00000020u
#define CLIENT_PROTOCOL_41	0x00000200u
#define CLIENT_SSL		0x00000800u
#define CLIENT_SECURE_CONN	0x00008000u
#define CLIENT_PLUGIN_AUTH	0x00080000u
#define CLIENT_AUTH_LENENC	0x00200000u
#define CLIENT_SESSION_TRACK	0x00800000u
#define CLIENT_DEPRECATE_EOF	0x01000000u
#define CLIENT_ZSTD		0x04000000u
#define CLIENT_QUERY_ATTRS	0x08000000u

#define SERVER_MORE_RESULTS	0x0008
#define SERVER_CURSOR_EXISTS	0x0040
#define SERVER_LAST_ROW_SENT	0x0080
#define SERVER_NO_BACKSLASH	0x0200
#define SERVER_STATE_CHANGED	0x4000

#define COM_QUIT		0x01
#define COM_INIT_DB		0x02
#define COM_QUERY		0x03
#define COM_FIELD_LIST		0x04
#define COM_STATISTICS		0x09
#define COM_PROCESS_INFO	0x0a
#define COM_CHANGE_USER		0x11
#define COM_BINLOG_DUMP		0x12
#define COM_STMT_PREPARE	0x16
#define COM_STMT_EXECUTE	0x17
#define COM_STMT_SEND_LONG_DATA	0x18
#define COM_STMT_CLOSE		0x19
#define COM_STMT_RESET		0x1a
#define COM_STMT_FETCH		0x1c
#define COM_BINLOG_DUMP_GTID	0x1e
#define COM_RESET_CONNECTION	0x1f
#define COM_LAST		0x1f
#define COM_STMT_BULK_EXECUTE	0xfa	/* MariaDB */

static const char mysql_zstd_msg[] = "zstd compression (MySQL 8.0.18+) "
    "is not decoded: the rest of this connection is skipped";
static const char mysql_ssl_msg[] = "client is trying to connect using SSL. "
    "tcpdp mysql dumper not support SSL connection";

enum phase {
	PH_INIT,	/* nothing known: handshake or mid-stream pickup */
	PH_AUTH,	/* greeting or handshake response seen, before OK */
	PH_CMD,		/* command phase */
	PH_OFF,		/* TLS or replication: nothing more decoded */
};

enum rstate {
	RS_FIRST,	/* first packet of a result: OK, ERR, column count */
	RS_COLS,	/* column definitions */
	RS_EOF1,	/* the EOF after the column definitions */
	RS_ROWS,
	RS_PREP_PARAMS,	/* prepare: parameter definitions */
	RS_PREP_EOFP,
	RS_PREP_COLS,
	RS_PREP_EOFC,
	RS_FIELDS,	/* COM_FIELD_LIST: definitions until EOF */
	RS_INFILE,	/* LOCAL INFILE: waiting for the final OK/ERR */
	RS_AUTH,	/* COM_CHANGE_USER: auth exchange until OK/ERR */
	RS_ONE,		/* any single packet ends it */
};

struct my_msg {
	const uint8_t	*p;
	size_t		 n;		/* kept */
	uint64_t	 total;		/* whole payload */
	uint8_t		 seq;
	uint8_t		 seq_last;	/* of the last packet */
	int64_t		 ts, ts_last;
	uint64_t	 cseq;
};

struct my_dir {
	/* compressed protocol */
	bool		 zon;
	bool		 zinit;
	bool		 zraw;		/* frame stored uncompressed */
	bool		 zbad;		/* inflate failed: skip the frame */
	bool		 zresync;
	bool		 zfirst;	/* no output of this frame yet */
	bool		 zpend_on;	/* zpend holds a lone frame header */
	uint8_t		 zpend[7];
	int64_t		 zpend_ts;
	uint64_t	 zpend_cseq;
	uint8_t		 zhdr[7];
	uint8_t		 zhave;
	uint32_t	 zleft;
	uint32_t	 zulen;		/* inflated bytes still expected */
	z_stream	 z;
	/* packets */
	bool		 resync;
	bool		 inpkt;
	bool		 more;		/* message continues in the next packet */
	uint8_t		 hdr[4];
	uint8_t		 have;
	uint32_t	 left;
	uint8_t		 seq;
	uint8_t		 seq_last;
	size_t		 keep;
	struct buf	 msg;
	uint64_t	 total;
	int64_t		 ts;
	uint64_t	 cseq;
};

struct my_pending {
	struct record	 rec;
	bool		 emit;
	bool		 started;
	uint8_t		 cmd;
	uint8_t		 rs;
	uint8_t		 rseq;		/* seq of the response's first packet */
	int64_t		 ts;
	uint64_t	 cseq;
	int64_t		 t_first, t_last;
	uint64_t	 left;		/* definitions left in this block */
	uint64_t	 rows;
	uint64_t	 affected, insert_id;
	uint16_t	 warnings;
	bool		 ok, err, has_ok, has_warn, rset;
	uint16_t	 err_code;
	uint32_t	 stmt_id;
	uint16_t	 nparams, ncols;
	uint16_t	 status;	/* of the last OK or EOF */
	bool		 has_status;
	uint16_t	 nres;		/* results ended (multi-statement) */
	/* the client character set: its texts were read in cs; cs_set:
	 * if it succeeds the session's is cs_after (chg: the statements of
	 * a multi-statement that change it); trk_cs: what the server's
	 * session tracking said (-1 nothing, -2 a name we do not know) */
	unsigned	 cs, cs_after;
	bool		 cs_set;
	uint8_t		 nchg;
	struct mysql_cs_change chg[MYSQL_CS_CHANGES];
	int32_t		 trk_cs;
	size_t		 held;		/* size counted in my_state.qbytes */
	uint64_t	 acked;		/* the server's bytes the client had
					 * when it sent this (struct chunk
					 * peer_acked); 0: not known */
};

struct my_stmt {
	bool		 used;
	uint32_t	 id;
	uint16_t	 nparams;
	bool		 types_known;
	uint8_t		*types;		/* 2 per param */
	uint8_t		*ld;		/* params sent as long data: bitmap */
	bool		 ld_any;
	char		*text;
	size_t		 textlen;
	uint8_t		 esc;		/* enum resc of text */
	uint32_t	 set_cs;	/* its text sets the client charset to
					 * this (0: it does not) */
	uint64_t	 stamp;
};

struct my_state {
	enum phase	 phase;
	bool		 hs_resp;	/* handshake response seen */
	bool		 probed;	/* mid-stream compression check done */
	bool		 zmaybe;	/* and the server's first chunk to see */
	bool		 compress;
	uint32_t	 ccaps, scaps;
	bool		 ccaps_known, scaps_known;
	int		 deprecate_eof;	/* -1 unknown */
	bool		 in_step;	/* a request was answered: responses
					 * are framed where they begin */
	bool		 nobs;		/* NO_BACKSLASH_ESCAPES is on */
	/* Client character sets (collation ids, 0 unknown): charset reads
	 * the requests being received, which the server runs after those
	 * still queued (so as if they all succeed); cs_conf is the
	 * session's as of the last answer; cs_base the handshake's (or
	 * COM_CHANGE_USER's), which COM_RESET_CONNECTION restores; cs_srv
	 * the server's default (greeting), which DEFAULT sets; cs_meta what
	 * the character_set key says (if cs_meta_set). */
	unsigned	 charset;
	unsigned	 cs_conf, cs_base, cs_srv, cs_meta;
	bool		 cs_meta_set;
	struct my_dir	 d[2];
	struct my_pending *q;		/* ring of qcap */
	unsigned	 qcap, qhead, qlen;
	unsigned	 qheld;		/* of them with a record to write */
	size_t		 qbytes;	/* and those records' sizes */
	unsigned	 qearly;	/* leading ones seen by my_hold */
	struct my_stmt	*stmts;
	unsigned	 nstmts;
	uint8_t		 shint[256];	/* slot by the id's low byte */
	uint64_t	 stamp;
	uint32_t	 last_stmt;
	struct buf	 scratch;
	uint8_t		*zout;		/* inflate output, when compressed */
	/* the ERR being reported (an ERR ends the head request at once) */
	char		 sqlstate[6];
	char		 errmsg[512];
	size_t		 errlen;
	size_t		 types_bytes;	/* kept by the statements */
};

#define MYSQL_ZOUT	16384

static void	my_resp(struct conn *, struct my_state *, const struct my_msg *);

/* ---------------------------------------------------------------------
 * Prepared statements
 */

static struct my_stmt *
my_stmt_find(struct my_state *st, uint32_t id)
{
	struct my_stmt	*s;
	unsigned	 i;

	if (st->stmts == NULL)
		return NULL;
	/* The server numbers a connection's statements one after another:
	 * the slot last seen for the id's low byte is nearly always it, and
	 * a client cycling through dozens of statements skips the walk. */
	s = &st->stmts[st->shint[id & 0xff]];
	if (s->used && s->id == id)
		return s;
	for (i = 0; i < st->nstmts; i++)
		if (st->stmts[i].used && st->stmts[i].id == id) {
			st->shint[id & 0xff] = (uint8_t)i;
			return &st->stmts[i];
		}
	return NULL;
}

static void
my_stmt_clear(struct my_state *st, struct my_stmt *s)
{
	if (s->types != NULL)
		st->types_bytes -= 2 * (size_t)s->nparams;
	free(s->types);
	free(s->ld);
	free(s->text);
	memset(s, 0, sizeof *s);
}

/* Keeps the statement's parameter types (2 bytes each), within the
 * connection's budget. */
static void
my_stmt_keep_types(struct my_state *st, struct my_stmt *s,
    const uint8_t *types)
{
	size_t	n = 2 * (size_t)s->nparams;

	if (s->types == NULL) {
		if (st->types_bytes + n > MYSQL_TYPES_BUDGET)
			return;
		s->types = xmalloc(n);
		st->types_bytes += n;
	}
	memcpy(s->types, types, n);
	s->types_known = true;
}

static void
my_stmt_ld_reset(struct my_stmt *s)
{
	if (s->ld_any)
		memset(s->ld, 0, ((size_t)s->nparams + 7) / 8);
	s->ld_any = false;
}

/* COM_STMT_SEND_LONG_DATA: the param's value comes here, not in the
 * execute. */
static void
my_stmt_long_data(struct my_state *st, const struct my_msg *m)
{
	struct my_stmt	*s;
	struct rd	 r;
	uint32_t	 id;
	uint16_t	 param;

	rd_init(&r, m->p + 1, m->n - 1);
	id = rd_le32(&r);
	param = rd_le16(&r);
	if (!rd_ok(&r) || (s = my_stmt_find(st, id)) == NULL ||
	    param >= s->nparams)
		return;
	if (s->ld == NULL)		/* once per statement */
		s->ld = xcalloc(((size_t)s->nparams + 7) / 8, 1);
	s->ld[param / 8] |= (uint8_t)(1u << (param % 8));
	s->ld_any = true;
}

static struct my_stmt *
my_stmt_add(struct my_state *st, uint32_t id)
{
	struct my_stmt	*s;
	unsigned	 i, old = 0;

	if ((s = my_stmt_find(st, id)) != NULL) {
		my_stmt_clear(st, s);
		goto out;
	}
	if (st->stmts == NULL)
		st->stmts = xcalloc(MYSQL_STMT_MAX, sizeof *st->stmts);
	for (i = 0; i < st->nstmts; i++)
		if (!st->stmts[i].used)
			break;
	if (i == st->nstmts) {
		if (st->nstmts < MYSQL_STMT_MAX)
			st->nstmts++;
		else {
			/* evict the least recently used */
			for (i = 1; i < st->nstmts; i++)
				if (st->stmts[i].stamp < st->stmts[old].stamp)
					old = i;
			i = old;
			my_stmt_clear(st, &st->stmts[i]);
		}
	}
	s = &st->stmts[i];
out:
	s->used = true;
	s->id = id;
	s->stamp = ++st->stamp;
	st->shint[id & 0xff] = (uint8_t)(s - st->stmts);
	return s;
}

/* ---------------------------------------------------------------------
 * Pending requests
 */

static struct my_pending *
my_qat(const struct my_state *st, unsigned i)
{
	return &st->q[(st->qhead + i) % st->qcap];
}

static struct my_pending *
my_head(struct my_state *st)
{
	return st->qlen ? &st->q[st->qhead] : NULL;
}

/* The error keys of the ERR being reported (my_err_read). */
static void
my_rec_err(const struct my_state *st, struct record *r, uint16_t code)
{
	rec_uint(r, "error_code", code);
	if (st->sqlstate[0])
		rec_cstr(r, "sql_state", st->sqlstate);
	rec_str(r, "error_message", st->errmsg, st->errlen);
}

static void
my_add_response(struct my_state *st, struct my_pending *p)
{
	struct record	*r = &p->rec;

	rec_int(r, "response_first_us", p->t_first - p->ts);
	rec_int(r, "response_last_us", p->t_last - p->ts);
	rec_lit(r, "status", p->err ? "error" : "ok");
	if (p->cmd == COM_STMT_PREPARE && p->ok) {
		rec_uint(r, "stmt_id", p->stmt_id);
		rec_uint(r, "num_params", p->nparams);
	}
	/* (a fetch refused has no rows) */
	if (p->rset && !(p->err && p->cmd == COM_STMT_FETCH && p->rows == 0))
		rec_uint(r, "rows", p->rows);
	else if (p->has_ok && p->cmd != COM_STMT_PREPARE) {
		rec_uint(r, "affected_rows", p->affected);
		rec_uint(r, "last_insert_id", p->insert_id);
	}
	if (p->has_warn)
		rec_uint(r, "warnings", p->warnings);
	if (p->err)
		my_rec_err(st, r, p->err_code);
	else if (p->has_status && p->cmd == COM_STMT_EXECUTE &&
	    (p->status & SERVER_CURSOR_EXISTS))
		rec_bool(r, "cursor", true);	/* its rows come by fetches */
	else if (p->has_status && p->cmd == COM_STMT_FETCH)
		rec_bool(r, "cursor_exhausted",
		    (p->status & SERVER_LAST_ROW_SENT) != 0);
}

/* ---------------------------------------------------------------------
 * The client character set
 *
 * The handshake names it, and SET NAMES (SET CHARACTER SET, SET
 * character_set_client), COM_CHANGE_USER and COM_RESET_CONNECTION change
 * it once the server says OK; with CLIENT_SESSION_TRACK the server's OK
 * says what it became, which is taken over what we read in the request.
 * The character_set key says how the texts of the record it is in were
 * read: the session's charset when the request was sent.
 */

/* The character_set key says cs (the key is added only for a charset
 * with a name: a capture begun mid-session has none until a change). */
static void
my_cs_meta(struct conn *c, struct my_state *st, unsigned cs)
{
	const char	*name;

	if (st->cs_meta_set && cs == st->cs_meta)
		return;
	name = mysql_charset_name(cs);
	if (st->cs_meta_set && strcmp(name,
	    mysql_charset_name(st->cs_meta)) == 0) {
		st->cs_meta = cs;
		return;
	}
	if (!st->cs_meta_set && name[0] == '\0')
		return;
	rec_set_str(&c->meta, "character_set", name, strlen(name));
	st->cs_meta = cs;
	st->cs_meta_set = true;
}

/* The request changes the session's charset to cs if it succeeds: the
 * requests after it are read in cs (the server runs them after it). */
static void
my_cs_expect(struct my_state *st, struct my_pending *p, unsigned cs)
{
	p->cs_set = true;
	p->cs_after = cs;
	st->charset = cs;
}

/* The SET statements of a text (q, n: as sent) that change the charset:
 * into p->chg; unless prepare (the change comes with its executes), the
 * change is expected. */
static void
my_cs_scan(struct my_state *st, struct my_pending *p, const uint8_t *q,
    size_t n, bool prepare)
{
	struct mysql_cs_change	chg[MYSQL_CS_CHANGES];
	unsigned		i, k;

	k = mysql_set_scan(q, n, p->cs, st->nobs ? MYSQL_SET_NOBS : 0, chg);
	p->nchg = 0;
	for (i = 0; i < k; i++) {
		if (chg[i].cs == MYSQL_CS_DEFAULT) {
			/* the server's default: its greeting's */
			if (st->cs_srv == 0)
				continue;
			chg[i].cs = st->cs_srv;
		}
		p->chg[p->nchg++] = chg[i];
	}
	if (p->nchg > 0 && !prepare)
		my_cs_expect(st, p, p->chg[p->nchg - 1].cs);
}

/* After the head request p was written: the session's charset as its
 * answer (answered) leaves it. Without an answer (a gap, the end) a
 * change is taken as made: a SET rarely fails. */
static void
my_cs_after(struct conn *c, struct my_state *st, const struct my_pending *p,
    bool answered)
{
	unsigned	cs, i;
	bool		ok = !answered || !p->err;

	if (!p->cs_set && p->trk_cs == -1)
		return;
	if (p->trk_cs >= 0)
		st->cs_conf = (unsigned)p->trk_cs;
	else if (p->trk_cs == -1 && ok)
		st->cs_conf = p->cs_after;
	else if (p->trk_cs == -1) {
		/* a multi-statement stops at its first error: the changes
		 * of the statements before it were made */
		for (i = p->nchg; i > 0; i--)
			if (p->chg[i - 1].stmt < p->nres) {
				st->cs_conf = p->chg[i - 1].cs;
				break;
			}
	}
	if (p->cmd == COM_CHANGE_USER && p->cs_set && ok)
		st->cs_base = p->cs_after;
	/* the requests still queued were read as if all before them
	 * succeed */
	cs = st->cs_conf;
	for (i = 1; i < st->qlen; i++)
		if (my_qat(st, i)->cs_set)
			cs = my_qat(st, i)->cs_after;
	st->charset = cs;
	my_cs_meta(c, st, st->cs_conf);
}

/* Writes p's record, its character_set how its texts were read. */
static void
my_emit(struct conn *c, struct my_state *st, struct my_pending *p)
{
	my_cs_meta(c, st, p->cs);
	conn_emit(c, &p->rec, DIR_C2S, p->ts, p->cseq);
}

/* Emits and removes the head request; with_resp adds the response keys. */
static void
my_pop(struct conn *c, struct my_state *st, bool with_resp)
{
	struct my_pending	*p = my_head(st);

	if (p == NULL)
		return;
	if (p->emit) {
		if (with_resp)
			my_add_response(st, p);
		st->in_step |= with_resp;
		my_emit(c, st, p);
		st->qheld--;
		st->qbytes -= p->held;
	}
	my_cs_after(c, st, p, with_resp);
	if (p->rec.acap > MYSQL_BUF_SHRINK)
		rec_free(&p->rec);
	st->qhead = (st->qhead + 1) % st->qcap;
	st->qlen--;
	if (st->qearly > 0)
		st->qearly--;
}

static void
my_flush(struct conn *c, struct my_state *st)
{
	while (st->qlen)
		my_pop(c, st, false);
}

/* Doubles the ring, its requests in order from 0. */
static void
my_grow(struct my_state *st)
{
	struct my_pending	*nq;
	unsigned		 ncap, i;

	ncap = st->qcap ? 2 * st->qcap : MYSQL_QUEUE_HELD;
	nq = xcalloc(ncap, sizeof *nq);
	for (i = 0; i < st->qcap; i++)
		nq[i] = *my_qat(st, i);	/* records move with them */
	free(st->q);
	st->q = nq;
	st->qcap = ncap;
	st->qhead = 0;
}

static struct my_pending *
my_push(struct conn *c, struct my_state *st, const struct my_msg *m)
{
	struct my_pending	*p;
	struct record		 keep;

	if (st->qlen == st->qcap) {
		if (st->qcap < MYSQL_QUEUE_MAX)
			my_grow(st);
		else	/* a client that never reads: give the oldest up */
			my_pop(c, st, false);
	}
	p = my_qat(st, st->qlen);
	st->qlen++;
	keep = p->rec;
	memset(p, 0, sizeof *p);
	p->rec = keep;
	rec_reset(&p->rec);
	p->cmd = m->p[0];
	p->rseq = (uint8_t)(m->seq_last + 1);
	p->ts = m->ts;
	p->cseq = m->cseq;
	p->rs = RS_FIRST;
	p->acked = c->acked[DIR_C2S];
	p->cs = st->charset;
	p->trk_cs = -1;
	return p;
}

/* ---------------------------------------------------------------------
 * Requests
 */

/* Text in the connection's character set as key; cut: the command was
 * longer than what was kept, and a character the cut splits is dropped
 * rather than written as U+FFFD. Returns the bytes dropped. */
static size_t
my_text_cut(struct my_state *st, struct record *r, const char *key,
    const uint8_t *p, size_t n, bool cut)
{
	size_t		 on, drop = 0;
	const char	*s = mysql_text(&st->scratch, st->charset, p, n, &on);

	if (cut) {
		drop = mysql_utf8_partial(s, on);
		on -= drop;
	}
	rec_str(r, key, s, on);
	return drop;
}

static void
my_text(struct my_state *st, struct record *r, const char *key,
    const uint8_t *p, size_t n)
{
	(void)my_text_cut(st, r, key, p, n, false);
}

/* Checks n params of the given types (NULL bitmap nb; ld, if not NULL,
 * those sent before as long data) fit the rest of r exactly; adds them to
 * rec unless it is NULL. */
static bool
my_exec_values(struct my_state *st, struct record *rec, struct rd *r,
    unsigned n, const uint8_t *nb, const uint8_t *types, const uint8_t *ld)
{
	unsigned	i;

	for (i = 0; i < n; i++) {
		/* A param sent with COM_STMT_SEND_LONG_DATA is not in the
		 * execute (Connector/J leaves its NULL bit clear, libmariadb
		 * sets it; the server takes the long data either way): its
		 * value is not here, shown as null. */
		if ((ld != NULL && (ld[i / 8] & (1u << (i % 8)))) ||
		    (nb[i / 8] & (1u << (i % 8)))) {
			if (rec != NULL)
				rec_el_null(rec);
			continue;
		}
		if (!mysql_value(rec, r, types[2 * i], types[2 * i + 1],
		    st->charset, &st->scratch))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Query attributes (MySQL 8.0.23+ with CLIENT_QUERY_ATTRIBUTES): a
 * COM_QUERY carries a parameter block before its text, and an execute an
 * explicit parameter count and a name after each type. Attributes come
 * after the statement's own parameters; only those are shown.
 */

#define EXEC_PARAM_COUNT	0x08	/* flags: PARAMETER_COUNT_AVAILABLE */

/* The types of the parameters being read (names dropped): one execute or
 * query at a time, and one thread. */
static uint8_t	my_qa_types[2 * MYSQL_PARAMS_MAX];

/* Whether attributes are on: 1, 0, or -1 if not known, which is also the
 * case when only the client's half of the handshake was seen: MySQL2 for
 * Node.js (and libmysqlclient 8) ask for them whatever the server offers,
 * and MariaDB never takes them. Taking the client's word for it, executes
 * were read in the attributes layout and lost their values. */
static int
my_qa_state(const struct my_state *st)
{
	if ((st->ccaps_known && !(st->ccaps & CLIENT_QUERY_ATTRS)) ||
	    (st->scaps_known && !(st->scaps & CLIENT_QUERY_ATTRS)))
		return 0;
	return st->ccaps_known && st->scaps_known ? 1 : -1;
}

/* cnt (type, name) pairs into my_qa_types; NULL if they do not fit. */
static const uint8_t *
my_qa_types_read(struct rd *r, uint64_t cnt)
{
	const uint8_t	*t;
	uint64_t	 i, nl;

	if (cnt > MYSQL_PARAMS_MAX)
		return NULL;
	for (i = 0; i < cnt; i++) {
		if ((t = rd_take(r, 2)) == NULL)
			return NULL;
		memcpy(my_qa_types + 2 * i, t, 2);
		nl = mysql_lenenc(r);
		if (!rd_ok(r) || nl > rd_left(r))
			return NULL;
		rd_skip(r, (size_t)nl);
	}
	return my_qa_types;
}

/* Steps r over a COM_QUERY's attribute block; false if it is not one. */
static bool
my_qa_query_skip(struct my_state *st, struct rd *r)
{
	const uint8_t	*nb, *types;
	uint64_t	 cnt;

	cnt = mysql_lenenc(r);
	if (mysql_lenenc(r) != 1 || !rd_ok(r))	/* parameter sets: 1 */
		return false;
	if (cnt == 0)
		return true;
	if (cnt > rd_left(r))
		return false;
	nb = rd_take(r, (size_t)(cnt + 7) / 8);
	if (rd_u8(r) != 1 || nb == NULL ||
	    (types = my_qa_types_read(r, cnt)) == NULL)
		return false;
	return my_exec_values(st, NULL, r, (unsigned)cnt, nb, types, NULL) &&
	    rd_ok(r);
}

/* A COM_QUERY's text (q, qn: after the command byte). With attributes on,
 * their block comes first; in a capture that began after the handshake a
 * block is recognised by its shape (a query's text never starts with a
 * control byte followed by 0x01). */
static void
my_query_text(struct conn *c, struct my_state *st, const uint8_t **q,
    size_t *qn)
{
	struct rd	r;
	int		qa = my_qa_state(st);

	if (qa == 0 || (qa < 0 && (*qn < 2 || (*q)[0] >= 0x20 ||
	    (*q)[1] != 1)))
		return;
	rd_init(&r, *q, *qn);
	if (my_qa_query_skip(st, &r)) {
		*q = rd_ptr(&r);
		*qn = rd_left(&r);
	} else if (qa == 1)
		c->st.decode_errors++;
}

/*
 * The parameters of an execute in the attributes layout (r after the
 * iteration count), appended to rec (NULL: only checked). s is the
 * statement if known; cut: the message is cut short (capture or budget).
 * Returns NULL or what went wrong.
 */
static const char *
my_qa_exec(struct my_state *st, struct record *rec, struct rd *r,
    struct my_stmt *s, uint32_t id, uint8_t flags, bool cut)
{
	const uint8_t	*nb, *types = NULL;
	uint64_t	 cnt, i;
	unsigned	 shown;
	bool		 bound;

	if ((s != NULL && s->nparams > 0) || (flags & EXEC_PARAM_COUNT) ||
	    (s == NULL && rd_left(r) > 0))
		cnt = mysql_lenenc(r);
	else
		cnt = 0;
	if (!rd_ok(r) || cnt > rd_left(r))
		return "malformed";
	if (cnt == 0)
		return NULL;
	nb = rd_take(r, (size_t)(cnt + 7) / 8);
	bound = rd_u8(r) == 1;
	if (!rd_ok(r))
		return "malformed";
	shown = s != NULL && s->nparams > 0 && s->nparams < cnt ?
	    s->nparams : (unsigned)cnt;
	if (bound) {
		if ((types = my_qa_types_read(r, cnt)) == NULL)
			return cut ? "truncated" : "malformed";
		if (rec != NULL && s != NULL && s->nparams > 0 &&
		    cnt >= s->nparams)
			my_stmt_keep_types(st, s, types);
	} else if (s != NULL && s->types_known && s->nparams > 0) {
		types = s->types;
		if (cnt > s->nparams && rec == NULL)
			return "parameter types unknown";	/* can't check */
	} else
		return "parameter types unknown";
	if (!my_exec_values(st, rec, r, shown, nb, types,
	    s != NULL && s->ld_any ? s->ld : NULL))
		return cut ? "truncated" : "malformed";
	/* the attributes: checked (a capture's layout is told by the
	 * parameters filling the message exactly), not shown */
	for (i = shown; i < cnt && types == my_qa_types; i++)
		if (!(nb[i / 8] & (1u << (i % 8))) && !mysql_value(NULL, r,
		    types[2 * i], types[2 * i + 1], st->charset, &st->scratch))
			return cut ? "truncated" : "malformed";
	if (s == NULL && rec != NULL && bound && id != 0xffffffffu) {
		/* learnt: later executes without the types decode too
		 * (attributes, if any, are counted as parameters) */
		s = my_stmt_add(st, id);
		s->nparams = (uint16_t)cnt;
		my_stmt_keep_types(st, s, types);
	}
	return NULL;
}

/* Statement unknown: find the parameter count for which the execute parses
 * exactly (it must carry its types, new-params-bound = 1). Returns it, 0
 * when more than one count does (the values of the smaller are read from
 * the larger's types and values: Ruby mysql2's six parameters of INT,
 * STRING, INT, DATETIME, DOUBLE, STRING read as four gave 51556253701, "",
 * 2339461066959880192, 0000-00-00), -1 when none does. */
static int
my_exec_infer(struct my_state *st, const uint8_t *p, size_t n)
{
	unsigned	 np, i, nbl;
	struct rd	 r;
	const uint8_t	*nb, *types;
	int		 found = -1;

	for (np = 1; np <= MYSQL_INFER_MAX; np++) {
		nbl = (np + 7) / 8;
		if (nbl + 1 + 2 * np > n)
			break;
		rd_init(&r, p, n);
		nb = rd_take(&r, nbl);
		if (rd_u8(&r) != 1)
			continue;
		types = rd_take(&r, 2 * np);
		if (!rd_ok(&r))
			continue;
		for (i = 0; i < np; i++)
			if (!mysql_type_valid(types[2 * i]) ||
			    (types[2 * i + 1] & 0x7f) != 0)
				break;
		if (i < np)
			continue;
		if (my_exec_values(st, NULL, &r, np, nb, types, NULL) &&
		    rd_ok(&r) && rd_left(&r) == 0) {
			if (found > 0)
				return 0;
			found = (int)np;
		}
	}
	return found;
}

/* Whether the rest of an execute of an unknown statement (after the
 * iteration count) says it has no parameters: nothing, or only a
 * new-params-bound byte, which MariaDB Connector/Node.js sends even then.
 * Parameters take at least two bytes (a NULL bitmap and that flag). */
static bool
my_exec_no_params(const struct rd *r)
{
	return rd_left(r) == 0 || (rd_left(r) == 1 && rd_ptr(r)[0] <= 1);
}

/* A COM_STMT_PREPARE waiting for its response (pipelined). */
static bool
my_prepare_pending(const struct my_state *st)
{
	unsigned	i;

	for (i = 0; i < st->qlen; i++)
		if (my_qat(st, i)->cmd ==
		    COM_STMT_PREPARE)
			return true;
	return false;
}

/* The text of the last prepare still waiting for its answer: a MariaDB
 * execute with statement id -1 sent behind it (mariadb_stmt_execute_direct)
 * runs that statement. */
static const char *
my_prepare_pending_text(struct my_state *st, size_t *n)
{
	const struct my_pending	*q;
	const struct rfield	*f;
	unsigned		 i;

	for (i = st->qlen; i > 0; i--) {
		q = my_qat(st, i - 1);
		if (q->cmd != COM_STMT_PREPARE)
			continue;
		if ((f = rec_find(&q->rec, "stmt_prepare_query")) == NULL)
			return NULL;
		return rec_sval(&q->rec, &f->val, n);
	}
	return NULL;
}

/* The parameters of an execute of a known statement with parameters (r
 * after the iteration count); as my_qa_exec. */
static const char *
my_exec_known(struct my_state *st, struct record *rec, struct rd *r,
    struct my_stmt *s, bool cut)
{
	const uint8_t	*nb, *types = NULL;
	unsigned	 np = s->nparams;

	nb = rd_take(r, (np + 7) / 8);
	if (rd_u8(r) == 1) {
		types = rd_take(r, 2 * (size_t)np);
		if (types != NULL && rec != NULL && np <= MYSQL_PARAMS_MAX)
			my_stmt_keep_types(st, s, types);
	} else if (s->types_known)
		types = s->types;
	if (!rd_ok(r))
		return cut ? "truncated" : "malformed";
	if (types == NULL)
		return "parameter types unknown";
	if (!my_exec_values(st, rec, r, np, nb, types,
	    s->ld_any ? s->ld : NULL))
		return cut ? "truncated" : "malformed";
	return NULL;
}

/* Whether an execute (r after the iteration count) has the attributes
 * layout: so negotiated, or, in a capture that began after the handshake,
 * when only that layout fills the message exactly. */
static bool
my_exec_is_qa(struct my_state *st, struct my_stmt *s, uint32_t id,
    uint8_t flags, const struct rd *r)
{
	struct rd	t = *r;
	int		qa = my_qa_state(st);

	if (qa >= 0 || rd_left(r) == 0)
		return qa == 1;
	if (s != NULL ? s->nparams > 0 &&
	    my_exec_known(st, NULL, &t, s, false) == NULL && rd_left(&t) == 0 :
	    my_exec_infer(st, rd_ptr(r), rd_left(r)) >= 0)
		return false;
	t = *r;
	return my_qa_exec(st, NULL, &t, s, id, flags, false) == NULL &&
	    rd_left(&t) == 0;
}

static void
my_execute(struct conn *c, struct my_state *st, struct my_pending *p,
    const struct my_msg *m)
{
	struct record	*rec = &p->rec;
	struct my_stmt	*s;
	struct rd	 r;
	uint32_t	 id;
	const uint8_t	*nb, *types = NULL;
	const char	*err = NULL;
	unsigned	 np = 0;
	int		 inf;
	uint8_t		 flags;
	const char	*text;
	size_t		 textlen;

	rd_init(&r, m->p + 1, m->n - 1);
	id = rd_le32(&r);
	flags = rd_u8(&r);
	rd_skip(&r, 4);			/* iteration count */
	if (id == 0xffffffffu && !my_prepare_pending(st)) {
		/* MariaDB: the statement prepared last */
		id = st->last_stmt;
	}
	rec_int(rec, "stmt_id", id);
	/* (with a prepare still unanswered, -1 is that one: unknown yet) */
	s = id == 0xffffffffu ? NULL : my_stmt_find(st, id);
	if (s != NULL)
		s->stamp = ++st->stamp;
	rec_array_begin(rec, "stmt_execute_values");
	if (!rd_ok(&r)) {
		err = "malformed";
	} else if (my_exec_is_qa(st, s, id, flags, &r)) {
		err = my_qa_exec(st, rec, &r, s, id, flags, m->n < m->total);
	} else if (s == NULL) {
		if (my_exec_no_params(&r)) {
			if (id != 0xffffffffu)
				my_stmt_add(st, id);
		} else if ((inf = my_exec_infer(st, rd_ptr(&r),
		    rd_left(&r))) > 0) {
			np = (unsigned)inf;
			nb = rd_take(&r, (np + 7) / 8);
			rd_skip(&r, 1);
			types = rd_take(&r, 2 * np);
			my_exec_values(st, rec, &r, np, nb, types, NULL);
			if (id != 0xffffffffu) {
				/* learnt: later executes (without the types)
				 * decode too */
				s = my_stmt_add(st, id);
				s->nparams = (uint16_t)np;
				my_stmt_keep_types(st, s, types);
				s = NULL;
			}
		} else
			err = "statement not seen";
	} else if (s->nparams > 0)
		err = my_exec_known(st, rec, &r, s, m->n < m->total);
	/* the server forgets long data once it executed */
	if (s != NULL)
		my_stmt_ld_reset(s);
	if (s != NULL && s->set_cs != 0) {
		p->nchg = 0;
		my_cs_expect(st, p, s->set_cs);
	}
	rec_array_end(rec);
	rec_int(rec, "seq_num", m->seq);
	rec_int(rec, "command_id", COM_STMT_EXECUTE);
	rec_mark_ext(rec);
	if (s != NULL && s->text != NULL)
		rec_str_esc(rec, "stmt_query", s->text, s->textlen,
		    (enum resc)s->esc);
	else if (id == 0xffffffffu &&
	    (text = my_prepare_pending_text(st, &textlen)) != NULL)
		/* copied: the prepare's record is reset when it is written,
		 * before this one */
		rec_str(rec, "stmt_query", text, textlen);
	if (err != NULL) {
		rec_cstr(rec, "values_error", err);
		c->st.decode_errors++;
	}
}

/* COM_STMT_FETCH: rows of the cursor an execute opened (the execute's
 * record has rows 0 and cursor true). */
static void
my_fetch(struct conn *c, struct my_state *st, struct my_pending *p,
    const struct my_msg *m)
{
	struct record	*rec = &p->rec;
	struct my_stmt	*s = NULL;
	struct rd	 r;
	uint32_t	 id, nrows;

	rd_init(&r, m->p + 1, m->n - 1);
	id = rd_le32(&r);
	nrows = rd_le32(&r);
	rec_int(rec, "stmt_id", id);
	if (rd_ok(&r)) {
		rec_uint(rec, "stmt_fetch_rows", nrows);
		s = my_stmt_find(st, id);
	} else
		c->st.decode_errors++;
	rec_int(rec, "seq_num", m->seq);
	rec_int(rec, "command_id", COM_STMT_FETCH);
	rec_mark_ext(rec);
	if (s != NULL) {
		s->stamp = ++st->stamp;
		if (s->text != NULL)
			rec_str_esc(rec, "stmt_query", s->text, s->textlen,
			    (enum resc)s->esc);
	}
	p->rs = RS_ROWS;
	p->rset = true;
	p->emit = true;
}

/* A request's record is held for its response: past MYSQL_QUEUE_HELD
 * records and MYSQL_QUEUE_BYTES (a deep pipeline, e.g. MariaDB
 * Connector/Node.js's, of texts up to 1 MB each) the oldest held one is
 * written now, without response keys, and its request stays queued for
 * its response. The records written early are always the oldest, so they
 * come first in the queue. */
static void
my_hold(struct conn *c, struct my_state *st)
{
	struct my_pending	*p;

	p = my_qat(st, st->qlen - 1);	/* the request just queued */
	p->held = p->rec.acap + p->rec.capf * sizeof *p->rec.f +
	    p->rec.capel * sizeof *p->rec.el;
	st->qbytes += p->held;
	if (++st->qheld <= MYSQL_QUEUE_HELD ||
	    st->qbytes <= MYSQL_QUEUE_BYTES)
		return;
	for (; st->qearly < st->qlen; st->qearly++) {
		p = my_qat(st, st->qearly);
		if (!p->emit)
			continue;
		my_emit(c, st, p);
		p->emit = false;
		rec_free(&p->rec);
		st->qheld--;
		st->qbytes -= p->held;
		st->qearly++;
		return;
	}
}

static void
my_command(struct conn *c, struct my_state *st, const struct my_msg *m)
{
	struct my_pending	*p;
	struct my_stmt		*s;
	struct rd		 r;
	const uint8_t		*q;
	size_t			 n, qn, drop = 0;
	unsigned		 cs;
	uint8_t			 cmd;

	if (m->n == 0)
		return;
	cmd = m->p[0];
	switch (cmd) {
	case COM_QUIT:
		return;		/* no response */
	case COM_STMT_SEND_LONG_DATA:
		my_stmt_long_data(st, m);
		return;		/* no response */
	case COM_STMT_CLOSE:
		rd_init(&r, m->p + 1, m->n - 1);
		if ((s = my_stmt_find(st, rd_le32(&r))) != NULL && rd_ok(&r))
			my_stmt_clear(st, s);
		return;
	case COM_BINLOG_DUMP:
	case COM_BINLOG_DUMP_GTID:
		/* the response is an endless event stream */
		my_flush(c, st);
		st->phase = PH_OFF;
		return;
	}
	if (cmd > COM_LAST && cmd != COM_STMT_BULK_EXECUTE) {
		c->st.decode_errors++;
		return;
	}
	p = my_push(c, st, m);
	switch (cmd) {
	case COM_QUERY:
		q = m->p + 1;
		qn = m->n - 1;
		my_query_text(c, st, &q, &qn);
		drop = my_text_cut(st, &p->rec, "query", q, qn,
		    m->n < m->total);
		my_cs_scan(st, p, q, qn, false);
		rec_int(&p->rec, "seq_num", m->seq);
		rec_int(&p->rec, "command_id", cmd);
		rec_mark_ext(&p->rec);
		p->emit = true;
		break;
	case COM_STMT_PREPARE:
		drop = my_text_cut(st, &p->rec, "stmt_prepare_query", m->p + 1,
		    m->n - 1, m->n < m->total);
		my_cs_scan(st, p, m->p + 1, m->n - 1, true);
		rec_int(&p->rec, "seq_num", m->seq);
		rec_int(&p->rec, "command_id", cmd);
		rec_mark_ext(&p->rec);
		p->emit = true;
		break;
	case COM_STMT_EXECUTE:
		my_execute(c, st, p, m);
		p->emit = true;
		break;
	case COM_INIT_DB:
		/* kept aside (not emitted) until the server says OK */
		my_text(st, &p->rec, "database", m->p + 1, m->n - 1);
		p->rs = RS_ONE;
		break;
	case COM_CHANGE_USER:
		rd_init(&r, m->p + 1, m->n - 1);
		q = (const uint8_t *)rd_cstr(&r, &n);
		if (q != NULL)
			my_text(st, &p->rec, "username", q, n);
		if (st->ccaps & CLIENT_SECURE_CONN)
			rd_skip(&r, rd_u8(&r));
		else
			rd_cstr(&r, &n);
		q = (const uint8_t *)rd_cstr(&r, &n);
		if (q != NULL)
			my_text(st, &p->rec, "database", q, n);
		/* then (4.1) the new character set, 2 bytes; without the
		 * handshake the layout before it is a guess: only a charset
		 * we know is taken */
		cs = rd_left(&r) >= 2 ? rd_le16(&r) : 0;
		if (cs != 0 && (st->ccaps_known ?
		    (st->ccaps & CLIENT_PROTOCOL_41) != 0 :
		    mysql_charset_name(cs)[0] != '\0'))
			my_cs_expect(st, p, cs);
		p->rs = RS_AUTH;
		break;
	case COM_RESET_CONNECTION:
		/* back to the handshake's (or COM_CHANGE_USER's) */
		my_cs_expect(st, p, st->cs_base);
		p->rs = RS_ONE;
		break;
	case COM_FIELD_LIST:
		p->rs = RS_FIELDS;
		break;
	case COM_STMT_BULK_EXECUTE:
		/* (Connector/J's batches) not emitted, but it has a response
		 * (an OK, or results): held so that it is not taken for the
		 * response of the next request */
		break;
	case COM_STMT_FETCH:
		my_fetch(c, st, p, m);
		break;
	case COM_PROCESS_INFO:
		break;
	case COM_STMT_RESET:
		/* the server drops the statement's long data */
		rd_init(&r, m->p + 1, m->n - 1);
		if ((s = my_stmt_find(st, rd_le32(&r))) != NULL && rd_ok(&r))
			my_stmt_ld_reset(s);
		p->rs = RS_ONE;
		break;
	default:
		p->rs = RS_ONE;
		break;
	}
	if (p->emit) {
		c->st.requests++;
		if (m->n < m->total)
			rec_uint(&p->rec, "truncated_bytes",
			    m->total - m->n + drop);
		my_hold(c, st);
	}
}

/* ---------------------------------------------------------------------
 * Handshake
 */

static bool
my_allzero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static bool
my_is_resp41(const struct my_msg *m)
{
	uint32_t	caps;

	if (m->n < 32)
		return false;
	caps = m->p[0] | m->p[1] << 8 | (uint32_t)m->p[2] << 16 |
	    (uint32_t)m->p[3] << 24;
	/* 19 reserved zero bytes; MariaDB puts its extended capabilities
	 * in the last 4 of the 23 */
	return (caps & CLIENT_PROTOCOL_41) && my_allzero(m->p + 9, 19);
}

static bool
my_is_resp320(const struct my_msg *m)
{
	return m->n >= 6 && !(m->p[1] & (CLIENT_PROTOCOL_41 >> 8)) &&
	    memchr(m->p + 5, 0, m->n - 5) != NULL;
}

static void
my_meta(struct conn *c, struct my_state *st, const char *key,
    const uint8_t *p, size_t n, bool decode)
{
	const char	*s = (const char *)p;
	size_t		 on = n;

	if (decode)
		s = mysql_text(&st->scratch, st->charset, p, n, &on);
	else
		while (on > 0 && s[on - 1] == '\0')
			on--;
	rec_set_str(&c->meta, key, s, on);
}

static void
my_handshake(struct conn *c, struct my_state *st, const struct my_msg *m)
{
	struct rd	 r;
	const uint8_t	*user, *db = NULL;
	size_t		 un, dn = 0;
	uint32_t	 caps;
	uint64_t	 alen;
	const char	*cs;

	st->hs_resp = true;
	if (st->phase == PH_INIT)
		st->phase = PH_AUTH;
	rd_init(&r, m->p, m->n);
	if (my_is_resp41(m)) {
		caps = rd_le32(&r);
		rd_skip(&r, 4);
		st->charset = st->cs_conf = st->cs_base = rd_u8(&r);
		st->cs_meta = st->charset;
		st->cs_meta_set = true;
		st->ccaps = caps;
		st->ccaps_known = true;
		/* In effect only if the server offers it too: libmysqlclient
		 * 5.7+ asks for it whatever the server said, and a server
		 * without it (MySQL 5.6, MariaDB 10.1) still sends EOFs. */
		st->deprecate_eof = (caps & CLIENT_DEPRECATE_EOF) != 0 &&
		    (!st->scaps_known || (st->scaps & CLIENT_DEPRECATE_EOF));
		cs = mysql_charset_name(st->charset);
		rec_set_str(&c->meta, "character_set", cs, strlen(cs));
		if (caps & CLIENT_SSL) {
			st->phase = PH_OFF;
			conn_set_tls(c, DIR_C2S, m->ts, mysql_ssl_msg);
			return;
		}
		rd_skip(&r, 23);
		user = (const uint8_t *)rd_cstr(&r, &un);
		if (user == NULL) {
			c->st.decode_errors++;
			return;
		}
		my_meta(c, st, "username", user, un, true);
		if (caps & CLIENT_AUTH_LENENC) {
			alen = mysql_lenenc(&r);
			if (alen > rd_left(&r))
				r.bad = true;
			else
				rd_skip(&r, (size_t)alen);
		} else if (caps & CLIENT_SECURE_CONN)
			rd_skip(&r, rd_u8(&r));
		else
			rd_cstr(&r, &un);
		if (caps & CLIENT_CONNECT_WITH_DB) {
			db = (const uint8_t *)rd_cstr(&r, &dn);
			if (db != NULL)
				my_meta(c, st, "database", db, dn, true);
			else
				c->st.decode_errors++;
		}
		return;
	}
	/* HandshakeResponse320: strings taken raw, values kept only if the
	 * packet parses exactly */
	caps = rd_le16(&r);
	st->ccaps = caps;
	st->ccaps_known = true;
	st->deprecate_eof = 0;
	if (caps & CLIENT_SSL) {
		st->phase = PH_OFF;
		conn_set_tls(c, DIR_C2S, m->ts, mysql_ssl_msg);
		return;
	}
	rd_skip(&r, 3);
	user = (const uint8_t *)rd_cstr(&r, &un);
	if (caps & CLIENT_CONNECT_WITH_DB) {
		rd_cstr(&r, &dn);
		if (rd_ok(&r)) {
			db = rd_ptr(&r);
			dn = rd_left(&r);
			if (dn > 0 && db[dn - 1] == '\0')
				dn--;
			else if (memchr(db, 0, dn) != NULL)
				r.bad = true;
			rd_skip(&r, rd_left(&r));
		}
	} else if (rd_ok(&r) && memchr(rd_ptr(&r), 0, rd_left(&r)) != NULL)
		rd_cstr(&r, &dn);
	else
		rd_skip(&r, rd_left(&r));
	if (!rd_ok(&r) || rd_left(&r) != 0 || user == NULL)
		return;
	my_meta(c, st, "username", user, un, false);
	if (db != NULL)
		my_meta(c, st, "database", db, dn, false);
}

static void
my_greeting(struct my_state *st, const struct my_msg *m)
{
	struct rd	r;
	size_t		n;

	rd_init(&r, m->p + 1, m->n - 1);
	rd_cstr(&r, &n);		/* server version */
	rd_skip(&r, 4 + 8 + 1);		/* thread id, scramble, filler */
	st->scaps = rd_le16(&r);
	st->cs_srv = rd_u8(&r);		/* the server's default charset */
	rd_skip(&r, 2);			/* status */
	st->scaps |= (uint32_t)rd_le16(&r) << 16;
	st->scaps_known = rd_ok(&r);
	if (!st->scaps_known)
		st->cs_srv = 0;
	st->phase = PH_AUTH;
}

/* Compression starts with the first packet after the server's OK. */
static void
my_auth_done(struct conn *c, struct my_state *st, const struct my_msg *m)
{
	struct record	r;

	st->phase = PH_CMD;
	if (st->ccaps_known && (st->ccaps & CLIENT_COMPRESS) &&
	    (!st->scaps_known || (st->scaps & CLIENT_COMPRESS))) {
		st->compress = true;
		st->d[0].zon = st->d[1].zon = true;
	} else if (m->p[0] == 0x00 && st->ccaps_known &&
	    (st->ccaps & CLIENT_ZSTD) &&
	    (!st->scaps_known || (st->scaps & CLIENT_ZSTD))) {
		/* (the server takes zlib when both are asked) */
		st->phase = PH_OFF;
		c->st.decode_errors++;
		rec_init(&r);
		rec_cstr(&r, "error", mysql_zstd_msg);
		conn_emit(c, &r, DIR_S2C, m->ts, 0);
		rec_free(&r);
	}
}

/* ---------------------------------------------------------------------
 * Messages by phase
 */

/* The server asked for a LOCAL INFILE and has not answered yet: the
 * client is sending the file. Its packets' sequence numbers wrap past 0
 * every 256 packets, so they cannot tell data from a command. */
static bool
my_infile(const struct my_state *st)
{
	return st->qlen > 0 && st->q[st->qhead].rs == RS_INFILE;
}

static void
my_msg(struct conn *c, struct my_state *st, enum dir dir,
    const struct my_msg *m)
{
	switch (st->phase) {
	case PH_INIT:
		if (dir == DIR_S2C) {
			if (m->seq == 0 && m->n > 1 && m->p[0] == 10 &&
			    memchr(m->p + 1, 0, m->n - 1) != NULL)
				my_greeting(st, m);
			return;
		}
		/* the first client packet of a handshake has seq 1: query
		 * text is never taken for a handshake response */
		if (m->seq == 1 && (my_is_resp41(m) || my_is_resp320(m))) {
			my_handshake(c, st, m);
			return;
		}
		if (m->seq != 0)
			return;
		st->phase = PH_CMD;
		my_command(c, st, m);
		return;
	case PH_AUTH:
		if (dir == DIR_C2S) {
			if (!st->hs_resp && m->seq == 1 && m->n >= 4) {
				if ((m->p[1] & (CLIENT_PROTOCOL_41 >> 8)) ?
				    my_is_resp41(m) || m->n == 32 :
				    m->n >= 5)
					my_handshake(c, st, m);
				return;
			}
			if (m->seq == 0 && m->n > 0 && m->p[0] <= COM_LAST) {
				/* the OK was lost: commands already */
				st->phase = PH_CMD;
				my_command(c, st, m);
			}
			return;
		}
		if (m->n == 0)
			return;
		if (m->p[0] == 0x00 || (m->p[0] == 0xff && st->hs_resp))
			my_auth_done(c, st, m);
		else if (m->seq == 0 && m->p[0] == 10)
			my_greeting(st, m);
		return;
	case PH_CMD:
		if (dir == DIR_C2S) {
			if (m->seq == 0 && !my_infile(st))
				my_command(c, st, m);
			return;
		}
		my_resp(c, st, m);
		return;
	case PH_OFF:
		return;
	}
}

/* ---------------------------------------------------------------------
 * Responses
 */

/* An EOF packet is 5 bytes (1 before 4.1); an OK ending a result with
 * CLIENT_DEPRECATE_EOF starts with 0xfe too but has at least 7. */
static bool
my_is_eof(const struct my_msg *m)
{
	return m->n > 0 && m->p[0] == 0xfe && m->total < 7;
}

/* An ERR packet's SQLSTATE and message into st (the ERR being reported);
 * returns its code, -1 if the packet is too short for one. */
static int
my_err_read(struct my_state *st, const struct my_msg *m)
{
	struct rd	r;
	size_t		n;
	uint16_t	code;

	rd_init(&r, m->p + 1, m->n - 1);
	code = rd_le16(&r);
	st->sqlstate[0] = '\0';
	st->errlen = 0;
	if (!rd_ok(&r))
		return -1;
	if (rd_left(&r) >= 6 && rd_ptr(&r)[0] == '#') {
		rd_skip(&r, 1);
		memcpy(st->sqlstate, rd_take(&r, 5), 5);
		st->sqlstate[5] = '\0';
	}
	n = rd_left(&r);
	if (n > sizeof st->errmsg)
		n = sizeof st->errmsg;
	if (n)
		memcpy(st->errmsg, rd_ptr(&r), n);
	st->errlen = n;
	return code;
}

static void
my_parse_err(struct conn *c, struct my_state *st, struct my_pending *p,
    const struct my_msg *m)
{
	int	code = my_err_read(st, m);

	p->err = true;
	p->err_code = code < 0 ? 0 : (uint16_t)code;
	c->st.errors++;
}

/* The session state an OK reports after its status and warnings (r),
 * with CLIENT_SESSION_TRACK: the character_set_client it names (a SET
 * NAMES in a procedure, an assignment from a user variable: the server
 * knows better than our reading of the request). Returns its collation
 * id, -2 for a name we do not know, -1 if it says nothing of it. */
static int32_t
my_ok_track(const struct my_state *st, struct rd *r, uint16_t status)
{
	struct rd	 sr, vr;
	const uint8_t	*d, *name, *val;
	uint64_t	 n, nn, vn;
	int32_t		 cs = -1;
	int		 id;
	uint8_t		 type;

	if (!(status & SERVER_STATE_CHANGED) || rd_left(r) == 0 ||
	    (st->ccaps_known && !(st->ccaps & CLIENT_SESSION_TRACK)))
		return -1;
	n = mysql_lenenc(r);			/* info */
	if (!rd_ok(r) || n > rd_left(r))
		return -1;
	rd_skip(r, (size_t)n);
	n = mysql_lenenc(r);
	if (!rd_ok(r) || n > rd_left(r))
		return -1;
	rd_init(&sr, rd_take(r, (size_t)n), (size_t)n);
	while (rd_left(&sr) > 0) {
		type = rd_u8(&sr);
		n = mysql_lenenc(&sr);
		if (!rd_ok(&sr) || n > rd_left(&sr))
			break;
		d = rd_take(&sr, (size_t)n);
		if (type != 0)			/* SESSION_TRACK_SYSTEM_VARIABLES */
			continue;
		rd_init(&vr, d, (size_t)n);
		while (rd_left(&vr) > 0) {
			nn = mysql_lenenc(&vr);
			name = nn <= rd_left(&vr) ? rd_take(&vr, (size_t)nn) :
			    NULL;
			vn = mysql_lenenc(&vr);
			val = vn <= rd_left(&vr) ? rd_take(&vr, (size_t)vn) :
			    NULL;
			if (!rd_ok(&vr) || name == NULL || val == NULL)
				break;
			if (nn == 20 && strncasecmp((const char *)name,
			    "character_set_client", 20) == 0) {
				id = mysql_charset_id((const char *)val,
				    (size_t)vn);
				cs = id >= 0 ? id : -2;
			}
		}
	}
	return cs;
}

/* OK (0x00, or 0xfe ending rows with CLIENT_DEPRECATE_EOF) or EOF. Returns
 * the server status. */
static uint16_t
my_parse_ok(struct my_state *st, struct my_pending *p,
    const struct my_msg *m)
{
	struct rd	r;
	uint16_t	status;
	int32_t		cs;

	rd_init(&r, m->p + 1, m->n - 1);
	if (m->p[0] == 0xfe && m->total < 7) {		/* EOF */
		p->warnings = rd_le16(&r);
		status = rd_le16(&r);
		p->has_warn = rd_ok(&r);
	} else {
		p->affected += mysql_lenenc(&r);
		p->insert_id = mysql_lenenc(&r);
		status = rd_le16(&r);
		p->warnings = rd_le16(&r);
		p->has_ok = true;
		p->has_warn = rd_ok(&r);
		if (rd_ok(&r) && (cs = my_ok_track(st, &r, status)) != -1)
			p->trk_cs = cs;
	}
	if (!rd_ok(&r))
		return 0;
	p->status = status;
	p->has_status = true;
	st->nobs = (status & SERVER_NO_BACKSLASH) != 0;
	return status;
}

static void
my_done(struct conn *c, struct my_state *st, struct my_pending *p,
    const struct my_msg *m)
{
	struct my_stmt		*s;
	const struct rfield	*f;
	const char		*txt;
	size_t			 n;

	p->t_last = m->ts_last;
	if (!p->err && (p->cmd == COM_INIT_DB || p->cmd == COM_CHANGE_USER)) {
		if ((f = rec_find(&p->rec, "username")) != NULL) {
			txt = rec_sval(&p->rec, &f->val, &n);
			rec_set_str(&c->meta, "username", txt, n);
		}
		if ((f = rec_find(&p->rec, "database")) != NULL) {
			txt = rec_sval(&p->rec, &f->val, &n);
			rec_set_str(&c->meta, "database", txt, n);
		}
	}
	if (p->cmd == COM_STMT_PREPARE && p->ok) {
		s = my_stmt_add(st, p->stmt_id);
		s->nparams = p->nparams;
		st->last_stmt = p->stmt_id;
		if ((f = rec_find(&p->rec, "stmt_prepare_query")) != NULL) {
			txt = rec_sval(&p->rec, &f->val, &n);
			if (n > MYSQL_STMT_TEXT_MAX) {
				/* not ending in half a character */
				n = MYSQL_STMT_TEXT_MAX;
				n -= mysql_utf8_partial(txt, n);
			}
			s->text = xmalloc(n + 1);
			memcpy(s->text, txt, n);
			s->textlen = n;
			/* once: every execute's record repeats the text */
			s->esc = (uint8_t)rec_esc_class(txt, n);
		}
		/* a prepared SET NAMES: its executes change the charset */
		if (p->nchg > 0)
			s->set_cs = p->chg[p->nchg - 1].cs;
	}
	my_pop(c, st, true);
}

/* The end of a result: more may follow (multi-statement, CALL). */
static void
my_result_end(struct conn *c, struct my_state *st, struct my_pending *p,
    const struct my_msg *m, uint16_t status)
{
	if (status & SERVER_MORE_RESULTS) {
		p->rs = RS_FIRST;
		if (p->nres < UINT16_MAX)
			p->nres++;
		return;
	}
	my_done(c, st, p, m);
}

/* An ERR that answers no request: the server ending an idle session
 * (MySQL 8.0.24+ says why before it closes one at wait_timeout, 4031; a
 * shutdown, 1053; a KILL). It was dropped, and a session ended by the
 * server went unseen. Only once a request was answered (in_step), so that
 * the tail of a response whose request the capture missed is not taken
 * for one; and not when the server had read client bytes we have not had
 * (its ACK): then it answers a request lost in capture, whose loss shows
 * only when the client's next bytes come (the ERR of a multi-statement
 * query whose packet was dropped became an error of its own). */
static void
my_lone_err(struct conn *c, struct my_state *st, const struct my_msg *m)
{
	struct record	r;
	int		code = my_err_read(st, m);

	if (code < 0 || code == 0xffff)		/* MariaDB progress report */
		return;
	if (conn_read_unseen(c, DIR_S2C))
		return;
	c->st.errors++;
	rec_init(&r);
	rec_mark_ext(&r);
	rec_lit(&r, "status", "error");
	my_rec_err(st, &r, (uint16_t)code);
	conn_emit(c, &r, DIR_C2S, m->ts, m->cseq);
	rec_free(&r);
}

static void
my_resp(struct conn *c, struct my_state *st, const struct my_msg *m)
{
	struct my_pending	*p = my_head(st);
	struct rd		 r;
	uint8_t			 b;

	if (m->n == 0)
		return;
	if (p == NULL) {
		if (m->p[0] == 0xff && st->phase == PH_CMD && st->in_step)
			my_lone_err(c, st, m);
		return;
	}
	if (!p->started) {
		/* a response continues the request's sequence; anything
		 * else is the tail of one we did not see (mid-stream pickup,
		 * after a gap) */
		if (m->seq != p->rseq && !st->compress)
			return;
		p->started = true;
		p->t_first = m->ts;
	}
	p->t_last = m->ts_last;
	b = m->p[0];
	if (b == 0xff && p->rs != RS_COLS && p->rs != RS_PREP_PARAMS &&
	    p->rs != RS_PREP_COLS) {
		/* MariaDB progress reports are ERR 0xffff: not the end */
		if (m->n >= 3 && m->p[1] == 0xff && m->p[2] == 0xff)
			return;
		my_parse_err(c, st, p, m);
		my_done(c, st, p, m);
		return;
	}
	switch (p->rs) {
	case RS_FIRST:
		if (p->cmd == COM_STMT_PREPARE) {
			rd_init(&r, m->p + 1, m->n - 1);
			if (b != 0x00 || m->total < 12) {
				c->st.decode_errors++;
				my_done(c, st, p, m);
				return;
			}
			p->ok = true;
			p->stmt_id = rd_le32(&r);
			p->ncols = rd_le16(&r);
			p->nparams = rd_le16(&r);
			rd_skip(&r, 1);
			p->warnings = rd_le16(&r);
			p->has_warn = rd_ok(&r);
			p->left = p->nparams;
			p->rs = RS_PREP_PARAMS;
			if (p->nparams == 0) {
				p->left = p->ncols;
				p->rs = RS_PREP_COLS;
			}
			if (p->nparams == 0 && p->ncols == 0)
				my_done(c, st, p, m);
			return;
		}
		if (b == 0x00) {
			my_result_end(c, st, p, m, my_parse_ok(st, p, m));
			return;
		}
		if (b == 0xfb && p->cmd == COM_QUERY) {
			p->rs = RS_INFILE;
			return;
		}
		if (b == 0xfe) {
			my_result_end(c, st, p, m, my_parse_ok(st, p, m));
			return;
		}
		rd_init(&r, m->p, m->n);
		p->left = mysql_lenenc(&r);
		if (!rd_ok(&r) || p->left == 0) {
			c->st.decode_errors++;
			my_done(c, st, p, m);
			return;
		}
		p->rset = true;
		if (p->cmd == COM_STMT_EXECUTE && rd_left(&r) == 1 &&
		    m->n == m->total) {
			/* MariaDB's MARIADB_CLIENT_CACHE_METADATA: a byte
			 * after the count says whether the definitions
			 * follow; 0 (the client has them from the prepare)
			 * goes straight to the EOF or the rows. Told by the
			 * packet's length, so it works without the
			 * handshake too. */
			if (rd_u8(&r) == 0) {
				p->rs = st->deprecate_eof == 1 ? RS_ROWS :
				    RS_EOF1;
				return;
			}
		}
		p->rs = RS_COLS;
		return;
	case RS_COLS:
		if (--p->left > 0)
			return;
		p->rs = st->deprecate_eof == 1 ? RS_ROWS : RS_EOF1;
		return;
	case RS_EOF1:
		if (my_is_eof(m)) {
			if (st->deprecate_eof < 0)
				st->deprecate_eof = 0;
			p->rs = RS_ROWS;
			if (p->cmd == COM_STMT_EXECUTE &&
			    (my_parse_ok(st, p, m) & SERVER_CURSOR_EXISTS))
				my_done(c, st, p, m);
			return;
		}
		/* no EOF: rows right after the definitions */
		st->deprecate_eof = 1;
		p->rs = RS_ROWS;
		/* FALLTHROUGH */
	case RS_ROWS:
		if (b == 0xfe && m->total < 0xffffff) {
			my_result_end(c, st, p, m, my_parse_ok(st, p, m));
			return;
		}
		p->rows++;
		return;
	case RS_PREP_PARAMS:
	case RS_PREP_COLS:
		if (--p->left > 0)
			return;
		if (st->deprecate_eof == 1) {
			if (p->rs == RS_PREP_PARAMS && p->ncols > 0) {
				p->left = p->ncols;
				p->rs = RS_PREP_COLS;
			} else
				my_done(c, st, p, m);
			return;
		}
		p->rs = p->rs == RS_PREP_PARAMS ? RS_PREP_EOFP : RS_PREP_EOFC;
		return;
	case RS_PREP_EOFP:
	case RS_PREP_EOFC:
		if (!my_is_eof(m)) {
			/* CLIENT_DEPRECATE_EOF: that was the next response */
			st->deprecate_eof = 1;
			if (p->rs == RS_PREP_EOFP && p->ncols > 0) {
				p->left = p->ncols;
				p->rs = RS_PREP_COLS;
				my_resp(c, st, m);
				return;
			}
			my_done(c, st, p, m);
			my_resp(c, st, m);
			return;
		}
		if (st->deprecate_eof < 0)
			st->deprecate_eof = 0;
		if (p->rs == RS_PREP_EOFP && p->ncols > 0) {
			p->left = p->ncols;
			p->rs = RS_PREP_COLS;
			return;
		}
		my_done(c, st, p, m);
		return;
	case RS_FIELDS:
		if (my_is_eof(m) || (b == 0xfe && st->deprecate_eof == 1))
			my_done(c, st, p, m);
		return;
	case RS_INFILE:
		/* in a multi-statement, the OK after the file may say that
		 * more results follow */
		if (b == 0x00) {
			my_result_end(c, st, p, m, my_parse_ok(st, p, m));
			return;
		}
		my_done(c, st, p, m);
		return;
	case RS_AUTH:
		if (b == 0x00) {
			my_parse_ok(st, p, m);
			my_done(c, st, p, m);
		}
		return;
	case RS_ONE:
		if (b == 0x00 || b == 0xfe)
			my_parse_ok(st, p, m);
		my_done(c, st, p, m);
		return;
	}
}

/* ---------------------------------------------------------------------
 * Packet layer
 */

static size_t	my_held;

/* How much of `want` more bytes a message holding `have` may keep: what
 * is left of the budget, but always its first MYSQL_AUX_KEEP bytes, so
 * the command and the start of its text survive a full budget. */
static size_t
my_budget(size_t have, size_t want)
{
	size_t	lim = my_held < MYSQL_HELD_MAX ? MYSQL_HELD_MAX - my_held : 0;

	if (have < MYSQL_AUX_KEEP && lim < MYSQL_AUX_KEEP - have)
		lim = MYSQL_AUX_KEEP - have;
	return want < lim ? want : lim;
}

static void
my_msg_drop(struct my_dir *d)
{
	my_held -= d->msg.len;
	d->msg.len = 0;
	if (d->msg.cap > MYSQL_MSG_SHRINK) {
		buf_free(&d->msg);
		buf_init(&d->msg);
	}
}

static size_t
my_keep(const struct my_state *st, enum dir dir, uint8_t seq)
{
	if (dir == DIR_S2C)
		return MYSQL_RESP_KEEP;
	if (st->phase == PH_CMD && (seq != 0 || my_infile(st)))
		return MYSQL_AUX_KEEP;	/* LOCAL INFILE data, auth */
	return MYSQL_TEXT_MAX;
}

/* A TLS record header: content type 20-23 (change_cipher_spec, alert,
 * handshake, application_data), then version 3.x. Read as a MySQL header it
 * is a packet of 0x0?03?? bytes whose sequence and command are the record's
 * length: a small record (a COM_PING or COM_QUIT of TLS 1.3 is 22 bytes,
 * COM_STMT_PREPARE's number) at the start of a chunk would pass for a
 * command. A capture begun inside a TLS session (or a gap in one) is all
 * such records; a real packet of exactly such a length, believed at the
 * next chunk instead, is the lesser loss. */
static bool
my_tls_shaped(const uint8_t *p, size_t n)
{
	struct rd	r;
	uint8_t		type, major, minor;

	rd_init(&r, p, n);
	type = rd_u8(&r);
	major = rd_u8(&r);
	minor = rd_u8(&r);
	return rd_ok(&r) && type >= 20 && type <= 23 && major == 3 &&
	    minor <= 4;
}

static bool
my_plausible(const struct my_state *st, enum dir dir, const uint8_t *p,
    size_t n)
{
	const struct my_pending	*q;
	uint32_t		 len, len2;
	uint8_t			 seq;

	if (n < 5)
		return false;
	len = p[0] | p[1] << 8 | (uint32_t)p[2] << 16;
	if (len == 0 || my_tls_shaped(p, n))
		return false;
	if (dir == DIR_C2S && st->phase == PH_INIT && p[3] == 1 &&
	    (uint64_t)len + 4 == n) {
		struct my_msg m = { .p = p + 4, .n = len, .total = len };
		return my_is_resp41(&m) || my_is_resp320(&m);
	}
	if (st->phase == PH_AUTH)	/* greeting seen: the handshake */
		return (uint64_t)len + 4 == n;
	if (dir == DIR_C2S) {
		if (p[3] != 0 || p[4] > COM_LAST || p[4] == 0)
			return false;
	} else if (st->phase == PH_INIT) {
		/* no request held: only a greeting is of use */
		return p[3] == 0 && p[4] == 10 && (uint64_t)len + 4 == n;
	} else {
		/* Only the start of the response to the request we hold is
		 * of use. Any other server chunk may be the inside of a long
		 * row (a blob, REPEAT()), whose bytes read as a header of a
		 * packet megabytes long would swallow the responses after
		 * it; the client's next request tells where one starts. */
		q = st->qlen ? &st->q[st->qhead] : NULL;
		if (q == NULL || q->started || p[3] != q->rseq)
			return false;
	}
	if ((uint64_t)len + 4 == n)
		return true;
	if ((uint64_t)len + 4 > n)
		return n >= 512;
	if ((uint64_t)len + 8 > n)
		return false;
	seq = p[3];
	p += len + 4;
	len2 = p[0] | p[1] << 8 | (uint32_t)p[2] << 16;
	return p[3] == (dir == DIR_C2S ? 0 : (uint8_t)(seq + 1)) &&
	    len2 < 0xffffff;
}

/* Ends a packet; delivers the message unless it continues. */
static void
my_pkt_end(struct conn *c, struct my_state *st, enum dir dir, int64_t ts)
{
	struct my_dir	*d = &st->d[dir];
	struct my_msg	 m;

	d->inpkt = false;
	if (d->more)
		return;
	m.p = (const uint8_t *)d->msg.p;
	m.n = d->msg.len;
	m.total = d->total;
	m.seq = d->seq;
	m.seq_last = d->seq_last;
	m.ts = d->ts;
	m.ts_last = ts;
	m.cseq = d->cseq;
	my_msg(c, st, dir, &m);
	my_msg_drop(d);
}

/*
 * Row packets are most of a result's packets: while the oldest request
 * is in its rows, whole row packets are counted here without the
 * per-message path. Anything else (an end, an error, a packet cut by the
 * chunk or continued) is left to it.
 */
#define MYSQL_ROWS_AHEAD	1024	/* bytes prefetched ahead of the walk */

static size_t
my_rows_fast(struct my_state *st, const uint8_t *p, size_t n, int64_t ts)
{
	struct my_pending	*q = my_head(st);
	size_t			 off = 0;
	uint64_t		 rows = 0;
	uint32_t		 len, w;

	if (q == NULL || q->rs != RS_ROWS || !q->started)
		return 0;
	/* Each header's address comes from the one before, and a mapped
	 * capture's bytes are not in the cache yet: ask ahead, one line per
	 * row (rows are a line or more apart). len - 1 folds the 0 and
	 * 0xffffff tests into one. */
	while (n - off >= 5) {
		if (n - off > MYSQL_ROWS_AHEAD)
			__builtin_prefetch(p + off + MYSQL_ROWS_AHEAD);
		/* The header's three length bytes in one load (five bytes
		 * are there), read little-endian as the protocol writes. */
		memcpy(&w, p + off, 4);
		len = le32toh(w) & 0xffffffu;
		if (len - 1 >= 0xfffffeu || len + 4 > n - off ||
		    p[off + 4] >= 0xfe)
			break;
		rows++;
		off += (size_t)len + 4;
	}
	if (rows > 0) {
		q->rows += rows;
		q->t_last = ts;
	}
	return off;
}

/*
 * Consumes packets from p[0..n); returns how much was used. Stops early
 * (not from_z) when a message switched the direction to compression.
 */
static size_t
my_pfeed(struct conn *c, struct my_state *st, enum dir dir,
    const uint8_t *p, size_t n, int64_t ts, uint64_t cseq, bool from_z)
{
	struct my_dir	*d = &st->d[dir];
	struct my_msg	 m;
	size_t		 off = 0, k, room;
	uint32_t	 len;

	while (off < n && st->phase != PH_OFF && (from_z || !d->zon)) {
		if (!d->inpkt && d->have == 0 && !d->more && n - off >= 4) {
			if (dir == DIR_S2C && st->phase == PH_CMD) {
				off += my_rows_fast(st, p + off, n - off, ts);
				if (n - off < 4)
					continue;
			}
			len = p[off] | p[off + 1] << 8 |
			    (uint32_t)p[off + 2] << 16;
			if (len < 0xffffff && (size_t)len + 4 <= n - off) {
				/* whole packet here: no copy */
				m.p = p + off + 4;
				m.total = len;
				m.seq = m.seq_last = p[off + 3];
				k = my_keep(st, dir, m.seq);
				m.n = len < k ? len : k;
				m.ts = m.ts_last = ts;
				m.cseq = cseq;
				off += (size_t)len + 4;
				my_msg(c, st, dir, &m);
				continue;
			}
		}
		if (!d->inpkt) {
			while (d->have < 4 && off < n)
				d->hdr[d->have++] = p[off++];
			if (d->have < 4)
				break;
			d->have = 0;
			len = d->hdr[0] | d->hdr[1] << 8 |
			    (uint32_t)d->hdr[2] << 16;
			if (!d->more) {
				my_msg_drop(d);
				d->total = 0;
				d->seq = d->hdr[3];
				d->ts = ts;
				d->cseq = cseq;
				d->keep = my_keep(st, dir, d->seq);
			}
			d->seq_last = d->hdr[3];
			d->more = len == 0xffffff;
			d->left = len;
			d->inpkt = true;
			if (len == 0) {
				my_pkt_end(c, st, dir, ts);
				continue;
			}
		}
		k = n - off < d->left ? n - off : d->left;
		room = d->keep - d->msg.len;
		if (room > k)
			room = k;
		room = my_budget(d->msg.len, room);
		if (room > 0) {
			buf_add(&d->msg, p + off, room);
			my_held += room;
		}
		d->total += k;
		d->left -= (uint32_t)k;
		off += k;
		if (d->left == 0)
			my_pkt_end(c, st, dir, ts);
	}
	return off;
}

static void
my_reset_dir(struct my_dir *d)
{
	d->inpkt = d->more = false;
	d->have = 0;
	d->left = 0;
	my_msg_drop(d);
	d->total = 0;
	d->zhave = 0;
	d->zleft = 0;
	d->zpend_on = false;
}

/* ---------------------------------------------------------------------
 * Compressed protocol
 */

static bool
my_zplausible(const uint8_t *p, size_t n, bool exact)
{
	uint32_t	clen, ulen;

	if (n < 11)	/* header and at least a packet header */
		return false;
	clen = p[0] | p[1] << 8 | (uint32_t)p[2] << 16;
	ulen = p[4] | p[5] << 8 | (uint32_t)p[6] << 16;
	if (clen == 0 || (exact ? (size_t)clen + 7 != n :
	    (size_t)clen + 7 < n && n < 512))
		return false;
	if (ulen == 0)
		return clen >= 4 &&
		    (uint32_t)(p[7] | p[8] << 8 | p[9] << 16) + 4 <= clen;
	return p[7] == 0x78 && ((p[7] << 8) | p[8]) % 31 == 0 && ulen >= clen / 2;
}

/* MySQL2 for Node.js writes each compressed frame's 7-byte header in a
 * segment of its own, its body in the next: a chunk of only a header
 * cannot be judged alone. Whether it may be one (held, then judged with
 * the next chunk of its direction by my_zpend_fits). */
static bool
my_zhdr_only(const uint8_t *p, size_t n)
{
	uint32_t	clen, ulen;

	if (n != 7)
		return false;
	clen = p[0] | p[1] << 8 | (uint32_t)p[2] << 16;
	ulen = p[4] | p[5] << 8 | (uint32_t)p[6] << 16;
	return clen >= 4 && (ulen == 0 || ulen >= clen / 2);
}

static void
my_zpend_hold(struct my_dir *d, const uint8_t *p, int64_t ts, uint64_t cseq)
{
	memcpy(d->zpend, p, 7);
	d->zpend_on = true;
	d->zpend_ts = ts;
	d->zpend_cseq = cseq;
}

/* my_zplausible of the held header followed by the chunk p[0..n). */
static bool
my_zpend_fits(const struct my_dir *d, const uint8_t *p, size_t n, bool exact)
{
	uint8_t	t[11];

	if (n < 4)
		return false;
	memcpy(t, d->zpend, 7);
	memcpy(t + 7, p, 4);
	return my_zplausible(t, 7 + n, exact);
}

/*
 * Whether a frame's output (p, n) goes to the packet layer. A frame holds
 * any part of the packets: after a gap (or a capture begun mid-session)
 * the first frames found go on in the middle of one. While the packets are
 * out of step, a frame is taken only if its output begins with a packet
 * that fits (my_plausible, as for uncompressed chunks); its other frames
 * are dropped. Without this a gap inside a compressed result read a row's
 * bytes as a packet header of megabytes, and every later response of the
 * session was lost.
 */
static bool
my_zsync(const struct my_state *st, enum dir dir, struct my_dir *d,
    const uint8_t *p, size_t n)
{
	bool	first = d->zfirst;

	d->zfirst = false;
	if (!d->resync)
		return true;
	if (!first || !my_plausible(st, dir, p, n))
		return false;
	d->resync = false;
	return true;
}

static size_t
my_zfeed(struct conn *c, struct my_state *st, enum dir dir,
    const uint8_t *p, size_t n, int64_t ts, uint64_t cseq)
{
	struct my_dir	*d = &st->d[dir];
	size_t		 off = 0, k, out;
	uint32_t	 ulen;
	int		 rc;

	while (off < n && st->phase != PH_OFF) {
		if (d->zleft == 0) {
			while (d->zhave < 7 && off < n)
				d->zhdr[d->zhave++] = p[off++];
			if (d->zhave < 7)
				break;
			d->zhave = 0;
			d->zleft = d->zhdr[0] | d->zhdr[1] << 8 |
			    (uint32_t)d->zhdr[2] << 16;
			ulen = d->zhdr[4] | d->zhdr[5] << 8 |
			    (uint32_t)d->zhdr[6] << 16;
			d->zraw = ulen == 0;
			d->zulen = ulen;
			d->zbad = false;
			d->zfirst = true;
			if (!d->zraw) {
				if (!d->zinit) {
					memset(&d->z, 0, sizeof d->z);
					if (inflateInit(&d->z) != Z_OK) {
						d->zbad = true;
						continue;
					}
					d->zinit = true;
				} else
					inflateReset(&d->z);
			}
			continue;
		}
		k = n - off < d->zleft ? n - off : d->zleft;
		d->zleft -= (uint32_t)k;
		if (d->zbad) {
			off += k;
			continue;
		}
		if (d->zraw) {
			if (my_zsync(st, dir, d, p + off, k))
				my_pfeed(c, st, dir, p + off, k, ts, cseq, true);
			off += k;
			continue;
		}
		d->z.next_in = (Bytef *)(uintptr_t)(p + off);
		d->z.avail_in = (uInt)k;
		off += k;
		if (st->zout == NULL)
			st->zout = xmalloc(MYSQL_ZOUT);
		do {
			d->z.next_out = st->zout;
			d->z.avail_out = MYSQL_ZOUT;
			rc = inflate(&d->z, Z_NO_FLUSH);
			out = MYSQL_ZOUT - d->z.avail_out;
			if (out > d->zulen) {
				/* more than the header said: corrupt */
				rc = Z_DATA_ERROR;
				out = d->zulen;
			}
			d->zulen -= (uint32_t)out;
			if (out > 0 && my_zsync(st, dir, d, st->zout, out))
				my_pfeed(c, st, dir, st->zout, out, ts, cseq,
				    true);
			if (rc != Z_OK && rc != Z_BUF_ERROR) {
				if (rc != Z_STREAM_END) {
					c->st.decode_errors++;
					d->inpkt = d->more = false;
					d->have = 0;
					my_msg_drop(d);
				}
				d->zbad = true;	/* skip the rest */
				break;
			}
		} while (d->z.avail_out == 0 && st->phase != PH_OFF);
	}
	return off;
}

/* ---------------------------------------------------------------------
 * Decoder entry points
 */

static void
my_pfeed_all(struct conn *c, struct my_state *st, enum dir dir,
    const uint8_t *p, size_t n, int64_t ts, uint64_t cseq)
{
	struct my_dir	*d = &st->d[dir];
	size_t		 k;

	while (n > 0 && st->phase != PH_OFF) {
		if (d->zon)
			k = my_zfeed(c, st, dir, p, n, ts, cseq);
		else
			k = my_pfeed(c, st, dir, p, n, ts, cseq, false);
		if (k == 0)
			break;
		p += k;
		n -= k;
	}
}

/* Whether a server chunk that is not the start of a packet answering the
 * request held is the start of a frame that is: for a frame stored
 * uncompressed, its first packet must continue the request's sequence
 * (rows of an uncompressed result can look like a frame's header). */
static bool
my_zanswer(struct my_state *st, const uint8_t *p, size_t n)
{
	const struct my_pending	*q = my_head(st);

	if (q == NULL || !my_zplausible(p, n, false) ||
	    my_plausible(st, DIR_S2C, p, n))
		return false;
	if ((p[4] | p[5] | p[6]) == 0)
		return p[10] == q->rseq;
	return true;
}

/* A chunk past the compression probes: resync, then the layers. */
static void
my_data_rest(struct conn *c, struct my_state *st, enum dir dir,
    const uint8_t *p, size_t n, int64_t ts, uint64_t cseq)
{
	struct my_dir	*d = &st->d[dir];

	if (d->zon && d->zresync) {
		if (my_zhdr_only(p, n)) {
			my_zpend_hold(d, p, ts, cseq);
			return;
		}
		if (!my_zplausible(p, n, false))
			return;
		/* the packets inside resync at a frame (my_zsync) */
		d->zresync = false;
	} else if (!d->zon && d->resync) {
		if (!my_plausible(st, dir, p, n))
			return;
		d->resync = false;
	}
	my_pfeed_all(c, st, dir, p, n, ts, cseq);
}

static void
my_data(struct conn *c, void *vst, const struct chunk *ch)
{
	struct my_state	*st = vst;
	struct my_dir	*d = &st->d[ch->dir];
	bool		 held;

	if (st->phase == PH_OFF || ch->n == 0)
		return;
	held = d->zpend_on;
	d->zpend_on = false;
	if (!st->probed && ch->dir == DIR_C2S && st->phase == PH_INIT) {
		/* capture began after the handshake of a compressed
		 * session: the first client chunk is one whole frame, or
		 * its header alone and then its body */
		if (!held && my_zhdr_only(ch->p, ch->n) &&
		    !my_plausible(st, DIR_C2S, ch->p, ch->n)) {
			my_zpend_hold(d, ch->p, ch->ts_us, ch->seq);
			return;
		}
		st->probed = true;
		if (held ? my_zpend_fits(d, ch->p, ch->n, true) :
		    my_zplausible(ch->p, ch->n, true) &&
		    !my_plausible(st, DIR_C2S, ch->p, ch->n)) {
			st->compress = true;
			st->phase = PH_CMD;
			st->d[0].zon = st->d[1].zon = true;
			my_reset_dir(&st->d[1]);
			st->d[1].zresync = true;
			if (held)
				my_pfeed_all(c, st, ch->dir, d->zpend, 7,
				    d->zpend_ts, d->zpend_cseq);
		} else {
			st->zmaybe = true;
			if (held)	/* not a header: as it came */
				my_data_rest(c, st, ch->dir, d->zpend, 7,
				    d->zpend_ts, d->zpend_cseq);
		}
		held = false;
	} else if (st->zmaybe && ch->dir == DIR_S2C && st->phase == PH_CMD) {
		/* The client's chunk was a packet: the body of a frame whose
		 * header, a segment of its own (MySQL2 for Node.js), was
		 * before the capture, or a session without compression.
		 * The server tells: its chunk is a frame, not a packet. */
		st->zmaybe = false;
		if (my_zanswer(st, ch->p, ch->n)) {
			st->compress = true;
			st->d[0].zon = st->d[1].zon = true;
			my_reset_dir(&st->d[0]);
			my_reset_dir(&st->d[1]);
			st->d[1].zresync = false;
			st->d[1].resync = true;
		}
	}
	if (held && d->zon && d->zresync &&
	    my_zpend_fits(d, ch->p, ch->n, false)) {
		d->zresync = false;
		my_pfeed_all(c, st, ch->dir, d->zpend, 7, d->zpend_ts,
		    d->zpend_cseq);
	}
	/* (a held header the chunk does not fit is dropped, as any chunk
	 * that does not start a frame while resyncing) */
	my_data_rest(c, st, ch->dir, ch->p, ch->n, ch->ts_us, ch->seq);
}

/*
 * The server's bytes before `upto` were lost in capture. The responses in
 * them belonged to the oldest pending requests, but not to one the client
 * sent after reading past them (its ACK said so): that one and those
 * behind it keep their places, and the response of the first, which
 * begins after the loss, is where the server's side resynchronises
 * (my_plausible). Without that knowledge everything pending goes.
 */
static void
my_lost_responses(struct conn *c, struct my_state *st, uint64_t upto)
{
	struct my_pending	*p;

	while ((p = my_head(st)) != NULL && (p->acked == 0 || p->acked < upto))
		my_pop(c, st, false);
}

static void
my_gap(struct conn *c, void *vst, enum dir dir, uint64_t nbytes,
    int64_t ts_us)
{
	struct my_state	*st = vst;
	struct my_dir	*d = &st->d[dir];

	(void)ts_us;
	if (dir == DIR_S2C)
		my_lost_responses(c, st, c->pos[DIR_S2C] + nbytes);
	else	/* the responses to what was lost cannot be told apart */
		my_flush(c, st);
	st->in_step = false;
	my_reset_dir(d);
	if (d->zon)
		d->zresync = true;
	d->resync = true;
}

static void
my_open(struct conn *c, void *vst)
{
	struct my_state	*st = vst;

	st->deprecate_eof = -1;
	/* without the start, the first bytes may be inside a message */
	if (!c->syn_seen)
		st->d[0].resync = st->d[1].resync = true;
}

static void
my_close(struct conn *c, void *vst, int64_t ts_us)
{
	struct my_state	*st = vst;
	unsigned	 i;

	(void)ts_us;
	my_flush(c, st);
	for (i = 0; i < st->qcap; i++)
		rec_free(&st->q[i].rec);
	free(st->q);
	for (i = 0; i < st->nstmts; i++)
		my_stmt_clear(st, &st->stmts[i]);
	free(st->stmts);
	for (i = 0; i < 2; i++) {
		my_msg_drop(&st->d[i]);
		buf_free(&st->d[i].msg);
		if (st->d[i].zinit)
			inflateEnd(&st->d[i].z);
	}
	buf_free(&st->scratch);
	free(st->zout);
}

const struct decoder decoder_mysql = {
	.name = "mysql",
	.state_size = sizeof(struct my_state),
	.lazy = true,
	.open = my_open,
	.data = my_data,
	.gap = my_gap,
	.close = my_close,
};
