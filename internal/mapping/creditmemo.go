package mapping

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Credit memos (Invoice Settlement tenants; reference §6) become NetSuite
// credit memos with positive amounts, their lines made by the invoice line
// mapping, their applications to invoices and debit memos reproduced in the
// apply sublist (document level only: §6.4).

// Rules of reference §6, as named in tests and reasons.
const (
	RuleCreditMemoIS        = "credit memo sync: Invoice Settlement tenants only"
	RuleCreditMemoStandard  = "credit memo sync: not when Use Standard Invoice Sync is No"
	RuleCreditMemoDisabled  = "credit memo sync: not disabled in the advanced settings"
	RuleCreditMemoPosted    = "credit memo selection: status Posted"
	RuleCreditMemoTTA       = "credit memo selection: Transferred To Accounting No, Error, Processing or null"
	RuleCreditMemoOrigin    = "credit memo selection: Origin not NETSUITE"
	RuleCreditMemoCutover   = "credit memo selection: on or after the credit memo cutover date"
	RuleCreditMemoAccount   = "credit memo selection: account Sync To NetSuite empty or Yes"
	RuleCreditMemoMigration = "credit memo selection: the migration's memos are never synced (Ignore)"
	RuleCreditMemoReapply   = "credit memo selection: applications made after the sync are synced"
	RuleCreditMemoDocSynced = "credit memo validation: applied document in NetSuite"
)

// MigrationCreditMemoOrigin is Origin__NS on the credit memos the Invoice
// Settlement migration makes from negative invoices (activities/migration.go
// migrationOrigin; a test keeps the two equal). Zuora's own connector leaves
// setting them to Yes to the user (§6.7) and duplicates happen; this
// connector marks them Ignore itself.
const MigrationCreditMemoOrigin = "Invoice Settlement migration"

// OriginNetSuite is Origin__NS on records that came from NetSuite (§0.4).
const OriginNetSuite = "NETSUITE"

// CreditMemoSyncEnabled: IS only, its own switch, and not when NetSuite
// taxes (§0.2: with Use Standard Invoice Sync = No only steps 1–5 run; credit
// memos are step 6).
func CreditMemoSyncEnabled(s settings.Settings) (bool, string) {
	switch {
	case !s.Advanced.InvoiceSettlement:
		return false, "the tenant is not on Invoice Settlement: credit memos are synced only there"
	case s.Advanced.DisableCreditMemoSync:
		return false, "the credit memo sync is disabled in the advanced settings"
	case !s.Advanced.UseStandardInvoiceSync:
		return false, "the credit memo sync does not run when Use Standard Invoice Sync is No (NetSuite calculates taxes)"
	}
	return true, ""
}

// CreditMemoMode is what a selected credit memo's sync does.
type CreditMemoMode string

const (
	CreditMemoCreate       CreditMemoMode = "create"       // not in NetSuite yet
	CreditMemoApplications CreditMemoMode = "applications" // synced; Zuora's applications may have grown since
	CreditMemoIgnore       CreditMemoMode = "ignore"       // the migration's memo: marked Ignore with the reason
)

// CreditMemoSelectable is §6.1 for one memo with its account. A memo made by
// the migration is selected to be marked Ignore; a synced memo whose applied
// amount is positive is a candidate for its applications (the selection
// and the sync compare with NetSuite before writing).
func CreditMemoSelectable(cm zuora.CreditMemo, acct zuora.Account, s settings.Settings) (CreditMemoMode, string) {
	if ok, why := CreditMemoSyncEnabled(s); !ok {
		return "", why
	}
	switch {
	case cm.Status != "Posted":
		return "", fmt.Sprintf("status is %s; only Posted credit memos sync", orNone(cm.Status))
	case cm.Origin == OriginNetSuite:
		return "", "the credit memo came from NetSuite (Origin NETSUITE)"
	case cm.Origin == MigrationCreditMemoOrigin && transferPendingValue(cm.TransferredToAccounting):
		return CreditMemoIgnore, "made by the Invoice Settlement migration from a negative invoice, which is already in NetSuite"
	case cm.Origin == MigrationCreditMemoOrigin:
		return "", "made by the Invoice Settlement migration"
	case cm.TransferredToAccounting == zuora.TransferYes && cm.IntegrationStatus == zuora.StatusSyncComplete && cm.IntegrationID != "":
		// Zuora has no field saying what was applied when it synced, and an
		// application moves no connector field: every synced memo with
		// applications is a candidate, and the sync compares with NetSuite.
		if cm.AppliedAmount.IsPositive() {
			return CreditMemoApplications, "synced; its applications are compared with NetSuite"
		}
		return "", "synced, with no application"
	case !transferPendingValue(cm.TransferredToAccounting):
		return "", fmt.Sprintf("Transferred To Accounting is %s; only No, Error, Processing or empty sync", cm.TransferredToAccounting)
	case s.Advanced.CreditMemoCutoverDate != "" && memoDate(cm) < s.Advanced.CreditMemoCutoverDate:
		return "", fmt.Sprintf("credit memo date %s is before the credit memo cutover date %s", orNone(memoDate(cm)), s.Advanced.CreditMemoCutoverDate)
	case !AccountSyncs(acct):
		return "", fmt.Sprintf("account %s has Sync To NetSuite = %s", acct.AccountNumber, acct.SyncToNetSuite)
	}
	return CreditMemoCreate, ""
}

func memoDate(cm zuora.CreditMemo) string {
	if cm.CreditMemoDate != "" {
		return cm.CreditMemoDate
	}
	return cm.EffectiveDate
}

// CreditMemoItemAsInvoiceItem reads a credit memo item as an invoice item
// for the line mapping: Amount = AmountWithoutTax (§6.6), positive.
func CreditMemoItemAsInvoiceItem(it zuora.CreditMemoItem) zuora.InvoiceItem {
	amount := it.AmountWithoutTax
	if amount.IsZero() && !it.Amount.IsZero() {
		amount = it.Amount
	}
	qty := it.Quantity
	if qty.IsZero() {
		qty = decimal.NewFromInt(1)
	}
	return zuora.InvoiceItem{ID: it.ID, ChargeAmount: amount, ChargeName: it.Description, Quantity: qty,
		ServiceStartDate: it.ServiceStartDate, ServiceEndDate: it.ServiceEndDate, SubscriptionID: it.SubscriptionID}
}

// CreditMemoHeader maps §6.5's header: the invoice header's rules for a
// NetSuite credit memo (no due date), its own external id.
func CreditMemoHeader(cm zuora.CreditMemo, acct zuora.Account, l Lookups, s settings.Settings) netsuite.Transaction {
	inv := zuora.Invoice{ID: cm.ID, InvoiceNumber: cm.Number, AccountID: cm.AccountID, Amount: cm.Amount.Neg(),
		AmountWithoutTax: cm.Amount.Sub(cm.TaxAmount).Neg(), InvoiceDate: memoDate(cm), Comments: cm.Comment}
	tx := InvoiceHeader(inv, acct, l, s)
	tx.ExternalID = netsuite.CreditMemoExternalID(cm.ID)
	return tx
}

// CreditMemoLines maps the memo's items (charges by item id; nil: none).
func CreditMemoLines(items []zuora.CreditMemoItem, charges map[string]*zuora.ProductRatePlanCharge, subs map[string]*zuora.Subscription,
	acct zuora.Account, l Lookups, s settings.Settings) []netsuite.Line {
	var out []netsuite.Line
	for _, it := range items {
		ii := CreditMemoItemAsInvoiceItem(it)
		if ch := charges[it.ID]; ch != nil {
			if line, ok := ChargeLine(LineSource{Item: ii, Charge: *ch, Subscription: subs[it.ID], Account: acct}, false, l, s); ok {
				out = append(out, line)
			}
		}
		// §6.4: tax amounts as lines on the tax code's NetSuite item
		// (CreditTaxationItem.AccountingCode), positive like the memo.
		out = append(out, TaxLines(ii, CreditMemoTaxes(it), false, l, s)...)
	}
	return out
}

// CreditMemoTaxes reads a credit memo item's tax details as taxation items.
func CreditMemoTaxes(it zuora.CreditMemoItem) []zuora.TaxationItem {
	return memoTaxes(it.ID, it.CreditTaxItems)
}

// ValidateCreditMemo: the account synced with valid classifications, each
// item's charge synced and each tax code synced to an existing NetSuite tax
// item (§6.2 and the invoice rules the lines follow).
func ValidateCreditMemo(acct zuora.Account, items []zuora.CreditMemoItem, charges map[string]*zuora.ProductRatePlanCharge,
	subs map[string]*zuora.Subscription, l Lookups) []Problem {
	ps := ValidateAccount(acct, l)
	for _, it := range items {
		for _, t := range CreditMemoTaxes(it) {
			ps = append(ps, ValidateTaxationItem(t, l)...)
		}
		for _, p := range ValidateInvoiceItem(CreditMemoItemAsInvoiceItem(it), charges[it.ID], subs[it.ID]) {
			if charges[it.ID] == nil {
				p.Reason = fmt.Sprintf("credit memo item %s has no product rate plan charge in Zuora (source %s %s), so it has no NetSuite item",
					it.ID, orNone(it.SourceItemType), orNone(it.SourceItemID))
			}
			ps = append(ps, p)
		}
	}
	return ps
}

// AppliedDoc is one Zuora application resolved to its NetSuite document.
type AppliedDoc struct {
	What       string // "invoice INV-1" / "debit memo DM-1", for reasons
	NetSuiteID string // "" = not in NetSuite yet
	Amount     decimal.Decimal
}

// ApplyRows is §6.3's apply sublist: one row per document with the amount
// Zuora applies to it (ApplyTo.Doc = the document's IntegrationId__NS,
// ApplyTo.Amount = CreditMemoPart.Amount). A document not in NetSuite yet is
// a problem naming it: the memo ends Error and the next run completes it.
func ApplyRows(docs []AppliedDoc) ([]netsuite.Apply, []Problem) {
	var rows []netsuite.Apply
	var ps []Problem
	byDoc := map[string]int{}
	for _, d := range docs {
		if d.NetSuiteID == "" {
			ps = append(ps, Problem{Rule: RuleCreditMemoDocSynced, Reason: fmt.Sprintf(
				"the credit memo is applied to %s, which is not in NetSuite yet; the next run completes it once %s is synced", d.What, d.What)})
			continue
		}
		if i, ok := byDoc[d.NetSuiteID]; ok {
			rows[i].Amount = rows[i].Amount.Add(d.Amount)
			continue
		}
		byDoc[d.NetSuiteID] = len(rows)
		rows = append(rows, netsuite.Apply{Doc: netsuite.RefTo(d.NetSuiteID), Apply: true, Amount: d.Amount})
	}
	return rows, ps
}
