/*
 * Legacy encodings (indexer/encoding.c) and the choice of reader (indexer/reader_detect.c).
 */
#include "check.h"
#include "indexer/readers.h"

#include <stdlib.h>

/* Decodes `len` bytes; returns the UTF-8 text (static copy) or the reason, prefixed
   with "!" when decoding failed. `enc` gets the encoding used. */
static const char *decode(const char *s, size_t len, const char **enc)
{
	static char result[4096];
	char reason[ARTICLE_REASON_LEN];
	char *out = (char *)0x1; /* must be overwritten */
	size_t outlen = 99;
	*enc = NULL;
	if (encoding_decode(s, len, &out, &outlen, enc, reason) != 0) {
		CHECK(out == NULL, "no output on failure");
		snprintf(result, sizeof result, "!%s", reason);
		return result;
	}
	if (out == NULL) {
		CHECK(outlen == len, "as is: outlen %zu, len %zu", outlen, len);
		snprintf(result, sizeof result, "%.*s", (int)len, s);
	} else {
		CHECK(strlen(out) == outlen, "converted text is NUL-terminated at outlen");
		snprintf(result, sizeof result, "%s", out);
		free(out);
	}
	return result;
}

static void test_utf8(void)
{
	const char *enc;
	const char *s = "L’été où la forêt a brûlé : « cœur » à 12 €.\n";
	CHECK_STR(decode(s, strlen(s), &enc), s);
	CHECK_STR(enc, "UTF-8");

	/* as is: the caller keeps its buffer, no copy is made */
	char reason[ARTICLE_REASON_LEN];
	char *out;
	size_t outlen;
	CHECK(encoding_decode(s, strlen(s), &out, &outlen, &enc, reason) == 0 && out == NULL,
	      "valid UTF-8 is not copied");

	/* a BOM stays in the caller's buffer (readers skip it) */
	const char *bom = "\xEF\xBB\xBFTitre\n\nTexte.\n";
	CHECK_STR(decode(bom, strlen(bom), &enc), bom);
	CHECK_STR(enc, "UTF-8");
	/* ASCII is UTF-8 */
	CHECK_STR(decode("plain ascii", 11, &enc), "plain ascii");
	CHECK_STR(enc, "UTF-8");
}

static void test_cp1252(void)
{
	const char *enc;
	/* l’œuvre été à 10 € — « oui » */
	const char *s = "l\x92\x9Cuvre \xE9t\xE9 \xE0 10 \x80 \x97 \xABoui\xBB, na\xEFve, \xE8re\n";
	CHECK_STR(decode(s, strlen(s), &enc),
		  "l’œuvre été à 10 € — «oui», naïve, ère\n");
	CHECK_STR(enc, "windows-1252");
	/* each of the four bytes the brief names, alone */
	CHECK_STR(decode("\x92", 1, &enc), "’");
	CHECK_STR(decode("\x9C", 1, &enc), "œ");
	CHECK_STR(decode("\xE9", 1, &enc), "é");
	CHECK_STR(decode("\x80", 1, &enc), "€");
	/* ISO-8859-1 text (no byte in 0x80..0x9F) is a subset of 1252 */
	const char *latin1 = "Le ch\xE2teau de la for\xEAt, \xE7" "a co\xFBte cher. \xC9t\xE9 \xC0 Paris.";
	CHECK_STR(decode(latin1, strlen(latin1), &enc), "Le château de la forêt, ça coûte cher. Été À Paris.");
	CHECK_STR(enc, "windows-1252");
	/* CRLF line ends pass through untouched */
	CHECK_STR(decode("caf\xE9\r\nth\xE9\r\n", 11, &enc), "café\r\nthé\r\n");
}

static void test_rejected(void)
{
	const char *enc;
	/* the five undefined bytes, with their offset */
	CHECK_STR(decode("caf\xE9 \x81 x", 8, &enc),
		  "!not valid UTF-8 nor Windows-1252 (byte 0x81 at offset 5)");
	CHECK(enc == NULL, "no encoding on failure");
	CHECK_STR(decode("\xE9t\xE9\x8D", 4, &enc), "!not valid UTF-8 nor Windows-1252 (byte 0x8D at offset 3)");
	CHECK_STR(decode("\x8F", 1, &enc), "!not valid UTF-8 nor Windows-1252 (byte 0x8F at offset 0)");
	CHECK_STR(decode("a\x90", 2, &enc), "!not valid UTF-8 nor Windows-1252 (byte 0x90 at offset 1)");
	CHECK_STR(decode("ab\x9D", 3, &enc), "!not valid UTF-8 nor Windows-1252 (byte 0x9D at offset 2)");
	/* NUL: binary, whether the rest is UTF-8 or not */
	CHECK_STR(decode("abc\0def", 7, &enc), "!binary file (NUL byte at offset 3)");
	CHECK_STR(decode("\xE9\xE9\0", 3, &enc), "!binary file (NUL byte at offset 2)");
	/* empty, white space only, and 1252's NBSP only */
	CHECK_STR(decode("", 0, &enc), "!empty file");
	CHECK_STR(decode(" \n\t\r\n", 5, &enc), "!empty file");
	CHECK_STR(decode("\xEF\xBB\xBF\n", 4, &enc), "!empty file");
	CHECK_STR(decode("\xA0\xA0\n", 3, &enc), "!empty file");
	/* UTF-8 with one stray 1252 byte: refused rather than turned into mojibake */
	const char *mixed = "Il était une fois \xE9t\xE9";
	CHECK_STR(decode(mixed, strlen(mixed), &enc),
		  "!mixed UTF-8 and Windows-1252 (invalid UTF-8 byte 0xE9 at offset 19)");
	CHECK_STR(decode("\xEF\xBB\xBF" "caf\xE9", 7, &enc),
		  "!mixed UTF-8 and Windows-1252 (invalid UTF-8 byte 0xE9 at offset 6)");
	/* but a 1252 "Ã" followed by ASCII is plain 1252 (Portuguese "SÃO") */
	const char *sao = "S\xC3O PAULO \xE9t\xE9";
	CHECK_STR(decode(sao, strlen(sao), &enc), "SÃO PAULO été");
}

static void test_utf16(void)
{
	const char *enc;
	/* "été\n" in UTF-16 LE and BE, with their BOM */
	CHECK_STR(decode("\xFF\xFE\xE9\0t\0\xE9\0\n\0", 10, &enc), "été\n");
	CHECK_STR(enc, "UTF-16LE");
	CHECK_STR(decode("\xFE\xFF\0\xE9\0t\0\xE9\0\n", 10, &enc), "été\n");
	CHECK_STR(enc, "UTF-16BE");
	CHECK_STR(decode("\xFF\xFE" "a\0b", 5, &enc), "!not valid UTF-16 (truncated at offset 4)");
	CHECK_STR(decode("\xFF\xFE \0", 4, &enc), "!empty file");
}

static reader_format detect(const char *name, const char *head)
{
	return reader_detect(name, head, head ? strlen(head) : 0);
}

static void test_detect(void)
{
	static const struct {
		const char *name;
		reader_format f;
	} by_ext[] = {
		{"a.txt", READER_TEXT},		{"a.text", READER_TEXT},     {"a.md", READER_MARKDOWN},
		{"a.markdown", READER_MARKDOWN}, {"a.html", READER_HTML},     {"a.htm", READER_HTML},
		{"a.xhtml", READER_HTML},	{"a.json", READER_JSON},     {"a.jsonl", READER_JSONL},
		{"a.ndjson", READER_JSONL},	{"A.TXT", READER_TEXT},	     {"Article.MD", READER_MARKDOWN},
		{"page.HtMl", READER_HTML},	{"dir/x.y/a.JSON", READER_JSON}, {"notes.2023.md", READER_MARKDOWN},
		{"a.pdf", READER_OTHER},	{"a.png", READER_OTHER},     {"a.odt", READER_OTHER},
		{"a.md~", READER_OTHER},	{"a.md.bak", READER_OTHER},  {"a.txt.orig", READER_OTHER},
	};
	for (size_t i = 0; i < sizeof by_ext / sizeof by_ext[0]; i++)
		CHECK(detect(by_ext[i].name, "Titre\n\nTexte.") == by_ext[i].f, "%s: %s", by_ext[i].name,
		      reader_format_name(detect(by_ext[i].name, "Titre\n\nTexte.")));
	/* the extension wins over the content */
	CHECK(detect("a.txt", "<html><body>x</body></html>") == READER_TEXT, "txt holding html");
	CHECK(detect("a.md", "{\"title\": 1}") == READER_MARKDOWN, "md holding json");

	/* no extension: sniffed */
	CHECK(detect("page", "<!DOCTYPE html>\n<html>") == READER_HTML, "doctype");
	CHECK(detect("page", "<!doctype HTML>") == READER_HTML, "doctype, any case");
	CHECK(detect("page", "\xEF\xBB\xBF  \n\t<HTML lang=\"fr\">") == READER_HTML, "BOM, blanks, <HTML");
	CHECK(detect("page", "<head><title>x") == READER_HTML, "<head");
	CHECK(detect("page", "<body>") == READER_HTML, "<body");
	CHECK(detect("page", "<meta charset=\"utf-8\">") == READER_HTML, "<meta");
	CHECK(detect("page", "<htmlfoo>") == READER_TEXT, "not a tag of ours");
	CHECK(detect("dir.v2/README", "Titre\n\nTexte.") == READER_TEXT, "no extension, text");
	CHECK(detect("M. Dupont", "Titre") == READER_TEXT, "a dot followed by a space is no extension");
	CHECK(detect("notes", "") == READER_TEXT, "empty: text (its reader says it is empty)");
	CHECK(detect("data", "  {\"title\": \"x\"}") == READER_OTHER, "json without extension");
	CHECK(detect("data", "[1, 2]") == READER_OTHER, "json array without extension");
	CHECK(reader_detect("blob", "ab\0cd", 5) == READER_OTHER, "NUL: binary");
	CHECK(detect("doc", "%PDF-1.7\n%\xE2\xE3\xCF\xD3") == READER_OTHER, "PDF magic");
	CHECK(detect("run", "#!/bin/sh\necho") == READER_OTHER, "script");
	CHECK(detect("x", NULL) == READER_TEXT, "no head at all");
	/* an unknown extension: HTML when it says so, else not ours */
	CHECK(detect("article.php", "<html><body>x") == READER_HTML, "scraped .php page");
	CHECK(detect("a.pdf", "%PDF-1.4") == READER_OTHER, "pdf");
	CHECK(detect("a.csv", "a,b\n1,2") == READER_OTHER, "csv");
	CHECK(detect("page.html~", "<html>") == READER_OTHER, "backup of a page");

	CHECK_STR(reader_format_name(READER_TEXT), "text");
	CHECK_STR(reader_format_name(READER_MARKDOWN), "markdown");
	CHECK_STR(reader_format_name(READER_HTML), "html");
	CHECK_STR(reader_format_name(READER_JSON), "json");
	CHECK_STR(reader_format_name(READER_JSONL), "jsonl");
	CHECK_STR(reader_format_name(READER_OTHER), "other");
}

int main(void)
{
	test_utf8();
	test_cp1252();
	test_rejected();
	test_utf16();
	test_detect();
	return check_summary();
}
