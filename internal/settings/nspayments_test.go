package settings

import (
	"strings"
	"testing"
)

// Reference §0.6: the NetSuite → Zuora payment sync is off by default; §3.9:
// the behaviour defaults to Sync New and Modified Records.
func TestNetSuitePaymentSettings_OffByDefault(t *testing.T) {
	s := Default()
	if s.Advanced.NetSuitePaymentSync || s.Advanced.NetSuitePaymentSyncBehavior != SyncNewAndModified {
		t.Fatalf("defaults %+v", s.Advanced)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestNetSuitePaymentSettings_ErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		`{"advanced":{"netSuitePaymentCutoverDate":"2026-13-01"}}`:                 `advanced.netSuitePaymentCutoverDate: "2026-13-01" is not a date`,
		`{"advanced":{"netSuitePaymentSyncBehavior":"Sync All"}}`:                  `advanced.netSuitePaymentSyncBehavior: "Sync All" is not one of`,
		`{"paymentSync":{"netSuiteMethods":{"Check":"2c93"}}}`:                     `paymentSync.netSuiteMethods: "Check" is not a NetSuite paymentMethod internal id`,
		`{"paymentSync":{"netSuiteMethods":{"2":""}}}`:                             `paymentSync.netSuiteMethods.2: "" is not a Zuora PaymentMethodId`,
		`{"netsuite":{"fields":{"origin":"custentity_origin"}}}`:                   `is not a custbody* custom field id`,
		`{"netsuite":{"fields":{"integrationStatus":"Zuora Integration Status"}}}`: `is not a custbody* custom field id`,
	}
	for in, want := range cases {
		_, err := Parse([]byte(in), "f.json")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to contain %q", in, err, want)
		}
	}
}

// §3.2: the Zuora payment method comes from the NetSuite method, by its id.
func TestNetSuitePaymentSettings_MethodMappedByNetSuiteID(t *testing.T) {
	s, err := Parse([]byte(`{"advanced":{"netSuitePaymentSync":true},"paymentSync":{"netSuiteMethods":{"2":"8a8a0001"}}}`), "f.json")
	if err != nil {
		t.Fatal(err)
	}
	if s.Payments.ZuoraMethodFor("2") != "8a8a0001" || s.Payments.ZuoraMethodFor("3") != "" {
		t.Fatalf("methods %+v", s.Payments.NetSuiteMethods)
	}
}

// §3.2: a NetSuite method the map does not name is looked up by its name at
// sync time, so the sync may be on with no map at all.
func TestNetSuitePaymentSettings_EmptyMethodMapValidLookupByName(t *testing.T) {
	s, err := Parse([]byte(`{"advanced":{"netSuitePaymentSync":true}}`), "f.json")
	if err != nil {
		t.Fatalf("netSuitePaymentSync with no netSuiteMethods refused: %v", err)
	}
	if !s.Advanced.NetSuitePaymentSync || s.Payments.ZuoraMethodFor("2") != "" {
		t.Fatalf("settings %+v %+v", s.Advanced, s.Payments.NetSuiteMethods)
	}
}
