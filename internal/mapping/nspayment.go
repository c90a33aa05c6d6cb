package mapping

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// NetSuite customer payment → Zuora payment (reference
// zuora-connector-money-sync.md §3, tenant without Invoice Settlement), as
// pure functions. Each rule has a test named after it (nspayment_test.go).

// Rules of the NetSuite → Zuora payment sync.
const (
	RuleNSPaymentOrigin        = "NS payment selection: Zuora Origin not ZUORA (loop prevention)" // §0.4, §3.1
	RuleNSPaymentCustomer      = "NS payment selection: customer synced (Zuora Customer ID set)"  // §3.1
	RuleNSPaymentSyncComplete  = "NS payment selection: Integration Status not Sync Complete"     // §3.1, §3.3
	RuleNSPaymentCutover       = "NS payment selection: NetSuite Payments cutover date"           // §0.6
	RuleNSPaymentFullyApplied  = "NS payment selection: fully applied"                            // §3.1
	RuleNSPaymentZuoraInvoice  = "NS payment selection: applied to a Zuora invoice"               // §3.1
	RuleNSPaymentInvoicesOnly  = "NS payment validation: applied to invoices only"                // §3.1, §3.8
	RuleNSPaymentInvoiceSynced = "NS payment validation: applied invoices synced from Zuora"      // §3.2
	RuleNSPaymentAccount       = "NS payment validation: invoices of the customer's Zuora account"
	RuleNSPaymentBalance       = "NS payment validation: within the Zuora invoice balance"
	RuleNSPaymentMethod        = "NS payment validation: payment method mapped" // §3.2
)

// OriginZuora is the Zuora Origin of records the connector made from Zuora
// (§0.4; OriginNetSuite is creditmemo.go's).
const OriginZuora = "ZUORA"

// NSPayment is a NetSuite customer payment as the sync reads it: the header
// from SuiteQL (transaction, type CustPymt), the applications from the
// record's apply sublist, each with the Zuora invoice it pays.
type NSPayment struct {
	ID                string // NetSuite internal id: the idempotency key (IntegrationId__NS)
	TranID            string
	ExternalID        string
	Customer          string // NetSuite customer internal id
	CustomerZuoraID   string // the customer's Zuora Customer ID (custentity): its Zuora account
	TranDate          string // YYYY-MM-DD
	Memo              string
	PaymentMethod     string // NetSuite paymentMethod internal id
	Total             decimal.Decimal
	AmountRemaining   decimal.Decimal // what the payment leaves unapplied
	Origin            string          // Zuora Origin body field
	IntegrationStatus string          // Zuora Integration Status body field
	SyncUpdates       string          // Zuora Sync Updates body field (Invoice Settlement tenants, §3.7)
	Applied           decimal.Decimal // the record's applied amount (Invoice Settlement: fully unapplied = 0)
	Apply             []NSApplication // applied rows only
}

// NSApplication is one applied row of the NetSuite payment.
type NSApplication struct {
	Doc           string // NetSuite internal id of the applied document
	DocExternalID string // its external id (zuora-debitmemo-<id> for a NetSuite invoice made from a Zuora debit memo)
	DocType       string // NetSuite record type ("invoice"; anything else is not an invoice, e.g. a journal)
	Amount        decimal.Decimal
	// The Zuora invoice whose IntegrationId__NS names Doc (ID "" = none).
	ZuoraInvoice zuora.Invoice
	// On Invoice Settlement tenants: the Zuora debit memo Doc was made from
	// (its external id names it, its IntegrationId__NS names Doc; ID "" = none).
	ZuoraDebitMemo zuora.DebitMemo
}

// ZuoraPaymentExternalIDPrefix is the external id prefix of the NetSuite
// payments the Zuora → NetSuite payment sync creates (mapping.PaymentExternalID).
const ZuoraPaymentExternalIDPrefix = "zuora-payment-"

// NSPaymentFromZuora: the payment came from Zuora (Origin ZUORA, or made by
// the Zuora → NetSuite sync, which names it by its external id). Such a
// payment is never synced back (§0.4).
func NSPaymentFromZuora(p NSPayment) bool {
	return strings.EqualFold(p.Origin, OriginZuora) || strings.HasPrefix(p.ExternalID, ZuoraPaymentExternalIDPrefix)
}

// NSPaymentSelectable is §3.1 for one payment: whether it is selected and,
// if not, why (never an Error: a payment not selected waits unchanged).
// withApply: p.Apply has been read (the selection page reads headers only;
// the record's sync checks again with its applications).
func NSPaymentSelectable(p NSPayment, s settings.Settings, withApply bool) (bool, string) {
	cut := s.Advanced.NetSuitePaymentCutoverDate
	switch {
	case NSPaymentFromZuora(p):
		return false, "the payment came from Zuora (Zuora Origin ZUORA or a zuora-payment- external id): it is never synced back"
	case p.CustomerZuoraID == "":
		return false, fmt.Sprintf("customer %s has no Zuora Customer ID: it has not been synced", orNone(p.Customer))
	case p.IntegrationStatus == zuora.StatusSyncComplete:
		// §3.1 (without Invoice Settlement): Sync Complete is never picked up
		// again, whichever the Payment Sync Behaviour (§3.3, §3.11).
		return false, "Zuora Integration Status is Sync Complete"
	case cut != "" && p.TranDate < cut:
		return false, fmt.Sprintf("date %s is before the NetSuite Payments cutover date %s", orNone(p.TranDate), cut)
	case !p.AmountRemaining.IsZero():
		return false, fmt.Sprintf("the payment is not fully applied (%s unapplied); without Invoice Settlement only fully applied payments sync", p.AmountRemaining.StringFixed(2))
	}
	if withApply {
		for _, a := range p.Apply {
			if a.ZuoraInvoice.ID != "" {
				return true, ""
			}
		}
		return false, "the payment is applied to no invoice that came from Zuora"
	}
	return true, ""
}

// ZuoraPaymentPlan is the Zuora payment a NetSuite payment becomes (§3.4, §3.5).
type ZuoraPaymentPlan struct {
	AccountID       string
	Amount          decimal.Decimal // the sum of the applied amounts (§3.5)
	EffectiveDate   string
	PaymentMethodID string
	Comment         string
	NetSuiteID      string // IntegrationId__NS
	TranID          string // Transaction__NS
	Invoices        []ZuoraInvoicePayment
}

// ZuoraInvoicePayment is one invoice payment of the Zuora payment.
type ZuoraInvoicePayment struct {
	InvoiceID string
	Number    string
	Amount    decimal.Decimal
}

// CreateFields are the Payment fields of the create (POST /v1/object/payment):
// a Draft External payment (§3.4), Transferred To Accounting Yes from the
// start so the Zuora → NetSuite payment sync never picks it up (§0.4), and
// Origin__NS NETSUITE (UNCERTAIN §0.4, decided in docs/settings.md).
func (z ZuoraPaymentPlan) CreateFields() map[string]any {
	f := map[string]any{
		"AccountId": z.AccountID, "Amount": z.Amount.StringFixed(2), "EffectiveDate": z.EffectiveDate,
		"PaymentMethodId": z.PaymentMethodID, "Type": "External", "Status": "Draft",
		"TransferredToAccounting": zuora.TransferYes, "IntegrationId__NS": z.NetSuiteID, "Origin__NS": OriginNetSuite,
	}
	if z.Comment != "" {
		f["Comment"] = z.Comment
	}
	if z.TranID != "" {
		f["Transaction__NS"] = z.TranID
	}
	return f
}

// BuildZuoraPayment applies §3.1's application rules and §3.2's
// validations to a selected payment. Problems end the payment in Error
// with their reasons on the NetSuite payment.
func BuildZuoraPayment(p NSPayment, s settings.Settings) (ZuoraPaymentPlan, []Problem) {
	var problems []Problem
	problem := func(rule, field, reason string) {
		problems = append(problems, Problem{Rule: rule, RecordType: "customerPayment", RecordID: p.ID, Field: field, Reason: reason})
	}
	z := ZuoraPaymentPlan{AccountID: p.CustomerZuoraID, EffectiveDate: p.TranDate, Comment: p.Memo, NetSuiteID: p.ID, TranID: p.TranID}
	if z.PaymentMethodID = s.Payments.ZuoraMethodFor(p.PaymentMethod); z.PaymentMethodID == "" {
		problem(RuleNSPaymentMethod, "paymentSync.netSuiteMethods",
			fmt.Sprintf("NetSuite payment method %s is not mapped to a Zuora payment method (set paymentSync.netSuiteMethods.%s)", orNone(p.PaymentMethod), orNone(p.PaymentMethod)))
	}
	perInvoice := map[string]decimal.Decimal{}
	for _, a := range p.Apply {
		z.Amount = z.Amount.Add(a.Amount)
		inv := a.ZuoraInvoice
		switch {
		case a.DocType != "" && a.DocType != "invoice":
			problem(RuleNSPaymentInvoicesOnly, "apply", fmt.Sprintf("applied to NetSuite %s %s: only invoices sync to Zuora (not journals or other documents)", a.DocType, a.Doc))
			continue
		case inv.ID == "":
			problem(RuleNSPaymentInvoiceSynced, "apply", fmt.Sprintf("applied to NetSuite invoice %s, which no Zuora invoice names in IntegrationId__NS", a.Doc))
			continue
		case inv.AccountID != p.CustomerZuoraID:
			problem(RuleNSPaymentAccount, "apply", fmt.Sprintf("Zuora invoice %s belongs to account %s, not the customer's Zuora account %s", inv.InvoiceNumber, inv.AccountID, p.CustomerZuoraID))
			continue
		}
		perInvoice[inv.ID] = perInvoice[inv.ID].Add(a.Amount)
		if perInvoice[inv.ID].GreaterThan(inv.Balance) {
			problem(RuleNSPaymentBalance, "apply", fmt.Sprintf("applies %s to Zuora invoice %s, whose balance is %s", perInvoice[inv.ID].StringFixed(2), inv.InvoiceNumber, inv.Balance.StringFixed(2)))
		}
		z.Invoices = append(z.Invoices, ZuoraInvoicePayment{InvoiceID: inv.ID, Number: inv.InvoiceNumber, Amount: a.Amount})
	}
	return z, problems
}
