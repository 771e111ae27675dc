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
 * The extras of one article, gathered from the tokens of the analysis pass that posts
 * its terms (one pass per article: the title's tokens, then the text's). Reusable from
 * one article to the next (extras_begin keeps its buffers). Not thread-safe: one per
 * thread, or one per article in flight.
 */
typedef struct extras extras;

/* A new, empty one, or NULL when out of memory. */
extras *extras_new(void);
void extras_free(extras *x);
/* Start an article whose title is `title` and text (lead and body) `text`: the title's
 * and the text's token offsets are into them. */
void extras_begin(extras *x, const char *title, const char *text);
/* A token of the title: its word goes to the spelling words. */
void extras_title_token(extras *x, const analyzer_token *t);
/* A token of the text: its word goes to the spelling words, its term to the signature. */
void extras_text_token(extras *x, const analyzer_token *t);
/*
 * Set the facet values of `a` and the collapse signature of its text on `doc`.
 * Returns FOUILLE_OK, or FOUILLE_ENOMEM (also when a token could not be recorded).
 */
int extras_set_values(extras *x, xs_doc *doc, const article *a);
/* The collapse signature extras_set_values() set on the document ("" when none, or
 * before it is called for this article). */
const char *extras_doc_signature(const extras *x);
/* The collapse signature of the text's tokens so far, as extras_signature() gives it:
 * 1 when written to `out`, 0 when too short to have one (out = ""). */
int extras_get_signature(extras *x, char out[EXTRAS_SIGNATURE_LEN + 1]);
/* Call `fn` for each distinct spelling word of the article, in the order first met, with
 * caps 1 when the article writes it with a capital initial everywhere, else 0; stops at
 * and returns fn's first non-zero value. */
int extras_each_word(const extras *x, int (*fn)(const char *word, int caps, void *ud), void *ud);
/* Add each distinct spelling word of the article once to the spelling data of `w`.
 * Returns FOUILLE_OK or a store error with `err` filled. */
int extras_add_spelling(const extras *x, xs_writer *w, char *err);
/* The bytes `x` keeps allocated for the next article (its word set's table and words). */
size_t extras_held_bytes(const extras *x);

/*
 * Call `fn` once for each distinct word of `title` and `text` that extras_add() adds to
 * the spelling data (either may be NULL), in byte order, with its caps as
 * extras_each_word() gives it. Stops when fn returns non-zero.
 * Returns 0, fn's value, or -1 when out of memory.
 */
int extras_spelling_words(analyzer *an, const char *title, const char *text,
			  int (*fn)(const char *word, int caps, void *ud), void *ud);

/*
 * An xs_forget_fn (`ud` is the analyzer): takes the words of a removed document (its
 * stored record's title and text) out of the spelling data, as extras_add() put them in.
 */
int extras_forget(xs_writer *w, const void *data, size_t len, void *ud);
/* The same, adding the words: for xs_writer_recount_spelling(). */
int extras_count(xs_writer *w, const void *data, size_t len, void *ud);

#endif
