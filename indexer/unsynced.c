/*
 * The marker of a first index written without syncing each commit (unsynced.h).
 */
#define _XOPEN_SOURCE 700
#include "unsynced.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk.h"

#define MARKER "unsynced"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define BOOT_ID_LEN 64

/* The first line of the file at `path`, without its newline, in `out`; 0, or -1 when
   the file cannot be opened ("" in `out`). */
static int first_line(const char *path, char out[BOOT_ID_LEN])
{
	out[0] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(out, BOOT_ID_LEN, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

/* This boot's id ("" when it cannot be read). */
static void boot_id(char out[BOOT_ID_LEN])
{
	first_line(BOOT_ID_PATH, out);
}

int unsynced_available(void)
{
	char id[BOOT_ID_LEN];
	boot_id(id);
	return id[0] != '\0';
}

static int sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

enum unsynced_state unsynced_state(const char *dir)
{
	char *path = walk_path_join(dir, MARKER);
	if (!path)
		return UNSYNCED_NONE;
	char written[BOOT_ID_LEN];
	int found = first_line(path, written) == 0;
	free(path);
	if (!found)
		return UNSYNCED_NONE;
	char now[BOOT_ID_LEN];
	boot_id(now);
	return now[0] && strcmp(now, written) == 0 ? UNSYNCED_SAME_BOOT : UNSYNCED_STALE;
}

int unsynced_begin(const char *dir)
{
	char id[BOOT_ID_LEN];
	boot_id(id);
	if (!id[0]) {
		errno = ENOTSUP;
		return -1;
	}
	char *path = walk_path_join(dir, MARKER ".tmp"), *final = walk_path_join(dir, MARKER);
	int rc = -1;
	if (!path || !final) {
		errno = ENOMEM;
		goto done;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		goto done;
	size_t n = strlen(id);
	id[n++] = '\n';
	int ok = write(fd, id, n) == (ssize_t)n && fsync(fd) == 0;
	int saved = errno;
	close(fd);
	errno = saved;
	/* renamed into place, then the folder synced: the marker is there, whole, before
	   any unsynced commit */
	if (ok && rename(path, final) == 0 && sync_path(dir, O_RDONLY | O_DIRECTORY) == 0)
		rc = 0;
done:
	free(path);
	free(final);
	return rc;
}

static int sync_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F)
		return sync_path(path, O_RDONLY);
	if (type == FTW_D || type == FTW_DP)
		return sync_path(path, O_RDONLY | O_DIRECTORY);
	return 0; /* a symbolic link: nothing of ours */
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

/* Apply `fn` to the catalog's files that exist: the database, its WAL and its
   shared-memory index. */
static int each_catalog_file(const char *catalog_path, int (*fn)(const char *))
{
	const char *suffixes[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(catalog_path) + strlen(suffixes[i]) + 1;
		char *p = malloc(n);
		if (!p) {
			errno = ENOMEM;
			return -1;
		}
		snprintf(p, n, "%s%s", catalog_path, suffixes[i]);
		struct stat st;
		int rc = lstat(p, &st) == 0 ? fn(p) : 0;
		int saved = errno;
		free(p);
		errno = saved;
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int remove_file(const char *path)
{
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Remove the marker, and sync `dir` so that its removal lasts. */
static int remove_marker(const char *dir)
{
	char *path = walk_path_join(dir, MARKER);
	if (!path) {
		errno = ENOMEM;
		return -1;
	}
	int rc = unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	free(path);
	if (rc == 0)
		rc = sync_path(dir, O_RDONLY | O_DIRECTORY);
	return rc;
}

int unsynced_end(const char *dir, const char *xapian_dir)
{
	if (nftw(xapian_dir, sync_entry, 16, FTW_PHYS | FTW_DEPTH) != 0)
		return -1;
	return remove_marker(dir);
}

int unsynced_drop(const char *dir, const char *xapian_dir, const char *catalog_path)
{
	struct stat st;
	if (lstat(xapian_dir, &st) == 0 && nftw(xapian_dir, remove_entry, 16, FTW_PHYS | FTW_DEPTH) != 0)
		return -1;
	if (each_catalog_file(catalog_path, remove_file) != 0)
		return -1;
	return remove_marker(dir);
}
