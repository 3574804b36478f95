#!/usr/bin/env bash
# The main job on embedded defaults: create the SQLite store, load the demo network and
# plan it (the first time only), then serve the workbench, the REST API and an embedded
# worker, printing the URL and the demo logins. Ctrl-C stops it. Extra arguments go to
# `crossdock demo` (e.g. --skus 500); CROSSDOCK_PORT picks the port (default 8000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv ""
export CROSSDOCK_MODE="${CROSSDOCK_MODE:-demo}"  # demo logins and signing secret: never in production
cd "$ROOT"
crossdock init
if [ "$(crossdock status --json | python -c 'import json, sys; print(json.load(sys.stdin)["entities"]["items"]["rows"])')" = 0 ] || [ "$#" -gt 0 ]; then
    crossdock demo "$@"
    crossdock plan --top 5
fi
crossdock status
exec crossdock serve --host 127.0.0.1 --port "${CROSSDOCK_PORT:-8000}"
