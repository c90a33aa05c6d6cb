package settings

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

func TestDefaultsAreValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestParseKeepsDefaultsForAbsentFields(t *testing.T) {
	s, err := Parse([]byte(`{"advanced":{"invoiceCutoverDate":"2026-01-01","netSuiteRevenueRecognition":true}}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Advanced.UseStandardInvoiceSync || s.Run.BatchSize != 100 || s.Advanced.InvoiceCutoverDate != "2026-01-01" || !s.Advanced.NetSuiteRevRec {
		t.Fatalf("defaults lost: %+v", s)
	}
}

func TestParseErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		`{"advanced":{"invoiceCutoverDate":"2024-13-01"}}`:                          `advanced.invoiceCutoverDate: "2024-13-01" is not a date`,
		`{"customerSync":{"master":"Salesforce"}}`:                                  `customerSync.master: "Salesforce" is not one of`,
		`{"run":{"batchSize":500}}`:                                                 `run.batchSize: 500 is not between 1 and 100`,
		`{"advanced":{"useStandardInvoiceSink":false}}`:                             `unknown field "useStandardInvoiceSink"`,
		`{"run":{"window":"ten"}}`:                                                  `run.window: string is not a int`,
		`{"advanced":`:                                                              `unexpected EOF`,
		`{"catalogSync":{"itemIdMapping":"Use Zuora Charge ID","itemIdPrefix":""}}`: `catalogSync.itemIdPrefix: empty`,
		`{"transactionSync":{"numberMapping":"Use Name From Source Record"}}`:       `transactionSync.numberMapping`,
	}
	for in, want := range cases {
		_, err := Parse([]byte(in), "f.json")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "f.json") {
			t.Errorf("%s: want error containing %q, got %v", in, want, err)
		}
	}
}

// A workflow started from the temporal CLI with partial settings JSON gets
// the defaults for everything it leaves out.
func TestPartialJSONInWorkflowInputMeansDefaults(t *testing.T) {
	var s Settings
	if err := json.Unmarshal([]byte(`{"run":{"window":5}}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.Run.Window != 5 || s.Run.BatchSize != 100 || !s.Advanced.UseStandardInvoiceSync || !s.Customer.AllowNumberUpdates {
		t.Fatalf("got %+v", s)
	}
	// And a full round trip keeps explicit false values.
	d := Default()
	d.Advanced.UseStandardInvoiceSync = false
	b, _ := json.Marshal(d)
	var back Settings
	if err := json.Unmarshal(b, &back); err != nil || back.Advanced.UseStandardInvoiceSync {
		t.Fatalf("explicit false lost: %+v %v", back.Advanced, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"run":{"window":3}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"advanced":{"invoiceCutoverDate":"2026-02-30"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b, "fuzz")
		if err == nil {
			if verr := s.Validate(); verr != nil {
				t.Fatalf("Parse accepted invalid settings: %v", verr)
			}
		}
	})
}

// The default custom field names are the ones the Zuora model types decode.
func TestZuoraFields_DefaultsAreTheModelsNames(t *testing.T) {
	d := Default().ZuoraFields
	if d.DoNotSync != zuora.FieldDoNotSync || d.MigrationWriteOff != zuora.FieldMigrationWriteOff {
		t.Errorf("defaults %+v, want %s and %s", d, zuora.FieldDoNotSync, zuora.FieldMigrationWriteOff)
	}
}
