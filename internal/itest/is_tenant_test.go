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
// unapplied and unassigned, and refunds of payments. Scheduled-style runs
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

	second := e.RunSync(ctx, "is-tenant-second", s)
	t.Logf("second run: credit memos %+v, payments %+v, refunds %+v", second.Progress.CreditMemos, second.Progress.Payments, second.Progress.Refunds)
	if len(second.Errors) != 0 || second.Progress.CreditMemos.Synced != 1 || second.Progress.Payments.Selected != 0 || second.Progress.Refunds.Selected != 0 {
		t.Fatalf("second run: %+v %v", second.Progress, second.Errors)
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
