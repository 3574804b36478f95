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
echo "== pytest"
python -m pytest -n "${CROSSDOCK_TEST_WORKERS:-2}" --durations=15 "$@"
