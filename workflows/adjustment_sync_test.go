package workflows

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// Stand-ins registered under the adjustment activities' names.
func prepareAdjustmentStub(context.Context, AdjustmentSyncInput) (AdjustmentPlan, error) {
	return AdjustmentPlan{}, nil
}
func adjustmentStepStub(context.Context, AdjustmentStepInput) error { return nil }
func adjustmentWriteStub(context.Context, AdjustmentStepInput) (AdjustmentWriteResult, error) {
	return AdjustmentWriteResult{}, nil
}
func selectAdjustmentsStub(context.Context, SelectInput) (SelectResult, error) {
	return SelectResult{Done: true}, nil
}

// registerAdjustmentSync puts the adjustment workflow and its activity
// stand-ins on a test environment (newEnv calls it, so a full run's
// adjustments phase has its activities).
func registerAdjustmentSync(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterWorkflow(AdjustmentSyncWorkflow)
	env.RegisterActivityWithOptions(selectAdjustmentsStub, activity.RegisterOptions{Name: ActivitySelectAdjustments})
	env.RegisterActivityWithOptions(prepareAdjustmentStub, activity.RegisterOptions{Name: ActivityPrepareAdjustment})
	env.RegisterActivityWithOptions(adjustmentStepStub, activity.RegisterOptions{Name: ActivityMarkAdjustmentProcessing})
	env.RegisterActivityWithOptions(adjustmentWriteStub, activity.RegisterOptions{Name: ActivityWriteAdjustment})
	env.RegisterActivityWithOptions(adjustmentWriteStub, activity.RegisterOptions{Name: ActivityApplyOriginalCreditMemo})
	env.RegisterActivityWithOptions(adjustmentStepStub, activity.RegisterOptions{Name: ActivityCompleteAdjustment})
	env.RegisterActivityWithOptions(markFailedStub, activity.RegisterOptions{Name: ActivityMarkAdjustmentFailed})
}

// adjustmentCalls records which adjustment activities ran, in order.
type adjustmentCalls struct {
	order  []string
	failed []MarkFailedInput
	steps  []AdjustmentStepInput
}

// mockAdjustment wires every adjustment activity but those named in skip
// (the test mocks them itself: the first mock of a name wins): prepare
// returns plan, write returns w (or writeErr), apply returns ap.
func mockAdjustment(env *testsuite.TestWorkflowEnvironment, plan AdjustmentPlan, w AdjustmentWriteResult, writeErr error, ap AdjustmentWriteResult, skip ...string) *adjustmentCalls {
	c := &adjustmentCalls{}
	on := func(name string) bool {
		for _, s := range skip {
			if s == name {
				return false
			}
		}
		return true
	}
	if on(ActivityPrepareAdjustment) {
		env.OnActivity(ActivityPrepareAdjustment, mock.Anything, mock.Anything).Return(func(_ context.Context, in AdjustmentSyncInput) (AdjustmentPlan, error) {
			c.order = append(c.order, "prepare")
			p := plan
			p.AdjustmentID = in.AdjustmentID
			return p, nil
		})
	}
	if on(ActivityMarkAdjustmentProcessing) {
		env.OnActivity(ActivityMarkAdjustmentProcessing, mock.Anything, mock.Anything).Return(func(_ context.Context, in AdjustmentStepInput) error {
			c.order = append(c.order, "processing:"+in.Plan.Creating)
			return nil
		})
	}
	if on(ActivityWriteAdjustment) {
		env.OnActivity(ActivityWriteAdjustment, mock.Anything, mock.Anything).Return(func(_ context.Context, in AdjustmentStepInput) (AdjustmentWriteResult, error) {
			c.order = append(c.order, "write:"+in.Plan.RecordType)
			return w, writeErr
		})
	}
	if on(ActivityApplyOriginalCreditMemo) {
		env.OnActivity(ActivityApplyOriginalCreditMemo, mock.Anything, mock.Anything).Return(func(_ context.Context, in AdjustmentStepInput) (AdjustmentWriteResult, error) {
			c.order = append(c.order, "apply:"+in.NetSuiteID)
			return ap, nil
		})
	}
	if on(ActivityCompleteAdjustment) {
		env.OnActivity(ActivityCompleteAdjustment, mock.Anything, mock.Anything).Return(func(_ context.Context, in AdjustmentStepInput) error {
			c.order = append(c.order, "complete:"+in.NetSuiteID)
			c.steps = append(c.steps, in)
			return nil
		})
	}
	if on(ActivityMarkAdjustmentFailed) {
		env.OnActivity(ActivityMarkAdjustmentFailed, mock.Anything, mock.Anything).Return(func(_ context.Context, in MarkFailedInput) error {
			c.order = append(c.order, "failed")
			c.failed = append(c.failed, in)
			return nil
		})
	}
	return c
}

func runAdjustment(t *testing.T, env *testsuite.TestWorkflowEnvironment, s settings.Settings) AdjustmentSyncResult {
	t.Helper()
	env.ExecuteWorkflow(AdjustmentSyncWorkflow, AdjustmentSyncInput{AdjustmentID: "iia1", Settings: s})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res AdjustmentSyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	return res
}

func creditPlan() AdjustmentPlan {
	return AdjustmentPlan{Number: "IIA-00000001", InvoiceNumber: "INV-1", Type: "Credit", RecordType: "creditMemo",
		Creating: "Creating Credit Memo", Mode: "apply-to-invoice", OriginalID: "500"}
}

func TestAdjustmentSync_CreditBecomesCreditMemoAppliedToOriginalInvoice(t *testing.T) {
	env := newEnv(t)
	c := mockAdjustment(env, creditPlan(), AdjustmentWriteResult{NetSuiteID: "900", AppliedTo: "500", Applied: "100.00"}, nil, AdjustmentWriteResult{})
	res := runAdjustment(t, env, settings.Default())
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, "900", res.NetSuiteID)
	require.Equal(t, "500", res.AppliedTo)
	require.Equal(t, "100.00", res.Applied)
	require.Equal(t, "IIA-00000001", res.Number, "the run reads the adjustment number")
	require.Equal(t, []string{"prepare", "processing:Creating Credit Memo", "write:creditMemo", "complete:900"}, c.order,
		"seed: Processing / Creating Credit Memo before the write, Sync Complete after it; the application is part of the write")
}

func TestAdjustmentSync_CreditOnNegativeInvoiceIsStandaloneAndSaysSo(t *testing.T) {
	env := newEnv(t)
	plan := creditPlan()
	plan.Mode, plan.OriginalID = "standalone-credit-memo", "600"
	plan.Note = "invoice INV-8 is negative and was synced as a NetSuite credit memo, so there is no NetSuite invoice to apply this credit memo to: it was created standalone"
	c := mockAdjustment(env, plan, AdjustmentWriteResult{NetSuiteID: "901"}, nil, AdjustmentWriteResult{})
	res := runAdjustment(t, env, settings.Default())
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Contains(t, res.Note, "standalone")
	require.Empty(t, res.AppliedTo)
	require.NotContains(t, strings.Join(c.order, ","), "apply:")
}

func TestAdjustmentSync_ChargeOnPositiveInvoiceIsAnInvoiceWithRelatedTransaction(t *testing.T) {
	env := newEnv(t)
	plan := AdjustmentPlan{Number: "IIA-2", InvoiceNumber: "INV-1", Type: "Charge", RecordType: "invoice", Creating: "Creating Invoice", Mode: "related-invoice", OriginalID: "500"}
	c := mockAdjustment(env, plan, AdjustmentWriteResult{NetSuiteID: "902"}, nil, AdjustmentWriteResult{})
	res := runAdjustment(t, env, settings.Default())
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, "invoice", res.RecordType)
	require.Equal(t, []string{"prepare", "processing:Creating Invoice", "write:invoice", "complete:902"}, c.order,
		"the soft link is written with the invoice; the original is not touched")
}

func TestAdjustmentSync_ChargeOnNegativeInvoiceAppliesItsCreditMemo(t *testing.T) {
	env := newEnv(t)
	plan := AdjustmentPlan{Number: "IIA-4", InvoiceNumber: "INV-8", Type: "Charge", RecordType: "invoice", Creating: "Creating Invoice",
		Mode: ModeApplyOriginalCreditMemo, OriginalID: "600"}
	c := mockAdjustment(env, plan, AdjustmentWriteResult{NetSuiteID: "903"}, nil, AdjustmentWriteResult{AppliedTo: "600", Applied: "30.00"})
	res := runAdjustment(t, env, settings.Default())
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, "600", res.AppliedTo)
	require.Equal(t, "30.00", res.Applied)
	require.Equal(t, []string{"prepare", "processing:Creating Invoice", "write:invoice", "apply:903", "complete:903"}, c.order,
		"the original credit memo is applied to the new invoice before Sync Complete")
}

func TestAdjustmentSync_ValidationFailureEndsInErrorWithReason(t *testing.T) {
	env := newEnv(t)
	reason := "invoice INV-D025 has not been synced to NetSuite (it has no Integration Id); sync the invoice first"
	c := mockAdjustment(env, AdjustmentPlan{Number: "IIA-D007", Outcome: OutcomeError, Reason: reason}, AdjustmentWriteResult{}, nil, AdjustmentWriteResult{})
	res := runAdjustment(t, env, settings.Default())
	require.Equal(t, OutcomeError, res.Outcome)
	require.Equal(t, reason, res.Reason)
	require.Equal(t, []string{"prepare", "failed"}, c.order, "nothing is written to NetSuite")
	require.Equal(t, MarkFailedInput{RecordType: RecordAdjustment, ID: "iia1", Reason: reason}, c.failed[0])
}

func TestAdjustmentSync_SkippedWhenNoLongerEligible(t *testing.T) {
	env := newEnv(t)
	c := mockAdjustment(env, AdjustmentPlan{Outcome: OutcomeSkipped, Reason: "Transferred To Accounting is Yes; only No, Error or Processing sync"},
		AdjustmentWriteResult{}, nil, AdjustmentWriteResult{})
	res := runAdjustment(t, env, settings.Default())
	require.Equal(t, OutcomeSkipped, res.Outcome)
	require.Equal(t, []string{"prepare"}, c.order, "an adjustment changed since selection is left as it is")
}

func TestAdjustmentSync_RefusedWhenDisabledNoStandardInvoiceSyncOrInvoiceSettlement(t *testing.T) {
	for name, mutate := range map[string]func(*settings.Settings){
		"disabled":                  func(s *settings.Settings) { s.Advanced.DisableIIASync = true },
		"Use Standard Invoice Sync": func(s *settings.Settings) { s.Advanced.UseStandardInvoiceSync = false },
		"Invoice Settlement":        func(s *settings.Settings) { s.Advanced.InvoiceSettlement = true },
	} {
		t.Run(name, func(t *testing.T) {
			env := newEnv(t)
			c := mockAdjustment(env, creditPlan(), AdjustmentWriteResult{NetSuiteID: "900"}, nil, AdjustmentWriteResult{})
			s := settings.Default()
			mutate(&s)
			res := runAdjustment(t, env, s)
			require.Equal(t, OutcomeSkipped, res.Outcome)
			require.NotEmpty(t, res.Reason)
			require.Empty(t, c.order, "a directly started adjustment workflow does nothing when the sync is off")
		})
	}
}

func TestAdjustmentSync_RejectedWriteEndsInErrorWithNetSuitesReason(t *testing.T) {
	env := newEnv(t)
	rejected := temporal.NewNonRetryableApplicationError("creating the NetSuite credit memo: Invalid item reference key 20.", "Rejected", nil)
	c := mockAdjustment(env, creditPlan(), AdjustmentWriteResult{}, rejected, AdjustmentWriteResult{})
	res := runAdjustment(t, env, settings.Default())
	require.Equal(t, OutcomeError, res.Outcome)
	require.Contains(t, res.Reason, "Invalid item reference key 20")
	require.Equal(t, []string{"prepare", "processing:Creating Credit Memo", "write:creditMemo", "failed"}, c.order)
}

// A write whose answer is lost is retried; the activity finds the record by
// its external id, so the workflow completes once with that id.
func TestAdjustmentSync_RetriedWriteCompletesOnce(t *testing.T) {
	env := newEnv(t)
	c := mockAdjustment(env, creditPlan(), AdjustmentWriteResult{}, nil, AdjustmentWriteResult{}, ActivityWriteAdjustment)
	attempts := 0
	env.OnActivity(ActivityWriteAdjustment, mock.Anything, mock.Anything).Return(func(context.Context, AdjustmentStepInput) (AdjustmentWriteResult, error) {
		attempts++
		if attempts < 3 {
			return AdjustmentWriteResult{}, temporal.NewApplicationError("NetSuite: connection reset", "APIUnavailable")
		}
		return AdjustmentWriteResult{NetSuiteID: "900"}, nil
	})
	res := runAdjustment(t, env, settings.Default())
	require.Equal(t, OutcomeSynced, res.Outcome)
	require.Equal(t, 3, attempts)
	require.Len(t, c.steps, 1, "Sync Complete written once")
	require.Equal(t, "900", c.steps[0].NetSuiteID)
}

func TestAdjustmentSync_ZuoraUnreachableFailsTheWorkflowForTheNextRun(t *testing.T) {
	env := newEnv(t)
	mockAdjustment(env, AdjustmentPlan{Outcome: OutcomeError, Reason: "bad"}, AdjustmentWriteResult{}, nil, AdjustmentWriteResult{}, ActivityMarkAdjustmentFailed)
	env.OnActivity(ActivityMarkAdjustmentFailed, mock.Anything, mock.Anything).Return(errors.New("zuora down"))
	env.ExecuteWorkflow(AdjustmentSyncWorkflow, AdjustmentSyncInput{AdjustmentID: "iia1", Settings: settings.Default()})
	require.True(t, env.IsWorkflowCompleted())
	require.Error(t, env.GetWorkflowError(), "the adjustment stays Processing and the next run selects it again")
}

func TestSyncRun_AdjustmentsPhaseOneChildPerAdjustment(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivitySelectAdjustments, mock.Anything, mock.Anything).Return(SelectResult{Done: true, Records: []SelectedRecord{
		{ID: "a1", Number: "IIA-1"}, {ID: "a2", Number: "IIA-2"}, {ID: "a3", Number: "IIA-3"},
	}}, nil)
	env.OnWorkflow(AdjustmentSyncWorkflow, mock.Anything, mock.Anything).Return(func(_ workflow.Context, in AdjustmentSyncInput) (AdjustmentSyncResult, error) {
		if in.AdjustmentID == "a2" {
			return AdjustmentSyncResult{AdjustmentID: "a2", Number: "IIA-2", Outcome: OutcomeError, Reason: "invoice INV-9 has not been synced to NetSuite"}, nil
		}
		return AdjustmentSyncResult{AdjustmentID: in.AdjustmentID, Outcome: OutcomeSynced}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhaseAdjustments}})
	require.NoError(t, env.GetWorkflowError())
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, Counts{Selected: 3, Synced: 2, Errored: 1}, res.Progress.Adjustments)
	require.Len(t, res.Errors, 1)
	require.Equal(t, RecordError{Type: RecordAdjustment, ID: "a2", Number: "IIA-2", Reason: "invoice INV-9 has not been synced to NetSuite"}, res.Errors[0])
	require.NotContains(t, res.Disabled, PhaseAdjustments)
}

func TestSyncRun_AdjustmentsPhaseOffWhenDisabled(t *testing.T) {
	env := newEnv(t)
	selected := 0
	env.OnActivity(ActivitySelectAdjustments, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		selected++
		return SelectResult{Done: true}, nil
	})
	s := settings.Default()
	s.Advanced.UseStandardInvoiceSync = false
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: s, Only: []string{PhaseAdjustments}})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Contains(t, res.Disabled, PhaseAdjustments)
	require.Zero(t, selected)
}

func TestAdjustmentWorkflowID(t *testing.T) {
	require.Equal(t, "adjustment:2c92c0f9", AdjustmentWorkflowID("2c92c0f9"))
}

// Retries exhausted after the NetSuite record exists: Error with a reason
// naming the record, so the next run (which finds it by external id) only
// writes back.
func TestAdjustmentSync_ExhaustedRetriesAfterTheWriteMarkErrorNamingTheRecord(t *testing.T) {
	env := newEnv(t)
	c := mockAdjustment(env, creditPlan(), AdjustmentWriteResult{NetSuiteID: "900"}, nil, AdjustmentWriteResult{}, ActivityCompleteAdjustment)
	attempts := 0
	env.OnActivity(ActivityCompleteAdjustment, mock.Anything, mock.Anything).Return(func(context.Context, AdjustmentStepInput) error {
		attempts++
		return temporal.NewApplicationError("Zuora: 503 Service Unavailable", "APIUnavailable")
	})
	res := runAdjustment(t, env, settings.Default())
	require.Equal(t, OutcomeError, res.Outcome)
	require.Equal(t, 25, attempts, "retried up to the policy's limit")
	require.Contains(t, res.Reason, "NetSuite credit memo 900 exists")
	require.Contains(t, res.Reason, "503 Service Unavailable")
	require.Len(t, c.failed, 1)
}
