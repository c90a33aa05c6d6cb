package sandbox

import (
	"context"
	"fmt"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// nspayments=N: every generated NetSuite payment reads, through SuiteQL and
// the REST record, as the same payment written through the REST API would:
// the fields the sandbox computes on a write (total, amountRemaining,
// applied, unapplied) agree with a twin the test writes with the same body.
func TestGenerateNSPayments_ReadLikeARESTWrittenPayment(t *testing.T) {
	f, err := fixture.Generate("seed=16,accounts=5,invoices=10,negative=0,is=true,payments=10,nspayments=3")
	if err != nil {
		t.Fatal(err)
	}
	gen := f.NetSuite.Records[netsuite.TypeCustomerPayment]
	if len(gen) != 3 {
		t.Fatalf("%d NetSuite payments, want 3", len(gen))
	}
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	cols := "id, entity, trandate, foreigntotal, foreignamountremaining, foreignpaymentamountused, foreignpaymentamountunused, custbody_zuora_sync_updates"
	for _, g := range gen {
		twin, err := e.ns.Create(ctx, netsuite.TypeCustomerPayment, map[string]any{"customer": g["customer"], "payment": g["payment"],
			"currency": g["currency"], "tranDate": g["tranDate"], "paymentMethod": g["paymentMethod"], "memo": g["memo"],
			"custbody_zuora_sync_updates": "Yes"})
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]map[string]any{}
		for _, id := range []string{fmt.Sprint(g["id"]), twin} {
			got, err := e.ns.QueryAll(ctx, "SELECT "+cols+" FROM transaction WHERE type = 'CustPymt' AND id = "+id)
			if err != nil || len(got) != 1 {
				t.Fatalf("SuiteQL payment %s: %v %v", id, got, err)
			}
			rows[id] = got[0]
		}
		for _, c := range []string{"entity", "trandate", "foreigntotal", "foreignamountremaining", "foreignpaymentamountused", "foreignpaymentamountunused", "custbody_zuora_sync_updates"} {
			if a, b := fmt.Sprint(rows[fmt.Sprint(g["id"])][c]), fmt.Sprint(rows[twin][c]); a != b {
				t.Errorf("payment %s: SuiteQL %s = %s, a REST-written twin reads %s", g["id"], c, a, b)
			}
		}
		var gotGen, gotTwin map[string]any
		if err := e.ns.Get(ctx, netsuite.TypeCustomerPayment, fmt.Sprint(g["id"]), false, &gotGen); err != nil {
			t.Fatal(err)
		}
		if err := e.ns.Get(ctx, netsuite.TypeCustomerPayment, twin, false, &gotTwin); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"payment", "total", "amountRemaining", "applied", "unapplied", "paymentMethod"} {
			if a, b := fmt.Sprint(gotGen[k]), fmt.Sprint(gotTwin[k]); a != b {
				t.Errorf("payment %s: REST %s = %s, twin %s", g["id"], k, a, b)
			}
		}
	}
}
