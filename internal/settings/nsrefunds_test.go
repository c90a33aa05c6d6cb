package settings

import (
	"strings"
	"testing"
)

// Reference §0.6: the NetSuite → Zuora refund sync is off by default.
func TestNetSuiteRefundSettings_OffByDefault(t *testing.T) {
	s := Default()
	if s.Advanced.NetSuiteRefundSync || s.Advanced.NetSuiteRefundCutoverDate != "" {
		t.Fatalf("defaults %+v", s.Advanced)
	}
	if s.NetSuite.Fields.CreateZuoraRefund != "custbody_zuora_create_refund" || s.NetSuite.Fields.RefundPaymentRef != "custbody_zuora_refund_payment_ref" {
		t.Fatalf("default credit memo fields %+v", s.NetSuite.Fields)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestNetSuiteRefundSettings_ErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		`{"advanced":{"netSuiteRefundCutoverDate":"2026-02-30"}}`:          `advanced.netSuiteRefundCutoverDate: "2026-02-30" is not a date`,
		`{"netsuite":{"fields":{"createZuoraRefund":"custcol_create"}}}`:   `(for custbody_zuora_create_refund) is not a custbody* custom field id`,
		`{"netsuite":{"fields":{"refundPaymentRef":"Zuora Payment Ref"}}}`: `(for custbody_zuora_refund_payment_ref) is not a custbody* custom field id`,
	}
	for in, want := range cases {
		_, err := Parse([]byte(in), "f.json")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to contain %q", in, err, want)
		}
	}
}

// A renamed credit memo field is carried to the NetSuite client's renames.
func TestNetSuiteRefundSettings_FieldRenamed(t *testing.T) {
	s, err := Parse([]byte(`{"advanced":{"netSuiteRefundSync":true},"netsuite":{"fields":{"createZuoraRefund":"custbody_acme_zrefund"}}}`), "f.json")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Advanced.NetSuiteRefundSync || s.NetSuite.Fields.Renames()["custbody_zuora_create_refund"] != "custbody_acme_zrefund" {
		t.Fatalf("renames %v", s.NetSuite.Fields.Renames())
	}
}
