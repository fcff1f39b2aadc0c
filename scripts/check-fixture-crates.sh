#!/usr/bin/env bash
# Generates a crate from every fixture spec under tests/fixtures/ and checks that it builds
# without warnings under clippy (all features) and documents without warnings (default
# features). The crates are written to a temporary folder outside the workspace; they share
# the workspace's target folder and lock file, so dependencies build once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo build -q -p okta-codegen --manifest-path "$root/Cargo.toml"
codegen="$CARGO_TARGET_DIR/debug/okta-codegen"
status=0
for spec in "$root"/tests/fixtures/*.yaml; do
  name="$(basename "$spec" .yaml)"
  out="$work/$name"
  "$codegen" --spec "$spec" --out "$out" --roundtrip >/dev/null 2>&1
  cp "$root/Cargo.lock" "$out/"
  if (cd "$out" && cargo clippy -q --all-targets --all-features --offline -- -D warnings \
      && RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps --offline); then
    echo "fixture $name: builds clean"
  else
    echo "fixture $name: FAILED"
    status=1
  fi
done
exit $status
