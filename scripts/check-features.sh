#!/usr/bin/env bash
# Lints okta-client (clippy, warnings as errors) with no API area, then with each area alone,
# then the mocks with none and with one, and documents it with none; the default build (every area) is linted and documented by CI's
# workspace steps. Prints the time of each build.
#
#   scripts/check-features.sh            every area alone
#   scripts/check-features.sh users authn only these areas
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=generated-client/Cargo.toml
# The areas: the features with no features of their own, after [features].
mapfile -t all < <(sed -n '/^\[features\]/,$p' "$manifest" | grep -E '^[a-z][a-z0-9_-]* = \[\]$' | cut -d' ' -f1)
areas=("$@")
[ ${#areas[@]} -gt 0 ] || areas=("${all[@]}")
echo "${#all[@]} areas; checking: none ${areas[*]}"
lint() {
  local start=$SECONDS
  cargo clippy -q -p okta-client --no-default-features ${1:+--features "$1"} -- -D warnings
  echo "okta-client with ${1:-no area}: clippy-clean in $((SECONDS - start)) s"
}
lint ""
start=$SECONDS
RUSTDOCFLAGS="-D warnings" cargo doc -q -p okta-client --no-deps --no-default-features
echo "okta-client with no area: documented in $((SECONDS - start)) s"
for area in "${areas[@]}"; do
  lint "$area"
done
# The typed mocks are compiled with the areas that are on.
lint mock
lint "${areas[0]},mock"
