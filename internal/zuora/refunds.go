package zuora

import "github.com/shopspring/decimal"

// Refunds (issue 16; reference money-sync §4). SOAP/ZOQL Refund object; its
// __NS fields are the RefundObjectNSFields schema of
// zuora-refunds-api-openapi.yml (IntegrationId, IntegrationStatus, Origin,
// SyncDate, SynctoNetSuite; no Transaction__NS).
const (
	ObjRefund = "Refund"
	// ObjRefundInvoicePayment: how much of one InvoicePayment a refund
	// refunded (tenants without Invoice Settlement, like InvoicePayment).
	ObjRefundInvoicePayment = "RefundInvoicePayment"
)

// Refund is a Zuora refund.
type Refund struct {
	ID                      string          `json:"Id"`
	AccountID               string          `json:"AccountId"`
	PaymentID               string          `json:"PaymentId,omitempty"` // the refunded payment (SourceType Payment)
	Amount                  decimal.Decimal `json:"Amount"`
	Status                  string          `json:"Status,omitempty"`     // Processed | Canceled | Error | Processing
	Type                    string          `json:"Type,omitempty"`       // External | Electronic
	SourceType              string          `json:"SourceType,omitempty"` // Payment | CreditBalance | CreditMemo
	MethodType              string          `json:"MethodType,omitempty"`
	RefundNumber            string          `json:"RefundNumber,omitempty"`
	RefundDate              string          `json:"RefundDate,omitempty"`
	ReferenceID             string          `json:"ReferenceID,omitempty"`
	Comment                 string          `json:"Comment,omitempty"`
	TransferredToAccounting string          `json:"TransferredToAccounting,omitempty"`
	CreatedDate             string          `json:"CreatedDate,omitempty"`
	UpdatedDate             string          `json:"UpdatedDate,omitempty"`
	NSFields
	Origin string `json:"Origin__NS,omitempty"`
}

// RefundInvoicePayment is the part of one InvoicePayment a refund refunded.
type RefundInvoicePayment struct {
	ID               string          `json:"Id"`
	RefundID         string          `json:"RefundId"`
	InvoicePaymentID string          `json:"InvoicePaymentId"`
	RefundAmount     decimal.Decimal `json:"RefundAmount"`
}

// Refund source types (SOAP Refund.SourceType).
const (
	RefundSourcePayment       = "Payment"
	RefundSourceCreditBalance = "CreditBalance"
	RefundSourceCreditMemo    = "CreditMemo"
)

// IntegrationStatus__NS values of the refund sync (reference money-sync §4.4).
const (
	StatusUpdatingPayment     = "Updating Payment"
	StatusCreatingRefund      = "Creating Refund"
	StatusErrorCreatingRefund = "Error Creating Refund"
)
