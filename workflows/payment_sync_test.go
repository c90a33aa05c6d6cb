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

// §0.2 and this branch's scope: no payment phase when Use Standard Invoice
// Sync is No, and on Invoice Settlement tenants (not built) it is reported off.
func TestSyncRun_PaymentsPhaseOffOnISTenantsAndWithoutStandardInvoiceSync(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivityTenantFacts, mock.Anything).Return(TenantFacts{InvoiceSettlement: true}, nil)
	env.OnActivity(ActivitySelectPayments, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		t.Error("payments selected on an IS tenant")
		return SelectResult{Done: true}, nil
	}).Maybe()
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhasePayments}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Contains(t, res.DisabledReasons[PhasePayments], "Invoice Settlement")
}
