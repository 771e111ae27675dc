/*
 * fouille-index: build or update the index of a folder of articles.
 * Uses only the public API (fouille.h).
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fouille.h"

static const char USAGE[] =
	"usage: fouille-index [options] FOLDER\n"
	"       fouille-index --write-stub FILE SHARD...\n"
	"\n"
	"Index the French articles of FOLDER (and its subfolders) for fouille-search:\n"
	"plain text (.txt), Markdown (.md), HTML (.html, .htm), JSON (.json: an article or\n"
	"an array of them) and JSON Lines (.jsonl, .ndjson). Running it again updates the\n"
	"index: new, changed, renamed and deleted files.\n"
	"\n"
	"options:\n"
	"  --index DIR      where the index lives (default: FOLDER/.fouille)\n"
	"  --exclude GLOB   leave out files and folders matching GLOB (repeatable): a\n"
	"                   pattern without '/' matches names (*.bak, brouillons), one\n"
	"                   with '/' matches paths from FOLDER (archives/2019)\n"
	"  --max-size MB    skip files larger than this (default: 50)\n"
	"  --commit-every N commit every N articles (default: at 16 to 64 MB of memory);\n"
	"                   what is committed is searchable during the run and kept if\n"
	"                   it stops\n"
	"  --jobs N         threads reading and analysing articles while others write\n"
	"                   the index (default: one per core; 1: one thread for\n"
	"                   everything); the index is the same whatever N\n"
	"  --shards N       a new index is written in N databases, each by a thread of\n"
	"                   its own, and searched as one (default: one per core, at\n"
	"                   most 8; 1: one database); an existing index keeps its number\n"
	"  --stats          print what the index holds instead of updating it (the index\n"
	"                   of FOLDER, of --index DIR, or the nearest .fouille)\n"	"  --check          check that the index and its catalog agree instead of updating\n"
	"                   it; exit 1 when a problem is found\n"
	"  --wait           when another fouille-index is updating the index, wait for it\n"
	"                   instead of stopping\n"
	"  --write-stub FILE SHARD...  write a stub file listing shards that fouille-search\n"
	"                   --index FILE searches as one index: each SHARD is an indexed\n"
	"                   FOLDER (or its FOLDER/.fouille) or remote:HOST:PORT, an index\n"
	"                   served by xapian-tcpsrv on HOST\n"
	"  --quiet, -q      print nothing but errors\n"
	"  --verbose, -v    list every file and what was done with it\n"
	"  --help, -h       show this help\n"
	"  --version        show the version\n"
	"\n"
	"Exit status: 0 when every file was indexed or deliberately skipped, 1 when some\n"
	"file could not be indexed (each is named), 2 when the index could not be updated.\n";

/* Files skipped for their format, counted by extension for the summary. */
#define MAX_EXTS 16
typedef struct cli {
	int quiet, verbose, tty;
	struct timespec start, last_draw;
	int drawn; /* a progress line is on the screen */
	struct {
		char ext[16];
		size_t n;
	} skipped[MAX_EXTS];
	size_t nskipped_exts, skipped_more;
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

static double elapsed(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

static void clear_progress(cli *c)
{
	if (c->drawn) {
		fputs("\r\033[K", stderr);
		c->drawn = 0;
	}
}

/* The progress line on a terminal: files done / total, MB/s, ETA, phase. At most ten
 * redraws a second, so a fast run does not spend its time printing. */
static void draw_progress(cli *c, const fouille_progress *p)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (c->drawn && elapsed(&c->last_draw, &now) < 0.1)
		return;
	c->last_draw = now;
	double t = elapsed(&c->start, &now);
	double mbs = t > 0 ? (double)p->bytes_done / 1e6 / t : 0;
	fprintf(stderr, "\r\033[K%s: %zu/%zu files", p->phase ? p->phase : "", p->files_done,
		p->files_total);
	if (mbs > 0)
		fprintf(stderr, ", %.1f MB/s", mbs);
	if (p->files_total && p->files_done && p->files_done < p->files_total && t > 1) {
		double left = t * (double)(p->files_total - p->files_done) / (double)p->files_done;
		fprintf(stderr, ", %d:%02d left", (int)left / 60, (int)left % 60);
	}
	c->drawn = 1;
}

static void count_skipped(cli *c, const char *reason)
{
	const char *ext = strstr(reason, "(.");
	if (!ext)
		return;
	ext++;
	size_t n = strcspn(ext, ")");
	for (size_t i = 0; i < c->nskipped_exts; i++)
		if (strlen(c->skipped[i].ext) == n && strncmp(c->skipped[i].ext, ext, n) == 0) {
			c->skipped[i].n++;
			return;
		}
	if (c->nskipped_exts == MAX_EXTS || n >= sizeof c->skipped[0].ext) {
		c->skipped_more++;
		return;
	}
	memcpy(c->skipped[c->nskipped_exts].ext, ext, n);
	c->skipped[c->nskipped_exts].ext[n] = '\0';
	c->skipped[c->nskipped_exts++].n = 1;
}

static int on_progress(const fouille_progress *p, void *ud)
{
	cli *c = ud;
	if (p->path && p->status == FOUILLE_FILE_FAILED) {
		/* always said, even with --quiet: the exit status points at these lines */
		clear_progress(c);
		fprintf(stderr, "fouille-index: %s: %s\n", p->path, p->reason ? p->reason : "failed");
	} else if (p->path && p->status == FOUILLE_FILE_SKIPPED && p->reason) {
		int other_format = strncmp(p->reason, "other format", 12) == 0;
		if (other_format)
			count_skipped(c, p->reason);
		if (!c->quiet && (c->verbose || !other_format)) {
			clear_progress(c);
			fprintf(stderr, "fouille-index: skipped %s: %s\n", p->path, p->reason);
		}
	} else if (p->path && c->verbose) {
		printf("%-9s %s\n", status_word(p->status), p->path);
	} else if (!p->path && p->reason && !c->quiet) {
		/* a phase said with its cause: one the person did not ask for */
		clear_progress(c);
		fprintf(stderr, "fouille-index: %s\n", p->reason);
	}
	if (c->tty)
		draw_progress(c, p);
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

static void print_size(uint64_t bytes)
{
	if (bytes >= 1000000000)
		printf("%.2f GB", bytes / 1e9);
	else if (bytes >= 1000000)
		printf("%.1f MB", bytes / 1e6);
	else
		printf("%.1f kB", bytes / 1e3);
}

static void print_counts(const char *label, const fouille_count *v, size_t n)
{
	printf("  %-14s", label);
	if (!n)
		printf("(none known)");
	for (size_t i = 0; i < n; i++)
		printf("%s%s: %llu", i ? ", " : "", v[i].name, (unsigned long long)v[i].count);
	putchar('\n');
}

static void on_problem(const char *problem, void *ud)
{
	(void)ud;
	printf("problem: %s\n", problem);
}

/* --check: both stores agree? Takes the writer lock so no update moves them meanwhile. */
static int run_check(const char *index_dir, unsigned wait)
{
	fouille_index *idx;
	if (fouille_index_open(&idx, index_dir, FOUILLE_OPEN_WRITE | wait) != FOUILLE_OK) {
		fprintf(stderr, "fouille-index: %s\n", fouille_last_open_error());
		return 2;
	}
	size_t problems = 0;
	int rc = fouille_index_check(idx, on_problem, NULL, &problems);
	if (rc != FOUILLE_OK) {
		fprintf(stderr, "fouille-index: %s\n", fouille_errmsg(idx));
		fouille_index_close(idx);
		return 2;
	}
	if (problems)
		printf("%zu problem%s found in %s\n", problems, problems == 1 ? "" : "s", index_dir);
	else
		printf("%s: %llu articles, index and catalog agree\n", index_dir,
		       (unsigned long long)fouille_index_article_count(idx));
	fouille_index_close(idx);
	return problems ? 1 : 0;
}

/* --stats: what the index holds, read-only (works while an update runs). */
static int print_stats(const char *index_dir)
{
	fouille_index *idx;
	if (fouille_index_open(&idx, index_dir, FOUILLE_OPEN_READONLY) != FOUILLE_OK) {
		fprintf(stderr, "fouille-index: %s\n", fouille_last_open_error());
		return 2;
	}
	fouille_stats *st;
	if (fouille_index_stats(&st, idx) != FOUILLE_OK) {
		fprintf(stderr, "fouille-index: %s\n", fouille_errmsg(idx));
		fouille_index_close(idx);
		return 2;
	}
	printf("Index %s\n", index_dir);
	printf("  %-14s%s\n", "folder", st->root ? st->root : "(never updated)");
	printf("  %-14s%llu\n", "articles", (unsigned long long)st->articles);
	printf("  %-14s%llu\n", "terms", (unsigned long long)st->terms);
	printf("  %-14s", "size on disk");
	print_size(st->index_bytes);
	putchar('\n');
	printf("  %-14s%s\n", "last update", st->updated ? st->updated : "(never)");
	printf("  %-14sanalyzer %d, schema %d\n", "versions", st->analyzer_version, st->schema_version);
	printf("  %-14s%zu\n", "databases", st->databases);
	print_counts("by format", st->formats, st->nformats);
	print_counts("by year", st->years, st->nyears);
	print_counts("top authors", st->authors, st->nauthors);
	fouille_stats_free(st);
	fouille_index_close(idx);
	return 0;
}

static void print_summary(const cli *c, const char *folder, const char *index_dir,
			  const fouille_update_summary *s, uint64_t articles)
{
	printf("Indexed %s into %s in %.2f s\n", folder, index_dir, s->elapsed_seconds);
	printf("  %zu added, %zu updated, %zu renamed, %zu removed, %zu unchanged\n", s->added,
	       s->updated, s->renamed, s->removed, s->unchanged);
	printf("  %zu skipped (%zu of other formats", s->skipped_format + s->skipped_other,
	       s->skipped_format);
	for (size_t i = 0; i < c->nskipped_exts; i++)
		printf("%s%s %zu", i ? ", " : ": ", c->skipped[i].ext, c->skipped[i].n);
	if (c->skipped_more)
		printf(", other %zu", c->skipped_more);
	printf("; %zu hidden, excluded, empty, without text or too large), %zu failed\n",
	       s->skipped_other, s->failed);
	printf("  %llu articles in the index\n", (unsigned long long)articles);
}

/* A count given on the command line: digits only, from 1 to `max`. 0, or -1 with *n
   left unset. */
static int parse_count(const char *arg, unsigned long max, unsigned long *n)
{
	char *end;
	if (!(arg[0] >= '0' && arg[0] <= '9'))
		return -1;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -1;
	*n = v;
	return 0;
}

int main(int argc, char **argv)
{
	cli c = {0};
	const char *index_dir = NULL, *folder = NULL;
	double max_mb = 50;
	int only_args = 0, stats = 0, check = 0;
	unsigned wait = 0;
	size_t commit_every = 0;
	unsigned jobs = 0, nwriters = 0;
	const char **exclude = NULL;
	size_t nexclude = 0;
	const char *stub_out = NULL;
	const char **shards = NULL; /* with --write-stub: every other argument */
	size_t nshards = 0;
	int status = 2;
	char *owned_dir = NULL;
	fouille_index *idx = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_args && strcmp(a, "--") == 0) {
			only_args = 1;
		} else if (!only_args && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			fputs(USAGE, stdout);
			status = 0;
			goto out;
		} else if (!only_args && strcmp(a, "--version") == 0) {
			printf("fouille-index %s\n", fouille_version());
			status = 0;
			goto out;
		} else if (!only_args && (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)) {
			c.quiet = 1;
		} else if (!only_args && (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)) {
			c.verbose = 1;
		} else if (!only_args && strcmp(a, "--stats") == 0) {
			stats = 1;
		} else if (!only_args && strcmp(a, "--check") == 0) {
			check = 1;
		} else if (!only_args && strcmp(a, "--wait") == 0) {
			wait = FOUILLE_OPEN_WAIT;
		} else if (!only_args && strcmp(a, "--write-stub") == 0) {
			if (++i >= argc || !*argv[i]) {
				fprintf(stderr, "fouille-index: --write-stub needs a file name, then the shards\n");
				goto out;
			}
			stub_out = argv[i];
		} else if (!only_args && strcmp(a, "--index") == 0) {
			if (++i >= argc) {
				fprintf(stderr, "fouille-index: --index needs a directory\n");
				goto out;
			}
			index_dir = argv[i];
		} else if (!only_args && strcmp(a, "--exclude") == 0) {
			if (++i >= argc || !*argv[i]) {
				fprintf(stderr, "fouille-index: --exclude needs a pattern, e.g. --exclude '*.bak'\n");
				goto out;
			}
			const char **more = realloc(exclude, (nexclude + 1) * sizeof *more);
			if (!more) {
				fprintf(stderr, "fouille-index: out of memory\n");
				goto out;
			}
			exclude = more;
			exclude[nexclude++] = argv[i];
		} else if (!only_args && strcmp(a, "--commit-every") == 0) {
			unsigned long n;
			if (++i >= argc || parse_count(argv[i], (unsigned long)-1, &n) != 0) {
				fprintf(stderr, "fouille-index: --commit-every needs a number of articles, e.g. --commit-every 1000\n");
				goto out;
			}
			commit_every = n;
		} else if (!only_args && strcmp(a, "--jobs") == 0) {
			unsigned long n;
			if (++i >= argc || parse_count(argv[i], 256, &n) != 0) {
				fprintf(stderr, "fouille-index: --jobs needs a number of threads from 1 to 256, e.g. --jobs 2\n");
				goto out;
			}
			jobs = (unsigned)n;
		} else if (!only_args && strcmp(a, "--shards") == 0) {
			unsigned long n;
			if (++i >= argc || parse_count(argv[i], 64, &n) != 0) {
				fprintf(stderr, "fouille-index: --shards needs a number of databases from 1 to 64, e.g. --shards 2\n");
				goto out;
			}
			nwriters = (unsigned)n;
		} else if (!only_args && strcmp(a, "--max-size") == 0) {
			char *end;
			if (++i >= argc || (errno = 0, max_mb = strtod(argv[i], &end), errno) ||
			    *end || !(max_mb > 0)) {
				fprintf(stderr, "fouille-index: --max-size needs a size in MB, e.g. --max-size 20\n");
				goto out;
			}
		} else if (!only_args && a[0] == '-' && a[1]) {
			fprintf(stderr, "fouille-index: unknown option %s (see fouille-index --help)\n", a);
			goto out;
		} else {
			const char **more = realloc(shards, (nshards + 1) * sizeof *more);
			if (!more) {
				fprintf(stderr, "fouille-index: out of memory\n");
				goto out;
			}
			shards = more;
			shards[nshards++] = a;
		}
	}
	if (stub_out) {
		if (fouille_stub_write(stub_out, shards, nshards) != FOUILLE_OK) {
			fprintf(stderr, "fouille-index: %s\n", fouille_last_open_error());
			goto out;
		}
		if (!c.quiet)
			printf("Wrote %s: %zu shard%s; search them with fouille-search --index %s\n", stub_out,
			       nshards, nshards == 1 ? "" : "s", stub_out);
		status = 0;
		goto out;
	}
	if (nshards > 1) {
		fprintf(stderr, "fouille-index: one folder at a time (got %s and %s)\n", shards[0], shards[1]);
		goto out;
	}
	folder = nshards ? shards[0] : NULL;
	if (stats || check) {
		if (!index_dir && folder)
			index_dir = owned_dir = default_index_dir(folder);
		else if (!index_dir && fouille_index_locate(&owned_dir, NULL) == FOUILLE_OK)
			index_dir = owned_dir;
		if (!index_dir) {
			fprintf(stderr, "fouille-index: %s: no index found (give FOLDER or --index DIR)\n",
				stats ? "--stats" : "--check");
			goto out;
		}
		status = stats ? print_stats(index_dir) : run_check(index_dir, wait);
		goto out;
	}
	if (!folder) {
		fputs(USAGE, stderr);
		goto out;
	}
	if (access(folder, F_OK) != 0) {
		fprintf(stderr, "fouille-index: cannot open folder %s: %s\n", folder, strerror(errno));
		goto out;
	}
	if (!index_dir && !(index_dir = owned_dir = default_index_dir(folder))) {
		fprintf(stderr, "fouille-index: out of memory\n");
		goto out;
	}
	/* A new index: one shard per core unless told, each written by a thread of its own,
	   as Xapian's work on documents is most of an update's (bench/README.md: the
	   million synthetic articles in 24.5 min instead of 34 on 2 cores, searched with a
	   median of 17.5 ms). At most 8: every search opens and reads each database, and
	   more were not measured. An existing index keeps its own. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
	/* The analysis threads build documents that the shards' threads free, and glibc
	   gives threads arenas of their own, up to 8 per core, each keeping what was freed
	   into it. Two per core keep the peak near one thread's without making the threads
	   wait for each other's arena: the Debian text folder with 2 shards and 2 jobs took
	   74 MB with the default, 63 MB and as fast with 4; 59 MB with 2, but ~10% slower. */
	mallopt(M_ARENA_MAX, (int)(cores > 32 ? 64 : 2 * cores));
#endif
	fouille_open_options oo;
	fouille_open_options_init(&oo);
	oo.shards = nwriters ? nwriters : cores > 8 ? 8 : (unsigned)cores;
	if (fouille_index_open_with(&idx, index_dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE | wait,
				    &oo) != FOUILLE_OK) {
		fprintf(stderr, "fouille-index: %s\n", fouille_last_open_error());
		goto out;
	}

	fouille_update_options opts;
	fouille_update_options_init(&opts);
	opts.max_file_size = (uint64_t)(max_mb * 1e6);
	opts.progress = on_progress;
	opts.progress_userdata = &c;
	opts.exclude = exclude;
	opts.nexclude = nexclude;
	opts.commit_every = commit_every;
	/* One worker per core unless told: with cores to spare the analysis runs beside the
	   writer (Debian text folder, 2 idle cores: 5.0-5.9 s wall instead of 6.4-6.7 s).
	   The library's own default stays one thread: a program embedding it decides. */
	if (jobs == 0)
		jobs = cores > 64 ? 64 : (unsigned)cores;
	opts.jobs = jobs;
	c.tty = !c.quiet && !c.verbose && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &c.start);
	fouille_update_summary s;
	int rc = fouille_index_update(idx, folder, &opts, &s);
	clear_progress(&c);
	if (rc != FOUILLE_OK) {
		fprintf(stderr, "fouille-index: %s\n", fouille_errmsg(idx));
		goto out;
	}
	if (!c.quiet)
		print_summary(&c, folder, index_dir, &s, fouille_index_article_count(idx));
	status = 0;
	if (s.failed) {
		fprintf(stderr, "fouille-index: %zu file%s or record%s could not be indexed (listed above)\n",
			s.failed, s.failed == 1 ? "" : "s", s.failed == 1 ? "" : "s");
		status = 1;
	}
out:
	fouille_index_close(idx);
	free(owned_dir);
	free(exclude);
	free(shards);
	return status;
}
