package zuora

import (
	"context"
	"net/url"
	"strconv"
)

// ListDebitMemosOfAccount returns every debit memo of an account, paging by
// 40 (GET /v1/debitmemos?accountId=, zuora-debit-memos-api-openapi.yml: the
// list filters by accountId). The reconciliation reads an account's memos so.
func (c *Client) ListDebitMemosOfAccount(ctx context.Context, accountID string) ([]DebitMemo, error) {
	var all []DebitMemo
	for page := 1; ; page++ {
		var out struct {
			DebitMemos []DebitMemo `json:"debitmemos"`
			NextPage   string      `json:"nextPage"`
		}
		q := url.Values{"accountId": {accountID}, "page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(DebitMemoPageSize)}}
		if err := c.do(ctx, call{method: "GET", endpoint: "GET /v1/debitmemos", path: "/v1/debitmemos", query: q, out: &out}); err != nil {
			return nil, err
		}
		all = append(all, out.DebitMemos...)
		if out.NextPage == "" || len(out.DebitMemos) == 0 {
			return all, nil
		}
	}
}
