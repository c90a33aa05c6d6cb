package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func lineOf(amount string) netsuite.Line {
	return netsuite.Line{Item: netsuite.RefTo("20"), Amount: dec(amount), ZuoraItemID: "z" + amount}
}

func remainingOf(t *testing.T, e *env, typ, id string) (map[string]any, decimal.Decimal) {
	t.Helper()
	var rec map[string]any
	if err := e.ns.Get(context.Background(), typ, id, false, &rec); err != nil {
		t.Fatal(err)
	}
	return rec, decimal.RequireFromString(str(rec["amountRemaining"]))
}

// A credit memo's apply sublist is stored, shown expanded, lowers the
// invoice's amountRemaining, is keyed by doc on PATCH, and survives a restart.
func TestNetSuiteCreditMemoApplySublist(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir, tinyTenant())
	ctx := context.Background()
	inv, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-a", netsuite.Transaction{Entity: netsuite.RefTo("10"),
		Item: &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{lineOf("100.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := e.ns.Upsert(ctx, netsuite.TypeCreditMemo, "cm-a", netsuite.Transaction{Entity: netsuite.RefTo("10"),
		Item:  &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{lineOf("30.00")}},
		Apply: &netsuite.Sublist[netsuite.Apply]{Items: []netsuite.Apply{{Doc: netsuite.RefTo(inv), Apply: true, Amount: dec("30.00")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, r := remainingOf(t, e, netsuite.TypeInvoice, inv); !r.Equal(dec("70")) {
		t.Errorf("invoice amountRemaining after a 30.00 credit memo applied: %s, want 70.00", r)
	}
	got, err := e.ns.GetTransaction(ctx, netsuite.TypeCreditMemo, cm)
	if err != nil {
		t.Fatal(err)
	}
	if got.Apply == nil || len(got.Apply.Items) != 1 || got.Apply.Items[0].Doc.ID != inv || !got.Apply.Items[0].Amount.Equal(dec("30")) || !got.Apply.Items[0].Apply {
		t.Fatalf("expanded apply sublist: %+v", got.Apply)
	}
	cmRec, cmRemaining := remainingOf(t, e, netsuite.TypeCreditMemo, cm)
	if !cmRemaining.IsZero() || str(cmRec["applied"]) != "30.00" || str(cmRec["unapplied"]) != "0.00" {
		t.Errorf("credit memo applied/unapplied: %v/%v remaining %s", cmRec["applied"], cmRec["unapplied"], cmRemaining)
	}
	if apply, ok := cmRec["apply"].(map[string]any); !ok || apply["items"] != nil {
		t.Errorf("without expandSubResources the apply sublist is links only, got %v", cmRec["apply"])
	}

	// A second invoice; a standalone credit memo of 50 applied to it by PATCH, twice with the same doc (updates the row).
	inv2, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-b", netsuite.Transaction{Entity: netsuite.RefTo("10"),
		Item: &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{lineOf("40.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	cm2, err := e.ns.Upsert(ctx, netsuite.TypeCreditMemo, "cm-b", netsuite.Transaction{Entity: netsuite.RefTo("10"),
		Item: &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{lineOf("50.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, amt := range []string{"25.00", "40.00"} {
		body := map[string]any{"apply": netsuite.Sublist[netsuite.Apply]{Items: []netsuite.Apply{{Doc: netsuite.RefTo(inv2), Apply: true, Amount: dec(amt)}}}}
		if err := e.ns.Patch(ctx, netsuite.TypeCreditMemo, cm2, body); err != nil {
			t.Fatal(err)
		}
	}
	got2, _ := e.ns.GetTransaction(ctx, netsuite.TypeCreditMemo, cm2)
	if got2.Apply == nil || len(got2.Apply.Items) != 1 || !got2.Apply.Items[0].Amount.Equal(dec("40")) {
		t.Fatalf("PATCH with the same doc updates its row: %+v", got2.Apply)
	}
	if _, r := remainingOf(t, e, netsuite.TypeInvoice, inv2); !r.IsZero() {
		t.Errorf("invoice fully applied: amountRemaining %s", r)
	}

	// Refusals: more than the invoice has open, more than the memo's total, a doc that is not an invoice.
	refused := []struct {
		name string
		body map[string]any
		want string
	}{
		{"over the invoice's amount remaining", map[string]any{"apply": netsuite.Sublist[netsuite.Apply]{Items: []netsuite.Apply{{Doc: netsuite.RefTo(inv), Apply: true, Amount: dec("80.00")}}}}, "exceeds its amount remaining"},
		{"over the credit memo's total", map[string]any{"apply": netsuite.Sublist[netsuite.Apply]{Items: []netsuite.Apply{{Doc: netsuite.RefTo(inv), Apply: true, Amount: dec("20.00")}}}}, "exceeds the credit memo's amount"},
		{"doc is a credit memo", map[string]any{"apply": netsuite.Sublist[netsuite.Apply]{Items: []netsuite.Apply{{Doc: netsuite.RefTo(cm), Apply: true, Amount: dec("1.00")}}}}, "not an invoice"},
	}
	for _, tt := range refused {
		target := cm2
		if tt.name == "over the invoice's amount remaining" {
			// A fresh memo big enough that only the invoice's limit bites.
			big, err := e.ns.Upsert(ctx, netsuite.TypeCreditMemo, "cm-big", netsuite.Transaction{Entity: netsuite.RefTo("10"),
				Item: &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{lineOf("500.00")}}})
			if err != nil {
				t.Fatal(err)
			}
			target = big
		}
		err := e.ns.Patch(ctx, netsuite.TypeCreditMemo, target, tt.body)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want a 400 saying %q", tt.name, err, tt.want)
		}
	}
	if _, r := remainingOf(t, e, netsuite.TypeInvoice, inv); !r.Equal(dec("70")) {
		t.Errorf("a refused apply changes nothing: amountRemaining %s", r)
	}

	// SuiteQL shows what remains; a restart keeps it; deleting the memo reopens the invoice.
	rows, err := e.ns.QueryAll(ctx, "SELECT id, foreignamountremaining FROM transaction WHERE id = "+netsuite.Quote(inv))
	if err != nil || len(rows) != 1 || str(rows[0]["foreignamountremaining"]) != "70.00" {
		t.Errorf("SuiteQL foreignamountremaining: %v %v", rows, err)
	}
	_ = e.sb.Close()
	e = start(t, dir, nil)
	if _, r := remainingOf(t, e, netsuite.TypeInvoice, inv); !r.Equal(dec("70")) {
		t.Errorf("after a restart amountRemaining %s, want 70.00", r)
	}
	if err := e.ns.Delete(ctx, netsuite.TypeCreditMemo, cm); err != nil {
		t.Fatal(err)
	}
	if _, r := remainingOf(t, e, netsuite.TypeInvoice, inv); !r.Equal(dec("100")) {
		t.Errorf("after the credit memo is deleted amountRemaining %s, want 100.00", r)
	}
}

// Invoice item adjustments: read and written back through
// /v1/object/invoice-item-adjustment/{id} and selected with ZOQL.
func TestZuoraInvoiceItemAdjustmentObject(t *testing.T) {
	f := tinyTenant()
	f.Zuora.Objects[zuora.ObjInvoiceItemAdjustment] = []fixture.Record{{"Id": "iia1", "AdjustmentNumber": "IIA-1", "AccountId": "acc1", "InvoiceId": "inv1",
		"InvoiceNumber": "INV-1", "SourceId": "item001", "SourceType": "InvoiceDetail", "Type": "Credit", "Status": "Processed", "Amount": n("5.00"), "AdjustmentDate": "2026-03-15"}}
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	var adj zuora.InvoiceItemAdjustment
	if err := e.z.GetObject(ctx, zuora.ObjInvoiceItemAdjustment, "iia1", &adj); err != nil {
		t.Fatal(err)
	}
	if adj.AdjustmentNumber != "IIA-1" || !adj.Amount.Equal(dec("5")) || adj.Type != "Credit" {
		t.Fatalf("read %+v", adj)
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjInvoiceItemAdjustment, "iia1", map[string]any{
		"TransferredToAccounting": "Yes", "IntegrationId__NS": "77", "IntegrationStatus__NS": "Sync Complete", "SyncDate__NS": "2026-03-16T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	recs, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, e.z,
		"select Id, TransferredToAccounting, IntegrationId__NS, IntegrationStatus__NS from InvoiceItemAdjustment where Status = 'Processed' and AdjustmentDate >= '2026-03-01'")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].TransferredToAccounting != "Yes" || recs[0].IntegrationID != "77" || recs[0].IntegrationStatus != "Sync Complete" {
		t.Fatalf("ZOQL after the write-back: %+v", recs)
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjInvoiceItemAdjustment, "iia1", map[string]any{"TransferredToAccounting": "Maybe"}); err == nil {
		t.Error("an invalid Transferred To Accounting value must be refused")
	}
	if err := e.z.GetObject(ctx, zuora.ObjInvoiceItemAdjustment, "nope", &adj); !zuora.IsNotFound(err) {
		t.Errorf("unknown adjustment: want not found, got %v", err)
	}
}

// A fixture may hold credit memos already applied: their invoices load with
// the applied amounts taken off.
func TestNetSuiteFixtureCreditMemoApplied(t *testing.T) {
	f := tinyTenant()
	f.NetSuite.Records["invoice"] = []fixture.Record{{"id": "100", "entity": map[string]any{"id": "10"}, "externalId": "inv-x",
		"item": map[string]any{"items": []any{map[string]any{"item": map[string]any{"id": "20"}, "amount": n("80.00")}}}}}
	f.NetSuite.Records["creditMemo"] = []fixture.Record{{"id": "101", "entity": map[string]any{"id": "10"}, "externalId": "cm-x",
		"item":  map[string]any{"items": []any{map[string]any{"item": map[string]any{"id": "20"}, "amount": n("30.00")}}},
		"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": "100"}, "apply": true, "amount": n("30.00")}}}}}
	e := start(t, t.TempDir(), f)
	if _, r := remainingOf(t, e, netsuite.TypeInvoice, "100"); !r.Equal(dec("50")) {
		t.Errorf("fixture invoice amountRemaining %s, want 50.00", r)
	}
	if rec, _ := remainingOf(t, e, netsuite.TypeCreditMemo, "101"); str(rec["unapplied"]) != "0.00" {
		t.Errorf("fixture credit memo unapplied %v, want 0.00", rec["unapplied"])
	}
}
