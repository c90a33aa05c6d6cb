package mapping

import (
	"strings"
	"testing"
)

// On IS the refund must fit the Zuora payment's unapplied amount; the
// reason tells how much to unapply. The other validations stay.
func TestNSRefundISUnapplied_WithinThePaymentsUnappliedAmount(t *testing.T) {
	r := nsRefund()
	r.Apply[0].ZuoraPayment.PaymentNumber = "P-1"
	r.Apply[0].ZuoraPayment.UnappliedAmount = d("20.00")
	if _, problems := BuildZuoraRefundIS(r); len(problems) != 0 {
		t.Fatalf("a refund of exactly the unapplied amount: %+v", problems)
	}
	r.Apply[0].ZuoraPayment.UnappliedAmount = d("15.00")
	_, problems := BuildZuoraRefundIS(r)
	if len(problems) != 1 || problems[0].Rule != RuleNSRefundISUnapplied || !strings.Contains(problems[0].Reason, "unapplied amount is 15.00") ||
		!strings.Contains(problems[0].Reason, "unapply 5.00") {
		t.Fatalf("problems %+v", problems)
	}
	r.Apply[0].PaymentRef, r.Apply[0].ZuoraPayment.ID = "", ""
	if _, problems := BuildZuoraRefundIS(r); len(problems) != 1 || problems[0].Rule != RuleNSRefundPaymentValid {
		t.Fatalf("no payment: %+v", problems)
	}
}

// §5.3 on IS: External, the method type, the refund date, TTA Yes, Origin
// NETSUITE and IntegrationId__NS in the POST /v1/payments/{key}/refunds body.
func TestNSRefundISFields_RefundBody(t *testing.T) {
	z, _ := BuildZuoraRefundIS(nsRefund())
	b := z.RefundBody("2026-03-10T00:00:00Z")
	if !b.TotalAmount.Equal(d("20")) || b.Type != "External" || b.MethodType != "Check" || b.RefundDate != "2026-03-09" || b.Comment != "goodwill" ||
		b.FinanceInformation.TransferredToAccounting != "Yes" || b.Origin != OriginNetSuite || b.IntegrationID != "701" || z.PaymentID != "zp-1" {
		t.Fatalf("body %+v (payment %s)", b, z.PaymentID)
	}
}
