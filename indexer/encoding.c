/*
 * Legacy encodings: a file that is not UTF-8 is decoded as Windows-1252 when its bytes
 * allow it, so French archives written on Windows (or in ISO-8859-1, which 1252 extends)
 * are indexed with their accents instead of being refused or turned into mojibake.
 * The conversion itself is glibc's iconv; the UTF-8 check is article_check_text(), the
 * one validator of the project.
 */
#include "readers.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The five bytes Windows-1252 leaves undefined: text containing one is not 1252. */
static bool cp1252_undefined(unsigned char c)
{
	return c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D;
}

/*
 * True when `s` holds a UTF-8 sequence typical of French text (é, à, ’, «, œ, NBSP...).
 * Read as Windows-1252 these are "Ã©", "â€™", "Â«": letter pairs no French text contains.
 * A file that is not valid UTF-8 yet holds them is UTF-8 with a few stray 1252 bytes
 * (a paste from another editor): decoding all of it as 1252 would turn every accent of
 * the UTF-8 part into mojibake, so it is refused instead.
 */
static bool has_utf8_french(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		unsigned c = s[i], d = s[i + 1];
		if (c == 0xC3 && d >= 0x80 && d <= 0xBF)
			return true; /* À..ÿ */
		if (c == 0xC2 && (d == 0xA0 || d == 0xAB || d == 0xBB))
			return true; /* NBSP « » */
		if (c == 0xC5 && (d == 0x92 || d == 0x93))
			return true; /* Œ œ */
		if (c == 0xE2 && d == 0x80 && i + 2 < len) {
			switch (s[i + 2]) {
			case 0x93: case 0x94:		/* – — */
			case 0x98: case 0x99:		/* ‘ ’ */
			case 0x9C: case 0x9D:		/* “ ” */
			case 0xA6: case 0xAF:		/* … narrow NBSP */
				return true;
			}
		}
	}
	return false;
}

/*
 * Converts `len` bytes from `from` to UTF-8 with iconv. Returns 0 with *out malloc'ed
 * (NUL-terminated), or -1 with `reason` filled; `what` names the encoding in reasons,
 * whose offsets count from `base` bytes before `buf` (the start of the file).
 */
static int convert(const char *from, const char *what, const char *buf, size_t len, size_t base,
		   char **out, size_t *outlen, char reason[ARTICLE_REASON_LEN])
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1) {
		snprintf(reason, ARTICLE_REASON_LEN, "cannot decode %s (iconv: %s)", what, strerror(errno));
		return -1;
	}
	/* One input byte gives at most 3 UTF-8 bytes (1252), two give at most 4 (UTF-16). */
	size_t cap = 3 * len + 1;
	char *dst = malloc(cap);
	if (!dst) {
		iconv_close(cd);
		snprintf(reason, ARTICLE_REASON_LEN, "out of memory");
		return -1;
	}
	char *in = (char *)buf, *o = dst;
	size_t inleft = len, oleft = cap - 1;
	size_t r = iconv(cd, &in, &inleft, &o, &oleft);
	int err = errno;
	iconv_close(cd);
	if (r == (size_t)-1) {
		size_t at = (size_t)(in - buf);
		if (err == EILSEQ)
			snprintf(reason, ARTICLE_REASON_LEN, "not valid %s (byte 0x%02X at offset %zu)", what,
				 (unsigned char)buf[at], base + at);
		else
			snprintf(reason, ARTICLE_REASON_LEN, "not valid %s (truncated at offset %zu)", what,
				 base + at);
		free(dst);
		return -1;
	}
	*o = '\0';
	*out = dst;
	*outlen = (size_t)(o - dst);
	return 0;
}

/* The offset that article_check_text() names in its reason ("... at offset 12, ..."). */
static size_t reason_offset(const char *reason)
{
	const char *p = strstr(reason, "at offset ");
	return p ? strtoull(p + 10, NULL, 10) : 0;
}

/* Most code units of French text in UTF-16 lie in U+0000..U+02FF (Latin and its
 * accents) or U+2000..U+20FF (’ « » … €): require three quarters of them there. */
static bool utf16_looks_latin(const unsigned char *s, size_t len, bool le)
{
	size_t units = len / 2, latin = 0;
	if (units == 0)
		return false; /* an odd last byte is left to the conversion to report */
	for (size_t i = 0; i + 1 < len; i += 2) {
		unsigned char hi = le ? s[i + 1] : s[i];
		latin += hi <= 0x02 || hi == 0x20;
	}
	return latin * 4 >= units * 3;
}

int encoding_decode(const char *buf, size_t len, char **out, size_t *outlen,
		    const char **encoding, char reason[ARTICLE_REASON_LEN])
{
	const unsigned char *s = (const unsigned char *)buf;
	*out = NULL;
	*outlen = len;
	*encoding = NULL;
	reason[0] = '\0';

	/* UTF-16 with its BOM (Notepad's "Unicode"): its NUL bytes are not binary. Only
	 * when it reads as Latin text: two bytes FF FE at the start of some binary would
	 * otherwise turn it into a page of CJK mojibake. */
	if (len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)) &&
	    utf16_looks_latin(s + 2, len - 2, s[0] == 0xFF)) {
		bool le = s[0] == 0xFF;
		if (convert(le ? "UTF-16LE" : "UTF-16BE", "UTF-16", buf + 2, len - 2, 2, out, outlen, reason))
			return -1;
		*encoding = le ? "UTF-16LE" : "UTF-16BE";
		goto check_output;
	}

	if (article_check_text(buf, len, reason) == 0) {
		*encoding = "UTF-8";
		return 0;
	}
	/* Binary and empty are final; only an invalid UTF-8 sequence sends us on to 1252. */
	if (strncmp(reason, "not valid UTF-8", 15) != 0)
		return -1;
	size_t bad = reason_offset(reason);

	size_t skip = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	for (size_t i = skip; i < len; i++)
		if (cp1252_undefined(s[i])) {
			snprintf(reason, ARTICLE_REASON_LEN,
				 "not valid UTF-8 nor Windows-1252 (byte 0x%02X at offset %zu)", s[i], i);
			return -1;
		}
	if (skip || has_utf8_french(s, len)) {
		snprintf(reason, ARTICLE_REASON_LEN,
			 "mixed UTF-8 and Windows-1252 (invalid UTF-8 byte 0x%02X at offset %zu)",
			 bad < len ? s[bad] : 0, bad);
		return -1;
	}
	if (convert("WINDOWS-1252", "Windows-1252", buf, len, 0, out, outlen, reason))
		return -1;
	*encoding = "windows-1252";

check_output:
	/* What iconv made is UTF-8; it may still be nothing but white space (NBSP). */
	if (article_check_text(*out, *outlen, reason) != 0) {
		free(*out);
		*out = NULL;
		*outlen = 0;
		*encoding = NULL;
		return -1;
	}
	reason[0] = '\0';
	return 0;
}
