package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// A corrupted record answers with the named field of the wrong type or
// missing, in every answer that carries it; the client's decoder names the
// record and the field.
func TestFaults_CorruptRecordWrongTypeAndMissingField(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	ctx := context.Background()
	if err := e.sb.SetFaults("zuora", Faults{Corrupt: []Corruption{{ID: "inv1", Field: "Amount", Mode: "wrongType"}}}); err != nil {
		t.Fatal(err)
	}
	_, err := zuora.QueryAll[zuora.Invoice](ctx, e.z, "select Id, Amount from Invoice")
	if err == nil || !strings.Contains(err.Error(), "inv1") || !strings.Contains(err.Error(), "Amount") {
		t.Fatalf("wrong type: want an error naming inv1 and Amount, got %v", err)
	}
	if err := e.sb.SetFaults("zuora", Faults{Corrupt: []Corruption{{ID: "inv1", Field: "Amount", Mode: "missing"}}}); err != nil {
		t.Fatal(err)
	}
	invs, err := zuora.QueryAll[zuora.Invoice](ctx, e.z, "select Id, Amount from Invoice")
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		if inv.ID == "inv1" && !inv.Amount.IsZero() {
			t.Errorf("Amount was not dropped: %s", inv.Amount)
		}
	}
	st := e.sb.Stats("zuora").Faults
	if st["wrongType"] == 0 || st["missingField"] == 0 {
		t.Errorf("fault counts: %v", st)
	}
	if err := e.sb.SetFaults("zuora", Faults{Corrupt: []Corruption{{ID: "inv1", Field: "Amount", Mode: "upsideDown"}}}); err == nil {
		t.Error("an unknown corruption mode must be refused")
	}
}

// Slow answers: a share of requests held, counted as "slow".
func TestFaults_SlowRateHoldsRequests(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	if err := e.sb.SetFaults("zuora", Faults{SlowRate: 1, SlowLatency: Duration(300 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if _, err := zuora.QueryAll[zuora.Invoice](context.Background(), e.z, "select Id from Invoice"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d < 300*time.Millisecond {
		t.Errorf("answered in %s, want at least the slow latency", d)
	}
	if e.sb.Stats("zuora").Faults["slow"] == 0 {
		t.Error("no slow fault counted")
	}
}

// Every token the token endpoint mints is kept for secret scans.
func TestFaults_IssuedTokensAreRecorded(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	if _, err := zuora.QueryAll[zuora.Invoice](context.Background(), e.z, "select Id from Invoice"); err != nil {
		t.Fatal(err)
	}
	toks := e.sb.IssuedTokens("zuora")
	if len(toks) != 1 || len(toks[0]) < 16 {
		t.Fatalf("issued tokens: %q", toks)
	}
}
