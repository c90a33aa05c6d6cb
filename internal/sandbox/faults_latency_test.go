package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// ReadLatencyMax (used by make bench): NetSuite reads take 100–500 ms, not
// one flat latency, so a read's latency is drawn uniformly in
// [ReadLatency, ReadLatencyMax]; every read takes at least the minimum and
// the draws spread over the range.
func TestReadLatencyMax_ReadsSpreadBetweenMinAndMax(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	const lo, hi = 20 * time.Millisecond, 220 * time.Millisecond
	if err := e.sb.SetFaults("netsuite", Faults{ReadLatency: Duration(lo), ReadLatencyMax: Duration(hi)}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	shortest, longest := time.Hour, time.Duration(0)
	for range 16 {
		start := time.Now()
		var out map[string]any
		if err := e.ns.Get(ctx, netsuite.TypeLocation, "30", false, &out); err != nil {
			t.Fatal(err)
		}
		d := time.Since(start)
		shortest, longest = min(shortest, d), max(longest, d)
	}
	if shortest < lo {
		t.Errorf("a read took %s, under the minimum %s", shortest, lo)
	}
	// 16 uniform draws over 200 ms all within 50 ms of each other: p < 1e-6.
	if longest-shortest < 50*time.Millisecond {
		t.Errorf("reads took %s to %s: not spread over [%s, %s]", shortest, longest, lo, hi)
	}
	if err := e.sb.SetFaults("netsuite", Faults{ReadLatency: Duration(hi), ReadLatencyMax: Duration(lo)}); err != nil {
		t.Fatal(err) // a max under the min is the flat ReadLatency, not an error
	}
}
