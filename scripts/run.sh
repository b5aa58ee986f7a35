#!/usr/bin/env bash
# Starts Plume for a person trying it: migrations, sample data loaded once, then the server (URL printed).
set -euo pipefail
bin=${1:-bin/plume}
"$bin" migrate
exec "$bin" serve
