package zuora

import (
	"context"
	"net/url"
	"strconv"

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
}

// ListCreditMemoItems returns every item of a credit memo, paging by 40.
func (c *Client) ListCreditMemoItems(ctx context.Context, memoKey string) ([]CreditMemoItem, error) {
	var all []CreditMemoItem
	for page := 1; ; page++ {
		var out struct {
			Items    []CreditMemoItem `json:"items"`
			NextPage string           `json:"nextPage"`
		}
		q := url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(CreditMemoPageSize)}}
		if err := c.do(ctx, call{method: "GET", endpoint: "GET /v1/creditmemos/{key}/items", path: "/v1/creditmemos/" + url.PathEscape(memoKey) + "/items",
			query: q, out: &out}); err != nil {
			return nil, err
		}
		all = append(all, out.Items...)
		if out.NextPage == "" || len(out.Items) == 0 {
			return all, nil
		}
	}
}
