/*
 * "Did you mean": the query with its words that match nothing or very little replaced by
 * close words of the index's spelling data (the words of the indexed articles, as
 * written: lowercase, accents kept).
 */
#ifndef FOUILLE_SUGGEST_H
#define FOUILLE_SUGGEST_H

#include <stddef.h>

#include "../indexer/analyzer.h"
#include "../indexer/xapian_store.h"
#include "query.h"

/* A word matching at most this many articles may be a typo... */
#define SUGGEST_RARE 1
/* ...when the suggested word matches at least this many times more. */
#define SUGGEST_RATIO 5

/*
 * The suggested query for `text` (what the person typed), or *out NULL when there is
 * nothing to suggest. `terms` are the query's positive terms (query_terms()): only the
 * words of `text` that produce one of them are considered (not excluded words, field
 * names, operators or prefixes). A word is replaced by the spelling data's closest word
 * (xs_reader_spelling(): at most 1 edit for words of up to 4 characters, else 2, accents
 * and case not counted) when:
 *  - the word matches no article and the suggestion does, or it matches at most
 *    SUGGEST_RARE articles and the suggestion SUGGEST_RATIO times more (a typo: `guere`
 *    -> `guerre`); or
 *  - the word as typed is written nowhere in the index, and the suggestion is the same
 *    word as the index writes it (same analysed term: accents `evenement` ->
 *    `événement`, a name `poutin` -> `Poutine`), unless they differ only by a plural s/x.
 * The other words stay as typed; a suggestion takes the case of the typed word (the
 * spelling data is lowercase): its first letter uppercase when the typed one is, every
 * letter when the typed word is all capitals (`Poutinne` -> `Poutine`, `POUTINNE` ->
 * `POUTINE`); typed in lowercase, a name gets its capital back when more than half of
 * the articles holding it write it with a capital initial everywhere
 * (xs_reader_spelling_caps(): `poutin` -> `Poutine`, while `plusiers` -> `plusieurs`,
 * which starts some sentences only).
 * Never the query itself, and never a query that finds nothing: the suggestion is run
 * (with every word required, or any word when `any` is set) and dropped when it finds
 * no article.
 * Returns 0, or -1 when out of memory. *out is malloc'ed.
 */
int suggest_query(char **out, analyzer *an, xs_reader *r, const char *text,
		  const query_term *terms, size_t nterms, int any);

#endif
