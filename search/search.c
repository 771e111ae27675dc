/*
 * fouille_search(): parse the query, run it on the Xapian index (every word first,
 * any word when that finds nothing), and build each hit's snippet from the text stored
 * in the index. Near-duplicates are collapsed on their signature (indexer/extras.c),
 * facets counted by Xapian match spies over every match, and a "did you mean" built
 * from the index's spelling data (suggest.c). Reads only the Xapian index, never the
 * catalog or the original files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../indexer/docrecord.h"
#include "../indexer/handle.h"
#include "query.h"
#include "shards.h"
#include "snippet.h"
#include "suggest.h"

#define DEFAULT_LIMIT 10
#define DEFAULT_SNIPPET_CHARS 200
/* No page larger than this: a caller wanting everything pages through. */
#define MAX_LIMIT 10000

struct fouille_hit {
	size_t rank;
	double score;
	uint64_t similar; /* near-duplicates collapsed into this hit */
	docrecord rec;
	snippet snip;
	char *root; /* the folder of the hit's index (its shard's), NULL when unknown */
};

typedef struct facet_list {
	fouille_count *v;
	size_t n, cap;
} facet_list;

struct fouille_results {
	fouille_hit *hits;
	size_t n, cap;
	uint64_t total;
	int total_exact;
	int relaxed;
	char *notice;
	char *suggestion;
	int facets_on;
	facet_list facets[2]; /* FOUILLE_FACET_AUTHOR, FOUILLE_FACET_YEAR */
};

void fouille_search_options_init(fouille_search_options *opts)
{
	if (!opts)
		return;
	memset(opts, 0, sizeof *opts);
	opts->struct_size = sizeof *opts;
	opts->limit = DEFAULT_LIMIT;
	opts->snippet_chars = DEFAULT_SNIPPET_CHARS;
	opts->sort = FOUILLE_SORT_RELEVANCE;
	opts->fragments = 1;
}

typedef struct collector {
	fouille_index *idx;
	fouille_results *res;
	analyzer *an;
	const query_term *terms;
	size_t nterms;
	const query_phrase *phrases;
	size_t nphrases;
	size_t budget;
	size_t fragments;
	xs_reader *reader;
	unsigned char *absent; /* by query word: snippet_opts.absent of the hit at hand */
	unsigned nwords;
	int failed;
} collector;

static int skip_token(const analyzer_token *t, void *ud)
{
	(void)t;
	(void)ud;
	return 0;
}

/*
 * Which query words the index says the text of match `m` lacks (snippet_opts.absent),
 * so that its snippet does not scan a long text to its end looking for them: none of
 * their terms occurs past the title's positions (the text's come after them, see
 * build_doc()). A word stays "not absent" when that cannot be told: a prefix term, a
 * remote shard. A few position-list lookups per hit over SNIPPET_SCAN_FIRST bytes, asked
 * before the scan, whether or not its first prefix then shows every word: 0.8% of the
 * median search's instructions on the Debian folder (bench/README.md), against scans
 * of whole texts when a word is missing.
 */
static const unsigned char *absent_words(collector *c, const xs_match *m, const docrecord *rec,
					 size_t len)
{
	if (!c->absent || len <= SNIPPET_SCAN_FIRST) /* scanned whole at once anyway */
		return NULL;
	uint32_t title_end = 0;
	analyzer_filter none; /* positions only (words starting with an ASCII letter are
				 not even analysed) */
	analyzer_filter_init(&none);
	if (analyzer_run_filtered(c->an, rec->title, strlen(rec->title), &title_end, &none,
				  skip_token, NULL) != 0)
		return NULL;
	memset(c->absent, 1, c->nwords);
	for (size_t i = 0; i < c->nterms; i++) {
		const query_term *t = &c->terms[i];
		if (!t->term || !c->absent[t->word])
			continue;
		uint32_t pos;
		if (t->prefix ||
		    xs_reader_position_after(c->reader, m->docid, t->term, title_end, &pos) != 0)
			c->absent[t->word] = 0;
	}
	return c->absent;
}

static int collect(const xs_match *m, void *ud)
{
	collector *c = ud;
	fouille_results *res = c->res;
	if (res->n == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 16;
		fouille_hit *v = realloc(res->hits, cap * sizeof *v);
		if (!v)
			goto oom;
		res->hits = v;
		res->cap = cap;
	}
	fouille_hit *h = &res->hits[res->n];
	memset(h, 0, sizeof *h);
	h->rank = m->rank + 1;
	h->score = m->score;
	h->similar = m->collapsed;
	int rc = docrecord_decode(&h->rec, m->data, m->len);
	if (rc == -1)
		goto oom;
	if (rc == -2) {
		c->failed = handle_fail(c->idx, FOUILLE_EIO,
					"document %u of the index is not in fouille's format", m->docid);
		return 1;
	}
	size_t len = strlen(h->rec.text);
	snippet_opts so = {.budget = c->budget, .fragments = c->fragments, .lead_len = h->rec.lead_len,
			   .phrases = c->phrases, .nphrases = c->nphrases,
			   .absent = absent_words(c, m, &h->rec, len)};
	if (snippet_make_ex(&h->snip, c->an, h->rec.text, len, c->terms, c->nterms, &so) != 0) {
		docrecord_clear(&h->rec);
		goto oom;
	}
	if (m->shard_meta && *m->shard_meta && !(h->root = strdup(m->shard_meta))) {
		docrecord_clear(&h->rec);
		snippet_clear(&h->snip);
		goto oom;
	}
	res->n++;
	return 0;
oom:
	c->failed = handle_fail(c->idx, FOUILLE_ENOMEM, "out of memory");
	return 1;
}

static void facets_clear(fouille_results *res)
{
	for (int f = 0; f < 2; f++) {
		for (size_t i = 0; i < res->facets[f].n; i++)
			free((char *)res->facets[f].v[i].name);
		free(res->facets[f].v);
		memset(&res->facets[f], 0, sizeof res->facets[f]);
	}
}

static int collect_facet(unsigned slot, const char *value, size_t len, uint64_t count, void *ud)
{
	collector *c = ud;
	facet_list *l = &c->res->facets[slot == XS_SLOT_YEAR ? FOUILLE_FACET_YEAR : FOUILLE_FACET_AUTHOR];
	if (slot != XS_SLOT_AUTHOR && slot != XS_SLOT_YEAR)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		fouille_count *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			goto oom;
		l->v = v;
		l->cap = cap;
	}
	char *name = malloc(len + 1);
	if (!name)
		goto oom;
	memcpy(name, value, len);
	name[len] = '\0';
	l->v[l->n].name = name;
	l->v[l->n].count = count;
	l->n++;
	return 0;
oom:
	c->failed = handle_fail(c->idx, FOUILLE_ENOMEM, "out of memory");
	return 1;
}

/* Authors: most articles first, then by name. */
static int by_count(const void *a, const void *b)
{
	const fouille_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Years: newest first. */
static int by_name_desc(const void *a, const void *b)
{
	const fouille_count *x = a, *y = b;
	return strcmp(y->name, x->name);
}

static int run(collector *c, xs_reader *r, const xs_query *xq, const fouille_search_options *o)
{
	int exact = 0;
	xs_search_opts xo = {XS_SORT_RELEVANCE, 0, NULL, NULL, NULL, &exact};
	if (o->sort == FOUILLE_SORT_DATE_DESC)
		xo.sort = XS_SORT_DATE_DESC;
	else if (o->sort == FOUILLE_SORT_DATE_ASC)
		xo.sort = XS_SORT_DATE_ASC;
	xo.collapse = !(o->flags & FOUILLE_SEARCH_NO_COLLAPSE);
	if (o->flags & FOUILLE_SEARCH_FACETS) {
		facets_clear(c->res);
		xo.facet = collect_facet;
		xo.facet_ud = c;
	}
	xo.shard_meta_key = META_ROOT; /* each hit's folder: its own shard's */
	int rc = shards_search(r, xq, o->offset, o->limit, &xo, collect, c, &c->res->total,
			       c->idx->err);
	if (rc == FOUILLE_OK && c->failed)
		rc = c->failed;
	/* A short last page tells the exact count, which Xapian only estimates when it
	   collapses (and rounds: 1000 for 1086). */
	if (rc == FOUILLE_OK && c->res->n && c->res->n < o->limit)
		c->res->total = o->offset + c->res->n;
	c->res->total_exact = exact || (c->res->n && c->res->n < o->limit);
	if (rc == FOUILLE_OK && (o->flags & FOUILLE_SEARCH_FACETS)) {
		facet_list *a = &c->res->facets[FOUILLE_FACET_AUTHOR], *y = &c->res->facets[FOUILLE_FACET_YEAR];
		if (a->n)
			qsort(a->v, a->n, sizeof *a->v, by_count);
		if (y->n)
			qsort(y->v, y->n, sizeof *y->v, by_name_desc);
		c->res->facets_on = 1;
	}
	return rc;
}

int fouille_search(fouille_results **out, fouille_index *idx, const char *text,
		   const fouille_search_options *opts)
{
	if (!out)
		return FOUILLE_EINVAL;
	*out = NULL;
	if (!idx)
		return FOUILLE_EINVAL;
	if (!text)
		return handle_fail(idx, FOUILLE_EINVAL, "no query given");
	handle_ok(idx);

	fouille_search_options o;
	fouille_search_options_init(&o);
	if (opts) {
		if (opts->struct_size < sizeof(size_t) || opts->struct_size > sizeof o)
			return handle_fail(idx, FOUILLE_EINVAL,
					   "fouille_search_options.struct_size is %zu; use fouille_search_options_init()",
					   opts->struct_size);
		memcpy(&o, opts, opts->struct_size);
		if (!o.limit)
			o.limit = DEFAULT_LIMIT;
		if (o.limit > MAX_LIMIT)
			o.limit = MAX_LIMIT;
		if (!o.snippet_chars)
			o.snippet_chars = DEFAULT_SNIPPET_CHARS;
		if (!o.fragments)
			o.fragments = 1;
		if (o.fragments > SNIPPET_MAX_FRAGMENTS)
			o.fragments = SNIPPET_MAX_FRAGMENTS;
		if (o.sort != FOUILLE_SORT_RELEVANCE && o.sort != FOUILLE_SORT_DATE_DESC &&
		    o.sort != FOUILLE_SORT_DATE_ASC)
			return handle_fail(idx, FOUILLE_EINVAL, "unknown sort order %d", (int)o.sort);
		if ((o.flags & FOUILLE_SEARCH_ANY) && (o.flags & FOUILLE_SEARCH_NO_RELAX))
			return handle_fail(idx, FOUILLE_EINVAL,
					   "FOUILLE_SEARCH_ANY and FOUILLE_SEARCH_NO_RELAX exclude each other");
	}

	analyzer *an = handle_analyzer(idx);
	xs_reader *r = an ? handle_reader(idx) : NULL;
	if (!r)
		return an ? FOUILLE_EIO : FOUILLE_ENOMEM;

	query *q;
	if (query_parse(&q, an, text, strlen(text)) != 0)
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	const char *qnotice = query_notice(q);
	if (query_is_empty(q)) {
		int rc = handle_fail(idx, FOUILLE_EQUERY,
				     "nothing to search for in \"%s\": only common words (le, la, de...), "
				     "punctuation or excluded words%s%s",
				     text, qnotice ? "; " : "", qnotice ? qnotice : "");
		query_free(q);
		return rc;
	}

	fouille_results *res = calloc(1, sizeof *res);
	if (!res) {
		query_free(q);
		return handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	}
	xs_reader_pin(r);
	collector c = {.idx = idx, .res = res, .an = an, .budget = o.snippet_chars,
		       .fragments = o.fragments};
	c.terms = query_terms(q, &c.nterms);
	c.phrases = query_phrases(q, &c.nphrases);
	c.reader = r;
	for (size_t i = 0; i < c.nterms; i++)
		if (c.terms[i].word + 1 > c.nwords)
			c.nwords = c.terms[i].word + 1;
	/* without it, snippets only scan more */
	c.absent = c.nwords ? malloc(c.nwords) : NULL;

	int rc = FOUILLE_OK;
	int any = (o.flags & FOUILLE_SEARCH_ANY) != 0;
	xs_query *xq = query_build(q, any);
	if (!xq)
		rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	else
		rc = run(&c, r, xq, &o);
	xs_query_free(xq);

	/* Nothing has every word: show what has any of them, and say so. */
	if (rc == FOUILLE_OK && res->total == 0 && res->n == 0 && !any &&
	    !(o.flags & FOUILLE_SEARCH_NO_RELAX) && query_positive_count(q) > 1) {
		xq = query_build(q, 1);
		if (!xq) {
			rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
		} else {
			rc = run(&c, r, xq, &o);
			res->relaxed = 1;
		}
		xs_query_free(xq);
	}
	if (rc == FOUILLE_OK && qnotice && !(res->notice = strdup(qnotice)))
		rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	/* Did you mean: words that match nothing or very little, spelled as the index
	   writes them. */
	if (rc == FOUILLE_OK && !(o.flags & FOUILLE_SEARCH_NO_SUGGEST) &&
	    suggest_query(&res->suggestion, an, r, text, c.terms, c.nterms, any || res->relaxed) != 0)
		rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	/* shards left out (FOUILLE_OPEN_ALLOW_PARTIAL) */
	char *snotice = NULL;
	if (rc == FOUILLE_OK && shards_notice(r, &snotice) != 0)
		rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
	if (snotice) {
		size_t n = (res->notice ? strlen(res->notice) + 2 : 0) + strlen(snotice) + 1;
		char *both = malloc(n);
		if (both)
			snprintf(both, n, "%s%s%s", res->notice ? res->notice : "", res->notice ? "; " : "",
				 snotice);
		else
			rc = handle_fail(idx, FOUILLE_ENOMEM, "out of memory");
		free(res->notice);
		res->notice = both;
		free(snotice);
	}
	xs_reader_unpin(r);
	free(c.absent);
	query_free(q);
	if (rc != FOUILLE_OK) {
		fouille_results_free(res);
		return rc;
	}
	*out = res;
	return FOUILLE_OK;
}

void fouille_results_free(fouille_results *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n; i++) {
		docrecord_clear(&res->hits[i].rec);
		snippet_clear(&res->hits[i].snip);
		free(res->hits[i].root);
	}
	free(res->hits);
	free(res->notice);
	free(res->suggestion);
	facets_clear(res);
	free(res);
}

size_t fouille_results_count(const fouille_results *res)
{
	return res ? res->n : 0;
}

uint64_t fouille_results_total(const fouille_results *res)
{
	return res ? res->total : 0;
}

int fouille_results_total_exact(const fouille_results *res)
{
	return res ? res->total_exact : 0;
}

int fouille_results_relaxed(const fouille_results *res)
{
	return res ? res->relaxed : 0;
}

const char *fouille_results_notice(const fouille_results *res)
{
	return res ? res->notice : NULL;
}

const char *fouille_results_suggestion(const fouille_results *res)
{
	return res ? res->suggestion : NULL;
}

const fouille_count *fouille_results_facets(const fouille_results *res, fouille_facet facet,
					    size_t *n)
{
	if (n)
		*n = 0;
	if (!res || !res->facets_on || (facet != FOUILLE_FACET_AUTHOR && facet != FOUILLE_FACET_YEAR))
		return NULL;
	if (n)
		*n = res->facets[facet].n;
	/* a valid pointer even when nothing was counted, so that NULL means "no facets" */
	static const fouille_count none[1];
	return res->facets[facet].n ? res->facets[facet].v : none;
}

const fouille_hit *fouille_results_hit(const fouille_results *res, size_t i)
{
	return res && i < res->n ? &res->hits[i] : NULL;
}

size_t fouille_hit_rank(const fouille_hit *hit)
{
	return hit ? hit->rank : 0;
}

const char *fouille_hit_path(const fouille_hit *hit)
{
	return hit ? hit->rec.path : NULL;
}

const char *fouille_hit_root(const fouille_hit *hit)
{
	return hit ? hit->root : NULL;
}

const char *fouille_hit_record(const fouille_hit *hit)
{
	return hit ? hit->rec.record : NULL;
}

const char *fouille_hit_format(const fouille_hit *hit)
{
	return hit ? (hit->rec.format ? hit->rec.format : "text") : NULL;
}

const char *fouille_hit_url(const fouille_hit *hit)
{
	return hit && hit->rec.url && *hit->rec.url ? hit->rec.url : NULL;
}

const char *fouille_hit_title(const fouille_hit *hit)
{
	return hit ? hit->rec.title : NULL;
}

const char *fouille_hit_author(const fouille_hit *hit)
{
	return hit && hit->rec.author && *hit->rec.author ? hit->rec.author : NULL;
}

const char *fouille_hit_date(const fouille_hit *hit)
{
	return hit && hit->rec.date && *hit->rec.date ? hit->rec.date : NULL;
}

uint64_t fouille_hit_similar(const fouille_hit *hit)
{
	return hit ? hit->similar : 0;
}

double fouille_hit_score(const fouille_hit *hit)
{
	return hit ? hit->score : 0.0;
}

const char *fouille_hit_snippet(const fouille_hit *hit)
{
	return hit ? (hit->snip.text ? hit->snip.text : "") : NULL;
}

size_t fouille_hit_highlight_count(const fouille_hit *hit)
{
	return hit ? hit->snip.nspans : 0;
}

int fouille_hit_highlight(const fouille_hit *hit, size_t i, size_t *start, size_t *end)
{
	if (!hit || i >= hit->snip.nspans)
		return FOUILLE_EINVAL;
	if (start)
		*start = hit->snip.spans[i].start;
	if (end)
		*end = hit->snip.spans[i].end;
	return FOUILLE_OK;
}
