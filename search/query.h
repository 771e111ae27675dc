/*
 * The query parser: what a person typed -> a Xapian query (through xapian_store.h) plus
 * the terms to highlight in snippets. Words go through the same analyzer as the text.
 *
 * Never a syntax error: stray quotes, a lone `-`, punctuation and emoji are read the way
 * a person meant them; what was dropped or repaired is said in query_notice().
 */
#ifndef FOUILLE_QUERY_H
#define FOUILLE_QUERY_H

#include <stddef.h>

#include "../indexer/analyzer.h"
#include "../indexer/xapian_store.h"

/* Weight factor of title matches relative to body matches. */
#define QUERY_TITLE_WEIGHT 2.5

/* One term to look for when highlighting: `word` numbers the distinct query words. */
typedef struct query_term {
	const char *term;
	unsigned word;
} query_term;

typedef struct query query;

/*
 * Parse `len` bytes of `text`. Returns 0 with *out set, or -1 (out of memory) with
 * *out NULL. An empty query (no searchable word) still parses: see query_is_empty().
 */
int query_parse(query **out, analyzer *a, const char *text, size_t len);
void query_free(query *q);

/* 1 when the query has no positive searchable word (only stopwords, punctuation, -x). */
int query_is_empty(const query *q);

/* The number of distinct positive words and phrases (relaxation makes sense when > 1). */
size_t query_positive_count(const query *q);

/*
 * The Xapian query: top-level items joined with AND (or OR when `any` is set, the
 * relaxed form); each word matches its analyzed forms in the body or, weighted by
 * QUERY_TITLE_WEIGHT, in the title; exclusions applied with AND_NOT. The caller frees
 * it with xs_query_free(). NULL when empty or out of memory.
 */
xs_query *query_build(const query *q, int any);

/* The terms of the positive words and phrases, for highlighting. */
const query_term *query_terms(const query *q, size_t *n);

/* A note for the person (ignored stopwords, repaired quotes), or NULL. */
const char *query_notice(const query *q);

#endif
