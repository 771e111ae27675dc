/*
 * The French analysis chain (../docs and ../../shared/spec/french-analysis.md):
 * words -> NFC, apostrophes, hyphens, digit groups -> lowercase, oe/ae -> elision ->
 * stopwords -> fold(stem(w)) and stem(fold(w)).
 *
 * One chain, three uses: indexing, query parsing, snippet highlighting. Every token
 * carries the byte offsets of its word in the original text so a snippet can light up
 * the word as it was written.
 */
#ifndef FOUILLE_ANALYZER_H
#define FOUILLE_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bumped whenever the chain's output for some input changes: the index records it and
 * an index built by another version is refused with a clear message.
 */
#define ANALYZER_VERSION 1

/* Longest term emitted, in bytes; longer words are truncated at a character boundary. */
#define ANALYZER_MAX_TERM 64

typedef struct analyzer_token {
	const char *term; /* fold(stem(w)), or the word itself for numbers; NUL-terminated */
	const char *alt;  /* stem(fold(w)) when it differs from term, else NULL */
	const char *word; /* the normalized word before stemming (lowercase, NFC, elision
	                     stripped, accents kept): used for prefix queries and suggestions.
	                     All these strings are cut to ANALYZER_MAX_TERM bytes. */
	const char *exact; /* when `word` has a non-ASCII letter (an accent): `word` minus
	                      one final plural s or x, accents kept ("pâtés" -> "pâté"),
	                      else NULL. Indexed and queried under the E prefix so that
	                      exact spellings rank first. Not stem(w): Snowball strips a
	                      final é, so pâté/pâte, marché/marche would meet there. */
	uint32_t word_len;   /* bytes of `word` */
	uint32_t word_hash;  /* analyzer_word_hash() of `word` */
	uint8_t word_chars;  /* characters of `word`, capped at 63 */
	uint8_t word_digit;  /* 1 when `word` holds a digit */
	uint32_t pos;     /* word position, 1-based; stopwords take a position too */
	size_t start;     /* byte offset of the word (elided article included) in the input */
	size_t end;       /* byte offset just past the word */
} analyzer_token;

/*
 * Called once per emitted (non-stopword) token. The strings are valid only during the
 * call. Return 0 to go on, non-zero to stop the run (analyzer_run returns that value).
 */
typedef int (*analyzer_emit_fn)(const analyzer_token *tok, void *userdata);

/* FNV-1a (32 bits) of `len` bytes: analyzer_token.word_hash, computed once per distinct
   word (the stem cache keeps it) for the callers that gather words in a hash table. */
uint32_t analyzer_word_hash(const char *s, size_t len);

/* Per-thread state: a Snowball stemmer, a stem cache, scratch buffers. Not thread-safe. */
typedef struct analyzer analyzer;

/* A new analyzer, or NULL when out of memory. */
analyzer *analyzer_new(void);
void analyzer_free(analyzer *a);

/*
 * Analyze `len` bytes of UTF-8 `text`. Positions continue from `*pos` (0 for a fresh
 * run; the last position used is written back), so a title and a body can share one
 * position space with a gap between them. Invalid UTF-8 bytes separate words.
 * Returns 0, the callback's non-zero value, or -1 when out of memory.
 */
int analyzer_run(analyzer *a, const char *text, size_t len, uint32_t *pos,
		 analyzer_emit_fn emit, void *userdata);

/*
 * The first two bytes of the terms a caller looks for (snippets: the query's terms), so
 * that analyzer_run_filtered() can skip, before normalizing and stemming them, the
 * words that cannot analyze to any of them.
 */
typedef struct analyzer_filter {
	/* for each ASCII byte c: 0 when no wanted term starts with it, 1 when any word
	   starting with it is wanted, 2 when only those going on with a byte of second[c] */
	unsigned char first[128];
	unsigned char second[128][16]; /* bit d: a wanted term starts with c then d (a-z) */
} analyzer_filter;

/* An empty filter: it admits only words starting with a non-ASCII character. */
void analyzer_filter_init(analyzer_filter *f);
/* Admit the words that may analyze to `term` (a term or alt, NUL-terminated), or to a
   term starting with it: the filter looks at two first characters only. "" admits
   all. */
void analyzer_filter_add(analyzer_filter *f, const char *term);

/*
 * analyzer_run(), but the words `filter` does not admit are skipped: not emitted, but
 * still counted in positions. Every token whose term or alt was added to the filter is
 * emitted as analyzer_run() would; some others are too (the filter looks at the first
 * two characters only).
 */
int analyzer_run_filtered(analyzer *a, const char *text, size_t len, uint32_t *pos,
			  const analyzer_filter *filter, analyzer_emit_fn emit, void *userdata);

/*
 * Like analyzer_run, but stopwords are reported too (with term = the lowercase word and
 * is_stop set through `stop`): the query parser needs them to tell the person which
 * words were ignored, and to keep phrase gaps.
 */
typedef int (*analyzer_emit_all_fn)(const analyzer_token *tok, int is_stop, void *userdata);
int analyzer_run_all(analyzer *a, const char *text, size_t len, uint32_t *pos,
		     analyzer_emit_all_fn emit, void *userdata);

/*
 * analyzer_run_all(), with analyzer_run_filtered()'s filter: stopwords too are emitted
 * only when the filter admits them (a stopword's term is the word itself, lowercase, so
 * adding it, or its folded form, admits it).
 */
int analyzer_run_all_filtered(analyzer *a, const char *text, size_t len, uint32_t *pos,
			      const analyzer_filter *filter, analyzer_emit_all_fn emit,
			      void *userdata);

/*
 * 1 when `word` (lowercase NFC UTF-8, elision stripped) is a French stopword: the
 * current Snowball list, which keeps "est" (l'Est) and its other homonyms indexable.
 */
int analyzer_is_stopword(const char *word, size_t len);

/*
 * Remove accents and lowercase: "Élection" -> "election", "cœur" -> "coeur". Writes a
 * NUL-terminated result into `out` (at most `cap` bytes, truncated at a character
 * boundary) and returns its length; invalid UTF-8 bytes are dropped. Used for the folded
 * forms and for author terms.
 */
size_t analyzer_fold(const char *in, size_t len, char *out, size_t cap);

/* Bytes of the apostrophe the analyzer elides at (' ’ ‘ ʼ ＇) starting `s` (`n` bytes
 * readable), or 0 when none starts there. */
size_t analyzer_apostrophe_len(const char *s, size_t n);

#endif
