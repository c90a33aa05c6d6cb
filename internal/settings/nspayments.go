package settings

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// NetSuite customer payments → Zuora payments (reference
// zuora-connector-money-sync.md §3). Zuora's connector looks the Zuora
// payment method up by the NetSuite method's name (§3.2); here the operator
// maps each NetSuite paymentMethod internal id to a Zuora PaymentMethodId,
// so a renamed method cannot silently change where payments land.

// ZuoraMethodFor is the Zuora PaymentMethodId for a NetSuite paymentMethod
// internal id ("" = not mapped: the payment ends in Error naming it).
func (p PaymentSync) ZuoraMethodFor(netSuiteMethodID string) string {
	return p.NetSuiteMethods[netSuiteMethodID]
}

func (s Settings) validateNetSuitePayments() []error {
	var errs []error
	adv := s.Advanced
	if adv.NetSuitePaymentCutoverDate != "" {
		if _, err := time.Parse("2006-01-02", adv.NetSuitePaymentCutoverDate); err != nil {
			errs = append(errs, fmt.Errorf("advanced.netSuitePaymentCutoverDate: %q is not a date (YYYY-MM-DD)", adv.NetSuitePaymentCutoverDate))
		}
	}
	if adv.NetSuitePaymentSyncBehavior != SyncNewAndModified && adv.NetSuitePaymentSyncBehavior != SyncNewOnly {
		errs = append(errs, fmt.Errorf("advanced.netSuitePaymentSyncBehavior: %q is not one of %q", adv.NetSuitePaymentSyncBehavior, []string{SyncNewAndModified, SyncNewOnly}))
	}
	keys := make([]string, 0, len(s.Payments.NetSuiteMethods))
	for k := range s.Payments.NetSuiteMethods {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !isInternalID(k) {
			errs = append(errs, fmt.Errorf("paymentSync.netSuiteMethods: %q is not a NetSuite paymentMethod internal id (digits)", k))
		}
		if v := s.Payments.NetSuiteMethods[k]; v == "" || strings.ContainsAny(v, " ,'\"()") {
			errs = append(errs, fmt.Errorf("paymentSync.netSuiteMethods.%s: %q is not a Zuora PaymentMethodId", k, v))
		}
	}
	if adv.NetSuitePaymentSync && len(keys) == 0 {
		// Every NetSuite payment would end in Error: say so at load.
		errs = append(errs, fmt.Errorf("advanced.netSuitePaymentSync is on but paymentSync.netSuiteMethods maps no NetSuite payment method to a Zuora PaymentMethodId"))
	}
	return errs
}
