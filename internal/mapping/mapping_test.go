package mapping

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func postedInvoice() zuora.Invoice {
	return zuora.Invoice{ID: "inv1", InvoiceNumber: "INV-1", AccountID: "a1", Status: "Posted", Amount: d("110.00"),
		AmountWithoutTax: d("100.00"), TaxAmount: d("10.00"), InvoiceDate: "2026-03-01", DueDate: "2026-03-31"}
}

func syncedAccount() zuora.Account {
	return zuora.Account{ID: "a1", AccountNumber: "A-1", Name: `O'Brien, "Ltd"`, NSFields: zuora.NSFields{IntegrationID: "901"},
		Class: "Retail", Department: "Sales", Location: "Boston"}
}

func lookups() Lookups {
	return Lookups{
		Locations: map[string]string{"Boston": "1", "Paris": "2"}, Classes: map[string]string{"Retail": "11", "Online": "12"},
		Departments: map[string]string{"Sales": "21", "Ops": "22"}, Subsidiaries: map[string]string{},
		TaxItems: map[string]string{"TAX-CA": "301"},
	}
}

func TestInvoiceSelection(t *testing.T) {
	s := settings.Default()
	cutover := settings.Default()
	cutover.Advanced.InvoiceCutoverDate = "2026-03-01"
	disabled := settings.Default()
	disabled.Advanced.DisableInvoiceSync = true
	tests := []struct {
		name string
		mod  func(*zuora.Invoice, *zuora.Account)
		s    settings.Settings
		want bool
		why  string
	}{
		{"invoice rule: Posted, Transferred To Accounting null (shown as No), account flag empty -> selected", nil, s, true, ""},
		{"invoice rule: Status must be Posted (Draft is not)", func(i *zuora.Invoice, _ *zuora.Account) { i.Status = "Draft" }, s, false, "only Posted"},
		{"invoice rule: Status must be Posted (Canceled is not)", func(i *zuora.Invoice, _ *zuora.Account) { i.Status = "Canceled" }, s, false, "only Posted"},
		{"invoice rule: Transferred To Accounting No is selected", func(i *zuora.Invoice, _ *zuora.Account) { i.TransferredToAccounting = "No" }, s, true, ""},
		{"invoice rule: Transferred To Accounting Error is selected", func(i *zuora.Invoice, _ *zuora.Account) { i.TransferredToAccounting = "Error" }, s, true, ""},
		{"invoice rule: Transferred To Accounting Processing is selected", func(i *zuora.Invoice, _ *zuora.Account) { i.TransferredToAccounting = "Processing" }, s, true, ""},
		{"invoice rule: a synced invoice (Yes) is never re-selected", func(i *zuora.Invoice, _ *zuora.Account) { i.TransferredToAccounting = "Yes" }, s, false, "Transferred To Accounting is Yes"},
		{"invoice rule: Ignore is not selected until set back to No", func(i *zuora.Invoice, _ *zuora.Account) { i.TransferredToAccounting = "Ignore" }, s, false, "Ignore"},
		{"invoice rule: account Sync To NetSuite Yes is selected", func(_ *zuora.Invoice, a *zuora.Account) { a.SyncToNetSuite = "Yes" }, s, true, ""},
		{"invoice rule: account Sync To NetSuite No is not selected", func(_ *zuora.Invoice, a *zuora.Account) { a.SyncToNetSuite = "No" }, s, false, "Sync To NetSuite = No"},
		{"invoice rule: invoice date equal to the cutover date is selected", nil, cutover, true, ""},
		{"invoice rule: invoice date before the cutover date is not selected", func(i *zuora.Invoice, _ *zuora.Account) { i.InvoiceDate = "2026-02-28" }, cutover, false, "before the invoice cutover date"},
		{"invoice rule: disabled invoice sync selects nothing", nil, disabled, false, "disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, acct := postedInvoice(), syncedAccount()
			if tt.mod != nil {
				tt.mod(&inv, &acct)
			}
			got, why := InvoiceSelectable(inv, acct, tt.s)
			if got != tt.want || !strings.Contains(why, tt.why) {
				t.Fatalf("InvoiceSelectable = %v, %q; want %v, containing %q", got, why, tt.want, tt.why)
			}
		})
	}
}

func TestInvoiceSelectionZOQL(t *testing.T) {
	q := InvoiceSelectionZOQL(settings.Default())
	for _, want := range []string{"from Invoice", "Status = 'Posted'", "TransferredToAccounting = null", "'No'", "'Error'", "'Processing'"} {
		if !strings.Contains(q, want) {
			t.Errorf("invoice rule: selection query %q lacks %q", q, want)
		}
	}
	if strings.Contains(q, "InvoiceDate >=") {
		t.Errorf("no cutover date set, but the query filters on it: %q", q)
	}
	s := settings.Default()
	s.Advanced.InvoiceCutoverDate = "2026-01-01"
	if q := InvoiceSelectionZOQL(s); !strings.Contains(q, "InvoiceDate >= '2026-01-01'") {
		t.Errorf("invoice rule: cutover date inclusive missing from %q", q)
	}
}

func TestValidations(t *testing.T) {
	l := lookups()
	charge := &zuora.ProductRatePlanCharge{ID: "c1", Name: "Gold", NSFields: zuora.NSFields{IntegrationID: "501"}, RevRecTemplateType: "Standard"}
	item := zuora.InvoiceItem{ID: "ii1", ChargeName: "Gold", SubscriptionID: "s1"}
	tests := []struct {
		name     string
		problems []Problem
		rule     string
	}{
		{"invoice validation: synced account with valid classifications passes", ValidateAccount(syncedAccount(), l), ""},
		{"invoice validation: account without IntegrationId is an error", ValidateAccount(zuora.Account{ID: "a2", AccountNumber: "A-2"}, l), RuleAccountSynced},
		{"invoice validation: account Location not in NetSuite is an error", ValidateAccount(func() zuora.Account { a := syncedAccount(); a.Location = "Mars"; return a }(), l), RuleAccountLocation},
		{"invoice validation: account Class not in NetSuite is an error", ValidateAccount(func() zuora.Account { a := syncedAccount(); a.Class = "Nope"; return a }(), l), RuleAccountClass},
		{"invoice validation: account Department not in NetSuite is an error", ValidateAccount(func() zuora.Account { a := syncedAccount(); a.Department = "Nope"; return a }(), l), RuleAccountDept},
		{"invoice validation: empty Location/Class/Department are not checked", ValidateAccount(zuora.Account{ID: "a3", NSFields: zuora.NSFields{IntegrationID: "1"}}, Lookups{}), ""},
		{"invoice validation: synced charge passes", ValidateInvoiceItem(item, charge, nil), ""},
		{"invoice validation: charge without IntegrationId is an error", ValidateInvoiceItem(item, &zuora.ProductRatePlanCharge{ID: "c2", Name: "Silver"}, nil), RuleChargeSynced},
		{"invoice validation: item without a catalog charge is an error", ValidateInvoiceItem(item, nil, nil), RuleChargeSynced},
		{"invoice validation: Variable template needs the subscription's project", ValidateInvoiceItem(item,
			&zuora.ProductRatePlanCharge{ID: "c3", Name: "Setup", NSFields: zuora.NSFields{IntegrationID: "502"}, RevRecTemplateType: "Variable"},
			&zuora.Subscription{ID: "s1", Name: "S-1"}), RuleVariableProject},
		{"invoice validation: Variable template with the project passes", ValidateInvoiceItem(item,
			&zuora.ProductRatePlanCharge{ID: "c3", Name: "Setup", NSFields: zuora.NSFields{IntegrationID: "502"}, RevRecTemplateType: "Variable"},
			&zuora.Subscription{ID: "s1", Project: "77"}), ""},
		{"invoice validation: tax code without accounting code is an error", ValidateTaxationItem(zuora.TaxationItem{ID: "t1", TaxCode: "CA"}, l), RuleTaxCodeSynced},
		{"invoice validation: tax code whose NetSuite item is missing is an error", ValidateTaxationItem(zuora.TaxationItem{ID: "t1", TaxCode: "NY", AccountingCode: "TAX-NY"}, l), RuleTaxItemExists},
		{"invoice validation: synced tax code passes", ValidateTaxationItem(zuora.TaxationItem{ID: "t1", TaxCode: "CA", AccountingCode: "TAX-CA"}, l), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rule == "" {
				if len(tt.problems) != 0 {
					t.Fatalf("want no problems, got %v", tt.problems)
				}
				return
			}
			if len(tt.problems) != 1 || tt.problems[0].Rule != tt.rule || tt.problems[0].Reason == "" {
				t.Fatalf("want one %q problem with a reason, got %+v", tt.rule, tt.problems)
			}
		})
	}
}

func TestInvoiceTarget(t *testing.T) {
	for _, tt := range []struct {
		name, amount, typ, status string
	}{
		{"invoice rule: amount > 0 -> NetSuite invoice, Creating Invoice", "10", netsuite.TypeInvoice, zuora.StatusCreatingInvoice},
		{"invoice rule: amount = 0 -> NetSuite invoice", "0", netsuite.TypeInvoice, zuora.StatusCreatingInvoice},
		{"invoice rule: amount < 0 -> standalone credit memo, Creating Credit Memo", "-0.01", netsuite.TypeCreditMemo, zuora.StatusCreatingCreditMemo},
	} {
		t.Run(tt.name, func(t *testing.T) {
			typ, status := InvoiceTarget(zuora.Invoice{Amount: d(tt.amount)})
			if typ != tt.typ || status != tt.status {
				t.Fatalf("got %s/%s", typ, status)
			}
		})
	}
}

func TestItemCeiling(t *testing.T) {
	s := settings.Default()
	if ExceedsItemCeiling(1_000_000, s) {
		t.Error("no ceiling by default: a million items must sync")
	}
	s.Advanced.MaxInvoiceItems = 4000
	if ExceedsItemCeiling(4000, s) || !ExceedsItemCeiling(4001, s) {
		t.Error("invoice rule: more than 4000 items (when the ceiling is set) -> Ignore; exactly 4000 syncs")
	}
}

func TestInvoiceHeader(t *testing.T) {
	s := settings.Default()
	// Non-taxable marks need legacy tax: REST refuses isTaxable on SuiteTax
	// accounts (real-api-gaps N5; TestNonTaxable_OnlyOnLegacyTaxAccounts).
	s.NetSuite.LegacyTax = true
	tx := InvoiceHeader(postedInvoice(), syncedAccount(), lookups(), s)
	if tx.ExternalID != "zuora-invoice-inv1" || tx.Entity.ID != "901" || tx.TranDate != "2026-03-01" || tx.DueDate != "2026-03-31" {
		t.Fatalf("header: %+v", tx)
	}
	if tx.TranID != "INV-1" {
		t.Errorf("transaction number mapping: Use Number From Source Record -> tranId = Zuora number, got %q", tx.TranID)
	}
	if tx.IsTaxable == nil || *tx.IsTaxable {
		t.Error("taxes: invoice marked non-taxable under standard invoice sync")
	}
	if tx.Class.ID != "11" || tx.Department.ID != "21" || tx.Location.ID != "1" {
		t.Errorf("header classifications from the account: %+v %+v %+v", tx.Class, tx.Department, tx.Location)
	}
	s.Transaction.NumberMapping = settings.DestinationAutoNumber
	s.Advanced.UseStandardInvoiceSync = false
	tx = InvoiceHeader(postedInvoice(), syncedAccount(), lookups(), s)
	if tx.TranID != "" {
		t.Errorf("transaction number mapping: Let Destination Auto-Number -> no tranId, got %q", tx.TranID)
	}
	if tx.IsTaxable != nil {
		t.Error("Use Standard Invoice Sync = No: taxability is left to NetSuite")
	}
	neg := postedInvoice()
	neg.Amount, neg.AmountWithoutTax = d("-50"), d("-50")
	if tx := InvoiceHeader(neg, syncedAccount(), lookups(), s); tx.DueDate != "" || !tx.AmountWithoutTax.Equal(d("50")) {
		t.Errorf("credit memo header: no due date, positive amount: %+v", tx)
	}
}

func chargeSource() LineSource {
	return LineSource{
		Item: zuora.InvoiceItem{ID: "ii1", ChargeName: "Gold", ChargeAmount: d("100.00"), Quantity: d("2"),
			ServiceStartDate: "2026-03-01", ServiceEndDate: "2026-03-31", SubscriptionID: "s1"},
		Charge:       zuora.ProductRatePlanCharge{ID: "c1", NSFields: zuora.NSFields{IntegrationID: "501"}, RevRecTemplateType: "Standard", Class: "Online", Department: "Ops", Location: "Paris"},
		Subscription: &zuora.Subscription{ID: "s1", Project: "77", SubscriptionEndDate: "2027-02-28"},
		Account:      syncedAccount(),
	}
}

func TestChargeLine(t *testing.T) {
	s := settings.Default()
	// Non-taxable marks need legacy tax: REST refuses isTaxable on SuiteTax
	// accounts (real-api-gaps N5; TestNonTaxable_OnlyOnLegacyTaxAccounts).
	s.NetSuite.LegacyTax = true
	l := lookups()
	line, ok := ChargeLine(chargeSource(), false, l, s)
	if !ok || line.Item.ID != "501" || !line.Amount.Equal(d("100")) || !line.Quantity.Equal(d("2")) ||
		line.ServiceStart != "2026-03-01" || line.ServiceEnd != "2026-03-31" || line.ZuoraItemID != "ii1" {
		t.Fatalf("invoice item charges: one line with the charge's item, actual amount, quantity, service dates: %+v", line)
	}
	if line.IsTaxable == nil || *line.IsTaxable {
		t.Error("taxes: lines marked non-taxable")
	}
	if line.Class.ID != "11" || line.Location.ID != "1" {
		t.Error("line classifications from the account by default")
	}
	if line.Job != nil {
		t.Error("project-based revenue: Standard template charges are synced without the project")
	}
	if line.DeferRevRec != nil || line.RevRecStartDate != "" {
		t.Error("rev rec off: no rev rec fields")
	}

	s2 := s
	s2.Transaction.LineClassificationSource = settings.ClassificationFromCharge
	if line, _ := ChargeLine(chargeSource(), false, l, s2); line.Class.ID != "12" || line.Department.ID != "22" || line.Location.ID != "2" {
		t.Errorf("line classifications from the charge: %+v", line)
	}

	variable := chargeSource()
	variable.Charge.RevRecTemplateType = "Variable"
	if line, _ := ChargeLine(variable, false, l, s); line.Job == nil || line.Job.ID != "77" {
		t.Error("project-based revenue: Variable template charges carry the subscription's project")
	}

	neg, _ := ChargeLine(chargeSource(), true, l, s)
	if !neg.Amount.Equal(d("-100")) {
		t.Error("credit memo of a negative invoice: amounts negated")
	}

	usage := chargeSource()
	usage.Charge.ChargeType = "Usage" // charge type lives on the charge: InvoiceItem has none in ZOQL
	if _, ok := ChargeLine(usage, false, l, s); !ok {
		t.Error("usage charges are transferred as lines (usage records are not)")
	}

	zero := chargeSource()
	zero.Item.ChargeAmount = decimal.Zero
	if _, ok := ChargeLine(zero, false, l, s); ok {
		t.Error("zero-amount items: left off by default")
	}
	s3 := s
	s3.Advanced.SyncZeroAmountItems = true
	if _, ok := ChargeLine(zero, false, l, s3); !ok {
		t.Error("zero-amount items: synced when the advanced setting says so")
	}
}

func TestTaxLines(t *testing.T) {
	s := settings.Default()
	// Non-taxable marks need legacy tax: REST refuses isTaxable on SuiteTax
	// accounts (real-api-gaps N5; TestNonTaxable_OnlyOnLegacyTaxAccounts).
	s.NetSuite.LegacyTax = true
	item := chargeSource().Item
	taxes := []zuora.TaxationItem{
		{ID: "t1", Name: "State", TaxAmount: d("7.25"), AccountingCode: "TAX-CA", Jurisdiction: "CA"},
		{ID: "t2", Name: "County", TaxAmount: d("1.00"), AccountingCode: "TAX-CA"},
	}
	lines := TaxLines(item, taxes, false, lookups(), s)
	if len(lines) != 2 {
		t.Fatalf("taxes: multiple tax lines for a single charge, got %d", len(lines))
	}
	for _, l := range lines {
		if l.Item.ID != "301" || l.IsTaxable == nil || *l.IsTaxable {
			t.Errorf("taxes: tax line on the tax code's item, non-taxable: %+v", l)
		}
	}
	if lines[0].ZuoraItemID != "t1" || !lines[0].Amount.Equal(d("7.25")) {
		t.Errorf("tax line keyed by taxation item id with its amount: %+v", lines[0])
	}
	s.Advanced.UseStandardInvoiceSync = false
	if got := TaxLines(item, taxes, false, lookups(), s); len(got) != 0 {
		t.Error("Use Standard Invoice Sync = No: no tax lines, NetSuite taxes the invoice")
	}
}

func TestRevRec(t *testing.T) {
	on := settings.Default()
	on.Advanced.NetSuiteRevRec = true
	type mod func(*LineSource)
	withCode := func(ls *LineSource) { ls.Item.RevRecCode = "RR1" }
	trigger := func(date string) mod { return func(ls *LineSource) { ls.Item.RevRecTriggerDate = date } }
	startPref := func(p string) mod { return func(ls *LineSource) { ls.Charge.RevRecStart = p } }
	endPref := func(p string) mod { return func(ls *LineSource) { ls.Charge.RevRecEnd = p } }
	tests := []struct {
		name string
		s    settings.Settings
		mods []mod
		want RevRec
	}{
		{"rev rec: NetSuite Revenue Recognition No -> all empty/false", settings.Default(), []mod{withCode, trigger("2026-03-05")}, RevRec{}},
		{"rev rec: Rev Rec Code with Variable template -> blank/false", on, []mod{withCode, func(ls *LineSource) { ls.Charge.RevRecTemplateType = "Variable" }}, RevRec{}},
		{"rev rec start: no Rev Rec Code -> service start", on, nil, RevRec{Start: "2026-03-01"}},
		{"rev rec start: code, Standard, trigger set, Use NetSuite Rev Rec Template -> no start, no end, not delayed", on,
			[]mod{withCode, trigger("2026-03-05"), startPref(RevRecUseTemplate), endPref(RevRecChargePeriodEnd)}, RevRec{}},
		{"rev rec start: trigger date before service start -> service start", on,
			[]mod{withCode, trigger("2026-02-01"), startPref(RevRecTriggerDate)}, RevRec{Start: "2026-03-01"}},
		{"rev rec start: trigger on/after service start, Charge Period Start -> service start", on,
			[]mod{withCode, trigger("2026-03-05"), startPref(RevRecChargePeriodStart)}, RevRec{Start: "2026-03-01"}},
		{"rev rec start: trigger on/after service start, Rev Rec Trigger Date -> trigger date", on,
			[]mod{withCode, trigger("2026-03-05"), startPref(RevRecTriggerDate)}, RevRec{Start: "2026-03-05"}},
		{"rev rec start: trigger equal to service start, Rev Rec Trigger Date -> trigger date", on,
			[]mod{withCode, trigger("2026-03-01"), startPref(RevRecTriggerDate)}, RevRec{Start: "2026-03-01"}},
		{"rev rec: code without trigger date -> delayed, service start temporarily", on,
			[]mod{withCode, startPref(RevRecTriggerDate)}, RevRec{Start: "2026-03-01", Delay: true}},
		{"rev rec end: Charge Period End -> service end", on, []mod{endPref(RevRecChargePeriodEnd)}, RevRec{Start: "2026-03-01", End: "2026-03-31"}},
		{"rev rec end: Subscription End Date -> subscription end", on, []mod{endPref(RevRecSubscriptionEnd)}, RevRec{Start: "2026-03-01", End: "2027-02-28"}},
		{"rev rec end: Use NetSuite Rev Rec Template start preference -> no end", on,
			[]mod{withCode, trigger("2026-03-05"), startPref(RevRecUseTemplate), endPref(RevRecSubscriptionEnd)}, RevRec{}},
		{"rev rec: charge-level Rev Rec Code counts when the item has none", on,
			[]mod{func(ls *LineSource) { ls.Charge.RevRecCode = "RR2" }}, RevRec{Start: "2026-03-01", Delay: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := chargeSource()
			for _, m := range tt.mods {
				m(&src)
			}
			if got := RevRecFor(src, tt.s); got != tt.want {
				t.Fatalf("RevRecFor = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRevRecUpdate(t *testing.T) {
	on := settings.Default()
	on.Advanced.NetSuiteRevRec = true
	src := chargeSource()
	src.Item.RevRecCode = "RR1"
	src.Charge.RevRecStart, src.Charge.RevRecEnd = RevRecTriggerDate, RevRecChargePeriodEnd
	delayed := netsuite.Line{ZuoraItemID: "ii1", DeferRevRec: ptr(true)}
	if _, changed := RevRecUpdate(src, on, delayed); changed {
		t.Error("rev rec update: trigger date still unset -> line stays delayed")
	}
	src.Item.RevRecTriggerDate = "2026-03-10"
	got, changed := RevRecUpdate(src, on, delayed)
	if !changed || *got.DeferRevRec || got.RevRecStartDate != "2026-03-10" || got.RevRecEndDate != "2026-03-31" {
		t.Errorf("rev rec update: trigger date set -> Delay Rev Rec false and dates set; got %+v changed=%v", got, changed)
	}
	if _, changed := RevRecUpdate(src, on, netsuite.Line{DeferRevRec: ptr(false)}); changed {
		t.Error("rev rec update: a line not delayed is left alone")
	}
}

// Property: when every line is included, the NetSuite lines of an invoice total
// |Zuora amount| to the cent, whatever the sign mix of its items.
func TestLinesTotalEqualsInvoiceAmount(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := settings.Default()
		s.Advanced.SyncZeroAmountItems = true
		n := rapid.IntRange(1, 30).Draw(t, "items")
		amount := decimal.Zero
		var lines []netsuite.Line
		srcs := make([]LineSource, n)
		taxes := make([][]zuora.TaxationItem, n)
		for i := range n {
			cents := rapid.Int64Range(-1_000_000, 1_000_000).Draw(t, "cents")
			src := chargeSource()
			src.Item.ID = "ii" + string(rune('a'+i))
			src.Item.ChargeAmount = decimal.New(cents, -2)
			amount = amount.Add(src.Item.ChargeAmount)
			srcs[i] = src
			for j := range rapid.IntRange(0, 3).Draw(t, "taxes") {
				tax := decimal.New(rapid.Int64Range(-10_000, 10_000).Draw(t, "tax"), -2)
				taxes[i] = append(taxes[i], zuora.TaxationItem{ID: src.Item.ID + "t" + string(rune('0'+j)), TaxAmount: tax, AccountingCode: "TAX-CA"})
				amount = amount.Add(tax)
			}
		}
		inv := zuora.Invoice{Amount: amount}
		typ, _ := InvoiceTarget(inv)
		negate := typ == netsuite.TypeCreditMemo
		for i, src := range srcs {
			line, ok := ChargeLine(src, negate, lookups(), s)
			if !ok {
				t.Fatalf("line %d left off with SyncZeroAmountItems", i)
			}
			lines = append(lines, line)
			lines = append(lines, TaxLines(src.Item, taxes[i], negate, lookups(), s)...)
		}
		if got := LinesTotal(lines); !got.Equal(amount.Abs()) {
			t.Fatalf("NetSuite total %s, Zuora amount %s", got, amount)
		}
	})
}

func TestNonTaxable_OnlyOnLegacyTaxAccounts(t *testing.T) {
	s := settings.Default() // SuiteTax: REST web services refuse legacy tax fields (N5)
	if tx := InvoiceHeader(postedInvoice(), syncedAccount(), lookups(), s); tx.IsTaxable != nil {
		t.Error("SuiteTax account: the header must carry no isTaxable")
	}
	if line, _ := ChargeLine(chargeSource(), false, lookups(), s); line.IsTaxable != nil {
		t.Error("SuiteTax account: a line must carry no isTaxable")
	}
	for _, l := range TaxLines(chargeSource().Item, []zuora.TaxationItem{{ID: "t1", TaxAmount: d("1"), AccountingCode: "TAX-CA"}}, false, lookups(), s) {
		if l.IsTaxable != nil {
			t.Error("SuiteTax account: a tax line must carry no isTaxable")
		}
	}
}
