// Package workflows holds the connector's Temporal workflows: deterministic
// code only (no I/O, clocks, randomness or map-order dependence). Everything
// that touches Zuora or NetSuite is an activity (package activities) called by
// the names declared here, so this package imports no API client.
//
// Payloads stay small: workflows pass Zuora ids, cursors and counters; the
// records themselves are read inside activities.
package workflows

import (
	"github.com/zuora-netsuite/connector/internal/settings"
)

// TaskQueue is the task queue the worker polls and the starter targets.
const TaskQueue = "zuora-netsuite"

// Query and workflow-type names an operator uses from the CLI and UI.
const (
	QueryProgress = "progress"

	WorkflowSyncRun        = "SyncRunWorkflow"
	WorkflowInvoiceSync    = "InvoiceSyncWorkflow"
	WorkflowCustomerSync   = "CustomerSyncWorkflow"
	WorkflowCatalogSync    = "CatalogSyncWorkflow"
	WorkflowAdjustmentSync = "AdjustmentSyncWorkflow"
	WorkflowReconcile      = "ReconcileWorkflow"
)

// Activity names (methods of activities.Activities, registered under these names).
const (
	ActivitySelectInvoices    = "SelectInvoices"
	ActivitySyncInvoice       = "SyncInvoice"
	ActivityMarkInvoiceFailed = "MarkInvoiceFailed"
	ActivityUpdateRevRec      = "UpdateDelayedRevRec"
	ActivityReconcilePage     = "ReconcilePage"
)

// Record types, as they appear in progress, results and search attributes.
const (
	RecordCustomer   = "customer"
	RecordCharge     = "charge"
	RecordInvoice    = "invoice"
	RecordAdjustment = "adjustment"
	RecordDebitMemo  = "debitmemo"
	RecordCreditMemo = "creditmemo"
	RecordPayment    = "payment"
	RecordRefund     = "refund"
	RecordRevRec     = "revrec"
)

// Outcomes of one record's sync.
const (
	OutcomeSynced  = "synced"  // Transferred To Accounting = Yes
	OutcomeError   = "error"   // Transferred To Accounting = Error, reason on the record
	OutcomeIgnored = "ignored" // Transferred To Accounting = Ignore (item ceiling) or nothing to sync
	OutcomeSkipped = "skipped" // no longer eligible when its workflow looked (already synced, changed, or in flight elsewhere)
)

// InvoiceWorkflowID is the workflow id of an invoice's sync: one at a time per invoice.
func InvoiceWorkflowID(zuoraInvoiceID string) string { return "invoice:" + zuoraInvoiceID }

// SelectedRecord is a Zuora record chosen by a selection page.
type SelectedRecord struct {
	ID            string `json:"id"`
	Number        string `json:"number,omitempty"`
	AccountNumber string `json:"accountNumber,omitempty"` // for search attributes
}

// SelectInput asks for the next page of eligible records after a key: the
// selection pages by Zuora id (keyset), so a cursor never expires and a record
// handled earlier in the run (synced, or errored and still eligible) is never
// selected twice in one run.
type SelectInput struct {
	Settings settings.Settings `json:"settings"`
	AfterID  string            `json:"afterId,omitempty"`
	Limit    int               `json:"limit"`
}

// SelectResult is one page of eligible records, in id order.
type SelectResult struct {
	Records []SelectedRecord `json:"records"`
	// NotSelected counts candidates of this page range the full rules excluded
	// (e.g. account Sync To NetSuite = No); they are not part of the run.
	NotSelected int  `json:"notSelected"`
	Done        bool `json:"done"`
}

// RecordError is a record that ended in Error, with the reason a finance user reads.
type RecordError struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Number string `json:"number,omitempty"`
	Reason string `json:"reason"`
}

// Counts are one record type's tallies in a run.
type Counts struct {
	Selected int `json:"selected"`
	Synced   int `json:"synced"`
	Errored  int `json:"errored"`
	Ignored  int `json:"ignored"`
	Skipped  int `json:"skipped"`
}

// Done is how many selected records have an outcome.
func (c Counts) Done() int { return c.Synced + c.Errored + c.Ignored + c.Skipped }

func (c *Counts) add(outcome string) {
	switch outcome {
	case OutcomeSynced:
		c.Synced++
	case OutcomeError:
		c.Errored++
	case OutcomeIgnored:
		c.Ignored++
	default:
		c.Skipped++
	}
}

// Activities of the customer account and product catalog syncs (seed sync-preferences).
const (
	ActivitySelectCustomers    = "SelectCustomers"
	ActivitySyncCustomer       = "SyncCustomer"
	ActivityMarkCustomerFailed = "MarkCustomerFailed"
	ActivitySelectCharges      = "SelectCharges"
	ActivitySyncCharge         = "SyncCharge"
	ActivityMarkChargeFailed   = "MarkChargeFailed"
)

// CustomerWorkflowID is the workflow id of one customer's sync: the Zuora
// account id when Zuora is the master, the NetSuite internal id when NetSuite is.
func CustomerWorkflowID(id string) string { return "customer:" + id }

// ChargeWorkflowID is the workflow id of one product rate plan charge's sync.
func ChargeWorkflowID(zuoraChargeID string) string { return "charge:" + zuoraChargeID }

// Activities of the invoice item adjustment sync (seed iia-transaction-sync).
const (
	ActivitySelectAdjustments        = "SelectAdjustments"
	ActivityPrepareAdjustment        = "PrepareAdjustment"
	ActivityMarkAdjustmentProcessing = "MarkAdjustmentProcessing"
	ActivityWriteAdjustment          = "WriteAdjustment"
	ActivityApplyOriginalCreditMemo  = "ApplyOriginalCreditMemo"
	ActivityCompleteAdjustment       = "CompleteAdjustment"
	ActivityMarkAdjustmentFailed     = "MarkAdjustmentFailed"

	// Zuora payments to NetSuite (issue 16; payment_sync.go).
	ActivitySelectPayments = "SelectPayments"
)

// AdjustmentWorkflowID is the workflow id of one invoice item adjustment's sync.
func AdjustmentWorkflowID(zuoraAdjustmentID string) string { return "adjustment:" + zuoraAdjustmentID }

// Invoice Settlement migration: workflow, query, signal and activity names
// (workflows/migration.go; docs/migration.md).
const (
	WorkflowMigration = "InvoiceSettlementMigrationWorkflow"
	WorkflowPrecheck  = "InvoiceSettlementPrecheckWorkflow"

	QueryMigrationStatus = "status"

	SignalMigrationApprove    = "approve"
	SignalMigrationPause      = "pause"
	SignalMigrationResume     = "resume"
	SignalMigrationOverride   = "override"
	SignalMigrationCancel     = "cancel"
	SignalMigrationRecheck    = "recheck"
	SignalMigrationSecretFile = "oauth-secret-file"

	ActivityMigrationPrecheck     = "MigrationPrecheck"
	ActivityMigrationCount        = "MigrationCount"
	ActivityMigrationWriteOffPage = "MigrationWriteOffPage"
	ActivityMigrationTenantIS     = "MigrationTenantOnInvoiceSettlement"
	ActivityMigrationCreditMemos  = "MigrationCreditMemoPage"
	ActivityMigrationNewOAuth     = "MigrationNewOAuthClient"
	ActivityMigrationActivate     = "MigrationActivateOAuthClient"
	ActivityMigrationRetireOAuth  = "MigrationRetireOldOAuthClient"
	ActivityMigrationISMode       = "MigrationSetInvoiceSettlementMode"
)
