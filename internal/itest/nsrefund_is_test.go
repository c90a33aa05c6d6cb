package itest

import (
	"context"
	"fmt"
	"strings"
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

// Issue 16, NetSuite → Zuora refunds on a generated Invoice Settlement
// tenant (reference money-sync §5 with POST /v1/payments/{id}/refunds): a
// standalone NetSuite credit memo naming a Zuora payment with an unapplied
// amount, refunded by a NetSuite customer refund of that amount, becomes one
// Zuora refund of the payment (External, TTA Yes, Origin NETSUITE,
// IntegrationId__NS), the payment's unapplied amount going to zero; a
// second run makes nothing and the money reconciliation matches the refund
// to its NetSuite refund; a refund of more than what is left unapplied
// ends Error telling what to unapply, and makes no refund.
func TestNetSuiteRefundsIS_FromTheUnappliedAmountOnce(t *testing.T) {
	f, err := fixture.Generate("seed=31,accounts=3,invoices=9,items=1-2,tax=0,is=true,debitmemos=3,payments=5")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	nsCheck := ""
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		if pm["name"] == "Check" {
			nsCheck = fmt.Sprint(pm["id"])
		}
	}
	if run := e.RunSync(ctx, "nsref-is-docs", s, workflows.PhaseCustomers, workflows.PhaseCatalog, workflows.PhaseInvoices); run.Progress.Invoices.Errored != 0 {
		t.Fatalf("documents: %+v %v", run.Progress, run.Errors)
	}
	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment where Status = 'Processed'")
	if err != nil {
		t.Fatal(err)
	}
	accts := map[string]zuora.Account{}
	for _, a := range e.zAccounts(ctx) {
		accts[a.ID] = a
	}
	var pay zuora.Payment
	for _, p := range pays {
		if p.AccountID != "" && accts[p.AccountID].IntegrationID != "" && p.UnappliedAmount.IsPositive() && (pay.ID == "" || p.ID < pay.ID) {
			pay = p
		}
	}
	items := e.nsItems(ctx)
	if pay.ID == "" || nsCheck == "" || len(items) == 0 {
		t.Fatalf("payment with an unapplied amount %q, NetSuite Check %q, %d items", pay.ID, nsCheck, len(items))
	}
	cust := accts[pay.AccountID].IntegrationID
	today := time.Now().UTC().Format("2006-01-02")
	newRefund := func(amount string) (string, string) {
		t.Helper()
		cm, err := e.NetSuite.Create(ctx, netsuite.TypeCreditMemo, map[string]any{"entity": map[string]any{"id": cust}, "tranDate": today,
			"item":                         map[string]any{"items": []any{map[string]any{"item": map[string]any{"id": items[0].ID}, "quantity": 1, "amount": amount}}},
			"custbody_zuora_create_refund": true, "custbody_zuora_refund_payment_ref": pay.ID})
		if err != nil {
			t.Fatalf("entering a NetSuite credit memo: %v", err)
		}
		id, err := e.NetSuite.Create(ctx, netsuite.TypeCustomerRefund, map[string]any{"customer": map[string]any{"id": cust}, "tranDate": today,
			"paymentMethod": map[string]any{"id": nsCheck}, "memo": "refund entered in NetSuite",
			"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": cm}, "apply": true, "amount": amount}}}})
		if err != nil {
			t.Fatalf("entering a NetSuite refund: %v", err)
		}
		return cm, id
	}
	_, ref := newRefund(pay.UnappliedAmount.StringFixed(2))
	s.Advanced.NetSuiteRefundSync = true
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	zrefunds := func() map[string][]zuora.Refund {
		t.Helper()
		rs, err := zuora.QueryAll[zuora.Refund](ctx, e.Zuora, "select "+mapping.RefundFields+" from Refund")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]zuora.Refund{}
		for _, r := range rs {
			out[r.IntegrationID] = append(out[r.IntegrationID], r)
		}
		return out
	}
	on := e.RunSync(ctx, "nsref-is-on", s, workflows.PhaseNetSuiteRefunds)
	if on.Progress.NetSuiteRefunds.Synced != 1 || on.Progress.NetSuiteRefunds.Errored != 0 {
		t.Fatalf("NetSuite refunds %+v, errors %v, disabled %v", on.Progress.NetSuiteRefunds, on.Errors, on.DisabledReasons)
	}
	got := zrefunds()[ref]
	if len(got) != 1 || got[0].PaymentID != pay.ID || !got[0].Amount.Equal(pay.UnappliedAmount) || got[0].Type != "External" ||
		got[0].TransferredToAccounting != zuora.TransferYes || got[0].Origin != mapping.OriginNetSuite || got[0].AccountID != pay.AccountID {
		t.Fatalf("Zuora refunds of NetSuite refund %s: %+v (payment %s, unapplied %s)", ref, got, pay.ID, pay.UnappliedAmount)
	}
	var after zuora.Payment
	if err := e.Zuora.GetObject(ctx, zuora.ObjPayment, pay.ID, &after); err != nil || !after.UnappliedAmount.IsZero() {
		t.Fatalf("payment after the refund %+v (%v)", after, err)
	}
	var row nsRefundRow
	if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerRefund, ref, false, &row); err != nil || row.ZuoraID != got[0].ID || row.Status != zuora.StatusSyncComplete {
		t.Fatalf("NetSuite refund %s written back %+v (%v)", ref, row, err)
	}
	again := e.RunSync(ctx, "nsref-is-again", s, workflows.PhaseNetSuiteRefunds)
	if again.Progress.NetSuiteRefunds.Selected != 0 || len(zrefunds()[ref]) != 1 {
		t.Fatalf("second run: %+v", again.Progress.NetSuiteRefunds)
	}
	recon := e.Reconcile(ctx, "nsref-is-recon", workflows.ReconcileInput{From: "2000-01-01", To: "2099-12-31", Settings: s})
	for _, d := range recon.Differences {
		t.Logf("  %-13s %-10s %-12s %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	if !recon.Clean() || recon.Counts.Refunds != 1 {
		t.Fatalf("money reconciliation with the refund made from NetSuite: %+v", recon.Counts)
	}

	if RecordingHistories() {
		SaveHistories(ctx, t, e.Temporal, workflows.NetSuiteRefundWorkflowID(ref), "one-record-is")
		SaveHistories(ctx, t, e.Temporal, "nsref-is-on", "netsuiterefunds-is-phase")
	}

	// Nothing is left unapplied: a refund of 1.00 more is an Error naming what to unapply.
	_, over := newRefund(decimal.NewFromInt(1).StringFixed(2))
	bad := e.RunSync(ctx, "nsref-is-over", s, workflows.PhaseNetSuiteRefunds)
	if bad.Progress.NetSuiteRefunds.Errored != 1 || len(bad.Errors) != 1 || !strings.Contains(bad.Errors[0].Reason, "unapply 1.00") {
		t.Fatalf("refund beyond the unapplied amount: %+v %v", bad.Progress.NetSuiteRefunds, bad.Errors)
	}
	if len(zrefunds()[over]) != 0 {
		t.Fatalf("a Zuora refund was made beyond the unapplied amount: %+v", zrefunds()[over])
	}
}
