package zuora

import (
	"context"
	"net/url"
)

// ListDebitMemosOfAccount returns every debit memo of an account, paging by
// 40 (GET /v1/debitmemos?accountId=, zuora-debit-memos-api-openapi.yml: the
// list filters by accountId). The reconciliation reads an account's memos so.
func (c *Client) ListDebitMemosOfAccount(ctx context.Context, accountID string) ([]DebitMemo, error) {
	return listAllV1[DebitMemo](ctx, c, "GET /v1/debitmemos", "/v1/debitmemos", "debitmemos", url.Values{"accountId": {accountID}}, DebitMemoPageSize)
}
