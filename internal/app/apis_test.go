package app

import (
	"strings"
	"testing"
)

// The account-wide limit is split so that N workers never exceed C together.
func TestNetSuiteShare_WorkersTogetherNeverExceedTheAccountLimit(t *testing.T) {
	for _, tc := range []struct{ c, n, want int }{{15, 1, 15}, {15, 2, 7}, {15, 3, 5}, {15, 4, 3}, {5, 5, 1}, {15, 0, 15}} {
		got, err := (&APIConfig{NetSuiteConcurrency: tc.c, NetSuiteWorkers: tc.n}).NetSuiteShare()
		if err != nil || got != tc.want || got*max(tc.n, 1) > tc.c {
			t.Errorf("C=%d N=%d: share %d (%v), want %d", tc.c, tc.n, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		c, n int
		msg  string
	}{{0, 1, "at least 1"}, {15, -1, "at least 1"}, {3, 4, "some worker would get no share"}} {
		if _, err := (&APIConfig{NetSuiteConcurrency: tc.c, NetSuiteWorkers: tc.n}).NetSuiteShare(); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("C=%d N=%d: error %v, want one saying %q", tc.c, tc.n, err, tc.msg)
		}
	}
}
