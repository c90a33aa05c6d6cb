package activities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Reference §3.1 selection, keyset by NetSuite id: of NetSuite payments
// interleaved with ones that must not sync (Origin ZUORA, a zuora-payment-
// external id, Sync Complete, partly applied), small pages select exactly
// the others, once each, in id order, and end Done.
// nsPaymentTenant: one account whose NetSuite customer knows its Zuora
// account, its one invoice synced; it answers the activities, the Zuora
// invoice and the NetSuite customer id.
func nsPaymentTenant(t *testing.T, seed int) (*activities.Activities, zuora.Invoice, string) {
	t.Helper()
	return nsPaymentTenantWith(t, seed, nil)
}

// nsPaymentTenantWith is nsPaymentTenant with more records added by edit.
func nsPaymentTenantWith(t *testing.T, seed int, edit func(f *fixture.Fixture)) (*activities.Activities, zuora.Invoice, string) {
	t.Helper()
	f := generated(t, fmt.Sprintf("seed=%d,accounts=1,invoices=1,negative=0,tax=0", seed))
	for _, c := range f.NetSuite.Records[netsuite.TypeCustomer] {
		for _, acct := range f.Zuora.Objects[zuora.ObjAccount] {
			if fmt.Sprint(acct["IntegrationId__NS"]) == fmt.Sprint(c["id"]) {
				c["custentity_zuora_id"] = acct["Id"]
			}
		}
	}
	f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod], fixture.Record{"Id": "zpm-check", "Type": "Check", "PaymentMethodStatus": "Active"})
	f.NetSuite.Records[netsuite.TypePaymentMethod] = append(f.NetSuite.Records[netsuite.TypePaymentMethod], fixture.Record{"id": "9001", "name": "Check"})
	if edit != nil {
		edit(f)
	}
	a, _ := sandboxTenant(t, f)
	inv := f.Zuora.Objects[zuora.ObjInvoice][0]
	if step := syncToEnd(t, a, fmt.Sprint(inv["Id"]), settings.Default()); step.Outcome != workflows.OutcomeSynced {
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
	return a, invs[0], cust
}

func TestSelectNetSuitePayments_KeysetPagesSkipZuoraOriginAndSyncComplete(t *testing.T) {
	a, inv, cust := nsPaymentTenant(t, 62)
	invs := []zuora.Invoice{inv}
	s := settings.Default()
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

// §0.3 exactly once: a crash after the Zuora payment was created in Draft,
// before its invoice payments: the next attempt finds it by
// IntegrationId__NS, completes and processes it; no second payment; the
// NetSuite payment gets its id, Origin NETSUITE and Sync Complete.
func TestSyncNetSuitePayment_DraftLeftByACrashIsCompletedNotDuplicated(t *testing.T) {
	a, inv, cust := nsPaymentTenant(t, 63)
	ctx := context.Background()
	amount := inv.Balance.Div(decimal.NewFromInt(2)).Round(2)
	nsID, err := a.NetSuite.Create(ctx, netsuite.TypeCustomerPayment, map[string]any{"customer": map[string]any{"id": cust}, "payment": amount.StringFixed(2),
		"tranDate": "2026-03-05", "paymentMethod": map[string]any{"id": "9001"},
		"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": inv.IntegrationID}, "apply": true, "amount": amount.StringFixed(2)}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := settings.Default()
	s.Advanced.NetSuitePaymentSync = true
	s.Payments.NetSuiteMethods = map[string]string{"9001": "zpm-check"}
	draft, err := a.Zuora.CreateObject(ctx, zuora.ObjPayment, map[string]any{"AccountId": inv.AccountID, "Amount": amount.StringFixed(2),
		"EffectiveDate": "2026-03-05", "PaymentMethodId": "zpm-check", "Type": "External", "Status": "Draft", "IntegrationId__NS": nsID}, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.SyncNetSuitePayment(ctx, workflows.NetSuitePaymentSyncInput{NetSuiteID: nsID, Settings: s})
	if err != nil || res.Outcome != workflows.OutcomeSynced || res.ZuoraID != draft {
		t.Fatalf("sync %+v %v, want synced onto %s", res, err, draft)
	}
	pays, err := zuora.QueryAll[zuora.Payment](ctx, a.Zuora, "select Id, Status, Amount from Payment where IntegrationId__NS = "+zuora.Quote(nsID))
	if err != nil || len(pays) != 1 || pays[0].Status != "Processed" {
		t.Fatalf("Zuora payments of NetSuite payment %s: %+v %v", nsID, pays, err)
	}
	var after zuora.Invoice
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoice, inv.ID, &after); err != nil || !after.Balance.Equal(inv.Balance.Sub(amount)) {
		t.Fatalf("invoice balance %s, want %s less %s (%v)", after.Balance, inv.Balance, amount, err)
	}
	var row struct {
		ZuoraID string `json:"custbody_zuora_id"`
		Origin  string `json:"custbody_zuora_origin"`
		Status  string `json:"custbody_zuora_integration_status"`
	}
	if err := a.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, nsID, false, &row); err != nil || row.ZuoraID != draft || row.Origin != "NETSUITE" || row.Status != zuora.StatusSyncComplete {
		t.Fatalf("NetSuite write-back %+v %v", row, err)
	}
	// Once Sync Complete it is not taken again.
	again, err := a.SyncNetSuitePayment(ctx, workflows.NetSuitePaymentSyncInput{NetSuiteID: nsID, Settings: s})
	if err != nil || again.Outcome != workflows.OutcomeSkipped || !strings.Contains(again.Reason, "Sync Complete") {
		t.Fatalf("second sync %+v %v", again, err)
	}
}

// §3.2: a NetSuite payment method neither mapped nor named as a Zuora
// payment method type ends the payment in Error with the reason on the
// NetSuite payment, before anything is written to Zuora.
func TestSyncNetSuitePayment_UnmappedMethodEndsErrorOnTheNetSuitePayment(t *testing.T) {
	a, inv, cust := nsPaymentTenantWith(t, 64, func(f *fixture.Fixture) {
		f.NetSuite.Records[netsuite.TypePaymentMethod] = append(f.NetSuite.Records[netsuite.TypePaymentMethod], fixture.Record{"id": "9002", "name": "Gift Card"})
	})
	ctx := context.Background()
	nsID, err := a.NetSuite.Create(ctx, netsuite.TypeCustomerPayment, map[string]any{"customer": map[string]any{"id": cust}, "payment": "1.00",
		"tranDate": "2026-03-05", "paymentMethod": map[string]any{"id": "9002"},
		"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": inv.IntegrationID}, "apply": true, "amount": "1.00"}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := settings.Default()
	s.Advanced.NetSuitePaymentSync = true
	s.Payments.NetSuiteMethods = map[string]string{"99": "zpm-check"}
	res, err := a.SyncNetSuitePayment(ctx, workflows.NetSuitePaymentSyncInput{NetSuiteID: nsID, Settings: s})
	if err != nil || res.Outcome != workflows.OutcomeError || !strings.Contains(res.Reason, `NetSuite payment method 9002 ("Gift Card") is not in paymentSync.netSuiteMethods and its name is not a Zuora payment method type`) {
		t.Fatalf("sync %+v %v", res, err)
	}
	var row struct {
		Status string `json:"custbody_zuora_integration_status"`
	}
	if err := a.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, nsID, false, &row); err != nil || !strings.HasPrefix(row.Status, "Error Creating Payment: ") {
		t.Fatalf("NetSuite status %q %v", row.Status, err)
	}
	if pays, err := zuora.QueryAll[zuora.Payment](ctx, a.Zuora, "select Id from Payment where IntegrationId__NS = "+zuora.Quote(nsID)); err != nil || len(pays) != 0 {
		t.Fatalf("Zuora payments %v %v", pays, err)
	}
}

// §3.11 re-sync: the finance user cancels the Zuora payment and clears the
// NetSuite payment's Integration Status; the next sync makes a new Zuora
// payment. Zuora answers a create with a used idempotency key with the
// record it made then, so the key must change once that record is cancelled.
func TestSyncNetSuitePayment_ResyncAfterCancelMakesANewZuoraPayment(t *testing.T) {
	a, inv, cust := nsPaymentTenant(t, 65)
	ctx := context.Background()
	// A third of the balance, so the second payment fits whether or not the
	// cancel gave the first one's amount back to the invoice.
	amount := inv.Balance.Div(decimal.NewFromInt(3)).Round(2)
	nsID, err := a.NetSuite.Create(ctx, netsuite.TypeCustomerPayment, map[string]any{"customer": map[string]any{"id": cust}, "payment": amount.StringFixed(2),
		"tranDate": "2026-03-05", "paymentMethod": map[string]any{"id": "9001"},
		"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": inv.IntegrationID}, "apply": true, "amount": amount.StringFixed(2)}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := settings.Default()
	s.Advanced.NetSuitePaymentSync = true
	s.Payments.NetSuiteMethods = map[string]string{"9001": "zpm-check"}
	first, err := a.SyncNetSuitePayment(ctx, workflows.NetSuitePaymentSyncInput{NetSuiteID: nsID, Settings: s})
	if err != nil || first.Outcome != workflows.OutcomeSynced {
		t.Fatalf("first sync %+v %v", first, err)
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjPayment, first.ZuoraID, map[string]any{"Status": "Canceled"}); err != nil {
		t.Fatalf("cancelling Zuora payment %s: %v", first.ZuoraID, err)
	}
	if err := a.NetSuite.Patch(ctx, netsuite.TypeCustomerPayment, nsID, map[string]any{"custbody_zuora_integration_status": "", "custbody_zuora_id": ""}); err != nil {
		t.Fatal(err)
	}
	second, err := a.SyncNetSuitePayment(ctx, workflows.NetSuitePaymentSyncInput{NetSuiteID: nsID, Settings: s})
	if err != nil || second.Outcome != workflows.OutcomeSynced || second.ZuoraID == first.ZuoraID || second.ZuoraID == "" {
		t.Fatalf("re-sync %+v %v; want a new Zuora payment, not the cancelled %s", second, err, first.ZuoraID)
	}
}
