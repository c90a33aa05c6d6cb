package sandbox

import (
	"context"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// Auto-Generated Numbers without Allow Override: the metadata marks the
// number read-only, and a written number is replaced by the next auto number
// (hostile reading of an undocumented REST behaviour, netsuite_autonumbers.go).
func TestNetSuite_AutoNumbersWithoutOverrideReplaceTheWrittenNumber(t *testing.T) {
	e := start(t, t.TempDir(), nsTenant(fixture.NetSuiteAccount{AutoNumberNoOverride: []string{"invoice"}}))
	ctx := context.Background()
	var s struct {
		Properties map[string]struct {
			ReadOnly bool `json:"readOnly"`
		} `json:"properties"`
	}
	if err := e.ns.Metadata(ctx, netsuite.TypeInvoice, &s); err != nil {
		t.Fatal(err)
	}
	if !s.Properties["tranId"].ReadOnly {
		t.Fatalf("invoice tranId is not read-only in the metadata of an account without Allow Override")
	}
	inv := invoiceWith(lines(1, "a"))
	inv.TranID = "INV-ZUORA-1"
	id, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-a", inv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.ns.GetTransaction(ctx, netsuite.TypeInvoice, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.TranID == "INV-ZUORA-1" || got.TranID == "" {
		t.Fatalf("tranId %q: want NetSuite's own number, not the written one", got.TranID)
	}
	// Customers keep the number they are given: only invoices are locked here.
	if err := e.ns.Metadata(ctx, netsuite.TypeCustomer, &s); err != nil {
		t.Fatal(err)
	}
	if s.Properties["entityId"].ReadOnly {
		t.Fatalf("customer entityId read-only though customers are not locked")
	}
}
