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

/* Value slots. */
#define XS_SLOT_DATE 0 /* "YYYYMMDD", sortable */

/* ---- documents ---------------------------------------------------------------- */

typedef struct xs_doc xs_doc;

xs_doc *xs_doc_new(void);
void xs_doc_free(xs_doc *d);
/* Add `term` at position `pos` with wdf increment `wdfinc`. */
int xs_doc_add_posting(xs_doc *d, const char *term, uint32_t pos, unsigned wdfinc);
/* Add `term` without position (boolean-ish terms: ids, years, authors). */
int xs_doc_add_term(xs_doc *d, const char *term, unsigned wdfinc);
int xs_doc_set_data(xs_doc *d, const void *data, size_t len);
int xs_doc_set_value(xs_doc *d, unsigned slot, const char *value, size_t len);

/* ---- writing ------------------------------------------------------------------ */

typedef struct xs_writer xs_writer;

/*
 * Open (or with `create`, create) the database in directory `dir` for writing.
 * FOUILLE_ELOCKED when another process holds it.
 */
int xs_writer_open(xs_writer **out, const char *dir, int create, char *err);
void xs_writer_close(xs_writer *w);

/* Add or replace the document whose unique id term is `idterm`. */
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
/* Commit everything written so far. */
int xs_writer_commit(xs_writer *w, char *err);
/* Discard everything written since the last commit. */
int xs_writer_cancel(xs_writer *w, char *err);
/* Database user metadata (written at the next commit). */
int xs_writer_set_meta(xs_writer *w, const char *key, const char *value, char *err);
/* *out is malloc'ed ("" when unset); free() it. */
int xs_writer_get_meta(xs_writer *w, const char *key, char **out, char *err);
uint64_t xs_writer_doccount(xs_writer *w);

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
void xs_reader_close(xs_reader *r);
/* *out is malloc'ed ("" when unset); free() it. */
int xs_reader_get_meta(xs_reader *r, const char *key, char **out, char *err);
uint64_t xs_reader_doccount(xs_reader *r);

/* One match, passed to an xs_match_fn. `data` is the document data. */
typedef struct xs_match {
	uint32_t docid;
	double score;
	size_t rank; /* 0-based rank in the whole result list */
	const void *data;
	size_t len;
} xs_match;
typedef int (*xs_match_fn)(const xs_match *m, void *ud);

/*
 * Run `q`, calling `fn` for the matches ranked offset..offset+limit-1. *estimated
 * receives Xapian's estimate of the total number of matches. Retries once after
 * reopening when the database was modified under the reader.
 */
int xs_reader_search(xs_reader *r, const xs_query *q, size_t offset, size_t limit,
		     xs_match_fn fn, void *ud, uint64_t *estimated, char *err);

/*
 * Call `fn` for every term starting with `prefix` ("" for all), with the number of
 * documents holding it. Stops when fn returns non-zero.
 */
typedef int (*xs_term_fn)(const char *term, size_t len, uint64_t termfreq, void *ud);
int xs_reader_each_term(xs_reader *r, const char *prefix, xs_term_fn fn, void *ud, char *err);

/* The number of documents containing `term` (0 when absent or on error). */
uint64_t xs_reader_termfreq(xs_reader *r, const char *term);

#ifdef __cplusplus
}
#endif

#endif
