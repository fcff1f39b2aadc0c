#!/usr/bin/env bash
# Checks that okta-client builds with the oldest toolchain its manifest claims (rust-version),
# with the locked dependencies: installs that toolchain with rustup (minimal profile) and runs
# `cargo check` with it in a target folder of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
msrv="$(sed -n 's/^rust-version = "\(.*\)"/\1/p' generated-client/Cargo.toml)"
rustup toolchain install "$msrv" --profile minimal >/dev/null
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/msrv"
start=$SECONDS
cargo "+$msrv" check -q -p okta-client --all-features
echo "okta-client builds with Rust $msrv (rust-version) in $((SECONDS - start)) s"
