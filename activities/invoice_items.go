package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

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

type itemSetKey struct {
	z   *zuora.Client
	inv string
}

type itemSetEntry struct {
	ready chan struct{}
	set   *invoiceItemSet
	err   error
	at    time.Time
	// taxesRead is closed when the taxation items are read (or their read
	// failed), often well before the items: taxCodes are their distinct
	// accounting codes, so the NetSuite tax items can be looked up while
	// the items are still being read.
	taxesRead chan struct{}
	taxCodes  []string
	// firstItems receives the first page of invoice items as soon as it is
	// read (once; nothing when the read fails first): their catalog charges
	// and subscriptions are read meanwhile (startReadingItems, invoice.go).
	firstItems chan []zuora.InvoiceItem
}

var itemSets = struct {
	sync.Mutex
	m map[itemSetKey]*itemSetEntry
}{m: map[itemSetKey]*itemSetEntry{}}

// readInvoiceItemSet returns the invoice's item set, reading it once for
// concurrent callers and reusing a recent one.
// started, when given, receives the entry being read or waited for.
func readInvoiceItemSet(ctx context.Context, z *zuora.Client, invoiceID string, started ...chan<- *itemSetEntry) (*invoiceItemSet, error) {
	key := itemSetKey{z, invoiceID}
	itemSets.Lock()
	e, ok := itemSets.m[key]
	if ok && e.err == nil && (e.set == nil || time.Since(e.at) < itemSetTTL) {
		itemSets.Unlock()
		for _, c := range started {
			c <- e
		}
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
	e = &itemSetEntry{ready: make(chan struct{}), taxesRead: make(chan struct{}), firstItems: make(chan []zuora.InvoiceItem, 1), at: time.Now()}
	itemSets.m[key] = e
	evictItemSets()
	itemSets.Unlock()
	for _, c := range started {
		c <- e
	}

	set, err := loadInvoiceItemSet(ctx, z, invoiceID, e)
	itemSets.Lock() // others read the entry's set and error under the lock
	e.set, e.err, e.at = set, err, time.Now()
	if err != nil && itemSets.m[key] == e {
		delete(itemSets.m, key)
	}
	itemSets.Unlock()
	close(e.ready)
	return set, err
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
// another, and the two chains do not. Given an entry, it closes e.taxesRead
// when the taxation items are read, with their accounting codes in e.taxCodes.
func loadInvoiceItemSet(ctx context.Context, z *zuora.Client, invoiceID string, e *itemSetEntry) (*invoiceItemSet, error) {
	var b setBuilder // the taxes' goroutine adds taxes, this one items: disjoint fields
	var taxErr error
	done := make(chan struct{})
	tctx, cancel := context.WithCancel(ctx)
	defer func() { cancel(); <-done }()
	go func() {
		defer close(done)
		if e != nil {
			defer close(e.taxesRead)
		}
		rows := zuora.QueryRows[zuora.TaxationItem](z, zuora.ObjTaxationItem, "select "+taxFields+" from TaxationItem where InvoiceId = "+zuora.Quote(invoiceID), zuora.MaxBatchSize)
		for rows.Next(tctx) {
			b.addTax(rows.Row())
		}
		if taxErr = rows.Err(); taxErr == nil && e != nil {
			e.taxCodes = b.taxCodes()
		}
	}()
	// An item without its id or amount would become an unkeyed or zero
	// line in the ledger: the read refuses it, naming the item and the field.
	it := zuora.QueryRows[zuora.InvoiceItem](z, zuora.ObjInvoiceItem, "select "+invoiceItemFields+" from InvoiceItem where InvoiceId = "+zuora.Quote(invoiceID),
		zuora.MaxBatchSize, "Id", "ChargeAmount")
	var first []zuora.InvoiceItem // the first page, for e.firstItems
	published := e == nil
	for it.Next(ctx) {
		row := it.Row()
		b.addItem(row)
		if !published {
			first = append(first, row)
			if published = len(first) == zuora.MaxBatchSize; published {
				e.firstItems <- first
			}
		}
	}
	if !published && len(first) > 0 && it.Err() == nil {
		e.firstItems <- first
	}
	if err := it.Err(); err != nil {
		var bad *zuora.BadRecordError
		if errors.As(err, &bad) {
			bad.Problem += " (invoice " + invoiceID + ")"
			return nil, bad
		}
		return nil, fmt.Errorf("reading the invoice's items: %w", err)
	}
	<-done
	if taxErr != nil {
		return nil, fmt.Errorf("reading the invoice's taxation items: %w", taxErr)
	}
	return b.build(), nil
}

// startInvoiceItemSet starts reading the invoice's item set afresh in the
// background (each sync validates what Zuora holds now); what it returns
// waits for parts of it that are read early.
func startInvoiceItemSet(ctx context.Context, z *zuora.Client, invoiceID string) itemSetStart {
	dropInvoiceItemSet(z, invoiceID)
	started := make(chan *itemSetEntry, 1)
	go func() {
		_, _ = readInvoiceItemSet(ctx, z, invoiceID, started)
	}()
	return itemSetStart{ctx: ctx, entry: sync.OnceValue(func() *itemSetEntry {
		select {
		case e := <-started:
			return e
		case <-ctx.Done():
			return nil
		}
	})}
}

// itemSetStart is an item set being read by startInvoiceItemSet.
type itemSetStart struct {
	ctx   context.Context
	entry func() *itemSetEntry
}

// taxCodes waits for the taxation items' accounting codes: nil once the
// read failed or ctx ended (the set's own reader reports the error).
func (s itemSetStart) taxCodes() []string {
	e := s.entry()
	if e == nil {
		return nil
	}
	select {
	case <-e.taxesRead:
		return e.taxCodes
	case <-s.ctx.Done():
		return nil
	}
}

// firstItems waits for the first page of invoice items: nil when the set
// was read (or failed) without handing it over here.
func (s itemSetStart) firstItems() []zuora.InvoiceItem {
	e := s.entry()
	if e == nil {
		return nil
	}
	select {
	case items := <-e.firstItems:
		return items
	case <-e.ready:
		return nil
	case <-s.ctx.Done():
		return nil
	}
}

// dropInvoiceItemSet forgets a kept set: a sync's first call reads afresh.
func dropInvoiceItemSet(z *zuora.Client, invoiceID string) {
	itemSets.Lock()
	defer itemSets.Unlock()
	delete(itemSets.m, itemSetKey{z, invoiceID})
}
