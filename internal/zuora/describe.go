package zuora

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// GET /v1/describe/{object} answers XML, not JSON (Zuora v1 OpenAPI
// GET_Describe, api-evangelist/zuora openapi/zuora-describe-api-openapi.yml):
// <object><name/><label/><fields><field><name/><label/><type/><contexts>…
// It lists the object's fields as this tenant has them, custom fields
// included, so a preflight can check the connector's field lists against it.

// ObjectDescription is one object as the describe call lists it.
type ObjectDescription struct {
	Name   string             `xml:"name"`
	Label  string             `xml:"label"`
	Fields []FieldDescription `xml:"fields>field"`
}

// FieldDescription is one field of a described object.
type FieldDescription struct {
	Name       string   `xml:"name"`
	Label      string   `xml:"label"`
	Type       string   `xml:"type"`
	Contexts   []string `xml:"contexts>context"`
	Selectable bool     `xml:"selectable"`
	Createable bool     `xml:"createable"`
	Updateable bool     `xml:"updateable"`
	Filterable bool     `xml:"filterable"`
	Custom     bool     `xml:"custom"`
	Required   bool     `xml:"required"`
}

// Field finds a field by name; Zuora field names are case-insensitive in ZOQL.
func (d *ObjectDescription) Field(name string) (FieldDescription, bool) {
	for _, f := range d.Fields {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return FieldDescription{}, false
}

// Describe reads GET /v1/describe/{object}. The shared request path (do)
// decodes JSON only, so this call sends its own request with the client's
// token, entity header and metrics; a 401 refreshes the token once and a
// retryable failure is retried like the other calls.
func (c *Client) Describe(ctx context.Context, object string) (*ObjectDescription, error) {
	const ep = "GET /v1/describe/{object}"
	if object == "" || strings.ContainsAny(object, "/?# ") {
		return nil, fmt.Errorf("zuora %s: %q is not an object name", ep, object)
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		d, err := c.describeOnce(ctx, ep, object, attempt > 0)
		if err == nil {
			return d, nil
		}
		if ae := (*APIError)(nil); errors.As(err, &ae) && ae.Status == http.StatusUnauthorized && !refreshed {
			refreshed = true
			c.invalidate("")
			continue
		}
		if !IsRetryable(err) || attempt >= c.retries || ctx.Err() != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff(attempt, c.maxWait)):
		}
	}
}

func (c *Client) describeOnce(ctx context.Context, ep, object string, retried bool) (*ObjectDescription, error) {
	tok, err := c.token(ctx)
	if err != nil {
		return nil, err
	}
	u := *c.base
	u.Path += "/v1/describe/" + url.PathEscape(object)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("zuora %s: %w", ep, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "text/xml, application/xml")
	if c.entity != "" {
		req.Header.Set("Zuora-Entity-Ids", c.entity)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe(ep, 0, time.Since(start), retried)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &APIError{Endpoint: ep, Message: "no response: " + scrubURL(err.Error()), Retryable: true}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	c.observe(ep, resp.StatusCode, time.Since(start), retried)
	if err != nil {
		return nil, &APIError{Status: resp.StatusCode, Endpoint: ep, Message: "response cut off: " + err.Error(), Retryable: true}
	}
	if resp.StatusCode == http.StatusNotFound {
		// The error body is "an XML document that indicates the error" with
		// no published shape: the status is the answer.
		return nil, &APIError{Status: 404, Endpoint: ep, Message: fmt.Sprintf("Zuora has no object named %q on this tenant", object)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, decodeError(ep, resp.StatusCode, resp.Header, data)
	}
	var d ObjectDescription
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&d); err != nil {
		return nil, &DecodeError{Endpoint: ep, Status: resp.StatusCode, Excerpt: excerpt(data), Err: fmt.Errorf("not a describe XML document: %w", err), Retryable: true}
	}
	if d.Name == "" {
		return nil, &DecodeError{Endpoint: ep, Status: resp.StatusCode, Excerpt: excerpt(data), Err: fmt.Errorf("the describe answer names no object")}
	}
	return &d, nil
}
