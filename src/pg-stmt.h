/* pg-stmt.h - prepared statements and portals of one pg connection.
 *
 * The extended protocol names statements (Parse) and portals (Bind), and
 * Bind/Execute refer to them by name, so the decoder keeps what it saw:
 * each statement's text (capped) and declared parameter type OIDs, and
 * for each portal the statement it was bound from. The empty name is the
 * unnamed statement/portal. Both tables are bounded: when full, the least
 * recently used entry is forgotten (its Bind/Execute then shows no text). */
#ifndef TCPDP_PG_STMT_H
#define TCPDP_PG_STMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define PG_NAME_MAX	64	/* longer names compare on this prefix */

struct pg_stmt {
	char		 name[PG_NAME_MAX];
	uint8_t		 namelen;
	bool		 live;
	bool		 pending;	/* a Parse of a name in use: not live
					 * until its ParseComplete */
	bool		 synced;	/* pending, and a Sync followed */
	bool		 truncated;	/* query longer than kept */
	uint8_t		 esc;		/* enum resc of the query */
	uint64_t	 gen;		/* changes on each (re)definition */
	uint64_t	 used;		/* LRU clock */
	struct buf	 query;
	uint32_t	*oids;
	uint32_t	 noids, capoids;
};

struct pg_portal {
	char		 name[PG_NAME_MAX];
	uint8_t		 namelen;
	bool		 live;
	char		 stmt[PG_NAME_MAX];
	uint8_t		 stmtlen;
	uint64_t	 gen;		/* of the statement when bound */
	uint64_t	 used;
};

struct pg_stmts {
	struct pg_stmt	 *s;		/* [0] is the unnamed statement */
	uint32_t	  ns;
	struct pg_portal *p;		/* [0] is the unnamed portal */
	uint32_t	  np;
	uint64_t	  clock;
	uint64_t	  gen;
	bool		  any_pending;	/* a statement may be pending: the
					 * walks for them are skipped when
					 * none can be (every Parse and Sync
					 * would pay for them) */
};

void		 pg_stmts_free(struct pg_stmts *);
/* (Re)defines a statement; text is kept up to max bytes. */
struct pg_stmt	*pg_stmt_define(struct pg_stmts *, const char *name, size_t,
		    const char *query, size_t qlen, size_t max);
/* A Parse of a name already defined: the server refuses it unless the
 * old one was dropped unseen, so the new text waits, not live, for the
 * Parse's answer (pg_stmt_settle). */
struct pg_stmt	*pg_stmt_define_pending(struct pg_stmts *, const char *name,
		    size_t, const char *query, size_t qlen, size_t max);
/* The answer to the Parse of definition gen: PG_PARSE_OK makes a
 * pending one the statement of its name; PG_PARSE_FAILED (its error)
 * forgets it, pending or not (the server defined nothing);
 * PG_PARSE_UNKNOWN (not seen, or skipped after another's error, when
 * the Binds that would use it are skipped too and still show its text)
 * forgets only a pending one. */
enum pg_parse_outcome {
	PG_PARSE_OK, PG_PARSE_FAILED, PG_PARSE_UNKNOWN,
};
void		 pg_stmt_settle(struct pg_stmts *, uint64_t gen,
		    enum pg_parse_outcome);
/* A Sync: messages after it run even if a pending Parse failed. */
void		 pg_stmts_sync(struct pg_stmts *);
void		 pg_stmt_add_oid(struct pg_stmt *, uint32_t oid);
/* The statement a message naming it now uses: a pending definition
 * before the next Sync (the message runs only if that Parse succeeded),
 * else the live one. */
struct pg_stmt	*pg_stmt_find(struct pg_stmts *, const char *name, size_t);
/* The live statement of that definition (pg_stmt gen), if still so. */
struct pg_stmt	*pg_stmt_by_gen(struct pg_stmts *, uint64_t gen);
void		 pg_stmt_close(struct pg_stmts *, const char *name, size_t);
void		 pg_portal_bind(struct pg_stmts *, const char *name, size_t,
		    const char *stmt, size_t);
struct pg_portal	*pg_portal_find(struct pg_stmts *, const char *name, size_t);
/* The statement a portal runs, if still the one it was bound from. */
struct pg_stmt	*pg_portal_stmt(struct pg_stmts *, const char *name, size_t);
void		 pg_portal_close(struct pg_stmts *, const char *name, size_t);
/* A simple Query drops the unnamed statement and portal. */
void		 pg_stmts_unnamed_reset(struct pg_stmts *);
/* The statements and portals a simple Query's SQL drops: DISCARD ALL,
 * DEALLOCATE [PREPARE] ALL|name, CLOSE ALL|name. */
void		 pg_stmts_sql(struct pg_stmts *, const char *q, size_t n);

/* The command tags a statement can give (CommandComplete), by their
 * first word, a bit each: pg_sql_tags is what the first statement of q
 * can give (0: any, a first keyword not judged: WITH, EXECUTE, EXPLAIN,
 * ...), pg_tag_word the bit of a tag (0: a word not judged). A tag fits
 * unless both are known and disjoint. */
uint32_t	 pg_sql_tags(const char *q, size_t n);
uint32_t	 pg_tag_word(const char *tag, size_t n);

#endif
