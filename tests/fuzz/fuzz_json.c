/*
 * Fuzz harness for the JSON reader (indexer/reader_json.c): every input is read as a
 * .json file, as JSON Lines, and as JSON Lines stopped after the first article. The
 * callbacks read every byte of what they get and abort on a broken promise: NULL title
 * or text, lead_len past the text, a malformed date or key, text that is not UTF-8 or
 * holds control characters, a message or reason that is not clean.
 */
#include "indexer/readers.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Well-formed UTF-8 without control characters (except '\n' when allowed). */
static int clean_utf8(const char *s, int newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		if (c < 0x20 || c == 0x7F) {
			if (!(newlines && c == '\n'))
				return 0;
			p++;
			continue;
		}
		int need = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
		if (need < 0)
			return 0;
		unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
		unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
		for (int k = 1; k <= need; k++) {
			unsigned b = p[k];
			if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80)
				return 0;
		}
		p += need + 1;
	}
	return 1;
}

static void check_field(const char *s, int newlines)
{
	if (s && !clean_utf8(s, newlines))
		abort();
	/* a field is trimmed: no blank at either end */
	if (s && *s && (s[0] == ' ' || s[0] == '\n' || s[strlen(s) - 1] == ' ' || s[strlen(s) - 1] == '\n'))
		abort();
}

struct state {
	int stop_after;
	int emitted;
};

static int on_article(const article *a, const char *key, void *ud)
{
	struct state *st = ud;
	if (!a->title || !a->text || !key)
		abort();
	if (!*a->title || a->lead_len > strlen(a->text))
		abort();
	if (a->lead_len < strlen(a->text) && strncmp(a->text + a->lead_len, "\n\n", 2) != 0)
		abort(); /* the lead is the first paragraph */
	check_field(a->title, 0);
	check_field(a->author, 0);
	check_field(a->url, 0);
	check_field(a->tags, 0);
	check_field(a->text, 1);
	if (strstr(a->text, "\n\n\n"))
		abort();
	if (a->date) {
		const char *d = a->date;
		if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
			abort();
		for (int i = 0; i < 10; i++)
			if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
				abort();
	}
	size_t kn = strlen(key);
	if (kn > 103 || !clean_utf8(key, 0))
		abort();
	if (kn && strncmp(key, "id=", 3) != 0 && strncmp(key, "n=", 2) != 0)
		abort();
	st->emitted++;
	return st->stop_after && st->emitted >= st->stop_after ? 1 : 0;
}

static void on_problem(const char *what, void *ud)
{
	(void)ud;
	if (!what || !*what || !clean_utf8(what, 0))
		abort();
}

static void run(const char *buf, size_t size, int lines, int stop_after)
{
	struct state st = {stop_after, 0};
	char reason[ARTICLE_REASON_LEN];
	memset(reason, 'x', sizeof reason);
	int rc = reader_json(buf, size, lines, on_article, on_problem, &st, reason);
	if (rc == -1 && (!memchr(reason, '\0', sizeof reason) || !reason[0] || !clean_utf8(reason, 0)))
		abort();
	if (rc == 1 && !(stop_after && st.emitted == stop_after))
		abort();
	if (rc == 0 && st.emitted == 0)
		abort(); /* "no article in it" is -1 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	run(buf, size, 0, 0);
	run(buf, size, 1, 0);
	run(buf, size, 1, 1);
	return 0;
}
