/*
 * The public API of a result page beyond its hits: fouille_results_suggestion(),
 * fouille_results_facets(), fouille_hit_similar() and the fragments option, on a small
 * folder written here (two copies of a story, another story, an undated article).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "fouille.h"

static char tmp_root[64];

#define LEAD                                                                                   \
	"Le conseil municipal de Clermont a voté jeudi le budget participatif de la ville, "   \
	"doté de deux millions d’euros pour des projets proposés par les habitants.\n\n"
#define BODY                                                                                   \
	"Les projets retenus concernent les pistes cyclables, les jardins partagés et la "     \
	"rénovation des aires de jeux. Le vote des habitants aura lieu au printemps.\n"

static fouille_results *search(fouille_index *idx, const char *q, unsigned flags,
			       unsigned fragments)
{
	fouille_search_options o;
	fouille_search_options_init(&o);
	CHECK(o.fragments == 1, "default fragments: %u", o.fragments);
	o.flags = flags;
	if (fragments)
		o.fragments = fragments;
	fouille_results *res = NULL;
	int rc = fouille_search(&res, idx, q, &o);
	CHECK(rc == FOUILLE_OK && res, "search [%s]: %d %s", q, rc, fouille_errmsg(idx));
	return res;
}

int main(void)
{
	snprintf(tmp_root, sizeof tmp_root, "/tmp/fouille-results-XXXXXX");
	if (!mkdtemp(tmp_root)) {
		perror("mkdtemp");
		return 1;
	}
	char folder[128], dir[160];
	snprintf(folder, sizeof folder, "%s/news", tmp_root);
	snprintf(dir, sizeof dir, "%s/news/.fouille", tmp_root);
	mkdir(folder, 0777);
	write_file_in(folder, "budget.txt", "Budget participatif à Clermont\n\n" LEAD
		   "par\nCamille Dubois\n12 avril 2023\n\n" BODY);
	write_file_in(folder, "budget-copie.txt", "Budget participatif à Clermont - La Montagne\n\n" LEAD
		   "par\nJean Martin\n13 avril 2023\n\n" BODY "\nUne phrase ajoutée.\n");
	write_file_in(folder, "velo.txt", "Clermont mise sur le vélo\n\nLa ville de Clermont ouvre "
		   "trois nouvelles pistes cyclables cet été, reliant le centre aux quartiers nord.\n"
		   "\npar\nJean Martin\n2 juin 2024\n\nLes travaux commencent lundi.\n");
	write_file_in(folder, "sans-date.txt", "Note sans date\n\nUne note sur Clermont, sans auteur ni date, "
		   "qui parle de cyclables.\n");

	fouille_index *idx = NULL;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "open for writing: %s", fouille_last_open_error());
	if (rc == FOUILLE_OK) {
		CHECK(fouille_index_update(idx, folder, NULL, NULL) == FOUILLE_OK, "update: %s",
		      fouille_errmsg(idx));
		fouille_index_close(idx);
	}
	rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_OK, "open read-only: %s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return check_summary();

	/* collapse: the two copies are one hit with one similar */
	fouille_results *res = search(idx, "Clermont", 0, 0);
	size_t n = fouille_results_count(res), with_similar = 0;
	CHECK(n == 3 && fouille_results_total(res) == 3, "3 hits, got %zu (total %llu)", n,
	      (unsigned long long)fouille_results_total(res));
	for (size_t i = 0; i < n; i++) {
		const fouille_hit *h = fouille_results_hit(res, i);
		if (fouille_hit_similar(h)) {
			with_similar++;
			CHECK(fouille_hit_similar(h) == 1, "one similar: %llu",
			      (unsigned long long)fouille_hit_similar(h));
			CHECK(strstr(fouille_hit_path(h), "budget") != NULL, "a copy: %s", fouille_hit_path(h));
		}
	}
	CHECK(with_similar == 1, "one hit has similar articles: %zu", with_similar);
	/* no facets asked: NULL and 0 */
	size_t nf = 99;
	CHECK(fouille_results_facets(res, FOUILLE_FACET_AUTHOR, &nf) == NULL && nf == 0, "no facets");
	nf = 99;
	CHECK(fouille_results_facets(res, FOUILLE_FACET_YEAR, &nf) == NULL && nf == 0, "no facets");
	CHECK(fouille_results_facets(res, (fouille_facet)7, NULL) == NULL, "unknown facet");
	fouille_results_free(res);

	res = search(idx, "Clermont", FOUILLE_SEARCH_NO_COLLAPSE, 0);
	CHECK(fouille_results_count(res) == 4, "no collapse: 4 hits, got %zu", fouille_results_count(res));
	for (size_t i = 0; i < fouille_results_count(res); i++)
		CHECK(fouille_hit_similar(fouille_results_hit(res, i)) == 0, "no similar without collapse");
	fouille_results_free(res);

	/* facets: every match, authors most first then by name, years newest first; the
	   undated, unsigned note counts in neither */
	res = search(idx, "Clermont", FOUILLE_SEARCH_FACETS, 0);
	const fouille_count *a = fouille_results_facets(res, FOUILLE_FACET_AUTHOR, &nf);
	CHECK(a && nf == 2, "2 authors, got %zu", nf);
	if (a && nf == 2) {
		CHECK_STR(a[0].name, "Jean Martin");
		CHECK(a[0].count == 2, "Jean Martin: %llu", (unsigned long long)a[0].count);
		CHECK_STR(a[1].name, "Camille Dubois");
		CHECK(a[1].count == 1, "Camille Dubois: %llu", (unsigned long long)a[1].count);
	}
	const fouille_count *y = fouille_results_facets(res, FOUILLE_FACET_YEAR, &nf);
	CHECK(y && nf == 2, "2 years, got %zu", nf);
	if (y && nf == 2) {
		CHECK_STR(y[0].name, "2024");
		CHECK(y[0].count == 1, "2024: %llu", (unsigned long long)y[0].count);
		CHECK_STR(y[1].name, "2023");
		CHECK(y[1].count == 2, "2023: %llu", (unsigned long long)y[1].count);
	}
	CHECK(fouille_results_facets(res, FOUILLE_FACET_AUTHOR, NULL) == a, "n may be NULL");
	fouille_results_free(res);
	/* facets asked, none to count: an empty list, not NULL */
	res = search(idx, "note", FOUILLE_SEARCH_FACETS, 0);
	CHECK(fouille_results_facets(res, FOUILLE_FACET_AUTHOR, &nf) != NULL && nf == 0,
	      "no author among the matches: empty, %zu", nf);
	fouille_results_free(res);

	/* suggestions */
	res = search(idx, "participatf", 0, 0);
	CHECK_STR(fouille_results_suggestion(res), "participatif");
	fouille_results_free(res);
	res = search(idx, "participatf", FOUILLE_SEARCH_NO_SUGGEST, 0);
	CHECK(fouille_results_suggestion(res) == NULL, "NO_SUGGEST");
	fouille_results_free(res);
	res = search(idx, "Clermont", 0, 0);
	CHECK(fouille_results_suggestion(res) == NULL, "nothing to suggest: %s",
	      fouille_results_suggestion(res));
	fouille_results_free(res);
	res = search(idx, "jardins renovation", 0, 0);
	CHECK_STR(fouille_results_suggestion(res), "jardins rénovation");
	fouille_results_free(res);

	/* fragments: two passages for two words far apart; capped when huge */
	res = search(idx, "conseil printemps", FOUILLE_SEARCH_NO_COLLAPSE, 2);
	const fouille_hit *h = fouille_results_hit(res, 0);
	CHECK(h && fouille_hit_highlight_count(h) == 2, "two highlights");
	fouille_results_free(res);
	res = search(idx, "Clermont", 0, 100000);
	CHECK(fouille_results_count(res) == 3, "huge fragments: fine");
	fouille_results_free(res);

	fouille_results_suggestion(NULL);
	CHECK(fouille_results_facets(NULL, FOUILLE_FACET_AUTHOR, &nf) == NULL && nf == 0, "NULL results");
	CHECK(fouille_hit_similar(NULL) == 0, "NULL hit");
	fouille_index_close(idx);
	remove_tree(tmp_root);
	return check_summary();
}
