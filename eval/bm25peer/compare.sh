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
# Measured sets (written blind, aggregate only): reviews2, reviews3, reviews4, reviews6, questions3, questions4. Tuning sets: reviews (dev, test), reviews5,
# reviews-real43, questions, questions2 (eval/retrieval/REVIEWS.md).
for set in reviews reviews-real43 reviews5 reviews2 reviews3 reviews4 reviews6; do
  "$plume" reviews sources --jsonl < "$ev/$set.jsonl" > "$tmp/plume-$set.jsonl"
  "$tmp/peer" run --corpus "$dir" --input "$ev/$set.jsonl" > "$tmp/peer-$set.jsonl"
  for split in dev test; do
    [ "$set" = reviews ] || [ "$split" = test ] || continue
    s=$split; [ "$set" = reviews ] || s=""
    "$tmp/peer" score --gold "$ev/$set.jsonl" --run "$tmp/plume-$set.jsonl" --split "$s" --name plume
    "$tmp/peer" score --gold "$ev/$set.jsonl" --run "$tmp/peer-$set.jsonl" --split "$s" --name bm25peer
  done
done
for set in questions questions2 questions5 questions3 questions4; do
  "$plume" search --jsonl -k 5 < "$ev/$set.jsonl" > "$tmp/plume-$set.jsonl" 2>/dev/null || true
  "$tmp/peer" run --corpus "$dir" --input "$ev/$set.jsonl" > "$tmp/peer-$set.jsonl"
  "$tmp/peer" score --gold "$ev/$set.jsonl" --run "$tmp/plume-$set.jsonl" --name plume
  "$tmp/peer" score --gold "$ev/$set.jsonl" --run "$tmp/peer-$set.jsonl" --name bm25peer
done
