/*
 * Ranking: every weight fouille adds on top of BM25, in one place.
 *
 * The base is Xapian's BM25Weight with its defaults (k1 = 1, k2 = 0, k3 = 1, b = 0.5,
 * min_normlen = 0.5): each matching term scores by its within-document frequency, its
 * rarity across the index and the document's length. Every word of the text (title
 * included) is indexed unprefixed, so that unprefixed term alone decides whether an
 * article matches and gives it its body score. The index also holds, for ranking only:
 *
 *   S<term>      the title's words (with positions: title:"..." phrases use them)
 *   L<term>      the lead's words (the first paragraph; no positions)
 *   E<exact>     an accented word's exact spelling, accents kept and one plural s/x
 *                removed (analyzer_token.exact; no positions)
 *
 * The query builder (query.c) joins them to each word with AND_MAYBE, which adds weight
 * to an article that already matches and never lets an article match through them
 * alone. Scaling an AND_MAYBE branch by x adds x times that term's own BM25 score.
 *
 * The numbers were chosen with the ranking tests in tests/test_query.c (title > lead >
 * body at equal counts, pâté before pâte, close words before far ones) and kept small
 * enough that term frequency and rarity, BM25's own evidence, still decide between
 * articles that differ by more than one of these features.
 */
#ifndef FOUILLE_RANKING_H
#define FOUILLE_RANKING_H

/*
 * A query word found in the title counts about this many times a word of the body:
 * the S form is added with weight RANK_TITLE_WEIGHT - 1 on top of the unprefixed form
 * (which a title word also has). A title says what the article is about; 2.5 lets a
 * title match beat two or three body mentions but not a whole article about the word.
 * `title:word` scores its S form with the full RANK_TITLE_WEIGHT.
 */
#define RANK_TITLE_WEIGHT 2.5

/*
 * A word in the lead (the first paragraph, where news writing puts the essentials)
 * counts about this many times a word further down: L form added with weight
 * RANK_LEAD_WEIGHT - 1. Between body (1) and title, nearer the body: a lead is longer
 * than a title and says less per word.
 */
#define RANK_LEAD_WEIGHT 1.5

/*
 * A query word typed with accents adds this times the BM25 score of its exact spelling
 * (E form): `pâté` ranks an article with "pâté" above one with only "pâte", while
 * `pate` (no accent) finds both with no preference. Small on purpose: an E term is
 * rarer than its folded form, so its BM25 score is already higher; 0.25 breaks ties
 * and near-ties, and an article that uses the folded word much more still wins.
 */
#define RANK_EXACT_WEIGHT 0.25

/*
 * Proximity bonus for queries of several words (2 to RANK_PROXIMITY_MAX_WORDS plain
 * words in one AND): articles where they occur within RANK_NEAR_WINDOW positions (one
 * more per word beyond two), in any order, get RANK_NEAR_WEIGHT times those words'
 * scores again; where they occur as the typed phrase (in order, with the typed gaps),
 * RANK_PHRASE_WEIGHT more. So "guerre en Ukraine" written as such scores up to
 * 1 + 0.5 + 0.5 = 2 times the same words scattered over the article. Phrase matches
 * are what a person typing several words usually means, without making them required.
 */
#define RANK_NEAR_WINDOW 8
#define RANK_NEAR_WEIGHT 0.5
#define RANK_PHRASE_WEIGHT 0.5
/* More plain words than this get no proximity bonus: a pasted paragraph would make a
   window query that never matches and costs time. */
#define RANK_PROXIMITY_MAX_WORDS 8

/*
 * A prefix (`guer*`) matches at most this many terms, the most frequent ones, all
 * weighed as one term (Xapian's OP_SYNONYM), so a short prefix neither explodes the
 * query nor outweighs the other words.
 */
#define RANK_PREFIX_MAX_EXPANSION 100

#endif
