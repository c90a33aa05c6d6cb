package activities_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Reference money-sync §1.1 on a generated tenant: every Processed payment
// pending transfer on a synced account is selected once (keyset pages);
// one already transferred, one cancelled before the sync and one before the
// payment cutover date are not.
func TestSelectPayments_ProcessedPendingOnSyncedAccountsOncePerRun(t *testing.T) {
	f := generated(t, "seed=7,accounts=4,invoices=30,negative=0,payments=12")
	pays := f.Zuora.Objects["Payment"]
	if len(pays) != 12 {
		t.Fatalf("generated %d payments, want 12", len(pays))
	}
	pays[0]["TransferredToAccounting"] = "Yes"
	pays[1]["Status"] = "Canceled"
	a, _ := sandboxTenant(t, f)
	s := settings.Default()
	ids := allPages(t, a.SelectPayments, s, 5)
	if len(ids) != 10 {
		t.Fatalf("selected %d payments, want 10 (12 less one transferred, one cancelled): %v", len(ids), ids)
	}
	for _, id := range ids {
		if id == pays[0]["Id"] || id == pays[1]["Id"] {
			t.Fatalf("%s selected", id)
		}
	}
	latest := ""
	for _, p := range pays[2:] {
		if d := p["EffectiveDate"].(string); d > latest {
			latest = d
		}
	}
	s.Advanced.PaymentCutoverDate = latest
	after := allPages(t, a.SelectPayments, s, 5)
	if len(after) == 0 || len(after) >= len(ids) {
		t.Fatalf("with the cutover date %s: %d selected of %d", latest, len(after), len(ids))
	}
}

// Without Invoice Settlement the applications are InvoicePayment records;
// on an IS tenant the sandbox refuses that object as it refuses invoice item
// adjustments (docs/wire.md), so the payment parts must be read instead.
func TestInvoicePayments_ReadWithoutISRefusedOnIS(t *testing.T) {
	a, sb := sandboxTenant(t, generated(t, "seed=8,accounts=2,invoices=6,negative=0,payments=3"))
	ctx := context.Background()
	type ip struct {
		ID        string `json:"Id"`
		PaymentID string `json:"PaymentId"`
		InvoiceID string `json:"InvoiceId"`
	}
	got, err := zuora.QueryAll[ip](ctx, a.Zuora, "select Id, PaymentId, InvoiceId, Amount from InvoicePayment")
	if err != nil || len(got) < 3 {
		t.Fatalf("invoice payments %v, %v; want one per application", got, err)
	}
	setInvoiceSettlement(t, sb, true)
	if _, err := zuora.QueryAll[ip](ctx, a.Zuora, "select Id from InvoicePayment"); err == nil || !strings.Contains(err.Error(), "INVALID_TYPE") {
		t.Fatalf("InvoicePayment on an IS tenant: %v, want INVALID_TYPE", err)
	}
}

// Payments OpenAPI GET /v1/payments/{key}/parts on a generated IS tenant:
// the parts add up to the payment's amount, the unapplied portion is a part
// naming no document, a payment is found by id or number, more than one page
// (at most 40 a page) is read whole; without Invoice Settlement the endpoint
// is refused.
func TestPaymentParts_AddUpToTheAmountUnappliedPartPagedISOnly(t *testing.T) {
	f := generated(t, "seed=19,accounts=3,invoices=9,items=1-2,tax=0,is=true,debitmemos=6,payments=10")
	inv := f.Zuora.Objects["Invoice"][0]
	many := f.Zuora.Objects["Payment"][0]
	for i := range 45 { // 45 more small parts: two pages of 40
		f.Zuora.Objects["PaymentPart"] = append(f.Zuora.Objects["PaymentPart"], fixture.Record{
			"id": fmt.Sprintf("extra-part-%02d", i), "paymentId": many["Id"], "invoiceId": inv["Id"], "amount": json.Number("0.01")})
	}
	many["Amount"] = json.Number(decimal.RequireFromString(string(many["Amount"].(json.Number))).Add(decimal.RequireFromString("0.45")).StringFixed(2))
	a, sb := sandboxTenant(t, f)
	ctx := context.Background()
	unapplied := 0
	for _, p := range f.Zuora.Objects["Payment"] {
		parts, err := a.Zuora.ListPaymentParts(ctx, p["PaymentNumber"].(string))
		if err != nil {
			t.Fatal(err)
		}
		sum, noDoc := decimal.Zero, decimal.Zero
		for _, pt := range parts {
			sum = sum.Add(pt.Amount)
			if pt.InvoiceID == "" && pt.DebitMemoID == "" {
				noDoc = noDoc.Add(pt.Amount)
			}
		}
		want := decimal.RequireFromString(string(p["Amount"].(json.Number)))
		if !sum.Equal(want) || !noDoc.Equal(decimal.RequireFromString(string(p["UnappliedAmount"].(json.Number)))) {
			t.Fatalf("payment %s: parts %+v sum %s (unapplied %s), want %s (unapplied %s)", p["PaymentNumber"], parts, sum, noDoc, want, p["UnappliedAmount"])
		}
		if noDoc.IsPositive() {
			unapplied++
		}
		if p["Id"] == many["Id"] && len(parts) < 45 {
			t.Fatalf("payment with %d parts read as %d", 45, len(parts))
		}
	}
	if unapplied == 0 {
		t.Fatal("no payment with an unapplied part")
	}
	setInvoiceSettlement(t, sb, false)
	if _, err := a.Zuora.ListPaymentParts(ctx, many["Id"].(string)); err == nil || !strings.Contains(err.Error(), "Invoice Settlement") {
		t.Fatalf("payment parts without Invoice Settlement: %v, want refused", err)
	}
}

// nsPaymentRec reads a NetSuite customer payment with its apply rows.
func nsPaymentRec(t *testing.T, a *activities.Activities, id string) map[string]any {
	t.Helper()
	var rec map[string]any
	if err := a.NetSuite.Get(context.Background(), netsuite.TypeCustomerPayment, id, true, &rec); err != nil {
		t.Fatalf("NetSuite payment %s: %v", id, err)
	}
	return rec
}

// Reference §2.3, §0.5, §2.4 through the activity on a generated IS tenant
// (no Temporal): an unassigned payment goes to the Unassigned Payments
// customer (unset: Error naming the setting); a fully unapplied account
// payment syncs with the whole amount and its account's class as a
// NetSuite record id (an invalid class: Error naming it); set back to No
// after its NetSuite payment was changed, it is rewritten in place.
func TestSyncPaymentIS_UnassignedUnappliedClassificationAndRewrite(t *testing.T) {
	f := generated(t, "seed=19,accounts=3,invoices=9,items=1-2,tax=0,is=true,debitmemos=6,payments=10")
	var unassigned, unapplied fixture.Record
	for _, p := range f.Zuora.Objects["Payment"] {
		switch {
		case p["AccountId"] == nil && unassigned == nil:
			unassigned = p
		case p["AccountId"] != nil && p["AppliedAmount"] == json.Number("0.00") && unapplied == nil:
			unapplied = p
		}
	}
	var acct fixture.Record
	for _, ac := range f.Zuora.Objects["Account"] {
		if ac["Id"] == unapplied["AccountId"] {
			acct = ac
		}
	}
	className := f.NetSuite.Records["classification"][0]["name"].(string)
	classID := fmt.Sprint(f.NetSuite.Records["classification"][0]["id"])
	acct["Class__NS"], acct["Location__NS"], acct["Department__NS"] = "No Such Class", nil, nil
	placeholder := fmt.Sprint(f.NetSuite.Records[netsuite.TypeCustomer][0]["id"])
	a, _ := sandboxTenant(t, f)
	ctx := context.Background()
	s := settings.Default()
	s.Advanced.InvoiceSettlement = true
	s.Payments.DefaultMethod = fmt.Sprint(f.NetSuite.Records[netsuite.TypePaymentMethod][0]["id"])

	res, err := a.SyncPayment(ctx, workflows.PaymentSyncInput{PaymentID: unassigned["Id"].(string), Settings: s})
	if err != nil || res.Outcome != workflows.OutcomeError || !strings.Contains(res.Reason, "customerSync.unassignedPaymentsCustomerId") {
		t.Fatalf("unassigned without the setting: %+v %v", res, err)
	}
	s.Customer.UnassignedPaymentsCustomer = placeholder
	res, err = a.SyncPayment(ctx, workflows.PaymentSyncInput{PaymentID: unassigned["Id"].(string), Settings: s})
	if err != nil || res.Outcome != workflows.OutcomeSynced {
		t.Fatalf("unassigned: %+v %v", res, err)
	}
	rec := nsPaymentRec(t, a, res.NetSuiteID)
	if fmt.Sprint(rec["customer"].(map[string]any)["id"]) != placeholder || fmt.Sprint(rec["payment"]) != string(unassigned["Amount"].(json.Number)) {
		t.Fatalf("unassigned payment in NetSuite: customer %v amount %v, want %s / %s", rec["customer"], rec["payment"], placeholder, unassigned["Amount"])
	}

	res, err = a.SyncPayment(ctx, workflows.PaymentSyncInput{PaymentID: unapplied["Id"].(string), Settings: s})
	if err != nil || res.Outcome != workflows.OutcomeError || !strings.Contains(res.Reason, `"No Such Class"`) {
		t.Fatalf("invalid class: %+v %v", res, err)
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjAccount, acct["Id"].(string), map[string]any{"Class__NS": className}); err != nil {
		t.Fatal(err)
	}
	res, err = a.SyncPayment(ctx, workflows.PaymentSyncInput{PaymentID: unapplied["Id"].(string), Settings: s})
	if err != nil || res.Outcome != workflows.OutcomeSynced {
		t.Fatalf("unapplied: %+v %v", res, err)
	}
	rec = nsPaymentRec(t, a, res.NetSuiteID)
	if fmt.Sprint(rec["payment"]) != string(unapplied["Amount"].(json.Number)) || fmt.Sprint(rec["class"].(map[string]any)["id"]) != classID {
		t.Fatalf("unapplied payment in NetSuite: amount %v class %v, want %s / %s", rec["payment"], rec["class"], unapplied["Amount"], classID)
	}

	// §2.4: the NetSuite payment changed; Zuora's set back to No rewrites it.
	if err := a.NetSuite.Patch(ctx, netsuite.TypeCustomerPayment, res.NetSuiteID, map[string]any{"payment": "1.00"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjPayment, unapplied["Id"].(string), map[string]any{"TransferredToAccounting": zuora.TransferNo}); err != nil {
		t.Fatal(err)
	}
	again, err := a.SyncPayment(ctx, workflows.PaymentSyncInput{PaymentID: unapplied["Id"].(string), Settings: s})
	if err != nil || again.Outcome != workflows.OutcomeSynced || again.NetSuiteID != res.NetSuiteID {
		t.Fatalf("re-sync: %+v %v, want the same NetSuite payment %s", again, err, res.NetSuiteID)
	}
	if rec = nsPaymentRec(t, a, res.NetSuiteID); fmt.Sprint(rec["payment"]) != string(unapplied["Amount"].(json.Number)) {
		t.Fatalf("re-sync left the NetSuite amount %v, want Zuora's %s", rec["payment"], unapplied["Amount"])
	}
}
