package netsuite

// Customer payments (issue 16): the REST record a Zuora payment becomes,
// and the list record its payment method references.
const (
	TypeCustomerPayment = "customerPayment"
	TypePaymentMethod   = "paymentMethod"
)

// PaymentExternalID is the external id of a Zuora payment's customer payment.
func PaymentExternalID(zuoraPaymentID string) string { return "zuora-payment-" + zuoraPaymentID }

// TypeCustomerRefund is the REST record a Zuora refund becomes (issue 16,
// reference money-sync §4): it applies to a customer payment's unapplied amount.
const TypeCustomerRefund = "customerRefund"

// RefundExternalID is the external id of a Zuora refund's customer refund.
func RefundExternalID(zuoraRefundID string) string { return "zuora-refund-" + zuoraRefundID }
