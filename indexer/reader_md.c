/*
 * The Markdown reader: front matter, then the body with its markup removed, so that
 * neither "**", "#" nor a link's URL reaches the index or the snippets.
 *
 * Front matter is read by a small tolerant parser for the flat keys an article needs
 * (title, author, date, tags, url): libyaml would bring a full YAML model (anchors,
 * tags, nested documents) for five keys, and would refuse a whole block for one bad
 * line where we want to keep what parsed.
 *
 * The body goes through two passes, CommonMark-shaped but aimed at text rather than
 * rendering: blocks line by line (paragraphs, headings, list items, quotes, tables,
 * fenced code, HTML blocks, link definitions), then the inline markup of each block
 * (emphasis, code spans, links, images, autolinks, HTML tags, entities). Every scan is
 * either forward-only or bounded by a small constant, so the time is linear in the
 * input whatever it holds.
 */
#include "readers.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* Written in place of a '[' (or "![") that turned out to open a link, and removed when
   the paragraph is copied out: the link text is already out by the time we know. */
#define MARK '\x01'

/* Bounds of the lookahead scans (link destinations, tags, labels). */
#define SCAN_MAX 2048
#define LABEL_MAX 999
#define MAX_TICKS 16 /* longer backtick runs are dropped, not matched */
#define MAX_OPENERS 64
#define MAX_TAGS 64
#define HEADER_BLOCKS 4 /* blocks after the title where "par X" and date lines are looked for */

typedef struct {
	const char *s;
	size_t n;
} span;

/* ---- buffers: a failed allocation is remembered and checked once at the end ------- */

static void put_utf8(strbuf *b, uint32_t c)
{
	char u[4];
	if (c < 0x80) {
		u[0] = (char)c;
		strbuf_put(b, u, 1);
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3F));
		strbuf_put(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | c >> 12);
		u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		strbuf_put(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | c >> 18);
		u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		strbuf_put(b, u, 4);
	}
}

/* A code point we may write: not a surrogate, not beyond Unicode, not a control. */
static bool printable_cp(uint32_t c)
{
	return c >= 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0) && !(c >= 0xD800 && c <= 0xDFFF) &&
	       c <= 0x10FFFF;
}

/*
 * Copies `n` bytes to `dst` with white space collapsed: runs of blanks and control
 * characters become one space, none at either end; MARK bytes vanish.
 */
static void squeeze(strbuf *dst, const char *s, size_t n)
{
	bool space = false, any = false;
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == (unsigned char)MARK) {
			i++;
			continue;
		}
		if (c <= 0x20 || c == 0x7F) {
			space = any;
			i++;
			continue;
		}
		if (space) {
			strbuf_putc(dst, ' ');
			space = false;
		}
		/* the run of ordinary bytes, in one copy */
		size_t j = i + 1;
		while (j < n && (unsigned char)s[j] > 0x20 && s[j] != 0x7F && s[j] != MARK)
			j++;
		strbuf_put(dst, s + i, j - i);
		any = true;
		i = j;
	}
}

/* A malloc'ed copy of `s` squeezed, or NULL when out of memory. */
static char *squeeze_dup(const char *s, size_t n)
{
	strbuf b = {0};
	strbuf_put(&b, "", 0);
	squeeze(&b, s, n);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* ---- spans and lines -------------------------------------------------------------- */

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static span ltrim(span t)
{
	while (t.n && blank(t.s[0]))
		t.s++, t.n--;
	return t;
}

static span rtrim(span t)
{
	while (t.n && blank(t.s[t.n - 1]))
		t.n--;
	return t;
}

static span trim(span t)
{
	return rtrim(ltrim(t));
}

static span from(span t, size_t k)
{
	return k >= t.n ? (span){t.s + t.n, 0} : (span){t.s + k, t.n - k};
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

/* ASCII case-insensitive: `t` equals `w`. */
static bool ci_eq(span t, const char *w)
{
	size_t n = strlen(w);
	if (t.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(t.s[i]) != lower(w[i]))
			return false;
	return true;
}

/* ASCII case-insensitive: `t` starts with `w`. */
static bool ci_prefix(span t, const char *w)
{
	size_t n = strlen(w);
	return t.n >= n && ci_eq((span){t.s, n}, w);
}

/* ASCII case-insensitive search of a short needle; offset or SIZE_MAX. */
static size_t ci_find(span t, const char *w)
{
	size_t n = strlen(w);
	for (size_t i = 0; i + n <= t.n; i++)
		if (ci_eq((span){t.s + i, n}, w))
			return i;
	return SIZE_MAX;
}

/* The next line from *pos (ended by LF, CRLF or a lone CR), without its end. */
static bool next_line(const char **pos, const char *end, span *line)
{
	const char *p = *pos;
	if (p >= end)
		return false;
	const char *q = p;
	while (q < end && *q != '\n' && *q != '\r')
		q++;
	*line = (span){p, (size_t)(q - p)};
	if (q < end)
		q += (*q == '\r' && q + 1 < end && q[1] == '\n') ? 2 : 1;
	*pos = q;
	return true;
}

/* ---- front matter ----------------------------------------------------------------- */

enum fm_key { FK_NONE, FK_TITLE, FK_AUTHOR, FK_DATE, FK_TAGS, FK_URL, FK_PERMALINK };

static enum fm_key fm_key_kind(span k)
{
	static const struct {
		const char *name;
		enum fm_key kind;
	} keys[] = {
		{"title", FK_TITLE},	  {"titre", FK_TITLE},	  {"author", FK_AUTHOR},   {"authors", FK_AUTHOR},
		{"auteur", FK_AUTHOR},	  {"auteurs", FK_AUTHOR}, {"date", FK_DATE},	   {"published", FK_DATE},
		{"publié", FK_DATE},	  {"publie", FK_DATE},	  {"pubdate", FK_DATE},	   {"tags", FK_TAGS},
		{"keywords", FK_TAGS},	  {"url", FK_URL},	  {"permalink", FK_PERMALINK},
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (ci_eq(k, keys[i].name))
			return keys[i].kind;
	return FK_NONE;
}

/* What the front matter gave; its strings go straight into the article. */
typedef struct {
	article *a;
	strbuf tags; /* "a, b, c" */
	size_t ntags;
	bool url_key; /* url came from "url", which wins over "permalink" */
	bool oom;
} meta;

/* A value: its items, each ended by a NUL byte (control characters became spaces). */
typedef struct {
	strbuf b;
	size_t n;
} values;

static void val_putc(values *v, char c)
{
	strbuf_putc(&v->b, (unsigned char)c < 0x20 ? ' ' : c);
}

static void val_end_item(values *v)
{
	strbuf_put(&v->b, "\0", 1); /* the separator counts in len */
	v->n++;
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One escape of a double-quoted string, `p` after the backslash. Returns what follows. */
static const char *fm_escape(const char *p, const char *end, values *v)
{
	char c = *p++;
	int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
	if (digits) {
		uint32_t cp = 0;
		int k = 0;
		for (; k < digits && p + k < end && hexval(p[k]) >= 0; k++)
			cp = cp * 16 + (uint32_t)hexval(p[k]);
		if (k < digits) { /* not an escape after all: keep it as written */
			val_putc(v, '\\');
			val_putc(v, c);
			return p;
		}
		if (printable_cp(cp))
			put_utf8(&v->b, cp);
		else
			val_putc(v, ' ');
		return p + digits;
	}
	switch (c) {
	case '_':
		strbuf_put(&v->b, "\xC2\xA0", 2); /* YAML's escaped no-break space */
		break;
	case 'n': case 't': case 'r': case 'b': case 'f': case 'v': case 'a': case 'e': case '0':
	case 'N': case 'L': case 'P':
		val_putc(v, ' '); /* line breaks and controls: these fields are one line */
		break;
	default:
		val_putc(v, c); /* \" \\ \/ \' and anything unknown */
	}
	return p;
}

/*
 * Reads one scalar at `p`: "double-quoted" (with escapes), 'single-quoted' ('' is a
 * quote), or plain up to a byte of `stops` or a " #" comment. Appends it to the current
 * item of `v`. Returns the position after it. A missing closing quote ends at `end`.
 */
static const char *fm_scalar(const char *p, const char *end, const char *stops, values *v)
{
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"';) {
			if (*p == '\\' && p + 1 < end)
				p = fm_escape(p + 1, end, v);
			else
				val_putc(v, *p++);
		}
		return p < end ? p + 1 : p;
	}
	if (p < end && *p == '\'') {
		for (p++; p < end; p++) {
			if (*p == '\'') {
				if (p + 1 < end && p[1] == '\'') {
					val_putc(v, '\'');
					p++;
					continue;
				}
				return p + 1;
			}
			val_putc(v, *p);
		}
		return p;
	}
	const char *q = p;
	while (q < end && !(*q && stops && strchr(stops, *q)) && !(*q == '#' && q > p && blank(q[-1])))
		q++;
	span t = rtrim((span){p, (size_t)(q - p)});
	for (size_t i = 0; i < t.n; i++)
		val_putc(v, t.s[i]);
	return q;
}

/* A flow list "[a, "b", 'c']" (or "{...}" items alike) from `p` at its bracket. */
static void fm_flow_list(const char *p, const char *end, values *v)
{
	char close = *p == '{' ? '}' : ']';
	const char stops[3] = {',', close, '\0'};
	for (p++;;) {
		while (p < end && (blank(*p) || *p == ','))
			p++;
		if (p >= end || *p == close)
			return;
		size_t before = v->b.len;
		const char *q = fm_scalar(p, end, stops, v);
		while (q < end && *q != ',' && *q != close)
			q++; /* after a quoted item: anything up to the separator is dropped */
		if (v->b.len > before)
			val_end_item(v);
		p = q;
	}
}

/* "2023-04-12", "2023-04-12T10:00:00Z", "2023-04-12 10:00:00 +0200", "12 avril 2023". */
static bool fm_date(const char *v, char out[11])
{
	size_t n = strlen(v);
	if (n >= 10 && is_digit(v[0]) && is_digit(v[3]) && v[4] == '-' && v[7] == '-' &&
	    (n == 10 || v[10] == 'T' || v[10] == 't' || v[10] == ' '))
		return article_parse_date(v, 10, out) == 0;
	return article_parse_date(v, n, out) == 0;
}

static void fm_add_tag(meta *m, span t)
{
	t = trim(t);
	if (!t.n || m->ntags >= MAX_TAGS)
		return;
	/* the same tag twice (tags and keywords often repeat each other) is kept once */
	const char *p = m->tags.s, *end = p ? p + m->tags.len : NULL;
	while (p && p < end) {
		const char *q = strstr(p, ", ");
		size_t k = q ? (size_t)(q - p) : (size_t)(end - p);
		if (k == t.n && memcmp(p, t.s, k) == 0)
			return;
		p = q ? q + 2 : end;
	}
	if (m->tags.len)
		strbuf_put(&m->tags, ", ", 2);
	strbuf_put(&m->tags, t.s, t.n);
	m->ntags++;
}

static bool set_field(char **field, const char *s, size_t n)
{
	char *c = squeeze_dup(s, n);
	if (!c)
		return false;
	if (!*c) {
		free(c);
		return true;
	}
	free(*field);
	*field = c;
	return true;
}

/* Gives the items of a key to the article: the first one, or all of them for tags. */
static void fm_apply(meta *m, enum fm_key k, values *v)
{
	if (v->b.oom)
		m->oom = true;
	const char *item = v->b.s;
	for (size_t i = 0; i < v->n && !m->oom; i++, item += strlen(item) + 1) {
		size_t n = strlen(item);
		span t = trim((span){item, n});
		if (!t.n)
			continue;
		article *a = m->a;
		bool ok = true;
		char date[11];
		switch (k) {
		case FK_TITLE:
			if (!a->title)
				ok = set_field(&a->title, t.s, t.n);
			break;
		case FK_AUTHOR:
			if (!a->author)
				ok = set_field(&a->author, t.s, t.n);
			break;
		case FK_DATE:
			if (!a->date && fm_date(t.s, date))
				ok = set_field(&a->date, date, 10);
			break;
		case FK_URL:
			if (!m->url_key)
				ok = set_field(&a->url, t.s, t.n);
			m->url_key = true;
			break;
		case FK_PERMALINK:
			if (!a->url)
				ok = set_field(&a->url, t.s, t.n);
			break;
		case FK_TAGS: {
			/* "a, b" as one string is two tags; a comma cannot be inside one */
			const char *p = t.s, *end = t.s + t.n;
			while (p <= end) {
				const char *c = memchr(p, ',', (size_t)(end - p));
				if (!c)
					c = end;
				fm_add_tag(m, (span){p, (size_t)(c - p)});
				p = c + 1;
			}
			if (m->tags.oom)
				m->oom = true;
			continue; /* every item */
		}
		case FK_NONE:
			break;
		}
		if (!ok)
			m->oom = true;
		return; /* the first non-empty item only */
	}
}

/*
 * A YAML mapping key at the start of `c`: `key:` followed by a blank or the end, the
 * key bare or quoted. `*rest` gets what follows the colon.
 */
static bool yaml_key(span c, span *key, span *rest)
{
	if (!c.n || strchr("-[{?!&*|>%@`", c.s[0]))
		return false;
	size_t colon;
	if (c.s[0] == '"' || c.s[0] == '\'') {
		const char *q = memchr(c.s + 1, c.s[0], c.n - 1);
		if (!q)
			return false;
		*key = (span){c.s + 1, (size_t)(q - c.s - 1)};
		colon = (size_t)(q - c.s) + 1;
		while (colon < c.n && blank(c.s[colon]))
			colon++;
		if (colon >= c.n || c.s[colon] != ':')
			return false;
	} else {
		for (colon = 0; colon < c.n; colon++)
			if (c.s[colon] == ':' && (colon + 1 == c.n || blank(c.s[colon + 1])))
				break;
		if (colon == c.n || colon == 0)
			return false;
		*key = rtrim((span){c.s, colon});
	}
	if (colon + 1 < c.n && !blank(c.s[colon + 1]))
		return false;
	*rest = trim(from(c, colon + 1));
	return true;
}

/* The value of a "name:" line inside a map (an author given as {name, email}), or an
   empty span. */
static span name_value(span c)
{
	span k, rest;
	if (yaml_key(c, &k, &rest) && ci_eq(k, "name"))
		return rest;
	return (span){c.s, 0};
}

/*
 * YAML, the shapes front matter uses: `key: value` (plain, quoted, or a flow list),
 * `key:` followed by a block list (`- a`) or a nested map (only an author's `name:` is
 * taken), `key: |` / `key: >` block scalars, plain values continued on indented lines.
 * Comments, other keys and lines that parse as none of these are skipped.
 */
static void fm_yaml(meta *m, const char *p, const char *end)
{
	enum { V_NONE, V_EMPTY, V_LIST, V_SCALAR, V_FLOW, V_DONE } state = V_NONE;
	enum fm_key key = FK_NONE;
	values v = {{0}, 0};
	strbuf flow = {0};
	for (;;) {
		span line = {p, 0};
		bool more = next_line(&p, end, &line);
		span c = trim(line);
		if (state == V_FLOW) { /* a flow list over several lines, up to its bracket */
			if (more) {
				strbuf_putc(&flow, ' ');
				strbuf_put(&flow, c.s, c.n);
				if (!memchr(c.s, ']', c.n))
					continue;
			}
			if (flow.s)
				fm_flow_list(flow.s, flow.s + flow.len, &v);
			flow.len = 0;
			state = V_DONE;
			if (more)
				continue;
		}
		if (more && (!c.n || c.s[0] == '#'))
			continue;
		bool indented = more && blank(line.s[0]);
		bool dash = more && c.s[0] == '-' && (c.n == 1 || blank(c.s[1]));
		if (indented || (dash && (state == V_EMPTY || state == V_LIST))) {
			if ((state == V_EMPTY || state == V_LIST) && dash) {
				span item = trim(from(c, 1)), name = name_value(item);
				if (name.n)
					item = name; /* authors: [- name: X] */
				if (item.n && item.s[0] == '[')
					fm_flow_list(item.s, item.s + item.n, &v);
				else if (item.n) {
					fm_scalar(item.s, item.s + item.n, NULL, &v);
					val_end_item(&v);
				}
				state = V_LIST;
			} else if (state == V_EMPTY && key == FK_AUTHOR && name_value(c).n) {
				span name = name_value(c);
				fm_scalar(name.s, name.s + name.n, NULL, &v);
				val_end_item(&v);
				state = V_DONE;
			} else if (state == V_SCALAR) {
				val_putc(&v, ' '); /* continuation of a plain or block scalar */
				fm_scalar(c.s, c.s + c.n, NULL, &v);
			}
			continue;
		}
		/* a line at the left margin (or the end): the previous key is complete */
		if (state == V_SCALAR)
			val_end_item(&v);
		if (key != FK_NONE)
			fm_apply(m, key, &v);
		v.b.len = 0;
		v.n = 0;
		key = FK_NONE;
		state = V_NONE;
		if (!more)
			break;
		span k, rest;
		if (!yaml_key(c, &k, &rest))
			continue; /* garbage line: skipped, the rest still counts */
		key = fm_key_kind(k);
		if (!rest.n) {
			state = V_EMPTY;
		} else if (rest.s[0] == '[' || rest.s[0] == '{') {
			if (rest.s[0] == '{') {
				/* author: {name: X, email: Y} */
				size_t at = ci_find(rest, "name:");
				if (at == SIZE_MAX)
					continue;
				span name = ltrim(from(rest, at + 5));
				fm_scalar(name.s, name.s + name.n, ",}", &v);
				val_end_item(&v);
				state = V_DONE;
			} else {
				strbuf_put(&flow, rest.s, rest.n);
				state = V_FLOW;
				if (memchr(rest.s, ']', rest.n)) {
					fm_flow_list(flow.s, flow.s + flow.len, &v);
					flow.len = 0;
					state = V_DONE;
				}
			}
		} else if (rest.s[0] == '|' || rest.s[0] == '>') {
			state = V_SCALAR; /* block scalar: its lines follow, indented */
		} else {
			fm_scalar(rest.s, rest.s + rest.n, NULL, &v);
			state = V_SCALAR;
		}
	}
	if (flow.oom || v.b.oom)
		m->oom = true;
	free(flow.s);
	free(v.b.s);
}

/* A TOML key at the start of `c`, bare or quoted, followed by '='. */
static bool toml_key(span c, span *key, span *rest)
{
	size_t i = 0;
	if (c.n && (c.s[0] == '"' || c.s[0] == '\'')) {
		const char *q = memchr(c.s + 1, c.s[0], c.n - 1);
		if (!q)
			return false;
		*key = (span){c.s + 1, (size_t)(q - c.s - 1)};
		i = (size_t)(q - c.s) + 1;
	} else {
		while (i < c.n && (is_alnum(c.s[i]) || c.s[i] == '_' || c.s[i] == '-'))
			i++;
		if (!i)
			return false;
		*key = (span){c.s, i};
	}
	while (i < c.n && blank(c.s[i]))
		i++;
	if (i >= c.n || c.s[i] != '=')
		return false;
	*rest = trim(from(c, i + 1));
	return true;
}

/*
 * TOML, the shapes front matter uses: `key = "value"` (basic or literal strings, bare
 * dates), arrays `["a", "b"]` over one or more lines, `"""` strings over several lines.
 * Keys under a [table] are skipped, except in the tables Hugo and Zola put article
 * fields in ([params], [extra], [taxonomies]).
 */
static void fm_toml(meta *m, const char *p, const char *end)
{
	bool section_ok = true;
	values v = {{0}, 0};
	strbuf more = {0};
	span line;
	while (next_line(&p, end, &line)) {
		span c = trim(line), k, rest;
		if (!c.n || c.s[0] == '#')
			continue;
		if (c.s[0] == '[') {
			span name = c;
			while (name.n && (name.s[0] == '[' || blank(name.s[0])))
				name = from(name, 1);
			while (name.n && (name.s[name.n - 1] == ']' || blank(name.s[name.n - 1])))
				name.n--;
			section_ok = ci_eq(name, "params") || ci_eq(name, "extra") || ci_eq(name, "taxonomies");
			continue;
		}
		if (!toml_key(c, &k, &rest))
			continue;
		enum fm_key key = section_ok ? fm_key_kind(k) : FK_NONE;
		more.len = 0;
		if (rest.n && rest.s[0] == '{') {
			/* author = { name = "X", email = "..." } */
			size_t at = ci_find(rest, "name");
			span name = at == SIZE_MAX ? (span){rest.s, 0} : ltrim(from(rest, at + 4));
			if (name.n && name.s[0] == '=') {
				name = ltrim(from(name, 1));
				fm_scalar(name.s, name.s + name.n, ",}", &v);
				val_end_item(&v);
			}
		} else if (rest.n && rest.s[0] == '[') {
			/* an array may go on over the next lines, up to its ']' */
			strbuf_put(&more, rest.s, rest.n);
			while (!memchr(rest.s, ']', rest.n) && next_line(&p, end, &line)) {
				rest = trim(line);
				strbuf_putc(&more, ' ');
				strbuf_put(&more, rest.s, rest.n);
			}
			if (more.s)
				fm_flow_list(more.s, more.s + more.len, &v);
		} else if (rest.n >= 3 && (memcmp(rest.s, "\"\"\"", 3) == 0 || memcmp(rest.s, "'''", 3) == 0)) {
			/* a multi-line string: its lines joined by spaces, up to the closing quotes */
			char q[4] = {rest.s[0], rest.s[0], rest.s[0], '\0'};
			rest = from(rest, 3);
			for (;;) {
				size_t at = ci_find(rest, q);
				strbuf_put(&more, rest.s, at == SIZE_MAX ? rest.n : at);
				if (at != SIZE_MAX || !next_line(&p, end, &line))
					break;
				strbuf_putc(&more, ' ');
				rest = trim(line);
			}
			for (size_t i = 0; i < more.len; i++)
				val_putc(&v, more.s[i]);
			val_end_item(&v);
		} else {
			fm_scalar(rest.s, rest.s + rest.n, NULL, &v);
			val_end_item(&v);
		}
		if (key != FK_NONE)
			fm_apply(m, key, &v);
		v.b.len = 0;
		v.n = 0;
	}
	if (more.oom || v.b.oom)
		m->oom = true;
	free(more.s);
	free(v.b.s);
}

/* "---" (or "+++", "...") and nothing else but trailing blanks. */
static bool delimiter_line(span l, char c)
{
	span t = rtrim(l);
	return t.n == 3 && t.s[0] == c && t.s[1] == c && t.s[2] == c;
}

/*
 * Front matter at `p`: YAML between "---" lines (closed by "---" or "..."), TOML between
 * "+++" lines. Returns where the body starts: `p` itself when there is none, when it is
 * unterminated (then the whole file is body), or when the block holds no key at all
 * (two horizontal rules around prose are not front matter).
 */
static const char *front_matter(meta *m, const char *p, const char *end)
{
	const char *q = p;
	span line;
	if (!next_line(&q, end, &line))
		return p;
	char c = delimiter_line(line, '-') ? '-' : delimiter_line(line, '+') ? '+' : 0;
	if (!c)
		return p;
	const char *start = q, *stop = NULL;
	bool keys = false, text = false;
	while (next_line(&q, end, &line)) {
		if (delimiter_line(line, c) || (c == '-' && delimiter_line(line, '.'))) {
			stop = line.s;
			break;
		}
		span t = trim(line), k, rest;
		if (!t.n || t.s[0] == '#')
			continue;
		text = true;
		if (c == '-' ? yaml_key(t, &k, &rest) : toml_key(t, &k, &rest))
			keys = true;
	}
	if (!stop || (text && !keys))
		return p;
	if (c == '-')
		fm_yaml(m, start, stop);
	else
		fm_toml(m, start, stop);
	return q;
}

/* ---- blocks ----------------------------------------------------------------------- */

enum { B_PARA, B_HEADING, B_TABLE };

typedef struct {
	int kind, level;
	bool item; /* a list item's paragraph */
	size_t first, n; /* its lines, in doc.lines */
} block;

typedef struct {
	span *lines;
	size_t nlines, caplines;
	block *blocks;
	size_t nblocks, capblocks;
	uint64_t *refs; /* hashes of the link reference labels, sorted */
	size_t nrefs, caprefs;
	bool oom;
} doc;

static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? *cap * 2 : 64;
	void *t = realloc(*v, c * size);
	if (!t)
		return false;
	*v = t;
	*cap = c;
	return true;
}

/* Starts a block of `kind` holding `line`; returns its index or SIZE_MAX. */
static size_t new_block(doc *d, int kind, int level, bool item, span line)
{
	if (!grow((void **)&d->blocks, &d->capblocks, d->nblocks, sizeof *d->blocks) ||
	    !grow((void **)&d->lines, &d->caplines, d->nlines, sizeof *d->lines)) {
		d->oom = true;
		return SIZE_MAX;
	}
	d->lines[d->nlines] = line;
	d->blocks[d->nblocks] = (block){kind, level, item, d->nlines, 1};
	d->nlines++;
	return d->nblocks++;
}

/* Adds a line to the last block (the open one). */
static void add_line(doc *d, span line)
{
	if (!grow((void **)&d->lines, &d->caplines, d->nlines, sizeof *d->lines)) {
		d->oom = true;
		return;
	}
	d->lines[d->nlines++] = line;
	d->blocks[d->nblocks - 1].n++;
}

/* A paragraph line: a final backslash (a hard line break) goes. */
static span para_line(span t)
{
	size_t k = 0;
	while (k < t.n && t.s[t.n - 1 - k] == '\\')
		k++;
	if (k % 2)
		t.n--;
	return t;
}

/* FNV-1a of a link label, ASCII case folded and its blanks collapsed. */
static uint64_t label_hash(span l)
{
	uint64_t h = 14695981039346656037ULL;
	bool space = false;
	l = trim(l);
	for (size_t i = 0; i < l.n; i++) {
		char c = l.s[i];
		if (blank(c)) {
			space = true;
			continue;
		}
		if (space)
			h = (h ^ ' ') * 1099511628211ULL;
		space = false;
		h = (h ^ (unsigned char)lower(c)) * 1099511628211ULL;
	}
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool ref_defined(const doc *d, span label)
{
	uint64_t h = label_hash(label);
	return d->nrefs && bsearch(&h, d->refs, d->nrefs, sizeof h, cmp_u64) != NULL;
}

static bool is_hr(span t)
{
	if (!t.n || (t.s[0] != '-' && t.s[0] != '*' && t.s[0] != '_'))
		return false;
	size_t count = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.s[i] == t.s[0])
			count++;
		else if (!blank(t.s[i]))
			return false;
	}
	return count >= 3;
}

/*
 * A list marker at the start of `t` ("- ", "* ", "+ ", "1. ", "2) "): `*rest` gets the
 * item's text. Ordered markers have at most 3 digits, so a paragraph that opens with a
 * year ("1984. Orwell...") keeps it. When `interrupt` (a paragraph is open), only a
 * non-empty item, and for ordered lists only "1.", starts a list, as in CommonMark.
 */
static bool list_marker(span t, bool interrupt, span *rest)
{
	size_t k = 0;
	if (t.n && (t.s[0] == '-' || t.s[0] == '*' || t.s[0] == '+')) {
		k = 1;
	} else {
		while (k < t.n && k < 4 && is_digit(t.s[k]))
			k++;
		if (k == 0 || k == 4 || k == t.n || (t.s[k] != '.' && t.s[k] != ')'))
			return false;
		if (interrupt && !(k == 1 && t.s[0] == '1'))
			return false;
		k++;
	}
	if (k < t.n && !blank(t.s[k]))
		return false;
	*rest = trim(from(t, k));
	if (interrupt && !rest->n)
		return false;
	/* task lists: "- [ ] à faire", "- [x] fait" */
	if (rest->n >= 3 && rest->s[0] == '[' && rest->s[2] == ']' &&
	    (rest->s[1] == ' ' || rest->s[1] == 'x' || rest->s[1] == 'X') && (rest->n == 3 || blank(rest->s[3])))
		*rest = trim(from(*rest, 3));
	return true;
}

/* "```" or "~~~" (3 or more) opening a fenced code block. */
static bool fence_open(span t, char *ch, size_t *len)
{
	if (!t.n || (t.s[0] != '`' && t.s[0] != '~'))
		return false;
	size_t k = 0;
	while (k < t.n && t.s[k] == t.s[0])
		k++;
	if (k < 3 || (t.s[0] == '`' && memchr(t.s + k, '`', t.n - k)))
		return false; /* "```x```" is a code span in a paragraph */
	*ch = t.s[0];
	*len = k;
	return true;
}

static bool fence_close(span t, char ch, size_t len)
{
	size_t k = 0;
	while (k < t.n && t.s[k] == ch)
		k++;
	return k >= len && k == t.n;
}

/* The end marker of an HTML block whose content is dropped (script, style, pre,
   comments), when `t` opens one; else NULL. */
static const char *html_drop_block(span t)
{
	static const char *const tags[][2] = {
		{"<script", "</script>"}, {"<style", "</style>"}, {"<pre", "</pre>"}, {"<textarea", "</textarea>"},
	};
	if (ci_prefix(t, "<!--"))
		return "-->";
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		size_t n = strlen(tags[i][0]);
		if (ci_prefix(t, tags[i][0]) && (t.n == n || blank(t.s[n]) || t.s[n] == '>'))
			return tags[i][1];
	}
	return NULL;
}

/* A setext underline: only '=' (level 1) or only '-' (level 2). */
static int setext_level(span t)
{
	if (!t.n || (t.s[0] != '=' && t.s[0] != '-'))
		return 0;
	for (size_t i = 1; i < t.n; i++)
		if (t.s[i] != t.s[0])
			return 0;
	return t.s[0] == '=' ? 1 : 2;
}

/* A table's delimiter row: "| --- | :---: |", "---|---". */
static bool table_delimiter(span t)
{
	bool dash = false, pipe = false;
	for (size_t i = 0; i < t.n; i++) {
		char c = t.s[i];
		if (c == '-')
			dash = true;
		else if (c == '|')
			pipe = true;
		else if (c != ':' && !blank(c))
			return false;
	}
	return dash && pipe;
}

/*
 * A link reference definition "[label]: url 'title'" (dropped, its label remembered),
 * or a footnote definition "[^1]: text" (its text kept as a paragraph, in *note).
 * The destination must look like an address and nothing but a title may follow it, so
 * that a line of prose such as "[Note]: voici." stays prose.
 */
static bool ref_definition(span t, span *label, bool *footnote, span *note)
{
	if (t.n < 4 || t.s[0] != '[')
		return false;
	size_t j = 1;
	while (j < t.n && j <= LABEL_MAX && t.s[j] != ']' && t.s[j] != '[')
		j += t.s[j] == '\\' ? 2 : 1;
	if (j + 1 >= t.n || t.s[j] != ']' || t.s[j + 1] != ':' || j == 1)
		return false;
	*label = (span){t.s + 1, j - 1};
	span rest = trim(from(t, j + 2));
	*footnote = label->s[0] == '^';
	if (*footnote) {
		*note = rest;
		return true;
	}
	if (!rest.n)
		return false;
	size_t k = 0;
	bool address;
	if (rest.s[0] == '<') {
		while (k < rest.n && rest.s[k] != '>')
			k++;
		if (k == rest.n)
			return false;
		k++;
		address = true;
	} else {
		while (k < rest.n && !blank(rest.s[k]))
			k++;
		const char *dot = memchr(rest.s, '.', k);
		address = memchr(rest.s, ':', k) || memchr(rest.s, '/', k) || memchr(rest.s, '#', k) ||
			  (dot && dot < rest.s + k - 1);
	}
	if (!address)
		return false;
	span title = ltrim(from(rest, k));
	if (!title.n)
		return true;
	char open = title.s[0], close = open == '(' ? ')' : open;
	return (open == '"' || open == '\'' || open == '(') && title.n >= 2 && title.s[title.n - 1] == close;
}

/* The text of an ATX heading line after its '#'s: closing '#'s and "{#id}" removed. */
static span atx_content(span t)
{
	t = trim(t);
	size_t k = t.n;
	while (k && t.s[k - 1] == '#')
		k--;
	if (k == 0)
		return (span){t.s, 0};
	if (k < t.n && blank(t.s[k - 1]))
		t = rtrim((span){t.s, k});
	if (t.n && t.s[t.n - 1] == '}') { /* Pandoc's "## Titre {#ancre .classe}" */
		size_t open = t.n;
		while (open && t.s[open - 1] != '{')
			open--;
		if (open >= 2 && blank(t.s[open - 2]) && (t.s[open] == '#' || t.s[open] == '.'))
			t = rtrim((span){t.s, open - 1});
	}
	return t;
}

/* Splits the body into blocks. */
static void read_blocks(doc *d, const char *p, const char *end)
{
	size_t open = SIZE_MAX; /* the block that takes continuation lines */
	char fence = 0;
	size_t fence_len = 0;
	const char *html_end = NULL;
	span raw;
	while (next_line(&p, end, &raw) && !d->oom) {
		if (fence || html_end) {
			/* inside code or a dropped HTML block: only its end matters */
			span t = ltrim(raw);
			while (t.n && t.s[0] == '>')
				t = ltrim(from(t, 1));
			t = rtrim(t);
			if (fence && fence_close(t, fence, fence_len))
				fence = 0;
			else if (html_end && ci_find(raw, html_end) != SIZE_MAX)
				html_end = NULL;
			continue;
		}
		/* containers: quote markers and list markers, nested in any order */
		span t = raw;
		bool item = false;
		for (;;) {
			t = ltrim(t);
			span rest;
			if (t.n && t.s[0] == '>') {
				t = from(t, 1);
				continue;
			}
			/* A paragraph (not a list item: in a list, any marker is the next item)
			   limits what may interrupt it. */
			bool para_open = open != SIZE_MAX && d->blocks[open].kind == B_PARA && !item;
			bool interrupt = para_open && !d->blocks[open].item;
			if (!is_hr(t) && !(para_open && setext_level(rtrim(t))) &&
			    list_marker(t, interrupt, &rest)) {
				t = rest;
				item = true;
				continue;
			}
			break;
		}
		t = rtrim(t);
		if (!t.n) {
			open = SIZE_MAX; /* a blank line (or an empty item) ends the paragraph */
			continue;
		}
		span label, note;
		bool footnote;
		if (fence_open(t, &fence, &fence_len)) {
			open = SIZE_MAX;
		} else if ((html_end = html_drop_block(t)) != NULL) {
			/* closed on its own line: nothing more to skip */
			if (ci_find(from(t, 4), html_end) != SIZE_MAX)
				html_end = NULL;
			open = SIZE_MAX;
		} else if (t.s[0] == '#') {
			size_t k = 0;
			while (k < t.n && t.s[k] == '#')
				k++;
			if (k <= 6 && (k == t.n || blank(t.s[k]))) {
				span c = atx_content(from(t, k));
				if (c.n)
					new_block(d, B_HEADING, (int)k, false, c);
				open = SIZE_MAX;
			} else {
				goto text; /* "#MeToo", "####### x" */
			}
		} else if (!item && open != SIZE_MAX && d->blocks[open].kind == B_PARA && setext_level(t) &&
			   !(d->blocks[open].item && t.s[0] == '-')) {
			d->blocks[open].kind = B_HEADING;
			d->blocks[open].level = setext_level(t);
			open = SIZE_MAX;
		} else if (is_hr(t) || (setext_level(t) && t.n >= 3)) {
			open = SIZE_MAX; /* a rule, or "===" with nothing above */
		} else if (ref_definition(t, &label, &footnote, &note)) {
			open = SIZE_MAX;
			if (footnote) {
				if (note.n)
					open = new_block(d, B_PARA, 0, false, para_line(note));
			} else if (grow((void **)&d->refs, &d->caprefs, d->nrefs, sizeof *d->refs)) {
				d->refs[d->nrefs++] = label_hash(label);
			} else {
				d->oom = true;
			}
		} else if (open != SIZE_MAX && d->blocks[open].kind == B_PARA && table_delimiter(t) &&
			   memchr(d->lines[d->nlines - 1].s, '|', d->lines[d->nlines - 1].n)) {
			/* the paragraph's last line was a table's header row */
			block *b = &d->blocks[open];
			if (b->n > 1) {
				b->n--;
				d->nlines--;
				open = new_block(d, B_TABLE, 0, false, d->lines[d->nlines]);
			} else {
				b->kind = B_TABLE;
			}
		} else {
		text:
			/* a list item starts a paragraph of its own; other lines continue one */
			if (item || open == SIZE_MAX)
				open = new_block(d, B_PARA, 0, item, para_line(t));
			else
				add_line(d, d->blocks[open].kind == B_TABLE ? t : para_line(t));
		}
	}
	if (d->nrefs)
		qsort(d->refs, d->nrefs, sizeof *d->refs, cmp_u64);
}

/* ---- inline markup ---------------------------------------------------------------- */

enum cls { C_SPACE, C_PUNCT, C_OTHER };

static enum cls cp_class(uint32_t c)
{
	if (c <= 0x20 || c == 0x7F)
		return C_SPACE;
	if (c < 0x80)
		return is_alnum((char)c) ? C_OTHER : C_PUNCT;
	if (c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000)
		return C_SPACE;
	if (c == 0xA1 || c == 0xAB || c == 0xB7 || c == 0xBB || c == 0xBF || (c >= 0x2010 && c <= 0x2027) ||
	    (c >= 0x2030 && c <= 0x205E))
		return C_PUNCT; /* ¡ « · » ¿, dashes, quotes, … */
	return C_OTHER;
}

/* Decodes the UTF-8 character at s[i] leniently (an invalid byte is U+FFFD). */
static uint32_t decode_at(const unsigned char *s, size_t n, size_t i)
{
	unsigned c = s[i];
	if (c < 0x80)
		return c;
	size_t need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
	if (!need || i + need >= n)
		return 0xFFFD;
	uint32_t cp = c & (0x3F >> need);
	for (size_t k = 1; k <= need; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return 0xFFFD;
		cp = cp << 6 | (s[i + k] & 0x3F);
	}
	return cp;
}

static enum cls class_at(const unsigned char *s, size_t n, size_t i)
{
	return i >= n ? C_SPACE : cp_class(decode_at(s, n, i));
}

static enum cls class_before(const unsigned char *s, size_t n, size_t i)
{
	if (i == 0)
		return C_SPACE;
	size_t j = i - 1;
	while (j > 0 && i - j < 4 && (s[j] & 0xC0) == 0x80)
		j--;
	return cp_class(decode_at(s, n, j));
}

typedef struct {
	const char *s;
	size_t n;
	strbuf *out;
	const doc *d;
	bool table;
	bool no_closer[MAX_TICKS + 1]; /* no run of exactly k backticks is left */
	size_t comment_end;	       /* the next "-->", SIZE_MAX when none is left */
	bool comment_known;
	struct {
		size_t out, in;
		bool image;
	} openers[MAX_OPENERS];
	int nopen;
} inl;

/* Copies input bytes, control characters as spaces. */
static void put_text(inl *x, size_t i, size_t j)
{
	size_t k = i;
	while (k < j) {
		size_t m = k;
		while (m < j && (unsigned char)x->s[m] >= 0x20 && x->s[m] != 0x7F)
			m++;
		strbuf_put(x->out, x->s + k, m - k);
		if (m < j) {
			strbuf_putc(x->out, ' ');
			m++;
		}
		k = m;
	}
}

/* A code span from s[i] (a run of `run` backticks): its text, or -- when the run is
   never closed -- nothing. Returns the position after it. */
static size_t code_span(inl *x, size_t i, size_t run)
{
	size_t start = i + run;
	if (run > MAX_TICKS || x->no_closer[run])
		return start;
	for (size_t j = start; j < x->n;) {
		if (x->s[j] != '`') {
			const char *q = memchr(x->s + j, '`', x->n - j);
			if (!q)
				break;
			j = (size_t)(q - x->s);
			continue;
		}
		size_t k = j;
		while (k < x->n && x->s[k] == '`')
			k++;
		if (k - j == run) {
			size_t a = start, b = j;
			/* one space each side is padding ("`` `code` ``") */
			if (b - a >= 2 && x->s[a] == ' ' && x->s[b - 1] == ' ')
				a++, b--;
			put_text(x, a, b);
			return k;
		}
		j = k;
	}
	x->no_closer[run] = true; /* searches only move forward: none later either */
	return start;
}

/*
 * The rest of an inline link after its ']', from s[p] == '(': destination, optional
 * title, ')'. Returns the position after ')', or 0 when it is not one.
 */
static size_t link_tail(const inl *x, size_t p)
{
	const char *s = x->s;
	size_t n = x->n < p + SCAN_MAX ? x->n : p + SCAN_MAX;
	size_t q = p + 1;
	while (q < n && blank(s[q]))
		q++;
	if (q < n && s[q] == '<') {
		for (q++; q < n && s[q] != '>' && s[q] != '<';)
			q++;
		if (q >= n || s[q] != '>')
			return 0;
		q++;
	} else {
		int depth = 0;
		while (q < n && (unsigned char)s[q] > 0x20) {
			if (s[q] == '\\' && q + 1 < n) {
				q += 2;
				continue;
			}
			if (s[q] == '(' && ++depth > 32)
				return 0;
			if (s[q] == ')' && depth-- == 0)
				break;
			q++;
		}
	}
	while (q < n && blank(s[q]))
		q++;
	if (q < n && (s[q] == '"' || s[q] == '\'' || s[q] == '(')) {
		char close = s[q] == '(' ? ')' : s[q];
		for (q++; q < n && s[q] != close; q++)
			if (s[q] == '\\')
				q++;
		if (q >= n)
			return 0;
		q++;
		while (q < n && blank(s[q]))
			q++;
	}
	return q < n && s[q] == ')' ? q + 1 : 0;
}

/* A reference label "[ref]" from s[p] == '['; the position after it, or 0. */
static size_t ref_label(const inl *x, size_t p)
{
	for (size_t q = p + 1; q < x->n && q - p <= LABEL_MAX; q++) {
		if (x->s[q] == '\\')
			q++;
		else if (x->s[q] == '[')
			return 0;
		else if (x->s[q] == ']')
			return q + 1;
	}
	return 0;
}

/* ']': closes the nearest '[' as a link or image, keeping its text only. */
static size_t close_bracket(inl *x, size_t i)
{
	if (x->nopen == 0) {
		strbuf_putc(x->out, ']');
		return i + 1;
	}
	x->nopen--;
	size_t out = x->openers[x->nopen].out, in = x->openers[x->nopen].in;
	bool image = x->openers[x->nopen].image;
	size_t after = 0;
	if (i + 1 < x->n && x->s[i + 1] == '(')
		after = link_tail(x, i + 1);
	if (!after && i + 1 < x->n && x->s[i + 1] == '[')
		after = ref_label(x, i + 1); /* [text][ref] and [text][] */
	span label = {x->s + in + 1, i - in - 1};
	if (!after && !image && label.n && label.s[0] == '^') {
		x->out->len = out; /* a footnote reference: dropped whole */
		if (x->out->s)
			x->out->s[out] = '\0';
		return i + 1;
	}
	if (!after && ref_defined(x->d, label))
		after = i + 1; /* [shortcut], when defined */
	if (!after) {
		strbuf_putc(x->out, ']');
		return i + 1;
	}
	if (!x->out->oom) {
		x->out->s[out] = MARK;
		if (image)
			x->out->s[out + 1] = MARK;
	}
	return after;
}

/* Named entities French text uses, and the common typographic ones. */
static const struct {
	const char *name, *utf8;
} entities[] = {
	{"amp", "&"},	    {"lt", "<"},	  {"gt", ">"},	      {"quot", "\""},	  {"apos", "'"},
	{"nbsp", "\xC2\xA0"}, {"eacute", "é"},	  {"Eacute", "É"},    {"egrave", "è"},	  {"Egrave", "È"},
	{"ecirc", "ê"},	    {"Ecirc", "Ê"},	  {"euml", "ë"},      {"Euml", "Ë"},	  {"agrave", "à"},
	{"Agrave", "À"},    {"acirc", "â"},	  {"Acirc", "Â"},     {"auml", "ä"},	  {"Auml", "Ä"},
	{"aacute", "á"},    {"ccedil", "ç"},	  {"Ccedil", "Ç"},    {"icirc", "î"},	  {"Icirc", "Î"},
	{"iuml", "ï"},	    {"Iuml", "Ï"},	  {"iacute", "í"},    {"ocirc", "ô"},	  {"Ocirc", "Ô"},
	{"ouml", "ö"},	    {"Ouml", "Ö"},	  {"oacute", "ó"},    {"ugrave", "ù"},	  {"Ugrave", "Ù"},
	{"ucirc", "û"},	    {"Ucirc", "Û"},	  {"uuml", "ü"},      {"Uuml", "Ü"},	  {"uacute", "ú"},
	{"yuml", "ÿ"},	    {"Yuml", "Ÿ"},	  {"ntilde", "ñ"},    {"oelig", "œ"},	  {"OElig", "Œ"},
	{"aelig", "æ"},	    {"AElig", "Æ"},	  {"laquo", "«"},     {"raquo", "»"},	  {"lsquo", "‘"},
	{"rsquo", "’"},	    {"ldquo", "“"},	  {"rdquo", "”"},     {"sbquo", "‚"},	  {"bdquo", "„"},
	{"lsaquo", "‹"},    {"rsaquo", "›"},	  {"hellip", "…"},    {"mdash", "—"},	  {"ndash", "–"},
	{"minus", "−"},	    {"euro", "€"},	  {"pound", "£"},     {"cent", "¢"},	  {"yen", "¥"},
	{"deg", "°"},	    {"copy", "©"},	  {"reg", "®"},	      {"trade", "™"},	  {"middot", "·"},
	{"bull", "•"},	    {"sect", "§"},	  {"para", "¶"},      {"times", "×"},	  {"divide", "÷"},
	{"plusmn", "±"},    {"micro", "µ"},	  {"frac12", "½"},    {"frac14", "¼"},	  {"frac34", "¾"},
	{"sup2", "²"},	    {"sup3", "³"},	  {"ordf", "ª"},      {"ordm", "º"},	  {"iexcl", "¡"},
	{"iquest", "¿"},    {"dagger", "†"},	  {"larr", "←"},      {"rarr", "→"},	  {"thinsp", "\xE2\x80\x89"},
	{"ensp", "\xE2\x80\x82"}, {"emsp", "\xE2\x80\x83"}, {"shy", ""}, {"zwnj", ""},	  {"zwj", ""},
};

/* Numeric references 128..159 mean Windows-1252 in HTML ("&#146;" is ’). */
static const uint16_t cp1252_c1[32] = {
	0x20AC, 0,	0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0,	0x017D, 0,	0,	0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,	0x017E, 0x0178,
};

/* An entity at s[i] == '&': written out, and the position after it; 0 when none. */
static size_t entity(inl *x, size_t i)
{
	const char *s = x->s;
	size_t n = x->n, q = i + 1;
	if (q < n && s[q] == '#') {
		bool hex = q + 1 < n && (s[q + 1] == 'x' || s[q + 1] == 'X');
		q += hex ? 2 : 1;
		size_t start = q;
		uint32_t cp = 0;
		while (q < n && q - start < (hex ? 6u : 7u) && (hex ? hexval(s[q]) >= 0 : is_digit(s[q])))
			cp = cp * (hex ? 16 : 10) + (uint32_t)hexval(s[q++]);
		if (q == start || q >= n || s[q] != ';')
			return 0;
		if (cp >= 0x80 && cp < 0xA0 && cp1252_c1[cp - 0x80])
			cp = cp1252_c1[cp - 0x80];
		if (printable_cp(cp))
			put_utf8(x->out, cp);
		else
			strbuf_putc(x->out, ' ');
		return q + 1;
	}
	while (q < n && q - i <= 32 && is_alnum(s[q]))
		q++;
	if (q >= n || s[q] != ';' || q == i + 1)
		return 0;
	for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++)
		if (strlen(entities[k].name) == q - i - 1 && memcmp(entities[k].name, s + i + 1, q - i - 1) == 0) {
			strbuf_put(x->out, entities[k].utf8, strlen(entities[k].utf8));
			return q + 1;
		}
	return 0; /* unknown: left as written */
}

/* Elements that sit inside a word ("<em>a</em>b" is one word); any other tag is a
   separation and becomes a space. */
static bool inline_element(span name)
{
	static const char *const names[] = {
		"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i",
		"ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
		"u", "var", "wbr",
	};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		if (ci_eq(name, names[k]))
			return true;
	return false;
}

/*
 * What starts with '<' at s[i]: a comment, an autolink (dropped: a URL is not text), a
 * tag or declaration (dropped, its text stays). Returns the position after it, or 0
 * when it is a plain '<'.
 */
static size_t angle(inl *x, size_t i)
{
	const char *s = x->s;
	size_t n = x->n < i + SCAN_MAX ? x->n : i + SCAN_MAX, q = i + 1;
	if (x->n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
		/* the next "-->" is remembered: comments never cost a second scan */
		if (!x->comment_known || (x->comment_end != SIZE_MAX && x->comment_end < i + 4)) {
			x->comment_end = SIZE_MAX;
			for (size_t k = i + 4; k + 3 <= x->n; k++) {
				const char *e = memchr(s + k, '-', x->n - k);
				if (!e)
					break;
				k = (size_t)(e - s);
				if (k + 3 <= x->n && memcmp(s + k, "-->", 3) == 0) {
					x->comment_end = k;
					break;
				}
			}
			x->comment_known = true;
		}
		return x->comment_end == SIZE_MAX ? i + 4 : x->comment_end + 3;
	}
	if (q < n && (s[q] == '!' || s[q] == '?')) { /* <!DOCTYPE ...>, <?php ... ?> */
		const char *e = memchr(s + q, '>', n - q);
		return e ? (size_t)(e - s) + 1 : 0;
	}
	/* autolink: <scheme:...> or <user@host> */
	size_t k = q;
	while (k < n && (is_alnum(s[k]) || s[k] == '+' || s[k] == '.' || s[k] == '-'))
		k++;
	if (k < n && is_alpha(s[q]) && s[k] == ':' && k - q >= 2 && k - q <= 32) {
		size_t e = k + 1;
		while (e < n && (unsigned char)s[e] > 0x20 && s[e] != '<' && s[e] != '>')
			e++;
		if (e < n && s[e] == '>')
			return e + 1;
	}
	k = q;
	while (k < n && (is_alnum(s[k]) || (s[k] && strchr(".!#$%&'*+/=?^_`{|}~-", s[k]))))
		k++;
	if (k > q && k < n && s[k] == '@') {
		size_t e = k + 1;
		while (e < n && (is_alnum(s[e]) || s[e] == '.' || s[e] == '-'))
			e++;
		if (e > k + 1 && e < n && s[e] == '>')
			return e + 1;
	}
	/* a tag: <name attr="v" ...>, </name> */
	bool closing = q < n && s[q] == '/';
	if (closing)
		q++;
	if (q >= n || !is_alpha(s[q]))
		return 0;
	size_t name_start = q;
	while (q < n && (is_alnum(s[q]) || s[q] == '-'))
		q++;
	span name = {s + name_start, q - name_start};
	for (;;) {
		size_t ws = q;
		while (q < n && (blank(s[q]) || s[q] == '\n'))
			q++;
		if (q >= n)
			return 0;
		if (s[q] == '>' || (!closing && s[q] == '/' && q + 1 < n && s[q + 1] == '>'))
			break;
		if (closing || q == ws || !(is_alpha(s[q]) || s[q] == '_' || s[q] == ':'))
			return 0;
		while (q < n && (is_alnum(s[q]) || s[q] == '_' || s[q] == '.' || s[q] == ':' || s[q] == '-'))
			q++;
		size_t eq = q;
		while (eq < n && blank(s[eq]))
			eq++;
		if (eq < n && s[eq] == '=') {
			q = eq + 1;
			while (q < n && blank(s[q]))
				q++;
			if (q < n && (s[q] == '"' || s[q] == '\'')) {
				const char *e = memchr(s + q + 1, s[q], n - q - 1);
				if (!e)
					return 0;
				q = (size_t)(e - s) + 1;
			} else {
				size_t v = q;
				while (q < n && (unsigned char)s[q] > 0x20 && !strchr("\"'=<>`", s[q]))
					q++;
				if (q == v)
					return 0;
			}
		}
	}
	q += s[q] == '/' ? 2 : 1;
	if (!inline_element(name))
		strbuf_putc(x->out, ' ');
	return q;
}

/* Writes the text of `s` (a block's lines joined by spaces) without its markup. */
static void inline_text(const doc *d, const char *s, size_t n, bool table, strbuf *out)
{
	inl x;
	memset(&x, 0, sizeof x);
	x.s = s;
	x.n = n;
	x.out = out;
	x.d = d;
	x.table = table;
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		char c = s[i];
		size_t j, next;
		switch (c) {
		case '\\':
			if (i + 1 < n && s[i + 1] > 0x20 && s[i + 1] < 0x7F && !is_alnum(s[i + 1])) {
				strbuf_putc(out, s[i + 1]); /* an escaped character is only itself */
				i += 2;
			} else {
				strbuf_putc(out, '\\');
				i++;
			}
			break;
		case '`':
			for (j = i; j < n && s[j] == '`'; j++)
				;
			i = code_span(&x, i, j - i);
			break;
		case '*':
		case '_':
		case '~': {
			for (j = i; j < n && s[j] == c; j++)
				;
			enum cls before = class_before(u, n, i), after = class_at(u, n, j);
			bool left = after != C_SPACE && (after != C_PUNCT || before != C_OTHER);
			bool right = before != C_SPACE && (before != C_PUNCT || after != C_OTHER);
			bool drop;
			if (c == '*')
				drop = left || right;
			else if (c == '_') /* "snake_case" keeps its underscore */
				drop = (left && (!right || before == C_PUNCT)) || (right && (!left || after == C_PUNCT));
			else /* "~~barré~~"; a lone "~" is "about" */
				drop = j - i == 2 && (left || right);
			if (!drop)
				strbuf_put(out, s + i, j - i);
			i = j;
			break;
		}
		case '!':
			if (i + 1 < n && s[i + 1] == '[' && x.nopen < MAX_OPENERS) {
				x.openers[x.nopen].out = out->len;
				x.openers[x.nopen].in = i + 1;
				x.openers[x.nopen++].image = true;
				strbuf_put(out, "![", 2);
				i += 2;
			} else {
				strbuf_putc(out, '!');
				i++;
			}
			break;
		case '[':
			if (x.nopen < MAX_OPENERS) {
				x.openers[x.nopen].out = out->len;
				x.openers[x.nopen].in = i;
				x.openers[x.nopen++].image = false;
			}
			strbuf_putc(out, '[');
			i++;
			break;
		case ']':
			i = close_bracket(&x, i);
			break;
		case '<':
			next = angle(&x, i);
			if (!next)
				strbuf_putc(out, '<');
			i = next ? next : i + 1;
			break;
		case '&':
			next = entity(&x, i);
			if (!next)
				strbuf_putc(out, '&');
			i = next ? next : i + 1;
			break;
		case '|':
			strbuf_putc(out, table ? ' ' : '|');
			i++;
			break;
		default:
			/* a run of bytes with no markup in it, in one copy */
			for (j = i + 1; j < n && !strchr("\\`*_~![]<&|", s[j]); j++)
				;
			put_text(&x, i, j);
			i = j;
		}
	}
}

/* ---- the article ------------------------------------------------------------------ */

typedef struct {
	doc d;
	strbuf join, tmp, line; /* scratch */
} ctx;

/* The clean text of lines [first, first + n) of the doc, into `dst` (appended). */
static void lines_text(ctx *c, size_t first, size_t n, bool table, strbuf *dst)
{
	c->join.len = 0;
	strbuf_put(&c->join, "", 0);
	for (size_t k = 0; k < n; k++) {
		if (k)
			strbuf_putc(&c->join, ' ');
		strbuf_put(&c->join, c->d.lines[first + k].s, c->d.lines[first + k].n);
	}
	c->tmp.len = 0;
	strbuf_put(&c->tmp, "", 0);
	if (c->join.s)
		inline_text(&c->d, c->join.s, c->join.len, table, &c->tmp);
	if (c->tmp.s)
		squeeze(dst, c->tmp.s, c->tmp.len);
}

/* True when `t` starts with a capital letter: a name does ("Élodie", "Œ..."). */
static bool starts_upper(span t)
{
	const unsigned char *p = (const unsigned char *)t.s;
	if (!t.n)
		return false;
	if (p[0] >= 'A' && p[0] <= 'Z')
		return true;
	if (t.n >= 2 && p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97)
		return true;
	return t.n >= 2 && p[0] == 0xC5 && (p[1] == 0x92 || p[1] == 0x81 || p[1] == 0xA0 || p[1] == 0xBD);
}

/*
 * "par Camille Lefèvre" / "Par Camille Lefèvre" and nothing else: the name, at most six
 * words and 80 bytes, with a capital, no digit, no final punctuation, and not a date.
 */
static bool par_author(span t, span *name)
{
	if (t.n < 5 || (memcmp(t.s, "par ", 4) != 0 && memcmp(t.s, "Par ", 4) != 0))
		return false;
	*name = trim(from(t, 4));
	span nm = *name;
	if (!nm.n || nm.n > 80 || !starts_upper(nm) || strchr(".,:;?!", nm.s[nm.n - 1]))
		return false;
	if (nm.n >= 3 && memcmp(nm.s + nm.n - 3, "…", 3) == 0)
		return false;
	int words = 0;
	for (size_t i = 0; i < nm.n; i++) {
		if (is_digit(nm.s[i]))
			return false;
		if (!blank(nm.s[i]) && (i == 0 || blank(nm.s[i - 1])) && ++words > 6)
			return false;
	}
	char date[11];
	return article_parse_date(nm.s, nm.n, date) != 0;
}

/*
 * Header lines at the start of the first blocks after the title, as plain-text
 * articles have them: "par Name" (when the front matter named no author) and a date
 * line. They are taken out of the text. Stops at the first subheading.
 */
static bool header_lines(ctx *c, article *a)
{
	int seen = 0;
	for (size_t b = 0; b < c->d.nblocks && seen < HEADER_BLOCKS; b++) {
		block *bl = &c->d.blocks[b];
		if (!bl->n)
			continue;
		if (bl->kind != B_PARA)
			break;
		seen++;
		while (bl->n) {
			c->line.len = 0;
			strbuf_put(&c->line, "", 0);
			lines_text(c, bl->first, 1, false, &c->line);
			if (c->line.oom || c->tmp.oom || c->join.oom)
				return false;
			span t = {c->line.s, c->line.len}, name;
			char date[11];
			if (!a->author && par_author(t, &name)) {
				if (!(a->author = squeeze_dup(name.s, name.n)))
					return false;
			} else if (article_parse_date(t.s, t.n, date) == 0) {
				if (!a->date && !(a->date = squeeze_dup(date, 10)))
					return false;
			} else {
				break;
			}
			bl->first++;
			bl->n--;
		}
	}
	return true;
}

/* The same words, markup and case aside: "Le *titre*" and "le titre". */
static bool same_words(const char *a, const char *b)
{
	for (;;) {
		while (*a && (unsigned char)*a < 0x80 && !is_alnum(*a))
			a++;
		while (*b && (unsigned char)*b < 0x80 && !is_alnum(*b))
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (lower(*a++) != lower(*b++))
			return false;
	}
}

/* Chooses the title (front matter, first level-1 heading, first line) and takes it out
   of the blocks. */
static bool choose_title(ctx *c, article *a)
{
	doc *d = &c->d;
	size_t h1 = SIZE_MAX;
	for (size_t b = 0; b < d->nblocks; b++) {
		if (d->blocks[b].kind == B_HEADING && d->blocks[b].level == 1) {
			h1 = b;
			break;
		}
	}
	if (a->title) {
		/* the front matter's title, repeated as the first heading: said once */
		if (h1 == 0) {
			c->line.len = 0;
			strbuf_put(&c->line, "", 0);
			lines_text(c, d->blocks[h1].first, d->blocks[h1].n, false, &c->line);
			if (c->line.s && same_words(c->line.s, a->title))
				d->blocks[h1].n = 0;
		}
		return true;
	}
	/* a level-1 heading; else the first heading or line of the body */
	for (size_t b = h1 != SIZE_MAX ? h1 : 0; b < d->nblocks; b++) {
		block *bl = &d->blocks[b];
		while (bl->n) {
			bool whole = bl->kind == B_HEADING;
			c->line.len = 0;
			strbuf_put(&c->line, "", 0);
			lines_text(c, bl->first, whole ? bl->n : 1, bl->kind == B_TABLE, &c->line);
			if (c->line.oom || c->tmp.oom || c->join.oom)
				return false;
			if (whole) {
				bl->n = 0;
			} else {
				bl->first++;
				bl->n--;
			}
			if (c->line.len) {
				a->title = c->line.s;
				c->line = (strbuf){0};
				return true;
			}
		}
	}
	return true;
}

int reader_markdown(article *out, const char *buf, size_t len, char reason[ARTICLE_REASON_LEN])
{
	memset(out, 0, sizeof *out);
	reason[0] = '\0';
	/* nothing but white space (article_check_text knows the Unicode spaces too) */
	if (article_check_text(buf, len, reason) != 0 && strcmp(reason, "empty file") == 0)
		return -1;
	reason[0] = '\0';
	const char *p = buf, *end = buf + len;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;

	meta m = {out, {0}, 0, false, false};
	p = front_matter(&m, p, end);
	ctx c;
	memset(&c, 0, sizeof c);
	strbuf text = {0};
	strbuf_put(&text, "", 0);
	bool ok = !m.oom && !m.tags.oom && !text.oom;
	if (ok && m.tags.len && !(out->tags = squeeze_dup(m.tags.s, m.tags.len)))
		ok = false;
	if (ok) {
		read_blocks(&c.d, p, end);
		ok = !c.d.oom && choose_title(&c, out) && header_lines(&c, out);
	}
	for (size_t b = 0; ok && b < c.d.nblocks; b++) {
		block *bl = &c.d.blocks[b];
		if (!bl->n)
			continue;
		size_t before = text.len;
		if (text.len)
			strbuf_put(&text, "\n\n", 2);
		size_t start = text.len;
		lines_text(&c, bl->first, bl->n, bl->kind == B_TABLE, &text);
		if (text.len == start) { /* nothing left once the markup is gone */
			text.len = before;
			if (text.s)
				text.s[before] = '\0';
		} else if (!out->lead_len) {
			out->lead_len = text.len;
		}
		ok = !text.oom && !c.tmp.oom && !c.join.oom;
	}
	free(c.d.lines);
	free(c.d.blocks);
	free(c.d.refs);
	free(c.join.s);
	free(c.tmp.s);
	free(c.line.s);
	free(m.tags.s);
	if (!ok) {
		free(text.s);
		article_clear(out);
		snprintf(reason, ARTICLE_REASON_LEN, "out of memory");
		return -1;
	}
	out->text = text.s;
	if (!out->title) {
		free(text.s);
		out->text = NULL;
		article_clear(out);
		snprintf(reason, ARTICLE_REASON_LEN, "no text in the file");
		return -1;
	}
	return 0;
}
