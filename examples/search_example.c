/*
 * The smallest program embedding libfouille: open an index, search, print the hits.
 *
 *   cc search_example.c -lfouille -o search_example
 *   ./search_example corpus/.fouille "réfugiés ukrainiens"
 */
#include <stdio.h>

#include <fouille.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s INDEX_DIR QUERY\n", argv[0]);
		return 2;
	}
	fouille_index *idx;
	if (fouille_index_open(&idx, argv[1], FOUILLE_OPEN_READONLY) != FOUILLE_OK) {
		fprintf(stderr, "%s\n", fouille_last_open_error());
		return 2;
	}
	fouille_search_options opts;
	fouille_search_options_init(&opts);
	opts.limit = 5;
	fouille_results *res;
	if (fouille_search(&res, idx, argv[2], &opts) != FOUILLE_OK) {
		fprintf(stderr, "%s\n", fouille_errmsg(idx));
		fouille_index_close(idx);
		return 1;
	}
	printf("%llu matches\n", (unsigned long long)fouille_results_total(res));
	for (size_t i = 0; i < fouille_results_count(res); i++) {
		const fouille_hit *h = fouille_results_hit(res, i);
		printf("%zu\t%s\t%s\n", fouille_hit_rank(h), fouille_hit_path(h), fouille_hit_title(h));
		printf("\t%s\n", fouille_hit_snippet(h));
	}
	fouille_results_free(res);
	fouille_index_close(idx);
	return 0;
}
