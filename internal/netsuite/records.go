package netsuite

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// EID addresses a record by external id in a record path ("eid:X").
func EID(externalID string) string { return "eid:" + externalID }

// checkType refuses record types that cannot be a REST record id (they would
// change the path or address another resource).
func checkType(op, recordType string) error {
	if recordType == "" {
		return fmt.Errorf("netsuite %s: record type is empty", op)
	}
	for _, r := range recordType {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Errorf("netsuite %s: record type %q has a character other than letters, digits and '_'", op, recordType)
		}
	}
	return nil
}

func checkKey(op, what, key string) error {
	if key == "" || key == "eid:" {
		return fmt.Errorf("netsuite %s: %s is empty", op, what)
	}
	return nil
}

func recordPath(recordType, key string) string {
	p := "/record/v1/" + recordType
	if key != "" {
		p += "/" + url.PathEscape(key)
	}
	return p
}

// idFromLocation reads the new record's internal id from the Location header
// (<base>/record/v1/{type}/{id}). Without it the write happened but the
// caller cannot know which record it made: an error naming the header.
func idFromLocation(endpoint, recordType string, r *response) (string, error) {
	loc := r.header.Get("Location")
	odd := func(why string) error {
		return &APIError{Status: r.status, Endpoint: endpoint, Title: http.StatusText(r.status),
			Detail: fmt.Sprintf("the answer's Location header %q %s", loc, why)}
	}
	if loc == "" {
		return "", odd("is missing; it should name the record's internal id")
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "", odd("is not a URL")
	}
	parts := strings.Split(strings.TrimRight(u.Path, "/"), "/")
	if len(parts) < 2 || !strings.EqualFold(parts[len(parts)-2], recordType) {
		return "", odd(fmt.Sprintf("does not end in /%s/{id}", recordType))
	}
	id := parts[len(parts)-1]
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return "", odd(fmt.Sprintf("ends in %q, not a numeric internal id", id))
	}
	return id, nil
}

// Create adds a record and returns its internal id. A retried create after
// a lost answer may add it twice unless body carries an externalId (NetSuite
// then refuses the second); prefer Upsert.
func (c *Client) Create(ctx context.Context, recordType string, body any) (string, error) {
	ep := "POST /record/v1/" + recordType
	if err := checkType(ep, recordType); err != nil {
		return "", err
	}
	r, err := c.do(ctx, call{method: http.MethodPost, path: recordPath(recordType, ""), endpoint: ep, body: body})
	if err != nil {
		return "", err
	}
	return idFromLocation(ep, recordType, r)
}

// Upsert creates the record with this external id, or updates the one that
// has it, and returns its internal id: the exactly-once write (a retry finds
// the record it made). On an existing record NetSuite merges sublists like
// PATCH: non-keyed lines in body are appended unless replace names their
// sublist (real-api-gaps N2), so a repeated upsert of a transaction with
// lines passes replace "item".
func (c *Client) Upsert(ctx context.Context, recordType, externalID string, body any, replace ...string) (string, error) {
	ep := "PUT /record/v1/" + recordType + "/eid:{externalId}"
	if err := checkType(ep, recordType); err != nil {
		return "", err
	}
	if err := checkKey(ep, "external id", externalID); err != nil {
		return "", err
	}
	q, err := replaceQuery(ep, replace)
	if err != nil {
		return "", err
	}
	r, err := c.do(ctx, call{method: http.MethodPut, path: recordPath(recordType, EID(externalID)), endpoint: ep, query: q, body: body})
	if err != nil {
		return "", err
	}
	return idFromLocation(ep, recordType, r)
}

// Get reads a record by internal id or EID(x) into out (a struct or a
// map[string]any, numbers then as json.Number); expand includes sublist rows.
func (c *Client) Get(ctx context.Context, recordType, idOrEID string, expand bool, out any) error {
	ep := "GET /record/v1/" + recordType + "/{id}"
	if err := checkType(ep, recordType); err != nil {
		return err
	}
	if err := checkKey(ep, "record id", idOrEID); err != nil {
		return err
	}
	q := url.Values{}
	if expand {
		q.Set("expandSubResources", "true")
	}
	_, err := c.do(ctx, call{method: http.MethodGet, path: recordPath(recordType, idOrEID), endpoint: ep, query: q,
		decode: func(_ int, data []byte) error {
			if out == nil {
				return nil
			}
			return decodeJSON(data, out)
		}})
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

// Patch updates fields of a record (internal id or EID(x)). Sublist rows
// without a line key are appended, rows with one update that line; replace
// names sublists (e.g. "item") whose rows are replaced by the given ones.
func (c *Client) Patch(ctx context.Context, recordType, id string, body any, replace ...string) error {
	ep := "PATCH /record/v1/" + recordType + "/{id}"
	if err := checkType(ep, recordType); err != nil {
		return err
	}
	if err := checkKey(ep, "record id", id); err != nil {
		return err
	}
	q, err := replaceQuery(ep, replace)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, call{method: http.MethodPatch, path: recordPath(recordType, id), endpoint: ep, query: q, body: body})
	return err
}

// Delete removes a record (internal id or EID(x)).
func (c *Client) Delete(ctx context.Context, recordType, id string) error {
	ep := "DELETE /record/v1/" + recordType + "/{id}"
	if err := checkType(ep, recordType); err != nil {
		return err
	}
	if err := checkKey(ep, "record id", id); err != nil {
		return err
	}
	_, err := c.do(ctx, call{method: http.MethodDelete, path: recordPath(recordType, id), endpoint: ep})
	return err
}

// replaceQuery is ?replace=a,b (the sublists a write replaces), checked.
func replaceQuery(ep string, replace []string) (url.Values, error) {
	q := url.Values{}
	if len(replace) > 0 {
		for _, s := range replace {
			if s == "" || strings.ContainsAny(s, ", ") {
				return nil, fmt.Errorf("netsuite %s: replace sublist %q is not a sublist id", ep, s)
			}
		}
		q.Set("replace", strings.Join(replace, ","))
	}
	return q, nil
}

// Metadata reads the metadata catalog (recordType "") or one record type's
// JSON Schema (Accept: application/schema+json, NetSuite help "Working with
// JSON Schema Metadata") into out: what a preflight checks fields against.
func (c *Client) Metadata(ctx context.Context, recordType string, out any) error {
	ep, path := "GET /record/v1/metadata-catalog", "/record/v1/metadata-catalog"
	if recordType != "" {
		if err := checkType(ep+"/{type}", recordType); err != nil {
			return err
		}
		ep, path = ep+"/{type}", path+"/"+recordType
	}
	_, err := c.do(ctx, call{method: http.MethodGet, path: path, endpoint: ep, accept: "application/schema+json",
		decode: func(_ int, data []byte) error { return decodeJSON(data, out) }})
	return err
}
