/*
 * The Markdown reader (indexer/reader_md.c): front matter in YAML and TOML, good and
 * bad; titles; every markup construct removed from the text; header lines; line ends;
 * a Windows-1252 file through encoding_decode(); inputs that must not be slow.
 */
#include "check.h"
#include "indexer/readers.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* Parses a NUL-terminated document; the article must be cleared by the caller. */
static int md(article *a, const char *s)
{
	char reason[ARTICLE_REASON_LEN];
	int rc = reader_markdown(a, s, strlen(s), reason);
	CHECK(rc == 0, "reader_markdown failed: %s", reason);
	return rc;
}

/* An array as a plain pointer, for CHECK_STR (which tests for NULL). */
static const char *str(const char *s)
{
	return s;
}

/* `needle` is nowhere in `hay`. */
#define ABSENT(hay, needle) CHECK(!strstr((hay), (needle)), "\"%s\" found in \"%s\"", (needle), (hay))
#define PRESENT(hay, needle) CHECK(strstr((hay), (needle)) != NULL, "\"%s\" missing from \"%s\"", (needle), (hay))

static void test_yaml_front_matter(void)
{
	const char *s = "---\n"
			"title: \"L’été \\\"brûlant\\\" des \\u00e9leveurs\"\n"
			"author: Camille Lefèvre\n"
			"date: 2023-04-12T10:00:00Z\n"
			"tags: [climat, 'eau', \"élevage\"]\n"
			"keywords:\n"
			"  - climat\n"
			"  - sécheresse\n"
			"url: https://exemple.fr/ete\n"
			"permalink: /2023/ete/\n"
			"layout: post            # other keys are ignored\n"
			"social:\n"
			"  title: pas celui-ci   # nor nested maps\n"
			"---\n"
			"\n"
			"Les éleveurs du Limousin font face à une sécheresse inédite.\n";
	article a;
	if (md(&a, s) != 0)
		return;
	CHECK_STR(a.title, "L’été \"brûlant\" des éleveurs");
	CHECK_STR(a.author, "Camille Lefèvre");
	CHECK_STR(a.date, "2023-04-12");
	CHECK_STR(a.url, "https://exemple.fr/ete");
	CHECK_STR(a.tags, "climat, eau, élevage, sécheresse");
	CHECK_STR(a.text, "Les éleveurs du Limousin font face à une sécheresse inédite.");
	CHECK(a.lead_len == strlen(a.text), "lead_len %zu", a.lead_len);
	article_clear(&a);

	/* the other spellings of each key, single quotes, block lists, a map with a name */
	s = "---\n"
	    "# a comment\n"
	    "titre: 'L''aube'\n"
	    "auteurs:\n"
	    "  - name: Jean Dupont\n"
	    "  - name: Marie Curie\n"
	    "publié: \"12 avril 2023\"\n"
	    "tags:\n"
	    "- un\n"
	    "- deux\n"
	    "permalink: /aube/\n"
	    "...\n"
	    "Texte.\n";
	if (md(&a, s) != 0)
		return;
	CHECK_STR(a.title, "L'aube");
	CHECK_STR(a.author, "Jean Dupont");
	CHECK_STR(a.date, "2023-04-12");
	CHECK_STR(a.tags, "un, deux");
	CHECK_STR(a.url, "/aube/");
	CHECK_STR(a.text, "Texte.");
	article_clear(&a);

	/* more value shapes: a folded title, an author map, dates in other forms */
	static const struct {
		const char *date, *want;
	} dates[] = {
		{"2023-04-12", "2023-04-12"},
		{"'2023-04-12'", "2023-04-12"},
		{"\"2023-04-12T10:00:00+02:00\"", "2023-04-12"},
		{"2023-04-12 10:00:00 +0200", "2023-04-12"},
		{"12/04/2023", "2023-04-12"},
		{"1er mai 2023", "2023-05-01"},
	};
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		char doc[512];
		snprintf(doc, sizeof doc,
			 "---\ntitle: >\n  Un titre\n  sur deux lignes\nauthor:\n  name: Zoé Martin\n"
			 "  email: z@exemple.fr\npublished: %s\n---\nTexte.\n",
			 dates[i].date);
		if (md(&a, doc) != 0)
			continue;
		CHECK_STR(a.title, "Un titre sur deux lignes");
		CHECK_STR(a.author, "Zoé Martin");
		CHECK_STR(a.date, dates[i].want);
		article_clear(&a);
	}
	/* not a date: no date rather than a wrong one */
	if (md(&a, "---\ntitle: T\ndate: bientôt\n---\nTexte.\n") == 0) {
		CHECK(a.date == NULL, "date %s", a.date);
		article_clear(&a);
	}
}

static void test_toml_front_matter(void)
{
	const char *s = "+++\n"
			"title = \"Les « communs » numériques\"\n"
			"author = 'Jean-Pierre Morel'\n"
			"date = 2023-04-12\n"
			"tags = [\"numérique\",\n"
			"  \"logiciel libre\"]  # over two lines\n"
			"draft = false\n"
			"[params]\n"
			"url = \"https://exemple.fr/communs\"\n"
			"[social]\n"
			"title = \"pas celui-ci\"\n"
			"+++\n"
			"\n"
			"Le chapeau.\n"
			"\n"
			"Le corps.\n";
	article a;
	if (md(&a, s) != 0)
		return;
	CHECK_STR(a.title, "Les « communs » numériques");
	CHECK_STR(a.author, "Jean-Pierre Morel");
	CHECK_STR(a.date, "2023-04-12");
	CHECK_STR(a.tags, "numérique, logiciel libre");
	CHECK_STR(a.url, "https://exemple.fr/communs");
	CHECK_STR(a.text, "Le chapeau.\n\nLe corps.");
	CHECK(a.lead_len == strlen("Le chapeau."), "lead_len %zu", a.lead_len);
	article_clear(&a);

	s = "+++\ntitle = \"\"\"Un titre\nlong\"\"\"\ndate = 2023-04-12T10:00:00Z\nkeywords = ['a', 'b']\n+++\nTexte.\n";
	if (md(&a, s) != 0)
		return;
	CHECK_STR(a.title, "Un titre long");
	CHECK_STR(a.date, "2023-04-12");
	CHECK_STR(a.tags, "a, b");
	article_clear(&a);
}

static void test_titles(void)
{
	article a;
	/* ATX heading, with closing hashes */
	if (md(&a, "# Le titre #\n\nLe chapeau.\n\n## Une partie\n\nLe corps.\n") == 0) {
		CHECK_STR(a.title, "Le titre");
		CHECK_STR(a.text, "Le chapeau.\n\nUne partie\n\nLe corps.");
		CHECK(a.lead_len == strlen("Le chapeau."), "lead_len %zu", a.lead_len);
		article_clear(&a);
	}
	/* setext heading */
	if (md(&a, "Le titre\n========\n\nLe chapeau.\n\nUne partie\n----------\n\nLe corps.\n") == 0) {
		CHECK_STR(a.title, "Le titre");
		CHECK_STR(a.text, "Le chapeau.\n\nUne partie\n\nLe corps.");
		article_clear(&a);
	}
	/* the first level-1 heading, even after a paragraph */
	if (md(&a, "Une note.\n\n# Le titre\n\nLe texte.\n") == 0) {
		CHECK_STR(a.title, "Le titre");
		CHECK_STR(a.text, "Une note.\n\nLe texte.");
		article_clear(&a);
	}
	/* no heading: the first line, markup removed */
	if (md(&a, "Un **titre** de fortune\nsuite.\n\nAutre.\n") == 0) {
		CHECK_STR(a.title, "Un titre de fortune");
		CHECK_STR(a.text, "suite.\n\nAutre.");
		article_clear(&a);
	}
	/* a level-2 heading first: that is the title */
	if (md(&a, "## Brève\n\nTexte.\n") == 0) {
		CHECK_STR(a.title, "Brève");
		CHECK_STR(a.text, "Texte.");
		article_clear(&a);
	}
	/* the front matter's title, repeated as the first heading, is said once */
	if (md(&a, "---\ntitle: Le *titre*\n---\n# Le titre\n\nTexte.\n") == 0) {
		CHECK_STR(a.title, "Le *titre*");
		CHECK_STR(a.text, "Texte.");
		article_clear(&a);
	}
	if (md(&a, "---\ntitle: Titre long du site\n---\n# Titre court\n\nTexte.\n") == 0) {
		CHECK_STR(a.title, "Titre long du site");
		CHECK_STR(a.text, "Titre court\n\nTexte.");
		article_clear(&a);
	}
	/* "#MeToo" is a hashtag, not a heading */
	if (md(&a, "Titre\n\n#MeToo en débat\n") == 0) {
		CHECK_STR(a.text, "#MeToo en débat");
		article_clear(&a);
	}
}

static void test_bad_front_matter(void)
{
	article a;
	/* unterminated: not front matter at all, the whole file is body */
	const char *s = "---\ntitle: Jamais fermé\nauthor: X\n\n# Le vrai titre\n\nDu texte.\n";
	if (md(&a, s) == 0) {
		CHECK_STR(a.title, "Le vrai titre");
		CHECK(a.author == NULL, "author %s", a.author);
		CHECK_STR(a.text, "title: Jamais fermé author: X\n\nDu texte.");
		article_clear(&a);
	}
	/* unterminated TOML, and no heading: the first line is the title */
	if (md(&a, "+++\ntitle = \"x\"\nTexte.\n") == 0) {
		CHECK_STR(a.title, "+++");
		CHECK_STR(a.text, "title = \"x\" Texte.");
		article_clear(&a);
	}
	/* garbage lines inside: skipped, what parsed is kept */
	s = "---\n"
	    "title: Avec du bruit\n"
	    "ceci n’est pas du YAML\n"
	    "  : ::\n"
	    "[oops\n"
	    "author: Marie Curie\n"
	    "date: \"12/04/2023\n" /* an unterminated quote */
	    "tags: [a, b\n"	    /* an unterminated list */
	    "---\n"
	    "Texte.\n";
	if (md(&a, s) == 0) {
		CHECK_STR(a.title, "Avec du bruit");
		CHECK_STR(a.author, "Marie Curie");
		CHECK_STR(a.date, "2023-04-12");
		CHECK_STR(a.tags, "a, b");
		CHECK_STR(a.text, "Texte.");
		article_clear(&a);
	}
	/* two rules around prose are not front matter */
	if (md(&a, "---\nUn paragraphe entre deux filets.\n---\nSuite.\n") == 0) {
		CHECK_STR(a.title, "Un paragraphe entre deux filets.");
		CHECK_STR(a.text, "Suite.");
		article_clear(&a);
	}
	/* empty front matter */
	if (md(&a, "---\n---\n# T\n\nTexte.\n") == 0) {
		CHECK_STR(a.title, "T");
		CHECK_STR(a.text, "Texte.");
		article_clear(&a);
	}
}

static void test_markup(void)
{
	const char *s =
		"# Titre\n"
		"\n"
		"Les **éleveurs** du __Limousin__ font face à une *sécheresse* _inédite_,\n"
		"voir [Météo-France](https://meteo.fr/secheresse \"Météo\") et ![une vache](img/vache.jpg).\n"
		"Le code `int x = 1;` et ``a ` b`` restent, <https://exemple.fr/auto> et <moi@exemple.fr> non.\n"
		"\n"
		"## Les chiffres\n"
		"\n"
		"- premier point\n"
		"* second point, [réf][1] et [Le Monde]\n"
		"+ troisième point, [texte][] et [vide](<url avec espaces>)\n"
		"1. un\n"
		"2) deux\n"
		"- [x] tâche faite\n"
		"\n"
		"> Une citation *importante*\n"
		"> > imbriquée.\n"
		"\n"
		"```python\n"
		"def secret(): return \"code\"\n"
		"```\n"
		"\n"
		"~~~\n"
		"autre code\n"
		"~~~\n"
		"\n"
		"| Ville | Pluie |\n"
		"|-------|------:|\n"
		"| Limoges | 12 mm |\n"
		"| Guéret | 8 \\| 9 mm |\n"
		"\n"
		"***\n"
		"- - -\n"
		"\n"
		"Du <span class=\"x\">HTML</span> en<em>ligne</em> et &eacute;t&eacute; &amp; &#233;&#xE9; &#146; &laquo;&nbsp;oui&nbsp;&raquo; &inconnu;.\n"
		"Un snake_case, 2 * 3, ~~barré~~, \\*pas emphase\\*, ***gras italique*** et **gras _ital_ gras**.\n"
		"Une note[^1].\n"
		"\n"
		"[1]: https://lemonde.fr/ref \"Titre\"\n"
		"[Le Monde]: <https://lemonde.fr>\n"
		"[texte]: /local.html\n"
		"[^1]: Le texte de la note.\n"
		"\n"
		"<!-- un commentaire\n"
		"sur deux lignes -->\n"
		"\n"
		"<script>\n"
		"var cache = \"script\";\n"
		"</script>\n"
		"<div class=\"encadre\">\n"
		"Texte de l’encadré.\n"
		"</div>\n";
	article a;
	if (md(&a, s) != 0)
		return;
	CHECK_STR(a.title, "Titre");
	const char *want =
		"Les éleveurs du Limousin font face à une sécheresse inédite, voir Météo-France et une vache. "
		"Le code int x = 1; et a ` b restent, et non.\n\n"
		"Les chiffres\n\n"
		"premier point\n\n"
		"second point, réf et Le Monde\n\n"
		"troisième point, texte et vide\n\n"
		"un\n\n"
		"deux\n\n"
		"tâche faite\n\n"
		"Une citation importante imbriquée.\n\n"
		"Ville Pluie Limoges 12 mm Guéret 8 | 9 mm\n\n"
		"Du HTML enligne et été & éé ’ «\u00A0oui\u00A0» &inconnu;. "
		"Un snake_case, 2 * 3, barré, *pas emphase*, gras italique et gras ital gras. Une note.\n\n"
		"Le texte de la note.\n\n"
		"Texte de l’encadré.";
	CHECK_STR(a.text, want);
	/* what must never reach the index */
	static const char *const absent[] = {
		"http", "meteo.fr", "img/", "vache.jpg", "**", "__", "#", "`int", "[", "]", "](", "lemonde.fr",
		"/local.html", "secret", "autre code", "cache", "commentaire", "<", ">", "---", "|-", "~~",
		"&eacute;", "encadre", "moi@", "[^1]", "Titre\"",
	};
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
		ABSENT(a.text, absent[i]);
	/* what must */
	static const char *const present[] = {"Météo-France", "une vache", "int x = 1;", "réf", "Le Monde",
					      "Le texte de la note."};
	for (size_t i = 0; i < sizeof present / sizeof present[0]; i++)
		PRESENT(a.text, present[i]);
	article_clear(&a);
}

static void test_emphasis(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"***tout***", "tout"},
		{"**gras *ital* gras**", "gras ital gras"},
		{"*ital **gras** ital*", "ital gras ital"},
		{"_a __b__ a_", "a b a"},
		{"**« Non », dit-il**", "« Non », dit-il"},
		{"*l’**été***", "l’été"},
		{"un_nom_de_fichier.txt", "un_nom_de_fichier.txt"},
		{"5 * 3 = 15 et 5 _ 3", "5 * 3 = 15 et 5 _ 3"},
		{"environ ~ 30 km", "environ ~ 30 km"},
		{"un **gras non fermé", "un gras non fermé"},
		{"`code **non** touché`", "code **non** touché"},
		{"`non fermé", "non fermé"},
		{"\\# \\* \\_ \\` \\[x\\]", "# * _ ` [x]"},
		{"[lien **gras**](u) et [*ital*][r]", "lien gras et ital"},
		{"[crochets] seuls et [^note]", "[crochets] seuls et"},
		{"a &lt;b&gt; c", "a <b> c"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char doc[256];
		snprintf(doc, sizeof doc, "Titre\n\n%s\n", cases[i].in);
		article a;
		if (md(&a, doc) != 0)
			continue;
		CHECK(strcmp(a.text, cases[i].want) == 0, "\"%s\": got \"%s\", want \"%s\"", cases[i].in, a.text,
		      cases[i].want);
		article_clear(&a);
	}
}

static void test_header_lines(void)
{
	article a;
	/* "par" and a date line after the title: taken out of the text */
	if (md(&a, "# Titre\n\n*Par Camille Lefèvre*\n12 avril 2023\n\nLe chapeau.\n\nLe corps.\n") == 0) {
		CHECK_STR(a.author, "Camille Lefèvre");
		CHECK_STR(a.date, "2023-04-12");
		CHECK_STR(a.text, "Le chapeau.\n\nLe corps.");
		CHECK(a.lead_len == strlen("Le chapeau."), "lead_len %zu", a.lead_len);
		article_clear(&a);
	}
	/* after the lead, as in the plain-text articles */
	if (md(&a, "# Titre\n\nLe chapeau.\n\npar Jean Dupont\n\nPublié le 3 mars 2022\n\nLe corps.\n") == 0) {
		CHECK_STR(a.author, "Jean Dupont");
		CHECK_STR(a.date, "2022-03-03");
		CHECK_STR(a.text, "Le chapeau.\n\nLe corps.");
		article_clear(&a);
	}
	/* the front matter's author wins; the "par" line is then text */
	if (md(&a, "---\nauthor: X Y\ndate: 2020-01-01\n---\n# T\n\npar Jean Dupont\n\n12 avril 2023\n\nCorps.\n") == 0) {
		CHECK_STR(a.author, "X Y");
		CHECK_STR(a.date, "2020-01-01");
		CHECK_STR(a.text, "par Jean Dupont\n\nCorps.");
		article_clear(&a);
	}
	/* sentences are not bylines */
	static const char *const not_bylines[] = {
		"Par ailleurs, la ville a voté.",
		"par exemple la mairie",
		"Par Jean Dupont, Marie Curie et les autres membres du jury.",
		"par Jean Dupont le 12 avril 2023 à Paris, devant la mairie de la ville",
		"par 3 voix contre 2",
	};
	for (size_t i = 0; i < sizeof not_bylines / sizeof not_bylines[0]; i++) {
		char doc[256];
		snprintf(doc, sizeof doc, "# T\n\n%s\n", not_bylines[i]);
		if (md(&a, doc) != 0)
			continue;
		CHECK(a.author == NULL, "\"%s\" taken as a byline: %s", not_bylines[i], a.author);
		CHECK_STR(a.text, not_bylines[i]);
		article_clear(&a);
	}
	/* header lines are looked for before the first subheading only */
	if (md(&a, "# T\n\nChapeau.\n\n## Partie\n\npar Jean Dupont\n") == 0) {
		CHECK(a.author == NULL, "author %s", a.author);
		article_clear(&a);
	}
}

static void test_line_ends(void)
{
	const char *lf = "---\ntitle: \"T\"\ntags: [a]\n---\n\n# Ignoré\n\nUn paragraphe\nsur deux lignes.\n\n- point\n\n```\ncode\n```\n\nFin.\n";
	char crlf[512], cr[512];
	size_t k = 0, m = 0;
	for (const char *p = lf; *p; p++) {
		if (*p == '\n') {
			crlf[k++] = '\r';
			cr[m++] = '\r';
			crlf[k++] = '\n';
		} else {
			crlf[k++] = *p;
			cr[m++] = *p;
		}
	}
	crlf[k] = cr[m] = '\0';
	article a, b, c;
	if (md(&a, lf) != 0 || md(&b, crlf) != 0 || md(&c, cr) != 0)
		return;
	CHECK_STR(a.title, "T");
	CHECK_STR(a.text, "Ignoré\n\nUn paragraphe sur deux lignes.\n\npoint\n\nFin.");
	CHECK_STR(b.title, a.title);
	CHECK_STR(b.text, a.text);
	CHECK_STR(b.tags, "a");
	CHECK_STR(c.title, a.title);
	CHECK_STR(c.text, a.text);
	CHECK(!strchr(b.text, '\r') && !strchr(b.title, '\r'), "CR left in the CRLF article");
	article_clear(&a);
	article_clear(&b);
	article_clear(&c);

	/* a BOM before the front matter */
	if (md(&a, "\xEF\xBB\xBF---\ntitle: Avec BOM\n---\nTexte.\n") == 0) {
		CHECK_STR(a.title, "Avec BOM");
		article_clear(&a);
	}
}

static void test_cp1252(void)
{
	/* a Markdown file saved by a Windows editor: the same article in 1252 bytes */
	const char *raw = "---\r\ntitle: \"L\x92\x9C" "uvre d\x92\xE9t\xE9\"\r\nauteur: H\xE9l\xE8ne Br\xFBl\xE9\r\n---\r\n\r\n"
			  "\xAB\xA0Oui\xA0\xBB, dit-elle \x96 **\xE0 10\xA0\x80** pr\xE8s.\r\n";
	char *out;
	size_t outlen;
	const char *enc;
	char reason[ARTICLE_REASON_LEN];
	int rc = encoding_decode(raw, strlen(raw), &out, &outlen, &enc, reason);
	CHECK(rc == 0 && out != NULL, "decoded: %s", reason);
	if (rc != 0 || !out)
		return;
	CHECK_STR(enc, "windows-1252");
	article a;
	if (reader_markdown(&a, out, outlen, reason) == 0) {
		CHECK_STR(a.title, "L’œuvre d’été");
		CHECK_STR(a.author, "Hélène Brûlé");
		CHECK_STR(a.text, "«\u00A0Oui\u00A0», dit-elle – à 10\u00A0€ près."); /* 1252's NBSP kept */
		article_clear(&a);
	} else {
		CHECK(0, "reader_markdown: %s", reason);
	}
	free(out);
}

static void test_empty_and_failures(void)
{
	article a;
	char reason[ARTICLE_REASON_LEN];
	CHECK(reader_markdown(&a, "", 0, reason) == -1, "empty");
	CHECK_STR(str(reason), "empty file");
	CHECK(reader_markdown(&a, " \n\r\n\t", 5, reason) == -1, "blank");
	CHECK_STR(str(reason), "empty file");
	CHECK(reader_markdown(&a, "\xEF\xBB\xBF\n", 4, reason) == -1, "BOM only");
	CHECK_STR(str(reason), "empty file");
	/* only code, only markup: no text to index */
	const char *code = "```\nrien que du code\n```\n";
	CHECK(reader_markdown(&a, code, strlen(code), reason) == -1, "code only");
	CHECK_STR(str(reason), "no text in the file");
	const char *rules = "---\n\n***\n<!-- x -->\n[a]: http://a.fr\n";
	CHECK(reader_markdown(&a, rules, strlen(rules), reason) == -1, "markup only");
	CHECK_STR(str(reason), "no text in the file");
	/* front matter alone: an article with a title and no text */
	if (md(&a, "---\ntitle: Seul\n---\n") == 0) {
		CHECK_STR(a.title, "Seul");
		CHECK_STR(a.text, "");
		CHECK(a.lead_len == 0, "lead_len %zu", a.lead_len);
		article_clear(&a);
	}
	/* the length is honoured: nothing after it is read */
	if (reader_markdown(&a, "# Titre\n\nTexte.XXXX", 15, reason) == 0) {
		CHECK_STR(a.text, "Texte.");
		article_clear(&a);
	}
	/* NUL and control bytes (when called without encoding_decode) do not reach fields */
	if (reader_markdown(&a, "Ti\0tre\n\nTe\x01xte\x1B.", 16, reason) == 0) {
		CHECK_STR(a.title, "Ti tre");
		CHECK_STR(a.text, "Te xte .");
		article_clear(&a);
	}
}

/* Inputs that make naive parsers quadratic; each must be read in well under a second
   (time measured as CPU time; the bound is loose for sanitizer builds). */
static void test_linear_time(void)
{
	static const char *const units[] = {
		"[a](", "[", "![", "`", "``` ", "<a ", "<a x=\"", "<!--", "&#", "*_", "> - ", "- ", "| ",
		"[^", "\\", "<http://", "](", "1. ", "    ", "#",
	};
	const size_t size = 200000;
	char *doc = malloc(size + 1);
	if (!doc)
		return;
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		size_t n = strlen(units[u]), k = 0;
		/* one long paragraph, then the same as many lines */
		for (int shape = 0; shape < 2; shape++) {
			for (k = 0; k + n + 1 <= size; k += n + (size_t)shape) {
				memcpy(doc + k, units[u], n);
				if (shape)
					doc[k + n] = '\n';
			}
			doc[k] = '\0';
			clock_t t0 = clock();
			article a;
			char reason[ARTICLE_REASON_LEN];
			if (reader_markdown(&a, doc, k, reason) == 0)
				article_clear(&a);
			double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
			CHECK(secs < 3.0, "\"%s\" x %zu (%s): %.2f s", units[u], size / n, shape ? "lines" : "one line",
			      secs);
		}
	}
	free(doc);
}

int main(void)
{
	test_yaml_front_matter();
	test_toml_front_matter();
	test_titles();
	test_bad_front_matter();
	test_markup();
	test_emphasis();
	test_header_lines();
	test_line_ends();
	test_cp1252();
	test_empty_and_failures();
	test_linear_time();
	return check_summary();
}
