/*
 * HTML -> article, through libxml2's HTML parser (htmlReadMemory).
 *
 * The bytes are first given a charset (a BOM, then <meta charset> / http-equiv / the
 * XML declaration, then "UTF-8 if valid, else Windows-1252") and converted to UTF-8
 * here: the Latin-1 family by a table, other charsets (ISO-8859-15, UTF-16,
 * ISO-2022-JP...) by iconv. libxml2 always gets valid UTF-8, so it never switches
 * encodings half-way through a page, never stops at a byte its converter rejects, and
 * never prints an encoding error.
 *
 * The tree is then read in two walks, both iterative over parent/next pointers (no
 * recursion, no stack: 100,000 nested divs cost nothing but time):
 *   1. the whole document: <title>, <meta>, <link>, <body>, <main>, <article>s;
 *   2. the content root (the largest <article>, else <main>/role=main, else <body>)
 *      minus chrome: text by paragraphs, the first <h1> and heading, byline, <time>.
 * Nothing global is mutated: every call has its own parser context and document.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "readers.h"
#include "strbuf.h"
#include "utf8.h"

#define TITLE_MAX 500	/* bytes; a longer "title" is a paragraph, cut at a word */
#define AUTHOR_MAX 80	/* bytes; a longer byline is prose, not a name */
#define URL_MAX 2048
#define TAGS_MAX 1000
#define SNIFF_WINDOW 8192 /* bytes searched for <meta charset>: comments and inline
			     styles can push it past the 1024 bytes HTML5 looks at */
#define MAX_ARTICLES 32	  /* top-level <article>s compared for the content root */

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* ---- charset --------------------------------------------------------------------- */

/* Windows-1252's 0x80-0x9F as code points; the five bytes it leaves undefined (where
   browsers show invisible C1 controls) become spaces. */
static const unsigned short cp1252_c1[32] = {
	0x20AC, 0x0020, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x0020, 0x017D, 0x0020,
	0x0020, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x0020, 0x017E, 0x0178,
};

static size_t put_cp1252(unsigned char c, unsigned char *o)
{
	unsigned cp = c >= 0x80 && c < 0xA0 ? cp1252_c1[c - 0x80] : c;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	o[0] = (unsigned char)(0xE0 | cp >> 12);
	o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp & 0x3F));
	return 3;
}

static bool valid_utf8(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t n = utf8_seq_len(p, (size_t)(end - p));
		if (!n)
			return false;
		p += n;
	}
	return true;
}

/*
 * To UTF-8: each byte as Windows-1252 (`mixed` false), or valid UTF-8 sequences kept and
 * only the stray bytes read as Windows-1252 (`mixed` true: a page declared UTF-8 with a
 * few Latin-1 bytes pasted in). NULL when out of memory.
 */
static char *to_utf8(const unsigned char *p, size_t len, bool mixed, size_t *outlen)
{
	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	unsigned char *out = malloc(len * 3 + 1), *o = out;
	if (!out)
		return NULL;
	const unsigned char *end = p + len;
	while (p < end) {
		size_t n = mixed ? utf8_seq_len(p, (size_t)(end - p)) : (*p < 0x80);
		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			o += put_cp1252(*p++, o);
		}
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return (char *)out;
}

static bool ascii_prefix_ci(const unsigned char *p, const unsigned char *end, const char *w)
{
	for (; *w; w++, p++)
		if (p >= end || tolower(*p) != *w)
			return false;
	return true;
}

/* After "charset" or "encoding": [spaces] = [spaces] [quote] name. */
static bool read_charset_value(const unsigned char *p, const unsigned char *end, char name[40])
{
	while (p < end && isspace(*p))
		p++;
	if (p >= end || *p != '=')
		return false;
	p++;
	while (p < end && isspace(*p))
		p++;
	if (p < end && (*p == '"' || *p == '\''))
		p++;
	size_t n = 0;
	while (p < end && n < 39 &&
	       (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == ':'))
		name[n++] = (char)tolower(*p++);
	name[n] = '\0';
	return n > 0;
}

/*
 * The charset a page declares in its first SNIFF_WINDOW bytes: <meta charset=...>,
 * <meta http-equiv content="...; charset=...">, or <?xml ... encoding="..."?> at the
 * top. This is the HTML5 "prescan", which has to happen before parsing since the
 * parser needs the encoding first; comments are stepped over.
 */
static bool sniff_declared(const unsigned char *p, size_t len, char name[40])
{
	const unsigned char *end = p + (len < SNIFF_WINDOW ? len : SNIFF_WINDOW);
	const unsigned char *q = p;
	while (q < end && isspace(*q))
		q++;
	if (ascii_prefix_ci(q, end, "<?xml")) {
		const unsigned char *e = memchr(q, '>', (size_t)(end - q));
		for (const unsigned char *s = q; e && s + 8 < e; s++)
			if (ascii_prefix_ci(s, e, "encoding") && read_charset_value(s + 8, e, name))
				return true;
	}
	for (q = p; q < end; q++) {
		if (*q != '<')
			continue;
		if (ascii_prefix_ci(q, end, "<!--")) {
			const unsigned char *s = q + 4;
			while (s + 2 < end && !(s[0] == '-' && s[1] == '-' && s[2] == '>'))
				s++;
			q = s + 2;
			continue;
		}
		if (!ascii_prefix_ci(q, end, "<meta") || q + 5 >= end ||
		    !(isspace(q[5]) || q[5] == '/'))
			continue;
		const unsigned char *e = memchr(q, '>', (size_t)(end - q));
		if (!e)
			return false;
		for (const unsigned char *s = q + 5; s + 7 < e; s++)
			if (ascii_prefix_ci(s, e, "charset") && read_charset_value(s + 7, e, name))
				return true;
		q = e;
	}
	return false;
}

static bool name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

/* Labels that mean Windows-1252 (the WHATWG Encoding Standard reads Latin-1 and ASCII
   as 1252: pages declaring them routinely hold 0x80-0x9F quotes and dashes). */
static const char *const labels_1252[] = {
	"windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1",
	"iso-ir-100", "latin1", "l1", "ibm819", "cp819", "csisolatin1", "iso88591",
	"us-ascii", "ascii", "ansi_x3.4-1968", "iso_8859-1:1987", NULL,
};
static const char *const labels_utf8[] = {
	"utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8",
	/* a <meta> cannot declare UTF-16 (the meta itself would not be readable); HTML5
	   reads such pages as UTF-8 */
	"utf-16", "utf-16le", "utf-16be", "unicode", NULL,
};

typedef struct {
	const char *data; /* what libxml2 parses: always UTF-8 */
	size_t len;
	char *owned; /* a converted copy, freed after parsing */
} decoded;

/*
 * Other charsets (ISO-8859-15, UTF-16, ISO-2022-JP...) through iconv, here rather than
 * in libxml2: libxml2 stops the page at the first byte its converter rejects and
 * prints "encoding error" on stderr; here a bad byte becomes U+FFFD and the rest of
 * the page is read. Returns 0, 1 when iconv does not know `name`, -1 when out of
 * memory.
 */
static int iconv_to_utf8(const char *name, const unsigned char *p, size_t len, decoded *d)
{
	iconv_t cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return 1;
	/* a rejected sequence is skipped by one code unit */
	size_t unit = 1;
	if (!strncasecmp(name, "utf-16", 6) || !strncasecmp(name, "utf16", 5) ||
	    !strncasecmp(name, "ucs-2", 5) || !strncasecmp(name, "ucs2", 4))
		unit = 2;
	else if (!strncasecmp(name, "utf-32", 6) || !strncasecmp(name, "utf32", 5) ||
		 !strncasecmp(name, "ucs-4", 5) || !strncasecmp(name, "ucs4", 4))
		unit = 4;
	size_t cap = len * 2 + 64, used = 0, inleft = len;
	char *out = malloc(cap), *in = (char *)p;
	bool flushed = false;
	while (out) {
		char *o = out + used;
		size_t oleft = cap - used - 1; /* room for the final NUL */
		/* with the input done, one more call flushes a stateful encoding's shift */
		size_t r = inleft ? iconv(cd, &in, &inleft, &o, &oleft)
				  : iconv(cd, NULL, NULL, &o, &oleft);
		int err = r == (size_t)-1 ? errno : 0;
		used = (size_t)(o - out);
		if (err == E2BIG || (err == EILSEQ && cap - used - 1 < 3)) {
			char *bigger = cap < SIZE_MAX / 2 ? realloc(out, cap *= 2) : NULL;
			if (!bigger)
				free(out);
			out = bigger;
		} else if (err == EILSEQ) {
			memcpy(out + used, "\xEF\xBF\xBD", 3); /* U+FFFD, and read on */
			used += 3;
			size_t k = inleft < unit ? inleft : unit;
			in += k, inleft -= k;
		} else if (err || (!inleft && flushed)) {
			break; /* EINVAL: a sequence cut by the end of the file */
		} else if (!inleft) {
			flushed = true;
		}
	}
	iconv_close(cd);
	if (!out)
		return -1;
	out[used] = '\0';
	d->owned = out, d->data = out, d->len = used;
	return 0;
}

/* Returns 0, or -1 when out of memory. */
static int decode(const unsigned char *p, size_t len, decoded *d)
{
	memset(d, 0, sizeof *d);
	bool declared_utf8 = false;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3, len -= 3;
		declared_utf8 = true;
	} else if (len >= 2 && (memcmp(p, "\xFF\xFE", 2) == 0 || memcmp(p, "\xFE\xFF", 2) == 0)) {
		int r = iconv_to_utf8(p[0] == 0xFF ? "UTF-16LE" : "UTF-16BE", p + 2, len - 2, d);
		return r == 1 ? -1 : r; /* glibc always has UTF-16 */
	} else {
		char name[40];
		if (sniff_declared(p, len, name)) {
			if (name_in(name, labels_utf8)) {
				declared_utf8 = true;
			} else if (name_in(name, labels_1252)) {
				d->owned = to_utf8(p, len, false, &d->len);
				d->data = d->owned;
				return d->owned ? 0 : -1;
			} else {
				/* Another charset iconv knows; an unknown name falls through to
				   the undeclared case. */
				int r = iconv_to_utf8(name, p, len, d);
				if (r <= 0)
					return r;
			}
		}
	}
	if (valid_utf8(p, len)) {
		d->data = (const char *)p, d->len = len;
		return 0;
	}
	/* Declared UTF-8 but not quite: keep the UTF-8, read the stray bytes as 1252.
	   Undeclared and not UTF-8: a legacy page, all of it 1252. */
	d->owned = to_utf8(p, len, declared_utf8, &d->len);
	d->data = d->owned;
	return d->owned ? 0 : -1;
}

/* NUL and C0 control bytes in the first 4 KB: a binary file, not a page. (ESC is left
   out: ISO-2022-JP text is full of it.) */
static bool looks_binary(const unsigned char *p, size_t len)
{
	if (len >= 2 && (memcmp(p, "\xFF\xFE", 2) == 0 || memcmp(p, "\xFE\xFF", 2) == 0))
		return false;
	size_t n = len < 4096 ? len : 4096, ctl = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0)
			return true;
		if ((p[i] < 0x20 && !isspace(p[i]) && p[i] != 0x1B) || p[i] == 0x7F)
			ctl++;
	}
	return ctl > 8;
}

/* ---- the tree -------------------------------------------------------------------- */

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->name &&
	       xmlStrcasecmp(n->name, (const xmlChar *)name) == 0;
}

static bool name_among(const xmlNode *n, const char *const *names)
{
	if (n->type != XML_ELEMENT_NODE || !n->name)
		return false;
	for (; *names; names++)
		if (xmlStrcasecmp(n->name, (const xmlChar *)*names) == 0)
			return true;
	return false;
}

/* An attribute's value, borrowed from the tree; "" for a bare attribute (`hidden`),
   NULL when absent. The HTML parser stores a value as one text node. */
static const char *attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if (!a->name || xmlStrcasecmp(a->name, (const xmlChar *)name) != 0)
			continue;
		if (!a->children)
			return "";
		if (a->children->type == XML_TEXT_NODE && a->children->content)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

/* Whether the space-separated list `v` holds `word` (case-insensitive). */
static bool has_token(const char *v, const char *word)
{
	size_t wl = strlen(word);
	while (v && *v) {
		while (*v && isspace((unsigned char)*v))
			v++;
		const char *s = v;
		while (*v && !isspace((unsigned char)*v))
			v++;
		if ((size_t)(v - s) == wl && strncasecmp(s, word, wl) == 0)
			return true;
	}
	return false;
}

/*
 * An iterative walk over a subtree. enter() returns 1 to go into an element, 0 to skip
 * it (then leave() is not called for it), -1 to stop; text() gets text nodes (-1 stops).
 */
typedef struct {
	int (*enter)(void *ud, xmlNode *n);
	void (*leave)(void *ud, xmlNode *n);
	int (*text)(void *ud, const char *s);
} walk_ops;

static int walk_visit(xmlNode *n, const walk_ops *ops, void *ud)
{
	switch (n->type) {
	case XML_ELEMENT_NODE:
		return ops->enter ? ops->enter(ud, n) : 1;
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (ops->text && n->content && ops->text(ud, (const char *)n->content) < 0)
			return -1;
		return 0;
	case XML_DOCUMENT_NODE:
	case XML_HTML_DOCUMENT_NODE:
		return 1;
	default:
		return 0;
	}
}

static void walk(xmlNode *root, const walk_ops *ops, void *ud)
{
	xmlNode *n = root;
	int r = walk_visit(n, ops, ud);
	bool down = true; /* false when coming back up: the children are done */
	while (r >= 0) {
		if (down && r > 0 && n->children) {
			n = n->children;
			r = walk_visit(n, ops, ud);
			continue;
		}
		if (r > 0 && n->type == XML_ELEMENT_NODE && ops->leave)
			ops->leave(ud, n);
		if (n == root)
			return;
		if (n->next) {
			n = n->next;
			r = walk_visit(n, ops, ud);
			down = true;
		} else {
			n = n->parent;
			r = 1;
			down = false;
			if (!n)
				return;
		}
	}
}

/* ---- whitespace ------------------------------------------------------------------ */

/* Appends `s` to `b`, runs of white space (and control characters) as one space, none
   at the start; `*space` carries a pending space across calls. */
static void put_collapsed(strbuf *b, bool *space, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		if (*p <= 0x20 || *p == 0x7F) {
			*space = true;
			p++;
			continue;
		}
		const unsigned char *q = p;
		while (*q > 0x20 && *q != 0x7F)
			q++;
		if (*space && b->len)
			strbuf_put(b, " ", 1);
		*space = false;
		strbuf_put(b, (const char *)p, (size_t)(q - p));
		p = q;
	}
}

/* Blank characters that are not ASCII: trimmed from the ends of paragraphs and titles
   (kept inside, where a no-break space before ":" or in "12 000" means something). */
static size_t blank_at(const char *s, size_t n)
{
	static const char *const blanks[] = {
		"\xC2\xA0", "\xE2\x80\xAF", "\xE2\x80\x89", "\xE2\x80\x8B", "\xEF\xBB\xBF",
		"\xC2\x85", "\xE2\x80\x83", "\xE2\x80\x82", " ", NULL,
	};
	for (const char *const *b = blanks; *b; b++) {
		size_t l = strlen(*b);
		if (n >= l && memcmp(s, *b, l) == 0)
			return l;
	}
	return 0;
}

static size_t blank_before(const char *s, size_t n)
{
	for (size_t l = 1; l <= 3 && l <= n; l++)
		if (blank_at(s + n - l, l) == l)
			return l;
	return 0;
}

/* Trims s[0..*n) in place of its start (returns the new start) and end. */
static char *trim_blanks(char *s, size_t *n)
{
	size_t k;
	while (*n && (k = blank_at(s, *n)) != 0)
		s += k, *n -= k;
	while (*n && (k = blank_before(s, *n)) != 0)
		*n -= k;
	return s;
}

/* Runs of two or more blanks (spaces, no-break spaces) become one space, in place: a
   lone no-break space is kept ("12 000", "mot :"), "8.27.&nbsp; Titre" is not. */
static size_t blank_len(const char *s, size_t n)
{
	return n && s[0] == ' ' ? 1 : n >= 2 && memcmp(s, "\xC2\xA0", 2) == 0 ? 2 : 0;
}

static size_t squeeze(char *s, size_t n)
{
	size_t r = 0, w = 0;
	while (r < n) {
		size_t start = r, count = 0, k;
		while ((k = blank_len(s + r, n - r)) != 0)
			r += k, count++;
		if (count > 1) {
			s[w++] = ' ';
		} else if (count == 1) {
			memmove(s + w, s + start, r - start);
			w += r - start;
		} else {
			s[w++] = s[r++];
		}
	}
	return w;
}

/* Cuts s (length n) to at most `max` bytes, at a space when there is one in the second
   half, never inside a UTF-8 sequence. Returns the new length. */
static size_t cut_utf8(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t k = max;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	for (size_t j = k; j > max / 2; j--)
		if (s[j] == ' ')
			return j;
	return k;
}

/*
 * `hidden` spans that a script switches between: LibreOffice's help writes every menu
 * path twice (macOS and the rest), and whole passages once per module, all hidden until
 * its script shows one. A hidden <span> whose element siblings are all hidden too shows
 * nothing without the script: it is the page's text, not chrome. (A hidden block, a
 * dialog or a menu, is still dropped.)
 */
static bool hidden_alternative(const xmlNode *n)
{
	if (!is(n, "span") || !n->parent)
		return false;
	int elements = 0;
	for (const xmlNode *s = n->parent->children; s; s = s->next) {
		if (s->type == XML_TEXT_NODE) {
			for (const xmlChar *c = s->content; c && *c; c++)
				if (!isspace(*c))
					return false;
			continue;
		}
		if (s->type != XML_ELEMENT_NODE)
			continue;
		if (++elements > 16 || !attr(s, "hidden"))
			return false;
	}
	return true;
}

/* The text inside an element, collapsed, at most about `max` bytes; malloc'ed. */
typedef struct {
	strbuf b;
	bool space;
	size_t max;
	size_t budget; /* elements still to visit: bounds the cost of nested bylines */
} text_of_state;

static const char *const no_text_tags[] = {
	"script", "style", "noscript", "template", "svg", "math", "iframe", "object",
	"select", "textarea", "button", NULL,
};

static int text_of_enter(void *ud, xmlNode *n)
{
	text_of_state *t = ud;
	if (t->budget-- == 0)
		return -1;
	if (name_among(n, no_text_tags))
		return 0;
	const char *v = attr(n, "aria-hidden");
	if (v && !strcasecmp(v, "true"))
		return 0;
	if (attr(n, "hidden")) {
		/* Of script-switched alternatives, a title takes one: the last, the default
		   one where LibreOffice writes "macOS, default". */
		if (!hidden_alternative(n))
			return 0;
		for (const xmlNode *s = n->next; s; s = s->next)
			if (s->type == XML_ELEMENT_NODE)
				return 0;
	}
	/* <br> and table cells separate words, not only elements. */
	if (is(n, "br") || is(n, "td") || is(n, "th") || is(n, "li"))
		t->space = true;
	return 1;
}

static int text_of_text(void *ud, const char *s)
{
	text_of_state *t = ud;
	put_collapsed(&t->b, &t->space, s);
	return t->b.len > t->max ? -1 : 0;
}

static char *text_of(xmlNode *n, size_t max)
{
	static const walk_ops ops = {text_of_enter, NULL, text_of_text};
	text_of_state t = {{0}, false, max, 4096};
	walk(n, &ops, &t);
	if (t.b.oom) {
		strbuf_free(&t.b);
		return NULL;
	}
	size_t len = t.b.len;
	char *s = trim_blanks(t.b.s ? t.b.s : "", &len);
	len = cut_utf8(s, squeeze(s, len), max);
	char *r = dup_n(s, len);
	strbuf_free(&t.b);
	return r;
}

/* The same for an attribute value (a <meta> content). */
static char *collapse(const char *v, size_t max)
{
	strbuf b = {0};
	bool space = false;
	put_collapsed(&b, &space, v ? v : "");
	if (b.oom) {
		strbuf_free(&b);
		return NULL;
	}
	size_t len = b.len;
	char *s = trim_blanks(b.s ? b.s : "", &len);
	len = cut_utf8(s, squeeze(s, len), max);
	char *r = dup_n(s, len);
	strbuf_free(&b);
	return r;
}

/* ---- pass 1: the document's metadata -------------------------------------------- */

typedef struct {
	xmlNode *title, *body, *main;
	xmlNode *articles[MAX_ARTICLES];
	int narticles, in_article;
	const char *og_title, *site_name, *og_url, *canonical;
	const char *author, *article_author, *ip_author;
	const char *published, *ip_published, *date, *dc_date;
	const char *keywords;
	strbuf tags; /* article:tag values, ", "-joined */
} meta_state;

static void set_once(const char **slot, const char *v)
{
	if (!*slot && v && *v)
		*slot = v;
}

static void meta_key(meta_state *m, const char *key, const char *content)
{
	if (!key || !content)
		return;
	if (!strcasecmp(key, "og:title"))
		set_once(&m->og_title, content);
	else if (!strcasecmp(key, "og:site_name") || !strcasecmp(key, "application-name"))
		set_once(&m->site_name, content);
	else if (!strcasecmp(key, "og:url"))
		set_once(&m->og_url, content);
	else if (!strcasecmp(key, "author") || !strcasecmp(key, "dc.creator") ||
		 !strcasecmp(key, "dcterms.creator"))
		set_once(&m->author, content);
	else if (!strcasecmp(key, "article:author"))
		set_once(&m->article_author, content);
	else if (!strcasecmp(key, "article:published_time") ||
		 !strcasecmp(key, "og:published_time"))
		set_once(&m->published, content);
	else if (!strcasecmp(key, "datePublished"))
		set_once(&m->ip_published, content);
	else if (!strcasecmp(key, "date") || !strcasecmp(key, "pubdate") ||
		 !strcasecmp(key, "publish-date") || !strcasecmp(key, "publication_date"))
		set_once(&m->date, content);
	else if (!strncasecmp(key, "dc.date", 7) || !strcasecmp(key, "dcterms.date") ||
		 !strcasecmp(key, "dcterms.issued") || !strcasecmp(key, "dcterms.created"))
		set_once(&m->dc_date, content);
	else if (!strcasecmp(key, "keywords") || !strcasecmp(key, "news_keywords"))
		set_once(&m->keywords, content);
	else if (!strcasecmp(key, "article:tag") && m->tags.len < TAGS_MAX) {
		if (m->tags.len)
			strbuf_put(&m->tags, ", ", 2);
		strbuf_put(&m->tags, content, strlen(content));
	}
}

static int meta_enter(void *ud, xmlNode *n)
{
	meta_state *m = ud;
	if (is(n, "script") || is(n, "style") || is(n, "template") || is(n, "svg"))
		return 0;
	if (is(n, "meta")) {
		const char *content = attr(n, "content");
		meta_key(m, attr(n, "property"), content);
		meta_key(m, attr(n, "name"), content);
		const char *ip = attr(n, "itemprop");
		if (ip && !strcasecmp(ip, "author"))
			set_once(&m->ip_author, content);
		else
			meta_key(m, ip, content);
	} else if (is(n, "link")) {
		const char *rel = attr(n, "rel");
		if (rel && has_token(rel, "canonical"))
			set_once(&m->canonical, attr(n, "href"));
	} else if (is(n, "title")) {
		if (!m->title)
			m->title = n;
	} else if (is(n, "body")) {
		if (!m->body)
			m->body = n;
	} else if (is(n, "article")) {
		if (m->in_article++ == 0 && m->narticles < MAX_ARTICLES)
			m->articles[m->narticles++] = n;
	}
	if (n->type == XML_ELEMENT_NODE && !m->main) {
		const char *role = attr(n, "role");
		if (is(n, "main") || (role && !strcasecmp(role, "main")))
			m->main = n;
	}
	return 1;
}

static void meta_leave(void *ud, xmlNode *n)
{
	meta_state *m = ud;
	if (is(n, "article"))
		m->in_article--;
}

/* ---- pass 2: the text ------------------------------------------------------------ */

/* Never text: scripts, styles, forms and the page's chrome. */
static const char *const skip_tags[] = {
	"script", "style", "noscript", "template", "nav", "aside", "footer", "form",
	"button", "select", "textarea", "svg", "iframe", "object", "embed", "canvas",
	"video", "audio", "head", "title", "meta", "link", "dialog", "datalist", NULL,
};

/* Elements that end a paragraph where they start and where they end. */
static const char *const block_tags[] = {
	"p", "div", "li", "ul", "ol", "dl", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6",
	"tr", "table", "thead", "tbody", "tfoot", "caption", "pre", "blockquote", "section",
	"article", "main", "header", "figure", "figcaption", "address", "hr", "br", "center",
	"details", "summary", "fieldset", "legend", "hgroup", "body", "html", "menu", "dir",
	"listing", "xmp", "plaintext", NULL,
};

/* Parts of a class or id (split at '-' and '_') that name navigation chrome. Whole
   parts only: "menuchoice" and "guimenu" (DocBook's inline GUI labels) stay text. */
static const char *const chrome_words[] = {
	"menu", "nav", "navbar", "navigation", "breadcrumb", "breadcrumbs", "sidebar",
	"cookie", "cookies", "share", "sharing", "footer",
	/* navigation blocks of the generators behind much documentation */
	"navheader", "navfooter", "docnav", "tocframe", "sphinxsidebar", NULL,
};

static bool chrome_token(const char *s, size_t n)
{
	/* a whole class or id only: "hero-banner" may hold the article's title and lead */
	if (n == 6 && strncasecmp(s, "banner", 6) == 0)
		return true;
	/* "has-sidebar", "with-menu", "no-footer": a layout flag on a wrapper that holds
	   the content, not chrome itself */
	static const char *const flags[] = {"has-", "has_", "with-", "with_", "no-", "is-", NULL};
	for (const char *const *f = flags; *f; f++)
		if (n > strlen(*f) && strncasecmp(s, *f, strlen(*f)) == 0)
			return false;
	const char *end = s + n;
	while (s < end) {
		const char *p = s;
		while (p < end && *p != '-' && *p != '_')
			p++;
		size_t l = (size_t)(p - s);
		for (const char *const *w = chrome_words; *w; w++)
			if (strlen(*w) == l && strncasecmp(s, *w, l) == 0)
				return true;
		s = p + (p < end);
	}
	return false;
}

static bool chrome_attr(const char *v)
{
	while (v && *v) {
		while (*v && isspace((unsigned char)*v))
			v++;
		const char *s = v;
		while (*v && !isspace((unsigned char)*v))
			v++;
		if (v > s && chrome_token(s, (size_t)(v - s)))
			return true;
	}
	return false;
}

/* Whether a case-insensitive `needle` is in the first `max` bytes of `v`. */
static bool contains_ci(const char *v, const char *needle, size_t max)
{
	size_t nl = strlen(needle);
	for (size_t i = 0; v[i] && i < max; i++)
		if (strncasecmp(v + i, needle, nl) == 0)
			return true;
	return false;
}

static bool style_hides(const char *style)
{
	char c[256];
	size_t n = 0;
	for (const char *p = style; *p && n < sizeof c - 1; p++)
		if (!isspace((unsigned char)*p))
			c[n++] = (char)tolower((unsigned char)*p);
	c[n] = '\0';
	return strstr(c, "display:none") || strstr(c, "visibility:hidden");
}

typedef struct {
	xmlNode *root;
	bool strict;	/* skip elements whose class/id says chrome */
	int in_article; /* <header> inside an <article> holds its title and lead: kept */
	strbuf text, para;
	bool space;
	size_t first_end; /* end of the first paragraph in `text` */
	xmlNode *h1, *heading;
	bool h1_first; /* the first paragraph is the first <h1>'s text */
	int paras;
	char date_line[11]; /* from a date-only paragraph at the top */
	char *byline, *rel_author, *ip_author;
	const char *time; /* the first <time datetime>, or its text */
	char *time_text;
	const char *ip_published;
} text_state;

static void end_para(text_state *t)
{
	size_t n = t->para.len;
	char *s = trim_blanks(t->para.s ? t->para.s : "", &n);
	n = squeeze(s, n);
	/* A date line at the top ("12 avril 2023", "Publié le 1er mai 2023") is the
	   article's header, as in a plain-text article: a date, not text. */
	char date[11];
	if (n && t->paras < 3 && n <= 60 && article_parse_date(s, n, date) == 0) {
		if (!t->date_line[0])
			memcpy(t->date_line, date, sizeof date);
		n = 0;
	}
	if (n) {
		t->paras++;
		if (t->text.len)
			strbuf_put(&t->text, "\n\n", 2);
		strbuf_put(&t->text, s, n);
		if (!t->first_end)
			t->first_end = t->text.len;
	}
	t->para.len = 0;
	if (t->para.s)
		t->para.s[0] = '\0';
	t->space = false;
}

/* A word that starts a date: a digit ("12 mars", "1er") or a weekday. */
static bool starts_date_word(const char *w)
{
	static const char *const days[] = {"lundi", "mardi", "mercredi", "jeudi", "vendredi",
					   "samedi", "dimanche", NULL};
	if (isdigit((unsigned char)*w))
		return true;
	for (const char *const *d = days; *d; d++)
		if (strncasecmp(w, *d, strlen(*d)) == 0)
			return true;
	return false;
}

/* "Par Jean Dupont, envoyé spécial" -> "Jean Dupont"; NULL when it is not a name.
   `shown` for a line of the page (not a <meta>): it must read like a name, no long
   lower-case word ("Journaliste depuis vingt ans" is a biography). */
static char *clean_author(const char *v, bool shown)
{
	char *s = collapse(v, 400);
	if (!s)
		return NULL;
	char *p = s;
	static const char *const lead[] = {
		"publié par ", "écrit par ", "rédigé par ", "posted by ", "written by ",
		"par ", "by ", "auteur ", "auteure ", "autrice ", "author ", NULL,
	};
	for (const char *const *l = lead; *l; l++)
		if (strncasecmp(p, *l, strlen(*l)) == 0) {
			p += strlen(*l);
			break;
		}
	while (*p == ':' || *p == ' ')
		p++;
	static const char *const stops[] = {
		",", "|", " - ", " — ", " – ", " · ", " • ", " publié",
		" Publié", " mis à jour", " Mis à jour", "(", " avec ", NULL,
	};
	size_t n = strlen(p);
	for (const char *const *st = stops; *st; st++) {
		char *c = strstr(p, *st);
		if (c && (size_t)(c - p) < n)
			n = (size_t)(c - p);
	}
	/* "Jean Dupont le 12 mars" ends the name at " le ", but "Yann Le Gall" keeps its
	   particle: only a date (a digit or a weekday) after " le " ends it. */
	for (size_t i = 0; i + 4 <= n; i++)
		if (strncasecmp(p + i, " le ", 4) == 0 && starts_date_word(p + i + 4)) {
			n = i;
			break;
		}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '.'))
		n--;
	bool letter = false;
	for (size_t i = 0; i < n; i++) {
		if (isalpha((unsigned char)p[i]) || (unsigned char)p[i] >= 0xC0)
			letter = true;
		if (shown && (i == 0 || p[i - 1] == ' ') && islower((unsigned char)p[i])) {
			size_t w = i;
			while (w < n && p[w] != ' ')
				w++;
			if (w - i > 3)
				letter = false, i = n;
		}
	}
	char *r = NULL;
	if (letter && n <= AUTHOR_MAX && strncasecmp(p, "http", 4) != 0 &&
	    strncmp(p, "www.", 4) != 0)
		r = dup_n(p, n);
	free(s);
	return r;
}

/* class or itemprop naming an author line; "comment-author" is a reader's name. */
static bool author_element(const xmlNode *n)
{
	const char *c = attr(n, "class"), *ip = attr(n, "itemprop");
	if (ip && (has_token(ip, "author") || has_token(ip, "creator")))
		return true;
	return c && (contains_ci(c, "author", 200) || contains_ci(c, "byline", 200)) &&
	       !contains_ci(c, "comment", 200);
}

static int text_enter(void *ud, xmlNode *n)
{
	text_state *t = ud;
	if (name_among(n, skip_tags))
		return 0;
	if (n != t->root) {
		if (is(n, "header") && t->in_article == 0)
			return 0;
		const char *v = attr(n, "aria-hidden");
		if (v && !strcasecmp(v, "true"))
			return 0;
		if (attr(n, "hidden") && !hidden_alternative(n))
			return 0;
		if ((v = attr(n, "style")) && style_hides(v))
			return 0;
		if ((v = attr(n, "role")) &&
		    (has_token(v, "navigation") || has_token(v, "banner") ||
		     has_token(v, "contentinfo") || has_token(v, "complementary") ||
		     has_token(v, "search") || has_token(v, "menu") || has_token(v, "menubar")))
			return 0;
		if (t->strict && (chrome_attr(attr(n, "class")) || chrome_attr(attr(n, "id"))))
			return 0;
	}
	const char *rel = attr(n, "rel");
	if (rel && has_token(rel, "author") && !t->rel_author && !is(n, "link")) {
		char *s = text_of(n, 400);
		t->rel_author = s ? clean_author(s, true) : NULL;
		free(s);
	}
	if (n != t->root && author_element(n)) {
		/* A short author line is metadata, not text; a long one (a biography) is
		   text and is no author name. */
		const char *content = is(n, "meta") ? attr(n, "content") : NULL;
		char *s = content ? collapse(content, 400) : text_of(n, 400);
		char *name = s && strlen(s) <= 2 * AUTHOR_MAX ? clean_author(s, !content) : NULL;
		free(s);
		if (name) {
			char **slot = attr(n, "itemprop") ? &t->ip_author : &t->byline;
			if (!*slot)
				*slot = name;
			else
				free(name);
			return 0;
		}
	}
	const char *ip = attr(n, "itemprop");
	if (ip && has_token(ip, "datePublished") && !t->ip_published) {
		const char *v = attr(n, "content");
		if (!v)
			v = attr(n, "datetime");
		t->ip_published = v;
	}
	if (is(n, "time") && !t->time && !t->time_text) {
		const char *dt = attr(n, "datetime");
		if (dt && *dt)
			t->time = dt;
		else
			t->time_text = text_of(n, 120);
	}
	if (is(n, "article"))
		t->in_article++;
	if (name_among(n, block_tags))
		end_para(t);
	else if (is(n, "td") || is(n, "th") || is(n, "img") || attr(n, "hidden"))
		t->space = true;
	if ((n->name[0] == 'h' || n->name[0] == 'H') && n->name[1] >= '1' && n->name[1] <= '6' &&
	    !n->name[2] && !t->heading)
		t->heading = n;
	if (is(n, "h1") && !t->h1) {
		t->h1 = n;
		t->h1_first = t->text.len == 0; /* checked again when it ends */
	}
	return 1;
}

static void text_leave(void *ud, xmlNode *n)
{
	text_state *t = ud;
	if (is(n, "article"))
		t->in_article--;
	if (name_among(n, block_tags))
		end_para(t);
	else if (is(n, "td") || is(n, "th") || attr(n, "hidden"))
		t->space = true;
	/* whether the first paragraph is exactly the first <h1> */
	if (n == t->h1 && t->h1_first)
		t->h1_first = t->text.len && t->first_end == t->text.len;
}

static int text_text(void *ud, const char *s)
{
	text_state *t = ud;
	put_collapsed(&t->para, &t->space, s);
	return 0;
}

static void text_free(text_state *t)
{
	strbuf_free(&t->text);
	strbuf_free(&t->para);
	free(t->byline);
	free(t->rel_author);
	free(t->ip_author);
	free(t->time_text);
	memset(t, 0, sizeof *t);
}

/* The text under `root`: chrome classes skipped, unless that leaves nothing at all (a
   generous class pattern must not empty a page). Returns -1 when out of memory. */
static int extract(xmlNode *root, text_state *t)
{
	static const walk_ops ops = {text_enter, text_leave, text_text};
	for (int strict = 1; strict >= 0; strict--) {
		text_free(t);
		t->root = root;
		t->strict = strict;
		walk(root, &ops, t);
		end_para(t);
		if (t->text.oom || t->para.oom)
			return -1;
		if (t->text.len)
			break;
	}
	return 0;
}

/* ---- title, date ----------------------------------------------------------------- */

/* Separators between a title and a site name, the last one in the title wins. */
static const char *const title_seps[] = {
	" - ", " | ", " — ", " – ", " · ", " :: ", " » ", NULL,
};

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static bool reasonable_title(const char *s, size_t n)
{
	if (utf8_chars(s, n) >= 12)
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ')
			return true;
	return false;
}

static int paren_balance(const char *s, size_t n)
{
	int b = 0;
	for (size_t i = 0; i < n; i++)
		b += (s[i] == '(') - (s[i] == ')');
	return b;
}

/* Where the site-name suffix of `t` starts (its separator), or 0 for none. */
static size_t site_suffix(const char *t, size_t *suffix_at)
{
	size_t best = 0, blen = 0;
	for (const char *const *sep = title_seps; *sep; sep++) {
		size_t l = strlen(*sep);
		for (const char *p = strstr(t, *sep); p; p = strstr(p + 1, *sep))
			if ((size_t)(p - t) > best)
				best = (size_t)(p - t), blen = l;
	}
	if (!best || !t[best + blen])
		return 0;
	/* "Position (styles de liste - hérité)": a dash inside parentheses is the title's */
	if (paren_balance(t, best) > 0 || !reasonable_title(t, best))
		return 0;
	*suffix_at = best + blen;
	return best;
}

/* Drops a site name from the end of an og:title or <title>, in place. */
static void strip_site(char *t, const char *site_name)
{
	size_t at, cut = site_suffix(t, &at);
	if (cut)
		t[cut] = '\0';
	else if (site_name && *site_name) {
		/* "Article : titre — Le Site" with separators the list lacks */
		size_t tl = strlen(t), sl = strlen(site_name);
		if (tl > sl + 3 && strcmp(t + tl - sl, site_name) == 0) {
			size_t n = tl - sl;
			while (n && (t[n - 1] == ' ' || t[n - 1] == '-' || t[n - 1] == '|' ||
				     t[n - 1] == ':'))
				n--;
			if (reasonable_title(t, n))
				t[n] = '\0';
		}
	}
}

/* Whether the <title> `t` ends with the heading `h`, after a separator: the rest is
   the site's or the manual's name ("GNU LilyPond – Manuel de notation: 1.2.5 Mesures"
   for the heading "1.2.5 Mesures"). */
static bool title_ends_with(const char *t, const char *h)
{
	size_t tl = strlen(t), hl = strlen(h);
	if (!hl || tl <= hl + 2 || strcmp(t + tl - hl, h) != 0)
		return false;
	const char *p = t + tl - hl;
	if (p[-1] != ' ')
		return false;
	char c = p[-2];
	return c == ':' || c == '-' || c == '|' || c == '>' || (unsigned char)c >= 0x80;
}

static bool title_starts_with(const char *t, const char *h)
{
	size_t hl = strlen(h);
	if (!hl || strncmp(t, h, hl) != 0)
		return false;
	for (const char *const *sep = title_seps; *sep; sep++)
		if (strncmp(t + hl, *sep, strlen(*sep)) == 0)
			return true;
	return false;
}

static bool valid_ymd(int y, int m, int d)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1800 || y > 2199 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "2023-04-12", "2023-04-12T08:00:00+02:00", "20230412", else the French forms of
   article_parse_date(): "12 avril 2023", "12/04/2023". */
static bool parse_date(const char *v, char out[11])
{
	if (!v)
		return false;
	while (isspace((unsigned char)*v))
		v++;
	int y = digits(v, 4), m = -1, d = -1;
	if (y >= 0 && v[4] == '-' && (m = digits(v + 5, 2)) >= 0 && v[7] == '-' &&
	    (d = digits(v + 8, 2)) >= 0 && !isdigit((unsigned char)v[10])) {
		if (!valid_ymd(y, m, d))
			return false;
	} else if (y >= 0 && (m = digits(v + 4, 2)) >= 0 && (d = digits(v + 6, 2)) >= 0 &&
		   !isdigit((unsigned char)v[8]) && valid_ymd(y, m, d)) {
		/* 20230412 */
	} else {
		size_t n = strnlen(v, 121);
		return n <= 120 && article_parse_date(v, n, out) == 0;
	}
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
	return true;
}

/* ---- the reader ------------------------------------------------------------------ */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* libxml2 wants one initialisation before threads use it; never cleaned up here, as
   the program may use libxml2 elsewhere. */
static void init_libxml(void)
{
	xmlInitParser();
}

static char *choose_title(const meta_state *m, const text_state *t, const text_state *body)
{
	xmlNode *h1n = t->h1 ? t->h1 : body->h1;
	xmlNode *headn = t->heading ? t->heading : body->heading;
	char *og = m->og_title ? collapse(m->og_title, TITLE_MAX * 2) : NULL;
	char *tt = m->title ? text_of(m->title, TITLE_MAX * 2) : NULL;
	char *h1 = h1n ? text_of(h1n, TITLE_MAX) : NULL;
	char *head = headn && headn != h1n ? text_of(headn, TITLE_MAX) : NULL;
	char *site = m->site_name ? collapse(m->site_name, 200) : NULL;
	char *r = NULL;

	/* An <h1> that is the site's name (a logo) is no title. */
	if (h1 && *h1) {
		size_t at;
		if ((site && strcmp(h1, site) == 0) ||
		    (tt && site_suffix(tt, &at) && strcmp(tt + at, h1) == 0))
			h1[0] = '\0';
	}
	if (og && *og) {
		if (h1 && *h1 && title_starts_with(og, h1))
			r = h1, h1 = NULL;
		else
			strip_site(og, site), r = og, og = NULL;
	} else if (h1 && *h1) {
		r = h1, h1 = NULL;
	} else if (tt && *tt) {
		if (head && title_ends_with(tt, head))
			r = head, head = NULL;
		else if (head && title_starts_with(tt, head))
			r = head, head = NULL;
		else
			strip_site(tt, site), r = tt, tt = NULL;
	} else if (head && *head) {
		r = head, head = NULL;
	}
	if (r)
		r[cut_utf8(r, strlen(r), TITLE_MAX)] = '\0';
	free(og);
	free(tt);
	free(h1);
	free(head);
	free(site);
	return r ? r : strdup("");
}

static const char *first_of(const char *a, const char *b, const char *c)
{
	return a ? a : b ? b : c;
}

static int fill(article *out, htmlDocPtr doc, char reason[ARTICLE_REASON_LEN])
{
	static const walk_ops meta_ops = {meta_enter, meta_leave, NULL};
	meta_state m = {0};
	text_state body = {0}, best = {0}, cand = {0};
	int rc = -1;
	walk((xmlNode *)doc, &meta_ops, &m);

	/* The body's text first: the fallback root, and the yardstick for an <article>. */
	xmlNode *broot = m.body ? m.body : xmlDocGetRootElement(doc);
	if (!broot) {
		snprintf(reason, ARTICLE_REASON_LEN, "no text in the page");
		goto done;
	}
	if (extract(broot, &body) != 0)
		goto oom;

	/* The largest top-level <article>, if it holds a fair share of the page (an
	   <article> teaser in a sidebar does not make a page's content). */
	for (int i = 0; i < m.narticles; i++) {
		if (extract(m.articles[i], &cand) != 0)
			goto oom;
		if (cand.text.len > best.text.len) {
			text_state tmp = best;
			best = cand;
			cand = tmp;
		}
	}
	if (best.text.len && !(best.text.len >= 500 || best.text.len * 3 >= body.text.len))
		text_free(&best);
	if (!best.text.len && m.main) {
		if (extract(m.main, &best) != 0)
			goto oom;
	}
	text_state *t = best.text.len ? &best : &body;
	if (!t->text.len) {
		snprintf(reason, ARTICLE_REASON_LEN, "no text in the page");
		goto done;
	}

	if (!(out->title = choose_title(&m, t, &body)))
		goto oom;

	/* The title is not repeated as the first paragraph, nor is the <h1> (whatever the
	   title ended up being: og:title, or one of the h1's switched alternatives). */
	char *text = t->text.s;
	size_t first = t->first_end, tl = strlen(out->title);
	if ((tl && first == tl && memcmp(text, out->title, tl) == 0) || t->h1_first) {
		size_t skip = first + (text[first] ? 2 : 0);
		memmove(text, text + skip, t->text.len - skip + 1);
		t->text.len -= skip;
		char *nl = strstr(text, "\n\n");
		first = nl ? (size_t)(nl - text) : t->text.len;
	}
	if (!t->text.len) {
		snprintf(reason, ARTICLE_REASON_LEN, "no text in the page");
		goto done;
	}
	out->text = t->text.s;
	out->lead_len = first;
	t->text.s = NULL;

	/* Author: metadata first, then what the page shows. */
	const char *art_author = m.article_author;
	if (art_author && (strstr(art_author, "://") || !strncmp(art_author, "www.", 4)))
		art_author = NULL;
	const char *metas[] = {m.author, art_author, m.ip_author};
	for (size_t i = 0; i < 3 && !out->author; i++)
		if (metas[i])
			out->author = clean_author(metas[i], false);
	char **shown[] = {&t->rel_author, &t->ip_author, &t->byline,
			  &body.rel_author, &body.ip_author, &body.byline};
	for (size_t i = 0; i < 6 && !out->author; i++)
		if (*shown[i])
			out->author = *shown[i], *shown[i] = NULL;

	/* Date */
	char date[11];
	const char *dates[] = {
		m.published, first_of(m.ip_published, t->ip_published, body.ip_published),
		first_of(t->time, t->time_text, body.time ? body.time : body.time_text),
		m.date, m.dc_date, t->date_line[0] ? t->date_line : NULL,
	};
	for (size_t i = 0; i < sizeof dates / sizeof *dates && !out->date; i++)
		if (parse_date(dates[i], date) && !(out->date = strdup(date)))
			goto oom;

	/* URL and tags */
	const char *url = m.canonical ? m.canonical : m.og_url;
	if (url && *url && strlen(url) <= URL_MAX && !(out->url = collapse(url, URL_MAX)))
		goto oom;
	if (out->url && !*out->url) {
		free(out->url);
		out->url = NULL;
	}
	if (m.tags.oom)
		goto oom;
	const char *tags = m.tags.len ? m.tags.s : m.keywords;
	if (tags) {
		/* "a,b ,  c" -> "a, b, c" */
		strbuf b = {0};
		for (const char *p = tags; *p && b.len < TAGS_MAX;) {
			const char *e = strchr(p, ',');
			if (!e)
				e = p + strlen(p);
			char *one = dup_n(p, (size_t)(e - p)), *c = one ? collapse(one, 200) : NULL;
			if (c && *c) {
				if (b.len)
					strbuf_put(&b, ", ", 2);
				strbuf_put(&b, c, strlen(c));
			}
			free(one);
			free(c);
			p = *e ? e + 1 : e;
		}
		if (b.oom) {
			strbuf_free(&b);
			goto oom;
		}
		out->tags = b.s;
	}
	rc = 0;
	goto done;
oom:
	snprintf(reason, ARTICLE_REASON_LEN, "out of memory");
done:
	strbuf_free(&m.tags);
	text_free(&body);
	text_free(&best);
	text_free(&cand);
	if (rc != 0)
		article_clear(out);
	return rc;
}

int reader_html(article *out, const char *buf, size_t len, char reason[ARTICLE_REASON_LEN])
{
	memset(out, 0, sizeof *out);
	const unsigned char *p = (const unsigned char *)buf;
	if (len == 0) {
		snprintf(reason, ARTICLE_REASON_LEN, "empty file");
		return -1;
	}
	if (looks_binary(p, len)) {
		snprintf(reason, ARTICLE_REASON_LEN, "not HTML (binary data)");
		return -1;
	}
	if (len > INT_MAX / 4) { /* htmlReadMemory takes an int; 1252 text triples at most */
		snprintf(reason, ARTICLE_REASON_LEN, "not HTML (too large)");
		return -1;
	}
	pthread_once(&init_once, init_libxml);

	decoded d;
	if (decode(p, len, &d) != 0) {
		snprintf(reason, ARTICLE_REASON_LEN, "out of memory");
		return -1;
	}
	htmlDocPtr doc = htmlReadMemory(d.data, (int)d.len, NULL, "UTF-8",
					HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
						HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
						HTML_PARSE_COMPACT);
	free(d.owned);
	if (!doc) {
		snprintf(reason, ARTICLE_REASON_LEN, "not HTML");
		return -1;
	}
	int rc = fill(out, doc, reason);
	xmlFreeDoc(doc);
	return rc;
}
