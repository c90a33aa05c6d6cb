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

// §4.7 through the activities on a generated IS tenant (no Temporal): the
// refund of a payment Zuora unapplied in full and then refunded. Step 1
// reads the payment's parts (InvoicePayment and RefundInvoicePayment, which
// the IS tenant refuses, are not read), its target is the parts (none left);
// step 2 makes the customer refund of the whole amount, leaving the NetSuite
// payment with Zuora's unapplied amount (0). Repeated, step 1 skips a synced
// refund and step 2 finds the refund by external id.
func TestUnapplyRefundPaymentIS_TargetIsThePartsRefundOnce(t *testing.T) {
	f := generated(t, "seed=5,accounts=4,invoices=20,items=1-2,tax=0,is=true,debitmemos=4,creditmemos=4,payments=10,refunds=5")
	var refundID, paymentID string
	var amount decimal.Decimal
	for _, r := range f.Zuora.Objects["Refund"] {
		if r["Status"] != "Processed" {
			continue
		}
		for _, p := range f.Zuora.Objects["Payment"] {
			if p["Id"] == r["PaymentId"] && fmt.Sprint(p["AppliedAmount"]) == "0.00" && fmt.Sprint(p["UnappliedAmount"]) == "0.00" && refundID == "" {
				refundID, paymentID, amount = r["Id"].(string), p["Id"].(string), decimal.RequireFromString(fmt.Sprint(r["Amount"]))
			}
		}
	}
	if refundID == "" {
		t.Fatal("no refund of a payment unapplied in full generated")
	}
	a, _ := sandboxTenant(t, f)
	ctx := context.Background()
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	s.Payments.DefaultMethod = fmt.Sprint(f.NetSuite.Records[netsuite.TypePaymentMethod][0]["id"])

	pay, err := a.SyncPayment(ctx, workflows.PaymentSyncInput{PaymentID: paymentID, Settings: s})
	if err != nil || pay.Outcome != workflows.OutcomeSynced {
		t.Fatalf("payment: %+v %v", pay, err)
	}
	plan, err := a.UnapplyRefundPayment(ctx, workflows.RefundSyncInput{RefundID: refundID, Settings: s})
	if err != nil || plan.Outcome != "" {
		t.Fatalf("step 1 on IS: %+v %v", plan, err)
	}
	if len(plan.PaymentApply) != 0 || plan.Refund.Payment != pay.NetSuiteID || !plan.Refund.Amount.Equal(amount) {
		t.Fatalf("step 1 plan %+v; want no apply line, payment %s, amount %s", plan, pay.NetSuiteID, amount)
	}
	res, err := a.CreateCustomerRefund(ctx, workflows.RefundStepInput{Settings: s, Plan: plan})
	if err != nil || res.Outcome != workflows.OutcomeSynced {
		t.Fatalf("step 2: %+v %v", res, err)
	}
	rec := nsPaymentRec(t, a, pay.NetSuiteID)
	var rows int
	if ap, ok := rec["apply"].(map[string]any); ok {
		if items, ok := ap["items"].([]any); ok {
			rows = len(items)
		}
	}
	if rows != 0 {
		t.Fatalf("NetSuite payment applies %d rows; Zuora's payment has no part", rows)
	}
	again, err := a.UnapplyRefundPayment(ctx, workflows.RefundSyncInput{RefundID: refundID, Settings: s})
	if err != nil || again.Outcome != workflows.OutcomeSkipped {
		t.Fatalf("step 1 of a synced refund: %+v %v", again, err)
	}
	plan.Number = "retry"
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjRefund, refundID, map[string]any{"TransferredToAccounting": zuora.TransferProcessing}); err != nil {
		t.Fatal(err)
	}
	twice, err := a.CreateCustomerRefund(ctx, workflows.RefundStepInput{Settings: s, Plan: plan})
	if err != nil || twice.NetSuiteID != res.NetSuiteID {
		t.Fatalf("step 2 again: %+v %v, want the same NetSuite refund %s", twice, err, res.NetSuiteID)
	}
}
