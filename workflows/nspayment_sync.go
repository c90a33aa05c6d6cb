package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// NetSuite customer payments → Zuora payments (issue 16; reference
// zuora-connector-money-sync.md §3, tenants without Invoice Settlement;
// rules in internal/mapping/nspayment.go). Off by default (§0.6); it runs
// after the Zuora → NetSuite steps (refunds, adjustments; §0.1).
const (
	PhaseNetSuitePayments = "netsuitepayments"
	RecordNetSuitePayment = "nspayment"

	WorkflowNetSuitePaymentSync       = "NetSuitePaymentSyncWorkflow"
	ActivitySelectNetSuitePayments    = "SelectNetSuitePayments"
	ActivitySyncNetSuitePayment       = "SyncNetSuitePayment"
	ActivityMarkNetSuitePaymentFailed = "MarkNetSuitePaymentFailed"
)

// versionNetSuitePayments guards the phase's place in the run order: runs
// begun before it replay without it (docs/operations.md).
const versionNetSuitePayments = "run-order-netsuite-payments"

// nsPaymentsOnISNotBuilt: why a run recorded before the Invoice Settlement
// sync (§3.7–§3.10: POST /v1/payments, unapplied payments, Zuora Sync
// Updates) was built reports the phase off on IS tenants; it replays so.
const nsPaymentsOnISNotBuilt = "NetSuite payments of Invoice Settlement tenants (§3.7–§3.10) are not built into this version of the connector"

// versionNetSuitePaymentsOnIS guards the phase running on Invoice
// Settlement tenants; it is asked only there (docs/operations.md).
const versionNetSuitePaymentsOnIS = "netsuite-payments-on-is"

func nsPaymentsOnISBuilt(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, versionNetSuitePaymentsOnIS, workflow.DefaultVersion, 1) == 1
}

// NetSuitePaymentWorkflowID is the workflow id of one NetSuite payment's sync.
func NetSuitePaymentWorkflowID(netSuiteID string) string { return "nspayment:" + netSuiteID }

func init() {
	childPhases[PhaseNetSuitePayments] = childPhase{
		recordType: RecordNetSuitePayment, selectActivity: ActivitySelectNetSuitePayments, workflowType: WorkflowNetSuitePaymentSync,
		workflowID: NetSuitePaymentWorkflowID,
		input: func(rec SelectedRecord, s settings.Settings) any {
			return NetSuitePaymentSyncInput{NetSuiteID: rec.ID, Settings: s}
		},
	}
	phaseOfRecord[RecordNetSuitePayment] = PhaseNetSuitePayments
}

// netSuitePaymentsOff is why the phase does not run ("" = it runs).
func netSuitePaymentsOff(s settings.Settings) string {
	adv := s.Advanced
	switch {
	case !adv.NetSuitePaymentSync:
		return "the NetSuite payment sync is off in the advanced settings (advanced.netSuitePaymentSync; off by default)"
	case !adv.UseStandardInvoiceSync:
		// §0.2: with No only invoices (and debit memos) go to NetSuite.
		return "Use Standard Invoice Sync is No (NetSuite calculates taxes): NetSuite payments are not synced"
	}
	return ""
}

// NetSuitePaymentSyncInput syncs one NetSuite customer payment.
type NetSuitePaymentSyncInput struct {
	NetSuiteID string            `json:"netsuiteId"`
	Settings   settings.Settings `json:"settings"`
}

// NetSuitePaymentFailedInput records Error Creating Payment with the reason
// on the NetSuite payment (the settings name its custom fields).
type NetSuitePaymentFailedInput struct {
	NetSuiteID string            `json:"netsuiteId"`
	Reason     string            `json:"reason"`
	Settings   settings.Settings `json:"settings"`
}

// NetSuitePaymentSyncResult is one NetSuite payment's outcome (RecordOutcome's fields first).
type NetSuitePaymentSyncResult struct {
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason,omitempty"`
	Number     string `json:"number,omitempty"` // NetSuite tranId
	NetSuiteID string `json:"netsuiteId"`
	ZuoraID    string `json:"zuoraId,omitempty"`
}

// NetSuitePaymentSyncWorkflow syncs one NetSuite payment in one activity:
// re-check the selection with its applications, look for the Zuora payment
// whose IntegrationId__NS is the NetSuite id (a crash after the create
// makes no second one), else validate, mark Creating Payment, create it in
// Draft with its invoice payments and process it; then write back the
// Zuora id, Origin NETSUITE and Sync Complete. A payment that cannot sync
// ends Error with the reason on it. Its workflow id is NetSuitePaymentWorkflowID.
func NetSuitePaymentSyncWorkflow(ctx workflow.Context, in NetSuitePaymentSyncInput) (NetSuitePaymentSyncResult, error) {
	ensureRecordSearchAttributes(ctx, RecordNetSuitePayment, in.NetSuiteID)
	res := NetSuitePaymentSyncResult{NetSuiteID: in.NetSuiteID}
	if why := netSuitePaymentsOff(in.Settings); why != "" {
		res.Outcome, res.Reason = OutcomeSkipped, why
		return res, nil
	}
	if in.Settings.Advanced.InvoiceSettlement && !nsPaymentsOnISBuilt(ctx) {
		res.Outcome, res.Reason = OutcomeSkipped, nsPaymentsOnISNotBuilt
		return res, nil
	}
	actx := workflow.WithActivityOptions(ctx, adjustmentActivityOptions())
	if err := workflow.ExecuteActivity(actx, ActivitySyncNetSuitePayment, in).Get(ctx, &res); err != nil {
		reason := "the sync could not finish: " + errorMessage(err)
		failCtx := cleanupContext(ctx)
		if ferr := workflow.ExecuteActivity(failCtx, ActivityMarkNetSuitePaymentFailed, NetSuitePaymentFailedInput{
			NetSuiteID: in.NetSuiteID, Reason: reason, Settings: in.Settings,
		}).Get(failCtx, nil); ferr != nil {
			return NetSuitePaymentSyncResult{}, temporal.NewApplicationError(reason, "SyncFailed")
		}
		res.Outcome, res.Reason = OutcomeError, reason
	}
	res.NetSuiteID = in.NetSuiteID
	if res.Outcome != OutcomeSynced {
		markOutcome(ctx, res.Outcome)
	}
	return res, nil
}
