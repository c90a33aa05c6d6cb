package activities_test

import (
	"testing"

	"github.com/zuora-netsuite/connector/internal/settings"
)

// Reference money-sync §4.1 / §4.2 on a generated tenant: the Processed
// payment refunds pending transfer are selected once (keyset pages); the
// Canceled and credit-balance refunds, one already transferred and one
// before the refund cutover date are not.
func TestSelectRefunds_ProcessedPaymentRefundsPendingOncePerRun(t *testing.T) {
	f := generated(t, "seed=7,accounts=4,invoices=30,negative=0,payments=12,refunds=10")
	refs := f.Zuora.Objects["Refund"]
	eligible := map[string]bool{}
	for _, r := range refs {
		if r["Status"] == "Processed" && r["SourceType"] == "Payment" {
			eligible[r["Id"].(string)] = true
		}
	}
	if len(eligible) != 6 {
		t.Fatalf("generated %d eligible refunds, want 6", len(eligible))
	}
	var transferred string
	for id := range eligible {
		transferred = id
		break
	}
	for _, r := range refs {
		if r["Id"] == transferred {
			r["TransferredToAccounting"] = "Yes"
		}
	}
	a, _ := sandboxTenant(t, f)
	s := settings.Default()
	ids := allPages(t, a.SelectRefunds, s, 2)
	if len(ids) != 5 {
		t.Fatalf("selected %d refunds, want 5 (6 Processed payment refunds less one transferred): %v", len(ids), ids)
	}
	for _, id := range ids {
		if !eligible[id] || id == transferred {
			t.Fatalf("%s selected", id)
		}
	}
	s.Advanced.RefundCutoverDate = "2999-01-01"
	if after := allPages(t, a.SelectRefunds, s, 2); len(after) != 0 {
		t.Fatalf("after the cutover date: %v", after)
	}
}
