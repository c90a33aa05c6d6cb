package activities_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// syncCreditMemo runs a credit memo's steps as CreditMemoSyncWorkflow does.
func syncCreditMemo(t *testing.T, a *activities.Activities, id string, s settings.Settings) workflows.CreditMemoSyncResult {
	t.Helper()
	ctx := context.Background()
	plan, err := a.PrepareCreditMemo(ctx, workflows.CreditMemoSyncInput{CreditMemoID: id, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Outcome != "" {
		return workflows.CreditMemoSyncResult{CreditMemoID: id, Mode: plan.Mode, Outcome: plan.Outcome, Reason: plan.Reason}
	}
	step := workflows.CreditMemoStepInput{Settings: s, Plan: plan, NetSuiteID: plan.NetSuiteID}
	if err := a.MarkCreditMemoProcessing(ctx, step); err != nil {
		t.Fatal(err)
	}
	if step.NetSuiteID, err = a.WriteCreditMemo(ctx, step); err != nil {
		t.Fatal(err)
	}
	res, err := a.CompleteCreditMemo(ctx, step)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func selectAndSyncCreditMemos(t *testing.T, a *activities.Activities, s settings.Settings) map[string]workflows.CreditMemoSyncResult {
	t.Helper()
	sel, err := a.SelectCreditMemos(context.Background(), workflows.SelectInput{Settings: s, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]workflows.CreditMemoSyncResult{}
	for _, rec := range sel.Records {
		out[rec.ID] = syncCreditMemo(t, a, rec.ID, s)
	}
	return out
}

// Reference §6 on the sandbox's wire, in the order a tenant meets it:
//  1. before invoices and debit memos are in NetSuite, a memo applied to
//     one ends Error naming the document; an unapplied memo syncs; the
//     migration's memo is marked Ignore with the reason and never synced;
//  2. once the documents are synced, the errored memos sync, each NetSuite
//     credit memo applying to each NetSuite document what Zuora applies;
//  3. an application made in Zuora after the sync is added to the NetSuite
//     credit memo on the next pass, once; a further pass selects nothing.
func TestCreditMemoSync_ApplicationsToSyncedDocumentsIncludingLaterOnes(t *testing.T) {
	a, _ := sandboxTenant(t, generated(t, "seed=7,accounts=3,invoices=6,items=1-2,tax=0,is=true,debitmemos=3,creditmemos=8"))
	ctx := context.Background()
	s := isSettings()

	first := selectAndSyncCreditMemos(t, a, s)
	all, err := a.Zuora.ListCreditMemos(ctx, "")
	if err != nil || len(all) != 9 {
		t.Fatalf("%d credit memos (%v), want 8 and the migration's", len(all), err)
	}
	var migration zuora.CreditMemo
	errored := 0
	for _, cm := range all {
		res := first[cm.ID]
		switch {
		case cm.Origin == "Invoice Settlement migration":
			migration = cm
			if res.Outcome != workflows.OutcomeIgnored || !strings.Contains(res.Reason, "made by the Invoice Settlement migration") {
				t.Errorf("migration memo: %+v", res)
			}
		case cm.AppliedAmount.IsPositive():
			errored++
			if res.Outcome != workflows.OutcomeError || !strings.Contains(res.Reason, "which is not in NetSuite yet; the next run completes it") {
				t.Errorf("memo %s applied before its documents are synced: %+v", cm.Number, res)
			}
		default:
			if res.Outcome != workflows.OutcomeSynced {
				t.Errorf("unapplied memo %s: %+v", cm.Number, res)
			}
		}
	}
	if errored == 0 {
		t.Fatal("the generated tenant has no applied credit memo")
	}
	got, _ := a.Zuora.GetCreditMemo(ctx, migration.ID)
	if got.TransferredToAccounting != "Ignore" || !strings.HasPrefix(got.IntegrationStatus, "Ignore: made by the Invoice Settlement migration") {
		t.Fatalf("migration memo in Zuora: %q / %q", got.TransferredToAccounting, got.IntegrationStatus)
	}

	// The documents reach NetSuite (the invoice and debit memo phases).
	sel, err := a.SelectInvoices(ctx, workflows.SelectInput{Settings: s, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range sel.Records {
		state := workflows.InvoiceSyncState{}
		for {
			step, err := a.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: rec.ID, Settings: s, State: state})
			if err != nil {
				t.Fatal(err)
			}
			if state = step.State; step.Outcome != "" {
				break
			}
		}
	}
	dms, _ := a.SelectDebitMemos(ctx, workflows.SelectInput{Settings: s, Limit: 100})
	for _, rec := range dms.Records {
		syncDebitMemo(t, a, rec.ID, s)
	}

	second := selectAndSyncCreditMemos(t, a, s)
	if len(second) != errored {
		t.Fatalf("second pass synced %d memos, want the %d errored ones", len(second), errored)
	}
	for id, res := range second {
		if res.Outcome != workflows.OutcomeSynced {
			t.Fatalf("memo %s on the second pass: %+v", id, res)
		}
		checkCreditMemoInNetSuite(t, a, id)
	}

	// A later application in Zuora of a synced memo with room left.
	var later zuora.CreditMemo
	var inv zuora.Invoice
	for _, cm := range all {
		c, _ := a.Zuora.GetCreditMemo(ctx, cm.ID)
		if c.TransferredToAccounting != "Yes" || c.Balance.LessThan(decimal.NewFromInt(1)) {
			continue
		}
		invs, _ := zuora.QueryAll[zuora.Invoice](ctx, a.Zuora, "select Id, InvoiceNumber, AccountId, Balance, IntegrationId__NS from Invoice where AccountId = "+zuora.Quote(c.AccountID))
		for _, i := range invs {
			if i.Balance.GreaterThanOrEqual(decimal.NewFromInt(1)) && i.IntegrationID != "" {
				later, inv = *c, i
			}
		}
	}
	if later.ID == "" {
		t.Fatal("no synced memo with room left and an open synced invoice of its account")
	}
	var app zuora.CreditMemoApplication
	app.Invoices = append(app.Invoices, struct {
		InvoiceID string          `json:"invoiceId"`
		Amount    decimal.Decimal `json:"amount"`
	}{inv.ID, decimal.NewFromInt(1)})
	if err := a.Zuora.ApplyCreditMemo(ctx, later.ID, app); err != nil {
		t.Fatal(err)
	}
	third := selectAndSyncCreditMemos(t, a, s)
	if len(third) != 1 || third[later.ID].Outcome != workflows.OutcomeSynced || third[later.ID].Mode != "applications" {
		t.Fatalf("after a later application: %+v, want memo %s's applications synced", third, later.Number)
	}
	checkCreditMemoInNetSuite(t, a, later.ID)
	if fourth := selectAndSyncCreditMemos(t, a, s); len(fourth) != 0 {
		t.Fatalf("a further pass: %+v, want nothing", fourth)
	}
}

// checkCreditMemoInNetSuite: Zuora shows Yes / Sync Complete / the NetSuite
// id; NetSuite holds one credit memo by the memo's external id, totalling
// the memo, applying to each document's NetSuite record what Zuora applies.
func checkCreditMemoInNetSuite(t *testing.T, a *activities.Activities, id string) {
	t.Helper()
	ctx := context.Background()
	cm, err := a.Zuora.GetCreditMemo(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if cm.TransferredToAccounting != "Yes" || cm.IntegrationStatus != zuora.StatusSyncComplete || cm.IntegrationID == "" {
		t.Fatalf("memo %s in Zuora: %+v", cm.Number, cm)
	}
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(netsuite.CreditMemoExternalID(id))+" ORDER BY id")
	if err != nil || len(rows) != 1 {
		t.Fatalf("memo %s: %d NetSuite records by its external id (%v)", cm.Number, len(rows), err)
	}
	tx, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, cm.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Total == nil || !tx.Total.Equal(cm.Amount) {
		t.Fatalf("memo %s: NetSuite total %v, Zuora %s", cm.Number, tx.Total, cm.Amount)
	}
	parts, err := a.Zuora.ListCreditMemoParts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		var doc string
		if p.InvoiceID != "" {
			var inv zuora.Invoice
			_ = a.Zuora.GetObject(ctx, zuora.ObjInvoice, p.InvoiceID, &inv)
			doc = inv.IntegrationID
		} else {
			dm, _ := a.Zuora.GetDebitMemo(ctx, p.DebitMemoID)
			doc = dm.IntegrationID
		}
		applied := decimal.Zero
		for _, r := range tx.Apply.Items {
			if r.Apply && r.Doc != nil && r.Doc.ID == doc {
				applied = applied.Add(r.Amount)
			}
		}
		if doc == "" || !applied.Equal(p.Amount) {
			t.Fatalf("memo %s applies %s to NetSuite document %q, Zuora applies %s", cm.Number, applied, doc, p.Amount)
		}
	}
}

// Exactly once across a crash between the NetSuite write and the Zuora
// write-back: the memo is left Processing / Creating Credit Memo, the next
// attempt finds the NetSuite credit memo by its external id, sets no apply
// row twice, and completes; NetSuite holds one record applying Zuora's amounts.
func TestCreditMemoSync_ExactlyOnceAfterACrashBeforeWriteBack(t *testing.T) {
	a, _ := sandboxTenant(t, generated(t, "seed=9,accounts=2,invoices=4,items=1-2,tax=0,is=true,creditmemos=4"))
	ctx := context.Background()
	s := isSettings()
	sel, err := a.SelectInvoices(ctx, workflows.SelectInput{Settings: s, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range sel.Records {
		for state := (workflows.InvoiceSyncState{}); ; {
			step, err := a.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: rec.ID, Settings: s, State: state})
			if err != nil {
				t.Fatal(err)
			}
			if state = step.State; step.Outcome != "" {
				break
			}
		}
	}
	all, _ := a.Zuora.ListCreditMemos(ctx, "")
	var memo zuora.CreditMemo
	for _, cm := range all {
		if cm.AppliedAmount.IsPositive() && cm.Origin == "" {
			memo = cm
		}
	}
	if memo.ID == "" {
		t.Fatal("no applied credit memo in the generated tenant")
	}
	plan, err := a.PrepareCreditMemo(ctx, workflows.CreditMemoSyncInput{CreditMemoID: memo.ID, Settings: s})
	if err != nil || plan.Outcome != "" {
		t.Fatalf("plan %+v %v", plan, err)
	}
	step := workflows.CreditMemoStepInput{Settings: s, Plan: plan}
	if err := a.MarkCreditMemoProcessing(ctx, step); err != nil {
		t.Fatal(err)
	}
	first, err := a.WriteCreditMemo(ctx, step)
	if err != nil {
		t.Fatal(err)
	}
	// Crash: no write-back. The next run selects it again (Processing).
	if cm, _ := a.Zuora.GetCreditMemo(ctx, memo.ID); cm.TransferredToAccounting != "Processing" || cm.IntegrationStatus != zuora.StatusCreatingCreditMemo {
		t.Fatalf("before the write-back: %q / %q", cm.TransferredToAccounting, cm.IntegrationStatus)
	}
	res := syncCreditMemo(t, a, memo.ID, s)
	if res.Outcome != workflows.OutcomeSynced || res.NetSuiteID != first || res.Applied != memo.AppliedAmount.StringFixed(2) {
		t.Fatalf("after the crash: %+v, first write made %s, Zuora applies %s", res, first, memo.AppliedAmount)
	}
	checkCreditMemoInNetSuite(t, a, memo.ID)
}
