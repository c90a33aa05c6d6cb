package mapping

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

func decp(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }

// Lines that NetSuite books alike become one line, amounts and quantities
// summed exactly; any difference in what NetSuite books (here the class, the
// rev rec end date, the delay flag) keeps lines apart; the key and the order
// do not depend on the order lines came in.
func TestSummary_GroupsByEverythingNetSuiteBooksAndSumsExactly(t *testing.T) {
	item, class := netsuite.RefTo("11"), netsuite.RefTo("3")
	yes, no := true, false
	base := netsuite.Line{Item: item, Class: class, RevRecStartDate: "2026-01-01", RevRecEndDate: "2026-12-31", DeferRevRec: &no, Description: "Seat"}
	a, b, c := base, base, base
	a.Amount, a.Quantity, a.ZuoraItemID = decimal.RequireFromString("0.10"), decp("1"), "z1"
	b.Amount, b.Quantity, b.ZuoraItemID = decimal.RequireFromString("0.20"), decp("2.5"), "z2"
	c.Amount, c.Quantity, c.ZuoraItemID = decimal.RequireFromString("0.30"), decp("1"), "z3"
	otherClass, otherEnd, delayed := base, base, base
	otherClass.Class, otherClass.Amount = netsuite.RefTo("4"), decimal.RequireFromString("1")
	otherEnd.RevRecEndDate, otherEnd.Amount = "2027-01-31", decimal.RequireFromString("1")
	delayed.DeferRevRec, delayed.Amount = &yes, decimal.RequireFromString("1")

	s1, s2 := NewSummary(), NewSummary()
	s1.Add(a, b, c, otherClass, otherEnd, delayed)
	s2.Add(delayed, c)
	s2.Add(otherEnd, b, otherClass, a)
	l1, l2 := s1.Lines(), s2.Lines()
	if len(l1) != 4 || len(l2) != 4 {
		t.Fatalf("%d and %d groups, want 4", len(l1), len(l2))
	}
	total := decimal.Zero
	for i := range l1 {
		if l1[i].ZuoraItemID != l2[i].ZuoraItemID || !l1[i].Amount.Equal(l2[i].Amount) || l1[i].Description != l2[i].Description {
			t.Errorf("group %d differs with the input order: %+v vs %+v", i, l1[i], l2[i])
		}
		if !IsSummaryLineKey(l1[i].ZuoraItemID) || len(l1[i].ZuoraItemID) != 32 {
			t.Errorf("line key %q", l1[i].ZuoraItemID)
		}
		total = total.Add(l1[i].Amount)
		if l1[i].Amount.Equal(decimal.RequireFromString("0.6")) {
			if !l1[i].Quantity.Equal(decimal.RequireFromString("4.5")) || !strings.Contains(l1[i].Description, "summary of 3 Zuora lines") {
				t.Errorf("summed line %+v (quantity %s)", l1[i], l1[i].Quantity)
			}
		}
	}
	if !total.Equal(decimal.RequireFromString("3.6")) {
		t.Errorf("total %s, want 3.6 exactly", total)
	}
	if a.Amount.String() != "0.1" || a.Quantity.String() != "1" {
		t.Error("summarizing changed its input lines")
	}
}
