/*
 * libstemmer.h's five functions over Snowball's French stemmer alone, linked into
 * fouille-search with the static libstemmer.a. libstemmer's own sb_stemmer_new() finds
 * the algorithm in a table of every language it has, which brings all of them into the
 * program: about 250 KB of pointer tables that the dynamic loader relocates, a page at
 * a time, at every start (some 60 page faults, close to a millisecond of a search on
 * this kind of virtual machine). Defined here, these functions are linked before the
 * archive's, whose table is then left out with the other languages. fouille asks for
 * French in UTF-8 only (indexer/analyzer.c); the library and fouille-index keep the
 * shared libstemmer.
 */
#include <libstemmer.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Snowball's runtime (runtime/api.h, which Debian does not install). Only the first
   members of its environment are read: the current string and its length, in this
   order since the first libstemmer_c. */
struct SN_env {
	unsigned char *p;
	int c;
	int l;
};
extern int SN_set_current(struct SN_env *z, int size, const unsigned char *s);
extern struct SN_env *french_UTF_8_create_env(void);
extern void french_UTF_8_close_env(struct SN_env *z);
extern int french_UTF_8_stem(struct SN_env *z);

struct sb_stemmer {
	struct SN_env *env;
};

const char **sb_stemmer_list(void)
{
	static const char *list[] = {"french", NULL};
	return list;
}

struct sb_stemmer *sb_stemmer_new(const char *algorithm, const char *charenc)
{
	if (!algorithm || (strcmp(algorithm, "french") && strcmp(algorithm, "fr")) ||
	    (charenc && strcmp(charenc, "UTF_8")))
		return NULL;
	struct sb_stemmer *s = malloc(sizeof *s);
	if (!s)
		return NULL;
	if (!(s->env = french_UTF_8_create_env())) {
		free(s);
		return NULL;
	}
	return s;
}

void sb_stemmer_delete(struct sb_stemmer *s)
{
	if (!s)
		return;
	french_UTF_8_close_env(s->env);
	free(s);
}

/* As libstemmer.c does: the result, NUL-terminated in the environment's buffer (which
   Snowball allocates with room for it), until the next call. */
const sb_symbol *sb_stemmer_stem(struct sb_stemmer *s, const sb_symbol *word, int size)
{
	if (SN_set_current(s->env, size, word)) {
		s->env->l = 0;
		return NULL;
	}
	if (french_UTF_8_stem(s->env) < 0)
		return NULL;
	s->env->p[s->env->l] = 0;
	return s->env->p;
}

int sb_stemmer_length(struct sb_stemmer *s)
{
	return s->env->l;
}
