package workflows

import (
	"context"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/internal/settings"
)

func TestCatalogSync_NewChargeBecomesItemOfItsType(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySyncCharge, mock.Anything, mock.Anything).Return(func(_ context.Context, in CatalogSyncInput) (CatalogSyncResult, error) {
		require.Equal(t, "c1", in.ChargeID)
		return CatalogSyncResult{ChargeID: in.ChargeID, Outcome: OutcomeSynced, Action: ActionCreated, Number: "Zuora Charge c1",
			RecordType: "inventoryItem", NetSuiteID: "700"}, nil
	})
	env.ExecuteWorkflow(CatalogSyncWorkflow, CatalogSyncInput{ChargeID: "c1", Settings: settings.Default()})
	require.NoError(t, env.GetWorkflowError())
	var res CatalogSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, "inventoryItem", res.RecordType)
	require.Equal(t, "Zuora Charge c1", res.Number)
}

func TestCatalogSync_DuplicateChargeNameEndsInErrorWithReason(t *testing.T) {
	env := newEnv(t)
	reason := `charge name "Seats" is not unique: charge c2 also has it`
	env.OnActivity(ActivitySyncCharge, mock.Anything, mock.Anything).Return(CatalogSyncResult{ChargeID: "c1", Outcome: OutcomeError, Reason: reason, Number: "Seats"}, nil)
	s := settings.Default()
	s.Catalog.ItemIDMapping = settings.ItemIDFromChargeName
	env.ExecuteWorkflow(CatalogSyncWorkflow, CatalogSyncInput{ChargeID: "c1", Settings: s})
	var res CatalogSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeError, res.Outcome)
	require.Equal(t, reason, res.Reason)
}

func TestCatalogSync_NewOnlyLeavesExistingItemUnchanged(t *testing.T) {
	env := newEnv(t)
	s := settings.Default()
	s.Catalog.Behavior = settings.SyncNewOnly
	env.OnActivity(ActivitySyncCharge, mock.Anything, mock.Anything).Return(func(_ context.Context, in CatalogSyncInput) (CatalogSyncResult, error) {
		require.Equal(t, settings.SyncNewOnly, in.Settings.Catalog.Behavior)
		return CatalogSyncResult{ChargeID: in.ChargeID, Outcome: OutcomeSkipped, Reason: "already synced and the product catalog sync behavior is Sync New Records Only"}, nil
	})
	env.ExecuteWorkflow(CatalogSyncWorkflow, CatalogSyncInput{ChargeID: "c4", Settings: s})
	var res CatalogSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSkipped, res.Outcome)
}

func TestCatalogSync_RetriesExhaustedMarkTheChargeError(t *testing.T) {
	env := newEnv(t)
	attempts := 0
	env.OnActivity(ActivitySyncCharge, mock.Anything, mock.Anything).Return(func(context.Context, CatalogSyncInput) (CatalogSyncResult, error) {
		attempts++
		return CatalogSyncResult{}, temporal.NewApplicationError("NetSuite answered 503", "APIUnavailable")
	})
	defer func() {
		require.Equal(t, int(recordActivityOptions().RetryPolicy.MaximumAttempts), attempts, "retried to the policy's maximum")
	}()
	var marked MarkFailedInput
	env.OnActivity(ActivityMarkChargeFailed, mock.Anything, mock.Anything).Return(func(_ context.Context, in MarkFailedInput) error {
		marked = in
		return nil
	})
	env.ExecuteWorkflow(CatalogSyncWorkflow, CatalogSyncInput{ChargeID: "c5", Settings: settings.Default()})
	var res CatalogSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeError, res.Outcome)
	require.Contains(t, res.Reason, "NetSuite answered 503")
	require.Equal(t, MarkFailedInput{RecordType: RecordCharge, ID: "c5", Reason: res.Reason}, marked)
}

func TestCatalogSync_ZuoraUnreachableFailsTheWorkflowForTheNextRun(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySyncCharge, mock.Anything, mock.Anything).Return(CatalogSyncResult{},
		temporal.NewNonRetryableApplicationError("Zuora is down", "APIUnavailable", nil))
	env.OnActivity(ActivityMarkChargeFailed, mock.Anything, mock.Anything).Return(
		temporal.NewNonRetryableApplicationError("Zuora is down", "APIUnavailable", nil))
	env.ExecuteWorkflow(CatalogSyncWorkflow, CatalogSyncInput{ChargeID: "c6", Settings: settings.Default()})
	require.Error(t, env.GetWorkflowError())
}
