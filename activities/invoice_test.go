package activities_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/sbtest"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// A call that wrote batches never fails: under a flaky NetSuite it hands the
// progress back (the workflow calls again with a fresh retry budget), so a
// large invoice cannot run out of attempts while moving forward. A call that
// fails has written nothing. The invoice ends synced once, lines exact.
func TestSyncInvoice_ProgressIsHandedBackNotCountedAsAFailedAttempt(t *testing.T) {
	f := generated(t, "seed=21,accounts=1,invoices=0,large=1500,large-count=1,tax=0")
	a, sb := sandboxTenant(t, f)
	// Besides the sandbox's random 25% of errors, which the NetSuite
	// client's own retries mostly absorb, every sixth and seventh NetSuite
	// write attempt fails: two in a row outlast the one in-call retry
	// this client is given, so a call that has written batches is sure to
	// meet a write it cannot make, and the case is exercised on every run.
	var writes atomic.Int32
	failing := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method != http.MethodGet && strings.Contains(r.URL.Path, "/record/v1/") {
			if n := writes.Add(1); n%7 == 5 || n%7 == 6 {
				return unavailable(r), nil
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	a.NetSuite = netsuiteVia(t, sb, failing)
	ctx := context.Background()
	s := settings.Default()
	id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
	lines := func(nsID string) int {
		if nsID == "" {
			return 0
		}
		rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM transactionline WHERE transaction = "+netsuite.Quote(nsID)+" AND mainline = 'F' AND taxline = 'F' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	if err := sb.SetFaults("netsuite", sandbox.Faults{ErrorRate: 0.25}); err != nil {
		t.Fatal(err)
	}
	state := workflows.InvoiceSyncState{}
	failed, handedBack := 0, 0
	for calls := 0; calls < 200; calls++ {
		_ = sb.SetFaults("netsuite", sandbox.Faults{})
		before := lines(state.NetSuiteID)
		_ = sb.SetFaults("netsuite", sandbox.Faults{ErrorRate: 0.25})
		step, err := a.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: id, Settings: s, State: state})
		_ = sb.SetFaults("netsuite", sandbox.Faults{})
		if err != nil {
			failed++
			if after := lines(state.NetSuiteID); after != before {
				t.Fatalf("a failed call wrote lines (%d -> %d): its progress was lost to the workflow", before, after)
			}
			continue
		}
		if step.Outcome != "" {
			if step.Outcome != workflows.OutcomeSynced {
				t.Fatalf("outcome %s: %s", step.Outcome, step.Reason)
			}
			want := 0
			for _, it := range f.Zuora.Objects["InvoiceItem"] {
				if amt, _ := it["ChargeAmount"].(json.Number); amt != "" && amt != "0" && amt != "0.00" {
					want++ // zero-amount items are left off by default
				}
			}
			if n := lines(step.State.NetSuiteID); n != want {
				t.Fatalf("synced with %d lines, want %d (one per non-zero item)", n, want)
			}
			t.Logf("synced in %d calls: %d failed without progress, %d handed progress back", calls+1, failed, handedBack)
			if handedBack == 0 {
				t.Errorf("no call ended early with progress under a 25%% error rate; the case was not exercised")
			}
			return
		}
		// 15 batches fit in one call: a call that returns before the end
		// stopped early on an error and handed its progress back.
		if step.State.NextBatch < step.State.TotalBatches {
			handedBack++
		}
		state = step.State
	}
	t.Fatal("not synced in 200 calls")
}

// A sync begun by code that batched items in the invoice's own order (state
// without BatchOrder) restarts its cursor in Zuora id order, so an item the
// old order had not reached is not skipped after a deployment.
func TestSyncInvoice_StateFromEarlierBatchOrderRestartsInIDOrder(t *testing.T) {
	old := workflows.InvoiceSyncState{NetSuiteID: "7", TotalBatches: 5, NextBatch: 3}
	got := activities.RestartInIDOrder(old)
	if got.NextBatch != 0 || got.BatchOrder != workflows.BatchOrderZuoraID {
		t.Fatalf("state from earlier code: next batch %d order %q; want 0 and %q", got.NextBatch, got.BatchOrder, workflows.BatchOrderZuoraID)
	}
	cur := workflows.InvoiceSyncState{NetSuiteID: "7", TotalBatches: 5, NextBatch: 3, BatchOrder: workflows.BatchOrderZuoraID}
	if got := activities.RestartInIDOrder(cur); got.NextBatch != 3 {
		t.Fatalf("state of this code: next batch %d, want 3 kept", got.NextBatch)
	}
	fresh := activities.RestartInIDOrder(workflows.InvoiceSyncState{})
	if fresh.NextBatch != 0 || fresh.BatchOrder != workflows.BatchOrderZuoraID {
		t.Fatalf("fresh state: %+v", fresh)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

// netsuiteVia is a NetSuite client of the sandbox whose requests go through
// transport (one in-call retry, 10 requests at once).
func netsuiteVia(t *testing.T, sb *sandbox.Sandbox, transport http.RoundTripper) *netsuite.Client {
	t.Helper()
	cfg := sandbox.DefaultConfig()
	ns, err := netsuite.New(netsuite.Config{BaseURL: sb.NetSuiteURL(), Account: cfg.NetSuite.Account, MaxRetries: 1, MaxConcurrent: 10,
		HTTPClient: &http.Client{Transport: transport, Timeout: time.Minute},
		TBA: &netsuite.TBACredentials{ConsumerKey: cfg.NetSuite.ConsumerKey, ConsumerSecret: cfg.NetSuite.ConsumerSecret,
			TokenID: cfg.NetSuite.TokenID, TokenSecret: cfg.NetSuite.TokenSecret}})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// unavailable is a 503 with an HTML page, as a proxy in front of NetSuite answers.
func unavailable(r *http.Request) *http.Response {
	return &http.Response{StatusCode: 503, Status: "503 Service Unavailable", Header: http.Header{"Content-Type": {"text/html"}},
		Body: io.NopCloser(strings.NewReader("<html><body>Service Unavailable</body></html>")), Request: r}
}

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The batch a create wrote is known to be there: an invoice its create
// writes whole is checked once, by the count before it is marked done (which
// also finds a line key NetSuite did not store), not read back line by line
// after the create and again as its first batch. A two-batch invoice reads
// its lines once more, the key's read-back before the second batch; its
// first batch is not asked about again either.
func TestSyncInvoice_ABatchItsCreateWroteIsNotReadAgain(t *testing.T) {
	for _, tc := range []struct {
		items, lineReads int
	}{
		{40, 1},  // the count before done
		{150, 3}, // the key's read-back, batch 2's "which lines are there", the count
	} {
		f := generated(t, fmt.Sprintf("seed=35,accounts=1,invoices=0,large=%d,large-count=1,tax=0", tc.items))
		a, sb := sandboxTenant(t, f)
		id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
		step := syncToEnd(t, a, id, settings.Default())
		if step.Outcome != workflows.OutcomeSynced {
			t.Fatalf("%d items: %s %s", tc.items, step.Outcome, step.Reason)
		}
		if got := sb.Stats("netsuite").QueriesFrom["transactionline"]; got != int64(tc.lineReads) {
			t.Errorf("%d items: %d SuiteQL reads of transactionline, want %d", tc.items, got, tc.lineReads)
		}
		rows, err := a.NetSuite.QueryAll(context.Background(), "SELECT custcol_zuora_item_id FROM transactionline WHERE transaction = "+
			netsuite.Quote(step.State.NetSuiteID)+" AND custcol_zuora_item_id IS NOT NULL ORDER BY id")
		if err != nil || len(rows) != step.State.LinesWritten || len(rows) == 0 {
			t.Errorf("%d items: NetSuite has %d lines (%v), the state says %d written", tc.items, len(rows), err, step.State.LinesWritten)
		}
	}
}

// The catalog charges of an invoice's first page of items are read while
// its other pages are (startReadingItems). When that read fails half way (the
// subscription charges read, their product rate plan charges refused), the
// sync does not keep the half: it reads the catalog again and the invoice
// syncs whole, every charge found, rather than ending Error for a charge
// "not synced" that is.
func TestSyncInvoice_CatalogReadBesideTheItemsThatFailsIsReadAgain(t *testing.T) {
	f := generated(t, "seed=36,accounts=1,invoices=0,large=2500,large-count=1,tax=0.5")
	ten := sbtest.Start(t, f, 10)
	var refused atomic.Int32
	cfg := ten.Config
	z, err := zuora.New(zuora.Config{BaseURL: ten.Sandbox.ZuoraURL(), ClientID: cfg.Zuora.ClientID, ClientSecret: cfg.Zuora.ClientSecret,
		MaxRetries: 1, Logger: ten.Logger, HTTPClient: &http.Client{Timeout: time.Minute, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Body != nil && strings.HasSuffix(r.URL.Path, "/action/query") {
				body, err := io.ReadAll(r.Body)
				if err != nil {
					return nil, err
				}
				r.Body = io.NopCloser(strings.NewReader(string(body)))
				if strings.Contains(string(body), "from ProductRatePlanCharge") && refused.Add(1) == 1 {
					return &http.Response{StatusCode: 400, Status: "400 Bad Request", Header: http.Header{"Content-Type": {"application/json"}},
						Body:    io.NopCloser(strings.NewReader(`{"FaultCode":"UNKNOWN_ERROR","FaultMessage":"refused by the test"}`)),
						Request: r}, nil
				}
			}
			return http.DefaultTransport.RoundTrip(r)
		})}})
	if err != nil {
		t.Fatal(err)
	}
	a := &activities.Activities{Zuora: z, NetSuite: ten.NetSuite, Logger: ten.Logger}
	id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
	step := syncToEnd(t, a, id, settings.Default())
	if refused.Load() < 2 {
		t.Fatalf("the product rate plan charges were read %d times; the test wants the first read refused and another", refused.Load())
	}
	if step.Outcome != workflows.OutcomeSynced {
		t.Fatalf("outcome %s (%s), want Synced: the catalog read that failed was kept", step.Outcome, step.Reason)
	}
	rows, err := a.NetSuite.QueryAll(context.Background(), "SELECT custcol_zuora_item_id FROM transactionline WHERE transaction = "+
		netsuite.Quote(step.State.NetSuiteID)+" AND custcol_zuora_item_id IS NOT NULL ORDER BY id")
	if err != nil || len(rows) != step.State.LinesWritten || len(rows) < 2500 {
		t.Errorf("NetSuite has %d keyed lines (%v), the state says %d written, the invoice has 2,500 items and their tax lines", len(rows), err, step.State.LinesWritten)
	}
}
