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

func syncNetSuiteRefundStub(context.Context, NetSuiteRefundSyncInput) (NetSuiteRefundSyncResult, error) {
	return NetSuiteRefundSyncResult{Outcome: OutcomeSynced}, nil
}
func markNetSuiteRefundFailedStub(context.Context, NetSuiteRefundFailedInput) error { return nil }

func registerNetSuiteRefundSync(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterWorkflowWithOptions(NetSuiteRefundSyncWorkflow, workflow.RegisterOptions{Name: WorkflowNetSuiteRefundSync})
	env.RegisterActivityWithOptions(noPaymentsStub, activity.RegisterOptions{Name: ActivitySelectNetSuiteRefunds})
	env.RegisterActivityWithOptions(syncNetSuiteRefundStub, activity.RegisterOptions{Name: ActivitySyncNetSuiteRefund})
	env.RegisterActivityWithOptions(markNetSuiteRefundFailedStub, activity.RegisterOptions{Name: ActivityMarkNetSuiteRefundFailed})
}

func nsRefundsOn() settings.Settings {
	s := settings.Default()
	s.Advanced.NetSuiteRefundSync = true
	return s
}

// Reference §0.6: the NetSuite → Zuora refund sync is off by default; a
// run reports the phase off with the reason and selects nothing.
func TestSyncRun_NetSuiteRefundsPhaseOffByDefaultWithItsReason(t *testing.T) {
	env := newEnv(t)
	registerNetSuiteRefundSync(env)
	env.OnActivity(ActivitySelectNetSuiteRefunds, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		t.Error("NetSuite refunds selected with the sync off")
		return SelectResult{Done: true}, nil
	}).Maybe()
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhaseNetSuitePayments, PhaseNetSuiteRefunds}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Contains(t, res.Disabled, PhaseNetSuiteRefunds)
	require.Contains(t, res.DisabledReasons[PhaseNetSuiteRefunds], "advanced.netSuiteRefundSync")
}

// NetSuite refunds come after the NetSuite payments (a refund's Zuora
// payment may be one of them); one child per NetSuite refund, its workflow
// id nsrefund:<NetSuite id>, each outcome counted under netsuiteRefunds; an
// Error carries its reason.
func TestSyncRun_NetSuiteRefundsPhaseAfterNetSuitePaymentsOneChildEach(t *testing.T) {
	env := newEnv(t)
	registerNetSuiteRefundSync(env)
	registerNetSuitePaymentSync(env)
	both := nsPaymentsOn()
	both.Advanced.NetSuiteRefundSync = true
	var order []string
	env.OnActivity(ActivitySelectNetSuitePayments, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		order = append(order, PhaseNetSuitePayments)
		return SelectResult{Done: true}, nil
	})
	env.OnActivity(ActivitySelectNetSuiteRefunds, mock.Anything, mock.Anything).Return(func(_ context.Context, in SelectInput) (SelectResult, error) {
		order = append(order, PhaseNetSuiteRefunds)
		return fakeSelection(3)(context.Background(), in)
	})
	var workflowIDs []string
	env.OnActivity(ActivitySyncNetSuiteRefund, mock.Anything, mock.Anything).Return(func(ctx context.Context, in NetSuiteRefundSyncInput) (NetSuiteRefundSyncResult, error) {
		workflowIDs = append(workflowIDs, activity.GetInfo(ctx).WorkflowExecution.ID)
		if in.NetSuiteID == "inv-001" {
			return NetSuiteRefundSyncResult{Outcome: OutcomeError, Reason: "credit memo 601 has no Zuora Refund Payment Reference", Number: "RFND1"}, nil
		}
		return NetSuiteRefundSyncResult{Outcome: OutcomeSynced, ZuoraID: "z1"}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: both, Only: []string{PhaseNetSuiteRefunds, PhaseNetSuitePayments}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, []string{PhaseNetSuitePayments, PhaseNetSuiteRefunds}, order)
	require.Equal(t, Counts{Selected: 3, Synced: 2, Errored: 1}, res.Progress.NetSuiteRefunds)
	require.ElementsMatch(t, []string{"nsrefund:inv-000", "nsrefund:inv-001", "nsrefund:inv-002"}, workflowIDs)
	require.Len(t, res.Errors, 1)
	require.Equal(t, RecordNetSuiteRefund, res.Errors[0].Type)
	require.Contains(t, res.Errors[0].Reason, "no Zuora Refund Payment Reference")
}

// §0.2: with Use Standard Invoice Sync No the phase does not run; on
// Invoice Settlement tenants it runs.
func TestSyncRun_NetSuiteRefundsPhaseOffWithoutStandardInvoiceSyncOnOnIS(t *testing.T) {
	s := nsRefundsOn()
	s.Advanced.UseStandardInvoiceSync = false
	require.Contains(t, phaseOff(PhaseNetSuiteRefunds, s), "Use Standard Invoice Sync is No")
	s = nsRefundsOn()
	s.Advanced.InvoiceSettlement = true
	require.Equal(t, "", phaseOff(PhaseNetSuiteRefunds, s))
	require.Equal(t, "", phaseOff(PhaseNetSuiteRefunds, nsRefundsOn()))
}

// On an Invoice Settlement tenant the phase runs, its activity gets the IS
// answer; a run recorded before it was built (no netsuite-refunds-on-is
// marker) replays with the phase off and its old reason.
func TestSyncRun_NetSuiteRefundsOnInvoiceSettlementRunGuardedByVersion(t *testing.T) {
	env := newEnv(t)
	registerNetSuiteRefundSync(env)
	env.OnActivity(ActivityTenantFacts, mock.Anything).Return(TenantFacts{InvoiceSettlement: true}, nil)
	env.OnActivity(ActivitySelectNetSuiteRefunds, mock.Anything, mock.Anything).Return(fakeSelection(2))
	var sawIS []bool
	env.OnActivity(ActivitySyncNetSuiteRefund, mock.Anything, mock.Anything).Return(func(_ context.Context, in NetSuiteRefundSyncInput) (NetSuiteRefundSyncResult, error) {
		sawIS = append(sawIS, in.Settings.Advanced.InvoiceSettlement)
		return NetSuiteRefundSyncResult{Outcome: OutcomeSynced, ZuoraID: "zr1"}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: nsRefundsOn(), Only: []string{PhaseNetSuiteRefunds}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.NotContains(t, res.Disabled, PhaseNetSuiteRefunds)
	require.Equal(t, Counts{Selected: 2, Synced: 2}, res.Progress.NetSuiteRefunds)
	require.Equal(t, []bool{true, true}, sawIS)

	old := newEnv(t)
	registerNetSuiteRefundSync(old)
	old.OnActivity(ActivityTenantFacts, mock.Anything).Return(TenantFacts{InvoiceSettlement: true}, nil)
	old.OnGetVersion(versionNetSuiteRefundsOnIS, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	old.OnActivity(ActivitySelectNetSuiteRefunds, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		t.Error("NetSuite refunds selected in a run recorded before IS was built")
		return SelectResult{Done: true}, nil
	}).Maybe()
	old.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: nsRefundsOn(), Only: []string{PhaseNetSuiteRefunds}})
	require.NoError(t, old.GetWorkflowResult(&res))
	require.Contains(t, res.Disabled, PhaseNetSuiteRefunds)
	require.Equal(t, nsRefundsOnISNotBuilt, res.DisabledReasons[PhaseNetSuiteRefunds])
}

// An activity that fails for good leaves the NetSuite refund in Error with
// the reason (MarkNetSuiteRefundFailed, with the settings naming its
// fields), and the workflow still ends with an outcome.
func TestNetSuiteRefundSync_FailedActivityMarksTheRefundErrorWithTheReason(t *testing.T) {
	env := newEnv(t)
	registerNetSuiteRefundSync(env)
	env.OnActivity(ActivitySyncNetSuiteRefund, mock.Anything, mock.Anything).Return(NetSuiteRefundSyncResult{}, errors.New("Zuora unreachable"))
	var marked NetSuiteRefundFailedInput
	env.OnActivity(ActivityMarkNetSuiteRefundFailed, mock.Anything, mock.Anything).Return(func(_ context.Context, in NetSuiteRefundFailedInput) error {
		marked = in
		return nil
	})
	env.ExecuteWorkflow(NetSuiteRefundSyncWorkflow, NetSuiteRefundSyncInput{NetSuiteID: "501", Settings: nsRefundsOn()})
	var res NetSuiteRefundSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeError, res.Outcome)
	require.Equal(t, "501", marked.NetSuiteID)
	require.Contains(t, marked.Reason, "Zuora unreachable")
	require.True(t, marked.Settings.Advanced.NetSuiteRefundSync)
}

// A record workflow started alone with the sync off does nothing.
func TestNetSuiteRefundSync_OffSkipsWithTheReason(t *testing.T) {
	env := newEnv(t)
	registerNetSuiteRefundSync(env)
	env.ExecuteWorkflow(NetSuiteRefundSyncWorkflow, NetSuiteRefundSyncInput{NetSuiteID: "501", Settings: settings.Default()})
	var res NetSuiteRefundSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSkipped, res.Outcome)
	require.Contains(t, res.Reason, "off")
}

// A NetSuite refund synced alone (starter "sync nsrefund <id>") uses the
// workflow id and type a run uses, so the two never overlap.
func TestRecordSync_NetSuiteRefundSameWorkflowIDAsARun(t *testing.T) {
	id, typ, in, err := RecordSync(RecordNetSuiteRefund, "501", nsRefundsOn())
	require.NoError(t, err)
	require.Equal(t, "nsrefund:501", id)
	require.Equal(t, WorkflowNetSuiteRefundSync, typ)
	require.Equal(t, "501", in.(NetSuiteRefundSyncInput).NetSuiteID)
}
