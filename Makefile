# examiner — run `make help` for the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(PATH):/usr/local/go/bin
# Go 1.27.3 (fetched by the go command through the module proxy on first use, about 10 s): the
# standard library of 1.26.8 has known vulnerabilities (make vulncheck). Override to try another.
export GOTOOLCHAIN ?= go1.27.3
GO ?= go
# The Go vulnerability database as the module proxy serves it (no other network is needed).
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
GOVULNCHECK_VERSION ?= v1.9.0
# sqlc, built from the module proxy on first use (cgo, about 2 minutes), then from Go's build cache.
SQLC ?= $(GO) run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1

.PHONY: help run test race vulncheck cover bench audit migrate schema lint build generate generate-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

run: ## serve on :8080; with DATABASE_URL unset, on a local PostgreSQL under .data/
	$(GO) run ./cmd/examiner dev

test: ## go vet and every test against a real PostgreSQL, with a summary
	$(GO) vet ./...
	$(GO) test -count=1 -json ./... | $(GO) run ./cmd/testreport

race: ## every test again under the race detector
	$(GO) test -race -count=1 -json ./... | $(GO) run ./cmd/testreport

vulncheck: ## govulncheck on what ships (cmd/examiner), against the vulndb module; then the test harness, for information
	@dir=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	  test -d "$$dir/data/osv" || { echo "vulncheck: no data/osv in golang.org/x/vulndb@$(VULNDB_VERSION)"; exit 1; }; \
	  rm -rf .cache/vulndb && mkdir -p .cache && \
	  $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$dir/data/osv" -out .cache/vulndb
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -db file://$(CURDIR)/.cache/vulndb ./cmd/examiner
	@echo "vulncheck: the test harness (dockertest and its Docker client), for information:"
	-@$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -db file://$(CURDIR)/.cache/vulndb ./internal/testdb | grep -E '^(Vulnerability|  Module|Your code|No vulnerabilities)'

cover: ## statement coverage of all packages by all tests (writes cover.out)
	$(GO) test -count=1 -coverpkg=./... -coverprofile=cover.out ./... > /dev/null
	$(GO) tool cover -func=cover.out | tail -n 1

bench: ## Go benchmarks, then the load harness against a real server and PostgreSQL (docs/benchmarks.md)
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/bench

audit: ## the row-level-security report for DATABASE_URL, else for make run's database; exit 3 on a breach
	@bash sql/audit/audit.sh

migrate: ## migrate DATABASE_URL to the newest schema
	$(GO) run ./cmd/examiner migrate up

schema: ## rewrite sql/schema.sql: pg_dump --schema-only of a freshly migrated test database
	cd migrations && $(GO) test -count=1 -run '^TestSchemaSQLIsWhatTheMigrationsMake$$' -args -update

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...

build: ## build bin/examiner
	$(GO) build -o bin/examiner ./cmd/examiner

generate: ## regenerate internal/dbsqlc from sql/queries and the migrations (sqlc)
	$(SQLC) generate
	bash sql/sqlc/statements.sh | gofmt > internal/dbsqlc/statements.go

generate-check: ## fail when internal/dbsqlc is not what make generate would write (CI runs it)
	@$(SQLC) diff || { echo "generate-check: internal/dbsqlc is stale: run make generate"; exit 1; }
	@bash sql/sqlc/statements.sh | gofmt | cmp -s - internal/dbsqlc/statements.go || \
	  { echo "generate-check: internal/dbsqlc/statements.go is stale: run make generate"; exit 1; }
	@echo "generate-check: internal/dbsqlc is up to date"
