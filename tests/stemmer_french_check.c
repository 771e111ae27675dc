/*
 * search/stemmer_french.c (fouille-search's French-only libstemmer) stems every word of
 * corpus/ as the shared libstemmer does: the program links the former, and reaches the
 * latter's own functions through dlopen().
 */
#include <dirent.h>
#include <dlfcn.h>
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sb_stemmer *(*new_fn)(const char *, const char *);
typedef const sb_symbol *(*stem_fn)(struct sb_stemmer *, const sb_symbol *, int);
typedef int (*length_fn)(struct sb_stemmer *);
typedef void (*delete_fn)(struct sb_stemmer *);

static struct sb_stemmer *mine, *theirs;
static stem_fn their_stem;
static length_fn their_length;
static unsigned long words, failures;

static void compare(const unsigned char *w, int n)
{
	char a[256], b[256];
	const sb_symbol *s = sb_stemmer_stem(mine, w, n);
	int la = s ? sb_stemmer_length(mine) : -1;
	if (s)
		memcpy(a, s, (size_t)la);
	const sb_symbol *t = their_stem(theirs, w, n);
	int lb = t ? their_length(theirs) : -1;
	if (t)
		memcpy(b, t, (size_t)lb);
	words++;
	if (la != lb || (la > 0 && memcmp(a, b, (size_t)la))) {
		if (failures++ < 10)
			fprintf(stderr, "FAILED: %.*s: %.*s, libstemmer %.*s\n", n, (const char *)w,
				la > 0 ? la : 0, a, lb > 0 ? lb : 0, b);
	}
}

/* Words: runs of ASCII letters and non-ASCII bytes, ASCII lowercased. */
static void stem_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	unsigned char w[200];
	int n = 0, c;
	while ((c = fgetc(f)) != EOF) {
		int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
		if (letter && n < (int)sizeof w) {
			w[n++] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			continue;
		}
		if (n)
			compare(w, n);
		n = 0;
	}
	if (n)
		compare(w, n);
	fclose(f);
}

int main(void)
{
	void *so = dlopen("libstemmer.so.0d", RTLD_NOW | RTLD_LOCAL);
	if (!so) {
		fprintf(stderr, "FAILED: dlopen libstemmer.so.0d: %s\n", dlerror());
		return 1;
	}
	new_fn their_new = (new_fn)(void (*)(void))dlsym(so, "sb_stemmer_new");
	delete_fn their_delete = (delete_fn)(void (*)(void))dlsym(so, "sb_stemmer_delete");
	their_stem = (stem_fn)(void (*)(void))dlsym(so, "sb_stemmer_stem");
	their_length = (length_fn)(void (*)(void))dlsym(so, "sb_stemmer_length");
	if (!their_new || !their_delete || !their_stem || !their_length) {
		fprintf(stderr, "FAILED: libstemmer.so.0d lacks the sb_stemmer functions\n");
		return 1;
	}
	mine = sb_stemmer_new("french", "UTF_8");
	theirs = their_new("french", "UTF_8");
	if (!mine || !theirs || sb_stemmer_new("english", "UTF_8") || sb_stemmer_new("french", "ISO_8859_1")) {
		fprintf(stderr, "FAILED: French in UTF-8 only\n");
		return 1;
	}
	const char *dir = FOUILLE_SOURCE_DIR "/corpus";
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.')
			stem_file(path);
	}
	if (d)
		closedir(d);
	static const unsigned char odd[] = "\xff\xfe", empty[] = "";
	compare(odd, 2); /* not UTF-8 */
	compare(empty, 0);
	sb_stemmer_delete(mine);
	their_delete(theirs);
	dlclose(so);
	printf("%lu words, %lu stemmed differently\n", words, failures);
	return failures || words < 1000;
}
