/*
 * Searching a stub file's shards as one index: what one Xapian search over the combined
 * shards does not do by itself.
 */
#ifndef FOUILLE_SHARDS_H
#define FOUILLE_SHARDS_H

#include <stddef.h>
#include <stdint.h>

#include "../indexer/xapian_store.h"

/*
 * xs_reader_search(), with the same arguments, for a reader of one shard or several.
 * With several, an article held by two shards (moved from one folder to another, the
 * first index not updated since: the same content, file name and record) is one hit,
 * the better ranked; pages are counted after that, so no article shows on two pages.
 * The page is then read from the start of the result list (offset + limit hits, more
 * when some were duplicates), not from the offset.
 */
int shards_search(xs_reader *r, const xs_query *q, size_t offset, size_t limit,
		  const xs_search_opts *opts, xs_match_fn fn, void *ud, uint64_t *estimated,
		  char *err);

/*
 * A sentence naming the shards left out (FOUILLE_OPEN_ALLOW_PARTIAL) and why, malloc'ed
 * into *out; *out NULL when every shard is searched. Returns 0, or -1 when out of memory.
 */
int shards_notice(const xs_reader *r, char **out);

#endif
