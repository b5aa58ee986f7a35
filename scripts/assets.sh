#!/usr/bin/env bash
# Refreshes the vendored front-end assets under web/static/vendor from the npm registry, at pinned versions.
# The result is committed, so building Plume needs neither npm nor the network; run this only to upgrade.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
DSFR_VERSION=1.15.3
HTMX_VERSION=2.0.8
out="$root/web/static/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
echo "assets : npm pack @gouvfr/dsfr@$DSFR_VERSION htmx.org@$HTMX_VERSION"
npm pack --silent "@gouvfr/dsfr@$DSFR_VERSION" "htmx.org@$HTMX_VERSION" >/dev/null
mkdir dsfr htmx
tar xzf gouvfr-dsfr-$DSFR_VERSION.tgz -C dsfr
tar xzf htmx.org-$HTMX_VERSION.tgz -C htmx
rm -rf "$out"
mkdir -p "$out/dsfr" "$out/htmx"
d=dsfr/package/dist
cp "$d/dsfr.min.css" "$d/dsfr.module.min.js" "$d/dsfr.nomodule.min.js" "$out/dsfr/"
cp -r "$d/fonts" "$out/dsfr/fonts"
# Only the icons the stylesheet itself references: the full set is 4 MB.
grep -o 'url(icons/[^)]*)' "$d/dsfr.min.css" | sed 's/^url(//; s/)$//' | sort -u | while read -r f; do
  mkdir -p "$out/dsfr/$(dirname "$f")"
  cp "$d/$f" "$out/dsfr/$f"
done
cp htmx/package/dist/htmx.min.js "$out/htmx/"
cp dsfr/package/LICENSE.md "$out/dsfr/LICENSE.md" 2>/dev/null || true
cp htmx/package/LICENSE "$out/htmx/LICENSE" 2>/dev/null || true
printf '@gouvfr/dsfr %s\nhtmx.org %s\n' "$DSFR_VERSION" "$HTMX_VERSION" > "$out/VERSIONS"
du -sh "$out"
