/*
 * An article as the readers produce it, whatever its format: the fields the index
 * stores and the text it analyses.
 */
#ifndef FOUILLE_ARTICLE_H
#define FOUILLE_ARTICLE_H

#include <stddef.h>

typedef struct article {
	char *title;  /* first non-empty line; never NULL after a successful parse */
	char *author; /* from a "par" line, or NULL */
	char *date;   /* "YYYY-MM-DD", or NULL */
	char *text;   /* lead and body: every paragraph after the header lines, joined by
	                 "\n\n", subheadings included; what is analysed and what snippets
	                 are cut from. Never NULL after a successful parse (may be "") */
	size_t lead_len; /* bytes of `text` that are the lead (first paragraph) */
	char *url;       /* the article's address when the file gives one, or NULL */
	char *tags;      /* comma-separated tags when the file gives them, or NULL */
} article;

/* Reasons a file is not indexed, as short English phrases for the person. */
#define ARTICLE_REASON_LEN 160

/*
 * Check that `buf` holds indexable text: not empty (nothing but white space), no NUL
 * bytes (binary), valid UTF-8. A UTF-8 byte order mark is allowed. Returns 0, or -1
 * with `reason` filled ("empty file", "binary file (NUL byte at offset 120)",
 * "not valid UTF-8 (invalid byte 0xE9 at offset 1043, line 12)").
 */
int article_check_text(const char *buf, size_t len, char reason[ARTICLE_REASON_LEN]);

/*
 * Parse a plain-text article in the shape of a news article:
 *   title line, blank line, lead paragraph, "par" + author (on one line or the next),
 *   an optional date line (2023-04-12, 12/04/2023, 12 avril 2023, "Publié le 1er mai
 *   2023"), an optional reading-time line ("Temps de lecture 2 min."), then the body
 *   paragraphs and subheadings. CRLF line ends and a BOM are accepted.
 * The header lines (author, date, reading time) are not part of `text`.
 * `buf` must have passed article_check_text(). Returns 0, or -1 when out of memory.
 */
int article_parse_text(article *out, const char *buf, size_t len);

/*
 * Parse a date written in one of the forms above, anywhere at the start of `s`.
 * Writes "YYYY-MM-DD" into `out` and returns 0, or -1 when `s` is not a date line.
 */
int article_parse_date(const char *s, size_t len, char out[11]);

void article_clear(article *a);

#endif
