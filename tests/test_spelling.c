/*
 * The spelling data behind "did you mean" follows the articles: a word's frequency is
 * the number of articles holding it, whatever was re-indexed, deleted or rebuilt; a word
 * no article holds any more is never suggested; fouille_index_check() finds spelling data
 * that disagrees with the articles.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fouille.h"
#include "helpers.h"
#include "indexer/handle.h"
#include "indexer/xapian_store.h"

static char tmp_root[64], folder[128], dir[160], xapian_dir[200];

/* folder/name holds `text`, with a later mtime each time so that an update sees it */
static void put_article(const char *name, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", folder, name);
	write_file(path, text);
	static time_t t = 1700000000;
	struct timespec ts[2] = {{.tv_sec = t}, {.tv_sec = t}};
	t += 10;
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0, "utimensat: %s", strerror(errno));
}

static void update(size_t commit_every)
{
	fouille_index *idx = NULL;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "open for writing: %s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	fouille_update_options o;
	fouille_update_options_init(&o);
	o.commit_every = commit_every;
	CHECK(fouille_index_update(idx, folder, &o, NULL) == FOUILLE_OK, "update: %s", fouille_errmsg(idx));
	fouille_index_close(idx);
}

/* What the progress callback saw of an update, and when a child process dies. */
typedef struct watch {
	int commits;    /* "committing" phases seen */
	int exit_after; /* > 0: _exit at the first file event after this many commits */
	int cancel_after; /* > 0: cancel at the first file event after this many commits */
	int recounted;  /* the "recounting" phase, with its reason, was seen */
} watch;

static int on_progress(const fouille_progress *p, void *ud)
{
	watch *wa = ud;
	if (!p->path && p->phase && !strcmp(p->phase, "committing"))
		wa->commits++;
	if (!p->path && p->phase && !strcmp(p->phase, "recounting") && p->reason &&
	    strstr(p->reason, "counting the words of every article again"))
		wa->recounted = 1;
	if (p->path && wa->exit_after && wa->commits >= wa->exit_after)
		_exit(0); /* killed: nothing after this commit is written */
	return p->path && wa->cancel_after && wa->commits >= wa->cancel_after;
}

/* An update committing after each `commit_every` articles, watched; its return code. */
static int update_watched(size_t commit_every, watch *wa)
{
	fouille_index *idx = NULL;
	int rc = fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "open for writing: %s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return rc;
	fouille_update_options o;
	fouille_update_options_init(&o);
	o.commit_every = commit_every;
	o.progress = on_progress;
	o.progress_userdata = wa;
	rc = fouille_index_update(idx, folder, &o, NULL);
	fouille_index_close(idx);
	return rc;
}

/* The committed value of the metadata `key` ("" when unset). */
static const char *meta(const char *key)
{
	static char out[256];
	out[0] = '\0';
	xs_reader *r;
	char err[XS_ERRLEN];
	if (xs_reader_open(&r, xapian_dir, err) != FOUILLE_OK) {
		CHECK(0, "open the reader: %s", err);
		return out;
	}
	char *v = NULL;
	if (xs_reader_shard_get_meta(r, 0, key, &v, err) == FOUILLE_OK)
		snprintf(out, sizeof out, "%s", v);
	free(v);
	xs_reader_close(r);
	return out;
}

typedef struct text {
	char *p;
	size_t n;
} text;

static int add_meta(const char *key, const char *value, size_t len, void *ud)
{
	text *t = ud;
	size_t k = strlen(key);
	char *p = realloc(t->p, t->n + k + len + 2);
	if (!p)
		return 1;
	memcpy(p + t->n, key, k + 1);
	memcpy(p + t->n + k + 1, value, len);
	p[t->n + k + 1 + len] = '\n';
	t->p = p;
	t->n += k + len + 2;
	return 0;
}

/* The whole spelling data of the index, keys and values. */
static text spelling_data(void)
{
	text t = {0};
	xs_reader *r;
	char err[XS_ERRLEN];
	if (xs_reader_open(&r, xapian_dir, err) != FOUILLE_OK) {
		CHECK(0, "open the reader: %s", err);
		return t;
	}
	CHECK(xs_reader_each_meta(r, XS_META_SPELLING, add_meta, &t, err) == FOUILLE_OK, "%s", err);
	xs_reader_close(r);
	return t;
}

/* Index `folder` into a new index `name` below tmp_root, making it the current one. */
static void use_index(const char *name)
{
	snprintf(dir, sizeof dir, "%s/%s", tmp_root, name);
	snprintf(xapian_dir, sizeof xapian_dir, "%s/xapian", dir);
}

static void print_problem(const char *problem, void *ud)
{
	(void)ud;
	fprintf(stderr, "  check: %s\n", problem);
}

/* The problems fouille_index_check() finds (printed). */
static size_t problems(void)
{
	fouille_index *idx = NULL;
	size_t n = 999;
	if (fouille_index_open(&idx, dir, FOUILLE_OPEN_WRITE) != FOUILLE_OK)
		return n;
	CHECK(fouille_index_check(idx, print_problem, NULL, &n) == FOUILLE_OK, "check: %s", fouille_errmsg(idx));
	fouille_index_close(idx);
	return n;
}

/* UTF-8 of code point `c` (below U+10000) at out; returns the bytes written. */
static size_t put_utf8(char *out, unsigned c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | c >> 12);
	out[1] = (char)(0x80 | (c >> 6 & 0x3F));
	out[2] = (char)(0x80 | (c & 0x3F));
	return 3;
}

/* Word i of round r, three characters from the n code points from `first`: word i is
   unique within a round by its first two. */
static void vocabulary_word(char out[16], unsigned first, unsigned n, unsigned i, unsigned r)
{
	size_t len = put_utf8(out, first + i % n);
	len += put_utf8(out + len, first + (i / n + r) % n);
	len += put_utf8(out + len, first + (i * 13 + 1 + r) % n);
	out[len] = '\0';
}

/* Two writes of a store's spelling data, the second adding words and taking a third of
   the first's away, each checked against what was counted (xs_writer_check_spelling:
   frequencies, every word in each of its lists and in no other, each list in order). */
static void check_vocabulary(const char *name, unsigned first, unsigned n)
{
	const unsigned words = n * 20 < 2000 ? n * 20 : 2000;
	char err[XS_ERRLEN], word[16];
	xs_writer *w;
	use_index(name);
	make_dir(dir);
	for (unsigned round = 0; round < 2; round++) {
		if (xs_writer_open(&w, xapian_dir, 1, err) != FOUILLE_OK) {
			CHECK(0, "%s: open: %s", name, err);
			return;
		}
		for (unsigned i = 0; i < words; i++) {
			vocabulary_word(word, first, n, i, round);
			CHECK(xs_writer_add_spelling(w, word, 1, 0, err) == FOUILLE_OK, "add: %s", err);
			if (round == 1 && i % 3 == 0) {
				vocabulary_word(word, first, n, i, 0);
				CHECK(xs_writer_remove_spelling(w, word, 1, 0, err) == FOUILLE_OK, "remove: %s", err);
			}
		}
		CHECK(xs_writer_commit(w, err) == FOUILLE_OK, "commit: %s", err);
		xs_tally *t = xs_tally_new();
		CHECK(t != NULL, "out of memory");
		for (unsigned r = 0; t && r <= round; r++)
			for (unsigned i = 0; i < words; i++)
				if (r == 1 || round == 0 || i % 3 != 0) {
					vocabulary_word(word, first, n, i, r);
					CHECK(xs_tally_add(t, word, 0) == FOUILLE_OK, "tally: out of memory");
				}
		size_t found = 999;
		if (t)
			CHECK(xs_writer_check_spelling(w, t, print_problem, NULL, &found, err) == FOUILLE_OK,
			      "check: %s", err);
		CHECK(found == 0, "%s, write %u: %zu problems in the spelling data", name, round + 1, found);
		xs_tally_free(t);
		xs_writer_close(w);
	}
}

/* The number of articles holding `word`, or (caps) writing it with a capital initial. */
static uint64_t count(const char *word, int caps)
{
	xs_reader *r;
	char err[XS_ERRLEN];
	if (xs_reader_open(&r, xapian_dir, err) != FOUILLE_OK) {
		CHECK(0, "open the reader: %s", err);
		return 0;
	}
	uint64_t n = caps ? xs_reader_spelling_caps(r, word) : xs_reader_spelling_frequency(r, word);
	xs_reader_close(r);
	return n;
}

static uint64_t freq(const char *word)
{
	return count(word, 0);
}

static uint64_t caps(const char *word)
{
	return count(word, 1);
}

/* The suggestion for `q` through the public API ("" when none). */
static const char *suggestion(const char *q)
{
	static char out[256];
	fouille_index *idx = NULL;
	out[0] = '\0';
	if (fouille_index_open(&idx, dir, FOUILLE_OPEN_READONLY) != FOUILLE_OK) {
		CHECK(0, "open read-only: %s", fouille_last_open_error());
		return out;
	}
	fouille_results *res = NULL;
	CHECK(fouille_search(&res, idx, q, NULL) == FOUILLE_OK, "search %s: %s", q, fouille_errmsg(idx));
	const char *s = res ? fouille_results_suggestion(res) : NULL;
	snprintf(out, sizeof out, "%s", s ? s : "");
	fouille_results_free(res);
	fouille_index_close(idx);
	return out;
}

#define ZEPPELIN                                                                              \
	"Un zeppelin au-dessus de Lyon\n\nUn zeppelin publicitaire a survolé la ville samedi, "  \
	"un dirigeable de soixante mètres parti de l’aérodrome de Bron.\n"
#define MARCHE                                                                                \
	"Le marché de Noël ouvre\n\nLes chalets du marché ouvrent vendredi place Carnot ; un "    \
	"dirigeable lumineux flottera au-dessus des stands.\n"
#define VELO_1                                                                                \
	"Vélos en libre-service\n\nLa métropole ajoute trois cents vélos et un dirigeable "       \
	"captif annonce les stations nouvelles.\n"
#define VELO_2                                                                                \
	"Vélos en libre-service\n\nLa métropole ajoute quatre cents vélos et un dirigeable "     \
	"captif annonce les stations nouvelles.\n"

/* The problems xs_writer_check_spelling() finds in the store at xapian_dir, against the
   n words of `words`, each in one article. */
static size_t store_problems(const char *const *words, size_t n)
{
	char err[XS_ERRLEN];
	xs_writer *w;
	size_t found = 999;
	xs_tally *t = xs_tally_new();
	if (!t || xs_writer_open(&w, xapian_dir, 0, err) != FOUILLE_OK) {
		CHECK(0, "open: %s", err);
		xs_tally_free(t);
		return found;
	}
	for (size_t i = 0; i < n; i++)
		CHECK(xs_tally_add(t, words[i], 0) == FOUILLE_OK, "tally: out of memory");
	CHECK(xs_writer_check_spelling(w, t, print_problem, NULL, &found, err) == FOUILLE_OK, "check: %s", err);
	xs_writer_close(w);
	xs_tally_free(t);
	return found;
}

/* Write `len` bytes as the spelling list `key` (after XS_META_SPELLING) of the store. */
static void put_list(const char *key, const char *value, size_t len)
{
	char err[XS_ERRLEN], full[64];
	xs_writer *w;
	snprintf(full, sizeof full, "%s%s", XS_META_SPELLING, key);
	if (xs_writer_open(&w, xapian_dir, 0, err) != FOUILLE_OK) {
		CHECK(0, "open: %s", err);
		return;
	}
	CHECK(xs_writer_set_meta_bytes(w, full, value, len, err) == FOUILLE_OK, "set %s: %s", full, err);
	CHECK(xs_writer_commit(w, err) == FOUILLE_OK, "commit: %s", err);
	xs_writer_close(w);
}

static void check_damaged_lists(void)
{
	static const char *const words[] = {"abcd", "abce", "abcf"};
	char err[XS_ERRLEN];
	xs_writer *w;
	use_index("damaged");
	make_dir(dir);
	if (xs_writer_open(&w, xapian_dir, 1, err) != FOUILLE_OK) {
		CHECK(0, "open: %s", err);
		return;
	}
	CHECK(xs_writer_add_spelling(w, "abcd", 1, 0, err) == FOUILLE_OK, "add: %s", err);
	CHECK(xs_writer_add_spelling(w, "abce", 1, 0, err) == FOUILLE_OK, "add: %s", err);
	CHECK(xs_writer_commit(w, err) == FOUILLE_OK, "commit: %s", err);
	xs_writer_close(w);
	CHECK(store_problems(words, 2) == 0, "the lists as written");

	/* the head list "ab" with its two entries swapped */
	put_list("Hab", "abce\0" "1\0" "abcd\0" "1\0", 14);
	CHECK(store_problems(words, 2) == 1, "a list out of order: one problem");

	/* its last entry without its final NUL, then its last word without its frequency:
	   the next flush into the list makes the entry whole */
	put_list("Hab", "abcd\0" "1\0" "abce\0" "1", 13);
	CHECK(store_problems(words, 2) == 0, "a last frequency without its NUL reads whole");
	if (xs_writer_open(&w, xapian_dir, 0, err) == FOUILLE_OK) {
		CHECK(xs_writer_add_spelling(w, "abcf", 1, 0, err) == FOUILLE_OK, "add: %s", err);
		CHECK(xs_writer_commit(w, err) == FOUILLE_OK, "commit into a cut list: %s", err);
		xs_writer_close(w);
	}
	CHECK(store_problems(words, 3) == 0, "merged into a list cut short");
	CHECK(freq("abce") == 1 && freq("abcf") == 1, "abce %llu, abcf %llu", (unsigned long long)freq("abce"),
	      (unsigned long long)freq("abcf"));
	put_list("Hab", "abcd\0" "1\0" "abce", 11);
	if (xs_writer_open(&w, xapian_dir, 0, err) == FOUILLE_OK) {
		CHECK(xs_writer_add_spelling(w, "abcf", 1, 0, err) == FOUILLE_OK, "add: %s", err);
		CHECK(xs_writer_commit(w, err) == FOUILLE_OK, "commit into a list cut in a word: %s", err);
		xs_writer_close(w);
	}
	/* abcf, dropped from the list just written, is in it again with this article */
	CHECK(freq("abcd") == 1 && freq("abce") == 0 && freq("abcf") == 1, "abcd %llu, abce %llu, abcf %llu",
	      (unsigned long long)freq("abcd"), (unsigned long long)freq("abce"), (unsigned long long)freq("abcf"));

	/* a batch of words whose last entry is cut short is refused, the rest counted */
	if (xs_writer_open(&w, xapian_dir, 0, err) == FOUILLE_OK) {
		CHECK(xs_writer_add_spelling_words(w, "abcd\0\1" "abcg", 10, err) == FOUILLE_EINVAL,
		      "a cut entry accepted");
		CHECK(strstr(err, "cut short") != NULL, "message: %s", err);
		CHECK(xs_writer_commit(w, err) == FOUILLE_OK, "commit: %s", err);
		xs_writer_close(w);
	}
	CHECK(freq("abcd") == 2 && caps("abcd") == 1 && freq("abcg") == 0, "abcd %llu (caps %llu), abcg %llu",
	      (unsigned long long)freq("abcd"), (unsigned long long)caps("abcd"), (unsigned long long)freq("abcg"));
}

int main(void)
{
	snprintf(tmp_root, sizeof tmp_root, "/tmp/fouille-spelling-XXXXXX");
	if (!mkdtemp(tmp_root)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(folder, sizeof folder, "%s/news", tmp_root);
	snprintf(dir, sizeof dir, "%s/index", tmp_root);
	snprintf(xapian_dir, sizeof xapian_dir, "%s/xapian", dir);
	make_dir(folder);
	put_article("zeppelin.txt", ZEPPELIN);
	put_article("marche.txt", MARCHE);
	put_article("velo.txt", VELO_1);
	char path[PATH_MAX];

	/* a commit after each article: the frequencies add up across commits */
	update(1);
	CHECK(freq("dirigeable") == 3, "dirigeable: %llu", (unsigned long long)freq("dirigeable"));
	CHECK(freq("zeppelin") == 1, "zeppelin: %llu", (unsigned long long)freq("zeppelin"));
	CHECK(freq("marché") == 1, "marché: %llu", (unsigned long long)freq("marché"));
	CHECK(freq("trois") == 1 && freq("quatre") == 0, "trois, quatre");
	CHECK_STR(suggestion("zepelin"), "zeppelin");
	CHECK_STR(suggestion("dirigable"), "dirigeable");
	CHECK(problems() == 0, "the spelling data agrees with the articles");

	/* a changed article: its old words go, its new ones come, the others stay counted once */
	for (int round = 0; round < 3; round++) {
		put_article("velo.txt", round % 2 ? VELO_1 : VELO_2);
		update(0);
		CHECK(freq("dirigeable") == 3, "round %d: dirigeable %llu", round,
		      (unsigned long long)freq("dirigeable"));
		CHECK(freq("vélos") == 1, "round %d: vélos %llu", round, (unsigned long long)freq("vélos"));
		int second = round % 2 == 0;
		CHECK(freq("quatre") == (uint64_t)second && freq("trois") == (uint64_t)!second,
		      "round %d: quatre %llu, trois %llu", round, (unsigned long long)freq("quatre"),
		      (unsigned long long)freq("trois"));
	}
	/* caps: the articles writing a word with a capital initial everywhere, following the
	   articles as they change and go; a name is suggested with its capital while more
	   than half of its articles write it so */
	put_article("nantes-1.txt", "Nantes en fête\n\nÀ Nantes, le carnaval défile.\n");
	put_article("nantes-2.txt", "Le tramway\n\nLes rames de Nantes roulent la nuit.\n");
	update(0);
	CHECK(freq("nantes") == 2 && caps("nantes") == 2, "nantes %llu, caps %llu",
	      (unsigned long long)freq("nantes"), (unsigned long long)caps("nantes"));
	CHECK_STR(suggestion("nantse"), "Nantes");
	put_article("nantes-2.txt", "Le tramway\n\nLes rames de Nantes roulent (nantes, écrit sans capitale).\n");
	update(0);
	CHECK(freq("nantes") == 2 && caps("nantes") == 1, "changed: nantes %llu, caps %llu",
	      (unsigned long long)freq("nantes"), (unsigned long long)caps("nantes"));
	CHECK_STR(suggestion("nantse"), "nantes");
	CHECK(problems() == 0, "the spelling data agrees with the articles after a changed capital");
	snprintf(path, sizeof path, "%s/nantes-1.txt", folder);
	CHECK(unlink(path) == 0, "unlink: %s", strerror(errno));
	update(0);
	CHECK(freq("nantes") == 1 && caps("nantes") == 0, "deleted: nantes %llu, caps %llu",
	      (unsigned long long)freq("nantes"), (unsigned long long)caps("nantes"));
	CHECK(problems() == 0, "the spelling data agrees with the articles after a deleted capital");
	snprintf(path, sizeof path, "%s/nantes-2.txt", folder);
	CHECK(unlink(path) == 0, "unlink: %s", strerror(errno));
	update(0);
	CHECK(freq("nantes") == 0 && caps("nantes") == 0, "all gone: nantes %llu, caps %llu",
	      (unsigned long long)freq("nantes"), (unsigned long long)caps("nantes"));

	/* the same folder again, nothing changed: nothing moves */
	update(0);
	CHECK(freq("dirigeable") == 3, "again: dirigeable %llu", (unsigned long long)freq("dirigeable"));
	CHECK(problems() == 0, "the spelling data agrees with the articles after changes");

	/* the only article holding a word goes: the word is no longer suggested */
	snprintf(path, sizeof path, "%s/zeppelin.txt", folder);
	CHECK(unlink(path) == 0, "unlink: %s", strerror(errno));
	update(0);
	CHECK(freq("zeppelin") == 0, "zeppelin gone: %llu", (unsigned long long)freq("zeppelin"));
	CHECK(freq("dirigeable") == 2, "dirigeable: %llu", (unsigned long long)freq("dirigeable"));
	CHECK_STR(suggestion("zepelin"), "");
	CHECK_STR(suggestion("dirigable"), "dirigeable");
	xs_reader *r;
	char err[XS_ERRLEN];
	if (xs_reader_open(&r, xapian_dir, err) == FOUILLE_OK) {
		char *s = (char *)"unset";
		CHECK(xs_reader_spelling(r, "zepelin", 2, &s, err) == FOUILLE_OK && s == NULL,
		      "no spelling candidate left: %s", s ? s : "(none)");
		free(s);
		xs_reader_close(r);
	}
	CHECK(problems() == 0, "the spelling data agrees with the articles after a delete");

	/* spelling data that disagrees with the articles is found */
	xs_writer *w;
	if (xs_writer_open(&w, xapian_dir, 0, err) == FOUILLE_OK) {
		CHECK(xs_writer_add_spelling(w, "fantôme", 1, 0, err) == FOUILLE_OK, "add: %s", err);
		CHECK(xs_writer_add_spelling(w, "dirigeable", 1, 0, err) == FOUILLE_OK, "add: %s", err);
		CHECK(xs_writer_add_spelling(w, "captif", 0, 1, err) == FOUILLE_OK, "add: %s", err);
		CHECK(xs_writer_commit(w, err) == FOUILLE_OK, "commit: %s", err);
		xs_writer_close(w);
	}
	CHECK(problems() == 3, "a word of no article, a wrong frequency, a wrong capital count");

	/* a rebuild (an index of an older schema): the spelling data is made again whole */
	if (xs_writer_open(&w, xapian_dir, 0, err) == FOUILLE_OK) {
		CHECK(xs_writer_set_meta(w, META_SCHEMA, "2", err) == FOUILLE_OK, "set schema: %s", err);
		CHECK(xs_writer_commit(w, err) == FOUILLE_OK, "commit: %s", err);
		xs_writer_close(w);
	}
	update(0);
	CHECK(freq("dirigeable") == 2, "rebuilt: dirigeable %llu", (unsigned long long)freq("dirigeable"));
	CHECK(freq("fantôme") == 0, "rebuilt: fantôme %llu", (unsigned long long)freq("fantôme"));
	CHECK(freq("marché") == 1, "rebuilt: marché %llu", (unsigned long long)freq("marché"));
	CHECK(problems() == 0, "the spelling data agrees with the articles after a rebuild");

	/* Commits within an update keep the spelling changes for its last: the spelling
	   data is the same as with one commit, and written once */
	snprintf(folder, sizeof folder, "%s/many", tmp_root);
	make_dir(folder);
	static const char *const towns[] = {"Lyon", "Nantes", "Brest", "Dijon", "Rouen", "Nancy"};
	for (int i = 0; i < 24; i++) {
		char name[32], body[512];
		snprintf(name, sizeof name, "a%02d.txt", i);
		snprintf(body, sizeof body,
			 "Chronique %d de %s\n\nUn dirigeable survole %s ; le marché %s ouvre, "
			 "la météo%s annonce du vent%s.\n",
			 i, towns[i % 6], towns[(i + 1) % 6], i % 3 ? "couvert" : "de Noël", i % 2 ? "" : " locale",
			 i == 3 ? " et un hydravion" : "");
		put_article(name, body);
	}
	use_index("one-commit");
	update(0);
	text one = spelling_data();
	CHECK(problems() == 0, "one commit: the spelling data agrees with the articles");
	use_index("many-commits");
	watch wa = {0};
	CHECK(update_watched(5, &wa) == FOUILLE_OK, "update in commits of 5 articles");
	CHECK(wa.commits == 5 && !wa.recounted, "5 commits (%d), no recount", wa.commits);
	text many = spelling_data();
	CHECK(one.n > 0 && one.n == many.n && !memcmp(one.p, many.p, one.n),
	      "the spelling data of 5 commits is that of one (%zu, %zu bytes)", one.n, many.n);
	CHECK(freq("dirigeable") == 24 && freq("hydravion") == 1 && caps("nantes") == 8,
	      "many commits: dirigeable %llu, hydravion %llu, Nantes %llu", (unsigned long long)freq("dirigeable"),
	      (unsigned long long)freq("hydravion"), (unsigned long long)caps("nantes"));
	CHECK_STR(suggestion("hydravoin"), "hydravion");
	CHECK_STR(meta(XS_META_SPELLING_PENDING), "");
	CHECK(problems() == 0, "many commits: the spelling data agrees with the articles");
	free(one.p);
	free(many.p);

	/* Killed after its first commit (of 5 articles, hydravion's among them): that commit
	   says its spelling changes are not written; the next update counts the spelling
	   data again from the articles, says so, and leaves it right */
	use_index("killed");
	pid_t pid = fork();
	if (pid == 0) {
		watch killed = {.exit_after = 1};
		update_watched(5, &killed);
		_exit(3); /* not killed: the test says so */
	}
	int status = 0;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the update was killed after its first commit (status %d)", status);
	CHECK_STR(meta(XS_META_SPELLING_PENDING), "1");
	CHECK(freq("hydravion") == 0 && freq("dirigeable") == 0,
	      "the commit did not write the spelling data: hydravion %llu, dirigeable %llu",
	      (unsigned long long)freq("hydravion"), (unsigned long long)freq("dirigeable"));
	CHECK(problems() == 1, "--check says the spelling data is behind the articles, once");
	wa = (watch){0};
	CHECK(update_watched(0, &wa) == FOUILLE_OK, "the update after the kill");
	CHECK(wa.recounted, "the update after the kill counts the spelling data again, and says why");
	CHECK(freq("hydravion") == 1 && freq("dirigeable") == 24 && caps("nantes") == 8,
	      "recounted: hydravion %llu, dirigeable %llu, Nantes %llu", (unsigned long long)freq("hydravion"),
	      (unsigned long long)freq("dirigeable"), (unsigned long long)caps("nantes"));
	CHECK_STR(suggestion("hydravoin"), "hydravion");
	CHECK_STR(meta(XS_META_SPELLING_PENDING), "");
	CHECK(problems() == 0, "after the kill and the next update: the spelling data agrees with the articles");
	text recounted = spelling_data();
	use_index("one-commit");
	one = spelling_data();
	CHECK(one.n == recounted.n && !memcmp(one.p, recounted.p, one.n), "the recount is the spelling data of one commit");
	free(one.p);
	free(recounted.p);
	use_index("killed");
	wa = (watch){0};
	update_watched(0, &wa);
	CHECK(!wa.recounted, "once recounted, the next update does not count again");

	/* Cancelled after its first commit: the committed articles' spelling changes are
	   written by the cancel, the rest dropped */
	use_index("cancelled");
	wa = (watch){.cancel_after = 1};
	CHECK(update_watched(5, &wa) == FOUILLE_ECANCELLED, "the update is cancelled");
	CHECK_STR(meta(XS_META_SPELLING_PENDING), "");
	CHECK(freq("hydravion") == 1 && freq("dirigeable") == 5,
	      "cancelled after 5 articles: hydravion %llu, dirigeable %llu", (unsigned long long)freq("hydravion"),
	      (unsigned long long)freq("dirigeable"));
	CHECK(problems() == 0, "after a cancel: the spelling data agrees with the committed articles");
	wa = (watch){0};
	CHECK(update_watched(0, &wa) == FOUILLE_OK && !wa.recounted, "the update after the cancel, no recount");
	CHECK(freq("dirigeable") == 24, "after the cancel: dirigeable %llu", (unsigned long long)freq("dirigeable"));
	CHECK(problems() == 0, "after the cancel and the next update: the spelling data agrees with the articles");

	/* The store alone: commits keeping the spelling changes mark the index until one
	   writes them, and more words held than the bound are written at once */
	use_index("store");
	make_dir(dir);
	if (xs_writer_open(&w, xapian_dir, 1, err) == FOUILLE_OK) {
		int stale = -1;
		CHECK(xs_writer_add_spelling(w, "aéroport", 1, 0, err) == FOUILLE_OK, "add: %s", err);
		CHECK(xs_writer_commit_keep_spelling(w, err) == FOUILLE_OK, "commit: %s", err);
		CHECK_STR(meta(XS_META_SPELLING_PENDING), "1");
		CHECK(freq("aéroport") == 0, "kept: aéroport %llu", (unsigned long long)freq("aéroport"));
		CHECK(xs_writer_spelling_stale(w, &stale, err) == FOUILLE_OK && stale == 0,
		      "the writer's own mark is not stale");
		CHECK(xs_writer_add_spelling(w, "aéroport", 1, 1, err) == FOUILLE_OK, "add: %s", err);
		CHECK(xs_writer_add_spelling(w, "aérogare", 1, 0, err) == FOUILLE_OK, "add: %s", err);
		xs_writer_set_spelling_held_max(w, 1);
		CHECK(xs_writer_commit_keep_spelling(w, err) == FOUILLE_OK, "commit: %s", err);
		CHECK_STR(meta(XS_META_SPELLING_PENDING), "");
		CHECK(freq("aéroport") == 2 && caps("aéroport") == 1 && freq("aérogare") == 1,
		      "over the bound, written: aéroport %llu (caps %llu), aérogare %llu",
		      (unsigned long long)freq("aéroport"), (unsigned long long)caps("aéroport"),
		      (unsigned long long)freq("aérogare"));
		xs_writer_set_spelling_held_max(w, 100);
		CHECK(xs_writer_remove_spelling(w, "aérogare", 1, 0, err) == FOUILLE_OK, "remove: %s", err);
		CHECK(xs_writer_commit_keep_spelling(w, err) == FOUILLE_OK, "commit: %s", err);
		CHECK_STR(meta(XS_META_SPELLING_PENDING), "1");
		CHECK(freq("aérogare") == 1, "kept: aérogare %llu", (unsigned long long)freq("aérogare"));
		xs_writer_close(w); /* closed holding changes: the mark stays */
	}
	if (xs_writer_open(&w, xapian_dir, 0, err) == FOUILLE_OK) {
		int stale = -1;
		CHECK(xs_writer_spelling_stale(w, &stale, err) == FOUILLE_OK && stale == 1,
		      "another writer finds the spelling data stale");
		xs_writer_close(w);
	}

	/* Many words an article at a time (xs_writer_add_spelling_words, the layout of
	   extras' word set): the held table grows well past its first slots, and past the
	   size it gives back when a commit empties it; every count stays right */
	use_index("table");
	make_dir(dir);
	if (xs_writer_open(&w, xapian_dir, 1, err) == FOUILLE_OK) {
		enum { NWORDS = 70000 };
		size_t cap = (size_t)NWORDS * 8, len = 0;
		char *buf = malloc(cap);
		CHECK(buf != NULL, "out of memory");
		for (int i = 0; buf && i < NWORDS; i++) {
			int n = i;
			buf[len++] = 'q';
			for (int k = 0; k < 4; k++, n /= 26)
				buf[len++] = (char)('a' + n % 26);
			buf[len++] = '\0';
			buf[len++] = (char)(i % 3 == 0); /* caps for every third word */
		}
		if (buf) {
			CHECK(xs_writer_add_spelling_words(w, buf, len, err) == FOUILLE_OK, "add words: %s", err);
			CHECK(xs_writer_add_spelling_words(w, buf, len, err) == FOUILLE_OK, "add words: %s", err);
			CHECK(xs_writer_commit_keep_spelling(w, err) == FOUILLE_OK, "commit: %s", err);
			/* the first word again, in an article of its own, and one word taken away */
			CHECK(xs_writer_add_spelling_words(w, buf, 7, err) == FOUILLE_OK, "add a word: %s", err);
			CHECK(xs_writer_remove_spelling(w, "qbaaa", 1, 0, err) == FOUILLE_OK, "remove: %s", err);
			/* a truncated last entry (no caps byte) is refused, not counted */
			CHECK(xs_writer_add_spelling_words(w, "qzzzz", 6, err) == FOUILLE_EINVAL, "a cut entry accepted");
			CHECK(xs_writer_commit(w, err) == FOUILLE_OK, "commit: %s", err);
			/* the table gave its memory back at that commit: it fills again */
			CHECK(xs_writer_add_spelling_words(w, buf + 7, 14, err) == FOUILLE_OK, "add words: %s", err);
			CHECK(xs_writer_commit(w, err) == FOUILLE_OK, "commit: %s", err);
		}
		xs_writer_close(w);
		free(buf);
		CHECK(freq("qaaaa") == 3 && caps("qaaaa") == 3, "qaaaa: %llu (caps %llu)",
		      (unsigned long long)freq("qaaaa"), (unsigned long long)caps("qaaaa"));
		CHECK(freq("qbaaa") == 2 && caps("qbaaa") == 0, "qbaaa: %llu (caps %llu)",
		      (unsigned long long)freq("qbaaa"), (unsigned long long)caps("qbaaa"));
		CHECK(freq("qcaaa") == 3 && caps("qcaaa") == 0, "qcaaa: %llu (caps %llu)",
		      (unsigned long long)freq("qcaaa"), (unsigned long long)caps("qcaaa"));
		CHECK(freq("qdaaa") == 2 && caps("qdaaa") == 2, "qdaaa: %llu (caps %llu)",
		      (unsigned long long)freq("qdaaa"), (unsigned long long)caps("qdaaa"));
		/* word 69999: 69999 = 7 + 14*26 + 25*676 + 3*17576 */
		CHECK(freq("qhozd") == 2 && caps("qhozd") == 2, "the last word: %llu (caps %llu)",
		      (unsigned long long)freq("qhozd"), (unsigned long long)caps("qhozd"));
		CHECK(freq("qzzzz") == 0, "a truncated entry counted: %llu", (unsigned long long)freq("qzzzz"));
		CHECK_STR(meta(XS_META_SPELLING_PENDING), "");
	}

	/* Vocabularies of 2,000 words, of a small alphabet (lists shared by many words) and
	   of a large one (1,100 CJK characters, three bytes each): every word is in the lists
	   it belongs to, each list in order, after a second write that merges words that
	   appear and words that go into the lists the first one wrote */
	check_vocabulary("narrow", 'a', 20);
	check_vocabulary("wide", 0x4E00, 1100);

	/* Lists written out of order, or cut short, are found by the check; a flush merging
	   into a cut-short list makes its last entry whole again */
	check_damaged_lists();

	remove_tree(tmp_root);
	return check_summary();
}
