package main

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/workflows"
)

func TestPrintReconcileReport_CleanSaysSo(t *testing.T) {
	var b strings.Builder
	printReconcileReport(&b, workflows.ReconcileResult{From: "2026-01-01", To: "2026-12-31",
		Counts: workflows.ReconcileCounts{Accounts: 3, Invoices: 12, Matched: 12},
		Totals: []workflows.CurrencyTotal{{Currency: "USD", Zuora: decimal.RequireFromString("100.5"), NetSuite: decimal.RequireFromString("100.50")}}})
	out := b.String()
	for _, want := range []string{"3 accounts; 12 invoices, 0 adjustments, 0 debit memos, 0 credit memos, 0 payments and 0 refunds compared; 12 match, 0 differences", "agree to the cent",
		"USD  100.50    100.50        0.00"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestPrintReconcileReport_EachDifferenceARowAndTheRestCounted(t *testing.T) {
	var b strings.Builder
	printReconcileReport(&b, workflows.ReconcileResult{From: "2026-01-01", To: "2026-01-31",
		Counts: workflows.ReconcileCounts{Accounts: 1, Invoices: 2, Matched: 0, Differences: 5},
		Differences: []workflows.Difference{
			{Kind: workflows.DiffTotal, RecordType: "invoice", Number: "INV001", AccountNumber: "A-1", NetSuiteID: "101", Zuora: "10.00", NetSuite: "10.01", Detail: "off by 0.01"},
			{Kind: workflows.DiffMissing, RecordType: "invoice", Number: "INV002", AccountNumber: "A-1", Zuora: "5.00", Detail: "NetSuite has no invoice"},
		},
		DifferencesOmitted: 3,
		Totals:             []workflows.CurrencyTotal{{Currency: "EUR", Zuora: decimal.RequireFromString("15"), NetSuite: decimal.RequireFromString("10.01")}},
	})
	out := b.String()
	for _, want := range []string{
		"total       invoice  INV001  A-1      101          10.00  10.01     off by 0.01",
		"missing     invoice  INV002  A-1      -            5.00   -         NetSuite has no invoice",
		"... and 3 more differences not listed",
		"EUR  15.00     10.01       -4.99",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestPrintReconcileReport_PerAccountFiguresAndDifferencesByRecordType(t *testing.T) {
	var b strings.Builder
	fig := workflows.AccountFigures{AccountNumber: "A-7", Currency: "USD", Differences: 2}
	fig.Add(workflows.RecordInvoice, decimal.RequireFromString("100"), decimal.RequireFromString("100"))
	fig.Add(workflows.RecordPayment, decimal.RequireFromString("-60"), decimal.Zero)
	printReconcileReport(&b, workflows.ReconcileResult{From: "2026-01-01", To: "2026-01-31",
		Counts:            workflows.ReconcileCounts{Accounts: 1, Invoices: 1, Payments: 1, Matched: 1, Differences: 2},
		DifferencesByType: []workflows.TypeCount{{RecordType: "account", Count: 1}, {RecordType: workflows.RecordPayment, Count: 1}},
		Accounts:          []workflows.AccountFigures{fig},
	})
	out := b.String()
	for _, want := range []string{"1 payments and 0 refunds compared", "differences by record type: account 1, payment 1",
		"A-7", "40.00", "100.00", "60.00", "invoice 1: 100.00/100.00; payment 1: -60.00/0.00"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}
