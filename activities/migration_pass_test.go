package activities_test

import (
	"context"
	"sort"
	"testing"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/activity"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// A worker keeps its snapshot of the posted invoices per workflow; the
// migration's credit memo step reads the invoices its write-off step has
// just changed. Seen on the cluster: the credit memo step's first page ran
// on worker A (fresh read), its second on worker B, which still held the
// write-off step's snapshot in which no invoice was written off yet, so the
// step ended with memos missing and the recount blocked the migration. A
// page of a new pass (Pass) is never cut from an earlier pass's snapshot.
func TestMigrationActivities_LaterPageOfANewPassIsNotCutFromAnEarlierStepsSnapshot(t *testing.T) {
	m, sb, s := migrationTenant(t, "seed=5,accounts=4,invoices=30,items=1-3,negative=0.4")
	ctx := context.Background()
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, m.Zuora, "select Id, InvoiceNumber, AccountId, Status, Amount, Balance from Invoice")
	if err != nil {
		t.Fatal(err)
	}
	var negative []string
	for _, inv := range invs {
		if mapping.PostedNegative(inv) && inv.Balance.IsNegative() {
			negative = append(negative, inv.ID)
		}
	}
	sort.Strings(negative)
	if len(negative) < 4 {
		t.Fatalf("only %d negative invoices generated", len(negative))
	}
	env := activityEnv(t)
	// One name for both steps' pages: the snapshot key then differs only by pass.
	const name = "MigrationPage"
	run := func(f func(context.Context, workflows.ConvertPageInput) (workflows.ConvertPageResult, error), in workflows.ConvertPageInput) workflows.ConvertPageResult {
		t.Helper()
		env.RegisterActivityWithOptions(f, activity.RegisterOptions{Name: name, DisableAlreadyRegisteredCheck: true})
		v, err := env.ExecuteActivity(name, in)
		if err != nil {
			t.Fatal(err)
		}
		var r workflows.ConvertPageResult
		if err := v.Get(&r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	// This worker served the write-off step's first page: its snapshot
	// shows every negative invoice not yet written off.
	w := run(m.MigrationWriteOffPage, workflows.ConvertPageInput{Settings: s, Limit: 1, Date: "2026-04-01", Pass: "write-off@1"})
	if w.Done != 1 {
		t.Fatalf("first write-off page: %+v", w)
	}
	// The rest of the write-offs ran elsewhere (direct calls keep no snapshot).
	for in := (workflows.ConvertPageInput{Settings: s, Limit: 100, Date: "2026-04-01"}); ; {
		r, err := m.MigrationWriteOffPage(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if r.Finished {
			break
		}
		in.AfterID = r.LastID
	}
	setInvoiceSettlement(t, sb, true)
	// The credit memo pass's second page lands on this worker.
	c := run(m.MigrationCreditMemoPage, workflows.ConvertPageInput{Settings: s, Limit: 100, Date: "2026-04-01", AfterID: negative[0], Pass: "credit-memos@2"})
	if c.Done != len(negative)-1 || len(c.Errors) != 0 {
		t.Fatalf("credit memo page after %s: %+v, want %d memos made (every written-off invoice after the cursor)", negative[0], c, len(negative)-1)
	}
}

// A write-off page retried after its earlier attempt made an invoice's
// adjustments but died before marking it (a kill, or a timeout on a slow
// machine), served from the pass's snapshot in which that invoice's balance
// is still negative: the balance written off is the invoice's now, so the
// retry makes nothing more and marks the invoice with what was made. Seen in
// the migration end-to-end test under load: "its negative items and taxes
// carry 1985.93 less than the 1985.93 to write off".
func TestMigrationActivities_WriteOffRetriedFromAStaleSnapshotMakesNothingTwice(t *testing.T) {
	m, _, s := migrationTenant(t, "seed=7,accounts=3,invoices=30,items=2-4,negative=0.5,tax=0.5")
	ctx := context.Background()
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, m.Zuora, "select Id, InvoiceNumber, AccountId, Status, Amount, Balance from Invoice")
	if err != nil {
		t.Fatal(err)
	}
	var negative []zuora.Invoice
	for _, inv := range invs {
		if mapping.PostedNegative(inv) && inv.Balance.IsNegative() {
			negative = append(negative, inv)
		}
	}
	sort.Slice(negative, func(i, j int) bool { return negative[i].ID < negative[j].ID })
	if len(negative) < 2 {
		t.Fatalf("only %d negative invoices", len(negative))
	}
	env := activityEnv(t)
	env.RegisterActivityWithOptions(m.MigrationWriteOffPage, activity.RegisterOptions{Name: "WriteOffPage"})
	page := func(after string) workflows.ConvertPageResult {
		t.Helper()
		v, err := env.ExecuteActivity("WriteOffPage", workflows.ConvertPageInput{Settings: s, Limit: 1, Date: "2026-04-01", AfterID: after, Pass: "write-off@1"})
		if err != nil {
			t.Fatal(err)
		}
		var r workflows.ConvertPageResult
		if err := v.Get(&r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := page(""); r.Done != 1 { // the pass's snapshot is read here, before any write-off
		t.Fatalf("first page: %+v", r)
	}
	// The earlier attempt of the second page: every adjustment made, the
	// invoice not marked.
	second := negative[1]
	items, err := zuora.QueryAll[zuora.InvoiceItem](ctx, m.Zuora, "select Id, ChargeAmount from InvoiceItem where InvoiceId = "+zuora.Quote(second.ID))
	if err != nil {
		t.Fatal(err)
	}
	taxes, err := zuora.QueryAll[zuora.TaxationItem](ctx, m.Zuora, "select Id, TaxAmount from TaxationItem where InvoiceId = "+zuora.Quote(second.ID))
	if err != nil {
		t.Fatal(err)
	}
	made := decimal.Zero
	adjust := func(id, typ string, amount decimal.Decimal) {
		if !amount.IsNegative() {
			return
		}
		if _, err := m.Zuora.CreateObject(ctx, zuora.ObjInvoiceItemAdjustment, map[string]any{
			"AccountId": second.AccountID, "InvoiceId": second.ID, "SourceType": typ, "SourceId": id, "Type": "Charge",
			"Amount": amount.Neg().StringFixed(2), "AdjustmentDate": "2026-04-01", "TransferredToAccounting": "Ignore", zuora.FieldDoNotSync: "Yes",
		}, "earlier-attempt-"+id); err != nil {
			t.Fatal(err)
		}
		made = made.Add(amount.Neg())
	}
	for _, it := range items {
		adjust(it.ID, "InvoiceDetail", it.ChargeAmount)
	}
	for _, tx := range taxes {
		adjust(tx.ID, "Tax", tx.TaxAmount)
	}
	r := page(negative[0].ID)
	if len(r.Errors) != 0 || r.Done+r.AlreadyDone != 1 || r.LastID != second.ID {
		t.Fatalf("retried page from the stale snapshot: %+v, want invoice %s found written off (no error)", r, second.InvoiceNumber)
	}
	var after zuora.Invoice
	if err := m.Zuora.GetObject(ctx, zuora.ObjInvoice, second.ID, &after); err != nil {
		t.Fatal(err)
	}
	adjs, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, m.Zuora, "select Id, Amount from InvoiceItemAdjustment where InvoiceId = "+zuora.Quote(second.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !after.Balance.IsZero() {
		t.Errorf("after the retry: balance %s, %d adjustments (the earlier attempt made %s)", after.Balance, len(adjs), made)
	}
	total := decimal.Zero
	for _, a := range adjs {
		total = total.Add(a.Amount)
	}
	if !total.Equal(second.Balance.Neg()) {
		t.Errorf("adjustments total %s, want the balance %s written off once", total, second.Balance.Neg())
	}
}
