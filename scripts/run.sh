#!/usr/bin/env bash
# Starts Plume for a person trying it: migrations, sample data loaded once, demo accounts (credentials printed),
# then the server (URL printed).
set -euo pipefail
bin=${1:-bin/plume}
"$bin" migrate
"$bin" demo
# Without a publisher an approved reply would wait forever: by default, approved replies go to a JSON lines file
# (one reply per line) that an agent pastes on Services Publics+.
if [ -z "${PUBLISH_WEBHOOK_URL:-}" ] && [ -z "${PUBLISH_EXPORT_PATH:-}" ]; then
  mkdir -p .data
  export PUBLISH_EXPORT_PATH="$PWD/.data/publications.jsonl"
  echo "run.sh : réponses approuvées écrites dans $PUBLISH_EXPORT_PATH"
fi
exec "$bin" serve
