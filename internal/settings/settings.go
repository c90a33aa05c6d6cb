// Package settings holds the connector's sync preferences and advanced
// settings: the knobs of Zuora's NetSuite Connector (seeds: sync-preferences,
// invoice-transaction-sync, iia-transaction-sync), read from the connector's
// settings file and validated on load. Enum values are the words the Zuora
// connector's UI uses, so a finance user recognises them.
//
// Settings carry no secrets: a sync run's workflow input includes them so an
// operator can see in the Temporal UI which settings a run used.
package settings

// Customer account master.
const (
	MasterZuora    = "Zuora"
	MasterNetSuite = "NetSuite"
)

// Sync behaviour (customers and catalog).
const (
	SyncNewAndModified = "Sync New and Modified Records"
	SyncNewOnly        = "Sync New Records Only"
)

// Customer account number and transaction number mapping.
const (
	NumberFromSource      = "Use Number From Source Record"
	NameFromSource        = "Use Name From Source Record"
	DestinationAutoNumber = "Let Destination Auto-Number"
)

// Item ID mapping for the product catalog.
const (
	ItemIDFromChargeID   = "Use Zuora Charge ID"
	ItemIDFromChargeName = "Use Zuora Charge Name"
)

// Where invoice lines take Class/Department/Location from.
const (
	ClassificationFromAccount = "Zuora Account"
	ClassificationFromCharge  = "Zuora Charge"
)

// Settings is the whole settings file.
type Settings struct {
	Customer    CustomerSync    `json:"customerSync"`
	Catalog     CatalogSync     `json:"catalogSync"`
	Transaction TransactionSync `json:"transactionSync"`
	Advanced    Advanced        `json:"advanced"`
	Run         Run             `json:"run"`
	Migration   Migration       `json:"migration"`
	Invoice     Invoice         `json:"invoice"`  // netsuite.go
	NetSuite    NetSuite        `json:"netsuite"` // netsuite.go
	ZuoraFields ZuoraFields     `json:"zuoraFields"`
	Payments    PaymentSync     `json:"paymentSync"` // payments.go
}

// ZuoraFields names the Zuora custom fields the connector adds to a tenant
// (docs/settings.md). Zuora names fields an admin creates "…__c"; the
// defaults are the names the connector documents. The NetSuite connector
// package's own fields (…__NS) are not settings: they come with the package.
type ZuoraFields struct {
	DoNotSync         string `json:"doNotSync"`         // Invoice Item Adjustment: the migration's write-offs, never synced
	MigrationWriteOff string `json:"migrationWriteOff"` // Invoice: the amount the migration wrote off
}

// Names maps the default field names to this tenant's (for zuora.WithFieldNames).
func (f ZuoraFields) Names() map[string]string {
	return map[string]string{DefaultDoNotSyncField: f.DoNotSync, DefaultMigrationWriteOffField: f.MigrationWriteOff}
}

// Default names of the connector's Zuora custom fields (zuora.FieldDoNotSync, zuora.FieldMigrationWriteOff).
const (
	DefaultDoNotSyncField         = "DoNotSync__c"
	DefaultMigrationWriteOffField = "MigrationWriteOff__c"
)

// CustomerSync: seed sync-preferences, "Customer account sync".
type CustomerSync struct {
	Master                     string `json:"master"`                     // MasterZuora | MasterNetSuite
	Behavior                   string `json:"behavior"`                   // SyncNewAndModified | SyncNewOnly
	NumberMapping              string `json:"numberMapping"`              // NumberFromSource | NameFromSource | DestinationAutoNumber
	AllowNumberUpdates         bool   `json:"allowNumberUpdates"`         // only with SyncNewAndModified; default true
	DeconcatenateAccountNumber bool   `json:"deconcatenateAccountNumber"` // NetSuite Customer Id up to the first space -> Zuora AccountNumber
	UnassignedPaymentsCustomer string `json:"unassignedPaymentsCustomerId,omitempty"`
}

// CatalogSync: seed sync-preferences, "Product catalog sync".
type CatalogSync struct {
	ItemIDMapping string `json:"itemIdMapping"` // ItemIDFromChargeID | ItemIDFromChargeName
	ItemIDPrefix  string `json:"itemIdPrefix"`  // the fixed part before the charge id; default "Zuora Charge "
	Behavior      string `json:"behavior"`      // SyncNewAndModified | SyncNewOnly
}

// TransactionSync: seed sync-preferences, "Transaction sync".
type TransactionSync struct {
	NumberMapping            string `json:"numberMapping"`            // NumberFromSource | DestinationAutoNumber
	LineClassificationSource string `json:"lineClassificationSource"` // ClassificationFromAccount | ClassificationFromCharge
}

// Advanced: the connector's Advanced Settings.
type Advanced struct {
	InvoiceCutoverDate     string `json:"invoiceCutoverDate,omitempty"` // YYYY-MM-DD; empty = none
	IIACutoverDate         string `json:"iiaCutoverDate,omitempty"`     // YYYY-MM-DD; empty = none
	DisableInvoiceSync     bool   `json:"disableInvoiceSync"`
	DisableIIASync         bool   `json:"disableIiaSync"`
	UseStandardInvoiceSync bool   `json:"useStandardInvoiceSync"` // default true; false = NetSuite taxes, no tax lines, no later adjustments
	NetSuiteRevRec         bool   `json:"netSuiteRevenueRecognition"`
	SyncZeroAmountItems    bool   `json:"syncZeroAmountItems"` // default false: zero-amount items are left off
	// MaxInvoiceItems reproduces the Boomi connector's ceiling: an invoice with
	// more invoice + taxation items is set to Ignore (and picked up again when an
	// operator sets Transferred To Accounting back to No). 0 = no ceiling (default).
	MaxInvoiceItems int `json:"maxInvoiceItems"`
	// InvoiceSettlement: the tenant is on Invoice Settlement; IIA and negative
	// invoice syncs stop (set by the migration's last step).
	InvoiceSettlement bool `json:"invoiceSettlement"`
	// Invoice Settlement memo syncs (reference §0.6, §6, §7): each has its own
	// cutover date (a memo dated before it is not synced) and switch.
	DebitMemoCutoverDate  string `json:"debitMemoCutoverDate,omitempty"`  // YYYY-MM-DD; empty = none
	CreditMemoCutoverDate string `json:"creditMemoCutoverDate,omitempty"` // YYYY-MM-DD; empty = none
	DisableDebitMemoSync  bool   `json:"disableDebitMemoSync,omitempty"`
	DisableCreditMemoSync bool   `json:"disableCreditMemoSync,omitempty"`
	// Zuora payments and refunds to NetSuite (payments.go): each sync's own
	// switch and cutover date (reference money-sync §0.6).
	DisablePaymentSync bool   `json:"disablePaymentSync"`
	DisableRefundSync  bool   `json:"disableRefundSync"`
	PaymentCutoverDate string `json:"paymentCutoverDate,omitempty"` // YYYY-MM-DD on Payment.EffectiveDate; empty = none
	RefundCutoverDate  string `json:"refundCutoverDate,omitempty"`  // YYYY-MM-DD on Refund.RefundDate; empty = none
	// NetSuite customer payments to Zuora (nspayments.go; reference §3):
	// off by default (§0.6), its own cutover date on the NS tranDate, and
	// the Payment Sync Behaviour (§3.3, §3.9).
	NetSuitePaymentSync         bool   `json:"netSuitePaymentSync"`
	NetSuitePaymentCutoverDate  string `json:"netSuitePaymentCutoverDate,omitempty"` // YYYY-MM-DD; empty = none
	NetSuitePaymentSyncBehavior string `json:"netSuitePaymentSyncBehavior"`          // SyncNewAndModified | SyncNewOnly
	// NetSuite customer refunds to Zuora refunds (nsrefunds.go; reference
	// §5): off by default (§0.6), its own cutover date on the NS tranDate.
	NetSuiteRefundSync        bool   `json:"netSuiteRefundSync"`
	NetSuiteRefundCutoverDate string `json:"netSuiteRefundCutoverDate,omitempty"` // YYYY-MM-DD; empty = none
}

// Run: how a sync run is executed (not a Zuora setting).
type Run struct {
	Window              int `json:"window"`              // child workflows in flight per run; default 20
	BatchSize           int `json:"batchSize"`           // lines per NetSuite write; default 100 (the seed's batch)
	BatchesPerContinue  int `json:"batchesPerContinue"`  // batches before an invoice workflow continues as new; default 200
	ChildrenPerContinue int `json:"childrenPerContinue"` // children before a run continues as new; default 1000
	// ReconcileAfterSync: each sync run ends by starting a ReconcileWorkflow of the
	// open periods (invoice dates from the first of the previous month); default false.
	ReconcileAfterSync bool `json:"reconcileAfterSync,omitempty"`
}

// Migration: the Invoice Settlement migration's configuration.
type Migration struct {
	OneTimeChargeID         string `json:"oneTimeChargeId,omitempty"`         // product rate plan charge used for conversion credit memos
	OnAccountAccountingCode string `json:"onAccountAccountingCode,omitempty"` // default "Accounts Receivable"
	ReasonCode              string `json:"reasonCode,omitempty"`              // default "AR Mig - negative invoice"
}
