package settings

import (
	"fmt"
	"time"
)

// NetSuite customer refunds → Zuora refunds (reference
// zuora-connector-money-sync.md §5): off by default (§0.6). The credit memo's
// Create Zuora Refund and Zuora Refund Payment Reference field ids are
// netsuite.fields.createZuoraRefund / refundPaymentRef (netsuite.go,
// validated as custbody ids with the others).

func (s Settings) validateNetSuiteRefunds() []error {
	var errs []error
	if d := s.Advanced.NetSuiteRefundCutoverDate; d != "" {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			errs = append(errs, fmt.Errorf("advanced.netSuiteRefundCutoverDate: %q is not a date (YYYY-MM-DD)", d))
		}
	}
	return errs
}
