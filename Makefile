# incidentmap — see scripts/pg.sh for the private PostGIS cluster.
#
#   make web      npm ci + build the viewer into static/dist (embedded by go build)
#   make build    build bin/incidentmap
#   make naturalearth  cut the basemap's water and towns again (NATURAL_EARTH=dir)
#   make run      build, start PostGIS (unless DATABASE_URL is set), migrate, seed, serve
#   make lint     golangci-lint (.golangci.yml), installed at the pinned
#                 GOLANGCI_LINT_VERSION through the Go module proxy into .bin/
#   make test     make lint, install test deps, start PostGIS, go vet + go test
#   make bench    scripts/bench.sh (BENCH_N; BENCH_ONLY=warm, cql, or pyramid: the low zoom tiles (g), in memory)
#   make bench-import scripts/bench_import.sh (IMPORT_N): bulk import rate
#   make loadtest scripts/loadtest.sh (LOAD_N, LOAD_SECONDS, LOAD_CONNS, LOAD_RATE, LOAD_ABUSE)
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

.PHONY: all web build run lint test bench bench-import loadtest db db-stop clean

all: build

# The viewer's npm packages (pinned in static/package-lock.json), installed
# again only when the lock file changes. npm comes from Debian when missing.
static/node_modules/.package-lock.json: static/package.json static/package-lock.json
	command -v npm >/dev/null 2>&1 || { . scripts/lib.sh; apt_install nodejs npm; }
	cd static && npm ci --no-audit --no-fund

# Lighthouse for the embed's test (static/embed_test.go), pinned in
# testdata/lighthouse/package-lock.json; it drives Debian's chromium
# (CHROME_PATH) and downloads no browser.
testdata/lighthouse/node_modules/.package-lock.json: testdata/lighthouse/package.json testdata/lighthouse/package-lock.json
	cd testdata/lighthouse && npm ci --no-audit --no-fund

# static/dist is embedded with //go:embed: go build, vet and test need it.
web: static/node_modules/.package-lock.json
	cd static && node build.mjs

build: web
	$(GO) build -trimpath -o $(BIN) .

# The basemap's rivers, lakes and towns: cut again from Natural Earth 1:10m
# (NATURAL_EARTH, the directory of its .geojson.gz files) into the committed
# internal/naturalearth/basemap-10m.geojson.gz. Builds and tests never need it.
NATURAL_EARTH ?= ../shared/data/natural-earth
.PHONY: naturalearth
naturalearth:
	NATURAL_EARTH=$(abspath $(NATURAL_EARTH)) $(GO) generate ./internal/naturalearth

# The tile index is saved in .data/tile-index (INCIDENTMAP_INDEX_SNAPSHOT;
# set it empty for none), so that the next start reads it back.
run: build
	$(with_db); \
	export INCIDENTMAP_INDEX_SNAPSHOT=$${INCIDENTMAP_INDEX_SNAPSHOT-.data/tile-index}; \
	$(BIN) migrate; \
	$(BIN) seed; \
	exec $(BIN) serve

# golangci-lint at a pinned version, built from the Go module proxy into a
# folder named after the version (.bin/ is git-ignored), so that changing the
# version installs the new one. A cold install takes about two minutes.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := .bin/golangci-lint-$(GOLANGCI_LINT_VERSION)/golangci-lint

$(GOLANGCI_LINT):
	GOBIN=$(CURDIR)/$(@D) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

# static/dist need not be built: its .gitkeep satisfies //go:embed all:dist.
lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

test: web lint testdata/lighthouse/node_modules/.package-lock.json
	bash scripts/deps.sh
	export INCIDENTMAP_PG_FAST=1; \
	$(with_db); \
	echo "DATABASE_URL=$$DATABASE_URL"; \
	$(GO) vet ./...; \
	$(GO) test -count=1 -timeout 20m ./...; \
	bash scripts/fuzz.sh

bench:
	@if [ -f scripts/bench.sh ]; then \
		INCIDENTMAP_PG_FAST=1 exec bash scripts/bench.sh; \
	else \
		echo "make bench: the benchmark is not written yet (scripts/bench.sh is missing)" >&2; \
		exit 1; \
	fi

bench-import:
	bash scripts/bench_import.sh

loadtest:
	INCIDENTMAP_PG_FAST=1 bash scripts/loadtest.sh

db:
	@bash scripts/pg.sh start

db-stop:
	@bash scripts/pg.sh stop

clean:
	rm -rf bin
