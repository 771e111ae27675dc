/*
 * The document data format: a magic line, then fields as (tag byte, LEB128 length,
 * bytes). Unknown tags are skipped, so a later version can add fields that this one
 * ignores.
 */
#include "docrecord.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define DOCRECORD_MAGIC "fouille-doc-1\n"

enum {
	TAG_PATH = 'p',
	TAG_TITLE = 't',
	TAG_AUTHOR = 'a',
	TAG_DATE = 'd',
	TAG_FORMAT = 'f',
	TAG_TEXT = 'x',
	TAG_LEAD = 'l',
	TAG_SIZE = 's',
	TAG_MTIME = 'm',
	TAG_HASH = 'h',
	TAG_RECORD = 'k',
	TAG_URL = 'u',
	TAG_TAGS = 'g',
	TAG_ENCODING = 'e',
	TAG_FILE_HASH = 'H'
};

static void buf_varint(strbuf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;
	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	strbuf_put(b, tmp, n);
}

static void put_field(strbuf *b, char tag, const void *data, size_t n)
{
	strbuf_put(b, &tag, 1);
	buf_varint(b, n);
	strbuf_put(b, data, n);
}

static void put_string(strbuf *b, char tag, const char *s)
{
	if (s)
		put_field(b, tag, s, strlen(s));
}

static void put_number(strbuf *b, char tag, uint64_t v)
{
	unsigned char tmp[8];
	for (int i = 0; i < 8; i++)
		tmp[i] = (unsigned char)(v >> (8 * i));
	put_field(b, tag, tmp, 8);
}

int docrecord_encode(const docrecord *r, char **out, size_t *outlen)
{
	strbuf b = {0};
	strbuf_put(&b, DOCRECORD_MAGIC, strlen(DOCRECORD_MAGIC));
	put_string(&b, TAG_PATH, r->path);
	put_string(&b, TAG_TITLE, r->title);
	put_string(&b, TAG_AUTHOR, r->author);
	put_string(&b, TAG_DATE, r->date);
	put_string(&b, TAG_FORMAT, r->format);
	put_number(&b, TAG_LEAD, r->lead_len);
	put_number(&b, TAG_SIZE, r->size);
	put_number(&b, TAG_MTIME, (uint64_t)r->mtime_ns);
	put_number(&b, TAG_HASH, r->hash);
	put_number(&b, TAG_FILE_HASH, r->file_hash);
	if (r->record && *r->record)
		put_string(&b, TAG_RECORD, r->record);
	put_string(&b, TAG_URL, r->url);
	put_string(&b, TAG_TAGS, r->tags);
	put_string(&b, TAG_ENCODING, r->encoding);
	put_string(&b, TAG_TEXT, r->text);
	if (b.oom) {
		free(b.s);
		return -1;
	}
	*out = b.s;
	*outlen = b.len;
	return 0;
}

static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t x = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		unsigned char c = *(*p)++;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

static char *dup_n(const unsigned char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static uint64_t get_number(const unsigned char *s, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < 8 && i < n; i++)
		v |= (uint64_t)s[i] << (8 * i);
	return v;
}

int docrecord_decode(docrecord *r, const void *data, size_t len)
{
	memset(r, 0, sizeof *r);
	size_t mlen = strlen(DOCRECORD_MAGIC);
	if (len < mlen || memcmp(data, DOCRECORD_MAGIC, mlen) != 0)
		return -2;
	const unsigned char *p = (const unsigned char *)data + mlen, *end = (const unsigned char *)data + len;
	while (p < end) {
		unsigned char tag = *p++;
		uint64_t n;
		if (get_varint(&p, end, &n) || n > (uint64_t)(end - p)) {
			docrecord_clear(r);
			return -2;
		}
		char **slot = NULL;
		switch (tag) {
		case TAG_PATH: slot = &r->path; break;
		case TAG_TITLE: slot = &r->title; break;
		case TAG_AUTHOR: slot = &r->author; break;
		case TAG_DATE: slot = &r->date; break;
		case TAG_FORMAT: slot = &r->format; break;
		case TAG_TEXT: slot = &r->text; break;
		case TAG_LEAD: r->lead_len = (size_t)get_number(p, n); break;
		case TAG_SIZE: r->size = get_number(p, n); break;
		case TAG_MTIME: r->mtime_ns = (int64_t)get_number(p, n); break;
		case TAG_HASH: r->hash = get_number(p, n); break;
		case TAG_FILE_HASH: r->file_hash = get_number(p, n); break;
		case TAG_RECORD: slot = &r->record; break;
		case TAG_URL: slot = &r->url; break;
		case TAG_TAGS: slot = &r->tags; break;
		case TAG_ENCODING: slot = &r->encoding; break;
		default: break; /* a field of a later version */
		}
		if (slot) {
			free(*slot);
			if (!(*slot = dup_n(p, n))) {
				docrecord_clear(r);
				return -1;
			}
		}
		p += n;
	}
	if (!r->title)
		r->title = dup_n((const unsigned char *)"", 0);
	if (!r->text)
		r->text = dup_n((const unsigned char *)"", 0);
	if (!r->path)
		r->path = dup_n((const unsigned char *)"", 0);
	if (!r->record)
		r->record = dup_n((const unsigned char *)"", 0);
	if (!r->title || !r->text || !r->path || !r->record) {
		docrecord_clear(r);
		return -1;
	}
	if (r->lead_len > strlen(r->text))
		r->lead_len = strlen(r->text);
	return 0;
}

void docrecord_clear(docrecord *r)
{
	if (!r)
		return;
	free(r->path);
	free(r->title);
	free(r->author);
	free(r->date);
	free(r->format);
	free(r->text);
	free(r->record);
	free(r->url);
	free(r->tags);
	free(r->encoding);
	memset(r, 0, sizeof *r);
}
