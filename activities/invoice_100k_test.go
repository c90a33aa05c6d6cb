package activities_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// Issue 13, "Must show": a 100,000-item invoice with tax under each policy,
// at NetSuite's real ceiling of 5,000 lines. ignore: Ignore naming the count
// and the ceiling, nothing written. split: records of at most 5,000 lines,
// every Zuora line on exactly one, totals summing to Zuora's to the cent,
// the Zuora invoice Yes with every id. summarize: one record within the
// ceiling whose lines stand for every Zuora line and whose total is
// Zuora's to the cent.
func TestSyncInvoice_100000ItemsWithTaxUnderEachPolicy(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 items: not in -short")
	}
	const spec, ceiling = "seed=100,accounts=1,invoices=0,large=100000,large-count=1,tax=0.5", 5000
	var lines int
	t.Run("ignore", func(t *testing.T) {
		a, sb, id, s := splitTenant(t, spec, ceiling)
		s.Invoice.OverCeiling = settings.OverCeilingIgnore
		step := syncThrough(t, a, id, s, 5)
		m := linesInReason.FindStringSubmatch(step.Reason)
		if step.Outcome != workflows.OutcomeIgnored || m == nil || !strings.Contains(step.Reason, strconv.Itoa(ceiling)) {
			t.Fatalf("outcome %s: %q; want Ignore naming the line count and the ceiling %d", step.Outcome, step.Reason, ceiling)
		}
		lines, _ = strconv.Atoi(m[1])
		if lines <= 100000 {
			t.Fatalf("%d lines counted for 100,000 items with tax", lines)
		}
		var inv zuora.Invoice
		if err := a.Zuora.GetObject(context.Background(), zuora.ObjInvoice, id, &inv); err != nil || inv.TransferredToAccounting != zuora.TransferIgnore {
			t.Errorf("Zuora invoice %q (%v), want Ignore", inv.TransferredToAccounting, err)
		}
		if w := netsuiteWrites(sb); w != 0 {
			t.Errorf("%d NetSuite writes for an ignored invoice", w)
		}
	})
	if lines == 0 {
		t.Fatal("no line count: the ignore case failed")
	}
	t.Run("split", func(t *testing.T) {
		a, sb, id, s := splitTenant(t, spec, ceiling)
		s.Run.BatchSize = 100
		start := time.Now()
		step := syncThrough(t, a, id, s, 5000)
		parts := (lines + ceiling - 1) / ceiling
		t.Logf("%d lines split into %d records in %s, %d NetSuite writes", lines, len(step.State.Parts), time.Since(start).Round(time.Second), netsuiteWrites(sb))
		checkSplitBooks(t, a, id, step, ceiling, lines, parts)
	})
	t.Run("summarize", func(t *testing.T) {
		a, sb, id, s := splitTenant(t, spec, ceiling)
		s.Invoice.OverCeiling = settings.OverCeilingSummarize
		s.Run.BatchSize = 100
		step := syncThrough(t, a, id, s, 500)
		if step.Outcome != workflows.OutcomeSynced || !step.State.Summarized {
			t.Fatalf("outcome %s summarized %v: %s", step.Outcome, step.State.Summarized, step.Reason)
		}
		_, n, stands := bookedByGroup(t, a, step.State.RecordType, step.State.NetSuiteID)
		t.Logf("%d Zuora lines summarized into %d NetSuite lines, %d NetSuite writes", lines, n, netsuiteWrites(sb))
		if n > ceiling || stands != lines {
			t.Errorf("%d summarized lines standing for %d Zuora lines; want ≤ %d standing for %d", n, stands, ceiling, lines)
		}
		var inv zuora.Invoice
		if err := a.Zuora.GetObject(context.Background(), zuora.ObjInvoice, id, &inv); err != nil {
			t.Fatal(err)
		}
		tx, err := a.NetSuite.GetTransaction(context.Background(), step.State.RecordType, step.State.NetSuiteID)
		if err != nil || tx.Total == nil || !tx.Total.Equal(inv.Amount.Abs()) {
			t.Errorf("NetSuite total %v, Zuora %s (%v)", tx.Total, inv.Amount, err)
		}
		if inv.TransferredToAccounting != zuora.TransferYes || inv.IntegrationID != step.State.NetSuiteID {
			t.Errorf("Zuora invoice %q / %q", inv.TransferredToAccounting, inv.IntegrationID)
		}
	})
}

// netsuiteWrites counts the sandbox's NetSuite record writes (POST other
// than SuiteQL, PATCH, PUT, DELETE).
func netsuiteWrites(sb *sandbox.Sandbox) int {
	n := 0
	for k, v := range sb.Stats("netsuite").Requests {
		if strings.Contains(k, "/query/") {
			continue
		}
		for _, m := range []string{"POST ", "PATCH ", "PUT ", "DELETE "} {
			if strings.HasPrefix(k, m) {
				n += int(v)
			}
		}
	}
	return n
}
