package mapping

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// NetSuite customer refund → Zuora refund (reference
// zuora-connector-money-sync.md §5, tenant without Invoice Settlement), as
// pure functions. Each rule has a test named after it (nsrefund_test.go).

// Rules of the NetSuite → Zuora refund sync.
const (
	RuleNSRefundOrigin         = "NS refund selection: not made by the Zuora refund sync (loop prevention)" // §0.4
	RuleNSRefundCustomer       = "NS refund selection: customer synced (Zuora Customer ID set)"             // §5.2
	RuleNSRefundSyncComplete   = "NS refund selection: Integration Status not Sync Complete"                // §5.2
	RuleNSRefundCutover        = "NS refund selection: NetSuite Refunds cutover date"                       // §0.6
	RuleNSRefundFullyApplied   = "NS refund selection: fully applied"                                       // §5.2
	RuleNSRefundCreateTicked   = "NS refund selection: credit memo has Create Zuora Refund ticked"          // §5.2
	RuleNSRefundOneCreditMemo  = "NS refund validation: applied to exactly one credit memo"                 // §5.2
	RuleNSRefundPaymentValid   = "NS refund validation: a valid Zuora payment selected"                     // §5.2
	RuleNSRefundPaymentAccount = "NS refund validation: the payment is the customer's Zuora account's"
	RuleNSRefundAmount         = "NS refund validation: amount within the payment's amount"                         // §5.2
	RuleNSRefundPartialMulti   = "NS refund validation: no partial refund of a payment applied to several invoices" // §5.4
	RuleNSRefundMethodType     = "NS refund validation: payment method is a Zuora refund MethodType"                // §5.3
)

// ZuoraRefundExternalIDPrefix is the external id prefix of the NetSuite
// customer refunds the Zuora → NetSuite refund sync creates (RefundExternalID).
const ZuoraRefundExternalIDPrefix = "zuora-refund-"

// NSRefund is a NetSuite customer refund as the sync reads it: the header
// from SuiteQL (transaction, type CustRfnd), the applications from the
// record's apply sublist, each credit memo with its Zuora Refund tab.
type NSRefund struct {
	ID                string // NetSuite internal id: the idempotency key (IntegrationId__NS)
	TranID            string
	ExternalID        string
	Customer          string // NetSuite customer internal id
	CustomerZuoraID   string // the customer's Zuora Customer ID (custentity): its Zuora account
	TranDate          string // YYYY-MM-DD
	Memo              string
	PaymentMethodName string // the NetSuite paymentMethod's name (§5.3: MethodType)
	Total             decimal.Decimal
	AmountRemaining   decimal.Decimal // what the refund leaves unapplied
	Origin            string          // Zuora Origin body field
	IntegrationStatus string          // Zuora Integration Status body field
	Apply             []NSRefundApplication
}

// NSRefundApplication is one applied row of the NetSuite refund.
type NSRefundApplication struct {
	Doc     string // NetSuite internal id of the applied document
	DocType string // NetSuite record type ("creditMemo"; anything else is refused)
	Amount  decimal.Decimal
	// The credit memo's Zuora Refund tab (§5.1): Create Zuora Refund and
	// Zuora Refund Payment Reference (the Zuora payment id).
	CreateZuoraRefund bool
	PaymentRef        string
	// The Zuora payment PaymentRef names, as read (ID "" = no such payment),
	// and how many invoices it was applied to (§5.4).
	ZuoraPayment         zuora.Payment
	ZuoraPaymentInvoices int
}

// NSRefundFromZuora: the refund was made by the Zuora → NetSuite refund sync
// (Origin ZUORA, or its zuora-refund- external id). Such a refund is never
// synced back (§0.4).
func NSRefundFromZuora(r NSRefund) bool {
	return strings.EqualFold(r.Origin, OriginZuora) || strings.HasPrefix(r.ExternalID, ZuoraRefundExternalIDPrefix)
}

// NSRefundSelectable is §5.2's criteria for one refund: whether it is
// selected and, if not, why (never an Error: a refund not selected waits
// unchanged). withApply: r.Apply has been read (the selection page reads
// headers only; the record's sync checks again with its applications).
func NSRefundSelectable(r NSRefund, s settings.Settings, withApply bool) (bool, string) {
	cut := s.Advanced.NetSuiteRefundCutoverDate
	switch {
	case NSRefundFromZuora(r):
		return false, "the refund came from Zuora (Zuora Origin ZUORA or a zuora-refund- external id): it is never synced back"
	case r.CustomerZuoraID == "":
		return false, fmt.Sprintf("customer %s has no Zuora Customer ID: it has not been synced", orNone(r.Customer))
	case r.IntegrationStatus == zuora.StatusSyncComplete:
		return false, "Zuora Integration Status is Sync Complete"
	case cut != "" && r.TranDate < cut:
		return false, fmt.Sprintf("date %s is before the NetSuite Refunds cutover date %s", orNone(r.TranDate), cut)
	case !r.AmountRemaining.IsZero():
		return false, fmt.Sprintf("the refund is not fully applied (%s unapplied)", r.AmountRemaining.StringFixed(2))
	}
	if withApply {
		for _, a := range r.Apply {
			if a.DocType == "creditMemo" && a.CreateZuoraRefund {
				return true, ""
			}
		}
		return false, "the refund is applied to no credit memo with Create Zuora Refund ticked"
	}
	return true, ""
}

// ZuoraRefundPlan is the Zuora refund a NetSuite refund becomes (§5.3).
type ZuoraRefundPlan struct {
	PaymentID  string
	Amount     decimal.Decimal // the applied amount
	RefundDate string
	MethodType string
	Comment    string
	NetSuiteID string // IntegrationId__NS: the look-before-create key
	CreditMemo string // NetSuite credit memo internal id (its Integration Status is written back too)
}

// CreateFields are the Refund fields of the create (POST /v1/object/refund):
// an External refund of a Payment, Transferred To Accounting Yes so the
// Zuora → NetSuite refund sync never picks it up (§0.4), Origin__NS
// NETSUITE, IntegrationId__NS the NetSuite id. No Transaction__NS: Zuora's
// RefundObjectNSFields has none (docs/settings.md).
func (z ZuoraRefundPlan) CreateFields() map[string]any {
	f := map[string]any{
		"Type": "External", "SourceType": zuora.RefundSourcePayment, "PaymentId": z.PaymentID, "Amount": z.Amount.StringFixed(2),
		"RefundDate": z.RefundDate, "MethodType": z.MethodType,
		"TransferredToAccounting": zuora.TransferYes, "IntegrationId__NS": z.NetSuiteID, "Origin__NS": OriginNetSuite,
	}
	if z.Comment != "" {
		f["Comment"] = z.Comment
	}
	return f
}

// refundMethodTypes are the MethodType values of an External refund
// (Zuora ProxyCreateRefund.MethodType).
var refundMethodTypes = []string{"ACH", "Cash", "Check", "CreditCard", "Other", "PayPal", "WireTransfer", "DebitCard", "CreditCardReferenceTransaction"}

// RefundMethodType is the Zuora MethodType a NetSuite payment method name
// means, compared without case and spaces ("Wire Transfer" → WireTransfer);
// "" = none (the refund ends in Error rather than be booked as Other).
func RefundMethodType(nsName string) string {
	n := strings.ToLower(strings.ReplaceAll(nsName, " ", ""))
	for _, m := range refundMethodTypes {
		if strings.ToLower(m) == n {
			return m
		}
	}
	return ""
}

// BuildZuoraRefund applies §5.2's validations (and §5.4's limit) to a
// selected refund. Problems end the refund in Error with their reasons on
// the NetSuite refund.
func BuildZuoraRefund(r NSRefund) (ZuoraRefundPlan, []Problem) {
	var problems []Problem
	problem := func(rule, field, reason string) {
		problems = append(problems, Problem{Rule: rule, RecordType: "customerRefund", RecordID: r.ID, Field: field, Reason: reason})
	}
	z := ZuoraRefundPlan{RefundDate: r.TranDate, Comment: r.Memo, NetSuiteID: r.ID}
	if z.MethodType = RefundMethodType(r.PaymentMethodName); z.MethodType == "" {
		problem(RuleNSRefundMethodType, "paymentMethod", fmt.Sprintf("NetSuite payment method %q is not a Zuora refund method type (one of %s)", r.PaymentMethodName, strings.Join(refundMethodTypes, ", ")))
	}
	if len(r.Apply) != 1 || r.Apply[0].DocType != "creditMemo" {
		docs := make([]string, 0, len(r.Apply))
		for _, a := range r.Apply {
			docs = append(docs, a.DocType+" "+a.Doc)
		}
		problem(RuleNSRefundOneCreditMemo, "apply", fmt.Sprintf("the refund must be applied to exactly one credit memo; it is applied to [%s]", strings.Join(docs, ", ")))
		return z, problems
	}
	a := r.Apply[0]
	z.Amount, z.CreditMemo, z.PaymentID = a.Amount, a.Doc, a.PaymentRef
	p := a.ZuoraPayment
	switch {
	case a.PaymentRef == "":
		problem(RuleNSRefundPaymentValid, "refundPaymentRef", fmt.Sprintf("credit memo %s has no Zuora Refund Payment Reference", a.Doc))
	case p.ID == "":
		problem(RuleNSRefundPaymentValid, "refundPaymentRef", fmt.Sprintf("credit memo %s names Zuora payment %s, which does not exist", a.Doc, a.PaymentRef))
	case p.AccountID != r.CustomerZuoraID:
		problem(RuleNSRefundPaymentAccount, "refundPaymentRef", fmt.Sprintf("Zuora payment %s belongs to account %s, not the customer's Zuora account %s", a.PaymentRef, p.AccountID, r.CustomerZuoraID))
	case a.Amount.GreaterThan(p.Amount):
		problem(RuleNSRefundAmount, "apply", fmt.Sprintf("refunds %s, more than Zuora payment %s's amount %s", a.Amount.StringFixed(2), a.PaymentRef, p.Amount.StringFixed(2)))
	case a.Amount.LessThan(p.Amount) && a.ZuoraPaymentInvoices > 1:
		problem(RuleNSRefundPartialMulti, "apply", fmt.Sprintf("refunds %s of Zuora payment %s (%s), which was applied to %d invoices: a partial refund of such a payment is entered in Zuora by hand",
			a.Amount.StringFixed(2), a.PaymentRef, p.Amount.StringFixed(2), a.ZuoraPaymentInvoices))
	}
	return z, problems
}
