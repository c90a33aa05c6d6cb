package zuora

import (
	"context"
	"net/url"

	"github.com/shopspring/decimal"
)

// PaymentFields are the Payment fields the payment sync reads beyond the
// pre-check's (SOAP Payment object; the __NS fields are the
// PaymentObjectNSFields schema of zuora-payments-api-openapi.yml).
type PaymentFields struct {
	PaymentMethodID         string          `json:"PaymentMethodId,omitempty"`
	ReferenceID             string          `json:"ReferenceId,omitempty"`
	Comment                 string          `json:"Comment,omitempty"`
	AppliedAmount           decimal.Decimal `json:"AppliedAmount"`
	UnappliedAmount         decimal.Decimal `json:"UnappliedAmount"`
	TransferredToAccounting string          `json:"TransferredToAccounting,omitempty"`
	CreatedDate             string          `json:"CreatedDate,omitempty"`
	NSFields
	Origin string `json:"Origin__NS,omitempty"`
}

// IntegrationStatus__NS values of the payment sync (reference money-sync §1.3).
const (
	StatusCreatingPayment      = "Creating Payment"
	StatusErrorCreatingPayment = "Error Creating Payment"
)

// PaymentApplication is one document a payment is applied to: an
// InvoicePayment (ZOQL, tenants without Invoice Settlement) or a payment part
// (GET /v1/payments/{id}/parts, Invoice Settlement; invoice or debit memo).
type PaymentApplication struct {
	DocType   string          // DocInvoice | DocDebitMemo
	DocID     string          // Zuora invoice or debit memo id
	DocNumber string          // for messages
	Amount    decimal.Decimal // the amount applied to it
}

// Document types a payment is applied to.
const (
	DocInvoice   = "Invoice"
	DocDebitMemo = "DebitMemo"
)

// PaymentPart is one part of a payment on an Invoice Settlement tenant
// (GETPaymentPartTypewithSuccess): applied to an invoice or a debit memo, or
// — both ids empty — the payment's unapplied part.
type PaymentPart struct {
	ID          string          `json:"id"`
	InvoiceID   string          `json:"invoiceId,omitempty"`
	DebitMemoID string          `json:"debitMemoId,omitempty"`
	Amount      decimal.Decimal `json:"amount"`
}

// PaymentPartPageSize is GET /v1/payments/{key}/parts' largest page
// (GLOBAL_REQUEST_pageSize: maximum 40).
const PaymentPartPageSize = 40

// ListPaymentParts returns every part of a payment (Invoice Settlement
// tenants only), paging by 40.
func (c *Client) ListPaymentParts(ctx context.Context, paymentKey string) ([]PaymentPart, error) {
	return listAllV1[PaymentPart](ctx, c, "GET /v1/payments/{key}/parts", "/v1/payments/"+url.PathEscape(paymentKey)+"/parts", "parts", nil, PaymentPartPageSize)
}
