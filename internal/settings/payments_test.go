package settings

import (
	"strings"
	"testing"
)

func TestPaymentSettings_ErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		`{"advanced":{"paymentCutoverDate":"2026-02-30"}}`:      `advanced.paymentCutoverDate: "2026-02-30" is not a date`,
		`{"advanced":{"refundCutoverDate":"soon"}}`:             `advanced.refundCutoverDate: "soon" is not a date`,
		`{"paymentSync":{"methods":{"Credit Card":"5"}}}`:       `paymentSync.methods: "Credit Card" is not a Zuora payment-method type`,
		`{"paymentSync":{"methods":{"ACH":"ACH"}}}`:             `paymentSync.methods.ACH: "ACH" is not a NetSuite internal id`,
		`{"paymentSync":{"defaultMethod":"Undeposited Funds"}}`: `paymentSync.defaultMethod: "Undeposited Funds" is not a NetSuite internal id`,
		`{"advanced":{"disablePaymentSync":"yes"}}`:             `advanced.disablePaymentSync`,
	}
	for in, want := range cases {
		_, err := Parse([]byte(in), "f.json")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to contain %q", in, err, want)
		}
	}
}

// Reference money-sync §1.6: the method is matched by the exact Zuora type;
// a type not mapped falls back to the default, and without one there is none.
func TestPaymentSettings_MethodMatchedByZuoraTypeWithADefault(t *testing.T) {
	s, err := Parse([]byte(`{"paymentSync":{"methods":{"ACH":"7","Check":"2"},"defaultMethod":"1"},"advanced":{"disablePaymentSync":true}}`), "f.json")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Advanced.DisablePaymentSync || s.Advanced.DisableRefundSync {
		t.Fatalf("switches %+v", s.Advanced)
	}
	if s.Payments.MethodFor("ACH") != "7" || s.Payments.MethodFor("Check") != "2" || s.Payments.MethodFor("WireTransfer") != "1" {
		t.Fatalf("methods %+v", s.Payments)
	}
	if (PaymentSync{Methods: map[string]string{"ACH": "7"}}).MethodFor("Cash") != "" {
		t.Fatal("an unmapped type without a default must have no method")
	}
}
