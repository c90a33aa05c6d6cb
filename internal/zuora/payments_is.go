package zuora

import (
	"context"
	"fmt"
	"net/url"

	"github.com/shopspring/decimal"
)

// Payments written through the current REST API on Invoice Settlement
// tenants (zuora-payments-api-openapi.yml: POST_CreatePayment,
// PUT_ApplyPayment, PUT_UnapplyPayment; all "only available if you have
// Invoice Settlement enabled"). Without Invoice Settlement payments are
// created through the object API (Draft, invoice payments, Processed).

// PaymentInvoiceApplication is one entry of invoices[] (create, apply, unapply).
type PaymentInvoiceApplication struct {
	InvoiceID string          `json:"invoiceId"`
	Amount    decimal.Decimal `json:"amount"`
}

// PaymentDebitMemoApplication is one entry of debitMemos[].
type PaymentDebitMemoApplication struct {
	DebitMemoID string          `json:"debitMemoId"`
	Amount      decimal.Decimal `json:"amount"`
}

// PaymentApplications is the body of PUT /v1/payments/{key}/apply and
// /unapply (ApplyPaymentType, UnapplyPaymentType).
type PaymentApplications struct {
	Invoices   []PaymentInvoiceApplication   `json:"invoices,omitempty"`
	DebitMemos []PaymentDebitMemoApplication `json:"debitMemos,omitempty"`
}

// Empty reports whether there is nothing to apply.
func (p PaymentApplications) Empty() bool { return len(p.Invoices) == 0 && len(p.DebitMemos) == 0 }

// PaymentCreate is POST /v1/payments (CreatePaymentType with the
// PaymentObjectNSFields). effectiveDate is left out: for an External
// payment it is optional and, when given, must be today, so Zuora dates it.
type PaymentCreate struct {
	AccountID          string                        `json:"accountId"`
	Amount             decimal.Decimal               `json:"amount"`
	Currency           string                        `json:"currency"`
	Type               string                        `json:"type"`
	PaymentMethodID    string                        `json:"paymentMethodId,omitempty"`
	Comment            string                        `json:"comment,omitempty"`
	ReferenceID        string                        `json:"referenceId,omitempty"`
	Invoices           []PaymentInvoiceApplication   `json:"invoices,omitempty"`
	DebitMemos         []PaymentDebitMemoApplication `json:"debitMemos,omitempty"`
	FinanceInformation struct {
		TransferredToAccounting string `json:"transferredToAccounting,omitempty"`
	} `json:"financeInformation"`
	IntegrationID string `json:"IntegrationId__NS,omitempty"`
	Origin        string `json:"Origin__NS,omitempty"`
	Transaction   string `json:"Transaction__NS,omitempty"`
	SyncDate      string `json:"SyncDate__NS,omitempty"`
}

// PaymentAnswer is the part of GETARPaymentType the connector reads.
type PaymentAnswer struct {
	ID              string          `json:"id"`
	Number          string          `json:"number"`
	Status          string          `json:"status"`
	Amount          decimal.Decimal `json:"amount"`
	AppliedAmount   decimal.Decimal `json:"appliedAmount"`
	UnappliedAmount decimal.Decimal `json:"unappliedAmount"`
}

// CreatePaymentIS creates a Processed payment with its applications; the
// rest of the amount stays unapplied. idemKey makes a retried call answer
// the first one's payment.
func (c *Client) CreatePaymentIS(ctx context.Context, in PaymentCreate, idemKey string) (*PaymentAnswer, error) {
	var out PaymentAnswer
	if err := c.do(ctx, call{method: "POST", endpoint: "POST /v1/payments", path: "/v1/payments", body: in, out: &out, idemKey: idemKey}); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, &DecodeError{Endpoint: "POST /v1/payments", Status: 200, Err: fmt.Errorf("no id in the answer")}
	}
	return &out, nil
}

// ApplyPayment applies more of a payment's unapplied amount.
func (c *Client) ApplyPayment(ctx context.Context, paymentKey string, in PaymentApplications) error {
	return c.do(ctx, call{method: "PUT", endpoint: "PUT /v1/payments/{key}/apply", path: "/v1/payments/" + url.PathEscape(paymentKey) + "/apply", body: in})
}

// UnapplyPayment takes applications back into the payment's unapplied amount.
func (c *Client) UnapplyPayment(ctx context.Context, paymentKey string, in PaymentApplications) error {
	return c.do(ctx, call{method: "PUT", endpoint: "PUT /v1/payments/{key}/unapply", path: "/v1/payments/" + url.PathEscape(paymentKey) + "/unapply", body: in})
}

// PaymentRefund is POST /v1/payments/{paymentKey}/refunds (PostRefundType
// with the RefundObjectNSFields): an External refund of the payment's
// unapplied amount.
type PaymentRefund struct {
	TotalAmount        decimal.Decimal `json:"totalAmount"`
	Type               string          `json:"type"`
	MethodType         string          `json:"methodType"`
	RefundDate         string          `json:"refundDate,omitempty"`
	Comment            string          `json:"comment,omitempty"`
	FinanceInformation struct {
		TransferredToAccounting string `json:"transferredToAccounting,omitempty"`
	} `json:"financeInformation"`
	IntegrationID string `json:"IntegrationId__NS,omitempty"`
	Origin        string `json:"Origin__NS,omitempty"`
	SyncDate      string `json:"SyncDate__NS,omitempty"`
}

// RefundPaymentIS refunds a payment's unapplied amount (Invoice Settlement
// only: "To refund applied payments, you must unapply" them first); idemKey
// makes a retried call answer the first one's refund.
func (c *Client) RefundPaymentIS(ctx context.Context, paymentKey string, in PaymentRefund, idemKey string) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, call{method: "POST", endpoint: "POST /v1/payments/{key}/refunds", path: "/v1/payments/" + url.PathEscape(paymentKey) + "/refunds",
		body: in, out: &out, idemKey: idemKey}); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", &DecodeError{Endpoint: "POST /v1/payments/{key}/refunds", Status: 200, Err: fmt.Errorf("no id in the answer")}
	}
	return out.ID, nil
}
