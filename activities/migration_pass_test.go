package activities_test

import (
	"context"
	"sort"
	"testing"

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
