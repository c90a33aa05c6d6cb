package mapping

import (
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func postedCreditMemo() zuora.CreditMemo {
	return zuora.CreditMemo{ID: "cm1", Number: "CM-1", AccountID: "a1", Status: "Posted", Amount: d("50.00"), CreditMemoDate: "2026-03-01"}
}

// Reference §6.1, §0.2, §0.4, §0.6 and §6.7, one row per rule.
func TestCreditMemoSelectionRules(t *testing.T) {
	cutover := isSettings()
	cutover.Advanced.CreditMemoCutoverDate = "2026-03-02"
	disabled := isSettings()
	disabled.Advanced.DisableCreditMemoSync = true
	noStandard := isSettings()
	noStandard.Advanced.UseStandardInvoiceSync = false
	with := func(f func(*zuora.CreditMemo)) zuora.CreditMemo { cm := postedCreditMemo(); f(&cm); return cm }
	noSync := syncedAccount()
	noSync.SyncToNetSuite = "No"
	synced := func(c *zuora.CreditMemo) {
		c.TransferredToAccounting, c.IntegrationStatus, c.IntegrationID = "Yes", zuora.StatusSyncComplete, "801"
	}
	cases := []struct {
		rule string
		cm   zuora.CreditMemo
		acct zuora.Account
		s    settings.Settings
		want CreditMemoMode
		why  string
	}{
		{RuleCreditMemoIS, postedCreditMemo(), syncedAccount(), settings.Default(), "", "not on Invoice Settlement"},
		{RuleCreditMemoDisabled, postedCreditMemo(), syncedAccount(), disabled, "", "disabled"},
		{RuleCreditMemoStandard, postedCreditMemo(), syncedAccount(), noStandard, "", "Use Standard Invoice Sync is No"},
		{RuleCreditMemoPosted + " (Posted)", postedCreditMemo(), syncedAccount(), isSettings(), CreditMemoCreate, ""},
		{RuleCreditMemoPosted + " (Draft)", with(func(c *zuora.CreditMemo) { c.Status = "Draft" }), syncedAccount(), isSettings(), "", "status is Draft"},
		{RuleCreditMemoTTA + " (Error)", with(func(c *zuora.CreditMemo) { c.TransferredToAccounting = "Error" }), syncedAccount(), isSettings(), CreditMemoCreate, ""},
		{RuleCreditMemoTTA + " (Ignore)", with(func(c *zuora.CreditMemo) { c.TransferredToAccounting = "Ignore" }), syncedAccount(), isSettings(), "", "Ignore"},
		{RuleCreditMemoOrigin, with(func(c *zuora.CreditMemo) { c.Origin = "NETSUITE" }), syncedAccount(), isSettings(), "", "came from NetSuite"},
		{RuleCreditMemoCutover + " (before)", postedCreditMemo(), syncedAccount(), cutover, "", "before the credit memo cutover date"},
		{RuleCreditMemoCutover + " (on)", with(func(c *zuora.CreditMemo) { c.CreditMemoDate = "2026-03-02" }), syncedAccount(), cutover, CreditMemoCreate, ""},
		{RuleCreditMemoAccount, postedCreditMemo(), noSync, isSettings(), "", "Sync To NetSuite = No"},
		{RuleCreditMemoMigration + " (pending)", with(func(c *zuora.CreditMemo) { c.Origin = MigrationCreditMemoOrigin }), syncedAccount(), isSettings(), CreditMemoIgnore,
			"made by the Invoice Settlement migration"},
		{RuleCreditMemoMigration + " (already Ignore)", with(func(c *zuora.CreditMemo) { c.Origin, c.TransferredToAccounting = MigrationCreditMemoOrigin, "Ignore" }),
			syncedAccount(), isSettings(), "", "migration"},
		{RuleCreditMemoReapply + " (applied)", with(func(c *zuora.CreditMemo) { synced(c); c.AppliedAmount = d("10.00") }), syncedAccount(), isSettings(),
			CreditMemoApplications, "compared with NetSuite"},
		{RuleCreditMemoReapply + " (unapplied)", with(synced), syncedAccount(), isSettings(), "", "no application"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			mode, why := CreditMemoSelectable(c.cm, c.acct, c.s)
			if mode != c.want || !strings.Contains(why, c.why) {
				t.Fatalf("got %q %q, want %q containing %q", mode, why, c.want, c.why)
			}
		})
	}
}

// §6.3 and §6.5: a NetSuite credit memo (no due date) under its own external
// id with positive lines, and one apply row per document with Zuora's amount
// (two parts to one document add up); a document not in NetSuite is a
// problem naming it.
func TestCreditMemoAppliedToSyncedDocumentsOnly(t *testing.T) {
	s := isSettings()
	cm := postedCreditMemo()
	tx := CreditMemoHeader(cm, syncedAccount(), lookups(), s)
	if tx.ExternalID != "zuora-creditmemo-cm1" || tx.DueDate != "" || tx.TranID != "CM-1" || tx.TranDate != "2026-03-01" || !tx.AmountWithoutTax.Equal(d("50.00")) {
		t.Fatalf("header %+v", tx)
	}
	items := []zuora.CreditMemoItem{{ID: "ci1", Amount: d("50.00"), AmountWithoutTax: d("50.00"), SourceItemType: zuora.SourceProductRatePlanCharge, SourceItemID: "c1"}}
	charges := map[string]*zuora.ProductRatePlanCharge{"ci1": {ID: "c1", Name: "Seats", NSFields: zuora.NSFields{IntegrationID: "501"}}}
	lines := CreditMemoLines(items, charges, nil, syncedAccount(), lookups(), s)
	if len(lines) != 1 || !lines[0].Amount.Equal(d("50.00")) || lines[0].Item.ID != "501" {
		t.Fatalf("lines %+v", lines)
	}
	rows, ps := ApplyRows([]AppliedDoc{{What: "invoice INV-1", NetSuiteID: "11", Amount: d("10.00")}, {What: "debit memo DM-1", NetSuiteID: "12", Amount: d("5.00")},
		{What: "invoice INV-1", NetSuiteID: "11", Amount: d("2.50")}})
	if len(ps) != 0 || len(rows) != 2 || rows[0].Doc.ID != "11" || !rows[0].Amount.Equal(d("12.50")) || rows[1].Doc.ID != "12" || !rows[1].Apply {
		t.Fatalf("rows %+v %v", rows, ps)
	}
	_, ps = ApplyRows([]AppliedDoc{{What: "debit memo DM-9", Amount: d("1.00")}})
	if len(ps) != 1 || ps[0].Rule != RuleCreditMemoDocSynced || !strings.Contains(ps[0].Reason, "debit memo DM-9, which is not in NetSuite yet") {
		t.Fatalf("problems %v", ps)
	}
	if ps := ValidateCreditMemo(syncedAccount(), items, map[string]*zuora.ProductRatePlanCharge{}, nil, lookups()); len(ps) != 1 ||
		!strings.Contains(ps[0].Reason, "credit memo item ci1 has no product rate plan charge") {
		t.Fatalf("missing charge: %v", ps)
	}
}

// §6.4: a credit memo's tax amounts are lines on the NetSuite item its tax
// code's accounting code names, positive like the memo; a tax code not
// synced is a validation problem.
func TestCreditMemoTaxAsLines(t *testing.T) {
	s := isSettings()
	tax := zuora.DebitMemoTaxItem{ID: "ct1", Name: "CA tax", TaxAmount: d("2.50"), TaxCode: "CA"}
	tax.FinanceInformation.SalesTaxPayableAccountingCode = "TAX-CA"
	items := []zuora.CreditMemoItem{{ID: "ci1", Amount: d("52.50"), AmountWithoutTax: d("50.00"), SourceItemType: zuora.SourceProductRatePlanCharge,
		SourceItemID: "c1", CreditTaxItems: []zuora.DebitMemoTaxItem{tax}}}
	charges := map[string]*zuora.ProductRatePlanCharge{"ci1": {ID: "c1", Name: "Seats", NSFields: zuora.NSFields{IntegrationID: "501"}}}
	lines := CreditMemoLines(items, charges, nil, syncedAccount(), lookups(), s)
	if len(lines) != 2 || lines[1].Item.ID != "301" || !lines[1].Amount.Equal(d("2.50")) || !LinesTotal(lines).Equal(d("52.50")) {
		t.Fatalf("lines %+v", lines)
	}
	items[0].CreditTaxItems[0].FinanceInformation.SalesTaxPayableAccountingCode = ""
	if ps := ValidateCreditMemo(syncedAccount(), items, charges, nil, lookups()); len(ps) != 1 || ps[0].Rule != RuleTaxCodeSynced {
		t.Fatalf("problems %v", ps)
	}
}
