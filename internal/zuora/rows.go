package zuora

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
)

// Rows is a ZOQL query whose records are decoded straight into T, page by
// page, for the large reads (an invoice's 100,000 items): QueryIterator
// decodes every record into a map[string]any and Decode marshals it back to
// JSON and into the struct, which made most of the CPU and garbage of a
// 175,000-row read (issue 13 profile). Here a page keeps its records as raw
// JSON and each is unmarshalled once into T.
//
// It pages (asking for the next page as soon as one arrives), restarts after a lost locator and skips records already handed
// out exactly as QueryIterator.Next does (the same handedIDs and limits);
// a change to one belongs in the other. Decode's checks are kept: a field of
// the wrong type is refused naming the record and the field (the message is
// Decode's), and a required field that is missing or null is refused as a
// BadRecordError naming the record and the field. Tenant field names
// (WithFieldNames) rename keys, which needs the map: with them, each record
// takes Decode's path.
type Rows[T any] struct {
	c        *Client
	object   string
	zoql     string
	batch    int
	presence reflect.Type // struct of *json.RawMessage: Id and the required fields
	required []string

	page     []json.RawMessage
	i        int
	locator  string
	started  bool
	done     bool
	err      error
	row      T
	handed   handedIDs
	restarts int
	ahead    chan pageResult // the next page, asked for when this one came
}

// QueryRows iterates over the records of zoql decoded into T. object names
// the records in errors; required lists fields a record must have non-null.
func QueryRows[T any](c *Client, object, zoql string, batchSize int, required ...string) *Rows[T] {
	return &Rows[T]{c: c, object: object, zoql: zoql, batch: batchSize, required: required, presence: presenceType(required)}
}

// Next advances to the next record, fetching pages as needed.
func (r *Rows[T]) Next(ctx context.Context) bool {
	for r.err == nil {
		if r.i < len(r.page) {
			raw := r.page[r.i]
			r.page[r.i] = nil // the page's bytes go with the last row, not the page
			r.i++
			id, err := r.decode(ctx, raw)
			if err != nil {
				r.err = err
				return false
			}
			if !r.handed.add(id) {
				continue // handed out before a restart
			}
			return true
		}
		if r.started && r.done {
			return false
		}
		var p *rawQueryResponse
		if !r.started {
			p, r.err = r.c.queryRaw(ctx, "POST /v1/action/query", "/v1/action/query",
				map[string]any{"queryString": tenantZOQL(ctx, r.zoql), "conf": queryConf{clampBatch(r.batch)}})
		} else {
			select {
			case res := <-r.ahead:
				p, r.err = res.page, res.err
			case <-ctx.Done():
				r.err = ctx.Err()
				return false
			}
			r.ahead = nil
			if isLostLocator(r.err) {
				if !r.handed.complete() {
					r.err = fmt.Errorf("%w; the query cannot be resumed: its records have no Id to skip the ones already read", r.err)
					return false
				}
				if r.restarts < maxQueryRestarts {
					r.restarts++
					r.started, r.page, r.i, r.err = false, nil, 0, nil
					continue
				}
			}
		}
		if r.err != nil {
			return false
		}
		r.started, r.page, r.i, r.done, r.locator = true, p.Records, 0, p.Done, p.QueryLocator
		if !r.done {
			r.ahead = r.fetchAhead(ctx, r.locator)
		}
	}
	return false
}

// fetchAhead asks for the page after locator while the caller decodes and
// uses this one: the decoding overlaps Zuora's latency instead of adding to
// it (one call per cursor in flight, as without). Abandoned, it finishes its
// one call and its answer is dropped.
func (r *Rows[T]) fetchAhead(ctx context.Context, locator string) chan pageResult {
	ch := make(chan pageResult, 1)
	go func() {
		p, err := r.c.queryRaw(ctx, "POST /v1/action/queryMore", "/v1/action/queryMore",
			map[string]any{"queryLocator": locator, "conf": queryConf{clampBatch(r.batch)}})
		ch <- pageResult{p, err}
	}()
	return ch
}

type pageResult struct {
	page *rawQueryResponse
	err  error
}

// Row is the current record.
func (r *Rows[T]) Row() T { return r.row }

// Err is the error that stopped the iteration, if any.
func (r *Rows[T]) Err() error { return r.err }

// decode sets r.row from one raw record and returns its Id (nil when it has
// none, as QueryIterator's rec["Id"]).
func (r *Rows[T]) decode(ctx context.Context, raw json.RawMessage) (any, error) {
	if len(fieldNames(ctx)) > 0 {
		return r.decodeRenamed(ctx, raw)
	}
	p := reflect.New(r.presence)
	if err := json.Unmarshal(raw, p.Interface()); err != nil {
		return nil, fmt.Errorf("zuora %s record: %w", r.object, err)
	}
	var id any
	if f := p.Elem().Field(0); !f.IsNil() {
		var s string
		if json.Unmarshal(*f.Interface().(*json.RawMessage), &s) == nil {
			id = s
		}
	}
	for i, name := range r.required {
		if p.Elem().Field(presenceField(r.required, i)).IsNil() {
			return nil, &BadRecordError{Object: r.object, ID: fmt.Sprint(id), Field: name, Problem: "is missing"}
		}
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		// The error path only: Decode names the record and the field.
		rec, merr := rawRecord(raw)
		if merr != nil {
			return nil, fmt.Errorf("zuora %s %v: %w", r.object, id, err)
		}
		if _, derr := Decode[T](rec); derr != nil {
			return nil, derr
		}
		return nil, fmt.Errorf("zuora %s %v: %w", r.object, id, err)
	}
	r.row = v
	return id, nil
}

// decodeRenamed is QueryIterator's and Decode's path, for tenant field names.
func (r *Rows[T]) decodeRenamed(ctx context.Context, raw json.RawMessage) (any, error) {
	rec, err := rawRecord(raw)
	if err != nil {
		return nil, fmt.Errorf("zuora %s record: %w", r.object, err)
	}
	defaultNames(ctx, rec)
	for _, name := range r.required {
		if v, ok := rec[name]; !ok || v == nil {
			return nil, &BadRecordError{Object: r.object, ID: fmt.Sprint(rec["Id"]), Field: name, Problem: "is missing"}
		}
	}
	v, err := Decode[T](rec)
	if err != nil {
		return nil, err
	}
	r.row = v
	return rec["Id"], nil
}

func rawRecord(raw json.RawMessage) (map[string]any, error) {
	var rec map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return rec, dec.Decode(&rec)
}

// rawQueryResponse is a ZOQL page with its records still JSON.
type rawQueryResponse struct {
	Records      []json.RawMessage `json:"records"`
	Size         int               `json:"size"`
	Done         bool              `json:"done"`
	QueryLocator string            `json:"queryLocator,omitempty"`
}

func (c *Client) queryRaw(ctx context.Context, endpoint, path string, body map[string]any) (*rawQueryResponse, error) {
	var out rawQueryResponse
	err := c.bigProcess(ctx, func() error {
		return c.do(ctx, call{method: "POST", endpoint: endpoint, path: path, body: body, out: &out})
	})
	if err != nil {
		return nil, err
	}
	// The same checks as QueryResponse.check.
	q := QueryResponse{Done: out.Done, QueryLocator: out.QueryLocator, Size: out.Size}
	if out.Records != nil {
		q.Records = []map[string]any{}
	}
	return &out, q.check(endpoint)
}

// presenceType is struct{ Id *json.RawMessage; <required>... *json.RawMessage }
// with json tags: unmarshalling a record into it tells which of those keys
// are there and not null, without decoding the rest.
func presenceType(required []string) reflect.Type {
	key := fmt.Sprint(required)
	if t, ok := presenceTypes.Load(key); ok {
		return t.(reflect.Type)
	}
	raw := reflect.TypeFor[*json.RawMessage]()
	fields := []reflect.StructField{{Name: "F0", Type: raw, Tag: `json:"Id"`}}
	for i, name := range required {
		if presenceField(required, i) != 0 {
			fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", i+1), Type: raw, Tag: reflect.StructTag(fmt.Sprintf("json:%q", name))})
		}
	}
	t := reflect.StructOf(fields)
	presenceTypes.Store(key, t)
	return t
}

var presenceTypes sync.Map

// presenceField is the field of presenceType(required) that tells whether
// required[i] is there: Id is always field 0 (two fields of one JSON name
// would both be ignored), the others follow in order.
func presenceField(required []string, i int) int {
	if required[i] == "Id" {
		return 0
	}
	n := 1
	for _, name := range required[:i] {
		if name != "Id" {
			n++
		}
	}
	return n
}
