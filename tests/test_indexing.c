/*
 * Indexing with several threads (indexer/update.c's pipeline) and commits sized by
 * memory: the index, the catalog, the counters and the progress events are the same
 * with 1 and with N threads, on a first run and on an incremental one (changes,
 * renames, deletions, bad files); a cancel during a threaded run leaves the index at
 * its last commit; commits come by memory, not by number of articles.
 *
 * Also run under ThreadSanitizer by .ci/run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fouille.h"
#include "helpers.h"
#include "indexer/xapian_store.h"

static char tmp_root[64];

static const char *tmp_path(const char *rel)
{
	static char ring[8][PATH_MAX];
	static unsigned next;
	char *p = ring[next++ % 8];
	snprintf(p, PATH_MAX, "%s/%s", tmp_root, rel);
	return p;
}

static void write_bytes(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL, "cannot write %s: %s", path, strerror(errno));
	if (!f)
		return;
	fwrite(data, 1, len, f);
	fclose(f);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	write_bytes(dir, name, text, strlen(text));
	/* one mtime for every file written: two folders written the same way are alike
	   (the catalog and the stored records keep it) */
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct timespec t[2] = {{1700000000, 0}, {1700000000, 0}};
	CHECK(utimensat(AT_FDCWD, path, t, 0) == 0, "utimensat %s", path);
}

/* A growable string. */
typedef struct buf {
	char *p;
	size_t n, cap;
} buf;

static void add(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p && b->n + (size_t)n < b->cap) {
			b->n += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->n + (size_t)n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return;
		b->p = p;
		b->cap = cap;
	}
}

static const char *const WORDS[] = {
	"élection", "réforme", "pêcheurs", "grève", "cœur", "hôpital", "université", "marché",
	"énergie", "sécurité", "frontière", "économie", "théâtre", "forêt", "rivière", "port",
	"ministre", "député", "accord", "budget", "climat", "récolte", "vendanges", "tempête",
	"l’armée", "d’Europe", "qu’il", "aujourd’hui", "2023", "3,5", "mise", "jour"};
#define NWORDS (sizeof WORDS / sizeof *WORDS)

/* Deterministic pseudo-random words (an LCG), so every run writes the same folder. */
static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

static void sentence(buf *b, unsigned *seed, int words)
{
	for (int i = 0; i < words; i++)
		add(b, "%s%s", i ? " " : "", WORDS[rnd(seed) % NWORDS]);
	add(b, ".");
}

/* A folder of every kind of file the update meets. */
static void make_folder(const char *folder)
{
	make_dir(folder);
	char sub[PATH_MAX];
	snprintf(sub, sizeof sub, "%s/sub", folder);
	make_dir(sub);
	unsigned seed = 7;
	for (int i = 0; i < 60; i++) {
		buf b = {0};
		add(&b, "Article numéro %d sur la ", i);
		sentence(&b, &seed, 3);
		add(&b, "\n\n");
		sentence(&b, &seed, 12);
		add(&b, "\n\npar Camille Dubois\n%d avril 2023\n\n", 1 + i % 28);
		for (int p = 0; p < 1 + i % 5; p++) {
			sentence(&b, &seed, 20 + i % 30);
			add(&b, "\n\n");
		}
		char name[64];
		snprintf(name, sizeof name, "%s%03d.txt", i % 3 ? "" : "sub/", i);
		write_text(folder, name, b.p);
		free(b.p);
	}
	/* a long article: more than a worker's lane holds at once */
	buf big = {0};
	add(&big, "Le très long article\n\n");
	for (int p = 0; p < 1500; p++) {
		sentence(&big, &seed, 12);
		add(&big, p % 4 == 3 ? "\n\n" : " ");
	}
	write_text(folder, "big.txt", big.p);
	free(big.p);
	/* JSON Lines: many articles in one file */
	buf jl = {0};
	for (int r = 0; r < 150; r++) {
		add(&jl, "{\"id\": \"r%d\", \"title\": \"Dépêche %d\", \"author\": \"Agence\", "
			 "\"date\": \"2024-01-%02d\", \"body\": \"",
		    r, r, 1 + r % 28);
		sentence(&jl, &seed, 25);
		add(&jl, "\"}\n");
	}
	add(&jl, "{\"title\": 12, \"body\": []}\n"); /* a bad record */
	write_text(folder, "depeches.jsonl", jl.p);
	free(jl.p);
	write_text(folder, "un.json", "{\"title\": \"Réfugiés ukrainiens\", \"text\": \"Les réfugiés arrivent à la frontière.\"}");
	write_text(folder, "note.md", "---\ntitle: Les pêcheurs\nauthor: Marie Curie\ndate: 2022-05-01\n---\n\n"
				     "Les **pêcheurs** bretons et la *réforme* du port.\n");
	write_text(folder, "page.html", "<html><head><title>Grève à l’hôpital</title></head><body><article>"
				       "<h1>Grève à l’hôpital</h1><p>Les soignants sont en grève.</p></article></body></html>");
	write_text(folder, "latin1.txt", "Le th\xe9\xe2tre\n\nUne pi\xe8" "ce de th\xe9\xe2tre en for\xeat.\n");
	write_bytes(folder, "binaire.txt", "abc\0def", 7);
	/* (its mtime is left as written: it is only read) */
	write_text(folder, "vide.txt", "   \n");
	write_text(folder, "sans-extension", "Une note sans extension\n\nElle parle de vendanges.\n");
	write_text(folder, "image.xyz", "pas un article");
}

/* What a run reports: every progress event, and the summary. */
static int record_event(const fouille_progress *p, void *ud)
{
	buf *b = ud;
	if (p->path)
		add(b, "%s %d %s\n", p->path, (int)p->status, p->reason ? p->reason : "");
	else
		add(b, "phase %s\n", p->phase);
	return 0;
}

static int update(const char *folder, const char *dir, unsigned jobs, buf *events,
		  fouille_update_summary *sum)
{
	fouille_index *idx;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "open %s: %s", dir, fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return rc;
	fouille_update_options opts;
	fouille_update_options_init(&opts);
	opts.jobs = jobs;
	opts.progress = record_event;
	opts.progress_userdata = events;
	rc = fouille_index_update(idx, folder, &opts, sum);
	CHECK(rc == FOUILLE_OK, "update %s with %u jobs: %d %s", folder, jobs, rc, fouille_errmsg(idx));
	fouille_index_close(idx);
	return rc;
}

/* The whole content of a file, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.n + n + 1 > b.cap) {
			size_t cap = b.cap ? b.cap : 65536;
			while (cap < b.n + n + 1)
				cap *= 2;
			char *p = realloc(b.p, cap);
			if (!p)
				break;
			b.p = p;
			b.cap = cap;
		}
		memcpy(b.p + b.n, chunk, n);
		b.n += n;
	}
	fclose(f);
	*len = b.n;
	return b.p ? b.p : calloc(1, 1);
}

static int add_meta(const char *key, const char *value, size_t len, void *ud)
{
	add(ud, "%s=", key);
	for (size_t i = 0; i < len;) { /* the value's words and counts, NUL-separated */
		size_t n = strnlen(value + i, len - i);
		add(ud, "%.*s|", (int)n, value + i);
		i += n + 1;
	}
	add(ud, "\n");
	return 0;
}

/* The spelling data (user metadata, in the postlist table), as text. */
static buf spelling_data(const char *dir)
{
	buf b = {0};
	char xdir[PATH_MAX], err[XS_ERRLEN];
	snprintf(xdir, sizeof xdir, "%s/xapian", dir);
	xs_reader *r;
	CHECK(xs_reader_open(&r, xdir, err) == FOUILLE_OK, "open %s: %s", xdir, err);
	if (r) {
		CHECK(xs_reader_each_meta(r, XS_META_SPELLING, add_meta, &b, err) == FOUILLE_OK, "%s", err);
		xs_reader_close(r);
	}
	return b;
}

static int add_record(const char *idterm, const void *data, size_t len, void *ud)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a: records hold NULs */
	for (size_t i = 0; i < len; i++)
		h = (h ^ ((const unsigned char *)data)[i]) * 1099511628211ull;
	add(ud, "%s %zu %016llx\n", idterm, len, (unsigned long long)h);
	return 0;
}

/* Each document's stored record (a value, in the postlist table), as text. */
static buf records(const char *dir)
{
	buf b = {0};
	char xdir[PATH_MAX], err[XS_ERRLEN];
	snprintf(xdir, sizeof xdir, "%s/xapian", dir);
	xs_writer *w;
	CHECK(xs_writer_open(&w, xdir, 0, err) == FOUILLE_OK, "open %s: %s", xdir, err);
	if (w) {
		CHECK(xs_writer_each(w, add_record, &b, err) == FOUILLE_OK, "%s", err);
		xs_writer_close(w);
	}
	return b;
}

/*
 * The same Xapian tables byte for byte (terms and positions, keyed by document id), the
 * same stored records and the same spelling data: the same operations in the same order
 * with the same commits. The postlist table also holds the time of the last commit, so
 * it is left out, and the records (values) and spelling data (metadata) it holds are
 * compared as text.
 */
static void same_tables(const char *a, const char *b)
{
	buf sa = spelling_data(a), sb = spelling_data(b);
	CHECK(sa.n > 0 && sa.n == sb.n && memcmp(sa.p, sb.p, sa.n) == 0,
	      "the same spelling data (%zu vs %zu bytes)", sa.n, sb.n);
	free(sa.p);
	free(sb.p);
	buf ra = records(a), rb = records(b);
	CHECK(ra.n > 0 && ra.n == rb.n && memcmp(ra.p, rb.p, ra.n) == 0,
	      "the same records (%zu vs %zu bytes)", ra.n, rb.n);
	free(ra.p);
	free(rb.p);
	static const char *const tables[] = {"termlist", "position"};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char pa[PATH_MAX], pb[PATH_MAX];
		snprintf(pa, sizeof pa, "%s/xapian/%s.glass", a, tables[i]);
		snprintf(pb, sizeof pb, "%s/xapian/%s.glass", b, tables[i]);
		size_t la = 0, lb = 0;
		char *x = slurp(pa, &la), *y = slurp(pb, &lb);
		CHECK(x && y, "read %s and %s", pa, pb);
		CHECK(x && y && la == lb && memcmp(x, y, la) == 0, "%s.glass differs (%zu vs %zu bytes)",
		      tables[i], la, lb);
		free(x);
		free(y);
	}
}

/* The catalog's rows, but for when each was indexed. */
static char *catalog_dump(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
	sqlite3 *db;
	buf b = {0};
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		CHECK(0, "open %s", path);
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "SELECT * FROM articles ORDER BY path, record", -1, &st, NULL);
	CHECK(rc == SQLITE_OK, "select: %s", sqlite3_errmsg(db));
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			if (strcmp(sqlite3_column_name(st, c), "indexed_at") == 0)
				continue;
			const unsigned char *v = sqlite3_column_text(st, c);
			add(&b, "%s|", v ? (const char *)v : "NULL");
		}
		add(&b, "\n");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return b.p;
}

static void same_index(const char *a, const char *b, const buf *ea, const buf *eb,
		       const fouille_update_summary *sa, const fouille_update_summary *sb, const char *what)
{
	same_tables(a, b);
	char *ca = catalog_dump(a), *cb = catalog_dump(b);
	CHECK(ca && cb && strcmp(ca, cb) == 0, "%s: the catalogs differ", what);
	free(ca);
	free(cb);
	CHECK(ea->p && eb->p && strcmp(ea->p, eb->p) == 0, "%s: the progress events differ:\n%s\n---\n%s", what,
	      ea->p ? ea->p : "", eb->p ? eb->p : "");
	CHECK(sa->added == sb->added && sa->updated == sb->updated && sa->renamed == sb->renamed &&
		      sa->removed == sb->removed && sa->unchanged == sb->unchanged &&
		      sa->skipped_format == sb->skipped_format && sa->skipped_other == sb->skipped_other &&
		      sa->failed == sb->failed,
	      "%s: the summaries differ", what);
}

static void copy_tree(const char *from, const char *to)
{
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", from, to);
	CHECK(system(cmd) == 0, "%s", cmd);
}

/* Changes for an incremental run: an edit, a rename, a deletion, a record changed and
 * one removed from the JSON Lines file, a new file, a good file gone bad. */
static void change_folder(const char *folder)
{
	char from[PATH_MAX], to[PATH_MAX];
	unsigned seed = 99;
	buf b = {0};
	add(&b, "Article modifié\n\n");
	sentence(&b, &seed, 30);
	write_text(folder, "001.txt", b.p);
	free(b.p);
	snprintf(from, sizeof from, "%s/002.txt", folder);
	snprintf(to, sizeof to, "%s/002-renomme.txt", folder);
	CHECK(rename(from, to) == 0, "rename");
	snprintf(from, sizeof from, "%s/004.txt", folder);
	CHECK(unlink(from) == 0, "unlink");
	write_text(folder, "nouveau.md", "# Un nouvel article\n\nSur la tempête et les vendanges.\n");
	write_text(folder, "005.txt", "pas de l'UTF-8 ni du latin \x81\x8d\x8f\x90\x9d\x00");
	buf jl = {0};
	for (int r = 0; r < 150; r++) {
		if (r == 3)
			continue;
		add(&jl, "{\"id\": \"r%d\", \"title\": \"Dépêche %d%s\", \"body\": \"texte %d\"}\n", r, r,
		    r == 7 ? " corrigée" : "", r);
	}
	write_text(folder, "depeches.jsonl", jl.p);
	free(jl.p);
}

static void test_threads_same_index(void)
{
	const char *folder = tmp_path("folder");
	make_folder(folder);
	const char *one = tmp_path("one"), *four = tmp_path("four");
	buf e1 = {0}, e4 = {0};
	fouille_update_summary s1, s4;
	update(folder, one, 1, &e1, &s1);
	update(folder, four, 4, &e4, &s4);
	CHECK(s1.added > 200 && s1.failed >= 2 && s1.skipped_format == 1 && s1.skipped_other >= 1,
	      "the folder has every kind of file: added %zu failed %zu", s1.added, s1.failed);
	same_index(one, four, &e1, &e4, &s1, &s4, "first run");
	free(e1.p);
	free(e4.p);

	/* the same changes to two copies of the folder, each updated with its own index */
	const char *folder4 = tmp_path("folder4");
	copy_tree(folder, folder4);
	change_folder(folder);
	change_folder(folder4);
	memset(&e1, 0, sizeof e1);
	memset(&e4, 0, sizeof e4);
	/* paths are stored relative to the folder: the two indexes are alike */
	update(folder, one, 1, &e1, &s1);
	update(folder4, four, 3, &e4, &s4);
	CHECK(s1.updated >= 2 && s1.renamed == 1 && s1.removed >= 2 && s1.added >= 1,
	      "incremental: updated %zu renamed %zu removed %zu added %zu", s1.updated, s1.renamed,
	      s1.removed, s1.added);
	same_index(one, four, &e1, &e4, &s1, &s4, "incremental run");
	free(e1.p);
	free(e4.p);
}

/* Cancel after a few files: the threads stop, the index stays at its last commit. */
static int cancel_after(const fouille_progress *p, void *ud)
{
	int *left = ud;
	return p->path && --*left <= 0;
}

static void test_cancel_threads(void)
{
	const char *folder = tmp_path("folder");
	const char *dir = tmp_path("cancel");
	for (int n = 1; n < 60; n += 19) {
		fouille_index *idx;
		int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
		CHECK(rc == FOUILLE_OK, "open: %s", fouille_last_open_error());
		if (rc != FOUILLE_OK)
			return;
		fouille_update_options opts;
		fouille_update_options_init(&opts);
		opts.jobs = 3;
		opts.commit_every = 25;
		int left = n;
		opts.progress = cancel_after;
		opts.progress_userdata = &left;
		rc = fouille_index_update(idx, folder, &opts, NULL);
		CHECK(rc == FOUILLE_ECANCELLED, "cancelled after %d files: %d", n, rc);
		uint64_t count = fouille_index_article_count(idx);
		CHECK(count % 25 == 0, "after a cancel, the index holds what was committed: %llu",
		      (unsigned long long)count);
		fouille_index_close(idx);
	}
}

/* Counts the commits of a run. */
static int count_commits(const fouille_progress *p, void *ud)
{
	int *n = ud;
	if (!p->path && strcmp(p->phase, "committing") == 0)
		++*n;
	return 0;
}

static int commits_of(const char *folder, const char *dir)
{
	fouille_index *idx;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "open: %s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return -1;
	fouille_update_options opts;
	fouille_update_options_init(&opts);
	int n = 0;
	opts.progress = count_commits;
	opts.progress_userdata = &n;
	rc = fouille_index_update(idx, folder, &opts, NULL);
	CHECK(rc == FOUILLE_OK, "update: %s", fouille_errmsg(idx));
	fouille_index_close(idx);
	return n;
}

static void test_commits_by_memory(void)
{
	/* 120 articles of 1,000 distinct terms each (codes: no spelling data), their one
	   paragraph the lead: far more postings than the memory budget holds at once,
	   though few articles and little text */
	const char *many = tmp_path("many-terms");
	make_dir(many);
	for (int i = 0; i < 120; i++) {
		buf b = {0};
		add(&b, "Codes %d\n\n", i);
		for (int w = 0; w < 1000; w++)
			add(&b, "k%d ", i * 1000 + w);
		add(&b, "\n");
		char name[32];
		snprintf(name, sizeof name, "%03d.txt", i);
		write_text(many, name, b.p);
		free(b.p);
	}
	int n = commits_of(many, tmp_path("many-terms-index"));
	CHECK(n >= 2, "committed as the postings grew: %d commits", n);

	/* 3,000 short articles: few postings, one commit at the end */
	const char *small = tmp_path("small");
	make_dir(small);
	for (int i = 0; i < 3000; i++) {
		char name[32], text[96];
		snprintf(name, sizeof name, "%04d.txt", i);
		snprintf(text, sizeof text, "Brève %d\n\nLa tempête est passée.\n", i);
		write_text(small, name, text);
	}
	n = commits_of(small, tmp_path("small-index"));
	CHECK(n == 1, "many small articles: %d commits", n);
}

/*
 * xs_reader_position_after(), what snippets ask to know which query words a long text
 * lacks: the title's words take the first positions, the text's come after a gap.
 */
static void test_position_after(void)
{
	const char *folder = tmp_path("positions"), *dir = tmp_path("positions-index");
	make_dir(folder);
	write_text(folder, "a.txt", "Odessa sous la neige\n\nLe port de Kharkiv attend. Kharkiv encore.\n");
	buf events = {0};
	fouille_update_summary sum;
	if (update(folder, dir, 1, &events, &sum) != FOUILLE_OK) {
		free(events.p);
		return;
	}
	free(events.p);
	char xdir[PATH_MAX], err[XS_ERRLEN];
	snprintf(xdir, sizeof xdir, "%s/xapian", dir);
	xs_reader *r;
	CHECK(xs_reader_open(&r, xdir, err) == FOUILLE_OK, "open %s: %s", xdir, err);
	if (!r)
		return;
	uint32_t pos = 0;
	/* the title: odess at 1, neig at 4 */
	CHECK(xs_reader_position_after(r, 1, "odess", 0, &pos) == 1 && pos == 1, "odess: %u", pos);
	CHECK(xs_reader_position_after(r, 1, "odess", 4, &pos) == 0, "odess only in the title");
	CHECK(xs_reader_position_after(r, 1, "neig", 3, &pos) == 1 && pos == 4, "neig: %u", pos);
	/* the text from 4 + 100 + 1: le port de kharkiv, then kharkiv again */
	CHECK(xs_reader_position_after(r, 1, "kharkiv", 4, &pos) == 1 && pos == 108, "kharkiv: %u", pos);
	CHECK(xs_reader_position_after(r, 1, "kharkiv", 108, &pos) == 1 && pos == 110, "kharkiv: %u", pos);
	CHECK(xs_reader_position_after(r, 1, "kharkiv", 110, &pos) == 0, "no third kharkiv");
	CHECK(xs_reader_position_after(r, 1, "absent", 0, &pos) == 0, "a term not in the index");
	CHECK(xs_reader_position_after(r, 1, "Sodess", 0, &pos) == 1 && pos == 1, "the title's S form");
	xs_reader_close(r);
}

int main(void)
{
	snprintf(tmp_root, sizeof tmp_root, "/tmp/fouille-test-indexing-%d", (int)getpid());
	remove_tree(tmp_root);
	make_dir(tmp_root);
	test_threads_same_index();
	test_cancel_threads();
	test_commits_by_memory();
	test_position_after();
	remove_tree(tmp_root);
	return check_summary();
}
