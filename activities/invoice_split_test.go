package activities_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 13, invoice.overCeiling=split, on the activity against the strict
// sandbox. The sandbox account's line ceiling is always the setting's, so a
// part over the ceiling is refused as NetSuite would refuse it.

// splitSpec: one invoice of 150 items, about half with a taxation item, so
// tax lines count towards the ceiling.
const splitSpec = "seed=41,accounts=1,invoices=0,large=150,large-count=1,tax=0.5"

var linesInReason = regexp.MustCompile(`has (\d+) lines for NetSuite`)

// invoiceLines is how many NetSuite lines (items plus taxation items) the
// spec's invoice has, as the connector counts them: read from the reason of
// an ignore at ceiling 1, which writes nothing.
func invoiceLines(t *testing.T, spec string) int {
	t.Helper()
	f := generated(t, spec)
	f.NetSuite.Account.LineCeiling = 1
	a, _ := sandboxTenant(t, f)
	s := settings.Default()
	s.Invoice.LineCeiling = 1
	step := syncToEnd(t, a, invoiceID(f), s)
	m := linesInReason.FindStringSubmatch(step.Reason)
	if step.Outcome != workflows.OutcomeIgnored || m == nil {
		t.Fatalf("outcome %s: %s", step.Outcome, step.Reason)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func invoiceID(f *fixture.Fixture) string {
	id, _ := f.Zuora.Objects["Invoice"][0]["Id"].(string)
	return id
}

// splitTenant is a tenant whose NetSuite account takes ceiling lines per
// transaction, with settings that split at that ceiling in batches of 20 items.
func splitTenant(t *testing.T, spec string, ceiling int) (*activities.Activities, *sandbox.Sandbox, string, settings.Settings) {
	t.Helper()
	f := generated(t, spec)
	f.NetSuite.Account.LineCeiling = ceiling
	a, sb := sandboxTenant(t, f)
	s := settings.Default()
	s.Invoice.LineCeiling = ceiling
	s.Invoice.OverCeiling = settings.OverCeilingSplit
	s.Run.BatchSize = 20
	return a, sb, invoiceID(f), s
}

// syncThrough calls SyncInvoice until it ends, each failed call retried with
// the state the workflow last had (a lost attempt, as after a worker kill).
func syncThrough(t *testing.T, a *activities.Activities, id string, s settings.Settings, calls int) workflows.SyncInvoiceStep {
	t.Helper()
	state := workflows.InvoiceSyncState{}
	for i := 0; i < calls; i++ {
		step, err := a.SyncInvoice(context.Background(), workflows.SyncInvoiceInput{InvoiceID: id, Settings: s, State: state})
		if err != nil {
			continue
		}
		if step.Outcome != "" {
			return step
		}
		state = step.State
	}
	t.Fatalf("not ended in %d calls", calls)
	return workflows.SyncInvoiceStep{}
}

// checkSplitBooks: the invoice synced as wantRecords NetSuite records, none
// over the ceiling, every Zuora line on exactly one of them, their totals
// summing to Zuora's to the cent, and the Zuora invoice Yes with every id.
func checkSplitBooks(t *testing.T, a *activities.Activities, id string, step workflows.SyncInvoiceStep, ceiling, lines, wantRecords int) {
	t.Helper()
	ctx := context.Background()
	if step.Outcome != workflows.OutcomeSynced {
		t.Fatalf("outcome %s: %s", step.Outcome, step.Reason)
	}
	var inv zuora.Invoice
	if err := a.Zuora.GetObject(ctx, zuora.ObjInvoice, id, &inv); err != nil {
		t.Fatal(err)
	}
	ids := []string{step.State.NetSuiteID}
	if len(step.State.Parts) > 0 {
		ids = ids[:0]
		for _, p := range step.State.Parts {
			ids = append(ids, p.NetSuiteID)
		}
	}
	if len(ids) != wantRecords {
		t.Fatalf("%d NetSuite records %v, want %d", len(ids), ids, wantRecords)
	}
	if inv.TransferredToAccounting != zuora.TransferYes || inv.IntegrationID != strings.Join(ids, ",") {
		t.Errorf("Zuora invoice Transferred %q, IntegrationId__NS %q; want Yes, %q", inv.TransferredToAccounting, inv.IntegrationID, strings.Join(ids, ","))
	}
	total := decimal.Zero
	seen := map[string]int{}
	for k, nsID := range ids {
		tx, err := a.NetSuite.GetTransaction(ctx, step.State.RecordType, nsID)
		if err != nil || tx.Total == nil {
			t.Fatalf("reading NetSuite %s: %v", nsID, err)
		}
		total = total.Add(*tx.Total)
		if tx.ZuoraID != id {
			t.Errorf("NetSuite %s is linked to Zuora %q, want %s", nsID, tx.ZuoraID, id)
		}
		wantExt, wantTran := netsuite.InvoiceExternalID(id), inv.InvoiceNumber
		if wantRecords > 1 {
			wantTran = fmt.Sprintf("%s-%d", inv.InvoiceNumber, k+1)
			if k > 0 {
				wantExt = fmt.Sprintf("%s-p%d", wantExt, k+1)
			}
			if want := fmt.Sprintf("part %d of %d of %s", k+1, wantRecords, inv.InvoiceNumber); !strings.HasPrefix(tx.Memo, want) {
				t.Errorf("NetSuite %s memo %q, want it to start %q", nsID, tx.Memo, want)
			}
		}
		if tx.ExternalID != wantExt || tx.TranID != wantTran {
			t.Errorf("NetSuite %s is %s / %s, want %s / %s", nsID, tx.ExternalID, tx.TranID, wantExt, wantTran)
		}
		rows := nsItemLines(t, a, nsID)
		if len(rows) > ceiling {
			t.Errorf("NetSuite %s has %d lines, over the ceiling %d", nsID, len(rows), ceiling)
		}
		for _, r := range rows {
			seen[fmt.Sprint(r["custcol_zuora_item_id"])]++
		}
	}
	if len(seen) != lines {
		t.Errorf("%d distinct Zuora lines in NetSuite, want %d", len(seen), lines)
	}
	for z, n := range seen {
		if n != 1 {
			t.Errorf("Zuora line %s written %d times", z, n)
		}
	}
	if !total.Equal(inv.Amount.Abs()) {
		t.Errorf("NetSuite records total %s, Zuora invoice %s", total.StringFixed(2), inv.Amount.StringFixed(2))
	}
}

// At the boundary: ceiling − 1 lines and ceiling lines are one record (the
// unsplit external id and tranId), ceiling + 1 lines are two parts.
func TestSyncInvoice_SplitAtTheLineCeilingBoundary(t *testing.T) {
	lines := invoiceLines(t, splitSpec)
	for _, c := range []struct {
		name             string
		ceiling, records int
	}{
		{"lines = ceiling - 1", lines + 1, 1},
		{"lines = ceiling", lines, 1},
		{"lines = ceiling + 1", lines - 1, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, _, id, s := splitTenant(t, splitSpec, c.ceiling)
			step := syncThrough(t, a, id, s, 50)
			checkSplitBooks(t, a, id, step, c.ceiling, lines, c.records)
		})
	}
}

// Split under NetSuite answers that are lost after the write commits and
// plain failures, each failed call repeated from the workflow's last state
// (as after a worker kill): every Zuora line is on exactly one part, no part
// is made twice, and the parts still sum to Zuora's total.
func TestSyncInvoice_SplitExactlyOnceUnderLostAnswers(t *testing.T) {
	lines := invoiceLines(t, splitSpec)
	ceiling := lines/3 + 1
	a, sb, id, s := splitTenant(t, splitSpec, ceiling)
	if err := sb.SetFaults("netsuite", sandbox.Faults{AmbiguousRate: 0.2, ErrorRate: 0.1}); err != nil {
		t.Fatal(err)
	}
	step := syncThrough(t, a, id, s, 400)
	_ = sb.SetFaults("netsuite", sandbox.Faults{})
	if len(step.State.Parts) < 3 {
		t.Fatalf("%d parts for %d lines at ceiling %d", len(step.State.Parts), lines, ceiling)
	}
	checkSplitBooks(t, a, id, step, ceiling, lines, len(step.State.Parts))
	for k := range step.State.Parts {
		ext := netsuite.InvoiceExternalID(id)
		if k > 0 {
			ext = fmt.Sprintf("%s-p%d", ext, k+1)
		}
		rows, err := a.NetSuite.QueryAll(context.Background(), "SELECT id FROM transaction WHERE externalid = "+netsuite.Quote(ext)+" ORDER BY id")
		if err != nil || len(rows) != 1 {
			t.Errorf("part %d (%s): %d records (%v)", k+1, ext, len(rows), err)
		}
	}
}

// The default stays ignore: over the ceiling, nothing is written and the
// reason names the count and the ceiling (the split is opt-in).
func TestSyncInvoice_SplitIsOptIn(t *testing.T) {
	lines := invoiceLines(t, splitSpec)
	a, _, id, s := splitTenant(t, splitSpec, lines-1)
	s.Invoice.OverCeiling = settings.OverCeilingIgnore
	step := syncThrough(t, a, id, s, 10)
	if step.Outcome != workflows.OutcomeIgnored || !strings.Contains(step.Reason, fmt.Sprintf("has %d lines", lines)) {
		t.Fatalf("outcome %s: %s", step.Outcome, step.Reason)
	}
}

// Issue 13: every NetSuite write's answer is lost after it commits (the
// client cannot tell whether the lines are in), so every call ends on an
// ambiguous write and the next one resumes from the workflow's last state.
// A resumed attempt reads what the part's record has before writing the
// batch it does not know about: no Zuora line is written twice (a doubled
// line would end the invoice Error, not Synced) and none is left out.
func TestSyncInvoice_SplitResumedAfterAnAmbiguousWriteWritesNoLineTwice(t *testing.T) {
	lines := invoiceLines(t, splitSpec)
	ceiling := lines/3 + 1
	a, sb, id, s := splitTenant(t, splitSpec, ceiling)
	if err := sb.SetFaults("netsuite", sandbox.Faults{AmbiguousRate: 1}); err != nil {
		t.Fatal(err)
	}
	step := syncThrough(t, a, id, s, 200)
	_ = sb.SetFaults("netsuite", sandbox.Faults{})
	checkSplitBooks(t, a, id, step, ceiling, lines, len(step.State.Parts))
}

// Issue 13: after a write the sync saw confirmed, the next batch of the
// same part is written without asking NetSuite which of its lines are there
// (nothing else writes them): a split invoice costs about one line read per
// part and call, not one per batch.
func TestSyncInvoice_SplitReadsLinesOnlyWhenNotKnown(t *testing.T) {
	const spec = "seed=42,accounts=1,invoices=0,large=1500,large-count=1,tax=0.5"
	lines := invoiceLines(t, spec)
	ceiling := lines/5 + 1
	a, sb, id, s := splitTenant(t, spec, ceiling)
	before := suiteQLReads(sb)
	step := syncThrough(t, a, id, s, 20)
	checkSplitBooks(t, a, id, step, ceiling, lines, len(step.State.Parts))
	batches, parts := step.State.TotalBatches, len(step.State.Parts)
	reads := suiteQLReads(sb) - before
	// Per part: its external id, the line-key check after the create, the
	// duplicate check before done, and one line read per call that starts
	// in it; plus the sync's lookups. One read per batch would be ≥ batches.
	if reads >= batches {
		t.Fatalf("%d SuiteQL reads for %d batches in %d parts: a read per batch", reads, batches, parts)
	}
	t.Logf("%d SuiteQL reads for %d batches in %d parts", reads, batches, parts)
}

func suiteQLReads(sb *sandbox.Sandbox) int {
	n := 0
	for k, v := range sb.Stats("netsuite").Requests {
		if strings.Contains(k, "/query/v1/suiteql") {
			n += int(v)
		}
	}
	return n
}

// Issue 13: a worker killed mid-split resumes from its last heartbeat, which
// may lag behind the batches it wrote. The resumed attempt finds the first
// batch already there and must not take that as knowing the next one: it
// keeps reading until its own first write, so no line is written twice.
func TestSyncInvoice_SplitResumedFromALaggingHeartbeatWritesNoLineTwice(t *testing.T) {
	lines := invoiceLines(t, splitSpec)
	ceiling := lines/3 + 1
	a, _, id, s := splitTenant(t, splitSpec, ceiling)
	done := syncThrough(t, a, id, s, 20)
	checkSplitBooks(t, a, id, done, ceiling, lines, len(done.State.Parts))
	// The heartbeat the next attempt resumes from: two batches behind on
	// every part.
	lag := done.State
	lag.Parts = append([]workflows.InvoicePart(nil), lag.Parts...)
	for p := range lag.Parts {
		back := min(2, lag.Parts[p].Done)
		lag.Parts[p].Done -= back
		lag.NextBatch -= back
	}
	step, err := a.SyncInvoice(context.Background(), workflows.SyncInvoiceInput{InvoiceID: id, Settings: s, State: lag})
	if err != nil {
		t.Fatal(err)
	}
	checkSplitBooks(t, a, id, step, ceiling, lines, len(step.State.Parts))
}

// A split's parts are made together, so an attempt killed before its plan
// reached Temporal may leave later parts without part 1. The next call
// validates afresh, finds no part 1 and looks nothing else up: each part's
// create is an upsert by external id replacing its lines, so a part that is
// there is reset to its first batch and written again, never doubled. Here
// every part but the first is there whole, with no plan to say so; the test
// fails if the create appends instead of replacing.
func TestSyncInvoice_SplitPartsLeftWithoutPart1AreRewrittenNotDoubled(t *testing.T) {
	lines := invoiceLines(t, splitSpec)
	ceiling := lines/3 + 1
	a, _, id, s := splitTenant(t, splitSpec, ceiling)
	ctx := context.Background()
	first := syncThrough(t, a, id, s, 20)
	checkSplitBooks(t, a, id, first, ceiling, lines, len(first.State.Parts))
	if len(first.State.Parts) < 3 {
		t.Fatalf("%d parts, want at least 3", len(first.State.Parts))
	}
	if err := a.NetSuite.Delete(ctx, first.State.RecordType, first.State.Parts[0].NetSuiteID); err != nil {
		t.Fatal(err)
	}
	no := zuora.TransferNo
	if err := a.Zuora.UpdateInvoice(ctx, id, zuora.InvoiceUpdate{TransferredToAccounting: &no}); err != nil {
		t.Fatal(err)
	}
	again := syncThrough(t, a, id, s, 20)
	checkSplitBooks(t, a, id, again, ceiling, lines, len(first.State.Parts))
	for p := 1; p < len(first.State.Parts); p++ {
		if again.State.Parts[p].NetSuiteID != first.State.Parts[p].NetSuiteID {
			t.Errorf("part %d is NetSuite %s, was %s: the record there should be kept", p+1, again.State.Parts[p].NetSuiteID, first.State.Parts[p].NetSuiteID)
		}
	}
}

// Issue 13: before a split invoice is marked done, its parts are checked in
// two SuiteQL requests whatever their number and size: their totals in one
// query, and their lines counted (lines with a key against distinct keys,
// across the parts) in another, instead of a read-back per part and every
// line of parts of thousands of lines a page of 1,000 at a time. Lines are
// read only to name a doubled one; a Zuora item twice on one part, or on two
// parts, still ends the invoice in Error naming it.
func TestSyncInvoice_SplitDoubledLineCheckCountsThenNames(t *testing.T) {
	const spec = "seed=42,accounts=1,invoices=0,large=1500,large-count=1,tax=0.5"
	lines := invoiceLines(t, spec)
	ceiling := lines/2 + 1 // parts of more than one SuiteQL page (1,000 rows)
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		fromPart  int // the doubled line is a copy of a line of this part, added to part 2
		wantInWhy string
	}{
		{"on one part", 1, "has Zuora items on more than one line"},
		{"on two parts", 0, "on lines of two of the NetSuite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, sb, id, s := splitTenant(t, spec, ceiling)
			done := syncThrough(t, a, id, s, 20)
			checkSplitBooks(t, a, id, done, ceiling, lines, len(done.State.Parts))
			if done.State.Parts[0].Lines <= 1000 || len(done.State.Parts) < 2 {
				t.Fatalf("parts %+v: the check must span pages and parts", done.State.Parts)
			}
			again := func() (workflows.SyncInvoiceStep, int) {
				before := suiteQLReads(sb)
				step, err := a.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: id, Settings: s, State: done.State})
				if err != nil {
					t.Fatal(err)
				}
				return step, suiteQLReads(sb) - before
			}
			step, reads := again()
			if step.Outcome != workflows.OutcomeSynced || reads != 2 {
				t.Fatalf("clean parts: outcome %s (%s), %d SuiteQL reads for %d parts, want 2 (totals, counts)", step.Outcome, step.Reason, reads, len(done.State.Parts))
			}

			// A line written twice, as two overlapping attempts would.
			var from netsuite.Transaction
			if err := a.NetSuite.Get(ctx, netsuite.TypeInvoice, done.State.Parts[tc.fromPart].NetSuiteID, true, &from); err != nil {
				t.Fatal(err)
			}
			twice := from.Item.Items[len(from.Item.Items)-1]
			twice.Line = 0
			part2 := done.State.Parts[1].NetSuiteID
			if err := a.NetSuite.Patch(ctx, netsuite.TypeInvoice, part2, netsuite.Transaction{Item: &netsuite.Sublist[netsuite.Line]{Items: []netsuite.Line{twice}}}); err != nil {
				t.Fatal(err)
			}
			step, reads = again()
			if step.Outcome != workflows.OutcomeError || !strings.Contains(step.Reason, tc.wantInWhy) || !strings.Contains(step.Reason, part2) {
				t.Fatalf("doubled line %s on %s: outcome %s (%s)", twice.ZuoraItemID, part2, step.Outcome, step.Reason)
			}
			if tc.fromPart == 1 && !strings.Contains(step.Reason, twice.ZuoraItemID) {
				t.Fatalf("the reason does not name the doubled item %s: %s", twice.ZuoraItemID, step.Reason)
			}
			if reads <= 2 {
				t.Fatalf("%d SuiteQL reads: the parts' lines were not read to find the doubled one", reads)
			}
		})
	}
}

// Issue 13: the part writers take, step after step, the part with the most
// left that no writer holds, so the parts finish together: the writing
// takes about the batches over the writers, not the few parts one writer
// was dealt (35 parts of 29 batches by 14 writers: 3 parts each, 87 rounds,
// where 1,015 batches need 73). Each part is held by one writer at a time.
func TestPartQueue_LongestRemainingFirstBalancesTheWriters(t *testing.T) {
	const parts, batches, writers = 35, 29, 14
	q := activities.NewPartQueueForTest(parts, batches, 1<<30)
	rounds := 0
	for {
		var taken []int
		for range writers {
			p, _, ok := q.Take()
			if !ok {
				break
			}
			for _, other := range taken {
				if other == p {
					t.Fatalf("part %d taken by two writers at once", p)
				}
			}
			taken = append(taken, p)
		}
		if len(taken) == 0 {
			break
		}
		rounds++
		for _, p := range taken {
			q.Release(p, q.Left(p)-1, true)
		}
	}
	want := (parts*batches + writers - 1) / writers
	if rounds > want+1 {
		t.Fatalf("%d rounds for %d batches by %d writers, want at most %d", rounds, parts*batches, writers, want+1)
	}
	t.Logf("%d rounds (the batches over the writers: %d; whole parts per writer: %d)", rounds, want, (parts+writers-1)/writers*batches)
}
