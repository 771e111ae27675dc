/*
 * fouille_index_stats(): what an index holds. Counts and years come from the Xapian
 * index (so they work on any copy of it); formats and authors from the catalog, when
 * it is there.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "handle.h"

#define TOP_AUTHORS 10

typedef struct counts {
	fouille_count *v;
	size_t n, cap;
	int oom;
} counts;

typedef struct stats_impl {
	fouille_stats pub; /* first: the public pointer is this object */
	counts formats, years, authors;
	char *root, *updated;
} stats_impl;

static int add_count(const char *name, size_t len, uint64_t count, counts *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		fouille_count *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return c->oom = 1;
		c->v = v;
		c->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return c->oom = 1;
	memcpy(copy, name, len);
	copy[len] = '\0';
	c->v[c->n].name = copy;
	c->v[c->n].count = count;
	c->n++;
	return 0;
}

static int add_catalog_count(const char *name, uint64_t count, void *ud)
{
	return add_count(name, strlen(name), count, ud);
}

static int add_year(const char *term, size_t len, uint64_t freq, void *ud)
{
	size_t p = strlen(XS_PREFIX_YEAR);
	return len > p ? add_count(term + p, len - p, freq, ud) : 0;
}

static int count_term(const char *term, size_t len, uint64_t freq, void *ud)
{
	(void)term;
	(void)len;
	(void)freq;
	(*(uint64_t *)ud)++;
	return 0;
}

/* Bytes used by the files below `dir`. */
static uint64_t dir_bytes(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d || depth > 8) {
		if (d)
			closedir(d);
		return 0;
	}
	uint64_t total = 0;
	struct dirent *de;
	char path[4096];
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			total += dir_bytes(path, depth + 1);
		else if (S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size;
	}
	closedir(d);
	return total;
}

static void counts_free(counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free((char *)c->v[i].name);
	free(c->v);
}

void fouille_stats_free(fouille_stats *stats)
{
	if (!stats)
		return;
	stats_impl *s = (stats_impl *)stats;
	counts_free(&s->formats);
	counts_free(&s->years);
	counts_free(&s->authors);
	free(s->root);
	free(s->updated);
	free(s);
}

int fouille_index_stats(fouille_stats **out, fouille_index *idx)
{
	if (!out)
		return FOUILLE_EINVAL;
	*out = NULL;
	if (!idx)
		return FOUILLE_EINVAL;
	handle_ok(idx);
	xs_reader *r = handle_reader(idx);
	if (!r)
		return FOUILLE_EIO;
	stats_impl *s = calloc(1, sizeof *s);
	if (!s)
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	char *analyzer_v = NULL, *schema_v = NULL;
	int rc = xs_reader_get_meta(r, META_ROOT, &s->root, idx->err);
	if (rc == FOUILLE_OK && idx->stub && xs_reader_shard_count(r) > 1)
		s->root[0] = '\0'; /* a folder per shard (metadata comes from the first one) */
	if (rc == FOUILLE_OK)
		rc = xs_reader_get_meta(r, META_UPDATED, &s->updated, idx->err);
	if (rc == FOUILLE_OK)
		rc = xs_reader_get_meta(r, META_ANALYZER, &analyzer_v, idx->err);
	if (rc == FOUILLE_OK)
		rc = xs_reader_get_meta(r, META_SCHEMA, &schema_v, idx->err);
	if (rc == FOUILLE_OK)
		rc = xs_reader_each_term(r, XS_PREFIX_YEAR, add_year, &s->years, idx->err);
	if (rc == FOUILLE_OK)
		rc = xs_reader_each_term(r, "", count_term, &s->pub.terms, idx->err);
	if (rc == FOUILLE_OK) {
		catalog *cat;
		if (catalog_open_readonly(&cat, idx->catalog_path) == 0) {
			/* a catalog that cannot be read leaves formats and authors empty */
			catalog_group_counts(cat, CATALOG_BY_FORMAT, 100, add_catalog_count, &s->formats);
			catalog_group_counts(cat, CATALOG_BY_AUTHOR, TOP_AUTHORS, add_catalog_count, &s->authors);
			catalog_close(cat);
		}
	}
	if (rc == FOUILLE_OK && (s->formats.oom || s->years.oom || s->authors.oom))
		rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	if (rc != FOUILLE_OK) {
		free(analyzer_v);
		free(schema_v);
		fouille_stats_free(&s->pub);
		return rc;
	}
	s->pub.articles = xs_reader_doccount(r);
	s->pub.index_bytes = dir_bytes(idx->dir, 0);
	s->pub.root = *s->root ? s->root : NULL;
	s->pub.updated = *s->updated ? s->updated : NULL;
	s->pub.analyzer_version = atoi(analyzer_v);
	s->pub.schema_version = atoi(schema_v);
	s->pub.formats = s->formats.v;
	s->pub.nformats = s->formats.n;
	s->pub.years = s->years.v;
	s->pub.nyears = s->years.n;
	s->pub.authors = s->authors.v;
	s->pub.nauthors = s->authors.n;
	s->pub.databases = xs_reader_database_count(r);
	free(analyzer_v);
	free(schema_v);
	*out = &s->pub;
	return FOUILLE_OK;
}
