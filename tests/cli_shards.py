#!/usr/bin/env python3
"""Shards on several machines, searched as one index: a folder (corpus/ and 2,000
generated news articles) split into 3 folders, each indexed on its own; 2 of the indexes
served by xapian-tcpsrv on loopback ports, the third opened locally, all three through
a stub file written by `fouille-index --write-stub`. For 50 queries (and 10 sorted by
date) the top 10 must be those of one index over the whole folder: the same full paths
in the same order, the same snippets and highlights.

Ties: Xapian breaks equal scores by document id, and ids interleave differently in a
sharded database, so hits of exactly equal score (and, sorted by date, equal date) may
come in another order. The rule: the same sequence of scores (6 significant digits, as
--json prints them); within a run of equal scores, the same set of paths; for the run
cut by the 10th place, the sharded hits must be among the single index's hits of that
score. Each query is reported as exactly equal or equal up to ties.

Then one server is stopped: the search fails with exit status 2 and a message naming
the shard (host:port); with --allow-partial it answers from the other two (the same as
a stub of those two) with a notice naming the missing shard. A stopped (SIGSTOP) server
with --timeout gives up in time.

Facets and collapse counts are compared too, and "did you mean" for 20 typos and 2 names
whose capital only some shards' articles give (NAMES): the same
suggestion as one index, through a stub of the 3 indexes opened locally and through the
stub with 2 remote shards (fouille's spelling data is user metadata, which the remote
protocol carries).

Run by ctest with FOUILLE_BIN and FOUILLE_SOURCE_DIR set; prints 'N passed, N failed'.
Needs xapian-tcpsrv (Debian xapian-tools)."""
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import clitest
from clitest import SRC, INDEX, SEARCH, check

TCPSRV = shutil.which("xapian-tcpsrv")


def run(args, timeout=300):
    # from / so that --json prints full paths (it shortens those below the current directory)
    return clitest.run(args, cwd="/", timeout=timeout, no_color=True)


def search(index, words, extra=()):
    rc, out, err = run([SEARCH, "--index", index, "--json", *extra, "--", *words])
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, err


# ---- a folder of generated news articles ------------------------------------------

SYLLABLES = ("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo fu ga ge gi go gu la le li "
             "lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta "
             "te ti to tu va ve vi vo vu cha che chi cho pré pro tra tre gré mé dé ré").split()
ENDINGS = ("tion ment eur euse age ité isme iste oir ette ard ier ière ance ence el elle ique "
           "able ible on ine ade é ée er ir").split()
WORDS = ("gouvernement ministre élection député sénat réforme budget impôt retraite salaire "
         "entreprise usine emploi chômage grève syndicat accord négociation hôpital médecin "
         "infirmière vaccin épidémie école lycée université étudiant professeur recherche "
         "climat sécheresse inondation tempête énergie électricité nucléaire éolienne solaire "
         "transport train autoroute aéroport port ville village région département commune "
         "police gendarmerie tribunal procès justice avocat enquête incendie accident secours "
         "football rugby cyclisme tennis championnat victoire défaite stade supporter "
         "festival musée exposition théâtre cinéma roman écrivain concert patrimoine "
         "agriculteur récolte vigne élevage marché prix inflation commerce export banque "
         "numérique internet réseau données logiciel cyberattaque intelligence satellite "
         "fusée planète océan forêt montagne rivière littoral plage pêche bateau").split()
FIRST = "Camille Thomas Inès Julien Sophie Karim Léa Nicolas Chloé Mehdi Anne Paul Lucie Hugo".split()
LAST = "Dubois Martin Bernard Nguyen Lefèvre Moreau Girard Laurent Roux Fontaine Mercier Da Silva".split()
MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
GLUE = ("le la les un une des du de et à au en pour sur dans avec par selon après avant "
        "mais donc aussi plus très").split()


def vocabulary(rng, n=3000):
    words = set(WORDS)
    while len(words) < n:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) + rng.choice(ENDINGS)
        if len(w) >= 5:
            words.add(w)
    return sorted(words)


def sentence(rng, vocab, cum_weights, n):
    out = []
    for _ in range(n):
        out.append(rng.choice(GLUE) if rng.random() < 0.35 else rng.choices(vocab, cum_weights=cum_weights)[0])
    s = " ".join(out)
    return s[0].upper() + s[1:] + "."


def article(rng, vocab, weights):
    title = sentence(rng, vocab, weights, rng.randint(5, 10))[:-1]
    lead = " ".join(sentence(rng, vocab, weights, rng.randint(10, 20)) for _ in range(rng.randint(1, 2)))
    author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    date = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2015, 2024)}"
    paras = []
    for _ in range(rng.randint(2, 7)):
        paras.append(" ".join(sentence(rng, vocab, weights, rng.randint(8, 20))
                              for _ in range(rng.randint(2, 6))))
    return f"{title}\n\n{lead}\n\npar\n{author}\n{date}\n\n" + "\n\n".join(paras) + "\n"


# name -> the parts (0, 1, 2) whose article writes it with a capital; its typo -> the
# suggestion one index gives: capitalized when more than half of the articles write so
NAMES = {"tchernihiv": (2,), "zaporijia": (0, 1)}
NAME_TYPOS = {"tchernihv": "tchernihiv", "zaporijya": "Zaporijia"}


def make_folder(root, rng, count=2000):
    """root/part1..3: corpus/ and `count` generated articles spread over them, some in
    subfolders. Returns the generated vocabulary and the corpus's words."""
    vocab = vocabulary(rng)
    weights = [1.0 / (i + 10) for i in range(len(vocab))]  # a Zipf-like spread
    rng.shuffle(weights)
    weights = list(itertools.accumulate(weights))  # cumulative, for rng.choices
    parts = [os.path.join(root, f"part{i}") for i in (1, 2, 3)]
    for p in parts:
        os.makedirs(p)
    corpus_words = set()
    corpus = os.path.join(SRC, "corpus")
    for i, name in enumerate(sorted(os.listdir(corpus))):
        if not name.endswith(".txt"):
            continue
        shutil.copy(os.path.join(corpus, name), os.path.join(parts[i % 3], name))
        with open(os.path.join(corpus, name), encoding="utf-8") as f:
            corpus_words.update(w.lower() for w in re.findall(r"\w{6,}", f.read()) if not w.isdigit())
    # names written with a capital in some articles only, one article per part: whether a
    # suggestion gets the capital is decided over all the articles (caps summed over the
    # shards), not by the shard that holds the most (see NAMES)
    for i, part in enumerate(parts):
        for name, capital_in in NAMES.items():
            word = name.capitalize() if i in capital_in else name
            with open(os.path.join(part, f"nom-{name}.txt"), "w", encoding="utf-8") as f:
                f.write(f"Nouvelles de l'est\n\nLa ville de {word} attend.\n\npar\nJean Martin\n"
                        f"{i + 1} mars 2023\n\nDes trains partent vers {word} chaque matin.\n")
    for i in range(count):
        part = parts[rng.randrange(3)]
        sub = os.path.join(part, str(2015 + i % 10)) if i % 4 else part
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"article-{i:04d}.txt"), "w", encoding="utf-8") as f:
            f.write(article(rng, vocab, weights))
    return vocab, sorted(corpus_words)


# ---- servers ------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def start_server(db, port):
    p = subprocess.Popen([TCPSRV, "--port", str(port), "--interface", "127.0.0.1", db],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(100):
        if accepts(port):
            return p
        if p.poll() is not None:
            break
        time.sleep(0.05)
    stop_server(p)
    raise RuntimeError(f"xapian-tcpsrv did not start on port {port}")


def stop_server(p):
    """The server and the children it forked for each connection."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGCONT)
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.wait()


# ---- comparing result lists ----------------------------------------------------------

def key(h, by_date):
    return (h["date"] if by_date else None, h["score"])


def runs(hits, by_date):
    """[(key, [hits])] for consecutive hits of equal key."""
    out = []
    for h in hits:
        k = key(h, by_date)
        if out and out[-1][0] == k:
            out[-1][1].append(h)
        else:
            out.append((k, [h]))
    return out


def compare(single, sharded, by_date=False, top=10):
    """'exact', 'ties' or a string saying what differs. `single` may hold more than
    `top` hits (to see the whole tie run at the cut)."""
    a, b = single[:top], sharded[:top]
    same = lambda x, y: (x["path"], x["record"], x["title"], x["snippet"], x["highlights"],
                         x.get("similar")) == \
        (y["path"], y["record"], y["title"], y["snippet"], y["highlights"], y.get("similar"))
    if len(a) == len(b) and all(same(x, y) for x, y in zip(a, b)):
        return "exact"
    if len(a) != len(b):
        return f"{len(a)} hits vs {len(b)}"
    if [key(h, by_date) for h in a] != [key(h, by_date) for h in b]:
        return "scores differ: " + repr([(h["path"][-40:], h["score"]) for h in b][:5]) + " vs " + \
            repr([(h["path"][-40:], h["score"]) for h in a][:5])
    by_path = {h["path"]: h for h in single}
    ra, rb = runs(a, by_date), runs(b, by_date)
    for i, ((k, ha), (_, hb)) in enumerate(zip(ra, rb)):
        last = i == len(ra) - 1
        pa = sorted(h["path"] for h in ha)
        pb = sorted(h["path"] for h in hb)
        if last and len(single) > top:
            pool = {h["path"] for h in single if key(h, by_date) == k}
            if not set(pb) <= pool:
                return f"at the cut, {set(pb) - pool} not among the single index's hits of score {k}"
        elif pa != pb:
            return f"hits of score {k} differ: {pa} vs {pb}"
        for h in hb:
            if h["path"] in by_path and not same(by_path[h["path"]], h):
                return f"{h['path']}: snippet or title differs"
    return "ties"


def main():
    for prog in (INDEX, SEARCH):
        if not os.access(prog, os.X_OK):
            print(f"missing {prog}: build first", file=sys.stderr)
            return 1
    if not TCPSRV:
        print("xapian-tcpsrv not found: apt-get install xapian-tools", file=sys.stderr)
        return 1
    rng = random.Random(20240607)
    servers = []
    with tempfile.TemporaryDirectory(prefix="fouille-shards-") as tmp:
        tmp = os.path.realpath(tmp)
        whole = os.path.join(tmp, "archive")
        vocab, corpus_words = make_folder(whole, rng)
        parts = [os.path.join(whole, f"part{i}") for i in (1, 2, 3)]
        indexes = [os.path.join(tmp, f"index{i}") for i in (1, 2, 3)]
        single = os.path.join(tmp, "single")

        rc, out, err = run([INDEX, "--quiet", "--index", single, whole])
        check(rc == 0, "fouille-index over the whole folder", err)
        counts = []
        for part, idx in zip(parts, indexes):
            rc, out, err = run([INDEX, "--index", idx, part])
            check(rc == 0, f"fouille-index {part}", err)
            m = re.search(r"(\d+) articles in the index", out)
            counts.append(int(m.group(1)) if m else 0)
        total = sum(counts)
        check(total >= 2000 + 30, "every article indexed in one shard or another", str(counts))

        try:
            ports = [free_port(), free_port()]
            while ports[1] == ports[0]:
                ports[1] = free_port()
            servers = [start_server(os.path.join(indexes[1], "xapian"), ports[0]),
                       start_server(os.path.join(indexes[2], "xapian"), ports[1])]
            stub = os.path.join(tmp, "shards.stub")
            rc, out, err = run([INDEX, "--write-stub", stub, indexes[0],
                                f"remote:127.0.0.1:{ports[0]}", f"remote:127.0.0.1:{ports[1]}"])
            check(rc == 0, "fouille-index --write-stub", out + err)
            with open(stub) as f:
                text = f.read()
            check(f"auto {indexes[0]}/xapian\n" in text and f"remote 127.0.0.1:{ports[0]}\n" in text,
                  "the stub names the local index and the servers", text)

            # 50 queries, then 10 sorted by date
            queries = []
            for i in range(50):
                pool = vocab if i % 2 == 0 else corpus_words
                n = 1 if i % 3 == 0 else 2
                queries.append(([w for w in rng.sample(pool, n)], ()))
            for i in range(10):
                queries.append(([rng.choice(vocab)], ("--sort", "-date" if i % 2 else "date")))
            exact = ties = same_total = 0
            exact_by = {False: 0, True: 0}
            for words, extra in queries:
                rc1, one, err1 = search(single, words, ("--limit", "40", "--facets", *extra))
                rc2, many, err2 = search(stub, words, ("--limit", "10", "--facets", *extra))
                ok = check(one is not None and many is not None and rc1 == rc2,
                           f"{words} {extra}: both answer alike", f"{rc1} {err1} / {rc2} {err2}")
                if not ok:
                    continue
                check(one["relaxed"] == many["relaxed"], f"{words}: same relaxed")
                check(many["notice"] == one["notice"], f"{words}: same notice", many["notice"])
                # The total is Xapian's estimate when the page is full, and a sharded
                # database estimates from each shard's bounds: compare exact counts only.
                if len(one["hits"]) < 40 and len(many["hits"]) < 10:
                    check(many["total"] == len(one["hits"]), f"{words}: the count of matches",
                          f"{many['total']} vs {len(one['hits'])}")
                check(one["facets"] == many["facets"], f"{words} {extra}: the same facets",
                      f"{one['facets']}\n  vs {many['facets']}")
                _, one10, _ = search(single, words, ("--limit", "10", *extra))
                same_total += bool(one10) and one10["total"] == many["total"]
                # a page of 10 is the first 10 of a page of 40 (Xapian 1.4 dropped the
                # best hit of some queries from a short page when asked to check more
                # matches than the page for an exact count)
                check(one10 and [h["path"] for h in one10["hits"]] == [h["path"] for h in one["hits"][:10]],
                      f"{words} {extra}: a page of 10 is the top of a page of 40")
                if one10 and one10["total_exact"] and many["total_exact"]:
                    check(one10["total"] == many["total"], f"{words} {extra}: exact counts agree",
                          f"{one10['total']} vs {many['total']}")
                verdict = compare(one["hits"], many["hits"], by_date=bool(extra))
                if verdict == "exact":
                    exact += 1
                    exact_by[bool(extra)] += 1
                elif verdict == "ties":
                    ties += 1
                check(verdict in ("exact", "ties"), f"{words} {extra}: top 10 as one index", verdict)
            print(f"{len(queries)} queries over {total} articles in 3 shards (2 remote): "
                  f"{exact} exactly equal to one index ({exact_by[False]} of 50 by relevance, "
                  f"{exact_by[True]} of 10 by date), {ties} equal up to ties of equal score; "
                  f"{same_total} with the same estimated total")

            # prefixes: each wildcard is expanded from every shard's words before the
            # query goes out, so the same words are searched as in one index; the
            # weight of a prefix matching several words still differs a little, as
            # Xapian estimates a synonym's frequency shard by shard. Counted, and the
            # local and remote stubs must agree with each other.
            local = os.path.join(tmp, "local.stub")
            run([INDEX, "--write-stub", local, *indexes])
            prefix_exact = prefix_sets = 0
            prefixes = [w[:5] + "*" for w in rng.sample([w for w in corpus_words if w.isalpha()], 8)]
            for q in prefixes:
                _, one, _ = search(single, [q])
                _, loc, _ = search(local, [q])
                _, rem, _ = search(stub, [q])
                if not check(one and loc and rem, f"{q}: searches answer"):
                    continue
                paths = lambda d: [h["path"] for h in d["hits"]]
                check(paths(loc) == paths(rem) and [h["score"] for h in loc["hits"]] ==
                      [h["score"] for h in rem["hits"]], f"{q}: local and remote shards agree")
                prefix_exact += compare(one["hits"], rem["hits"]) in ("exact", "ties")
                prefix_sets += set(paths(one)) == set(paths(rem))
            print(f"prefixes: {len(prefixes)} queries, top 10 as one index for {prefix_exact}, "
                  f"the same 10 articles for {prefix_sets}")

            # "did you mean": typos of words that some shard holds, the same suggestion as
            # one index through local and through remote shards.
            typos = []
            for w in rng.sample([w for w in corpus_words if len(w) >= 7], 20):
                i = rng.randrange(1, len(w) - 1)
                typos.append(w[:i] + w[i + 1:])
            for t, want in NAME_TYPOS.items():
                _, one, _ = search(single, [t])
                check(one and one["suggestion"] == want, f"{t}: {want} from one index",
                      str(one and one["suggestion"]))
            typos += list(NAME_TYPOS)
            same_local = same_remote = suggested = 0
            for t in typos:
                _, one, _ = search(single, [t])
                _, loc, _ = search(local, [t])
                _, rem, _ = search(stub, [t])
                if not (one and loc and rem):
                    check(False, f"{t}: searches answer")
                    continue
                suggested += one["suggestion"] is not None
                same_local += loc["suggestion"] == one["suggestion"]
                same_remote += rem["suggestion"] == one["suggestion"]
                check(loc["suggestion"] == one["suggestion"], f"{t}: the same suggestion through local shards",
                      f"{loc['suggestion']} vs {one['suggestion']}")
                check(rem["suggestion"] == one["suggestion"], f"{t}: the same suggestion through remote shards",
                      f"{rem['suggestion']} vs {one['suggestion']}")
            print(f"did you mean, {len(typos)} typos ({suggested} with a suggestion from one index): "
                  f"the same through 3 local shards for {same_local}, through the stub with 2 remote "
                  f"shards for {same_remote}")

            # one server stops
            down = f"127.0.0.1:{ports[1]}"
            stop_server(servers[1])
            word = "gouvernement"
            rc, out, err = run([SEARCH, "--index", stub, "--", word])
            check(rc == 2, "a shard down: exit status 2", f"rc={rc} {out[:200]} {err}")
            check(down in err and "does not answer" in err, "the message names the shard", err)
            check(out == "", "nothing on stdout", out[:200])
            rc, partial, err = search(stub, [word], ("--allow-partial", "--limit", "20"))
            check(rc == 0 and partial is not None, "--allow-partial answers", f"rc={rc} {err}")
            if partial:
                check(partial["notice"] and down in partial["notice"] and "2 of 3 shards" in partial["notice"],
                      "the notice names the missing shard", str(partial["notice"]))
                check(all(not h["path"].startswith(parts[2] + "/") for h in partial["hits"]),
                      "no hit from the missing shard")
                two = os.path.join(tmp, "two.stub")
                run([INDEX, "--write-stub", two, indexes[0], f"remote:127.0.0.1:{ports[0]}"])
                rc, expect, err = search(two, [word], ("--limit", "20",))
                check(expect is not None and [h["path"] for h in partial["hits"]] ==
                      [h["path"] for h in expect["hits"]],
                      "the same hits as a stub of the two that answer", err)
                check(partial["hits"] and partial["total"] == expect["total"], "the same total")
            rc, out, err = run([SEARCH, "--index", stub, "--allow-partial", "--", word])
            check(rc == 0 and f"Note: 2 of 3 shards answered" in out and down in out,
                  "the text output shows the notice", out[:300] + err)

            # a server that accepts connections and never answers: --timeout (on a new
            # port: a killed server's listening socket may outlive it a moment)
            port = free_port()
            down = f"127.0.0.1:{port}"
            servers[1] = start_server(os.path.join(indexes[2], "xapian"), port)
            stub = os.path.join(tmp, "stalled.stub")
            run([INDEX, "--write-stub", stub, indexes[0], f"remote:127.0.0.1:{ports[0]}", f"remote:{down}"])
            os.killpg(servers[1].pid, signal.SIGSTOP)
            t0 = time.monotonic()
            rc, out, err = run([SEARCH, "--index", stub, "--timeout", "0.5", "--", word])
            took = time.monotonic() - t0
            check(rc == 2 and down in err and "Timeout" in err, "--timeout: a stalled shard is named",
                  f"rc={rc} {err}")
            check(took < 5, f"--timeout 0.5 gives up in time ({took:.1f} s)")
            rc, partial, err = search(stub, [word], ("--allow-partial", "--timeout", "0.5"))
            check(rc == 0 and partial and down in (partial["notice"] or ""),
                  "--allow-partial --timeout: the others answer", f"rc={rc} {err}")
            rc, out, err = run([SEARCH, "--index", stub, "--timeout", "soon", "--", word])
            check(rc == 2 and "--timeout" in err, "--timeout needs seconds", err)
        finally:
            for p in servers:
                stop_server(p)

        # a stub naming a path with no index: a clear error
        bad = os.path.join(tmp, "bad.stub")
        with open(bad, "w") as f:
            f.write(f"auto {indexes[0]}\nauto {tmp}/nowhere/.fouille\n")
        rc, out, err = run([SEARCH, "--index", bad, "--", "gouvernement"])
        check(rc == 2 and f"{tmp}/nowhere/.fouille" in err and "line 2 of" in err,
              "a stub naming a missing path: exit 2 and the path named", err)
        rc, out, err = run([INDEX, "--index", bad, parts[0]])
        check(rc == 2 and "stub file" in err, "fouille-index refuses to update a stub file", err)

    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
