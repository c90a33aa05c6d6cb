package itest

import (
	"context"
	"encoding/json"
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

// nsPayment is a NetSuite customer payment as the refund checks read it.
type nsPayment struct {
	ID        string      `json:"id"`
	Unapplied json.Number `json:"unapplied"`
	Apply     struct {
		Items []struct {
			Doc    struct{ ID string } `json:"doc"`
			Apply  bool                `json:"apply"`
			Amount json.Number         `json:"amount"`
		} `json:"items"`
	} `json:"apply"`
}

// applied is what the NetSuite payment applies to each invoice (unapplied rows count 0).
func (p nsPayment) applied() map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for _, r := range p.Apply.Items {
		if r.Apply {
			out[r.Doc.ID] = out[r.Doc.ID].Add(decimal.RequireFromString(r.Amount.String()))
		} else if _, ok := out[r.Doc.ID]; !ok {
			out[r.Doc.ID] = decimal.Zero
		}
	}
	return out
}

// Issue 16 on a generated tenant without Invoice Settlement (payments and
// refunds: full, partial, partial of a two-invoice payment, Canceled,
// credit-balance): after a full run each Processed payment refund is one
// NetSuite customer refund with its amount, applied to its payment; each
// NetSuite payment applies InvoicePayment.Amount − RefundAmount to each
// invoice and keeps nothing unapplied; each invoice's NetSuite amount
// remaining equals its Zuora balance; Canceled and credit-balance refunds are
// untouched; a second run syncs nothing. Then the crash between the two
// steps (payment unapplied, no refund yet) and the crash after the create:
// each re-run makes exactly one refund and unapplies nothing twice.
func TestRefunds_EveryRefundInNetSuiteOnceWithThePaymentUnapplied(t *testing.T) {
	f, err := fixture.Generate("seed=16,accounts=4,invoices=24,items=1-3,negative=0,tax=0.3,payments=12,refunds=10")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Payments.Methods = map[string]string{}
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		s.Payments.Methods[fmt.Sprint(pm["name"])] = fmt.Sprint(pm["id"])
	}

	first := e.RunSync(ctx, "refunds-full", s)
	if first.Progress.Payments.Synced != 12 || first.Progress.Refunds.Synced != 6 || first.Progress.Refunds.Errored != 0 {
		t.Fatalf("full run: payments %+v, refunds %+v, errors %v", first.Progress.Payments, first.Progress.Refunds, first.Errors)
	}
	refunds, err := zuora.QueryAll[zuora.Refund](ctx, e.Zuora, "select "+mapping.RefundFields+" from Refund")
	if err != nil {
		t.Fatal(err)
	}
	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment")
	if err != nil {
		t.Fatal(err)
	}
	paysByID := map[string]zuora.Payment{}
	for _, p := range pays {
		paysByID[p.ID] = p
	}
	synced := 0
	var multiPartial zuora.Refund
	for _, r := range refunds {
		if r.Status != "Processed" || r.SourceType != zuora.RefundSourcePayment {
			if r.TransferredToAccounting != "" || r.IntegrationStatus != "" || r.IntegrationID != "" {
				t.Fatalf("refund %s (%s %s) was touched: %+v", r.RefundNumber, r.Status, r.SourceType, r)
			}
			continue
		}
		synced++
		if r.TransferredToAccounting != zuora.TransferYes || r.IntegrationStatus != zuora.StatusSyncComplete || r.IntegrationID == "" || r.Origin != "ZUORA" || r.SyncDate == "" {
			t.Fatalf("refund %s in Zuora: %+v", r.RefundNumber, r)
		}
		got := e.customerRefund(ctx, r.ID)
		if got.ID != r.IntegrationID || !decimal.RequireFromString(got.Total.String()).Equal(r.Amount) || len(got.Apply.Items) != 1 ||
			got.Apply.Items[0].Doc.ID != paysByID[r.PaymentID].IntegrationID || got.TranDate != r.RefundDate {
			t.Fatalf("refund %s: NetSuite %+v; Zuora %s amount %s payment %s", r.RefundNumber, got, r.IntegrationID, r.Amount, paysByID[r.PaymentID].IntegrationID)
		}
		if n := len(e.refundParts(ctx, r.ID)); n >= 2 && multiPartial.ID == "" {
			multiPartial = r
		}
	}
	if synced != 6 || multiPartial.ID == "" {
		t.Fatalf("%d payment refunds synced (want 6), a two-invoice partial refund: %q", synced, multiPartial.RefundNumber)
	}
	e.checkRefundBooks(ctx, pays)

	second := e.RunSync(ctx, "refunds-again", s)
	if second.Progress.Refunds.Selected != 0 {
		t.Fatalf("a synced refund was selected again: %+v", second.Progress.Refunds)
	}

	// Crash between the two steps: the payment is unapplied in NetSuite, the
	// refund is not there yet, the Zuora refund says Creating Refund /
	// Processing. (Deleting the NetSuite refund leaves exactly that.)
	r := multiPartial
	if err := e.NetSuite.Delete(ctx, netsuite.TypeCustomerRefund, r.IntegrationID); err != nil {
		t.Fatal(err)
	}
	crashAt := func(status string) {
		if err := e.Zuora.UpdateObject(ctx, zuora.ObjRefund, r.ID, map[string]any{
			"IntegrationId__NS": "", "IntegrationStatus__NS": status, "TransferredToAccounting": zuora.TransferProcessing,
		}); err != nil {
			t.Fatal(err)
		}
	}
	crashAt(zuora.StatusCreatingRefund)
	before := e.nsPayment(ctx, paysByID[r.PaymentID].IntegrationID).applied()
	third := e.RunSync(ctx, "refunds-after-crash-between-steps", s)
	if third.Progress.Refunds.Synced != 1 || third.Progress.Refunds.Errored != 0 {
		t.Fatalf("after the crash between the steps: %+v %v", third.Progress.Refunds, third.Errors)
	}
	after := e.nsPayment(ctx, paysByID[r.PaymentID].IntegrationID).applied()
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("step 1 again changed the payment's applications: %v -> %v", before, after)
	}
	again := e.zRefund(ctx, r.ID)
	if again.IntegrationID == "" || again.IntegrationID == r.IntegrationID || e.customerRefund(ctx, r.ID).ID != again.IntegrationID {
		t.Fatalf("after the crash between the steps the refund points at %q (old %q)", again.IntegrationID, r.IntegrationID)
	}
	e.checkRefundBooks(ctx, pays)

	// Crash after the create, before the write-back: the next run adopts the
	// NetSuite refund by its external id and creates none.
	r = again
	crashAt(zuora.StatusCreatingRefund)
	fourth := e.RunSync(ctx, "refunds-after-crash-after-create", s)
	if fourth.Progress.Refunds.Synced != 1 {
		t.Fatalf("after the crash after the create: %+v %v", fourth.Progress.Refunds, fourth.Errors)
	}
	if got := e.zRefund(ctx, r.ID).IntegrationID; got != r.IntegrationID {
		t.Fatalf("after the crash after the create the refund points at %q, want the NetSuite refund made before it, %q", got, r.IntegrationID)
	}
	e.checkRefundBooks(ctx, pays)
	if RecordingHistories() {
		SaveHistories(ctx, t, e.Temporal, workflows.RefundWorkflowID(r.ID), "one-record")
		// A run through the refunds phase (its refund-sync version marker).
		SaveHistories(ctx, t, e.Temporal, "refunds-full", "refunds-phase")
	}
}

// checkRefundBooks: every synced NetSuite payment applies
// InvoicePayment.Amount − RefundAmount to each invoice and keeps nothing
// unapplied (what was unapplied is refunded), and each synced invoice's
// NetSuite amount remaining equals its Zuora balance.
func (e *Env) checkRefundBooks(ctx context.Context, pays []zuora.Payment) {
	e.T.Helper()
	type ip struct {
		InvoiceID    string          `json:"InvoiceId"`
		PaymentID    string          `json:"PaymentId"`
		Amount       decimal.Decimal `json:"Amount"`
		RefundAmount decimal.Decimal `json:"RefundAmount"`
	}
	ips, err := zuora.QueryAll[ip](ctx, e.Zuora, "select InvoiceId, PaymentId, Amount, RefundAmount from InvoicePayment")
	if err != nil {
		e.T.Fatal(err)
	}
	invs := e.Invoices(ctx)
	want := map[string]map[string]decimal.Decimal{}
	for _, x := range ips {
		if want[x.PaymentID] == nil {
			want[x.PaymentID] = map[string]decimal.Decimal{}
		}
		doc := invs[x.InvoiceID].IntegrationID
		want[x.PaymentID][doc] = want[x.PaymentID][doc].Add(x.Amount.Sub(x.RefundAmount))
	}
	for _, p := range pays {
		got := e.nsPayment(ctx, p.IntegrationID)
		if fmt.Sprint(got.applied()) != fmt.Sprint(want[p.ID]) {
			e.T.Fatalf("payment %s applies %v in NetSuite; Zuora Amount − RefundAmount: %v", p.PaymentNumber, got.applied(), want[p.ID])
		}
		if !decimal.RequireFromString(got.Unapplied.String()).IsZero() {
			e.T.Fatalf("payment %s keeps %s unapplied in NetSuite: a refund is missing or unapplied twice", p.PaymentNumber, got.Unapplied)
		}
	}
	for _, inv := range invs {
		if inv.IntegrationID == "" {
			continue
		}
		if got := e.amountRemaining(ctx, netsuite.TypeInvoice, inv.IntegrationID); !got.Equal(inv.Balance) {
			e.T.Fatalf("invoice %s: NetSuite amount remaining %s, Zuora balance %s", inv.InvoiceNumber, got, inv.Balance)
		}
	}
}

type nsRefund struct {
	ID       string      `json:"id"`
	Total    json.Number `json:"total"`
	TranDate string      `json:"tranDate"`
	Apply    struct {
		Items []struct {
			Doc    struct{ ID string } `json:"doc"`
			Amount json.Number         `json:"amount"`
		} `json:"items"`
	} `json:"apply"`
}

func (e *Env) customerRefund(ctx context.Context, zuoraRefundID string) nsRefund {
	e.T.Helper()
	var got nsRefund
	if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerRefund, "eid:"+netsuite.RefundExternalID(zuoraRefundID), true, &got); err != nil {
		e.T.Fatalf("refund %s not in NetSuite by external id: %v", zuoraRefundID, err)
	}
	return got
}

func (e *Env) nsPayment(ctx context.Context, id string) nsPayment {
	e.T.Helper()
	var got nsPayment
	if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, id, true, &got); err != nil {
		e.T.Fatalf("NetSuite payment %s: %v", id, err)
	}
	return got
}

func (e *Env) zRefund(ctx context.Context, id string) zuora.Refund {
	e.T.Helper()
	rs, err := zuora.QueryAll[zuora.Refund](ctx, e.Zuora, "select "+mapping.RefundFields+" from Refund where Id = "+zuora.Quote(id))
	if err != nil || len(rs) != 1 {
		e.T.Fatalf("refund %s: %v %v", id, rs, err)
	}
	return rs[0]
}

func (e *Env) refundParts(ctx context.Context, refundID string) []zuora.RefundInvoicePayment {
	e.T.Helper()
	parts, err := zuora.QueryAll[zuora.RefundInvoicePayment](ctx, e.Zuora, "select Id, RefundId, InvoicePaymentId, RefundAmount from RefundInvoicePayment where RefundId = "+zuora.Quote(refundID))
	if err != nil {
		e.T.Fatal(err)
	}
	return parts
}
