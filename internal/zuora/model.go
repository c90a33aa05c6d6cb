package zuora

import (
	"github.com/shopspring/decimal"

	_ "github.com/zuora-netsuite/connector/internal/money" // amounts as JSON numbers
)

// The records below are Zuora objects as ZOQL (`/v1/action/query`) and the
// object API (`/v1/object/...`) return them: PascalCase field names, dates as
// "YYYY-MM-DD", datetimes as RFC 3339 with the tenant's offset, null fields
// omitted. Custom fields of the NetSuite connector end in "__NS".
//
// These types are the contract between the client, the mapping rules and the
// sandbox: field names here are the wire names.

// Object names as ZOQL and /v1/object know them.
const (
	ObjAccount               = "Account"
	ObjInvoice               = "Invoice"
	ObjInvoiceItem           = "InvoiceItem"
	ObjTaxationItem          = "TaxationItem"
	ObjInvoiceItemAdjustment = "InvoiceItemAdjustment"
	ObjSubscription          = "Subscription"
	ObjRatePlanCharge        = "RatePlanCharge"
	ObjProduct               = "Product"
	ObjProductRatePlan       = "ProductRatePlan"
	ObjProductRatePlanCharge = "ProductRatePlanCharge"
	ObjPayment               = "Payment"
	ObjPaymentRun            = "PaymentRun"
	ObjInvoicePayment        = "InvoicePayment" // tenants without Invoice Settlement
	ObjPaymentMethod         = "PaymentMethod"
	ObjCreditMemo            = "CreditMemo" // Invoice Settlement only; REST, not ZOQL
)

// TransferredToAccounting values. Null in the API shows as "No" in the UI.
const (
	TransferNo         = "No"
	TransferProcessing = "Processing"
	TransferYes        = "Yes"
	TransferError      = "Error"
	TransferIgnore     = "Ignore"
)

// IntegrationStatus__NS values the connector writes.
const (
	StatusCreatingInvoice    = "Creating Invoice"
	StatusCreatingCreditMemo = "Creating Credit Memo"
	StatusSyncComplete       = "Sync Complete"
	StatusError              = "Error"
	StatusIgnore             = "Ignore"
	StatusUpdatingRevRec     = "Updating Revenue Recognition"
	StatusSyncingCustomer    = "Syncing Customer"
)

// NSFields are the connector's custom fields common to every synced object.
type NSFields struct {
	IntegrationID     string `json:"IntegrationId__NS,omitempty"`
	IntegrationStatus string `json:"IntegrationStatus__NS,omitempty"`
	SyncDate          string `json:"SyncDate__NS,omitempty"`
}

// Account is a Zuora customer account.
type Account struct {
	ID              string          `json:"Id"`
	AccountNumber   string          `json:"AccountNumber,omitempty"`
	Name            string          `json:"Name,omitempty"`
	Status          string          `json:"Status,omitempty"` // Draft | Active | Canceled
	Currency        string          `json:"Currency,omitempty"`
	Balance         decimal.Decimal `json:"Balance"`
	CreditBalance   decimal.Decimal `json:"CreditBalance"`
	LastInvoiceDate string          `json:"LastInvoiceDate,omitempty"`
	CreatedDate     string          `json:"CreatedDate,omitempty"`
	UpdatedDate     string          `json:"UpdatedDate,omitempty"`
	NSFields
	Class          string `json:"Class__NS,omitempty"`
	Department     string `json:"Department__NS,omitempty"`
	Location       string `json:"Location__NS,omitempty"`
	Subsidiary     string `json:"Subsidiary__NS,omitempty"`
	CustomerType   string `json:"CustomerType__NS,omitempty"`   // Company | Individual
	SyncToNetSuite string `json:"SynctoNetSuite__NS,omitempty"` // Yes | No | empty (= Yes)
}

// Invoice is a Zuora invoice header.
type Invoice struct {
	ID                      string          `json:"Id"`
	InvoiceNumber           string          `json:"InvoiceNumber,omitempty"`
	AccountID               string          `json:"AccountId"`
	Status                  string          `json:"Status,omitempty"` // Draft | Posted | Canceled
	Amount                  decimal.Decimal `json:"Amount"`
	AmountWithoutTax        decimal.Decimal `json:"AmountWithoutTax"`
	TaxAmount               decimal.Decimal `json:"TaxAmount"`
	Balance                 decimal.Decimal `json:"Balance"`
	InvoiceDate             string          `json:"InvoiceDate,omitempty"`
	DueDate                 string          `json:"DueDate,omitempty"`
	PostedDate              string          `json:"PostedDate,omitempty"`
	Comments                string          `json:"Comments,omitempty"`
	TransferredToAccounting string          `json:"TransferredToAccounting,omitempty"`
	CreatedDate             string          `json:"CreatedDate,omitempty"`
	UpdatedDate             string          `json:"UpdatedDate,omitempty"`
	NSFields
}

// InvoiceItem is one charge line of an invoice.
type InvoiceItem struct {
	ID               string          `json:"Id"`
	InvoiceID        string          `json:"InvoiceId"`
	ChargeAmount     decimal.Decimal `json:"ChargeAmount"`
	ChargeName       string          `json:"ChargeName,omitempty"`
	ChargeDate       string          `json:"ChargeDate,omitempty"`
	Quantity         decimal.Decimal `json:"Quantity"`
	UnitPrice        decimal.Decimal `json:"UnitPrice"`
	UOM              string          `json:"UOM,omitempty"`
	SKU              string          `json:"SKU,omitempty"`
	ProductName      string          `json:"ProductName,omitempty"`
	ServiceStartDate string          `json:"ServiceStartDate,omitempty"`
	ServiceEndDate   string          `json:"ServiceEndDate,omitempty"`
	RatePlanChargeID string          `json:"RatePlanChargeId,omitempty"`
	SubscriptionID   string          `json:"SubscriptionId,omitempty"`
	AccountingCode   string          `json:"AccountingCode,omitempty"`
	ProcessingType   ProcessingType  `json:"ProcessingType,omitempty"`
	RevRecCode       string          `json:"RevRecCode,omitempty"`
	// RevRecTriggerDate is the seed's "Trigger Date": Zuora's InvoiceItem
	// RevRecStartDate, "the date when revenue recognition is triggered"
	// (set by the charge's RevRecTriggerCondition; ZOQL object model). The
	// object model has no field named RevRecTriggerDate.
	RevRecTriggerDate string `json:"RevRecStartDate,omitempty"`
	NSFields
}

// TaxationItem is a tax detail of an invoice item; one charge may have several.
type TaxationItem struct {
	ID             string          `json:"Id"`
	InvoiceID      string          `json:"InvoiceId"`
	InvoiceItemID  string          `json:"InvoiceItemId"`
	Name           string          `json:"Name,omitempty"`
	TaxAmount      decimal.Decimal `json:"TaxAmount"`
	TaxCode        string          `json:"TaxCode,omitempty"`
	TaxRate        decimal.Decimal `json:"TaxRate"`
	Jurisdiction   string          `json:"Jurisdiction,omitempty"`
	TaxDate        string          `json:"TaxDate,omitempty"`
	AccountingCode string          `json:"AccountingCode,omitempty"` // names the NetSuite tax item; empty = tax code not synced
	NSFields
}

// InvoiceItemAdjustment adjusts one invoice item or taxation item.
type InvoiceItemAdjustment struct {
	ID                      string          `json:"Id"`
	AdjustmentNumber        string          `json:"AdjustmentNumber,omitempty"`
	AccountID               string          `json:"AccountId"`
	InvoiceID               string          `json:"InvoiceId"`
	InvoiceNumber           string          `json:"InvoiceNumber,omitempty"`
	SourceID                string          `json:"SourceId,omitempty"`
	SourceType              string          `json:"SourceType,omitempty"` // InvoiceDetail | Tax
	Type                    string          `json:"Type,omitempty"`       // Credit | Charge
	Status                  string          `json:"Status,omitempty"`     // Processed | Canceled
	Amount                  decimal.Decimal `json:"Amount"`
	AdjustmentDate          string          `json:"AdjustmentDate,omitempty"`
	ServiceStartDate        string          `json:"ServiceStartDate,omitempty"`
	ServiceEndDate          string          `json:"ServiceEndDate,omitempty"`
	AccountingCode          string          `json:"AccountingCode,omitempty"`
	ReasonCode              string          `json:"ReasonCode,omitempty"`
	Comment                 string          `json:"Comment,omitempty"`
	TransferredToAccounting string          `json:"TransferredToAccounting,omitempty"`
	CreatedDate             string          `json:"CreatedDate,omitempty"`
	UpdatedDate             string          `json:"UpdatedDate,omitempty"`
	NSFields
	// DoNotSync marks adjustments the Invoice Settlement migration generated:
	// they must never reach NetSuite. A tenant custom field the connector
	// adds (FieldDoNotSync, "__c": Zuora's package has no such __NS field).
	DoNotSync string `json:"DoNotSync__c,omitempty"`
}

// Custom fields the connector adds to a tenant (docs/settings.md): an admin
// creates them, so they end in __c.
const (
	FieldDoNotSync         = "DoNotSync__c"         // on InvoiceItemAdjustment
	FieldMigrationWriteOff = "MigrationWriteOff__c" // on Invoice
)

// Subscription carries the NetSuite project used by project-based revenue.
type Subscription struct {
	ID                  string `json:"Id"`
	Name                string `json:"Name,omitempty"`
	AccountID           string `json:"AccountId,omitempty"`
	Status              string `json:"Status,omitempty"`
	TermStartDate       string `json:"TermStartDate,omitempty"`
	TermEndDate         string `json:"TermEndDate,omitempty"`
	SubscriptionEndDate string `json:"SubscriptionEndDate,omitempty"`
	NSFields
	Project string `json:"Project__NS,omitempty"` // NetSuite project internal id
}

// RatePlanCharge is a subscription's instance of a product rate plan charge
// (it has no SubscriptionId: the invoice item carries the subscription).
type RatePlanCharge struct {
	ID                      string `json:"Id"`
	Name                    string `json:"Name,omitempty"`
	ProductRatePlanChargeID string `json:"ProductRatePlanChargeId"`
	ChargeType              string `json:"ChargeType,omitempty"` // OneTime | Recurring | Usage
}

// Product is a catalog product.
type Product struct {
	ID          string `json:"Id"`
	Name        string `json:"Name,omitempty"`
	SKU         string `json:"SKU,omitempty"`
	UpdatedDate string `json:"UpdatedDate,omitempty"`
	NSFields
}

// ProductRatePlan groups charges of a product.
type ProductRatePlan struct {
	ID          string `json:"Id"`
	Name        string `json:"Name,omitempty"`
	ProductID   string `json:"ProductId"`
	UpdatedDate string `json:"UpdatedDate,omitempty"`
	NSFields
}

// ProductRatePlanCharge is the catalog charge that becomes a NetSuite item.
type ProductRatePlanCharge struct {
	ID                string `json:"Id"`
	Name              string `json:"Name,omitempty"`
	ProductRatePlanID string `json:"ProductRatePlanId"`
	ChargeType        string `json:"ChargeType,omitempty"` // One-Time | Recurring | Usage
	ChargeModel       string `json:"ChargeModel,omitempty"`
	AccountingCode    string `json:"AccountingCode,omitempty"`
	RevRecCode        string `json:"RevRecCode,omitempty"`
	Description       string `json:"Description,omitempty"`
	CreatedDate       string `json:"CreatedDate,omitempty"`
	UpdatedDate       string `json:"UpdatedDate,omitempty"`
	NSFields
	Class                string `json:"Class__NS,omitempty"`
	Department           string `json:"Department__NS,omitempty"`
	Location             string `json:"Location__NS,omitempty"`
	Subsidiary           string `json:"Subsidiary__NS,omitempty"`
	DeferredRevAccount   string `json:"DeferredRevAccount__NS,omitempty"`
	RecognizedRevAccount string `json:"RecognizedRevAccount__NS,omitempty"`
	IncludeChildren      string `json:"IncludeChildren__NS,omitempty"`
	ItemType             string `json:"ItemType__NS,omitempty"`           // Inventory | Non Inventory | Service
	RevRecStart          string `json:"RevRecStart__NS,omitempty"`        // Charge Period Start | Rev Rec Trigger Date | Use NetSuite Rev Rec Template
	RevRecEnd            string `json:"RevRecEnd__NS,omitempty"`          // Charge Period End | Subscription End Date | Use NetSuite Rev Rec Template
	RevRecTemplateType   string `json:"RevRecTemplateType__NS,omitempty"` // Standard | Variable
}

// Payment is a Zuora payment (the migration pre-check and the payment sync,
// payments.go).
type Payment struct {
	ID            string          `json:"Id"`
	AccountID     string          `json:"AccountId"`
	Amount        decimal.Decimal `json:"Amount"`
	Status        string          `json:"Status,omitempty"` // Draft | Processing | Processed | Error | Canceled | Posted
	Type          string          `json:"Type,omitempty"`
	EffectiveDate string          `json:"EffectiveDate,omitempty"`
	PaymentNumber string          `json:"PaymentNumber,omitempty"`
	PaymentFields
}

// PaymentRun is read by the migration pre-check (scheduled runs applying credit balance).
type PaymentRun struct {
	ID                 string `json:"Id"`
	Status             string `json:"Status,omitempty"`
	ApplyCreditBalance bool   `json:"ApplyCreditBalance"`
	Scheduled          bool   `json:"Scheduled"`
}

// CreditMemo is an Invoice Settlement credit memo (REST, camelCase).
type CreditMemo struct {
	ID                      string          `json:"id"`
	Number                  string          `json:"number,omitempty"`
	AccountID               string          `json:"accountId"`
	Amount                  decimal.Decimal `json:"amount"`
	Balance                 decimal.Decimal `json:"balance"`
	Status                  string          `json:"status,omitempty"`
	ReasonCode              string          `json:"reasonCode,omitempty"`
	ReferredInvoiceID       string          `json:"referredInvoiceId,omitempty"`
	TransferredToAccounting string          `json:"transferredToAccounting,omitempty"`
	Comment                 string          `json:"comment,omitempty"`
	EffectiveDate           string          `json:"effectiveDate,omitempty"`
	// CreditMemoDate, AppliedAmount, UpdatedDate: GETCreditMemoType, read by
	// the credit memo sync (cutover date, applications made after a sync).
	CreditMemoDate string          `json:"creditMemoDate,omitempty"`
	AppliedAmount  decimal.Decimal `json:"appliedAmount"`
	TaxAmount      decimal.Decimal `json:"taxAmount"`
	UpdatedDate    string          `json:"updatedDate,omitempty"`
	NSFields
	Origin      string `json:"Origin__NS,omitempty"`      // what made it (the migration marks its memos)
	Transaction string `json:"Transaction__NS,omitempty"` // the Zuora record it stands for
}

// ProcessingType is an invoice item's processing type: a number in ZOQL
// (0 charge, 1 discount, 2 prepayment, 3 tax) and text in v1 REST ("Charge",
// ...). The connector keeps it as text.
type ProcessingType string

func (p *ProcessingType) UnmarshalJSON(b []byte) error {
	var f flexString
	if err := f.UnmarshalJSON(b); err != nil {
		return err
	}
	*p = ProcessingType(f)
	return nil
}
