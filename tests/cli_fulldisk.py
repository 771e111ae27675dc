#!/usr/bin/env python3
"""A full disk while indexing: a clear error, and the index stays usable at its last
commit. The index lives on a small tmpfs when this process may mount one (root), else
the file size limit (RLIMIT_FSIZE) makes the writes fail the same way. Prints
'N passed, N failed'."""
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

import clitest
from clitest import SRC, INDEX, SEARCH, check


def run(args, limit=None):
    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    p = subprocess.run(args, capture_output=True, timeout=300, preexec_fn=limited if limit else None)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def try_mount(path, size):
    if os.geteuid() != 0 or os.environ.get("FOUILLE_TEST_NO_MOUNT"):
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path],
                          capture_output=True).returncode == 0


def full_disk(shards):
    rng = random.Random(3)
    words = ["vague", "sable", "rocher", "mouette", "voilier", "port", "quai", "filet", "marin"]
    with tempfile.TemporaryDirectory(prefix=f"fouille-disk-{shards}-") as tmp:
        folder = os.path.join(tmp, "articles")
        shutil.copytree(os.path.join(SRC, "corpus"), folder, ignore=shutil.ignore_patterns(".fouille"))
        small = os.path.join(tmp, "small")
        os.makedirs(small)
        mounted = try_mount(small, "3m")
        limit = None if mounted else 2 * 1000 * 1000
        print("full disk by", "a 3 MB tmpfs" if mounted else "RLIMIT_FSIZE of 2 MB", file=sys.stderr)
        index_dir = os.path.join(small, "idx")
        try:
            # with shards, which commit each in its own thread, a full disk may stop some
            # and not others: the spelling data must then be counted again, not lost
            rc, out, err = run([INDEX, "--shards", str(shards), "--index", index_dir, folder], limit)
            check(rc == 0, f"{shards} shard(s): the corpus fits", out + err)
            # far more text than the disk holds
            for i in range(400):
                body = " ".join(f"{rng.choice(words)}{rng.randrange(10**6)}" for _ in range(1500))
                with open(os.path.join(folder, f"gros-{i}.txt"), "w") as f:
                    f.write(f"Article volumineux {i}\n\nPremier paragraphe.\n\n{body}\n")
            rc, out, err = run([INDEX, "--index", index_dir, folder], limit)
            check(rc == 2, f"{shards} shard(s): a full disk stops the update with status 2", f"rc={rc}\n{out}{err}")
            said = err.lower()
            check(("no space" in said or "file too large" in said) and "last commit" in said,
                  "the message says what went wrong and that the index is kept", err)
            check("Traceback" not in err and "terminate called" not in err and "Sanitizer" not in err,
                  "no crash", err)
            # the index is still usable at its last commit
            rc, out, err = run([SEARCH, "--index", index_dir, "--json", "--", "réfugiés"])
            doc = json.loads(out) if rc in (0, 1) and out else {"total": 0}
            check(rc == 0 and doc["total"] >= 1, f"{shards} shard(s): searches still work after the failure", out + err)
            if mounted:
                # room again: the next run completes and both stores agree
                subprocess.run(["mount", "-o", "remount,size=200m", small], check=True)
                rc, out, err = run([INDEX, "--index", index_dir, folder])
                check(rc == 0 and "400 added" in out, f"{shards} shard(s): with room again the update completes", out + err)
            else:
                rc, out, err = run([INDEX, "--index", index_dir, folder])
                check(rc == 0, f"{shards} shard(s): without the limit the update completes", out + err)
            rc, out, err = run([INDEX, "--check", "--index", index_dir])
            check(rc == 0 and "agree" in out, f"{shards} shard(s): index and catalog agree afterwards", out + err)
        finally:
            if mounted:
                subprocess.run(["umount", small])


def main():
    full_disk(1)
    full_disk(2)
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
