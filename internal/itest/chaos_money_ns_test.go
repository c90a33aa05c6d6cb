package itest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/api/enums/v1"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// nsMoney is what the money chaos test entered in NetSuite for the
// NetSuite → Zuora phases, and what each should become in Zuora.
type nsMoney struct {
	check    string                                // NetSuite "Check" payment method
	payments map[string]map[string]decimal.Decimal // NetSuite payment -> Zuora invoice -> amount applied
	refunds  map[string]zuora.Payment              // NetSuite refund -> the Zuora payment it refunds in full
	memos    map[string]string                     // NetSuite refund -> its NetSuite credit memo
	entered  map[string]bool                       // every NetSuite transaction the test entered
}

// enterNetSuiteMoney enters, through the NetSuite API, four customer
// payments on open synced invoices (one across two invoices) and two
// credit memo + customer refund pairs each refunding a whole Zuora payment
// (Create Zuora Refund ticked, the payment chosen; reference money-sync §5).
// Amounts fit the Zuora balances, so each can be made in Zuora.
func enterNetSuiteMoney(ctx context.Context, e *Env, f *fixture.Fixture) *nsMoney {
	t := e.T
	t.Helper()
	m := &nsMoney{payments: map[string]map[string]decimal.Decimal{}, refunds: map[string]zuora.Payment{}, memos: map[string]string{}, entered: map[string]bool{}}
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		if pm["name"] == "Check" {
			m.check = fmt.Sprint(pm["id"])
		}
	}
	accts := map[string]zuora.Account{}
	for _, a := range e.zAccounts(ctx) {
		accts[a.ID] = a
	}
	// Accounts whose NetSuite customer knows its Zuora account (the NetSuite
	// payment sync finds the account so, §3.3).
	known := map[string]bool{}
	for id, a := range accts {
		var cust struct {
			ZuoraID string `json:"custentity_zuora_id"`
		}
		if a.IntegrationID != "" && e.NetSuite.Get(ctx, netsuite.TypeCustomer, a.IntegrationID, false, &cust) == nil && cust.ZuoraID == id {
			known[id] = true
		}
	}
	// Invoices a refunded payment was applied to are left out: their Zuora
	// balance has the refunded money back while NetSuite's amount remaining
	// gets it back only when the refund phase runs, after the payments.
	type ipRow struct {
		InvoiceID    string          `json:"InvoiceId"`
		RefundAmount decimal.Decimal `json:"RefundAmount"`
	}
	ips, err := zuora.QueryAll[ipRow](ctx, e.Zuora, "select InvoiceId, RefundAmount from InvoicePayment")
	if err != nil {
		t.Fatal(err)
	}
	refunded := map[string]bool{}
	for _, x := range ips {
		refunded[x.InvoiceID] = refunded[x.InvoiceID] || x.RefundAmount.IsPositive()
	}
	var open []zuora.Invoice
	for _, inv := range e.Invoices(ctx) {
		if known[inv.AccountID] && !refunded[inv.ID] && inv.IntegrationID != "" && inv.Balance.GreaterThan(decimal.NewFromInt(4)) {
			open = append(open, inv)
		}
	}
	sort.Slice(open, func(i, j int) bool { return open[i].ID < open[j].ID })
	byAcct := map[string][]zuora.Invoice{}
	for _, inv := range open {
		byAcct[inv.AccountID] = append(byAcct[inv.AccountID], inv)
	}
	today := time.Now().UTC().Format("2006-01-02")
	pay := func(acct string, invs ...zuora.Invoice) {
		t.Helper()
		items := make([]any, len(invs))
		total, apply := decimal.Zero, map[string]decimal.Decimal{}
		for i, inv := range invs {
			amt := inv.Balance.Div(decimal.NewFromInt(3)).Round(2)
			total, apply[inv.ID] = total.Add(amt), amt
			items[i] = map[string]any{"doc": map[string]any{"id": inv.IntegrationID}, "apply": true, "amount": amt.StringFixed(2)}
		}
		id, err := e.NetSuite.Create(ctx, netsuite.TypeCustomerPayment, map[string]any{"customer": map[string]any{"id": accts[acct].IntegrationID},
			"payment": total.StringFixed(2), "tranDate": today, "paymentMethod": map[string]any{"id": m.check},
			"memo": "entered in NetSuite (chaos)", "apply": map[string]any{"items": items}})
		if err != nil {
			t.Fatalf("entering a NetSuite payment: %v", err)
		}
		m.payments[id], m.entered[id] = apply, true
	}
	var accounts []string
	for a := range byAcct {
		accounts = append(accounts, a)
	}
	sort.Slice(accounts, func(i, j int) bool {
		return len(byAcct[accounts[i]]) > len(byAcct[accounts[j]]) || accounts[i] < accounts[j] && len(byAcct[accounts[i]]) == len(byAcct[accounts[j]])
	})
	if len(accounts) < 3 || len(byAcct[accounts[0]]) < 3 {
		t.Fatalf("too few open synced invoices for the NetSuite payments: %d accounts", len(accounts))
	}
	a0 := byAcct[accounts[0]]
	pay(accounts[0], a0[0])
	pay(accounts[0], a0[1], a0[2]) // one payment across two invoices
	pay(accounts[1], byAcct[accounts[1]][0])
	pay(accounts[2], byAcct[accounts[2]][0])

	// Refunds of whole Zuora payments nothing has refunded yet.
	type refundable struct {
		zuora.Payment
		RefundAmount decimal.Decimal `json:"RefundAmount"`
	}
	pays, err := zuora.QueryAll[refundable](ctx, e.Zuora, "select "+mapping.PaymentFields+", RefundAmount from Payment where Status = 'Processed'")
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(pays, func(i, j int) bool { return pays[i].ID < pays[j].ID })
	items := e.nsItems(ctx)
	for _, p := range pays {
		if len(m.refunds) == 2 {
			break
		}
		cust := accts[p.AccountID].IntegrationID
		if !p.RefundAmount.IsZero() || cust == "" || !known[p.AccountID] {
			continue
		}
		amount := p.Amount.StringFixed(2)
		cm, err := e.NetSuite.Create(ctx, netsuite.TypeCreditMemo, map[string]any{"entity": map[string]any{"id": cust}, "tranDate": today,
			"item":                         map[string]any{"items": []any{map[string]any{"item": map[string]any{"id": items[0].ID}, "quantity": 1, "amount": amount}}},
			"custbody_zuora_create_refund": true, "custbody_zuora_refund_payment_ref": p.ID})
		if err != nil {
			t.Fatalf("entering a NetSuite credit memo: %v", err)
		}
		ref, err := e.NetSuite.Create(ctx, netsuite.TypeCustomerRefund, map[string]any{"customer": map[string]any{"id": cust}, "tranDate": today,
			"paymentMethod": map[string]any{"id": m.check}, "memo": "refund entered in NetSuite (chaos)",
			"apply": map[string]any{"items": []any{map[string]any{"doc": map[string]any{"id": cm}, "apply": true, "amount": amount}}}})
		if err != nil {
			t.Fatalf("entering a NetSuite refund: %v", err)
		}
		m.refunds[ref], m.memos[ref], m.entered[ref], m.entered[cm] = p.Payment, cm, true, true
	}
	if m.check == "" || len(m.refunds) != 2 || len(items) == 0 {
		t.Fatalf("NetSuite Check %q, %d refundable Zuora payments, %d items", m.check, len(m.refunds), len(items))
	}
	return m
}

// waitStarted waits (under faults: failed reads are retried) until a Zuora
// payment or refund names one of the NetSuite records, or the run ended;
// true when the NetSuite → Zuora phases began while the run was open.
func (m *nsMoney) waitStarted(ctx context.Context, e *Env, runID string) bool {
	// By IntegrationId__NS, as the sync itself looks (§0.3).
	var payIDs, refIDs []string
	for id := range m.payments {
		payIDs = append(payIDs, "IntegrationId__NS = "+zuora.Quote(id))
	}
	for id := range m.refunds {
		refIDs = append(refIDs, "IntegrationId__NS = "+zuora.Quote(id))
	}
	queries := []string{"select Id from Payment where " + strings.Join(payIDs, " or "), "select Id from Refund where " + strings.Join(refIDs, " or ")}
	var lastErr error
	deadline := time.Now().Add(4 * time.Minute) // the Zuora → NetSuite phases come first and take long under faults
	for time.Now().Before(deadline) && ctx.Err() == nil {
		desc, err := e.Temporal.DescribeWorkflowExecution(ctx, runID, "")
		if err == nil && desc.WorkflowExecutionInfo.Status != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
			e.T.Logf("the run ended before the NetSuite → Zuora phases were seen")
			return false
		}
		for _, q := range queries {
			rows, err := zuora.QueryAll[struct {
				ID string `json:"Id"`
			}](ctx, e.Zuora, q)
			if err == nil && len(rows) > 0 {
				return true
			}
			if err != nil {
				lastErr = err
			}
		}
		time.Sleep(time.Second) // light polling: the run shares Zuora's concurrency limit
	}
	e.T.Logf("no NetSuite → Zuora record seen within 4 minutes (last query error: %v)", lastErr)
	return false
}

// check1: each NetSuite payment is exactly one Zuora payment (of any
// status) with its amount and invoice payments, Processed; each NetSuite
// refund exactly one Zuora refund of its payment and amount; NetSuite holds
// the Zuora id and Sync Complete on each.
func (m *nsMoney) check1(ctx context.Context, e *Env) {
	t := e.T
	t.Helper()
	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment")
	if err != nil {
		t.Fatal(err)
	}
	byNS := map[string][]zuora.Payment{}
	for _, p := range pays {
		byNS[p.IntegrationID] = append(byNS[p.IntegrationID], p)
	}
	type ip struct {
		InvoiceID string          `json:"InvoiceId"`
		Amount    decimal.Decimal `json:"Amount"`
	}
	for nsID, apply := range m.payments {
		got := byNS[nsID]
		if len(got) != 1 {
			t.Errorf("NetSuite payment %s: %d Zuora payments %+v, want exactly 1", nsID, len(got), got)
			continue
		}
		p, total := got[0], decimal.Zero
		for _, a := range apply {
			total = total.Add(a)
		}
		if p.Status != "Processed" || !p.Amount.Equal(total) || p.Origin != mapping.OriginNetSuite || p.TransferredToAccounting != zuora.TransferYes {
			t.Errorf("Zuora payment of NetSuite payment %s: %+v, want Processed %s from NETSUITE", nsID, p, total)
		}
		ips, err := zuora.QueryAll[ip](ctx, e.Zuora, "select InvoiceId, Amount from InvoicePayment where PaymentId = "+zuora.Quote(p.ID))
		if err != nil {
			t.Fatal(err)
		}
		applied := map[string]decimal.Decimal{}
		for _, x := range ips {
			applied[x.InvoiceID] = applied[x.InvoiceID].Add(x.Amount)
		}
		for inv, amt := range apply {
			if !applied[inv].Equal(amt) || len(applied) != len(apply) {
				t.Errorf("Zuora payment %s applies %v, want %v", p.ID, applied, apply)
				break
			}
		}
		var row nsPaymentRow
		if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, nsID, false, &row); err != nil || row.ZuoraID != p.ID || row.Status != zuora.StatusSyncComplete {
			t.Errorf("NetSuite payment %s written back %+v (%v), want Zuora id %s, Sync Complete", nsID, row, err, p.ID)
		}
	}
	refunds, err := zuora.QueryAll[zuora.Refund](ctx, e.Zuora, "select "+mapping.RefundFields+" from Refund")
	if err != nil {
		t.Fatal(err)
	}
	refByNS := map[string][]zuora.Refund{}
	for _, r := range refunds {
		refByNS[r.IntegrationID] = append(refByNS[r.IntegrationID], r)
	}
	for nsID, p := range m.refunds {
		got := refByNS[nsID]
		if len(got) != 1 {
			t.Errorf("NetSuite refund %s: %d Zuora refunds %+v, want exactly 1", nsID, len(got), got)
			continue
		}
		r := got[0]
		if r.Status != "Processed" || r.PaymentID != p.ID || !r.Amount.Equal(p.Amount) || r.Origin != mapping.OriginNetSuite || r.TransferredToAccounting != zuora.TransferYes {
			t.Errorf("Zuora refund of NetSuite refund %s: %+v, want Processed %s of payment %s from NETSUITE", nsID, r, p.Amount, p.ID)
		}
		var row nsRefundRow
		if err := e.NetSuite.Get(ctx, netsuite.TypeCustomerRefund, nsID, false, &row); err != nil || row.ZuoraID != r.ID || row.Status != zuora.StatusSyncComplete {
			t.Errorf("NetSuite refund %s written back %+v (%v), want Zuora id %s, Sync Complete", nsID, row, err, r.ID)
		}
		if err := e.NetSuite.Get(ctx, netsuite.TypeCreditMemo, m.memos[nsID], false, &row); err != nil || row.Status != zuora.StatusSyncComplete {
			t.Errorf("NetSuite credit memo %s of refund %s written back %+v (%v), want Sync Complete", m.memos[nsID], nsID, row, err)
		}
	}
	t.Logf("NetSuite → Zuora: %d payments and %d refunds, each one Zuora record", len(m.payments), len(m.refunds))
}
