package itest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 16 on one generated Invoice Settlement tenant with every money
// record: debit memos, credit memos (one applied again in Zuora after its
// first sync), payments applied to invoices and debit memos, partly applied,
// unapplied and unassigned, refunds of payments, and a customer payment
// entered in NetSuite (NetSuite → Zuora on, as from the second run). Scheduled-style runs
// with the default settings (the run asks the tenant whether it is on IS)
// put every record in NetSuite once; afterwards the reconciliation reports no
// difference and every account's open balance is the same in both systems
// to the cent.
func TestInvoiceSettlementTenant_EveryMoneyRecordOnceAndTheBooksAgree(t *testing.T) {
	f, err := fixture.Generate("seed=71,accounts=4,invoices=16,items=1-3,negative=0,tax=0.3,is=true,debitmemos=6,creditmemos=6,payments=10,refunds=4")
	if err != nil {
		t.Fatal(err)
	}
	// The Sync Preferences "Unassigned Payments" customer, as an admin sets it up.
	placeholder := fixture.Record{}
	for k, v := range f.NetSuite.Records[netsuite.TypeCustomer][0] {
		placeholder[k] = v
	}
	placeholder["id"], placeholder["externalId"], placeholder["entityId"], placeholder["companyName"] = "99002", "unassigned-payments", "UNASSIGNED", "Unassigned Payments"
	f.NetSuite.Records[netsuite.TypeCustomer] = append(f.NetSuite.Records[netsuite.TypeCustomer], placeholder)
	// The Zuora external payment method NetSuite's Check payments become.
	f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod],
		fixture.Record{"Id": "zpm-external-check", "Type": "Check", "PaymentMethodStatus": "Active"})

	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	s := settings.Default() // IS from the tenant; payment methods matched by name
	s.Customer.UnassignedPaymentsCustomer = "99002"

	first := e.RunSync(ctx, "is-tenant-first", s)
	t.Logf("first run: debit memos %+v, credit memos %+v, payments %+v, refunds %+v, disabled %v",
		first.Progress.DebitMemos, first.Progress.CreditMemos, first.Progress.Payments, first.Progress.Refunds, first.Disabled)
	if len(first.Errors) != 0 {
		t.Fatalf("first run errors: %v", first.Errors)
	}
	p := first.Progress
	if p.DebitMemos.Synced == 0 || p.CreditMemos.Synced == 0 || p.Payments.Synced != 10 || p.Refunds.Synced == 0 || p.Adjustments.Selected != 0 {
		t.Fatalf("first run on the IS tenant: %+v", p)
	}

	// A credit memo with an unapplied balance is applied in Zuora to an open
	// synced invoice of its account after its first sync.
	var target *zuora.CreditMemo
	for page, more := 1, true; more && target == nil; page++ {
		var cms []zuora.CreditMemo
		if cms, more, err = e.Zuora.ListCreditMemosPage(ctx, "", page); err != nil {
			t.Fatal(err)
		}
		for i := range cms {
			if cms[i].TransferredToAccounting == zuora.TransferYes && cms[i].Balance.GreaterThanOrEqual(decimal.NewFromInt(1)) {
				target = &cms[i]
				break
			}
		}
	}
	if target == nil {
		t.Fatal("no synced credit memo with an unapplied balance")
	}
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, e.Zuora, "select Id, Balance, IntegrationId__NS from Invoice where AccountId = "+zuora.Quote(target.AccountID))
	if err != nil {
		t.Fatal(err)
	}
	var app zuora.CreditMemoApplication
	for _, inv := range invs {
		if inv.IntegrationID != "" && inv.Balance.GreaterThanOrEqual(decimal.NewFromInt(1)) && len(app.Invoices) == 0 {
			app.Invoices = append(app.Invoices, struct {
				InvoiceID string          `json:"invoiceId"`
				Amount    decimal.Decimal `json:"amount"`
			}{inv.ID, decimal.NewFromInt(1)})
		}
	}
	if len(app.Invoices) == 0 {
		t.Fatal("no open synced invoice to apply the credit memo to")
	}
	if err := e.Zuora.ApplyCreditMemo(ctx, target.ID, app); err != nil {
		t.Fatal(err)
	}

	// A customer payment entered in NetSuite: 5.00, of which 2.00 applied to
	// an open synced invoice of a synced customer, the rest unapplied.
	var paid zuora.Invoice
	var payer zuora.Account
	for _, a := range e.zAccounts(ctx) {
		for _, inv := range e.Invoices(ctx) {
			if paid.ID == "" && a.IntegrationID != "" && inv.AccountID == a.ID && inv.IntegrationID != "" && inv.Balance.GreaterThanOrEqual(decimal.NewFromInt(3)) {
				paid, payer = inv, a
			}
		}
	}
	if paid.ID == "" {
		t.Fatal("no open synced invoice of a synced customer for the NetSuite payment")
	}
	nsCheck := ""
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		if pm["name"] == "Check" {
			nsCheck = fmt.Sprint(pm["id"])
		}
	}
	nsPay, err := e.NetSuite.Create(ctx, netsuite.TypeCustomerPayment, map[string]any{
		"customer": map[string]any{"id": payer.IntegrationID}, "payment": "5.00", "tranDate": time.Now().UTC().Format("2006-01-02"),
		"paymentMethod": map[string]any{"id": nsCheck}, "memo": "entered in NetSuite", "custbody_zuora_sync_updates": "Yes",
		"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": paid.IntegrationID}, "apply": true, "amount": "2.00"}}}})
	if err != nil {
		t.Fatalf("entering a NetSuite payment: %v", err)
	}
	s.Advanced.NetSuitePaymentSync = true
	s.Payments.NetSuiteMethods = map[string]string{nsCheck: "zpm-external-check"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}

	second := e.RunSync(ctx, "is-tenant-second", s)
	t.Logf("second run: credit memos %+v, payments %+v, refunds %+v, NetSuite payments %+v", second.Progress.CreditMemos,
		second.Progress.Payments, second.Progress.Refunds, second.Progress.NetSuitePayments)
	if len(second.Errors) != 0 || second.Progress.CreditMemos.Synced != 1 || second.Progress.Payments.Selected != 0 || second.Progress.Refunds.Selected != 0 ||
		second.Progress.NetSuitePayments.Synced != 1 {
		t.Fatalf("second run: %+v %v", second.Progress, second.Errors)
	}
	// The NetSuite payment is one Zuora payment: its amount, 2.00 on the
	// invoice, 3.00 unapplied; and it does not come back to NetSuite.
	fromNS := func() []zuora.Payment {
		t.Helper()
		ps, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment where IntegrationId__NS = "+zuora.Quote(nsPay))
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	zp := fromNS()
	if len(zp) != 1 || !zp[0].Amount.Equal(decimal.NewFromInt(5)) || !zp[0].UnappliedAmount.Equal(decimal.NewFromInt(3)) ||
		zp[0].Origin != mapping.OriginNetSuite || zp[0].AccountID != payer.ID {
		t.Fatalf("Zuora payments of NetSuite payment %s: %+v", nsPay, zp)
	}
	parts, err := e.Zuora.ListPaymentParts(ctx, zp[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if onInv, _ := mapping.PaymentPartsByDoc(parts); len(onInv) != 1 || !onInv[paid.ID].Equal(decimal.NewFromInt(2)) {
		t.Fatalf("Zuora payment %s parts %v, want 2.00 on %s", zp[0].PaymentNumber, onInv, paid.InvoiceNumber)
	}
	third := e.RunSync(ctx, "is-tenant-third", s)
	if len(third.Errors) != 0 || third.Progress.NetSuitePayments.Synced != 0 || third.Progress.Payments.Selected != 0 || len(fromNS()) != 1 {
		t.Fatalf("third run: %+v %v", third.Progress, third.Errors)
	}

	// Once each: NetSuite holds one customer payment per Zuora payment and one
	// customer refund per synced refund, whatever their external ids.
	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment")
	if err != nil {
		t.Fatal(err)
	}
	refunds, err := zuora.QueryAll[zuora.Refund](ctx, e.Zuora, "select "+mapping.RefundFields+" from Refund")
	if err != nil {
		t.Fatal(err)
	}
	synced := 0
	for _, r := range refunds {
		if r.TransferredToAccounting == zuora.TransferYes {
			synced++
		}
	}
	rows, err := e.NetSuite.QueryAll(ctx, "SELECT id, type FROM transaction WHERE type IN ('CustPymt', 'CustRfnd') ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range rows {
		count[fmt.Sprint(r["type"])]++
	}
	if count["CustPymt"] != len(pays) || count["CustRfnd"] != synced || synced != p.Refunds.Synced {
		t.Fatalf("NetSuite has %d payments and %d refunds; Zuora %d payments and %d synced refunds (run: %d)",
			count["CustPymt"], count["CustRfnd"], len(pays), synced, p.Refunds.Synced)
	}

	// The books agree: no difference, every account's open balance equal.
	rec := e.Reconcile(ctx, "is-tenant-reconcile", workflows.ReconcileInput{From: "2000-01-01", To: "2099-12-31", Settings: s, PageSize: 2})
	for _, d := range rec.Differences {
		t.Logf("  %-13s %-12s %-12s %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	t.Logf("reconciliation: %+v", rec.Counts)
	if !rec.Clean() || rec.Counts.DebitMemos == 0 || rec.Counts.CreditMemos == 0 || rec.Counts.Payments == 0 {
		t.Fatalf("reconciliation after the runs: %+v", rec.Counts)
	}
	checkBalancesAgree(t, rec)
}
