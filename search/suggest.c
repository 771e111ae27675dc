/*
 * "Did you mean" (suggest.h). The query text is run through the analyzer again, with
 * byte offsets, so each word can be replaced where it was typed and the rest of the
 * query (quotes, operators, exclusions, fields) stays exactly as typed.
 */
#include "suggest.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "fouille.h"

#define TERM_CAP (ANALYZER_MAX_TERM + 1)

typedef struct qword {
	size_t start, end; /* bytes of the typed word (an elided article included) */
	char word[TERM_CAP];
	char term[TERM_CAP];
	char alt[TERM_CAP]; /* "" when none */
} qword;

typedef struct qwords {
	qword *v;
	size_t n, cap;
	int oom;
} qwords;

static void copy_term(char dst[TERM_CAP], const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= TERM_CAP)
		n = TERM_CAP - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static int collect_word(const analyzer_token *t, void *ud)
{
	qwords *w = ud;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		qword *v = realloc(w->v, cap * sizeof *v);
		if (!v) {
			w->oom = 1;
			return 1;
		}
		w->v = v;
		w->cap = cap;
	}
	qword *q = &w->v[w->n++];
	q->start = t->start;
	q->end = t->end;
	copy_term(q->word, t->word);
	copy_term(q->term, t->term);
	copy_term(q->alt, t->alt);
	return 0;
}

static int is_query_term(const query_term *terms, size_t n, const char *term)
{
	if (!*term)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (terms[i].term && !strcmp(terms[i].term, term))
			return 1;
	return 0;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Where the word itself starts in text[start, end): past an elided article (l’, qu’),
   whose apostrophe the normalized word does not keep. */
static size_t word_start(const char *text, const qword *q)
{
	size_t keep = 0, seen = 0;
	for (const char *w = q->word; *w; w++)
		keep += *w == '\'';
	for (size_t i = q->start; i < q->end;) {
		size_t a = analyzer_apostrophe_len(text + i, q->end - i);
		seen += a > 0;
		i += a ? a : 1;
	}
	if (seen <= keep)
		return q->start;
	size_t skip = seen - keep;
	for (size_t i = q->start; i < q->end;) {
		size_t a = analyzer_apostrophe_len(text + i, q->end - i);
		i += a ? a : 1;
		if (a && --skip == 0)
			return i < q->end ? i : q->start;
	}
	return q->start;
}

/* A field name before the word (`author:poutin`, `date:2023`): not a text word. */
static int after_field(const char *text, size_t start)
{
	if (start == 0 || text[start - 1] != ':')
		return 0;
	size_t b = start - 1;
	while (b > 0 && ((text[b - 1] | 0x20) >= 'a' && (text[b - 1] | 0x20) <= 'z'))
		b--;
	size_t n = start - 1 - b;
	static const char *const fields[] = {"author", "auteur", "date", "year", "annee"};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (n == strlen(fields[i]) && !strncasecmp(text + b, fields[i], n))
			return 1;
	return 0;
}

/* The number of articles the term or its alternative form matches. */
static uint64_t word_freq(xs_reader *r, const char *term, const char *alt)
{
	uint64_t a = *term ? xs_reader_termfreq(r, term) : 0;
	uint64_t b = *alt ? xs_reader_termfreq(r, alt) : 0;
	return a > b ? a : b;
}

/* Whether two words differ only by a final plural s or x, accents aside. */
static int plural_pair(const char *a, const char *b)
{
	char fa[TERM_CAP], fb[TERM_CAP];
	size_t na = analyzer_fold(a, strlen(a), fa, sizeof fa);
	size_t nb = analyzer_fold(b, strlen(b), fb, sizeof fb);
	if (na >= sizeof fa || nb >= sizeof fb)
		return 0;
	const char *shorter = na < nb ? fa : fb, *longer = na < nb ? fb : fa;
	size_t ns = na < nb ? na : nb, nl = na < nb ? nb : na;
	return nl == ns + 1 && (longer[ns] == 's' || longer[ns] == 'x') && !memcmp(shorter, longer, ns);
}

/*
 * `s` with the case of the typed word: its first letter uppercase when the typed one
 * is, every letter when the typed word is all capitals (of at least two letters). A
 * name (`capital`: most articles holding `s` write it with a capital) typed in
 * lowercase gets its capital back (poutin -> Poutine). Malloc'ed, or NULL when out of
 * memory.
 */
static char *with_case(const char *typed, size_t tlen, const char *s, int capital)
{
	int first_upper = 0, all_upper = 1, letters = 0;
	utf8proc_ssize_t i = 0;
	while (i < (utf8proc_ssize_t)tlen) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)typed + i,
						      (utf8proc_ssize_t)tlen - i, &cp);
		if (n <= 0)
			break;
		utf8proc_category_t k = utf8proc_category(cp);
		if (k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL || k == UTF8PROC_CATEGORY_LT) {
			if (letters == 0)
				first_upper = k != UTF8PROC_CATEGORY_LL;
			if (k == UTF8PROC_CATEGORY_LL)
				all_upper = 0;
			letters++;
		}
		i += n;
	}
	int upper_all = all_upper && letters >= 2;
	first_upper = first_upper || capital;
	size_t len = strlen(s);
	char *out = malloc(len * 2 + 8); /* an uppercase letter takes at most 2 more bytes */
	if (!out)
		return NULL;
	size_t o = 0;
	int first = 1;
	for (i = 0; i < (utf8proc_ssize_t)len;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						      (utf8proc_ssize_t)len - i, &cp);
		if (n <= 0) { /* not expected: the spelling data is UTF-8 */
			out[o++] = s[i++];
			continue;
		}
		if (upper_all || (first && first_upper))
			cp = utf8proc_toupper(cp);
		first = 0;
		o += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out + o);
		i += n;
	}
	out[o] = '\0';
	return out;
}

/* The replacement of one word: malloc'ed, or NULL when there is none. *oom on failure. */
static char *replacement(analyzer *an, xs_reader *r, const char *text, const qword *q,
			 size_t wstart, int *oom)
{
	char err[XS_ERRLEN];
	uint64_t f = word_freq(r, q->term, q->alt);
	uint64_t fw = xs_reader_spelling_frequency(r, q->word);
	if (fw > 0 && f > SUGGEST_RARE)
		return NULL; /* a word of the index, and it finds articles */
	char *s = NULL;
	unsigned max_edit = utf8_chars(q->word) <= 4 ? 1 : 2;
	int rc = xs_reader_spelling(r, q->word, max_edit, &s, err);
	if (rc == FOUILLE_ENOMEM)
		*oom = 1;
	if (rc != FOUILLE_OK || !s || !*s || !strcmp(s, q->word)) {
		free(s);
		return NULL;
	}
	qwords sw = {0};
	uint32_t pos = 0;
	if (analyzer_run(an, s, strlen(s), &pos, collect_word, &sw) < 0 || sw.oom) {
		*oom = 1;
		free(sw.v);
		free(s);
		return NULL;
	}
	int ok = 0;
	if (sw.n == 1) {
		const qword *c = &sw.v[0];
		uint64_t fs = word_freq(r, c->term, c->alt);
		int same = !strcmp(c->term, q->term) || (*q->alt && !strcmp(c->term, q->alt)) ||
			   (*c->alt && (!strcmp(c->alt, q->term) || (*q->alt && !strcmp(c->alt, q->alt))));
		if (fs == 0)
			ok = 0; /* no article matches it (the spelling data counts words, not terms) */
		else if (same)
			ok = fw == 0 && !plural_pair(q->word, s);
		else
			ok = f == 0 || (f <= SUGGEST_RARE && fs >= SUGGEST_RATIO * f);
	}
	free(sw.v);
	char *cased = NULL;
	/* a name: more than half of the articles holding it write it with a capital */
	int capital = ok && xs_reader_spelling_caps(r, s) * 2 > xs_reader_spelling_frequency(r, s);
	if (ok && !(cased = with_case(text + wstart, q->end - wstart, s, capital)))
		*oom = 1;
	free(s);
	return cased;
}

static int count_match(const xs_match *m, void *ud)
{
	(void)m;
	++*(size_t *)ud;
	return 1;
}

/* Whether `text` as a query finds at least one article: 1, 0, or -1 out of memory. */
static int finds_something(analyzer *an, xs_reader *r, const char *text, int any)
{
	query *q;
	if (query_parse(&q, an, text, strlen(text)) != 0)
		return -1;
	int found = 0;
	if (!query_is_empty(q)) {
		xs_query *xq = query_build(q, any);
		if (!xq) {
			query_free(q);
			return -1;
		}
		size_t n = 0;
		uint64_t total = 0;
		char err[XS_ERRLEN];
		if (xs_reader_search(r, xq, 0, 1, NULL, count_match, &n, &total, err) == FOUILLE_OK)
			found = n > 0;
		xs_query_free(xq);
	}
	query_free(q);
	return found;
}

int suggest_query(char **out, analyzer *an, xs_reader *r, const char *text,
		  const query_term *terms, size_t nterms, int any)
{
	*out = NULL;
	size_t len = strlen(text);
	qwords qw = {0};
	uint32_t pos = 0;
	if (analyzer_run(an, text, len, &pos, collect_word, &qw) < 0 || qw.oom) {
		free(qw.v);
		return -1;
	}
	char *s = NULL;
	size_t slen = 0, cap = 0, copied = 0, replaced = 0;
	int oom = 0;
	for (size_t i = 0; i < qw.n && !oom; i++) {
		const qword *q = &qw.v[i];
		if (!is_query_term(terms, nterms, q->term) && !is_query_term(terms, nterms, q->alt))
			continue; /* an excluded word, a field name, an operator */
		if ((q->word[0] >= '0' && q->word[0] <= '9') || utf8_chars(q->word) < 3)
			continue;
		if (q->end < len && text[q->end] == '*')
			continue; /* a prefix */
		if (after_field(text, q->start))
			continue;
		size_t ws = word_start(text, q);
		char *rep = replacement(an, r, text, q, ws, &oom);
		if (!rep)
			continue;
		size_t rl = strlen(rep), need = slen + (ws - copied) + rl + (len - q->end) + 1;
		if (need > cap) {
			char *p = realloc(s, need);
			if (!p) {
				free(rep);
				oom = 1;
				break;
			}
			s = p;
			cap = need;
		}
		memcpy(s + slen, text + copied, ws - copied);
		slen += ws - copied;
		memcpy(s + slen, rep, rl);
		slen += rl;
		copied = q->end;
		replaced++;
		free(rep);
	}
	free(qw.v);
	if (oom) {
		free(s);
		return -1;
	}
	if (!replaced)
		return 0;
	memcpy(s + slen, text + copied, len - copied); /* room reserved above */
	slen += len - copied;
	s[slen] = '\0';
	if (!strcmp(s, text)) {
		free(s);
		return 0;
	}
	int found = finds_something(an, r, s, any);
	if (found < 0) {
		free(s);
		return -1;
	}
	if (!found) {
		free(s);
		return 0;
	}
	*out = s;
	return 0;
}
