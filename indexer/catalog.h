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

typedef struct catalog_row {
	const char *path;
	uint64_t size;
	int64_t mtime_ns;
	uint64_t hash;
	const char *title, *author, *date, *format, *encoding;
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
/* Update the size and mtime of an unchanged file. */
int catalog_touch(catalog *c, const char *path, uint64_t size, int64_t mtime_ns);
int catalog_delete(catalog *c, const char *path);
/* Delete every row (before a rebuild). */
int catalog_clear(catalog *c);
int64_t catalog_count(catalog *c);

/* The last error message. */
const char *catalog_errmsg(catalog *c);

#endif
