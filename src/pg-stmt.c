/* pg-stmt.c - prepared statements and portals (see pg-stmt.h). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "pg-stmt.h"
#include "xmalloc.h"

#define PG_STMTS_MAX	128
#define PG_PORTALS_MAX	32

static size_t
pg_name_clip(size_t n)
{
	return n < PG_NAME_MAX ? n : PG_NAME_MAX;
}

void
pg_stmts_free(struct pg_stmts *t)
{
	uint32_t	i;

	for (i = 0; i < t->ns; i++) {
		buf_free(&t->s[i].query);
		free(t->s[i].oids);
	}
	free(t->s);
	free(t->p);
	memset(t, 0, sizeof *t);
}

static void
pg_stmts_alloc(struct pg_stmts *t)
{
	if (t->s != NULL)
		return;
	/* Slot 0 is always the unnamed one; others are added up to the max. */
	t->s = xcalloc(1, sizeof *t->s);
	t->ns = 1;
	t->p = xcalloc(1, sizeof *t->p);
	t->np = 1;
}

/* fresh: a new slot even if the name is live (pg_stmt_define_pending). */
static struct pg_stmt *
pg_stmt_slot(struct pg_stmts *t, const char *name, size_t n, bool create,
    bool fresh)
{
	struct pg_stmt	*s, *old = NULL;
	uint32_t	 i;

	pg_stmts_alloc(t);
	n = pg_name_clip(n);
	if (n == 0)
		return &t->s[0];
	for (i = 1; !fresh && i < t->ns; i++) {
		s = &t->s[i];
		if (s->live && s->namelen == n && memcmp(s->name, name, n) == 0)
			return s;
	}
	if (!create)
		return NULL;
	for (i = 1; i < t->ns; i++) {
		s = &t->s[i];
		if (!s->live && !s->pending)
			goto found;
		if (old == NULL || s->used < old->used)
			old = s;
	}
	if (t->ns < PG_STMTS_MAX) {
		t->s = xreallocarray(t->s, t->ns + 1, sizeof *t->s);
		s = &t->s[t->ns++];
		memset(s, 0, sizeof *s);
		goto found;
	}
	s = old;
found:
	memcpy(s->name, name, n);
	s->namelen = (uint8_t)n;
	return s;
}

static struct pg_stmt *
pg_stmt_define_x(struct pg_stmts *t, const char *name, size_t n,
    const char *query, size_t qlen, size_t max, bool pending)
{
	struct pg_stmt	*s = pg_stmt_slot(t, name, n, true, pending);

	s->live = !pending;
	s->pending = pending;
	t->any_pending |= pending;
	s->synced = false;
	s->gen = ++t->gen;
	s->used = ++t->clock;
	s->truncated = qlen > max;
	s->esc = 0;	/* RESC_ANY until the caller classifies it */
	buf_reset(&s->query);
	buf_add(&s->query, query, s->truncated ? max : qlen);
	s->noids = 0;
	return s;
}

struct pg_stmt *
pg_stmt_define(struct pg_stmts *t, const char *name, size_t n,
    const char *query, size_t qlen, size_t max)
{
	return pg_stmt_define_x(t, name, n, query, qlen, max, false);
}

struct pg_stmt *
pg_stmt_define_pending(struct pg_stmts *t, const char *name, size_t n,
    const char *query, size_t qlen, size_t max)
{
	return pg_stmt_define_x(t, name, n, query, qlen, max, n > 0);
}

void
pg_stmt_settle(struct pg_stmts *t, uint64_t gen, enum pg_parse_outcome o)
{
	struct pg_stmt	*s = NULL, *old;
	uint32_t	 i;
	bool		 pend = false;

	/* Without a pending one only a refusal changes anything. */
	if (!t->any_pending && o != PG_PARSE_FAILED)
		return;
	for (i = 0; i < t->ns; i++) {
		if ((t->s[i].pending || t->s[i].live) && t->s[i].gen == gen)
			s = &t->s[i];
		else if (t->s[i].pending)
			pend = true;
	}
	t->any_pending = pend;
	if (s == NULL)
		return;
	if (s->live) {
		/* Taken at once (the name was free): a refused Parse
		 * leaves it undefined, as a capture begun after another
		 * client's Parse of that name shows (42P05). */
		if (o == PG_PARSE_FAILED)
			s->live = false;
		return;
	}
	s->pending = false;
	if (o != PG_PARSE_OK)
		return;
	old = pg_stmt_slot(t, s->name, s->namelen, false, false);
	if (old != NULL)
		old->live = false;
	s->live = true;
}

void
pg_stmt_add_oid(struct pg_stmt *s, uint32_t oid)
{
	if (s->noids == s->capoids) {
		if (s->capoids >= 65536)
			return;
		s->capoids = s->capoids ? s->capoids * 2 : 8;
		s->oids = xreallocarray(s->oids, s->capoids, sizeof *s->oids);
	}
	s->oids[s->noids++] = oid;
}

void
pg_stmts_sync(struct pg_stmts *t)
{
	uint32_t	i;
	bool		pend = false;

	if (!t->any_pending)
		return;
	for (i = 1; i < t->ns; i++)
		if (t->s[i].pending) {
			t->s[i].synced = true;
			pend = true;
		}
	t->any_pending = pend;
}

struct pg_stmt *
pg_stmt_find(struct pg_stmts *t, const char *name, size_t n)
{
	struct pg_stmt	*s = NULL, *p;
	uint32_t	 i;

	n = pg_name_clip(n);
	for (i = 1; t->any_pending && n > 0 && i < t->ns; i++) {
		p = &t->s[i];
		if (p->pending && !p->synced && p->namelen == n &&
		    memcmp(p->name, name, n) == 0 && (s == NULL || p->gen > s->gen))
			s = p;
	}
	if (s != NULL) {
		s->used = ++t->clock;
		return s;
	}
	s = pg_stmt_slot(t, name, n, false, false);

	if (s == NULL || !s->live)
		return NULL;
	s->used = ++t->clock;
	return s;
}

struct pg_stmt *
pg_stmt_by_gen(struct pg_stmts *t, uint64_t gen)
{
	uint32_t	i;

	for (i = 0; i < t->ns; i++)
		if (t->s[i].live && t->s[i].gen == gen)
			return &t->s[i];
	return NULL;
}

void
pg_stmt_close(struct pg_stmts *t, const char *name, size_t n)
{
	struct pg_stmt	*s = pg_stmt_slot(t, name, n, false, false);

	if (s != NULL)
		s->live = false;
}

void
pg_stmts_unnamed_reset(struct pg_stmts *t)
{
	if (t->s == NULL)
		return;
	t->s[0].live = false;
	t->p[0].live = false;
}

static struct pg_portal *
pg_portal_slot(struct pg_stmts *t, const char *name, size_t n, bool create)
{
	struct pg_portal	*p, *old = NULL;
	uint32_t		 i;

	pg_stmts_alloc(t);
	n = pg_name_clip(n);
	if (n == 0)
		return &t->p[0];
	for (i = 1; i < t->np; i++) {
		p = &t->p[i];
		if (p->live && p->namelen == n && memcmp(p->name, name, n) == 0)
			return p;
	}
	if (!create)
		return NULL;
	for (i = 1; i < t->np; i++) {
		p = &t->p[i];
		if (!p->live)
			goto found;
		if (old == NULL || p->used < old->used)
			old = p;
	}
	if (t->np < PG_PORTALS_MAX) {
		t->p = xreallocarray(t->p, t->np + 1, sizeof *t->p);
		p = &t->p[t->np++];
		memset(p, 0, sizeof *p);
		goto found;
	}
	p = old;
found:
	memcpy(p->name, name, n);
	p->namelen = (uint8_t)n;
	return p;
}

void
pg_portal_bind(struct pg_stmts *t, const char *name, size_t n,
    const char *stmt, size_t sn)
{
	struct pg_portal	*p = pg_portal_slot(t, name, n, true);
	struct pg_stmt		*s;

	sn = pg_name_clip(sn);
	p->live = true;
	p->used = ++t->clock;
	memcpy(p->stmt, stmt, sn);
	p->stmtlen = (uint8_t)sn;
	s = pg_stmt_find(t, stmt, sn);
	p->gen = s != NULL ? s->gen : 0;
}

struct pg_portal *
pg_portal_find(struct pg_stmts *t, const char *name, size_t n)
{
	struct pg_portal	*p = pg_portal_slot(t, name, n, false);

	if (p == NULL || !p->live)
		return NULL;
	p->used = ++t->clock;
	return p;
}

struct pg_stmt *
pg_portal_stmt(struct pg_stmts *t, const char *name, size_t n)
{
	struct pg_portal	*p = pg_portal_find(t, name, n);
	struct pg_stmt		*s;

	if (p == NULL)
		return NULL;
	s = pg_stmt_find(t, p->stmt, p->stmtlen);
	if (s == NULL || s->gen != p->gen)
		return NULL;
	return s;
}

void
pg_portal_close(struct pg_stmts *t, const char *name, size_t n)
{
	struct pg_portal	*p = pg_portal_slot(t, name, n, false);

	if (p != NULL)
		p->live = false;
}

/* SQL that drops statements or portals (pg_stmts_sql). */

static void
pg_stmts_drop_all(struct pg_stmts *t, bool stmts, bool portals)
{
	uint32_t	i;

	for (i = 0; stmts && i < t->ns; i++)
		t->s[i].live = t->s[i].pending = false;
	for (i = 0; portals && i < t->np; i++)
		t->p[i].live = false;
}

/* The next word of s[*i..n): an identifier, keyword or "quoted name"
 * (with "" for a quote; up to PG_NAME_MAX bytes kept, unquoted ones
 * lowercased as the server folds them). */
static size_t
pg_sql_word(const char *s, size_t n, size_t *i, char *w)
{
	size_t	len = 0;

	while (*i < n && isspace((unsigned char)s[*i]))
		(*i)++;
	if (*i < n && s[*i] == '"') {
		for ((*i)++; *i < n; (*i)++) {
			if (s[*i] == '"') {
				if (*i + 1 < n && s[*i + 1] == '"')
					(*i)++;
				else {
					(*i)++;
					break;
				}
			}
			if (len < PG_NAME_MAX)
				w[len++] = s[*i];
		}
		return len;
	}
	for (; *i < n && (isalnum((unsigned char)s[*i]) || s[*i] == '_' ||
	    s[*i] == '$' || (unsigned char)s[*i] >= 0x80); (*i)++)
		if (len < PG_NAME_MAX)
			w[len++] = (char)tolower((unsigned char)s[*i]);
	return len;
}

static bool
pg_sql_is(const char *w, size_t n, const char *kw)
{
	return n == strlen(kw) && memcmp(w, kw, n) == 0;
}

/* One statement of a simple Query (no comments, text up to its ';'). */
static void
pg_stmts_sql1(struct pg_stmts *t, const char *s, size_t n)
{
	char	w[PG_NAME_MAX];
	size_t	i = 0, k;

	k = pg_sql_word(s, n, &i, w);
	if (pg_sql_is(w, k, "discard")) {
		k = pg_sql_word(s, n, &i, w);
		if (pg_sql_is(w, k, "all"))
			pg_stmts_drop_all(t, true, true);
	} else if (pg_sql_is(w, k, "deallocate")) {
		k = pg_sql_word(s, n, &i, w);
		if (pg_sql_is(w, k, "prepare"))
			k = pg_sql_word(s, n, &i, w);
		if (pg_sql_is(w, k, "all"))
			pg_stmts_drop_all(t, true, false);
		else if (k > 0)
			pg_stmt_close(t, w, k);
	} else if (pg_sql_is(w, k, "close")) {
		k = pg_sql_word(s, n, &i, w);
		if (pg_sql_is(w, k, "all"))
			pg_stmts_drop_all(t, false, true);
		else if (k > 0)
			pg_portal_close(t, w, k);
	}
}

void
pg_stmts_sql(struct pg_stmts *t, const char *q, size_t n)
{
	size_t	i, start = 0;
	char	quote = 0;

	if (t->s == NULL)
		return;
	/* Split at the ';' outside quotes; a comment ends the scan (what
	 * follows it is not worth a full lexer). */
	for (i = 0; i <= n; i++) {
		if (i < n && quote != 0) {
			if (q[i] == quote)
				quote = 0;
			continue;
		}
		if (i < n && (q[i] == '\'' || q[i] == '"')) {
			quote = q[i];
			continue;
		}
		if (i < n && (q[i] == '-' || q[i] == '/') && i + 1 < n &&
		    q[i + 1] == (q[i] == '-' ? '-' : '*'))
			n = i;
		if (i >= n || q[i] == ';') {
			pg_stmts_sql1(t, q + start, i - start);
			start = i + 1;
		}
	}
}

/* Command tags and the statements that give them (pg_sql_tags). The
 * first word of a tag is its statement's first keyword but for these:
 * COMMIT and END give ROLLBACK in a failed transaction (so does PREPARE
 * TRANSACTION), CREATE TABLE AS and CREATE MATERIALIZED VIEW give
 * SELECT, ABORT gives ROLLBACK, TABLE and VALUES give SELECT. A rule
 * keeps the original command's tag. */
static const char *const pg_tagwords[] = {
	"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "BEGIN", "START",
	"COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "RESET", "SHOW",
	"CREATE", "ALTER", "DROP", "COPY", "FETCH", "MOVE", "DECLARE",
	"CLOSE", "LISTEN", "UNLISTEN", "NOTIFY", "DISCARD", "DEALLOCATE",
	"PREPARE", "TRUNCATE", "LOCK", "CALL", "DO",
};
#define PG_TAGS_N	(sizeof pg_tagwords / sizeof pg_tagwords[0])

static uint32_t
pg_tag_bit(const char *w, size_t n)
{
	size_t	i, k;

	for (i = 0; i < PG_TAGS_N; i++) {
		if (strlen(pg_tagwords[i]) != n)
			continue;
		for (k = 0; k < n; k++)
			if (toupper((unsigned char)w[k]) != pg_tagwords[i][k])
				break;
		if (k == n)
			return 1u << i;
	}
	return 0;
}

uint32_t
pg_tag_word(const char *tag, size_t n)
{
	size_t	k = 0;

	while (k < n && tag[k] >= 'A' && tag[k] <= 'Z')
		k++;
	return pg_tag_bit(tag, k);
}

/* Past white space, comments (-- to the end of the line, and C-style
 * ones, which nest) and opening parentheses: where the statement's first
 * keyword is. */
static size_t
pg_sql_lead(const char *q, size_t n)
{
	size_t	i = 0, depth;

	while (i < n) {
		if (isspace((unsigned char)q[i]) || q[i] == '(') {
			i++;
		} else if (q[i] == '-' && i + 1 < n && q[i + 1] == '-') {
			while (i < n && q[i] != '\n')
				i++;
		} else if (q[i] == '/' && i + 1 < n && q[i + 1] == '*') {
			for (depth = 1, i += 2; i < n && depth > 0; i++) {
				if (q[i] == '*' && i + 1 < n && q[i + 1] == '/') {
					depth--;
					i++;
				} else if (q[i] == '/' && i + 1 < n &&
				    q[i + 1] == '*') {
					depth++;
					i++;
				}
			}
		} else
			break;
	}
	return i;
}

uint32_t
pg_sql_tags(const char *q, size_t n)
{
	size_t		i, k = 0;
	const char	*w;
	uint32_t	bit;

	if (n == 0)		/* an empty statement's text is no buffer */
		return 0;
	i = pg_sql_lead(q, n);
	w = q + i;

	while (i + k < n && isalpha((unsigned char)w[k]))
		k++;
	/* A keyword runs to a non-identifier character. */
	if (i + k < n && (isalnum((unsigned char)w[k]) || w[k] == '_' ||
	    w[k] == '$' || (unsigned char)w[k] >= 0x80))
		return 0;
	if (k == 3 && strncasecmp(w, "end", 3) == 0)
		return pg_tag_bit("COMMIT", 6) | pg_tag_bit("ROLLBACK", 8);
	if (k == 5 && strncasecmp(w, "abort", 5) == 0)
		return pg_tag_bit("ROLLBACK", 8);
	if ((k == 5 && strncasecmp(w, "table", 5) == 0) ||
	    (k == 6 && strncasecmp(w, "values", 6) == 0))
		return pg_tag_bit("SELECT", 6);
	if ((bit = pg_tag_bit(w, k)) == 0)
		return 0;
	if (bit == pg_tag_bit("COMMIT", 6) || bit == pg_tag_bit("PREPARE", 7))
		bit |= pg_tag_bit("ROLLBACK", 8);
	else if (bit == pg_tag_bit("CREATE", 6))
		bit |= pg_tag_bit("SELECT", 6);
	return bit;
}
