package mapping

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func nsRefundSettings() settings.Settings {
	s := settings.Default()
	s.Advanced.NetSuiteRefundSync = true
	return s
}

// A fully applied NetSuite refund of a synced customer, applied to one
// standalone credit memo with Create Zuora Refund ticked and a Zuora payment
// of 50.00 (applied to one invoice) selected (§5.1).
func nsRefund() NSRefund {
	return NSRefund{ID: "701", TranID: "RFND701", Customer: "10", CustomerZuoraID: "acct-1", TranDate: "2026-03-09", Memo: "goodwill",
		PaymentMethodName: "Check", Total: decimal.RequireFromString("20.00"), AmountRemaining: decimal.Zero,
		Apply: []NSRefundApplication{{Doc: "601", DocType: "creditMemo", Amount: decimal.RequireFromString("20.00"), CreateZuoraRefund: true, PaymentRef: "zp-1",
			ZuoraPayment: zuora.Payment{ID: "zp-1", AccountID: "acct-1", Amount: decimal.RequireFromString("50.00")}, ZuoraPaymentInvoices: 1}}}
}

func TestNSRefundSelection_Rules(t *testing.T) {
	cutover := nsRefundSettings()
	cutover.Advanced.NetSuiteRefundCutoverDate = "2026-04-01"
	cases := []struct {
		rule   string
		change func(*NSRefund)
		s      settings.Settings
		want   string // "" = selected
	}{
		{RuleNSRefundOrigin, func(r *NSRefund) { r.Origin = "ZUORA" }, nsRefundSettings(), "came from Zuora"},
		{RuleNSRefundOrigin + " (external id)", func(r *NSRefund) { r.ExternalID = RefundExternalID("8a80") }, nsRefundSettings(), "came from Zuora"},
		{RuleNSRefundOrigin + " (NETSUITE syncs)", func(r *NSRefund) { r.Origin = "NETSUITE" }, nsRefundSettings(), ""},
		{RuleNSRefundCustomer, func(r *NSRefund) { r.CustomerZuoraID = "" }, nsRefundSettings(), "no Zuora Customer ID"},
		{RuleNSRefundSyncComplete, func(r *NSRefund) { r.IntegrationStatus = zuora.StatusSyncComplete }, nsRefundSettings(), "Sync Complete"},
		{RuleNSRefundSyncComplete + " (Error Creating Refund is retried)", func(r *NSRefund) { r.IntegrationStatus = zuora.StatusErrorCreatingRefund + ": x" }, nsRefundSettings(), ""},
		{RuleNSRefundCutover, func(r *NSRefund) {}, cutover, "before the NetSuite Refunds cutover date 2026-04-01"},
		{RuleNSRefundCutover + " (on the date)", func(r *NSRefund) { r.TranDate = "2026-04-01" }, cutover, ""},
		{RuleNSRefundFullyApplied, func(r *NSRefund) { r.AmountRemaining = decimal.RequireFromString("5.00") }, nsRefundSettings(), "not fully applied (5.00 unapplied)"},
		{RuleNSRefundCreateTicked, func(r *NSRefund) { r.Apply[0].CreateZuoraRefund = false }, nsRefundSettings(), "no credit memo with Create Zuora Refund ticked"},
		{RuleNSRefundCreateTicked + " (not a credit memo)", func(r *NSRefund) { r.Apply[0].DocType = "customerPayment" }, nsRefundSettings(), "no credit memo with Create Zuora Refund ticked"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			r := nsRefund()
			c.change(&r)
			ok, why := NSRefundSelectable(r, c.s, true)
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

// The selection page has no applications yet: the credit memo rule waits
// for the record's own check.
func TestNSRefundSelection_CreateTickedCheckedWithApplicationsOnly(t *testing.T) {
	r := nsRefund()
	r.Apply = nil
	if ok, why := NSRefundSelectable(r, nsRefundSettings(), false); !ok {
		t.Fatalf("header-only selection refused: %s", why)
	}
	if ok, _ := NSRefundSelectable(r, nsRefundSettings(), true); ok {
		t.Fatal("a refund applied to no credit memo was selected")
	}
}

// Loop prevention (§0.4): the Zuora → NetSuite refund sync's external ids
// are the ones this sync never takes.
func TestNSRefundLoopPrevention_ExternalIDPrefixIsTheZuoraRefundSyncs(t *testing.T) {
	if !strings.HasPrefix(RefundExternalID("r1"), ZuoraRefundExternalIDPrefix) {
		t.Fatalf("%q does not start with %q", RefundExternalID("r1"), ZuoraRefundExternalIDPrefix)
	}
}

func TestNSRefundValidation_Rules(t *testing.T) {
	cases := []struct {
		rule   string
		change func(*NSRefund)
		want   string
	}{
		{RuleNSRefundOneCreditMemo, func(r *NSRefund) { r.Apply = append(r.Apply, r.Apply[0]); r.Apply[1].Doc = "602" }, "exactly one credit memo; it is applied to [creditMemo 601, creditMemo 602]"},
		{RuleNSRefundOneCreditMemo + " (a payment, not a credit memo)", func(r *NSRefund) { r.Apply[0].DocType = "customerPayment" }, "applied to [customerPayment 601]"},
		{RuleNSRefundPaymentValid, func(r *NSRefund) { r.Apply[0].PaymentRef = ""; r.Apply[0].ZuoraPayment = zuora.Payment{} }, "credit memo 601 has no Zuora Refund Payment Reference"},
		{RuleNSRefundPaymentValid + " (unknown payment)", func(r *NSRefund) { r.Apply[0].PaymentRef = "zp-9"; r.Apply[0].ZuoraPayment = zuora.Payment{} }, "names Zuora payment zp-9, which does not exist"},
		{RuleNSRefundPaymentAccount, func(r *NSRefund) { r.Apply[0].ZuoraPayment.AccountID = "acct-2" }, "belongs to account acct-2"},
		{RuleNSRefundAmount, func(r *NSRefund) { r.Apply[0].Amount = decimal.RequireFromString("50.01") }, "refunds 50.01, more than Zuora payment zp-1's amount 50.00"},
		{RuleNSRefundPartialMulti, func(r *NSRefund) { r.Apply[0].ZuoraPaymentInvoices = 2 }, "applied to 2 invoices"},
		{RuleNSRefundMethodType, func(r *NSRefund) { r.PaymentMethodName = "Gift Card" }, `"Gift Card" is not a Zuora refund method type`},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			r := nsRefund()
			c.change(&r)
			_, problems := BuildZuoraRefund(r)
			if len(problems) != 1 || problems[0].Rule != c.rule && !strings.HasPrefix(c.rule, problems[0].Rule) || !strings.Contains(problems[0].Reason, c.want) {
				t.Fatalf("problems %+v; want one %q with %q", problems, c.rule, c.want)
			}
		})
	}
}

// §5.2 boundaries: the whole payment may be refunded, and a full refund of
// a payment applied to several invoices is not a partial one (§5.4).
func TestNSRefundValidation_FullRefundOfMultiInvoicePaymentPasses(t *testing.T) {
	r := nsRefund()
	r.Apply[0].Amount, r.Apply[0].ZuoraPaymentInvoices = decimal.RequireFromString("50.00"), 3
	if _, problems := BuildZuoraRefund(r); len(problems) > 0 {
		t.Fatal(problems)
	}
}

func TestNSRefundMethodType_NetSuiteNameToZuoraValue(t *testing.T) {
	for in, want := range map[string]string{"Check": "Check", "Wire Transfer": "WireTransfer", "cash": "Cash", "ach": "ACH", "Visa": "", "": ""} {
		if got := RefundMethodType(in); got != want {
			t.Errorf("RefundMethodType(%q) = %q, want %q", in, got, want)
		}
	}
}

// §5.3: External refund of the credit memo's payment for the applied
// amount; TTA Yes (loop prevention, §0.4); IntegrationId__NS the NetSuite
// internal id (the look-before-create key); Origin__NS NETSUITE.
func TestNSRefundFields_ExternalPaymentRefundTTAYesIntegrationIDOrigin(t *testing.T) {
	z, problems := BuildZuoraRefund(nsRefund())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if z.CreditMemo != "601" {
		t.Fatalf("plan %+v", z)
	}
	f := z.CreateFields()
	want := map[string]any{"Type": "External", "SourceType": "Payment", "PaymentId": "zp-1", "Amount": "20.00", "RefundDate": "2026-03-09",
		"MethodType": "Check", "Comment": "goodwill", "TransferredToAccounting": "Yes", "IntegrationId__NS": "701", "Origin__NS": "NETSUITE"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %v, want %v", k, f[k], v)
		}
	}
	if _, ok := f["Transaction__NS"]; ok || len(f) != len(want) {
		t.Errorf("fields %v: want exactly %v (Refund has no Transaction__NS)", f, want)
	}
}
