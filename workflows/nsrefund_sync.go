package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// NetSuite customer refunds → Zuora refunds (issue 16; reference
// zuora-connector-money-sync.md §5, tenants without Invoice Settlement;
// rules in internal/mapping/nsrefund.go). Off by default (§0.6); it runs
// after the NetSuite payments (a refund's Zuora payment may be one of them).
const (
	PhaseNetSuiteRefunds = "netsuiterefunds"
	RecordNetSuiteRefund = "nsrefund"

	WorkflowNetSuiteRefundSync       = "NetSuiteRefundSyncWorkflow"
	ActivitySelectNetSuiteRefunds    = "SelectNetSuiteRefunds"
	ActivitySyncNetSuiteRefund       = "SyncNetSuiteRefund"
	ActivityMarkNetSuiteRefundFailed = "MarkNetSuiteRefundFailed"
)

// versionNetSuiteRefunds guards the phase's place in the run order: runs
// begun before it replay without it (docs/operations.md).
const versionNetSuiteRefunds = "run-order-netsuite-refunds"

// nsRefundsOnISNotBuilt: why a run recorded before the Invoice Settlement
// refund sync (POST /v1/payments/{id}/refunds) was built reports the phase
// off on IS tenants; it replays so.
const nsRefundsOnISNotBuilt = "NetSuite refunds of Invoice Settlement tenants are not built into this version of the connector"

// versionNetSuiteRefundsOnIS guards the phase running on Invoice Settlement
// tenants; it is asked only there (docs/operations.md).
const versionNetSuiteRefundsOnIS = "netsuite-refunds-on-is"

func nsRefundsOnISBuilt(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, versionNetSuiteRefundsOnIS, workflow.DefaultVersion, 1) == 1
}

// NetSuiteRefundWorkflowID is the workflow id of one NetSuite refund's sync.
func NetSuiteRefundWorkflowID(netSuiteID string) string { return "nsrefund:" + netSuiteID }

func init() {
	childPhases[PhaseNetSuiteRefunds] = childPhase{
		recordType: RecordNetSuiteRefund, selectActivity: ActivitySelectNetSuiteRefunds, workflowType: WorkflowNetSuiteRefundSync,
		workflowID: NetSuiteRefundWorkflowID,
		input: func(rec SelectedRecord, s settings.Settings) any {
			return NetSuiteRefundSyncInput{NetSuiteID: rec.ID, Settings: s}
		},
	}
	phaseOfRecord[RecordNetSuiteRefund] = PhaseNetSuiteRefunds
}

// netSuiteRefundsOff is why the phase does not run ("" = it runs).
func netSuiteRefundsOff(s settings.Settings) string {
	adv := s.Advanced
	switch {
	case !adv.NetSuiteRefundSync:
		return "the NetSuite refund sync is off in the advanced settings (advanced.netSuiteRefundSync; off by default)"
	case !adv.UseStandardInvoiceSync:
		// §0.2: with No only invoices (and debit memos) go to NetSuite.
		return "Use Standard Invoice Sync is No (NetSuite calculates taxes): NetSuite refunds are not synced"
	}
	return ""
}

// NetSuiteRefundSyncInput syncs one NetSuite customer refund.
type NetSuiteRefundSyncInput struct {
	NetSuiteID string            `json:"netsuiteId"`
	Settings   settings.Settings `json:"settings"`
}

// NetSuiteRefundFailedInput records Error Creating Refund with the reason
// on the NetSuite refund.
type NetSuiteRefundFailedInput struct {
	NetSuiteID string            `json:"netsuiteId"`
	Reason     string            `json:"reason"`
	Settings   settings.Settings `json:"settings"`
}

// NetSuiteRefundSyncResult is one NetSuite refund's outcome (RecordOutcome's fields first).
type NetSuiteRefundSyncResult struct {
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason,omitempty"`
	Number     string `json:"number,omitempty"` // NetSuite tranId
	NetSuiteID string `json:"netsuiteId"`
	ZuoraID    string `json:"zuoraId,omitempty"`
}

// NetSuiteRefundSyncWorkflow syncs one NetSuite refund in one activity:
// re-check the selection with its credit memo, look for the Zuora refund
// whose IntegrationId__NS is the NetSuite id (a crash after the create
// makes no second one), else validate, mark Creating Refund and create it;
// then write back the Zuora id and Sync Complete to the refund and its
// credit memo. A refund that cannot sync ends Error with the reason on it.
func NetSuiteRefundSyncWorkflow(ctx workflow.Context, in NetSuiteRefundSyncInput) (NetSuiteRefundSyncResult, error) {
	ensureRecordSearchAttributes(ctx, RecordNetSuiteRefund, in.NetSuiteID)
	res := NetSuiteRefundSyncResult{NetSuiteID: in.NetSuiteID}
	if why := netSuiteRefundsOff(in.Settings); why != "" {
		res.Outcome, res.Reason = OutcomeSkipped, why
		return res, nil
	}
	if in.Settings.Advanced.InvoiceSettlement && !nsRefundsOnISBuilt(ctx) {
		res.Outcome, res.Reason = OutcomeSkipped, nsRefundsOnISNotBuilt
		return res, nil
	}
	actx := workflow.WithActivityOptions(ctx, adjustmentActivityOptions())
	if err := workflow.ExecuteActivity(actx, ActivitySyncNetSuiteRefund, in).Get(ctx, &res); err != nil {
		reason := "the sync could not finish: " + errorMessage(err)
		failCtx := cleanupContext(ctx)
		if ferr := workflow.ExecuteActivity(failCtx, ActivityMarkNetSuiteRefundFailed, NetSuiteRefundFailedInput{
			NetSuiteID: in.NetSuiteID, Reason: reason, Settings: in.Settings,
		}).Get(failCtx, nil); ferr != nil {
			return NetSuiteRefundSyncResult{}, temporal.NewApplicationError(reason, "SyncFailed")
		}
		res.Outcome, res.Reason = OutcomeError, reason
	}
	res.NetSuiteID = in.NetSuiteID
	if res.Outcome != OutcomeSynced {
		markOutcome(ctx, res.Outcome)
	}
	return res, nil
}
