package itest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

// TestRecordHistories_EveryWorkflowType re-records, against the dev server
// and the sandbox, the histories workflows/replay_test.go replays: a full
// sync run that continues as new, and one of each record workflow (a large
// invoice that continues as new, an errored invoice, an adjustment, a
// customer, a charge), and a reconciliation. The migration's histories are
// recorded by TestMigrationEndToEnd. Only with RECORD_HISTORIES=1
// (`make record-histories`).
func TestRecordHistories_EveryWorkflowType(t *testing.T) {
	if !RecordingHistories() {
		t.Skip("records histories only with RECORD_HISTORIES=1 (make record-histories)")
	}
	f, err := fixture.Generate("seed=41,accounts=6,invoices=12,items=1-4,negative=0.3,tax=0.3,adjustments=6,large=160,large-count=1,charges=3,broken=1")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Run.Window = 3
	s.Run.ChildrenPerContinue = 8 // the run continues as new
	s.Run.BatchSize = 2           // 160 items: 80 batches, two SyncInvoice calls
	s.Run.BatchesPerContinue = 1  // the large invoice continues as new
	res := e.RunSync(ctx, "history-run", s)
	t.Logf("run: %+v", res.Progress)
	SaveHistories(ctx, t, e.Temporal, "history-run", "full-run")

	// One record workflow of each type; the large invoice and an errored one.
	large := largestInvoice(f)
	SaveHistories(ctx, t, e.Temporal, workflows.InvoiceWorkflowID(large), "large-invoice")
	for _, re := range res.Errors {
		if re.Type == workflows.RecordInvoice {
			SaveHistories(ctx, t, e.Temporal, workflows.InvoiceWorkflowID(re.ID), "errored-invoice")
			break
		}
	}
	for _, typ := range []string{workflows.WorkflowCustomerSync, workflows.WorkflowCatalogSync, workflows.WorkflowAdjustmentSync} {
		resp, err := e.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowType = %q AND TaskQueue = %q", typ, e.TaskQueue), PageSize: 1,
		})
		if err != nil || len(resp.GetExecutions()) == 0 {
			t.Fatalf("no %s ran: %v", typ, err)
		}
		SaveHistories(ctx, t, e.Temporal, resp.GetExecutions()[0].GetExecution().GetWorkflowId(), "one-record")
	}

	from, to := time.Now().AddDate(-3, 0, 0).Format("2006-01-02"), time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "history-reconcile", TaskQueue: e.TaskQueue},
		workflows.WorkflowReconcile, workflows.ReconcileInput{From: from, To: to, Settings: s, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	SaveHistories(ctx, t, e.Temporal, "history-reconcile", "paged")
}

func largestInvoice(f *fixture.Fixture) string {
	count := map[string]int{}
	best := ""
	for _, it := range f.Zuora.Objects["InvoiceItem"] {
		id := str(it["InvoiceId"])
		count[id]++
		if count[id] > count[best] {
			best = id
		}
	}
	return best
}
