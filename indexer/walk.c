#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The directories already entered, by (device, inode): a symlink that leads back into
 * one of them is a loop or a second way to the same files, and is not followed. */
typedef struct dir_set {
	struct {
		dev_t dev;
		ino_t ino;
		int used;
	} *slot;
	size_t cap, n;
} dir_set;

static size_t dir_hash(dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15ull) ^ (uint64_t)ino;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (size_t)(h ^ (h >> 32));
}

/* Insert; returns 1 when new, 0 when already present, -1 when out of memory. */
static int dir_set_add(dir_set *s, dev_t dev, ino_t ino)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		dir_set bigger = {calloc(cap, sizeof *s->slot), cap, 0};
		if (!bigger.slot)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i].used)
				dir_set_add(&bigger, s->slot[i].dev, s->slot[i].ino);
		free(s->slot);
		*s = bigger;
	}
	for (size_t i = dir_hash(dev, ino) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->slot[i].used) {
			s->slot[i].used = 1;
			s->slot[i].dev = dev;
			s->slot[i].ino = ino;
			s->n++;
			return 1;
		}
		if (s->slot[i].dev == dev && s->slot[i].ino == ino)
			return 0;
	}
}

typedef struct walker {
	const char *root;
	size_t root_len;
	dev_t skip_dev;
	ino_t skip_ino;
	int have_skip;
	dir_set seen;
	walk_list *out;
	const char *const *exclude;
	size_t nexclude;
	walk_problem_fn problem;
	void *ud;
} walker;

static int excluded(const walker *w, const char *name, const char *rel)
{
	for (size_t i = 0; i < w->nexclude; i++) {
		const char *pat = w->exclude[i];
		if (strchr(pat, '/') ? fnmatch(pat, rel, FNM_PATHNAME) == 0 : fnmatch(pat, name, 0) == 0)
			return 1;
	}
	return 0;
}

static int add_entry(walk_list *l, const char *rel, const struct stat *st)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		walk_entry *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	walk_entry *e = &l->v[l->n];
	if (!(e->rel = strdup(rel)))
		return -1;
	e->size = (uint64_t)st->st_size;
	e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	l->n++;
	l->bytes += e->size;
	return 0;
}

static void report(walker *w, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(walker *w, const char *rel, const char *fmt, ...)
{
	if (!w->problem)
		return;
	char reason[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	w->problem(rel, reason, w->ud);
}

/* `path` is root + "/" + rel (rel empty for the root itself). */
static int walk_dir(walker *w, char *path, size_t path_len, size_t cap)
{
	DIR *d = opendir(path);
	const char *rel = path_len > w->root_len ? path + w->root_len + 1 : ".";
	if (!d) {
		if (path_len == w->root_len)
			return -2;
		report(w, rel, "cannot read folder: %s", strerror(errno));
		return 0;
	}
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		size_t nl = strlen(name);
		if (path_len + 1 + nl + 1 > cap) {
			report(w, name, "path too long, left out");
			continue;
		}
		path[path_len] = '/';
		memcpy(path + path_len + 1, name, nl + 1);
		if (name[0] == '.') {
			/* counted as left out, except the index itself when it lies here */
			struct stat hs;
			if (!(w->have_skip && stat(path, &hs) == 0 && hs.st_dev == w->skip_dev &&
			      hs.st_ino == w->skip_ino))
				w->out->hidden++;
			path[path_len] = '\0';
			continue;
		}
		size_t child_len = path_len + 1 + nl;
		const char *child_rel = path + w->root_len + 1;
		if (w->nexclude && excluded(w, name, child_rel)) {
			w->out->excluded++;
			path[path_len] = '\0';
			continue;
		}
		struct stat st;
		if (stat(path, &st) != 0) {
			struct stat lst;
			if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
				report(w, child_rel, "broken symbolic link");
			else
				report(w, child_rel, "cannot read: %s", strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (w->have_skip && st.st_dev == w->skip_dev && st.st_ino == w->skip_ino) {
				/* the index itself */
			} else {
				int added = dir_set_add(&w->seen, st.st_dev, st.st_ino);
				if (added < 0)
					rc = -1;
				else if (added == 0)
					report(w, child_rel, "folder already walked (symbolic link loop or second link), left out");
				else
					rc = walk_dir(w, path, child_len, cap);
			}
		} else if (S_ISREG(st.st_mode)) {
			if (add_entry(w->out, child_rel, &st) != 0)
				rc = -1;
		}
		/* sockets, fifos, devices: not articles, silently left out */
		path[path_len] = '\0';
	}
	closedir(d);
	return rc;
}

static int compare_entries(const void *a, const void *b)
{
	return strcmp(((const walk_entry *)a)->rel, ((const walk_entry *)b)->rel);
}

int walk_folder(const char *root, const char *skip_dir, const char *const *exclude,
		size_t nexclude, walk_list *out, walk_problem_fn problem, void *ud)
{
	memset(out, 0, sizeof *out);
	walker w = {.root = root, .out = out, .exclude = exclude, .nexclude = nexclude,
		    .problem = problem, .ud = ud};
	struct stat st;
	if (stat(root, &st) != 0)
		return -2;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -2;
	}
	if (skip_dir) {
		struct stat sk;
		if (stat(skip_dir, &sk) == 0) {
			w.have_skip = 1;
			w.skip_dev = sk.st_dev;
			w.skip_ino = sk.st_ino;
		}
	}
	size_t cap = 4096 + strlen(root);
	char *path = malloc(cap);
	if (!path)
		return -1;
	w.root_len = strlen(root);
	while (w.root_len > 1 && root[w.root_len - 1] == '/')
		w.root_len--;
	memcpy(path, root, w.root_len);
	path[w.root_len] = '\0';
	int rc = dir_set_add(&w.seen, st.st_dev, st.st_ino) < 0 ? -1 : walk_dir(&w, path, w.root_len, cap);
	free(path);
	free(w.seen.slot);
	if (rc != 0) {
		walk_list_free(out);
		return rc;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, compare_entries);
	return 0;
}

void walk_list_free(walk_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].rel);
	free(l->v);
	memset(l, 0, sizeof *l);
}

char *walk_path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);
	if (p) {
		memcpy(p, a, la);
		p[la] = '/';
		memcpy(p + la + 1, b, lb + 1);
	}
	return p;
}
