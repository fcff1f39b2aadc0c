#!/usr/bin/env bash
# Generates a crate from each of Okta's official OpenAPI 3.0 specs in ../shared/specs and checks
# that it builds clippy-clean and documents without warnings, with no hand edits. The crates
# are written outside the workspace and share its target folder and lock file, so
# dependencies build once. Skips (and says so) when ../shared is not beside the workspace.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
specs="$root/../shared/specs"
if [ ! -d "$specs" ]; then
  echo "skipped: $specs is not there"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo build -q -p okta-codegen --manifest-path "$root/Cargo.toml"
codegen="$CARGO_TARGET_DIR/debug/okta-codegen"
for spec in okta-management-5.1.0.yaml management-oas3-v2026.06.3-minimal.yaml; do
  [ -f "$specs/$spec" ] || { echo "skipped: $spec is not there"; continue; }
  out="$work/${spec%.yaml}"
  start=$(date +%s)
  "$codegen" --spec "$specs/$spec" --out "$out" 2>"$work/warnings.txt" | tail -1
  echo "  $(grep -c '^warning' "$work/warnings.txt" || true) warnings (each names its JSON pointer)"
  cp "$root/Cargo.lock" "$out/"
  (cd "$out" && cargo clippy -q --offline -- -D warnings)
  (cd "$out" && RUSTDOCFLAGS="-D warnings" cargo doc -q --offline --no-deps)
  echo "official spec $spec: generated, clippy-clean and documented in $(( $(date +%s) - start )) s"
done
