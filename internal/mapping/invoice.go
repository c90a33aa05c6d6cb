package mapping

import (
	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// InvoiceTarget: seed "If the Invoice amount is greater than or equal to 0, a
// NetSuite invoice is created. Otherwise a NetSuite credit memo is created",
// and the Integration Status written before the write ("Creating Invoice or
// Creating Credit Memo").
func InvoiceTarget(inv zuora.Invoice) (recordType, creatingStatus string) {
	if inv.Amount.IsNegative() {
		return netsuite.TypeCreditMemo, zuora.StatusCreatingCreditMemo
	}
	return netsuite.TypeInvoice, zuora.StatusCreatingInvoice
}

// ExceedsItemCeiling reproduces the Boomi connector's item ceiling when an
// operator sets one (seed: "If the number of items exceeds 4000, the
// Transferred To Accounting of those invoices will be marked as ignored").
// Our default is no ceiling: large invoices sync in batches of 100.
func ExceedsItemCeiling(items int, s settings.Settings) bool {
	return s.Advanced.MaxInvoiceItems > 0 && items > s.Advanced.MaxInvoiceItems
}

// nonTaxable is isTaxable false where the account can take it: only legacy
// tax has the field; REST web services refuse legacy tax fields on SuiteTax
// accounts (real-api-gaps N5), where lines carry no tax code of their own
// and the connector's tax lines are ordinary item lines.
func nonTaxable(s settings.Settings) *bool {
	if !s.NetSuite.LegacyTax {
		return nil
	}
	return ptr(false)
}

// InvoiceHeader maps the invoice header; lines are added batch by batch.
//   - externalId: the key that makes creation exactly-once;
//   - tranId: seed "Transaction Number Mapping": the Zuora number, or empty so
//     NetSuite auto-numbers;
//   - non-taxable: seed "The invoice and the invoice lines will be marked as
//     non-taxable to prevent NetSuite from calculating tax again", unless Use
//     Standard Invoice Sync is No ("NetSuite will apply taxes");
//   - header classifications from the account.
func InvoiceHeader(inv zuora.Invoice, acct zuora.Account, l Lookups, s settings.Settings) netsuite.Transaction {
	recordType, _ := InvoiceTarget(inv)
	tx := netsuite.Transaction{
		ExternalID: netsuite.InvoiceExternalID(inv.ID),
		Entity:     netsuite.RefTo(acct.IntegrationID),
		TranDate:   inv.InvoiceDate,
		Memo:       inv.Comments,
		ZuoraID:    inv.ID,
		Class:      netsuite.RefTo(l.Classes[acct.Class]),
		Department: netsuite.RefTo(l.Departments[acct.Department]),
		Location:   netsuite.RefTo(l.Locations[acct.Location]),
	}
	if tx.Entity == nil {
		tx.Entity = &netsuite.Ref{}
	}
	if s.Transaction.NumberMapping != settings.DestinationAutoNumber {
		tx.TranID = inv.InvoiceNumber
	}
	if recordType == netsuite.TypeInvoice {
		tx.DueDate = inv.DueDate
	}
	if s.Advanced.UseStandardInvoiceSync {
		tx.IsTaxable = nonTaxable(s)
	}
	awt := inv.AmountWithoutTax.Abs()
	tx.AmountWithoutTax = &awt
	return tx
}

// LineSource is what one charge line is made from.
type LineSource struct {
	Item         zuora.InvoiceItem
	Charge       zuora.ProductRatePlanCharge
	Subscription *zuora.Subscription // nil when the item has none
	Account      zuora.Account
}

// ChargeLine maps one invoice item. Seed: "The NetSuite transaction includes a
// detail line for each charge on the Zuora invoice. The NetSuite invoice
// detail will reference an item master that corresponds to a Zuora product
// rate plan charge that has been synced previously. The NetSuite invoice item
// will reflect the actual charge amount." Usage charges are ordinary lines
// ("Charges will be transferred to NetSuite, but usage data will not").
//
// negate is true for a negative invoice mapped to a credit memo, so NetSuite
// sees positive amounts. include is false for a zero-amount item unless the
// advanced setting syncs them ("it is important to avoid zero amount invoice
// items").
func ChargeLine(src LineSource, negate bool, l Lookups, s settings.Settings) (line netsuite.Line, include bool) {
	amount := src.Item.ChargeAmount
	if negate {
		amount = amount.Neg()
	}
	if amount.IsZero() && !s.Advanced.SyncZeroAmountItems {
		return netsuite.Line{}, false
	}
	qty := src.Item.Quantity
	line = netsuite.Line{
		Item:         netsuite.RefTo(src.Charge.IntegrationID),
		Description:  src.Item.ChargeName,
		Quantity:     &qty,
		Amount:       amount,
		ServiceStart: src.Item.ServiceStartDate,
		ServiceEnd:   src.Item.ServiceEndDate,
		ZuoraItemID:  src.Item.ID,
	}
	if s.Advanced.UseStandardInvoiceSync {
		line.IsTaxable = nonTaxable(s)
	}
	class, dept, loc := src.Account.Class, src.Account.Department, src.Account.Location
	if s.Transaction.LineClassificationSource == settings.ClassificationFromCharge {
		class, dept, loc = src.Charge.Class, src.Charge.Department, src.Charge.Location
	}
	line.Class = netsuite.RefTo(l.Classes[class])
	line.Department = netsuite.RefTo(l.Departments[dept])
	line.Location = netsuite.RefTo(l.Locations[loc])

	// Seed "Project-Based Revenue": Variable template type charges carry the
	// subscription's project; Standard ones are synced without it.
	if src.Charge.RevRecTemplateType == TemplateVariable && src.Subscription != nil {
		line.Job = netsuite.RefTo(src.Subscription.Project)
	}
	if s.Advanced.NetSuiteRevRec {
		rr := RevRecFor(src, s)
		line.RevRecStartDate, line.RevRecEndDate, line.DeferRevRec = rr.Start, rr.End, ptr(rr.Delay)
	}
	return line, true
}

// TaxLines maps an item's taxation items. Seed "Taxes": "Tax Details are
// treated as invoice line items. There can be multiple Tax Lines for a single
// Charge ... The line will reference the item created for the given Tax Code.
// The invoice and the invoice lines will be marked as non-taxable." With Use
// Standard Invoice Sync = No there are no tax lines: NetSuite taxes the invoice.
func TaxLines(item zuora.InvoiceItem, taxes []zuora.TaxationItem, negate bool, l Lookups, s settings.Settings) []netsuite.Line {
	if !s.Advanced.UseStandardInvoiceSync {
		return nil
	}
	var out []netsuite.Line
	for _, t := range taxes {
		amount := t.TaxAmount
		if negate {
			amount = amount.Neg()
		}
		if amount.IsZero() && !s.Advanced.SyncZeroAmountItems {
			continue
		}
		desc := t.Name
		if t.Jurisdiction != "" {
			desc += " (" + t.Jurisdiction + ")"
		}
		out = append(out, netsuite.Line{
			Item:         netsuite.RefTo(l.TaxItems[t.AccountingCode]),
			Description:  desc,
			Amount:       amount,
			IsTaxable:    nonTaxable(s),
			ServiceStart: item.ServiceStartDate,
			ServiceEnd:   item.ServiceEndDate,
			ZuoraItemID:  t.ID,
		})
	}
	return out
}

// LinesTotal is what NetSuite will total for these lines.
func LinesTotal(lines []netsuite.Line) decimal.Decimal {
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(l.Amount)
	}
	return total
}

func ptr[T any](v T) *T { return &v }
