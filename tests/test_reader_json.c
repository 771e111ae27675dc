/*
 * The JSON reader (indexer/reader_json.c): single objects, arrays and wrappers, JSON
 * Lines with bad lines among good ones, the field variants, HTML bodies, dates, keys
 * and duplicate ids, derived titles, whole-file errors, and the fixtures of
 * tests/fixtures/json/.
 */
#include "check.h"
#include "indexer/readers.h"

#include <stdbool.h>
#include <stdlib.h>

#ifndef FOUILLE_SOURCE_DIR
#define FOUILLE_SOURCE_DIR "."
#endif

#define MAX_ITEMS 16

/* What one read produced: copies of the emitted articles with their keys, the
   problems, the return value and the reason. */
typedef struct {
	int n;
	article a[MAX_ITEMS];
	char *key[MAX_ITEMS];
	int nprob;
	char *prob[MAX_ITEMS];
	int stop_after; /* emit returns 7 after this many articles; 0: never */
	int rc;
	char reason[ARTICLE_REASON_LEN];
} result;

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int on_article(const article *a, const char *key, void *ud)
{
	result *r = ud;
	if (r->n < MAX_ITEMS) {
		article *c = &r->a[r->n];
		c->title = dup_or_null(a->title);
		c->author = dup_or_null(a->author);
		c->date = dup_or_null(a->date);
		c->text = dup_or_null(a->text);
		c->lead_len = a->lead_len;
		c->url = dup_or_null(a->url);
		c->tags = dup_or_null(a->tags);
		r->key[r->n] = strdup(key);
	}
	r->n++;
	return r->stop_after && r->n >= r->stop_after ? 7 : 0;
}

static void on_problem(const char *what, void *ud)
{
	result *r = ud;
	if (r->nprob < MAX_ITEMS)
		r->prob[r->nprob] = strdup(what);
	r->nprob++;
}

static void result_free(result *r)
{
	for (int i = 0; i < r->n && i < MAX_ITEMS; i++) {
		article_clear(&r->a[i]);
		free(r->key[i]);
	}
	for (int i = 0; i < r->nprob && i < MAX_ITEMS; i++)
		free(r->prob[i]);
	memset(r, 0, sizeof *r);
}

/* Reads `len` bytes as .json (lines == 0) or JSON Lines into a fresh result. */
static void run_len(result *r, const char *buf, size_t len, int lines)
{
	int stop = r->stop_after;
	memset(r, 0, sizeof *r);
	r->stop_after = stop;
	/* an exact-size copy, so that ASan catches reads past the end */
	char *copy = malloc(len ? len : 1);
	memcpy(copy, buf, len);
	r->rc = reader_json(copy, len, lines, on_article, on_problem, r, r->reason);
	free(copy);
}

static void run(result *r, const char *s, int lines)
{
	run_len(r, s, strlen(s), lines);
}

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_single_object(void)
{
	result r = {0};
	run(&r,
	    "{\"title\": \"  Le  tramway\\narrive à Brest \", \"author\": \"Par Karim Benali\",\n"
	    " \"date\": \"2023-04-12\", \"url\": \" https://exemple.fr/brest \",\n"
	    " \"tags\": \"transport, Brest , ,tramway\",\n"
	    " \"body\": \"Première ligne du corps.\\nDeuxième paragraphe.\"}",
	    0);
	CHECK(r.rc == 0, "rc %d (%s)", r.rc, r.reason);
	CHECK(r.n == 1 && r.nprob == 0, "n %d, problems %d", r.n, r.nprob);
	CHECK_STR(r.key[0], "");
	CHECK_STR(r.a[0].title, "Le tramway arrive à Brest");
	CHECK_STR(r.a[0].author, "Karim Benali");
	CHECK_STR(r.a[0].date, "2023-04-12");
	CHECK_STR(r.a[0].url, "https://exemple.fr/brest");
	CHECK_STR(r.a[0].tags, "transport, Brest, tramway");
	CHECK_STR(r.a[0].text, "Première ligne du corps.\n\nDeuxième paragraphe.");
	CHECK(r.a[0].lead_len == strlen("Première ligne du corps."), "lead_len %zu", r.a[0].lead_len);
	result_free(&r);

	/* with an id, the key is the id; alternative names; a BOM */
	run(&r, "\xEF\xBB\xBF{\"_id\": \"a\\u0001b\", \"headline\": \"Titre\", \"contenu\": \"Corps\"}", 0);
	CHECK(r.rc == 0 && r.n == 1, "rc %d n %d", r.rc, r.n);
	CHECK_STR(r.key[0], "id=a_b");
	CHECK_STR(r.a[0].title, "Titre");
	CHECK_STR(r.a[0].text, "Corps");
	CHECK(r.a[0].author == NULL && r.a[0].date == NULL && r.a[0].url == NULL && r.a[0].tags == NULL,
	      "absent fields are NULL");
	result_free(&r);

	/* title only: text is "" */
	run(&r, "{\"titre\": \"Seulement un titre\"}", 0);
	CHECK(r.rc == 0 && r.n == 1, "rc %d n %d", r.rc, r.n);
	CHECK_STR(r.a[0].text, "");
	result_free(&r);
}

static void test_array_and_wrappers(void)
{
	result r = {0};
	run(&r, "[{\"title\": \"Un\", \"body\": \"a\"}, {\"id\": \"x-2\", \"title\": \"Deux\"}, {\"title\": \"Trois\"}]", 0);
	CHECK(r.rc == 0 && r.n == 3, "rc %d n %d", r.rc, r.n);
	CHECK_STR(r.key[0], "n=0");
	CHECK_STR(r.key[1], "id=x-2");
	CHECK_STR(r.key[2], "n=2");
	CHECK_STR(r.a[2].title, "Trois");
	result_free(&r);

	static const char *const wrappers[] = {"articles", "items", "data", "posts"};
	for (int i = 0; i < 4; i++) {
		char buf[200];
		snprintf(buf, sizeof buf, "{\"total\": 2, \"%s\": [{\"title\": \"A\"}, {\"title\": \"B\"}]}", wrappers[i]);
		run(&r, buf, 0);
		CHECK(r.rc == 0 && r.n == 2, "%s: rc %d n %d", wrappers[i], r.rc, r.n);
		CHECK_STR(r.a[1].title, "B");
		CHECK_STR(r.key[1], "n=1");
		result_free(&r);
	}

	/* an article (it has a body) with a "data" array is an article, not a wrapper */
	run(&r, "{\"title\": \"Article\", \"body\": \"x\", \"data\": [{\"title\": \"pas un article\"}]}", 0);
	CHECK(r.rc == 0 && r.n == 1, "rc %d n %d", r.rc, r.n);
	CHECK_STR(r.a[0].title, "Article");
	result_free(&r);

	/* a feed has a title and a description of its own (JSON Feed) */
	run(&r,
	    "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"Mon blog\", \"description\": \"d\","
	    " \"items\": [{\"id\": \"1\", \"title\": \"Billet\", \"content_html\": \"<p>Texte</p>\","
	    " \"summary\": \"Résumé.\", \"date_published\": \"2023-04-12T10:00:00+02:00\","
	    " \"authors\": [{\"name\": \"Anne Girard\"}], \"tags\": [\"a\", \"b\"]}]}",
	    0);
	CHECK(r.rc == 0 && r.n == 1, "rc %d n %d", r.rc, r.n);
	CHECK_STR(r.key[0], "id=1");
	CHECK_STR(r.a[0].title, "Billet");
	CHECK_STR(r.a[0].text, "Résumé.\n\nTexte");
	CHECK_STR(r.a[0].date, "2023-04-12");
	CHECK_STR(r.a[0].author, "Anne Girard");
	CHECK_STR(r.a[0].tags, "a, b");
	result_free(&r);

	/* bad elements of an array: reported as records counted from 1, the others emitted */
	run(&r, "[{\"title\": \"Bon\"}, 42, {\"auteur\": \"Personne\"}, {\"title\": \"Bon aussi\"}]", 0);
	CHECK(r.rc == 0 && r.n == 2, "rc %d n %d", r.rc, r.n);
	CHECK(r.nprob == 2, "problems %d", r.nprob);
	CHECK_STR(r.prob[0], "record 2: not an article object");
	CHECK_STR(r.prob[1], "record 3: no title and no text");
	CHECK_STR(r.key[1], "n=3");
	result_free(&r);

	/* nothing good in it: -1 */
	run(&r, "[]", 0);
	CHECK(r.rc == -1 && r.n == 0, "rc %d n %d", r.rc, r.n);
	CHECK_STR(r.reason, "no article in the file");
	result_free(&r);
	run(&r, "[1, 2]", 0);
	CHECK(r.rc == -1 && r.nprob == 2, "rc %d problems %d", r.rc, r.nprob);
	CHECK_STR(r.reason, "no article in the file (2 records could not be read)");
	result_free(&r);
	run(&r, "\"juste une chaîne\"", 0);
	CHECK(r.rc == -1, "rc %d", r.rc);
	CHECK_STR(r.reason, "not an article: the file holds a string, not an object or an array");
	result_free(&r);
}

static void test_jsonl(void)
{
	/* 5 valid lines, 2 invalid ones among them, a blank line */
	const char *s = "{\"title\": \"Un\", \"body\": \"premier\"}\n"        /* 1 */
			"{\"id\": 7, \"title\": \"Deux\"}\n"                    /* 2 */
			"{\"title\": \"Trois\", \"body\": \"coupé\n"           /* 3: invalid */
			"\n"                                                    /* 4: blank */
			"{\"title\": \"Cinq\"}\n"                               /* 5 */
			"[\"pas\", \"un\", \"objet\"]\n"                        /* 6: not an object */
			"{\"guid\": \"g-8\", \"title\": \"Huit\"}\n"            /* 7 */
			"   {\"title\": \"Neuf\", \"text\": \"dernier\"}   ";  /* 8, no final LF */
	result r = {0};
	run(&r, s, 1);
	CHECK(r.rc == 0, "rc %d (%s)", r.rc, r.reason);
	CHECK(r.n == 5, "n %d", r.n);
	CHECK_STR(r.key[0], "n=1");
	CHECK_STR(r.key[1], "id=7");
	CHECK_STR(r.key[2], "n=5");
	CHECK_STR(r.key[3], "id=g-8");
	CHECK_STR(r.key[4], "n=8");
	CHECK_STR(r.a[4].title, "Neuf");
	CHECK(r.nprob == 2, "problems %d", r.nprob);
	CHECK(starts_with(r.prob[0], "line 3: invalid JSON: ") && strlen(r.prob[0]) > 22, "got %s", r.prob[0]);
	CHECK_STR(r.prob[1], "line 6: not an article object");
	result_free(&r);

	/* CRLF line ends */
	run(&r, "{\"title\": \"A\", \"body\": \"x\\r\\ny\"}\r\n\r\n{\"title\": \"B\"}\r\n", 1);
	CHECK(r.rc == 0 && r.n == 2 && r.nprob == 0, "rc %d n %d problems %d", r.rc, r.n, r.nprob);
	CHECK_STR(r.key[1], "n=3");
	CHECK_STR(r.a[0].text, "x\n\ny");
	result_free(&r);

	/* invalid UTF-8 and \u0000 are jansson's to reject, line by line */
	run(&r, "{\"title\": \"caf\xE9\"}\n{\"title\": \"a\\u0000b\"}\n{\"title\": \"bon\"}\n", 1);
	CHECK(r.rc == 0 && r.n == 1 && r.nprob == 2, "rc %d n %d problems %d", r.rc, r.n, r.nprob);
	CHECK(starts_with(r.prob[0], "line 1: invalid JSON: "), "got %s", r.prob[0]);
	CHECK(starts_with(r.prob[1], "line 2: invalid JSON: "), "got %s", r.prob[1]);
	CHECK_STR(r.key[0], "n=3");
	result_free(&r);

	/* a line with neither title nor text; a scalar line */
	run(&r, "{\"author\": \"X\"}\n42\n{\"title\": \"ok\"}\n", 1);
	CHECK(r.n == 1 && r.nprob == 2, "n %d problems %d", r.n, r.nprob);
	CHECK_STR(r.prob[0], "line 1: no title and no text");
	CHECK_STR(r.prob[1], "line 2: not an article object");
	result_free(&r);

	/* only bad lines: -1, the lines reported */
	run(&r, "nope\n{\n", 1);
	CHECK(r.rc == -1 && r.nprob == 2, "rc %d problems %d", r.rc, r.nprob);
	CHECK_STR(r.reason, "no article in the file (2 lines could not be read)");
	result_free(&r);
}

static void test_many_bad_lines(void)
{
	/* problems beyond 100 are counted in one last message, not listed */
	size_t n = 150;
	char *buf = malloc(n * 3 + 32);
	char *p = buf;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "x,\n");
	p += sprintf(p, "{\"title\": \"t\"}\n");
	result r = {0};
	run_len(&r, buf, (size_t)(p - buf), 1);
	CHECK(r.rc == 0 && r.n == 1, "rc %d n %d", r.rc, r.n);
	CHECK(r.nprob == 101, "problems %d", r.nprob);
	result_free(&r);
	free(buf);
}

static void test_body_paragraphs_and_lead(void)
{
	result r = {0};
	run(&r, "{\"title\": \"T\", \"body\": [\"Un.\", \"\", \" Deux. \", 3, {\"text\": \"Trois.\"}]}", 0);
	CHECK_STR(r.a[0].text, "Un.\n\nDeux.\n\nTrois.");
	CHECK(r.a[0].lead_len == 3, "lead_len %zu", r.a[0].lead_len);
	result_free(&r);

	/* blank lines in a string: single line breaks are spaces */
	run(&r, "{\"title\": \"T\", \"text\": \"ligne un\\nsuite\\n\\n \\nDeux\"}", 0);
	CHECK_STR(r.a[0].text, "ligne un suite\n\nDeux");
	result_free(&r);

	/* a lead that the body does not start with is prepended */
	run(&r, "{\"title\": \"T\", \"chapo\": \"Le chapô.\", \"body\": \"Le corps.\"}", 0);
	CHECK_STR(r.a[0].text, "Le chapô.\n\nLe corps.");
	CHECK(r.a[0].lead_len == strlen("Le chapô."), "lead_len %zu", r.a[0].lead_len);
	result_free(&r);

	/* one it starts with (even cut with "…") is not repeated */
	run(&r, "{\"title\": \"T\", \"description\": \"Le début du texte…\", \"body\": \"Le début du texte, puis la suite.\\nFin.\"}", 0);
	CHECK_STR(r.a[0].text, "Le début du texte, puis la suite.\n\nFin.");
	result_free(&r);

	/* a lead and no body: the lead is the text */
	run(&r, "{\"title\": \"T\", \"summary\": \"Seul le résumé.\"}", 0);
	CHECK_STR(r.a[0].text, "Seul le résumé.");
	result_free(&r);
}

static void test_html_body(void)
{
	result r = {0};
	run(&r,
	    "{\"title\": \"L&#8217;arm&eacute;e &amp; la ville\", \"body\": "
	    "\"<p class=\\\"chapo\\\">Le <em>gouvernement</em> a annoncé&nbsp;: «&#160;oui&#xA0;».</p>\\n"
	    "<script>var s = '<p>pas ça</p>';</script><style>p { x: 1 }</style><!-- commentaire <p> -->"
	    "<p>Deuxième&amp;dernier &lt;paragraphe&gt;<br/>après le saut, &#146;1252&#146; et &bogus; 3 < 4.</p>"
	    "<div>Fin <a href=\\\"x\\\">du lien</a></div><unclosed\"}",
	    0);
	CHECK(r.rc == 0 && r.n == 1, "rc %d n %d", r.rc, r.n);
	CHECK_STR(r.a[0].title, "L’armée & la ville");
	CHECK_STR(r.a[0].text, "Le gouvernement a annoncé\xC2\xA0: «\xC2\xA0oui\xC2\xA0».\n\n"
			       "Deuxième&dernier <paragraphe>\n\n"
			       "après le saut, ’1252’ et &bogus; 3 < 4.\n\n"
			       "Fin du lien\n\n<unclosed");
	result_free(&r);

	/* not HTML: '<' stays, line breaks are paragraphs */
	run(&r, "{\"title\": \"T\", \"text\": \"3 < 4 et 5 > 2\\nsuite\"}", 0);
	CHECK_STR(r.a[0].text, "3 < 4 et 5 > 2\n\nsuite");
	result_free(&r);
}

static void test_dates(void)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{"\"date\": \"2023-04-12\"", "2023-04-12"},
		{"\"date\": \"2023-04-12T10:00:00Z\"", "2023-04-12"},
		{"\"published_at\": \"2023-04-12T23:30:00+02:00\"", "2023-04-12"},
		{"\"datePublished\": \"2023-04-12T10:00:00.000-05:00\"", "2023-04-12"},
		{"\"date\": \"2023-04-12 10:00:00\"", "2023-04-12"},
		{"\"date\": \"12 avril 2023\"", "2023-04-12"},
		{"\"date\": \"Publié le 1er mai 2023 à 14h30\"", "2023-05-01"},
		{"\"date\": \"12/04/2023\"", "2023-04-12"},
		{"\"pubDate\": \"Wed, 12 Apr 2023 10:00:00 +0200\"", "2023-04-12"},
		{"\"pubDate\": \"12 Apr 2023 10:00 GMT\"", "2023-04-12"},
		{"\"pubDate\": \"Sat, 1 January 00 00:00:00 +0000\"", "2000-01-01"},
		{"\"date\": 1681293600", "2023-04-12"},
		{"\"date\": 1681293600000", "2023-04-12"},
		{"\"date\": 1681343999.9", "2023-04-12"},
		{"\"date\": \"1681293600\"", "2023-04-12"},
		{"\"date\": 0", "1970-01-01"},
		{"\"date\": -1", "1969-12-31"},
		{"\"date\": \"hier\", \"published\": \"2023-04-12\"", "2023-04-12"},
		{"\"date\": \"2023-02-30\"", NULL},
		{"\"date\": \"Wed, 31 Apr 2023 10:00:00 +0200\"", NULL},
		{"\"date\": \"31 Foo 2023\"", NULL},
		{"\"date\": 1e300", NULL},
		{"\"date\": true", NULL},
		{"\"date\": \"la semaine dernière\"", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[256];
		snprintf(buf, sizeof buf, "{\"title\": \"T\", %s}", cases[i].json);
		result r = {0};
		run(&r, buf, 0);
		CHECK(r.rc == 0 && r.n == 1, "%s: rc %d n %d (%s)", cases[i].json, r.rc, r.n, r.reason);
		if (cases[i].want)
			CHECK(r.a[0].date && strcmp(r.a[0].date, cases[i].want) == 0, "%s: got %s, want %s",
			      cases[i].json, r.a[0].date ? r.a[0].date : "(null)", cases[i].want);
		else
			CHECK(r.a[0].date == NULL, "%s: got %s, want none", cases[i].json, r.a[0].date);
		result_free(&r);
	}
}

static void test_authors_ids_tags(void)
{
	result r = {0};
	run(&r,
	    "{\"title\": \"T\", \"authors\": [{\"name\": \"Sébastien Durand\"}, \"Élodie Marchand\", {\"nom\": \"x\"}, "
	    "{\"name\": \"  \"}, 12, {\"name\": \"par Anne Girard\"}], \"keywords\": [\"a, b\", \"c\", 5, {\"name\": \"d\"}]}",
	    0);
	CHECK_STR(r.a[0].author, "Sébastien Durand, Élodie Marchand, Anne Girard");
	CHECK_STR(r.a[0].tags, "a, b, c, d");
	result_free(&r);

	run(&r, "{\"title\": \"T\", \"author\": {\"@type\": \"Person\", \"name\": \"Camille Lefèvre\"}}", 0);
	CHECK_STR(r.a[0].author, "Camille Lefèvre");
	result_free(&r);

	/* numeric ids, WordPress and MongoDB ids; an empty id is no id */
	run(&r,
	    "[{\"id\": 42, \"title\": \"a\"}, {\"id\": -3, \"title\": \"b\"}, {\"id\": 2.5, \"title\": \"c\"},"
	    " {\"guid\": {\"rendered\": \"https://x/?p=1\"}, \"title\": \"d\"}, {\"_id\": {\"$oid\": \"64a1\"}, \"title\": \"e\"},"
	    " {\"id\": \"  \", \"title\": \"f\"}, {\"id\": null, \"guid\": \"g\", \"title\": \"g\"}]",
	    0);
	CHECK(r.n == 7, "n %d", r.n);
	CHECK_STR(r.key[0], "id=42");
	CHECK_STR(r.key[1], "id=-3");
	CHECK_STR(r.key[2], "id=2.5");
	CHECK_STR(r.key[3], "id=https://x/?p=1");
	CHECK_STR(r.key[4], "id=64a1");
	CHECK_STR(r.key[5], "n=5");
	CHECK_STR(r.key[6], "id=g");
	result_free(&r);

	/* a long id is cut to 100 bytes, not inside a character */
	char buf[400], id[200];
	memset(id, 'a', 99);
	strcpy(id + 99, "éééé");
	snprintf(buf, sizeof buf, "{\"id\": \"%s\", \"title\": \"t\"}", id);
	run(&r, buf, 0);
	CHECK(r.n == 1 && strlen(r.key[0]) == 3 + 99, "key length %zu", r.n ? strlen(r.key[0]) : 0);
	result_free(&r);
}

static void test_duplicate_ids(void)
{
	result r = {0};
	run(&r, "[{\"id\": \"x\", \"title\": \"a\"}, {\"id\": \"x\", \"title\": \"b\"}, {\"id\": \"y\", \"title\": \"c\"}]", 0);
	CHECK(r.rc == 0 && r.n == 3, "rc %d n %d", r.rc, r.n);
	CHECK_STR(r.key[0], "id=x");
	CHECK_STR(r.key[1], "n=1");
	CHECK_STR(r.key[2], "id=y");
	CHECK(r.nprob == 1, "problems %d", r.nprob);
	CHECK_STR(r.prob[0], "record 2: duplicate id x, using its position");
	result_free(&r);

	run(&r, "{\"id\": 1, \"title\": \"a\"}\n{\"id\": \"1\", \"title\": \"b\"}\n", 1);
	CHECK(r.n == 2, "n %d", r.n);
	CHECK_STR(r.key[1], "n=2");
	CHECK_STR(r.prob[0], "line 2: duplicate id 1, using its position");
	result_free(&r);

	/* a skipped record does not take its id */
	run(&r, "[{\"id\": \"x\"}, {\"id\": \"x\", \"title\": \"b\"}]", 0);
	CHECK(r.n == 1 && r.nprob == 1, "n %d problems %d", r.n, r.nprob);
	CHECK_STR(r.key[0], "id=x");
	result_free(&r);
}

static void test_derived_title(void)
{
	result r = {0};
	run(&r, "{\"text\": \"Court paragraphe.\\nDeuxième.\"}", 0);
	CHECK_STR(r.a[0].title, "Court paragraphe.");
	result_free(&r);

	run(&r,
	    "{\"body\": \"Le conseil municipal de Grenoble a adopté jeudi soir un plan de végétalisation "
	    "des cours d’école, financé à hauteur de quatre millions d’euros.\"}",
	    0);
	CHECK_STR(r.a[0].title, "Le conseil municipal de Grenoble a adopté jeudi soir un plan de végétalisation…");
	result_free(&r);

	/* one long word: cut at a character boundary */
	char buf[512] = "{\"body\": \"";
	for (int i = 0; i < 100; i++)
		strcat(buf, "é");
	strcat(buf, "\"}");
	run(&r, buf, 0);
	CHECK(r.n == 1 && strlen(r.a[0].title) == 80 * 2 + 3, "title %s", r.n ? r.a[0].title : "");
	result_free(&r);

	/* neither title nor text, as a single object: the file's reason */
	run(&r, "{\"author\": \"Personne\", \"title\": \"   \", \"body\": [\"\", \" \"]}", 0);
	CHECK(r.rc == -1 && r.n == 0 && r.nprob == 0, "rc %d n %d problems %d", r.rc, r.n, r.nprob);
	CHECK_STR(r.reason, "no title and no text");
	result_free(&r);
}

static void test_file_errors(void)
{
	result r = {0};
	run(&r, "[\n  {\"title\": \"a\"},\n  {\"title\": }\n]", 0);
	CHECK(r.rc == -1 && r.n == 0, "rc %d n %d", r.rc, r.n);
	CHECK(starts_with(r.reason, "invalid JSON at line 3, column "), "got %s", r.reason);
	result_free(&r);

	run(&r, "{\"title\": \"caf\xE9\"}", 0);
	CHECK(r.rc == -1 && starts_with(r.reason, "invalid JSON at line 1, column "), "got %s", r.reason);
	result_free(&r);

	/* empty files, in both modes */
	for (int lines = 0; lines <= 1; lines++) {
		run(&r, "", lines);
		CHECK(r.rc == -1, "rc %d", r.rc);
		CHECK_STR(r.reason, "empty file");
		result_free(&r);
		run(&r, " \r\n\n\t", lines);
		CHECK(r.rc == -1, "rc %d", r.rc);
		CHECK_STR(r.reason, "empty file");
		result_free(&r);
	}
	CHECK(reader_json(NULL, 0, 0, on_article, on_problem, &r, NULL) == -1, "NULL buffer, NULL reason");
	result_free(&r);

	/* JSON Lines named .json is read as lines */
	run(&r, "{\"title\": \"a\"}\n{\"title\": \"b\"}\n", 0);
	CHECK(r.rc == 0 && r.n == 2, "rc %d n %d", r.rc, r.n);
	CHECK_STR(r.key[1], "n=2");
	result_free(&r);
}

static void test_big_line(void)
{
	size_t body = 1 << 20;
	const char *head = "{\"title\": \"Gros\", \"body\": \"";
	size_t hn = strlen(head);
	char *buf = malloc(hn + body + 64);
	memcpy(buf, head, hn);
	for (size_t i = 0; i < body; i++)
		buf[hn + i] = (i % 7 == 6) ? ' ' : 'a';
	size_t n = hn + body;
	n += (size_t)sprintf(buf + n, "\"}\n{\"title\": \"après\"}\n");
	result r = {0};
	run_len(&r, buf, n, 1);
	CHECK(r.rc == 0 && r.n == 2, "rc %d n %d", r.rc, r.n);
	CHECK(r.n >= 1 && r.a[0].text && strlen(r.a[0].text) == body, "text length %zu",
	      r.n >= 1 && r.a[0].text ? strlen(r.a[0].text) : 0);
	CHECK_STR(r.key[1], "n=2");
	result_free(&r);
	free(buf);
}

static void test_stop(void)
{
	result r = {.stop_after = 2};
	run(&r, "{\"title\": \"a\"}\n{\"title\": \"b\"}\n{\"title\": \"c\"}\n", 1);
	CHECK(r.rc == 7 && r.n == 2, "rc %d n %d", r.rc, r.n);
	result_free(&r);
	r.stop_after = 1;
	run(&r, "[{\"title\": \"a\"}, {\"title\": \"b\"}]", 0);
	CHECK(r.rc == 7 && r.n == 1, "rc %d n %d", r.rc, r.n);
	result_free(&r);
	r.stop_after = 1;
	run(&r, "{\"title\": \"a\"}", 0);
	CHECK(r.rc == 7 && r.n == 1, "rc %d n %d", r.rc, r.n);
	result_free(&r);
}

/* The file under tests/fixtures/json/, read whole; NULL when it cannot be. */
static char *read_fixture(const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/fixtures/json/%s", FOUILLE_SOURCE_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	*len = buf ? fread(buf, 1, 1 << 20, f) : 0;
	fclose(f);
	return buf;
}

static void test_fixtures(void)
{
	size_t len;
	result r = {0};
	char *buf = read_fixture("articles.json", &len);
	CHECK(buf != NULL, "articles.json");
	if (buf) {
		run_len(&r, buf, len, 0);
		CHECK(r.rc == 0 && r.n == 3 && r.nprob == 0, "rc %d n %d problems %d", r.rc, r.n, r.nprob);
		CHECK_STR(r.key[0], "id=ouest-2023-0412-01");
		CHECK_STR(r.a[0].date, "2023-04-12");
		CHECK_STR(r.a[0].tags, "environnement, sécheresse, Nantes");
		CHECK(starts_with(r.a[0].text, "Les relevés de la station de Bellevue"), "lead first");
		CHECK_STR(r.a[1].title, "Grève des contrôleurs aériens\xC2\xA0: 40\xC2\xA0% des vols annulés à Orly jeudi");
		CHECK_STR(r.a[1].author, "Sébastien Durand, Élodie Marchand");
		CHECK_STR(r.a[1].date, "2023-04-13");
		CHECK_STR(r.a[1].tags, "transport, grève, aérien");
		CHECK_STR(r.a[2].author, "Jeanne Moreau-Lambert");
		CHECK_STR(r.a[2].date, "2023-04-14");
		CHECK(r.a[2].text && !strchr(r.a[2].text, '<'), "HTML stripped: %s", r.a[2].text);
		result_free(&r);
		free(buf);
	}
	buf = read_fixture("depeches.jsonl", &len);
	CHECK(buf != NULL, "depeches.jsonl");
	if (buf) {
		run_len(&r, buf, len, 1);
		CHECK(r.rc == 0 && r.n == 5 && r.nprob == 2, "rc %d n %d problems %d", r.rc, r.n, r.nprob);
		CHECK(starts_with(r.prob[0], "line 3: invalid JSON: "), "got %s", r.prob[0]);
		CHECK_STR(r.prob[1], "line 5: not an article object");
		CHECK_STR(r.key[4], "id=afp-0007");
		CHECK_STR(r.a[3].date, "2023-05-04");
		CHECK_STR(r.a[4].date, "2023-05-04");
		result_free(&r);
		free(buf);
	}
	buf = read_fixture("blog.ndjson", &len);
	CHECK(buf != NULL, "blog.ndjson");
	if (buf) {
		run_len(&r, buf, len, 1);
		CHECK(r.rc == 0 && r.n == 3 && r.nprob == 0, "rc %d n %d problems %d", r.rc, r.n, r.nprob);
		CHECK_STR(r.key[0], "n=1");
		CHECK_STR(r.key[2], "n=3");
		CHECK_STR(r.a[0].date, "2023-04-12");
		CHECK(r.a[0].text && strncmp(r.a[0].text, "Depuis dix ans", 14) == 0 &&
			      !strstr(r.a[0].text + 14, "Depuis dix ans"),
		      "the summary is not repeated: %s", r.a[0].text);
		CHECK(r.a[1].title && strlen(r.a[1].title) <= 80 * 2 + 3, "derived title %s", r.a[1].title);
		CHECK_STR(r.a[2].author, "Anne Girard");
		result_free(&r);
		free(buf);
	}
	buf = read_fixture("wordpress-posts.json", &len);
	CHECK(buf != NULL, "wordpress-posts.json");
	if (buf) {
		run_len(&r, buf, len, 0);
		CHECK(r.rc == 0 && r.n == 2 && r.nprob == 0, "rc %d n %d problems %d", r.rc, r.n, r.nprob);
		CHECK_STR(r.key[0], "id=101");
		CHECK_STR(r.a[0].title, "Journée des droits des femmes\xC2\xA0: les Rennaises dans la rue");
		CHECK_STR(r.a[0].url, "https://blog.exemple.fr/2023/03/journee-des-droits-des-femmes/");
		CHECK(r.a[0].tags == NULL, "numeric tags are term ids");
		CHECK(r.a[0].text && strstr(r.a[0].text, "l’égalité salariale «\xC2\xA0maintenant\xC2\xA0»."),
		      "text %s", r.a[0].text);
		result_free(&r);
		free(buf);
	}
}

int main(void)
{
	test_single_object();
	test_array_and_wrappers();
	test_jsonl();
	test_many_bad_lines();
	test_body_paragraphs_and_lead();
	test_html_body();
	test_dates();
	test_authors_ids_tags();
	test_duplicate_ids();
	test_derived_title();
	test_file_errors();
	test_big_line();
	test_stop();
	test_fixtures();
	return check_summary();
}
