/*
 * Fuzz harness for the Markdown path: bytes -> encoding_decode() -> reader_markdown().
 * Besides crashes and sanitizer reports it checks what the reader promises: a title and
 * a text, a lead inside the text, and valid UTF-8 out when UTF-8 went in. Bytes that do
 * not decode go to reader_markdown() as well: it must survive anything it is given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/readers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a finding for the fuzzer) unless `s` is valid UTF-8 without control bytes. */
static void check_field(const char *s)
{
	char reason[ARTICLE_REASON_LEN];
	if (!s || !*s)
		return;
	if (article_check_text(s, strlen(s), reason) != 0 && strcmp(reason, "empty file") != 0)
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && *p != '\n')
			abort();
}

static void read_md(const char *buf, size_t len, int utf8)
{
	article a;
	char reason[ARTICLE_REASON_LEN];
	if (reader_markdown(&a, buf, len, reason) != 0) {
		if (!reason[0])
			abort(); /* a failure always says why */
		return;
	}
	if (!a.title || !a.text || a.lead_len > strlen(a.text))
		abort();
	if (utf8) {
		check_field(a.title);
		check_field(a.author);
		check_field(a.text);
		check_field(a.url);
		check_field(a.tags);
	}
	if (a.date && strlen(a.date) != 10)
		abort();
	article_clear(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char *out;
	size_t outlen;
	const char *encoding;
	char reason[ARTICLE_REASON_LEN];
	if (encoding_decode(buf, size, &out, &outlen, &encoding, reason) == 0) {
		read_md(out ? out : buf, outlen, 1);
		free(out);
	} else {
		read_md(buf, size, 0);
	}
	(void)reader_detect("fuzz", buf, size);
	return 0;
}
