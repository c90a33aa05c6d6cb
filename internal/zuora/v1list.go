package zuora

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strconv"
)

// listAllV1 reads every page of a v1 REST list (memos, memo items and parts,
// payment parts): page and pageSize in the query, the rows under key, and a
// nextPage while more follow.
func listAllV1[T any](ctx context.Context, c *Client, endpoint, path, key string, filter url.Values, pageSize int) ([]T, error) {
	var all []T
	for page := 1; ; page++ {
		q := url.Values{}
		for k, v := range filter {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(page))
		q.Set("pageSize", strconv.Itoa(pageSize))
		out := &v1ListPage[T]{key: key}
		if err := c.do(ctx, call{method: "GET", endpoint: endpoint, path: path, query: q, out: out}); err != nil {
			return nil, err
		}
		all = append(all, out.rows...)
		if out.next == "" || len(out.rows) == 0 {
			return all, nil
		}
	}
}

// v1ListPage is one answer of a v1 list, its rows under a key that differs
// per list ("items", "parts", "creditmemos", …).
type v1ListPage[T any] struct {
	key  string
	rows []T
	next string
}

func (p *v1ListPage[T]) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if rows, ok := raw[p.key]; ok {
		dec := json.NewDecoder(bytes.NewReader(rows))
		dec.UseNumber()
		if err := dec.Decode(&p.rows); err != nil {
			return err
		}
	}
	if next, ok := raw["nextPage"]; ok {
		var s *string // null: no next page
		if err := json.Unmarshal(next, &s); err != nil {
			return err
		}
		if s != nil {
			p.next = *s
		}
	}
	return nil
}
