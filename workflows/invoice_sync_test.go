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

// Activity stand-ins registered under the real names, so tests can mock them
// without the activities package (which needs API clients).
func syncInvoiceStub(context.Context, SyncInvoiceInput) (SyncInvoiceStep, error) {
	return SyncInvoiceStep{}, nil
}
func markFailedStub(context.Context, MarkFailedInput) error         { return nil }
func selectStub(context.Context, SelectInput) (SelectResult, error) { return SelectResult{}, nil }
func revRecStub(context.Context, RevRecInput) (RevRecResult, error) {
	return RevRecResult{Done: true}, nil
}

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(InvoiceSyncWorkflow)
	env.RegisterWorkflow(SyncRunWorkflow)
	env.RegisterActivityWithOptions(syncInvoiceStub, activity.RegisterOptions{Name: ActivitySyncInvoice})
	env.RegisterActivityWithOptions(markFailedStub, activity.RegisterOptions{Name: ActivityMarkInvoiceFailed})
	env.RegisterActivityWithOptions(selectStub, activity.RegisterOptions{Name: ActivitySelectInvoices})
	env.RegisterActivityWithOptions(revRecStub, activity.RegisterOptions{Name: ActivityUpdateRevRec})
	registerRecordSyncs(env) // customer_sync_test.go: the customers and catalog phases
	// adjustment_sync_test.go: the adjustments phase
	registerAdjustmentSync(env)
	registerMemoSyncs(env)
	registerTenantFacts(env) // tenant_facts_test.go: a tenant without Invoice Settlement unless a test says otherwise
	registerPaymentSync(env) // payment_sync_test.go: no payments unless a test says otherwise
	registerRefundSync(env)  // refund_sync_test.go: no refunds unless a test says otherwise
	return env
}

func TestInvoiceSync_SmallInvoiceSyncsInOneActivity(t *testing.T) {
	env := newEnv(t)
	calls := 0
	env.OnActivity(ActivitySyncInvoice, mock.Anything, mock.Anything).Return(func(_ context.Context, in SyncInvoiceInput) (SyncInvoiceStep, error) {
		calls++
		require.Equal(t, "inv1", in.InvoiceID)
		st := InvoiceSyncState{InvoiceNumber: "INV-1", RecordType: "invoice", NetSuiteID: "77", TotalBatches: 1, NextBatch: 1, Items: 3, LinesWritten: 3}
		return SyncInvoiceStep{State: st, Outcome: OutcomeSynced}, nil
	})
	env.ExecuteWorkflow(InvoiceSyncWorkflow, InvoiceSyncInput{InvoiceID: "inv1", Settings: settings.Default()})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res InvoiceSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, "77", res.NetSuiteID)
	require.Equal(t, 1, calls, "a small invoice costs one activity")
}

func TestInvoiceSync_ValidationFailureEndsInErrorWithReason(t *testing.T) {
	env := newEnv(t)
	reason := "account A-00012 has not been synced to NetSuite (it has no Integration Id)"
	env.OnActivity(ActivitySyncInvoice, mock.Anything, mock.Anything).Return(SyncInvoiceStep{Outcome: OutcomeError, Reason: reason}, nil)
	env.ExecuteWorkflow(InvoiceSyncWorkflow, InvoiceSyncInput{InvoiceID: "inv2", Settings: settings.Default()})
	var res InvoiceSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeError, res.Outcome)
	require.Equal(t, reason, res.Reason)
}

// The sign rule (a negative invoice becomes a credit memo of the opposite
// sign) is tested where it is decided, through the sandbox:
// activities/sign_test.go, TestSyncInvoice_NegativeInvoiceIsACreditMemoOfTheOppositeSign.

// A large invoice loops over SyncInvoice, carrying the batch cursor, and
// continues as new after Run.BatchesPerContinue batches.
func TestInvoiceSync_LargeInvoiceContinuesAsNewCarryingTheCursor(t *testing.T) {
	env := newEnv(t)
	s := settings.Default()
	s.Run.BatchesPerContinue = 20
	var seen []int
	env.OnActivity(ActivitySyncInvoice, mock.Anything, mock.Anything).Return(func(_ context.Context, in SyncInvoiceInput) (SyncInvoiceStep, error) {
		st := in.State
		seen = append(seen, st.NextBatch)
		if st.TotalBatches == 0 {
			st.TotalBatches, st.NetSuiteID, st.RecordType = 200, "5", "invoice"
		}
		st.NextBatch = min(st.NextBatch+10, st.TotalBatches)
		return SyncInvoiceStep{State: st}, nil
	})
	env.ExecuteWorkflow(InvoiceSyncWorkflow, InvoiceSyncInput{InvoiceID: "big", Settings: s})
	err := env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(err, &can), "want continue-as-new, got %v", err)
	require.Equal(t, []int{0, 10}, seen)
	var next InvoiceSyncInput
	require.NoError(t, decodeCANInput(can, &next))
	require.Equal(t, 20, next.State.NextBatch)
	require.Equal(t, "5", next.State.NetSuiteID)
	require.Equal(t, 1, next.State.ContinuedAsNew)

	// The next generation resumes at batch 20 and finishes.
	env2 := newEnv(t)
	env2.OnActivity(ActivitySyncInvoice, mock.Anything, mock.Anything).Return(func(_ context.Context, in SyncInvoiceInput) (SyncInvoiceStep, error) {
		require.Equal(t, 20, in.State.NextBatch)
		st := in.State
		st.NextBatch = st.TotalBatches
		return SyncInvoiceStep{State: st, Outcome: OutcomeSynced}, nil
	})
	next.Settings.Run.BatchesPerContinue = 1000
	env2.ExecuteWorkflow(InvoiceSyncWorkflow, next)
	var res InvoiceSyncResult
	require.NoError(t, env2.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, 200, res.Batches)
	require.Equal(t, 1, res.ContinuedAsNew)
}

// A batch that fails with a retryable error is retried by Temporal and the
// sync goes on from the same cursor.
func TestInvoiceSync_RetriedBatchResumesFromTheSameCursor(t *testing.T) {
	env := newEnv(t)
	attempts := 0
	env.OnActivity(ActivitySyncInvoice, mock.Anything, mock.Anything).Return(func(_ context.Context, in SyncInvoiceInput) (SyncInvoiceStep, error) {
		attempts++
		if attempts == 2 {
			require.Equal(t, 3, in.State.NextBatch)
			return SyncInvoiceStep{}, temporal.NewApplicationError("netsuite: 503 Service Unavailable", "APIUnavailable")
		}
		st := in.State
		if st.TotalBatches == 0 {
			st.TotalBatches, st.NetSuiteID = 5, "9"
		}
		st.NextBatch = min(st.NextBatch+3, st.TotalBatches)
		out := SyncInvoiceStep{State: st}
		if st.NextBatch == st.TotalBatches {
			out.Outcome = OutcomeSynced
		}
		return out, nil
	})
	env.ExecuteWorkflow(InvoiceSyncWorkflow, InvoiceSyncInput{InvoiceID: "r", Settings: settings.Default()})
	var res InvoiceSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, 3, attempts, "first call, the failed retry of batch 3, its successful retry")
}

// When retries are exhausted the invoice is marked Error with the reason, so
// it never stays Processing unexplained.
func TestInvoiceSync_ExhaustedRetriesMarkTheInvoiceError(t *testing.T) {
	env := newEnv(t)
	// A retryable fault every time: Temporal really retries, up to the
	// policy's maximum attempts, before the workflow marks the invoice.
	attempts := 0
	env.OnActivity(ActivitySyncInvoice, mock.Anything, mock.Anything).Return(func(context.Context, SyncInvoiceInput) (SyncInvoiceStep, error) {
		attempts++
		return SyncInvoiceStep{}, temporal.NewApplicationError("netsuite: 503 Service Unavailable", "APIUnavailable")
	})
	defer func() {
		require.Equal(t, int(invoiceActivityOptions().RetryPolicy.MaximumAttempts), attempts, "retried to the policy's maximum")
	}()
	var marked MarkFailedInput
	env.OnActivity(ActivityMarkInvoiceFailed, mock.Anything, mock.Anything).Return(func(_ context.Context, in MarkFailedInput) error {
		marked = in
		return nil
	})
	env.ExecuteWorkflow(InvoiceSyncWorkflow, InvoiceSyncInput{InvoiceID: "down", Settings: settings.Default()})
	var res InvoiceSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OutcomeError, res.Outcome)
	require.Equal(t, "down", marked.ID)
	require.Contains(t, marked.Reason, "503 Service Unavailable")
}

func decodeCANInput(can *workflow.ContinueAsNewError, out *InvoiceSyncInput) error {
	return converterDefault().FromPayloads(can.Input, out)
}
