package netsuite

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// QueryPage is one page of SuiteQL results. Row values stay as decoded JSON
// (NetSuite sends most values as strings; numbers arrive as json.Number);
// column names are lower case; each row's "links" is dropped.
type QueryPage struct {
	Items        []map[string]any `json:"items"`
	HasMore      bool             `json:"hasMore"`
	Count        int              `json:"count"`
	Offset       int              `json:"offset"`
	TotalResults int              `json:"totalResults"`
}

// MaxQueryLimit is SuiteQL's page size ceiling.
const MaxQueryLimit = 1000

const suiteqlEndpoint = "POST /query/v1/suiteql"

// Quote makes a SuiteQL (Oracle SQL) string literal: quotes doubled, nothing
// else is special inside one.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// QueryPage runs one page of a SuiteQL query. offset is a multiple of limit,
// as NetSuite requires.
func (c *Client) QueryPage(ctx context.Context, q string, limit, offset int) (*QueryPage, error) {
	switch {
	case strings.TrimSpace(q) == "":
		return nil, fmt.Errorf("netsuite %s: the query is empty", suiteqlEndpoint)
	case limit < 1 || limit > MaxQueryLimit:
		return nil, fmt.Errorf("netsuite %s: limit %d is not between 1 and %d", suiteqlEndpoint, limit, MaxQueryLimit)
	case offset < 0 || offset%limit != 0:
		return nil, fmt.Errorf("netsuite %s: offset %d is not a non-negative multiple of limit %d", suiteqlEndpoint, offset, limit)
	}
	var page *QueryPage
	_, err := c.do(ctx, call{
		method: http.MethodPost, path: "/query/v1/suiteql", endpoint: suiteqlEndpoint, prefer: "transient",
		query: url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}},
		body:  map[string]string{"q": renameQuery(q, fieldNames(ctx))},
		decode: func(_ int, data []byte) (err error) {
			page, err = decodeSuiteQLPage(data)
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// decodeSuiteQLPage reads a SuiteQL answer strictly: items and hasMore must
// be there with their types, every item an object, or it is an error (the
// iterator must not stop early on a garbled page and lose rows silently).
func decodeSuiteQLPage(data []byte) (*QueryPage, error) {
	var raw struct {
		Items        *[]map[string]any `json:"items"`
		HasMore      *bool             `json:"hasMore"`
		Count        *int              `json:"count"`
		Offset       *int              `json:"offset"`
		TotalResults *int              `json:"totalResults"`
	}
	if err := decodeJSON(data, &raw); err != nil {
		return nil, fmt.Errorf("SuiteQL page: %w", err)
	}
	switch {
	case raw.Items == nil:
		return nil, errors.New("SuiteQL page: no items array")
	case raw.HasMore == nil:
		return nil, errors.New("SuiteQL page: no hasMore")
	}
	p := &QueryPage{Items: *raw.Items, HasMore: *raw.HasMore}
	for i, it := range p.Items {
		if it == nil {
			return nil, fmt.Errorf("SuiteQL page: items[%d] is null, not a row", i)
		}
		delete(it, "links")
	}
	p.Count = len(p.Items)
	if raw.Count != nil {
		if *raw.Count != len(p.Items) {
			return nil, fmt.Errorf("SuiteQL page: count %d but %d items", *raw.Count, len(p.Items))
		}
	}
	if raw.Offset != nil {
		p.Offset = *raw.Offset
	}
	if raw.TotalResults != nil {
		p.TotalResults = *raw.TotalResults
	}
	return p, nil
}

var orderBy = regexp.MustCompile(`(?i)\border\s+by\b`)

// QueryIterator pages through a SuiteQL query:
//
//	it := c.Query(ctx, q, 1000)
//	for it.Next(ctx) { row := it.Row() ... }
//	if err := it.Err(); err != nil { ... }
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

// Query iterates over every row of q, limit rows per request (0 or out of
// range = 1000). Nothing is sent until Next, which takes the context of
// each page request; ctx here is unused and kept for a uniform call shape.
func (c *Client) Query(_ context.Context, q string, limit int) *QueryIterator {
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
		if p.HasMore && len(p.Items) == 0 {
			// Asking again would return the same page forever.
			it.err = &APIError{Status: http.StatusOK, Endpoint: suiteqlEndpoint,
				Detail: fmt.Sprintf("SuiteQL page at offset %d is empty but says hasMore", it.offset)}
			return false
		}
		if p.HasMore && !orderBy.MatchString(it.q) {
			// Without ORDER BY NetSuite's pages may repeat or skip rows
			// (real-api-gaps N4): refuse to read such a result as whole.
			it.err = fmt.Errorf("netsuite %s: the query has more than one page of results but no ORDER BY, so paging may repeat or skip rows; order it by a unique key: %s",
				suiteqlEndpoint, it.q)
			return false
		}
		it.page, it.i = p, 0
		it.offset += it.limit
		it.done = !p.HasMore
	}
}

// Row is the current row (lower-case column names); nil before Next.
func (it *QueryIterator) Row() map[string]any {
	if it.page == nil || it.i == 0 {
		return nil
	}
	return it.page.Items[it.i-1]
}

// Err is the error that stopped the iteration, nil at a normal end.
func (it *QueryIterator) Err() error { return it.err }

// QueryAll returns every row of q.
func (c *Client) QueryAll(ctx context.Context, q string) ([]map[string]any, error) {
	it := c.Query(ctx, q, MaxQueryLimit)
	var rows []map[string]any
	for it.Next(ctx) {
		rows = append(rows, it.Row())
	}
	if err := it.Err(); err != nil {
		return nil, err
	}
	return rows, nil
}
