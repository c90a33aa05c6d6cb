package activities_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

type attemptKey struct{}

// newestAttemptFence plays Temporal's bookkeeping: once attempt n has begun,
// every older attempt is stale (as DescribeWorkflowExecution then shows
// attempt n pending).
type newestAttemptFence struct{ newest atomic.Int32 }

func (f *newestAttemptFence) begin(ctx context.Context, n int32) context.Context {
	f.newest.Store(n)
	return context.WithValue(ctx, attemptKey{}, n)
}

func (f *newestAttemptFence) StillCurrent(ctx context.Context) error {
	if n, _ := ctx.Value(attemptKey{}).(int32); n != f.newest.Load() {
		return temporal.NewApplicationError(fmt.Sprintf("attempt %d is stale", n), "StaleAttempt")
	}
	return nil
}

// lineKeyCounts counts the NetSuite lines per Zuora item id.
func lineKeyCounts(t *testing.T, ns *netsuite.Client, nsID string) (lines int, doubled []string) {
	t.Helper()
	rows, err := ns.QueryAll(context.Background(), "SELECT custcol_zuora_item_id FROM transactionline WHERE transaction = "+netsuite.Quote(nsID)+" ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range rows {
		if r["custcol_zuora_item_id"] == nil {
			continue
		}
		k := fmt.Sprint(r["custcol_zuora_item_id"])
		lines++
		if seen[k]++; seen[k] == 2 {
			doubled = append(doubled, k)
		}
	}
	return lines, doubled
}

// T1: an attempt that timed out on heartbeat may still be writing when
// Temporal starts the next. Two overlapping SyncInvoice calls on a
// 1,500-item invoice (the review's reproduction left 2,799 lines, both
// "synced" with Use Standard Invoice Sync = No) must leave each line once:
// the old attempt stops before its next write, and nothing is marked done
// with a doubled line.
func TestSyncInvoice_OverlappingAttemptsNeverDuplicateALine(t *testing.T) {
	f := generated(t, "seed=21,accounts=1,invoices=0,large=1500,large-count=1,tax=0")
	a, sb := sandboxTenant(t, f)
	fence := &newestAttemptFence{}
	a.Fence = fence
	s := settings.Default()
	s.Advanced.UseStandardInvoiceSync = false // no total check to catch a doubled line
	id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
	// Slow NetSuite writes: the first attempt is mid-way when the second begins.
	if err := sb.SetFaults("netsuite", sandbox.Faults{WriteLatency: sandbox.Duration(150 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	in := workflows.SyncInvoiceInput{InvoiceID: id, Settings: s}
	type result struct {
		step workflows.SyncInvoiceStep
		err  error
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		results[0].step, results[0].err = a.SyncInvoice(fence.begin(context.Background(), 1), in)
	}()
	// Temporal's view: attempt 1 stopped heartbeating after a few batches.
	deadline := time.Now().Add(time.Minute)
	for {
		rows, err := a.NetSuite.QueryAll(context.Background(), "SELECT id FROM transactionline WHERE custcol_zuora_item_id IS NOT NULL")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) >= 300 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first attempt wrote no lines in a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		// The next attempt starts from what the workflow knows: nothing.
		results[1].step, results[1].err = a.SyncInvoice(fence.begin(context.Background(), 2), in)
	}()
	wg.Wait()
	_ = sb.SetFaults("netsuite", sandbox.Faults{})

	if results[1].err != nil || results[1].step.Outcome != workflows.OutcomeSynced {
		t.Fatalf("current attempt: outcome %q (%s), err %v; want synced", results[1].step.Outcome, results[1].step.Reason, results[1].err)
	}
	if results[0].err == nil && results[0].step.Outcome != "" {
		t.Errorf("the stale attempt ended the invoice too: outcome %q", results[0].step.Outcome)
	}
	lines, doubled := lineKeyCounts(t, a.NetSuite, results[1].step.State.NetSuiteID)
	if len(doubled) > 0 {
		t.Fatalf("%d lines, %d Zuora items on two lines (e.g. %s)", lines, len(doubled), doubled[0])
	}
	t.Logf("%d lines, each once; stale attempt ended with %v", lines, results[0].err)
}

// Whatever wrote it, an invoice whose NetSuite record has a Zuora item on
// two lines is never marked done: it ends Error naming the item, even with
// Use Standard Invoice Sync = No (no total to compare).
func TestSyncInvoice_DoubledLineFoundBeforeDoneEndsErrorWhateverTheSettings(t *testing.T) {
	f := generated(t, "seed=22,accounts=1,invoices=1,tax=0")
	a, _ := sandboxTenant(t, f)
	s := settings.Default()
	s.Advanced.UseStandardInvoiceSync = false
	id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
	ctx := context.Background()
	step, err := a.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: id, Settings: s})
	if err != nil || step.Outcome != workflows.OutcomeSynced {
		t.Fatalf("first sync: %q %s %v", step.Outcome, step.Reason, err)
	}
	tx, err := a.NetSuite.GetTransaction(ctx, step.State.RecordType, step.State.NetSuiteID)
	if err != nil || tx.Item == nil || len(tx.Item.Items) == 0 {
		t.Fatalf("reading back the NetSuite record: %v", err)
	}
	// A stale attempt's late write: one line again.
	again := tx.Item.Items[0]
	again.Line = 0
	if err := a.NetSuite.Patch(ctx, step.State.RecordType, step.State.NetSuiteID,
		netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{again}}}); err != nil {
		t.Fatal(err)
	}
	// The next call (a retried completion) must not mark it done.
	state := step.State
	step, err = a.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: id, Settings: s, State: state})
	if err != nil {
		t.Fatal(err)
	}
	if step.Outcome != workflows.OutcomeError || !strings.Contains(step.Reason, again.ZuoraItemID) {
		t.Fatalf("outcome %q (%s); want Error naming %s", step.Outcome, step.Reason, again.ZuoraItemID)
	}
}
