package zuora

import (
	"context"
	"net/url"

	"github.com/shopspring/decimal"
)

// CreditMemoFinance is a credit memo item's financeInformation: the
// On-Account accounting code of the memo item (credit memo OpenAPI,
// CreditMemoFromChargeDetailType.financeInformation.onAccountAccountingCode).
type CreditMemoFinance struct {
	OnAccountAccountingCode string `json:"onAccountAccountingCode,omitempty"`
}

// CreditMemoItem is one item of a credit memo (GET /v1/creditmemos/{key}/items).
type CreditMemoItem struct {
	ID                 string            `json:"id"`
	Amount             decimal.Decimal   `json:"amount"`
	FinanceInformation CreditMemoFinance `json:"financeInformation"`
	// The credit memo sync's line fields (GETCreditMemoItemType): the way
	// to the catalog charge is the source, as on a debit memo item.
	AmountWithoutTax decimal.Decimal `json:"amountWithoutTax"`
	Quantity         decimal.Decimal `json:"quantity"`
	Description      string          `json:"description,omitempty"`
	ServiceStartDate string          `json:"serviceStartDate,omitempty"`
	ServiceEndDate   string          `json:"serviceEndDate,omitempty"`
	SourceItemType   string          `json:"sourceItemType,omitempty"`
	SourceItemID     string          `json:"sourceItemId,omitempty"`
	SubscriptionID   string          `json:"subscriptionId,omitempty"`
	// CreditTaxItems: the item's tax details (GETCMTaxItemType, without a
	// zuora-version header); the fields the sync reads are those of a debit
	// memo's tax item.
	CreditTaxItems []DebitMemoTaxItem `json:"creditTaxItems,omitempty"`
}

// ListCreditMemoItems returns every item of a credit memo, paging by 40.
func (c *Client) ListCreditMemoItems(ctx context.Context, memoKey string) ([]CreditMemoItem, error) {
	return listAllV1[CreditMemoItem](ctx, c, "GET /v1/creditmemos/{key}/items", "/v1/creditmemos/"+url.PathEscape(memoKey)+"/items", "items", nil, CreditMemoPageSize)
}

// CreditMemoPart is one application of a credit memo to an invoice or a
// debit memo (GETCreditMemoPartType).
type CreditMemoPart struct {
	ID          string          `json:"id"`
	InvoiceID   string          `json:"invoiceId,omitempty"`
	DebitMemoID string          `json:"debitMemoId,omitempty"`
	Amount      decimal.Decimal `json:"amount"`
}

// ListCreditMemoParts returns every application of a credit memo, paging by 40.
func (c *Client) ListCreditMemoParts(ctx context.Context, memoKey string) ([]CreditMemoPart, error) {
	return listAllV1[CreditMemoPart](ctx, c, "GET /v1/creditmemos/{key}/parts", "/v1/creditmemos/"+url.PathEscape(memoKey)+"/parts", "parts", nil, CreditMemoPageSize)
}

// CreditMemoApplication is PUT /v1/creditmemos/{key}/apply (ApplyCreditMemoType).
type CreditMemoApplication struct {
	Invoices []struct {
		InvoiceID string          `json:"invoiceId"`
		Amount    decimal.Decimal `json:"amount"`
	} `json:"invoices,omitempty"`
	DebitMemos []struct {
		DebitMemoID string          `json:"debitMemoId"`
		Amount      decimal.Decimal `json:"amount"`
	} `json:"debitMemos,omitempty"`
	EffectiveDate string `json:"effectiveDate,omitempty"`
}

// ApplyCreditMemo applies a credit memo (tests and tools; the connector
// never applies memos in Zuora).
func (c *Client) ApplyCreditMemo(ctx context.Context, memoKey string, in CreditMemoApplication) error {
	return c.do(ctx, call{method: "PUT", endpoint: "PUT /v1/creditmemos/{key}/apply", path: "/v1/creditmemos/" + url.PathEscape(memoKey) + "/apply", body: in})
}
