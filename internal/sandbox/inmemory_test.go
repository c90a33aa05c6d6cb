package sandbox

import (
	"context"
	"os"
	"testing"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// InMemory (the benchmark's sandbox) needs no data dir, serves what was
// loaded and written like the persisted one, and writes no file.
func TestInMemorySandboxKeepsStateWithoutADataDir(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadDir(cwd)
	cfg := DefaultConfig()
	cfg.ZuoraAddr, cfg.NetSuiteAddr, cfg.DataDir, cfg.InMemory = "127.0.0.1:0", "127.0.0.1:0", "", true
	sb, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Load(tinyTenant()); err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	ns, err := netsuite.New(netsuite.Config{BaseURL: sb.NetSuiteURL(), Account: cfg.NetSuite.Account, MaxRetries: 1,
		TBA: &netsuite.TBACredentials{ConsumerKey: cfg.NetSuite.ConsumerKey, ConsumerSecret: cfg.NetSuite.ConsumerSecret, TokenID: cfg.NetSuite.TokenID, TokenSecret: cfg.NetSuite.TokenSecret}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var cust struct {
		CompanyName string `json:"companyName"`
	}
	if err := ns.Get(ctx, "customer", "10", false, &cust); err != nil || cust.CompanyName != `O'Brien, "Ltd"` {
		t.Fatalf("loaded customer: %+v %v", cust, err)
	}
	if err := ns.Patch(ctx, "customer", "10", map[string]any{"companyName": "Renamed"}); err != nil {
		t.Fatal(err)
	}
	if err := ns.Get(ctx, "customer", "10", false, &cust); err != nil || cust.CompanyName != "Renamed" {
		t.Fatalf("after a write: %+v %v", cust, err)
	}
	after, _ := os.ReadDir(cwd)
	if len(after) != len(before) {
		t.Fatalf("an in-memory sandbox wrote files: %d entries before, %d after", len(before), len(after))
	}
	if _, err := New(Config{ZuoraAddr: "127.0.0.1:0", NetSuiteAddr: "127.0.0.1:0"}); err == nil {
		t.Fatal("a persisted sandbox without a data dir was accepted")
	}
}
