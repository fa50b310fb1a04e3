#!/usr/bin/env bash
# bench/broker.sh: receipts per second from 4 capture processes through
# RabbitMQ to 1 and to 2 builder daemons (bhctl serve builder) on the folder
# store, beside the local figure (the same 4 captures without a broker,
# each linking its own blocks) and beside the broker's own rate for
# messages of a receipt's size (bench/brokerload -mode bare: publisher
# confirms on, persistent messages, manual acks); then the latency from a
# receipt's confirm to its block being linked at ttl 50 ms.
#
#   bench/broker.sh                  # 4 x 5000 receipts, 3 rounds
#   N=2000 RUNS=1 bench/broker.sh    # quicker
#   BH_BENCH_AMQP=amqp://u:p@127.0.0.1:5672/ bench/broker.sh
#
# Aim (issue 14): through the broker at least half of the bare broker's
# rate; confirm-to-linked p99 under 100 ms at ttl 50 ms.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
N=${N:-5000}
RUNS=${RUNS:-3}
AMQP=${BH_BENCH_AMQP:-amqp://guest:guest@127.0.0.1:5672/}
NS=bench-$$

bench_build bhctl ./cmd/bhctl
bench_build brokerload ./bench/brokerload
bench_machine
seq 1 "$N" | sed 's/^/receipt /' >"$WORK/lines"
echo "input: 4 processes x $N lines, one asset (and receipt) per line; $RUNS rounds"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# captures HOME [global flags...]: 4 pipes at once, one receipt per line.
captures() {
	local home=$1
	shift
	local pids=() p
	for p in 1 2 3 4; do
		BH_HOME=$home "$WORK/bhctl" -q "$@" pipe --rows 1 --meta "p=$p" <"$WORK/lines" >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
}

# linked HOME CHAIN: the receipts of the captures on the chain.
linked() { BH_HOME=$1 "$WORK/bhctl" -q --chain "$2" walk --assets -o json | grep -c '"p":"' || true; }

# through HOME BUILDERS: the broker run; prints receipts/s from the start
# of the captures to the last receipt linked.
through() {
	local home=$1 builders=$2 url="$AMQP?namespace=$NS" id b p pids=()
	rm -rf "$home"
	id=$(BH_HOME=$home "$WORK/bhctl" -q chain create bench --max 1000 --ttl 50ms -o json | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
	for ((b = 0; b < builders; b++)); do
		BH_HOME=$home "$WORK/bhctl" --broker "$url" serve builder --chains bench 2>"$WORK/builder$b.log" &
		pids+=($!)
	done
	for ((b = 0; b < builders; b++)); do
		until grep -q 'serve builder: ready' "$WORK/builder$b.log"; do sleep 0.1; done
	done
	local t0 t1
	t0=$(now)
	captures "$home" --broker "$url" --chain bench
	until [ "$(linked "$home" bench)" -ge $((4 * N)) ]; do sleep 0.05; done
	t1=$(now)
	for p in "${pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
	"$WORK/brokerload" -mode drop -url "$url" -chain "$id"
	rate $((4 * N)) "$t0" "$t1"
}

local_run() {
	local home=$1 t0 t1
	rm -rf "$home"
	BH_HOME=$home "$WORK/bhctl" -q chain create bench --max 1000 --ttl 50ms >/dev/null
	t0=$(now)
	captures "$home" --chain bench
	t1=$(now)
	[ "$(linked "$home" bench)" -eq $((4 * N)) ] || { echo "bench: local run lost receipts" >&2; exit 1; }
	rate $((4 * N)) "$t0" "$t1"
}

for ((r = 1; r <= RUNS; r++)); do
	echo "round $r: $(bench_load)"
	echo "  bare broker, 1 consumer:   $("$WORK/brokerload" -mode bare -url "$AMQP" -n $((4 * N)) -consumers 1)"
	echo "  bare broker, 2 consumers:  $("$WORK/brokerload" -mode bare -url "$AMQP" -n $((4 * N)) -consumers 2)"
	echo "  local (no broker):         $(local_run "$WORK/local") receipts/s"
	echo "  broker, 1 builder daemon:  $(through "$WORK/b1" 1) receipts/s"
	echo "  broker, 2 builder daemons: $(through "$WORK/b2" 2) receipts/s"
done

# Latency: one builder, ttl 50 ms, receipts at a steady 100/s.
home="$WORK/lat"
url="$AMQP?namespace=$NS-lat"
id=$(BH_HOME=$home "$WORK/bhctl" -q chain create lat --max 1000 --ttl 50ms -o json | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
BH_HOME=$home "$WORK/bhctl" --broker "$url" serve builder --chains lat 2>"$WORK/lat.log" &
pid=$!
until grep -q 'serve builder: ready' "$WORK/lat.log"; do sleep 0.1; done
"$WORK/brokerload" -mode latency -url "$url" -home "$home" -chain "$id" -n "${LAT_N:-1000}" -rate 100
kill "$pid"
wait "$pid" 2>/dev/null || true
"$WORK/brokerload" -mode drop -url "$url" -chain "$id"
