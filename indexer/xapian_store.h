/*
 * The C side of the one C++ file (xapian_store.cc) that talks to Xapian. Everything
 * here takes and returns C types; every entry point catches every exception and turns
 * it into a status code plus a message written into the caller's `err` buffer.
 *
 * Status codes are the public FOUILLE_* codes from fouille.h.
 */
#ifndef FOUILLE_XAPIAN_STORE_H
#define FOUILLE_XAPIAN_STORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XS_ERRLEN 512

/* Term prefixes (Xapian conventions). Body and title words carry no prefix. */
#define XS_PREFIX_TITLE "S"
#define XS_PREFIX_AUTHOR "A"
#define XS_PREFIX_ID "Q"
#define XS_PREFIX_YEAR "Y"
#define XS_PREFIX_LEAD "L"  /* words of the lead (first paragraph), weighted between title and body */
#define XS_PREFIX_EXACT "E" /* stem of an accented word, accents kept: ranks exact spellings first */
#define XS_PREFIX_SIGNATURE "G" /* the collapse signature (XS_SLOT_COLLAPSE) again, as a term:
                                   its frequency tells a search whether a hit has a
                                   near-duplicate anywhere (xs_reader_search) */
/* On an article whose signature another article of the index held when it was written
   (update.c): of an index's articles sharing a signature, at most one lacks it. A
   search of one index counts its matches with near-duplicates folded from the few
   marked ones (count_folded). Not a signature term: those are lowercase hex. */
#define XS_TERM_DUPLICATE "GD"
/* Marked articles past which an index stops writing G and GD terms (update.c) and its
   searches collapse with Xapian: a count folded from the marks reads up to 100 + that
   many plain matches, where collapsing stops at 100 in each database. */
#define XS_FOLD_MAX 1000
/* User metadata, in every database of an index: "off" once it passed XS_FOLD_MAX marked
   articles (its later articles have no G or GD term), until a rebuild. */
#define XS_META_FOLDING "fouille.folding"

/* Value slots. */
#define XS_SLOT_DATE 0     /* "YYYYMMDD", sortable */
#define XS_SLOT_AUTHOR 1   /* the author as written, for facets */
#define XS_SLOT_YEAR 2     /* "YYYY", for facets */
#define XS_SLOT_COLLAPSE 3 /* a signature shared by near-duplicate articles */
/* The stored record (docrecord.h: path, title, text... for snippets and updates). In a
 * value rather than the document data because Xapian zlib-compresses document data as
 * it adds each document, in the one writing thread: that was a fifth of a full index
 * run's instructions, and a search inflated each hit's text again. Values are stored
 * as they are (the index grows by about a fifth) and travel to remote shards with the
 * document, like its data. */
#define XS_SLOT_RECORD 4

/* ---- documents ---------------------------------------------------------------- */

typedef struct xs_doc xs_doc;

xs_doc *xs_doc_new(void);
void xs_doc_free(xs_doc *d);
/* Add `term` at position `pos` with wdf increment `wdfinc`. */
int xs_doc_add_posting(xs_doc *d, const char *term, uint32_t pos, unsigned wdfinc);
/* Add `term` without position (boolean-ish terms: ids, years, authors). */
int xs_doc_add_term(xs_doc *d, const char *term, unsigned wdfinc);
/* Set the document's stored record (XS_SLOT_RECORD). */
int xs_doc_set_data(xs_doc *d, const void *data, size_t len);
int xs_doc_set_value(xs_doc *d, unsigned slot, const char *value, size_t len);
/* The number of distinct terms of the document (what the writer's in-memory postings
 * grow by when it is added). */
size_t xs_doc_term_count(const xs_doc *d);

/* ---- writing ------------------------------------------------------------------ */

typedef struct xs_writer xs_writer;

/*
 * Open (or with `create`, create) the database in directory `dir` for writing.
 * FOUILLE_ELOCKED when another process holds it. xs_writer_open_with(..., 1, 0, err).
 */
int xs_writer_open(xs_writer **out, const char *dir, int create, char *err);
/*
 * The same, creating `shards` databases in `dir` when there is none yet and `shards` > 1
 * (dir/s0, dir/s1..., named by dir/XAPIANDB, Xapian's stub format: Xapian::Database,
 * and so a reader, opens the directory as one database of them all). An existing index
 * keeps the shards it was created with. With several shards each has a thread writing
 * it: xs_writer_replace() and xs_writer_delete() hand the document to the thread of the
 * shard its id term hashes to and return; a failure there is returned by a later call
 * (at the latest the commit, which commits every shard, each in its thread). The
 * metadata and the spelling data are shard 0's. A writer is used by one thread at a time.
 * With `no_sync`, commits are not synced to disk (Xapian's DB_NO_SYNC): for a first
 * index, whose files the caller syncs at the end (unsynced.h).
 */
int xs_writer_open_with(xs_writer **out, const char *dir, int create, unsigned shards, int no_sync,
			char *err);
/* The number of databases the writer writes (1 for an index of one). */
size_t xs_writer_shard_count(const xs_writer *w);
void xs_writer_close(xs_writer *w);

/* Add or replace the document whose unique id term is `idterm`. The writer takes the
   document's content: `doc` is left empty, to be freed by the caller. */
int xs_writer_replace(xs_writer *w, const char *idterm, xs_doc *doc, char *err);
/* Delete the document with unique id term `idterm` (no error when absent). */
int xs_writer_delete(xs_writer *w, const char *idterm, char *err);
/*
 * Move the document `old_idterm` to `new_idterm` without re-analysing it: its terms
 * and positions stay, its data is replaced by `data`. FOUILLE_ENOTFOUND when absent.
 */
int xs_writer_rename(xs_writer *w, const char *old_idterm, const char *new_idterm,
		     const void *data, size_t len, char *err);
/* The data of the document `idterm` (*out malloc'ed). FOUILLE_ENOTFOUND when absent. */
int xs_writer_get_data(xs_writer *w, const char *idterm, char **out, size_t *len, char *err);
/* Commit everything written so far, the spelling changes held included. */
int xs_writer_commit(xs_writer *w, char *err);
/*
 * Commit everything written so far but the spelling changes, kept in memory for a later
 * commit (several commits of one update would each rewrite most of the spelling data:
 * every commit changes the frequencies of the common words), unless they hold more than
 * ~500,000 words. The committed database says so (XS_META_SPELLING_PENDING) until the
 * commit that writes them; a writer closed or killed before it leaves the spelling data
 * stale (xs_writer_spelling_stale()).
 */
int xs_writer_commit_keep_spelling(xs_writer *w, char *err);
/* That bound, in distinct words (tests). */
void xs_writer_set_spelling_held_max(xs_writer *w, size_t words);
/*
 * Discard everything written since the last commit. Spelling changes of documents
 * committed before are written, in a commit of their own; when that fails, the
 * spelling data stays stale.
 */
int xs_writer_cancel(xs_writer *w, char *err);
/*
 * The spelling data ("did you mean"): fouille's own, kept as user metadata of the
 * database (Xapian's remote protocol carries metadata, not its spelling table), one
 * frequency per word (the number of articles holding it) and lists of the words
 * holding each fragment of their folded form. Changes are gathered in memory and
 * written at the next xs_writer_commit(), in its transaction; xs_writer_cancel() drops
 * those of the transaction it drops.
 *
 * Add `freqinc` to the frequency of `word` (as written: lowercase, accents kept), and
 * `capsinc` to its caps, the articles among them writing it with a capital initial
 * everywhere (xs_reader_spelling_capitalized()).
 */
int xs_writer_add_spelling(xs_writer *w, const char *word, unsigned freqinc, unsigned capsinc,
			   char *err);
/*
 * xs_writer_add_spelling() with freqinc 1 for each word of one article, under one lock:
 * `words` holds `len` bytes of words back to back, each NUL-terminated and followed by
 * one byte, its capsinc (a non-zero byte counts 1). Returns FOUILLE_OK; FOUILLE_EINVAL
 * when the last entry is cut short (its word or caps byte missing: that entry is not
 * counted, the ones before it are); FOUILLE_ENOMEM when out of memory (the words counted
 * before stay counted, in the open transaction, which a cancel drops). `err` gets the
 * message.
 */
int xs_writer_add_spelling_words(xs_writer *w, const char *words, size_t len, char *err);
/* Take `freqdec` from the frequency of `word` and `capsdec` from its caps; a word at 0
   is no longer suggested. */
int xs_writer_remove_spelling(xs_writer *w, const char *word, unsigned freqdec, unsigned capsdec,
			      char *err);
/*
 * Called with the data of each document that xs_writer_delete() or xs_writer_replace()
 * is about to remove, so that the words it added to the spelling data are taken away
 * (with xs_writer_remove_spelling). Returns FOUILLE_OK or an error code, which the
 * delete or replace returns. NULL (the default): nothing is taken away.
 */
typedef int (*xs_forget_fn)(xs_writer *w, const void *data, size_t len, void *ud);
void xs_writer_on_forget(xs_writer *w, xs_forget_fn fn, void *ud);
/*
 * Drop the whole spelling data (and what an older fouille wrote to Xapian's own spelling
 * table), at the next commit: for a rebuild. The documents in the database now are no
 * longer counted, so deleting them takes nothing away.
 */
int xs_writer_clear_spelling(xs_writer *w, char *err);
/*
 * *stale = 1 when the committed spelling data misses changes of committed documents
 * that no commit wrote (a writer was killed, or closed, after
 * xs_writer_commit_keep_spelling()); xs_writer_recount_spelling() makes it right.
 */
int xs_writer_spelling_stale(xs_writer *w, int *stale, char *err);
/*
 * Drop the whole spelling data and count it again, at the next commit: `count` is called
 * with the data of every document (as xs_writer_each() lists them) and adds its words
 * with xs_writer_add_spelling(). Returns FOUILLE_OK, or count's error.
 */
int xs_writer_recount_spelling(xs_writer *w, xs_forget_fn count, void *ud, char *err);

/* Words counted by the caller, for xs_writer_check_spelling(). */
typedef struct xs_tally xs_tally;
xs_tally *xs_tally_new(void);
void xs_tally_free(xs_tally *t);
/* Count `word` once more (`capitalized`: in an article writing it with a capital initial
   everywhere). FOUILLE_ENOMEM when out of memory. */
int xs_tally_add(xs_tally *t, const char *word, int capitalized);
/*
 * Compare the committed spelling data with `t` (every word and the number of articles
 * holding it): each word's frequency, and each word in the list of each of its
 * fragments and in no other. `fn` gets a sentence per difference; *problems their
 * number. Returns FOUILLE_OK when the check ran.
 */
typedef void (*xs_problem_fn)(const char *problem, void *ud);
int xs_writer_check_spelling(xs_writer *w, const xs_tally *t, xs_problem_fn fn, void *ud,
			     size_t *problems, char *err);
/* Database user metadata (written at the next commit). */
int xs_writer_set_meta(xs_writer *w, const char *key, const char *value, char *err);
/* The same with a value of `len` bytes, NULs included (the spelling lists' form). */
int xs_writer_set_meta_bytes(xs_writer *w, const char *key, const void *value, size_t len, char *err);
/* *out is malloc'ed ("" when unset); free() it. */
int xs_writer_get_meta(xs_writer *w, const char *key, char **out, char *err);
uint64_t xs_writer_doccount(xs_writer *w);
/* The same metadata in every database of the index (written at the next commit). */
int xs_writer_set_meta_everywhere(xs_writer *w, const char *key, const char *value, char *err);
/* The number of documents holding `term`, in the index as written so far. */
int xs_writer_termfreq(xs_writer *w, const char *term, uint64_t *freq, char *err);

/*
 * Call `fn` for every document: its id term and data. Used to rebuild the catalog from
 * the index after a crash between the two commits. Stops when fn returns non-zero.
 */
typedef int (*xs_doc_fn)(const char *idterm, const void *data, size_t len, void *ud);
int xs_writer_each(xs_writer *w, xs_doc_fn fn, void *ud, char *err);

/* ---- queries ------------------------------------------------------------------ */

typedef struct xs_query xs_query;

enum xs_op {
	XS_AND,
	XS_OR,
	XS_AND_NOT,   /* first subquery minus the others */
	XS_AND_MAYBE, /* first subquery, the others only add weight */
	XS_PHRASE,    /* subqueries in order within `window` positions */
	XS_NEAR       /* subqueries in any order within `window` positions */
};

/* A term query; `pos` is the position in the query (for phrases), 0 when unknown. */
xs_query *xs_query_term(const char *term, uint32_t pos);
/*
 * Combine `n` subqueries with `op`. Takes ownership of the subqueries (frees them,
 * also on failure). `window` is used by PHRASE and NEAR (0: number of subqueries).
 * NULL subqueries are skipped. Returns NULL when out of memory.
 */
xs_query *xs_query_combine(enum xs_op op, xs_query **subs, size_t n, unsigned window);
/*
 * Documents whose value in `slot` lies in [lo, hi] (string order); `lo` or `hi` NULL
 * for an open end (not both).
 */
xs_query *xs_query_value_range(unsigned slot, const char *lo, const char *hi);
/*
 * Every term starting with `prefix` (which includes any term prefix, e.g. "Sguer"),
 * the `max_expansion` most frequent at most, as one synonym. NULL when out of memory.
 */
xs_query *xs_query_wildcard(const char *prefix, unsigned max_expansion);
/* Multiply the weight of `q` by `factor` (takes ownership). */
xs_query *xs_query_scale(xs_query *q, double factor);
/* A copy of `q`, or NULL. */
xs_query *xs_query_clone(const xs_query *q);
void xs_query_free(xs_query *q);
/* A human-readable description (malloc'ed), for debugging and tests. */
char *xs_query_describe(const xs_query *q);

/* ---- reading ------------------------------------------------------------------ */

typedef struct xs_reader xs_reader;

/* FOUILLE_ENOTFOUND when there is no database at `dir`. */
int xs_reader_open(xs_reader **out, const char *dir, char *err);

/* One database of a reader opened with xs_reader_open_shards(). */
typedef struct xs_shard_spec {
	const char *path;   /* a local database directory; NULL for a remote shard */
	const char *host;   /* a remote shard: xapian-tcpsrv on host:port */
	unsigned port;
	const char *label;  /* how messages and notices name it: the path, or host:port */
	const char *origin; /* where it was named, for messages ("line 2 of FILE"), or NULL */
} xs_shard_spec;

/*
 * Open `n` shards read-only and search them as one database (Xapian combines their
 * statistics, so ranking is that of one database holding every document). Remote
 * connections use `timeout_ms` for connecting and for each operation (0: Xapian's
 * default, 10 s). A shard that cannot be opened is an error naming it, unless
 * `allow_partial`: then it is left out (xs_reader_shard_problem() says why) and the
 * others are searched, as long as one at least opens. The same goes for a remote shard
 * that stops answering during a search. The specs are copied.
 */
int xs_reader_open_shards(xs_reader **out, const xs_shard_spec *specs, size_t n,
			  unsigned timeout_ms, int allow_partial, char *err);
void xs_reader_close(xs_reader *r);
/* The number of Xapian databases searched: each shard's, an index written in several
   (xs_writer_open_with()) counting as many. */
size_t xs_reader_database_count(const xs_reader *r);
/* The number of shards the reader was opened with (1 for xs_reader_open()). */
size_t xs_reader_shard_count(const xs_reader *r);
/* The shard's label, or NULL when `i` is out of range. */
const char *xs_reader_shard_label(const xs_reader *r, size_t i);
/* Why shard `i` is left out ("does not answer: ..."), or NULL when it is searched. */
const char *xs_reader_shard_problem(const xs_reader *r, size_t i);
/* Metadata of shard `i` alone, as opened (no reopen first); *out malloc'ed ("" when
 * unset). FOUILLE_EIO naming the shard when it does not answer. */
int xs_reader_shard_get_meta(xs_reader *r, size_t i, const char *key, char **out, char *err);
/* The number of documents of shard `i` alone (0 when left out or on error). */
uint64_t xs_reader_shard_doccount(xs_reader *r, size_t i);
/* Leave shard `i` out of the searches (with allow_partial, one that failed after opening).
 * FOUILLE_EIO when no shard would be left. */
int xs_reader_leave_out(xs_reader *r, size_t i, char *err);
/* *out is malloc'ed ("" when unset); free() it. */
int xs_reader_get_meta(xs_reader *r, const char *key, char **out, char *err);
/* The prefix of the metadata keys of the spelling data (xs_writer_add_spelling()). */
#define XS_META_SPELLING "fouille.spell:"
/* Set ("1") while committed documents' spelling changes are not written yet
   (xs_writer_commit_keep_spelling()); not under XS_META_SPELLING. */
#define XS_META_SPELLING_PENDING "fouille.spell.pending"
/* Call `fn` for each metadata key starting with `prefix` and its value, in key order.
   Stops when fn returns non-zero. */
typedef int (*xs_meta_fn)(const char *key, const char *value, size_t len, void *ud);
int xs_reader_each_meta(xs_reader *r, const char *prefix, xs_meta_fn fn, void *ud, char *err);
uint64_t xs_reader_doccount(xs_reader *r);

/* One match, passed to an xs_match_fn. `data` is the document data. */
typedef struct xs_match {
	uint32_t docid;
	double score;
	size_t rank; /* 0-based rank in the whole result list */
	const void *data;
	size_t len;
	uint64_t collapsed; /* with collapsing: how many more matches share its signature
	                       (counted up to a few hundred on one local index without
	                       facets; elsewhere Xapian's lower bound) */
	size_t shard;       /* the shard holding it (index in the reader's shards) */
	const char *shard_meta; /* with xs_search_opts.shard_meta_key: that metadata of its
	                           shard ("" when unset), else NULL */
} xs_match;
typedef int (*xs_match_fn)(const xs_match *m, void *ud);

/* One facet value and the number of matches having it. */
typedef int (*xs_facet_fn)(unsigned slot, const char *value, size_t len, uint64_t count, void *ud);

enum xs_sort { XS_SORT_RELEVANCE = 0, XS_SORT_DATE_ASC = 1, XS_SORT_DATE_DESC = -1 };

typedef struct xs_search_opts {
	enum xs_sort sort; /* by relevance, or by XS_SLOT_DATE (undated articles last) */
	int collapse;      /* keep the best match per XS_SLOT_COLLAPSE value */
	xs_facet_fn facet; /* when set: called for each value of XS_SLOT_AUTHOR and
	                      XS_SLOT_YEAR over every match (not just the page) */
	void *facet_ud;
	const char *shard_meta_key; /* when set: each match carries this metadata of the
	                               shard holding it (e.g. its indexed folder) */
	int *exact; /* when set: receives 1 when *estimated is an exact count, 0 when Xapian
	               could only bound it */
} xs_search_opts;

/*
 * Run `q`, calling `fn` for the matches ranked offset..offset+limit-1 (`opts` may be
 * NULL for relevance order, no collapsing, no facets). *estimated receives the number of
 * matches: exact when below XS_COUNT_EXACT_BELOW, with facets, or when Xapian's bounds
 * meet (opts->exact says which), else Xapian's estimate (rounded; collapsing one local
 * index without facets, the plain search's less the share of marked near-duplicates).
 * Reopens the database first, and again when it was modified under the reader.
 */
#define XS_COUNT_EXACT_BELOW 100 /* matches checked at the least, so small counts are exact */
int xs_reader_search(xs_reader *r, const xs_query *q, size_t offset, size_t limit,
		     const xs_search_opts *opts, xs_match_fn fn, void *ud, uint64_t *estimated,
		     char *err);

/*
 * The word of the spelling data closest to `word`, or *out NULL when none. One algorithm
 * for one database and for any mix of local and remote shards, so that shards give what
 * one database holding all their articles gives: the candidates are the words sharing a
 * fragment of the folded word with `word`, from every shard; those at most `max_edit`
 * edits away (folded: accents and case do not count) are ranked by fewest edits folded,
 * then fewest edits as written, then highest frequency (summed over the shards), then
 * byte order. None when `word` itself is at least as frequent as the best. With remote
 * shards each fragment list is one round trip per shard (the shards are asked at the
 * same time); lists are kept until the database changes. *out malloc'ed.
 */
int xs_reader_spelling(xs_reader *r, const char *word, unsigned max_edit, char **out, char *err);
/* The number of articles holding `word` as written (summed over the shards): 0 when it
   is not a word of the index (or on error). */
uint64_t xs_reader_spelling_frequency(xs_reader *r, const char *word);
/* Of those articles, the number writing `word` with a capital initial everywhere they
   hold it (a name: Poutine, Nantes), summed over the shards: 0 also on error. */
uint64_t xs_reader_spelling_caps(xs_reader *r, const char *word);

/*
 * Call `fn` for every term starting with `prefix` ("" for all), with the number of
 * documents holding it. Stops when fn returns non-zero.
 */
typedef int (*xs_term_fn)(const char *term, size_t len, uint64_t termfreq, void *ud);
int xs_reader_each_term(xs_reader *r, const char *prefix, xs_term_fn fn, void *ud, char *err);

/* The number of documents containing `term` (0 when absent or on error). */
uint64_t xs_reader_termfreq(xs_reader *r, const char *term);
/* *another: 1 when a document other than the one with id term `id` (if any) holds
 * `term`, else 0. FOUILLE_OK, or an error code and `err`. */
int xs_reader_held_by_another(xs_reader *r, const char *term, const char *id, int *another,
			      char *err);
/*
 * Whether `term` occurs in document `docid` (an id of a match) at a position above
 * `after`: 1 with *pos the first such position, 0 when it does not, -1 when that is not
 * known (a remote shard, where it would cost a round trip; an error). Reads the
 * reader's current revision without reopening it: pin the reader around the search
 * whose matches are asked about.
 */
int xs_reader_position_after(xs_reader *r, uint32_t docid, const char *term, uint32_t after,
			     uint32_t *pos);
/* Move to the latest commit once, then have every call read that revision until
 * xs_reader_unpin() (each call checks for a newer commit otherwise: a read of the
 * database's version file, several per search). A search and its suggestion and
 * count then see one revision. Left unpinned when the check fails: the calls report. */
void xs_reader_pin(xs_reader *r);
void xs_reader_unpin(xs_reader *r);

#ifdef __cplusplus
}
#endif

#endif
