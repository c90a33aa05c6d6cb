# Zuora → NetSuite connector on Temporal.
#   make demo   dev server + sandbox + worker + a real sync of the demo tenant, with progress
#   make test   unit and integration tests (installs the pinned Temporal CLI into ./bin first)
#   make bench  throughput, Temporal actions and memory against the APIs' ceilings (docs/benchmarks.md)

SHELL := /bin/bash
TEMPORAL_CLI_VERSION := v1.5.1
BIN := $(CURDIR)/bin
TEMPORAL := $(BIN)/temporal
GO_TEST_FLAGS ?= -count=1 -timeout 45m

.PHONY: all build demo test unit lint bench chaos clean record-histories

all: build

# The Temporal CLI carries the dev server and the Web UI; pinned, built from
# source through the Go module proxy (about 4 minutes the first time).
$(TEMPORAL):
	@mkdir -p $(BIN)
	@echo "installing the Temporal CLI $(TEMPORAL_CLI_VERSION) into ./bin (first time only, a few minutes)..."
	GOBIN=$(BIN) go install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)

build:
	@mkdir -p $(BIN)
	go build -o $(BIN)/ ./worker ./starter ./sandbox

demo: $(TEMPORAL) build
	@internal/demo/demo.sh

# Unit and integration tests; integration tests run against the real dev
# server and fail (never skip) when it cannot start.
test: $(TEMPORAL) lint
	TEMPORAL_CLI=$(TEMPORAL) CONNECTOR_INTEGRATION=required go test $(GO_TEST_FLAGS) ./...

# Re-records the workflow histories the replay test (workflows/replay_test.go,
# part of `make test`) replays: run after a deliberate, version-guarded change
# of a workflow, or after merging branches that change workflows
# (docs/operations.md, "Deploying new worker code").
record-histories: $(TEMPORAL)
	rm -f workflows/testdata/histories/*
	TEMPORAL_CLI=$(TEMPORAL) CONNECTOR_INTEGRATION=required RECORD_HISTORIES=1 \
		go test -count=1 -timeout 20m -run 'TestRecordHistories|TestMigrationEndToEnd$$' ./internal/itest
	go test -count=1 -run TestReplay ./workflows

# Unit tests only (no dev server).
unit:
	go test -count=1 -short ./...

lint:
	go vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

# The benchmark (docs/benchmarks.md): a program, not a timed test. Reports
# its table and rewrites the one in docs/benchmarks.md. BENCH_FLAGS passes
# options, e.g. BENCH_FLAGS="--small-invoices 200 --large-lines 10000".
bench: $(TEMPORAL) build
	go run ./internal/bench --temporal $(TEMPORAL) --worker $(BIN)/worker --write-doc docs/benchmarks.md $(BENCH_FLAGS)

# The long fault suite (internal/itest/chaos_test.go): 1,000 invoices, one of
# 20,000 items, synced through worker kills, sandbox and dev server restarts and
# API faults; prints the figures. CHAOS_RUNS=3 runs it three times in a row.
CHAOS_RUNS ?= 1
chaos: $(TEMPORAL)
	@mkdir -p .state
	@for i in $$(seq 1 $(CHAOS_RUNS)); do \
		echo "chaos run $$i of $(CHAOS_RUNS)"; \
		TEMPORAL_CLI=$(TEMPORAL) CONNECTOR_INTEGRATION=required CONNECTOR_CHAOS=long CONNECTOR_CHAOS_REPORT=$(CURDIR)/.state/chaos-report.txt \
			go test -count=1 -timeout 100m -run 'TestChaos' -v ./internal/itest || exit 1; \
	done

clean:
	rm -rf $(BIN) .state
