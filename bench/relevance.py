#!/usr/bin/env python3
"""Known-item relevance of fouille, quest (Xapian omindex) and SQLite FTS5.

  bench/relevance.py [--folder TEXT] [--build DIR] [--work DIR] [--n 200] [--seed 1]

For N documents sampled (seeded) from a folder of plain-text articles (default: the
text form of the Debian documentation folder, see make-folders.py), it writes the query
a person would type to find that document again, runs it through each engine and scores
where the document comes back: success@10 (found in the first 10 hits) and MRR@10 (mean
of 1/rank, 0 past rank 10).

How a query is made from a document, without looking at any engine:
  - candidates are the words of the title (a word is a run of letters, lower-cased,
    3 letters or more, not a French function word), then, when the title has fewer than
    two, those of the first paragraph;
  - k = 2, 3 or 4 words (seeded) are kept: the most distinctive, that is the rarest in
    the folder (document frequency counted by this script's own tokenizer), and put back
    in the order they have in the document;
  - "typed" queries then lose their accents (securite, fenetre) and one word changes
    number where a simple French rule allows it (calques -> calque, canal -> canaux,
    image -> images); "exact" queries keep the words as written, as a control.
Documents whose title another document also has are not sampled (no query could tell
them apart), nor documents with fewer than two candidate words.

Each engine runs with its own defaults: fouille-search (every word, falling back to any
word when nothing has them all); quest with -s french over an omindex database built with
--stemmer=french (its query parser's default operator is OR); FTS5 bm25 (ORDER BY rank)
with the unicode61 tokenizer folding accents and no stemming (FTS5 has no French
stemmer), its words OR'ed (headline) and AND'ed (FTS5's own default) both reported.

Prints a Markdown table; writes every query and each engine's rank to WORK/relevance.tsv.
"""
import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# French function words (articles, pronouns, prepositions, conjunctions, auxiliaries):
# a person does not type them to find a page.
STOP = set("""
a à au aux avec ce ces cet cette ceci cela celui celle ceux celles c ça dans de des du
elle elles en et eux il ils je la le les leur leurs lui ma mais me même mes moi mon ne
nos notre nous on ou où par pas pour qu que qui quoi sa se ses son sur ta te tes toi ton
tu un une vos votre vous y d l j m n s t est sont été être avoir ont a as avez avons
fait faire peut peuvent doit sans sous entre vers chez plus moins très tout tous toute
toutes autre autres comme si non oui aussi ainsi alors donc dont lors selon depuis
après avant pendant encore déjà ici là quand comment pourquoi quel quelle quels
quelles chaque certains certaines plusieurs aucun aucune cas fois etc via
""".split())

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def fold(w):
    """Lower case without accents, œ/æ spelled out: what people type."""
    w = w.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFD", w) if unicodedata.category(c) != "Mn")


def words(text):
    return [w.lower() for w in WORD.findall(text)]


def content_words(text):
    out, seen = [], set()
    for w in words(text):
        if len(w) < 3 or w in STOP or fold(w) in seen:
            continue
        seen.add(fold(w))
        out.append(w)
    return out


def change_number(w):
    """The word in the other number by a plain French rule, or None."""
    if len(w) < 4:
        return None
    if w.endswith("aux"):
        return w[:-3] + "al"
    if w.endswith("al"):
        return w[:-2] + "aux"
    if w.endswith("s"):
        if w.endswith(("ss", "us", "is", "os", "as")):
            return None
        return w[:-1]
    if w.endswith(("x", "z")):
        return None
    return w + "s"


def read_docs(folder):
    docs = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if not f.endswith(".txt"):
                continue
            path = os.path.join(root, f)
            text = open(path, encoding="utf-8", errors="replace").read()
            parts = [p.strip() for p in text.split("\n\n") if p.strip()]
            if not parts:
                continue
            docs.append({"path": os.path.relpath(path, folder), "title": parts[0],
                         "first": parts[1] if len(parts) > 1 else "", "text": text})
    return docs


def make_queries(docs, n, seed):
    df = {}
    for d in docs:
        for w in set(fold(w) for w in words(d["text"])):
            df[w] = df.get(w, 0) + 1
    titles = {}
    for d in docs:
        titles[d["title"].lower()] = titles.get(d["title"].lower(), 0) + 1
    eligible = []
    for d in docs:
        if titles[d["title"].lower()] > 1:
            continue
        cands = content_words(d["title"])
        if len(cands) < 2:
            cands += [w for w in content_words(d["first"]) if fold(w) not in map(fold, cands)]
        if len(cands) >= 2:
            eligible.append((d, cands))
    rng = random.Random(seed)
    sample = rng.sample(eligible, min(n, len(eligible)))
    queries = []
    for d, cands in sample:
        k = min(len(cands), rng.choice([2, 3, 4]))
        rarest = sorted(range(len(cands)), key=lambda i: (df.get(fold(cands[i]), 0), i))[:k]
        chosen = [cands[i] for i in sorted(rarest)]
        typed = [fold(w) for w in chosen]
        order = list(range(len(typed)))
        rng.shuffle(order)
        for i in order:
            other = change_number(typed[i])
            if other and other not in typed:
                typed[i] = other
                break
        queries.append({"path": d["path"], "title": d["title"], "exact": " ".join(chosen),
                        "typed": " ".join(typed)})
    return queries, len(eligible)

# ---- engines ----------------------------------------------------------------------


def rank_of(target, paths):
    for i, p in enumerate(paths[:10]):
        if p == target:
            return i + 1
    return 0


def fouille_hits(build, index, folder, q):
    r = subprocess.run([os.path.join(build, "fouille-search"), "--index", index, "--json",
                        "--limit", "10", "--"] + q.split(), capture_output=True, text=True)
    if r.returncode == 2:
        raise RuntimeError(f"fouille-search {q!r}: {r.stderr.strip()}")
    if not r.stdout.strip():
        return []
    out = []
    for h in json.loads(r.stdout).get("hits", []):
        p = h["path"]
        out.append(os.path.relpath(p, folder) if os.path.isabs(p) else p)
    return out


def quest_hits(db, q, op):
    cmd = ["quest", "-d", db, "-s", "french", "-m", "10"]
    if op != "or":
        cmd += ["-o", op]
    r = subprocess.run(cmd + [q], capture_output=True, text=True, check=True)
    return [line[len("url=/"):] for line in r.stdout.split("\n") if line.startswith("url=")]


def fts5_hits(con, q, op):
    match = (" OR " if op == "or" else " ").join('"%s"' % w.replace('"', '""') for w in q.split())
    rows = con.execute("SELECT path FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10",
                       (match,)).fetchall()
    return [r[0] for r in rows]

# ---- indexes ----------------------------------------------------------------------


def run(cmd):
    t = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.time() - t


def build_indexes(args):
    os.makedirs(args.work, exist_ok=True)
    fo, om, fts = (os.path.join(args.work, x) for x in ("fouille", "omega", "fts5.db"))
    if not (args.reuse and os.path.isdir(fo)):
        subprocess.run(["rm", "-rf", fo], check=True)
        print(f"fouille-index: {run([os.path.join(args.build, 'fouille-index'), '--quiet', '--index', fo, args.folder]):.1f} s",
              file=sys.stderr)
    if not (args.reuse and os.path.isdir(om)):
        print(f"omindex: {run(['omindex', '--db', om, '--url', '/', '--stemmer=french', '--mime-type', 'txt:text/plain', '--overwrite', args.folder]):.1f} s",
              file=sys.stderr)
    if not (args.reuse and os.path.isfile(fts)):
        if os.path.exists(fts):
            os.unlink(fts)
        t = time.time()
        con = sqlite3.connect(fts)
        con.execute("CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, title, body, "
                    "tokenize = 'unicode61 remove_diacritics 2')")
        for root, dirs, files in os.walk(args.folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                if f.endswith(".txt"):
                    p = os.path.join(root, f)
                    title, _, body = open(p, encoding="utf-8", errors="replace").read().partition("\n")
                    con.execute("INSERT INTO docs VALUES (?, ?, ?)",
                                (os.path.relpath(p, args.folder), title, body))
        con.commit()
        con.close()
        print(f"fts5: {time.time() - t:.1f} s", file=sys.stderr)
    return fo, om, fts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folder", default="/tmp/fouille-bench-data/text")
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--work", default="/tmp/fouille-relevance")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reuse", action="store_true", help="keep indexes already in --work")
    args = ap.parse_args()
    args.folder = os.path.abspath(args.folder)
    if not os.path.isdir(args.folder):
        sys.exit(f"no folder {args.folder}: build it with bench/make-folders.py html and text")

    docs = read_docs(args.folder)
    queries, neligible = make_queries(docs, args.n, args.seed)
    fo, om, fts = build_indexes(args)
    con = sqlite3.connect(fts)

    engines = [
        ("fouille-search", lambda q: fouille_hits(args.build, fo, args.folder, q)),
        ("quest -s french (OR, its default)", lambda q: quest_hits(om, q, "or")),
        ("quest -s french -o and", lambda q: quest_hits(om, q, "and")),
        ("SQLite FTS5 bm25, words OR'ed", lambda q: fts5_hits(con, q, "or")),
        ("SQLite FTS5 bm25, words AND'ed", lambda q: fts5_hits(con, q, "and")),
    ]
    ranks = {(e, form): [] for e, _ in engines for form in ("typed", "exact")}
    for q in queries:
        for form in ("typed", "exact"):
            for name, fn in engines:
                r = rank_of(q["path"], fn(q[form]))
                ranks[(name, form)].append(r)
                q[f"{name}|{form}"] = r

    tsv = os.path.join(args.work, "relevance.tsv")
    with open(tsv, "w", encoding="utf-8") as o:
        cols = [f"{n}|{f}" for f in ("typed", "exact") for n, _ in engines]
        o.write("\t".join(["path", "title", "typed", "exact"] + cols) + "\n")
        for q in queries:
            o.write("\t".join([q["path"], q["title"], q["typed"], q["exact"]]
                              + [str(q[c]) for c in cols]) + "\n")

    def score(rs):
        return (sum(1 for r in rs if r) / len(rs), sum(1 / r for r in rs if r) / len(rs))

    print(f"{len(queries)} known-item queries (seed {args.seed}) from {len(docs)} documents "
          f"of `{args.folder}` ({neligible} eligible).\n")
    print("| engine | success@10 typed | MRR@10 typed | success@10 exact words | MRR@10 exact words |")
    print("|---|---:|---:|---:|---:|")
    for name, _ in engines:
        s1, m1 = score(ranks[(name, "typed")])
        s2, m2 = score(ranks[(name, "exact")])
        print(f"| {name} | {s1:.3f} | {m1:.3f} | {s2:.3f} | {m2:.3f} |")
    print("\nExamples (typed ← exact, target title):")
    for q in queries[:8]:
        print(f"- `{q['typed']}` ← `{q['exact']}`: {q['title'][:70]}")
    print(f"\nEvery query and rank: {tsv}", file=sys.stderr)


if __name__ == "__main__":
    main()
