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

// Issue 16, §4.7 on a generated Invoice Settlement tenant (refunds of
// payments unapplied first, of unapplied amounts, half refunds, Canceled):
// after a run each Processed payment refund is one NetSuite customer refund
// with its amount, applied to its payment; each NetSuite payment's apply
// rows equal Zuora's current payment parts and its unapplied amount Zuora's
// UnappliedAmount; the Canceled refund is untouched; a second run syncs
// nothing. Then a crash between the two steps makes one refund, and a crash
// before step 1 with the NetSuite payment still applied as before Zuora's
// unapply: step 1 sets it back to Zuora's parts and one refund is made.
func TestRefundsIS_EveryRefundOnceThePaymentAppliedAsZuorasParts(t *testing.T) {
	f, err := fixture.Generate("seed=5,accounts=4,invoices=20,items=1-2,tax=0,is=true,debitmemos=4,creditmemos=4,payments=10,refunds=5")
	if err != nil {
		t.Fatal(err)
	}
	placeholder := fixture.Record{}
	for k, v := range f.NetSuite.Records[netsuite.TypeCustomer][0] {
		placeholder[k] = v
	}
	placeholder["id"], placeholder["externalId"], placeholder["entityId"], placeholder["companyName"] = "99001", "unassigned-payments", "UNASSIGNED", "Unassigned Payments"
	f.NetSuite.Records[netsuite.TypeCustomer] = append(f.NetSuite.Records[netsuite.TypeCustomer], placeholder)
	processed := 0
	for _, r := range f.Zuora.Objects["Refund"] {
		if r["Status"] == "Processed" {
			processed++
		}
	}
	if processed < 3 {
		t.Fatalf("%d Processed refunds generated", processed)
	}

	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	s.Customer.UnassignedPaymentsCustomer = "99001"
	s.Payments.Methods = map[string]string{}
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		s.Payments.Methods[fmt.Sprint(pm["name"])] = fmt.Sprint(pm["id"])
	}
	if run := e.RunSync(ctx, "is-ref-docs", s, workflows.PhaseCustomers, workflows.PhaseCatalog, workflows.PhaseInvoices); run.Progress.Invoices.Errored != 0 {
		t.Fatalf("documents: %+v %v", run.Progress, run.Errors)
	}
	e.syncDebitMemos(ctx, s)
	e.syncCreditMemos(ctx, s)

	first := e.RunSync(ctx, "is-ref-full", s, workflows.PhasePayments, workflows.PhaseRefunds)
	if first.Progress.Payments.Errored != 0 || first.Progress.Refunds.Synced != processed || first.Progress.Refunds.Errored != 0 {
		t.Fatalf("full run: payments %+v, refunds %+v (want %d synced), errors %v", first.Progress.Payments, first.Progress.Refunds, processed, first.Errors)
	}
	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment")
	if err != nil {
		t.Fatal(err)
	}
	paysByID := map[string]zuora.Payment{}
	for _, p := range pays {
		paysByID[p.ID] = p
	}
	refunds, err := zuora.QueryAll[zuora.Refund](ctx, e.Zuora, "select "+mapping.RefundFields+" from Refund")
	if err != nil {
		t.Fatal(err)
	}
	var fullUnapply zuora.Refund // a refund of a payment with no part left
	for _, r := range refunds {
		if r.Status != "Processed" {
			if r.TransferredToAccounting != "" || r.IntegrationStatus != "" || r.IntegrationID != "" {
				t.Fatalf("refund %s (%s) was touched: %+v", r.RefundNumber, r.Status, r)
			}
			continue
		}
		e.checkISRefund(ctx, r, paysByID[r.PaymentID])
		if p := paysByID[r.PaymentID]; p.AppliedAmount.IsZero() && p.UnappliedAmount.IsZero() && fullUnapply.ID == "" {
			fullUnapply = r
		}
	}
	if fullUnapply.ID == "" {
		t.Fatal("no refund of a payment unapplied in full")
	}
	e.checkISPaymentsAsParts(ctx, pays)

	second := e.RunSync(ctx, "is-ref-again", s, workflows.PhasePayments, workflows.PhaseRefunds)
	if second.Progress.Refunds.Selected != 0 || second.Progress.Payments.Selected != 0 {
		t.Fatalf("second run selected again: payments %+v refunds %+v", second.Progress.Payments, second.Progress.Refunds)
	}

	// Crash between the two steps: the payment is set, the refund is not in
	// NetSuite, the Zuora refund says Creating Refund / Processing.
	r := fullUnapply
	pay := paysByID[r.PaymentID]
	reset := func(status string) {
		t.Helper()
		if err := e.NetSuite.Delete(ctx, netsuite.TypeCustomerRefund, e.customerRefund(ctx, r.ID).ID); err != nil {
			t.Fatal(err)
		}
		if err := e.Zuora.UpdateObject(ctx, zuora.ObjRefund, r.ID, map[string]any{
			"IntegrationId__NS": "", "IntegrationStatus__NS": status, "TransferredToAccounting": zuora.TransferProcessing,
		}); err != nil {
			t.Fatal(err)
		}
	}
	reset(zuora.StatusCreatingRefund)
	third := e.RunSync(ctx, "is-ref-crash-between-steps", s, workflows.PhaseRefunds)
	if third.Progress.Refunds.Synced != 1 || third.Progress.Refunds.Errored != 0 {
		t.Fatalf("after the crash between the steps: %+v %v", third.Progress.Refunds, third.Errors)
	}
	r = e.zRefund(ctx, r.ID)
	e.checkISRefund(ctx, r, pay)
	e.checkISPaymentsAsParts(ctx, pays)

	// Crash before step 1, the NetSuite payment still applied as it was
	// synced before Zuora unapplied it: step 1 sets it to Zuora's parts (none
	// left), then one refund is made.
	reset(zuora.StatusUpdatingPayment)
	var doc string
	for _, inv := range e.Invoices(ctx) {
		if inv.AccountID == pay.AccountID && inv.IntegrationID != "" && inv.Balance.GreaterThanOrEqual(pay.Amount) {
			doc = inv.IntegrationID
			break
		}
	}
	if doc == "" {
		t.Fatal("no open NetSuite invoice of the payment's account to apply it to")
	}
	if err := e.NetSuite.Patch(ctx, netsuite.TypeCustomerPayment, pay.IntegrationID, map[string]any{"apply": map[string]any{"items": []any{
		map[string]any{"doc": map[string]any{"id": doc}, "apply": true, "amount": pay.Amount.StringFixed(2)}}}}, "apply"); err != nil {
		t.Fatal(err)
	}
	if got := e.nsPayment(ctx, pay.IntegrationID).applied(); !got[doc].Equal(pay.Amount) {
		t.Fatalf("the NetSuite payment was not applied again: %v", got)
	}
	fourth := e.RunSync(ctx, "is-ref-crash-before-step-one", s, workflows.PhaseRefunds)
	if fourth.Progress.Refunds.Synced != 1 || fourth.Progress.Refunds.Errored != 0 {
		t.Fatalf("after the crash before step 1: %+v %v", fourth.Progress.Refunds, fourth.Errors)
	}
	e.checkISRefund(ctx, e.zRefund(ctx, r.ID), pay)
	e.checkISPaymentsAsParts(ctx, pays)
	if RecordingHistories() {
		SaveHistories(ctx, t, e.Temporal, workflows.RefundWorkflowID(r.ID), "one-record-is")
		// A run through the refunds phase of an IS tenant (its refunds-on-IS marker).
		SaveHistories(ctx, t, e.Temporal, "is-ref-full", "refunds-phase-is")
	}
}

// checkISRefund: the Zuora refund is Sync Complete / Yes and points at the
// one NetSuite customer refund of its external id, of its amount, applied to
// its payment's NetSuite payment.
func (e *Env) checkISRefund(ctx context.Context, r zuora.Refund, pay zuora.Payment) {
	e.T.Helper()
	if r.TransferredToAccounting != zuora.TransferYes || r.IntegrationStatus != zuora.StatusSyncComplete || r.IntegrationID == "" || r.Origin != "ZUORA" {
		e.T.Fatalf("refund %s in Zuora: %+v", r.RefundNumber, r)
	}
	got := e.customerRefund(ctx, r.ID)
	if got.ID != r.IntegrationID || !decimal.RequireFromString(got.Total.String()).Equal(r.Amount) || len(got.Apply.Items) != 1 ||
		got.Apply.Items[0].Doc.ID != pay.IntegrationID || pay.IntegrationID == "" {
		e.T.Fatalf("refund %s: NetSuite %+v; Zuora %s amount %s payment %s", r.RefundNumber, got, r.IntegrationID, r.Amount, pay.IntegrationID)
	}
}

// checkISPaymentsAsParts: every NetSuite payment applies exactly Zuora's
// current parts and keeps unapplied exactly Zuora's UnappliedAmount (what
// was refunded is gone with the refunds, nothing twice).
func (e *Env) checkISPaymentsAsParts(ctx context.Context, pays []zuora.Payment) {
	e.T.Helper()
	invs := e.Invoices(ctx)
	for _, p := range pays {
		parts, err := e.Zuora.ListPaymentParts(ctx, p.ID)
		if err != nil {
			e.T.Fatal(err)
		}
		want := map[string]decimal.Decimal{}
		for _, pt := range mapping.PaymentPartApplications(parts) {
			doc := invs[pt.DocID].IntegrationID
			if pt.DocType == zuora.DocDebitMemo {
				dm, err := e.Zuora.GetDebitMemo(ctx, pt.DocID)
				if err != nil {
					e.T.Fatal(err)
				}
				doc = dm.IntegrationID
			}
			want[doc] = want[doc].Add(pt.Amount)
		}
		got := e.nsPayment(ctx, p.IntegrationID)
		if fmt.Sprint(got.applied()) != fmt.Sprint(want) {
			e.T.Fatalf("payment %s applies %v in NetSuite; Zuora's parts: %v", p.PaymentNumber, got.applied(), want)
		}
		if un := e.amountRemaining(ctx, netsuite.TypeCustomerPayment, p.IntegrationID); !un.Equal(p.UnappliedAmount) {
			e.T.Fatalf("payment %s: NetSuite unapplied %s, Zuora unapplied %s", p.PaymentNumber, un, p.UnappliedAmount)
		}
	}
}
