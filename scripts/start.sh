#!/usr/bin/env bash
# The main job on embedded defaults: create the SQLite store, load the demo network,
# and print its status. Extra arguments go to `crossdock demo` (e.g. --skus 500).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv ""
export CROSSDOCK_MODE="${CROSSDOCK_MODE:-demo}"  # demo logins and signing secret: never in production
cd "$ROOT"
crossdock init
crossdock demo "$@"
crossdock status
