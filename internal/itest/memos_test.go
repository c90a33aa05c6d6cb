package itest

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// syncDebitMemos runs the debit memo phase as a run would (its place in
// the run order is set with the run order): the selection activity, then one
// DebitMemoSyncWorkflow per selected memo under its workflow id.
func (e *Env) syncDebitMemos(ctx context.Context, s settings.Settings) map[string]workflows.DebitMemoSyncResult {
	e.T.Helper()
	sel, err := e.Acts.SelectDebitMemos(ctx, workflows.SelectInput{Settings: s, Limit: 1000})
	if err != nil {
		e.T.Fatalf("selecting debit memos: %v", err)
	}
	out := map[string]workflows.DebitMemoSyncResult{}
	for _, rec := range sel.Records {
		run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.DebitMemoWorkflowID(rec.ID), TaskQueue: e.TaskQueue},
			workflows.WorkflowDebitMemoSync, workflows.DebitMemoSyncInput{DebitMemoID: rec.ID, Settings: s})
		if err != nil {
			e.T.Fatalf("starting the sync of debit memo %s: %v", rec.Number, err)
		}
		var res workflows.DebitMemoSyncResult
		if err := run.Get(ctx, &res); err != nil {
			e.T.Fatalf("debit memo %s: %v", rec.Number, err)
		}
		out[rec.ID] = res
	}
	return out
}

// A generated Invoice Settlement tenant (reference §7): after the run and
// the debit memo phase, every Posted debit memo is in NetSuite once, as an
// invoice under its own external id whose total is the memo's amount to the
// cent, with one line per item and per tax item, Zuora showing Yes / Sync
// Complete / the NetSuite id; the memo whose tax code is not synced ends in
// Error with the reason; Drafts are left alone; a second pass makes nothing
// new.
func TestDebitMemos_GeneratedISTenantEachMemoInNetSuiteOnce(t *testing.T) {
	f, err := fixture.Generate("seed=16,accounts=4,invoices=4,items=1-3,tax=0.5,is=true,debitmemos=15")
	if err != nil {
		t.Fatal(err)
	}
	broken := ""
	for _, tx := range f.Zuora.Objects["DebitMemoTaxationItem"] {
		tx["salesTaxPayableAccountingCode"] = nil // this memo's tax code is not synced
		for _, it := range f.Zuora.Objects["DebitMemoItem"] {
			if it["id"] == tx["debitMemoItemId"] {
				broken = it["debitMemoId"].(string)
			}
		}
		break
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	run := e.RunSync(ctx, "is-run", s)
	if run.Progress.Invoices.Synced != 4 {
		t.Fatalf("run: %+v", run.Progress)
	}
	results := e.syncDebitMemos(ctx, s)
	posted, synced := 0, ""
	for _, dmRec := range f.Zuora.Objects["DebitMemo"] {
		id := dmRec["id"].(string)
		dm, err := e.Zuora.GetDebitMemo(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if dm.Status != "Posted" {
			if _, ok := results[id]; ok || dm.TransferredToAccounting != "" {
				t.Errorf("draft %s was touched: %+v", dm.Number, dm)
			}
			continue
		}
		posted++
		res := results[id]
		if id == broken {
			if res.Outcome != workflows.OutcomeError || !strings.Contains(res.Reason, "has not been synced: it has no accounting code") ||
				dm.TransferredToAccounting != zuora.TransferError || !strings.HasPrefix(dm.IntegrationStatus, "Error: tax code") {
				t.Errorf("memo %s with an unsynced tax code: %+v, Zuora %q / %q", dm.Number, res, dm.TransferredToAccounting, dm.IntegrationStatus)
			}
			continue
		}
		synced = id
		if res.Outcome != workflows.OutcomeSynced || dm.TransferredToAccounting != zuora.TransferYes || dm.IntegrationStatus != zuora.StatusSyncComplete ||
			dm.IntegrationID != res.NetSuiteID || dm.SyncDate == "" {
			t.Errorf("memo %s: %+v, Zuora %+v", dm.Number, res, dm)
			continue
		}
		rows, err := e.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(netsuite.DebitMemoExternalID(id))+" ORDER BY id")
		if err != nil || len(rows) != 1 {
			t.Errorf("memo %s: %d NetSuite records by its external id (%v), want 1", dm.Number, len(rows), err)
			continue
		}
		inv, err := e.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, dm.IntegrationID)
		if err != nil {
			t.Fatal(err)
		}
		items, err := e.Zuora.ListDebitMemoItems(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		lines := 0
		for _, it := range items {
			lines += 1 + len(it.TaxItems)
		}
		if inv.Total == nil || !inv.Total.Equal(dm.Amount) || inv.Item == nil || len(inv.Item.Items) != lines || inv.TranID != dm.Number ||
			inv.Entity == nil || inv.Entity.ID == "" {
			t.Errorf("memo %s (%s, %d lines): NetSuite invoice %+v", dm.Number, dm.Amount, lines, inv)
		}
	}
	if posted != 14 || len(results) != 14 {
		t.Fatalf("%d Posted memos, %d synced or errored; want 14 and 14", posted, len(results))
	}
	// A second pass: only the errored memo is eligible again (Error is), and
	// it errs again; nothing is written twice.
	again := e.syncDebitMemos(ctx, s)
	if len(again) != 1 || again[broken].Outcome != workflows.OutcomeError {
		t.Fatalf("second pass: %+v", again)
	}
	if RecordingHistories() {
		SaveHistories(ctx, t, e.Temporal, workflows.DebitMemoWorkflowID(synced), "one-record")
	}
}
