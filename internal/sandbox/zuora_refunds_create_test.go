package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// processedPayment pays the given invoices of acc1 (invoice id → amount)
// the SOAP way and returns the Processed payment's id.
func processedPayment(t *testing.T, e *env, amount string, apply map[string]string) string {
	t.Helper()
	ctx := context.Background()
	id, err := e.z.CreateObject(ctx, zuora.ObjPayment, draftPayment("acc1", amount), "")
	if err != nil {
		t.Fatal(err)
	}
	for inv, amt := range apply {
		if _, err := e.z.CreateObject(ctx, zuora.ObjInvoicePayment, map[string]any{"PaymentId": id, "InvoiceId": inv, "Amount": amt}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjPayment, id, map[string]any{"Status": "Processed"}); err != nil {
		t.Fatal(err)
	}
	return id
}

func externalRefund(payment, amount string) map[string]any {
	return map[string]any{"Type": "External", "SourceType": "Payment", "PaymentId": payment, "Amount": amount, "RefundDate": "2026-03-09",
		"MethodType": "Check", "TransferredToAccounting": "Yes", "IntegrationId__NS": "701", "Origin__NS": "NETSUITE"}
}

// An External refund of a Processed payment is Processed at once, of the
// payment's account, and raises the payment's RefundAmount; a second
// refund beyond what is left is refused (no double refund).
func TestZuoraRefundCreate_ExternalPaymentRefundBookedOnThePayment(t *testing.T) {
	e := start(t, t.TempDir(), paymentsTenant())
	ctx := context.Background()
	pay := processedPayment(t, e, "20.00", map[string]string{"inv1": "20.00"})
	id, err := e.z.CreateObject(ctx, zuora.ObjRefund, externalRefund(pay, "15.00"), "")
	if err != nil {
		t.Fatal(err)
	}
	var r zuora.Refund
	if err := e.z.GetObject(ctx, zuora.ObjRefund, id, &r); err != nil || r.AccountID != "acc1" || r.Status != "Processed" || r.RefundNumber == "" ||
		r.IntegrationID != "701" || r.Origin != "NETSUITE" || r.TransferredToAccounting != "Yes" || !r.Amount.Equal(dec("15")) {
		t.Fatalf("refund %+v (%v)", r, err)
	}
	var p struct{ RefundAmount decimal.Decimal }
	if err := e.z.GetObject(ctx, zuora.ObjPayment, pay, &p); err != nil || !p.RefundAmount.Equal(dec("15")) {
		t.Fatalf("payment %+v (%v)", p, err)
	}
	if _, err := e.z.CreateObject(ctx, zuora.ObjRefund, externalRefund(pay, "5.01"), ""); err == nil || !strings.Contains(err.Error(), "refundable amount 5.00") {
		t.Fatalf("a refund beyond the refundable amount: %v", err)
	}
}

// What Zuora refuses, the sandbox refuses (docs/wire.md, "Refunds created
// in Zuora").
func TestZuoraRefundCreate_RefusesWhatZuoraRefuses(t *testing.T) {
	e := start(t, t.TempDir(), paymentsTenant())
	ctx := context.Background()
	pay := processedPayment(t, e, "20.00", map[string]string{"inv1": "20.00"})
	multi := processedPayment(t, e, "30.00", map[string]string{"inv1": "10.00", "inv3": "20.00"})
	draft, err := e.z.CreateObject(ctx, zuora.ObjPayment, draftPayment("acc1", "5.00"), "")
	if err != nil {
		t.Fatal(err)
	}
	with := func(base map[string]any, k string, v any) map[string]any {
		base[k] = v
		return base
	}
	cases := map[string]struct {
		fields map[string]any
		want   string
	}{
		"unknown payment":             {externalRefund("nope", "1.00"), `PaymentId "nope" is not a payment`},
		"draft payment":               {externalRefund(draft, "1.00"), "only Processed payments are refunded"},
		"more than the payment":       {externalRefund(pay, "20.01"), "more than payment"},
		"electronic":                  {with(externalRefund(pay, "1.00"), "Type", "Electronic"), "needs a payment gateway"},
		"no method type":              {with(externalRefund(pay, "1.00"), "MethodType", ""), "MethodType"},
		"method type not Zuora":       {with(externalRefund(pay, "1.00"), "MethodType", "Gift Card"), "MethodType"},
		"credit balance source":       {with(externalRefund(pay, "1.00"), "SourceType", "CreditBalance"), "refunds of payments only"},
		"account on a payment refund": {with(externalRefund(pay, "1.00"), "AccountId", "acc1"), "AccountId is specified only"},
		"before the payment date":     {with(externalRefund(pay, "1.00"), "RefundDate", "2026-03-04"), "cannot be before the payment date 2026-03-05"},
		"partial of a multi-invoice":  {externalRefund(multi, "29.99"), "applied to 2 invoices"},
		"zero":                        {externalRefund(pay, "0"), "must be a positive number"},
	}
	for name, c := range cases {
		if _, err := e.z.CreateObject(ctx, zuora.ObjRefund, c.fields, ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", name, err, c.want)
		}
	}
	// The full amount of a multi-invoice payment is not a partial refund.
	if _, err := e.z.CreateObject(ctx, zuora.ObjRefund, externalRefund(multi, "30.00"), ""); err != nil {
		t.Fatalf("full refund of a multi-invoice payment: %v", err)
	}
}
