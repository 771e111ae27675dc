/*
 * The article readers, one module per format. Each turns the bytes of a file into one
 * or more articles (article.h). Which reader takes a file is decided by reader_detect().
 *
 *   article_text.c   plain text in the shape of a news article (article.h)
 *   reader_md.c      Markdown, with YAML (---) or TOML (+++) front matter
 *   reader_html.c    HTML, through libxml2's HTML parser
 *   reader_json.c    JSON (an article or an array of them) and JSON Lines, through jansson
 *   encoding.c       legacy encodings: Windows-1252 / ISO-8859-1 text decoded to UTF-8
 */
#ifndef FOUILLE_READERS_H
#define FOUILLE_READERS_H

#include <stddef.h>

#include "article.h"

typedef enum reader_format {
	READER_TEXT,
	READER_MARKDOWN,
	READER_HTML,
	READER_JSON,  /* one article object, or an array of them */
	READER_JSONL, /* one article object per line */
	READER_OTHER  /* not an article format: skipped and counted by extension */
} reader_format;

/* The format's name as stored in the catalog and shown by --stats: "text", "markdown"... */
const char *reader_format_name(reader_format f);

/*
 * Choose the reader for a file by its name (extension, case-insensitive: .txt .text
 * .md .markdown .html .htm .xhtml .json .jsonl .ndjson) and, when the extension says
 * nothing, by its first bytes (`head`, `len` bytes, may be fewer than the whole file):
 * a file that starts (after a BOM and white space) with <!DOCTYPE html, <html, <head,
 * <body or <meta is HTML, whatever its extension ("page.php" from a scraper); one with
 * no extension at all and no NUL byte is text, unless it starts with '{' or '[' (JSON
 * of an unknown shape) or a known magic number (%PDF-, PK, #!...). Everything else,
 * including backups (name~, .bak, .orig, .old, .swp, .tmp), is READER_OTHER.
 */
reader_format reader_detect(const char *name, const char *head, size_t len);

/*
 * Decode a plain-text, Markdown or JSON file to UTF-8.
 * - Valid UTF-8 is used as is: *out = NULL, *outlen = len, *encoding = "UTF-8"; the
 *   caller keeps using `buf`. A UTF-8 BOM is left where it is: every reader skips a
 *   leading BOM (article_parse_text and reader_markdown do), so no copy is made for it.
 * - Otherwise, when the bytes are plausible Windows-1252 (no NUL, none of the five
 *   bytes 1252 leaves undefined: 0x81 0x8D 0x8F 0x90 0x9D), they are converted with
 *   iconv: *out malloc'ed (NUL-terminated, no BOM; the caller frees it), *outlen its
 *   length, *encoding = "windows-1252". ISO-8859-1 text is accepted the same way.
 * - UTF-16 with a BOM is converted likewise (*encoding = "UTF-16LE" or "UTF-16BE").
 * Returns 0, or -1 with `reason` filled and *out = NULL: "empty file" (nothing but white
 * space), "binary file (NUL byte at offset 12)", "not valid UTF-8 nor Windows-1252
 * (byte 0x81 at offset 40)", or "mixed UTF-8 and Windows-1252 (invalid UTF-8 byte 0xE9
 * at offset 40)" when invalid bytes sit among UTF-8 accented letters (or after a UTF-8
 * BOM): decoding such a file as 1252 would index its UTF-8 part as mojibake.
 */
int encoding_decode(const char *buf, size_t len, char **out, size_t *outlen,
		    const char **encoding, char reason[ARTICLE_REASON_LEN]);

/*
 * Markdown -> article. `buf` is UTF-8 (a leading BOM is skipped). Front matter: YAML
 * between "---" lines or TOML between "+++" lines at the very start (title, author,
 * date, tags, url); else the first level-1 heading is the title, else the first line.
 * `text` is the prose with the markup removed (links keep their text, code blocks are
 * dropped). Bad front matter never fails the file. Returns 0, or -1 with `reason`
 * filled ("empty file", "no text in the file" when only markup or code is there, "out
 * of memory").
 */
int reader_markdown(article *out, const char *buf, size_t len, char reason[ARTICLE_REASON_LEN]);

/*
 * HTML -> article. `buf` is the raw file (any charset: <meta charset>, the BOM, else
 * UTF-8, else Windows-1252). Returns 0, or -1 with `reason` filled ("no text in the
 * page", "not HTML").
 */
int reader_html(article *out, const char *buf, size_t len, char reason[ARTICLE_REASON_LEN]);

/*
 * Called for each article of a JSON file. `key` identifies the record inside the file:
 * "id=<the record's id>" when it has an id, else "n=<index>" (0-based array index or
 * 1-based line number). The article is borrowed for the call. Non-zero stops the read.
 */
typedef int (*reader_emit_fn)(const article *a, const char *key, void *ud);
/* Called for each record that could not be read, e.g. "line 12: invalid JSON: ...". */
typedef void (*reader_problem_fn)(const char *what, void *ud);

/*
 * JSON or JSON Lines (`lines` set) -> articles. Bad records are reported through
 * `problem` and skipped; the good ones are emitted. Returns 0, the emit callback's
 * non-zero value, or -1 with `reason` filled when the file as a whole is unreadable
 * (invalid JSON in a .json file, no article in it).
 */
int reader_json(const char *buf, size_t len, int lines, reader_emit_fn emit,
		reader_problem_fn problem, void *ud, char reason[ARTICLE_REASON_LEN]);

#endif
