package workflows

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

func converterDefault() converter.DataConverter { return converter.GetDefaultDataConverter() }

// fakeSelection serves ids inv-000 … inv-(n-1) in pages, keyset after AfterID.
func fakeSelection(n int) func(context.Context, SelectInput) (SelectResult, error) {
	return func(_ context.Context, in SelectInput) (SelectResult, error) {
		var res SelectResult
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("inv-%03d", i)
			if id <= in.AfterID {
				continue
			}
			if len(res.Records) == in.Limit {
				return res, nil
			}
			res.Records = append(res.Records, SelectedRecord{ID: id, Number: "INV" + id[4:]})
		}
		res.Done = true
		return res, nil
	}
}

func TestSyncRun_EveryEligibleInvoiceOnceWithinTheWindow(t *testing.T) {
	env := newEnv(t)
	s := settings.Default()
	s.Run.Window = 4
	env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(fakeSelection(30))
	inFlight, peak := 0, 0
	seen := map[string]int{}
	env.OnWorkflow(InvoiceSyncWorkflow, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, in InvoiceSyncInput) (InvoiceSyncResult, error) {
		inFlight++
		peak = max(peak, inFlight)
		seen[in.InvoiceID]++
		_ = workflow.Sleep(ctx, time.Minute)
		inFlight--
		switch in.InvoiceID {
		case "inv-007":
			return InvoiceSyncResult{InvoiceID: in.InvoiceID, Outcome: OutcomeError, Reason: "charge C-1 has not been synced"}, nil
		case "inv-008":
			return InvoiceSyncResult{InvoiceID: in.InvoiceID, Outcome: OutcomeIgnored}, nil
		}
		return InvoiceSyncResult{InvoiceID: in.InvoiceID, Outcome: OutcomeSynced}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: s, Only: []string{PhaseInvoices}})
	require.NoError(t, env.GetWorkflowError())
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, Counts{Selected: 30, Synced: 28, Errored: 1, Ignored: 1}, res.Progress.Invoices)
	require.LessOrEqual(t, peak, 4, "never more children in flight than the window")
	require.Equal(t, 4, peak)
	require.Len(t, seen, 30)
	for id, n := range seen {
		require.Equal(t, 1, n, "%s synced more than once", id)
	}
	require.Equal(t, []RecordError{{Type: RecordInvoice, ID: "inv-007", Number: "INV007", Reason: "charge C-1 has not been synced"}}, res.Errors)
}

func TestSyncRun_ContinuesAsNewAfterChildrenPerContinueWithoutLosingARecord(t *testing.T) {
	env := newEnv(t)
	s := settings.Default()
	s.Run.Window = 3
	s.Run.ChildrenPerContinue = 10
	env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(fakeSelection(25))
	env.OnWorkflow(InvoiceSyncWorkflow, mock.Anything, mock.Anything).Return(InvoiceSyncResult{Outcome: OutcomeSynced}, nil)
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: s})
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(env.GetWorkflowError(), &can))
	var next SyncRunInput
	require.NoError(t, converterDefault().FromPayloads(can.Input, &next))
	require.NotNil(t, next.State)
	require.Equal(t, "inv-009", next.State.AfterID, "cursor is the last started record")
	require.Equal(t, 10, next.State.Progress.Invoices.Synced)
	require.Equal(t, PhaseInvoices, next.State.Phase)
}

func TestSyncRun_FailedChildCountsAsErrorAndStaysForTheNextRun(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(fakeSelection(2))
	env.OnWorkflow(InvoiceSyncWorkflow, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, in InvoiceSyncInput) (InvoiceSyncResult, error) {
		if in.InvoiceID == "inv-001" {
			return InvoiceSyncResult{}, errors.New("boom: activity failed and Zuora unreachable")
		}
		return InvoiceSyncResult{Outcome: OutcomeSynced}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhaseInvoices}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, 1, res.Progress.Invoices.Synced)
	require.Equal(t, 1, res.Progress.Invoices.Errored)
	require.Contains(t, res.Errors[0].Reason, "stays Processing for the next run")
}

func TestSyncRun_DisabledInvoiceSyncRunsNothing(t *testing.T) {
	env := newEnv(t)
	s := settings.Default()
	s.Advanced.DisableInvoiceSync = true
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: s})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, Counts{}, res.Progress.Invoices)
	require.Contains(t, res.Disabled, PhaseInvoices)
}

func TestSyncRun_ProgressQuery(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(fakeSelection(5))
	env.OnWorkflow(InvoiceSyncWorkflow, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, in InvoiceSyncInput) (InvoiceSyncResult, error) {
		_ = workflow.Sleep(ctx, time.Hour)
		return InvoiceSyncResult{Outcome: OutcomeSynced}, nil
	})
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryProgress)
		require.NoError(t, err)
		var st SyncRunStatus
		require.NoError(t, v.Get(&st))
		require.Equal(t, PhaseInvoices, st.Phase)
		require.Equal(t, 5, st.Progress.Invoices.Selected)
		require.Equal(t, 5, st.InFlight)
	}, time.Minute)
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhaseInvoices}})
	require.NoError(t, env.GetWorkflowError())
}

// One record synced alone uses the same workflow id as in a run, so the two
// never write it at the same time.
func TestRecordSync_SameWorkflowAsARun(t *testing.T) {
	s := settings.Default()
	for recordType, want := range map[string]string{
		RecordInvoice: "invoice:x1", RecordAdjustment: "adjustment:x1", RecordCustomer: "customer:x1", RecordCharge: "charge:x1", RecordPayment: "payment:x1",
		RecordRefund: "refund:x1",
	} {
		id, wfType, input, err := RecordSync(recordType, "x1", s)
		require.NoError(t, err)
		require.Equal(t, want, id)
		require.Equal(t, childPhases[phaseOfRecord[recordType]].workflowType, wfType)
		require.NotNil(t, input)
	}
	_, _, _, err := RecordSync("nosuchtype", "x1", s)
	require.ErrorContains(t, err, "record types: customer, charge, invoice, adjustment, payment")
	_, _, _, err = RecordSync(RecordInvoice, "", s)
	require.Error(t, err)
	require.Equal(t, 7, RunProgress{Adjustments: Counts{Synced: 7}}.OfPhase(PhaseAdjustments).Synced)
}

// T3: cancelling a run must not cancel the invoices being written (that left
// them Processing and half-written): the run starts nothing new, waits for
// the children in flight, counts them, and closes Canceled with its counts.
func TestSyncRun_CancelledRunStartsNothingNewLetsInFlightRecordsFinishAndClosesCanceledWithCounts(t *testing.T) {
	env := newEnv(t)
	s := settings.Default()
	s.Run.Window = 4
	env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(fakeSelection(30))
	started, cancelledChildren := 0, 0
	env.OnWorkflow(InvoiceSyncWorkflow, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, in InvoiceSyncInput) (InvoiceSyncResult, error) {
		started++
		if err := workflow.Sleep(ctx, time.Minute); err != nil {
			cancelledChildren++
			return InvoiceSyncResult{}, err
		}
		return InvoiceSyncResult{InvoiceID: in.InvoiceID, Outcome: OutcomeSynced}, nil
	})
	env.RegisterDelayedCallback(env.CancelWorkflow, 90*time.Second) // mid-way through the second window
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: s, Only: []string{PhaseInvoices}})
	err := env.GetWorkflowError()
	var canceled *temporal.CanceledError
	require.ErrorAs(t, err, &canceled, "the run closes Canceled")
	var res SyncRunResult
	require.NoError(t, canceled.Details(&res))
	require.Zero(t, cancelledChildren, "the cancellation reached records being written")
	require.Equal(t, 8, started, "records started after the cancellation")
	require.Equal(t, Counts{Selected: 8, Synced: 8}, res.Progress.Invoices)
}
