package itest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Exactly once under the failures real tenants show: writes that commit but
// lose their answer, 5xx, 429, malformed bodies and NetSuite's spurious 401,
// on both APIs at once. Every NetSuite record exists once, with Zuora's lines
// and total.
func TestInvoiceSync_InjectedFaultsNeverDuplicateALedgerEntry(t *testing.T) {
	f, err := fixture.Generate("seed=11,accounts=12,invoices=120,items=1-20,large=2500,negative=0.15,tax=0.5,broken=3")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{Configure: func(c *sandbox.Config) {
		c.NetSuiteFaults = sandbox.Faults{Concurrency: 15, AmbiguousRate: 0.05, ErrorRate: 0.05, RateLimitRate: 0.03, MalformedRate: 0.03, SpuriousAuthRate: 0.02}
		c.ZuoraFaults = sandbox.Faults{AmbiguousRate: 0.03, ErrorRate: 0.03, RateLimitRate: 0.02, MalformedRate: 0.02}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := settings.Default()
	res := e.RunSync(ctx, "itest-faults", s, workflows.PhaseInvoices)
	injected := e.Sandbox.Stats("netsuite").Faults
	t.Logf("run %+v; NetSuite faults injected %v; Zuora faults %v", res.Progress.Invoices, injected, e.Sandbox.Stats("zuora").Faults)
	if injected["ambiguous"] == 0 || injected["serverError"] == 0 {
		t.Fatalf("the faults did not fire: %v", injected)
	}
	_ = e.Sandbox.SetFaults("netsuite", sandbox.Faults{})
	_ = e.Sandbox.SetFaults("zuora", sandbox.Faults{})
	synced, errored, _ := e.CheckInvoiceInvariants(ctx, eligibleInvoices(f, s))
	for _, re := range res.Errors {
		t.Logf("error: %s %s: %s", re.Type, re.ID, re.Reason)
	}
	if errored != 3 || synced != res.Progress.Invoices.Selected-3 {
		t.Errorf("want every clean invoice synced and the 3 broken ones in Error: synced %d, errored %d of %d", synced, errored, res.Progress.Invoices.Selected)
	}
}

// A worker process killed (SIGKILL) in the middle of a run, then restarted:
// the run finishes and nothing is created twice.
func TestInvoiceSync_WorkerKilledMidRunFinishesExactlyOnce(t *testing.T) {
	f, err := fixture.Generate("seed=12,accounts=10,invoices=150,items=1-20,large=2800,negative=0.1,tax=0.5")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{NoWorker: true, Configure: func(c *sandbox.Config) {
		c.NetSuiteFaults = sandbox.Faults{Concurrency: 15, WriteLatency: sandbox.Duration(30 * time.Millisecond)}
	}})
	bins := Binaries(t)
	srv := DevServer(t)
	httpAddr := FreeAddr(t)
	args := []string{"--temporal-address", srv.FrontendHostPort(), "--task-queue", e.TaskQueue, "--http-addr", httpAddr,
		"--zuora-url", e.Sandbox.ZuoraURL(), "--netsuite-url", e.Sandbox.NetSuiteURL(), "--log-level", "warn"}
	w := StartProcess(t, bins+"/worker", args)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := settings.Default()
	run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "itest-kill", TaskQueue: e.TaskQueue},
		workflows.SyncRunWorkflow, workflows.SyncRunInput{Settings: s, Only: []string{workflows.PhaseInvoices}})
	if err != nil {
		t.Fatal(err)
	}
	eligible := eligibleInvoices(f, s)
	for kills := 0; kills < 2; {
		time.Sleep(500 * time.Millisecond)
		yes := 0
		for _, inv := range e.Invoices(ctx) {
			if inv.TransferredToAccounting == zuora.TransferYes {
				yes++
			}
		}
		if yes >= len(eligible)*(kills+1)/3 {
			t.Logf("killing the worker with %d of %d invoices synced", yes, len(eligible))
			w.Kill()
			time.Sleep(300 * time.Millisecond)
			w = StartProcess(t, bins+"/worker", args)
			kills++
		}
		if w.Exited() {
			t.Fatalf("worker exited: %s", w.Output())
		}
	}
	var res workflows.SyncRunResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("run failed: %v\nworker output: %s", err, w.Output())
	}
	synced, errored, ignored := e.CheckInvoiceInvariants(ctx, eligible)
	if synced != len(eligible) || errored+ignored != 0 {
		t.Errorf("after two kills: synced %d of %d, errored %d, ignored %d", synced, len(eligible), errored, ignored)
	}
	checkWorkerMetrics(t, "http://"+httpAddr)
}

// checkWorkerMetrics: the worker's /healthz answers and /metrics carries the
// connector's series (records by outcome, API calls by endpoint and status,
// Temporal RPCs) and the SDK's own.
func checkWorkerMetrics(t *testing.T, base string) {
	t.Helper()
	resp, err := HTTPClient.Get(base + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("worker /healthz: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
	resp, err = HTTPClient.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("worker /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`connector_records_total{outcome="synced",type="invoice"}`,
		`connector_api_requests_total{api="netsuite"`,
		`connector_api_requests_total{api="zuora"`,
		`connector_api_request_duration_seconds_bucket{api="netsuite"`,
		`connector_temporal_rpcs_total{method=`,
		`temporal_activity_execution_latency`,
		`temporal_workflow_completed`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("worker /metrics lacks %s", want)
		}
	}
}

// Seed: "If you need to resync an Invoice, you must delete the NetSuite
// invoice and set the Zuora invoice's Transferred to Accounting to No."
func TestInvoiceSync_ResyncAfterNetSuiteDeleteAndTransferredSetToNo(t *testing.T) {
	f, err := fixture.Generate("seed=13,accounts=3,invoices=6,items=2-5,tax=0.5")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := settings.Default()
	e.RunSync(ctx, "itest-resync-1", s, workflows.PhaseInvoices)
	invs := e.Invoices(ctx)
	inv := invs[str(f.Zuora.Objects[zuora.ObjInvoice][0]["Id"])]
	if inv.TransferredToAccounting != zuora.TransferYes {
		t.Fatalf("first sync: %+v", inv)
	}
	recordType := netsuite.TypeInvoice
	if inv.Amount.IsNegative() {
		recordType = netsuite.TypeCreditMemo
	}
	if err := e.NetSuite.Delete(ctx, recordType, inv.IntegrationID); err != nil {
		t.Fatal(err)
	}
	// Without Transferred To Accounting = No nothing happens: a synced invoice is never re-selected.
	again := e.RunSync(ctx, "itest-resync-2", s, workflows.PhaseInvoices)
	if again.Progress.Invoices.Selected != 0 {
		t.Fatalf("a Yes invoice was selected again: %+v", again.Progress.Invoices)
	}
	no := zuora.TransferNo
	if err := e.Zuora.UpdateInvoice(ctx, inv.ID, zuora.InvoiceUpdate{TransferredToAccounting: &no}); err != nil {
		t.Fatal(err)
	}
	third := e.RunSync(ctx, "itest-resync-3", s, workflows.PhaseInvoices)
	if third.Progress.Invoices.Selected != 1 || third.Progress.Invoices.Synced != 1 {
		t.Fatalf("re-sync: %+v", third.Progress.Invoices)
	}
	after := e.Invoices(ctx)[inv.ID]
	if after.TransferredToAccounting != zuora.TransferYes || after.IntegrationID == inv.IntegrationID {
		t.Errorf("re-synced invoice: %+v (old NetSuite id %s)", after, inv.IntegrationID)
	}
	e.CheckInvoiceInvariants(ctx, eligibleInvoices(f, s))
}
