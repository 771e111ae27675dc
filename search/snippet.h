/*
 * Snippets: the passage of an article's text that best covers the query, with the
 * matched words highlighted as byte spans. The text is re-analysed with the same chain
 * as the index, so `réfugiés` lights up for the query `refugies`.
 */
#ifndef FOUILLE_SNIPPET_H
#define FOUILLE_SNIPPET_H

#include <stddef.h>

#include "../indexer/analyzer.h"
#include "query.h"

typedef struct snippet_span {
	size_t start, end; /* byte offsets into snippet.text, end exclusive */
} snippet_span;

typedef struct snippet {
	char *text; /* NUL-terminated UTF-8, owned */
	size_t len;
	snippet_span *spans; /* sorted, non-overlapping, owned */
	size_t nspans;
} snippet;

/* Bytes of a long text scanned first (see snippet_make_ex()): an article's lead and its
   first paragraphs. With 16 KB, the snippets of the 10 hits of `paquet` on the Debian
   folder took 11.8 M instructions, 3.3 M with 2 KB (bench/search-instructions.sh). */
#define SNIPPET_SCAN_FIRST ((size_t)2 * 1024)

/* Passages per snippet at most (fouille_search_options.fragments is capped to it). */
#define SNIPPET_MAX_FRAGMENTS 16

typedef struct snippet_opts {
	size_t budget;    /* characters per passage (0: 1) */
	size_t fragments; /* passages at most, joined with " … " (0: 1) */
	size_t lead_len;  /* bytes of the text that are its lead; 0 when unknown */
	const query_phrase *phrases; /* the query's phrases (query_phrases()), or NULL */
	size_t nphrases;
	/* By query word (query_term.word), or NULL: 1 when the index says none of the
	   word's terms occurs in the text, so that no scan goes on looking for it. A word
	   with a prefix term (guer*) must not be marked. */
	const unsigned char *absent;
} snippet_opts;

/*
 * Choose up to `fragments` passages of `text`, greedily: each one is the window of the
 * text not shown yet that covers the most distinct query words the passages before it
 * did not show (repeats and words already shown count little; earlier windows win
 * ties), starting at a sentence boundary where possible, else a few words before its
 * first match. They are shown in text order, joined with " … " (with " " when nothing
 * lies between them). When no term occurs in the text (a title-only match), the
 * snippet is the article's lead (its first `lead_len` bytes, or the start of the text
 * when that is 0), cut to the budget.
 *
 * Each passage has at most `budget` characters (not bytes; a whitespace run counts as
 * one), ends at a word boundary or a sentence end, and is valid UTF-8 (invalid bytes
 * become U+FFFD). Whitespace runs, paragraph breaks included, become one space. "…"
 * is added, outside the budget, on each side where text was left out: "… " before a
 * passage starting at a sentence, "…" glued to one starting mid-sentence. Spans light
 * up the words as written (`réfugiés` for `refugies`), without an elided article:
 * `l’Élection` lights up `Élection`. A word lights up when its term or alt form is a
 * query term, or starts with a query prefix (`guer*`: guerre, guerrier). Each
 * occurrence of a phrase of `opts->phrases` in the text (its words at their positions,
 * the same stopwords between them, nothing but letters, spaces, hyphens and apostrophes
 * in between) is one span: `armée de terre`, `États-Unis`, `armée d’Ukraine`; other
 * neighbouring highlights stay apart (`[États-Unis] et l’[armée]`, the words of a NEAR).
 * A text longer than SNIPPET_SCAN_FIRST bytes is scanned in growing prefixes (that
 * many bytes, then 4 times more each time, each ending before a whitespace): the
 * passages chosen in a prefix are kept when they show every query word that has a term
 * (and is not `opts->absent`) and none ends at the prefix's end, so the cost is that of
 * the prefix when the words occur early; else the choice is that of the whole text.
 * When every such word is absent and the lead is known, only the lead is scanned (the
 * whole text when it is not). The "…" after the last
 * passage still says whether the whole text goes on. Linear in the length of the text
 * scanned, per passage.
 * Returns 0, or -1 when out of memory (and `out` is left empty).
 */
int snippet_make_ex(snippet *out, analyzer *a, const char *text, size_t len,
		    const query_term *terms, size_t nterms, const snippet_opts *opts);

/* snippet_make_ex() with one passage of `budget` characters, no lead known and no
   phrases. */
int snippet_make(snippet *out, analyzer *a, const char *text, size_t len,
		 const query_term *terms, size_t nterms, size_t budget);
void snippet_clear(snippet *s);

#endif
