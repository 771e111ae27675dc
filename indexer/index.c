/*
 * Opening, closing and locating an index; the handle's error message.
 */
#include "handle.h"
#include "walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docrecord.h"
#include "extras.h"
#include "stub.h"
#include "unsynced.h"

/* fouille_index_open() has no handle to carry its message when it fails. */
static _Thread_local char last_open_error[XS_ERRLEN];

const char *fouille_version(void)
{
	return FOUILLE_VERSION_STRING;
}

const char *fouille_strerror(int code)
{
	switch (code) {
	case FOUILLE_OK: return "no error";
	case FOUILLE_ERROR: return "error";
	case FOUILLE_ENOMEM: return "out of memory";
	case FOUILLE_ENOTFOUND: return "not found";
	case FOUILLE_ELOCKED: return "index is locked";
	case FOUILLE_EINVAL: return "invalid argument";
	case FOUILLE_EIO: return "input/output error";
	case FOUILLE_EQUERY: return "no searchable word in the query";
	case FOUILLE_EVERSION: return "index built by an incompatible version";
	case FOUILLE_ECANCELLED: return "cancelled";
	default: return "unknown error";
	}
}

/* Drop an incomplete UTF-8 sequence from the end of `s`: a message cut to fit its buffer
 * (or holding a message that was) must still be UTF-8. */
static void trim_partial_utf8(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
	if (need && n - (i - 1) < need)
		s[i - 1] = '\0';
}

int handle_fail(fouille_index *idx, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(idx->err, sizeof idx->err, fmt, ap);
	va_end(ap);
	trim_partial_utf8(idx->err);
	return code;
}

void handle_ok(fouille_index *idx)
{
	idx->err[0] = '\0';
}

const char *fouille_errmsg(const fouille_index *idx)
{
	return idx ? idx->err : "no index handle";
}

const char *fouille_last_open_error(void)
{
	return last_open_error;
}

xs_reader *handle_reader(fouille_index *idx)
{
	if (!idx->reader && idx->stub) {
		handle_fail(idx, FOUILLE_EIO, "the shards of %s are not open", idx->dir);
		return NULL;
	}
	if (!idx->reader) {
		int rc = xs_reader_open(&idx->reader, idx->xapian_dir, idx->err);
		if (rc != FOUILLE_OK)
			return NULL;
	}
	return idx->reader;
}

analyzer *handle_analyzer(fouille_index *idx)
{
	if (!idx->an && !(idx->an = analyzer_new()))
		handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	return idx->an;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Rebuild the catalog from the documents of the index (the index is committed first,
 * so after a crash between the two commits it is the one that is ahead). */
static int rebuild_catalog_row(const char *idterm, const void *data, size_t len, void *ud)
{
	(void)idterm;
	catalog *cat = ud;
	docrecord r;
	if (docrecord_decode(&r, data, len) != 0)
		return 0; /* not ours: leave it for the next update to replace */
	catalog_row row = {.path = r.path, .record = r.record, .size = r.size, .mtime_ns = r.mtime_ns,
			   .hash = r.hash, .file_hash = r.file_hash, .title = r.title, .author = r.author,
			   .date = r.date, .format = r.format, .encoding = r.encoding, .url = r.url,
			   .indexed_at = 0};
	int rc = catalog_put(cat, &row);
	docrecord_clear(&r);
	return rc;
}

static int repair_catalog(fouille_index *idx, const char *generation)
{
	if (catalog_begin(idx->cat) || catalog_clear(idx->cat))
		goto fail;
	char err[XS_ERRLEN] = "";
	int rc = xs_writer_each(idx->writer, rebuild_catalog_row, idx->cat, err);
	if (rc != FOUILLE_OK) {
		catalog_rollback(idx->cat);
		return handle_fail(idx, rc, "repairing the catalog from the index: %s", err);
	}
	if (catalog_set_meta(idx->cat, META_GENERATION, generation) || catalog_commit(idx->cat))
		goto fail;
	return FOUILLE_OK;
fail:
	catalog_rollback(idx->cat);
	return handle_fail(idx, FOUILLE_EIO, "repairing the catalog: %s", catalog_errmsg(idx->cat));
}

/* Check the versions recorded in the index (`what`: "the index at DIR", or a shard)
 * against this build's. */
static int check_versions(fouille_index *idx, const char *what, const char *analyzer_v,
			  const char *schema_v, uint64_t doccount)
{
	char want_a[16], want_s[16];
	snprintf(want_a, sizeof want_a, "%d", ANALYZER_VERSION);
	snprintf(want_s, sizeof want_s, "%d", INDEX_SCHEMA_VERSION);
	int same = (!*analyzer_v && !*schema_v && doccount == 0) ||
		   (strcmp(analyzer_v, want_a) == 0 && strcmp(schema_v, want_s) == 0);
	if (same)
		return FOUILLE_OK;
	if (idx->flags & FOUILLE_OPEN_WRITE) {
		idx->rebuild = 1; /* the next update re-indexes every article */
		return FOUILLE_OK;
	}
	return handle_fail(idx, FOUILLE_EVERSION,
			   "%s was built by another version of fouille (analyzer %s, "
			   "schema %s; this one uses analyzer %s, schema %s): run fouille-index on "
			   "its folder again to rebuild it",
			   what, *analyzer_v ? analyzer_v : "?", *schema_v ? schema_v : "?",
			   want_a, want_s);
}

/*
 * The writer lock: dir/writer.lock, flock'ed for as long as the writer is open, holding
 * the writer's process id so a second writer can say who it is waiting for. flock
 * releases it whatever way the process ends, a SIGKILL included.
 */
static int take_writer_lock(fouille_index *idx)
{
	char *path = walk_path_join(idx->dir, "writer.lock");
	if (!path)
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	idx->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	free(path);
	if (idx->lock_fd < 0)
		return handle_fail(idx, FOUILLE_EIO, "cannot create the lock file in %s: %s", idx->dir,
				   strerror(errno));
	int wait = (idx->flags & FOUILLE_OPEN_WAIT) != 0;
	while (flock(idx->lock_fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return handle_fail(idx, FOUILLE_EIO, "cannot lock %s: %s", idx->dir, strerror(errno));
		char pid[32] = "";
		ssize_t n = pread(idx->lock_fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(idx->lock_fd);
		idx->lock_fd = -1;
		return handle_fail(idx, FOUILLE_ELOCKED,
				   "the index at %s is being updated by process %s; try again when it is "
				   "done (fouille-index --wait waits for it)",
				   idx->dir, *pid ? pid : "(unknown)");
	}
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(idx->lock_fd, 0) != 0 || pwrite(idx->lock_fd, pid, (size_t)len, 0) != len)
		return handle_fail(idx, FOUILLE_EIO, "cannot write the lock file in %s: %s", idx->dir,
				   strerror(errno));
	return FOUILLE_OK;
}

/* The words a removed document had added to the spelling data go with it (extras.h). */
static int forget_words(xs_writer *w, const void *data, size_t len, void *ud)
{
	fouille_index *idx = ud;
	if (!idx->forget_an && !(idx->forget_an = analyzer_new()))
		return FOUILLE_ENOMEM;
	return extras_forget(w, data, len, idx->forget_an);
}

/*
 * Whether the writer syncs its commits (unsynced.h), decided under the writer lock: an
 * index lost with its machine is removed first; a first index, or one whose first
 * build an earlier run of this boot left unfinished, is written without syncs.
 */
static int choose_sync(fouille_index *idx, int create)
{
	enum unsynced_state st = unsynced_state(idx->dir);
	if (st == UNSYNCED_STALE) {
		if (!create)
			return handle_fail(idx, FOUILLE_EIO,
					   "the index at %s was being built when the machine stopped and may "
					   "have lost part of it: run fouille-index on its folder to build it again",
					   idx->dir);
		if (unsynced_drop(idx->dir, idx->xapian_dir, idx->catalog_path) != 0)
			return handle_fail(idx, FOUILLE_EIO,
					   "cannot remove the index at %s, lost when the machine stopped "
					   "during its first build: %s",
					   idx->dir, strerror(errno));
		idx->lost_rebuilt = 1;
		st = UNSYNCED_NONE;
	}
	idx->marked = st == UNSYNCED_SAME_BOOT;
	/* (out of memory, stub_dir_has_database() says -1: synced, as an existing index) */
	if (!idx->marked && create && stub_dir_has_database(idx->xapian_dir) == 0 &&
	    unsynced_available()) {
		if (unsynced_begin(idx->dir) != 0)
			return handle_fail(idx, FOUILLE_EIO, "cannot write in the index directory %s: %s",
					   idx->dir, strerror(errno));
		idx->marked = 1;
	}
	idx->no_sync = idx->marked;
	return FOUILLE_OK;
}

static int open_writer(fouille_index *idx)
{
	int create = (idx->flags & FOUILLE_OPEN_CREATE) != 0;
	if (!is_dir(idx->dir)) {
		if (!create)
			return handle_fail(idx, FOUILLE_ENOTFOUND, "no index at %s", idx->dir);
		if (mkdir(idx->dir, 0777) != 0 && errno != EEXIST)
			return handle_fail(idx, FOUILLE_EIO, "cannot create the index directory %s: %s",
					   idx->dir, strerror(errno));
	}
	if (!create && !is_dir(idx->xapian_dir))
		return handle_fail(idx, FOUILLE_ENOTFOUND, "no index at %s", idx->dir);
	int rc = take_writer_lock(idx);
	if (rc == FOUILLE_OK)
		rc = choose_sync(idx, create);
	if (rc != FOUILLE_OK)
		return rc;
	rc = xs_writer_open_with(&idx->writer, idx->xapian_dir, create, idx->shards, idx->no_sync,
				 idx->err);
	if (rc == FOUILLE_ELOCKED)
		return handle_fail(idx, rc, "the index at %s is being updated by another process",
				   idx->dir);
	if (rc != FOUILLE_OK)
		return rc;
	xs_writer_on_forget(idx->writer, forget_words, idx);
	char cerr[XS_ERRLEN];
	if (catalog_open(&idx->cat, idx->catalog_path, cerr, sizeof cerr) != 0)
		return handle_fail(idx, FOUILLE_EIO, "%s", cerr);

	char *xa = NULL, *xs = NULL, *xg = NULL, *cg = NULL;
	rc = xs_writer_get_meta(idx->writer, META_ANALYZER, &xa, idx->err);
	if (rc == FOUILLE_OK)
		rc = xs_writer_get_meta(idx->writer, META_SCHEMA, &xs, idx->err);
	if (rc == FOUILLE_OK)
		rc = xs_writer_get_meta(idx->writer, META_GENERATION, &xg, idx->err);
	if (rc == FOUILLE_OK && catalog_get_meta(idx->cat, META_GENERATION, &cg) != 0)
		rc = handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	if (rc == FOUILLE_OK) {
		char what[XS_ERRLEN];
		snprintf(what, sizeof what, "the index at %s", idx->dir);
		rc = check_versions(idx, what, xa, xs, xs_writer_doccount(idx->writer));
	}
	/* The two stores are committed index first, catalog second, each with the same
	 * generation: when they differ, a run stopped between the two and the catalog is
	 * rebuilt from the index. */
	if (rc == FOUILLE_OK && strcmp(xg, cg ? cg : "") != 0)
		rc = repair_catalog(idx, xg);
	free(xa);
	free(xs);
	free(xg);
	free(cg);
	return rc;
}

static int open_reader(fouille_index *idx)
{
	if (!is_dir(idx->xapian_dir))
		return handle_fail(idx, FOUILLE_ENOTFOUND,
				   "no index at %s (run fouille-index FOLDER to create one)", idx->dir);
	xs_reader *r = handle_reader(idx);
	if (!r)
		return FOUILLE_EIO;
	char *xa = NULL, *xs = NULL;
	xs_reader_pin(r); /* the three reads: one revision, one check for it */
	int rc = xs_reader_get_meta(r, META_ANALYZER, &xa, idx->err);
	if (rc == FOUILLE_OK)
		rc = xs_reader_get_meta(r, META_SCHEMA, &xs, idx->err);
	if (rc == FOUILLE_OK) {
		char what[XS_ERRLEN];
		snprintf(what, sizeof what, "the index at %s", idx->dir);
		rc = check_versions(idx, what, xa, xs, xs_reader_doccount(r));
	}
	xs_reader_unpin(r);
	free(xa);
	free(xs);
	return rc;
}

/*
 * A stub file: open its shards as one database, then check each shard's versions on
 * its own (a combined database answers metadata from its first shard only).
 */
static int open_stub_reader(fouille_index *idx)
{
	if (idx->flags & (FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE))
		return handle_fail(idx, FOUILLE_EINVAL,
				   "%s is a stub file listing shards: it can be searched, not updated "
				   "(run fouille-index on each shard's folder)",
				   idx->dir);
	stub st;
	int rc = stub_read(&st, idx->dir, idx->err, sizeof idx->err);
	if (rc != FOUILLE_OK)
		return rc;
	xs_shard_spec *specs = calloc(st.n, sizeof *specs);
	if (!specs) {
		stub_free(&st);
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < st.n; i++)
		specs[i] = (xs_shard_spec){.path = st.v[i].path, .host = st.v[i].host,
					   .port = st.v[i].port, .label = st.v[i].label,
					   .origin = st.v[i].origin};
	int partial = (idx->flags & FOUILLE_OPEN_ALLOW_PARTIAL) != 0;
	rc = xs_reader_open_shards(&idx->reader, specs, st.n, idx->timeout_ms, partial, idx->err);
	free(specs);
	if (rc != FOUILLE_OK && !partial && st.n > 1 && (rc == FOUILLE_EIO || rc == FOUILLE_ENOTFOUND)) {
		size_t len = strlen(idx->err);
		snprintf(idx->err + len, sizeof idx->err - len,
			 "; FOUILLE_OPEN_ALLOW_PARTIAL (fouille-search --allow-partial) searches the "
			 "other shards");
	}
	for (size_t i = 0; rc == FOUILLE_OK && i < st.n; i++) {
		if (xs_reader_shard_problem(idx->reader, i))
			continue;
		char *xa = NULL, *xs = NULL;
		rc = xs_reader_shard_get_meta(idx->reader, i, META_ANALYZER, &xa, idx->err);
		if (rc == FOUILLE_OK)
			rc = xs_reader_shard_get_meta(idx->reader, i, META_SCHEMA, &xs, idx->err);
		if (rc == FOUILLE_EIO && partial) {
			/* it answered the connection, not the question: left out like the others */
			rc = xs_reader_leave_out(idx->reader, i, idx->err);
			free(xa);
			free(xs);
			continue;
		}
		if (rc == FOUILLE_OK) {
			char what[XS_ERRLEN];
			snprintf(what, sizeof what, "the shard %s (%s)", st.v[i].label, st.v[i].origin);
			rc = check_versions(idx, what, xa, xs, xs_reader_shard_doccount(idx->reader, i));
		}
		free(xa);
		free(xs);
	}
	stub_free(&st);
	return rc;
}

void fouille_open_options_init(fouille_open_options *opts)
{
	if (!opts)
		return;
	memset(opts, 0, sizeof *opts);
	opts->struct_size = sizeof *opts;
}

int fouille_index_open(fouille_index **out, const char *path, unsigned flags)
{
	return fouille_index_open_with(out, path, flags, NULL);
}

int fouille_index_open_with(fouille_index **out, const char *path, unsigned flags,
			    const fouille_open_options *opts)
{
	last_open_error[0] = '\0';
	if (!out || !path || !*path) {
		snprintf(last_open_error, sizeof last_open_error, "fouille_index_open: no path given");
		if (out)
			*out = NULL;
		return FOUILLE_EINVAL;
	}
	*out = NULL;
	fouille_open_options o;
	fouille_open_options_init(&o);
	if (opts) {
		if (opts->struct_size < sizeof(size_t) || opts->struct_size > sizeof o) {
			snprintf(last_open_error, sizeof last_open_error,
				 "fouille_open_options.struct_size is %zu; use fouille_open_options_init()",
				 opts->struct_size);
			return FOUILLE_EINVAL;
		}
		memcpy(&o, opts, opts->struct_size);
	}
	fouille_index *idx = calloc(1, sizeof *idx);
	if (idx)
		idx->lock_fd = -1;
	if (!idx || !(idx->dir = strdup(path)) || !(idx->xapian_dir = walk_path_join(path, "xapian")) ||
	    !(idx->catalog_path = walk_path_join(path, "catalog.sqlite"))) {
		fouille_index_close(idx);
		snprintf(last_open_error, sizeof last_open_error, "out of memory");
		return FOUILLE_ENOMEM;
	}
	idx->flags = flags;
	idx->timeout_ms = o.timeout_ms;
	idx->shards = o.shards > 64 ? 64 : o.shards;
	idx->stub = stub_is_file(path);
	int rc = idx->stub ? open_stub_reader(idx)
		 : (flags & FOUILLE_OPEN_WRITE) ? open_writer(idx) : open_reader(idx);
	if (rc != FOUILLE_OK) {
		snprintf(last_open_error, sizeof last_open_error, "%s", idx->err);
		fouille_index_close(idx);
		return rc;
	}
	*out = idx;
	return FOUILLE_OK;
}

void fouille_index_close(fouille_index *idx)
{
	if (!idx)
		return;
	xs_reader_close(idx->reader);
	xs_writer_close(idx->writer);
	catalog_close(idx->cat);
	if (idx->lock_fd >= 0)
		close(idx->lock_fd); /* releases the writer lock */
	analyzer_free(idx->an);
	analyzer_free(idx->forget_an);
	free(idx->root);
	free(idx->dir);
	free(idx->xapian_dir);
	free(idx->catalog_path);
	free(idx);
}

const char *fouille_index_root(fouille_index *idx)
{
	if (!idx)
		return NULL;
	free(idx->root);
	idx->root = NULL;
	if (idx->stub && xs_reader_shard_count(idx->reader) > 1)
		return NULL; /* one folder per shard: fouille_hit_root() */
	char *v = NULL;
	int rc;
	if (idx->writer) {
		rc = xs_writer_get_meta(idx->writer, META_ROOT, &v, idx->err);
	} else {
		xs_reader *r = handle_reader(idx);
		rc = r ? xs_reader_get_meta(r, META_ROOT, &v, idx->err) : FOUILLE_EIO;
	}
	if (rc != FOUILLE_OK || !v || !*v) {
		free(v);
		return NULL;
	}
	idx->root = v;
	return v;
}

uint64_t fouille_index_article_count(fouille_index *idx)
{
	if (!idx)
		return 0;
	if (idx->writer)
		return xs_writer_doccount(idx->writer);
	xs_reader *r = handle_reader(idx);
	return r ? xs_reader_doccount(r) : 0;
}

int fouille_stub_write(const char *path, const char *const *shards, size_t n)
{
	last_open_error[0] = '\0';
	return stub_write(path, shards, n, last_open_error, sizeof last_open_error);
}

int fouille_index_locate(char **out, const char *explicit_path)
{
	if (!out)
		return FOUILLE_EINVAL;
	*out = NULL;
	const char *env = getenv("FOUILLE_INDEX");
	const char *given = explicit_path ? explicit_path : (env && *env ? env : NULL);
	if (given)
		return (*out = strdup(given)) ? FOUILLE_OK : FOUILLE_ENOMEM;
	char *dir = getcwd(NULL, 0);
	if (!dir)
		return FOUILLE_ENOTFOUND;
	for (;;) {
		char *candidate = walk_path_join(strcmp(dir, "/") == 0 ? "" : dir, ".fouille");
		if (!candidate) {
			free(dir);
			return FOUILLE_ENOMEM;
		}
		if (is_dir(candidate)) {
			free(dir);
			*out = candidate;
			return FOUILLE_OK;
		}
		free(candidate);
		char *slash = strrchr(dir, '/');
		if (!slash || strcmp(dir, "/") == 0)
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(dir);
	return FOUILLE_ENOTFOUND;
}
