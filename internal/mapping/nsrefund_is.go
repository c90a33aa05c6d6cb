package mapping

import (
	"fmt"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// NetSuite customer refund → Zuora refund on Invoice Settlement tenants
// (reference money-sync §5 with the IS API): the same procedure, criteria
// and validations as without IS (nsrefund.go), the refund made with
// POST /v1/payments/{paymentKey}/refunds, which refunds only the payment's
// unapplied amount (decided in docs/settings.md: the connector does not
// unapply documents to make room). Tests in nsrefund_is_test.go.

// RuleNSRefundISUnapplied: on IS a payment refund comes from its unapplied amount.
const RuleNSRefundISUnapplied = "NS refund validation (IS): within the Zuora payment's unapplied amount"

// BuildZuoraRefundIS is BuildZuoraRefund plus the IS limit. The payment's
// ZuoraPaymentInvoices counts its applied parts (invoices and debit memos)
// for §5.4's limit.
func BuildZuoraRefundIS(r NSRefund) (ZuoraRefundPlan, []Problem) {
	z, problems := BuildZuoraRefund(r)
	if len(r.Apply) != 1 || r.Apply[0].ZuoraPayment.ID == "" {
		return z, problems
	}
	a := r.Apply[0]
	p := a.ZuoraPayment
	if a.Amount.LessThanOrEqual(p.Amount) && a.Amount.GreaterThan(p.UnappliedAmount) {
		problems = append(problems, Problem{Rule: RuleNSRefundISUnapplied, RecordType: "customerRefund", RecordID: r.ID, Field: "apply",
			Reason: fmt.Sprintf("refunds %s of Zuora payment %s, whose unapplied amount is %s: with Invoice Settlement Zuora refunds only a payment's unapplied amount; "+
				"unapply %s of it from its invoices or debit memos in Zuora, then the next run refunds it",
				a.Amount.StringFixed(2), orNone(p.PaymentNumber), p.UnappliedAmount.StringFixed(2), a.Amount.Sub(p.UnappliedAmount).StringFixed(2))})
	}
	return z, problems
}

// RefundBody is the POST /v1/payments/{paymentKey}/refunds body: External,
// Transferred To Accounting Yes, Origin NETSUITE, IntegrationId__NS (§5.3).
func (z ZuoraRefundPlan) RefundBody(syncDate string) zuora.PaymentRefund {
	b := zuora.PaymentRefund{TotalAmount: z.Amount, Type: "External", MethodType: z.MethodType, RefundDate: z.RefundDate, Comment: z.Comment,
		IntegrationID: z.NetSuiteID, Origin: OriginNetSuite, SyncDate: syncDate}
	b.FinanceInformation.TransferredToAccounting = zuora.TransferYes
	return b
}
