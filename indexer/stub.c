/*
 * Reading and writing Xapian stub database files (see stub.h).
 */
#include "stub.h"
#include "walk.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fouille.h"

#define STUB_MAX_DEPTH 8
#define STUB_MAX_LINE 4096

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A single-file Xapian database is a regular file too: it starts with this. */
static int is_single_file_db(const char *path)
{
	static const char magic[] = "\x0f\x0dXapian Glass";
	char head[sizeof magic - 1];
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(head, 1, sizeof head, f);
	fclose(f);
	return n == sizeof head && memcmp(head, magic, sizeof head) == 0;
}

int stub_is_file(const char *path)
{
	return path && is_file(path) && !is_single_file_db(path);
}

int stub_dir_has_database(const char *dir)
{
	/* XAPIANDB: an index written in several databases (fouille-index --shards) */
	static const char *const markers[] = {"iamglass", "iamchert", "iamhoney", "XAPIANDB"};
	int found = 0;
	for (size_t i = 0; i < sizeof markers / sizeof *markers && !found; i++) {
		char *m = walk_path_join(dir, markers[i]);
		if (!m)
			return -1;
		found = is_file(m);
		free(m);
	}
	return found;
}

/* The database a local shard path stands for: DIR/xapian for a fouille index,
 * DIR/.fouille/xapian for an indexed folder, else the path itself. NULL when out of
 * memory. */
static char *resolve_local(const char *path)
{
	static const char *const below[] = {"xapian", ".fouille/xapian"};
	for (size_t i = 0; i < sizeof below / sizeof *below; i++) {
		char *p = walk_path_join(path, below[i]);
		if (!p || is_dir(p))
			return p;
		free(p);
	}
	return strdup(path);
}

static int push(stub *s, stub_shard *sh)
{
	stub_shard *v = realloc(s->v, (s->n + 1) * sizeof *v);
	if (!v)
		return -1;
	s->v = v;
	s->v[s->n++] = *sh;
	return 0;
}

static void shard_clear(stub_shard *sh)
{
	free(sh->path);
	free(sh->host);
	free(sh->label);
	free(sh->origin);
	memset(sh, 0, sizeof *sh);
}

/* HOST:PORT (HOST may be [v6]) into a malloc'ed host and a port. -1 when malformed, -2
 * when out of memory. */
static int parse_host_port(const char *s, char **host, unsigned *port)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1])
		return -1;
	char *end;
	errno = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (errno || *end || colon[1] < '0' || colon[1] > '9' || p == 0 || p > 65535)
		return -1;
	const char *h = s;
	size_t hl = (size_t)(colon - s);
	if (h[0] == '[' && hl > 2 && h[hl - 1] == ']')
		h++, hl -= 2;
	for (size_t i = 0; i < hl; i++)
		if (h[i] == ' ' || h[i] == '\t' || h[i] == '/')
			return -1;
	if (!(*host = malloc(hl + 1)))
		return -2;
	memcpy(*host, h, hl);
	(*host)[hl] = '\0';
	*port = (unsigned)p;
	return 0;
}

static int read_file(stub *out, const char *file, int depth, char *err, size_t errlen);

/* One line of `file` (number `lineno`), comments and blanks already skipped. */
static int read_line(stub *out, const char *file, unsigned lineno, char *line, int depth,
		     char *err, size_t errlen)
{
	char *type = line;
	size_t tl = strcspn(type, " \t");
	char *arg = type + tl;
	if (*arg)
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	stub_shard sh = {0};
	char origin[64 + PATH_MAX];
	snprintf(origin, sizeof origin, "line %u of %s", lineno, file);
	if (strcmp(type, "remote") == 0) {
		if (arg[0] == ':')
			return fail(err, errlen, FOUILLE_EINVAL,
				    "%s: \"remote :PROGRAM\" shards are not supported; serve the shard "
				    "with xapian-tcpsrv and write \"remote HOST:PORT\"",
				    origin);
		int rc = parse_host_port(arg, &sh.host, &sh.port);
		if (rc == -2)
			return fail(err, errlen, FOUILLE_ENOMEM, "out of memory");
		if (rc != 0)
			return fail(err, errlen, FOUILLE_EINVAL,
				    "%s: \"remote %s\" is not HOST:PORT (a port from 1 to 65535)", origin,
				    arg);
		size_t n = strlen(arg) + 1;
		if (!(sh.label = malloc(n)))
			goto oom;
		memcpy(sh.label, arg, n);
	} else if (strcmp(type, "auto") == 0 || strcmp(type, "glass") == 0 ||
		   strcmp(type, "chert") == 0 || strcmp(type, "honey") == 0) {
		if (!*arg)
			return fail(err, errlen, FOUILLE_EINVAL, "%s: \"%s\" needs a path", origin, type);
		char *path;
		if (arg[0] == '/') {
			path = strdup(arg);
		} else {
			/* relative to the stub file's directory, as Xapian reads it */
			const char *slash = strrchr(file, '/');
			if (!slash) {
				path = strdup(arg);
			} else {
				char *dir = strndup(file, slash == file ? 1 : (size_t)(slash - file));
				path = dir ? (strcmp(dir, "/") == 0 ? walk_path_join("", arg) : walk_path_join(dir, arg)) : NULL;
				free(dir);
			}
		}
		if (!path)
			goto oom;
		if (stub_is_file(path)) {
			if (depth >= STUB_MAX_DEPTH) {
				free(path);
				return fail(err, errlen, FOUILLE_EINVAL,
					    "%s: stub files nest more than %d deep (a loop?)", origin,
					    STUB_MAX_DEPTH);
			}
			int rc = read_file(out, path, depth + 1, err, errlen);
			free(path);
			return rc;
		}
		sh.path = resolve_local(path);
		free(path);
		if (!sh.path || !(sh.label = strdup(sh.path)))
			goto oom;
	} else {
		return fail(err, errlen, FOUILLE_EINVAL,
			    "%s: \"%s\" is not a shard line (\"auto PATH\" or \"remote HOST:PORT\")",
			    origin, type);
	}
	if (!(sh.origin = strdup(origin)) || push(out, &sh) != 0)
		goto oom;
	return FOUILLE_OK;
oom:
	shard_clear(&sh);
	return fail(err, errlen, FOUILLE_ENOMEM, "out of memory");
}

static int read_file(stub *out, const char *file, int depth, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return fail(err, errlen, FOUILLE_ENOTFOUND, "cannot read the stub file %s: %s", file,
			    strerror(errno));
	char line[STUB_MAX_LINE];
	unsigned lineno = 0;
	int rc = FOUILLE_OK;
	while (rc == FOUILLE_OK && fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n' && !feof(f)) {
			rc = fail(err, errlen, FOUILLE_EINVAL, "line %u of %s is too long", lineno, file);
			break;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
				 line[n - 1] == '\t'))
			line[--n] = '\0';
		char *p = line + strspn(line, " \t");
		if (!*p || *p == '#')
			continue;
		rc = read_line(out, file, lineno, p, depth, err, errlen);
	}
	if (rc == FOUILLE_OK && ferror(f))
		rc = fail(err, errlen, FOUILLE_EIO, "cannot read the stub file %s: %s", file,
			  strerror(errno));
	fclose(f);
	return rc;
}

int stub_read(stub *out, const char *file, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	int rc = read_file(out, file, 0, err, errlen);
	if (rc == FOUILLE_OK && out->n == 0)
		rc = fail(err, errlen, FOUILLE_EINVAL,
			  "the stub file %s names no shard (lines \"auto PATH\" or \"remote HOST:PORT\")",
			  file);
	if (rc != FOUILLE_OK)
		stub_free(out);
	return rc;
}

void stub_free(stub *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		shard_clear(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* ---- writing ------------------------------------------------------------------- */

/* The line for one shard argument, malloc'ed into *line. */
static int shard_line(const char *arg, char **line, char *err, size_t errlen)
{
	*line = NULL;
	if (strncmp(arg, "remote:", 7) == 0) {
		char *host;
		unsigned port;
		int rc = parse_host_port(arg + 7, &host, &port);
		if (rc == -2)
			return fail(err, errlen, FOUILLE_ENOMEM, "out of memory");
		if (rc != 0)
			return fail(err, errlen, FOUILLE_EINVAL,
				    "%s: a remote shard is remote:HOST:PORT, e.g. remote:10.0.0.12:33333",
				    arg);
		size_t n = strlen(host) + 32;
		*line = malloc(n);
		if (*line)
			snprintf(*line, n, strchr(host, ':') ? "remote [%s]:%u\n" : "remote %s:%u\n", host,
				 port);
		free(host);
		return *line ? FOUILLE_OK : fail(err, errlen, FOUILLE_ENOMEM, "out of memory");
	}
	char *abs = realpath(arg, NULL);
	if (!abs)
		return fail(err, errlen, errno == ENOMEM ? FOUILLE_ENOMEM : FOUILLE_ENOTFOUND,
			    "%s: %s", arg, strerror(errno));
	char *db = resolve_local(abs);
	free(abs);
	if (!db)
		return fail(err, errlen, FOUILLE_ENOMEM, "out of memory");
	int found = stub_dir_has_database(db);
	if (found < 0) {
		free(db);
		return fail(err, errlen, FOUILLE_ENOMEM, "out of memory");
	}
	if (!found) {
		free(db);
		return fail(err, errlen, FOUILLE_ENOTFOUND,
			    "%s holds no index (give FOLDER or FOLDER/.fouille after running "
			    "fouille-index FOLDER, or remote:HOST:PORT)",
			    arg);
	}
	size_t n = strlen(db) + 8;
	*line = malloc(n);
	if (*line)
		snprintf(*line, n, "auto %s\n", db);
	free(db);
	return *line ? FOUILLE_OK : fail(err, errlen, FOUILLE_ENOMEM, "out of memory");
}

int stub_write(const char *out, const char *const *shards, size_t n, char *err, size_t errlen)
{
	if (!out || !*out || (n && !shards))
		return fail(err, errlen, FOUILLE_EINVAL, "no stub file given");
	if (n == 0)
		return fail(err, errlen, FOUILLE_EINVAL,
			    "no shard given: name index folders and remote:HOST:PORT servers");
	if (is_dir(out))
		return fail(err, errlen, FOUILLE_EINVAL, "%s is a directory, not a stub file", out);
	char *text = NULL;
	size_t len = 0;
	static const char header[] =
		"# fouille shards, searched as one index: fouille-search --index THIS_FILE WORDS\n";
	int rc = FOUILLE_OK;
	if (!(text = strdup(header)))
		return fail(err, errlen, FOUILLE_ENOMEM, "out of memory");
	len = strlen(text);
	for (size_t i = 0; i < n && rc == FOUILLE_OK; i++) {
		char *line;
		rc = shard_line(shards[i], &line, err, errlen);
		if (rc != FOUILLE_OK)
			break;
		size_t l = strlen(line);
		char *t = realloc(text, len + l + 1);
		if (!t) {
			free(line);
			rc = fail(err, errlen, FOUILLE_ENOMEM, "out of memory");
			break;
		}
		text = t;
		memcpy(text + len, line, l + 1);
		len += l;
		free(line);
	}
	if (rc != FOUILLE_OK) {
		free(text);
		return rc;
	}
	size_t ol = strlen(out);
	char *tmp = malloc(ol + sizeof ".XXXXXX");
	if (!tmp) {
		free(text);
		return fail(err, errlen, FOUILLE_ENOMEM, "out of memory");
	}
	memcpy(tmp, out, ol);
	memcpy(tmp + ol, ".XXXXXX", sizeof ".XXXXXX");
	int fd = mkstemp(tmp);
	if (fd < 0) {
		rc = fail(err, errlen, FOUILLE_EIO, "cannot write %s: %s", out, strerror(errno));
		free(tmp);
		free(text);
		return rc;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	int werr = done < len ? (errno ? errno : EIO) : 0;
	if (!werr && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
		werr = errno;
	if (close(fd) != 0 && !werr)
		werr = errno;
	if (!werr && rename(tmp, out) != 0)
		werr = errno;
	if (werr) {
		unlink(tmp);
		rc = fail(err, errlen, FOUILLE_EIO, "cannot write %s: %s", out, strerror(werr));
	}
	free(tmp);
	free(text);
	return rc;
}
