/*
 * The French analysis chain: see analyzer.h and ../../shared/spec/french-analysis.md.
 *
 * One pass over the bytes cuts words and remembers where each starts and ends in the
 * input; everything else (NFC, lowercase, elision, stopwords, stemming, folding) works on
 * one word at a time in scratch buffers inside the analyzer, so offsets stay exact and
 * nothing is allocated per word. Pure-ASCII words never reach utf8proc, and a cache maps
 * a normalized word to its stopword flag, term and alt so that frequent words skip the
 * stemmer altogether.
 */
#include "analyzer.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/*
 * Longest word handed to the normalizer and the stemmer, in bytes. A longer "word" (a
 * URL, a hash, garbage) is still one token with exact offsets; only its first WORD_MAX
 * bytes count, and its terms are cut to ANALYZER_MAX_TERM anyway.
 */
#define WORD_MAX 256
/* Lowercasing and œ -> oe can grow a word; ﬁ -> fi never does more than 3 bytes per byte. */
#define NORM_MAX (WORD_MAX * 3)
/* Canonical decomposition yields at most ~1.5 code points per UTF-8 byte. */
#define CP_MAX (WORD_MAX * 2)

/* Stem cache: open addressing, cleared wholesale (by bumping a generation) when full.
   It starts small and doubles up to these sizes: a search process analyzes a few
   thousand words, and each page of a 1.3 MB table it touched was a page fault. */
#define CACHE_SLOTS (1u << 15)
#define CACHE_MAX_ENTRIES (CACHE_SLOTS / 2)
#define CACHE_ARENA (768u * 1024u)
#define CACHE_SLOTS_MIN (1u << 10)
#define CACHE_ARENA_MIN (24u * 1024u)
#define CACHE_KEY_MAX 64 /* longer words are rare: they are not cached */

struct cache_slot {
	uint32_t gen;  /* slot is live only when equal to the cache's generation */
	uint32_t hash;
	uint32_t off;  /* into the arena: key NUL term NUL alt NUL */
	uint8_t klen, tlen, alen;
	uint8_t flags; /* SLOT_STOP, SLOT_DIGIT, and the key's characters (up to 63) << 2 */
};
#define SLOT_STOP 1u
#define SLOT_DIGIT 2u
/* A cached word is never cut (its hash and shape are those of analyzer_token.word), and
   its characters, capped at 63, fit in the flags byte above the two flags. */
_Static_assert(CACHE_KEY_MAX <= ANALYZER_MAX_TERM, "a cached word would be cut");
_Static_assert((63u << 2 | SLOT_STOP | SLOT_DIGIT) <= UINT8_MAX, "the flags byte");

struct analyzer {
	struct sb_stemmer *stemmer;

	/* the current word as scanned: apostrophes as ', digit-group spaces removed */
	char raw[WORD_MAX + 4];
	size_t raw_len;

	char norm[NORM_MAX + 1];          /* NFC, lowercase, oe/ae/fi/fl */
	char folded[NORM_MAX + 1];        /* fold(word) */
	char stem[NORM_MAX + 1];          /* copy of the stemmer's result */
	char term[ANALYZER_MAX_TERM + 1]; /* fold(stem(w)) */
	char alt[ANALYZER_MAX_TERM + 1];  /* stem(fold(w)) */
	char exact[ANALYZER_MAX_TERM + 1]; /* see analyzer_token.exact */
	utf8proc_int32_t cps[CP_MAX];

	uint32_t cache_gen;
	uint32_t cache_count;
	uint32_t arena_used;
	uint32_t nslots;    /* a power of two, CACHE_SLOTS_MIN..CACHE_SLOTS */
	uint32_t arena_cap; /* CACHE_ARENA_MIN..CACHE_ARENA */
	struct cache_slot *slots;
	char *arena;
};

/* ---- stopwords ------------------------------------------------------------------ */

/*
 * The Snowball French stop list (snowballstem.org/algorithms/french/stop.txt, the
 * current 154-word version), sorted in byte order for bsearch.
 *
 * "est" is deliberately absent, and so are the other homonyms the Snowball authors
 * themselves commented out of the list: son (sound), été (summer), étés, sommes (sums),
 * fût (barrel), as (ace), aura, auras, avions (planes). Keeping "est" matters here: it
 * is also the noun "l'Est" (the East), and "l'Europe de l'Est" must be findable; the
 * spec's case "L’avion s’est écrasé" -> "avion est ecras" relies on it. Older copies of
 * the list (NLTK's, 157+ words) still carry these words: do not "fix" the list from one.
 */
static const char *const stopwords[] = {
	"ai", "aie", "aient", "aies", "ait", "au", "aurai", "auraient", "aurais", "aurait",
	"aurez", "auriez", "aurions", "aurons", "auront", "aux", "avaient", "avais", "avait",
	"avec", "avez", "aviez", "avons", "ayant", "ayez", "ayons", "c", "ce", "ceci", "cela",
	"cel\xc3\xa0", "ces", "cet", "cette", "d", "dans", "de", "des", "du", "elle", "en",
	"es", "et", "eu", "eue", "eues", "eurent", "eus", "eusse", "eussent", "eusses",
	"eussiez", "eussions", "eut", "eux", "e\xc3\xbbmes", "e\xc3\xbbt", "e\xc3\xbbtes",
	"furent", "fus", "fusse", "fussent", "fusses", "fussiez", "fussions", "fut",
	"f\xc3\xbbmes", "f\xc3\xbbtes", "ici", "il", "ils", "j", "je", "l", "la", "le", "les",
	"leur", "leurs", "lui", "m", "ma", "mais", "me", "mes", "moi", "mon", "m\xc3\xaame",
	"n", "ne", "nos", "notre", "nous", "on", "ont", "ou", "par", "pas", "pour", "qu",
	"que", "quel", "quelle", "quelles", "quels", "qui", "s", "sa", "sans", "se", "sera",
	"serai", "seraient", "serais", "serait", "seras", "serez", "seriez", "serions",
	"serons", "seront", "ses", "soi", "soient", "sois", "soit", "sont", "soyez", "soyons",
	"suis", "sur", "t", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos",
	"votre", "vous", "y", "\xc3\xa0", "\xc3\xa9taient", "\xc3\xa9tais", "\xc3\xa9tait",
	"\xc3\xa9tant", "\xc3\xa9tiez", "\xc3\xa9tions", "\xc3\xa9t\xc3\xa9" "e",
	"\xc3\xa9t\xc3\xa9" "es", "\xc3\xaates",
};
#define STOPWORD_COUNT (sizeof stopwords / sizeof stopwords[0])
#define STOPWORD_MAX_LEN 8 /* bytes: "seraient", "étaient" */

struct bytes {
	const char *s;
	size_t len;
};

/* strcmp order on (pointer, length) keys, which is the order of the table above. */
static int stopword_cmp(const void *key, const void *elem)
{
	const struct bytes *k = key;
	const char *w = *(const char *const *)elem;
	size_t wlen = strlen(w);
	int c = memcmp(k->s, w, k->len < wlen ? k->len : wlen);
	if (c)
		return c;
	return (k->len > wlen) - (k->len < wlen);
}

int analyzer_is_stopword(const char *word, size_t len)
{
	if (len == 0 || len > STOPWORD_MAX_LEN)
		return 0;
	struct bytes k = { word, len };
	return bsearch(&k, stopwords, STOPWORD_COUNT, sizeof stopwords[0], stopword_cmp) != NULL;
}

/* ---- UTF-8 and character classes ------------------------------------------------ */

/*
 * Decode one code point at s[0..len). Returns its length, or 0 for an invalid sequence
 * (truncated, overlong, surrogate, beyond U+10FFFF): the caller skips one byte.
 */
static size_t utf8_decode(const unsigned char *s, size_t len, int32_t *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = (int32_t)c;
		return 1;
	}
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		if (len < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		*cp = (int32_t)(((c & 0x1Fu) << 6) | (s[1] & 0x3Fu));
		return 2;
	}
	if (c < 0xF0) {
		if (len < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		uint32_t v = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
		if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = (int32_t)v;
		return 3;
	}
	if (c < 0xF5) {
		if (len < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		uint32_t v = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) |
			     ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
		if (v < 0x10000 || v > 0x10FFFF)
			return 0;
		*cp = (int32_t)v;
		return 4;
	}
	return 0;
}

/* Length of `len` bytes of valid UTF-8 cut to at most `max` bytes without splitting a character. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

enum cclass {
	C_SEP,      /* anything that ends a word */
	C_LETTER,
	C_MARK,     /* combining mark: continues a word, never starts one */
	C_DIGIT,
	C_APOS,     /* joins two letters */
	C_DECSEP,   /* , or . : joins two digits */
	C_GROUPSEP, /* NBSP, NNBSP, thin space: joins a digit group to the next three digits */
};

static const unsigned char ascii_class[128] = {
	['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT, ['4'] = C_DIGIT,
	['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT, ['8'] = C_DIGIT, ['9'] = C_DIGIT,
	['A'] = C_LETTER, ['B'] = C_LETTER, ['C'] = C_LETTER, ['D'] = C_LETTER,
	['E'] = C_LETTER, ['F'] = C_LETTER, ['G'] = C_LETTER, ['H'] = C_LETTER,
	['I'] = C_LETTER, ['J'] = C_LETTER, ['K'] = C_LETTER, ['L'] = C_LETTER,
	['M'] = C_LETTER, ['N'] = C_LETTER, ['O'] = C_LETTER, ['P'] = C_LETTER,
	['Q'] = C_LETTER, ['R'] = C_LETTER, ['S'] = C_LETTER, ['T'] = C_LETTER,
	['U'] = C_LETTER, ['V'] = C_LETTER, ['W'] = C_LETTER, ['X'] = C_LETTER,
	['Y'] = C_LETTER, ['Z'] = C_LETTER,
	['a'] = C_LETTER, ['b'] = C_LETTER, ['c'] = C_LETTER, ['d'] = C_LETTER,
	['e'] = C_LETTER, ['f'] = C_LETTER, ['g'] = C_LETTER, ['h'] = C_LETTER,
	['i'] = C_LETTER, ['j'] = C_LETTER, ['k'] = C_LETTER, ['l'] = C_LETTER,
	['m'] = C_LETTER, ['n'] = C_LETTER, ['o'] = C_LETTER, ['p'] = C_LETTER,
	['q'] = C_LETTER, ['r'] = C_LETTER, ['s'] = C_LETTER, ['t'] = C_LETTER,
	['u'] = C_LETTER, ['v'] = C_LETTER, ['w'] = C_LETTER, ['x'] = C_LETTER,
	['y'] = C_LETTER, ['z'] = C_LETTER,
	['\''] = C_APOS, [','] = C_DECSEP, ['.'] = C_DECSEP,
};

static int is_apostrophe(int32_t cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0xFF07;
}

size_t analyzer_apostrophe_len(const char *s, size_t n)
{
	int32_t cp;
	size_t k = n ? utf8_decode((const unsigned char *)s, n, &cp) : 0;
	return k && is_apostrophe(cp) ? k : 0;
}

static enum cclass char_class(int32_t cp)
{
	if (cp < 0x80)
		return (enum cclass)ascii_class[cp];
	/* before the category: U+02BC is a letter (Lm) to Unicode, an apostrophe to us */
	if (is_apostrophe(cp))
		return C_APOS;
	if (cp == 0x00A0 || cp == 0x202F || cp == 0x2009)
		return C_GROUPSEP;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return C_LETTER;
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return C_MARK;
	case UTF8PROC_CATEGORY_ND:
		return C_DIGIT;
	default:
		return C_SEP;
	}
}

static int is_ascii_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* ---- normalization and folding ---------------------------------------------------- */

/*
 * Append the UTF-8 of `cp` to out[*n..cap), after the explicit mappings the spec asks
 * for (œ -> oe, æ -> ae, ﬁ/ﬂ -> fi/fl, apostrophes -> '). Returns 0 when it does not fit:
 * the caller stops there, so the output is cut at a character boundary.
 */
static int put_mapped(char *out, size_t *n, size_t cap, int32_t cp)
{
	const char *two = NULL;
	switch (cp) {
	case 0x0153: two = "oe"; break; /* œ (Œ is lowered before) */
	case 0x00E6: two = "ae"; break; /* æ */
	case 0xFB01: two = "fi"; break;
	case 0xFB02: two = "fl"; break;
	default: break;
	}
	if (two) {
		if (*n + 2 > cap)
			return 0;
		out[(*n)++] = two[0];
		out[(*n)++] = two[1];
		return 1;
	}
	if (is_apostrophe(cp))
		cp = '\'';
	utf8proc_uint8_t buf[4];
	size_t k = (size_t)utf8proc_encode_char(cp, buf);
	if (k == 0 || *n + k > cap)
		return 0;
	memcpy(out + *n, buf, k);
	*n += k;
	return 1;
}

/*
 * Lowercase is utf8proc's per-character mapping: it covers every cased script; the only
 * multi-character full mapping (İ -> i + U+0307) would hurt search, so i it is.
 */
static utf8proc_int32_t lower_cp(utf8proc_int32_t cp, void *unused)
{
	(void)unused;
	return utf8proc_tolower(cp);
}

/*
 * The scanned word (valid UTF-8 in a->raw) -> lowercase NFC with the explicit mappings,
 * into a->norm. Returns the length.
 */
static size_t normalize_word(analyzer *a, int32_t max_cp)
{
	const char *raw = a->raw;
	size_t len = a->raw_len, n = 0;

	if (max_cp < 0x80) {
		/* ASCII: lowercase bytes, nothing else can change */
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)raw[i];
			a->norm[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		a->norm[len] = '\0';
		return len;
	}

	if (max_cp < 0x300) {
		/*
		 * Below U+0300 there is no combining mark and nothing NFC would change: the
		 * word is already NFC (the usual case for French), lowercase each character.
		 */
		const unsigned char *r = (const unsigned char *)raw;
		char *out = a->norm;
		size_t i = 0;
		while (i < len) {
			unsigned char c = r[i];
			if (c < 0x80) {
				out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
				i++;
				continue;
			}
			if (i + 1 >= len) /* cannot happen: raw is valid UTF-8 */
				break;
			/* below U+0300 every non-ASCII character is two bytes */
			int32_t cp = utf8proc_tolower((int32_t)(((c & 0x1Fu) << 6) | (r[i + 1] & 0x3Fu)));
			i += 2;
			if (cp >= 0x80 && cp < 0x800 && cp != 0x0153 && cp != 0x00E6) {
				out[n++] = (char)(0xC0 | (cp >> 6));
				out[n++] = (char)(0x80 | (cp & 0x3F));
			} else if (!put_mapped(out, &n, NORM_MAX, cp)) {
				break;
			}
		}
		out[n] = '\0';
		return n;
	}

	/* General case: lowercase, canonical decomposition and ordering, composition. */
	utf8proc_ssize_t ncp = utf8proc_decompose_custom((const utf8proc_uint8_t *)raw,
							 (utf8proc_ssize_t)len, a->cps, CP_MAX,
							 UTF8PROC_STABLE | UTF8PROC_COMPOSE,
							 lower_cp, NULL);
	if (ncp >= 0 && ncp <= CP_MAX)
		ncp = utf8proc_normalize_utf32(a->cps, ncp, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (ncp < 0 || ncp > CP_MAX) {
		/* cannot happen on valid UTF-8 of WORD_MAX bytes; keep the word, unnormalized */
		size_t i = 0;
		while (i < len) {
			int32_t cp;
			size_t k = utf8_decode((const unsigned char *)raw + i, len - i, &cp);
			i += k ? k : 1;
			if (k && !put_mapped(a->norm, &n, NORM_MAX, utf8proc_tolower(cp)))
				break;
		}
		a->norm[n] = '\0';
		return n;
	}
	for (utf8proc_ssize_t j = 0; j < ncp; j++)
		if (!put_mapped(a->norm, &n, NORM_MAX, a->cps[j]))
			break;
	a->norm[n] = '\0';
	return n;
}

size_t analyzer_fold(const char *in, size_t len, char *out, size_t cap)
{
	size_t n = 0, i = 0;
	if (cap == 0)
		return 0;
	cap--; /* room for the NUL */
	while (i < len) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x80) {
			if (n >= cap)
				break;
			out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			i++;
			continue;
		}
		int32_t cp;
		size_t k = utf8_decode((const unsigned char *)in + i, len - i, &cp);
		if (k == 0) { /* invalid byte: dropped, the output stays valid UTF-8 */
			i++;
			continue;
		}
		i += k;
		cp = utf8proc_tolower(cp);
		if (cp >= 0xAC00 && cp <= 0xD7A3) {
			/* Hangul syllables decompose into letters, not marks: keep them whole */
			if (!put_mapped(out, &n, cap, cp))
				break;
			continue;
		}
		/* canonical decomposition with the marks dropped: é -> e, ç -> c, î -> i */
		utf8proc_int32_t parts[8];
		int boundclass = 0;
		utf8proc_ssize_t np = utf8proc_decompose_char(cp, parts, 8,
							      UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK,
							      &boundclass);
		if (np < 0 || np > 8) {
			parts[0] = cp;
			np = 1;
		}
		int full = 0;
		for (utf8proc_ssize_t j = 0; j < np && !full; j++)
			full = !put_mapped(out, &n, cap, parts[j]);
		if (full)
			break;
	}
	out[n] = '\0';
	return n;
}

/* ---- stem cache ----------------------------------------------------------------- */

uint32_t analyzer_word_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a: words are short, this is plenty */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* The live slot holding `key`, or NULL; *free_slot gets where it would go. */
static struct cache_slot *cache_find(analyzer *a, const char *key, size_t klen, uint32_t h,
				     struct cache_slot **free_slot)
{
	uint32_t i = h & (a->nslots - 1);
	for (;;) {
		struct cache_slot *s = &a->slots[i];
		if (s->gen != a->cache_gen) {
			*free_slot = s;
			return NULL;
		}
		if (s->hash == h && s->klen == klen && memcmp(a->arena + s->off, key, klen) == 0)
			return s;
		i = (i + 1) & (a->nslots - 1);
	}
}

/* Twice the slots, the live ones rehashed; 0, or -1 when out of memory. */
static int cache_grow_slots(analyzer *a)
{
	uint32_t n = a->nslots * 2;
	struct cache_slot *v = calloc(n, sizeof *v), *old = a->slots;
	if (!v)
		return -1;
	for (uint32_t k = 0; k < a->nslots; k++) {
		if (old[k].gen != a->cache_gen)
			continue;
		uint32_t i = old[k].hash & (n - 1);
		while (v[i].gen == a->cache_gen)
			i = (i + 1) & (n - 1);
		v[i] = old[k];
	}
	free(old);
	a->slots = v;
	a->nslots = n;
	return 0;
}

/* Room for `need` more bytes in the arena, doubling it while it may; 0 or -1. */
static int cache_grow_arena(analyzer *a, size_t need)
{
	uint32_t cap = a->arena_cap;
	while (a->arena_used + need > cap && cap < CACHE_ARENA)
		cap = cap * 2 < CACHE_ARENA ? cap * 2 : CACHE_ARENA;
	if (a->arena_used + need > cap)
		return -1;
	if (cap != a->arena_cap) {
		char *p = realloc(a->arena, cap);
		if (!p)
			return -1;
		a->arena = p;
		a->arena_cap = cap;
	}
	return 0;
}

static void cache_put(analyzer *a, struct cache_slot *slot, const char *key, size_t klen,
		      uint32_t h, unsigned flags, const char *term, size_t tlen, const char *alt,
		      size_t alen)
{
	size_t need = klen + tlen + alen + 3;
	/* at most half full, so that probes stay short: grow, else start over below */
	if (a->cache_count + 1 > a->nslots / 2 && a->nslots < CACHE_SLOTS &&
	    cache_grow_slots(a) == 0)
		cache_find(a, key, klen, h, &slot); /* the slots moved */
	if (a->cache_count >= CACHE_MAX_ENTRIES || a->cache_count + 1 > a->nslots / 2 ||
	    cache_grow_arena(a, need) != 0) {
		/* full: start over rather than manage eviction; frequent words come back fast */
		a->cache_gen++;
		a->cache_count = 0;
		a->arena_used = 0;
		cache_find(a, key, klen, h, &slot);
	}
	char *p = a->arena + a->arena_used;
	memcpy(p, key, klen);
	p[klen] = '\0';
	memcpy(p + klen + 1, term, tlen);
	p[klen + 1 + tlen] = '\0';
	memcpy(p + klen + tlen + 2, alt, alen);
	p[klen + tlen + 2 + alen] = '\0';
	slot->gen = a->cache_gen;
	slot->hash = h;
	slot->off = a->arena_used;
	slot->klen = (uint8_t)klen;
	slot->tlen = (uint8_t)tlen;
	slot->alen = (uint8_t)alen;
	slot->flags = (uint8_t)flags;
	a->arena_used += (uint32_t)need;
	a->cache_count++;
}

/* ---- analyzer ------------------------------------------------------------------- */

analyzer *analyzer_new(void)
{
	analyzer *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->stemmer = sb_stemmer_new("french", "UTF_8");
	if (!a->stemmer) {
		free(a);
		return NULL;
	}
	a->nslots = CACHE_SLOTS_MIN;
	a->arena_cap = CACHE_ARENA_MIN;
	a->slots = calloc(a->nslots, sizeof *a->slots);
	a->arena = malloc(a->arena_cap);
	if (!a->slots || !a->arena) {
		analyzer_free(a);
		return NULL;
	}
	a->cache_gen = 1; /* calloc'd slots have gen 0: all free */
	return a;
}

void analyzer_free(analyzer *a)
{
	if (!a)
		return;
	sb_stemmer_delete(a->stemmer);
	free(a->slots);
	free(a->arena);
	free(a);
}

/* Stem `w` into a->stem; returns its length, or -1 when the stemmer is out of memory. */
static long stem_into(analyzer *a, const char *w, size_t len)
{
	const sb_symbol *s = sb_stemmer_stem(a->stemmer, (const sb_symbol *)w, (int)len);
	if (!s)
		return -1;
	size_t n = utf8_cut((const char *)s, (size_t)sb_stemmer_length(a->stemmer), NORM_MAX);
	memcpy(a->stem, s, n);
	a->stem[n] = '\0';
	return (long)n;
}

/* term = fold(stem(w)), alt = stem(fold(w)) when different (else alt is ""). */
static int stem_and_fold(analyzer *a, const char *w, size_t len, size_t *tlen, size_t *alen)
{
	long sl = stem_into(a, w, len);
	if (sl < 0)
		return -1;
	*tlen = analyzer_fold(a->stem, (size_t)sl, a->term, sizeof a->term);

	size_t fl = analyzer_fold(w, len, a->folded, sizeof a->folded);
	if (fl != len || memcmp(a->folded, w, len) != 0) {
		sl = stem_into(a, a->folded, fl);
		if (sl < 0)
			return -1;
	} /* else stem(fold(w)) = stem(w), already in a->stem */
	size_t al = utf8_cut(a->stem, (size_t)sl, ANALYZER_MAX_TERM);
	if (al == *tlen && memcmp(a->stem, a->term, al) == 0) {
		al = 0;
	} else {
		memcpy(a->alt, a->stem, al);
	}
	a->alt[al] = '\0';
	*alen = al;
	return 0;
}

/* The 13 elided forms (Lucene's French ElisionFilter), `p` being the part before the '. */
static int is_elision(const char *p, size_t n)
{
	switch (n) {
	case 1:
		return p[0] != '\0' && strchr("lmtnsjdc", p[0]) != NULL;
	case 2:
		return memcmp(p, "qu", 2) == 0;
	case 5:
		return memcmp(p, "jusqu", 5) == 0;
	case 6:
		return memcmp(p, "quoiqu", 6) == 0 || memcmp(p, "lorsqu", 6) == 0 ||
		       memcmp(p, "puisqu", 6) == 0;
	default:
		return 0;
	}
}

/* analyzer_token.exact of the word w[0..n): NULL for a pure-ASCII word. */
static const char *exact_form(analyzer *a, const char *w, size_t n)
{
	size_t i = 0;
	while (i < n && (unsigned char)w[i] < 0x80)
		i++;
	if (i == n)
		return NULL;
	if (n > 3 && (w[n - 1] == 's' || w[n - 1] == 'x'))
		n--;
	memcpy(a->exact, w, n);
	a->exact[n] = '\0';
	return a->exact;
}

struct emitter {
	analyzer_emit_fn emit;         /* analyzer_run: non-stopwords only */
	analyzer_emit_all_fn emit_all; /* analyzer_run_all: stopwords too */
	const analyzer_filter *filter; /* analyzer_run_filtered: the words worth analyzing */
	void *userdata;
};

/* analyzer_token's word_hash (`hash`, that of the `n` bytes at w) and its word_chars and
   word_digit. */
static void word_shape(const char *w, size_t n, uint32_t hash, analyzer_token *t)
{
	unsigned chars = 0, digit = 0;
	for (size_t i = 0; i < n; i++) {
		digit |= w[i] >= '0' && w[i] <= '9';
		chars += ((unsigned char)w[i] & 0xC0) != 0x80;
	}
	t->word_hash = hash;
	t->word_chars = (uint8_t)(chars < 63 ? chars : 63);
	t->word_digit = (uint8_t)digit;
}

/*
 * The word a->raw, found at text[start..end), at position `pos`: normalize, elide,
 * drop or stem, emit. Returns 0, the callback's value, or -1 (out of memory).
 */
static int process_word(analyzer *a, int32_t max_cp, int has_apos, uint32_t pos, size_t start,
			size_t end, const struct emitter *em)
{
	size_t wlen = normalize_word(a, max_cp);
	char *w = a->norm;

	char *apos = has_apos ? memchr(w, '\'', wlen) : NULL;
	if (apos && is_elision(w, (size_t)(apos - w))) {
		wlen -= (size_t)(apos - w) + 1;
		w = apos + 1;
	}
	if (wlen == 0)
		return 0;

	analyzer_token tok = { .pos = pos, .start = start, .end = end };
	size_t wcut = utf8_cut(w, wlen, ANALYZER_MAX_TERM);
	int stop = 0;

	int32_t first;
	if (!utf8_decode((const unsigned char *)w, wlen, &first))
		first = 0;
	tok.word_len = (uint32_t)wcut;
	if (char_class(first) == C_DIGIT) {
		/* numbers are kept as written (lowercased, group spaces removed) */
		w[wcut] = '\0';
		tok.term = tok.word = w;
		word_shape(w, wcut, analyzer_word_hash(w, wcut), &tok);
	} else {
		/* a cached word is never cut: CACHE_KEY_MAX is ANALYZER_MAX_TERM */
		uint32_t h = analyzer_word_hash(w, wlen);
		struct cache_slot *free_slot = NULL;
		struct cache_slot *hit = wlen <= CACHE_KEY_MAX
						 ? cache_find(a, w, wlen, h, &free_slot)
						 : NULL;
		if (hit) {
			const char *k = a->arena + hit->off;
			stop = hit->flags & SLOT_STOP;
			tok.term = k + hit->klen + 1;
			tok.alt = hit->alen ? tok.term + hit->tlen + 1 : NULL;
			tok.word_hash = h;
			tok.word_chars = (uint8_t)(hit->flags >> 2);
			tok.word_digit = (hit->flags & SLOT_DIGIT) != 0;
		} else {
			size_t tlen = 0, alen = 0;
			stop = analyzer_is_stopword(w, wlen);
			if (!stop && stem_and_fold(a, w, wlen, &tlen, &alen) < 0)
				return -1;
			if (stop)
				a->term[0] = a->alt[0] = '\0';
			word_shape(w, wcut, wcut == wlen ? h : analyzer_word_hash(w, wcut), &tok);
			if (free_slot)
				cache_put(a, free_slot, w, wlen, h,
					  (stop ? SLOT_STOP : 0u) | (tok.word_digit ? SLOT_DIGIT : 0u) |
						  (unsigned)tok.word_chars << 2,
					  a->term, tlen, a->alt, alen);
			tok.term = a->term;
			tok.alt = alen ? a->alt : NULL;
		}
		w[wcut] = '\0';
		tok.word = w;
		if (stop) {
			tok.term = w;
			tok.alt = NULL;
		} else {
			tok.exact = exact_form(a, w, wcut);
		}
	}

	if (tok.term[0] == '\0') /* nothing left once folded: no token, the position stays */
		return 0;
	if (stop)
		return em->emit_all ? em->emit_all(&tok, 1, em->userdata) : 0;
	if (em->emit_all)
		return em->emit_all(&tok, 0, em->userdata);
	return em->emit(&tok, em->userdata);
}

/* Append k bytes to the scanned word, if they still fit. */
static inline void raw_append(analyzer *a, const unsigned char *src, size_t k, int *full)
{
	if (*full)
		return;
	if (a->raw_len + k > WORD_MAX) {
		*full = 1; /* keep a prefix only; never skip a character and take a later one */
		return;
	}
	for (size_t j = 0; j < k; j++)
		a->raw[a->raw_len + j] = (char)src[j];
	a->raw_len += k;
}

/* Decode and classify the character at s[i]; 0 bytes means an invalid sequence. */
static inline size_t next_char(const unsigned char *s, size_t len, size_t i, int32_t *cp,
			       enum cclass *c)
{
	if (s[i] < 0x80) {
		*cp = s[i];
		*c = (enum cclass)ascii_class[s[i]];
		return 1;
	}
	size_t k = utf8_decode(s + i, len - i, cp);
	*c = k ? char_class(*cp) : C_SEP;
	return k;
}

/* ---- filter ---------------------------------------------------------------------- */

void analyzer_filter_init(analyzer_filter *f)
{
	memset(f, 0, sizeof *f);
}

void analyzer_filter_add(analyzer_filter *f, const char *term)
{
	unsigned char c = (unsigned char)term[0], d = c ? (unsigned char)term[1] : 0;
	/* a term starting with another byte comes from a word starting with a non-ASCII
	   character, which the filter always admits */
	if (!c) { /* an empty prefix: every word */
		memset(f->first, 1, sizeof f->first);
	} else if (c < 0x80 && d >= 'a' && d <= 'z' && f->first[c] != 1) {
		f->first[c] = 2;
		f->second[c][d >> 3] |= (unsigned char)(1u << (d & 7));
	} else if (c < 0x80) { /* one character, or a second that is not a letter */
		f->first[c] = 1;
	}
}

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Whether a word whose raw bytes start at w (n of them, n > 0) may be wanted. */
static int filter_admits_start(const analyzer_filter *f, const unsigned char *w, size_t n)
{
	if (w[0] >= 0x80)
		return 1;
	unsigned char c = ascii_lower(w[0]), k = f->first[c];
	if (k != 2)
		return k;
	unsigned char d = n > 1 ? ascii_lower(w[1]) : 0;
	if (d < 'a' || d > 'z') /* a mark, an apostrophe, a digit, non-ASCII: not judged */
		return 1;
	return f->second[c][d >> 3] >> (d & 7) & 1;
}

/*
 * Whether the scanned word raw[0..len) may analyze to a term (or alt) of the filter.
 * Snowball's French stemmer never changes a word's first two characters: its suffix
 * rules act inside regions that start at the third character at the earliest, and the
 * rules that ignore the regions (plural s, undoubling, é/è -> e, y/u/i case marks) act
 * on the last characters (leaving one at the least) or vanish once folded. Folding
 * keeps an ASCII letter (lowercased) and NFC only composes marks onto it, numbers are
 * kept as written: so a word whose first character is ASCII yields terms starting with
 * that character, lowercased, and one whose first two are ASCII letters terms of two
 * characters or more starting with those two (tests/test_analyzer_filter.c checks both
 * over corpus/). After an apostrophe the word may be elided (l'armée -> armée): either
 * start admits it.
 */
static int filter_admits(const analyzer_filter *f, const char *raw, size_t len, int has_apos)
{
	const unsigned char *w = (const unsigned char *)raw;
	if (len == 0 || filter_admits_start(f, w, len))
		return 1;
	const unsigned char *apos = has_apos ? memchr(w, '\'', len) : NULL;
	return apos && apos + 1 < w + len && filter_admits_start(f, apos + 1, (size_t)(w + len - apos - 1));
}

/* Both entry points: cut words, track offsets and positions, hand each word over. */
static int analyze(analyzer *a, const char *text, size_t len, uint32_t *pos,
		   const struct emitter *em)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t p = pos ? *pos : 0;
	size_t i = 0;
	int rc = 0;

	while (i < len) {
		int32_t cp;
		enum cclass c;
		size_t k = next_char(s, len, i, &cp, &c);
		if (c != C_LETTER && c != C_DIGIT) {
			i += k ? k : 1; /* an invalid byte is a separator too */
			continue;
		}

		/* a word starts here */
		size_t start = i;
		int full = 0;
		int32_t max_cp = 0;
		int after_letter = 0; /* the last letter or digit was a letter: ' may join */
		int prev_digit = 0;   /* the last character was a digit: , . and group spaces may join */
		int group_len = 0;    /* digits in the current digit group, 4 = "too many / not a number" */
		int has_apos = 0;
		a->raw_len = 0;

		for (;;) {
			/* the common case: a run of ASCII letters and digits (the length in a
			   local: a->raw_len, which the bytes stored may alias, would be reloaded
			   at each one) */
			size_t rl = a->raw_len;
			while (i < len && s[i] < 0x80) {
				unsigned char b = s[i];
				if (ascii_class[b] == C_LETTER) {
					after_letter = 1;
					prev_digit = 0;
					group_len = 4;
				} else if (ascii_class[b] == C_DIGIT) {
					after_letter = 0;
					prev_digit = 1;
					if (group_len < 4)
						group_len++;
				} else {
					break;
				}
				if (!full && rl < WORD_MAX)
					a->raw[rl++] = (char)b;
				else
					full = 1;
				i++;
			}
			a->raw_len = rl;
			if (i >= len)
				break;

			k = next_char(s, len, i, &cp, &c);
			if (k == 0)
				break;
			if (c == C_LETTER || c == C_DIGIT || c == C_MARK) {
				prev_digit = (c == C_DIGIT);
				if (c == C_DIGIT) {
					after_letter = 0;
					if (group_len < 4)
						group_len++;
				} else {
					if (c == C_LETTER)
						after_letter = 1;
					group_len = 4; /* a letter or mark: no digit group here */
				}
				if (cp > max_cp)
					max_cp = cp;
				raw_append(a, s + i, k, &full);
				i += k;
				continue;
			}
			if (c == C_APOS && after_letter && i + k < len) {
				int32_t next;
				enum cclass nc;
				if (next_char(s, len, i + k, &next, &nc) && nc == C_LETTER) {
					/* stored as ASCII ': max_cp is unchanged */
					raw_append(a, (const unsigned char *)"'", 1, &full);
					has_apos = 1;
					i += k;
					continue;
				}
			}
			if (c == C_DECSEP && prev_digit && i + 1 < len && s[i + 1] < 0x80 &&
			    ascii_class[s[i + 1]] == C_DIGIT) {
				raw_append(a, s + i, 1, &full);
				prev_digit = 0;
				group_len = 4; /* decimals do not take digit-group spaces */
				i += k;
				continue;
			}
			if (c == C_GROUPSEP && prev_digit && group_len <= 3) {
				/* "12 000": exactly three digits follow, then no digit */
				size_t d = i + k;
				if (d + 3 <= len && is_ascii_digit(s[d]) && is_ascii_digit(s[d + 1]) &&
				    is_ascii_digit(s[d + 2]) && (d + 3 == len || !is_ascii_digit(s[d + 3]))) {
					group_len = 0; /* the separator itself is dropped */
					i += k;
					continue;
				}
			}
			break;
		}

		if (!em->filter || filter_admits(em->filter, a->raw, a->raw_len, has_apos))
			rc = process_word(a, max_cp, has_apos, p + 1, start, i, em);
		/* every word takes a position, stopwords included */
		p++;
		if (rc)
			break;
	}
	if (pos)
		*pos = p;
	return rc;
}

int analyzer_run(analyzer *a, const char *text, size_t len, uint32_t *pos,
		 analyzer_emit_fn emit, void *userdata)
{
	struct emitter em = { .emit = emit, .userdata = userdata };
	return analyze(a, text, len, pos, &em);
}

int analyzer_run_filtered(analyzer *a, const char *text, size_t len, uint32_t *pos,
			  const analyzer_filter *filter, analyzer_emit_fn emit, void *userdata)
{
	struct emitter em = { .emit = emit, .filter = filter, .userdata = userdata };
	return analyze(a, text, len, pos, &em);
}

int analyzer_run_all_filtered(analyzer *a, const char *text, size_t len, uint32_t *pos,
			      const analyzer_filter *filter, analyzer_emit_all_fn emit,
			      void *userdata)
{
	struct emitter em = { .emit_all = emit, .filter = filter, .userdata = userdata };
	return analyze(a, text, len, pos, &em);
}

int analyzer_run_all(analyzer *a, const char *text, size_t len, uint32_t *pos,
		     analyzer_emit_all_fn emit, void *userdata)
{
	struct emitter em = { .emit_all = emit, .userdata = userdata };
	return analyze(a, text, len, pos, &em);
}
