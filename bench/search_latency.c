/*
 * search_latency — in-library search latency of fouille.
 *
 *   search_latency INDEX_DIR QUERIES_FILE [ROUNDS]
 *
 * Opens the index once, then runs every query of QUERIES_FILE (one a line) ROUNDS
 * times (default 20) through fouille_search() with the default options (10 hits,
 * snippets), reading every hit's title, path and snippet as a program showing them
 * would. One untimed round warms the caches first. Prints the number of searches and
 * the median, p95, p99, mean and max latency in milliseconds, one "name value" a line,
 * then the five queries with the highest median ("slow_ms MEDIAN QUERY").
 *
 * Build against a fouille build tree (bench/speed.sh does this):
 *   cc -O2 -Iinclude bench/search_latency.c -Lbuild -lfouille -Wl,-rpath,build
 */
#define _POSIX_C_SOURCE 200809L
#include <fouille.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The p-th percentile (0..100) of sorted v[0..n), nearest rank. */
static double percentile(const double *v, size_t n, double p)
{
	size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

/* Run one query; returns the number of bytes of output it would show, or -1. */
static long run_query(fouille_index *idx, const char *q, const fouille_search_options *o)
{
	fouille_results *res;
	int rc = fouille_search(&res, idx, q, o);
	if (rc == FOUILLE_EQUERY)
		return 0;
	if (rc != FOUILLE_OK) {
		fprintf(stderr, "search_latency: %s: %s\n", q, fouille_errmsg(idx));
		return -1;
	}
	long bytes = 0;
	for (size_t i = 0; i < fouille_results_count(res); i++) {
		const fouille_hit *h = fouille_results_hit(res, i);
		bytes += (long)strlen(fouille_hit_title(h)) + (long)strlen(fouille_hit_path(h)) +
			 (long)strlen(fouille_hit_snippet(h));
	}
	fouille_results_free(res);
	return bytes;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: search_latency INDEX_DIR QUERIES_FILE [ROUNDS]\n");
		return 2;
	}
	int rounds = argc == 4 ? atoi(argv[3]) : 20;
	if (rounds < 1)
		rounds = 1;

	FILE *f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 2;
	}
	char **queries = NULL;
	size_t nq = 0, cap = 0;
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len;
	while ((len = getline(&line, &linecap, f)) > 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (nq == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(queries, cap * sizeof *queries);
			if (!grown)
				return 2;
			queries = grown;
		}
		if (!(queries[nq++] = strdup(line)))
			return 2;
	}
	free(line);
	fclose(f);
	if (nq == 0) {
		fprintf(stderr, "search_latency: no query in %s\n", argv[2]);
		return 2;
	}

	fouille_index *idx;
	double t0 = now_ms();
	if (fouille_index_open(&idx, argv[1], FOUILLE_OPEN_READONLY) != FOUILLE_OK) {
		fprintf(stderr, "search_latency: %s\n", fouille_last_open_error());
		return 2;
	}
	double open_ms = now_ms() - t0;
	fouille_search_options opts;
	fouille_search_options_init(&opts);

	for (size_t i = 0; i < nq; i++) /* warm-up, untimed */
		if (run_query(idx, queries[i], &opts) < 0)
			return 1;

	size_t n = nq * (size_t)rounds;
	double *lat = malloc(n * sizeof *lat);
	if (!lat)
		return 2;
	double sum = 0;
	long bytes = 0;
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < nq; i++) {
			double s = now_ms();
			long b = run_query(idx, queries[i], &opts);
			double e = now_ms() - s;
			if (b < 0)
				return 1;
			bytes += b;
			lat[(size_t)r * nq + i] = e;
			sum += e;
		}
	/* per-query medians, before the pooled sort mixes the queries */
	double *qmed = malloc(nq * sizeof *qmed), *col = malloc((size_t)rounds * sizeof *col);
	size_t *order = malloc(nq * sizeof *order);
	if (!qmed || !col || !order)
		return 2;
	for (size_t i = 0; i < nq; i++) {
		for (int r = 0; r < rounds; r++)
			col[r] = lat[(size_t)r * nq + i];
		qsort(col, (size_t)rounds, sizeof *col, cmp_double);
		qmed[i] = percentile(col, (size_t)rounds, 50);
		order[i] = i;
	}
	for (size_t i = 0; i < nq; i++) /* selection of the slowest five */
		for (size_t j = i + 1; j < nq && i < 5; j++)
			if (qmed[order[j]] > qmed[order[i]]) {
				size_t t = order[i];
				order[i] = order[j];
				order[j] = t;
			}
	qsort(lat, n, sizeof *lat, cmp_double);
	printf("searches %zu\n", n);
	printf("open_ms %.3f\n", open_ms);
	printf("median_ms %.3f\n", percentile(lat, n, 50));
	printf("p95_ms %.3f\n", percentile(lat, n, 95));
	printf("p99_ms %.3f\n", percentile(lat, n, 99));
	printf("mean_ms %.3f\n", sum / (double)n);
	printf("max_ms %.3f\n", lat[n - 1]);
	printf("output_bytes %ld\n", bytes);
	for (size_t i = 0; i < nq && i < 5; i++)
		printf("slow_ms %.3f %s\n", qmed[order[i]], queries[order[i]]);
	free(qmed);
	free(col);
	free(order);

	fouille_index_close(idx);
	for (size_t i = 0; i < nq; i++)
		free(queries[i]);
	free(queries);
	free(lat);
	return 0;
}
