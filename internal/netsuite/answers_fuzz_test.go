package netsuite

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fuzzAnswers answers every request with the fuzzed status, Location,
// Retry-After and body.
type fuzzAnswers struct {
	status     int
	location   string
	retryAfter string
	body       []byte
}

func (f *fuzzAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if f.location != "" {
		h.Set("Location", f.location)
	}
	if f.retryAfter != "" {
		h.Set("Retry-After", f.retryAfter)
	}
	return &http.Response{StatusCode: f.status, Header: h, Request: r, Body: io.NopCloser(bytes.NewReader(f.body))}, nil
}

const (
	fuzzConsumerSecret = "fuzz-consumer-secret-never-shown"
	fuzzTokenSecret    = "fuzz-token-secret-never-shown"
)

// Whatever NetSuite (or a proxy) answers to a SuiteQL page, a record read,
// an upsert or a delete, the client returns a value or an error that says
// what went wrong: no panic, no secret, and no id made up from a bad
// Location header.
func FuzzClientAnswers(f *testing.F) {
	base := "http://ns.test/services/rest"
	seeds := []struct {
		status   int
		location string
		body     string
	}{
		{200, "", `{"items":[{"id":"1","foreigntotal":"12.50"}],"hasMore":false,"count":1}`},
		{200, "", `{"id":"7","externalId":"zuora-invoice-1","tranId":"INV-1","entity":{"id":"10"},"total":12.5,"item":{"items":[{"amount":1.25}]}}`},
		{200, "", `{"id":7,"entity":"10","total":"twelve","item":{"items":{}}}`},
		{200, "", `{"items":[{"id":"1"}],"hasMore":tr`},
		{204, base + "/record/v1/invoice/123", ``},
		{204, base + "/record/v1/invoice/abc", ``},
		{204, "", ``},
		{204, "::not a url", ``},
		{200, "", `<html><head><title>502 Bad Gateway</title></head></html>`},
		{400, "", `{"type":"x","title":"Bad Request","status":400,"o:errorDetails":[{"detail":"Invalid reference","o:errorCode":"INVALID_KEY_OR_REF","o:errorPath":"item.items[0].item"}]}`},
		{401, "", `{"title":"Unauthorized","o:errorDetails":[{"detail":"Invalid login attempt.","o:errorCode":"INVALID_LOGIN"}]}`},
		{429, "", `{"title":"Too Many Requests","o:errorDetails":[{"detail":"limit","o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]}`},
		{500, "", `{"title":"Internal Server Error"}`},
		{503, "", `<html>Service Unavailable</html>`},
		{404, "", `{"o:errorDetails":[{"detail":7}]}`},
	}
	for _, s := range seeds {
		f.Add(s.status, s.location, "1", []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, location, retryAfter string, body []byte) {
		if status < 100 || status > 999 {
			status = 200 + (status%800+800)%800
		}
		if strings.ContainsAny(location+retryAfter, "\r\n\x00") {
			location, retryAfter = "", ""
		}
		c, err := New(Config{BaseURL: base, Account: "1234567_SB1", MaxRetries: 1,
			HTTPClient: &http.Client{Transport: &fuzzAnswers{status: status, location: location, retryAfter: retryAfter, body: body}},
			TBA:        &TBACredentials{ConsumerKey: "ck", ConsumerSecret: fuzzConsumerSecret, TokenID: "tid", TokenSecret: fuzzTokenSecret}})
		if err != nil {
			t.Fatal(err)
		}
		c.sleep = func(context.Context, time.Duration) error { return nil }
		ctx := context.Background()
		check := func(what string, err error) {
			if err == nil {
				return
			}
			msg := err.Error()
			if msg == "" {
				t.Fatalf("%s: an empty error", what)
			}
			if strings.Contains(msg, fuzzConsumerSecret) || strings.Contains(msg, fuzzTokenSecret) {
				t.Fatalf("%s: the error shows a secret: %s", what, msg)
			}
		}
		page, err := c.QueryPage(ctx, "SELECT id FROM transaction", 10, 0)
		check("QueryPage", err)
		if err == nil && page.Count != len(page.Items) {
			t.Fatalf("page count %d with %d items", page.Count, len(page.Items))
		}
		_, err = c.GetTransaction(ctx, TypeInvoice, "7")
		check("GetTransaction", err)
		id, err := c.Upsert(ctx, TypeInvoice, "zuora-invoice-1", Transaction{ExternalID: "zuora-invoice-1"})
		check("Upsert", err)
		if err == nil && (id == "" || strings.Trim(id, "0123456789") != "") {
			t.Fatalf("upsert returned id %q from Location %q", id, location)
		}
		check("Delete", c.Delete(ctx, TypeInvoice, "7"))
	})
}

// A token answer of any shape gives a token and a positive lifetime or an
// error that never shows the token.
func FuzzDecodeToken(f *testing.F) {
	for _, s := range []string{
		`{"access_token":"abcdef0123456789","token_type":"bearer","expires_in":3600}`,
		`{"access_token":"abcdef0123456789","expires_in":"3600"}`,
		`{"access_token":"abcdef0123456789","token_type":"mac","expires_in":3600}`,
		`{"access_token":"abcdef0123456789","expires_in":-5}`,
		`{"access_token":"abcdef0123456789","expires_in":1e99}`,
		`{"access_token":"","expires_in":3600}`,
		`{"access_token":"abcdef0123456789","expires_in":`,
		`<html></html>`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, ttl, err := decodeToken(body)
		if err != nil {
			if tok != "" {
				t.Fatal("a token with an error")
			}
			return
		}
		if tok == "" || ttl <= 0 {
			t.Fatalf("accepted token %q ttl %s", tok, ttl)
		}
	})
}
