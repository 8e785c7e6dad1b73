/* mysql-set.c - the client character set changes a statement text asks
 * for (see mysql-set.h).
 *
 * The text is hostile and can be 1 MB: one pass, every step advances or
 * ends, nothing allocated. It is read as the server's lexer reads it, as
 * far as the question needs: whitespace and comments (# and "-- " to the
 * end of the line, C comments) separate tokens, but an executed comment
 * (slash-star-bang and a version, as mysqldump writes its SET NAMES, or
 * MariaDB's slash-star-M-bang) is read as text, only its markers skipped;
 * quoted strings and identifiers are skipped as a
 * whole (backslash escapes unless NO_BACKSLASH_ESCAPES), so a SET inside a
 * literal of another statement is not taken; and in Shift_JIS, Big5 and
 * GBK a character's second byte can be a backslash or a backquote, so
 * their two-byte characters are stepped over as one.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mysql-set.h"
#include "mysql-text.h"

enum { MB_NONE, MB_SJIS, MB_GBK };

struct sc {
	const uint8_t	*p;
	size_t		 n, i;
	int		 mb;
	bool		 nobs;
	bool		 vc;		/* inside an executed comment */
};

static int
sc_mbkind(unsigned cs)
{
	switch (cs) {
	case 13: case 88: case 95: case 96:	/* sjis, cp932 */
		return MB_SJIS;
	case 1: case 84: case 28: case 87:	/* big5, gbk */
	case 248: case 249: case 250:		/* gb18030 */
		return MB_GBK;
	}
	return MB_NONE;
}

/* The length of the character at i: 2 for a lead byte and a second byte
 * that make a character (as the server's lexer tells them) in a charset
 * whose second bytes can be ASCII. */
static size_t
sc_clen(const struct sc *s, size_t i)
{
	uint8_t	c = s->p[i], t;

	if (s->mb == MB_NONE || c < 0x81 || i + 1 >= s->n)
		return 1;
	t = s->p[i + 1];
	if (s->mb == MB_SJIS)
		return (c <= 0x9f || (c >= 0xe0 && c <= 0xfc)) &&
		    t >= 0x40 && t != 0x7f && t <= 0xfc ? 2 : 1;
	return c <= 0xfe && t >= 0x40 && t != 0x7f && t <= 0xfe ? 2 : 1;
}

static bool
sc_at(const struct sc *s, size_t k, uint8_t c)
{
	return s->i + k < s->n && s->p[s->i + k] == c;
}

static void
sc_eol(struct sc *s)
{
	const uint8_t	*e = memchr(s->p + s->i, '\n', s->n - s->i);

	s->i = e == NULL ? s->n : (size_t)(e - s->p) + 1;
}

/* Skips whitespace and comments; an executed comment's text is not
 * skipped, only its markers. */
static void
sc_space(struct sc *s)
{
	const uint8_t	*e;
	uint8_t		 c;
	int		 k;

	while (s->i < s->n) {
		c = s->p[s->i];
		if (c == ' ' || (c >= '\t' && c <= '\r')) {
			s->i++;
		} else if (c == '#') {
			sc_eol(s);
		} else if (c == '-' && sc_at(s, 1, '-') &&
		    (s->i + 2 == s->n || s->p[s->i + 2] <= ' ')) {
			sc_eol(s);
		} else if (c == '/' && sc_at(s, 1, '*')) {
			if (!s->vc && (sc_at(s, 2, '!') ||
			    (sc_at(s, 2, 'M') && sc_at(s, 3, '!')))) {
				s->i += sc_at(s, 2, '!') ? 3 : 4;
				/* the version: 5 digits, 6 in MariaDB's */
				for (k = 0; k < 6 && s->i < s->n &&
				    s->p[s->i] >= '0' && s->p[s->i] <= '9'; k++)
					s->i++;
				s->vc = true;
				continue;
			}
			e = s->i + 2 < s->n ? memmem(s->p + s->i + 2,
			    s->n - s->i - 2, "*/", 2) : NULL;
			s->i = e == NULL ? s->n : (size_t)(e - s->p) + 2;
		} else if (c == '*' && s->vc && sc_at(s, 1, '/')) {
			s->i += 2;
			s->vc = false;
		} else
			return;
	}
}

static bool
sc_wordc(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

/* Whether the word at i is the keyword kw (upper case); if so, steps
 * over it. */
static bool
sc_kw(struct sc *s, const char *kw)
{
	size_t	k, n = strlen(kw);

	if (s->n - s->i < n)
		return false;
	for (k = 0; k < n; k++)
		if ((s->p[s->i + k] & 0xdf) != (uint8_t)kw[k])
			return false;
	if (s->i + n < s->n && sc_wordc(s->p[s->i + n]))
		return false;
	s->i += n;
	return true;
}

/* An unquoted word at i (letters, digits, _, $, other characters); its
 * length, 0 if there is none. */
static size_t
sc_word(struct sc *s, const uint8_t **w)
{
	size_t	start = s->i;
	uint8_t	c;

	while (s->i < s->n && sc_wordc(c = s->p[s->i]))
		s->i += c >= 0x81 && s->mb != MB_NONE ? sc_clen(s, s->i) : 1;
	*w = s->p + start;
	return s->i - start;
}

/* A quoted string or identifier at i (quote q): steps over it; its text
 * between the quotes in *w, *wn, and whether that is its value as is (no
 * escape or doubled quote in it). */
static bool
sc_quoted(struct sc *s, const uint8_t **w, size_t *wn)
{
	uint8_t	q = s->p[s->i];
	size_t	start = ++s->i;
	bool	plain = true;

	while (s->i < s->n) {
		uint8_t c = s->p[s->i];

		if (c == '\\' && q != '`' && !s->nobs) {
			plain = false;
			s->i++;
			if (s->i < s->n)
				s->i += sc_clen(s, s->i);
			continue;
		}
		if (c == q) {
			if (sc_at(s, 1, q)) {
				plain = false;
				s->i += 2;
				continue;
			}
			*w = s->p + start;
			*wn = s->i - start;
			s->i++;
			return plain;
		}
		s->i += sc_clen(s, s->i);
	}
	/* unterminated: the rest of the text */
	s->i = s->n;
	*w = s->p + start;
	*wn = s->n - start;
	return false;
}

static bool
sc_is(const uint8_t *w, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp((const char *)w, kw, n) == 0;
}

/* Steps over one token (after sc_space); returns its first byte. */
static uint8_t
sc_token(struct sc *s)
{
	const uint8_t	*w;
	size_t		 n;
	uint8_t		 c = s->p[s->i];

	if (c == '\'' || c == '"' || c == '`')
		sc_quoted(s, &w, &n);
	else if (sc_wordc(c))
		sc_word(s, &w);
	else
		s->i++;
	return c;
}

/* Steps to the end of the statement, past its ';'. With `begin`, returns
 * whether a word BEGIN was in it (a stored program's body). */
static bool
sc_skip_stmt(struct sc *s, bool begin)
{
	const uint8_t	*w;
	size_t		 n;

	if (memchr(s->p + s->i, ';', s->n - s->i) == NULL) {
		/* the usual single statement: nothing follows it (a ';' is
		 * never the second byte of a character) */
		s->i = s->n;
		return false;
	}
	for (;;) {
		sc_space(s);
		if (s->i >= s->n)
			return false;
		if (s->p[s->i] == ';') {
			s->i++;
			return false;
		}
		if (begin && sc_wordc(s->p[s->i])) {
			n = sc_word(s, &w);
			if (sc_is(w, n, "BEGIN"))
				return true;
			continue;
		}
		sc_token(s);
	}
}

/* Steps over an expression: to a ',' or ';' outside parentheses (left
 * there) or the end. */
static void
sc_skip_expr(struct sc *s)
{
	unsigned	depth = 0;
	uint8_t		c;

	for (;;) {
		sc_space(s);
		if (s->i >= s->n)
			return;
		c = s->p[s->i];
		if (depth == 0 && (c == ',' || c == ';'))
			return;
		if (c == ')' && depth == 0)
			return;
		sc_token(s);
		if (c == '(')
			depth++;
		else if (c == ')')
			depth--;
	}
}

/* Whether the value just read ends the assignment: ',', ';' or the end
 * come next (anything else makes it an expression). */
static bool
sc_value_end(struct sc *s)
{
	sc_space(s);
	return s->i >= s->n || s->p[s->i] == ',' || s->p[s->i] == ';';
}

/* A character set value: a name (word, quoted), a collation id, or
 * DEFAULT. Returns the collation id, MYSQL_CS_DEFAULT, or -1 if it is
 * none of these. */
static long
sc_cs_value(struct sc *s)
{
	const uint8_t	*w;
	size_t		 n, k;
	long		 id;
	uint8_t		 c;
	bool		 plain = true;

	sc_space(s);
	if (s->i >= s->n)
		return -1;
	c = s->p[s->i];
	if (c == '\'' || c == '"' || c == '`')
		plain = sc_quoted(s, &w, &n);
	else if (sc_wordc(c))
		n = sc_word(s, &w);
	else {
		sc_token(s);
		return -1;
	}
	if (!plain)
		return -1;
	if (c >= '0' && c <= '9') {
		/* a number is a collation id (not quoted: '13' is a name) */
		for (k = 0, id = 0; k < n && k < 6; k++) {
			if (w[k] < '0' || w[k] > '9')
				return -1;
			id = id * 10 + (w[k] - '0');
		}
		/* any id: one the table does not name is decoded as the
		 * handshake's would be (bytes as they are) */
		return k == n && id > 0 && id <= 0xffff ? id : -1;
	}
	if (c != '\'' && c != '"' && c != '`' && sc_is(w, n, "DEFAULT"))
		return (long)MYSQL_CS_DEFAULT;
	return mysql_charset_id((const char *)w, n);
}

static void
sc_record(struct mysql_cs_change *out, unsigned *nout, uint32_t stmt,
    long cs)
{
	if (*nout > 0 && out[*nout - 1].stmt == stmt) {
		out[*nout - 1].cs = (uint32_t)cs;	/* its last one */
		return;
	}
	if (*nout == MYSQL_CS_CHANGES) {
		memmove(out, out + 1, (MYSQL_CS_CHANGES - 1) * sizeof *out);
		(*nout)--;
	}
	out[*nout].stmt = stmt;
	out[*nout].cs = (uint32_t)cs;
	(*nout)++;
}

/* The variable of an assignment (after an optional scope keyword): its
 * name in *w, *wn; *global set for GLOBAL/PERSIST ones. A user variable
 * (@name) gives an empty name. False if it is not an assignment. */
static bool
sc_var(struct sc *s, const uint8_t **w, size_t *wn, bool *global)
{
	const uint8_t	*v;
	size_t		 n, save;

	if (sc_at(s, 0, '@') && !sc_at(s, 1, '@')) {
		s->i++;
		if (s->i < s->n && (s->p[s->i] == '\'' ||
		    s->p[s->i] == '"' || s->p[s->i] == '`'))
			sc_quoted(s, &v, &n);
		else
			sc_word(s, &v);
		*wn = 0;
		return true;
	}
	if (sc_at(s, 0, '@')) {
		s->i += 2;
		save = s->i;
		n = sc_word(s, &v);
		if (sc_at(s, 0, '.')) {
			s->i++;
			if (sc_is(v, n, "GLOBAL") || sc_is(v, n, "PERSIST") ||
			    sc_is(v, n, "PERSIST_ONLY"))
				*global = true;
			else if (sc_is(v, n, "SESSION") || sc_is(v, n, "LOCAL"))
				*global = false;
			else
				return false;
		} else {
			s->i = save;
			*global = false;	/* @@x is the session's */
		}
	}
	if (sc_at(s, 0, '`')) {
		if (!sc_quoted(s, w, wn))
			return false;
	} else if ((*wn = sc_word(s, w)) == 0)
		return false;
	return true;
}

/* A SET statement (after the word SET): records the changes it makes to
 * the session's client character set. Leaves s past the statement. */
static void
sc_set(struct sc *s, uint32_t stmt, struct mysql_cs_change *out,
    unsigned *nout)
{
	const uint8_t	*w;
	struct sc	 vsave;
	size_t		 n, save;
	bool		 global = false, vglobal;
	long		 cs;

	for (;;) {
		sc_space(s);
		if (s->i >= s->n || s->p[s->i] == ';')
			break;
		/* scope keywords, sticky for the assignments after them */
		save = s->i;
		n = sc_word(s, &w);
		if (sc_is(w, n, "GLOBAL") || sc_is(w, n, "PERSIST") ||
		    sc_is(w, n, "PERSIST_ONLY")) {
			global = true;
			continue;
		}
		if (sc_is(w, n, "SESSION") || sc_is(w, n, "LOCAL")) {
			global = false;
			continue;
		}
		if (sc_is(w, n, "STATEMENT"))	/* MariaDB: for one statement */
			break;
		if (sc_is(w, n, "NAMES") || sc_is(w, n, "CHARSET") ||
		    sc_is(w, n, "CHARACTER")) {
			if (sc_is(w, n, "CHARACTER")) {
				sc_space(s);
				n = sc_word(s, &w);
				if (!sc_is(w, n, "SET"))
					break;
			} else if (sc_is(w, n, "NAMES") && sc_at(s, 0, '=')) {
				/* a variable called names */
				s->i = save;
				goto assign;
			}
			cs = sc_cs_value(s);
			sc_space(s);
			save = s->i;
			n = sc_word(s, &w);
			if (sc_is(w, n, "COLLATE")) {
				sc_space(s);
				if (s->i < s->n)
					sc_token(s);
			} else
				s->i = save;
			if (cs >= 0 && sc_value_end(s))
				sc_record(out, nout, stmt, cs);
			goto next;
		}
		s->i = save;
assign:
		vglobal = global;
		if (!sc_var(s, &w, &n, &vglobal))
			break;
		sc_space(s);
		if (sc_at(s, 0, ':') && sc_at(s, 1, '='))
			s->i += 2;
		else if (sc_at(s, 0, '='))
			s->i++;
		else
			break;
		if (!vglobal && sc_is(w, n, "character_set_client")) {
			vsave = *s;
			cs = sc_cs_value(s);
			if (cs >= 0 && sc_value_end(s))
				sc_record(out, nout, stmt, cs);
			else
				*s = vsave;	/* an expression: skipped */
		}
next:
		sc_skip_expr(s);
		if (s->i >= s->n || s->p[s->i] != ',')
			break;
		s->i++;
	}
	sc_skip_stmt(s, false);
}

/* A statement whose body holds statements: its inner ';' do not end it,
 * and what follows cannot be told apart without a real parser. */
static bool
sc_compound(struct sc *s, const uint8_t *w, size_t n)
{
	const uint8_t	*v;
	struct sc	 save = *s;
	size_t		 k;

	if (sc_is(w, n, "IF") || sc_is(w, n, "WHILE") ||
	    sc_is(w, n, "LOOP") || sc_is(w, n, "REPEAT") ||
	    sc_is(w, n, "CASE") || sc_is(w, n, "DECLARE") ||
	    sc_is(w, n, "FOR"))
		return true;
	sc_space(s);
	if (sc_is(w, n, "BEGIN")) {
		k = sc_word(s, &v);
		*s = save;
		return sc_is(v, k, "NOT");	/* BEGIN NOT ATOMIC */
	}
	/* a label: "name: BEGIN ..." */
	k = sc_at(s, 0, ':') && !sc_at(s, 1, '=');
	*s = save;
	return k != 0;
}

/* Whether the letters "set" (any case) are in p[0..n): every request
 * comes here, and nearly none holds a SET (16 places at a time). */
static bool
sc_has_set(const uint8_t *p, size_t n)
{
	size_t	i = 0;

#ifdef __SSE2__
	const __m128i	lc = _mm_set1_epi8(0x20);
	const __m128i	s = _mm_set1_epi8('s');
	const __m128i	e = _mm_set1_epi8('e');
	const __m128i	t = _mm_set1_epi8('t');
	__m128i		a, b, c;

	while (n >= 18 && i < n - 2) {
		/* the last block overlaps the one before it */
		if (i > n - 18)
			i = n - 18;
		a = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + i)), lc);
		b = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + i + 1)),
		    lc);
		c = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + i + 2)),
		    lc);
		if (_mm_movemask_epi8(_mm_and_si128(_mm_and_si128(
		    _mm_cmpeq_epi8(a, s), _mm_cmpeq_epi8(b, e)),
		    _mm_cmpeq_epi8(c, t))) != 0)
			return true;
		i += 16;
	}
#endif
	for (; i + 2 < n; i++)
		if ((p[i] | 0x20) == 's' && (p[i + 1] | 0x20) == 'e' &&
		    (p[i + 2] | 0x20) == 't')
			return true;
	return false;
}

unsigned
mysql_set_scan(const void *p, size_t n, unsigned cs, unsigned flags,
    struct mysql_cs_change *out)
{
	struct sc	 s;
	const uint8_t	*w;
	size_t		 wn;
	uint32_t	 stmt = 0;
	unsigned	 nout = 0;
	bool		 looked = false;

	memset(&s, 0, sizeof s);
	s.p = p;
	s.n = n;
	s.mb = sc_mbkind(cs);
	s.nobs = (flags & MYSQL_SET_NOBS) != 0;
	for (;;) {
		sc_space(&s);
		if (s.i >= s.n)
			break;
		if (s.p[s.i] == ';') {		/* an empty statement */
			s.i++;
			continue;
		}
		if (sc_kw(&s, "SET")) {
			sc_set(&s, stmt++, out, &nout);
			continue;
		}
		/* Another statement: the rest matters only if a statement
		 * follows (a ';') and a SET can be in it. Nearly every
		 * request ends here (looked once: the scan stays linear). */
		if (memchr(s.p + s.i, ';', s.n - s.i) == NULL)
			break;
		if (!looked) {
			looked = true;
			if (!sc_has_set(s.p + s.i, s.n - s.i))
				break;
		}
		wn = sc_word(&s, &w);
		if (sc_compound(&s, w, wn))
			break;
		if (sc_skip_stmt(&s, sc_is(w, wn, "CREATE") ||
		    sc_is(w, wn, "ALTER")))
			break;
		stmt++;
	}
	return nout;
}
