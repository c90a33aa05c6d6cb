package sandbox

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// A transaction's total is its lines' amounts added up, whatever wrote
// them: a create, an append, a line updated by its key, a replace, and a
// restart that loads the lines from disk. The sandbox keeps the sum as lines
// are written instead of adding up every line on each write; this checks the
// kept sum against the lines each time.
func TestNetSuite_TransactionTotalFollowsItsLines(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir, nsTenant(fixture.NetSuiteAccount{}))
	ctx := context.Background()
	totalIs := func(id, want string) {
		t.Helper()
		tx, err := e.ns.GetTransaction(ctx, netsuite.TypeInvoice, id)
		if err != nil {
			t.Fatal(err)
		}
		if tx.Total == nil || !tx.Total.Equal(decimal.RequireFromString(want)) {
			t.Fatalf("total %v, want %s", tx.Total, want)
		}
		sum := decimal.Zero
		for _, r := range itemLines(t, e, id) {
			sum = sum.Sub(decimal.RequireFromString(str(r["foreignamount"]))) // item lines carry the opposite sign (N3)
		}
		if !sum.Equal(*tx.Total) {
			t.Fatalf("total %s, lines add up to %s", tx.Total, sum)
		}
	}
	id, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(3, "a")))
	if err != nil {
		t.Fatal(err)
	}
	totalIs(id, "3.00")
	if err := e.ns.Patch(ctx, netsuite.TypeInvoice, id, netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: lines(2, "b")}}); err != nil {
		t.Fatal(err)
	}
	totalIs(id, "5.00")
	changed := netsuite.Line{Line: 1, Item: netsuite.RefTo("20"), Amount: decimal.RequireFromString("10.50"), ZuoraItemID: "a00000"}
	if err := e.ns.Patch(ctx, netsuite.TypeInvoice, id, netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{changed}}}); err != nil {
		t.Fatal(err)
	}
	totalIs(id, "14.50")
	if _, err := e.ns.Upsert(ctx, netsuite.TypeInvoice, "inv-1", invoiceWith(lines(2, "c")), "item"); err != nil {
		t.Fatal(err)
	}
	totalIs(id, "2.00")
	if err := e.ns.Patch(ctx, netsuite.TypeInvoice, id, netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: lines(4, "d")}}); err != nil {
		t.Fatal(err)
	}
	_ = e.sb.Close()
	e = start(t, dir, nil)
	totalIs(id, "6.00")
}
