package itest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// checkBalancesAgree: every account's open balance is the same in both
// systems, to the cent, by record type too.
func checkBalancesAgree(t *testing.T, res workflows.ReconcileResult) {
	t.Helper()
	if len(res.Accounts) == 0 {
		t.Fatal("the report has no account figures")
	}
	for _, a := range res.Accounts {
		t.Logf("  account %s: Zuora %s NetSuite %s %+v", a.AccountNumber, a.Zuora.StringFixed(2), a.NetSuite.StringFixed(2), a.Types)
		if !a.Zuora.Equal(a.NetSuite) {
			t.Errorf("account %s: open balance %s in Zuora, %s in NetSuite", a.AccountNumber, a.Zuora, a.NetSuite)
		}
		for _, tf := range a.Types {
			if !tf.Zuora.Equal(tf.NetSuite) {
				t.Errorf("account %s %s: %s in Zuora, %s in NetSuite", a.AccountNumber, tf.RecordType, tf.Zuora, tf.NetSuite)
			}
		}
	}
}

// accountDiff finds the account-total difference of an account.
func accountDiff(res workflows.ReconcileResult, accountNumber string) (workflows.Difference, bool) {
	for _, d := range res.Differences {
		if d.Kind == workflows.DiffAccountTotal && d.AccountNumber == accountNumber {
			return d, true
		}
	}
	return workflows.Difference{}, false
}

// Issue 16 on an Invoice Settlement tenant: after syncing invoices, debit and
// credit memos, the reconciliation reports no difference and each account's
// open balance agrees; a debit memo's NetSuite invoice deleted is reported
// with its account, the memo and both amounts, and a credit memo applying a
// cent less in NetSuite with both applied amounts.
func TestReconcile_ISTenantMemosAgreeAndADeletedDebitMemoIsReported(t *testing.T) {
	f, err := fixture.Generate("seed=61,accounts=3,invoices=6,items=1-2,tax=0,is=true,debitmemos=5,creditmemos=6")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	if run := e.RunSync(ctx, "recon-is-run", s, workflows.PhaseCustomers, workflows.PhaseCatalog, workflows.PhaseInvoices); run.Progress.Invoices.Synced != 6 {
		t.Fatalf("run: %+v", run.Progress)
	}
	e.syncDebitMemos(ctx, s)
	e.syncCreditMemos(ctx, s)

	in := workflows.ReconcileInput{From: "2000-01-01", To: "2099-12-31", Settings: s, PageSize: 2}
	clean := e.Reconcile(ctx, "recon-is-clean", in)
	for _, d := range clean.Differences {
		t.Logf("  %-13s %-10s %-12s %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	t.Logf("clean: %+v", clean.Counts)
	if !clean.Clean() || clean.Counts.DebitMemos == 0 || clean.Counts.CreditMemos == 0 || clean.Counts.Invoices != 6 || clean.Counts.Adjustments != 0 {
		t.Fatalf("after a full sync: %+v", clean.Counts)
	}
	checkBalancesAgree(t, clean)

	// Delete one synced debit memo's NetSuite invoice.
	var dm *zuora.DebitMemo
	for page := 1; dm == nil; page++ {
		memos, more, err := e.Zuora.ListDebitMemosPage(ctx, "", page)
		if err != nil {
			t.Fatal(err)
		}
		for i := range memos {
			if memos[i].TransferredToAccounting == zuora.TransferYes && memos[i].Amount.IsPositive() {
				dm = &memos[i]
				break
			}
		}
		if !more && dm == nil {
			t.Fatal("no synced debit memo")
		}
	}
	if err := e.NetSuite.Delete(ctx, netsuite.TypeInvoice, dm.IntegrationID); err != nil {
		t.Fatalf("deleting debit memo %s's NetSuite invoice: %v", dm.Number, err)
	}
	// And apply a cent less of a synced credit memo in NetSuite.
	var cm *zuora.CreditMemo
	var cmTx *netsuite.Transaction
	cms, _, err := e.Zuora.ListCreditMemosPage(ctx, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cms {
		if cms[i].TransferredToAccounting != zuora.TransferYes || !cms[i].AppliedAmount.IsPositive() {
			continue
		}
		if cmTx, err = e.NetSuite.GetTransaction(ctx, netsuite.TypeCreditMemo, cms[i].IntegrationID); err != nil {
			t.Fatal(err)
		}
		cm = &cms[i]
		break
	}
	if cm == nil || cmTx.Apply == nil || len(cmTx.Apply.Items) == 0 {
		t.Fatal("no synced credit memo with an application")
	}
	cent := decimal.RequireFromString("0.01")
	row := cmTx.Apply.Items[0]
	row.Amount = row.Amount.Sub(cent)
	if err := e.NetSuite.Patch(ctx, netsuite.TypeCreditMemo, cm.IntegrationID, map[string]any{"apply": netsuite.Sublist[netsuite.Apply]{Items: []netsuite.Apply{row}}}); err != nil {
		t.Fatalf("applying a cent less of credit memo %s: %v", cm.Number, err)
	}

	res := e.Reconcile(ctx, "recon-is-deleted", in)
	for _, d := range res.Differences {
		t.Logf("  %-13s %-10s %-12s %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	k := diffsOf(res, dm.ID)
	d, ok := k[workflows.DiffMissing]
	if !ok || len(k) != 1 || d.RecordType != workflows.RecordDebitMemo || d.Number != dm.Number || d.Zuora != dm.Amount.StringFixed(2) || d.AccountNumber == "" {
		t.Fatalf("deleted debit memo %s: %+v", dm.Number, k)
	}
	ad, ok := accountDiff(res, d.AccountNumber)
	if !ok || !strings.Contains(ad.Detail, "off by "+dm.Amount.Neg().StringFixed(2)) ||
		!decimal.RequireFromString(ad.Zuora).Sub(decimal.RequireFromString(ad.NetSuite)).Equal(dm.Amount) {
		t.Errorf("account %s: %+v, want off by %s", d.AccountNumber, ad, dm.Amount.Neg().StringFixed(2))
	}
	// The credit memo applying a cent less: its applied amounts, both named; its total and balance unchanged.
	k = diffsOf(res, cm.ID)
	if d, ok := k[workflows.DiffApplied]; !ok || len(k) != 1 || d.Zuora != cm.AppliedAmount.StringFixed(2) ||
		d.NetSuite != cm.AppliedAmount.Sub(cent).StringFixed(2) || d.AccountNumber == "" || !strings.Contains(d.Detail, "off by -0.01") {
		t.Errorf("credit memo %s applying a cent less: %+v", cm.Number, k)
	}
	if res.Counts.Differences != 3 || len(res.DifferencesByType) != 3 {
		t.Errorf("%d differences (%+v), want the debit memo's, its account's and the credit memo's", res.Counts.Differences, res.DifferencesByType)
	}
}

// Issue 16 without Invoice Settlement: after a full sync with payments the
// reconciliation reports no difference, each payment's applications agree,
// and each account's open balance agrees; a NetSuite payment deleted is
// reported with its account, the payment and both amounts.
func TestReconcile_PaymentsAgreeAndADeletedNetSuitePaymentIsReported(t *testing.T) {
	f, err := fixture.Generate("seed=62,accounts=4,invoices=20,items=1-3,negative=0,tax=0.3,payments=10")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Payments.Methods = map[string]string{}
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		s.Payments.Methods[fmt.Sprint(pm["name"])] = fmt.Sprint(pm["id"])
	}
	run := e.RunSync(ctx, "recon-pay-run", s)
	if run.Progress.Payments.Synced != 10 {
		t.Fatalf("full run: payments %+v, errors %v", run.Progress.Payments, run.Errors)
	}
	in := workflows.ReconcileInput{From: "2000-01-01", To: "2099-12-31", Settings: s, PageSize: 3}
	clean := e.Reconcile(ctx, "recon-pay-clean", in)
	for _, d := range clean.Differences {
		t.Logf("  %-13s %-10s %-12s %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	t.Logf("clean: %+v", clean.Counts)
	if !clean.Clean() || clean.Counts.Payments != 10 || clean.Counts.Invoices == 0 || clean.Counts.Refunds != 0 {
		t.Fatalf("after a full sync: %+v", clean.Counts)
	}
	checkBalancesAgree(t, clean)

	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select Id, PaymentNumber, AccountId, Amount, IntegrationId__NS from Payment where TransferredToAccounting = 'Yes'")
	if err != nil || len(pays) == 0 {
		t.Fatalf("synced payments: %d, %v", len(pays), err)
	}
	p := pays[0]
	if err := e.NetSuite.Delete(ctx, netsuite.TypeCustomerPayment, p.IntegrationID); err != nil {
		t.Fatalf("deleting payment %s's NetSuite payment: %v", p.PaymentNumber, err)
	}
	res := e.Reconcile(ctx, "recon-pay-deleted", in)
	for _, d := range res.Differences {
		t.Logf("  %-13s %-10s %-12s %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	k := diffsOf(res, p.ID)
	d, ok := k[workflows.DiffMissing]
	if !ok || len(k) != 1 || d.RecordType != workflows.RecordPayment || d.Number != p.PaymentNumber || d.Zuora != p.Amount.StringFixed(2) || d.AccountNumber == "" {
		t.Fatalf("deleted payment %s: %+v", p.PaymentNumber, k)
	}
	// A payment lowers the balance: without it NetSuite's is higher by its amount.
	ad, ok := accountDiff(res, d.AccountNumber)
	if !ok || !strings.Contains(ad.Detail, "off by "+p.Amount.StringFixed(2)) ||
		!decimal.RequireFromString(ad.NetSuite).Sub(decimal.RequireFromString(ad.Zuora)).Equal(p.Amount) {
		t.Errorf("account %s: %+v, want off by %s", d.AccountNumber, ad, p.Amount.StringFixed(2))
	}
	if res.Counts.Differences != 2 {
		t.Errorf("%d differences, want the payment's and its account's", res.Counts.Differences)
	}
	// The operator's view names the payment, the account figures and the types.
	cli := newStarterCLI(t, e)
	out := cli.ok("reconcile", "--from", "2000-01-01", "--to", "2099-12-31", "--wait")
	mustContain(t, "starter reconcile", out, "2 differences", p.PaymentNumber, "missing", "account-total",
		"differences by record type: account 1, payment 1", "ACCOUNT", "payment ")
}
