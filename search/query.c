/*
 * The query parser. Three stages, each small so that fields (title:, author:, date:),
 * prefix* and NEAR can be added without touching the others:
 *
 *   lexer   bytes -> items: WORD, PHRASE, "(", ")", OR, AND, each with a `neg` flag
 *           for a leading `-`. It never fails: whatever it cannot read is a separator.
 *   parser  recursive descent over the items -> an AST of qnode:
 *               or    := and ( OR and )*
 *               and   := unary*                 (AND is the default; `AND`/`ET` ignored)
 *               unary := [-] primary
 *               primary := WORD | PHRASE | "(" or ")"
 *           Leaves hold the analyzer's tokens of their word or phrase. The tree is then
 *           simplified: empty leaves (stopwords, punctuation) vanish, groups with no
 *           positive member vanish, groups of one member become that member.
 *   builder the AST -> an xs_query (query_build), and the terms to highlight.
 *
 * A person's input is never an error: unbalanced quotes and parentheses are closed or
 * ignored, and query_notice() says what was repaired or dropped.
 */
#include "query.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More words than this are ignored: a pasted paragraph must not make a huge query. */
#define QUERY_MAX_WORDS 64
/* Deeper parentheses are ignored: the parser (and the free) are recursive. */
#define QUERY_MAX_DEPTH 16
/* Stopwords listed in the notice, at most. */
#define QUERY_MAX_NOTED_STOPS 8

/* ---- small helpers ------------------------------------------------------------- */

typedef struct sbuf {
	char *s;
	size_t len, cap;
	int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* ---- the AST ------------------------------------------------------------------- */

/* One analyzed word of a leaf: the analyzer's term, its alternative form, its position. */
typedef struct qpart {
	char *term;
	char *alt; /* NULL when the analyzer gave a single form */
	uint32_t pos;
} qpart;

typedef enum { QN_LEAF, QN_AND, QN_OR } qn_kind;

/*
 * A leaf is one typed word or one quoted phrase: one part is a plain word, several
 * parts are matched as a phrase (a quoted phrase, or a word the analyzer split, like
 * `peut-être` or `l'armée`). Later: a field (title/author/date) and a prefix flag on
 * leaves, a NEAR kind next to AND/OR.
 */
typedef struct qnode {
	qn_kind kind;
	int neg;    /* excluded from its parent AND (AND_NOT) */
	int quoted; /* leaf typed in quotes (informative: a split word is a phrase too) */
	qpart *parts;
	size_t nparts;
	struct qnode **kids;
	size_t nkids;
} qnode;

static void node_free(qnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nparts; i++) {
		free(n->parts[i].term);
		free(n->parts[i].alt);
	}
	free(n->parts);
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n);
}

static qnode *node_new(qn_kind kind)
{
	qnode *n = calloc(1, sizeof *n);
	if (n)
		n->kind = kind;
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
	char *notice;
};

/* ---- the lexer ------------------------------------------------------------------ */

typedef enum { TK_EOF, TK_WORD, TK_PHRASE, TK_LPAREN, TK_RPAREN, TK_OR, TK_AND } tk_kind;

typedef struct token {
	tk_kind kind;
	const char *s; /* WORD, PHRASE: the text (a phrase without its quotes) */
	size_t len;
	int neg;
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

static token lex_next(lexer *lx)
{
	token t = {TK_EOF, NULL, 0, 0};
	for (;;) {
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
			t.neg = 0;
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
		while (lx->p < lx->end && !ends_word(lx->p, lx->end))
			lx->p++;
		t.kind = TK_WORD;
		t.s = s;
		t.len = (size_t)(lx->p - s);
		/* Uppercase operators, English or French; ou/et are stopwords anyway, so
		   nobody loses a searchable word. */
		if (!t.neg && ((t.len == 2 && (!memcmp(s, "OR", 2) || !memcmp(s, "OU", 2))) ||
			       (t.len == 3 && !memcmp(s, "AND", 3)) ||
			       (t.len == 2 && !memcmp(s, "ET", 2))))
			t.kind = (s[0] == 'O') ? TK_OR : TK_AND;
		return t;
	}
}

/* ---- the parser ----------------------------------------------------------------- */

typedef struct parser {
	lexer lx;
	token tok; /* the current item */
	analyzer *a;
	uint32_t pos; /* query positions continue across words */
	size_t nwords; /* analyzed non-stopwords kept so far */
	unsigned skipped_opens; /* "(" ignored for depth; their ")" are ignored too */
	int oom, too_long, too_deep, stray_close, missing_close, empty_exclusion;
	sbuf stops; /* "le, la" for the notice */
	size_t nstops;
} parser;

static void advance(parser *ps)
{
	ps->tok = lex_next(&ps->lx);
}

/* Collects the analyzer's tokens of one word or phrase. */
typedef struct leaf_ctx {
	parser *ps;
	qnode *leaf;
	char stops[QUERY_MAX_NOTED_STOPS][ANALYZER_MAX_TERM + 1];
	size_t nstops;
} leaf_ctx;

static int leaf_emit(const analyzer_token *tok, int is_stop, void *ud)
{
	leaf_ctx *c = ud;
	if (is_stop) {
		if (c->nstops < QUERY_MAX_NOTED_STOPS) {
			snprintf(c->stops[c->nstops], sizeof c->stops[0], "%s", tok->term);
			c->nstops++;
		}
		return 0;
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
	p->pos = tok->pos;
	if (!p->term || (tok->alt && !p->alt)) {
		free(p->term);
		free(p->alt);
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
		sb_str(&ps->stops, ", ");
	sb_add(&ps->stops, w, n);
	ps->nstops++;
}

/* A leaf from a typed word or a quoted phrase; NULL when nothing searchable is in it. */
static qnode *parse_leaf(parser *ps, const char *s, size_t len, int quoted)
{
	qnode *l = node_new(QN_LEAF);
	if (!l) {
		ps->oom = 1;
		return NULL;
	}
	l->quoted = quoted;
	leaf_ctx c;
	c.ps = ps;
	c.leaf = l;
	c.nstops = 0;
	int rc = analyzer_run_all(ps->a, s, len, &ps->pos, leaf_emit, &c);
	if (rc < 0) {
		ps->oom = 1;
		node_free(l);
		return NULL;
	}
	if (l->nparts == 0) {
		/* Only stopwords (or punctuation): say which words were ignored. */
		for (size_t i = 0; i < c.nstops; i++)
			note_stop(ps, c.stops[i]);
		node_free(l);
		return NULL;
	}
	return l;
}

static qnode *parse_or(parser *ps, unsigned depth);

static qnode *parse_unary(parser *ps, unsigned depth)
{
	token t = ps->tok;
	qnode *n = NULL;
	switch (t.kind) {
	case TK_WORD:
	case TK_PHRASE:
		advance(ps);
		n = parse_leaf(ps, t.s, t.len, t.kind == TK_PHRASE);
		break;
	case TK_LPAREN:
		advance(ps);
		if (depth + 1 >= QUERY_MAX_DEPTH) {
			ps->too_deep = 1;
			ps->skipped_opens++;
			return NULL;
		}
		n = parse_or(ps, depth + 1);
		if (ps->tok.kind == TK_RPAREN)
			advance(ps);
		else
			ps->missing_close = 1;
		break;
	default:
		advance(ps);
		return NULL;
	}
	if (n)
		n->neg = t.neg;
	return n;
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
		qnode *n = parse_unary(ps, depth);
		if (n && node_add_kid(grp, n) < 0) {
			node_free(n);
			ps->oom = 1;
		}
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
		if (n->nparts)
			return n;
		node_free(n);
		return NULL;
	}
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

/* The word index already given to `t`, or -1. The lists are short (<= 2 * max words). */
static long term_word(const query *q, const char *t)
{
	for (size_t i = 0; i < q->nterms; i++)
		if (!strcmp(q->terms[i].term, t))
			return (long)q->terms[i].word;
	return -1;
}

static int add_term(query *q, const char *t, unsigned word)
{
	if (term_word(q, t) >= 0)
		return 0;
	query_term *p = realloc(q->terms, (q->nterms + 1) * sizeof *p);
	if (!p)
		return -1;
	q->terms = p;
	q->terms[q->nterms].term = t; /* borrowed from the AST, which the query owns */
	q->terms[q->nterms].word = word;
	q->nterms++;
	return 0;
}

/*
 * Positive parts, in query order; two parts are the same word when they share a form
 * (`guerre guerres`), so snippets count distinct words, not distinct spellings.
 */
static int collect_terms(query *q, const qnode *n, unsigned *nwords)
{
	if (n->neg)
		return 0;
	if (n->kind != QN_LEAF) {
		for (size_t i = 0; i < n->nkids; i++)
			if (collect_terms(q, n->kids[i], nwords) < 0)
				return -1;
		return 0;
	}
	for (size_t i = 0; i < n->nparts; i++) {
		const qpart *p = &n->parts[i];
		long w = term_word(q, p->term);
		if (w < 0 && p->alt)
			w = term_word(q, p->alt);
		unsigned word = w >= 0 ? (unsigned)w : (*nwords)++;
		if (add_term(q, p->term, word) < 0 || (p->alt && add_term(q, p->alt, word) < 0))
			return -1;
	}
	return 0;
}

/* ---- the notice ---------------------------------------------------------------- */

static void add_note(sbuf *b, const char *s)
{
	if (b->len)
		sb_str(b, "; ");
	sb_str(b, s);
}

static char *make_notice(parser *ps)
{
	sbuf b = {0};
	if (ps->nstops) {
		add_note(&b, "ignored common words: ");
		sb_add(&b, ps->stops.s, ps->stops.len);
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
		if (q->root && collect_terms(q, q->root, &nwords) < 0)
			ps.oom = 1;
	}
	if (!ps.oom && !ps.stops.oom)
		q->notice = make_notice(&ps);
	free(ps.stops.s);
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
	   leaf counts as one item. */
	if (q->root->kind != QN_AND)
		return 1;
	size_t n = 0;
	for (size_t i = 0; i < q->root->nkids; i++)
		n += !q->root->kids[i]->neg;
	return n;
}

const query_term *query_terms(const query *q, size_t *n)
{
	*n = q ? q->nterms : 0;
	return q ? q->terms : NULL;
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

/* Takes the subqueries; on any earlier failure frees them and returns NULL. */
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

/* One analyzed word: its term or its alternative form. */
static xs_query *b_part(builder *b, const qpart *p, const char *prefix)
{
	if (!p->alt)
		return b_term(b, prefix, p->term, p->pos);
	xs_query *two[2] = {b_term(b, prefix, p->term, p->pos), b_term(b, prefix, p->alt, p->pos)};
	return b_combine(b, XS_OR, two, 2, 0);
}

/*
 * A leaf in one prefix space: a word, or a phrase whose window spans the positions
 * of its first and last parts, so that the stopwords between them keep their gaps
 * ("ministre de la santé": two terms, window 4).
 */
static xs_query *b_leaf_space(builder *b, const qnode *n, const char *prefix)
{
	if (n->nparts == 1)
		return b_part(b, &n->parts[0], prefix);
	xs_query **subs = calloc(n->nparts, sizeof *subs);
	if (!subs) {
		b->failed = 1;
		return NULL;
	}
	for (size_t i = 0; i < n->nparts; i++)
		subs[i] = b_part(b, &n->parts[i], prefix);
	unsigned window = n->parts[n->nparts - 1].pos - n->parts[0].pos + 1;
	xs_query *r = b_combine(b, XS_PHRASE, subs, n->nparts, window);
	free(subs);
	return r;
}

/*
 * A positive leaf: AND_MAYBE(body form, (QUERY_TITLE_WEIGHT - 1) * title form).
 * Titles are indexed unprefixed as well as under S, so the unprefixed form alone
 * decides what matches (a title match included) and already gives a title match its
 * body weight; the S form, under AND_MAYBE, only adds weight - about (W - 1) times more,
 * so a title match weighs about W times a body match. AND_MAYBE rather than OR says
 * that the S form never adds a match of its own, and lets Xapian skip its postings
 * once they cannot change the ranking. An excluded leaf needs only the body form.
 */
static xs_query *b_leaf(builder *b, const qnode *n, int excluded)
{
	xs_query *body = b_leaf_space(b, n, "");
	if (excluded)
		return body;
	xs_query *title = b_leaf_space(b, n, XS_PREFIX_TITLE);
	if (title) {
		title = xs_query_scale(title, QUERY_TITLE_WEIGHT - 1.0);
		if (!title)
			b->failed = 1;
	}
	xs_query *two[2] = {body, title};
	return b_combine(b, XS_AND_MAYBE, two, 2, 0);
}

/* `excluded`: inside an AND_NOT's right side, where weights do not matter. */
static xs_query *b_node(builder *b, const qnode *n, int any, int excluded)
{
	excluded |= n->neg;
	if (n->kind == QN_LEAF)
		return b_leaf(b, n, excluded);
	xs_query **subs = calloc(n->nkids + 1, sizeof *subs);
	if (!subs) {
		b->failed = 1;
		return NULL;
	}
	/* subs[0] is kept for the positive side of an AND_NOT. */
	size_t npos = 0, nneg = 0;
	for (size_t i = 0; i < n->nkids; i++)
		if (!n->kids[i]->neg)
			subs[1 + npos++] = b_node(b, n->kids[i], 0, excluded);
	enum xs_op op = (n->kind == QN_OR || any) ? XS_OR : XS_AND;
	xs_query *pos = b_combine(b, op, subs + 1, npos, 0);
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
	if (b.failed) {
		xs_query_free(r);
		return NULL;
	}
	return r;
}
