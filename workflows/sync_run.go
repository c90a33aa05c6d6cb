package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// Phases of a sync run, in dependency order: an invoice whose account or
// charge is first synced in the same run is not an error.
const (
	PhaseCustomers   = "customers"
	PhaseCatalog     = "catalog"
	PhaseInvoices    = "invoices"
	PhaseAdjustments = "adjustments"
	PhaseRevRec      = "revrec" // delayed rev rec lines whose trigger date is now set
	PhaseDone        = "done"

	// Money movement (issue 16): on Invoice Settlement tenants debit and
	// credit memos follow the invoices; payments and refunds follow every
	// document they can point at.
	PhaseDebitMemos  = "debitmemos"
	PhaseCreditMemos = "creditmemos"
	PhasePayments    = "payments"
	PhaseRefunds     = "refunds"
)

// AllPhases is the order a run goes through: the reference order
// (zuora-connector-money-sync.md §0.1). On Invoice Settlement debit and credit
// memos follow the invoices; without it they are off and the adjustments come
// after the refunds. Payments come after every document they can be applied
// to; refunds after the payments they refund; NetSuite payments to Zuora
// after every Zuora → NetSuite step (§0.1: step 8 without IS, after the
// adjustments; step 9 with IS). Rev rec stays last.
var AllPhases = []string{
	PhaseCustomers, PhaseCatalog, PhaseInvoices, PhaseDebitMemos, PhaseCreditMemos,
	PhasePayments, PhaseRefunds, PhaseAdjustments, PhaseNetSuitePayments, PhaseNetSuiteRefunds, PhaseRevRec,
}

// legacyPhases is the order of runs begun before the money phases
// (versionMoneyOrder): replaying them must issue the same commands.
var legacyPhases = []string{PhaseCustomers, PhaseCatalog, PhaseInvoices, PhaseAdjustments, PhaseRevRec}

// versionMoneyOrder guards the reference run order (docs/operations.md).
const versionMoneyOrder = "run-order-money-phases"

// childPhase is a phase that syncs each selected record in its own child
// workflow. Workflow types and activities are named, not referenced, so this
// table is the one place a new record type plugs into a run.
type childPhase struct {
	recordType     string
	selectActivity string // returns SelectResult pages (keyset by id)
	workflowType   string // child workflow; its result has outcome, reason and a number
	workflowID     func(zuoraID string) string
	input          func(rec SelectedRecord, s settings.Settings) any
}

// childPhases: the phases run as one child workflow per record. A phase listed
// in AllPhases but absent here and not handled in run() is a programming error.
var childPhases = map[string]childPhase{
	PhaseCustomers: {
		recordType: RecordCustomer, selectActivity: ActivitySelectCustomers, workflowType: WorkflowCustomerSync,
		workflowID: CustomerWorkflowID,
		input: func(rec SelectedRecord, s settings.Settings) any {
			return CustomerSyncInput{ID: rec.ID, Settings: s}
		},
	},
	PhaseCatalog: {
		recordType: RecordCharge, selectActivity: ActivitySelectCharges, workflowType: WorkflowCatalogSync,
		workflowID: ChargeWorkflowID,
		input: func(rec SelectedRecord, s settings.Settings) any {
			return CatalogSyncInput{ChargeID: rec.ID, Settings: s}
		},
	},
	PhaseInvoices: {
		recordType: RecordInvoice, selectActivity: ActivitySelectInvoices, workflowType: WorkflowInvoiceSync,
		workflowID: InvoiceWorkflowID,
		input: func(rec SelectedRecord, s settings.Settings) any {
			return InvoiceSyncInput{InvoiceID: rec.ID, Settings: s}
		},
	},
	PhasePayments: {
		recordType: RecordPayment, selectActivity: ActivitySelectPayments, workflowType: WorkflowPaymentSync,
		workflowID: PaymentWorkflowID,
		input: func(rec SelectedRecord, s settings.Settings) any {
			return PaymentSyncInput{PaymentID: rec.ID, Settings: s}
		},
	},
	PhaseAdjustments: {
		recordType: RecordAdjustment, selectActivity: ActivitySelectAdjustments, workflowType: WorkflowAdjustmentSync,
		workflowID: AdjustmentWorkflowID,
		input: func(rec SelectedRecord, s settings.Settings) any {
			return AdjustmentSyncInput{AdjustmentID: rec.ID, Settings: s}
		},
	},
}

// childOutcome is the part of every record workflow's result a run reads.
type childOutcome = RecordOutcome

// maxErrorsInResult bounds the errors a run's result lists; the rest are
// counted (every errored record also carries its reason in Zuora).
const maxErrorsInResult = 200

// SyncRunInput starts a sync run. Settings are the settings this run uses;
// they contain no secrets and stay visible in the run's input.
type SyncRunInput struct {
	Settings settings.Settings `json:"settings"`
	// Only limits the run to these phases (empty: all).
	Only []string `json:"only,omitempty"`
	// State is set by continue-as-new.
	State *SyncRunState `json:"state,omitempty"`
}

// SyncRunState is what a run carries across continue-as-new.
type SyncRunState struct {
	Phase         string        `json:"phase"`
	AfterID       string        `json:"afterId,omitempty"` // selection cursor in the current phase
	Progress      RunProgress   `json:"progress"`
	Errors        []RecordError `json:"errors,omitempty"`
	ErrorsOmitted int           `json:"errorsOmitted,omitempty"`
	Disabled      []string      `json:"disabled,omitempty"`
	// DisabledReasons says why each phase in Disabled is off.
	DisabledReasons map[string]string `json:"disabledReasons,omitempty"`
	ContinuedAsNew  int               `json:"continuedAsNew"`
	// Tenant is what the tenant said at the run chain's start (nil: a run
	// begun by code that did not ask; tenant_facts.go).
	Tenant *TenantFacts `json:"tenant,omitempty"`
}

// RunProgress is the run's tallies per record type.
type RunProgress struct {
	Customers   Counts `json:"customers"`
	Charges     Counts `json:"charges"`
	Invoices    Counts `json:"invoices"`
	Adjustments Counts `json:"adjustments"`
	RevRec      Counts `json:"revrec"`
	DebitMemos  Counts `json:"debitMemos"`
	CreditMemos Counts `json:"creditMemos"`
	Payments    Counts `json:"payments"`
	Refunds     Counts `json:"refunds"`
	// NetSuitePayments are NetSuite customer payments synced to Zuora.
	NetSuitePayments Counts `json:"netsuitePayments"`
	// NetSuiteRefunds are NetSuite customer refunds synced to Zuora.
	NetSuiteRefunds Counts `json:"netsuiteRefunds"`
}

// SyncRunStatus answers the progress query.
type SyncRunStatus struct {
	Phase    string      `json:"phase"`
	InFlight int         `json:"inFlight"`
	Progress RunProgress `json:"progress"`
}

// SyncRunResult is a finished run's summary.
type SyncRunResult struct {
	Progress      RunProgress   `json:"progress"`
	Errors        []RecordError `json:"errors,omitempty"`
	ErrorsOmitted int           `json:"errorsOmitted,omitempty"`
	Disabled      []string      `json:"disabled,omitempty"` // phases off by settings
	// DisabledReasons says why each phase in Disabled is off.
	DisabledReasons map[string]string `json:"disabledReasons,omitempty"`
	// InvoiceSettlement is the tenant's answer this run used (tenant_facts.go).
	InvoiceSettlement bool `json:"invoiceSettlement"`
	ContinuedAsNew    int  `json:"continuedAsNew"`
}

// RevRecInput asks for the next page of delayed rev rec lines to update.
type RevRecInput struct {
	Settings settings.Settings `json:"settings"`
	AfterID  string            `json:"afterId,omitempty"`
	Limit    int               `json:"limit"`
}

// RevRecResult is one page of rev rec updates.
type RevRecResult struct {
	Updated int           `json:"updated"`
	Errors  []RecordError `json:"errors,omitempty"`
	LastID  string        `json:"lastId,omitempty"`
	Done    bool          `json:"done"`
}

// SyncRunWorkflow is one run of the connector: it selects eligible records
// page by page and syncs each in its own child workflow, a bounded window of
// them at a time, continuing as new before its history grows large.
func SyncRunWorkflow(ctx workflow.Context, in SyncRunInput) (SyncRunResult, error) {
	r := &syncRun{in: in, order: legacyPhases}
	if workflow.GetVersion(ctx, versionMoneyOrder, workflow.DefaultVersion, 1) == 1 {
		r.order = AllPhases
		if workflow.GetVersion(ctx, versionNetSuitePayments, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			r.order = without(r.order, PhaseNetSuitePayments)
		}
		if workflow.GetVersion(ctx, versionNetSuiteRefunds, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			r.order = without(r.order, PhaseNetSuiteRefunds)
		}
	}
	r.state = SyncRunState{Phase: firstPhase(r.order, in.Only)}
	if in.State != nil {
		r.state = *in.State
	}
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (SyncRunStatus, error) {
		return SyncRunStatus{Phase: r.state.Phase, InFlight: r.inFlight, Progress: r.state.Progress}, nil
	}); err != nil {
		return SyncRunResult{}, err
	}
	if err := r.readTenantFacts(ctx); err != nil {
		return SyncRunResult{}, err
	}
	return r.run(ctx)
}

type syncRun struct {
	in       SyncRunInput
	order    []string // AllPhases, or legacyPhases replaying an older run
	state    SyncRunState
	inFlight int
	// pending are the running record children, in start order; a cancelled
	// run waits for them (drainAfterCancel).
	pending []pendingChild
}

type pendingChild struct {
	id     string
	future workflow.Future
	done   func(workflow.Future)
}

func (r *syncRun) run(ctx workflow.Context) (SyncRunResult, error) {
	for r.state.Phase != PhaseDone {
		if !r.enabled(ctx, r.state.Phase) {
			r.advance()
			continue
		}
		var err error
		if phase, ok := childPhases[r.state.Phase]; ok {
			err = r.syncChildren(ctx, phase)
		} else if r.state.Phase == PhaseRevRec {
			err = r.updateRevRec(ctx)
		} else {
			return SyncRunResult{}, temporal.NewNonRetryableApplicationError("unknown phase "+r.state.Phase, "BadInput", nil)
		}
		if err != nil {
			if ctx.Err() != nil || temporal.IsCanceledError(err) {
				return SyncRunResult{}, r.drainAfterCancel(ctx)
			}
			return SyncRunResult{}, err
		}
		if ctx.Err() != nil {
			return SyncRunResult{}, r.drainAfterCancel(ctx)
		}
		r.advance()
	}
	if r.in.Settings.Run.ReconcileAfterSync {
		reconcileAfterSync(ctx, r.in.Settings)
	}
	return r.result(), nil
}

func (r *syncRun) result() SyncRunResult {
	return SyncRunResult{
		Progress: r.state.Progress, Errors: r.state.Errors, ErrorsOmitted: r.state.ErrorsOmitted,
		Disabled: r.state.Disabled, DisabledReasons: r.state.DisabledReasons,
		InvoiceSettlement: r.in.Settings.Advanced.InvoiceSettlement, ContinuedAsNew: r.state.ContinuedAsNew,
	}
}

// drainAfterCancel ends a cancelled run (real-api-gaps.md T3): nothing new is
// selected or started; the record children in flight were started on a
// disconnected context, so the cancellation does not reach them, and each
// finishes its record (no invoice is left Processing or half-written); their
// outcomes are counted, then the run closes as Canceled with its counts as
// the cancellation's details.
func (r *syncRun) drainAfterCancel(ctx workflow.Context) error {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	for len(r.pending) > 0 {
		// A fresh selector each time: a finished child may hand its record
		// to a wait for another workflow (awaitRunning), a new future.
		sel := workflow.NewSelector(dctx)
		for _, p := range r.pending {
			sel.AddFuture(p.future, p.done)
		}
		workflow.SetCurrentDetails(dctx, fmt.Sprintf("cancelled: waiting for %d records in flight to finish", len(r.pending)))
		sel.Select(dctx)
	}
	workflow.GetLogger(ctx).Info("sync run cancelled; records in flight finished", "progress", r.state.Progress)
	return temporal.NewCanceledError(r.result())
}

func firstPhase(order, only []string) string {
	for _, p := range order {
		if len(only) == 0 || contains(only, p) {
			return p
		}
	}
	return PhaseDone
}

func (r *syncRun) advance() {
	r.state.AfterID = ""
	for i, p := range r.order {
		if p == r.state.Phase {
			for _, next := range r.order[i+1:] {
				if len(r.in.Only) == 0 || contains(r.in.Only, next) {
					r.state.Phase = next
					return
				}
			}
		}
	}
	r.state.Phase = PhaseDone
}

// enabled applies the tenant's facts and the advanced settings that switch a
// sync off; a phase off is reported in the result with its reason, never
// silently skipped.
func (r *syncRun) enabled(ctx workflow.Context, phase string) bool {
	why := phaseOff(phase, r.in.Settings)
	if why == "" && phase == PhasePayments && r.in.Settings.Advanced.InvoiceSettlement && !paymentsOnISBuilt(ctx) {
		why = paymentsOnISNotBuilt // a run recorded before IS payments were built replays as it ran
	}
	if why == "" && phase == PhaseRefunds && r.in.Settings.Advanced.InvoiceSettlement && !refundsOnISBuilt(ctx) {
		why = refundsOnISNotBuilt // a run recorded before IS refunds were built replays as it ran
	}
	if why == "" && phase == PhaseNetSuitePayments && r.in.Settings.Advanced.InvoiceSettlement && !nsPaymentsOnISBuilt(ctx) {
		why = nsPaymentsOnISNotBuilt // a run recorded before NetSuite payments on IS were built replays as it ran
	}
	if why == "" && phase == PhaseNetSuiteRefunds && r.in.Settings.Advanced.InvoiceSettlement && !nsRefundsOnISBuilt(ctx) {
		why = nsRefundsOnISNotBuilt // likewise for NetSuite refunds
	}
	if why == "" && phase == PhaseRefunds && workflow.GetVersion(ctx, versionRefundSync, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		why = notBuilt // a run recorded before the refund sync replays as it ran
	}
	if why == "" {
		return true
	}
	r.state.Disabled = append(r.state.Disabled, phase)
	if r.state.DisabledReasons == nil {
		r.state.DisabledReasons = map[string]string{}
	}
	r.state.DisabledReasons[phase] = why
	return false
}

// notBuilt: a phase of the reference order this worker has no sync for.
const notBuilt = "not built into this version of the connector"

// phaseOff is why a phase does not run with these settings ("" = it runs).
// s.Advanced.InvoiceSettlement is the tenant's answer at the run's start
// (tenant_facts.go), not the settings file's.
func phaseOff(phase string, s settings.Settings) string {
	adv := s.Advanced
	_, built := childPhases[phase]
	switch phase {
	case PhaseCustomers, PhaseCatalog:
		if !built {
			return notBuilt
		}
	case PhaseInvoices:
		if adv.DisableInvoiceSync {
			return "the invoice sync is disabled in the advanced settings"
		}
	case PhaseDebitMemos, PhaseCreditMemos:
		// Memos exist only on Invoice Settlement tenants (§0.1).
		if !adv.InvoiceSettlement {
			return "the tenant is not on Invoice Settlement: it has no credit or debit memos to sync"
		}
		switch {
		case phase == PhaseDebitMemos && adv.DisableDebitMemoSync:
			return "the debit memo sync is disabled in the advanced settings"
		case phase == PhaseCreditMemos && adv.DisableCreditMemoSync:
			return "the credit memo sync is disabled in the advanced settings"
		case phase == PhaseCreditMemos && !adv.UseStandardInvoiceSync:
			// §0.2: with No only invoices and debit memos go to NetSuite.
			return "Use Standard Invoice Sync is No (NetSuite calculates taxes): credit memos are not synced"
		}
		if !built {
			return notBuilt
		}
	case PhasePayments, PhaseRefunds:
		// §0.2: with Use Standard Invoice Sync = No NetSuite re-taxes the
		// documents, so payments and refunds would not match them.
		switch {
		case !adv.UseStandardInvoiceSync:
			return "Use Standard Invoice Sync is No (NetSuite calculates taxes): payments and refunds are not synced"
		case phase == PhasePayments && adv.DisablePaymentSync:
			return "the payment sync is disabled in the advanced settings"
		case phase == PhaseRefunds && adv.DisableRefundSync:
			return "the refund sync is disabled in the advanced settings"
		case !built:
			return notBuilt
		}
	case PhaseNetSuitePayments:
		return netSuitePaymentsOff(s)
	case PhaseNetSuiteRefunds:
		return netSuiteRefundsOff(s)
	case PhaseAdjustments:
		// The IIA sync does not run when disabled, when NetSuite calculates
		// taxes (Use Standard Invoice Sync = No) or once the tenant is on
		// Invoice Settlement (seed iia-transaction-sync; IS migration).
		if why := adjustmentDisabled(s); why != "" {
			return why
		}
		if !built {
			return notBuilt
		}
	case PhaseRevRec:
		if adv.DisableInvoiceSync {
			return "the invoice sync is disabled in the advanced settings"
		}
		if !adv.NetSuiteRevRec {
			return "NetSuite revenue recognition is off in the advanced settings"
		}
	}
	return ""
}

func (r *syncRun) counts(recordType string) *Counts {
	return r.state.Progress.of(recordType)
}

// of is a record type's tallies.
func (p *RunProgress) of(recordType string) *Counts {
	switch recordType {
	case RecordCustomer:
		return &p.Customers
	case RecordCharge:
		return &p.Charges
	case RecordInvoice:
		return &p.Invoices
	case RecordAdjustment:
		return &p.Adjustments
	case RecordDebitMemo:
		return &p.DebitMemos
	case RecordCreditMemo:
		return &p.CreditMemos
	case RecordPayment:
		return &p.Payments
	case RecordRefund:
		return &p.Refunds
	case RecordNetSuitePayment:
		return &p.NetSuitePayments
	case RecordNetSuiteRefund:
		return &p.NetSuiteRefunds
	default:
		return &p.RevRec
	}
}

func (r *syncRun) recordError(e RecordError) {
	if len(r.state.Errors) < maxErrorsInResult {
		r.state.Errors = append(r.state.Errors, e)
		return
	}
	r.state.ErrorsOmitted++
}

func selectOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		// Above the clients' 2-minute request timeout; the activity beats in
		// the background all along (activities/liveness.go).
		HeartbeatTimeout: 3 * time.Minute,
		// Retries end: a refused credential or a 4xx fails at once
		// (non-retryable), an outage after about an hour of attempts.
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 2 * time.Minute, MaximumAttempts: 30,
		},
	}
}

// syncChildren runs one child workflow per eligible record of a type, at most
// Window in flight. The selection cursor only moves past records whose child
// has started, so continue-as-new loses nothing.
func (r *syncRun) syncChildren(ctx workflow.Context, phase childPhase) error {
	recordType := phase.recordType
	run := r.in.Settings.Run
	window := max(run.Window, 1)
	perContinue := run.ChildrenPerContinue
	if perContinue <= 0 {
		perContinue = recordedDefault(ctx, func() int { return settings.Default().Run.ChildrenPerContinue })
		r.in.Settings.Run.ChildrenPerContinue = perContinue // carried by continue-as-new
	}
	pageSize := max(2*window, 100)
	counts := r.counts(recordType)
	selectCtx := workflow.WithActivityOptions(ctx, selectOptions())

	var buffer []SelectedRecord
	selectionDone := false
	started := 0
	selector := workflow.NewSelector(ctx)
	// A cancellation wakes the wait below; the run then drains (run()).
	selector.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})

	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if len(buffer) == 0 && !selectionDone && started < perContinue {
			var page SelectResult
			if err := workflow.ExecuteActivity(selectCtx, phase.selectActivity, SelectInput{
				Settings: r.in.Settings, AfterID: r.state.AfterID, Limit: pageSize,
			}).Get(ctx, &page); err != nil {
				return fmt.Errorf("selecting %ss after %q: %w", recordType, r.state.AfterID, err)
			}
			buffer, selectionDone = page.Records, page.Done
		}
		for r.inFlight < window && len(buffer) > 0 && started < perContinue {
			rec := buffer[0]
			buffer = buffer[1:]
			r.startChild(ctx, selector, phase, rec, counts)
			r.state.AfterID = rec.ID
			started++
		}
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("%s: %d selected, %d synced, %d errors, %d ignored, %d in flight",
			recordType, counts.Selected, counts.Synced, counts.Errored, counts.Ignored, r.inFlight))
		if r.inFlight == 0 {
			if len(buffer) == 0 && selectionDone {
				return nil
			}
			// Window drained at the continue-as-new mark (or the history is
			// getting long): start afresh from the cursor.
			if started >= perContinue || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
				return r.continueAsNew(ctx)
			}
			continue
		}
		selector.Select(ctx)
	}
}

func (r *syncRun) startChild(ctx workflow.Context, selector workflow.Selector, phase childPhase, rec SelectedRecord, counts *Counts) {
	recordType := phase.recordType
	// Disconnected: cancelling the run must not cancel a record mid-write.
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	cctx := workflow.WithChildOptions(dctx, workflow.ChildWorkflowOptions{
		WorkflowID:            phase.workflowID(rec.ID),
		TypedSearchAttributes: recordSearchAttributes(recordType, rec),
		StaticSummary:         RecordSummary(recordType, rec),
		TaskQueue:             workflow.GetInfo(ctx).TaskQueueName,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		// A record being written finishes even if its run is terminated: half
		// a ledger entry is worse than a late one.
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	counts.Selected++
	r.inFlight++
	future := workflow.ExecuteChildWorkflow(cctx, phase.workflowType, phase.input(rec, r.in.Settings))
	done := func(f workflow.Future) {
		r.inFlight--
		r.forget(rec.ID)
		var res childOutcome
		err := f.Get(dctx, &res)
		var already *temporal.ChildWorkflowExecutionAlreadyStartedError
		switch {
		case errors.As(err, &already) && workflow.GetVersion(ctx, versionAwaitRunning, workflow.DefaultVersion, 1) == 1:
			r.awaitRunning(dctx, selector, recordType, phase.workflowID(rec.ID), rec, counts)
		case errors.As(err, &already):
			counts.add(OutcomeSkipped)
		case err != nil:
			counts.add(OutcomeError)
			r.recordError(RecordError{Type: recordType, ID: rec.ID, Number: rec.Number,
				Reason: "sync workflow failed, the record stays Processing for the next run: " + errorMessage(err)})
		default:
			counts.add(res.Outcome)
			if res.Outcome == OutcomeError {
				r.recordError(RecordError{Type: recordType, ID: rec.ID, Number: firstNonEmpty(res.Number, res.InvoiceNumber, rec.Number), Reason: res.Reason})
			}
		}
	}
	r.pending = append(r.pending, pendingChild{id: rec.ID, future: future, done: done})
	selector.AddFuture(future, done)
}

// awaitRunning waits for the workflow already syncing rec and counts its
// outcome as this run's (it stays in flight, within the window, meanwhile).
func (r *syncRun) awaitRunning(dctx workflow.Context, selector workflow.Selector, recordType, workflowID string, rec SelectedRecord, counts *Counts) {
	r.inFlight++
	future := workflow.ExecuteActivity(workflow.WithActivityOptions(dctx, awaitOptions()), ActivityAwaitRecordSync, AwaitRecordInput{WorkflowID: workflowID})
	done := func(f workflow.Future) {
		r.inFlight--
		r.forget(rec.ID)
		var res RecordOutcome
		if err := f.Get(dctx, &res); err != nil {
			counts.add(OutcomeError)
			r.recordError(RecordError{Type: recordType, ID: rec.ID, Number: rec.Number,
				Reason: "the record's sync by workflow " + workflowID + " (started elsewhere) did not finish: " + errorMessage(err)})
			return
		}
		counts.add(res.Outcome)
		if res.Outcome == OutcomeError {
			r.recordError(RecordError{Type: recordType, ID: rec.ID, Number: firstNonEmpty(res.Number, res.InvoiceNumber, rec.Number), Reason: res.Reason})
		}
	}
	r.pending = append(r.pending, pendingChild{id: rec.ID, future: future, done: done})
	selector.AddFuture(future, done)
}

func (r *syncRun) forget(id string) {
	for i, p := range r.pending {
		if p.id == id {
			r.pending = append(r.pending[:i], r.pending[i+1:]...)
			return
		}
	}
}

func (r *syncRun) updateRevRec(ctx workflow.Context) error {
	actx := workflow.WithActivityOptions(ctx, selectOptions())
	counts := &r.state.Progress.RevRec
	for pages := 0; ; pages++ {
		var page RevRecResult
		if err := workflow.ExecuteActivity(actx, ActivityUpdateRevRec, RevRecInput{
			Settings: r.in.Settings, AfterID: r.state.AfterID, Limit: 200,
		}).Get(ctx, &page); err != nil {
			return fmt.Errorf("updating delayed revenue recognition after %q: %w", r.state.AfterID, err)
		}
		counts.Selected += page.Updated + len(page.Errors)
		counts.Synced += page.Updated
		counts.Errored += len(page.Errors)
		for _, e := range page.Errors {
			r.recordError(e)
		}
		r.state.AfterID = page.LastID
		if page.Done {
			return nil
		}
		if pages >= 500 || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return r.continueAsNew(ctx)
		}
	}
}

func (r *syncRun) continueAsNew(ctx workflow.Context) error {
	state := r.state
	state.ContinuedAsNew++
	return workflow.NewContinueAsNewError(ctx, SyncRunWorkflow, SyncRunInput{
		Settings: r.in.Settings, Only: r.in.Only, State: &state,
	})
}

// without is list less one value (a new slice).
func without(list []string, drop string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		if v != drop {
			out = append(out, v)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// phaseOfRecord is the phase that syncs each record type.
var phaseOfRecord = map[string]string{
	RecordCustomer: PhaseCustomers, RecordCharge: PhaseCatalog, RecordInvoice: PhaseInvoices, RecordAdjustment: PhaseAdjustments,
	RecordPayment: PhasePayments,
}

// RecordSync says how to sync one record on its own (the starter's "sync
// <type> <id>", or the temporal CLI): the workflow id, type and input a run
// would use for it, so a record synced alone and by a run never overlap.
func RecordSync(recordType, id string, s settings.Settings) (workflowID, workflowType string, input any, err error) {
	phase, ok := childPhases[phaseOfRecord[recordType]]
	if !ok || id == "" {
		return "", "", nil, fmt.Errorf("no %q record sync (record types: customer, charge, invoice, adjustment, payment, refund, debitmemo, creditmemo, nspayment, nsrefund; id required)", recordType)
	}
	return phase.workflowID(id), phase.workflowType, phase.input(SelectedRecord{ID: id}, s), nil
}

// OfPhase is the tallies of the records a phase syncs.
func (p RunProgress) OfPhase(phase string) Counts {
	for recordType, ph := range phaseOfRecord {
		if ph == phase {
			return *p.of(recordType)
		}
	}
	return p.RevRec
}
