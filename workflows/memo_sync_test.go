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

	"github.com/zuora-netsuite/connector/internal/settings"
)

// debitMemoCalls records which debit memo activities ran, in order.
type debitMemoCalls struct {
	order  []string
	failed []MarkFailedInput
}

// Stand-ins registered under the debit memo activities' names.
func prepareDebitMemoStub(context.Context, DebitMemoSyncInput) (DebitMemoPlan, error) {
	return DebitMemoPlan{}, nil
}
func debitMemoStepStub(context.Context, DebitMemoStepInput) error            { return nil }
func writeDebitMemoStub(context.Context, DebitMemoStepInput) (string, error) { return "", nil }
func completeDebitMemoStub(context.Context, DebitMemoStepInput) (DebitMemoSyncResult, error) {
	return DebitMemoSyncResult{}, nil
}

// registerDebitMemoSync puts the debit memo workflow and its activity
// stand-ins on a test environment.
func registerDebitMemoSync(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterWorkflow(DebitMemoSyncWorkflow)
	env.RegisterActivityWithOptions(selectAdjustmentsStub, activity.RegisterOptions{Name: ActivitySelectDebitMemos})
	env.RegisterActivityWithOptions(prepareDebitMemoStub, activity.RegisterOptions{Name: ActivityPrepareDebitMemo})
	env.RegisterActivityWithOptions(debitMemoStepStub, activity.RegisterOptions{Name: ActivityMarkDebitMemoProcessing})
	env.RegisterActivityWithOptions(writeDebitMemoStub, activity.RegisterOptions{Name: ActivityWriteDebitMemo})
	env.RegisterActivityWithOptions(completeDebitMemoStub, activity.RegisterOptions{Name: ActivityCompleteDebitMemo})
	env.RegisterActivityWithOptions(markFailedStub, activity.RegisterOptions{Name: ActivityMarkDebitMemoFailed})
}

// mockDebitMemo wires the debit memo activities: prepare returns plan,
// write returns writeErr or NetSuite id "701", complete completeErr or synced.
func mockDebitMemo(env *testsuite.TestWorkflowEnvironment, plan DebitMemoPlan, writeErr, completeErr, markErr error) *debitMemoCalls {
	c := &debitMemoCalls{}
	registerDebitMemoSync(env)
	env.OnActivity(ActivityPrepareDebitMemo, mock.Anything, mock.Anything).Return(func(_ context.Context, in DebitMemoSyncInput) (DebitMemoPlan, error) {
		c.order = append(c.order, "prepare")
		p := plan
		p.DebitMemoID = in.DebitMemoID
		return p, nil
	})
	env.OnActivity(ActivityMarkDebitMemoProcessing, mock.Anything, mock.Anything).Return(func(context.Context, DebitMemoStepInput) error {
		c.order = append(c.order, "processing")
		return nil
	})
	env.OnActivity(ActivityWriteDebitMemo, mock.Anything, mock.Anything).Return(func(context.Context, DebitMemoStepInput) (string, error) {
		c.order = append(c.order, "write")
		if writeErr != nil {
			return "", writeErr
		}
		return "701", nil
	})
	env.OnActivity(ActivityCompleteDebitMemo, mock.Anything, mock.Anything).Return(func(_ context.Context, in DebitMemoStepInput) (DebitMemoSyncResult, error) {
		c.order = append(c.order, "complete:"+in.NetSuiteID)
		if completeErr != nil {
			return DebitMemoSyncResult{}, completeErr
		}
		return DebitMemoSyncResult{Outcome: OutcomeSynced, NetSuiteID: in.NetSuiteID}, nil
	})
	env.OnActivity(ActivityMarkDebitMemoFailed, mock.Anything, mock.Anything).Return(func(_ context.Context, in MarkFailedInput) error {
		c.order = append(c.order, "failed")
		c.failed = append(c.failed, in)
		return markErr
	})
	return c
}

func runDebitMemo(t *testing.T, plan DebitMemoPlan, writeErr, completeErr, markErr error) (*testsuite.TestWorkflowEnvironment, *debitMemoCalls, DebitMemoSyncResult) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	c := mockDebitMemo(env, plan, writeErr, completeErr, markErr)
	in := DebitMemoSyncInput{DebitMemoID: "dm1", Settings: settings.Default()}
	in.Settings.Advanced.InvoiceSettlement = true
	env.ExecuteWorkflow(DebitMemoSyncWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	var res DebitMemoSyncResult
	if env.GetWorkflowError() == nil {
		require.NoError(t, env.GetWorkflowResult(&res))
	}
	return env, c, res
}

// §7.3: Creating Debit Memo / Processing before the write, then the write,
// then the write-back with the NetSuite id.
func TestDebitMemoSync_StatusesInOrderThenSyncComplete(t *testing.T) {
	_, c, res := runDebitMemo(t, DebitMemoPlan{Number: "DM-1", Lines: 3}, nil, nil, nil)
	require.Equal(t, []string{"prepare", "processing", "write", "complete:701"}, c.order)
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, "701", res.NetSuiteID)
	require.Equal(t, "DM-1", res.Number)
}

// A memo prepare ended (validation Error, Ignore, or no longer eligible)
// writes nothing more: prepare recorded the outcome on the memo itself.
func TestDebitMemoSync_PrepareOutcomeEndsTheSync(t *testing.T) {
	for _, outcome := range []string{OutcomeError, OutcomeIgnored, OutcomeSkipped} {
		_, c, res := runDebitMemo(t, DebitMemoPlan{Number: "DM-1", Outcome: outcome, Reason: "why"}, nil, nil, nil)
		require.Equal(t, []string{"prepare"}, c.order, outcome)
		require.Equal(t, outcome, res.Outcome)
		require.Equal(t, "why", res.Reason)
	}
}

// A NetSuite refusal ends the memo in Error with the reason written on it
// (MarkDebitMemoFailed), and the run goes on.
func TestDebitMemoSync_WriteRefusedEndsErrorWithReason(t *testing.T) {
	refused := temporal.NewNonRetryableApplicationError("writing NetSuite invoice: Invalid item reference", "Rejected", nil)
	_, c, res := runDebitMemo(t, DebitMemoPlan{Number: "DM-1"}, refused, nil, nil)
	require.Equal(t, []string{"prepare", "processing", "write", "failed"}, c.order)
	require.Equal(t, OutcomeError, res.Outcome)
	require.Contains(t, res.Reason, "the NetSuite invoice could not be created: writing NetSuite invoice: Invalid item reference")
	require.Equal(t, RecordDebitMemo, c.failed[0].RecordType)
}

// The NetSuite invoice exists but the write-back fails: the reason names it.
func TestDebitMemoSync_WriteBackFailureNamesTheNetSuiteInvoice(t *testing.T) {
	mismatch := temporal.NewNonRetryableApplicationError("NetSuite invoice 701 totals 1.00 but the Zuora debit memo amounts to 2.00", "TotalMismatch", nil)
	_, c, res := runDebitMemo(t, DebitMemoPlan{Number: "DM-1"}, nil, mismatch, nil)
	require.Equal(t, []string{"prepare", "processing", "write", "complete:701", "failed"}, c.order)
	require.Equal(t, OutcomeError, res.Outcome)
	require.Contains(t, res.Reason, "NetSuite invoice 701 exists, but the sync could not finish")
}

// When Zuora cannot take the Error either, the workflow fails and the memo
// stays Processing, which the next run selects again (§0.3 error recovery).
func TestDebitMemoSync_ZuoraUnreachableForTheErrorFailsTheWorkflow(t *testing.T) {
	refused := temporal.NewNonRetryableApplicationError("refused", "Rejected", nil)
	env, _, _ := runDebitMemo(t, DebitMemoPlan{Number: "DM-1"}, refused, nil, temporal.NewNonRetryableApplicationError("zuora down", "Unavailable", nil))
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(env.GetWorkflowError(), &appErr))
	require.Equal(t, "SyncFailed", appErr.Type())
}

// The debit memo phase is a child phase: a run starts DebitMemoSyncWorkflow
// under DebitMemoWorkflowID with the selected memo's id, and a record sync
// of type debitmemo resolves to the same.
func TestDebitMemoPhase_RegisteredAsChildPhase(t *testing.T) {
	p, ok := childPhases[PhaseDebitMemos]
	require.True(t, ok)
	require.Equal(t, ActivitySelectDebitMemos, p.selectActivity)
	require.Equal(t, WorkflowDebitMemoSync, p.workflowType)
	require.Equal(t, "debitmemo:dm1", p.workflowID("dm1"))
	id, typ, input, err := RecordSync(RecordDebitMemo, "dm1", settings.Default())
	require.NoError(t, err)
	require.Equal(t, "debitmemo:dm1", id)
	require.Equal(t, WorkflowDebitMemoSync, typ)
	require.Equal(t, "dm1", input.(DebitMemoSyncInput).DebitMemoID)
}

func prepareCreditMemoStub(context.Context, CreditMemoSyncInput) (CreditMemoPlan, error) {
	return CreditMemoPlan{}, nil
}
func creditMemoStepStub(context.Context, CreditMemoStepInput) error            { return nil }
func writeCreditMemoStub(context.Context, CreditMemoStepInput) (string, error) { return "", nil }
func completeCreditMemoStub(context.Context, CreditMemoStepInput) (CreditMemoSyncResult, error) {
	return CreditMemoSyncResult{}, nil
}

// registerCreditMemoSync puts the credit memo workflow and its activity
// stand-ins on a test environment.
func registerCreditMemoSync(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterWorkflow(CreditMemoSyncWorkflow)
	env.RegisterActivityWithOptions(selectAdjustmentsStub, activity.RegisterOptions{Name: ActivitySelectCreditMemos})
	env.RegisterActivityWithOptions(prepareCreditMemoStub, activity.RegisterOptions{Name: ActivityPrepareCreditMemo})
	env.RegisterActivityWithOptions(creditMemoStepStub, activity.RegisterOptions{Name: ActivityMarkCreditMemoProcessing})
	env.RegisterActivityWithOptions(writeCreditMemoStub, activity.RegisterOptions{Name: ActivityWriteCreditMemo})
	env.RegisterActivityWithOptions(completeCreditMemoStub, activity.RegisterOptions{Name: ActivityCompleteCreditMemo})
	env.RegisterActivityWithOptions(markFailedStub, activity.RegisterOptions{Name: ActivityMarkCreditMemoFailed})
}

// registerMemoSyncs: both memo syncs' stand-ins, for newEnv once the memo
// phases are in AllPhases.
func registerMemoSyncs(env *testsuite.TestWorkflowEnvironment) {
	registerDebitMemoSync(env)
	registerCreditMemoSync(env)
}

// runCreditMemo runs CreditMemoSyncWorkflow with prepare answering plan and
// write failing with writeErr; it returns the activities in order.
func runCreditMemo(t *testing.T, plan CreditMemoPlan, writeErr error) ([]string, CreditMemoSyncResult) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	registerCreditMemoSync(env)
	var order []string
	env.OnActivity(ActivityPrepareCreditMemo, mock.Anything, mock.Anything).Return(func(_ context.Context, in CreditMemoSyncInput) (CreditMemoPlan, error) {
		order = append(order, "prepare")
		p := plan
		p.CreditMemoID = in.CreditMemoID
		return p, nil
	})
	env.OnActivity(ActivityMarkCreditMemoProcessing, mock.Anything, mock.Anything).Return(func(_ context.Context, in CreditMemoStepInput) error {
		order = append(order, "processing:"+in.Plan.Mode)
		return nil
	})
	env.OnActivity(ActivityWriteCreditMemo, mock.Anything, mock.Anything).Return(func(_ context.Context, in CreditMemoStepInput) (string, error) {
		order = append(order, "write:"+in.NetSuiteID)
		if writeErr != nil {
			return "", writeErr
		}
		if in.NetSuiteID != "" {
			return in.NetSuiteID, nil
		}
		return "801", nil
	})
	env.OnActivity(ActivityCompleteCreditMemo, mock.Anything, mock.Anything).Return(func(_ context.Context, in CreditMemoStepInput) (CreditMemoSyncResult, error) {
		order = append(order, "complete:"+in.NetSuiteID)
		return CreditMemoSyncResult{Outcome: OutcomeSynced, Applied: "12.50"}, nil
	})
	env.OnActivity(ActivityMarkCreditMemoFailed, mock.Anything, mock.Anything).Return(func(context.Context, MarkFailedInput) error {
		order = append(order, "failed")
		return nil
	})
	env.ExecuteWorkflow(CreditMemoSyncWorkflow, CreditMemoSyncInput{CreditMemoID: "cm1", Settings: settings.Default()})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res CreditMemoSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	return order, res
}

// §6.3: Creating Credit Memo / Processing, the write (record, lines, apply
// rows), then Sync Complete with what NetSuite applies.
func TestCreditMemoSync_CreateThenSyncComplete(t *testing.T) {
	order, res := runCreditMemo(t, CreditMemoPlan{Number: "CM-1", Mode: "create"}, nil)
	require.Equal(t, []string{"prepare", "processing:create", "write:", "complete:801"}, order)
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, "12.50", res.Applied)
	require.Equal(t, "801", res.NetSuiteID)
}

// A synced memo's later applications: the write goes to the synced record.
func TestCreditMemoSync_LaterApplicationsGoToTheSyncedRecord(t *testing.T) {
	order, res := runCreditMemo(t, CreditMemoPlan{Number: "CM-1", Mode: "applications", NetSuiteID: "777"}, nil)
	require.Equal(t, []string{"prepare", "processing:applications", "write:777", "complete:777"}, order)
	require.Equal(t, OutcomeSynced, res.Outcome)
}

// The migration's memo (Ignore), a memo applied to a document not in
// NetSuite (Error naming it) and one no longer eligible end at prepare.
func TestCreditMemoSync_PrepareOutcomeEndsTheSync(t *testing.T) {
	for _, outcome := range []string{OutcomeIgnored, OutcomeError, OutcomeSkipped} {
		order, res := runCreditMemo(t, CreditMemoPlan{Outcome: outcome, Reason: "why"}, nil)
		require.Equal(t, []string{"prepare"}, order, outcome)
		require.Equal(t, outcome, res.Outcome)
	}
}

// A refused write ends the memo in Error with the reason.
func TestCreditMemoSync_WriteRefusedEndsErrorWithReason(t *testing.T) {
	order, res := runCreditMemo(t, CreditMemoPlan{Mode: "create"}, temporal.NewNonRetryableApplicationError("amount exceeds the invoice's amount remaining", "Rejected", nil))
	require.Equal(t, []string{"prepare", "processing:create", "write:", "failed"}, order)
	require.Equal(t, OutcomeError, res.Outcome)
	require.Contains(t, res.Reason, "the NetSuite credit memo could not be written: amount exceeds")
}

func TestCreditMemoPhase_RegisteredAsChildPhase(t *testing.T) {
	id, typ, input, err := RecordSync(RecordCreditMemo, "cm1", settings.Default())
	require.NoError(t, err)
	require.Equal(t, "creditmemo:cm1", id)
	require.Equal(t, WorkflowCreditMemoSync, typ)
	require.Equal(t, "cm1", input.(CreditMemoSyncInput).CreditMemoID)
	require.Equal(t, ActivitySelectCreditMemos, childPhases[PhaseCreditMemos].selectActivity)
}
