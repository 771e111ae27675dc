/*
 * fouille-search: search the index and print ranked hits with snippets.
 * Uses only the public API (fouille.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fouille.h"
#include "../indexer/utf8.h"

static const char USAGE[] =
	"usage: fouille-search [options] [--] WORDS...\n"
	"\n"
	"Search the articles indexed by fouille-index. Every word must match (when no\n"
	"article has them all, articles with any of them are shown, and it says so);\n"
	"accents and case do not matter; \"quoted words\" form a phrase; -word excludes.\n"
	"\n"
	"options:\n"
	"  --index DIR      the index (default: $FOUILLE_INDEX, else the nearest .fouille\n"
	"                   folder from the current directory up), or a stub file listing\n"
	"                   shards searched as one (fouille-index --write-stub)\n"
	"  --allow-partial  with a stub file: when shards do not answer, search the others\n"
	"                   and say which are missing\n"
	"  --timeout SECONDS  with a stub file: the longest wait for a remote shard to\n"
	"                   connect and to answer (default 10)\n"
	"  --limit N        show N hits (default 10)\n"
	"  --offset N       skip the first N hits\n"
	"  --snippet-chars N  snippet length in characters, per passage (default 200)\n"
	"  --fragments N    up to N passages per snippet, joined with \" … \" (default 1,\n"
	"                   at most 16)\n"
	"  --sort ORDER     relevance (default), date (oldest first) or -date (newest\n"
	"                   first); undated articles come last\n"
	"  --and            every word must match, with no fallback to any word\n"
	"  --or             any word may match (best matches first)\n"
	"  --facets         count the matching articles by author and by year\n"
	"  --no-suggest     no \"did you mean\" suggestion\n"
	"  --no-collapse    show near-duplicate articles (the same story republished)\n"
	"                   one by one instead of as one hit with \"+N similar\"\n"
	"  --json           print one JSON document\n"
	"  --paths          print only the paths, one per line\n"
	"  -0, --null       with --paths: end each path with a NUL byte instead (for\n"
	"                   xargs -0: file names may hold newlines)\n"
	"  --help, -h       show this help\n"
	"  --version        show the version\n"
	"  --               end of options: what follows is the query (e.g. -- -grève)\n"
	"\n"
	"Exit status: 0 when something was found, 1 when nothing was, 2 on error.\n";

enum output { OUT_TEXT, OUT_JSON, OUT_PATHS };

typedef struct style {
	const char *hl_on, *hl_off, *title_on, *title_off, *dim_on, *dim_off;
} style;

/* ---- JSON ---------------------------------------------------------------------- */

/* A JSON string; bytes that are not UTF-8 (a file name can hold any) become U+FFFD. */
static void json_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f), i++;
		} else if (c == '\t') {
			fputs("\\t", f), i++;
		} else if (c == '\r') {
			fputs("\\r", f), i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c), i++;
		} else {
			size_t len = utf8_seq_len(p + i, n - i);
			if (len == 0) {
				fputs("\\ufffd", f);
				i++;
			} else {
				fwrite(p + i, 1, len, f);
				i += len;
			}
		}
	}
	fputc('"', f);
}

/* ---- paths --------------------------------------------------------------------- */

/* The hit's path as a person would open it: relative to the current directory when
 * the indexed folder lies below it, else absolute. */
static char *display_path(const char *root, const char *rel, const char *cwd)
{
	size_t n = (root ? strlen(root) : 0) + strlen(rel) + 2;
	char *full = malloc(n);
	if (!full)
		return NULL;
	if (root && *root)
		snprintf(full, n, "%s/%s", root, rel);
	else
		snprintf(full, n, "%s", rel);
	size_t cl = cwd ? strlen(cwd) : 0;
	if (cl > 1 && strncmp(full, cwd, cl) == 0 && full[cl] == '/')
		memmove(full, full + cl + 1, strlen(full + cl + 1) + 1);
	return full;
}

/* The folder of the hit's own index (with a stub file, of its shard), else `root`. */
static const char *hit_root(const fouille_hit *h, const char *root)
{
	return fouille_hit_root(h) ? fouille_hit_root(h) : root;
}

/* ---- output -------------------------------------------------------------------- */

static void print_snippet(const fouille_hit *h, const style *st)
{
	const char *s = fouille_hit_snippet(h);
	size_t at = 0, n = fouille_hit_highlight_count(h);
	fputs("   ", stdout);
	for (size_t i = 0; i < n; i++) {
		size_t b, e;
		if (fouille_hit_highlight(h, i, &b, &e) != FOUILLE_OK || b < at)
			continue;
		fwrite(s + at, 1, b - at, stdout);
		fputs(st->hl_on, stdout);
		fwrite(s + b, 1, e - b, stdout);
		fputs(st->hl_off, stdout);
		at = e;
	}
	fputs(s + at, stdout);
	fputc('\n', stdout);
}

/* Facets on the terminal: the first TEXT_FACETS of each, then how many more. */
#define TEXT_FACETS 10

static void print_facet(const fouille_results *res, fouille_facet f, const char *label,
			const style *st)
{
	size_t n;
	const fouille_count *c = fouille_results_facets(res, f, &n);
	if (!c)
		return;
	printf("%s%s:%s", st->dim_on, label, st->dim_off);
	if (n == 0)
		printf(" none");
	for (size_t i = 0; i < n && i < TEXT_FACETS; i++)
		printf("%s %s (%llu)", i ? "," : "", c[i].name, (unsigned long long)c[i].count);
	if (n > TEXT_FACETS)
		printf(", and %zu more", n - TEXT_FACETS);
	fputc('\n', stdout);
}

static void print_text(const fouille_results *res, const char *query, const char *root,
		       const char *cwd, const style *st)
{
	size_t n = fouille_results_count(res);
	uint64_t total = fouille_results_total(res);
	if (fouille_results_suggestion(res))
		printf("Did you mean: %s%s%s?\n", st->title_on, fouille_results_suggestion(res),
		       st->title_off);
	if (fouille_results_relaxed(res))
		printf("No article has every word of \"%s\"; showing articles with any of them.\n", query);
	if (fouille_results_notice(res))
		printf("Note: %s\n", fouille_results_notice(res));
	if (n == 0) {
		printf("No article matches \"%s\".\n", query);
		return;
	}
	size_t first = fouille_hit_rank(fouille_results_hit(res, 0));
	printf("%s%llu article%s match%s \"%s\"", fouille_results_total_exact(res) ? "" : "About ",
	       (unsigned long long)total, total == 1 ? "" : "s", total == 1 ? "es" : "", query);
	if (total > n)
		printf(" (showing %zu to %zu)", first, first + n - 1);
	printf("\n\n");
	for (size_t i = 0; i < n; i++) {
		const fouille_hit *h = fouille_results_hit(res, i);
		char *path = display_path(hit_root(h, root), fouille_hit_path(h), cwd);
		printf("%zu. %s%s%s\n", fouille_hit_rank(h), st->title_on,
		       *fouille_hit_title(h) ? fouille_hit_title(h) : "(untitled)", st->title_off);
		printf("   %s%s", st->dim_on, path ? path : fouille_hit_path(h));
		if (*fouille_hit_record(h))
			printf(" (%s)", fouille_hit_record(h));
		if (fouille_hit_author(h))
			printf(" · %s", fouille_hit_author(h));
		if (fouille_hit_date(h))
			printf(" · %s", fouille_hit_date(h));
		if (fouille_hit_similar(h))
			printf(" · +%llu similar", (unsigned long long)fouille_hit_similar(h));
		printf("%s\n", st->dim_off);
		print_snippet(h, st);
		if (i + 1 < n)
			fputc('\n', stdout);
		free(path);
	}
	if (fouille_results_facets(res, FOUILLE_FACET_AUTHOR, NULL)) {
		fputc('\n', stdout);
		print_facet(res, FOUILLE_FACET_AUTHOR, "By author", st);
		print_facet(res, FOUILLE_FACET_YEAR, "By year", st);
	}
}

static void json_facet(const fouille_results *res, fouille_facet f)
{
	size_t n;
	const fouille_count *c = fouille_results_facets(res, f, &n);
	fputc('[', stdout);
	for (size_t i = 0; c && i < n; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", stdout);
		json_string(stdout, c[i].name);
		printf(",\"count\":%llu}", (unsigned long long)c[i].count);
	}
	fputc(']', stdout);
}

static void print_json(const fouille_results *res, const char *query, const char *root,
		       const char *cwd)
{
	fputs("{\"query\":", stdout);
	json_string(stdout, query);
	printf(",\"total\":%llu,\"total_exact\":%s,\"relaxed\":%s,\"notice\":",
	       (unsigned long long)fouille_results_total(res),
	       fouille_results_total_exact(res) ? "true" : "false",
	       fouille_results_relaxed(res) ? "true" : "false");
	json_string(stdout, fouille_results_notice(res));
	fputs(",\"suggestion\":", stdout);
	json_string(stdout, fouille_results_suggestion(res));
	fputs(",\"facets\":", stdout);
	if (fouille_results_facets(res, FOUILLE_FACET_AUTHOR, NULL)) {
		fputs("{\"author\":", stdout);
		json_facet(res, FOUILLE_FACET_AUTHOR);
		fputs(",\"year\":", stdout);
		json_facet(res, FOUILLE_FACET_YEAR);
		fputc('}', stdout);
	} else {
		fputs("null", stdout);
	}
	fputs(",\"hits\":[", stdout);
	for (size_t i = 0; i < fouille_results_count(res); i++) {
		const fouille_hit *h = fouille_results_hit(res, i);
		char *path = display_path(hit_root(h, root), fouille_hit_path(h), cwd);
		printf("%s{\"rank\":%zu,\"path\":", i ? "," : "", fouille_hit_rank(h));
		json_string(stdout, path ? path : fouille_hit_path(h));
		fputs(",\"record\":", stdout);
		json_string(stdout, fouille_hit_record(h));
		fputs(",\"format\":", stdout);
		json_string(stdout, fouille_hit_format(h));
		fputs(",\"url\":", stdout);
		json_string(stdout, fouille_hit_url(h));
		fputs(",\"title\":", stdout);
		json_string(stdout, fouille_hit_title(h));
		fputs(",\"author\":", stdout);
		json_string(stdout, fouille_hit_author(h));
		fputs(",\"date\":", stdout);
		json_string(stdout, fouille_hit_date(h));
		printf(",\"similar\":%llu,\"score\":%.6g,\"snippet\":",
		       (unsigned long long)fouille_hit_similar(h), fouille_hit_score(h));
		json_string(stdout, fouille_hit_snippet(h));
		fputs(",\"highlights\":[", stdout);
		for (size_t k = 0; k < fouille_hit_highlight_count(h); k++) {
			size_t b, e;
			fouille_hit_highlight(h, k, &b, &e);
			printf("%s[%zu,%zu]", k ? "," : "", b, e);
		}
		fputs("]}", stdout);
		free(path);
	}
	fputs("]}\n", stdout);
}

/* ---- arguments ----------------------------------------------------------------- */

static int parse_count(const char *opt, const char *v, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long n = v ? strtoul(v, &end, 10) : 0;
	/* digits only: strtoul would take "" as 0 and skip spaces and signs */
	if (!v || v[0] < '0' || v[0] > '9' || errno || *end || n > 1000000) {
		fprintf(stderr, "fouille-search: %s needs a number, e.g. %s 20\n", opt, opt);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* Append `word` to the query with a space. */
static int append(char **q, size_t *len, const char *word)
{
	size_t w = strlen(word);
	char *p = realloc(*q, *len + w + 2);
	if (!p)
		return -1;
	if (*len)
		p[(*len)++] = ' ';
	memcpy(p + *len, word, w + 1);
	*len += w;
	*q = p;
	return 0;
}

int main(int argc, char **argv)
{
	const char *index_arg = NULL;
	unsigned open_flags = FOUILLE_OPEN_READONLY;
	fouille_open_options open_opts;
	fouille_open_options_init(&open_opts);
	enum output out = OUT_TEXT;
	fouille_search_options opts;
	fouille_search_options_init(&opts);
	char *query = NULL;
	size_t qlen = 0;
	int only_words = 0, nul_paths = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (only_words || a[0] != '-' || a[1] == '\0') {
			if (append(&query, &qlen, a) != 0)
				goto oom;
		} else if (strcmp(a, "--") == 0) {
			only_words = 1;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(USAGE, stdout);
			free(query);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("fouille-search %s\n", fouille_version());
			free(query);
			return 0;
		} else if (strcmp(a, "--index") == 0) {
			if (!next) {
				fprintf(stderr, "fouille-search: --index needs a directory\n");
				goto usage;
			}
			index_arg = argv[++i];
		} else if (strcmp(a, "--allow-partial") == 0) {
			open_flags |= FOUILLE_OPEN_ALLOW_PARTIAL;
		} else if (strcmp(a, "--timeout") == 0) {
			char *end;
			double sec = next && next[0] >= '0' && next[0] <= '9' ? strtod(next, &end) : -1;
			if (sec < 0.001 || sec > 86400 || *end) {
				fprintf(stderr, "fouille-search: --timeout needs a number of seconds, e.g. --timeout 2.5\n");
				goto usage;
			}
			open_opts.timeout_ms = (unsigned)(sec * 1000 + 0.5);
			i++;
		} else if (strcmp(a, "--limit") == 0 || strcmp(a, "-n") == 0) {
			if (parse_count(a, next, &opts.limit))
				goto usage;
			i++;
			if (opts.limit == 0) {
				fprintf(stderr, "fouille-search: --limit must be at least 1\n");
				goto usage;
			}
		} else if (strcmp(a, "--offset") == 0) {
			if (parse_count(a, next, &opts.offset))
				goto usage;
			i++;
		} else if (strcmp(a, "--snippet-chars") == 0) {
			if (parse_count(a, next, &opts.snippet_chars) || opts.snippet_chars < 20) {
				if (opts.snippet_chars < 20)
					fprintf(stderr, "fouille-search: --snippet-chars must be at least 20\n");
				goto usage;
			}
			i++;
		} else if (strcmp(a, "--sort") == 0) {
			if (next && strcmp(next, "relevance") == 0)
				opts.sort = FOUILLE_SORT_RELEVANCE;
			else if (next && (strcmp(next, "-date") == 0 || strcmp(next, "newest") == 0))
				opts.sort = FOUILLE_SORT_DATE_DESC;
			else if (next && (strcmp(next, "date") == 0 || strcmp(next, "oldest") == 0))
				opts.sort = FOUILLE_SORT_DATE_ASC;
			else {
				fprintf(stderr, "fouille-search: --sort takes relevance, date (oldest first) or -date (newest first)\n");
				goto usage;
			}
			i++;
		} else if (strcmp(a, "--and") == 0) {
			opts.flags = (opts.flags & ~FOUILLE_SEARCH_ANY) | FOUILLE_SEARCH_NO_RELAX;
		} else if (strcmp(a, "--or") == 0) {
			opts.flags = (opts.flags & ~FOUILLE_SEARCH_NO_RELAX) | FOUILLE_SEARCH_ANY;
		} else if (strcmp(a, "--fragments") == 0) {
			if (parse_count(a, next, &opts.fragments))
				goto usage;
			i++;
			if (opts.fragments == 0) {
				fprintf(stderr, "fouille-search: --fragments must be at least 1\n");
				goto usage;
			}
		} else if (strcmp(a, "--facets") == 0) {
			opts.flags |= FOUILLE_SEARCH_FACETS;
		} else if (strcmp(a, "--no-suggest") == 0) {
			opts.flags |= FOUILLE_SEARCH_NO_SUGGEST;
		} else if (strcmp(a, "--no-collapse") == 0) {
			opts.flags |= FOUILLE_SEARCH_NO_COLLAPSE;
		} else if (strcmp(a, "--json") == 0) {
			out = OUT_JSON;
		} else if (strcmp(a, "--paths") == 0) {
			out = OUT_PATHS;
		} else if (strcmp(a, "-0") == 0 || strcmp(a, "--null") == 0) {
			/* with --paths: a file name may hold a newline, never a NUL */
			nul_paths = 1;
		} else if (a[1] == '-') {
			fprintf(stderr, "fouille-search: unknown option %s (see fouille-search --help)\n", a);
			goto usage;
		} else {
			/* `-grève` is an exclusion in the query, not an option */
			if (append(&query, &qlen, a) != 0)
				goto oom;
		}
	}
	if (!query || !*query) {
		fprintf(stderr, "fouille-search: what should I search for? e.g. fouille-search réfugiés ukrainiens\n");
		goto usage;
	}

	char *index_dir = NULL;
	int rc = fouille_index_locate(&index_dir, index_arg);
	if (rc != FOUILLE_OK) {
		fprintf(stderr, "fouille-search: no index found: give --index DIR, set FOUILLE_INDEX, or run "
				"fouille-index FOLDER and search from inside FOLDER\n");
		free(query);
		return 2;
	}
	fouille_index *idx;
	rc = fouille_index_open_with(&idx, index_dir, open_flags, &open_opts);
	if (rc != FOUILLE_OK) {
		fprintf(stderr, "fouille-search: %s\n", fouille_last_open_error());
		free(index_dir);
		free(query);
		return 2;
	}
	fouille_results *res;
	rc = fouille_search(&res, idx, query, &opts);
	if (rc == FOUILLE_EQUERY) {
		fprintf(stderr, "fouille-search: %s\n", fouille_errmsg(idx));
		if (out == OUT_JSON)
			fputs("{\"query\":", stdout), json_string(stdout, query),
				fputs(",\"total\":0,\"total_exact\":true,\"relaxed\":false,\"notice\":", stdout),
				json_string(stdout, fouille_errmsg(idx)),
				fputs(",\"suggestion\":null,\"facets\":null,\"hits\":[]}\n", stdout);
		fouille_index_close(idx);
		free(index_dir);
		free(query);
		return 1;
	}
	if (rc != FOUILLE_OK) {
		fprintf(stderr, "fouille-search: %s\n", fouille_errmsg(idx));
		fouille_index_close(idx);
		free(index_dir);
		free(query);
		return 2;
	}
	const char *root = fouille_index_root(idx);
	char *cwd = getcwd(NULL, 0);
	if (out == OUT_JSON) {
		print_json(res, query, root, cwd);
	} else if (out == OUT_PATHS) {
		if (fouille_results_suggestion(res))
			fprintf(stderr, "fouille-search: did you mean: %s?\n", fouille_results_suggestion(res));
		if (fouille_results_relaxed(res))
			fprintf(stderr, "fouille-search: no article has every word; listing articles with any of them\n");
		for (size_t i = 0; i < fouille_results_count(res); i++) {
			const fouille_hit *h = fouille_results_hit(res, i);
			char *p = display_path(hit_root(h, root), fouille_hit_path(h), cwd);
			fputs(p ? p : fouille_hit_path(h), stdout);
			putchar(nul_paths ? '\0' : '\n');
			free(p);
		}
	} else {
		const char *no_color = getenv("NO_COLOR");
		int color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
		style st = color ? (style){"\033[1;33m", "\033[0m", "\033[1m", "\033[0m", "\033[2m", "\033[0m"}
				 : (style){"[", "]", "", "", "", ""};
		print_text(res, query, root, cwd, &st);
	}
	int found = fouille_results_count(res) > 0;
	free(cwd);
	fouille_results_free(res);
	fouille_index_close(idx);
	free(index_dir);
	free(query);
	return found ? 0 : 1;
oom:
	fprintf(stderr, "fouille-search: out of memory\n");
	free(query);
	return 2;
usage:
	fprintf(stderr, "usage: fouille-search [options] [--] WORDS...   (fouille-search --help)\n");
	free(query);
	return 2;
}
