package mapping

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// NetSuite customer payment → Zuora payment on Invoice Settlement tenants
// (reference zuora-connector-money-sync.md §3.7–§3.10): the payment may be
// applied to invoices and to debit memos (which reached NetSuite as
// invoices, §7) or be fully unapplied; its whole total goes to Zuora, the
// rest of it unapplied there; later NetSuite applies and unapplies keep
// syncing (§3.9). Each rule has a test named after it (nspayment_is_test.go).

// Rules of the NetSuite → Zuora payment sync on Invoice Settlement tenants.
const (
	RuleNSPaymentISSyncUpdates  = "NS payment selection (IS): Zuora Sync Updates is Yes"                                    // §3.7
	RuleNSPaymentISApplied      = "NS payment selection (IS): applied to a Zuora invoice or debit memo, or fully unapplied" // §3.7
	RuleNSPaymentISNotComplete  = "NS payment selection (IS): Sync Complete is picked again unless Sync New Records Only"   // §3.7, §3.9
	RuleNSPaymentISDocSynced    = "NS payment validation (IS): applied documents synced from Zuora"                         // §3.8
	RuleNSPaymentISInvoicesOnly = "NS payment validation (IS): applied to invoices only"                                    // §3.8
	RuleNSPaymentISAmountFixed  = "NS payment change (IS): the amount of a processed Zuora payment does not change"         // §3.9, §3.11
	RuleNSPaymentISAccountFixed = "NS payment change (IS): a processed Zuora payment does not change account"               // §3.11
	RuleNSPaymentISTarget       = "NS payment change (IS): the Zuora parts follow the NetSuite applications"                // §3.9
)

// NSPaymentSyncUpdatesYes: Zuora Sync Updates holds Yes. The field is the
// connector's free-form body field (settings netsuite.fields.syncUpdates);
// anything but Yes, blank included, is not Yes (§3.7: records without a
// value are not picked up).
func NSPaymentSyncUpdatesYes(v string) bool { return strings.EqualFold(strings.TrimSpace(v), "Yes") }

// NSPaymentSelectableIS is §3.7 for one payment. withApply: p.Apply and
// p.Applied have been read (the selection page reads headers only).
func NSPaymentSelectableIS(p NSPayment, s settings.Settings, withApply bool) (bool, string) {
	cut := s.Advanced.NetSuitePaymentCutoverDate
	switch {
	case NSPaymentFromZuora(p):
		return false, "the payment came from Zuora (Zuora Origin ZUORA or a zuora-payment- external id): it is never synced back"
	case p.CustomerZuoraID == "":
		return false, fmt.Sprintf("customer %s has no Zuora Customer ID: it has not been synced", orNone(p.Customer))
	case !NSPaymentSyncUpdatesYes(p.SyncUpdates):
		return false, fmt.Sprintf("Zuora Sync Updates is %s, not Yes: on Invoice Settlement tenants only payments with Yes are synced", orNone(p.SyncUpdates))
	case cut != "" && p.TranDate < cut:
		return false, fmt.Sprintf("date %s is before the NetSuite Payments cutover date %s", orNone(p.TranDate), cut)
	case p.IntegrationStatus == zuora.StatusSyncComplete && s.Advanced.NetSuitePaymentSyncBehavior == settings.SyncNewOnly:
		// §3.9: with IS, Sync Complete is picked again (changes keep
		// syncing) unless the behaviour is Sync New Records Only.
		return false, "Zuora Integration Status is Sync Complete and the Payment Sync Behaviour is Sync New Records Only"
	}
	if !withApply {
		return true, ""
	}
	for _, a := range p.Apply {
		if a.ZuoraInvoice.ID != "" || a.ZuoraDebitMemo.ID != "" {
			return true, ""
		}
	}
	if len(p.Apply) == 0 && p.Applied.IsZero() && p.AmountRemaining.IsPositive() {
		return true, ""
	}
	return false, "the payment is applied to no invoice or debit memo that came from Zuora, and is not fully unapplied"
}

// ZuoraPaymentISPlan is the Zuora payment a NetSuite payment is on an IS
// tenant: POST /v1/payments, then the target of later applies/unapplies.
type ZuoraPaymentISPlan struct {
	AccountID       string
	Currency        string
	Amount          decimal.Decimal // the NetSuite payment total (§3.10)
	PaymentMethodID string
	Comment         string
	NetSuiteID      string // IntegrationId__NS
	TranID          string // Transaction__NS
	// Target: what the payment holds on each Zuora document (id → amount);
	// what is not applied stays unapplied in Zuora.
	Invoices   map[string]decimal.Decimal
	DebitMemos map[string]decimal.Decimal
}

// Applied is the sum of the target applications.
func (z ZuoraPaymentISPlan) Applied() decimal.Decimal {
	sum := decimal.Zero
	for _, a := range z.Invoices {
		sum = sum.Add(a)
	}
	for _, a := range z.DebitMemos {
		sum = sum.Add(a)
	}
	return sum
}

// Create is the POST /v1/payments body: External, Transferred To
// Accounting Yes from the start (§0.4, §3.10), Origin__NS NETSUITE.
func (z ZuoraPaymentISPlan) Create(syncDate string) zuora.PaymentCreate {
	c := zuora.PaymentCreate{AccountID: z.AccountID, Amount: z.Amount, Currency: z.Currency, Type: "External", PaymentMethodID: z.PaymentMethodID,
		Comment: z.Comment, IntegrationID: z.NetSuiteID, Origin: OriginNetSuite, Transaction: z.TranID, SyncDate: syncDate}
	c.FinanceInformation.TransferredToAccounting = zuora.TransferYes
	for _, id := range sortedKeys(z.Invoices) {
		c.Invoices = append(c.Invoices, zuora.PaymentInvoiceApplication{InvoiceID: id, Amount: z.Invoices[id]})
	}
	for _, id := range sortedKeys(z.DebitMemos) {
		c.DebitMemos = append(c.DebitMemos, zuora.PaymentDebitMemoApplication{DebitMemoID: id, Amount: z.DebitMemos[id]})
	}
	return c
}

func sortedKeys(m map[string]decimal.Decimal) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// BuildZuoraPaymentIS applies §3.8's validations and §3.10's fields to a
// selected payment. currency is the Zuora account's. Problems end the
// payment in Error with their reasons on the NetSuite payment.
func BuildZuoraPaymentIS(p NSPayment, currency string, s settings.Settings) (ZuoraPaymentISPlan, []Problem) {
	var problems []Problem
	problem := func(rule, field, reason string) {
		problems = append(problems, Problem{Rule: rule, RecordType: "customerPayment", RecordID: p.ID, Field: field, Reason: reason})
	}
	z := ZuoraPaymentISPlan{AccountID: p.CustomerZuoraID, Currency: currency, Amount: p.Total, Comment: p.Memo, NetSuiteID: p.ID, TranID: p.TranID,
		Invoices: map[string]decimal.Decimal{}, DebitMemos: map[string]decimal.Decimal{}}
	if z.PaymentMethodID = s.Payments.ZuoraMethodFor(p.PaymentMethod); z.PaymentMethodID == "" {
		problem(RuleNSPaymentMethod, "paymentSync.netSuiteMethods",
			fmt.Sprintf("NetSuite payment method %s is not mapped to a Zuora payment method (set paymentSync.netSuiteMethods.%s)", orNone(p.PaymentMethod), orNone(p.PaymentMethod)))
	}
	for _, a := range p.Apply {
		inv, dm := a.ZuoraInvoice, a.ZuoraDebitMemo
		switch {
		case a.DocType != "" && a.DocType != "invoice":
			problem(RuleNSPaymentISInvoicesOnly, "apply", fmt.Sprintf("applied to NetSuite %s %s: only invoices (from Zuora invoices or debit memos) sync to Zuora, not journals or other documents", a.DocType, a.Doc))
		case inv.ID != "" && inv.AccountID != p.CustomerZuoraID:
			problem(RuleNSPaymentAccount, "apply", fmt.Sprintf("Zuora invoice %s belongs to account %s, not the customer's Zuora account %s", inv.InvoiceNumber, inv.AccountID, p.CustomerZuoraID))
		case inv.ID != "":
			z.Invoices[inv.ID] = z.Invoices[inv.ID].Add(a.Amount)
		case dm.ID != "" && dm.AccountID != p.CustomerZuoraID:
			problem(RuleNSPaymentAccount, "apply", fmt.Sprintf("Zuora debit memo %s belongs to account %s, not the customer's Zuora account %s", dm.Number, dm.AccountID, p.CustomerZuoraID))
		case dm.ID != "":
			z.DebitMemos[dm.ID] = z.DebitMemos[dm.ID].Add(a.Amount)
		default:
			problem(RuleNSPaymentISDocSynced, "apply", fmt.Sprintf("applied to NetSuite invoice %s, which no Zuora invoice or debit memo names in IntegrationId__NS", a.Doc))
		}
	}
	return z, problems
}

// PaymentPartsByDoc sums a Zuora payment's parts per document (the
// unapplied part, with neither id, is left out).
func PaymentPartsByDoc(parts []zuora.PaymentPart) (invoices, debitMemos map[string]decimal.Decimal) {
	invoices, debitMemos = map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	for _, p := range parts {
		switch {
		case p.InvoiceID != "":
			invoices[p.InvoiceID] = invoices[p.InvoiceID].Add(p.Amount)
		case p.DebitMemoID != "":
			debitMemos[p.DebitMemoID] = debitMemos[p.DebitMemoID].Add(p.Amount)
		}
	}
	return invoices, debitMemos
}

// PaymentPartsDiff is what takes a Zuora payment from its parts to the
// plan's target (§3.9, decided in docs/settings.md): unapply what it holds
// beyond the target, then apply what it lacks. Computed from Zuora's current
// parts each time, so repeating it after a crash does the rest only.
func PaymentPartsDiff(z ZuoraPaymentISPlan, parts []zuora.PaymentPart) (unapply, apply zuora.PaymentApplications) {
	haveInv, haveDM := PaymentPartsByDoc(parts)
	for _, id := range sortedKeys(union(haveInv, z.Invoices)) {
		switch d := z.Invoices[id].Sub(haveInv[id]); {
		case d.IsNegative():
			unapply.Invoices = append(unapply.Invoices, zuora.PaymentInvoiceApplication{InvoiceID: id, Amount: d.Neg()})
		case d.IsPositive():
			apply.Invoices = append(apply.Invoices, zuora.PaymentInvoiceApplication{InvoiceID: id, Amount: d})
		}
	}
	for _, id := range sortedKeys(union(haveDM, z.DebitMemos)) {
		switch d := z.DebitMemos[id].Sub(haveDM[id]); {
		case d.IsNegative():
			unapply.DebitMemos = append(unapply.DebitMemos, zuora.PaymentDebitMemoApplication{DebitMemoID: id, Amount: d.Neg()})
		case d.IsPositive():
			apply.DebitMemos = append(apply.DebitMemos, zuora.PaymentDebitMemoApplication{DebitMemoID: id, Amount: d})
		}
	}
	return unapply, apply
}

func union(a, b map[string]decimal.Decimal) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for k := range a {
		out[k] = decimal.Zero
	}
	for k := range b {
		out[k] = decimal.Zero
	}
	return out
}

// NSPaymentISAmountChanged: the NetSuite total is not the Zuora payment's
// amount any more. Zuora does not change the amount of a processed payment
// (§3.11: cancel it and re-sync), so the payment ends in Error with the
// operator's way out.
func NSPaymentISAmountChanged(p NSPayment, zuoraPaymentID string, zuoraAmount decimal.Decimal) string {
	if p.Total.Equal(zuoraAmount) {
		return ""
	}
	return fmt.Sprintf("the NetSuite payment amount changed from %s to %s after it was synced; Zuora cannot change the amount of processed payment %s: "+
		"cancel Zuora payment %s, then clear this payment's Zuora Integration Status and Zuora ID in NetSuite so the next run creates it again",
		zuoraAmount.StringFixed(2), p.Total.StringFixed(2), zuoraPaymentID, zuoraPaymentID)
}

// NSPaymentISAccountChanged: the NetSuite payment's customer is now another
// Zuora account than its Zuora payment's. Zuora does not move a processed
// payment between accounts; like an amount change it is cancelled and
// re-synced (§3.11).
func NSPaymentISAccountChanged(p NSPayment, zuoraPaymentNumber, zuoraAccountID string) string {
	if zuoraAccountID == "" || zuoraAccountID == p.CustomerZuoraID {
		return ""
	}
	return fmt.Sprintf("the NetSuite payment moved to customer %s (Zuora account %s) after it was synced; Zuora payment %s stays on account %s: "+
		"cancel Zuora payment %s, then clear this payment's Zuora Integration Status and Zuora ID in NetSuite so the next run creates it again",
		orNone(p.Customer), p.CustomerZuoraID, zuoraPaymentNumber, zuoraAccountID, zuoraPaymentNumber)
}
