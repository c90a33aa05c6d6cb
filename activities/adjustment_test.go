package activities_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// A Tax adjustment's line is on the tax code's NetSuite item; and the steps
// repeated after a "crash" between the NetSuite write and the Zuora
// write-back (the adjustment left Processing) find the same record instead
// of making a second: exactly once, against the sandbox's wire.
func TestAdjustmentActivities_TaxCreditExactlyOnceAfterACrashBeforeWriteBack(t *testing.T) {
	a, invs := syncedTenant(t, "seed=5,accounts=3,invoices=6,items=1-3,negative=0,tax=1")
	ctx := context.Background()
	s := settings.Default()
	var inv zuora.Invoice
	var tax zuora.TaxationItem
	for _, i := range invs {
		taxes, err := zuora.QueryAll[zuora.TaxationItem](ctx, a.Zuora, "select Id, InvoiceId, InvoiceItemId, Name, TaxAmount, AccountingCode from TaxationItem where InvoiceId = "+zuora.Quote(i.ID))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range taxes {
			if x.TaxAmount.GreaterThan(decimal.NewFromInt(1)) && x.AccountingCode != "" {
				inv, tax = i, x
			}
		}
	}
	if tax.ID == "" {
		t.Fatal("the generated tenant has no synced invoice with a taxation item over 1.00")
	}
	id, err := a.Zuora.CreateObject(ctx, zuora.ObjInvoiceItemAdjustment, map[string]any{
		"AdjustmentDate": "2026-03-20", "Amount": "0.75", "InvoiceId": inv.ID, "SourceId": tax.ID, "SourceType": "Tax",
		"Type": "Credit", "ReasonCode": "Standard Adjustment", "AccountId": inv.AccountID,
	}, "tax-credit-1")
	if err != nil {
		t.Fatal(err)
	}

	sel, err := a.SelectAdjustments(ctx, workflows.SelectInput{Settings: s, Limit: 10})
	if err != nil || len(sel.Records) != 1 || sel.Records[0].ID != id {
		t.Fatalf("selection %+v %v, want the new adjustment", sel, err)
	}
	plan, err := a.PrepareAdjustment(ctx, workflows.AdjustmentSyncInput{AdjustmentID: id, Settings: s})
	if err != nil || plan.Outcome != "" || plan.RecordType != netsuite.TypeCreditMemo || plan.Mode != "apply-to-invoice" || plan.OriginalID != inv.IntegrationID {
		t.Fatalf("plan %+v %v", plan, err)
	}
	step := workflows.AdjustmentStepInput{Settings: s, Plan: plan}
	if err := a.MarkAdjustmentProcessing(ctx, step); err != nil {
		t.Fatal(err)
	}
	w1, err := a.WriteAdjustment(ctx, step)
	if err != nil {
		t.Fatal(err)
	}
	// Crash: no write-back. The next run selects it again (Processing) and repeats every step.
	var adj zuora.InvoiceItemAdjustment
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoiceItemAdjustment, id, &adj); err != nil || adj.TransferredToAccounting != "Processing" || adj.IntegrationStatus != "Creating Credit Memo" {
		t.Fatalf("before the write-back the adjustment shows %q / %q (%v)", adj.TransferredToAccounting, adj.IntegrationStatus, err)
	}
	plan2, err := a.PrepareAdjustment(ctx, workflows.AdjustmentSyncInput{AdjustmentID: id, Settings: s})
	if err != nil || plan2.Outcome != "" {
		t.Fatalf("a Processing adjustment is synced again: %+v %v", plan2, err)
	}
	w2, err := a.WriteAdjustment(ctx, workflows.AdjustmentStepInput{Settings: s, Plan: plan2})
	if err != nil {
		t.Fatal(err)
	}
	if w1.NetSuiteID == "" || w2.NetSuiteID != w1.NetSuiteID || w2.Applied != "0.75" || w2.AppliedTo != inv.IntegrationID {
		t.Fatalf("first write %+v, repeated write %+v: want the same record, applying 0.75 to %s", w1, w2, inv.IntegrationID)
	}
	step.NetSuiteID = w2.NetSuiteID
	if err := a.CompleteAdjustment(ctx, step); err != nil {
		t.Fatal(err)
	}

	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(netsuite.AdjustmentExternalID(id)))
	if err != nil || len(rows) != 1 {
		t.Fatalf("NetSuite records with the adjustment's external id: %v %v, want exactly 1", rows, err)
	}
	cm, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, w1.NetSuiteID)
	if err != nil {
		t.Fatal(err)
	}
	items, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM item WHERE itemid = "+netsuite.Quote(tax.AccountingCode))
	if err != nil || len(items) != 1 {
		t.Fatalf("tax item %s: %v %v", tax.AccountingCode, items, err)
	}
	if cm.Item == nil || len(cm.Item.Items) != 1 || cm.Item.Items[0].Item.ID != fmt.Sprint(items[0]["id"]) || !cm.Item.Items[0].Amount.Equal(decimal.RequireFromString("0.75")) {
		t.Errorf("one line of 0.75 on the tax code's item %v: %+v", items[0]["id"], cm.Item)
	}
	if cm.Apply == nil || len(cm.Apply.Items) != 1 || cm.Apply.Items[0].Doc.ID != inv.IntegrationID {
		t.Errorf("applied once to the original's invoice: %+v", cm.Apply)
	}
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoiceItemAdjustment, id, &adj); err != nil || adj.TransferredToAccounting != "Yes" ||
		adj.IntegrationStatus != "Sync Complete" || adj.IntegrationID != w1.NetSuiteID || adj.SyncDate == "" {
		t.Errorf("write-back: %+v %v", adj, err)
	}
	if sel, _ := a.SelectAdjustments(ctx, workflows.SelectInput{Settings: s, Limit: 10}); len(sel.Records) != 0 {
		t.Errorf("a synced adjustment is selected again: %+v", sel.Records)
	}
}

// A Charge on a negative invoice: the original credit memo is applied to the
// new invoice once, however often the step repeats.
func TestAdjustmentActivities_ApplyOriginalCreditMemoRepeatsSafely(t *testing.T) {
	a, invs := syncedTenant(t, "seed=6,accounts=3,invoices=10,items=1-3,negative=0.5,tax=0")
	ctx := context.Background()
	s := settings.Default()
	var inv zuora.Invoice
	for _, i := range invs {
		if i.Amount.LessThan(decimal.NewFromInt(-5)) {
			inv = i
		}
	}
	if inv.ID == "" {
		t.Fatal("no synced negative invoice")
	}
	item, err := zuora.QueryAll[zuora.InvoiceItem](ctx, a.Zuora, "select Id, ChargeAmount from InvoiceItem where InvoiceId = "+zuora.Quote(inv.ID))
	if err != nil || len(item) == 0 {
		t.Fatal(item, err)
	}
	id, err := a.Zuora.CreateObject(ctx, zuora.ObjInvoiceItemAdjustment, map[string]any{
		"AdjustmentDate": "2026-03-20", "Amount": "2.00", "InvoiceId": inv.ID, "SourceId": item[0].ID, "SourceType": "InvoiceDetail",
		"Type": "Charge", "AccountId": inv.AccountID,
	}, "charge-neg-1")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := a.PrepareAdjustment(ctx, workflows.AdjustmentSyncInput{AdjustmentID: id, Settings: s})
	if err != nil || plan.Mode != workflows.ModeApplyOriginalCreditMemo || plan.RecordType != netsuite.TypeInvoice {
		t.Fatalf("plan %+v %v", plan, err)
	}
	step := workflows.AdjustmentStepInput{Settings: s, Plan: plan}
	w, err := a.WriteAdjustment(ctx, step)
	if err != nil {
		t.Fatal(err)
	}
	step.NetSuiteID = w.NetSuiteID
	for range 3 {
		ap, err := a.ApplyOriginalCreditMemo(ctx, step)
		if err != nil || ap.Applied != "2.00" || ap.AppliedTo != inv.IntegrationID {
			t.Fatalf("apply %+v %v", ap, err)
		}
	}
	cm, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, inv.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range cm.Apply.Items {
		if r.Doc.ID == w.NetSuiteID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the credit memo has %d apply rows for the new invoice, want 1: %+v", n, cm.Apply.Items)
	}
}
