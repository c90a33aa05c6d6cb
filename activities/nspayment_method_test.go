package activities_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Reference §3.2: "The NS payment method matches a valid Zuora payment
// method. The lookup is by name, into PaymentMethodId" — for a NetSuite
// method paymentSync.netSuiteMethods does not name.

// nsMethodPayment enters a 1.00 NetSuite payment of NetSuite method nsMethod
// on the tenant's invoice and syncs it with netSuiteMethods = methods.
func nsMethodPayment(t *testing.T, a *activities.Activities, inv zuora.Invoice, cust, nsMethod string, methods map[string]string) (workflows.NetSuitePaymentSyncResult, string) {
	t.Helper()
	ctx := context.Background()
	nsID, err := a.NetSuite.Create(ctx, netsuite.TypeCustomerPayment, map[string]any{"customer": map[string]any{"id": cust}, "payment": "1.00",
		"tranDate": "2026-03-05", "paymentMethod": map[string]any{"id": nsMethod},
		"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": inv.IntegrationID}, "apply": true, "amount": "1.00"}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := settings.Default()
	s.Advanced.NetSuitePaymentSync = true
	s.Payments.NetSuiteMethods = methods
	res, err := a.SyncNetSuitePayment(ctx, workflows.NetSuitePaymentSyncInput{NetSuiteID: nsID, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	if methods != nil && len(methods) == 0 {
		t.Fatal("test bug: an empty map stands for nil")
	}
	return res, nsID
}

// zuoraMethodOf is the PaymentMethodId of the Zuora payment made for nsID.
func zuoraMethodOf(t *testing.T, a *activities.Activities, nsID string) string {
	t.Helper()
	pays, err := zuora.QueryAll[struct {
		PaymentMethodID string `json:"PaymentMethodId"`
	}](context.Background(), a.Zuora, "select Id, PaymentMethodId from Payment where IntegrationId__NS = "+zuora.Quote(nsID))
	if err != nil || len(pays) != 1 {
		t.Fatalf("Zuora payments of NetSuite payment %s: %+v %v", nsID, pays, err)
	}
	return pays[0].PaymentMethodID
}

// The NetSuite method "Check" (9001), not in the map, finds the tenant's one
// Active shared Zuora method of Type Check; Closed ones and another
// account's do not count.
func TestSyncNetSuitePayment_MethodByNameMatchesTheOneActiveZuoraMethodOfThatType(t *testing.T) {
	a, inv, cust := nsPaymentTenantWith(t, 65, func(f *fixture.Fixture) {
		f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod],
			fixture.Record{"Id": "zpm-check-closed", "Type": "Check", "PaymentMethodStatus": "Closed"},
			fixture.Record{"Id": "zpm-cash", "Type": "Cash", "PaymentMethodStatus": "Active"})
		f.Zuora.Objects[zuora.ObjAccount] = append(f.Zuora.Objects[zuora.ObjAccount], fixture.Record{"Id": "acc-other", "Name": "Other", "Currency": "USD", "Status": "Active"})
		f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod],
			fixture.Record{"Id": "zpm-check-other", "AccountId": "acc-other", "Type": "Check", "PaymentMethodStatus": "Active"})
	})
	res, nsID := nsMethodPayment(t, a, inv, cust, "9001", nil)
	if res.Outcome != workflows.OutcomeSynced {
		t.Fatalf("sync %+v", res)
	}
	if got := zuoraMethodOf(t, a, nsID); got != "zpm-check" {
		t.Fatalf("Zuora payment method %q, want zpm-check (the one Active shared Check)", got)
	}
}

// No Active Zuora method of the NetSuite method's name: Error naming the
// NetSuite method and the type looked for; nothing made in Zuora.
func TestSyncNetSuitePayment_MethodByNameNoMatchEndsErrorNamingIt(t *testing.T) {
	a, inv, cust := nsPaymentTenantWith(t, 66, func(f *fixture.Fixture) {
		f.NetSuite.Records[netsuite.TypePaymentMethod] = append(f.NetSuite.Records[netsuite.TypePaymentMethod], fixture.Record{"id": "9003", "name": "WireTransfer"})
		f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod],
			fixture.Record{"Id": "zpm-wire-closed", "Type": "WireTransfer", "PaymentMethodStatus": "Closed"})
	})
	res, nsID := nsMethodPayment(t, a, inv, cust, "9003", nil)
	if res.Outcome != workflows.OutcomeError ||
		!strings.Contains(res.Reason, `NetSuite payment method 9003 ("WireTransfer")`) ||
		!strings.Contains(res.Reason, "no Active Zuora payment method of Type WireTransfer") {
		t.Fatalf("sync %+v", res)
	}
	if pays, err := zuora.QueryAll[zuora.Payment](context.Background(), a.Zuora, "select Id from Payment where IntegrationId__NS = "+zuora.Quote(nsID)); err != nil || len(pays) != 0 {
		t.Fatalf("Zuora payments %v %v", pays, err)
	}
}

// Two Active Zuora methods of the name the payment's account may use (a
// shared one and the account's own): no guess, Error listing both.
func TestSyncNetSuitePayment_MethodByNameTwoMatchesEndsErrorListingBoth(t *testing.T) {
	a, inv, cust := nsPaymentTenantWith(t, 67, func(f *fixture.Fixture) {
		acct := f.Zuora.Objects[zuora.ObjAccount][0]
		f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod],
			fixture.Record{"Id": "zpm-check-own", "AccountId": acct["Id"], "Type": "Check", "PaymentMethodStatus": "Active"})
	})
	res, _ := nsMethodPayment(t, a, inv, cust, "9001", nil)
	if res.Outcome != workflows.OutcomeError || !strings.Contains(res.Reason, "2 Active Zuora payment methods of Type Check match (zpm-check, zpm-check-own)") {
		t.Fatalf("sync %+v", res)
	}
}

// An explicit paymentSync.netSuiteMethods entry wins over the name, even
// where the name alone would be ambiguous.
func TestSyncNetSuitePayment_MethodMapEntryWinsOverTheName(t *testing.T) {
	a, inv, cust := nsPaymentTenantWith(t, 68, func(f *fixture.Fixture) {
		acct := f.Zuora.Objects[zuora.ObjAccount][0]
		f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod],
			fixture.Record{"Id": "zpm-check-own", "AccountId": acct["Id"], "Type": "Check", "PaymentMethodStatus": "Active"})
	})
	res, nsID := nsMethodPayment(t, a, inv, cust, "9001", map[string]string{"9001": "zpm-check-own"})
	if res.Outcome != workflows.OutcomeSynced {
		t.Fatalf("sync %+v", res)
	}
	if got := zuoraMethodOf(t, a, nsID); got != "zpm-check-own" {
		t.Fatalf("Zuora payment method %q, want the mapped zpm-check-own", got)
	}
}
