#!/usr/bin/env python3
"""Hostile file names and where fouille writes: names with newlines, quotes, backslashes
and bytes that are not UTF-8 are indexed, printed NUL-separated by `--paths -0`, and
escaped in JSON; an update writes nothing outside the index directory. Prints
'N passed, N failed'."""
import json
import os
import sys
import tempfile

import clitest
from clitest import INDEX, SEARCH, check


def run(args):
    return clitest.run(args, timeout=120, wrap=False, binary=True)


def snapshot(top, skip):
    """Every path below top (but skip) with its size and mtime."""
    seen = {}
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if os.path.join(root, d) != skip]
        for name in dirs:
            seen[os.path.join(root, name)] = "dir"  # a folder's mtime moves when the index is made in it
        for name in files:
            p = os.path.join(root, name)
            st = os.lstat(p)
            seen[p] = (st.st_size, st.st_mtime_ns)
    return seen


def main():
    names = [b"retour\nligne.txt", b'guillemets "doubles" et \'simples\'.txt', b"barre\\oblique.txt",
             b"latin1-\xe9t\xe9.txt", b"espace final .txt", b"-commence-par-tiret.txt"]
    with tempfile.TemporaryDirectory(prefix="fouille-paths-") as tmp:
        top = tmp.encode()
        folder = os.path.join(top, b"articles")
        os.makedirs(folder)
        for i, name in enumerate(names):
            with open(os.path.join(folder, name), "wb") as f:
                f.write(f"Titre numéro {i}\n\nUn article sur les salamandres, numéro {i}.\n".encode())
        before = snapshot(top, os.path.join(top, b"articles", b".fouille"))
        rc, out, err = run([INDEX, folder])
        check(rc == 0, "names with newlines, quotes and invalid UTF-8 are indexed", out.decode() + err)
        after = snapshot(top, os.path.join(top, b"articles", b".fouille"))
        check(before == after, "nothing changed outside the index directory",
              str(set(after.items()) ^ set(before.items())))

        idx = os.path.join(folder, b".fouille")
        rc, out, err = run([SEARCH, "--index", idx, "--paths", "-0", "--limit", "50", "salamandre"])
        got = sorted(p for p in out.split(b"\0") if p)
        want = sorted(os.path.join(os.path.realpath(folder), n) for n in names)
        check(rc == 0 and out.endswith(b"\0") and got == want, "--paths -0 prints the exact names, NUL-separated",
              f"{got!r}\n{want!r}\n{err}")

        rc, out, err = run([SEARCH, "--index", idx, "--json", "--limit", "50", "salamandre"])
        try:
            doc = json.loads(out.decode("utf-8"))
            paths = sorted(h["path"] for h in doc["hits"])
            ok = len(paths) == len(names)
        except (ValueError, UnicodeDecodeError) as ex:
            paths, ok = [], False
            print(ex, file=sys.stderr)
        check(ok, "JSON output with hostile names is valid UTF-8 JSON", out[:300])
        check(any("\n" in p for p in paths) and any('"' in p for p in paths) and any("\\" in p for p in paths),
              "newlines, quotes and backslashes come back from JSON", str(paths))
        check(any("\ufffd" in p for p in paths), "bytes that are not UTF-8 become U+FFFD in JSON", str(paths))

        rc, out, err = run([SEARCH, "--index", idx, "--paths", "salamandre"])
        check(rc == 0 and out.count(b"\n") >= len(names), "--paths without -0 still prints every path", out)
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
