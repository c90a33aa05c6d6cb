package netsuite

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// EID addresses a record by external id in a record path.
func EID(externalID string) string { return "eid:" + externalID }

func recordPath(recordType, key string) string {
	p := "/record/v1/" + url.PathEscape(recordType)
	if key != "" {
		p += "/" + url.PathEscape(key)
	}
	return p
}

// idFromLocation reads the new record's internal id from the Location header.
func idFromLocation(endpoint string, r *response) (string, error) {
	loc := r.header.Get("Location")
	i := strings.LastIndex(loc, "/")
	if loc == "" || i < 0 || i == len(loc)-1 {
		return "", &APIError{Status: r.status, Endpoint: endpoint, Detail: fmt.Sprintf("the answer's Location header %q names no record id", loc)}
	}
	return loc[i+1:], nil
}

// Create adds a record and returns its internal id.
func (c *Client) Create(ctx context.Context, recordType string, body any) (string, error) {
	ep := "POST /record/v1/" + recordType
	r, err := c.do(ctx, call{method: "POST", path: recordPath(recordType, ""), endpoint: ep, body: body})
	if err != nil {
		return "", err
	}
	return idFromLocation(ep, r)
}

// Upsert creates the record with this external id, or updates the one that
// has it: the exactly-once write (a retry finds the record it made).
func (c *Client) Upsert(ctx context.Context, recordType, externalID string, body any) (string, error) {
	ep := "PUT /record/v1/" + recordType + "/eid:{id}"
	r, err := c.do(ctx, call{method: "PUT", path: recordPath(recordType, EID(externalID)), endpoint: ep, body: body})
	if err != nil {
		return "", err
	}
	return idFromLocation(ep, r)
}

// Get reads a record by internal id or EID(x) into out; expand includes sublists.
func (c *Client) Get(ctx context.Context, recordType, idOrEID string, expand bool, out any) error {
	q := url.Values{}
	if expand {
		q.Set("expandSubResources", "true")
	}
	_, err := c.do(ctx, call{method: "GET", path: recordPath(recordType, idOrEID), endpoint: "GET /record/v1/" + recordType + "/{id}", query: q, out: out})
	return err
}

// GetTransaction reads an invoice or credit memo with its lines.
func (c *Client) GetTransaction(ctx context.Context, recordType, idOrEID string) (*Transaction, error) {
	var tx Transaction
	if err := c.Get(ctx, recordType, idOrEID, true, &tx); err != nil {
		return nil, err
	}
	return &tx, nil
}

// Patch updates fields; sublist rows without a line key are appended, rows
// with one update that line; replace names sublists to replace instead.
func (c *Client) Patch(ctx context.Context, recordType, id string, body any, replace ...string) error {
	q := url.Values{}
	if len(replace) > 0 {
		q.Set("replace", strings.Join(replace, ","))
	}
	_, err := c.do(ctx, call{method: "PATCH", path: recordPath(recordType, id), endpoint: "PATCH /record/v1/" + recordType + "/{id}", query: q, body: body})
	return err
}

// Delete removes a record.
func (c *Client) Delete(ctx context.Context, recordType, id string) error {
	_, err := c.do(ctx, call{method: "DELETE", path: recordPath(recordType, id), endpoint: "DELETE /record/v1/" + recordType + "/{id}"})
	return err
}
