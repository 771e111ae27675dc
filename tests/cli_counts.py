#!/usr/bin/env python3
"""CLI tests of the number of matches a search reports, on a generated folder of a few
thousand articles (a third of them republished up to four times, so near-duplicates
collapse): below 100 the count is exact; otherwise it is an estimate, but never below
the 100 matches fouille counted to find that out; and the same with one database and
with 2 shards. The real fouille-index and fouille-search. Run by ctest with FOUILLE_BIN
and FOUILLE_SOURCE_DIR set; prints 'N passed, N failed'. Not among the tests .ci/run
repeats under valgrind: indexing the folder there would take minutes."""
import itertools
import json
import os
import random
import sys
import tempfile

import clitest
from clitest import INDEX, SEARCH, check

# Words drawn uniformly: a pair of them shares 50 to 200 articles, where Xapian's
# estimate after collapsing can fall on either side of 100.
WORDS = [f"mot{i}" for i in range(105)] + [
    "grève", "cheminots", "réforme", "retraites", "énergie", "électricité", "hôpital",
    "urgences", "infirmière", "école", "élèves", "budget", "mairie", "tramway", "chantier",
    "festival", "théâtre", "musée", "vendanges", "sécheresse", "agriculteurs", "éoliennes",
    "littoral", "tempête", "vaccin", "football", "élection", "sénat", "inflation", "loyers",
]
ARTICLES = 2000
QUERIED = WORDS[:14]  # 91 pairs


def run(args):
    return clitest.run(args, timeout=300)


def write_folder(folder):
    r = random.Random(7)
    os.makedirs(folder)
    n = 0
    for i in range(ARTICLES):
        title = f"{r.choice(WORDS).capitalize()} et {r.choice(WORDS)} : article {i}"
        paras = []
        for p in range(5):
            w = [r.choice(WORDS) for _ in range(6)]
            paras.append(f"Paragraphe {p} où l'on parle de {w[0]}, de {w[1]} et de {w[2]} ; "
                         f"les {w[3]} croisent les {w[4]} et la {w[5]}.")
        text = (f"{title}\n\nChapeau de l'article {i} sur {r.choice(WORDS)}.\n\npar Jeanne Martin\n\n"
                + "\n\n".join(paras) + "\n")
        copies = 1 + (r.random() < 0.3) * r.randint(1, 4)
        for _ in range(copies):
            with open(os.path.join(folder, f"a{n:05d}.txt"), "w", encoding="utf-8") as f:
                f.write(text)
            n += 1
    return n


def counts(index, words, extra=()):
    rc, out, err = run([SEARCH, "--index", index, "--json", "--limit", "3", *extra, "--", *words])
    try:
        doc = json.loads(out)
    except ValueError:
        check(False, f"JSON of {words}", f"rc={rc} {out[:200]!r} {err[-300:]!r}")
        return None
    return doc["total"], doc["total_exact"], len(doc["hits"])


def main():
    for prog in (INDEX, SEARCH):
        if not os.access(prog, os.X_OK):
            print(f"missing {prog}: build first", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="fouille-counts-") as tmp:
        folder = os.path.join(tmp, "articles")
        files = write_folder(folder)
        indexes = {}
        for shards in (1, 2):
            index = os.path.join(tmp, f"index{shards}")
            rc, out, err = run([INDEX, "--quiet", "--shards", str(shards), "--index", index, folder])
            check(rc == 0, f"{files} articles indexed in {shards} database(s)", out + err)
            indexes[shards] = index

        estimated = exact = 0
        for pair in itertools.combinations(QUERIED, 2):
            per_index = {}
            for shards, index in indexes.items():
                got = counts(index, pair)
                if got is None:
                    continue
                total, is_exact, hits = got
                per_index[shards] = (total, is_exact)
                check(hits > 0, f"{pair}: hits in {shards} database(s)")
                # A count is exact below 100; fouille counts up to 100 matches before
                # it says "About N", so N is never under 100.
                check(is_exact or total >= 100,
                      f"{pair} in {shards} database(s): an estimate of {total}, under the 100 counted")
                if is_exact:
                    exact += 1
                    plain = counts(index, pair, extra=("--no-collapse",))
                    check(plain is not None and plain[0] >= total,
                          f"{pair}: {total} collapsed, {plain} without collapsing")
                else:
                    estimated += 1
            # under 100 the count is exact whatever the databases, and the same; above,
            # whether Xapian's bounds meet depends on how the index is split
            if len(per_index) == 2 and any(e and t < 100 for t, e in per_index.values()):
                check(per_index[1] == per_index[2],
                      f"{pair}: the exact count is the same with 1 and 2 databases", str(per_index))
        # the folder must put queries on both sides of 100, or the test tests nothing
        check(exact >= 10 and estimated >= 10,
              f"queries counted exactly ({exact}) and estimated ({estimated}), both")
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
