package settings

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// NetSuite customer payments → Zuora payments (reference
// zuora-connector-money-sync.md §3). Zuora's connector looks the Zuora
// payment method up by the NetSuite method's name (§3.2), and so does the
// sync (activities/nspayment_method.go) for a NetSuite method this map does
// not name; an entry here pins a NetSuite paymentMethod internal id to a
// Zuora PaymentMethodId and wins over the name (an empty map is valid).

// ZuoraMethodFor is the Zuora PaymentMethodId for a NetSuite paymentMethod
// internal id ("" = not mapped: the sync looks it up by name).
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
	return errs
}
