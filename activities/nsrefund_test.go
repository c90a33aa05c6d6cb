package activities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// §5.2 validation through the sandboxes: a NetSuite refund of a credit memo
// whose Zuora Refund Payment Reference names no Zuora payment ends Error
// with the reason on the NetSuite refund (Error Creating Refund: …), no
// Zuora refund is made, and the refund stays eligible. A refund with
// Origin ZUORA is skipped without a write.
func TestSyncNetSuiteRefund_UnknownZuoraPaymentEndsErrorWithTheReasonOnTheRefund(t *testing.T) {
	a, _, cust := nsPaymentTenant(t, 64)
	ctx := context.Background()
	s := settings.Default()
	s.Advanced.NetSuiteRefundSync = true
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM item")
	if err != nil || len(rows) == 0 {
		t.Fatalf("items %v (%v)", rows, err)
	}
	newRefund := func(origin string) string {
		t.Helper()
		cm, err := a.NetSuite.Create(ctx, netsuite.TypeCreditMemo, map[string]any{"entity": map[string]any{"id": cust}, "tranDate": "2026-03-09",
			"item":                         map[string]any{"items": []any{map[string]any{"item": map[string]any{"id": fmt.Sprint(rows[0]["id"])}, "quantity": 1, "amount": "7.00"}}},
			"custbody_zuora_create_refund": true, "custbody_zuora_refund_payment_ref": "8a80nosuchpayment"})
		if err != nil {
			t.Fatal(err)
		}
		body := map[string]any{"customer": map[string]any{"id": cust}, "tranDate": "2026-03-09", "paymentMethod": map[string]any{"id": "9001"},
			"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": cm}, "apply": true, "amount": "7.00"}}}}
		if origin != "" {
			body["custbody_zuora_origin"] = origin
		}
		id, err := a.NetSuite.Create(ctx, netsuite.TypeCustomerRefund, body)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	id := newRefund("")
	res, err := a.SyncNetSuiteRefund(ctx, workflows.NetSuiteRefundSyncInput{NetSuiteID: id, Settings: s})
	if err != nil || res.Outcome != workflows.OutcomeError || !strings.Contains(res.Reason, "names Zuora payment 8a80nosuchpayment, which does not exist") {
		t.Fatalf("result %+v (%v)", res, err)
	}
	var row struct {
		Status string `json:"custbody_zuora_integration_status"`
	}
	if err := a.NetSuite.Get(ctx, netsuite.TypeCustomerRefund, id, false, &row); err != nil || !strings.HasPrefix(row.Status, zuora.StatusErrorCreatingRefund+": ") || !strings.Contains(row.Status, "does not exist") {
		t.Fatalf("NetSuite refund status %q (%v)", row.Status, err)
	}
	refunds, err := zuora.QueryAll[zuora.Refund](ctx, a.Zuora, "select Id from Refund where IntegrationId__NS = "+zuora.Quote(id))
	if err != nil || len(refunds) != 0 {
		t.Fatalf("Zuora refunds %v (%v)", refunds, err)
	}
	sel, err := a.SelectNetSuiteRefunds(ctx, workflows.SelectInput{Settings: s, Limit: 10})
	if err != nil || len(sel.Records) != 1 || sel.Records[0].ID != id {
		t.Fatalf("after the Error the refund is not selected again: %+v (%v)", sel, err)
	}

	fromZuora := newRefund("ZUORA")
	res, err = a.SyncNetSuiteRefund(ctx, workflows.NetSuiteRefundSyncInput{NetSuiteID: fromZuora, Settings: s})
	if err != nil || res.Outcome != workflows.OutcomeSkipped || !strings.Contains(res.Reason, "came from Zuora") {
		t.Fatalf("ZUORA-origin refund: %+v (%v)", res, err)
	}
}
