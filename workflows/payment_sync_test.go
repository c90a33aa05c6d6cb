package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

func noPaymentsStub(context.Context, SelectInput) (SelectResult, error) {
	return SelectResult{Done: true}, nil
}
func syncPaymentStub(context.Context, PaymentSyncInput) (PaymentSyncResult, error) {
	return PaymentSyncResult{Outcome: OutcomeSynced}, nil
}

func registerPaymentSync(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterWorkflowWithOptions(PaymentSyncWorkflow, workflow.RegisterOptions{Name: WorkflowPaymentSync})
	env.RegisterActivityWithOptions(noPaymentsStub, activity.RegisterOptions{Name: ActivitySelectPayments})
	env.RegisterActivityWithOptions(syncPaymentStub, activity.RegisterOptions{Name: ActivitySyncPayment})
	env.RegisterActivityWithOptions(markFailedStub, activity.RegisterOptions{Name: ActivityMarkPaymentFailed})
}

// The payments phase runs after the invoices, one child per payment, and
// counts each outcome; an Error carries the payment's reason into the run's.
func TestSyncRun_PaymentsPhaseOneChildPerPaymentAfterTheInvoices(t *testing.T) {
	env := newEnv(t)
	var order []string
	env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		order = append(order, PhaseInvoices)
		return SelectResult{Done: true}, nil
	})
	env.OnActivity(ActivitySelectPayments, mock.Anything, mock.Anything).Return(func(_ context.Context, in SelectInput) (SelectResult, error) {
		order = append(order, PhasePayments)
		return fakeSelection(3)(context.Background(), in)
	})
	env.OnActivity(ActivitySyncPayment, mock.Anything, mock.Anything).Return(func(_ context.Context, in PaymentSyncInput) (PaymentSyncResult, error) {
		if in.PaymentID == "inv-001" {
			return PaymentSyncResult{Outcome: OutcomeError, Reason: "applied to invoice INV-9 not in NetSuite yet; the next run completes the payment", Number: "P-1"}, nil
		}
		return PaymentSyncResult{Outcome: OutcomeSynced, NetSuiteID: "77"}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhaseInvoices, PhasePayments}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, Counts{Selected: 3, Synced: 2, Errored: 1}, res.Progress.Payments)
	require.Equal(t, []string{PhaseInvoices, PhasePayments}, order[:2])
	require.Len(t, res.Errors, 1)
	require.Equal(t, RecordPayment, res.Errors[0].Type)
	require.Contains(t, res.Errors[0].Reason, "INV-9 not in NetSuite yet")
}

// An activity that fails for good leaves the payment in Error with the
// reason (MarkPaymentFailed), and the workflow still ends with an outcome.
func TestPaymentSync_FailedActivityMarksThePaymentErrorWithTheReason(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySyncPayment, mock.Anything, mock.Anything).Return(PaymentSyncResult{}, errors.New("NetSuite unreachable"))
	var marked MarkFailedInput
	env.OnActivity(ActivityMarkPaymentFailed, mock.Anything, mock.Anything).Return(func(_ context.Context, in MarkFailedInput) error {
		marked = in
		return nil
	})
	env.ExecuteWorkflow(PaymentSyncWorkflow, PaymentSyncInput{PaymentID: "p1", Settings: settings.Default()})
	var res PaymentSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeError, res.Outcome)
	require.Equal(t, "p1", marked.ID)
	require.Contains(t, marked.Reason, "NetSuite unreachable")
}

// §2, §0.1: on an Invoice Settlement tenant the payments phase runs (after
// the memos) and each payment's child gets the tenant's IS answer, so its
// activity reads the payment parts.
func TestSyncRun_PaymentsPhaseRunsOnISTenantsWithTheISAnswer(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivityTenantFacts, mock.Anything).Return(TenantFacts{InvoiceSettlement: true}, nil)
	env.OnActivity(ActivitySelectPayments, mock.Anything, mock.Anything).Return(fakeSelection(2))
	var sawIS []bool
	env.OnActivity(ActivitySyncPayment, mock.Anything, mock.Anything).Return(func(_ context.Context, in PaymentSyncInput) (PaymentSyncResult, error) {
		sawIS = append(sawIS, in.Settings.Advanced.InvoiceSettlement)
		return PaymentSyncResult{Outcome: OutcomeSynced, NetSuiteID: "77"}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhasePayments}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Empty(t, res.DisabledReasons[PhasePayments])
	require.Equal(t, Counts{Selected: 2, Synced: 2}, res.Progress.Payments)
	require.Equal(t, []bool{true, true}, sawIS)
}

// §2: a payment workflow on an IS tenant runs the sync activity (no longer
// the "not built" skip, which only histories recorded before replay).
func TestPaymentSync_ISPaymentIsSyncedNotSkipped(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySyncPayment, mock.Anything, mock.Anything).Return(PaymentSyncResult{Outcome: OutcomeSynced, NetSuiteID: "88"}, nil)
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	env.ExecuteWorkflow(PaymentSyncWorkflow, PaymentSyncInput{PaymentID: "p1", Settings: s})
	var res PaymentSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, "88", res.NetSuiteID)
	require.Equal(t, "p1", res.PaymentID)
}
