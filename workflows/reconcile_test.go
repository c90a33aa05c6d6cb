package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/internal/settings"
)

func reconcileStub(context.Context, ReconcilePageInput) (ReconcilePageResult, error) {
	return ReconcilePageResult{}, errors.New("not mocked")
}

func newReconcileEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(ReconcileWorkflow)
	env.RegisterActivityWithOptions(reconcileStub, activity.RegisterOptions{Name: ActivityReconcilePage})
	return env
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// fakeAccounts serves accounts acct-000 … acct-(n-1) a page at a time; every
// third account has one difference and each account one invoice.
func fakeAccounts(n int, calls *[]ReconcilePageInput) func(context.Context, ReconcilePageInput) (ReconcilePageResult, error) {
	return func(_ context.Context, in ReconcilePageInput) (ReconcilePageResult, error) {
		*calls = append(*calls, in)
		var res ReconcilePageResult
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("acct-%03d", i)
			if id <= in.AfterAccountID {
				continue
			}
			if res.Counts.Accounts == in.Limit {
				return res, nil
			}
			res.Counts.Accounts++
			res.Counts.Invoices++
			res.LastAccountID = id
			cur := "USD"
			if i%2 == 1 {
				cur = "EUR"
			}
			res.Totals = append(res.Totals, CurrencyTotal{Currency: cur, Zuora: d("10.01"), NetSuite: d("10.01")})
			if i%3 == 0 {
				res.DifferencesFound++
				if len(res.Differences) < in.MaxDifferences {
					res.Differences = append(res.Differences, Difference{Kind: DiffTotal, RecordType: RecordInvoice, ZuoraID: "inv-" + id,
						Zuora: "10.01", NetSuite: "10.00", Detail: "NetSuite total differs by 0.01"})
				}
			} else {
				res.Counts.Matched++
			}
		}
		res.Done = true
		return res, nil
	}
}

func TestReconcile_PagesEveryAccountAndSumsTotalsPerCurrency(t *testing.T) {
	env := newReconcileEnv()
	var calls []ReconcilePageInput
	env.OnActivity(ActivityReconcilePage, mock.Anything, mock.Anything).Return(fakeAccounts(10, &calls))
	env.ExecuteWorkflow(ReconcileWorkflow, ReconcileInput{From: "2026-01-01", To: "2026-12-31", Settings: settings.Default(), PageSize: 4})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res ReconcileResult
	require.NoError(t, env.GetWorkflowResult(&res))

	require.Len(t, calls, 3, "10 accounts in pages of 4")
	require.Equal(t, []string{"", "acct-003", "acct-007"}, []string{calls[0].AfterAccountID, calls[1].AfterAccountID, calls[2].AfterAccountID})
	require.Equal(t, ReconcileCounts{Accounts: 10, Invoices: 10, Matched: 6, Differences: 4}, res.Counts)
	require.Len(t, res.Differences, 4)
	require.False(t, res.Clean())
	// Sorted by currency, summed to the cent.
	require.Equal(t, "EUR", res.Totals[0].Currency)
	require.Equal(t, "50.05", res.Totals[0].Zuora.StringFixed(2))
	require.Equal(t, "USD", res.Totals[1].Currency)
	require.Equal(t, "50.05", res.Totals[1].NetSuite.StringFixed(2))
}

func TestReconcile_DifferencesListBoundedTheRestCounted(t *testing.T) {
	env := newReconcileEnv()
	var calls []ReconcilePageInput
	env.OnActivity(ActivityReconcilePage, mock.Anything, mock.Anything).Return(fakeAccounts(30, &calls))
	env.ExecuteWorkflow(ReconcileWorkflow, ReconcileInput{From: "2026-01-01", To: "2026-01-31", PageSize: 7, MaxDifferences: 3})
	var res ReconcileResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, 10, res.Counts.Differences, "every third of 30 accounts")
	require.Len(t, res.Differences, 3)
	require.Equal(t, 7, res.DifferencesOmitted)
	for _, c := range calls {
		require.Equal(t, 3, c.MaxDifferences, "the activity is told the bound too")
	}
}

func TestReconcile_LongRangeContinuesAsNewWithItsState(t *testing.T) {
	env := newReconcileEnv()
	var calls []ReconcilePageInput
	env.OnActivity(ActivityReconcilePage, mock.Anything, mock.Anything).Return(fakeAccounts(reconcilePagesPerContinue+50, &calls))
	env.ExecuteWorkflow(ReconcileWorkflow, ReconcileInput{From: "2026-01-01", To: "2026-12-31", PageSize: 1})
	require.True(t, env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(env.GetWorkflowError(), &can), "want continue-as-new, got %v", env.GetWorkflowError())
	require.Len(t, calls, reconcilePagesPerContinue)

	// The next generation starts from the carried cursor and counts.
	var next ReconcileInput
	require.NoError(t, converterDefault().FromPayloads(can.Input, &next))
	require.NotNil(t, next.State)
	require.Equal(t, fmt.Sprintf("acct-%03d", reconcilePagesPerContinue-1), next.State.AfterAccountID)
	require.Equal(t, reconcilePagesPerContinue, next.State.Counts.Accounts)
	require.Equal(t, 1, next.State.ContinuedAsNew)

	env2 := newReconcileEnv()
	var calls2 []ReconcilePageInput
	env2.OnActivity(ActivityReconcilePage, mock.Anything, mock.Anything).Return(fakeAccounts(reconcilePagesPerContinue+50, &calls2))
	env2.ExecuteWorkflow(ReconcileWorkflow, next)
	var res ReconcileResult
	require.NoError(t, env2.GetWorkflowResult(&res))
	require.Len(t, calls2, 50, "the last 50 accounts, one a page")
	require.Equal(t, reconcilePagesPerContinue+50, res.Counts.Accounts)
	require.Equal(t, 1, res.ContinuedAsNew)
}

func TestReconcile_BadRangeFailsWithoutRetrying(t *testing.T) {
	for _, r := range [][2]string{{"2026-13-01", "2026-12-31"}, {"2026-02-01", "2026-01-31"}, {"", "2026-01-01"}} {
		env := newReconcileEnv()
		env.ExecuteWorkflow(ReconcileWorkflow, ReconcileInput{From: r[0], To: r[1]})
		err := env.GetWorkflowError()
		var appErr *temporal.ApplicationError
		require.True(t, errors.As(err, &appErr), "range %v: %v", r, err)
		require.True(t, appErr.NonRetryable())
		require.Equal(t, "BadInput", appErr.Type())
	}
}

func TestReconcile_ProgressQueryWhileRunning(t *testing.T) {
	env := newReconcileEnv()
	var calls []ReconcilePageInput
	serve := fakeAccounts(6, &calls)
	env.OnActivity(ActivityReconcilePage, mock.Anything, mock.Anything).Return(serve).After(time.Minute)
	var mid ReconcileStatus
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryProgress)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
	}, 90*time.Second)
	env.ExecuteWorkflow(ReconcileWorkflow, ReconcileInput{From: "2026-01-01", To: "2026-12-31", PageSize: 2})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, 1, mid.Pages)
	require.Equal(t, 2, mid.Counts.Accounts)
	require.False(t, mid.Done)
}

func TestReconcile_ActivityFailureFailsTheReconciliation(t *testing.T) {
	env := newReconcileEnv()
	env.OnActivity(ActivityReconcilePage, mock.Anything, mock.Anything).Return(ReconcilePageResult{},
		temporal.NewNonRetryableApplicationError("NetSuite refused the query", "Refused", nil))
	env.ExecuteWorkflow(ReconcileWorkflow, ReconcileInput{From: "2026-01-01", To: "2026-12-31"})
	require.ErrorContains(t, env.GetWorkflowError(), "NetSuite refused the query")
}

func TestReconcileMerge_TotalsStaySortedWhateverThePageOrder(t *testing.T) {
	var st ReconcileState
	st.merge(ReconcilePageResult{Totals: []CurrencyTotal{{Currency: "USD", Zuora: d("1.10"), NetSuite: d("1.10")}}}, 5)
	st.merge(ReconcilePageResult{Totals: []CurrencyTotal{{Currency: "AUD", Zuora: d("2"), NetSuite: d("1.99")}, {Currency: "GBP", Zuora: d("3")}}}, 5)
	st.merge(ReconcilePageResult{Totals: []CurrencyTotal{{Currency: "USD", Zuora: d("0.01"), NetSuite: d("0.02")}}}, 5)
	var got []string
	for _, t := range st.Totals {
		got = append(got, t.Currency+" "+t.Zuora.StringFixed(2)+" "+t.NetSuite.StringFixed(2))
	}
	require.Equal(t, []string{"AUD 2.00 1.99", "GBP 3.00 0.00", "USD 1.11 1.12"}, got)
	require.Equal(t, 3, st.Pages)
}

func TestReconcileInput_HandWrittenJSONWithoutSettingsUsesTheDefaults(t *testing.T) {
	var in ReconcileInput
	require.NoError(t, json.Unmarshal([]byte(`{"from":"2026-01-01","to":"2026-12-31"}`), &in))
	require.Equal(t, settings.Default(), in.Settings)
	require.Equal(t, "2026-12-31", in.To)
	require.NoError(t, json.Unmarshal([]byte(`{"from":"2026-01-01","to":"2026-12-31","settings":{"advanced":{"useStandardInvoiceSync":false}},"pageSize":7}`), &in))
	require.False(t, in.Settings.Advanced.UseStandardInvoiceSync)
	require.Equal(t, 7, in.PageSize)
}

func TestSyncRun_ReconcileAfterSyncStartsAReconciliationOfTheOpenPeriods(t *testing.T) {
	for _, on := range []bool{true, false} {
		env := newEnv(t)
		env.RegisterWorkflow(ReconcileWorkflow)
		env.SetStartTime(time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC))
		s := settings.Default()
		s.Run.ReconcileAfterSync = on
		env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(fakeSelection(0))
		var got []ReconcileInput
		env.OnWorkflow(ReconcileWorkflow, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, in ReconcileInput) (ReconcileResult, error) {
			got = append(got, in)
			require.Equal(t, ReconcileAfterSyncID("default-test-workflow-id"), workflow.GetInfo(ctx).WorkflowExecution.ID)
			return ReconcileResult{From: in.From, To: in.To}, nil
		})
		env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: s, Only: []string{PhaseInvoices}})
		require.NoError(t, env.GetWorkflowError())
		if !on {
			require.Empty(t, got, "reconcileAfterSync off: no reconciliation")
			continue
		}
		require.Len(t, got, 1)
		require.Equal(t, "2026-02-01", got[0].From)
		require.Equal(t, "2026-03-15", got[0].To)
		require.True(t, got[0].Settings.Run.ReconcileAfterSync)
	}
}

func TestReconcileAfterSync_JanuaryReachesBackToDecember(t *testing.T) {
	env := newEnv(t)
	env.RegisterWorkflow(ReconcileWorkflow)
	env.SetStartTime(time.Date(2027, 1, 3, 0, 30, 0, 0, time.UTC))
	s := settings.Default()
	s.Run.ReconcileAfterSync = true
	env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(fakeSelection(0))
	var from, to string
	env.OnWorkflow(ReconcileWorkflow, mock.Anything, mock.Anything).Return(func(_ workflow.Context, in ReconcileInput) (ReconcileResult, error) {
		from, to = in.From, in.To
		return ReconcileResult{}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: s, Only: []string{PhaseInvoices}})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, "2026-12-01", from)
	require.Equal(t, "2027-01-03", to)
}
