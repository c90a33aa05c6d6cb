package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// CustomerSyncInput starts one customer's sync. ID is the master's record:
// a Zuora account id (Zuora master) or a NetSuite customer internal id
// (NetSuite master), as settings.Customer.Master says.
type CustomerSyncInput struct {
	ID       string            `json:"id"`
	Settings settings.Settings `json:"settings"`
}

// Customer sync actions on the destination record.
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"
	ActionUnchanged = "unchanged"
)

// CustomerSyncResult is one customer's outcome. Number is the account
// number / Customer ID the destination holds.
type CustomerSyncResult struct {
	ID         string `json:"id"`
	Master     string `json:"master"`
	Outcome    string `json:"outcome"`
	Reason     string `json:"reason,omitempty"`
	Number     string `json:"number,omitempty"`
	Action     string `json:"action,omitempty"` // created | updated | unchanged
	ZuoraID    string `json:"zuoraId,omitempty"`
	NetSuiteID string `json:"netsuiteId,omitempty"`
}

// MarkCustomerFailedInput records a customer sync that could not finish as
// Error on the Zuora account (the master's account, or the NetSuite
// customer's account when one exists).
type MarkCustomerFailedInput struct {
	ID     string `json:"id"`
	Master string `json:"master"`
	Reason string `json:"reason"`
}

// recordActivityOptions: a customer or a charge is one record and a few
// calls; retries ride out outages of about half an hour, then the record is
// marked Error with the reason and the next run tries again.
func recordActivityOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    2 * time.Minute,
			MaximumAttempts:    25,
		},
	}
}

// CustomerSyncWorkflow syncs one customer from the customer master to the
// other application (seed sync-preferences, "Customer account sync"): the
// SyncCustomer activity validates, creates or updates the destination record
// exactly once and writes the link and Sync Complete back to Zuora. Its
// workflow id is CustomerWorkflowID, so a customer never syncs twice at once.
func CustomerSyncWorkflow(ctx workflow.Context, in CustomerSyncInput) (CustomerSyncResult, error) {
	ensureRecordSearchAttributes(ctx, RecordCustomer, in.ID)
	ctx = workflow.WithActivityOptions(ctx, recordActivityOptions())
	var res CustomerSyncResult
	err := workflow.ExecuteActivity(ctx, ActivitySyncCustomer, in).Get(ctx, &res)
	if err == nil {
		markOutcome(ctx, res.Outcome)
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("customer %s (%s master): %s %s", in.ID, in.Settings.Customer.Master, res.Outcome, res.Action))
		return res, nil
	}
	reason := "the customer sync could not finish: " + errorMessage(err)
	failCtx := cleanupContext(ctx)
	if ferr := workflow.ExecuteActivity(failCtx, ActivityMarkCustomerFailed, MarkCustomerFailedInput{
		ID: in.ID, Master: in.Settings.Customer.Master, Reason: reason,
	}).Get(failCtx, nil); ferr != nil {
		// Zuora is unreachable too: nothing was marked, and the record is
		// selected again by the next run (it is still unsynced or modified).
		return CustomerSyncResult{}, temporal.NewApplicationError(reason, "SyncFailed")
	}
	markOutcome(ctx, OutcomeError)
	return CustomerSyncResult{ID: in.ID, Master: in.Settings.Customer.Master, Outcome: OutcomeError, Reason: reason}, nil
}
