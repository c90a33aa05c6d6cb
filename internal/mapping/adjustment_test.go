package mapping

import (
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

func processedCredit() zuora.InvoiceItemAdjustment {
	return zuora.InvoiceItemAdjustment{ID: "iia1", AdjustmentNumber: "IIA-00000001", AccountID: "acc1", InvoiceID: "inv1", InvoiceNumber: "INV-1",
		SourceID: "item1", SourceType: SourceInvoiceDetail, Type: AdjustmentCredit, Status: AdjustmentProcessed, Amount: d("100.00"),
		AdjustmentDate: "2026-03-10", ServiceStartDate: "2026-03-01", ServiceEndDate: "2026-03-31", ReasonCode: "Standard Adjustment"}
}

func syncedInvoice(amount string) zuora.Invoice {
	return zuora.Invoice{ID: "inv1", InvoiceNumber: "INV-1", AccountID: "acc1", Status: "Posted", Amount: d(amount), NSFields: zuora.NSFields{IntegrationID: "500"}}
}

func TestAdjustmentSelection(t *testing.T) {
	s := settings.Default()
	cutover := settings.Default()
	cutover.Advanced.IIACutoverDate = "2026-03-10"
	tests := []struct {
		name   string
		mutate func(*zuora.InvoiceItemAdjustment)
		s      settings.Settings
		want   bool
		why    string
	}{
		{"adjustment rule: Processed, Transferred To Accounting null (shown as No) -> selected", nil, s, true, ""},
		{"adjustment rule: Status must be Processed (Canceled is not)", func(a *zuora.InvoiceItemAdjustment) { a.Status = "Canceled" }, s, false, "only Processed"},
		{"adjustment rule: Transferred To Accounting No is selected", func(a *zuora.InvoiceItemAdjustment) { a.TransferredToAccounting = "No" }, s, true, ""},
		{"adjustment rule: Transferred To Accounting Error is selected", func(a *zuora.InvoiceItemAdjustment) { a.TransferredToAccounting = "Error" }, s, true, ""},
		{"adjustment rule: Transferred To Accounting Processing is selected", func(a *zuora.InvoiceItemAdjustment) { a.TransferredToAccounting = "Processing" }, s, true, ""},
		{"adjustment rule: a synced adjustment (Yes) is never re-selected", func(a *zuora.InvoiceItemAdjustment) { a.TransferredToAccounting = "Yes" }, s, false, "Transferred To Accounting is Yes"},
		{"adjustment rule: Ignore is not selected", func(a *zuora.InvoiceItemAdjustment) { a.TransferredToAccounting = "Ignore" }, s, false, "Ignore"},
		{"adjustment rule: migration-generated adjustments never sync", func(a *zuora.InvoiceItemAdjustment) { a.DoNotSync = "Yes" }, s, false, "not to sync"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			adj := processedCredit()
			if tt.mutate != nil {
				tt.mutate(&adj)
			}
			ok, why := AdjustmentSelectable(adj, tt.s)
			if ok != tt.want || !strings.Contains(why, tt.why) {
				t.Fatalf("selectable = %v (%q), want %v (%q)", ok, why, tt.want, tt.why)
			}
		})
	}
}

// Seed: "The Adjustment Date is greater than or equal to the Invoice item
// Adjustment Cutover Date (if specified in the NetSuite Connector Advanced Settings)."
func TestAdjustmentSelection_CutoverDate(t *testing.T) {
	s := settings.Default()
	s.Advanced.IIACutoverDate = "2026-03-10"
	adj := processedCredit()
	for _, tt := range []struct {
		date string
		want bool
	}{{"2026-03-09", false}, {"2026-03-10", true}, {"2026-03-11", true}} {
		adj.AdjustmentDate = tt.date
		if ok, why := AdjustmentSelectable(adj, s); ok != tt.want {
			t.Errorf("adjustment dated %s with cutover 2026-03-10: selectable %v (%s), want %v", tt.date, ok, why, tt.want)
		}
	}
	q := AdjustmentSelectionZOQL(s)
	if !strings.Contains(q, "AdjustmentDate >= '2026-03-10'") {
		t.Errorf("cutover (inclusive) missing from %q", q)
	}
	if q := AdjustmentSelectionZOQL(settings.Default()); strings.Contains(q, "AdjustmentDate >=") {
		t.Errorf("no cutover set, yet the query filters on it: %q", q)
	}
	// The invoice cutover date does not apply to adjustments.
	s2 := settings.Default()
	s2.Advanced.InvoiceCutoverDate = "2026-12-01"
	if ok, _ := AdjustmentSelectable(adj, s2); !ok {
		t.Error("the invoice cutover date must not filter adjustments")
	}
}

func TestAdjustmentSelection_ZOQLProcessedAndTransferPending(t *testing.T) {
	q := AdjustmentSelectionZOQL(settings.Default())
	for _, want := range []string{"from InvoiceItemAdjustment", "Status = 'Processed'", "TransferredToAccounting = null",
		"TransferredToAccounting = 'No'", "TransferredToAccounting = 'Error'", "TransferredToAccounting = 'Processing'", "DoNotSync__c"} {
		if !strings.Contains(q, want) {
			t.Errorf("adjustment selection query %q lacks %q", q, want)
		}
	}
}

// Seed: "You can disable the invoice item adjustment sync from the NetSuite
// Connector Advanced Settings" and "The Zuora invoice item adjustment sync will
// not execute if ... Use Standard Invoice Sync is set to false"; Invoice
// Settlement ends the IIA sync.
func TestAdjustmentSync_NotRunWhenDisabledNoStandardInvoiceSyncOrInvoiceSettlement(t *testing.T) {
	cases := map[string]func(*settings.Settings){
		"Disable IIA sync":                  func(s *settings.Settings) { s.Advanced.DisableIIASync = true },
		"Use Standard Invoice Sync = false": func(s *settings.Settings) { s.Advanced.UseStandardInvoiceSync = false },
		"Invoice Settlement":                func(s *settings.Settings) { s.Advanced.InvoiceSettlement = true },
	}
	for name, mutate := range cases {
		s := settings.Default()
		mutate(&s)
		if ok, why := AdjustmentSyncEnabled(s); ok || why == "" {
			t.Errorf("%s: the adjustment sync must not run (got %v, %q)", name, ok, why)
		}
		if ok, _ := AdjustmentSelectable(processedCredit(), s); ok {
			t.Errorf("%s: an otherwise eligible adjustment must not be selectable", name)
		}
	}
	if ok, _ := AdjustmentSyncEnabled(settings.Default()); !ok {
		t.Error("defaults: the adjustment sync runs")
	}
}

func adjustmentContext() AdjustmentContext {
	return AdjustmentContext{Adjustment: processedCredit(), Invoice: syncedInvoice("250.00"), Account: syncedAccount(), Item: "20", OriginalType: netsuite.TypeInvoice}
}

// Seed validations: the invoice has been synced; account Location / Class /
// Department, if populated, valid in NetSuite.
func TestAdjustmentValidation(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*AdjustmentContext)
		rule   string
		reason string
	}{
		{"adjustment validation: all valid", nil, "", ""},
		{"adjustment validation: the invoice has been synced (it has an IntegrationID)", func(c *AdjustmentContext) { c.Invoice.IntegrationID = "" },
			RuleIIAInvoiceSynced, "invoice INV-1 has not been synced to NetSuite"},
		{"adjustment validation: account Location valid in NetSuite", func(c *AdjustmentContext) { c.Account.Location = "Atlantis" },
			RuleIIAAccountLocation, `NetSuite location "Atlantis", which is not a valid NetSuite location`},
		{"adjustment validation: account Class valid in NetSuite", func(c *AdjustmentContext) { c.Account.Class = "Nope" },
			RuleIIAAccountClass, "not a valid NetSuite class"},
		{"adjustment validation: account Department valid in NetSuite", func(c *AdjustmentContext) { c.Account.Department = "Nope" },
			RuleIIAAccountDept, "not a valid NetSuite department"},
		{"adjustment validation: empty Location/Class/Department are not checked", func(c *AdjustmentContext) {
			c.Account.Location, c.Account.Class, c.Account.Department = "", "", ""
		}, "", ""},
		{"adjustment validation: an unsynced account is not an adjustment problem (its invoice synced)", func(c *AdjustmentContext) { c.Account.IntegrationID = "" }, "", ""},
		{"adjustment validation: the adjusted item needs a NetSuite item", func(c *AdjustmentContext) {
			c.Item, c.ItemProblem = "", `charge "Seats" of the adjusted item has not been synced`
		}, RuleIIAItemSynced, "has not been synced"},
		{"adjustment validation: a negative item on a positive invoice is not supported", func(c *AdjustmentContext) { c.ItemAmount = ptr(d("-20.00")) },
			RuleIIAItemSign, "adjustment is on a negative item (-20.00) of a positive invoice INV-1"},
		{"adjustment validation: a positive item on a negative invoice is not supported", func(c *AdjustmentContext) {
			c.Invoice.Amount, c.OriginalType, c.ItemAmount = d("-250.00"), netsuite.TypeCreditMemo, ptr(d("20.00"))
		}, RuleIIAItemSign, "positive item (20.00) of a negative invoice"},
		{"adjustment validation: same-sign items are fine, zero-amount items too", func(c *AdjustmentContext) { c.ItemAmount = ptr(d("0")) }, "", ""},
		{"adjustment validation: the invoice's NetSuite record still exists", func(c *AdjustmentContext) { c.OriginalType = "" },
			RuleIIAOriginalInNetSuite, "no longer exists in NetSuite"},
		{"adjustment validation: a positive invoice's NetSuite record is an invoice", func(c *AdjustmentContext) { c.OriginalType = netsuite.TypeCreditMemo },
			RuleIIAOriginalInNetSuite, "should be a invoice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := adjustmentContext()
			if tt.mutate != nil {
				tt.mutate(&c)
			}
			ps := ValidateAdjustment(c, lookups())
			if tt.rule == "" {
				if len(ps) != 0 {
					t.Fatalf("want no problem, got %+v", ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Rule != tt.rule || !strings.Contains(ps[0].Reason, tt.reason) {
				t.Fatalf("want one %q problem saying %q, got %+v", tt.rule, tt.reason, ps)
			}
		})
	}
}

// Seed rule 3: Integration Status "Creating Invoice" or "Creating Credit Memo".
func TestAdjustment_IntegrationStatusCreatingInvoiceOrCreditMemo(t *testing.T) {
	credit, charge := processedCredit(), processedCredit()
	charge.Type = AdjustmentCharge
	for _, neg := range []bool{false, true} {
		if p, _ := AdjustmentTarget(credit, neg); p.Creating != zuora.StatusCreatingCreditMemo || p.RecordType != netsuite.TypeCreditMemo {
			t.Errorf("Credit (original negative %v): %+v", neg, p)
		}
		if p, _ := AdjustmentTarget(charge, neg); p.Creating != zuora.StatusCreatingInvoice || p.RecordType != netsuite.TypeInvoice {
			t.Errorf("Charge (original negative %v): %+v", neg, p)
		}
	}
	odd := processedCredit()
	odd.Type = "Refund"
	if _, ok := AdjustmentTarget(odd, false); ok {
		t.Error("a type other than Credit or Charge has no target")
	}
}

func lineSource(adj zuora.InvoiceItemAdjustment) AdjustmentLineSource {
	return AdjustmentLineSource{Adjustment: adj, Item: "20", ItemName: "Seats", Account: syncedAccount()}
}

// Seed rule 4: "If the Adjustment Type is Credit, a NetSuite credit memo is
// created and applied (using the native NetSuite applied transaction
// functionality) to the existing NetSuite invoice that was synced from the
// original Zuora invoice."
func TestAdjustment_CreditBecomesCreditMemoAppliedToOriginalInvoice(t *testing.T) {
	adj := processedCredit()
	plan, ok := AdjustmentTarget(adj, false)
	if !ok || plan.Mode != ModeApplyToInvoice || plan.Note != "" {
		t.Fatalf("plan %+v", plan)
	}
	tx := AdjustmentTransaction(lineSource(adj), "10", plan, "500", d("100.00"), lookups(), settings.Default())
	if tx.ExternalID != "zuora-iia-iia1" || tx.Entity == nil || tx.Entity.ID != "10" || tx.TranDate != "2026-03-10" {
		t.Errorf("header %+v", tx)
	}
	if tx.Apply == nil || len(tx.Apply.Items) != 1 {
		t.Fatalf("apply sublist %+v", tx.Apply)
	}
	ap := tx.Apply.Items[0]
	if ap.Doc == nil || ap.Doc.ID != "500" || !ap.Apply || !ap.Amount.Equal(d("100")) {
		t.Errorf("apply row %+v: want doc 500 (the original's NetSuite invoice), apply true, 100.00", ap)
	}
	if tx.RelatedTransaction != nil {
		t.Error("a credit memo carries no Related Transaction link")
	}
	if len(tx.Item.Items) != 1 || tx.Item.Items[0].Item.ID != "20" || !tx.Item.Items[0].Amount.Equal(d("100")) || tx.Item.Items[0].ZuoraItemID != "iia1" {
		t.Errorf("one line on the charge's item for the amount, keyed by the adjustment id: %+v", tx.Item.Items)
	}
	if !LinesTotal(tx.Item.Items).Equal(d("100")) {
		t.Error("the credit memo totals the adjustment amount")
	}
	// Nothing open on the invoice (e.g. paid in NetSuite): no apply row at all.
	if tx := AdjustmentTransaction(lineSource(adj), "10", plan, "500", d("0"), lookups(), settings.Default()); tx.Apply != nil {
		t.Errorf("nothing to apply: no apply row, got %+v", tx.Apply)
	}
}

// A Credit on a negative invoice: the original is a NetSuite credit memo, so
// the new credit memo has nothing to apply to and stands alone, and says so.
func TestAdjustment_CreditOnNegativeInvoiceIsAStandaloneCreditMemo(t *testing.T) {
	adj := processedCredit()
	plan, _ := AdjustmentTarget(adj, true)
	if plan.Mode != ModeStandaloneCredit || !strings.Contains(plan.Note, "standalone") || !strings.Contains(plan.Note, "INV-1") {
		t.Fatalf("plan %+v", plan)
	}
	tx := AdjustmentTransaction(lineSource(adj), "10", plan, "600", d("100.00"), lookups(), settings.Default())
	if tx.Apply != nil || tx.RelatedTransaction != nil {
		t.Errorf("standalone credit memo: apply %+v related %+v", tx.Apply, tx.RelatedTransaction)
	}
}

// Seed rule 5, positive original: "a soft link is established using the
// Related Transaction custom field ... This soft link is for reference only
// and has no accounting impact."
func TestAdjustment_ChargeOnPositiveInvoiceLinksRelatedTransaction(t *testing.T) {
	adj := processedCredit()
	adj.Type, adj.Amount = AdjustmentCharge, d("50.00")
	plan, _ := AdjustmentTarget(adj, false)
	if plan.Mode != ModeRelatedInvoice || plan.RecordType != netsuite.TypeInvoice {
		t.Fatalf("plan %+v", plan)
	}
	tx := AdjustmentTransaction(lineSource(adj), "10", plan, "500", d("50.00"), lookups(), settings.Default())
	if tx.RelatedTransaction == nil || tx.RelatedTransaction.ID != "500" {
		t.Errorf("custbody_zuora_related_transaction = %+v, want the original's NetSuite invoice 500", tx.RelatedTransaction)
	}
	if tx.Apply != nil {
		t.Error("an invoice has no apply sublist: no accounting impact on the original")
	}
	if !LinesTotal(tx.Item.Items).Equal(d("50")) {
		t.Error("the invoice totals the adjustment amount")
	}
}

// Seed rule 5, negative original: "the new invoice from the adjustment is
// applied to that existing credit memo by updating the credit memo".
func TestAdjustment_ChargeOnNegativeInvoiceAppliesItsCreditMemo(t *testing.T) {
	adj := processedCredit()
	adj.Type, adj.Amount = AdjustmentCharge, d("30.00")
	plan, _ := AdjustmentTarget(adj, true)
	if plan.Mode != ModeApplyOriginalCreditMemo || plan.RecordType != netsuite.TypeInvoice {
		t.Fatalf("plan %+v", plan)
	}
	tx := AdjustmentTransaction(lineSource(adj), "10", plan, "600", d("30.00"), lookups(), settings.Default())
	if tx.Apply != nil || tx.RelatedTransaction != nil {
		t.Errorf("the new invoice itself carries neither apply nor link (the credit memo is updated): %+v %+v", tx.Apply, tx.RelatedTransaction)
	}
	// What is applied: the whole charge when the memo has enough unapplied.
	if amt, note := ApplyAmount(d("30"), d("365"), "credit memo 600"); !amt.Equal(d("30")) || note != "" {
		t.Errorf("apply %s (%s), want 30", amt, note)
	}
}

func TestAdjustment_ApplyAmountCappedAtWhatIsOpen(t *testing.T) {
	if amt, note := ApplyAmount(d("30"), d("12.50"), "credit memo 600"); !amt.Equal(d("12.5")) || !strings.Contains(note, "only 12.50 open") {
		t.Errorf("partly open: %s (%s)", amt, note)
	}
	if amt, note := ApplyAmount(d("30"), d("0"), "NetSuite invoice 500"); !amt.IsZero() || !strings.Contains(note, "nothing left open") {
		t.Errorf("nothing open: %s (%s)", amt, note)
	}
	if amt, _ := ApplyAmount(d("30"), d("-5"), "x"); !amt.IsZero() {
		t.Errorf("negative open amount counts as nothing: %s", amt)
	}
}

// Seed: "Each invoice item adjustment is synced as a separate transaction in
// NetSuite": one transaction per adjustment, its external id from the
// adjustment id, one line.
func TestAdjustment_EachAdjustmentItsOwnTransaction(t *testing.T) {
	a1, a2 := processedCredit(), processedCredit()
	a2.ID, a2.AdjustmentNumber = "iia2", "IIA-00000002"
	plan, _ := AdjustmentTarget(a1, false)
	t1 := AdjustmentTransaction(lineSource(a1), "10", plan, "500", d("100"), lookups(), settings.Default())
	t2 := AdjustmentTransaction(lineSource(a2), "10", plan, "500", d("100"), lookups(), settings.Default())
	if t1.ExternalID == t2.ExternalID || t1.ExternalID != netsuite.AdjustmentExternalID("iia1") {
		t.Errorf("external ids %q and %q", t1.ExternalID, t2.ExternalID)
	}
	if len(t1.Item.Items) != 1 || len(t2.Item.Items) != 1 {
		t.Error("one line each")
	}
}

// Seed: the Transaction Sync preferences control the "Invoice item Adjustment
// Number" mapping: Zuora's number as tranId, or NetSuite's auto-number.
func TestAdjustment_TransactionNumberMapping(t *testing.T) {
	adj := processedCredit()
	plan, _ := AdjustmentTarget(adj, false)
	s := settings.Default()
	if tx := AdjustmentTransaction(lineSource(adj), "10", plan, "500", d("100"), lookups(), s); tx.TranID != "IIA-00000001" {
		t.Errorf("Use Number From Source Record: tranId %q", tx.TranID)
	}
	s.Transaction.NumberMapping = settings.DestinationAutoNumber
	if tx := AdjustmentTransaction(lineSource(adj), "10", plan, "500", d("100"), lookups(), s); tx.TranID != "" {
		t.Errorf("Let Destination Auto-Number: tranId %q, want empty", tx.TranID)
	}
}

// Lines are non-taxable (Zuora calculated tax: the sync only runs with Use
// Standard Invoice Sync) and take classifications as the invoice lines do.
func TestAdjustment_LineNonTaxableWithClassifications(t *testing.T) {
	adj := processedCredit()
	src := lineSource(adj)
	src.Account.Location, src.Account.Class = "Boston", "Retail"
	src.Charge = &zuora.ProductRatePlanCharge{ID: "c1", Location: "Berlin"}
	l := lookups()
	l.Locations["Berlin"] = "31"
	// isTaxable is written only on a legacy-tax account (real-api-gaps N5).
	legacy := settings.Default()
	legacy.NetSuite.LegacyTax = true
	if line := AdjustmentLine(src, l, settings.Default()); line.IsTaxable != nil {
		t.Errorf("SuiteTax account (the default): isTaxable must be left off, got %v", *line.IsTaxable)
	}
	line := AdjustmentLine(src, l, legacy)
	if line.IsTaxable == nil || *line.IsTaxable || line.Location == nil || line.Location.ID != "1" || line.Class == nil || line.Class.ID != "11" {
		t.Errorf("from the account: %+v", line)
	}
	s := settings.Default()
	s.Transaction.LineClassificationSource = settings.ClassificationFromCharge
	if line := AdjustmentLine(src, l, s); line.Location == nil || line.Location.ID != "31" || line.Class != nil {
		t.Errorf("from the charge: %+v", line)
	}
	if line.Description != "Seats" || line.ServiceStart != "2026-03-01" {
		t.Errorf("description and service dates: %+v", line)
	}
}

// The workflow branches on a mode name and the demo fixture names the rule
// its Error case breaks; both must agree with this package.
func TestAdjustment_NamesAgreeWithWorkflowsAndDemo(t *testing.T) {
	if workflows.ModeApplyOriginalCreditMemo != string(ModeApplyOriginalCreditMemo) {
		t.Errorf("workflows.ModeApplyOriginalCreditMemo %q != %q", workflows.ModeApplyOriginalCreditMemo, ModeApplyOriginalCreditMemo)
	}
	found := false
	for _, c := range fixture.DemoCases {
		if c.AdjustmentID != "" && c.Expect == fixture.ExpectError {
			found = true
			if c.Reason != RuleIIAInvoiceSynced {
				t.Errorf("demo case %s names rule %q, mapping has %q", c.AdjustmentID, c.Reason, RuleIIAInvoiceSynced)
			}
		}
	}
	if !found {
		t.Error("the demo has no adjustment Error case")
	}
}
