/*
 * What an article's document carries for result pages, besides its terms: the facet
 * values (author as written, year), the collapse signature shared by near-duplicate
 * articles, and its words for the index's spelling data ("did you mean").
 */
#ifndef FOUILLE_EXTRAS_H
#define FOUILLE_EXTRAS_H

#include <stddef.h>

#include "analyzer.h"
#include "article.h"
#include "xapian_store.h"

/* Words shorter than this (in characters) are not added to the spelling data. */
#define EXTRAS_SPELLING_MIN_CHARS 3

/* Content terms of the body that make the collapse signature: the first 32, or 16 for a
   short text (at most 3/4 of its content terms, so that a sentence added at the end does
   not change them); no signature under 22 content terms (too little text to tell stories
   apart: stub pages share their boilerplate). */
#define EXTRAS_SIGNATURE_TERMS 32
#define EXTRAS_SIGNATURE_MIN_TERMS 16
/* Up to EXTRAS_HEADER_MAX_PARAGRAPHS leading paragraphs with fewer content terms than
   EXTRAS_HEADER_MAX_TERMS are header noise (a byline, a dateline, "Publié le ...",
   "Temps de lecture ..."), left out of the signature. */
#define EXTRAS_HEADER_MAX_TERMS 6
#define EXTRAS_HEADER_MAX_PARAGRAPHS 3

/* Length of a signature: 16 hexadecimal digits. */
#define EXTRAS_SIGNATURE_LEN 16

/*
 * The collapse signature of an article's text (lead and body, paragraphs separated by
 * a blank line) into `out` (EXTRAS_SIGNATURE_LEN digits and a NUL). Returns 1 when
 * written, 0 when the text is too short to have one (out = ""), -1 when out of memory.
 */
int extras_signature(analyzer *an, const char *text, size_t len,
		     char out[EXTRAS_SIGNATURE_LEN + 1]);

/*
 * Set the facet values and the collapse signature of `a` on `doc`, and add the
 * article's distinct words (title and text) to the spelling data of `w`, once each.
 * Returns FOUILLE_OK, FOUILLE_ENOMEM, or a store error with `err` filled.
 */
int extras_add(xs_doc *doc, xs_writer *w, analyzer *an, const article *a, char *err);

/*
 * Call `fn` once for each distinct word of `title` and `text` that extras_add() adds to
 * the spelling data (either may be NULL), in byte order. Stops when fn returns non-zero.
 * Returns 0, fn's value, or -1 when out of memory.
 */
int extras_spelling_words(analyzer *an, const char *title, const char *text,
			  int (*fn)(const char *word, void *ud), void *ud);

/*
 * An xs_forget_fn (`ud` is the analyzer): takes the words of a removed document (its
 * stored record's title and text) out of the spelling data, as extras_add() put them in.
 */
int extras_forget(xs_writer *w, const void *data, size_t len, void *ud);

#endif
