package mapping

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func nsISSettings() settings.Settings {
	s := nsSettings()
	s.Advanced.InvoiceSettlement = true
	return s
}

// A payment of 50.00 with Sync Updates Yes: 30.00 on a Zuora invoice, 10.00
// on a NetSuite invoice made from a Zuora debit memo, 10.00 unapplied.
func nsISPayment() NSPayment {
	p := nsPayment()
	p.SyncUpdates, p.Total, p.Applied, p.AmountRemaining = "Yes", d("50.00"), d("40.00"), d("10.00")
	p.Apply = append(p.Apply, NSApplication{Doc: "302", DocType: "invoice", Amount: d("10.00"),
		ZuoraDebitMemo: zuora.DebitMemo{ID: "zdm-1", Number: "DM-1", AccountID: "acct-1", Balance: d("10.00")}})
	return p
}

func TestNSPaymentISSelection_Rules(t *testing.T) {
	newOnly := nsISSettings()
	newOnly.Advanced.NetSuitePaymentSyncBehavior = settings.SyncNewOnly
	cutover := nsISSettings()
	cutover.Advanced.NetSuitePaymentCutoverDate = "2026-04-01"
	unapplied := func(p *NSPayment) { p.Apply, p.Applied, p.AmountRemaining = nil, decimal.Zero, p.Total }
	cases := []struct {
		rule   string
		change func(*NSPayment)
		s      settings.Settings
		want   string // "" = selected
	}{
		{RuleNSPaymentOrigin, func(p *NSPayment) { p.Origin = "ZUORA" }, nsISSettings(), "came from Zuora"},
		{RuleNSPaymentCustomer, func(p *NSPayment) { p.CustomerZuoraID = "" }, nsISSettings(), "no Zuora Customer ID"},
		{RuleNSPaymentISSyncUpdates, func(p *NSPayment) { p.SyncUpdates = "" }, nsISSettings(), "Zuora Sync Updates is empty, not Yes"},
		{RuleNSPaymentISSyncUpdates + " (No)", func(p *NSPayment) { p.SyncUpdates = "No" }, nsISSettings(), "not Yes"},
		{RuleNSPaymentISSyncUpdates + " (yes, any case)", func(p *NSPayment) { p.SyncUpdates = " yes" }, nsISSettings(), ""},
		{RuleNSPaymentCutover, func(p *NSPayment) {}, cutover, "before the NetSuite Payments cutover date"},
		{RuleNSPaymentISNotComplete, func(p *NSPayment) { p.IntegrationStatus = zuora.StatusSyncComplete }, nsISSettings(), ""},
		{RuleNSPaymentISNotComplete + " (New Only)", func(p *NSPayment) { p.IntegrationStatus = zuora.StatusSyncComplete }, newOnly, "Sync New Records Only"},
		{RuleNSPaymentISApplied + " (debit memo only)", func(p *NSPayment) { p.Apply = p.Apply[1:] }, nsISSettings(), ""},
		{RuleNSPaymentISApplied + " (fully unapplied)", unapplied, nsISSettings(), ""},
		{RuleNSPaymentISApplied + " (no Zuora document)", func(p *NSPayment) {
			p.Apply[0].ZuoraInvoice, p.Apply[1].ZuoraDebitMemo = zuora.Invoice{}, zuora.DebitMemo{}
		}, nsISSettings(), "no invoice or debit memo that came from Zuora"},
		{RuleNSPaymentISApplied + " (partly applied elsewhere)", func(p *NSPayment) {
			unapplied(p)
			p.Applied = d("5.00")
		}, nsISSettings(), "not fully unapplied"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			p := nsISPayment()
			c.change(&p)
			ok, why := NSPaymentSelectableIS(p, c.s, true)
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

// §3.10: the whole NetSuite total goes to Zuora, each application to its
// Zuora invoice or debit memo, the rest unapplied; External, TTA Yes,
// Origin NETSUITE, IntegrationId__NS and Transaction__NS.
func TestNSPaymentISFields_TotalApplicationsAndMarks(t *testing.T) {
	z, problems := BuildZuoraPaymentIS(nsISPayment(), "USD", nsISSettings())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	c := z.Create("2026-03-06")
	if !c.Amount.Equal(d("50")) || c.Currency != "USD" || c.Type != "External" || c.FinanceInformation.TransferredToAccounting != "Yes" ||
		c.Origin != OriginNetSuite || c.IntegrationID != "501" || c.Transaction != "PYMT501" || c.AccountID != "acct-1" || c.PaymentMethodID != "zpm-check" {
		t.Fatalf("create %+v", c)
	}
	if len(c.Invoices) != 1 || c.Invoices[0].InvoiceID != "zi-1" || !c.Invoices[0].Amount.Equal(d("30")) ||
		len(c.DebitMemos) != 1 || c.DebitMemos[0].DebitMemoID != "zdm-1" || !c.DebitMemos[0].Amount.Equal(d("10")) {
		t.Fatalf("applications %+v %+v", c.Invoices, c.DebitMemos)
	}
	if !z.Applied().Equal(d("40")) {
		t.Fatalf("applied %s", z.Applied())
	}
}

func TestNSPaymentISValidation_Rules(t *testing.T) {
	cases := []struct {
		rule   string
		change func(*NSPayment)
		want   string
	}{
		{RuleNSPaymentISInvoicesOnly, func(p *NSPayment) { p.Apply[0].DocType = "Journal" }, "only invoices"},
		{RuleNSPaymentISDocSynced, func(p *NSPayment) { p.Apply[1].ZuoraDebitMemo = zuora.DebitMemo{} }, "no Zuora invoice or debit memo names"},
		{RuleNSPaymentAccount + " (debit memo)", func(p *NSPayment) { p.Apply[1].ZuoraDebitMemo.AccountID = "acct-9" }, "debit memo DM-1 belongs to account acct-9"},
		{RuleNSPaymentAccount + " (invoice)", func(p *NSPayment) { p.Apply[0].ZuoraInvoice.AccountID = "acct-9" }, "invoice INV-zi-1 belongs to account acct-9"},
		{RuleNSPaymentMethod, func(p *NSPayment) { p.PaymentMethod = "9" }, "not mapped"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			p := nsISPayment()
			c.change(&p)
			_, problems := BuildZuoraPaymentIS(p, "USD", nsISSettings())
			if len(problems) != 1 || !strings.Contains(problems[0].Reason, c.want) {
				t.Fatalf("problems %+v, want one with %q", problems, c.want)
			}
		})
	}
}

// §3.9 as decided: the Zuora parts follow the NetSuite applications, as a
// target: unapply the excess, apply what is missing, nothing when equal
// (so a repeat after a crash does only the rest). Parts are summed per
// document and the unapplied part is no application.
func TestNSPaymentISTarget_PartsFollowNetSuite(t *testing.T) {
	z, _ := BuildZuoraPaymentIS(nsISPayment(), "USD", nsISSettings())
	same := []zuora.PaymentPart{{InvoiceID: "zi-1", Amount: d("20")}, {InvoiceID: "zi-1", Amount: d("10")}, {DebitMemoID: "zdm-1", Amount: d("10")}, {Amount: d("10")}}
	if un, ap := PaymentPartsDiff(z, same); !un.Empty() || !ap.Empty() {
		t.Fatalf("parts equal to the target gave %+v / %+v", un, ap)
	}
	// NetSuite moved the 10.00 off the debit memo onto invoice zi-2 and 5 more onto zi-1.
	p := nsISPayment()
	p.Apply[1] = NSApplication{Doc: "303", DocType: "invoice", Amount: d("10"), ZuoraInvoice: zInvoice("zi-2", "acct-1", "10")}
	p.Apply[0].Amount = d("35")
	z, _ = BuildZuoraPaymentIS(p, "USD", nsISSettings())
	un, ap := PaymentPartsDiff(z, same)
	if len(un.Invoices) != 0 || len(un.DebitMemos) != 1 || un.DebitMemos[0].DebitMemoID != "zdm-1" || !un.DebitMemos[0].Amount.Equal(d("10")) {
		t.Fatalf("unapply %+v", un)
	}
	if len(ap.DebitMemos) != 0 || len(ap.Invoices) != 2 || ap.Invoices[0].InvoiceID != "zi-1" || !ap.Invoices[0].Amount.Equal(d("5")) ||
		ap.Invoices[1].InvoiceID != "zi-2" || !ap.Invoices[1].Amount.Equal(d("10")) {
		t.Fatalf("apply %+v", ap)
	}
}

// §3.11: an amount changed after the sync is an Error telling the operator
// to cancel and re-sync; the same amount is no error.
func TestNSPaymentISAmountFixed_ChangedAmountIsAnErrorWithTheWayOut(t *testing.T) {
	p := nsISPayment()
	if why := NSPaymentISAmountChanged(p, "zp-1", d("50.00")); why != "" {
		t.Fatalf("same amount: %q", why)
	}
	why := NSPaymentISAmountChanged(p, "zp-1", d("45.00"))
	if !strings.Contains(why, "from 45.00 to 50.00") || !strings.Contains(why, "cancel Zuora payment zp-1") || !strings.Contains(why, "clear this payment's Zuora Integration Status") {
		t.Fatalf("reason %q", why)
	}
}

// §3.11: a payment moved to another customer's Zuora account after the sync
// is an Error telling the operator to cancel and re-sync; the same account
// is no error.
func TestNSPaymentISAccountFixed_MovedPaymentIsAnErrorWithTheWayOut(t *testing.T) {
	p := nsISPayment()
	if why := NSPaymentISAccountChanged(p, "P-1", "acct-1"); why != "" {
		t.Fatalf("same account: %q", why)
	}
	why := NSPaymentISAccountChanged(p, "P-1", "acct-9")
	if !strings.Contains(why, "stays on account acct-9") || !strings.Contains(why, "cancel Zuora payment P-1") {
		t.Fatalf("reason %q", why)
	}
}
