package activities

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// The write-off plan: one Charge per negative item and taxation item, none
// larger than what is left of it after earlier adjustments, together the
// balance to write off; positive items untouched; a balance the negative
// sources cannot carry is refused with the shortfall.
func TestMigrationWriteOff_OneAdjustmentPerItemNoneLargerThanItsItem(t *testing.T) {
	d := decimal.RequireFromString
	set := newInvoiceItemSet(
		[]zuora.InvoiceItem{{ID: "a", ChargeAmount: d("-10.00")}, {ID: "b", ChargeAmount: d("4.00")}, {ID: "c", ChargeAmount: d("-6.00")}},
		[]zuora.TaxationItem{{ID: "ta", InvoiceItemID: "a", TaxAmount: d("-1.00")}, {ID: "tc", InvoiceItemID: "c", TaxAmount: d("-0.60")}},
	)
	earlier := []zuora.InvoiceItemAdjustment{{SourceID: "a", Type: "Charge", Amount: d("3.00"), Status: "Processed"},
		{SourceID: "c", Type: "Charge", Amount: d("6.00"), Status: "Canceled"}, {SourceID: "tc", Type: "Credit", Amount: d("0.40"), Status: "Processed"}}
	lines, err := planWriteOff(d("13.60"), set, earlier) // sources left: a 7, ta 1, c 6 (its earlier one Canceled), tc 1.00 (credited 0.40 more)
	if err != nil {
		t.Fatal(err)
	}
	want := []writeOffLine{{"a", "InvoiceDetail", d("7.00")}, {"ta", "Tax", d("1.00")}, {"c", "InvoiceDetail", d("5.60")}}
	if len(lines) != len(want) {
		t.Fatalf("plan %+v, want %+v", lines, want)
	}
	for i, l := range lines {
		if l.SourceID != want[i].SourceID || l.SourceType != want[i].SourceType || !l.Amount.Equal(want[i].Amount) {
			t.Fatalf("line %d %+v, want %+v", i, l, want[i])
		}
	}
	if _, err := planWriteOff(d("15.01"), set, earlier); err == nil {
		t.Fatal("15.01 on 15.00 of negative sources left: want the shortfall refused")
	}
	if l, err := planWriteOff(d("15.00"), set, earlier); err != nil || len(l) != 4 || !l[3].Amount.Equal(d("1.00")) {
		t.Fatalf("15.00: %+v %v, want the credited taxation item written off by its net 1.00", l, err)
	}
	if k1, k2 := writeOffKeyLine("inv", lines[0]), writeOffKeyLine("inv", lines[1]); k1 == k2 {
		t.Fatal("two adjustments of one invoice share an idempotency key")
	}
}
