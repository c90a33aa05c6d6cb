package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// Invoice Settlement memos (issue 16; reference zuora-connector-money-sync.md
// §6 credit memos, §7 debit memos). Each memo syncs in its own child
// workflow, in steps that each repeat safely (reads, a Zuora write-back that
// sets values, one NetSuite write keyed by the memo's external id), so a
// crash between the NetSuite write and the write-back makes nothing twice.

// Workflow types, activities and workflow ids of the memo syncs.
const (
	WorkflowDebitMemoSync = "DebitMemoSyncWorkflow"

	ActivitySelectDebitMemos        = "SelectDebitMemos"
	ActivityPrepareDebitMemo        = "PrepareDebitMemo"
	ActivityMarkDebitMemoProcessing = "MarkDebitMemoProcessing"
	ActivityWriteDebitMemo          = "WriteDebitMemo"
	ActivityCompleteDebitMemo       = "CompleteDebitMemo"
	ActivityMarkDebitMemoFailed     = "MarkDebitMemoFailed"
)

// DebitMemoWorkflowID is the workflow id of one debit memo's sync.
func DebitMemoWorkflowID(zuoraDebitMemoID string) string { return "debitmemo:" + zuoraDebitMemoID }

// The memo phases plug into a run here (their place in AllPhases is the
// run order's business: after invoices, debit memos then credit memos, on
// Invoice Settlement tenants only).
func init() {
	childPhases[PhaseDebitMemos] = childPhase{
		recordType: RecordDebitMemo, selectActivity: ActivitySelectDebitMemos, workflowType: WorkflowDebitMemoSync,
		workflowID: DebitMemoWorkflowID,
		input: func(rec SelectedRecord, s settings.Settings) any {
			return DebitMemoSyncInput{DebitMemoID: rec.ID, Settings: s}
		},
	}
	phaseOfRecord[RecordDebitMemo] = PhaseDebitMemos
}

// DebitMemoSyncInput starts one debit memo's sync.
type DebitMemoSyncInput struct {
	DebitMemoID string            `json:"debitMemoId"`
	Settings    settings.Settings `json:"settings"`
}

// DebitMemoPlan is what PrepareDebitMemo decided: go ahead (Outcome empty)
// or stop (skipped / ignored / error) with the reason.
type DebitMemoPlan struct {
	DebitMemoID   string `json:"debitMemoId"`
	Number        string `json:"number,omitempty"`
	AccountNumber string `json:"accountNumber,omitempty"`
	Lines         int    `json:"lines"`
	Outcome       string `json:"outcome,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// DebitMemoStepInput is the input of the steps after PrepareDebitMemo.
type DebitMemoStepInput struct {
	Settings   settings.Settings `json:"settings"`
	Plan       DebitMemoPlan     `json:"plan"`
	NetSuiteID string            `json:"netsuiteId,omitempty"` // set once the NetSuite invoice exists
}

// DebitMemoSyncResult is a debit memo sync's outcome; outcome, reason and
// number are what a run reads (childOutcome).
type DebitMemoSyncResult struct {
	DebitMemoID   string `json:"debitMemoId"`
	Number        string `json:"number,omitempty"`
	AccountNumber string `json:"accountNumber,omitempty"`
	Outcome       string `json:"outcome"`
	Reason        string `json:"reason,omitempty"`
	NetSuiteID    string `json:"netsuiteId,omitempty"` // the NetSuite invoice
	Lines         int    `json:"lines"`
}

// DebitMemoSyncWorkflow syncs one Zuora debit memo to a NetSuite invoice
// (§7.3): validate, mark Processing / Creating Debit Memo, write the
// NetSuite invoice by the memo's external id, then write back the NetSuite
// id, Sync Complete and Transferred To Accounting = Yes. Its workflow id is
// DebitMemoWorkflowID, so a memo never syncs twice at once.
func DebitMemoSyncWorkflow(ctx workflow.Context, in DebitMemoSyncInput) (DebitMemoSyncResult, error) {
	ensureRecordSearchAttributes(ctx, RecordDebitMemo, in.DebitMemoID)
	res := DebitMemoSyncResult{DebitMemoID: in.DebitMemoID}
	step := "validating"
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (DebitMemoSyncResult, error) {
		r := res
		if r.Outcome == "" {
			r.Reason = step
		}
		return r, nil
	}); err != nil {
		return res, err
	}
	ctx = workflow.WithActivityOptions(ctx, adjustmentActivityOptions())
	fail := func(reason string) (DebitMemoSyncResult, error) {
		if err := failRecord(ctx, ActivityMarkDebitMemoFailed, RecordDebitMemo, in.DebitMemoID, reason); err != nil {
			return DebitMemoSyncResult{}, err
		}
		res.Outcome, res.Reason = OutcomeError, reason
		return res, nil
	}

	var plan DebitMemoPlan
	if err := workflow.ExecuteActivity(ctx, ActivityPrepareDebitMemo, in).Get(ctx, &plan); err != nil {
		return fail("the sync could not finish: " + errorMessage(err))
	}
	res.Number, res.AccountNumber, res.Lines = plan.Number, plan.AccountNumber, plan.Lines
	if plan.Outcome != "" {
		// Prepare recorded Error / Ignore on the memo itself (or left a
		// skipped memo as it is).
		res.Outcome, res.Reason = plan.Outcome, plan.Reason
		markOutcome(ctx, res.Outcome)
		return res, nil
	}

	si := DebitMemoStepInput{Settings: in.Settings, Plan: plan}
	var done DebitMemoSyncResult
	failure := runMemoSteps(ctx, debitMemoSteps, &step, &si, &si.NetSuiteID, &done)
	res.NetSuiteID = si.NetSuiteID
	if failure != "" {
		return fail(failure)
	}
	res.Outcome, res.Reason = done.Outcome, done.Reason
	markOutcome(ctx, res.Outcome)
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** %s: %s as NetSuite invoice %s", in.DebitMemoID, plan.Number, res.Outcome, si.NetSuiteID))
	return res, nil
}

// memoSteps are the activities after a memo's prepare step: debit memos
// (§7.3) and credit memos (§6.3) go through the same three, each with its own
// activity names and NetSuite record.
type memoSteps struct {
	markProcessing, write, complete string
	netsuiteRecord                  string // "NetSuite invoice" / "NetSuite credit memo", for reasons
	writeFailed                     string // what the reason says when the write failed
}

var (
	debitMemoSteps = memoSteps{markProcessing: ActivityMarkDebitMemoProcessing, write: ActivityWriteDebitMemo,
		complete: ActivityCompleteDebitMemo, netsuiteRecord: "NetSuite invoice", writeFailed: "could not be created"}
	creditMemoSteps = memoSteps{markProcessing: ActivityMarkCreditMemoProcessing, write: ActivityWriteCreditMemo,
		complete: ActivityCompleteCreditMemo, netsuiteRecord: "NetSuite credit memo", writeFailed: "could not be written"}
)

// runMemoSteps marks the memo Processing, writes its NetSuite record (the
// id lands in *netsuiteID, a field of *stepInput, so the last step carries
// it) and writes back Sync Complete into *done. It returns the reason the
// memo ends in Error, or "" when every step finished; *step follows along
// for the progress query.
func runMemoSteps(ctx workflow.Context, m memoSteps, step *string, stepInput any, netsuiteID *string, done any) string {
	*step = "marking Processing"
	if err := workflow.ExecuteActivity(ctx, m.markProcessing, stepInput).Get(ctx, nil); err != nil {
		return "the sync could not finish: " + errorMessage(err)
	}
	*step = "writing the " + m.netsuiteRecord
	if err := workflow.ExecuteActivity(ctx, m.write, stepInput).Get(ctx, netsuiteID); err != nil {
		return "the " + m.netsuiteRecord + " " + m.writeFailed + ": " + errorMessage(err)
	}
	*step = "writing back Sync Complete"
	if err := workflow.ExecuteActivity(ctx, m.complete, stepInput).Get(ctx, done); err != nil {
		return fmt.Sprintf("%s %s exists, but the sync could not finish: %s", m.netsuiteRecord, *netsuiteID, errorMessage(err))
	}
	return ""
}

// failRecord records Error with the reason on a Zuora record through the
// activity named markActivity. When Zuora cannot be written either the
// workflow fails and the record stays Processing, which the next run selects
// again (error recovery, §0.3).
func failRecord(ctx workflow.Context, markActivity, recordType, id, reason string) error {
	failCtx := cleanupContext(ctx)
	if err := workflow.ExecuteActivity(failCtx, markActivity, MarkFailedInput{RecordType: recordType, ID: id, Reason: reason}).Get(failCtx, nil); err != nil {
		return temporal.NewApplicationError(reason, "SyncFailed")
	}
	markOutcome(ctx, OutcomeError)
	return nil
}

// Credit memos (§6).
const (
	WorkflowCreditMemoSync = "CreditMemoSyncWorkflow"

	ActivitySelectCreditMemos        = "SelectCreditMemos"
	ActivityPrepareCreditMemo        = "PrepareCreditMemo"
	ActivityMarkCreditMemoProcessing = "MarkCreditMemoProcessing"
	ActivityWriteCreditMemo          = "WriteCreditMemo"
	ActivityCompleteCreditMemo       = "CompleteCreditMemo"
	ActivityMarkCreditMemoFailed     = "MarkCreditMemoFailed"
)

// CreditMemoWorkflowID is the workflow id of one credit memo's sync.
func CreditMemoWorkflowID(zuoraCreditMemoID string) string { return "creditmemo:" + zuoraCreditMemoID }

func init() {
	childPhases[PhaseCreditMemos] = childPhase{
		recordType: RecordCreditMemo, selectActivity: ActivitySelectCreditMemos, workflowType: WorkflowCreditMemoSync,
		workflowID: CreditMemoWorkflowID,
		input: func(rec SelectedRecord, s settings.Settings) any {
			return CreditMemoSyncInput{CreditMemoID: rec.ID, Settings: s}
		},
	}
	phaseOfRecord[RecordCreditMemo] = PhaseCreditMemos
}

// CreditMemoSyncInput starts one credit memo's sync.
type CreditMemoSyncInput struct {
	CreditMemoID string            `json:"creditMemoId"`
	Settings     settings.Settings `json:"settings"`
}

// CreditMemoPlan is what PrepareCreditMemo decided. Mode is create (the
// NetSuite credit memo with its lines and applications) or applications
// (the memo is in NetSuite; Zuora applied more since: only the apply rows).
type CreditMemoPlan struct {
	CreditMemoID  string `json:"creditMemoId"`
	Number        string `json:"number,omitempty"`
	AccountNumber string `json:"accountNumber,omitempty"`
	Mode          string `json:"mode,omitempty"`
	NetSuiteID    string `json:"netsuiteId,omitempty"` // applications mode: the synced NetSuite credit memo
	Outcome       string `json:"outcome,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// CreditMemoStepInput is the input of the steps after PrepareCreditMemo.
type CreditMemoStepInput struct {
	Settings   settings.Settings `json:"settings"`
	Plan       CreditMemoPlan    `json:"plan"`
	NetSuiteID string            `json:"netsuiteId,omitempty"`
}

// CreditMemoSyncResult is a credit memo sync's outcome (number, outcome and
// reason are what a run reads). Applied is the total applied in NetSuite.
type CreditMemoSyncResult struct {
	CreditMemoID  string `json:"creditMemoId"`
	Number        string `json:"number,omitempty"`
	AccountNumber string `json:"accountNumber,omitempty"`
	Mode          string `json:"mode,omitempty"`
	Outcome       string `json:"outcome"`
	Reason        string `json:"reason,omitempty"`
	NetSuiteID    string `json:"netsuiteId,omitempty"`
	Applied       string `json:"applied,omitempty"`
}

// CreditMemoSyncWorkflow syncs one Zuora credit memo to a NetSuite credit
// memo applied to the NetSuite documents of its Zuora applications (§6.3):
// validate, mark Processing / Creating (or Updating) Credit Memo, write the
// record and its apply rows by the memo's external id, then write back the
// NetSuite id, Sync Complete and Yes. Its workflow id is CreditMemoWorkflowID.
func CreditMemoSyncWorkflow(ctx workflow.Context, in CreditMemoSyncInput) (CreditMemoSyncResult, error) {
	ensureRecordSearchAttributes(ctx, RecordCreditMemo, in.CreditMemoID)
	res := CreditMemoSyncResult{CreditMemoID: in.CreditMemoID}
	step := "validating"
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (CreditMemoSyncResult, error) {
		r := res
		if r.Outcome == "" {
			r.Reason = step
		}
		return r, nil
	}); err != nil {
		return res, err
	}
	ctx = workflow.WithActivityOptions(ctx, adjustmentActivityOptions())
	fail := func(reason string) (CreditMemoSyncResult, error) {
		if err := failRecord(ctx, ActivityMarkCreditMemoFailed, RecordCreditMemo, in.CreditMemoID, reason); err != nil {
			return CreditMemoSyncResult{}, err
		}
		res.Outcome, res.Reason = OutcomeError, reason
		return res, nil
	}

	var plan CreditMemoPlan
	if err := workflow.ExecuteActivity(ctx, ActivityPrepareCreditMemo, in).Get(ctx, &plan); err != nil {
		return fail("the sync could not finish: " + errorMessage(err))
	}
	res.Number, res.AccountNumber, res.Mode = plan.Number, plan.AccountNumber, plan.Mode
	if plan.Outcome != "" {
		res.Outcome, res.Reason = plan.Outcome, plan.Reason
		markOutcome(ctx, res.Outcome)
		return res, nil
	}

	si := CreditMemoStepInput{Settings: in.Settings, Plan: plan, NetSuiteID: plan.NetSuiteID}
	var done CreditMemoSyncResult
	failure := runMemoSteps(ctx, creditMemoSteps, &step, &si, &si.NetSuiteID, &done)
	res.NetSuiteID = si.NetSuiteID
	if failure != "" {
		return fail(failure)
	}
	res.Outcome, res.Reason, res.Applied = done.Outcome, done.Reason, done.Applied
	markOutcome(ctx, res.Outcome)
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** %s: %s as NetSuite credit memo %s (applied %s)", in.CreditMemoID, plan.Number, res.Outcome, si.NetSuiteID, res.Applied))
	return res, nil
}
