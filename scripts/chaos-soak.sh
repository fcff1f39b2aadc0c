#!/usr/bin/env bash
# The chaos soak at scale: builds `chaos_soak` (tests/src/bin/chaos_soak.rs) in release mode
# and runs it (default 100,000 operations, 50 in flight; arguments are passed on, e.g.
# `--operations 20000 --seed 7`) under GNU time, whose peak resident set and wall time are
# printed after the soak's own figures. Loopback only. Exits with the soak's status.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" cargo build --release -p okta-tests --bin chaos_soak
bin="${CARGO_TARGET_DIR:-target}/release/chaos_soak"

if [ -x /usr/bin/time ]; then
    times="$(mktemp)"
    trap 'rm -f "$times"' EXIT
    status=0
    /usr/bin/time -v -o "$times" "$bin" "$@" || status=$?
    echo "== /usr/bin/time -v"
    grep -E 'Elapsed \(wall clock\)|Maximum resident set size|User time|System time|Percent of CPU' "$times" | sed 's/^\s*/  /'
    exit "$status"
else
    exec "$bin" "$@"
fi
