#!/usr/bin/env bash
# The main job on embedded defaults: create the SQLite store, load the demo network,
# and print its status. Extra arguments go to `crossdock demo` (e.g. --skus 500).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv ""
cd "$ROOT"
crossdock init
crossdock demo "$@"
crossdock status
