#!/usr/bin/env bash
# Checks that the workspace (okta-client with every feature, okta-codegen, the runtime and the
# tests) builds with the oldest toolchain the manifests claim (rust-version), with the locked
# dependencies. The compiler of that release is the check: a newer language feature (let chains,
# say) is refused by it, where clippy's `incompatible_msrv` only knows standard library APIs.
# Installs the toolchain with rustup (minimal profile); where none can be fetched it says so and
# skips. Its own target folder, as nothing built by a newer compiler can be reused.
set -euo pipefail
cd "$(dirname "$0")/.."
msrv="$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)"
client_msrv="$(sed -n 's/^rust-version = "\(.*\)"/\1/p' generated-client/Cargo.toml)"
if [ "$msrv" != "$client_msrv" ]; then
    echo "rust-version differs: $msrv in Cargo.toml, $client_msrv in generated-client/Cargo.toml" >&2
    exit 1
fi
if ! command -v rustup >/dev/null ||
    ! timeout 600 rustup toolchain install "$msrv" --profile minimal >/dev/null 2>&1; then
    echo "skipped: Rust $msrv (rust-version) cannot be installed with rustup on this machine"
    exit 0
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/msrv"
start=$SECONDS
cargo "+$msrv" check -q --locked --workspace --all-targets --all-features
echo "the workspace builds with Rust $msrv (rust-version) in $((SECONDS - start)) s"
