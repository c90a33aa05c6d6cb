package mapping

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func nsSettings() settings.Settings {
	s := settings.Default()
	s.Advanced.NetSuitePaymentSync = true
	s.Payments.NetSuiteMethods = map[string]string{"2": "zpm-check"}
	return s
}

func zInvoice(id, acct, balance string) zuora.Invoice {
	return zuora.Invoice{ID: id, InvoiceNumber: "INV-" + id, AccountID: acct, Balance: decimal.RequireFromString(balance)}
}

// A fully applied NetSuite payment of a synced customer, applied to one
// Zuora invoice.
func nsPayment() NSPayment {
	return NSPayment{ID: "501", TranID: "PYMT501", Customer: "10", CustomerZuoraID: "acct-1", TranDate: "2026-03-05", Memo: "wire 77",
		PaymentMethod: "2", Total: decimal.RequireFromString("30.00"), AmountRemaining: decimal.Zero,
		Apply: []NSApplication{{Doc: "301", DocType: "invoice", Amount: decimal.RequireFromString("30.00"), ZuoraInvoice: zInvoice("zi-1", "acct-1", "30.00")}}}
}

func TestNSPaymentSelection_Rules(t *testing.T) {
	cutover := nsSettings()
	cutover.Advanced.NetSuitePaymentCutoverDate = "2026-04-01"
	cases := []struct {
		rule   string
		change func(*NSPayment)
		s      settings.Settings
		want   string // "" = selected
	}{
		{RuleNSPaymentOrigin, func(p *NSPayment) { p.Origin = "ZUORA" }, nsSettings(), "came from Zuora"},
		{RuleNSPaymentOrigin + " (external id)", func(p *NSPayment) { p.ExternalID = "zuora-payment-8a80" }, nsSettings(), "came from Zuora"},
		{RuleNSPaymentOrigin + " (NETSUITE syncs)", func(p *NSPayment) { p.Origin = "NETSUITE" }, nsSettings(), ""},
		{RuleNSPaymentCustomer, func(p *NSPayment) { p.CustomerZuoraID = "" }, nsSettings(), "no Zuora Customer ID"},
		{RuleNSPaymentSyncComplete, func(p *NSPayment) { p.IntegrationStatus = zuora.StatusSyncComplete }, nsSettings(), "Sync Complete"},
		{RuleNSPaymentSyncComplete + " (Error Creating Payment is retried)", func(p *NSPayment) { p.IntegrationStatus = "Error Creating Payment: x" }, nsSettings(), ""},
		{RuleNSPaymentCutover, func(p *NSPayment) {}, cutover, "before the NetSuite Payments cutover date 2026-04-01"},
		{RuleNSPaymentCutover + " (on the date)", func(p *NSPayment) { p.TranDate = "2026-04-01" }, cutover, ""},
		{RuleNSPaymentFullyApplied, func(p *NSPayment) { p.AmountRemaining = decimal.RequireFromString("5.00") }, nsSettings(), "not fully applied (5.00 unapplied)"},
		{RuleNSPaymentZuoraInvoice, func(p *NSPayment) { p.Apply[0].ZuoraInvoice = zuora.Invoice{} }, nsSettings(), "no invoice that came from Zuora"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			p := nsPayment()
			c.change(&p)
			ok, why := NSPaymentSelectable(p, c.s, true)
			if c.want == "" {
				if !ok {
					t.Fatalf("not selected: %s", why)
				}
				return
			}
			if ok || !strings.Contains(why, c.want) {
				t.Fatalf("selected %v, %q; want not selected with %q", ok, why, c.want)
			}
		})
	}
}

// The selection page has no applications yet: the application rule waits
// for the record's own check.
func TestNSPaymentSelection_ZuoraInvoiceCheckedWithApplicationsOnly(t *testing.T) {
	p := nsPayment()
	p.Apply = nil
	if ok, why := NSPaymentSelectable(p, nsSettings(), false); !ok {
		t.Fatalf("header-only selection refused: %s", why)
	}
	if ok, _ := NSPaymentSelectable(p, nsSettings(), true); ok {
		t.Fatal("a payment applied to no Zuora invoice was selected")
	}
}

func TestNSPaymentValidation_Rules(t *testing.T) {
	cases := []struct {
		rule   string
		change func(*NSPayment)
		want   string
	}{
		{RuleNSPaymentMethod, func(p *NSPayment) { p.PaymentMethod = "9" }, "NetSuite payment method 9 is not mapped"},
		{RuleNSPaymentInvoicesOnly, func(p *NSPayment) { p.Apply[0].DocType = "journalEntry" }, "only invoices sync"},
		{RuleNSPaymentInvoiceSynced, func(p *NSPayment) {
			p.Apply = append(p.Apply, NSApplication{Doc: "302", DocType: "invoice", Amount: decimal.RequireFromString("1.00")})
		}, "NetSuite invoice 302, which no Zuora invoice names"},
		{RuleNSPaymentAccount, func(p *NSPayment) { p.Apply[0].ZuoraInvoice.AccountID = "acct-2" }, "belongs to account acct-2"},
		{RuleNSPaymentBalance, func(p *NSPayment) { p.Apply[0].ZuoraInvoice.Balance = decimal.RequireFromString("29.99") }, "whose balance is 29.99"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			p := nsPayment()
			c.change(&p)
			_, problems := BuildZuoraPayment(p, nsSettings())
			if len(problems) != 1 || problems[0].Rule != c.rule || !strings.Contains(problems[0].Reason, c.want) {
				t.Fatalf("problems %+v; want one %q with %q", problems, c.rule, c.want)
			}
		})
	}
}

// §3.4/§3.5: one Zuora payment for a multi-invoice NetSuite payment, its
// amount the sum of the applications; External, Draft first; Transferred To
// Accounting Yes (loop prevention, §0.4); IntegrationId__NS the NetSuite
// internal id (the idempotency key); Origin__NS NETSUITE.
func TestNSPaymentFields_OnePaymentPerNSPaymentTTAYesIntegrationIDOrigin(t *testing.T) {
	p := nsPayment()
	p.Apply = append(p.Apply, NSApplication{Doc: "302", DocType: "invoice", Amount: decimal.RequireFromString("12.50"), ZuoraInvoice: zInvoice("zi-2", "acct-1", "40.00")})
	z, problems := BuildZuoraPayment(p, nsSettings())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if !z.Amount.Equal(decimal.RequireFromString("42.50")) || len(z.Invoices) != 2 || z.Invoices[1].InvoiceID != "zi-2" || !z.Invoices[1].Amount.Equal(decimal.RequireFromString("12.50")) {
		t.Fatalf("plan %+v", z)
	}
	f := z.CreateFields()
	want := map[string]any{"AccountId": "acct-1", "Amount": "42.50", "EffectiveDate": "2026-03-05", "PaymentMethodId": "zpm-check", "Type": "External",
		"Status": "Draft", "TransferredToAccounting": "Yes", "IntegrationId__NS": "501", "Origin__NS": "NETSUITE", "Comment": "wire 77", "Transaction__NS": "PYMT501"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %v, want %v", k, f[k], v)
		}
	}
}
