# Sourced by start.sh and test.sh: create or update .venv with the extras asked for.
# Usage: ensure_venv [extras]   e.g. ensure_venv test
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CROSSDOCK_VENV:-$ROOT/.venv}"

find_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: Crossdock needs Python 3.11 or newer on PATH" >&2
    return 1
}

ensure_venv() {
    local extras="${1:-}"
    local python
    python="$(find_python)"
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$python" -m venv "$VENV" 2>/dev/null; then
            # Debian splits venv out of python3; install it when we can.
            if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
                echo "installing python3-venv with apt-get" >&2
                apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
                rm -rf "$VENV"
                "$python" -m venv "$VENV"
            else
                echo "error: '$python -m venv' failed; install python3-venv (Debian) first" >&2
                return 1
            fi
        fi
    fi
    local stamp="$VENV/.crossdock-installed-${extras:-base}"
    local want
    want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "installing Crossdock and its dependencies into $VENV" >&2
        "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
        "$VENV/bin/python" -m pip install --quiet --editable "$ROOT${extras:+[$extras]}" >&2
        echo "$want" >"$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}
