package itest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// nsRefundRow is what the test reads back of a NetSuite customer refund or credit memo.
type nsRefundRow struct {
	ZuoraID string `json:"custbody_zuora_id"`
	Status  string `json:"custbody_zuora_integration_status"`
}

// Issue 16, NetSuite → Zuora refunds (reference money-sync §5) on a
// generated tenant without Invoice Settlement:
//   - with the setting off (the default) the phase is reported off with its reason;
//   - a standalone NetSuite credit memo with Create Zuora Refund ticked and
//     a Zuora payment chosen, refunded in full by a customer refund entered
//     through the NetSuite API, becomes one Zuora refund of that payment
//     (External, TTA Yes, Origin__NS NETSUITE, IntegrationId__NS the NetSuite
//     id); the refund gets the Zuora id and Sync Complete, so does the credit memo;
//   - a NetSuite refund with Origin ZUORA is not taken; the Zuora refund
//     made from NetSuite is not synced back (TTA Yes);
//   - a second run creates nothing; a crash after the Zuora create makes no
//     second Zuora refund.
func TestNetSuiteRefunds_OneZuoraRefundPerCreditMemoOnceLoopPrevented(t *testing.T) {
	f, err := fixture.Generate("seed=62,accounts=3,invoices=12,items=1-2,negative=0,tax=0,payments=3")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Payments.Methods = map[string]string{}
	nsCheck := ""
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		s.Payments.Methods[fmt.Sprint(pm["name"])] = fmt.Sprint(pm["id"])
		if pm["name"] == "Check" {
			nsCheck = fmt.Sprint(pm["id"])
		}
	}
	off := e.RunSync(ctx, "nsrefunds-off", s)
	if why := off.DisabledReasons[workflows.PhaseNetSuiteRefunds]; !strings.Contains(why, "netSuiteRefundSync") {
		t.Fatalf("with the setting off the phase is not reported off with its reason: %v", off.DisabledReasons)
	}
	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment where Status = 'Processed'")
	if err != nil || len(pays) < 1 {
		t.Fatalf("Zuora payments %v (%v)", pays, err)
	}
	pay := pays[0]
	accts := map[string]zuora.Account{}
	for _, a := range e.zAccounts(ctx) {
		accts[a.ID] = a
	}
	cust := accts[pay.AccountID].IntegrationID
	items := e.nsItems(ctx)
	if cust == "" || nsCheck == "" || len(items) == 0 {
		t.Fatalf("customer %q, NetSuite Check %q, %d items", cust, nsCheck, len(items))
	}
	amount := pay.Amount.StringFixed(2)
	today := time.Now().UTC().Format("2006-01-02")
	newRefund := func(origin string) (string, string) {
		t.Helper()
		cm, err := e.NetSuite.Create(ctx, netsuite.TypeCreditMemo, map[string]any{"entity": map[string]any{"id": cust}, "tranDate": today,
			"item":                         map[string]any{"items": []any{map[string]any{"item": map[string]any{"id": items[0].ID}, "quantity": 1, "amount": amount}}},
			"custbody_zuora_create_refund": true, "custbody_zuora_refund_payment_ref": pay.ID})
		if err != nil {
			t.Fatalf("entering a NetSuite credit memo: %v", err)
		}
		body := map[string]any{"customer": map[string]any{"id": cust}, "tranDate": today, "paymentMethod": map[string]any{"id": nsCheck},
			"memo": "refund entered in NetSuite", "apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": cm}, "apply": true, "amount": amount}}}}
		if origin != "" {
			body["custbody_zuora_origin"] = origin
		}
		id, err := e.NetSuite.Create(ctx, netsuite.TypeCustomerRefund, body)
		if err != nil {
			t.Fatalf("entering a NetSuite refund: %v", err)
		}
		return cm, id
	}
	cm, ref := newRefund("")
	_, fromZuora := newRefund(mapping.OriginZuora)

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
	on := e.RunSync(ctx, "nsrefunds-on", s)
	if on.Progress.NetSuiteRefunds.Synced != 1 || on.Progress.NetSuiteRefunds.Selected != 1 || on.Progress.NetSuiteRefunds.Errored != 0 {
		t.Fatalf("NetSuite refunds %+v (want the one entered in NetSuite, not the ZUORA one), errors %v", on.Progress.NetSuiteRefunds, on.Errors)
	}
	byNS := zrefunds()
	got := byNS[ref]
	if len(got) != 1 {
		t.Fatalf("NetSuite refund %s: %d Zuora refunds, want 1", ref, len(got))
	}
	zr := got[0]
	if zr.PaymentID != pay.ID || !zr.Amount.Equal(pay.Amount) || zr.Type != "External" || zr.SourceType != "Payment" || zr.MethodType != "Check" ||
		zr.TransferredToAccounting != zuora.TransferYes || zr.Origin != mapping.OriginNetSuite || zr.AccountID != pay.AccountID {
		t.Fatalf("Zuora refund of NetSuite refund %s: %+v", ref, zr)
	}
	if len(byNS[fromZuora]) != 0 {
		t.Fatalf("the NetSuite refund with Origin ZUORA was synced to Zuora: %+v", byNS[fromZuora])
	}
	for typ, id := range map[string]string{netsuite.TypeCustomerRefund: ref, netsuite.TypeCreditMemo: cm} {
		var row nsRefundRow
		if err := e.NetSuite.Get(ctx, typ, id, false, &row); err != nil || row.Status != zuora.StatusSyncComplete ||
			(typ == netsuite.TypeCustomerRefund && row.ZuoraID != zr.ID) {
			t.Fatalf("NetSuite %s %s written back %+v (%v), want Zuora id %s, Sync Complete", typ, id, row, err, zr.ID)
		}
	}

	again := e.RunSync(ctx, "nsrefunds-again", s)
	if again.Progress.NetSuiteRefunds.Selected != 0 || again.Progress.Refunds.Selected != 0 {
		t.Fatalf("second run selected NetSuite refunds %+v, Zuora refunds %+v", again.Progress.NetSuiteRefunds, again.Progress.Refunds)
	}

	// A crash after the Zuora create, before the NetSuite write-back.
	if err := e.NetSuite.Patch(ctx, netsuite.TypeCustomerRefund, ref, map[string]any{
		"custbody_zuora_id": "", "custbody_zuora_integration_status": zuora.StatusCreatingRefund, "custbody_zuora_origin": "",
	}); err != nil {
		t.Fatal(err)
	}
	crash := e.RunSync(ctx, "nsrefunds-after-crash", s)
	if crash.Progress.NetSuiteRefunds.Synced != 1 {
		t.Fatalf("after the crash: %+v %v", crash.Progress.NetSuiteRefunds, crash.Errors)
	}
	if got := zrefunds()[ref]; len(got) != 1 || got[0].ID != zr.ID {
		t.Fatalf("after the crash NetSuite refund %s has Zuora refunds %+v, want only %s", ref, got, zr.ID)
	}
	if RecordingHistories() {
		SaveHistories(ctx, t, e.Temporal, workflows.NetSuiteRefundWorkflowID(ref), "one-record")
		// A run through the phase (its version markers).
		SaveHistories(ctx, t, e.Temporal, "nsrefunds-on", "netsuiterefunds-phase")
	}
}
