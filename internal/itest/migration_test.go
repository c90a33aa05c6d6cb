package itest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/credstore"
	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// migrationWorker is an in-process worker with the migration registered and
// the credential store in dir; the Env's Zuora client reads the store.
type migrationWorker struct {
	e     *Env
	store *credstore.Store
	w     worker.Worker
}

func (m *migrationWorker) start() {
	cfg := sandbox.DefaultConfig()
	w := worker.New(m.e.Temporal, m.e.TaskQueue, worker.Options{MaxConcurrentActivityExecutionSize: 20,
		Interceptors: []interceptor.WorkerInterceptor{activities.ErrorClassifier()}})
	app.Register(w, m.e.Acts)
	app.RegisterMigration(w, &activities.Migration{Activities: m.e.Acts, Store: m.store, SandboxAdminURL: m.e.Sandbox.ZuoraURL(),
		Configured: zuora.Credentials{ClientID: cfg.Zuora.ClientID, ClientSecret: cfg.Zuora.ClientSecret}})
	if err := w.Start(); err != nil {
		m.e.T.Fatalf("worker: %v", err)
	}
	m.w = w
}

func (m *migrationWorker) restart() {
	m.w.Stop()
	m.start()
}

func migrationState(ctx context.Context, t *testing.T, tc client.Client, id string) workflows.MigrationState {
	t.Helper()
	var st workflows.MigrationState
	for range 50 {
		qctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		v, err := tc.QueryWorkflow(qctx, id, "", workflows.QueryMigrationStatus)
		cancel()
		if err == nil {
			if err := v.Get(&st); err != nil {
				t.Fatal(err)
			}
			return st
		}
		time.Sleep(200 * time.Millisecond) // between runs of continue-as-new, or a worker restarting
	}
	t.Fatalf("querying %s kept failing", id)
	return st
}

func waitFor(ctx context.Context, t *testing.T, tc client.Client, id, what string, cond func(workflows.MigrationState) bool) workflows.MigrationState {
	t.Helper()
	last := ""
	for {
		st := migrationState(ctx, t, tc, id)
		if cond(st) {
			t.Logf("%s: step %s", what, st.Step)
			return st
		}
		if now := st.Step + " / " + st.Waiting; now != last {
			t.Logf("waiting for %s: step %s, waiting %q", what, st.Step, st.Waiting)
			last = now
		}
		if st.Outcome != "" {
			t.Fatalf("migration ended (%s) before %s: %+v", st.Outcome, what, st)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s; last state %+v", what, st)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// The migration end to end on the dev server and the sandbox: a generated
// tenant with negative invoices, adjustments and every checklist scenario;
// the pre-check reports each; the migration runs with the worker restarted
// in every step and repeats nothing.
func TestMigrationEndToEnd(t *testing.T) {
	n := 440 // invoices, about half negative: at least 200 negative invoices (CONNECTOR_MIGRATION_INVOICES changes it)
	if v, err := strconv.Atoi(os.Getenv("CONNECTOR_MIGRATION_INVOICES")); err == nil && v > 0 {
		n = v
	}
	// Negative invoices of many items with tax: each is written off item by item (issue 17).
	f, err := fixture.Generate(fmt.Sprintf("seed=41,accounts=12,invoices=%d,items=3-8,negative=0.5,tax=0.6,adjustments=8,checklist=true", n))
	if err != nil {
		t.Fatal(err)
	}
	migrationExtras(f) // a Check payment method both sides, for the payment made after the migration
	var negOnDraft, negOnCanceled string
	for _, inv := range f.Zuora.Objects[zuora.ObjInvoice] {
		switch inv["AccountId"] {
		case fixture.ChecklistDraftAccountNegative:
			negOnDraft = inv["Id"].(string)
		case fixture.ChecklistCanceledAccountNeg:
			negOnCanceled = inv["Id"].(string)
		}
	}
	e := New(t, f, Options{NoWorker: true})
	store, err := credstore.Open(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	e.Zuora.UseCredentialsProvider(store)
	mw := &migrationWorker{e: e, store: store}
	mw.start()
	t.Cleanup(func() { mw.w.Stop() })
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	s := settings.Default()
	s.Migration.OneTimeChargeID = f.Zuora.Objects[zuora.ObjProductRatePlanCharge][0]["Id"].(string)

	// A schedule of sync runs made before the migration, as a team has one:
	// its settings say nothing of Invoice Settlement (issue 16). Paused; it
	// is triggered once the migration is done.
	schedID := "itest-schedule-" + e.TaskQueue
	sched, err := e.Temporal.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: schedID, Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour}}}, Paused: true,
		Action: &client.ScheduleWorkflowAction{ID: "itest-scheduled-run-" + e.TaskQueue, Workflow: workflows.WorkflowSyncRun, TaskQueue: e.TaskQueue,
			Args: []any{workflows.SyncRunInput{Settings: settings.Default()}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sched.Delete(context.Background()) }()

	// Negative invoices before the migration, with what each should be credited.
	want := map[string]decimal.Decimal{}
	for id, inv := range e.Invoices(ctx) {
		if mapping.PostedNegative(inv) && inv.Balance.IsNegative() {
			want[id] = inv.Balance.Neg()
		}
	}
	t.Logf("%d posted negative invoices to convert", len(want))
	if os.Getenv("CONNECTOR_MIGRATION_INVOICES") == "" && len(want) < 200 {
		t.Fatalf("the tenant has %d posted negative invoices; the issue asks for at least 200", len(want))
	}
	defer func() {
		if t.Failed() {
			st := migrationState(context.Background(), t, e.Temporal, "itest-migration-"+e.TaskQueue)
			b, _ := json.MarshalIndent(st, "", "  ")
			t.Logf("migration state at failure: %s", b)
		}
	}()

	// 1. The dry run reports every scenario.
	pre, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "itest-precheck-" + e.TaskQueue, TaskQueue: e.TaskQueue},
		workflows.WorkflowPrecheck, workflows.MigrationInput{Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	var dry workflows.MigrationState
	if err := pre.Get(ctx, &dry); err != nil {
		t.Fatal(err)
	}
	t.Logf("pre-check: %d findings", len(dry.Findings))
	got := map[string]workflows.Finding{}
	for _, fd := range dry.Findings {
		got[fd.ID] = fd
	}
	expect := map[string][]string{
		mapping.FindingDraftAccountsCreditBalance:    {fixture.ChecklistDraftAccountCredit},
		mapping.FindingCanceledAccountsCreditBalance: {fixture.ChecklistCanceledAccountCredit},
		mapping.FindingDraftAccountsNegativeInvoices: {fixture.ChecklistDraftAccountNegative},
		mapping.FindingInactiveAccountsNegativeInvs:  {fixture.ChecklistCanceledAccountNeg},
		mapping.FindingDraftInvoicesNegativeBalance:  {fixture.ChecklistDraftNegativeInvoice},
		mapping.FindingDraftPayments:                 {fixture.ChecklistDraftPayment},
		mapping.FindingErrorPayments:                 {fixture.ChecklistErrorPayment},
		mapping.FindingCanceledPayments:              {fixture.ChecklistCanceledPayment},
		mapping.FindingPaymentRunsApplyCreditBalance: {fixture.ChecklistPaymentRunApplyCredit},
		mapping.FindingOneTimeCharge:                 nil,
	}
	for id, ids := range expect {
		fd, ok := got[id]
		if !ok || fd.Count != len(ids) || strings.Join(fd.Records, ",") != strings.Join(ids, ",") {
			t.Errorf("finding %s: %+v, want records %v", id, fd, ids)
		}
	}
	if fin := got[mapping.FindingFinanceOnAccountAccountingCode]; fin.Count < len(want) || !strings.Contains(fin.Action, "Accounts Receivable") {
		t.Errorf("finance finding %+v: want every negative invoice and Accounts Receivable", fin)
	}
	if dry.Outcome != workflows.MigrationDryRun || dry.Sync.Rounds != 0 {
		t.Fatalf("dry run %+v", dry)
	}

	// 2. Start; blocked by the findings until overridden.
	id := "itest-migration-" + e.TaskQueue
	in := workflows.MigrationInput{Settings: s, PollInitial: 500 * time.Millisecond, PollMax: 2 * time.Second, PageSize: 10, PagesPerContinue: 4}
	if _, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: e.TaskQueue}, workflows.WorkflowMigration, in); err != nil {
		t.Fatal(err)
	}
	st := waitFor(ctx, t, e.Temporal, id, "the blocking findings", func(st workflows.MigrationState) bool { return strings.Contains(st.Waiting, "override") })
	if st.Sync.Rounds != 0 {
		t.Fatal("the sync ran despite blocking findings")
	}
	for _, fd := range st.Findings {
		if fd.Blocking {
			if err := e.Temporal.SignalWorkflow(ctx, id, "", workflows.SignalMigrationOverride,
				workflows.OverrideSignal{ID: fd.ID, Reason: "itest: scenario record kept on purpose"}); err != nil {
				t.Fatal(err)
			}
		}
	}

	// 3. Sync, then the freeze waits for approval; restart the worker there.
	st = waitFor(ctx, t, e.Temporal, id, "the freeze", func(st workflows.MigrationState) bool {
		if strings.Contains(st.Waiting, "unsynced") {
			b, _ := json.MarshalIndent(st.Findings, "", "  ")
			t.Fatalf("records left unsynced after the sync step: %s", b)
		}
		return st.Step == workflows.StepFreeze && st.Waiting != ""
	})
	if st.Sync.RemainingNegativeInvoices != 0 || st.Sync.RemainingAdjustments != 0 || st.Sync.Invoices.Synced == 0 || st.Sync.Adjustments.Synced == 0 {
		t.Fatalf("after the sync step: %+v", st.Sync)
	}
	mw.restart()
	if err := e.Temporal.SignalWorkflow(ctx, id, "", workflows.SignalMigrationApprove, nil); err != nil {
		t.Fatal(err)
	}

	// 4. Write-offs (restart in the middle), then it waits for IS.
	waitFor(ctx, t, e.Temporal, id, "the first write-offs", func(st workflows.MigrationState) bool {
		return st.WriteOff.Pages > 0 || st.Step != workflows.StepWriteOff && st.Step != workflows.StepFreeze
	})
	mw.restart()
	st = waitFor(ctx, t, e.Temporal, id, "the wait for Invoice Settlement", func(st workflows.MigrationState) bool {
		return st.Step == workflows.StepWaitIS && st.WaitIS.Polls >= 2
	})
	if st.WriteOff.Done+st.WriteOff.AlreadyDone != len(want) || st.WriteOff.Errored != 0 {
		t.Fatalf("write-offs %+v, want %d", st.WriteOff, len(want))
	}
	// The write-offs are marked not to sync: a sync run of adjustments leaves them alone.
	writeOffs, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, e.Zuora, "select "+mapping.AdjustmentFields+" from InvoiceItemAdjustment where "+zuora.FieldDoNotSync+" = 'Yes'")
	if err != nil {
		t.Fatal(err)
	}
	checkItemWriteOffs(ctx, t, e, writeOffs, want)
	res := e.RunSync(ctx, "itest-migration-adjustments-after-writeoff-"+e.TaskQueue, settings.Default(), workflows.PhaseAdjustments)
	if res.Progress.Adjustments.Selected != 0 {
		t.Fatalf("a sync run selected %d adjustments after the write-offs, want 0", res.Progress.Adjustments.Selected)
	}
	mw.restart()

	// 5. The tenant goes on Invoice Settlement (the sandbox's stand-in for Zuora's migration).
	req, _ := http.NewRequestWithContext(ctx, "PUT", e.Sandbox.ZuoraURL()+"/_sandbox/tenant", strings.NewReader(`{"invoiceSettlement":true}`))
	resp, err := HTTPClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT /_sandbox/tenant: %v %v", resp, err)
	}
	resp.Body.Close()
	waitFor(ctx, t, e.Temporal, id, "the first credit memos", func(st workflows.MigrationState) bool {
		return st.CreditMemos.Pages > 0 || st.Step == workflows.StepISMode
	})
	mw.restart()

	run := e.Temporal.GetWorkflow(ctx, id, "")
	var final workflows.MigrationState
	if err := run.Get(ctx, &final); err != nil {
		t.Fatal(err)
	}
	if final.Outcome != workflows.MigrationCompleted {
		t.Fatalf("outcome %q: %+v", final.Outcome, final)
	}
	t.Logf("steps: %+v", final.Steps)
	var order []string
	for _, sp := range final.Steps {
		order = append(order, sp.Step)
	}
	if strings.Join(order, ",") != strings.Join(workflows.MigrationStepsSeedOrder, ",") || !final.SeedOrder {
		t.Errorf("steps %v, want the seed's order %v (IS confirmed, new OAuth client, then IS objects)", order, workflows.MigrationStepsSeedOrder)
	}
	for _, fd := range final.Findings {
		if strings.HasPrefix(fd.ID, "negative-invoices-not-written-off") || strings.HasPrefix(fd.ID, "written-off-invoices-without") {
			t.Errorf("a recount found %+v", fd)
		}
	}
	t.Logf("write-offs %+v; credit memos %+v; continued as new %d times", final.WriteOff, final.CreditMemos, final.ContinuedAsNew)
	if final.ContinuedAsNew == 0 {
		t.Error("the conversion never continued as new")
	}
	if RecordingHistories() { // every step, across its continue-as-new runs (replay_test.go)
		SaveHistories(ctx, t, e.Temporal, id, "end-to-end")
	}

	// Each negative invoice: exactly one credit memo of its amount, balance 0.
	invs := e.Invoices(ctx)
	memos := map[string][]zuora.CreditMemo{}
	accounts := map[string]bool{}
	for inv := range want {
		accounts[invs[inv].AccountID] = true
	}
	for acct := range accounts {
		list, err := e.Zuora.ListCreditMemos(ctx, acct)
		if err != nil {
			t.Fatal(err)
		}
		for _, cm := range list {
			memos[cm.Transaction] = append(memos[cm.Transaction], cm)
		}
	}
	for inv, amt := range want {
		if len(memos[inv]) != 1 || !memos[inv][0].Amount.Equal(amt) {
			t.Errorf("invoice %s: credit memos %+v, want one of %s", inv, memos[inv], amt)
		} else if items, err := e.Zuora.ListCreditMemoItems(ctx, memos[inv][0].ID); err != nil || len(items) != 1 ||
			items[0].FinanceInformation.OnAccountAccountingCode != s.Migration.OnAccountAccountingCode {
			t.Errorf("invoice %s: memo items %+v (%v), want the On-Account accounting code %q", inv, items, err, s.Migration.OnAccountAccountingCode)
		}
		if !invs[inv].Balance.IsZero() {
			t.Errorf("invoice %s balance %s, want 0", inv, invs[inv].Balance)
		}
	}
	if len(memos[negOnDraft]) != 1 || len(memos[negOnCanceled]) != 1 {
		t.Errorf("the overridden scenario invoices were not converted")
	}

	// The write-off adjustments never reached NetSuite.
	txns := e.Transactions(ctx)
	for _, a := range writeOffs {
		if got := txns[netsuite.AdjustmentExternalID(a.ID)]; len(got) != 0 {
			t.Errorf("write-off %s reached NetSuite: %+v", a.ID, got)
		}
	}

	// The new OAuth client is in use; the old one is refused.
	newCreds, ok, err := store.ZuoraCredentials()
	if err != nil || !ok || newCreds.ClientID != final.OAuth.NewClientID || e.Zuora.ClientID() != newCreds.ClientID {
		t.Fatalf("store %v %v; client uses %s; result %+v", ok, err, e.Zuora.ClientID(), final.OAuth)
	}
	if _, err := e.Zuora.ListCreditMemos(ctx, invs[negOnDraft].AccountID); err != nil {
		t.Fatalf("the new client does not work: %v", err)
	}
	cfg := sandbox.DefaultConfig()
	old, err := e.Zuora.WithCredentials(zuora.Credentials{ClientID: cfg.Zuora.ClientID, ClientSecret: cfg.Zuora.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	var ae *zuora.AuthError
	if err := old.VerifyCredentials(ctx); !errors.As(err, &ae) {
		t.Fatalf("the old client: %v, want refused", err)
	}
	if st, _ := credstore.ReadState(store.Dir()); !st.InvoiceSettlement || !final.ISMode.CreditMemosReachable {
		t.Fatalf("IS mode %+v, result %+v", st, final.ISMode)
	}

	// After the migration the team goes on in Zuora with IS objects made
	// through the IS endpoints: a credit memo applied to an invoice, a debit
	// memo, a payment applied to both and a refund of its unapplied rest
	// (issue 16, "Must show").
	made := e.makeISObjectsAfterMigration(ctx, newCreds, s.Migration.OneTimeChargeID)

	// The schedule made before the migration, triggered now: its run reads
	// Invoice Settlement from the tenant (no operator step, no setting
	// changed), turns adjustments off, runs the memo and payment phases,
	// syncs the new IS objects once, and marks the migration's own credit
	// memos Ignore without sending them to NetSuite.
	seen := map[string]bool{}
	after, _ := e.triggerScheduled(ctx, sched, seen)
	t.Logf("scheduled run after the migration: IS %v, credit memos %+v, debit memos %+v, payments %+v, refunds %+v, adjustments %+v, off %v",
		after.InvoiceSettlement, after.Progress.CreditMemos, after.Progress.DebitMemos, after.Progress.Payments, after.Progress.Refunds, after.Progress.Adjustments, after.DisabledReasons)
	if !after.InvoiceSettlement || after.DisabledReasons[workflows.PhaseAdjustments] == "" {
		t.Errorf("the scheduled run did not take the tenant for Invoice Settlement: IS %v, off %v", after.InvoiceSettlement, after.DisabledReasons)
	}
	for _, ph := range []string{workflows.PhaseCreditMemos, workflows.PhaseDebitMemos, workflows.PhasePayments} {
		if why := after.DisabledReasons[ph]; why != "" {
			t.Errorf("phase %s was off after the migration: %s", ph, why)
		}
	}
	migrationMemos := 0
	for _, list := range memos {
		migrationMemos += len(list)
	}
	if cm := after.Progress.CreditMemos; cm.Synced != 1 || cm.Errored != 0 || cm.Ignored != migrationMemos {
		t.Errorf("credit memos in the scheduled run %+v: want the new memo synced and the migration's %d memos Ignore", cm, migrationMemos)
	}
	if dm := after.Progress.DebitMemos; dm.Synced != 1 || dm.Errored != 0 {
		t.Errorf("debit memos in the scheduled run %+v: want the new memo synced", dm)
	}
	if made.payment != "" && after.Progress.Payments.Synced != 1 {
		t.Errorf("payments in the scheduled run %+v: want the new payment synced", after.Progress.Payments)
	}
	if made.refund != "" && after.Progress.Refunds.Synced != 1 {
		t.Errorf("refunds in the scheduled run %+v: want the new refund synced", after.Progress.Refunds)
	}
	for _, re := range after.Errors {
		if re.ID == made.creditMemo || re.ID == made.debitMemo || re.ID == made.payment || re.ID == made.refund {
			t.Errorf("the scheduled run failed %s %s: %s", re.Type, re.ID, re.Reason)
		}
	}
	e.checkISObjectsAfterMigration(ctx, made)
	checkMigrationMemosNotSynced := func(when string) {
		t.Helper()
		txns := e.Transactions(ctx)
		for _, list := range memos {
			for _, cm := range list {
				if got := txns[netsuite.CreditMemoExternalID(cm.ID)]; len(got) != 0 {
					t.Errorf("%s: the migration's credit memo %s reached NetSuite: %+v", when, cm.Number, got)
				}
				if now, err := e.Zuora.GetCreditMemo(ctx, cm.ID); err != nil || now.TransferredToAccounting != "Ignore" {
					t.Errorf("%s: the migration's credit memo %s is %q in Zuora (%v), want Ignore", when, cm.Number, now.TransferredToAccounting, err)
				}
			}
		}
	}
	checkMigrationMemosNotSynced("first scheduled run")

	// The next scheduled run has nothing new: nothing is written twice.
	again, _ := e.triggerScheduled(ctx, sched, seen)
	t.Logf("second scheduled run: credit memos %+v, debit memos %+v, payments %+v", again.Progress.CreditMemos, again.Progress.DebitMemos, again.Progress.Payments)
	if again.Progress.CreditMemos.Synced != 0 || again.Progress.DebitMemos.Synced != 0 || again.Progress.Payments.Synced != 0 || again.Progress.Refunds.Synced != 0 {
		t.Errorf("the second scheduled run synced again: credit memos %+v, debit memos %+v, payments %+v",
			again.Progress.CreditMemos, again.Progress.DebitMemos, again.Progress.Payments)
	}
	e.checkISObjectsAfterMigration(ctx, made)
	checkMigrationMemosNotSynced("second scheduled run")

	// The money reconciliation over the migrated tenant finds nothing.
	rs := settings.Default()
	rs.Advanced.InvoiceSettlement = true
	recon := e.Reconcile(ctx, "itest-migration-reconcile-"+e.TaskQueue, workflows.ReconcileInput{From: "2000-01-01", To: "2099-12-31", Settings: rs})
	for _, d := range recon.Differences {
		t.Logf("  %-13s %-10s %-12s %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	if !recon.Clean() || recon.Counts.CreditMemos == 0 || recon.Counts.DebitMemos == 0 {
		t.Errorf("reconciliation after the migration: %+v, want 0 differences over the memos", recon.Counts)
	}

	// Neither secret is in any history of this test's task queue (the
	// migration's runs, its child sync runs and their record workflows).
	secrets := []string{cfg.Zuora.ClientSecret, newCreds.ClientSecret}
	events, workflowsSeen := 0, 0
	var token []byte
	for {
		page, err := e.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: "default", Query: fmt.Sprintf("TaskQueue = '%s'", e.TaskQueue), NextPageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range page.Executions {
			workflowsSeen++
			it := e.Temporal.GetWorkflowHistory(ctx, ex.Execution.WorkflowId, ex.Execution.RunId, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					t.Fatal(err)
				}
				events++
				text := withDecodedPayloads(protojson.Format(ev))
				for _, sec := range secrets {
					if strings.Contains(text, sec) {
						t.Fatalf("workflow %s event %d (%s) contains a secret", ex.Execution.WorkflowId, ev.EventId, ev.EventType)
					}
				}
			}
		}
		if token = page.NextPageToken; len(token) == 0 {
			break
		}
	}
	if workflowsSeen < 3 || events < 100 {
		t.Fatalf("history scan saw %d workflows, %d events: too little", workflowsSeen, events)
	}
	t.Logf("no secret in %d events of %d workflow runs", events, workflowsSeen)
}

// The migration driven as an operator would, with the programs: the starter's
// `migrate` commands and the worker binary, SIGKILLed and restarted in every
// step. After the OAuth rotation the restarted worker, still configured with
// the retired client, works from the credential store; a later sync run with
// --state-dir is in IS mode.
func TestMigrationWithWorkerProcessKilledInEachStep(t *testing.T) {
	f, err := fixture.Generate("seed=43,accounts=6,invoices=60,items=1-3,negative=0.5,tax=0.3,adjustments=4,checklist=true")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{NoWorker: true})
	bins := Binaries(t)
	srv := DevServer(t)
	stateDir := filepath.Join(t.TempDir(), "state")
	args := []string{"--temporal-address", srv.FrontendHostPort(), "--task-queue", e.TaskQueue, "--http-addr", "",
		"--zuora-url", e.Sandbox.ZuoraURL(), "--netsuite-url", e.Sandbox.NetSuiteURL(), "--log-level", "warn",
		"--state-dir", stateDir, "--zuora-sandbox-admin-url", e.Sandbox.ZuoraURL()}
	w := StartProcess(t, bins+"/worker", args)
	kill := func(step string) {
		t.Logf("killing the worker in step %s", step)
		w.Kill()
		w = StartProcess(t, bins+"/worker", args)
	}
	settingsFile := filepath.Join(t.TempDir(), "settings.json")
	charge := f.Zuora.Objects[zuora.ObjProductRatePlanCharge][0]["Id"].(string)
	if err := os.WriteFile(settingsFile, []byte(`{"migration":{"oneTimeChargeId":"`+charge+`"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := newStarterCLI(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	id := workflows.MigrationWorkflowID
	defer func() {
		if t.Failed() {
			t.Logf("worker output:\n%s", w.Output())
		}
	}()

	out := cli.ok("migrate", "precheck", "--settings", settingsFile)
	for _, want := range []string{"FINDING", mapping.FindingDraftPayments, fixture.ChecklistDraftPayment, "error-payments: Zuora does not migrate"} {
		if !strings.Contains(out, want) {
			t.Fatalf("precheck table lacks %q", want)
		}
	}
	cli.ok("migrate", "start", "--settings", settingsFile)
	st := waitFor(ctx, t, e.Temporal, id, "the blocking findings", func(st workflows.MigrationState) bool { return strings.Contains(st.Waiting, "override") })
	kill(st.Step)
	if _, errOut, code := cli.run("migrate", "override", mapping.FindingDraftPayments); code != 2 || !strings.Contains(errOut, "--reason") {
		t.Fatalf("override without --reason: exit %d, %s", code, errOut)
	}
	for _, fd := range st.Findings {
		if fd.Blocking {
			cli.ok("migrate", "override", fd.ID, "--reason", "itest: kept on purpose")
		}
	}
	waitFor(ctx, t, e.Temporal, id, "the sync", func(st workflows.MigrationState) bool { return st.Step != workflows.StepPrecheck })
	kill(workflows.StepSync)
	waitFor(ctx, t, e.Temporal, id, "the freeze", func(st workflows.MigrationState) bool { return st.Step == workflows.StepFreeze && st.Waiting != "" })
	kill(workflows.StepFreeze)
	if out := cli.ok("migrate", "status"); !strings.Contains(out, "step:     freeze") || !strings.Contains(out, "waiting:  approve") {
		t.Fatalf("status at the freeze:\n%s", out)
	}
	cli.ok("migrate", "approve")
	waitFor(ctx, t, e.Temporal, id, "the write-off", func(st workflows.MigrationState) bool { return st.Step != workflows.StepFreeze })
	kill(workflows.StepWriteOff)
	waitFor(ctx, t, e.Temporal, id, "the wait for IS", func(st workflows.MigrationState) bool { return st.Step == workflows.StepWaitIS && st.WaitIS.Polls > 0 })
	kill(workflows.StepWaitIS)
	req, _ := http.NewRequestWithContext(ctx, "PUT", e.Sandbox.ZuoraURL()+"/_sandbox/tenant", strings.NewReader(`{"invoiceSettlement":true}`))
	resp, err := HTTPClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT /_sandbox/tenant: %v %v", resp, err)
	}
	resp.Body.Close()
	// The next check comes after the 1-minute back-off.
	waitFor(ctx, t, e.Temporal, id, "the rotation", func(st workflows.MigrationState) bool { return st.Step != workflows.StepWaitIS })
	kill(workflows.StepOAuth) // seed order: the rotation, then the credit memos
	var final workflows.MigrationState
	if err := e.Temporal.GetWorkflow(ctx, id, "").Get(ctx, &final); err != nil {
		t.Fatal(err)
	}
	if final.Outcome != workflows.MigrationCompleted || !final.OAuth.OldRefused {
		t.Fatalf("final %+v", final)
	}
	out = cli.ok("migrate", "status", "--json")
	var js workflows.MigrationState
	if err := json.Unmarshal([]byte(out), &js); err != nil || js.Outcome != workflows.MigrationCompleted {
		t.Fatalf("status --json: %v %s", err, out)
	}

	// Every negative invoice: one credit memo, balance 0 (the Env's client
	// reads the same store: the old client is refused now).
	store, err := credstore.Open(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	e.Zuora.UseCredentialsProvider(store)
	perInvoice := map[string]int{}
	accts := map[string]bool{}
	invs := e.Invoices(ctx)
	for _, inv := range invs {
		if mapping.PostedNegative(inv) {
			accts[inv.AccountID] = true
			if !inv.Balance.IsZero() {
				t.Errorf("invoice %s balance %s", inv.ID, inv.Balance)
			}
		}
	}
	for a := range accts {
		list, err := e.Zuora.ListCreditMemos(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		for _, cm := range list {
			perInvoice[cm.Transaction]++
		}
	}
	negatives := 0
	for _, inv := range invs {
		if mapping.PostedNegative(inv) {
			negatives++
			if perInvoice[inv.ID] != 1 {
				t.Errorf("invoice %s: %d credit memos", inv.ID, perInvoice[inv.ID])
			}
		}
	}
	t.Logf("%d negative invoices, each with one credit memo; write-offs %+v; credit memos %+v", negatives, final.WriteOff, final.CreditMemos)

	// A restarted worker, configured with the retired client, syncs with the
	// stored one; a run started with --state-dir is in IS mode.
	kill("done")
	out = cli.ok("sync", "--only", "invoices,adjustments", "--wait", "--json", "--state-dir", stateDir)
	var after workflows.SyncRunResult
	if err := json.Unmarshal([]byte(out), &after); err != nil || len(after.Disabled) != 1 || after.Disabled[0] != workflows.PhaseAdjustments {
		t.Fatalf("the run after the migration did not switch the adjustment phase off (%v):\n%s", err, out)
	}
}

// checkItemWriteOffs: each negative invoice is written off by adjustments of
// its items and taxation items, none larger than its source, together its
// negative balance (issue 17, the seed's "written off with Invoice Item
// Adjustments").
func checkItemWriteOffs(ctx context.Context, t *testing.T, e *Env, writeOffs []zuora.InvoiceItemAdjustment, want map[string]decimal.Decimal) {
	t.Helper()
	source := map[string]decimal.Decimal{}
	items, err := zuora.QueryAll[zuora.InvoiceItem](ctx, e.Zuora, "select Id, InvoiceId, ChargeAmount from InvoiceItem")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		source[it.ID] = it.ChargeAmount.Abs()
	}
	taxes, err := zuora.QueryAll[zuora.TaxationItem](ctx, e.Zuora, "select Id, InvoiceId, InvoiceItemId, TaxAmount from TaxationItem")
	if err != nil {
		t.Fatal(err)
	}
	for _, tx := range taxes {
		source[tx.ID] = tx.TaxAmount.Abs()
	}
	// What a write-off adjusts is its source net of the tenant's own earlier
	// adjustments (a Credit on a negative item makes it larger).
	all, err := zuora.QueryAll[zuora.InvoiceItemAdjustment](ctx, e.Zuora, "select "+mapping.AdjustmentFields+" from InvoiceItemAdjustment")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		if strings.EqualFold(a.DoNotSync, "Yes") || a.Status == "Canceled" {
			continue
		}
		if a.Type == "Credit" {
			source[a.SourceID] = source[a.SourceID].Add(a.Amount)
		} else {
			source[a.SourceID] = source[a.SourceID].Sub(a.Amount)
		}
	}
	sum, count, onTax, most := map[string]decimal.Decimal{}, map[string]int{}, 0, 0
	for _, a := range writeOffs {
		if limit, ok := source[a.SourceID]; !ok || a.Amount.GreaterThan(limit) {
			t.Errorf("write-off %s of %s on %s %s: larger than its source (%s)", a.ID, a.Amount, a.SourceType, a.SourceID, limit)
		}
		if a.SourceType == "Tax" {
			onTax++
		}
		sum[a.InvoiceID] = sum[a.InvoiceID].Add(a.Amount)
		count[a.InvoiceID]++
		most = max(most, count[a.InvoiceID])
	}
	for inv, amt := range want {
		if !sum[inv].Equal(amt) {
			t.Errorf("invoice %s: write-offs total %s in %d adjustments, want %s", inv, sum[inv], count[inv], amt)
		}
	}
	if onTax == 0 || most < 3 {
		t.Errorf("write-offs: %d on taxation items, at most %d on one invoice: the tenant should exercise many items with tax", onTax, most)
	}
	t.Logf("%d write-off adjustments on %d invoices (%d on taxation items, up to %d on one invoice)", len(writeOffs), len(sum), onTax, most)
}
