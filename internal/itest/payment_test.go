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

// Issue 16 on a generated tenant without Invoice Settlement: a run whose
// invoices are not in NetSuite yet ends every payment in Error naming the
// invoice; the next full run syncs the invoices, then each payment once,
// applied to the invoices' NetSuite ids with Zuora's amounts; the invoices'
// amount remaining in NetSuite equals their Zuora balance; a third run finds
// nothing left to sync.
func TestPayments_EveryPaymentInNetSuiteOnceWithItsApplications(t *testing.T) {
	f, err := fixture.Generate("seed=16,accounts=4,invoices=24,items=1-3,negative=0,tax=0.3,payments=12")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Payments.Methods = map[string]string{}
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		s.Payments.Methods[fmt.Sprint(pm["name"])] = fmt.Sprint(pm["id"])
	}

	first := e.RunSync(ctx, "payments-before-invoices", s, workflows.PhaseCustomers, workflows.PhaseCatalog, workflows.PhasePayments)
	if first.Progress.Payments.Errored != 12 {
		t.Fatalf("before the invoices are in NetSuite: payments %+v, want 12 in Error", first.Progress.Payments)
	}
	for _, re := range first.Errors {
		if re.Type == workflows.RecordPayment && !strings.Contains(re.Reason, "not in NetSuite yet") {
			t.Fatalf("payment %s: %q does not name the missing invoice", re.ID, re.Reason)
		}
	}

	second := e.RunSync(ctx, "payments-full", s)
	if second.Progress.Payments.Synced != 12 || second.Progress.Payments.Errored != 0 {
		t.Fatalf("full run: payments %+v, errors %v", second.Progress.Payments, second.Errors)
	}
	type ip struct {
		InvoiceID string          `json:"InvoiceId"`
		PaymentID string          `json:"PaymentId"`
		Amount    decimal.Decimal `json:"Amount"`
	}
	ips, err := zuora.QueryAll[ip](ctx, e.Zuora, "select InvoiceId, PaymentId, Amount from InvoicePayment")
	if err != nil {
		t.Fatal(err)
	}
	invs := e.Invoices(ctx)
	wantApply := map[string]map[string]decimal.Decimal{} // payment -> NS invoice id -> amount
	for _, x := range ips {
		if wantApply[x.PaymentID] == nil {
			wantApply[x.PaymentID] = map[string]decimal.Decimal{}
		}
		wantApply[x.PaymentID][invs[x.InvoiceID].IntegrationID] = x.Amount
	}
	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range pays {
		if p.TransferredToAccounting != zuora.TransferYes || p.IntegrationStatus != zuora.StatusSyncComplete || p.IntegrationID == "" || p.Origin != "ZUORA" {
			t.Fatalf("payment %s in Zuora: %+v", p.PaymentNumber, p.PaymentFields)
		}
		if seen[p.IntegrationID] {
			t.Fatalf("two Zuora payments share NetSuite payment %s", p.IntegrationID)
		}
		seen[p.IntegrationID] = true

		var got struct {
			ID      string `json:"id"`
			Payment string `json:"payment"`
			Apply   struct {
				Items []struct {
					Doc    struct{ ID string } `json:"doc"`
					Amount string              `json:"amount"`
				} `json:"items"`
			} `json:"apply"`
		}
		if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, "eid:"+netsuite.PaymentExternalID(p.ID), true, &got); err != nil {
			t.Fatalf("payment %s not in NetSuite by external id: %v", p.PaymentNumber, err)
		}
		if got.ID != p.IntegrationID || !decimal.RequireFromString(got.Payment).Equal(p.Amount) {
			t.Fatalf("payment %s: NetSuite %s amount %s, want %s amount %s", p.PaymentNumber, got.ID, got.Payment, p.IntegrationID, p.Amount)
		}
		if len(got.Apply.Items) != len(wantApply[p.ID]) {
			t.Fatalf("payment %s: %d apply rows, want %d", p.PaymentNumber, len(got.Apply.Items), len(wantApply[p.ID]))
		}
		for _, row := range got.Apply.Items {
			if want, ok := wantApply[p.ID][row.Doc.ID]; !ok || !decimal.RequireFromString(row.Amount).Equal(want) {
				t.Fatalf("payment %s applies %s to %s; Zuora: %v", p.PaymentNumber, row.Amount, row.Doc.ID, wantApply[p.ID])
			}
		}
	}
	for _, inv := range invs {
		if inv.IntegrationID == "" {
			continue
		}
		if got := e.amountRemaining(ctx, netsuite.TypeInvoice, inv.IntegrationID); !got.Equal(inv.Balance) {
			t.Fatalf("invoice %s: NetSuite amount remaining %s, Zuora balance %s", inv.InvoiceNumber, got, inv.Balance)
		}
	}
	third := e.RunSync(ctx, "payments-again", s)
	if third.Progress.Payments.Selected != 0 {
		t.Fatalf("a synced payment was selected again: %+v", third.Progress.Payments)
	}

	// A crash after the NetSuite create and before the Zuora write-back: the
	// payment is left Creating Payment / Processing without its NetSuite id.
	// The next run adopts the NetSuite payment by external id; none is added.
	crashed := pays[0]
	if err := e.Zuora.UpdateObject(ctx, zuora.ObjPayment, crashed.ID, map[string]any{
		"IntegrationId__NS": "", "IntegrationStatus__NS": zuora.StatusCreatingPayment, "TransferredToAccounting": zuora.TransferProcessing,
	}); err != nil {
		t.Fatal(err)
	}
	fourth := e.RunSync(ctx, "payments-after-crash", s)
	if fourth.Progress.Payments.Synced != 1 {
		t.Fatalf("after the crash: %+v %v", fourth.Progress.Payments, fourth.Errors)
	}
	again, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment where Id = "+zuora.Quote(crashed.ID))
	if err != nil || len(again) != 1 || again[0].IntegrationID != crashed.IntegrationID {
		t.Fatalf("after the crash the payment points at %v (%v), want the NetSuite payment made before it, %s", again, err, crashed.IntegrationID)
	}
	if got := e.amountRemaining(ctx, netsuite.TypeCustomerPayment, crashed.IntegrationID); !got.Equal(decimal.Zero) {
		t.Fatalf("the adopted payment has %s unapplied; applied twice or lost its rows", got)
	}
	if RecordingHistories() {
		SaveHistories(ctx, t, e.Temporal, workflows.PaymentWorkflowID(pays[0].ID), "one-record")
	}
}
