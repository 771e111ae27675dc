/*
 * The French analysis chain against the spec's test cases (shared/spec/french-analysis.md)
 * and its edges: positions, byte offsets, odd Unicode, invalid UTF-8, long input, cache.
 *
 * Output is rendered as space-separated terms, "term|alt" when a position has both.
 * Non-ASCII characters the eye cannot tell apart are written as explicit escapes.
 */
#include "check.h"
#include "indexer/analyzer.h"

#include <stdint.h>
#include <stdlib.h>

#define NBSP "\xc2\xa0"      /* U+00A0 no-break space */
#define NNBSP "\xe2\x80\xaf" /* U+202F narrow no-break space */
#define THINSP "\xe2\x80\x89" /* U+2009 thin space */
#define RSQUO "\xe2\x80\x99" /* U+2019 ’ */
#define LSQUO "\xe2\x80\x98" /* U+2018 ‘ */
#define MODAPOS "\xca\xbc"   /* U+02BC ʼ */
#define FWAPOS "\xef\xbc\x87" /* U+FF07 ＇ */
#define ACUTE "\xcc\x81"     /* U+0301 combining acute */
#define LIG_FI "\xef\xac\x81" /* U+FB01 ﬁ */
#define LIG_FL "\xef\xac\x82" /* U+FB02 ﬂ */

static analyzer *an;

/* CHECK_STR on a char array: through a function, so -Waddress does not flag the NULL test */
static const char *as_str(const char *s)
{
	return s;
}

#define MAX_TOKS 64

struct tok {
	char term[ANALYZER_MAX_TERM + 1];
	char alt[ANALYZER_MAX_TERM + 1];
	char word[ANALYZER_MAX_TERM + 1];
	uint32_t pos;
	size_t start, end;
	int is_stop;
};

struct run {
	struct tok toks[MAX_TOKS];
	int n;
	size_t total; /* tokens seen, even beyond MAX_TOKS */
	char rendered[4096];
};

static void copy_str(char *dst, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n > ANALYZER_MAX_TERM)
		n = ANALYZER_MAX_TERM + 1; /* would not fit: the check on lengths catches it */
	if (src)
		memcpy(dst, src, n > ANALYZER_MAX_TERM ? ANALYZER_MAX_TERM : n);
	dst[n > ANALYZER_MAX_TERM ? ANALYZER_MAX_TERM : n] = '\0';
}

static void record(struct run *r, const analyzer_token *t, int is_stop)
{
	r->total++;
	CHECK(t->term && strlen(t->term) <= ANALYZER_MAX_TERM, "term too long or NULL");
	CHECK(!t->alt || strlen(t->alt) <= ANALYZER_MAX_TERM, "alt too long");
	CHECK(!t->alt || strcmp(t->alt, t->term) != 0, "alt equal to term: %s", t->term);
	CHECK(t->word && strlen(t->word) <= ANALYZER_MAX_TERM, "word too long or NULL");
	CHECK(t->start < t->end, "empty byte range %zu..%zu", t->start, t->end);
	if (t->word) { /* the word's shape, from the stem cache or measured: always the word's */
		size_t len = strlen(t->word), chars = 0;
		int digit = 0;
		for (size_t i = 0; i < len; i++) {
			chars += ((unsigned char)t->word[i] & 0xC0) != 0x80;
			digit |= t->word[i] >= '0' && t->word[i] <= '9';
		}
		CHECK(t->word_len == len && t->word_hash == analyzer_word_hash(t->word, len) &&
			      t->word_chars == (chars < 63 ? chars : 63) && t->word_digit == digit,
		      "shape of \"%s\": len %u hash %u chars %u digit %u", t->word, t->word_len, t->word_hash,
		      (unsigned)t->word_chars, (unsigned)t->word_digit);
	}
	if (r->n >= MAX_TOKS)
		return;
	struct tok *k = &r->toks[r->n++];
	copy_str(k->term, t->term);
	copy_str(k->alt, t->alt);
	copy_str(k->word, t->word);
	k->pos = t->pos;
	k->start = t->start;
	k->end = t->end;
	k->is_stop = is_stop;
}

static int on_token(const analyzer_token *t, void *ud)
{
	record(ud, t, 0);
	return 0;
}

static int on_token_all(const analyzer_token *t, int is_stop, void *ud)
{
	record(ud, t, is_stop);
	return 0;
}

static void render(struct run *r)
{
	size_t n = 0;
	r->rendered[0] = '\0';
	for (int i = 0; i < r->n; i++) {
		n += (size_t)snprintf(r->rendered + n, sizeof r->rendered - n, "%s%s%s%s",
				      i ? " " : "", r->toks[i].term, r->toks[i].alt[0] ? "|" : "",
				      r->toks[i].alt);
		if (n >= sizeof r->rendered)
			break;
	}
}

/*
 * Analyze `len` bytes copied into a heap block of exactly that size and no NUL, so that
 * the sanitizers catch any read past the end.
 */
static void analyze_n(struct run *r, const char *text, size_t len, int all)
{
	memset(r, 0, sizeof *r);
	char *copy = malloc(len ? len : 1);
	if (len)
		memcpy(copy, text, len);
	uint32_t pos = 0;
	int rc = all ? analyzer_run_all(an, copy, len, &pos, on_token_all, r)
		     : analyzer_run(an, copy, len, &pos, on_token, r);
	CHECK(rc == 0, "run returned %d", rc);
	free(copy);
	render(r);
}

static void analyze(struct run *r, const char *text)
{
	analyze_n(r, text, strlen(text), 0);
}

/* ---- the spec's table --------------------------------------------------------------- */

static const struct {
	const char *input;
	const char *terms;
} spec_cases[] = {
	{ "L'avion", "avion" },
	{ "L" RSQUO "avion s" RSQUO "est \xc3\xa9" "cras\xc3\xa9", "avion est ecras" },
	{ "d" RSQUO "Ukraine", "ukrain" },
	{ "jusqu" RSQUO "\xc3\xa0 Kharkiv", "kharkiv" },
	{ "lorsqu'elle", "" },
	{ "puisqu'on", "" },
	{ "quoiqu'il", "" },
	{ "aujourd" RSQUO "hui", "aujourd'hui" },
	{ "L'ONU", "onu" },
	{ "\xc3\xa9lection", "elect" },
	{ "\xc3\x89lection", "elect" },
	{ "ELECTION", "elect" },
	{ "e" ACUTE "lection", "elect" },
	{ "s\xc3\xa9" "curit\xc3\xa9", "secur|securit" },
	{ "r\xc3\xa9" "fugi\xc3\xa9s", "refugi|refug" },
	{ "fronti\xc3\xa8res", "fronti|frontier" },
	{ "\xc3\x89tats-Unis", "etat unis" },
	{ "\xc5\x92uvre des s\xc5\x93urs", "oeuvr soeur" },
	{ LIG_FI "nance", "financ" },
	{ "peut-\xc3\xaatre", "peut etre" },
	{ "Jean-Pierre", "jean pierr" },
	{ "soldats soldat", "soldat soldat" },
	{ "russes Russie russe RUSSE", "russ russ russ russ" },
	{ "ordres ordre", "ordre ordre" },
	{ "refuse refusent", "refus refusent" },
	{ "Poutine Belgorod Donetsk", "poutin belgorod donetsk" },
	{ "1" NBSP "000 soldats", "1000 soldat" },
	{ "2" NNBSP "500 chars", "2500 char" },
	{ "1 000", "1 000" },
	{ "en 2023", "2023" },
	{ "3,5 %", "3,5" },
	{ "\xc2\xab guerre \xc2\xbb", "guerr" },
	{ "\xc2\xab" NBSP "guerre" NBSP "\xc2\xbb", "guerr" },
};

/* ---- further cases: the rules the table above does not pin ---------------------------- */

static const struct {
	const char *input;
	const char *terms;
} more_cases[] = {
	/* every apostrophe is the same apostrophe */
	{ "l" LSQUO "avion", "avion" },
	{ "l" MODAPOS "avion", "avion" },
	{ "l" FWAPOS "avion", "avion" },
	{ "qu" RSQUO "aujourd" RSQUO "hui", "aujourd'hui" },
	{ "presqu" RSQUO "\xc3\xaele", "presqu'il" },
	{ "prud" RSQUO "homme", "prud'homm" },
	/* "est" is the East too */
	{ "l'Europe de l'Est", "europ est" },
	/* an apostrophe not between two letters separates */
	{ "'avion' l' 80's", "avion 80" }, /* "s" alone is a stopword */
	{ LSQUO "guerre" RSQUO, "guerr" },
	/* ligatures and œ/æ */
	{ LIG_FL "euve", "fleuv" },
	{ "c\xc5\x93ur \xc5\x92UVRE", "coeur oeuvr" },
	{ "\xc3\x86sope", "aesop" },
	/* hyphens and dashes split */
	{ "arc-en-ciel", "arc ciel" },
	{ "guerre\xe2\x80\x94paix guerre\xe2\x80\x93paix", "guerr paix guerr paix" },
	/* digit groups: NBSP, NNBSP, thin space; exactly three digits; 1 to 3 before */
	{ "10" THINSP "000", "10000" },
	{ "1" NBSP "000" NBSP "000 morts", "1000000 mort" },
	{ "12" NBSP "0000", "12 0000" },
	{ "12" NBSP "00", "12 00" },
	{ "2023" NBSP "000", "2023 000" },
	{ "1" NBSP "000,5", "1000,5" },
	{ "3,5" NBSP "000", "3,5 000" },
	{ "ann\xc3\xa9" "e" NBSP "2023", "anne 2023" },
	/* decimal separators join digits only */
	{ "fin 2023. Puis, 1.5 et 2,", "fin 2023 puis 1.5 2" },
	{ "a,b 1,b", "a b 1 b" }, /* "a" (has) is not on the list, "à" is */
	/* numbers are kept as written, lowercased */
	{ "1er 2e 4G", "1er 2e 4g" },
	/* a letter word may contain digits */
	{ "COVID19", "covid19" },
	/* other scripts pass through */
	{ "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0", /* Москва */
	  "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0" },
	/* a lone combining mark is not a word */
	{ ACUTE " x " ACUTE, "x" },
	/* stopwords only */
	{ "le la les de des du", "" },
	{ "", "" },
};

static void test_table(void)
{
	struct run r;
	for (size_t i = 0; i < sizeof spec_cases / sizeof spec_cases[0]; i++) {
		analyze(&r, spec_cases[i].input);
		CHECK(strcmp(r.rendered, spec_cases[i].terms) == 0, "spec case \"%s\": got \"%s\", want \"%s\"",
		      spec_cases[i].input, r.rendered, spec_cases[i].terms);
	}
	for (size_t i = 0; i < sizeof more_cases / sizeof more_cases[0]; i++) {
		analyze(&r, more_cases[i].input);
		CHECK(strcmp(r.rendered, more_cases[i].terms) == 0, "case \"%s\": got \"%s\", want \"%s\"",
		      more_cases[i].input, r.rendered, more_cases[i].terms);
	}
}

/* Snowball's known limits, pinned rather than fought (spec, "Snowball's known limits"). */
static void test_snowball_limits(void)
{
	struct run r;
	analyze(&r, "refuse refusent");
	CHECK_STR(as_str(r.rendered), "refus refusent");
	analyze(&r, "Ukraine ukrainiennes");
	CHECK_STR(as_str(r.rendered), "ukrain ukrainien");
	analyze(&r, "France fran\xc3\xa7" "ais franc");
	CHECK_STR(as_str(r.rendered), "franc franc franc");
	analyze(&r, "arm\xc3\xa9" "e arme l" RSQUO "arm\xc3\xa9" "e");
	CHECK_STR(as_str(r.rendered), "arme arme arme");
}

/* ---- positions and offsets ------------------------------------------------------------ */

static void test_positions(void)
{
	struct run r;
	analyze(&r, "\xc3\x89tats-Unis");
	CHECK(r.n == 2 && r.toks[0].pos == 1 && r.toks[1].pos == 2, "États-Unis positions");

	analyze(&r, "peut-\xc3\xaatre");
	CHECK(r.n == 2 && r.toks[1].pos == r.toks[0].pos + 1, "peut-être positions");

	/* a stopword takes its position */
	analyze(&r, "ministre de la sant\xc3\xa9");
	CHECK(r.n == 2, "ministre de la santé: %d tokens", r.n);
	CHECK(r.toks[0].pos == 1 && r.toks[1].pos == 4, "positions %u %u", r.toks[0].pos,
	      r.toks[1].pos);
	CHECK_STR(as_str(r.rendered), "ministr sant");

	/* run_all reports the stopwords at their positions, term = the lowercase word */
	analyze_n(&r, "ministre De LA sant\xc3\xa9", strlen("ministre De LA sant\xc3\xa9"), 1);
	CHECK(r.n == 4, "run_all: %d tokens", r.n);
	if (r.n == 4) {
		CHECK(!r.toks[0].is_stop && r.toks[1].is_stop && r.toks[2].is_stop &&
			      !r.toks[3].is_stop, "is_stop flags");
		CHECK_STR(as_str(r.toks[1].term), "de");
		CHECK_STR(as_str(r.toks[2].term), "la");
		CHECK(r.toks[1].alt[0] == '\0', "a stopword has no alt");
		for (int i = 0; i < 4; i++)
			CHECK(r.toks[i].pos == (uint32_t)i + 1, "run_all pos %d = %u", i, r.toks[i].pos);
	}
	analyze_n(&r, "jusqu" RSQUO "\xc3\xa0 Kharkiv", strlen("jusqu" RSQUO "\xc3\xa0 Kharkiv"), 1);
	CHECK(r.n == 2 && r.toks[0].is_stop, "jusqu'à reported as a stopword");
	CHECK_STR(as_str(r.toks[0].term), "\xc3\xa0");
	CHECK(r.toks[0].start == 0 && r.toks[0].end == 10, "jusqu'à offsets %zu..%zu",
	      r.toks[0].start, r.toks[0].end);

	/* positions continue from *pos and are written back */
	uint32_t pos = 10;
	memset(&r, 0, sizeof r);
	CHECK(analyzer_run(an, "titre", 5, &pos, on_token, &r) == 0, "run");
	CHECK(pos == 11 && r.n == 1 && r.toks[0].pos == 11, "continued pos %u", pos);
	pos += 100; /* a gap between title and body */
	CHECK(analyzer_run(an, "le corps", 8, &pos, on_token, &r) == 0, "run");
	CHECK(pos == 113 && r.n == 2 && r.toks[1].pos == 113, "continued pos %u", pos);
}

static void test_offsets(void)
{
	struct run r;
	analyze(&r, "les r\xc3\xa9" "fugi\xc3\xa9s");
	CHECK(r.n == 1 && r.toks[0].start == 4 && r.toks[0].end == 14, "réfugiés at %zu..%zu",
	      r.toks[0].start, r.toks[0].end);
	CHECK_STR(as_str(r.toks[0].word), "r\xc3\xa9" "fugi\xc3\xa9s");

	/* the elided article belongs to the word's range; the word itself does not keep it */
	const char *el = "l" RSQUO "\xc3\x89lection";
	analyze(&r, el);
	CHECK(r.n == 1 && r.toks[0].start == 0 && r.toks[0].end == strlen(el), "l'Élection at %zu..%zu",
	      r.toks[0].start, r.toks[0].end);
	CHECK_STR(as_str(r.toks[0].word), "\xc3\xa9lection");

	/* decomposed input: offsets over the original bytes, the word NFC */
	analyze(&r, "la e" ACUTE "lection");
	CHECK(r.n == 1 && r.toks[0].start == 3 && r.toks[0].end == 13, "decomposed at %zu..%zu",
	      r.toks[0].start, r.toks[0].end);
	CHECK_STR(as_str(r.toks[0].word), "\xc3\xa9lection");
	CHECK_STR(as_str(r.toks[0].term), "elect");

	/* a joined number spans its group spaces */
	analyze(&r, "x 1" NBSP "000.");
	CHECK(r.n == 2 && r.toks[1].start == 2 && r.toks[1].end == 8, "1 000 at %zu..%zu",
	      r.toks[1].start, r.toks[1].end);
	CHECK_STR(as_str(r.toks[1].word), "1000");

	/* the "word" field: lowercase NFC, accents kept, ligatures mapped */
	analyze(&r, "C\xc5\x93ur " LIG_FI "N");
	CHECK(r.n == 2, "two tokens");
	CHECK_STR(as_str(r.toks[0].word), "coeur");
	CHECK_STR(as_str(r.toks[1].word), "fin");
}

/* ---- robustness ----------------------------------------------------------------------- */

static void test_invalid_utf8(void)
{
	struct run r;
	/* a stray byte, an overlong, a surrogate, a cut sequence: all separate words */
	static const char bad[] = "abc\xff" "d\xc3\xa9" "f\xc0\xaf" "guerre\xed\xa0\x80" "paix \xe2\x80";
	analyze_n(&r, bad, sizeof bad - 1, 0);
	CHECK_STR(as_str(r.rendered), "abc def guerr paix");
	if (r.n == 4) {
		CHECK(r.toks[0].start == 0 && r.toks[0].end == 3, "abc offsets");
		CHECK(r.toks[1].start == 4 && r.toks[1].end == 8, "déf offsets %zu..%zu",
		      r.toks[1].start, r.toks[1].end);
		CHECK(r.toks[3].end == sizeof bad - 4, "paix end %zu", r.toks[3].end);
	}
	/* invalid bytes between two letters of a word */
	analyze_n(&r, "s\xc3\xa9\x80" "curit\xc3\xa9", 11, 0);
	CHECK(r.n == 2, "split on the invalid byte: %s", r.rendered);
	/* a cut sequence right at the end of the buffer */
	analyze_n(&r, "\xc3\xa9t\xc3", 4, 0);
	CHECK(r.n == 1 && r.toks[0].end == 3, "cut sequence at the end");
	/* only garbage */
	analyze_n(&r, "\xff\xfe\xc3\x28\xa0\xa1\xf0\x28\x8c\xbc", 10, 0);
	CHECK(r.total == 0, "garbage: %s", r.rendered);
}

static void test_empty(void)
{
	struct run r;
	uint32_t pos = 5;
	memset(&r, 0, sizeof r);
	CHECK(analyzer_run(an, NULL, 0, &pos, on_token, &r) == 0 && r.total == 0 && pos == 5,
	      "NULL, 0");
	CHECK(analyzer_run(an, "", 0, &pos, on_token, &r) == 0 && r.total == 0 && pos == 5, "empty");
	CHECK(analyzer_run_all(an, " \t\n,;", 5, &pos, on_token_all, &r) == 0 && r.total == 0 &&
		      pos == 5, "separators only");
	/* pos may be NULL */
	CHECK(analyzer_run(an, "guerre", 6, NULL, on_token, &r) == 0 && r.total == 1, "pos NULL");
}

static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 :
		        (*p & 0xF8) == 0xF0 ? 4 : 0;
		if (!n)
			return 0;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

static void test_long_input(void)
{
	struct run r;
	enum { N = 10000 };
	char *buf = malloc(N * 2);

	/* one 10,000-letter word: one token over the whole range, terms cut */
	memset(buf, 'a', N);
	analyze_n(&r, buf, N, 0);
	CHECK(r.n == 1 && r.toks[0].start == 0 && r.toks[0].end == N, "long ASCII word");
	CHECK(strlen(r.toks[0].term) <= ANALYZER_MAX_TERM && strlen(r.toks[0].term) > 0, "cut term");

	/* 10,000 "é": the cut falls on a character boundary */
	for (int i = 0; i < N; i++)
		memcpy(buf + 2 * i, "\xc3\xa9", 2);
	analyze_n(&r, buf, 2 * N, 0);
	CHECK(r.n == 1 && r.toks[0].end == 2 * N, "long accented word");
	CHECK(utf8_valid(r.toks[0].term) && utf8_valid(r.toks[0].word) && utf8_valid(r.toks[0].alt),
	      "cut at a character boundary");
	CHECK(strlen(r.toks[0].word) == ANALYZER_MAX_TERM, "word cut to %d bytes", ANALYZER_MAX_TERM);

	/* 10,000 "e" + U+0301 pairs, decomposed */
	for (int i = 0; i < N / 3; i++)
		memcpy(buf + 3 * i, "e" ACUTE, 3);
	analyze_n(&r, buf, 3 * (N / 3), 0);
	CHECK(r.n == 1 && utf8_valid(r.toks[0].term) && utf8_valid(r.toks[0].word),
	      "long decomposed word");

	/* a 10,000-digit number */
	memset(buf, '7', N);
	analyze_n(&r, buf, N, 0);
	CHECK(r.n == 1 && strlen(r.toks[0].term) == ANALYZER_MAX_TERM, "long number");

	/* 10,000 characters of text: every word found, positions dense */
	static const char phrase[] = "Les r\xc3\xa9" "fugi\xc3\xa9s d" RSQUO "Ukraine arrivent. ";
	size_t n = 0, chars = 0, words = 0;
	while (chars + 33 <= N) {
		memcpy(buf + n, phrase, sizeof phrase - 1);
		n += sizeof phrase - 1;
		chars += 33; /* characters in the phrase */
		words += 4;
	}
	analyze_n(&r, buf, n, 0);
	CHECK(r.total == words / 4 * 3, "long text: %zu tokens, want %zu", r.total, words / 4 * 3);
	CHECK(r.toks[MAX_TOKS - 1].pos == (uint32_t)(MAX_TOKS / 3 * 4 + 2), "pos %u",
	      r.toks[MAX_TOKS - 1].pos);
	free(buf);
}

/* The stem cache must not change the output: fill it past its limit and compare. */
static void test_cache(void)
{
	struct run r1, r2;
	const char *text = "S\xc3\xa9" "curit\xc3\xa9 des r\xc3\xa9" "fugi\xc3\xa9s " LIG_FI "nance";
	analyze(&r1, text);
	analyze(&r2, text); /* from the cache this time */
	CHECK(strcmp(r1.rendered, r2.rendered) == 0, "cached: %s vs %s", r1.rendered, r2.rendered);
	CHECK_STR(as_str(r2.rendered), "secur|securit refugi|refug financ");

	/* 40,000 distinct words: the cache is cleared at least once on the way */
	char w[8];
	struct run r;
	for (int i = 0; i < 40000; i++) {
		int v = i;
		for (int k = 0; k < 4; k++) {
			w[k] = (char)('a' + v % 26);
			v /= 26;
		}
		memcpy(w + 4, "ion", 3);
		analyze_n(&r, w, 7, 0);
		if (r.n != 1) {
			CHECK(r.n == 1, "word %.7s: %d tokens", w, r.n);
			break;
		}
	}
	analyze(&r2, text);
	CHECK(strcmp(r1.rendered, r2.rendered) == 0, "after clear: %s vs %s", r1.rendered, r2.rendered);
	analyze_n(&r2, "de la", 5, 1);
	CHECK(r2.n == 2 && r2.toks[0].is_stop && r2.toks[1].is_stop, "stopwords after clear");

	/* a word of 64 letters, the longest cached: its 64 characters kept as 63 in the
	   cache's flags byte, measured then read from the cache (record() checks both) */
	char long_word[65];
	memset(long_word, 'k', 64);
	long_word[64] = '\0';
	analyze(&r, long_word);
	analyze(&r2, long_word);
	CHECK(r.n == 1 && r2.n == 1, "64 letters: %d and %d tokens", r.n, r2.n);
}

static int stop_after_first(const analyzer_token *t, void *ud)
{
	(void)t;
	++*(int *)ud;
	return 42;
}

static void test_callback_stop(void)
{
	int calls = 0;
	uint32_t pos = 0;
	int rc = analyzer_run(an, "le soldat et la guerre", 22, &pos, stop_after_first, &calls);
	CHECK(rc == 42 && calls == 1, "stopped with %d after %d calls", rc, calls);
	CHECK(pos == 2, "pos written back on stop: %u", pos);
}

/* ---- stopwords and fold ------------------------------------------------------------- */

static void test_stopwords(void)
{
	/* the Snowball French list, 154 words */
	static const char *const snowball[] = {
		"au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et",
		"eux", "il", "je", "la", "le", "leur", "lui", "ma", "mais", "me", "m\xc3\xaame",
		"mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas",
		"pour", "qu", "que", "qui", "sa", "se", "ses", "sur", "ta", "te", "tes", "toi",
		"ton", "tu", "un", "une", "vos", "votre", "vous", "c", "d", "j", "l", "\xc3\xa0",
		"m", "n", "s", "t", "y", "\xc3\xa9t\xc3\xa9" "e", "\xc3\xa9t\xc3\xa9" "es",
		"\xc3\xa9tant", "suis", "es", "\xc3\xaates", "sont", "serai", "seras", "sera",
		"serons", "serez", "seront", "serais", "serait", "serions", "seriez", "seraient",
		"\xc3\xa9tais", "\xc3\xa9tait", "\xc3\xa9tions", "\xc3\xa9tiez", "\xc3\xa9taient",
		"fus", "fut", "f\xc3\xbbmes", "f\xc3\xbbtes", "furent", "sois", "soit", "soyons",
		"soyez", "soient", "fusse", "fusses", "fussions", "fussiez", "fussent", "ayant",
		"eu", "eue", "eues", "eus", "ai", "avons", "avez", "ont", "aurai", "aurons",
		"aurez", "auront", "aurais", "aurait", "aurions", "auriez", "auraient", "avais",
		"avait", "aviez", "avaient", "eut", "e\xc3\xbbmes", "e\xc3\xbbtes", "eurent",
		"aie", "aies", "ait", "ayons", "ayez", "aient", "eusse", "eusses", "e\xc3\xbbt",
		"eussions", "eussiez", "eussent", "ceci", "cela", "cel\xc3\xa0", "cet", "cette",
		"ici", "ils", "les", "leurs", "quel", "quels", "quelle", "quelles", "sans", "soi",
	};
	CHECK(sizeof snowball / sizeof snowball[0] == 154, "list has %zu words",
	      sizeof snowball / sizeof snowball[0]);
	for (size_t i = 0; i < sizeof snowball / sizeof snowball[0]; i++)
		CHECK(analyzer_is_stopword(snowball[i], strlen(snowball[i])), "%s is a stopword",
		      snowball[i]);

	/* the homonyms Snowball leaves out, "est" (l'Est) first */
	static const char *const kept[] = {
		"est", "son", "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9s", "sommes", "f\xc3\xbbt",
		"as", "aura", "auras", "avions", "france", "", "lesx", "seraientx", "a", "x",
	};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
		CHECK(!analyzer_is_stopword(kept[i], strlen(kept[i])), "%s is not a stopword", kept[i]);
	/* length counts, not the NUL */
	CHECK(analyzer_is_stopword("les", 2), "\"le\" as a prefix of les");
	CHECK(analyzer_is_stopword("lesx", 3), "\"les\" as a prefix of lesx");
}

static void test_fold(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "\xc3\x89lection", "election" },
		{ "c\xc5\x93ur", "coeur" },
		{ "\xc5\x92UVRE", "oeuvre" },
		{ "\xc3\x87" "A na\xc3\xafve \xc3\xaele", "ca naive ile" },
		{ "e" ACUTE "E" ACUTE, "ee" },
		{ LIG_FI "n " LIG_FL "ot", "fin flot" },
		{ "\xc3\x86", "ae" },
		{ "O" RSQUO "Brien", "o'brien" },
		{ "ab\xff" "cd\xc3", "abcd" },
		{ "\xea\xb0\x80", "\xea\xb0\x80" }, /* Hangul stays whole */
		{ "", "" },
	};
	char out[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = analyzer_fold(cases[i].in, strlen(cases[i].in), out, sizeof out);
		CHECK_STR(as_str(out), cases[i].out);
		CHECK(n == strlen(cases[i].out), "length %zu", n);
	}
	/* truncation: never a cut character, always NUL-terminated */
	CHECK(analyzer_fold("\xc3\xa9t\xc3\xa9", 5, out, 2) == 1 && strcmp(out, "e") == 0, "cap 2");
	CHECK(analyzer_fold("\xc5\x93", 2, out, 2) == 0 && out[0] == '\0', "oe does not fit");
	CHECK(analyzer_fold("\xd0\x96", 2, out, 2) == 0 && out[0] == '\0', "Ж does not fit");
	CHECK(analyzer_fold("abc", 3, out, 0) == 0, "cap 0");
}

/* ---- queries against documents ------------------------------------------------------ */

struct termset {
	char terms[MAX_TOKS * 2][ANALYZER_MAX_TERM + 1];
	int n;
};

static void termset_of(struct termset *s, const struct run *r)
{
	s->n = 0;
	for (int i = 0; i < r->n; i++) {
		strcpy(s->terms[s->n++], r->toks[i].term);
		if (r->toks[i].alt[0])
			strcpy(s->terms[s->n++], r->toks[i].alt);
	}
}

static int termset_has(const struct termset *s, const char *t)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->terms[i], t) == 0)
			return 1;
	return 0;
}

static int tok_meets(const struct tok *q, const struct tok *d)
{
	return strcmp(q->term, d->term) == 0 || (d->alt[0] && strcmp(q->term, d->alt) == 0) ||
	       (q->alt[0] && (strcmp(q->alt, d->term) == 0 || strcmp(q->alt, d->alt) == 0));
}

/* The query's tokens appear in the document with the same position gaps. */
static int phrase_found(const struct run *q, const struct run *d)
{
	for (int j = 0; j + q->n <= d->n; j++) {
		int k = 0;
		while (k < q->n && tok_meets(&q->toks[k], &d->toks[j + k]) &&
		       q->toks[k].pos - q->toks[0].pos == d->toks[j + k].pos - d->toks[j].pos)
			k++;
		if (k == q->n)
			return 1;
	}
	return 0;
}

static void test_queries(void)
{
	static const struct {
		const char *query, *doc;
		int phrase;
	} rows[] = {
		{ "election presidentielle", "l" RSQUO "\xc3\x89lection pr\xc3\xa9sidentielle", 0 },
		{ "securite", "s\xc3\xa9" "curit\xc3\xa9", 0 },
		{ "refugies", "r\xc3\xa9" "fugi\xc3\xa9s", 0 },
		{ "coeur", "c\xc5\x93ur", 0 },
		{ "poutine", "Poutine", 0 },
		{ "1000", "1" NBSP "000", 0 },
		{ "\"peut-\xc3\xaatre\"", "Il peut-\xc3\xaatre venu.", 1 },
		{ "arm\xc3\xa9" "e", "l" RSQUO "arm\xc3\xa9" "e", 0 },
		/* and the other way round: accents in the query, none in the text */
		{ "s\xc3\xa9" "curit\xc3\xa9", "securite", 0 },
		{ "r\xc3\xa9" "fugi\xc3\xa9s", "refugies", 0 },
		{ "europe de l'est", "l" RSQUO "Europe de l" RSQUO "Est", 1 },
	};
	struct run q, d;
	struct termset ds;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		analyze(&q, rows[i].query);
		analyze(&d, rows[i].doc);
		termset_of(&ds, &d);
		CHECK(q.n > 0, "query \"%s\" gives no term", rows[i].query);
		for (int k = 0; k < q.n; k++) {
			int found = termset_has(&ds, q.toks[k].term) ||
				    (q.toks[k].alt[0] && termset_has(&ds, q.toks[k].alt));
			CHECK(found, "query \"%s\" (%s) misses \"%s\" (%s)", rows[i].query, q.rendered,
			      rows[i].doc, d.rendered);
		}
		if (rows[i].phrase)
			CHECK(phrase_found(&q, &d), "phrase \"%s\" not in \"%s\"", rows[i].query,
			      rows[i].doc);
	}
}

/* ---- the exact (accent-keeping) form ------------------------------------------------ */

static int on_exact(const analyzer_token *t, void *ud)
{
	char *buf = ud;
	size_t n = strlen(buf);
	snprintf(buf + n, 512 - n, "%s%s", n ? " " : "", t->exact ? t->exact : "-");
	CHECK(!t->exact || strlen(t->exact) <= ANALYZER_MAX_TERM, "exact too long");
	return 0;
}

static void check_exact(const char *text, const char *want)
{
	char buf[512] = "";
	uint32_t pos = 0;
	CHECK(analyzer_run(an, text, strlen(text), &pos, on_exact, buf) == 0, "run");
	CHECK(strcmp(buf, want) == 0, "exact forms of \"%s\": got \"%s\", want \"%s\"", text, buf,
	      want);
}

static void test_exact(void)
{
	/* Accented words keep their accents, lowercase, NFC, elision stripped, minus one
	   plural s/x; pure-ASCII words (and numbers) have none. Twice: the second run
	   comes from the stem cache. */
	for (int i = 0; i < 2; i++) {
		check_exact("P\xc3\xa2t\xc3\xa9 p\xc3\xa2te pate", "p\xc3\xa2t\xc3\xa9 p\xc3\xa2te -");
		check_exact("p\xc3\xa2t\xc3\xa9s march\xc3\xa9s chevaux", "p\xc3\xa2t\xc3\xa9 march\xc3\xa9 -");
		check_exact("l" RSQUO "\xc3\x89lection 2023 c\xc5\x93ur", "\xc3\xa9lection - -");
		check_exact("e" ACUTE "t" "e" ACUTE "s", "\xc3\xa9t\xc3\xa9");
		check_exact("d\xc3\xa9j\xc3\xa0 \xc3\xa0 o\xc3\xb9", "d\xc3\xa9j\xc3\xa0 o\xc3\xb9");
	}
}

int main(void)
{
	an = analyzer_new();
	CHECK(an != NULL, "analyzer_new");
	if (!an)
		return check_summary();
	test_table();
	test_snowball_limits();
	test_positions();
	test_offsets();
	test_invalid_utf8();
	test_empty();
	test_long_input();
	test_cache();
	test_callback_stop();
	test_stopwords();
	test_fold();
	test_exact();
	test_queries();
	analyzer_free(an);
	analyzer_free(NULL);
	return check_summary();
}
