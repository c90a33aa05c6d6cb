package netsuite

import (
	"github.com/shopspring/decimal"

	_ "github.com/zuora-netsuite/connector/internal/money" // amounts as JSON numbers
)

// The records below are NetSuite REST web services records as
// /services/rest/record/v1/{type} reads and writes them (camelCase field ids,
// references as {"id": "..."}, sublists as {"items": [...]}). Only the fields
// the connector uses are named; the sandbox keeps whatever it is sent.
//
// Custom fields the connector needs in the NetSuite account (created once at
// install, as Zuora's connector bundle does):
//   custcol_zuora_item_id            line: the Zuora invoice item / taxation item / adjustment id;
//                                    the key that makes line batches idempotent
//   custbody_zuora_id                header: the Zuora record id
//   custbody_zuora_amount_without_tax header: Invoice.AmountWithoutTax
//   custbody_zuora_related_transaction header: soft link from a Charge adjustment's
//                                    invoice to the original invoice (no accounting impact)

// Record types (REST record ids).
const (
	TypeCustomer       = "customer"
	TypeInvoice        = "invoice"
	TypeCreditMemo     = "creditMemo"
	TypeInventoryItem  = "inventoryItem"
	TypeNonInventory   = "nonInventorySaleItem"
	TypeServiceItem    = "serviceSaleItem"
	TypeLocation       = "location"
	TypeClassification = "classification"
	TypeDepartment     = "department"
	TypeSubsidiary     = "subsidiary"
	TypeProject        = "job"
)

// Ref points at another record by internal id (or by external id).
type Ref struct {
	ID         string `json:"id,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
	RefName    string `json:"refName,omitempty"`
}

// RefTo is a Ref by internal id, or nil when id is empty so the field is omitted.
func RefTo(id string) *Ref {
	if id == "" {
		return nil
	}
	return &Ref{ID: id}
}

// Line is one row of an invoice's or credit memo's item sublist.
type Line struct {
	Line            int              `json:"line,omitempty"` // NetSuite's line key, set by NetSuite
	Item            *Ref             `json:"item"`
	Description     string           `json:"description,omitempty"`
	Quantity        *decimal.Decimal `json:"quantity,omitempty"`
	Rate            *decimal.Decimal `json:"rate,omitempty"`
	Amount          decimal.Decimal  `json:"amount"`
	IsTaxable       *bool            `json:"isTaxable,omitempty"`
	Class           *Ref             `json:"class,omitempty"`
	Department      *Ref             `json:"department,omitempty"`
	Location        *Ref             `json:"location,omitempty"`
	Job             *Ref             `json:"job,omitempty"` // project for project-based revenue
	RevRecStartDate string           `json:"revRecStartDate,omitempty"`
	RevRecEndDate   string           `json:"revRecEndDate,omitempty"`
	DeferRevRec     *bool            `json:"deferRevRec,omitempty"` // the UI's "Delay Rev Rec"
	ServiceStart    string           `json:"custcol_zuora_service_start,omitempty"`
	ServiceEnd      string           `json:"custcol_zuora_service_end,omitempty"`
	ZuoraItemID     string           `json:"custcol_zuora_item_id"`
}

// Sublist is NetSuite's {"items": [...]} wrapper.
type Sublist[T any] struct {
	Items []T `json:"items"`
}

// Apply is one row of a credit memo's apply sublist.
type Apply struct {
	Doc    *Ref            `json:"doc"`
	Apply  bool            `json:"apply"`
	Amount decimal.Decimal `json:"amount"`
	Line   int             `json:"line,omitempty"`
}

// Transaction is an invoice or a credit memo header with its lines.
type Transaction struct {
	ID         string `json:"id,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
	TranID     string `json:"tranId,omitempty"` // empty = NetSuite auto-numbers
	// Entity is omitted when nil: a PATCH of later line batches carries no
	// header, and "entity": null would clear the customer (real-api-gaps N9).
	Entity             *Ref             `json:"entity,omitempty"`
	TranDate           string           `json:"tranDate,omitempty"`
	DueDate            string           `json:"dueDate,omitempty"`
	Currency           *Ref             `json:"currency,omitempty"`
	Memo               string           `json:"memo,omitempty"`
	IsTaxable          *bool            `json:"isTaxable,omitempty"`
	Class              *Ref             `json:"class,omitempty"`
	Department         *Ref             `json:"department,omitempty"`
	Location           *Ref             `json:"location,omitempty"`
	Subsidiary         *Ref             `json:"subsidiary,omitempty"`
	Total              *decimal.Decimal `json:"total,omitempty"` // read-only, computed by NetSuite
	AmountWithoutTax   *decimal.Decimal `json:"custbody_zuora_amount_without_tax,omitempty"`
	ZuoraID            string           `json:"custbody_zuora_id,omitempty"`
	RelatedTransaction *Ref             `json:"custbody_zuora_related_transaction,omitempty"`
	Item               *Sublist[Line]   `json:"item,omitempty"`
	Apply              *Sublist[Apply]  `json:"apply,omitempty"`
}

// Customer is a NetSuite customer.
type Customer struct {
	ID               string `json:"id,omitempty"`
	ExternalID       string `json:"externalId,omitempty"`
	EntityID         string `json:"entityId,omitempty"` // the "Customer ID"; empty = auto-number
	CompanyName      string `json:"companyName,omitempty"`
	FirstName        string `json:"firstName,omitempty"` // individuals (isPerson) have a first and last name
	LastName         string `json:"lastName,omitempty"`
	IsPerson         *bool  `json:"isPerson,omitempty"`
	Currency         *Ref   `json:"currency,omitempty"`
	Subsidiary       *Ref   `json:"subsidiary,omitempty"`
	Class            *Ref   `json:"class,omitempty"`
	Department       *Ref   `json:"department,omitempty"`
	Location         *Ref   `json:"location,omitempty"`
	LastModifiedDate string `json:"lastModifiedDate,omitempty"`
	DateCreated      string `json:"dateCreated,omitempty"`
	ZuoraID          string `json:"custentity_zuora_id,omitempty"`
}

// Item is a NetSuite item (inventory, non-inventory sale or service sale).
type Item struct {
	ID                     string `json:"id,omitempty"`
	ExternalID             string `json:"externalId,omitempty"`
	ItemID                 string `json:"itemId"` // the item's name/number
	DisplayName            string `json:"displayName,omitempty"`
	Description            string `json:"salesDescription,omitempty"`
	IncomeAccount          *Ref   `json:"incomeAccount,omitempty"`
	DeferredRevenueAccount *Ref   `json:"deferredRevenueAccount,omitempty"`
	RevRecTemplate         string `json:"custitem_zuora_rev_rec_template_type,omitempty"`
	Class                  *Ref   `json:"class,omitempty"`
	Department             *Ref   `json:"department,omitempty"`
	Location               *Ref   `json:"location,omitempty"`
	Subsidiary             *Ref   `json:"subsidiary,omitempty"`
	IncludeChildren        *bool  `json:"includeChildren,omitempty"`
	ZuoraID                string `json:"custitem_zuora_id,omitempty"`
}

// External ids the connector gives the records it makes: the key of exactly-once creation.
func InvoiceExternalID(zuoraInvoiceID string) string       { return "zuora-invoice-" + zuoraInvoiceID }
func AdjustmentExternalID(zuoraAdjustmentID string) string { return "zuora-iia-" + zuoraAdjustmentID }
func CustomerExternalID(zuoraAccountID string) string      { return "zuora-account-" + zuoraAccountID }
func ItemExternalID(zuoraChargeID string) string           { return "zuora-charge-" + zuoraChargeID }

// DebitMemoExternalID is the external id of a Zuora debit memo's NetSuite
// invoice: distinct from an invoice's, so a debit memo and an invoice with
// the same Zuora id could never take each other's record.
func DebitMemoExternalID(zuoraDebitMemoID string) string {
	return "zuora-debitmemo-" + zuoraDebitMemoID
}

// CreditMemoExternalID is the external id of a Zuora credit memo's NetSuite
// credit memo (distinct from a negative invoice's and an adjustment's).
func CreditMemoExternalID(zuoraCreditMemoID string) string {
	return "zuora-creditmemo-" + zuoraCreditMemoID
}
