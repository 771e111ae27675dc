#!/usr/bin/env python3
"""CLI tests: the real fouille-index and fouille-search on a copy of corpus/ and on
generated folders. Run by ctest with FOUILLE_BIN (the build directory) and
FOUILLE_SOURCE_DIR set; prints 'N passed, N failed'."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata

import clitest
from clitest import SRC, INDEX, SEARCH, EXAMPLE, check


def run(args, cwd=None, env=None):
    return clitest.run(args, cwd=cwd, env=env, timeout=120)


def search_json(folder, *words, extra=()):
    rc, out, err = run([SEARCH, "--index", os.path.join(folder, ".fouille"), "--json", *extra, "--", *words])
    try:
        doc = json.loads(out)
    except ValueError as ex:
        check(False, f"JSON output of {words} parses", f"{ex}: {out[:300]!r} {err!r}")
        return rc, {"hits": [], "total": 0, "relaxed": False}, err
    return rc, doc, err


def summary_counts(out):
    """{'added': n, ...} from fouille-index's summary."""
    counts = {}
    for line in out.splitlines():
        for part in line.replace(";", ",").split(","):
            words = part.split()
            if len(words) >= 2 and words[0].isdigit():
                counts.setdefault(words[1], int(words[0]))
    return counts


def fold(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).lower()


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


ARTICLE = """{title}

{lead}

par
Camille Dubois
12 avril 2023
Temps de lecture 2 min.

{body}
"""


def test_corpus(tmp):
    folder = os.path.join(tmp, "corpus")
    shutil.copytree(os.path.join(SRC, "corpus"), folder, ignore=shutil.ignore_patterns(".fouille"))
    n_articles = len([f for f in os.listdir(folder) if f.endswith(".txt")])
    check(n_articles >= 30, "corpus/ has at least 30 articles", str(n_articles))

    rc, out, err = run([INDEX, folder])
    check(rc == 0, "fouille-index corpus exits 0", out + err)
    c = summary_counts(out)
    check(c.get("added") == n_articles, "every article added", out)
    check(c.get("failed") == 0, "no failure on corpus/", out + err)

    # accents, case and elision do not matter
    for words in (["armee"], ["armée"], ["ARMÉE"], ["l’armée"], ["l'armee"]):
        rc, doc, err = search_json(folder, *words)
        check(rc == 0 and doc["total"] > 0, f"{words} finds articles", err)
    _, a, _ = search_json(folder, "armee")
    _, b, _ = search_json(folder, "armée")
    check([h["path"] for h in a["hits"]] == [h["path"] for h in b["hits"]],
          "armee and armée find the same articles in the same order")
    for words in (["election", "presidentielle"], ["refugies"], ["securite"], ["greve"], ["energie"],
                  ["hopital"], ["economie"]):
        rc, doc, err = search_json(folder, *words)
        check(rc == 0 and doc["total"] > 0, f"unaccented {words} finds accented articles", err)
        for h in doc["hits"]:
            snippet = h["snippet"].encode("utf-8")
            check(h["highlights"] or h["title"], f"{words}: hit {h['path']} has highlights or a title match")
            for start, end in h["highlights"]:
                word = snippet[start:end].decode("utf-8")  # must be whole characters
                check(fold(word)[:4] in [fold(w)[:4] for w in words],
                      f"{words}: highlighted {word!r} is a query word", h["snippet"])

    # JSON shape
    _, doc, _ = search_json(folder, "sécurité")
    check(set(doc) >= {"query", "total", "relaxed", "hits"}, "JSON has query, total, relaxed, hits")
    check(doc["query"] == "sécurité", "JSON query round-trips", repr(doc["query"]))
    for h in doc["hits"]:
        check(set(h) >= {"rank", "path", "title", "author", "date", "score", "snippet", "highlights"},
              "JSON hit has every field", str(h.keys()))
        check(os.path.exists(os.path.join(tmp, h["path"])) or os.path.exists(h["path"]),
              "JSON path points at the file", h["path"])
    ranks = [h["rank"] for h in doc["hits"]]
    check(ranks == list(range(1, len(ranks) + 1)), "ranks are 1..n", str(ranks))
    scores = [h["score"] for h in doc["hits"]]
    check(scores == sorted(scores, reverse=True), "hits sorted by score", str(scores))

    # --limit, --offset
    _, all10, _ = search_json(folder, "france")
    _, lim2, _ = search_json(folder, "france", extra=("--limit", "2"))
    _, off1, _ = search_json(folder, "france", extra=("--limit", "2", "--offset", "1"))
    if all10["total"] >= 3:
        check([h["path"] for h in lim2["hits"]] == [h["path"] for h in all10["hits"][:2]], "--limit 2")
        check([h["path"] for h in off1["hits"]] == [h["path"] for h in all10["hits"][1:3]], "--offset 1")
        check(off1["hits"][0]["rank"] == 2, "rank counts the offset")

    # stopwords and punctuation only: a clear message, not a crash
    for words in (["le", "la", "les"], ["?!;"], ["«", "»"], ["-"], ["l'"]):
        rc, out, err = run([SEARCH, "--index", os.path.join(folder, ".fouille"), "--", *words])
        check(rc == 1 and "nothing to search for" in err, f"query {words} gets a clear message",
              f"rc={rc} out={out!r} err={err!r}")

    # relaxed: no article has every word
    rc, doc, _ = search_json(folder, "armée", "xyzzyquux")
    check(doc["relaxed"] is True and doc["total"] > 0, "no article has every word: any word, said so")
    rc, out, _ = run([SEARCH, "--index", os.path.join(folder, ".fouille"), "armée", "xyzzyquux"])
    check("No article has every word" in out, "the text output says the search was relaxed", out[:200])

    # exclusion: the query as one argument or after --
    _, base, _ = search_json(folder, "guerre")
    if base["total"] > 1:
        victim = base["hits"][0]["title"].split()[0]
        _, excl1, _ = search_json(folder, "guerre -" + victim)
        rc, out, err = run([SEARCH, "--index", os.path.join(folder, ".fouille"), "--json", "--", "guerre", "-" + victim])
        excl2 = json.loads(out)
        check([h["path"] for h in excl1["hits"]] == [h["path"] for h in excl2["hits"]],
              "'guerre -x' and -- guerre -x mean the same")

    # phrase
    rc, doc, _ = search_json(folder, '"peut-être"')
    check(rc in (0, 1), "phrase query runs")

    # text output: markers when not a terminal, NO_COLOR respected
    rc, out, _ = run([SEARCH, "--index", os.path.join(folder, ".fouille"), "securite"])
    check(rc == 0 and "[" in out and "]" in out and "\033[" not in out,
          "plain markers around highlights when not a terminal", out[:400])
    check("1. " in out, "text output numbers the hits")

    # --paths
    rc, out, _ = run([SEARCH, "--index", os.path.join(folder, ".fouille"), "--paths", "securite"])
    paths = out.splitlines()
    check(rc == 0 and paths and all(p.endswith(".txt") for p in paths), "--paths prints paths", out)

    # finding the index: from inside the folder, and through FOUILLE_INDEX
    sub = os.path.join(folder, "sous-dossier")
    os.makedirs(sub, exist_ok=True)
    rc, out, err = run([SEARCH, "--paths", "securite"], cwd=sub)
    check(rc == 0 and out.strip(), "the nearest .fouille is found from a subfolder", err)
    rc, out, err = run([SEARCH, "--paths", "securite"], cwd=tmp,
                       env={"FOUILLE_INDEX": os.path.join(folder, ".fouille")})
    check(rc == 0 and out.strip(), "FOUILLE_INDEX is honoured", err)
    rc, out, err = run([SEARCH, "securite"], cwd="/")
    check(rc == 2 and "no index" in err, "no index found: a clear message", err)

    # the embedding example
    rc, out, err = run([EXAMPLE, os.path.join(folder, ".fouille"), "réfugiés"])
    check(rc == 0 and "matches" in out, "examples/search_example runs", out + err)
    return folder


def test_incremental(tmp):
    folder = os.path.join(tmp, "incr")
    for i in range(5):
        write(os.path.join(folder, f"a{i}.txt"), ARTICLE.format(
            title=f"Article numéro {i} sur la météo", lead="Un résumé de l’article.",
            body=f"Le corps du texte parle de pluie et de vent, mot{i}unique."))
    rc, out, err = run([INDEX, folder])
    c = summary_counts(out)
    check(rc == 0 and c.get("added") == 5, "5 added", out + err)

    rc, out, _ = run([INDEX, folder])
    c = summary_counts(out)
    check(c.get("unchanged") == 5 and c.get("added") == 0, "re-run: 5 unchanged", out)

    # touched but unchanged: not re-indexed
    os.utime(os.path.join(folder, "a0.txt"), (1, 1))
    rc, out, _ = run([INDEX, folder])
    c = summary_counts(out)
    check(c.get("unchanged") == 5 and c.get("updated") == 0, "touched file: unchanged", out)

    # added
    write(os.path.join(folder, "sub", "b.txt"), ARTICLE.format(
        title="Un nouvel article", lead="Nouveau.", body="Il parle de cerfs-volants."))
    rc, out, _ = run([INDEX, folder])
    c = summary_counts(out)
    check(c.get("added") == 1 and c.get("unchanged") == 5, "new file: 1 added", out)
    _, doc, _ = search_json(folder, "cerf-volant")
    check(doc["total"] == 1, "the new article is found")

    # changed
    write(os.path.join(folder, "a1.txt"), ARTICLE.format(
        title="Article numéro 1 réécrit", lead="Tout a changé.", body="Désormais il parle de tramways."))
    rc, out, _ = run([INDEX, folder])
    c = summary_counts(out)
    check(c.get("updated") == 1, "changed file: 1 updated", out)
    _, doc, _ = search_json(folder, "mot1unique")
    check(doc["total"] == 0, "the old text of a changed article is gone")
    _, doc, _ = search_json(folder, "tramway")
    check(doc["total"] == 1, "the new text of a changed article is found")

    # renamed: moved, not analysed again
    os.rename(os.path.join(folder, "a2.txt"), os.path.join(folder, "renamed.txt"))
    rc, out, _ = run([INDEX, folder, "--verbose"])
    c = summary_counts(out)
    check(c.get("renamed") == 1 and c.get("added") == 0 and c.get("removed") == 0,
          "renamed file: 1 renamed", out)
    _, doc, _ = search_json(folder, "mot2unique")
    check(doc["total"] == 1 and doc["hits"][0]["path"].endswith("renamed.txt"),
          "the renamed article is found at its new path", str(doc["hits"]))

    # deleted
    os.remove(os.path.join(folder, "a3.txt"))
    rc, out, _ = run([INDEX, folder])
    c = summary_counts(out)
    check(c.get("removed") == 1, "deleted file: 1 removed", out)
    _, doc, _ = search_json(folder, "mot3unique")
    check(doc["total"] == 0, "a deleted article is no longer found")

    # the catalog agrees with the index
    import sqlite3
    db = sqlite3.connect(os.path.join(folder, ".fouille", "catalog.sqlite"))
    rows = sorted(r[0] for r in db.execute("SELECT path FROM articles"))
    db.close()
    check(rows == ["a0.txt", "a1.txt", "a4.txt", "renamed.txt", "sub/b.txt"], "catalog rows", str(rows))

    # --index elsewhere
    other = os.path.join(tmp, "elsewhere-index")
    rc, out, err = run([INDEX, "--index", other, folder])
    check(rc == 0 and os.path.isdir(os.path.join(other, "xapian")), "--index DIR puts the index there", err)
    rc, out, err = run([SEARCH, "--index", other, "--paths", "tramway"])
    check(rc == 0 and out.strip().endswith("a1.txt"), "search with --index DIR", out + err)


def test_bad_files(tmp):
    folder = os.path.join(tmp, "bad")
    write(os.path.join(folder, "good.txt"), ARTICLE.format(
        title="Un bon article", lead="Il est lisible.", body="Les hirondelles reviennent."))
    write(os.path.join(folder, "victim.txt"), ARTICLE.format(
        title="Article bientôt abîmé", lead="Il sera abîmé.", body="Les mésanges restent."))
    rc, out, err = run([INDEX, folder])
    check(rc == 0, "first index of the bad folder", out + err)

    write(os.path.join(folder, "undecodable.txt"), b"Ni UTF-8 ni Windows-1252 \x81\x8d\n\nLe corps.\n", "wb")
    write(os.path.join(folder, "binary.txt"), b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)), "wb")
    write(os.path.join(folder, "empty.txt"), "")
    write(os.path.join(folder, "blank.txt"), "  \n\n \n")
    write(os.path.join(folder, "big.txt"), ARTICLE.format(title="Gros", lead="x", body="mot " * 5000))
    write(os.path.join(folder, "notes.pdf"), "%PDF-1.4\n")
    os.symlink("nowhere.txt", os.path.join(folder, "broken.txt"))
    # an article already indexed that turns bad: what was indexed stays
    write(os.path.join(folder, "victim.txt"), b"\x7fELF binary now \x00\x01\x02", "wb")
    rc, out, err = run([INDEX, "--max-size", "0.01", folder])
    check(rc == 1, "bad files: exit status 1", f"rc={rc}")
    for name, reason in (("undecodable.txt", "Windows-1252"), ("binary.txt", "binary"), ("empty.txt", "empty"),
                         ("blank.txt", "empty"), ("big.txt", "too large"), ("broken.txt", "link"),
                         ("victim.txt", "binary")):
        line = [l for l in err.splitlines() if name in l]
        check(line and reason in line[0], f"{name} reported with its reason ({reason})", err)
    c = summary_counts(out)
    check(c.get("unchanged") == 1, "the good file is still there", out)
    _, doc, _ = search_json(folder, "hirondelle")
    check(doc["total"] == 1, "the good article is searchable")
    _, doc, _ = search_json(folder, "mesange")
    check(doc["total"] == 1, "an indexed article that turned bad is not lost")

    if os.geteuid() != 0:  # root reads everything: the permission case only works for others
        os.chmod(os.path.join(folder, "good.txt"), 0)
        os.utime(os.path.join(folder, "good.txt"), (2, 2))
        rc, out, err = run([INDEX, folder])
        check("good.txt" in err and "Permission denied" in err, "unreadable file reported", err)
        _, doc, _ = search_json(folder, "hirondelle")
        check(doc["total"] == 1, "an unreadable article is not lost")

    # a symlink loop is reported, not followed forever
    loop = os.path.join(tmp, "loop")
    write(os.path.join(loop, "a.txt"), ARTICLE.format(title="Boucle", lead="x", body="Les boucles."))
    os.makedirs(os.path.join(loop, "sub"))
    os.symlink("..", os.path.join(loop, "sub", "back"))  # loop/sub/back is loop again
    rc, out, err = run([INDEX, loop])
    check(rc == 1 and "loop" in err, "a symlink loop is reported", out + err)
    _, doc, _ = search_json(loop, "boucle")
    check(doc["total"] == 1, "a folder with a symlink loop is indexed")

    # folder problems
    rc, out, err = run([INDEX, os.path.join(tmp, "does-not-exist")])
    check(rc == 2 and "does-not-exist" in err, "a missing folder is named", err)
    rc, out, err = run([INDEX])
    check(rc == 2 and "usage" in err, "no folder: usage", err)


def run_in_pty(args, env=None, timeout=60):
    """Run args with stdout (and stdin) on a pseudo-terminal, stderr on a pipe.
    Returns (rc, output as text with the terminal's \r\n turned back into \n, stderr)."""
    import pty
    import select
    import time
    e = dict(os.environ)
    e.pop("FOUILLE_INDEX", None)
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=e)
    finally:
        os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed its end of the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif p.poll() is not None:
                # drain what is left, then stop
                ready, _, _ = select.select([master], [], [], 0.2)
                if not ready:
                    break
    finally:
        os.close(master)
    try:
        err = p.stderr.read()
        rc = p.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
        err = b"(timed out)"
    out = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return rc, out, err.decode("utf-8", "replace")


def sane(err):
    """No sanitizer report and no crash message in a program's stderr."""
    return "Sanitizer" not in err and "runtime error" not in err and "Segmentation" not in err


def test_terminal_and_arguments(folder):
    index = os.path.join(folder, ".fouille")

    # on a terminal: bold around highlights, no plain markers
    rc, out, err = run_in_pty([SEARCH, "--index", index, "securite"])
    check(rc == 0, "search on a terminal exits 0", f"rc={rc} {err!r}")
    check("\033[" in out, "a terminal gets escape sequences", out[:400])
    check("\033[1;33m" in out and "\033[0m" in out, "highlights are bold (1;33m ... 0m)", repr(out[:400]))
    hl = [seg.split("\033[0m")[0] for seg in out.split("\033[1;33m")[1:]]
    check(hl and all(fold(w)[:5] == "secur" for w in hl), "every bold span is the query word", str(hl[:5]))
    check("[s" not in out.lower() and "[S" not in out, "no plain markers on a terminal", repr(out[:400]))

    # NO_COLOR on a terminal: no escapes at all, plain markers
    rc, out, err = run_in_pty([SEARCH, "--index", index, "securite"], env={"NO_COLOR": "1"})
    check(rc == 0, "search with NO_COLOR exits 0", f"rc={rc} {err!r}")
    check("\033[" not in out, "NO_COLOR: no escape sequence", repr(out[:400]))
    check("[" in out and "]" in out, "NO_COLOR: plain markers", out[:400])
    marked = [seg.split("]")[0] for seg in out.split("[")[1:]]
    check(marked and all(fold(w)[:5] == "secur" for w in marked), "NO_COLOR: markers around the query word",
          str(marked[:5]))
    # an empty NO_COLOR does not count (no-color.org)
    rc, out, err = run_in_pty([SEARCH, "--index", index, "securite"], env={"NO_COLOR": ""})
    check("\033[" in out, "an empty NO_COLOR keeps the colours", repr(out[:200]))

    # --help
    for prog, name in ((INDEX, "fouille-index"), (SEARCH, "fouille-search")):
        for opt in ("--help", "-h"):
            rc, out, err = run([prog, opt])
            check(rc == 0 and out.startswith("usage: " + name) and "--help" in out and not err,
                  f"{name} {opt}: usage on stdout, exit 0", f"rc={rc} {out[:200]!r} {err!r}")
        rc, out, err = run([prog, "--version"])
        check(rc == 0 and out.strip().startswith(name + " ") and out.strip()[-1].isdigit(),
              f"{name} --version", out)

    # unknown options: exit 2 and the option named
    for args in ([INDEX, "--frobnicate", folder], [INDEX, "-z", folder], [SEARCH, "--index", index, "--frobnicate", "guerre"],
                 [SEARCH, "--frobnicate"]):
        rc, out, err = run(args)
        check(rc == 2 and "unknown option" in err and args[-2 if args[-1] in (folder, "guerre") else -1] in err,
              f"{args[0].split('/')[-1]} {args[1:]}: unknown option, exit 2", f"rc={rc} {err!r}")
    # a single dash word is an exclusion for fouille-search, not an option
    rc, out, err = run([SEARCH, "--index", index, "guerre", "-zzzqqq"])
    check(rc == 0 and "unknown option" not in err, "-word is an exclusion, not an option", f"rc={rc} {err!r}")

    # --limit, --offset, --snippet-chars that are not numbers
    for args, msg in ((["--limit", "0"], "at least 1"), (["--limit", "abc"], "needs a number"),
                      (["--limit", "-3"], "needs a number"), (["--limit", "5x"], "needs a number"),
                      (["--offset", "abc"], "needs a number"),
                      (["--limit", ""], "needs a number"), (["--offset", ""], "needs a number"),
                      (["--offset", " 3"], "needs a number"), (["--snippet-chars", ""], "needs a number"),
                      (["--snippet-chars", "5"], "at least 20"), (["--limit"], "needs a number")):
        query = ["guerre"] if len(args) == 2 else []
        rc, out, err = run([SEARCH, "--index", index, *query, *args])
        check(rc == 2 and msg in err and not out, f"fouille-search {args}: exit 2 with '{msg}'",
              f"rc={rc} out={out[:100]!r} err={err!r}")
    for args in (["--max-size", "abc"], ["--max-size", "0"], ["--max-size"], ["--index"]):
        rc, out, err = run([INDEX, *args] + ([folder] if len(args) == 2 else []))
        check(rc == 2 and "fouille-index:" in err, f"fouille-index {args}: exit 2 with a message", f"rc={rc} {err!r}")
    rc, out, err = run([SEARCH, "--index", index])
    check(rc == 2 and "what should I search for" in err, "no query: exit 2 with a message", err)

    # queries a person might paste: never an error, never a crash
    long_queries = {
        "10,000 letters in one word": "a" * 10000,
        "10,000 accented letters": "é" * 5000,
        "2,500 words": "mot " * 2500,
        "10,000 characters of words and stopwords": ("la guerre des réfugiés " * 500)[:10000],
        "10,000 quotes and dashes": ('"-(' * 3334)[:10000],
    }
    for what, q in long_queries.items():
        rc, out, err = run([SEARCH, "--index", index, "--", q])
        check(rc in (0, 1) and sane(err), f"a query of {what}: exit 0 or 1", f"rc={rc} err={err[-400:]!r}")
    rc, out, err = run([SEARCH, "--index", index, "--json", "--", "é" * 5000])
    try:
        doc = json.loads(out)
        check(doc["query"] == "é" * 5000, "a 10,000-byte query round-trips in JSON")
    except ValueError as ex:
        check(False, "JSON of a 10,000-byte query parses", f"{ex}: {out[:200]!r}")

    for q in ("😀", "😀🎉🇫🇷", "👍🏽 ❤️", "🙂" * 50):
        rc, out, err = run([SEARCH, "--index", index, "--", q])
        check(rc == 1 and "nothing to search for" in err and sane(err), f"emoji-only query {q[:6]!r}: exit 1 with a message",
              f"rc={rc} out={out[:100]!r} err={err!r}")

    for q in ('"guerre', 'guerre"', '"l\'armée', '(guerre', 'guerre)', '((guerre', 'guerre))', ')(', '(("',
              '"(guerre -"', '-(guerre', '-"', '"', '""', '" "', '()', '(OR)', 'guerre OR', 'OR guerre',
              '(guerre OR (réfugiés', 'guerre ) réfugiés (', '« guerre', 'guerre »', '"guerre" "', '\\"guerre'):
        rc, out, err = run([SEARCH, "--index", index, "--", q])
        check(rc in (0, 1) and sane(err), f"unbalanced query {q!r}: exit 0 or 1, never 2",
              f"rc={rc} out={out[:200]!r} err={err!r}")
        rc, out, err = run([SEARCH, "--index", index, "--json", "--", q])
        try:
            doc = json.loads(out)
            check(doc["query"] == q, f"unbalanced query {q!r}: JSON query round-trips", repr(doc["query"]))
        except ValueError as ex:
            check(False, f"unbalanced query {q!r}: JSON parses", f"{ex}: rc={rc} {out[:200]!r} {err!r}")

    # --json with a quote and a backslash in the query
    for words in (['guerre', 'a"b\\c'], ['réfugiés "ukrainiens\\'], ['"\\'], ['\\\\', '"', 'tab\there'],
                  ['guerre', '\\u0041']):
        rc, out, err = run([SEARCH, "--index", index, "--json", "--", *words])
        try:
            doc = json.loads(out)
            check(doc["query"] == " ".join(words), f"JSON query {words!r} round-trips", repr(doc["query"]))
            check(isinstance(doc["hits"], list) and isinstance(doc["total"], int), f"JSON of {words!r} has hits, total")
        except ValueError as ex:
            check(False, f"JSON output of {words!r} parses", f"{ex}: rc={rc} {out[:300]!r} {err!r}")
        check(rc in (0, 1) and sane(err), f"JSON query {words!r}: exit 0 or 1", f"rc={rc} {err!r}")


def test_shards(tmp):
    """--shards N: a new index in N databases (a Xapian stub, XAPIANDB, names them),
    searched as one: the same hits with the same scores as one database; an existing
    index keeps its number; a bad number is refused."""
    folder = os.path.join(tmp, "shards")
    shutil.copytree(os.path.join(SRC, "corpus"), folder)
    one, many = os.path.join(tmp, "shards-one"), os.path.join(tmp, "shards-many")
    rc, out, err = run([INDEX, "--shards", "1", "--index", one, folder])
    check(rc == 0, "--shards 1 indexes", out + err)
    rc, out, err = run([INDEX, "--shards", "3", "--index", many, folder])
    check(rc == 0, "--shards 3 indexes", out + err)
    stub = os.path.join(many, "xapian", "XAPIANDB")
    lines = open(stub).read().split("\n") if os.path.exists(stub) else []
    check(lines[:3] == ["glass s0", "glass s1", "glass s2"], "--shards 3: XAPIANDB names 3 shards", str(lines))
    check(not os.path.exists(os.path.join(one, "xapian", "XAPIANDB")), "--shards 1: one database, no stub")

    def hits(index, words):
        rc, out, err = run([SEARCH, "--index", index, "--json", "--no-collapse", "--limit", "100", "--", *words])
        try:
            doc = json.loads(out)
        except ValueError:
            check(False, f"JSON of {words} in {index}", out + err)
            return None
        return doc["total"], sorted((h["path"], round(h["score"], 9), h["snippet"]) for h in doc["hits"])

    for words in (["grève"], ["energie"], ["hopital", "urgences"], ["réforme", "-retraites"], ["festival", "OR", "exposition"]):
        a, b = hits(one, words), hits(many, words)
        check(a is not None and a == b and a[0] > 0, f"{words}: the same hits and scores with 1 and 3 shards", f"{a}\n{b}")

    # an update keeps the shards the index was created with
    with open(os.path.join(folder, "nouveau.txt"), "w") as f:
        f.write(ARTICLE.format(title="Un article de plus", lead="Ajouté après coup.", body="Il parle de cerfs-volants."))
    rc, out, err = run([INDEX, "--shards", "1", "--index", many, folder])
    check(rc == 0 and summary_counts(out).get("added") == 1, "an update of a sharded index", out + err)
    check(open(stub).read().count("glass") == 3, "the index keeps its 3 shards")
    rc, out, err = run([SEARCH, "--index", many, "--paths", "cerf-volant"])
    check(rc == 0 and out.strip().endswith("/nouveau.txt"), "the new article is found in the shards", out + err)
    rc, out, err = run([INDEX, "--check", "--index", many, folder])
    check(rc == 0, "--check on a sharded index", out + err)
    rc, out, err = run([INDEX, "--stats", "--index", many])
    check(rc == 0 and "  databases     3\n" in out, "--stats names the 3 databases", out + err)
    rc, out, err = run([INDEX, "--stats", "--index", one])
    check(rc == 0 and "  databases     1\n" in out, "--stats: one database", out + err)

    # without --shards: one per core, at most 8
    default = os.path.join(tmp, "shards-default")
    rc, out, err = run([INDEX, "--index", default, folder])
    want = min(os.cpu_count() or 1, 8)
    rc2, out2, err2 = run([INDEX, "--stats", "--index", default])
    check(rc == 0 and rc2 == 0 and f"  databases     {want}\n" in out2,
          f"by default one database per core ({want})", out + err + out2 + err2)
    a, b = hits(many, ["grève"]), hits(default, ["grève"])  # many has the new article too
    check(a is not None and a == b, "the default shards give the hits of 3 shards", f"{a}\n{b}")

    for bad in ("0", "65", "deux"):
        rc, out, err = run([INDEX, "--shards", bad, "--index", os.path.join(tmp, "bad"), folder])
        check(rc == 2 and "--shards needs a number" in err, f"--shards {bad} is refused", err)


def main():
    for prog in (INDEX, SEARCH, EXAMPLE):
        if not os.access(prog, os.X_OK):
            print(f"missing {prog}: build first", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="fouille-cli-") as tmp:
        folder = test_corpus(tmp)
        test_terminal_and_arguments(folder)
        test_incremental(tmp)
        test_shards(tmp)
        test_bad_files(tmp)
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
