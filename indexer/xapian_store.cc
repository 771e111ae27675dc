// The one file that talks to Xapian. Every extern "C" entry point catches every
// exception and turns it into a FOUILLE_* code plus a message in the caller's buffer:
// no exception ever crosses into C.

#include "xapian_store.h"

#include <xapian.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "fouille.h"

struct xs_doc {
	Xapian::Document doc;
};

struct xs_writer {
	Xapian::WritableDatabase db;
	bool in_txn = false;
};

struct xs_query {
	Xapian::Query q;
};

struct xs_reader {
	Xapian::Database db;
	std::string path;
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
	std::snprintf(err, XS_ERRLEN, "%s: %s", what, msg.c_str());
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

// Read the latest commit: a Xapian::Database stays at the revision it opened (a handle
// kept open across an update, its own or another process's, would search the old
// index), so move it forward first; reopen() only checks the revision when nothing
// changed. Reset the reader and try again when the database moved under it.
template <typename F> int with_reopen(xs_reader *r, char *err, const char *what, F body)
{
	for (int attempt = 0;; attempt++) {
		try {
			if (attempt == 0)
				r->db.reopen();
			body();
			return FOUILLE_OK;
		} catch (const Xapian::DatabaseModifiedError &) {
			if (attempt >= MAX_REOPEN) {
				set_err(err, what, "the index kept changing during the search");
				return FOUILLE_EIO;
			}
			try {
				r->db.reopen();
			} catch (...) {
				return handle_exception(err, what);
			}
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
		d->doc.set_data(std::string(static_cast<const char *>(data), len));
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

// ---- writing --------------------------------------------------------------------

int xs_writer_open(xs_writer **out, const char *dir, int create, char *err)
{
	*out = nullptr;
	try {
		auto *w = new xs_writer;
		try {
			w->db = Xapian::WritableDatabase(
				dir, create ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN);
		} catch (...) {
			delete w;
			throw;
		}
		*out = w;
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, dir);
	}
}

void xs_writer_close(xs_writer *w)
{
	if (!w)
		return;
	try {
		// Whatever was not committed is dropped: close() alone would commit it.
		if (w->in_txn)
			w->db.cancel_transaction();
		w->db.close();
	} catch (...) {
	}
	delete w;
}

// Everything between two commits is one transaction, so that an error or a cancel
// drops it whole and the database stays at its last commit.
static void ensure_txn(xs_writer *w)
{
	if (!w->in_txn) {
		w->db.begin_transaction(true);
		w->in_txn = true;
	}
}

int xs_writer_replace(xs_writer *w, const char *idterm, xs_doc *doc, char *err)
{
	try {
		ensure_txn(w);
		doc->doc.add_boolean_term(idterm);
		w->db.replace_document(idterm, doc->doc);
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "writing a document");
	}
}

int xs_writer_delete(xs_writer *w, const char *idterm, char *err)
{
	try {
		ensure_txn(w);
		w->db.delete_document(idterm);
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "deleting a document");
	}
}

int xs_writer_rename(xs_writer *w, const char *old_idterm, const char *new_idterm,
		     const void *data, size_t len, char *err)
{
	try {
		ensure_txn(w);
		Xapian::PostingIterator p = w->db.postlist_begin(old_idterm);
		if (p == w->db.postlist_end(old_idterm)) {
			set_err(err, "renaming a document", std::string("no document ") + old_idterm);
			return FOUILLE_ENOTFOUND;
		}
		Xapian::docid id = *p;
		Xapian::Document doc = w->db.get_document(id);
		doc.remove_term(old_idterm);
		doc.add_boolean_term(new_idterm);
		doc.set_data(std::string(static_cast<const char *>(data), len));
		w->db.replace_document(id, doc);
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
		Xapian::PostingIterator p = w->db.postlist_begin(idterm);
		if (p == w->db.postlist_end(idterm)) {
			set_err(err, "reading a document", std::string("no document ") + idterm);
			return FOUILLE_ENOTFOUND;
		}
		std::string data = w->db.get_document(*p).get_data();
		if (!(*out = dup_string(data)))
			throw std::bad_alloc();
		*len = data.size();
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "reading a document");
	}
}

int xs_writer_commit(xs_writer *w, char *err)
{
	try {
		if (w->in_txn) {
			w->in_txn = false;
			w->db.commit_transaction();
		} else {
			w->db.commit();
		}
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "committing the index");
	}
}

int xs_writer_cancel(xs_writer *w, char *err)
{
	try {
		if (w->in_txn) {
			w->in_txn = false;
			w->db.cancel_transaction();
		}
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "cancelling changes");
	}
}

int xs_writer_add_spelling(xs_writer *w, const char *word, unsigned freqinc, char *err)
{
	try {
		ensure_txn(w);
		w->db.add_spelling(word, freqinc);
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "writing spelling data");
	}
}

int xs_writer_set_meta(xs_writer *w, const char *key, const char *value, char *err)
{
	try {
		ensure_txn(w);
		w->db.set_metadata(key, value);
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "writing index metadata");
	}
}

int xs_writer_get_meta(xs_writer *w, const char *key, char **out, char *err)
{
	*out = nullptr;
	try {
		*out = dup_string(w->db.get_metadata(key));
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
		return w->db.get_doccount();
	} catch (...) {
		return 0;
	}
}

int xs_writer_each(xs_writer *w, xs_doc_fn fn, void *ud, char *err)
{
	try {
		const std::string prefix = XS_PREFIX_ID;
		for (auto t = w->db.allterms_begin(prefix); t != w->db.allterms_end(prefix); ++t) {
			const std::string term = *t;
			for (auto p = w->db.postlist_begin(term); p != w->db.postlist_end(term); ++p) {
				const std::string data = w->db.get_document(*p).get_data();
				if (fn(term.c_str(), data.data(), data.size(), ud))
					return FOUILLE_OK;
			}
		}
		return FOUILLE_OK;
	} catch (...) {
		return handle_exception(err, "reading the index");
	}
}

// ---- queries --------------------------------------------------------------------

xs_query *xs_query_term(const char *term, uint32_t pos)
{
	try {
		return new xs_query{Xapian::Query(term, 1, pos)};
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
		if (qs.size() == 1 && op != XS_AND_NOT)
			result = new xs_query{qs[0]};
		else
			result = new xs_query{Xapian::Query(xop, qs.begin(), qs.end(), window)};
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
			return new xs_query{Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi)};
		if (lo)
			return new xs_query{Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo)};
		if (hi)
			return new xs_query{Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi)};
		return nullptr;
	} catch (...) {
		return nullptr;
	}
}

xs_query *xs_query_wildcard(const char *prefix, unsigned max_expansion)
{
	try {
		return new xs_query{Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, max_expansion,
						  Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT,
						  Xapian::Query::OP_SYNONYM)};
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
		return new xs_query{q->q};
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
			for (int attempt = 0;; attempt++) {
				try {
					r->db = Xapian::Database(dir);
					break;
				} catch (const Xapian::DatabaseModifiedError &) {
					if (attempt >= MAX_REOPEN)
						throw;
				}
			}
			r->path = dir;
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

void xs_reader_close(xs_reader *r)
{
	delete r;
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

uint64_t xs_reader_doccount(xs_reader *r)
{
	uint64_t n = 0;
	with_reopen(r, nullptr, "counting documents", [&] { n = r->db.get_doccount(); });
	return n;
}

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
	};
	struct facet_value {
		unsigned slot;
		std::string value;
		Xapian::doccount count;
	};
	std::vector<collected> page;
	std::vector<facet_value> facets;
	const xs_search_opts defaults = {XS_SORT_RELEVANCE, 0, nullptr, nullptr};
	if (!opts)
		opts = &defaults;
	int rc = with_reopen(r, err, "searching", [&] {
		page.clear();
		facets.clear();
		Xapian::Enquire enquire(r->db);
		enquire.set_query(q->q);
		Xapian::MultiValueKeyMaker by_date;
		if (opts->sort != XS_SORT_RELEVANCE) {
			// Undated articles last either way: the default value sorts after every
			// date ascending and before every date descending (then reversed).
			bool newest_first = opts->sort == XS_SORT_DATE_DESC;
			by_date.add_value(XS_SLOT_DATE, newest_first, newest_first ? "" : "~");
			enquire.set_sort_by_key_then_relevance(&by_date, false);
		}
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
		if (estimated)
			*estimated = mset.get_matches_estimated();
		for (auto m = mset.begin(); m != mset.end(); ++m)
			page.push_back({*m, m.get_weight(), m.get_document().get_data(),
					opts->collapse ? m.get_collapse_count() : 0});
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
		std::string s = r->db.get_spelling_suggestion(word, max_edit);
		if (!s.empty() && !(*out = dup_string(s)))
			throw std::bad_alloc();
	});
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

uint64_t xs_reader_termfreq(xs_reader *r, const char *term)
{
	uint64_t n = 0;
	with_reopen(r, nullptr, "reading term frequency", [&] { n = r->db.get_termfreq(term); });
	return n;
}

} // extern "C"
