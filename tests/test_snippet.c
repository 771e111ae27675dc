/*
 * Snippets: which passage is chosen, where it is cut, what lights up, and that the
 * output is always valid UTF-8 within its budget of characters.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "search/snippet.h"

static analyzer *an;

#define ELLIPSIS "\xE2\x80\xA6"

static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* Characters of the passage itself: without the "…" (and its space) on either side. */
static size_t passage_chars(const snippet *s)
{
	const char *p = s->text, *e = s->text + s->len;
	if (e - p >= 3 && !memcmp(p, ELLIPSIS, 3))
		p += (e - p >= 4 && p[3] == ' ') ? 4 : 3;
	if (e - p >= 3 && !memcmp(e - 3, ELLIPSIS, 3))
		e -= (e - p >= 4 && e[-4] == ' ') ? 4 : 3;
	return utf8_chars(p, (size_t)(e - p));
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !memcmp(s + a - b, suffix, b);
}

/* Common invariants of every snippet. */
static void check_shape(const snippet *s, size_t budget)
{
	CHECK(s->text != NULL, "text");
	if (!s->text)
		return;
	CHECK(strlen(s->text) == s->len, "len %zu vs strlen %zu", s->len, strlen(s->text));
	CHECK(utf8_valid(s->text, s->len), "invalid UTF-8 in \"%s\"", s->text);
	CHECK(passage_chars(s) <= budget, "%zu chars > budget %zu: \"%s\"", passage_chars(s),
	      budget, s->text);
	CHECK(!strstr(s->text, "  ") && !strchr(s->text, '\n') && !strchr(s->text, '\t'),
	      "whitespace not collapsed: \"%s\"", s->text);
	for (size_t i = 0; i < s->nspans; i++) {
		CHECK(s->spans[i].start < s->spans[i].end && s->spans[i].end <= s->len,
		      "span %zu: %zu-%zu of %zu", i, s->spans[i].start, s->spans[i].end, s->len);
		if (i)
			CHECK(s->spans[i - 1].end <= s->spans[i].start, "spans %zu, %zu overlap",
			      i - 1, i);
	}
}

/* Make a snippet of `text` for `q` (a query string), its phrases passed as search.c
   passes them. */
static void make(snippet *s, const char *q, const char *text, size_t len, size_t budget)
{
	query *qq = NULL;
	CHECK(query_parse(&qq, an, q, strlen(q)) == 0, "parse %s", q);
	size_t nt = 0;
	const query_term *t = query_terms(qq, &nt);
	snippet_opts o = {.budget = budget, .fragments = 1};
	o.phrases = query_phrases(qq, &o.nphrases);
	int rc = snippet_make_ex(s, an, text, len, t, nt, &o);
	CHECK(rc == 0, "snippet_make_ex = %d", rc);
	query_free(qq);
	if (rc == 0)
		check_shape(s, budget);
}

/* Characters of each passage of a snippet of several, split at " … ", all within
   `budget`; returns the number of passages. */
static size_t check_passages(const snippet *s, size_t budget)
{
	size_t n = 0;
	const char *p = s->text, *end = s->text + s->len;
	if (end - p >= 4 && !memcmp(p, ELLIPSIS " ", 4))
		p += 4;
	else if (end - p >= 3 && !memcmp(p, ELLIPSIS, 3))
		p += 3;
	while (p < end) {
		const char *q = strstr(p, " " ELLIPSIS " ");
		const char *e = q ? q : end;
		const char *pe = e;
		if (!q && pe - p >= 3 && !memcmp(pe - 3, ELLIPSIS, 3))
			pe -= (pe - p >= 4 && pe[-4] == ' ') ? 4 : 3;
		size_t c = utf8_chars(p, (size_t)(pe - p));
		CHECK(c <= budget, "passage %zu: %zu chars > %zu: \"%s\"", n, c, budget, s->text);
		n++;
		p = q ? q + 5 : end;
	}
	return n;
}

/* Make a snippet of several passages (check_passages() checks each one's budget). */
static void make_ex(snippet *s, const char *q, const char *text, size_t budget,
		    size_t fragments, size_t lead_len)
{
	query *qq = NULL;
	CHECK(query_parse(&qq, an, q, strlen(q)) == 0, "parse %s", q);
	size_t nt = 0;
	const query_term *t = query_terms(qq, &nt);
	snippet_opts o = {.budget = budget, .fragments = fragments, .lead_len = lead_len};
	o.phrases = query_phrases(qq, &o.nphrases);
	int rc = snippet_make_ex(s, an, text, strlen(text), t, nt, &o);
	CHECK(rc == 0, "snippet_make_ex = %d", rc);
	query_free(qq);
	if (rc != 0)
		return;
	CHECK(utf8_valid(s->text, s->len), "invalid UTF-8 in \"%s\"", s->text);
	CHECK(!strstr(s->text, "  "), "whitespace not collapsed: \"%s\"", s->text);
	for (size_t i = 0; i < s->nspans; i++) {
		CHECK(s->spans[i].start < s->spans[i].end && s->spans[i].end <= s->len, "span %zu", i);
		if (i)
			CHECK(s->spans[i - 1].end <= s->spans[i].start, "spans %zu, %zu overlap", i - 1, i);
	}
}

static size_t count_str(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The text of span i, as a NUL-terminated copy in a static buffer. */
static const char *span_text(const snippet *s, size_t i)
{
	static char buf[256];
	if (i >= s->nspans)
		return "(no span)";
	size_t n = s->spans[i].end - s->spans[i].start;
	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, s->text + s->spans[i].start, n);
	buf[n] = '\0';
	return buf;
}

static void test_highlight_as_written(void)
{
	snippet s;
	const char *t = "Hier, les réfugiés ukrainiens sont arrivés à la frontière.";
	make(&s, "refugies", t, strlen(t), 200);
	/* fully shown: no ellipsis anywhere */
	CHECK_STR(s.text, t);
	CHECK(s.nspans == 1, "got %zu spans", s.nspans);
	CHECK(s.nspans && s.spans[0].start == 10 && s.spans[0].end == 20, "span %zu-%zu",
	      s.nspans ? s.spans[0].start : 0, s.nspans ? s.spans[0].end : 0);
	CHECK_STR(span_text(&s, 0), "réfugiés");
	snippet_clear(&s);

	/* The elided article stays out of the highlight (pinned choice). */
	t = "Les résultats de l’Élection présidentielle sont tombés.";
	make(&s, "election", t, strlen(t), 200);
	CHECK(s.nspans == 1, "got %zu spans", s.nspans);
	CHECK_STR(span_text(&s, 0), "Élection");
	snippet_clear(&s);
	t = "qu'aujourd'hui, L'ONU, d’Ukraine";
	make(&s, "aujourd'hui onu ukraine", t, strlen(t), 200);
	CHECK(s.nspans == 3, "got %zu spans", s.nspans);
	CHECK_STR(span_text(&s, 0), "aujourd'hui");
	CHECK_STR(span_text(&s, 1), "ONU");
	CHECK_STR(span_text(&s, 2), "Ukraine");
	snippet_clear(&s);

	/* A phrase lights up as one span; excluded words do not light up. */
	t = "L’armée russe avance. La grève continue.";
	make(&s, "\"armée russe\" -grève", t, strlen(t), 200);
	CHECK(s.nspans == 1, "got %zu spans", s.nspans);
	CHECK_STR(span_text(&s, 0), "armée russe");
	snippet_clear(&s);
}

/* Filler, to push passages apart. */
#define FILL_PHRASE "Une phrase de remplissage parle du temps qu’il fait ici. " \
		    "Une autre phrase parle encore du temps et de la pluie. "

/* The spans of a snippet as "a|b|c". */
static const char *spans_of(const snippet *s)
{
	static char buf[1024];
	buf[0] = '\0';
	for (size_t i = 0; i < s->nspans; i++) {
		if (i)
			strncat(buf, "|", sizeof buf - strlen(buf) - 1);
		strncat(buf, span_text(s, i), sizeof buf - strlen(buf) - 1);
	}
	return buf;
}

/* The spans of the snippet of `text` for `q` (200 characters), as spans_of() gives. */
static void check_spans(const char *q, const char *text, const char *want)
{
	snippet s;
	make(&s, q, text, strlen(text), 200);
	const char *got = spans_of(&s);
	CHECK(!strcmp(got, want), "query %s on \"%s\": spans \"%s\", want \"%s\"", q, text, got, want);
	snippet_clear(&s);
}

static void test_phrase_spans(void)
{
	/* A phrase, split word or quoted, is one span: across a hyphen, an elided article
	   (whose own elision stays out of the span), spaces. */
	check_spans("\"États-Unis\" \"armée d'Ukraine\" \"guerre froide\"",
		    "Les États-Unis et l’armée d’Ukraine : la « guerre  froide » revient.",
		    "États-Unis|armée d’Ukraine|guerre froide");
	check_spans("\"l'armée russe\"", "L’armée russe avance.", "armée russe");
	check_spans("\"l'état-major de l'armée\"", "Hier, l’état-major de l’armée a parlé.",
		    "état-major de l’armée");
	/* A stopword inside the phrase: one span with it (it was [armée] de [terre]). */
	check_spans("\"armée de terre\"", "Guerre, paix. L’armée de terre défile.", "armée de terre");
	check_spans("guerre paix \"armée de terre\"", "Guerre, paix. L’armée de terre défile.",
		    "Guerre|paix|armée de terre");
	check_spans("\"ministre de la santé\"", "La ministre de la Santé a parlé.", "ministre de la Santé");
	/* Only the phrase's own stopwords: Xapian also finds "armée en terre" for this
	   phrase (positions only), but that is not the phrase as typed. */
	check_spans("\"armée de terre\"", "Une armée en terre cuite.", "armée|terre");
	/* Neighbouring words of the query that are not one phrase stay apart: across a
	   stopword (the mistake of merging across any stopword), and even side by side. */
	check_spans("États-Unis armée", "Les États-Unis et l’armée.", "États-Unis|armée");
	check_spans("États-Unis armée", "Les États-Unis, l’armée.", "États-Unis|armée");
	check_spans("ukrainiens refugies", "Les réfugiés ukrainiens arrivent.", "réfugiés|ukrainiens");
	/* A phrase repeated: each occurrence its span; its words alone elsewhere: their own
	   spans. */
	check_spans("\"armée de terre\"", "L’armée de terre défile, puis l’armée de terre rentre.",
		    "armée de terre|armée de terre");
	check_spans("\"armée de terre\"",
		    "L’armée recrute. La terre tremble. L’armée de terre défile. Terre, armée.",
		    "armée|terre|armée de terre|Terre|armée");
	/* Two phrases sharing a word: each occurrence joins its words. */
	check_spans("\"armée de terre\" \"terre brûlée\"", "Une armée de terre brûlée.",
		    "armée de terre brûlée");
	/* NEAR and ~N match the words in any order: not a phrase, separate spans, also
	   for a quoted phrase inside a NEAR (Xapian does not keep its order there). */
	check_spans("armée NEAR russe", "L’armée russe avance.", "armée|russe");
	check_spans("armée NEAR/2 russe", "L’armée russe avance.", "armée|russe");
	check_spans("\"armée russe\"~2", "L’armée russe avance.", "armée|russe");
	check_spans("\"armée russe\" NEAR Kharkiv", "L’armée russe attaque Kharkiv.", "armée|russe|Kharkiv");
	/* title: phrases are phrases too (lit up where the text has them). */
	check_spans("title:\"armée de terre\"", "L’armée de terre défile.", "armée de terre");
	check_spans("title:(\"armée de terre\" OR marine)", "L’armée de terre défile.", "armée de terre");
	/* An excluded phrase lights nothing; the rest of the query is unchanged. */
	check_spans("armée -\"armée de terre\"", "L’armée de l’air décolle.", "armée");
	/* Punctuation between the words: Xapian matches, the snippet shows two pieces. */
	check_spans("\"guerre froide\"", "Ce fut la guerre. Froide, longue.", "guerre|Froide");
	/* An elided article where the phrase has another: the elision is not a word, so
	   it matches as Xapian matches it. */
	check_spans("\"armée d'Ukraine\"", "L’armée l’Ukraine.", "armée l’Ukraine");

	/* Byte offsets: the span covers the phrase as written, in the snippet. */
	snippet s;
	const char *t = "Hier, l’armée de terre défile.";
	make(&s, "\"armée de terre\"", t, strlen(t), 200);
	CHECK(s.nspans == 1 && s.spans[0].start == strlen("Hier, l’") &&
		      s.spans[0].end == strlen("Hier, l’armée de terre"),
	      "offsets %zu-%zu", s.nspans ? s.spans[0].start : 0, s.nspans ? s.spans[0].end : 0);
	snippet_clear(&s);

	/* Two passages: a phrase in each is one span in each. */
	t = "L’armée de terre défile. " FILL_PHRASE FILL_PHRASE "Plus tard, l’armée de terre rentre. " FILL_PHRASE;
	make_ex(&s, "\"armée de terre\" défile rentre", t, 60, 2, 0);
	CHECK(!strcmp(spans_of(&s), "armée de terre|défile|armée de terre|rentre"), "two passages: %s in \"%s\"",
	      spans_of(&s), s.text);
	snippet_clear(&s);
	/* without the phrases (snippet_make): no phrase is known, nothing joins */
	query *qq = NULL;
	CHECK(query_parse(&qq, an, "\"armée de terre\"", strlen("\"armée de terre\"")) == 0, "parse");
	size_t nt;
	const query_term *qt = query_terms(qq, &nt);
	t = "L’armée de terre défile.";
	CHECK(snippet_make(&s, an, t, strlen(t), qt, nt, 200) == 0, "snippet_make");
	CHECK(!strcmp(spans_of(&s), "armée|terre"), "no phrases given: %s", spans_of(&s));
	snippet_clear(&s);
	query_free(qq);
}

/* Words matched through a prefix light up, as the index matched them, and count for
   choosing the passage. */
static void test_prefix_spans(void)
{
	check_spans("guer*", "La guerre, les guerres et les guerriers. Une gare, un aguerri.",
		    "guerre|guerres|guerriers");
	/* eleve* matches what the index matches: terms starting with "eleve" (éleveur) and
	   the typed word's own form elev (élève, élevé, élevées); not élevage (elevag). The
	   accents of the prefix do not matter, like everywhere. */
	const char *t = "Un élève, un élevage, une note élevée, un éleveur, un prix élevé.";
	check_spans("eleve*", t, "élève|élevée|éleveur|élevé");
	check_spans("élève*", t, "élève|élevée|éleveur|élevé");
	check_spans("ELEVEU*", t, "éleveur");
	check_spans("elevag*", t, "élevage");
	/* with an elision, in title:, next to a plain word; an excluded prefix lights up
	   nothing */
	check_spans("l'arm*", "L’armée et les armes, pas la larme.", "armée|armes");
	check_spans("title:guer*", "La guerre.", "guerre");
	check_spans("paix guer*", "La guerre et la paix.", "guerre|paix");
	check_spans("paix -guer*", "La guerre et la paix.", "paix");

	/* The prefix counts for passage choice: the passage with Kharkiv and a guer* word
	   beats the earlier one with Kharkiv alone. */
	snippet s;
	t = "Kharkiv est calme ce matin. " FILL_PHRASE FILL_PHRASE "À Kharkiv, les guerriers se reposent. " FILL_PHRASE;
	make(&s, "Kharkiv guer*", t, strlen(t), 60);
	CHECK(starts_with(s.text, ELLIPSIS " À Kharkiv, les guerriers"), "got \"%s\"", s.text);
	CHECK(!strcmp(spans_of(&s), "Kharkiv|guerriers"), "spans %s", spans_of(&s));
	snippet_clear(&s);
}

static void test_distinct_words(void)
{
	/* Poutine fills the first sentences; Belgorod comes later, followed by Poutine:
	   the passage must show both words, not two sentences of Poutine. */
	const char *t =
		"Vladimir Poutine a parlé hier soir à la télévision pendant une heure. "
		"Poutine a répété ses menaces contre les pays occidentaux. "
		"Selon Poutine, la guerre durera encore longtemps et Poutine ne cédera pas. "
		"La région de Belgorod a été bombardée dans la nuit de mardi. "
		"Poutine n’a pas réagi à cette attaque.";
	snippet s;
	make(&s, "Poutine Belgorod", t, strlen(t), 120);
	CHECK(strstr(s.text, "Belgorod") != NULL, "Belgorod missing: \"%s\"", s.text);
	CHECK(strstr(s.text, "Poutine") != NULL, "Poutine missing: \"%s\"", s.text);
	int found = 0;
	for (size_t i = 0; i < s.nspans; i++)
		found |= !strcmp(span_text(&s, i), "Belgorod");
	CHECK(found, "Belgorod not highlighted");
	/* and it starts at a sentence: after "… " comes a capital */
	CHECK(starts_with(s.text, ELLIPSIS " La région") ||
		      starts_with(s.text, ELLIPSIS " Selon Poutine"),
	      "got \"%s\"", s.text);
	snippet_clear(&s);
}

static void test_budget_and_utf8(void)
{
	/* An all-accented text: bytes are about twice the characters. */
	const char *t = "éééé àààà çççç ùùùù ÉÉÉÉ êêêê ôôôô îîîî ëëëë œœœœ ææææ ïïïï ûûûû "
			"éééé àààà çççç ùùùù ÉÉÉÉ êêêê ôôôô îîîî ëëëë œœœœ ææææ ïïïï ûûûû.";
	for (size_t budget = 1; budget <= 140; budget++) {
		snippet s;
		make(&s, "zzz", t, strlen(t), budget);
		/* the budget is used: at most one word (4 chars and a space) is left out */
		size_t want = budget < 130 ? budget : 130; /* the text has 130 characters */
		if (budget >= 5)
			CHECK(passage_chars(&s) + 5 >= want, "budget %zu: only %zu chars",
			      budget, passage_chars(&s));
		snippet_clear(&s);
	}
	snippet s;
	make(&s, "zzz", t, strlen(t), 20);
	/* 20 chars: four words and their spaces, cut at a word boundary */
	CHECK_STR(s.text, "éééé àààà çççç ùùùù" ELLIPSIS);
	snippet_clear(&s);

	/* Invalid bytes become U+FFFD; a cut never splits a sequence. */
	const char bad[] = "gu\xe9rre \xff\xfe r\xc3\xa9" "fugi\xc3\xa9s \xe2\x82 fin\xf0\x9f\x98";
	for (size_t budget = 1; budget <= 40; budget++) {
		make(&s, "refugies", bad, sizeof bad - 1, budget);
		snippet_clear(&s);
	}
	make(&s, "refugies", bad, sizeof bad - 1, 100);
	CHECK(strstr(s.text, "\xEF\xBF\xBD") != NULL, "replacement char: \"%s\"", s.text);
	CHECK_STR(span_text(&s, 0), "réfugiés");
	snippet_clear(&s);
}

static void test_ellipsis_and_whitespace(void)
{
	snippet s;
	/* Fully shown: nothing cut, no ellipsis; paragraph breaks and runs collapse. */
	const char *t = "  Premier paragraphe.\n\n\tSecond   paragraphe, avec les réfugiés.\r\n\n";
	make(&s, "refugies", t, strlen(t), 200);
	CHECK_STR(s.text, "Premier paragraphe. Second paragraphe, avec les réfugiés.");
	CHECK_STR(span_text(&s, 0), "réfugiés");
	snippet_clear(&s);

	/* Cut at the end only. */
	t = "Le conflit dure depuis des mois et personne ne voit comment il pourrait "
	    "finir avant l’hiver prochain selon les experts.";
	make(&s, "conflit", t, strlen(t), 50);
	CHECK(starts_with(s.text, "Le conflit"), "got \"%s\"", s.text);
	CHECK(ends_with(s.text, ELLIPSIS), "got \"%s\"", s.text);
	CHECK(!strstr(s.text + 3, ELLIPSIS) || ends_with(s.text, ELLIPSIS), "one ellipsis");
	snippet_clear(&s);

	/* Cut at the start only: the match is in the last sentence, which fits. */
	t = "Le conflit dure depuis des mois. Personne ne voit comment il pourrait finir. "
	    "Les réfugiés arrivent.";
	make(&s, "refugies", t, strlen(t), 40);
	CHECK_STR(s.text, ELLIPSIS " Les réfugiés arrivent.");
	snippet_clear(&s);
}

static void test_sentences(void)
{
	snippet s;
	/* M. Dupont: "M." does not end a sentence, so the passage starts at "M." and not
	   at "Dupont". */
	const char *t = "Il pleut depuis des jours sur la ville et ses environs, dit-on. "
			"M. Dupont est arrivé hier avec Mme. Durand.";
	make(&s, "Dupont", t, strlen(t), 60);
	CHECK(starts_with(s.text, ELLIPSIS " M. Dupont"), "got \"%s\"", s.text);
	snippet_clear(&s);

	/* Initials, numbers and etc. do not end sentences either. */
	t = "Une longue phrase sans intérêt pour remplir le début du texte ici. "
	    "Selon J. Martin, la hausse atteint 3.5 % en 2023, etc. Des réfugiés arrivent.";
	make(&s, "Martin refugies", t, strlen(t), 100);
	CHECK(starts_with(s.text, ELLIPSIS " Selon J. Martin"), "got \"%s\"", s.text);
	snippet_clear(&s);

	/* The best passage is mid-text: it starts at its sentence, after "… ". */
	char *big = malloc(8192);
	big[0] = '\0';
	for (int i = 0; i < 20; i++)
		strcat(big, "Une phrase de remplissage parle du temps qu’il fait. ");
	strcat(big, "Les réfugiés ukrainiens arrivent en Pologne par milliers. ");
	for (int i = 0; i < 20; i++)
		strcat(big, "Une autre phrase parle encore du temps. ");
	make(&s, "ukrainiens Pologne", big, strlen(big), 160);
	CHECK(starts_with(s.text, ELLIPSIS " Les réfugiés ukrainiens arrivent"), "got \"%s\"",
	      s.text);
	CHECK(ends_with(s.text, ELLIPSIS), "cut after: \"%s\"", s.text);
	CHECK(s.nspans == 2, "got %zu spans", s.nspans);
	snippet_clear(&s);

	/* A match deep in a sentence too long to show from its start: a few words of
	   context, then "…" glued to the text. */
	big[0] = '\0';
	strcat(big, "Début. Cette phrase");
	for (int i = 0; i < 30; i++)
		strcat(big, " et encore des mots");
	strcat(big, " puis Kharkiv");
	for (int i = 0; i < 30; i++)
		strcat(big, " et encore des mots");
	strcat(big, ".");
	make(&s, "Kharkiv", big, strlen(big), 80);
	CHECK(starts_with(s.text, ELLIPSIS) && !starts_with(s.text, ELLIPSIS " "),
	      "got \"%s\"", s.text);
	CHECK(strstr(s.text, "puis Kharkiv") != NULL, "context kept: \"%s\"", s.text);
	CHECK(s.nspans == 1 && !strcmp(span_text(&s, 0), "Kharkiv"), "span");
	snippet_clear(&s);

	/* A paragraph break ends a sentence even without punctuation. */
	big[0] = '\0';
	strcat(big, "Titre sans point");
	for (int i = 0; i < 10; i++)
		strcat(big, " et des mots");
	strcat(big, "\n\nkharkiv est bombardée");
	make(&s, "Kharkiv", big, strlen(big), 40);
	CHECK_STR(s.text, ELLIPSIS " kharkiv est bombardée");
	snippet_clear(&s);
	free(big);
}

static void test_lead(void)
{
	snippet s;
	const char *t = "Le gouvernement a présenté son budget. Les débats commencent demain "
			"à l’Assemblée nationale.";
	make(&s, "Belgorod", t, strlen(t), 60);
	CHECK(starts_with(s.text, "Le gouvernement"), "lead: \"%s\"", s.text);
	CHECK(s.nspans == 0, "no spans");
	CHECK(ends_with(s.text, ELLIPSIS), "cut: \"%s\"", s.text);
	snippet_clear(&s);

	/* No terms at all (an empty query) is the lead too; an empty text is empty. */
	CHECK(snippet_make(&s, an, t, strlen(t), NULL, 0, 1000) == 0, "no terms");
	CHECK_STR(s.text, t);
	snippet_clear(&s);
	CHECK(snippet_make(&s, an, "", 0, NULL, 0, 100) == 0, "empty");
	CHECK_STR(s.text, "");
	CHECK(s.len == 0 && s.nspans == 0, "empty snippet");
	snippet_clear(&s);
	snippet_clear(NULL);
}

/* Filler sentences, to push passages apart. */
#define FILL "Une phrase de remplissage parle du temps qu’il fait ici. " \
	     "Une autre phrase parle encore du temps et de la pluie. "

static void test_fragments(void)
{
	snippet s;
	/* Two passages far apart, each with its word, in text order, joined with " … ". */
	const char *t = "Le maire de Kharkiv a parlé. " FILL FILL "La région de Belgorod a été touchée. " FILL;
	make_ex(&s, "Belgorod Kharkiv", t, 60, 2, 0);
	CHECK(check_passages(&s, 60) == 2, "two passages: \"%s\"", s.text);
	CHECK(starts_with(s.text, "Le maire de Kharkiv a parlé. Une phrase"), "got \"%s\"", s.text);
	CHECK(strstr(s.text, " " ELLIPSIS " La région de Belgorod a été touchée.") != NULL,
	      "got \"%s\"", s.text);
	CHECK(ends_with(s.text, ELLIPSIS), "cut after: \"%s\"", s.text);
	CHECK(s.nspans == 2, "got %zu spans", s.nspans);
	CHECK_STR(span_text(&s, 0), "Kharkiv");
	CHECK_STR(span_text(&s, 1), "Belgorod");
	snippet_clear(&s);

	/* One passage asked: the single best one (both words cannot fit together). */
	make_ex(&s, "Belgorod Kharkiv", t, 60, 1, 0);
	CHECK(check_passages(&s, 60) == 1 && !strstr(s.text, "Belgorod"), "got \"%s\"", s.text);
	snippet_clear(&s);

	/* Greedy on words not yet shown: the second passage goes to Belgorod, not to the
	   second Kharkiv (which comes first in the text); a third one takes the repeat. */
	t = "Kharkiv est bombardée. " FILL "Kharkiv résiste encore. " FILL
	    "La région de Belgorod est touchée. " FILL;
	make_ex(&s, "Kharkiv Belgorod", t, 60, 2, 0);
	CHECK(check_passages(&s, 60) == 2, "two passages: \"%s\"", s.text);
	CHECK(starts_with(s.text, "Kharkiv est bombardée. ") && strstr(s.text, ELLIPSIS " La région de Belgorod") &&
		      !strstr(s.text, "résiste"),
	      "got \"%s\"", s.text);
	snippet_clear(&s);
	make_ex(&s, "Kharkiv Belgorod", t, 60, 3, 0);
	CHECK(check_passages(&s, 60) == 3, "three passages: \"%s\"", s.text);
	{
		const char *second = strstr(s.text, " " ELLIPSIS " Kharkiv résiste encore.");
		const char *third = strstr(s.text, " " ELLIPSIS " La région de Belgorod");
		CHECK(starts_with(s.text, "Kharkiv est bombardée.") && second && third && second < third,
		      "got \"%s\"", s.text);
	}
	CHECK(s.nspans == 3, "got %zu spans", s.nspans);
	snippet_clear(&s);

	/* Chosen in score order, shown in text order: the passage with both words is
	   picked first, the lone earlier Belgorod second, and it comes first. */
	t = "Belgorod a été visée. " FILL FILL "Kharkiv et Belgorod sont touchées. " FILL;
	make_ex(&s, "Kharkiv Belgorod", t, 60, 2, 0);
	CHECK(starts_with(s.text, "Belgorod a été visée.") &&
		      strstr(s.text, " " ELLIPSIS " Kharkiv et Belgorod sont touchées."),
	      "got \"%s\"", s.text);
	snippet_clear(&s);

	/* Passages never overlap: no sentence shown twice, even when more are asked for
	   than the text holds matches; a short text is shown once, whole. */
	t = "Kharkiv est bombardée. Kharkiv résiste. Belgorod aussi.";
	make_ex(&s, "Kharkiv Belgorod", t, 200, 5, 0);
	CHECK_STR(s.text, t);
	CHECK(s.nspans == 3, "got %zu spans", s.nspans);
	snippet_clear(&s);
	t = "Kharkiv est bombardée. " FILL "Kharkiv résiste. " FILL;
	make_ex(&s, "Kharkiv", t, 40, 10, 0);
	CHECK(count_str(s.text, "Kharkiv est") == 1 && count_str(s.text, "Kharkiv résiste") == 1,
	      "each once: \"%s\"", s.text);
	CHECK(check_passages(&s, 40) == 2, "two passages: \"%s\"", s.text);
	snippet_clear(&s);

	/* Adjacent passages (nothing left out between them) are joined with a space. */
	t = "Kharkiv est bombardée depuis des semaines. Belgorod aussi, de l’autre côté.";
	make_ex(&s, "Kharkiv Belgorod", t, 45, 2, 0);
	CHECK_STR(s.text, t);
	snippet_clear(&s);

	/* Many passages asked: capped, still valid. */
	char *big = malloc(200000);
	big[0] = '\0';
	for (int i = 0; i < 400; i++)
		strcat(big, "Kharkiv est bombardée. " FILL);
	make_ex(&s, "Kharkiv", big, 40, 1000, 0);
	CHECK(check_passages(&s, 40) == SNIPPET_MAX_FRAGMENTS, "capped: %zu passages",
	      check_passages(&s, 40));
	snippet_clear(&s);
	free(big);
}

static void test_lead_only(void)
{
	snippet s;
	/* A title-only match: no word of the query in the text. The snippet is the lead,
	   not the start of the body after it. */
	const char *t = "Le chapeau de l’article, court.\n\nLe corps commence ici et continue longtemps.";
	size_t lead = strlen("Le chapeau de l’article, court.");
	make_ex(&s, "Belgorod", t, 200, 1, lead);
	CHECK_STR(s.text, "Le chapeau de l’article, court. " ELLIPSIS);
	CHECK(s.nspans == 0, "no spans");
	snippet_clear(&s);
	/* several fragments asked: still just the lead */
	make_ex(&s, "Belgorod", t, 200, 3, lead);
	CHECK_STR(s.text, "Le chapeau de l’article, court. " ELLIPSIS);
	snippet_clear(&s);
	/* a lead longer than the budget is cut */
	make_ex(&s, "Belgorod", t, 26, 1, lead);
	CHECK_STR(s.text, "Le chapeau de l’article," ELLIPSIS);
	snippet_clear(&s);
	/* no lead known: the start of the text, up to the budget */
	make_ex(&s, "Belgorod", t, 200, 1, 0);
	CHECK_STR(s.text, "Le chapeau de l’article, court. Le corps commence ici et continue longtemps.");
	snippet_clear(&s);
	/* a lead that is the whole text: no ellipsis */
	make_ex(&s, "Belgorod", "Tout le texte.", 200, 1, strlen("Tout le texte."));
	CHECK_STR(s.text, "Tout le texte.");
	snippet_clear(&s);
	/* a match in the body: the passage of the match, not the lead */
	make_ex(&s, "corps", t, 40, 1, lead);
	CHECK(starts_with(s.text, ELLIPSIS " Le corps commence"), "got \"%s\"", s.text);
	snippet_clear(&s);
}

static void test_sentence_rules(void)
{
	snippet s;
	/* Each abbreviation keeps its sentence going: the passage starts at the sentence,
	   never right after "M.", "Mme.", "etc." or inside "3.5". */
	static const char *const cases[][2] = {
		{"Il a vu hier soir M. Dupont et sa femme.", "Il a vu"},
		{"Selon Mme. Durand, Dupont viendra.", "Selon Mme."},
		{"Des pommes, des poires, etc. Dupont les vend.", "Des pommes"},
		{"La hausse atteint 3.5 pour cent selon Dupont.", "La hausse"},
		{"Le général J.-C. Dupont parle.", "Le général"},
		{"Signé : J. Dupont, maire.", "Signé"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char t[512];
		snprintf(t, sizeof t, "%s %s", "Une phrase de remplissage assez longue pour couper avant.",
			 cases[i][0]);
		make(&s, "Dupont", t, strlen(t), 70);
		char want[128];
		snprintf(want, sizeof want, ELLIPSIS " %s", cases[i][1]);
		CHECK(starts_with(s.text, want), "case %zu: got \"%s\"", i, s.text);
		snippet_clear(&s);
	}
	/* A real sentence end after a lowercase word, a question or an exclamation. */
	static const char *const ends[] = {"Il pleut.", "Pleut-il ?", "Quelle pluie !", "Il pleut…"};
	for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
		char t[512];
		snprintf(t, sizeof t, "Une phrase de remplissage assez longue pour couper avant. %s "
			 "Dupont arrive en retard ce matin.", ends[i]);
		make(&s, "Dupont", t, strlen(t), 40);
		CHECK(starts_with(s.text, ELLIPSIS " Dupont arrive"), "end %zu: got \"%s\"", i, s.text);
		snippet_clear(&s);
	}
}

static void test_long_text(void)
{
	/* 1 MB: sparse matches (the best passage near the end), then dense ones. How long it
	   takes is measured by bench/ (search_latency on the 1.5 MB pages), not here: a
	   machine under load makes any time limit in a unit test fail at random. */
	size_t cap = 1100000;
	char *t = malloc(cap);
	size_t n = 0;
	const char *fill = "La ville de Kharkiv a été touchée par des frappes. ";
	size_t fl = strlen(fill);
	while (n + fl < 1000000) {
		memcpy(t + n, fill, fl);
		n += fl;
	}
	const char *end = "Le maire de Belgorod parle de Kharkiv.";
	memcpy(t + n, end, strlen(end));
	n += strlen(end);
	t[n] = '\0';
	snippet s;
	make(&s, "Kharkiv Belgorod", t, n, 160);
	CHECK(strstr(s.text, "Belgorod") != NULL, "got \"%s\"", s.text);
	snippet_clear(&s);

	make(&s, "ville Kharkiv frappes", t, n, 160);
	CHECK(starts_with(s.text, "La ville de Kharkiv"), "got \"%.80s\"", s.text);
	snippet_clear(&s);

	/* 1 MB without any space or punctuation. */
	memset(t, 'a', 1000000);
	t[1000000] = '\0';
	make(&s, "aaa", t, 1000000, 160);
	snippet_clear(&s);
	free(t);
}

/* A growing text, for the long ones below. */
typedef struct buf {
	char *s;
	size_t n, cap;
} buf;

static void buf_add(buf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->n, s, n + 1);
	b->n += n;
}

/* Filler sentences (none of the query words below) until the text has `to` bytes. */
static void buf_fill(buf *b, size_t to)
{
	while (b->n < to)
		buf_add(b, FILL);
}

/*
 * Texts longer than SNIPPET_SCAN_FIRST are scanned in growing prefixes. The query's
 * words near the start: the passage there, and nothing past the first prefixes is read
 * (the text is 1 MB, of which only the first 2 * SNIPPET_SCAN_FIRST bytes can be read:
 * the rest is a page the process may not touch, so reading it would crash the test).
 */
static void test_long_text_prefix(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t readable = (2 * SNIPPET_SCAN_FIRST + page - 1) / page * page;
	size_t total = 1024 * 1024;
	char *t = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(t != MAP_FAILED, "mmap");
	if (t == MAP_FAILED)
		return;
	buf b = {0};
	buf_add(&b, "Le maire de Belgorod parle de Kharkiv. ");
	buf_fill(&b, total - 200);
	buf_add(&b, "Le maire de Belgorod parle encore de Kharkiv. ");
	buf_fill(&b, total - 1);
	memcpy(t, b.s, total - 1);
	t[total - 1] = '\0';
	CHECK(mprotect(t + readable, total - readable, PROT_NONE) == 0, "mprotect");
	snippet s;
	make(&s, "Kharkiv Belgorod", t, total - 1, 160);
	CHECK(starts_with(s.text, "Le maire de Belgorod parle de Kharkiv."), "got \"%s\"", s.text);
	CHECK(ends_with(s.text, " " ELLIPSIS), "the text goes on: \"%s\"", s.text);
	CHECK_STR(spans_of(&s), "Belgorod|Kharkiv");
	snippet_clear(&s);
	/* The same with three fragments: the matches of the first prefix are enough. */
	query *qq = NULL;
	CHECK(query_parse(&qq, an, "Kharkiv Belgorod", 16) == 0, "parse");
	size_t nt = 0;
	const query_term *qt = query_terms(qq, &nt);
	buf_add(&b, ""); /* b still holds the text: put two more matches in the first prefix */
	memcpy(b.s + SNIPPET_SCAN_FIRST / 4, " Belgorod. ", 11);
	memcpy(b.s + SNIPPET_SCAN_FIRST / 2, " Kharkiv.. ", 11);
	memcpy(t, b.s, readable);
	snippet_opts o = {.budget = 60, .fragments = 3};
	CHECK(snippet_make_ex(&s, an, t, total - 1, qt, nt, &o) == 0, "fragments");
	CHECK(check_passages(&s, 60) == 3, "3 passages: \"%s\"", s.text);
	CHECK(s.nspans == 4, "spans \"%s\" in \"%s\"", spans_of(&s), s.text);
	CHECK(ends_with(s.text, ELLIPSIS), "the text goes on: \"%s\"", s.text);
	snippet_clear(&s);
	query_free(qq);
	munmap(t, total);
	free(b.s);
}

/* The query's words only past the first prefixes, in a text of 300 KB: found there. */
static void test_long_text_late(void)
{
	buf b = {0};
	buf_fill(&b, 250000);
	buf_add(&b, "Le maire de Belgorod parle de Kharkiv. ");
	buf_fill(&b, 300000);
	snippet s;
	make(&s, "Kharkiv Belgorod", b.s, b.n, 160);
	CHECK(starts_with(s.text, ELLIPSIS " Le maire de Belgorod parle de Kharkiv."), "got \"%s\"",
	      s.text);
	CHECK(ends_with(s.text, ELLIPSIS), "the text goes on: \"%s\"", s.text);
	CHECK_STR(spans_of(&s), "Belgorod|Kharkiv");
	snippet_clear(&s);

	/* One word early, both together only later: the passage with both. */
	memcpy(b.s + 1000, " Kharkiv. ", 10);
	make(&s, "Kharkiv Belgorod", b.s, b.n, 160);
	CHECK(starts_with(s.text, ELLIPSIS " Le maire de Belgorod parle de Kharkiv."), "got \"%s\"",
	      s.text);
	snippet_clear(&s);

	/* Only one of the words in the text (the other in the title): the first passage
	   with it, found after the whole text was scanned. */
	make(&s, "Kharkiv Odessa", b.s, b.n, 160);
	CHECK_STR(spans_of(&s), "Kharkiv");
	CHECK(strstr(s.text, "Kharkiv.") != NULL && starts_with(s.text, ELLIPSIS " Une autre"),
	      "got \"%s\"", s.text);
	snippet_clear(&s);

	/* No word in the text: the lead, as for a short text. */
	const char *lead = "Le chapeau de l’article, court.\n\n";
	buf c = {0};
	buf_add(&c, lead);
	buf_fill(&c, 300000);
	make_ex(&s, "Belgorod", c.s, 200, 1, strlen(lead) - 2);
	CHECK_STR(s.text, "Le chapeau de l’article, court. " ELLIPSIS);
	CHECK(s.nspans == 0, "no spans");
	snippet_clear(&s);
	/* three fragments, matches spread over the text: one passage each */
	memcpy(c.s + 1000, " Belgorod. ", 11);
	memcpy(c.s + 100000, " Belgorod. ", 11);
	memcpy(c.s + 280000, " Belgorod. ", 11);
	make_ex(&s, "Belgorod", c.s, 80, 3, 0);
	CHECK(check_passages(&s, 80) == 3, "3 passages: \"%s\"", s.text);
	CHECK_STR(spans_of(&s), "Belgorod|Belgorod|Belgorod");
	snippet_clear(&s);
	free(b.s);
	free(c.s);
}

/* A long text (1 MB) of which only the first `readable` bytes may be read: reading
   further crashes the test. */
static char *guarded_text(const buf *b, size_t total, size_t readable)
{
	char *t = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(t != MAP_FAILED, "mmap");
	if (t == MAP_FAILED)
		return NULL;
	memcpy(t, b->s, total - 1);
	t[total - 1] = '\0';
	CHECK(mprotect(t + readable, total - readable, PROT_NONE) == 0, "mprotect");
	return t;
}

/* Query words the index says the text lacks (snippet_opts.absent, from the positions
   of the match): no scan goes on to the end of a long text looking for them. */
static void test_long_text_absent(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t total = 1024 * 1024;
	size_t readable = (2 * SNIPPET_SCAN_FIRST + page - 1) / page * page;
	const char *lead = "Le maire de Kharkiv parle. ";
	buf b = {0};
	buf_add(&b, lead);
	buf_fill(&b, total - 1);
	char *t = guarded_text(&b, total, readable);
	if (!t) {
		free(b.s);
		return;
	}
	query *qq = NULL;
	CHECK(query_parse(&qq, an, "Kharkiv Odessa", 14) == 0, "parse");
	size_t nt = 0;
	const query_term *qt = query_terms(qq, &nt);
	unsigned char absent[2] = {0, 1}; /* Odessa is only in the title */
	snippet_opts o = {.budget = 160, .fragments = 1, .lead_len = strlen(lead) - 1,
			  .absent = absent};
	snippet s;
	CHECK(snippet_make_ex(&s, an, t, total - 1, qt, nt, &o) == 0, "snippet");
	CHECK(starts_with(s.text, "Le maire de Kharkiv parle."), "got \"%s\"", s.text);
	CHECK_STR(spans_of(&s), "Kharkiv");
	snippet_clear(&s);
	query_free(qq);
	munmap(t, total);

	/* Every word absent (a title-only match): the lead, read up to its end only. */
	t = guarded_text(&b, total, page);
	if (!t) {
		free(b.s);
		return;
	}
	CHECK(query_parse(&qq, an, "Odessa", 6) == 0, "parse");
	qt = query_terms(qq, &nt);
	absent[0] = 1;
	CHECK(snippet_make_ex(&s, an, t, total - 1, qt, nt, &o) == 0, "snippet");
	CHECK_STR(s.text, "Le maire de Kharkiv parle. " ELLIPSIS);
	CHECK(s.nspans == 0, "no spans");
	snippet_clear(&s);
	query_free(qq);
	munmap(t, total);
	free(b.s);
}

/* A phrase whose words straddle the end of the first prefix is still one span. */
static void test_long_text_phrase(void)
{
	const char *phrase = "Hier, l’armée de terre défile. ";
	/* the first prefix ends before the whitespace at or before SNIPPET_SCAN_FIRST:
	   put the word "terre" across that byte, so that the cut falls after "de" */
	size_t at = SNIPPET_SCAN_FIRST - (strstr(phrase, "terre") - phrase) - 2;
	buf b = {0};
	while (b.n < at)
		buf_add(&b, b.n + 20 < at ? "Une phrase ici. " : "x");
	CHECK(b.n == at, "filler: %zu bytes, want %zu", b.n, at);
	buf_add(&b, phrase);
	buf_fill(&b, 300000);
	snippet s;
	make(&s, "\"armée de terre\"", b.s, b.n, 120);
	CHECK_STR(spans_of(&s), "armée de terre");
	CHECK(strstr(s.text, "xHier, l’armée de terre défile. Une") != NULL, "got \"%s\"", s.text);
	CHECK(ends_with(s.text, ELLIPSIS), "the text goes on: \"%s\"", s.text);
	snippet_clear(&s);
	free(b.s);
}

int main(void)
{
	an = analyzer_new();
	if (!an) {
		fprintf(stderr, "analyzer_new failed\n");
		return 1;
	}
	test_highlight_as_written();
	test_phrase_spans();
	test_prefix_spans();
	test_distinct_words();
	test_budget_and_utf8();
	test_ellipsis_and_whitespace();
	test_sentences();
	test_lead();
	test_lead_only();
	test_fragments();
	test_sentence_rules();
	test_long_text();
	test_long_text_prefix();
	test_long_text_late();
	test_long_text_absent();
	test_long_text_phrase();
	analyzer_free(an);
	return check_summary();
}
