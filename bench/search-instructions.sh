#!/usr/bin/env bash
# Instructions per whole search process, fouille-search against quest, query by query.
#
#   bench/search-instructions.sh WORK
#
# WORK is a folder bench/speed.sh left (WORK/fouille and WORK/omega, the indexes of one
# folder). Each query of $QUERIES runs once under valgrind's callgrind, as speed.sh runs
# it through hyperfine; what is counted (instructions executed, the dynamic loader's
# included) does not change with the machine's load, so two builds of fouille compare
# in any run, where hyperfine's milliseconds need an idle machine. Prints one line per
# query (millions of instructions: fouille, quest, fouille's snippets, its get_mset),
# then the medians and sums.
#
# Environment: BUILD (fouille build tree, default build/ of this checkout), QUERIES
# (default bench/queries.txt), QUEST=0 to count fouille only.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
BUILD=$(cd "${BUILD:-$repo/build}" && pwd)
QUERIES=${QUERIES:-$here/queries.txt}
QUEST=${QUEST:-1}
work=$(cd "${1:?usage: bench/search-instructions.sh WORK (a folder bench/speed.sh left)}" && pwd)
export LC_ALL=C # printf reads 3.30 as a number
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 2; }
command -v bc >/dev/null || { echo "bc is needed: apt-get install bc" >&2; exit 2; }
[ "$QUEST" != 1 ] || command -v quest >/dev/null ||
	{ echo "quest is needed (apt-get install xapian-tools), or QUEST=0" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Total instructions of a callgrind profile, and the inclusive count of one function.
# (awk reads to the end: an early exit would fail callgrind_annotate, under pipefail)
total() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ && !n {gsub(",", "", $1); n = $1} END {print n + 0}'; }
inclusive() {
	callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
		awk -v f="$2" 'index($0, f) && !n {gsub(",", "", $1); n = $1} END {print n + 0}'
}

mapfile -t qs < <(grep -v '^\s*\(#\|$\)' "$QUERIES")
printf '%-32s %9s %9s %9s %9s\n' query fouille quest snippets get_mset
for i in "${!qs[@]}"; do
	q=${qs[$i]}
	# word-split like hyperfine -N does in speed.sh: the queries are plain words
	# shellcheck disable=SC2086
	# (exit status 1: nothing found, which is an answer too)
	valgrind --tool=callgrind --callgrind-out-file="$tmp/f$i" \
		"$BUILD/fouille-search" --index "$work/fouille" $q >/dev/null 2>&1 || [ $? -eq 1 ]
	f=$(total "$tmp/f$i")
	s=$(inclusive "$tmp/f$i" ':snippet_make_ex ')
	m=$(inclusive "$tmp/f$i" 'Xapian::Enquire::get_mset(')
	qn=0
	if [ "$QUEST" = 1 ]; then
		valgrind --tool=callgrind --callgrind-out-file="$tmp/q$i" \
			quest -d "$work/omega" -s french -m 10 "$q" >/dev/null 2>&1 || true
		qn=$(total "$tmp/q$i")
	fi
	printf '%-32s %9.2f %9.2f %9.2f %9.2f\n' "$q" "$(bc -l <<<"$f/1000000")" \
		"$(bc -l <<<"$qn/1000000")" "$(bc -l <<<"$s/1000000")" "$(bc -l <<<"$m/1000000")"
	rm -f "$tmp/f$i" "$tmp/q$i"
done | tee "$tmp/rows"
python3 - "$tmp/rows" <<'EOF'
import statistics, sys
rows = [line.split()[-4:] for line in open(sys.argv[1])]
cols = list(zip(*[[float(x) for x in r] for r in rows]))
print("%-32s" % "median" + "".join(" %9.2f" % statistics.median(c) for c in cols))
print("%-32s" % "sum" + "".join(" %9.2f" % sum(c) for c in cols))
EOF
