/*
 * Snippets (spec: ../../shared/spec/french-analysis.md, end).
 *
 * 1. Re-run the analyzer over the stored text; every token whose term or alt is a query
 *    term, or starts with a query prefix, becomes a match (its byte span as written,
 *    its query word, its offset in characters). A small ring of the last positions
 *    (highlighted words and stopwords) finds each occurrence of a query phrase as the
 *    last word of it arrives, and marks its words to be shown as one span.
 * 2. One forward scan finds the sentence starts (French-aware: `M. Dupont`, `etc.`,
 *    `3.5`, initials `J.` do not end a sentence; a paragraph break always does).
 * 3. Candidate windows start at each match: at its sentence start when that is near
 *    enough, else a few words before it. Two pointers slide over the matches, so the
 *    whole choice is linear in the number of matches. A window scores 100 per distinct
 *    query word plus 1 per repeat (capped), so one more distinct word always beats any
 *    number of repeats; ties go to the earlier window.
 * 4. The chosen passage is cut at a sentence end (when one falls late enough in the
 *    budget) or a word boundary, whitespace runs become one space, invalid bytes become
 *    U+FFFD, "…" marks each side where text was left out, and the spans are computed
 *    in the output.
 *
 * Characters are counted with every whitespace run as one (that is what is printed).
 */
#include "snippet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Repeats of a word already in the window add this little (vs 100 per distinct word). */
#define REPEAT_SCORE 1
#define REPEAT_CAP 99

typedef struct match {
	size_t start, end;   /* bytes in the text: the word as written, elision skipped */
	size_t cstart, cend; /* the same in characters */
	unsigned word;       /* query word index (query_term.word) */
	int join_next;       /* this and the next match are consecutive words of a phrase */
} match;

typedef struct sentence {
	size_t start;    /* byte of its first character */
	size_t cstart;   /* the same in characters */
	size_t prev_end; /* byte just past the previous sentence's final punctuation */
} sentence;

/* ---- UTF-8 ------------------------------------------------------------------------ */

/* u8_decode() past an ASCII byte. */
static size_t u8_decode_multi(const unsigned char *s, size_t n, int32_t *cp)
{
	unsigned char c = s[0];
	*cp = -1;
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;
	int32_t v;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 1;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 1;
	v = (v << 6) | (s[1] & 0x3F);
	for (size_t i = 2; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 1;
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return len;
}

/* Length of the character at s (1 for an invalid byte, then *cp = -1). Strict. Every
   scan of the text goes through here: ASCII, most of it, is decoded inline. */
static inline size_t u8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	return u8_decode_multi(s, n, cp);
}

/* Whitespace for collapsing: ASCII spaces, controls (NUL included), line separators.
   No-break spaces are kept as written: French uses them in numbers and around « ». */
static int is_ws(int32_t cp)
{
	return (cp >= 0 && cp <= 0x20) || cp == 0x7F || cp == 0x2028 || cp == 0x2029;
}

static int is_letter(int32_t cp)
{
	if (cp < 0)
		return 0;
	if (cp < 0x80)
		return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
	utf8proc_category_t k = utf8proc_category(cp);
	return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL ||
	       k == UTF8PROC_CATEGORY_LT || k == UTF8PROC_CATEGORY_LM ||
	       k == UTF8PROC_CATEGORY_LO;
}

static int is_lower(int32_t cp)
{
	if (cp < 0)
		return 0;
	if (cp < 0x80)
		return cp >= 'a' && cp <= 'z';
	return utf8proc_category(cp) == UTF8PROC_CATEGORY_LL;
}

static int is_apostrophe(int32_t cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0xFF07;
}

/* ---- character counting ------------------------------------------------------------ */

/* Counts characters from the start of the text, forward only, whitespace runs as one. */
typedef struct counter {
	size_t byte, chars;
	int in_ws;
} counter;

static size_t count_to(counter *c, const char *text, size_t len, size_t target)
{
	if (target < c->byte) { /* never expected (offsets arrive in order): recount */
		c->byte = c->chars = 0;
		c->in_ws = 0;
	}
	/* in locals: the text's bytes could alias *c, which would be reloaded at each one */
	const unsigned char *u = (const unsigned char *)text;
	size_t b = c->byte, chars = c->chars, end = target < len ? target : len;
	int in_ws = c->in_ws;
	while (b < end) {
		/* most bytes are ASCII, a character each: no decoding */
		if (u[b] < 0x80) {
			if (is_ws(u[b])) {
				chars += !in_ws;
				in_ws = 1;
				b++;
				continue;
			}
			size_t run = b;
			while (b < end && u[b] < 0x80 && !is_ws(u[b]))
				b++;
			chars += b - run;
			in_ws = 0;
			continue;
		}
		int32_t cp;
		size_t n = u8_decode(u + b, len - b, &cp);
		if (is_ws(cp)) {
			chars += !in_ws;
			in_ws = 1;
		} else {
			chars++;
			in_ws = 0;
		}
		b += n;
	}
	c->byte = b;
	c->chars = chars;
	c->in_ws = in_ws;
	return chars;
}

/* ---- sentences -------------------------------------------------------------------- */

/*
 * Words that end with a period without ending a sentence. Single capital letters
 * (initials, `M.`) are handled apart.
 */
#define ABBR(s) {s, sizeof s - 1}
static const struct {
	const char *w;
	size_t n; /* its length: the test runs at every period of a text */
} abbreviations[] = {
	ABBR("MM"), ABBR("Mme"), ABBR("Mmes"), ABBR("Mlle"), ABBR("Mlles"), ABBR("Me"),
	ABBR("Mgr"), ABBR("Dr"), ABBR("Pr"), ABBR("St"), ABBR("Ste"), ABBR("Cie"), ABBR("Mr"),
	ABBR("Jr"), ABBR("etc"), ABBR("cf"), ABBR("p"), ABBR("pp"), ABBR("vol"), ABBR("av"),
	ABBR("apr"), ABBR("env"), ABBR("ex"), ABBR("fig"), ABBR("art"), ABBR("al"),
	ABBR("chap"), ABBR("éd"), ABBR("tél"), ABBR("Vve"), ABBR("Gal"),
};
#undef ABBR

static int is_abbreviation(const char *w, size_t n)
{
	int32_t cp;
	if (n && u8_decode((const unsigned char *)w, n, &cp) == n && cp >= 0 &&
	    utf8proc_category(cp) == UTF8PROC_CATEGORY_LU)
		return 1; /* one capital letter: an initial, or M. */
	for (size_t i = 0; i < sizeof abbreviations / sizeof *abbreviations; i++)
		if (abbreviations[i].n == n && !memcmp(abbreviations[i].w, w, n))
			return 1;
	return 0;
}

/* Sentence punctuation, and what may follow it before the space (closing quotes...). */
static int is_terminator(int32_t cp)
{
	return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026;
}

static int is_closer(int32_t cp)
{
	return is_terminator(cp) || cp == '"' || cp == '\'' || cp == ')' || cp == ']' ||
	       cp == 0xBB || cp == 0x201D || cp == 0x2019 || cp == 0xA0 || cp == 0x202F ||
	       cp == 0x2009;
}

typedef struct sentences {
	sentence *v;
	size_t n, cap;
	counter cnt;
} sentences;

static int add_sentence(sentences *s, const char *text, size_t len, size_t start,
			size_t prev_end)
{
	if (s->n && s->v[s->n - 1].start >= start)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		sentence *v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	sentence *e = &s->v[s->n++];
	e->start = start;
	e->cstart = count_to(&s->cnt, text, len, start);
	e->prev_end = prev_end;
	return 0;
}

/*
 * Skip a whitespace run from i; *para is set when it holds a paragraph break (two line
 * feeds with only blanks between). Returns the byte after the run.
 */
static size_t skip_ws(const char *text, size_t len, size_t i, int *para)
{
	int newlines = 0;
	*para = 0;
	while (i < len) {
		int32_t cp;
		size_t n = u8_decode((const unsigned char *)text + i, len - i, &cp);
		if (!is_ws(cp))
			break;
		if (cp == '\n' || cp == 0x2029)
			newlines += cp == '\n' ? 1 : 2;
		i += n;
	}
	*para = newlines >= 2;
	return i;
}

/*
 * Find the sentence starts of text[0, len), or, when some are known already (a shorter
 * prefix was scanned), of the rest: the scan resumes at the last start found, where it
 * holds no state, so the starts are those one scan of the whole would find. A start is
 * only added before `len`, and those before a prefix's end (cut before whitespace that
 * follows a non-space, see scan_cut) do not depend on what follows it.
 */
static int find_sentences(sentences *s, const char *text, size_t len)
{
	const unsigned char *u = (const unsigned char *)text;
	int para;
	size_t i;
	if (s->n) {
		i = s->v[s->n - 1].start;
	} else {
		i = skip_ws(text, len, 0, &para);
		if (i < len && add_sentence(s, text, len, i, 0) < 0)
			return -1;
	}
	size_t word_start = 0;
	int prev_letter = 0;
	while (i < len) {
		/* most characters are ASCII letters inside words: nothing to decide there */
		if ((u[i] | 0x20) >= 'a' && (u[i] | 0x20) <= 'z') {
			if (!prev_letter)
				word_start = i;
			prev_letter = 1;
			i++;
			continue;
		}
		int32_t cp;
		size_t n = u8_decode(u + i, len - i, &cp);
		if (is_ws(cp)) {
			size_t k = skip_ws(text, len, i, &para);
			if (para && k < len && add_sentence(s, text, len, k, i) < 0)
				return -1;
			i = k;
			prev_letter = 0;
			continue;
		}
		if (is_terminator(cp)) {
			/* The word just before a period: an abbreviation or an initial? */
			int abbrev = cp == '.' && prev_letter &&
				     is_abbreviation(text + word_start, i - word_start);
			size_t j = i + n;
			while (j < len) {
				int32_t c2;
				size_t m = u8_decode(u + j, len - j, &c2);
				if (!is_closer(c2))
					break;
				j += m;
			}
			prev_letter = 0;
			if (j >= len)
				break;
			int32_t c3;
			u8_decode(u + j, len - j, &c3);
			if (!is_ws(c3)) { /* 3.5, J.-C., "?!x": not an end */
				i = j;
				continue;
			}
			size_t k = skip_ws(text, len, j, &para);
			if (k >= len)
				break;
			int32_t next;
			u8_decode(u + k, len - k, &next);
			/* A lowercase word after it continues the sentence ("etc. et", "hésite…
			   puis"); a paragraph break always ends it. */
			if (para || (!abbrev && !is_lower(next)))
				if (add_sentence(s, text, len, k, j) < 0)
					return -1;
			i = k;
			continue;
		}
		if (is_letter(cp)) {
			if (!prev_letter)
				word_start = i;
			prev_letter = 1;
		} else {
			prev_letter = 0;
		}
		i += n;
	}
	return 0;
}

/* ---- query terms ------------------------------------------------------------------- */

/* Open addressing over the (few) query terms: the text may have 200,000 tokens. */
typedef struct term_table {
	const query_term **slots;
	size_t mask;
} term_table;

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int table_init(term_table *t, const query_term *terms, size_t n)
{
	size_t size = 16;
	while (size < n * 2 + 1)
		size *= 2;
	t->slots = calloc(size, sizeof *t->slots);
	if (!t->slots)
		return -1;
	t->mask = size - 1;
	for (size_t i = 0; i < n; i++) {
		if (!terms[i].term || terms[i].prefix)
			continue;
		size_t h = hash_str(terms[i].term) & t->mask;
		while (t->slots[h] && strcmp(t->slots[h]->term, terms[i].term))
			h = (h + 1) & t->mask;
		if (!t->slots[h])
			t->slots[h] = &terms[i];
	}
	return 0;
}

static const query_term *table_find(const term_table *t, const char *term)
{
	size_t h = hash_str(term) & t->mask;
	while (t->slots[h]) {
		if (!strcmp(t->slots[h]->term, term))
			return t->slots[h];
		h = (h + 1) & t->mask;
	}
	return NULL;
}

/* ---- matching ------------------------------------------------------------------ */

/*
 * A position of the text recently seen, for finding phrases: a highlighted word (its
 * forms and match) or a stopword (folded). Other words are not recorded: a phrase
 * position holding one does not match.
 */
typedef struct ring_slot {
	uint32_t pos; /* the text position it holds (positions start at 1; 0: none) */
	int hit;
	size_t match;                     /* hit: index in match_ctx.v */
	char term[ANALYZER_MAX_TERM + 1]; /* hit: its term; stopword: folded */
	char alt[ANALYZER_MAX_TERM + 1];  /* hit: its alt form, "" when none */
} ring_slot;

typedef struct match_ctx {
	const char *text;
	size_t len;
	size_t base; /* where the text given to the analyzer starts: tokens are relative */
	counter cnt; /* count_matches(): where it stopped */
	size_t cnt_si;
	term_table table;
	const query_term **pfx; /* the prefixes (query_term.prefix) */
	size_t npfx;
	const query_phrase *phrases;
	size_t nphrases;
	ring_slot *ring; /* NULL without phrases */
	size_t nring;    /* the longest phrase's positions */
	match *v;
	size_t n, cap;
} match_ctx;

/*
 * Where the highlight starts: past an elided article (`l’Élection` lights up
 * `Élection`), which the token's span includes. The normalized word keeps only the
 * apostrophes that belong to it (`aujourd'hui`), so the extra ones in the original
 * span are the elisions to skip.
 */
static size_t skip_elision(const char *text, const analyzer_token *tok)
{
	size_t keep = 0, seen = 0;
	for (const char *w = tok->word; w && *w; w++)
		keep += *w == '\'';
	const unsigned char *u = (const unsigned char *)text;
	for (size_t i = tok->start; i < tok->end;) {
		int32_t cp;
		i += u8_decode(u + i, tok->end - i, &cp);
		seen += is_apostrophe(cp);
	}
	if (seen <= keep)
		return tok->start;
	size_t skip = seen - keep;
	for (size_t i = tok->start; i < tok->end;) {
		int32_t cp;
		i += u8_decode(u + i, tok->end - i, &cp);
		if (is_apostrophe(cp) && --skip == 0)
			return i < tok->end ? i : tok->start;
	}
	return tok->start;
}

/*
 * The query term a token lights up for: its term or alt form is one, or starts with a
 * prefix. A prefix is tested like Xapian's wildcard tests the index's terms (every term
 * starting with it; the index holds both forms of each word), so a word lights up iff
 * it would match the prefix in the index: `eleve*` lights up élève and élevé through the
 * typed word's own form (elev, kept because the prefix does not cover it) and éleveur
 * (eleveur), not élevage (elevag). One difference is accepted: Xapian keeps the 100
 * most frequent expansions (ranking.h); a rarer word past those still lights up. Knowing
 * the expansion would take a round trip to every shard per search, for words that are
 * what the person asked for anyway.
 */
static const query_term *find_term(const match_ctx *c, const analyzer_token *tok)
{
	const query_term *qt = table_find(&c->table, tok->term);
	if (!qt && tok->alt)
		qt = table_find(&c->table, tok->alt);
	for (size_t i = 0; !qt && i < c->npfx; i++) {
		const char *p = c->pfx[i]->term;
		size_t n = strlen(p);
		if (!strncmp(tok->term, p, n) || (tok->alt && !strncmp(tok->alt, p, n)))
			qt = c->pfx[i];
	}
	return qt;
}

static ring_slot *ring_at(const match_ctx *c, uint32_t pos)
{
	return &c->ring[pos % c->nring];
}

/* Whether phrase word `w` is what the text has at `pos`. */
static int phrase_word_ok(const match_ctx *c, const query_phrase_word *w, uint32_t pos)
{
	const ring_slot *s = ring_at(c, pos);
	int here = s->pos == pos;
	if (!w->term) /* a query position without a term: anything but a query word */
		return !here || !s->hit;
	if (!here || s->hit == w->stop)
		return 0;
	if (w->stop)
		return !strcmp(s->term, w->term);
	return !strcmp(s->term, w->term) || (w->alt && !strcmp(s->term, w->alt)) ||
	       (s->alt[0] && (!strcmp(s->alt, w->term) || (w->alt && !strcmp(s->alt, w->alt))));
}

/* The highlighted word at `pos` just arrived: mark each phrase ending there. */
static void find_phrases(match_ctx *c, uint32_t pos)
{
	for (size_t p = 0; p < c->nphrases; p++) {
		const query_phrase *ph = &c->phrases[p];
		size_t n = ph->nwords;
		if (n < 2 || n > c->nring || pos < n)
			continue;
		uint32_t first = pos - (uint32_t)(n - 1);
		size_t k = n;
		while (k > 0 && phrase_word_ok(c, &ph->words[k - 1], first + (uint32_t)(k - 1)))
			k--;
		if (k)
			continue;
		/* Between two words of the phrase are only its stopwords: their matches are
		   neighbours in c->v. */
		for (k = 0; k + 1 < n; k++)
			if (ph->words[k].term && !ph->words[k].stop)
				c->v[ring_at(c, first + (uint32_t)k)->match].join_next = 1;
	}
}

/* Copy a token's string (at most ANALYZER_MAX_TERM bytes) into a slot's buffer. */
static void copy_term(char out[ANALYZER_MAX_TERM + 1], const char *t)
{
	size_t n = t ? strlen(t) : 0;
	if (n > ANALYZER_MAX_TERM)
		n = ANALYZER_MAX_TERM;
	memcpy(out, t ? t : "", n);
	out[n] = '\0';
}

static void ring_put(match_ctx *c, const analyzer_token *tok, int hit)
{
	ring_slot *s = ring_at(c, tok->pos);
	s->pos = tok->pos;
	s->hit = hit;
	s->match = c->n - (hit ? 1 : 0);
	if (hit) {
		copy_term(s->term, tok->term);
		copy_term(s->alt, tok->alt);
	} else {
		analyzer_fold(tok->term, strlen(tok->term), s->term, sizeof s->term);
		s->alt[0] = '\0';
	}
}

static int match_emit_all(const analyzer_token *tok, int is_stop, void *ud)
{
	match_ctx *c = ud;
	if (is_stop) {
		if (c->ring)
			ring_put(c, tok, 0);
		return 0;
	}
	const query_term *qt = find_term(c, tok);
	if (!qt)
		return 0;
	if (c->base + tok->end > c->len || tok->start >= tok->end)
		return 0;
	size_t start = c->base + skip_elision(c->text + c->base, tok);
	if (c->n && start < c->v[c->n - 1].end)
		return 0; /* never overlap the previous highlight */
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		match *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	match *m = &c->v[c->n++];
	m->start = start;
	m->end = c->base + tok->end;
	/* cstart and cend: count_matches(), once the sentences are known */
	m->word = qt->word;
	m->join_next = 0;
	if (c->ring) {
		ring_put(c, tok, 1);
		find_phrases(c, tok->pos);
	}
	return 0;
}

static int match_emit(const analyzer_token *tok, void *ud)
{
	return match_emit_all(tok, 0, ud);
}

/*
 * The offsets in characters of the matches from the `from`th on (the ones before are
 * counted: c->cnt and c->cnt_si go on from them). The count starts again from each
 * sentence start before a match, whose offset find_sentences() counted already (a
 * sentence starts at a character that is not whitespace, so the count goes on from
 * there as if it had come from the start of the text): the text is counted once, not
 * once more for matches.
 */
static void count_matches(match_ctx *c, const sentences *s, size_t from)
{
	counter cnt = c->cnt;
	size_t si = c->cnt_si;
	for (size_t k = from; k < c->n; k++) {
		match *m = &c->v[k];
		for (; si < s->n && s->v[si].start <= m->start; si++) {
			if (s->v[si].start > cnt.byte) {
				cnt.byte = s->v[si].start;
				cnt.chars = s->v[si].cstart;
				cnt.in_ws = 0;
			}
		}
		m->cstart = count_to(&cnt, c->text, c->len, m->start);
		m->cend = count_to(&cnt, c->text, c->len, m->end);
	}
	c->cnt = cnt;
	c->cnt_si = si;
}

/* ---- choosing the window -------------------------------------------------------- */

typedef struct window {
	size_t start;  /* byte where the passage starts */
	size_t cstart; /* the same in characters (approximate when found backwards) */
	int at_sentence;
} window;

/*
 * The start of a word at most `ctx` characters before byte `from` (or `from` itself):
 * a little context before the first match when its sentence starts too far back.
 */
static window context_start(const char *text, size_t from, size_t cfrom, size_t ctx)
{
	const unsigned char *u = (const unsigned char *)text;
	window w = {from, cfrom, 0};
	size_t p = from, back = 0;
	int next_ws = 0; /* whether the character at p is whitespace */
	while (p > 0 && back <= ctx) {
		size_t q = p - 1;
		while (q > 0 && p - q < 4 && (u[q] & 0xC0) == 0x80)
			q--;
		int32_t cp;
		if (u8_decode(u + q, p - q, &cp) != p - q) {
			q = p - 1; /* an invalid byte: one character */
			cp = -1;
		}
		if (is_ws(cp)) {
			if (!next_ws && p < from) { /* p starts a word */
				w.start = p;
				w.cstart = cfrom - back;
			}
			back += !next_ws;
			next_ws = 1;
		} else {
			back++;
			next_ws = 0;
		}
		p = q;
	}
	if (p == 0 && back <= ctx) {
		w.start = 0;
		w.cstart = 0;
	}
	return w;
}

/* The last sentence starting at or before byte `b`, moving *si forward only. */
static const sentence *sentence_before(const sentences *s, size_t *si, size_t b)
{
	while (*si + 1 < s->n && s->v[*si + 1].start <= b)
		(*si)++;
	return s->n && s->v[*si].start <= b ? &s->v[*si] : NULL;
}

/* The first match starting at or after byte `b`. */
static size_t first_match_from(const match *m, size_t nm, size_t b)
{
	size_t lo = 0, hi = nm;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m[mid].start < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The best window found so far, over the gaps between the passages already chosen. */
typedef struct candidate {
	window w;
	long score;    /* -1: none yet */
	size_t need_end; /* end of the last match the window was scored with */
	size_t hi;     /* end of its gap */
} candidate;

/*
 * Score the windows starting at each match of the gap [lo, hi) (bytes; the text
 * outside belongs to passages already chosen) and keep the best in *best. A window
 * scores 100 per distinct query word not `covered` by the passages already chosen, plus
 * REPEAT_SCORE per other match (repeats and words already shown), capped; the first
 * window wins ties, so earlier passages are preferred. `counts` is zero on entry and on
 * return.
 */
static void choose_window(const match *m, size_t nm, const sentences *s, const char *text,
			  size_t budget, unsigned nwords, unsigned *counts,
			  const unsigned char *covered, size_t lo, size_t hi, candidate *best)
{
	size_t slack = budget / 2, ctx = budget / 8;
	size_t si = 0, fresh = 0, total = 0;
	size_t prev_cend = 0;
	size_t first = first_match_from(m, nm, lo), j = first;
	for (size_t i = first; i < nm && m[i].end <= hi; i++) {
		window w;
		const sentence *st = sentence_before(s, &si, m[i].start);
		if (st && st->start >= lo && m[i].cstart - st->cstart <= slack) {
			w.start = st->start;
			w.cstart = st->cstart;
			w.at_sentence = 1;
		} else {
			w = context_start(text, m[i].start, m[i].cstart, ctx);
			if (w.start < lo) /* no room for context: the previous passage is there */
				w = (window){m[i].start, m[i].cstart, 0};
		}
		/* Windows only move forward, so the right pointer never goes back. */
		size_t cend = w.cstart + budget;
		if (cend < prev_cend)
			cend = prev_cend;
		prev_cend = cend;
		if (j < i)
			j = i;
		for (; j < nm && m[j].end <= hi && m[j].cend <= cend; j++) {
			unsigned wd = m[j].word;
			if (wd < nwords)
				fresh += counts[wd]++ == 0 && !covered[wd];
			total++;
		}
		if (j > i) {
			size_t rest = total - fresh;
			long score = 100 * (long)fresh +
				     REPEAT_SCORE * (long)(rest < REPEAT_CAP ? rest : REPEAT_CAP);
			if (score > best->score) {
				best->score = score;
				best->w = w;
				best->need_end = m[j - 1].end;
				best->hi = hi;
			}
			unsigned wd = m[i].word;
			if (wd < nwords)
				fresh -= --counts[wd] == 0 && !covered[wd];
			total--;
		}
	}
	/* leave counts at zero for the next gap */
	for (size_t k = first; k < j; k++)
		if (m[k].word < nwords)
			counts[m[k].word] = 0;
}

/*
 * When the passage from `w` reaches the end of the text with budget to spare, start
 * it at earlier sentences while they fit: a short text is shown whole, and the end of
 * a long one is not shown alone when the sentences before it fit too.
 */
static window fill_backwards(const sentences *s, const char *text, size_t len, window w,
			     size_t budget)
{
	counter cnt = s->cnt; /* a copy: find_sentences() may go on from s->cnt */
	size_t total = count_to(&cnt, text, len, len);
	if (total < w.cstart || total - w.cstart > budget)
		return w;
	size_t room = budget - (total - w.cstart);
	/* the last sentence starting before w */
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].start < w.start)
			lo = mid + 1;
		else
			hi = mid;
	}
	window r = w;
	while (lo > 0 && w.cstart - s->v[lo - 1].cstart <= room) {
		lo--;
		r.start = s->v[lo].start;
		r.cstart = s->v[lo].cstart;
		r.at_sentence = 1;
	}
	return r;
}

/* ---- output ------------------------------------------------------------------------- */

typedef struct out {
	char *s;
	size_t len, cap;
	int pending_space;
	int oom;
} out;

static void out_add(out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		while (cap < o->len + n + 1)
			cap *= 2;
		char *p = realloc(o->s, cap);
		if (!p) {
			o->oom = 1;
			return;
		}
		o->s = p;
		o->cap = cap;
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

/* Copy text[from, to) collapsing whitespace (a run prints one space, only between words)
   and replacing invalid bytes with U+FFFD. */
static void out_copy(out *o, const char *text, size_t from, size_t to)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t i = from;
	while (i < to) {
		int32_t cp;
		size_t n = u8_decode(u + i, to - i, &cp);
		if (is_ws(cp)) {
			o->pending_space = o->len > 0;
		} else {
			if (o->pending_space)
				out_add(o, " ", 1);
			o->pending_space = 0;
			if (cp < 0)
				out_add(o, "\xEF\xBF\xBD", 3);
			else
				out_add(o, text + i, n);
		}
		i += n;
	}
}

/*
 * Where the passage from `w` ends: the whole rest when it fits in `budget` characters;
 * else a sentence end in the last 40% of the budget; else the last word boundary (but
 * never before `need_end`, the end of the last match the window was chosen for); a
 * single overlong word is cut at a character boundary.
 */
static size_t choose_end(const char *text, size_t len, const sentences *s, size_t wstart,
			 size_t budget, size_t need_end, int *cut)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t i = wstart, chars = 0, word_end = 0, sent_end = 0, sent_chars = 0;
	int in_ws = 0;
	/* the first sentence whose previous end lies after the window start */
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].prev_end <= wstart)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t si = lo;
	while (i < len) {
		int32_t cp;
		size_t n = u8_decode(u + i, len - i, &cp);
		int ws = is_ws(cp);
		if (ws && !in_ws)
			word_end = i;
		while (si < s->n && s->v[si].prev_end <= i) {
			if (s->v[si].prev_end > wstart) {
				sent_end = s->v[si].prev_end;
				sent_chars = chars;
			}
			si++;
		}
		if (!(ws && in_ws)) {
			if (chars == budget)
				break;
			chars++;
		}
		in_ws = ws;
		i += n;
	}
	/* Only whitespace left: everything fitted. */
	size_t rest = i;
	while (rest < len) {
		int32_t cp;
		size_t n = u8_decode(u + rest, len - rest, &cp);
		if (!is_ws(cp))
			break;
		rest += n;
	}
	if (rest >= len) {
		*cut = 0;
		return len;
	}
	*cut = 1;
	{
		int32_t cp;
		u8_decode(u + i, len - i, &cp);
		if (is_ws(cp) && !in_ws)
			word_end = i; /* the budget ends right at a word's end */
	}
	if (sent_end && sent_end >= need_end && sent_chars * 10 >= budget * 6)
		return sent_end;
	if (word_end > wstart && word_end >= need_end)
		return word_end;
	if (need_end > wstart && need_end <= i)
		return need_end;
	if (word_end > wstart)
		return word_end;
	return i > wstart ? i : wstart;
}

/* ---- prefixes of a long text ------------------------------------------------------ */

/* Whether a prefix may end before byte i: an ASCII whitespace after a printable ASCII
   character, so that no word, UTF-8 sequence or whitespace run (a paragraph break) is
   split, and the analyzer and find_sentences() see the same before it as in the whole. */
static int cut_ok(const unsigned char *u, size_t i)
{
	return (u[i] == ' ' || u[i] == '\n' || u[i] == '\t' || u[i] == '\r') && u[i - 1] > 0x20 &&
	       u[i - 1] < 0x7F;
}

/* The end of a prefix of about `target` bytes, past `from` (the previous prefix's
   end): the last place cut_ok() allows at or before it, else the first after it, else
   the whole text. */
static size_t scan_cut(const char *text, size_t len, size_t from, size_t target)
{
	if (!text || target >= len)
		return len;
	const unsigned char *u = (const unsigned char *)text;
	for (size_t i = target; i > from + 1; i--)
		if (cut_ok(u, i))
			return i;
	for (size_t i = target + 1; i < len; i++)
		if (cut_ok(u, i))
			return i;
	return len;
}

/* ---- public ------------------------------------------------------------------------- */

void snippet_clear(snippet *s)
{
	if (!s)
		return;
	free(s->text);
	free(s->spans);
	memset(s, 0, sizeof *s);
}

/* A passage chosen for the snippet: bytes [w.start, end) of the text. */
typedef struct passage {
	window w;
	size_t end;
} passage;

/* Whether text[from, to) holds anything but whitespace. */
static int has_text(const char *text, size_t from, size_t to)
{
	const unsigned char *u = (const unsigned char *)text;
	while (from < to) {
		int32_t cp;
		size_t n = u8_decode(u + from, to - from, &cp);
		if (!is_ws(cp))
			return 1;
		from += n;
	}
	return 0;
}

/*
 * Whether the output between two words of a phrase, output[from, to), holds only what
 * may lie inside one phrase: spaces, letters (its stopwords, an elided article),
 * hyphens and apostrophes. A phrase Xapian found across punctuation ("guerre. Froide")
 * is still shown as two spans: a span reads as one piece of text.
 */
static int words_between(const char *o, size_t from, size_t to)
{
	const unsigned char *u = (const unsigned char *)o;
	while (from < to) {
		int32_t cp;
		size_t n = u8_decode(u + from, to - from, &cp);
		if (!(is_ws(cp) || cp == 0xA0 || cp == 0x202F || is_letter(cp) || cp == '-' ||
		      cp == 0x2010 || cp == 0x2011 || is_apostrophe(cp) ||
		      (cp > 0 && utf8proc_category(cp) == UTF8PROC_CATEGORY_MN)))
			return 0;
		from += n;
	}
	return 1;
}

int snippet_make(snippet *outp, analyzer *a, const char *text, size_t len,
		 const query_term *terms, size_t nterms, size_t budget)
{
	snippet_opts o = {.budget = budget, .fragments = 1};
	return snippet_make_ex(outp, a, text, len, terms, nterms, &o);
}

int snippet_make_ex(snippet *outp, analyzer *a, const char *text, size_t len,
		    const query_term *terms, size_t nterms, const snippet_opts *opt)
{
	memset(outp, 0, sizeof *outp);
	if (!text)
		len = 0;
	size_t budget = opt && opt->budget ? opt->budget : 1;
	size_t nfrag = opt && opt->fragments ? opt->fragments : 1;
	if (nfrag > SNIPPET_MAX_FRAGMENTS)
		nfrag = SNIPPET_MAX_FRAGMENTS;
	size_t lead_len = opt ? opt->lead_len : 0;
	int rc = -1;
	match_ctx mc;
	memset(&mc, 0, sizeof mc);
	mc.text = text;
	mc.len = len;
	sentences sn;
	memset(&sn, 0, sizeof sn);
	unsigned *counts = NULL;
	unsigned char *covered = NULL;
	out o = {0};
	snippet_span *spans = NULL;
	passage ps[SNIPPET_MAX_FRAGMENTS];
	size_t np = 0;

	unsigned char *needed = NULL;
	analyzer_filter filter;
	analyzer_filter_init(&filter);
	int stops = 0;
	unsigned nwords = 0;
	for (size_t i = 0; i < nterms; i++) {
		if (terms[i].term && terms[i].word + 1 > nwords)
			nwords = terms[i].word + 1;
		mc.npfx += terms[i].term && terms[i].prefix;
	}
	if (nterms && len) {
		if (table_init(&mc.table, terms, nterms) < 0)
			goto done;
		if (mc.npfx) {
			mc.pfx = malloc(mc.npfx * sizeof *mc.pfx);
			if (!mc.pfx)
				goto done;
			mc.npfx = 0;
			for (size_t i = 0; i < nterms; i++)
				if (terms[i].term && terms[i].prefix)
					mc.pfx[mc.npfx++] = &terms[i];
		}
		/* Phrases: a ring as long as the longest, and the stopwords too when one has
		   some inside. */
		if (opt && opt->phrases) {
			mc.phrases = opt->phrases;
			mc.nphrases = opt->nphrases;
			for (size_t p = 0; p < mc.nphrases; p++) {
				if (mc.phrases[p].nwords > mc.nring)
					mc.nring = mc.phrases[p].nwords;
				for (size_t k = 0; k < mc.phrases[p].nwords; k++)
					stops |= mc.phrases[p].words[k].stop;
			}
			if (mc.nring && !(mc.ring = calloc(mc.nring, sizeof *mc.ring)))
				goto done;
		}
		/* only the words that may be query terms (or a phrase's stopwords) are
		   normalized and stemmed: most of a long text is not */
		for (size_t i = 0; i < nterms; i++)
			if (terms[i].term)
				analyzer_filter_add(&filter, terms[i].term);
		for (size_t p = 0; p < mc.nphrases; p++)
			for (size_t k = 0; k < mc.phrases[p].nwords; k++) {
				const query_phrase_word *w = &mc.phrases[p].words[k];
				if (w->term)
					analyzer_filter_add(&filter, w->term);
				if (w->alt)
					analyzer_filter_add(&filter, w->alt);
			}
	}
	/* The query words a passage can show: those with a term (needed 1), unless the
	   index says the text has none of them (needed 2: not waited for). */
	const unsigned char *absent = opt ? opt->absent : NULL;
	size_t nneeded = 0, nabsent = 0;
	if (nwords) {
		if (!(needed = calloc(nwords, 1)))
			goto done;
		for (size_t i = 0; i < nterms; i++) {
			unsigned wd = terms[i].word;
			if (!terms[i].term || needed[wd])
				continue;
			needed[wd] = absent && absent[wd] ? 2 : 1;
			nneeded += needed[wd] == 1;
			nabsent += needed[wd] == 2;
		}
	}
	/*
	 * A long text is scanned in growing prefixes, text[0, region): the passages are
	 * chosen in the prefix, and kept when they show every query word (no passage of
	 * the whole text could show more) and none of them was cut short by the prefix's
	 * end; else the prefix grows 4 times (the analysis and the sentences go on from
	 * where they stopped, only the choice is made again), up to the whole text, where
	 * the choice is the one a single scan makes. A text of at most SNIPPET_SCAN_FIRST
	 * bytes is scanned whole at once, as before.
	 */
	size_t region = nneeded ? scan_cut(text, len, 0, SNIPPET_SCAN_FIRST) : len;
	/* Nothing to wait for: what the passage of a title-only match needs, its lead
	   (choose_end() stops there). */
	int lead_only = !nneeded && nabsent && lead_len;
	if (lead_only)
		region = scan_cut(text, len, lead_len, lead_len);
	size_t scanned = 0;
	uint32_t pos = 0;
	for (;;) {
		size_t nold = mc.n;
		if (nterms && region > scanned) {
			mc.base = scanned;
			if ((stops ? analyzer_run_all_filtered(a, text + scanned, region - scanned, &pos,
							       &filter, match_emit_all, &mc)
				   : analyzer_run_filtered(a, text + scanned, region - scanned, &pos,
							   &filter, match_emit, &mc)) < 0)
				goto done;
		}
		scanned = region;
		if (find_sentences(&sn, text, region) < 0)
			goto done;
		count_matches(&mc, &sn, nold);

		if (mc.n && !counts) {
			counts = calloc(nwords ? nwords : 1, sizeof *counts);
			covered = calloc(nwords ? nwords : 1, 1);
			if (!counts || !covered)
				goto done;
		}
		if (covered)
			memset(covered, 0, nwords ? nwords : 1);
		np = 0;
		int short_passage = 0; /* a passage ended at the prefix's end, not the budget */
		/* Greedily: each passage is the best window of the text not shown yet,
		   counting only the words the passages before it did not show as distinct. */
		while (mc.n && np < nfrag) {
			candidate best = {.score = -1};
			size_t lo = 0;
			for (size_t g = 0; g <= np; g++) {
				size_t hi = g < np ? ps[g].w.start : region;
				if (lo < hi)
					choose_window(mc.v, mc.n, &sn, text, budget, nwords, counts,
						      covered, lo, hi, &best);
				if (g < np)
					lo = ps[g].end;
			}
			if (best.score < 0)
				break;
			window w = best.w;
			if (np == 0)
				w = fill_backwards(&sn, text, region, w, budget);
			int cut;
			size_t end = choose_end(text, best.hi, &sn, w.start, budget, best.need_end,
						&cut);
			short_passage |= !cut && best.hi == region && region < len;
			size_t at = 0;
			while (at < np && ps[at].w.start < w.start)
				at++;
			memmove(ps + at + 1, ps + at, (np - at) * sizeof *ps);
			ps[at].w = w;
			ps[at].end = end;
			np++;
			for (size_t k = first_match_from(mc.v, mc.n, w.start);
			     k < mc.n && mc.v[k].end <= end; k++)
				if (mc.v[k].word < nwords)
					covered[mc.v[k].word] = 1;
		}
		if (region == len || lead_only)
			break;
		size_t shown = 0;
		for (unsigned wd = 0; covered && wd < nwords; wd++)
			shown += needed[wd] == 1 && covered[wd];
		if (np == nfrag && !short_passage && shown == nneeded)
			break;
		region = scan_cut(text, len, region, region <= SIZE_MAX / 4 ? region * 4 : len);
	}
	if (np == 0) {
		/* Nothing matched in the text (a title-only match): its lead, or its start when
		   the lead is not known. */
		window w = {sn.n ? sn.v[0].start : 0, sn.n ? sn.v[0].cstart : 0, 1};
		size_t lim = lead_len && lead_len <= len && lead_len > w.start ? lead_len : len;
		int cut;
		ps[0].w = w;
		ps[0].end = choose_end(text, lim, &sn, w.start, budget, 0, &cut);
		np = 1;
	}

	/* Was anything but whitespace left out before the start? */
	const window *w0 = &ps[0].w;
	if (sn.n && w0->start > sn.v[0].start)
		out_add(&o, w0->at_sentence ? "\xE2\x80\xA6 " : "\xE2\x80\xA6", w0->at_sentence ? 4 : 3);
	o.pending_space = 0;

	/* Each passage, its matches copied as spans of the output. */
	size_t nspans = 0, capspans = 0;
	for (size_t p = 0; p < np; p++) {
		size_t start = ps[p].w.start, end = ps[p].end, cur = start;
		size_t joined = o.len; /* spans never merge across passages */
		if (p > 0) {
			if (has_text(text, ps[p - 1].end, start))
				out_add(&o, " \xE2\x80\xA6 ", 5);
			else
				out_add(&o, " ", 1);
			o.pending_space = 0;
			joined = o.len;
		}
		size_t kfirst = first_match_from(mc.v, mc.n, start);
		for (size_t k = kfirst; k < mc.n && mc.v[k].end <= end; k++) {
			if (nspans == capspans) {
				capspans = capspans ? capspans * 2 : 16;
				snippet_span *v = realloc(spans, capspans * sizeof *v);
				if (!v)
					goto done;
				spans = v;
			}
			out_copy(&o, text, cur, mc.v[k].start);
			if (o.pending_space)
				out_add(&o, " ", 1);
			o.pending_space = 0;
			size_t sstart = o.len;
			out_copy(&o, text, mc.v[k].start, mc.v[k].end);
			if (o.oom)
				goto done;
			/* the previous span is match k - 1's when k > kfirst */
			if (nspans && spans[nspans - 1].end >= joined && k > kfirst &&
			    mc.v[k - 1].join_next && words_between(o.s, spans[nspans - 1].end, sstart)) {
				spans[nspans - 1].end = o.len; /* "armée de terre": one span */
			} else {
				spans[nspans].start = sstart;
				spans[nspans].end = o.len;
				nspans++;
			}
			cur = mc.v[k].end;
		}
		out_copy(&o, text, cur, end);
	}
	if (has_text(text, ps[np - 1].end, len)) {
		/* "mot…", but "fin. …" after a sentence's end */
		int32_t last = -1;
		if (o.len) {
			size_t p = o.len - 1;
			while (p > 0 && ((unsigned char)o.s[p] & 0xC0) == 0x80)
				p--;
			u8_decode((const unsigned char *)o.s + p, o.len - p, &last);
		}
		if (last == 0x2026) {
			/* the text's own ellipsis already says it */
		} else if (is_closer(last)) {
			out_add(&o, " \xE2\x80\xA6", 4);
		} else {
			out_add(&o, "\xE2\x80\xA6", 3);
		}
	}
	if (!o.s)
		out_add(&o, "", 0);
	if (o.oom)
		goto done;
	outp->text = o.s;
	outp->len = o.len;
	outp->spans = spans;
	outp->nspans = nspans;
	o.s = NULL;
	spans = NULL;
	rc = 0;
done:
	free(o.s);
	free(spans);
	free(counts);
	free(covered);
	free(needed);
	free(mc.v);
	free(mc.table.slots);
	free(mc.pfx);
	free(mc.ring);
	free(sn.v);
	return rc;
}
