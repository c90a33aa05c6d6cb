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

// nsISPayment is a NetSuite customer payment as the test reads it.
type nsISPayment struct {
	ID       string `json:"id"`
	Payment  string `json:"payment"`
	Customer struct {
		ID string `json:"id"`
	} `json:"customer"`
	Apply struct {
		Items []struct {
			Doc    struct{ ID string } `json:"doc"`
			Amount string              `json:"amount"`
		} `json:"items"`
	} `json:"apply"`
}

// Issue 16 on a generated Invoice Settlement tenant (reference §2): payments
// applied to invoices, to debit memos (and both), partly applied, fully
// unapplied and unassigned. After the documents are in NetSuite a run makes
// every payment one NetSuite customer payment with Zuora's whole amount and
// one apply row per part, pointing at the NetSuite invoice (a debit memo's
// NetSuite invoice for a debit memo part), the unapplied rest left
// unapplied, unassigned ones on the Unassigned Payments customer; the
// payment whose debit memo is not in NetSuite ends Error naming it; a second
// run syncs nothing new. Then a payment set back to Transferred To
// Accounting No (§2.4) has its NetSuite payment rewritten to Zuora's parts.
func TestPaymentsIS_EveryPaymentOnceAppliedUnappliedAndUnassigned(t *testing.T) {
	f, err := fixture.Generate("seed=19,accounts=3,invoices=9,items=1-2,tax=0,is=true,debitmemos=6,creditmemos=3,payments=10")
	if err != nil {
		t.Fatal(err)
	}
	// The placeholder customer of unassigned payments (Sync Preferences
	// "Unassigned Payments").
	placeholder := fixture.Record{}
	for k, v := range f.NetSuite.Records[netsuite.TypeCustomer][0] {
		placeholder[k] = v
	}
	placeholder["id"], placeholder["externalId"], placeholder["entityId"], placeholder["companyName"] = "99001", "unassigned-payments", "UNASSIGNED", "Unassigned Payments"
	f.NetSuite.Records[netsuite.TypeCustomer] = append(f.NetSuite.Records[netsuite.TypeCustomer], placeholder)

	// One debit memo is never synced (Ignore): the payment applied to it
	// must end Error naming it.
	dmParts := map[string]string{} // debit memo id -> payment id
	for _, pt := range f.Zuora.Objects["PaymentPart"] {
		if dm, ok := pt["debitMemoId"].(string); ok && dm != "" {
			dmParts[dm] = pt["paymentId"].(string)
		}
	}
	var blockedDM, blockedPay, blockedDMNumber string
	for _, dm := range f.Zuora.Objects["DebitMemo"] {
		if p, ok := dmParts[dm["id"].(string)]; ok {
			blockedDM, blockedPay, blockedDMNumber = dm["id"].(string), p, dm["number"].(string)
			dm["transferredToAccounting"] = "Ignore"
			break
		}
	}
	if blockedDM == "" || len(f.Zuora.Objects["Payment"]) != 10 {
		t.Fatalf("the generated tenant has no payment applied to a debit memo (%d payments)", len(f.Zuora.Objects["Payment"]))
	}

	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	s.Customer.UnassignedPaymentsCustomer = "99001"
	s.Payments.Methods = map[string]string{}
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		s.Payments.Methods[fmt.Sprint(pm["name"])] = fmt.Sprint(pm["id"])
	}
	if run := e.RunSync(ctx, "is-pay-docs", s, workflows.PhaseCustomers, workflows.PhaseCatalog, workflows.PhaseInvoices); run.Progress.Invoices.Errored != 0 {
		t.Fatalf("documents: %+v %v", run.Progress, run.Errors)
	}
	e.syncDebitMemos(ctx, s)
	e.syncCreditMemos(ctx, s)

	first := e.RunSync(ctx, "is-pay-full", s, workflows.PhasePayments)
	if first.Progress.Payments.Synced != 9 || first.Progress.Payments.Errored != 1 {
		t.Fatalf("full run: payments %+v, errors %v", first.Progress.Payments, first.Errors)
	}
	for _, re := range first.Errors {
		if re.Type == workflows.RecordPayment && (re.ID != blockedPay || !strings.Contains(re.Reason, "debit memo "+blockedDMNumber+" not in NetSuite yet")) {
			t.Fatalf("payment %s: %q; want payment %s naming debit memo %s", re.ID, re.Reason, blockedPay, blockedDMNumber)
		}
	}

	invs := e.Invoices(ctx)
	nsDoc := func(ctx context.Context, pt zuora.PaymentPart) string {
		if pt.InvoiceID != "" {
			return invs[pt.InvoiceID].IntegrationID
		}
		dm, err := e.Zuora.GetDebitMemo(ctx, pt.DebitMemoID)
		if err != nil {
			t.Fatal(err)
		}
		return dm.IntegrationID
	}
	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment")
	if err != nil {
		t.Fatal(err)
	}
	var kinds struct{ invoice, debitMemo, partly, unapplied, unassigned int }
	var partly zuora.Payment
	seen := map[string]bool{}
	for _, p := range pays {
		if p.ID == blockedPay {
			if p.TransferredToAccounting != zuora.TransferError || !strings.Contains(p.IntegrationStatus, blockedDMNumber) {
				t.Fatalf("blocked payment %s in Zuora: %q / %q", p.PaymentNumber, p.TransferredToAccounting, p.IntegrationStatus)
			}
			continue
		}
		if p.TransferredToAccounting != zuora.TransferYes || p.IntegrationStatus != zuora.StatusSyncComplete || p.IntegrationID == "" || seen[p.IntegrationID] {
			t.Fatalf("payment %s in Zuora: %+v", p.PaymentNumber, p.PaymentFields)
		}
		seen[p.IntegrationID] = true
		parts, err := e.Zuora.ListPaymentParts(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]decimal.Decimal{}
		for _, pt := range parts {
			switch {
			case pt.InvoiceID != "":
				kinds.invoice++
			case pt.DebitMemoID != "":
				kinds.debitMemo++
			default:
				continue // the unapplied part
			}
			doc := nsDoc(ctx, pt)
			if doc == "" {
				t.Fatalf("payment %s: document of part %+v not in NetSuite", p.PaymentNumber, pt)
			}
			want[doc] = want[doc].Add(pt.Amount)
		}
		switch {
		case p.AccountID == "":
			kinds.unassigned++
		case len(want) == 0:
			kinds.unapplied++
		case p.UnappliedAmount.IsPositive():
			kinds.partly++
			partly = p
		}
		var got nsISPayment
		if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, "eid:"+netsuite.PaymentExternalID(p.ID), true, &got); err != nil {
			t.Fatalf("payment %s not in NetSuite by external id: %v", p.PaymentNumber, err)
		}
		if got.ID != p.IntegrationID || !decimal.RequireFromString(got.Payment).Equal(p.Amount) {
			t.Fatalf("payment %s: NetSuite %s amount %s, want %s with Zuora's amount %s", p.PaymentNumber, got.ID, got.Payment, p.IntegrationID, p.Amount)
		}
		if p.AccountID == "" && got.Customer.ID != "99001" {
			t.Fatalf("unassigned payment %s on NetSuite customer %s, want the Unassigned Payments customer 99001", p.PaymentNumber, got.Customer.ID)
		}
		if len(got.Apply.Items) != len(want) {
			t.Fatalf("payment %s: %d apply rows, want %d (%v)", p.PaymentNumber, len(got.Apply.Items), len(want), want)
		}
		for _, row := range got.Apply.Items {
			if w, ok := want[row.Doc.ID]; !ok || !decimal.RequireFromString(row.Amount).Equal(w) {
				t.Fatalf("payment %s applies %s to %s; Zuora: %v", p.PaymentNumber, row.Amount, row.Doc.ID, want)
			}
		}
		if got := e.amountRemaining(ctx, netsuite.TypeCustomerPayment, got.ID); !got.Equal(p.UnappliedAmount) {
			t.Fatalf("payment %s: NetSuite unapplied %s, Zuora unapplied %s", p.PaymentNumber, got, p.UnappliedAmount)
		}
	}
	if kinds.invoice == 0 || kinds.debitMemo == 0 || kinds.partly == 0 || kinds.unapplied == 0 || kinds.unassigned == 0 {
		t.Fatalf("the tenant does not cover every kind: %+v", kinds)
	}

	second := e.RunSync(ctx, "is-pay-again", s, workflows.PhasePayments)
	if second.Progress.Payments.Synced != 0 || second.Progress.Payments.Errored != 1 {
		t.Fatalf("second run: %+v %v; want nothing new, the blocked payment in Error again", second.Progress.Payments, second.Errors)
	}

	// §2.4 (decided): the NetSuite payment lost its apply rows (say, edited
	// by hand); Zuora's payment set back to No is sent again and its
	// NetSuite payment — the same one — is rewritten to Zuora's parts.
	if err := e.NetSuite.Patch(ctx, netsuite.TypeCustomerPayment, partly.IntegrationID, map[string]any{"apply": map[string]any{"items": []any{}}}, "apply"); err != nil {
		t.Fatal(err)
	}
	if got := e.amountRemaining(ctx, netsuite.TypeCustomerPayment, partly.IntegrationID); !got.Equal(partly.Amount) {
		t.Fatalf("after the hand edit the payment has %s unapplied, want all of %s", got, partly.Amount)
	}
	if err := e.Zuora.UpdateObject(ctx, zuora.ObjPayment, partly.ID, map[string]any{"TransferredToAccounting": zuora.TransferNo}); err != nil {
		t.Fatal(err)
	}
	third := e.RunSync(ctx, "is-pay-resync", s, workflows.PhasePayments)
	if third.Progress.Payments.Synced != 1 {
		t.Fatalf("re-sync: %+v %v", third.Progress.Payments, third.Errors)
	}
	again, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment where Id = "+zuora.Quote(partly.ID))
	if err != nil || len(again) != 1 || again[0].IntegrationID != partly.IntegrationID {
		t.Fatalf("after the re-sync the payment points at %v (%v), want the same NetSuite payment %s", again, err, partly.IntegrationID)
	}
	if got := e.amountRemaining(ctx, netsuite.TypeCustomerPayment, partly.IntegrationID); !got.Equal(partly.UnappliedAmount) {
		t.Fatalf("after the re-sync the payment has %s unapplied, want Zuora's %s", got, partly.UnappliedAmount)
	}
	if RecordingHistories() { // two runs: the first sync and the re-sync (GetVersion marker of IS payments)
		SaveHistories(ctx, t, e.Temporal, workflows.PaymentWorkflowID(partly.ID), "invoice-settlement")
	}
}
