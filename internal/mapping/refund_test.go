package mapping

import (
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func processedRefund() zuora.Refund {
	return zuora.Refund{ID: "r1", AccountID: "a1", PaymentID: "p1", Amount: d("30.00"), Status: "Processed", Type: "External",
		SourceType: zuora.RefundSourcePayment, MethodType: "Check", RefundNumber: "R-1", RefundDate: "2026-03-09", Comment: "goodwill"}
}

func refundAccount() zuora.Account {
	return zuora.Account{ID: "a1", AccountNumber: "A-1", Class: "Retail", NSFields: zuora.NSFields{IntegrationID: "501"}}
}

func refundLookups() Lookups {
	return Lookups{Classes: map[string]string{"Retail": "31"}, Locations: map[string]string{}, Departments: map[string]string{}}
}

func syncedPayment() *zuora.Payment {
	p := processedPayment()
	p.IntegrationID = "900"
	return &p
}

// Two invoices paid 60 + 40; the refund takes 30 from the first.
func refundApps() []RefundedApplication {
	return []RefundedApplication{
		{InvoicePaymentID: "ip1", InvoiceNumber: "INV-1", NetSuiteID: "701", Amount: d("60.00"), RefundAmount: d("30.00")},
		{InvoicePaymentID: "ip2", InvoiceNumber: "INV-2", NetSuiteID: "702", Amount: d("40.00"), RefundAmount: d("0")},
	}
}

func refundParts() []zuora.RefundInvoicePayment {
	return []zuora.RefundInvoicePayment{{ID: "rip1", RefundID: "r1", InvoicePaymentID: "ip1", RefundAmount: d("30.00")}}
}

// §4.1, §4.2, §0.3, §0.6: the selection rules, one row each.
func TestRefundSelection_Rules(t *testing.T) {
	withCutover := paySettings(false)
	withCutover.Advanced.RefundCutoverDate = "2026-04-01"
	cases := []struct {
		rule string
		r    func(*zuora.Refund)
		acct func(*zuora.Account)
		s    settings.Settings
		want bool
		why  string
	}{
		{rule: RuleRefundProcessed + ": a Processed refund is selected", s: paySettings(false), want: true},
		{rule: RuleRefundProcessed + ": Posted is not a refund status (decided: Processed)", r: func(r *zuora.Refund) { r.Status = "Posted" }, s: paySettings(false), why: "only Processed"},
		{rule: RuleRefundProcessed + ": a Canceled refund (voided before pickup) is not", r: func(r *zuora.Refund) { r.Status = "Canceled" }, s: paySettings(false), why: "only Processed"},
		{rule: RuleRefundProcessed + ": an Error refund is not", r: func(r *zuora.Refund) { r.Status = "Error" }, s: paySettings(false), why: "only Processed"},
		{rule: RuleRefundTransfer + ": Processing (a crashed attempt) is selected again", r: func(r *zuora.Refund) { r.TransferredToAccounting = "Processing" }, s: paySettings(false), want: true},
		{rule: RuleRefundTransfer + ": Error is selected again", r: func(r *zuora.Refund) { r.TransferredToAccounting = "Error" }, s: paySettings(false), want: true},
		{rule: RuleRefundTransfer + ": Yes is never sent again", r: func(r *zuora.Refund) { r.TransferredToAccounting = "Yes" }, s: paySettings(false), why: "Transferred To Accounting is Yes"},
		{rule: RuleRefundTransfer + ": Ignore is never selected", r: func(r *zuora.Refund) { r.TransferredToAccounting = "Ignore" }, s: paySettings(false), why: "Ignore"},
		{rule: RuleRefundCutover + ": before the cutover is left out", s: withCutover, why: "before the refund cutover date"},
		{rule: RuleRefundCutover + ": on the cutover date is selected", r: func(r *zuora.Refund) { r.RefundDate = "2026-04-01" }, s: withCutover, want: true},
		{rule: RuleRefundAccountSyncs + ": Sync To NetSuite No is left out", acct: func(a *zuora.Account) { a.SyncToNetSuite = "No" }, s: paySettings(false), why: "Sync To NetSuite = No"},
		{rule: RuleRefundAccountSyncs + ": Sync To NetSuite Yes is selected", acct: func(a *zuora.Account) { a.SyncToNetSuite = "Yes" }, s: paySettings(false), want: true},
		{rule: RuleRefundPaymentSource + ": a credit-balance refund is not selected (left untouched)", r: func(r *zuora.Refund) { r.SourceType = zuora.RefundSourceCreditBalance }, s: paySettings(false), why: "only refunds of payments"},
		{rule: RuleRefundPaymentSource + ": a credit-memo refund is not selected (left untouched)", r: func(r *zuora.Refund) { r.SourceType = zuora.RefundSourceCreditMemo }, s: paySettings(false), why: "only refunds of payments"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			r, acct := processedRefund(), refundAccount()
			if c.r != nil {
				c.r(&r)
			}
			if c.acct != nil {
				c.acct(&acct)
			}
			got, why := RefundSelectable(r, acct, c.s)
			if got != c.want || (!c.want && !strings.Contains(why, c.why)) {
				t.Fatalf("selected %v (%q), want %v with %q", got, why, c.want, c.why)
			}
		})
	}
}

// The ZOQL selection carries the same conditions as RefundSelectable: a
// query that dropped one would select refunds the rules leave out.
func TestRefundSelection_ZOQLCarriesTheRules(t *testing.T) {
	s := paySettings(false)
	s.Advanced.RefundCutoverDate = "2026-04-01"
	q := RefundSelectionZOQL(s)
	for _, want := range []string{"from Refund where", "Status = 'Processed'", "SourceType = 'Payment'", "RefundDate >= '2026-04-01'",
		"TransferredToAccounting = null", "TransferredToAccounting = 'No'", "TransferredToAccounting = 'Error'", "TransferredToAccounting = 'Processing'"} {
		if !strings.Contains(q, want) {
			t.Errorf("%s: missing %q", q, want)
		}
	}
	if strings.Contains(q, "'Yes'") || strings.Contains(q, "'Ignore'") {
		t.Errorf("%s selects Yes or Ignore", q)
	}
}

// §4.3 and the parts' consistency: each problem ends the refund in Error
// with a reason naming what to fix.
func TestRefundValidation_Rules(t *testing.T) {
	cases := []struct {
		rule  string
		r     func(*zuora.Refund)
		acct  func(*zuora.Account)
		pay   func(**zuora.Payment)
		apps  func([]RefundedApplication) []RefundedApplication
		parts func([]zuora.RefundInvoicePayment) []zuora.RefundInvoicePayment
		l     func(*Lookups)
		why   string // "" = valid
	}{
		{rule: "a valid refund has no problem"},
		{rule: RuleRefundMethod + ": an unmapped method type", r: func(r *zuora.Refund) { r.MethodType = "WireTransfer" }, why: "no NetSuite payment method for Zuora refund method type WireTransfer"},
		{rule: RuleRefundPaymentSynced + ": the payment has no NetSuite id", pay: func(p **zuora.Payment) { (*p).IntegrationID = "" }, why: "has not been synced to NetSuite"},
		{rule: RuleRefundPaymentSynced + ": the payment does not exist", pay: func(p **zuora.Payment) { *p = nil }, why: "does not exist in Zuora"},
		{rule: RuleRefundAccount + ": the account is not synced", acct: func(a *zuora.Account) { a.IntegrationID = "" }, why: "has not been synced to NetSuite"},
		{rule: RuleRefundAccount + ": the account's Class is not in NetSuite", l: func(l *Lookups) { l.Classes = map[string]string{} }, why: "not a valid NetSuite class"},
		{rule: RuleRefundInvoiceSynced + ": an invoice of the payment is not in NetSuite", apps: func(a []RefundedApplication) []RefundedApplication { a[1].NetSuiteID = ""; return a }, why: "invoice INV-2, not in NetSuite"},
		{rule: RuleRefundParts + ": parts short of the refund amount", parts: func([]zuora.RefundInvoicePayment) []zuora.RefundInvoicePayment { return nil }, why: "invoice parts total 0, not the refund's 30"},
		{rule: RuleRefundParts + ": a part of another payment", parts: func(p []zuora.RefundInvoicePayment) []zuora.RefundInvoicePayment {
			p[0].InvoicePaymentID = "ipX"
			return p
		}, why: "not an application of payment"},
		{rule: RuleRefundTargetApply + ": more refunded than applied", apps: func(a []RefundedApplication) []RefundedApplication { a[0].RefundAmount = d("61"); return a }, why: "more than the 60 applied"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			r, acct, pay, apps, parts, l := processedRefund(), refundAccount(), syncedPayment(), refundApps(), refundParts(), refundLookups()
			for _, f := range []func(){
				func() {
					if c.r != nil {
						c.r(&r)
					}
				},
				func() {
					if c.acct != nil {
						c.acct(&acct)
					}
				},
				func() {
					if c.pay != nil {
						c.pay(&pay)
					}
				},
				func() {
					if c.apps != nil {
						apps = c.apps(apps)
					}
				},
				func() {
					if c.parts != nil {
						parts = c.parts(parts)
					}
				},
				func() {
					if c.l != nil {
						c.l(&l)
					}
				},
			} {
				f()
			}
			_, ps := BuildRefund(r, acct, pay, apps, parts, l, paySettings(false))
			if c.why == "" {
				if len(ps) > 0 {
					t.Fatalf("problems %v", ps)
				}
				return
			}
			var all []string
			for _, p := range ps {
				all = append(all, p.Reason)
			}
			if !strings.Contains(strings.Join(all, " | "), c.why) {
				t.Fatalf("problems %q, want one with %q", all, c.why)
			}
		})
	}
}

// §4.5 step 1: each NetSuite apply line is InvoicePayment.Amount -
// RefundAmount, what stays applied after every refund so far (0 after a
// full refund). A target, not a delta: built twice, it is the same.
func TestRefundTargetApply_AmountLessRefunded(t *testing.T) {
	apps := refundApps()
	apps = append(apps, RefundedApplication{InvoicePaymentID: "ip3", InvoiceNumber: "INV-3", NetSuiteID: "703", Amount: d("10.00"), RefundAmount: d("10.00")})
	plan, ps := BuildRefund(processedRefund(), refundAccount(), syncedPayment(), apps, refundParts(), refundLookups(), paySettings(false))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	want := map[string]string{"701": "30", "702": "40", "703": "0"}
	if len(plan.PaymentApply) != len(want) {
		t.Fatalf("apply lines %v", plan.PaymentApply)
	}
	for _, l := range plan.PaymentApply {
		if !l.Amount.Equal(d(want[l.Doc])) {
			t.Errorf("doc %s: %s, want %s", l.Doc, l.Amount, want[l.Doc])
		}
	}
	again, _ := BuildRefund(processedRefund(), refundAccount(), syncedPayment(), apps, refundParts(), refundLookups(), paySettings(false))
	for i := range again.PaymentApply {
		if again.PaymentApply[i] != plan.PaymentApply[i] && !again.PaymentApply[i].Amount.Equal(plan.PaymentApply[i].Amount) {
			t.Fatalf("a second build differs: %v vs %v", again.PaymentApply, plan.PaymentApply)
		}
	}
}

// A partial refund of a multi-invoice payment syncs (decision, docs/settings.md):
// RefundInvoicePayment says which invoice applications were refunded.
func TestRefundPartialMultiInvoice_SyncedByRefundInvoicePayment(t *testing.T) {
	apps := refundApps()
	apps[0].RefundAmount, apps[1].RefundAmount = d("10.00"), d("5.00")
	r := processedRefund()
	r.Amount = d("15.00")
	parts := []zuora.RefundInvoicePayment{{InvoicePaymentID: "ip1", RefundAmount: d("10.00")}, {InvoicePaymentID: "ip2", RefundAmount: d("5.00")}}
	plan, ps := BuildRefund(r, refundAccount(), syncedPayment(), apps, parts, refundLookups(), paySettings(false))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if !plan.PaymentApply[0].Amount.Equal(d("50")) || !plan.PaymentApply[1].Amount.Equal(d("35")) || !plan.Refund.Amount.Equal(d("15")) {
		t.Fatalf("plan %+v", plan)
	}
}

// §4.5: the customer refund's fields.
func TestRefundFields_CustomerRefundOfThePayment(t *testing.T) {
	plan, ps := BuildRefund(processedRefund(), refundAccount(), syncedPayment(), refundApps(), refundParts(), refundLookups(), paySettings(false))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	got := plan.Refund
	if got.ExternalID != "zuora-refund-r1" || got.Customer != "501" || got.Payment != "900" || !got.Amount.Equal(d("30")) ||
		got.TranDate != "2026-03-09" || got.Memo != "goodwill" || got.PaymentMethod != "2" || got.Class != "31" || got.ZuoraID != "r1" || got.Number != "R-1" {
		t.Fatalf("customer refund %+v", got)
	}
}

// §4.7 (decided, docs/settings.md): on IS step 1's target is the payment's
// current parts, invoices and debit memos, the unapplied part left out. A
// payment unapplied in full before its refund has no apply line left.
func TestRefundISTargetApply_CurrentPaymentParts(t *testing.T) {
	dm := app("dm1", "DM-1", "20.00", "801")
	dm.DocType = zuora.DocDebitMemo
	apps := []SyncedApplication{app("i1", "INV-1", "50.00", "701"), dm}
	plan, ps := BuildRefundIS(processedRefund(), refundAccount(), syncedPayment(), apps, refundLookups(), paySettings(true))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	want := map[string]string{"701": "50", "801": "20"}
	if len(plan.PaymentApply) != len(want) {
		t.Fatalf("apply lines %v", plan.PaymentApply)
	}
	for _, l := range plan.PaymentApply {
		if !l.Amount.Equal(d(want[l.Doc])) {
			t.Errorf("doc %s: %s, want %s", l.Doc, l.Amount, want[l.Doc])
		}
	}
	if plan.Refund.Payment != "900" || !plan.Refund.Amount.Equal(d("30")) || plan.Refund.ExternalID != "zuora-refund-r1" {
		t.Fatalf("refund %+v", plan.Refund)
	}
	none, ps := BuildRefundIS(processedRefund(), refundAccount(), syncedPayment(), nil, refundLookups(), paySettings(true))
	if len(ps) > 0 || len(none.PaymentApply) != 0 {
		t.Fatalf("fully unapplied payment: lines %v, problems %v", none.PaymentApply, ps)
	}
	_, ps = BuildRefundIS(processedRefund(), refundAccount(), syncedPayment(), []SyncedApplication{app("i2", "INV-2", "10.00", "")}, refundLookups(), paySettings(true))
	if !hasRule(ps, RuleRefundISTargetApply) || !strings.Contains(ps[0].Reason, "INV-2") {
		t.Fatalf("a part on a document not in NetSuite: %v", ps)
	}
}

// The refund must fit in what the NetSuite payment (Zuora's Amount) leaves
// unapplied after the parts; else Zuora's figures disagree and it is Error.
func TestRefundISUnapplied_RefundWithinWhatPartsLeave(t *testing.T) {
	apps := []SyncedApplication{app("i1", "INV-1", "80.00", "701")}
	r := processedRefund()
	r.Amount = d("20.00")
	if _, ps := BuildRefundIS(r, refundAccount(), syncedPayment(), apps, refundLookups(), paySettings(true)); len(ps) > 0 {
		t.Fatalf("refund of exactly the unapplied 20: %v", ps)
	}
	r.Amount = d("20.01")
	_, ps := BuildRefundIS(r, refundAccount(), syncedPayment(), apps, refundLookups(), paySettings(true))
	if !hasRule(ps, RuleRefundISUnapplied) {
		t.Fatalf("refund over the unapplied amount: %v", ps)
	}
}

// The checks shared with tenants without IS apply on IS too.
func TestRefundISValidation_PaymentSyncedAndMethod(t *testing.T) {
	pay := syncedPayment()
	pay.IntegrationID = ""
	r := processedRefund()
	r.MethodType = "Wire"
	_, ps := BuildRefundIS(r, refundAccount(), pay, nil, refundLookups(), paySettings(true))
	if !hasRule(ps, RuleRefundPaymentSynced) || !hasRule(ps, RuleRefundMethod) {
		t.Fatalf("problems %v", ps)
	}
	if _, ps := BuildRefundIS(r, refundAccount(), nil, nil, refundLookups(), paySettings(true)); !hasRule(ps, RuleRefundPaymentSynced) {
		t.Fatalf("no payment: %v", ps)
	}
}

func hasRule(ps []Problem, rule string) bool {
	for _, p := range ps {
		if p.Rule == rule {
			return true
		}
	}
	return false
}
