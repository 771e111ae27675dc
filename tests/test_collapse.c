/*
 * Collapsing near-duplicates without facets (xs_reader_search's collapse_page, which
 * walks the plain ranking) against Xapian's own collapsing (what a search with
 * FOUILLE_SEARCH_FACETS still uses), on a folder written here: groups of copies of a
 * story (same lead, different endings and dates) and single articles, the query word
 * repeated so that groups and singles interleave in the ranking. For each query and
 * order: the same hits in the same order, every page of 3 the slice of the whole list,
 * and each hit's similar count the number of other matching copies of its story
 * (Xapian's is a lower bound: at most that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fouille.h"
#include "helpers.h"
#include "indexer/xapian_store.h" /* XS_FOLD_MAX */

#define GROUPS 7
#define SINGLES 9
#define BRUME 110 /* articles of a sentence about la brume, no signature (too short) */
#define MAX_HITS 64

static const char *const vocabulary[] = {
	"rivière", "montagne", "village", "marché", "boulanger", "facteur", "école", "jardin",
	"tracteur", "moisson", "vendange", "fromage", "chapelle", "fontaine", "forêt", "sentier",
	"troupeau", "berger", "meunier", "pont", "lavoir", "clocher", "verger", "prairie",
	"étang", "colline", "ruisseau", "grange", "charrette", "auberge", "cerisier", "noyer",
	"sapin", "chemin", "écluse", "bateau", "pêcheur", "filet", "rocher", "falaise",
	"phare", "port", "quai", "mouette", "voilier", "marin", "tempête", "orage",
	"brouillard", "neige", "gel", "soleil", "récolte", "semence", "charpentier", "forgeron",
	"tisserand", "potier", "vitrail", "horloge"};
#define NVOCAB (sizeof vocabulary / sizeof *vocabulary)

/* A lead of 40 content words, its own for each story `s`: the signature's 32 first
   terms differ from one story to the next. */
static void lead_of(unsigned s, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < 40; i++) {
		const char *w = vocabulary[(s * 11 + i * 7) % NVOCAB];
		if (!strcmp(w, "tempête") || !strcmp(w, "orage") || !strcmp(w, "neige"))
			w = "carrefour"; /* the query words only where the test puts them */
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? " " : "Le ", w);
	}
	snprintf(out + n, cap - n, ".");
}

/* An article: story `s` (its lead), `storms` times "orage", "tempête" when `tempest`,
   `extra` at the end, dated day `day` of 2023; written as NAME.txt. */
static void write_article_with(const char *folder, const char *name, unsigned s, unsigned storms,
			       int tempest, unsigned day, const char *extra)
{
	char lead[1024], body[2048], text[4096], file[64];
	lead_of(s, lead, sizeof lead);
	size_t n = (size_t)snprintf(body, sizeof body, "Récit de %s.", name);
	for (unsigned i = 0; i < storms; i++)
		n += (size_t)snprintf(body + n, sizeof body - n, " Un orage éclate sur le %s.",
				      vocabulary[(i + s) % NVOCAB]);
	if (tempest)
		n += (size_t)snprintf(body + n, sizeof body - n, " Puis la tempête.");
	snprintf(body + n, sizeof body - n, "%s", extra);
	snprintf(text, sizeof text, "Histoire %s\n\n%s\n\npar\nCamille Dubois\n%u mars 2023\n\n%s\n",
		 name, lead, day, body);
	snprintf(file, sizeof file, "%s.txt", name);
	write_file_in(folder, file, text);
}

static void write_article(const char *folder, const char *name, unsigned s, unsigned storms,
			  int tempest, unsigned day)
{
	write_article_with(folder, name, s, storms, tempest, day, "");
}

/* Index (or update) `folder` into `dir`. */
static void update_index(const char *folder, const char *dir)
{
	fouille_index *idx = NULL;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "open %s for writing: %s", dir, fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	CHECK(fouille_index_update(idx, folder, NULL, NULL) == FOUILLE_OK, "update: %s",
	      fouille_errmsg(idx));
	fouille_index_close(idx);
}

/* `dir` opened read-only, or NULL (a failed check). */
static fouille_index *open_index(const char *dir)
{
	fouille_index *idx = NULL;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_OK, "open %s read-only: %s", dir, fouille_last_open_error());
	return rc == FOUILLE_OK ? idx : NULL;
}

typedef struct hitlist {
	size_t n;
	uint64_t total;
	int exact;
	char path[MAX_HITS][32];
	uint64_t similar[MAX_HITS];
} hitlist;

static void run(fouille_index *idx, const char *q, unsigned flags, fouille_sort sort,
		unsigned offset, unsigned limit, hitlist *out)
{
	fouille_search_options o;
	fouille_search_options_init(&o);
	o.flags = flags | FOUILLE_SEARCH_NO_SUGGEST;
	o.sort = sort;
	o.offset = offset;
	o.limit = limit;
	fouille_results *res = NULL;
	int rc = fouille_search(&res, idx, q, &o);
	CHECK(rc == FOUILLE_OK && res, "search [%s]: %d %s", q, rc, fouille_errmsg(idx));
	memset(out, 0, sizeof *out);
	if (!res)
		return;
	out->total = fouille_results_total(res);
	out->exact = fouille_results_total_exact(res);
	for (size_t i = 0; i < fouille_results_count(res) && out->n < MAX_HITS; i++) {
		const fouille_hit *h = fouille_results_hit(res, i);
		snprintf(out->path[out->n], sizeof out->path[0], "%s", fouille_hit_path(h));
		out->similar[out->n++] = fouille_hit_similar(h);
	}
	fouille_results_free(res);
}

/* The story of a file: "gN-..." is story N, "sN" a single (its own story). */
static int story_of(const char *path)
{
	return path[0] == 'g' ? atoi(path + 1) : 100 + atoi(path + 1);
}

static void compare(fouille_index *idx, const char *q, fouille_sort sort)
{
	hitlist mine, xapian, plain, page;
	run(idx, q, 0, sort, 0, MAX_HITS, &mine);
	run(idx, q, FOUILLE_SEARCH_FACETS, sort, 0, MAX_HITS, &xapian);
	run(idx, q, FOUILLE_SEARCH_NO_COLLAPSE, sort, 0, MAX_HITS, &plain);
	CHECK(mine.n > 3 && mine.n < plain.n, "[%s] %d: collapsing folds copies: %zu of %zu", q,
	      (int)sort, mine.n, plain.n);
	CHECK(mine.n == xapian.n, "[%s] %d: as many hits as Xapian's collapsing: %zu, %zu", q,
	      (int)sort, mine.n, xapian.n);
	/* (these pages are short, their totals the number of hits: the counting is pinned
	   by the pages of 3 below) */
	for (size_t i = 0; i < mine.n && i < xapian.n; i++) {
		CHECK(!strcmp(mine.path[i], xapian.path[i]), "[%s] %d: hit %zu: %s, Xapian %s", q,
		      (int)sort, i, mine.path[i], xapian.path[i]);
		/* the other matching copies of its story, all ranked below it */
		uint64_t copies = 0;
		int first = 1;
		for (size_t k = 0; k < plain.n; k++) {
			if (story_of(plain.path[k]) != story_of(mine.path[i]))
				continue;
			if (first)
				CHECK(!strcmp(plain.path[k], mine.path[i]),
				      "[%s] %d: %s is its story's best, not %s", q, (int)sort,
				      mine.path[i], plain.path[k]);
			first = 0;
			copies++;
		}
		CHECK(mine.similar[i] + 1 == copies, "[%s] %d: %s: %llu similar, %llu copies match",
		      q, (int)sort, mine.path[i], (unsigned long long)mine.similar[i],
		      (unsigned long long)copies);
		CHECK(xapian.similar[i] <= mine.similar[i], "[%s] %d: %s: Xapian's %llu at most %llu",
		      q, (int)sort, mine.path[i], (unsigned long long)xapian.similar[i],
		      (unsigned long long)mine.similar[i]);
	}
	/* pages of 3: slices of the whole list, with their totals */
	for (unsigned off = 0; off < mine.n + 3; off += 3) {
		run(idx, q, 0, sort, off, 3, &page);
		size_t want = off < mine.n ? (mine.n - off < 3 ? mine.n - off : 3) : 0;
		CHECK(page.n == want, "[%s] %d: page at %u: %zu hits, want %zu", q, (int)sort, off,
		      page.n, want);
		for (size_t i = 0; i < page.n && off + i < mine.n; i++)
			CHECK(!strcmp(page.path[i], mine.path[off + i]) &&
				      page.similar[i] == mine.similar[off + i],
			      "[%s] %d: page at %u, hit %zu: %s (%llu), want %s (%llu)", q, (int)sort,
			      off, i, page.path[i], (unsigned long long)page.similar[i],
			      mine.path[off + i], (unsigned long long)mine.similar[off + i]);
		CHECK(page.total == mine.n && page.exact, "[%s] %d: page at %u: total %llu (exact %d), want %zu",
		      q, (int)sort, off, (unsigned long long)page.total, page.exact, mine.n);
	}
}

/* `brume`: BRUME single articles and the ten copies of one story, `want` once folded,
   a count past 100 made exact; the story one hit standing for 9. */
static void check_brume(const char *dir, uint64_t want)
{
	fouille_index *idx = open_index(dir);
	if (!idx)
		return;
	hitlist page, plain;
	run(idx, "brume", 0, FOUILLE_SORT_RELEVANCE, 0, 10, &page);
	run(idx, "brume", FOUILLE_SEARCH_NO_COLLAPSE, FOUILLE_SORT_RELEVANCE, 0, 10, &plain);
	CHECK(page.total == want && page.exact, "brume: %llu (exact %d), want %llu",
	      (unsigned long long)page.total, page.exact, (unsigned long long)want);
	CHECK(plain.total == want + 9, "brume, not collapsed: %llu", (unsigned long long)plain.total);
	for (size_t i = 0; i < page.n; i++)
		if (story_of(page.path[i]) == GROUPS + 1)
			CHECK(page.similar[i] == 9, "brume: the story's hit stands for 9: %llu",
			      (unsigned long long)page.similar[i]);
	/* the story alone: one hit for its ten copies */
	run(idx, "brume orage", 0, FOUILLE_SORT_RELEVANCE, 0, 10, &page);
	CHECK(page.n == 1 && page.total == 1 && page.similar[0] == 9,
	      "brume orage: %zu hits, total %llu, similar %llu", page.n,
	      (unsigned long long)page.total, (unsigned long long)(page.n ? page.similar[0] : 0));
	fouille_index_close(idx);
}

/* More copies of one story than XS_FOLD_MAX: the index stops writing signature terms
   and marks, and says so; with all but 40 copies gone (their marks too), the 40 left
   still make one hit, counted. */
#define MANY (XS_FOLD_MAX + 60)
static void check_past_fold_max(const char *root)
{
	char folder[96], dir[112], name[16], path[128];
	snprintf(folder, sizeof folder, "%s/many", root);
	snprintf(dir, sizeof dir, "%s/.fouille", folder);
	make_dir(folder);
	for (unsigned c = 0; c < MANY; c++) {
		snprintf(name, sizeof name, "m%04u", c);
		write_article(folder, name, 3, 1 + c % 5, 0, 1 + c % 28);
	}
	for (int round = 0; round < 2; round++) {
		update_index(folder, dir);
		fouille_index *idx = open_index(dir);
		if (!idx)
			return;
		hitlist page;
		uint64_t copies = round == 0 ? MANY : 40;
		run(idx, "orage", 0, FOUILLE_SORT_RELEVANCE, 0, 10, &page);
		CHECK(page.n == 1 && page.total == 1 && page.similar[0] + 1 == copies,
		      "%llu copies: %zu hits, total %llu, similar %llu", (unsigned long long)copies,
		      page.n, (unsigned long long)page.total,
		      (unsigned long long)(page.n ? page.similar[0] : 0));
		fouille_index_close(idx);
		/* the first written go: those with a signature term, and the marks */
		for (unsigned c = 0; round == 0 && c < MANY - 40; c++) {
			snprintf(path, sizeof path, "%s/m%04u.txt", folder, c);
			CHECK(unlink(path) == 0, "remove %s", path);
		}
	}
}

static void compare_all(const char *dir)
{
	fouille_index *idx = open_index(dir);
	if (!idx)
		return;
	const fouille_sort sorts[] = {FOUILLE_SORT_RELEVANCE, FOUILLE_SORT_DATE_ASC,
				      FOUILLE_SORT_DATE_DESC};
	for (size_t k = 0; k < sizeof sorts / sizeof *sorts; k++) {
		compare(idx, "orage", sorts[k]);
		compare(idx, "orage tempête", sorts[k]);
		compare(idx, "tempête", sorts[k]);
	}
	fouille_index_close(idx);
}

int main(void)
{
	char root[] = "/tmp/fouille-collapse-XXXXXX";
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	char folder[64], dir[80], name[16];
	snprintf(folder, sizeof folder, "%s/news", root);
	snprintf(dir, sizeof dir, "%s/.fouille", folder);
	make_dir(folder);
	unsigned day = 1;
	for (unsigned g = 0; g < GROUPS; g++) {
		/* 2 to 4 copies, "orage" a different number of times in each; "tempête" in
		   some copies only, so that a copy may share its story with one that does
		   not match */
		for (unsigned c = 0; c < 2 + g % 3; c++) {
			snprintf(name, sizeof name, "g%u-%u", g, c);
			write_article(folder, name, g, 1 + (g * 3 + c * 5) % 7, (g + c) % 2, day);
			day = day % 28 + 1 + (g * 13 + c) % 3;
		}
	}
	for (unsigned s = 0; s < SINGLES; s++) {
		snprintf(name, sizeof name, "s%u", s);
		write_article(folder, name, GROUPS + 1 + s, 1 + (s * 4) % 7, s % 3 == 0, day);
		day = day % 28 + 1;
	}
	/* a story ten times over, at the top of `orage`: the first search of a page finds
	   too few other articles and asks for more */
	for (unsigned c = 0; c < 10; c++) {
		snprintf(name, sizeof name, "g%u-%u", GROUPS + 1, c);
		write_article_with(folder, name, GROUPS, 8 + c % 2, 0, 1 + c, " Dans la brume.");
	}
	/* over 100 matches of `brume`, near-duplicates among them: a count past the first
	   hundred, folded */
	for (unsigned b = 0; b < BRUME; b++) {
		char text[512], file[32];
		snprintf(text, sizeof text,
			 "Brume numéro %u\n\nLe phare %u disparaît dans la brume du matin, "
			 "%s et %s.\n\npar\nCamille Dubois\n3 mai 2023\n\nFin.\n",
			 b, b, vocabulary[b % 40], vocabulary[(b * 7 + 3) % 40]); /* no query word */
		snprintf(file, sizeof file, "b%u.txt", b);
		write_file_in(folder, file, text);
	}

	update_index(folder, dir);
	compare_all(dir);
	check_brume(dir, BRUME + 1);

	/* A second update: copies of stories already indexed (their signature found in the
	   index, not in this update), a story's first copy gone, another copy rewritten
	   with the same lead, a new story twice. */
	write_article(folder, "g1-7", 1, 6, 1, 9);
	write_article(folder, "g4-7", 4, 2, 0, 11);
	write_article(folder, "g5-1", 5, 3, 1, 17); /* rewritten: its own earlier version */
	char gone[96];
	snprintf(gone, sizeof gone, "%s/g2-0.txt", folder);
	CHECK(unlink(gone) == 0, "remove %s", gone);
	write_article(folder, "g9-0", GROUPS + SINGLES + 3, 4, 1, 5);
	write_article(folder, "g9-1", GROUPS + SINGLES + 3, 1, 1, 6);
	update_index(folder, dir);
	compare_all(dir);
	check_brume(dir, BRUME + 1);

	/* An index without near-duplicates: counts of plain matches */
	char other[96], other_dir[112];
	snprintf(other, sizeof other, "%s/unique", root);
	snprintf(other_dir, sizeof other_dir, "%s/.fouille", other);
	make_dir(other);
	for (unsigned k = 0; k < 5; k++) {
		snprintf(name, sizeof name, "u%u", k);
		write_article(other, name, 40 + k, 1 + k, 0, 1 + k);
	}
	update_index(other, other_dir);
	fouille_index *idx = open_index(other_dir);
	if (idx) {
		hitlist page;
		run(idx, "orage", 0, FOUILLE_SORT_RELEVANCE, 0, 2, &page);
		CHECK(page.n == 2 && page.total == 5 && page.exact, "no near-duplicates: %zu hits of %llu (exact %d)",
		      page.n, (unsigned long long)page.total, page.exact);
		fouille_index_close(idx);
	}
	check_past_fold_max(root);
	remove_tree(root);
	return check_summary();
}
