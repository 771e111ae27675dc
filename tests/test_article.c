/*
 * The plain-text article reader (indexer/article_text.c): checking, header lines, dates,
 * line ends, and every article of corpus/.
 */
#include "check.h"
#include "indexer/article.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>

/* Parses a NUL-terminated article; the result must be cleared by the caller. */
static int parse(article *a, const char *s)
{
	return article_parse_text(a, s, strlen(s));
}

/* The date of a line, or NULL; valid until the next call. */
static const char *date_of(const char *s)
{
	static char out[11];
	return article_parse_date(s, strlen(s), out) == 0 ? out : NULL;
}

/* The reason article_check_text gives, or "" when it accepts the buffer. */
static const char *check_of(const char *s, size_t len)
{
	static char reason[ARTICLE_REASON_LEN];
	if (article_check_text(s, len, reason) == 0)
		return "";
	return reason;
}

static void test_seed_shape(void)
{
	const char *s = "Pourquoi les cigognes reviennent-elles plus tôt chaque année ?\n"
			"\n"
			"Depuis dix ans, les ornithologues notent des retours de plus en plus précoces.\n"
			"Le climat n’y est pas étranger.\n"
			"\n"
			"par\n"
			"Sébastien Durand\n"
			"Temps de lecture 2 min.\n"
			"\n"
			"Les premiers oiseaux ont été vus dès février.\n"
			"\n"
			"Un hiver trop doux\n"
			"\n"
			"Les zones humides n’ont pas gelé.\n"
			"Les insectes étaient là.\n"
			"\n"
			"Retrouvez toute l’actu sur notre site\n";
	article a;
	CHECK(parse(&a, s) == 0, "parse");
	CHECK_STR(a.title, "Pourquoi les cigognes reviennent-elles plus tôt chaque année ?");
	CHECK_STR(a.author, "Sébastien Durand");
	CHECK(a.date == NULL, "no date line, got %s", a.date ? a.date : "");
	const char *lead = "Depuis dix ans, les ornithologues notent des retours de plus en plus précoces. "
			   "Le climat n’y est pas étranger.";
	CHECK_STR(a.text, "Depuis dix ans, les ornithologues notent des retours de plus en plus précoces. "
			  "Le climat n’y est pas étranger.\n\n"
			  "Les premiers oiseaux ont été vus dès février.\n\n"
			  "Un hiver trop doux\n\n"
			  "Les zones humides n’ont pas gelé. Les insectes étaient là.\n\n"
			  "Retrouvez toute l’actu sur notre site");
	CHECK(a.lead_len == strlen(lead), "lead_len %zu, want %zu", a.lead_len, strlen(lead));
	CHECK(strstr(a.text, "lecture") == NULL, "reading time left in text");
	article_clear(&a);
	CHECK(a.title == NULL && a.text == NULL, "cleared");
	article_clear(&a); /* twice is harmless */
}

static void test_header_variants(void)
{
	article a;
	/* "par Name" on one line, then a date and a reading time in other forms */
	CHECK(parse(&a, "Titre\n\nLe chapeau.\n\npar Camille Lefèvre\nPublié le 3 mars 2024\n"
			"Lecture : 3 min\n\nLe corps.\n") == 0,
	      "parse");
	CHECK_STR(a.author, "Camille Lefèvre");
	CHECK_STR(a.date, "2024-03-03");
	CHECK_STR(a.text, "Le chapeau.\n\nLe corps.");
	CHECK(a.lead_len == strlen("Le chapeau."), "lead_len %zu", a.lead_len);
	article_clear(&a);

	/* header lines right under the title, before the lead, no blank lines around them */
	CHECK(parse(&a, "Titre\nPAR Jean-Pierre de La Tour\n12/04/2023 à 14:30\n3 min de lecture\n\n"
			"Le chapeau.\n\nLe corps.\n") == 0,
	      "parse");
	CHECK_STR(a.author, "Jean-Pierre de La Tour");
	CHECK_STR(a.date, "2023-04-12");
	CHECK_STR(a.text, "Le chapeau.\n\nLe corps.");
	article_clear(&a);

	/* header lines glued to the end of the lead, after a finished sentence */
	CHECK(parse(&a, "Titre\n\nLe chapeau finit ici.\npar Élodie Marchand\n2023-04-12\n\nLe corps.\n") == 0,
	      "parse");
	CHECK_STR(a.author, "Élodie Marchand");
	CHECK_STR(a.date, "2023-04-12");
	CHECK_STR(a.text, "Le chapeau finit ici.\n\nLe corps.");
	article_clear(&a);

	/* a publication date and an update date: the first one is kept, both are removed */
	CHECK(parse(&a, "Titre\n\nChapeau.\n\npar\nA. Martin\nPublié le 2 mai 2023\n"
			"Mis à jour le 4 mai 2023 à 8h10\n\nCorps.\n") == 0,
	      "parse");
	CHECK_STR(a.author, "A. Martin");
	CHECK_STR(a.date, "2023-05-02");
	CHECK_STR(a.text, "Chapeau.\n\nCorps.");
	article_clear(&a);
}

static void test_not_an_author(void)
{
	article a;
	/* a body sentence that starts with "Par exemple," right after the lead */
	CHECK(parse(&a, "Titre\n\nChapeau.\n\nPar exemple, les distances de sécurité doivent être doublées.\n"
			"\nSuite.\n") == 0,
	      "parse");
	CHECK(a.author == NULL, "author %s", a.author);
	CHECK_STR(a.text, "Chapeau.\n\nPar exemple, les distances de sécurité doivent être doublées.\n\nSuite.");
	article_clear(&a);

	/* short, but ends like a sentence */
	CHECK(parse(&a, "Titre\n\nChapeau.\n\nPar exemple, non.\n\nSuite.\n") == 0, "parse");
	CHECK(a.author == NULL, "author %s", a.author);
	article_clear(&a);

	/* "par" alone followed by a sentence, and a lowercase subheading */
	CHECK(parse(&a, "Titre\n\nChapeau.\n\npar\nla suite des événements, on verra bien.\n\nSuite.\n") == 0,
	      "parse");
	CHECK(a.author == NULL, "author %s", a.author);
	CHECK_STR(a.text, "Chapeau.\n\npar la suite des événements, on verra bien.\n\nSuite.");
	article_clear(&a);
	CHECK(parse(&a, "Titre\n\nChapeau.\n\nPar ailleurs\n\nSuite.\n") == 0, "parse");
	CHECK(a.author == NULL, "author %s", a.author);
	article_clear(&a);

	/* a hard-wrapped lead whose next line starts with "par": one sentence, kept */
	CHECK(parse(&a, "Titre\n\nDes milliers de manifestants ont défilé\npar Paris et Lyon ce samedi.\n\n"
			"par Anne Roy\n\nCorps.\n") == 0,
	      "parse");
	CHECK_STR(a.author, "Anne Roy");
	CHECK(a.lead_len == strlen("Des milliers de manifestants ont défilé par Paris et Lyon ce samedi."),
	      "lead_len %zu", a.lead_len);
	article_clear(&a);

	/* header lines are only looked for before the body: later ones are text */
	CHECK(parse(&a, "Titre\n\nChapeau.\n\nCorps.\n\npar Anne Roy\n12 avril 2023\n") == 0, "parse");
	CHECK(a.author == NULL && a.date == NULL, "header line taken from the body");
	CHECK_STR(a.text, "Chapeau.\n\nCorps.\n\npar Anne Roy 12 avril 2023");
	article_clear(&a);

	/* a line after "par" that is really a date is not a name */
	CHECK(parse(&a, "Titre\n\nChapeau.\n\npar\nPublié le 3 mars 2024\n\nCorps.\n") == 0, "parse");
	CHECK(a.author == NULL, "author %s", a.author);
	article_clear(&a);
}

static void test_dates(void)
{
	CHECK_STR(date_of("2023-04-12"), "2023-04-12");
	CHECK_STR(date_of("12/04/2023"), "2023-04-12");
	CHECK_STR(date_of("1/4/2023"), "2023-04-01");
	CHECK_STR(date_of("12.04.2023"), "2023-04-12");
	CHECK_STR(date_of("12 avril 2023"), "2023-04-12");
	CHECK_STR(date_of("1er mai 2023"), "2023-05-01");
	CHECK_STR(date_of("1ER MAI 2023"), "2023-05-01");
	CHECK_STR(date_of("Publié le 3 mars 2024"), "2024-03-03");
	CHECK_STR(date_of("publie le 3 mars 2024"), "2024-03-03");
	CHECK_STR(date_of("mardi 12 avril 2023"), "2023-04-12");
	CHECK_STR(date_of("Mardi, 12 avril 2023"), "2023-04-12");
	CHECK_STR(date_of("Le 12 avril 2023"), "2023-04-12");
	CHECK_STR(date_of("Mis à jour le 12/04/2023 à 14:30"), "2023-04-12");
	CHECK_STR(date_of("Mis en ligne le 12 avril 2023 à 14h30"), "2023-04-12");
	CHECK_STR(date_of("12 avril 2023 à 14 h 30"), "2023-04-12");
	CHECK_STR(date_of("12 avril 2023 14:30"), "2023-04-12");
	CHECK_STR(date_of("12 avril 2023 - 14h"), "2023-04-12");
	CHECK_STR(date_of("Publié le 12 avril 2023, mis à jour le 13 avril 2023 à 9h05"), "2023-04-12");
	CHECK_STR(date_of("2023-04-12T14:30:00+02:00"), "2023-04-12");
	CHECK_STR(date_of("  12 avril 2023.  "), "2023-04-12");
	CHECK_STR(date_of("12\xC2\xA0" "avril\xE2\x80\xAF" "2023"), "2023-04-12"); /* no-break spaces */
	CHECK_STR(date_of("12 févr. 2024"), "2024-02-12");
	/* month names with and without accents, any case */
	CHECK_STR(date_of("3 février 2024"), "2024-02-03");
	CHECK_STR(date_of("3 fevrier 2024"), "2024-02-03");
	CHECK_STR(date_of("3 FÉVRIER 2024"), "2024-02-03");
	CHECK_STR(date_of("3 Février 2024"), "2024-02-03");
	CHECK_STR(date_of("15 août 2023"), "2023-08-15");
	CHECK_STR(date_of("15 aout 2023"), "2023-08-15");
	CHECK_STR(date_of("25 décembre 2023"), "2023-12-25");
	CHECK_STR(date_of("25 decembre 2023"), "2023-12-25");
	CHECK_STR(date_of("29/02/2024"), "2024-02-29"); /* leap year */
	CHECK_STR(date_of("1 janvier 1800"), "1800-01-01");
	CHECK_STR(date_of("31 décembre 2200"), "2200-12-31");

	/* invalid dates */
	CHECK(date_of("31/02/2023") == NULL, "31/02/2023");
	CHECK(date_of("29/02/2023") == NULL, "29/02/2023");
	CHECK(date_of("29/02/1900") == NULL, "29/02/1900");
	CHECK(date_of("2023-13-01") == NULL, "2023-13-01");
	CHECK(date_of("2023-00-10") == NULL, "2023-00-10");
	CHECK(date_of("2023-04-31") == NULL, "2023-04-31");
	CHECK(date_of("0 avril 2023") == NULL, "0 avril");
	CHECK(date_of("32 janvier 2023") == NULL, "32 janvier");
	CHECK(date_of("12 avril 1799") == NULL, "1799");
	CHECK(date_of("12 avril 2201") == NULL, "2201");
	CHECK(date_of("12 avril 2023 à 25h00") == NULL, "25h00");
	/* not date lines */
	CHECK(date_of("") == NULL, "empty");
	CHECK(date_of("Publié le") == NULL, "prefix only");
	CHECK(date_of("12 avril") == NULL, "no year");
	CHECK(date_of("avril 2023") == NULL, "no day");
	CHECK(date_of("12 avrol 2023") == NULL, "misspelt month");
	CHECK(date_of("2023") == NULL, "year alone");
	CHECK(date_of("12/04/23") == NULL, "two-digit year");
	CHECK(date_of("Le 12 avril 2023, le gouvernement a présenté son plan.") == NULL, "sentence");
	CHECK(date_of("Temps de lecture 2 min.") == NULL, "reading time");

	/* the length is honoured: a date cut short is not a date */
	char out[11];
	CHECK(article_parse_date("12 avril 2023", 8, out) == -1, "cut");
	CHECK(article_parse_date("2023-04-12 suite", 10, out) == 0 && strcmp(out, "2023-04-12") == 0, "prefix");
}

static void test_line_ends_and_bom(void)
{
	article a;
	const char *crlf = "Titre\r\n\r\nLe chapeau,\r\nsur deux lignes.\r\n\r\npar\r\nAnne Roy\r\n"
			   "12 avril 2023\r\nTemps de lecture 2 min.\r\n\r\nLe corps.\r\n";
	CHECK(parse(&a, crlf) == 0, "parse");
	CHECK_STR(a.title, "Titre");
	CHECK_STR(a.author, "Anne Roy");
	CHECK_STR(a.date, "2023-04-12");
	CHECK_STR(a.text, "Le chapeau, sur deux lignes.\n\nLe corps.");
	CHECK(strchr(a.text, '\r') == NULL, "CR left in text");
	article_clear(&a);

	/* lone CRs (old Mac files) end lines too */
	CHECK(parse(&a, "Titre\r\rChapeau.\r\rCorps.") == 0, "parse");
	CHECK_STR(a.text, "Chapeau.\n\nCorps.");
	article_clear(&a);

	const char *bom = "\xEF\xBB\xBFTitre\n\nChapeau.\n";
	CHECK_STR(check_of(bom, strlen(bom)), "");
	CHECK(parse(&a, bom) == 0, "parse");
	CHECK_STR(a.title, "Titre");
	CHECK_STR(a.text, "Chapeau.");
	article_clear(&a);

	/* blank lines made of spaces, tabs and no-break spaces; trimmed title */
	CHECK(parse(&a, "\n \t\n\xC2\xA0 Titre \t\n \n\tChapeau.  \n\xE2\x80\xAF\nCorps.\n") == 0, "parse");
	CHECK_STR(a.title, "Titre");
	CHECK_STR(a.text, "Chapeau.\n\nCorps.");
	article_clear(&a);
}

static void test_small_files(void)
{
	article a;
	/* no date, no author */
	CHECK(parse(&a, "Titre\n\nChapeau.\n\nCorps.\n") == 0, "parse");
	CHECK(a.date == NULL && a.author == NULL, "no header");
	CHECK_STR(a.text, "Chapeau.\n\nCorps.");
	article_clear(&a);

	/* title only, with and without a newline */
	CHECK(parse(&a, "Seulement un titre\n") == 0, "parse");
	CHECK_STR(a.title, "Seulement un titre");
	CHECK_STR(a.text, "");
	CHECK(a.lead_len == 0, "lead_len %zu", a.lead_len);
	article_clear(&a);
	CHECK(parse(&a, "Seulement un titre") == 0, "parse");
	CHECK_STR(a.title, "Seulement un titre");
	CHECK_STR(a.text, "");
	article_clear(&a);

	/* title and lead only: the whole text is the lead */
	CHECK(parse(&a, "Titre\n\nChapeau seul.") == 0, "parse");
	CHECK_STR(a.text, "Chapeau seul.");
	CHECK(a.lead_len == strlen("Chapeau seul."), "lead_len %zu", a.lead_len);
	article_clear(&a);

	/* nothing at all still gives non-NULL fields */
	CHECK(article_parse_text(&a, "", 0) == 0, "parse");
	CHECK_STR(a.title, "");
	CHECK_STR(a.text, "");
	article_clear(&a);
}

static void test_check(void)
{
	CHECK_STR(check_of("", 0), "empty file");
	CHECK_STR(check_of(" \n\t\r\n  ", 7), "empty file");
	CHECK_STR(check_of("\xC2\xA0\n\xE2\x80\xAF", 6), "empty file");
	CHECK_STR(check_of("\xEF\xBB\xBF\n", 4), "empty file");
	CHECK_STR(check_of("Un titre\n", 9), "");
	CHECK_STR(check_of("abc\0def", 7), "binary file (NUL byte at offset 3)");
	CHECK_STR(check_of("\0", 1), "binary file (NUL byte at offset 0)");

	/* a Latin-1 é on the third line */
	const char *latin1 = "Titre\n\nLe caf\xE9 est servi.\n";
	CHECK_STR(check_of(latin1, strlen(latin1)), "not valid UTF-8 (invalid byte 0xE9 at offset 13, line 3)");
	/* ... and at the very end: a lone lead byte reads as Latin-1, not as a cut sequence */
	CHECK_STR(check_of("caf\xE9", 4), "not valid UTF-8 (invalid byte 0xE9 at offset 3, line 1)");
	CHECK_STR(check_of("\x80", 1), "not valid UTF-8 (invalid byte 0x80 at offset 0, line 1)");
	CHECK_STR(check_of("a\xFF", 2), "not valid UTF-8 (invalid byte 0xFF at offset 1, line 1)");
	CHECK_STR(check_of("\xF5\x80\x80\x80", 4), "not valid UTF-8 (code point above U+10FFFF at offset 0, line 1)");
	/* overlong forms of '/' */
	CHECK_STR(check_of("a\xC0\xAF", 3), "not valid UTF-8 (overlong encoding at offset 1, line 1)");
	CHECK_STR(check_of("\n\xE0\x80\xAF", 4), "not valid UTF-8 (overlong encoding at offset 1, line 2)");
	CHECK_STR(check_of("\xF0\x80\x80\xAF", 4), "not valid UTF-8 (overlong encoding at offset 0, line 1)");
	/* surrogates and beyond U+10FFFF */
	CHECK_STR(check_of("\xED\xA0\x80", 3), "not valid UTF-8 (UTF-16 surrogate at offset 0, line 1)");
	CHECK_STR(check_of("\xF4\x90\x80\x80", 4), "not valid UTF-8 (code point above U+10FFFF at offset 0, line 1)");
	/* truncated multibyte sequences at the end of the buffer */
	CHECK_STR(check_of("abc\xE2\x82", 5), "not valid UTF-8 (truncated sequence at offset 3, line 1)");
	CHECK_STR(check_of("abc\xF0\x9F\x98", 6), "not valid UTF-8 (truncated sequence at offset 3, line 1)");
	/* ... and in the middle */
	CHECK_STR(check_of("\xE2\x82 x", 4), "not valid UTF-8 (invalid byte 0xE2 at offset 0, line 1)");
	/* the largest and smallest of each length pass */
	const char *ok = "\x7F \xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBF "
			 "\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF \xE2\x80\x99";
	CHECK_STR(check_of(ok, strlen(ok)), "");
	/* the length is honoured: the NUL after the buffer is not read */
	CHECK_STR(check_of("abc", 3), "");
	CHECK(article_check_text("", 0, (char[ARTICLE_REASON_LEN]){0}) == -1, "empty");
	/* ASCII is checked eight bytes at a time: a bad byte, or a good sequence, at every
	   offset of buffers of every length around that stride is found where it is */
	for (size_t len = 1; len <= 40; len++) {
		for (size_t at = 0; at < len; at++) {
			char buf[48], want[ARTICLE_REASON_LEN];
			memset(buf, 'a', len);
			buf[at] = (char)0xE9;
			snprintf(want, sizeof want, "not valid UTF-8 (invalid byte 0xE9 at offset %zu, line 1)", at);
			CHECK_STR(check_of(buf, len), want);
			if (at + 2 <= len) {
				buf[at] = (char)0xC3; /* é */
				buf[at + 1] = (char)0xA9;
				CHECK_STR(check_of(buf, len), "");
			}
		}
	}
}

/* ---- the corpus -------------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *t = realloc(buf, cap *= 2);
			if (!t)
				free(buf);
			buf = t;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static int parse_file(article *a, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/corpus/%s", FOUILLE_SOURCE_DIR, name);
	size_t len;
	char *buf = read_all(path, &len);
	if (!buf)
		return -1;
	char reason[ARTICLE_REASON_LEN];
	int rc = article_check_text(buf, len, reason);
	CHECK(rc == 0, "%s: %s", name, reason);
	if (rc == 0)
		rc = article_parse_text(a, buf, len);
	free(buf);
	return rc;
}

/* Articles written without a date line (see docs/corpus.md). */
static const char *const undated[] = {
	"economie-energie-factures-pme.txt",
	"culture-exposition-peintres-oubliees.txt",
	"faits-divers-randonneurs-secourus-pyrenees.txt",
};

static void test_corpus(void)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/corpus", FOUILLE_SOURCE_DIR);
	DIR *d = opendir(dir);
	CHECK(d != NULL, "cannot open %s", dir);
	if (!d)
		return;
	int files = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0)
			continue;
		files++;
		article a;
		if (parse_file(&a, e->d_name) != 0) {
			CHECK(0, "%s: not parsed", e->d_name);
			continue;
		}
		bool dated = true;
		for (size_t i = 0; i < sizeof undated / sizeof undated[0]; i++)
			dated = dated && strcmp(e->d_name, undated[i]) != 0;
		CHECK(a.title && a.title[0], "%s: no title", e->d_name);
		CHECK(a.text && strlen(a.text) > 500, "%s: text too short", e->d_name);
		CHECK(a.author && a.author[0], "%s: no author", e->d_name);
		CHECK(dated ? a.date != NULL : a.date == NULL, "%s: date %s", e->d_name, a.date ? a.date : "none");
		CHECK(a.lead_len > 0 && (a.text[a.lead_len] == '\0' || a.text[a.lead_len] == '\n'),
		      "%s: lead_len %zu", e->d_name, a.lead_len);
		CHECK(!strstr(a.text, "de lecture") && !strstr(a.text, "Lecture"), "%s: reading time in text",
		      e->d_name);
		CHECK(!a.author || !strstr(a.text, a.author), "%s: author in text", e->d_name);
		article_clear(&a);
	}
	closedir(d);
	CHECK(files >= 32, "%d articles in corpus/", files);

	/* a few articles whose header lines we know */
	static const struct {
		const char *file, *date, *author;
	} known[] = {
		{"politique-reforme-retraites.txt", "2023-04-12", "Jean-Pierre Morel"},   /* 12 avril 2023 */
		{"economie-inflation-panier-courses.txt", "2023-04-12", "Karim Benali"},  /* 12/04/2023 */
		{"sport-us-montclar-derby.txt", "2023-10-22", "Olivier Da Silva"},	   /* Publié le ... à 9h15 */
		{"culture-patrimoine-beffroi-cloches.txt", "2023-05-01", "Élodie Marchand"}, /* 1er mai 2023 */
		{"politique-securite-police-municipale.txt", "2023-11-14", "Antoine Roussel"}, /* mardi ... */
		{"international-ue-pacte-asile-migration.txt", "2023-12-20", "Hugo Lemoine"}, /* Mis à jour le */
		{"economie-greve-sncf-accord.txt", "2024-02-27", "Thomas Girard"},	   /* 2024-02-27, par X */
		{"politique-election-presidentielle-sondage.txt", "2026-03-08", "Camille Lefèvre"},
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		article a;
		if (parse_file(&a, known[i].file) != 0) {
			CHECK(0, "%s: not parsed", known[i].file);
			continue;
		}
		CHECK_STR(a.date, known[i].date);
		CHECK_STR(a.author, known[i].author);
		article_clear(&a);
	}

	article a;
	/* the word "carillon" is in this title and nowhere in the text */
	if (parse_file(&a, "culture-patrimoine-beffroi-cloches.txt") == 0) {
		CHECK(strstr(a.title, "carillon") != NULL, "title %s", a.title);
		CHECK(strstr(a.text, "carillon") == NULL, "carillon in text");
		CHECK(strstr(a.text, "Un chantier hors norme\n\n") != NULL, "subheading lost");
		article_clear(&a);
	}
	/* "Par exemple, ..." starts a body paragraph there and stays in the text */
	if (parse_file(&a, "faits-divers-carambolage-a10-brouillard.txt") == 0) {
		CHECK_STR(a.author, "Jean-Pierre Morel");
		CHECK(strstr(a.text, "\n\nPar exemple, les distances") != NULL, "Par exemple lost");
		article_clear(&a);
	}
}

int main(void)
{
	test_seed_shape();
	test_header_variants();
	test_not_an_author();
	test_dates();
	test_line_ends_and_bom();
	test_small_files();
	test_check();
	test_corpus();
	return check_summary();
}
