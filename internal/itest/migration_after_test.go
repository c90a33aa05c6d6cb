package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// What a team makes in Zuora after the migration, through the IS endpoints
// (issue 16, "the next scheduled run syncs the new IS objects without any
// operator step"): a credit memo applied to an invoice, a debit memo, and,
// where the sandbox has POST /v1/payments, a payment applied to the invoice
// and the debit memo with an unapplied rest.
type afterMigration struct {
	account    string
	invoice    zuora.Invoice
	creditMemo string
	debitMemo  string
	payment    string // "" when the sandbox has no POST /v1/payments
	refund     string // of the payment's unapplied rest; "" when the sandbox cannot make it
}

var (
	afterCreditMemo = decimal.RequireFromString("10.00")
	afterDebitMemo  = decimal.RequireFromString("20.00")
	afterPayInvoice = decimal.RequireFromString("5.00")
	afterPayDM      = decimal.RequireFromString("7.00")
	afterPayment    = decimal.RequireFromString("15.00") // 3.00 stays unapplied
	afterRefund     = decimal.RequireFromString("3.00")  // the unapplied rest, refunded
)

// migrationExtras adds what the objects made after the migration need and a
// real tenant has: a tenant-level Check payment method in Zuora and a
// NetSuite payment method of that name (§1.6 matches them by name).
func migrationExtras(f *fixture.Fixture) {
	f.Zuora.Objects[zuora.ObjPaymentMethod] = append(f.Zuora.Objects[zuora.ObjPaymentMethod],
		fixture.Record{"Id": "zpm-after-migration-check", "Type": "Check", "PaymentMethodStatus": "Active"})
	f.NetSuite.Records[netsuite.TypePaymentMethod] = append(f.NetSuite.Records[netsuite.TypePaymentMethod],
		fixture.Record{"id": "99601", "name": "Check"})
}

// zuoraREST sends one authenticated v1 request with the given credentials
// (the test's own calls; the connector's go through its client).
func (e *Env) zuoraREST(ctx context.Context, creds zuora.Credentials, method, path, body string, hdr map[string]string) (int, string) {
	t := e.T
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {creds.ClientID}, "client_secret": {creds.ClientSecret}}
	req, _ := http.NewRequestWithContext(ctx, "POST", e.Sandbox.ZuoraURL()+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := HTTPClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.AccessToken == "" {
		t.Fatalf("no Zuora token for the test's call (status %d)", resp.StatusCode)
	}
	req, _ = http.NewRequestWithContext(ctx, method, e.Sandbox.ZuoraURL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err = HTTPClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// makeISObjectsAfterMigration picks an Active account in NetSuite with a
// synced open invoice and makes the new IS objects on it.
func (e *Env) makeISObjectsAfterMigration(ctx context.Context, creds zuora.Credentials, charge string) afterMigration {
	t := e.T
	t.Helper()
	accts, err := zuora.QueryAll[zuora.Account](ctx, e.Zuora, "select Id, Status, IntegrationId__NS from Account")
	if err != nil {
		t.Fatal(err)
	}
	active := map[string]bool{}
	for _, a := range accts {
		active[a.ID] = a.Status == "Active" && a.IntegrationID != ""
	}
	var a afterMigration
	for _, inv := range e.Invoices(ctx) {
		if active[inv.AccountID] && inv.Status == "Posted" && inv.IntegrationID != "" && inv.TransferredToAccounting == zuora.TransferYes &&
			inv.Balance.GreaterThanOrEqual(afterCreditMemo.Add(afterPayInvoice)) && (a.invoice.ID == "" || inv.ID < a.invoice.ID) {
			a.account, a.invoice = inv.AccountID, inv
		}
	}
	if a.invoice.ID == "" {
		t.Fatal("no synced open invoice of an Active account to apply the new IS objects to")
	}
	today := time.Now().UTC().Format("2006-01-02")

	// A credit memo from a charge, applied to the invoice.
	cm, err := e.Zuora.CreateCreditMemo(ctx, zuora.CreditMemoFromCharge{AccountID: a.account, AutoPost: true, EffectiveDate: today,
		Charges: []zuora.CreditMemoCharge{{ChargeID: charge, Amount: afterCreditMemo}}, Comment: "after the migration"}, "itest-after-migration-cm")
	if err != nil {
		t.Fatalf("credit memo after the migration: %v", err)
	}
	var app zuora.CreditMemoApplication
	app.Invoices = append(app.Invoices, struct {
		InvoiceID string          `json:"invoiceId"`
		Amount    decimal.Decimal `json:"amount"`
	}{a.invoice.ID, afterCreditMemo})
	if err := e.Zuora.ApplyCreditMemo(ctx, cm.ID, app); err != nil {
		t.Fatalf("applying credit memo %s: %v", cm.Number, err)
	}
	a.creditMemo = cm.ID

	// A debit memo from a charge (POST /v1/debitmemos), posted.
	status, body := e.zuoraREST(ctx, creds, "POST", "/v1/debitmemos", fmt.Sprintf(`{"accountId":%q,"autoPost":true,"effectiveDate":%q,
		"reasonCode":"Charge Dispute","charges":[{"chargeId":%q,"amount":%s}]}`, a.account, today, charge, afterDebitMemo), map[string]string{"zuora-version": "224.0"})
	var dm struct {
		ID string `json:"id"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &dm) != nil || dm.ID == "" {
		t.Fatalf("debit memo after the migration: %d %s", status, body)
	}
	a.debitMemo = dm.ID

	// A payment applied to the invoice and the debit memo, the rest
	// unapplied (POST /v1/payments, IS only). The sandbox gains it with the
	// IS NetSuite → Zuora payment work; until then the test says so.
	status, body = e.zuoraREST(ctx, creds, "POST", "/v1/payments", fmt.Sprintf(`{"accountId":%q,"amount":%s,"currency":"USD","type":"External",
		"effectiveDate":%q,"paymentMethodId":"zpm-after-migration-check","comment":"after the migration",
		"invoices":[{"invoiceId":%q,"amount":%s}],"debitMemos":[{"debitMemoId":%q,"amount":%s}]}`,
		a.account, afterPayment, today, a.invoice.ID, afterPayInvoice, a.debitMemo, afterPayDM), nil)
	switch {
	case status == 404 && strings.Contains(body, "no such resource"):
		t.Logf("the sandbox has no POST /v1/payments yet: no payment made after the migration")
	case status == 200:
		var p struct {
			ID string `json:"id"`
		}
		if json.Unmarshal([]byte(body), &p) != nil || p.ID == "" {
			t.Fatalf("payment after the migration: %s", body)
		}
		a.payment = p.ID
	default:
		t.Fatalf("payment after the migration: %d %s", status, body)
	}

	// The payment's unapplied rest refunded (on IS a payment refund takes
	// from the unapplied amount: POST /v1/payments/{key}/refunds).
	if a.payment != "" {
		status, body = e.zuoraREST(ctx, creds, "POST", "/v1/payments/"+a.payment+"/refunds", fmt.Sprintf(`{"totalAmount":%s,"type":"External",
			"methodType":"Check","refundDate":%q,"comment":"after the migration"}`, afterRefund, today), nil)
		switch {
		case status == 404 && strings.Contains(body, "no such resource"):
			t.Logf("the sandbox has no POST /v1/payments/{key}/refunds yet: no refund made after the migration")
		case status == 200:
			var r struct {
				ID string `json:"id"`
			}
			if json.Unmarshal([]byte(body), &r) != nil || r.ID == "" {
				t.Fatalf("refund after the migration: %s", body)
			}
			a.refund = r.ID
		default:
			t.Fatalf("refund after the migration: %d %s", status, body)
		}
	}
	t.Logf("after the migration: credit memo %s, debit memo %s, payment %q, refund %q on invoice %s of account %s",
		cm.Number, a.debitMemo, a.payment, a.refund, a.invoice.InvoiceNumber, a.account)
	return a
}

// triggerScheduled fires the schedule now and waits for the run it starts
// (the one not among seen), returning its result and id.
func (e *Env) triggerScheduled(ctx context.Context, sched client.ScheduleHandle, seen map[string]bool) (workflows.SyncRunResult, string) {
	t := e.T
	t.Helper()
	if err := sched.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	runID := ""
	for runID == "" {
		desc, err := sched.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, act := range desc.Info.RecentActions {
			if id := act.StartWorkflowResult.WorkflowID; !seen[id] {
				runID = id
			}
		}
		if runID == "" {
			select {
			case <-ctx.Done():
				t.Fatal("the schedule started no run")
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	seen[runID] = true
	var res workflows.SyncRunResult
	if err := e.Temporal.GetWorkflow(ctx, runID, "").Get(ctx, &res); err != nil {
		t.Fatalf("the scheduled run %s: %v", runID, err)
	}
	return res, runID
}

// checkISObjectsAfterMigration: each new object is in NetSuite once, with
// its amount and applications, and the invoice's amount remaining is its
// Zuora balance.
func (e *Env) checkISObjectsAfterMigration(ctx context.Context, a afterMigration) {
	t := e.T
	t.Helper()
	count := func(ext string) int {
		rows, err := e.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(ext)+" ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	cm, err := e.Zuora.GetCreditMemo(ctx, a.creditMemo)
	if err != nil {
		t.Fatal(err)
	}
	e.checkCreditMemo(ctx, *cm) // once by external id, its total, each part as an apply row
	if !cm.AppliedAmount.Equal(afterCreditMemo) {
		t.Errorf("credit memo %s applied %s in Zuora, want %s", cm.Number, cm.AppliedAmount, afterCreditMemo)
	}

	dm, err := e.Zuora.GetDebitMemo(ctx, a.debitMemo)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(netsuite.DebitMemoExternalID(dm.ID)); n != 1 || dm.TransferredToAccounting != zuora.TransferYes || dm.IntegrationID == "" {
		t.Errorf("debit memo %s: %d NetSuite records, Zuora %q / %q", dm.Number, n, dm.TransferredToAccounting, dm.IntegrationStatus)
	} else if inv, err := e.NetSuite.GetTransaction(ctx, netsuite.TypeInvoice, dm.IntegrationID); err != nil || inv.Total == nil || !inv.Total.Equal(afterDebitMemo) {
		t.Errorf("debit memo %s: NetSuite invoice %+v (%v), want a total of %s", dm.Number, inv, err, afterDebitMemo)
	}

	var inv zuora.Invoice
	if err := e.Zuora.GetObject(ctx, zuora.ObjInvoice, a.invoice.ID, &inv); err != nil {
		t.Fatal(err)
	}
	if a.payment != "" {
		pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select "+mapping.PaymentFields+" from Payment where Id = "+zuora.Quote(a.payment))
		if err != nil || len(pays) != 1 {
			t.Fatalf("payment %s: %v %v", a.payment, pays, err)
		}
		p := pays[0]
		if n := count(netsuite.PaymentExternalID(p.ID)); n != 1 || p.TransferredToAccounting != zuora.TransferYes || p.IntegrationID == "" {
			t.Errorf("payment %s: %d NetSuite records, Zuora %q / %q", p.PaymentNumber, n, p.TransferredToAccounting, p.IntegrationStatus)
		} else {
			got := e.nsPayment(ctx, p.IntegrationID).applied()
			if !got[inv.IntegrationID].Equal(afterPayInvoice) || !got[dm.IntegrationID].Equal(afterPayDM) {
				t.Errorf("payment %s applies %v in NetSuite; want %s to invoice %s and %s to debit memo %s's invoice %s",
					p.PaymentNumber, got, afterPayInvoice, inv.IntegrationID, afterPayDM, dm.Number, dm.IntegrationID)
			}
			e.checkISPaymentsAsParts(ctx, []zuora.Payment{p}) // its parts, and its unapplied rest less the refund
		}
		if a.refund != "" {
			refs, err := zuora.QueryAll[zuora.Refund](ctx, e.Zuora, "select "+mapping.RefundFields+" from Refund where Id = "+zuora.Quote(a.refund))
			if err != nil || len(refs) != 1 {
				t.Fatalf("refund %s: %v %v", a.refund, refs, err)
			}
			if n := count(netsuite.RefundExternalID(a.refund)); n != 1 || !refs[0].Amount.Equal(afterRefund) {
				t.Errorf("refund %s of %s: %d NetSuite records, want 1 of %s", refs[0].RefundNumber, refs[0].Amount, n, afterRefund)
			}
			e.checkISRefund(ctx, refs[0], p) // its amount, applied to the payment's NetSuite payment
		}
	}
	want := a.invoice.Balance.Sub(afterCreditMemo)
	if a.payment != "" {
		want = want.Sub(afterPayInvoice)
	}
	if !inv.Balance.Equal(want) {
		t.Errorf("invoice %s Zuora balance %s, want %s", inv.InvoiceNumber, inv.Balance, want)
	}
	if got := e.amountRemaining(ctx, netsuite.TypeInvoice, inv.IntegrationID); !got.Equal(inv.Balance) {
		t.Errorf("invoice %s: NetSuite amount remaining %s, Zuora balance %s", inv.InvoiceNumber, got, inv.Balance)
	}
}
