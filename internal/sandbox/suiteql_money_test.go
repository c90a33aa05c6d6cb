package sandbox

import (
	"context"
	"fmt"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// SuiteQL's transaction table shows a customer payment (type CustPymt) with
// its customer as entity and what it applies and leaves open
// (foreignpaymentamountused / unused), as the reconciliation reads it.
func TestSuiteQL_PaymentRowHasCustomerAndAppliedAndUnappliedAmounts(t *testing.T) {
	e := start(t, t.TempDir(), paymentTenant())
	ctx := context.Background()
	inv, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(10, "a")))
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"customer": map[string]any{"id": "10"}, "payment": "20.00", "paymentMethod": map[string]any{"id": "7"},
		"undepFunds": true, "tranDate": "2026-03-05", "apply": applyRows([2]any{inv, "10.00"})}
	id, err := e.ns.Upsert(ctx, netsuite.TypeCustomerPayment, "zuora-payment-p1", body)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.ns.QueryAll(ctx, "SELECT id, type, entity, foreigntotal, foreignpaymentamountused, foreignpaymentamountunused FROM transaction WHERE externalid IN ('zuora-payment-p1', 'inv-1') ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var pay map[string]any
	for _, r := range rows {
		if fmt.Sprint(r["id"]) == id {
			pay = r
		}
	}
	if len(rows) != 2 || pay == nil {
		t.Fatalf("rows %v", rows)
	}
	if fmt.Sprint(pay["type"]) != "CustPymt" || fmt.Sprint(pay["entity"]) != "10" || fmt.Sprint(pay["foreigntotal"]) != "20.00" ||
		fmt.Sprint(pay["foreignpaymentamountused"]) != "10.00" || fmt.Sprint(pay["foreignpaymentamountunused"]) != "10.00" {
		t.Errorf("payment row %v", pay)
	}
}
