#!/usr/bin/env bash
# bench/sql.sh: the sql connector's figure (see bench/results-sql.md).
#   `bhctl import sql` of a ROWS-row table (default 1,000,000) into a fresh
#   folder store, in rows/s, beside `SELECT ... INTO OUTFILE` of the same
#   table on the same server (what `mariadb-dump --tab` runs), and beside
#   the client reading it (`mariadb --batch -e 'SELECT * ...'`).
# Needs MariaDB with root over TCP at BH_TEST_MYSQL (default
# mysql://root@127.0.0.1:3306/...; eval "$(scripts/servers up)"), the
# mariadb client, and rights to write INTO OUTFILE where the server runs.
# Then PAIRS rounds (default 5; 0 skips them), each `mariadb-dump --quick`
# of the table beside `bhctl import sql` of it into a home whose chain
# was made beforehand (untimed), in turn, with the ratio dump / import
# taken per round (issue 13 aims at >= 0.8); BHCTL_BASE=/path/to/old/bhctl
# adds an older build to each round (before/after).
#   ROWS=100000 bench/sql.sh           # the table of issue 13
# KEEP=1 leaves the database (BENCH_DB, default bhbench_sql) in place for
#   BENCH_SQL_URL=mysql://root@127.0.0.1:3306/bhbench_sql go test ./connectors/sql -run '^$' -bench Read
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"
ROWS=${ROWS:-1000000}
DB=${BENCH_DB:-bhbench_sql}
hostport=${BH_TEST_MYSQL:-mysql://root@127.0.0.1:3306/bhtest}
hostport=${hostport#mysql://*@}
hostport=${hostport%%/*}
host=${hostport%:*}
port=${hostport##*:}
client=$(command -v mariadb || command -v mysql)
sql() { "$client" --protocol=tcp -h"$host" -P"$port" -uroot -N "$@"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bh-bench-sql.XXXXXX")
# KEEP=1 keeps the database, for BenchmarkRead (connectors/sql/bench_test.go).
trap 'rm -rf "$work"; [[ ${KEEP:-} == 1 ]] || sql -e "DROP DATABASE IF EXISTS $DB" || true' EXIT
go build -o "$work/bhctl" ./cmd/bhctl

echo "# filling $DB.orders with $ROWS rows" >&2
sql -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB"
sql "$DB" -e "CREATE TABLE orders (
	id BIGINT PRIMARY KEY,
	customer VARCHAR(32) NOT NULL,
	amount DECIMAL(12,2) NOT NULL,
	status VARCHAR(8) NOT NULL,
	created_at DATETIME(6) NOT NULL,
	note VARCHAR(64) NULL)"
sql "$DB" -e "INSERT INTO orders SELECT seq, CONCAT('customer-', seq % 5000), (seq % 100000) / 100,
	ELT(1 + seq % 3, 'paid', 'open', 'void'), TIMESTAMP('2026-01-01') + INTERVAL seq SECOND,
	IF(seq % 7 = 0, NULL, CONCAT('note ', seq)) FROM seq_1_to_$ROWS"
sql "$DB" -e "ANALYZE TABLE orders" >/dev/null

# seconds CMD...: "WALL CPU": wall seconds of CMD, and the CPU seconds
# (user + system) it and its children used (the server's not included).
seconds() {
	local TIMEFORMAT='%R %U %S' out
	out=$({ time "$@" >/dev/null 2>&1; } 2>&1) || { echo "failed: $*" >&2; return 1; }
	awk '{ printf "%.2f %.2f", $1, $2 + $3 }' <<<"$out"
}
rate() { awk -v n="$ROWS" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
row() {
	local wall cpu
	read -r wall cpu <<<"$2"
	printf '| %s | %.2f | %s | %.2f |\n' "$1" "$wall" "$(rate "$wall")" "$cpu"
}

src="mysql://root@$host:$port/$DB"
outfile="/tmp/bh-bench-sql-$$.csv"
# Warm the buffer pool so the first run does not pay for the disk alone.
sql "$DB" -e "SELECT COUNT(*), SUM(LENGTH(note)) FROM orders" >/dev/null

echo "| what ($ROWS rows) | seconds | rows/s | client CPU s |"
echo "| --- | ---: | ---: | ---: |"
t=$(seconds sql "$DB" -e "SELECT * FROM orders INTO OUTFILE '$outfile' FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"'")
sql -e "SELECT 1" >/dev/null
rm -f "$outfile" 2>/dev/null || true
row "SELECT ... INTO OUTFILE (server writes CSV)" "$t"
t=$(seconds sql "$DB" --batch --quick -e "SELECT * FROM orders")
row "mariadb --batch --quick -e 'SELECT * FROM orders' (client reads)" "$t"
imp() { seconds "$work/bhctl" --home "$work/$1" import sql --source "$src" --table orders -o json "${@:2}"; }
row "bhctl import sql (defaults: --rows 1000, json lines, --sensitive warn)" "$(imp a)"
row "bhctl import sql --sensitive off" "$(imp b --sensitive off)"
row "bhctl import sql --rows 10000" "$(imp c --rows 10000)"
row "bhctl import sql --rows 10000 --sensitive off" "$(imp d --rows 10000 --sensitive off)"
row "bhctl import sql --format csv --sensitive off" "$(imp e --format csv --sensitive off)"
row "bhctl import sql --dry-run --sensitive off (no store)" "$(imp f --dry-run --sensitive off)"
row "bhctl import sql --prevent-dups, again (every asset skipped)" "$(imp a --prevent-dups)"

PAIRS=${PAIRS:-5}
if ((PAIRS > 0)); then
	dump=$(command -v mariadb-dump || command -v mysqldump)
	pair_baseline() { "$dump" --quick --protocol=tcp -h"$host" -P"$port" -uroot "$DB" orders; }
	pair_import() { "$1" --home "$2" -q import sql --source "$src" --table orders; }
	echo
	bench_pairs "$work" "$PAIRS" "$ROWS rows" "mariadb-dump --quick DB orders > /dev/null" dump "bhctl import sql (chain made before)"
fi
