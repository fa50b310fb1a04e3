#!/usr/bin/env bash
# bench/ui.sh: the chain browser in headless Chromium against a real
# `bhctl serve ui` on the folder store (bench/uilat): time to the first
# block row of a chain of BLOCKS blocks (default 100,000; cold cache,
# IndexedDB, and a query that starts 1,000 blocks before the tail), and a
# live block shown after `bhctl pipe` returns: p50/p99.
#
#   bench/ui.sh
#   UI_RUNS=50 PIPES=200 bench/ui.sh
#
# Needs chromium (BH_TEST_CHROMIUM, else /usr/bin/chromium; scripts/servers
# up installs it). Aim (issue 16): a live block shown within a second.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_need
bench_workdir
BLOCKS=${BLOCKS:-100000}

bench_build bhctl ./cmd/bhctl
bench_build uilat ./bench/uilat
bench_machine
"$WORK/uilat" -bhctl "$WORK/bhctl" -chromium "${BH_TEST_CHROMIUM:-/usr/bin/chromium}" -home "$WORK/home" \
	-blocks "$BLOCKS" -runs "${UI_RUNS:-20}" -pipes "${PIPES:-100}"
bench_load
