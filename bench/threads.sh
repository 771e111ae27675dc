#!/usr/bin/env bash
# Where the wall time of a first index goes, thread by thread.
#
#   bench/threads.sh [FOLDER]
#
# Runs one fresh fouille-index of FOLDER (default: the Debian text folder that
# bench/speed.sh builds under $DATA) under `perf sched record`, then sorts the run's wall time by
# how many of its threads were running at once: all cores busy, one thread alone (and
# which: the writer `fouille-index`, a shard's thread `fouille-shardN`, an analysis
# worker `fouille-prepN`), or none of them (the run's own threads only: perf records
# the whole machine, and its idle time is printed apart). Prints each thread's CPU time, that table, and a
# timeline in WINDOW-second steps (default 0.1). The wall time an index run leaves a
# core idle is what more parallel work could win back; CPU time is what less work could.
#
# Environment: BUILD (fouille build tree, default build/), WORK (scratch folder, default
# /tmp/fouille-threads; wiped), DATA (as speed.sh), WINDOW, ARGS (more fouille-index
# arguments, e.g. ARGS="--jobs 1"). Needs perf (Debian: linux-perf) and the right to
# record scheduler events system-wide (root, or kernel.perf_event_paranoid = -1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
BUILD=${BUILD:-$repo/build}
WORK=${WORK:-/tmp/fouille-threads}
DATA=${DATA:-/tmp/fouille-bench-data}
WINDOW=${WINDOW:-0.1}
ARGS=${ARGS:-}
folder=${1:-$DATA/text}

command -v perf >/dev/null || { echo "threads.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
[ -x "$BUILD/fouille-index" ] || { echo "threads.sh: no $BUILD/fouille-index (set BUILD)" >&2; exit 2; }
[ -d "$folder" ] || { echo "threads.sh: no folder $folder (bench/speed.sh, or bench/make-folders.py, builds the default one)" >&2; exit 2; }

rm -rf "$WORK"
mkdir -p "$WORK"
find "$folder" -type f -print0 | xargs -0 cat >/dev/null # the page cache warmed, as speed.sh does
sync
# through sh, to learn the pid whose threads count (perf records every process)
# shellcheck disable=SC2016,SC2086 # $$ is sh's; ARGS is split on purpose
# (its status is fouille-index's, 1 when some file could not be indexed: judged below)
perf sched record -o "$WORK/sched.data" -- sh -c 'echo $$ >"$0/pid"; exec "$@"' "$WORK" \
	"$BUILD/fouille-index" --quiet $ARGS --index "$WORK/index" "$folder" >/dev/null 2>"$WORK/perf.log" || true
if [ ! -s "$WORK/sched.data" ] || [ ! -s "$WORK/pid" ]; then
	echo "threads.sh: perf sched record failed (not root? kernel.perf_event_paranoid?):" >&2
	cat "$WORK/perf.log" >&2
	exit 1
fi
[ -d "$WORK/index" ] || { echo "threads.sh: fouille-index made no index ($WORK/perf.log)" >&2; exit 1; }
if grep -qi "lost" "$WORK/perf.log"; then
	echo "threads.sh: perf lost events ($WORK/perf.log): the figures below miss some" >&2
fi
perf sched timehist -i "$WORK/sched.data" >"$WORK/timehist.txt" 2>>"$WORK/perf.log"

python3 - "$WORK/timehist.txt" "$(nproc)" "$WINDOW" "$(cat "$WORK/pid")" <<'PY'
import collections, re, sys

path, ncpu, window, pid = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
if window <= 0:
    sys.exit("threads.sh: WINDOW must be a number of seconds above 0")
# a line: end time, [cpu], task[tid/pid] (or <idle>), wait time, scheduling delay, run
# time, the last three in ms. perf writes task[tid/pid] in 31 characters at most: a long
# name with long ids loses its closing bracket, and then the end of its pid.
line_re = re.compile(r'\s*([\d.]+)\s+\[\d+\]\s+(\S+?)(?:\[(\d+)(?:/(\d+))?\]?)?\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$')
runs, idle = [], []  # (start, end, thread name); (start, end) of an idle core
for line in open(path, errors='replace'):
    m = line_re.match(line)
    if not m:
        continue
    end, ran = float(m.group(1)), float(m.group(7)) / 1000
    if ran <= 0:
        continue
    if m.group(2) == '<idle>':
        idle.append((end - ran, end))
    elif m.group(3) and (m.group(4) or m.group(3)) == pid:
        runs.append((end - ran, end, f"{m.group(2)}[{m.group(3)}]"))
if not runs:
    sys.exit("threads.sh: no thread of the run in the recording")

cpu = collections.Counter()
for s, e, t in runs:
    cpu[t] += e - s
t0 = min(s for s, e, t in runs)
# times from the run's first instant: steps of the timeline counted on small numbers
runs = [(s - t0, e - t0, t) for s, e, t in runs]
events = sorted([(s, 1, t) for s, e, t in runs] + [(e, -1, t) for s, e, t in runs])
span = events[-1][0]
idle_s = sum(max(0.0, min(e - t0, span) - max(s - t0, 0.0)) for s, e in idle)

def state(running):
    live = sorted(t for t, n in running.items() if n > 0)
    if not live:
        return 'none'
    if len(live) >= ncpu:
        return f'{ncpu} or more running'
    if len(live) == 1:
        return live[0] + ' alone'
    return f'{len(live)} running'

share = collections.Counter()
steps = collections.defaultdict(collections.Counter)
running = collections.Counter()
last, w = 0.0, 0
for t, d, name in events:
    s = last
    key = state(running)
    while s < t:  # cut at the steps' edges for the timeline
        edge = (w + 1) * window
        e = min(t, edge)
        share[key] += e - s
        steps[w][key] += e - s
        s = e
        if e >= edge:
            w += 1
    running[name] += d
    last = t

print(f"wall {span:.3f} s (first to last instant a fouille thread ran), CPU {sum(cpu.values()):.3f} s, "
      f"{sum(cpu.values()) / span:.2f} cores busy with it on average of {ncpu}; "
      f"cores idle meanwhile {idle_s:.3f} s ({100 * idle_s / (ncpu * span):.1f}% of {ncpu} x the wall time)\n")
print("| thread | CPU s | share of the CPU |\n|---|---:|---:|")
for t, v in sorted(cpu.items(), key=lambda kv: -kv[1]):
    if v < 0.0005:
        continue  # the moment before exec (perf-exec, sh)
    print(f"| {t} | {v:.3f} | {100 * v / sum(cpu.values()):.1f}% |")
print("\n| the run's threads running | s | share of the wall time |\n|---|---:|---:|")
for k, v in share.most_common():
    print(f"| {k} | {v:.3f} | {100 * v / span:.1f}% |")
print(f"\ntimeline, {window:g} s steps (share of each step):")
for w in sorted(steps):
    c = steps[w]
    print(f"{w * window:7.2f}  " + ', '.join(f"{k} {100 * v / window:.0f}%" for k, v in c.most_common(3)))
PY
