#!/usr/bin/env python3
"""A first index is written without a sync at each commit, and synced once at its end
(indexer/unsynced.h). The real binaries, on generated folders:
- during a first build the index directory holds the marker "unsynced" (this boot's id);
  a complete build removes it; a later update of the index neither writes it nor
  leaves it;
- a first build killed with SIGKILL is taken up by the next run, on the same boot:
  what it committed stays (counted unchanged, not added again), and the result is whole;
- a marker from another boot (the machine stopped during a first build) makes the next
  run say so and build the index again from nothing, even when the databases it left
  are damaged; fouille-index --check then finds nothing, and every article is found;
- with strace at hand: a first build syncs each file once at its end, where an update
  of the index syncs at its commits (Xapian's fdatasync).
Prints 'N passed, N failed'."""
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

import clitest
from clitest import INDEX, SEARCH, check

N = 400
BOOT_ID = "/proc/sys/kernel/random/boot_id"


def run(args, timeout=300):
    return clitest.run(args, timeout=timeout, wrap=False)


def make_folder(path, seed):
    rng = random.Random(seed)
    words = ("phare", "écluse", "marée", "goéland", "falaise", "chalutier", "estuaire", "récif")
    os.makedirs(path)
    for i in range(N):
        body = " ".join(rng.choice(words) for _ in range(400))
        with open(os.path.join(path, f"a{i:04d}.txt"), "w") as f:
            f.write(f"Chronique du port {i}\n\nUn article du littoral.\n\npar\nLoïc Perrault\n"
                    f"12 avril 2023\n\n{body}. La clé est {i}k7.\n")


def counts(out):
    """The 'N added, N updated, ..., N unchanged' line as a dict."""
    for line in out.splitlines():
        if "added," in line:
            return {w: int(n) for n, w in (p.strip().split(" ", 1) for p in line.split(","))}
    return {}


def whole(folder, what):
    rc, out, err = run([INDEX, "--check", folder])
    check(rc == 0 and "agree" in out, f"{what}: --check finds nothing", out + err)
    index_dir = os.path.join(folder, ".fouille")
    missing = []
    for i in range(0, N, 37):
        rc, out, err = run([SEARCH, "--index", index_dir, "--json", "--", f"{i}k7"])
        try:
            if json.loads(out)["total"] != 1:
                missing.append(i)
        except ValueError:
            missing.append(i)
    check(not missing, f"{what}: every article sampled is found once", str(missing))


def test_marker_lifecycle(tmp, boot):
    folder = os.path.join(tmp, "life")
    make_folder(folder, 1)
    marker = os.path.join(folder, ".fouille", "unsynced")
    p = subprocess.Popen([INDEX, "--quiet", "--commit-every", "5", folder],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = None
    while p.poll() is None:
        try:
            with open(marker) as f:
                seen = f.read().strip() or seen
        except OSError:
            pass
        time.sleep(0.002)
    check(p.returncode == 0, "a first build completes")
    check(seen == boot, "during a first build the marker holds this boot's id", repr(seen))
    check(not os.path.exists(marker), "a complete first build removes the marker")
    with open(os.path.join(folder, "a0001.txt"), "a") as f:
        f.write("Une phrase de plus.\n")
    rc, out, err = run([INDEX, folder])
    check(rc == 0 and counts(out).get("updated") == 1, "an update of the index", out + err)
    check(not os.path.exists(marker), "an update of a synced index leaves no marker")
    whole(folder, "after a first build and an update")


def test_killed_first_build(tmp):
    folder = os.path.join(tmp, "killed")
    make_folder(folder, 2)
    catalog = os.path.join(folder, ".fouille", "catalog.sqlite")
    marker = os.path.join(folder, ".fouille", "unsynced")
    taken_up = 0
    for attempt in range(5):
        shutil.rmtree(os.path.join(folder, ".fouille"), ignore_errors=True)
        p = subprocess.Popen([INDEX, "--quiet", "--commit-every", "5", folder],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # killed once some commits are in: the catalog holds rows
        deadline = time.monotonic() + 60
        committed = 0
        while p.poll() is None and time.monotonic() < deadline and committed < N // 4:
            try:
                db = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=1)
                try:
                    committed = db.execute("select count(*) from articles").fetchone()[0]
                finally:
                    db.close()
            except sqlite3.Error:
                pass
            time.sleep(0.01)
        if p.poll() is not None:
            continue  # it ended first: try again
        p.send_signal(signal.SIGKILL)
        p.wait()
        check(os.path.exists(marker), "a first build killed leaves its marker")
        rc, out, err = run([INDEX, folder])
        c = counts(out)
        check(rc == 0 and c.get("unchanged", 0) > 0 and c.get("added", 0) + c.get("unchanged", 0) == N,
              "the run after the kill takes the build up where it stopped", out + err)
        check("machine stopped" not in err, "on the same boot, nothing is built again", err)
        check(not os.path.exists(marker), "the run that completes the build removes the marker")
        whole(folder, f"a killed first build taken up (attempt {attempt})")
        taken_up += 1
        break
    check(taken_up == 1, "a first build was killed mid-run once in 5 attempts")


def test_stale_marker(tmp):
    folder = os.path.join(tmp, "stale")
    make_folder(folder, 3)
    index_dir = os.path.join(folder, ".fouille")
    rc, out, err = run([INDEX, folder])
    check(rc == 0, "first build", out + err)
    # the machine stopped during the build: another boot's id, and a damaged database
    with open(os.path.join(index_dir, "unsynced"), "w") as f:
        f.write("00000000-0000-0000-0000-000000000000\n")
    damaged = 0
    for root, dirs, names in os.walk(os.path.join(index_dir, "xapian")):
        for name in names:
            if name.startswith("postlist."):
                with open(os.path.join(root, name), "r+b") as f:
                    f.truncate(8192)
                damaged += 1
    check(damaged >= 1, "a postlist table was damaged")
    rc, out, err = run([SEARCH, "--index", index_dir, "--", "phare"])
    check(rc not in (0, 1), "the damaged index fails a search (the damage is real)", out + err)
    rc, out, err = run([INDEX, folder])
    check(rc == 0 and counts(out).get("added") == N, "the next run builds the whole index again", out + err)
    check("was being built when the machine stopped" in err, "and says why", err)
    check(not os.path.exists(os.path.join(index_dir, "unsynced")), "the rebuilt index has no marker")
    whole(folder, "an index lost with its machine, rebuilt")


def syncs(args):
    """fsync and fdatasync calls of a run under strace (all threads)."""
    fd, log = tempfile.mkstemp()
    os.close(fd)
    try:
        # LeakSanitizer cannot run under ptrace: the leak check is the other runs' job
        asan = os.environ.get("ASAN_OPTIONS", "")
        env = {"ASAN_OPTIONS": (asan + ":" if asan else "") + "detect_leaks=0"}
        rc, out, err = clitest.run(["strace", "-f", "-qq", "-o", log, "-e", "trace=fsync,fdatasync"] + args,
                                   env=env, wrap=False)
        n = {"fsync": 0, "fdatasync": 0}
        with open(log) as f:
            for line in f:
                for k in n:
                    if f" {k}(" in line or line.startswith(f"{k}("):
                        n[k] += 1
        return rc, n
    finally:
        os.remove(log)


def test_syncs(tmp):
    if not shutil.which("strace"):
        print("note: strace not installed; the sync counts are not checked", file=sys.stderr)
        return
    folder = os.path.join(tmp, "syncs")
    make_folder(folder, 4)
    rc, first = syncs([INDEX, "--quiet", "--shards", "2", "--commit-every", "20", folder])
    check(rc == 0, "first build under strace", str(first))
    # each file of the two databases, and their folders, once: a few
    # dozen fsync calls, where Xapian's syncs at 20 commits of 2 databases would be
    # hundreds of fdatasync calls
    check(0 < first["fsync"] < 60 and first["fdatasync"] < 60,
          "a first build syncs each file once, at its end", str(first))
    for i in range(0, N, 2):
        with open(os.path.join(folder, f"a{i:04d}.txt"), "a") as f:
            f.write("Une phrase de plus.\n")
    rc, update = syncs([INDEX, "--quiet", "--commit-every", "20", folder])
    check(rc == 0, "update under strace")
    check(update["fdatasync"] > 100, "an update syncs at each commit", str(update))


def main():
    try:
        with open(BOOT_ID) as f:
            boot = f.read().strip()
    except OSError:
        print("no boot id on this machine: every commit is synced, nothing to test here")
        return clitest.summary()
    with tempfile.TemporaryDirectory() as tmp:
        test_marker_lifecycle(tmp, boot)
        test_killed_first_build(tmp)
        test_stale_marker(tmp)
        test_syncs(tmp)
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
