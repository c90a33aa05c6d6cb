package itest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// The money phases under Temporal's real semantics (issue 16): payments and
// refunds synced while NetSuite commits writes and drops the answer
// (ambiguous), answers 5xx and 429, Zuora answers lock codes, and the worker
// is SIGKILLed twice in the middle, including between a refund's two steps
// when the timing falls there. A second run with the faults off completes
// what ended in Error (it stays eligible). Afterwards, reading only through
// the two APIs: NetSuite holds exactly one customer payment per Zuora
// payment and one customer refund per Processed payment refund (counted over
// every payment and refund NetSuite has, whatever their external id), each
// payment applies Zuora's InvoicePayment amounts less what was refunded, each
// refund its amount, every invoice's amount remaining equals its Zuora
// balance, and nothing is left Processing. The NetSuite → Zuora phases
// (netsuitepayments, netsuiterefunds) run in the same run under the same
// faults, with a worker kill once they have begun: each payment and refund
// entered in NetSuite becomes exactly one Zuora record (counted over every
// Zuora payment and refund naming it, whatever their status), and NetSuite
// gets its Zuora id back.
func TestChaos_MoneyPhasesExactlyOnceUnderKillsAndAmbiguousWrites(t *testing.T) {
	f, err := fixture.Generate("seed=33,accounts=8,invoices=60,items=1-3,negative=0,tax=0.3,payments=40,refunds=15")
	if err != nil {
		t.Fatal(err)
	}
	// A tenant-level external payment method NetSuite checks map to (the
	// NetSuite → Zuora payments are External, reference money-sync §3.4).
	f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod],
		fixture.Record{"Id": "zpm-external-check", "Type": "Check", "PaymentMethodStatus": "Active"})
	nsFaults := sandbox.Faults{Concurrency: 15, AmbiguousRate: 0.1, ErrorRate: 0.05, RateLimitRate: 0.02}
	zFaults := sandbox.Faults{ErrorRate: 0.02, ZuoraLimits: sandbox.ZuoraLimits{LockRate: 0.03}}
	w := NewChaosWorld(t, f, sandbox.Faults{}, sandbox.Faults{})
	e := w.Env
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	s := settings.Default() // payment methods matched by name (§1.6)

	// The documents first, without faults: the money phases are under test.
	docs := e.RunSync(ctx, "chaos-money-docs", s, workflows.PhaseCustomers, workflows.PhaseCatalog, workflows.PhaseInvoices)
	if docs.Progress.Invoices.Errored != 0 {
		t.Fatalf("documents: %+v %v", docs.Progress.Invoices, docs.Errors)
	}

	// Payments and refunds entered in NetSuite, before the faults.
	ns := enterNetSuiteMoney(ctx, e, f)
	s.Advanced.NetSuitePaymentSync, s.Advanced.NetSuiteRefundSync = true, true
	s.Payments.NetSuiteMethods = map[string]string{ns.check: "zpm-external-check"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	phases := []string{workflows.PhasePayments, workflows.PhaseRefunds, workflows.PhaseNetSuitePayments, workflows.PhaseNetSuiteRefunds}

	w.SetFaults("netsuite", nsFaults)
	w.SetFaults("zuora", zFaults)
	const runID = "chaos-money-run"
	began := time.Now()
	if _, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: runID, TaskQueue: e.TaskQueue},
		workflows.SyncRunWorkflow, workflows.SyncRunInput{Settings: s, Only: phases}); err != nil {
		t.Fatal(err)
	}
	for _, after := range []time.Duration{1500 * time.Millisecond, 4 * time.Second} {
		time.Sleep(after)
		w.KillWorker(500 * time.Millisecond)
	}
	// Once the NetSuite → Zuora phases have begun (a Zuora record names a
	// NetSuite payment or refund), kill again: between a create and its
	// write-back when the timing falls there.
	nsKilled := ns.waitStarted(ctx, e, runID)
	if nsKilled {
		t.Logf("killing the worker in the NetSuite → Zuora phases, %s into the run", time.Since(began).Round(time.Second))
		w.KillWorker(500 * time.Millisecond)
	}
	var chaos workflows.SyncRunResult
	if err := w.WaitRun(ctx, runID, &chaos); err != nil {
		t.Fatal(err)
	}
	t.Logf("the run under faults took %s", time.Since(began).Round(time.Second))
	t.Logf("under faults (NetSuite → Zuora kill: %v): payments %+v, refunds %+v, NetSuite payments %+v, NetSuite refunds %+v; injected %v; events %v",
		nsKilled, chaos.Progress.Payments, chaos.Progress.Refunds, chaos.Progress.NetSuitePayments, chaos.Progress.NetSuiteRefunds, w.Injected(), w.Events)
	w.SetFaults("netsuite", sandbox.Faults{})
	w.SetFaults("zuora", sandbox.Faults{})
	again := e.RunSync(ctx, "chaos-money-again", s, phases...)
	t.Logf("second run: payments %+v, refunds %+v, NetSuite payments %+v, NetSuite refunds %+v",
		again.Progress.Payments, again.Progress.Refunds, again.Progress.NetSuitePayments, again.Progress.NetSuiteRefunds)
	ns.check1(ctx, e)

	// Zuora: every payment Yes with its NetSuite id; every Processed payment
	// refund Yes; nothing left Processing.
	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment")
	if err != nil {
		t.Fatal(err)
	}
	refunds, err := zuora.QueryAll[zuora.Refund](ctx, e.Zuora, "select "+mapping.RefundFields+" from Refund")
	if err != nil {
		t.Fatal(err)
	}
	wantRefunds := 0
	for _, p := range pays {
		if p.TransferredToAccounting != zuora.TransferYes || p.IntegrationID == "" {
			t.Errorf("payment %s: Transferred %q, status %q, NetSuite %q", p.PaymentNumber, p.TransferredToAccounting, p.IntegrationStatus, p.IntegrationID)
		}
	}
	for _, r := range refunds {
		if r.Status != "Processed" || r.SourceType != "Payment" {
			continue
		}
		wantRefunds++
		if r.TransferredToAccounting != zuora.TransferYes || r.IntegrationID == "" {
			t.Errorf("refund %s: Transferred %q, status %q, NetSuite %q", r.RefundNumber, r.TransferredToAccounting, r.IntegrationStatus, r.IntegrationID)
		}
	}
	if len(pays) != 40+len(ns.payments) || wantRefunds == 0 {
		t.Fatalf("tenant has %d payments and %d payment refunds; want 40 + %d from NetSuite and some", len(pays), wantRefunds, len(ns.payments))
	}

	// NetSuite: exactly one payment per Zuora payment and one refund per
	// payment refund, counted over every one NetSuite has.
	rows, err := e.NetSuite.QueryAll(ctx, "SELECT id, type, externalid FROM transaction WHERE type IN ('CustPymt', 'CustRfnd') ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range rows {
		count[fmt.Sprint(r["type"])]++
		if ns.entered[str(r["id"])] {
			continue // entered in NetSuite by the test
		}
		if ext := str(r["externalid"]); !strings.HasPrefix(ext, "zuora-payment-") && !strings.HasPrefix(ext, "zuora-refund-") {
			t.Errorf("NetSuite %v %v has external id %q: made outside the exactly-once path", r["type"], r["id"], ext)
		}
	}
	if count["CustPymt"] != len(pays) || count["CustRfnd"] != wantRefunds {
		t.Errorf("NetSuite has %d customer payments and %d customer refunds; Zuora %d payments and %d payment refunds",
			count["CustPymt"], len(pays), count["CustRfnd"], wantRefunds)
	}

	// Each NetSuite payment applies Zuora's InvoicePayment amounts less what
	// was refunded; each invoice's amount remaining is its Zuora balance.
	type ip struct {
		InvoiceID    string          `json:"InvoiceId"`
		PaymentID    string          `json:"PaymentId"`
		Amount       decimal.Decimal `json:"Amount"`
		RefundAmount decimal.Decimal `json:"RefundAmount"`
	}
	ips, err := zuora.QueryAll[ip](ctx, e.Zuora, "select InvoiceId, PaymentId, Amount, RefundAmount from InvoicePayment")
	if err != nil {
		t.Fatal(err)
	}
	invs := e.Invoices(ctx)
	want := map[string]map[string]decimal.Decimal{} // payment -> NetSuite invoice -> still applied
	for _, x := range ips {
		if want[x.PaymentID] == nil {
			want[x.PaymentID] = map[string]decimal.Decimal{}
		}
		doc := invs[x.InvoiceID].IntegrationID
		want[x.PaymentID][doc] = want[x.PaymentID][doc].Add(x.Amount.Sub(x.RefundAmount))
	}
	for _, p := range pays {
		if p.IntegrationID == "" {
			continue
		}
		got := e.nsPayment(ctx, p.IntegrationID).applied()
		for doc, amount := range want[p.ID] {
			if !got[doc].Equal(amount) {
				t.Errorf("payment %s applies %s to NetSuite invoice %s; Zuora still applies %s", p.PaymentNumber, got[doc], doc, amount)
			}
		}
	}
	for _, inv := range invs {
		if inv.IntegrationID == "" {
			continue
		}
		if got := e.amountRemaining(ctx, netsuite.TypeInvoice, inv.IntegrationID); !got.Equal(inv.Balance) {
			t.Errorf("invoice %s: NetSuite amount remaining %s, Zuora balance %s", inv.InvoiceNumber, got, inv.Balance)
		}
	}
}
