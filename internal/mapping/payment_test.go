package mapping

import (
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func processedPayment() zuora.Payment {
	return zuora.Payment{ID: "p1", AccountID: "a1", Amount: d("100.00"), Status: "Processed", EffectiveDate: "2026-03-05",
		PaymentNumber: "P-1", PaymentFields: zuora.PaymentFields{Comment: "thanks"}}
}

func payAccount() *zuora.Account {
	return &zuora.Account{ID: "a1", AccountNumber: "A-1", NSFields: zuora.NSFields{IntegrationID: "501", IntegrationStatus: zuora.StatusSyncComplete}}
}

func paySettings(is bool) settings.Settings {
	s := settings.Default()
	s.Advanced.InvoiceSettlement = is
	s.Payments = settings.PaymentSync{Methods: map[string]string{"Check": "2"}}
	return s
}

func app(docID, number, amount, nsID string) SyncedApplication {
	return SyncedApplication{PaymentApplication: zuora.PaymentApplication{DocType: zuora.DocInvoice, DocID: docID, DocNumber: number, Amount: d(amount)}, NetSuiteID: nsID}
}

// §1.1, §0.3, §0.6: the selection rules, one row each.
func TestPaymentSelection_Rules(t *testing.T) {
	withCutover := paySettings(false)
	withCutover.Advanced.PaymentCutoverDate = "2026-04-01"
	cases := []struct {
		rule string
		p    func(*zuora.Payment)
		acct *zuora.Account
		s    settings.Settings
		want bool
		why  string
	}{
		{rule: RulePaymentProcessed + ": a Processed payment is selected", acct: payAccount(), s: paySettings(false), want: true},
		{rule: RulePaymentProcessed + ": an Error payment is not", p: func(p *zuora.Payment) { p.Status = "Error" }, acct: payAccount(), s: paySettings(false), why: "only Processed"},
		{rule: RulePaymentProcessed + ": a Canceled payment (voided before the sync) is not", p: func(p *zuora.Payment) { p.Status = "Canceled" }, acct: payAccount(), s: paySettings(false), why: "only Processed"},
		{rule: RulePaymentTransfer + ": null counts as No", acct: payAccount(), s: paySettings(false), want: true},
		{rule: RulePaymentTransfer + ": Error is selected again", p: func(p *zuora.Payment) { p.TransferredToAccounting = "Error" }, acct: payAccount(), s: paySettings(false), want: true},
		{rule: RulePaymentTransfer + ": Yes is never sent again", p: func(p *zuora.Payment) { p.TransferredToAccounting = "Yes" }, acct: payAccount(), s: paySettings(false), why: "Transferred To Accounting is Yes"},
		{rule: RulePaymentTransfer + ": Ignore is never selected", p: func(p *zuora.Payment) { p.TransferredToAccounting = "Ignore" }, acct: payAccount(), s: paySettings(false), why: "Ignore"},
		{rule: RulePaymentCutover + ": before the cutover is left out", acct: payAccount(), s: withCutover, why: "before the payment cutover date"},
		{rule: RulePaymentCutover + ": on the cutover date is selected", p: func(p *zuora.Payment) { p.EffectiveDate = "2026-04-01" }, acct: payAccount(), s: withCutover, want: true},
		{rule: RulePaymentAccountSyncs + ": Sync To NetSuite No is left out", acct: &zuora.Account{AccountNumber: "A-1", SyncToNetSuite: "No", NSFields: zuora.NSFields{IntegrationStatus: zuora.StatusSyncComplete}}, s: paySettings(false), why: "Sync To NetSuite = No"},
		{rule: RulePaymentAccountDone + ": without IS the account must be Sync Complete", acct: &zuora.Account{AccountNumber: "A-1"}, s: paySettings(false), why: "not Sync Complete"},
		{rule: RulePaymentAccountDone + ": with IS the condition is not on the page", acct: &zuora.Account{AccountNumber: "A-1"}, s: paySettings(true), want: true},
		{rule: "payment selection: unassigned payments only on IS", p: func(p *zuora.Payment) { p.AccountID = "" }, s: paySettings(true), want: true},
		{rule: "payment selection: no unassigned payments without IS", p: func(p *zuora.Payment) { p.AccountID = "" }, s: paySettings(false), why: "no account"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			p := processedPayment()
			if c.p != nil {
				c.p(&p)
			}
			got, why := PaymentSelectable(p, c.acct, c.s)
			if got != c.want || (!got && !strings.Contains(why, c.why)) {
				t.Fatalf("selected %v (%q), want %v (%q)", got, why, c.want, c.why)
			}
		})
	}
}

func TestPaymentSelection_ZOQLProcessedTransferPendingCutover(t *testing.T) {
	s := paySettings(false)
	s.Advanced.PaymentCutoverDate = "2026-04-01"
	q := PaymentSelectionZOQL(s)
	for _, want := range []string{"from Payment where Status = 'Processed' and EffectiveDate >= '2026-04-01' and TransferredToAccounting = null",
		"TransferredToAccounting = 'Error'", "TransferredToAccounting = 'Processing'", "TransferredToAccounting = 'No'"} {
		if !strings.Contains(q, want) {
			t.Fatalf("%s\nmissing %q", q, want)
		}
	}
}

// §1.4: one apply line per application, each pointing at the document's
// NetSuite id with the applied amount; without IS the NS amount is the sum
// of the applications (the unapplied part of an overpayment is left out).
func TestPaymentAmount_WithoutISIsTheSumOfTheApplicationsEachPointingAtItsNetSuiteInvoice(t *testing.T) {
	p := processedPayment()
	p.Amount = d("130.00") // 10.00 overpaid
	cp, skip, problems := BuildCustomerPayment(p, payAccount(), "Check",
		[]SyncedApplication{app("i1", "INV-1", "70.00", "901"), app("i2", "INV-2", "50.00", "902")}, Lookups{}, paySettings(false))
	if skip != "" || len(problems) > 0 {
		t.Fatalf("skip %q problems %v", skip, problems)
	}
	if !cp.Payment.Equal(d("120.00")) || len(cp.Apply) != 2 || cp.Apply[0].Doc != "901" || !cp.Apply[1].Amount.Equal(d("50.00")) {
		t.Fatalf("%+v", cp)
	}
	if cp.Customer != "501" || cp.PaymentMethod != "2" || cp.ExternalID != "zuora-payment-p1" || cp.TranDate != "2026-03-05" || cp.Memo != "thanks" {
		t.Fatalf("header %+v", cp)
	}
}

// §2.3 (UNCERTAIN, decided): with IS the NS payment carries the whole Zuora
// amount, the rest unapplied, so the account's open balance matches.
func TestPaymentAmount_WithISPartlyAppliedCarriesTheWholeAmountRestUnapplied(t *testing.T) {
	cp, skip, problems := BuildCustomerPayment(processedPayment(), payAccount(), "Check",
		[]SyncedApplication{app("i1", "INV-1", "30.00", "901")}, Lookups{}, paySettings(true))
	if skip != "" || len(problems) > 0 || !cp.Payment.Equal(d("100.00")) || len(cp.Apply) != 1 || !cp.Apply[0].Amount.Equal(d("30.00")) {
		t.Fatalf("%+v %q %v", cp, skip, problems)
	}
}

// §1.4: without IS an unapplied payment does not sync and stays eligible.
func TestPaymentAmount_UnappliedWithoutISWaitsUntilApplied(t *testing.T) {
	_, skip, problems := BuildCustomerPayment(processedPayment(), payAccount(), "Check", nil, Lookups{}, paySettings(false))
	if skip == "" || len(problems) > 0 {
		t.Fatalf("skip %q problems %v", skip, problems)
	}
	cp, skip, problems := BuildCustomerPayment(processedPayment(), payAccount(), "Check", nil, Lookups{}, paySettings(true))
	if skip != "" || len(problems) > 0 || len(cp.Apply) != 0 || !cp.Payment.Equal(d("100.00")) {
		t.Fatalf("IS unapplied: %+v %q %v", cp, skip, problems)
	}
}

// §2.3: an unassigned payment goes to the Unassigned Payments customer;
// without that setting it is an Error naming the setting.
func TestPaymentCustomer_UnassignedGoesToTheUnassignedPaymentsCustomer(t *testing.T) {
	p := processedPayment()
	p.AccountID = ""
	s := paySettings(true)
	_, _, problems := BuildCustomerPayment(p, nil, "Check", nil, Lookups{}, s)
	if len(problems) != 1 || problems[0].Rule != RulePaymentCustomer || !strings.Contains(problems[0].Reason, "customerSync.unassignedPaymentsCustomerId") {
		t.Fatalf("%v", problems)
	}
	s.Customer.UnassignedPaymentsCustomer = "777"
	cp, _, problems := BuildCustomerPayment(p, nil, "Check", nil, Lookups{}, s)
	if len(problems) > 0 || cp.Customer != "777" {
		t.Fatalf("%+v %v", cp, problems)
	}
}

func TestPaymentCustomer_AccountNotInNetSuiteIsAnError(t *testing.T) {
	_, _, problems := BuildCustomerPayment(processedPayment(), &zuora.Account{AccountNumber: "A-9"}, "Check",
		[]SyncedApplication{app("i1", "INV-1", "10.00", "901")}, Lookups{}, paySettings(false))
	if len(problems) != 1 || !strings.Contains(problems[0].Reason, "account A-9 has not been synced") {
		t.Fatalf("%v", problems)
	}
}

// §1.2, §1.6: the method is matched by Zuora's payment-method type; none is
// an Error naming the type and the setting.
func TestPaymentMethod_MatchedByZuoraTypeElseDefaultElseError(t *testing.T) {
	apps := []SyncedApplication{app("i1", "INV-1", "10.00", "901")}
	s := paySettings(false)
	_, _, problems := BuildCustomerPayment(processedPayment(), payAccount(), "WireTransfer", apps, Lookups{}, s)
	if len(problems) != 1 || problems[0].Rule != RulePaymentMethod || !strings.Contains(problems[0].Reason, "WireTransfer") {
		t.Fatalf("%v", problems)
	}
	s.Payments.DefaultMethod = "9"
	cp, _, problems := BuildCustomerPayment(processedPayment(), payAccount(), "WireTransfer", apps, Lookups{}, s)
	if len(problems) > 0 || cp.PaymentMethod != "9" {
		t.Fatalf("%+v %v", cp, problems)
	}
}

// §1.2, §2.1: every applied document must be in NetSuite; the Error names
// each missing one (the next run completes the payment).
func TestPaymentApplications_DocumentNotInNetSuiteYetIsAnErrorNamingIt(t *testing.T) {
	apps := []SyncedApplication{app("i1", "INV-1", "10.00", "901"), app("i2", "INV-2", "20.00", "")}
	apps = append(apps, SyncedApplication{PaymentApplication: zuora.PaymentApplication{DocType: zuora.DocDebitMemo, DocID: "dm1", DocNumber: "DM-1", Amount: d("5.00")}})
	_, _, problems := BuildCustomerPayment(processedPayment(), payAccount(), "Check", apps, Lookups{}, paySettings(true))
	if len(problems) != 1 || problems[0].Rule != RulePaymentDocSynced ||
		!strings.Contains(problems[0].Reason, "invoice INV-2") || !strings.Contains(problems[0].Reason, "debit memo DM-1") ||
		strings.Contains(problems[0].Reason, "INV-1") {
		t.Fatalf("%v", problems)
	}
}

func TestPaymentApplications_MoreThanThePaymentIsAnError(t *testing.T) {
	_, _, problems := BuildCustomerPayment(processedPayment(), payAccount(), "Check",
		[]SyncedApplication{app("i1", "INV-1", "60.00", "901"), app("i2", "INV-2", "60.00", "902")}, Lookups{}, paySettings(true))
	if len(problems) != 1 || problems[0].Rule != RulePaymentOverApplied {
		t.Fatalf("%v", problems)
	}
}

// §2.2: a payment part names an invoice or a debit memo (DocType); the part
// naming neither is the unapplied part and is no application.
func TestPaymentParts_InvoiceOrDebitMemoTheUnappliedPartIsNoApplication(t *testing.T) {
	got := PaymentPartApplications([]zuora.PaymentPart{
		{ID: "pp1", InvoiceID: "i1", Amount: d("40.00")},
		{ID: "pp2", DebitMemoID: "dm1", Amount: d("4.10")},
		{ID: "pp3", Amount: d("55.90")}, // unapplied
	})
	if len(got) != 2 || got[0].DocType != zuora.DocInvoice || got[0].DocID != "i1" || !got[0].Amount.Equal(d("40.00")) ||
		got[1].DocType != zuora.DocDebitMemo || got[1].DocID != "dm1" || !got[1].Amount.Equal(d("4.10")) {
		t.Fatalf("%+v (rule %s)", got, RulePaymentParts)
	}
}

// §2.2: an application to a debit memo points at the NetSuite invoice the
// debit memo became, with the part's amount.
func TestPaymentParts_DebitMemoApplicationPointsAtTheNetSuiteInvoiceItBecame(t *testing.T) {
	dm := SyncedApplication{PaymentApplication: zuora.PaymentApplication{DocType: zuora.DocDebitMemo, DocID: "dm1", DocNumber: "DM-1", Amount: d("25.00")}, NetSuiteID: "950"}
	cp, skip, problems := BuildCustomerPayment(processedPayment(), payAccount(), "Check", []SyncedApplication{app("i1", "INV-1", "50.00", "901"), dm}, Lookups{}, paySettings(true))
	if skip != "" || len(problems) > 0 || len(cp.Apply) != 2 || cp.Apply[1].Doc != "950" || !cp.Apply[1].Amount.Equal(d("25.00")) {
		t.Fatalf("%+v %q %v", cp, skip, problems)
	}
}

// §2.3, §10.1 (decided): on IS the NetSuite payment carries Payment.Amount;
// what the parts do not apply stays unapplied on the NetSuite payment.
func TestPaymentAmountIS_TheWholeZuoraAmountTheRestUnapplied(t *testing.T) {
	p := processedPayment()
	p.Amount, p.AppliedAmount, p.UnappliedAmount = d("100.00"), d("75.00"), d("25.00")
	cp, _, problems := BuildCustomerPayment(p, payAccount(), "Check", []SyncedApplication{app("i1", "INV-1", "75.00", "901")}, Lookups{}, paySettings(true))
	applied := cp.Apply[0].Amount
	if len(problems) > 0 || !cp.Payment.Equal(d("100.00")) || !cp.Payment.Sub(applied).Equal(d("25.00")) {
		t.Fatalf("%s: %+v %v", RulePaymentAmountIS, cp, problems)
	}
}

// §2.3, §10.13 (decided): on IS a fully unapplied payment syncs now with no
// apply line, and an unassigned one (no account) goes to the configured
// customer, also with no apply line.
func TestPaymentUnappliedIS_FullyUnappliedAndUnassignedSyncWithNoApplyLine(t *testing.T) {
	cp, skip, problems := BuildCustomerPayment(processedPayment(), payAccount(), "Check", nil, Lookups{}, paySettings(true))
	if skip != "" || len(problems) > 0 || len(cp.Apply) != 0 || !cp.Payment.Equal(d("100.00")) || cp.Customer != "501" {
		t.Fatalf("%s: unapplied %+v %q %v", RulePaymentUnappliedIS, cp, skip, problems)
	}
	p := processedPayment()
	p.AccountID = ""
	s := paySettings(true)
	s.Customer.UnassignedPaymentsCustomer = "777"
	cp, skip, problems = BuildCustomerPayment(p, nil, "Check", nil, Lookups{}, s)
	if skip != "" || len(problems) > 0 || len(cp.Apply) != 0 || cp.Customer != "777" || !cp.Payment.Equal(d("100.00")) {
		t.Fatalf("%s: unassigned %+v %q %v", RulePaymentUnappliedIS, cp, skip, problems)
	}
}

// §1.2, §0.5: the account's Location / Class / Department, where set, must
// each be a valid NetSuite record (Error naming it) and are written as that
// record's id; with and without IS. Unset values are left empty.
func TestPaymentClassification_AccountValuesMustBeValidNetSuiteRecords(t *testing.T) {
	l := Lookups{Locations: map[string]string{"Boston": "3"}, Classes: map[string]string{"Retail": "4"}, Departments: map[string]string{"Sales": "5"}}
	apps := []SyncedApplication{app("i1", "INV-1", "10.00", "901")}
	for _, is := range []bool{false, true} {
		acct := payAccount()
		acct.Location, acct.Class, acct.Department = "Boston", "Retail", "Sales"
		cp, _, problems := BuildCustomerPayment(processedPayment(), acct, "Check", apps, l, paySettings(is))
		if len(problems) > 0 || cp.Location != "3" || cp.Class != "4" || cp.Department != "5" {
			t.Fatalf("IS %v valid: %+v %v", is, cp, problems)
		}
		acct.Location, acct.Class, acct.Department = "Nowhere", "Wholesale", "Ops"
		_, _, problems = BuildCustomerPayment(processedPayment(), acct, "Check", apps, l, paySettings(is))
		rules := map[string]string{}
		for _, p := range problems {
			rules[p.Rule] = p.Reason
		}
		if len(problems) != 3 || !strings.Contains(rules[RulePaymentLocation], `"Nowhere"`) ||
			!strings.Contains(rules[RulePaymentClass], `"Wholesale"`) || !strings.Contains(rules[RulePaymentDepartment], `"Ops"`) {
			t.Fatalf("IS %v invalid: %v", is, problems)
		}
		acct.Location, acct.Class, acct.Department = "", "", ""
		cp, _, problems = BuildCustomerPayment(processedPayment(), acct, "Check", apps, l, paySettings(is))
		if len(problems) > 0 || cp.Location != "" || cp.Class != "" || cp.Department != "" {
			t.Fatalf("IS %v unset: %+v %v", is, cp, problems)
		}
	}
}

// §2.4, §10.3 (decided): on IS the NetSuite payment found by external id is
// rewritten to Zuora's current parts; without IS one found is left as it is.
func TestPaymentResyncRewrite_OnlyOnIS(t *testing.T) {
	apps := []SyncedApplication{app("i1", "INV-1", "10.00", "901")}
	cp, _, _ := BuildCustomerPayment(processedPayment(), payAccount(), "Check", apps, Lookups{}, paySettings(true))
	if !cp.Rewrite {
		t.Fatalf("%s: IS payment not marked for rewrite", RulePaymentResyncRewrite)
	}
	cp, _, _ = BuildCustomerPayment(processedPayment(), payAccount(), "Check", apps, Lookups{}, paySettings(false))
	if cp.Rewrite {
		t.Fatalf("%s: non-IS payment marked for rewrite", RulePaymentResyncRewrite)
	}
}
