package mapping

import (
	"fmt"
	"strings"

	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// InvoiceFields are the Invoice fields a sync reads (ZOQL has no "select *").
const InvoiceFields = "Id, InvoiceNumber, AccountId, Status, Amount, AmountWithoutTax, TaxAmount, Balance, InvoiceDate, DueDate, " +
	"PostedDate, Comments, TransferredToAccounting, UpdatedDate, IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS"

// InvoiceSelectionZOQL is the ZOQL that finds invoice candidates. Seed
// (invoice-transaction-sync, "Zuora invoice records are synced if they meet
// the following criteria"): Status is Posted; Transferred to Accounting is No,
// Error or Processing (null shows as No); Invoice Date on or after the Invoice
// Cutover Date when one is set. The account's Sync To NetSuite flag lives on
// another object, so InvoiceSelectable re-checks it per invoice.
func InvoiceSelectionZOQL(s settings.Settings) string {
	common := []string{"Status = 'Posted'"}
	if s.Advanced.InvoiceCutoverDate != "" {
		common = append(common, "InvoiceDate >= "+zuora.Quote(s.Advanced.InvoiceCutoverDate))
	}
	return "select " + InvoiceFields + " from Invoice where " + transferPending(common...)
}

// transferPending is "<common> and Transferred to Accounting is No, Error or
// Processing". ZOQL has no parentheses and "and" binds tighter than "or"
// (docs.zuora.com "ZOQL Limitations"), so the condition is written as an OR
// of ANDs, each repeating the common conditions; ZOQL writes null tests as
// "= null".
func transferPending(common ...string) string {
	values := []string{"null", "'" + zuora.TransferNo + "'", "'" + zuora.TransferError + "'", "'" + zuora.TransferProcessing + "'"}
	terms := make([]string, len(values))
	for i, v := range values {
		terms[i] = strings.Join(append(append([]string{}, common...), "TransferredToAccounting = "+v), " and ")
	}
	return strings.Join(terms, " or ")
}

// transferPendingValue: seed "The Transferred to Accounting is set to No, Error,
// or Processing" and "Transferred To Accounting values of Null in the API will
// appear as No in the Zuora UI".
func transferPendingValue(v string) bool {
	switch v {
	case "", zuora.TransferNo, zuora.TransferError, zuora.TransferProcessing:
		return true
	}
	return false
}

// AccountSyncs: seed "The related customer account Sync To NetSuite is set to
// Yes, or is empty."
func AccountSyncs(acct zuora.Account) bool {
	v := strings.TrimSpace(acct.SyncToNetSuite)
	return v == "" || strings.EqualFold(v, "Yes")
}

// InvoiceSelectable is the seed's whole selection rule for one invoice with
// its account, checked again right before a sync (the invoice may have
// changed since it was selected). The reason says why not, for the run's log.
func InvoiceSelectable(inv zuora.Invoice, acct zuora.Account, s settings.Settings) (bool, string) {
	switch {
	case s.Advanced.DisableInvoiceSync:
		return false, "invoice sync is disabled in the advanced settings"
	case inv.Status != "Posted":
		return false, fmt.Sprintf("status is %s; only Posted invoices sync", orNone(inv.Status))
	case !transferPendingValue(inv.TransferredToAccounting):
		return false, fmt.Sprintf("Transferred To Accounting is %s; only No, Error or Processing sync", inv.TransferredToAccounting)
	case s.Advanced.InvoiceCutoverDate != "" && inv.InvoiceDate < s.Advanced.InvoiceCutoverDate:
		return false, fmt.Sprintf("invoice date %s is before the invoice cutover date %s", orNone(inv.InvoiceDate), s.Advanced.InvoiceCutoverDate)
	case !AccountSyncs(acct):
		return false, fmt.Sprintf("account %s has Sync To NetSuite = %s", acct.AccountNumber, acct.SyncToNetSuite)
	case s.Advanced.InvoiceSettlement && inv.Amount.IsNegative():
		// Seed is-migration-prepare-data: negative invoices are not synced once
		// the tenant is on Invoice Settlement (the migration made them credit memos).
		return false, "the tenant is on Invoice Settlement: negative invoices are not synced"
	}
	return true, ""
}

func orNone(s string) string {
	if s == "" {
		return "empty"
	}
	return s
}
