/*
 * The query parser. Three stages:
 *
 *   lexer   bytes -> items: WORD (with a `star` flag for guer*), PHRASE (with an
 *           optional ~N), "(", ")", OR, AND, NOT, NEAR[/N], FIELD (title:, author:,
 *           date: and their French names), each with a `neg` flag for a leading `-`.
 *           It never fails: whatever it cannot read is a separator.
 *   parser  recursive descent over the items -> an AST of qnode:
 *               or    := and ( OR and )*
 *               and   := near*                  (AND is the default; `AND`/`ET` ignored)
 *               near  := unary ( NEAR unary )*
 *               unary := NOT* [-] [FIELD] primary
 *               primary := WORD | PHRASE | "(" or ")"
 *           Leaves hold the analyzer's tokens of their word or phrase (or a prefix);
 *           author: and date: become filters. The tree is then simplified: empty
 *           leaves (stopwords, punctuation) vanish, groups with no positive member
 *           vanish, groups of one member become that member.
 *   builder the AST -> an xs_query (query_build) with the ranking of ranking.h, and
 *           the terms to highlight.
 *
 * A person's input is never an error: what cannot be read as an operator or a field is
 * read as words, unbalanced quotes and parentheses are closed or ignored, and
 * query_notice() says what was repaired or dropped.
 */
#include "query.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../indexer/strbuf.h"

#include "ranking.h"

/* More words than this are ignored: a pasted paragraph must not make a huge query. */
#define QUERY_MAX_WORDS 64
/* Deeper parentheses are ignored: the parser (and the free) are recursive. */
#define QUERY_MAX_DEPTH 16
/* Stopwords listed in the notice, at most. */
#define QUERY_MAX_NOTED_STOPS 8
/* NEAR without a distance, and the largest distance taken (NEAR/N, "..."~N). */
#define QUERY_NEAR_DEFAULT 10
#define QUERY_NEAR_MAX 100
/* Bytes of the person's text quoted in a notice, at most. */
#define QUERY_NOTE_QUOTE 40
/* The longest date: value read (spaces removed): "2023-01-15..2023-03-31" is 22. */
#define QUERY_DATE_MAX 48

/* ---- small helpers ------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* Length of the valid UTF-8 character at s (n bytes left), 0 when invalid. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t need = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	if (!need || need > n)
		return 0;
	unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
	unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < need; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	return need;
}

/*
 * The person's text as it may appear in a notice: at most QUERY_NOTE_QUOTE bytes of
 * whole characters ("…" when cut), invalid bytes and control characters as '?', so a
 * notice is always clean UTF-8 for a terminal or JSON.
 */
static void quote_text(char *out, size_t cap, const char *s, size_t len)
{
	size_t o = 0, i = 0;
	const unsigned char *u = (const unsigned char *)s;
	while (i < len) {
		size_t k = utf8_char(u + i, len - i);
		if (o + (k ? k : 1) > QUERY_NOTE_QUOTE || o + 4 + 4 > cap) {
			memcpy(out + o, "\xe2\x80\xa6", 3);
			o += 3;
			break;
		}
		if (k == 0 || u[i] < 0x20 || u[i] == 0x7F) {
			out[o++] = '?';
			i += k ? k : 1;
			continue;
		}
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
}

/* ASCII case-insensitive equality of s[0..n) and the lowercase `name`. */
static int ascii_ieq(const char *s, size_t n, const char *name)
{
	if (strlen(name) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != name[i])
			return 0;
	}
	return 1;
}

/* ---- the AST ------------------------------------------------------------------- */

/* One analyzed word of a leaf: the analyzer's term, its alternative and exact forms,
   its position. */
typedef struct qpart {
	char *term;
	char *alt;   /* NULL when the analyzer gave a single form */
	char *exact; /* NULL unless the word was typed with accents */
	uint32_t pos;
} qpart;

/* A stopword inside a phrase, folded, at its query position: a snippet lights up a
   phrase as one span only where the text has the same stopwords between its words. */
typedef struct qstop {
	char *word;
	uint32_t pos;
} qstop;

/* Where a leaf's words are looked for. author: and date: make filters, not leaves. */
typedef enum { QF_BODY, QF_TITLE, QF_AUTHOR, QF_DATE } q_field;

typedef enum { QN_LEAF, QN_AND, QN_OR, QN_NEAR, QN_FILTER } qn_kind;

/*
 * LEAF: one typed word or one quoted phrase: one part is a plain word, several parts
 * are matched as a phrase (a quoted phrase, or a word the analyzer split, like
 * `peut-être` or `l'armée`), or, with `slop` >= 0 ("a b"~5), in any order within
 * `slop` other words. With `prefix` (guer*), the terms starting with it; its parts then
 * hold the typed word's own forms when the prefix does not cover them.
 * NEAR: leaves (kids) whose words are within `slop` other words of each other.
 * FILTER: author: terms (all must match; the last one a prefix with `fprefix`), a date:
 * year term, or a date range lo..hi ("" for an open end). Filters add no weight.
 */
typedef struct qnode {
	qn_kind kind;
	int neg;    /* excluded from its parent AND (AND_NOT) */
	int quoted; /* leaf typed in quotes (informative: a split word is a phrase too) */
	q_field field;
	char *prefix;
	int slop; /* -1: none */
	qpart *parts;
	size_t nparts;
	qstop *stops; /* the stopwords after its first part */
	size_t nstops;
	struct qnode **kids;
	size_t nkids;
	char **fterms;
	size_t nfterms;
	int fprefix;
	char lo[9], hi[9];
} qnode;

static void node_free(qnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nparts; i++) {
		free(n->parts[i].term);
		free(n->parts[i].alt);
		free(n->parts[i].exact);
	}
	free(n->parts);
	for (size_t i = 0; i < n->nstops; i++)
		free(n->stops[i].word);
	free(n->stops);
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	for (size_t i = 0; i < n->nfterms; i++)
		free(n->fterms[i]);
	free(n->fterms);
	free(n->prefix);
	free(n);
}

static qnode *node_new(qn_kind kind)
{
	qnode *n = calloc(1, sizeof *n);
	if (n) {
		n->kind = kind;
		n->slop = -1;
	}
	return n;
}

static int node_add_kid(qnode *n, qnode *kid)
{
	qnode **k = realloc(n->kids, (n->nkids + 1) * sizeof *k);
	if (!k)
		return -1;
	n->kids = k;
	n->kids[n->nkids++] = kid;
	return 0;
}

struct query {
	qnode *root; /* NULL when empty */
	query_term *terms;
	size_t nterms;
	query_phrase *phrases; /* each one's words are malloc'ed, their strings borrowed */
	size_t nphrases;
	char *notice;
};

/* ---- the lexer ------------------------------------------------------------------ */

typedef enum {
	TK_EOF,
	TK_WORD,
	TK_PHRASE,
	TK_LPAREN,
	TK_RPAREN,
	TK_OR,
	TK_AND,
	TK_NOT,
	TK_NEAR,
	TK_FIELD
} tk_kind;

typedef struct token {
	tk_kind kind;
	const char *s; /* WORD, PHRASE: the text (a phrase without its quotes, a prefix
	                  without its stars); NEAR, FIELD: the operator as typed */
	size_t len;
	int neg;
	int star;      /* WORD: typed with a trailing `*` */
	q_field field; /* FIELD */
	int num;       /* NEAR/N, "..."~N: N (at most QUERY_NEAR_MAX); -1 when absent */
	int bad_num;   /* a NEAR/ or ~ not followed by digits */
	int big_num;   /* N was more than QUERY_NEAR_MAX */
} token;

typedef struct lexer {
	const char *p, *end;
	int unclosed_quote; /* a phrase ran to the end of the query */
} lexer;

/* ASCII spaces and control characters (a NUL included) separate items. */
static int is_space(unsigned char c)
{
	return c <= ' ' || c == 0x7F;
}

/*
 * Quote characters: 1 opens-or-closes (" “ ” „ «), 2 closes only (»), 0 not a quote.
 * ” opens too because people type it on both sides; « closes an open phrase too, best
 * effort for mixed quotes. *n receives the byte length of the character.
 */
static int quote_at(const char *p, const char *end, size_t *n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t left = (size_t)(end - p);
	if (u[0] == '"') {
		*n = 1;
		return 1;
	}
	if (left >= 2 && u[0] == 0xC2 && (u[1] == 0xAB || u[1] == 0xBB)) {
		*n = 2;
		return u[1] == 0xAB ? 1 : 2; /* « or » */
	}
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
	    (u[2] == 0x9C || u[2] == 0x9D || u[2] == 0x9E)) {
		*n = 3; /* “ ” „ */
		return 1;
	}
	return 0;
}

/* A word ends at whitespace, a quote or a parenthesis. */
static int ends_word(const char *p, const char *end)
{
	size_t n;
	unsigned char c = (unsigned char)*p;
	return is_space(c) || c == '(' || c == ')' || quote_at(p, end, &n);
}

/* Digits at p (as many as there are): their value, capped. Returns the bytes read. */
static size_t read_digits(const char *p, const char *end, token *t)
{
	const char *q = p;
	long v = 0;
	while (q < end && *q >= '0' && *q <= '9') {
		if (v <= QUERY_NEAR_MAX)
			v = v * 10 + (*q - '0');
		q++;
	}
	if (q == p) {
		t->bad_num = 1;
		return 0;
	}
	if (v > QUERY_NEAR_MAX) {
		v = QUERY_NEAR_MAX;
		t->big_num = 1;
	}
	t->num = (int)v;
	return (size_t)(q - p);
}

static const struct {
	const char *name;
	q_field field;
} field_names[] = {
	{"title", QF_TITLE}, {"titre", QF_TITLE}, {"author", QF_AUTHOR},
	{"auteur", QF_AUTHOR}, {"date", QF_DATE},
};

static q_field field_named(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof field_names / sizeof *field_names; i++)
		if (ascii_ieq(s, n, field_names[i].name))
			return field_names[i].field;
	return QF_BODY;
}

static token lex_next(lexer *lx)
{
	token t;
	for (;;) {
		memset(&t, 0, sizeof t);
		t.kind = TK_EOF;
		t.num = -1;
		while (lx->p < lx->end && is_space((unsigned char)*lx->p))
			lx->p++;
		if (lx->p >= lx->end)
			return t;
		/* A leading - (or +, which changes nothing) marks the next item; alone it is
		   just a dash and is skipped. Inside a word (peut-être) it is a hyphen. */
		const char *q = lx->p;
		int neg = 0;
		while (q < lx->end && (*q == '-' || *q == '+')) {
			neg |= *q == '-';
			q++;
		}
		if (q > lx->p) {
			if (q >= lx->end || is_space((unsigned char)*q) || *q == ')') {
				lx->p = q;
				continue;
			}
			lx->p = q;
		}
		t.neg = neg;
		size_t n;
		int qk = quote_at(lx->p, lx->end, &n);
		if (qk == 2) { /* a stray closing guillemet: punctuation */
			lx->p += n;
			continue;
		}
		if (qk == 1) {
			const char *s = lx->p + n, *e = s;
			size_t m = 0;
			while (e < lx->end && !quote_at(e, lx->end, &m))
				e++;
			t.kind = TK_PHRASE;
			t.s = s;
			t.len = (size_t)(e - s);
			if (e < lx->end) {
				lx->p = e + m;
				/* "a b"~5: the words in any order within 5 other words */
				if (lx->p < lx->end && *lx->p == '~') {
					lx->p++;
					lx->p += read_digits(lx->p, lx->end, &t);
				}
			} else {
				lx->p = e;
				lx->unclosed_quote = 1;
			}
			return t;
		}
		if (*lx->p == '(' || *lx->p == ')') {
			t.kind = *lx->p == '(' ? TK_LPAREN : TK_RPAREN;
			lx->p++;
			return t;
		}
		const char *s = lx->p;
		/* title:, titre:, author:, auteur:, date: apply to what follows the colon
		   (looked for before scanning the word: title:title:... stays linear) */
		size_t name = 0;
		while (name < 7 && s + name < lx->end && ((s[name] >= 'a' && s[name] <= 'z') ||
							  (s[name] >= 'A' && s[name] <= 'Z')))
			name++;
		if (s + name < lx->end && s[name] == ':' && (t.field = field_named(s, name)) != QF_BODY) {
			t.kind = TK_FIELD;
			t.s = s;
			t.len = name + 1;
			lx->p = s + name + 1;
			return t;
		}
		while (lx->p < lx->end && !ends_word(lx->p, lx->end))
			lx->p++;
		const char *e = lx->p;
		while (e > s && e[-1] == '*') {
			e--;
			t.star = 1;
		}
		if (e == s) /* only stars: punctuation */
			continue;
		t.kind = TK_WORD;
		t.s = s;
		t.len = (size_t)(e - s);
		if (t.neg || t.star)
			return t;
		/* Uppercase operators, English or French; ou/et are stopwords anyway, so
		   nobody loses a searchable word, and lowercase not/sauf/near stay words. */
		if ((t.len == 2 && (!memcmp(s, "OR", 2) || !memcmp(s, "OU", 2))))
			t.kind = TK_OR;
		else if ((t.len == 3 && !memcmp(s, "AND", 3)) || (t.len == 2 && !memcmp(s, "ET", 2)))
			t.kind = TK_AND;
		else if ((t.len == 3 && !memcmp(s, "NOT", 3)) || (t.len == 4 && !memcmp(s, "SAUF", 4)))
			t.kind = TK_NOT;
		else if (t.len >= 4 && !memcmp(s, "NEAR", 4) && (t.len == 4 || s[4] == '/')) {
			t.kind = TK_NEAR;
			if (t.len > 4 && read_digits(s + 5, e, &t) != t.len - 5) {
				t.bad_num = 1;
				t.big_num = 0;
				t.num = -1;
			}
		}
		return t;
	}
}

/* ---- the parser ----------------------------------------------------------------- */

typedef struct parser {
	lexer lx;
	token tok; /* the current item */
	analyzer *a;
	uint32_t pos; /* query positions continue across words */
	size_t nwords; /* analyzed non-stopwords, prefixes and filters kept so far */
	unsigned skipped_opens; /* "(" ignored for depth; their ")" are ignored too */
	q_field field; /* QF_TITLE inside title:( ... ), else QF_BODY */
	int oom, too_long, too_deep, stray_close, missing_close, empty_exclusion;
	strbuf stops; /* "le, la" for the notice */
	size_t nstops;
	strbuf notes; /* the other notes, in the order met, each once */
} parser;

static void advance(parser *ps)
{
	ps->tok = lex_next(&ps->lx);
}

static void note(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(parser *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ps->notes.s && strstr(ps->notes.s, msg))
		return;
	if (ps->notes.len)
		strbuf_puts(&ps->notes, "; ");
	strbuf_puts(&ps->notes, msg);
}

/* A note quoting the person's text: "<before>'<text>'<after>". */
static void note_quoted(parser *ps, const char *before, const char *s, size_t len,
			const char *after)
{
	char q[QUERY_NOTE_QUOTE + 8];
	quote_text(q, sizeof q, s, len);
	note(ps, "%s'%s'%s", before, q, after);
}

/* Collects the analyzer's tokens of one word or phrase. */
typedef struct leaf_ctx {
	parser *ps;
	qnode *leaf;
	char stops[QUERY_MAX_NOTED_STOPS][ANALYZER_MAX_TERM + 1];
	size_t nstops;
} leaf_ctx;

/* Keep a stopword met after the leaf's first word, folded (a phrase's inner gap). */
static int leaf_add_stop(qnode *l, const analyzer_token *tok)
{
	qstop *v = l->stops;
	/* capacity doubles at each power of two: 10,000 characters of "le le le" stay
	   linear */
	if ((l->nstops & (l->nstops - 1)) == 0) {
		v = realloc(l->stops, (l->nstops ? l->nstops * 2 : 1) * sizeof *v);
		if (!v)
			return -1;
		l->stops = v;
	}
	char folded[ANALYZER_MAX_TERM + 1];
	analyzer_fold(tok->term, strlen(tok->term), folded, sizeof folded);
	if (!(v[l->nstops].word = xstrdup(folded)))
		return -1;
	v[l->nstops].pos = tok->pos;
	l->nstops++;
	return 0;
}

static int leaf_emit(const analyzer_token *tok, int is_stop, void *ud)
{
	leaf_ctx *c = ud;
	if (is_stop) {
		if (c->nstops < QUERY_MAX_NOTED_STOPS) {
			snprintf(c->stops[c->nstops], sizeof c->stops[0], "%s", tok->term);
			c->nstops++;
		}
		return c->leaf->nparts ? leaf_add_stop(c->leaf, tok) : 0;
	}
	if (c->ps->nwords >= QUERY_MAX_WORDS) {
		c->ps->too_long = 1;
		return 1;
	}
	qnode *l = c->leaf;
	qpart *p = realloc(l->parts, (l->nparts + 1) * sizeof *p);
	if (!p)
		return -1;
	l->parts = p;
	p = &l->parts[l->nparts];
	p->term = xstrdup(tok->term);
	p->alt = tok->alt ? xstrdup(tok->alt) : NULL;
	p->exact = tok->exact ? xstrdup(tok->exact) : NULL;
	p->pos = tok->pos;
	if (!p->term || (tok->alt && !p->alt) || (tok->exact && !p->exact)) {
		free(p->term);
		free(p->alt);
		free(p->exact);
		return -1;
	}
	l->nparts++;
	c->ps->nwords++;
	return 0;
}

/* Note a dropped stopword for the notice, once each. */
static void note_stop(parser *ps, const char *w)
{
	if (ps->nstops >= QUERY_MAX_NOTED_STOPS)
		return;
	size_t n = strlen(w);
	/* Already listed? The list is short, a scan is fine. */
	const char *s = ps->stops.s;
	while (s && *s) {
		const char *e = strstr(s, ", ");
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == n && !memcmp(s, w, n))
			return;
		s = e ? e + 2 : s + l;
	}
	if (ps->nstops)
		strbuf_puts(&ps->stops, ", ");
	strbuf_put(&ps->stops, w, n);
	ps->nstops++;
}

/* Run the analyzer over s into the leaf l. */
static int analyze_into(parser *ps, qnode *l, const char *s, size_t len)
{
	leaf_ctx c;
	c.ps = ps;
	c.leaf = l;
	c.nstops = 0;
	int rc = analyzer_run_all(ps->a, s, len, &ps->pos, leaf_emit, &c);
	if (rc < 0) {
		ps->oom = 1;
		return -1;
	}
	if (l->nparts == 0) /* only stopwords: say which words were ignored */
		for (size_t i = 0; i < c.nstops; i++)
			note_stop(ps, c.stops[i]);
	return 0;
}

/* A leaf from a typed word or a quoted phrase; NULL when nothing searchable is in it. */
static qnode *parse_leaf(parser *ps, const char *s, size_t len, int quoted, q_field field)
{
	qnode *l = node_new(QN_LEAF);
	if (!l) {
		ps->oom = 1;
		return NULL;
	}
	l->quoted = quoted;
	l->field = field;
	if (analyze_into(ps, l, s, len) < 0 || l->nparts == 0) {
		node_free(l);
		return NULL;
	}
	return l;
}

/* The last token of a prefix's word, recorded around leaf_emit. */
typedef struct prefix_ctx {
	leaf_ctx lc; /* first: leaf_emit gets it through the same pointer */
	char last[ANALYZER_MAX_TERM + 1];
	int last_stop;
	size_t parts_before; /* parts of the leaf before the last token */
	int seen;
} prefix_ctx;

static int prefix_emit(const analyzer_token *tok, int is_stop, void *ud)
{
	prefix_ctx *c = ud;
	c->seen = 1;
	c->parts_before = c->lc.leaf->nparts;
	c->last_stop = is_stop;
	snprintf(c->last, sizeof c->last, "%s", tok->word);
	return leaf_emit(tok, is_stop, &c->lc);
}

static qnode *group_of(parser *ps, qnode *a, qnode *b)
{
	if (!a || !b)
		return a ? a : b;
	qnode *g = node_new(QN_AND);
	if (!g || node_add_kid(g, a) < 0) {
		ps->oom = 1;
		node_free(a);
		node_free(b);
		free(g);
		return NULL;
	}
	if (node_add_kid(g, b) < 0) {
		ps->oom = 1;
		node_free(g);
		node_free(b);
		return NULL;
	}
	return g;
}

/*
 * A prefix `guer*`: every term starting with the folded lowercase prefix as typed (the
 * stems of words starting with "guer" start with "guer"). The prefix is the last word
 * the analyzer finds in what was typed, elision stripped (`l'arm*` -> "arm"); words
 * before it (`états-un*`) are read as words. The typed word's own forms are kept too,
 * when the prefix does not already cover them: `guerre*` also finds "guerre", whose
 * stem is "guerr". Nothing a word is made of (`😀*`): nothing.
 */
static qnode *parse_prefix(parser *ps, const char *s, size_t len, q_field field)
{
	qnode *l = node_new(QN_LEAF);
	if (!l) {
		ps->oom = 1;
		return NULL;
	}
	l->field = field;
	prefix_ctx c;
	memset(&c, 0, sizeof c);
	c.lc.ps = ps;
	c.lc.leaf = l;
	int rc = analyzer_run_all(ps->a, s, len, &ps->pos, prefix_emit, &c);
	if (rc < 0) {
		ps->oom = 1;
		node_free(l);
		return NULL;
	}
	if (rc > 0 || !c.seen) { /* over the word limit, or no word: a plain leaf, if any */
		if (l->nparts)
			return l;
		node_free(l);
		return NULL;
	}
	/* the words before the last one: a leaf of their own */
	qnode *head = NULL;
	if (c.parts_before) {
		head = node_new(QN_LEAF);
		if (!head || !(head->parts = malloc(c.parts_before * sizeof *head->parts))) {
			ps->oom = 1;
			node_free(head);
			node_free(l);
			return NULL;
		}
		head->field = field;
		memcpy(head->parts, l->parts, c.parts_before * sizeof *l->parts);
		head->nparts = c.parts_before;
		/* the stopwords met belong to the head's phrase (`états-de-un*`) */
		head->stops = l->stops;
		head->nstops = l->nstops;
		l->stops = NULL;
		l->nstops = 0;
		l->nparts -= c.parts_before;
		memmove(l->parts, l->parts + c.parts_before, l->nparts * sizeof *l->parts);
	}
	char folded[ANALYZER_MAX_TERM + 1];
	size_t fl = analyzer_fold(c.last, strlen(c.last), folded, sizeof folded);
	if (fl >= sizeof folded)
		fl = sizeof folded - 1;
	folded[fl] = '\0';
	if (c.last_stop) { /* `les*`: a stopword as a prefix is still one word */
		if (ps->nwords >= QUERY_MAX_WORDS) {
			ps->too_long = 1;
			node_free(l);
			return head;
		}
		ps->nwords++;
	}
	/* keep the word's forms only when the prefix does not cover them */
	if (l->nparts && !strncmp(l->parts[0].term, folded, fl)) {
		free(l->parts[0].term);
		free(l->parts[0].alt);
		free(l->parts[0].exact);
		l->nparts = 0;
	}
	if (fl == 0 || !(l->prefix = xstrdup(folded))) {
		ps->oom |= fl != 0;
		if (!l->nparts) {
			node_free(l);
			l = NULL;
		}
	}
	return group_of(ps, head, l);
}

/* ---- author: and date: ---------------------------------------------------------- */

static qnode *filter_add(parser *ps, qnode *f, const char *term)
{
	char **v = realloc(f->fterms, (f->nfterms + 1) * sizeof *v);
	if (!v || !(v[f->nfterms] = xstrdup(term))) {
		if (v)
			f->fterms = v;
		ps->oom = 1;
		node_free(f);
		return NULL;
	}
	f->fterms = v;
	f->nfterms++;
	return f;
}

/*
 * author:Dupont, author:"Jean Dupont": every folded author token must match, split
 * exactly as the index splits them (add_author_terms in indexer/update.c: fold, then
 * cut at " \t-'.,"). author:dup* takes its last token as a prefix.
 */
static qnode *make_author(parser *ps, const char *s, size_t len, int star)
{
	char folded[256], term[300];
	size_t n = analyzer_fold(s, len, folded, sizeof folded);
	folded[n < sizeof folded ? n : sizeof folded - 1] = '\0';
	qnode *f = node_new(QN_FILTER);
	if (!f) {
		ps->oom = 1;
		return NULL;
	}
	f->field = QF_AUTHOR;
	f->fprefix = star;
	char *save = NULL;
	for (char *w = strtok_r(folded, " \t-'.,", &save); w && f; w = strtok_r(NULL, " \t-'.,", &save)) {
		snprintf(term, sizeof term, XS_PREFIX_AUTHOR "%s", w);
		f = filter_add(ps, f, term);
	}
	if (f && f->nfterms == 0) {
		note_quoted(ps, "could not read the author ", s, len, "");
		node_free(f);
		return NULL;
	}
	if (f)
		ps->nwords++;
	return f;
}

typedef struct qdate {
	int y, m, d; /* m, d 0 when not given */
} qdate;

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/*
 * One date: 2023, 2023-04, 2023-04-12, also with '/' and in French order (04/2023,
 * 12/04/2023). Returns 0, or -1 when it is not a real date.
 */
static int read_date(const char *s, size_t n, qdate *out)
{
	int g[3], glen[3], ng = 0;
	size_t i = 0;
	if (n == 0)
		return -1;
	for (;;) {
		size_t st = i;
		int v = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - st < 4)
			v = v * 10 + (s[i++] - '0');
		if (i == st)
			return -1;
		g[ng] = v;
		glen[ng] = (int)(i - st);
		ng++;
		if (i == n)
			break;
		if (ng == 3 || (s[i] != '-' && s[i] != '/') || i + 1 == n)
			return -1;
		i++;
	}
	qdate d = {0, 0, 0};
	if (glen[0] == 4) {
		d.y = g[0];
		d.m = ng > 1 ? g[1] : 0;
		d.d = ng > 2 ? g[2] : 0;
		for (int k = 1; k < ng; k++)
			if (glen[k] > 2)
				return -1;
	} else if (ng >= 2 && glen[ng - 1] == 4) {
		d.y = g[ng - 1];
		d.m = g[ng - 2];
		d.d = ng == 3 ? g[0] : 0;
		for (int k = 0; k < ng - 1; k++)
			if (glen[k] > 2)
				return -1;
	} else {
		return -1;
	}
	if (d.y < 1 || (ng > 1 && (d.m < 1 || d.m > 12)) ||
	    (ng > 2 && (d.d < 1 || d.d > days_in_month(d.y, d.m))))
		return -1;
	*out = d;
	return 0;
}

static qdate date_first(qdate d)
{
	qdate r = {d.y, d.m ? d.m : 1, d.d ? d.d : 1};
	return r;
}

static qdate date_last(qdate d)
{
	qdate r = {d.y, d.m ? d.m : 12, 0};
	r.d = d.d ? d.d : days_in_month(r.y, r.m);
	return r;
}

/* The day after / before a full date (year 10000 and year 0 sort where they should). */
static qdate next_day(qdate d)
{
	if (d.d < days_in_month(d.y, d.m))
		d.d++;
	else if (d.m < 12)
		d.m++, d.d = 1;
	else
		d.y++, d.m = 1, d.d = 1;
	return d;
}

static qdate prev_day(qdate d)
{
	if (d.d > 1)
		d.d--;
	else if (d.m > 1)
		d.m--, d.d = days_in_month(d.y, d.m);
	else
		d.y--, d.m = 12, d.d = 31;
	return d;
}

static void date_str(char out[9], qdate d)
{
	if (d.y > 9999) { /* after 9999-12-31: after every date */
		memcpy(out, "99999999", 9);
		return;
	}
	int v[3] = {d.y < 0 ? 0 : d.y, d.m, d.d}, width[3] = {4, 2, 2};
	char *p = out;
	for (int k = 0; k < 3; k++) {
		for (int i = width[k] - 1; i >= 0; i--) {
			p[i] = (char)('0' + v[k] % 10);
			v[k] /= 10;
		}
		p += width[k];
	}
	*p = '\0';
}

/*
 * date:2023 (the Y term), date:2023-04 (that month), date:2023-04-12 (that day),
 * date:2023-01..2023-06 (a month range ends at its last day), open ends date:..2023 and
 * date:2024.., comparisons date:>=2024-03-01, date:>2023, date:<2023, date:<=2023-06.
 * Returns the filter, or NULL with *unread set when the value is not a date.
 */
static qnode *make_date(parser *ps, const char *s, size_t len, int *unread)
{
	char v[QUERY_DATE_MAX + 1];
	size_t n = 0;
	*unread = 1;
	for (size_t i = 0; i < len; i++) {
		if (is_space((unsigned char)s[i]))
			continue;
		if (n == QUERY_DATE_MAX)
			return NULL;
		v[n++] = s[i];
	}
	v[n] = '\0';
	qdate a, b;
	int has_lo = 0, has_hi = 0, year_only = 0;
	qdate lo = {0, 0, 0}, hi = {0, 0, 0};
	char *dots = strstr(v, "..");
	if (v[0] == '>' || v[0] == '<') {
		int eq = v[1] == '=';
		if (read_date(v + 1 + eq, n - 1 - (size_t)eq, &a) != 0)
			return NULL;
		if (v[0] == '>') {
			has_lo = 1;
			lo = eq ? date_first(a) : next_day(date_last(a));
		} else {
			has_hi = 1;
			hi = eq ? date_last(a) : prev_day(date_first(a));
		}
	} else if (dots) {
		size_t ln = (size_t)(dots - v);
		const char *r = dots + 2;
		if (ln && read_date(v, ln, &a) != 0)
			return NULL;
		if (*r && read_date(r, strlen(r), &b) != 0)
			return NULL;
		if (!ln && !*r)
			return NULL;
		has_lo = ln > 0;
		has_hi = *r != '\0';
		if (has_lo && has_hi) {
			char x[9], y[9];
			date_str(x, date_first(a));
			date_str(y, date_last(b));
			if (strcmp(x, y) > 0) {
				qdate t = a;
				a = b;
				b = t;
				note_quoted(ps, "swapped the ends of the date range ", s, len, "");
			}
		}
		if (has_lo)
			lo = date_first(a);
		if (has_hi)
			hi = date_last(b);
	} else {
		if (read_date(v, n, &a) != 0)
			return NULL;
		year_only = !a.m;
		has_lo = has_hi = 1;
		lo = date_first(a);
		hi = date_last(a);
	}
	*unread = 0;
	qnode *f = node_new(QN_FILTER);
	if (!f) {
		ps->oom = 1;
		return NULL;
	}
	f->field = QF_DATE;
	if (year_only) {
		char term[16];
		snprintf(term, sizeof term, XS_PREFIX_YEAR "%04d", a.y);
		f = filter_add(ps, f, term);
	} else {
		if (has_lo)
			date_str(f->lo, lo);
		if (has_hi)
			date_str(f->hi, hi);
	}
	if (f)
		ps->nwords++;
	return f;
}

/* What follows a field name (or a word or phrase in a title:( ) group). */
static qnode *field_item(parser *ps, q_field field, const token *t)
{
	int quoted = t->kind == TK_PHRASE;
	if (ps->nwords >= QUERY_MAX_WORDS && (field == QF_AUTHOR || field == QF_DATE)) {
		ps->too_long = 1;
		return NULL;
	}
	if (field == QF_AUTHOR)
		return make_author(ps, t->s, t->len, t->star);
	if (field == QF_DATE) {
		int unread;
		qnode *f = make_date(ps, t->s, t->len, &unread);
		if (!unread || ps->oom)
			return f;
		note_quoted(ps, "could not read the date ", t->s, t->len, "");
		return parse_leaf(ps, t->s, t->len, quoted, QF_BODY);
	}
	if (t->star && !quoted)
		return parse_prefix(ps, t->s, t->len, field);
	qnode *l = parse_leaf(ps, t->s, t->len, quoted, field);
	if (quoted && t->bad_num)
		note(ps, "could not read the distance after ~: read as a phrase");
	if (quoted && t->big_num)
		note(ps, "NEAR distance limited to %d", QUERY_NEAR_MAX);
	if (l && quoted && t->num >= 0 && l->nparts > 1)
		l->slop = t->num;
	return l;
}

static qnode *parse_or(parser *ps, unsigned depth);

/* "(" or ")" with the current token on "(". */
static qnode *parse_group(parser *ps, unsigned depth)
{
	advance(ps);
	if (depth + 1 >= QUERY_MAX_DEPTH) {
		ps->too_deep = 1;
		ps->skipped_opens++;
		return NULL;
	}
	qnode *n = parse_or(ps, depth + 1);
	if (ps->tok.kind == TK_RPAREN)
		advance(ps);
	else
		ps->missing_close = 1;
	return n;
}

static const char *field_label(q_field f)
{
	return f == QF_TITLE ? "title:" : f == QF_AUTHOR ? "author:" : "date:";
}

/* Called on WORD, PHRASE, "(", FIELD or NOT: always consumes at least one item. */
static qnode *parse_unary(parser *ps, unsigned depth)
{
	int neg = 0, not = 0;
	/* NOT/SAUF excludes the next item; NOT NOT x is still NOT x, like - -x */
	while (ps->tok.kind == TK_NOT) {
		not = neg = 1;
		advance(ps);
	}
	token t = ps->tok;
	neg |= t.neg;
	qnode *n = NULL;
	if (t.kind == TK_FIELD) {
		advance(ps);
		token v = ps->tok;
		if (v.kind == TK_WORD || v.kind == TK_PHRASE) {
			advance(ps);
			neg |= v.neg;
			n = field_item(ps, t.field, &v);
		} else if (v.kind == TK_LPAREN && t.field == QF_TITLE) {
			neg |= v.neg;
			q_field saved = ps->field;
			ps->field = QF_TITLE;
			n = parse_group(ps, depth);
			ps->field = saved;
		} else if (v.kind == TK_LPAREN) {
			note(ps, "%s applies to one word or a \"quoted phrase\", not to a group: ignored",
			     field_label(t.field));
			return NULL; /* the group is read as such by the caller */
		} else {
			note(ps, "ignored %s with nothing after it", field_label(t.field));
			return NULL;
		}
	} else if (t.kind == TK_WORD || t.kind == TK_PHRASE) {
		advance(ps);
		n = field_item(ps, ps->field, &t);
	} else if (t.kind == TK_LPAREN) {
		n = parse_group(ps, depth);
	} else {
		if (not)
			note(ps, "ignored NOT with nothing after it");
		return NULL; /* not consumed: the caller decides */
	}
	if (n)
		n->neg = neg;
	return n;
}

/* A NEAR operand: a positive word or phrase leaf (not a prefix, not itself ~N). */
static int near_operand(const qnode *n, q_field field)
{
	return n->kind == QN_LEAF && !n->neg && !n->prefix && n->slop < 0 && n->field == field;
}

static int can_start_item(tk_kind k)
{
	return k == TK_WORD || k == TK_PHRASE || k == TK_LPAREN || k == TK_FIELD || k == TK_NOT;
}

/* near := unary (NEAR unary)*; the items go into `grp`, a NEAR node or one by one. */
static void parse_near(parser *ps, unsigned depth, qnode *grp)
{
	qnode *first = parse_unary(ps, depth);
	if (ps->tok.kind != TK_NEAR) {
		if (first && node_add_kid(grp, first) < 0) {
			node_free(first);
			ps->oom = 1;
		}
		return;
	}
	qnode *nn = node_new(QN_NEAR);
	if (!nn) {
		node_free(first);
		ps->oom = 1;
		return;
	}
	if (first && node_add_kid(nn, first) < 0) {
		node_free(first);
		ps->oom = 1;
	}
	int dist = -1, dangling = !first;
	while (!ps->oom && ps->tok.kind == TK_NEAR) {
		token op = ps->tok;
		advance(ps);
		if (op.bad_num)
			note_quoted(ps, "could not read the distance in ", op.s, op.len, "");
		if (op.big_num)
			note(ps, "NEAR distance limited to %d", QUERY_NEAR_MAX);
		int d = op.num >= 0 ? op.num : QUERY_NEAR_DEFAULT;
		if (d > dist)
			dist = d;
		if (!can_start_item(ps->tok.kind)) {
			dangling = 1;
			continue;
		}
		qnode *n = parse_unary(ps, depth);
		if (n && node_add_kid(nn, n) < 0) {
			node_free(n);
			ps->oom = 1;
		}
	}
	int ok = nn->nkids >= 2;
	for (size_t i = 0; ok && i < nn->nkids; i++)
		ok = near_operand(nn->kids[i], nn->kids[0]->field) &&
		     (nn->kids[i]->field == QF_BODY || nn->kids[i]->field == QF_TITLE);
	if (dangling || nn->nkids < 2)
		note(ps, "ignored NEAR with nothing on one side");
	else if (!ok)
		note(ps, "NEAR joins words or phrases: read as AND");
	if (ok && !ps->oom) {
		nn->slop = dist;
		nn->field = nn->kids[0]->field;
		if (node_add_kid(grp, nn) < 0) {
			node_free(nn);
			ps->oom = 1;
		}
		return;
	}
	/* not a NEAR: its items join the group as they are */
	for (size_t i = 0; i < nn->nkids; i++) {
		if (!ps->oom && node_add_kid(grp, nn->kids[i]) == 0)
			continue;
		ps->oom = 1;
		node_free(nn->kids[i]);
	}
	nn->nkids = 0;
	node_free(nn);
}

static qnode *parse_and(parser *ps, unsigned depth)
{
	qnode *grp = node_new(QN_AND);
	if (!grp) {
		ps->oom = 1;
		return NULL;
	}
	while (!ps->oom) {
		tk_kind k = ps->tok.kind;
		if (k == TK_EOF || k == TK_OR)
			break;
		if (k == TK_AND) {
			advance(ps);
			continue;
		}
		if (k == TK_NEAR) {
			note(ps, "ignored NEAR with nothing on one side");
			advance(ps);
			continue;
		}
		if (k == TK_RPAREN) {
			if (ps->skipped_opens) {
				ps->skipped_opens--;
				advance(ps);
				continue;
			}
			if (depth > 0)
				break;
			ps->stray_close = 1; /* nothing to close: ignore it */
			advance(ps);
			continue;
		}
		parse_near(ps, depth, grp);
	}
	return grp;
}

static qnode *parse_or(parser *ps, unsigned depth)
{
	qnode *grp = node_new(QN_OR);
	if (!grp) {
		ps->oom = 1;
		return NULL;
	}
	for (;;) {
		qnode *n = parse_and(ps, depth);
		if (n && node_add_kid(grp, n) < 0) {
			node_free(n);
			ps->oom = 1;
		}
		if (ps->oom || ps->tok.kind != TK_OR)
			break;
		advance(ps); /* a leading, trailing or doubled OR just joins nothing */
	}
	return grp;
}

/*
 * Drop what cannot match and collapse single-member groups; returns the node, or NULL
 * (freed) when nothing searchable is left. A group's `neg` moves to the member that
 * replaces it.
 */
static qnode *simplify(parser *ps, qnode *n, int top)
{
	if (n->kind == QN_LEAF) {
		if (n->nparts || n->prefix)
			return n;
		node_free(n);
		return NULL;
	}
	if (n->kind == QN_FILTER || n->kind == QN_NEAR)
		return n; /* built whole, never empty */
	size_t k = 0, npos = 0;
	/* The OR the parser always puts at the root is not a group the person typed. */
	int kids_top = top && n->kind == QN_OR && n->nkids == 1;
	for (size_t i = 0; i < n->nkids; i++) {
		qnode *c = simplify(ps, n->kids[i], kids_top);
		if (!c)
			continue;
		if (n->kind == QN_OR)
			c->neg = 0; /* the grammar never puts a - directly under OR */
		npos += !c->neg;
		n->kids[k++] = c;
	}
	n->nkids = k;
	if (npos == 0) {
		/* Only exclusions: nothing to exclude from. At the top the query is empty
		   (the caller says so); inside a group, say it here. */
		if (k && !top)
			ps->empty_exclusion = 1;
		node_free(n);
		return NULL;
	}
	if (k == 1) {
		qnode *c = n->kids[0];
		c->neg = n->neg;
		n->nkids = 0;
		node_free(n);
		return c;
	}
	return n;
}

/* ---- highlight terms ----------------------------------------------------------- */

/* Positions from a leaf's first part to its last (stopwords between keep their gaps:
   "ministre de la santé" spans 4). */
static size_t span_of_parts(const qnode *l)
{
	return (size_t)(l->parts[l->nparts - 1].pos - l->parts[0].pos) + 1;
}

/* The word index already given to `t` (a term, or a prefix with `prefix`), or -1. The
   lists are short (<= 2 * max words). */
static long term_word(const query *q, const char *t, int prefix)
{
	for (size_t i = 0; i < q->nterms; i++)
		if (q->terms[i].prefix == prefix && !strcmp(q->terms[i].term, t))
			return (long)q->terms[i].word;
	return -1;
}

static int add_term(query *q, const char *t, unsigned word, int prefix)
{
	if (term_word(q, t, prefix) >= 0)
		return 0;
	query_term *p = realloc(q->terms, (q->nterms + 1) * sizeof *p);
	if (!p)
		return -1;
	q->terms = p;
	q->terms[q->nterms].term = t; /* borrowed from the AST, which the query owns */
	q->terms[q->nterms].word = word;
	q->terms[q->nterms].prefix = prefix;
	q->nterms++;
	return 0;
}

/*
 * Positive parts, in query order; two parts are the same word when they share a form
 * (`guerre guerres`), so snippets count distinct words, not distinct spellings.
 * Filters have no parts; a prefix leaf has those of its whole word, if any, and its
 * prefix, one word with them (`guerre*` is one word however it matches).
 */
static int collect_terms(query *q, const qnode *n, unsigned *nwords)
{
	if (n->neg)
		return 0;
	for (size_t i = 0; i < n->nkids; i++)
		if (collect_terms(q, n->kids[i], nwords) < 0)
			return -1;
	long last = -1;
	for (size_t i = 0; i < n->nparts; i++) {
		const qpart *p = &n->parts[i];
		long w = term_word(q, p->term, 0);
		if (w < 0 && p->alt)
			w = term_word(q, p->alt, 0);
		unsigned word = w >= 0 ? (unsigned)w : (*nwords)++;
		if (add_term(q, p->term, word, 0) < 0 || (p->alt && add_term(q, p->alt, word, 0) < 0))
			return -1;
		last = (long)word;
	}
	if (n->prefix) {
		long w = last >= 0 ? last : term_word(q, n->prefix, 1);
		if (add_term(q, n->prefix, w >= 0 ? (unsigned)w : (*nwords)++, 1) < 0)
			return -1;
	}
	return 0;
}

/*
 * The phrases Xapian matches as phrases (query_build: a leaf of several parts without
 * ~N becomes a PHRASE), positive ones only, like the terms. NEAR joins its leaves' words
 * in any order, phrases included, so nothing under a NEAR is a phrase.
 */
static int collect_phrases(query *q, const qnode *n)
{
	if (n->neg || n->kind == QN_NEAR)
		return 0;
	for (size_t i = 0; i < n->nkids; i++)
		if (collect_phrases(q, n->kids[i]) < 0)
			return -1;
	if (n->kind != QN_LEAF || n->prefix || n->slop >= 0 || n->nparts < 2)
		return 0;
	uint32_t first = n->parts[0].pos;
	size_t span = span_of_parts(n);
	query_phrase *v = realloc(q->phrases, (q->nphrases + 1) * sizeof *v);
	if (!v)
		return -1;
	q->phrases = v;
	query_phrase_word *w = calloc(span, sizeof *w);
	if (!w)
		return -1;
	for (size_t i = 0; i < n->nparts; i++) {
		w[n->parts[i].pos - first].term = n->parts[i].term;
		w[n->parts[i].pos - first].alt = n->parts[i].alt;
	}
	for (size_t i = 0; i < n->nstops; i++) {
		uint32_t p = n->stops[i].pos;
		if (p > first && p - first < span && !w[p - first].term) {
			w[p - first].term = n->stops[i].word;
			w[p - first].stop = 1;
		}
	}
	v[q->nphrases].words = w;
	v[q->nphrases].nwords = span;
	q->nphrases++;
	return 0;
}

/* ---- the notice ---------------------------------------------------------------- */

static void add_note(strbuf *b, const char *s)
{
	if (b->len)
		strbuf_puts(b, "; ");
	strbuf_puts(b, s);
}

static char *make_notice(parser *ps)
{
	strbuf b = {0};
	if (ps->nstops) {
		add_note(&b, "ignored common words: ");
		strbuf_put(&b, ps->stops.s, ps->stops.len);
	}
	if (ps->lx.unclosed_quote)
		add_note(&b, "unbalanced quote closed at the end");
	if (ps->missing_close)
		add_note(&b, "unbalanced parenthesis closed at the end");
	if (ps->stray_close)
		add_note(&b, "ignored an unmatched closing parenthesis");
	if (ps->too_deep)
		add_note(&b, "ignored parentheses nested too deep");
	if (ps->empty_exclusion)
		add_note(&b, "ignored a group with only excluded words");
	if (ps->notes.len)
		add_note(&b, ps->notes.s);
	if (ps->too_long) {
		char msg[80];
		snprintf(msg, sizeof msg, "query too long: only the first %d words were used",
			 QUERY_MAX_WORDS);
		add_note(&b, msg);
	}
	if (b.oom) {
		free(b.s);
		return NULL; /* a notice is a nicety: losing it to OOM is acceptable */
	}
	return b.s;
}

/* ---- public: parse ------------------------------------------------------------- */

int query_parse(query **out, analyzer *a, const char *text, size_t len)
{
	*out = NULL;
	query *q = calloc(1, sizeof *q);
	if (!q)
		return -1;
	parser ps;
	memset(&ps, 0, sizeof ps);
	ps.a = a;
	ps.lx.p = text ? text : "";
	ps.lx.end = ps.lx.p + (text ? len : 0);
	advance(&ps);
	qnode *root = parse_or(&ps, 0);
	/* parse_and at depth 0 eats every ")", so the whole input is consumed here. */
	if (root && !ps.oom)
		root = simplify(&ps, root, 1);
	unsigned nwords = 0;
	if (!ps.oom && !ps.stops.oom) {
		q->root = root;
		root = NULL;
		if (q->root && (collect_terms(q, q->root, &nwords) < 0 ||
				collect_phrases(q, q->root) < 0))
			ps.oom = 1;
	}
	if (!ps.oom && !ps.stops.oom)
		q->notice = make_notice(&ps);
	free(ps.stops.s);
	free(ps.notes.s);
	node_free(root);
	if (ps.oom || ps.stops.oom) {
		query_free(q);
		return -1;
	}
	*out = q;
	return 0;
}

void query_free(query *q)
{
	if (!q)
		return;
	node_free(q->root);
	free(q->terms);
	for (size_t i = 0; i < q->nphrases; i++)
		free((void *)q->phrases[i].words);
	free(q->phrases);
	free(q->notice);
	free(q);
}

int query_is_empty(const query *q)
{
	return !q || !q->root;
}

size_t query_positive_count(const query *q)
{
	if (!q || !q->root)
		return 0;
	/* Only a top-level AND can be relaxed; an OR (typed by the person) or a single
	   item counts as one item; filters are never relaxed, so they do not count. */
	if (q->root->kind == QN_FILTER)
		return 0;
	if (q->root->kind != QN_AND)
		return 1;
	size_t n = 0;
	for (size_t i = 0; i < q->root->nkids; i++)
		n += !q->root->kids[i]->neg && q->root->kids[i]->kind != QN_FILTER;
	return n;
}

const query_term *query_terms(const query *q, size_t *n)
{
	*n = q ? q->nterms : 0;
	return q ? q->terms : NULL;
}

const query_phrase *query_phrases(const query *q, size_t *n)
{
	*n = q ? q->nphrases : 0;
	return q ? q->phrases : NULL;
}

const char *query_notice(const query *q)
{
	return q ? q->notice : NULL;
}

/* ---- public: build ------------------------------------------------------------- */

/* Tracks failure, so that a NULL from an allocation is never mistaken for "skip". */
typedef struct builder {
	int failed;
} builder;

static xs_query *b_term(builder *b, const char *prefix, const char *term, uint32_t pos)
{
	char buf[ANALYZER_MAX_TERM * 2 + 8];
	snprintf(buf, sizeof buf, "%s%s", prefix, term);
	xs_query *t = xs_query_term(buf, pos);
	if (!t)
		b->failed = 1;
	return t;
}

/* Takes the subqueries (NULL ones are absent); on any earlier failure frees them and
   returns NULL. */
static xs_query *b_combine(builder *b, enum xs_op op, xs_query **subs, size_t n,
			   unsigned window)
{
	if (b->failed) {
		for (size_t i = 0; i < n; i++)
			xs_query_free(subs[i]);
		return NULL;
	}
	xs_query *r = xs_query_combine(op, subs, n, window);
	if (!r)
		b->failed = 1;
	return r;
}

/* q scaled by f; NULL stays NULL (an absent branch). */
static xs_query *b_scale(builder *b, xs_query *q, double f)
{
	if (!q)
		return NULL;
	xs_query *r = xs_query_scale(q, f);
	if (!r)
		b->failed = 1;
	return r;
}

static xs_query *b_wildcard(builder *b, const char *prefix, const char *stem)
{
	char buf[ANALYZER_MAX_TERM * 2 + 8];
	snprintf(buf, sizeof buf, "%s%s", prefix, stem);
	xs_query *w = xs_query_wildcard(buf, RANK_PREFIX_MAX_EXPANSION);
	if (!w)
		b->failed = 1;
	return w;
}

/* One analyzed word: its term or its alternative form (an OR of terms: Xapian takes
   that inside a PHRASE or NEAR, unlike other subqueries). */
static xs_query *b_part(builder *b, const qpart *p, const char *prefix)
{
	if (!p->alt)
		return b_term(b, prefix, p->term, p->pos);
	xs_query *two[2] = {b_term(b, prefix, p->term, p->pos), b_term(b, prefix, p->alt, p->pos)};
	return b_combine(b, XS_OR, two, 2, 0);
}

/* Words in one prefix space: a word, or the words joined by `op` (PHRASE or NEAR). */
static xs_query *b_parts(builder *b, const qpart *const *parts, size_t n, enum xs_op op,
			 unsigned window, const char *prefix)
{
	if (n == 1)
		return b_part(b, parts[0], prefix);
	xs_query **subs = calloc(n, sizeof *subs);
	if (!subs) {
		b->failed = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		subs[i] = b_part(b, parts[i], prefix);
	xs_query *r = b_combine(b, op, subs, n, window);
	free(subs);
	return r;
}

/* Lead forms: the word's L form, or every word's (AND: the lead has no positions). */
static xs_query *b_lead(builder *b, const qpart *const *parts, size_t n)
{
	if (n == 1)
		return b_part(b, parts[0], XS_PREFIX_LEAD);
	xs_query **subs = calloc(n, sizeof *subs);
	if (!subs) {
		b->failed = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		subs[i] = b_part(b, parts[i], XS_PREFIX_LEAD);
	xs_query *r = b_combine(b, XS_AND, subs, n, 0);
	free(subs);
	return r;
}

/* The exact forms of the accented words, or NULL when none was typed with accents. */
static xs_query *b_exact(builder *b, const qpart *const *parts, size_t n)
{
	xs_query **subs = calloc(n, sizeof *subs);
	if (!subs) {
		b->failed = 1;
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (parts[i]->exact)
			subs[k++] = b_term(b, XS_PREFIX_EXACT, parts[i]->exact, parts[i]->pos);
	xs_query *r = k ? b_combine(b, XS_OR, subs, k, 0) : NULL;
	free(subs);
	return r;
}

/*
 * A positive word, phrase or NEAR, ranked (ranking.h): the matching form AND_MAYBE the
 * forms that only add weight. In the body: the unprefixed form decides the match (a
 * title word is unprefixed too) AND_MAYBE (RANK_TITLE_WEIGHT - 1) * its title form,
 * (RANK_LEAD_WEIGHT - 1) * its lead form and RANK_EXACT_WEIGHT * its exact spelling.
 * title:... matches its S form, weighted RANK_TITLE_WEIGHT, AND_MAYBE the exact form.
 * AND_MAYBE rather than OR: those forms never add a match of their own, and Xapian can
 * skip their postings once they cannot change the ranking.
 */
static xs_query *b_ranked(builder *b, const qpart *const *parts, size_t n, enum xs_op op,
			  unsigned window, q_field field)
{
	xs_query *subs[4] = {NULL, NULL, NULL, NULL};
	if (field == QF_TITLE) {
		subs[0] = b_scale(b, b_parts(b, parts, n, op, window, XS_PREFIX_TITLE),
				  RANK_TITLE_WEIGHT);
	} else {
		subs[0] = b_parts(b, parts, n, op, window, "");
		subs[1] = b_scale(b, b_parts(b, parts, n, op, window, XS_PREFIX_TITLE),
				  RANK_TITLE_WEIGHT - 1.0);
		subs[2] = b_scale(b, b_lead(b, parts, n), RANK_LEAD_WEIGHT - 1.0);
	}
	subs[3] = b_scale(b, b_exact(b, parts, n), RANK_EXACT_WEIGHT);
	return b_combine(b, XS_AND_MAYBE, subs, 4, 0);
}

static const char *space_of(q_field f)
{
	return f == QF_TITLE ? XS_PREFIX_TITLE : "";
}

/* A prefix leaf in one space: its wildcard, OR the typed word's own forms. */
static xs_query *b_prefix_space(builder *b, const qnode *n, const char *prefix)
{
	xs_query *two[2] = {b_wildcard(b, prefix, n->prefix), NULL};
	if (n->nparts)
		two[1] = b_part(b, &n->parts[0], prefix);
	return b_combine(b, XS_OR, two, 2, 0);
}

/* The span of positions of a leaf's parts. */
static unsigned span_of(const qnode *l)
{
	return (unsigned)span_of_parts(l);
}

/* Words of a leaf or of a NEAR node's leaves, with their operator and window. */
static const qpart **gather_parts(builder *b, const qnode *n, size_t *np, enum xs_op *op,
				  unsigned *window)
{
	size_t total = 0;
	if (n->kind == QN_NEAR)
		for (size_t i = 0; i < n->nkids; i++)
			total += n->kids[i]->nparts;
	else
		total = n->nparts;
	const qpart **v = calloc(total ? total : 1, sizeof *v);
	if (!v) {
		b->failed = 1;
		return NULL;
	}
	size_t k = 0;
	unsigned spans = 0;
	if (n->kind == QN_NEAR) {
		for (size_t i = 0; i < n->nkids; i++) {
			spans += span_of(n->kids[i]);
			for (size_t j = 0; j < n->kids[i]->nparts; j++)
				v[k++] = &n->kids[i]->parts[j];
		}
	} else {
		spans = span_of(n);
		for (size_t j = 0; j < n->nparts; j++)
			v[k++] = &n->parts[j];
	}
	*np = k;
	/* a phrase spans its positions; NEAR/N and "..."~N allow N more */
	*op = n->slop >= 0 ? XS_NEAR : XS_PHRASE;
	*window = spans + (n->slop >= 0 ? (unsigned)n->slop : 0);
	return v;
}

/* A leaf or NEAR node; `excluded`: on an AND_NOT's right side, where weights do not
   matter, so only the matching form is built. */
static xs_query *b_words(builder *b, const qnode *n, int excluded)
{
	if (n->prefix) {
		if (excluded)
			return b_prefix_space(b, n, space_of(n->field));
		if (n->field == QF_TITLE)
			return b_scale(b, b_prefix_space(b, n, XS_PREFIX_TITLE), RANK_TITLE_WEIGHT);
		xs_query *two[2] = {b_prefix_space(b, n, ""),
				    b_scale(b, b_prefix_space(b, n, XS_PREFIX_TITLE),
					    RANK_TITLE_WEIGHT - 1.0)};
		return b_combine(b, XS_AND_MAYBE, two, 2, 0);
	}
	size_t np;
	enum xs_op op;
	unsigned window;
	const qpart **parts = gather_parts(b, n, &np, &op, &window);
	if (!parts)
		return NULL;
	xs_query *r = excluded ? b_parts(b, parts, np, op, window, space_of(n->field))
			       : b_ranked(b, parts, np, op, window, n->field);
	free(parts);
	return r;
}

/* author: and date: filters: they select, they add no weight. */
static xs_query *b_filter(builder *b, const qnode *n)
{
	if (!n->nfterms) {
		xs_query *r = xs_query_value_range(XS_SLOT_DATE, n->lo[0] ? n->lo : NULL,
						   n->hi[0] ? n->hi : NULL);
		if (!r)
			b->failed = 1;
		return r;
	}
	xs_query **subs = calloc(n->nfterms, sizeof *subs);
	if (!subs) {
		b->failed = 1;
		return NULL;
	}
	for (size_t i = 0; i < n->nfterms; i++)
		subs[i] = n->fprefix && i + 1 == n->nfterms ? b_wildcard(b, "", n->fterms[i])
							    : b_term(b, "", n->fterms[i], 0);
	xs_query *r = b_combine(b, XS_AND, subs, n->nfterms, 0);
	free(subs);
	return b_scale(b, r, 0.0);
}

/*
 * The proximity bonus of an AND group (ranking.h): its plain positive words within
 * RANK_NEAR_WINDOW of each other, and as the typed phrase. *near and *phrase stay NULL
 * when the group has fewer than 2 or more than RANK_PROXIMITY_MAX_WORDS such words.
 */
static void b_bonus(builder *b, const qnode *grp, xs_query **near, xs_query **phrase)
{
	const qpart *w[RANK_PROXIMITY_MAX_WORDS];
	size_t n = 0;
	*near = *phrase = NULL;
	for (size_t i = 0; i < grp->nkids; i++) {
		const qnode *k = grp->kids[i];
		if (k->neg || k->kind != QN_LEAF || k->prefix || k->field != QF_BODY ||
		    k->nparts != 1 || k->slop >= 0)
			continue;
		int seen = 0;
		for (size_t j = 0; j < n && !seen; j++)
			seen = !strcmp(w[j]->term, k->parts[0].term);
		if (seen)
			continue;
		if (n == RANK_PROXIMITY_MAX_WORDS)
			return;
		w[n++] = &k->parts[0];
	}
	if (n < 2)
		return;
	*near = b_scale(b, b_parts(b, w, n, XS_NEAR, RANK_NEAR_WINDOW + (unsigned)n - 2, ""),
			RANK_NEAR_WEIGHT);
	*phrase = b_scale(b, b_parts(b, w, n, XS_PHRASE, w[n - 1]->pos - w[0]->pos + 1, ""),
			  RANK_PHRASE_WEIGHT);
}

/*
 * A node. `any` (at the root only): the relaxed form, where the words and groups of
 * the top AND are joined with OR but filters still apply. `excluded`: inside an
 * AND_NOT's right side.
 */
static xs_query *b_node(builder *b, const qnode *n, int any, int excluded)
{
	excluded |= n->neg;
	if (n->kind == QN_LEAF || n->kind == QN_NEAR)
		return b_words(b, n, excluded);
	if (n->kind == QN_FILTER)
		return b_filter(b, n);
	xs_query **subs = calloc(n->nkids + 3, sizeof *subs);
	if (!subs) {
		b->failed = 1;
		return NULL;
	}
	int relax = any && n->kind == QN_AND;
	enum xs_op op = (n->kind == QN_OR || relax) ? XS_OR : XS_AND;
	/* subs[0] is kept for the positive side of an AND_NOT, subs[1] for the words when
	   relaxing (then joined with the filters) */
	size_t k = 2;
	for (size_t i = 0; i < n->nkids; i++)
		if (!n->kids[i]->neg && !(relax && n->kids[i]->kind == QN_FILTER))
			subs[k++] = b_node(b, n->kids[i], 0, excluded);
	xs_query *pos = k > 2 ? b_combine(b, op, subs + 2, k - 2, 0) : NULL;
	if (relax) {
		subs[1] = pos;
		k = 2;
		for (size_t i = 0; i < n->nkids; i++)
			if (!n->kids[i]->neg && n->kids[i]->kind == QN_FILTER)
				subs[k++] = b_node(b, n->kids[i], 0, excluded);
		pos = b_combine(b, XS_AND, subs + (pos ? 1 : 2), k - (pos ? 1 : 2), 0);
	}
	if (n->kind == QN_AND && !excluded) {
		xs_query *three[3] = {pos, NULL, NULL};
		b_bonus(b, n, &three[1], &three[2]);
		if (three[1] || three[2])
			pos = b_combine(b, XS_AND_MAYBE, three, 3, 0);
	}
	size_t nneg = 0;
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->neg)
			subs[1 + nneg++] = b_node(b, n->kids[i], 0, 1);
	xs_query *r = pos;
	if (nneg) {
		subs[0] = pos;
		r = b_combine(b, XS_AND_NOT, subs, nneg + 1, 0);
	}
	free(subs);
	return r;
}

xs_query *query_build(const query *q, int any)
{
	if (!q || !q->root)
		return NULL;
	builder b = {0};
	xs_query *r = b_node(&b, q->root, any, 0);
	if (b.failed || !r) {
		xs_query_free(r);
		return NULL;
	}
	return r;
}
