package itest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// adjustments reads every Zuora invoice item adjustment through ZOQL.
func (e *Env) adjustments(ctx context.Context) map[string]zuora.InvoiceItemAdjustment {
	e.T.Helper()
	recs, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, e.Zuora,
		"select Id, AdjustmentNumber, AccountId, InvoiceId, InvoiceNumber, Type, Status, Amount, AdjustmentDate, TransferredToAccounting, "+
			"IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS from InvoiceItemAdjustment")
	if err != nil {
		e.T.Fatalf("reading invoice item adjustments: %v", err)
	}
	out := make(map[string]zuora.InvoiceItemAdjustment, len(recs))
	for _, r := range recs {
		out[r.ID] = r
	}
	return out
}

func (e *Env) amountRemaining(ctx context.Context, recordType, id string) decimal.Decimal {
	e.T.Helper()
	var rec map[string]any
	if err := e.NetSuite.Get(ctx, recordType, id, false, &rec); err != nil {
		e.T.Fatalf("reading NetSuite %s %s: %v", recordType, id, err)
	}
	d, err := decimal.NewFromString(fmt.Sprint(rec["amountRemaining"]))
	if err != nil {
		e.T.Fatalf("NetSuite %s %s amountRemaining %v: %v", recordType, id, rec["amountRemaining"], err)
	}
	return d
}

// appliedRows sums a credit memo's applied rows by document.
func (e *Env) appliedRows(ctx context.Context, cmID string) map[string]decimal.Decimal {
	e.T.Helper()
	cm, err := e.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, cmID)
	if err != nil {
		e.T.Fatalf("reading NetSuite credit memo %s: %v", cmID, err)
	}
	out := map[string]decimal.Decimal{}
	if cm.Apply != nil {
		for _, ap := range cm.Apply.Items {
			if ap.Apply && ap.Doc != nil {
				out[ap.Doc.ID] = out[ap.Doc.ID].Add(ap.Amount)
			}
		}
	}
	return out
}

// checkSyncedAdjustment asserts the seed's outcome for one synced
// adjustment: Zuora shows Yes / Sync Complete / the NetSuite id / a sync
// date; NetSuite holds exactly one record with the adjustment's external id,
// of the type its Type says, totalling its amount; and it relates to the
// original invoice's NetSuite record as rules 4 and 5 say. It returns the
// NetSuite record.
func (e *Env) checkSyncedAdjustment(ctx context.Context, adj zuora.InvoiceItemAdjustment, orig zuora.Invoice, txns map[string][]NSTransaction) (NSTransaction, bool) {
	t := e.T
	t.Helper()
	name := fmt.Sprintf("%s (%s %s of %s %s)", adj.AdjustmentNumber, adj.Type, adj.Amount.StringFixed(2), orig.InvoiceNumber, orig.Amount.StringFixed(2))
	if adj.TransferredToAccounting != zuora.TransferYes || adj.IntegrationStatus != zuora.StatusSyncComplete || adj.SyncDate == "" {
		t.Errorf("%s: Zuora shows %q / %q / sync date %q, want Yes / Sync Complete / a date", name, adj.TransferredToAccounting, adj.IntegrationStatus, adj.SyncDate)
		return NSTransaction{}, false
	}
	got := txns[netsuite.AdjustmentExternalID(adj.ID)]
	if len(got) != 1 {
		t.Errorf("%s: %d NetSuite records with external id %s, want exactly 1", name, len(got), netsuite.AdjustmentExternalID(adj.ID))
		return NSTransaction{}, false
	}
	tx := got[0]
	credit := adj.Type == "Credit"
	wantType := map[bool]string{true: "CustCred", false: "CustInvc"}[credit]
	if tx.Type != wantType || tx.ID != adj.IntegrationID || !tx.Total.Equal(adj.Amount.Abs()) || tx.Lines != 1 {
		t.Errorf("%s: NetSuite %s %s total %s with %d lines (Zuora says id %s), want a %s of %s with one line", name, tx.Type, tx.ID, tx.Total, tx.Lines, adj.IntegrationID, wantType, adj.Amount.Abs())
	}
	negative := orig.Amount.IsNegative()
	switch {
	case credit && !negative:
		// Rule 4: applied to the original's NetSuite invoice.
		applied := e.appliedRows(ctx, tx.ID)
		if len(applied) != 1 || !applied[orig.IntegrationID].Equal(adj.Amount.Abs()) {
			t.Errorf("%s: credit memo %s applies %v, want %s to NetSuite invoice %s", name, tx.ID, applied, adj.Amount.Abs(), orig.IntegrationID)
		}
	case credit:
		if applied := e.appliedRows(ctx, tx.ID); len(applied) != 0 {
			t.Errorf("%s: a credit memo on a negative invoice stands alone, but applies %v", name, applied)
		}
	case !negative:
		// Rule 5, positive original: the soft link.
		inv, err := e.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, tx.ID)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if inv.RelatedTransaction == nil || inv.RelatedTransaction.ID != orig.IntegrationID {
			t.Errorf("%s: Related Transaction %+v, want NetSuite invoice %s", name, inv.RelatedTransaction, orig.IntegrationID)
		}
	default:
		// Rule 5, negative original: its credit memo applied to the new invoice.
		if applied := e.appliedRows(ctx, orig.IntegrationID)[tx.ID]; !applied.Equal(adj.Amount.Abs()) {
			t.Errorf("%s: credit memo %s applies %s to the new invoice %s, want %s", name, orig.IntegrationID, applied, tx.ID, adj.Amount.Abs())
		}
		if r := e.amountRemaining(ctx, netsuite.TypeInvoice, tx.ID); !r.IsZero() {
			t.Errorf("%s: the new invoice %s has %s remaining, want 0.00 (paid by the credit memo)", name, tx.ID, r)
		}
	}
	return tx, true
}

// The demo tenant's adjustment cases (fixture.DemoCases rows with an
// AdjustmentID), after a full sync of invoices then adjustments with
// docs/demo-settings.json: each ends as its seed rule says, in Zuora, in
// NetSuite and in the run's result; a second run makes nothing new.
func TestAdjustments_DemoTenantEveryAdjustmentCaseEndsAsTheSeedSays(t *testing.T) {
	f := fixture.Demo()
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := demoSettings(t)
	if s.Advanced.IIACutoverDate != fixture.DemoIIACutover {
		t.Fatalf("docs/demo-settings.json iiaCutoverDate %q, the demo's cases expect %q", s.Advanced.IIACutoverDate, fixture.DemoIIACutover)
	}
	before := e.adjustments(ctx)
	res := e.RunSync(ctx, "itest-iia-demo", s, workflows.PhaseInvoices, workflows.PhaseAdjustments)
	t.Logf("invoices %+v adjustments %+v", res.Progress.Invoices, res.Progress.Adjustments)

	adjs := e.adjustments(ctx)
	invoices := e.Invoices(ctx)
	txns := e.Transactions(ctx)
	runErrors := map[string]string{}
	for _, re := range res.Errors {
		if re.Type == workflows.RecordAdjustment {
			runErrors[re.ID] = re.Reason
		}
	}
	var yes, errs, cases int
	for _, c := range fixture.DemoCases {
		if c.AdjustmentID == "" {
			continue
		}
		cases++
		adj, ok := adjs[c.AdjustmentID]
		if !ok {
			t.Errorf("%s: adjustment %s missing from Zuora", c.Rule, c.AdjustmentID)
			continue
		}
		ns := txns[netsuite.AdjustmentExternalID(c.AdjustmentID)]
		switch c.Expect {
		case fixture.ExpectYes:
			yes++
			tx, ok := e.checkSyncedAdjustment(ctx, adj, invoices[c.InvoiceID], txns)
			if ok {
				t.Logf("%s %s -> NetSuite %s %s (%s)", adj.AdjustmentNumber, c.Rule, tx.Type, tx.ID, c.Reason)
			}
		case fixture.ExpectError:
			errs++
			if adj.TransferredToAccounting != zuora.TransferError || !strings.HasPrefix(adj.IntegrationStatus, "Error: ") ||
				!strings.Contains(adj.IntegrationStatus, "has not been synced to NetSuite") {
				t.Errorf("%s (%s): Zuora shows %q / %q, want Error with the reason", adj.AdjustmentNumber, c.Rule, adj.TransferredToAccounting, adj.IntegrationStatus)
			}
			if r := runErrors[c.AdjustmentID]; !strings.Contains(r, c.InvoiceNumber+" has not been synced to NetSuite") {
				t.Errorf("%s (%s): the run's result says %q, want the reason naming invoice %s", adj.AdjustmentNumber, c.Rule, r, c.InvoiceNumber)
			}
			if len(ns) != 0 {
				t.Errorf("%s (%s): NetSuite holds %d records for an adjustment that failed validation", adj.AdjustmentNumber, c.Rule, len(ns))
			}
		case fixture.ExpectNotSelected:
			b := before[c.AdjustmentID]
			if adj.TransferredToAccounting != b.TransferredToAccounting || adj.IntegrationStatus != b.IntegrationStatus || len(ns) != 0 {
				t.Errorf("%s (%s): not selected, yet Zuora shows %q / %q (was %q) and NetSuite %d records", adj.AdjustmentNumber, c.Rule,
					adj.TransferredToAccounting, adj.IntegrationStatus, b.TransferredToAccounting, len(ns))
			}
			if _, listed := runErrors[c.AdjustmentID]; listed {
				t.Errorf("%s (%s): not selected, yet in the run's errors", adj.AdjustmentNumber, c.Rule)
			}
		default:
			t.Errorf("%s: unexpected Expect %q for an adjustment", c.Rule, c.Expect)
		}
	}
	if cases == 0 {
		t.Fatal("the demo has no adjustment cases")
	}
	if got := res.Progress.Adjustments; got.Selected != yes+errs || got.Synced != yes || got.Errored != errs {
		t.Errorf("run counts %+v, want %d selected, %d synced, %d errored", got, yes+errs, yes, errs)
	}
	// The Charge on a positive invoice has no accounting impact on the
	// original: INV-D001's NetSuite invoice is lowered by the applied Credit only.
	for _, c := range fixture.DemoCases {
		if c.AdjustmentID == "" || c.Expect != fixture.ExpectYes || invoices[c.InvoiceID].Amount.IsNegative() {
			continue
		}
		orig := invoices[c.InvoiceID]
		want := orig.Amount
		for _, a := range adjs {
			if a.InvoiceID == orig.ID && a.Type == "Credit" && a.TransferredToAccounting == zuora.TransferYes {
				want = want.Sub(a.Amount)
			}
		}
		if r := e.amountRemaining(ctx, netsuite.TypeInvoice, orig.IntegrationID); !r.Equal(want) {
			t.Errorf("%s's NetSuite invoice %s has %s remaining, want %s (total less applied credits only)", orig.InvoiceNumber, orig.IntegrationID, r, want)
		}
		break
	}

	// A second run creates nothing: synced adjustments are Yes, the Error one fails again.
	count := len(e.Transactions(ctx))
	res2 := e.RunSync(ctx, "itest-iia-demo-2", s, workflows.PhaseInvoices, workflows.PhaseAdjustments)
	if res2.Progress.Adjustments.Synced != 0 || res2.Progress.Adjustments.Errored != errs {
		t.Errorf("second run adjustments %+v, want nothing synced and the %d Error ones again", res2.Progress.Adjustments, errs)
	}
	if n := len(e.Transactions(ctx)); n != count {
		t.Errorf("second run: NetSuite external ids %d -> %d", count, n)
	}
}

// A generated tenant with adjustments of both types on positive and negative
// invoices, with faults on both APIs (lost answers to committed writes
// included): every adjustment syncs exactly once, and a second run creates nothing.
func TestAdjustments_GeneratedTenantBothTypesBothSignsExactlyOnce(t *testing.T) {
	f, err := fixture.Generate("seed=21,accounts=8,invoices=60,items=1-4,negative=0.3,tax=0.3,adjustments=40")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{Configure: func(c *sandbox.Config) {
		c.NetSuiteFaults = sandbox.Faults{Concurrency: 15, AmbiguousRate: 0.05, ErrorRate: 0.05, RateLimitRate: 0.03}
		c.ZuoraFaults = sandbox.Faults{AmbiguousRate: 0.03, ErrorRate: 0.03}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := settings.Default()
	res := e.RunSync(ctx, "itest-iia-gen", s, workflows.PhaseInvoices, workflows.PhaseAdjustments)
	t.Logf("invoices %+v adjustments %+v; NetSuite faults %v", res.Progress.Invoices, res.Progress.Adjustments, e.Sandbox.Stats("netsuite").Faults)
	for _, re := range res.Errors {
		t.Logf("error: %s %s %s: %s", re.Type, re.ID, re.Number, re.Reason)
	}
	if inj := e.Sandbox.Stats("netsuite").Faults; inj["ambiguous"] == 0 {
		t.Errorf("no ambiguous NetSuite fault fired: %v", inj)
	}
	_ = e.Sandbox.SetFaults("netsuite", sandbox.Faults{})
	_ = e.Sandbox.SetFaults("zuora", sandbox.Faults{})

	adjs := e.adjustments(ctx)
	invoices := e.Invoices(ctx)
	txns := e.Transactions(ctx)
	kinds := map[string]int{}
	for _, adj := range adjs {
		orig := invoices[adj.InvoiceID]
		sign := "positive"
		if orig.Amount.IsNegative() {
			sign = "negative"
		}
		kinds[adj.Type+" on "+sign]++
		e.checkSyncedAdjustment(ctx, adj, orig, txns)
	}
	t.Logf("adjustments by kind: %v", kinds)
	for _, k := range []string{"Credit on positive", "Charge on positive", "Credit on negative", "Charge on negative"} {
		if kinds[k] == 0 {
			t.Errorf("the tenant has no %s adjustment", k)
		}
	}
	if got := res.Progress.Adjustments; got.Synced != len(adjs) || got.Errored != 0 {
		t.Errorf("run counts %+v, want all %d adjustments synced", got, len(adjs))
	}

	// The reconciliation (an independent reader of both systems) agrees:
	// every adjustment matched, applied amounts and account totals to the cent.
	rec := e.Reconcile(ctx, "itest-iia-gen-reconcile", workflows.ReconcileInput{From: "2000-01-01", To: "2099-12-31", Settings: s})
	if !rec.Clean() || rec.Counts.Adjustments != len(adjs) {
		t.Errorf("reconciliation after the adjustment sync: %+v, differences %+v", rec.Counts, rec.Differences)
	}

	count := len(e.Transactions(ctx))
	res2 := e.RunSync(ctx, "itest-iia-gen-2", s, workflows.PhaseInvoices, workflows.PhaseAdjustments)
	if res2.Progress.Adjustments.Selected != 0 || res2.Progress.Invoices.Selected != 0 {
		t.Errorf("second run selected %+v invoices and %+v adjustments, want none", res2.Progress.Invoices, res2.Progress.Adjustments)
	}
	if n := len(e.Transactions(ctx)); n != count {
		t.Errorf("second run: NetSuite external ids %d -> %d", count, n)
	}
}

// A worker process killed (SIGKILL) while adjustments are being written,
// then restarted: the run finishes and every adjustment is in NetSuite once.
func TestAdjustments_WorkerKilledMidRunFinishesExactlyOnce(t *testing.T) {
	f, err := fixture.Generate("seed=22,accounts=6,invoices=40,items=1-3,negative=0.3,tax=0.3,adjustments=80")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{NoWorker: true, Configure: func(c *sandbox.Config) {
		c.NetSuiteFaults = sandbox.Faults{Concurrency: 15, WriteLatency: sandbox.Duration(40 * time.Millisecond)}
	}})
	bins := Binaries(t)
	srv := DevServer(t)
	args := []string{"--temporal-address", srv.FrontendHostPort(), "--task-queue", e.TaskQueue, "--http-addr", FreeAddr(t),
		"--zuora-url", e.Sandbox.ZuoraURL(), "--netsuite-url", e.Sandbox.NetSuiteURL(), "--log-level", "warn"}
	w := StartProcess(t, bins+"/worker", args)
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	s := settings.Default()
	e.RunSync(ctx, "itest-iia-kill-invoices", s, workflows.PhaseInvoices)

	run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "itest-iia-kill", TaskQueue: e.TaskQueue},
		workflows.SyncRunWorkflow, workflows.SyncRunInput{Settings: s, Only: []string{workflows.PhaseAdjustments}})
	if err != nil {
		t.Fatal(err)
	}
	for {
		time.Sleep(200 * time.Millisecond)
		yes := 0
		for _, a := range e.adjustments(ctx) {
			if a.TransferredToAccounting == zuora.TransferYes {
				yes++
			}
		}
		if yes >= 20 {
			t.Logf("killing the worker with %d of 80 adjustments synced", yes)
			w.Kill()
			time.Sleep(300 * time.Millisecond)
			w = StartProcess(t, bins+"/worker", args)
			break
		}
		if w.Exited() {
			t.Fatalf("worker exited: %s", w.Output())
		}
	}
	var res workflows.SyncRunResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatalf("run failed: %v\nworker output: %s", err, w.Output())
	}
	t.Logf("adjustments %+v", res.Progress.Adjustments)
	adjs := e.adjustments(ctx)
	invoices := e.Invoices(ctx)
	txns := e.Transactions(ctx)
	for _, adj := range adjs {
		e.checkSyncedAdjustment(ctx, adj, invoices[adj.InvoiceID], txns)
	}
	if len(adjs) != 80 {
		t.Errorf("%d adjustments in Zuora, want 80", len(adjs))
	}
}
