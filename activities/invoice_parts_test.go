package activities_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 13: reconcile compares a split invoice with all its parts together
// (and a summarized one by its sum), so a clean sync of either reports no
// difference.
func TestReconcilePage_SplitAndSummarizedInvoicesMatch(t *testing.T) {
	lines := invoiceLines(t, splitSpec)
	a, _, id, s := splitTenant(t, splitSpec, lines/3+1)
	step := syncThrough(t, a, id, s, 50)
	if step.Outcome != workflows.OutcomeSynced || len(step.State.Parts) < 3 {
		t.Fatalf("outcome %s in %d parts: %s", step.Outcome, len(step.State.Parts), step.Reason)
	}
	counts, diffs, _ := reconcileAll(t, a, "2000-01-01", "2099-12-31")
	if counts.Invoices != 1 || counts.Matched != 1 || len(diffs) != 0 {
		t.Errorf("split: %+v, differences %+v", counts, diffs)
	}

	a, _, id, s = summarizeTenant(t, lines-1)
	step = syncThrough(t, a, id, s, 50)
	if step.Outcome != workflows.OutcomeSynced || !step.State.Summarized {
		t.Fatalf("outcome %s: %s", step.Outcome, step.Reason)
	}
	counts, diffs, _ = reconcileAll(t, a, "2000-01-01", "2099-12-31")
	if counts.Invoices != 1 || counts.Matched != 1 || len(diffs) != 0 {
		t.Errorf("summarized: %+v, differences %+v", counts, diffs)
	}
}

// Issue 13: an adjustment of an item of a split invoice goes to the part
// that holds the item's line (its credit memo applies to that NetSuite
// invoice), not to the comma-separated list of ids.
func TestAdjustmentActivities_SplitInvoiceItemFindsItsPart(t *testing.T) {
	ctx := context.Background()
	lines := invoiceLines(t, splitSpec)
	a, _, id, s := splitTenant(t, splitSpec, lines/3+1)
	step := syncThrough(t, a, id, s, 50)
	if step.Outcome != workflows.OutcomeSynced || len(step.State.Parts) < 3 {
		t.Fatalf("outcome %s in %d parts: %s", step.Outcome, len(step.State.Parts), step.Reason)
	}
	last := step.State.Parts[len(step.State.Parts)-1].NetSuiteID
	var item zuora.InvoiceItem
	for _, r := range nsItemLines(t, a, last) {
		var it zuora.InvoiceItem
		if err := a.Zuora.GetObject(ctx, zuora.ObjInvoiceItem, fmt.Sprint(r["custcol_zuora_item_id"]), &it); err == nil && it.ChargeAmount.GreaterThan(decimal.NewFromInt(2)) {
			item = it
			break
		}
	}
	if item.ID == "" {
		t.Fatalf("no invoice item over 2.00 on the last part %s", last)
	}
	var inv zuora.Invoice
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoice, id, &inv); err != nil {
		t.Fatal(err)
	}
	adj, err := a.Zuora.CreateObject(ctx, zuora.ObjInvoiceItemAdjustment, map[string]any{
		"AdjustmentDate": "2026-03-20", "Amount": "1.00", "InvoiceId": id, "SourceId": item.ID, "SourceType": "InvoiceDetail",
		"Type": "Credit", "ReasonCode": "Standard Adjustment", "AccountId": inv.AccountID,
	}, "split-credit-1")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := a.PrepareAdjustment(ctx, workflows.AdjustmentSyncInput{AdjustmentID: adj, Settings: s})
	if err != nil || plan.Outcome != "" || plan.OriginalID != last || plan.RecordType != netsuite.TypeCreditMemo {
		t.Fatalf("plan %+v %v; want a credit memo on part %s", plan, err, last)
	}
}
