/*
 * fouille_index_check(): do the Xapian index and the catalog agree? Both are listed,
 * sorted by (path, record) and merged; every difference is one problem, said in a
 * sentence.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docrecord.h"
#include "extras.h"
#include "handle.h"

typedef struct entry {
	char *path, *record;
	uint64_t hash;
} entry;

typedef struct entries {
	entry *v;
	size_t n, cap;
	int oom;
} entries;

typedef struct checker {
	fouille_check_fn fn;
	void *ud;
	size_t problems;
	entries docs, rows;
	analyzer *an;     /* with `tally`: the words of each article are counted */
	xs_tally *tally;  /* for the spelling data; NULL when not checked */
	int tally_failed; /* out of memory counting */
} checker;

static void problem(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(checker *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->problems++;
	if (c->fn)
		c->fn(msg, c->ud);
}

static int add(entries *e, const char *path, const char *record, uint64_t hash)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 256;
		entry *v = realloc(e->v, cap * sizeof *v);
		if (!v)
			return e->oom = 1;
		e->v = v;
		e->cap = cap;
	}
	entry *x = &e->v[e->n];
	x->path = strdup(path);
	x->record = strdup(record ? record : "");
	x->hash = hash;
	if (!x->path || !x->record) {
		free(x->path);
		free(x->record);
		return e->oom = 1;
	}
	e->n++;
	return 0;
}

static int count_word(const char *word, int caps, void *ud)
{
	return xs_tally_add(ud, word, caps) != FOUILLE_OK;
}

static void spelling_problem(const char *msg, void *ud)
{
	problem(ud, "%s", msg);
}

static int add_doc(const char *idterm, const void *data, size_t len, void *ud)
{
	checker *c = ud;
	docrecord r;
	int rc = docrecord_decode(&r, data, len);
	if (rc == -1)
		return c->docs.oom = 1;
	if (rc != 0) {
		problem(c, "the index document %s has an unreadable stored record", idterm + 1);
		return 0;
	}
	add(&c->docs, r.path, r.record, r.hash);
	if (c->tally && extras_spelling_words(c->an, r.title, r.text, count_word, c->tally) != 0)
		c->tally_failed = 1;
	docrecord_clear(&r);
	return c->docs.oom;
}

static int add_row(const catalog_row *row, void *ud)
{
	checker *c = ud;
	return add(&c->rows, row->path, row->record, row->hash);
}

static int compare(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int d = strcmp(x->path, y->path);
	return d ? d : strcmp(x->record, y->record);
}

static void free_entries(entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].path);
		free(e->v[i].record);
	}
	free(e->v);
}

/* "path" or "path (record)" for messages. */
static const char *name(const entry *e, char *buf, size_t cap)
{
	if (*e->record)
		snprintf(buf, cap, "%s (%s)", e->path, e->record);
	else
		snprintf(buf, cap, "%s", e->path);
	return buf;
}

static void report_duplicates(checker *c, const entries *e, const char *where)
{
	char buf[600];
	for (size_t i = 1; i < e->n; i++)
		if (compare(&e->v[i - 1], &e->v[i]) == 0)
			problem(c, "%s is in the %s more than once", name(&e->v[i], buf, sizeof buf), where);
}

int fouille_index_check(fouille_index *idx, fouille_check_fn fn, void *userdata, size_t *problems)
{
	if (problems)
		*problems = 0;
	if (!idx)
		return FOUILLE_EINVAL;
	if (!idx->writer || !idx->cat)
		return handle_fail(idx, FOUILLE_EINVAL, "checking needs the index opened for writing (its lock)");
	handle_ok(idx);
	checker c = {.fn = fn, .ud = userdata};
	/* The spelling data must hold each word of the articles with the number of articles
	   holding it (only for an index of this schema: an older one is rebuilt anyway). */
	char *schema = NULL;
	int rc = xs_writer_get_meta(idx->writer, META_SCHEMA, &schema, idx->err);
	if (rc != FOUILLE_OK)
		return rc;
	/* an update stopped before writing its spelling data: one problem, not one per word */
	char *pending = NULL;
	rc = xs_writer_get_meta(idx->writer, XS_META_SPELLING_PENDING, &pending, idx->err);
	if (rc == FOUILLE_OK && *pending)
		problem(&c, "the spelling data misses the words of articles committed by an update that "
			    "stopped before writing it; the next update counts it again");
	else if (rc == FOUILLE_OK &&
		 (atoi(schema) == INDEX_SCHEMA_VERSION || xs_writer_doccount(idx->writer) == 0)) {
		if (!(c.an = handle_analyzer(idx)))
			rc = FOUILLE_ENOMEM;
		else if (!(c.tally = xs_tally_new()))
			rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	}
	free(schema);
	free(pending);
	if (rc == FOUILLE_OK)
		rc = xs_writer_each(idx->writer, add_doc, &c, idx->err);
	if (rc == FOUILLE_OK && c.tally_failed)
		rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	if (rc == FOUILLE_OK && c.tally) {
		size_t n;
		rc = xs_writer_check_spelling(idx->writer, c.tally, spelling_problem, &c, &n, idx->err);
	}
	if (rc == FOUILLE_OK && catalog_each(idx->cat, add_row, &c) != 0 && !c.rows.oom)
		rc = handle_fail(idx, FOUILLE_EIO, "reading the catalog: %s", catalog_errmsg(idx->cat));
	if (rc == FOUILLE_OK && (c.docs.oom || c.rows.oom))
		rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	if (rc != FOUILLE_OK)
		goto out;

	uint64_t doccount = xs_writer_doccount(idx->writer);
	if (doccount != c.docs.n)
		problem(&c, "the index holds %llu documents but %zu carry an article id",
			(unsigned long long)doccount, c.docs.n);
	if (c.docs.n > 1)
		qsort(c.docs.v, c.docs.n, sizeof *c.docs.v, compare);
	if (c.rows.n > 1)
		qsort(c.rows.v, c.rows.n, sizeof *c.rows.v, compare);
	report_duplicates(&c, &c.docs, "index");
	report_duplicates(&c, &c.rows, "catalog");
	char buf[600];
	size_t i = 0, j = 0;
	while (i < c.docs.n || j < c.rows.n) {
		int d = i == c.docs.n ? 1 : j == c.rows.n ? -1 : compare(&c.docs.v[i], &c.rows.v[j]);
		if (d < 0) {
			problem(&c, "%s is in the index but not in the catalog", name(&c.docs.v[i], buf, sizeof buf));
			i++;
		} else if (d > 0) {
			problem(&c, "%s is in the catalog but not in the index", name(&c.rows.v[j], buf, sizeof buf));
			j++;
		} else {
			if (c.docs.v[i].hash != c.rows.v[j].hash)
				problem(&c, "%s has a different content hash in the index and in the catalog",
					name(&c.docs.v[i], buf, sizeof buf));
			i++;
			j++;
		}
	}

	char *xg = NULL, *cg = NULL, *xa = NULL, *xs = NULL;
	rc = xs_writer_get_meta(idx->writer, META_GENERATION, &xg, idx->err);
	if (rc == FOUILLE_OK)
		rc = xs_writer_get_meta(idx->writer, META_ANALYZER, &xa, idx->err);
	if (rc == FOUILLE_OK)
		rc = xs_writer_get_meta(idx->writer, META_SCHEMA, &xs, idx->err);
	if (rc == FOUILLE_OK && catalog_get_meta(idx->cat, META_GENERATION, &cg) != 0)
		rc = handle_fail(idx, FOUILLE_EIO, "%s", catalog_errmsg(idx->cat));
	if (rc == FOUILLE_OK) {
		if (strcmp(xg, cg ? cg : "") != 0)
			problem(&c, "the index is at commit %s and the catalog at commit %s", *xg ? xg : "0",
				cg ? cg : "0");
		if (doccount && (atoi(xa) != ANALYZER_VERSION || atoi(xs) != INDEX_SCHEMA_VERSION))
			problem(&c, "the index was built by analyzer %s, schema %s (this fouille: %d, %d); "
				    "the next update rebuilds it",
				xa, xs, ANALYZER_VERSION, INDEX_SCHEMA_VERSION);
	}
	free(xg);
	free(cg);
	free(xa);
	free(xs);
out:
	xs_tally_free(c.tally);
	free_entries(&c.docs);
	free_entries(&c.rows);
	if (problems)
		*problems = c.problems;
	return rc;
}
