# Sourced by shards.sh and suggest_shards.sh: messages, the scratch folder (its servers
# killed on exit), and xapian-tcpsrv serving indexes on free loopback ports.

say() { printf '%s\n' "$*" >&2; }

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
}

# An empty $WORK, and every server started below killed when the script exits.
fresh_work() {
	rm -rf "$WORK"
	mkdir -p "$WORK"
	trap cleanup EXIT
}

# serve DB...: one xapian-tcpsrv per Xapian database, each on a free loopback port, and
# once each answers, their ports in the array `ports` (in the order of the databases).
serve() {
	read -r -a ports <<<"$(python3 - "$#" <<'PY'
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
PY
)"
	local i=0 db p
	for db in "$@"; do
		setsid xapian-tcpsrv --quiet --port "${ports[$i]}" --interface 127.0.0.1 "$db" >/dev/null 2>&1 &
		pids+=($!)
		i=$((i + 1))
	done
	for p in "${ports[@]}"; do
		for _ in $(seq 100); do
			python3 -c "import socket; socket.create_connection(('127.0.0.1', $p), 0.2)" 2>/dev/null && break
			sleep 0.05
		done
	done
}
