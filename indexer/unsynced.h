/*
 * A first index written without syncing each commit to disk.
 *
 * Xapian syncs every table at each commit (fdatasync): a first index of 100,000
 * synthetic articles (bench/) took 128 s with those syncs, 104 s without. While an index is being built
 * from nothing there is nothing earlier to protect, so its writer opens the databases
 * with Xapian's DB_NO_SYNC, and the update that finishes the build syncs each of their
 * files once at its end. Meanwhile the index directory holds a marker, "unsynced", with the
 * machine's boot id:
 *  - a process killed (or stopped by a failure) leaves its commits in the page cache,
 *    whole and readable: the next run, on the same boot, goes on with the index (and
 *    without syncs, until its own end);
 *  - a machine that stopped (power cut, crash) may have lost any part of them, in any
 *    order: the next run, finding another boot id, builds the index again from nothing.
 * Without a boot id to compare (no /proc), every commit is synced, as before.
 */
#ifndef FOUILLE_UNSYNCED_H
#define FOUILLE_UNSYNCED_H

/* What the marker in `dir` says. */
enum unsynced_state {
	UNSYNCED_NONE,      /* no marker: the index, if any, is synced */
	UNSYNCED_SAME_BOOT, /* written unsynced since this machine started: go on with it */
	UNSYNCED_STALE      /* written unsynced before the machine last started: lost */
};

/* The marker's state in the index directory `dir`. A marker found when this boot's id
 * cannot be read is UNSYNCED_STALE: nothing says the machine did not stop since. */
enum unsynced_state unsynced_state(const char *dir);

/* Whether this machine gives a boot id (unsynced writing is possible). */
int unsynced_available(void);

/* Write the marker in `dir`, durably, before the first unsynced commit. 0, or -1 with
 * errno set. */
int unsynced_begin(const char *dir);

/* Sync every file and folder under `xapian_dir`, then remove the marker from `dir`,
 * durably. 0, or -1 with errno set (the marker then stays). The catalog is left to
 * SQLite: opening and closing its files here would drop SQLite's locks on them (a
 * process loses its POSIX locks on a file with any descriptor of it it closes), and
 * a tail it loses is rebuilt from the index (catalog.c). */
int unsynced_end(const char *dir, const char *xapian_dir);

/* Remove an index lost with its machine: everything under `xapian_dir` and the catalog
 * at `catalog_path` (with its WAL and shared-memory files), then the marker in `dir`.
 * 0, or -1 with errno set. */
int unsynced_drop(const char *dir, const char *xapian_dir, const char *catalog_path);

#endif
