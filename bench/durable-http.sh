#!/usr/bin/env bash
# bench/durable-http.sh: the cost of a durable 201. Beside each other, on
# loopback, with the load generator bench/httpload (C clients posting
# SIZE-byte random bodies for DURATION or MAXREQ requests):
#   - bench/fsyncserver: a bare Go HTTP server that writes each body to a
#     file and fsyncs it and its folder before its 201 (the baseline);
#   - bhctl serve http, the default: assets synced and receipts journaled
#     by a group commit before the 201 (one flush for every request in
#     flight), blocks linked behind;
#   - bhctl serve http with ?wait=block (answers once the block is linked).
# Rounds alternate the servers (A B C A B C ...); every figure is min /
# median / max over ROUNDS. Every round's folder is kept until the end:
# on ext4 without a journal, inodes freed in the last minutes are skipped
# by the allocator at a cost (recently_deleted), which a round made right
# after removing the last one's files would pay. After each bhctl run the server is stopped
# with SIGTERM and the chain must hold two assets per accepted request.
#
#   bench/durable-http.sh                 # CLIENTS="16 64", ROUNDS=3, DURATION=5s
#   BENCH_DIR=/var/tmp CLIENTS=64 ROUNDS=5 bench/durable-http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-5s}
CLIENTS=${CLIENTS:-16 64}
ROUNDS=${ROUNDS:-3}
MAXREQ=${MAXREQ:-50000}
SIZE=${SIZE:-1024}

bench_workdir
server=""
stop_server() {
	if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; wait "$server" || true; fi
	server=""
}
trap 'stop_server; [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"' EXIT
bench_build bhctl ./cmd/bhctl
bench_build httpload ./bench/httpload
bench_build fsyncserver ./bench/fsyncserver
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# load NAME CLIENTS QUERY: one measured load, appended to $WORK/NAME.json.
load() {
	curl -s --retry 50 --retry-connrefused --retry-delay 1 -o /dev/null --data-binary warmup "http://127.0.0.1:$port/warmup"
	"$WORK/httpload" -json -url "http://127.0.0.1:$port/load$3" -c "$2" -d "$DURATION" -n "$MAXREQ" -size "$SIZE" >>"$WORK/$1.json"
}

# bhctl_round NAME CLIENTS QUERY
bhctl_round() {
	local home="$WORK/home-$RANDOM$RANDOM"
	"$WORK/bhctl" --home "$home" --quiet serve http --listen "127.0.0.1:$port" >/dev/null 2>"$WORK/server.log" &
	server=$!
	load "$1" "$2" "$3"
	stop_server
	local accepted assets
	accepted=$(tail -n1 "$WORK/$1.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accepted"])')
	assets=$("$WORK/bhctl" --home "$home" -o json walk | python3 -c 'import json,sys; print(sum(len(json.loads(l).get("assets") or []) for l in sys.stdin if json.loads(l)["height"]>0))')
	if ((assets != 2 * accepted + 2)); then
		echo "durable-http.sh: $1: $accepted accepted but $assets asset(s) on the chain; want $((2 * accepted + 2))" >&2
		exit 1
	fi
}

fsync_round() {
	local dir="$WORK/bodies-$RANDOM$RANDOM"
	"$WORK/fsyncserver" -listen "127.0.0.1:$port" -dir "$dir" 2>/dev/null &
	server=$!
	load "$1" "$2" ""
	stop_server
}

echo "durable 201s: $SIZE-byte bodies, $DURATION or $MAXREQ requests per run, $ROUNDS rounds, $(date -u +%Y-%m-%d)"
bench_machine
echo
echo "| server | clients | req/s (min / median / max) | p50 ms (median) | p99 ms (median) |"
echo "| --- | ---: | ---: | ---: | ---: |"
for c in $CLIENTS; do
	for _ in $(seq "$ROUNDS"); do
		fsync_round "fsync-$c" "$c"
		bhctl_round "bhctl-$c" "$c" ""
		bhctl_round "block-$c" "$c" "?wait=block"
	done
	for name in fsync bhctl block; do
		label=$(case $name in
			fsync) echo "bare Go server, write + fsync file and folder per body (baseline)" ;;
			bhctl) echo "bhctl serve http (group commit + journal, the default)" ;;
			block) echo "bhctl serve http ?wait=block" ;;
		esac)
		python3 - "$label" "$c" "$WORK/$name-$c.json" <<'PY'
import json, statistics, sys
label, clients, path = sys.argv[1], sys.argv[2], sys.argv[3]
runs = [json.loads(l) for l in open(path)]
rate = sorted(r["per_second"] for r in runs)
med = lambda k: statistics.median(r[k] for r in runs)
print(f"| {label} | {clients} | {rate[0]:.0f} / {statistics.median(rate):.0f} / {rate[-1]:.0f} | {med('p50_ms'):.1f} | {med('p99_ms'):.1f} |")
PY
	done
done
bench_load
