package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/activity"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// batchesPerCall is how many line batches one SyncInvoice call writes before
// returning to the workflow: large enough that a 100,000-line invoice costs
// few Temporal actions, small enough that progress is visible and a crash
// repeats at most a few idempotent batches.
const batchesPerCall = 50

// validationReadAhead is how many pages of a large invoice's items are read
// from Zuora at once while validating it: the pre-write pass is read-only, so
// its pages need not wait for each other.
const validationReadAhead = 6

// SelectInvoices returns the next page of invoices eligible by the seed's
// criteria, in Zuora id order after in.AfterID (keyset: candidatesAfter).
func (a *Activities) SelectInvoices(ctx context.Context, in workflows.SelectInput) (workflows.SelectResult, error) {
	ctx = nsFields(ctx, in.Settings)
	return accountKeysetPage(ctx, a.Zuora, mapping.InvoiceSelectionZOQL(in.Settings), "invoices", in,
		func(inv zuora.Invoice) string { return inv.ID }, func(inv zuora.Invoice) string { return inv.AccountID },
		func(inv zuora.Invoice, acct *zuora.Account) (workflows.SelectedRecord, bool) {
			rec := workflows.SelectedRecord{ID: inv.ID, Number: inv.InvoiceNumber}
			if acct == nil {
				// The invoice's account is missing in Zuora: select it, so its
				// sync records the reason instead of skipping it silently.
				return rec, true
			}
			rec.AccountNumber = acct.AccountNumber
			ok, _ := mapping.InvoiceSelectable(inv, *acct, in.Settings)
			return rec, ok
		})
}

// invoiceJob is one SyncInvoice call's working set.
type invoiceJob struct {
	a         *Activities
	in        workflows.SyncInvoiceInput
	s         settings.Settings
	state     workflows.InvoiceSyncState
	inv       zuora.Invoice
	acct      zuora.Account
	catalog   *catalogCache
	lookups   *lookupResolver
	batches   map[int]*lineBatch // batches read while validating, reused when small
	pending   map[int]chan rawBatch
	itemCount int // invoice items (not taxation items), counted while validating
	// batchLines: NetSuite lines of each batch, counted while validating;
	// what a split into parts is planned from (invoice_split.go).
	batchLines []int
	// summary: the summarized lines of a Summarized sync, computed once per
	// call (invoice_summary.go).
	summary []netsuite.Line
	// mapMu: one goroutine at a time maps batches to lines (linesOf);
	// stMu guards state while parts are written concurrently.
	mapMu, stMu sync.Mutex
	// keyCheck: the read-back of the line key of a record of this invoice,
	// started after the call's first create or before its first append
	// (nil: not started); the records share the form. No batch is appended
	// before the key is confirmed (ensureLineKey).
	keyCheck *lineKeyCheck
	// made: the records this call made (removed with the invoice's others
	// if the key is not stored).
	made []madeRecord
	// absentParts: parts whose records this call looked up at its start and
	// found none (invoice_split_write.go): their creation needs no lookup.
	absentParts map[int]bool
	// headerLookup: the lookup of the first record by external id, started
	// in prepare beside the item reads; taken once, by ensureHeaderOf or,
	// for a split written in parts, by runParts.
	headerLookup chan headerLookup
	// firstPartAbsent: this call validated a split invoice and found no
	// record of its part 1 (lookUpPartRecords).
	firstPartAbsent bool
	// reading: the item set this call started reading (startReadingItems);
	// catalogPrimed is closed when that is done with the catalog cache (nil:
	// not primed); loadBatch waits for it.
	reading       *itemSetStart
	catalogPrimed chan struct{}
}

type lineKeyCheck struct {
	done chan struct{}
	err  error
}

// madeRecord is a NetSuite record this call made: part (0 when not split) and id.
type madeRecord struct {
	part int
	id   string
}

type headerLookup struct {
	id  string
	err error
}

// takeHeaderLookup waits for the first record's lookup prepare started;
// it is taken once.
func (j *invoiceJob) takeHeaderLookup() headerLookup {
	found := <-j.headerLookup
	j.headerLookup = nil
	return found
}

// beat records the sync's cursor: now (a retry resumes from it) and in
// every background heartbeat after (liveness.go).
func (j *invoiceJob) beat(ctx context.Context) { heartbeat(ctx, j.state) }

// rawBatch is a page of items and their taxation items as read from Zuora,
// before the (not concurrency-safe) catalog cache has seen it.
type rawBatch struct {
	items   []zuora.InvoiceItem
	taxes   map[string][]zuora.TaxationItem
	present map[string]bool
	err     error
}

// lineBatch is one page of invoice items with what their lines need.
type lineBatch struct {
	items []zuora.InvoiceItem
	taxes map[string][]zuora.TaxationItem // by invoice item id
	// present: which of the batch's Zuora item ids the NetSuite record
	// already has, when read ahead of the write (nil: not read yet).
	present map[string]bool
}

// SyncInvoice does the next part of one invoice's sync. The first call
// validates the whole invoice, marks it Processing and creates the NetSuite
// header; every call then adds up to batchesPerCall batches of lines; the call
// that adds the last batch writes back Sync Complete. Each part is idempotent.
func (a *Activities) SyncInvoice(ctx context.Context, in workflows.SyncInvoiceInput) (workflows.SyncInvoiceStep, error) {
	ctx = nsFields(ctx, in.Settings)
	j := &invoiceJob{a: a, in: in, s: in.Settings, state: in.State,
		catalog: newCatalogCache(a.Zuora), lookups: newLookupResolver(a.NetSuite), batches: map[int]*lineBatch{},
		pending: map[int]chan rawBatch{}}
	// Read-ahead goroutines stop with the call.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if j.s.Run.BatchSize <= 0 {
		j.s.Run.BatchSize = settings.Default().Run.BatchSize
	}
	// A retried attempt resumes from the last batch it reported done.
	if activity.IsActivity(ctx) && activity.HasHeartbeatDetails(ctx) {
		var hb workflows.InvoiceSyncState
		if err := activity.GetHeartbeatDetails(ctx, &hb); err == nil && hb.NextBatch >= j.state.NextBatch && hb.TotalBatches > 0 &&
			hb.BatchOrder == j.state.BatchOrder {
			j.state = hb
		}
	}
	j.state = restartInIDOrder(j.state)
	step, err := j.run(ctx)
	var lk lineKeyError
	keyNotStored := errors.As(err, &lk)
	if keyNotStored {
		err = j.removeRecords(ctx, err)
	}
	if stopWriting(err) {
		a.log(ctx).Warn("invoice sync attempt stopped before writing", "invoice_id", in.InvoiceID, "error", err)
		return workflows.SyncInvoiceStep{}, err
	}
	if err != nil && !permanent(err) && madeProgress(in.State, j.state) {
		// Hand back the batches this call wrote instead of failing: the
		// workflow calls again at once with a fresh retry budget. Failing
		// would repeat nothing (the batches are in NetSuite) but would count
		// against the attempts, so a very large invoice under a flaky API
		// could run out of them while moving forward every time.
		a.log(ctx).Warn("invoice sync call ends early after progress; the workflow calls again", "invoice_id", in.InvoiceID,
			"next_batch", j.state.NextBatch, "total_batches", j.state.TotalBatches, "error", err)
		return workflows.SyncInvoiceStep{State: j.state}, nil
	}
	if err != nil {
		if permanent(err) {
			reason := err.Error()
			if j.state.NetSuiteID != "" && !keyNotStored {
				reason += fmt.Sprintf(" (NetSuite %s %s exists with %d of %d line batches; fix the cause and the next run completes it)",
					j.state.RecordType, j.state.NetSuiteID, j.state.NextBatch, j.state.TotalBatches)
			}
			return j.finish(ctx, workflows.OutcomeError, reason)
		}
		return workflows.SyncInvoiceStep{}, retryable("syncing invoice "+in.InvoiceID, err)
	}
	return step, nil
}

// madeProgress: a NetSuite record of the invoice now exists or has more
// batches than the workflow knew of.
func madeProgress(before, now workflows.InvoiceSyncState) bool {
	if !hasRecord(now) || now.TotalBatches == 0 {
		return false
	}
	return !hasRecord(before) || now.NextBatch > before.NextBatch
}

// hasRecord: the state names a NetSuite record of the invoice (a split's
// parts are made together, so another part's may come before part 1's).
func hasRecord(s workflows.InvoiceSyncState) bool {
	return s.NetSuiteID != "" || slices.ContainsFunc(s.Parts, func(p workflows.InvoicePart) bool { return p.NetSuiteID != "" })
}

// writesParts: a split invoice whose parts are written concurrently
// (invoice_split_write.go); a summary split in parts is written part after
// part by the sequential path.
func (j *invoiceJob) writesParts() bool { return len(j.state.Parts) > 0 && !j.state.Summarized }

func (j *invoiceJob) run(ctx context.Context) (workflows.SyncInvoiceStep, error) {
	a := j.a
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoice, j.in.InvoiceID, &j.inv); err != nil {
		if zuora.IsNotFound(err) {
			return workflows.SyncInvoiceStep{State: j.state, Outcome: workflows.OutcomeSkipped, Reason: "invoice no longer exists in Zuora"}, nil
		}
		return workflows.SyncInvoiceStep{}, fmt.Errorf("reading invoice: %w", err)
	}
	j.state.InvoiceNumber = j.inv.InvoiceNumber
	if j.state.TotalBatches == 0 && !LeftByOldConnector(j.inv.TransferredToAccounting, j.inv.NSFields) {
		// A sync to be validated reads the items from here on, beside the
		// account read: for a large invoice the item reads are most of the
		// time before the first write. (An invoice Zuora's own connector left
		// is matched first, and usually needs no item read: cutover.go.)
		j.startReadingItems(ctx)
	}
	if err := a.Zuora.GetObject(ctx, zuora.ObjAccount, j.inv.AccountID, &j.acct); err != nil {
		if zuora.IsNotFound(err) {
			return j.finish(ctx, workflows.OutcomeError, fmt.Sprintf("the invoice's account %s does not exist in Zuora", j.inv.AccountID))
		}
		return workflows.SyncInvoiceStep{}, fmt.Errorf("reading account %s: %w", j.inv.AccountID, err)
	}
	j.state.AccountNumber = j.acct.AccountNumber

	if j.state.TotalBatches == 0 {
		if step, done, err := j.prepare(ctx); err != nil || done {
			return step, err
		}
	}
	if j.writesParts() {
		return j.runParts(ctx) // invoice_split_write.go
	}
	for n := 0; n < batchesPerCall && j.state.NextBatch < j.state.TotalBatches; n++ {
		// Zuora reads of the next batch overlap this batch's NetSuite write:
		// lines of one record are written one request after another, so the
		// write is the critical path.
		if n+1 < batchesPerCall && j.state.NextBatch+1 < j.state.TotalBatches && !j.state.Summarized {
			j.prefetchForWrite(ctx, j.state.NextBatch+1)
		}
		written, err := j.syncBatch(ctx, j.state.NextBatch)
		if err != nil {
			return workflows.SyncInvoiceStep{}, fmt.Errorf("line batch %d of %d: %w", j.state.NextBatch+1, j.state.TotalBatches, err)
		}
		j.state.LinesWritten += written
		j.state.NextBatch++
		if j.state.NextBatch < j.state.TotalBatches {
			// Only a multi-batch invoice has a cursor worth keeping; a
			// heartbeat that reaches Temporal is a billable action.
			j.beat(ctx)
		}
	}
	if j.state.NextBatch < j.state.TotalBatches {
		if err := j.settleKeyCheck(ctx); err != nil {
			return workflows.SyncInvoiceStep{}, err
		}
		return workflows.SyncInvoiceStep{State: j.state}, nil
	}
	return j.complete(ctx)
}

// restartInIDOrder moves a sync that earlier code began (batches in the
// invoice's item order) onto this code's order (Zuora id): its cursor goes
// back to the first batch, and every batch adds only the lines NetSuite does
// not have yet, so the items the old order had not reached are written and
// none twice. A sync not yet validated gets the order in prepare.
func restartInIDOrder(s workflows.InvoiceSyncState) workflows.InvoiceSyncState {
	if s.TotalBatches > 0 && s.BatchOrder != workflows.BatchOrderZuoraID {
		s.NextBatch, s.PartCursors = 0, false
	}
	s.BatchOrder = workflows.BatchOrderZuoraID
	return s
}

// prepare applies the seed's selection re-check, the item ceiling and every
// validation, then marks the invoice Processing and makes sure the NetSuite
// header exists. done=true means the invoice ended here (skipped, ignored or
// error) and step says how.
func (j *invoiceJob) prepare(ctx context.Context) (workflows.SyncInvoiceStep, bool, error) {
	if ok, why := mapping.InvoiceSelectable(j.inv, j.acct, j.s); !ok {
		// Changed since selection (already synced, canceled, ...): leave it as it is.
		return workflows.SyncInvoiceStep{State: j.state, Outcome: workflows.OutcomeSkipped, Reason: why}, true, nil
	}
	recordType, creating := mapping.InvoiceTarget(j.inv)
	j.state.RecordType = recordType
	// Issue 17: a record Zuora's own connector already made is linked, not made again (cutover.go).
	if step, done, err := j.adoptOldConnectorInvoice(ctx); err != nil || done {
		return step, done, err
	}

	// Zuora's items are read in the background (run usually started it):
	// for a large invoice the two ZOQL cursors are most of this call, and
	// they need not wait for the NetSuite lookups below (validateItems
	// waits for them).
	if j.reading == nil {
		j.startReadingItems(ctx)
	}
	// So is the lookup of the record an earlier attempt may have made (the
	// create that follows is an upsert by the same external id either way).
	j.headerLookup = make(chan headerLookup, 1)
	go func() {
		id, err := j.a.findByExternalID(ctx, partExternalID(j.inv.ID, 0))
		j.headerLookup <- headerLookup{id, err}
	}()

	if err := j.lookups.classifications(ctx, accountClass(j.acct)); err != nil {
		return workflows.SyncInvoiceStep{}, false, err
	}
	problems := mapping.ValidateAccount(j.acct, j.lookups.l)
	// The taxation items are usually read before the items: their NetSuite
	// tax items are looked up meanwhile (validateItems finds them known).
	if err := j.lookups.taxItems(ctx, j.reading.taxCodes()...); err != nil {
		return workflows.SyncInvoiceStep{}, false, err
	}

	items, includable, itemProblems, err := j.validateItems(ctx)
	if err != nil {
		return workflows.SyncInvoiceStep{}, false, err
	}
	j.state.Items = items
	if mapping.ExceedsItemCeiling(items, j.s) {
		step, err := j.finish(ctx, workflows.OutcomeIgnored, fmt.Sprintf(
			"the invoice has %d invoice and taxation items, above the %d-item ceiling set in the advanced settings; "+
				"set Transferred To Accounting back to No after raising the ceiling to sync it", items, j.s.Advanced.MaxInvoiceItems))
		return step, true, err
	}
	policy, summaryNote := j.s.Invoice.OverCeiling, ""
	if includable > j.s.Invoice.LineCeiling && policy == settings.OverCeilingSummarize && len(itemProblems) == 0 {
		var err error
		if policy, summaryNote, err = j.planSummary(ctx); err != nil {
			return workflows.SyncInvoiceStep{}, false, err
		}
	}
	if j.state.Summarized {
		// Issue 13, policy summarize: planned; the batches are of summarized lines.
	} else if includable > j.s.Invoice.LineCeiling && policy == settings.OverCeilingSplit {
		// Issue 13, policy split: the parts are planned here, before any
		// write, and kept in the durable state.
		parts, why := planParts(j.batchLines, j.s.Invoice.LineCeiling)
		if why != "" {
			step, err := j.finish(ctx, workflows.OutcomeIgnored, why)
			return step, true, err
		}
		j.state.Parts = parts
	} else if includable > j.s.Invoice.LineCeiling {
		// Issue 13, policy ignore: NetSuite takes at most the ceiling's lines
		// per transaction (real-api-gaps N1); decided before any write, so no
		// partial invoice is left in accounts receivable.
		step, err := j.finish(ctx, workflows.OutcomeIgnored, fmt.Sprintf(
			"the invoice has %d lines for NetSuite (invoice items and taxation items), above NetSuite's line ceiling of %d per transaction (invoice.lineCeiling); "+
				"sync it by hand or in parts%s", includable, j.s.Invoice.LineCeiling, summaryNote))
		return step, true, err
	}
	problems = append(problems, itemProblems...)
	if len(problems) > 0 {
		step, err := j.finish(ctx, workflows.OutcomeError, problemText(problems))
		return step, true, err
	}
	if includable == 0 {
		step, err := j.finish(ctx, workflows.OutcomeIgnored,
			"the invoice has no item to sync: every item is zero-amount and the advanced settings leave zero-amount items out")
		return step, true, err
	}

	// Seed: Integration Status Creating Invoice / Creating Credit Memo and
	// Transferred To Accounting Processing before the write, for error recovery.
	if err := j.a.stillCurrent(ctx); err != nil {
		return workflows.SyncInvoiceStep{}, false, err
	}
	if err := j.a.Zuora.UpdateInvoice(ctx, j.inv.ID, zuora.InvoiceUpdate{
		TransferredToAccounting: ptr(zuora.TransferProcessing), IntegrationStatus: ptr(creating),
	}); err != nil {
		return workflows.SyncInvoiceStep{}, false, fmt.Errorf("marking the invoice Processing: %w", err)
	}
	j.state.TotalBatches = (j.itemCount + j.s.Run.BatchSize - 1) / j.s.Run.BatchSize
	if j.state.Summarized {
		j.state.TotalBatches = (len(j.summary) + j.s.Run.BatchSize - 1) / j.s.Run.BatchSize
	}
	if j.writesParts() {
		// Every part, the first included, is made by the part writers, at
		// once (runParts): part 1 made alone would hold the others a write.
		j.beat(ctx)
		return workflows.SyncInvoiceStep{}, false, nil
	}
	id, through, lines, err := j.ensureHeaderOf(ctx, j.state.Part)
	if err != nil {
		return workflows.SyncInvoiceStep{}, false, err
	}
	j.state.NetSuiteID = id
	if len(j.state.Parts) > 0 {
		j.state.Parts[0].NetSuiteID = id
	}
	if through > 0 {
		// Made now with batches [0, through): they need no second look.
		// (A split's part cursors are derived from NextBatch: withPartCursors.)
		j.state.NextBatch, j.state.LinesWritten = through, lines
	}
	if j.state.TotalBatches > 1 {
		j.beat(ctx)
	}
	return workflows.SyncInvoiceStep{}, false, nil
}

// startReadingItems starts reading the invoice's items afresh, and the
// catalog charges and subscriptions of their first page while the other
// pages are read: for a large invoice these are usually all its charges,
// which validateItems would otherwise read only after the last page.
// loadBatch waits for the catalog: its cache is not safe for concurrent use.
func (j *invoiceJob) startReadingItems(ctx context.Context) {
	reading := startInvoiceItemSet(ctx, j.a.Zuora, j.inv.ID)
	j.reading = &reading
	done := make(chan struct{})
	j.catalogPrimed = done
	go func() {
		defer close(done)
		if items := reading.firstItems(); len(items) > 0 {
			if err := j.catalog.load(ctx, items); err != nil {
				// A failed read may leave the cache half filled: loadBatch
				// starts from an empty one, reads again and reports its error.
				j.catalog = newCatalogCache(j.a.Zuora)
			}
		}
	}()
}

// validateItems pages through every item once: counts items and taxation
// items, collects validation problems and counts lines that will be written.
func (j *invoiceJob) validateItems(ctx context.Context) (items, includable int, problems []mapping.Problem, err error) {
	negate := j.state.RecordType == netsuite.TypeCreditMemo
	var taxCodes []string
	var chargeHolders []classified
	for b := 0; ; b++ {
		batch, err := j.loadBatch(ctx, b)
		if err != nil {
			return 0, 0, nil, err
		}
		if len(batch.items) == 0 {
			break
		}
		if len(batch.items) == j.s.Run.BatchSize {
			// A full page: more may follow; read ahead.
			for ahead := 1; ahead <= validationReadAhead; ahead++ {
				j.prefetch(ctx, b+ahead)
			}
		}
		j.itemCount += len(batch.items)
		items += len(batch.items)
		for _, it := range batch.items {
			ch := j.catalog.chargeOf(it)
			problems = append(problems, mapping.ValidateInvoiceItem(it, ch, j.catalog.subscriptionOf(it))...)
			if ch != nil && j.s.Transaction.LineClassificationSource == settings.ClassificationFromCharge {
				chargeHolders = append(chargeHolders, chargeClass(*ch))
			}
			for _, t := range batch.taxes[it.ID] {
				items++
				if t.AccountingCode != "" {
					taxCodes = append(taxCodes, t.AccountingCode)
				}
			}
		}
		if err := j.lookups.taxItems(ctx, taxCodes...); err != nil {
			return 0, 0, nil, err
		}
		if err := j.lookups.classifications(ctx, chargeHolders...); err != nil {
			return 0, 0, nil, err
		}
		taxCodes, chargeHolders = taxCodes[:0], chargeHolders[:0]
		lines := 0
		for _, it := range batch.items {
			for _, t := range batch.taxes[it.ID] {
				problems = append(problems, mapping.ValidateTaxationItem(t, j.lookups.l)...)
			}
			if ch := j.catalog.chargeOf(it); ch != nil {
				if _, ok := mapping.ChargeLine(j.lineSource(it, ch), negate, j.lookups.l, j.s); ok {
					lines++
				}
			}
			lines += len(mapping.TaxLines(it, batch.taxes[it.ID], negate, j.lookups.l, j.s))
		}
		includable += lines
		j.batchLines = append(j.batchLines, lines)
		if len(problems) > maxProblems {
			problems = problems[:maxProblems]
		}
		if len(batch.items) < j.s.Run.BatchSize {
			break
		}
		j.beat(ctx)
	}
	return items, includable, problems, nil
}

const maxProblems = 50

func (j *invoiceJob) lineSource(it zuora.InvoiceItem, ch *zuora.ProductRatePlanCharge) mapping.LineSource {
	return mapping.LineSource{Item: it, Charge: *ch, Subscription: j.catalog.subscriptionOf(it), Account: j.acct}
}

// loadBatch reads batch b (page b+1 of BatchSize invoice items) with its
// taxation items and catalog charges. Small invoices keep their batches so
// the write pass does not read them again.
func (j *invoiceJob) loadBatch(ctx context.Context, b int) (*lineBatch, error) {
	var raw rawBatch
	if ch, ok := j.pending[b]; ok {
		delete(j.pending, b)
		raw = <-ch
	} else if lb, ok := j.batches[b]; ok {
		return lb, nil
	} else {
		raw = j.fetchRaw(ctx, b)
	}
	if raw.err != nil {
		return nil, raw.err
	}
	if lb, ok := j.batches[b]; ok {
		lb.present = raw.present
		return lb, nil
	}
	lb := &lineBatch{items: raw.items, taxes: raw.taxes, present: raw.present}
	if j.catalogPrimed != nil {
		select {
		case <-j.catalogPrimed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err := j.catalog.load(ctx, raw.items); err != nil {
		return nil, err
	}
	if len(j.batches) < batchesPerCall {
		j.batches[b] = lb
	}
	return lb, nil
}

// prefetch starts reading batch b in the background; loadBatch picks it up.
// Only the Zuora client (safe for concurrent use) is touched off the
// activity's goroutine.
func (j *invoiceJob) prefetch(ctx context.Context, b int) {
	if _, ok := j.batches[b]; ok {
		return
	}
	if _, ok := j.pending[b]; ok {
		return
	}
	ch := make(chan rawBatch, 1)
	j.pending[b] = ch
	go func() { ch <- j.fetchRaw(ctx, b) }()
}

// prefetchForWrite reads batch b (unless already read) and which of its
// lines the NetSuite record has, in the background while the previous
// batch's write is in flight: the check is as good then as after it, since
// this sync is the only writer of this invoice's lines.
func (j *invoiceJob) prefetchForWrite(ctx context.Context, b int) {
	if _, ok := j.pending[b]; ok {
		return
	}
	cached, nsID := j.batches[b], j.state.NetSuiteID
	if partOf(j.state.Parts, b) != j.state.Part {
		// Its record is the next part's, not made yet: syncBatch reads.
		nsID = ""
	}
	ch := make(chan rawBatch, 1)
	j.pending[b] = ch
	go func() {
		var raw rawBatch
		if cached != nil {
			raw = rawBatch{items: cached.items, taxes: cached.taxes}
		} else {
			raw = j.fetchRaw(ctx, b)
		}
		if raw.err == nil && nsID != "" && len(raw.items) > 0 {
			raw.present, raw.err = j.a.linesPresent(ctx, nsID, lineKeys(raw))
		}
		ch <- raw
	}()
}

// lineKeys are the Zuora ids a batch's NetSuite lines are keyed by: each
// invoice item's and each taxation item's (custcol_zuora_item_id).
func lineKeys(raw rawBatch) []string {
	var keys []string
	for _, it := range raw.items {
		keys = append(keys, it.ID)
		for _, t := range raw.taxes[it.ID] {
			keys = append(keys, t.ID)
		}
	}
	return keys
}

// fetchRaw reads batch b of the invoice's items (id order) and their
// taxation items: invoice_items.go reads them through ZOQL once.
func (j *invoiceJob) fetchRaw(ctx context.Context, b int) rawBatch {
	set, err := readInvoiceItemSet(ctx, j.a.Zuora, j.inv.ID)
	if err != nil {
		return rawBatch{err: fmt.Errorf("reading invoice items (batch %d): %w", b+1, err)}
	}
	return set.batch(b, j.s.Run.BatchSize)
}

// lines maps one batch to NetSuite lines.
func (j *invoiceJob) lines(ctx context.Context, lb *lineBatch) ([]netsuite.Line, error) {
	negate := j.state.RecordType == netsuite.TypeCreditMemo
	var codes []string
	var holders []classified
	for _, it := range lb.items {
		for _, t := range lb.taxes[it.ID] {
			codes = append(codes, t.AccountingCode)
		}
		if ch := j.catalog.chargeOf(it); ch != nil && j.s.Transaction.LineClassificationSource == settings.ClassificationFromCharge {
			holders = append(holders, chargeClass(*ch))
		}
	}
	if err := j.lookups.taxItems(ctx, codes...); err != nil {
		return nil, err
	}
	if err := j.lookups.classifications(ctx, append(holders, accountClass(j.acct))...); err != nil {
		return nil, err
	}
	var out []netsuite.Line
	for _, it := range lb.items {
		ch := j.catalog.chargeOf(it)
		if ch == nil {
			// Validated before the header was made; the charge has since vanished.
			return nil, &mapping.Problem{Rule: "invoice validation: charge synced", RecordType: "InvoiceItem", RecordID: it.ID,
				Reason: fmt.Sprintf("invoice item %s (%s) no longer has a product rate plan charge in Zuora", it.ID, it.ChargeName)}
		}
		if line, ok := mapping.ChargeLine(j.lineSource(it, ch), negate, j.lookups.l, j.s); ok {
			out = append(out, line)
		}
		out = append(out, mapping.TaxLines(it, lb.taxes[it.ID], negate, j.lookups.l, j.s)...)
	}
	return out, nil
}

// ensureHeaderOf returns the NetSuite record of this invoice's part p (0
// when not split), creating it (with the part's first batch of lines, as
// NetSuite needs one) if it is not there. The external id makes this
// exactly-once: after a lost response the retry finds the record instead of
// making a second. When it creates the record, through is the batch after
// the last one the create wrote and lines how many lines it wrote; when it
// finds the record, through is -1: what the record holds is not known.
func (j *invoiceJob) ensureHeaderOf(ctx context.Context, p int) (id string, through, lines int, err error) {
	ext := partExternalID(j.inv.ID, p)
	j.stMu.Lock()
	absent := j.absentParts[p]
	j.stMu.Unlock()
	switch {
	case p == 0 && j.headerLookup != nil:
		// Looked up while the items were read (prepare).
		found := j.takeHeaderLookup()
		if found.id != "" || found.err != nil {
			return found.id, -1, 0, found.err
		}
	case !absent:
		if id, err = j.a.findByExternalID(ctx, ext); err != nil || id != "" {
			return id, -1, 0, err
		}
	}
	first, end := 0, j.state.TotalBatches
	if len(j.state.Parts) > 0 {
		first, end = j.partBounds(p)
	}
	// NetSuite makes no record without a line: the first batch of the part
	// that has one (a batch of zero-amount items may have none).
	var ls []netsuite.Line
	b := first
	for ; len(ls) == 0 && b < end; b++ {
		if ls, err = j.linesOf(ctx, b); err != nil {
			return "", 0, 0, err
		}
	}
	if err := j.a.stillCurrent(ctx); err != nil {
		return "", 0, 0, err
	}
	j.mapMu.Lock()
	tx := mapping.InvoiceHeader(j.inv, j.acct, j.lookups.l, j.s)
	j.mapMu.Unlock()
	j.asPart(&tx, ext, p)
	tx.Item = &netsuite.Sublist[netsuite.Line]{Items: ls}
	// replace=item: an upsert that finds the record (the client repeating a
	// PUT whose answer was lost) would append its lines again otherwise
	// (real-api-gaps N2); with it a repeat leaves the first batch once.
	id, err = j.a.NetSuite.Upsert(ctx, j.state.RecordType, ext, tx, "item")
	if err != nil {
		return "", 0, 0, fmt.Errorf("creating the NetSuite %s: %w", j.state.RecordType, err)
	}
	j.stMu.Lock()
	j.made = append(j.made, madeRecord{part: p, id: id})
	whole := len(j.state.Parts) == 0 && b >= end
	if !j.state.LineKeyChecked && !whole {
		// Read back beside the call's other creates: each is an upsert
		// holding one batch, and every append waits for the answer.
		key, recordType := ls[0].ZuoraItemID, j.state.RecordType
		j.startLineKeyCheckLocked(func() error { return j.a.lineKeyStored(ctx, recordType, id, key, j.s) })
	}
	j.stMu.Unlock()
	return id, b, len(ls), nil
}

// The line key (real-api-gaps N6): NetSuite drops a line field that is not
// on the form without a word, and "which of a batch's lines are there"
// would then find none, so a retried batch would append its lines again.
// It is confirmed once per invoice sync (InvoiceSyncState.LineKeyChecked):
// on the first record a call makes, by reading its first line's key back
// (in the background, beside the call's other creates), or, when the call
// made none, on the record it first appends to, by counting its keyed
// lines: every record the connector makes holds keyed lines, so one with
// none was made on a form that drops the key. No batch is appended before
// that. The count before the invoice is marked done is the same check.
// Either way every record of the invoice is removed and it ends Error
// naming the field.

// startLineKeyCheckLocked runs check in the background as the call's line
// key check, unless one is under way (stMu held).
func (j *invoiceJob) startLineKeyCheckLocked(check func() error) {
	if j.keyCheck != nil {
		return
	}
	kc := &lineKeyCheck{done: make(chan struct{})}
	j.keyCheck = kc
	go func() {
		defer close(kc.done)
		kc.err = check()
	}()
}

// ensureLineKey returns once the line key is known stored, checking it on
// record id unless a check is under way.
func (j *invoiceJob) ensureLineKey(ctx context.Context, id string) error {
	j.stMu.Lock()
	checked := j.state.LineKeyChecked
	if !checked {
		recordType := j.state.RecordType
		j.startLineKeyCheckLocked(func() error { return j.a.someLineKeyed(ctx, recordType, id, j.s) })
	}
	kc := j.keyCheck
	j.stMu.Unlock()
	if checked {
		return nil
	}
	if err := kc.wait(ctx); err != nil {
		return err
	}
	j.stMu.Lock()
	j.state.LineKeyChecked = true
	j.stMu.Unlock()
	return nil
}

// wait returns the check's result once it has one.
func (kc *lineKeyCheck) wait(ctx context.Context) error {
	select {
	case <-kc.done:
		return kc.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// awaitKeyCheck waits for a line key check under way, if any.
func (j *invoiceJob) awaitKeyCheck(ctx context.Context) error {
	j.stMu.Lock()
	kc := j.keyCheck
	j.stMu.Unlock()
	if kc == nil {
		return nil
	}
	return kc.wait(ctx)
}

// removeRecords deletes the records this call made when the form drops the
// line key (each holds only its first batch: nothing is appended before the
// key is confirmed), so the next run after the fix starts clean. A record it
// did not make (an earlier attempt's, or one there before this sync) is left
// as it is and named: the connector deletes only what it has just made.
func (j *invoiceJob) removeRecords(ctx context.Context, cause error) error {
	if err := j.a.stillCurrent(ctx); err != nil {
		return err // a stale attempt deletes nothing
	}
	why := cause.Error()
	made := map[string]bool{}
	for _, m := range j.made {
		if made[m.id] {
			continue
		}
		made[m.id] = true
		if err := j.a.NetSuite.Delete(ctx, j.state.RecordType, m.id); err != nil && !netsuite.IsNotFound(err) {
			why += fmt.Sprintf(" (NetSuite %s %s could not be deleted: %v)", j.state.RecordType, m.id, err)
			continue
		}
		if j.state.NetSuiteID == m.id {
			j.state.NetSuiteID = ""
		}
		for p := range j.state.Parts {
			if j.state.Parts[p].NetSuiteID == m.id {
				j.state.Parts[p].NetSuiteID, j.state.Parts[p].Done = "", 0
			}
		}
	}
	var left []string
	for _, id := range j.recordIDs() {
		if id != "" && !made[id] && !slices.Contains(left, id) {
			left = append(left, id)
		}
	}
	if len(left) > 0 {
		why += fmt.Sprintf(" (NetSuite %s %s, made before this attempt, is left as it is: delete it in NetSuite once the form is fixed)",
			j.state.RecordType, strings.Join(left, ", "))
	} else {
		// Nothing of the invoice is left in NetSuite: neither is its cursor.
		j.state.NetSuiteID, j.state.TotalBatches, j.state.NextBatch, j.state.LinesWritten = "", 0, 0, 0
		j.state.Parts, j.state.PartCursors, j.state.LineKeyChecked = nil, false, false
	}
	j.beat(ctx)
	return lineKeyError(why)
}

// settleKeyCheck waits for a line key check under way before a call hands
// its progress back: confirmed, the next calls need not check again; a key
// not stored ends the sync now, before more records are made.
func (j *invoiceJob) settleKeyCheck(ctx context.Context) error {
	err := j.awaitKeyCheck(ctx)
	var lk lineKeyError
	if errors.As(err, &lk) {
		return err
	}
	j.stMu.Lock()
	if err == nil && j.keyCheck != nil {
		j.state.LineKeyChecked = true
	}
	j.stMu.Unlock()
	return nil // could not read (or the call ended): the next call checks
}

// linesOf is batch b's NetSuite lines (summarized ones in a Summarized
// sync). The mapping caches are not safe for concurrent use: concurrent part
// writers (invoice_split_write.go) take turns here.
func (j *invoiceJob) linesOf(ctx context.Context, b int) ([]netsuite.Line, error) {
	j.mapMu.Lock()
	defer j.mapMu.Unlock()
	if j.state.Summarized {
		return j.summaryBatch(ctx, b)
	}
	lb, err := j.loadBatch(ctx, b)
	if err != nil {
		return nil, err
	}
	return j.lines(ctx, lb)
}

// checkLineKeyStored reads one line of a record just written back and
// checks it carries its line key (lineKeyStored); if not, the record is
// deleted (it holds one batch; the next run after the fix starts clean).
func (a *Activities) checkLineKeyStored(ctx context.Context, recordType, id string, lines []netsuite.Line, s settings.Settings) error {
	if len(lines) == 0 {
		return nil
	}
	return a.deleteIfKeyNotStored(ctx, recordType, id, a.lineKeyStored(ctx, recordType, id, lines[0].ZuoraItemID, s))
}

// checkSomeLineKeyed is checkLineKeyStored for a record found by its
// external id (someLineKeyed). It was not made by this attempt, so it is
// left as it is and named.
func (a *Activities) checkSomeLineKeyed(ctx context.Context, recordType, id string, s settings.Settings) error {
	err := a.someLineKeyed(ctx, recordType, id, s)
	var lk lineKeyError
	if errors.As(err, &lk) {
		return lineKeyError(fmt.Sprintf("%s (NetSuite %s %s, made before this attempt, is left as it is: delete it in NetSuite once the form is fixed)", lk, recordType, id))
	}
	return err
}

// someLineKeyed: record id holds a line with a key. Every record the
// connector makes does, whatever order its lines were cut in, so a record
// with none was made on a form that drops the key (lineKeyError).
func (a *Activities) someLineKeyed(ctx context.Context, recordType, id string, s settings.Settings) error {
	c, err := a.lineKeyCounts(ctx, id)
	if err == nil && c.keyed == 0 {
		err = lineKeyNotStored(recordType, s)
	}
	return err
}

// deleteIfKeyNotStored deletes record id when err says the form drops the
// line key, and says so if it could not.
func (a *Activities) deleteIfKeyNotStored(ctx context.Context, recordType, id string, err error) error {
	var lk lineKeyError
	if !errors.As(err, &lk) {
		return err
	}
	why := string(lk)
	if derr := a.NetSuite.Delete(ctx, recordType, id); derr != nil && !netsuite.IsNotFound(derr) {
		why += fmt.Sprintf(" (NetSuite %s %s could not be deleted: %v)", recordType, id, derr)
	}
	return lineKeyError(why)
}

// lineKeyStored reads back whether record id has a line with this key. NetSuite
// drops a custom field that is not on the form or not applied to the record
// type without a word (real-api-gaps N6); every later batch's "which lines
// are there" would then find none and a retried batch would append its
// lines again. So the sync stops with the cause instead (lineKeyError).
func (a *Activities) lineKeyStored(ctx context.Context, recordType, id, key string, s settings.Settings) error {
	present, err := a.linesPresent(ctx, id, []string{key})
	if err != nil {
		return err
	}
	if present[key] {
		return nil
	}
	return lineKeyNotStored(recordType, s)
}

func lineKeyNotStored(recordType string, s settings.Settings) lineKeyError {
	return lineKeyError(fmt.Sprintf("%s is not stored by NetSuite: add it to the %s form and apply it to %s lines (Customization > Transaction Line Fields), "+
		"or set netsuite.fields.lineKey to the account's field id; without it a retried batch would add its lines twice",
		s.NetSuite.Fields.LineKey, recordType, recordType))
}

// lineKeyError is a configuration error: permanent, the invoice ends Error.
type lineKeyError string

func (e lineKeyError) Error() string { return string(e) }

// findByExternalID returns the internal id of the transaction with this
// external id, or "" when there is none.
func (a *Activities) findByExternalID(ctx context.Context, ext string) (string, error) {
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(ext)+" ORDER BY id")
	if err != nil {
		return "", fmt.Errorf("looking up NetSuite transaction %s: %w", ext, err)
	}
	if len(rows) == 0 {
		return "", nil
	}
	return fmt.Sprint(rows[0]["id"]), nil
}

// syncBatch adds the lines of batch b that the NetSuite record does not have
// yet (keyed by the Zuora item id in custcol_zuora_item_id).
func (j *invoiceJob) syncBatch(ctx context.Context, b int) (int, error) {
	var lines []netsuite.Line
	var present map[string]bool
	if j.state.Summarized {
		var err error
		if lines, err = j.summaryBatch(ctx, b); err != nil || len(lines) == 0 {
			return 0, err
		}
	} else {
		lb, err := j.loadBatch(ctx, b)
		if err != nil {
			return 0, err
		}
		lines, err = j.lines(ctx, lb)
		if err != nil || len(lines) == 0 {
			return 0, err
		}
		present = lb.present
		lb.present = nil // true of this moment only
	}
	if err := j.ensureLineKey(ctx, j.state.NetSuiteID); err != nil {
		return 0, err
	}
	var err error
	if present == nil {
		keys := make([]string, len(lines))
		for i, l := range lines {
			keys[i] = l.ZuoraItemID
		}
		if present, err = j.a.linesPresent(ctx, j.state.NetSuiteID, keys); err != nil {
			return 0, err
		}
	}
	var missing []netsuite.Line
	for _, l := range lines {
		if !present[l.ZuoraItemID] {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	if err := j.a.stillCurrent(ctx); err != nil {
		return 0, err
	}
	body := netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: missing}}
	if err := j.a.NetSuite.Patch(ctx, j.state.RecordType, j.state.NetSuiteID, body); err != nil {
		return 0, fmt.Errorf("adding %d lines to NetSuite %s %s: %w", len(missing), j.state.RecordType, j.state.NetSuiteID, err)
	}
	return len(missing), nil
}

// linesPresent tells which of these lines' Zuora item ids the NetSuite
// transaction already has.
func (a *Activities) linesPresent(ctx context.Context, nsID string, keys []string) (map[string]bool, error) {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = netsuite.Quote(k)
	}
	rows, err := a.NetSuite.QueryAll(ctx, fmt.Sprintf(
		"SELECT custcol_zuora_item_id FROM transactionline WHERE transaction = %s AND custcol_zuora_item_id IN (%s) ORDER BY id",
		netsuite.Quote(nsID), strings.Join(quoted, ", ")))
	if err != nil {
		return nil, fmt.Errorf("reading lines of NetSuite transaction %s: %w", nsID, err)
	}
	present := make(map[string]bool, len(rows))
	for _, r := range rows {
		present[fmt.Sprint(r["custcol_zuora_item_id"])] = true
	}
	return present, nil
}

// complete checks the NetSuite total against Zuora to the cent, then writes
// back the NetSuite id, Sync Complete, Transferred To Accounting = Yes and the
// sync date (seed: only after all batches).
func (j *invoiceJob) complete(ctx context.Context) (workflows.SyncInvoiceStep, error) {
	// The header only: a large invoice's lines would be a response of
	// hundreds of megabytes, and the total is on the header.
	if err := j.awaitKeyCheck(ctx); err != nil {
		return workflows.SyncInvoiceStep{}, err
	}
	ids := j.recordIDs()
	if len(ids) > 1 {
		return j.completeParts(ctx, ids) // invoice_split_write.go
	}
	id := ids[0]
	// The read-back and the line check are independent reads: at once.
	var tx netsuite.Transaction
	got := make(chan error, 1)
	go func() {
		if err := j.a.NetSuite.Get(ctx, j.state.RecordType, id, false, &tx); err != nil {
			got <- fmt.Errorf("reading back NetSuite %s %s: %w", j.state.RecordType, id, err)
			return
		}
		got <- nil
	}()
	// Last line of defence against overlapping attempts, whatever the
	// settings (with Use Standard Invoice Sync = No there is no total to
	// catch a doubled line): no Zuora item on two NetSuite lines. Counted
	// first; the lines are read only to name a doubled one.
	c, err := j.a.lineKeyCounts(ctx, id)
	if err := errors.Join(<-got, err); err != nil {
		return workflows.SyncInvoiceStep{}, err
	}
	if c.keyed == 0 {
		// Made with keyed lines, yet none has its key.
		return workflows.SyncInvoiceStep{}, lineKeyNotStored(j.state.RecordType, j.s)
	}
	if c.keyed > c.distinct {
		dups, err := j.a.doubledLines(ctx, id)
		if err != nil {
			return workflows.SyncInvoiceStep{}, err
		}
		if len(dups) > 0 {
			return j.finish(ctx, workflows.OutcomeError, duplicateReason(j.state.RecordType, id, dups))
		}
	}
	total := decimal.Zero
	if tx.Total != nil {
		total = *tx.Total
	} else if _, check := expectedTotal(j.inv, j.s); check {
		// A reply without the total is not a confirmation: retried.
		return workflows.SyncInvoiceStep{}, fmt.Errorf("NetSuite %s %s was read back without its total", j.state.RecordType, id)
	}
	return j.completeWith(ctx, ids, total)
}

// completeWith compares the NetSuite total with Zuora's to the cent and
// writes back Sync Complete.
func (j *invoiceJob) completeWith(ctx context.Context, ids []string, total decimal.Decimal) (workflows.SyncInvoiceStep, error) {
	want, check := expectedTotal(j.inv, j.s)
	if check && !total.Equal(want) {
		return j.finish(ctx, workflows.OutcomeError, fmt.Sprintf(
			"NetSuite %s %s totals %s but the Zuora invoice amounts to %s; check its lines", j.state.RecordType, strings.Join(ids, ", "), total.StringFixed(2), want.StringFixed(2)))
	}
	if err := j.a.stillCurrent(ctx); err != nil {
		return workflows.SyncInvoiceStep{}, err
	}
	if err := j.a.Zuora.UpdateInvoice(ctx, j.inv.ID, zuora.InvoiceUpdate{
		IntegrationID: ptr(integrationIDs(ids)), IntegrationStatus: ptr(zuora.StatusSyncComplete),
		TransferredToAccounting: ptr(zuora.TransferYes), SyncDate: ptr(zuoraDate(j.a.now())),
	}); err != nil {
		return workflows.SyncInvoiceStep{}, fmt.Errorf("writing back Sync Complete: %w", err)
	}
	j.a.record(workflows.RecordInvoice, workflows.OutcomeSynced)
	return workflows.SyncInvoiceStep{State: j.state, Outcome: workflows.OutcomeSynced}, nil
}

// finish ends the invoice in Error or Ignore with the reason on the Zuora record.
func (j *invoiceJob) finish(ctx context.Context, outcome, reason string) (workflows.SyncInvoiceStep, error) {
	if err := j.a.stillCurrent(ctx); err != nil {
		return workflows.SyncInvoiceStep{}, err
	}
	if err := j.a.markInvoice(ctx, j.in.InvoiceID, outcome, reason); err != nil {
		return workflows.SyncInvoiceStep{}, err
	}
	j.a.log(ctx).Info("invoice sync ended", "invoice_id", j.in.InvoiceID, "invoice_number", j.state.InvoiceNumber, "outcome", outcome, "reason", reason)
	return workflows.SyncInvoiceStep{State: j.state, Outcome: outcome, Reason: reason}, nil
}

func (a *Activities) markInvoice(ctx context.Context, id, outcome, reason string) error {
	transfer, prefix := zuora.TransferError, "Error: "
	if outcome == workflows.OutcomeIgnored {
		transfer, prefix = zuora.TransferIgnore, "Ignore: "
	}
	if err := a.Zuora.UpdateInvoice(ctx, id, zuora.InvoiceUpdate{
		TransferredToAccounting: ptr(transfer), IntegrationStatus: ptr(statusText(prefix, reason)),
	}); err != nil {
		return retryable("recording "+outcome+" on invoice "+id, err)
	}
	a.record(workflows.RecordInvoice, outcome)
	return nil
}

// MarkInvoiceFailed records a sync that could not finish (retries exhausted)
// as Error with the reason, so no invoice stays Processing unexplained.
func (a *Activities) MarkInvoiceFailed(ctx context.Context, in workflows.MarkFailedInput) error {
	return a.markInvoice(ctx, in.ID, workflows.OutcomeError, in.Reason)
}

// problemText joins validation problems into one reason a finance user reads.
func problemText(ps []mapping.Problem) string {
	const shown = 3
	var parts []string
	for i, p := range ps {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more problems", len(ps)-shown))
			break
		}
		parts = append(parts, p.Reason)
	}
	return strings.Join(parts, "; ")
}

func ptr[T any](v T) *T { return &v }

// expectedTotal is what the NetSuite record must total: the Zuora amount,
// positive (a negative invoice is a credit memo of the opposite sign). With
// Use Standard Invoice Sync = No NetSuite adds its own tax, so there is
// nothing to compare.
func expectedTotal(inv zuora.Invoice, s settings.Settings) (decimal.Decimal, bool) {
	if !s.Advanced.UseStandardInvoiceSync {
		return decimal.Zero, false
	}
	return inv.Amount.Abs(), true
}
