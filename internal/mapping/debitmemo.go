package mapping

import (
	"fmt"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Debit memos (Invoice Settlement tenants) become NetSuite invoices
// (reference zuora-connector-money-sync.md §7): NetSuite has no debit memo
// record. Lines follow the invoice rules through the invoice's own line
// mapping (ChargeLine, TaxLines): a debit memo item is read as the invoice
// item it stands for.

// Rules of reference §7, as named in tests and reasons.
const (
	RuleDebitMemoIS        = "debit memo sync: Invoice Settlement tenants only"
	RuleDebitMemoPosted    = "debit memo selection: status Posted"
	RuleDebitMemoTTA       = "debit memo selection: Transferred To Accounting No, Error, Processing or null"
	RuleDebitMemoCutover   = "debit memo selection: on or after the debit memo cutover date"
	RuleDebitMemoAccount   = "debit memo selection: account Sync To NetSuite empty or Yes"
	RuleDebitMemoNotSynced = "debit memo selection: Integration Status not Sync Complete"
	RuleDebitMemoDisabled  = "debit memo sync: not disabled in the advanced settings"
	debitMemoWhat          = "debit memo"
)

// DebitMemoSyncEnabled: the sync exists only on Invoice Settlement tenants
// and has its own switch (§0.6). It still runs when Use Standard Invoice
// Sync is No (§0.2: "with IS on only steps 1–5 run", step 5 being debit memos).
func DebitMemoSyncEnabled(s settings.Settings) (bool, string) {
	switch {
	case !s.Advanced.InvoiceSettlement:
		return false, "the tenant is not on Invoice Settlement: debit memos exist only there"
	case s.Advanced.DisableDebitMemoSync:
		return false, "the debit memo sync is disabled in the advanced settings"
	}
	return true, ""
}

// DebitMemoSelectable is §7.1 for one memo with its account, checked again
// right before a sync. The reason says why not.
func DebitMemoSelectable(dm zuora.DebitMemo, acct zuora.Account, s settings.Settings) (bool, string) {
	if ok, why := DebitMemoSyncEnabled(s); !ok {
		return false, why
	}
	switch {
	case dm.Status != "Posted":
		return false, fmt.Sprintf("status is %s; only Posted debit memos sync", orNone(dm.Status))
	case !transferPendingValue(dm.TransferredToAccounting):
		return false, fmt.Sprintf("Transferred To Accounting is %s; only No, Error, Processing or empty sync", dm.TransferredToAccounting)
	case s.Advanced.DebitMemoCutoverDate != "" && dm.DebitMemoDate < s.Advanced.DebitMemoCutoverDate:
		return false, fmt.Sprintf("debit memo date %s is before the debit memo cutover date %s", orNone(dm.DebitMemoDate), s.Advanced.DebitMemoCutoverDate)
	case dm.IntegrationStatus == zuora.StatusSyncComplete:
		return false, "Integration Status is Sync Complete; set Transferred To Accounting back to No and clear it to sync again"
	case !AccountSyncs(acct):
		return false, fmt.Sprintf("account %s has Sync To NetSuite = %s", acct.AccountNumber, acct.SyncToNetSuite)
	}
	return true, ""
}

// DebitMemoItemAsInvoiceItem reads a debit memo item as the invoice item
// the line mapping knows: the line amount is amountWithoutTax (§7.4 "Amount
// = AmountWithoutTax"), the description the item's.
func DebitMemoItemAsInvoiceItem(it zuora.DebitMemoItem) zuora.InvoiceItem {
	return zuora.InvoiceItem{ID: it.ID, ChargeAmount: it.AmountWithoutTax, ChargeName: it.Description, Quantity: it.Quantity,
		ServiceStartDate: it.ServiceStartDate, ServiceEndDate: it.ServiceEndDate, SubscriptionID: it.SubscriptionID,
		ChargeDate: it.ServiceStartDate}
}

// DebitMemoTaxes reads an item's tax details as taxation items: §7.5 "Item
// = DebitTaxationItem.AccountingCode, Amount = TaxAmount"; the REST item
// gives the accounting code as financeInformation.salesTaxPayableAccountingCode.
func DebitMemoTaxes(it zuora.DebitMemoItem) []zuora.TaxationItem {
	return memoTaxes(it.ID, it.TaxItems)
}

// memoTaxes reads a memo item's tax details as taxation items.
func memoTaxes(itemID string, taxes []zuora.DebitMemoTaxItem) []zuora.TaxationItem {
	out := make([]zuora.TaxationItem, 0, len(taxes))
	for _, t := range taxes {
		out = append(out, zuora.TaxationItem{ID: t.ID, InvoiceItemID: itemID, Name: t.Name, TaxAmount: t.TaxAmount, TaxCode: t.TaxCode,
			TaxRate: t.TaxRate, Jurisdiction: t.Jurisdiction, TaxDate: t.TaxDate, AccountingCode: t.FinanceInformation.SalesTaxPayableAccountingCode})
	}
	return out
}

// DebitMemoHeader maps §7.4's header onto the invoice header the invoice
// sync writes: customer, dates, memo, classifications from the account,
// non-taxable when Zuora taxes (§7.5), tranId by the number mapping, and an
// external id of its own.
func DebitMemoHeader(dm zuora.DebitMemo, acct zuora.Account, l Lookups, s settings.Settings) netsuite.Transaction {
	awt := dm.Amount.Sub(dm.TaxAmount)
	inv := zuora.Invoice{ID: dm.ID, InvoiceNumber: dm.Number, AccountID: dm.AccountID, Amount: dm.Amount, AmountWithoutTax: awt,
		InvoiceDate: dm.DebitMemoDate, DueDate: dm.DueDate, Comments: dm.Comment}
	tx := InvoiceHeader(inv, acct, l, s)
	tx.ExternalID = netsuite.DebitMemoExternalID(dm.ID)
	return tx
}

// DebitMemoLines maps every item of a debit memo: a charge line (when the
// item's charge is known) and its tax lines. charges and subs are the
// items' catalog charges and subscriptions by item id (nil: none in Zuora).
func DebitMemoLines(items []zuora.DebitMemoItem, charges map[string]*zuora.ProductRatePlanCharge, subs map[string]*zuora.Subscription,
	acct zuora.Account, l Lookups, s settings.Settings) []netsuite.Line {
	var out []netsuite.Line
	for _, it := range items {
		ii := DebitMemoItemAsInvoiceItem(it)
		if ch := charges[it.ID]; ch != nil {
			if line, ok := ChargeLine(LineSource{Item: ii, Charge: *ch, Subscription: subs[it.ID], Account: acct}, false, l, s); ok {
				out = append(out, line)
			}
		}
		out = append(out, TaxLines(ii, DebitMemoTaxes(it), false, l, s)...)
	}
	return out
}

// ValidateDebitMemo is §7.2: the account synced with valid classifications,
// each item's charge synced (Variable needs the project), each tax code
// synced to an existing NetSuite tax item.
func ValidateDebitMemo(acct zuora.Account, items []zuora.DebitMemoItem, charges map[string]*zuora.ProductRatePlanCharge,
	subs map[string]*zuora.Subscription, l Lookups, s settings.Settings) []Problem {
	ps := ValidateAccount(acct, l)
	for _, it := range items {
		ii := DebitMemoItemAsInvoiceItem(it)
		for _, p := range ValidateInvoiceItem(ii, charges[it.ID], subs[it.ID]) {
			if charges[it.ID] == nil {
				p.Reason = fmt.Sprintf("debit memo item %s (%s) has no product rate plan charge in Zuora (source %s %s), so it has no NetSuite item",
					it.ID, it.Description, orNone(it.SourceItemType), orNone(it.SourceItemID))
			}
			ps = append(ps, p)
		}
		if !s.Advanced.UseStandardInvoiceSync {
			continue // no tax lines: NetSuite taxes
		}
		for _, t := range DebitMemoTaxes(it) {
			ps = append(ps, ValidateTaxationItem(t, l)...)
		}
	}
	return ps
}
