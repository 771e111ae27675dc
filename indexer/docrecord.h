/*
 * What the index stores for each article (Xapian document data): everything a search
 * shows, the text snippets are cut from, and what the catalog holds, so that search
 * never reads the catalog or the original file, and the catalog can be rebuilt from
 * the index after a crash.
 */
#ifndef FOUILLE_DOCRECORD_H
#define FOUILLE_DOCRECORD_H

#include <stddef.h>
#include <stdint.h>

typedef struct docrecord {
	char *path;   /* relative to the indexed folder */
	char *record; /* "" for a file holding one article, else "id=..." or "n=..." */
	char *title;  /* never NULL once decoded */
	char *author; /* NULL when unknown */
	char *date;   /* "YYYY-MM-DD" or NULL */
	char *format; /* "text", ... */
	char *text;   /* lead + body, never NULL once decoded */
	char *url;    /* NULL when unknown */
	char *tags;   /* comma-separated, NULL when none */
	char *encoding; /* of the original file: "UTF-8", "windows-1252"... */
	size_t lead_len;
	uint64_t size;
	int64_t mtime_ns;
	uint64_t hash;      /* of the article's content */
	uint64_t file_hash; /* of the whole file */
} docrecord;

/* Serialize `r` into a malloc'ed buffer. Returns 0, or -1 when out of memory. */
int docrecord_encode(const docrecord *r, char **out, size_t *outlen);
/*
 * Parse `len` bytes of document data into `r` (strings malloc'ed). Returns 0, -1 when
 * out of memory, -2 when the data is not a record of this format.
 */
int docrecord_decode(docrecord *r, const void *data, size_t len);
void docrecord_clear(docrecord *r);

#endif
