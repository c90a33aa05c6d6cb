package mapping

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Zuora refund → NetSuite customer refund: the rules of
// ../shared/reference/zuora-connector-money-sync.md §4 (tenant without
// Invoice Settlement), as pure functions. Each rule has a test named after
// it (refund_test.go). Decisions on the reference's UNCERTAIN points are in
// docs/settings.md ("Refunds").
const (
	RuleRefundProcessed     = "refund selection: status Processed"                  // §4.2, §10 item 4
	RuleRefundTransfer      = "refund selection: Transferred To Accounting pending" // §0.3
	RuleRefundCutover       = "refund selection: refund cutover date"               // §4.2, §0.6
	RuleRefundAccountSyncs  = "refund selection: account Sync To NetSuite"          // §4.2
	RuleRefundPaymentSource = "refund selection: payment refunds only"              // §4.1
	RuleRefundMethod        = "refund validation: payment method matches"           // §4.3
	RuleRefundPaymentSynced = "refund validation: refunded payment synced"          // §4.3
	RuleRefundAccount       = "refund validation: account synced, Class/Department/Location valid"
	RuleRefundInvoiceSynced = "refund validation: the payment's invoices synced"
	RuleRefundParts         = "refund validation: refunded invoice parts add up to the refund"
	RuleRefundTargetApply   = "refund payment: apply lines = InvoicePayment.Amount - RefundAmount" // §4.5
	RuleRefundFields        = "refund fields: customer refund of the payment's unapplied amount"   // §4.5
	// Invoice Settlement (§4.7, decided in docs/settings.md).
	RuleRefundISTargetApply = "refund payment on IS: apply lines = the payment's current parts"
	RuleRefundISUnapplied   = "refund payment on IS: the refund within what the parts leave unapplied"
)

// RefundFields are the Refund fields the sync reads (SOAP Refund object).
const RefundFields = "Id, AccountId, PaymentId, Amount, Status, Type, SourceType, MethodType, RefundNumber, RefundDate, ReferenceID, Comment, " +
	"TransferredToAccounting, CreatedDate, UpdatedDate, IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS, Origin__NS"

// RefundSelectionZOQL selects the candidates: payment refunds, Processed,
// Transferred To Accounting pending, on or after the refund cutover date
// (§4.1, §4.2). Credit-balance and credit-memo refunds are never selected:
// they stay untouched in Zuora (docs/settings.md). The account condition is
// checked per record (RefundSelectable).
func RefundSelectionZOQL(s settings.Settings) string {
	common := []string{"Status = 'Processed'", "SourceType = '" + zuora.RefundSourcePayment + "'"}
	if s.Advanced.RefundCutoverDate != "" {
		common = append(common, "RefundDate >= "+zuora.Quote(s.Advanced.RefundCutoverDate))
	}
	return "select " + RefundFields + " from Refund where " + transferPending(common...)
}

// RefundSelectable is §4.1 / §4.2 for one refund with its account, checked
// again right before the sync. A refund not selected waits unchanged.
func RefundSelectable(r zuora.Refund, acct zuora.Account, s settings.Settings) (bool, string) {
	switch {
	case r.SourceType != zuora.RefundSourcePayment:
		return false, fmt.Sprintf("source type is %s; only refunds of payments sync (credit-balance and credit-memo refunds are not supported)", orNone(r.SourceType))
	case r.Status != "Processed":
		return false, fmt.Sprintf("status is %s; only Processed refunds sync", orNone(r.Status))
	case !transferPendingValue(r.TransferredToAccounting):
		return false, fmt.Sprintf("Transferred To Accounting is %s; only No, Error or Processing sync", r.TransferredToAccounting)
	case s.Advanced.RefundCutoverDate != "" && r.RefundDate < s.Advanced.RefundCutoverDate:
		return false, fmt.Sprintf("refund date %s is before the refund cutover date %s", orNone(r.RefundDate), s.Advanced.RefundCutoverDate)
	case !AccountSyncs(acct):
		return false, fmt.Sprintf("account %s has Sync To NetSuite = %s", acct.AccountNumber, acct.SyncToNetSuite)
	}
	return true, ""
}

// RefundedApplication is one InvoicePayment of the refunded payment, with
// its invoice's NetSuite id ("" = not in NetSuite).
type RefundedApplication struct {
	InvoicePaymentID string
	InvoiceNumber    string
	NetSuiteID       string
	Amount           decimal.Decimal // InvoicePayment.Amount
	RefundAmount     decimal.Decimal // InvoicePayment.RefundAmount: all refunds so far
}

// CustomerRefund is the NetSuite customer refund a Zuora refund becomes.
type CustomerRefund struct {
	ExternalID    string // zuora-refund-<id>: exactly once (look before create)
	Customer      string // Account.IntegrationId__NS
	Payment       string // Payment.IntegrationId__NS, the apply line's doc
	Amount        decimal.Decimal
	TranDate      string // Refund.RefundDate
	Memo          string // Refund.Comment
	PaymentMethod string // NetSuite paymentMethod for Refund.MethodType
	Class         string // NetSuite internal ids from the account's names (§0.5)
	Department    string
	Location      string
	ZuoraID       string
	Number        string
}

// RefundPlan is what a refund's two NetSuite steps write.
type RefundPlan struct {
	// PaymentApply is the NetSuite payment's apply lines after the refund:
	// a target state, so setting it again changes nothing (step 1).
	PaymentApply []ApplyLine
	Refund       CustomerRefund // step 2
}

// RefundExternalID is the NetSuite external id of a Zuora refund's customer refund.
func RefundExternalID(zuoraRefundID string) string { return "zuora-refund-" + zuoraRefundID }

// BuildRefund applies §4.3 and §4.5. pay is the refunded payment (nil when
// Zuora has none); apps its InvoicePayments; parts the refund's
// RefundInvoicePayments. Problems end the refund in Error with their reasons.
//
// A partial refund of a payment applied to several invoices syncs:
// RefundInvoicePayment says how much of each invoice application was
// refunded, and the target apply lines follow InvoicePayment.RefundAmount,
// so each NetSuite invoice reopens by exactly what Zuora reopened.
func BuildRefund(r zuora.Refund, acct zuora.Account, pay *zuora.Payment, apps []RefundedApplication, parts []zuora.RefundInvoicePayment,
	l Lookups, s settings.Settings) (RefundPlan, []Problem) {
	plan, ps, stop := refundHeader(r, acct, pay, l, s)
	if stop {
		return plan, ps
	}
	problem := func(rule, field, reason string) {
		ps = append(ps, Problem{Rule: rule, RecordType: zuora.ObjRefund, RecordID: r.ID, Field: field, Reason: reason})
	}

	// §4.5 step 1: what stays applied to each invoice after all refunds so far.
	byDoc := map[string]decimal.Decimal{}
	byIP := map[string]RefundedApplication{}
	var missing []string
	for _, a := range apps {
		byIP[a.InvoicePaymentID] = a
		left := a.Amount.Sub(a.RefundAmount)
		if left.IsNegative() {
			problem(RuleRefundTargetApply, "InvoicePayment.RefundAmount", fmt.Sprintf("invoice %s: refunded %s is more than the %s applied", a.InvoiceNumber, a.RefundAmount, a.Amount))
			continue
		}
		if a.NetSuiteID == "" {
			missing = append(missing, "invoice "+a.InvoiceNumber)
			continue
		}
		byDoc[a.NetSuiteID] = byDoc[a.NetSuiteID].Add(left)
	}
	if len(missing) > 0 {
		problem(RuleRefundInvoiceSynced, "Invoice.IntegrationId__NS", fmt.Sprintf("the payment is applied to %s, not in NetSuite", strings.Join(missing, ", ")))
	}
	docs := make([]string, 0, len(byDoc))
	for d := range byDoc {
		docs = append(docs, d)
	}
	sort.Strings(docs)
	for _, d := range docs {
		plan.PaymentApply = append(plan.PaymentApply, ApplyLine{Doc: d, Amount: byDoc[d]})
	}

	// The refund's parts: each an application of this payment, together the
	// refund's amount, each within what Zuora shows refunded from it.
	sum := decimal.Zero
	for _, p := range parts {
		sum = sum.Add(p.RefundAmount)
		a, ok := byIP[p.InvoicePaymentID]
		switch {
		case !ok:
			problem(RuleRefundParts, "RefundInvoicePayment.InvoicePaymentId", fmt.Sprintf("the refund refunds invoice payment %s, which is not an application of payment %s", p.InvoicePaymentID, pay.PaymentNumber))
		case p.RefundAmount.GreaterThan(a.RefundAmount):
			problem(RuleRefundParts, "RefundInvoicePayment.RefundAmount", fmt.Sprintf("the refund takes %s from invoice %s, whose application shows only %s refunded", p.RefundAmount, a.InvoiceNumber, a.RefundAmount))
		}
	}
	if !sum.Equal(r.Amount) {
		problem(RuleRefundParts, "RefundInvoicePayment", fmt.Sprintf("the refund's invoice parts total %s, not the refund's %s: Zuora does not say which invoices it reopens", sum, r.Amount))
	}
	return plan, ps
}

// refundHeader is the customer refund's fields and the checks every refund
// shares (§4.3, §4.5). stop: there is no payment to go on with.
func refundHeader(r zuora.Refund, acct zuora.Account, pay *zuora.Payment, l Lookups, s settings.Settings) (plan RefundPlan, ps []Problem, stop bool) {
	problem := func(rule, field, reason string) {
		ps = append(ps, Problem{Rule: rule, RecordType: zuora.ObjRefund, RecordID: r.ID, Field: field, Reason: reason})
	}
	plan = RefundPlan{Refund: CustomerRefund{
		ExternalID: RefundExternalID(r.ID), Customer: acct.IntegrationID, Amount: r.Amount, TranDate: r.RefundDate,
		Memo: r.Comment, ZuoraID: r.ID, Number: r.RefundNumber,
		Class: l.Classes[acct.Class], Department: l.Departments[acct.Department], Location: l.Locations[acct.Location],
	}}
	for _, p := range ValidateAccount(acct, l) {
		p.Rule = RuleRefundAccount + " (" + p.Rule + ")"
		ps = append(ps, p)
	}
	if plan.Refund.PaymentMethod = s.Payments.MethodFor(r.MethodType); plan.Refund.PaymentMethod == "" {
		problem(RuleRefundMethod, "paymentSync.methods", fmt.Sprintf("no NetSuite payment method for Zuora refund method type %s (NetSuite has no payment method named %s; name one so, or set paymentSync.methods.%s or paymentSync.defaultMethod)",
			orNone(r.MethodType), orNone(r.MethodType), orNone(r.MethodType)))
	}
	switch {
	case pay == nil:
		problem(RuleRefundPaymentSynced, "PaymentId", fmt.Sprintf("the refunded payment %s does not exist in Zuora", orNone(r.PaymentID)))
		return plan, ps, true
	case pay.IntegrationID == "":
		problem(RuleRefundPaymentSynced, "Payment.IntegrationId__NS", fmt.Sprintf(
			"the refunded payment %s has not been synced to NetSuite; the next run syncs the refund once the payment is", firstNonEmptyString(pay.PaymentNumber, pay.ID)))
	default:
		plan.Refund.Payment = pay.IntegrationID
	}
	if !r.Amount.IsPositive() {
		problem(RuleRefundFields, "Amount", fmt.Sprintf("the refund amount %s is not positive", r.Amount))
	}

	return plan, ps, false
}

// BuildRefundIS is BuildRefund on an Invoice Settlement tenant (§4.7,
// decided in docs/settings.md). Zuora refunds an IS payment only from its
// unapplied amount: what was applied is unapplied first (a change of the
// payment's parts). So step 1 sets the NetSuite payment's apply lines to the
// payment's CURRENT parts (apps, from GET /v1/payments/{key}/parts, the
// unapplied part left out), as the IS payment sync writes them: what Zuora
// unapplied before the refund is unapplied in NetSuite too, and the NetSuite
// payment (Zuora's whole amount) keeps unapplied at least what Zuora has
// refunded from it. A target state again: setting it twice changes nothing.
func BuildRefundIS(r zuora.Refund, acct zuora.Account, pay *zuora.Payment, apps []SyncedApplication, l Lookups, s settings.Settings) (RefundPlan, []Problem) {
	plan, ps, stop := refundHeader(r, acct, pay, l, s)
	if stop {
		return plan, ps
	}
	problem := func(rule, field, reason string) {
		ps = append(ps, Problem{Rule: rule, RecordType: zuora.ObjRefund, RecordID: r.ID, Field: field, Reason: reason})
	}
	byDoc := map[string]decimal.Decimal{}
	applied := decimal.Zero
	var missing []string
	for _, a := range apps {
		applied = applied.Add(a.Amount)
		if a.NetSuiteID == "" {
			missing = append(missing, docLabel(a.PaymentApplication))
			continue
		}
		byDoc[a.NetSuiteID] = byDoc[a.NetSuiteID].Add(a.Amount)
	}
	if len(missing) > 0 {
		problem(RuleRefundISTargetApply, "IntegrationId__NS", fmt.Sprintf("the payment is applied to %s, not in NetSuite", strings.Join(missing, ", ")))
	}
	docs := make([]string, 0, len(byDoc))
	for d := range byDoc {
		docs = append(docs, d)
	}
	sort.Strings(docs)
	for _, d := range docs {
		plan.PaymentApply = append(plan.PaymentApply, ApplyLine{Doc: d, Amount: byDoc[d]})
	}
	// The NetSuite payment carries Zuora's Amount (§2.3); after the target
	// its unapplied amount is Amount - applied, which must hold the refund.
	if free := pay.Amount.Sub(applied); r.Amount.GreaterThan(free) {
		problem(RuleRefundISUnapplied, "Payment.UnappliedAmount", fmt.Sprintf(
			"the refund of %s is more than the %s payment %s leaves unapplied after its parts (%s applied of %s)",
			r.Amount, free, firstNonEmptyString(pay.PaymentNumber, pay.ID), applied, pay.Amount))
	}
	return plan, ps
}
