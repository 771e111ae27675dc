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

/*
 * Choose the passage of `text` that covers the most distinct query words (repeats
 * count little, earlier passages win ties), starting at a sentence boundary where
 * possible, else a few words before the first match. When no term occurs, the start of
 * the text (its lead).
 *
 * The passage has at most `budget` characters (not bytes; a whitespace run counts as
 * one), ends at a word boundary or a sentence end, and is valid UTF-8 (invalid bytes
 * become U+FFFD). Whitespace runs, paragraph breaks included, become one space. "…"
 * is added, outside the budget, on each side where text was left out: "… " before a
 * passage starting at a sentence, "…" glued to one starting mid-sentence. Spans light
 * up the words as written (`réfugiés` for `refugies`), without an elided article:
 * `l’Élection` lights up `Élection`. Linear in the length of the text.
 * Returns 0, or -1 when out of memory (and `out` is left empty).
 */
int snippet_make(snippet *out, analyzer *a, const char *text, size_t len,
		 const query_term *terms, size_t nterms, size_t budget);
void snippet_clear(snippet *s);

#endif
