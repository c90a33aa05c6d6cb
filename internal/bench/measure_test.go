package main

import (
	"strings"
	"testing"
	"time"
)

// benchOptions are make bench's defaults for the figures below.
func benchOptions() options {
	return options{c: 15, writeL: time.Second, largeL: 200 * time.Millisecond, zuoraL: 50 * time.Millisecond,
		readMin: 100 * time.Millisecond, readMax: 500 * time.Millisecond, lineCeiling: 5000}
}

// The small-invoice ceiling counts every NetSuite request at its latency:
// C / (reads·R̄ + writes·L), R̄ the mean of the read latency range.
func TestTable_SmallCeilingCountsEveryRequestAtItsLatency(t *testing.T) {
	r := results{small: scenario{records: 1000, wall: 250 * time.Second, nsReads: 8000, nsWrites: 1000}}
	got := r.table(benchOptions())
	// 8 reads × 0.3 s + 1 write × 1 s = 3.4 slot-seconds: 15 / 3.4 = 4.41/s;
	// 4/s is 91% of it and 27% of the one-write minimum C/L = 15/s.
	for _, want := range []string{"15 / 3.400 s = 4.41/s", "4.00/s = **91%** (27% of C/L)", "9.00 = 8.00 reads"} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

// The large invoice's physical limit: the Zuora reads at 2,000 rows a call
// plus the NetSuite writes at the ceiling (split) or one (summarize), one
// after another at their latencies; and the limit the connector's own
// batches of 100 items set. Figures of the run of 2026-12-02.
func TestTable_LargeLimitIsZuoraReadsAt2000PlusWritesAtTheCeiling(t *testing.T) {
	split := largeRun{policy: "split", items: 100000, taxItems: 74898, lines: 174898,
		scenario: scenario{records: 1, wall: 434290 * time.Millisecond, hist: histStats{actions: 27}, heartbeats: 22, queries: 434}}
	sum := largeRun{policy: "summarize", items: 100000, taxItems: 74898, lines: 174898,
		scenario: scenario{records: 1, wall: 14337 * time.Millisecond, hist: histStats{actions: 4}, heartbeats: 2, queries: 14}}
	if n := split.zuoraReadsNeeded(); n != 50+38 {
		t.Errorf("Zuora reads needed %d, want 50 for the items + 38 for the tax lines", n)
	}
	if n := split.netsuiteWritesNeeded(5000); n != 35 {
		t.Errorf("split writes needed %d, want 35", n)
	}
	got := results{large: []largeRun{split, sum}}.table(benchOptions())
	for _, want := range []string{
		"88×50ms + 35×200ms = 11.4s | **38.1×** (2.1× of 3m24.4s, the limit at 100 items a write, one at a time; 24.4× of 17.8s, at 100 items a write by 15 writers at once)",
		"88×50ms + 1×200ms = 4.6s | **3.1×** (3.1× of 4.6s, the limit at 100 items a write, one at a time)",
		"0.483 (27 in history + 22 heartbeats + 434 progress queries; 0.049 without the queries)",
		"0.020 (4 in history + 2 heartbeats + 14 progress queries; 0.006 without the queries)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}
