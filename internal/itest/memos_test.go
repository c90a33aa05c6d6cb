package itest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// syncDebitMemos runs the debit memo phase as a run would (its place in
// the run order is set with the run order): the selection activity, then one
// DebitMemoSyncWorkflow per selected memo under its workflow id.
func (e *Env) syncDebitMemos(ctx context.Context, s settings.Settings) map[string]workflows.DebitMemoSyncResult {
	e.T.Helper()
	sel, err := e.Acts.SelectDebitMemos(ctx, workflows.SelectInput{Settings: s, Limit: 1000})
	if err != nil {
		e.T.Fatalf("selecting debit memos: %v", err)
	}
	out := map[string]workflows.DebitMemoSyncResult{}
	for _, rec := range sel.Records {
		run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.DebitMemoWorkflowID(rec.ID), TaskQueue: e.TaskQueue},
			workflows.WorkflowDebitMemoSync, workflows.DebitMemoSyncInput{DebitMemoID: rec.ID, Settings: s})
		if err != nil {
			e.T.Fatalf("starting the sync of debit memo %s: %v", rec.Number, err)
		}
		var res workflows.DebitMemoSyncResult
		if err := run.Get(ctx, &res); err != nil {
			e.T.Fatalf("debit memo %s: %v", rec.Number, err)
		}
		out[rec.ID] = res
	}
	return out
}

// A generated Invoice Settlement tenant (reference §7): after the run and
// the debit memo phase, every Posted debit memo is in NetSuite once, as an
// invoice under its own external id whose total is the memo's amount to the
// cent, with one line per item and per tax item, Zuora showing Yes / Sync
// Complete / the NetSuite id; the memo whose tax code is not synced ends in
// Error with the reason; Drafts are left alone; a second pass makes nothing
// new.
func TestDebitMemos_GeneratedISTenantEachMemoInNetSuiteOnce(t *testing.T) {
	f, err := fixture.Generate("seed=16,accounts=4,invoices=4,items=1-3,tax=0.5,is=true,debitmemos=15")
	if err != nil {
		t.Fatal(err)
	}
	broken := ""
	for _, tx := range f.Zuora.Objects["DebitMemoTaxationItem"] {
		tx["salesTaxPayableAccountingCode"] = nil // this memo's tax code is not synced
		for _, it := range f.Zuora.Objects["DebitMemoItem"] {
			if it["id"] == tx["debitMemoItemId"] {
				broken = it["debitMemoId"].(string)
			}
		}
		break
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	run := e.RunSync(ctx, "is-run", s, workflows.PhaseCustomers, workflows.PhaseCatalog, workflows.PhaseInvoices)
	if run.Progress.Invoices.Synced != 4 {
		t.Fatalf("run: %+v", run.Progress)
	}
	results := e.syncDebitMemos(ctx, s)
	posted, synced := 0, ""
	for _, dmRec := range f.Zuora.Objects["DebitMemo"] {
		id := dmRec["id"].(string)
		dm, err := e.Zuora.GetDebitMemo(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if dm.Status != "Posted" {
			if _, ok := results[id]; ok || dm.TransferredToAccounting != "" {
				t.Errorf("draft %s was touched: %+v", dm.Number, dm)
			}
			continue
		}
		posted++
		res := results[id]
		if id == broken {
			if res.Outcome != workflows.OutcomeError || !strings.Contains(res.Reason, "has not been synced: it has no accounting code") ||
				dm.TransferredToAccounting != zuora.TransferError || !strings.HasPrefix(dm.IntegrationStatus, "Error: tax code") {
				t.Errorf("memo %s with an unsynced tax code: %+v, Zuora %q / %q", dm.Number, res, dm.TransferredToAccounting, dm.IntegrationStatus)
			}
			continue
		}
		synced = id
		if res.Outcome != workflows.OutcomeSynced || dm.TransferredToAccounting != zuora.TransferYes || dm.IntegrationStatus != zuora.StatusSyncComplete ||
			dm.IntegrationID != res.NetSuiteID || dm.SyncDate == "" {
			t.Errorf("memo %s: %+v, Zuora %+v", dm.Number, res, dm)
			continue
		}
		rows, err := e.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(netsuite.DebitMemoExternalID(id))+" ORDER BY id")
		if err != nil || len(rows) != 1 {
			t.Errorf("memo %s: %d NetSuite records by its external id (%v), want 1", dm.Number, len(rows), err)
			continue
		}
		inv, err := e.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, dm.IntegrationID)
		if err != nil {
			t.Fatal(err)
		}
		items, err := e.Zuora.ListDebitMemoItems(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		lines := 0
		for _, it := range items {
			lines += 1 + len(it.TaxItems)
		}
		if inv.Total == nil || !inv.Total.Equal(dm.Amount) || inv.Item == nil || len(inv.Item.Items) != lines || inv.TranID != dm.Number ||
			inv.Entity == nil || inv.Entity.ID == "" {
			t.Errorf("memo %s (%s, %d lines): NetSuite invoice %+v", dm.Number, dm.Amount, lines, inv)
		}
	}
	if posted != 14 || len(results) != 14 {
		t.Fatalf("%d Posted memos, %d synced or errored; want 14 and 14", posted, len(results))
	}
	// A second pass: only the errored memo is eligible again (Error is), and
	// it errs again; nothing is written twice.
	again := e.syncDebitMemos(ctx, s)
	if len(again) != 1 || again[broken].Outcome != workflows.OutcomeError {
		t.Fatalf("second pass: %+v", again)
	}
	if RecordingHistories() {
		SaveHistories(ctx, t, e.Temporal, workflows.DebitMemoWorkflowID(synced), "one-record")
	}
}

// syncCreditMemos runs the credit memo phase as a run would: the selection
// activity, then one CreditMemoSyncWorkflow per selected memo.
func (e *Env) syncCreditMemos(ctx context.Context, s settings.Settings) map[string]workflows.CreditMemoSyncResult {
	e.T.Helper()
	sel, err := e.Acts.SelectCreditMemos(ctx, workflows.SelectInput{Settings: s, Limit: 1000})
	if err != nil {
		e.T.Fatalf("selecting credit memos: %v", err)
	}
	out := map[string]workflows.CreditMemoSyncResult{}
	for _, rec := range sel.Records {
		run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.CreditMemoWorkflowID(rec.ID), TaskQueue: e.TaskQueue},
			workflows.WorkflowCreditMemoSync, workflows.CreditMemoSyncInput{CreditMemoID: rec.ID, Settings: s})
		if err != nil {
			e.T.Fatalf("starting the sync of credit memo %s: %v", rec.Number, err)
		}
		var res workflows.CreditMemoSyncResult
		if err := run.Get(ctx, &res); err != nil {
			e.T.Fatalf("credit memo %s: %v", rec.Number, err)
		}
		out[rec.ID] = res
	}
	return out
}

// A generated Invoice Settlement tenant with credit memos (reference §6),
// synced in the reference's order (invoices, debit memos, credit memos):
// every credit memo is in NetSuite once with its amount, applying to the
// synced NetSuite invoices what Zuora applies to the invoices and debit
// memos; an application made after the sync reaches NetSuite on the next
// pass, once; the migration's memo is marked Ignore and stays out.
func TestCreditMemos_GeneratedISTenantEachMemoInNetSuiteOnceWithApplications(t *testing.T) {
	f, err := fixture.Generate("seed=17,accounts=3,invoices=6,items=1-2,tax=0,is=true,debitmemos=4,creditmemos=8")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	if run := e.RunSync(ctx, "is-cm-run", s, workflows.PhaseCustomers, workflows.PhaseCatalog, workflows.PhaseInvoices); run.Progress.Invoices.Synced != 6 {
		t.Fatalf("run: %+v", run.Progress)
	}
	e.syncDebitMemos(ctx, s)
	first := e.syncCreditMemos(ctx, s)
	if len(first) != 9 {
		t.Fatalf("%d credit memos handled, want 8 and the migration's", len(first))
	}
	var target zuora.CreditMemo
	for id, res := range first {
		cm, err := e.Zuora.GetCreditMemo(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if cm.Origin == fixture.MigrationMemoOrigin {
			if res.Outcome != workflows.OutcomeIgnored || cm.TransferredToAccounting != "Ignore" {
				t.Errorf("the migration's memo: %+v, Zuora %q", res, cm.TransferredToAccounting)
			}
			rows, _ := e.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(netsuite.CreditMemoExternalID(id))+" ORDER BY id")
			if len(rows) != 0 {
				t.Errorf("the migration's memo is in NetSuite: %v", rows)
			}
			continue
		}
		if res.Outcome != workflows.OutcomeSynced || res.Applied != cm.AppliedAmount.StringFixed(2) {
			t.Errorf("memo %s: %+v (Zuora applies %s)", cm.Number, res, cm.AppliedAmount)
			continue
		}
		e.checkCreditMemo(ctx, *cm)
		if target.ID == "" && cm.Balance.GreaterThanOrEqual(decimal.NewFromInt(1)) {
			target = *cm
		}
	}
	if target.ID == "" {
		t.Fatal("no synced memo with an unapplied balance")
	}
	// Applied later in Zuora, to an open synced invoice of its account.
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, e.Zuora, "select Id, Balance, IntegrationId__NS from Invoice where AccountId = "+zuora.Quote(target.AccountID))
	if err != nil {
		t.Fatal(err)
	}
	var app zuora.CreditMemoApplication
	for _, inv := range invs {
		if inv.Balance.GreaterThanOrEqual(decimal.NewFromInt(1)) && len(app.Invoices) == 0 {
			app.Invoices = append(app.Invoices, struct {
				InvoiceID string          `json:"invoiceId"`
				Amount    decimal.Decimal `json:"amount"`
			}{inv.ID, decimal.NewFromInt(1)})
		}
	}
	if len(app.Invoices) == 0 {
		t.Fatal("no open invoice to apply to")
	}
	if err := e.Zuora.ApplyCreditMemo(ctx, target.ID, app); err != nil {
		t.Fatal(err)
	}
	second := e.syncCreditMemos(ctx, s)
	if len(second) != 1 || second[target.ID].Outcome != workflows.OutcomeSynced || second[target.ID].Mode != "applications" {
		t.Fatalf("after a later application: %+v", second)
	}
	cm, _ := e.Zuora.GetCreditMemo(ctx, target.ID)
	e.checkCreditMemo(ctx, *cm)
	if third := e.syncCreditMemos(ctx, s); len(third) != 0 {
		t.Fatalf("a further pass: %+v", third)
	}
	if RecordingHistories() {
		SaveHistories(ctx, t, e.Temporal, workflows.CreditMemoWorkflowID(target.ID), "applied-later")
	}
}

// checkCreditMemo: one NetSuite credit memo by external id, totalling the
// Zuora memo, applying to each document's NetSuite record Zuora's amount.
func (e *Env) checkCreditMemo(ctx context.Context, cm zuora.CreditMemo) {
	t := e.T
	t.Helper()
	rows, err := e.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(netsuite.CreditMemoExternalID(cm.ID))+" ORDER BY id")
	if err != nil || len(rows) != 1 || cm.TransferredToAccounting != "Yes" || cm.IntegrationStatus != zuora.StatusSyncComplete {
		t.Errorf("memo %s: %d NetSuite records (%v), Zuora %q / %q", cm.Number, len(rows), err, cm.TransferredToAccounting, cm.IntegrationStatus)
		return
	}
	tx, err := e.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, cm.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Total == nil || !tx.Total.Equal(cm.Amount) {
		t.Errorf("memo %s: NetSuite total %v, Zuora %s", cm.Number, tx.Total, cm.Amount)
	}
	parts, err := e.Zuora.ListCreditMemoParts(ctx, cm.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		doc := ""
		if p.InvoiceID != "" {
			var inv zuora.Invoice
			_ = e.Zuora.GetObject(ctx, zuora.ObjInvoice, p.InvoiceID, &inv)
			doc = inv.IntegrationID
		} else if dm, err := e.Zuora.GetDebitMemo(ctx, p.DebitMemoID); err == nil {
			doc = dm.IntegrationID
		}
		applied := decimal.Zero
		if tx.Apply != nil {
			for _, r := range tx.Apply.Items {
				if r.Apply && r.Doc != nil && r.Doc.ID == doc {
					applied = applied.Add(r.Amount)
				}
			}
		}
		if doc == "" || !applied.Equal(p.Amount) {
			t.Errorf("memo %s applies %s to NetSuite document %q; Zuora applies %s", cm.Number, applied, doc, p.Amount)
		}
	}
}
