/*
 * Which reader takes a file: its extension first (what the person named it is the best
 * evidence), its first bytes only when the extension says nothing.
 */
#include "readers.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

const char *reader_format_name(reader_format f)
{
	switch (f) {
	case READER_TEXT:
		return "text";
	case READER_MARKDOWN:
		return "markdown";
	case READER_HTML:
		return "html";
	case READER_JSON:
		return "json";
	case READER_JSONL:
		return "jsonl";
	case READER_OTHER:
		break;
	}
	return "other";
}

static const struct {
	const char *ext;
	reader_format format;
} extensions[] = {
	{"txt", READER_TEXT},	  {"text", READER_TEXT},   {"md", READER_MARKDOWN},
	{"markdown", READER_MARKDOWN}, {"html", READER_HTML},	  {"htm", READER_HTML},
	{"xhtml", READER_HTML},	  {"json", READER_JSON},   {"jsonl", READER_JSONL},
	{"ndjson", READER_JSONL},
};

/* Names editors and tools leave behind: never articles, even when they hold one. */
static bool backup_name(const char *base, const char *ext)
{
	size_t n = strlen(base);
	if (n && base[n - 1] == '~')
		return true;
	return ext && (strcasecmp(ext, "bak") == 0 || strcasecmp(ext, "orig") == 0 ||
		       strcasecmp(ext, "old") == 0 || strcasecmp(ext, "swp") == 0 ||
		       strcasecmp(ext, "tmp") == 0);
}

/* Case-insensitive "starts with" on a buffer that may be shorter than the prefix. */
static bool head_is(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);
	return (size_t)(end - p) >= n && strncasecmp(p, prefix, n) == 0;
}

static bool looks_like_html(const char *head, size_t len)
{
	const char *p = head, *end = head + len;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f'))
		p++;
	static const char *const starts[] = {"<!doctype html", "<html", "<head", "<body", "<meta"};
	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
		if (head_is(p, end, starts[i])) {
			/* "<html>" or "<html lang=fr>", not "<htmlfoo>" */
			const char *q = p + strlen(starts[i]);
			if (q == end || *q == '>' || *q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' ||
			    *q == '/')
				return true;
		}
	return false;
}

/* Magic numbers of formats whose first bytes may hold no NUL (PDF, RTF, scripts...). */
static bool known_non_text(const char *head, size_t len)
{
	static const char *const magics[] = {
		"%PDF-", "{\\rtf", "PK\x03\x04", "\x89PNG", "GIF8", "\xFF\xD8\xFF", "#!", "<?xml",
	};
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
		size_t n = strlen(magics[i]);
		if (len >= n && memcmp(head, magics[i], n) == 0)
			return true;
	}
	return false;
}

reader_format reader_detect(const char *name, const char *head, size_t len)
{
	const char *base = name ? strrchr(name, '/') : NULL;
	base = base ? base + 1 : name ? name : "";
	/* "notes.2023.md" has the extension "md"; ".profile" and "M. Dupont" have none. */
	const char *dot = strrchr(base, '.');
	const char *ext = dot && dot != base && dot[1] && !strpbrk(dot + 1, " \t") ? dot + 1 : NULL;

	if (backup_name(base, ext))
		return READER_OTHER;
	if (ext)
		for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++)
			if (strcasecmp(ext, extensions[i].ext) == 0)
				return extensions[i].format;

	/* The extension says nothing: sniff. A scraper's "article.php" holding a page is
	   HTML; anything else with an unknown extension (.pdf, .odt, .png) is not ours. */
	if (!head) {
		head = "";
		len = 0;
	}
	if (looks_like_html(head, len))
		return READER_HTML;
	if (ext)
		return READER_OTHER;
	const char *p = head, *end = head + len;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	/* JSON without its extension: which reader (one document or lines) is a guess. */
	if (p < end && (*p == '{' || *p == '['))
		return READER_OTHER;
	if (known_non_text(head, len) || (len && memchr(head, 0, len)))
		return READER_OTHER;
	return READER_TEXT;
}
