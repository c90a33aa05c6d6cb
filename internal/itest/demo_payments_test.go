package itest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// hints of each payment rule's reason (what it tells a finance user).
var paymentReasonByRule = map[string]string{
	mapping.RulePaymentDocSynced: "not in NetSuite yet",
	mapping.RulePaymentMethod:    "no NetSuite payment method for Zuora payment method type PayPal",
}

// The demo tenant's payments (fixture.DemoPaymentCases): after the full run
// make demo makes, each payment is in NetSuite once with Zuora's amount and
// applications, in Error with its reason, or untouched, as its case says.
func TestDemoTenant_EveryPaymentCaseEndsAsTheReferenceSays(t *testing.T) {
	f := fixture.Demo()
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res := e.RunSync(ctx, "itest-demo-payments", demoSettings(t))
	t.Logf("payments: %+v", res.Progress.Payments)

	pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]zuora.Payment{}
	for _, p := range pays {
		byID[p.ID] = p
	}
	invs := e.Invoices(ctx)
	nsByNumber := map[string]string{}
	for _, inv := range invs {
		nsByNumber[inv.InvoiceNumber] = inv.IntegrationID
	}
	runErrors := map[string]string{}
	for _, re := range res.Errors {
		runErrors[re.ID] = re.Reason
	}
	synced, errored := 0, 0
	for _, c := range fixture.DemoPaymentCases {
		p, ok := byID[c.PaymentID]
		if !ok {
			t.Errorf("%s: payment missing from Zuora", c.PaymentNumber)
			continue
		}
		var ns struct {
			ID      string `json:"id"`
			Payment string `json:"payment"`
			Apply   struct {
				Items []struct {
					Doc    struct{ ID string } `json:"doc"`
					Amount string              `json:"amount"`
				} `json:"items"`
			} `json:"apply"`
		}
		nsErr := e.NetSuite.Get(ctx, netsuite.TypeCustomerPayment, "eid:"+netsuite.PaymentExternalID(p.ID), true, &ns)
		switch c.Expect {
		case fixture.ExpectYes:
			synced++
			if p.TransferredToAccounting != zuora.TransferYes || p.IntegrationStatus != zuora.StatusSyncComplete || p.IntegrationID == "" {
				t.Errorf("%s (%s): Transferred %q, status %q, id %q; want Yes, Sync Complete, a NetSuite id",
					c.PaymentNumber, c.Rule, p.TransferredToAccounting, p.IntegrationStatus, p.IntegrationID)
				continue
			}
			if nsErr != nil || ns.ID != p.IntegrationID {
				t.Errorf("%s (%s): NetSuite payment %q (%v), want the one Zuora names (%s)", c.PaymentNumber, c.Rule, ns.ID, nsErr, p.IntegrationID)
				continue
			}
			want := map[string]decimal.Decimal{}
			total := decimal.Zero
			for number, amount := range c.Applied {
				want[nsByNumber[number]] = decimal.RequireFromString(amount)
				total = total.Add(decimal.RequireFromString(amount))
			}
			if !decimal.RequireFromString(ns.Payment).Equal(total) || len(ns.Apply.Items) != len(want) {
				t.Errorf("%s (%s): NetSuite payment %s with %d apply rows; want %s over %d", c.PaymentNumber, c.Rule, ns.Payment, len(ns.Apply.Items), total, len(want))
			}
			for _, row := range ns.Apply.Items {
				if w, ok := want[row.Doc.ID]; !ok || !decimal.RequireFromString(row.Amount).Equal(w) {
					t.Errorf("%s (%s): applies %s to %s; want %v", c.PaymentNumber, c.Rule, row.Amount, row.Doc.ID, c.Applied)
				}
			}
		case fixture.ExpectError:
			errored++
			hint := paymentReasonByRule[c.Reason]
			if hint == "" {
				t.Errorf("%s: demo case names %q, which this test has no hint for", c.PaymentNumber, c.Reason)
			}
			if p.TransferredToAccounting != zuora.TransferError || !strings.Contains(p.IntegrationStatus, hint) {
				t.Errorf("%s (%s): Transferred %q, status %q; want Error with a reason containing %q", c.PaymentNumber, c.Rule, p.TransferredToAccounting, p.IntegrationStatus, hint)
			}
			if !strings.Contains(runErrors[c.PaymentID], hint) {
				t.Errorf("%s (%s): run result reason %q lacks %q", c.PaymentNumber, c.Rule, runErrors[c.PaymentID], hint)
			}
			if nsErr == nil {
				t.Errorf("%s (%s): a failed validation made NetSuite payment %s", c.PaymentNumber, c.Rule, ns.ID)
			}
		case fixture.ExpectNotSelected:
			// Untouched: Transferred To Accounting still No (or never set), no
			// status, nothing in NetSuite.
			untouched := (p.TransferredToAccounting == "" || p.TransferredToAccounting == zuora.TransferNo) && p.IntegrationStatus == ""
			if !untouched || nsErr == nil {
				t.Errorf("%s (%s): not to be synced, but Transferred %q, status %q, NetSuite %q", c.PaymentNumber, c.Rule, p.TransferredToAccounting, p.IntegrationStatus, ns.ID)
			}
		default:
			t.Errorf("%s: unknown expectation %q", c.PaymentNumber, c.Expect)
		}
	}
	if res.Progress.Payments.Synced != synced || res.Progress.Payments.Errored != errored {
		t.Errorf("run payments %+v; the demo cases make %d synced and %d in Error", res.Progress.Payments, synced, errored)
	}
}
