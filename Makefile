# examiner — run `make help` for the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(PATH):/usr/local/go/bin
GO ?= go

.PHONY: help run test cover bench audit migrate lint build

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

run: ## serve on :8080; with DATABASE_URL unset, on a local PostgreSQL under .data/
	$(GO) run ./cmd/examiner dev

test: ## go vet and every test against a real PostgreSQL, with a summary
	$(GO) vet ./...
	$(GO) test -count=1 -json ./... | $(GO) run ./internal/testreport

cover: ## statement coverage of all packages by all tests (writes cover.out)
	$(GO) test -count=1 -coverpkg=./... -coverprofile=cover.out ./... > /dev/null
	$(GO) tool cover -func=cover.out | tail -n 1

bench: ## Go benchmarks (the load benchmarks come with the performance work)
	$(GO) test -run '^$$' -bench . -benchmem ./...

audit: ## print the row-level-security report for DATABASE_URL
	@test -n "$${DATABASE_URL:-}" || { echo "make audit: set DATABASE_URL"; exit 2; }
	psql "$$DATABASE_URL" -X -q -f sql/audit/rls_report.sql

migrate: ## migrate DATABASE_URL to the newest schema
	$(GO) run ./cmd/examiner migrate up

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...

build: ## build bin/examiner
	$(GO) build -o bin/examiner ./cmd/examiner
