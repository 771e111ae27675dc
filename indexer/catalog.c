#include "catalog.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct catalog {
	sqlite3 *db;
	sqlite3_stmt *put, *touch, *del, *get_meta, *set_meta;
	char err[256];
};

static const char SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS articles("
	" id INTEGER PRIMARY KEY,"
	" path TEXT NOT NULL,"
	" record TEXT NOT NULL DEFAULT '',"
	" size INTEGER NOT NULL,"
	" mtime_ns INTEGER NOT NULL,"
	" hash TEXT NOT NULL,"
	" file_hash TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" author TEXT,"
	" date TEXT,"
	" format TEXT NOT NULL,"
	" encoding TEXT,"
	" url TEXT,"
	" indexed_at INTEGER NOT NULL,"
	" UNIQUE(path, record));"
	"CREATE INDEX IF NOT EXISTS articles_hash ON articles(hash);";

static int fail(catalog *c)
{
	snprintf(c->err, sizeof c->err, "catalog: %s", sqlite3_errmsg(c->db));
	return -1;
}

static int prepare(catalog *c, sqlite3_stmt **st, const char *sql)
{
	return sqlite3_prepare_v2(c->db, sql, -1, st, NULL) == SQLITE_OK ? 0 : fail(c);
}

int catalog_open(catalog **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	catalog *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "catalog: out of memory");
		return -1;
	}
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "catalog %s: %s", path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
		catalog_close(c);
		return -1;
	}
	sqlite3_busy_timeout(c->db, 5000);
	/* WAL keeps readers (SQL tools looking at the catalog) out of the writer's way;
	 * synchronous=NORMAL is durable at each checkpoint, and a lost tail is repaired from
	 * the Xapian index by the commit generation check. */
	if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK ||
	    prepare(c, &c->put,
		    "INSERT OR REPLACE INTO articles(path,record,size,mtime_ns,hash,file_hash,title,author,date,"
		    "format,encoding,url,indexed_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)") ||
	    prepare(c, &c->touch, "UPDATE articles SET size=?, mtime_ns=?, file_hash=? WHERE path=? AND record=?") ||
	    prepare(c, &c->del, "DELETE FROM articles WHERE path=? AND record=?") ||
	    prepare(c, &c->get_meta, "SELECT value FROM meta WHERE key=?") ||
	    prepare(c, &c->set_meta, "INSERT OR REPLACE INTO meta(key,value) VALUES(?,?)")) {
		snprintf(err, errlen, "catalog %s: %s", path, sqlite3_errmsg(c->db));
		catalog_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

int catalog_open_readonly(catalog **out, const char *path)
{
	*out = NULL;
	catalog *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		catalog_close(c);
		return -1;
	}
	sqlite3_busy_timeout(c->db, 5000);
	*out = c;
	return 0;
}

int catalog_group_counts(catalog *c, enum catalog_group what, unsigned limit,
			 catalog_count_fn fn, void *ud)
{
	/* the column name comes from this fixed choice, never from the caller */
	const char *sql = what == CATALOG_BY_FORMAT
				  ? "SELECT format, count(*) AS n FROM articles WHERE format IS NOT NULL"
				    " GROUP BY format ORDER BY n DESC, format LIMIT ?"
				  : "SELECT author, count(*) AS n FROM articles WHERE author IS NOT NULL"
				    " AND author != '' GROUP BY author ORDER BY n DESC, author LIMIT ?";
	sqlite3_stmt *st;
	if (prepare(c, &st, sql))
		return -1;
	sqlite3_bind_int(st, 1, (int)limit);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (name && fn(name, (uint64_t)sqlite3_column_int64(st, 1), ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int ret = rc == SQLITE_DONE ? 0 : fail(c);
	sqlite3_finalize(st);
	return ret;
}

void catalog_close(catalog *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->put);
	sqlite3_finalize(c->touch);
	sqlite3_finalize(c->del);
	sqlite3_finalize(c->get_meta);
	sqlite3_finalize(c->set_meta);
	sqlite3_close(c->db);
	free(c);
}

static int exec(catalog *c, const char *sql)
{
	return sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(c);
}

int catalog_begin(catalog *c)
{
	return exec(c, "BEGIN IMMEDIATE");
}

int catalog_commit(catalog *c)
{
	return exec(c, "COMMIT");
}

void catalog_rollback(catalog *c)
{
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Run a prepared statement that returns no rows, then reset it. */
static int step_done(catalog *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : fail(c);
}

int catalog_get_meta(catalog *c, const char *key, char **out)
{
	*out = NULL;
	sqlite3_bind_text(c->get_meta, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(c->get_meta), ret = 0;
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(c->get_meta, 0);
		if (v && !(*out = strdup(v)))
			ret = -1;
	} else if (rc != SQLITE_DONE) {
		ret = fail(c);
	}
	sqlite3_reset(c->get_meta);
	sqlite3_clear_bindings(c->get_meta);
	return ret;
}

int catalog_set_meta(catalog *c, const char *key, const char *value)
{
	sqlite3_bind_text(c->set_meta, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->set_meta, 2, value, -1, SQLITE_STATIC);
	return step_done(c, c->set_meta);
}

static uint64_t parse_hash(const char *s)
{
	return s ? strtoull(s, NULL, 16) : 0;
}

int catalog_each(catalog *c, catalog_row_fn fn, void *ud)
{
	sqlite3_stmt *st;
	if (prepare(c, &st, "SELECT path,size,mtime_ns,hash,title,author,date,format,encoding,indexed_at,"
			    "record,file_hash,url FROM articles"))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		catalog_row r = {
			.path = (const char *)sqlite3_column_text(st, 0),
			.size = (uint64_t)sqlite3_column_int64(st, 1),
			.mtime_ns = sqlite3_column_int64(st, 2),
			.hash = parse_hash((const char *)sqlite3_column_text(st, 3)),
			.title = (const char *)sqlite3_column_text(st, 4),
			.author = (const char *)sqlite3_column_text(st, 5),
			.date = (const char *)sqlite3_column_text(st, 6),
			.format = (const char *)sqlite3_column_text(st, 7),
			.encoding = (const char *)sqlite3_column_text(st, 8),
			.indexed_at = sqlite3_column_int64(st, 9),
			.record = (const char *)sqlite3_column_text(st, 10),
			.file_hash = parse_hash((const char *)sqlite3_column_text(st, 11)),
			.url = (const char *)sqlite3_column_text(st, 12),
		};
		if (!r.record)
			r.record = "";
		if (r.path && fn(&r, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int ret = rc == SQLITE_DONE ? 0 : fail(c);
	sqlite3_finalize(st);
	return ret;
}

int catalog_put(catalog *c, const catalog_row *r)
{
	char hash[17], file_hash[17];
	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)r->hash);
	snprintf(file_hash, sizeof file_hash, "%016llx", (unsigned long long)r->file_hash);
	sqlite3_stmt *st = c->put;
	sqlite3_bind_text(st, 1, r->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->record ? r->record : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)r->size);
	sqlite3_bind_int64(st, 4, r->mtime_ns);
	sqlite3_bind_text(st, 5, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, file_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, r->title ? r->title : "", -1, SQLITE_STATIC);
	if (r->author)
		sqlite3_bind_text(st, 8, r->author, -1, SQLITE_STATIC);
	if (r->date)
		sqlite3_bind_text(st, 9, r->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, r->format ? r->format : "text", -1, SQLITE_STATIC);
	if (r->encoding)
		sqlite3_bind_text(st, 11, r->encoding, -1, SQLITE_STATIC);
	if (r->url)
		sqlite3_bind_text(st, 12, r->url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, r->indexed_at);
	return step_done(c, st);
}

int catalog_touch(catalog *c, const char *path, const char *record, uint64_t size,
		  int64_t mtime_ns, uint64_t file_hash)
{
	char fh[17];
	snprintf(fh, sizeof fh, "%016llx", (unsigned long long)file_hash);
	sqlite3_bind_int64(c->touch, 1, (sqlite3_int64)size);
	sqlite3_bind_int64(c->touch, 2, mtime_ns);
	sqlite3_bind_text(c->touch, 3, fh, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->touch, 4, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->touch, 5, record, -1, SQLITE_STATIC);
	return step_done(c, c->touch);
}

int catalog_delete(catalog *c, const char *path, const char *record)
{
	sqlite3_bind_text(c->del, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->del, 2, record, -1, SQLITE_STATIC);
	return step_done(c, c->del);
}

int catalog_clear(catalog *c)
{
	return exec(c, "DELETE FROM articles");
}

int64_t catalog_count(catalog *c)
{
	sqlite3_stmt *st;
	if (prepare(c, &st, "SELECT count(*) FROM articles"))
		return -1;
	int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return n;
}

const char *catalog_errmsg(catalog *c)
{
	return c->err;
}
