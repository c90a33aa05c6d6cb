package netsuite

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
)

// A PATCH that appends lines or a POST that creates is not repeated in-call
// after an answer that may hide a committed write (no answer, 5xx): a blind
// repeat would add the lines twice. 429 and the spurious 401 say nothing was
// written, so those are repeated. Reads and upserts are always repeatable.
func TestNonIdempotentWritesAreRepeatedOnlyWhenNothingWasWritten(t *testing.T) {
	tests := []struct {
		name     string
		fail     func(w http.ResponseWriter)
		call     func(c *Client) error
		attempts int32
	}{
		{"PATCH after a dropped connection: not repeated", closeConnWriter, patchLines, 1},
		{"PATCH after a 503: not repeated", func(w http.ResponseWriter) { w.WriteHeader(503) }, patchLines, 1},
		{"PATCH after a 429: repeated", func(w http.ResponseWriter) {
			w.WriteHeader(429)
			_, _ = io.WriteString(w, nsErrorBody(429, "CONCURRENCY_LIMIT_EXCEEDED", "", "limit"))
		}, patchLines, 2},
		{"POST create after a dropped connection: not repeated", closeConnWriter, func(c *Client) error {
			_, err := c.Create(context.Background(), TypeLocation, map[string]any{"name": "x"})
			return err
		}, 1},
		{"PUT upsert after a dropped connection: repeated (idempotent by external id)", closeConnWriter, func(c *Client) error {
			_, err := c.Upsert(context.Background(), TypeLocation, "loc-x", map[string]any{"name": "x"})
			return err
		}, 2},
		{"SuiteQL after a 503: repeated (it only reads)", func(w http.ResponseWriter) { w.WriteHeader(503) }, func(c *Client) error {
			_, err := c.QueryPage(context.Background(), "SELECT id FROM location", 10, 0)
			return err
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attempts atomic.Int32
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				if attempts.Add(1) == 1 {
					tt.fail(w)
					return
				}
				switch r.Method {
				case http.MethodPost, http.MethodPut:
					if r.URL.Path == "/services/rest/query/v1/suiteql" {
						_, _ = io.WriteString(w, `{"items":[],"hasMore":false,"count":0,"offset":0,"totalResults":0}`)
						return
					}
					w.Header().Set("Location", "http://"+r.Host+"/services/rest/record/v1/location/5")
				}
				w.WriteHeader(204)
			})
			_ = tt.call(h.c)
			if got := attempts.Load(); got != tt.attempts {
				t.Errorf("%d attempts, want %d", got, tt.attempts)
			}
		})
	}
}

func patchLines(c *Client) error {
	return c.Patch(context.Background(), TypeInvoice, "7", map[string]any{"item": map[string]any{"items": []any{map[string]any{"item": map[string]any{"id": "1"}}}}})
}
