package netsuite

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// QueryPage is one page of SuiteQL results.
type QueryPage struct {
	Items        []map[string]any `json:"items"`
	HasMore      bool             `json:"hasMore"`
	Count        int              `json:"count"`
	Offset       int              `json:"offset"`
	TotalResults int              `json:"totalResults"`
}

// MaxQueryLimit is SuiteQL's page size ceiling.
const MaxQueryLimit = 1000

// Quote makes a SuiteQL string literal.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// QueryPage runs one page of a SuiteQL query.
func (c *Client) QueryPage(ctx context.Context, q string, limit, offset int) (*QueryPage, error) {
	if limit < 1 || limit > MaxQueryLimit {
		return nil, fmt.Errorf("netsuite SuiteQL: limit %d is not between 1 and %d", limit, MaxQueryLimit)
	}
	var page QueryPage
	_, err := c.do(ctx, call{method: "POST", path: "/query/v1/suiteql", endpoint: "POST /query/v1/suiteql", prefer: "transient",
		query: url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}}, body: map[string]string{"q": q}, out: &page})
	if err != nil {
		return nil, err
	}
	for _, it := range page.Items {
		delete(it, "links")
	}
	return &page, nil
}

// QueryIterator pages through a SuiteQL query.
type QueryIterator struct {
	c      *Client
	q      string
	limit  int
	offset int
	page   *QueryPage
	i      int
	done   bool
	err    error
}

// Query iterates over every row of q, limit rows per request.
func (c *Client) Query(q string, limit int) *QueryIterator {
	if limit <= 0 || limit > MaxQueryLimit {
		limit = MaxQueryLimit
	}
	return &QueryIterator{c: c, q: q, limit: limit}
}

// Next advances to the next row, fetching pages as needed.
func (it *QueryIterator) Next(ctx context.Context) bool {
	for {
		if it.err != nil {
			return false
		}
		if it.page != nil && it.i < len(it.page.Items) {
			it.i++
			return true
		}
		if it.done {
			return false
		}
		p, err := it.c.QueryPage(ctx, it.q, it.limit, it.offset)
		if err != nil {
			it.err = err
			return false
		}
		it.page, it.i = p, 0
		it.offset += it.limit
		it.done = !p.HasMore
	}
}

// Row is the current row (lower-case column names).
func (it *QueryIterator) Row() map[string]any { return it.page.Items[it.i-1] }

// Err is the error that stopped the iteration.
func (it *QueryIterator) Err() error { return it.err }

// QueryAll returns every row of q.
func (c *Client) QueryAll(ctx context.Context, q string) ([]map[string]any, error) {
	it := c.Query(q, MaxQueryLimit)
	var rows []map[string]any
	for it.Next(ctx) {
		rows = append(rows, it.Row())
	}
	return rows, it.Err()
}
