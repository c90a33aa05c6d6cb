package netsuite

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
)

// recorded is what the test server saw of one request.
type recorded struct {
	method, uri, body, contentType, prefer string
}

// recordingServer answers every request with answer and remembers it.
func recordingServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*harness, *[]recorded) {
	var mu sync.Mutex
	var seen []recorded
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, recorded{r.Method, r.RequestURI, string(b), r.Header.Get("Content-Type"), r.Header.Get("Prefer")})
		mu.Unlock()
		answer(w, r)
	})
	return h, &seen
}

func TestCreateAndUpsertReadTheLocation(t *testing.T) {
	tests := []struct {
		name       string
		recordType string
		location   string
		wantID     string
		wantErr    string
	}{
		{"numeric id", TypeInvoice, "https://123.suitetalk.api.netsuite.com/services/rest/record/v1/invoice/647", "647", ""},
		{"type matched ignoring case", TypeCreditMemo, "http://h/services/rest/record/v1/creditmemo/12", "12", ""},
		{"trailing slash tolerated", TypeCustomer, "http://h/services/rest/record/v1/customer/5/", "5", ""},
		{"missing Location", TypeInvoice, "", "", "Location header \"\" is missing"},
		{"Location for another record type", TypeInvoice, "http://h/services/rest/record/v1/customer/647", "", "does not end in /invoice/{id}"},
		{"non-numeric id", TypeInvoice, "http://h/services/rest/record/v1/invoice/abc", "", "not a numeric internal id"},
		{"no id at all", TypeInvoice, "http://h/services/rest/record/v1/invoice", "", "does not end in /invoice/{id}"},
		{"not a URL", TypeInvoice, "http://h/%zz", "", "is not a URL"},
	}
	for _, tt := range tests {
		for _, op := range []string{"Create", "Upsert"} {
			t.Run(op+" "+tt.name, func(t *testing.T) {
				h, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
					if tt.location != "" {
						w.Header().Set("Location", tt.location)
					}
					w.WriteHeader(204)
				})
				body := map[string]any{"externalId": "zuora-invoice-1", "memo": "m"}
				var id string
				var err error
				if op == "Create" {
					id, err = h.c.Create(context.Background(), tt.recordType, body)
				} else {
					id, err = h.c.Upsert(context.Background(), tt.recordType, "zuora-invoice-1", body)
				}
				if tt.wantErr == "" {
					if err != nil || id != tt.wantID {
						t.Fatalf("id %q err %v, want %q", id, err, tt.wantID)
					}
				} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) || IsRetryable(err) {
					t.Fatalf("got id %q err %v, want a final error with %q", id, err, tt.wantErr)
				}
				s := (*seen)[0]
				wantMethod, wantURI := "POST", "/services/rest/record/v1/"+tt.recordType
				if op == "Upsert" {
					wantMethod, wantURI = "PUT", wantURI+"/eid:zuora-invoice-1"
				}
				if s.method != wantMethod || s.uri != wantURI || s.contentType != "application/json" || s.body != `{"externalId":"zuora-invoice-1","memo":"m"}` {
					t.Errorf("sent %+v", s)
				}
			})
		}
	}
}

func TestRecordCallsSendTheRightRequest(t *testing.T) {
	tests := []struct {
		name     string
		call     func(c *Client) error
		wantURI  string
		method   string
		wantBody string
	}{
		{"patch without replace", func(c *Client) error {
			return c.Patch(context.Background(), TypeInvoice, "9", map[string]any{"memo": "x"})
		}, "/services/rest/record/v1/invoice/9", "PATCH", `{"memo":"x"}`},
		{"patch replacing two sublists", func(c *Client) error {
			return c.Patch(context.Background(), TypeInvoice, "9", map[string]any{"item": map[string]any{"items": []any{}}}, "item", "apply")
		}, "/services/rest/record/v1/invoice/9?replace=item%2Capply", "PATCH", `{"item":{"items":[]}}`},
		{"patch by external id", func(c *Client) error {
			return c.Patch(context.Background(), TypeCustomer, EID("zuora-account-A1"), map[string]any{"companyName": "Acme"})
		}, "/services/rest/record/v1/customer/eid:zuora-account-A1", "PATCH", `{"companyName":"Acme"}`},
		{"delete", func(c *Client) error { return c.Delete(context.Background(), TypeLocation, "30") },
			"/services/rest/record/v1/location/30", "DELETE", ""},
		{"get unexpanded", func(c *Client) error {
			var m map[string]any
			return c.Get(context.Background(), TypeCustomer, "4", false, &m)
		}, "/services/rest/record/v1/customer/4", "GET", ""},
		{"get expanded", func(c *Client) error {
			var m map[string]any
			return c.Get(context.Background(), TypeCustomer, "4", true, &m)
		}, "/services/rest/record/v1/customer/4?expandSubResources=true", "GET", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method == "GET" {
					_, _ = io.WriteString(w, `{"id":"4"}`)
					return
				}
				w.WriteHeader(204)
			})
			if err := tt.call(h.c); err != nil {
				t.Fatal(err)
			}
			if s := (*seen)[0]; s.method != tt.method || s.uri != tt.wantURI || s.body != tt.wantBody {
				t.Errorf("sent %+v, want %s %s %s", s, tt.method, tt.wantURI, tt.wantBody)
			}
		})
	}
}

func TestBadArgumentsAreRefusedBeforeSending(t *testing.T) {
	h, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	ctx := context.Background()
	tests := []struct {
		name, want string
		call       func() error
	}{
		{"empty record type", "record type is empty", func() error { _, err := h.c.Create(ctx, "", nil); return err }},
		{"record type with a slash", `record type "invoice/../customer"`, func() error { _, err := h.c.Create(ctx, "invoice/../customer", nil); return err }},
		{"upsert without external id", "external id is empty", func() error { _, err := h.c.Upsert(ctx, TypeInvoice, "", nil); return err }},
		{"get without id", "record id is empty", func() error { return h.c.Get(ctx, TypeInvoice, "", false, nil) }},
		{"get with an empty eid", "record id is empty", func() error { return h.c.Get(ctx, TypeInvoice, EID(""), false, nil) }},
		{"patch without id", "record id is empty", func() error { return h.c.Patch(ctx, TypeInvoice, "", nil) }},
		{"patch with a bad replace name", `replace sublist "item,apply"`, func() error { return h.c.Patch(ctx, TypeInvoice, "1", nil, "item,apply") }},
		{"delete without id", "record id is empty", func() error { return h.c.Delete(ctx, TypeInvoice, "") }},
		{"body that cannot be JSON", "encoding the request body", func() error { _, err := h.c.Create(ctx, TypeInvoice, map[string]any{"x": make(chan int)}); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || !strings.Contains(err.Error(), tt.want) || IsRetryable(err) {
				t.Errorf("got %v, want a final error with %q", err, tt.want)
			}
		})
	}
	if len(*seen) != 0 {
		t.Errorf("%d requests were sent", len(*seen))
	}
}

func TestGetTransactionDecodesExpandedLines(t *testing.T) {
	h, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"links":[{"rel":"self","href":"x"}],"id":"9","externalId":"zuora-invoice-1","tranId":"INV9",
			"entity":{"id":"10","refName":"Acme"},"total":3.75,"custbody_zuora_id":"inv1",
			"item":{"links":[],"items":[{"line":1,"item":{"id":"5"},"amount":1.25,"custcol_zuora_item_id":"a"},
			                             {"line":2,"item":{"id":"6"},"amount":2.50,"quantity":2,"custcol_zuora_item_id":"b"}],"totalResults":2}}`)
	})
	tx, err := h.c.GetTransaction(context.Background(), TypeInvoice, EID("zuora-invoice-1"))
	if err != nil {
		t.Fatal(err)
	}
	if (*seen)[0].uri != "/services/rest/record/v1/invoice/eid:zuora-invoice-1?expandSubResources=true" {
		t.Errorf("uri %s", (*seen)[0].uri)
	}
	if tx.ID != "9" || tx.Entity.ID != "10" || !tx.Total.Equal(decimal.RequireFromString("3.75")) || len(tx.Item.Items) != 2 ||
		tx.Item.Items[1].Line != 2 || !tx.Item.Items[1].Amount.Equal(decimal.RequireFromString("2.5")) || tx.Item.Items[1].ZuoraItemID != "b" {
		b, _ := json.Marshal(tx)
		t.Errorf("decoded %s", b)
	}
}

func TestNotFound(t *testing.T) {
	h, _ := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		_, _ = io.WriteString(w, nsErrorBody(404, "NONEXISTENT_ID", "", "Record not found."))
	})
	_, err := h.c.GetTransaction(context.Background(), TypeInvoice, "404")
	var ae *APIError
	if !IsNotFound(err) || IsRetryable(err) || !errors.As(err, &ae) || ae.Code != "NONEXISTENT_ID" {
		t.Errorf("got %v", err)
	}
}

func TestEIDPathEscaping(t *testing.T) {
	tests := []struct{ key, want string }{
		{EID("zuora-invoice-1"), "/record/v1/invoice/eid:zuora-invoice-1"},
		{EID("a b/c?d#e"), "/record/v1/invoice/eid:a%20b%2Fc%3Fd%23e"},
		{"123", "/record/v1/invoice/123"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := recordPath(TypeInvoice, tt.key); got != tt.want {
				t.Errorf("recordPath = %q, want %q", got, tt.want)
			}
		})
	}
}
