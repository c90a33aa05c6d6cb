package workflows

import (
	"github.com/zuora-netsuite/connector/internal/settings"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Zuora payments → NetSuite customer payments (issue 16; reference
// zuora-connector-money-sync.md §1 without Invoice Settlement, §2 with it;
// rules in internal/mapping/payment.go).
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

// paymentsOnISNotBuilt is the reason earlier code gave for not syncing the
// payments of Invoice Settlement tenants; histories recorded then replay with
// it (paymentsOnISBuilt).
const paymentsOnISNotBuilt = "payments of Invoice Settlement tenants (payment parts, unapplied and unassigned payments) are not built into this version of the connector"

// versionPaymentsOnIS: from version 1 the payments of Invoice Settlement
// tenants sync (§2); a run or payment workflow recorded before skipped them.
const versionPaymentsOnIS = "payments-on-invoice-settlement"

// paymentsOnISBuilt is whether this execution syncs IS payments: true for
// new executions, false when replaying one recorded before they were built.
// Ask it only on an Invoice Settlement tenant, so non-IS histories carry no
// marker and replay unchanged.
func paymentsOnISBuilt(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, versionPaymentsOnIS, workflow.DefaultVersion, 1) == 1
}

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
	if in.Settings.Advanced.InvoiceSettlement && !paymentsOnISBuilt(ctx) {
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
