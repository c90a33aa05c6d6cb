package itest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/credstore"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// The Invoice Settlement migration end to end on the cluster, its work
// shared by two worker processes on different state dirs: the OAuth client
// one worker rotates to is in the shared PostgreSQL store, so after the old
// client is retired (its tokens die with it) both workers, neither
// restarted, keep calling Zuora with the new one. (With the file store and
// separate state dirs, the worker that did not rotate has no new client on
// its disk and keeps the retired one: 401s, or "no pending OAuth client to
// activate" when the activation lands on it.)
func TestCluster_MigrationWithOAuthRotationSharedByTwoWorkers(t *testing.T) {
	f, err := fixture.Generate("seed=43,accounts=6,invoices=40,items=1-3,negative=0.5,tax=0.3,adjustments=4,checklist=true")
	if err != nil {
		t.Fatal(err)
	}
	w := NewClusterWorld(t, f, sandbox.Faults{}, 15)
	e := w.Env
	w.StartWorker("a")
	w.StartWorker("b")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	s := settings.Default()
	s.Migration.OneTimeChargeID = f.Zuora.Objects[zuora.ObjProductRatePlanCharge][0]["Id"].(string)
	id := "cluster-migration-" + e.TaskQueue
	in := workflows.MigrationInput{Settings: s, PollInitial: 500 * time.Millisecond, PollMax: 2 * time.Second, PageSize: 10, PagesPerContinue: 4}
	if _, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: e.TaskQueue}, workflows.WorkflowMigration, in); err != nil {
		t.Fatal(err)
	}
	st := waitFor(ctx, t, e.Temporal, id, "the blocking findings", func(st workflows.MigrationState) bool { return strings.Contains(st.Waiting, "override") })
	for _, fd := range st.Findings {
		if fd.Blocking {
			if err := e.Temporal.SignalWorkflow(ctx, id, "", workflows.SignalMigrationOverride,
				workflows.OverrideSignal{ID: fd.ID, Reason: "cluster test: scenario record kept on purpose"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitFor(ctx, t, e.Temporal, id, "the freeze", func(st workflows.MigrationState) bool {
		return st.Step == workflows.StepFreeze && st.Waiting != ""
	})
	if err := e.Temporal.SignalWorkflow(ctx, id, "", workflows.SignalMigrationApprove, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, e.Temporal, id, "the wait for Invoice Settlement", func(st workflows.MigrationState) bool {
		return st.Step == workflows.StepWaitIS
	})
	req, _ := http.NewRequestWithContext(ctx, "PUT", e.Sandbox.ZuoraURL()+"/_sandbox/tenant", strings.NewReader(`{"invoiceSettlement":true}`))
	resp, err := HTTPClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT /_sandbox/tenant: %v %v", resp, err)
	}
	resp.Body.Close()
	var final workflows.MigrationState
	if name, out := w.WorkerExited(); name != "" {
		t.Fatalf("worker %s exited:\n%s", name, tail(out, 3000))
	}
	if err := e.Temporal.GetWorkflow(ctx, id, "").Get(ctx, &final); err != nil {
		t.Fatalf("migration: %v\n%s", err, tail(w.WorkerLogs(), 4000))
	}
	if final.Outcome != workflows.MigrationCompleted {
		t.Fatalf("outcome %q: %+v", final.Outcome, final)
	}
	t.Logf("migration: write-offs %+v; credit memos %+v; OAuth %+v", final.WriteOff, final.CreditMemos, final.OAuth)

	// The shared store holds the new client, sealed; the old one is refused.
	store, err := credstore.OpenPostgres(ctx, strings.Replace(w.DSN, "temporal@", "temporal:"+w.PGPassword+"@", 1), w.Codec.DataConverter())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	active, ok, err := store.ZuoraCredentials()
	if err != nil || !ok || active.ClientID != final.OAuth.NewClientID || active.ClientID == sandbox.DefaultConfig().Zuora.ClientID {
		t.Fatalf("shared store: %v ok=%v err=%v; migration says %+v", active, ok, err, final.OAuth)
	}
	old, _ := e.Zuora.WithCredentials(zuora.Credentials{ClientID: sandbox.DefaultConfig().Zuora.ClientID, ClientSecret: sandbox.DefaultConfig().Zuora.ClientSecret})
	var ae *zuora.AuthError
	if err := old.VerifyCredentials(ctx); !errors.As(err, &ae) {
		t.Fatalf("the retired client: %v, want refused", err)
	}
	if ms, err := store.State(); err != nil || !ms.InvoiceSettlement {
		t.Fatalf("shared connector mode %+v %v", ms, err)
	}

	// Both workers, never restarted, call Zuora after the retirement: with
	// the old client's tokens dead, every success is the new client's.
	before := map[string]int{"a": w.ZuoraCallsOK("a"), "b": w.ZuoraCallsOK("b")}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("cluster-precheck-%d-%s", i, e.TaskQueue), TaskQueue: e.TaskQueue},
				workflows.WorkflowPrecheck, workflows.MigrationInput{Settings: s})
			if err != nil {
				t.Error(err)
				return
			}
			var dry workflows.MigrationState
			if err := run.Get(ctx, &dry); err != nil {
				t.Errorf("pre-check %d after the rotation: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if name, out := w.WorkerExited(); name != "" {
		t.Fatalf("worker %s exited:\n%s", name, tail(out, 3000))
	}
	for _, name := range []string{"a", "b"} {
		after := w.ZuoraCallsOK(name)
		t.Logf("worker %s: %d Zuora calls succeeded after the old client was retired (%d before)", name, after-before[name], before[name])
		if after <= before[name] {
			t.Errorf("worker %s made no successful Zuora call after the rotation (%d before, %d after)", name, before[name], after)
		}
	}
	if logs := w.WorkerLogs(); strings.Contains(logs, active.ClientSecret) || strings.Contains(logs, "no pending OAuth client") {
		t.Error("a worker log holds the new secret or the lost-rotation error")
	}
	scan := scanHistories(e.RunHistories(ctx), []sensitiveString{{"the new OAuth secret", active.ClientSecret},
		{"the old OAuth secret", sandbox.DefaultConfig().Zuora.ClientSecret}}, w.Codec)
	for _, p := range append(scan.plainText, scan.problems...) {
		t.Error(p)
	}
	for kind := range scan.decodedKinds {
		t.Errorf("a decoded payload holds %s", kind)
	}
	fmt.Printf("=== cluster migration: completed; new client %s (fingerprint %s) in the shared store; Zuora calls after retirement: a %d, b %d; %d runs, %d events scanned\n",
		active.ClientID, credstore.Fingerprint(active), w.ZuoraCallsOK("a")-before["a"], w.ZuoraCallsOK("b")-before["b"], scan.runs, scan.events)
}
