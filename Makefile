# Zuora → NetSuite connector on Temporal.
#   make demo   dev server + sandbox + worker + a real sync of the demo tenant, with progress
#   make test   unit and integration tests (installs the pinned Temporal CLI into ./bin first)
#   make cluster       the production shape: PostgreSQL, the Temporal server, the Web UI and N workers (docs/operations.md)
#   make cluster-stop  stops what make cluster started
#   make bench  throughput, Temporal actions and memory against the APIs' ceilings (docs/benchmarks.md)

SHELL := /bin/bash
TEMPORAL_CLI_VERSION := v1.5.1
BIN := $(CURDIR)/bin
TEMPORAL := $(BIN)/temporal
GO_TEST_FLAGS ?= -count=1 -timeout 60m

.PHONY: all build demo test unit lint bench chaos clean cluster cluster-stop cluster-bins test-cluster test-race postgres record-histories

all: build

# The Temporal CLI carries the dev server and the Web UI; pinned, built from
# source through the Go module proxy (about 4 minutes the first time).
$(TEMPORAL):
	@mkdir -p $(BIN)
	@echo "installing the Temporal CLI $(TEMPORAL_CLI_VERSION) into ./bin (first time only, a few minutes)..."
	GOBIN=$(BIN) go install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)

# The production shape's binaries (make cluster): the Temporal server, its
# SQL schema tool and the Web UI server, the versions the pinned CLI embeds,
# built from the module proxy into ./bin (a few minutes, first time only).
TEMPORAL_SERVER_VERSION := v1.29.1
TEMPORAL_UI_VERSION := v2.42.1
CLUSTER_BINS := $(BIN)/temporal-server $(BIN)/temporal-sql-tool $(BIN)/temporal-ui-server
$(BIN)/temporal-server:
	@mkdir -p $(BIN)/.install-server
	@echo "installing the Temporal server $(TEMPORAL_SERVER_VERSION) into ./bin (first time only, a few minutes)..."
	GOBIN=$(BIN)/.install-server go install go.temporal.io/server/cmd/server@$(TEMPORAL_SERVER_VERSION)
	mv $(BIN)/.install-server/server $@
$(BIN)/temporal-sql-tool:
	@mkdir -p $(BIN)/.install-sql
	GOBIN=$(BIN)/.install-sql go install go.temporal.io/server/cmd/tools/sql@$(TEMPORAL_SERVER_VERSION)
	mv $(BIN)/.install-sql/sql $@
$(BIN)/temporal-ui-server:
	@mkdir -p $(BIN)/.install-ui
	@echo "installing the Temporal Web UI server $(TEMPORAL_UI_VERSION) into ./bin (first time only)..."
	GOBIN=$(BIN)/.install-ui go install github.com/temporalio/ui-server/v2/cmd/server@$(TEMPORAL_UI_VERSION)
	mv $(BIN)/.install-ui/server $@
# What the cluster tier of make test needs besides the binaries: PostgreSQL
# and chromium (the browser check of the Web UI), installed with apt if missing.
postgres:
	@internal/deploy/cluster.sh ensure-postgres
	@internal/deploy/cluster.sh ensure-chromium

cluster-bins: $(TEMPORAL) $(CLUSTER_BINS) build

cluster: cluster-bins
	@internal/deploy/cluster.sh up

cluster-stop:
	@internal/deploy/cluster.sh down

build:
	@mkdir -p $(BIN)
	go build -o $(BIN)/ ./worker ./starter ./sandbox

demo: $(TEMPORAL) build
	@internal/demo/demo.sh

# Unit and integration tests; integration tests run against the real dev
# server and fail (never skip) when it cannot start.
test: $(TEMPORAL) $(CLUSTER_BINS) postgres lint
	TEMPORAL_CLI=$(TEMPORAL) CONNECTOR_INTEGRATION=required CONNECTOR_CLUSTER_BIN=$(BIN) go test $(GO_TEST_FLAGS) ./...
	$(MAKE) test-race

# The code that runs goroutines side by side (a split's part writers, the
# line key check, the catalog read beside the items, the ZOQL pager) under
# the race detector: about half a minute.
test-race:
	go test -count=1 -race ./internal/zuora
	go test -count=1 -race -run 'TestSyncInvoice_Split|Parts|TestSyncInvoice_CatalogRead|TestSyncInvoice_N6|TestDebitMemoSync_N6' ./activities

# The production-shape tier alone (also part of make test): the cluster
# tests in internal/itest against PostgreSQL, the Temporal server, its Web UI
# in headless chromium (screenshots in .state/artifacts).
test-cluster: $(TEMPORAL) $(CLUSTER_BINS) postgres build
	TEMPORAL_CLI=$(TEMPORAL) CONNECTOR_INTEGRATION=required CONNECTOR_CLUSTER_BIN=$(BIN) go test -count=1 -timeout 30m -v -run 'TestCluster' ./internal/itest

# Re-records the workflow histories the replay test (workflows/replay_test.go,
# part of `make test`) replays: run after a deliberate, version-guarded change
# of a workflow, or after merging branches that change workflows
# (docs/operations.md, "Deploying new worker code").
# Histories of earlier code stay (replay proves workflows begun by them still
# run); this records the current commit's beside them.
record-histories: $(TEMPORAL)
	TEMPORAL_CLI=$(TEMPORAL) CONNECTOR_INTEGRATION=required RECORD_HISTORIES=1 HISTORY_TAG=$$(git rev-parse --short HEAD) \
		go test -count=1 -timeout 20m -run 'TestRecordHistories|TestMigrationEndToEnd$$|TestPayments_EveryPaymentInNetSuiteOnceWithItsApplications|TestPaymentsIS_EveryPaymentOnceAppliedUnappliedAndUnassigned|TestRefunds_EveryRefundInNetSuiteOnceWithThePaymentUnapplied|TestRefundsIS_EveryRefundOnceThePaymentAppliedAsZuorasParts|TestNetSuitePayments_EachOnceInZuoraLoopPreventedBothWays|TestNetSuiteRefunds_OneZuoraRefundPerCreditMemoOnceLoopPrevented|TestNetSuitePaymentsIS_EachOnceWithPartsAndChangesFollowNetSuite|TestNetSuiteRefundsIS_FromTheUnappliedAmountOnce' ./internal/itest
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
