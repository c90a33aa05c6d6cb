package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// Stand-ins for the customer and catalog activities, registered under their
// names so tests mock them without API clients. An unmocked selection is empty.
func selectNoneStub(context.Context, SelectInput) (SelectResult, error) {
	return SelectResult{Done: true}, nil
}
func syncCustomerStub(context.Context, CustomerSyncInput) (CustomerSyncResult, error) {
	return CustomerSyncResult{}, nil
}
func markCustomerFailedStub(context.Context, MarkCustomerFailedInput) error { return nil }
func syncChargeStub(context.Context, CatalogSyncInput) (CatalogSyncResult, error) {
	return CatalogSyncResult{}, nil
}

// registerRecordSyncs puts the customer and catalog workflows and activity
// stand-ins on a test environment (newEnv calls it, so a run over every
// phase finds them).
func registerRecordSyncs(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterWorkflow(CustomerSyncWorkflow)
	env.RegisterWorkflow(CatalogSyncWorkflow)
	env.RegisterActivityWithOptions(selectNoneStub, activity.RegisterOptions{Name: ActivitySelectCustomers})
	env.RegisterActivityWithOptions(selectNoneStub, activity.RegisterOptions{Name: ActivitySelectCharges})
	env.RegisterActivityWithOptions(syncCustomerStub, activity.RegisterOptions{Name: ActivitySyncCustomer})
	env.RegisterActivityWithOptions(markCustomerFailedStub, activity.RegisterOptions{Name: ActivityMarkCustomerFailed})
	env.RegisterActivityWithOptions(syncChargeStub, activity.RegisterOptions{Name: ActivitySyncCharge})
	env.RegisterActivityWithOptions(markFailedStub, activity.RegisterOptions{Name: ActivityMarkChargeFailed})
}

func netsuiteMaster() settings.Settings {
	s := settings.Default()
	s.Customer.Master = settings.MasterNetSuite
	return s
}

func TestCustomerSync_ZuoraMasterUpsertsTheNetSuiteCustomer(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySyncCustomer, mock.Anything, mock.Anything).Return(func(_ context.Context, in CustomerSyncInput) (CustomerSyncResult, error) {
		require.Equal(t, "acct1", in.ID)
		require.Equal(t, settings.MasterZuora, in.Settings.Customer.Master)
		return CustomerSyncResult{ID: in.ID, Master: settings.MasterZuora, Outcome: OutcomeSynced, Action: ActionCreated,
			Number: "A-1", ZuoraID: "acct1", NetSuiteID: "501"}, nil
	})
	env.ExecuteWorkflow(CustomerSyncWorkflow, CustomerSyncInput{ID: "acct1", Settings: settings.Default()})
	require.NoError(t, env.GetWorkflowError())
	var res CustomerSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, ActionCreated, res.Action)
	require.Equal(t, "501", res.NetSuiteID)
}

func TestCustomerSync_NetSuiteMasterCreatesTheZuoraAccount(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySyncCustomer, mock.Anything, mock.Anything).Return(func(_ context.Context, in CustomerSyncInput) (CustomerSyncResult, error) {
		require.Equal(t, settings.MasterNetSuite, in.Settings.Customer.Master)
		return CustomerSyncResult{ID: in.ID, Master: settings.MasterNetSuite, Outcome: OutcomeSynced, Action: ActionCreated,
			Number: "NS000001", ZuoraID: "z9", NetSuiteID: in.ID}, nil
	})
	env.ExecuteWorkflow(CustomerSyncWorkflow, CustomerSyncInput{ID: "120", Settings: netsuiteMaster()})
	var res CustomerSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "z9", res.ZuoraID)
	require.Equal(t, "NS000001", res.Number)
}

func TestCustomerSync_ValidationFailureEndsInErrorWithReason(t *testing.T) {
	env := newEnv(t)
	reason := `account B0000005 has NetSuite location "Atlantis", which is not a valid NetSuite location`
	env.OnActivity(ActivitySyncCustomer, mock.Anything, mock.Anything).Return(CustomerSyncResult{ID: "acct5", Outcome: OutcomeError, Reason: reason}, nil)
	env.ExecuteWorkflow(CustomerSyncWorkflow, CustomerSyncInput{ID: "acct5", Settings: settings.Default()})
	var res CustomerSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeError, res.Outcome)
	require.Equal(t, reason, res.Reason)
}

func TestCustomerSync_SkippedWhenNoLongerEligible(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySyncCustomer, mock.Anything, mock.Anything).Return(CustomerSyncResult{Outcome: OutcomeSkipped, Reason: "not modified since its last sync"}, nil)
	env.ExecuteWorkflow(CustomerSyncWorkflow, CustomerSyncInput{ID: "acct6", Settings: settings.Default()})
	var res CustomerSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSkipped, res.Outcome)
}

func TestCustomerSync_RetriesExhaustedMarkTheAccountError(t *testing.T) {
	env := newEnv(t)
	attempts := 0
	env.OnActivity(ActivitySyncCustomer, mock.Anything, mock.Anything).Return(func(context.Context, CustomerSyncInput) (CustomerSyncResult, error) {
		attempts++
		return CustomerSyncResult{}, temporal.NewApplicationError("NetSuite is down", "APIUnavailable")
	})
	defer func() {
		require.Equal(t, int(recordActivityOptions().RetryPolicy.MaximumAttempts), attempts, "retried to the policy's maximum")
	}()
	var marked MarkCustomerFailedInput
	env.OnActivity(ActivityMarkCustomerFailed, mock.Anything, mock.Anything).Return(func(_ context.Context, in MarkCustomerFailedInput) error {
		marked = in
		return nil
	})
	env.ExecuteWorkflow(CustomerSyncWorkflow, CustomerSyncInput{ID: "121", Settings: netsuiteMaster()})
	var res CustomerSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeError, res.Outcome)
	require.Contains(t, res.Reason, "NetSuite is down")
	require.Equal(t, MarkCustomerFailedInput{ID: "121", Master: settings.MasterNetSuite, Reason: res.Reason}, marked)
}

func TestCustomerSync_ZuoraUnreachableFailsTheWorkflowForTheNextRun(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySyncCustomer, mock.Anything, mock.Anything).Return(CustomerSyncResult{},
		temporal.NewNonRetryableApplicationError("Zuora is down", "APIUnavailable", nil))
	env.OnActivity(ActivityMarkCustomerFailed, mock.Anything, mock.Anything).Return(
		temporal.NewNonRetryableApplicationError("Zuora is down", "APIUnavailable", nil))
	env.ExecuteWorkflow(CustomerSyncWorkflow, CustomerSyncInput{ID: "acct7", Settings: settings.Default()})
	err := env.GetWorkflowError()
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr))
	require.Contains(t, appErr.Message(), "Zuora is down")
}

// The run's customers and catalog phases start one child per selected record
// with the ids of types.go, and count and list their outcomes.
func TestSyncRun_CustomersThenCatalogOneChildPerRecord(t *testing.T) {
	env := newEnv(t)
	var order []string
	env.OnActivity(ActivitySelectCustomers, mock.Anything, mock.Anything).Return(func(_ context.Context, in SelectInput) (SelectResult, error) {
		order = append(order, PhaseCustomers)
		if in.AfterID != "" {
			return SelectResult{Done: true}, nil
		}
		return SelectResult{Records: []SelectedRecord{{ID: "a1", Number: "A-1"}, {ID: "a2", Number: "A-2"}}, Done: true}, nil
	})
	env.OnActivity(ActivitySelectCharges, mock.Anything, mock.Anything).Return(func(_ context.Context, in SelectInput) (SelectResult, error) {
		order = append(order, PhaseCatalog)
		return SelectResult{Records: []SelectedRecord{{ID: "c1", Number: "Seats"}, {ID: "c2", Number: "Seats"}, {ID: "c3", Number: "Setup"}}, Done: true}, nil
	})
	customers := map[string]int{}
	env.OnWorkflow(CustomerSyncWorkflow, mock.Anything, mock.Anything).Return(func(_ workflow.Context, in CustomerSyncInput) (CustomerSyncResult, error) {
		customers[in.ID]++
		if in.ID == "a2" {
			return CustomerSyncResult{ID: in.ID, Outcome: OutcomeError, Reason: "location Atlantis", Number: "A-2"}, nil
		}
		return CustomerSyncResult{ID: in.ID, Outcome: OutcomeSynced, Number: "A-1"}, nil
	})
	charges := map[string]int{}
	env.OnWorkflow(CatalogSyncWorkflow, mock.Anything, mock.Anything).Return(func(_ workflow.Context, in CatalogSyncInput) (CatalogSyncResult, error) {
		charges[in.ChargeID]++
		if in.ChargeID != "c3" {
			return CatalogSyncResult{ChargeID: in.ChargeID, Outcome: OutcomeError, Reason: "charge name \"Seats\" is not unique", Number: "Seats"}, nil
		}
		return CatalogSyncResult{ChargeID: in.ChargeID, Outcome: OutcomeSynced, Number: "Setup"}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhaseCustomers, PhaseCatalog}})
	require.NoError(t, env.GetWorkflowError())
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, []string{PhaseCustomers, PhaseCatalog}, order, "customers before the catalog")
	require.Equal(t, Counts{Selected: 2, Synced: 1, Errored: 1}, res.Progress.Customers)
	require.Equal(t, Counts{Selected: 3, Synced: 1, Errored: 2}, res.Progress.Charges)
	require.Equal(t, map[string]int{"a1": 1, "a2": 1}, customers)
	require.Equal(t, map[string]int{"c1": 1, "c2": 1, "c3": 1}, charges)
	require.NotContains(t, res.Disabled, PhaseCustomers)
	require.NotContains(t, res.Disabled, PhaseCatalog)
	// Children of one phase finish in any order; the result lists them as they finish.
	require.ElementsMatch(t, []RecordError{
		{Type: RecordCustomer, ID: "a2", Number: "A-2", Reason: "location Atlantis"},
		{Type: RecordCharge, ID: "c1", Number: "Seats", Reason: "charge name \"Seats\" is not unique"},
		{Type: RecordCharge, ID: "c2", Number: "Seats", Reason: "charge name \"Seats\" is not unique"},
	}, res.Errors)
}

func TestRecordWorkflowIDs(t *testing.T) {
	require.Equal(t, "customer:8a8a01", CustomerWorkflowID("8a8a01"))
	require.Equal(t, "charge:8a8a09", ChargeWorkflowID("8a8a09"))
	require.Equal(t, "customer:8a8a01", childPhases[PhaseCustomers].workflowID("8a8a01"))
	require.Equal(t, "charge:8a8a09", childPhases[PhaseCatalog].workflowID("8a8a09"))
	in := childPhases[PhaseCustomers].input(SelectedRecord{ID: "101"}, netsuiteMaster()).(CustomerSyncInput)
	require.Equal(t, settings.MasterNetSuite, in.Settings.Customer.Master)
}
