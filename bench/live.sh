#!/usr/bin/env bash
# bench/live.sh: latency of `bhctl walk --live` on the folder store, from
# `bhctl pipe` returning to the walker printing the block that names the
# piped asset: p50 and p99 over N pipes (default 200), run one after the
# other by bench/livelat against a fresh store.
#
#   bench/live.sh
#   N=1000 bench/live.sh
#
# Aim (issue 2): p99 under 50 ms.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
N=${N:-200}

bench_build bhctl ./cmd/bhctl
bench_build livelat ./bench/livelat
bench_machine
"$WORK/livelat" -bhctl "$WORK/bhctl" -n "$N" -home "$WORK/home"
bench_load
