/*
 * Separate handles search from many threads at once: 8 threads x 1,000 searches, each
 * thread with its own handle, every answer (paths, scores, snippets, highlights)
 * identical to the single-threaded one. Run under ThreadSanitizer in CI (.ci/run).
 * FOUILLE_THREAD_SEARCHES overrides the number of searches per thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fouille.h"
#include "tests/check.h"

#define THREADS 8

static const char *const queries[] = {
	"réfugiés",        "securite",        "election presidentielle", "grève -sncf",
	"\"l'armée russe\"", "hopital urgences", "énergie OR électricité",  "france",
	"coeur",           "le la les",       "xyzzy armée",             "économie inflation",
};
#define NQUERIES (sizeof queries / sizeof *queries)

static char expected[NQUERIES][8192];
static char index_dir[4096];
static int searches_per_thread = 1000;

/* Everything a search answers, as one string, to compare across threads. */
static void describe(fouille_index *idx, const char *query, char *out, size_t cap)
{
	fouille_results *res;
	int rc = fouille_search(&res, idx, query, NULL);
	size_t n = (size_t)snprintf(out, cap, "rc=%d", rc);
	if (rc != FOUILLE_OK)
		return;
	n += (size_t)snprintf(out + n, cap - n, " total=%llu relaxed=%d",
			      (unsigned long long)fouille_results_total(res), fouille_results_relaxed(res));
	for (size_t i = 0; i < fouille_results_count(res) && n < cap; i++) {
		const fouille_hit *h = fouille_results_hit(res, i);
		n += (size_t)snprintf(out + n, cap - n, "|%s %.6f %s", fouille_hit_path(h),
				      fouille_hit_score(h), fouille_hit_snippet(h));
		for (size_t k = 0; k < fouille_hit_highlight_count(h) && n < cap; k++) {
			size_t b, e;
			fouille_hit_highlight(h, k, &b, &e);
			n += (size_t)snprintf(out + n, cap - n, " [%zu,%zu]", b, e);
		}
	}
	fouille_results_free(res);
}

typedef struct job {
	int id, mismatches, failures;
} job;

static void *worker(void *arg)
{
	job *j = arg;
	fouille_index *idx;
	if (fouille_index_open(&idx, index_dir, FOUILLE_OPEN_READONLY) != FOUILLE_OK) {
		j->failures++;
		return NULL;
	}
	char got[8192];
	for (int i = 0; i < searches_per_thread; i++) {
		size_t q = (size_t)(i + j->id) % NQUERIES;
		describe(idx, queries[q], got, sizeof got);
		if (strcmp(got, expected[q]) != 0)
			j->mismatches++;
	}
	fouille_index_close(idx);
	return NULL;
}

int main(void)
{
	const char *env = getenv("FOUILLE_THREAD_SEARCHES");
	if (env && atoi(env) > 0)
		searches_per_thread = atoi(env);
	char tmpl[] = "/tmp/fouille-threads-XXXXXX";
	char *tmp = mkdtemp(tmpl);
	CHECK(tmp != NULL, "mkdtemp");
	if (!tmp)
		return check_summary();
	snprintf(index_dir, sizeof index_dir, "%s/index", tmp);

	fouille_index *w;
	int rc = fouille_index_open(&w, index_dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "create: %s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return check_summary();
	rc = fouille_index_update(w, FOUILLE_SOURCE_DIR "/corpus", NULL, NULL);
	CHECK(rc == FOUILLE_OK, "index corpus: %s", fouille_errmsg(w));
	fouille_index_close(w);

	fouille_index *idx;
	CHECK(fouille_index_open(&idx, index_dir, FOUILLE_OPEN_READONLY) == FOUILLE_OK, "open");
	for (size_t q = 0; q < NQUERIES; q++)
		describe(idx, queries[q], expected[q], sizeof expected[q]);
	fouille_index_close(idx);
	CHECK(strstr(expected[0], "total=") && !strstr(expected[0], "total=0"), "réfugiés finds something");

	pthread_t t[THREADS];
	job jobs[THREADS];
	for (int i = 0; i < THREADS; i++) {
		jobs[i] = (job){.id = i};
		CHECK(pthread_create(&t[i], NULL, worker, &jobs[i]) == 0, "start thread %d", i);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		CHECK(jobs[i].failures == 0, "thread %d could not open the index", i);
		CHECK(jobs[i].mismatches == 0, "thread %d: %d of %d answers differ from the single-threaded ones",
		      i, jobs[i].mismatches, searches_per_thread);
	}
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	CHECK(system(cmd) == 0, "clean up");
	return check_summary();
}
