#!/bin/sh
# Runs Plume's OpenAI-compatible API against the official openai npm client: installs the pinned client
# (npm ci, from package-lock.json), then the Go test that starts Plume on a random port and runs node --test.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/tests/openai-client"
npm ci --no-audit --no-fund
cd "$root"
CI=true go test -count=1 -run 'TestOpenAINodeClient' ./internal/web/
