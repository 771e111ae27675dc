/*
 * The article catalog (sqlite): one row per article, what makes re-indexing
 * incremental and what lets a tool list or filter articles with SQL. It belongs to the
 * indexer: search reads only the Xapian index.
 */
#ifndef FOUILLE_CATALOG_H
#define FOUILLE_CATALOG_H

#include <stddef.h>
#include <stdint.h>

/* Bumped when the catalog's tables change. */
#define CATALOG_SCHEMA_VERSION 1

typedef struct catalog catalog;

/*
 * One article. A file holds one article (record "") or, for JSON, several: each is
 * (path, record) with record "id=..." or "n=...".
 */
typedef struct catalog_row {
	const char *path;
	const char *record;
	uint64_t size;      /* of the file */
	int64_t mtime_ns;   /* of the file */
	uint64_t hash;      /* of the article's content */
	uint64_t file_hash; /* of the whole file */
	const char *title, *author, *date, *format, *encoding, *url;
	int64_t indexed_at; /* seconds since the epoch */
} catalog_row;

/* Open or create the catalog at `path` (WAL mode). Errors are written into `err`. */
int catalog_open(catalog **out, const char *path, char *err, size_t errlen);
void catalog_close(catalog *c);

int catalog_begin(catalog *c);
int catalog_commit(catalog *c);
void catalog_rollback(catalog *c);

/* *out malloc'ed, NULL when unset. */
int catalog_get_meta(catalog *c, const char *key, char **out);
int catalog_set_meta(catalog *c, const char *key, const char *value);

/* Call fn for every row (strings valid during the call). Stops when fn returns != 0. */
typedef int (*catalog_row_fn)(const catalog_row *row, void *ud);
int catalog_each(catalog *c, catalog_row_fn fn, void *ud);

/* Insert or replace the row with this path. */
int catalog_put(catalog *c, const catalog_row *row);
/* Update the file's size, mtime and hash of an unchanged article. */
int catalog_touch(catalog *c, const char *path, const char *record, uint64_t size,
		  int64_t mtime_ns, uint64_t file_hash);
int catalog_delete(catalog *c, const char *path, const char *record);
/* Delete every row (before a rebuild). */
int catalog_clear(catalog *c);
int64_t catalog_count(catalog *c);

/*
 * Open an existing catalog read-only (for statistics while a writer may be running).
 * Returns 0, or -1 when there is none or it cannot be opened.
 */
int catalog_open_readonly(catalog **out, const char *path);

/*
 * Count the articles by `what` (CATALOG_BY_FORMAT or CATALOG_BY_AUTHOR), most frequent
 * first, at most `limit` groups; NULL values are left out. fn gets each group.
 */
enum catalog_group { CATALOG_BY_FORMAT, CATALOG_BY_AUTHOR };
typedef int (*catalog_count_fn)(const char *name, uint64_t count, void *ud);
int catalog_group_counts(catalog *c, enum catalog_group what, unsigned limit,
			 catalog_count_fn fn, void *ud);

/* The last error message. */
const char *catalog_errmsg(catalog *c);

#endif
