/*
 * A growable byte string, always NUL-terminated, used by the readers, the document
 * record and the query parser.
 *
 * A failed allocation is sticky (`oom`): a caller appends freely and checks once at the
 * end instead of after every append. The functions are `static inline` so the library
 * exports no symbol for them (a static libfouille.a linked into a program that has its
 * own `strbuf` must not clash).
 */
#ifndef FOUILLE_STRBUF_H
#define FOUILLE_STRBUF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct strbuf {
	char *s; /* NULL until the first append */
	size_t len, cap;
	bool oom; /* an allocation failed: the content is incomplete */
} strbuf;

/* Appends `n` bytes of `p` (any bytes, NULs included). Appending nothing still makes
 * `s` a string (""), which readers rely on for an empty but present text. */
static inline void strbuf_put(strbuf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (n >= SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *t = realloc(b->s, cap);
		if (!t) {
			b->oom = true;
			return;
		}
		b->s = t;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static inline void strbuf_puts(strbuf *b, const char *s)
{
	strbuf_put(b, s, strlen(s));
}

static inline void strbuf_putc(strbuf *b, char c)
{
	strbuf_put(b, &c, 1);
}

/* Shortens the content to `len` bytes (no-op when already shorter). */
static inline void strbuf_cut(strbuf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->s[len] = '\0';
	}
}

/* The string, now the caller's to free: "" when nothing was put, NULL when an allocation
 * failed. The buffer is left empty. */
static inline char *strbuf_take(strbuf *b)
{
	char *s = b->oom ? NULL : b->s ? b->s : calloc(1, 1);
	if (!s)
		free(b->s);
	*b = (strbuf){0};
	return s;
}

static inline void strbuf_free(strbuf *b)
{
	free(b->s);
	*b = (strbuf){0};
}

#endif
