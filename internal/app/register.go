package app

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/workflows"
)

// Register puts every workflow and activity on a worker (the worker program
// and the integration tests use it, so both run the same set).
func Register(r worker.Registry, a *activities.Activities) {
	// Workflows come from workflows.Definitions(), the list the replay test
	// checks for recorded histories, so a workflow cannot be registered
	// without one. The migration's two are put on by RegisterMigration.
	for name, fn := range workflows.Definitions() {
		if name == workflows.WorkflowMigration || name == workflows.WorkflowPrecheck {
			continue
		}
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
	r.RegisterActivityWithOptions(a.SelectInvoices, activity.RegisterOptions{Name: workflows.ActivitySelectInvoices})
	r.RegisterActivityWithOptions(a.SyncInvoice, activity.RegisterOptions{Name: workflows.ActivitySyncInvoice})
	r.RegisterActivityWithOptions(a.MarkInvoiceFailed, activity.RegisterOptions{Name: workflows.ActivityMarkInvoiceFailed})
	r.RegisterActivityWithOptions(a.UpdateDelayedRevRec, activity.RegisterOptions{Name: workflows.ActivityUpdateRevRec})
	r.RegisterActivityWithOptions(a.SelectCustomers, activity.RegisterOptions{Name: workflows.ActivitySelectCustomers})
	r.RegisterActivityWithOptions(a.SyncCustomer, activity.RegisterOptions{Name: workflows.ActivitySyncCustomer})
	r.RegisterActivityWithOptions(a.MarkCustomerFailed, activity.RegisterOptions{Name: workflows.ActivityMarkCustomerFailed})
	r.RegisterActivityWithOptions(a.SelectCharges, activity.RegisterOptions{Name: workflows.ActivitySelectCharges})
	r.RegisterActivityWithOptions(a.SyncCharge, activity.RegisterOptions{Name: workflows.ActivitySyncCharge})
	r.RegisterActivityWithOptions(a.MarkChargeFailed, activity.RegisterOptions{Name: workflows.ActivityMarkChargeFailed})
	r.RegisterActivityWithOptions(a.SelectAdjustments, activity.RegisterOptions{Name: workflows.ActivitySelectAdjustments})
	r.RegisterActivityWithOptions(a.PrepareAdjustment, activity.RegisterOptions{Name: workflows.ActivityPrepareAdjustment})
	r.RegisterActivityWithOptions(a.MarkAdjustmentProcessing, activity.RegisterOptions{Name: workflows.ActivityMarkAdjustmentProcessing})
	r.RegisterActivityWithOptions(a.WriteAdjustment, activity.RegisterOptions{Name: workflows.ActivityWriteAdjustment})
	r.RegisterActivityWithOptions(a.ApplyOriginalCreditMemo, activity.RegisterOptions{Name: workflows.ActivityApplyOriginalCreditMemo})
	r.RegisterActivityWithOptions(a.CompleteAdjustment, activity.RegisterOptions{Name: workflows.ActivityCompleteAdjustment})
	r.RegisterActivityWithOptions(a.MarkAdjustmentFailed, activity.RegisterOptions{Name: workflows.ActivityMarkAdjustmentFailed})
	r.RegisterActivityWithOptions(a.SelectDebitMemos, activity.RegisterOptions{Name: workflows.ActivitySelectDebitMemos})
	r.RegisterActivityWithOptions(a.PrepareDebitMemo, activity.RegisterOptions{Name: workflows.ActivityPrepareDebitMemo})
	r.RegisterActivityWithOptions(a.MarkDebitMemoProcessing, activity.RegisterOptions{Name: workflows.ActivityMarkDebitMemoProcessing})
	r.RegisterActivityWithOptions(a.WriteDebitMemo, activity.RegisterOptions{Name: workflows.ActivityWriteDebitMemo})
	r.RegisterActivityWithOptions(a.CompleteDebitMemo, activity.RegisterOptions{Name: workflows.ActivityCompleteDebitMemo})
	r.RegisterActivityWithOptions(a.MarkDebitMemoFailed, activity.RegisterOptions{Name: workflows.ActivityMarkDebitMemoFailed})
	r.RegisterActivityWithOptions(a.SelectCreditMemos, activity.RegisterOptions{Name: workflows.ActivitySelectCreditMemos})
	r.RegisterActivityWithOptions(a.PrepareCreditMemo, activity.RegisterOptions{Name: workflows.ActivityPrepareCreditMemo})
	r.RegisterActivityWithOptions(a.MarkCreditMemoProcessing, activity.RegisterOptions{Name: workflows.ActivityMarkCreditMemoProcessing})
	r.RegisterActivityWithOptions(a.WriteCreditMemo, activity.RegisterOptions{Name: workflows.ActivityWriteCreditMemo})
	r.RegisterActivityWithOptions(a.CompleteCreditMemo, activity.RegisterOptions{Name: workflows.ActivityCompleteCreditMemo})
	r.RegisterActivityWithOptions(a.MarkCreditMemoFailed, activity.RegisterOptions{Name: workflows.ActivityMarkCreditMemoFailed})
	r.RegisterActivityWithOptions(a.ReconcilePage, activity.RegisterOptions{Name: workflows.ActivityReconcilePage})
	r.RegisterActivityWithOptions(a.AwaitRecordSync, activity.RegisterOptions{Name: workflows.ActivityAwaitRecordSync})
	r.RegisterActivityWithOptions(a.TenantFacts, activity.RegisterOptions{Name: workflows.ActivityTenantFacts})
	r.RegisterActivityWithOptions(a.SelectPayments, activity.RegisterOptions{Name: workflows.ActivitySelectPayments})
	r.RegisterActivityWithOptions(a.SyncPayment, activity.RegisterOptions{Name: workflows.ActivitySyncPayment})
	r.RegisterActivityWithOptions(a.MarkPaymentFailed, activity.RegisterOptions{Name: workflows.ActivityMarkPaymentFailed})
	r.RegisterActivityWithOptions(a.SelectRefunds, activity.RegisterOptions{Name: workflows.ActivitySelectRefunds})
	r.RegisterActivityWithOptions(a.UnapplyRefundPayment, activity.RegisterOptions{Name: workflows.ActivityUnapplyRefundPayment})
	r.RegisterActivityWithOptions(a.CreateCustomerRefund, activity.RegisterOptions{Name: workflows.ActivityCreateCustomerRefund})
	r.RegisterActivityWithOptions(a.MarkRefundFailed, activity.RegisterOptions{Name: workflows.ActivityMarkRefundFailed})
	r.RegisterActivityWithOptions(a.SelectNetSuitePayments, activity.RegisterOptions{Name: workflows.ActivitySelectNetSuitePayments})
	r.RegisterActivityWithOptions(a.SyncNetSuitePayment, activity.RegisterOptions{Name: workflows.ActivitySyncNetSuitePayment})
	r.RegisterActivityWithOptions(a.MarkNetSuitePaymentFailed, activity.RegisterOptions{Name: workflows.ActivityMarkNetSuitePaymentFailed})
	r.RegisterActivityWithOptions(a.SelectNetSuiteRefunds, activity.RegisterOptions{Name: workflows.ActivitySelectNetSuiteRefunds})
	r.RegisterActivityWithOptions(a.SyncNetSuiteRefund, activity.RegisterOptions{Name: workflows.ActivitySyncNetSuiteRefund})
	r.RegisterActivityWithOptions(a.MarkNetSuiteRefundFailed, activity.RegisterOptions{Name: workflows.ActivityMarkNetSuiteRefundFailed})
}

// RegisterMigration puts the Invoice Settlement migration on a worker: its
// workflows and activities, which need the credential store (docs/migration.md).
func RegisterMigration(r worker.Registry, m *activities.Migration) {
	r.RegisterWorkflowWithOptions(workflows.InvoiceSettlementMigrationWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowMigration})
	r.RegisterWorkflowWithOptions(workflows.InvoiceSettlementPrecheckWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowPrecheck})
	r.RegisterActivityWithOptions(m.MigrationPrecheck, activity.RegisterOptions{Name: workflows.ActivityMigrationPrecheck})
	r.RegisterActivityWithOptions(m.MigrationCount, activity.RegisterOptions{Name: workflows.ActivityMigrationCount})
	r.RegisterActivityWithOptions(m.MigrationWriteOffPage, activity.RegisterOptions{Name: workflows.ActivityMigrationWriteOffPage})
	r.RegisterActivityWithOptions(m.MigrationTenantOnInvoiceSettlement, activity.RegisterOptions{Name: workflows.ActivityMigrationTenantIS})
	r.RegisterActivityWithOptions(m.MigrationCreditMemoPage, activity.RegisterOptions{Name: workflows.ActivityMigrationCreditMemos})
	r.RegisterActivityWithOptions(m.MigrationNewOAuthClient, activity.RegisterOptions{Name: workflows.ActivityMigrationNewOAuth})
	r.RegisterActivityWithOptions(m.MigrationActivateOAuthClient, activity.RegisterOptions{Name: workflows.ActivityMigrationActivate})
	r.RegisterActivityWithOptions(m.MigrationRetireOldOAuthClient, activity.RegisterOptions{Name: workflows.ActivityMigrationRetireOAuth})
	r.RegisterActivityWithOptions(m.MigrationSetInvoiceSettlementMode, activity.RegisterOptions{Name: workflows.ActivityMigrationISMode})
	r.RegisterActivityWithOptions(m.MigrationVerifyWriteOffs, activity.RegisterOptions{Name: workflows.ActivityMigrationVerifyWriteOffs})
	r.RegisterActivityWithOptions(m.MigrationVerifyCreditMemos, activity.RegisterOptions{Name: workflows.ActivityMigrationVerifyCreditMemos})
	r.RegisterActivityWithOptions(m.MigrationConfirmInvoiceSettlement, activity.RegisterOptions{Name: workflows.ActivityMigrationConfirmIS})
}
