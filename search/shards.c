/*
 * Searching several shards as one index (see shards.h): one hit per article when an
 * article is in two shards, and the notice of the shards left out.
 */
#include "shards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../indexer/docrecord.h"
#include "fouille.h"

/* What identifies an article across shards: its content, file name and record. */
typedef struct key {
	uint64_t hash;
	size_t shard;
	char *name;
	char *record;
} key;

/* A match of the page, copied: it is handed on only once the page is known. */
typedef struct held {
	xs_match m;
	char *data;
	char *meta;
} held;

typedef struct held_facet {
	unsigned slot;
	char *value;
	size_t len;
	uint64_t count;
} held_facet;

typedef struct dedupe {
	size_t offset, limit;
	key *keys;
	size_t nkeys, capkeys;
	held *page;
	size_t npage;
	held_facet *facets;
	size_t nfacets, capfacets;
	size_t seen; /* matches received */
	size_t kept; /* of which not duplicates */
	size_t dups;
	int oom;
} dedupe;

static void dedupe_reset(dedupe *d)
{
	for (size_t i = 0; i < d->nkeys; i++) {
		free(d->keys[i].name);
		free(d->keys[i].record);
	}
	for (size_t i = 0; i < d->npage; i++) {
		free(d->page[i].data);
		free(d->page[i].meta);
	}
	for (size_t i = 0; i < d->nfacets; i++)
		free(d->facets[i].value);
	free(d->keys);
	free(d->page);
	free(d->facets);
	size_t offset = d->offset, limit = d->limit;
	memset(d, 0, sizeof *d);
	d->offset = offset;
	d->limit = limit;
}

static char *dup_bytes(const void *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		if (n)
			memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

static int on_facet(unsigned slot, const char *value, size_t len, uint64_t count, void *ud)
{
	dedupe *d = ud;
	if (d->nfacets == d->capfacets) {
		size_t cap = d->capfacets ? d->capfacets * 2 : 64;
		held_facet *v = realloc(d->facets, cap * sizeof *v);
		if (!v) {
			d->oom = 1;
			return 1;
		}
		d->facets = v;
		d->capfacets = cap;
	}
	held_facet *f = &d->facets[d->nfacets];
	if (!(f->value = dup_bytes(value, len))) {
		d->oom = 1;
		return 1;
	}
	f->slot = slot;
	f->len = len;
	f->count = count;
	d->nfacets++;
	return 0;
}

/* 1 when an article with this key was kept from another shard; else remembers it. */
static int seen_elsewhere(dedupe *d, const docrecord *rec, size_t shard)
{
	const char *slash = strrchr(rec->path, '/');
	const char *name = slash ? slash + 1 : rec->path;
	for (size_t i = 0; i < d->nkeys; i++) {
		const key *k = &d->keys[i];
		if (k->hash == rec->hash && k->shard != shard && strcmp(k->name, name) == 0 &&
		    strcmp(k->record, rec->record) == 0)
			return 1;
	}
	if (d->nkeys == d->capkeys) {
		size_t cap = d->capkeys ? d->capkeys * 2 : 64;
		key *v = realloc(d->keys, cap * sizeof *v);
		if (!v)
			goto oom;
		d->keys = v;
		d->capkeys = cap;
	}
	key *k = &d->keys[d->nkeys];
	k->hash = rec->hash;
	k->shard = shard;
	k->name = strdup(name);
	k->record = strdup(rec->record);
	if (!k->name || !k->record) {
		free(k->name);
		free(k->record);
		goto oom;
	}
	d->nkeys++;
	return 0;
oom:
	d->oom = 1;
	return 0;
}

static int on_match(const xs_match *m, void *ud)
{
	dedupe *d = ud;
	d->seen++;
	docrecord rec;
	int rc = docrecord_decode(&rec, m->data, m->len);
	if (rc == -1) {
		d->oom = 1;
		return 1;
	}
	/* a document not in fouille's format goes through: the caller reports it */
	int dup = rc == 0 && seen_elsewhere(d, &rec, m->shard);
	if (rc == 0)
		docrecord_clear(&rec);
	if (d->oom)
		return 1;
	if (dup) {
		d->dups++;
		return 0;
	}
	size_t at = d->kept++;
	if (at < d->offset || at - d->offset >= d->limit)
		return 0;
	held *h = &d->page[d->npage];
	h->m = *m;
	h->m.rank = at;
	h->data = dup_bytes(m->data, m->len);
	h->meta = m->shard_meta ? strdup(m->shard_meta) : NULL;
	if (!h->data || (m->shard_meta && !h->meta)) {
		free(h->data);
		free(h->meta);
		d->oom = 1;
		return 1;
	}
	h->m.data = h->data;
	h->m.shard_meta = h->meta;
	d->npage++;
	return 0;
}

int shards_search(xs_reader *r, const xs_query *q, size_t offset, size_t limit,
		  const xs_search_opts *opts, xs_match_fn fn, void *ud, uint64_t *estimated,
		  char *err)
{
	if (xs_reader_shard_count(r) < 2)
		return xs_reader_search(r, q, offset, limit, opts, fn, ud, estimated, err);
	const xs_search_opts defaults = {XS_SORT_RELEVANCE, 0, NULL, NULL, NULL, NULL};
	xs_search_opts o = opts ? *opts : defaults;
	dedupe d = {.offset = offset, .limit = limit};
	o.facet = opts && opts->facet ? on_facet : NULL;
	o.facet_ud = &d;
	/* the page and what precedes it; more when duplicates were found (over remote
	 * shards every document read costs a round trip's share) */
	size_t fetch = offset + limit;
	int rc;
	for (;;) {
		dedupe_reset(&d);
		if (!(d.page = calloc(limit ? limit : 1, sizeof *d.page))) {
			d.oom = 1;
			rc = FOUILLE_OK;
			break;
		}
		rc = xs_reader_search(r, q, 0, fetch, &o, on_match, &d, estimated, err);
		if (rc != FOUILLE_OK || d.oom)
			break;
		if (d.kept >= offset + limit || d.seen < fetch)
			break; /* the page is full, or every match was read */
		fetch += (fetch - d.kept) * 2 + 10;
	}
	if (rc == FOUILLE_OK && d.oom) {
		snprintf(err, XS_ERRLEN, "out of memory");
		rc = FOUILLE_ENOMEM;
	}
	if (rc == FOUILLE_OK) {
		for (size_t i = 0; i < d.nfacets; i++)
			if (opts->facet(d.facets[i].slot, d.facets[i].value, d.facets[i].len,
					d.facets[i].count, opts->facet_ud))
				break;
		for (size_t i = 0; i < d.npage; i++)
			if (fn(&d.page[i].m, ud))
				break;
		if (estimated)
			*estimated = *estimated > d.dups ? *estimated - d.dups : d.kept;
		/* the duplicates beyond what was read are not known */
		if (o.exact && d.dups && d.seen >= fetch)
			*o.exact = 0;
	}
	dedupe_reset(&d);
	return rc;
}

int shards_notice(const xs_reader *r, char **out)
{
	*out = NULL;
	size_t n = xs_reader_shard_count(r), missing = 0, len = 0;
	for (size_t i = 0; i < n; i++)
		if (xs_reader_shard_problem(r, i)) {
			missing++;
			len += strlen(xs_reader_shard_label(r, i)) + strlen(xs_reader_shard_problem(r, i)) + 8;
		}
	if (!missing)
		return 0;
	char *s = malloc(len + 96);
	if (!s)
		return -1;
	int at = snprintf(s, len + 96, "%zu of %zu shards answered; these results leave out ",
			  n - missing, n);
	for (size_t i = 0, k = 0; i < n; i++) {
		const char *problem = xs_reader_shard_problem(r, i);
		if (!problem)
			continue;
		at += snprintf(s + at, len + 96 - (size_t)at, "%s%s (%s)", k++ ? ", " : "",
			       xs_reader_shard_label(r, i), problem);
	}
	*out = s;
	return 0;
}
