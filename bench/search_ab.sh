#!/usr/bin/env bash
# Whole-process search times of two fouille builds, quest and recollq -A, interleaved
# query by query: for each query of bench/queries.txt, one hyperfine run over the four
# commands, so that a change in the machine's load weighs on all four alike (speed.sh
# runs each tool over all the queries in turn, minutes apart).
#
#   bench/search_ab.sh BUILD_A BUILD_B
#
# BUILD_A, BUILD_B: build trees with fouille-search (e.g. main's and a branch's).
# Environment:
#   WORK     the indexes of a speed.sh run: WORK/fouille, WORK/omega, WORK/recoll
#            (default: /tmp/fouille-bench); the JSON files go to WORK/ab
#   RUNS     runs per query and command (default: 10)
#   QUERIES  query file (default: bench/queries.txt)
# Prints median, p95 and mean over all runs of each command, as speed.sh computes them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { echo "usage: $0 BUILD_A BUILD_B" >&2; exit 2; }
A=$(cd "$1" && pwd)
B=$(cd "$2" && pwd)
WORK=${WORK:-/tmp/fouille-bench}
RUNS=${RUNS:-10}
QUERIES=${QUERIES:-$here/queries.txt}
for d in fouille omega recoll; do
	[ -d "$WORK/$d" ] || { echo "no $WORK/$d: run bench/speed.sh first (same WORK)" >&2; exit 2; }
done
rm -rf "$WORK/ab"
mkdir -p "$WORK/ab"

i=0
grep -v '^\s*\(#\|$\)' "$QUERIES" | while read -r q; do
	# hyperfine -N splits commands like a shell: the queries are plain words
	hyperfine -N -i --style none --warmup 1 --runs "$RUNS" --export-json "$WORK/ab/q$i.json" \
		-n a "$A/fouille-search --index $WORK/fouille $q" \
		-n b "$B/fouille-search --index $WORK/fouille $q" \
		-n quest "quest -d $WORK/omega -s french -m 10 '$q'" \
		-n recoll "recollq -c $WORK/recoll -A -n 10 $q" >/dev/null 2>&1
	i=$((i + 1))
done

python3 - "$WORK/ab" "$A" "$B" <<'EOF'
import glob, json, statistics, sys
times = {}
for f in glob.glob(sys.argv[1] + "/q*.json"):
    for r in json.load(open(f))["results"]:
        times.setdefault(r["command"], []).extend(t * 1000 for t in r["times"])

def pct(v, p):
    v = sorted(v)
    k = max(1, min(len(v), int(p / 100 * len(v) + 0.999999)))
    return v[k - 1]

names = {"a": f"fouille-search ({sys.argv[2]})", "b": f"fouille-search ({sys.argv[3]})",
         "quest": "quest", "recoll": "recollq -A"}
print("| whole process, interleaved | median ms | p95 ms | mean ms | runs |")
print("|---|---:|---:|---:|---:|")
for k in ("a", "b", "quest", "recoll"):
    v = times[k]
    print(f"| {names[k]} | {statistics.median(v):.1f} | {pct(v, 95):.1f} | "
          f"{statistics.mean(v):.1f} | {len(v)} |")
EOF
