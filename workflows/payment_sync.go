package workflows

import (
	"github.com/zuora-netsuite/connector/internal/settings"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Zuora payments → NetSuite customer payments (issue 16; reference
// zuora-connector-money-sync.md §1; rules in internal/mapping/payment.go).
const (
	WorkflowPaymentSync       = "PaymentSyncWorkflow"
	ActivitySyncPayment       = "SyncPayment"
	ActivityMarkPaymentFailed = "MarkPaymentFailed"
)

// PaymentWorkflowID is the workflow id of one Zuora payment's sync.
func PaymentWorkflowID(zuoraPaymentID string) string { return "payment:" + zuoraPaymentID }

// PaymentSyncInput syncs one Zuora payment.
type PaymentSyncInput struct {
	PaymentID string            `json:"paymentId"`
	Settings  settings.Settings `json:"settings"`
}

// PaymentSyncResult is one payment's outcome (RecordOutcome's fields first).
type PaymentSyncResult struct {
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason,omitempty"`
	Number     string `json:"number,omitempty"`
	PaymentID  string `json:"paymentId"`
	NetSuiteID string `json:"netsuiteId,omitempty"`
}

// paymentsOnISNotBuilt: the payment parts, unapplied and unassigned payments
// of Invoice Settlement tenants (§2) are not built on this branch; the phase
// is reported off rather than syncing them by the rules of §1.
const paymentsOnISNotBuilt = "payments of Invoice Settlement tenants (payment parts, unapplied and unassigned payments) are not built into this version of the connector"

// PaymentSyncWorkflow syncs one Zuora payment in one activity: re-check the
// selection, validate, mark Creating Payment / Processing, look for the
// NetSuite customer payment by external id and create it only if absent,
// then write the id back with Sync Complete / Yes. Every step is repeatable,
// so retries and overlapping attempts make one NetSuite payment. A payment
// that cannot sync ends Error with the reason on it (the next run tries it
// again). Its workflow id is PaymentWorkflowID.
func PaymentSyncWorkflow(ctx workflow.Context, in PaymentSyncInput) (PaymentSyncResult, error) {
	ensureRecordSearchAttributes(ctx, RecordPayment, in.PaymentID)
	res := PaymentSyncResult{PaymentID: in.PaymentID}
	if in.Settings.Advanced.InvoiceSettlement {
		res.Outcome, res.Reason = OutcomeSkipped, paymentsOnISNotBuilt
		return res, nil
	}
	actx := workflow.WithActivityOptions(ctx, adjustmentActivityOptions())
	if err := workflow.ExecuteActivity(actx, ActivitySyncPayment, in).Get(ctx, &res); err != nil {
		reason := "the sync could not finish: " + errorMessage(err)
		failCtx := cleanupContext(ctx)
		if ferr := workflow.ExecuteActivity(failCtx, ActivityMarkPaymentFailed, MarkFailedInput{
			RecordType: RecordPayment, ID: in.PaymentID, Reason: reason,
		}).Get(failCtx, nil); ferr != nil {
			return PaymentSyncResult{}, temporal.NewApplicationError(reason, "SyncFailed")
		}
		res.Outcome, res.Reason = OutcomeError, reason
	}
	res.PaymentID = in.PaymentID
	if res.Outcome != OutcomeSynced {
		markOutcome(ctx, res.Outcome)
	}
	return res, nil
}
