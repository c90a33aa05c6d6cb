package activities

import (
	"fmt"
	"strings"
	"testing"
)

// IntegrationId__NS is a 255-character Zuora field: a split invoice's ids
// fit in it or end "+N more", and the part count read back from it is the
// number of parts either way (what reconcile and adjustments look up by).
func TestIntegrationIDs_WithinZuoras255CharactersAndCountedBack(t *testing.T) {
	for _, n := range []int{1, 2, 10, 31, 40, 200} {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprint(1000000 + i)
		}
		got := integrationIDs(ids)
		if len(got) > maxIntegrationIDLength {
			t.Errorf("%d parts: %d characters", n, len(got))
		}
		if c := invoicePartCount(got); c != n {
			t.Errorf("%d parts recorded as %q, counted back %d", n, got, c)
		}
		if strings.Join(ids, ",") != got && !strings.HasSuffix(got, " more") {
			t.Errorf("%d parts: %q lost ids without saying so", n, got)
		}
	}
}

// Parts never exceed the ceiling, cover every batch in order, and a batch
// with no line never opens one; a batch alone over the ceiling is refused.
func TestPlanParts_WithinTheCeilingCoveringEveryBatch(t *testing.T) {
	parts, why := planParts([]int{0, 3, 2, 0, 4, 1, 5}, 5)
	want := []int{0, 4, 6} // [0,3,2,0], [4,1], [5]
	if why != "" || len(parts) != len(want) {
		t.Fatalf("parts %+v (%s)", parts, why)
	}
	for i, p := range parts {
		if p.FirstBatch != want[i] || p.Lines > 5 {
			t.Errorf("part %d: %+v", i+1, p)
		}
	}
	if _, why := planParts([]int{2, 6}, 5); !strings.Contains(why, "batch 2 of the invoice has 6 lines") {
		t.Errorf("a batch over the ceiling: %q", why)
	}
}
