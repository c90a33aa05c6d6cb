package activities

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// The item set of a 100,000-item invoice (about 175,000 rows with its tax
// lines) is kept for the calls of its sync, so its size is the worker's
// memory (issue 13: RSS < 150 MiB, under the worker's soft memory limit of
// 128 MiB, near which the collector runs without pause). A decoded row is
// 19 strings and 3 decimals, each decimal a pointer to a big.Int of its own.
// Kept here instead:
//   - the strings other than the row's own id (invoice id, names, dates,
//     codes, charge and subscription ids: most repeat across rows) as 4-byte
//     indexes into the set's table of distinct values;
//   - each decimal as its exact coefficient and exponent (int64, int32): a
//     value whose coefficient does not fit 64 bits keeps its decimal aside;
//     decimal.New(coefficient, exponent) gives back the same value and scale;
//   - the taxation items in one slice in item order, each item pointing at
//     its run of them, instead of a map by item id.
// A batch's rows are rebuilt as zuora.InvoiceItem / zuora.TaxationItem when
// it is read, so nothing outside this file sees the compact form.

// invoiceItemSet is an invoice's items in id order and their taxation items.
type invoiceItemSet struct {
	items     []keptItem
	taxes     []keptTax // grouped by item, in item order; by id within an item
	itemStore rowStore
	taxStore  rowStore
}

// The string fields kept as table indexes, in a fixed order.
const (
	itemStrings = 17
	taxStrings  = 9
	// taxAccountingCode is AccountingCode's place in taxStringFields.
	taxAccountingCode = 5
)

func itemStringFields(it *zuora.InvoiceItem) [itemStrings]*string {
	return [itemStrings]*string{&it.InvoiceID, &it.ChargeName, &it.ChargeDate, &it.UOM, &it.SKU, &it.ProductName,
		&it.ServiceStartDate, &it.ServiceEndDate, &it.RatePlanChargeID, &it.SubscriptionID, &it.AccountingCode,
		(*string)(&it.ProcessingType), &it.RevRecCode, &it.RevRecTriggerDate, &it.IntegrationID, &it.IntegrationStatus, &it.SyncDate}
}

func taxStringFields(t *zuora.TaxationItem) [taxStrings]*string {
	return [taxStrings]*string{&t.InvoiceID, &t.Name, &t.TaxCode, &t.Jurisdiction, &t.TaxDate, &t.AccountingCode,
		&t.IntegrationID, &t.IntegrationStatus, &t.SyncDate}
}

type keptItem struct {
	id                      string
	strs                    [itemStrings]uint32
	amount, quantity, price keptDecimal
	taxFrom, taxTo          uint32 // its taxation items: set.taxes[taxFrom:taxTo]
}

type keptTax struct {
	id           string
	strs         [taxStrings]uint32
	amount, rate keptDecimal
}

// keptDecimal is a decimal as coefficient × 10^exp; big > 0: the value is
// rowStore.bigs[big-1] (a coefficient over 64 bits).
type keptDecimal struct {
	coef int64
	exp  int32
	big  int32
}

// rowStore holds a set's distinct string values and its big decimals.
type rowStore struct {
	strs []string // strs[0] is ""
	idx  map[string]uint32
	bigs []decimal.Decimal
}

func (r *rowStore) str(s string) uint32 {
	if s == "" {
		return 0
	}
	if i, ok := r.idx[s]; ok {
		return i
	}
	if r.idx == nil {
		r.idx, r.strs = map[string]uint32{}, []string{""}
	}
	i := uint32(len(r.strs))
	// A copy: the decoded row's string may share memory with its page.
	r.strs = append(r.strs, strings.Clone(s))
	r.idx[s] = i
	return i
}

func (r *rowStore) get(i uint32) string {
	if i == 0 {
		return ""
	}
	return r.strs[i]
}

func (r *rowStore) dec(d decimal.Decimal) keptDecimal {
	if c := d.Coefficient(); c.IsInt64() {
		return keptDecimal{coef: c.Int64(), exp: d.Exponent()}
	}
	r.bigs = append(r.bigs, d)
	return keptDecimal{big: int32(len(r.bigs))}
}

func (r *rowStore) decimal(k keptDecimal) decimal.Decimal {
	if k.big > 0 {
		return r.bigs[k.big-1]
	}
	return decimal.New(k.coef, k.exp)
}

// done drops what only building needed.
func (r *rowStore) done() { r.idx = nil }

// setBuilder collects the rows of one item set. Items and taxes may be
// added from two goroutines (one each): they use separate stores.
type setBuilder struct {
	set     invoiceItemSet
	taxItem []string // the item id of each kept tax, while building
}

func (b *setBuilder) addItem(it zuora.InvoiceItem) {
	k := keptItem{id: it.ID, amount: b.set.itemStore.dec(it.ChargeAmount),
		quantity: b.set.itemStore.dec(it.Quantity), price: b.set.itemStore.dec(it.UnitPrice)}
	for i, f := range itemStringFields(&it) {
		k.strs[i] = b.set.itemStore.str(*f)
	}
	b.set.items = append(b.set.items, k)
}

func (b *setBuilder) addTax(t zuora.TaxationItem) {
	k := keptTax{id: t.ID, amount: b.set.taxStore.dec(t.TaxAmount), rate: b.set.taxStore.dec(t.TaxRate)}
	for i, f := range taxStringFields(&t) {
		k.strs[i] = b.set.taxStore.str(*f)
	}
	b.set.taxes = append(b.set.taxes, k)
	b.taxItem = append(b.taxItem, t.InvoiceItemID)
}

// taxCodes are the distinct accounting codes of the taxes added so far.
func (b *setBuilder) taxCodes() []string {
	seen := map[uint32]bool{}
	var codes []string
	for _, t := range b.set.taxes {
		if i := t.strs[taxAccountingCode]; i != 0 && !seen[i] {
			seen[i] = true
			codes = append(codes, b.set.taxStore.get(i))
		}
	}
	return codes
}

// build sorts the items by id, groups the taxes under their items (by id
// within an item) and returns the set. A tax of no item in the set is
// dropped: no batch would carry it.
func (b *setBuilder) build() *invoiceItemSet {
	s := &b.set
	slices.SortFunc(s.items, func(x, y keptItem) int { return strings.Compare(x.id, y.id) })
	order := make([]int, len(s.taxes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		if c := strings.Compare(b.taxItem[x], b.taxItem[y]); c != 0 {
			return c
		}
		return strings.Compare(s.taxes[x].id, s.taxes[y].id)
	})
	taxes := make([]keptTax, 0, len(s.taxes))
	j := 0
	for i := range s.items {
		for j < len(order) && b.taxItem[order[j]] < s.items[i].id {
			j++ // a tax of no item
		}
		s.items[i].taxFrom = uint32(len(taxes))
		for ; j < len(order) && b.taxItem[order[j]] == s.items[i].id; j++ {
			taxes = append(taxes, s.taxes[order[j]])
		}
		s.items[i].taxTo = uint32(len(taxes))
	}
	s.items = slices.Clip(s.items)
	s.taxes = taxes
	s.itemStore.done()
	s.taxStore.done()
	b.taxItem = nil
	return s
}

// newInvoiceItemSet is the set of these rows (tests and small callers).
func newInvoiceItemSet(items []zuora.InvoiceItem, taxes []zuora.TaxationItem) *invoiceItemSet {
	var b setBuilder
	for _, it := range items {
		b.addItem(it)
	}
	for _, t := range taxes {
		b.addTax(t)
	}
	return b.build()
}

func (s *invoiceItemSet) len() int { return len(s.items) }

// item is the i-th item (id order) as Zuora returned it.
func (s *invoiceItemSet) item(i int) zuora.InvoiceItem {
	k := &s.items[i]
	it := zuora.InvoiceItem{ID: k.id, ChargeAmount: s.itemStore.decimal(k.amount),
		Quantity: s.itemStore.decimal(k.quantity), UnitPrice: s.itemStore.decimal(k.price)}
	for f, p := range itemStringFields(&it) {
		*p = s.itemStore.get(k.strs[f])
	}
	return it
}

// taxesOf are the taxation items of the i-th item, by id; nil when none.
func (s *invoiceItemSet) taxesOf(i int) []zuora.TaxationItem {
	k := &s.items[i]
	if k.taxFrom == k.taxTo {
		return nil
	}
	out := make([]zuora.TaxationItem, 0, k.taxTo-k.taxFrom)
	for _, kt := range s.taxes[k.taxFrom:k.taxTo] {
		t := zuora.TaxationItem{ID: kt.id, InvoiceItemID: k.id, TaxAmount: s.taxStore.decimal(kt.amount), TaxRate: s.taxStore.decimal(kt.rate)}
		for f, p := range taxStringFields(&t) {
			*p = s.taxStore.get(kt.strs[f])
		}
		out = append(out, t)
	}
	return out
}

// batch is rows [b·size, (b+1)·size) of the set with their taxation items.
func (s *invoiceItemSet) batch(b, size int) rawBatch {
	start := min(b*size, len(s.items))
	end := min(start+size, len(s.items))
	raw := rawBatch{items: make([]zuora.InvoiceItem, 0, end-start), taxes: map[string][]zuora.TaxationItem{}}
	for i := start; i < end; i++ {
		it := s.item(i)
		raw.items = append(raw.items, it)
		if ts := s.taxesOf(i); len(ts) > 0 {
			raw.taxes[it.ID] = ts
		}
	}
	return raw
}
