package activities_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

func isSettings() settings.Settings {
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	return s
}

// syncDebitMemo runs a debit memo's steps as DebitMemoSyncWorkflow does.
func syncDebitMemo(t *testing.T, a *activities.Activities, id string, s settings.Settings) workflows.DebitMemoSyncResult {
	t.Helper()
	ctx := context.Background()
	plan, err := a.PrepareDebitMemo(ctx, workflows.DebitMemoSyncInput{DebitMemoID: id, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Outcome != "" {
		return workflows.DebitMemoSyncResult{DebitMemoID: id, Outcome: plan.Outcome, Reason: plan.Reason}
	}
	step := workflows.DebitMemoStepInput{Settings: s, Plan: plan}
	if err := a.MarkDebitMemoProcessing(ctx, step); err != nil {
		t.Fatal(err)
	}
	if step.NetSuiteID, err = a.WriteDebitMemo(ctx, step); err != nil {
		t.Fatal(err)
	}
	res, err := a.CompleteDebitMemo(ctx, step)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Reference §7 against the sandbox's wire: the Posted memos are selected
// (Drafts not); each becomes one NetSuite invoice under its own external id
// whose lines (charges and tax as lines, in batches) total the memo to the
// cent; the memo ends Sync Complete / Yes with the NetSuite id; a repeat
// after a crash before the write-back makes no second invoice and no
// doubled line; a second selection finds nothing.
func TestDebitMemoSync_EachMemoOneNetSuiteInvoiceExactlyOnce(t *testing.T) {
	a, _ := sandboxTenant(t, generated(t, "seed=3,accounts=4,invoices=2,is=true,debitmemos=12,tax=1"))
	ctx := context.Background()
	s := isSettings()
	s.Run.BatchSize = 2 // several batches per memo: the line writer's later batches are exercised
	sel, err := a.SelectDebitMemos(ctx, workflows.SelectInput{Settings: s, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Records) != 11 || !sel.Done { // every tenth generated memo is a Draft
		t.Fatalf("selected %d (done %v), want the 11 Posted memos", len(sel.Records), sel.Done)
	}
	// Crash before the write-back on the first memo: write, then start over.
	first := sel.Records[0].ID
	plan, err := a.PrepareDebitMemo(ctx, workflows.DebitMemoSyncInput{DebitMemoID: first, Settings: s})
	if err != nil || plan.Outcome != "" {
		t.Fatalf("plan %+v %v", plan, err)
	}
	step := workflows.DebitMemoStepInput{Settings: s, Plan: plan}
	if err := a.MarkDebitMemoProcessing(ctx, step); err != nil {
		t.Fatal(err)
	}
	crashedID, err := a.WriteDebitMemo(ctx, step)
	if err != nil {
		t.Fatal(err)
	}
	dm, _ := a.Zuora.GetDebitMemo(ctx, first)
	if dm.TransferredToAccounting != "Processing" || dm.IntegrationStatus != zuora.StatusCreatingDebitMemo {
		t.Fatalf("before the write-back: %q / %q", dm.TransferredToAccounting, dm.IntegrationStatus)
	}
	for _, rec := range sel.Records {
		res := syncDebitMemo(t, a, rec.ID, s)
		if res.Outcome != workflows.OutcomeSynced {
			t.Fatalf("memo %s: %+v", rec.Number, res)
		}
		if rec.ID == first && res.NetSuiteID != crashedID {
			t.Fatalf("after the crash the memo got NetSuite invoice %s, the first write made %s", res.NetSuiteID, crashedID)
		}
		dm, err := a.Zuora.GetDebitMemo(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if dm.TransferredToAccounting != "Yes" || dm.IntegrationStatus != zuora.StatusSyncComplete || dm.IntegrationID != res.NetSuiteID || dm.SyncDate == "" {
			t.Fatalf("memo %s after the sync: %+v", dm.Number, dm)
		}
		rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(netsuite.DebitMemoExternalID(rec.ID))+" ORDER BY id")
		if err != nil || len(rows) != 1 {
			t.Fatalf("memo %s: %d NetSuite transactions by its external id (%v), want 1", dm.Number, len(rows), err)
		}
		inv, err := a.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, res.NetSuiteID)
		if err != nil {
			t.Fatal(err)
		}
		items, _ := a.Zuora.ListDebitMemoItems(ctx, rec.ID)
		want := 0
		for _, it := range items {
			want += 1 + len(it.TaxItems)
		}
		if inv.Total == nil || !inv.Total.Equal(dm.Amount) || inv.TranID != dm.Number || inv.Item == nil || len(inv.Item.Items) != want {
			t.Fatalf("memo %s (%s, %d items+taxes): NetSuite invoice %+v", dm.Number, dm.Amount, want, inv)
		}
	}
	again, err := a.SelectDebitMemos(ctx, workflows.SelectInput{Settings: s, Limit: 100})
	if err != nil || len(again.Records) != 0 {
		t.Fatalf("second selection %+v %v, want none", again, err)
	}
}

// §7.2 as the sync meets it: a memo whose account is not synced ends in
// Error with the reason on the memo (TTA Error), nothing is written to
// NetSuite, and the next memo still syncs.
func TestDebitMemoSync_AccountNotSyncedEndsErrorWithReason(t *testing.T) {
	f := generated(t, "seed=4,accounts=2,invoices=1,is=true,debitmemos=2,tax=0")
	for _, acct := range f.Zuora.Objects["Account"][:1] {
		delete(acct, "IntegrationId__NS")
	}
	a, _ := sandboxTenant(t, f)
	ctx := context.Background()
	s := isSettings()
	first := f.Zuora.Objects["DebitMemo"][0]["id"].(string)
	res := syncDebitMemo(t, a, first, s)
	if res.Outcome != workflows.OutcomeError || !strings.Contains(res.Reason, "has not been synced to NetSuite") {
		t.Fatalf("%+v", res)
	}
	dm, _ := a.Zuora.GetDebitMemo(ctx, first)
	if dm.TransferredToAccounting != "Error" || !strings.HasPrefix(dm.IntegrationStatus, "Error: account ") {
		t.Fatalf("memo after the error: %q / %q", dm.TransferredToAccounting, dm.IntegrationStatus)
	}
	if rows, _ := a.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(netsuite.DebitMemoExternalID(first))+" ORDER BY id"); len(rows) != 0 {
		t.Fatalf("a NetSuite invoice was written for the failed memo: %v", rows)
	}
	second := f.Zuora.Objects["DebitMemo"][1]["id"].(string)
	if res := syncDebitMemo(t, a, second, s); res.Outcome != workflows.OutcomeSynced {
		t.Fatalf("the next memo: %+v", res)
	}
}

// Debit memos exist only with Invoice Settlement: without it the selection
// is empty and asks Zuora nothing (the endpoints refuse a non-IS tenant).
func TestDebitMemoSync_NotOnANonISTenant(t *testing.T) {
	a, _ := sandboxTenant(t, generated(t, "seed=4,accounts=2,invoices=1"))
	sel, err := a.SelectDebitMemos(context.Background(), workflows.SelectInput{Settings: settings.Default(), Limit: 10})
	if err != nil || len(sel.Records) != 0 || !sel.Done {
		t.Fatalf("%+v %v", sel, err)
	}
}

// As an invoice under invoice.overCeiling=ignore: a debit memo with more
// lines than NetSuite's line ceiling ends Ignore with both counts before any
// write; a memo within it syncs.
func TestDebitMemoSync_OverTheLineCeilingIgnoredBeforeAnyWrite(t *testing.T) {
	f := generated(t, "seed=5,accounts=2,invoices=1,is=true,debitmemos=4,tax=0")
	a, _ := sandboxTenant(t, f)
	ctx := context.Background()
	s := isSettings()
	s.Invoice.LineCeiling = 1
	var over, within string
	for _, dm := range f.Zuora.Objects["DebitMemo"] {
		items, err := a.Zuora.ListDebitMemoItems(ctx, dm["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		lines := 0
		for _, it := range items {
			lines += 1 + len(it.TaxItems)
		}
		if lines > 1 && over == "" {
			over = dm["id"].(string)
		}
		if lines == 1 && within == "" {
			within = dm["id"].(string)
		}
	}
	if over == "" || within == "" {
		t.Fatalf("the generated memos do not have both shapes (over %q, within %q)", over, within)
	}
	res := syncDebitMemo(t, a, over, s)
	if res.Outcome != workflows.OutcomeIgnored || !strings.Contains(res.Reason, "above NetSuite's line ceiling of 1") {
		t.Fatalf("%+v", res)
	}
	dm, _ := a.Zuora.GetDebitMemo(ctx, over)
	rows, _ := a.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(netsuite.DebitMemoExternalID(over))+" ORDER BY id")
	if dm.TransferredToAccounting != "Ignore" || len(rows) != 0 {
		t.Fatalf("over the ceiling: Zuora %q, %d NetSuite records", dm.TransferredToAccounting, len(rows))
	}
	if res := syncDebitMemo(t, a, within, s); res.Outcome != workflows.OutcomeSynced {
		t.Fatalf("within the ceiling: %+v", res)
	}
}
