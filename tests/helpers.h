/*
 * What several unit tests and fuzz harnesses need around the code under test: writing
 * and removing fixture folders, and an independent UTF-8 check of what the library
 * returns (its own check is in indexer/utf8.h; a test should not judge the library by
 * the library). Fixture set-up that fails exits the test with a message: nothing a test
 * checks afterwards would mean anything.
 */
#ifndef FOUILLE_TEST_HELPERS_H
#define FOUILLE_TEST_HELPERS_H

#include <stddef.h>

/* Creates the folder (an existing one is fine). */
void make_dir(const char *path);

/* Writes `text` to `path`, replacing it. */
void write_file(const char *path, const char *text);

/* Writes `text` to dir/name. */
void write_file_in(const char *dir, const char *name, const char *text);

/* Removes `path` and, for a folder, all it holds (symbolic links are not followed). */
void remove_tree(const char *path);

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates, nothing above
 * U+10FFFF, no sequence cut short), else 0. */
int utf8_valid(const char *s, size_t len);

#endif
