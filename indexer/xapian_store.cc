// The one file that talks to Xapian. Every extern "C" entry point catches every
// exception and turns it into a FOUILLE_* code plus a message in the caller's buffer:
// no exception ever crosses into C.

#include "xapian_store.h"

#include <xapian.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <memory>
#include <new>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include <set>
#include <unordered_map>
#include <unordered_set>

#include "fouille.h"

extern "C" {
#include "analyzer.h" // analyzer_fold(), for the fragments of the spelling data
}

struct xs_doc {
	Xapian::Document doc;
	size_t bytes = 0; // its stored record's
};

// A word's change in the spelling data: articles holding it, and those of them writing
// it with a capital initial everywhere (xs_writer_add_spelling()).
struct spell_counts {
	long long freq = 0, caps = 0;
};

// Each word's spell_counts, held until a commit writes them: every word of every
// article is counted here, by the writer, so this is an open-addressing table over a
// dense vector of entries and one arena of words, where a std::unordered_map of
// std::string keys built a string, hashed it and chased a node for each (a quarter of
// the writer thread's time on the Debian folder). Entries come in insertion order; a
// lookup compares the word's hash (analyzer_word_hash(), as the analysis workers' sets
// hash it) stored in its slot before the word.
class word_counts {
public:
	// The counts of `word`, created at zero when it is not there.
	spell_counts &at(std::string_view word)
	{
		if (entries_.size() >= UINT32_MAX - 1)
			throw std::length_error("too many spelling words held"); // slots count in 32 bits
		if ((entries_.size() + 1) * 4 > slots_.size() * 3)
			grow();
		const uint32_t h = analyzer_word_hash(word.data(), word.size());
		size_t mask = slots_.size() - 1;
		for (size_t i = static_cast<size_t>(h) & mask;; i = (i + 1) & mask) {
			slot &s = slots_[i];
			if (s.index == 0) {
				entries_.push_back({arena_.size(), word.size(), spell_counts()});
				arena_.append(word.data(), word.size());
				s = {h, static_cast<uint32_t>(entries_.size())};
				return entries_.back().counts;
			}
			entry &e = entries_[s.index - 1];
			if (s.hash == h && word_of(e) == word)
				return e.counts;
		}
	}
	size_t size() const { return entries_.size(); }
	bool empty() const { return entries_.empty(); }
	// Empty, keeping the memory of a table that stayed small (it fills again with the
	// next batch of articles) and giving back that of a large one.
	void clear()
	{
		if (entries_.size() > (1u << 16)) {
			word_counts().swap(*this);
			return;
		}
		entries_.clear();
		arena_.clear();
		std::fill(slots_.begin(), slots_.end(), slot());
	}
	void swap(word_counts &o) noexcept
	{
		slots_.swap(o.slots_);
		entries_.swap(o.entries_);
		arena_.swap(o.arena_);
	}
	// fn(word, counts) for each word, in the order they came. The words are views into
	// the table, valid until it changes.
	template <typename F> void each(F fn) const
	{
		for (const entry &e : entries_)
			fn(word_of(e), e.counts);
	}

private:
	struct slot {
		uint32_t hash = 0;  // the word's
		uint32_t index = 0; // 1 + its entry, 0 for an empty slot
	};
	struct entry {
		size_t off, len; // the word in arena_
		spell_counts counts;
	};
	std::vector<slot> slots_;
	std::vector<entry> entries_;
	std::string arena_;

	std::string_view word_of(const entry &e) const { return std::string_view(arena_).substr(e.off, e.len); }
	void grow()
	{
		std::vector<slot> v(slots_.empty() ? 1024 : slots_.size() * 2);
		size_t mask = v.size() - 1;
		for (const slot &old : slots_) {
			if (old.index == 0)
				continue;
			size_t i = old.hash & mask;
			while (v[i].index != 0)
				i = (i + 1) & mask;
			v[i] = old;
		}
		slots_.swap(v);
	}
};

// A change handed to a shard's thread (a writer with several shards).
struct writer_op {
	bool remove = false; // delete the document `idterm`, else replace it by `doc`
	std::string idterm;
	Xapian::Document doc;
	size_t bytes = 0; // its stored record, what the queue's bound counts
};

// One database a writer writes: the index itself, or one of its shards. With several
// shards each has a thread of its own, which adds, replaces and deletes the documents
// handed to it and commits when asked: Xapian's work on documents (its inverter, the
// compression of termlists, the commit's merge into the tables) is most of an index
// run, and one WritableDatabase is written by one thread at a time. The caller reads or
// writes `db` itself only when the shard is quiet (quiesce()): its queue empty, no op
// or commit under way; the thread then waits for the next one.
struct writer_shard {
	Xapian::WritableDatabase db;
	bool in_txn = false;
	// Documents up to this id were counted in spelling data since cleared: removing them
	// takes nothing away. As committed, and as in the current transaction.
	Xapian::docid uncounted_committed = 0, uncounted = 0;
	std::thread thread;
	std::mutex mu;
	std::condition_variable wake, quiet;
	std::deque<writer_op> queue;
	size_t queued_bytes = 0;
	bool busy = false, commit_asked = false, stop = false;
	int rc = FOUILLE_OK; // the first failure of an op or a commit, until reported
	char err[XS_ERRLEN] = "";
};

struct xs_writer {
	std::vector<std::unique_ptr<writer_shard>> shards; // [0] holds the metadata
	// Spelling data not written yet, each word's changes: those of the open transaction
	// (dropped by xs_writer_cancel() with it), and those of documents already committed
	// by xs_writer_commit_keep_spelling() (kept until a commit writes them; the
	// committed database carries SPELL_PENDING meanwhile). Under spell_mu: shard threads
	// take a replaced document's words out while the caller adds new ones.
	word_counts spell_delta, spell_committed;
	std::mutex spell_mu;
	xs_forget_fn forget = nullptr;
	void *forget_ud = nullptr;
	std::mutex forget_mu; // one forget call at a time (the callback's analyzer is one)
	size_t spell_held_max; // SPELL_HELD_MAX, or a test's
	// With several shards, shard 0 commits SPELL_PENDING before any shard commits a
	// document of this writer's (own_mark): the shards commit each on its own, so a
	// kill may leave some committed and not the spelling data counting them.
	bool own_mark = false;
	bool threaded() const { return shards.size() > 1; }
};

struct xs_tally {
	std::map<std::string, std::pair<uint64_t, uint64_t>> words; // articles, capitalized
};

// How a query holding a wildcard was built. Over several shards Xapian expands a
// wildcard in each shard, to that shard's words (the most frequent of its own, with its
// own statistics: a remote shard even weighs them apart), so the results are not those of
// one database. Such a query is built again before it is run over shards, each wildcard
// expanded here to the words of every shard together (xs_reader_search).
struct recipe {
	enum kind { FIXED, WILDCARD, COMBINE, SCALE } kind = FIXED;
	Xapian::Query fixed;        // FIXED: a subquery without wildcard, as it is
	std::string prefix;         // WILDCARD
	unsigned max_expansion = 0; // WILDCARD
	Xapian::Query::op op = Xapian::Query::OP_AND; // COMBINE
	unsigned window = 0;        // COMBINE
	double factor = 1.0;        // SCALE
	std::vector<std::shared_ptr<const recipe>> subs; // COMBINE, SCALE
};

struct xs_query {
	Xapian::Query q;
	std::shared_ptr<const recipe> how; // when a wildcard is inside, else null
};

// One shard of a reader: a local database or a remote one (xapian-tcpsrv).
struct xs_shard {
	std::string label, origin;
	std::string path; // local
	std::string host; // remote
	unsigned port = 0;
	bool open = false;   // part of the combined database
	std::string problem; // why not, when it is left out
	Xapian::Database db; // this shard alone; shares its connection with the combined one
	// A local index written in several databases (xs_writer_open_with()): each of them
	// alone, sharing its state with db (a reopen of either moves both). Empty otherwise.
	std::vector<Xapian::Database> parts;
	// xs_search_opts.shard_meta_key's value, kept until the shard changes (a round trip
	// saved per search on a remote shard)
	std::string meta_key, meta_value;
	bool meta_cached = false;
	// spelling data read from it (key -> value), kept until the shard changes
	std::unordered_map<std::string, std::string> spell_cache;
	size_t spell_cache_bytes = 0;
};

struct xs_reader {
	Xapian::Database db; // the open shards as one database
	std::string path;
	std::vector<xs_shard> shards;
	std::vector<size_t> pos_to_shard; // sub-database position in db -> index in shards
	unsigned timeout_ms = 0;
	bool allow_partial = false;
	bool remote = false; // some shard is remote
	std::chrono::steady_clock::time_point reopened; // with remote shards: the last reopen
	bool pinned = false; // xs_reader_pin(): the calls read the revision they found
	// With remote shards: the frequencies of the last search's terms, which the match
	// gathered from every shard (xs_reader_termfreq() answers them without a round trip
	// to each shard); cleared when the database changes.
	std::map<std::string, Xapian::doccount> termfreqs;
};

namespace {

// How many times a read starts again at the newest revision when a writer's commits
// discarded the one it was reading. Each retry reads the latest commit, so only a
// writer committing faster than a search runs, again and again, exhausts them.
constexpr int MAX_REOPEN = 20;

void set_err(char *err, const char *what, const std::string &msg)
{
	if (!err)
		return;
	if (*what)
		std::snprintf(err, XS_ERRLEN, "%s: %s", what, msg.c_str());
	else
		std::snprintf(err, XS_ERRLEN, "%s", msg.c_str());
	// A message cut to fit must stay UTF-8: drop a character cut in half at the end.
	size_t n = std::strlen(err), i = n;
	while (i > 0 && n - i < 3 && (static_cast<unsigned char>(err[i - 1]) & 0xC0) == 0x80)
		i--;
	unsigned char lead = i > 0 ? static_cast<unsigned char>(err[i - 1]) : 0;
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
	if (need && n - (i - 1) < need)
		err[i - 1] = '\0';
}

// Map the exception being handled to a code and a message. Called from catch (...).
int handle_exception(char *err, const char *what)
{
	try {
		throw;
	} catch (const Xapian::DatabaseLockError &e) {
		set_err(err, what, "the index is locked by another writer (" + e.get_msg() + ")");
		return FOUILLE_ELOCKED;
	} catch (const Xapian::DatabaseVersionError &e) {
		set_err(err, what, e.get_description());
		return FOUILLE_EVERSION;
	} catch (const Xapian::DatabaseOpeningError &e) {
		set_err(err, what, e.get_description());
		return FOUILLE_ENOTFOUND;
	} catch (const Xapian::DatabaseError &e) {
		set_err(err, what, e.get_description());
		return FOUILLE_EIO;
	} catch (const Xapian::Error &e) {
		set_err(err, what, e.get_description());
		return FOUILLE_ERROR;
	} catch (const std::bad_alloc &) {
		set_err(err, what, "out of memory");
		return FOUILLE_ENOMEM;
	} catch (const std::exception &e) {
		set_err(err, what, e.what());
		return FOUILLE_ERROR;
	} catch (...) {
		set_err(err, what, "unknown exception");
		return FOUILLE_ERROR;
	}
}

char *dup_string(const std::string &s)
{
	char *p = static_cast<char *>(std::malloc(s.size() + 1));
	if (p) {
		std::memcpy(p, s.data(), s.size());
		p[s.size()] = '\0';
	}
	return p;
}

// A document's stored record (XS_SLOT_RECORD); an index written before it moved there
// (schema 4 and older, rebuilt by the next update) had it in the document data.
std::string record_of(const Xapian::Document &doc)
{
	std::string r = doc.get_value(XS_SLOT_RECORD);
	if (r.empty())
		return doc.get_data();
	return r; // moved out, where `r.empty() ? ... : r` copied every article's text
}

// ---- spelling data ----------------------------------------------------------------
//
// fouille's own spelling data, in the database's user metadata. Xapian's spelling table
// would do for one local database, but its remote protocol carries no spelling data (a
// remote shard suggests nothing) and it only grows (a deleted article's words stay).
// User metadata travels through xapian-tcpsrv and is written in the commit's
// transaction. Keys, from the folded word (analyzer_fold: `evenement` and `événement`
// share every fragment), holding words as written:
//   SPELL_PREFIX "H" + first 2 characters: the words starting so, each with its
//                  frequency (articles holding it): "word\0freq\0"..., sorted by word;
//                  "freq:caps\0" when caps (of those articles, the ones writing the
//                  word with a capital initial everywhere) is not 0. An index written
//                  before caps were counted reads as caps 0 (lowercase suggestions, as
//                  it gave then); a reader of then reads "freq:caps" as freq (strtoull).
//   SPELL_PREFIX "T" + last 2, "M" + each 3 in a row, "B" + first and last (words of up
//                  to 4 characters): the words holding that fragment, "word\0"..., sorted
// as Xapian's spelling table does with bytes (glass_spelling.cc), here with characters.
// A word's frequency is in one list only, so a changed frequency rewrites one value; the
// other lists change only when a word appears or goes.
//
// Still, every batch of articles changes the frequencies of nearly all common words, so
// writing the changes at each commit rewrote most of the spelling data every ~16 MB of
// postings. An update writes them at its last commit only (xs_writer_commit()), keeping
// those of its earlier commits (xs_writer_commit_keep_spelling()) in memory, up to
// SPELL_HELD_MAX words. Meanwhile the committed index carries SPELL_PENDING, so that an
// update killed before its last commit is followed by a recount; and a reader suggests
// from the spelling data of the last commit that wrote it, a little behind the articles
// committed since (suggestions are hints, and the update's last commit catches up).

const std::string SPELL_PREFIX = XS_META_SPELLING;

// More words than this held and a commit writes them anyway: a word_counts takes 50 to
// 110 bytes a word (its 32-byte entry in a vector that grows by doubling, 11 to 21 bytes
// of slots, the word itself), so this bounds it at 25-55 MB. A vocabulary
// under the bound (the 3,930 articles of bench/ hold 36,329 spelling words) is
// written once, at the last commit.
constexpr size_t SPELL_HELD_MAX = 500000;

// A spelling list keeps at most this many bytes of values per shard in a reader.
constexpr size_t SPELL_CACHE_MAX = 16u << 20;

// The characters of the folded word (analyzer_fold: accents and case out).
std::vector<unsigned> folded_chars(std::string_view word)
{
	bool plain = true; // lowercase ASCII letters fold to themselves (most words)
	for (char ch : word)
		plain = plain && ch >= 'a' && ch <= 'z';
	if (plain)
		return std::vector<unsigned>(word.begin(), word.end());
	std::string buf(word.size() * 3 + 8, '\0'); // room for expansions (œ -> oe)
	size_t n = analyzer_fold(word.data(), word.size(), &buf[0], buf.size());
	buf.resize(n);
	std::vector<unsigned> c;
	c.reserve(n); // no more characters than bytes: one allocation, not a doubling per push
	for (Xapian::Utf8Iterator i(buf); i != Xapian::Utf8Iterator(); ++i)
		c.push_back(*i);
	return c;
}

// A list's key without SPELL_PREFIX: the kind and 2 or 3 characters, short enough for
// std::string to hold in place (flush_spelling() makes hundreds of thousands).
std::string fragment(char kind, std::initializer_list<unsigned> chars)
{
	std::string k(1, kind);
	for (unsigned c : chars)
		Xapian::Unicode::append_utf8(k, c);
	return k;
}

std::string spell_key(char kind, std::initializer_list<unsigned> chars)
{
	return SPELL_PREFIX + fragment(kind, chars);
}

// The fragment() of the list holding the word's frequency, for a word of 2 characters
// or more: its first two.
std::string head_fragment(const std::vector<unsigned> &c)
{
	return fragment('H', {c[0], c[1]});
}

// The key of the list holding the word's frequency ("" for a word under 2 characters).
std::string head_key(const std::vector<unsigned> &c)
{
	return c.size() < 2 ? std::string() : SPELL_PREFIX + head_fragment(c);
}

// Call fn(kind, c0, c1, c2) for each other list of a word (c2 is 0 but for an M), each
// once: the one rule for the lists a word is written in and those read for it.
template <typename F> void each_other_fragment(const std::vector<unsigned> &c, F fn)
{
	size_t n = c.size();
	if (n < 2)
		return;
	fn('T', c[n - 2], c[n - 1], 0u);
	if (n <= 4)
		fn('B', c[0], c[n - 1], 0u);
	for (size_t i = 0; i + 3 <= n; i++) {
		bool seen = false; // the same three characters earlier in the word
		for (size_t j = 0; j < i && !seen; j++)
			seen = c[j] == c[i] && c[j + 1] == c[i + 1] && c[j + 2] == c[i + 2];
		if (!seen)
			fn('M', c[i], c[i + 1], c[i + 2]);
	}
}

// The other lists of a word, as fragment()s, each once, in no order.
void other_fragments(const std::vector<unsigned> &c, std::vector<std::string> &out)
{
	out.clear();
	each_other_fragment(c, [&out](char kind, unsigned c0, unsigned c1, unsigned c2) {
		out.push_back(kind == 'M' ? fragment('M', {c0, c1, c2}) : fragment(kind, {c0, c1}));
	});
}

// One word's entry in one of its other lists (other_fragments()), for flush_spelling():
// the list's fragment packed so that the order of (hi, lo) is the byte order of its
// fragment() string (the kind's letter, then UTF-8, whose byte order is that of the
// characters), and the word as its index in flush_spelling()'s moves.
// Characters are code points (folded_chars(): Xapian::Utf8Iterator gives at most
// U+10FFFF, and an invalid byte as itself), so 21 bits hold each.
struct fragment_entry {
	uint64_t hi; // kind's rank (B, M, T) << 42 | first character << 21 | second
	uint32_t lo; // the third character of an M fragment (0 for B and T)
	uint32_t move;
};

constexpr char FRAGMENT_KINDS[] = {'B', 'M', 'T'}; // in byte order, as ranked in hi

fragment_entry packed_fragment(unsigned rank, unsigned c0, unsigned c1, unsigned c2, uint32_t move)
{
	return {static_cast<uint64_t>(rank) << 42 | static_cast<uint64_t>(c0 & 0x1FFFFF) << 21 | (c1 & 0x1FFFFF),
		c2, move};
}

// The fragment() string of an entry.
std::string unpacked_fragment(const fragment_entry &e)
{
	unsigned rank = static_cast<unsigned>(e.hi >> 42);
	unsigned c0 = static_cast<unsigned>(e.hi >> 21) & 0x1FFFFF, c1 = static_cast<unsigned>(e.hi) & 0x1FFFFF;
	if (FRAGMENT_KINDS[rank] == 'M')
		return fragment('M', {c0, c1, e.lo});
	return fragment(FRAGMENT_KINDS[rank], {c0, c1});
}

// other_fragments(c), each as an entry for the word `move`, appended to `out`.
void add_other_fragments(const std::vector<unsigned> &c, uint32_t move, std::vector<fragment_entry> &out)
{
	each_other_fragment(c, [&](char kind, unsigned c0, unsigned c1, unsigned c2) {
		unsigned rank = kind == 'B' ? 0 : kind == 'M' ? 1 : 2; // FRAGMENT_KINDS
		out.push_back(packed_fragment(rank, c0, c1, c2, move));
	});
}

// The keys of the other lists of a word, sorted, each once.
std::vector<std::string> other_keys(const std::vector<unsigned> &c)
{
	std::vector<std::string> keys;
	other_fragments(c, keys);
	for (std::string &k : keys)
		k.insert(0, SPELL_PREFIX);
	std::sort(keys.begin(), keys.end());
	return keys;
}

// The lists a suggestion for the typed word `c` reads besides its H list: each is a
// round trip to every remote shard, so as few as find the candidates. A word of 7
// characters or more is cut into pieces that do not overlap: its first 2 (H), its last 2
// (T) and 3 in a row (M) between them, at least 3 pieces. An edit (a character inserted,
// deleted or replaced) breaks at most one piece, so any word within 2 such edits keeps
// one piece whole, and is in that piece's list (2 or more round trips where Xapian's
// every trigram would take 5 to 10 and more). Two neighbours swapped across two pieces
// break both: a swap and another edit there may go unseen, as they may with Xapian's
// lists. Shorter words have too few pieces: they read the lists Xapian reads (H, T, B
// for up to 4, every M, and for 3 characters the M of the two neighbour swaps).
std::vector<std::string> query_keys(const std::vector<unsigned> &c)
{
	size_t n = c.size();
	if (n < 7) {
		std::vector<std::string> keys = other_keys(c);
		if (n == 3) {
			keys.push_back(spell_key('M', {c[1], c[0], c[2]}));
			keys.push_back(spell_key('M', {c[0], c[2], c[1]}));
		}
		return keys;
	}
	std::vector<std::string> keys;
	keys.push_back(spell_key('T', {c[n - 2], c[n - 1]}));
	for (size_t i = 2; i + 3 <= n - 2; i += 3)
		keys.push_back(spell_key('M', {c[i], c[i + 1], c[i + 2]}));
	return keys;
}

// Call fn(word, freq, caps) for each entry of a list (freq and caps 0 in a list without
// frequencies). The word is a view into `v`: a head list holds thousands of words and a
// suggestion reads several, so nothing is copied.
template <typename F> void each_spell_entry(const std::string &v, bool with_freq, F fn)
{
	const char *p = v.data(), *end = p + v.size();
	while (p < end) {
		const char *z = static_cast<const char *>(std::memchr(p, '\0', static_cast<size_t>(end - p)));
		if (!z)
			z = end;
		std::string_view word(p, static_cast<size_t>(z - p));
		p = z + 1;
		uint64_t freq = 0, caps = 0;
		if (with_freq) {
			// "freq" or "freq:caps", digits only (written by flush_spelling)
			for (; p < end && *p >= '0' && *p <= '9'; p++)
				freq = freq * 10 + static_cast<uint64_t>(*p - '0');
			if (p < end && *p == ':')
				for (p++; p < end && *p >= '0' && *p <= '9'; p++)
					caps = caps * 10 + static_cast<uint64_t>(*p - '0');
			while (p < end && *p != '\0')
				p++;
			p++;
		}
		fn(word, freq, caps);
	}
}

// The word's frequency and caps in a head list ({0, 0} when not there).
std::pair<uint64_t, uint64_t> counts_in(const std::string &head_list, const std::string &word)
{
	std::pair<uint64_t, uint64_t> n{0, 0};
	each_spell_entry(head_list, true, [&](std::string_view w, uint64_t f, uint64_t c) {
		if (w == word)
			n = {f, c};
	});
	return n;
}

// Edits (insertions, deletions, substitutions, transpositions of neighbours) from a to
// b, counted in characters, as Xapian counts them for spelling suggestions. Three rows
// of the table at a time.
unsigned edit_distance(const std::vector<unsigned> &a, const std::vector<unsigned> &b)
{
	const size_t m = b.size();
	std::vector<unsigned> prev2(m + 1), prev(m + 1), cur(m + 1);
	for (size_t j = 0; j <= m; j++)
		prev[j] = static_cast<unsigned>(j);
	for (size_t i = 1; i <= a.size(); i++) {
		cur[0] = static_cast<unsigned>(i);
		for (size_t j = 1; j <= m; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				cur[j] = std::min(cur[j], prev2[j - 2] + 1);
		}
		prev2.swap(prev);
		prev.swap(cur);
	}
	return prev[m];
}

std::vector<unsigned> chars_of(const std::string &s)
{
	return {Xapian::Utf8Iterator(s), Xapian::Utf8Iterator()};
}

// One entry of a spelling list read in place from position i (which it moves past it):
// the word, and in a head list the frequency text ("freq" or "freq:caps").
bool next_entry(std::string_view v, size_t &i, bool with_freq, std::string_view &word, std::string_view &freq)
{
	if (i >= v.size())
		return false;
	auto field = [&]() {
		if (i >= v.size()) { // the list's last entry cut short: an empty field
			i = v.size() + 1;
			return std::string_view();
		}
		size_t end = v.find('\0', i);
		if (end == std::string_view::npos)
			end = v.size();
		std::string_view f = v.substr(i, end - i);
		i = end + 1;
		return f;
	};
	word = field();
	freq = with_freq ? field() : std::string_view();
	return true;
}

void append_head_entry(std::string &v, std::string_view word, uint64_t freq, uint64_t caps)
{
	v.append(word.data(), word.size());
	v += '\0';
	v += std::to_string(freq);
	if (caps) {
		v += ':';
		v += std::to_string(caps);
	}
	v += '\0';
}

// Write the changes `delta` to the spelling data, in the open transaction. Each list
// touched is read once and merged with its changes sorted the same way (byte order of
// the words), its entries copied as they are but for the changed ones: no map of the
// whole list is built. This is the last commit's serial tail: a first index of the
// Debian folder (3,930 articles) puts 35,000 words in 640 head lists and 261,000 entries
// in 9,200 other lists, and a tree of their keys and a sort of each list made a tenth of
// the run. So the head lists are gathered in a hash map under their short fragment()
// keys, the other lists as packed integer entries (fragment_entry), all written in key
// order, and the words that appear or go are sorted once, which leaves each list's
// changes sorted.
void flush_spelling(xs_writer *w, const word_counts &delta)
{
	Xapian::WritableDatabase &db = w->shards[0]->db;
	struct change {
		std::string_view word;
		spell_counts delta;
		std::vector<unsigned> folded;
	};
	std::unordered_map<std::string, std::vector<change>> by_head; // by head_fragment()
	delta.each([&by_head](std::string_view word, const spell_counts &d) {
		if (d.freq == 0 && d.caps == 0)
			return;
		std::vector<unsigned> c = folded_chars(word);
		if (c.size() >= 2)
			by_head[head_fragment(c)].push_back({word, d, std::move(c)});
	});
	auto in_key_order = [](auto &m) {
		std::vector<typename std::remove_reference_t<decltype(m)>::value_type *> v;
		v.reserve(m.size());
		for (auto &e : m)
			v.push_back(&e);
		std::sort(v.begin(), v.end(), [](const auto *a, const auto *b) { return a->first < b->first; });
		return v;
	};
	// the words that appear in the spelling data (true) or go from it (false)
	std::vector<std::pair<const change *, bool>> moves;
	for (auto *h : in_key_order(by_head)) {
		const std::string key = SPELL_PREFIX + h->first;
		std::vector<change> &changes = h->second;
		std::sort(changes.begin(), changes.end(),
			  [](const change &a, const change &b) { return a.word < b.word; });
		const std::string old = db.get_metadata(key);
		std::string v;
		v.reserve(old.size() + changes.size() * 16);
		size_t i = 0, k = 0;
		std::string_view word, freq;
		bool have = next_entry(old, i, true, word, freq);
		while (have || k < changes.size()) {
			if (!have || (k < changes.size() && changes[k].word < word)) {
				// a word not in the list yet
				const change &c = changes[k++];
				long long after = std::max(0LL, c.delta.freq);
				long long caps = std::min(after, std::max(0LL, c.delta.caps));
				if (after > 0) {
					append_head_entry(v, c.word, static_cast<uint64_t>(after), static_cast<uint64_t>(caps));
					moves.emplace_back(&c, true);
				}
			} else if (k == changes.size() || word < changes[k].word) {
				// unchanged: copied as it is, "word\0freq\0" in one piece
				if (i <= old.size()) {
					size_t from = static_cast<size_t>(word.data() - old.data());
					v.append(old, from, i - from);
				} else { // the list's last entry cut short: its two fields made whole
					v.append(word.data(), word.size());
					v += '\0';
					v.append(freq.data(), freq.size());
					v += '\0';
				}
				have = next_entry(old, i, true, word, freq);
			} else {
				const change &c = changes[k++];
				const std::string f(freq);
				char *rest = nullptr;
				long long before = static_cast<long long>(std::strtoull(f.c_str(), &rest, 10));
				long long caps = *rest == ':' ? static_cast<long long>(std::strtoull(rest + 1, nullptr, 10)) : 0;
				long long after = std::max(0LL, before + c.delta.freq);
				caps = std::min(after, std::max(0LL, caps + c.delta.caps));
				if (after > 0)
					append_head_entry(v, c.word, static_cast<uint64_t>(after), static_cast<uint64_t>(caps));
				if ((before == 0) != (after == 0))
					moves.emplace_back(&c, after > 0);
				have = next_entry(old, i, true, word, freq);
			}
		}
		if (v != old)
			db.set_metadata(key, v); // "" removes the key
	}
	std::sort(moves.begin(), moves.end(), [](const auto &a, const auto &b) { return a.first->word < b.first->word; });
	// The other lists of the words that move: one entry per (list, word), the list packed
	// in 64 + 32 bits, sorted by list then by word (moves' order). 265,000 entries for the
	// Debian folder, where a hash map of fragment() strings holding vectors took 60-80 ms
	// of the last commit's serial tail; these take 40. Measured with callgrind on 2,000 of
	// the folder's files, this function went from 144 M to 82 M instructions. Reserved
	// whole, for at most one T, one B (4 characters or fewer) and one M per character but
	// two (each_other_fragment() leaves out repeated M's): a vector doubling would hold
	// both copies at once, and a flush of 500,000 words makes millions of entries.
	size_t most = 0;
	for (const auto &m : moves) {
		size_t n = m.first->folded.size();
		most += n < 2 ? 0 : 1 + (n <= 4) + (n - 2);
	}
	std::vector<fragment_entry> entries;
	entries.reserve(most);
	for (size_t m = 0; m < moves.size(); m++)
		add_other_fragments(moves[m].first->folded, static_cast<uint32_t>(m), entries);
	std::sort(entries.begin(), entries.end(), [](const fragment_entry &a, const fragment_entry &b) {
		return a.hi != b.hi ? a.hi < b.hi : a.lo != b.lo ? a.lo < b.lo : a.move < b.move;
	});
	for (size_t g = 0; g < entries.size();) {
		size_t end = g + 1;
		while (end < entries.size() && entries[end].hi == entries[g].hi && entries[end].lo == entries[g].lo)
			end++;
		const std::string key = SPELL_PREFIX + unpacked_fragment(entries[g]);
		const std::string old = db.get_metadata(key);
		std::string v;
		v.reserve(old.size() + (end - g) * 16);
		size_t i = 0, k = g;
		std::string_view word, unused;
		bool have = next_entry(old, i, false, word, unused);
		while (have || k < end) {
			std::string_view changed = k < end ? moves[entries[k].move].first->word : std::string_view();
			bool appears = k < end && moves[entries[k].move].second;
			if (!have || (k < end && changed < word)) {
				if (appears) { // a word that appears
					v.append(changed.data(), changed.size());
					v += '\0';
				}
				k++;
			} else {
				// a word staying, unless it goes
				bool goes = k < end && changed == word && !appears;
				if (k < end && changed == word)
					k++;
				if (!goes) {
					if (i <= old.size()) { // the word and its NUL in one piece
						size_t from = static_cast<size_t>(word.data() - old.data());
						v.append(old, from, i - from);
					} else { // the list's last word, its NUL missing
						v.append(word.data(), word.size());
						v += '\0';
					}
				}
				have = next_entry(old, i, false, word, unused);
			}
		}
		db.set_metadata(key, v);
		g = end;
	}
}

// Call the forget callback with each document `idterm` names in shard `s`, before they
// go (in the shard's thread, with several shards).
int forget_docs(xs_writer *w, writer_shard &s, const char *idterm, char *err)
{
	if (!w->forget)
		return FOUILLE_OK;
	for (auto p = s.db.postlist_begin(idterm); p != s.db.postlist_end(idterm); ++p) {
		if (*p <= s.uncounted)
			continue;
		const std::string data = record_of(s.db.get_document(*p));
		int rc;
		{
			std::lock_guard<std::mutex> lock(w->forget_mu);
			rc = w->forget(w, data.data(), data.size(), w->forget_ud);
		}
		if (rc != FOUILLE_OK) {
			set_err(err, "taking a document's words out of the spelling data",
				rc == FOUILLE_ENOMEM ? "out of memory" : "failed");
			return rc;
		}
	}
	return FOUILLE_OK;
}

// ---- shards ---------------------------------------------------------------------

std::string shard_name(const xs_shard &s)
{
	return s.origin.empty() ? s.label : s.label + " (" + s.origin + ")";
}

bool path_exists(const std::string &p)
{
	struct stat st;
	return stat(p.c_str(), &st) == 0;
}

Xapian::Database open_local(const std::string &path, std::vector<Xapian::Database> &parts);

// Open one shard on its own; a local index written in several databases also fills
// `parts`. Throws what Xapian throws.
Xapian::Database open_shard(const xs_shard &s, unsigned timeout_ms, std::vector<Xapian::Database> &parts)
{
	parts.clear();
	if (!s.host.empty()) {
		unsigned t = timeout_ms ? timeout_ms : 10000;
		return Xapian::Remote::open(s.host, s.port, t, t);
	}
	if (!path_exists(s.path))
		throw Xapian::DatabaseOpeningError("there is no index at " + s.path);
	// as xs_reader_open(): commits discarding the revision being opened, open again
	for (int attempt = 0;; attempt++) {
		try {
			return open_local(s.path, parts);
		} catch (const Xapian::DatabaseModifiedError &) {
			if (attempt >= MAX_REOPEN)
				throw;
		}
	}
}

// Open the shards `which` (indexes in r->shards) into dbs[k], or errs[k] what opening
// threw. Remote ones each in a thread of their own, all at once: servers that hang cost
// one timeout, not one each, and connections to far machines overlap.
void open_together(const xs_reader *r, const std::vector<size_t> &which,
		   std::vector<Xapian::Database> &dbs, std::vector<std::vector<Xapian::Database>> &parts,
		   std::vector<std::exception_ptr> &errs)
{
	dbs.assign(which.size(), Xapian::Database());
	parts.assign(which.size(), {});
	errs.assign(which.size(), nullptr);
	auto open_one = [&](size_t k) {
		try {
			dbs[k] = open_shard(r->shards[which[k]], r->timeout_ms, parts[k]);
		} catch (...) {
			errs[k] = std::current_exception();
		}
	};
	std::vector<std::thread> threads;
	try {
		for (size_t k = 0; k < which.size(); k++) {
			if (r->shards[which[k]].host.empty())
				continue;
			try {
				threads.emplace_back(open_one, k);
			} catch (const std::system_error &) {
				open_one(k); // no thread to be had: here, in turn
			}
		}
		for (size_t k = 0; k < which.size(); k++)
			if (r->shards[which[k]].host.empty())
				open_one(k);
	} catch (...) {
		for (std::thread &t : threads)
			t.join();
		throw;
	}
	for (std::thread &t : threads)
		t.join();
}

// The message of the exception being handled, for naming a shard that failed.
std::string current_problem()
{
	try {
		throw;
	} catch (const Xapian::Error &e) {
		return e.get_description();
	} catch (const std::bad_alloc &) {
		throw;
	} catch (const std::exception &e) {
		return e.what();
	} catch (...) {
		return "unknown exception";
	}
}

void forget_meta(xs_reader *r)
{
	for (xs_shard &s : r->shards) {
		s.meta_cached = false;
		s.spell_cache.clear();
		s.spell_cache_bytes = 0;
	}
	r->termfreqs.clear();
}

// Make r->db the open shards as one database.
void combine(xs_reader *r)
{
	forget_meta(r);
	Xapian::Database db;
	std::vector<size_t> pos;
	for (size_t i = 0; i < r->shards.size(); i++)
		if (r->shards[i].open) {
			db.add_database(r->shards[i].db);
			// an index written in several databases (xs_writer_open_with()) counts as
			// many positions
			pos.insert(pos.end(), std::max<size_t>(1, r->shards[i].db.size()), i);
		}
	r->db = db;
	r->pos_to_shard.swap(pos);
}

size_t open_count(const xs_reader *r)
{
	size_t n = 0;
	for (const xs_shard &s : r->shards)
		n += s.open;
	return n;
}

// A remote shard failed during an operation (Xapian's message does not always say which:
// "Connection closed unexpectedly"). A connection that failed mid-protocol cannot be
// trusted, nor can the others of the same operation (they may hold unread replies), so
// every remote shard is connected again: those that do not answer are named, or with
// allow_partial left out. Returns FOUILLE_OK when the operation may be tried again.
int recover_network(xs_reader *r, char *err, const char *what)
{
	std::string failed;
	std::vector<size_t> remote;
	for (size_t i = 0; i < r->shards.size(); i++)
		if (r->shards[i].open && !r->shards[i].host.empty())
			remote.push_back(i);
	std::vector<Xapian::Database> dbs;
	std::vector<std::vector<Xapian::Database>> parts;
	std::vector<std::exception_ptr> errs;
	open_together(r, remote, dbs, parts, errs);
	for (size_t k = 0; k < remote.size(); k++) {
		xs_shard &s = r->shards[remote[k]];
		try {
			if (errs[k])
				std::rethrow_exception(errs[k]);
			s.db = dbs[k];
			s.parts.swap(parts[k]);
		} catch (const std::bad_alloc &) {
			throw;
		} catch (...) {
			std::string problem = current_problem();
			s.problem = "does not answer: " + problem;
			if (!failed.empty())
				failed += "; ";
			failed += "the shard " + shard_name(s) + " does not answer (" + problem + ")";
			if (r->allow_partial)
				s.open = false;
		}
	}
	if (!failed.empty() && !r->allow_partial) {
		set_err(err, what, failed);
		return FOUILLE_EIO;
	}
	if (open_count(r) == 0) {
		set_err(err, what, "no shard answers: " + failed);
		return FOUILLE_EIO;
	}
	combine(r);
	return FOUILLE_OK;
}

// With remote shards a reopen costs a round trip to each: the calls of one search (the
// query, its words' frequencies for "did you mean"...) share one, made at most this long
// before. A commit is seen by the next search that starts later than that.
constexpr std::chrono::milliseconds REMOTE_REOPEN_EVERY{50};

bool fresh_enough(const xs_reader *r)
{
	return r->remote && std::chrono::steady_clock::now() - r->reopened < REMOTE_REOPEN_EVERY;
}

// Read the latest commit: a Xapian::Database stays at the revision it opened (a handle
// kept open across an update, its own or another process's, would search the old
// index), so move it forward first; reopen() only checks the revision when nothing
// changed. Reset the reader and try again when the database moved under it. A remote
// shard that fails is named, or with allow_partial left out and the body run again on
// the others.
template <typename F> int with_reopen(xs_reader *r, char *err, const char *what, F body)
{
	int network_retries = 0;
	for (int attempt = 0;; attempt++) {
		try {
			// Skipped when a reopen round trip to each remote shard was made just now.
			// The time is that of the last reopen, not of the last call: calls closer
			// together than the interval would otherwise never reopen again.
			if (attempt == 0 && !r->pinned && !fresh_enough(r)) {
				if (r->db.reopen())
					forget_meta(r);
				if (r->remote)
					r->reopened = std::chrono::steady_clock::now();
			}
			body();
			return FOUILLE_OK;
		} catch (const Xapian::DatabaseModifiedError &) {
			if (attempt >= MAX_REOPEN) {
				set_err(err, what, "the index kept changing during the search");
				return FOUILLE_EIO;
			}
			try {
				r->db.reopen();
				forget_meta(r);
				if (r->remote)
					r->reopened = std::chrono::steady_clock::now();
			} catch (...) {
				return handle_exception(err, what);
			}
		} catch (const Xapian::NetworkError &) {
			// Each retry follows a reconnection of every remote shard; a failure that
			// comes back while every shard answers a fresh connection is reported as
			// it is.
			if (network_retries++ >= 2)
				return handle_exception(err, what);
			try {
				int rc = recover_network(r, err, what);
				if (rc != FOUILLE_OK)
					return rc;
			} catch (...) {
				return handle_exception(err, what);
			}
			attempt = -1; // reopen first, as a new call would
		} catch (...) {
			return handle_exception(err, what);
		}
	}
}

} // namespace

extern "C" {

// ---- documents ------------------------------------------------------------------

xs_doc *xs_doc_new(void)
{
	try {
		return new xs_doc;
	} catch (...) {
		return nullptr;
	}
}

void xs_doc_free(xs_doc *d)
{
	delete d;
}

int xs_doc_add_posting(xs_doc *d, const char *term, uint32_t pos, unsigned wdfinc)
{
	try {
		d->doc.add_posting(term, pos, wdfinc);
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(nullptr, "add posting");
	}
}

int xs_doc_add_term(xs_doc *d, const char *term, unsigned wdfinc)
{
	try {
		d->doc.add_term(term, wdfinc);
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(nullptr, "add term");
	}
}

int xs_doc_set_data(xs_doc *d, const void *data, size_t len)
{
	try {
		d->doc.add_value(XS_SLOT_RECORD, std::string(static_cast<const char *>(data), len));
		d->bytes = len;
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(nullptr, "set data");
	}
}

int xs_doc_set_value(xs_doc *d, unsigned slot, const char *value, size_t len)
{
	try {
		d->doc.add_value(slot, std::string(value, len));
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(nullptr, "set value");
	}
}

size_t xs_doc_term_count(const xs_doc *d)
{
	try {
		return d->doc.termlist_count();
	} catch (...) {
		return 0;
	}
}

} // extern "C"

// ---- writing --------------------------------------------------------------------

namespace {

// Set in the committed database while spelling changes of committed documents are held
// in a writer's memory, not written yet (xs_writer_commit_keep_spelling()); removed by
// the commit writing them. Found by the next writer, it means that writer died (or
// failed) first: the spelling data misses those changes and must be counted again from
// the documents (xs_writer_spelling_stale(), xs_writer_recount_spelling()). Outside the
// prefix SPELL_PREFIX: readers and the check of the lists do not see it.
const std::string SPELL_PENDING = XS_META_SPELLING_PENDING;

// The file naming the shards of an index written by several threads, in the index's
// database directory: Xapian's own stub format ("glass s0" per line, relative to the
// directory), so that Xapian::Database, quest, xapian-delve and xapian-tcpsrv open the
// directory as one database of all its shards.
const char *const STUB_NAME = "XAPIANDB";

// A shard's queue holds at most this many documents, or this many bytes of stored
// records (at least one document): the caller waits rather than letting memory grow
// when Xapian is slower than the analysis.
constexpr size_t QUEUE_MAX_DOCS = 16;
constexpr size_t QUEUE_MAX_BYTES = 1u << 20;

// The shard holding the document `idterm`: a hash of the id, so that the same article
// always goes to the same shard and a replace or delete finds it there.
size_t shard_of(const xs_writer *w, const char *idterm)
{
	if (!w->threaded())
		return 0;
	uint64_t h = 1469598103934665603ull; // FNV-1a
	for (const unsigned char *p = reinterpret_cast<const unsigned char *>(idterm); *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return static_cast<size_t>(h % w->shards.size());
}

// Everything between two commits is one transaction, so that an error or a cancel
// drops it whole and the database stays at its last commit.
void ensure_txn(writer_shard &s)
{
	if (!s.in_txn) {
		s.db.begin_transaction(true);
		s.in_txn = true;
	}
}

// Commit the open transaction (or what was written without one).
void commit_txn(writer_shard &s)
{
	if (s.in_txn) {
		s.in_txn = false;
		s.db.commit_transaction();
	} else {
		s.db.commit();
	}
	s.uncounted_committed = s.uncounted;
}

// Add, replace or delete one document of shard `s`. Throws what Xapian throws.
int apply_op(xs_writer *w, writer_shard &s, writer_op &op, char *err)
{
	ensure_txn(s);
	int rc = forget_docs(w, s, op.idterm.c_str(), err);
	if (rc != FOUILLE_OK)
		return rc;
	if (op.remove) {
		s.db.delete_document(op.idterm);
	} else {
		op.doc.add_boolean_term(op.idterm);
		s.db.replace_document(op.idterm, op.doc);
	}
	return FOUILLE_OK;
}

// A shard's thread: the ops in order, then a commit when asked for one. After a failure
// the shard does nothing more until the writer reports it and cancels.
void shard_main(xs_writer *w, writer_shard *s, [[maybe_unused]] size_t index)
{
#ifdef __linux__
	// named for perf, top -H and gdb (bench/threads.sh sorts the run's time by it)
	char name[16];
	std::snprintf(name, sizeof name, "fouille-shard%zu", index);
	prctl(PR_SET_NAME, name, 0, 0, 0);
#endif
	std::unique_lock<std::mutex> lock(s->mu);
	for (;;) {
		s->wake.wait(lock, [s] { return s->stop || s->commit_asked || !s->queue.empty(); });
		if (s->queue.empty() && !s->commit_asked)
			return; // stop
		bool commit = s->queue.empty();
		writer_op op;
		size_t bytes = 0;
		if (!commit) {
			op = std::move(s->queue.front());
			s->queue.pop_front();
			bytes = op.bytes;
		}
		s->busy = true;
		bool failed = s->rc != FOUILLE_OK;
		lock.unlock();
		char err[XS_ERRLEN] = "";
		int rc = FOUILLE_OK;
		if (!failed) {
			try {
				if (commit)
					commit_txn(*s);
				else
					rc = apply_op(w, *s, op, err);
			} catch (...) {
				rc = handle_exception(err, commit ? "committing the index" : "writing a document");
			}
		}
		op = writer_op(); // the document's memory goes outside the lock
		lock.lock();
		if (commit)
			s->commit_asked = false;
		else
			s->queued_bytes -= std::min(s->queued_bytes, bytes);
		if (rc != FOUILLE_OK && s->rc == FOUILLE_OK) {
			s->rc = rc;
			std::memcpy(s->err, err, sizeof err);
		}
		s->busy = false;
		s->quiet.notify_all();
	}
}

// Wait until shard `s` has applied everything handed to it; then the caller may use its
// database. Returns (and clears) the failure of an op since the last report.
int quiesce(writer_shard &s, char *err)
{
	if (!s.thread.joinable())
		return FOUILLE_OK;
	std::unique_lock<std::mutex> lock(s.mu);
	s.quiet.wait(lock, [&s] { return s.queue.empty() && !s.busy && !s.commit_asked; });
	int rc = s.rc;
	if (rc != FOUILLE_OK) {
		if (err)
			std::memcpy(err, s.err, XS_ERRLEN);
		s.rc = FOUILLE_OK;
	}
	return rc;
}

int quiesce_all(xs_writer *w, char *err)
{
	int first = FOUILLE_OK;
	for (auto &s : w->shards) {
		int rc = quiesce(*s, first == FOUILLE_OK ? err : nullptr);
		if (first == FOUILLE_OK)
			first = rc;
	}
	return first;
}

// Hand `op` to its shard's thread (or, with one shard, apply it here).
int hand_over(xs_writer *w, writer_op &&op, char *err)
{
	writer_shard &s = *w->shards[shard_of(w, op.idterm.c_str())];
	if (!w->threaded())
		return apply_op(w, s, op, err);
	std::unique_lock<std::mutex> lock(s.mu);
	s.quiet.wait(lock, [&s] {
		return s.rc != FOUILLE_OK || s.queue.empty() ||
		       (s.queue.size() < QUEUE_MAX_DOCS && s.queued_bytes < QUEUE_MAX_BYTES);
	});
	if (s.rc != FOUILLE_OK) {
		// Reported here, and again by the commit: the shard takes nothing more until
		// the writer is cancelled (a later op would land in a transaction missing one).
		std::memcpy(err, s.err, XS_ERRLEN);
		s.queue.clear();
		s.queued_bytes = 0;
		return s.rc;
	}
	s.queued_bytes += op.bytes;
	s.queue.push_back(std::move(op));
	s.wake.notify_one();
	return FOUILLE_OK;
}

// With several shards: commit SPELL_PENDING in shard 0 before this writer changes any
// document (see xs_writer::own_mark).
void mark_before_writing(xs_writer *w)
{
	if (!w->threaded() || w->own_mark)
		return;
	writer_shard &s0 = *w->shards[0];
	char err[XS_ERRLEN];
	if (quiesce(s0, err) != FOUILLE_OK)
		throw Xapian::DatabaseError(err);
	if (s0.db.get_metadata(SPELL_PENDING).empty()) {
		ensure_txn(s0);
		s0.db.set_metadata(SPELL_PENDING, "1");
		commit_txn(s0);
	}
	w->own_mark = true;
}

// The shard directories named by the stub file at `stub` (relative to `dir`).
std::vector<std::string> read_stub(const std::string &dir, const std::string &stub)
{
	std::ifstream in(stub);
	if (!in)
		throw Xapian::DatabaseOpeningError("cannot read " + stub);
	std::vector<std::string> paths;
	std::string line;
	while (std::getline(in, line)) {
		if (line.empty() || line[0] == '#')
			continue;
		size_t sp = line.find(' ');
		std::string type = sp == std::string::npos ? "" : line.substr(0, sp);
		std::string path = sp == std::string::npos ? "" : line.substr(sp + 1);
		if ((type != "glass" && type != "auto") || path.empty())
			throw Xapian::DatabaseOpeningError(stub + ": a line is not \"glass SHARD\": " + line);
		paths.push_back(path[0] == '/' ? path : dir + "/" + path);
	}
	if (paths.empty())
		throw Xapian::DatabaseOpeningError(stub + " names no shard");
	return paths;
}

// The index in `path`: when it was written in several databases, each one is opened
// alone and the index is their combination (as Xapian opens the stub), so that what
// Xapian does slowly over several databases can be asked of each (count_small()).
Xapian::Database open_local(const std::string &path, std::vector<Xapian::Database> &parts)
{
	parts.clear();
	const std::string stub = path + "/" + STUB_NAME;
	if (!path_exists(stub))
		return Xapian::Database(path);
	Xapian::Database all;
	for (const std::string &p : read_stub(path, stub)) {
		parts.emplace_back(p);
		all.add_database(parts.back());
	}
	return all;
}

// Create `n` shards in `dir` (which exists, empty or holding shards of an earlier
// attempt), then the stub naming them: written last and renamed into place, so that a
// directory with a stub always holds every shard it names.
std::vector<std::string> create_shards(const std::string &dir, unsigned n, int flags)
{
	std::vector<std::string> paths;
	std::string text;
	for (unsigned i = 0; i < n; i++) {
		std::string name = "s" + std::to_string(i);
		paths.push_back(dir + "/" + name);
		Xapian::WritableDatabase(paths.back(), Xapian::DB_CREATE_OR_OPEN | flags).close();
		text += "glass " + name + "\n";
	}
	const std::string tmp = dir + "/" + STUB_NAME + ".tmp", stub = dir + "/" + STUB_NAME;
	{
		std::ofstream out(tmp, std::ios::trunc);
		out << text;
		out.flush();
		if (!out)
			throw Xapian::DatabaseCreateError("cannot write " + tmp);
	}
	if (std::rename(tmp.c_str(), stub.c_str()) != 0)
		throw Xapian::DatabaseCreateError("cannot write " + stub + ": " + std::strerror(errno));
	return paths;
}

void stop_threads(xs_writer *w)
{
	for (auto &s : w->shards) {
		if (!s->thread.joinable())
			continue;
		{
			std::lock_guard<std::mutex> lock(s->mu);
			s->stop = true;
			s->queue.clear();
			s->queued_bytes = 0;
		}
		s->wake.notify_one();
		s->thread.join();
	}
}

// Open the shards at `paths` and start a thread for each when there are several.
void open_shards(xs_writer *w, const std::vector<std::string> &paths, int flags)
{
	for (const std::string &p : paths) {
		auto s = std::make_unique<writer_shard>();
		s->db = Xapian::WritableDatabase(p, flags);
		w->shards.push_back(std::move(s));
	}
	if (w->shards.size() > 1)
		for (size_t i = 0; i < w->shards.size(); i++)
			w->shards[i]->thread = std::thread(shard_main, w, w->shards[i].get(), i);
}

} // namespace

extern "C" {

int xs_writer_open_with(xs_writer **out, const char *dir, int create, unsigned shards, int no_sync,
			char *err)
{
	*out = nullptr;
	try {
		auto *w = new xs_writer;
		w->spell_held_max = SPELL_HELD_MAX;
		try {
			const std::string d = dir, stub = d + "/" + STUB_NAME;
			struct stat st;
			bool exists = stat(dir, &st) == 0;
			const int sync = no_sync ? Xapian::DB_NO_SYNC : 0;
			if (path_exists(stub)) {
				open_shards(w, read_stub(d, stub), Xapian::DB_OPEN | sync);
			} else if (create && shards > 1 && !path_exists(d + "/iamglass") &&
				   !path_exists(d + "/iamchert")) {
				if (!exists && mkdir(dir, 0777) != 0 && errno != EEXIST)
					throw Xapian::DatabaseCreateError(std::string("cannot create ") + dir + ": " +
									  std::strerror(errno));
				open_shards(w, create_shards(d, shards, sync), Xapian::DB_OPEN | sync);
			} else {
				open_shards(w, {d}, (create ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN) | sync);
			}
		} catch (...) {
			stop_threads(w);
			delete w;
			throw;
		}
		*out = w;
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, dir);
	}
}

int xs_writer_open(xs_writer **out, const char *dir, int create, char *err)
{
	return xs_writer_open_with(out, dir, create, 1, 0, err);
}

size_t xs_writer_shard_count(const xs_writer *w)
{
	return w->shards.size();
}

void xs_writer_close(xs_writer *w)
{
	if (!w)
		return;
	stop_threads(w);
	for (auto &s : w->shards) {
		try {
			// Whatever was not committed is dropped: close() alone would commit it.
			if (s->in_txn)
				s->db.cancel_transaction();
			s->db.close();
		} catch (...) {
		}
	}
	delete w;
}

int xs_writer_replace(xs_writer *w, const char *idterm, xs_doc *doc, char *err)
{
	try {
		mark_before_writing(w);
		writer_op op;
		op.idterm = idterm;
		op.doc = doc->doc;
		op.bytes = doc->bytes;
		doc->doc = Xapian::Document(); // handed over: the caller frees an empty one
		return hand_over(w, std::move(op), err);
	} catch (...) {
		return handle_exception(err, "writing a document");
	}
}

int xs_writer_delete(xs_writer *w, const char *idterm, char *err)
{
	try {
		mark_before_writing(w);
		writer_op op;
		op.remove = true;
		op.idterm = idterm;
		return hand_over(w, std::move(op), err);
	} catch (...) {
		return handle_exception(err, "deleting a document");
	}
}

int xs_writer_rename(xs_writer *w, const char *old_idterm, const char *new_idterm,
		     const void *data, size_t len, char *err)
{
	try {
		mark_before_writing(w);
		writer_shard &from = *w->shards[shard_of(w, old_idterm)];
		writer_shard &to = *w->shards[shard_of(w, new_idterm)];
		int rc = quiesce(from, err);
		if (rc == FOUILLE_OK)
			rc = quiesce(to, err);
		if (rc != FOUILLE_OK)
			return rc;
		ensure_txn(from);
		ensure_txn(to);
		Xapian::PostingIterator p = from.db.postlist_begin(old_idterm);
		if (p == from.db.postlist_end(old_idterm)) {
			set_err(err, "renaming a document", std::string("no document ") + old_idterm);
			return FOUILLE_ENOTFOUND;
		}
		Xapian::docid id = *p;
		Xapian::Document doc = from.db.get_document(id);
		doc.remove_term(old_idterm);
		doc.add_boolean_term(new_idterm);
		doc.add_value(XS_SLOT_RECORD, std::string(static_cast<const char *>(data), len));
		if (&from == &to) {
			from.db.replace_document(id, doc);
		} else {
			// the new id belongs to another shard: the document moves there, its terms
			// and positions read from this one before it goes
			to.db.replace_document(new_idterm, doc);
			from.db.delete_document(id);
		}
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "renaming a document");
	}
}

int xs_writer_get_data(xs_writer *w, const char *idterm, char **out, size_t *len, char *err)
{
	*out = nullptr;
	*len = 0;
	try {
		writer_shard &s = *w->shards[shard_of(w, idterm)];
		int rc = quiesce(s, err);
		if (rc != FOUILLE_OK)
			return rc;
		Xapian::PostingIterator p = s.db.postlist_begin(idterm);
		if (p == s.db.postlist_end(idterm)) {
			set_err(err, "reading a document", std::string("no document ") + idterm);
			return FOUILLE_ENOTFOUND;
		}
		std::string data = record_of(s.db.get_document(*p));
		if (!(*out = dup_string(data)))
			throw std::bad_alloc();
		*len = data.size();
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "reading a document");
	}
}

} // extern "C"

namespace {

// Add the changes of `from` to `to` and empty `from`.
void merge_spelling(word_counts &to, word_counts &from)
{
	if (to.size() < from.size())
		to.swap(from); // sums: the smaller goes into the larger
	from.each([&to](std::string_view word, const spell_counts &d) {
		spell_counts &c = to.at(word);
		c.freq += d.freq;
		c.caps += d.caps;
	});
	from.clear();
}

// Commit shard 0, writing the spelling changes held (`write_spelling`, or more than
// SPELL_HELD_MAX words of them), or keeping them in memory, SPELL_PENDING set in the
// same transaction (a reader meanwhile suggests from the spelling data of the last
// commit that wrote it: the words of the documents committed since are missing, or
// counted as they were, until the commit that writes them). The other shards, if any,
// are committed and quiet.
void commit_spelling(xs_writer *w, bool write_spelling)
{
	writer_shard &s0 = *w->shards[0];
	ensure_txn(s0); // the spelling lists and SPELL_PENDING go with the documents
	bool pending = !s0.db.get_metadata(SPELL_PENDING).empty();
	if (write_spelling || w->spell_committed.size() + w->spell_delta.size() > w->spell_held_max) {
		// The committed documents' changes join the transaction's: should the commit
		// fail, a cancel drops them with it, and SPELL_PENDING stays committed.
		merge_spelling(w->spell_delta, w->spell_committed);
		flush_spelling(w, w->spell_delta);
		if (pending)
			s0.db.set_metadata(SPELL_PENDING, std::string()); // removes the key
		commit_txn(s0);
		w->spell_delta.clear();
		w->own_mark = false;
		return;
	}
	if (!pending && !(w->spell_committed.empty() && w->spell_delta.empty()))
		s0.db.set_metadata(SPELL_PENDING, "1");
	commit_txn(s0);
	// committed: the transaction's changes are now those of committed documents
	merge_spelling(w->spell_committed, w->spell_delta);
}

// Ask shard `s`'s thread to commit.
void ask_commit(writer_shard &s)
{
	{
		std::lock_guard<std::mutex> lock(s.mu);
		s.commit_asked = true;
	}
	s.wake.notify_one();
}

// Commit every shard. With several, each in its own thread at the same time; the
// spelling data, when written, is made meanwhile (in this thread, into shard 0's
// transaction: the lists are one serial piece of work) and committed with shard 0 once
// every other shard holds the documents it counts. The first failure is returned (in
// `err`): some shards may have committed, which SPELL_PENDING and the catalog's
// generation (index.c) cover. Throws what Xapian throws.
int commit_all(xs_writer *w, bool write_spelling, char *err)
{
	if (!w->threaded()) {
		commit_spelling(w, write_spelling);
		return FOUILLE_OK;
	}
	// every op applied first: a replace's forget call changes the spelling changes
	int rc = quiesce_all(w, err);
	if (rc != FOUILLE_OK)
		return rc;
	writer_shard &s0 = *w->shards[0];
	bool spelling = write_spelling || w->spell_committed.size() + w->spell_delta.size() > w->spell_held_max;
	for (size_t i = spelling ? 1 : 0; i < w->shards.size(); i++)
		ask_commit(*w->shards[i]);
	// From here a failure may leave some shards committed and others not: the spelling
	// changes held no longer match any commit. They are dropped with the mark's
	// ownership, so that xs_writer_cancel() neither writes them nor removes
	// SPELL_PENDING, and the next update counts the spelling data again.
	auto give_up_spelling = [w] {
		w->spell_delta.clear();
		w->spell_committed.clear();
		w->own_mark = false;
	};
	if (spelling) {
		try {
			ensure_txn(s0);
			merge_spelling(w->spell_delta, w->spell_committed);
			flush_spelling(w, w->spell_delta);
		} catch (...) {
			quiesce_all(w, nullptr);
			give_up_spelling();
			throw;
		}
	}
	if ((rc = quiesce_all(w, err)) != FOUILLE_OK) {
		give_up_spelling();
		return rc;
	}
	if (spelling) {
		try {
			if (!s0.db.get_metadata(SPELL_PENDING).empty())
				s0.db.set_metadata(SPELL_PENDING, std::string()); // removes the key
			commit_txn(s0);
		} catch (...) {
			give_up_spelling();
			throw;
		}
		w->spell_delta.clear();
		w->own_mark = false;
	} else if (!w->own_mark && !(w->spell_committed.empty() && w->spell_delta.empty())) {
		commit_spelling(w, false); // SPELL_PENDING set (no document written: a recount's)
	} else {
		merge_spelling(w->spell_committed, w->spell_delta);
	}
	return FOUILLE_OK;
}

} // namespace

extern "C" {

int xs_writer_commit(xs_writer *w, char *err)
{
	try {
		return commit_all(w, true, err);
	} catch (...) {
		// The transaction stays open, the changes with it: a cancel drops them.
		return handle_exception(err, "committing the index");
	}
}

int xs_writer_commit_keep_spelling(xs_writer *w, char *err)
{
	try {
		return commit_all(w, false, err);
	} catch (...) {
		return handle_exception(err, "committing the index");
	}
}

// The open transaction goes, its spelling changes (spell_delta) with it. Those of
// documents committed before (spell_committed, kept apart for this) must not go: the
// documents stay. They are written in a commit of their own, so that the index is
// complete at its last commit, as it would be had every commit written them. When that
// fails too (a full disk), the committed database keeps SPELL_PENDING and the next
// update counts the spelling data again from the documents: the changes are dropped
// from memory, and this writer does not claim the mark as its own any more
// (xs_writer_spelling_stale()).
int xs_writer_cancel(xs_writer *w, char *err)
{
	try {
		for (auto &s : w->shards) {
			std::lock_guard<std::mutex> lock(s->mu);
			s->queue.clear();
			s->queued_bytes = 0;
		}
		quiesce_all(w, nullptr); // the failure being cancelled is known
		w->spell_delta.clear();
		for (auto &s : w->shards) {
			s->uncounted = s->uncounted_committed;
			if (s->in_txn) {
				s->in_txn = false;
				s->db.cancel_transaction();
			}
		}
	} catch (...) {
		w->spell_committed.clear();
		w->own_mark = false;
		return handle_exception(err, "cancelling changes");
	}
	// a mark set by this writer before it wrote documents, none of them committed
	bool own_mark_only = w->own_mark && w->spell_committed.empty();
	if (w->spell_committed.empty() && !own_mark_only)
		return FOUILLE_OK;
	try {
		commit_spelling(w, true);
		return FOUILLE_OK;
	} catch (...) {
		int rc = handle_exception(err, "writing the spelling data of the committed documents");
		w->spell_delta.clear();
		w->spell_committed.clear();
		w->own_mark = false;
		try {
			writer_shard &s0 = *w->shards[0];
			if (s0.in_txn) {
				s0.in_txn = false;
				s0.db.cancel_transaction();
			}
		} catch (...) {
			// the database is unusable: the writer reports it at its next call
		}
		return rc;
	}
}

void xs_writer_set_spelling_held_max(xs_writer *w, size_t words)
{
	w->spell_held_max = words;
}

int xs_writer_spelling_stale(xs_writer *w, int *stale, char *err)
{
	*stale = 0;
	try {
		writer_shard &s0 = *w->shards[0];
		int rc = quiesce(s0, err);
		if (rc != FOUILLE_OK)
			return rc;
		// this writer's own mark, while it holds the changes, is not stale
		*stale = w->spell_committed.empty() && !w->own_mark &&
			 !s0.db.get_metadata(SPELL_PENDING).empty();
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "reading the spelling data");
	}
}

int xs_writer_add_spelling(xs_writer *w, const char *word, unsigned freqinc, unsigned capsinc,
			   char *err)
{
	try {
		// written at the commit, in its transaction
		std::lock_guard<std::mutex> lock(w->spell_mu);
		spell_counts &d = w->spell_delta.at(word);
		d.freq += freqinc;
		d.caps += capsinc;
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "writing spelling data");
	}
}

int xs_writer_add_spelling_words(xs_writer *w, const char *words, size_t len, char *err)
{
	try {
		std::lock_guard<std::mutex> lock(w->spell_mu);
		for (size_t off = 0; off < len;) {
			const char *word = words + off;
			const void *nul = std::memchr(word, '\0', len - off);
			size_t n = nul ? static_cast<size_t>(static_cast<const char *>(nul) - word) : len - off;
			if (n + 2 > len - off) {
				set_err(err, "counting spelling words", "the last word is cut short");
				return FOUILLE_EINVAL;
			}
			spell_counts &d = w->spell_delta.at(std::string_view(word, n));
			d.freq += 1;
			d.caps += word[n + 1] != 0;
			off += n + 2;
		}
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "writing spelling data");
	}
}

int xs_writer_remove_spelling(xs_writer *w, const char *word, unsigned freqdec, unsigned capsdec,
			      char *err)
{
	try {
		std::lock_guard<std::mutex> lock(w->spell_mu);
		spell_counts &d = w->spell_delta.at(word);
		d.freq -= freqdec;
		d.caps -= capsdec;
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "writing spelling data");
	}
}

void xs_writer_on_forget(xs_writer *w, xs_forget_fn fn, void *ud)
{
	w->forget = fn;
	w->forget_ud = ud;
}

} // extern "C"

namespace {

// Drop the whole spelling data, and what is held of it (in the open transaction). Every
// shard is quiet.
void clear_spelling(xs_writer *w)
{
	writer_shard &s0 = *w->shards[0];
	ensure_txn(s0);
	w->spell_delta.clear();
	w->spell_committed.clear();
	std::vector<std::string> keys;
	for (auto k = s0.db.metadata_keys_begin(SPELL_PREFIX); k != s0.db.metadata_keys_end(SPELL_PREFIX); ++k)
		keys.push_back(*k);
	for (const std::string &k : keys)
		s0.db.set_metadata(k, std::string());
	// what fouille wrote to Xapian's spelling table before it kept its own
	std::vector<std::pair<std::string, Xapian::termcount>> old;
	for (auto t = s0.db.spellings_begin(); t != s0.db.spellings_end(); ++t)
		old.emplace_back(*t, t.get_termfreq());
	for (const auto &o : old)
		s0.db.remove_spelling(o.first, o.second);
}

// Call fn(idterm, data) for every document of every shard (all quiet), shard by shard.
// Stops when fn returns non-zero.
template <typename F> void each_doc(xs_writer *w, F fn)
{
	const std::string prefix = XS_PREFIX_ID;
	for (auto &s : w->shards) {
		for (auto t = s->db.allterms_begin(prefix); t != s->db.allterms_end(prefix); ++t) {
			const std::string term = *t;
			for (auto p = s->db.postlist_begin(term); p != s->db.postlist_end(term); ++p) {
				const std::string data = record_of(s->db.get_document(*p));
				if (fn(term, data))
					return;
			}
		}
	}
}

} // namespace

extern "C" {

int xs_writer_clear_spelling(xs_writer *w, char *err)
{
	try {
		int rc = quiesce_all(w, err);
		if (rc != FOUILLE_OK)
			return rc;
		clear_spelling(w);
		for (auto &s : w->shards)
			s->uncounted = s->db.get_lastdocid();
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "clearing the spelling data");
	}
}

int xs_writer_recount_spelling(xs_writer *w, xs_forget_fn count, void *ud, char *err)
{
	try {
		int rc = quiesce_all(w, err);
		if (rc != FOUILLE_OK)
			return rc;
		clear_spelling(w);
		// every document counted again, as xs_writer_each() lists them: removing any
		// takes its words away
		for (auto &s : w->shards)
			s->uncounted = 0;
		each_doc(w, [&](const std::string &, const std::string &data) {
			rc = count(w, data.data(), data.size(), ud);
			return rc != FOUILLE_OK;
		});
		if (rc != FOUILLE_OK)
			set_err(err, "counting the articles' words for the spelling data",
				rc == FOUILLE_ENOMEM ? "out of memory" : "failed");
		return rc;
	} catch (...) {
		return handle_exception(err, "counting the spelling data again");
	}
}

xs_tally *xs_tally_new(void)
{
	try {
		return new xs_tally;
	} catch (...) {
		return nullptr;
	}
}

void xs_tally_free(xs_tally *t)
{
	delete t;
}

int xs_tally_add(xs_tally *t, const char *word, int capitalized)
{
	try {
		auto &n = t->words[word];
		n.first++;
		n.second += capitalized != 0;
		return FOUILLE_OK;
	} catch (...) {
		return FOUILLE_ENOMEM;
	}
}

int xs_writer_check_spelling(xs_writer *w, const xs_tally *t, xs_problem_fn fn, void *ud,
			     size_t *problems, char *err)
{
	*problems = 0;
	try {
		auto problem = [&](const std::string &msg) {
			++*problems;
			if (fn)
				fn(msg.c_str(), ud);
		};
		// what is stored, list by list
		std::map<std::string, std::pair<uint64_t, uint64_t>> stored;
		std::map<std::string, std::set<std::string>> lists; // other lists: key -> words
		writer_shard &s0 = *w->shards[0];
		int rc = quiesce(s0, err);
		if (rc != FOUILLE_OK)
			return rc;
		for (auto k = s0.db.metadata_keys_begin(SPELL_PREFIX); k != s0.db.metadata_keys_end(SPELL_PREFIX); ++k) {
			const std::string key = *k;
			const std::string v = s0.db.get_metadata(key);
			bool head = key.size() > SPELL_PREFIX.size() && key[SPELL_PREFIX.size()] == 'H';
			std::string previous; // each list in byte order, each word once: a flush merges on it
			bool first = true;
			each_spell_entry(v, head, [&](std::string_view wv, uint64_t f, uint64_t caps) {
				const std::string word(wv);
				if (!first && !(previous < word))
					problem("the spelling list " + key.substr(SPELL_PREFIX.size()) + " is out of order at \"" +
						word + "\"");
				previous = word;
				first = false;
				if (!head) {
					lists[key].insert(word);
				} else if (head_key(folded_chars(word)) != key) {
					problem("the spelling data lists \"" + word + "\" under the wrong fragment");
				} else {
					stored[word] = {f, caps};
				}
			});
		}
		auto a = t->words.begin();
		auto b = stored.begin();
		while (a != t->words.end() || b != stored.end()) {
			if (b == stored.end() || (a != t->words.end() && a->first < b->first)) {
				problem("\"" + a->first + "\" is in " + std::to_string(a->second.first) +
					" articles but not in the spelling data");
				++a;
			} else if (a == t->words.end() || b->first < a->first) {
				problem("the spelling data has \"" + b->first + "\" (" + std::to_string(b->second.first) +
					" articles), which no article holds");
				++b;
			} else {
				if (a->second.first != b->second.first)
					problem("\"" + a->first + "\" is in " + std::to_string(a->second.first) +
						" articles, the spelling data says " + std::to_string(b->second.first));
				else if (a->second.second != b->second.second)
					problem("\"" + a->first + "\" is written with a capital in " +
						std::to_string(a->second.second) +
						" articles, the spelling data says " +
						std::to_string(b->second.second));
				++a;
				++b;
			}
		}
		// every stored word in each of its lists, and the lists hold no other
		std::map<std::string, std::set<std::string>> expected;
		for (const auto &s : stored)
			for (const std::string &k : other_keys(folded_chars(s.first)))
				expected[k].insert(s.first);
		for (const auto &e : expected) {
			auto l = lists.find(e.first);
			for (const std::string &word : e.second)
				if (l == lists.end() || !l->second.count(word))
					problem("\"" + word + "\" is missing from the spelling list " +
						e.first.substr(SPELL_PREFIX.size()));
		}
		for (const auto &l : lists) {
			auto e = expected.find(l.first);
			for (const std::string &word : l.second)
				if (e == expected.end() || !e->second.count(word))
					problem("the spelling list " + l.first.substr(SPELL_PREFIX.size()) +
						" has \"" + word + "\", which does not belong there");
		}
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "checking the spelling data");
	}
}

int xs_writer_set_meta_bytes(xs_writer *w, const char *key, const void *value, size_t len, char *err)
{
	try {
		writer_shard &s0 = *w->shards[0];
		int rc = quiesce(s0, err);
		if (rc != FOUILLE_OK)
			return rc;
		ensure_txn(s0);
		s0.db.set_metadata(key, std::string(static_cast<const char *>(value), len));
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "writing index metadata");
	}
}

int xs_writer_set_meta_everywhere(xs_writer *w, const char *key, const char *value, char *err)
{
	try {
		for (auto &s : w->shards) {
			int rc = quiesce(*s, err);
			if (rc != FOUILLE_OK)
				return rc;
			ensure_txn(*s);
			s->db.set_metadata(key, value);
		}
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "writing index metadata");
	}
}

int xs_writer_termfreq(xs_writer *w, const char *term, uint64_t *freq, char *err)
{
	*freq = 0;
	try {
		for (auto &s : w->shards) {
			int rc = quiesce(*s, err);
			if (rc != FOUILLE_OK)
				return rc;
			*freq += s->db.get_termfreq(term);
		}
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "reading the index");
	}
}

int xs_writer_set_meta(xs_writer *w, const char *key, const char *value, char *err)
{
	return xs_writer_set_meta_bytes(w, key, value, std::strlen(value), err);
}

int xs_writer_get_meta(xs_writer *w, const char *key, char **out, char *err)
{
	*out = nullptr;
	try {
		writer_shard &s0 = *w->shards[0];
		int rc = quiesce(s0, err);
		if (rc != FOUILLE_OK)
			return rc;
		*out = dup_string(s0.db.get_metadata(key));
		if (!*out) {
			set_err(err, "reading index metadata", "out of memory");
			return FOUILLE_ENOMEM;
		}
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "reading index metadata");
	}
}

uint64_t xs_writer_doccount(xs_writer *w)
{
	try {
		if (quiesce_all(w, nullptr) != FOUILLE_OK)
			return 0;
		Xapian::doccount n = 0;
		for (auto &s : w->shards)
			n += s->db.get_doccount();
		return n;
	} catch (...) {
		return 0;
	}
}

int xs_writer_each(xs_writer *w, xs_doc_fn fn, void *ud, char *err)
{
	try {
		int rc = quiesce_all(w, err);
		if (rc != FOUILLE_OK)
			return rc;
		each_doc(w, [&](const std::string &term, const std::string &data) {
			return fn(term.c_str(), data.data(), data.size(), ud) != 0;
		});
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "reading the index");
	}
}

} // extern "C"

// ---- queries --------------------------------------------------------------------

namespace {

std::shared_ptr<const recipe> fixed_recipe(const Xapian::Query &q)
{
	auto how = std::make_shared<recipe>();
	how->fixed = q;
	return how;
}

// `how` built again, each wildcard expanded to the `max_expansion` words of `db` (every
// shard together) that start with its prefix and most articles hold, as one synonym: what
// Xapian expands it to in one database holding every article.
Xapian::Query rebuild(const recipe &how, const Xapian::Database &db)
{
	switch (how.kind) {
	case recipe::FIXED:
		return how.fixed;
	case recipe::WILDCARD: {
		std::vector<std::pair<Xapian::doccount, std::string>> words;
		for (auto t = db.allterms_begin(how.prefix); t != db.allterms_end(how.prefix); ++t)
			words.emplace_back(t.get_termfreq(), *t);
		if (how.max_expansion && words.size() > how.max_expansion) {
			std::stable_sort(words.begin(), words.end(),
					 [](const auto &a, const auto &b) { return a.first > b.first; });
			words.resize(how.max_expansion);
			std::sort(words.begin(), words.end(),
				  [](const auto &a, const auto &b) { return a.second < b.second; });
		}
		std::vector<Xapian::Query> terms;
		for (const auto &w : words)
			terms.emplace_back(w.second);
		if (terms.empty())
			return Xapian::Query::MatchNothing;
		return Xapian::Query(Xapian::Query::OP_SYNONYM, terms.begin(), terms.end());
	}
	case recipe::COMBINE: {
		std::vector<Xapian::Query> subs;
		for (const auto &sub : how.subs)
			subs.push_back(rebuild(*sub, db));
		return Xapian::Query(how.op, subs.begin(), subs.end(), how.window);
	}
	case recipe::SCALE:
		return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, rebuild(*how.subs[0], db), how.factor);
	}
	return how.fixed;
}

} // namespace

extern "C" {


xs_query *xs_query_term(const char *term, uint32_t pos)
{
	try {
		return new xs_query{Xapian::Query(term, 1, pos), nullptr};
	} catch (...) {
		return nullptr;
	}
}

xs_query *xs_query_combine(enum xs_op op, xs_query **subs, size_t n, unsigned window)
{
	xs_query *result = nullptr;
	try {
		std::vector<Xapian::Query> qs;
		qs.reserve(n);
		for (size_t i = 0; i < n; i++)
			if (subs[i])
				qs.push_back(subs[i]->q);
		Xapian::Query::op xop = Xapian::Query::OP_AND;
		switch (op) {
		case XS_AND: xop = Xapian::Query::OP_AND; break;
		case XS_OR: xop = Xapian::Query::OP_OR; break;
		case XS_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
		case XS_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
		case XS_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
		case XS_NEAR: xop = Xapian::Query::OP_NEAR; break;
		}
		if (qs.size() == 1 && op != XS_AND_NOT) {
			const xs_query *only = nullptr;
			for (size_t i = 0; i < n && !only; i++)
				only = subs[i];
			result = new xs_query{qs[0], only->how};
		} else {
			result = new xs_query{Xapian::Query(xop, qs.begin(), qs.end(), window), nullptr};
			bool wildcard = false;
			for (size_t i = 0; i < n; i++)
				wildcard = wildcard || (subs[i] && subs[i]->how);
			if (wildcard) {
				auto how = std::make_shared<recipe>();
				how->kind = recipe::COMBINE;
				how->op = xop;
				how->window = window;
				for (size_t i = 0; i < n; i++)
					if (subs[i])
						how->subs.push_back(subs[i]->how ? subs[i]->how : fixed_recipe(subs[i]->q));
				result->how = how;
			}
		}
	} catch (...) {
		result = nullptr;
	}
	for (size_t i = 0; i < n; i++)
		delete subs[i];
	return result;
}

xs_query *xs_query_value_range(unsigned slot, const char *lo, const char *hi)
{
	try {
		if (lo && hi)
			return new xs_query{Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi), nullptr};
		if (lo)
			return new xs_query{Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo), nullptr};
		if (hi)
			return new xs_query{Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi), nullptr};
		return nullptr;
	} catch (...) {
		return nullptr;
	}
}

xs_query *xs_query_wildcard(const char *prefix, unsigned max_expansion)
{
	try {
		auto how = std::make_shared<recipe>();
		how->kind = recipe::WILDCARD;
		how->prefix = prefix;
		how->max_expansion = max_expansion;
		return new xs_query{Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, max_expansion,
						  Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT,
						  Xapian::Query::OP_SYNONYM),
				    how};
	} catch (...) {
		return nullptr;
	}
}

xs_query *xs_query_scale(xs_query *q, double factor)
{
	if (!q)
		return nullptr;
	try {
		q->q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor);
		if (q->how) {
			auto how = std::make_shared<recipe>();
			how->kind = recipe::SCALE;
			how->factor = factor;
			how->subs.push_back(q->how);
			q->how = how;
		}
		return q;
	} catch (...) {
		delete q;
		return nullptr;
	}
}

xs_query *xs_query_clone(const xs_query *q)
{
	if (!q)
		return nullptr;
	try {
		return new xs_query{q->q, q->how};
	} catch (...) {
		return nullptr;
	}
}

void xs_query_free(xs_query *q)
{
	delete q;
}

char *xs_query_describe(const xs_query *q)
{
	if (!q)
		return nullptr;
	try {
		return dup_string(q->q.get_description());
	} catch (...) {
		return nullptr;
	}
}

// ---- reading --------------------------------------------------------------------

int xs_reader_open(xs_reader **out, const char *dir, char *err)
{
	*out = nullptr;
	try {
		auto *r = new xs_reader;
		try {
			// A writer committing twice while the database is being opened discards the
			// revision being read: open again, at the newest one.
			r->shards.resize(1);
			for (int attempt = 0;; attempt++) {
				try {
					r->db = open_local(dir, r->shards[0].parts);
					break;
				} catch (const Xapian::DatabaseModifiedError &) {
					if (attempt >= MAX_REOPEN)
						throw;
				}
			}
			r->path = dir;
			r->shards[0].label = dir;
			r->shards[0].path = dir;
			r->shards[0].open = true;
			r->shards[0].db = r->db;
			r->pos_to_shard.assign(std::max<size_t>(1, r->db.size()), 0);
		} catch (...) {
			delete r;
			throw;
		}
		*out = r;
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, dir);
	}
}

int xs_reader_open_shards(xs_reader **out, const xs_shard_spec *specs, size_t n,
			  unsigned timeout_ms, int allow_partial, char *err)
{
	*out = nullptr;
	xs_reader *r = nullptr;
	try {
		if (n == 0) {
			set_err(err, "opening the shards", "no shard given");
			return FOUILLE_EINVAL;
		}
		r = new xs_reader;
		r->timeout_ms = timeout_ms;
		r->allow_partial = allow_partial != 0;
		r->reopened = std::chrono::steady_clock::now(); // opened: the latest commit
		r->shards.resize(n);
		for (size_t i = 0; i < n; i++) {
			xs_shard &s = r->shards[i];
			s.label = specs[i].label ? specs[i].label : "";
			s.origin = specs[i].origin ? specs[i].origin : "";
			if (specs[i].path)
				s.path = specs[i].path;
			if (specs[i].host) {
				s.host = specs[i].host;
				s.port = specs[i].port;
				r->remote = true;
			}
		}
		std::string failed;
		int code = FOUILLE_OK;
		std::vector<size_t> all(n);
		for (size_t i = 0; i < n; i++)
			all[i] = i;
		std::vector<Xapian::Database> dbs;
		std::vector<std::vector<Xapian::Database>> parts;
		std::vector<std::exception_ptr> errs;
		open_together(r, all, dbs, parts, errs);
		for (size_t i = 0; i < n; i++) {
			xs_shard &s = r->shards[i];
			try {
				if (errs[i])
					std::rethrow_exception(errs[i]);
				s.db = dbs[i];
				s.parts.swap(parts[i]);
				s.open = true;
			} catch (const std::bad_alloc &) {
				throw;
			} catch (...) {
				std::string problem = current_problem();
				bool remote = !s.host.empty();
				s.problem = (remote ? "does not answer: " : "cannot be opened: ") + problem;
				if (!failed.empty())
					failed += "; ";
				failed += "the shard " + shard_name(s) + (remote ? " does not answer (" : " cannot be opened (") +
					  problem + ")";
				if (code == FOUILLE_OK)
					code = remote ? FOUILLE_EIO : handle_exception(nullptr, "");
			}
		}
		if (open_count(r) == 0 || (!failed.empty() && !r->allow_partial)) {
			set_err(err, open_count(r) == 0 && n > 1 ? "no shard can be searched" : "", failed);
			delete r;
			return code;
		}
		combine(r);
		*out = r;
		return FOUILLE_OK;
	} catch (...) {
		delete r;
		return handle_exception(err, "opening the shards");
	}
}

void xs_reader_close(xs_reader *r)
{
	delete r;
}

size_t xs_reader_database_count(const xs_reader *r)
{
	return r->pos_to_shard.size();
}

size_t xs_reader_shard_count(const xs_reader *r)
{
	return r ? r->shards.size() : 0;
}

const char *xs_reader_shard_label(const xs_reader *r, size_t i)
{
	return r && i < r->shards.size() ? r->shards[i].label.c_str() : nullptr;
}

const char *xs_reader_shard_problem(const xs_reader *r, size_t i)
{
	if (!r || i >= r->shards.size() || r->shards[i].open)
		return nullptr;
	return r->shards[i].problem.c_str();
}

// Shard-level reads serve the checks made right after opening: no reopen of every shard
// first (a round trip to each remote one), and a network failure names the shard.
int xs_reader_shard_get_meta(xs_reader *r, size_t i, const char *key, char **out, char *err)
{
	*out = nullptr;
	if (i >= r->shards.size() || !r->shards[i].open) {
		set_err(err, "reading shard metadata", "no such shard");
		return FOUILLE_EINVAL;
	}
	xs_shard &s = r->shards[i];
	try {
		*out = dup_string(s.db.get_metadata(key));
		if (!*out)
			throw std::bad_alloc();
		return FOUILLE_OK;
	} catch (const Xapian::NetworkError &e) {
		s.problem = "does not answer: " + e.get_description();
		set_err(err, "", "the shard " + shard_name(s) + " does not answer (" + e.get_description() + ")");
		return FOUILLE_EIO;
	} catch (...) {
		return handle_exception(err, shard_name(s).c_str());
	}
}

uint64_t xs_reader_shard_doccount(xs_reader *r, size_t i)
{
	if (i >= r->shards.size() || !r->shards[i].open)
		return 0;
	try {
		return r->shards[i].db.get_doccount();
	} catch (...) {
		return 0;
	}
}

int xs_reader_leave_out(xs_reader *r, size_t i, char *err)
{
	if (i >= r->shards.size() || !r->shards[i].open)
		return FOUILLE_OK;
	try {
		xs_shard &s = r->shards[i];
		if (s.problem.empty())
			s.problem = "left out";
		s.open = false;
		if (open_count(r) == 0) {
			set_err(err, "no shard can be searched", "the shard " + shard_name(s) + " " + s.problem);
			return FOUILLE_EIO;
		}
		combine(r);
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "leaving a shard out");
	}
}

int xs_reader_get_meta(xs_reader *r, const char *key, char **out, char *err)
{
	*out = nullptr;
	return with_reopen(r, err, "reading index metadata", [&] {
		std::free(*out);
		*out = nullptr;
		std::string v = r->db.get_metadata(key);
		*out = dup_string(v);
		if (!*out)
			throw std::bad_alloc();
	});
}

int xs_reader_each_meta(xs_reader *r, const char *prefix, xs_meta_fn fn, void *ud, char *err)
{
	return with_reopen(r, err, "reading index metadata", [&] {
		std::vector<std::pair<std::string, std::string>> all; // one state, then the calls
		for (auto k = r->db.metadata_keys_begin(prefix); k != r->db.metadata_keys_end(prefix); ++k)
			all.emplace_back(*k, r->db.get_metadata(*k));
		for (const auto &m : all)
			if (fn(m.first.c_str(), m.second.data(), m.second.size(), ud))
				break;
	});
}

uint64_t xs_reader_doccount(xs_reader *r)
{
	uint64_t n = 0;
	with_reopen(r, nullptr, "counting documents", [&] { n = r->db.get_doccount(); });
	return n;
}

} // extern "C"

namespace {

struct facet_value {
	unsigned slot;
	std::string value;
	Xapian::doccount count;
};

bool has_remote(const xs_reader *r)
{
	for (const xs_shard &s : r->shards)
		if (s.open && !s.host.empty())
			return true;
	return false;
}

// Oldest first, undated articles last, without a KeyMaker: the dated matches sorted by
// value (then relevance), then the undated ones by relevance, the page cut across the
// two. Counts are exact (every match is checked), facets the sum of both.
template <typename Take>
void search_oldest_first(xs_reader *r, const Xapian::Query &q, size_t offset, size_t limit,
			 const xs_search_opts *opts, Take take, std::vector<facet_value> &facets,
			 uint64_t *estimated)
{
	const Xapian::Query dated_filter(Xapian::Query::OP_VALUE_GE, XS_SLOT_DATE, std::string("0"));
	const Xapian::doccount all = r->db.get_doccount();
	std::map<std::string, Xapian::doccount> by_author, by_year;
	bool exact = true; // both counts are
	auto run = [&](const Xapian::Query &part, bool by_value, size_t from, size_t count) {
		Xapian::Enquire enquire(r->db);
		enquire.set_query(part);
		if (by_value)
			enquire.set_sort_by_value_then_relevance(XS_SLOT_DATE, false);
		if (opts->collapse)
			enquire.set_collapse_key(XS_SLOT_COLLAPSE);
		Xapian::ValueCountMatchSpy authors(XS_SLOT_AUTHOR), years(XS_SLOT_YEAR);
		if (opts->facet) {
			enquire.add_matchspy(&authors);
			enquire.add_matchspy(&years);
		}
		Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(from),
						     static_cast<Xapian::doccount>(count), all);
		take(mset);
		if (opts->facet) {
			for (auto v = authors.values_begin(); v != authors.values_end(); ++v)
				by_author[*v] += v.get_termfreq();
			for (auto v = years.values_begin(); v != years.values_end(); ++v)
				by_year[*v] += v.get_termfreq();
		}
		exact = exact && mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
		return mset.get_matches_estimated();
	};
	Xapian::doccount dated =
		run(Xapian::Query(Xapian::Query::OP_FILTER, q, dated_filter), true, offset, limit);
	size_t from = offset > dated ? offset - dated : 0;
	size_t count = offset + limit > dated ? offset + limit - std::max<size_t>(offset, dated) : 0;
	Xapian::doccount undated =
		run(Xapian::Query(Xapian::Query::OP_AND_NOT, q, dated_filter), false, from, count);
	if (estimated)
		*estimated = dated + undated;
	if (opts->exact)
		*opts->exact = exact;
	for (const auto &v : by_author)
		facets.push_back({XS_SLOT_AUTHOR, v.first, v.second});
	for (const auto &v : by_year)
		facets.push_back({XS_SLOT_YEAR, v.first, v.second});
}

// Each database of the open shards alone: a shard's own, or the ones it is written in.
std::vector<Xapian::Database> databases_of(const xs_reader *r)
{
	std::vector<Xapian::Database> each;
	for (const xs_shard &s : r->shards) {
		if (!s.open)
			continue;
		if (s.parts.empty())
			each.push_back(s.db);
		else
			each.insert(each.end(), s.parts.begin(), s.parts.end());
	}
	return each;
}

// Whether `query` has fewer than `limit` matches (collapsed when `collapse`), and then
// how many in `n`; otherwise `n` is `limit`, a lower bound. Unweighted: the same
// matches (weights only order them), and the ranking's optional parts (AND_MAYBE:
// title, lead, exact forms, proximity bonus), which weigh nothing then, are not looked
// at. `enquire` is the search's own (its match spies are cleared).
//
// Xapian 1.4 stops an unweighted search early on one database only: over several it
// reads every match, and the collapse key of each (`document texte` on 100,000 articles
// in 2 databases: 110 ms, against 0.2 ms on one). So when the index is local databases,
// each is asked alone, and a collapse key met in several counts once.
bool count_small(xs_reader *r, Xapian::Enquire &enquire, const Xapian::Query &query, bool collapse,
		 Xapian::doccount &n, Xapian::doccount limit = XS_COUNT_EXACT_BELOW)
{
	const std::vector<Xapian::Database> each = databases_of(r);
	bool separately = !r->remote;
	for (const Xapian::Database &d : each)
		separately = separately && d.size() == 1;
	if (!separately || each.size() < 2) {
		enquire.clear_matchspies(); // the facets are counted already
		enquire.set_weighting_scheme(Xapian::BoolWeight());
		n = enquire.get_mset(0, limit).size();
		return n < limit;
	}
	std::unordered_set<std::string> keys;
	Xapian::doccount keyless = 0;
	n = limit; // at least, until all are counted
	for (const Xapian::Database &d : each) {
		Xapian::Enquire one(d);
		one.set_query(query);
		one.set_weighting_scheme(Xapian::BoolWeight());
		if (collapse)
			one.set_collapse_key(XS_SLOT_COLLAPSE);
		Xapian::MSet m = one.get_mset(0, limit);
		if (m.size() >= limit)
			return false;
		for (auto i = m.begin(); i != m.end(); ++i) {
			std::string key = collapse ? i.get_collapse_key() : std::string();
			if (key.empty())
				keyless++;
			else
				keys.insert(std::move(key));
		}
		if (keyless + keys.size() >= limit)
			return false;
	}
	n = keyless + static_cast<Xapian::doccount>(keys.size());
	return true;
}

constexpr Xapian::doccount FOLD_MAX = XS_FOLD_MAX;

// Whether the index of `r` (one local index) has its G and GD terms on every article:
// no database of it says XS_META_FOLDING "off".
bool folding_on(const xs_reader *r)
{
	for (const Xapian::Database &d : databases_of(r))
		if (d.get_metadata(XS_META_FOLDING) == "off")
			return false;
	return true;
}

// The number of matches with their near-duplicates folded (each signature among them
// counts once), for one local index where `dups` articles carry XS_TERM_DUPLICATE (at
// most one per signature does not, see update.c): true and the count in `n` when there
// are fewer than XS_COUNT_EXACT_BELOW + dups plain matches, else false and `n` is
// XS_COUNT_EXACT_BELOW, which folding (taking at most `dups` off) leaves at the least.
// The count is the plain one, less the marked matches, plus their signatures that no
// unmarked match has: what collapsing gives, from the marked articles' few signatures,
// where collapsing reads the signature of every candidate (up to XS_COUNT_EXACT_BELOW of
// them in each database: `raccourci clavier` on the Debian folder, 200 matches, 1.3 M
// instructions, against 0.4 M counted plain). The marks and signatures are read from
// their posting lists: a query would open the search's every term again.
bool count_folded(xs_reader *r, const Xapian::Query &query, Xapian::doccount dups, Xapian::doccount &n)
{
	const Xapian::doccount most = std::numeric_limits<Xapian::doccount>::max();
	const Xapian::doccount limit = dups < most - XS_COUNT_EXACT_BELOW ? XS_COUNT_EXACT_BELOW + dups : most;
	n = XS_COUNT_EXACT_BELOW;
	// each database alone (the matches' ids are its own): unweighted, they stop early
	struct part {
		Xapian::Database db;
		std::unordered_set<Xapian::docid> matched, marked;
	};
	std::vector<part> parts;
	for (const Xapian::Database &d : databases_of(r))
		parts.push_back({d, {}, {}});
	Xapian::doccount plain = 0, marked = 0;
	for (part &p : parts) {
		Xapian::Enquire one(p.db);
		one.set_query(query);
		one.set_weighting_scheme(Xapian::BoolWeight());
		const Xapian::MSet m = one.get_mset(0, limit - plain);
		plain += m.size();
		if (plain >= limit)
			return false;
		for (auto i = m.begin(); i != m.end(); ++i)
			p.matched.insert(*i);
	}
	// the marked articles (few), their signatures when they match
	std::unordered_set<std::string> groups;
	for (part &p : parts)
		for (auto i = p.db.postlist_begin(XS_TERM_DUPLICATE); i != p.db.postlist_end(XS_TERM_DUPLICATE); ++i) {
			p.marked.insert(*i);
			if (p.matched.count(*i)) {
				marked++;
				groups.insert(p.db.get_document(*i).get_value(XS_SLOT_COLLAPSE));
			}
		}
	groups.erase(std::string());
	// a signature with an unmarked match counts through that one
	for (auto g = groups.begin(); g != groups.end();) {
		const std::string term = XS_PREFIX_SIGNATURE + *g;
		bool unmarked = false;
		for (part &p : parts) {
			for (auto i = p.db.postlist_begin(term); !unmarked && i != p.db.postlist_end(term); ++i)
				unmarked = p.matched.count(*i) && !p.marked.count(*i);
			if (unmarked)
				break;
		}
		g = unmarked ? groups.erase(g) : std::next(g);
	}
	n = plain - marked + static_cast<Xapian::doccount>(groups.size());
	return true;
}

// The open shards of `r`.
size_t open_shards(const xs_reader *r)
{
	size_t n = 0;
	for (const xs_shard &s : r->shards)
		n += s.open;
	return n;
}

// The plain search's estimate of its matches, less the near-duplicates folding would
// take off, in proportion of the `dups` marked articles of the index: at least
// XS_COUNT_EXACT_BELOW and the lower bound less `dups`, at most the upper bound.
Xapian::doccount fold_estimate(const xs_reader *r, const Xapian::MSet &plain, Xapian::doccount dups)
{
	const Xapian::doccount est = plain.get_matches_estimated(), lower = plain.get_matches_lower_bound();
	if (dups == 0)
		return est;
	const double share = std::min(1.0, static_cast<double>(dups) / std::max<Xapian::doccount>(r->db.get_doccount(), 1));
	Xapian::doccount folded = static_cast<Xapian::doccount>(est * (1.0 - share));
	folded = std::max(folded, lower > dups ? lower - dups : 0);
	folded = std::max<Xapian::doccount>(folded, std::min<Xapian::doccount>(lower, XS_COUNT_EXACT_BELOW));
	return std::min(folded, plain.get_matches_upper_bound());
}

constexpr Xapian::doccount SIMILAR_READ_MAX = 200; // matching copies read per page, at most

// One hit of collapse_page(): the match, and how many others it stands for.
struct collapsed_item {
	Xapian::MSetIterator item;
	Xapian::doccount collapsed;
};

// The page offset..offset+limit-1 of `query`'s matches, near-duplicates collapsed (each
// XS_SLOT_COLLAPSE value kept once, on its best match), in `items`, which point into
// `plain`: the plain search's first matches, taken in order, each dropped when a match
// before it had its signature. Xapian's own collapsing reads the value of every
// candidate, which was 3/4 of a one-word search's matching on the Debian folder; this
// reads the value of the matches it takes, and looks a signature up (its G term) only
// to know whether another article has it: most have none. Then `collapsed` is what
// Xapian's get_collapse_count() bounds, counted: the other matches with that signature.
// Returns true, with the number of matches collapsed in `total`, when the plain search
// gave every match (the page is the last, or there is none).
template <typename SetSort>
bool collapse_page(xs_reader *r, const Xapian::Query &query, size_t offset, size_t limit,
		   Xapian::doccount dups, SetSort set_sort, Xapian::MSet &plain,
		   std::vector<collapsed_item> &items, size_t &total)
{
	const size_t most = std::numeric_limits<Xapian::doccount>::max();
	const size_t want = offset < most - std::min(limit, most) ? offset + limit : most;
	Xapian::Enquire enquire(r->db);
	enquire.set_query(query);
	set_sort(enquire);
	std::string term = XS_PREFIX_SIGNATURE;
	std::unordered_map<std::string, Xapian::doccount> freq; // signature -> articles with it
	std::vector<std::pair<size_t, std::string>> groups; // kept items with a shared one
	// A few more than the page: a near-duplicate or two among the first matches then
	// costs no second search (`systeme de fichiers` on the Debian folder: 6.4 M
	// instructions in get_mset, against 10.4 M asking for the page alone); more where
	// many articles are near-duplicates (`dups` of them are marked).
	const Xapian::doccount all_docs = std::max<Xapian::doccount>(r->db.get_doccount(), 1);
	const size_t slack = 3 + static_cast<size_t>(2.0 * static_cast<double>(std::min(want, most / 4)) *
						      dups / all_docs);
	size_t fetch = want <= most - slack ? want + slack : most;
	bool complete;
	for (;;) {
		plain = enquire.get_mset(0, static_cast<Xapian::doccount>(fetch));
		complete = plain.size() < fetch;
		items.clear();
		groups.clear();
		total = 0;
		std::unordered_set<std::string> seen;
		// every match when they are all here (for the count), else the page's
		for (auto i = plain.begin(); i != plain.end() && (complete || items.size() < want); ++i) {
			std::string sig = i.get_document().get_value(XS_SLOT_COLLAPSE);
			if (!sig.empty()) {
				auto known = freq.find(sig);
				if (known == freq.end()) {
					term.resize(sizeof XS_PREFIX_SIGNATURE - 1);
					term += sig;
					known = freq.emplace(sig, r->db.get_termfreq(term)).first;
				}
				if (known->second > 1) {
					if (!seen.insert(sig).second)
						continue; // a better match has it
					if (items.size() < want)
						groups.emplace_back(items.size(), std::move(sig));
				}
			}
			total++;
			if (items.size() < want)
				items.push_back({i, 0});
		}
		// enough, or every match taken
		if (items.size() >= want || complete || fetch >= most)
			break;
		fetch = fetch <= most / 2 ? fetch * 2 : most;
	}
	items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(std::min(offset, items.size())));
	// The other matches of each kept signature: one unweighted search of the matches
	// holding one of them (their G terms hold a few articles each).
	std::vector<Xapian::Query> gterms;
	Xapian::doccount most_matches = 0;
	for (auto &g : groups) {
		if (g.first < offset)
			continue;
		gterms.emplace_back(XS_PREFIX_SIGNATURE + g.second);
		most_matches += freq[g.second];
	}
	if (gterms.empty())
		return complete;
	Xapian::Enquire same(r->db);
	same.set_query(Xapian::Query(Xapian::Query::OP_FILTER, query,
				     Xapian::Query(Xapian::Query::OP_OR, gterms.begin(), gterms.end())));
	same.set_weighting_scheme(Xapian::BoolWeight());
	std::unordered_map<std::string, Xapian::doccount> matching;
	// a signature held by hundreds of articles (a licence text) is not read whole for
	// every search: past SIMILAR_READ_MAX, the counts are lower bounds, as Xapian's were
	const Xapian::MSet m = same.get_mset(0, std::min(most_matches, SIMILAR_READ_MAX));
	for (auto i = m.begin(); i != m.end(); ++i)
		matching[i.get_document().get_value(XS_SLOT_COLLAPSE)]++;
	for (auto &g : groups) {
		if (g.first < offset)
			continue;
		Xapian::doccount n = matching[g.second]; // the kept match itself among them
		items[g.first - offset].collapsed = n > 0 ? n - 1 : 0;
	}
	return complete;
}

// The value of each of `keys` in every open shard (values[shard][k]), read through the
// shard's cache. Remote shards are asked each in a thread of its own, at the same time
// (one round trip per key not yet cached); local ones here.
std::vector<std::vector<const std::string *>> spell_values(xs_reader *r, const std::vector<std::string> &keys)
{
	std::vector<std::vector<const std::string *>> values(r->shards.size());
	std::vector<std::exception_ptr> errs(r->shards.size());
	auto read_shard = [&](size_t i) {
		try {
			xs_shard &s = r->shards[i];
			if (s.spell_cache_bytes > SPELL_CACHE_MAX) {
				s.spell_cache.clear();
				s.spell_cache_bytes = 0;
			}
			for (const std::string &k : keys) {
				auto it = s.spell_cache.find(k);
				if (it == s.spell_cache.end()) {
					std::string v = s.db.get_metadata(k);
					s.spell_cache_bytes += k.size() + v.size();
					it = s.spell_cache.emplace(k, std::move(v)).first;
				}
				values[i].push_back(&it->second);
			}
		} catch (...) {
			errs[i] = std::current_exception();
		}
	};
	// remote shards with lists to fetch: in threads when there are two or more
	std::vector<bool> threaded(r->shards.size(), false);
	size_t remote = 0;
	for (size_t i = 0; i < r->shards.size(); i++) {
		const xs_shard &s = r->shards[i];
		if (!s.open || s.host.empty())
			continue;
		for (const std::string &k : keys)
			if (!s.spell_cache.count(k)) {
				threaded[i] = true;
				break;
			}
		remote += threaded[i];
	}
	std::vector<std::thread> threads;
	try {
		for (size_t i = 0; i < r->shards.size(); i++) {
			if (!threaded[i] || remote < 2)
				continue;
			try {
				threads.emplace_back(read_shard, i);
			} catch (const std::system_error &) {
				threaded[i] = false; // no thread to be had: here, in turn
			}
		}
		for (size_t i = 0; i < r->shards.size(); i++)
			if (r->shards[i].open && (!threaded[i] || remote < 2))
				read_shard(i);
	} catch (...) {
		for (std::thread &t : threads)
			t.join();
		throw;
	}
	for (std::thread &t : threads)
		t.join();
	for (const std::exception_ptr &e : errs)
		if (e)
			std::rethrow_exception(e);
	return values;
}

// The number of articles holding `word`, and of those writing it with a capital
// initial everywhere, over every open shard.
std::pair<uint64_t, uint64_t> spell_counts_of(xs_reader *r, const std::string &word)
{
	std::pair<uint64_t, uint64_t> n{0, 0};
	const std::string h = head_key(folded_chars(word));
	if (h.empty())
		return n;
	for (const auto &shard : spell_values(r, {h}))
		for (const std::string *v : shard) {
			auto c = counts_in(*v, word);
			n.first += c.first;
			n.second += c.second;
		}
	return n;
}

uint64_t spell_frequency(xs_reader *r, const std::string &word)
{
	return spell_counts_of(r, word).first;
}

// Whether `w` folds (analyzer_fold) to `folded`.
bool folds_to(std::string_view w, const std::string &folded)
{
	if (w.size() < folded.size())
		return false; // folding never lengthens a word (é -> e, œ -> oe, ﬁ -> fi)
	bool plain = true;
	for (char ch : w)
		plain = plain && ch >= 'a' && ch <= 'z';
	if (plain)
		return w == folded;
	std::string buf(w.size() * 3 + 8, '\0');
	buf.resize(analyzer_fold(w.data(), w.size(), &buf[0], buf.size()));
	return buf == folded;
}

// The best of `candidates` (sorted, each once) for the typed word: the fewest edits,
// folded then as written, then the most frequent (the first in byte order among
// equals); "" when none is within max_edit or the typed word is at least as common.
std::string best_candidate(xs_reader *r, const std::string &word, const std::vector<unsigned> &typed,
			   const std::set<std::string> &candidates, unsigned max_edit)
{
	const std::vector<unsigned> typed_raw = chars_of(word);
	std::vector<std::string> best;
	unsigned best_folded = max_edit + 1, best_raw = 0;
	for (const std::string &c : candidates) {
		std::vector<unsigned> f = folded_chars(c);
		size_t diff = f.size() > typed.size() ? f.size() - typed.size() : typed.size() - f.size();
		if (diff > best_folded)
			continue;
		unsigned ef = edit_distance(f, typed);
		if (ef > max_edit || ef > best_folded)
			continue;
		unsigned er = edit_distance(chars_of(c), typed_raw);
		if (ef < best_folded || er < best_raw) {
			best.clear();
			best_folded = ef;
			best_raw = er;
		} else if (er > best_raw) {
			continue;
		}
		best.push_back(c);
	}
	if (best.empty())
		return std::string();
	std::string result;
	uint64_t result_freq = 0;
	for (const std::string &c : best) {
		uint64_t f = spell_frequency(r, c);
		if (result.empty() || f > result_freq) {
			result = c;
			result_freq = f;
		}
	}
	if (spell_frequency(r, word) >= result_freq)
		return std::string(); // the word as typed is at least as common
	return result;
}

// xs_reader_spelling(): see xapian_store.h.
std::string spell_suggestion(xs_reader *r, const std::string &word, unsigned max_edit)
{
	const std::vector<unsigned> typed = folded_chars(word);
	if (typed.size() < 2 || max_edit == 0)
		return std::string();
	// Words that differ from the typed one by accents or case only (reseau -> réseau,
	// the commonest case: people type without accents) are 0 folded edits away, so
	// nothing in the other lists could beat them, and they share its first two folded
	// characters: when its head list has some, the other lists need not be looked
	// through. (They are read all the same, with it: one round trip to a remote shard.)
	std::string folded;
	for (unsigned c : typed)
		Xapian::Unicode::append_utf8(folded, c);
	std::vector<std::string> keys = query_keys(typed);
	keys.insert(keys.begin(), head_key(typed));
	const auto values = spell_values(r, keys);
	std::set<std::string> candidates;
	for (const auto &shard : values)
		each_spell_entry(*shard[0], true, [&](std::string_view w, uint64_t, uint64_t) {
			if (w != word && folds_to(w, folded))
				candidates.emplace(w);
		});
	if (!candidates.empty())
		return best_candidate(r, word, typed, candidates, max_edit);
	for (const auto &shard : values)
		for (size_t k = 0; k < shard.size(); k++)
			each_spell_entry(*shard[k], k == 0, [&](std::string_view w, uint64_t, uint64_t) {
				if (w != word)
					candidates.emplace(w);
			});
	return best_candidate(r, word, typed, candidates, max_edit);
}

} // namespace

extern "C" {

int xs_reader_search(xs_reader *r, const xs_query *q, size_t offset, size_t limit,
		     const xs_search_opts *opts, xs_match_fn fn, void *ud, uint64_t *estimated,
		     char *err)
{
	// The matches are collected first and handed to `fn` only once the whole page was
	// read from one consistent state of the database: a reopen mid-page would mix
	// two states.
	struct collected {
		Xapian::docid id;
		double score;
		std::string data;
		Xapian::doccount collapsed;
		size_t shard;
	};
	std::vector<collected> page;
	std::vector<facet_value> facets;
	std::vector<std::string> shard_meta; // by shard, with opts->shard_meta_key
	std::vector<bool> have_meta;
	const xs_search_opts defaults = {XS_SORT_RELEVANCE, 0, nullptr, nullptr, nullptr, nullptr};
	if (!opts)
		opts = &defaults;
	int rc = with_reopen(r, err, "searching", [&] {
		page.clear();
		facets.clear();
		// Document ids interleave the shards: id d is document (d-1)/n+1 of the shard
		// at position (d-1)%n of the n combined.
		const size_t nsub = r->pos_to_shard.size();
		shard_meta.assign(r->shards.size(), std::string());
		have_meta.assign(r->shards.size(), false);
		const bool remote = has_remote(r);
		// several shards: wildcards expanded here, to every shard's words (recipe)
		const Xapian::Query query =
			q->how && r->pos_to_shard.size() > 1 ? rebuild(*q->how, r->db) : q->q;
		auto take_one = [&](const Xapian::MSetIterator &m, Xapian::doccount collapsed) {
			size_t shard = r->pos_to_shard[(*m - 1) % nsub];
			page.push_back({*m, m.get_weight(), record_of(m.get_document()), collapsed, shard});
			xs_shard &sh = r->shards[shard];
			if (opts->shard_meta_key && !have_meta[shard]) {
				if (!sh.meta_cached || sh.meta_key != opts->shard_meta_key) {
					sh.meta_value = sh.db.get_metadata(opts->shard_meta_key);
					sh.meta_key = opts->shard_meta_key;
					sh.meta_cached = true;
				}
				shard_meta[shard] = sh.meta_value;
				have_meta[shard] = true;
			}
		};
		auto take = [&](Xapian::MSet &mset) {
			// Remote shards: ask for every document of the page at once. Only from the
			// first item: Xapian 1.4's MSet::fetch() reads before its items when the
			// MSet starts further (a crash with an offset).
			if (remote && mset.get_firstitem() == 0)
				mset.fetch();
			for (auto m = mset.begin(); m != mset.end(); ++m)
				take_one(m, opts->collapse ? m.get_collapse_count() : 0);
		};
		// The remote backend takes no KeyMaker (UnimplementedError): with a remote
		// shard, dates sort by value, and oldest first runs as two searches, the dated
		// articles then the undated ones, so that these come last as they do locally.
		if (remote && opts->sort == XS_SORT_DATE_ASC) {
			search_oldest_first(r, query, offset, limit, opts, take, facets, estimated);
			return;
		}
		// Undated articles last either way: the default value sorts after every date
		// ascending and before every date descending (then reversed).
		const bool newest_first = opts->sort == XS_SORT_DATE_DESC;
		Xapian::MultiValueKeyMaker by_date;
		by_date.add_value(XS_SLOT_DATE, newest_first, newest_first ? "" : "~");
		auto set_sort = [&](Xapian::Enquire &e) {
			if (opts->sort != XS_SORT_RELEVANCE && remote) {
				// newest first: the empty value of undated articles sorts last
				e.set_sort_by_value_then_relevance(XS_SLOT_DATE, true);
			} else if (opts->sort != XS_SORT_RELEVANCE) {
				e.set_sort_by_key_then_relevance(&by_date, false);
			}
		};
		// One local index without facets, and few near-duplicates: collapsed here
		// (collapse_page), not by Xapian. Not over several indexes: each marks its own
		// near-duplicates (count_folded). Not past FOLD_MAX marked articles: a count
		// would collapse anyway (the synthetic million has 127,280: 11.7 ms against
		// 11.4 ms for the median search, p99 80 against 57 ms).
		Xapian::doccount dups =
			opts->collapse && !opts->facet && !remote && open_shards(r) == 1
				? r->db.get_termfreq(XS_TERM_DUPLICATE)
				: FOLD_MAX + 1;
		if (dups <= FOLD_MAX && !folding_on(r))
			dups = FOLD_MAX + 1; // past it once: its later articles have no G term
		if (dups <= FOLD_MAX) {
			Xapian::MSet plain;
			std::vector<collapsed_item> items;
			size_t total;
			const bool complete =
				collapse_page(r, query, offset, limit, dups, set_sort, plain, items, total);
			if (estimated) {
				bool exact = complete;
				*estimated = complete ? total : fold_estimate(r, plain, dups);
				const Xapian::doccount lower = plain.get_matches_lower_bound();
				Xapian::doccount n;
				if (exact) {
				} else if (dups == 0) {
					// nothing to fold: the plain count is the count
					exact = lower == plain.get_matches_upper_bound();
					if (!exact && lower < XS_COUNT_EXACT_BELOW) {
						Xapian::Enquire unfolded(r->db);
						unfolded.set_query(query);
						exact = count_small(r, unfolded, query, false, n);
						if (exact || *estimated < n)
							*estimated = n;
					}
				} else if (lower < XS_COUNT_EXACT_BELOW || lower - XS_COUNT_EXACT_BELOW < dups) {
					exact = count_folded(r, query, dups, n);
					if (exact || *estimated < n)
						*estimated = n;
				} // else at least XS_COUNT_EXACT_BELOW once folded: an estimate
				if (opts->exact)
					*opts->exact = exact;
			}
			for (const collapsed_item &it : items)
				take_one(it.item, it.collapsed);
			return;
		}
		Xapian::Enquire enquire(r->db);
		enquire.set_query(query);
		set_sort(enquire);
		if (opts->collapse)
			enquire.set_collapse_key(XS_SLOT_COLLAPSE);
		Xapian::ValueCountMatchSpy authors(XS_SLOT_AUTHOR), years(XS_SLOT_YEAR);
		Xapian::doccount check_at_least = 0;
		if (opts->facet) {
			enquire.add_matchspy(&authors);
			enquire.add_matchspy(&years);
			check_at_least = r->db.get_doccount(); // every match, for exact counts
		}
		Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(offset),
						     static_cast<Xapian::doccount>(limit), check_at_least);
		if (estimated) {
			*estimated = mset.get_matches_estimated();
			// Xapian stops counting once the page is certain and estimates the rest
			// (7 for the 5 matches of `élev*` in corpus/, 1000 for 1086). When the
			// count may be small, a match of XS_COUNT_EXACT_BELOW hits counts them
			// (collapsed as the page is). Not by raising check_at_least on the page's
			// own match: in Xapian 1.4 that dropped the best hit of some queries from a
			// page of 10 (`migrers macros` on the Debian folder lost `Migrer les
			// macros`, score 19.7, and kept hits of 18.5).
			bool exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
			if (!exact && mset.get_matches_lower_bound() < XS_COUNT_EXACT_BELOW) {
				Xapian::doccount n;
				if (count_small(r, enquire, query, opts->collapse, n)) {
					*estimated = n;
					exact = true;
				} else if (*estimated < n) {
					// At least n match: Xapian's estimate after collapsing is scaled
					// by the share of near-duplicates among the matches it looked
					// at, and can fall below what was just counted ("About 60"
					// for `raccourci clavier` on the Debian folder, where over 100
					// articles match).
					*estimated = n;
				}
			}
			if (opts->exact)
				*opts->exact = exact;
		}
		take(mset);
		if (remote)
			for (auto t = query.get_unique_terms_begin(); t != query.get_unique_terms_end(); ++t)
				r->termfreqs[*t] = mset.get_termfreq(*t);
		if (opts->facet) {
			for (auto v = authors.values_begin(); v != authors.values_end(); ++v)
				facets.push_back({XS_SLOT_AUTHOR, *v, v.get_termfreq()});
			for (auto v = years.values_begin(); v != years.values_end(); ++v)
				facets.push_back({XS_SLOT_YEAR, *v, v.get_termfreq()});
		}
	});
	if (rc != FOUILLE_OK)
		return rc;
	try {
		for (const facet_value &f : facets)
			if (opts->facet(f.slot, f.value.data(), f.value.size(), f.count, opts->facet_ud))
				break;
		for (size_t i = 0; i < page.size(); i++) {
			xs_match m;
			m.docid = page[i].id;
			m.score = page[i].score;
			m.rank = offset + i;
			m.data = page[i].data.data();
			m.len = page[i].data.size();
			m.collapsed = page[i].collapsed;
			m.shard = page[i].shard;
			m.shard_meta = opts->shard_meta_key ? shard_meta[page[i].shard].c_str() : nullptr;
			if (fn(&m, ud))
				break;
		}
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "searching");
	}
}

int xs_reader_spelling(xs_reader *r, const char *word, unsigned max_edit, char **out, char *err)
{
	*out = nullptr;
	return with_reopen(r, err, "looking up spelling", [&] {
		std::free(*out);
		*out = nullptr;
		std::string s = spell_suggestion(r, word, max_edit);
		if (!s.empty() && !(*out = dup_string(s)))
			throw std::bad_alloc();
	});
}

uint64_t xs_reader_spelling_frequency(xs_reader *r, const char *word)
{
	uint64_t n = 0;
	with_reopen(r, nullptr, "reading spelling data", [&] { n = spell_frequency(r, word); });
	return n;
}

uint64_t xs_reader_spelling_caps(xs_reader *r, const char *word)
{
	uint64_t n = 0;
	with_reopen(r, nullptr, "reading spelling data", [&] { n = spell_counts_of(r, word).second; });
	return n;
}

int xs_reader_each_term(xs_reader *r, const char *prefix, xs_term_fn fn, void *ud, char *err)
{
	return with_reopen(r, err, "listing terms", [&] {
		const std::string p = prefix;
		for (auto t = r->db.allterms_begin(p); t != r->db.allterms_end(p); ++t) {
			const std::string term = *t;
			if (fn(term.data(), term.size(), t.get_termfreq(), ud))
				break;
		}
	});
}

void xs_reader_pin(xs_reader *r)
{
	r->pinned = false;
	if (with_reopen(r, nullptr, "reading the latest commit", [] {}) == FOUILLE_OK)
		r->pinned = true;
}

void xs_reader_unpin(xs_reader *r)
{
	r->pinned = false;
}

uint64_t xs_reader_termfreq(xs_reader *r, const char *term)
{
	uint64_t n = 0;
	with_reopen(r, nullptr, "reading term frequency", [&] {
		auto known = r->remote ? r->termfreqs.find(term) : r->termfreqs.end();
		n = known != r->termfreqs.end() ? known->second : r->db.get_termfreq(term);
	});
	return n;
}

int xs_reader_held_by_another(xs_reader *r, const char *term, const char *id, int *another,
			      char *err)
{
	*another = 0;
	return with_reopen(r, err, "reading term frequency", [&] {
		const Xapian::doccount freq = r->db.get_termfreq(term);
		if (freq != 1) {
			*another = freq > 1;
			return;
		}
		const Xapian::docid holder = *r->db.postlist_begin(term);
		Xapian::PostingIterator self = r->db.postlist_begin(id);
		*another = self == r->db.postlist_end(id) || *self != holder;
	});
}

int xs_reader_position_after(xs_reader *r, uint32_t docid, const char *term, uint32_t after,
			     uint32_t *pos)
{
	// Not through with_reopen(): a reopen would let this answer for another revision
	// than the page's, and its caller can do without the answer.
	const size_t nsub = r->pos_to_shard.size();
	if (docid == 0 || nsub == 0)
		return -1;
	size_t shard = r->pos_to_shard[(docid - 1) % nsub];
	if (shard >= r->shards.size() || !r->shards[shard].host.empty())
		return -1; // a remote shard: a round trip per lookup
	try {
		Xapian::PositionIterator p = r->db.positionlist_begin(docid, term);
		if (after < UINT32_MAX)
			p.skip_to(after + 1);
		if (p == r->db.positionlist_end(docid, term))
			return 0;
		*pos = *p;
		return 1;
	} catch (...) {
		return -1;
	}
}

} // extern "C"
