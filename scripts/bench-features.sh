#!/usr/bin/env bash
# How long okta-client takes to compile with every API area (the default) against one area
# alone, as a dependency compiles it (no incremental cache): `cargo check` and `cargo build`,
# the crate alone (its dependencies built beforehand), in alternating runs so that a change in
# the machine's load falls on both sides. Prints each run and the medians' ratio.
#
#   scripts/bench-features.sh [RUNS] [AREA]     (default: 3 runs, users)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
area="${2:-users}"
export CARGO_INCREMENTAL=0
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/bench-features}"
configs=("all:" "$area:--no-default-features --features $area")
# Dependencies first, for both commands.
cargo check -q -p okta-client
cargo build -q -p okta-client
declare -A times
for cmd in check build; do
  for ((i = 1; i <= runs; i++)); do
    for config in "${configs[@]}"; do
      name="${config%%:*}"
      flags="${config#*:}"
      cargo clean -q -p okta-client
      start=$(date +%s.%N)
      # shellcheck disable=SC2086
      cargo "$cmd" -q -p okta-client $flags
      t=$(echo "$(date +%s.%N) - $start" | bc)
      times["$cmd/$name"]+="$t "
      printf '%s %-6s run %d: %6.1f s\n' "$cmd" "$name" "$i" "$t"
    done
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for cmd in check build; do
  all=$(median "${times[$cmd/all]}")
  one=$(median "${times[$cmd/$area]}")
  printf 'cargo %s: every area %.1f s, %s alone %.1f s: %.0f%%\n' "$cmd" "$all" "$area" "$one" "$(echo "100 * $one / $all" | bc -l)"
done
