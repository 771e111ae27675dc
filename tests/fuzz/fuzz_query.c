/*
 * Fuzz harness for the query parser (search/query.c): every input is parsed, built
 * (strict and relaxed), described, its highlight terms and notice read, and both
 * queries run on a small index written once at start-up, because Xapian refuses some
 * query shapes (a NEAR or PHRASE over anything but terms) only when they run. Aborts on
 * a broken promise: a parse that fails (only out of memory may), an empty query that
 * builds or a non-empty one that does not, a notice that is not clean UTF-8, a term
 * without its word number, a search that fails. FOUILLE_FUZZ_NO_SEARCH=1 skips the
 * index and the searches, for many more inputs a second on the parser alone.
 */
#include "indexer/analyzer.h"
#include "indexer/xapian_store.h"
#include "search/query.h"

#include "fouille.h"
#include "../helpers.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static analyzer *an;
static xs_reader *reader; /* NULL with FOUILLE_FUZZ_NO_SEARCH */
static char root[64];

/* Well-formed UTF-8 without control characters. */
static int clean_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		if (c < 0x20 || c == 0x7F)
			return 0;
		int need = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
		if (need < 0)
			return 0;
		unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
		unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
		for (int k = 1; k <= need; k++) {
			unsigned b = p[k];
			if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80)
				return 0;
		}
		p += need + 1;
	}
	return 1;
}

static void cleanup(void)
{
	xs_reader_close(reader);
	analyzer_free(an);
	if (root[0])
		remove_tree(root);
}

/* A few dated, authored articles whose words the seed corpus uses. */
static void setup(void)
{
	an = analyzer_new();
	if (!an)
		abort();
	atexit(cleanup);
	const char *no_search = getenv("FOUILLE_FUZZ_NO_SEARCH");
	if (no_search && *no_search && strcmp(no_search, "0") != 0)
		return;
	snprintf(root, sizeof root, "/tmp/fouille-fuzz-query-XXXXXX");
	if (!mkdtemp(root))
		abort();
	char docs[128], dir[128], xdir[160];
	snprintf(docs, sizeof docs, "%s/docs", root);
	snprintf(dir, sizeof dir, "%s/index", root);
	snprintf(xdir, sizeof xdir, "%s/xapian", dir);
	mkdir(docs, 0777);
	write_file_in(docs, "a.txt",
		   "La guerre et la paix\n\nL'armée russe avance vers Kharkiv.\n\npar\nJean Dupont\n"
		   "12 avril 2023\n\nLes réfugiés ukrainiens fuient la guerre. Le ministre de la santé "
		   "parle d'un pâté de maisons détruit.\n");
	write_file_in(docs, "b.txt",
		   "Vols annulés\n\nLa grève des contrôleurs aériens continue.\n\npar\nHélène Le Gall\n"
		   "2024-03-01\n\nAujourd'hui, c'est-à-dire peut-être demain, les États-Unis et la "
		   "France négocient. Une pâte à crêpes.\n");
	write_file_in(docs, "c.txt", "Sans date\n\nGuerrier, guerres et guerroyer.\n\nÉlection présidentielle.\n");
	fouille_index *w = NULL;
	if (fouille_index_open(&w, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE) != FOUILLE_OK ||
	    fouille_index_update(w, docs, NULL, NULL) != FOUILLE_OK)
		abort();
	fouille_index_close(w);
	char err[XS_ERRLEN];
	if (xs_reader_open(&reader, xdir, err) != FOUILLE_OK)
		abort();
}

static int on_match(const xs_match *m, void *ud)
{
	(void)m;
	(void)ud;
	return 0;
}

static void run(const xs_query *x)
{
	char err[XS_ERRLEN];
	uint64_t est = 0;
	if (reader && xs_reader_search(reader, x, 0, 3, NULL, on_match, NULL, &est, err) != FOUILLE_OK) {
		fprintf(stderr, "search failed: %s\n", err);
		abort();
	}
	char *d = xs_query_describe(x);
	if (!d)
		abort();
	free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!an)
		setup();
	query *q = NULL;
	if (query_parse(&q, an, (const char *)data, size) != 0 || !q)
		abort(); /* only out of memory may fail, and the fuzzer has memory */
	const char *notice = query_notice(q);
	if (notice && (!*notice || !clean_utf8(notice)))
		abort();
	size_t n;
	const query_term *t = query_terms(q, &n);
	for (size_t i = 0; i < n; i++)
		if (!t[i].term || !*t[i].term || t[i].word >= n || !clean_utf8(t[i].term))
			abort();
	/* phrases: at least two positions, a word (never a stopword) at each end */
	const query_phrase *ph = query_phrases(q, &n);
	for (size_t i = 0; i < n; i++) {
		const query_phrase_word *w = ph[i].words;
		size_t last = ph[i].nwords - 1;
		if (ph[i].nwords < 2 || !w[0].term || w[0].stop || !w[last].term || w[last].stop)
			abort();
		for (size_t k = 0; k <= last; k++)
			if (w[k].term && !clean_utf8(w[k].term))
				abort();
	}
	for (int any = 0; any <= 1; any++) {
		xs_query *x = query_build(q, any);
		if (query_is_empty(q) != (x == NULL))
			abort();
		if (x)
			run(x);
		xs_query_free(x);
	}
	if (query_is_empty(q) && query_positive_count(q) != 0)
		abort();
	query_free(q);
	return 0;
}
