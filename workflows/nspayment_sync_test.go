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

func syncNetSuitePaymentStub(context.Context, NetSuitePaymentSyncInput) (NetSuitePaymentSyncResult, error) {
	return NetSuitePaymentSyncResult{Outcome: OutcomeSynced}, nil
}
func markNetSuitePaymentFailedStub(context.Context, NetSuitePaymentFailedInput) error { return nil }

func registerNetSuitePaymentSync(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterWorkflowWithOptions(NetSuitePaymentSyncWorkflow, workflow.RegisterOptions{Name: WorkflowNetSuitePaymentSync})
	env.RegisterActivityWithOptions(noPaymentsStub, activity.RegisterOptions{Name: ActivitySelectNetSuitePayments})
	env.RegisterActivityWithOptions(syncNetSuitePaymentStub, activity.RegisterOptions{Name: ActivitySyncNetSuitePayment})
	env.RegisterActivityWithOptions(markNetSuitePaymentFailedStub, activity.RegisterOptions{Name: ActivityMarkNetSuitePaymentFailed})
}

func nsPaymentsOn() settings.Settings {
	s := settings.Default()
	s.Advanced.NetSuitePaymentSync = true
	s.Payments.NetSuiteMethods = map[string]string{"2": "zpm"}
	return s
}

// Reference §0.6: the NetSuite → Zuora payment sync is off by default; a
// run reports the phase off with the reason and selects nothing.
func TestSyncRun_NetSuitePaymentsPhaseOffByDefaultWithItsReason(t *testing.T) {
	env := newEnv(t)
	registerNetSuitePaymentSync(env)
	env.OnActivity(ActivitySelectNetSuitePayments, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		t.Error("NetSuite payments selected with the sync off")
		return SelectResult{Done: true}, nil
	}).Maybe()
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhasePayments, PhaseNetSuitePayments}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Contains(t, res.Disabled, PhaseNetSuitePayments)
	require.Contains(t, res.DisabledReasons[PhaseNetSuitePayments], "advanced.netSuitePaymentSync")
}

// §0.1: NetSuite payments come after the Zuora payments (and refunds); one
// child per NetSuite payment, its workflow id nspayment:<NetSuite id>, each
// outcome counted under netsuitePayments; an Error carries its reason.
func TestSyncRun_NetSuitePaymentsPhaseAfterZuoraPaymentsOneChildEach(t *testing.T) {
	env := newEnv(t)
	registerNetSuitePaymentSync(env)
	var order []string
	env.OnActivity(ActivitySelectPayments, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		order = append(order, PhasePayments)
		return SelectResult{Done: true}, nil
	})
	env.OnActivity(ActivitySelectNetSuitePayments, mock.Anything, mock.Anything).Return(func(_ context.Context, in SelectInput) (SelectResult, error) {
		order = append(order, PhaseNetSuitePayments)
		return fakeSelection(3)(context.Background(), in)
	})
	var workflowIDs []string
	env.OnActivity(ActivitySyncNetSuitePayment, mock.Anything, mock.Anything).Return(func(ctx context.Context, in NetSuitePaymentSyncInput) (NetSuitePaymentSyncResult, error) {
		workflowIDs = append(workflowIDs, activity.GetInfo(ctx).WorkflowExecution.ID)
		if in.NetSuiteID == "inv-001" {
			return NetSuitePaymentSyncResult{Outcome: OutcomeError, Reason: "NetSuite payment method 9 is not mapped", Number: "PYMT1"}, nil
		}
		return NetSuitePaymentSyncResult{Outcome: OutcomeSynced, ZuoraID: "z1"}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: nsPaymentsOn(), Only: []string{PhaseNetSuitePayments, PhasePayments}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, []string{PhasePayments, PhaseNetSuitePayments}, order)
	require.Equal(t, Counts{Selected: 3, Synced: 2, Errored: 1}, res.Progress.NetSuitePayments)
	require.ElementsMatch(t, []string{"nspayment:inv-000", "nspayment:inv-001", "nspayment:inv-002"}, workflowIDs)
	require.Len(t, res.Errors, 1)
	require.Equal(t, RecordNetSuitePayment, res.Errors[0].Type)
	require.Contains(t, res.Errors[0].Reason, "not mapped")
}

// §0.2: with Use Standard Invoice Sync No the phase does not run; on
// Invoice Settlement tenants it runs (§3.7–§3.10).
func TestSyncRun_NetSuitePaymentsPhaseOffWithoutStandardInvoiceSyncOnOnIS(t *testing.T) {
	s := nsPaymentsOn()
	s.Advanced.UseStandardInvoiceSync = false
	require.Contains(t, phaseOff(PhaseNetSuitePayments, s), "Use Standard Invoice Sync is No")
	s = nsPaymentsOn()
	s.Advanced.InvoiceSettlement = true
	require.Equal(t, "", phaseOff(PhaseNetSuitePayments, s))
	require.Equal(t, "", phaseOff(PhaseNetSuitePayments, nsPaymentsOn()))
}

// §3.7–§3.10: on an Invoice Settlement tenant the phase runs, one child per
// NetSuite payment whose activity gets the tenant's IS answer; a run
// recorded before it was built (no netsuite-payments-on-is marker) replays
// with the phase off and its old reason.
func TestSyncRun_NetSuitePaymentsOnInvoiceSettlementRunGuardedByVersion(t *testing.T) {
	env := newEnv(t)
	registerNetSuitePaymentSync(env)
	env.OnActivity(ActivityTenantFacts, mock.Anything).Return(TenantFacts{InvoiceSettlement: true}, nil)
	env.OnActivity(ActivitySelectNetSuitePayments, mock.Anything, mock.Anything).Return(fakeSelection(2))
	var sawIS []bool
	env.OnActivity(ActivitySyncNetSuitePayment, mock.Anything, mock.Anything).Return(func(_ context.Context, in NetSuitePaymentSyncInput) (NetSuitePaymentSyncResult, error) {
		sawIS = append(sawIS, in.Settings.Advanced.InvoiceSettlement)
		return NetSuitePaymentSyncResult{Outcome: OutcomeSynced, ZuoraID: "z1"}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: nsPaymentsOn(), Only: []string{PhaseNetSuitePayments}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.NotContains(t, res.Disabled, PhaseNetSuitePayments)
	require.Equal(t, Counts{Selected: 2, Synced: 2}, res.Progress.NetSuitePayments)
	require.Equal(t, []bool{true, true}, sawIS)

	old := newEnv(t)
	registerNetSuitePaymentSync(old)
	old.OnActivity(ActivityTenantFacts, mock.Anything).Return(TenantFacts{InvoiceSettlement: true}, nil)
	old.OnGetVersion(versionNetSuitePaymentsOnIS, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	old.OnActivity(ActivitySelectNetSuitePayments, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		t.Error("NetSuite payments selected in a run recorded before IS was built")
		return SelectResult{Done: true}, nil
	}).Maybe()
	old.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: nsPaymentsOn(), Only: []string{PhaseNetSuitePayments}})
	require.NoError(t, old.GetWorkflowResult(&res))
	require.Contains(t, res.Disabled, PhaseNetSuitePayments)
	require.Equal(t, nsPaymentsOnISNotBuilt, res.DisabledReasons[PhaseNetSuitePayments])
}

// An activity that fails for good leaves the NetSuite payment in Error with
// the reason (MarkNetSuitePaymentFailed, with the settings naming its
// fields), and the workflow still ends with an outcome.
func TestNetSuitePaymentSync_FailedActivityMarksThePaymentErrorWithTheReason(t *testing.T) {
	env := newEnv(t)
	registerNetSuitePaymentSync(env)
	env.OnActivity(ActivitySyncNetSuitePayment, mock.Anything, mock.Anything).Return(NetSuitePaymentSyncResult{}, errors.New("Zuora unreachable"))
	var marked NetSuitePaymentFailedInput
	env.OnActivity(ActivityMarkNetSuitePaymentFailed, mock.Anything, mock.Anything).Return(func(_ context.Context, in NetSuitePaymentFailedInput) error {
		marked = in
		return nil
	})
	env.ExecuteWorkflow(NetSuitePaymentSyncWorkflow, NetSuitePaymentSyncInput{NetSuiteID: "501", Settings: nsPaymentsOn()})
	var res NetSuitePaymentSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeError, res.Outcome)
	require.Equal(t, "501", marked.NetSuiteID)
	require.Contains(t, marked.Reason, "Zuora unreachable")
	require.True(t, marked.Settings.Advanced.NetSuitePaymentSync)
}

// A record workflow started alone with the sync off does nothing.
func TestNetSuitePaymentSync_OffSkipsWithTheReason(t *testing.T) {
	env := newEnv(t)
	registerNetSuitePaymentSync(env)
	env.ExecuteWorkflow(NetSuitePaymentSyncWorkflow, NetSuitePaymentSyncInput{NetSuiteID: "501", Settings: settings.Default()})
	var res NetSuitePaymentSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSkipped, res.Outcome)
	require.Contains(t, res.Reason, "off")
}

// A NetSuite payment synced alone (starter "sync nspayment <id>") uses the
// workflow id and type a run uses, so the two never overlap.
func TestRecordSync_NetSuitePaymentSameWorkflowIDAsARun(t *testing.T) {
	id, typ, in, err := RecordSync(RecordNetSuitePayment, "501", nsPaymentsOn())
	require.NoError(t, err)
	require.Equal(t, "nspayment:501", id)
	require.Equal(t, WorkflowNetSuitePaymentSync, typ)
	require.Equal(t, "501", in.(NetSuitePaymentSyncInput).NetSuiteID)
}
