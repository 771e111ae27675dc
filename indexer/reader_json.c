/*
 * The JSON reader: a .json file holding one article object, an array of them, or an
 * object wrapping that array under "articles", "items", "data" or "posts"; and JSON
 * Lines (.jsonl, .ndjson), one article object per line. jansson does the parsing; this
 * file maps the field names that CMS exports, scrapers, JSON-LD, JSON Feed and the
 * WordPress REST API use onto `article`.
 *
 * Fields (the first name present with something in it wins):
 *   title     title | headline | titre
 *   text      body | text | content | contenu | article | articleBody | content_html |
 *             content_text: a string, or an array of strings (paragraphs)
 *   lead      lead | description | summary | chapo | chapeau: made the first paragraph
 *             unless the body already starts with it
 *   author    author | auteur | byline | authors | auteurs: a string, {"name": ...}, or
 *             an array of either, joined with ", "; a leading "par " / "by " is dropped
 *   date      date | published | published_at | datePublished | pubDate |
 *             date_published: ISO 8601 (the date as written, whatever the zone), the
 *             French forms of article_parse_date(), RFC 2822 ("Wed, 12 Apr 2023
 *             10:00:00 +0200"), or Unix time as a number or a string of digits
 *             (seconds, or milliseconds when it is that large; the UTC date)
 *   url       url | link | permalink
 *   id        id | guid | _id: a string or a number (also {"rendered"} and {"$oid"})
 *   tags      tags | keywords: an array, or a string split at commas; joined with ", "
 * Any of these may also be an object with a "rendered", "text" or "value" string, as
 * WordPress gives them.
 *
 * Text is cleaned: white space runs become one space, control characters spaces, and
 * the XML entities, &nbsp;, numeric references and the common French named entities are
 * decoded. A string that looks like HTML (starts with '<', or holds <p>, <br or a
 * closing tag) also has its tags dropped in one linear pass: block tags end a
 * paragraph, inline ones vanish, comments, scripts and styles go. This is a fallback for
 * HTML fragments stored in JSON fields, not an HTML parser: whole pages go through the
 * HTML reader (reader_html.c, libxml2). In plain strings a line break ends a paragraph,
 * unless the string has blank lines, which then are the paragraph breaks.
 *
 * Records are identified by "id=<id>" (control characters replaced by '_', at most
 * ID_MAX bytes) or by position: "n=<line>" (1-based) in JSON Lines, "n=<index>"
 * (0-based) in an array, "" for a single-object file. A second record with an id
 * already used in the file is reported and keyed by its position. Messages name lines
 * ("line 12: ...") in JSON Lines and records, counted from 1, in arrays ("record 3:
 * ...").
 *
 * JSON Lines are parsed one line at a time, so a 50 MB file never becomes one tree. A
 * .json file jansson rejects, whose first line is a whole object by itself, is JSON
 * Lines under the wrong extension (mongoexport, many scrapers) and is read as such.
 */
#include "readers.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strbuf.h"
#include "utf8.h"

#define ID_MAX 100       /* bytes of an id in a key */
#define TITLE_CHARS 80   /* characters of text a missing title is made from */
#define PROBLEMS_MAX 100 /* problems reported one by one per file; the rest are counted */

static const char *const title_names[] = {"title", "headline", "titre", NULL};
static const char *const body_names[] = {
	"body", "text", "content", "contenu", "article", "articleBody", "content_html", "content_text", NULL,
};
static const char *const lead_names[] = {"lead", "description", "summary", "chapo", "chapeau", NULL};
static const char *const author_names[] = {"author", "auteur", "byline", "authors", "auteurs", NULL};
static const char *const date_names[] = {
	"date", "published", "published_at", "datePublished", "pubDate", "date_published", NULL,
};
static const char *const url_names[] = {"url", "link", "permalink", NULL};
static const char *const id_names[] = {"id", "guid", "_id", NULL};
static const char *const tag_names[] = {"tags", "keywords", NULL};
static const char *const list_names[] = {"articles", "items", "data", "posts", NULL};
/* Members of an object standing for a string (WordPress {"rendered": ...}, JSON-LD). */
static const char *const inner_names[] = {"rendered", "text", "value", "href", NULL};

/* ---- small helpers ------------------------------------------------------------------- */

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Makes `s` safe to show or store: control characters become `ctrl`, bytes that are not
   well-formed UTF-8 (jansson's messages quote input; snprintf may cut a character) '?'. */
static void sanitize(char *s, char ctrl)
{
	unsigned char *p = (unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		if (p[i] < 0x20 || p[i] == 0x7F) {
			p[i++] = (unsigned char)ctrl;
			continue;
		}
		size_t k = utf8_seq_len(p + i, n - i);
		if (!k) {
			p[i++] = '?';
			continue;
		}
		i += k;
	}
}

static size_t utf8_put(unsigned long cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static void set_reason(char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(char *reason, const char *fmt, ...)
{
	if (!reason)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, ARTICLE_REASON_LEN, fmt, ap);
	va_end(ap);
	sanitize(reason, ' ');
}

/* ---- a growing string; out of memory is sticky and checked once at the end ----------- */

/* ---- text cleaning ----------------------------------------------------------------- */

/*
 * Writes visible text to `out`, holding separators back until more text comes, so that
 * fields start and end without blanks and runs of blanks or breaks collapse.
 */
typedef struct {
	strbuf *out;
	size_t start;  /* out->len when this field began */
	bool one_para; /* titles, leads, names: paragraph breaks become spaces */
	bool space, para;
} cleaner;

static void cl_text(cleaner *c, const char *s, size_t n)
{
	if (c->out->len > c->start) {
		if (c->para && !c->one_para)
			strbuf_put(c->out, "\n\n", 2);
		else if (c->para || c->space)
			strbuf_put(c->out, " ", 1);
	}
	c->space = c->para = false;
	strbuf_put(c->out, s, n);
}

static const struct {
	const char *name;
	unsigned short cp;
} named_entities[] = {
	{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0},
	/* the French ones HTML editors leave behind */
	{"eacute", 0xE9}, {"Eacute", 0xC9}, {"egrave", 0xE8}, {"Egrave", 0xC8}, {"ecirc", 0xEA},
	{"Ecirc", 0xCA}, {"euml", 0xEB}, {"agrave", 0xE0}, {"Agrave", 0xC0}, {"acirc", 0xE2},
	{"Acirc", 0xC2}, {"ccedil", 0xE7}, {"Ccedil", 0xC7}, {"icirc", 0xEE}, {"iuml", 0xEF},
	{"ocirc", 0xF4}, {"Ocirc", 0xD4}, {"ugrave", 0xF9}, {"ucirc", 0xFB}, {"uuml", 0xFC},
	{"oelig", 0x153}, {"OElig", 0x152}, {"aelig", 0xE6}, {"laquo", 0xAB}, {"raquo", 0xBB},
	{"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D},
	{"hellip", 0x2026}, {"ndash", 0x2013}, {"mdash", 0x2014}, {"euro", 0x20AC}, {"deg", 0xB0},
	{"thinsp", 0x2009}, {"shy", 0xAD}, {"copy", 0xA9},
};

/* &#128;..&#159; mean Windows-1252 characters (HTML5 says so; old French sites use
   &#146; for the apostrophe). 0 marks the five bytes 1252 leaves undefined. */
static const unsigned short cp1252_c1[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
	0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* The character reference at `s` (s[0] == '&'): its length, with the code point in
   *cp, or 0 when it is not one (a lone '&' stays as text). */
static size_t entity_at(const char *s, size_t n, unsigned long *cp)
{
	size_t i = 1;
	if (i < n && s[i] == '#') {
		i++;
		bool hex = i < n && (s[i] == 'x' || s[i] == 'X');
		i += hex;
		unsigned long v = 0;
		size_t digits = 0;
		/* 8 digits at most: no overflow, and nothing valid is longer */
		for (; i < n && digits < 8; i++, digits++) {
			char ch = lower(s[i]);
			if (is_digit((unsigned char)ch))
				v = v * (hex ? 16 : 10) + (unsigned long)(ch - '0');
			else if (hex && ch >= 'a' && ch <= 'f')
				v = v * 16 + (unsigned long)(ch - 'a' + 10);
			else
				break;
		}
		if (!digits || i >= n || s[i] != ';')
			return 0;
		if (v >= 0x80 && v <= 0x9F)
			v = cp1252_c1[v - 0x80] ? cp1252_c1[v - 0x80] : 0xFFFD;
		else if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			v = 0xFFFD;
		*cp = v;
		return i + 1;
	}
	size_t start = i;
	while (i < n && i - start < 8 && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i])))
		i++;
	if (i == start || i >= n || s[i] != ';')
		return 0;
	for (size_t k = 0; k < sizeof named_entities / sizeof named_entities[0]; k++)
		if (strlen(named_entities[k].name) == i - start &&
		    memcmp(named_entities[k].name, s + start, i - start) == 0) {
			*cp = named_entities[k].cp;
			return i + 1;
		}
	return 0;
}

/* Does this string hold HTML? It starts with '<', or has <p>, <br or a closing tag. */
static bool looks_html(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (i < n && s[i] == '<')
		return true;
	const char *p = s + i, *end = s + n;
	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL && end - p >= 3) {
		char a = lower(p[1]), b = lower(p[2]);
		if ((a == 'p' && (b == '>' || b == ' ')) || (a == 'b' && b == 'r') ||
		    (a == '/' && is_alpha((unsigned char)p[2])))
			return true;
		p++;
	}
	return false;
}

/* Is there a blank line (two line breaks with only blanks between) in the string? */
static bool has_blank_line(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < end && *p == '\n')
			return true;
	}
	return false;
}

/* Where "</name" (any case) starts at or after `i`, or `n`. */
static size_t find_close_tag(const char *s, size_t n, size_t i, const char *name)
{
	size_t k = strlen(name);
	for (; i + 2 + k <= n; i++) {
		if (s[i] != '<' || s[i + 1] != '/')
			continue;
		size_t j = 0;
		while (j < k && lower(s[i + 2 + j]) == name[j])
			j++;
		if (j == k)
			return i;
	}
	return n;
}

/* Where "-->" ends at or after `i`, or `n`. */
static size_t find_comment_end(const char *s, size_t n, size_t i)
{
	for (; i + 3 <= n; i++)
		if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>')
			return i + 3;
	return n;
}

static bool in_list(const char *t, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(t, *list) == 0)
			return true;
	return false;
}

static const char *const block_tags[] = {
	"p", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote",
	"tr", "table", "section", "article", "header", "footer", "figure", "figcaption", "hr",
	"pre", "dd", "dt", "dl", "aside", "nav", "main", NULL,
};

/*
 * The tag at s[i] == '<' in an HTML string: moves *i past it (and past the content of a
 * script or style) and tells the cleaner what it separates. Returns false when the '<'
 * is text. `*no_gt` is where a search for '>' found none, so that no later '<' searches
 * again: with it, every byte is looked at a bounded number of times.
 */
static bool skip_tag(cleaner *c, const char *s, size_t n, size_t *i, size_t *no_gt)
{
	size_t at = *i;
	if (at + 1 >= n)
		return false;
	unsigned char next = (unsigned char)s[at + 1];
	if (!is_alpha(next) && next != '/' && next != '!' && next != '?')
		return false;
	if (n - at >= 4 && memcmp(s + at, "<!--", 4) == 0) {
		*i = find_comment_end(s, n, at + 4);
		return true;
	}
	if (at >= *no_gt)
		return false;
	const char *gt = memchr(s + at, '>', n - at);
	if (!gt) {
		*no_gt = at; /* a truncated tag: its '<' stays as text */
		return false;
	}
	size_t end = (size_t)(gt - s) + 1, p = at + 1;
	bool closing = s[p] == '/';
	p += closing;
	char name[12];
	size_t k = 0;
	while (p < end && k < sizeof name - 1 && (is_alpha((unsigned char)s[p]) || is_digit((unsigned char)s[p])))
		name[k++] = lower(s[p++]);
	name[k] = '\0';
	*i = end;
	if (!closing && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0) && s[end - 2] != '/') {
		size_t close = find_close_tag(s, n, end, name);
		const char *cgt = close < n ? memchr(s + close, '>', n - close) : NULL;
		*i = cgt ? (size_t)(cgt - s) + 1 : n;
		c->space = true;
	} else if (in_list(name, block_tags)) {
		c->para = true;
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		c->space = true;
	}
	/* inline tags (<em>, <a>, <span>) separate nothing: "l'<em>armée</em>" is one word */
	return true;
}

/* Appends the cleaned text of s[0..n) (UTF-8 from jansson) to the cleaner. */
static void clean(cleaner *c, const char *s, size_t n, bool html)
{
	/* Paragraph breaks: tags in HTML; else blank lines when there are some, or else
	   every line break (scrapers join paragraphs with a single "\n"). */
	int breaks_for_para = html ? 0 : has_blank_line(s, n) ? 2 : 1;
	size_t no_gt = SIZE_MAX;
	size_t i = 0;
	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch == 0x7F) {
			int breaks = 0;
			for (; i < n && ((unsigned char)s[i] <= 0x20 || s[i] == 0x7F); i++)
				if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n')))
					breaks++;
			if (breaks_for_para && breaks >= breaks_for_para)
				c->para = true;
			else
				c->space = true;
		} else if (ch == '&') {
			unsigned long cp;
			size_t k = entity_at(s + i, n - i, &cp);
			if (k && (cp < 0x20 || cp == 0x7F)) {
				c->space = true;
			} else if (k) {
				char u[4];
				cl_text(c, u, utf8_put(cp, u));
			} else {
				cl_text(c, "&", 1);
				k = 1;
			}
			i += k;
		} else if (ch == '<' && html && skip_tag(c, s, n, &i, &no_gt)) {
			continue;
		} else {
			size_t j = i + 1;
			while (j < n && (unsigned char)s[j] > 0x20 && s[j] != 0x7F && s[j] != '&' && s[j] != '<')
				j++;
			cl_text(c, s + i, j - i);
			i = j;
		}
	}
}

/*
 * Appends the text of a JSON value: a string; with `paras`, an array of them, one
 * paragraph each (or of objects holding one); an object standing for a string.
 */
static void put_value(cleaner *c, json_t *v, bool paras, int depth)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		clean(c, s, n, looks_html(s, n));
	} else if (json_is_array(v) && paras && depth == 0) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			put_value(c, e, false, depth + 1);
			c->para = true;
		}
	} else if (json_is_object(v) && depth < 2) {
		for (const char *const *name = inner_names; *name; name++) {
			json_t *m = json_object_get(v, *name);
			if (json_is_string(m)) {
				put_value(c, m, paras, depth + 1);
				return;
			}
		}
	}
}

/* The cleaned text of the first of `names` that has some, into the empty `out`. */
static void first_text(json_t *o, const char *const *names, bool paras, strbuf *out)
{
	for (; *names && out->len == 0 && !out->oom; names++) {
		json_t *v = json_object_get(o, *names);
		if (!v)
			continue;
		cleaner c = {.out = out, .one_para = !paras};
		put_value(&c, v, paras, 0);
	}
}

/* ---- authors and tags: lists joined with ", " ---------------------------------------- */

/* Appends one cleaned item of a list; nothing (not even the separator) when it is
   empty. Returns where the item starts. */
static size_t put_item(strbuf *out, const char *s, size_t n)
{
	size_t len0 = out->len;
	if (len0)
		strbuf_put(out, ", ", 2);
	size_t len1 = out->len;
	cleaner c = {.out = out, .start = len1, .one_para = true};
	clean(&c, s, n, looks_html(s, n));
	if (out->len == len1)
		strbuf_cut(out, len0);
	return len1;
}

/* A person: "Camille Lefèvre", "Par Camille Lefèvre", {"name": "Camille Lefèvre"}. */
static void put_person(strbuf *out, json_t *v)
{
	if (json_is_object(v))
		v = json_object_get(v, "name");
	if (!json_is_string(v))
		return;
	size_t len0 = out->len;
	size_t at = put_item(out, json_string_value(v), json_string_length(v));
	if (out->oom || out->len <= at)
		return;
	char *p = out->s + at;
	size_t n = out->len - at, drop = 0;
	if (n > 4 && lower(p[0]) == 'p' && lower(p[1]) == 'a' && lower(p[2]) == 'r' && p[3] == ' ')
		drop = 4;
	else if (n > 3 && lower(p[0]) == 'b' && lower(p[1]) == 'y' && p[2] == ' ')
		drop = 3;
	if (drop) {
		memmove(p, p + drop, n - drop + 1);
		out->len -= drop;
	}
	if (out->len == at)
		strbuf_cut(out, len0);
}

/* Tags from a string: split at commas. */
static void put_tags(strbuf *out, json_t *v)
{
	if (json_is_object(v))
		v = json_object_get(v, "name");
	if (!json_is_string(v))
		return; /* numbers are WordPress term ids, not words */
	const char *s = json_string_value(v), *end = s + json_string_length(v);
	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *e = comma ? comma : end;
		put_item(out, s, (size_t)(e - s));
		s = comma ? comma + 1 : end;
	}
}

static void first_list(json_t *o, const char *const *names, void (*put)(strbuf *, json_t *), strbuf *out)
{
	for (; *names && out->len == 0 && !out->oom; names++) {
		json_t *v = json_object_get(o, *names);
		if (json_is_array(v)) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e)
				put(out, e);
		} else if (v) {
			put(out, v);
		}
	}
}

/* ---- dates --------------------------------------------------------------------------- */

static bool valid_ymd(int y, int m, int d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* "YYYY-MM-DD" of a date valid_ymd() accepted (written by hand: snprintf cannot know
   the ranges and -Wformat-truncation complains). */
static void put_ymd(char out[11], int y, int m, int d)
{
	int v[3] = {y, m, d}, w[3] = {4, 2, 2};
	char *p = out;
	for (int k = 0; k < 3; k++) {
		for (int j = w[k] - 1; j >= 0; j--, v[k] /= 10)
			p[j] = (char)('0' + v[k] % 10);
		p += w[k];
		*p++ = k < 2 ? '-' : '\0';
	}
}

/* Unix time (seconds, or milliseconds when beyond year 5000 as seconds) -> UTC date. */
static bool epoch_date(double t, char out[11])
{
	if (t > 1e11 || t < -1e11)
		t /= 1000;
	/* 1800-01-01 .. 2200-12-31: valid_ymd's range, and no time_t overflow */
	if (!(t >= -5364662400.0 && t < 7289654400.0))
		return false;
	time_t tt = (time_t)t;
	if ((double)tt > t)
		tt--; /* toward minus infinity, so that -0.5 is 1969-12-31 */
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return false;
	int y = tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
	if (!valid_ymd(y, m, d))
		return false;
	put_ymd(out, y, m, d);
	return true;
}

/* RFC 2822 as RSS has it: "[Wed, ]12 Apr 2023[ 10:00:00 +0200]"; the date as written. */
static bool rfc2822_date(const char *s, size_t n, char out[11])
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	if (i + 3 < n && is_alpha((unsigned char)s[i]) && is_alpha((unsigned char)s[i + 1]) &&
	    is_alpha((unsigned char)s[i + 2]) && s[i + 3] == ',') /* the weekday */
		for (i += 4; i < n && s[i] == ' '; i++)
			;
	int d = 0, y = 0, nd = 0, ny = 0;
	for (; i < n && is_digit((unsigned char)s[i]) && nd < 2; i++, nd++)
		d = d * 10 + (s[i] - '0');
	if (!nd || i >= n || s[i] != ' ')
		return false;
	while (i < n && s[i] == ' ')
		i++;
	if (i + 3 > n)
		return false;
	char mon[4] = {lower(s[i]), lower(s[i + 1]), lower(s[i + 2]), '\0'};
	const char *hit = strstr(months, mon);
	if (!hit || (hit - months) % 3 != 0 || !is_alpha((unsigned char)mon[0]))
		return false;
	int m = (int)(hit - months) / 3 + 1;
	for (i += 3; i < n && (is_alpha((unsigned char)s[i]) || s[i] == '.'); i++)
		; /* "April", "Apr." */
	if (i >= n || s[i] != ' ')
		return false;
	while (i < n && s[i] == ' ')
		i++;
	for (; i < n && is_digit((unsigned char)s[i]) && ny < 4; i++, ny++)
		y = y * 10 + (s[i] - '0');
	if (ny == 2)
		y += y < 50 ? 2000 : 1900; /* RFC 822's two-digit years */
	else if (ny != 4)
		return false;
	if (i < n && s[i] != ' ')
		return false;
	if (!valid_ymd(y, m, d))
		return false;
	put_ymd(out, y, m, d);
	return true;
}

static bool date_of(json_t *v, char out[11])
{
	if (json_is_integer(v))
		return epoch_date((double)json_integer_value(v), out);
	if (json_is_real(v))
		return epoch_date(json_real_value(v), out);
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	size_t digits = 0;
	while (digits < n && is_digit((unsigned char)s[digits]))
		digits++;
	if (digits == n && n >= 9 && n <= 13) { /* "1681293600": Unix time as a string */
		double t = 0;
		for (size_t i = 0; i < n; i++)
			t = t * 10 + (s[i] - '0');
		return epoch_date(t, out);
	}
	return article_parse_date(s, n, out) == 0 || rfc2822_date(s, n, out);
}

/* ---- ids --------------------------------------------------------------------------- */

/* The record's id, sanitized and cut to ID_MAX bytes at a character boundary; "" when
   it has none. */
static void id_of(json_t *o, char id[ID_MAX + 1])
{
	id[0] = '\0';
	for (const char *const *name = id_names; *name && !id[0]; name++) {
		json_t *v = json_object_get(o, *name);
		if (json_is_object(v)) { /* {"rendered": ...} (WordPress), {"$oid": ...} (MongoDB) */
			json_t *inner = json_object_get(v, "rendered");
			v = inner ? inner : json_object_get(v, "$oid");
		}
		if (json_is_integer(v)) {
			snprintf(id, ID_MAX + 1, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		} else if (json_is_real(v)) {
			snprintf(id, ID_MAX + 1, "%.17g", json_real_value(v));
		} else if (json_is_string(v)) {
			const char *s = json_string_value(v);
			size_t n = json_string_length(v);
			while (n && (unsigned char)*s <= 0x20)
				s++, n--;
			while (n && (unsigned char)s[n - 1] <= 0x20)
				n--;
			if (n > ID_MAX) {
				n = ID_MAX;
				while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
					n--; /* not inside a character */
			}
			memcpy(id, s, n);
			id[n] = '\0';
			sanitize(id, '_');
		}
	}
}

/* ---- records ----------------------------------------------------------------------- */

/* Does text start with the lead? Blanks of any kind match each other; a trailing "…",
   "..." or "[…]" (a cut lead) and final dots are ignored. */
static bool starts_with_lead(const char *text, size_t tn, const char *lead, size_t ln)
{
	for (;;) {
		if (ln && (lead[ln - 1] == ' ' || lead[ln - 1] == '.' || lead[ln - 1] == '[' || lead[ln - 1] == ']'))
			ln--;
		else if (ln >= 3 && memcmp(lead + ln - 3, "\xE2\x80\xA6", 3) == 0)
			ln -= 3;
		else
			break;
	}
	if (!ln)
		return true; /* nothing left worth prepending */
	size_t i = 0, j = 0;
	while (j < ln) {
		if (i >= tn)
			return false;
		bool bt = text[i] == ' ' || text[i] == '\n', bl = lead[j] == ' ' || lead[j] == '\n';
		if (bt && bl) {
			while (i < tn && (text[i] == ' ' || text[i] == '\n'))
				i++;
			while (j < ln && (lead[j] == ' ' || lead[j] == '\n'))
				j++;
			continue;
		}
		if (text[i] != lead[j])
			return false;
		i++, j++;
	}
	return true;
}

/* A title from the first paragraph: whole when it is short, else its first
   TITLE_CHARS characters cut at a word boundary, with "…". */
static char *derive_title(const char *text, size_t para)
{
	size_t cut = 0, chars = 0;
	while (cut < para && chars < TITLE_CHARS) {
		cut++;
		while (cut < para && ((unsigned char)text[cut] & 0xC0) == 0x80)
			cut++;
		chars++;
	}
	strbuf t = {0};
	if (cut >= para) {
		strbuf_put(&t, text, para);
		return strbuf_take(&t);
	}
	size_t k = cut;
	while (k > 0 && text[k] != ' ')
		k--;
	if (k > 0)
		cut = k; /* else one long word: cut at a character boundary */
	size_t keep = cut;
	while (keep > 0 && strchr(" ,;:-", text[keep - 1]))
		keep--;
	strbuf_put(&t, text, keep ? keep : cut);
	strbuf_put(&t, "\xE2\x80\xA6", 3);
	return strbuf_take(&t);
}

enum { REC_OK, REC_EMPTY, REC_OOM };

/* Fills `a` (zeroed) from the object. REC_EMPTY when it has neither title nor text. */
static int build(json_t *o, article *a, char id[ID_MAX + 1])
{
	strbuf title = {0}, body = {0}, lead = {0}, text = {0}, author = {0}, url = {0}, tags = {0};
	int rc = REC_OOM;
	first_text(o, title_names, false, &title);
	first_text(o, body_names, true, &body);
	first_text(o, lead_names, false, &lead);
	if (title.oom || body.oom || lead.oom)
		goto out;
	if (lead.len && !starts_with_lead(body.s ? body.s : "", body.len, lead.s, lead.len)) {
		strbuf_put(&text, lead.s, lead.len);
		if (body.len)
			strbuf_put(&text, "\n\n", 2);
	}
	strbuf_put(&text, body.s, body.len);
	if (text.oom)
		goto out;
	if (!title.len && !text.len) {
		rc = REC_EMPTY;
		goto out;
	}
	const char *brk = text.len ? strstr(text.s, "\n\n") : NULL;
	a->lead_len = brk ? (size_t)(brk - text.s) : text.len;
	a->title = title.len ? strbuf_take(&title) : derive_title(text.s, a->lead_len);
	a->text = strbuf_take(&text);
	if (!a->title || !a->text)
		goto out;

	first_list(o, author_names, put_person, &author);
	first_list(o, tag_names, put_tags, &tags);
	first_text(o, url_names, false, &url);
	if (author.oom || tags.oom || url.oom)
		goto out;
	if ((author.len && !(a->author = strbuf_take(&author))) || (tags.len && !(a->tags = strbuf_take(&tags))) ||
	    (url.len && !(a->url = strbuf_take(&url))))
		goto out;
	char date[11];
	for (const char *const *name = date_names; *name; name++)
		if (date_of(json_object_get(o, *name), date)) {
			if (!(a->date = strdup(date)))
				goto out;
			break;
		}
	id_of(o, id);
	rc = REC_OK;
out:
	if (rc != REC_OK)
		article_clear(a);
	free(title.s);
	free(body.s);
	free(lead.s);
	free(text.s);
	free(author.s);
	free(url.s);
	free(tags.s);
	return rc;
}

/* ---- files ------------------------------------------------------------------------- */

typedef struct {
	reader_emit_fn emit;
	reader_problem_fn problem;
	void *ud;
	json_t *seen;       /* ids already keying a record of this file */
	size_t emitted;     /* articles emitted */
	size_t bad;         /* records skipped */
	size_t reported;    /* problems passed on */
	size_t unreported;  /* problems beyond PROBLEMS_MAX */
	const char *unit;   /* "line" or "record", in messages */
	int stop;           /* the emit callback's non-zero value */
} ctx;

static void report(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(ctx *c, const char *fmt, ...)
{
	if (c->reported >= PROBLEMS_MAX) {
		c->unreported++;
		return;
	}
	c->reported++;
	if (!c->problem)
		return;
	char msg[ARTICLE_REASON_LEN + 160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sanitize(msg, ' ');
	c->problem(msg, c->ud);
}

/* Reads one record of a list. Returns 0 to go on, 1 when the emit callback said stop
   (its value in c->stop), -1 when out of memory. */
static int list_record(ctx *c, json_t *v, size_t num, const char *pos)
{
	if (!json_is_object(v)) {
		c->bad++;
		report(c, "%s %zu: not an article object", c->unit, num);
		return 0;
	}
	article a = {0};
	char id[ID_MAX + 1];
	int rc = build(v, &a, id);
	if (rc == REC_OOM)
		return -1;
	if (rc == REC_EMPTY) {
		c->bad++;
		report(c, "%s %zu: no title and no text", c->unit, num);
		return 0;
	}
	char key[ID_MAX + 4];
	if (!id[0]) {
		snprintf(key, sizeof key, "%s", pos);
	} else if (json_object_get(c->seen, id)) {
		report(c, "%s %zu: duplicate id %s, using its position", c->unit, num, id);
		snprintf(key, sizeof key, "%s", pos);
	} else {
		if (json_object_set_new_nocheck(c->seen, id, json_true()) != 0) {
			article_clear(&a);
			return -1;
		}
		snprintf(key, sizeof key, "id=%s", id);
	}
	c->stop = c->emit ? c->emit(&a, key, c->ud) : 0;
	article_clear(&a);
	c->emitted++;
	return c->stop ? 1 : 0;
}

static bool blank(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* JSON Lines: each non-blank line is a record, keyed "n=<line>". */
static int read_lines(ctx *c, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t lineno = 0;
	c->unit = "line";
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *ls = p, *le = nl ? nl : end;
		p = nl ? nl + 1 : end;
		lineno++;
		while (ls < le && blank((unsigned char)*ls))
			ls++;
		while (le > ls && blank((unsigned char)le[-1]))
			le--;
		if (ls == le)
			continue;
		json_error_t err;
		json_t *v = json_loadb(ls, (size_t)(le - ls), JSON_DECODE_ANY, &err);
		if (!v) {
			c->bad++;
			report(c, "line %zu: invalid JSON: %s", lineno, err.text);
			continue;
		}
		char pos[32];
		snprintf(pos, sizeof pos, "n=%zu", lineno);
		int rc = list_record(c, v, lineno, pos);
		json_decref(v);
		if (rc)
			return rc;
	}
	return 0;
}

/* JSON Lines under a .json name: the first non-blank line is an object by itself. */
static bool first_line_is_object(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	while (p < end && blank((unsigned char)*p))
		p++;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		return false;
	json_error_t err;
	json_t *v = json_loadb(p, (size_t)(nl - p), 0, &err);
	bool ok = json_is_object(v);
	json_decref(v);
	return ok;
}

/*
 * The array of a wrapper object ({"articles": [...]}), or NULL when `o` is an article.
 * Only a body makes it an article: feeds have a title and a description of their own
 * ({"title": "Mon blog", "items": [...]}, JSON Feed).
 */
static json_t *wrapped_list(json_t *o)
{
	for (const char *const *name = body_names; *name; name++)
		if (json_object_get(o, *name))
			return NULL;
	for (const char *const *name = list_names; *name; name++) {
		json_t *v = json_object_get(o, *name);
		if (json_is_array(v))
			return v;
	}
	return NULL;
}

static const char *type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	default: return "something else";
	}
}

/* A .json file. Returns as reader_json does. */
static int read_document(ctx *c, const char *buf, size_t len, char *reason)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, JSON_DECODE_ANY, &err);
	if (!root) {
		if (first_line_is_object(buf, len))
			return read_lines(c, buf, len);
		set_reason(reason, "invalid JSON at line %d, column %d: %s", err.line, err.column, err.text);
		return -1;
	}
	int rc = 0;
	json_t *list = json_is_array(root) ? root : json_is_object(root) ? wrapped_list(root) : NULL;
	if (list) {
		c->unit = "record";
		size_t i;
		json_t *v;
		json_array_foreach(list, i, v)
		{
			char pos[32];
			snprintf(pos, sizeof pos, "n=%zu", i);
			if ((rc = list_record(c, v, i + 1, pos)) != 0)
				break;
		}
	} else if (json_is_object(root)) {
		/* One article: its problem is the file's. */
		article a = {0};
		char id[ID_MAX + 1], key[ID_MAX + 4] = "";
		int b = build(root, &a, id);
		if (b == REC_OOM) {
			set_reason(reason, "out of memory");
			rc = -1;
		} else if (b == REC_EMPTY) {
			set_reason(reason, "no title and no text");
			rc = -1;
		} else {
			if (id[0])
				snprintf(key, sizeof key, "id=%s", id);
			c->stop = c->emit ? c->emit(&a, key, c->ud) : 0;
			c->emitted++;
			rc = c->stop ? 1 : 0;
			article_clear(&a);
		}
	} else {
		set_reason(reason, "not an article: the file holds %s, not an object or an array", type_name(root));
		rc = -1;
	}
	json_decref(root);
	return rc;
}

int reader_json(const char *buf, size_t len, int lines, reader_emit_fn emit, reader_problem_fn problem,
		void *ud, char reason[ARTICLE_REASON_LEN])
{
	if (reason)
		reason[0] = '\0';
	if (!buf)
		len = 0;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		buf += 3, len -= 3; /* jansson does not skip a byte order mark */
	size_t i = 0;
	while (i < len && blank((unsigned char)buf[i]))
		i++;
	if (i == len) {
		set_reason(reason, "empty file");
		return -1;
	}
	ctx c = {.emit = emit, .problem = problem, .ud = ud, .seen = json_object()};
	if (!c.seen) {
		set_reason(reason, "out of memory");
		return -1;
	}
	int rc = lines ? read_lines(&c, buf, len) : read_document(&c, buf, len, reason);
	json_decref(c.seen);
	if (rc == 1)
		return c.stop;
	if (rc == -1 && reason && !reason[0])
		set_reason(reason, "out of memory");
	if (c.unreported && problem) {
		char msg[96];
		snprintf(msg, sizeof msg, "... and %zu more problems not listed", c.unreported);
		problem(msg, ud);
	}
	if (rc == 0 && c.emitted == 0) {
		if (c.bad)
			set_reason(reason, "no article in the file (%zu %s%s could not be read)", c.bad,
				   c.unit ? c.unit : "record", c.bad == 1 ? "" : "s");
		else
			set_reason(reason, "no article in the file");
		return -1;
	}
	return rc;
}
