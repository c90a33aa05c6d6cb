package netsuite

// Customer payments (issue 16): the REST record a Zuora payment becomes,
// and the list record its payment method references.
const (
	TypeCustomerPayment = "customerPayment"
	TypePaymentMethod   = "paymentMethod"
)

// PaymentExternalID is the external id of a Zuora payment's customer payment.
func PaymentExternalID(zuoraPaymentID string) string { return "zuora-payment-" + zuoraPaymentID }
