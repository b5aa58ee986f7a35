# Plume — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
BIN := bin/plume
# scripts/db.sh makes a database usable (server, pgvector) and prints its URL on its last line.
DB = $$(bash scripts/db.sh | tail -n1 | sed 's/^DATABASE_URL=//')

.PHONY: run test lint bench build db corpus clean

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

## bench: Go benchmarks of every package (speed and memory targets), against the real PostgreSQL.
bench:
	url=$(DB); DATABASE_URL=$$url $(GO) test -run '^$$' -bench . -benchmem -count=1 -timeout 60m ./...

clean:
	rm -rf bin
