package activities_test

import (
	"sort"
	"testing"

	"go.temporal.io/sdk/activity"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// A whole-table read resumes from its heartbeat details: a retried
// ReconcilePage (after a crash or heartbeat timeout) takes the finished
// chunks' counts and sums from the previous attempt's heartbeat and reads
// only the rest of the page. The planted count of 1,000 proves the details
// were used; the rest must match a clean run's exactly.
func TestReconcilePage_RetriedAttemptResumesFromHeartbeatDetails(t *testing.T) {
	defer activities.SetReconcileChunk(2)()
	a, synced := syncedTenant(t, "seed=13,accounts=6,invoices=18,items=1-3,tax=0")
	in := workflows.ReconcilePageInput{From: "2000-01-01", To: "2099-12-31", Settings: settings.Default(), Limit: 50, MaxDifferences: 100}
	run := func(details *activities.ReconcileProgress) workflows.ReconcilePageResult {
		env := activityEnv(t)
		env.RegisterActivityWithOptions(a.ReconcilePage, activity.RegisterOptions{Name: workflows.ActivityReconcilePage})
		if details != nil {
			env.SetHeartbeatDetails(*details)
		}
		v, err := env.ExecuteActivity(workflows.ActivityReconcilePage, in)
		if err != nil {
			t.Fatal(err)
		}
		var res workflows.ReconcilePageResult
		if err := v.Get(&res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	clean := run(nil)

	accts, err := zuora.QueryAll[zuora.Account](t.Context(), a.Zuora, "select Id from Account")
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(accts))
	for i, ac := range accts {
		ids[i] = ac.ID
	}
	sort.Strings(ids)
	doneThrough := ids[1] // the first chunk of two accounts is finished
	inFirstChunk := 0
	for _, inv := range synced {
		if inv.AccountID <= doneThrough {
			inFirstChunk++
		}
	}
	if inFirstChunk == 0 || inFirstChunk == len(synced) {
		t.Fatalf("the first chunk holds %d of %d invoices; the test needs some on each side", inFirstChunk, len(synced))
	}
	planted := workflows.ReconcilePageResult{Counts: workflows.ReconcileCounts{Invoices: 1000, Matched: 1000}}
	resumed := run(&activities.ReconcileProgress{AfterAccountID: in.AfterAccountID, From: in.From, To: in.To,
		DoneThrough: doneThrough, Result: planted})
	if want := 1000 + clean.Counts.Invoices - inFirstChunk; resumed.Counts.Invoices != want {
		t.Fatalf("resumed attempt counted %d invoices, want %d (1,000 from the heartbeat + the %d after the finished chunk): it did not resume",
			resumed.Counts.Invoices, want, clean.Counts.Invoices-inFirstChunk)
	}
	if resumed.Counts.Differences != clean.Counts.Differences || resumed.LastAccountID != clean.LastAccountID || resumed.Done != clean.Done {
		t.Errorf("resumed %+v, clean %+v", resumed, clean)
	}
	// Details of another page (or range) are not used.
	other := run(&activities.ReconcileProgress{AfterAccountID: "someone-else", From: in.From, To: in.To, DoneThrough: doneThrough, Result: planted})
	if other.Counts.Invoices != clean.Counts.Invoices {
		t.Errorf("details of another page were used: %d invoices, clean %d", other.Counts.Invoices, clean.Counts.Invoices)
	}
}
