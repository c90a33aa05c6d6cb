package itest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// demoIS is the tenant and settings `DEMO_TENANT=is make demo` runs: the
// IS_SPEC default in internal/demo/demo.sh and docs/demo-settings-is.json.
func demoIS(t *testing.T) (string, settings.Settings) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	script, err := os.ReadFile(filepath.Join(root, "internal", "demo", "demo.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`IS_SPEC=\$\{DEMO_IS_SPEC:-([^}]+)\}`).FindSubmatch(script)
	if m == nil {
		t.Fatal("demo.sh has no IS_SPEC default")
	}
	s, err := settings.Load(filepath.Join(root, "docs", "demo-settings-is.json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(m[1]), s
}

// Issue 16: the IS demo shows the netsuitepayments phase. Its NetSuite
// payments, with no paymentSync.netSuiteMethods, find the tenant's shared
// Zuora Check method by name (§3.2) and sync, each to one Zuora payment on
// the customer's account, unapplied; a second run makes no second one.
func TestDemoISTenant_NetSuitePaymentsSyncByMethodNameOnce(t *testing.T) {
	spec, s := demoIS(t)
	if !s.Advanced.NetSuitePaymentSync || len(s.Payments.NetSuiteMethods) != 0 {
		t.Fatalf("demo IS settings: netSuitePaymentSync %v, netSuiteMethods %v: the demo is to show the lookup by name", s.Advanced.NetSuitePaymentSync, s.Payments.NetSuiteMethods)
	}
	f, err := fixture.Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	nsPays := f.NetSuite.Records[netsuite.TypeCustomerPayment]
	if len(nsPays) == 0 {
		t.Fatalf("IS_SPEC %q makes no NetSuite payments", spec)
	}
	shared := ""
	for _, pm := range f.Zuora.Objects[zuora.ObjPaymentMethod] {
		if pm["Type"] == "Check" && pm["AccountId"] == nil {
			shared = pm["Id"].(string)
		}
	}
	e := New(t, f, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	first := e.RunSync(ctx, "demo-is-first", s)
	if got := first.Progress.NetSuitePayments; got.Synced != len(nsPays) || got.Errored != 0 {
		t.Fatalf("first run NetSuite payments %+v (errors %v), want %d synced", got, first.Errors, len(nsPays))
	}
	for _, p := range nsPays {
		id := p["id"].(string)
		pays, err := zuora.QueryAll[struct {
			AccountID       string `json:"AccountId"`
			PaymentMethodID string `json:"PaymentMethodId"`
			Status          string `json:"Status"`
		}](ctx, e.Zuora, "select Id, AccountId, PaymentMethodId, Status from Payment where IntegrationId__NS = "+zuora.Quote(id))
		if err != nil || len(pays) != 1 || pays[0].PaymentMethodID != shared || pays[0].Status != "Processed" {
			t.Fatalf("Zuora payments of NetSuite payment %s: %+v %v, want one Processed by %s", id, pays, err, shared)
		}
	}
	second := e.RunSync(ctx, "demo-is-second", s)
	if got := second.Progress.NetSuitePayments; got.Synced != 0 || got.Errored != 0 {
		t.Fatalf("second run NetSuite payments %+v (errors %v), want nothing new", got, second.Errors)
	}
	for _, p := range nsPays {
		if pays, err := zuora.QueryAll[zuora.Payment](ctx, e.Zuora, "select Id from Payment where IntegrationId__NS = "+zuora.Quote(p["id"].(string))); err != nil || len(pays) != 1 {
			t.Fatalf("after the second run, Zuora payments of NetSuite payment %v: %d %v", p["id"], len(pays), err)
		}
	}
}
