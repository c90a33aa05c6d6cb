package itest

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// T3: cancelling a run mid-way reached the invoice children and left them
// Processing and half-written. Now the run starts nothing new, the records
// in flight finish, and the run closes Canceled with its counts: no invoice
// is left Processing, every NetSuite record belongs to an invoice that is
// Yes (all its lines) or Error (with the reason), and the rest are untouched.
func TestSyncRun_CancelledMidwayLeavesNoInvoiceProcessingOrPartlyWritten(t *testing.T) {
	f, err := fixture.Generate("seed=31,accounts=6,invoices=80,items=1-20,large=1500,large-count=4,tax=0.3")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{Configure: func(c *sandbox.Config) {
		c.NetSuiteFaults = sandbox.Faults{WriteLatency: sandbox.Duration(40 * time.Millisecond)}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Run.Window = 6
	run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "itest-cancel", TaskQueue: e.TaskQueue},
		workflows.SyncRunWorkflow, workflows.SyncRunInput{Settings: s, Only: []string{workflows.PhaseInvoices}})
	if err != nil {
		t.Fatal(err)
	}
	eligible := eligibleInvoices(f, s)
	// Cancel once some invoices are done and others are being written.
	for {
		yes, processing := 0, 0
		for _, inv := range e.Invoices(ctx) {
			switch inv.TransferredToAccounting {
			case zuora.TransferYes:
				yes++
			case zuora.TransferProcessing:
				processing++
			}
		}
		if yes >= len(eligible)/5 && processing > 0 {
			t.Logf("cancelling with %d of %d synced, %d Processing", yes, len(eligible), processing)
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the run never got a fifth of the way")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := e.Temporal.CancelWorkflow(ctx, run.GetID(), ""); err != nil {
		t.Fatal(err)
	}
	err = run.Get(ctx, nil)
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("the run closed with %v, want Canceled", err)
	}
	var res workflows.SyncRunResult
	if !canceled.HasDetails() || canceled.Details(&res) != nil || res.Progress.Invoices.Selected == 0 {
		t.Fatalf("the cancelled run carries no counts: %v", err)
	}
	if c := res.Progress.Invoices; c.Done() != c.Selected {
		t.Errorf("the run closed with records unaccounted: %+v", c)
	}

	invs := e.Invoices(ctx)
	touched := map[string]bool{}
	untouched := 0
	for id := range eligible {
		if invs[id].TransferredToAccounting == zuora.TransferNo || invs[id].TransferredToAccounting == "" {
			untouched++
			continue
		}
		touched[id] = true
	}
	synced, errored, ignored := e.CheckInvoiceInvariants(ctx, touched) // fails on Processing or a partial record marked Yes
	for ext := range e.Transactions(ctx) {
		found := false
		for id := range touched {
			if netsuite.InvoiceExternalID(id) == ext {
				found = true
			}
		}
		if !found {
			t.Errorf("NetSuite record %s belongs to an invoice the cancelled run left untouched", ext)
		}
	}
	if untouched == 0 {
		t.Errorf("the run was not cancelled mid-way: every invoice was synced")
	}
	if synced+errored+ignored != res.Progress.Invoices.Selected {
		t.Errorf("the run counted %d records, Zuora shows %d finished", res.Progress.Invoices.Selected, synced+errored+ignored)
	}
	t.Logf("cancelled run: %+v; Zuora: %d synced, %d error, %d ignored, %d untouched", res.Progress.Invoices, synced, errored, ignored, untouched)
}
