package itest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

func TestMain(m *testing.M) {
	code := m.Run()
	StopDevServer()
	os.Exit(code)
}

// eligibleInvoices lists the invoices the seed's selection criteria pick,
// computed from the fixture independently of the connector's own code.
func eligibleInvoices(f *fixture.Fixture, s settings.Settings) map[string]bool {
	accounts := map[string]fixture.Record{}
	for _, a := range f.Zuora.Objects[zuora.ObjAccount] {
		accounts[a["Id"].(string)] = a
	}
	out := map[string]bool{}
	for _, inv := range f.Zuora.Objects[zuora.ObjInvoice] {
		acct := accounts[str(inv["AccountId"])]
		sync := str(acct["SynctoNetSuite__NS"])
		transfer := str(inv["TransferredToAccounting"])
		date := str(inv["InvoiceDate"])
		if (sync == "" || sync == "Yes") && str(inv["Status"]) == "Posted" &&
			(transfer == "" || transfer == "No" || transfer == "Error" || transfer == "Processing") &&
			(s.Advanced.InvoiceCutoverDate == "" || date >= s.Advanced.InvoiceCutoverDate) {
			out[str(inv["Id"])] = true
		}
	}
	return out
}

// The acceptance test: a generated tenant of 500 invoices, one of
// 20,000 items, synced on the dev server; every eligible invoice is in
// NetSuite exactly once with Zuora's total to the cent, or Error with a
// reason, or Ignore; none left Processing; no history past 10,240 events.
func TestInvoiceSync_GeneratedTenantEndToEnd(t *testing.T) {
	f, err := fixture.Generate("seed=3,accounts=40,invoices=500,items=1-30,large=20000,large-count=1,negative=0.1,tax=0.5,broken=12")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Run.Window = 20
	// Issue 13: the 20,000-item invoice (~30,000 lines with its taxes, over
	// NetSuite's 5,000-line ceiling, real-api-gaps N1) is split into parts.
	s.Invoice.OverCeiling = settings.OverCeilingSplit
	start := time.Now()
	res := e.RunSync(ctx, "itest-generated-run", s, workflows.PhaseInvoices)

	eligible := eligibleInvoices(f, s)
	synced, errored, ignored := e.CheckInvoiceInvariants(ctx, eligible)
	t.Logf("eligible %d: synced %d, error %d, ignored %d in %s; run result %+v", len(eligible), synced, errored, ignored,
		time.Since(start).Round(time.Second), res.Progress.Invoices)
	if res.Progress.Invoices.Selected != len(eligible) {
		t.Errorf("run selected %d invoices, the seed's criteria select %d", res.Progress.Invoices.Selected, len(eligible))
	}
	if errored != 12 || res.Progress.Invoices.Errored != 12 {
		t.Errorf("want the 12 broken invoices in Error, got %d in Zuora and %d in the run", errored, res.Progress.Invoices.Errored)
	}
	// The 20,000-item invoice is synced in parts within the ceiling
	// (CheckInvoiceInvariants checks each part, the lines and the total).
	if ignored != 0 || res.Progress.Invoices.Ignored != 0 {
		t.Errorf("want no invoice Ignore under overCeiling=split, got %d in Zuora and %d in the run", ignored, res.Progress.Invoices.Ignored)
	}
	if synced != len(eligible)-12 {
		t.Errorf("synced %d of %d clean invoices", synced, len(eligible)-12)
	}
	if n, id := e.MaxHistoryLength(ctx, start); n > 10240 {
		t.Errorf("workflow %s has %d history events (limit 10,240)", id, n)
	}

	// A synced invoice is never selected again: a second run finds only the
	// errored ones, which stay Error with their reasons.
	again := e.RunSync(ctx, "itest-generated-run-2", s, workflows.PhaseInvoices)
	if again.Progress.Invoices.Synced != 0 || again.Progress.Invoices.Selected != 12 {
		t.Errorf("second run: %+v, want only the 12 errored invoices re-tried", again.Progress.Invoices)
	}
	e.CheckInvoiceInvariants(ctx, eligible)
}

// Issue 13, summarize on the dev server and the real ceiling: a 6,000-item
// invoice with taxes (over 5,000 lines) becomes one NetSuite invoice of
// summarized lines within the ceiling, totalling Zuora's amount to the cent;
// the small invoices beside it sync unsummarized.
func TestInvoiceSync_OverCeilingSummarized(t *testing.T) {
	f, err := fixture.Generate("seed=13,accounts=3,invoices=6,items=1-5,large=6000,large-count=1,tax=0.5")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Invoice.OverCeiling = settings.OverCeilingSummarize
	res := e.RunSync(ctx, "itest-summarize-run", s, workflows.PhaseInvoices)
	eligible := eligibleInvoices(f, s)
	synced, errored, ignored := e.CheckInvoiceInvariants(ctx, eligible)
	if synced != len(eligible) || errored != 0 || ignored != 0 {
		t.Errorf("eligible %d: synced %d, error %d, ignored %d; run %+v", len(eligible), synced, errored, ignored, res.Progress.Invoices)
	}
}
