#!/usr/bin/env python3
"""Same top 10 with one database and with N writer shards.

    bench/shards-top10.py FOLDER [N]

Indexes FOLDER twice with the same build, `fouille-index --shards 1` and `--shards N`
(default 2), runs every query of bench/queries.txt through `fouille-search --json` on
both, and sorts the queries into:

  identical     the same JSON output, byte for byte
  same ranking  the same hits, in the same order, with the same scores; other fields
                differ (they are named: an estimated count, a hit's count of folded
                near-duplicates...)
  ties          the same scores, but hits of equal score in another order (Xapian breaks
                ties by document number, which depends on the shard), or, for the
                page's lowest score, another of the articles sharing it past the page
  different     anything else: another article in the top 10, or another score

Exits 1 when a query is "different".

Environment:
  BUILD    fouille build tree (default: build/ of this checkout)
  WORK     scratch folder for the two indexes (default: /tmp/fouille-bench-top10); wiped
  QUERIES  query file (default: bench/queries.txt)
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("BUILD", os.path.join(os.path.dirname(HERE), "build")))
WORK = os.environ.get("WORK", "/tmp/fouille-bench-top10")
QUERIES = os.environ.get("QUERIES", os.path.join(HERE, "queries.txt"))


def index(folder, shards, where):
    subprocess.run([os.path.join(BUILD, "fouille-index"), "--quiet", "--shards", str(shards),
                    "--index", where, folder], check=True)


def search(where, words):
    p = subprocess.run([os.path.join(BUILD, "fouille-search"), "--json", "--index", where, "--", *words],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"fouille-search {' '.join(words)} on {where}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def ranking(doc):
    return [(h["path"], round(h["score"], 6)) for h in doc["hits"]]


def by_score(doc):
    """The hits grouped by score, each group as a set: the ranking but for ties."""
    groups = {}
    for path, score in ranking(doc):
        groups.setdefault(score, set()).add(path)
    return sorted(groups.items(), reverse=True)


def same_but_ties(a, b):
    """The same hits and scores but for the order of equal scores; the lowest score of
    the page may be shared with hits past its end, so its group need only have the same
    score and size (another of the tied articles may stand on the page)."""
    ga, gb = by_score(a), by_score(b)
    if not ga or len(ga) != len(gb) or ga[:-1] != gb[:-1]:
        return ga == gb
    return ga[-1][0] == gb[-1][0] and len(ga[-1][1]) == len(gb[-1][1])


def fields_differing(a, b):
    names = sorted(k for k in set(a) | set(b) if k != "hits" and a.get(k) != b.get(k))
    for ha, hb in zip(a["hits"], b["hits"]):
        for k in sorted(set(ha) | set(hb)):
            if ha.get(k) != hb.get(k) and f"hit {k}" not in names:
                names.append(f"hit {k}")
    return names


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    folder = os.path.abspath(sys.argv[1])
    shards = int(sys.argv[2]) if len(sys.argv) == 3 else 2
    for prog in ("fouille-index", "fouille-search"):
        if not os.access(os.path.join(BUILD, prog), os.X_OK):
            sys.exit(f"no {os.path.join(BUILD, prog)}: build fouille first (or set BUILD)")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    one, many = os.path.join(WORK, "one"), os.path.join(WORK, f"shards{shards}")
    index(folder, 1, one)
    index(folder, shards, many)
    with open(QUERIES, encoding="utf-8") as f:
        queries = [line.split() for line in f if line.strip() and not line.startswith("#")]

    kinds = {"identical": [], "same ranking": [], "ties": [], "different": []}
    for words in queries:
        q = " ".join(words)
        out_a, out_b = search(one, words), search(many, words)
        if out_a == out_b:
            kinds["identical"].append(q)
            continue
        a, b = json.loads(out_a), json.loads(out_b)
        if ranking(a) == ranking(b):
            kinds["same ranking"].append(f"{q} ({', '.join(fields_differing(a, b))})")
        elif same_but_ties(a, b):
            kinds["ties"].append(q)
        else:
            kinds["different"].append(f"{q}\n    1 database: {ranking(a)}\n    {shards} shards: {ranking(b)}")

    print(f"{folder}: {len(queries)} queries, 1 database against {shards} shards (build {BUILD})")
    for kind, qs in kinds.items():
        print(f"{kind}: {len(qs)}")
        for q in qs if kind != "identical" else []:
            print(f"  {q}")
    return 1 if kinds["different"] else 0


if __name__ == "__main__":
    sys.exit(main())
