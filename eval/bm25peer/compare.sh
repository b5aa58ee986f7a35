#!/usr/bin/env bash
# Runs Plume (`plume reviews sources --jsonl`, `plume search --jsonl`) and the BM25 peer (Bleve, stock French
# analyzer) on the same corpus and labelled sets, and prints both systems' recall side by side.
# Needs DATABASE_URL naming a database where `make corpus` loaded the full fiches, and bin/plume built.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(bash "$root/scripts/corpus.sh" | tail -n1)
plume=${PLUME_BIN:-$root/bin/plume}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$root/eval/bm25peer" && go build -o "$tmp/peer" .)
ev=$root/eval/retrieval
# Held-out half of the questions: odd ids (eval/retrieval/README.md).
python3 - "$ev/questions.jsonl" "$tmp/qheld.jsonl" <<'PY'
import json,sys
with open(sys.argv[2],'w') as o:
    for l in open(sys.argv[1]):
        if int(json.loads(l)['id'][1:])%2==1: o.write(l)
PY
for set in reviews reviews-real43 reviews2; do
  "$plume" reviews sources --jsonl < "$ev/$set.jsonl" > "$tmp/plume-$set.jsonl"
  "$tmp/peer" run --corpus "$dir" --input "$ev/$set.jsonl" > "$tmp/peer-$set.jsonl"
  for split in dev test; do
    [ "$set" = reviews ] || [ "$split" = test ] || continue
    s=$split; [ "$set" = reviews ] || s=""
    "$tmp/peer" score --gold "$ev/$set.jsonl" --run "$tmp/plume-$set.jsonl" --split "$s" --name plume
    "$tmp/peer" score --gold "$ev/$set.jsonl" --run "$tmp/peer-$set.jsonl" --split "$s" --name bm25peer
  done
done
"$plume" search --jsonl -k 5 < "$tmp/qheld.jsonl" > "$tmp/plume-q.jsonl" 2>/dev/null || true
"$tmp/peer" run --corpus "$dir" --input "$tmp/qheld.jsonl" > "$tmp/peer-q.jsonl"
"$tmp/peer" score --gold "$tmp/qheld.jsonl" --run "$tmp/plume-q.jsonl" --name plume
"$tmp/peer" score --gold "$tmp/qheld.jsonl" --run "$tmp/peer-q.jsonl" --name bm25peer
