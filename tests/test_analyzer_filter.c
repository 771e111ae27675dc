/*
 * analyzer_run_filtered(): what snippets use to analyze only the words that may be query
 * terms. It must emit every token analyzer_run() emits whose term or alt the filter was
 * given, exactly as analyzer_run() does (same position, offsets, forms), and must skip
 * words that start with another ASCII character; analyzer_run_all_filtered() the same
 * with stopwords (phrases with a stopword inside). Checked over every article of
 * corpus/ and a list of words at the edges of the stemmer and of normalization.
 */
#include "check.h"
#include "indexer/analyzer.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct tok {
	char term[ANALYZER_MAX_TERM + 1];
	char alt[ANALYZER_MAX_TERM + 1];
	char word[ANALYZER_MAX_TERM + 1];
	uint32_t pos;
	size_t start, end;
	int stop;
} tok;

typedef struct toks {
	tok *v;
	size_t n, cap;
} toks;

static int collect(const analyzer_token *t, void *ud)
{
	toks *l = ud;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (!l->v)
			abort();
	}
	tok *k = &l->v[l->n++];
	snprintf(k->term, sizeof k->term, "%s", t->term);
	snprintf(k->alt, sizeof k->alt, "%s", t->alt ? t->alt : "");
	snprintf(k->word, sizeof k->word, "%s", t->word);
	k->pos = t->pos;
	k->start = t->start;
	k->end = t->end;
	k->stop = 0;
	return 0;
}

static int collect_all(const analyzer_token *t, int is_stop, void *ud)
{
	toks *l = ud;
	collect(t, ud);
	l->v[l->n - 1].stop = is_stop;
	return 0;
}

static int same(const tok *a, const tok *b)
{
	return a->pos == b->pos && a->start == b->start && a->end == b->end && a->stop == b->stop &&
	       !strcmp(a->term, b->term) && !strcmp(a->alt, b->alt) && !strcmp(a->word, b->word);
}

/* Words at the edges: plural s kept or dropped, -eaux/-aux, y/u/i the stemmer marks,
   ë/ï, é/è it unaccents, elisions, ligatures, decomposed accents, numbers. */
static const char edge_words[] =
	"ès ls ts as yeux Yves yacht eaux aux chevaux œuvre Œuvres Écoles l'été L\xe2\x80\x99" "Été "
	"qu'ils jusqu'à lorsqu'elle aujourd'hui prud'homme ïambes Noël aïeux naïve capharnaüm "
	"E\xcc\x81" "cole A\xcc\x8a" "ngstro\xcc\x88m \xef\xac\x81nance \xef\xac\x82" "eurs "
	"\xc4\xb0stanbul \xe2\x84\xaa" "elvin 1er 12 000 3,5 2023 XIIe quelques-uns États-Unis "
	"enneigement ennemis ettes ellipse eillets ioniques iraient usines uniques "
	"queue quoique yeuse yaourts hier hiers ierre ièrement ient ients "
	"dévouement dévouements éperdument séchées Établissements Ébéniste "
	"constitutionnellement abominablement assez ss s x y z";

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			char *p = realloc(buf, cap);
			if (!p)
				abort();
			buf = p;
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	*len = n;
	return buf;
}

static analyzer *an;

/* CHECK_STR on a char array: through a function, so -Waddress does not flag the NULL test */
static const char *as_str(const char *s)
{
	return s;
}
static size_t texts_checked, tokens_checked, skipped_total;

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Whether s[0..n) starts with one of the prefixes (lowercase, 1 or 2 bytes), ASCII case
   aside; or may, its first bytes not being ASCII letters. */
static int starts_with_one(const unsigned char *s, size_t n, const char *const *prefixes)
{
	for (const char *const *p = prefixes; *p; p++) {
		const unsigned char *q = (const unsigned char *)*p;
		if (!q[0] || s[0] >= 0x80)
			return 1;
		if (lower(s[0]) != q[0])
			continue;
		if (!q[1] || n < 2 || lower(s[1]) < 'a' || lower(s[1]) > 'z' || lower(s[1]) == q[1])
			return 1;
	}
	return 0;
}

/* Whether the word of `t` in `text` starts with a prefix the filter admits, or goes on
   with one after its first apostrophe (' or U+2019: an elided article, l'armée). */
static int may_start_with(const char *text, const tok *t, const char *const *prefixes)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = t->start;
	for (;;) {
		if (starts_with_one(s + i, t->end - i, prefixes))
			return 1;
		if (i != t->start)
			return 0;
		while (i < t->end && s[i] != '\'' &&
		       !(i + 2 < t->end && s[i] == 0xE2 && s[i + 1] == 0x80 && s[i + 2] == 0x99))
			i++;
		if (i >= t->end)
			return 0;
		i += s[i] == '\'' ? 1 : 3;
		if (i >= t->end)
			return 0;
	}
}

/*
 * `got` (a filtered run) against `all` (the same run unfiltered): every token emitted is
 * the unfiltered run's, in order; none is missed whose term or alt starts with an
 * admitted byte; a word left out starts with no admitted character.
 */
/* Whether a term starts with one of the prefixes. */
static int term_wanted(const char *term, const char *const *prefixes)
{
	for (const char *const *p = prefixes; *p; p++)
		if (!strncmp(term, *p, strlen(*p)))
			return 1;
	return 0;
}

static void compare(const char *name, const char *set, const char *text, const toks *all,
		    const toks *got, const char *const *admit)
{
	size_t j = 0;
	for (size_t i = 0; i < all->n; i++) {
		const tok *t = &all->v[i];
		int wanted = term_wanted(t->term, admit) || (t->alt[0] && term_wanted(t->alt, admit));
		if (j < got->n && same(&got->v[j], t)) {
			j++;
			continue;
		}
		skipped_total++;
		CHECK(!wanted, "%s [%s]: token %s|%s (word %s at %zu%s) skipped", name, set, t->term,
		      t->alt, t->word, t->start, t->stop ? ", a stopword" : "");
		CHECK(!may_start_with(text, t, admit), "%s [%s]: word %s at %zu not emitted", name,
		      set, t->word, t->start);
	}
	CHECK(j == got->n, "%s [%s]: %zu tokens emitted that the unfiltered run does not emit",
	      name, set, got->n - j);
}

static void check_text(const char *name, const char *text, size_t len)
{
	toks all = {0};
	uint32_t pos = 0;
	CHECK(analyzer_run(an, text, len, &pos, collect, &all) == 0, "%s: analyzer_run", name);
	uint32_t all_pos = pos;
	toks with_stops = {0};
	pos = 0;
	CHECK(analyzer_run_all(an, text, len, &pos, collect_all, &with_stops) == 0,
	      "%s: analyzer_run_all", name);
	CHECK(with_stops.n > all.n || all.n == 0, "%s: no stopword", name);

	/* What the filter relies on: a word starting with an ASCII character has terms
	   starting with it (lowercased); one starting with two ASCII letters, terms of two
	   characters or more starting with those two. */
	for (size_t i = 0; i < all.n; i++) {
		const tok *t = &all.v[i];
		unsigned char w = (unsigned char)t->word[0];
		if (w >= 0x80)
			continue;
		tokens_checked++;
		CHECK((unsigned char)t->term[0] == w, "%s: word %s, term %s", name, t->word, t->term);
		CHECK(!t->alt[0] || (unsigned char)t->alt[0] == w, "%s: word %s, alt %s", name,
		      t->word, t->alt);
		unsigned char w1 = (unsigned char)t->word[1];
		if (w1 < 'a' || w1 > 'z')
			continue;
		CHECK(!t->term[1] || (unsigned char)t->term[1] == w1, "%s: word %s, term %s", name,
		      t->word, t->term);
		CHECK(!t->alt[0] || !t->alt[1] || (unsigned char)t->alt[1] == w1, "%s: word %s, alt %s",
		      name, t->word, t->alt);
	}

	/* Each single first character, a query's worth of them, then two first characters
	   (space-separated prefixes). */
	static const char *const sets[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
					   "k", "l", "m", "n", "o", "p", "q", "r", "s", "t",
					   "u", "v", "w", "x", "y", "z", "0", "1", "2", "3",
					   "9", "", "r s p", "e j q", "pa", "re", "de", "qu", "ch ma tr",
					   "es en ar", "ab yo ie", "l le", "co c", "mo ai eu ui"};
	for (size_t k = 0; k < sizeof sets / sizeof *sets; k++) {
		analyzer_filter f;
		analyzer_filter_init(&f);
		char words[32];
		const char *admit[16];
		size_t na = 0;
		snprintf(words, sizeof words, "%s", sets[k]);
		if (!words[0])
			admit[na++] = "";
		for (char *save = NULL, *w = strtok_r(words, " ", &save); w && na < 15;
		     w = strtok_r(NULL, " ", &save)) {
			admit[na++] = w;
			analyzer_filter_add(&f, w);
		}
		if (!sets[k][0])
			analyzer_filter_add(&f, "");
		admit[na] = NULL;
		toks got = {0};
		pos = 0;
		CHECK(analyzer_run_filtered(an, text, len, &pos, &f, collect, &got) == 0,
		      "%s: analyzer_run_filtered", name);
		CHECK(pos == all_pos, "%s [%s]: last position %u, want %u", name, sets[k], pos, all_pos);
		compare(name, sets[k], text, &all, &got, admit);
		free(got.v);
		/* stopwords too */
		got = (toks){0};
		pos = 0;
		CHECK(analyzer_run_all_filtered(an, text, len, &pos, &f, collect_all, &got) == 0,
		      "%s: analyzer_run_all_filtered", name);
		CHECK(pos == all_pos, "%s [%s]: last position %u, want %u", name, sets[k], pos, all_pos);
		compare(name, sets[k], text, &with_stops, &got, admit);
		free(got.v);
	}
	free(all.v);
	free(with_stops.v);
	texts_checked++;
}

static void test_corpus(void)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/corpus", FOUILLE_SOURCE_DIR);
	DIR *d = opendir(dir);
	CHECK(d != NULL, "cannot open %s", dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0)
			continue;
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		size_t len;
		char *text = read_file(path, &len);
		CHECK(text != NULL, "cannot read %s", path);
		if (text)
			check_text(e->d_name, text, len);
		free(text);
	}
	closedir(d);
	CHECK(texts_checked >= 30, "only %zu articles in corpus/", texts_checked);
}

/* A snippet's filter: the terms of a query, analyzed as the query parser does. */
static int add_to_filter(const analyzer_token *t, void *ud)
{
	analyzer_filter_add(ud, t->term);
	if (t->alt)
		analyzer_filter_add(ud, t->alt);
	return 0;
}

static void test_query_filter(void)
{
	static const char q[] = "Réfugiés l'armée Œuvre";
	static const char text[] = "Les réfugiés, l’armée et l'œuvre ; des refugies, une armee, "
				   "des oeuvres, les Réfugiées, mais pas la guerre ni la paix.";
	analyzer_filter f;
	analyzer_filter_init(&f);
	uint32_t pos = 0;
	analyzer_run(an, q, strlen(q), &pos, add_to_filter, &f);
	toks got = {0};
	pos = 0;
	CHECK(analyzer_run_filtered(an, text, strlen(text), &pos, &f, collect, &got) == 0, "run");
	char seen[512] = "";
	for (size_t i = 0; i < got.n; i++) {
		strncat(seen, i ? " " : "", sizeof seen - strlen(seen) - 1);
		strncat(seen, got.v[i].term, sizeof seen - strlen(seen) - 1);
	}
	/* guerre, paix, mais, pas: skipped; positions are those of the whole run */
	CHECK_STR(as_str(seen), "refugi arme oeuvr refug arme oeuvr refugi");
	CHECK(got.n == 7 && got.v[0].pos == 2 && got.v[6].pos == 13, "%zu tokens, positions %u..%u",
	      got.n, got.n ? got.v[0].pos : 0, got.n ? got.v[got.n - 1].pos : 0);
	free(got.v);
}

/* The empty term (a prefix of every term) admits every word. */
static void test_empty_term(void)
{
	static const char text[] = "Le réseau, les paquets et l'armée.";
	analyzer_filter f;
	analyzer_filter_init(&f);
	analyzer_filter_add(&f, "x");
	analyzer_filter_add(&f, "");
	toks all = {0}, got = {0};
	uint32_t pos = 0;
	analyzer_run(an, text, strlen(text), &pos, collect, &all);
	pos = 0;
	analyzer_run_filtered(an, text, strlen(text), &pos, &f, collect, &got);
	CHECK(all.n == 3 && got.n == all.n, "%zu tokens, want %zu", got.n, all.n);
	for (size_t i = 0; i < got.n && i < all.n; i++)
		CHECK(same(&got.v[i], &all.v[i]), "token %zu: %s", i, got.v[i].term);
	free(all.v);
	free(got.v);
}

int main(void)
{
	an = analyzer_new();
	CHECK(an != NULL, "analyzer_new");
	if (!an)
		return check_summary();
	check_text("edge words", edge_words, sizeof edge_words - 1);
	test_corpus();
	test_query_filter();
	test_empty_term();
	CHECK(skipped_total > 0, "the filter never skipped a word");
	printf("%zu texts, %zu tokens checked, %zu tokens skipped by the filters\n", texts_checked,
	       tokens_checked, skipped_total);
	analyzer_free(an);
	return check_summary();
}
