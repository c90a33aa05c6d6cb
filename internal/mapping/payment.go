package mapping

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Zuora payment → NetSuite customer payment: the rules of
// ../shared/reference/zuora-connector-money-sync.md §1 (tenant without
// Invoice Settlement) and §2 (with it), as pure functions. Each rule has a
// test named after it (payment_test.go).

// Rules of the payment sync.
const (
	RulePaymentProcessed    = "payment selection: status Processed"                  // §1.1
	RulePaymentTransfer     = "payment selection: Transferred To Accounting pending" // §0.3
	RulePaymentCutover      = "payment selection: payment cutover date"              // §0.6
	RulePaymentAccountSyncs = "payment selection: account Sync To NetSuite"          // §1.1
	RulePaymentAccountDone  = "payment selection: account Sync Complete"             // §1.1, without IS only
	RulePaymentCustomer     = "payment validation: customer in NetSuite"             // §1.5, §2.3 unassigned
	RulePaymentMethod       = "payment validation: payment method matches"           // §1.2, §1.6
	RulePaymentDocSynced    = "payment validation: applied documents synced"         // §1.2, §2.1
	RulePaymentOverApplied  = "payment validation: applications within the amount"
	RulePaymentUnapplied    = "payment amount: unapplied payments without IS" // §1.4
	// Invoice Settlement (§2) and classifications (§0.5).
	RulePaymentParts         = "payment applications: payment parts on IS, invoice or debit memo"        // §2.2
	RulePaymentAmountIS      = "payment amount: the whole Zuora amount on IS, the rest unapplied"        // §2.3, §10.1 (decided)
	RulePaymentUnappliedIS   = "payment amount: fully unapplied and unassigned payments sync on IS"      // §2.3, §10.13 (decided)
	RulePaymentLocation      = "payment validation: account Location valid in NetSuite"                  // §1.2, §0.5
	RulePaymentClass         = "payment validation: account Class valid in NetSuite"                     // §1.2, §0.5
	RulePaymentDepartment    = "payment validation: account Department valid in NetSuite"                // §1.2, §0.5
	RulePaymentResyncRewrite = "payment re-sync on IS: the NetSuite payment takes Zuora's current parts" // §2.4, §10.3 (decided)
)

// PaymentFields are the Payment fields the sync reads.
const PaymentFields = "Id, AccountId, Amount, AppliedAmount, UnappliedAmount, Status, Type, EffectiveDate, PaymentNumber, " +
	"PaymentMethodId, ReferenceId, Comment, TransferredToAccounting, CreatedDate, IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS, Origin__NS"

// PaymentSelectionZOQL selects the candidates: Processed, Transferred To
// Accounting pending, on or after the payment cutover date (§1.1). The
// account conditions are checked per record (PaymentSelectable).
func PaymentSelectionZOQL(s settings.Settings) string {
	common := []string{"Status = 'Processed'"}
	if s.Advanced.PaymentCutoverDate != "" {
		common = append(common, "EffectiveDate >= "+zuora.Quote(s.Advanced.PaymentCutoverDate))
	}
	return "select " + PaymentFields + " from Payment where " + transferPending(common...)
}

// PaymentSelectable is §1.1 / §2.1 for one payment. acct is nil for an
// unassigned payment (no account; Invoice Settlement only). It answers
// whether the payment is selected and, if not, why (never an Error: a payment
// not selected waits unchanged, as Zuora's connector leaves it).
func PaymentSelectable(p zuora.Payment, acct *zuora.Account, s settings.Settings) (bool, string) {
	switch {
	case p.Status != "Processed":
		return false, fmt.Sprintf("status is %s; only Processed payments sync", orNone(p.Status))
	case !transferPendingValue(p.TransferredToAccounting):
		return false, fmt.Sprintf("Transferred To Accounting is %s; only No, Error or Processing sync", p.TransferredToAccounting)
	case s.Advanced.PaymentCutoverDate != "" && p.EffectiveDate < s.Advanced.PaymentCutoverDate:
		return false, fmt.Sprintf("effective date %s is before the payment cutover date %s", orNone(p.EffectiveDate), s.Advanced.PaymentCutoverDate)
	case acct == nil && !s.Advanced.InvoiceSettlement:
		// Unassigned payments exist only on Invoice Settlement (§2.3).
		return false, "the payment has no account; unassigned payments sync only on Invoice Settlement tenants"
	case acct == nil:
		return true, ""
	case !AccountSyncs(*acct):
		return false, fmt.Sprintf("account %s has Sync To NetSuite = %s", acct.AccountNumber, acct.SyncToNetSuite)
	case !s.Advanced.InvoiceSettlement && acct.IntegrationStatus != zuora.StatusSyncComplete:
		// §1.1: only the page for tenants without IS states this condition.
		return false, fmt.Sprintf("account %s is not Sync Complete (Integration Status %s)", acct.AccountNumber, orNone(acct.IntegrationStatus))
	}
	return true, ""
}

// SyncedApplication is an application whose document's NetSuite id the
// activity looked up ("" = the document is not in NetSuite yet).
type SyncedApplication struct {
	zuora.PaymentApplication
	NetSuiteID string
}

// CustomerPayment is the NetSuite customer payment a Zuora payment becomes.
type CustomerPayment struct {
	ExternalID    string // zuora-payment-<id>: exactly once (look before create)
	Customer      string // NetSuite customer internal id
	TranDate      string // Payment.EffectiveDate
	Memo          string // Payment.Comment
	PaymentMethod string // NetSuite paymentMethod internal id (settings.PaymentSync)
	Payment       decimal.Decimal
	Apply         []ApplyLine
	// NetSuite internal ids of the account's Class / Department / Location
	// ("" = none): §0.5, the account's value, each a valid NetSuite record.
	Class, Department, Location string
	// Rewrite: on Invoice Settlement an existing NetSuite payment (found by
	// external id) is rewritten to this amount and apply list (§2.4).
	Rewrite bool
	ZuoraID string
	Number  string // Payment.PaymentNumber
}

// ApplyLine is one line of the customer payment's apply sublist.
type ApplyLine struct {
	Doc    string // NetSuite internal id of the invoice (a debit memo is an NS invoice, §7)
	Amount decimal.Decimal
}

// PaymentExternalID is the NetSuite external id of a Zuora payment's customer payment.
func PaymentExternalID(zuoraPaymentID string) string { return "zuora-payment-" + zuoraPaymentID }

// BuildCustomerPayment applies §1.2–§1.6 and §2.2–§2.3. skip is set (with
// no problems) when the payment does not sync yet and stays eligible: a
// payment without applications on a tenant without Invoice Settlement (§1.4).
// Problems end the payment in Error with their reasons; a document not in
// NetSuite yet is one of them, and the next run completes the payment.
//
// l resolves the account's Class / Department / Location names (§0.5: the
// account's value, each a valid NetSuite record, as the invoice sync checks
// them; no connector setting holds defaults, so an empty value is left
// empty and NetSuite applies its own form defaults).
func BuildCustomerPayment(p zuora.Payment, acct *zuora.Account, paymentMethodType string, apps []SyncedApplication, l Lookups, s settings.Settings) (cp CustomerPayment, skip string, problems []Problem) {
	problem := func(rule, field, reason string) {
		problems = append(problems, Problem{Rule: rule, RecordType: zuora.ObjPayment, RecordID: p.ID, Field: field, Reason: reason})
	}
	is := s.Advanced.InvoiceSettlement
	if len(apps) == 0 && !is {
		return cp, "the payment is applied to no invoice: an unapplied payment does not sync on a tenant without Invoice Settlement until it is applied", nil
	}
	cp = CustomerPayment{
		ExternalID: PaymentExternalID(p.ID), TranDate: p.EffectiveDate, Memo: p.Comment,
		ZuoraID: p.ID, Number: p.PaymentNumber, Rewrite: is,
	}
	if acct != nil {
		classify := func(rule, field, what, name string, valid map[string]string) string {
			if name == "" {
				return ""
			}
			id, ok := valid[name]
			if !ok {
				problem(rule, field, fmt.Sprintf("account %s has NetSuite %s %q, which is not a valid NetSuite %s", accountName(*acct), what, name, what))
			}
			return id
		}
		cp.Location = classify(RulePaymentLocation, "Account.Location__NS", "location", acct.Location, l.Locations)
		cp.Class = classify(RulePaymentClass, "Account.Class__NS", "class", acct.Class, l.Classes)
		cp.Department = classify(RulePaymentDepartment, "Account.Department__NS", "department", acct.Department, l.Departments)
	}
	switch {
	case acct == nil && s.Customer.UnassignedPaymentsCustomer == "":
		problem(RulePaymentCustomer, "customerSync.unassignedPaymentsCustomerId",
			"the payment has no account (unassigned) and no Unassigned Payments customer is set (customerSync.unassignedPaymentsCustomerId)")
	case acct == nil:
		cp.Customer = s.Customer.UnassignedPaymentsCustomer
	case acct.IntegrationID == "":
		problem(RulePaymentCustomer, "Account.IntegrationId__NS",
			fmt.Sprintf("account %s has not been synced to NetSuite", acct.AccountNumber))
	default:
		cp.Customer = acct.IntegrationID
	}
	if cp.PaymentMethod = s.Payments.MethodFor(paymentMethodType); cp.PaymentMethod == "" {
		problem(RulePaymentMethod, "paymentSync.methods",
			fmt.Sprintf("no NetSuite payment method for Zuora payment method type %s (NetSuite has no payment method named %s; name one so, or set paymentSync.methods.%s or paymentSync.defaultMethod)",
				orNone(paymentMethodType), orNone(paymentMethodType), orNone(paymentMethodType)))
	}
	applied := decimal.Zero
	var missing []string
	for _, a := range apps {
		applied = applied.Add(a.Amount)
		if a.NetSuiteID == "" {
			missing = append(missing, docLabel(a.PaymentApplication))
			continue
		}
		cp.Apply = append(cp.Apply, ApplyLine{Doc: a.NetSuiteID, Amount: a.Amount})
	}
	if len(missing) > 0 {
		problem(RulePaymentDocSynced, "IntegrationId__NS",
			fmt.Sprintf("applied to %s not in NetSuite yet; the next run completes the payment", strings.Join(missing, ", ")))
	}
	if applied.GreaterThan(p.Amount) {
		problem(RulePaymentOverApplied, "Amount", fmt.Sprintf("applications total %s, more than the payment's %s", applied, p.Amount))
	}
	// §1.4 without IS: the NS amount is the applied total (overpayments are not
	// synced). §2.3 with IS (UNCERTAIN in the reference, decided in
	// docs/settings.md): the whole Zuora amount, the rest unapplied in NetSuite,
	// so each account's open balance is equal in both systems.
	cp.Payment = applied
	if is {
		cp.Payment = p.Amount
	}
	return cp, "", problems
}

// PaymentPartApplications are a payment's applications from its parts
// (§2.2, Invoice Settlement): a part names an invoice or a debit memo; the
// part naming neither is the payment's unapplied part (payments OpenAPI:
// "a payment can consist of an unapplied part, and several parts applied to
// invoices and debit memos"), which is no application.
func PaymentPartApplications(parts []zuora.PaymentPart) []zuora.PaymentApplication {
	var out []zuora.PaymentApplication
	for _, pt := range parts {
		switch {
		case pt.InvoiceID != "":
			out = append(out, zuora.PaymentApplication{DocType: zuora.DocInvoice, DocID: pt.InvoiceID, Amount: pt.Amount})
		case pt.DebitMemoID != "":
			out = append(out, zuora.PaymentApplication{DocType: zuora.DocDebitMemo, DocID: pt.DebitMemoID, Amount: pt.Amount})
		}
	}
	return out
}

func docLabel(a zuora.PaymentApplication) string {
	what := "invoice"
	if a.DocType == zuora.DocDebitMemo {
		what = "debit memo"
	}
	return what + " " + firstNonEmptyString(a.DocNumber, a.DocID)
}

func firstNonEmptyString(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
