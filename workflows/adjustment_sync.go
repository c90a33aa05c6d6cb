package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// AdjustmentSyncInput starts one invoice item adjustment's sync.
type AdjustmentSyncInput struct {
	AdjustmentID string            `json:"adjustmentId"`
	Settings     settings.Settings `json:"settings"`
}

// AdjustmentPlan is what PrepareAdjustment decided: go ahead (Outcome empty)
// with a NetSuite record of RecordType related to the original invoice's
// record by Mode, or stop (skipped / error) with the reason.
type AdjustmentPlan struct {
	AdjustmentID  string `json:"adjustmentId"`
	Number        string `json:"number,omitempty"` // AdjustmentNumber
	InvoiceNumber string `json:"invoiceNumber,omitempty"`
	Type          string `json:"type,omitempty"` // Credit | Charge
	Outcome       string `json:"outcome,omitempty"`
	Reason        string `json:"reason,omitempty"`
	RecordType    string `json:"recordType,omitempty"` // NetSuite creditMemo | invoice
	Creating      string `json:"creating,omitempty"`   // Integration Status while the write is under way
	Mode          string `json:"mode,omitempty"`       // mapping.AdjustmentMode
	OriginalID    string `json:"originalId,omitempty"` // NetSuite id of the original invoice's record
	Note          string `json:"note,omitempty"`
}

// AdjustmentStepInput is the input of the steps after PrepareAdjustment.
type AdjustmentStepInput struct {
	Settings   settings.Settings `json:"settings"`
	Plan       AdjustmentPlan    `json:"plan"`
	NetSuiteID string            `json:"netsuiteId,omitempty"` // set once the NetSuite record exists
}

// AdjustmentWriteResult is what a NetSuite write of an adjustment did.
type AdjustmentWriteResult struct {
	NetSuiteID string `json:"netsuiteId,omitempty"`
	// AppliedTo / Applied: the application made (credit memo to invoice),
	// with the amount as a decimal string.
	AppliedTo string `json:"appliedTo,omitempty"`
	Applied   string `json:"applied,omitempty"`
	Note      string `json:"note,omitempty"`
}

// AdjustmentSyncResult is an adjustment sync's outcome. outcome, reason and
// number are what a run reads (childOutcome).
type AdjustmentSyncResult struct {
	AdjustmentID  string `json:"adjustmentId"`
	Number        string `json:"number,omitempty"`
	InvoiceNumber string `json:"invoiceNumber,omitempty"`
	Type          string `json:"type,omitempty"`
	Outcome       string `json:"outcome"`
	Reason        string `json:"reason,omitempty"`
	RecordType    string `json:"recordType,omitempty"`
	NetSuiteID    string `json:"netsuiteId,omitempty"`
	Mode          string `json:"mode,omitempty"`
	AppliedTo     string `json:"appliedTo,omitempty"`
	Applied       string `json:"applied,omitempty"`
	// Note: what a finance user should know about a synced adjustment (a
	// credit memo left standalone, an application smaller than the adjustment).
	Note string `json:"note,omitempty"`
}

// adjustmentDisabled mirrors mapping.AdjustmentSyncEnabled (workflows import
// no mapping code): the run switches the phase off, and a directly started
// adjustment workflow refuses with the same reasons.
func adjustmentDisabled(s settings.Settings) string {
	adv := s.Advanced
	switch {
	case adv.DisableIIASync:
		return "the invoice item adjustment sync is disabled in the advanced settings"
	case !adv.UseStandardInvoiceSync:
		return "the invoice item adjustment sync does not run when Use Standard Invoice Sync is off (NetSuite calculates taxes)"
	case adv.InvoiceSettlement:
		return "the tenant is on Invoice Settlement: invoice item adjustments are not synced (credit and debit memos are)"
	}
	return ""
}

// AdjustmentSyncWorkflow syncs one Zuora invoice item adjustment (seed
// iia-transaction-sync): validate, mark Processing / Creating Invoice|Credit
// Memo, upsert the NetSuite credit memo (Credit) or invoice (Charge) by the
// adjustment's external id, apply the original's credit memo to a Charge
// adjustment's invoice when the original invoice was negative, then write
// back the NetSuite id, Sync Complete and Transferred To Accounting = Yes.
// Each step repeats safely, so a crash between the NetSuite write and the
// Zuora write-back makes nothing twice. Its workflow id is AdjustmentWorkflowID.
func AdjustmentSyncWorkflow(ctx workflow.Context, in AdjustmentSyncInput) (AdjustmentSyncResult, error) {
	ensureRecordSearchAttributes(ctx, RecordAdjustment, in.AdjustmentID)
	res := AdjustmentSyncResult{AdjustmentID: in.AdjustmentID}
	step := "validating"
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (AdjustmentSyncResult, error) {
		r := res
		if r.Outcome == "" {
			r.Reason = step
		}
		return r, nil
	}); err != nil {
		return res, err
	}
	if why := adjustmentDisabled(in.Settings); why != "" {
		res.Outcome, res.Reason = OutcomeSkipped, why
		return res, nil
	}
	ctx = workflow.WithActivityOptions(ctx, adjustmentActivityOptions())

	var plan AdjustmentPlan
	if err := workflow.ExecuteActivity(ctx, ActivityPrepareAdjustment, in).Get(ctx, &plan); err != nil {
		return failAdjustment(ctx, res, "the sync could not finish: "+errorMessage(err))
	}
	res.Number, res.InvoiceNumber, res.Type = plan.Number, plan.InvoiceNumber, plan.Type
	res.RecordType, res.Mode, res.Note = plan.RecordType, plan.Mode, plan.Note
	switch plan.Outcome {
	case "":
	case OutcomeError:
		return failAdjustment(ctx, res, plan.Reason)
	default:
		res.Outcome, res.Reason = plan.Outcome, plan.Reason
		markOutcome(ctx, res.Outcome)
		return res, nil
	}

	step = "marking Processing"
	si := AdjustmentStepInput{Settings: in.Settings, Plan: plan}
	if err := workflow.ExecuteActivity(ctx, ActivityMarkAdjustmentProcessing, si).Get(ctx, nil); err != nil {
		return failAdjustment(ctx, res, "the sync could not finish: "+errorMessage(err))
	}

	step = "writing the NetSuite " + plan.RecordType
	var w AdjustmentWriteResult
	if err := workflow.ExecuteActivity(ctx, ActivityWriteAdjustment, si).Get(ctx, &w); err != nil {
		return failAdjustment(ctx, res, "the NetSuite "+recordName(plan.RecordType)+" could not be created: "+errorMessage(err))
	}
	si.NetSuiteID, res.NetSuiteID = w.NetSuiteID, w.NetSuiteID
	res.AppliedTo, res.Applied, res.Note = w.AppliedTo, w.Applied, joinNotes(res.Note, w.Note)

	if plan.Mode == ModeApplyOriginalCreditMemo {
		step = "applying the original credit memo"
		var ap AdjustmentWriteResult
		if err := workflow.ExecuteActivity(ctx, ActivityApplyOriginalCreditMemo, si).Get(ctx, &ap); err != nil {
			return failAdjustment(ctx, res, fmt.Sprintf("NetSuite invoice %s was created, but credit memo %s of invoice %s could not be applied to it: %s",
				w.NetSuiteID, plan.OriginalID, plan.InvoiceNumber, errorMessage(err)))
		}
		res.AppliedTo, res.Applied, res.Note = ap.AppliedTo, ap.Applied, joinNotes(res.Note, ap.Note)
	}

	step = "writing back Sync Complete"
	if err := workflow.ExecuteActivity(ctx, ActivityCompleteAdjustment, si).Get(ctx, nil); err != nil {
		return failAdjustment(ctx, res, fmt.Sprintf("NetSuite %s %s exists, but the sync could not finish: %s",
			recordName(plan.RecordType), w.NetSuiteID, errorMessage(err)))
	}
	res.Outcome = OutcomeSynced
	markOutcome(ctx, res.Outcome)
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("**%s** %s: synced as NetSuite %s %s", in.AdjustmentID, plan.Number, recordName(plan.RecordType), w.NetSuiteID))
	return res, nil
}

// adjustmentActivityOptions: each step is a few requests, so no heartbeat,
// and a short timeout so a step lost with its worker is retried soon (a
// timed-out step repeats safely); retries ride out outages of about half an
// hour, as an invoice's do, then the adjustment ends in Error with the reason
// and the next run retries it.
func adjustmentActivityOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    2 * time.Minute,
			MaximumAttempts:    25,
		},
	}
}

// Modes of mapping.AdjustmentMode the workflow branches on.
const ModeApplyOriginalCreditMemo = "apply-original-credit-memo"

// failAdjustment records Error with the reason on the Zuora adjustment. When
// Zuora cannot be written either the workflow fails and the adjustment stays
// Processing, which the next run selects again.
func failAdjustment(ctx workflow.Context, res AdjustmentSyncResult, reason string) (AdjustmentSyncResult, error) {
	failCtx := cleanupContext(ctx)
	if err := workflow.ExecuteActivity(failCtx, ActivityMarkAdjustmentFailed, MarkFailedInput{
		RecordType: RecordAdjustment, ID: res.AdjustmentID, Reason: reason,
	}).Get(failCtx, nil); err != nil {
		return AdjustmentSyncResult{}, temporal.NewApplicationError(reason, "SyncFailed")
	}
	res.Outcome, res.Reason = OutcomeError, reason
	markOutcome(ctx, res.Outcome)
	return res, nil
}

func recordName(recordType string) string {
	if recordType == "creditMemo" {
		return "credit memo"
	}
	return recordType
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
