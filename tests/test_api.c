/*
 * The public API (include/fouille.h) end to end, on real folders written to /tmp:
 * versions and error strings, NULL handling, opening, updating with a progress
 * callback, cancelling, the writer lock, searching (ranks, pages, snippets and their
 * highlights, relaxed queries), the analyzer-version check, the repair of the catalog
 * after a crash between the two commits, and the analysis spec's "as queries against a
 * document" table.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "fouille.h"
#include "indexer/xapian_store.h"

#define NBSP "\xC2\xA0"

static char tmp_root[64];

/* ---- files ---------------------------------------------------------------------- */

/* tmp_root/rel, in a static ring of buffers (a few may be alive at once). */
static const char *tmp_path(const char *rel)
{
	static char ring[8][PATH_MAX];
	static unsigned next;
	char *p = ring[next++ % 8];
	snprintf(p, PATH_MAX, "%s/%s", tmp_root, rel);
	return p;
}

/* A buffer seen as a plain pointer, for CHECK_STR (which compares it with NULL). */
static const char *str(const char *s)
{
	return s;
}

/* An article in the shape fouille reads: title, lead, author, date, body. */
static void write_article(const char *dir, const char *name, const char *title, const char *lead,
			  const char *body)
{
	char path[PATH_MAX], text[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(text, sizeof text, "%s\n\n%s\n\npar\nCamille Dubois\n12 avril 2023\n\n%s\n", title,
		 lead, body);
	write_file(path, text);
}

/* ---- UTF-8 ---------------------------------------------------------------------- */

static int utf8_continuation(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += !utf8_continuation(*s);
	return n;
}

/* ---- indexing and searching helpers ------------------------------------------------ */

/* Index `folder` into `dir` (created when missing) and close the handle. */
static int index_folder(const char *folder, const char *dir, fouille_update_summary *sum)
{
	fouille_index *idx;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "open %s for writing: %d %s", dir, rc, fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return rc;
	rc = fouille_index_update(idx, folder, NULL, sum);
	CHECK(rc == FOUILLE_OK, "update %s: %d %s", folder, rc, fouille_errmsg(idx));
	fouille_index_close(idx);
	return rc;
}

static fouille_index *open_ro(const char *dir)
{
	fouille_index *idx = NULL;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_OK && idx, "open %s read-only: %d %s", dir, rc, fouille_last_open_error());
	return idx;
}

/* The total number of matches of `query`, or -1 when the search failed. */
static long long count_matches(fouille_index *idx, const char *query)
{
	fouille_results *res;
	int rc = fouille_search(&res, idx, query, NULL);
	if (rc != FOUILLE_OK)
		return -1;
	long long n = (long long)fouille_results_total(res);
	fouille_results_free(res);
	return n;
}

/* The first hit of `query` has path `want`. */
static void check_top_hit(fouille_index *idx, const char *query, const char *want)
{
	fouille_results *res;
	int rc = fouille_search(&res, idx, query, NULL);
	CHECK(rc == FOUILLE_OK, "search [%s]: %d %s", query, rc, fouille_errmsg(idx));
	if (rc != FOUILLE_OK)
		return;
	const fouille_hit *h = fouille_results_hit(res, 0);
	CHECK(h && strcmp(fouille_hit_path(h), want) == 0, "query [%s] finds %s first; got %s",
	      query, want, h ? fouille_hit_path(h) : "nothing");
	CHECK(!fouille_results_relaxed(res), "query [%s] matched every word", query);
	fouille_results_free(res);
}

/* The snippet and highlights of a hit obey the API's promises. */
static void check_hit_shape(const fouille_hit *h, const char *query)
{
	const char *s = fouille_hit_snippet(h);
	CHECK(s != NULL, "[%s] snippet not NULL", query);
	if (!s)
		return;
	size_t len = strlen(s);
	CHECK(len > 0, "[%s] %s: snippet not empty", query, fouille_hit_path(h));
	CHECK(utf8_valid(s, len), "[%s] snippet is valid UTF-8: %s", query, s);
	CHECK(fouille_hit_title(h) != NULL, "[%s] title never NULL", query);
	size_t n = fouille_hit_highlight_count(h), prev_end = 0;
	for (size_t i = 0; i < n; i++) {
		size_t b = 0, e = 0;
		int rc = fouille_hit_highlight(h, i, &b, &e);
		CHECK(rc == FOUILLE_OK, "[%s] highlight %zu: %d", query, i, rc);
		CHECK(b < e && e <= len, "[%s] span %zu [%zu,%zu) inside a snippet of %zu bytes", query,
		      i, b, e, len);
		if (!(b < e && e <= len))
			continue;
		CHECK(i == 0 || b >= prev_end, "[%s] spans sorted, not overlapping: [%zu,%zu) after %zu",
		      query, b, e, prev_end);
		CHECK(!utf8_continuation(s[b]) && (e == len || !utf8_continuation(s[e])),
		      "[%s] span [%zu,%zu) on UTF-8 boundaries in %s", query, b, e, s);
		prev_end = e;
	}
	size_t b = 0, e = 0;
	CHECK(fouille_hit_highlight(h, n, &b, &e) == FOUILLE_EINVAL, "[%s] span %zu out of range",
	      query, n);
}

/* The text of highlight `i` of the first hit of `query`, into out. */
static int first_highlight(fouille_index *idx, const char *query, size_t i, char *out, size_t cap)
{
	out[0] = '\0';
	fouille_results *res;
	if (fouille_search(&res, idx, query, NULL) != FOUILLE_OK)
		return -1;
	const fouille_hit *h = fouille_results_hit(res, 0);
	size_t b, e;
	int rc = -1;
	if (h && fouille_hit_highlight(h, i, &b, &e) == FOUILLE_OK && e - b < cap) {
		memcpy(out, fouille_hit_snippet(h) + b, e - b);
		out[e - b] = '\0';
		rc = 0;
	}
	fouille_results_free(res);
	return rc;
}

/* ---- progress ------------------------------------------------------------------ */

#define MAX_EVENTS 32

typedef struct recorder {
	const char *phases[MAX_EVENTS]; /* phase changes, in order */
	size_t nphases;
	char files[MAX_EVENTS][64]; /* file events */
	fouille_file_status status[MAX_EVENTS];
	size_t nfiles;
	size_t added_seen;
	int cancel_on_added;           /* cancel at the first ADDED file */
	const char *cancel_on_phase;   /* cancel when this phase starts */
	int bad;                       /* an event broke a rule */
	size_t last_total;
} recorder;

static int record(const fouille_progress *p, void *ud)
{
	recorder *r = ud;
	if (!p->phase)
		r->bad = 1;
	if (!p->path) {
		if (p->phase && r->nphases < MAX_EVENTS &&
		    (r->nphases == 0 || strcmp(r->phases[r->nphases - 1], p->phase) != 0))
			r->phases[r->nphases++] = p->phase;
		return r->cancel_on_phase && p->phase && strcmp(p->phase, r->cancel_on_phase) == 0;
	}
	if (p->files_done > p->files_total || p->bytes_done > p->bytes_total)
		r->bad = 1;
	r->last_total = p->files_total;
	if (r->nfiles < MAX_EVENTS) {
		snprintf(r->files[r->nfiles], sizeof r->files[0], "%s", p->path);
		r->status[r->nfiles] = p->status;
		r->nfiles++;
	}
	if (p->status == FOUILLE_FILE_ADDED) {
		r->added_seen++;
		if (r->cancel_on_added)
			return 1;
	}
	return 0;
}

/* ---- tests --------------------------------------------------------------------- */

static void test_version_strerror(void)
{
	CHECK_STR(fouille_version(), FOUILLE_VERSION_STRING);
	char v[32];
	snprintf(v, sizeof v, "%d.%d.%d", FOUILLE_VERSION_MAJOR, FOUILLE_VERSION_MINOR,
		 FOUILLE_VERSION_PATCH);
	CHECK_STR(fouille_version(), v);

	static const struct {
		int code;
		const char *msg;
	} codes[] = {
		{FOUILLE_OK, "no error"},
		{FOUILLE_ERROR, "error"},
		{FOUILLE_ENOMEM, "out of memory"},
		{FOUILLE_ENOTFOUND, "not found"},
		{FOUILLE_ELOCKED, "index is locked"},
		{FOUILLE_EINVAL, "invalid argument"},
		{FOUILLE_EIO, "input/output error"},
		{FOUILLE_EQUERY, "no searchable word in the query"},
		{FOUILLE_EVERSION, "index built by an incompatible version"},
		{FOUILLE_ECANCELLED, "cancelled"},
	};
	size_t n = sizeof codes / sizeof codes[0];
	for (size_t i = 0; i < n; i++) {
		CHECK_STR(fouille_strerror(codes[i].code), codes[i].msg);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(fouille_strerror(codes[i].code), fouille_strerror(codes[j].code)) != 0,
			      "codes %d and %d have distinct messages", codes[i].code, codes[j].code);
	}
	CHECK_STR(fouille_strerror(1), "unknown error");
	CHECK_STR(fouille_strerror(-10), "unknown error");
	CHECK_STR(fouille_strerror(-1000000), "unknown error");
}

static void test_null_handling(void)
{
	fouille_index_close(NULL);
	fouille_results_free(NULL);
	CHECK_STR(fouille_errmsg(NULL), "no index handle");

	fouille_results *res = (fouille_results *)&res; /* must be overwritten */
	CHECK(fouille_search(NULL, NULL, "x", NULL) == FOUILLE_EINVAL, "search with NULL out");
	CHECK(fouille_search(&res, NULL, "x", NULL) == FOUILLE_EINVAL && res == NULL,
	      "search with NULL idx: EINVAL, *out NULL");

	fouille_index *idx = (fouille_index *)&idx;
	CHECK(fouille_index_open(NULL, "/tmp", 0) == FOUILLE_EINVAL, "open with NULL out");
	CHECK(fouille_index_open(&idx, NULL, 0) == FOUILLE_EINVAL && idx == NULL, "open NULL path");
	CHECK(*fouille_last_open_error() != '\0', "open NULL path leaves a message");
	idx = (fouille_index *)&idx;
	CHECK(fouille_index_open(&idx, "", 0) == FOUILLE_EINVAL && idx == NULL, "open empty path");

	CHECK(fouille_index_update(NULL, "/tmp", NULL, NULL) == FOUILLE_EINVAL, "update NULL idx");
	CHECK(fouille_index_root(NULL) == NULL, "root of NULL");
	CHECK(fouille_index_article_count(NULL) == 0, "article count of NULL");
	CHECK(fouille_index_locate(NULL, "x") == FOUILLE_EINVAL, "locate with NULL out");
	fouille_update_options_init(NULL);
	fouille_search_options_init(NULL);

	CHECK(fouille_results_count(NULL) == 0, "count of NULL results");
	CHECK(fouille_results_total(NULL) == 0, "total of NULL results");
	CHECK(fouille_results_relaxed(NULL) == 0, "relaxed of NULL results");
	CHECK(fouille_results_notice(NULL) == NULL, "notice of NULL results");
	CHECK(fouille_results_hit(NULL, 0) == NULL, "hit of NULL results");

	CHECK(fouille_hit_rank(NULL) == 0, "rank of NULL hit");
	CHECK(fouille_hit_path(NULL) == NULL, "path of NULL hit");
	CHECK(fouille_hit_title(NULL) == NULL, "title of NULL hit");
	CHECK(fouille_hit_author(NULL) == NULL, "author of NULL hit");
	CHECK(fouille_hit_date(NULL) == NULL, "date of NULL hit");
	CHECK(fouille_hit_score(NULL) == 0.0, "score of NULL hit");
	CHECK(fouille_hit_snippet(NULL) == NULL, "snippet of NULL hit");
	CHECK(fouille_hit_highlight_count(NULL) == 0, "highlight count of NULL hit");
	size_t b = 7, e = 7;
	CHECK(fouille_hit_highlight(NULL, 0, &b, &e) == FOUILLE_EINVAL, "highlight of NULL hit");

	/* locate: an explicit path wins and is copied */
	char *loc = NULL;
	CHECK(fouille_index_locate(&loc, "/some/where/.fouille") == FOUILLE_OK && loc &&
		      strcmp(loc, "/some/where/.fouille") == 0,
	      "locate returns the explicit path");
	free(loc);
}

static void test_open_missing(void)
{
	const char *missing = tmp_path("nowhere/.fouille");
	fouille_index *idx = (fouille_index *)&idx;
	int rc = fouille_index_open(&idx, missing, FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_ENOTFOUND, "read-only open of a missing index: %d", rc);
	CHECK(idx == NULL, "*out is NULL after a failed open");
	CHECK(strstr(fouille_last_open_error(), missing) != NULL,
	      "the open error names the path: %s", fouille_last_open_error());

	idx = (fouille_index *)&idx;
	rc = fouille_index_open(&idx, missing, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_ENOTFOUND && idx == NULL, "write open without CREATE of a missing dir: %d",
	      rc);
	CHECK(strstr(fouille_last_open_error(), missing) != NULL, "names the path: %s",
	      fouille_last_open_error());
	struct stat st;
	CHECK(stat(missing, &st) != 0, "a failed open without CREATE creates nothing");

	/* a folder that exists but holds no index */
	const char *empty = tmp_path("empty-index-dir");
	make_dir(empty);
	rc = fouille_index_open(&idx, empty, FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_ENOTFOUND && idx == NULL, "read-only open of an empty dir: %d", rc);
	rc = fouille_index_open(&idx, empty, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_ENOTFOUND && idx == NULL, "write open of an empty dir without CREATE: %d",
	      rc);

	/* created but never updated: opens, empty, no root, searches find nothing */
	rc = fouille_index_open(&idx, empty, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK && idx, "create: %d %s", rc, fouille_last_open_error());
	CHECK_STR(fouille_last_open_error(), "");
	if (idx) {
		CHECK(fouille_index_article_count(idx) == 0, "new index is empty");
		CHECK(fouille_index_root(idx) == NULL, "new index has no root");
		fouille_index_close(idx);
	}
	idx = open_ro(empty);
	if (idx) {
		CHECK(fouille_index_root(idx) == NULL, "never-updated index has no root (read-only)");
		fouille_results *res = NULL;
		rc = fouille_search(&res, idx, "guerre", NULL);
		CHECK(rc == FOUILLE_OK && fouille_results_count(res) == 0, "search an empty index: %d %s",
		      rc, fouille_errmsg(idx));
		fouille_results_free(res);
		/* updating through a read-only handle */
		rc = fouille_index_update(idx, tmp_root, NULL, NULL);
		CHECK(rc == FOUILLE_EINVAL && *fouille_errmsg(idx), "update on a read-only handle: %d",
		      rc);
		fouille_index_close(idx);
	}
}

static void make_three(const char *folder)
{
	make_dir(folder);
	write_article(folder, "a.txt", "Le marché aux fleurs rouvre", "Les étals reviennent.",
		      "Les tulipes et les jonquilles reviennent place Carnot, mot1unique.");
	write_article(folder, "b.txt", "La piscine municipale ferme", "Des travaux sont prévus.",
		      "Le bassin olympique sera vidé pendant trois mois, mot2unique.");
	write_article(folder, "c.txt", "Un nouveau tramway à Brest", "La ligne B est ouverte.",
		      "Les rames desservent le quartier de Bellevue, mot3unique.");
}

static void test_update_progress(void)
{
	const char *folder = tmp_path("three");
	const char *dir = tmp_path("three-index");
	make_three(folder);

	fouille_index *idx;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "create %s: %s", dir, fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	recorder r = {0};
	fouille_update_options opts;
	fouille_update_options_init(&opts);
	CHECK(opts.struct_size == sizeof opts && opts.max_file_size > 0 && !opts.progress,
	      "update options defaults");
	opts.progress = record;
	opts.progress_userdata = &r;
	fouille_update_summary sum;
	memset(&sum, 0xff, sizeof sum);
	rc = fouille_index_update(idx, folder, &opts, &sum);
	CHECK(rc == FOUILLE_OK, "update: %d %s", rc, fouille_errmsg(idx));
	CHECK_STR(fouille_errmsg(idx), "");
	CHECK(sum.added == 3 && sum.updated == 0 && sum.renamed == 0 && sum.removed == 0 &&
		      sum.unchanged == 0 && sum.skipped_format == 0 && sum.skipped_other == 0 &&
		      sum.failed == 0,
	      "summary: added %zu updated %zu renamed %zu removed %zu unchanged %zu skipped %zu/%zu "
	      "failed %zu",
	      sum.added, sum.updated, sum.renamed, sum.removed, sum.unchanged, sum.skipped_format,
	      sum.skipped_other, sum.failed);
	CHECK(sum.elapsed_seconds >= 0 && sum.elapsed_seconds < 600, "elapsed %f", sum.elapsed_seconds);
	CHECK(!r.bad, "every event has a phase; done <= total");
	CHECK(r.nphases == 4 && strcmp(r.phases[0], "scanning") == 0 &&
		      strcmp(r.phases[1], "indexing") == 0 && strcmp(r.phases[2], "removing") == 0 &&
		      strcmp(r.phases[3], "committing") == 0,
	      "phases scanning, indexing, removing, committing; got %zu (%s...)", r.nphases,
	      r.nphases ? r.phases[0] : "");
	CHECK(r.nfiles == 3, "3 file events, got %zu", r.nfiles);
	static const char *const names[] = {"a.txt", "b.txt", "c.txt"};
	for (size_t i = 0; i < 3 && i < r.nfiles; i++) {
		CHECK_STR(r.files[i], names[i]);
		CHECK(r.status[i] == FOUILLE_FILE_ADDED, "%s added, status %d", r.files[i], r.status[i]);
	}
	CHECK(r.last_total == 3, "files_total 3, got %zu", r.last_total);
	CHECK(fouille_index_article_count(idx) == 3, "article count 3 on the writer");

	char real[PATH_MAX];
	CHECK(realpath(folder, real) != NULL, "realpath");
	const char *root = fouille_index_root(idx);
	CHECK(root && strcmp(root, real) == 0, "root is %s, got %s", real, root ? root : "(null)");

	/* the writable handle searches too */
	CHECK(count_matches(idx, "tulipes") == 1, "search through the writable handle");

	/* a second run: every file unchanged, not re-read */
	recorder r2 = {0};
	opts.progress_userdata = &r2;
	rc = fouille_index_update(idx, folder, &opts, &sum);
	CHECK(rc == FOUILLE_OK && sum.unchanged == 3 && sum.added == 0, "re-run: 3 unchanged (%zu)",
	      sum.unchanged);
	for (size_t i = 0; i < r2.nfiles; i++)
		CHECK(r2.status[i] == FOUILLE_FILE_UNCHANGED, "%s unchanged", r2.files[i]);

	/* relative folder paths are stored absolute */
	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof cwd) && chdir(tmp_root) == 0) {
		rc = fouille_index_update(idx, "three", NULL, &sum);
		CHECK(rc == FOUILLE_OK && sum.unchanged == 3, "update from a relative path: %d", rc);
		root = fouille_index_root(idx);
		CHECK(root && strcmp(root, real) == 0, "relative folder: root is absolute, got %s",
		      root ? root : "(null)");
		CHECK(chdir(cwd) == 0, "chdir back");
	}

	/* a missing folder */
	rc = fouille_index_update(idx, tmp_path("no-such-folder"), NULL, NULL);
	CHECK(rc == FOUILLE_ENOTFOUND && strstr(fouille_errmsg(idx), "no-such-folder"),
	      "update of a missing folder: %d %s", rc, fouille_errmsg(idx));
	rc = fouille_index_update(idx, NULL, NULL, NULL);
	CHECK(rc == FOUILLE_EINVAL, "update of a NULL folder: %d", rc);
	CHECK(fouille_index_article_count(idx) == 3, "failed updates change nothing");
	fouille_index_close(idx);

	idx = open_ro(dir);
	if (idx) {
		CHECK(fouille_index_article_count(idx) == 3, "article count 3 read-only");
		root = fouille_index_root(idx);
		CHECK(root && strcmp(root, real) == 0, "read-only root is %s, got %s", real,
		      root ? root : "(null)");
		check_top_hit(idx, "jonquille", "a.txt");
		check_top_hit(idx, "piscine", "b.txt");
		check_top_hit(idx, "tramway", "c.txt");
		fouille_results *res;
		if (fouille_search(&res, idx, "tramway", NULL) == FOUILLE_OK) {
			const fouille_hit *h = fouille_results_hit(res, 0);
			CHECK_STR(fouille_hit_title(h), "Un nouveau tramway à Brest");
			CHECK_STR(fouille_hit_author(h), "Camille Dubois");
			CHECK_STR(fouille_hit_date(h), "2023-04-12");
			CHECK(fouille_results_hit(res, fouille_results_count(res)) == NULL,
			      "hit past the end is NULL");
			fouille_results_free(res);
		}
		fouille_index_close(idx);
	}
}

static void test_cancel(void)
{
	const char *folder = tmp_path("cancel");
	const char *dir = tmp_path("cancel-index");
	make_three(folder);
	CHECK(index_folder(folder, dir, NULL) == FOUILLE_OK, "first run");

	write_article(folder, "d.txt", "Le port de pêche modernisé", "Les quais sont refaits.",
		      "Les chalutiers accostent au nouveau ponton, mot4unique.");
	write_article(folder, "e.txt", "Une librairie ouvre au village", "Elle vend aussi du café.",
		      "La libraire propose des romans policiers, mot5unique.");

	fouille_index *idx;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_OK, "reopen: %s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	recorder r = {.cancel_on_added = 1};
	fouille_update_options opts;
	fouille_update_options_init(&opts);
	opts.progress = record;
	opts.progress_userdata = &r;
	fouille_update_summary sum;
	rc = fouille_index_update(idx, folder, &opts, &sum);
	CHECK(rc == FOUILLE_ECANCELLED, "cancel on the first ADDED: %d %s", rc, fouille_errmsg(idx));
	CHECK(strstr(fouille_errmsg(idx), "cancel") != NULL, "message says cancelled: %s",
	      fouille_errmsg(idx));
	CHECK(r.added_seen == 1, "the callback is not called again after cancelling (%zu)",
	      r.added_seen);
	CHECK(fouille_index_article_count(idx) == 3, "writer count back to 3 after cancel: %llu",
	      (unsigned long long)fouille_index_article_count(idx));

	fouille_index *ro = open_ro(dir);
	if (ro) {
		CHECK(fouille_index_article_count(ro) == 3, "3 articles after the cancel");
		CHECK(count_matches(ro, "mot4unique") == 0, "the cancelled article is not searchable");
		CHECK(count_matches(ro, "mot5unique") == 0, "the next new article is not searchable");
		for (int i = 1; i <= 3; i++) {
			char q[32];
			snprintf(q, sizeof q, "mot%dunique", i);
			CHECK(count_matches(ro, q) == 1, "old article %s still searchable", q);
		}
		fouille_index_close(ro);
	}

	/* cancelling while scanning changes nothing either */
	recorder rs = {.cancel_on_phase = "scanning"};
	opts.progress_userdata = &rs;
	rc = fouille_index_update(idx, folder, &opts, &sum);
	CHECK(rc == FOUILLE_ECANCELLED && rs.nfiles == 0, "cancel while scanning: %d", rc);
	/* and just before committing */
	recorder rc2 = {.cancel_on_phase = "committing"};
	opts.progress_userdata = &rc2;
	rc = fouille_index_update(idx, folder, &opts, &sum);
	CHECK(rc == FOUILLE_ECANCELLED && rc2.added_seen == 2, "cancel before committing: %d, %zu added",
	      rc, rc2.added_seen);
	CHECK(fouille_index_article_count(idx) == 3, "still 3 after a cancel before committing");

	/* the same handle goes on: the catalog was rolled back too, so both are new again */
	rc = fouille_index_update(idx, folder, NULL, &sum);
	CHECK(rc == FOUILLE_OK && sum.added == 2 && sum.unchanged == 3,
	      "update after the cancel: %d, added %zu unchanged %zu", rc, sum.added, sum.unchanged);
	CHECK(fouille_index_article_count(idx) == 5, "5 articles after the full run");
	CHECK(count_matches(idx, "mot4unique") == 1, "the new article is searchable at last");
	fouille_index_close(idx);
}

static void test_second_writer(void)
{
	const char *folder = tmp_path("lock");
	const char *dir = tmp_path("lock-index");
	make_three(folder);
	CHECK(index_folder(folder, dir, NULL) == FOUILLE_OK, "first run");

	fouille_index *w1 = NULL, *w2 = (fouille_index *)&w2;
	int rc = fouille_index_open(&w1, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_OK, "first writer: %s", fouille_last_open_error());
	rc = fouille_index_open(&w2, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_ELOCKED && w2 == NULL, "second writer: %d", rc);
	CHECK(strstr(fouille_last_open_error(), "being updated") != NULL,
	      "second writer's message: %s", fouille_last_open_error());
	rc = fouille_index_open(&w2, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_ELOCKED && w2 == NULL, "second writer with CREATE: %d", rc);

	/* readers are not blocked by the writer */
	fouille_index *ro = open_ro(dir);
	if (ro)
		CHECK(count_matches(ro, "tramway") == 1, "a reader searches while a writer is open");
	fouille_index_close(ro);

	fouille_index_close(w1);
	rc = fouille_index_open(&w2, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_OK, "closing the first writer releases the lock: %d %s", rc,
	      fouille_last_open_error());
	fouille_index_close(w2);
}

static void test_search(const char *dir)
{
	fouille_index *idx = open_ro(dir);
	if (!idx)
		return;

	fouille_search_options o;
	fouille_search_options_init(&o);
	CHECK(o.struct_size == sizeof o && o.limit == 10 && o.offset == 0 && o.snippet_chars == 200 &&
		      o.flags == 0,
	      "search options defaults");

	static const char *const queries[] = {"france", "réfugiés", "sécurité", "guerre",
					      "election presidentielle", "l'armée"};
	for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
		fouille_results *res = NULL;
		int rc = fouille_search(&res, idx, queries[q], NULL);
		CHECK(rc == FOUILLE_OK, "[%s]: %d %s", queries[q], rc, fouille_errmsg(idx));
		if (rc != FOUILLE_OK)
			continue;
		CHECK_STR(fouille_errmsg(idx), "");
		size_t n = fouille_results_count(res);
		CHECK(n > 0 && n <= 10, "[%s] %zu hits", queries[q], n);
		CHECK(fouille_results_total(res) >= n, "[%s] total >= count", queries[q]);
		CHECK(!fouille_results_relaxed(res), "[%s] not relaxed", queries[q]);
		size_t highlighted = 0;
		for (size_t i = 0; i < n; i++) {
			const fouille_hit *h = fouille_results_hit(res, i);
			CHECK(fouille_hit_rank(h) == i + 1, "[%s] rank %zu", queries[q], fouille_hit_rank(h));
			CHECK(fouille_hit_score(h) > 0, "[%s] score > 0", queries[q]);
			if (i)
				CHECK(fouille_hit_score(h) <= fouille_hit_score(fouille_results_hit(res, i - 1)),
				      "[%s] scores in decreasing order", queries[q]);
			CHECK(fouille_hit_path(h) && strstr(fouille_hit_path(h), ".txt"), "[%s] path",
			      queries[q]);
			check_hit_shape(h, queries[q]);
			highlighted += fouille_hit_highlight_count(h) > 0;
			const char *date = fouille_hit_date(h);
			CHECK(!date || (strlen(date) == 10 && date[4] == '-' && date[7] == '-'),
			      "[%s] date YYYY-MM-DD: %s", queries[q], date);
		}
		CHECK(highlighted > 0, "[%s] some snippet has highlights", queries[q]);
		fouille_results_free(res);
	}

	/* stopwords only: EQUERY with a message, *out NULL */
	fouille_results *res = (fouille_results *)&res;
	int rc = fouille_search(&res, idx, "le la les", NULL);
	CHECK(rc == FOUILLE_EQUERY && res == NULL, "stopwords only: %d", rc);
	CHECK(strstr(fouille_errmsg(idx), "nothing to search for") != NULL, "EQUERY message: %s",
	      fouille_errmsg(idx));
	for (const char *const *q = (const char *const[]){"?!", "«»", "-", "-guerre", "", "   ", NULL};
	     *q; q++) {
		rc = fouille_search(&res, idx, *q, NULL);
		CHECK(rc == FOUILLE_EQUERY && res == NULL && *fouille_errmsg(idx),
		      "[%s] has no searchable word: %d", *q, rc);
	}
	rc = fouille_search(&res, idx, NULL, NULL);
	CHECK(rc == FOUILLE_EINVAL && res == NULL, "NULL query: %d", rc);
	/* the next successful call clears the message */
	rc = fouille_search(&res, idx, "guerre", NULL);
	CHECK(rc == FOUILLE_OK, "search after an error");
	CHECK_STR(fouille_errmsg(idx), "");
	fouille_results_free(res);

	/* bad struct_size */
	fouille_search_options bad;
	fouille_search_options_init(&bad);
	size_t sizes[] = {0, 1, sizeof bad + 1, sizeof bad * 2, (size_t)-1};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		bad.struct_size = sizes[i];
		res = (fouille_results *)&res;
		rc = fouille_search(&res, idx, "guerre", &bad);
		CHECK(rc == FOUILLE_EINVAL && res == NULL, "struct_size %zu: %d", sizes[i], rc);
		CHECK(strstr(fouille_errmsg(idx), "struct_size") != NULL, "message names struct_size: %s",
		      fouille_errmsg(idx));
	}
	/* an older, shorter struct (no flags) is accepted with the defaults for the rest */
	fouille_search_options_init(&bad);
	bad.struct_size = offsetof(fouille_search_options, flags);
	bad.flags = FOUILLE_SEARCH_NO_RELAX; /* beyond struct_size: ignored */
	rc = fouille_search(&res, idx, "armée xyzzyquux", &bad);
	CHECK(rc == FOUILLE_OK && fouille_results_relaxed(res), "short struct: flags not read: %d",
	      rc);
	fouille_results_free(res);

	/* limit and offset */
	fouille_results *all = NULL, *page = NULL;
	fouille_search_options_init(&o);
	o.limit = 50;
	rc = fouille_search(&all, idx, "france", &o);
	CHECK(rc == FOUILLE_OK && fouille_results_count(all) >= 5, "france: at least 5 hits");
	size_t nall = fouille_results_count(all);
	CHECK(nall == fouille_results_total(all), "a page holding everything: count %zu = total %llu",
	      nall, (unsigned long long)fouille_results_total(all));
	static const unsigned pages[][2] = {{2, 0}, {2, 1}, {3, 2}, {1, 4}, {10, 3}};
	for (size_t p = 0; p < sizeof pages / sizeof pages[0] && nall >= 5; p++) {
		o.limit = pages[p][0];
		o.offset = pages[p][1];
		rc = fouille_search(&page, idx, "france", &o);
		CHECK(rc == FOUILLE_OK, "page %u+%u", o.offset, o.limit);
		size_t want = nall - o.offset < o.limit ? nall - o.offset : o.limit;
		CHECK(fouille_results_count(page) == want, "limit %u offset %u: %zu hits, want %zu",
		      o.limit, o.offset, fouille_results_count(page), want);
		CHECK(fouille_results_total(page) == fouille_results_total(all), "total independent of page");
		for (size_t i = 0; i < fouille_results_count(page); i++) {
			const fouille_hit *h = fouille_results_hit(page, i);
			const fouille_hit *ref = fouille_results_hit(all, o.offset + i);
			CHECK(fouille_hit_rank(h) == o.offset + i + 1, "rank counts the offset: %zu",
			      fouille_hit_rank(h));
			CHECK(strcmp(fouille_hit_path(h), fouille_hit_path(ref)) == 0,
			      "page %u+%u hit %zu is %s, want %s", o.offset, o.limit, i,
			      fouille_hit_path(h), fouille_hit_path(ref));
		}
		fouille_results_free(page);
	}
	fouille_results_free(all);
	o.limit = 10;
	o.offset = 100000;
	rc = fouille_search(&page, idx, "france", &o);
	CHECK(rc == FOUILLE_OK && fouille_results_count(page) == 0 && fouille_results_total(page) > 0,
	      "offset past the end: no hits, total kept: %d", rc);
	fouille_results_free(page);
	o.offset = 0;
	o.limit = 0; /* 0 means the default */
	rc = fouille_search(&page, idx, "france", &o);
	CHECK(rc == FOUILLE_OK && fouille_results_count(page) == 10, "limit 0 means 10: %zu",
	      fouille_results_count(page));
	fouille_results_free(page);

	/* the snippet budget */
	fouille_search_options_init(&o);
	o.snippet_chars = 60;
	rc = fouille_search(&page, idx, "réfugiés", &o);
	CHECK(rc == FOUILLE_OK, "snippet_chars 60");
	for (size_t i = 0; rc == FOUILLE_OK && i < fouille_results_count(page); i++) {
		const fouille_hit *h = fouille_results_hit(page, i);
		/* 60 characters plus "… " on either side at most */
		CHECK(utf8_chars(fouille_hit_snippet(h)) <= 64, "snippet of %zu chars within 60: %s",
		      utf8_chars(fouille_hit_snippet(h)), fouille_hit_snippet(h));
		check_hit_shape(h, "réfugiés/60");
	}
	fouille_results_free(page);
	fouille_index_close(idx);
}

static void test_relaxed(const char *dir)
{
	fouille_index *idx = open_ro(dir);
	if (!idx)
		return;
	fouille_results *res;
	int rc = fouille_search(&res, idx, "armée xyzzyquux", NULL);
	CHECK(rc == FOUILLE_OK && fouille_results_count(res) > 0 && fouille_results_relaxed(res) == 1,
	      "one matching word and one nonsense word: relaxed (%d, %zu hits)", rc,
	      fouille_results_count(res));
	for (size_t i = 0; rc == FOUILLE_OK && i < fouille_results_count(res); i++)
		check_hit_shape(fouille_results_hit(res, i), "armée xyzzyquux");
	fouille_results_free(res);

	fouille_search_options o;
	fouille_search_options_init(&o);
	o.flags = FOUILLE_SEARCH_NO_RELAX;
	rc = fouille_search(&res, idx, "armée xyzzyquux", &o);
	CHECK(rc == FOUILLE_OK && fouille_results_count(res) == 0 && fouille_results_total(res) == 0 &&
		      fouille_results_relaxed(res) == 0,
	      "NO_RELAX: 0 hits, not relaxed (%d, %zu hits, relaxed %d)", rc, fouille_results_count(res),
	      fouille_results_relaxed(res));
	fouille_results_free(res);

	/* every word matches: never relaxed; one nonsense word alone: 0 hits, not relaxed */
	rc = fouille_search(&res, idx, "armée", NULL);
	CHECK(rc == FOUILLE_OK && !fouille_results_relaxed(res), "armée alone: not relaxed");
	fouille_results_free(res);
	rc = fouille_search(&res, idx, "xyzzyquux", NULL);
	CHECK(rc == FOUILLE_OK && fouille_results_count(res) == 0 && !fouille_results_relaxed(res),
	      "a lone nonsense word: 0 hits, not relaxed");
	fouille_results_free(res);
	/* stopwords in the query are noted */
	rc = fouille_search(&res, idx, "la guerre", NULL);
	CHECK(rc == FOUILLE_OK && fouille_results_count(res) > 0, "la guerre");
	const char *notice = rc == FOUILLE_OK ? fouille_results_notice(res) : NULL;
	CHECK(notice && strstr(notice, "la"), "the notice names the ignored stopword: %s",
	      notice ? notice : "(null)");
	fouille_results_free(res);
	fouille_index_close(idx);
}

static void test_analyzer_version(void)
{
	const char *folder = tmp_path("version");
	const char *dir = tmp_path("version-index");
	make_three(folder);
	CHECK(index_folder(folder, dir, NULL) == FOUILLE_OK, "first run");

	/* pretend the index was built by analyzer 0 */
	char xdir[PATH_MAX], err[XS_ERRLEN] = "";
	snprintf(xdir, sizeof xdir, "%s/xapian", dir);
	xs_writer *w;
	int rc = xs_writer_open(&w, xdir, 0, err);
	CHECK(rc == FOUILLE_OK, "xs_writer_open: %s", err);
	if (rc != FOUILLE_OK)
		return;
	rc = xs_writer_set_meta(w, "fouille.analyzer", "0", err);
	if (rc == FOUILLE_OK)
		rc = xs_writer_commit(w, err);
	CHECK(rc == FOUILLE_OK, "set fouille.analyzer: %s", err);
	xs_writer_close(w);

	fouille_index *idx = (fouille_index *)&idx;
	rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_EVERSION && idx == NULL, "read-only open of an old index: %d", rc);
	const char *msg = fouille_last_open_error();
	CHECK(strstr(msg, "fouille-index") && strstr(msg, "again"),
	      "the message says to run fouille-index again: %s", msg);

	rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_OK, "write open of an old index: %d %s", rc, fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	recorder r = {0};
	fouille_update_options opts;
	fouille_update_options_init(&opts);
	opts.progress = record;
	opts.progress_userdata = &r;
	fouille_update_summary sum;
	rc = fouille_index_update(idx, folder, &opts, &sum);
	CHECK(rc == FOUILLE_OK && sum.added == 3 && sum.unchanged == 0 && sum.removed == 0 &&
		      sum.renamed == 0,
	      "rebuild: every article re-added: %d added %zu unchanged %zu removed %zu", rc, sum.added,
	      sum.unchanged, sum.removed);
	CHECK(r.added_seen == 3, "3 ADDED events in the rebuild");
	CHECK(fouille_index_article_count(idx) == 3, "3 articles after the rebuild, got %llu",
	      (unsigned long long)fouille_index_article_count(idx));
	/* and the next run is incremental again */
	rc = fouille_index_update(idx, folder, NULL, &sum);
	CHECK(rc == FOUILLE_OK && sum.unchanged == 3 && sum.added == 0, "after the rebuild: unchanged");
	fouille_index_close(idx);

	idx = open_ro(dir);
	if (idx) {
		CHECK(count_matches(idx, "tramway") == 1, "the rebuilt index searches");
		CHECK(fouille_index_article_count(idx) == 3, "3 articles read-only");
		fouille_index_close(idx);
	}

	/* a cancelled rebuild leaves the old index refused, and the next run rebuilds */
	rc = xs_writer_open(&w, xdir, 0, err);
	if (rc == FOUILLE_OK) {
		xs_writer_set_meta(w, "fouille.analyzer", "0", err);
		xs_writer_commit(w, err);
		xs_writer_close(w);
	}
	rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE);
	if (rc == FOUILLE_OK) {
		recorder rc2 = {.cancel_on_added = 1};
		opts.progress_userdata = &rc2;
		rc = fouille_index_update(idx, folder, &opts, &sum);
		CHECK(rc == FOUILLE_ECANCELLED, "cancelled rebuild: %d", rc);
		CHECK(fouille_index_article_count(idx) == 3, "a cancelled rebuild drops nothing");
		rc = fouille_index_update(idx, folder, NULL, &sum);
		CHECK(rc == FOUILLE_OK && sum.added == 3, "the rebuild after a cancel: added %zu",
		      sum.added);
		fouille_index_close(idx);
	}
	idx = open_ro(dir);
	fouille_index_close(idx);
}

/* Every status the callback can report, with the summary agreeing. */
static void test_statuses(void)
{
	const char *folder = tmp_path("statuses");
	const char *dir = tmp_path("statuses-index");
	make_three(folder);
	CHECK(index_folder(folder, dir, NULL) == FOUILLE_OK, "first run");

	char p[PATH_MAX], q[PATH_MAX];
	/* b.txt changed, c.txt renamed, a.txt deleted, a new d.txt, a PDF, a hidden file, a
	 * file that is neither UTF-8 nor Windows-1252, an empty file */
	write_article(folder, "b.txt", "La piscine municipale rouvre", "Les travaux sont finis.",
		      "Le bassin olympique est à nouveau rempli, mot2bis.");
	snprintf(p, sizeof p, "%s/c.txt", folder);
	snprintf(q, sizeof q, "%s/c-moved.txt", folder);
	CHECK(rename(p, q) == 0, "rename c.txt");
	snprintf(p, sizeof p, "%s/a.txt", folder);
	CHECK(unlink(p) == 0, "delete a.txt");
	write_article(folder, "d.txt", "Le port de pêche modernisé", "Les quais sont refaits.",
		      "Les chalutiers accostent au nouveau ponton, mot4unique.");
	snprintf(p, sizeof p, "%s/notes.pdf", folder);
	write_file(p, "%PDF-1.4\n");
	snprintf(p, sizeof p, "%s/.cache.txt", folder);
	write_file(p, "Caché\n\nUn fichier caché, motcache.\n");
	snprintf(p, sizeof p, "%s/undecodable.txt", folder);
	write_file(p, "Ni UTF-8 ni Windows-1252 \x81\x8d\n\nLe corps.\n");
	snprintf(p, sizeof p, "%s/empty.txt", folder);
	write_file(p, "");

	fouille_index *idx;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_OK, "reopen: %s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	recorder r = {0};
	fouille_update_options opts;
	fouille_update_options_init(&opts);
	opts.progress = record;
	opts.progress_userdata = &r;
	fouille_update_summary sum;
	rc = fouille_index_update(idx, folder, &opts, &sum);
	CHECK(rc == FOUILLE_OK, "update with a failing file still commits: %d %s", rc,
	      fouille_errmsg(idx));
	CHECK(sum.added == 1 && sum.updated == 1 && sum.renamed == 1 && sum.removed == 1 &&
		      sum.unchanged == 0 && sum.skipped_format == 1 && sum.failed == 1 &&
		      sum.skipped_other == 2,
	      "summary: added %zu updated %zu renamed %zu removed %zu unchanged %zu skipped %zu/%zu "
	      "failed %zu",
	      sum.added, sum.updated, sum.renamed, sum.removed, sum.unchanged, sum.skipped_format,
	      sum.skipped_other, sum.failed);
	static const struct {
		const char *path;
		fouille_file_status status;
	} want[] = {
		{"a.txt", FOUILLE_FILE_REMOVED},     {"b.txt", FOUILLE_FILE_UPDATED},
		{"c-moved.txt", FOUILLE_FILE_RENAMED}, {"d.txt", FOUILLE_FILE_ADDED},
		{"empty.txt", FOUILLE_FILE_SKIPPED}, {"undecodable.txt", FOUILLE_FILE_FAILED},
		{"notes.pdf", FOUILLE_FILE_SKIPPED},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		size_t k = 0;
		while (k < r.nfiles && strcmp(r.files[k], want[i].path) != 0)
			k++;
		CHECK(k < r.nfiles && r.status[k] == want[i].status, "%s reported with status %d, got %d",
		      want[i].path, want[i].status, k < r.nfiles ? (int)r.status[k] : -1);
	}
	for (size_t k = 0; k < r.nfiles; k++)
		CHECK(strcmp(r.files[k], ".cache.txt") != 0, "the hidden file is not reported");
	CHECK(fouille_index_article_count(idx) == 3, "b, c-moved, d: 3 articles, got %llu",
	      (unsigned long long)fouille_index_article_count(idx));
	fouille_index_close(idx);

	fouille_index *ro = open_ro(dir);
	if (ro) {
		CHECK(count_matches(ro, "mot1unique") == 0, "the deleted article is gone");
		CHECK(count_matches(ro, "mot2unique") == 0, "the old text of the changed one is gone");
		check_top_hit(ro, "mot2bis", "b.txt");
		check_top_hit(ro, "mot3unique", "c-moved.txt");
		check_top_hit(ro, "mot4unique", "d.txt");
		CHECK(count_matches(ro, "motcache") == 0, "the hidden file is not indexed");
		fouille_index_close(ro);
	}
}

/* Paths longer than a Xapian term (245 bytes) are stored, found, moved and removed. */
static void test_long_paths(void)
{
	const char *folder = tmp_path("long");
	make_dir(folder);
	char dir1[PATH_MAX + 128], dir2[PATH_MAX + 300], file[PATH_MAX + 400], moved[PATH_MAX + 400];
	char seg[130];
	memset(seg, 'd', 120);
	seg[120] = '\0';
	snprintf(dir1, sizeof dir1, "%s/%s", folder, seg);
	make_dir(dir1);
	/* 60 × é: 120 bytes of UTF-8 */
	char accents[130] = "";
	for (int i = 0; i < 60; i++)
		strcat(accents, "\xC3\xA9");
	snprintf(dir2, sizeof dir2, "%s/%s", dir1, accents);
	make_dir(dir2);
	write_article(dir2, "article.txt", "Un chemin très long", "Il descend loin.",
		      "Le mot zorglub se cache au fond de l’arborescence.");
	char rel[PATH_MAX];
	snprintf(rel, sizeof rel, "%s/%s/article.txt", seg, accents);
	CHECK(strlen(rel) > 245, "the relative path is longer than a Xapian term (%zu)", strlen(rel));
	const char *dir = tmp_path("long-index");
	fouille_update_summary sum;
	CHECK(index_folder(folder, dir, &sum) == FOUILLE_OK && sum.added == 1, "long path indexed");
	fouille_index *ro = open_ro(dir);
	if (ro) {
		check_top_hit(ro, "zorglub", rel);
		fouille_index_close(ro);
	}
	CHECK(index_folder(folder, dir, &sum) == FOUILLE_OK && sum.unchanged == 1, "long path unchanged");
	snprintf(file, sizeof file, "%s/article.txt", dir2);
	snprintf(moved, sizeof moved, "%s/renamed.txt", dir2);
	CHECK(rename(file, moved) == 0, "rename the long path");
	CHECK(index_folder(folder, dir, &sum) == FOUILLE_OK && sum.renamed == 1 && sum.added == 0 &&
		      sum.removed == 0,
	      "long path renamed: renamed %zu added %zu removed %zu", sum.renamed, sum.added,
	      sum.removed);
	snprintf(rel, sizeof rel, "%s/%s/renamed.txt", seg, accents);
	ro = open_ro(dir);
	if (ro) {
		check_top_hit(ro, "zorglub", rel);
		CHECK(fouille_index_article_count(ro) == 1, "one article after the rename");
		fouille_index_close(ro);
	}
	CHECK(unlink(moved) == 0, "delete the long path");
	CHECK(index_folder(folder, dir, &sum) == FOUILLE_OK && sum.removed == 1, "long path removed");
	ro = open_ro(dir);
	if (ro) {
		CHECK(fouille_index_article_count(ro) == 0, "no article left");
		fouille_index_close(ro);
	}
}

/* fouille_index_locate: explicit path, then $FOUILLE_INDEX, then the nearest .fouille. */
static void test_locate(void)
{
	char cwd[PATH_MAX], *loc = NULL;
	if (!getcwd(cwd, sizeof cwd))
		return;
	const char *old_env = getenv("FOUILLE_INDEX");
	char *saved = old_env ? strdup(old_env) : NULL;

	const char *top = tmp_path("locate");
	const char *sub = tmp_path("locate/a/b");
	make_dir(top);
	make_dir(tmp_path("locate/a"));
	make_dir(sub);
	make_dir(tmp_path("locate/.fouille"));
	char real_top[PATH_MAX], want[PATH_MAX + 16];
	CHECK(realpath(top, real_top) != NULL, "realpath");
	snprintf(want, sizeof want, "%s/.fouille", real_top);

	setenv("FOUILLE_INDEX", "/from/the/environment", 1);
	CHECK(fouille_index_locate(&loc, "/explicit") == FOUILLE_OK && loc &&
		      strcmp(loc, "/explicit") == 0,
	      "the explicit path wins over the environment: %s", loc ? loc : "(null)");
	free(loc);
	CHECK(fouille_index_locate(&loc, NULL) == FOUILLE_OK && loc &&
		      strcmp(loc, "/from/the/environment") == 0,
	      "FOUILLE_INDEX: %s", loc ? loc : "(null)");
	free(loc);
	setenv("FOUILLE_INDEX", "", 1); /* empty: as if unset */
	if (chdir(sub) == 0) {
		CHECK(fouille_index_locate(&loc, NULL) == FOUILLE_OK && loc && strcmp(loc, want) == 0,
		      "the nearest .fouille from a subfolder: %s", loc ? loc : "(null)");
		free(loc);
		CHECK(chdir(top) == 0, "chdir");
		CHECK(fouille_index_locate(&loc, NULL) == FOUILLE_OK && loc && strcmp(loc, want) == 0,
		      "the .fouille of the current folder: %s", loc ? loc : "(null)");
		free(loc);
	}
	/* nothing up from tmp_root (unless someone left a .fouille in /tmp or /) */
	struct stat st;
	if (stat("/tmp/.fouille", &st) != 0 && stat("/.fouille", &st) != 0 && chdir(tmp_root) == 0) {
		loc = (char *)&loc;
		CHECK(fouille_index_locate(&loc, NULL) == FOUILLE_ENOTFOUND && loc == NULL,
		      "no .fouille anywhere up: ENOTFOUND, *out NULL");
	}
	CHECK(chdir(cwd) == 0, "chdir back");
	if (saved)
		setenv("FOUILLE_INDEX", saved, 1);
	else
		unsetenv("FOUILLE_INDEX");
	free(saved);
}

/*
 * A handle sees the index as last committed: the writable handle that just updated it,
 * and a read-only handle opened before another handle's update.
 */
static void test_fresh_reader(void)
{
	const char *folder = tmp_path("fresh");
	const char *dir = tmp_path("fresh-index");
	make_three(folder);
	CHECK(index_folder(folder, dir, NULL) == FOUILLE_OK, "first run");

	fouille_index *w, *ro = open_ro(dir);
	int rc = fouille_index_open(&w, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_OK && ro, "open a writer and a reader: %s", fouille_last_open_error());
	if (rc != FOUILLE_OK || !ro) {
		fouille_index_close(ro);
		return;
	}
	/* both have searched (their readers are open) before the update */
	CHECK(count_matches(w, "zebulon") == 0 && count_matches(ro, "zebulon") == 0, "not yet there");
	CHECK(count_matches(w, "tulipes") == 1 && count_matches(ro, "tulipes") == 1, "a.txt there");
	write_article(folder, "z.txt", "Un zèbre au zoo", "Il s’appelle Zébulon.",
		      "Le zebulon danse devant les visiteurs.");
	write_article(folder, "y.txt", "Un yack au zoo", "Il arrive du Tibet.",
		      "Le yack broute du foin.");
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/a.txt", folder);
	CHECK(unlink(p) == 0, "delete a.txt");
	fouille_update_summary sum;
	rc = fouille_index_update(w, folder, NULL, &sum);
	CHECK(rc == FOUILLE_OK && sum.added == 2 && sum.removed == 1, "update: %d", rc);
	CHECK(fouille_index_article_count(w) == 4, "writer count 4");
	CHECK(count_matches(w, "zebulon") == 1, "the writer's search sees its own update");
	CHECK(count_matches(w, "tulipes") == 0, "the writer's search no longer finds a.txt");
	CHECK(count_matches(ro, "zebulon") == 1, "a reader opened before the update sees it");
	CHECK(count_matches(ro, "tulipes") == 0, "a reader opened before no longer finds a.txt");
	CHECK(fouille_index_article_count(ro) == 4, "the reader's count follows, got %llu",
	      (unsigned long long)fouille_index_article_count(ro));
	fouille_index_close(ro);
	fouille_index_close(w);
}

/*
 * Error messages are UTF-8 even when they are cut to fit: a long query of stopwords in
 * 2-, 3- and 4-byte characters, shifted by 0 to 3 spaces so the cut falls at every
 * place inside a character.
 */
static void test_long_messages(const char *dir)
{
	fouille_index *idx = open_ro(dir);
	if (!idx)
		return;
	static const char *const units[] = {"à ", "« ", "’ ", "\xF0\x9F\x98\x80 ", "é"};
	char q[4096];
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		for (int shift = 0; shift < 4; shift++) {
			size_t n = 0;
			for (int i = 0; i < shift; i++)
				q[n++] = ' ';
			while (n + strlen(units[u]) < 3000) {
				memcpy(q + n, units[u], strlen(units[u]));
				n += strlen(units[u]);
			}
			q[n] = '\0';
			fouille_results *res = NULL;
			int rc = fouille_search(&res, idx, q, NULL);
			const char *msg = fouille_errmsg(idx);
			if (rc != FOUILLE_OK)
				CHECK(*msg, "unit %zu shift %d: a message", u, shift);
			CHECK(utf8_valid(msg, strlen(msg)), "unit %zu shift %d: the message is UTF-8 (%zu bytes)",
			      u, shift, strlen(msg));
			fouille_results_free(res);
		}
	}
	fouille_index_close(idx);

	/* open errors naming a long path of accents: a missing index (the library's message)
	 * and a xapian/ folder that is no database (Xapian's message) */
	for (int shift = 0; shift < 4; shift++) {
		char path[PATH_MAX], name[32];
		snprintf(name, sizeof name, "long-%.*s", shift, "xxx");
		snprintf(path, sizeof path, "%s", tmp_path(name));
		make_dir(path);
		for (int depth = 0; depth < 3; depth++) {
			strcat(path, "/");
			for (int i = 0; i < 100; i++)
				strcat(path, "\xC3\xA9");
			make_dir(path);
		}
		fouille_index *x;
		int rc = fouille_index_open(&x, path, FOUILLE_OPEN_READONLY);
		const char *msg = fouille_last_open_error();
		CHECK(rc == FOUILLE_ENOTFOUND && *msg, "long path, no index: %d", rc);
		CHECK(utf8_valid(msg, strlen(msg)), "shift %d: the open error of a long path is UTF-8",
		      shift);
		rc = fouille_index_open(&x, path, FOUILLE_OPEN_WRITE);
		msg = fouille_last_open_error();
		CHECK(rc == FOUILLE_ENOTFOUND && utf8_valid(msg, strlen(msg)),
		      "shift %d: write open of a long path: UTF-8", shift);
		strcat(path, "/xapian");
		make_dir(path);
		path[strlen(path) - strlen("/xapian")] = '\0';
		rc = fouille_index_open(&x, path, FOUILLE_OPEN_READONLY);
		msg = fouille_last_open_error();
		CHECK(rc != FOUILLE_OK && *msg, "xapian/ that is no database: %d", rc);
		CHECK(utf8_valid(msg, strlen(msg)), "shift %d: Xapian's message on a long path is UTF-8",
		      shift);
	}
}

/* "separate handles may be used from separate threads concurrently" */
#define THREADS 4
#define THREAD_ROUNDS 20

typedef struct thread_job {
	const char *dir;
	char first[THREAD_ROUNDS][4][256]; /* first hit of each query, each round */
	int failures;
} thread_job;

static const char *const thread_queries[4] = {"réfugiés", "sécurité", "grève sncf", "france"};

static void *search_thread(void *arg)
{
	thread_job *job = arg;
	fouille_index *idx;
	if (fouille_index_open(&idx, job->dir, FOUILLE_OPEN_READONLY) != FOUILLE_OK) {
		job->failures++;
		return NULL;
	}
	for (int round = 0; round < THREAD_ROUNDS; round++) {
		for (int q = 0; q < 4; q++) {
			fouille_results *res;
			if (fouille_search(&res, idx, thread_queries[q], NULL) != FOUILLE_OK) {
				job->failures++;
				continue;
			}
			const fouille_hit *h = fouille_results_hit(res, 0);
			snprintf(job->first[round][q], sizeof job->first[round][q], "%s",
				 h ? fouille_hit_path(h) : "");
			fouille_results_free(res);
		}
	}
	fouille_index_close(idx);
	return NULL;
}

static void test_threads(const char *dir)
{
	static thread_job jobs[THREADS];
	pthread_t t[THREADS];
	int started[THREADS] = {0};
	for (int i = 0; i < THREADS; i++) {
		jobs[i].dir = dir;
		started[i] = pthread_create(&t[i], NULL, search_thread, &jobs[i]) == 0;
		CHECK(started[i], "start thread %d", i);
	}
	for (int i = 0; i < THREADS; i++)
		if (started[i])
			pthread_join(t[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		CHECK(jobs[i].failures == 0, "thread %d: %d failed searches", i, jobs[i].failures);
		for (int round = 0; round < THREAD_ROUNDS; round++)
			for (int q = 0; q < 4; q++)
				CHECK(*jobs[0].first[0][q] &&
					      strcmp(jobs[i].first[round][q], jobs[0].first[0][q]) == 0,
				      "thread %d round %d [%s]: %s, want %s", i, round, thread_queries[q],
				      jobs[i].first[round][q], jobs[0].first[0][q]);
	}
}

/* ---- the crash between the two commits -------------------------------------------- */

static int sql_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	CHECK(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "");
	sqlite3_free(msg);
	return rc;
}

/* The first column of the first row of `sql` with `arg` bound, into out ("" if none). */
static void sql_text(sqlite3 *db, const char *sql, const char *arg, char *out, size_t cap)
{
	out[0] = '\0';
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		CHECK(0, "prepare %s: %s", sql, sqlite3_errmsg(db));
		return;
	}
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void xapian_generation(const char *dir, char *out, size_t cap)
{
	char xdir[PATH_MAX], err[XS_ERRLEN] = "";
	snprintf(xdir, sizeof xdir, "%s/xapian", dir);
	out[0] = '\0';
	xs_reader *r;
	if (xs_reader_open(&r, xdir, err) != FOUILLE_OK) {
		CHECK(0, "xs_reader_open: %s", err);
		return;
	}
	char *v = NULL;
	if (xs_reader_get_meta(r, "fouille.generation", &v, err) == FOUILLE_OK)
		snprintf(out, cap, "%s", v);
	free(v);
	xs_reader_close(r);
}

static void test_crash_between_commits(void)
{
	const char *folder = tmp_path("crash");
	const char *dir = tmp_path("crash-index");
	make_three(folder);
	CHECK(index_folder(folder, dir, NULL) == FOUILLE_OK, "first run");
	/* a second commit, so the generation is not 1 */
	write_article(folder, "d.txt", "Le port de pêche modernisé", "Les quais sont refaits.",
		      "Les chalutiers accostent au nouveau ponton, mot4unique.");
	CHECK(index_folder(folder, dir, NULL) == FOUILLE_OK, "second run");

	char catalog_path[PATH_MAX];
	snprintf(catalog_path, sizeof catalog_path, "%s/catalog.sqlite", dir);
	static const char ROW[] =
		"SELECT size || '|' || mtime_ns || '|' || hash || '|' || title || '|' || "
		"coalesce(author,'') || '|' || coalesce(date,'') || '|' || format FROM articles WHERE path=?";
	char gen_before[64], row_before[512], count[32];
	sqlite3 *db;
	CHECK(sqlite3_open(catalog_path, &db) == SQLITE_OK, "open the catalog");
	sql_text(db, "SELECT value FROM meta WHERE key='fouille.generation'", NULL, gen_before,
		 sizeof gen_before);
	sql_text(db, ROW, "b.txt", row_before, sizeof row_before);
	char xgen[64];
	xapian_generation(dir, xgen, sizeof xgen);
	CHECK(*gen_before && strcmp(gen_before, xgen) == 0, "generations agree after a run: %s %s",
	      gen_before, xgen);
	CHECK(*row_before, "b.txt has a row");
	/* the run "died" after the index commit: the catalog is behind */
	sql_exec(db, "UPDATE meta SET value='999' WHERE key='fouille.generation'");
	sql_exec(db, "DELETE FROM articles WHERE path='b.txt'");
	sql_text(db, "SELECT count(*) FROM articles", NULL, count, sizeof count);
	CHECK_STR(str(count), "3");
	sqlite3_close(db);

	fouille_index *idx;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_OK, "reopen after the crash: %d %s", rc, fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;

	/* the catalog is rebuilt as soon as the writer opens */
	CHECK(sqlite3_open(catalog_path, &db) == SQLITE_OK, "open the catalog again");
	char gen_after[64], row_after[512];
	sql_text(db, "SELECT value FROM meta WHERE key='fouille.generation'", NULL, gen_after,
		 sizeof gen_after);
	sql_text(db, ROW, "b.txt", row_after, sizeof row_after);
	sql_text(db, "SELECT count(*) FROM articles", NULL, count, sizeof count);
	sqlite3_close(db);
	CHECK(strcmp(gen_after, xgen) == 0, "the catalog's generation matches the index: %s vs %s",
	      gen_after, xgen);
	CHECK(strcmp(row_after, row_before) == 0, "the deleted row is back as it was:\n  %s\n  %s",
	      row_after, row_before);
	CHECK_STR(str(count), "4");

	recorder r = {0};
	fouille_update_options opts;
	fouille_update_options_init(&opts);
	opts.progress = record;
	opts.progress_userdata = &r;
	fouille_update_summary sum;
	rc = fouille_index_update(idx, folder, &opts, &sum);
	CHECK(rc == FOUILLE_OK && sum.unchanged == 4 && sum.added == 0 && sum.updated == 0 &&
		      sum.removed == 0 && sum.renamed == 0,
	      "nothing changed: every file unchanged (%d: unchanged %zu added %zu updated %zu)", rc,
	      sum.unchanged, sum.added, sum.updated);
	CHECK(r.added_seen == 0, "no re-add after the repair");
	fouille_index_close(idx);

	/* the repaired catalog still knows contents: a rename is detected by hash */
	char from[PATH_MAX], to[PATH_MAX];
	snprintf(from, sizeof from, "%s/b.txt", folder);
	snprintf(to, sizeof to, "%s/b-renamed.txt", folder);
	CHECK(rename(from, to) == 0, "rename b.txt");
	CHECK(index_folder(folder, dir, &sum) == FOUILLE_OK && sum.renamed == 1 && sum.added == 0 &&
		      sum.removed == 0,
	      "rename after the repair: renamed %zu added %zu removed %zu", sum.renamed, sum.added,
	      sum.removed);
	fouille_index *ro = open_ro(dir);
	if (ro) {
		check_top_hit(ro, "piscine", "b-renamed.txt");
		fouille_index_close(ro);
	}

	/* a catalog lost altogether is rebuilt too */
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		char p[PATH_MAX + 8];
		snprintf(p, sizeof p, "%s%s", catalog_path, suffixes[i]);
		unlink(p);
	}
	r = (recorder){0};
	rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_OK, "reopen without a catalog: %d %s", rc, fouille_last_open_error());
	if (rc == FOUILLE_OK) {
		rc = fouille_index_update(idx, folder, &opts, &sum);
		CHECK(rc == FOUILLE_OK && sum.unchanged == 4 && sum.added == 0 && sum.removed == 0,
		      "catalog deleted: rebuilt from the index, every file unchanged (%d: %zu unchanged, "
		      "%zu added)",
		      rc, sum.unchanged, sum.added);
		fouille_index_close(idx);
	}
}

/* ---- the analysis spec's "as queries against a document" table --------------------- */

static void test_spec_queries(void)
{
	static const struct {
		const char *query, *text;
	} rows[] = {
		{"election presidentielle", "Les candidats préparent l’Élection présidentielle."},
		{"securite", "La sécurité des piétons est renforcée."},
		{"refugies", "Les réfugiés arrivent par le train du soir."},
		{"coeur", "Un cœur battant au milieu du marché."},
		{"poutine", "Poutine a parlé longuement mardi."},
		{"1000", "Il y avait 1" NBSP "000 spectateurs au stade."},
		{"\"peut-être\"", "Il viendra peut-être demain matin."},
		{"armée", "Les soldats de l’armée défilent."},
	};
	size_t n = sizeof rows / sizeof rows[0];
	const char *folder = tmp_path("spec");
	const char *dir = tmp_path("spec-index");
	make_dir(folder);
	static const char *const titles[] = {"Chronique alpha", "Chronique bravo", "Chronique charlie",
					     "Chronique delta", "Chronique echo",  "Chronique foxtrot",
					     "Chronique golf",  "Chronique hotel"};
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "row%zu.txt", i);
		write_article(folder, name, titles[i], "Un court paragraphe d’introduction.", rows[i].text);
	}
	/* near misses that must not be found */
	write_article(folder, "miss-space.txt", "Chronique india", "Un court paragraphe.",
		      "Il y avait 1 000 visiteurs ordinaires.");
	write_article(folder, "miss-phrase.txt", "Chronique juliett", "Un court paragraphe.",
		      "Il peut venir, il doit être là.");
	fouille_update_summary sum;
	CHECK(index_folder(folder, dir, &sum) == FOUILLE_OK && sum.added == n + 2, "spec folder indexed");
	fouille_index *idx = open_ro(dir);
	if (!idx)
		return;
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "row%zu.txt", i);
		check_top_hit(idx, rows[i].query, name);
		CHECK(count_matches(idx, rows[i].query) == 1, "[%s] finds only its document (%lld)",
		      rows[i].query, count_matches(idx, rows[i].query));
	}
	/* the other spellings of the same rows */
	check_top_hit(idx, "élection présidentielle", "row0.txt");
	check_top_hit(idx, "ÉLECTION", "row0.txt");
	check_top_hit(idx, "sécurité", "row1.txt");
	check_top_hit(idx, "réfugiés", "row2.txt");
	check_top_hit(idx, "cœur", "row3.txt");
	check_top_hit(idx, "1" NBSP "000", "row5.txt");
	check_top_hit(idx, "armee", "row7.txt");
	check_top_hit(idx, "l'armée", "row7.txt");
	/* a word the analyzer splits is matched as a phrase, quoted or not; two typed words
	 * are not */
	CHECK(count_matches(idx, "peut-être") == 1, "unquoted peut-être is a phrase too");
	CHECK(count_matches(idx, "peut être") == 2, "peut être as two words finds both");
	fouille_index_close(idx);
}

static void test_snippet_rules(void)
{
	const char *folder = tmp_path("snip");
	const char *dir = tmp_path("snip-index");
	make_dir(folder);
	write_article(folder, "refugies.txt", "Accueil en Pologne", "Un reportage.",
		      "À la frontière, les réfugiés ukrainiens attendent un train pour Varsovie.");
	write_article(folder, "election.txt", "Sondage du jour", "Un reportage.",
		      "Les Français attendent l’Élection avec impatience.");
	CHECK(index_folder(folder, dir, NULL) == FOUILLE_OK, "snippet folder indexed");
	fouille_index *idx = open_ro(dir);
	if (!idx)
		return;
	char word[128];
	CHECK(first_highlight(idx, "refugies", 0, word, sizeof word) == 0, "refugies highlights");
	CHECK_STR(str(word), "réfugiés");
	CHECK(first_highlight(idx, "refugies", 1, word, sizeof word) != 0,
	      "refugies highlights only one word, got a second: %s", word);
	CHECK(first_highlight(idx, "election", 0, word, sizeof word) == 0, "election highlights");
	CHECK_STR(str(word), "Élection");
	/* a phrase lights up as one span; two query words that merely stand side by side
	   stay two (only a phrase of the query is one piece) */
	CHECK(first_highlight(idx, "\"refugies ukrainiens\"", 0, word, sizeof word) == 0, "phrase");
	CHECK_STR(str(word), "réfugiés ukrainiens");
	CHECK(first_highlight(idx, "\"refugies ukrainiens\"", 1, word, sizeof word) != 0, "one span");
	CHECK(first_highlight(idx, "ukrainiens refugies", 0, word, sizeof word) == 0, "two words");
	CHECK_STR(str(word), "réfugiés");
	CHECK(first_highlight(idx, "ukrainiens refugies", 1, word, sizeof word) == 0, "two spans");
	CHECK_STR(str(word), "ukrainiens");
	fouille_results *res;
	if (fouille_search(&res, idx, "refugies", NULL) == FOUILLE_OK) {
		const fouille_hit *h = fouille_results_hit(res, 0);
		check_hit_shape(h, "refugies");
		CHECK(h && strstr(fouille_hit_snippet(h), "les réfugiés ukrainiens"),
		      "the snippet keeps the accents: %s", h ? fouille_hit_snippet(h) : "");
		fouille_results_free(res);
	}
	fouille_index_close(idx);
}

/* The total: exact on small results even when the page is full (Xapian alone said 7 for
 * the 5 articles `élev*` matches in corpus/), an estimate said as such when Xapian can
 * only bound it, exact again with facets. */
static void test_totals(const char *corpus_index)
{
	fouille_index *idx = open_ro(corpus_index);
	if (!idx)
		return;
	fouille_search_options o;
	fouille_search_options_init(&o);
	o.limit = 100;
	fouille_results *all = NULL, *page = NULL;
	int rc = fouille_search(&all, idx, "élev*", &o);
	o.limit = 2;
	if (rc == FOUILLE_OK)
		rc = fouille_search(&page, idx, "élev*", &o);
	CHECK(rc == FOUILLE_OK, "élev*: %s", fouille_errmsg(idx));
	if (rc == FOUILLE_OK) {
		size_t n = fouille_results_count(all);
		CHECK(n > 2 && fouille_results_total(all) == n && fouille_results_total_exact(all),
		      "every match on one page: total %llu for %zu hits",
		      (unsigned long long)fouille_results_total(all), n);
		CHECK(fouille_results_count(page) == 2 && fouille_results_total(page) == n &&
			      fouille_results_total_exact(page),
		      "a full page of 2 still counts the %zu matches exactly: %llu (exact %d)", n,
		      (unsigned long long)fouille_results_total(page), fouille_results_total_exact(page));
	}
	fouille_results_free(all);
	fouille_results_free(page);
	fouille_index_close(idx);

	/* 1,500 articles with one word in common and varying lengths */
	const char *folder = tmp_path("totals"), *dir = tmp_path("totals-index");
	make_dir(folder);
	for (int i = 0; i < 1500; i++) {
		char name[32], text[512];
		snprintf(name, sizeof name, "a%04d.txt", i);
		snprintf(text, sizeof text, "Dépêche numéro %d\n\nLe marché %s ouvre ce matin%s.\n", i,
			 i % 3 ? "couvert" : "central", i % 7 ? "" : " avec des producteurs locaux");
		write_file_in(folder, name, text);
	}
	if (index_folder(folder, dir, NULL) != FOUILLE_OK || !(idx = open_ro(dir)))
		return;
	fouille_search_options_init(&o);
	o.limit = 10;
	o.flags = FOUILLE_SEARCH_NO_COLLAPSE;
	/* one word: Xapian knows how many articles hold it, the count is exact */
	fouille_results *one = NULL, *est = NULL, *exact = NULL;
	rc = fouille_search(&one, idx, "marché", &o);
	/* two words in 1,000 and 215 articles, together in 143: only bounded (0 to 215)
	   once a hundred are found */
	if (rc == FOUILLE_OK)
		rc = fouille_search(&est, idx, "couvert producteurs", &o);
	o.flags |= FOUILLE_SEARCH_FACETS;
	if (rc == FOUILLE_OK)
		rc = fouille_search(&exact, idx, "couvert producteurs", &o);
	CHECK(rc == FOUILLE_OK, "totals: %s", fouille_errmsg(idx));
	if (rc == FOUILLE_OK) {
		CHECK(fouille_results_total_exact(one) && fouille_results_total(one) == 1500,
		      "one word in 1,500 articles: %llu, exact %d",
		      (unsigned long long)fouille_results_total(one), fouille_results_total_exact(one));
		CHECK(!fouille_results_total_exact(est) && fouille_results_total(est) >= 100,
		      "143 matches, 10 shown: an estimate (%llu, exact %d)",
		      (unsigned long long)fouille_results_total(est), fouille_results_total_exact(est));
		CHECK(fouille_results_total_exact(exact) && fouille_results_total(exact) == 143,
		      "with facets every match is counted: %llu",
		      (unsigned long long)fouille_results_total(exact));
	}
	fouille_results_free(one);
	fouille_results_free(est);
	fouille_results_free(exact);
	fouille_index_close(idx);
}

/* A run killed between the index's commit of a rename and the catalog's leaves the
 * document under its new path and the catalog row under the old one: the next run must
 * index the file anew, not stop at "not found" on every run from then on. */
static void test_rename_half_committed(void)
{
	const char *folder = tmp_path("halfrename"), *dir = tmp_path("halfrename-index");
	make_dir(folder);
	write_article(folder, "quai.txt", "Un quai neuf à Sète", "Le port de Sète ouvre un quai.",
		      "Les ferries y accosteront dès le printemps.");
	if (index_folder(folder, dir, NULL) != FOUILLE_OK)
		return;
	/* the Xapian side of the rename, committed; the catalog left as it was */
	char xdir[PATH_MAX], err[XS_ERRLEN], *data = NULL;
	size_t len = 0;
	snprintf(xdir, sizeof xdir, "%s/xapian", dir);
	xs_writer *w = NULL;
	int rc = xs_writer_open(&w, xdir, 0, err);
	CHECK(rc == FOUILLE_OK, "open the Xapian side: %s", err);
	if (rc != FOUILLE_OK)
		return;
	rc = xs_writer_get_data(w, "Qquai.txt", &data, &len, err);
	if (rc == FOUILLE_OK)
		rc = xs_writer_rename(w, "Qquai.txt", "Qquai-sete.txt", data, len, err);
	if (rc == FOUILLE_OK)
		rc = xs_writer_commit(w, err);
	CHECK(rc == FOUILLE_OK, "half a rename: %s", err);
	free(data);
	xs_writer_close(w);
	char from[PATH_MAX], to[PATH_MAX];
	snprintf(from, sizeof from, "%s/quai.txt", folder);
	snprintf(to, sizeof to, "%s/quai-sete.txt", folder);
	CHECK(rename(from, to) == 0, "rename %s", strerror(errno));

	fouille_update_summary sum;
	if (index_folder(folder, dir, &sum) != FOUILLE_OK)
		return;
	CHECK(sum.added == 1 && sum.removed == 1 && sum.failed == 0, "indexed anew: %zu added, %zu removed",
	      sum.added, sum.removed);
	fouille_index *idx = NULL;
	rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_OK, "open: %s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	size_t problems = 99;
	rc = fouille_index_check(idx, NULL, NULL, &problems);
	CHECK(rc == FOUILLE_OK && problems == 0, "check after: rc %d, %zu problems", rc, problems);
	fouille_results *res = NULL;
	rc = fouille_search(&res, idx, "ferries", NULL);
	CHECK(rc == FOUILLE_OK && fouille_results_count(res) == 1 &&
		      strcmp(fouille_hit_path(fouille_results_hit(res, 0)), "quai-sete.txt") == 0,
	      "found once, under its new path: %zu hits", res ? fouille_results_count(res) : 0);
	fouille_results_free(res);
	fouille_index_close(idx);
}

/* Counts the phase events whose reason says the index was lost with its machine. */
static int on_lost(const fouille_progress *p, void *ud)
{
	if (!p->path && p->reason && strstr(p->reason, "machine stopped"))
		(*(int *)ud)++;
	return 0;
}

/* An article with no word for the spelling data (numbers only), changed: the update
 * takes the old version's words out of the spelling data, and there are none (the
 * empty list was sorted with qsort(NULL, 0, ...), which UBSan reports). */
static void test_update_no_spelling_words(void)
{
	const char *folder = tmp_path("numbers");
	const char *dir = tmp_path("numbers-index");
	make_dir(folder);
	write_file_in(folder, "n.txt", "2024 2025\n\n123 456.\n\n789 1011 1213.\n");
	fouille_index *idx;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "create %s: %s", dir, fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	fouille_update_summary sum;
	rc = fouille_index_update(idx, folder, NULL, &sum);
	CHECK(rc == FOUILLE_OK && sum.added == 1, "first update: %d, %zu added, %s", rc, sum.added,
	      fouille_errmsg(idx));
	write_file_in(folder, "n.txt", "2024 2026\n\n123 4567.\n\n789 1011 12134.\n");
	rc = fouille_index_update(idx, folder, NULL, &sum);
	CHECK(rc == FOUILLE_OK && sum.updated == 1, "the changed article: %d, %zu updated, %s", rc,
	      sum.updated, fouille_errmsg(idx));
	fouille_index_close(idx);
}

/* Whether another process sees SQLite's shared lock on the catalog at `path` (the
 * 510 bytes after its pending and reserved bytes, 1 GiB in): a process drops its POSIX
 * locks on a file when it closes any descriptor of it, so a sync that opens and closes
 * the catalog behind SQLite's back would leave another connection free to checkpoint it
 * and unlink its WAL while this one writes. 1: held, 0: not, -1: could not tell. */
static int catalog_lock_held(const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(path, O_RDONLY);
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0x40000002, .l_len = 510};
		_exit(fd < 0 || fcntl(fd, F_GETLK, &fl) != 0 ? 2 : fl.l_type == F_UNLCK ? 1 : 0);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) == 2)
		return -1;
	return WEXITSTATUS(status) == 0;
}

/*
 * A first index is written without syncing each commit (indexer/unsynced.h): the
 * marker is there from the open that creates the index until an update completes it,
 * and again for a later update of the same handle; a marker from another boot makes a
 * writer without FOUILLE_OPEN_CREATE fail, and one with it start again from nothing,
 * said by the update.
 */
static void test_unsynced_marker(void)
{
	if (access("/proc/sys/kernel/random/boot_id", R_OK) != 0) {
		printf("note: no boot id here: every commit is synced, the marker is not tested\n");
		return;
	}
	const char *folder = tmp_path("unsynced");
	const char *dir = tmp_path("unsynced-index");
	char marker[PATH_MAX];
	snprintf(marker, sizeof marker, "%s/unsynced", dir);
	make_three(folder);
	fouille_index *idx;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "create %s: %s", dir, fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	CHECK(access(marker, F_OK) == 0, "a new index is marked unsynced from its creation");
	fouille_update_summary sum;
	rc = fouille_index_update(idx, folder, NULL, &sum);
	CHECK(rc == FOUILLE_OK && sum.added == 3, "first update: %d %s", rc, fouille_errmsg(idx));
	CHECK(access(marker, F_OK) != 0, "the update that completes it removes the marker");
	char catalog[PATH_MAX], wal[PATH_MAX + 8];
	snprintf(catalog, sizeof catalog, "%s/catalog.sqlite", dir);
	snprintf(wal, sizeof wal, "%s-wal", catalog);
	int held = catalog_lock_held(catalog);
	if (held < 0 || access(wal, F_OK) != 0) /* SQLite holds its lock between transactions in WAL mode only */
		printf("note: the catalog's lock could not be asked (%d) or it is not in WAL mode: not checked\n",
		       held);
	else
		CHECK(held == 1, "the catalog keeps SQLite's lock after the sync that completes the index");
	write_article(folder, "d.txt", "Le port de commerce s'agrandit", "Un quai de plus.",
		      "Les grues arrivent au printemps, mot4unique.");
	rc = fouille_index_update(idx, folder, NULL, &sum);
	CHECK(rc == FOUILLE_OK && sum.added == 1 && sum.unchanged == 3, "second update: %d %s", rc,
	      fouille_errmsg(idx));
	CHECK(access(marker, F_OK) != 0, "a second update of the handle leaves no marker either");
	fouille_index_close(idx);

	/* the machine stopped during the first build: another boot's id */
	write_file(marker, "00000000-0000-0000-0000-000000000000\n");
	idx = NULL;
	rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_EIO && !idx && strstr(fouille_last_open_error(), "machine stopped") &&
		      strstr(fouille_last_open_error(), "build it again"),
	      "a writer without CREATE refuses an index lost with its machine: %d %s", rc,
	      fouille_last_open_error());
	CHECK(access(marker, F_OK) == 0, "and leaves it as it is");
	rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "a writer with CREATE opens it: %s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	CHECK(fouille_index_article_count(idx) == 0, "... having removed it: %llu articles",
	      (unsigned long long)fouille_index_article_count(idx));
	int said = 0;
	fouille_update_options opts;
	fouille_update_options_init(&opts);
	opts.progress = on_lost;
	opts.progress_userdata = &said;
	rc = fouille_index_update(idx, folder, &opts, &sum);
	CHECK(rc == FOUILLE_OK && sum.added == 4, "the update builds it again: %d, %zu added", rc,
	      sum.added);
	CHECK(said == 1, "and says why, once (%d)", said);
	CHECK(access(marker, F_OK) != 0, "the rebuilt index is not marked");
	fouille_index_close(idx);
}

int main(void)
{
	snprintf(tmp_root, sizeof tmp_root, "/tmp/fouille-api-XXXXXX");
	if (!mkdtemp(tmp_root)) {
		perror("mkdtemp");
		return 1;
	}
	test_version_strerror();
	test_null_handling();
	test_open_missing();
	test_update_progress();
	test_statuses();
	test_cancel();
	test_second_writer();
	test_fresh_reader();
	test_long_paths();
	test_locate();
	test_rename_half_committed();
	test_unsynced_marker();
	test_update_no_spelling_words();

	/* the corpus, indexed outside the source tree */
	const char *corpus_index = tmp_path("corpus-index");
	fouille_update_summary sum;
	if (index_folder(FOUILLE_SOURCE_DIR "/corpus", corpus_index, &sum) == FOUILLE_OK) {
		CHECK(sum.added >= 30 && sum.failed == 0, "corpus: %zu added, %zu failed", sum.added,
		      sum.failed);
		test_search(corpus_index);
		test_relaxed(corpus_index);
		test_long_messages(corpus_index);
		test_threads(corpus_index);
		test_totals(corpus_index);
	}
	test_analyzer_version();
	test_crash_between_commits();
	test_spec_queries();
	test_snippet_rules();

	remove_tree(tmp_root);
	return check_summary();
}
