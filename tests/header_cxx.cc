// fouille.h compiles as C++11 (-std=c++11 -pedantic -Wall -Wextra -Werror, set in
// tests/CMakeLists.txt) and links from C++: extern "C" is in place. Run by ctest, it also
// checks that the library is the header's version.
#include <fouille.h>

#include <cstdio>
#include <cstring>

namespace {
int on_progress(const fouille_progress *, void *)
{
	return 0;
}
} // namespace

int main()
{
	fouille_update_options uo;
	fouille_update_options_init(&uo);
	uo.progress = on_progress;
	fouille_search_options so;
	fouille_search_options_init(&so);
	so.sort = FOUILLE_SORT_RELEVANCE;
	fouille_index *idx = nullptr;
	int rc = fouille_index_open(&idx, "/nonexistent/.fouille", FOUILLE_OPEN_READONLY);
	if (rc != FOUILLE_ENOTFOUND || idx != nullptr) {
		std::fprintf(stderr, "opening a missing index: %d\n", rc);
		fouille_index_close(idx);
		return 1;
	}
	if (std::strcmp(fouille_version(), FOUILLE_VERSION_STRING) != 0) {
		std::fprintf(stderr, "library %s, header %s\n", fouille_version(), FOUILLE_VERSION_STRING);
		return 1;
	}
	std::printf("C++11: fouille %s, %s\n", fouille_version(), fouille_last_open_error());
	return 0;
}
