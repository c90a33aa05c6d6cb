package sandbox

import (
	"context"
	"fmt"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

func paymentTenant() *fixture.Fixture {
	f := nsTenant(fixture.NetSuiteAccount{})
	f.NetSuite.Records[netsuite.TypePaymentMethod] = []fixture.Record{{"id": "7", "name": "Check"}}
	return f
}

func applyRows(rows ...[2]any) map[string]any {
	items := make([]any, len(rows))
	for i, r := range rows {
		items[i] = map[string]any{"doc": map[string]any{"id": r[0]}, "apply": true, "amount": r[1]}
	}
	return map[string]any{"items": items}
}

// A customer payment applies to open invoices: each invoice's amount
// remaining goes down, the rest of the payment stays unapplied; its
// external id is unique (exactly once by look-before-create).
func TestNetSuitePayments_AppliedToInvoicesRestUnappliedExternalIDUnique(t *testing.T) {
	e := start(t, t.TempDir(), paymentTenant())
	ctx := context.Background()
	inv1, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(10, "a"))) // 10.00
	if err != nil {
		t.Fatal(err)
	}
	inv2, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-2", invoiceWith(lines(5, "b"))) // 5.00
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"customer": map[string]any{"id": "10"}, "payment": "20.00", "paymentMethod": map[string]any{"id": "7"},
		"undepFunds": true, "tranDate": "2026-03-05", "apply": applyRows([2]any{inv1, "10.00"}, [2]any{inv2, "4.00"})}
	id, err := e.ns.Upsert(ctx, netsuite.TypeCustomerPayment, "zuora-payment-p1", body)
	if err != nil {
		t.Fatal(err)
	}
	var pay map[string]any
	if err := e.ns.Get(ctx, netsuite.TypeCustomerPayment, "eid:zuora-payment-p1", false, &pay); err != nil || fmt.Sprint(pay["id"]) != id {
		t.Fatalf("by external id: %v %v", err, pay)
	}
	if fmt.Sprint(pay["applied"]) != "14.00" || fmt.Sprint(pay["unapplied"]) != "6.00" || fmt.Sprint(pay["total"]) != "20.00" {
		t.Fatalf("payment totals %v / %v / %v", pay["total"], pay["applied"], pay["unapplied"])
	}
	for inv, want := range map[string]string{inv1: "0.00", inv2: "1.00"} {
		var got map[string]any
		if err := e.ns.Get(ctx, netsuite.TypeInvoice, inv, false, &got); err != nil || fmt.Sprint(got["amountRemaining"]) != want {
			t.Fatalf("invoice %s amount remaining %v, want %s (%v)", inv, got["amountRemaining"], want, err)
		}
	}
	_, err = e.ns.Create(ctx, netsuite.TypeCustomerPayment, map[string]any{"externalId": "zuora-payment-p1", "customer": map[string]any{"id": "10"}, "payment": "1.00"})
	wantNSError(t, err, 400, "DUP_RCRD", "zuora-payment-p1")
	// Deleting the payment reopens the invoices.
	if err := e.ns.Delete(ctx, netsuite.TypeCustomerPayment, id); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := e.ns.Get(ctx, netsuite.TypeInvoice, inv1, false, &got); err != nil || fmt.Sprint(got["amountRemaining"]) != "10.00" {
		t.Fatalf("after the delete: %v %v", err, got["amountRemaining"])
	}
}

// What NetSuite refuses, the sandbox refuses in NetSuite's shapes.
func TestNetSuitePayments_RefusedAsNetSuiteRefuses(t *testing.T) {
	e := start(t, t.TempDir(), paymentTenant())
	ctx := context.Background()
	inv, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(10, "a")))
	if err != nil {
		t.Fatal(err)
	}
	cust := map[string]any{"id": "10"}
	for _, c := range []struct {
		name   string
		body   map[string]any
		code   string
		detail string
	}{
		{"customer missing", map[string]any{"payment": "5.00"}, "USER_ERROR", "Please enter value(s) for: Customer"},
		{"payment missing", map[string]any{"customer": cust}, "USER_ERROR", "Please enter value(s) for: Payment Amount"},
		{"payment not positive", map[string]any{"customer": cust, "payment": "-5"}, "INVALID_FLD_VALUE", "Payment Amount"},
		{"unknown document", map[string]any{"customer": cust, "payment": "5.00", "apply": applyRows([2]any{"999999", "5.00"})}, "INVALID_KEY_OR_REF", "doc"},
		{"applied to a customer, not an invoice", map[string]any{"customer": cust, "payment": "5.00", "apply": applyRows([2]any{"10", "5.00"})}, "INVALID_KEY_OR_REF", "doc"},
		{"over-applying an invoice", map[string]any{"customer": cust, "payment": "50.00", "apply": applyRows([2]any{inv, "11.00"})}, "INVALID_FLD_VALUE", "exceeds its amount remaining"},
		{"applying more than the payment", map[string]any{"customer": cust, "payment": "5.00", "apply": applyRows([2]any{inv, "6.00"})}, "INVALID_FLD_VALUE", "exceeds the payment amount"},
		{"unknown payment method", map[string]any{"customer": cust, "payment": "5.00", "paymentMethod": map[string]any{"id": "99"}}, "INVALID_KEY_OR_REF", "paymentMethod"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.ns.Create(ctx, netsuite.TypeCustomerPayment, c.body)
			wantNSError(t, err, 400, c.code, c.detail)
		})
	}
	var got map[string]any
	if err := e.ns.Get(ctx, netsuite.TypeInvoice, inv, false, &got); err != nil || fmt.Sprint(got["amountRemaining"]) != "10.00" {
		t.Fatalf("a refused payment changed the invoice: %v %v", err, got["amountRemaining"])
	}
}
