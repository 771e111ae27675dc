/*
 * The collapse signature (indexer/extras.c): near-duplicates share it, different
 * stories do not.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "indexer/extras.h"

static analyzer *an;

#define LEAD "Le président russe Vladimir Poutine a annoncé mardi un grand événement " \
	     "diplomatique à Moscou, en présence de plusieurs chefs d’État africains."
#define BODY "Selon le Kremlin, la rencontre doit se tenir au début de l’été et portera " \
	     "sur les livraisons de céréales, la sécurité alimentaire et les accords "      \
	     "énergétiques signés l’an dernier. Les diplomates occidentaux suivent ces "     \
	     "préparatifs avec attention.\n\nLes ministres des Affaires étrangères de "     \
	     "plusieurs pays africains ont confirmé leur venue, tandis que d’autres "           \
	     "attendent encore des garanties sur le financement des projets agricoles."

static const char *sig(const char *text, char buf[EXTRAS_SIGNATURE_LEN + 1])
{
	int rc = extras_signature(an, text, strlen(text), buf);
	CHECK(rc >= 0, "extras_signature failed on \"%.40s\"", text);
	return buf;
}

static void test_near_duplicates(void)
{
	char a[EXTRAS_SIGNATURE_LEN + 1], b[EXTRAS_SIGNATURE_LEN + 1];
	const char *orig = LEAD "\n\n" BODY;
	CHECK(extras_signature(an, orig, strlen(orig), a) == 1, "a story has a signature");
	CHECK(strlen(a) == EXTRAS_SIGNATURE_LEN, "16 hex digits: %s", a);

	static const char *const copies[] = {
		/* a sentence added at the end */
		LEAD "\n\n" BODY " Une phrase ajoutée à la fin par la rédaction.",
		/* another paragraph added at the end */
		LEAD "\n\n" BODY "\n\nPlusieurs capitales européennes n’enverront personne.",
		/* whitespace, apostrophes, punctuation, case and accents retyped (not `à` as
		   `a`: `a` is a word, `à` a stopword) */
		"Le président russe  Vladimir Poutine a annoncé, mardi, un grand evenement "
		"diplomatique à Moscou en presence de plusieurs chefs d'Etat africains !\n\n\n"
		"SELON LE KREMLIN, la rencontre doit se tenir au début de l'été ; et portera "
		"sur les livraisons de céréales - la sécurité alimentaire - et les accords "
		"énergétiques signés l'an dernier... Les diplomates occidentaux suivent ces "
		"préparatifs avec attention.\n\nLes ministres des Affaires étrangères de plusieurs "
		"pays africains ont confirmé leur venue, tandis que d'autres attendent encore des "
		"garanties sur le financement des projets agricoles.",
		/* a byline, a dateline and a reading time as header paragraphs */
		"Par Jean Martin\n\nPublié le 13 avril 2023 à 10 h 30\n\nLecture : 2 min\n\n" LEAD
		"\n\n" BODY,
	};
	for (size_t i = 0; i < sizeof copies / sizeof *copies; i++)
		CHECK(!strcmp(sig(copies[i], b), a), "copy %zu: %s vs %s", i, b, a);
	/* A figure updated: numbers do not count. */
	CHECK(!strcmp(sig("Le bilan est de 12 morts. " LEAD "\n\n" BODY, a),
		      sig("Le bilan est de 14 morts. " LEAD "\n\n" BODY, b)),
	      "figures: %s vs %s", a, b);
	sig(LEAD "\n\n" BODY, a);
	/* Paragraph breaks as the readers write them, or not at all. */
	CHECK(!strcmp(sig(LEAD " " BODY, b), a), "one paragraph: %s vs %s", b, a);
}

static void test_short_story(void)
{
	/* A short story (25 content terms: its first 16 make the signature) keeps it with
	   a sentence added at the end. */
	char a[EXTRAS_SIGNATURE_LEN + 1], b[EXTRAS_SIGNATURE_LEN + 1];
	const char *t = "Le conseil municipal de Clermont a voté jeudi le budget participatif, doté de "
			"deux millions d’euros.\n\nLes projets retenus concernent les pistes cyclables, les "
			"jardins partagés et les aires de jeux rénovées.";
	CHECK(extras_signature(an, t, strlen(t), a) == 1, "a short story has a signature");
	char more[1024];
	snprintf(more, sizeof more, "%s Le vote des habitants aura lieu au printemps.", t);
	CHECK(!strcmp(sig(more, b), a), "short story and a sentence: %s vs %s", b, a);
	/* but its first 16 terms are all it is known by */
	snprintf(more, sizeof more, "%s", t);
	char *p = strstr(more, "aires de jeux");
	if (p)
		memcpy(p, "cours", strlen("cours"));
	CHECK(!strcmp(sig(more, b), a), "a change after the 16th term: same signature");
	p = strstr(more, "Clermont");
	if (p)
		memcpy(p, "Grenoble", strlen("Grenoble"));
	CHECK(strcmp(sig(more, b), a) != 0, "a change in the first terms: another signature");
}

static void test_different_stories(void)
{
	char a[EXTRAS_SIGNATURE_LEN + 1], b[EXTRAS_SIGNATURE_LEN + 1];
	sig(LEAD "\n\n" BODY, a);
	static const char *const others[] = {
		"Le festival de musique de Nantes a attiré plus de 40 000 spectateurs ce "
		"week-end, un événement record pour la ville. Les organisateurs se félicitent "
		"d’une fréquentation en hausse et d’une programmation saluée par la critique.",
		/* the same subject, other words */
		"Vladimir Poutine recevra cet été à Moscou plusieurs chefs d’État africains, a "
		"indiqué le Kremlin. Au menu : céréales, engrais et accords énergétiques, sous "
		"le regard inquiet des diplomates occidentaux.",
		/* the same first sentence, then another story */
		"Le président russe Vladimir Poutine a annoncé mardi un grand remaniement du "
		"gouvernement à Moscou, en présence de plusieurs ministres. " BODY,
	};
	for (size_t i = 0; i < sizeof others / sizeof *others; i++)
		CHECK(strcmp(sig(others[i], b), a) != 0, "story %zu shares %s", i, a);
}

static void test_short_texts(void)
{
	char a[EXTRAS_SIGNATURE_LEN + 1];
	/* too little text to tell stories apart (under 22 content terms): no signature, so
	   no collapse */
	CHECK(extras_signature(an, "", 0, a) == 0 && !*a, "empty text");
	const char *t = "Mise à jour à venir.";
	CHECK(extras_signature(an, t, strlen(t), a) == 0 && !*a, "short text: %s", a);
	t = "2023 2024 12 000 3,5";
	CHECK(extras_signature(an, t, strlen(t), a) == 0, "numbers only");
	t = "Captures d’écran des options\n\nAide LibreOffice\n\nModule\n\nContenu\n\nIndex\n\n"
	    "Help content debug info: this page is text shared options screenshots.";
	CHECK(extras_signature(an, t, strlen(t), a) == 0, "a stub page: %s", a);
	/* A text made only of short paragraphs has its signature from them, past the
	   first three; two such texts differing after them differ. */
	char b[EXTRAS_SIGNATURE_LEN + 1];
	const char *x = "Menu Fichier\n\nAide\n\nSommaire\n\nOuvrir un fichier existant\n\nEnregistrer "
			"le fichier courant\n\nImprimer la page active\n\nFermer la fenêtre\n\n"
			"Quitter le programme\n\nRécemment ouverts\n\nExporter en PDF\n\nEnvoyer par courriel\n\n"
			"Propriétés du document\n\nSignatures numériques\n\nModèles enregistrés";
	const char *y = "Menu Fichier\n\nAide\n\nSommaire\n\nCopier la sélection courante\n\nColler "
			"le contenu copié\n\nDéplacer les calques actifs\n\nFermer la fenêtre\n\n"
			"Quitter le programme\n\nRécemment ouverts\n\nExporter en PDF\n\nEnvoyer par courriel\n\n"
			"Propriétés du document\n\nSignatures numériques\n\nModèles enregistrés";
	CHECK(extras_signature(an, x, strlen(x), a) == 1, "short paragraphs: a signature");
	CHECK(extras_signature(an, y, strlen(y), b) == 1 && strcmp(a, b) != 0,
	      "short paragraphs after the header differ: %s %s", a, b);
	/* ... and the same boilerplate footer after a short header does not make two
	   pages one */
	x = "Lave\n\nFiltres de rendu\n\nVue d’ensemble\n\nOn accède à ce filtre par le menu.\n\n"
	    "Signaler une erreur dans la documentation de GIMP, merci de votre aide précieuse "
	    "pour améliorer ce manuel que des bénévoles écrivent et traduisent depuis vingt "
	    "ans dans le monde entier, avec les graphistes et les développeurs du projet";
	y = "Enregistrer\n\nLe menu Fichier\n\nVue d’ensemble\n\nCette commande ouvre la section.\n\n"
	    "Signaler une erreur dans la documentation de GIMP, merci de votre aide précieuse "
	    "pour améliorer ce manuel que des bénévoles écrivent et traduisent depuis vingt "
	    "ans dans le monde entier, avec les graphistes et les développeurs du projet";
	CHECK(extras_signature(an, x, strlen(x), a) == 1 && extras_signature(an, y, strlen(y), b) == 1,
	      "short pages with a footer have signatures");
	CHECK(strcmp(a, b) != 0, "same footer: %s %s", a, b);
}

/* ---- the extras gathered from the indexing pass ------------------------------------ */

typedef struct feed {
	extras *x;
	int title;
} feed;

static int feed_token(const analyzer_token *t, void *ud)
{
	feed *f = ud;
	if (f->title)
		extras_title_token(f->x, t);
	else
		extras_text_token(f->x, t);
	return 0;
}

/* Title then text, positions running on with a gap, as update.c's write_article does. */
static void feed_article(extras *x, const char *title, const char *text)
{
	feed f = {x, 1};
	uint32_t pos = 0;
	extras_begin(x, title, text);
	CHECK(analyzer_run(an, title, strlen(title), &pos, feed_token, &f) == 0, "title");
	pos += 100;
	f.title = 0;
	CHECK(analyzer_run(an, text, strlen(text), &pos, feed_token, &f) == 0, "text");
}

static int join_word(const char *word, int caps, void *ud)
{
	char *out = ud;
	if (caps)
		strcat(out, "^"); /* written with a capital initial everywhere */
	strcat(out, word);
	strcat(out, " ");
	return 0;
}

static void test_one_pass(void)
{
	extras *x = extras_new();
	CHECK(x != NULL, "extras_new");
	if (!x)
		return;
	/* the signature from the tokens of the indexing pass is the text's own */
	const char *text = LEAD "\n\n" BODY;
	char a[EXTRAS_SIGNATURE_LEN + 1], b[EXTRAS_SIGNATURE_LEN + 1];
	feed_article(x, "Poutine reçoit à Moscou", text);
	CHECK(extras_get_signature(x, a) == 1, "a signature");
	sig(text, b);
	CHECK(strcmp(a, b) == 0, "one pass %s, its own pass %s", a, b);
	CHECK(extras_get_signature(x, b) == 1 && strcmp(a, b) == 0, "asked twice, the same");
	/* ... and the title is not part of it */
	feed_article(x, "Un tout autre titre", text);
	CHECK(extras_get_signature(x, b) == 1 && strcmp(a, b) == 0, "title left out: %s %s", a, b);

	/* spelling words: title and text, each once, in the order met; letters only, three
	   characters at least, accents kept, elisions and stopwords out */
	char words[4096] = "";
	feed_article(x, "L’été des réfugiés", "Réfugiés et migrants : l’été 2023, les réfugiés x2000 ont ri.");
	extras_each_word(x, join_word, words);
	CHECK(strcmp(words, "été réfugiés migrants ") == 0, "%s", words);
	/* a short article after a long one: only its own words (the set is emptied) */
	words[0] = '\0';
	feed_article(x, "Grève", "La grève continue.");
	extras_each_word(x, join_word, words);
	CHECK(strcmp(words, "grève continue ") == 0, "%s", words);
	CHECK(extras_get_signature(x, a) == 0 && !*a, "short text: no signature");
	/* many articles: the generation that empties the set never lets an old word back */
	for (int i = 0; i < 300; i++) {
		words[0] = '\0';
		feed_article(x, i % 2 ? "Printemps" : "Automne", "Hiver");
		extras_each_word(x, join_word, words);
		CHECK(strcmp(words, i % 2 ? "^printemps ^hiver " : "^automne ^hiver ") == 0, "%d: %s", i, words);
	}
	/* caps (^): a word written with a capital initial everywhere in the article, title
	   included; the initial past an elided article, a word's own apostrophe kept */
	words[0] = '\0';
	feed_article(x, "L’Ukraine et l'économie",
		     "Kharkiv, en Ukraine. Selon Kharkiv, aujourd'hui. Aujourd'hui, selon l’ÉCONOMIE.");
	extras_each_word(x, join_word, words);
	CHECK(strcmp(words, "^ukraine économie ^kharkiv selon aujourd'hui ") == 0, "%s", words);
	extras_free(x);
	extras_free(NULL);
}

int main(void)
{
	an = analyzer_new();
	if (!an) {
		fprintf(stderr, "analyzer_new failed\n");
		return 1;
	}
	test_near_duplicates();
	test_short_story();
	test_different_stories();
	test_short_texts();
	test_one_pass();
	analyzer_free(an);
	return check_summary();
}
