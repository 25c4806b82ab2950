#!/usr/bin/env bash
# Type-checks the Python SDK module in runtime/ with `mypy --strict`, once per
# supported engine line, and installs the module into each line's venv, where
# tests/runtime_sdk.rs runs it through the Python SDK's module entrypoint.
#
# Inside the engine the module runs against the client the Python SDK vendors
# into runtime/sdk, which is the engine's own `dagger-io`. So main.py must
# type-check against the client of every engine line we support, each in its
# own venv:
#   - 0.21.1    the oldest supported engine (runtime/dagger.json declares
#               engineVersion v0.21.1); later v0.21 engines and the 1.0 betas
#               are supported too.
#   - 1.0.0b21  the newest 1.0 beta on PyPI (`pip index versions dagger-io --pre`).
#               Bump it when a newer beta is published.
# Both are checked on every run; the script fails if either does, and also if
# the first entry is not the engineVersion in runtime/dagger.json.
#
# Env: RUNTIME_VENV_PREFIX (default: <repo>/target/runtime-venv); the venv for
# version V is "$RUNTIME_VENV_PREFIX-V".
set -euo pipefail

DAGGER_IO_VERSIONS=("0.21.1" "1.0.0b21")
MYPY_VERSION="2.4.1"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${RUNTIME_VENV_PREFIX:-$repo/target/runtime-venv}"
src="$repo/runtime/src"

fail() {
    echo "check-runtime: FAILED: $*" >&2
    exit 1
}

# make_venv DIR: a fresh venv at DIR. Debian ships venv/ensurepip separately
# (python3-venv), so install that once if root and it is missing.
make_venv() {
    rm -rf "$1"
    python3 -m venv "$1" && return 0
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        echo "check-runtime: python3 -m venv failed; installing python3-venv" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        rm -rf "$1"
        python3 -m venv "$1" && return 0
    fi
    return 1
}

# ensure_venv VERSION: prints the venv path holding exactly dagger-io==VERSION
# and the pinned mypy, (re)creating it unless its stamp already says so.
ensure_venv() {
    local venv="$prefix-$1"
    local want="dagger-io==$1 mypy==$MYPY_VERSION"
    if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.check-runtime-stamp" 2>/dev/null)" != "$want" ]]; then
        mkdir -p "$(dirname "$venv")"
        make_venv "$venv" >&2 || return 1
        # shellcheck disable=SC2086 # $want is two requirement words.
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install -q $want >&2 || return 1
        echo "$want" >"$venv/.check-runtime-stamp"
    fi
    echo "$venv"
}

# ensure_runtime_installed VENV: the runtime package (runtime/, as the Python
# SDK installs it: `pip install .`) in VENV, reinstalled when its sources change.
ensure_runtime_installed() {
    local want
    want="$(cd "$repo/runtime" && cat pyproject.toml $(find src -name '*.py' | sort) | sha256sum)"
    if [[ "$(cat "$1/.runtime-stamp" 2>/dev/null)" != "$want" ]]; then
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$1/bin/python" -m pip install -q --no-deps \
            --force-reinstall "$repo/runtime" >&2 || return 1
        echo "$want" >"$1/.runtime-stamp"
    fi
}

command -v python3 >/dev/null || fail "python3 not found"

# The module may import only `dagger` and the standard library.
python3 - "$src" <<'PY' || fail "runtime imports something other than dagger/stdlib"
import ast, pathlib, sys

bad = []
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top != "dagger" and top not in sys.stdlib_module_names:
                bad.append(f"{path}:{node.lineno}: import {name}")
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# The oldest client checked must be the engine runtime/dagger.json declares.
engine="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["engineVersion"])' \
    "$repo/runtime/dagger.json")" || fail "cannot read engineVersion from runtime/dagger.json"
[[ "$engine" == "v${DAGGER_IO_VERSIONS[0]}" ]] \
    || fail "runtime/dagger.json engineVersion is $engine but the oldest dagger-io checked is ${DAGGER_IO_VERSIONS[0]}"

cd "$repo/runtime"
passed=()
failed=()
for version in "${DAGGER_IO_VERSIONS[@]}"; do
    echo "check-runtime: dagger-io $version"
    if ! venv="$(ensure_venv "$version")"; then
        echo "check-runtime: could not set up a venv with dagger-io==$version mypy==$MYPY_VERSION" >&2
        failed+=("$version (venv)")
    elif ! ensure_runtime_installed "$venv"; then
        echo "check-runtime: could not install runtime/ into $venv" >&2
        failed+=("$version (install)")
    elif "$venv/bin/python" -m mypy --strict --config-file pyproject.toml \
        --cache-dir "$venv/mypy-cache" src/main; then
        passed+=("$version")
    else
        echo "check-runtime: mypy --strict reported errors in runtime/src against dagger-io $version"
        failed+=("$version")
    fi
done

if ((${#failed[@]})); then
    fail "dagger-io ${failed[*]}${passed:+ (passed: ${passed[*]})}"
fi
echo "check-runtime: OK (mypy $MYPY_VERSION --strict passed against dagger-io ${passed[*]})"
