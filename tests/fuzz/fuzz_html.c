/*
 * Fuzz harness for the HTML reader: any bytes, parsed and freed. With libFuzzer (and
 * ASan/UBSan) it looks for crashes and leaks; without, tests/fuzz/replay.c runs the
 * committed corpus (tests/fuzz/corpus/fuzz_html/) as a regression test.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "indexer/readers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	article a;
	char reason[ARTICLE_REASON_LEN];
	if (reader_html(&a, (const char *)data, size, reason) == 0) {
		/* what a successful read promises */
		if (!a.title || !a.text || a.lead_len > strlen(a.text) ||
		    (a.date && strlen(a.date) != 10))
			__builtin_trap();
	} else if (!reason[0] || a.title || a.text) {
		__builtin_trap();
	}
	article_clear(&a);
	return 0;
}
