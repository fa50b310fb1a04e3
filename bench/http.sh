#!/usr/bin/env bash
# bench/http.sh: requests/s and latency of `bhctl serve http` at 64
# concurrent clients posting 1 KiB bodies on loopback (bounded: DURATION,
# default 10s, or 50k requests), beside the same server answering without
# capturing (--dry-run: it still reads, sniffs and hashes every body).
# After each capturing run it stops the server with SIGTERM and counts the
# assets on the chain: two per accepted request, or the run fails.
#
#   bench/http.sh            # prints a markdown table
#   DURATION=5s CLIENTS=32 BENCH_DIR=/var/tmp bench/http.sh
#
# With BH_TEST_S3 set (scripts/servers up), it also measures s3:// stores.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CLIENTS=${CLIENTS:-64}
MAXREQ=${MAXREQ:-50000}
SIZE=${SIZE:-1024}

# Stores go under $BENCH_DIR (default $TMPDIR or /tmp): put it on the disk
# you care about; on tmpfs fsync costs nothing.
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/bh-bench-http.XXXXXX")
if [[ $(stat -f -c %T "$work") == tmpfs ]]; then
	echo "http.sh: note: $work is on tmpfs: fsync costs nothing there; set BENCH_DIR to a disk folder" >&2
fi
server=""
cleanup() {
	if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then kill "$server"; fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/bhctl" ./cmd/bhctl
go build -o "$work/httpload" ./bench/httpload
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# run NAME EXPECT_ASSETS(yes|no) BHCTL_ARGS...: one measured run.
run() {
	local name=$1 check=$2
	shift 2
	local home="$work/home-$RANDOM"
	"$work/bhctl" --home "$home" --quiet "$@" serve http --listen "127.0.0.1:$port" >"$work/served.txt" 2>"$work/server.log" &
	server=$!
	curl -s --retry 50 --retry-connrefused --retry-delay 1 -o /dev/null --data-binary warmup "http://127.0.0.1:$port/warmup"
	local out
	out=$("$work/httpload" -json -url "http://127.0.0.1:$port/load" -c "$CLIENTS" -d "$DURATION" -n "$MAXREQ" -size "$SIZE")
	kill -TERM "$server"
	wait "$server"
	server=""
	local accepted assets="-"
	accepted=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["accepted"])' "$out")
	if [[ $check == yes ]]; then
		assets=$("$work/bhctl" --home "$home" "$@" -o json walk | python3 -c 'import json,sys; print(sum(len(json.loads(l).get("assets") or []) for l in sys.stdin if json.loads(l)["height"]>0))')
		# +2: the warm-up request.
		if ((assets != 2 * accepted + 2)); then
			echo "http.sh: $name: $accepted accepted but $assets asset(s) on the chain; want $((2 * accepted + 2))" >&2
			exit 1
		fi
	fi
	python3 - "$name" "$out" "$assets" <<'PY'
import json, sys
name, r, assets = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
print(f"| {name} | {r['accepted']} | {r['errors']} | {r['per_second']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {assets} |")
PY
}

echo "http capture, $CLIENTS clients, $SIZE-byte bodies, $DURATION or $MAXREQ requests, $(nproc) cores, $(go env GOOS)/$(go env GOARCH), $(date -u +%Y-%m-%d)"
echo
echo "| server | accepted | errors | req/s | p50 ms | p99 ms | assets on chain |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
run "no capture (--dry-run: read, sniff, hash, answer)" no --dry-run
run "capture, folder store (fsync per asset, the default)" yes
ns="file://$work/nosync?nosync=1"
run "capture, folder store ?nosync=1" yes --block-store "$ns" --asset-store "$ns"
run "capture, mem:// stores" no --block-store mem:// --asset-store mem://
if [[ -n ${BH_TEST_S3:-} ]]; then
	# MinIO from scripts/testservers.sh (or any S3 URL), under a fresh prefix.
	s3="${BH_TEST_S3%%\?*}/bench-http-$(date +%s)"
	[[ $BH_TEST_S3 == *\?* ]] && s3="$s3?${BH_TEST_S3#*\?}"
	run "capture, s3:// stores (MinIO on loopback)" yes --block-store "$s3" --asset-store "$s3"
fi
