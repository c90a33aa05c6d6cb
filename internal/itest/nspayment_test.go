package itest

import (
	"context"
	"fmt"
	"sort"
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

// nsPaymentRow is what the test reads back of a NetSuite customer payment.
type nsPaymentRow struct {
	ID         string `json:"id"`
	ExternalID string `json:"externalId"`
	ZuoraID    string `json:"custbody_zuora_id"`
	Origin     string `json:"custbody_zuora_origin"`
	Status     string `json:"custbody_zuora_integration_status"`
}

// Issue 16, NetSuite → Zuora payments (reference money-sync §3) on a
// generated tenant without Invoice Settlement, loop prevention both ways:
//   - with the setting off (the default) the phase is reported off with its
//     reason and nothing goes to Zuora; the Zuora payments go to NetSuite;
//   - payments entered in NetSuite (one on one invoice, one across two)
//     each become one Processed Zuora payment with their amount and
//     invoice payments, Type External, Transferred To Accounting Yes,
//     IntegrationId__NS the NetSuite id; the Zuora invoices' balances go
//     down; NetSuite gets the Zuora id, Origin NETSUITE, Sync Complete;
//   - a NetSuite payment with Origin ZUORA, and every payment the Zuora →
//     NetSuite sync made, are not synced back; the Zuora payments made
//     from NetSuite are not synced to NetSuite (TTA Yes);
//   - a second run creates nothing;
//   - a crash after the Zuora create (NetSuite write-back lost) makes no
//     second Zuora payment: the next run finds it by IntegrationId__NS.
func TestNetSuitePayments_EachOnceInZuoraLoopPreventedBothWays(t *testing.T) {
	f, err := fixture.Generate("seed=61,accounts=4,invoices=24,items=1-2,negative=0,tax=0,payments=3")
	if err != nil {
		t.Fatal(err)
	}
	// A tenant-level external payment method (Zuora's Check) NetSuite checks map to.
	f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod],
		fixture.Record{"Id": "zpm-external-check", "Type": "Check", "PaymentMethodStatus": "Active"})
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

	off := e.RunSync(ctx, "nspayments-off", s)
	if why := off.DisabledReasons[workflows.PhaseNetSuitePayments]; !strings.Contains(why, "netSuitePaymentSync") {
		t.Fatalf("with the setting off the phase is not reported off with its reason: %v", off.DisabledReasons)
	}
	if off.Progress.Payments.Synced != 3 || off.Progress.NetSuitePayments.Selected != 0 {
		t.Fatalf("first run: payments %+v, NetSuite payments %+v, errors %v", off.Progress.Payments, off.Progress.NetSuitePayments, off.Errors)
	}

	// Open synced invoices by account, whose NetSuite customer knows its Zuora account.
	invs := e.Invoices(ctx)
	open := map[string][]zuora.Invoice{}
	for _, inv := range invs {
		if inv.IntegrationID != "" && inv.Balance.GreaterThan(decimal.NewFromInt(2)) {
			open[inv.AccountID] = append(open[inv.AccountID], inv)
		}
	}
	accts := map[string]zuora.Account{}
	for _, a := range e.zAccounts(ctx) {
		accts[a.ID] = a
	}
	var order []string
	for acct, list := range open {
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		var cust struct {
			ZuoraID string `json:"custentity_zuora_id"`
		}
		if err := e.NetSuite.Get(ctx, netsuite.TypeCustomer, accts[acct].IntegrationID, false, &cust); err != nil || cust.ZuoraID != acct {
			continue
		}
		order = append(order, acct)
	}
	sort.Slice(order, func(i, j int) bool { return len(open[order[i]]) > len(open[order[j]]) })
	if len(order) < 2 || len(open[order[0]]) < 3 {
		t.Fatalf("the tenant has too few open synced invoices: %d accounts", len(order))
	}
	a1, a2 := order[0], order[1]
	newPayment := func(acct string, origin string, apply ...[2]any) string {
		t.Helper()
		items := make([]any, len(apply))
		total := decimal.Zero
		for i, r := range apply {
			amt := r[1].(decimal.Decimal)
			total = total.Add(amt)
			items[i] = map[string]any{"doc": map[string]any{"id": r[0]}, "apply": true, "amount": amt.StringFixed(2)}
		}
		body := map[string]any{"customer": map[string]any{"id": accts[acct].IntegrationID}, "payment": total.StringFixed(2),
			"tranDate": time.Now().UTC().Format("2006-01-02"), "paymentMethod": map[string]any{"id": nsCheck},
			"memo": "entered in NetSuite", "apply": map[string]any{"items": items}}
		if origin != "" {
			body["custbody_zuora_origin"] = origin
		}
		id, err := e.NetSuite.Create(ctx, netsuite.TypeCustomerPayment, body)
		if err != nil {
			t.Fatalf("entering a NetSuite payment: %v", err)
		}
		return id
	}
	i1, i2, i3 := open[a1][0], open[a1][1], open[a1][2]
	half := i2.Balance.Div(decimal.NewFromInt(2)).Round(2)
	one := newPayment(a1, "", [2]any{i1.IntegrationID, i1.Balance})
	two := newPayment(a1, "", [2]any{i2.IntegrationID, half}, [2]any{i3.IntegrationID, decimal.NewFromInt(1)})
	j1 := open[a2][0]
	fromZuora := newPayment(a2, mapping.OriginZuora, [2]any{j1.IntegrationID, decimal.NewFromInt(1)})
	want := map[string]map[string]decimal.Decimal{
		one: {i1.ID: i1.Balance},
		two: {i2.ID: half, i3.ID: decimal.NewFromInt(1)},
	}

	s.Advanced.NetSuitePaymentSync = true
	s.Payments.NetSuiteMethods = map[string]string{nsCheck: "zpm-external-check"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	on := e.RunSync(ctx, "nspayments-on", s)
	if on.Progress.NetSuitePayments.Synced != 2 || on.Progress.NetSuitePayments.Errored != 0 || on.Progress.NetSuitePayments.Selected != 2 {
		t.Fatalf("NetSuite payments %+v (want the two entered in NetSuite, not the ZUORA one nor the 3 from Zuora), errors %v",
			on.Progress.NetSuitePayments, on.Errors)
	}
	if on.Progress.Payments.Selected != 0 {
		t.Fatalf("the Zuora → NetSuite payment phase selected %+v: a payment came back", on.Progress.Payments)
	}

	zpays := func() map[string][]zuora.Payment {
		t.Helper()
		pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]zuora.Payment{}
		for _, p := range pays {
			out[p.IntegrationID] = append(out[p.IntegrationID], p)
		}
		return out
	}
	byNS := zpays()
	type ip struct {
		InvoiceID string          `json:"InvoiceId"`
		Amount    decimal.Decimal `json:"Amount"`
	}
	after := e.Invoices(ctx)
	for nsID, apply := range want {
		got := byNS[nsID]
		if len(got) != 1 {
			t.Fatalf("NetSuite payment %s: %d Zuora payments, want 1", nsID, len(got))
		}
		p := got[0]
		total := decimal.Zero
		for _, a := range apply {
			total = total.Add(a)
		}
		if p.Status != "Processed" || p.Type != "External" || !p.Amount.Equal(total) || p.TransferredToAccounting != zuora.TransferYes ||
			p.Origin != mapping.OriginNetSuite || p.AccountID != a1 || p.PaymentMethodID != "zpm-external-check" {
			t.Fatalf("Zuora payment of NetSuite payment %s: %+v", nsID, p)
		}
		ips, err := zuora.QueryAll[ip](ctx, e.Zuora, "select InvoiceId, Amount from InvoicePayment where PaymentId = "+zuora.Quote(p.ID))
		if err != nil || len(ips) != len(apply) {
			t.Fatalf("payment %s invoice payments %v (%v), want %v", p.ID, ips, err, apply)
		}
		for _, x := range ips {
			if !x.Amount.Equal(apply[x.InvoiceID]) {
				t.Fatalf("payment %s applies %s to %s, want %s", p.ID, x.Amount, x.InvoiceID, apply[x.InvoiceID])
			}
			if !after[x.InvoiceID].Balance.Equal(invs[x.InvoiceID].Balance.Sub(x.Amount)) {
				t.Fatalf("invoice %s balance %s, was %s, paid %s", x.InvoiceID, after[x.InvoiceID].Balance, invs[x.InvoiceID].Balance, x.Amount)
			}
		}
		var row nsPaymentRow
		if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, nsID, false, &row); err != nil {
			t.Fatal(err)
		}
		if row.ZuoraID != p.ID || row.Origin != mapping.OriginNetSuite || row.Status != zuora.StatusSyncComplete {
			t.Fatalf("NetSuite payment %s written back %+v, want Zuora id %s, NETSUITE, Sync Complete", nsID, row, p.ID)
		}
	}
	if len(byNS[fromZuora]) != 0 {
		t.Fatalf("the NetSuite payment with Origin ZUORA was synced to Zuora: %+v", byNS[fromZuora])
	}
	// The Zuora → NetSuite payments: never back (each Zuora payment's
	// IntegrationId__NS is its own NetSuite payment, one Zuora payment each).
	for nsID, list := range byNS {
		if nsID != "" && len(list) != 1 {
			t.Fatalf("NetSuite payment %s has %d Zuora payments", nsID, len(list))
		}
	}
	named := 0
	for nsID := range byNS {
		if nsID != "" {
			named++
		}
	}
	if named != 5 { // 3 from Zuora + 2 from NetSuite, keyed by NetSuite id
		t.Fatalf("%d Zuora payments name a NetSuite payment, want 5", named)
	}

	again := e.RunSync(ctx, "nspayments-again", s)
	if again.Progress.NetSuitePayments.Selected != 0 || again.Progress.Payments.Selected != 0 {
		t.Fatalf("second run selected NetSuite payments %+v, Zuora payments %+v", again.Progress.NetSuitePayments, again.Progress.Payments)
	}

	// A crash after the Zuora create, before the NetSuite write-back: the
	// NetSuite payment still says Creating Payment with no Zuora id.
	if err := e.NetSuite.Patch(ctx, netsuite.TypeCustomerPayment, one, map[string]any{
		"custbody_zuora_id": "", "custbody_zuora_integration_status": "Creating Payment", "custbody_zuora_origin": "",
	}); err != nil {
		t.Fatal(err)
	}
	crash := e.RunSync(ctx, "nspayments-after-crash", s)
	if crash.Progress.NetSuitePayments.Synced != 1 {
		t.Fatalf("after the crash: %+v %v", crash.Progress.NetSuitePayments, crash.Errors)
	}
	if got := zpays()[one]; len(got) != 1 || got[0].ID != byNS[one][0].ID {
		t.Fatalf("after the crash NetSuite payment %s has Zuora payments %+v, want only %s", one, got, byNS[one][0].ID)
	}
	var row nsPaymentRow
	if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, one, false, &row); err != nil || row.ZuoraID != byNS[one][0].ID || row.Status != zuora.StatusSyncComplete {
		t.Fatalf("after the crash NetSuite payment %s: %+v (%v)", one, row, err)
	}
	if RecordingHistories() {
		SaveHistories(ctx, t, e.Temporal, workflows.NetSuitePaymentWorkflowID(one), "one-record")
		// A run through the phase (its version markers).
		SaveHistories(ctx, t, e.Temporal, "nspayments-on", "netsuitepayments-phase")
	}
}
