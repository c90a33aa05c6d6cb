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

// Issue 16, NetSuite → Zuora payments on a generated Invoice Settlement
// tenant (reference money-sync §3.7–§3.11). Payments entered in NetSuite:
// one applied to a synced invoice with a rest unapplied, one applied to the
// NetSuite invoice of a synced debit memo, one fully unapplied, one with
// Origin ZUORA and one whose Zuora Sync Updates is not Yes.
//   - The first run makes each of the first three once in Zuora (POST
//     /v1/payments): the NetSuite total, parts per document as in NetSuite,
//     the rest unapplied, External, TTA Yes, Origin NETSUITE,
//     IntegrationId__NS; NetSuite gets the Zuora id and Sync Complete; the
//     other two are not synced and nothing comes back to NetSuite.
//   - A second run creates and changes nothing; after a crash that lost the
//     NetSuite write-back the next run completes it with no second payment.
//   - The invoice payment moved in NetSuite to another invoice: the next
//     run unapplies and applies the Zuora payment to match, still one
//     payment; the money reconciliation then reports no difference.
//   - The unapplied payment's amount changed in NetSuite: Zuora cannot
//     change a processed payment, so it ends Error telling how to re-sync.
func TestNetSuitePaymentsIS_EachOnceWithPartsAndChangesFollowNetSuite(t *testing.T) {
	f, err := fixture.Generate("seed=29,accounts=3,invoices=9,items=1-2,tax=0,is=true,debitmemos=6")
	if err != nil {
		t.Fatal(err)
	}
	f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod],
		fixture.Record{"Id": "zpm-external-check", "Type": "Check", "PaymentMethodStatus": "Active"})
	if len(f.NetSuite.Records[netsuite.TypePaymentMethod]) == 0 { // the generator adds them with Zuora payments only
		f.NetSuite.Records[netsuite.TypePaymentMethod] = []fixture.Record{{"id": "9001", "name": "Check"}}
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	s.Payments.Methods = map[string]string{}
	nsCheck := ""
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		s.Payments.Methods[fmt.Sprint(pm["name"])] = fmt.Sprint(pm["id"])
		if pm["name"] == "Check" {
			nsCheck = fmt.Sprint(pm["id"])
		}
	}
	if run := e.RunSync(ctx, "nsis-docs", s, workflows.PhaseCustomers, workflows.PhaseCatalog, workflows.PhaseInvoices); run.Progress.Invoices.Errored != 0 {
		t.Fatalf("documents: %+v %v", run.Progress, run.Errors)
	}
	e.syncDebitMemos(ctx, s)

	// Accounts whose NetSuite customer knows its Zuora account, with their
	// open synced invoices and debit memos.
	accts := map[string]zuora.Account{}
	for _, a := range e.zAccounts(ctx) {
		var cust struct {
			ZuoraID string `json:"custentity_zuora_id"`
		}
		if a.IntegrationID != "" && e.NetSuite.Get(ctx, netsuite.TypeCustomer, a.IntegrationID, false, &cust) == nil && cust.ZuoraID == a.ID {
			accts[a.ID] = a
		}
	}
	two := decimal.NewFromInt(2)
	invs := e.Invoices(ctx)
	openInv := map[string][]zuora.Invoice{}
	for _, inv := range invs {
		if _, ok := accts[inv.AccountID]; ok && inv.IntegrationID != "" && inv.Balance.GreaterThan(two) {
			openInv[inv.AccountID] = append(openInv[inv.AccountID], inv)
		}
	}
	var dm *zuora.DebitMemo
	for page := 1; dm == nil; page++ {
		memos, more, err := e.Zuora.ListDebitMemosPage(ctx, "Posted", page)
		if err != nil {
			t.Fatal(err)
		}
		for i := range memos {
			if _, ok := accts[memos[i].AccountID]; ok && memos[i].TransferredToAccounting == zuora.TransferYes && memos[i].IntegrationID != "" && memos[i].Balance.GreaterThan(two) {
				dm = &memos[i]
				break
			}
		}
		if !more && dm == nil {
			t.Fatal("no synced open debit memo of a synced customer")
		}
	}
	var aI string
	for acct, list := range openInv {
		if len(list) >= 2 && (aI == "" || acct < aI) {
			aI = acct
		}
	}
	if aI == "" {
		t.Fatalf("no synced customer with two open synced invoices: %v", openInv)
	}
	sort.Slice(openInv[aI], func(i, j int) bool { return openInv[aI][i].ID < openInv[aI][j].ID })
	inv1, inv2 := openInv[aI][0], openInv[aI][1]

	newPayment := func(acct, total string, extra map[string]any, apply ...[2]string) string {
		t.Helper()
		items := []any{}
		for _, r := range apply {
			items = append(items, map[string]any{"doc": map[string]any{"id": r[0]}, "apply": true, "amount": r[1]})
		}
		body := map[string]any{"customer": map[string]any{"id": accts[acct].IntegrationID}, "payment": total,
			"tranDate": time.Now().UTC().Format("2006-01-02"), "paymentMethod": map[string]any{"id": nsCheck},
			"memo": "entered in NetSuite", "custbody_zuora_sync_updates": "Yes", "apply": map[string]any{"items": items}}
		for k, v := range extra {
			body[k] = v
		}
		id, err := e.NetSuite.Create(ctx, netsuite.TypeCustomerPayment, body)
		if err != nil {
			t.Fatalf("entering a NetSuite payment: %v", err)
		}
		return id
	}
	pInv := newPayment(aI, "3.00", nil, [2]string{inv1.IntegrationID, "2.00"})
	pDM := newPayment(dm.AccountID, "1.50", nil, [2]string{dm.IntegrationID, "1.50"})
	pUn := newPayment(aI, "5.00", nil)
	pZ := newPayment(aI, "1.00", map[string]any{"custbody_zuora_origin": mapping.OriginZuora}, [2]string{inv2.IntegrationID, "1.00"})
	pNo := newPayment(aI, "1.00", map[string]any{"custbody_zuora_sync_updates": "No"}, [2]string{inv2.IntegrationID, "1.00"})
	type want struct {
		acct      string
		amount    string
		invs, dms map[string]string
		unapplied string
	}
	wants := map[string]want{
		pInv: {aI, "3.00", map[string]string{inv1.ID: "2.00"}, nil, "1.00"},
		pDM:  {dm.AccountID, "1.50", nil, map[string]string{dm.ID: "1.50"}, "0.00"},
		pUn:  {aI, "5.00", nil, nil, "5.00"},
	}

	s.Advanced.NetSuitePaymentSync = true
	s.Payments.NetSuiteMethods = map[string]string{nsCheck: "zpm-external-check"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
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
	check := func(step string) map[string][]zuora.Payment {
		t.Helper()
		byNS := zpays()
		if len(byNS) != len(wants) {
			t.Fatalf("%s: Zuora payments by NetSuite id %v, want one for each of %d", step, byNS, len(wants))
		}
		for nsID, w := range wants {
			got := byNS[nsID]
			if len(got) != 1 {
				t.Fatalf("%s: NetSuite payment %s has %d Zuora payments, want 1", step, nsID, len(got))
			}
			p := got[0]
			if p.Status != "Processed" || p.Type != "External" || p.AccountID != w.acct || !p.Amount.Equal(decimal.RequireFromString(w.amount)) ||
				!p.UnappliedAmount.Equal(decimal.RequireFromString(w.unapplied)) || p.TransferredToAccounting != zuora.TransferYes ||
				p.Origin != mapping.OriginNetSuite || p.PaymentMethodID != "zpm-external-check" {
				t.Fatalf("%s: Zuora payment of NetSuite payment %s: %+v (want %+v)", step, nsID, p, w)
			}
			parts, err := e.Zuora.ListPaymentParts(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			gotInv, gotDM := mapping.PaymentPartsByDoc(parts)
			for _, pair := range []struct {
				got  map[string]decimal.Decimal
				want map[string]string
			}{{gotInv, w.invs}, {gotDM, w.dms}} {
				if len(pair.got) != len(pair.want) {
					t.Fatalf("%s: payment %s parts %v / %v, want %v / %v", step, p.PaymentNumber, gotInv, gotDM, w.invs, w.dms)
				}
				for doc, amt := range pair.want {
					if !pair.got[doc].Equal(decimal.RequireFromString(amt)) {
						t.Fatalf("%s: payment %s holds %s on %s, want %s", step, p.PaymentNumber, pair.got[doc], doc, amt)
					}
				}
			}
			var row nsPaymentRow
			if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, nsID, false, &row); err != nil {
				t.Fatal(err)
			}
			if row.ZuoraID != p.ID || row.Origin != mapping.OriginNetSuite || row.Status != zuora.StatusSyncComplete {
				t.Fatalf("%s: NetSuite payment %s written back %+v, want Zuora id %s, NETSUITE, Sync Complete", step, nsID, row, p.ID)
			}
		}
		for _, nsID := range []string{pZ, pNo} {
			if len(byNS[nsID]) != 0 {
				t.Fatalf("%s: NetSuite payment %s (Origin ZUORA or Sync Updates not Yes) is in Zuora: %+v", step, nsID, byNS[nsID])
			}
		}
		return byNS
	}

	first := e.RunSync(ctx, "nsis-first", s, workflows.PhasePayments, workflows.PhaseNetSuitePayments)
	if first.Progress.NetSuitePayments.Synced != 3 || first.Progress.NetSuitePayments.Errored != 0 || first.Progress.NetSuitePayments.Selected != 3 {
		t.Fatalf("first run: NetSuite payments %+v, errors %v, disabled %v", first.Progress.NetSuitePayments, first.Errors, first.DisabledReasons)
	}
	byNS := check("first run")
	if after := e.Invoices(ctx); !after[inv1.ID].Balance.Equal(inv1.Balance.Sub(two)) {
		t.Fatalf("invoice %s balance %s, was %s, paid 2.00", inv1.InvoiceNumber, after[inv1.ID].Balance, inv1.Balance)
	}

	again := e.RunSync(ctx, "nsis-again", s, workflows.PhasePayments, workflows.PhaseNetSuitePayments)
	if again.Progress.NetSuitePayments.Synced != 0 || again.Progress.NetSuitePayments.Errored != 0 || again.Progress.Payments.Selected != 0 {
		t.Fatalf("second run: NetSuite payments %+v, Zuora payments %+v, errors %v", again.Progress.NetSuitePayments, again.Progress.Payments, again.Errors)
	}
	check("second run")

	// A crash after the Zuora create, before the NetSuite write-back: the
	// next run finds the Zuora payment by IntegrationId__NS, makes none.
	if err := e.NetSuite.Patch(ctx, netsuite.TypeCustomerPayment, pDM, map[string]any{
		"custbody_zuora_id": "", "custbody_zuora_integration_status": "Creating Payment", "custbody_zuora_origin": "",
	}); err != nil {
		t.Fatal(err)
	}
	crash := e.RunSync(ctx, "nsis-after-crash", s, workflows.PhaseNetSuitePayments)
	if crash.Progress.NetSuitePayments.Synced != 1 || crash.Progress.NetSuitePayments.Errored != 0 {
		t.Fatalf("after the crash: %+v %v", crash.Progress.NetSuitePayments, crash.Errors)
	}
	check("after the crash")

	// NetSuite moves the 2.00 from inv1 to inv2.
	if err := e.NetSuite.Patch(ctx, netsuite.TypeCustomerPayment, pInv, map[string]any{"apply": map[string]any{"items": []any{
		map[string]any{"doc": map[string]any{"id": inv2.IntegrationID}, "apply": true, "amount": "2.00"}}}}, "apply"); err != nil {
		t.Fatal(err)
	}
	moved := e.RunSync(ctx, "nsis-moved", s, workflows.PhasePayments, workflows.PhaseNetSuitePayments)
	if moved.Progress.NetSuitePayments.Synced != 1 || moved.Progress.NetSuitePayments.Errored != 0 {
		t.Fatalf("after the change: NetSuite payments %+v, errors %v", moved.Progress.NetSuitePayments, moved.Errors)
	}
	w := wants[pInv]
	w.invs = map[string]string{inv2.ID: "2.00"}
	wants[pInv] = w
	if got := check("after the change"); got[pInv][0].ID != byNS[pInv][0].ID {
		t.Fatalf("the changed payment is a new Zuora payment %s, was %s", got[pInv][0].ID, byNS[pInv][0].ID)
	}
	after := e.Invoices(ctx)
	if !after[inv1.ID].Balance.Equal(inv1.Balance) || !after[inv2.ID].Balance.Equal(inv2.Balance.Sub(two)) {
		t.Fatalf("balances after the change: %s %s (was %s) and %s %s (was %s)", inv1.InvoiceNumber, after[inv1.ID].Balance, inv1.Balance,
			inv2.InvoiceNumber, after[inv2.ID].Balance, inv2.Balance)
	}
	recon := e.Reconcile(ctx, "nsis-recon", workflows.ReconcileInput{From: "2000-01-01", To: "2099-12-31", Settings: s})
	for _, d := range recon.Differences {
		t.Logf("  %-13s %-10s %-12s %s", d.Kind, d.RecordType, d.Number, d.Detail)
	}
	if !recon.Clean() {
		t.Fatalf("money reconciliation after the NetSuite payments: %+v", recon.Counts)
	}

	// §3.11: Zuora does not change a processed payment's amount.
	if err := e.NetSuite.Patch(ctx, netsuite.TypeCustomerPayment, pUn, map[string]any{"payment": "6.00"}); err != nil {
		t.Fatal(err)
	}
	changed := e.RunSync(ctx, "nsis-amount", s, workflows.PhaseNetSuitePayments)
	if changed.Progress.NetSuitePayments.Errored != 1 || len(changed.Errors) != 1 || !strings.Contains(changed.Errors[0].Reason, "cancel Zuora payment") {
		t.Fatalf("amount changed: %+v %v", changed.Progress.NetSuitePayments, changed.Errors)
	}
	if RecordingHistories() {
		// One IS payment through create, unchanged, changed (apply/unapply), and the IS phase's version marker.
		SaveHistories(ctx, t, e.Temporal, workflows.NetSuitePaymentWorkflowID(pInv), "one-record-is")
		SaveHistories(ctx, t, e.Temporal, "nsis-first", "netsuitepayments-is-phase")
	}
	if got := zpays()[pUn]; len(got) != 1 || !got[0].Amount.Equal(decimal.NewFromInt(5)) {
		t.Fatalf("after the amount change the Zuora payments of %s: %+v", pUn, got)
	}
	var row nsPaymentRow
	if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, pUn, false, &row); err != nil || !strings.HasPrefix(row.Status, "Error") || !strings.Contains(row.Status, "cancel Zuora payment") {
		t.Fatalf("NetSuite payment %s after the amount change: %+v (%v)", pUn, row, err)
	}
}
