/*
 * fouille-index: build or update the index of a folder of articles.
 * Uses only the public API (fouille.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fouille.h"

static const char USAGE[] =
	"usage: fouille-index [options] FOLDER\n"
	"\n"
	"Index the French articles of FOLDER (and its subfolders) for fouille-search.\n"
	"Running it again updates the index: new, changed, renamed and deleted files.\n"
	"\n"
	"options:\n"
	"  --index DIR      where the index lives (default: FOLDER/.fouille)\n"
	"  --max-size MB    skip files larger than this (default: 50)\n"
	"  --quiet, -q      print nothing but errors\n"
	"  --verbose, -v    list every file and what was done with it\n"
	"  --help, -h       show this help\n"
	"  --version        show the version\n"
	"\n"
	"Exit status: 0 when every file was indexed or deliberately skipped, 1 when some\n"
	"file could not be indexed (each is named), 2 when the index could not be updated.\n";

typedef struct cli {
	int quiet, verbose;
	size_t failures_shown;
} cli;

static const char *status_word(fouille_file_status s)
{
	switch (s) {
	case FOUILLE_FILE_ADDED: return "added";
	case FOUILLE_FILE_UPDATED: return "updated";
	case FOUILLE_FILE_RENAMED: return "renamed";
	case FOUILLE_FILE_UNCHANGED: return "unchanged";
	case FOUILLE_FILE_REMOVED: return "removed";
	case FOUILLE_FILE_SKIPPED: return "skipped";
	case FOUILLE_FILE_FAILED: return "failed";
	}
	return "?";
}

static int on_progress(const fouille_progress *p, void *ud)
{
	cli *c = ud;
	if (!p->path)
		return 0;
	if (p->status == FOUILLE_FILE_FAILED) {
		/* always said, even with --quiet: the exit status points at these lines */
		fprintf(stderr, "fouille-index: %s: %s\n", p->path, p->reason ? p->reason : "failed");
		c->failures_shown++;
	} else if (p->status == FOUILLE_FILE_SKIPPED && p->reason && !c->quiet &&
		   (c->verbose || strncmp(p->reason, "not a plain-text", 16) != 0)) {
		fprintf(stderr, "fouille-index: skipped %s: %s\n", p->path, p->reason);
	} else if (c->verbose) {
		printf("%-9s %s\n", status_word(p->status), p->path);
	}
	return 0;
}

static char *default_index_dir(const char *folder)
{
	size_t n = strlen(folder);
	while (n > 1 && folder[n - 1] == '/')
		n--;
	char *p = malloc(n + sizeof "/.fouille");
	if (p) {
		memcpy(p, folder, n);
		memcpy(p + n, "/.fouille", sizeof "/.fouille");
	}
	return p;
}

int main(int argc, char **argv)
{
	cli c = {0};
	const char *index_dir = NULL, *folder = NULL;
	double max_mb = 50;
	int only_args = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_args && strcmp(a, "--") == 0) {
			only_args = 1;
		} else if (!only_args && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			fputs(USAGE, stdout);
			return 0;
		} else if (!only_args && strcmp(a, "--version") == 0) {
			printf("fouille-index %s\n", fouille_version());
			return 0;
		} else if (!only_args && (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)) {
			c.quiet = 1;
		} else if (!only_args && (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)) {
			c.verbose = 1;
		} else if (!only_args && strcmp(a, "--index") == 0) {
			if (++i >= argc) {
				fprintf(stderr, "fouille-index: --index needs a directory\n");
				return 2;
			}
			index_dir = argv[i];
		} else if (!only_args && strcmp(a, "--max-size") == 0) {
			char *end;
			if (++i >= argc || (errno = 0, max_mb = strtod(argv[i], &end), errno) ||
			    *end || max_mb <= 0) {
				fprintf(stderr, "fouille-index: --max-size needs a size in MB, e.g. --max-size 20\n");
				return 2;
			}
		} else if (!only_args && a[0] == '-' && a[1]) {
			fprintf(stderr, "fouille-index: unknown option %s (see fouille-index --help)\n", a);
			return 2;
		} else if (!folder) {
			folder = a;
		} else {
			fprintf(stderr, "fouille-index: one folder at a time (got %s and %s)\n", folder, a);
			return 2;
		}
	}
	if (!folder) {
		fputs(USAGE, stderr);
		return 2;
	}
	if (access(folder, F_OK) != 0) {
		fprintf(stderr, "fouille-index: cannot open folder %s: %s\n", folder, strerror(errno));
		return 2;
	}

	char *owned_dir = NULL;
	if (!index_dir && !(index_dir = owned_dir = default_index_dir(folder))) {
		fprintf(stderr, "fouille-index: out of memory\n");
		return 2;
	}
	fouille_index *idx;
	int rc = fouille_index_open(&idx, index_dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	if (rc != FOUILLE_OK) {
		fprintf(stderr, "fouille-index: %s\n", fouille_last_open_error());
		free(owned_dir);
		return 2;
	}

	fouille_update_options opts;
	fouille_update_options_init(&opts);
	opts.max_file_size = (uint64_t)(max_mb * 1e6);
	opts.progress = on_progress;
	opts.progress_userdata = &c;
	fouille_update_summary s;
	rc = fouille_index_update(idx, folder, &opts, &s);
	if (rc != FOUILLE_OK) {
		fprintf(stderr, "fouille-index: %s\n", fouille_errmsg(idx));
		fouille_index_close(idx);
		free(owned_dir);
		return 2;
	}
	if (!c.quiet) {
		size_t skipped = s.skipped_format + s.skipped_other;
		printf("Indexed %s into %s in %.2f s\n", folder, index_dir, s.elapsed_seconds);
		printf("  %zu added, %zu updated, %zu renamed, %zu removed, %zu unchanged\n", s.added,
		       s.updated, s.renamed, s.removed, s.unchanged);
		printf("  %zu skipped (%zu of other formats, %zu hidden, empty or too large), %zu failed\n",
		       skipped, s.skipped_format, s.skipped_other, s.failed);
		printf("  %llu articles in the index\n",
		       (unsigned long long)fouille_index_article_count(idx));
	}
	fouille_index_close(idx);
	free(owned_dir);
	if (s.failed) {
		fprintf(stderr, "fouille-index: %zu file%s could not be indexed (listed above)\n",
			s.failed, s.failed == 1 ? "" : "s");
		return 1;
	}
	return 0;
}
