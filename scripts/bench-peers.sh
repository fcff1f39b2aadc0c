#!/usr/bin/env bash
# Measures okta-codegen side by side with the two generators a user would pick instead
# (openapi-generator's `rust` generator and progenitor), on the same inputs in the same run, and
# prints a markdown report (also written to target/peers/report.md). A benchmark, not a test:
# nothing here asserts a time. Not for CI: it installs the peers and takes long.
#
#   scripts/bench-peers.sh [--quick]
#
#   RUNS=N        runs per figure, median reported (default 3; --quick sets 1)
#   SKIP_BUILD=1  measure generation only (skip the cargo check / cargo build of each crate)
#
# Inputs: spec/okta.yaml and, when ../shared is beside the checkout, Okta's official
# ../shared/specs/okta-management-5.1.0.yaml and management-oas3-v2026.06.3-minimal.yaml.
#
# 1. Generation: each tool turns the whole spec into files on disk, N times into a fresh
#    folder, timed with GNU `/usr/bin/time -f '%e %M'` (wall seconds, peak RSS of the process and
#    its children). Our binary is built (release) before and outside the timing.
# 2. Build cost of each generated crate alone: the crate gets its own target folder under
#    target/peers/build/ (one per tool, shared by its crates for the inputs); a warm-up
#    `cargo build` and `cargo check` build its dependencies (not measured); then each measured
#    run is `cargo clean -p CRATE` and `CARGO_INCREMENTAL=0 cargo check` (and, separately, the
#    same with `cargo build`). Our crate is measured twice: with its default features (the whole
#    API) and with `--no-default-features --features users` (one API area), as `ours-users`.
#    Peer output that does not compile as generated gets the minimal fix-ups of
#    scripts/bench/fixup.py, each listed in the report.
#
# Peers are installed idempotently under target/peers/ (git-ignored): openapi-generator-cli
# from PyPI in a venv (needs Java 11+), cargo-progenitor with `cargo install --locked`.
# Logs of every step are in target/peers/logs/.
set -euo pipefail

OPENAPI_GENERATOR_VERSION=7.26.0
PROGENITOR_VERSION=0.15.1

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
for arg in "$@"; do
  case "$arg" in
    --quick) RUNS=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench-peers: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
RUNS="${RUNS:-3}"
SKIP_BUILD="${SKIP_BUILD:-0}"
case "$RUNS" in '' | *[!0-9]* | 0) echo "bench-peers: RUNS must be a positive integer, not '$RUNS'" >&2; exit 2 ;; esac

if [ -n "${CI:-}" ]; then
  echo "bench-peers: skipped under CI (it installs peer generators and takes long); run it by hand"
  exit 0
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
peers="$root/target/peers"
logs="$peers/logs"
results="$peers/results"
helper="$root/scripts/bench/bench.py"
fixup="$root/scripts/bench/fixup.py"
start_all=$(date +%s)

say() { printf '[bench-peers %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }
record() { local IFS=$'\t'; printf '%s\n' "$*" >>"$results/results.tsv"; }
# record_time KIND INPUT TOOL: records the "%e %M" that GNU time left in $results/time.
record_time() { local s k; read -r s k < <(tail -1 "$results/time"); record "$1" "$2" "$3" "$s" "$k"; }
# record_count KIND INPUT TOOL [NAME] DIR: records the number of .rs files and their lines.
record_count() {
  local files lines dir="${*: -1}"
  read -r files lines < <(python3 "$helper" count "$dir")
  record "${@:1:$#-1}" "$files" "$lines"
}

# --- prerequisites ---------------------------------------------------------------------------
[ -x /usr/bin/time ] || die "GNU time is needed at /usr/bin/time (Debian: apt-get install time)"
/usr/bin/time -f '%e %M' true 2>/dev/null || die "/usr/bin/time is not GNU time (-f '%e %M' failed)"
command -v python3 >/dev/null || die "python3 (3.11 or newer) is needed"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "python3 is $(python3 -V 2>&1); 3.11 or newer is needed (tomllib)"
command -v java >/dev/null || die "Java (11 or newer) is needed for openapi-generator (Debian: apt-get install openjdk-17-jre-headless)"
command -v cargo >/dev/null || die "cargo is needed"

mkdir -p "$peers"
rm -rf "$logs" "$results" "$peers/gen" "$peers/crates" "$peers/report.md"
mkdir -p "$logs" "$results/text" "$peers/gen" "$peers/crates" "$peers/build"
: >"$results/results.tsv"

# --- install the peers (idempotent) ----------------------------------------------------------
venv="$peers/venv"
og="$venv/bin/openapi-generator-cli"
og_installed() {
  [ -x "$og" ] && [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openapi-generator-cli"))' 2>/dev/null)" = "$OPENAPI_GENERATOR_VERSION" ]
}
if ! og_installed; then
  say "installing openapi-generator-cli==$OPENAPI_GENERATOR_VERSION into $venv (log: logs/install-openapi-generator.log)"
  { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } >"$logs/install-openapi-generator.log" 2>&1
  "$venv/bin/python" -m pip install --quiet "openapi-generator-cli==$OPENAPI_GENERATOR_VERSION" \
    >>"$logs/install-openapi-generator.log" 2>&1 || die "pip install failed: see $logs/install-openapi-generator.log"
  og_installed || die "openapi-generator-cli is still missing after pip install"
fi

prog="$peers/progenitor/bin/cargo-progenitor"
if ! { [ -x "$prog" ] && cargo install --list --root "$peers/progenitor" | grep -qx "cargo-progenitor v$PROGENITOR_VERSION:"; }; then
  say "installing cargo-progenitor $PROGENITOR_VERSION into $peers/progenitor (a few minutes; log: logs/install-progenitor.log)"
  cargo install --locked cargo-progenitor --version "$PROGENITOR_VERSION" --root "$peers/progenitor" \
    >"$logs/install-progenitor.log" 2>&1 || die "cargo install cargo-progenitor failed: see $logs/install-progenitor.log"
fi

# --- build ours (outside the timing) ---------------------------------------------------------
say "building okta-codegen (release)"
cargo build --release -p okta-codegen >"$logs/build-okta-codegen.log" 2>&1 ||
  die "cargo build --release -p okta-codegen failed: see $logs/build-okta-codegen.log"
ours="${CARGO_TARGET_DIR:-$root/target}/release/okta-codegen"
[ -x "$ours" ] || die "$ours is missing after the build"
unset CARGO_TARGET_DIR # each generated crate gets its own, below

# --- facts -----------------------------------------------------------------------------------
cmdline="RUNS=$RUNS SKIP_BUILD=$SKIP_BUILD scripts/bench-peers.sh"
record fact runs "$RUNS"
record fact command "$cmdline"
record fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
record fact nproc "$(nproc)"
record fact CPU "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
record fact memory "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
record fact "load average at start" "$(cut -d' ' -f1-3 /proc/loadavg)"
record fact kernel "$(uname -sr)"
record fact rustc "$(rustc -V)"
record fact cargo "$(cargo -V)"
record fact java "$(java -version 2>&1 | head -1)"
record fact python "$(python3 -V 2>&1)"
record fact okta-codegen "$("$ours" --version | awk '{print $2}')"
record fact "okta-codegen commit" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- generator 2>/dev/null || echo ' (generator/ has uncommitted changes)')"
record fact openapi-generator "$("$og" version 2>/dev/null | tail -1)"
record fact progenitor "$(cargo install --list --root "$peers/progenitor" | sed -n 's/^cargo-progenitor v\(.*\):$/\1/p')"

# --- inputs ----------------------------------------------------------------------------------
inputs=(okta)
record input okta "spec/okta.yaml (this project's)"
declare -A spec=([okta]="$root/spec/okta.yaml")
# add_official ID FILE LABEL: Okta's official spec FILE under ../shared/specs, when it is there.
add_official() {
  local file="$root/../shared/specs/$2"
  if [ -f "$file" ]; then
    inputs+=("$1")
    spec[$1]="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
    record input "$1" "$3"
  else
    say "note: $file is missing (../shared is not beside the checkout): not measured"
    record note "../shared/specs/$2 was missing: not measured."
  fi
}
add_official official okta-management-5.1.0.yaml "okta-management-5.1.0.yaml (Okta's official spec)"
add_official official-2026 management-oas3-v2026.06.3-minimal.yaml "management-oas3-v2026.06.3-minimal.yaml (Okta's official spec, the next release)"
tools=(ours openapi-generator progenitor)

# gen_cmd TOOL SPEC OUT: sets the array `cmd` to the command line that makes TOOL generate the
# crate for SPEC into OUT (a folder that does not exist yet).
gen_cmd() {
  case "$1" in
    ours) cmd=("$ours" --spec "$2" --out "$3") ;;
    openapi-generator)
      cmd=(env JAVA_OPTS=-DmaxYamlCodePoints=99999999 "$og" generate -g rust --library reqwest
        -i "$2" -o "$3" --skip-validate-spec) ;;
    progenitor) cmd=("$prog" progenitor -i "$2" -o "$3" -n okta-progenitor -v 0.1.0) ;;
  esac
}

# timed LOG TIMEFILE CMD...: runs CMD with its output in LOG, "%e %M" in TIMEFILE; its status.
timed() {
  local log=$1 tf=$2
  shift 2
  /usr/bin/time -f '%e %M' -o "$tf" "$@" >"$log" 2>&1
}

# --- 1. generation ---------------------------------------------------------------------------
declare -A refused=()
for i in "${inputs[@]}"; do
  for run in $(seq "$RUNS"); do
    for t in "${tools[@]}"; do # tools interleaved in each run, so a drift in load hits all
      [ -z "${refused[$i/$t]:-}" ] || continue
      out="$peers/gen/$i/$t"
      rm -rf "$out"
      mkdir -p "$(dirname "$out")"
      log="$logs/gen-$i-$t-run$run.log"
      say "generate: $i with $t (run $run of $RUNS)"
      gen_cmd "$t" "${spec[$i]}" "$out"
      if timed "$log" "$results/time" "${cmd[@]}"; then
        record_time gen "$i" "$t"
      else
        [ "$t" != ours ] || die "okta-codegen failed on ${spec[$i]}: see $log"
        refused[$i/$t]=1
        python3 "$helper" refusal "$log" >"$results/text/genfail-$i-$t.txt"
        record genfail "$i" "$t" "text/genfail-$i-$t.txt"
        say "  $t refuses $i: $(head -1 "$results/text/genfail-$i-$t.txt")"
      fi
    done
  done
  for t in "${tools[@]}"; do
    [ -z "${refused[$i/$t]:-}" ] || continue
    record_count size "$i" "$t" "$peers/gen/$i/$t"
  done
  # What the input holds, as our generator counted it (its last line: "... (N operations, M types, ...)").
  summary="$(grep -o '([0-9]* operations, [0-9]* types' "$logs/gen-$i-ours-run$RUNS.log" 2>/dev/null | tr -d '(' || true)"
  runtime=""
  if [ -d "$peers/gen/$i/ours/src/runtime" ]; then
    read -r rfiles rlines < <(python3 "$helper" count "$peers/gen/$i/ours/src/runtime")
    runtime=" Of our output, src/runtime/ (the client runtime the generator writes, the same for every spec) is $rfiles files, $rlines lines."
  fi
  record note "$(basename "${spec[$i]}"): $(wc -l <"${spec[$i]}") lines, $(($(wc -c <"${spec[$i]}") / 1024)) KiB${summary:+; $summary (as okta-codegen counts them)}.$runtime"
done
record note "Files and lines count every .rs file each tool wrote. Ours include the client runtime (HTTP, auth, retries, pagination) that the generator writes beside the generated code; progenitor's runtime is the progenitor-client dependency (not counted); openapi-generator also writes Markdown docs (not counted)."
record note "okta-codegen (ours), \`users\` alone: our crate for the same input compiled with \`--no-default-features --features users\` (one API area and the types it uses); its lines are the whole crate's files, most of them compiled out; its ratios are that build ÷ the whole crate's."
record note "Dependencies differ (prebuilt, not measured): ours uses reqwest with rustls and aws-lc-rs (jsonwebtoken), openapi-generator's default feature uses native-tls (OpenSSL), progenitor's reqwest has no TLS feature."

# Refusal probes: openapi-generator on the official spec without each of the two flags it needs.
if [ -n "${spec[official]:-}" ]; then
  say "refusal probe: openapi-generator without JAVA_OPTS=-DmaxYamlCodePoints"
  probe="$peers/gen/probe"
  rm -rf "$probe"
  if "$og" generate -g rust --library reqwest -i "${spec[official]}" -o "$probe" --skip-validate-spec \
    >"$logs/probe-openapi-generator-no-maxYamlCodePoints.log" 2>&1; then
    record note "openapi-generator accepted the official spec without JAVA_OPTS=-DmaxYamlCodePoints (no refusal)."
  else
    python3 "$helper" refusal "$logs/probe-openapi-generator-no-maxYamlCodePoints.log" >"$results/text/probe-yaml.txt"
    record refusal openapi-generator official "without \`JAVA_OPTS=-DmaxYamlCodePoints=99999999\` (the YAML size limit)" text/probe-yaml.txt
  fi
  say "refusal probe: openapi-generator without --skip-validate-spec"
  rm -rf "$probe"
  if JAVA_OPTS=-DmaxYamlCodePoints=99999999 "$og" generate -g rust --library reqwest -i "${spec[official]}" -o "$probe" \
    >"$logs/probe-openapi-generator-validate.log" 2>&1; then
    record note "openapi-generator accepted the official spec without --skip-validate-spec (no refusal)."
  else
    python3 "$helper" refusal "$logs/probe-openapi-generator-validate.log" >"$results/text/probe-validate.txt"
    record refusal openapi-generator official "without \`--skip-validate-spec\` (its spec validation)" text/probe-validate.txt
  fi
  rm -rf "$probe"
fi

# --- 2. build cost ---------------------------------------------------------------------------
# measure_cargo INPUT TOOL NAME DIR TARGET STEP [ARGS...]: N runs of `cargo clean -p NAME` +
# timed `cargo STEP ARGS...`.
measure_cargo() {
  local i=$1 t=$2 name=$3 dir=$4 target=$5 step=$6 run log
  shift 6
  for run in $(seq "$RUNS"); do
    log="$logs/$step-$i-$t-run$run.log"
    say "cargo $step: $i/$t crate \`$name\` (run $run of $RUNS)"
    (cd "$dir" && CARGO_TARGET_DIR="$target" cargo clean -p "$name") >"$log.clean" 2>&1 ||
      die "cargo clean -p $name failed: see $log.clean"
    if ! (cd "$dir" && timed "$log" "$results/time" env CARGO_INCREMENTAL=0 CARGO_TARGET_DIR="$target" cargo "$step" "$@"); then
      die "cargo $step of $dir failed in a measured run although the warm-up passed: see $log"
    fi
    # The clean must have made cargo compile the crate again, or the figure is meaningless.
    grep -Eq "^ *(Checking|Compiling) $name v" "$log" ||
      die "cargo $step did not recompile $name after cargo clean -p: see $log"
    record_time "$step" "$i" "$t"
  done
}

if [ "$SKIP_BUILD" = 1 ]; then
  record note "SKIP_BUILD=1: build cost not measured."
else
  for i in "${inputs[@]}"; do
    for t in "${tools[@]}"; do
      if [ -n "${refused[$i/$t]:-}" ]; then
        say "build: skipping $i/$t (generation refused)"
        continue
      fi
      dir="$peers/crates/$i/$t"
      target="$peers/build/$t"
      rm -rf "$dir"
      mkdir -p "$(dirname "$dir")"
      cp -r "$peers/gen/$i/$t" "$dir"
      # A standalone package: without this, cargo says it believes it is in /work/main's workspace.
      grep -q '^\[workspace\]' "$dir/Cargo.toml" || printf '\n[workspace]\n' >>"$dir/Cargo.toml"
      case "$t" in
        openapi-generator | progenitor)
          python3 "$fixup" "$t" "$dir" >"$logs/fixup-$i-$t.log" 2>&1 || die "fix-up failed: see $logs/fixup-$i-$t.log"
          while IFS= read -r line; do
            [ "$line" = "fix: none needed" ] || record fix "$i" "$t" "${line#fix: }"
          done < <(grep '^fix: ' "$logs/fixup-$i-$t.log")
          ;;
      esac
      name="$(python3 "$helper" crate-name "$dir/Cargo.toml")"
      # Keep the resolved dependency versions from one invocation to the next.
      mkdir -p "$target"
      [ ! -f "$target/Cargo.lock" ] || cp "$target/Cargo.lock" "$dir/Cargo.lock"
      ok=1
      for step in build check; do
        say "warm-up: cargo $step of $i/$t crate \`$name\` (builds dependencies; not measured)"
        if ! (cd "$dir" && CARGO_INCREMENTAL=0 CARGO_TARGET_DIR="$target" cargo "$step" --message-format short) \
          >"$logs/warmup-$step-$i-$t.log" 2>&1; then
          say "  $i/$t does not compile (cargo $step): see $logs/warmup-$step-$i-$t.log"
          grep -E '^(src|error)' "$logs/warmup-$step-$i-$t.log" | head -20 >"$results/text/buildfail-$i-$t.txt" || true
          record buildfail "$i" "$t" "$step" "text/buildfail-$i-$t.txt"
          ok=0
          break
        fi
      done
      [ ! -f "$dir/Cargo.lock" ] || cp "$dir/Cargo.lock" "$target/Cargo.lock"
      record_count crate "$i" "$t" "$name" "$dir"
      [ "$ok" = 1 ] || continue
      measure_cargo "$i" "$t" "$name" "$dir" "$target" check
      measure_cargo "$i" "$t" "$name" "$dir" "$target" build
      if [ "$t" = ours ] && grep -q '^users = ' "$dir/Cargo.toml"; then
        one=(--no-default-features --features users)
        (cd "$dir" && CARGO_INCREMENTAL=0 CARGO_TARGET_DIR="$target" cargo build "${one[@]}") \
          >"$logs/warmup-build-$i-ours-users.log" 2>&1 || die "cargo build ${one[*]} failed: see $logs/warmup-build-$i-ours-users.log"
        record_count crate "$i" ours-users "$name" "$dir"
        measure_cargo "$i" ours-users "$name" "$dir" "$target" check "${one[@]}"
        measure_cargo "$i" ours-users "$name" "$dir" "$target" build "${one[@]}"
      fi
    done
  done
fi

# --- 3. report -------------------------------------------------------------------------------
record fact "load average at end" "$(cut -d' ' -f1-3 /proc/loadavg)"
record fact "total run time of the script" "$(($(date +%s) - start_all)) s"
python3 "$helper" report "$results" >"$peers/report.md"
cat "$peers/report.md"
say "report written to $peers/report.md; logs in $logs"
