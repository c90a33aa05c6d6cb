package workflows

import (
	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// Zuora refunds → NetSuite customer refunds (issue 16; reference
// zuora-connector-money-sync.md §4; rules in internal/mapping/refund.go).
// A refund is two NetSuite writes (§4.4): step 1 sets the NetSuite payment's
// apply lines to what stays applied after the refund, which leaves the
// refunded amount unapplied on it; step 2 creates the customer refund of
// that amount. Each step is its own activity and each repeats safely:
// step 1 writes a target state (the same lines again change nothing), step 2
// looks for the refund by external id before creating it. So a crash between
// the two steps, or a re-run by the next sync run, unapplies once and makes
// one refund. The plan between the steps is in the history (RefundPlan).
// On Invoice Settlement tenants step 1's target is the payment's current
// parts (mapping.BuildRefundIS); the rest is the same.
const (
	WorkflowRefundSync = "RefundSyncWorkflow"

	ActivitySelectRefunds        = "SelectRefunds"
	ActivityUnapplyRefundPayment = "UnapplyRefundPayment"
	ActivityCreateCustomerRefund = "CreateCustomerRefund"
	ActivityMarkRefundFailed     = "MarkRefundFailed"
)

// RefundWorkflowID is the workflow id of one Zuora refund's sync.
func RefundWorkflowID(zuoraRefundID string) string { return "refund:" + zuoraRefundID }

func init() {
	childPhases[PhaseRefunds] = childPhase{
		recordType: RecordRefund, selectActivity: ActivitySelectRefunds, workflowType: WorkflowRefundSync,
		workflowID: RefundWorkflowID,
		input: func(rec SelectedRecord, s settings.Settings) any {
			return RefundSyncInput{RefundID: rec.ID, Settings: s}
		},
	}
	phaseOfRecord[RecordRefund] = PhaseRefunds
}

// refundsOnISNotBuilt is the reason earlier code gave for not syncing the
// refunds of Invoice Settlement tenants; histories recorded then replay with
// it (refundsOnISBuilt).
const refundsOnISNotBuilt = "refunds of Invoice Settlement tenants (refund parts, refunds of unapplied payments and credit memos) are not built into this version of the connector"

// versionRefundSync guards the refunds phase: runs recorded when it was
// "not built" replay with it off (docs/operations.md).
const versionRefundSync = "refund-sync"

// versionRefundsOnIS: from version 1 the payment refunds of Invoice
// Settlement tenants sync (§4.7, step 1's target = the payment's current
// parts); a run or refund workflow recorded before skipped them.
const versionRefundsOnIS = "refunds-on-invoice-settlement"

// refundsOnISBuilt is whether this execution syncs IS refunds: true for new
// executions, false when replaying one recorded before they were built. Ask
// it only on an Invoice Settlement tenant, so non-IS histories carry no
// marker and replay unchanged (as paymentsOnISBuilt).
func refundsOnISBuilt(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, versionRefundsOnIS, workflow.DefaultVersion, 1) == 1
}

// RefundSyncInput syncs one Zuora refund.
type RefundSyncInput struct {
	RefundID string            `json:"refundId"`
	Settings settings.Settings `json:"settings"`
}

// RefundApplyLine is one apply line of the NetSuite payment after the refund.
type RefundApplyLine struct {
	Doc    string          `json:"doc"` // NetSuite invoice internal id
	Amount decimal.Decimal `json:"amount"`
}

// CustomerRefundPlan is the NetSuite customer refund step 2 writes.
type CustomerRefundPlan struct {
	ExternalID    string          `json:"externalId"`
	Customer      string          `json:"customer"`
	Payment       string          `json:"payment"` // the NetSuite customer payment it applies to
	Amount        decimal.Decimal `json:"amount"`
	TranDate      string          `json:"tranDate,omitempty"`
	Memo          string          `json:"memo,omitempty"`
	PaymentMethod string          `json:"paymentMethod,omitempty"`
	Class         string          `json:"class,omitempty"`
	Department    string          `json:"department,omitempty"`
	Location      string          `json:"location,omitempty"`
}

// RefundPlan is step 1's answer: go on with step 2 (Outcome empty), or stop
// (skipped / error) with the reason. It holds no secret.
type RefundPlan struct {
	RefundID     string             `json:"refundId"`
	Number       string             `json:"number,omitempty"`
	Outcome      string             `json:"outcome,omitempty"`
	Reason       string             `json:"reason,omitempty"`
	PaymentApply []RefundApplyLine  `json:"paymentApply,omitempty"`
	Refund       CustomerRefundPlan `json:"refund"`
}

// RefundStepInput is step 2's input.
type RefundStepInput struct {
	Settings settings.Settings `json:"settings"`
	Plan     RefundPlan        `json:"plan"`
}

// RefundSyncResult is one refund's outcome (RecordOutcome's fields first).
type RefundSyncResult struct {
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason,omitempty"`
	Number     string `json:"number,omitempty"`
	RefundID   string `json:"refundId"`
	NetSuiteID string `json:"netsuiteId,omitempty"` // the NetSuite customer refund
}

// RefundSyncWorkflow syncs one Zuora refund in two steps (see above). A
// refund that cannot sync ends Error with the reason on it (the next run
// tries it again). Its workflow id is RefundWorkflowID.
func RefundSyncWorkflow(ctx workflow.Context, in RefundSyncInput) (RefundSyncResult, error) {
	ensureRecordSearchAttributes(ctx, RecordRefund, in.RefundID)
	res := RefundSyncResult{RefundID: in.RefundID}
	if in.Settings.Advanced.InvoiceSettlement && !refundsOnISBuilt(ctx) {
		res.Outcome, res.Reason = OutcomeSkipped, refundsOnISNotBuilt
		return res, nil
	}
	actx := workflow.WithActivityOptions(ctx, adjustmentActivityOptions())
	var plan RefundPlan
	err := workflow.ExecuteActivity(actx, ActivityUnapplyRefundPayment, in).Get(ctx, &plan)
	if err == nil && plan.Outcome != "" {
		res.Outcome, res.Reason, res.Number = plan.Outcome, plan.Reason, plan.Number
	}
	if err == nil && plan.Outcome == "" {
		res.Number = plan.Number
		err = workflow.ExecuteActivity(actx, ActivityCreateCustomerRefund, RefundStepInput{Settings: in.Settings, Plan: plan}).Get(ctx, &res)
	}
	if err != nil {
		reason := "the sync could not finish: " + errorMessage(err)
		failCtx := cleanupContext(ctx)
		if ferr := workflow.ExecuteActivity(failCtx, ActivityMarkRefundFailed, MarkFailedInput{
			RecordType: RecordRefund, ID: in.RefundID, Reason: reason,
		}).Get(failCtx, nil); ferr != nil {
			return RefundSyncResult{}, temporal.NewApplicationError(reason, "SyncFailed")
		}
		res.Outcome, res.Reason = OutcomeError, reason
	}
	res.RefundID = in.RefundID
	if res.Outcome != OutcomeSynced {
		markOutcome(ctx, res.Outcome)
	}
	return res, nil
}
