#!/usr/bin/env bash
# Starts Plume for a person trying it: migrations, sample data loaded once, demo accounts (credentials printed),
# then the server (URL printed).
set -euo pipefail
bin=${1:-bin/plume}
"$bin" migrate
"$bin" demo
exec "$bin" serve
