#!/usr/bin/env bash
# Benchmarks for BENCHMARKS.md (benchmarks print medians and ratios; nothing here is a test).
#
#   scripts/bench.sh                 round trips, whole-process chain, peak RSS, hostile states, criterion
#   scripts/bench.sh --build         the same, then the cold-build comparison
#   scripts/bench.sh --build-only    only the cold-build comparison
#   scripts/bench.sh --process-only [round-trips|chain|rss|hostile ...]   only benches/process.rs
#   scripts/bench.sh --render-only   only the criterion benches (cargo bench --bench render)
#
# What it runs:
#   (a)-(c) cargo bench --bench process: the release module binary and the naive dagger-sdk
#           baseline (benches/naive-module) through the engine double (127.0.0.1 only):
#           round trips per call for N = 1, 10, 100, 1,000 registries, the chain
#           withRegistryAuth x2 -> secret (median of 25, 1 ms per request and 0 ms), and the
#           peak RSS of secret() with 1,000 registries (/usr/bin/time -v); `hostile`:
#           secret() on tampered states (wall time, peak RSS, outcome; target < 1 s and
#           < 64 MiB). For the build before a change, build it in its own worktree and pass
#           REGISTRY_CONFIG_BIN=<worktree>/target/release/registry-config.
#   (d)     cargo bench --bench render: criterion, rendering 1 .. 10,000 registries and the
#           argon2id naming cost.
#   (e)     --build: cold `cargo build --release --locked` (empty CARGO_TARGET_DIR under
#           target/bench-*, deleted afterwards; the crates.io sources stay in ~/.cargo) of the
#           module and of a hello-world dagger-sdk binary (benches/hello-dagger), with the
#           default release profile, each tuning knob alone, and the tuned profile; wall time,
#           CPU time, binary size and stripped size. ~3-6 min per build on 2 cores.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

run_process=1 run_render=1 run_build=0
process_sections=()
case "${1:-}" in
  --build) run_build=1 ;;
  --build-only) run_build=1 run_process=0 run_render=0 ;;
  --process-only) run_render=0; shift; process_sections=("$@") ;;
  --render-only) run_process=0 ;;
  "") ;;
  *) echo "usage: $0 [--build | --build-only | --process-only [sections] | --render-only]" >&2; exit 2 ;;
esac

step() { printf '\n==> %s\n' "$*"; }

machine() {
  step "machine ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo "cpu:   $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), nproc $(nproc)"
  echo "mem:   $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
  echo "load:  $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; the 2 cores are shared with other builds)"
  echo "rustc: $(rustc --version)"
}

machine

if ((run_process || run_render)); then
  if ((run_process)); then
    [ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
    [ -x /usr/bin/prlimit ] || { echo "bench: /usr/bin/prlimit missing (apt-get install util-linux)" >&2; exit 1; }
    step "building release binaries (module, naive baseline)"
    cargo build --release --locked -p registry-config -p naive-module
    # Measure exactly what `cargo build --release --locked` ships (cargo bench may rebuild
    # target/release/* with the bench profile, which ignores `panic`).
    mkdir -p target/bench-bins
    cp target/release/registry-config target/bench-bins/registry-config-release
    cp target/release/naive-module target/bench-bins/naive-module-release
    step "(a)-(c) round trips, whole-process chain, peak RSS, hostile states: cargo bench --bench process"
    REGISTRY_CONFIG_BIN="${REGISTRY_CONFIG_BIN:-$repo/target/bench-bins/registry-config-release}" \
      NAIVE_MODULE_BIN="${NAIVE_MODULE_BIN:-$repo/target/bench-bins/naive-module-release}" \
      cargo bench --locked --bench process -- "${process_sections[@]}"
  fi
  if ((run_render)); then
    step "(d) rendering and naming: cargo bench --bench render"
    cargo bench --locked --bench render
  fi
fi

if ((run_build)); then
  # Release-profile variants, passed as --config so the module and the hello-world binary are
  # built alike whatever Cargo.toml says. "default" is Cargo's own release profile.
  default_flags=(--config 'profile.release.opt-level=3' --config 'profile.release.lto=false'
    --config 'profile.release.codegen-units=16' --config 'profile.release.panic="unwind"'
    --config 'profile.release.strip="none"' --config 'profile.release.debug=false')
  declare -A variant=(
    [default]=""
    [lto-fat]="profile.release.lto=true"
    [lto-thin]="profile.release.lto=\"thin\""
    [cgu1]="profile.release.codegen-units=1"
    [panic-abort]="profile.release.panic=\"abort\""
    [strip]="profile.release.strip=true"
    [tuned]="profile.release.lto=true profile.release.codegen-units=1 profile.release.panic=\"abort\" profile.release.strip=true"
    [tuned-opt-s]="profile.release.lto=true profile.release.codegen-units=1 profile.release.panic=\"abort\" profile.release.strip=true profile.release.opt-level=\"s\" profile.release.package.argon2.opt-level=3 profile.release.package.blake2.opt-level=3"
  )
  module_variants=(${BENCH_BUILD_VARIANTS-default lto-fat lto-thin cgu1 panic-abort tuned tuned-opt-s})
  hello_variants=(${BENCH_HELLO_VARIANTS-default tuned})
  bins="$repo/target/bench-bins"
  mkdir -p "$bins"

  # cold_build LABEL CRATE_DIR BIN VARIANT
  cold_build() {
    local label=$1 dir=$2 bin=$3 name=$4
    local tdir="$repo/target/bench-$label-$name"
    local flags=("${default_flags[@]}")
    for kv in ${variant[$name]}; do flags+=(--config "$kv"); done
    rm -rf "$tdir"
    local load_before times
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    times=$(mktemp)
    (cd "$dir" && CARGO_TARGET_DIR="$tdir" /usr/bin/time -f '%e %U %S' -o "$times" \
      cargo build --release --locked --quiet "${flags[@]}")
    local wall user sys size stripped
    read -r wall user sys <"$times"
    rm -f "$times"
    size=$(stat -c %s "$tdir/release/$bin")
    strip --strip-all -o "$bins/$bin-$name" "$tdir/release/$bin"
    stripped=$(stat -c %s "$bins/$bin-$name")
    printf '| %s | %s | %.0f s | %.0f s | %s | %s | %s/%s |\n' "$label" "$name" "$wall" \
      "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$(numfmt --to=iec-i --suffix=B --format=%.2f "$size")" \
      "$(numfmt --to=iec-i --suffix=B --format=%.2f "$stripped")" "$load_before" \
      "$(cut -d' ' -f1 /proc/loadavg)"
    rm -rf "$tdir"
  }

  step "(e) cold cargo build --release --locked (wall, CPU = user+sys, size, stripped size, load before/after)"
  echo "| binary | profile | wall | CPU | size | stripped | load |"
  echo "|---|---|---|---|---|---|---|"
  for v in "${module_variants[@]}"; do
    cold_build registry-config "$repo" registry-config "$v"
  done
  for v in "${hello_variants[@]}"; do
    cold_build hello-dagger "$repo/benches/hello-dagger" hello-dagger "$v"
  done
  echo "(stripped copies kept in $bins; run the process bench on one with"
  echo " REGISTRY_CONFIG_BIN=$bins/registry-config-default cargo bench --bench process -- chain)"
fi
