#!/usr/bin/env bash
# Runs the given targets one after another for FUZZ_SECONDS each (default
# 600), logging to logs/<target>.log; final libFuzzer stats end each log.
set -uo pipefail
cd "$(dirname "$0")"
mkdir -p logs
for t in "$@"; do
  RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -O "$t" "corpus/$t" -- \
    -max_total_time="${FUZZ_SECONDS:-600}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    > "logs/$t.log" 2>&1
  echo "$t: exit $?" >> logs/summary.txt
done
