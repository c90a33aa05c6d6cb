package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// An invoice item adjustment larger than what it adjusts (the item's charge
// amount, or the taxation item's tax amount, net of earlier adjustments of
// the same source) is refused, and the invoice balance does not move.
func TestZuoraIIA_LargerThanItsItemIsRefused(t *testing.T) {
	f := tinyTenant()
	f.Zuora.Objects[zuora.ObjInvoice] = append(f.Zuora.Objects[zuora.ObjInvoice],
		fixture.Record{"Id": "neg1", "InvoiceNumber": "INV-N1", "AccountId": "acc1", "Status": "Posted", "Amount": n("-11.00"), "Balance": n("-11.00"), "InvoiceDate": "2026-03-01"})
	f.Zuora.Objects[zuora.ObjInvoiceItem] = append(f.Zuora.Objects[zuora.ObjInvoiceItem],
		fixture.Record{"Id": "nitem1", "InvoiceId": "neg1", "ChargeAmount": n("-10.00"), "Quantity": n("1"), "RatePlanChargeId": "rpc1", "ChargeName": "Seat"})
	f.Zuora.Objects[zuora.ObjInvoice] = append(f.Zuora.Objects[zuora.ObjInvoice],
		fixture.Record{"Id": "neg2", "InvoiceNumber": "INV-N2", "AccountId": "acc1", "Status": "Posted", "Amount": n("-5.00"), "Balance": n("-5.00"), "InvoiceDate": "2026-03-01"})
	f.Zuora.Objects[zuora.ObjInvoiceItem] = append(f.Zuora.Objects[zuora.ObjInvoiceItem],
		fixture.Record{"Id": "nitem2", "InvoiceId": "neg2", "ChargeAmount": n("-5.00"), "Quantity": n("1"), "RatePlanChargeId": "rpc1", "ChargeName": "Seat"})
	f.Zuora.Objects[zuora.ObjTaxationItem] = append(f.Zuora.Objects[zuora.ObjTaxationItem],
		fixture.Record{"Id": "ntax1", "InvoiceId": "neg1", "InvoiceItemId": "nitem1", "TaxAmount": n("-1.00"), "AccountingCode": "TAX"})
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	iia := func(key, src, typ, amount string) error {
		_, err := e.z.CreateObject(ctx, zuora.ObjInvoiceItemAdjustment, map[string]any{"InvoiceId": "neg1", "AccountId": "acc1",
			"SourceId": src, "SourceType": typ, "Type": "Charge", "Amount": amount, "AdjustmentDate": "2026-03-02"}, key)
		return err
	}
	balance := func() string {
		var inv zuora.Invoice
		if err := e.z.GetObject(ctx, zuora.ObjInvoice, "neg1", &inv); err != nil {
			t.Fatal(err)
		}
		return inv.Balance.StringFixed(2)
	}
	if err := iia("k1", "nitem1", "InvoiceDetail", "10.01"); err == nil || !strings.Contains(err.Error(), "exceeds the amount left") {
		t.Fatalf("10.01 on a 10.00 item: %v, want the refusal", err)
	}
	if err := iia("k2", "nitem1", "InvoiceDetail", "6.00"); err != nil {
		t.Fatal(err)
	}
	if err := iia("k3", "nitem1", "InvoiceDetail", "4.01"); err == nil {
		t.Fatal("4.01 after 6.00 on a 10.00 item: want the refusal (net of earlier adjustments)")
	}
	if err := iia("k4", "nitem1", "InvoiceDetail", "4.00"); err != nil {
		t.Fatal(err)
	}
	if err := iia("k5", "ntax1", "Tax", "1.50"); err == nil {
		t.Fatal("1.50 on a 1.00 taxation item: want the refusal")
	}
	if err := iia("k6", "nitem1", "Tax", "1.00"); err == nil {
		t.Fatal("an invoice item given as SourceType Tax: want the refusal")
	}
	if err := iia("k7", "item001", "InvoiceDetail", "1.00"); err == nil {
		t.Fatal("an item of another invoice: want the refusal")
	}
	if err := iia("k8", "ntax1", "Tax", "1.00"); err != nil {
		t.Fatal(err)
	}
	if got := balance(); got != "0.00" {
		t.Fatalf("balance %s after the refused and accepted adjustments, want 0.00", got)
	}
	// Net of earlier adjustments by type: a Credit makes the negative item
	// larger, so a Charge of the item and the Credit together is accepted.
	adj := func(key, typ, amount string) error {
		_, err := e.z.CreateObject(ctx, zuora.ObjInvoiceItemAdjustment, map[string]any{"InvoiceId": "neg2", "AccountId": "acc1",
			"SourceId": "nitem2", "SourceType": "InvoiceDetail", "Type": typ, "Amount": amount, "AdjustmentDate": "2026-03-02"}, key)
		return err
	}
	if err := adj("k9", "Credit", "2.00"); err != nil {
		t.Fatal(err)
	}
	if err := adj("k10", "Charge", "7.01"); err == nil {
		t.Fatal("7.01 on an item whose net is -7.00: want the refusal")
	}
	if err := adj("k11", "Charge", "7.00"); err != nil {
		t.Fatal(err)
	}
}
