#!/usr/bin/env bash
# The whole test suite: lint, types, architecture contracts, then every test.
# PostgreSQL (127.0.0.1:5432, trust auth) is used when reachable; with CI=true a
# missing service or missing ../shared/data fails the run instead of skipping.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv test
cd "$ROOT"
echo "== ruff" && ruff check . && ruff format --check .
echo "== mypy" && mypy
echo "== import contracts" && lint-imports
# The browser tests (tests/browser) drive Debian's Chromium at /usr/bin/chromium.
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing chromium with apt-get (for the browser tests)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    elif [ "${CI:-}" = "true" ]; then
        echo "error: the browser tests need Chromium at /usr/bin/chromium and it is not" \
            "installed; run as root on Debian (apt-get install chromium) or install it first" >&2
        exit 1
    else
        echo "note: /usr/bin/chromium missing and not installable here: browser tests skip" >&2
    fi
fi
echo "== pytest"
python -m pytest -n "${CROSSDOCK_TEST_WORKERS:-2}" --durations=15 "$@"
