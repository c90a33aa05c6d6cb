package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// CatalogSyncInput starts one product rate plan charge's sync.
type CatalogSyncInput struct {
	ChargeID string            `json:"chargeId"`
	Settings settings.Settings `json:"settings"`
}

// CatalogSyncResult is one charge's outcome. Number is the NetSuite Item ID.
type CatalogSyncResult struct {
	ChargeID   string `json:"chargeId"`
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason,omitempty"`
	Number     string `json:"number,omitempty"`
	Action     string `json:"action,omitempty"`     // created | updated | unchanged
	RecordType string `json:"recordType,omitempty"` // inventoryItem | nonInventorySaleItem | serviceSaleItem
	NetSuiteID string `json:"netsuiteId,omitempty"`
}

// CatalogSyncWorkflow syncs one Zuora product rate plan charge to the
// NetSuite item of its Item Type (seed sync-preferences, "Product catalog
// sync"), then writes the item's id and Sync Complete back to the charge.
// Its workflow id is ChargeWorkflowID.
func CatalogSyncWorkflow(ctx workflow.Context, in CatalogSyncInput) (CatalogSyncResult, error) {
	ensureRecordSearchAttributes(ctx, RecordCharge, in.ChargeID)
	ctx = workflow.WithActivityOptions(ctx, recordActivityOptions())
	var res CatalogSyncResult
	err := workflow.ExecuteActivity(ctx, ActivitySyncCharge, in).Get(ctx, &res)
	if err == nil {
		markOutcome(ctx, res.Outcome)
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("charge %s: %s %s", in.ChargeID, res.Outcome, res.Action))
		return res, nil
	}
	reason := "the catalog sync could not finish: " + errorMessage(err)
	failCtx := cleanupContext(ctx)
	if ferr := workflow.ExecuteActivity(failCtx, ActivityMarkChargeFailed, MarkFailedInput{
		RecordType: RecordCharge, ID: in.ChargeID, Reason: reason,
	}).Get(failCtx, nil); ferr != nil {
		return CatalogSyncResult{}, temporal.NewApplicationError(reason, "SyncFailed")
	}
	markOutcome(ctx, OutcomeError)
	return CatalogSyncResult{ChargeID: in.ChargeID, Outcome: OutcomeError, Reason: reason}, nil
}
