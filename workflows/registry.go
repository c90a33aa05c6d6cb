package workflows

// Definitions is every workflow type by the name it is registered under.
// The replay test registers exactly this set; internal/app registers the
// same names on the worker.
func Definitions() map[string]any {
	return map[string]any{
		WorkflowSyncRun:             SyncRunWorkflow,
		WorkflowInvoiceSync:         InvoiceSyncWorkflow,
		WorkflowCustomerSync:        CustomerSyncWorkflow,
		WorkflowCatalogSync:         CatalogSyncWorkflow,
		WorkflowAdjustmentSync:      AdjustmentSyncWorkflow,
		WorkflowDebitMemoSync:       DebitMemoSyncWorkflow,
		WorkflowCreditMemoSync:      CreditMemoSyncWorkflow,
		WorkflowPaymentSync:         PaymentSyncWorkflow,
		WorkflowRefundSync:          RefundSyncWorkflow,
		WorkflowNetSuitePaymentSync: NetSuitePaymentSyncWorkflow,
		WorkflowNetSuiteRefundSync:  NetSuiteRefundSyncWorkflow,
		WorkflowReconcile:           ReconcileWorkflow,
		WorkflowMigration:           InvoiceSettlementMigrationWorkflow,
		WorkflowPrecheck:            InvoiceSettlementPrecheckWorkflow,
	}
}
