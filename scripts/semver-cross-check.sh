#!/usr/bin/env bash
# Sets okta-codegen diff's semver verdict on Okta's two official releases (5.1.0 → 2026.06.3)
# beside cargo-semver-checks' verdict on the Rust crates generated from them, and prints the
# kinds of change each tool reports. Installs cargo-semver-checks into target/tools when it is
# not on PATH. Skips (and says so) when ../shared/specs is not beside the workspace.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
specs="$root/../shared/specs"
old_spec="$specs/okta-management-5.1.0.yaml"
new_spec="$specs/management-oas3-v2026.06.3-minimal.yaml"
if [ ! -f "$old_spec" ] || [ ! -f "$new_spec" ]; then
  echo "skipped: Okta's official specs are not in $specs"
  exit 0
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
if ! command -v cargo-semver-checks >/dev/null; then
  tools="$CARGO_TARGET_DIR/tools"
  [ -x "$tools/bin/cargo-semver-checks" ] ||
    cargo install -q --locked --root "$tools" cargo-semver-checks@0.51.0
  export PATH="$tools/bin:$PATH"
fi
work="${SEMVER_WORK:-$(mktemp -d)}"
cargo build -q --release -p okta-codegen --manifest-path "$root/Cargo.toml"
codegen="$CARGO_TARGET_DIR/release/okta-codegen"
for side in old new; do
  spec_var="${side}_spec"
  "$codegen" --spec "${!spec_var}" --out "$work/$side" 2>/dev/null | tail -1
  cp "$root/Cargo.lock" "$work/$side/"
done
diff_rc=0
"$codegen" diff "$old_spec" "$new_spec" >"$work/diff.txt" || diff_rc=$?
semver_rc=0
(cd "$work/new" && cargo semver-checks check-release --baseline-root "$work/old" --color never) \
  >"$work/semver.txt" 2>&1 || semver_rc=$?
echo "okta-codegen diff: $(tail -1 "$work/diff.txt") (exit $diff_rc)"
echo "  $(grep -c '^breaking' "$work/diff.txt") breaking, $(grep -c '^additive' "$work/diff.txt") additive changes"
echo "cargo-semver-checks: exit $semver_rc"
grep -E '^\s*(Summary|Failed|--- failure)' "$work/semver.txt" | sed 's/^/  /' || true
echo "reports in $work (diff.txt, semver.txt)"
