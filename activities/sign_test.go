package activities_test

import (
	"context"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// The sign rule, end to end through the sandbox: a negative Zuora invoice
// becomes a NetSuite credit memo of the opposite (positive) total, a positive
// one an invoice of the same total. It fails if the rule flips (the workflow
// test of the same name only echoed its mock; replaced by this one).
func TestSyncInvoice_NegativeInvoiceIsACreditMemoOfTheOppositeSign(t *testing.T) {
	f := generated(t, "seed=71,accounts=2,invoices=12,items=1-3,negative=0.5,tax=0")
	a, _ := sandboxTenant(t, f)
	ctx := context.Background()
	s := settings.Default()
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, a.Zuora, "select Id, InvoiceNumber, Amount from Invoice where Status = 'Posted'")
	if err != nil {
		t.Fatal(err)
	}
	neg, pos := 0, 0
	for _, inv := range invs {
		if inv.Amount.IsZero() {
			continue
		}
		step, err := a.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: inv.ID, Settings: s})
		if err != nil {
			t.Fatal(err)
		}
		if step.Outcome != workflows.OutcomeSynced {
			continue // ineligible in this tenant (e.g. its account does not sync)
		}
		want := netsuite.TypeInvoice
		if inv.Amount.IsNegative() {
			want, neg = netsuite.TypeCreditMemo, neg+1
		} else {
			pos++
		}
		if step.State.RecordType != want {
			t.Errorf("invoice %s of %s became a NetSuite %s, want %s", inv.InvoiceNumber, inv.Amount, step.State.RecordType, want)
		}
		tx, err := a.NetSuite.GetTransaction(ctx, want, step.State.NetSuiteID)
		if err != nil {
			t.Fatalf("invoice %s: no NetSuite %s %s: %v", inv.InvoiceNumber, want, step.State.NetSuiteID, err)
		}
		if tx.Total == nil || !tx.Total.Equal(inv.Amount.Abs()) {
			t.Errorf("invoice %s of %s: NetSuite %s totals %v, want %s", inv.InvoiceNumber, inv.Amount, want, tx.Total, inv.Amount.Abs())
		}
	}
	if neg == 0 || pos == 0 {
		t.Fatalf("synced %d negative and %d positive invoices; the test needs both", neg, pos)
	}
}
