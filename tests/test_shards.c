/*
 * Shards searched as one index through a Xapian stub file: reading and writing stub
 * files, clear errors (a missing path, a malformed line, a shard of another version, a
 * stub opened for writing), each hit's own folder, one hit for an article held by two
 * shards, and, when xapian-tcpsrv is installed, a remote shard that stops answering
 * while a handle is open (an error naming it, or with FOUILLE_OPEN_ALLOW_PARTIAL the
 * other shards and a notice) and the timeout on a server that does not answer.
 * (tests/cli_shards.py compares a sharded search with a single index at scale.)
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "fouille.h"
#include "indexer/handle.h"
#include "indexer/stub.h"
#include "indexer/xapian_store.h"

static char tmp_root[64];

static const char *tmp_path(const char *rel)
{
	static char ring[8][PATH_MAX];
	static unsigned next;
	char *p = ring[next++ % 8];
	snprintf(p, PATH_MAX, "%s/%s", tmp_root, rel);
	return p;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_article(const char *dir, const char *name, const char *title, const char *body)
{
	char path[PATH_MAX], text[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(text, sizeof text, "%s\n\npar\nCamille Dubois\n12 avril 2023\n\n%s\n", title, body);
	write_file(path, text);
}

static int contains(const char *s, const char *part)
{
	return s && strstr(s, part) != NULL;
}

/* Index `folder` into `index_dir`. */
static int index_folder(const char *folder, const char *index_dir)
{
	fouille_index *idx;
	int rc = fouille_index_open(&idx, index_dir, FOUILLE_OPEN_WRITE | FOUILLE_OPEN_CREATE);
	CHECK(rc == FOUILLE_OK, "open %s: %s", index_dir, fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return rc;
	fouille_update_summary sum;
	rc = fouille_index_update(idx, folder, NULL, &sum);
	CHECK(rc == FOUILLE_OK && sum.failed == 0, "update %s: %s", folder, fouille_errmsg(idx));
	fouille_index_close(idx);
	return rc;
}

/* Indexes a folder in another thread (no CHECK there: the counters are not shared). */
typedef struct bg_index {
	const char *folder, *index_dir;
	int rc;
	volatile int done;
} bg_index;

static void *index_in_background(void *arg)
{
	bg_index *b = arg;
	fouille_index *idx;
	b->rc = fouille_index_open(&idx, b->index_dir, FOUILLE_OPEN_WRITE);
	if (b->rc == FOUILLE_OK) {
		b->rc = fouille_index_update(idx, b->folder, NULL, NULL);
		fouille_index_close(idx);
	}
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* ---- stub files ----------------------------------------------------------------- */

static void test_stub_read(void)
{
	char err[XS_ERRLEN];
	make_dir(tmp_path("stubs"));
	make_dir(tmp_path("stubs/idx"));
	make_dir(tmp_path("stubs/idx/xapian")); /* looks like a fouille index directory */
	make_dir(tmp_path("stubs/folder"));
	make_dir(tmp_path("stubs/folder/.fouille"));
	make_dir(tmp_path("stubs/folder/.fouille/xapian"));
	write_file(tmp_path("stubs/inner"), "remote [::1]:4000\n");
	write_file(tmp_path("stubs/s1"), "# shards\n\n  auto idx  \r\n"
					 "glass /abs/db\n"
					 "auto folder\n"
					 "remote 10.0.0.12:33333\n"
					 "auto inner\n");
	stub st;
	int rc = stub_read(&st, tmp_path("stubs/s1"), err, sizeof err);
	CHECK(rc == FOUILLE_OK, "%s", err);
	CHECK(st.n == 5, "%zu shards", st.n);
	if (rc == FOUILLE_OK && st.n == 5) {
		CHECK_STR(st.v[0].path, tmp_path("stubs/idx/xapian"));
		CHECK(st.v[0].host == NULL, "local");
		CHECK(contains(st.v[0].origin, "line 3 of"), "%s", st.v[0].origin);
		CHECK_STR(st.v[1].path, "/abs/db");
		CHECK_STR(st.v[2].path, tmp_path("stubs/folder/.fouille/xapian"));
		CHECK(st.v[3].path == NULL, "remote");
		CHECK_STR(st.v[3].host, "10.0.0.12");
		CHECK(st.v[3].port == 33333, "%u", st.v[3].port);
		CHECK_STR(st.v[3].label, "10.0.0.12:33333");
		CHECK_STR(st.v[4].host, "::1"); /* from the nested stub */
		CHECK(st.v[4].port == 4000, "%u", st.v[4].port);
		CHECK(contains(st.v[4].origin, "line 1 of") && contains(st.v[4].origin, "inner"), "%s",
		      st.v[4].origin);
	}
	stub_free(&st);

	static const struct {
		const char *text, *want;
		int code;
	} bad[] = {
		{"remote :xapian-progsrv /db\n", "remote :PROGRAM", FOUILLE_EINVAL},
		{"remote host\n", "not HOST:PORT", FOUILLE_EINVAL},
		{"remote host:0\n", "not HOST:PORT", FOUILLE_EINVAL},
		{"remote host:70000\n", "not HOST:PORT", FOUILLE_EINVAL},
		{"auto\n", "needs a path", FOUILLE_EINVAL},
		{"# only a comment\n\n", "names no shard", FOUILLE_EINVAL},
		{"auto idx\nfrob /x\n", "line 2 of", FOUILLE_EINVAL},
		{"auto loop\n", "nest", FOUILLE_EINVAL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *path = tmp_path(i == sizeof bad / sizeof *bad - 1 ? "stubs/loop" : "stubs/bad");
		write_file(path, bad[i].text);
		rc = stub_read(&st, path, err, sizeof err);
		CHECK(rc == bad[i].code, "\"%s\": %d", bad[i].text, rc);
		CHECK(contains(err, bad[i].want), "\"%s\": message \"%s\" lacks \"%s\"", bad[i].text, err,
		      bad[i].want);
		CHECK(st.n == 0 && st.v == NULL, "nothing kept on failure");
	}
	rc = stub_read(&st, tmp_path("stubs/absent"), err, sizeof err);
	CHECK(rc == FOUILLE_ENOTFOUND && contains(err, "absent"), "%d %s", rc, err);

	CHECK(stub_is_file(tmp_path("stubs/s1")) == 1, "a stub is a file");
	CHECK(stub_is_file(tmp_path("stubs/idx")) == 0, "an index is a directory");
	CHECK(stub_is_file(tmp_path("stubs/absent")) == 0, "nothing there");
}

/* ---- a folder of articles split in shards ---------------------------------------- */

static void make_folders(void)
{
	make_dir(tmp_path("a"));
	make_dir(tmp_path("b"));
	make_dir(tmp_path("c"));
	write_article(tmp_path("a"), "port.txt", "Le port de Marseille s'agrandit",
		      "Les grues du port de Marseille déchargent des conteneurs jour et nuit.");
	write_article(tmp_path("a"), "phare.txt", "Un phare restauré en Bretagne",
		      "Le phare de l'île a retrouvé sa lanterne ; le port voisin s'en réjouit.");
	write_article(tmp_path("b"), "port.txt", "Les dockers du port du Havre en grève",
		      "Au port du Havre, les dockers bloquent les quais pour la troisième journée.");
	write_article(tmp_path("b"), "marais.txt", "Les marais salants de Guérande",
		      "Les paludiers récoltent le sel près du port du Croisic.");
	write_article(tmp_path("c"), "ecluse.txt", "Une écluse rouvre sur le canal du Midi",
		      "Les péniches repassent l'écluse ; le port de plaisance attend les touristes.");
	index_folder(tmp_path("a"), tmp_path("a/.fouille"));
	index_folder(tmp_path("b"), tmp_path("b/.fouille"));
	index_folder(tmp_path("c"), tmp_path("c/.fouille"));
}

static void test_stub_write(void)
{
	const char *shards[] = {tmp_path("a/.fouille"), tmp_path("b"), "remote:127.0.0.1:4567",
				"remote:[::1]:99"};
	int rc = fouille_stub_write(tmp_path("written"), shards, 4);
	CHECK(rc == FOUILLE_OK, "%s", fouille_last_open_error());
	char want[4 * PATH_MAX];
	char *ra = realpath(tmp_path("a/.fouille/xapian"), NULL), *rb = realpath(tmp_path("b/.fouille/xapian"), NULL);
	snprintf(want, sizeof want, "auto %s\nauto %s\nremote 127.0.0.1:4567\nremote [::1]:99\n",
		 ra ? ra : "?", rb ? rb : "?");
	free(ra);
	free(rb);
	const char *got = read_all(tmp_path("written"));
	CHECK(got && got[0] == '#' && contains(got, want), "stub file:\n%s\nwant:\n%s", got ? got : "(none)",
	      want);

	const char *missing[] = {tmp_path("a"), tmp_path("nowhere")};
	rc = fouille_stub_write(tmp_path("w2"), missing, 2);
	CHECK(rc == FOUILLE_ENOTFOUND && contains(fouille_last_open_error(), "nowhere"), "%d %s", rc,
	      fouille_last_open_error());
	CHECK(access(tmp_path("w2"), F_OK) != 0, "no file written on failure");
	const char *not_index[] = {tmp_path("stubs")};
	rc = fouille_stub_write(tmp_path("w2"), not_index, 1);
	CHECK(rc == FOUILLE_ENOTFOUND && contains(fouille_last_open_error(), "holds no index"), "%d %s",
	      rc, fouille_last_open_error());
	const char *bad_remote[] = {"remote:host"};
	rc = fouille_stub_write(tmp_path("w2"), bad_remote, 1);
	CHECK(rc == FOUILLE_EINVAL && contains(fouille_last_open_error(), "remote:HOST:PORT"), "%d %s",
	      rc, fouille_last_open_error());
	rc = fouille_stub_write(tmp_path("w2"), shards, 0);
	CHECK(rc == FOUILLE_EINVAL, "no shard: %d", rc);
	rc = fouille_stub_write(tmp_path("a"), shards, 1);
	CHECK(rc == FOUILLE_EINVAL && contains(fouille_last_open_error(), "directory"), "%d %s", rc,
	      fouille_last_open_error());
}

/* Every hit of `q` (up to 50) as "ROOT/PATH" lines, and the result's notice. */
static int search_paths(fouille_index *idx, const char *q, char *out, size_t cap, char *notice,
			size_t ncap)
{
	fouille_search_options o;
	fouille_search_options_init(&o);
	o.limit = 50;
	fouille_results *res;
	int rc = fouille_search(&res, idx, q, &o);
	out[0] = '\0';
	if (notice)
		notice[0] = '\0';
	if (rc != FOUILLE_OK)
		return rc;
	size_t at = 0;
	for (size_t i = 0; i < fouille_results_count(res); i++) {
		const fouille_hit *h = fouille_results_hit(res, i);
		at += (size_t)snprintf(out + at, cap - at, "%s/%s\n", fouille_hit_root(h) ? fouille_hit_root(h) : "?",
				       fouille_hit_path(h));
		if (at >= cap)
			at = cap - 1;
	}
	if (notice && fouille_results_notice(res))
		snprintf(notice, ncap, "%s", fouille_results_notice(res));
	fouille_results_free(res);
	return FOUILLE_OK;
}

static void test_local_shards(void)
{
	char stubtext[3 * PATH_MAX];
	snprintf(stubtext, sizeof stubtext, "auto %s\nauto b/.fouille\nauto c\n", tmp_path("a/.fouille"));
	write_file(tmp_path("local.stub"), stubtext);
	fouille_index *idx;
	int rc = fouille_index_open(&idx, tmp_path("local.stub"), FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_OK, "%s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	CHECK(fouille_index_article_count(idx) == 5, "%llu articles",
	      (unsigned long long)fouille_index_article_count(idx));
	CHECK(fouille_index_root(idx) == NULL, "several folders: no single root");
	char got[4096], want[4096];
	rc = search_paths(idx, "port", got, sizeof got, NULL, 0);
	CHECK(rc == FOUILLE_OK, "%s", fouille_errmsg(idx));
	/* a/port.txt and b/port.txt: the same relative path in two shards, two articles */
	char *ra = realpath(tmp_path("a"), NULL), *rb = realpath(tmp_path("b"), NULL),
	     *rc_ = realpath(tmp_path("c"), NULL);
	snprintf(want, sizeof want, "%s/port.txt\n", ra);
	CHECK(contains(got, want), "hits:\n%s", got);
	snprintf(want, sizeof want, "%s/port.txt\n", rb);
	CHECK(contains(got, want), "hits:\n%s", got);
	snprintf(want, sizeof want, "%s/ecluse.txt\n", rc_);
	CHECK(contains(got, want), "hits:\n%s", got);
	int n = 0;
	for (const char *p = got; (p = strchr(p, '\n')); p++)
		n++;
	CHECK(n == 5, "5 articles mention port:\n%s", got);

	fouille_stats *st;
	rc = fouille_index_stats(&st, idx);
	CHECK(rc == FOUILLE_OK && st->articles == 5 && st->root == NULL, "stats of a stub");
	fouille_stats_free(st);
	fouille_index_close(idx);

	/* written for updating: refused */
	rc = fouille_index_open(&idx, tmp_path("local.stub"), FOUILLE_OPEN_WRITE);
	CHECK(rc == FOUILLE_EINVAL && contains(fouille_last_open_error(), "stub file"), "%d %s", rc,
	      fouille_last_open_error());

	/* a shard whose path is gone: a clear error, or left out with ALLOW_PARTIAL */
	snprintf(stubtext, sizeof stubtext, "auto %s\nauto %s\n", tmp_path("a/.fouille"), tmp_path("gone/.fouille"));
	write_file(tmp_path("gone.stub"), stubtext);
	rc = fouille_index_open(&idx, tmp_path("gone.stub"), FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_ENOTFOUND, "missing shard: %d", rc);
	CHECK(contains(fouille_last_open_error(), tmp_path("gone/.fouille")) &&
		      contains(fouille_last_open_error(), "line 2 of") &&
		      contains(fouille_last_open_error(), "no index"),
	      "message: %s", fouille_last_open_error());
	rc = fouille_index_open(&idx, tmp_path("gone.stub"), FOUILLE_OPEN_READONLY | FOUILLE_OPEN_ALLOW_PARTIAL);
	CHECK(rc == FOUILLE_OK, "%s", fouille_last_open_error());
	if (rc == FOUILLE_OK) {
		char notice[1024];
		rc = search_paths(idx, "port", got, sizeof got, notice, sizeof notice);
		CHECK(rc == FOUILLE_OK && contains(got, "port.txt"), "%s", got);
		CHECK(contains(notice, "1 of 2 shards") && contains(notice, "gone"), "notice: %s", notice);
		fouille_index_close(idx);
	}
	/* only missing shards: nothing to search even with ALLOW_PARTIAL */
	snprintf(stubtext, sizeof stubtext, "auto %s\nauto %s\n", tmp_path("gone1"), tmp_path("gone2"));
	write_file(tmp_path("gone2.stub"), stubtext);
	rc = fouille_index_open(&idx, tmp_path("gone2.stub"), FOUILLE_OPEN_READONLY | FOUILLE_OPEN_ALLOW_PARTIAL);
	CHECK(rc != FOUILLE_OK && contains(fouille_last_open_error(), "no shard"), "%d %s", rc,
	      fouille_last_open_error());

	/* the struct_size guard of the options */
	fouille_open_options oo;
	fouille_open_options_init(&oo);
	oo.struct_size = 1000;
	rc = fouille_index_open_with(&idx, tmp_path("local.stub"), 0, &oo);
	CHECK(rc == FOUILLE_EINVAL && idx == NULL, "bad struct_size: %d", rc);
	free(ra);
	free(rb);
	free(rc_);
}

/* An article moved from a's folder to c's, c updated but not a: one hit, not two. */
static void test_moved_article(void)
{
	char from[PATH_MAX], to[PATH_MAX];
	snprintf(from, sizeof from, "%s", tmp_path("a/phare.txt"));
	snprintf(to, sizeof to, "%s", tmp_path("c/phare.txt"));
	CHECK(rename(from, to) == 0, "rename: %s", strerror(errno));
	index_folder(tmp_path("c"), tmp_path("c/.fouille"));
	fouille_index *idx;
	int rc = fouille_index_open(&idx, tmp_path("local.stub"), FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_OK, "%s", fouille_last_open_error());
	if (rc != FOUILLE_OK)
		return;
	char got[4096];
	search_paths(idx, "phare lanterne", got, sizeof got, NULL, 0);
	int n = 0;
	for (const char *p = got; (p = strstr(p, "phare.txt")); p++)
		n++;
	CHECK(n == 1, "the moved article once:\n%s", got);

	/* pages: every article once over the pages, 5 in all (phare counted once) */
	fouille_search_options o;
	fouille_search_options_init(&o);
	o.limit = 2;
	char seen[4096] = "";
	size_t count = 0;
	for (o.offset = 0; o.offset < 10; o.offset += 2) {
		fouille_results *res;
		if (fouille_search(&res, idx, "port", &o) != FOUILLE_OK)
			break;
		for (size_t i = 0; i < fouille_results_count(res); i++) {
			const fouille_hit *h = fouille_results_hit(res, i);
			char line[PATH_MAX * 2];
			snprintf(line, sizeof line, "%s/%s\n", fouille_hit_root(h), fouille_hit_path(h));
			CHECK(!contains(seen, line), "%s shows twice", line);
			CHECK(fouille_hit_rank(h) == o.offset + i + 1, "rank %zu", fouille_hit_rank(h));
			strncat(seen, line, sizeof seen - strlen(seen) - 1);
			count++;
		}
		fouille_results_free(res);
	}
	CHECK(count == 5, "%zu hits over the pages:\n%s", count, seen);
	/* the total leaves out the duplicates read (all of them on a page holding all) */
	o.offset = 0;
	o.limit = 10;
	fouille_results *res;
	if (fouille_search(&res, idx, "port", &o) == FOUILLE_OK) {
		CHECK(fouille_results_total(res) == 5 && fouille_results_count(res) == 5, "total %llu",
		      (unsigned long long)fouille_results_total(res));
		fouille_results_free(res);
	}
	fouille_index_close(idx);
}

static void test_shard_version(void)
{
	make_dir(tmp_path("old"));
	write_article(tmp_path("old"), "vieux.txt", "Un vieux port", "Le vieux port dort.");
	index_folder(tmp_path("old"), tmp_path("old/.fouille"));
	xs_writer *w;
	char err[XS_ERRLEN];
	if (xs_writer_open(&w, tmp_path("old/.fouille/xapian"), 0, err) == FOUILLE_OK) {
		xs_writer_set_meta(w, META_ANALYZER, "0", err);
		xs_writer_commit(w, err);
		xs_writer_close(w);
	}
	char stubtext[2 * PATH_MAX];
	snprintf(stubtext, sizeof stubtext, "auto %s\nauto %s\n", tmp_path("b/.fouille"), tmp_path("old/.fouille"));
	write_file(tmp_path("old.stub"), stubtext);
	fouille_index *idx;
	int rc = fouille_index_open(&idx, tmp_path("old.stub"), FOUILLE_OPEN_READONLY | FOUILLE_OPEN_ALLOW_PARTIAL);
	CHECK(rc == FOUILLE_EVERSION, "a shard of another version: %d", rc);
	CHECK(contains(fouille_last_open_error(), "old/.fouille/xapian") &&
		      contains(fouille_last_open_error(), "line 2 of") &&
		      contains(fouille_last_open_error(), "another version"),
	      "%s", fouille_last_open_error());
}

/* A prefix expanded to the most frequent word of all shards together, not of each:
 * shard 1 holds portx 3 times and porty once, shard 2 porty 3 times, so over both the
 * most frequent is porty (4 articles), and portx articles must not match. */
static int count_match(const xs_match *m, void *ud)
{
	(void)m;
	(*(int *)ud)++;
	return 0;
}

static void test_wildcard_over_shards(void)
{
	static const char *const words[2][4] = {{"portx", "portx", "portx", "porty"},
						 {"porty", "porty", "porty", NULL}};
	char err[XS_ERRLEN];
	for (int s = 0; s < 2; s++) {
		xs_writer *w;
		const char *dir = tmp_path(s ? "wild2" : "wild1");
		if (xs_writer_open(&w, dir, 1, err) != FOUILLE_OK) {
			CHECK(0, "%s", err);
			return;
		}
		for (int i = 0; i < 4 && words[s][i]; i++) {
			xs_doc *d = xs_doc_new();
			char id[16];
			snprintf(id, sizeof id, "Q%d-%d", s, i);
			xs_doc_add_posting(d, words[s][i], 1, 1);
			xs_writer_replace(w, id, d, err);
			xs_doc_free(d);
		}
		xs_writer_commit(w, err);
		xs_writer_close(w);
	}
	xs_shard_spec specs[2] = {{.path = tmp_path("wild1"), .label = "wild1"},
				  {.path = tmp_path("wild2"), .label = "wild2"}};
	xs_reader *r;
	int rc = xs_reader_open_shards(&r, specs, 2, 0, 0, err);
	CHECK(rc == FOUILLE_OK, "%s", err);
	if (rc != FOUILLE_OK)
		return;
	xs_query *q = xs_query_wildcard("port", 1);
	xs_query *subs[] = {q, xs_query_term("absent", 0)};
	xs_query *either = xs_query_combine(XS_OR, subs, 2, 0);
	int n = 0;
	uint64_t total = 0;
	rc = xs_reader_search(r, either, 0, 10, NULL, count_match, &n, &total, err);
	CHECK(rc == FOUILLE_OK && n == 4, "port* (1 word) over both shards: %d matches (%s)", n, err);
	xs_query *scaled = xs_query_scale(xs_query_clone(either), 2.0);
	n = 0;
	rc = xs_reader_search(r, scaled, 0, 10, NULL, count_match, &n, &total, err);
	CHECK(rc == FOUILLE_OK && n == 4, "scaled: %d matches", n);
	xs_query_free(either);
	xs_query_free(scaled);
	xs_reader_close(r);
}

/* ---- remote shards (xapian-tcpsrv) ---------------------------------------------- */

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	int port = -1;
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (s >= 0)
		close(s);
	return port;
}

static int accepts(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0;
	if (s >= 0)
		close(s);
	return ok;
}

/* Start xapian-tcpsrv on `db` in its own process group (closing connections idle for
 * `idle_ms`, 0: its default); its pid, or -1. */
static pid_t start_server(const char *db, int port, int idle_ms)
{
	char p[16], idle[16];
	snprintf(p, sizeof p, "%d", port);
	snprintf(idle, sizeof idle, "%d", idle_ms);
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		int null = open("/dev/null", 0);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		if (idle_ms)
			execlp("xapian-tcpsrv", "xapian-tcpsrv", "--port", p, "--interface", "127.0.0.1",
			       "--idle-timeout", idle, db, (char *)NULL);
		else
			execlp("xapian-tcpsrv", "xapian-tcpsrv", "--port", p, "--interface", "127.0.0.1", db,
			       (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	setpgid(pid, pid);
	for (int i = 0; i < 100; i++) {
		if (accepts(port))
			return pid;
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid)
			return -1;
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static void stop_server(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGCONT);
	kill(-pid, SIGKILL); /* the server and the children serving each connection */
	waitpid(pid, NULL, 0);
}

static int have_tcpsrv(void)
{
	return system("xapian-tcpsrv --version >/dev/null 2>&1") == 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_remote(void)
{
	if (!have_tcpsrv()) {
		printf("xapian-tcpsrv not installed (apt-get install xapian-tools): remote shards not tested\n");
		return;
	}
	int port = free_port();
	pid_t srv = start_server(tmp_path("b/.fouille/xapian"), port, 0);
	CHECK(srv > 0, "xapian-tcpsrv on port %d", port);
	if (srv <= 0)
		return;
	char stubtext[2 * PATH_MAX], label[32];
	snprintf(label, sizeof label, "127.0.0.1:%d", port);
	snprintf(stubtext, sizeof stubtext, "auto %s\nremote %s\n", tmp_path("c/.fouille"), label);
	write_file(tmp_path("remote.stub"), stubtext);

	fouille_index *strict, *partial;
	int rc = fouille_index_open(&strict, tmp_path("remote.stub"), FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_OK, "%s", fouille_last_open_error());
	int rc2 = fouille_index_open(&partial, tmp_path("remote.stub"),
				     FOUILLE_OPEN_READONLY | FOUILLE_OPEN_ALLOW_PARTIAL);
	CHECK(rc2 == FOUILLE_OK, "%s", fouille_last_open_error());
	if (rc != FOUILLE_OK || rc2 != FOUILLE_OK) {
		fouille_index_close(strict);
		fouille_index_close(partial);
		stop_server(srv);
		return;
	}
	char got[4096], notice[1024];
	char *rb = realpath(tmp_path("b"), NULL), *rc_ = realpath(tmp_path("c"), NULL);
	char want_b[PATH_MAX], want_c[PATH_MAX];
	snprintf(want_b, sizeof want_b, "%s/marais.txt\n", rb);
	snprintf(want_c, sizeof want_c, "%s/ecluse.txt\n", rc_);
	rc = search_paths(strict, "port", got, sizeof got, notice, sizeof notice);
	CHECK(rc == FOUILLE_OK && contains(got, want_b) && contains(got, want_c), "remote + local:\n%s",
	      got);
	CHECK(notice[0] == '\0', "no notice: %s", notice);
	rc = search_paths(partial, "port", got, sizeof got, notice, sizeof notice);
	CHECK(rc == FOUILLE_OK && contains(got, want_b), "partial handle, both up:\n%s", got);

	/* the served shard is updated: an open handle sees the new commit */
	write_article(tmp_path("b"), "quai.txt", "Un nouveau quai au port de Sète",
		      "Le port de Sète inaugure un quai pour les ferries.");
	index_folder(tmp_path("b"), tmp_path("b/.fouille"));
	struct timespec pause = {0, 120 * 1000 * 1000}; /* past the 50 ms between reopens */
	nanosleep(&pause, NULL);
	rc = search_paths(strict, "sète", got, sizeof got, notice, sizeof notice);
	CHECK(rc == FOUILLE_OK && contains(got, "/quai.txt"), "a commit on the served shard: %s",
	      got);

	/* A program searching without pause (every 10 ms) while the shard is updated still
	   sees the commit: the reopen is skipped for at most 50 ms after the last one made,
	   not after the last search (which kept it from ever coming). */
	write_article(tmp_path("b"), "grue.txt", "Une grue géante au port de Sète",
		      "Le port de Sète reçoit une grue pour les conteneurs.");
	bg_index bg = {tmp_path("b"), tmp_path("b/.fouille"), -1, 0};
	pthread_t th;
	int seen = 0, after_done = 0;
	if (pthread_create(&th, NULL, index_in_background, &bg) == 0) {
		struct timespec tick = {0, 10 * 1000 * 1000};
		while (!seen && after_done < 300) { /* up to 3 s once the update has ended */
			if (__atomic_load_n(&bg.done, __ATOMIC_ACQUIRE))
				after_done++;
			if (search_paths(strict, "grue", got, sizeof got, notice, sizeof notice) ==
				    FOUILLE_OK &&
			    contains(got, "/grue.txt"))
				seen = 1;
			nanosleep(&tick, NULL);
		}
		pthread_join(th, NULL);
	}
	CHECK(bg.rc == FOUILLE_OK, "the update in the background: %d", bg.rc);
	CHECK(seen, "searching every 10 ms during a commit on the served shard, the commit is seen");

	/* the server goes away under open handles */
	stop_server(srv);
	rc = search_paths(strict, "port", got, sizeof got, notice, sizeof notice);
	CHECK(rc == FOUILLE_EIO, "search after the server stopped: %d", rc);
	CHECK(contains(fouille_errmsg(strict), label) && contains(fouille_errmsg(strict), "does not answer"),
	      "message: %s", fouille_errmsg(strict));
	rc = search_paths(partial, "port", got, sizeof got, notice, sizeof notice);
	CHECK(rc == FOUILLE_OK, "partial search: %s", fouille_errmsg(partial));
	CHECK(contains(got, want_c) && !contains(got, want_b), "the local shard's hits only:\n%s", got);
	CHECK(contains(notice, label) && contains(notice, "1 of 2 shards"), "notice: %s", notice);
	fouille_index_close(strict);
	fouille_index_close(partial);

	/* opened while it is down */
	rc = fouille_index_open(&strict, tmp_path("remote.stub"), FOUILLE_OPEN_READONLY);
	CHECK(rc == FOUILLE_EIO && contains(fouille_last_open_error(), label) &&
		      contains(fouille_last_open_error(), "line 2 of"),
	      "%d %s", rc, fouille_last_open_error());

	/* a server that accepts and never answers: the timeout (each server on a port of its
	 * own: a killed server's listening socket may outlive it a moment) */
	port = free_port();
	snprintf(label, sizeof label, "127.0.0.1:%d", port);
	snprintf(stubtext, sizeof stubtext, "auto %s\nremote %s\n", tmp_path("c/.fouille"), label);
	write_file(tmp_path("remote.stub"), stubtext);
	srv = start_server(tmp_path("b/.fouille/xapian"), port, 0);
	CHECK(srv > 0, "xapian-tcpsrv again");
	if (srv > 0) {
		kill(-srv, SIGSTOP);
		fouille_open_options oo;
		fouille_open_options_init(&oo);
		oo.timeout_ms = 300;
		double t0 = now();
		rc = fouille_index_open_with(&strict, tmp_path("remote.stub"), FOUILLE_OPEN_READONLY, &oo);
		double took = now() - t0;
		CHECK(rc == FOUILLE_EIO && contains(fouille_last_open_error(), label) &&
			      contains(fouille_last_open_error(), "Timeout"),
		      "%d %s", rc, fouille_last_open_error());
		CHECK(took < 3.0, "gave up after %.2f s with a 0.3 s timeout", took);
		if (rc == FOUILLE_OK)
			fouille_index_close(strict);
		stop_server(srv);
	}

	/* a server that closes idle connections: a handle kept open reconnects */
	port = free_port();
	snprintf(label, sizeof label, "127.0.0.1:%d", port);
	snprintf(stubtext, sizeof stubtext, "auto %s\nremote %s\n", tmp_path("c/.fouille"), label);
	write_file(tmp_path("remote.stub"), stubtext);
	srv = start_server(tmp_path("b/.fouille/xapian"), port, 1000);
	CHECK(srv > 0, "xapian-tcpsrv --idle-timeout");
	if (srv > 0) {
		rc = fouille_index_open(&strict, tmp_path("remote.stub"), FOUILLE_OPEN_READONLY);
		CHECK(rc == FOUILLE_OK, "%s", fouille_last_open_error());
		if (rc == FOUILLE_OK) {
			struct timespec ts = {2, 500 * 1000 * 1000};
			nanosleep(&ts, NULL);
			rc = search_paths(strict, "port", got, sizeof got, notice, sizeof notice);
			CHECK(rc == FOUILLE_OK && contains(got, want_b), "after an idle close: %s",
			      fouille_errmsg(strict));
			fouille_index_close(strict);
		}
		stop_server(srv);
	}
	free(rb);
	free(rc_);
}

int main(void)
{
	snprintf(tmp_root, sizeof tmp_root, "/tmp/fouille-shards-XXXXXX");
	if (!mkdtemp(tmp_root)) {
		perror("mkdtemp");
		return 1;
	}
	test_stub_read();
	make_folders();
	test_stub_write();
	test_local_shards();
	test_moved_article();
	test_shard_version();
	test_wildcard_over_shards();
	test_remote();
	remove_tree(tmp_root);
	return check_summary();
}
