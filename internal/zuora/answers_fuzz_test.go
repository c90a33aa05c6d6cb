package zuora

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fuzzTransport answers token requests with a token and every API request
// with the fuzzed status, header and body, so the whole answer path of the
// client (status handling, success=false, decoding, retries) sees bad input.
type fuzzTransport struct {
	status      int
	body        []byte
	retryAfter  string
	contentType string
}

func (f *fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	h := http.Header{}
	if r.URL.Path == "/oauth/token" {
		h.Set("Content-Type", "application/json")
		return &http.Response{StatusCode: 200, Header: h, Request: r,
			Body: io.NopCloser(strings.NewReader(`{"access_token":"fuzz-access-token-0123456789","token_type":"bearer","expires_in":3599}`))}, nil
	}
	h.Set("Content-Type", f.contentType)
	if f.retryAfter != "" {
		h.Set("Retry-After", f.retryAfter)
	}
	return &http.Response{StatusCode: f.status, Header: h, Request: r, Body: io.NopCloser(bytes.NewReader(f.body))}, nil
}

const fuzzSecret = "fuzz-client-secret-do-not-show"

// Whatever Zuora (or a proxy in front of it) answers, the client returns a
// value or an error that says what went wrong, never panics and never shows
// the client secret or the access token; a record that fails to decode is
// named with its field.
func FuzzClientAnswers(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{200, `{"records":[{"Id":"inv1","InvoiceNumber":"INV-1","Amount":12.5,"Status":"Posted"}],"size":1,"done":true}`},
		{200, `{"records":[{"Id":"inv1","Amount":"twelve"}],"size":1,"done":true}`},
		{200, `{"records":[{"Id":"inv1"}],"size":1,"done":false}`},
		{200, `{"records":[{"Id":"inv1","Amount":1`},
		{200, `<html><head><title>502 Bad Gateway</title></head></html>`},
		{200, `["unexpected"]`},
		{200, `{"success":false,"reasons":[{"code":53100020,"message":"Invalid value"}]}`},
		{200, `{"Success":false,"Errors":[{"Code":"INVALID_VALUE","Message":"bad"}]}`},
		{200, `{"id":"inv1","invoiceNumber":"INV-1","amount":{"x":1},"success":true}`},
		{200, `{"invoiceItems":[{"id":"it1","chargeAmount":"1.2.3"}],"success":true}`},
		{200, ``},
		{200, `null`},
		{401, `{"message":"Authentication error"}`},
		{429, `{"code":"LIMIT_EXCEEDED","message":"Too many requests"}`},
		{500, `{"message":"An error has occurred"}`},
		{503, `<html>Service Unavailable</html>`},
		{404, `{"success":false,"reasons":null}`},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body), "1")
	}
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		if status < 100 || status > 999 {
			status = 200 + (status%800+800)%800
		}
		if strings.ContainsAny(retryAfter, "\r\n\x00") {
			retryAfter = ""
		}
		ft := &fuzzTransport{status: status, body: body, retryAfter: retryAfter, contentType: "application/json"}
		c, err := New(Config{BaseURL: "http://zuora.test", ClientID: "fuzz-client", ClientSecret: fuzzSecret,
			HTTPClient: &http.Client{Transport: ft}, MaxRetries: 1, MaxBackoff: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(what string, err error) {
			if err == nil {
				return
			}
			msg := err.Error()
			if msg == "" {
				t.Fatalf("%s: an empty error", what)
			}
			if strings.Contains(msg, fuzzSecret) || strings.Contains(msg, "fuzz-access-token-0123456789") {
				t.Fatalf("%s: the error shows a credential: %s", what, msg)
			}
		}
		page, err := c.QueryPage(ctx, "select Id, Amount from Invoice", 10)
		check("QueryPage", err)
		if err == nil {
			for _, rec := range page.Records {
				if _, err := Decode[Invoice](rec); err != nil {
					check("Decode", err)
					if !strings.Contains(err.Error(), "field") {
						t.Fatalf("a decode error that names no field: %v", err)
					}
				}
				_, err := Decode[InvoiceItem](rec)
				check("Decode item", err)
			}
		}
		_, err = c.GetInvoice(ctx, "inv1")
		check("GetInvoice", err)
		_, err = c.GetInvoiceItems(ctx, "inv1", 1, 50)
		check("GetInvoiceItems", err)
		yes := TransferYes
		check("UpdateInvoice", c.UpdateInvoice(ctx, "inv1", InvoiceUpdate{TransferredToAccounting: &yes}))
		_, err = c.CreateObject(ctx, ObjInvoice, map[string]any{"Name": "x"}, "idem-1")
		check("CreateObject", err)
	})
}

// A record of any shape decodes into every model type or fails with an
// error naming the type, the record and the field; never a panic.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(`{"Id":"inv1","Amount":"twelve"}`)
	f.Add(`{"Id":"it1","ChargeAmount":1.25,"Quantity":"3","ServiceStartDate":7}`)
	f.Add(`{"Id":{"nested":true},"TaxAmount":[1]}`)
	f.Add(`{"Id":"a1","Balance":1e400}`)
	f.Add(`{"Id":"x","TransferredToAccounting":null,"Amount":null}`)
	f.Fuzz(func(t *testing.T, body string) {
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		var rec map[string]any
		if dec.Decode(&rec) != nil || rec == nil {
			return
		}
		for name, decode := range map[string]func(map[string]any) error{
			"Invoice":               func(r map[string]any) error { _, err := Decode[Invoice](r); return err },
			"InvoiceItem":           func(r map[string]any) error { _, err := Decode[InvoiceItem](r); return err },
			"TaxationItem":          func(r map[string]any) error { _, err := Decode[TaxationItem](r); return err },
			"Account":               func(r map[string]any) error { _, err := Decode[Account](r); return err },
			"InvoiceItemAdjustment": func(r map[string]any) error { _, err := Decode[InvoiceItemAdjustment](r); return err },
			"ProductRatePlanCharge": func(r map[string]any) error { _, err := Decode[ProductRatePlanCharge](r); return err },
			"Subscription":          func(r map[string]any) error { _, err := Decode[Subscription](r); return err },
		} {
			err := decode(rec)
			if err != nil && (!strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "field")) {
				t.Fatalf("%s: an error that does not name the type and field: %v", name, err)
			}
		}
	})
}
