/*
 * The query parser: what a person typed -> a Xapian query (through xapian_store.h) plus
 * the terms to highlight in snippets. Words go through the same analyzer as the text.
 *
 * Never a syntax error: stray quotes, a lone `-`, punctuation and emoji are read the way
 * a person meant them; what was dropped or repaired is said in query_notice().
 *
 * What is understood (query.c has the grammar, ranking.h the weights):
 *   guerre paix          every word must match (AND); query_build(q, 1) relaxes to OR
 *   securite             a word matches its analyzed forms: accents and elisions do not
 *                        matter; a word the analyzer splits (peut-être, États-Unis)
 *                        is matched as a phrase of its parts
 *   "armée russe"        a phrase, also between « », “ ”, „ “; stopwords inside keep
 *                        their gaps; an unclosed quote runs to the end
 *   -grève -"armée russe" -(a b)   exclusion; a lone `-` is just a dash
 *   NOT grève, SAUF grève          the same as -grève (uppercase)
 *   guerre OR paix       either (uppercase OR, or OU); AND / ET are accepted and ignored
 *   (guerre OR paix) Kharkiv   grouping; unbalanced parentheses are closed or ignored
 *   guer*                every term starting with the folded prefix "guer" (terms are
 *                        stems: guerre, guerrier...), the 100 most frequent, as one
 *                        term. A prefix longer than the stems it means (`guerre*`,
 *                        stem guerr; `élection*`, stem elect) would find nothing, so the
 *                        typed word's own forms are added when the prefix does not
 *                        cover them; the price: `guerri*` (stem guerr) finds guerre too
 *   guerre NEAR paix     both within 10 other words, in any order; NEAR/3: within 3
 *   "guerre paix"~5      the phrase's words within 5 other words, in any order
 *   title:guerre  title:"armée russe"  title:(guerre OR paix)  title:guer*
 *                        in the title only (titre: too)
 *   author:Dupont  author:"Jean Dupont"  author:dup*
 *                        every folded token of the name among the author's (auteur: too)
 *   date:2023            that year; date:2023-04 that month; date:2023-04-12 that day
 *                        (also 12/04/2023 and 04/2023)
 *   date:2023-01..2023-06  a range, from the first day of its start to the last day of
 *                        its end; date:..2023 and date:2024.. open ends
 *   date:>=2024-03-01  date:>2023  date:<2023  date:<=2023-06   comparisons
 * author: and date: are filters: they select articles and add no weight, and relaxing
 * to OR keeps them. Whatever cannot be read is read as words, with a notice: date:hier
 * searches the word "hier" and says "could not read the date 'hier'".
 * At most 64 words (prefixes and filters included) are used; the rest is dropped with
 * a notice.
 */
#ifndef FOUILLE_QUERY_H
#define FOUILLE_QUERY_H

#include <stddef.h>

#include "../indexer/analyzer.h"
#include "../indexer/xapian_store.h"

/*
 * One term to look for when highlighting: `word` numbers the distinct query words
 * (0, 1, ... in query order; the term and alt forms of a word share its number, and so
 * do repeats of a word), so that a snippet can count distinct words, not spellings.
 * With `prefix` set, `term` is the folded prefix of `guer*`: it stands for every term
 * starting with it, the test Xapian's wildcard applies to the index's terms.
 */
typedef struct query_term {
	const char *term;
	unsigned word;
	int prefix;
} query_term;

/*
 * One position of a phrase: a word (its analyzed term and alt form, as in query_term),
 * a stopword (`stop` set, `term` the stopword folded: "de", "a" for à), or, with `term`
 * NULL, a position the analyzer kept but gave no term (rare: a word that folds to
 * nothing).
 */
typedef struct query_phrase_word {
	const char *term;
	const char *alt;
	int stop;
} query_phrase_word;

/*
 * A phrase of the query as Xapian matches it: a positive quoted phrase or a word the
 * analyzer splits (`États-Unis`), in the body or in title:, but not a `"..."~N` nor the
 * words of a NEAR (those match in any order). words[i] is at phrase position i, from
 * its first word to its last, stopwords in between included. A phrase's id for the
 * snippet code is its index in query_phrases().
 */
typedef struct query_phrase {
	const query_phrase_word *words;
	size_t nwords; /* >= 2 */
} query_phrase;

typedef struct query query;

/*
 * Parse `len` bytes of `text`. Returns 0 with *out set, or -1 (out of memory) with
 * *out NULL. An empty query (no searchable word) still parses: see query_is_empty().
 */
int query_parse(query **out, analyzer *a, const char *text, size_t len);
void query_free(query *q);

/* 1 when the query has nothing positive to search (only stopwords, punctuation, -x);
   a query of filters only (date:2023) is not empty: it lists what they select. */
int query_is_empty(const query *q);

/*
 * The number of positive top-level items other than filters (author:, date:): words,
 * phrases, prefixes, NEARs and parenthesized groups joined by the implicit AND
 * (relaxation makes sense when > 1). A query whose top level is an OR counts 1:
 * relaxing it would change nothing.
 */
size_t query_positive_count(const query *q);

/*
 * The Xapian query: top-level items joined with AND (or OR when `any` is set, the
 * relaxed form, filters still required); each word matches its analyzed forms, and its
 * title, lead and exact-accent forms add weight; an AND of several plain words gets a
 * proximity bonus (ranking.h); exclusions applied with AND_NOT. The caller frees it
 * with xs_query_free(). NULL when empty or out of memory.
 */
xs_query *query_build(const query *q, int any);

/* The distinct terms of the positive words, phrases and prefixes, for highlighting
   (excluded words are not in it). Borrowed: valid until query_free(). */
const query_term *query_terms(const query *q, size_t *n);

/* The phrases of the positive part of the query, in query order, so that a snippet
   highlights each occurrence as one span. Borrowed: valid until query_free(). */
const query_phrase *query_phrases(const query *q, size_t *n);

/*
 * A short note in English for the person, or NULL: what was dropped or repaired, joined
 * with "; ", e.g. "ignored common words: le, la; unbalanced quote closed at the end".
 * A query of only exclusions gets no note: query_is_empty() is set, the caller says so.
 */
const char *query_notice(const query *q);

#endif
