package mapping

import (
	"testing"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// The demo's payment cases name the rule their Error breaks; each must be a
// rule of this package, or the demo test would look for a reason no payment
// can have.
func TestPayment_DemoCasesNameRulesOfThisPackage(t *testing.T) {
	rules := map[string]bool{RulePaymentDocSynced: true, RulePaymentMethod: true, RulePaymentCustomer: true}
	found := 0
	for _, c := range fixture.DemoPaymentCases {
		if c.Expect != fixture.ExpectError {
			continue
		}
		found++
		if !rules[c.Reason] {
			t.Errorf("demo payment %s names rule %q, not a payment rule of internal/mapping", c.PaymentNumber, c.Reason)
		}
	}
	if found == 0 {
		t.Error("the demo has no payment Error case")
	}
}
