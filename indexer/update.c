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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "article.h"
#include "docrecord.h"
#include "extras.h"
#include "handle.h"
#include "readers.h"
#include "unsynced.h"
#include "walk.h"

#define DEFAULT_MAX_FILE_SIZE (50ull * 1000 * 1000)
/* Commit when the postings Xapian holds in memory for the open transaction reach about
 * this much: it keeps them all (and the spelling changes) until the commit, so this
 * bounds the indexer's peak memory, whatever the size of the articles. Smaller batches
 * also cost less CPU here (Xapian's maps stay small): on the Debian text folder, one
 * commit at the end peaked at 131 MB, a commit every ~1,000 articles at 63 MB. */
#define COMMIT_MEMORY (16ull * 1000 * 1000)
/* ... growing to 1/COMMIT_GROWTH of what the update has committed so far, up to
 * COMMIT_MEMORY_MAX: each commit merges its batch into a larger index as the run goes
 * on, and the kernel rewrites fewer blocks for fewer, larger batches. On 300,000
 * synthetic articles, 64 MB batches took 10% less time than 16 MB ones (system time
 * -55%, user +12%), the peak 109 MB instead of 62; 256 MB batches were slower, with more
 * user time (Xapian's maps grow). A folder like bench/'s Debian text (~90 MB committed)
 * stays at 16 MB. */
#define COMMIT_GROWTH 50
#define COMMIT_MEMORY_MAX (64ull * 1000 * 1000)
/* What Xapian's in-memory postings grow by per distinct term of a document added (its
 * posting and position changes, the term's map entries): measured, 695,510
 * (document, term) pairs took ~90 MB. */
#define XAPIAN_BYTES_PER_TERM 130
/* Positions between the title and the body, so no phrase spans the two. */
#define TITLE_BODY_GAP 100
/* Why a file was not indexed, as shown to the person. */
#define REASON_LEN (ARTICLE_REASON_LEN + 64)
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
	char *record;
	uint64_t size;
	int64_t mtime_ns;
	uint64_t hash;
	uint64_t file_hash;
	int present; /* its file is still in the folder */
	int seen;    /* its record was found again in its changed file */
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
	uint64_t memory_since_commit; /* estimated bytes Xapian holds for the open transaction */
	uint64_t memory_committed;    /* the same, summed over the update's commits */
	size_t docs_since_commit;
	int64_t now;
	extras *extras;
	char reason[REASON_LEN];
	/* near-duplicates marked (mark_duplicate()) */
	uint64_t *sigs; /* the signatures this update wrote, open addressing, 0 an empty slot */
	size_t sigs_cap, sigs_n;
	int sig_zero;      /* the signature 0 was written */
	int sigs_in_index; /* the index held articles before: a signature may be there */
	int reader_failed; /* the index could not be asked: every signature counts as seen */
	int folding;       /* G and GD terms written (mark_duplicate) */
	uint64_t marks;    /* articles of the index marked GD */
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

/* The unique id term of an article: Q + its path (+ U+001E + its record for a file of
 * several articles), or Q# + a hash when that is too long for a Xapian term. */
static void id_term(const char *path, const char *record, char out[MAX_ID_TERM + 1])
{
	size_t n = strlen(path), r = record ? strlen(record) : 0;
	if (n + r + 2 <= MAX_ID_TERM) {
		if (r)
			snprintf(out, MAX_ID_TERM + 1, XS_PREFIX_ID "%s\x1e%s", path, record);
		else
			snprintf(out, MAX_ID_TERM + 1, XS_PREFIX_ID "%s", path);
		return;
	}
	uint64_t h1 = content_hash(path, n), h2 = r ? content_hash(record, r) : 0;
	snprintf(out, MAX_ID_TERM + 1, XS_PREFIX_ID "#%016llx%016llx%016llx",
		 (unsigned long long)h1, (unsigned long long)content_hash(path, n / 2),
		 (unsigned long long)h2);
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

/*
 * Read the file `rel` below `root` with one read loop. Returns 0, or -1 with `reason`
 * set. Runs in the threads that prepare articles: it touches nothing shared.
 */
static int read_file(const char *root, const char *rel, uint64_t max, char **out, size_t *len,
		     char reason[REASON_LEN])
{
	*out = NULL;
	*len = 0;
	char *path = walk_path_join(root, rel);
	if (!path) {
		snprintf(reason, REASON_LEN, "out of memory");
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0) {
		snprintf(reason, REASON_LEN, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(reason, REASON_LEN, "cannot read: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(reason, REASON_LEN, "too large (%.1f MB, the limit is %.1f MB)",
			 st.st_size / 1e6, max / 1e6);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		snprintf(reason, REASON_LEN, "out of memory reading %.1f MB", st.st_size / 1e6);
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
			snprintf(reason, REASON_LEN, "cannot read: %s", strerror(errno));
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

/* ---- near-duplicates marked --------------------------------------------------- */

/*
 * Every article with a collapse signature holds it as a term (XS_PREFIX_SIGNATURE), and
 * is marked XS_TERM_DUPLICATE when another article held it already: one in the index
 * (its own earlier version does not count), or one this update wrote before it. So of
 * the articles of an index sharing a signature, at most one is unmarked (the first
 * written; none once it is gone), which lets a search collapse near-duplicates itself
 * and count matches with them folded from the marked ones (xs_reader_search). A mark
 * too many costs that count a little, never its truth: an article whose signature could
 * not be looked up is marked, and a mark stays when the other articles go.
 *
 * Past XS_FOLD_MAX marked articles the searches collapse with Xapian and these terms
 * serve nothing: they stop, and the index says so (XS_META_FOLDING) until a rebuild. A
 * million articles' distinct terms cost a first index 14% more CPU (bench/README.md).
 */
static int sig_seen_or_add(update *u, uint64_t v)
{
	if (v == 0) {
		int seen = u->sig_zero;
		u->sig_zero = 1;
		return seen;
	}
	if (u->sigs_n * 2 >= u->sigs_cap) {
		size_t cap = u->sigs_cap ? u->sigs_cap * 2 : 1024;
		uint64_t *t = calloc(cap, sizeof *t);
		if (!t)
			return -1;
		for (size_t i = 0; i < u->sigs_cap; i++) {
			uint64_t x = u->sigs[i];
			if (!x)
				continue;
			size_t k = (size_t)x & (cap - 1);
			while (t[k])
				k = (k + 1) & (cap - 1);
			t[k] = x;
		}
		free(u->sigs);
		u->sigs = t;
		u->sigs_cap = cap;
	}
	/* a signature is a hash already: its low bits are the slot */
	size_t k = (size_t)v & (u->sigs_cap - 1);
	for (; u->sigs[k]; k = (k + 1) & (u->sigs_cap - 1))
		if (u->sigs[k] == v)
			return 1;
	u->sigs[k] = v;
	u->sigs_n++;
	return 0;
}

/* Mark `doc`, the article with id term `id` about to be written with signature `sig`
   ("" none), when another article had that signature before. */
static int mark_duplicate(update *u, xs_doc *doc, const char *id, const char *sig)
{
	if (!*sig || !u->folding)
		return FOUILLE_OK;
	char term[sizeof XS_PREFIX_SIGNATURE + EXTRAS_SIGNATURE_LEN];
	snprintf(term, sizeof term, XS_PREFIX_SIGNATURE "%s", sig);
	if (xs_doc_add_term(doc, term, 0) != FOUILLE_OK)
		return handle_fail(u->idx, FOUILLE_ENOMEM, "out of memory");
	int seen = sig_seen_or_add(u, strtoull(sig, NULL, 16));
	if (seen < 0)
		return handle_fail(u->idx, FOUILLE_ENOMEM, "out of memory");
	if (!seen && u->sigs_in_index) {
		/* in what was committed (what this update committed is in the set) */
		xs_reader *r = u->reader_failed ? NULL : handle_reader(u->idx);
		char err[XS_ERRLEN];
		if (!r || xs_reader_held_by_another(r, term, id, &seen, err) != FOUILLE_OK) {
			/* not known: marked, and the index is not asked again */
			if (!r)
				handle_ok(u->idx); /* the update goes on: no message left behind */
			u->reader_failed = 1;
			seen = 1;
		}
	}
	if (seen && xs_doc_add_term(doc, XS_TERM_DUPLICATE, 0) != FOUILLE_OK)
		return handle_fail(u->idx, FOUILLE_ENOMEM, "out of memory");
	u->marks += (uint64_t)seen;
	if (u->marks > XS_FOLD_MAX)
		u->folding = 0; /* from the next article on */
	return FOUILLE_OK;
}

/* ---- building a document ------------------------------------------------------- */

typedef struct doc_builder {
	xs_doc *doc;
	int title;       /* also post under the title prefix */
	size_t lead_end; /* words ending within the first lead_end bytes of the text are the
	                    lead: also posted under the lead prefix (0: none) */
	extras *extras;  /* gathers the spelling words and the signature from the same tokens */
	int failed;
} doc_builder;

/* `term` under the one-letter `prefix`, in `buf` (cut as snprintf would cut it): what
 * snprintf("%c%s") did, without its format parsing, once per posting of a title, a lead
 * or an accented word. */
_Static_assert(sizeof XS_PREFIX_TITLE == 2 && sizeof XS_PREFIX_LEAD == 2 && sizeof XS_PREFIX_EXACT == 2,
	       "with_prefix() writes one-letter prefixes");
static const char *with_prefix(char *buf, size_t cap, const char *prefix, const char *term)
{
	size_t n = strnlen(term, cap - 2);
	buf[0] = prefix[0];
	memcpy(buf + 1, term, n);
	buf[n + 1] = '\0';
	return buf;
}

/*
 * One word: its forms with positions; in a title again under S (with positions, for
 * title:"phrases"); in the lead again under L (no positions: only ranking uses them);
 * an accented word's exact form under E (no positions), wherever it is. See
 * search/ranking.h for how each weighs.
 */
static int post_token(const analyzer_token *t, void *ud)
{
	doc_builder *b = ud;
	char prefixed[ANALYZER_MAX_TERM + 8];
	const char *forms[2] = {t->term, t->alt};
	int lead = t->end <= b->lead_end;
	for (int i = 0; i < 2; i++) {
		if (!forms[i])
			continue;
		if (xs_doc_add_posting(b->doc, forms[i], t->pos, 1) != FOUILLE_OK)
			b->failed = 1;
		if (b->title &&
		    xs_doc_add_posting(b->doc, with_prefix(prefixed, sizeof prefixed, XS_PREFIX_TITLE, forms[i]),
				       t->pos, 1) != FOUILLE_OK)
			b->failed = 1;
		if (lead && xs_doc_add_term(b->doc, with_prefix(prefixed, sizeof prefixed, XS_PREFIX_LEAD, forms[i]),
					    1) != FOUILLE_OK)
			b->failed = 1;
	}
	if (t->exact &&
	    xs_doc_add_term(b->doc, with_prefix(prefixed, sizeof prefixed, XS_PREFIX_EXACT, t->exact), 1) != FOUILLE_OK)
		b->failed = 1;
	if (b->title)
		extras_title_token(b->extras, t);
	else
		extras_text_token(b->extras, t);
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

/* Where an article comes from: its file, and its record inside the file. */
typedef struct source {
	const walk_entry *file;
	const char *record;    /* "" for a file of one article */
	const char *format;    /* reader_format_name() */
	const char *encoding;  /* of the file */
	uint64_t file_hash;
} source;

/* The content hash of an article: what decides whether a record of a changed file
 * changed. */
static uint64_t article_hash(const article *a)
{
	const char *fields[] = {a->title, a->author, a->date, a->text, a->url, a->tags};
	uint64_t h = 0x243f6a8885a308d3ull;
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		const char *f = fields[i] ? fields[i] : "";
		h = (h ^ content_hash(f, strlen(f))) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return h;
}

/*
 * Analyse an article into a new document (*out): its terms, facet values, collapse
 * signature and stored record; its spelling words are left in `ex`. Touches nothing
 * shared: the threads that prepare articles run it, each with its own analyzer and
 * extras. Returns 0, or -1 when out of memory.
 */
static int build_doc(analyzer *an, extras *ex, const source *src, const article *a, uint64_t hash,
		     xs_doc **out)
{
	*out = NULL;
	xs_doc *doc = xs_doc_new();
	if (!doc)
		return -1;
	doc_builder b = {.doc = doc, .title = 1, .extras = ex};
	extras_begin(ex, a->title, a->text);
	uint32_t pos = 0;
	if (analyzer_run(an, a->title, strlen(a->title), &pos, post_token, &b) != 0 || b.failed)
		goto oom;
	pos += TITLE_BODY_GAP;
	b.title = 0;
	b.lead_end = a->lead_len;
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
	/* facet values, collapse signature (extras.h) */
	if (extras_set_values(ex, doc, a) != FOUILLE_OK)
		goto oom;
	docrecord r = {.path = (char *)src->file->rel, .record = (char *)src->record, .title = a->title,
		       .author = a->author, .date = a->date, .format = (char *)src->format,
		       .text = a->text, .url = a->url, .tags = a->tags,
		       .encoding = (char *)src->encoding, .lead_len = a->lead_len,
		       .size = src->file->size, .mtime_ns = src->file->mtime_ns, .hash = hash,
		       .file_hash = src->file_hash};
	char *data;
	size_t len;
	if (docrecord_encode(&r, &data, &len) != 0)
		goto oom;
	int rc = xs_doc_set_data(doc, data, len);
	free(data);
	if (rc != FOUILLE_OK)
		goto oom;
	*out = doc;
	return 0;
oom:
	xs_doc_free(doc);
	return -1;
}

/*
 * Write an article to the index: `doc` and `ex` as build_doc() left them when it was
 * prepared in advance (the document is taken over), else (doc NULL) it is analysed here.
 * Returns FOUILLE_OK, or an error code with the handle's message set (a store failure:
 * the update stops).
 */
static int write_article(update *u, const source *src, const article *a, uint64_t hash, xs_doc *doc,
			 const extras *ex)
{
	fouille_index *idx = u->idx;
	const char *rel = src->file->rel;
	if (!doc) {
		analyzer *an = handle_analyzer(idx);
		if (!an)
			return FOUILLE_ENOMEM;
		if (build_doc(an, u->extras, src, a, hash, &doc) != 0)
			return handle_fail(idx, FOUILLE_ENOMEM, "out of memory while indexing %s", rel);
		ex = u->extras;
	}
	/* near-duplicates, spelling data (extras.h) */
	char id[MAX_ID_TERM + 1];
	id_term(rel, src->record, id);
	int rc = mark_duplicate(u, doc, id, extras_doc_signature(ex));
	if (rc == FOUILLE_OK)
		rc = extras_add_spelling(ex, idx->writer, idx->err);
	if (rc != FOUILLE_OK) {
		xs_doc_free(doc);
		return rc;
	}
	size_t terms = xs_doc_term_count(doc);
	rc = xs_writer_replace(idx->writer, id, doc, idx->err);
	xs_doc_free(doc);
	if (rc != FOUILLE_OK)
		return rc;
	catalog_row row = {.path = rel, .record = src->record, .size = src->file->size,
			   .mtime_ns = src->file->mtime_ns, .hash = hash, .file_hash = src->file_hash,
			   .title = a->title, .author = a->author, .date = a->date,
			   .format = src->format, .encoding = src->encoding, .url = a->url,
			   .indexed_at = u->now};
	if (catalog_put(idx->cat, &row) != 0)
		return handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	u->memory_since_commit += (uint64_t)terms * XAPIAN_BYTES_PER_TERM;
	u->docs_since_commit++;
	return FOUILLE_OK;
}

/* ---- commits ------------------------------------------------------------------- */

/* Commit what was written. The spelling changes are written at the last commit of the
 * update (`last`) only: each commit would rewrite most of the spelling data (every batch
 * changes the frequency of nearly every common word), which took 13% of the instructions
 * of a run over bench/'s folder, a commit every ~16 MB. Until then the committed index
 * says so, and an update that dies first leaves the next one to count the spelling data
 * again (recount_spelling()). */
static int commit(update *u, int last)
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
	    (rc = xs_writer_set_meta_everywhere(idx->writer, XS_META_FOLDING, u->folding ? "" : "off",
						idx->err)) ||
	    (rc = last ? xs_writer_commit(idx->writer, idx->err)
		       : xs_writer_commit_keep_spelling(idx->writer, idx->err)))
		return rc;
	if (catalog_set_meta(idx->cat, META_GENERATION, gen) ||
	    catalog_set_meta(idx->cat, META_ANALYZER, an) || catalog_set_meta(idx->cat, META_ROOT, u->root) ||
	    catalog_set_meta(idx->cat, META_UPDATED, when) || catalog_commit(idx->cat) ||
	    catalog_begin(idx->cat))
		return handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	u->memory_committed += u->memory_since_commit;
	u->memory_since_commit = 0;
	u->docs_since_commit = 0;
	return FOUILLE_OK;
}

/* The batch size, in estimated bytes of postings: see COMMIT_GROWTH. */
static uint64_t commit_memory(const update *u)
{
	uint64_t m = u->memory_committed / COMMIT_GROWTH;
	return m < COMMIT_MEMORY ? COMMIT_MEMORY : m > COMMIT_MEMORY_MAX ? COMMIT_MEMORY_MAX : m;
}

static int maybe_commit(update *u)
{
	if (u->opts->commit_every ? u->docs_since_commit < u->opts->commit_every
				  : u->memory_since_commit < commit_memory(u))
		return FOUILLE_OK;
	if (phase(u, "committing"))
		return FOUILLE_ECANCELLED;
	int rc = commit(u, 0);
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
	if (!(k->record = strdup(row->record ? row->record : ""))) {
		free(k->path);
		return -1;
	}
	k->size = row->size;
	k->mtime_ns = row->mtime_ns;
	k->hash = row->hash;
	k->file_hash = row->file_hash;
	l->n++;
	return 0;
}

static int compare_known_path(const void *a, const void *b)
{
	const known *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : strcmp(x->record, y->record);
}

static int compare_missing_hash(const void *a, const void *b)
{
	uint64_t x = (*(known *const *)a)->hash, y = (*(known *const *)b)->hash;
	return x < y ? -1 : x > y;
}

static void known_free(known_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].record);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* The first of the rows whose file has gone (sorted by content hash) with a hash of at
 * least `hash`. */
static size_t first_missing(const update *u, uint64_t hash)
{
	size_t lo = 0, hi = u->nmissing;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (u->missing[mid]->hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A single-article row whose file has gone and whose content is `hash`, not yet used. */
static known *find_missing(update *u, uint64_t hash, uint64_t size)
{
	for (size_t i = first_missing(u, hash); i < u->nmissing && u->missing[i]->hash == hash; i++)
		if (!u->missing[i]->renamed && !*u->missing[i]->record && u->missing[i]->size == size)
			return u->missing[i];
	return NULL;
}

/* ---- per file ------------------------------------------------------------------ */

/* Move the document of `from` to `src`'s file without analysing it again: only the
 * path, size and mtime in its stored record change. */
static int rename_article(update *u, known *from, const source *src)
{
	fouille_index *idx = u->idx;
	const walk_entry *e = src->file;
	char old_id[MAX_ID_TERM + 1], new_id[MAX_ID_TERM + 1];
	id_term(from->path, "", old_id);
	id_term(e->rel, "", new_id);
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
	char *old_path = r.path;
	r.path = e->rel;
	r.size = e->size;
	r.mtime_ns = e->mtime_ns;
	if (docrecord_encode(&r, &data, &len) != 0) {
		r.path = old_path;
		docrecord_clear(&r);
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	}
	rc = xs_writer_rename(idx->writer, old_id, new_id, data, len, idx->err);
	free(data);
	catalog_row row = {.path = e->rel, .record = "", .size = e->size, .mtime_ns = e->mtime_ns,
			   .hash = r.hash, .file_hash = src->file_hash, .title = r.title,
			   .author = r.author, .date = r.date, .format = r.format,
			   .encoding = r.encoding, .url = r.url, .indexed_at = u->now};
	if (rc == FOUILLE_OK &&
	    (catalog_delete(idx->cat, from->path, "") != 0 || catalog_put(idx->cat, &row) != 0))
		rc = handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	r.path = old_path;
	docrecord_clear(&r);
	if (rc == FOUILLE_OK)
		from->renamed = 1;
	return rc;
}

/*
 * ---- preparing and writing, in file order ----------------------------------------
 *
 * Reading, decoding, parsing and analysing a file (prepare_file) touch nothing shared,
 * so with jobs > 1 worker threads do them, file k of those to read going to worker
 * k % jobs; each hands what it made (events: an article with its document built, a
 * problem, the end of the file) to the writer through its own bounded queue (a lane).
 * The writer (the calling thread) takes the files in path order, each from its lane, and
 * does everything that touches the index, the catalog and the counters (consume), just
 * as it would have alone: the index is the same whatever the number of threads, and a
 * crash or a full disk leaves it at its last commit. With jobs = 1, prepare_file runs
 * in the calling thread and hands each event to consume directly.
 */

/* How much article text a lane may hold before its worker waits for the writer: bounds
 * the memory of what is prepared in advance (one article is always let through). */
#define LANE_BYTES (64u << 10)
/* More workers than this only add threads waiting for the one writer. */
#define MAX_JOBS 64

enum event_kind { EV_ARTICLE, EV_PROBLEM, EV_END };

/* How a file ended, in its EV_END event. */
enum file_outcome {
	FILE_PARSED,       /* its articles came before (or its reader stopped: see consume) */
	FILE_UNREADABLE,   /* reason: it could not be read (or was too large) */
	FILE_NOT_ARTICLE,  /* no extension and not text */
	FILE_SAME_CONTENT, /* touched, not changed: file_hash equals its rows' */
	FILE_BAD,          /* reason: its reader refused it */
	FILE_OOM           /* memory ran out while preparing it: the update stops */
};

typedef struct event {
	struct event *next;
	enum event_kind kind;
	/* the file, in every event (the writer counts the first) */
	uint64_t file_len; /* bytes read */
	uint64_t file_hash;
	const char *format;   /* static strings */
	const char *encoding;
	/* EV_ARTICLE */
	article a;
	char *record;
	uint64_t hash;
	xs_doc *doc; /* built by the worker, or NULL: the writer analyses it if needed */
	extras *ex;  /* the spelling words that go with doc */
	size_t bytes; /* its text, counted against LANE_BYTES */
	/* EV_END */
	enum file_outcome outcome;
	/* EV_PROBLEM and EV_END */
	char reason[REASON_LEN];
} event;

/* Spelling-word sets a lane keeps for its worker's next articles (lane.spare), each
 * holding at most LANE_SPARE_BYTES: a set grown by a very long article is freed rather
 * than kept for the rest of the run. */
#define LANE_SPARE_EXTRAS 4
#define LANE_SPARE_BYTES (256u << 10)

typedef struct lane {
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	event *head, *tail;
	size_t bytes; /* article text held */
	int stop;     /* set by the writer: the worker stops at its next event */
	int failed;   /* set by the worker: out of memory, no more events will come */
	/* Extras the writer is done with, handed back for the worker's next articles:
	   reused, a set's table and words need not grow again from 256 slots (a calloc at
	   each doubling) for every article, nor be freed in the writer's thread. */
	extras *spare[LANE_SPARE_EXTRAS];
	size_t nspare;
} lane;

/* A file to read, and the catalog rows it had (contiguous, sorted by record). */
typedef struct work {
	const walk_entry *file;
	known *rows;
	size_t nrows;
} work;

/* The writer's side of the file being written. */
typedef struct file_job {
	update *u;
	source src;
	known *rows;
	size_t nrows;
	int rc;      /* a fatal error met while handling one of its articles */
	int counted; /* its bytes were added to the progress */
} file_job;

typedef struct pipeline {
	update *u;
	work *work;
	size_t nwork;
	size_t nworkers; /* 0: prepare_file runs in the writer */
	struct worker *workers;
	file_job *inline_job; /* with no workers: the file being written */
} pipeline;

/* One thread preparing files (or, with no workers, the writer preparing its own). */
typedef struct worker {
	pipeline *p;
	size_t index;
	pthread_t thread;
	int started;
	analyzer *an;
	lane lane;
} worker;

static void event_free(event *ev)
{
	if (!ev)
		return;
	article_clear(&ev->a);
	free(ev->record);
	xs_doc_free(ev->doc);
	extras_free(ev->ex);
	free(ev);
}

/* A copy of `a`'s fields into `out` (the reader's article lives only during its call).
 * Returns 0, or -1 when out of memory. */
static int article_copy(article *out, const article *a)
{
	memset(out, 0, sizeof *out);
	out->lead_len = a->lead_len;
	if ((a->title && !(out->title = strdup(a->title))) || (a->author && !(out->author = strdup(a->author))) ||
	    (a->date && !(out->date = strdup(a->date))) || (a->text && !(out->text = strdup(a->text))) ||
	    (a->url && !(out->url = strdup(a->url))) || (a->tags && !(out->tags = strdup(a->tags)))) {
		article_clear(out);
		return -1;
	}
	return 0;
}

static int consume(file_job *j, event *ev);

/* Hand `ev` to the writer (taking it over; NULL: out of memory, the update must stop).
 * Returns 0 to go on, non-zero when the update stops (the writer met an error or was
 * cancelled). */
static int deliver(worker *w, event *ev)
{
	pipeline *p = w->p;
	if (!p->nworkers) {
		int rc = consume(p->inline_job, ev);
		event_free(ev);
		return rc;
	}
	lane *l = &w->lane;
	pthread_mutex_lock(&l->mu);
	if (!ev) {
		l->failed = 1;
		pthread_cond_signal(&l->more);
		pthread_mutex_unlock(&l->mu);
		return 1;
	}
	while (!l->stop && l->head && l->bytes + ev->bytes > LANE_BYTES)
		pthread_cond_wait(&l->room, &l->mu);
	int stop = l->stop;
	if (!stop) {
		if (l->tail)
			l->tail->next = ev;
		else
			l->head = ev;
		l->tail = ev;
		l->bytes += ev->bytes;
		pthread_cond_signal(&l->more);
	}
	pthread_mutex_unlock(&l->mu);
	if (stop)
		event_free(ev);
	return stop;
}

/* An extras for the worker of lane `l`: one the writer handed back, else a new one (NULL
   when out of memory). */
static extras *spare_extras(lane *l)
{
	extras *x = NULL;
	pthread_mutex_lock(&l->mu);
	if (l->nspare)
		x = l->spare[--l->nspare];
	pthread_mutex_unlock(&l->mu);
	return x ? x : extras_new();
}

/* Hand `x` (the writer is done with it) back to lane `l`'s worker, or free it when the
   lane holds enough of them or `x` grew past LANE_SPARE_BYTES. */
static void give_back_extras(lane *l, extras *x)
{
	if (!x)
		return;
	if (extras_held_bytes(x) > LANE_SPARE_BYTES) {
		extras_free(x);
		return;
	}
	pthread_mutex_lock(&l->mu);
	if (l->nspare < LANE_SPARE_EXTRAS) {
		l->spare[l->nspare++] = x;
		x = NULL;
	}
	pthread_mutex_unlock(&l->mu);
	extras_free(x);
}

/* The next event of lane `l` (waits for it), or NULL when its worker ran out of memory. */
static event *take(lane *l)
{
	pthread_mutex_lock(&l->mu);
	while (!l->head && !l->failed)
		pthread_cond_wait(&l->more, &l->mu);
	event *ev = l->head;
	if (!ev) {
		pthread_mutex_unlock(&l->mu);
		return NULL;
	}
	if (!(l->head = ev->next))
		l->tail = NULL;
	ev->next = NULL;
	l->bytes -= ev->bytes;
	pthread_cond_signal(&l->room);
	pthread_mutex_unlock(&l->mu);
	return ev;
}

/* ---- the worker's side: a file into events ------------------------------------------- */

typedef struct prep {
	worker *w;
	const work *job;
	source src;
	uint64_t file_len;
	int stop; /* deliver() said stop */
	int oom;
} prep;

/* The row of `record` among the file's rows, whatever the writer did with it so far:
 * the worker only reads what does not change during the update (record, hash, size). */
static const known *row_of(const work *job, const char *record)
{
	size_t lo = 0, hi = job->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(job->rows[mid].record, record);
		if (c == 0)
			return &job->rows[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Whether a single-article row whose file has gone has this content: the writer will
 * probably move its document (a rename) rather than analyse the article again. */
static int maybe_renamed(const update *u, uint64_t hash, uint64_t size)
{
	for (size_t i = first_missing(u, hash); i < u->nmissing && u->missing[i]->hash == hash; i++)
		if (!*u->missing[i]->record && u->missing[i]->size == size)
			return 1;
	return 0;
}

static event *new_event(prep *pr, enum event_kind kind)
{
	event *ev = calloc(1, sizeof *ev);
	if (ev) {
		ev->kind = kind;
		ev->file_len = pr->file_len;
		ev->file_hash = pr->src.file_hash;
		ev->format = pr->src.format;
		ev->encoding = pr->src.encoding;
	}
	return ev;
}

/* An article of the file, from its reader: analysed here unless the writer will find
 * it unchanged or renamed (the writer analyses it itself if it turns out otherwise). */
static int prepare_article(const article *a, const char *record, void *ud)
{
	prep *pr = ud;
	event *ev = new_event(pr, EV_ARTICLE);
	if (!ev || article_copy(&ev->a, a) != 0 || !(ev->record = strdup(record))) {
		if (ev)
			article_clear(&ev->a); /* a copy made before strdup failed */
		free(ev);
		pr->oom = 1;
		return 1;
	}
	ev->hash = *record ? article_hash(a) : pr->src.file_hash;
	ev->bytes = strlen(ev->a.text);
	const known *k = row_of(pr->job, record);
	int unchanged = k && k->hash == ev->hash;
	int renamed = !k && !*record && maybe_renamed(pr->w->p->u, ev->hash, pr->src.file->size);
	if (!unchanged && !renamed &&
	    (ev->ex = pr->w->p->nworkers ? spare_extras(&pr->w->lane) : extras_new())) {
		source src = pr->src;
		src.record = record;
		if (build_doc(pr->w->an, ev->ex, &src, a, ev->hash, &ev->doc) != 0) {
			extras_free(ev->ex); /* the writer tries again, and reports it */
			ev->ex = NULL;
		}
	}
	if (deliver(pr->w, ev)) {
		pr->stop = 1;
		return 1;
	}
	return 0;
}

static void prepare_problem(const char *what, void *ud)
{
	prep *pr = ud;
	if (pr->stop || pr->oom)
		return;
	event *ev = new_event(pr, EV_PROBLEM);
	if (!ev) {
		pr->oom = 1;
		return;
	}
	snprintf(ev->reason, sizeof ev->reason, "%s", what);
	if (deliver(pr->w, ev))
		pr->stop = 1;
}

/*
 * Read and parse a file, analysing its articles, handing each to the writer, then the
 * end of the file with its outcome. Returns 0, non-zero when the update stops.
 */
static int prepare_file(worker *w, const work *job)
{
	update *u = w->p->u;
	const walk_entry *e = job->file;
	prep pr = {.w = w, .job = job};
	pr.src.file = e;
	/* made first, so that the writer always learns how the file ended */
	event *end = new_event(&pr, EV_END);
	if (!end)
		return deliver(w, NULL);
	char *reason = end->reason;
	enum file_outcome outcome = FILE_PARSED;
	const char *base = strrchr(e->rel, '/');
	base = base ? base + 1 : e->rel;
	reader_format fmt = reader_detect(base, NULL, 0);
	char *buf = NULL, *decoded = NULL;
	size_t len = 0;
	if (read_file(u->root, e->rel, u->opts->max_file_size ? u->opts->max_file_size : DEFAULT_MAX_FILE_SIZE,
		      &buf, &len, reason) != 0) {
		outcome = FILE_UNREADABLE;
		goto end;
	}
	pr.file_len = len;
	if (fmt == READER_OTHER && (fmt = reader_detect(base, buf, len)) == READER_OTHER) {
		outcome = FILE_NOT_ARTICLE;
		goto end;
	}
	pr.src.format = reader_format_name(fmt);
	pr.src.file_hash = content_hash(buf, len);
	int same_content = job->nrows > 0;
	for (size_t i = 0; i < job->nrows; i++)
		if (job->rows[i].file_hash != pr.src.file_hash)
			same_content = 0;
	if (same_content) {
		outcome = FILE_SAME_CONTENT;
		goto end;
	}

	char why[ARTICLE_REASON_LEN] = "";
	size_t dlen = len;
	const char *text = buf;
	pr.src.encoding = "UTF-8";
	if (fmt != READER_HTML) {
		if (encoding_decode(buf, len, &decoded, &dlen, &pr.src.encoding, why) != 0) {
			snprintf(reason, REASON_LEN, "%s", why);
			outcome = FILE_BAD;
			goto end;
		}
		if (decoded)
			text = decoded;
	}
	article a;
	memset(&a, 0, sizeof a);
	int rc = 0;
	switch (fmt) {
	case READER_TEXT:
		if (article_check_text(text, dlen, why) != 0 || article_parse_text(&a, text, dlen) != 0)
			rc = -1;
		break;
	case READER_MARKDOWN:
		rc = reader_markdown(&a, text, dlen, why);
		break;
	case READER_HTML:
		rc = reader_html(&a, text, dlen, why);
		if (rc == 0)
			pr.src.encoding = "html";
		break;
	case READER_JSON:
	case READER_JSONL:
		rc = reader_json(text, dlen, fmt == READER_JSONL, prepare_article, prepare_problem, &pr, why);
		if (rc > 0 || pr.stop || pr.oom)
			rc = 0; /* stopped by prepare_article: pr says why */
		break;
	case READER_OTHER:
		rc = -1;
		break;
	}
	if (rc == 0 && (fmt == READER_TEXT || fmt == READER_MARKDOWN || fmt == READER_HTML))
		prepare_article(&a, "", &pr);
	article_clear(&a);
	if (rc != 0) {
		snprintf(reason, REASON_LEN, "%s", *why ? why : "cannot be read as an article");
		outcome = FILE_BAD;
	}
end:
	free(buf);
	free(decoded);
	if (pr.stop) {
		event_free(end);
		return 1;
	}
	end->file_len = pr.file_len;
	end->file_hash = pr.src.file_hash;
	end->format = pr.src.format;
	end->encoding = pr.src.encoding;
	end->outcome = pr.oom ? FILE_OOM : outcome;
	return deliver(w, end);
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	pipeline *p = w->p;
#ifdef __linux__
	/* named for perf, top -H and gdb (bench/threads.sh sorts the run's time by it) */
	char name[16];
	snprintf(name, sizeof name, "fouille-prep%zu", w->index);
	prctl(PR_SET_NAME, name, 0, 0, 0);
#endif
	for (size_t k = w->index; k < p->nwork; k += p->nworkers)
		if (prepare_file(w, &p->work[k]))
			break;
	return NULL;
}

/* ---- the writer's side --------------------------------------------------------------- */

/* The row of `record` not yet seen in this update: the file's rows are sorted by record
 * (the catalog's order). */
static known *find_row(file_job *j, const char *record)
{
	size_t lo = 0, hi = j->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(j->rows[mid].record, record);
		if (c == 0)
			return j->rows[mid].seen ? NULL : &j->rows[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One article of the file: unchanged, updated, added, or renamed from a file gone. */
static int handle_article(file_job *j, event *ev)
{
	update *u = j->u;
	source src = j->src;
	src.record = ev->record;
	uint64_t hash = ev->hash;
	known *k = find_row(j, ev->record);
	int rc = FOUILLE_OK;
	fouille_file_status status;
	xs_doc *doc = ev->doc;
	ev->doc = NULL; /* write_article takes it over */
	if (k) {
		k->seen = 1;
		if (k->hash == hash) {
			xs_doc_free(doc);
			if (catalog_touch(u->idx->cat, src.file->rel, ev->record, src.file->size,
					  src.file->mtime_ns, src.file_hash) != 0)
				return j->rc = handle_fail(u->idx, FOUILLE_EIO, "%s", catalog_errmsg(u->idx->cat));
			u->sum->unchanged++;
			return emit(u, src.file->rel, FOUILLE_FILE_UNCHANGED, NULL) ? (j->rc = FOUILLE_ECANCELLED) : 0;
		}
		rc = write_article(u, &src, &ev->a, hash, doc, ev->ex);
		status = FOUILLE_FILE_UPDATED;
		u->sum->updated++;
	} else {
		known *from = *ev->record ? NULL : find_missing(u, hash, src.file->size);
		if (from)
			rc = rename_article(u, from, &src);
		if (from && rc != FOUILLE_ENOTFOUND) {
			xs_doc_free(doc);
			status = FOUILLE_FILE_RENAMED;
			u->sum->renamed++;
		} else {
			/* No row to move from, or a row whose document is gone: a run stopped
			   between the index's commit of a rename and the catalog's. The file is
			   indexed anew; the stale row goes with the missing files. */
			rc = write_article(u, &src, &ev->a, hash, doc, ev->ex);
			status = FOUILLE_FILE_ADDED;
			u->sum->added++;
		}
	}
	if (rc == FOUILLE_OK && emit(u, src.file->rel, status, NULL))
		rc = FOUILLE_ECANCELLED;
	if (rc == FOUILLE_OK)
		rc = maybe_commit(u);
	return (j->rc = rc) != FOUILLE_OK;
}

/* Remove the articles of a changed file that it no longer holds. */
static int remove_unseen(file_job *j)
{
	update *u = j->u;
	for (size_t i = 0; i < j->nrows; i++) {
		known *k = &j->rows[i];
		if (k->seen)
			continue;
		char id[MAX_ID_TERM + 1];
		id_term(k->path, k->record, id);
		int rc = xs_writer_delete(u->idx->writer, id, u->idx->err);
		if (rc != FOUILLE_OK)
			return rc;
		if (catalog_delete(u->idx->cat, k->path, k->record) != 0)
			return handle_fail(u->idx, FOUILLE_EIO, "%s", catalog_errmsg(u->idx->cat));
		u->sum->removed++;
		if (emit(u, k->path, FOUILLE_FILE_REMOVED, NULL))
			return FOUILLE_ECANCELLED;
	}
	return FOUILLE_OK;
}

/* The end of a file: what its outcome means for its rows and the counters. */
static int end_file(file_job *j, const event *ev)
{
	update *u = j->u;
	const walk_entry *e = j->src.file;
	fouille_file_status failed_as = FOUILLE_FILE_FAILED;
	switch (ev->outcome) {
	case FILE_OOM:
		return handle_fail(u->idx, FOUILLE_ENOMEM, "out of memory while indexing %s", e->rel);
	case FILE_PARSED:
		return remove_unseen(j);
	case FILE_UNREADABLE:
		if (strncmp(ev->reason, "too large", 9) == 0)
			failed_as = FOUILLE_FILE_SKIPPED;
		break;
	case FILE_NOT_ARTICLE:
		u->sum->skipped_format++;
		return emit(u, e->rel, FOUILLE_FILE_SKIPPED, "not an article (no extension, not text)")
			       ? FOUILLE_ECANCELLED
			       : FOUILLE_OK;
	case FILE_SAME_CONTENT:
		/* touched, not changed */
		for (size_t i = 0; i < j->nrows; i++) {
			j->rows[i].seen = 1;
			if (catalog_touch(u->idx->cat, e->rel, j->rows[i].record, e->size, e->mtime_ns,
					  ev->file_hash) != 0)
				return handle_fail(u->idx, FOUILLE_EIO, "%s", catalog_errmsg(u->idx->cat));
		}
		u->sum->unchanged += j->nrows;
		return emit(u, e->rel, FOUILLE_FILE_UNCHANGED, NULL) ? FOUILLE_ECANCELLED : FOUILLE_OK;
	case FILE_BAD:
		/* What the index held for this file stays: a bad version does not erase a good one. */
		for (size_t i = 0; i < j->nrows; i++)
			j->rows[i].seen = 1;
		/* nothing to index is a deliberate skip, not a failure */
		if (strncmp(ev->reason, "empty file", 10) == 0 || strncmp(ev->reason, "no text", 7) == 0)
			failed_as = FOUILLE_FILE_SKIPPED;
		break;
	}
	if (failed_as == FOUILLE_FILE_SKIPPED)
		u->sum->skipped_other++;
	else
		u->sum->failed++;
	return emit(u, e->rel, failed_as, ev->reason) ? FOUILLE_ECANCELLED : FOUILLE_OK;
}

/*
 * One event of the file being written. Returns 0 to go on, non-zero when the update
 * stops (j->rc says why; FOUILLE_OK with an EV_END means the file is done).
 */
static int consume(file_job *j, event *ev)
{
	update *u = j->u;
	if (!ev) {
		j->rc = handle_fail(u->idx, FOUILLE_ENOMEM, "out of memory while indexing %s", j->src.file->rel);
		return 1;
	}
	if (!j->counted) {
		u->prog.bytes_done += ev->file_len;
		j->counted = 1;
	}
	if (j->rc != FOUILLE_OK)
		return 1;
	j->src.file_hash = ev->file_hash;
	j->src.format = ev->format;
	j->src.encoding = ev->encoding;
	switch (ev->kind) {
	case EV_ARTICLE:
		return handle_article(j, ev);
	case EV_PROBLEM:
		u->sum->failed++;
		if (emit(u, j->src.file->rel, FOUILLE_FILE_FAILED, ev->reason))
			j->rc = FOUILLE_ECANCELLED;
		return j->rc != FOUILLE_OK;
	case EV_END:
		j->rc = end_file(j, ev);
		return j->rc != FOUILLE_OK;
	}
	return 0;
}

/* ---- the pipeline ------------------------------------------------------------------ */

/* Tell the workers to stop, and wake those waiting for room. */
static void pipeline_stop(pipeline *p)
{
	for (size_t i = 0; i < p->nworkers; i++) {
		lane *l = &p->workers[i].lane;
		pthread_mutex_lock(&l->mu);
		l->stop = 1;
		pthread_cond_broadcast(&l->room);
		pthread_mutex_unlock(&l->mu);
	}
}

static void pipeline_end(pipeline *p)
{
	if (p->nworkers)
		pipeline_stop(p);
	for (size_t i = 0; i < p->nworkers; i++) {
		worker *w = &p->workers[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		for (event *ev = w->lane.head, *next; ev; ev = next) {
			next = ev->next;
			event_free(ev);
		}
		while (w->lane.nspare)
			extras_free(w->lane.spare[--w->lane.nspare]);
		pthread_mutex_destroy(&w->lane.mu);
		pthread_cond_destroy(&w->lane.more);
		pthread_cond_destroy(&w->lane.room);
		analyzer_free(w->an);
	}
	free(p->workers);
	p->workers = NULL;
	p->nworkers = 0;
}

/* Start `n` workers over p->work; with fewer than 2 (or when a thread cannot be made),
 * none: the writer prepares the files itself. Returns 0, or -1 when out of memory. */
static int pipeline_start(pipeline *p, size_t n)
{
	p->nworkers = 0;
	if (n < 2 || p->nwork < 2)
		return 0;
	if (n > MAX_JOBS)
		n = MAX_JOBS;
	if (n > p->nwork)
		n = p->nwork;
	if (!(p->workers = calloc(n, sizeof *p->workers)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		worker *w = &p->workers[i];
		w->p = p;
		w->index = i;
		pthread_mutex_init(&w->lane.mu, NULL);
		pthread_cond_init(&w->lane.more, NULL);
		pthread_cond_init(&w->lane.room, NULL);
		p->nworkers = i + 1;
		if (!(w->an = analyzer_new())) {
			pipeline_end(p);
			return -1;
		}
	}
	/* every worker is set up before any starts: each reads p->nworkers */
	for (size_t i = 0; i < n; i++) {
		worker *w = &p->workers[i];
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
			break;
		w->started = 1;
	}
	if (!p->workers[n - 1].started) {
		/* not every thread could be made: the files of the missing ones would never
		   come; do without threads */
		pipeline_end(p);
	}
	return 0;
}

/* The files to read: those whose reader is known or must be guessed from their bytes,
 * and whose size or mtime changed (or that are new). */
static int needs_reading(const walk_entry *e, const known *rows, size_t nrows)
{
	const char *base = strrchr(e->rel, '/');
	base = base ? base + 1 : e->rel;
	if (reader_detect(base, NULL, 0) == READER_OTHER && strchr(base, '.'))
		return 0;
	int same_stat = nrows > 0;
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].size != e->size || rows[i].mtime_ns != e->mtime_ns)
			same_stat = 0;
	return !same_stat;
}

/*
 * Handle one scanned file whose catalog rows are rows[0..nrows) (none when new), the
 * k-th of those to read when it is one. Returns FOUILLE_OK (the file may have failed:
 * that is counted, not returned) or a fatal code.
 */
static int handle_file(pipeline *p, const walk_entry *e, known *rows, size_t nrows, size_t *k)
{
	update *u = p->u;
	const char *base = strrchr(e->rel, '/');
	base = base ? base + 1 : e->rel;
	if (!needs_reading(e, rows, nrows)) {
		if (reader_detect(base, NULL, 0) == READER_OTHER && strchr(base, '.')) {
			u->sum->skipped_format++;
			snprintf(u->reason, sizeof u->reason, "other format (%s)", strrchr(base, '.'));
			return emit(u, e->rel, FOUILLE_FILE_SKIPPED, u->reason) ? FOUILLE_ECANCELLED : FOUILLE_OK;
		}
		for (size_t i = 0; i < nrows; i++)
			rows[i].seen = 1;
		u->sum->unchanged += nrows;
		return emit(u, e->rel, FOUILLE_FILE_UNCHANGED, NULL) ? FOUILLE_ECANCELLED : FOUILLE_OK;
	}
	size_t index = (*k)++;
	file_job j = {.u = u, .rows = rows, .nrows = nrows};
	j.src.file = e;
	if (!p->nworkers) {
		worker self = {.p = p, .an = handle_analyzer(u->idx)};
		if (!self.an)
			return FOUILLE_ENOMEM;
		p->inline_job = &j;
		prepare_file(&self, &p->work[index]);
		p->inline_job = NULL;
		return j.rc;
	}
	lane *l = &p->workers[index % p->nworkers].lane;
	for (;;) {
		event *ev = take(l);
		int last = !ev || ev->kind == EV_END;
		int stop = consume(&j, ev);
		if (ev) {
			give_back_extras(l, ev->ex);
			ev->ex = NULL;
		}
		event_free(ev);
		if (stop || last)
			return j.rc;
	}
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
typedef struct id_list {
	known_list ids;
	int oom; /* the walk stopped short: deleting only what was listed would leave the
	            others in the index, in no catalog row */
} id_list;

static int collect_id(const char *idterm, const void *data, size_t len, void *ud)
{
	(void)data;
	(void)len;
	id_list *l = ud;
	catalog_row row = {.path = idterm};
	if (load_row(&row, &l->ids) != 0)
		l->oom = 1;
	return l->oom;
}

static int drop_everything(update *u)
{
	fouille_index *idx = u->idx;
	id_list l = {0};
	/* the spelling data goes whole: the documents' words need not be taken out one by one */
	int rc = xs_writer_clear_spelling(idx->writer, idx->err);
	if (rc == FOUILLE_OK)
		rc = xs_writer_each(idx->writer, collect_id, &l, idx->err);
	if (rc == FOUILLE_OK && l.oom)
		rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory listing the articles to re-index");
	for (size_t i = 0; rc == FOUILLE_OK && i < l.ids.n; i++)
		rc = xs_writer_delete(idx->writer, l.ids.v[i].path, idx->err);
	known_free(&l.ids);
	if (rc == FOUILLE_OK && catalog_clear(idx->cat) != 0)
		rc = handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	return rc;
}

/* An update that stopped between a commit keeping its spelling changes and the one
 * writing them (killed, or a failed write) left the spelling data behind the articles:
 * it is counted again from every article's stored record, said through the progress
 * callback, and committed before anything else. */
static int recount_spelling(update *u)
{
	fouille_index *idx = u->idx;
	int stale = 0;
	int rc = xs_writer_spelling_stale(idx->writer, &stale, idx->err);
	if (rc != FOUILLE_OK || !stale)
		return rc;
	u->prog.phase = "recounting";
	u->prog.path = NULL;
	u->prog.reason = "an earlier update stopped before writing its spelling data (\"did you mean\"): "
			 "counting the words of every article again";
	if (u->opts->progress && u->opts->progress(&u->prog, u->opts->progress_userdata))
		return FOUILLE_ECANCELLED;
	u->prog.reason = NULL;
	analyzer *an = handle_analyzer(idx);
	if (!an)
		return FOUILLE_ENOMEM;
	if ((rc = xs_writer_recount_spelling(idx->writer, extras_count, an, idx->err)) != FOUILLE_OK)
		return rc;
	return commit(u, 1);
}

static int run_update(update *u, const walk_list *files)
{
	fouille_index *idx = u->idx;
	int rc;
	u->sigs_in_index = !idx->rebuild && xs_writer_doccount(idx->writer) > 0;
	/* near-duplicates marked on, unless the index stopped (a rebuild starts again) */
	u->folding = 1;
	if (u->sigs_in_index) {
		char *folding = NULL;
		if ((rc = xs_writer_get_meta(idx->writer, XS_META_FOLDING, &folding, idx->err)) ||
		    (rc = xs_writer_termfreq(idx->writer, XS_TERM_DUPLICATE, &u->marks, idx->err))) {
			free(folding);
			return rc;
		}
		u->folding = strcmp(folding, "off") != 0 && u->marks <= XS_FOLD_MAX;
		free(folding);
	}
	/* a rebuild drops the spelling data anyway */
	if (!idx->rebuild && (rc = recount_spelling(u)) != FOUILLE_OK)
		return rc;
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
			u->known.v[j++].present = 1;
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
	/* the files to read, in order, for the workers */
	pipeline p = {.u = u};
	if (!(p.work = malloc((files->n ? files->n : 1) * sizeof *p.work)))
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	for (i = 0, j = 0; i < files->n; i++) {
		while (j < u->known.n && strcmp(u->known.v[j].path, files->v[i].rel) < 0)
			j++;
		size_t first = j;
		while (j < u->known.n && strcmp(u->known.v[j].path, files->v[i].rel) == 0)
			j++;
		if (needs_reading(&files->v[i], &u->known.v[first], j - first))
			p.work[p.nwork++] = (work){&files->v[i], &u->known.v[first], j - first};
	}
	/* One thread unless asked (fouille-index asks one per core): on the 2-core test
	   machine loaded by other jobs, 2 workers cost ~8% more CPU and ~5% more wall time
	   than none; idle, they save 15-25% of the wall time (bench/README.md). */
	if (pipeline_start(&p, u->opts->jobs) != 0) {
		free(p.work);
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	}
	size_t nread = 0;
	rc = FOUILLE_OK;
	for (i = 0, j = 0; i < files->n && rc == FOUILLE_OK; i++) {
		while (j < u->known.n && strcmp(u->known.v[j].path, files->v[i].rel) < 0)
			j++;
		size_t first = j;
		while (j < u->known.n && strcmp(u->known.v[j].path, files->v[i].rel) == 0)
			j++;
		if ((rc = handle_file(&p, &files->v[i], &u->known.v[first], j - first, &nread)) == FOUILLE_OK)
			u->prog.files_done++;
	}
	pipeline_end(&p);
	free(p.work);
	if (rc != FOUILLE_OK)
		return rc;

	if (phase(u, "removing"))
		return FOUILLE_ECANCELLED;
	for (size_t m = 0; m < u->nmissing; m++) {
		known *k = u->missing[m];
		if (k->renamed)
			continue;
		char id[MAX_ID_TERM + 1];
		id_term(k->path, k->record, id);
		if ((rc = xs_writer_delete(idx->writer, id, idx->err)) != FOUILLE_OK)
			return rc;
		if (catalog_delete(idx->cat, k->path, k->record) != 0)
			return handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
		u->sum->removed++;
		if (emit(u, k->path, FOUILLE_FILE_REMOVED, NULL))
			return FOUILLE_ECANCELLED;
	}
	if (phase(u, "committing"))
		return FOUILLE_ECANCELLED;
	if ((rc = commit(u, 1)) != FOUILLE_OK)
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

	/* Options of an older, smaller struct keep the defaults for the fields it lacks. */
	fouille_update_options o;
	fouille_update_options_init(&o);
	if (opts) {
		if (opts->struct_size < sizeof(size_t) || opts->struct_size > sizeof o)
			return handle_fail(idx, FOUILLE_EINVAL,
					   "fouille_update_options.struct_size is %zu; use fouille_update_options_init()",
					   opts->struct_size);
		memcpy(&o, opts, opts->struct_size);
	}
	opts = &o;
	fouille_update_summary local;
	fouille_update_summary *sum = summary ? summary : &local;
	memset(sum, 0, sizeof *sum);

	char *root = realpath(folder, NULL);
	if (!root)
		return handle_fail(idx, FOUILLE_ENOTFOUND, "cannot open folder %s: %s", folder, strerror(errno));

	update u = {.idx = idx, .opts = opts, .sum = sum, .root = root, .now = (int64_t)time(NULL)};
	if (!(u.extras = extras_new())) {
		free(root);
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	}
	char *gen = NULL;
	int rc = xs_writer_get_meta(idx->writer, META_GENERATION, &gen, idx->err);
	if (rc != FOUILLE_OK) {
		extras_free(u.extras);
		free(root);
		return rc;
	}
	u.generation = strtoull(gen, NULL, 10);
	free(gen);

	walk_list files;
	if (phase(&u, "scanning")) {
		extras_free(u.extras);
		free(root);
		return handle_fail(idx, FOUILLE_ECANCELLED, "cancelled");
	}
	int wrc = walk_folder(root, idx->dir, opts->exclude, opts->nexclude, &files, walk_problem, &u);
	if (wrc != 0) {
		int code = wrc == -1 ? FOUILLE_ENOMEM : FOUILLE_ENOTFOUND;
		handle_fail(idx, code, "cannot read folder %s: %s", folder,
			    wrc == -1 ? "out of memory" : strerror(errno));
		extras_free(u.extras);
		free(root);
		return code;
	}
	sum->skipped_other += files.hidden + files.excluded;
	u.prog.files_total = files.n;
	u.prog.bytes_total = files.bytes;

	if (idx->lost_rebuilt) {
		u.prog.reason = "the index was being built when the machine stopped, and part of it may "
				"have been lost: building it again";
		idx->lost_rebuilt = 0;
		if (opts->progress && opts->progress(&u.prog, opts->progress_userdata))
			rc = handle_fail(idx, FOUILLE_ECANCELLED, "cancelled");
		u.prog.reason = NULL;
	}
	/* a writer that does not sync (a first index) commits under the marker, even when an
	   earlier update of this handle synced and removed it */
	if (rc == FOUILLE_OK && idx->no_sync && !idx->marked) {
		if (unsynced_begin(idx->dir) != 0)
			rc = handle_fail(idx, FOUILLE_EIO, "cannot write in the index directory %s: %s",
					 idx->dir, strerror(errno));
		else
			idx->marked = 1;
	}
	if (rc != FOUILLE_OK) {
		/* cancelled, or no marker: said above */
	} else if (catalog_begin(idx->cat) != 0) {
		rc = handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	} else {
		rc = run_update(&u, &files);
		if (rc != FOUILLE_OK) {
			/* Drop what was not committed: the index stays at its last commit. */
			char ignored[XS_ERRLEN];
			xs_writer_cancel(idx->writer, ignored);
			catalog_rollback(idx->cat);
			if (rc == FOUILLE_ECANCELLED) {
				handle_fail(idx, rc, "cancelled; the index holds what was committed before");
			} else if (rc != FOUILLE_ENOMEM) {
				/* e.g. a full disk: say so, and that nothing already indexed is lost */
				char why[XS_ERRLEN];
				snprintf(why, sizeof why, "%s", idx->err);
				handle_fail(idx, rc, "cannot write the index at %s: %s; it stays as it was at its last commit",
					    idx->dir, why);
			}
		} else {
			catalog_commit(idx->cat);
			/* a first index: its databases' files synced once, now that it is whole
			   (the catalog is SQLite's: unsynced.h) */
			if (idx->marked) {
				if (unsynced_end(idx->dir, idx->xapian_dir) != 0)
					rc = handle_fail(idx, FOUILLE_EIO,
							 "cannot sync the index at %s to disk: %s; should the "
							 "machine stop now, the next run builds it again",
							 idx->dir, strerror(errno));
				else
					idx->marked = 0;
			}
		}
	}
	walk_list_free(&files);
	known_free(&u.known);
	free(u.missing);
	free(u.sigs);
	for (size_t i = 0; i < u.nunreadable; i++)
		free(u.unreadable[i]);
	free(u.unreadable);
	extras_free(u.extras);
	free(root);
	sum->elapsed_seconds = seconds_since(&t0);
	return rc;
}
