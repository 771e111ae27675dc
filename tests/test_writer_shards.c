/*
 * An index written in several shards, each by its own thread (fouille_open_options.
 * shards), against the same folder indexed in one database: the same articles, each
 * once, with the same scores for every query; after an update that changes, deletes
 * and renames files (moving some documents from one shard to another); after a
 * cancelled update; and with fouille_index_check() finding the index, its catalog and
 * its spelling data in agreement throughout. Run under ThreadSanitizer in CI (.ci/run).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fouille.h"
#include "indexer/xapian_store.h"
#include "tests/check.h"
#include "tests/helpers.h"

#define SHARDS 3
#define ARTICLES 60
#define COPIES 8 /* near-duplicates of articles 40-47 */

static char root[64], folder[128], one[160], many[160];

static const char *const words[] = {
	"grève",     "cheminots", "réforme",   "retraites", "énergie",  "électricité",
	"hôpital",   "urgences",  "infirmière", "école",    "élèves",   "budget",
	"mairie",    "tramway",   "chantier",  "festival", "théâtre",  "musée",
	"vendanges", "sécheresse", "agriculteurs", "éoliennes", "littoral", "tempête",
};
#define NWORDS (sizeof words / sizeof *words)

static const char *const queries[] = {
	"grève",      "énergie électricité", "hopital urgences", "\"réforme des retraites\"",
	"école -budget", "festival OR théâtre", "tempete",       "article",
	"mairie tramway chantier", "secheresse agriculteurs",
};
#define NQUERIES (sizeof queries / sizeof *queries)

/* A news-shaped article whose words depend on `k` (and `variant`, for a changed one). */
static void write_article(const char *name, unsigned k, unsigned variant)
{
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof text,
				    "Article %u : %s et %s à la une\n\n"
				    "Le %s revient dans le débat, disent les élus.\n\npar Jeanne Dupont%u\n\n",
				    k, words[k % NWORDS], words[(k * 7 + variant) % NWORDS],
				    words[(k * 3) % NWORDS], k % 5);
	for (unsigned p = 0; p < 6; p++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "Dans ce paragraphe %u il est question de %s, de %s et de la "
				      "réforme des retraites qu'évoquent les %s du quartier.\n\n",
				      p, words[(k + p * 5 + variant) % NWORDS], words[(k * p + 3) % NWORDS],
				      words[(p + variant * 2) % NWORDS]);
	char path[256];
	snprintf(path, sizeof path, "%s/%s", folder, name);
	write_file(path, text);
}

static int cancel_after_five(const fouille_progress *p, void *ud)
{
	(void)ud;
	return p->path && p->files_done >= 5;
}

static int update(const char *dir, unsigned shards, fouille_progress_fn progress)
{
	fouille_open_options oo;
	fouille_open_options_init(&oo);
	oo.shards = shards;
	fouille_index *idx;
	int rc = fouille_index_open_with(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE, &oo);
	CHECK(rc == FOUILLE_OK, "open %s: %s", dir, fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return rc;
	fouille_update_options uo;
	fouille_update_options_init(&uo);
	uo.jobs = 2;
	uo.commit_every = 7; /* several commits, so several parallel ones */
	uo.progress = progress;
	fouille_update_summary s;
	rc = fouille_index_update(idx, folder, &uo, &s);
	if (!progress)
		CHECK(rc == FOUILLE_OK, "update %s: %s", dir, fouille_errmsg(idx));
	if (rc == FOUILLE_OK) {
		size_t problems = 99;
		int crc = fouille_index_check(idx, NULL, NULL, &problems);
		CHECK(crc == FOUILLE_OK && problems == 0, "check %s: rc %d, %zu problems: %s", dir, crc,
		      problems, fouille_errmsg(idx));
	}
	fouille_index_close(idx);
	return rc;
}

/* Every hit of `query` (up to 100) as "path score snippet" lines sorted by path, then its
   suggestion: the ranking by score, leaving out the order of equal scores. Xapian breaks
   ties by docid, which depends on the shards; so does the article standing for a group
   of near-duplicates of equal scores, hence no collapsing here. */
static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void hits(const char *dir, const char *query, char *out, size_t cap, uint64_t *count)
{
	fouille_index *idx;
	out[0] = '\0';
	*count = 0;
	if (fouille_index_open(&idx, dir, FOUILLE_OPEN_READONLY) != FOUILLE_OK) {
		CHECK(0, "open %s: %s", dir, fouille_last_open_error());
		return;
	}
	fouille_search_options so;
	fouille_search_options_init(&so);
	so.limit = 100;
	so.flags = FOUILLE_SEARCH_NO_COLLAPSE;
	fouille_results *res;
	if (fouille_search(&res, idx, query, &so) != FOUILLE_OK) {
		CHECK(0, "search %s in %s: %s", query, dir, fouille_errmsg(idx));
		fouille_index_close(idx);
		return;
	}
	size_t n = fouille_results_count(res);
	char **lines = calloc(n ? n : 1, sizeof *lines);
	for (size_t i = 0; i < n; i++) {
		const fouille_hit *h = fouille_results_hit(res, i);
		char line[512];
		snprintf(line, sizeof line, "%s %.9f %s\n", fouille_hit_path(h), fouille_hit_score(h),
			 fouille_hit_snippet(h));
		lines[i] = strdup(line);
	}
	qsort(lines, n, sizeof *lines, compare_lines);
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(lines[i]);
		if (len + l < cap) {
			memcpy(out + len, lines[i], l + 1);
			len += l;
		}
		free(lines[i]);
	}
	free(lines);
	const char *sugg = fouille_results_suggestion(res);
	snprintf(out + len, cap - len, "did you mean: %s\n", sugg ? sugg : "-");
	*count = fouille_results_total(res);
	fouille_results_free(res);
	fouille_index_close(idx);
}

/* The number of matches of `query` given with a page of 3 hits, near-duplicates
   collapsed or not: below 100 it is counted (exactly), over several databases each one
   by itself (count_small() in indexer/xapian_store.cc). */
static uint64_t total(const char *dir, const char *query, unsigned flags)
{
	fouille_index *idx;
	if (fouille_index_open(&idx, dir, FOUILLE_OPEN_READONLY) != FOUILLE_OK) {
		CHECK(0, "open %s: %s", dir, fouille_last_open_error());
		return 0;
	}
	fouille_search_options so;
	fouille_search_options_init(&so);
	so.limit = 3;
	so.flags = flags;
	fouille_results *res;
	uint64_t n = 0;
	if (fouille_search(&res, idx, query, &so) == FOUILLE_OK) {
		n = fouille_results_total(res);
		fouille_results_free(res);
	} else {
		CHECK(0, "search %s in %s: %s", query, dir, fouille_errmsg(idx));
	}
	fouille_index_close(idx);
	return n;
}

static void compare(const char *when)
{
	static char a[64 << 10], b[64 << 10];
	int collapsing = 0; /* queries whose count drops with collapsing */
	for (size_t q = 0; q < NQUERIES; q++) {
		uint64_t ca, cb;
		hits(one, queries[q], a, sizeof a, &ca);
		hits(many, queries[q], b, sizeof b, &cb);
		CHECK(strcmp(a, b) == 0 && *a, "%s: \"%s\": one database:\n%s%d shards:\n%s", when,
		      queries[q], a, SHARDS, b);
		CHECK(ca == cb, "%s: \"%s\": %llu matches in one database, %llu in shards", when,
		      queries[q], (unsigned long long)ca, (unsigned long long)cb);
		uint64_t all = total(many, queries[q], FOUILLE_SEARCH_NO_COLLAPSE);
		CHECK(all == cb, "%s: \"%s\": %llu matches counted, %llu listed", when, queries[q],
		      (unsigned long long)all, (unsigned long long)cb);
		uint64_t ka = total(one, queries[q], 0), kb = total(many, queries[q], 0);
		CHECK(ka == kb && ka > 0,
		      "%s: \"%s\": %llu matches collapsed in one database, %llu in shards", when,
		      queries[q], (unsigned long long)ka, (unsigned long long)kb);
		collapsing += kb < all;
	}
	CHECK(collapsing > 0, "%s: no count dropped with collapsing (the copies)", when);
	fouille_index *x, *y;
	if (fouille_index_open(&x, one, FOUILLE_OPEN_READONLY) == FOUILLE_OK) {
		if (fouille_index_open(&y, many, FOUILLE_OPEN_READONLY) == FOUILLE_OK) {
			CHECK(fouille_index_article_count(x) == fouille_index_article_count(y),
			      "%s: %llu articles against %llu", when,
			      (unsigned long long)fouille_index_article_count(x),
			      (unsigned long long)fouille_index_article_count(y));
			fouille_index_close(y);
		}
		fouille_index_close(x);
	}
}

/* The number of documents of each shard of `many`, and which shard holds `path`. */
static int shard_holding(const char *path, uint64_t counts[SHARDS])
{
	int found = -1;
	char term[300];
	snprintf(term, sizeof term, "%s%s", XS_PREFIX_ID, path);
	for (int s = 0; s < SHARDS; s++) {
		char dir[256], err[XS_ERRLEN];
		snprintf(dir, sizeof dir, "%s/xapian/s%d", many, s);
		xs_reader *r;
		counts[s] = 0;
		if (xs_reader_open(&r, dir, err) != FOUILLE_OK) {
			CHECK(0, "open shard %s: %s", dir, err);
			continue;
		}
		counts[s] = xs_reader_doccount(r);
		if (xs_reader_termfreq(r, term) > 0) {
			CHECK(found < 0, "%s is in shards %d and %d", path, found, s);
			found = s;
		}
		xs_reader_close(r);
	}
	return found;
}

int main(void)
{
	snprintf(root, sizeof root, "/tmp/fouille-wshards-XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(folder, sizeof folder, "%s/articles", root);
	snprintf(one, sizeof one, "%s/one", root);
	snprintf(many, sizeof many, "%s/many", root);
	make_dir(folder);
	for (unsigned k = 0; k < ARTICLES; k++) {
		char name[64];
		snprintf(name, sizeof name, "article-%02u.txt", k);
		write_article(name, k, 0);
	}
	/* near-duplicates (the same text under another name), most in another shard than
	   their original: collapsed counts must count each group once across shards */
	for (unsigned k = 40; k < 40 + COPIES; k++) {
		char name[64];
		snprintf(name, sizeof name, "copie-%02u.txt", k);
		write_article(name, k, 0);
	}

	/* the first run */
	update(one, 1, NULL);
	update(many, SHARDS, NULL);
	char stub[256];
	snprintf(stub, sizeof stub, "%s/xapian/XAPIANDB", many);
	struct stat st;
	CHECK(stat(stub, &st) == 0, "%s: no stub naming the shards", stub);
	snprintf(stub, sizeof stub, "%s/xapian/XAPIANDB", one);
	CHECK(stat(stub, &st) != 0, "%s: one database needs no stub", stub);
	uint64_t counts[SHARDS];
	shard_holding("article-00.txt", counts);
	for (int s = 0; s < SHARDS; s++)
		CHECK(counts[s] > ARTICLES / SHARDS / 3, "shard %d holds %llu of %d articles", s,
		      (unsigned long long)counts[s], ARTICLES);
	compare("first run");

	/* an existing index keeps its shards, whatever is asked */
	update(many, 1, NULL);
	snprintf(stub, sizeof stub, "%s/xapian/XAPIANDB", many);
	CHECK(stat(stub, &st) == 0, "%s: the shards are gone after a re-run asking for one", stub);
	shard_holding("article-00.txt", counts);
	CHECK(counts[0] + counts[1] + counts[2] == ARTICLES + COPIES, "%llu articles after a re-run",
	      (unsigned long long)(counts[0] + counts[1] + counts[2]));

	/* changed, deleted and renamed files; some renames move to another shard */
	write_article("article-03.txt", 3, 1);
	write_article("article-04.txt", 4, 2);
	char from[256], to[256];
	snprintf(from, sizeof from, "%s/article-05.txt", folder);
	unlink(from);
	snprintf(from, sizeof from, "%s/article-06.txt", folder);
	unlink(from);
	int before[8], moved = 0;
	for (unsigned k = 0; k < 8; k++) {
		char name[64];
		snprintf(name, sizeof name, "article-%02u.txt", 10 + k);
		before[k] = shard_holding(name, counts);
		snprintf(from, sizeof from, "%s/article-%02u.txt", folder, 10 + k);
		snprintf(to, sizeof to, "%s/renamed-%02u.txt", folder, 10 + k);
		CHECK(rename(from, to) == 0, "rename %s", from);
	}
	write_article("article-99.txt", 99, 0);
	update(one, 1, NULL);
	update(many, SHARDS, NULL);
	for (unsigned k = 0; k < 8; k++) {
		char name[64];
		snprintf(name, sizeof name, "renamed-%02u.txt", 10 + k);
		int after = shard_holding(name, counts);
		CHECK(after >= 0, "%s is in no shard", name);
		moved += after != before[k];
		snprintf(name, sizeof name, "article-%02u.txt", 10 + k);
		CHECK(shard_holding(name, counts) < 0, "%s is still indexed", name);
	}
	CHECK(moved > 0 && moved < 8, "%d of 8 renamed articles moved to another shard", moved);
	compare("after changes");

	/* a cancelled update leaves the index at its last commit, and the next completes it */
	for (unsigned k = 20; k < 40; k++) {
		char name[64];
		snprintf(name, sizeof name, "article-%02u.txt", k);
		write_article(name, k, 3);
	}
	int rc = update(many, SHARDS, cancel_after_five);
	CHECK(rc == FOUILLE_ECANCELLED, "the cancelled update returned %d", rc);
	update(many, SHARDS, NULL);
	update(one, 1, NULL);
	compare("after a cancelled update");

	remove_tree(root);
	return check_summary();
}
