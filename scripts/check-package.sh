#!/usr/bin/env bash
# Packages okta-client and okta-codegen as a registry would receive them and builds each
# package on its own (cargo package's verification, outside the workspace), then checks what
# went in: the README, the runtime and the generated code, and nothing of the workspace around
# them; okta-codegen's package must hold the runtime files it embeds.
set -euo pipefail
cd "$(dirname "$0")/.."
# The workspace's dev profile, so that the verification reuses the dependencies built.
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
start=$SECONDS
cargo package -q -p okta-client --allow-dirty
list="$(cargo package -q -p okta-client --allow-dirty --list)"
for f in README.md Cargo.toml src/lib.rs src/runtime/mod.rs src/generated/mod.rs; do
  grep -qx "$f" <<<"$list" || { echo "okta-client's package lacks $f"; exit 1; }
done
if grep -v -E '^(\.cargo_vcs_info\.json|Cargo\.(toml|toml\.orig|lock)|README\.md|rustfmt\.toml|src/.*|examples/.*)$' <<<"$list"; then
  echo "okta-client's package holds files it should not (above)"
  exit 1
fi
echo "okta-client: packaged ($(wc -l <<<"$list") files) and built on its own in $((SECONDS - start)) s"

start=$SECONDS
cargo package -q -p okta-codegen --allow-dirty
list="$(cargo package -q -p okta-codegen --allow-dirty --list)"
for f in README.md runtime/Cargo.toml.in runtime/dependencies.toml runtime/docs.md runtime/mod.rs runtime/send.rs; do
  grep -qx "$f" <<<"$list" || { echo "okta-codegen's package lacks $f"; exit 1; }
done
echo "okta-codegen: packaged ($(wc -l <<<"$list") files) and built on its own in $((SECONDS - start)) s"
