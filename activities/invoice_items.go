package activities

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
	"unique"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// An invoice's items and taxation items are read through ZOQL
// (`InvoiceItem where InvoiceId = …`, `TaxationItem where InvoiceId = …`),
// 2,000 rows a call with queryMore, not through the v1 items list (40 rows a
// page, Z1): a 100,000-item invoice is 50 + 50 calls instead of 2,500.
//
// ZOQL has no ORDER BY, so the set is sorted by Zuora id: batch b of the
// sync is rows [b·size, (b+1)·size) of that order, the same in every
// activity call. A posted invoice's items do not change, so the set read by
// one call is kept for the next calls of the same invoice on this worker
// (itemSetTTL), instead of re-reading it for every 50 batches.

const (
	itemSetTTL = 10 * time.Minute
	// itemSetsKept bounds the memory: a few invoices' items at a time.
	itemSetsKept = 4
)

// invoiceItemSet is an invoice's items in id order and their taxation items by item id.
type invoiceItemSet struct {
	items []zuora.InvoiceItem
	taxes map[string][]zuora.TaxationItem
}

type itemSetKey struct {
	z   *zuora.Client
	inv string
}

type itemSetEntry struct {
	ready chan struct{}
	set   *invoiceItemSet
	err   error
	at    time.Time
}

var itemSets = struct {
	sync.Mutex
	m map[itemSetKey]*itemSetEntry
}{m: map[itemSetKey]*itemSetEntry{}}

// readInvoiceItemSet returns the invoice's item set, reading it once for
// concurrent callers and reusing a recent one.
func readInvoiceItemSet(ctx context.Context, z *zuora.Client, invoiceID string) (*invoiceItemSet, error) {
	key := itemSetKey{z, invoiceID}
	itemSets.Lock()
	e, ok := itemSets.m[key]
	if ok && e.err == nil && (e.set == nil || time.Since(e.at) < itemSetTTL) {
		itemSets.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err == nil {
			return e.set, nil
		}
		return readInvoiceItemSet(ctx, z, invoiceID) // the reader failed: read again
	}
	e = &itemSetEntry{ready: make(chan struct{}), at: time.Now()}
	itemSets.m[key] = e
	evictItemSets()
	itemSets.Unlock()

	e.set, e.err = loadInvoiceItemSet(ctx, z, invoiceID)
	itemSets.Lock()
	e.at = time.Now()
	if e.err != nil && itemSets.m[key] == e {
		delete(itemSets.m, key)
	}
	itemSets.Unlock()
	close(e.ready)
	return e.set, e.err
}

// evictItemSets drops expired sets and the oldest over itemSetsKept (lock held).
func evictItemSets() {
	for k, e := range itemSets.m {
		if e.set != nil && time.Since(e.at) >= itemSetTTL {
			delete(itemSets.m, k)
		}
	}
	for len(itemSets.m) > itemSetsKept {
		var oldest itemSetKey
		var at time.Time
		for k, e := range itemSets.m {
			if at.IsZero() || e.at.Before(at) {
				oldest, at = k, e.at
			}
		}
		delete(itemSets.m, oldest)
	}
}

// loadInvoiceItemSet reads the items and the taxation items through two
// ZOQL cursors at once: each is a chain of queryMore calls that wait on one
// another, and the two chains do not.
func loadInvoiceItemSet(ctx context.Context, z *zuora.Client, invoiceID string) (*invoiceItemSet, error) {
	var taxes []zuora.TaxationItem
	var taxErr error
	done := make(chan struct{})
	tctx, cancel := context.WithCancel(ctx)
	defer func() { cancel(); <-done }()
	go func() {
		defer close(done)
		taxes, taxErr = zuora.QueryAll[zuora.TaxationItem](tctx, z, "select "+taxFields+" from TaxationItem where InvoiceId = "+zuora.Quote(invoiceID))
		for i := range taxes {
			taxes[i] = compactTax(taxes[i])
		}
	}()
	var items []zuora.InvoiceItem
	it := z.Query(ctx, "select "+invoiceItemFields+" from InvoiceItem where InvoiceId = "+zuora.Quote(invoiceID), zuora.MaxBatchSize)
	for it.Next(ctx) {
		rec := it.Record()
		// An item without its id or amount would become an unkeyed or zero
		// line in the ledger: refuse it, naming the item and the field.
		for _, field := range []string{"Id", "ChargeAmount"} {
			if v, ok := rec[field]; !ok || v == nil {
				return nil, &zuora.BadRecordError{Object: zuora.ObjInvoiceItem, ID: fmt.Sprint(rec["Id"]), Field: field,
					Problem: "is missing (invoice " + invoiceID + ")"}
			}
		}
		item, err := zuora.Decode[zuora.InvoiceItem](rec)
		if err != nil {
			return nil, fmt.Errorf("invoice %s: %w", invoiceID, err)
		}
		items = append(items, compactItem(item))
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("reading the invoice's items: %w", err)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	items = slices.Clone(items) // kept for the sync: without append's spare capacity
	<-done
	if taxErr != nil {
		return nil, fmt.Errorf("reading the invoice's taxation items: %w", taxErr)
	}
	sort.Slice(taxes, func(i, j int) bool { return taxes[i].ID < taxes[j].ID })
	set := &invoiceItemSet{items: items, taxes: map[string][]zuora.TaxationItem{}}
	for _, t := range taxes {
		set.taxes[t.InvoiceItemID] = append(set.taxes[t.InvoiceItemID], t)
	}
	return set, nil
}

// batch is rows [b·size, (b+1)·size) of the set with their taxation items.
func (s *invoiceItemSet) batch(b, size int) rawBatch {
	start := min(b*size, len(s.items))
	end := min(start+size, len(s.items))
	raw := rawBatch{items: s.items[start:end], taxes: map[string][]zuora.TaxationItem{}}
	for _, it := range raw.items {
		if ts := s.taxes[it.ID]; len(ts) > 0 {
			raw.taxes[it.ID] = ts
		}
	}
	return raw
}

// dropInvoiceItemSet forgets a kept set: a sync's first call reads afresh.
func dropInvoiceItemSet(z *zuora.Client, invoiceID string) {
	itemSets.Lock()
	defer itemSets.Unlock()
	delete(itemSets.m, itemSetKey{z, invoiceID})
}

// The set of a 100,000-item invoice is kept for the calls of its sync, so its
// size is the worker's memory: most string fields repeat across the items
// (the invoice id, charge and product names, dates, codes, the charge and
// subscription ids), and each decoded copy was its own allocation. They are
// interned (unique.Make): one copy per distinct value; ids stay as they are.
func intern(s string) string {
	if s == "" {
		return s
	}
	return unique.Make(s).Value()
}

func compactItem(it zuora.InvoiceItem) zuora.InvoiceItem {
	for _, f := range []*string{&it.InvoiceID, &it.ChargeName, &it.ChargeDate, &it.UOM, &it.SKU, &it.ProductName,
		&it.ServiceStartDate, &it.ServiceEndDate, &it.RatePlanChargeID, &it.SubscriptionID, &it.AccountingCode,
		&it.RevRecCode, &it.RevRecTriggerDate, &it.IntegrationID, &it.IntegrationStatus, &it.SyncDate} {
		*f = intern(*f)
	}
	it.ProcessingType = zuora.ProcessingType(intern(string(it.ProcessingType)))
	return it
}

func compactTax(t zuora.TaxationItem) zuora.TaxationItem {
	for _, f := range []*string{&t.InvoiceID, &t.Name, &t.TaxCode, &t.Jurisdiction, &t.TaxDate, &t.AccountingCode,
		&t.IntegrationID, &t.IntegrationStatus, &t.SyncDate} {
		*f = intern(*f)
	}
	return t
}
