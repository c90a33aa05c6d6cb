package activities

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// The kept item set gives back every row exactly as Zuora returned it:
// strings, and decimals with their value and scale (a coefficient over 64
// bits included); items in id order, each with its taxation items in id
// order; a tax of no item in the set is not handed out.
func TestInvoiceItemSet_RowsComeBackExactly(t *testing.T) {
	d := decimal.RequireFromString
	items := []zuora.InvoiceItem{
		{ID: "i2", InvoiceID: "inv", ChargeAmount: d("-12.50"), Quantity: d("3"), UnitPrice: d("-4.1666666666666666666666667"),
			ChargeName: "Seats", ChargeDate: "2026-01-01", UOM: "Each", SKU: "SKU-1", ProductName: "P", ServiceStartDate: "2026-01-01",
			ServiceEndDate: "2026-01-31", RatePlanChargeID: "rpc", SubscriptionID: "sub", AccountingCode: "4000", ProcessingType: "Charge",
			RevRecCode: "RR", RevRecTriggerDate: "2026-02-01", NSFields: zuora.NSFields{IntegrationID: "7", IntegrationStatus: "ok", SyncDate: "2026-02-02"}},
		{ID: "i1", InvoiceID: "inv", ChargeAmount: d("123456789012345678901234567890.12"), Quantity: d("0"), UnitPrice: decimal.Decimal{}},
		{ID: "i3", InvoiceID: "inv", ChargeAmount: d("0.000001")},
	}
	taxes := []zuora.TaxationItem{
		{ID: "t2", InvoiceItemID: "i2", InvoiceID: "inv", TaxAmount: d("-1.03"), TaxRate: d("0.0825"), Name: "CA", TaxCode: "VAT",
			Jurisdiction: "CA", TaxDate: "2026-01-01", AccountingCode: "TAX", NSFields: zuora.NSFields{IntegrationID: "9"}},
		{ID: "t0", InvoiceItemID: "gone", TaxAmount: d("5")},
		{ID: "t1", InvoiceItemID: "i2", TaxAmount: d("-0.01"), TaxRate: d("1E-30")},
		{ID: "t3", InvoiceItemID: "i3", TaxAmount: d("0.00")},
	}
	set := newInvoiceItemSet(items, taxes)
	wantOrder := []zuora.InvoiceItem{items[1], items[0], items[2]}
	wantTaxes := map[string][]zuora.TaxationItem{"i1": nil, "i2": {taxes[2], taxes[0]}, "i3": {taxes[3]}}
	if set.len() != len(wantOrder) {
		t.Fatalf("%d items, want %d", set.len(), len(wantOrder))
	}
	for i, want := range wantOrder {
		if got := set.item(i); rowString(got) != rowString(want) {
			t.Errorf("item %d:\n got %s\nwant %s", i, rowString(got), rowString(want))
		}
		got := set.taxesOf(i)
		if len(got) != len(wantTaxes[want.ID]) {
			t.Fatalf("item %s: %d taxes, want %d", want.ID, len(got), len(wantTaxes[want.ID]))
		}
		for k, wt := range wantTaxes[want.ID] {
			if rowString(got[k]) != rowString(wt) {
				t.Errorf("item %s tax %d:\n got %s\nwant %s", want.ID, k, rowString(got[k]), rowString(wt))
			}
		}
	}
	raw := set.batch(0, 2)
	if len(raw.items) != 2 || raw.items[1].ID != "i2" || len(raw.taxes["i2"]) != 2 || raw.taxes["i1"] != nil {
		t.Errorf("batch 0 of 2: %+v", raw)
	}
	if raw := set.batch(1, 2); len(raw.items) != 1 || raw.items[0].ID != "i3" || len(raw.taxes["i3"]) != 1 {
		t.Errorf("batch 1 of 2: %+v", raw)
	}
}

// rowString spells every field, decimals with their exponent (scale).
func rowString(v any) string {
	s := fmt.Sprintf("%+v", v)
	switch r := v.(type) {
	case zuora.InvoiceItem:
		for _, x := range []decimal.Decimal{r.ChargeAmount, r.Quantity, r.UnitPrice} {
			s += fmt.Sprintf(" %s/e%d", x.String(), x.Exponent())
		}
	case zuora.TaxationItem:
		for _, x := range []decimal.Decimal{r.TaxAmount, r.TaxRate} {
			s += fmt.Sprintf(" %s/e%d", x.String(), x.Exponent())
		}
	}
	return s
}

// A large invoice's kept item set holds one copy of each repeated value:
// items decoded separately (each string its own allocation) share their
// invoice id, names, dates and codes; ids stay distinct.
func TestInvoiceItemSet_RepeatedStringsShareOneCopy(t *testing.T) {
	fresh := func(s string) string { return strings.Clone(s) }
	set := newInvoiceItemSet([]zuora.InvoiceItem{
		{ID: "i1", InvoiceID: fresh("inv"), ChargeName: fresh("Seats"), ServiceStartDate: fresh("2026-01-01")},
		{ID: "i2", InvoiceID: fresh("inv"), ChargeName: fresh("Seats"), ServiceStartDate: fresh("2026-01-01")},
	}, []zuora.TaxationItem{{ID: "t1", InvoiceItemID: "i1", TaxCode: fresh("VAT")}, {ID: "t2", InvoiceItemID: "i2", TaxCode: fresh("VAT")}})
	a, b := set.item(0), set.item(1)
	same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
	if !same(a.InvoiceID, b.InvoiceID) || !same(a.ChargeName, b.ChargeName) || !same(a.ServiceStartDate, b.ServiceStartDate) {
		t.Error("equal strings of two items are still separate copies")
	}
	if a.ID != "i1" || b.ID != "i2" || a.ChargeName != "Seats" {
		t.Errorf("values changed: %+v %+v", a, b)
	}
	if x, y := set.taxesOf(0)[0], set.taxesOf(1)[0]; !same(x.TaxCode, y.TaxCode) {
		t.Error("equal tax codes are still separate copies")
	}
}

// The kept set of a 100,000-item invoice with 50,000 tax lines stays small:
// under 40 MiB of heap (decoded rows, as kept before, took about 95 MiB; the
// worker's soft memory limit is 128 MiB, and a live heap near it makes the
// collector run without pause).
func TestInvoiceItemSet_100000ItemsKeptUnder40MiB(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 items: not in -short")
	}
	base := heapInUse()
	var items []zuora.InvoiceItem
	var taxes []zuora.TaxationItem
	for i := range 100000 {
		id := fmt.Sprintf("8a8aa002%024x", i)
		items = append(items, zuora.InvoiceItem{ID: id, InvoiceID: "8a8aa0020000000000000000000000ff",
			ChargeAmount: decimal.New(int64(1000+i%5000), -2), Quantity: decimal.NewFromInt(int64(1 + i%7)), UnitPrice: decimal.New(int64(100+i%900), -2),
			ChargeName: fmt.Sprintf("Charge %d", i%40), ChargeDate: "2026-01-01", ServiceStartDate: "2026-01-01", ServiceEndDate: "2026-01-31",
			RatePlanChargeID: fmt.Sprintf("8a8aa003%024x", i%200), SubscriptionID: fmt.Sprintf("8a8aa004%024x", i%50), ProcessingType: "Charge"})
		if i%2 == 0 {
			taxes = append(taxes, zuora.TaxationItem{ID: fmt.Sprintf("8a8aa005%024x", i), InvoiceItemID: id, InvoiceID: items[i].InvoiceID,
				TaxAmount: decimal.New(int64(i%300), -2), TaxRate: decimal.New(825, -4), Name: "Sales tax", TaxCode: "VAT", TaxDate: "2026-01-01"})
		}
	}
	set := newInvoiceItemSet(items, taxes)
	items, taxes = nil, nil
	kept := heapInUse() - base
	runtime.KeepAlive(set)
	t.Logf("kept set: %.1f MiB", float64(kept)/(1<<20))
	if kept > 40<<20 {
		t.Errorf("the kept set of 100,000 items and 50,000 taxes takes %.1f MiB, want < 40", float64(kept)/(1<<20))
	}
	if set.len() != 100000 || len(set.taxesOf(0)) != 1 || len(set.taxesOf(1)) != 0 {
		t.Errorf("%d items", set.len())
	}
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
