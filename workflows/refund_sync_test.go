package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

func noRefundsStub(context.Context, SelectInput) (SelectResult, error) {
	return SelectResult{Done: true}, nil
}
func unapplyRefundStub(_ context.Context, in RefundSyncInput) (RefundPlan, error) {
	return RefundPlan{RefundID: in.RefundID}, nil
}
func createRefundStub(context.Context, RefundStepInput) (RefundSyncResult, error) {
	return RefundSyncResult{Outcome: OutcomeSynced}, nil
}

func registerRefundSync(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterWorkflowWithOptions(RefundSyncWorkflow, workflow.RegisterOptions{Name: WorkflowRefundSync})
	env.RegisterActivityWithOptions(noRefundsStub, activity.RegisterOptions{Name: ActivitySelectRefunds})
	env.RegisterActivityWithOptions(unapplyRefundStub, activity.RegisterOptions{Name: ActivityUnapplyRefundPayment})
	env.RegisterActivityWithOptions(createRefundStub, activity.RegisterOptions{Name: ActivityCreateCustomerRefund})
	env.RegisterActivityWithOptions(markFailedStub, activity.RegisterOptions{Name: ActivityMarkRefundFailed})
}

// The refunds phase runs after the payments, one child per refund; an Error
// carries the refund's reason into the run's.
func TestSyncRun_RefundsPhaseOneChildPerRefundAfterThePayments(t *testing.T) {
	env := newEnv(t)
	var order []string
	env.OnActivity(ActivitySelectPayments, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		order = append(order, PhasePayments)
		return SelectResult{Done: true}, nil
	})
	env.OnActivity(ActivitySelectRefunds, mock.Anything, mock.Anything).Return(func(_ context.Context, in SelectInput) (SelectResult, error) {
		order = append(order, PhaseRefunds)
		return fakeSelection(3)(context.Background(), in)
	})
	env.OnActivity(ActivityUnapplyRefundPayment, mock.Anything, mock.Anything).Return(func(_ context.Context, in RefundSyncInput) (RefundPlan, error) {
		if in.RefundID == "inv-001" {
			return RefundPlan{RefundID: in.RefundID, Number: "R-1", Outcome: OutcomeError, Reason: "the refunded payment P-1 has not been synced to NetSuite"}, nil
		}
		return RefundPlan{RefundID: in.RefundID}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhasePayments, PhaseRefunds}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, []string{PhasePayments, PhaseRefunds}, order[:2])
	require.Equal(t, Counts{Selected: 3, Synced: 2, Errored: 1}, res.Progress.Refunds)
	require.Len(t, res.Errors, 1)
	require.Equal(t, RecordRefund, res.Errors[0].Type)
	require.Equal(t, "R-1", res.Errors[0].Number)
	require.Contains(t, res.Errors[0].Reason, "has not been synced")
	require.NotContains(t, res.Disabled, PhaseRefunds)
}

// Step 2 gets step 1's plan (the state between the two NetSuite writes is in
// the history), and is not run when step 1 stopped.
func TestRefundSync_StepTwoGetsStepOnesPlan(t *testing.T) {
	env := newEnv(t)
	plan := RefundPlan{RefundID: "r1", Number: "R-1", PaymentApply: []RefundApplyLine{{Doc: "701", Amount: decimal.RequireFromString("30")}},
		Refund: CustomerRefundPlan{ExternalID: "zuora-refund-r1", Payment: "900", Amount: decimal.RequireFromString("30")}}
	env.OnActivity(ActivityUnapplyRefundPayment, mock.Anything, mock.Anything).Return(plan, nil)
	var got RefundStepInput
	env.OnActivity(ActivityCreateCustomerRefund, mock.Anything, mock.Anything).Return(func(_ context.Context, in RefundStepInput) (RefundSyncResult, error) {
		got = in
		return RefundSyncResult{RefundID: "r1", Number: "R-1", Outcome: OutcomeSynced, NetSuiteID: "1234"}, nil
	})
	env.ExecuteWorkflow(RefundSyncWorkflow, RefundSyncInput{RefundID: "r1", Settings: settings.Default()})
	var res RefundSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, "1234", res.NetSuiteID)
	require.Equal(t, "zuora-refund-r1", got.Plan.Refund.ExternalID)
	require.True(t, got.Plan.PaymentApply[0].Amount.Equal(decimal.RequireFromString("30")))
}

// Step 1 stopping (not selectable any more, or a validation Error it
// recorded) ends the workflow with that outcome; no refund is created.
func TestRefundSync_StepOneStopsNoRefundCreated(t *testing.T) {
	for _, outcome := range []string{OutcomeSkipped, OutcomeError} {
		t.Run(outcome, func(t *testing.T) {
			env := newEnv(t)
			env.OnActivity(ActivityUnapplyRefundPayment, mock.Anything, mock.Anything).Return(RefundPlan{RefundID: "r1", Outcome: outcome, Reason: "why"}, nil)
			env.OnActivity(ActivityCreateCustomerRefund, mock.Anything, mock.Anything).Return(func(context.Context, RefundStepInput) (RefundSyncResult, error) {
				t.Error("a refund created after step 1 stopped")
				return RefundSyncResult{}, nil
			}).Maybe()
			env.ExecuteWorkflow(RefundSyncWorkflow, RefundSyncInput{RefundID: "r1", Settings: settings.Default()})
			var res RefundSyncResult
			require.NoError(t, env.GetWorkflowResult(&res))
			require.Equal(t, outcome, res.Outcome)
			require.Equal(t, "why", res.Reason)
		})
	}
}

// A step that fails for good (after the payment was unapplied) leaves the
// refund in Error with the reason: the next run repeats step 1 (a target,
// harmless) and step 2 (look before create).
func TestRefundSync_FailedStepMarksTheRefundErrorWithTheReason(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivityCreateCustomerRefund, mock.Anything, mock.Anything).Return(RefundSyncResult{}, errors.New("NetSuite unreachable"))
	var marked MarkFailedInput
	env.OnActivity(ActivityMarkRefundFailed, mock.Anything, mock.Anything).Return(func(_ context.Context, in MarkFailedInput) error {
		marked = in
		return nil
	})
	env.ExecuteWorkflow(RefundSyncWorkflow, RefundSyncInput{RefundID: "r1", Settings: settings.Default()})
	var res RefundSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeError, res.Outcome)
	require.Equal(t, "r1", marked.ID)
	require.Equal(t, RecordRefund, marked.RecordType)
	require.Contains(t, marked.Reason, "NetSuite unreachable")
}

// §4.7 (decided, docs/settings.md): on an Invoice Settlement tenant the
// refunds phase runs, one child per refund, and each child's steps get the
// tenant's IS answer, so step 1 sets the payment to its current parts.
func TestRefundSync_RunsOnInvoiceSettlementTenantsWithTheISAnswer(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivityTenantFacts, mock.Anything).Return(TenantFacts{InvoiceSettlement: true}, nil)
	env.OnActivity(ActivitySelectRefunds, mock.Anything, mock.Anything).Return(fakeSelection(2))
	var sawIS []bool
	env.OnActivity(ActivityUnapplyRefundPayment, mock.Anything, mock.Anything).Return(func(_ context.Context, in RefundSyncInput) (RefundPlan, error) {
		sawIS = append(sawIS, in.Settings.Advanced.InvoiceSettlement)
		return RefundPlan{RefundID: in.RefundID}, nil
	})
	env.OnActivity(ActivityCreateCustomerRefund, mock.Anything, mock.Anything).Return(func(_ context.Context, in RefundStepInput) (RefundSyncResult, error) {
		sawIS = append(sawIS, in.Settings.Advanced.InvoiceSettlement)
		return RefundSyncResult{RefundID: in.Plan.RefundID, Outcome: OutcomeSynced, NetSuiteID: "55"}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhaseRefunds}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Empty(t, res.DisabledReasons[PhaseRefunds])
	require.NotContains(t, res.Disabled, PhaseRefunds)
	require.Equal(t, Counts{Selected: 2, Synced: 2}, res.Progress.Refunds)
	require.Equal(t, []bool{true, true, true, true}, sawIS)

	// One refund's workflow on IS runs both steps (no longer the "not built"
	// skip, which only histories recorded before replay).
	env2 := newEnv(t)
	env2.OnActivity(ActivityUnapplyRefundPayment, mock.Anything, mock.Anything).Return(RefundPlan{RefundID: "r1", Number: "R-1"}, nil)
	env2.OnActivity(ActivityCreateCustomerRefund, mock.Anything, mock.Anything).Return(RefundSyncResult{RefundID: "r1", Outcome: OutcomeSynced, NetSuiteID: "56"}, nil)
	is := settings.Default()
	is.Advanced.InvoiceSettlement = true
	env2.ExecuteWorkflow(RefundSyncWorkflow, RefundSyncInput{RefundID: "r1", Settings: is})
	var one RefundSyncResult
	require.NoError(t, env2.GetWorkflowResult(&one))
	require.Equal(t, OutcomeSynced, one.Outcome)
	require.Equal(t, "56", one.NetSuiteID)
}

// The record sync of one refund (starter "sync refund <id>") uses the
// workflow id and type a run uses.
func TestRefundSync_RecordSyncSameIDAsARun(t *testing.T) {
	id, typ, in, err := RecordSync(RecordRefund, "8a8a01", settings.Default())
	require.NoError(t, err)
	require.Equal(t, "refund:8a8a01", id)
	require.Equal(t, WorkflowRefundSync, typ)
	require.Equal(t, "8a8a01", in.(RefundSyncInput).RefundID)
}
