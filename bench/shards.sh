#!/usr/bin/env bash
# Query latency through shards: one local index against the same articles split in 3
# indexes, searched through a stub file, first all local, then all 3 served by
# xapian-tcpsrv on loopback ports. Results in bench/SHARDS.md.
#
#   bench/shards.sh
#
# The folder is corpus/ plus ARTICLES generated news articles (the generator of
# tests/cli_shards.py), spread over 3 subfolders; each subfolder is indexed on its own,
# and the whole folder once. Two measures per query:
#   - whole process (hyperfine): fouille-search --json, start to exit, what a person at a
#     terminal waits for; through remote shards this includes connecting to each server
#     and reading each shard's versions;
#   - in the library: one handle kept open, the same search ROUNDS times (Python ctypes
#     on libfouille.so), the per-search cost of a long-lived program.
#
# Environment:
#   BUILD     fouille build tree (default: build/ of this checkout)
#   WORK      scratch folder (default: /tmp/fouille-bench-shards); wiped
#   ARTICLES  generated articles (default: 20000)
#   RUNS      hyperfine runs per query and setup (default: 30)
#   ROUNDS    in-library searches per query and setup (default: 200)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
BUILD=$(cd "${BUILD:-$repo/build}" && pwd)
WORK=${WORK:-/tmp/fouille-bench-shards}
ARTICLES=${ARTICLES:-20000}
RUNS=${RUNS:-30}
ROUNDS=${ROUNDS:-200}

. "$here/shards-lib.sh"
for tool in hyperfine xapian-tcpsrv python3; do
	command -v "$tool" >/dev/null || { say "missing $tool (apt-get install hyperfine xapian-tools python3)"; exit 1; }
done

fresh_work

SECONDS=0
say "== generating corpus/ + $ARTICLES articles in $WORK/archive/part{1,2,3}"
FOUILLE_SOURCE_DIR=$repo python3 - "$WORK/archive" "$ARTICLES" <<'EOF'
import os, random, sys
sys.path.insert(0, os.path.join(os.environ["FOUILLE_SOURCE_DIR"], "tests"))
import cli_shards
cli_shards.make_folder(sys.argv[1], random.Random(20240607), int(sys.argv[2]))
EOF

say "   ($SECONDS s)"
say "== indexing the whole folder, then each part"
"$BUILD/fouille-index" --quiet --index "$WORK/single" "$WORK/archive"
for i in 1 2 3; do
	"$BUILD/fouille-index" --quiet --index "$WORK/index$i" "$WORK/archive/part$i"
done

say "   ($SECONDS s)"
serve "$WORK/index1/xapian" "$WORK/index2/xapian" "$WORK/index3/xapian"
p1=${ports[0]} p2=${ports[1]} p3=${ports[2]}
"$BUILD/fouille-index" --quiet --write-stub "$WORK/local3.stub" "$WORK/index1" "$WORK/index2" "$WORK/index3"
"$BUILD/fouille-index" --quiet --write-stub "$WORK/remote3.stub" \
	"remote:127.0.0.1:$p1" "remote:127.0.0.1:$p2" "remote:127.0.0.1:$p3"

queries=("gouvernement" "grève syndicat" "énergie solaire éolienne" "réfugiés ukrainiens")
setups=("1 local index:$WORK/single" "3 local shards (stub):$WORK/local3.stub"
	"3 remote shards (loopback):$WORK/remote3.stub")

say "== whole process: fouille-search --json (hyperfine, $RUNS runs)"
results="$WORK/SHARDS-run.md"
{
	echo "articles: $("$BUILD/fouille-index" --stats --index "$WORK/single" | awk '/articles/ {print $2}'), $(nproc) cores, $(uname -r)"
	echo
	echo "| query | setup | whole process, mean ± σ | in the library, median per search |"
	echo "|---|---|---|---|"
} >"$results"
for q in "${queries[@]}"; do
	for s in "${setups[@]}"; do
		name=${s%%:*}
		index=${s#*:}
		read -ra words <<<"$q"
		rc=0
		"$BUILD/fouille-search" --index "$index" --json -- "${words[@]}" >/dev/null || rc=$?
		if [ "$rc" -gt 1 ]; then say "fouille-search failed on $index"; exit 1; fi
		# -i: exit status 1 (nothing found) is an answer too
		hyperfine -N -i --warmup 3 --runs "$RUNS" --export-json "$WORK/h.json" \
			"$BUILD/fouille-search --index $index --json -- ${words[*]}" >/dev/null 2>&1
		whole=$(python3 -c '
import json,sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.1f ± %.1f ms" % (r["mean"] * 1000, r["stddev"] * 1000))' "$WORK/h.json")
		lib=$(python3 - "$BUILD/libfouille.so" "$index" "$q" "$ROUNDS" <<'EOF'
import ctypes, statistics, sys, time
lib = ctypes.CDLL(sys.argv[1])
idx = ctypes.c_void_p()
if lib.fouille_index_open(ctypes.byref(idx), sys.argv[2].encode(), 0) != 0:
    sys.exit("open failed")
res = ctypes.c_void_p()
times = []
for _ in range(int(sys.argv[4])):
    t0 = time.perf_counter()
    rc = lib.fouille_search(ctypes.byref(res), idx, sys.argv[3].encode(), None)
    times.append(time.perf_counter() - t0)
    if rc != 0:
        sys.exit("search failed")
    lib.fouille_results_free(res)
lib.fouille_index_close(idx)
print(f"{statistics.median(times)*1000:.2f} ms")
EOF
)
		say "$q | $name | $whole | $lib"
		echo "| $q | $name | $whole | $lib |" >>"$results"
	done
done
say "== results in $results"
cat "$results"
