package zuora

import (
	"context"
	"net/url"
	"strconv"

	"github.com/shopspring/decimal"
)

// Debit memos exist only on tenants with Invoice Settlement. Current REST,
// camelCase bodies (Zuora OpenAPI zuora-debit-memos-api-openapi.yml:
// GETDebitMemoType, GETDebitMemoItemType, GETDMTaxItemType, PUTDebitMemoType,
// DebitMemoObjectNSFields).

// ObjDebitMemo names the debit memo in errors and the sandbox (REST only, not ZOQL).
const ObjDebitMemo = "DebitMemo"

// StatusCreatingDebitMemo is the Integration Status while a debit memo's
// NetSuite invoice is being written (reference §7.3).
const StatusCreatingDebitMemo = "Creating Debit Memo"

// DebitMemo is a debit memo header (GET /v1/debitmemos/{key}).
type DebitMemo struct {
	ID                      string          `json:"id"`
	Number                  string          `json:"number,omitempty"`
	AccountID               string          `json:"accountId"`
	Amount                  decimal.Decimal `json:"amount"`
	Balance                 decimal.Decimal `json:"balance"`
	TaxAmount               decimal.Decimal `json:"taxAmount"`
	Status                  string          `json:"status,omitempty"` // Draft | Posted | Canceled | ...
	DebitMemoDate           string          `json:"debitMemoDate,omitempty"`
	DueDate                 string          `json:"dueDate,omitempty"`
	Comment                 string          `json:"comment,omitempty"`
	ReasonCode              string          `json:"reasonCode,omitempty"`
	TransferredToAccounting string          `json:"transferredToAccounting,omitempty"` // null reads as No
	NSFields
}

// DebitMemoItem is one item of a debit memo (GET /v1/debitmemos/{key}/items,
// without a zuora-version header, so tax details come as taxItems).
type DebitMemoItem struct {
	ID               string          `json:"id"`
	Amount           decimal.Decimal `json:"amount"`
	AmountWithoutTax decimal.Decimal `json:"amountWithoutTax"`
	Quantity         decimal.Decimal `json:"quantity"`
	Description      string          `json:"description,omitempty"`
	ServiceStartDate string          `json:"serviceStartDate,omitempty"`
	ServiceEndDate   string          `json:"serviceEndDate,omitempty"`
	// SourceItemType / SourceItemID: what the item was made from; the way to
	// its catalog charge (the item has no charge id of its own):
	// ProductRatePlanCharge (the charge itself), SubscriptionComponent (a
	// subscription's rate plan charge), InvoiceDetail (an invoice item).
	SourceItemType string             `json:"sourceItemType,omitempty"`
	SourceItemID   string             `json:"sourceItemId,omitempty"`
	SubscriptionID string             `json:"subscriptionId,omitempty"`
	ProcessingType string             `json:"processingType,omitempty"` // Charge | Discount
	TaxItems       []DebitMemoTaxItem `json:"taxItems,omitempty"`
}

// DebitMemoTaxItem is a tax detail of a debit memo item (GETDMTaxItemType).
type DebitMemoTaxItem struct {
	ID                 string          `json:"id"`
	Name               string          `json:"name,omitempty"`
	Jurisdiction       string          `json:"jurisdiction,omitempty"`
	TaxAmount          decimal.Decimal `json:"taxAmount"`
	TaxCode            string          `json:"taxCode,omitempty"`
	TaxDate            string          `json:"taxDate,omitempty"`
	TaxRate            decimal.Decimal `json:"taxRate"`
	FinanceInformation struct {
		// SalesTaxPayableAccountingCode names the NetSuite tax item, as a
		// taxation item's AccountingCode does on invoices.
		SalesTaxPayableAccountingCode string `json:"salesTaxPayableAccountingCode,omitempty"`
	} `json:"financeInformation"`
}

// Source item types of a debit memo item (GETDebitMemoItemType.sourceItemType).
const (
	SourceProductRatePlanCharge = "ProductRatePlanCharge"
	SourceSubscriptionComponent = "SubscriptionComponent"
	SourceInvoiceDetail         = "InvoiceDetail"
)

// DebitMemoPageSize is the list endpoints' largest page.
const DebitMemoPageSize = 40

// ListDebitMemosPage reads one page (1-based) of the tenant's debit memos of
// a status ("" = any). more is true while a nextPage follows.
func (c *Client) ListDebitMemosPage(ctx context.Context, status string, page int) (memos []DebitMemo, more bool, err error) {
	var out struct {
		DebitMemos []DebitMemo `json:"debitmemos"`
		NextPage   string      `json:"nextPage"`
	}
	q := url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(DebitMemoPageSize)}}
	if status != "" {
		q.Set("status", status)
	}
	if err := c.do(ctx, call{method: "GET", endpoint: "GET /v1/debitmemos", path: "/v1/debitmemos", query: q, out: &out}); err != nil {
		return nil, false, err
	}
	return out.DebitMemos, out.NextPage != "" && len(out.DebitMemos) > 0, nil
}

// GetDebitMemo reads a debit memo by id or number.
func (c *Client) GetDebitMemo(ctx context.Context, key string) (*DebitMemo, error) {
	var out DebitMemo
	if err := c.do(ctx, call{method: "GET", endpoint: "GET /v1/debitmemos/{key}", path: "/v1/debitmemos/" + url.PathEscape(key), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListDebitMemoItems returns every item of a debit memo, paging by 40.
func (c *Client) ListDebitMemoItems(ctx context.Context, key string) ([]DebitMemoItem, error) {
	return listAllV1[DebitMemoItem](ctx, c, "GET /v1/debitmemos/{key}/items", "/v1/debitmemos/"+url.PathEscape(key)+"/items", "items", nil, DebitMemoPageSize)
}

// DebitMemoUpdate is what the connector writes on a debit memo (PUTDebitMemoType).
type DebitMemoUpdate struct {
	TransferredToAccounting *string `json:"transferredToAccounting,omitempty"`
	IntegrationID           *string `json:"IntegrationId__NS,omitempty"`
	IntegrationStatus       *string `json:"IntegrationStatus__NS,omitempty"`
	SyncDate                *string `json:"SyncDate__NS,omitempty"`
}

// UpdateDebitMemo writes fields of a debit memo.
func (c *Client) UpdateDebitMemo(ctx context.Context, key string, u DebitMemoUpdate) error {
	return c.do(ctx, call{method: "PUT", endpoint: "PUT /v1/debitmemos/{key}", path: "/v1/debitmemos/" + url.PathEscape(key), body: u})
}
