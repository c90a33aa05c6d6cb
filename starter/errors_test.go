package main

import (
	"strings"
	"testing"
)

func TestErrorsQuery_FiltersBySearchAttributes(t *testing.T) {
	const q = `SyncOutcome = "error" AND TaskQueue = "zuora-netsuite"`
	for _, c := range []struct{ typ, acct, want string }{
		{"", "", q},
		{"invoice", "", q + ` AND ZuoraRecordType = "invoice"`},
		{"invoice", "A-00012", q + ` AND ZuoraRecordType = "invoice" AND ZuoraAccountNumber = "A-00012"`},
		{"", "A-00012", q + ` AND ZuoraAccountNumber = "A-00012"`},
	} {
		if got := errorsQuery(c.typ, c.acct, "zuora-netsuite"); got != c.want {
			t.Errorf("errorsQuery(%q, %q) = %s, want %s", c.typ, c.acct, got, c.want)
		}
	}
}

func TestErrorFilters_RejectUnknownTypeAndQuotes(t *testing.T) {
	if err := validErrorFilters("invoices", ""); err == nil || !strings.Contains(err.Error(), "invoice, adjustment, customer, charge") {
		t.Errorf("--type invoices: %v", err)
	}
	if err := validErrorFilters("", `A" OR SyncOutcome = "synced`); err == nil {
		t.Error("an account number with a quote was accepted into the visibility query")
	}
	for _, typ := range errorTypes {
		if err := validErrorFilters(typ, "A-00012"); err != nil {
			t.Errorf("--type %s: %v", typ, err)
		}
	}
}

func TestPrintErrorsTable_OneRowPerRecordWithReason(t *testing.T) {
	var b strings.Builder
	printErrorsTable(&b, []errorRow{{Type: "invoice", ZuoraID: "8a80", Number: "INV001", AccountNumber: "A-00012",
		Reason: "charge C-1 has not been synced\nto NetSuite"}}, opsFlags{})
	out := b.String()
	if !strings.Contains(out, "invoice  INV001  A-00012  8a80      charge C-1 has not been synced to NetSuite") {
		t.Errorf("table:\n%s", out)
	}
	b.Reset()
	printErrorsTable(&b, nil, opsFlags{Type: "invoice", Account: "A-00012"})
	if strings.TrimSpace(b.String()) != "no invoice is in Error for account A-00012" {
		t.Errorf("empty: %q", b.String())
	}
}
