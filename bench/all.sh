#!/usr/bin/env bash
# bench/all.sh: run benchmark scripts one after the other.
#
#   bench/all.sh                # the core's figures: pipe, verify, live (about 15 minutes on 2 cores)
#   bench/all.sh csv excel      # the scripts named (bench/NAME.sh)
#   bench/all.sh --every        # every bench/*.sh; some need the test servers:
#                               # eval "$(scripts/servers up)" first
#
# Each script's variables pass through (RUNS, BENCH_DIR, SIZE_MIB, SIZES,
# CHAIN_DIR, N, ...). A failing script is reported and the others still run;
# the exit status is 1 when any failed.
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	names=(pipe verify live)
elif [ "${names[0]}" = --every ]; then
	names=()
	for s in "$dir"/*.sh; do
		n=$(basename "$s" .sh)
		[ "$n" = lib ] || [ "$n" = all ] || names+=("$n")
	done
fi
failed=()
for n in "${names[@]}"; do
	echo "== bench/$n.sh"
	if ! "$dir/$n.sh"; then
		failed+=("$n")
	fi
	echo
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "bench: failed: ${failed[*]}" >&2
	exit 1
fi
