package itest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

// One record, one writer, one answer: a run that meets an invoice already
// being synced by a single-record workflow (started as the CLI starts it,
// without search attributes) waits for that workflow and counts its outcome:
// nothing "skipped", every invoice synced once. The single-record workflow
// carries the search attributes a run gives its children.
func TestSyncRun_RecordAlreadyBeingSyncedIsAwaitedAndCountedNotSkipped(t *testing.T) {
	f, err := fixture.Generate("seed=51,accounts=3,invoices=10,items=1-5,large=1500,large-count=1,tax=0")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{Configure: func(c *sandbox.Config) {
		c.NetSuiteFaults = sandbox.Faults{WriteLatency: sandbox.Duration(150 * time.Millisecond)}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	s := settings.Default()
	large := largestInvoice(f)
	id, typ, input, err := workflows.RecordSync(workflows.RecordInvoice, large, s)
	if err != nil {
		t.Fatal(err)
	}
	single, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: e.TaskQueue}, typ, input)
	if err != nil {
		t.Fatal(err)
	}
	res := e.RunSync(ctx, "itest-one-writer", s, workflows.PhaseInvoices)
	var one workflows.InvoiceSyncResult
	if err := single.Get(ctx, &one); err != nil || one.Outcome != workflows.OutcomeSynced {
		t.Fatalf("the single-record sync: %+v %v", one, err)
	}
	c := res.Progress.Invoices
	t.Logf("run: %+v", c)
	awaited := false
	for it := e.Temporal.GetWorkflowHistory(ctx, "itest-one-writer", "", false, 0); it.HasNext(); {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == workflows.ActivityAwaitRecordSync {
			awaited = true
		}
	}
	if !awaited {
		t.Fatal("the run never met the invoice being synced elsewhere; the case was not exercised")
	}
	if c.Skipped != 0 || c.Synced != c.Selected {
		t.Errorf("the run counted %+v; want the invoice synced elsewhere counted synced, none skipped", c)
	}
	eligible := eligibleInvoices(f, s)
	if synced, _, _ := e.CheckInvoiceInvariants(ctx, eligible); synced != len(eligible) {
		t.Errorf("synced %d of %d", synced, len(eligible))
	}
	resp, err := e.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("TaskQueue = %q AND ZuoraRecordType = 'invoice' AND ZuoraId = %q", e.TaskQueue, large),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetExecutions()) != 1 {
		t.Errorf("the CLI-started invoice workflow is not found by its search attributes (%d found)", len(resp.GetExecutions()))
	}
}
