#!/usr/bin/env bash
# The project's one test command: installs what the tests need when it is missing (apt packages
# and Python virtualenvs; run as root on Debian/Ubuntu), then runs every check. Any failure stops
# it with a non-zero exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

step() { printf '\n==> %s\n' "$*"; }

step "installing test dependencies (registry, clients)"
scripts/install-test-deps.sh

step "type-checking the runtime SDK module (mypy --strict) and installing it into its venvs"
scripts/check-runtime.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (unit, property, engine double, runtime under the Python SDK, real registry clients)"
# The engine double logs every validation verdict here; the report below counts them per engine.
export REGISTRY_CONFIG_VALIDATION_LOG="$repo/target/schema-validation"
rm -rf "$REGISTRY_CONFIG_VALIDATION_LOG"
cargo test --workspace --locked

step "the runtime's build script, for real (release build; the target cache is kept under target/)"
cargo test --locked --test runtime_build -- --ignored

step "requests validated per engine schema"
python3 scripts/schema-report.py "$REGISTRY_CONFIG_VALIDATION_LOG"
