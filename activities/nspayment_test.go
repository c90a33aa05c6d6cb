package activities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Reference §3.1 selection, keyset by NetSuite id: of NetSuite payments
// interleaved with ones that must not sync (Origin ZUORA, a zuora-payment-
// external id, Sync Complete, partly applied), small pages select exactly
// the others, once each, in id order, and end Done.
func TestSelectNetSuitePayments_KeysetPagesSkipZuoraOriginAndSyncComplete(t *testing.T) {
	f := generated(t, "seed=62,accounts=1,invoices=1,negative=0,tax=0")
	for _, c := range f.NetSuite.Records[netsuite.TypeCustomer] {
		for _, acct := range f.Zuora.Objects[zuora.ObjAccount] {
			if fmt.Sprint(acct["IntegrationId__NS"]) == fmt.Sprint(c["id"]) {
				c["custentity_zuora_id"] = acct["Id"]
			}
		}
	}
	a, _ := sandboxTenant(t, f)
	inv := f.Zuora.Objects[zuora.ObjInvoice][0]
	s := settings.Default()
	if step := syncToEnd(t, a, fmt.Sprint(inv["Id"]), s); step.Outcome != workflows.OutcomeSynced {
		t.Fatalf("invoice sync: %s %s", step.Outcome, step.Reason)
	}
	invs, err := zuora.QueryAll[zuora.Invoice](context.Background(), a.Zuora, "select Id, AccountId, IntegrationId__NS, Balance from Invoice")
	if err != nil || len(invs) != 1 {
		t.Fatal(invs, err)
	}
	var cust string
	for _, acct := range f.Zuora.Objects[zuora.ObjAccount] {
		if acct["Id"] == invs[0].AccountID {
			cust = fmt.Sprint(acct["IntegrationId__NS"])
		}
	}
	ctx := context.Background()
	cent := decimal.RequireFromString("0.01")
	var want []string
	for i := range 9 {
		body := map[string]any{"customer": map[string]any{"id": cust}, "payment": "0.01", "tranDate": "2026-03-05",
			"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": invs[0].IntegrationID}, "apply": true, "amount": cent.String()}}}}
		ok := false
		switch i % 5 {
		case 0:
			body["custbody_zuora_origin"] = "ZUORA"
		case 1:
			body["externalId"] = fmt.Sprintf("zuora-payment-x%d", i)
		case 2:
			body["custbody_zuora_integration_status"] = zuora.StatusSyncComplete
		case 3:
			body["payment"] = "0.02" // a cent left unapplied
		default:
			ok = true
		}
		id, err := a.NetSuite.Create(ctx, netsuite.TypeCustomerPayment, body)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			want = append(want, id)
		}
	}
	// Two more that sync, after the last ones that do not.
	for range 2 {
		id, err := a.NetSuite.Create(ctx, netsuite.TypeCustomerPayment, map[string]any{"customer": map[string]any{"id": cust}, "payment": "0.01",
			"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": invs[0].IntegrationID}, "apply": true, "amount": "0.01"}}}})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	got := allPages(t, a.SelectNetSuitePayments, s, 1)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("selected %v, want %v", got, want)
	}
}
