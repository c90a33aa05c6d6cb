package itest

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Reconcile runs a ReconcileWorkflow on the Env's worker and waits for its report.
func (e *Env) Reconcile(ctx context.Context, id string, in workflows.ReconcileInput) workflows.ReconcileResult {
	e.T.Helper()
	run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: e.TaskQueue}, workflows.WorkflowReconcile, in)
	if err != nil {
		e.T.Fatalf("starting %s: %v", id, err)
	}
	var res workflows.ReconcileResult
	if err := run.Get(ctx, &res); err != nil {
		e.T.Fatalf("%s failed: %v", id, err)
	}
	return res
}

func diffsOf(res workflows.ReconcileResult, zuoraID string) map[string]workflows.Difference {
	out := map[string]workflows.Difference{}
	for _, d := range res.Differences {
		if d.ZuoraID == zuoraID {
			out[d.Kind] = d
		}
	}
	return out
}

// The acceptance test for reconciliation: a synced generated tenant
// reconciles with zero differences; then an amount changed, a line removed
// and a record deleted in the NetSuite sandbox (through its REST API) are
// each reported, to the cent, by the workflow and by `starter reconcile`.
func TestReconcile_CleanRunHasNoDifferenceAndPlantedOnesAreReported(t *testing.T) {
	f, err := fixture.Generate("seed=31,accounts=12,invoices=60,items=1-6,negative=0.15,tax=0.5,broken=2")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := settings.Default()
	sync := e.RunSync(ctx, "itest-reconcile-sync", s, workflows.PhaseInvoices)
	if sync.Progress.Invoices.Synced < 50 {
		t.Fatalf("only %d invoices synced: %+v", sync.Progress.Invoices.Synced, sync.Progress.Invoices)
	}

	// Small pages so the run spans several activity calls.
	in := workflows.ReconcileInput{From: "2000-01-01", To: "2099-12-31", Settings: s, PageSize: 5}
	clean := e.Reconcile(ctx, "itest-reconcile-clean", in)
	t.Logf("clean: %+v totals %+v", clean.Counts, clean.Totals)
	if !clean.Clean() || len(clean.Differences) != 0 {
		t.Fatalf("a clean sync reconciles with %d differences: %+v", clean.Counts.Differences, clean.Differences)
	}
	if clean.Counts.Invoices != sync.Progress.Invoices.Synced || clean.Counts.Matched != clean.Counts.Invoices {
		t.Errorf("compared %d invoices (%d matched), the run synced %d", clean.Counts.Invoices, clean.Counts.Matched, sync.Progress.Invoices.Synced)
	}
	for _, c := range clean.Totals {
		if !c.Zuora.Equal(c.NetSuite) {
			t.Errorf("%s totals differ on a clean run: %s vs %s", c.Currency, c.Zuora, c.NetSuite)
		}
	}

	// The same from the temporal CLI, with the README's hand-written input (no settings: the defaults).
	cmd := exec.CommandContext(ctx, TemporalCLI(), "workflow", "start", "--address", DevServer(t).FrontendHostPort(),
		"--task-queue", e.TaskQueue, "--type", workflows.WorkflowReconcile, "--workflow-id", "itest-reconcile-cli",
		"--input", `{"from":"2000-01-01","to":"2099-12-31"}`)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("temporal workflow start: %v\n%s", err, out)
	}
	var viaCLI workflows.ReconcileResult
	if err := e.Temporal.GetWorkflow(ctx, "itest-reconcile-cli", "").Get(ctx, &viaCLI); err != nil {
		t.Fatal(err)
	}
	if !viaCLI.Clean() || viaCLI.Counts.Invoices != clean.Counts.Invoices {
		t.Errorf("started by the temporal CLI: %+v, want %+v", viaCLI.Counts, clean.Counts)
	}

	// Plant three differences on positive invoices with two or more lines, on different accounts.
	invs := e.Invoices(ctx)
	var picks []zuora.Invoice
	usedAcct := map[string]bool{}
	for _, inv := range sortedInvoices(invs) {
		if inv.TransferredToAccounting != zuora.TransferYes || !inv.Amount.IsPositive() || usedAcct[inv.AccountID] {
			continue
		}
		tx, err := e.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, inv.IntegrationID)
		if err != nil {
			t.Fatal(err)
		}
		if tx.Item == nil || len(tx.Item.Items) < 2 {
			continue
		}
		usedAcct[inv.AccountID] = true
		picks = append(picks, inv)
		if len(picks) == 3 {
			break
		}
	}
	if len(picks) < 3 {
		t.Fatalf("found only %d invoices with 2+ lines on distinct accounts to plant differences in", len(picks))
	}
	changed, removed, deleted := picks[0], picks[1], picks[2]
	cent := decimal.RequireFromString("0.01")

	tx, err := e.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, changed.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	l0 := tx.Item.Items[0]
	if err := e.NetSuite.Patch(ctx, netsuite.TypeInvoice, changed.IntegrationID, map[string]any{
		"item": map[string]any{"items": []any{map[string]any{"line": l0.Line, "amount": l0.Amount.Add(cent)}}},
	}); err != nil {
		t.Fatalf("changing a line amount: %v", err)
	}
	tx, err = e.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, removed.IntegrationID)
	if err != nil {
		t.Fatal(err)
	}
	gone := tx.Item.Items[len(tx.Item.Items)-1]
	if err := e.NetSuite.Patch(ctx, netsuite.TypeInvoice, removed.IntegrationID,
		netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: tx.Item.Items[:len(tx.Item.Items)-1]}}, "item"); err != nil {
		t.Fatalf("removing a line: %v", err)
	}
	if err := e.NetSuite.Delete(ctx, netsuite.TypeInvoice, deleted.IntegrationID); err != nil {
		t.Fatalf("deleting a record: %v", err)
	}

	res := e.Reconcile(ctx, "itest-reconcile-planted", in)
	for _, d := range res.Differences {
		t.Logf("  %-13s %-7s %-12s %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	if res.Counts.Matched != clean.Counts.Matched-3 {
		t.Errorf("matched %d, want %d (all but the 3 planted)", res.Counts.Matched, clean.Counts.Matched-3)
	}
	// An amount changed: total and line amounts off by exactly 0.01, same line count.
	k := diffsOf(res, changed.ID)
	if d := k[workflows.DiffTotal]; d.NetSuite != changed.Amount.Add(cent).StringFixed(2) || d.Zuora != changed.Amount.StringFixed(2) {
		t.Errorf("changed amount: total difference %+v", d)
	}
	if d := k[workflows.DiffLineSum]; !strings.Contains(d.Detail, "off by 0.01") || !strings.Contains(d.Detail, l0.ZuoraItemID) {
		t.Errorf("changed amount: line-amounts difference %+v", d)
	}
	if _, ok := k[workflows.DiffLineCount]; ok || len(k) != 2 {
		t.Errorf("changed amount: want exactly total and line-amounts, got %+v", k)
	}
	// A line removed: line count names the missing Zuora item; sums off by its amount.
	k = diffsOf(res, removed.ID)
	if d := k[workflows.DiffLineCount]; d.NetSuite != fmt.Sprint(len(tx.Item.Items)-1) || !strings.Contains(d.Detail, gone.ZuoraItemID) {
		t.Errorf("removed line: lines difference %+v", d)
	}
	if d := k[workflows.DiffLineSum]; !strings.Contains(d.Detail, "off by "+gone.Amount.Neg().StringFixed(2)) {
		t.Errorf("removed line: line-amounts difference %+v", d)
	}
	if d := k[workflows.DiffTotal]; d.NetSuite != removed.Amount.Sub(gone.Amount).StringFixed(2) {
		t.Errorf("removed line: total difference %+v", d)
	}
	// A record deleted: reported missing, nothing else about it.
	k = diffsOf(res, deleted.ID)
	if d, ok := k[workflows.DiffMissing]; !ok || len(k) != 1 || d.Zuora != deleted.Amount.StringFixed(2) {
		t.Errorf("deleted record: %+v", k)
	}
	// Each touched account's totals are off by what was planted in it.
	wantAcct := map[string]decimal.Decimal{changed.AccountID: cent, removed.AccountID: gone.Amount.Neg(), deleted.AccountID: deleted.Amount.Neg()}
	for _, d := range res.Differences {
		if d.Kind != workflows.DiffAccountTotal {
			continue
		}
		want, ok := wantAcct[d.ZuoraID]
		if !ok {
			t.Errorf("account %s reported although nothing was planted in it: %+v", d.Number, d)
			continue
		}
		if !strings.Contains(d.Detail, "off by "+want.StringFixed(2)) {
			t.Errorf("account %s: %s, want off by %s", d.Number, d.Detail, want.StringFixed(2))
		}
		delete(wantAcct, d.ZuoraID)
	}
	if len(wantAcct) != 0 {
		t.Errorf("accounts without an account-total difference: %v", wantAcct)
	}
	if res.Counts.Differences != 2+3+1+3 {
		t.Errorf("%d differences, want 9 (2 + 3 + 1 + 3 account totals)", res.Counts.Differences)
	}

	// The same, as an operator sees it.
	cli := newStarterCLI(t, e)
	out := cli.ok("reconcile", "--from", "2000-01-01", "--to", "2099-12-31", "--wait")
	mustContain(t, "starter reconcile", out, "9 differences", "DIFFERENCE", changed.InvoiceNumber, removed.InvoiceNumber, deleted.InvoiceNumber,
		"missing", "line-amounts", "account-total", "off by 0.01")
}

func sortedInvoices(m map[string]zuora.Invoice) []zuora.Invoice {
	out := make([]zuora.Invoice, 0, len(m))
	for _, inv := range m {
		out = append(out, inv)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// settings run.reconcileAfterSync: the run starts a reconciliation of the
// open periods, which finishes on its own and reports the books agree.
func TestReconcile_AfterEachSyncRunWhenEnabled(t *testing.T) {
	start := time.Now().UTC().AddDate(0, -1, 0).Format("2006-01-02")
	f, err := fixture.Generate("seed=41,accounts=3,invoices=12,items=1-3,start=" + start)
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Run.ReconcileAfterSync = true
	sync := e.RunSync(ctx, "itest-reconcile-after", s, workflows.PhaseInvoices)
	var res workflows.ReconcileResult
	if err := e.Temporal.GetWorkflow(ctx, workflows.ReconcileAfterSyncID("itest-reconcile-after"), "").Get(ctx, &res); err != nil {
		t.Fatalf("the reconciliation after the run: %v", err)
	}
	now := time.Now().UTC()
	if want := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02"); res.From != want {
		t.Errorf("reconciled from %s, want %s", res.From, want)
	}
	if !res.Clean() || res.Counts.Invoices == 0 || res.Counts.Invoices > sync.Progress.Invoices.Synced {
		t.Errorf("after-sync reconciliation: %+v (run synced %d)", res.Counts, sync.Progress.Invoices.Synced)
	}
	// Off by default: no reconciliation.
	e.RunSync(ctx, "itest-reconcile-after-off", settings.Default(), workflows.PhaseInvoices)
	if _, err := e.Temporal.DescribeWorkflowExecution(ctx, workflows.ReconcileAfterSyncID("itest-reconcile-after-off"), ""); err == nil {
		t.Error("a reconciliation started although reconcileAfterSync is off")
	}
}

// With the adjustment sync: synced invoice item adjustments (credit memos
// applied to their invoices, charge invoices) reconcile with no difference,
// and a deleted adjustment record is reported.
func TestReconcile_SyncedAdjustmentsAgreeAndADeletedOneIsReported(t *testing.T) {
	f, err := fixture.Generate("seed=51,accounts=5,invoices=20,items=1-4,negative=0.2,tax=0.3,adjustments=6")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := settings.Default()
	sync := e.RunSync(ctx, "itest-reconcile-iia-sync", s, workflows.PhaseInvoices, workflows.PhaseAdjustments)
	if sync.Progress.Adjustments.Synced == 0 {
		t.Fatalf("no adjustment synced: %+v %+v", sync.Progress.Adjustments, sync.Errors)
	}
	in := workflows.ReconcileInput{From: "2000-01-01", To: "2099-12-31", Settings: s, PageSize: 2}
	res := e.Reconcile(ctx, "itest-reconcile-iia", in)
	for _, d := range res.Differences {
		t.Logf("  %-13s %-10s %-12s %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	if !res.Clean() || res.Counts.Adjustments != sync.Progress.Adjustments.Synced {
		t.Fatalf("after syncing invoices and adjustments: %+v, run synced %d adjustments", res.Counts, sync.Progress.Adjustments.Synced)
	}
	iias, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, e.Zuora,
		"select Id, AdjustmentNumber, Type, Amount, IntegrationId__NS from InvoiceItemAdjustment where TransferredToAccounting = 'Yes'")
	if err != nil || len(iias) == 0 {
		t.Fatalf("synced adjustments: %d, %v", len(iias), err)
	}
	x := iias[0]
	typ := netsuite.TypeInvoice
	if x.Type == "Credit" {
		typ = netsuite.TypeCreditMemo
	}
	if err := e.NetSuite.Delete(ctx, typ, x.IntegrationID); err != nil {
		t.Fatalf("deleting adjustment %s's NetSuite %s: %v", x.AdjustmentNumber, typ, err)
	}
	res = e.Reconcile(ctx, "itest-reconcile-iia-deleted", in)
	k := diffsOf(res, x.ID)
	if d, ok := k[workflows.DiffMissing]; !ok || d.RecordType != workflows.RecordAdjustment || len(k) != 1 {
		t.Errorf("deleted adjustment %s: %+v (all: %+v)", x.AdjustmentNumber, k, res.Differences)
	}
}
