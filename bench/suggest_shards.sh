#!/usr/bin/env bash
# What "did you mean" costs through remote shards: the folder of bench/shards.sh (corpus/
# plus ARTICLES generated articles in 3 parts), one local index over all of it, and a stub
# of the same 3 parts with the first opened locally and the other 2 served by
# xapian-tcpsrv on loopback, as tests/cli_shards.py does. Results in bench/SHARDS.md.
#
#   bench/suggest_shards.sh
#
# TYPOS words of the articles (7 letters or more) each lose a letter. For each typo, in
# the library (Python ctypes on libfouille.so): a fresh handle, one search of another word
# to open it (connections, versions), then the typo searched once with the suggestion and,
# on another fresh handle, once with FOUILLE_SEARCH_NO_SUGGEST. A fresh handle each time,
# so that no spelling list is already cached: the cost of a first suggestion. Printed: the
# median of each, and how many suggestions equal the single index's.
#
# Environment:
#   BUILD     fouille build tree (default: build/ of this checkout)
#   WORK      scratch folder (default: /tmp/fouille-bench-suggest); wiped
#   ARTICLES  generated articles (default: 20000)
#   TYPOS     typos searched (default: 100)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
BUILD=$(cd "${BUILD:-$repo/build}" && pwd)
WORK=${WORK:-/tmp/fouille-bench-suggest}
ARTICLES=${ARTICLES:-20000}
TYPOS=${TYPOS:-100}

. "$here/shards-lib.sh"
for tool in xapian-tcpsrv python3; do
	command -v "$tool" >/dev/null || { say "missing $tool (apt-get install xapian-tools python3)"; exit 1; }
done

fresh_work

say "== generating corpus/ + $ARTICLES articles in $WORK/archive/part{1,2,3}"
FOUILLE_SOURCE_DIR=$repo python3 - "$WORK/archive" "$ARTICLES" "$TYPOS" "$WORK/typos.txt" <<'PY'
import os, random, sys
sys.path.insert(0, os.path.join(os.environ["FOUILLE_SOURCE_DIR"], "tests"))
import cli_shards
rng = random.Random(20240607)
vocab, corpus_words = cli_shards.make_folder(sys.argv[1], rng, int(sys.argv[2]))
words = sorted(set(w for w in list(corpus_words) + list(vocab) if len(w) >= 7 and w.isalpha()))
with open(sys.argv[4], "w") as f:
    for w in rng.sample(words, min(int(sys.argv[3]), len(words))):
        i = rng.randrange(1, len(w) - 1)
        f.write(w[:i] + w[i + 1:] + "\n")
PY

say "== indexing the whole folder, then each part"
"$BUILD/fouille-index" --quiet --index "$WORK/single" "$WORK/archive"
for i in 1 2 3; do
	"$BUILD/fouille-index" --quiet --index "$WORK/index$i" "$WORK/archive/part$i"
done
serve "$WORK/index2/xapian" "$WORK/index3/xapian"
p2=${ports[0]} p3=${ports[1]}
"$BUILD/fouille-index" --quiet --write-stub "$WORK/remote.stub" "$WORK/index1" \
	"remote:127.0.0.1:$p2" "remote:127.0.0.1:$p3"

python3 - "$BUILD/libfouille.so" "$WORK/single" "$WORK/remote.stub" "$WORK/typos.txt" <<'PY'
import ctypes, statistics, sys, time

lib = ctypes.CDLL(sys.argv[1])
lib.fouille_results_suggestion.restype = ctypes.c_char_p

class Options(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("limit", ctypes.c_uint), ("offset", ctypes.c_uint),
                ("snippet_chars", ctypes.c_uint), ("flags", ctypes.c_uint), ("sort", ctypes.c_int),
                ("fragments", ctypes.c_uint)]
NO_SUGGEST = 0x4

def once(index, query, flags):
    """(seconds, suggestion) of one search on a fresh handle, opened by another search."""
    idx = ctypes.c_void_p()
    if lib.fouille_index_open(ctypes.byref(idx), index.encode(), 0) != 0:
        sys.exit("open failed: " + index)
    res = ctypes.c_void_p()
    lib.fouille_search(ctypes.byref(res), idx, b"gouvernement", None)
    lib.fouille_results_free(res)
    o = Options()
    lib.fouille_search_options_init(ctypes.byref(o))
    o.flags = flags
    t0 = time.perf_counter()
    rc = lib.fouille_search(ctypes.byref(res), idx, query.encode(), ctypes.byref(o))
    t = time.perf_counter() - t0
    if rc != 0:
        sys.exit("search failed: " + query)
    s = lib.fouille_results_suggestion(res)
    lib.fouille_results_free(res)
    lib.fouille_index_close(idx)
    return t, s.decode() if s else None

typos = open(sys.argv[4]).read().split()
print(f"{len(typos)} typos")
for name, index in (("1 local index", sys.argv[2]), ("1 local + 2 remote shards", sys.argv[3])):
    with_s, without, same, suggested = [], [], 0, 0
    for t in typos:
        a, s = once(index, t, 0)
        b, _ = once(index, t, NO_SUGGEST)
        with_s.append(a)
        without.append(b)
        if index == sys.argv[3]:
            same += s == once(sys.argv[2], t, 0)[1]
        suggested += s is not None
    line = (f"{name}: search with suggestion median {statistics.median(with_s)*1000:.2f} ms, "
            f"without {statistics.median(without)*1000:.2f} ms; {suggested} suggestions")
    if index == sys.argv[3]:
        line += f", {same} of {len(typos)} equal to the single index's"
    print(line)
PY
