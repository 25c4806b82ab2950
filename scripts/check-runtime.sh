#!/usr/bin/env bash
# Type-checks the Python SDK module in runtime/ with `mypy --strict`.
#
# Inside the engine the module runs against the client the Python SDK vendors
# into runtime/sdk. Here the PyPI `dagger-io` package provides the same
# `dagger` / `dagger.mod` API. No release matches engine v1.0.0-beta.23 yet;
# 1.0.0b21 (CLI 1.0.0-beta.21) is the newest and closest one and has every API
# the module uses. Bump DAGGER_IO_VERSION with the engine version.
#
# Env: RUNTIME_VENV (default: <repo>/target/runtime-venv).
set -euo pipefail

DAGGER_IO_VERSION="1.0.0b21"
MYPY_VERSION="2.4.1"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${RUNTIME_VENV:-$repo/target/runtime-venv}"
src="$repo/runtime/src"
stamp="$venv/.check-runtime-stamp"
want="dagger-io==$DAGGER_IO_VERSION mypy==$MYPY_VERSION"

fail() {
    echo "check-runtime: FAILED: $*" >&2
    exit 1
}

make_venv() {
    rm -rf "$venv"
    python3 -m venv "$venv"
}

command -v python3 >/dev/null || fail "python3 not found"

# (Re)create the venv unless it already has exactly the pinned packages.
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    mkdir -p "$(dirname "$venv")"
    if ! make_venv; then
        # Debian ships venv/ensurepip separately (python3-venv).
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
            echo "check-runtime: python3 -m venv failed; installing python3-venv" >&2
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            make_venv || fail "python3 -m venv still fails after installing python3-venv"
        else
            fail "python3 -m venv failed (install python3-venv)"
        fi
    fi
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install -q $want \
        || fail "pip install $want"
    echo "$want" >"$stamp"
fi

# The module may import only `dagger` and the standard library.
"$venv/bin/python" - "$src" <<'PY' || fail "runtime imports something other than dagger/stdlib"
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

cd "$repo/runtime"
"$venv/bin/python" -m mypy --strict --config-file pyproject.toml \
    --cache-dir "$venv/mypy-cache" src/main \
    || fail "mypy --strict reported errors in runtime/src"
echo "check-runtime: OK (dagger-io $DAGGER_IO_VERSION, mypy $MYPY_VERSION)"
