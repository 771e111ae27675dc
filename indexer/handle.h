/*
 * The index handle shared by the indexing (indexer/) and search (search/) halves of
 * the library. Private: embedders see only the opaque type.
 */
#ifndef FOUILLE_HANDLE_H
#define FOUILLE_HANDLE_H

#include "fouille.h"

#include "analyzer.h"
#include "catalog.h"
#include "xapian_store.h"

/* Bumped when what the index stores changes (terms, prefixes, document data). */
#define INDEX_SCHEMA_VERSION 6 /* 2: lead (L) and exact-accent (E) terms; 3: own spelling data;
                                  4: its words' capitals counted (caps);
                                  5: the record in a value slot (XS_SLOT_RECORD);
                                  6: the collapse signature as a term too (G) */

/* Xapian user metadata keys (also in the catalog's meta table where noted). */
#define META_GENERATION "fouille.generation" /* both stores */
#define META_ANALYZER "fouille.analyzer"     /* both stores */
#define META_SCHEMA "fouille.schema"
#define META_ROOT "fouille.root"
#define META_UPDATED "fouille.updated" /* ISO time of the last commit */

struct fouille_index {
	char *dir;          /* the index directory */
	char *xapian_dir;   /* dir/xapian */
	char *catalog_path; /* dir/catalog.sqlite */
	int lock_fd;        /* dir/writer.lock, held (flock) by a writer; -1 otherwise */
	unsigned flags;
	xs_writer *writer; /* with FOUILLE_OPEN_WRITE */
	catalog *cat;      /* with FOUILLE_OPEN_WRITE */
	xs_reader *reader; /* opened on first search */
	analyzer *an;      /* created on first use */
	analyzer *forget_an; /* the spelling data's, for a removed document's words: its own, as
	                        the writer may remove one while `an` is busy with another */
	char *root;        /* cached fouille_index_root() */
	int rebuild;       /* built by another analyzer/schema: the next update redoes all */
	int stub;          /* `dir` is a stub file: its shards are searched as one index */
	unsigned timeout_ms; /* remote shards: connect and answer timeout (0: default) */
	unsigned shards;     /* creating the index: its number of writer shards (0, 1: one) */
	int no_sync;         /* the writer does not sync its commits: a first index (unsynced.h) */
	int marked;          /* the "unsynced" marker is in `dir` */
	int lost_rebuilt;    /* an index lost with its machine was removed: said by the update */
	char err[XS_ERRLEN];
};

/* Set the handle's error message (printf-style) and return `code`. */
int handle_fail(fouille_index *idx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Clear the handle's error message. */
void handle_ok(fouille_index *idx);
/* The handle's reader, opened on first use; NULL with the error set on failure. */
xs_reader *handle_reader(fouille_index *idx);
/* The handle's analyzer, created on first use; NULL with the error set on failure. */
analyzer *handle_analyzer(fouille_index *idx);

#endif
