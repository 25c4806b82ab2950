#!/usr/bin/env bash
# Fuzzes key normalization, imported-config parsing and state decoding with proptest at a large
# case count (release build). FUZZ_CASES sets cases per target (default 200000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo test --release --locked --test fuzz -- --ignored --nocapture --test-threads=1
