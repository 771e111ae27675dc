/*
 * A minimal test harness: CHECK records a failure and goes on, so one run reports every
 * broken case; check_summary() prints "N passed, N failed" and gives the exit status.
 */
#ifndef FOUILLE_CHECK_H
#define FOUILLE_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (cond) {                                                   \
			check_passed++;                                       \
		} else {                                                      \
			check_failed++;                                       \
			fprintf(stderr, "%s:%d: FAILED: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
		}                                                             \
	} while (0)

#define CHECK_STR(got, want)                                                  \
	CHECK((got) != NULL && strcmp((got), (want)) == 0, "got \"%s\", want \"%s\"", \
	      (got) ? (got) : "(null)", (want))

static int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
