package sandbox

import (
	"context"
	"fmt"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// A Zuora refund in NetSuite (reference money-sync §4.4, §4.5): PATCH the
// payment's apply lines to what stays applied (replaceAll=false: each line's
// amount set, the others kept), which reopens the invoice and grows the
// payment's unapplied amount; then a customer refund takes that unapplied
// amount. A refund above it, or a payment apply that would re-use refunded
// money, is refused; deleting the refund gives the money back.
func TestNetSuiteRefunds_UnapplyThenRefundBoundedByUnapplied(t *testing.T) {
	e := start(t, t.TempDir(), paymentTenant())
	ctx := context.Background()
	inv1, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(10, "a")))
	if err != nil {
		t.Fatal(err)
	}
	inv2, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-2", invoiceWith(lines(5, "b")))
	if err != nil {
		t.Fatal(err)
	}
	cust := map[string]any{"id": "10"}
	pay, err := e.ns.Upsert(ctx, netsuite.TypeCustomerPayment, "zuora-payment-p1", map[string]any{"customer": cust, "payment": "15.00",
		"paymentMethod": map[string]any{"id": "7"}, "apply": applyRows([2]any{inv1, "10.00"}, [2]any{inv2, "5.00"})})
	if err != nil {
		t.Fatal(err)
	}
	refund := func(amount string) (string, error) {
		return e.ns.Upsert(ctx, netsuite.TypeCustomerRefund, "zuora-refund-r1", map[string]any{"customer": cust, "tranDate": "2026-03-06",
			"paymentMethod": map[string]any{"id": "7"}, "apply": applyRows([2]any{pay, amount})})
	}
	// Nothing unapplied yet: the refund is refused.
	_, err = refund("4.00")
	wantNSError(t, err, 400, "INVALID_FLD_VALUE", "exceeds its unapplied amount")
	// Unapply 4.00 from invoice 1 (inv2's line untouched: not replaceAll).
	if err := e.ns.Patch(ctx, netsuite.TypeCustomerPayment, pay, map[string]any{"apply": applyRows([2]any{inv1, "6.00"})}); err != nil {
		t.Fatal(err)
	}
	want := func(typ, id, field, v string) {
		t.Helper()
		var got map[string]any
		if err := e.ns.Get(ctx, typ, id, false, &got); err != nil || fmt.Sprint(got[field]) != v {
			t.Fatalf("%s %s %s = %v, want %s (%v)", typ, id, field, got[field], v, err)
		}
	}
	want(netsuite.TypeCustomerPayment, pay, "unapplied", "4.00")
	want(netsuite.TypeInvoice, inv1, "amountRemaining", "4.00")
	want(netsuite.TypeInvoice, inv2, "amountRemaining", "0.00")
	_, err = refund("4.01")
	wantNSError(t, err, 400, "INVALID_FLD_VALUE", "exceeds its unapplied amount")
	rid, err := refund("4.00")
	if err != nil {
		t.Fatal(err)
	}
	want(netsuite.TypeCustomerRefund, rid, "total", "4.00")
	want(netsuite.TypeCustomerPayment, pay, "unapplied", "0.00")
	// The refunded money cannot be applied again.
	err = e.ns.Patch(ctx, netsuite.TypeCustomerPayment, pay, map[string]any{"apply": applyRows([2]any{inv1, "7.00"})})
	wantNSError(t, err, 400, "INVALID_FLD_VALUE", "refunded")
	// The same target again is harmless (the unapply step repeats).
	if err := e.ns.Patch(ctx, netsuite.TypeCustomerPayment, pay, map[string]any{"apply": applyRows([2]any{inv1, "6.00"})}); err != nil {
		t.Fatal(err)
	}
	want(netsuite.TypeInvoice, inv1, "amountRemaining", "4.00")
	// A second refund with the same external id is refused (look before create).
	_, err = e.ns.Create(ctx, netsuite.TypeCustomerRefund, map[string]any{"externalId": "zuora-refund-r1", "customer": cust, "apply": applyRows([2]any{pay, "0.01"})})
	wantNSError(t, err, 400, "DUP_RCRD", "zuora-refund-r1")
	if err := e.ns.Delete(ctx, netsuite.TypeCustomerRefund, rid); err != nil {
		t.Fatal(err)
	}
	want(netsuite.TypeCustomerPayment, pay, "unapplied", "4.00")
}

// What NetSuite refuses on a customer refund, the sandbox refuses.
func TestNetSuiteRefunds_RefusedAsNetSuiteRefuses(t *testing.T) {
	e := start(t, t.TempDir(), paymentTenant())
	ctx := context.Background()
	inv, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(10, "a")))
	if err != nil {
		t.Fatal(err)
	}
	pay, err := e.ns.Upsert(ctx, netsuite.TypeCustomerPayment, "zuora-payment-p1", map[string]any{"customer": map[string]any{"id": "10"}, "payment": "15.00",
		"apply": applyRows([2]any{inv, "10.00"})})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, code, detail string
		body               map[string]any
	}{
		{"no customer", "USER_ERROR", "Customer", map[string]any{"apply": applyRows([2]any{pay, "1.00"})}},
		{"no line", "USER_ERROR", "at least one line", map[string]any{"customer": map[string]any{"id": "10"}}},
		{"an invoice is not refundable", "INVALID_KEY_OR_REF", "neither", map[string]any{"customer": map[string]any{"id": "10"}, "apply": applyRows([2]any{inv, "1.00"})}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.ns.Create(ctx, netsuite.TypeCustomerRefund, c.body)
			wantNSError(t, err, 400, c.code, c.detail)
		})
	}
}
