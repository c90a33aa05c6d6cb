package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// InvoiceSettlementMigrationWorkflow is the Invoice Settlement migration as
// one long workflow (docs/migration.md): pre-check → sync all invoice item
// adjustments then all negative invoices → freeze → write off each negative
// invoice → wait for the tenant to be on IS → one credit memo per written-off
// invoice → rotate the OAuth client → IS mode. It waits for people (approve,
// override, the OAuth secret file), polls on durable timers, continues as new
// during long conversions, and each step is idempotent, so a restart of the
// worker or a retried activity repeats nothing.
func InvoiceSettlementMigrationWorkflow(ctx workflow.Context, in MigrationInput) (MigrationState, error) {
	m := newMigration(ctx, in)
	if err := m.handlers(ctx); err != nil {
		return MigrationState{}, err
	}
	err := m.run(ctx)
	var can *workflow.ContinueAsNewError
	if errors.As(err, &can) {
		return MigrationState{}, err
	}
	m.st.Waiting = ""
	if err != nil {
		return m.st, err
	}
	return m.st, nil
}

// InvoiceSettlementPrecheckWorkflow is the dry run: the pre-check report alone.
func InvoiceSettlementPrecheckWorkflow(ctx workflow.Context, in MigrationInput) (MigrationState, error) {
	in.DryRun = true
	return InvoiceSettlementMigrationWorkflow(ctx, in)
}

type migration struct {
	in    MigrationInput
	st    MigrationState
	chans []workflow.ReceiveChannel
}

func newMigration(ctx workflow.Context, in MigrationInput) *migration {
	m := &migration{in: in, st: MigrationState{Step: StepPrecheck}}
	if in.State != nil {
		m.st = *in.State
	}
	m.in.State = nil
	if m.in.PollInitial <= 0 {
		m.in.PollInitial = time.Minute
	}
	if m.in.PollMax <= 0 {
		m.in.PollMax = time.Hour
	}
	if m.in.PageSize <= 0 {
		m.in.PageSize = 50
	}
	if m.in.PagesPerContinue <= 0 {
		m.in.PagesPerContinue = 100
	}
	return m
}

func (m *migration) note(format string, args ...any) {
	const maxNotes = 100
	if len(m.st.Notes) >= maxNotes {
		m.st.Notes = m.st.Notes[1:]
	}
	m.st.Notes = append(m.st.Notes, fmt.Sprintf(format, args...))
}

// handlers registers the status query and the operator's signals. Signals
// are received by one goroutine; the steps wait on the state they change.
func (m *migration) handlers(ctx workflow.Context) error {
	if err := m.registerUpdates(ctx); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryMigrationStatus, func() (MigrationState, error) {
		st := m.st
		if st.Paused && !strings.HasPrefix(st.Waiting, "resume") {
			st.Waiting = strings.TrimSuffix("resume (paused by the operator); then "+st.Waiting, "; then ")
		}
		return st, nil
	}); err != nil {
		return err
	}
	m.chans = []workflow.ReceiveChannel{
		workflow.GetSignalChannel(ctx, SignalMigrationApprove), workflow.GetSignalChannel(ctx, SignalMigrationPause),
		workflow.GetSignalChannel(ctx, SignalMigrationResume), workflow.GetSignalChannel(ctx, SignalMigrationOverride),
		workflow.GetSignalChannel(ctx, SignalMigrationCancel), workflow.GetSignalChannel(ctx, SignalMigrationRecheck),
		workflow.GetSignalChannel(ctx, SignalMigrationSecretFile),
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			sel := workflow.NewSelector(ctx)
			for _, ch := range m.chans {
				sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) { m.signal(ctx, c) })
			}
			sel.Select(ctx)
		}
	})
	return nil
}

// signal applies one received signal.
func (m *migration) signal(ctx workflow.Context, c workflow.ReceiveChannel) {
	switch c.Name() {
	case SignalMigrationApprove:
		c.Receive(ctx, nil)
		if m.canApprove() {
			m.st.ApprovePending = true
		} else {
			m.note("approve at step %s ignored: nothing to approve now", m.st.Step)
		}
	case SignalMigrationPause:
		c.Receive(ctx, nil)
		m.st.Paused = true
	case SignalMigrationResume:
		c.Receive(ctx, nil)
		m.st.Paused = false
		m.st.ResumePending = true
	case SignalMigrationCancel:
		c.Receive(ctx, nil)
		m.st.Cancelled = true
	case SignalMigrationRecheck:
		c.Receive(ctx, nil)
		m.st.RecheckPending = true
	case SignalMigrationOverride:
		var o OverrideSignal
		c.Receive(ctx, &o)
		m.override(ctx, o)
	case SignalMigrationSecretFile:
		var f OAuthSecretFileSignal
		c.Receive(ctx, &f)
		if f.Path == "" {
			m.note("oauth-secret-file ignored: no path")
			return
		}
		m.st.SecretFile = f.Path
		m.st.ResumePending = true
	}
}

func (m *migration) override(ctx workflow.Context, o OverrideSignal) {
	if o.Reason == "" {
		m.note("override of %s ignored: a reason is required", o.ID)
		return
	}
	for _, f := range m.st.Findings {
		if f.ID == o.ID {
			if !f.Blocking {
				m.note("override of %s ignored: it does not block", o.ID)
				return
			}
			m.st.Overrides = append(m.st.Overrides, Override{ID: o.ID, Reason: o.Reason, At: workflow.Now(ctx)})
			return
		}
	}
	m.note("override of %s ignored: no such finding", o.ID)
}

func (m *migration) overridden(id string) bool {
	for _, o := range m.st.Overrides {
		if o.ID == id {
			return true
		}
	}
	return false
}

// blocked lists the blocking findings no operator overrode.
func (m *migration) blocked() []string {
	var ids []string
	for _, f := range m.st.Findings {
		if f.Blocking && !m.overridden(f.ID) {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

var errCancelled = errors.New("migration cancelled by the operator")

// wait blocks until cond holds, the operator cancels (errCancelled), or
// (with a timeout) the time passes; a pause holds everything.
func (m *migration) wait(ctx workflow.Context, what string, timeout time.Duration, cond func() bool) (bool, error) {
	m.st.Waiting = what
	defer func() { m.st.Waiting = "" }()
	full := func() bool { return m.st.Cancelled || (!m.st.Paused && cond()) }
	var ok bool
	var err error
	if timeout > 0 {
		ok, err = workflow.AwaitWithTimeout(ctx, timeout, full)
	} else {
		err = workflow.Await(ctx, full)
		ok = true
	}
	if err != nil {
		return false, err
	}
	if m.st.Cancelled {
		return false, errCancelled
	}
	return ok, nil
}

// checkpoint is the pause/cancel point between units of work.
func (m *migration) checkpoint(ctx workflow.Context) error {
	if !m.st.Paused && !m.st.Cancelled {
		return nil
	}
	_, err := m.wait(ctx, "resume (paused by the operator)", 0, func() bool { return true })
	return err
}

func (m *migration) finishStep(ctx workflow.Context, status, detail string) {
	m.st.Steps = append(m.st.Steps, StepOutcome{Step: m.st.Step, Status: status, Detail: detail, At: workflow.Now(ctx)})
	m.st.Cursor, m.st.PagesSinceCAN = "", 0
	steps := m.order()
	for i, s := range steps {
		if s == m.st.Step {
			if i+1 < len(steps) {
				m.st.Step = steps[i+1]
			} else {
				m.st.Step = StepDone
			}
			return
		}
	}
	m.st.Step = StepDone
}

func (m *migration) run(ctx workflow.Context) error {
	steps := map[string]func(workflow.Context) (string, error){
		StepPrecheck: m.precheck, StepSync: m.sync, StepFreeze: m.freeze, StepWriteOff: m.writeOff,
		StepWaitIS: m.waitIS, StepCreditMemos: m.creditMemos, StepOAuth: m.rotateOAuth, StepISMode: m.isMode,
	}
	if !m.in.DryRun {
		m.decideOrder(ctx)
	}
	if m.st.SeedOrder {
		steps[StepWaitIS] = m.waitISConfirmed
	}
	for m.st.Step != StepDone {
		if err := m.checkpoint(ctx); err != nil {
			return m.end(ctx, err)
		}
		detail, err := steps[m.st.Step](ctx)
		if err != nil {
			return m.end(ctx, err)
		}
		if m.in.DryRun && m.st.Step == StepPrecheck {
			m.st.Steps = append(m.st.Steps, StepOutcome{Step: StepPrecheck, Status: "done", Detail: detail, At: workflow.Now(ctx)})
			m.st.Outcome = MigrationDryRun
			return nil
		}
		m.finishStep(ctx, "done", detail)
	}
	m.st.Outcome = MigrationCompleted
	return nil
}

// end turns an operator's cancel into a result (what was done stays done;
// docs/migration.md says what that leaves behind).
func (m *migration) end(ctx workflow.Context, err error) error {
	if errors.Is(err, errCancelled) {
		m.st.Steps = append(m.st.Steps, StepOutcome{Step: m.st.Step, Status: "cancelled", Detail: "cancelled by the operator", At: workflow.Now(ctx)})
		m.st.Outcome = MigrationCancelled
		return nil
	}
	return err
}

// exec runs one migration activity; a failure that outlasts its retries, or
// that an operator must fix, waits in needs attention (attend) instead of
// failing a migration that may be days in.
func (m *migration) exec(ctx workflow.Context, timeout time.Duration, activity string, out any, args ...any) error {
	return m.attend(ctx, func() error {
		return workflow.ExecuteActivity(m.actx(ctx, timeout), activity, args...).Get(ctx, out)
	})
}

func (m *migration) actx(ctx workflow.Context, timeout time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		HeartbeatTimeout:    3 * time.Minute, // above the clients' 2-minute request timeout
		// Retries end (about 1.5 hours of an outage); then the migration
		// waits in needs attention with the reason, not failing.
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute, MaximumAttempts: 20,
			NonRetryableErrorTypes: []string{"BadInput", "BadSettings", "NoCredentialStore", "CredentialStore", "BadSecretFile", "NewCredentialRefused"}},
	})
}

// ---- step 1: pre-check ----

func (m *migration) precheck(ctx workflow.Context) (string, error) {
	for {
		var res PrecheckResult
		err := m.exec(ctx, 30*time.Minute, ActivityMigrationPrecheck, &res,
			PrecheckInput{Settings: m.in.Settings, FinancePermission: m.in.FinancePermission})
		if err != nil {
			return "", err
		}
		m.st.Prechecks++
		m.replaceFindings(res.Findings)
		if m.in.DryRun {
			return m.findingsSummary(), nil
		}
		if len(m.blocked()) == 0 {
			return m.findingsSummary(), nil
		}
		m.st.RecheckPending = false
		if _, err := m.wait(ctx, "recheck or override of blocking findings", 0, func() bool {
			return m.st.RecheckPending || len(m.blocked()) == 0
		}); err != nil {
			return "", err
		}
		if !m.st.RecheckPending {
			return m.findingsSummary() + " (blocking findings overridden)", nil
		}
		m.st.RecheckPending = false
	}
}

// replaceFindings keeps the findings the migration raised itself (sync
// step) and replaces the pre-check's.
func (m *migration) replaceFindings(fs []Finding) {
	var keep []Finding
	for _, f := range m.st.Findings {
		if f.ID == findingUnsyncedAdjustments || f.ID == findingUnsyncedNegativeInvoices {
			keep = append(keep, f)
		}
	}
	m.st.Findings = append(fs, keep...)
}

func (m *migration) findingsSummary() string {
	n, b := 0, 0
	for _, f := range m.st.Findings {
		if f.Count > 0 {
			n++
		}
		if f.Blocking {
			b++
		}
	}
	return fmt.Sprintf("%d checks, %d with records, %d blocking, %d overridden", len(m.st.Findings), n, b, len(m.st.Overrides))
}

// ---- step 2: sync all IIAs, then all negative invoices ----

// Finding ids the sync step raises (mapping.FindingUnsynced*).
const (
	findingUnsyncedAdjustments      = "unsynced-adjustments"
	findingUnsyncedNegativeInvoices = "unsynced-negative-invoices"
)

func (m *migration) syncSettings() settings.Settings {
	s := m.in.Settings
	s.Advanced.InvoiceSettlement = false // not yet: the adjustment phase must run
	s.Run.ReconcileAfterSync = false
	return s
}

// syncRound runs the adjustment phase, then the invoice phase (which syncs
// every eligible invoice, not only negative ones: acceptable, they are due
// anyway), each as a child sync run.
func (m *migration) syncRound(ctx workflow.Context, label string) error {
	m.st.Sync.Rounds++
	for _, phase := range []string{PhaseAdjustments, PhaseInvoices} {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: fmt.Sprintf("%s/%s-%d-%s", workflow.GetInfo(ctx).WorkflowExecution.ID, label, m.st.Sync.Rounds, phase),
			TaskQueue:  workflow.GetInfo(ctx).TaskQueueName,
		})
		var res SyncRunResult
		if err := workflow.ExecuteChildWorkflow(cctx, WorkflowSyncRun, SyncRunInput{Settings: m.syncSettings(), Only: []string{phase}}).Get(ctx, &res); err != nil {
			return err
		}
		addCounts(&m.st.Sync.Adjustments, res.Progress.Adjustments)
		addCounts(&m.st.Sync.Invoices, res.Progress.Invoices)
		for _, d := range res.Disabled {
			if !contains(m.st.Sync.Disabled, d) {
				m.st.Sync.Disabled = append(m.st.Sync.Disabled, d)
			}
		}
	}
	return nil
}

func addCounts(into *Counts, c Counts) {
	into.Selected += c.Selected
	into.Synced += c.Synced
	into.Errored += c.Errored
	into.Ignored += c.Ignored
	into.Skipped += c.Skipped
}

func (m *migration) count(ctx workflow.Context, after time.Time) (MigrationCountResult, error) {
	var res MigrationCountResult
	err := m.exec(ctx, 30*time.Minute, ActivityMigrationCount, &res,
		MigrationCountInput{Settings: m.in.Settings, CreatedAfter: after})
	return res, err
}

// syncUntilNoneLeft syncs and verifies by a count that nothing eligible is
// left; what will not sync becomes a blocking finding to fix and re-check,
// or override.
func (m *migration) syncUntilNoneLeft(ctx workflow.Context, label string) (MigrationCountResult, error) {
	prevLeft, autoRounds := -1, 0
	for {
		if err := m.checkpoint(ctx); err != nil {
			return MigrationCountResult{}, err
		}
		if err := m.syncRound(ctx, label); err != nil {
			return MigrationCountResult{}, err
		}
		res, err := m.count(ctx, time.Time{})
		if err != nil {
			return res, err
		}
		// An adjustment of an invoice first synced in this round could not
		// sync before it (its original was not in NetSuite yet): while a round
		// makes progress, run another before asking the operator.
		left := res.Adjustments + res.NegativeInvoices
		if left > 0 && (prevLeft < 0 || left < prevLeft) && autoRounds < maxAutoSyncRounds {
			prevLeft = left
			autoRounds++
			continue
		}
		m.st.Sync.RemainingAdjustments, m.st.Sync.RemainingNegativeInvoices = res.Adjustments, res.NegativeInvoices
		if res.AdjustmentSyncOff != "" {
			m.note("adjustments not synced: %s", res.AdjustmentSyncOff)
		}
		m.setSyncFinding(findingUnsyncedAdjustments, "Invoice item adjustments still eligible to sync", res.Adjustments, res.AdjustmentIDs,
			"Fix the reason on each adjustment (Integration Status in Zuora), then re-check; after Invoice Settlement they can no longer sync.")
		m.setSyncFinding(findingUnsyncedNegativeInvoices, "Negative invoices still eligible to sync", res.NegativeInvoices, res.NegativeInvoiceIDs,
			"Fix the reason on each invoice (Integration Status in Zuora), then re-check; after Invoice Settlement they are no longer synced.")
		if len(m.blocked()) == 0 {
			return res, nil
		}
		m.st.RecheckPending = false
		if _, err := m.wait(ctx, "recheck or override of records left unsynced", 0, func() bool {
			return m.st.RecheckPending || len(m.blocked()) == 0
		}); err != nil {
			return res, err
		}
		if !m.st.RecheckPending {
			return res, nil // overridden
		}
		m.st.RecheckPending = false
	}
}

// maxAutoSyncRounds bounds the sync rounds run without the operator.
const maxAutoSyncRounds = 3

// setSyncFinding raises, updates or clears one of the sync step's findings.
// An override stays valid for a later round only if the count did not grow.
func (m *migration) setSyncFinding(id, title string, count int, ids []string, action string) {
	for i, f := range m.st.Findings {
		if f.ID == id {
			m.st.Findings = append(m.st.Findings[:i:i], m.st.Findings[i+1:]...)
			break
		}
	}
	if count == 0 {
		return
	}
	m.st.Findings = append(m.st.Findings, Finding{ID: id, Title: title, Count: count, Records: ids, Action: action, Blocking: true})
}

func (m *migration) sync(ctx workflow.Context) (string, error) {
	res, err := m.syncUntilNoneLeft(ctx, "sync")
	if err != nil {
		return "", err
	}
	d := fmt.Sprintf("adjustments %d synced, %d errored; invoices %d synced, %d errored; left eligible: %d adjustments, %d negative invoices",
		m.st.Sync.Adjustments.Synced, m.st.Sync.Adjustments.Errored, m.st.Sync.Invoices.Synced, m.st.Sync.Invoices.Errored,
		res.Adjustments, res.NegativeInvoices)
	if contains(m.st.Sync.Disabled, PhaseAdjustments) {
		d += "; the adjustment phase was disabled (" + firstNonEmpty(res.AdjustmentSyncOff, "not available in this worker or switched off by settings") + ")"
	}
	return d, nil
}

// ---- step 3: freeze ----

func (m *migration) freeze(ctx workflow.Context) (string, error) {
	if m.st.Freeze.At.IsZero() {
		m.st.Freeze.At = workflow.Now(ctx)
	}
	if m.st.Freeze.ApprovedAt.IsZero() {
		if _, err := m.wait(ctx, "approve: confirm creation of negative invoices and invoice item adjustments has stopped", 0,
			func() bool { return m.st.ApprovePending }); err != nil {
			return "", err
		}
		m.st.ApprovePending = false
		m.st.Freeze.ApprovedAt = workflow.Now(ctx)
	}
	for {
		if err := m.checkpoint(ctx); err != nil {
			return "", err
		}
		m.st.Freeze.Rounds++
		res, err := m.count(ctx, m.st.Freeze.At)
		if err != nil {
			return "", err
		}
		m.st.Freeze.CreatedAfterAdjustments = max(m.st.Freeze.CreatedAfterAdjustments, res.CreatedAfterAdjustments)
		m.st.Freeze.CreatedAfterNegativeInvoice = max(m.st.Freeze.CreatedAfterNegativeInvoice, res.CreatedAfterNegativeInvs)
		if res.Adjustments == 0 && res.NegativeInvoices == 0 {
			break
		}
		// Some appeared (or are left): sync them first, then check again.
		if _, err := m.syncUntilNoneLeft(ctx, "freeze-sync"); err != nil {
			return "", err
		}
		if m.st.Sync.RemainingAdjustments+m.st.Sync.RemainingNegativeInvoices > 0 {
			break // overridden by the operator
		}
	}
	return fmt.Sprintf("frozen at %s; created after it: %d adjustments, %d negative invoices (synced)",
		m.st.Freeze.At.UTC().Format(time.RFC3339), m.st.Freeze.CreatedAfterAdjustments, m.st.Freeze.CreatedAfterNegativeInvoice), nil
}

// ---- steps 4 and 6: conversion pages ----

func (m *migration) pages(ctx workflow.Context, activity string, c *ConvertCounts) error {
	for {
		if err := m.checkpoint(ctx); err != nil {
			return err
		}
		if m.st.PagesSinceCAN >= m.in.PagesPerContinue || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return m.continueAsNew(ctx)
		}
		if m.st.Cursor == "" {
			// A new pass over the invoices (the step, or its re-run after a
			// recheck): no worker may serve it from an earlier pass's snapshot.
			m.st.Pass = fmt.Sprintf("%s@%d", activity, workflow.Now(ctx).UnixNano())
		}
		var res ConvertPageResult
		in := ConvertPageInput{Settings: m.in.Settings, AfterID: m.st.Cursor, Limit: m.in.PageSize, Date: m.st.Freeze.At.UTC().Format("2006-01-02"), Pass: m.st.Pass}
		if err := m.attend(ctx, func() error {
			return workflow.ExecuteActivity(m.actx(ctx, 30*time.Minute), activity, in).Get(ctx, &res)
		}); err != nil {
			return err
		}
		c.Pages++
		m.st.PagesSinceCAN++
		c.Done += res.Done
		c.AlreadyDone += res.AlreadyDone
		c.Skipped += res.Skipped
		c.Errored += len(res.Errors)
		for _, e := range res.Errors {
			if len(c.Errors) < maxErrorsInResult {
				c.Errors = append(c.Errors, e)
			}
		}
		if res.LastID != "" {
			m.st.Cursor = res.LastID
		}
		if res.Finished {
			return nil
		}
	}
}

func (m *migration) continueAsNew(ctx workflow.Context) error {
	// Updates in flight finish first (their answers would be lost), then
	// signals not yet received are applied.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	m.drainSignals(ctx)
	m.st.PagesSinceCAN = 0
	m.st.ContinuedAsNew++
	next := m.in
	st := m.st
	next.State = &st
	return workflow.NewContinueAsNewError(ctx, WorkflowMigration, next)
}

// drainSignals applies signals that arrived but were not yet received, so
// continue-as-new loses none.
func (m *migration) drainSignals(ctx workflow.Context) {
	for {
		got := false
		for _, c := range m.chans {
			if c.Len() > 0 {
				m.signal(ctx, c)
				got = true
			}
		}
		if !got {
			return
		}
	}
}

func (m *migration) writeOff(ctx workflow.Context) (string, error) {
	if err := m.pages(ctx, ActivityMigrationWriteOffPage, &m.st.WriteOff); err != nil {
		return "", err
	}
	extra := ""
	if m.recountOn(ctx) {
		var err error
		if extra, err = m.recountWriteOffs(ctx); err != nil {
			return "", err
		}
	}
	w := m.st.WriteOff
	return fmt.Sprintf("%d negative invoices written off, %d found written off, %d errored", w.Done, w.AlreadyDone, w.Errored) + extra, nil
}

// ---- step 5: wait for Invoice Settlement ----

func (m *migration) waitIS(ctx workflow.Context) (string, error) {
	delay := m.in.PollInitial
	for polls := 0; ; polls++ {
		if err := m.checkpoint(ctx); err != nil {
			return "", err
		}
		var on bool
		if err := m.exec(ctx, 5*time.Minute, ActivityMigrationTenantIS, &on); err != nil {
			return "", err
		}
		m.st.WaitIS.Polls++
		if on {
			m.st.WaitIS.EnabledAt = workflow.Now(ctx)
			return fmt.Sprintf("tenant on Invoice Settlement after %d checks", m.st.WaitIS.Polls), nil
		}
		if polls >= 500 {
			return "", m.continueAsNew(ctx) // bounds history when the wait lasts weeks
		}
		// A durable timer: the wait survives any restart. Cancel ends it early.
		if _, err := m.wait(ctx, fmt.Sprintf("the tenant to be on Invoice Settlement (next check in %s)", delay), delay,
			func() bool { return false }); err != nil {
			return "", err
		}
		delay = min(delay*2, m.in.PollMax)
	}
}

func (m *migration) creditMemos(ctx workflow.Context) (string, error) {
	if err := m.pages(ctx, ActivityMigrationCreditMemos, &m.st.CreditMemos); err != nil {
		return "", err
	}
	extra := ""
	if m.recountOn(ctx) {
		var err error
		if extra, err = m.recountCreditMemos(ctx); err != nil {
			return "", err
		}
	}
	c := m.st.CreditMemos
	return fmt.Sprintf("%d credit memos made, %d found made, %d skipped, %d errored", c.Done, c.AlreadyDone, c.Skipped, c.Errored) + extra, nil
}

// ---- step 7: new OAuth client ----

func (m *migration) rotateOAuth(ctx workflow.Context) (string, error) {
	o := &m.st.OAuth
	for o.NewClientID == "" {
		var res OAuthClientResult
		if err := m.attend(ctx, func() error {
			return workflow.ExecuteActivity(m.actx(ctx, 5*time.Minute), ActivityMigrationNewOAuth,
				OAuthClientInput{SecretFile: m.st.SecretFile}).Get(ctx, &res)
		}); err != nil {
			return "", err
		}
		if res.NeedsOperator {
			m.st.SecretFile = ""
			if _, err := m.wait(ctx, "oauth-secret-file: the path of the new OAuth client's secret file on the worker", 0,
				func() bool { return m.st.SecretFile != "" }); err != nil {
				return "", err
			}
			continue
		}
		o.NewClientID, o.NewFingerprint, o.OldClientID = res.ClientID, res.Fingerprint, res.OldClientID
	}
	if !o.Verified {
		var res OAuthClientResult
		if err := m.exec(ctx, 5*time.Minute, ActivityMigrationActivate, &res); err != nil {
			return "", err
		}
		o.Verified = true
	}
	for !o.OldRefused {
		var res RetireOAuthResult
		if err := m.exec(ctx, 5*time.Minute, ActivityMigrationRetireOAuth, &res,
			RetireOAuthInput{OldClientID: o.OldClientID}); err != nil {
			return "", err
		}
		o.OldRetired = o.OldRetired || res.Retired
		if res.Refused {
			o.OldRefused = true
			break
		}
		if res.Retired {
			m.note("old OAuth client %s retired; it is not the worker's configured client, so its refusal was not tested", o.OldClientID)
			break
		}
		// Real tenant: the operator deletes the old client in the Zuora UI.
		m.st.ApprovePending = false
		if _, err := m.wait(ctx, "approve: confirm the old OAuth client "+o.OldClientID+" is deleted in Zuora", 0,
			func() bool { return m.st.ApprovePending }); err != nil {
			return "", err
		}
		m.st.ApprovePending = false
	}
	return fmt.Sprintf("new OAuth client %s (fingerprint %s) in use; old client %s retired=%v refused=%v",
		o.NewClientID, o.NewFingerprint, o.OldClientID, o.OldRetired, o.OldRefused), nil
}

// ---- step 8: IS mode ----

func (m *migration) isMode(ctx workflow.Context) (string, error) {
	var res ISModeCounts
	if err := m.exec(ctx, 5*time.Minute, ActivityMigrationISMode, &res,
		ISModeInput{By: workflow.GetInfo(ctx).WorkflowExecution.ID}); err != nil {
		return "", err
	}
	m.st.ISMode = res
	if !res.CreditMemosReachable {
		return "", temporal.NewApplicationError("IS mode set, but the credit memo endpoint does not answer", "ISObjectsUnreachable")
	}
	return "connector in Invoice Settlement mode (adjustment sync off, negative invoices skipped); credit memos reachable", nil
}
