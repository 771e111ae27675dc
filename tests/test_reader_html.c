/*
 * The HTML reader (indexer/reader_html.c): titles, bylines, dates, body text without
 * the page's chrome, charsets, entities, and pages that are broken or not pages at all.
 * Fixtures: tests/fixtures/html/ (news.html written here; five real Debian
 * documentation pages, see the README there) and the strings below.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "indexer/readers.h"

static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/fixtures/html/%s", FOUILLE_SOURCE_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return NULL;
	}
	size_t cap = 1 << 16, n = 0, r;
	char *buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *b = realloc(buf, cap *= 2);
			if (!b)
				free(buf);
			buf = b;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static int read_str(article *a, const char *html, char reason[ARTICLE_REASON_LEN])
{
	return reader_html(a, html, strlen(html), reason);
}

static bool has(const article *a, const char *word)
{
	return a->text && strstr(a->text, word) != NULL;
}

/* Title from a one-line page; "" when the reader fails. */
static char title_buf[600];
static const char *title_of(const char *html)
{
	article a;
	char reason[ARTICLE_REASON_LEN];
	title_buf[0] = '\0';
	if (read_str(&a, html, reason) == 0)
		snprintf(title_buf, sizeof title_buf, "%s", a.title);
	else
		snprintf(title_buf, sizeof title_buf, "(failed: %s)", reason);
	article_clear(&a);
	return title_buf;
}

static void test_news_page(void)
{
	size_t len;
	char *buf = slurp("news.html", &len);
	CHECK(buf != NULL, "news.html");
	if (!buf)
		return;
	article a;
	char reason[ARTICLE_REASON_LEN];
	CHECK(reader_html(&a, buf, len, reason) == 0, "%s", reason);
	/* og:title wins over <title>; its " | site" suffix goes */
	CHECK_STR(a.title, "Grève des contrôleurs aériens : 800 vols annulés");
	CHECK_STR(a.author, "Camille Martin");
	CHECK_STR(a.date, "2023-04-12"); /* article:published_time before <time> */
	CHECK_STR(a.url, "https://quotidien-du-sud.example/societe/greve-controleurs-aeriens");
	CHECK_STR(a.tags, "transport aérien, grève");
	/* the lead is the first paragraph: not the h1, the byline or the date line */
	const char *lead = "La direction générale de l’aviation civile a demandé aux compagnies de "
			   "réduire leurs programmes de vols de 30 % à Marseille et à Nice.";
	CHECK(a.text && strncmp(a.text, lead, strlen(lead)) == 0, "text starts \"%.80s\"", a.text);
	CHECK(a.lead_len == strlen(lead), "lead_len %zu, want %zu", a.lead_len, strlen(lead));
	/* paragraphs, whitespace collapsed, no-break spaces kept inside, entities decoded */
	CHECK(has(&a, "\n\nLes voyageurs qui partaient mercredi matin ont trouvé des panneaux "
		      "d’affichage remplis d’annulations. «\xC2\xA0On nous a prévenus la veille à "
		      "22\xC2\xA0heures\xC2\xA0», raconte une passagère.\n\n"),
	      "%s", a.text);
	CHECK(has(&a, "\n\nLe hall de l’aéroport, mercredi.\n\n"), "figcaption");
	CHECK(has(&a, "\n\nUn mouvement reconduit\n\n"), "h2 is its own paragraph");
	CHECK(has(&a, "jusqu’à vendredi\xC2\xA0; les compagnies"), "inline <b> joins its sentence");
	/* the chrome, the scripts and what is hidden are not text */
	static const char *const noise[] = {
		"Abonnez-vous", "Pétanque", "trackingPixel", "pixelEspion", "styleRouge",
		"témoins", "Accepter", "Fil d’Ariane", "Accueil", "Réseausocial", "Caché",
		"iconeDécorative", "Lire aussi", "trains régionaux", "JavaScriptSvp", "Société",
		"notreLettre", "plus lus", "Mentions", "Par Camille", "11 avril", "photoAlt",
		"Le Quotidien du Sud",
	};
	for (size_t i = 0; i < sizeof noise / sizeof *noise; i++)
		CHECK(!has(&a, noise[i]), "\"%s\" is in the text", noise[i]);
	/* the title is not repeated as the first paragraph */
	CHECK(!has(&a, "800 vols annulés"), "title repeated in the text");
	article_clear(&a);
	free(buf);
}

static void test_title_and_body_only(void)
{
	article a;
	char reason[ARTICLE_REASON_LEN];
	CHECK(read_str(&a, "<html><head><title>  Le marché de Noël\n de Strasbourg ouvre ses "
			   "portes </title></head><body>Les premiers chalets ont ouvert vendredi "
			   "soir place Kléber.</body></html>",
		       reason) == 0,
	      "%s", reason);
	CHECK_STR(a.title, "Le marché de Noël de Strasbourg ouvre ses portes");
	CHECK_STR(a.text, "Les premiers chalets ont ouvert vendredi soir place Kléber.");
	CHECK(a.lead_len == strlen(a.text), "lead_len %zu", a.lead_len);
	CHECK(a.author == NULL && a.date == NULL && a.url == NULL && a.tags == NULL,
	      "no metadata invented");
	article_clear(&a);
}

static void test_titles(void)
{
	/* site suffixes go when what remains is still a title */
	CHECK_STR(title_of("<title>Grève à la SNCF - Le Monde</title><p>x"), "Grève à la SNCF");
	CHECK_STR(title_of("<title>Le tram arrive à Liège | Metrotime</title><p>x"),
		  "Le tram arrive à Liège");
	CHECK_STR(title_of("<title>Vendanges précoces en Alsace — Site</title><p>x"),
		  "Vendanges précoces en Alsace");
	CHECK_STR(title_of("<title>Vendanges précoces en Alsace · Site</title><p>x"),
		  "Vendanges précoces en Alsace");
	CHECK_STR(title_of("<title>Vendanges précoces – Le Site</title><p>x"), "Vendanges précoces");
	/* only the last segment */
	CHECK_STR(title_of("<title>Brest - Quimper : la ligne rouvre | Ouest</title><p>x"),
		  "Brest - Quimper : la ligne rouvre");
	/* never down to one short word, never emptied */
	CHECK_STR(title_of("<title>Brexit - Le Monde</title><p>x"), "Brexit - Le Monde");
	CHECK_STR(title_of("<title> - </title><p>x"), "-");
	CHECK_STR(title_of("<title>Position (styles de liste - hérité)</title><p>x"),
		  "Position (styles de liste - hérité)");
	/* og:site_name with a separator the list does not know */
	CHECK_STR(title_of("<meta property=og:site_name content=\"La Gazette\">"
			   "<meta property=og:title content=\"Les cerisiers sont en fleur : La Gazette\">"
			   "<p>x"),
		  "Les cerisiers sont en fleur");
	/* the first <h1> rather than <title> when there is no og:title */
	CHECK_STR(title_of("<title>Accueil du site</title><h1>Le vrai titre de l’article</h1><p>x"),
		  "Le vrai titre de l’article");
	/* ... the one inside <article>, not a logo outside it */
	CHECK_STR(title_of("<title>T</title><div><h1>Logo</h1></div><article><h1>Dans l’article"
			   "</h1><p>Un texte assez long pour que l’article soit le contenu de la "
			   "page et pas un simple encart.</p></article>"),
		  "Dans l’article");
	/* an <h1> that is the site's name is no title */
	CHECK_STR(title_of("<title>Les abeilles reviennent en ville - Metrotime</title>"
			   "<div class=logo><h1>Metrotime</h1></div><p>Texte."),
		  "Les abeilles reviennent en ville");
	/* a <title> ending in the page's first heading: the rest is the manual's name */
	CHECK_STR(title_of("<title>GNU LilyPond – Manuel de notation: 1.2.5 Mesures</title>"
			   "<h3>1.2.5 Mesures</h3><p>x"),
		  "1.2.5 Mesures");
	/* nothing but a heading */
	CHECK_STR(title_of("<h2>Seulement un intertitre</h2><p>x"), "Seulement un intertitre");
	CHECK_STR(title_of("<p>Ni titre ni intertitre."), "");
	/* entities, markup and white space inside the title */
	CHECK_STR(title_of("<h1>L&#x2019;<em>été</em>\n\t&eacute;ternel&nbsp;? </h1><p>x"),
		  "L’été éternel\xC2\xA0?");
}

static void test_authors(void)
{
	article a;
	char r[ARTICLE_REASON_LEN];
	/* article:author as a URL is ignored; the byline's "Par" goes */
	CHECK(read_str(&a, "<meta property=article:author content=\"https://x.example/jd\">"
			   "<p class=\"article-byline\">Par Jean Dupont, envoyé spécial à Kyiv</p>"
			   "<p>Texte.</p>",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.author, "Jean Dupont");
	CHECK(!has(&a, "Dupont"), "the byline is not text: %s", a.text);
	article_clear(&a);
	CHECK(read_str(&a, "<meta property=article:author content=\"Marie Curie\"><p>Texte.", r) == 0,
	      "%s", r);
	CHECK_STR(a.author, "Marie Curie");
	article_clear(&a);
	/* a final period is punctuation, not part of the name (gimp-help-fr's bylines) */
	CHECK(read_str(&a, "<meta name=author content=\"Akkana Peck.\"><p>Texte.", r) == 0, "%s", r);
	CHECK_STR(a.author, "Akkana Peck");
	article_clear(&a);
	/* a particle "Le" is part of the name; " le " before a date ends it */
	CHECK(read_str(&a, "<meta name=author content=\"Yann Le Gall\"><p>Texte.", r) == 0, "%s", r);
	CHECK_STR(a.author, "Yann Le Gall");
	article_clear(&a);
	CHECK(read_str(&a, "<p class=byline>Par Anne Morel le 12 mars 2024</p><p>Texte.</p>", r) == 0,
	      "%s", r);
	CHECK_STR(a.author, "Anne Morel");
	article_clear(&a);
	CHECK(read_str(&a, "<p class=byline>Par Anne Morel le mardi 12 mars</p><p>Texte.</p>", r) == 0,
	      "%s", r);
	CHECK_STR(a.author, "Anne Morel");
	article_clear(&a);
	CHECK(read_str(&a, "<p>Un texte de <a rel=author href=/a/lb>Louise Bernard</a>.</p>", r) == 0,
	      "%s", r);
	CHECK_STR(a.author, "Louise Bernard");
	article_clear(&a);
	CHECK(read_str(&a, "<p>Texte.</p><span itemprop=author>By Paul Martin</span>", r) == 0, "%s", r);
	CHECK_STR(a.author, "Paul Martin");
	article_clear(&a);
	/* a biography in an "author" box is text, not a name */
	CHECK(read_str(&a, "<div class=author-bio>Journaliste depuis vingt ans, elle a couvert "
			   "trois élections présidentielles et deux coupes du monde de football.</div>",
		       r) == 0,
	      "%s", r);
	CHECK(a.author == NULL, "author \"%s\"", a.author);
	CHECK(has(&a, "Journaliste depuis"), "bio kept");
	article_clear(&a);
	/* a reader's comment is not the article's author */
	CHECK(read_str(&a, "<p>Texte.</p><span class=comment-author>Troll42</span>", r) == 0, "%s", r);
	CHECK(a.author == NULL, "author \"%s\"", a.author);
	article_clear(&a);
}

static const char *date_of(const char *html)
{
	static char d[32];
	article a;
	char r[ARTICLE_REASON_LEN];
	snprintf(d, sizeof d, "(none)");
	if (read_str(&a, html, r) == 0 && a.date)
		snprintf(d, sizeof d, "%s", a.date);
	article_clear(&a);
	return d;
}

static void test_dates(void)
{
	CHECK_STR(date_of("<time datetime=\"2022-11-03T10:00\">jeudi</time><p>x"), "2022-11-03");
	CHECK_STR(date_of("<meta name=date content=\"2021-06-30\"><p>x"), "2021-06-30");
	CHECK_STR(date_of("<meta name=DC.date.issued content=\"2020-01-15\"><p>x"), "2020-01-15");
	CHECK_STR(date_of("<meta itemprop=datePublished content=\"2019-12-24T23:00:00Z\"><p>x"),
		  "2019-12-24");
	CHECK_STR(date_of("<span itemprop=datePublished content=\"2018-07-15\">15/07</span><p>x"),
		  "2018-07-15");
	/* French forms, through article_parse_date */
	CHECK_STR(date_of("<meta name=date content=\"12 avril 2023\"><p>x"), "2023-04-12");
	CHECK_STR(date_of("<time>1er mai 2023</time><p>x"), "2023-05-01");
	CHECK_STR(date_of("<p>Publié le 3 mars 2024</p><p>Texte.</p>"), "2024-03-03");
	/* impossible dates are no dates */
	CHECK_STR(date_of("<meta name=date content=\"2023-02-30\"><p>x"), "(none)");
	CHECK_STR(date_of("<meta name=date content=\"2023-13-01\"><p>x"), "(none)");
	CHECK_STR(date_of("<meta name=date content=\"hier\"><p>x"), "(none)");
	/* the first usable one in order of preference */
	CHECK_STR(date_of("<meta name=date content=\"2023-02-30\"><meta name=dc.date "
			  "content=2023-02-28><p>x"),
		  "2023-02-28");
}

static void test_url_tags(void)
{
	article a;
	char r[ARTICLE_REASON_LEN];
	CHECK(read_str(&a, "<meta property=og:url content=\"https://ex.example/a\">"
			   "<meta name=keywords content=\" climat ,, COP28,Dubaï \"><p>x",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.url, "https://ex.example/a");
	CHECK_STR(a.tags, "climat, COP28, Dubaï");
	article_clear(&a);
}

static void test_charsets(void)
{
	article a;
	char r[ARTICLE_REASON_LEN];
	/* ISO-8859-1 declared, Latin-1 bytes */
	CHECK(read_str(&a, "<html><head><meta charset=\"iso-8859-1\"><title>\xC9t\xE9 \xE0 Nice"
			   "</title></head><body><p>La m\xE9t\xE9o pr\xE9voit du soleil \xE0 "
			   "No\xEBl.</p></body></html>",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.title, "Été à Nice");
	CHECK_STR(a.text, "La météo prévoit du soleil à Noël.");
	article_clear(&a);
	/* http-equiv form, upper case, after a comment that mentions a charset */
	CHECK(read_str(&a, "<!-- charset=utf-8 --><META HTTP-EQUIV=\"Content-Type\" "
			   "CONTENT=\"text/html; charset=ISO-8859-1\"><p>d\xE9j\xE0 vu</p>",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.text, "déjà vu");
	article_clear(&a);
	/* undeclared and not UTF-8: Windows-1252, where 0x92 is ’ and 0x80 is € */
	CHECK(read_str(&a, "<p>l\x92\x61rm\xE9\x65 a co\xFBt\xE9 12 \x80.</p>", r) == 0, "%s", r);
	CHECK_STR(a.text, "l’armée a coûté 12 €.");
	article_clear(&a);
	/* undeclared, valid UTF-8 */
	CHECK(read_str(&a, "<p>l’armée a coûté 12 €.</p>", r) == 0, "%s", r);
	CHECK_STR(a.text, "l’armée a coûté 12 €.");
	article_clear(&a);
	/* the XML declaration of an XHTML page */
	CHECK(read_str(&a, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<html><body><p>\xE9t\xE9"
			   "</p></body></html>",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.text, "été");
	article_clear(&a);
	/* a BOM beats the <meta> */
	CHECK(read_str(&a, "\xEF\xBB\xBF<meta charset=iso-8859-1><p>été</p>", r) == 0, "%s", r);
	CHECK_STR(a.text, "été");
	article_clear(&a);
	/* declared UTF-8 with a stray Latin-1 byte: the UTF-8 stays, the byte is 1252 */
	CHECK(read_str(&a, "<meta charset=utf-8><p>Noël à Orl\xE9\x61ns</p>", r) == 0, "%s", r);
	CHECK_STR(a.text, "Noël à Orléans");
	article_clear(&a);
	/* another charset libxml2 knows: ISO-8859-15 has € at 0xA4 */
	CHECK(read_str(&a, "<meta charset=iso-8859-15><p>5 \xA4</p>", r) == 0, "%s", r);
	CHECK_STR(a.text, "5 €");
	article_clear(&a);
	/* a bad sequence in a multibyte charset: U+FFFD, and the rest of the page read */
	CHECK(read_str(&a, "<meta charset=shift_jis><p>d\x82\xA0" "but \x81\xFF fin</p>", r) == 0, "%s", r);
	CHECK_STR(a.text, "d\xE3\x81\x82" "but \xEF\xBF\xBD\xEF\xBF\xBD fin");
	article_clear(&a);
	/* an unknown charset name: as if undeclared */
	CHECK(read_str(&a, "<meta charset=x-nimportequoi><p>caf\xE9</p>", r) == 0, "%s", r);
	CHECK_STR(a.text, "café");
	article_clear(&a);
	/* UTF-16 with its BOM */
	static const char u16[] = "\xFF\xFE<\0p\0>\0\xE9\0t\0\xE9\0<\0/\0p\0>\0";
	CHECK(reader_html(&a, u16, sizeof u16 - 1, r) == 0, "%s", r);
	CHECK_STR(a.text, "été");
	article_clear(&a);
}

static void test_entities(void)
{
	article a;
	char r[ARTICLE_REASON_LEN];
	CHECK(read_str(&a, "<p>L&#x2019;&eacute;t&#233; &amp; l&rsquo;hiver&nbsp;: &laquo;&#160;"
			   "froid&#xA0;&raquo; &lt;b&gt; &oelig;uvre</p>",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.text, "L’été & l’hiver\xC2\xA0: «\xC2\xA0" "froid\xC2\xA0» <b> œuvre");
	article_clear(&a);
	/* a paragraph of no-break spaces is empty; a run of blanks is one space */
	CHECK(read_str(&a, "<p>&nbsp;</p><p>a&nbsp; &nbsp;b</p><p> \xC2\xA0 </p><p>c</p>", r) == 0,
	      "%s", r);
	CHECK_STR(a.text, "a b\n\nc");
	CHECK(a.lead_len == 3, "lead_len %zu", a.lead_len);
	article_clear(&a);
}

static void test_structure(void)
{
	article a;
	char r[ARTICLE_REASON_LEN];
	/* blocks separate paragraphs, inline elements do not, <br> and cells do */
	CHECK(read_str(&a, "<body><div>Un<span>deux</span> <b>trois</b><div>quatre</div>cinq<br>six"
			   "<ul><li>a<li>b</ul><table><tr><td>c1<td>c2<tr><td>d</table>"
			   "<pre>x   =  1;\n  y</pre><blockquote>cité</blockquote></body>",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.text, "Undeux trois\n\nquatre\n\ncinq\n\nsix\n\na\n\nb\n\nc1 c2\n\nd\n\n"
			  "x = 1; y\n\ncité");
	CHECK(a.lead_len == strlen("Undeux trois"), "lead_len %zu", a.lead_len);
	article_clear(&a);
	/* <main> is the content when there is no <article> */
	CHECK(read_str(&a, "<div>Publicité envahissante</div><main><p>Le contenu.</p></main>", r) == 0,
	      "%s", r);
	CHECK_STR(a.text, "Le contenu.");
	article_clear(&a);
	CHECK(read_str(&a, "<div>Bandeau</div><div role=main><p>Le contenu.</p></div>", r) == 0, "%s", r);
	CHECK_STR(a.text, "Le contenu.");
	article_clear(&a);
	/* a short <article> teaser does not make the page's content */
	CHECK(read_str(&a, "<body><p>Le vrai contenu de la page, bien plus long que l’encart, "
			   "qui parle d’autre chose.</p><aside><article>Encart</article></aside>"
			   "<div><article>Vignette</article></div></body>",
		       r) == 0,
	      "%s", r);
	CHECK(has(&a, "Le vrai contenu") && has(&a, "Vignette"), "%s", a.text);
	article_clear(&a);
	/* chrome by class or id, whole words only: DocBook's guimenu stays */
	CHECK(read_str(&a, "<div id=main-menu>Menu principal</div><div class=\"navheader\">Précédent"
			   "</div><p>Choisissez <span class=guimenu>Fichier</span> puis <span "
			   "class=menuchoice>Enregistrer</span>.</p><div class=\"has-sidebar\"><p>"
			   "Encore du texte.</p><div class=sidebar-left>Barre</div></div>",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.text, "Choisissez Fichier puis Enregistrer.\n\nEncore du texte.");
	article_clear(&a);
	/* ... unless that leaves nothing at all */
	CHECK(read_str(&a, "<div class=menu>Seul contenu</div>", r) == 0, "%s", r);
	CHECK_STR(a.text, "Seul contenu");
	article_clear(&a);
	/* hidden by style, by role; switched alternatives (all hidden spans) are kept */
	CHECK(read_str(&a, "<p>Visible<span style=\"display: none\">Invisible</span></p>"
			   "<div role=navigation>Navig</div><p>Choisissez <span><span hidden "
			   "class=MAC>Préférences</span><span hidden>Outils - Options</span></span>."
			   "</p><div hidden><p>Modale</p></div>",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.text, "Visible\n\nChoisissez Préférences Outils - Options .");
	article_clear(&a);
	/* a <header> inside an <article> is the article's: its lead stays */
	CHECK(read_str(&a, "<header>Site</header><article><header><h1>Titre</h1><p>Chapô de "
			   "l’article.</p></header><p>Corps.</p></article>",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.title, "Titre");
	CHECK_STR(a.text, "Chapô de l’article.\n\nCorps.");
	article_clear(&a);
}

static void test_broken(void)
{
	article a;
	char r[ARTICLE_REASON_LEN];
	/* truncated in the middle of a tag */
	CHECK(read_str(&a, "<html><head><title>Titre coupé</title></head><body><p>Un texte qui "
			   "s’arrête net.</p><p>Deuxième <a hr",
		       r) == 0,
	      "%s", r);
	CHECK_STR(a.title, "Titre coupé");
	CHECK(a.text && strncmp(a.text, "Un texte qui s’arrête net.", 27) == 0, "%s", a.text);
	article_clear(&a);
	/* truncated inside an attribute value, a comment, a script */
	CHECK(read_str(&a, "<title>T</title><p>Texte</p><img alt=\"sans fin", r) == 0, "%s", r);
	CHECK(has(&a, "Texte"), "%s", a.text);
	article_clear(&a);
	CHECK(read_str(&a, "<title>T</title><p>Texte</p><!-- commentaire", r) == 0, "%s", r);
	CHECK_STR(a.text, "Texte");
	article_clear(&a);
	CHECK(read_str(&a, "<title>T</title><p>Texte</p><script>var x = \"", r) == 0, "%s", r);
	CHECK_STR(a.text, "Texte");
	article_clear(&a);
	/* unclosed and misnested tags */
	CHECK(read_str(&a, "<p>un <b>deux <i>trois</b> quatre</i><p>cinq", r) == 0, "%s", r);
	CHECK_STR(a.text, "un deux trois quatre\n\ncinq");
	article_clear(&a);

	/* empty body, empty file, white space */
	CHECK(read_str(&a, "<html><head><title>Rien</title></head><body>  </body></html>", r) == -1,
	      "empty body");
	CHECK(strcmp(r, "no text in the page") == 0, "reason \"%s\"", r);
	CHECK(a.title == NULL && a.text == NULL, "nothing left behind");
	CHECK(read_str(&a, "<html><body><script>only()</script><nav>menu</nav></body></html>", r) == -1,
	      "only chrome");
	CHECK(strcmp(r, "no text in the page") == 0, "reason \"%s\"", r);
	CHECK(reader_html(&a, "", 0, r) == -1, "empty file");
	CHECK(read_str(&a, " \n\t ", r) == -1, "white space");
	/* only a title repeated as a heading: no text either */
	CHECK(read_str(&a, "<title>Seul</title><h1>Seul</h1>", r) == -1, "heading only");

	/* binary data */
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
	CHECK(reader_html(&a, png, sizeof png - 1, r) == -1, "png");
	CHECK(strncmp(r, "not HTML", 8) == 0, "%s", r);
	unsigned char noise[4096];
	unsigned s = 12345;
	for (size_t i = 0; i < sizeof noise; i++) {
		s = s * 1103515245u + 12345u;
		noise[i] = (unsigned char)(s >> 16);
	}
	(void)reader_html(&a, (const char *)noise, sizeof noise, r);
	article_clear(&a);
	for (size_t i = 0; i < sizeof noise; i++) /* no NUL: decoded as 1252, any result */
		noise[i] = noise[i] ? noise[i] : '<';
	(void)reader_html(&a, (const char *)noise + 1, sizeof noise - 1, r);
	article_clear(&a);
}

static void test_deep(void)
{
	/* 100,000 nested divs (and spans, and bylines): no recursion to overflow */
	static const char *const open_tags[] = {"<div>", "<span class=author>", "<article><header>"};
	for (size_t k = 0; k < 3; k++) {
		size_t n = 100000, ol = strlen(open_tags[k]);
		char *buf = malloc(n * ol + 64);
		if (!buf)
			return;
		char *p = buf;
		p += sprintf(p, "<title>Profond</title>");
		for (size_t i = 0; i < n; i++, p += ol)
			memcpy(p, open_tags[k], ol);
		p += sprintf(p, "texte");
		article a;
		char r[ARTICLE_REASON_LEN];
		int rc = reader_html(&a, buf, (size_t)(p - buf), r);
		CHECK(rc == 0 || rc == -1, "rc %d", rc);
		article_clear(&a);
		free(buf);
	}
	/* a huge attribute value */
	size_t n = 5u << 20;
	char *buf = malloc(n + 64);
	if (!buf)
		return;
	char *p = buf + sprintf(buf, "<p>avant</p><img alt=\"");
	memset(p, 'a', n);
	p += n;
	p += sprintf(p, "\"><p>après</p>");
	article a;
	char r[ARTICLE_REASON_LEN];
	CHECK(reader_html(&a, buf, (size_t)(p - buf), r) == 0, "%s", r);
	CHECK(has(&a, "avant"), "before the attribute");
	article_clear(&a);
	free(buf);
}

/* Real pages from Debian's documentation packages (tests/fixtures/html/README.md). */
static void test_real_pages(void)
{
	static const struct {
		const char *file, *title, *word, *absent;
	} pages[] = {
		/* DocBook puts a no-break space after the section number */
		{"debian-handbook-sect.tails.html", "A.7.\xC2\xA0" "Tails", "Amnesic Incognito", "Précédent"},
		{"gimp-help-gimp-file-save.html", "2.8.\xC2\xA0" "Enregistrer", "Cette commande ouvre",
		 "Suivant"},
		{"libreoffice-help-10040000.html", "Dernière page", "Ramène le document",
		 "Help content debug"},
		{"lilypond-old-downloads.fr.html", "Anciennes versions", "vitrine chez GitLab",
		 "Autres langues"},
		{"linuxcnc-gcode_fr.html", "LinuxCNC \"G-code\" Quick Reference", "Rapid Move",
		 "titlerow"},
	};
	for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
		size_t len;
		char *buf = slurp(pages[i].file, &len);
		CHECK(buf != NULL, "%s", pages[i].file);
		if (!buf)
			continue;
		article a;
		char r[ARTICLE_REASON_LEN];
		CHECK(reader_html(&a, buf, len, r) == 0, "%s: %s", pages[i].file, r);
		CHECK_STR(a.title, pages[i].title);
		CHECK(has(&a, pages[i].word), "%s: no \"%s\"", pages[i].file, pages[i].word);
		CHECK(!has(&a, pages[i].absent), "%s: \"%s\"", pages[i].file, pages[i].absent);
		CHECK(a.text && strncmp(a.text, a.title, strlen(a.title)) != 0,
		      "%s: title repeated", pages[i].file);
		article_clear(&a);
		free(buf);
	}
}

int main(void)
{
	test_news_page();
	test_title_and_body_only();
	test_titles();
	test_authors();
	test_dates();
	test_url_tags();
	test_charsets();
	test_entities();
	test_structure();
	test_broken();
	test_deep();
	test_real_pages();
	return check_summary();
}
