/*
 * Walking a folder of articles: every regular file below it, with its size and mtime,
 * sorted by path, skipping hidden entries and the index's own directory, following
 * symbolic links once (a loop is reported, not followed).
 */
#ifndef FOUILLE_WALK_H
#define FOUILLE_WALK_H

#include <stddef.h>
#include <stdint.h>

typedef struct walk_entry {
	char *rel; /* path relative to the root */
	uint64_t size;
	int64_t mtime_ns;
} walk_entry;

typedef struct walk_list {
	walk_entry *v;
	size_t n, cap;
	size_t hidden;   /* hidden files and folders left out */
	size_t excluded; /* files and folders left out by an exclude pattern */
	uint64_t bytes;  /* total size of the entries */
} walk_list;

/* Called for each problem met (unreadable folder, symlink loop, broken link). */
typedef void (*walk_problem_fn)(const char *rel, const char *reason, void *ud);

/*
 * Walk `root`, leaving out the directory `skip_dir` (the index) when it lies below, and
 * what matches one of the `nexclude` glob patterns (fnmatch: a pattern without '/' is
 * matched against each name, one with '/' against the path relative to root).
 * Returns 0, -1 when out of memory, -2 when `root` itself cannot be read (errno set).
 */
int walk_folder(const char *root, const char *skip_dir, const char *const *exclude,
		size_t nexclude, walk_list *out, walk_problem_fn problem, void *ud);
void walk_list_free(walk_list *l);

/* "a/b", malloc'ed (NULL when out of memory). */
char *walk_path_join(const char *a, const char *b);

#endif
