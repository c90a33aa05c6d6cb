package workflows

import (
	"testing"

	"github.com/shopspring/decimal"
)

func dd(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// Issue 16: per account, invoices and debit memos − credit memos − payments
// + refunds, each record type's part kept apart.
func TestReconcile_OpenBalanceIsInvoicesAndDebitMemosLessCreditMemosAndPaymentsPlusRefunds(t *testing.T) {
	var f AccountFigures
	add := func(typ, amount string) {
		a := d(amount).Mul(decimal.NewFromInt(int64(OpenBalanceSign(typ))))
		f.Add(typ, a, a)
	}
	add(RecordInvoice, "100.00")
	add(RecordInvoice, "-20.00") // a negative invoice carries its sign
	add(RecordDebitMemo, "15.50")
	add(RecordCreditMemo, "30.25")
	add(RecordPayment, "40.00")
	add(RecordRefund, "5.00")
	add(RecordAdjustment, "-3.00") // a credit adjustment, signed
	want := dd("100").Sub(dd("20")).Add(dd("15.50")).Sub(dd("30.25")).Sub(dd("40")).Add(dd("5")).Sub(dd("3"))
	if !f.Zuora.Equal(want) || !f.NetSuite.Equal(want) || f.Records() != 7 {
		t.Fatalf("open balance %s / %s over %d records, want %s over 7", f.Zuora, f.NetSuite, f.Records(), want)
	}
	var types []string
	for _, tf := range f.Types {
		types = append(types, tf.RecordType)
	}
	if len(types) != 6 || types[0] != RecordAdjustment || types[5] != RecordRefund {
		t.Errorf("types not kept sorted and apart: %v", types)
	}
	for _, tf := range f.Types {
		if tf.RecordType == RecordInvoice && (tf.Records != 2 || !tf.Zuora.Equal(dd("80"))) {
			t.Errorf("invoices: %+v", tf)
		}
		if tf.RecordType == RecordPayment && !tf.NetSuite.Equal(dd("-40")) {
			t.Errorf("payments: %+v", tf)
		}
	}
}

// The report keeps at most MaxDifferences accounts, and an account with a
// difference is never dropped for a clean one.
func TestReconcile_AccountFiguresKeepEveryDifferingAccountFirst(t *testing.T) {
	var st ReconcileState
	st.merge(ReconcilePageResult{Accounts: []AccountFigures{{AccountNumber: "A1"}, {AccountNumber: "A2"}}}, 2)
	st.merge(ReconcilePageResult{Accounts: []AccountFigures{{AccountNumber: "A3", Differences: 1}, {AccountNumber: "A4"}}}, 2)
	if len(st.Accounts) != 2 || st.AccountsOmitted != 2 {
		t.Fatalf("kept %d, omitted %d: %+v", len(st.Accounts), st.AccountsOmitted, st.Accounts)
	}
	found := false
	for _, a := range st.Accounts {
		found = found || a.AccountNumber == "A3"
	}
	if !found {
		t.Errorf("the differing account A3 was dropped: %+v", st.Accounts)
	}
}

func TestReconcile_DifferencesCountedByRecordType(t *testing.T) {
	var st ReconcileState
	st.merge(ReconcilePageResult{DifferencesFound: 3, DifferencesByType: []TypeCount{{RecordPayment, 2}, {"account", 1}}}, 10)
	st.merge(ReconcilePageResult{DifferencesFound: 2, DifferencesByType: []TypeCount{{RecordCreditMemo, 1}, {RecordPayment, 1}}}, 10)
	want := []TypeCount{{"account", 1}, {RecordCreditMemo, 1}, {RecordPayment, 3}}
	if len(st.DifferencesByType) != len(want) {
		t.Fatalf("%+v, want %+v", st.DifferencesByType, want)
	}
	for i := range want {
		if st.DifferencesByType[i] != want[i] {
			t.Fatalf("%+v, want %+v", st.DifferencesByType, want)
		}
	}
}
