/*
 * Facet values, collapse signature and spelling words of an article (extras.h).
 *
 * The collapse signature is a hash of the first 32 content terms of the text (16 for a
 * short text: see signature_terms()), as analysed (stems of the folded words:
 * case, accents, elisions, stopwords, punctuation and whitespace do not count), numbers
 * left out (a republished wire story often updates a figure), up to three leading short
 * paragraphs left out (bylines, datelines, "Publié le ...": a text made of short
 * paragraphs has its content in them). The title and the author are not part of it.
 * So the same story republished under another title or byline, re-typeset, or with a
 * sentence added at the end keeps its signature, while two different stories would
 * have to share their first ~32 content words to share one. Xapian collapses on an
 * exact value, which is why it is one deterministic hash and not a similarity sketch (a
 * single min-hash value is shared by two near-duplicates only with a probability equal
 * to their resemblance, so some copies would stay apart).
 *
 * The spelling data gets each distinct word of the article once (freq 1 per article):
 * the normalized word (lowercase, accents kept, elision stripped), not numbers, not
 * words under EXTRAS_SPELLING_MIN_CHARS characters, not stopwords; with caps 1 when the
 * article writes it with a capital initial everywhere (a name: "Poutine"; "Pour" at the
 * start of a sentence and "pour" elsewhere is caps 0), so that a suggestion can give a
 * name its capital back.
 */
#include "extras.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "docrecord.h"
#include "fouille.h"
#include "strbuf.h"

/* ---- a set of words, in insertion order ------------------------------------------ */

typedef struct slot {
	size_t off; /* 1 + offset of the word in the arena */
	uint32_t hash;
	uint32_t gen; /* the slot is live only when equal to the set's generation */
} slot;

/* Reused from article to article: emptied by bumping the generation, so that a table
 * grown once for a long article is not cleared slot by slot for every short one. */
typedef struct word_set {
	slot *slots;
	size_t mask, n;
	uint32_t gen;
	strbuf arena; /* the words, each NUL-terminated and followed by its caps flag byte */
} word_set;

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

static int set_grow(word_set *s)
{
	size_t size = s->slots ? (s->mask + 1) * 2 : 256;
	slot *v = calloc(size, sizeof *v);
	if (!v)
		return -1;
	if (s->slots) {
		for (size_t i = 0; i <= s->mask; i++) {
			if (s->slots[i].gen != s->gen)
				continue;
			size_t h = s->slots[i].hash & (size - 1);
			while (v[h].gen == s->gen)
				h = (h + 1) & (size - 1);
			v[h] = s->slots[i];
		}
	}
	free(s->slots);
	s->slots = v;
	s->mask = size - 1;
	return 0;
}

/* Add `w` (of `n` bytes, its analyzer_word_hash() `hash`) unless present, with its caps
   flag at 1. Returns the word's caps flag (which the caller clears: it stays 1 while
   every occurrence is capitalized), or NULL when out of memory. */
static char *set_add(word_set *s, const char *w, size_t n, uint32_t hash)
{
	if ((!s->slots || (s->n + 1) * 2 > s->mask + 1) && set_grow(s) < 0)
		return NULL;
	size_t h = hash & s->mask;
	while (s->slots[h].gen == s->gen) {
		char *other = s->arena.s + s->slots[h].off - 1;
		if (s->slots[h].hash == hash && !strncmp(other, w, n) && other[n] == '\0')
			return other + n + 1;
		h = (h + 1) & s->mask;
	}
	size_t off = s->arena.len + 1;
	const char tail[2] = {'\0', 1};
	strbuf_put(&s->arena, w, n);
	strbuf_put(&s->arena, tail, 2);
	if (s->arena.oom)
		return NULL;
	s->slots[h].off = off;
	s->slots[h].hash = hash;
	s->slots[h].gen = s->gen;
	s->n++;
	return s->arena.s + off + n;
}

/* Empty the set, keeping its memory. */
static void set_clear(word_set *s)
{
	if (++s->gen == 0) { /* wrapped: no stale slot may look live */
		if (s->slots)
			memset(s->slots, 0, (s->mask + 1) * sizeof *s->slots);
		s->gen = 1;
	}
	s->n = 0;
	s->arena.len = 0;
	s->arena.oom = false; /* a failed article does not fail the next ones */
}

static void set_free(word_set *s)
{
	free(s->slots);
	free(s->arena.s);
}

/* ---- the signature ------------------------------------------------------------------ */

typedef struct signature {
	uint64_t terms[EXTRAS_SIGNATURE_TERMS]; /* the first content terms, hashed */
	size_t n;     /* stored in terms */
	size_t total; /* content terms of the text, header left out */
	uint64_t para[EXTRAS_SIGNATURE_TERMS]; /* the current paragraph's */
	size_t npara;                           /* its content terms (may exceed the array) */
	uint64_t skipped[EXTRAS_SIGNATURE_TERMS]; /* leading short paragraphs, as a fallback */
	size_t nskipped, skipped_total;
	unsigned skipped_paragraphs;
	size_t prev_end; /* byte after the previous token */
} signature;

static void append(uint64_t *dst, size_t *n, const uint64_t *src, size_t m)
{
	for (size_t i = 0; i < m && *n < EXTRAS_SIGNATURE_TERMS; i++)
		dst[(*n)++] = src[i];
}

static void flush_paragraph(signature *g)
{
	size_t m = g->npara < EXTRAS_SIGNATURE_TERMS ? g->npara : EXTRAS_SIGNATURE_TERMS;
	if (g->total == 0 && g->npara < EXTRAS_HEADER_MAX_TERMS &&
	    g->skipped_paragraphs < EXTRAS_HEADER_MAX_PARAGRAPHS) {
		append(g->skipped, &g->nskipped, g->para, m);
		g->skipped_total += g->npara;
		g->skipped_paragraphs++;
	} else {
		append(g->terms, &g->n, g->para, m);
		g->total += g->npara;
	}
	g->npara = 0;
}

/* Whether text[from, to) holds a paragraph break (two line feeds). */
static int paragraph_break(const char *text, size_t from, size_t to)
{
	int lf = 0;
	for (size_t i = from; i < to; i++)
		if (text[i] == '\n' && ++lf == 2)
			return 1;
	return 0;
}

static void signature_token(signature *g, const char *text, const analyzer_token *t)
{
	if (t->term[0] >= '0' && t->term[0] <= '9')
		return;
	if (g->n == EXTRAS_SIGNATURE_TERMS) { /* past the header and the first terms: count */
		g->total++;
		return;
	}
	if (t->start >= g->prev_end && paragraph_break(text, g->prev_end, t->start) && g->npara)
		flush_paragraph(g);
	if (t->end > g->prev_end)
		g->prev_end = t->end;
	/* stem(fold(w)): the same for `événement` and `evenement` */
	const char *term = t->alt ? t->alt : t->term;
	if (g->npara < EXTRAS_SIGNATURE_TERMS)
		g->para[g->npara] = fnv1a(term, strlen(term));
	g->npara++;
}

/*
 * How many of the first terms make the signature: 32, or 16 when that is more than 3/4
 * of the text's content terms, so that a sentence added at the end of a short text
 * rarely changes it (only when it takes the text across 43 content terms); 0 when even
 * 16 is more than 3/4 of them (fewer than 22).
 */
static size_t signature_terms(size_t total)
{
	size_t n = EXTRAS_SIGNATURE_TERMS;
	while (n >= EXTRAS_SIGNATURE_MIN_TERMS && n * 4 > total * 3)
		n /= 2;
	return n >= EXTRAS_SIGNATURE_MIN_TERMS ? n : 0;
}

/* 1 and the digits in `out` when there are enough terms, else 0 and "". */
static int signature_finish(signature *g, char out[EXTRAS_SIGNATURE_LEN + 1])
{
	if (g->npara)
		flush_paragraph(g);
	const uint64_t *v = g->terms;
	size_t total = g->total;
	if (total == 0) { /* only short paragraphs: they are the text */
		v = g->skipped;
		total = g->skipped_total;
	}
	size_t n = signature_terms(total);
	out[0] = '\0';
	if (n == 0)
		return 0;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	for (size_t i = 0; i < n; i++) {
		h = (h ^ v[i]) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	h ^= h >> 30;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 27;
	static const char hex[] = "0123456789abcdef";
	for (int i = EXTRAS_SIGNATURE_LEN - 1; i >= 0; i--, h >>= 4)
		out[i] = hex[h & 15];
	out[EXTRAS_SIGNATURE_LEN] = '\0';
	return 1;
}

/* ---- gathering them from the indexing pass ------------------------------------------ */

struct extras {
	word_set words;
	signature sig;
	char sig_set[EXTRAS_SIGNATURE_LEN + 1]; /* the one extras_set_values() set, or "" */
	const char *title; /* the article's title, for the case of its words */
	const char *text;  /* the article's text, for paragraph breaks and the case of words */
	int oom;
};

/* Words a person may misspell: letters only, not too long, not too short. Codes,
 * references and numbers ("a4", "x2000", "mouette123") would only swell the spelling
 * data, which Xapian holds in memory until the next commit. Returns the word's length in
 * bytes, or 0 for a word that does not go to the spelling data. This runs on every word
 * of every article: the analyzer measures each distinct word once (its stem cache keeps
 * the shape), so here it is read, not counted again. */
static size_t spellable_len(const analyzer_token *t)
{
	if (!t->word || t->word_digit || t->word_len > 40 || t->word_chars < EXTRAS_SPELLING_MIN_CHARS)
		return 0;
	return t->word_len;
}

/*
 * Whether the token's word is written with a capital initial in `src`, the text its
 * offsets are into. The token's bytes may start with an elided article ("l’Ukraine",
 * "L’économie"): the word's initial is then past the apostrophes the word does not
 * keep itself ("aujourd'hui" keeps its own).
 */
static int written_capitalized(const char *src, const analyzer_token *t)
{
	if (!src || t->end <= t->start)
		return 0;
	const unsigned char *u = (const unsigned char *)src + t->start;
	size_t len = t->end - t->start, at = 0;
	if (u[0] >= 'a' && u[0] <= 'z') {
		/* most words: lowercase ASCII initial, and no byte that may start an apostrophe
		   (', and U+2019, U+02BC, U+FF07's first bytes) */
		size_t i = 0;
		while (i < len && u[i] != '\'' && u[i] != 0xE2 && u[i] != 0xCA && u[i] != 0xEF)
			i++;
		if (i == len)
			return 0;
	}
	size_t keep = 0, seen = 0;
	for (const char *w = t->word; *w; w++)
		keep += *w == '\'';
	for (size_t i = 0; i < len;) {
		size_t a = analyzer_apostrophe_len((const char *)u + i, len - i);
		seen += a > 0;
		i += a ? a : 1;
	}
	for (size_t skip = seen > keep ? seen - keep : 0; skip > 0 && at < len;) {
		size_t a = analyzer_apostrophe_len((const char *)u + at, len - at);
		at += a ? a : 1;
		skip -= a > 0;
	}
	/* the first letter from there */
	while (at < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(u + at, (utf8proc_ssize_t)(len - at), &cp);
		if (n <= 0)
			return 0;
		utf8proc_category_t k = utf8proc_category(cp);
		if (k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LT)
			return 1;
		if (k == UTF8PROC_CATEGORY_LL || k == UTF8PROC_CATEGORY_LO || k == UTF8PROC_CATEGORY_LM)
			return 0;
		at += (size_t)n;
	}
	return 0;
}

static void add_word(extras *x, const char *src, const analyzer_token *t)
{
	size_t n;
	if (x->oom || !(n = spellable_len(t)))
		return;
	char *caps = set_add(&x->words, t->word, n, t->word_hash);
	if (!caps)
		x->oom = 1;
	else if (*caps && !written_capitalized(src, t))
		*caps = 0; /* once written lowercase, the others need not be looked at */
}

extras *extras_new(void)
{
	extras *x = calloc(1, sizeof(extras));
	if (x)
		x->words.gen = 1; /* calloc'ed slots (generation 0) are empty */
	return x;
}

void extras_free(extras *x)
{
	if (!x)
		return;
	set_free(&x->words);
	free(x);
}

void extras_begin(extras *x, const char *title, const char *text)
{
	set_clear(&x->words); /* its slots and arena are kept for the next article */
	memset(&x->sig, 0, sizeof x->sig);
	x->sig_set[0] = '\0';
	x->title = title;
	x->text = text;
	x->oom = 0;
}

void extras_title_token(extras *x, const analyzer_token *t)
{
	add_word(x, x->title, t);
}

void extras_text_token(extras *x, const analyzer_token *t)
{
	signature_token(&x->sig, x->text, t);
	add_word(x, x->text, t);
}

int extras_set_values(extras *x, xs_doc *doc, const article *a)
{
	if (x->oom)
		return FOUILLE_ENOMEM;
	/* facets */
	if (a->author && *a->author &&
	    xs_doc_set_value(doc, XS_SLOT_AUTHOR, a->author, strlen(a->author)) != FOUILLE_OK)
		return FOUILLE_ENOMEM;
	if (a->date && strlen(a->date) >= 4 &&
	    xs_doc_set_value(doc, XS_SLOT_YEAR, a->date, 4) != FOUILLE_OK)
		return FOUILLE_ENOMEM;
	char *sig = x->sig_set;
	if (extras_get_signature(x, sig) &&
	    xs_doc_set_value(doc, XS_SLOT_COLLAPSE, sig, EXTRAS_SIGNATURE_LEN) != FOUILLE_OK)
		return FOUILLE_ENOMEM;
	return FOUILLE_OK;
}

const char *extras_doc_signature(const extras *x)
{
	return x->sig_set;
}

int extras_get_signature(extras *x, char out[EXTRAS_SIGNATURE_LEN + 1])
{
	return signature_finish(&x->sig, out); /* idempotent: a second call gives the same */
}

int extras_each_word(const extras *x, int (*fn)(const char *word, int caps, void *ud), void *ud)
{
	for (size_t off = 0; off < x->words.arena.len;) {
		const char *word = x->words.arena.s + off;
		size_t n = strlen(word);
		int rc = fn(word, x->words.arena.s[off + n + 1], ud);
		if (rc)
			return rc;
		off += n + 2;
	}
	return 0;
}

int extras_add_spelling(const extras *x, xs_writer *w, char *err)
{
	/* the set's arena is the layout xs_writer_add_spelling_words() takes */
	if (!x->words.arena.len)
		return FOUILLE_OK;
	return xs_writer_add_spelling_words(w, x->words.arena.s, x->words.arena.len, err);
}

size_t extras_held_bytes(const extras *x)
{
	return (x->words.slots ? (x->words.mask + 1) * sizeof(slot) : 0) + x->words.arena.cap;
}

/* ---- the signature alone ---------------------------------------------------------- */

static int signature_only(const analyzer_token *t, void *ud)
{
	extras *x = ud;
	signature_token(&x->sig, x->text, t);
	return 0;
}

int extras_signature(analyzer *an, const char *text, size_t len,
		     char out[EXTRAS_SIGNATURE_LEN + 1])
{
	extras x;
	memset(&x, 0, sizeof x);
	x.text = text;
	uint32_t pos = 0;
	out[0] = '\0';
	if (analyzer_run(an, text, len, &pos, signature_only, &x) != 0)
		return -1;
	return signature_finish(&x.sig, out);
}

/* The words of a text that go to the spelling data, gathered in one arena. */
typedef struct word_list {
	const char *src; /* the text being analysed, for the case of its words */
	strbuf arena; /* each word as its caps flag byte ('0', '1') then the word, NUL-terminated */
	const char **v; /* sorted for dropping repeats */
	size_t n;
} word_list;

static int collect_spelling_word(const analyzer_token *t, void *ud)
{
	word_list *l = ud;
	/* what extras_add() adds (on_token) */
	size_t n;
	if (!(n = spellable_len(t)))
		return 0;
	strbuf_putc(&l->arena, written_capitalized(l->src, t) ? '1' : '0');
	strbuf_put(&l->arena, t->word, n + 1);
	l->n++;
	return l->arena.oom;
}

/* By word, past the caps flag byte. */
static int compare_words(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a + 1, *(const char *const *)b + 1);
}

int extras_spelling_words(analyzer *an, const char *title, const char *text,
			  int (*fn)(const char *word, int caps, void *ud), void *ud)
{
	word_list l;
	memset(&l, 0, sizeof l);
	int rc = -1;
	const char *parts[2] = {title, text};
	for (int i = 0; i < 2; i++) {
		uint32_t pos = 0;
		l.src = parts[i];
		if (parts[i] && (analyzer_run(an, parts[i], strlen(parts[i]), &pos, collect_spelling_word, &l) != 0 || l.arena.oom))
			goto done;
	}
	/* each word once */
	if (l.n && !(l.v = malloc(l.n * sizeof *l.v)))
		goto done;
	size_t k = 0;
	for (size_t off = 0; off < l.arena.len; off += strlen(l.arena.s + off) + 1)
		l.v[k++] = l.arena.s + off;
	if (l.n > 1) /* none: l.v is NULL, which qsort may not be given even for 0 */
		qsort(l.v, l.n, sizeof *l.v, compare_words);
	rc = 0;
	for (size_t i = 0; i < l.n && rc == 0;) {
		/* a word's occurrences, next to each other: caps when each has a capital */
		size_t j = i;
		int caps = 1;
		for (; j < l.n && !strcmp(l.v[j] + 1, l.v[i] + 1); j++)
			caps = caps && l.v[j][0] == '1';
		rc = fn(l.v[i] + 1, caps, ud);
		i = j;
	}
done:
	free(l.v);
	free(l.arena.s);
	return rc;
}

typedef struct forgetting {
	xs_writer *w;
	int add; /* extras_count(): the words are added, not taken away */
	int rc;
} forgetting;

static int forget_word(const char *word, int caps, void *ud)
{
	forgetting *f = ud;
	char err[XS_ERRLEN];
	f->rc = f->add ? xs_writer_add_spelling(f->w, word, 1, caps != 0, err)
		       : xs_writer_remove_spelling(f->w, word, 1, caps != 0, err);
	return f->rc != FOUILLE_OK;
}

/* The words of a stored record, added to the spelling data or taken out of it. */
static int count_record(xs_writer *w, const void *data, size_t len, analyzer *an, int add)
{
	docrecord r;
	int rc = docrecord_decode(&r, data, len);
	if (rc == -1)
		return FOUILLE_ENOMEM;
	if (rc != 0)
		return FOUILLE_OK; /* not a record of ours: it added no words */
	forgetting f = {.w = w, .add = add, .rc = FOUILLE_OK};
	rc = extras_spelling_words(an, r.title, r.text, forget_word, &f);
	docrecord_clear(&r);
	if (f.rc != FOUILLE_OK)
		return f.rc;
	return rc < 0 ? FOUILLE_ENOMEM : FOUILLE_OK;
}

int extras_forget(xs_writer *w, const void *data, size_t len, void *ud)
{
	return count_record(w, data, len, ud, 0);
}

int extras_count(xs_writer *w, const void *data, size_t len, void *ud)
{
	return count_record(w, data, len, ud, 1);
}
