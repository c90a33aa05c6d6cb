package activities

import (
	"github.com/zuora-netsuite/connector/internal/zuora"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/workflows"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

// A synced payment of 100.00 applied in full, and its NetSuite record.
func reconPayment() (moneyRecord, *moneyTx) {
	m := moneyRecord{recordType: workflows.RecordPayment, id: "pay1", number: "P-1", accountID: "acc1", integrationID: "900",
		externalID: "zuora-payment-pay1", suiteType: reconSuitePayment, amount: dec("100.00"), applied: decp("100.00")}
	tx := &moneyTx{id: "900", typ: reconSuitePayment, entity: "55", total: dec("100.00"), used: decp("100.00")}
	return m, tx
}

func kinds(diffs []workflows.Difference) map[string]workflows.Difference {
	out := map[string]workflows.Difference{}
	for _, d := range diffs {
		out[d.Kind] = d
	}
	return out
}

func TestReconcileMoney_AgreeingRecordHasNoDifferenceAndCountsInTheOpenBalance(t *testing.T) {
	m, tx := reconPayment()
	diffs, z, n := compareMoney(m, tx, "55", nil)
	if len(diffs) != 0 {
		t.Fatalf("differences on an agreeing payment: %+v", diffs)
	}
	if !z.Equal(dec("-100")) || !n.Equal(dec("-100")) {
		t.Errorf("a payment lowers the open balance: %s / %s, want -100 / -100", z, n)
	}
}

func TestReconcileMoney_Missing(t *testing.T) {
	m, _ := reconPayment()
	diffs, z, n := compareMoney(m, nil, "55", nil)
	k := kinds(diffs)
	if d, ok := k[workflows.DiffMissing]; !ok || len(diffs) != 1 || d.Zuora != "100.00" || d.NetSuite != "" {
		t.Fatalf("a payment without a NetSuite record: %+v", diffs)
	}
	if !z.Equal(dec("-100")) || !n.IsZero() {
		t.Errorf("a missing record counts in Zuora only: %s / %s", z, n)
	}
}

func TestReconcileMoney_NotLinked(t *testing.T) {
	m, tx := reconPayment()
	m.integrationID = ""
	if d, ok := kinds(first(compareMoney(m, tx, "55", nil)))[workflows.DiffNotLinked]; !ok || d.NetSuite != "900" {
		t.Fatalf("a payment whose Zuora record holds no NetSuite id: %+v", d)
	}
}

func TestReconcileMoney_Type(t *testing.T) {
	m, tx := reconPayment()
	tx.typ = reconSuiteRefund
	if d, ok := kinds(first(compareMoney(m, tx, "55", nil)))[workflows.DiffType]; !ok || d.Zuora != reconSuitePayment || d.NetSuite != reconSuiteRefund {
		t.Fatalf("a payment held as a refund: %+v", d)
	}
}

func TestReconcileMoney_Customer(t *testing.T) {
	m, tx := reconPayment()
	tx.entity = "56"
	if d, ok := kinds(first(compareMoney(m, tx, "55", nil)))[workflows.DiffCustomer]; !ok || d.Zuora != "55" || d.NetSuite != "56" {
		t.Fatalf("a payment of another customer: %+v", d)
	}
}

func TestReconcileMoney_TotalToTheCent(t *testing.T) {
	m, tx := reconPayment()
	tx.total = dec("100.01")
	diffs, z, n := compareMoney(m, tx, "55", nil)
	d, ok := kinds(diffs)[workflows.DiffTotal]
	if !ok || d.Zuora != "100.00" || d.NetSuite != "100.01" || len(diffs) != 1 {
		t.Fatalf("a payment off by a cent: %+v", diffs)
	}
	if !n.Sub(z).Equal(dec("-0.01")) {
		t.Errorf("the cent shows in the open balance: %s vs %s", z, n)
	}
}

func TestReconcileMoney_AppliedAmountsEqualZuoras(t *testing.T) {
	m, tx := reconPayment()
	tx.used = decp("60.00")
	if d, ok := kinds(first(compareMoney(m, tx, "55", nil)))[workflows.DiffApplied]; !ok || d.Zuora != "100.00" || d.NetSuite != "60.00" {
		t.Fatalf("a payment applying less in NetSuite: %+v", d)
	}
	// Not compared (a payment on Invoice Settlement): no difference.
	m.applied = nil
	if diffs, _, _ := compareMoney(m, tx, "55", nil); len(diffs) != 0 {
		t.Errorf("applications compared although not read: %+v", diffs)
	}
}

// A debit memo whose NetSuite invoice NetSuite taxes compares its lines.
func TestReconcileMoney_DebitMemoComparedByLinesWhenNetSuiteTaxes(t *testing.T) {
	m := moneyRecord{recordType: workflows.RecordDebitMemo, id: "dm1", integrationID: "700", externalID: "zuora-debitmemo-dm1",
		suiteType: reconSuiteInvoice, amount: dec("80.00"), byLines: true}
	tx := &moneyTx{id: "700", typ: reconSuiteInvoice, total: dec("86.40")}
	diffs, z, n := compareMoney(m, tx, "", decp("80.00"))
	if len(diffs) != 0 || !z.Equal(dec("80")) || !n.Equal(dec("80")) {
		t.Fatalf("debit memo by lines: %+v %s %s", diffs, z, n)
	}
}

// Each money type's sign in the open balance.
func TestReconcileMoney_CreditMemoAndPaymentLowerRefundAndDebitMemoRaise(t *testing.T) {
	for typ, want := range map[string]string{workflows.RecordDebitMemo: "10", workflows.RecordCreditMemo: "-10",
		workflows.RecordPayment: "-10", workflows.RecordRefund: "10"} {
		m := moneyRecord{recordType: typ, integrationID: "1", suiteType: "X", amount: dec("10")}
		_, z, n := compareMoney(m, &moneyTx{id: "1", typ: "X", total: dec("10")}, "", nil)
		if !z.Equal(dec(want)) || !n.Equal(dec(want)) {
			t.Errorf("%s of 10 counts %s / %s, want %s", typ, z, n, want)
		}
	}
}

func TestReconcileMoney_RefundQueryWithoutTheObjectReadsAsNoRefunds(t *testing.T) {
	if noRefunds(nil) {
		t.Error("no error is not 'no refunds'")
	}
	if !noRefunds(&zuoraAPIError{Code: "INVALID_TYPE", Message: "invalid type for query: Refund"}) {
		t.Error("INVALID_TYPE on Refund should read as no refunds")
	}
	if noRefunds(&zuoraAPIError{Code: "INVALID_TYPE", Message: "invalid type for query: Payment"}) {
		t.Error("another object's refusal is an error")
	}
	if noRefunds(&zuoraAPIError{Status: 500, Code: "UNKNOWN_ERROR", Message: "Refund"}) {
		t.Error("a server error is an error, not 'no refunds'")
	}
}

func first(diffs []workflows.Difference, _, _ decimal.Decimal) []workflows.Difference { return diffs }

type zuoraAPIError = zuora.APIError

// A refunded payment's NetSuite record applies what was not refunded.
func TestReconcileMoney_PaymentAppliesInvoicePaymentsLessWhatWasRefunded(t *testing.T) {
	got := appliedByPayment([]reconInvoicePayment{
		{PaymentID: "p1", Amount: dec("60.00")}, {PaymentID: "p1", Amount: dec("40.00"), RefundAmount: dec("15.00")},
		{PaymentID: "p2", Amount: dec("10.00"), RefundAmount: dec("10.00")},
	})
	if !got["p1"].Equal(dec("85")) || !got["p2"].IsZero() {
		t.Errorf("applied %v, want p1 85.00 and p2 0.00", got)
	}
}

// A Zuora payment or refund made from NetSuite (Origin NETSUITE) is keyed by
// the NetSuite internal id it names, not by a zuora-… external id; anything
// else, or an id that is not a NetSuite internal id, keeps the external id.
func TestReconcileMoney_MadeInNetSuiteKeyedByItsNetSuiteID(t *testing.T) {
	if key, ok := madeInNetSuite("NETSUITE", "9036"); !ok || key != reconNetSuiteIDKey+"9036" {
		t.Fatalf("Origin NETSUITE: %q %v", key, ok)
	}
	for _, c := range [][2]string{{"ZUORA", "9036"}, {"", "9036"}, {"NETSUITE", ""}, {"NETSUITE", "9036, 9037"}, {"NETSUITE", "1 OR 1=1"}} {
		if key, ok := madeInNetSuite(c[0], c[1]); ok {
			t.Fatalf("%q %q keyed %q", c[0], c[1], key)
		}
	}
}
