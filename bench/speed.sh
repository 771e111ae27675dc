#!/usr/bin/env bash
# Index and query speed of fouille and its peers on one folder, in one run.
#
#   bench/speed.sh [FOLDER]
#
# FOLDER defaults to the text form of the Debian documentation folder, built with
# bench/make-folders.py under $DATA when missing. Indexes FOLDER with fouille-index
# (fresh, then re-run on the unchanged folder), omindex, recollindex and SQLite FTS5;
# then runs the queries of bench/queries.txt through fouille-search, quest, recollq -A
# and sqlite3 (whole processes, hyperfine), and through the library in a loop
# (bench/search_latency.c). Prints Markdown tables and writes them to $RESULTS.
#
# Environment:
#   BUILD    fouille build tree with fouille-index, fouille-search, libfouille.so
#            (default: build/ of this checkout)
#   WORK     scratch folder for the indexes (default: /tmp/fouille-bench); wiped
#   DATA     where the default folder is built (default: /tmp/fouille-bench-data)
#   RUNS     hyperfine runs per query and tool (default: 10)
#   ROUNDS   rounds over the queries for the in-library loop (default: 20)
#   RESULTS  the Markdown results file (default: $WORK/results.md)
#   QUERIES  query file (default: bench/queries.txt)
#   PEERS    0 to run fouille alone (for scale folders), default 1
#   SHARDS   passed to fouille-index as --shards SHARDS (default: its own default)
#   INDEX_RUNS  fresh index runs per tool (default 1), taken in turn (a run of each
#            tool, then the next round); the one with the median wall time is reported
#            (the lower middle one for an even number), with each peer's ratio to
#            fouille round by round; the re-runs run once, after the last round
#   SEARCH_ONLY  1 to keep the indexes (and their table) an earlier run left in WORK and
#            only run the queries again: another fouille build's search on the same
#            index, without the time a scale folder takes to index
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
BUILD=${BUILD:-$repo/build}
WORK=${WORK:-/tmp/fouille-bench}
DATA=${DATA:-/tmp/fouille-bench-data}
RUNS=${RUNS:-10}
ROUNDS=${ROUNDS:-20}
QUERIES=${QUERIES:-$here/queries.txt}
PEERS=${PEERS:-1}
shards=()
[ -n "${SHARDS:-}" ] && shards=(--shards "$SHARDS")
BUILD=$(cd "$BUILD" && pwd)

say() { printf '%s\n' "$*" >&2; }

# ---- peers --------------------------------------------------------------------------
need=()
command -v omindex >/dev/null || need+=(xapian-omega)
command -v quest >/dev/null || need+=(xapian-tools)
command -v recollindex >/dev/null || need+=(recollcmd)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v cc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
	say "installing ${need[*]}"
	sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${need[@]}" >/dev/null
fi
for prog in fouille-index fouille-search; do
	[ -x "$BUILD/$prog" ] || { say "no $BUILD/$prog: build fouille first (or set BUILD)"; exit 2; }
done

# ---- the folder ---------------------------------------------------------------------
if [ $# -ge 1 ]; then
	folder=$(cd "$1" && pwd)
else
	folder=$DATA/text
	if [ ! -d "$folder" ]; then
		[ -d "$DATA/html" ] || python3 "$here/make-folders.py" html "$DATA/html"
		python3 "$here/make-folders.py" text "$DATA/html" "$DATA/text.tmp"
		mv "$DATA/text.tmp" "$folder"
	fi
fi
SEARCH_ONLY=${SEARCH_ONLY:-0}
export INDEX_RUNS=${INDEX_RUNS:-1}
[[ "$INDEX_RUNS" =~ ^[1-9][0-9]*$ ]] || { say "INDEX_RUNS must be a number from 1"; exit 2; }
if [ "$SEARCH_ONLY" = 1 ]; then
	[ -s "$WORK/index.tsv" ] || { say "SEARCH_ONLY=1: no earlier run in $WORK"; exit 2; }
	for index in fouille $([ "$PEERS" = 1 ] && echo omega recoll fts5.db); do
		[ -e "$WORK/$index" ] || { say "SEARCH_ONLY=1: no $WORK/$index (run with PEERS=$PEERS first)"; exit 2; }
	done
	INDEX_RUNS=$(cat "$WORK/index-runs" 2>/dev/null || echo 1) # the table's, for its note
else
	rm -rf "$WORK"
fi
mkdir -p "$WORK"
RESULTS=${RESULTS:-$WORK/results.md}
nfiles=$(find "$folder" -type f -name '*.txt' | wc -l)
mb=$(find "$folder" -type f -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {printf "%.1f", s/1e6}')
say "folder $folder: $nfiles .txt files, $mb MB"

# Every tool reads the folder from the page cache: read it once first.
[ "$SEARCH_ONLY" = 1 ] || find "$folder" -type f -name '*.txt' -print0 | xargs -0 cat >/dev/null

# ---- indexing -----------------------------------------------------------------------
# measure NAME INDEX_PATH CMD...: wall, user+sys, peak RSS from /usr/bin/time; size by du
measure() {
	local name=$1 index=$2
	shift 2
	say "index: $name"
	# what the run before left to write (FTS5 writes without syncing) is written now,
	# not during this run's own syncs
	sync
	if ! /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.$name" "$@" >"$WORK/log.$name" 2>&1; then
		say "  $name failed (exit status, see $WORK/log.$name); its numbers are still shown"
	fi
	# the last line: after a failure, time writes "Command exited with non-zero status N" first
	read -r wall user sys rss < <(tail -n 1 "$WORK/time.$name")
	local kb
	kb=$(du -sk "$index" | cut -f1)
	echo "$name $wall $(awk "BEGIN {print $user + $sys}") $rss $kb" >>"$WORK/index.tsv"
}
# Fresh indexes: each tool INDEX_RUNS times, round-robin (one run of each tool, then the
# next round), so that a machine whose speed drifts during the run (it does here, by a
# third within an hour) weighs on every tool alike; the run of median wall time of each
# is kept in the table, every run's numbers stay in WORK/runs.NAME, in round order.
# fresh NAME INDEX_PATH RESET CMD_ARRAY: a tool to run (RESET, a path or "", removed
# before each run; CMD_ARRAY, the name of the array holding its command).
fresh_names=() fresh_index=() fresh_reset=() fresh_cmd=()
fresh() {
	fresh_names+=("$1") fresh_index+=("$2") fresh_reset+=("$3") fresh_cmd+=("$4")
}
run_fresh() {
	local tsv=$WORK/index.tsv r i
	for i in "${!fresh_names[@]}"; do : >"$WORK/runs.${fresh_names[$i]}"; done
	for ((r = 1; r <= INDEX_RUNS; r++)); do
		for i in "${!fresh_names[@]}"; do
			[ -z "${fresh_reset[$i]}" ] || rm -rf "${fresh_reset[$i]}"
			local -n cmd=${fresh_cmd[$i]}
			measure "${fresh_names[$i]}" "${fresh_index[$i]}" "${cmd[@]}"
			unset -n cmd
			tail -n 1 "$tsv" >>"$WORK/runs.${fresh_names[$i]}"
			sed -i '$d' "$tsv"
		done
	done
}
# the fresh run of median wall time of NAME, as a line of index.tsv
median_run() {
	sort -k2,2g "$WORK/runs.$1" | sed -n "$(((INDEX_RUNS + 1) / 2))p" >>"$WORK/index.tsv"
}
if [ "$SEARCH_ONLY" != 1 ]; then
: >"$WORK/index.tsv"
echo "$INDEX_RUNS" >"$WORK/index-runs"

cmd_fouille=("$BUILD/fouille-index" --quiet "${shards[@]}" --index "$WORK/fouille" "$folder")
fresh fouille-index "$WORK/fouille" "$WORK/fouille" cmd_fouille

if [ "$PEERS" = 1 ]; then
# omindex: .txt as text/plain (it would ask libmagic otherwise), URLs relative to the
# folder, a new database, French stemming; no deletion pass is needed on a new database
cmd_omindex=(omindex --db "$WORK/omega" --url / --stemmer=french --mime-type txt:text/plain
	--overwrite "$folder")
fresh omindex "$WORK/omega" "" cmd_omindex

mkdir -p "$WORK/recoll"
cat >"$WORK/recoll/recoll.conf" <<EOF
topdirs = $folder
dbdir = $WORK/recoll/xapiandb
indexstemminglanguages = french
noaspell = 1
loglevel = 1
EOF
cmd_recoll=(recollindex -c "$WORK/recoll" -z)
fresh recollindex "$WORK/recoll" "" cmd_recoll

# SQLite FTS5: the sqlite3 shell reads the files itself (fsdir, a shell function); the
# first line is the title, the rest the body; unicode61 folding accents, no stemming
sqlfolder=${folder//\'/\'\'}
cat >"$WORK/fts5-load.sql" <<EOF
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, title, body,
  tokenize = 'unicode61 remove_diacritics 2');
BEGIN;
INSERT INTO docs(path, title, body)
  SELECT name, substr(t, 1, instr(t, char(10)) - 1), substr(t, instr(t, char(10)) + 1)
  FROM (SELECT name, CAST(data AS TEXT) AS t FROM fsdir('$sqlfolder')
        WHERE name LIKE '%.txt' ORDER BY name);
COMMIT;
INSERT INTO docs(docs) VALUES('optimize');
EOF
cmd_fts5=(sqlite3 "$WORK/fts5.db" ".read $WORK/fts5-load.sql")
fresh sqlite-fts5 "$WORK/fts5.db" "$WORK/fts5.db" cmd_fts5
fi

run_fresh
# the table's rows: each fresh index, then its re-run on the unchanged folder (on the
# index of the last round)
median_run fouille-index
measure fouille-index-rerun "$WORK/fouille" "$BUILD/fouille-index" --quiet --index "$WORK/fouille" "$folder"
if [ "$PEERS" = 1 ]; then
median_run omindex
measure omindex-rerun "$WORK/omega" omindex --db "$WORK/omega" --url / --stemmer=french \
	--mime-type txt:text/plain "$folder"
median_run recollindex
measure recollindex-rerun "$WORK/recoll" recollindex -c "$WORK/recoll"
median_run sqlite-fts5
fi
fi # SEARCH_ONLY

# ---- queries ------------------------------------------------------------------------
mapfile -t qs < <(grep -v '^\s*\(#\|$\)' "$QUERIES")
say "queries: ${#qs[@]} from $QUERIES, $RUNS runs each per tool"
mkdir -p "$WORK/sql"
fouille_cmds=() quest_cmds=() recoll_cmds=() sqlite_cmds=()
for i in "${!qs[@]}"; do
	q=${qs[$i]}
	# hyperfine -N splits commands like a shell: the queries are plain words
	fouille_cmds+=("$BUILD/fouille-search --index $WORK/fouille $q")
	quest_cmds+=("quest -d $WORK/omega -s french -m 10 '$q'")
	recoll_cmds+=("recollq -c $WORK/recoll -A -n 10 $q")
	# FTS5: each word quoted (a bare '-' or ':' would be syntax), AND (FTS5's default)
	match=$(printf '"%s" ' $q)
	cat >"$WORK/sql/q$i.sql" <<EOF
SELECT path, title, snippet(docs, 2, '[', ']', '…', 24) FROM docs
WHERE docs MATCH '${match% }' ORDER BY rank LIMIT 10;
EOF
	sqlite_cmds+=("sqlite3 $WORK/fts5.db '.read $WORK/sql/q$i.sql'")
done
tools=(fouille)
[ "$PEERS" = 1 ] && tools+=(quest recoll sqlite)
rm -f "$WORK"/hf-*.json # (SEARCH_ONLY: only this run's tools in the table)
for tool in "${tools[@]}"; do
	say "query: $tool"
	unset -n cmds 2>/dev/null || true
	declare -n cmds=${tool}_cmds
	hyperfine -N -i --style none --warmup 1 --runs "$RUNS" \
		--export-json "$WORK/hf-$tool.json" "${cmds[@]}" >/dev/null
done

say "query: in-library loop"
cc -O2 -std=c11 -I"$repo/include" "$here/search_latency.c" -L"$BUILD" -lfouille \
	-Wl,-rpath,"$BUILD" -o "$WORK/search_latency"
"$WORK/search_latency" "$WORK/fouille" "$QUERIES" "$ROUNDS" >"$WORK/inlib.txt"

# ---- tables -------------------------------------------------------------------------
python3 - "$WORK" "$folder" "$nfiles" "$mb" "$RUNS" "$ROUNDS" "${#qs[@]}" >"$RESULTS" <<'EOF'
import json, statistics, sys, os, platform, datetime
work, folder, nfiles, mb, runs, rounds, nq = sys.argv[1:]
rows = {}
for line in open(os.path.join(work, "index.tsv")):
    name, wall, cpu, rss, kb = line.split()
    rows[name] = (float(wall), float(cpu), int(rss) / 1024, int(kb) / 1024)
ref = rows["fouille-index"]
print(f"Folder: `{folder}`, {nfiles} articles, {mb} MB of text; "
      f"{os.cpu_count()} cores, {datetime.date.today()}.\n")
print("| indexing | wall s | CPU s | peak RSS MB | index MB | wall × fouille | CPU × fouille | RSS × fouille | size × fouille |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
def ratio(a, b):
    return f"{a / b:.2f}" if b else "—"  # a re-run of a tiny folder can take 0.00 s

for name, (w, c, r, s) in rows.items():
    base = rows["fouille-index"] if not name.endswith("-rerun") else rows["fouille-index-rerun"]
    label = name.replace("-rerun", " (re-run, unchanged)")
    print(f"| {label} | {w:.2f} | {c:.2f} | {r:.0f} | {s:.1f} | {ratio(w, base[0])} | "
          f"{ratio(c, base[1])} | {ratio(r, base[2])} | {ratio(s, base[3])} |")
rr = rows["fouille-index-rerun"][0] / ref[0] * 100 if ref[0] else 0
print(f"\nfouille re-run on the unchanged folder: {rr:.1f}% of the full index time.\n")
index_runs = int(os.environ.get("INDEX_RUNS", "1"))
if index_runs > 1:
    print(f"Each fresh index: the run of median wall time of {index_runs} (all in runs.NAME), "
          "the tools' runs taken in turn.")
    # each peer's wall time over fouille's in the same round: runs minutes apart
    runs_of = {}
    for name in rows:
        path = os.path.join(work, f"runs.{name}")
        if not name.endswith("-rerun") and os.path.exists(path):
            runs_of[name] = [float(l.split()[1]) for l in open(path) if l.strip()]
    own = runs_of.get("fouille-index", [])
    for name, walls in runs_of.items():
        if name == "fouille-index" or len(walls) != len(own) or not all(own):
            continue  # (all(): a run of 0.00 s, or no run)
        per = [w / f for w, f in zip(walls, own)]
        print(f"{name} / fouille-index, round by round: "
              + ", ".join(f"{x:.2f}" for x in per) + f" (median {statistics.median(per):.2f}).")
    print()

def pct(v, p):
    v = sorted(v)
    k = max(1, min(len(v), int(p / 100 * len(v) + 0.999999)))
    return v[k - 1]

print(f"| query ({nq} queries × {runs} runs, whole process) | median ms | p95 ms | mean ms | median × fouille |")
print("|---|---:|---:|---:|---:|")
names = {"fouille": "fouille-search (10 hits, snippets)", "quest": "quest (omindex db, 10 hits)",
         "recoll": "recollq -A (10 hits, abstracts)", "sqlite": "sqlite3 FTS5 + snippet() (10 hits)"}
med = {}
for tool in ["fouille", "quest", "recoll", "sqlite"]:
    if not os.path.exists(os.path.join(work, f"hf-{tool}.json")):
        continue
    res = json.load(open(os.path.join(work, f"hf-{tool}.json")))["results"]
    times = [t * 1000 for r in res for t in r["times"]]
    med[tool] = (statistics.median(times), pct(times, 95), statistics.mean(times))
for tool, (m, p, a) in med.items():
    print(f"| {names[tool]} | {m:.1f} | {p:.1f} | {a:.1f} | {ratio(m, med['fouille'][0])} |")
il = dict(l.split(None, 1) for l in open(os.path.join(work, "inlib.txt")) if not l.startswith("slow_ms"))
slow = [l.split(None, 2)[1:] for l in open(os.path.join(work, "inlib.txt")) if l.startswith("slow_ms")]
print(f"\nIn-library (bench/search_latency.c, index opened once, {il['searches'].strip()} searches "
      f"= {nq} queries × {rounds} rounds, 10 hits with snippets): median "
      f"{float(il['median_ms']):.2f} ms, p95 {float(il['p95_ms']):.2f} ms, "
      f"p99 {float(il['p99_ms']):.2f} ms, mean {float(il['mean_ms']):.2f} ms. "
      "Slowest queries (median ms): "
      + ", ".join(f"`{q.strip()}` {float(m):.1f}" for m, q in slow) + ".")
EOF
cat "$RESULTS"
say "results in $RESULTS"
