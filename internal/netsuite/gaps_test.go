package netsuite

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// N7 and N10: each of NetSuite's refusals that say "nothing was done, ask
// again" is retried in the call, also for a PATCH (not idempotent): 429,
// 400 SSS_REQUEST_LIMIT_EXCEEDED, 401 "Invalid login attempt" given to
// working credentials, and 400 "Record has been changed".
func TestRetry_N7_N10_EveryRefusalShapeRetriedInTheCall(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		code   string
		detail string
	}{
		{"429", 429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded."},
		{"SSS_REQUEST_LIMIT_EXCEEDED", 400, "SSS_REQUEST_LIMIT_EXCEEDED", "Request limit exceeded."},
		{"invalid login after a success", 401, "INVALID_LOGIN", invalidLoginDetail},
		{"record has been changed", 400, "RCRD_HAS_BEEN_CHANGED", "Record has been changed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var n atomic.Int32
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				// 1st: a success (the credentials work); 2nd: the refusal; then success.
				if n.Add(1) == 2 {
					w.Header().Set("Content-Type", "application/vnd.oracle.resource+json; type=error")
					w.WriteHeader(c.status)
					_, _ = w.Write([]byte(nsErrorBody(c.status, c.code, "", c.detail)))
					return
				}
				w.WriteHeader(http.StatusNoContent)
			})
			ctx := context.Background()
			if err := h.c.Patch(ctx, TypeInvoice, "1", map[string]any{"memo": "a"}); err != nil {
				t.Fatal(err)
			}
			if err := h.c.Patch(ctx, TypeInvoice, "1", map[string]any{"memo": "b"}); err != nil {
				t.Fatalf("the refusal was not retried: %v", err)
			}
			if n.Load() != 3 || len(h.sleeps) != 1 {
				t.Errorf("%d requests, %d waits; want 3 and 1", n.Load(), len(h.sleeps))
			}
		})
	}
}

// N8: SuiteQL dates in any account date format, ISO always.
func TestParseDate_N8_AccountDateFormats(t *testing.T) {
	day := time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 7, 16, 5, 0, 0, time.UTC)
	for _, c := range []struct {
		in, format string
		want       time.Time
		prec       time.Duration
	}{
		{"3/7/2026", "M/D/YYYY", day, 24 * time.Hour},
		{"7/3/2026", "D/M/YYYY", day, 24 * time.Hour},
		{"07.03.2026", "DD.MM.YYYY", day, 24 * time.Hour},
		{"07-Mar-2026", "DD-Mon-YYYY", day, 24 * time.Hour},
		{"3/7/2026 4:05 pm", "M/D/YYYY", at, time.Minute},
		{"2026-03-07", "M/D/YYYY", day, 24 * time.Hour},
		{"2026-03-07T16:05:00Z", "D/M/YYYY", at, 0},
	} {
		got, prec, err := ParseDate(c.in, c.format)
		if err != nil || !got.Equal(c.want) || prec != c.prec {
			t.Errorf("%q in %s: %v %v %v", c.in, c.format, got, prec, err)
		}
	}
	if _, _, err := ParseDate("3/7/2026", "DD.MM.YYYY"); err == nil {
		t.Error("a date not in the account's format must be an error naming the format")
	}
}

// Custom field ids of the account (settings netsuite.fields) are used on
// the wire; the connector keeps reading and writing the default names.
func TestFieldNames_RenamedOnTheWireBothWays(t *testing.T) {
	var sent string
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, r.ContentLength)
		_, _ = r.Body.Read(b)
		sent = string(b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"items":[{"custcol_acme_line":"ii1","links":[]}],"hasMore":false}`))
	})
	ctx := WithFieldNames(context.Background(), map[string]string{"custcol_zuora_item_id": "custcol_acme_line"})
	rows, err := h.c.QueryAll(ctx, "SELECT custcol_zuora_item_id FROM transactionline ORDER BY id")
	if err != nil || len(rows) != 1 || rows[0]["custcol_zuora_item_id"] != "ii1" {
		t.Fatalf("rows %v, %v", rows, err)
	}
	if sent != `{"q":"SELECT custcol_acme_line FROM transactionline ORDER BY id"}` {
		t.Errorf("query sent: %s", sent)
	}
}

// N7: the 401 "Invalid login attempt" NetSuite gives over its concurrency
// limit comes after holding the request; one that took that long is
// retryable even before the client has had a success, a quick one is not.
func TestRetry_N7_SlowInvalidLoginIsTheLimitNotTheCredentials(t *testing.T) {
	for _, c := range []struct {
		wait      time.Duration
		retryable bool
	}{{time.Second, true}, {0, false}} {
		h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(c.wait)
			w.Header().Set("Content-Type", "application/vnd.oracle.resource+json; type=error")
			w.WriteHeader(401)
			_, _ = w.Write([]byte(nsErrorBody(401, "INVALID_LOGIN", "", invalidLoginDetail)))
		}, func(cfg *Config) { cfg.MaxRetries = 1 })
		err := h.c.Patch(context.Background(), TypeInvoice, "1", map[string]any{"memo": "a"})
		if err == nil || IsRetryable(err) != c.retryable {
			t.Errorf("401 after %s: retryable %v, want %v (%v)", c.wait, IsRetryable(err), c.retryable, err)
		}
	}
}
