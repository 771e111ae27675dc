/*
 * fouille_index_update(): bring the index in line with a folder.
 *
 * The scan and the catalog are two lists sorted by path, merged in one pass: a file
 * whose size and mtime match its catalog row is not read; a changed one is read and
 * hashed (a touched but identical file only has its row updated); a new file whose hash
 * matches a row whose file has gone is a rename, moved inside the index without being
 * analysed again; rows whose file has gone are removed.
 *
 * Commits go index first, catalog second, both stamped with the same generation, so a
 * crash in between is detected at the next open and the catalog rebuilt from the index.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "article.h"
#include "docrecord.h"
#include "handle.h"
#include "walk.h"

#define DEFAULT_MAX_FILE_SIZE (50ull * 1000 * 1000)
/* Commit when this much text was indexed since the last commit: bounds the memory
 * Xapian holds in its transaction and the work a crash can lose. */
#define COMMIT_BYTES (64ull * 1000 * 1000)
#define COMMIT_DOCS 20000
/* Positions between the title and the body, so no phrase spans the two. */
#define TITLE_BODY_GAP 100
/* Xapian terms are limited to 245 bytes. */
#define MAX_ID_TERM 240

void fouille_update_options_init(fouille_update_options *opts)
{
	if (!opts)
		return;
	memset(opts, 0, sizeof *opts);
	opts->struct_size = sizeof *opts;
	opts->max_file_size = DEFAULT_MAX_FILE_SIZE;
}

/* A row of the catalog as loaded at the start of an update. */
typedef struct known {
	char *path;
	uint64_t size;
	int64_t mtime_ns;
	uint64_t hash;
	int present; /* its file is still in the folder */
	int renamed; /* its document was moved to a new path during this update */
} known;

typedef struct known_list {
	known *v;
	size_t n, cap;
} known_list;

typedef struct update {
	fouille_index *idx;
	const fouille_update_options *opts;
	fouille_update_summary *sum;
	const char *root; /* absolute */
	fouille_progress prog;
	known_list known;
	known **missing; /* rows whose file has gone, sorted by hash, for renames */
	size_t nmissing;
	char **unreadable; /* paths the walk could not read: what they held stays indexed */
	size_t nunreadable;
	uint64_t generation;
	uint64_t bytes_since_commit;
	size_t docs_since_commit;
	int64_t now;
	char reason[ARTICLE_REASON_LEN + 64];
} update;

/* ---- small helpers ------------------------------------------------------------- */

/* A 64-bit content hash (not cryptographic): 8 bytes at a time, mixed with the
 * multiply-xorshift finalizer of SplitMix64. Equal sizes are also required of a match. */
static uint64_t content_hash(const char *p, size_t n)
{
	uint64_t h = 0x51afd7ed558ccd00ull ^ (n * 0x9e3779b97f4a7c15ull);
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h ^= w;
		h *= 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	uint64_t tail = 0;
	for (size_t k = 0; i + k < n; k++)
		tail |= (uint64_t)(unsigned char)p[i + k] << (8 * k);
	h ^= tail;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

/* The unique id term of an article: Q + its path, or Q# + a hash for very long paths. */
static void id_term(const char *path, char out[MAX_ID_TERM + 1])
{
	size_t n = strlen(path);
	if (n + strlen(XS_PREFIX_ID) <= MAX_ID_TERM)
		snprintf(out, MAX_ID_TERM + 1, XS_PREFIX_ID "%s", path);
	else
		snprintf(out, MAX_ID_TERM + 1, XS_PREFIX_ID "#%016llx%016llx",
			 (unsigned long long)content_hash(path, n),
			 (unsigned long long)content_hash(path, n / 2));
}

static int emit(update *u, const char *path, fouille_file_status status, const char *reason)
{
	u->prog.path = path;
	u->prog.status = status;
	u->prog.reason = reason;
	if (!u->opts->progress)
		return 0;
	return u->opts->progress(&u->prog, u->opts->progress_userdata);
}

static int phase(update *u, const char *name)
{
	u->prog.phase = name;
	u->prog.path = NULL;
	u->prog.reason = NULL;
	if (!u->opts->progress)
		return 0;
	return u->opts->progress(&u->prog, u->opts->progress_userdata);
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);
	if (p) {
		memcpy(p, a, la);
		p[la] = '/';
		memcpy(p + la + 1, b, lb + 1);
	}
	return p;
}

/*
 * Read a whole file with one read loop. Returns 0, or -1 with u->reason set.
 */
static int read_file(update *u, const char *rel, uint64_t max, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	char *path = join(u->root, rel);
	if (!path) {
		snprintf(u->reason, sizeof u->reason, "out of memory");
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0) {
		snprintf(u->reason, sizeof u->reason, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(u->reason, sizeof u->reason, "cannot read: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(u->reason, sizeof u->reason, "too large (%.1f MB, the limit is %.1f MB)",
			 st.st_size / 1e6, max / 1e6);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		snprintf(u->reason, sizeof u->reason, "out of memory reading %.1f MB", st.st_size / 1e6);
		close(fd);
		return -1;
	}
	for (;;) {
		if (n == cap - 1) {
			/* the file grew while being read: take what the size said */
			break;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(u->reason, sizeof u->reason, "cannot read: %s", strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* ---- building a document ------------------------------------------------------- */

typedef struct doc_builder {
	xs_doc *doc;
	int title; /* also post under the title prefix */
	int failed;
} doc_builder;

static int post_token(const analyzer_token *t, void *ud)
{
	doc_builder *b = ud;
	char prefixed[ANALYZER_MAX_TERM + 8];
	const char *forms[2] = {t->term, t->alt};
	for (int i = 0; i < 2; i++) {
		if (!forms[i])
			continue;
		if (xs_doc_add_posting(b->doc, forms[i], t->pos, 1) != FOUILLE_OK)
			b->failed = 1;
		if (b->title) {
			snprintf(prefixed, sizeof prefixed, XS_PREFIX_TITLE "%s", forms[i]);
			if (xs_doc_add_posting(b->doc, prefixed, t->pos, 1) != FOUILLE_OK)
				b->failed = 1;
		}
	}
	return b->failed;
}

/* Author tokens, folded: "Sébastien Paulus" -> Asebastien, Apaulus. */
static int add_author_terms(xs_doc *doc, const char *author)
{
	char folded[256], term[300];
	size_t n = analyzer_fold(author, strlen(author), folded, sizeof folded);
	char *save = NULL;
	folded[n < sizeof folded ? n : sizeof folded - 1] = '\0';
	for (char *w = strtok_r(folded, " \t-'.,", &save); w; w = strtok_r(NULL, " \t-'.,", &save)) {
		snprintf(term, sizeof term, XS_PREFIX_AUTHOR "%s", w);
		if (xs_doc_add_term(doc, term, 1) != FOUILLE_OK)
			return -1;
	}
	return 0;
}

/*
 * Analyse an article and write it to the index under its path. Returns FOUILLE_OK, or
 * an error code with the handle's message set (a store failure: the update stops).
 */
static int write_article(update *u, const char *rel, const article *a, uint64_t size,
			 int64_t mtime_ns, uint64_t hash)
{
	fouille_index *idx = u->idx;
	analyzer *an = handle_analyzer(idx);
	if (!an)
		return FOUILLE_ENOMEM;
	xs_doc *doc = xs_doc_new();
	if (!doc)
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	doc_builder b = {.doc = doc, .title = 1};
	uint32_t pos = 0;
	int rc = FOUILLE_OK;
	if (analyzer_run(an, a->title, strlen(a->title), &pos, post_token, &b) != 0 || b.failed)
		goto oom;
	pos += TITLE_BODY_GAP;
	b.title = 0;
	if (analyzer_run(an, a->text, strlen(a->text), &pos, post_token, &b) != 0 || b.failed)
		goto oom;
	if (a->author && add_author_terms(doc, a->author) != 0)
		goto oom;
	if (a->date && strlen(a->date) == 10) {
		char ymd[9], year[8];
		snprintf(ymd, sizeof ymd, "%.4s%.2s%.2s", a->date, a->date + 5, a->date + 8);
		snprintf(year, sizeof year, XS_PREFIX_YEAR "%.4s", a->date);
		if (xs_doc_set_value(doc, XS_SLOT_DATE, ymd, 8) != FOUILLE_OK ||
		    xs_doc_add_term(doc, year, 0) != FOUILLE_OK)
			goto oom;
	}
	docrecord r = {.path = (char *)rel, .title = a->title, .author = a->author, .date = a->date,
		       .format = "text", .text = a->text, .lead_len = a->lead_len, .size = size,
		       .mtime_ns = mtime_ns, .hash = hash};
	char *data;
	size_t len;
	if (docrecord_encode(&r, &data, &len) != 0)
		goto oom;
	rc = xs_doc_set_data(doc, data, len);
	free(data);
	if (rc != FOUILLE_OK)
		goto oom;
	char id[MAX_ID_TERM + 1];
	id_term(rel, id);
	rc = xs_writer_replace(idx->writer, id, doc, idx->err);
	xs_doc_free(doc);
	if (rc != FOUILLE_OK)
		return rc;
	catalog_row row = {.path = rel, .size = size, .mtime_ns = mtime_ns, .hash = hash,
			   .title = a->title, .author = a->author, .date = a->date, .format = "text",
			   .encoding = "UTF-8", .indexed_at = u->now};
	if (catalog_put(idx->cat, &row) != 0)
		return handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	u->bytes_since_commit += size;
	u->docs_since_commit++;
	return FOUILLE_OK;
oom:
	xs_doc_free(doc);
	return handle_fail(idx, FOUILLE_ENOMEM, "out of memory while indexing %s", rel);
}

/* ---- commits ------------------------------------------------------------------- */

static int commit(update *u)
{
	fouille_index *idx = u->idx;
	char gen[24], an[16], schema[16], when[32];
	u->generation++;
	snprintf(gen, sizeof gen, "%llu", (unsigned long long)u->generation);
	snprintf(an, sizeof an, "%d", ANALYZER_VERSION);
	snprintf(schema, sizeof schema, "%d", INDEX_SCHEMA_VERSION);
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	int rc;
	if ((rc = xs_writer_set_meta(idx->writer, META_GENERATION, gen, idx->err)) ||
	    (rc = xs_writer_set_meta(idx->writer, META_ANALYZER, an, idx->err)) ||
	    (rc = xs_writer_set_meta(idx->writer, META_SCHEMA, schema, idx->err)) ||
	    (rc = xs_writer_set_meta(idx->writer, META_ROOT, u->root, idx->err)) ||
	    (rc = xs_writer_set_meta(idx->writer, META_UPDATED, when, idx->err)) ||
	    (rc = xs_writer_commit(idx->writer, idx->err)))
		return rc;
	if (catalog_set_meta(idx->cat, META_GENERATION, gen) ||
	    catalog_set_meta(idx->cat, META_ANALYZER, an) || catalog_set_meta(idx->cat, META_ROOT, u->root) ||
	    catalog_set_meta(idx->cat, META_UPDATED, when) || catalog_commit(idx->cat) ||
	    catalog_begin(idx->cat))
		return handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	u->bytes_since_commit = 0;
	u->docs_since_commit = 0;
	return FOUILLE_OK;
}

static int maybe_commit(update *u)
{
	if (u->bytes_since_commit < COMMIT_BYTES && u->docs_since_commit < COMMIT_DOCS)
		return FOUILLE_OK;
	if (phase(u, "committing"))
		return FOUILLE_ECANCELLED;
	int rc = commit(u);
	u->prog.phase = "indexing";
	return rc;
}

/* ---- the catalog as loaded ----------------------------------------------------- */

static int load_row(const catalog_row *row, void *ud)
{
	known_list *l = ud;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		known *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	known *k = &l->v[l->n];
	memset(k, 0, sizeof *k);
	if (!(k->path = strdup(row->path)))
		return -1;
	k->size = row->size;
	k->mtime_ns = row->mtime_ns;
	k->hash = row->hash;
	l->n++;
	return 0;
}

static int compare_known_path(const void *a, const void *b)
{
	return strcmp(((const known *)a)->path, ((const known *)b)->path);
}

static int compare_missing_hash(const void *a, const void *b)
{
	uint64_t x = (*(known *const *)a)->hash, y = (*(known *const *)b)->hash;
	return x < y ? -1 : x > y;
}

static void known_free(known_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* A row whose file has gone and whose content is `hash`/`size`, not yet used. */
static known *find_missing(update *u, uint64_t hash, uint64_t size)
{
	size_t lo = 0, hi = u->nmissing;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (u->missing[mid]->hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < u->nmissing && u->missing[i]->hash == hash; i++)
		if (!u->missing[i]->renamed && u->missing[i]->size == size)
			return u->missing[i];
	return NULL;
}

/* ---- per file ------------------------------------------------------------------ */

/* Move the document of `from` to `e->rel` without analysing it again: only the path,
 * size and mtime in its stored record change. */
static int rename_article(update *u, known *from, const walk_entry *e)
{
	fouille_index *idx = u->idx;
	char old_id[MAX_ID_TERM + 1], new_id[MAX_ID_TERM + 1];
	id_term(from->path, old_id);
	id_term(e->rel, new_id);
	char *data = NULL;
	size_t len = 0;
	int rc = xs_writer_get_data(idx->writer, old_id, &data, &len, idx->err);
	if (rc != FOUILLE_OK)
		return rc;
	docrecord r;
	int drc = docrecord_decode(&r, data, len);
	free(data);
	if (drc != 0)
		return handle_fail(idx, FOUILLE_EIO, "the stored record of %s is unreadable", from->path);
	free(r.path);
	r.path = e->rel;
	r.size = e->size;
	r.mtime_ns = e->mtime_ns;
	if (docrecord_encode(&r, &data, &len) != 0) {
		r.path = NULL;
		docrecord_clear(&r);
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	}
	rc = xs_writer_rename(idx->writer, old_id, new_id, data, len, idx->err);
	free(data);
	catalog_row row = {.path = e->rel, .size = e->size, .mtime_ns = e->mtime_ns, .hash = r.hash,
			   .title = r.title, .author = r.author, .date = r.date, .format = r.format,
			   .encoding = "UTF-8", .indexed_at = u->now};
	if (rc == FOUILLE_OK &&
	    (catalog_delete(idx->cat, from->path) != 0 || catalog_put(idx->cat, &row) != 0))
		rc = handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	r.path = NULL;
	docrecord_clear(&r);
	if (rc == FOUILLE_OK)
		from->renamed = 1;
	return rc;
}

/*
 * Handle one scanned file whose catalog row is `k` (NULL when new). Returns FOUILLE_OK
 * (the file may have failed: that is counted, not returned) or a fatal code.
 */
static int handle_file(update *u, const walk_entry *e, known *k)
{
	fouille_index *idx = u->idx;
	if (e->format != WALK_TEXT) {
		u->sum->skipped_format++;
		return emit(u, e->rel, FOUILLE_FILE_SKIPPED, "not a plain-text article (other formats are not read yet)")
			       ? FOUILLE_ECANCELLED
			       : FOUILLE_OK;
	}
	if (k && k->size == e->size && k->mtime_ns == e->mtime_ns) {
		u->sum->unchanged++;
		return emit(u, e->rel, FOUILLE_FILE_UNCHANGED, NULL) ? FOUILLE_ECANCELLED : FOUILLE_OK;
	}
	char *buf;
	size_t len;
	fouille_file_status failed_as = FOUILLE_FILE_FAILED;
	if (read_file(u, e->rel, u->opts->max_file_size ? u->opts->max_file_size : DEFAULT_MAX_FILE_SIZE,
		      &buf, &len) != 0) {
		if (strncmp(u->reason, "too large", 9) == 0)
			failed_as = FOUILLE_FILE_SKIPPED;
		goto bad;
	}
	u->prog.bytes_done += len;
	char check[ARTICLE_REASON_LEN];
	if (article_check_text(buf, len, check) != 0) {
		snprintf(u->reason, sizeof u->reason, "%s", check);
		if (strcmp(check, "empty file") == 0)
			failed_as = FOUILLE_FILE_SKIPPED;
		free(buf);
		goto bad;
	}
	uint64_t hash = content_hash(buf, len);
	int rc = FOUILLE_OK;
	fouille_file_status status;
	if (k && k->hash == hash && k->size == len) {
		/* touched, not changed */
		free(buf);
		if (catalog_touch(idx->cat, e->rel, e->size, e->mtime_ns) != 0)
			return handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
		u->sum->unchanged++;
		return emit(u, e->rel, FOUILLE_FILE_UNCHANGED, NULL) ? FOUILLE_ECANCELLED : FOUILLE_OK;
	}
	known *from = k ? NULL : find_missing(u, hash, len);
	if (from) {
		free(buf);
		rc = rename_article(u, from, e);
		status = FOUILLE_FILE_RENAMED;
		u->sum->renamed++;
	} else {
		article a;
		if (article_parse_text(&a, buf, len) != 0) {
			free(buf);
			return handle_fail(idx, FOUILLE_ENOMEM, "out of memory parsing %s", e->rel);
		}
		free(buf);
		rc = write_article(u, e->rel, &a, e->size, e->mtime_ns, hash);
		article_clear(&a);
		status = k ? FOUILLE_FILE_UPDATED : FOUILLE_FILE_ADDED;
		if (k)
			u->sum->updated++;
		else
			u->sum->added++;
	}
	if (rc != FOUILLE_OK)
		return rc;
	if (emit(u, e->rel, status, NULL))
		return FOUILLE_ECANCELLED;
	return maybe_commit(u);
bad:
	if (failed_as == FOUILLE_FILE_SKIPPED)
		u->sum->skipped_other++;
	else
		u->sum->failed++;
	return emit(u, e->rel, failed_as, u->reason) ? FOUILLE_ECANCELLED : FOUILLE_OK;
}

/* ---- the update ---------------------------------------------------------------- */

static void walk_problem(const char *rel, const char *reason, void *ud)
{
	update *u = ud;
	u->sum->failed++;
	emit(u, rel, FOUILLE_FILE_FAILED, reason);
	char **v = realloc(u->unreadable, (u->nunreadable + 1) * sizeof *v);
	if (v) {
		u->unreadable = v;
		if ((v[u->nunreadable] = strdup(rel)))
			u->nunreadable++;
	}
}

/* 1 when `path` is, or lies below, a path the walk could not read. */
static int under_unreadable(const update *u, const char *path)
{
	for (size_t i = 0; i < u->nunreadable; i++) {
		size_t n = strlen(u->unreadable[i]);
		if (strncmp(path, u->unreadable[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
			return 1;
	}
	return 0;
}

/* An index built by another analyzer or schema: every document goes, every file is
 * analysed again. */
static int collect_id(const char *idterm, const void *data, size_t len, void *ud)
{
	(void)data;
	(void)len;
	known_list *ids = ud;
	catalog_row row = {.path = idterm};
	return load_row(&row, ids);
}

static int drop_everything(update *u)
{
	fouille_index *idx = u->idx;
	known_list ids = {0};
	int rc = xs_writer_each(idx->writer, collect_id, &ids, idx->err);
	for (size_t i = 0; rc == FOUILLE_OK && i < ids.n; i++)
		rc = xs_writer_delete(idx->writer, ids.v[i].path, idx->err);
	known_free(&ids);
	if (rc == FOUILLE_OK && catalog_clear(idx->cat) != 0)
		rc = handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	return rc;
}

static int run_update(update *u, const walk_list *files)
{
	fouille_index *idx = u->idx;
	int rc;
	if (idx->rebuild && (rc = drop_everything(u)) != FOUILLE_OK)
		return rc;
	if (!idx->rebuild && catalog_each(idx->cat, load_row, &u->known) != 0)
		return handle_fail(idx, FOUILLE_EIO, "reading the catalog: %s", catalog_errmsg(idx->cat));
	if (u->known.n > 1)
		qsort(u->known.v, u->known.n, sizeof *u->known.v, compare_known_path);

	/* Which catalog rows still have their file: a merge of two sorted lists. */
	size_t i = 0, j = 0;
	while (i < files->n && j < u->known.n) {
		int c = strcmp(files->v[i].rel, u->known.v[j].path);
		if (c == 0)
			u->known.v[j++].present = 1, i++;
		else if (c < 0)
			i++;
		else
			j++;
	}
	if (!(u->missing = malloc((u->known.n ? u->known.n : 1) * sizeof *u->missing)))
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	for (j = 0; j < u->known.n; j++) {
		if (!u->known.v[j].present && under_unreadable(u, u->known.v[j].path))
			u->known.v[j].present = 1; /* unreadable now, not gone: keep it */
		if (!u->known.v[j].present)
			u->missing[u->nmissing++] = &u->known.v[j];
	}
	if (u->nmissing > 1)
		qsort(u->missing, u->nmissing, sizeof *u->missing, compare_missing_hash);

	if (phase(u, "indexing"))
		return FOUILLE_ECANCELLED;
	for (i = 0, j = 0; i < files->n; i++) {
		while (j < u->known.n && strcmp(u->known.v[j].path, files->v[i].rel) < 0)
			j++;
		known *k = j < u->known.n && strcmp(u->known.v[j].path, files->v[i].rel) == 0 ? &u->known.v[j] : NULL;
		if ((rc = handle_file(u, &files->v[i], k)) != FOUILLE_OK)
			return rc;
		u->prog.files_done++;
	}

	if (phase(u, "removing"))
		return FOUILLE_ECANCELLED;
	for (size_t m = 0; m < u->nmissing; m++) {
		known *k = u->missing[m];
		if (k->renamed)
			continue;
		char id[MAX_ID_TERM + 1];
		id_term(k->path, id);
		if ((rc = xs_writer_delete(idx->writer, id, idx->err)) != FOUILLE_OK)
			return rc;
		if (catalog_delete(idx->cat, k->path) != 0)
			return handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
		u->sum->removed++;
		if (emit(u, k->path, FOUILLE_FILE_REMOVED, NULL))
			return FOUILLE_ECANCELLED;
	}
	if (phase(u, "committing"))
		return FOUILLE_ECANCELLED;
	if ((rc = commit(u)) != FOUILLE_OK)
		return rc;
	idx->rebuild = 0;
	return FOUILLE_OK;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int fouille_index_update(fouille_index *idx, const char *folder, const fouille_update_options *opts,
			 fouille_update_summary *summary)
{
	if (!idx)
		return FOUILLE_EINVAL;
	if (!folder || !*folder)
		return handle_fail(idx, FOUILLE_EINVAL, "no folder given");
	if (!idx->writer)
		return handle_fail(idx, FOUILLE_EINVAL, "the index was opened read-only");
	handle_ok(idx);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	fouille_update_options defaults;
	fouille_update_options_init(&defaults);
	if (!opts)
		opts = &defaults;
	fouille_update_summary local;
	fouille_update_summary *sum = summary ? summary : &local;
	memset(sum, 0, sizeof *sum);

	char *root = realpath(folder, NULL);
	if (!root)
		return handle_fail(idx, FOUILLE_ENOTFOUND, "cannot open folder %s: %s", folder, strerror(errno));

	update u = {.idx = idx, .opts = opts, .sum = sum, .root = root, .now = (int64_t)time(NULL)};
	char *gen = NULL;
	int rc = xs_writer_get_meta(idx->writer, META_GENERATION, &gen, idx->err);
	if (rc != FOUILLE_OK) {
		free(root);
		return rc;
	}
	u.generation = strtoull(gen, NULL, 10);
	free(gen);

	walk_list files;
	if (phase(&u, "scanning")) {
		free(root);
		return handle_fail(idx, FOUILLE_ECANCELLED, "cancelled");
	}
	int wrc = walk_folder(root, idx->dir, &files, walk_problem, &u);
	if (wrc != 0) {
		int code = wrc == -1 ? FOUILLE_ENOMEM : FOUILLE_ENOTFOUND;
		handle_fail(idx, code, "cannot read folder %s: %s", folder,
			    wrc == -1 ? "out of memory" : strerror(errno));
		free(root);
		return code;
	}
	sum->skipped_other += files.hidden;
	u.prog.files_total = files.n;
	u.prog.bytes_total = files.bytes;

	if (catalog_begin(idx->cat) != 0) {
		rc = handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	} else {
		rc = run_update(&u, &files);
		if (rc != FOUILLE_OK) {
			/* Drop what was not committed: the index stays at its last commit. */
			char ignored[XS_ERRLEN];
			xs_writer_cancel(idx->writer, ignored);
			catalog_rollback(idx->cat);
			if (rc == FOUILLE_ECANCELLED)
				handle_fail(idx, rc, "cancelled; the index holds what was committed before");
		} else {
			catalog_commit(idx->cat);
		}
	}
	walk_list_free(&files);
	known_free(&u.known);
	free(u.missing);
	for (size_t i = 0; i < u.nunreadable; i++)
		free(u.unreadable[i]);
	free(u.unreadable);
	free(root);
	sum->elapsed_seconds = seconds_since(&t0);
	return rc;
}
