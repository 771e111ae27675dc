/*
 * Xapian stub database files: a plain text file listing the shards that a search reads
 * as one index, one per line:
 *
 *     # comments and blank lines are ignored
 *     auto /srv/archives/2019/.fouille/xapian
 *     remote 10.0.0.12:33333
 *
 * `auto PATH` (also `glass PATH`, `chert PATH`) is a local database; PATH may also be a
 * fouille index directory (FOLDER/.fouille, read as its xapian/ database), a folder
 * holding one (FOLDER, read as FOLDER/.fouille/xapian), or another stub file. A
 * relative PATH is relative to the stub file's directory, as Xapian reads it.
 * `remote HOST:PORT` is a database served by xapian-tcpsrv. Xapian's `remote :PROGRAM
 * ARGS` form (a local program speaking the protocol on stdin/stdout) is refused: fouille
 * opens nothing but indexes and TCP servers.
 */
#ifndef FOUILLE_STUB_H
#define FOUILLE_STUB_H

#include <stddef.h>

/* One shard named by a stub file. */
typedef struct stub_shard {
	char *path;   /* a local database directory, or NULL for a remote shard */
	char *host;   /* a remote shard (xapian-tcpsrv), or NULL */
	unsigned port;
	char *label;  /* the path as resolved, or "HOST:PORT" */
	char *origin; /* "line N of FILE" */
} stub_shard;

typedef struct stub {
	stub_shard *v;
	size_t n;
} stub;

/* 1 when `path` is a regular file (a stub, not an index directory), else 0. */
int stub_is_file(const char *path);

/* 1 when directory `dir` holds a Xapian database (of one, or of shards named by its
 * XAPIANDB stub), 0 when not, -1 when out of memory. */
int stub_dir_has_database(const char *dir);

/*
 * Read the stub file `file` into `out` (nested stubs are read in place of their line,
 * 8 levels deep at most). Returns FOUILLE_OK; FOUILLE_ENOTFOUND when the file cannot be
 * read; FOUILLE_EINVAL when a line is not understood or the file names no shard (the
 * message in `err` names the file and line); FOUILLE_ENOMEM.
 */
int stub_read(stub *out, const char *file, char *err, size_t errlen);
void stub_free(stub *s);

/*
 * Write a stub file at `out` naming `shards`: each an index directory (FOLDER/.fouille),
 * a folder holding one (FOLDER), a Xapian database directory, or "remote:HOST:PORT".
 * Local shards are checked to hold an index and written as absolute paths; the file is
 * written whole or not at all (a temporary file renamed). Returns FOUILLE_OK,
 * FOUILLE_EINVAL (a malformed remote, no shard), FOUILLE_ENOTFOUND (no index at a
 * path), FOUILLE_EIO, FOUILLE_ENOMEM, with the message in `err`.
 */
int stub_write(const char *out, const char *const *shards, size_t n, char *err, size_t errlen);

#endif
