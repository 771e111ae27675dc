/*
 * The query parser: what a person types -> the Xapian query (checked through its
 * description), the terms to highlight, and the notice. Nothing a person types is an
 * error: odd input must still parse, quickly, into a best-effort reading. Then the
 * ranking (search/ranking.h) on a small index written here: title > lead > body,
 * exact accents first, close words first; and every construct run for real.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "fouille.h"
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

static void check_query_any(const char *text, const char *want)
{
	char *d = describe(text, strlen(text), 1, NULL);
	CHECK(d && strcmp(d, want) == 0, "relaxed query \"%s\":\n   got %s\n  want %s", text,
	      d ? d : "(null)", want);
	free(d);
}

/* ---- expected descriptions, spelled the way query.c builds them ------------------- */

/* printf into a ring of buffers: a few results may be alive at once. */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
	static char ring[48][2048];
	static unsigned next;
	char *p = ring[next++ % 48];
	va_list ap;
	va_start(ap, f);
	vsnprintf(p, sizeof ring[0], f, ap);
	va_end(ap);
	return p;
}

/* One word's forms in one prefix space: "Xt@p" or "(Xt@p OR Xa@p)". */
static const char *forms(const char *x, const char *t, const char *alt, unsigned pos)
{
	if (!alt)
		return fmt("%s%s@%u", x, t, pos);
	return fmt("(%s%s@%u OR %s%s@%u)", x, t, pos, x, alt, pos);
}

/*
 * A positive word (ranking.h): body forms AND_MAYBE 1.5 * title forms (title weight
 * 2.5 - 1) AND_MAYBE 0.5 * lead forms (lead weight 1.5 - 1) AND_MAYBE, when typed with
 * accents, 0.25 * its exact spelling.
 */
static const char *W(const char *t, const char *alt, const char *exact, unsigned pos)
{
	const char *e = exact ? fmt(" AND_MAYBE 0.25 * E%s@%u", exact, pos) : "";
	return fmt("(%s AND_MAYBE 1.5 * %s AND_MAYBE 0.5 * %s%s)", forms("", t, alt, pos),
		   forms("S", t, alt, pos), forms("L", t, alt, pos), e);
}

/* A plain word with one form and no accent. */
static const char *W1(const char *t, unsigned pos)
{
	return W(t, NULL, NULL, pos);
}

/* The proximity bonus of two one-form words: NEAR 8, and PHRASE over their span. */
static const char *BONUS2(const char *a, unsigned pa, const char *b, unsigned pb)
{
	return fmt(" AND_MAYBE 0.5 * (%s@%u NEAR 8 %s@%u) AND_MAYBE 0.5 * (%s@%u PHRASE %u %s@%u)",
		   a, pa, b, pb, a, pa, pb - pa + 1, b, pb);
}

/* The highlight terms as "term/word term/word". */
static void check_terms(const query *q, const char *want)
{
	char buf[1024] = "";
	size_t n;
	const query_term *t = query_terms(q, &n);
	for (size_t i = 0; i < n; i++) {
		char one[128];
		snprintf(one, sizeof one, "%s%s%s/%u", i ? " " : "", t[i].term, t[i].prefix ? "*" : "",
			 t[i].word);
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

/* The phrases of `text` as "w w|w w": a word as term or term/alt, a stopword in
   parentheses, a position without term as "_". */
static void check_phrases(const char *text, const char *want)
{
	char buf[1024] = "";
	query *q = parse(text);
	size_t n;
	const query_phrase *p = query_phrases(q, &n);
	for (size_t i = 0; i < n; i++) {
		CHECK(p[i].nwords >= 2, "phrase %zu of %s: %zu words", i, text, p[i].nwords);
		for (size_t k = 0; k < p[i].nwords; k++) {
			const query_phrase_word *w = &p[i].words[k];
			char one[160];
			snprintf(one, sizeof one, "%s%s%s%s%s%s%s", k ? " " : i ? "|" : "",
				 w->stop ? "(" : "", w->term ? w->term : "_", w->alt ? "/" : "",
				 w->alt ? w->alt : "", w->stop ? ")" : "", "");
			strncat(buf, one, sizeof buf - strlen(buf) - 1);
		}
	}
	const char *got = buf;
	CHECK(!strcmp(got, want), "phrases of %s: \"%s\", want \"%s\"", text, got, want);
	query_free(q);
}

/* The notice of `text` (NULL for none). */
static void check_notice(const char *text, const char *want)
{
	query *q = parse(text);
	const char *got = query_notice(q);
	if (!want)
		CHECK(got == NULL, "query \"%s\": no notice, got \"%s\"", text, got);
	else
		CHECK(got && strcmp(got, want) == 0, "query \"%s\": notice \"%s\", want \"%s\"", text,
		      got ? got : "(null)", want);
	query_free(q);
}

static void test_words(void)
{
	/* A word: its forms in the body, AND_MAYBE its title and lead forms. */
	check_query("vols", "Query((vol@1 AND_MAYBE 1.5 * Svol@1 AND_MAYBE 0.5 * Lvol@1))");
	check_query("Poutine", fmt("Query(%s)", W1("poutin", 1)));
	/* Several words: all must match, with the proximity bonus; relaxed, any of them. */
	const char *refugies = W("refugi", "refug", "réfugié", 1);
	const char *bonus = " AND_MAYBE 0.5 * ((refugi@1 OR refug@1) NEAR 8 ukrainien@2) AND_MAYBE "
			    "0.5 * ((refugi@1 OR refug@1) PHRASE 2 ukrainien@2)";
	check_query("réfugiés ukrainiens",
		    fmt("Query(((%s AND %s)%s))", refugies, W1("ukrainien", 2), bonus));
	check_query_any("réfugiés ukrainiens",
			fmt("Query(((%s OR %s)%s))", refugies, W1("ukrainien", 2), bonus));

	query *q = parse("réfugiés ukrainiens");
	CHECK(!query_is_empty(q), "not empty");
	CHECK(query_positive_count(q) == 2, "got %zu", query_positive_count(q));
	CHECK(query_notice(q) == NULL, "no notice, got %s", query_notice(q));
	/* term and alt of one word share its number */
	check_terms(q, "refugi/0 refug/0 ukrainien/1");
	query_free(q);

	/* The same word twice is one word for highlighting, and for the bonus. */
	q = parse("guerre guerres");
	check_terms(q, "guerr/0");
	query_free(q);
	check_query("guerre guerres", fmt("Query((%s AND %s))", W1("guerr", 1), W1("guerr", 2)));
}

static void test_accents(void)
{
	/* Typed without accents: its one form is the text's alt form (refugi|refug), and
	   no exact form; with accents, the exact spelling (one plural s off) adds weight. */
	check_query("refugies", fmt("Query(%s)", W1("refug", 1)));
	check_query("securite", fmt("Query(%s)", W1("securit", 1)));
	check_query("sécurité", fmt("Query(%s)", W("secur", "securit", "sécurité", 1)));
	check_query("ELECTION", fmt("Query(%s)", W1("elect", 1)));
	check_query("cœur", fmt("Query(%s)", W1("coeur", 1))); /* oe: ASCII once normalized */
	check_query("pâté", fmt("Query(%s)", W("pat", NULL, "pâté", 1)));
	check_query("pâtés", fmt("Query(%s)", W("pat", NULL, "pâté", 1)));
	check_query("pâte", fmt("Query(%s)", W("pat", NULL, "pâte", 1)));
	check_query("pate", fmt("Query(%s)", W1("pat", 1)));
}

static void test_phrases(void)
{
	/* The elided article is dropped; window = span of positions; the lead has no
	   positions, so a phrase's lead form is its words. */
	const char *armee_russe =
		"Query(((arme@1 PHRASE 2 russ@2) AND_MAYBE 1.5 * (Sarme@1 PHRASE 2 Sruss@2) AND_MAYBE "
		"0.5 * (Larme@1 AND Lruss@2) AND_MAYBE 0.25 * Earmée@1))";
	check_query("\"l'armée russe\"", armee_russe);
	/* Stopwords inside keep their gaps. */
	const char *ministre =
		"Query(((ministr@1 PHRASE 4 sant@4) AND_MAYBE 1.5 * (Sministr@1 PHRASE 4 Ssant@4) "
		"AND_MAYBE 0.5 * (Lministr@1 AND Lsant@4) AND_MAYBE 0.25 * Esanté@4))";
	check_query("\"ministre de la santé\"", ministre);
	/* Guillemets (with their no-break spaces) and curly quotes delimit phrases too. */
	check_query("«\xc2\xa0" "armée russe\xc2\xa0»", armee_russe);
	check_query("“armée russe”", armee_russe);
	/* A phrase of one word is that word. */
	check_query("« guerre »", fmt("Query(%s)", W1("guerr", 1)));
	check_query("\"la guerre\"", fmt("Query(%s)", W1("guerr", 2)));

	/* Phrase words are words of their own for highlighting. */
	query *q = parse("\"l'armée russe\" Kharkiv");
	check_terms(q, "arme/0 russ/1 kharkiv/2");
	CHECK(query_positive_count(q) == 2, "got %zu", query_positive_count(q));
	query_free(q);

	/* Unbalanced quote: the phrase runs to the end. */
	check_query("\"ministre de la santé", ministre);
}

static void test_split_words(void)
{
	/* A word the analyzer splits is a phrase of its parts. */
	check_query("peut-être",
		    "Query(((peut@1 PHRASE 2 etre@2) AND_MAYBE 1.5 * (Speut@1 PHRASE 2 Setre@2) "
		    "AND_MAYBE 0.5 * (Lpeut@1 AND Letre@2) AND_MAYBE 0.25 * Eêtre@2))");
	check_query("États-Unis",
		    "Query(((etat@1 PHRASE 2 unis@2) AND_MAYBE 1.5 * (Setat@1 PHRASE 2 Sunis@2) "
		    "AND_MAYBE 0.5 * (Letat@1 AND Lunis@2) AND_MAYBE 0.25 * Eétat@1))");
	/* Elision: one word, either apostrophe. */
	check_query("l'armée", fmt("Query(%s)", W("arme", NULL, "armée", 1)));
	check_query("l’armée", fmt("Query(%s)", W("arme", NULL, "armée", 1)));
	check_query("aujourd’hui", fmt("Query(%s)", W1("aujourd'hui", 1)));
	/* c'est-à-dire: the elided c' and the stopword à go, the rest is a phrase. */
	check_query("c'est-à-dire",
		    "Query(((est@1 PHRASE 3 dir@3) AND_MAYBE 1.5 * (Sest@1 PHRASE 3 Sdir@3) "
		    "AND_MAYBE 0.5 * (Lest@1 AND Ldir@3)))");
}

static void test_exclusion(void)
{
	check_query("vols -grève", fmt("Query((%s AND_NOT grev@2))", W1("vol", 1)));
	query *q = parse("vols -grève");
	CHECK(query_positive_count(q) == 1, "one positive, got %zu", query_positive_count(q));
	check_terms(q, "vol/0"); /* excluded words are not highlighted */
	query_free(q);

	/* An excluded phrase needs no weighting. */
	check_query("guerre -\"armée russe\"",
		    fmt("Query((%s AND_NOT (arme@2 PHRASE 2 russ@3)))", W1("guerr", 1)));

	/* NOT and SAUF (uppercase) exclude the next item, like -; NOT NOT is still NOT. */
	check_query("vols NOT grève", fmt("Query((%s AND_NOT grev@2))", W1("vol", 1)));
	check_query("vols SAUF grève", fmt("Query((%s AND_NOT grev@2))", W1("vol", 1)));
	check_query("NOT NOT grève vols", fmt("Query((%s AND_NOT grev@1))", W1("vol", 2)));
	check_query("vols NOT (grève OR retard)",
		    fmt("Query((%s AND_NOT (grev@2 OR retard@3)))", W1("vol", 1)));
	check_query("vols NOT \"armée russe\"",
		    fmt("Query((%s AND_NOT (arme@2 PHRASE 2 russ@3)))", W1("vol", 1)));
	/* lowercase not is a word */
	check_query("not", fmt("Query(%s)", W1("not", 1)));
	check_notice("vols NOT", "ignored NOT with nothing after it");
	check_query("vols NOT", fmt("Query(%s)", W1("vol", 1)));
	q = parse("NOT");
	CHECK(query_is_empty(q), "a lone NOT is empty");
	query_free(q);
	check_notice("vols OR NOT grève", "ignored a group with only excluded words");

	/* Only exclusions: nothing to search, and no notice (the caller says so). */
	q = parse("-grève -\"armée russe\"");
	CHECK(query_is_empty(q), "only exclusions is empty");
	CHECK(query_positive_count(q) == 0, "got %zu", query_positive_count(q));
	CHECK(query_build(q, 0) == NULL, "no query");
	CHECK(query_notice(q) == NULL, "got %s", query_notice(q));
	query_free(q);
	q = parse("NOT grève");
	CHECK(query_is_empty(q), "only NOT is empty");
	query_free(q);

	/* A lone - is a dash, not an exclusion; a hyphen inside a word is a hyphen. */
	check_query("guerre - paix", fmt("Query(((%s AND %s)%s))", W1("guerr", 1), W1("paix", 2),
					 BONUS2("guerr", 1, "paix", 2)));
	q = parse("-");
	CHECK(query_is_empty(q), "lone - is empty");
	query_free(q);
}

static void test_or_and_groups(void)
{
	const char *guerre = W1("guerr", 1), *paix = W1("paix", 2);
	check_query("guerre OR paix", fmt("Query((%s OR %s))", guerre, paix));
	/* lowercase `or` is a French word (gold), and `ou` a stopword */
	check_query("guerre or paix",
		    fmt("Query(((%s AND %s AND %s) AND_MAYBE 0.5 * (guerr@1 NEAR 9 or@2 NEAR 9 paix@3) "
			"AND_MAYBE 0.5 * (guerr@1 PHRASE 3 or@2 PHRASE 3 paix@3)))",
			guerre, W1("or", 2), W1("paix", 3)));
	check_query("guerre OU paix", fmt("Query((%s OR %s))", guerre, paix));
	check_query("guerre AND paix",
		    fmt("Query(((%s AND %s)%s))", guerre, paix, BONUS2("guerr", 1, "paix", 2)));
	check_query("guerre ET paix",
		    fmt("Query(((%s AND %s)%s))", guerre, paix, BONUS2("guerr", 1, "paix", 2)));
	/* a group is not a plain word: no proximity bonus over it */
	check_query("(guerre OR paix) Ukraine",
		    fmt("Query(((%s OR %s) AND %s))", guerre, paix, W1("ukrain", 3)));
	check_query("Ukraine -(guerre OR paix)",
		    fmt("Query((%s AND_NOT (guerr@2 OR paix@3)))", W1("ukrain", 1)));
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
	check_query("OR guerre OR", fmt("Query(%s)", guerre));
}

static void test_fields(void)
{
	/* title: matches the S form only, weighted as a title match. */
	check_query("title:guerre", "Query(2.5 * Sguerr@1)");
	check_query("titre:guerre", "Query(2.5 * Sguerr@1)");
	check_query("Titre:Guerre", "Query(2.5 * Sguerr@1)");
	check_query("title:\"armée russe\"",
		    "Query((2.5 * (Sarme@1 PHRASE 2 Sruss@2) AND_MAYBE 0.25 * Earmée@1))");
	check_query("title: guerre", "Query(2.5 * Sguerr@1)"); /* a space after the colon */
	check_query("titre:(guerre OR paix) -title:froide",
		    "Query(((2.5 * Sguerr@1 OR 2.5 * Spaix@2) AND_NOT Sfroid@3))");
	check_query("vols title:grève",
		    fmt("Query((%s AND (2.5 * Sgrev@2 AND_MAYBE 0.25 * Egrève@2)))", W1("vol", 1)));
	query *q = parse("title:guerre");
	check_terms(q, "guerr/0"); /* still highlighted where the text has it */
	query_free(q);

	/* author: folded tokens, all of them, as the index splits them; no weight. */
	check_query("author:Dupont", "Query(0 * Adupont)");
	check_query("auteur:\"Jean-Pierre Dupont\"", "Query(0 * (Ajean AND Apierre AND Adupont))");
	check_query("author:\"Hélène Le Gall\"", "Query(0 * (Ahelene AND Ale AND Agall))");
	check_query("author:dup*", "Query(0 * WILDCARD SYNONYM Adup)");
	check_query("guerre author:Dupont",
		    fmt("Query((%s AND 0 * Adupont))", W1("guerr", 1)));
	check_query("guerre -author:Dupont", fmt("Query((%s AND_NOT Adupont))", W1("guerr", 1)));
	q = parse("author:Dupont");
	CHECK(!query_is_empty(q), "a filter alone is a query");
	CHECK(query_positive_count(q) == 0, "a filter is not relaxed: %zu", query_positive_count(q));
	check_terms(q, "");
	query_free(q);
	/* Filters stay required when the words are relaxed to OR. */
	q = parse("guerre paix author:Dupont");
	CHECK(query_positive_count(q) == 2, "got %zu", query_positive_count(q));
	query_free(q);
	check_query_any("guerre paix author:Dupont",
			fmt("Query((((%s OR %s) AND 0 * Adupont)%s))", W1("guerr", 1), W1("paix", 2),
			    BONUS2("guerr", 1, "paix", 2)));

	/* A field with nothing after it, or before a group it does not take. */
	check_notice("guerre title:", "ignored title: with nothing after it");
	check_notice("author: guerre", NULL); /* author applies across the space */
	check_query("author: guerre", "Query(0 * Aguerre)");
	check_notice("author:(x y)",
		     "ignored common words: y; author: applies to one word or a \"quoted phrase\", "
		     "not to a group: ignored");
	check_notice("author:\"-.\"", "could not read the author '-.'");
	check_notice("title:author:Dupont", "ignored title: with nothing after it");
	/* not a field: an ordinary word with a colon */
	check_query("http://exemple", "Query(((http@1 PHRASE 2 exempl@2) AND_MAYBE 1.5 * "
				      "(Shttp@1 PHRASE 2 Sexempl@2) AND_MAYBE 0.5 * (Lhttp@1 AND Lexempl@2)))");
}

static void test_dates(void)
{
	/* A year: its Y term. */
	check_query("date:2023", "Query(0 * Y2023)");
	/* A month, a day, in either order. */
	check_query("date:2023-04", "Query(VALUE_RANGE 0 20230401 20230430)");
	check_query("date:2024-02", "Query(VALUE_RANGE 0 20240201 20240229)"); /* leap year */
	check_query("date:2023-02", "Query(VALUE_RANGE 0 20230201 20230228)");
	check_query("date:2023-04-12", "Query(VALUE_RANGE 0 20230412 20230412)");
	check_query("date:12/04/2023", "Query(VALUE_RANGE 0 20230412 20230412)");
	check_query("date:04/2023", "Query(VALUE_RANGE 0 20230401 20230430)");
	check_query("date:2023/4/5", "Query(VALUE_RANGE 0 20230405 20230405)");
	/* Ranges: a month range ends at the month's last day; open ends. */
	check_query("date:2023-01..2023-06", "Query(VALUE_RANGE 0 20230101 20230630)");
	check_query("date:2023-01-15..2023-03", "Query(VALUE_RANGE 0 20230115 20230331)");
	check_query("date:2022..2023", "Query(VALUE_RANGE 0 20220101 20231231)");
	check_query("date:..2023", "Query(VALUE_LE 0 20231231)");
	check_query("date:2024..", "Query(VALUE_GE 0 20240101)");
	check_query("date:\"2023-01 .. 2023-02\"", "Query(VALUE_RANGE 0 20230101 20230228)");
	/* Comparisons. */
	check_query("date:>=2024-03-01", "Query(VALUE_GE 0 20240301)");
	check_query("date:>2023", "Query(VALUE_GE 0 20240101)");
	check_query("date:>2023-02", "Query(VALUE_GE 0 20230301)");
	check_query("date:>2023-12-31", "Query(VALUE_GE 0 20240101)");
	check_query("date:<2023", "Query(VALUE_LE 0 20221231)");
	check_query("date:<2023-03-01", "Query(VALUE_LE 0 20230228)");
	check_query("date:<=2024-02", "Query(VALUE_LE 0 20240229)");
	check_query("date:<=2023", "Query(VALUE_LE 0 20231231)");
	/* With words; excluded; reversed ends are swapped, with a notice. */
	check_query("guerre date:2023", fmt("Query((%s AND 0 * Y2023))", W1("guerr", 1)));
	check_query("guerre -date:2023", fmt("Query((%s AND_NOT Y2023))", W1("guerr", 1)));
	check_query("date:2024..2023", "Query(VALUE_RANGE 0 20230101 20241231)");
	check_notice("date:2024..2023", "swapped the ends of the date range '2024..2023'");
	check_notice("date:2023-01..2023-06", NULL);

	/* Not a date: read as words, with a notice. */
	check_query("date:hier", fmt("Query(%s)", W1("hi", 1)));
	check_notice("date:hier", "could not read the date 'hier'");
	const char *bad[] = {"date:2023-13", "date:2023-02-30", "date:2023-04-31", "date:23",
			     "date:2023-", "date:..", "date:2023...2024", "date:>=", "date:12345",
			     "date:2023-01-01-01", "date:0000"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		query *q = parse(bad[i]);
		const char *n = query_notice(q);
		CHECK(n && strstr(n, "could not read the date '"), "%s: notice %s", bad[i], n ? n : "(none)");
		query_free(q);
	}
	check_notice("date:2023-02-29", "could not read the date '2023-02-29'");
	check_notice("date:2024-02-29", NULL);
	check_notice("date:", "ignored date: with nothing after it");
	/* a long value is cut in the notice, which stays valid UTF-8 */
	check_notice("date:éééééééééééééééééééééééééééé",
		     "could not read the date 'éééééééééééééééééééé…'");
}

static void test_prefix(void)
{
	/* The folded prefix as typed, over body and title terms; `guer` itself stems to
	   `gu`, which the prefix does not cover: kept as the word's own form. */
	check_query("guer*", "Query(((WILDCARD SYNONYM guer OR gu@1) AND_MAYBE 1.5 * "
			     "(WILDCARD SYNONYM Sguer OR Sgu@1)))");
	check_query("Élec*", "Query((WILDCARD SYNONYM elec AND_MAYBE 1.5 * WILDCARD SYNONYM Selec))");
	/* A whole word with a star also finds the word itself (its stem is shorter). */
	check_query("guerre*", "Query(((WILDCARD SYNONYM guerre OR guerr@1) AND_MAYBE 1.5 * "
			       "(WILDCARD SYNONYM Sguerre OR Sguerr@1)))");
	check_query("title:guer*", "Query(2.5 * (WILDCARD SYNONYM Sguer OR Sgu@1))");
	/* An elided article before a prefix goes silently; other pieces are words. */
	check_query("l'arm*", "Query((WILDCARD SYNONYM arm AND_MAYBE 1.5 * WILDCARD SYNONYM Sarm))");
	check_notice("l'arm*", NULL);
	check_query("l’arm*", "Query((WILDCARD SYNONYM arm AND_MAYBE 1.5 * WILDCARD SYNONYM Sarm))");
	check_query("états-un*",
		    fmt("Query((%s AND (WILDCARD SYNONYM un AND_MAYBE 1.5 * WILDCARD SYNONYM Sun)))",
			W("etat", NULL, "état", 1)));
	check_query("vols -guer*", fmt("Query((%s AND_NOT (WILDCARD SYNONYM guer OR gu@2)))",
					W1("vol", 1)));
	/* Stars alone are punctuation; a star inside a word is a separator. */
	query *q = parse("* **");
	CHECK(query_is_empty(q), "stars alone");
	CHECK(query_notice(q) == NULL, "no notice, got %s", query_notice(q));
	query_free(q);
	check_query("gu*rre", "Query(((gu@1 PHRASE 2 rre@2) AND_MAYBE 1.5 * (Sgu@1 PHRASE 2 Srre@2) "
			      "AND_MAYBE 0.5 * (Lgu@1 AND Lrre@2)))");
	/* A prefix is not a plain word: no proximity bonus with it. */
	check_query("vols guer*", fmt("Query((%s AND ((WILDCARD SYNONYM guer OR gu@2) AND_MAYBE 1.5 * "
				      "(WILDCARD SYNONYM Sguer OR Sgu@2))))", W1("vol", 1)));
	q = parse("guer*");
	CHECK(query_positive_count(q) == 1, "got %zu", query_positive_count(q));
	query_free(q);
}

/* What the snippet code gets: prefixes among the terms, and the phrases. */
static void test_highlight_info(void)
{
	/* A prefix is a term marked as one; the typed word's own forms, when kept, share
	   its word number. */
	query *q = parse("guer*"); /* "guer" stems to gu, which the prefix does not cover */
	check_terms(q, "gu/0 guer*/0");
	query_free(q);
	q = parse("paix guerre* guerr* -arm*");
	check_terms(q, "paix/0 guerr/1 guerre*/1 guerr*/2");
	query_free(q);
	q = parse("élève* title:guerr*");
	check_terms(q, "elev/0 eleve*/0 guerr*/1");
	query_free(q);

	/* Phrases: quoted or split, stopwords in place, title: too. */
	check_phrases("\"armée de terre\"", "arme (de) terr");
	check_phrases("\"ministre de la santé\" guerre", "ministr (de) (la) sant");
	check_phrases("États-Unis \"l'armée russe\"", "etat unis|arme russ");
	check_phrases("title:\"armée de terre\" OR (paix \"guerre froide\")", "arme (de) terr|guerr froid");
	check_phrases("\"à la guerre\"", "");      /* one word: no phrase */
	check_phrases("\"guerre à la\"", "");      /* trailing stopwords are not part of it */
	check_phrases("états-de-la-un*", ""); /* the word before the prefix is alone */
	check_phrases("états-de-la-guerre-fr*", "etat (de) (la) guerr");
	/* not phrases: ~N, NEAR (its leaves are matched in any order), excluded */
	check_phrases("\"armée russe\"~3", "");
	check_phrases("\"armée russe\" NEAR Kharkiv", "");
	check_phrases("armée -\"armée de terre\" -(\"guerre froide\" paix)", "");
}

static void test_near(void)
{
	/* NEAR: within 10 other words (window 10 + 2), NEAR/3 within 3 (window 5). */
	check_query("guerre NEAR paix",
		    "Query(((guerr@1 NEAR 12 paix@2) AND_MAYBE 1.5 * (Sguerr@1 NEAR 12 Spaix@2) "
		    "AND_MAYBE 0.5 * (Lguerr@1 AND Lpaix@2)))");
	check_query("guerre NEAR/3 paix",
		    "Query(((guerr@1 NEAR 5 paix@2) AND_MAYBE 1.5 * (Sguerr@1 NEAR 5 Spaix@2) "
		    "AND_MAYBE 0.5 * (Lguerr@1 AND Lpaix@2)))");
	check_query("guerre NEAR/0 paix",
		    "Query(((guerr@1 NEAR 2 paix@2) AND_MAYBE 1.5 * (Sguerr@1 NEAR 2 Spaix@2) "
		    "AND_MAYBE 0.5 * (Lguerr@1 AND Lpaix@2)))");
	/* a chain takes the largest distance; a phrase operand counts its span */
	check_query("guerre NEAR/2 paix NEAR/4 Kharkiv",
		    "Query(((guerr@1 NEAR 7 paix@2 NEAR 7 kharkiv@3) AND_MAYBE 1.5 * (Sguerr@1 NEAR 7 "
		    "Spaix@2 NEAR 7 Skharkiv@3) AND_MAYBE 0.5 * (Lguerr@1 AND Lpaix@2 AND Lkharkiv@3)))");
	check_query("\"armée russe\" NEAR/2 Kharkiv",
		    "Query(((arme@1 NEAR 5 russ@2 NEAR 5 kharkiv@3) AND_MAYBE 1.5 * (Sarme@1 NEAR 5 "
		    "Sruss@2 NEAR 5 Skharkiv@3) AND_MAYBE 0.5 * (Larme@1 AND Lruss@2 AND Lkharkiv@3) "
		    "AND_MAYBE 0.25 * Earmée@1))");
	check_query("title:guerre NEAR title:paix", "Query(2.5 * (Sguerr@1 NEAR 12 Spaix@2))");
	check_query("vols -(guerre NEAR paix)",
		    fmt("Query((%s AND_NOT (guerr@2 NEAR 12 paix@3)))", W1("vol", 1)));
	/* "a b"~N: the phrase's words within N other words, in any order. */
	check_query("\"guerre paix\"~5",
		    "Query(((guerr@1 NEAR 7 paix@2) AND_MAYBE 1.5 * (Sguerr@1 NEAR 7 Spaix@2) "
		    "AND_MAYBE 0.5 * (Lguerr@1 AND Lpaix@2)))");
	check_query("\"guerre\"~5", fmt("Query(%s)", W1("guerr", 1)));
	query *q = parse("guerre NEAR paix");
	check_terms(q, "guerr/0 paix/1");
	CHECK(query_positive_count(q) == 1, "got %zu", query_positive_count(q));
	query_free(q);
	/* lowercase near is a word */
	check_query("near", fmt("Query(%s)", W1("near", 1)));

	/* What NEAR cannot join is read as AND, with a notice. */
	check_notice("guerre NEAR", "ignored NEAR with nothing on one side");
	check_notice("NEAR guerre", "ignored NEAR with nothing on one side");
	check_query("NEAR guerre", fmt("Query(%s)", W1("guerr", 1)));
	check_notice("guerre NEAR guer*", "NEAR joins words or phrases: read as AND");
	check_notice("guerre NEAR (paix OR trêve)", "NEAR joins words or phrases: read as AND");
	check_notice("guerre NEAR -paix", "NEAR joins words or phrases: read as AND");
	check_notice("guerre NEAR author:Dupont", "NEAR joins words or phrases: read as AND");
	check_notice("guerre NEAR title:paix", "NEAR joins words or phrases: read as AND");
	check_query("guerre NEAR guer*",
		    fmt("Query((%s AND ((WILDCARD SYNONYM guer OR gu@2) AND_MAYBE 1.5 * "
			"(WILDCARD SYNONYM Sguer OR Sgu@2))))", W1("guerr", 1)));
	check_notice("guerre NEAR/x paix", "could not read the distance in 'NEAR/x'");
	check_notice("guerre NEAR/ paix", "could not read the distance in 'NEAR/'");
	check_notice("guerre NEAR/9999999999999 paix", "NEAR distance limited to 100");
	check_query("guerre NEAR/9999999999999 paix",
		    "Query(((guerr@1 NEAR 102 paix@2) AND_MAYBE 1.5 * (Sguerr@1 NEAR 102 Spaix@2) "
		    "AND_MAYBE 0.5 * (Lguerr@1 AND Lpaix@2)))");
	check_notice("\"guerre paix\"~", "could not read the distance after ~: read as a phrase");
	check_notice("\"guerre paix\"~500", "NEAR distance limited to 100");
	check_query("\"guerre paix\"~",
		    "Query(((guerr@1 PHRASE 2 paix@2) AND_MAYBE 1.5 * (Sguerr@1 PHRASE 2 Spaix@2) "
		    "AND_MAYBE 0.5 * (Lguerr@1 AND Lpaix@2)))");
}

static void test_proximity_bonus(void)
{
	/* Up to RANK_PROXIMITY_MAX_WORDS plain words get the bonus; the window grows by one
	   per word beyond two; the phrase spans the typed positions, stopwords included. */
	check_query("ministre de la santé",
		    fmt("Query(((%s AND %s) AND_MAYBE 0.5 * (ministr@1 NEAR 8 sant@4) AND_MAYBE 0.5 * "
			"(ministr@1 PHRASE 4 sant@4)))",
			W1("ministr", 1), W("sant", NULL, "santé", 4)));
	char nine[128] = "", want_core[4096] = "";
	const char *w9[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"};
	for (int i = 0; i < 9; i++) {
		strcat(nine, i ? " " : "");
		strcat(nine, w9[i]);
	}
	query *q = parse(nine);
	xs_query *x = query_build(q, 0);
	char *d = xs_query_describe(x);
	CHECK(d && !strstr(d, "NEAR") && !strstr(d, "PHRASE"), "9 words: no bonus: %s", d ? d : "");
	free(d);
	xs_query_free(x);
	query_free(q);
	(void)want_core;
	/* excluded words and filters take no part in it */
	check_query("guerre paix -trêve date:2023",
		    fmt("Query((((%s AND %s AND 0 * Y2023)%s) AND_NOT trev@3))", W1("guerr", 1),
			W1("paix", 2), BONUS2("guerr", 1, "paix", 2)));
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

	/* The inputs of issue 4: never an error, a best-effort reading. */
	q = parse("guerre \"armée russe");
	CHECK_STR(query_notice(q), "unbalanced quote closed at the end");
	query_free(q);
	q = parse("\"le\" la");
	CHECK(query_is_empty(q), "stopword phrase");
	CHECK_STR(query_notice(q), "ignored common words: le, la");
	query_free(q);
	q = parse("l'");
	CHECK(query_is_empty(q), "l' alone");
	query_free(q);
	q = parse("«");
	CHECK(query_is_empty(q), "« alone");
	query_free(q);
	check_query("« guerre", fmt("Query(%s)", W1("guerr", 1)));
	check_query("guerre )) ((", fmt("Query(%s)", W1("guerr", 1)));
	check_query("((guerre", fmt("Query(%s)", W1("guerr", 1)));

	/* Emoji and stray punctuation are separators. */
	check_query("🇫🇷 guerre 😀 !!", fmt("Query(%s)", W1("guerr", 1)));
	check_query("guerre», ...paix?", fmt("Query(((%s AND %s)%s))", W1("guerr", 1), W1("paix", 2),
					    BONUS2("guerr", 1, "paix", 2)));
	q = parse("😀 title:😀 date:😀 😀* NEAR 😀 NOT 😀");
	CHECK(query_is_empty(q), "emoji everywhere is empty");
	query_free(q);
	/* an author is folded and cut as the index does it: an emoji stays a token */
	check_query("author:😀", "Query(0 * A😀)");

	/* Invalid UTF-8 never reaches a term: the analyzer splits there, so a Latin-1
	   `guérre` becomes the phrase of its two halves, the closest reading left. */
	const char bad[] = "caf\xff\xfe\xc3 gu\xe9rre \xf0\x9f";
	char *d = describe(bad, sizeof bad - 1, 0, NULL);
	CHECK_STR(d, fmt("Query((%s AND ((gu@2 PHRASE 2 rre@3) AND_MAYBE 1.5 * (Sgu@2 PHRASE 2 "
			 "Srre@3) AND_MAYBE 0.5 * (Lgu@2 AND Lrre@3))))",
			 W1("caf", 1)));
	free(d);
	/* ... and a notice quoting it stays valid UTF-8 */
	const char bad_date[] = "date:\xff\xfex";
	q = NULL;
	CHECK(query_parse(&q, an, bad_date, sizeof bad_date - 1) == 0, "parses");
	CHECK_STR(query_notice(q), "could not read the date '??x'");
	query_free(q);
	/* an embedded NUL is just another separator */
	const char nul[] = "guerre\0paix";
	d = describe(nul, sizeof nul - 1, 0, NULL);
	CHECK_STR(d, fmt("Query(((%s AND %s)%s))", W1("guerr", 1), W1("paix", 2),
			 BONUS2("guerr", 1, "paix", 2)));
	free(d);
}

static void test_long_input(void)
{
	/* 10,000 characters of words and operators: bounded, with a notice. */
	size_t n = 10000;
	char *s = malloc(n + 1);
	const char *words[] = {"guerre ", "paix ", "réfugiés ", "-grève ", "\"armée ", "(Kharkiv ", "OR ",
			       "NOT ", "NEAR/3 ", "guer* ", "title:", "author:\"Jean ", "date:2023 ",
			       "date:..2024-02 "};
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

	/* One 10,000-character word, 10,000 parentheses, quotes, dashes, stars... */
	const char fill[] = {'a', '(', '"', '-', ')', '*', ':', '~', '.'};
	for (size_t f = 0; f < sizeof fill; f++) {
		memset(s, fill[f], n);
		q = NULL;
		CHECK(query_parse(&q, an, s, n) == 0, "fill %c parses", fill[f]);
		x = query_build(q, 1);
		xs_query_free(x);
		query_free(q);
	}
	/* 10,000 characters of each operator and field, repeated */
	const char *ops[] = {"NOT ", "NEAR ", "title:", "date:", "author:", "a NEAR ", "x* ",
			     "\"a b\"~3 ", "date:2023..", "(a ", "-title:("};
	for (size_t o = 0; o < sizeof ops / sizeof *ops; o++) {
		size_t l = strlen(ops[o]);
		for (k = 0; k + l <= n; k += l)
			memcpy(s + k, ops[o], l);
		q = NULL;
		CHECK(query_parse(&q, an, s, k) == 0, "%s x %zu parses", ops[o], n / l);
		x = query_build(q, 0);
		xs_query_free(x);
		query_free(q);
	}
	/* 10,000 bytes of multibyte and invalid characters. */
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(0x80 + (i * 37) % 128);
	q = NULL;
	CHECK(query_parse(&q, an, s, n) == 0, "garbage parses");
	query_free(q);
	free(s);
}

/* ---- the ranking, on a small index ------------------------------------------------- */

static char tmp_root[64];

/* An article in the shape fouille reads: title, lead, author, date (NULL: none), body. */
static void article(const char *name, const char *title, const char *lead, const char *author,
		    const char *date, const char *body)
{
	char path[PATH_MAX], text[4096];
	snprintf(path, sizeof path, "%s/docs/%s", tmp_root, name);
	snprintf(text, sizeof text, "%s\n\n%s\n\npar\n%s\n%s%s\n%s\n", title, lead, author,
		 date ? date : "", date ? "\n" : "", body);
	write_file(path, text);
}

static fouille_index *idx;

/* The paths found by `query` in rank order, space-separated (at most 20). */
static const char *ranked(const char *text, unsigned flags, fouille_sort sort)
{
	static char out[2048];
	fouille_search_options o;
	fouille_search_options_init(&o);
	o.flags = flags;
	o.sort = sort;
	o.limit = 20;
	fouille_results *res = NULL;
	int rc = fouille_search(&res, idx, text, &o);
	out[0] = '\0';
	if (rc != FOUILLE_OK) {
		snprintf(out, sizeof out, "(error %d: %s)", rc, fouille_errmsg(idx));
		return out;
	}
	for (size_t i = 0; i < fouille_results_count(res); i++) {
		const char *p = fouille_hit_path(fouille_results_hit(res, i));
		const char *base = strrchr(p, '/');
		base = base ? base + 1 : p;
		size_t l = strlen(out);
		snprintf(out + l, sizeof out - l, "%s%.*s", i ? " " : "", (int)(strcspn(base, ".")), base);
	}
	fouille_results_free(res);
	return out;
}

static void check_ranked(const char *text, const char *want)
{
	const char *got = ranked(text, 0, FOUILLE_SORT_RELEVANCE);
	CHECK(strcmp(got, want) == 0, "query \"%s\": got [%s], want [%s]", text, got, want);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The words of `s` sorted, space-separated, into out. */
static void sorted_words(const char *s, char *out, size_t cap)
{
	char buf[2048], *v[64], *save = NULL;
	size_t n = 0;
	snprintf(buf, sizeof buf, "%s", s);
	for (char *w = strtok_r(buf, " ", &save); w && n < 64; w = strtok_r(NULL, " ", &save))
		v[n++] = w;
	qsort(v, n, sizeof *v, cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(out);
		snprintf(out + l, cap - l, "%s%s", i ? " " : "", v[i]);
	}
}

/* `text` finds exactly the articles of `want`, in any order. */
static void check_found(const char *text, const char *want)
{
	char got[2048], exp[2048];
	sorted_words(ranked(text, 0, FOUILLE_SORT_RELEVANCE), got, sizeof got);
	sorted_words(want, exp, sizeof exp);
	CHECK(strcmp(got, exp) == 0, "query \"%s\": found [%s], want [%s]", text, got, exp);
}

/* `first` ranks above `second` for `text` (both found). */
static void check_above(const char *text, const char *first, const char *second)
{
	const char *got = ranked(text, 0, FOUILLE_SORT_RELEVANCE);
	char a[64], b[64];
	snprintf(a, sizeof a, " %s ", first);
	snprintf(b, sizeof b, " %s ", second);
	char padded[2100];
	snprintf(padded, sizeof padded, " %s ", got);
	const char *pa = strstr(padded, a), *pb = strstr(padded, b);
	CHECK(pa && pb && pa < pb, "query \"%s\": %s should rank above %s: [%s]", text, first, second,
	      got);
}

static void build_index(void)
{
	snprintf(tmp_root, sizeof tmp_root, "/tmp/fouille-test-query-XXXXXX");
	CHECK(mkdtemp(tmp_root) != NULL, "mkdtemp: %s", strerror(errno));
	char docs[PATH_MAX], dir[PATH_MAX];
	snprintf(docs, sizeof docs, "%s/docs", tmp_root);
	snprintf(dir, sizeof dir, "%s/index", tmp_root);
	mkdir(docs, 0777);

	/* Title vs body, same body count and length. */
	article("t_title.txt", "La transhumance des brebis", "Un reportage dans les alpages du Vercors.",
		"Camille Dubois", "12 avril 2023",
		"Les bergers montent avec la transhumance au printemps, chaque année.");
	article("t_body.txt", "Les brebis des alpages", "Un reportage dans les montagnes du Vercors.",
		"Camille Dubois", "13 avril 2023",
		"Les bergers montent avec la transhumance au printemps, chaque année.");
	/* Lead vs body: the same words, the lead paragraph and the body swapped. */
	article("l_lead.txt", "Carnet de montagne", "L'estive commence au printemps sur le plateau.",
		"Jean-Pierre Martin", "1 mai 2023",
		"Les bergers guident les chèvres vers les sommets du massif.");
	article("l_body.txt", "Carnet de montagne",
		"Les bergers guident les chèvres vers les sommets du massif.", "Jean-Pierre Martin",
		"2 mai 2023", "L'estive commence au printemps sur le plateau.");
	/* Exact accents: pâté vs pâte, otherwise the same. */
	article("p_accent.txt", "Recette de campagne", "Un pâté de campagne servi avec du pain.",
		"Hélène Le Gall", "3 juin 2024", "La recette vient de la ferme.");
	article("p_plain.txt", "Recette de campagne", "Une pâte de campagne servie avec du pain.",
		"Hélène Le Gall", "4 juin 2024", "La recette vient de la ferme.");
	/* Proximity: batelier and canal close together or far apart. */
	article("n_near.txt", "Chronique fluviale",
		"Le batelier du canal raconte son métier depuis trente ans sur l'eau.", "Paul Roux",
		"5 juin 2024", "Il transporte du grain, du sable et du bois vers le port de commerce.");
	article("n_far.txt", "Chronique fluviale",
		"Le batelier raconte son métier depuis trente ans sur l'eau.", "Paul Roux",
		"6 juin 2024", "Il transporte du grain, du sable et du bois vers le port du canal.");
	/* An undated article. */
	article("u_undated.txt", "Notes sans date", "Des bergers sans calendrier.", "Paul Roux", NULL,
		"Le canal et la transhumance, un jour ou l'autre.");

	fouille_index *w = NULL;
	int rc = fouille_index_open(&w, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "open for writing: %s", fouille_last_open_error());
	if (rc == FOUILLE_OK) {
		rc = fouille_index_update(w, docs, NULL, NULL);
		CHECK(rc == FOUILLE_OK, "update: %s", fouille_errmsg(w));
	}
	fouille_index_close(w);
	rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_OK, "open read-only: %s", fouille_last_open_error());
}

static void test_ranking(void)
{
	if (!idx)
		return;
	/* A title match outranks a body-only match with equal body counts. */
	check_ranked("transhumance -calendrier", "t_title t_body");
	check_above("transhumance", "t_title", "t_body");
	check_above("TRANSHUMANCES", "t_title", "t_body");
	/* The lead outranks the rest of the body. */
	check_ranked("estive", "l_lead l_body");
	/* An exact spelling ranks first; without accents both are found, neither favoured
	   by the accent. */
	check_ranked("pâté", "p_accent p_plain");
	check_ranked("pâtés", "p_accent p_plain");
	check_ranked("pâte", "p_plain p_accent");
	const char *pate = ranked("pate", 0, FOUILLE_SORT_RELEVANCE);
	CHECK(strstr(pate, "p_accent") && strstr(pate, "p_plain"), "pate finds both: [%s]", pate);
	/* Words close together outrank words far apart. */
	check_above("batelier canal", "n_near", "n_far");
	check_above("canal batelier", "n_near", "n_far");
	check_ranked("\"batelier du canal\"", "n_near");
	check_ranked("batelier NEAR/2 canal", "n_near");
	check_ranked("batelier NEAR canal", "n_near"); /* n_far: 15 words apart */
	check_ranked("batelier NEAR/25 canal", "n_near n_far");
	check_ranked("\"canal batelier\"~1", "n_near");
}

/* Every construct runs against a real index (Xapian refuses some shapes only when the
   query runs, e.g. a NEAR over anything but terms), and selects what it says. */
static void test_constructs_run(void)
{
	if (!idx)
		return;
	check_found("title:transhumance", "t_title");
	check_found("titre:\"transhumance des brebis\"", "t_title");
	check_found("title:(transhumance OR estive)", "t_title");
	check_found("title:carnet estive", "l_lead l_body");
	check_found("transhumance -title:transhumance", "t_body u_undated");
	check_found("transhum*", "t_title t_body u_undated");
	check_found("title:transh*", "t_title");
	check_found("transhumance*", "t_title t_body u_undated");
	check_found("bateli*", "n_near n_far");
	check_found("author:dubois transhumance", "t_title t_body");
	check_found("auteur:\"Jean-Pierre Martin\"", "l_body l_lead");
	check_found("author:\"Pierre Jean\" estive", "l_lead l_body");
	check_found("author:\"helene le gall\" pâté", "p_accent p_plain");
	check_found("author:mart* estive", "l_lead l_body");
	check_found("author:dubois -author:roux canal", "");
	check_found("date:2023 bergers", "t_title t_body l_lead l_body");
	check_found("date:2024 -canal", "p_accent p_plain");
	check_found("date:2023-04 bergers", "t_title t_body");
	check_found("date:2023-04-13", "t_body");
	check_found("date:2023-04..2023-05 bergers", "t_title t_body l_lead l_body");
	check_found("date:2023-04-13..2023-05-01 bergers", "t_body l_lead");
	check_found("date:..2023-04 bergers", "t_title t_body");
	check_found("date:2024-06-05.. canal", "n_near n_far");
	check_found("date:>=2024-06-05 canal", "n_near n_far");
	check_found("date:>2024-06-05 canal", "n_far");
	check_found("date:<2024 transhumance", "t_title t_body");
	check_found("date:<=2023-04-12 transhumance", "t_title");
	check_found("canal -date:2024", "u_undated");
	check_found("transhumance NOT date:2023", "u_undated");
	check_found("transhumance SAUF brebis", "u_undated");
	check_found("(estive OR pâté) date:2024", "p_accent p_plain");
	/* relaxed to OR, the filter still applies */
	check_ranked("transhumance xyzzy date:2023-04-12", "t_title");
	/* --and: no fallback; --or: any word */
	check_found("transhumance xyzzy", "t_title t_body u_undated");
	const char *r = ranked("transhumance xyzzy", FOUILLE_SEARCH_NO_RELAX, FOUILLE_SORT_RELEVANCE);
	CHECK(strcmp(r, "") == 0, "--and finds nothing: [%s]", r);
	r = ranked("transhumance estive", FOUILLE_SEARCH_ANY, FOUILLE_SORT_RELEVANCE);
	CHECK(strstr(r, "t_title") && strstr(r, "l_lead") && strstr(r, "u_undated"), "--or: [%s]", r);
	/* sorting by date: undated last both ways */
	r = ranked("bergers", 0, FOUILLE_SORT_DATE_ASC);
	CHECK(strcmp(r, "t_title t_body l_lead l_body u_undated") == 0, "date order: [%s]", r);
	r = ranked("bergers", 0, FOUILLE_SORT_DATE_DESC);
	CHECK(strcmp(r, "l_body l_lead t_body t_title u_undated") == 0, "-date order: [%s]", r);

	/* Every odd input either finds something or says there is nothing to search. */
	const char *odd[] = {"guer*", "a*", "z*", "\"a b\"~3", "NEAR", "NOT", "title:", "date:", "author:",
			     "date:hier", "title:(a OR (b c))", "((((", "))))", "\"", "«", "l'",
			     "c'est-à-dire", "😀", "-", "-*", "a NEAR b NEAR c NEAR d", "x NEAR/0 y",
			     "title:\"a b\"~2", "date:0001..9999", "date:>9999-12-31", "date:<0001",
			     "author:a* b* c*"};
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
		fouille_results *res = NULL;
		int rc = fouille_search(&res, idx, odd[i], NULL);
		CHECK(rc == FOUILLE_OK || rc == FOUILLE_EQUERY, "\"%s\": %d %s", odd[i], rc,
		      fouille_errmsg(idx));
		fouille_results_free(res);
	}
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
	test_fields();
	test_dates();
	test_prefix();
	test_near();
	test_highlight_info();
	test_proximity_bonus();
	test_odd_input();
	test_long_input();
	build_index();
	test_ranking();
	test_constructs_run();
	fouille_index_close(idx);
	if (tmp_root[0])
		remove_tree(tmp_root);
	analyzer_free(an);
	return check_summary();
}
