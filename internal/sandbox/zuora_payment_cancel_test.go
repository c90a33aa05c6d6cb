package sandbox

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Without Invoice Settlement a cancelled payment (object API, Status
// Canceled) gives each invoice back what it paid, and its PaymentAmount
// goes down; a refunded payment is refused; a Canceled one stays so; the
// IS-only REST cancel is refused on this tenant.
func TestZuoraPaymentCancel_NonISRestoresInvoiceBalances(t *testing.T) {
	e := start(t, t.TempDir(), paymentsTenant())
	ctx := context.Background()
	id := processedPayment(t, e, "60.00", map[string]string{"inv1": "20.00", "inv3": "40.00"})
	if b1, b3 := balanceOf(t, e, "inv1"), balanceOf(t, e, "inv3"); !b1.Equal(dec("230")) || !b3.IsZero() {
		t.Fatalf("balances after Processed: %s, %s", b1, b3)
	}
	if status, _, body := e.raw(t, "PUT", "/v1/payments/"+id+"/cancel", "", nil); status != 400 || !strings.Contains(body, "Invoice Settlement") {
		t.Errorf("REST cancel without IS: %d %s; want refused", status, body)
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjPayment, id, map[string]any{"Status": "Canceled"}); err != nil {
		t.Fatal(err)
	}
	if b1, b3 := balanceOf(t, e, "inv1"), balanceOf(t, e, "inv3"); !b1.Equal(dec("250")) || !b3.Equal(dec("40")) {
		t.Fatalf("balances after the cancel: %s, %s; want 250 and 40 back", b1, b3)
	}
	var inv struct {
		PaymentAmount decimal.Decimal `json:"PaymentAmount"`
	}
	if err := e.z.GetObject(ctx, zuora.ObjInvoice, "inv3", &inv); err != nil || !inv.PaymentAmount.IsZero() {
		t.Errorf("inv3 PaymentAmount %s (%v), want 0", inv.PaymentAmount, err)
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjPayment, id, map[string]any{"Status": "Processed"}); err == nil {
		t.Error("a Canceled payment was processed again")
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjPayment, id, map[string]any{"Status": "Canceled"}); err != nil {
		t.Errorf("repeating Canceled: %v", err)
	}
	if b1 := balanceOf(t, e, "inv1"); !b1.Equal(dec("250")) {
		t.Errorf("a repeated cancel gave back twice: balance %s", b1)
	}

	// A payment with a refund is not cancelled (cancel the refund first).
	refunded := processedPayment(t, e, "30.00", map[string]string{"inv1": "30.00"})
	if _, err := e.z.CreateObject(ctx, zuora.ObjRefund, externalRefund(refunded, "10.00"), ""); err != nil {
		t.Fatal(err)
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjPayment, refunded, map[string]any{"Status": "Canceled"}); err == nil || !strings.Contains(err.Error(), "refund") {
		t.Errorf("cancelling a refunded payment: %v, want refused naming the refund", err)
	}
	if b1 := balanceOf(t, e, "inv1"); !b1.Equal(dec("220")) {
		t.Errorf("balance after the refused cancel %s, want 220", b1)
	}
}

// With Invoice Settlement, both the REST cancel and the object API give each
// invoice and debit memo back its payment parts; the payment answers
// Canceled.
func TestZuoraPaymentCancel_ISRestoresInvoiceAndDebitMemoBalances(t *testing.T) {
	f, err := fixture.Generate("seed=19,accounts=3,invoices=9,items=1-2,tax=0,is=true,debitmemos=6,creditmemos=3,payments=10")
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]fixture.Record{}
	for _, pt := range f.Zuora.Objects["PaymentPart"] {
		parts[pt["paymentId"].(string)] = append(parts[pt["paymentId"].(string)], pt)
	}
	// Two payments applied to both an invoice and a debit memo.
	var both []string
	for _, p := range f.Zuora.Objects[zuora.ObjPayment] {
		inv, dm := false, false
		for _, pt := range parts[p["Id"].(string)] {
			inv = inv || pt["invoiceId"] != nil
			dm = dm || pt["debitMemoId"] != nil
		}
		if inv && dm && p["Status"] == "Processed" && decField(p, "RefundAmount", decimal.Zero).IsZero() {
			both = append(both, p["Id"].(string))
		}
	}
	if len(both) < 2 {
		t.Fatalf("the generated tenant has %d payments applied to an invoice and a debit memo; want 2", len(both))
	}
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	if status, _, body := e.raw(t, "PUT", "/_sandbox/tenant", `{"invoiceSettlement":true}`, nil); status != 200 {
		t.Fatalf("tenant: %d %s", status, body)
	}
	docBalance := func(pt fixture.Record) decimal.Decimal {
		if inv, ok := pt["invoiceId"].(string); ok {
			return balanceOf(t, e, inv)
		}
		dm, err := e.z.GetDebitMemo(ctx, pt["debitMemoId"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return dm.Balance
	}
	for i, pay := range both {
		before := map[string]decimal.Decimal{}
		for _, pt := range parts[pay] {
			before[fmt.Sprint(pt["id"])] = docBalance(pt)
		}
		if i == 0 {
			status, _, body := e.raw(t, "PUT", "/v1/payments/"+pay+"/cancel", "", nil)
			if status != 200 || !strings.Contains(body, `"status":"Canceled"`) {
				t.Fatalf("REST cancel: %d %s", status, body)
			}
		} else if err := e.z.UpdateObject(ctx, zuora.ObjPayment, pay, map[string]any{"Status": "Canceled"}); err != nil {
			t.Fatal(err)
		}
		for _, pt := range parts[pay] {
			want := before[fmt.Sprint(pt["id"])].Add(decField(pt, "amount", decimal.Zero))
			if got := docBalance(pt); !got.Equal(want) {
				t.Errorf("payment %s part %v: document balance %s after the cancel, want %s", pay, pt, got, want)
			}
		}
		var p zuora.Payment
		if err := e.z.GetObject(ctx, zuora.ObjPayment, pay, &p); err != nil || p.Status != "Canceled" {
			t.Errorf("payment %s: %+v (%v), want Canceled", pay, p.Status, err)
		}
	}
	if status, _, _ := e.raw(t, "PUT", "/v1/payments/"+both[0]+"/cancel", "", nil); status != 400 {
		t.Errorf("cancelling a Canceled payment again answered %d, want 400", status)
	}
}
