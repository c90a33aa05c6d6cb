package workflows

import (
	"context"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/zuora-netsuite/connector/internal/settings"
)

func tenantFactsStub(context.Context) (TenantFacts, error) { return TenantFacts{}, nil }

func registerTenantFacts(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterActivityWithOptions(tenantFactsStub, activity.RegisterOptions{Name: ActivityTenantFacts})
}

// Issue 16: a schedule created before the migration starts runs whose
// settings still say "no Invoice Settlement"; the tenant's answer wins, so
// the adjustments phase is off (with its reason) and every selection and
// record child of the run is told the tenant is on IS.
func TestSyncRun_InvoiceSettlementTenantDisablesAdjustmentsWhateverTheSettingsSay(t *testing.T) {
	env := newEnv(t)
	s := settings.Default()
	s.Advanced.InvoiceSettlement = false // the settings file predates the migration
	env.OnActivity(ActivityTenantFacts, mock.Anything).Return(TenantFacts{InvoiceSettlement: true}, nil).Once()
	var selectedWithIS []bool
	env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(func(_ context.Context, in SelectInput) (SelectResult, error) {
		selectedWithIS = append(selectedWithIS, in.Settings.Advanced.InvoiceSettlement)
		return SelectResult{Done: true}, nil
	})
	env.OnActivity(ActivitySelectAdjustments, mock.Anything, mock.Anything).Return(func(context.Context, SelectInput) (SelectResult, error) {
		t.Error("the adjustments phase ran on an Invoice Settlement tenant")
		return SelectResult{Done: true}, nil
	}).Maybe()
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: s})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Contains(t, res.Disabled, PhaseAdjustments)
	require.Contains(t, res.DisabledReasons[PhaseAdjustments], "Invoice Settlement")
	require.True(t, res.InvoiceSettlement)
	require.Equal(t, []bool{true}, selectedWithIS, "the invoice selection must not pick negative invoices on an IS tenant")
}

// The reverse: settings that say IS on a tenant that is not (a settings file
// copied from another tenant) do not switch the adjustments off.
func TestSyncRun_TenantWithoutInvoiceSettlementRunsAdjustmentsWhateverTheSettingsSay(t *testing.T) {
	env := newEnv(t)
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	adjustmentsSelected := 0
	env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(SelectResult{Done: true}, nil)
	env.OnActivity(ActivitySelectAdjustments, mock.Anything, mock.Anything).Return(func(_ context.Context, in SelectInput) (SelectResult, error) {
		adjustmentsSelected++
		require.False(t, in.Settings.Advanced.InvoiceSettlement)
		return SelectResult{Done: true}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: s})
	var res SyncRunResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.NotContains(t, res.Disabled, PhaseAdjustments)
	require.Equal(t, 1, adjustmentsSelected)
	require.Contains(t, res.DisabledReasons[PhaseCreditMemos], "not on Invoice Settlement")
}

// The answer is read once per run chain: a continued run keeps it and does
// not ask the tenant again (its history, not the tenant, is the record).
func TestSyncRun_ContinuedRunKeepsTheTenantFactsWithoutAskingAgain(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivityTenantFacts, mock.Anything).Return(func(context.Context) (TenantFacts, error) {
		t.Error("a continued run asked the tenant again")
		return TenantFacts{}, nil
	}).Maybe()
	var sawIS bool
	env.OnActivity(ActivitySelectInvoices, mock.Anything, mock.Anything).Return(func(_ context.Context, in SelectInput) (SelectResult, error) {
		sawIS = in.Settings.Advanced.InvoiceSettlement
		return SelectResult{Done: true}, nil
	})
	env.ExecuteWorkflow(SyncRunWorkflow, SyncRunInput{Settings: settings.Default(), Only: []string{PhaseInvoices},
		State: &SyncRunState{Phase: PhaseInvoices, Tenant: &TenantFacts{InvoiceSettlement: true}}})
	require.NoError(t, env.GetWorkflowError())
	require.True(t, sawIS)
}

// Reference money-sync §0.1: the run order; rev rec stays last.
func TestRunOrder_ReferenceOrderPaymentsAfterEveryDocumentRevRecLast(t *testing.T) {
	require.Equal(t, []string{PhaseCustomers, PhaseCatalog, PhaseInvoices, PhaseDebitMemos, PhaseCreditMemos,
		PhasePayments, PhaseRefunds, PhaseAdjustments, PhaseNetSuitePayments, PhaseNetSuiteRefunds, PhaseRevRec}, AllPhases)
}

// Reference money-sync §0.2 and §0.6: which phases are off, and why.
func TestRunOrder_PhaseOffRules(t *testing.T) {
	is := settings.Default()
	is.Advanced.InvoiceSettlement = true
	noStd := settings.Default()
	noStd.Advanced.UseStandardInvoiceSync = false
	noPay := settings.Default()
	noPay.Advanced.DisablePaymentSync = true
	noRef := settings.Default()
	noRef.Advanced.DisableRefundSync = true
	isNoStd := is
	isNoStd.Advanced.UseStandardInvoiceSync = false
	isNoDM, isNoCM := is, is
	isNoDM.Advanced.DisableDebitMemoSync = true
	isNoCM.Advanced.DisableCreditMemoSync = true
	for _, c := range []struct {
		name  string
		phase string
		s     settings.Settings
		want  string // "" = runs
	}{
		{"adjustments off on IS", PhaseAdjustments, is, "Invoice Settlement"},
		{"adjustments on without IS", PhaseAdjustments, settings.Default(), ""},
		{"credit memos off without IS", PhaseCreditMemos, settings.Default(), "not on Invoice Settlement"},
		{"debit memos off without IS", PhaseDebitMemos, settings.Default(), "not on Invoice Settlement"},
		{"payments off when Use Standard Invoice Sync is No", PhasePayments, noStd, "Use Standard Invoice Sync is No"},
		{"refunds off when Use Standard Invoice Sync is No", PhaseRefunds, noStd, "Use Standard Invoice Sync is No"},
		{"payments off by their switch", PhasePayments, noPay, "payment sync is disabled"},
		{"refunds off by their switch", PhaseRefunds, noRef, "refund sync is disabled"},
		{"refunds on without IS", PhaseRefunds, settings.Default(), ""},
		{"refunds on IS (§4.7)", PhaseRefunds, is, ""},
		{"invoices on when payments are off", PhaseInvoices, noPay, ""},
		{"debit memos on IS", PhaseDebitMemos, is, ""},
		{"payments on IS (§2)", PhasePayments, is, ""},
		{"credit memos on IS", PhaseCreditMemos, is, ""},
		{"debit memos on IS when Use Standard Invoice Sync is No (§0.2: invoices and debit memos still go)", PhaseDebitMemos, isNoStd, ""},
		{"credit memos off on IS when Use Standard Invoice Sync is No", PhaseCreditMemos, isNoStd, "Use Standard Invoice Sync is No"},
		{"debit memos off by their switch", PhaseDebitMemos, isNoDM, "debit memo sync is disabled"},
		{"credit memos off by their switch", PhaseCreditMemos, isNoCM, "credit memo sync is disabled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := phaseOff(c.phase, c.s)
			if c.want == "" {
				require.Empty(t, got)
				return
			}
			require.Contains(t, got, c.want)
		})
	}
	// A phase of the reference order with no sync in this worker is reported,
	// never silently skipped.
	for _, p := range AllPhases {
		if _, ok := childPhases[p]; !ok && p != PhaseRevRec {
			s := is
			require.NotEmpty(t, phaseOff(p, s), "phase %s has no sync here and is not reported off", p)
		}
	}
}
