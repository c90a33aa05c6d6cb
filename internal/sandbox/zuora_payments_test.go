package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// paymentsTenant: tinyTenant plus a second posted invoice of 40.00, another
// account's invoice and payment method, and a tenant-level method.
func paymentsTenant() *fixture.Fixture {
	f := tinyTenant()
	f.Zuora.Objects[zuora.ObjAccount] = append(f.Zuora.Objects[zuora.ObjAccount], fixture.Record{"Id": "acc2", "AccountNumber": "A-2", "Name": "Other"})
	f.Zuora.Objects[zuora.ObjInvoice] = append(f.Zuora.Objects[zuora.ObjInvoice],
		fixture.Record{"Id": "inv3", "InvoiceNumber": "INV-3", "AccountId": "acc1", "Status": "Posted", "Amount": n("40.00"), "Balance": n("40.00"), "InvoiceDate": "2026-03-02"},
		fixture.Record{"Id": "inv4", "InvoiceNumber": "INV-4", "AccountId": "acc2", "Status": "Posted", "Amount": n("10.00"), "Balance": n("10.00"), "InvoiceDate": "2026-03-02"})
	f.Zuora.Objects[zuora.ObjPaymentMethod] = []fixture.Record{{"Id": "pm-ext", "Type": "Check"}, {"Id": "pm-acc2", "AccountId": "acc2", "Type": "ACH"}}
	return f
}

func draftPayment(acct, amount string) map[string]any {
	return map[string]any{"AccountId": acct, "Amount": amount, "EffectiveDate": "2026-03-05", "PaymentMethodId": "pm-ext",
		"Type": "External", "Status": "Draft", "IntegrationId__NS": "501", "TransferredToAccounting": "Yes"}
}

func balanceOf(t *testing.T, e *env, inv string) decimal.Decimal {
	t.Helper()
	var got zuora.Invoice
	if err := e.z.GetObject(context.Background(), zuora.ObjInvoice, inv, &got); err != nil {
		t.Fatal(err)
	}
	return got.Balance
}

// Without Invoice Settlement one payment pays several invoices by the SOAP
// way: a Draft payment, an invoice payment per invoice, then Processed; the
// balances go down only then.
func TestZuoraPayments_DraftInvoicePaymentsThenProcessedLowersBalances(t *testing.T) {
	e := start(t, t.TempDir(), paymentsTenant())
	ctx := context.Background()
	id, err := e.z.CreateObject(ctx, zuora.ObjPayment, draftPayment("acc1", "60.00"), "")
	if err != nil {
		t.Fatal(err)
	}
	for inv, amt := range map[string]string{"inv1": "20.00", "inv3": "40.00"} {
		if _, err := e.z.CreateObject(ctx, zuora.ObjInvoicePayment, map[string]any{"PaymentId": id, "InvoiceId": inv, "Amount": amt}, ""); err != nil {
			t.Fatalf("%s: %v", inv, err)
		}
	}
	if b := balanceOf(t, e, "inv1"); !b.Equal(dec("250")) {
		t.Fatalf("a Draft payment lowered the balance to %s", b)
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjPayment, id, map[string]any{"Status": "Processed"}); err != nil {
		t.Fatal(err)
	}
	if b1, b3 := balanceOf(t, e, "inv1"), balanceOf(t, e, "inv3"); !b1.Equal(dec("230")) || !b3.Equal(dec("0")) {
		t.Fatalf("balances after Processed: %s, %s", b1, b3)
	}
	var p zuora.Payment
	if err := e.z.GetObject(ctx, zuora.ObjPayment, id, &p); err != nil || p.Status != "Processed" || !p.AppliedAmount.Equal(dec("60")) || p.PaymentNumber == "" {
		t.Fatalf("payment %+v (%v)", p, err)
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjPayment, id, map[string]any{"Status": "Draft"}); err == nil {
		t.Error("a Processed payment went back to Draft")
	}
	if _, err := e.z.CreateObject(ctx, zuora.ObjInvoicePayment, map[string]any{"PaymentId": id, "InvoiceId": "inv1", "Amount": "1.00"}, ""); err == nil {
		t.Error("an invoice payment was added to a Processed payment")
	}
}

// What Zuora refuses, the sandbox refuses (docs/wire.md): unknown account
// or method, another account's method or invoice, more than a balance or
// than the payment, Processed while not applied in full.
func TestZuoraPayments_RefusesWhatZuoraRefuses(t *testing.T) {
	e := start(t, t.TempDir(), paymentsTenant())
	ctx := context.Background()
	with := func(k string, v any) map[string]any {
		m := draftPayment("acc1", "30.00")
		m[k] = v
		return m
	}
	for name, body := range map[string]map[string]any{
		"unknown account":        with("AccountId", "nope"),
		"unknown method":         with("PaymentMethodId", "nope"),
		"another account method": with("PaymentMethodId", "pm-acc2"),
		"Electronic":             with("Type", "Electronic"),
		"zero amount":            with("Amount", "0"),
		"Processed at create":    with("Status", "Processed"),
	} {
		if _, err := e.z.CreateObject(ctx, zuora.ObjPayment, body, ""); err == nil {
			t.Errorf("%s: created", name)
		}
	}
	id, err := e.z.CreateObject(ctx, zuora.ObjPayment, draftPayment("acc1", "30.00"), "")
	if err != nil {
		t.Fatal(err)
	}
	for name, ip := range map[string]map[string]any{
		"another account's invoice": {"PaymentId": id, "InvoiceId": "inv4", "Amount": "5.00"},
		"over the balance":          {"PaymentId": id, "InvoiceId": "inv3", "Amount": "40.01"},
		"over the payment":          {"PaymentId": id, "InvoiceId": "inv1", "Amount": "30.01"},
		"a Draft invoice":           {"PaymentId": id, "InvoiceId": "inv2", "Amount": "1.00"},
	} {
		if _, err := e.z.CreateObject(ctx, zuora.ObjInvoicePayment, ip, ""); err == nil {
			t.Errorf("%s: invoice payment created", name)
		}
	}
	if _, err := e.z.CreateObject(ctx, zuora.ObjInvoicePayment, map[string]any{"PaymentId": id, "InvoiceId": "inv1", "Amount": "10.00"}, ""); err != nil {
		t.Fatal(err)
	}
	err = e.z.UpdateObject(ctx, zuora.ObjPayment, id, map[string]any{"Status": "Processed"})
	if err == nil || !strings.Contains(err.Error(), "applied in full") {
		t.Fatalf("Processed with 10.00 of 30.00 applied: %v", err)
	}
	// Found again by its NetSuite id (the sync's look-before-create).
	got, err := zuora.QueryAll[zuora.Payment](ctx, e.z, "select Id, Status from Payment where IntegrationId__NS = '501'")
	if err != nil || len(got) != 1 || got[0].ID != id || got[0].Status != "Draft" {
		t.Fatalf("by IntegrationId__NS: %+v %v", got, err)
	}
}

// SuiteQL's transaction table holds customer payments (type CustPymt), with
// the customer as entity, what is unapplied as foreignamountremaining and
// their custbody fields as columns.
func TestNetSuitePayments_InSuiteQLTransactionAsCustPymt(t *testing.T) {
	f := paymentTenant()
	f.NetSuite.Account.CustomFields = fixture.ConnectorCustomFields
	e := start(t, t.TempDir(), f)
	ctx := context.Background()
	inv, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(10, "a")))
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.ns.Create(ctx, netsuite.TypeCustomerPayment, map[string]any{"customer": map[string]any{"id": "10"}, "payment": "12.00",
		"tranDate": "2026-03-05", "custbody_zuora_origin": "ZUORA", "apply": applyRows([2]any{inv, "10.00"})})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.ns.QueryAll(ctx, "SELECT id, type, entity, foreigntotal, foreignamountremaining, custbody_zuora_origin FROM transaction WHERE type = 'CustPymt' AND id > 0 ORDER BY id")
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	r := rows[0]
	if str(r["id"]) != id || str(r["entity"]) != "10" || str(r["foreigntotal"]) != "12.00" || str(r["foreignamountremaining"]) != "2.00" || str(r["custbody_zuora_origin"]) != "ZUORA" {
		t.Fatalf("payment row %v", r)
	}
}
