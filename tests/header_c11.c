/*
 * fouille.h compiles as strict C11 (-std=c11 -pedantic -Wall -Wextra -Werror, set in
 * tests/CMakeLists.txt) and links: every type and function of the API is used once.
 * Run by ctest, it also checks that the library is the header's version.
 */
#include <fouille.h>

#include <stdio.h>
#include <string.h>

static int on_progress(const fouille_progress *p, void *userdata)
{
	(void)p;
	(void)userdata;
	return 0;
}

int main(void)
{
	fouille_update_options uo;
	fouille_update_options_init(&uo);
	uo.progress = on_progress;
	fouille_search_options so;
	fouille_search_options_init(&so);
	so.sort = FOUILLE_SORT_DATE_DESC;
	so.flags = FOUILLE_SEARCH_NO_RELAX | FOUILLE_SEARCH_FACETS;
	fouille_update_summary summary;
	memset(&summary, 0, sizeof summary);
	fouille_file_status status = FOUILLE_FILE_ADDED;
	fouille_facet facet = FOUILLE_FACET_YEAR;
	unsigned flags = FOUILLE_OPEN_READONLY | FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE;
	(void)status;
	(void)facet;
	(void)flags;
	if (uo.struct_size != sizeof uo || so.struct_size != sizeof so) {
		fprintf(stderr, "struct_size not set by _init\n");
		return 1;
	}
	if (strcmp(fouille_version(), FOUILLE_VERSION_STRING) != 0) {
		fprintf(stderr, "library %s, header %s\n", fouille_version(), FOUILLE_VERSION_STRING);
		return 1;
	}
	printf("C11: fouille %s, %s\n", fouille_version(), fouille_strerror(FOUILLE_ELOCKED));
	return 0;
}
