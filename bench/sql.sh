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
set -euo pipefail
cd "$(dirname "$0")/.."
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
	# pair_home N: a home with its chain made, not timed.
	pair_home() { "$work/bhctl" --home "$work/pair.$1" -q chain create default >/dev/null; }
	# wall CMD...: wall seconds of CMD.
	wall() { local TIMEFORMAT='%R'; { time "$@" >/dev/null 2>&1; } 2>&1; }
	med() { sort -g | awk '{ a[NR] = $1 } END { printf "%s %s %s\n", a[1], a[int((NR + 1) / 2)], a[NR] }'; }
	echo
	echo "load average before the pairs: $(cut -d' ' -f1-3 /proc/loadavg)"
	: >"$work/dump" >"$work/new" >"$work/base" >"$work/ratio" >"$work/ratio_base"
	for i in $(seq 0 "$PAIRS"); do # round 0 is a warm-up
		pair_home "n$i"
		[[ -z ${BHCTL_BASE:-} ]] || pair_home "b$i"
		d=$(wall "$dump" --quick --protocol=tcp -h"$host" -P"$port" -uroot "$DB" orders)
		n=$(wall "$work/bhctl" --home "$work/pair.n$i" -q import sql --source "$src" --table orders)
		if [[ -n ${BHCTL_BASE:-} ]]; then
			b=$(wall "$BHCTL_BASE" --home "$work/pair.b$i" -q import sql --source "$src" --table orders)
		fi
		((i > 0)) || continue
		echo "$d" >>"$work/dump"
		echo "$n" >>"$work/new"
		awk -v d="$d" -v n="$n" 'BEGIN { print d / n }' >>"$work/ratio"
		if [[ -n ${BHCTL_BASE:-} ]]; then
			echo "$b" >>"$work/base"
			awk -v d="$d" -v n="$b" 'BEGIN { print d / n }' >>"$work/ratio_base"
		fi
	done
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| $PAIRS rounds, in turn ($ROWS rows) | wall s min / median / max | dump / this, per round: median (min, max) |"
	echo "| --- | --- | --- |"
	echo "| mariadb-dump --quick DB orders > /dev/null | $(med <"$work/dump" | sed 's| | / |g') | |"
	read -r lo md hi < <(med <"$work/ratio")
	echo "| bhctl import sql (chain made before) | $(med <"$work/new" | sed 's| | / |g') | $md ($lo, $hi) |"
	if [[ -n ${BHCTL_BASE:-} ]]; then
		read -r lo md hi < <(med <"$work/ratio_base")
		echo "| base: $BHCTL_BASE | $(med <"$work/base" | sed 's| | / |g') | $md ($lo, $hi) |"
	fi
fi
