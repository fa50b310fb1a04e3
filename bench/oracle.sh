#!/usr/bin/env bash
# bench/oracle.sh: the oracle's figures (see bench/results-oracle.md).
#   replay of ROWS emitted orders (CSV assets of 1,000 rows, header in each)
#   into MariaDB beside LOAD DATA LOCAL INFILE of the same CSV, and the live
#   sync latency from `bhctl pipe` returning to the row visible in MariaDB.
#   LOCAL_INFILE=false replays with INSERT statements only (the figures
#   before the oracle streamed rows with LOAD DATA itself).
# Needs BH_TEST_MYSQL (eval "$(scripts/servers up)").
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BH_TEST_MYSQL:?set BH_TEST_MYSQL, e.g. eval \"\$(scripts/servers up)\"}"
ROWS=${ROWS:-1000000}
LIVE_N=${LIVE_N:-100}
LOCAL_INFILE=${LOCAL_INFILE:-true}
BENCHTIME=${BENCHTIME:-1x} # 2x: the oracle and LOAD DATA take turns at going first
go test ./bench -run '^$' -bench 'OracleReplay' -benchtime "$BENCHTIME" -timeout 1h -oracle-rows "$ROWS" -oracle-local-infile="$LOCAL_INFILE"
go test ./bench -run '^$' -bench 'OracleLive' -benchtime 1x -timeout 1h -oracle-live-n "$LIVE_N"
