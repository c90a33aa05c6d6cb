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
	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 13, invoice.overCeiling=summarize, on the activity against the
// strict sandbox (its line ceiling always the setting's).

func summarizeTenant(t *testing.T, ceiling int) (*activities.Activities, *sandbox.Sandbox, string, settings.Settings) {
	t.Helper()
	a, sb, id, s := splitTenant(t, splitSpec, ceiling)
	s.Invoice.OverCeiling = settings.OverCeilingSummarize
	return a, sb, id, s
}

var summaryCount = regexp.MustCompile(`summary of (\d+) Zuora lines`)

// bookedByGroup is the NetSuite record's amount per group of what NetSuite
// books (mapping.GroupKey), and how many Zuora lines its lines stand for.
func bookedByGroup(t *testing.T, a *activities.Activities, typ, nsID string) (map[string]decimal.Decimal, int, int) {
	t.Helper()
	tx, err := a.NetSuite.GetTransaction(context.Background(), typ, nsID)
	if err != nil || tx.Item == nil {
		t.Fatalf("reading NetSuite %s: %v", nsID, err)
	}
	by, stands := map[string]decimal.Decimal{}, 0
	for _, l := range tx.Item.Items {
		k := mapping.GroupKey(l)
		by[k] = by[k].Add(l.Amount)
		if m := summaryCount.FindStringSubmatch(l.Description); m != nil {
			n, _ := strconv.Atoi(m[1])
			stands += n
		} else {
			stands++
		}
	}
	return by, len(tx.Item.Items), stands
}

// At the boundary: lines = ceiling is written unsummarized; lines = ceiling
// + 1 is summarized into one record within the ceiling, whose every group
// books what the unsummarized invoice books, whose lines stand for every
// Zuora line once, and whose total is Zuora's to the cent; a retried
// summarized sync (answers lost after the write) adds no line twice.
func TestSyncInvoice_SummarizeAtTheLineCeilingBoundary(t *testing.T) {
	lines := invoiceLines(t, splitSpec)
	// The unsummarized books, for comparison (lines = ceiling: not summarized).
	a0, _, id0, s0 := summarizeTenant(t, lines)
	step0 := syncThrough(t, a0, id0, s0, 50)
	checkSplitBooks(t, a0, id0, step0, lines, lines, 1)
	if step0.State.Summarized {
		t.Fatal("an invoice at the ceiling was summarized")
	}
	want, n0, _ := bookedByGroup(t, a0, step0.State.RecordType, step0.State.NetSuiteID)
	if n0 != lines {
		t.Fatalf("%d lines unsummarized, want %d", n0, lines)
	}

	a, sb, id, s := summarizeTenant(t, lines-1)
	if err := sb.SetFaults("netsuite", sandbox.Faults{AmbiguousRate: 0.3}); err != nil {
		t.Fatal(err)
	}
	s.Run.BatchSize = 2 // several summarized batches, so retries meet written ones
	step := syncThrough(t, a, id, s, 400)
	_ = sb.SetFaults("netsuite", sandbox.Faults{})
	if step.Outcome != workflows.OutcomeSynced || !step.State.Summarized {
		t.Fatalf("outcome %s summarized %v: %s", step.Outcome, step.State.Summarized, step.Reason)
	}
	got, n, stands := bookedByGroup(t, a, step.State.RecordType, step.State.NetSuiteID)
	t.Logf("%d Zuora lines summarized into %d NetSuite lines", lines, n)
	if n >= lines || n > lines-1 || n != len(got) {
		t.Errorf("%d summarized lines in %d groups for %d Zuora lines", n, len(got), lines)
	}
	if stands != lines {
		t.Errorf("the summarized lines stand for %d Zuora lines, want %d", stands, lines)
	}
	for k, v := range want {
		if !got[k].Equal(v) {
			t.Errorf("group %q books %s summarized, %s unsummarized", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d groups summarized, %d unsummarized", len(got), len(want))
	}
	var inv zuora.Invoice
	if err := a.Zuora.GetObject(context.Background(), zuora.ObjInvoice, id, &inv); err != nil {
		t.Fatal(err)
	}
	tx, err := a.NetSuite.GetTransaction(context.Background(), step.State.RecordType, step.State.NetSuiteID)
	if err != nil || tx.Total == nil || !tx.Total.Equal(inv.Amount.Abs()) {
		t.Errorf("NetSuite total %v, Zuora %s (%v)", tx, inv.Amount, err)
	}
	if inv.TransferredToAccounting != zuora.TransferYes || inv.IntegrationID != step.State.NetSuiteID {
		t.Errorf("Zuora invoice %q / %q", inv.TransferredToAccounting, inv.IntegrationID)
	}
}

// Even summarized over the ceiling: invoice.summaryFallback decides —
// ignore names both counts and writes nothing; split writes parts within
// the ceiling that sum to Zuora's total.
func TestSyncInvoice_SummaryOverTheCeilingFallsBack(t *testing.T) {
	lines := invoiceLines(t, splitSpec)
	// How many groups the invoice has: summarize it under a ceiling it fits.
	a0, _, id0, s0 := summarizeTenant(t, lines-1)
	step0 := syncThrough(t, a0, id0, s0, 50)
	_, groups, _ := bookedByGroup(t, a0, step0.State.RecordType, step0.State.NetSuiteID)
	if groups < 2 {
		t.Skipf("the fixture's invoice has %d group; a fallback needs 2", groups)
	}
	ceiling := groups - 1

	a, sb, id, s := summarizeTenant(t, ceiling)
	s.Invoice.SummaryFallback = settings.OverCeilingIgnore
	step := syncThrough(t, a, id, s, 10)
	if step.Outcome != workflows.OutcomeIgnored || !strings.Contains(step.Reason, fmt.Sprintf("even summarized (invoice.overCeiling=summarize) it has %d lines", groups)) {
		t.Fatalf("fallback ignore: outcome %s: %s", step.Outcome, step.Reason)
	}
	if st := sb.Stats("netsuite"); st.Requests["PUT /services/rest/record/v1/{type}/{id} 0"] > 0 {
		t.Errorf("fallback ignore wrote to NetSuite: %+v", st.Requests)
	}

	a, _, id, s = summarizeTenant(t, ceiling)
	s.Invoice.SummaryFallback = settings.OverCeilingSplit
	s.Run.BatchSize = 1
	if ceiling < 2 {
		t.Skipf("ceiling %d is below one item and its tax line", ceiling)
	}
	step = syncThrough(t, a, id, s, 50)
	if step.State.Summarized {
		t.Fatal("fallback split summarized")
	}
	checkSplitBooks(t, a, id, step, ceiling, lines, len(step.State.Parts))
	if len(step.State.Parts) < 2 {
		t.Errorf("%d parts", len(step.State.Parts))
	}
}
