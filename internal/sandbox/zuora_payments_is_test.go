package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// isPaymentsTenant: paymentsTenant on Invoice Settlement, with a Posted
// debit memo of acc1 (30.00) and one of acc2.
func isPaymentsTenant() *fixture.Fixture {
	f := paymentsTenant()
	f.Zuora.Settings.InvoiceSettlement = true
	f.Zuora.Objects[zuora.ObjDebitMemo] = []fixture.Record{
		{"id": "dm1", "number": "DM-1", "accountId": "acc1", "status": "Posted", "amount": n("30.00"), "balance": n("30.00")},
		{"id": "dm2", "number": "DM-2", "accountId": "acc2", "status": "Posted", "amount": n("5.00"), "balance": n("5.00")},
	}
	return f
}

func isCreate(amount string, invs map[string]string, dms map[string]string) zuora.PaymentCreate {
	in := zuora.PaymentCreate{AccountID: "acc1", Amount: dec(amount), Currency: "USD", Type: "External", PaymentMethodID: "pm-ext",
		IntegrationID: "601", Origin: "NETSUITE", Transaction: "PYMT-1"}
	in.FinanceInformation.TransferredToAccounting = "Yes"
	for id, a := range invs {
		in.Invoices = append(in.Invoices, zuora.PaymentInvoiceApplication{InvoiceID: id, Amount: dec(a)})
	}
	for id, a := range dms {
		in.DebitMemos = append(in.DebitMemos, zuora.PaymentDebitMemoApplication{DebitMemoID: id, Amount: dec(a)})
	}
	return in
}

// partsByDoc sums a payment's parts per document ("" = the unapplied part).
func partsByDoc(t *testing.T, e *env, pay string) map[string]decimal.Decimal {
	t.Helper()
	parts, err := e.z.ListPaymentParts(context.Background(), pay)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]decimal.Decimal{}
	for _, p := range parts {
		out[p.InvoiceID+p.DebitMemoID] = out[p.InvoiceID+p.DebitMemoID].Add(p.Amount)
	}
	return out
}

func debitMemoBalance(t *testing.T, e *env, id string) decimal.Decimal {
	t.Helper()
	dm, err := e.z.GetDebitMemo(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return dm.Balance
}

// On an IS tenant POST /v1/payments makes a Processed payment applied to an
// invoice and a debit memo with the rest unapplied; its parts, the
// documents' balances and the payment's applied/unapplied amounts agree,
// and apply/unapply move money between them the same way.
func TestZuoraPaymentsIS_CreateApplyUnapplyKeepPartsAndBalances(t *testing.T) {
	e := start(t, t.TempDir(), isPaymentsTenant())
	ctx := context.Background()
	p, err := e.z.CreatePaymentIS(ctx, isCreate("100.00", map[string]string{"inv1": "50.00"}, map[string]string{"dm1": "20.00"}), "k1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "Processed" || !p.AppliedAmount.Equal(dec("70")) || !p.UnappliedAmount.Equal(dec("30")) {
		t.Fatalf("payment %+v", p)
	}
	got := partsByDoc(t, e, p.ID)
	if !got["inv1"].Equal(dec("50")) || !got["dm1"].Equal(dec("20")) || !got[""].Equal(dec("30")) {
		t.Fatalf("parts %v", got)
	}
	if b := balanceOf(t, e, "inv1"); !b.Equal(dec("200")) {
		t.Fatalf("inv1 balance %s", b)
	}
	if b := debitMemoBalance(t, e, "dm1"); !b.Equal(dec("10")) {
		t.Fatalf("dm1 balance %s", b)
	}
	var zp zuora.Payment
	if err := e.z.GetObject(ctx, zuora.ObjPayment, p.ID, &zp); err != nil || zp.IntegrationID != "601" || zp.Status != "Processed" {
		t.Fatalf("payment by object API %+v (%v)", zp, err)
	}
	// Move 20 from the debit memo to invoice inv3, apply 30 more to inv3.
	if err := e.z.UnapplyPayment(ctx, p.ID, zuora.PaymentApplications{DebitMemos: []zuora.PaymentDebitMemoApplication{{DebitMemoID: "dm1", Amount: dec("20")}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.z.ApplyPayment(ctx, p.ID, zuora.PaymentApplications{Invoices: []zuora.PaymentInvoiceApplication{{InvoiceID: "inv3", Amount: dec("40")}}}); err != nil {
		t.Fatal(err)
	}
	got = partsByDoc(t, e, p.ID)
	if !got["inv1"].Equal(dec("50")) || !got["dm1"].IsZero() || !got["inv3"].Equal(dec("40")) || !got[""].Equal(dec("10")) {
		t.Fatalf("parts after unapply/apply %v", got)
	}
	if b := debitMemoBalance(t, e, "dm1"); !b.Equal(dec("30")) {
		t.Fatalf("dm1 balance after unapply %s", b)
	}
	if b := balanceOf(t, e, "inv3"); !b.IsZero() {
		t.Fatalf("inv3 balance %s", b)
	}
}

// What Zuora refuses, the sandbox refuses: applications above the amount,
// above a document's balance, a document of another account, an unknown
// account, a payment without account applied to a document, Electronic, an effectiveDate other than today, an unknown field,
// an apply above the unapplied amount, an unapply above what is applied,
// and the whole API without Invoice Settlement.
func TestZuoraPaymentsIS_RefusesWhatZuoraRefuses(t *testing.T) {
	e := start(t, t.TempDir(), isPaymentsTenant())
	ctx := context.Background()
	bad := func(name string, in zuora.PaymentCreate, want string) {
		t.Helper()
		if _, err := e.z.CreatePaymentIS(ctx, in, ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: %v, want %q", name, err, want)
		}
	}
	bad("applied above the amount", isCreate("10.00", map[string]string{"inv1": "20.00"}, nil), "more than the payment amount")
	bad("above the balance", isCreate("300.00", map[string]string{"inv1": "251.00"}, nil), "exceeds the balance")
	bad("another account's invoice", isCreate("10.00", map[string]string{"inv4": "5.00"}, nil), "does not belong to the payment's account")
	bad("another account's debit memo", isCreate("10.00", nil, map[string]string{"dm2": "5.00"}), "does not belong to the payment's account")
	unknown := isCreate("10.00", nil, nil)
	unknown.AccountID = "nope"
	bad("unknown account", unknown, "is not an account")
	unassigned := isCreate("10.00", map[string]string{"inv1": "1.00"}, nil)
	unassigned.AccountID = ""
	bad("unassigned and applied", unassigned, "without accountId")
	unassigned.Invoices = nil
	if p, err := e.z.CreatePaymentIS(ctx, unassigned, ""); err != nil || !p.UnappliedAmount.Equal(dec("10")) {
		t.Fatalf("an unassigned payment (no account, nothing applied) is taken: %+v (%v)", p, err)
	}
	el := isCreate("10.00", nil, nil)
	el.Type = "Electronic"
	bad("electronic", el, "payment gateway")
	draft := isCreate("10.00", map[string]string{"inv2": "1.00"}, nil)
	bad("draft invoice", draft, "only Posted")
	if _, err := e.z.CreatePaymentIS(ctx, isCreate("0", nil, nil), ""); err == nil {
		t.Fatal("a zero payment was taken")
	}
	if code, _, body := e.raw(t, "POST", "/v1/payments", `{"accountId":"acc1","amount":5,"currency":"USD","type":"External","effectiveDate":"2020-01-01"}`, nil); code != 400 || !strings.Contains(body, "date of today") {
		t.Fatalf("a past effectiveDate: %d %s", code, body)
	}
	if code, _, body := e.raw(t, "POST", "/v1/payments", `{"accountId":"acc1","amount":5,"currency":"USD","type":"External","InvoiceId":"inv1"}`, nil); code != 400 || !strings.Contains(body, "unknown field") {
		t.Fatalf("an unknown field: %d %s", code, body)
	}
	p, err := e.z.CreatePaymentIS(ctx, isCreate("30.00", map[string]string{"inv1": "10.00"}, nil), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.z.ApplyPayment(ctx, p.ID, zuora.PaymentApplications{Invoices: []zuora.PaymentInvoiceApplication{{InvoiceID: "inv3", Amount: dec("20.01")}}}); err == nil || !strings.Contains(err.Error(), "unapplied amount") {
		t.Fatalf("apply above the unapplied amount: %v", err)
	}
	if err := e.z.UnapplyPayment(ctx, p.ID, zuora.PaymentApplications{Invoices: []zuora.PaymentInvoiceApplication{{InvoiceID: "inv1", Amount: dec("10.01")}}}); err == nil || !strings.Contains(err.Error(), "exceeds the 10.00") {
		t.Fatalf("unapply above what is applied: %v", err)
	}
	if b := balanceOf(t, e, "inv1"); !b.Equal(dec("240")) {
		t.Fatalf("a refused call moved money: inv1 balance %s", b)
	}

	non := start(t, t.TempDir(), paymentsTenant())
	if _, err := non.z.CreatePaymentIS(ctx, isCreate("10.00", nil, nil), ""); err == nil || !strings.Contains(err.Error(), "Invoice Settlement") {
		t.Fatalf("POST /v1/payments without IS: %v", err)
	}
}

// On IS a payment refund comes from its unapplied amount only
// (POST /v1/payments/{key}/refunds): within it the refund is Processed and
// the payment's unapplied amount goes down; beyond it, Electronic, an
// unknown methodType or a date before the payment is refused.
func TestZuoraPaymentsIS_RefundFromTheUnappliedAmountOnly(t *testing.T) {
	e := start(t, t.TempDir(), isPaymentsTenant())
	ctx := context.Background()
	p, err := e.z.CreatePaymentIS(ctx, isCreate("30.00", map[string]string{"inv1": "20.00"}, nil), "")
	if err != nil {
		t.Fatal(err)
	}
	refund := func(amount, method, date string) zuora.PaymentRefund {
		r := zuora.PaymentRefund{TotalAmount: dec(amount), Type: "External", MethodType: method, RefundDate: date, IntegrationID: "701", Origin: "NETSUITE"}
		r.FinanceInformation.TransferredToAccounting = "Yes"
		return r
	}
	today := time.Now().UTC().Format("2006-01-02")
	for name, c := range map[string]struct {
		in   zuora.PaymentRefund
		want string
	}{
		"beyond the unapplied amount": {refund("10.01", "Check", today), "exceeds the unapplied amount 10.00"},
		"unknown method":              {refund("1.00", "Barter", today), "methodType"},
		"before the payment":          {refund("1.00", "Check", "2020-01-01"), "cannot be before the payment date"},
	} {
		if _, err := e.z.RefundPaymentIS(ctx, p.ID, c.in, ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: %v, want %q", name, err, c.want)
		}
	}
	id, err := e.z.RefundPaymentIS(ctx, p.ID, refund("10.00", "Check", today), "")
	if err != nil {
		t.Fatal(err)
	}
	var r zuora.Refund
	if err := e.z.GetObject(ctx, zuora.ObjRefund, id, &r); err != nil || r.Status != "Processed" || r.PaymentID != p.ID || r.AccountID != "acc1" ||
		!r.Amount.Equal(dec("10")) || r.IntegrationID != "701" || r.TransferredToAccounting != "Yes" {
		t.Fatalf("refund %+v (%v)", r, err)
	}
	var zp zuora.Payment
	if err := e.z.GetObject(ctx, zuora.ObjPayment, p.ID, &zp); err != nil || !zp.UnappliedAmount.IsZero() {
		t.Fatalf("payment after the refund %+v (%v)", zp, err)
	}
	if got := partsByDoc(t, e, p.ID); !got["inv1"].Equal(dec("20")) || !got[""].IsZero() {
		t.Fatalf("parts after the refund %v", got)
	}
}
