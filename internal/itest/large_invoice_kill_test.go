package itest

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 13: the worker SIGKILLed twice while a 20,000-item invoice (about
// 30,000 lines with its taxes, over the 5,000-line ceiling) is being split,
// and while one is being summarized; afterwards every Zuora line is counted
// exactly once (CheckInvoiceInvariants: each part within the ceiling, lines
// and totals equal to Zuora's, no external id twice).
func TestInvoiceSync_WorkerKilledDuringSplitAndSummarize(t *testing.T) {
	for _, policy := range []string{settings.OverCeilingSplit, settings.OverCeilingSummarize} {
		t.Run(policy, func(t *testing.T) { killDuringLargeInvoice(t, policy) })
	}
}

func killDuringLargeInvoice(t *testing.T, policy string) {
	f, err := fixture.Generate("seed=21,accounts=1,invoices=0,large=20000,large-count=1,tax=0.5")
	if err != nil {
		t.Fatal(err)
	}
	// A summary is a few writes of few lines: slower NetSuite writes keep
	// the worker busy in them long enough to be killed there.
	latency := 20 * time.Millisecond
	if policy == settings.OverCeilingSummarize {
		latency = time.Second
	}
	e := New(t, f, Options{NoWorker: true, Configure: func(c *sandbox.Config) {
		c.NetSuiteFaults = sandbox.Faults{WriteLatency: sandbox.Duration(latency)}
	}})
	bins := Binaries(t)
	srv := DevServer(t)
	args := []string{"--temporal-address", srv.FrontendHostPort(), "--task-queue", e.TaskQueue, "--http-addr", FreeAddr(t),
		"--zuora-url", e.Sandbox.ZuoraURL(), "--netsuite-url", e.Sandbox.NetSuiteURL(), "--log-level", "warn"}
	w := StartProcess(t, bins+"/worker", args)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Invoice.OverCeiling = policy
	run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "itest-kill-large-" + policy, TaskQueue: e.TaskQueue},
		workflows.SyncRunWorkflow, workflows.SyncRunInput{Settings: s, Only: []string{workflows.PhaseInvoices}})
	if err != nil {
		t.Fatal(err)
	}
	eligible := eligibleInvoices(f, s)
	// Kill once the invoice is Processing (validated, NetSuite writes under
	// way) and again a moment after the restarted worker resumes.
	for kills, polls := 0, 0; kills < 2 && polls < 1200; polls++ {
		time.Sleep(100 * time.Millisecond)
		status := ""
		for _, inv := range e.Invoices(ctx) {
			status = inv.TransferredToAccounting
		}
		if status == zuora.TransferYes {
			t.Fatalf("the invoice synced before kill %d: the test killed nothing", kills+1)
		}
		if status == zuora.TransferProcessing {
			time.Sleep(time.Duration(300+700*kills) * time.Millisecond)
			t.Logf("killing the worker (%d) during the %s", kills+1, policy)
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
		t.Errorf("after the kills: synced %d of %d, errored %d, ignored %d", synced, len(eligible), errored, ignored)
	}
}
