package settings

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// PaymentSync: how Zuora payments become NetSuite customer payments
// (reference zuora-connector-money-sync.md §1.6). Zuora's connector looks the
// NetSuite payment method up by the exact Zuora payment-method type; here the
// operator maps each type to a NetSuite payment method internal id, so a
// renamed NetSuite method cannot silently stop a sync.
type PaymentSync struct {
	// Methods maps a Zuora payment-method type (ZuoraPaymentMethodTypes) to a
	// NetSuite paymentMethod internal id.
	Methods map[string]string `json:"methods,omitempty"`
	// DefaultMethod is the NetSuite paymentMethod internal id for a type not in
	// Methods; empty = such a payment ends in Error naming its type.
	DefaultMethod string `json:"defaultMethod,omitempty"`
	// NetSuiteMethods maps a NetSuite paymentMethod internal id to the Zuora
	// PaymentMethodId a NetSuite payment of that method becomes (the NetSuite
	// → Zuora sync, nspayments.go).
	NetSuiteMethods map[string]string `json:"netSuiteMethods,omitempty"`
}

// ZuoraPaymentMethodTypes are the type strings Zuora's connector matches
// exactly (no spaces; they differ from the labels of Zuora's UI).
var ZuoraPaymentMethodTypes = []string{
	"ACH", "Cash", "Check", "CreditCard", "Other", "PayPal", "WireTransfer", "DebitCard", "CreditCardReferenceTransaction",
}

// MethodFor is the NetSuite payment method for a Zuora payment-method type
// ("" when neither the map nor the default names one).
func (p PaymentSync) MethodFor(zuoraType string) string {
	if id := p.Methods[zuoraType]; id != "" {
		return id
	}
	return p.DefaultMethod
}

func (s Settings) validatePayments() []error {
	var errs []error
	for _, f := range []struct{ path, v string }{
		{"advanced.paymentCutoverDate", s.Advanced.PaymentCutoverDate},
		{"advanced.refundCutoverDate", s.Advanced.RefundCutoverDate},
	} {
		if f.v == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", f.v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a date (YYYY-MM-DD)", f.path, f.v))
		}
	}
	keys := make([]string, 0, len(s.Payments.Methods))
	for k := range s.Payments.Methods {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		known := false
		for _, t := range ZuoraPaymentMethodTypes {
			known = known || t == k
		}
		if !known {
			errs = append(errs, fmt.Errorf("paymentSync.methods: %q is not a Zuora payment-method type (one of %s)", k, strings.Join(ZuoraPaymentMethodTypes, ", ")))
		}
		if !isInternalID(s.Payments.Methods[k]) {
			errs = append(errs, fmt.Errorf("paymentSync.methods.%s: %q is not a NetSuite internal id (digits)", k, s.Payments.Methods[k]))
		}
	}
	if s.Payments.DefaultMethod != "" && !isInternalID(s.Payments.DefaultMethod) {
		errs = append(errs, fmt.Errorf("paymentSync.defaultMethod: %q is not a NetSuite internal id (digits)", s.Payments.DefaultMethod))
	}
	return errs
}

func isInternalID(v string) bool {
	if v == "" {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
