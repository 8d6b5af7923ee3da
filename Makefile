# incidentmap — see scripts/pg.sh for the private PostGIS cluster.
#
#   make build    build bin/incidentmap
#   make run      build, start PostGIS (unless DATABASE_URL is set), migrate, seed, serve
#   make test     install test deps, start PostGIS, go vet + go test
#   make bench    scripts/bench.sh
#   make db       start the private PostGIS and print its URL
#   make db-stop  stop it
#   make clean    remove bin/ (keeps .data/, the database)

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

GO ?= go
BIN := bin/incidentmap

# Sets and exports DATABASE_URL: kept if already set, else the last line of
# scripts/pg.sh start. Used as the first line of a recipe's shell.
define with_db
if [ -z "$${DATABASE_URL:-}" ]; then DATABASE_URL=$$(bash scripts/pg.sh start | tail -n1); fi; \
[ -n "$$DATABASE_URL" ] || { echo "make: no DATABASE_URL from scripts/pg.sh" >&2; exit 1; }; \
export DATABASE_URL
endef

.PHONY: all build run test bench db db-stop clean

all: build

build:
	$(GO) build -trimpath -o $(BIN) .

run: build
	$(with_db); \
	$(BIN) migrate; \
	$(BIN) seed; \
	exec $(BIN) serve

test:
	bash scripts/deps.sh
	export INCIDENTMAP_PG_FAST=1; \
	$(with_db); \
	echo "DATABASE_URL=$$DATABASE_URL"; \
	$(GO) vet ./...; \
	$(GO) test -count=1 -timeout 20m ./...

bench:
	@if [ -f scripts/bench.sh ]; then \
		INCIDENTMAP_PG_FAST=1 exec bash scripts/bench.sh; \
	else \
		echo "make bench: the benchmark is not written yet (scripts/bench.sh is missing)" >&2; \
		exit 1; \
	fi

db:
	@bash scripts/pg.sh start

db-stop:
	@bash scripts/pg.sh stop

clean:
	rm -rf bin
