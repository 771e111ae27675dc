/*
 * fouille.h — full-text search for folders of French articles.
 *
 * libfouille builds an index over a folder of articles (titles and bodies analysed
 * with a French chain: elision, accents, ligatures, Snowball stemming) and searches it
 * with BM25 ranking and highlighted snippets. This header is the whole public API:
 * the fouille-index and fouille-search programs use nothing else.
 *
 * Conventions, as in sqlite3.h and libgit2:
 *  - Handles are opaque. Functions that create one take `T **out` first; on failure
 *    `*out` is set to NULL.
 *  - Functions return 0 (FOUILLE_OK) or a negative FOUILLE_E* code. The message of the
 *    last error is kept on the index handle: fouille_errmsg().
 *  - Every _free/_close function accepts NULL.
 *  - What comes back through `**out` belongs to the caller. `const char *` getters are
 *    borrowed: valid until the object they came from is freed.
 *  - Strings are UTF-8 and NUL-terminated. Byte offsets count bytes, not characters.
 *  - A handle is used by one thread at a time; separate handles may be used from
 *    separate threads concurrently. One writer per index at a time.
 */
#ifndef FOUILLE_H
#define FOUILLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(FOUILLE_BUILDING) && defined(__GNUC__)
#define FOUILLE_API __attribute__((visibility("default")))
#else
#define FOUILLE_API
#endif

#define FOUILLE_VERSION_MAJOR 0
#define FOUILLE_VERSION_MINOR 1
#define FOUILLE_VERSION_PATCH 0
#define FOUILLE_VERSION_STRING "0.1.0"

/* Return codes. Every function that can fail returns one of these. */
enum {
	FOUILLE_OK = 0,
	FOUILLE_ERROR = -1,     /* something went wrong; see fouille_errmsg() */
	FOUILLE_ENOMEM = -2,    /* out of memory */
	FOUILLE_ENOTFOUND = -3, /* no index (or folder) at the given path */
	FOUILLE_ELOCKED = -4,   /* another process is writing to this index */
	FOUILLE_EINVAL = -5,    /* an argument is invalid (NULL handle, bad option) */
	FOUILLE_EIO = -6,       /* reading or writing the index or a file failed */
	FOUILLE_EQUERY = -7,    /* the query has no searchable word */
	FOUILLE_EVERSION = -8,  /* the index was built by an incompatible version */
	FOUILLE_ECANCELLED = -9 /* the progress callback asked to stop */
};

/*
 * Return the library's version as "MAJOR.MINOR.PATCH", e.g. "0.1.0". The string is
 * static. Compare with FOUILLE_VERSION_STRING to detect a header/library mismatch.
 */
FOUILLE_API const char *fouille_version(void);

/*
 * Return a short static English description of a FOUILLE_E* code, e.g. "index is
 * locked" for FOUILLE_ELOCKED. Unknown codes give "unknown error".
 */
FOUILLE_API const char *fouille_strerror(int code);

/* ------------------------------------------------------------------------------------
 * Opening an index
 * ---------------------------------------------------------------------------------- */

/* An index on disk: a directory holding the Xapian database and the article catalog. */
typedef struct fouille_index fouille_index;

/* Flags for fouille_index_open(). */
#define FOUILLE_OPEN_READONLY 0x0u /* search only; the index must exist */
#define FOUILLE_OPEN_WRITE 0x1u    /* search and update; takes the writer lock */
#define FOUILLE_OPEN_CREATE 0x2u   /* with WRITE: create the index if missing */
#define FOUILLE_OPEN_WAIT 0x4u     /* with WRITE: wait for another writer to finish
                                      instead of failing with FOUILLE_ELOCKED */
#define FOUILLE_OPEN_ALLOW_PARTIAL 0x8u /* a stub file: search the shards that answer
                                           when others do not, and say so in each
                                           result's notice (fouille_results_notice()) */

/*
 * Open the index stored in directory `path` (by convention FOLDER/.fouille), or the
 * shards listed by the stub file `path`.
 *
 * out:   receives the new handle, or NULL on failure.
 * path:  the index directory, or a stub file (below).
 * flags: FOUILLE_OPEN_READONLY, or FOUILLE_OPEN_WRITE optionally with
 *        FOUILLE_OPEN_CREATE; FOUILLE_OPEN_ALLOW_PARTIAL for a stub file.
 *
 * A read-only handle reads only the Xapian database; a writable one also opens the
 * catalog and holds the index's writer lock until closed.
 *
 * An index created by the handle is written without syncing each commit to disk until
 * an update completes it (fouille_index_update() then syncs its files once): a process
 * killed meanwhile loses nothing committed, and the next writer goes on with the index.
 * Should the machine itself stop before then, the next FOUILLE_OPEN_CREATE removes the
 * index (its next update builds it again and says why); without FOUILLE_OPEN_CREATE
 * the open fails with FOUILLE_EIO, asking for that.
 *
 * A stub file (a Xapian stub database: a text file, see fouille_stub_write()) lists
 * shards, searched as one index: lines `auto PATH` (an index directory FOLDER/.fouille,
 * its xapian/ database, or a folder holding .fouille; relative to the stub's directory)
 * and `remote HOST:PORT` (an index served by `xapian-tcpsrv`). Ranking, facets, sorting
 * and snippets are those of one index holding every article; an article found in two
 * shards (moved from one to the other, the first not updated since) is one hit, the
 * better ranked. It opens read-only; every
 * shard must have been built by this analyzer and schema. A shard that cannot be opened
 * or does not answer is an error naming it (FOUILLE_EIO for a remote one,
 * FOUILLE_ENOTFOUND for a missing path), at open or during a search; with
 * FOUILLE_OPEN_ALLOW_PARTIAL it is left out and each result's notice names it.
 *
 * Returns FOUILLE_OK; FOUILLE_ENOTFOUND when there is no index at `path` (and CREATE
 * was not given); FOUILLE_ELOCKED when another writer holds the index (the message
 * names its process; FOUILLE_OPEN_WAIT waits for it instead);
 * FOUILLE_EVERSION when the index was built by an incompatible analyzer or schema;
 * FOUILLE_EINVAL for a stub file opened for writing or one that cannot be read as a
 * list of shards; FOUILLE_EIO or FOUILLE_ERROR otherwise. On failure, when `*out` could
 * not be created, the message is available from fouille_last_open_error() in the same
 * thread.
 */
FOUILLE_API int fouille_index_open(fouille_index **out, const char *path, unsigned flags);

/* Options of fouille_index_open_with(). Initialise with fouille_open_options_init(). */
typedef struct fouille_open_options {
	size_t struct_size;  /* sizeof(fouille_open_options), set by _init */
	unsigned timeout_ms; /* remote shards: the longest wait, in milliseconds, to connect
	                        and then for each answer; 0 = 10 000 (10 s) */
	/*
	 * With FOUILLE_OPEN_CREATE, when there is no index yet: the number of databases
	 * (shards) it is written in, each by a thread of its own during an update, and
	 * searched as one (0 or 1, the default: one database, written by the calling thread;
	 * at most 64; fouille-index asks for one per core). More shards index faster on more
	 * cores; a search reads each. An existing index keeps the number it was created
	 * with.
	 */
	unsigned shards;
} fouille_open_options;

/* Fill `opts` with the defaults. */
FOUILLE_API void fouille_open_options_init(fouille_open_options *opts);

/*
 * fouille_index_open() with options (NULL: the defaults, as fouille_index_open()).
 * Returns what fouille_index_open() returns, or FOUILLE_EINVAL for a bad struct_size.
 */
FOUILLE_API int fouille_index_open_with(fouille_index **out, const char *path, unsigned flags,
					const fouille_open_options *opts);

/*
 * Write the stub file `path` listing `n` shards, for fouille_index_open() and
 * `fouille-search --index`. Each of `shards` is an index directory (FOLDER/.fouille), a
 * folder holding one (FOLDER), or "remote:HOST:PORT" for an index served by
 * `xapian-tcpsrv --port PORT INDEX/xapian` on HOST. Local indexes must exist and are
 * written as absolute paths; remote ones are not contacted. The file is a Xapian stub
 * database (Xapian's own tools, e.g. `quest -d`, read it too), written whole or not at
 * all.
 *
 * Returns FOUILLE_OK; FOUILLE_ENOTFOUND when a local shard holds no index;
 * FOUILLE_EINVAL for a malformed remote or no shard; FOUILLE_EIO when the file cannot be
 * written; FOUILLE_ENOMEM. The message is available from fouille_last_open_error().
 */
FOUILLE_API int fouille_stub_write(const char *path, const char *const *shards, size_t n);

/*
 * The message of the last failed fouille_index_open() (or fouille_index_open_with(),
 * fouille_stub_write()) in the calling thread, for the case where no handle exists to
 * carry it. Never NULL; "" when there was no failure.
 */
FOUILLE_API const char *fouille_last_open_error(void);

/*
 * Close an index handle, releasing the writer lock if held. Accepts NULL. Results
 * obtained from the handle must be freed before it is closed.
 */
FOUILLE_API void fouille_index_close(fouille_index *idx);

/*
 * The message describing the last error on `idx`, in English. Never NULL: "" when the
 * last call succeeded, "no index handle" for NULL. Borrowed until the next call on
 * `idx`.
 */
FOUILLE_API const char *fouille_errmsg(const fouille_index *idx);

/*
 * Find the index a search should use, the way git finds .git: `explicit_path` when not
 * NULL, else the FOUILLE_INDEX environment variable when set and not empty, else the
 * nearest `.fouille` directory found walking up from the current directory.
 *
 * out: receives a newly allocated path (free it with free()), or NULL when none was
 *      found.
 *
 * Returns FOUILLE_OK, FOUILLE_ENOTFOUND when no index was found, FOUILLE_ENOMEM.
 */
FOUILLE_API int fouille_index_locate(char **out, const char *explicit_path);

/* ------------------------------------------------------------------------------------
 * Indexing a folder
 * ---------------------------------------------------------------------------------- */

/* What happened to one file during an update; reported to the progress callback. */
typedef enum fouille_file_status {
	FOUILLE_FILE_ADDED,     /* new article, analysed and indexed */
	FOUILLE_FILE_UPDATED,   /* content changed, re-indexed */
	FOUILLE_FILE_RENAMED,   /* same content under a new path, moved without analysis */
	FOUILLE_FILE_UNCHANGED, /* size and mtime (or content hash) unchanged, not re-read */
	FOUILLE_FILE_REMOVED,   /* gone from the folder, removed from the index */
	FOUILLE_FILE_SKIPPED,   /* deliberately not indexed (other format, hidden...) */
	FOUILLE_FILE_FAILED     /* could not be indexed: bad encoding, binary, unreadable... */
} fouille_file_status;

/* One progress event, passed to a fouille_progress_fn. */
typedef struct fouille_progress {
	const char *path;           /* the file, relative to the folder; NULL for phase events */
	fouille_file_status status; /* what was done with `path` */
	const char *reason;         /* why it was skipped or failed; for a phase event, why
	                               the phase runs when it is not one of every update;
	                               NULL otherwise */
	const char *phase;          /* "scanning", "indexing", "removing", "committing";
	                               "recounting" (the spelling data, left incomplete by
	                               an update that stopped early) */
	size_t files_done;          /* files handled so far */
	size_t files_total;         /* files found by the scan (0 while scanning) */
	uint64_t bytes_done;        /* bytes read so far */
	uint64_t bytes_total;       /* bytes of the files found by the scan */
} fouille_progress;

/*
 * Called for each file handled and at each phase change. Return 0 to go on, non-zero to
 * cancel the update: what was committed before stays, the rest is rolled back.
 */
typedef int (*fouille_progress_fn)(const fouille_progress *p, void *userdata);

/* Counters of one update, filled by fouille_index_update(). */
typedef struct fouille_update_summary {
	size_t added, updated, renamed, removed, unchanged;
	size_t skipped_format; /* files of a format fouille does not read */
	size_t skipped_other;  /* hidden, excluded, empty, textless or too large files */
	size_t failed;         /* files (or JSON records) that could not be indexed, each
	                          reported through the progress callback */
	double elapsed_seconds;
} fouille_update_summary;

/* Options of fouille_index_update(). Initialise with fouille_update_options_init(). */
typedef struct fouille_update_options {
	size_t struct_size;           /* sizeof(fouille_update_options), set by _init */
	uint64_t max_file_size;       /* larger files are skipped with a message; 0 = 50 MB */
	fouille_progress_fn progress; /* may be NULL */
	void *progress_userdata;
	/*
	 * Glob patterns (fnmatch) of files and folders to leave out. A pattern without
	 * '/' is matched against each name ("*.bak", "brouillons"); one with '/' against
	 * the path relative to the folder ("archives/2019", "drafts/old-?.md").
	 */
	const char *const *exclude;
	size_t nexclude;
	/*
	 * Commit after this many articles (0: automatically, when what the index holds in
	 * memory since the last commit reaches about 16 MB, or a fiftieth of what the
	 * update committed before, up to 64 MB). Each commit makes what was
	 * indexed so far searchable and safe from a crash, at some cost in speed. While
	 * an index is built from nothing, its commits are kept from a killed process, not
	 * synced to disk: its databases' files are synced once at the end of the update (the
	 * catalog, as in every update, is synced at SQLite's checkpoints), and an
	 * update after the machine itself stopped mid-build builds the index again.
	 */
	size_t commit_every;
	/*
	 * Threads reading and analysing articles while the calling thread writes the index
	 * (0 or 1, the default: everything in the calling thread; at most 64 are used).
	 * The index is the same whatever the number.
	 */
	unsigned jobs;
} fouille_update_options;

/* Fill `opts` with the defaults. */
FOUILLE_API void fouille_update_options_init(fouille_update_options *opts);

/*
 * Bring the index in line with `folder`: add new articles, re-index changed ones,
 * remove deleted ones, move renamed ones. Files whose size and mtime are unchanged are
 * not read again. The walk skips hidden files and folders and the index directory.
 *
 * idx:     a handle opened with FOUILLE_OPEN_WRITE.
 * folder:  the folder of articles. Paths are stored relative to it.
 * opts:    options, or NULL for the defaults.
 * summary: receives the counters, may be NULL.
 *
 * A file that cannot be indexed (not UTF-8, binary, empty, unreadable, too large) is
 * reported through the progress callback with its reason, counted as failed, and the
 * update goes on; what the index held for it before stays.
 *
 * Returns FOUILLE_OK when the update was committed (even if some files failed: see
 * summary->failed); FOUILLE_ENOTFOUND when `folder` cannot be opened;
 * FOUILLE_ECANCELLED when the callback cancelled; FOUILLE_EIO or FOUILLE_ERROR when the
 * index could not be written (what was committed before stays).
 */
FOUILLE_API int fouille_index_update(fouille_index *idx, const char *folder,
				     const fouille_update_options *opts,
				     fouille_update_summary *summary);

/*
 * The folder the index was last updated from (absolute), or NULL for an index never
 * updated, and for a stub file of several shards (each has its own folder: see
 * fouille_hit_root()). Borrowed until `idx` is closed.
 */
FOUILLE_API const char *fouille_index_root(fouille_index *idx);

/*
 * The number of articles in the index, or 0 on error.
 */
FOUILLE_API uint64_t fouille_index_article_count(fouille_index *idx);

/* Called once for each problem fouille_index_check() finds, with a sentence saying it. */
typedef void (*fouille_check_fn)(const char *problem, void *userdata);

/*
 * Check that the index and the catalog agree: the same articles in both, each once, no
 * document without its catalog row or the other way round, readable stored records,
 * the same commit generation, the current analyzer and schema versions; and that the
 * spelling data ("did you mean") holds each word of the articles with the number of
 * articles holding it and of those writing it with a capital initial everywhere, and no
 * other word (the words of every article are counted again).
 *
 * idx:      a handle opened with FOUILLE_OPEN_WRITE (the writer lock keeps an update
 *           from changing the stores during the check).
 * fn:       called for each problem found; may be NULL.
 * problems: receives the number of problems found; may be NULL.
 *
 * Returns FOUILLE_OK when the check ran (whatever it found), FOUILLE_EINVAL for a
 * read-only handle, FOUILLE_EIO or FOUILLE_ENOMEM when it could not run.
 */
FOUILLE_API int fouille_index_check(fouille_index *idx, fouille_check_fn fn, void *userdata,
				    size_t *problems);

/* ------------------------------------------------------------------------------------
 * What an index holds
 * ---------------------------------------------------------------------------------- */

/* A name and how many articles have it (a format, a year, an author). */
typedef struct fouille_count {
	const char *name;
	uint64_t count;
} fouille_count;

/* What an index holds, from fouille_index_stats(). Strings and arrays are borrowed from
 * the stats object. */
typedef struct fouille_stats {
	uint64_t articles;      /* articles in the index */
	uint64_t terms;         /* distinct terms (words after analysis, and prefixed forms) */
	uint64_t index_bytes;   /* size of the index directory on disk */
	const char *root;       /* the folder last indexed, or NULL */
	const char *updated;    /* time of the last update, ISO 8601 UTC, or NULL */
	int analyzer_version;   /* of the analyzer that built the index; 0 when unknown */
	int schema_version;     /* of the index layout; 0 when unknown */
	const fouille_count *formats; /* articles by format ("text", "html"...), most first */
	size_t nformats;
	const fouille_count *years; /* articles by year of their date, oldest first */
	size_t nyears;
	const fouille_count *authors; /* the ten most frequent authors, most first */
	size_t nauthors;
	size_t databases; /* the Xapian databases searched as the index: its shards
	                     (fouille_open_options.shards), over every shard of a stub */
} fouille_stats;

/*
 * Describe what the index holds. Formats and authors come from the article catalog and
 * are empty when the index has none at hand (a copy of the Xapian database alone).
 *
 * out: receives the stats (free with fouille_stats_free()), or NULL on failure.
 *
 * Returns FOUILLE_OK, FOUILLE_ENOMEM, or FOUILLE_EIO when the index cannot be read.
 */
FOUILLE_API int fouille_index_stats(fouille_stats **out, fouille_index *idx);

/* Free stats from fouille_index_stats(). Accepts NULL. */
FOUILLE_API void fouille_stats_free(fouille_stats *stats);

/* ------------------------------------------------------------------------------------
 * Searching
 * ---------------------------------------------------------------------------------- */

/* The result of one search: a page of hits. */
typedef struct fouille_results fouille_results;
/* One hit of a result page. Borrowed from its fouille_results. */
typedef struct fouille_hit fouille_hit;

/* Flags of fouille_search_options.flags. */
#define FOUILLE_SEARCH_NO_RELAX 0x1u    /* every word must match, no fallback to any word */
#define FOUILLE_SEARCH_ANY 0x2u         /* any word may match (OR) from the start */
#define FOUILLE_SEARCH_NO_SUGGEST 0x4u  /* no "did you mean" suggestion */
#define FOUILLE_SEARCH_FACETS 0x8u      /* count authors and years over every match */
#define FOUILLE_SEARCH_NO_COLLAPSE 0x10u /* show near-duplicate articles one by one */

/* Order of the hits. */
typedef enum fouille_sort {
	FOUILLE_SORT_RELEVANCE = 0, /* best match first (BM25 with field weights) */
	FOUILLE_SORT_DATE_DESC = 1, /* newest first; undated articles last */
	FOUILLE_SORT_DATE_ASC = 2   /* oldest first; undated articles last */
} fouille_sort;

/* Options of fouille_search(). Initialise with fouille_search_options_init(). */
typedef struct fouille_search_options {
	size_t struct_size;    /* sizeof(fouille_search_options), set by _init */
	unsigned limit;        /* hits per page; default 10 */
	unsigned offset;       /* hits to skip; default 0 */
	unsigned snippet_chars; /* snippet budget in characters, per fragment; default 200 */
	unsigned flags;        /* FOUILLE_SEARCH_* */
	fouille_sort sort;     /* default FOUILLE_SORT_RELEVANCE */
	unsigned fragments;    /* passages per snippet, joined with " … "; default 1 */
} fouille_search_options;

/* Fill `opts` with the defaults. */
FOUILLE_API void fouille_search_options_init(fouille_search_options *opts);

/*
 * Search the index.
 *
 * out:   receives the results (free with fouille_results_free()), or NULL on failure.
 * idx:   an open index.
 * query: what the person typed, e.g. `réfugiés "l'armée russe" -grève`. Words must all
 *        match; quoted text is a phrase; a leading `-` excludes a word or phrase. When
 *        no article has every word, articles with any word are returned instead and
 *        fouille_results_relaxed() says so. Never a syntax error: stray quotes and
 *        punctuation are read as a person meant them.
 * opts:  options, or NULL for the defaults.
 *
 * Returns FOUILLE_OK (possibly with zero hits); FOUILLE_EQUERY when the query has no
 * searchable word (only stopwords or punctuation), with a message saying so;
 * FOUILLE_EIO or FOUILLE_ERROR when the index cannot be read.
 */
FOUILLE_API int fouille_search(fouille_results **out, fouille_index *idx, const char *query,
			       const fouille_search_options *opts);

/* Free search results. Accepts NULL. */
FOUILLE_API void fouille_results_free(fouille_results *res);

/* The number of hits in this page (at most opts->limit). */
FOUILLE_API size_t fouille_results_count(const fouille_results *res);

/*
 * The number of matching articles in the whole index (near-duplicates folded into
 * their hit unless FOUILLE_SEARCH_NO_COLLAPSE). Exact when fewer than 100 articles
 * match, on the last page, with FOUILLE_SEARCH_FACETS, and whenever the index alone
 * tells it (one word, with FOUILLE_SEARCH_NO_COLLAPSE or in an index that never held
 * near-duplicates: the number of articles holding it); otherwise an estimate between
 * the bounds Xapian could set, as fouille_results_total_exact() says, and never under
 * 100 when 100 or more were counted.
 */
FOUILLE_API uint64_t fouille_results_total(const fouille_results *res);

/* 1 when fouille_results_total() is an exact count, 0 when it is an estimate. */
FOUILLE_API int fouille_results_total_exact(const fouille_results *res);

/* 1 when no article had every word and the hits match any word instead, else 0. */
FOUILLE_API int fouille_results_relaxed(const fouille_results *res);

/*
 * A note for the person searching, or NULL: e.g. which query words were ignored as
 * stopwords, or (FOUILLE_OPEN_ALLOW_PARTIAL) which shards did not answer and so are
 * missing from the results. Borrowed until `res` is freed.
 */
FOUILLE_API const char *fouille_results_notice(const fouille_results *res);

/*
 * "Did you mean": the query with its words that matched nothing or very little replaced
 * by close words of the index's own vocabulary, accents restored ("evenement" ->
 * "événement") and, for a name typed in lowercase, its capital ("poutin" -> "Poutine":
 * more than half of the articles holding the word write it with a capital initial
 * everywhere); a word typed with a capital initial or in capitals keeps it ("Poutinne"
 * -> "Poutine", "POUTINNE" -> "POUTINE"). NULL when there is nothing to suggest (or
 * FOUILLE_SEARCH_NO_SUGGEST).
 * Borrowed until `res` is freed.
 */
FOUILLE_API const char *fouille_results_suggestion(const fouille_results *res);

/* Facets of fouille_results_facets(). */
typedef enum fouille_facet { FOUILLE_FACET_AUTHOR, FOUILLE_FACET_YEAR } fouille_facet;

/*
 * With FOUILLE_SEARCH_FACETS: the number of matching articles (the whole result set,
 * not the page) by author (most first) or by year (newest first). *n receives the
 * number of entries; NULL (and *n = 0) without facets. Borrowed until `res` is freed.
 */
FOUILLE_API const fouille_count *fouille_results_facets(const fouille_results *res,
							 fouille_facet facet, size_t *n);

/* Hit `i` of the page, 0-based, or NULL when `i` is out of range. */
FOUILLE_API const fouille_hit *fouille_results_hit(const fouille_results *res, size_t i);

/* The hit's rank in the whole result list, 1-based (offset + position + 1). */
FOUILLE_API size_t fouille_hit_rank(const fouille_hit *hit);

/*
 * The article's path, relative to the folder its index was built from
 * (fouille_hit_root()).
 */
FOUILLE_API const char *fouille_hit_path(const fouille_hit *hit);

/*
 * The folder (absolute) the index holding the article was built from, or NULL when
 * unknown: fouille_index_root() for one index, the folder of the hit's own shard for a
 * stub file of several (for a remote shard, a folder of the machine serving it). The
 * article's file is fouille_hit_root() + "/" + fouille_hit_path().
 */
FOUILLE_API const char *fouille_hit_root(const fouille_hit *hit);

/*
 * Which article of its file the hit is: "" for a file holding one article, else the
 * record of a JSON file, "id=<its id>" or "n=<its line or position>".
 */
FOUILLE_API const char *fouille_hit_record(const fouille_hit *hit);

/* The article's format: "text", "markdown", "html", "json" or "jsonl". */
FOUILLE_API const char *fouille_hit_format(const fouille_hit *hit);

/* The article's address (url) when its file gives one, else NULL. */
FOUILLE_API const char *fouille_hit_url(const fouille_hit *hit);

/*
 * How many near-duplicates of this article (the same story republished) that match the
 * query were folded into this hit; 0 with FOUILLE_SEARCH_NO_COLLAPSE. Counted for an
 * index searched alone without FOUILLE_SEARCH_FACETS (up to a few hundred); over
 * several shards or with facets, at least that many (what Xapian saw).
 */
FOUILLE_API uint64_t fouille_hit_similar(const fouille_hit *hit);

/* The article's title; "" when it has none. */
FOUILLE_API const char *fouille_hit_title(const fouille_hit *hit);

/* The article's author, or NULL when unknown. */
FOUILLE_API const char *fouille_hit_author(const fouille_hit *hit);

/* The article's date as "YYYY-MM-DD", or NULL when unknown. */
FOUILLE_API const char *fouille_hit_date(const fouille_hit *hit);

/* The BM25 score (higher is better); only comparable within one search. */
FOUILLE_API double fouille_hit_score(const fouille_hit *hit);

/*
 * The snippet: the passage of the article that best covers the query, at most
 * opts->snippet_chars characters plus ellipses ("…") where the text was cut. Plain
 * UTF-8 text without markup.
 */
FOUILLE_API const char *fouille_hit_snippet(const fouille_hit *hit);

/* The number of highlighted spans in the snippet. */
FOUILLE_API size_t fouille_hit_highlight_count(const fouille_hit *hit);

/*
 * Highlighted span `i` of the snippet as byte offsets [*start, *end) into
 * fouille_hit_snippet(). Spans are sorted and do not overlap.
 *
 * Returns FOUILLE_OK, or FOUILLE_EINVAL when `i` is out of range.
 */
FOUILLE_API int fouille_hit_highlight(const fouille_hit *hit, size_t i, size_t *start,
				      size_t *end);

#ifdef __cplusplus
}
#endif

#endif /* FOUILLE_H */
