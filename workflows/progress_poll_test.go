package workflows

import (
	"testing"
	"time"
)

// Progress queries are billable: one a second only in a run's first minute,
// then 5 s, then 10 s after ten minutes.
func TestProgressPollInterval_BacksOffForLongRuns(t *testing.T) {
	for _, c := range []struct{ elapsed, want time.Duration }{
		{0, time.Second}, {59 * time.Second, time.Second},
		{time.Minute, 5 * time.Second}, {9 * time.Minute, 5 * time.Second},
		{10 * time.Minute, 10 * time.Second}, {2 * time.Hour, 10 * time.Second},
	} {
		if got := ProgressPollInterval(c.elapsed); got != c.want {
			t.Errorf("after %s: every %s, want %s", c.elapsed, got, c.want)
		}
	}
	// A 7-minute run: 60 + 72 queries instead of 420.
	n := 0
	for e := time.Duration(0); e < 7*time.Minute; e += ProgressPollInterval(e) {
		n++
	}
	if n > 140 {
		t.Errorf("%d queries over 7 minutes", n)
	}
}
