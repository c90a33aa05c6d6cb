package activities

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 13, writing a split invoice: its parts are independent NetSuite
// records, so they are written concurrently, each by one writer that adds
// the part's batches of ≤100 items in order, one request after another. A
// part keeps its own durable cursor (InvoicePart.Done, in the heartbeat and
// the workflow's state), so a retry resumes every part where it stood.
//
// Exactly once without a read per batch: a writer asks NetSuite which of a
// batch's lines its record has only when it does not know, i.e. from the
// first batch it comes to in a call until its own first write (an earlier
// attempt may have written them: a write whose answer was lost, a call that
// ended on an error after progress, a killed worker whose last heartbeat
// lagged behind its writes). After a write this call saw confirmed, the next
// batch's lines are known absent: no other attempt writes while this
// one is current (stillCurrent is asked before every write, as in the
// sequential path). The duplicate check before the invoice is marked done
// stays the last line of defence.

// maxPartWriters caps the writers when the NetSuite client is unlimited.
const maxPartWriters = 8

// partWriters is how many parts are written at once: one request each in
// flight, one slot of the client's limit left for other reads.
func (a *Activities) partWriters(parts int) int {
	w := maxPartWriters
	if c := a.NetSuite.MaxConcurrent(); c > 0 {
		w = max(c-1, 1)
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

// runParts writes up to batchesPerCall batches per writer across the parts
// not yet whole, then completes the invoice when every part is.
func (j *invoiceJob) runParts(ctx context.Context) (workflows.SyncInvoiceStep, error) {
	j.state = withPartCursors(j.state)
	var todo []int
	for p := range j.state.Parts {
		first, end := j.partBounds(p)
		if j.state.Parts[p].NetSuiteID == "" || first+j.state.Parts[p].Done < end {
			todo = append(todo, p)
		}
	}
	w := j.a.partWriters(len(todo))
	var budget atomic.Int64
	budget.Store(int64(batchesPerCall * w))
	var stop atomic.Bool
	// take reserves one batch of the call's budget; false once it is spent
	// or a writer failed (the others finish the write in hand and stop).
	take := func() bool { return !stop.Load() && budget.Add(-1) >= 0 }

	var next atomic.Int64
	var errMu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(todo) || stop.Load() {
					return
				}
				if err := j.writePart(ctx, todo[i], take); err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("part %d of %d: %w", todo[i]+1, len(j.state.Parts), err)
					}
					errMu.Unlock()
					stop.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	j.state.Part = 0
	for p := range j.state.Parts {
		if first, end := j.partBounds(p); first+j.state.Parts[p].Done < end {
			j.state.Part = p
			break
		}
	}
	if firstErr != nil {
		return workflows.SyncInvoiceStep{}, firstErr
	}
	if j.state.NextBatch < j.state.TotalBatches {
		return workflows.SyncInvoiceStep{State: j.state}, nil
	}
	return j.complete(ctx)
}

// writePart adds part p's batches from its cursor on while take allows.
func (j *invoiceJob) writePart(ctx context.Context, p int, take func() bool) error {
	j.stMu.Lock()
	part := j.state.Parts[p]
	j.stMu.Unlock()
	first, end := j.partBounds(p)
	b := first + part.Done
	// known: the lines of batch b are known to be absent from the record.
	known := false
	id := part.NetSuiteID
	if id == "" {
		if !take() {
			return nil
		}
		var through, lines int
		var err error
		if id, through, lines, err = j.ensureHeaderOf(ctx, p); err != nil {
			return err
		}
		j.stMu.Lock()
		j.state.Parts[p].NetSuiteID = id
		if through > b {
			// Made now, with the batches up to through.
			j.state.Parts[p].Done += through - b
			j.state.NextBatch += through - b
			j.state.LinesWritten += lines
			b, known = through, true
		}
		j.stMu.Unlock()
		j.beatParts(ctx)
	}
	for b < end {
		if !take() {
			return nil
		}
		written, err := j.addBatch(ctx, id, b, known)
		if err != nil {
			return fmt.Errorf("line batch %d of %d: %w", b+1, j.state.TotalBatches, err)
		}
		// Only this attempt's own confirmed write tells what follows: a read
		// that found the batch already there (written by an attempt whose
		// heartbeat lagged behind its writes) says nothing of the next one.
		known = written > 0 || known
		b++
		j.stMu.Lock()
		j.state.Parts[p].Done++
		j.state.NextBatch++
		j.state.LinesWritten += written
		j.stMu.Unlock()
		j.beatParts(ctx)
	}
	return nil
}

// addBatch writes batch b's lines to record id; unless known, only those
// the record does not have yet (keyed by custcol_zuora_item_id).
func (j *invoiceJob) addBatch(ctx context.Context, id string, b int, known bool) (int, error) {
	lines, err := j.linesOf(ctx, b)
	if err != nil || len(lines) == 0 {
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

// eachPart runs f for every part's record, a few at once (the checks before
// an invoice is marked done are reads of each record); the first error wins.
func (j *invoiceJob) eachPart(ids []string, f func(i int, id string) error) error {
	w := j.a.partWriters(len(ids))
	errs := make([]error, len(ids))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(ids); i = int(next.Add(1)) - 1 {
				errs[i] = f(i, ids[i])
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
