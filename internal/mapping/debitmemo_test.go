package mapping

import (
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func isSettings() settings.Settings {
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	return s
}

func postedDebitMemo() zuora.DebitMemo {
	return zuora.DebitMemo{ID: "dm1", Number: "DM-1", AccountID: "a1", Status: "Posted", Amount: d("110.00"), TaxAmount: d("10.00"),
		DebitMemoDate: "2026-03-01", DueDate: "2026-03-31", Comment: "late fee"}
}

// Reference §7.1 and §0.6, one row per rule, each named after it.
func TestDebitMemoSelectionRules(t *testing.T) {
	cutover := isSettings()
	cutover.Advanced.DebitMemoCutoverDate = "2026-03-02"
	disabled := isSettings()
	disabled.Advanced.DisableDebitMemoSync = true
	noStandard := isSettings()
	noStandard.Advanced.UseStandardInvoiceSync = false
	with := func(f func(*zuora.DebitMemo)) zuora.DebitMemo { dm := postedDebitMemo(); f(&dm); return dm }
	noSync := syncedAccount()
	noSync.SyncToNetSuite = "No"
	cases := []struct {
		rule string
		dm   zuora.DebitMemo
		acct zuora.Account
		s    settings.Settings
		want bool
		why  string
	}{
		{RuleDebitMemoIS, postedDebitMemo(), syncedAccount(), settings.Default(), false, "not on Invoice Settlement"},
		{RuleDebitMemoDisabled, postedDebitMemo(), syncedAccount(), disabled, false, "disabled"},
		{RuleDebitMemoPosted + " (Posted)", postedDebitMemo(), syncedAccount(), isSettings(), true, ""},
		{RuleDebitMemoPosted + " (Draft)", with(func(d *zuora.DebitMemo) { d.Status = "Draft" }), syncedAccount(), isSettings(), false, "status is Draft"},
		{RuleDebitMemoPosted + " (Canceled)", with(func(d *zuora.DebitMemo) { d.Status = "Canceled" }), syncedAccount(), isSettings(), false, "Canceled"},
		{RuleDebitMemoTTA + " (null)", postedDebitMemo(), syncedAccount(), isSettings(), true, ""},
		{RuleDebitMemoTTA + " (Error)", with(func(d *zuora.DebitMemo) { d.TransferredToAccounting = "Error" }), syncedAccount(), isSettings(), true, ""},
		{RuleDebitMemoTTA + " (Processing)", with(func(d *zuora.DebitMemo) { d.TransferredToAccounting = "Processing" }), syncedAccount(), isSettings(), true, ""},
		{RuleDebitMemoTTA + " (Yes)", with(func(d *zuora.DebitMemo) { d.TransferredToAccounting = "Yes" }), syncedAccount(), isSettings(), false, "Transferred To Accounting is Yes"},
		{RuleDebitMemoTTA + " (Ignore)", with(func(d *zuora.DebitMemo) { d.TransferredToAccounting = "Ignore" }), syncedAccount(), isSettings(), false, "Ignore"},
		{RuleDebitMemoCutover + " (before)", postedDebitMemo(), syncedAccount(), cutover, false, "before the debit memo cutover date 2026-03-02"},
		{RuleDebitMemoCutover + " (on)", with(func(d *zuora.DebitMemo) { d.DebitMemoDate = "2026-03-02" }), syncedAccount(), cutover, true, ""},
		{RuleDebitMemoNotSynced, with(func(d *zuora.DebitMemo) { d.IntegrationStatus = zuora.StatusSyncComplete }), syncedAccount(), isSettings(), false, "Sync Complete"},
		{RuleDebitMemoAccount, postedDebitMemo(), noSync, isSettings(), false, "Sync To NetSuite = No"},
		// §0.2: with IS, Use Standard Invoice Sync = No still runs step 5 (debit memos).
		{"debit memo sync: runs when Use Standard Invoice Sync is No", postedDebitMemo(), syncedAccount(), noStandard, true, ""},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			ok, why := DebitMemoSelectable(c.dm, c.acct, c.s)
			if ok != c.want || !strings.Contains(why, c.why) {
				t.Fatalf("got %v %q, want %v containing %q", ok, why, c.want, c.why)
			}
		})
	}
}

func dmItems() ([]zuora.DebitMemoItem, map[string]*zuora.ProductRatePlanCharge, map[string]*zuora.Subscription) {
	tax := zuora.DebitMemoTaxItem{ID: "t1", Name: "CA tax", TaxAmount: d("10.00"), TaxCode: "CA"}
	tax.FinanceInformation.SalesTaxPayableAccountingCode = "TAX-CA"
	items := []zuora.DebitMemoItem{
		{ID: "i1", AmountWithoutTax: d("60.00"), Amount: d("70.00"), Quantity: d("2"), Description: "Seats", SourceItemType: zuora.SourceProductRatePlanCharge,
			SourceItemID: "c1", TaxItems: []zuora.DebitMemoTaxItem{tax}},
		{ID: "i2", AmountWithoutTax: d("40.00"), Amount: d("40.00"), Quantity: d("1"), Description: "Support", SourceItemType: zuora.SourceSubscriptionComponent,
			SourceItemID: "rpc2", SubscriptionID: "s1"},
	}
	charges := map[string]*zuora.ProductRatePlanCharge{
		"i1": {ID: "c1", Name: "Seats", NSFields: zuora.NSFields{IntegrationID: "501"}},
		"i2": {ID: "c2", Name: "Support", NSFields: zuora.NSFields{IntegrationID: "502"}},
	}
	return items, charges, map[string]*zuora.Subscription{"i2": {ID: "s1", Name: "S-1", Project: "77"}}
}

// §7.4 and §7.5: one NetSuite invoice, its own external id, the number by
// the numbering preference, Zuora's amounts as lines (amountWithoutTax), tax
// as ordinary lines on the tax item, non-taxable when Zuora taxes; the lines
// total the memo.
func TestDebitMemoBecomesNetSuiteInvoiceWithTaxAsLines(t *testing.T) {
	s := isSettings()
	s.NetSuite.LegacyTax = true
	dm := postedDebitMemo()
	items, charges, subs := dmItems()
	tx := DebitMemoHeader(dm, syncedAccount(), lookups(), s)
	if tx.ExternalID != "zuora-debitmemo-dm1" || tx.ExternalID == netsuite.InvoiceExternalID(dm.ID) {
		t.Fatalf("external id %q: must be the debit memo's own", tx.ExternalID)
	}
	if tx.TranID != "DM-1" || tx.Entity.ID != "901" || tx.TranDate != "2026-03-01" || tx.DueDate != "2026-03-31" || tx.ZuoraID != "dm1" {
		t.Fatalf("header %+v", tx)
	}
	if tx.IsTaxable == nil || *tx.IsTaxable || !tx.AmountWithoutTax.Equal(d("100.00")) {
		t.Fatalf("header taxable %v, amount without tax %v", tx.IsTaxable, tx.AmountWithoutTax)
	}
	if tx.Class.ID != "11" || tx.Location.ID != "1" || tx.Department.ID != "21" {
		t.Fatalf("classifications %+v %+v %+v", tx.Class, tx.Location, tx.Department)
	}
	lines := DebitMemoLines(items, charges, subs, syncedAccount(), lookups(), s)
	if len(lines) != 3 {
		t.Fatalf("%d lines, want charge, tax, charge: %+v", len(lines), lines)
	}
	if lines[0].Item.ID != "501" || !lines[0].Amount.Equal(d("60.00")) || lines[1].Item.ID != "301" || !lines[1].Amount.Equal(d("10.00")) ||
		lines[2].Item.ID != "502" || lines[0].ZuoraItemID != "i1" || lines[1].ZuoraItemID != "t1" {
		t.Fatalf("lines %+v", lines)
	}
	if !LinesTotal(lines).Equal(dm.Amount) {
		t.Fatalf("lines total %s, memo %s", LinesTotal(lines), dm.Amount)
	}
	auto := s
	auto.Transaction.NumberMapping = settings.DestinationAutoNumber
	if DebitMemoHeader(dm, syncedAccount(), lookups(), auto).TranID != "" {
		t.Fatal("Let Destination Auto-Number: tranId must be empty")
	}
	noStd := s
	noStd.Advanced.UseStandardInvoiceSync = false
	if got := DebitMemoLines(items, charges, subs, syncedAccount(), lookups(), noStd); len(got) != 2 {
		t.Fatalf("Use Standard Invoice Sync No: %d lines, want the 2 charge lines and no tax line", len(got))
	}
}

// §7.2, one case per validation, each named after its rule.
func TestDebitMemoValidationRules(t *testing.T) {
	s := isSettings()
	unsynced := syncedAccount()
	unsynced.IntegrationID = ""
	badLoc := syncedAccount()
	badLoc.Location = "Mars"
	cases := []struct {
		rule string
		mod  func(acct *zuora.Account, items []zuora.DebitMemoItem, ch map[string]*zuora.ProductRatePlanCharge, subs map[string]*zuora.Subscription)
		want string
	}{
		{RuleAccountSynced, func(a *zuora.Account, _ []zuora.DebitMemoItem, _ map[string]*zuora.ProductRatePlanCharge, _ map[string]*zuora.Subscription) {
			a.IntegrationID = ""
		}, "has not been synced to NetSuite"},
		{RuleChargeSynced + " (charge not synced)", func(_ *zuora.Account, _ []zuora.DebitMemoItem, ch map[string]*zuora.ProductRatePlanCharge, _ map[string]*zuora.Subscription) {
			ch["i1"].IntegrationID = ""
		}, `charge "Seats" (c1) has not been synced`},
		{RuleChargeSynced + " (no charge)", func(_ *zuora.Account, _ []zuora.DebitMemoItem, ch map[string]*zuora.ProductRatePlanCharge, _ map[string]*zuora.Subscription) {
			delete(ch, "i2")
		}, "debit memo item i2 (Support) has no product rate plan charge in Zuora (source SubscriptionComponent rpc2)"},
		{RuleTaxCodeSynced, func(_ *zuora.Account, items []zuora.DebitMemoItem, _ map[string]*zuora.ProductRatePlanCharge, _ map[string]*zuora.Subscription) {
			items[0].TaxItems[0].FinanceInformation.SalesTaxPayableAccountingCode = ""
		}, "has not been synced: it has no accounting code"},
		{RuleTaxItemExists, func(_ *zuora.Account, items []zuora.DebitMemoItem, _ map[string]*zuora.ProductRatePlanCharge, _ map[string]*zuora.Subscription) {
			items[0].TaxItems[0].FinanceInformation.SalesTaxPayableAccountingCode = "TAX-XX"
		}, `"TAX-XX", which does not exist`},
		{RuleVariableProject, func(_ *zuora.Account, _ []zuora.DebitMemoItem, ch map[string]*zuora.ProductRatePlanCharge, subs map[string]*zuora.Subscription) {
			ch["i2"].RevRecTemplateType = TemplateVariable
			subs["i2"].Project = ""
		}, "Variable revenue recognition template"},
		{RuleAccountLocation, func(a *zuora.Account, _ []zuora.DebitMemoItem, _ map[string]*zuora.ProductRatePlanCharge, _ map[string]*zuora.Subscription) {
			a.Location = "Mars"
		}, `NetSuite location "Mars"`},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			acct := syncedAccount()
			items, ch, subs := dmItems()
			c.mod(&acct, items, ch, subs)
			ps := ValidateDebitMemo(acct, items, ch, subs, lookups(), s)
			if len(ps) != 1 || !strings.Contains(ps[0].Reason, c.want) {
				t.Fatalf("problems %v, want one containing %q", ps, c.want)
			}
		})
	}
	items, ch, subs := dmItems()
	if ps := ValidateDebitMemo(syncedAccount(), items, ch, subs, lookups(), s); len(ps) != 0 {
		t.Fatalf("clean memo: %v", ps)
	}
}
