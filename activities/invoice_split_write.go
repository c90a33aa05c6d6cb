package activities

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 13, writing a split invoice: its parts are independent NetSuite
// records, so they are written concurrently. A part's batches of ≤100 items
// go in order, one request after another, but not always by the same
// writer: each step goes to the part with the most left (partQueue). A
// part keeps its own durable cursor (InvoicePart.Done, in the heartbeat and
// the workflow's state), so a retry resumes every part where it stood.
//
// Exactly once without a read per batch: a writer asks NetSuite which of a
// batch's lines the part's record has only when the call does not know,
// i.e. from the part's first batch in a call until the call's first write
// to it (an earlier attempt may have written them: a write whose answer was
// lost, a call that ended on an error after progress, a killed worker whose
// last heartbeat lagged behind its writes). After a write this call saw confirmed, the next
// batch's lines are known absent: no other attempt writes while this
// one is current (stillCurrent is asked before every write, as in the
// sequential path). The duplicate check before the invoice is marked done
// stays the last line of defence.

// partBatchesPerWriter: a call writing parts may write this many batches
// per writer (twice batchesPerCall). Each new call asks NetSuite which lines
// every part it resumes already has, and the cursors are in the heartbeat
// either way; at 15 writers a 100,000-item invoice (1,000 batches) is one
// call, about 100 s at a write a second.
const partBatchesPerWriter = 2 * batchesPerCall

// maxPartWriters caps the writers when the NetSuite client is unlimited.
const maxPartWriters = 8

// partWriters is how many parts are written at once: one request each in
// flight, as many as the client's share of the account's limit. A lookup a
// writer needs meanwhile (a tax item, a class) waits for a slot like any
// request; no writer holds one while it waits.
func (a *Activities) partWriters(parts int) int {
	w := maxPartWriters
	if c := a.NetSuite.MaxConcurrent(); c > 0 {
		w = c
	}
	return max(min(w, parts), 1)
}

// withPartCursors gives each part its own cursor, derived from NextBatch in
// a state written before parts had one (the parts below it are whole).
func withPartCursors(s workflows.InvoiceSyncState) workflows.InvoiceSyncState {
	s.Parts = slices.Clone(s.Parts)
	if s.PartCursors {
		return s
	}
	for p := range s.Parts {
		first, end := partBounds(s, p)
		s.Parts[p].Done = min(max(s.NextBatch-first, 0), end-first)
	}
	s.PartCursors = true
	return s
}

// runParts writes up to partBatchesPerWriter batches per writer across the parts
// not yet whole, then completes the invoice when every part is.
func (j *invoiceJob) runParts(ctx context.Context) (workflows.SyncInvoiceStep, error) {
	j.state = withPartCursors(j.state)
	if j.headerLookup != nil {
		// This call validated the invoice; part 1's record was looked up
		// meanwhile (prepare).
		found := j.takeHeaderLookup()
		if found.err != nil {
			return workflows.SyncInvoiceStep{}, found.err
		}
		if found.id != "" {
			// What it holds is not known: its next batch is checked first.
			j.state.Parts[0].NetSuiteID, j.state.NetSuiteID = found.id, found.id
		}
		j.firstPartAbsent = found.id == ""
	}
	if err := j.lookUpPartRecords(ctx); err != nil {
		return workflows.SyncInvoiceStep{}, err
	}
	q := &partQueue{busy: map[int]bool{}, known: map[int]bool{}}
	for _, m := range j.made {
		q.known[m.part] = true // made by this call's confirmed create (prepare)
	}
	for p := range j.state.Parts {
		if left := j.partLeft(p); left > 0 {
			q.left = append(q.left, partWork{part: p, batches: left})
		}
	}
	w := j.a.partWriters(len(q.left))
	q.budget = partBatchesPerWriter * w

	var errMu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				p, known, ok := q.take()
				if !ok {
					return
				}
				wrote, err := j.writePartStep(ctx, p, known)
				q.release(p, j.partLeft(p), wrote)
				if err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("part %d of %d: %w", p+1, len(j.state.Parts), err)
					}
					errMu.Unlock()
					q.stop()
					return
				}
			}
		}()
	}
	wg.Wait()
	j.state.Part = 0
	for p := range j.state.Parts {
		if j.partLeft(p) > 0 {
			j.state.Part = p
			break
		}
	}
	if firstErr != nil {
		return workflows.SyncInvoiceStep{}, firstErr
	}
	if j.state.NextBatch < j.state.TotalBatches {
		if err := j.settleKeyCheck(ctx); err != nil {
			return workflows.SyncInvoiceStep{}, err
		}
		return workflows.SyncInvoiceStep{State: j.state}, nil
	}
	return j.complete(ctx)
}

// partLookupChunk: external ids per lookup query, well inside SuiteQL's
// 1,000-value IN list.
const partLookupChunk = 100

// lookUpPartRecords finds, in a query per 100 parts, the records of the
// parts the state has no record for: an earlier attempt may have made them
// (a create whose answer was lost, a heartbeat that lagged). The others are
// known absent, so making them needs no lookup each (ensureHeaderOf).
func (j *invoiceJob) lookUpPartRecords(ctx context.Context) error {
	byExt := map[string]int{}
	for p, part := range j.state.Parts {
		if part.NetSuiteID == "" {
			byExt[partExternalID(j.inv.ID, p)] = p
		}
	}
	exts := slices.Sorted(maps.Keys(byExt))
	j.absentParts = map[int]bool{}
	for _, p := range byExt {
		j.absentParts[p] = true
	}
	if j.firstPartAbsent {
		// A call that validates the invoice had no plan from an earlier
		// attempt, and no part 1 is there: a first sync, as a rule. An
		// earlier attempt that made parts and lost its plan (a worker
		// killed before its first heartbeat reached Temporal) may have
		// left some, as the parts are made together; each part's create
		// is an upsert by external id replacing its lines, so such a part
		// is reset to its first batch and the batches after it follow as
		// for a new record: rewritten, never doubled. Looking them up
		// would cost every first sync a query before its first write.
		return nil
	}
	for chunk := range slices.Chunk(exts, partLookupChunk) {
		quoted := make([]string, len(chunk))
		for i, ext := range chunk {
			quoted[i] = netsuite.Quote(ext)
		}
		rows, err := j.a.NetSuite.QueryAll(ctx, "SELECT id, externalid FROM transaction WHERE externalid IN ("+strings.Join(quoted, ", ")+") ORDER BY id")
		if err != nil {
			return fmt.Errorf("looking up the NetSuite records of the invoice's parts: %w", err)
		}
		for _, r := range rows {
			p, ok := byExt[fmt.Sprint(r["externalid"])]
			if !ok {
				continue
			}
			// Found: what it holds is not known, so its next batch is
			// checked against it before it is written (addBatch).
			j.state.Parts[p].NetSuiteID = fmt.Sprint(r["id"])
			delete(j.absentParts, p)
		}
	}
	return nil
}

// completeParts checks a split invoice's records before it is marked done,
// in a few requests whatever the number of parts: their totals through one
// SuiteQL query per 100 parts, and their lines counted (keyed lines against
// distinct keys, across the parts: an item on two parts is doubled too),
// each part's lines read only when a count finds a doubled one, to name it.
func (j *invoiceJob) completeParts(ctx context.Context, ids []string) (workflows.SyncInvoiceStep, error) {
	totals := map[string]decimal.Decimal{}
	var doubled []string // chunks whose counts found a doubled key
	for chunk := range slices.Chunk(ids, partLookupChunk) {
		quoted := make([]string, len(chunk))
		for i, id := range chunk {
			quoted[i] = netsuite.Quote(id)
		}
		var rows []map[string]any
		got := make(chan error, 1)
		go func() {
			var err error
			rows, err = j.a.NetSuite.QueryAll(ctx, "SELECT id, foreigntotal FROM transaction WHERE id IN ("+strings.Join(quoted, ", ")+") ORDER BY id")
			got <- err
		}()
		c, cntErr := j.a.lineKeyCounts(ctx, chunk...)
		if err := errors.Join(<-got, cntErr); err != nil {
			return workflows.SyncInvoiceStep{}, fmt.Errorf("reading back the NetSuite %s parts: %w", j.state.RecordType, err)
		}
		if c.records < len(chunk) {
			// A part with no keyed line (invoice.go, N6): which one.
			return workflows.SyncInvoiceStep{}, j.keylessParts(ctx, chunk)
		}
		dbl := c.keyed > c.distinct
		for _, r := range rows {
			id := fmt.Sprint(r["id"])
			if t, err := decimal.NewFromString(fmt.Sprint(r["foreigntotal"])); err == nil {
				// The sign SuiteQL gives a credit memo's total is not
				// documented: compared as an amount, as Zuora's is.
				totals[id] = t.Abs()
			}
		}
		if dbl {
			doubled = append(doubled, chunk...)
		}
	}
	for _, id := range doubled {
		dups, err := j.a.doubledLines(ctx, id) // its count is in the chunk's
		if err != nil {
			return workflows.SyncInvoiceStep{}, err
		}
		if len(dups) > 0 {
			return j.finish(ctx, workflows.OutcomeError, duplicateReason(j.state.RecordType, id, dups))
		}
	}
	if len(doubled) > 0 {
		// No part holds a key twice, so one is on two parts.
		return j.finish(ctx, workflows.OutcomeError, fmt.Sprintf(
			"a Zuora item is on lines of two of the NetSuite %s parts %s, written by two overlapping attempts; "+
				"delete the extra lines in NetSuite, then set Transferred To Accounting back to No", j.state.RecordType, strings.Join(doubled, ", ")))
	}
	total := decimal.Zero
	for _, id := range ids {
		t, ok := totals[id]
		if !ok {
			if _, check := expectedTotal(j.inv, j.s); check {
				// A part read back without its total is not a confirmation: retried.
				return workflows.SyncInvoiceStep{}, fmt.Errorf("NetSuite %s %s was read back without its total", j.state.RecordType, id)
			}
			continue
		}
		total = total.Add(t)
	}
	return j.completeWith(ctx, ids, total)
}

// keylessParts names the parts among ids that hold no keyed line, as a
// lineKeyError: the connector makes every record with keyed lines.
func (j *invoiceJob) keylessParts(ctx context.Context, ids []string) error {
	var keyless []string
	for _, id := range ids {
		c, err := j.a.lineKeyCounts(ctx, id)
		if err != nil {
			return err
		}
		if c.keyed == 0 {
			keyless = append(keyless, id)
		}
	}
	return lineKeyError(fmt.Sprintf("%s (no line of NetSuite %s %s has it)", lineKeyNotStored(j.state.RecordType, j.s), j.state.RecordType, strings.Join(keyless, ", ")))
}

// partLeft is how many requests part p still needs: its batches not yet
// written, and one for its record when it has none.
func (j *invoiceJob) partLeft(p int) int {
	j.stMu.Lock()
	defer j.stMu.Unlock()
	first, end := j.partBounds(p)
	left := end - first - j.state.Parts[p].Done
	if j.state.Parts[p].NetSuiteID == "" {
		left = max(left, 1)
	}
	return left
}

// partQueue hands the writers one step of a part at a time, always of the
// part with the most left that no writer holds (longest remaining first):
// the parts then finish together, and the call takes about its batches
// divided by the writers, instead of the few parts a writer was dealt.
// A part is held by one writer per step, so its batches go in order.
type partQueue struct {
	mu      sync.Mutex
	left    []partWork
	busy    map[int]bool
	known   map[int]bool // this call's own confirmed write says the part's next batch is absent
	budget  int          // batches this call may still write
	stopped bool
}

// partWork is a part and the steps it has left.
type partWork struct{ part, batches int }

func (q *partQueue) take() (part int, known, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopped || q.budget <= 0 {
		return 0, false, false
	}
	best := -1
	for i, pl := range q.left {
		if pl.batches > 0 && !q.busy[pl.part] && (best < 0 || pl.batches > q.left[best].batches) {
			best = i
		}
	}
	if best < 0 {
		return 0, false, false
	}
	part = q.left[best].part
	q.busy[part] = true
	q.budget--
	return part, q.known[part], true
}

// release gives the part back with what it has left; wrote says this call
// wrote the part's last step itself (so its next batch is known absent).
func (q *partQueue) release(part, left int, wrote bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.busy, part)
	// Only this attempt's own confirmed write tells what follows: a read
	// that found the batch already there (written by an attempt whose
	// heartbeat lagged behind its writes) says nothing of the next one.
	q.known[part] = wrote || q.known[part]
	for i := range q.left {
		if q.left[i].part == part {
			q.left[i].batches = left
		}
	}
}

func (q *partQueue) stop() {
	q.mu.Lock()
	q.stopped = true
	q.mu.Unlock()
}

// writePartStep does part p's next step: makes its record (with its first
// batch) when it has none, else adds its next batch. wrote: this call's own
// write was confirmed, so the batch after it is known absent.
func (j *invoiceJob) writePartStep(ctx context.Context, p int, known bool) (wrote bool, err error) {
	j.stMu.Lock()
	part := j.state.Parts[p]
	j.stMu.Unlock()
	first, _ := j.partBounds(p)
	b := first + part.Done
	if part.NetSuiteID == "" {
		id, through, lines, err := j.ensureHeaderOf(ctx, p)
		if err != nil {
			return false, err
		}
		j.stMu.Lock()
		j.state.Parts[p].NetSuiteID = id
		if p == 0 {
			j.state.NetSuiteID = id
		}
		if through > b {
			// Made now, with the batches up to through.
			j.state.Parts[p].Done += through - b
			j.state.NextBatch += through - b
			j.state.LinesWritten += lines
			wrote = true
		}
		j.stMu.Unlock()
		j.beatParts(ctx)
		return wrote, nil
	}
	written, err := j.addBatch(ctx, part.NetSuiteID, b, known)
	if err != nil {
		return false, fmt.Errorf("line batch %d of %d: %w", b+1, j.state.TotalBatches, err)
	}
	j.stMu.Lock()
	j.state.Parts[p].Done++
	j.state.NextBatch++
	j.state.LinesWritten += written
	j.stMu.Unlock()
	j.beatParts(ctx)
	return written > 0, nil
}

// addBatch writes batch b's lines to record id; unless known, only those
// the record does not have yet (keyed by custcol_zuora_item_id).
func (j *invoiceJob) addBatch(ctx context.Context, id string, b int, known bool) (int, error) {
	lines, err := j.linesOf(ctx, b)
	if err != nil || len(lines) == 0 {
		return 0, err
	}
	if err := j.ensureLineKey(ctx, id); err != nil {
		return 0, err
	}
	missing := lines
	if !known {
		keys := make([]string, len(lines))
		for i, l := range lines {
			keys[i] = l.ZuoraItemID
		}
		present, err := j.a.linesPresent(ctx, id, keys)
		if err != nil {
			return 0, err
		}
		missing = nil
		for _, l := range lines {
			if !present[l.ZuoraItemID] {
				missing = append(missing, l)
			}
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	if err := j.a.stillCurrent(ctx); err != nil {
		return 0, err
	}
	body := netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: missing}}
	if err := j.a.NetSuite.Patch(ctx, j.state.RecordType, id, body); err != nil {
		return 0, fmt.Errorf("adding %d lines to NetSuite %s %s: %w", len(missing), j.state.RecordType, id, err)
	}
	return len(missing), nil
}

// beatParts heartbeats a copy of the state: the background heartbeat
// serializes it while the writers move on.
func (j *invoiceJob) beatParts(ctx context.Context) {
	j.stMu.Lock()
	s := j.state
	s.Parts = slices.Clone(s.Parts)
	j.stMu.Unlock()
	heartbeat(ctx, s)
}
