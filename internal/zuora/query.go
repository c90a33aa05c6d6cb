package zuora

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// MaxBatchSize is ZOQL's page size ceiling.
const MaxBatchSize = 2000

type queryConf struct {
	BatchSize int `json:"batchSize"`
}

// QueryResponse is one page of a ZOQL query.
type QueryResponse struct {
	Records      []map[string]any `json:"records"`
	Size         int              `json:"size"`
	Done         bool             `json:"done"`
	QueryLocator string           `json:"queryLocator,omitempty"`
}

func clampBatch(n int) int {
	if n <= 0 || n > MaxBatchSize {
		return MaxBatchSize
	}
	return n
}

// QueryPage runs a ZOQL query and returns its first page.
func (c *Client) QueryPage(ctx context.Context, zoql string, batchSize int) (*QueryResponse, error) {
	var out QueryResponse
	err := c.bigProcess(ctx, func() error {
		return c.do(ctx, call{method: "POST", endpoint: "POST /v1/action/query", path: "/v1/action/query",
			body: map[string]any{"queryString": tenantZOQL(ctx, zoql), "conf": queryConf{clampBatch(batchSize)}}, out: &out})
	})
	if err != nil {
		return nil, err
	}
	for _, rec := range out.Records {
		defaultNames(ctx, rec)
	}
	return &out, out.check("POST /v1/action/query")
}

// QueryMore returns the page after locator. Locators expire after 15
// minutes; callers that pause longer carry their own cursor (an id) instead.
func (c *Client) QueryMore(ctx context.Context, locator string, batchSize int) (*QueryResponse, error) {
	var out QueryResponse
	err := c.bigProcess(ctx, func() error {
		return c.do(ctx, call{method: "POST", endpoint: "POST /v1/action/queryMore", path: "/v1/action/queryMore",
			body: map[string]any{"queryLocator": locator, "conf": queryConf{clampBatch(batchSize)}}, out: &out})
	})
	if err != nil {
		return nil, err
	}
	for _, rec := range out.Records {
		defaultNames(ctx, rec)
	}
	return &out, out.check("POST /v1/action/queryMore")
}

func (r *QueryResponse) check(endpoint string) error {
	if !r.Done && r.QueryLocator == "" {
		return &DecodeError{Endpoint: endpoint, Status: 200, Err: errors.New("done is false but there is no queryLocator")}
	}
	if r.Records == nil && r.Size > 0 {
		return &DecodeError{Endpoint: endpoint, Status: 200, Err: fmt.Errorf("size %d but no records", r.Size)}
	}
	return nil
}

// QueryIterator walks every record of a ZOQL query (records as maps, field
// names as Zuora wrote them, numbers as json.Number); Rows decodes straight
// into a struct for the large reads. Both page through a pager.
type QueryIterator struct {
	pages  pager
	page   []json.RawMessage
	i      int
	err    error
	rec    map[string]any
	handed handedIDs // the Ids handed out, skipped after a restart
}

// Query iterates over all records of zoql.
func (c *Client) Query(ctx context.Context, zoql string, batchSize int) *QueryIterator {
	return &QueryIterator{pages: pager{c: c, zoql: zoql, batch: batchSize}}
}

// Next advances to the next record, fetching pages as needed.
func (it *QueryIterator) Next(ctx context.Context) bool {
	for it.err == nil {
		if it.i < len(it.page) {
			raw := it.page[it.i]
			it.page[it.i] = nil
			it.i++
			rec, err := rawRecord(raw)
			if err != nil {
				it.err = &DecodeError{Endpoint: "POST /v1/action/query", Status: 200, Excerpt: excerpt(raw), Err: err, Retryable: true}
				return false
			}
			defaultNames(ctx, rec)
			if !it.handed.add(rec["Id"]) {
				continue // handed out before a restart
			}
			it.rec = rec
			return true
		}
		page, more, err := it.pages.next(ctx, &it.handed)
		if err != nil || !more {
			it.err = err
			return false
		}
		it.page, it.i = page, 0
	}
	return false
}

func isLostLocator(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == "INVALID_QUERY_LOCATOR"
}

// handedIDs is the set of record Ids an iterator has handed out. Zuora ids
// (32 hex digits) are kept as 16 bytes, so a 100,000-row query costs a few
// MB and does not keep the records' strings alive.
type handedIDs struct {
	hex   map[[16]byte]struct{}
	other map[string]struct{}
	noID  bool // a record without an Id was handed out
}

// add records id and reports whether it is new.
func (h *handedIDs) add(id any) bool {
	s, ok := id.(string)
	if !ok || s == "" {
		h.noID = true
		return true
	}
	var k [16]byte
	if len(s) == 32 {
		if _, err := hex.Decode(k[:], []byte(s)); err == nil && strings.ToLower(s) == s {
			if h.hex == nil {
				h.hex = map[[16]byte]struct{}{}
			}
			if _, dup := h.hex[k]; dup {
				return false
			}
			h.hex[k] = struct{}{}
			return true
		}
	}
	if h.other == nil {
		h.other = map[string]struct{}{}
	}
	if _, dup := h.other[s]; dup {
		return false
	}
	h.other[s] = struct{}{}
	return true
}

func (h *handedIDs) complete() bool { return !h.noID }

// Record is the current record (field names as Zuora wrote them, numbers as json.Number).
func (it *QueryIterator) Record() map[string]any { return it.rec }

// Err is the error that stopped the iteration, if any.
func (it *QueryIterator) Err() error { return it.err }

// QueryAll runs zoql to the end and decodes every record into T.
func QueryAll[T any](ctx context.Context, c *Client, zoql string) ([]T, error) {
	var out []T
	it := c.Query(ctx, zoql, MaxBatchSize)
	for it.Next(ctx) {
		v, err := Decode[T](it.Record())
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, it.Err()
}

// Decode converts a record into a model type, naming the record and field
// when a value has the wrong type.
func Decode[T any](rec map[string]any) (T, error) {
	var v T
	b, err := json.Marshal(rec)
	if err != nil {
		return v, fmt.Errorf("zuora record %v: %w", rec["Id"], err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return v, fmt.Errorf("zuora %T %v: field %s is %s, want %s", v, rec["Id"], te.Field, te.Value, te.Type)
		}
		return v, fmt.Errorf("zuora %T %v: field %s: %w", v, rec["Id"], badField[T](rec), err)
	}
	return v, nil
}

// badField finds which field of rec fails to decode into T (error path only).
func badField[T any](rec map[string]any) string {
	keys := make([]string, 0, len(rec))
	for k := range rec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, _ := json.Marshal(map[string]any{k: rec[k]})
		var probe T
		if json.Unmarshal(b, &probe) != nil {
			return k
		}
	}
	return "?"
}

// Quote makes s a ZOQL string literal.
func Quote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}
