/*
 * The plain-text article reader: checks that a buffer is indexable text, and splits a
 * news article (title, lead, "par" author, date, reading time, body) into the fields of
 * `article`. See article.h for the shape it expects.
 */
#include "article.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "utf8.h"

/* ---- characters ------------------------------------------------------------------ */

/*
 * Bytes of the white-space character at `p`, or 0. Besides ASCII blanks this knows the
 * spaces French typography puts in text (U+00A0, U+202F, U+2000..U+200A), the
 * ideographic space, and U+FEFF (a byte order mark is no content either).
 */
static size_t space_at(const unsigned char *p, const unsigned char *end)
{
	if (p >= end)
		return 0;
	unsigned char c = p[0];
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
		return 1;
	size_t left = (size_t)(end - p);
	if (c == 0xC2 && left >= 2 && p[1] == 0xA0)
		return 2;
	if (left < 3)
		return 0;
	if (c == 0xE2 && p[1] == 0x80 && ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xAF))
		return 3;
	if (c == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
		return 3;
	if (c == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	if (c == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		return 3;
	return 0;
}

/* Bytes of the white-space character that ends [start, end), or 0. */
static size_t space_before(const unsigned char *start, const unsigned char *end)
{
	for (size_t k = 1; k <= 3; k++)
		if ((size_t)(end - start) >= k && space_at(end - k, end) == k)
			return k;
	return 0;
}

typedef struct {
	const char *s;
	size_t n;
} span;

static span trim(span t)
{
	const unsigned char *b = (const unsigned char *)t.s, *e = b + t.n;
	size_t k;
	while ((k = space_at(b, e)))
		b += k;
	while (e > b && (k = space_before(b, e)))
		e -= k;
	return (span){(const char *)b, (size_t)(e - b)};
}

/* ---- checking -------------------------------------------------------------------- */

/* Why the sequence at `s` (`n` > 0 bytes readable) is not well-formed UTF-8. */
static const char *utf8_fault(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c == 0xC0 || c == 0xC1)
		return "overlong encoding";
	if (c >= 0xF5 && c <= 0xF7)
		return "code point above U+10FFFF";
	if (c < 0xC2 || c > 0xF4)
		return "invalid byte";
	size_t need = c <= 0xDF ? 1 : c <= 0xEF ? 2 : 3; /* continuation bytes */
	unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
	unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
	if (n - 1 < need) {
		/* A truncation if what is there is a valid start of a sequence; a lone lead
		   byte at the end is more likely a Latin-1 letter ("caf\xE9"). */
		bool prefix = n > 1;
		for (size_t k = 1; k < n; k++)
			if (k == 1 ? (s[k] < lo || s[k] > hi) : (s[k] & 0xC0) != 0x80)
				prefix = false;
		return prefix ? "truncated sequence" : "invalid byte";
	}
	if ((s[1] & 0xC0) != 0x80)
		return "invalid byte"; /* a Latin-1 letter, typically */
	if (s[1] < lo || s[1] > hi)
		return c == 0xED ? "UTF-16 surrogate" : c == 0xF4 ? "code point above U+10FFFF" : "overlong encoding";
	return "invalid byte";
}

/*
 * Offset of the first byte that does not start a well-formed UTF-8 sequence, or `len`
 * when all is well. `*why` names the fault.
 */
static size_t utf8_invalid(const unsigned char *s, size_t len, const char **why)
{
	size_t i = 0;
	while (i < len) {
		/* ASCII, most of a French text, eight bytes at a time: every article read goes
		   through here (byte by byte, 1.9% of a first index's instructions) */
		uint64_t w;
		while (i + 8 <= len && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080ull)))
			i += 8;
		if (i == len)
			break;
		size_t n = utf8_seq_len(s + i, len - i);
		if (!n) {
			*why = utf8_fault(s + i, len - i);
			return i;
		}
		i += n;
	}
	return len;
}

int article_check_text(const char *buf, size_t len, char reason[ARTICLE_REASON_LEN])
{
	const unsigned char *s = (const unsigned char *)buf;
	if (reason)
		reason[0] = '\0';
	const unsigned char *nul = len ? memchr(s, 0, len) : NULL;
	if (nul) {
		if (reason)
			snprintf(reason, ARTICLE_REASON_LEN, "binary file (NUL byte at offset %zu)",
				 (size_t)(nul - s));
		return -1;
	}
	const char *why = NULL;
	size_t bad = utf8_invalid(s, len, &why);
	if (bad < len) {
		size_t line = 1;
		for (size_t i = 0; i < bad; i++)
			line += s[i] == '\n';
		if (reason && strcmp(why, "invalid byte") == 0)
			snprintf(reason, ARTICLE_REASON_LEN,
				 "not valid UTF-8 (invalid byte 0x%02X at offset %zu, line %zu)", s[bad], bad, line);
		else if (reason)
			snprintf(reason, ARTICLE_REASON_LEN, "not valid UTF-8 (%s at offset %zu, line %zu)", why,
				 bad, line);
		return -1;
	}
	const unsigned char *p = s, *end = s + len;
	size_t k;
	while ((k = space_at(p, end)))
		p += k;
	if (p == end) {
		if (reason)
			snprintf(reason, ARTICLE_REASON_LEN, "empty file");
		return -1;
	}
	return 0;
}

/* ---- words, for dates and reading times -------------------------------------------- */

/* Base letters of U+00C0..U+00FF, so that "Février", "FÉVRIER" and "fevrier" meet. */
static const char latin1_base[64] = "aaaaaa?ceeeeiiii?nooooo?ouuuuy??"
				    "aaaaaa?ceeeeiiii?nooooo?ouuuuy?y";

#define TOK_LEN 32
#define TOK_MAX 16

/*
 * Splits a line into at most TOK_MAX tokens, folded to lowercase ASCII without accents,
 * with trailing '.' and ':' removed. Spaces and commas separate tokens; tokens that are
 * only punctuation (":", "-", "–", "|") are dropped. Returns the count, or -1 when the
 * line has too many or too long tokens to be a header line.
 */
static int tokenize(const char *s, size_t len, char tok[TOK_MAX][TOK_LEN])
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	int n = 0;
	for (;;) {
		size_t k;
		while ((k = space_at(p, end)) || (p < end && *p == ','))
			p += k ? k : 1;
		if (p >= end)
			return n;
		if (n == TOK_MAX)
			return -1;
		size_t m = 0;
		bool letters = false;
		while (p < end && *p != ',' && !space_at(p, end)) {
			unsigned c = *p;
			char out;
			size_t step = 1;
			if (c >= 'A' && c <= 'Z') {
				out = (char)(c - 'A' + 'a');
			} else if (c == 0xC3 && end - p >= 2 && p[1] >= 0x80 && p[1] <= 0xBF) {
				out = latin1_base[p[1] - 0x80];
				step = 2;
			} else if (c >= 0x80) {
				/* Other non-ASCII characters: dashes count as punctuation, the rest
				   as letters that match nothing we look for. */
				step = 1;
				while (p + step < end && (p[step] & 0xC0) == 0x80)
					step++;
				bool dash = step == 3 && c == 0xE2 && p[1] == 0x80 && p[2] >= 0x90 && p[2] <= 0x95;
				out = dash ? '-' : '?';
			} else {
				out = (char)c;
			}
			p += step;
			if (m + 1 >= TOK_LEN)
				return -1;
			tok[n][m++] = out;
			if (out != '.' && out != ':' && out != '-' && out != '|' && out != '/')
				letters = true;
		}
		while (m > 0 && (tok[n][m - 1] == '.' || tok[n][m - 1] == ':'))
			m--;
		tok[n][m] = '\0';
		if (letters && m > 0)
			n++;
	}
}

static bool all_digits(const char *t, size_t min, size_t max)
{
	size_t n = strlen(t);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	return true;
}

static bool in_list(const char *t, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(t, *list) == 0)
			return true;
	return false;
}

/* Reads digits at *p (at most `max`), returns their value or -1 when there are fewer
   than `min`. */
static int read_num(const char **p, int min, int max)
{
	int v = 0, n = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= min ? v : -1;
}

/* ---- dates ------------------------------------------------------------------------- */

static const char *const month_names[] = {
	"janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
	"septembre", "octobre", "novembre", "decembre",
};
/* Abbreviations as French papers print them ("12 févr. 2024"), with their month. */
static const struct {
	const char *name;
	int month;
} month_abbrevs[] = {
	{"janv", 1}, {"fev", 2}, {"fevr", 2}, {"avr", 4}, {"juil", 7}, {"sept", 9},
	{"oct", 10}, {"nov", 11}, {"dec", 12},
};

static int month_number(const char *t)
{
	for (int i = 0; i < 12; i++)
		if (strcmp(t, month_names[i]) == 0)
			return i + 1;
	for (size_t i = 0; i < sizeof month_abbrevs / sizeof month_abbrevs[0]; i++)
		if (strcmp(t, month_abbrevs[i].name) == 0)
			return month_abbrevs[i].month;
	return 0;
}

static bool valid_date(int y, int m, int d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* "14h30", "14h", "14:30", "14:30:00" (the whole token). */
static bool is_time(const char *t)
{
	const char *p = t;
	int h = read_num(&p, 1, 2);
	if (h < 0 || h > 23)
		return false;
	if (*p == 'h') {
		p++;
		if (*p == '\0')
			return true;
		int m = read_num(&p, 2, 2);
		return m >= 0 && m < 60 && *p == '\0';
	}
	if (*p != ':')
		return false;
	p++;
	int m = read_num(&p, 2, 2);
	if (m < 0 || m > 59)
		return false;
	if (*p == ':') {
		p++;
		int sec = read_num(&p, 2, 2);
		if (sec < 0 || sec > 60)
			return false;
	}
	return *p == '\0';
}

/* The time part of an ISO 8601 date-time after its 'T': "14:30", "14:30:00Z",
   "14:30:00.000+02:00" (tokens are lowercased, hence 'z'). */
static bool iso_time_tail(const char *p)
{
	int h = read_num(&p, 2, 2);
	if (h < 0 || h > 23 || *p++ != ':')
		return false;
	int m = read_num(&p, 2, 2);
	if (m < 0 || m > 59)
		return false;
	for (; *p; p++)
		if (!strchr("0123456789:.+-z", *p))
			return false;
	return true;
}

/* An optional time after a date, from tok[*i]: "à 14h30", "14:30", "14 h 30", "14h CET". */
static void skip_time(char tok[TOK_MAX][TOK_LEN], int n, int *i)
{
	static const char *const zones[] = {"utc", "gmt", "cet", "cest", "heure", "heures", NULL};
	int j = *i;
	if (j < n && strcmp(tok[j], "a") == 0)
		j++;
	if (j < n && is_time(tok[j])) {
		j++;
	} else if (j + 1 < n && all_digits(tok[j], 1, 2) && strcmp(tok[j + 1], "h") == 0) {
		j += 2;
		if (j < n && all_digits(tok[j], 2, 2))
			j++;
	} else {
		return;
	}
	if (j < n && in_list(tok[j], zones))
		j++;
	*i = j;
}

/*
 * Reads one date at tok[*i]: "2023-04-12" (with an optional "T14:30..." tail),
 * "12/04/2023" or "12.04.2023" (day first), "12 avril 2023", "1er mai 2023".
 */
static bool read_date(char tok[TOK_MAX][TOK_LEN], int n, int *i, int *y, int *m, int *d)
{
	if (*i >= n)
		return false;
	const char *t = tok[*i], *p = t;
	int a = read_num(&p, 1, 4);
	if (a >= 0 && (p - t) == 4 && (*p == '-' || *p == '/')) { /* ISO, or 2023/04/12 */
		char sep = *p++;
		int mo = read_num(&p, 1, 2);
		if (mo < 0 || *p != sep)
			return false;
		p++;
		int da = read_num(&p, 1, 2);
		if (da < 0 || (*p != '\0' && !(sep == '-' && *p == 't' && iso_time_tail(p + 1))))
			return false;
		*y = a, *m = mo, *d = da;
		(*i)++;
		return valid_date(*y, *m, *d);
	}
	if (a >= 0 && (p - t) <= 2 && (*p == '/' || *p == '.' || *p == '-')) { /* day first */
		char sep = *p++;
		int mo = read_num(&p, 1, 2);
		if (mo < 0 || *p != sep)
			return false;
		p++;
		int ye = read_num(&p, 4, 4);
		if (ye < 0 || *p != '\0')
			return false;
		*y = ye, *m = mo, *d = a;
		(*i)++;
		return valid_date(*y, *m, *d);
	}
	/* day, month name, year */
	int day;
	if (strcmp(t, "1er") == 0)
		day = 1;
	else if (all_digits(t, 1, 2))
		day = atoi(t);
	else
		return false;
	if (*i + 2 >= n)
		return false;
	int mo = month_number(tok[*i + 1]);
	if (!mo || !all_digits(tok[*i + 2], 4, 4))
		return false;
	*y = atoi(tok[*i + 2]), *m = mo, *d = day;
	*i += 3;
	return valid_date(*y, *m, *d);
}

/* Words that may come before a date on a date line ("Publié le", "Mis à jour le",
   "Mis en ligne le", "Le", "Date :") and those that start a second, "updated" date. */
static const char *const date_prefixes[] = {
	"publie", "publiee", "mis", "mise", "a", "jour", "en", "ligne", "le", "date", "maj",
	"modifie", "actualise", "cree", "edition", "du", NULL,
};
static const char *const update_words[] = {"mis", "mise", "maj", "modifie", "actualise", NULL};
static const char *const weekdays[] = {
	"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", NULL,
};

/*
 * A whole date line from tok[i]: [prefix] [weekday] date [time], optionally followed by
 * an update date in the same form ("..., mis à jour le 13 avril 2023 à 9h").
 */
static bool date_line(char tok[TOK_MAX][TOK_LEN], int n, int i, int *y, int *m, int *d)
{
	int start = i;
	while (i < n && i - start < 5 && in_list(tok[i], date_prefixes))
		i++;
	if (i < n && in_list(tok[i], weekdays))
		i++;
	if (!read_date(tok, n, &i, y, m, d))
		return false;
	skip_time(tok, n, &i);
	if (i == n)
		return true;
	int y2, m2, d2;
	return in_list(tok[i], update_words) && date_line(tok, n, i, &y2, &m2, &d2);
}

int article_parse_date(const char *s, size_t len, char out[11])
{
	char tok[TOK_MAX][TOK_LEN];
	/* A date line is short; a sentence that merely starts with a date is not one. */
	if (len > 120)
		return -1;
	int n = tokenize(s, len, tok);
	int y, m, d;
	if (n <= 0 || !date_line(tok, n, 0, &y, &m, &d))
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return 0;
}

/* ---- the other header lines ------------------------------------------------------ */

/* "Temps de lecture 2 min.", "Lecture : 3 min", "3 min de lecture", "Temps de lecture
   estimé : 4 minutes", "Lecture 5mn". */
static bool reading_time_line(span line)
{
	static const char *const words[] = {"temps", "de", "lecture", "estime", "environ", NULL};
	static const char *const units[] = {"min", "mn", "minute", "minutes", NULL};
	char tok[TOK_MAX][TOK_LEN];
	if (line.n > 80)
		return false;
	int n = tokenize(line.s, line.n, tok);
	if (n <= 0 || n > 8)
		return false;
	bool lecture = false, number = false, unit = false;
	for (int i = 0; i < n; i++) {
		const char *p = tok[i];
		if (strcmp(p, "lecture") == 0)
			lecture = true;
		if (in_list(p, words))
			continue;
		if (in_list(p, units)) {
			unit = unit || number;
			continue;
		}
		if (read_num(&p, 1, 3) < 0)
			return false;
		number = true;
		if (*p == '\0')
			continue;
		if (!in_list(p, units)) /* "3min" */
			return false;
		unit = true;
	}
	return lecture && number && unit;
}

/* True when `s` starts with an uppercase letter: a name does ("Sébastien", "Élodie"). */
static bool starts_upper(span t)
{
	const unsigned char *p = (const unsigned char *)t.s;
	if (t.n == 0)
		return false;
	if (p[0] >= 'A' && p[0] <= 'Z')
		return true;
	if (t.n >= 2 && p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97)
		return true; /* À..Þ, not × */
	return t.n >= 2 && p[0] == 0xC5 && (p[1] == 0x92 || p[1] == 0x81 || p[1] == 0xA0 || p[1] == 0xBD);
}

/*
 * An author's name as it follows "par": short (at most 6 words, 80 bytes), starting with
 * a capital, no digits, and not ending like a sentence. This is what keeps a body
 * sentence such as "Par exemple, les distances..." out of the author field.
 */
static bool author_name(span t)
{
	if (t.n == 0 || t.n > 80 || !starts_upper(t))
		return false;
	char last = t.s[t.n - 1];
	if (strchr(".,:;?!", last))
		return false;
	if (t.n >= 3 && memcmp(t.s + t.n - 3, "\xE2\x80\xA6", 3) == 0) /* … */
		return false;
	int words = 0;
	bool in_word = false;
	const unsigned char *p = (const unsigned char *)t.s, *end = p + t.n;
	while (p < end) {
		size_t k = space_at(p, end);
		if (k) {
			in_word = false;
			p += k;
			continue;
		}
		if (*p >= '0' && *p <= '9')
			return false;
		if (!in_word && ++words > 6)
			return false;
		in_word = true;
		p++;
	}
	char date[11];
	return article_parse_date(t.s, t.n, date) != 0 && !reading_time_line(t);
}

/* The line is "par" (any case) and nothing else. */
static bool par_alone(span t)
{
	return t.n == 3 && (t.s[0] == 'p' || t.s[0] == 'P') && (t.s[1] == 'a' || t.s[1] == 'A') &&
	       (t.s[2] == 'r' || t.s[2] == 'R');
}

/* "par Camille Lefèvre": the name part, or an empty span. */
static span par_name(span t)
{
	span none = {t.s, 0};
	if (t.n < 5 || !par_alone((span){t.s, 3}))
		return none;
	const unsigned char *p = (const unsigned char *)t.s + 3, *end = (const unsigned char *)t.s + t.n;
	size_t k = space_at(p, end);
	if (!k)
		return none; /* "Paris", "parfois" */
	span name = trim((span){(const char *)p, (size_t)(end - p)});
	return author_name(name) ? name : none;
}

/* Ends like a finished sentence, so that a header line may follow without a blank. */
static bool ends_sentence(span t)
{
	if (t.n == 0)
		return true;
	char c = t.s[t.n - 1];
	if (c == '.' || c == '!' || c == '?' || c == '"')
		return true;
	return (t.n >= 2 && memcmp(t.s + t.n - 2, "\xC2\xBB", 2) == 0) || /* » */
	       (t.n >= 3 && memcmp(t.s + t.n - 3, "\xE2\x80\xA6", 3) == 0); /* … */
}

/* ---- lines and the output buffer ------------------------------------------------- */

/* The next line from *pos (ended by LF, CRLF or a lone CR), trimmed; false at the end. */
static bool next_line(const char **pos, const char *end, span *line)
{
	const char *p = *pos;
	if (p >= end)
		return false;
	const char *q = p;
	while (q < end && *q != '\n' && *q != '\r')
		q++;
	*line = trim((span){p, (size_t)(q - p)});
	if (q < end)
		q += (*q == '\r' && q + 1 < end && q[1] == '\n') ? 2 : 1;
	*pos = q;
	return true;
}

static char *dup_span(span t)
{
	char *s = malloc(t.n + 1);
	if (s) {
		memcpy(s, t.s, t.n);
		s[t.n] = '\0';
	}
	return s;
}

/* ---- parsing --------------------------------------------------------------------- */

/* Header lines are looked for at most this many non-blank lines after the title: a
   hard-wrapped lead takes a few, the header lines a few more. */
#define HEADER_WINDOW 24

int article_parse_text(article *out, const char *buf, size_t len)
{
	memset(out, 0, sizeof *out);
	const char *p = buf, *end = buf + len;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;

	/* The text is never longer than the input: lines only lose their ends, and the
	   "\n\n" between paragraphs replaces at least two line ends. */
	strbuf text = {malloc(len + 1), 0, len + 1, false};
	span line, title = {"", 0};
	char date[11] = "", other[11];
	if (!text.s)
		goto oom;
	text.s[0] = '\0';

	while (next_line(&p, end, &line))
		if (line.n) {
			title = line;
			break;
		}

	bool in_body = false; /* past the header region: header lines are body text there */
	bool in_para = false; /* a paragraph is open in `text` */
	int paras = 0;	      /* paragraphs started; the first is the lead */
	int seen = 0;	      /* non-blank lines after the title */
	span prev = {"", 0};  /* the open paragraph's last line */
	while (next_line(&p, end, &line)) {
		if (line.n == 0) {
			in_para = false;
			continue;
		}
		seen++;
		if (!in_body && seen > HEADER_WINDOW)
			in_body = true;
		/* Inside a paragraph, a header line must follow a finished sentence: "...ont
		   défilé\npar Paris et Lyon" is one sentence, not an author. */
		if (!in_body && (!in_para || ends_sentence(prev))) {
			bool header = true;
			span name;
			if (par_alone(line)) {
				const char *q = p;
				span next;
				if (!out->author && next_line(&q, end, &next) && author_name(next)) {
					if (!(out->author = dup_span(next)))
						goto oom;
					p = q;
				} else {
					header = false;
				}
			} else if ((name = par_name(line)).n && !out->author) {
				if (!(out->author = dup_span(name)))
					goto oom;
			} else if (article_parse_date(line.s, line.n, other) == 0) {
				/* The first date line is the publication date; later ones are updates. */
				if (!date[0])
					memcpy(date, other, sizeof date);
			} else if (!reading_time_line(line)) {
				header = false;
			}
			if (header) {
				in_para = false;
				continue;
			}
			/* The first content after the lead's paragraph starts the body. */
			if (paras >= 1 && !in_para)
				in_body = true;
		}
		if (in_para) {
			strbuf_put(&text, " ", 1);
		} else {
			if (text.len)
				strbuf_put(&text, "\n\n", 2);
			in_para = true;
			paras++;
		}
		strbuf_put(&text, line.s, line.n);
		if (paras == 1)
			out->lead_len = text.len;
		prev = line;
	}

	if (text.oom || !(out->title = dup_span(title)))
		goto oom;
	if (date[0] && !(out->date = dup_span((span){date, 10})))
		goto oom;
	out->text = text.s;
	return 0;
oom:
	free(text.s);
	article_clear(out);
	return -1;
}

void article_clear(article *a)
{
	if (!a)
		return;
	free(a->title);
	free(a->author);
	free(a->date);
	free(a->text);
	free(a->url);
	free(a->tags);
	memset(a, 0, sizeof *a);
}
