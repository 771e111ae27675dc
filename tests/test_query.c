/*
 * The query parser: what a person types -> the Xapian query (checked through its
 * description), the terms to highlight, and the notice. Nothing a person types is an
 * error: odd input must still parse, quickly, into a best-effort reading.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "search/query.h"

static analyzer *an;

/* Parse `text`, describe query_build(q, any); the description is malloc'ed ("" when empty). */
static char *describe(const char *text, size_t len, int any, query **keep)
{
	query *q = NULL;
	if (query_parse(&q, an, text, len) != 0 || !q) {
		CHECK(0, "query_parse failed on \"%s\"", text);
		return strdup("(parse failed)");
	}
	xs_query *x = query_build(q, any);
	char *d = x ? xs_query_describe(x) : strdup("");
	xs_query_free(x);
	if (keep)
		*keep = q;
	else
		query_free(q);
	return d;
}

static void check_query(const char *text, const char *want)
{
	char *d = describe(text, strlen(text), 0, NULL);
	CHECK(d && strcmp(d, want) == 0, "query \"%s\":\n   got %s\n  want %s", text,
	      d ? d : "(null)", want);
	free(d);
}

/* The highlight terms as "term/word term/word". */
static void check_terms(const query *q, const char *want)
{
	char buf[1024] = "";
	size_t n;
	const query_term *t = query_terms(q, &n);
	for (size_t i = 0; i < n; i++) {
		char one[128];
		snprintf(one, sizeof one, "%s%s/%u", i ? " " : "", t[i].term, t[i].word);
		strncat(buf, one, sizeof buf - strlen(buf) - 1);
	}
	const char *got = buf;
	CHECK_STR(got, want);
}

static query *parse(const char *text)
{
	query *q = NULL;
	int rc = query_parse(&q, an, text, strlen(text));
	CHECK(rc == 0 && q, "query_parse(\"%s\") = %d", text, rc);
	return q;
}

static void test_words(void)
{
	/* A word: its forms in the body, AND_MAYBE its title forms weighted 1.5 more. */
	check_query("vols", "Query((vol@1 AND_MAYBE 1.5 * Svol@1))");
	check_query("Poutine", "Query((poutin@1 AND_MAYBE 1.5 * Spoutin@1))");
	/* Several words: all must match; the relaxed form takes any. */
	check_query("réfugiés ukrainiens",
		    "Query((((refugi@1 OR refug@1) AND_MAYBE 1.5 * (Srefugi@1 OR Srefug@1)) AND "
		    "(ukrainien@2 AND_MAYBE 1.5 * Sukrainien@2)))");
	char *d = describe("réfugiés ukrainiens", strlen("réfugiés ukrainiens"), 1, NULL);
	CHECK_STR(d, "Query((((refugi@1 OR refug@1) AND_MAYBE 1.5 * (Srefugi@1 OR Srefug@1)) OR "
		     "(ukrainien@2 AND_MAYBE 1.5 * Sukrainien@2)))");
	free(d);

	query *q = parse("réfugiés ukrainiens");
	CHECK(!query_is_empty(q), "not empty");
	CHECK(query_positive_count(q) == 2, "got %zu", query_positive_count(q));
	CHECK(query_notice(q) == NULL, "no notice, got %s", query_notice(q));
	/* term and alt of one word share its number */
	check_terms(q, "refugi/0 refug/0 ukrainien/1");
	query_free(q);

	/* The same word twice is one word for highlighting. */
	q = parse("guerre guerres");
	check_terms(q, "guerr/0");
	query_free(q);
}

static void test_accents(void)
{
	/* Typed without accents: its one form is the text's alt form (refugi|refug). */
	check_query("refugies", "Query((refug@1 AND_MAYBE 1.5 * Srefug@1))");
	check_query("securite", "Query((securit@1 AND_MAYBE 1.5 * Ssecurit@1))");
	check_query("sécurité",
		    "Query(((secur@1 OR securit@1) AND_MAYBE 1.5 * (Ssecur@1 OR Ssecurit@1)))");
	check_query("ELECTION", "Query((elect@1 AND_MAYBE 1.5 * Select@1))");
	check_query("cœur", "Query((coeur@1 AND_MAYBE 1.5 * Scoeur@1))");
}

static void test_phrases(void)
{
	/* The elided article is dropped; window = span of positions. */
	check_query("\"l'armée russe\"",
		    "Query(((arme@1 PHRASE 2 russ@2) AND_MAYBE 1.5 * (Sarme@1 PHRASE 2 Sruss@2)))");
	/* Stopwords inside keep their gaps. */
	check_query("\"ministre de la santé\"",
		    "Query(((ministr@1 PHRASE 4 sant@4) AND_MAYBE 1.5 * (Sministr@1 PHRASE 4 Ssant@4)))");
	/* Guillemets (with their no-break spaces) and curly quotes delimit phrases too. */
	check_query("«\xc2\xa0" "armée russe\xc2\xa0»",
		    "Query(((arme@1 PHRASE 2 russ@2) AND_MAYBE 1.5 * (Sarme@1 PHRASE 2 Sruss@2)))");
	check_query("“armée russe”",
		    "Query(((arme@1 PHRASE 2 russ@2) AND_MAYBE 1.5 * (Sarme@1 PHRASE 2 Sruss@2)))");
	/* A phrase of one word is that word. */
	check_query("« guerre »", "Query((guerr@1 AND_MAYBE 1.5 * Sguerr@1))");
	check_query("\"la guerre\"", "Query((guerr@2 AND_MAYBE 1.5 * Sguerr@2))");

	/* Phrase words are words of their own for highlighting. */
	query *q = parse("\"l'armée russe\" Kharkiv");
	check_terms(q, "arme/0 russ/1 kharkiv/2");
	CHECK(query_positive_count(q) == 2, "got %zu", query_positive_count(q));
	query_free(q);
}

static void test_split_words(void)
{
	/* A word the analyzer splits is a phrase of its parts. */
	check_query("peut-être",
		    "Query(((peut@1 PHRASE 2 etre@2) AND_MAYBE 1.5 * (Speut@1 PHRASE 2 Setre@2)))");
	check_query("États-Unis",
		    "Query(((etat@1 PHRASE 2 unis@2) AND_MAYBE 1.5 * (Setat@1 PHRASE 2 Sunis@2)))");
	/* Elision: one word, either apostrophe. */
	check_query("l'armée", "Query((arme@1 AND_MAYBE 1.5 * Sarme@1))");
	check_query("l’armée", "Query((arme@1 AND_MAYBE 1.5 * Sarme@1))");
	check_query("aujourd’hui", "Query((aujourd'hui@1 AND_MAYBE 1.5 * Saujourd'hui@1))");
}

static void test_exclusion(void)
{
	check_query("vols -grève", "Query(((vol@1 AND_MAYBE 1.5 * Svol@1) AND_NOT grev@2))");
	query *q = parse("vols -grève");
	CHECK(query_positive_count(q) == 1, "one positive, got %zu", query_positive_count(q));
	check_terms(q, "vol/0"); /* excluded words are not highlighted */
	query_free(q);

	/* An excluded phrase needs no title weighting. */
	check_query("guerre -\"armée russe\"",
		    "Query(((guerr@1 AND_MAYBE 1.5 * Sguerr@1) AND_NOT (arme@2 PHRASE 2 russ@3)))");

	/* Only exclusions: nothing to search, and no notice (the caller says so). */
	q = parse("-grève -\"armée russe\"");
	CHECK(query_is_empty(q), "only exclusions is empty");
	CHECK(query_positive_count(q) == 0, "got %zu", query_positive_count(q));
	CHECK(query_build(q, 0) == NULL, "no query");
	CHECK(query_notice(q) == NULL, "got %s", query_notice(q));
	query_free(q);

	/* A lone - is a dash, not an exclusion; a hyphen inside a word is a hyphen. */
	check_query("guerre - paix",
		    "Query(((guerr@1 AND_MAYBE 1.5 * Sguerr@1) AND (paix@2 AND_MAYBE 1.5 * Spaix@2)))");
	q = parse("-");
	CHECK(query_is_empty(q), "lone - is empty");
	query_free(q);
}

static void test_or_and_groups(void)
{
	check_query("guerre OR paix",
		    "Query(((guerr@1 AND_MAYBE 1.5 * Sguerr@1) OR (paix@2 AND_MAYBE 1.5 * Spaix@2)))");
	/* lowercase `or` is a French word (gold), and `ou` a stopword */
	check_query("guerre or paix",
		    "Query(((guerr@1 AND_MAYBE 1.5 * Sguerr@1) AND (or@2 AND_MAYBE 1.5 * Sor@2) AND "
		    "(paix@3 AND_MAYBE 1.5 * Spaix@3)))");
	check_query("guerre OU paix",
		    "Query(((guerr@1 AND_MAYBE 1.5 * Sguerr@1) OR (paix@2 AND_MAYBE 1.5 * Spaix@2)))");
	check_query("guerre AND paix",
		    "Query(((guerr@1 AND_MAYBE 1.5 * Sguerr@1) AND (paix@2 AND_MAYBE 1.5 * Spaix@2)))");
	check_query("(guerre OR paix) Ukraine",
		    "Query((((guerr@1 AND_MAYBE 1.5 * Sguerr@1) OR (paix@2 AND_MAYBE 1.5 * Spaix@2)) "
		    "AND (ukrain@3 AND_MAYBE 1.5 * Sukrain@3)))");
	check_query("Ukraine -(guerre OR paix)",
		    "Query(((ukrain@1 AND_MAYBE 1.5 * Sukrain@1) AND_NOT (guerr@2 OR paix@3)))");
	query *q = parse("(guerre OR paix) Ukraine");
	CHECK(query_positive_count(q) == 2, "got %zu", query_positive_count(q));
	check_terms(q, "guerr/0 paix/1 ukrain/2");
	query_free(q);

	/* Unbalanced parentheses: closed at the end, or ignored. */
	q = parse("(guerre paix");
	CHECK(!query_is_empty(q), "parses");
	CHECK_STR(query_notice(q), "unbalanced parenthesis closed at the end");
	query_free(q);
	q = parse("guerre) paix");
	CHECK(query_positive_count(q) == 2, "got %zu", query_positive_count(q));
	CHECK_STR(query_notice(q), "ignored an unmatched closing parenthesis");
	query_free(q);
	/* A dangling OR joins nothing. */
	check_query("OR guerre OR", "Query((guerr@1 AND_MAYBE 1.5 * Sguerr@1))");
}

static void test_odd_input(void)
{
	query *q = parse("le la les");
	CHECK(query_is_empty(q), "only stopwords is empty");
	CHECK_STR(query_notice(q), "ignored common words: le, la, les");
	query_free(q);

	q = parse("le monde de la guerre");
	CHECK(query_positive_count(q) == 2, "got %zu", query_positive_count(q));
	CHECK_STR(query_notice(q), "ignored common words: le, de, la");
	query_free(q);

	q = parse("?!;");
	CHECK(query_is_empty(q), "only punctuation is empty");
	CHECK(query_notice(q) == NULL, "got %s", query_notice(q));
	query_free(q);

	q = parse("");
	CHECK(query_is_empty(q), "empty string");
	query_free(q);
	q = NULL;
	CHECK(query_parse(&q, an, NULL, 0) == 0 && query_is_empty(q), "NULL text");
	query_free(q);

	/* Unbalanced quote: the phrase runs to the end. */
	check_query("\"ministre de la santé",
		    "Query(((ministr@1 PHRASE 4 sant@4) AND_MAYBE 1.5 * (Sministr@1 PHRASE 4 Ssant@4)))");
	q = parse("guerre \"armée russe");
	CHECK_STR(query_notice(q), "unbalanced quote closed at the end");
	query_free(q);
	q = parse("\"le\" la");
	CHECK(query_is_empty(q), "stopword phrase");
	CHECK_STR(query_notice(q), "ignored common words: le, la");
	query_free(q);

	/* Emoji and stray punctuation are separators. */
	check_query("🇫🇷 guerre 😀 !!", "Query((guerr@1 AND_MAYBE 1.5 * Sguerr@1))");
	check_query("guerre», ...paix?",
		    "Query(((guerr@1 AND_MAYBE 1.5 * Sguerr@1) AND (paix@2 AND_MAYBE 1.5 * Spaix@2)))");

	/* Invalid UTF-8 never reaches a term: the analyzer splits there, so a Latin-1
	   `guérre` becomes the phrase of its two halves, the closest reading left. */
	const char bad[] = "caf\xff\xfe\xc3 gu\xe9rre \xf0\x9f";
	char *d = describe(bad, sizeof bad - 1, 0, NULL);
	CHECK_STR(d, "Query(((caf@1 AND_MAYBE 1.5 * Scaf@1) AND ((gu@2 PHRASE 2 rre@3) "
		     "AND_MAYBE 1.5 * (Sgu@2 PHRASE 2 Srre@3))))");
	free(d);
	/* an embedded NUL is just another separator */
	const char nul[] = "guerre\0paix";
	d = describe(nul, sizeof nul - 1, 0, NULL);
	CHECK_STR(d, "Query(((guerr@1 AND_MAYBE 1.5 * Sguerr@1) AND (paix@2 AND_MAYBE 1.5 * Spaix@2)))");
	free(d);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_long_input(void)
{
	/* 10,000 characters of words: bounded, with a notice. */
	size_t n = 10000;
	char *s = malloc(n + 1);
	const char *words[] = {"guerre ", "paix ", "réfugiés ", "-grève ", "\"armée ", "(Kharkiv ", "OR "};
	size_t k = 0, w = 0;
	while (k < n) {
		const char *x = words[w++ % (sizeof words / sizeof *words)];
		size_t l = strlen(x);
		if (k + l > n)
			l = n - k;
		memcpy(s + k, x, l);
		k += l;
	}
	s[n] = '\0';
	double t0 = now();
	query *q = NULL;
	CHECK(query_parse(&q, an, s, n) == 0, "long query parses");
	xs_query *x = query_build(q, 0);
	CHECK(x != NULL, "long query builds");
	xs_query_free(x);
	CHECK(query_notice(q) && strstr(query_notice(q), "query too long"), "got %s",
	      query_notice(q));
	size_t nt;
	query_terms(q, &nt);
	CHECK(nt <= 2 * 64, "terms bounded: %zu", nt);
	query_free(q);

	/* One 10,000-character word, 10,000 parentheses, 10,000 quotes, 10,000 dashes. */
	const char fill[] = {'a', '(', '"', '-', ')'};
	for (size_t f = 0; f < sizeof fill; f++) {
		memset(s, fill[f], n);
		q = NULL;
		CHECK(query_parse(&q, an, s, n) == 0, "fill %c parses", fill[f]);
		x = query_build(q, 1);
		xs_query_free(x);
		query_free(q);
	}
	/* 10,000 bytes of multibyte and invalid characters. */
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(0x80 + (i * 37) % 128);
	q = NULL;
	CHECK(query_parse(&q, an, s, n) == 0, "garbage parses");
	query_free(q);
	double dt = now() - t0;
	CHECK(dt < 2.0, "long queries took %.2f s", dt);
	free(s);
}

int main(void)
{
	an = analyzer_new();
	if (!an) {
		fprintf(stderr, "analyzer_new failed\n");
		return 1;
	}
	test_words();
	test_accents();
	test_phrases();
	test_split_words();
	test_exclusion();
	test_or_and_groups();
	test_odd_input();
	test_long_input();
	analyzer_free(an);
	return check_summary();
}
