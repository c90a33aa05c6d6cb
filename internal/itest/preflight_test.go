package itest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/preflight"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// runPreflight runs the built `starter preflight` against a sandbox serving
// f, as an operator would against a live tenant (no Temporal involved).
func runPreflight(t *testing.T, f *fixture.Fixture, extra ...string) (string, string, int) {
	t.Helper()
	cfg := sandbox.DefaultConfig()
	cfg.ZuoraAddr, cfg.NetSuiteAddr, cfg.DataDir, cfg.Logger = "127.0.0.1:0", "127.0.0.1:0", t.TempDir(), quietLogger()
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Load(f); err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	args := append([]string{"preflight",
		"--zuora-url", sb.ZuoraURL(), "--zuora-client-id", cfg.Zuora.ClientID, "--zuora-client-secret", cfg.Zuora.ClientSecret,
		"--netsuite-url", sb.NetSuiteURL(), "--netsuite-account", cfg.NetSuite.Account,
		"--netsuite-consumer-key", cfg.NetSuite.ConsumerKey, "--netsuite-consumer-secret", cfg.NetSuite.ConsumerSecret,
		"--netsuite-token-id", cfg.NetSuite.TokenID, "--netsuite-token-secret", cfg.NetSuite.TokenSecret}, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(Binaries(t), "starter"), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running starter preflight: %v", err)
	}
	t.Logf("$ starter preflight %s (exit %d)\n%s%s", strings.Join(extra, " "), code, out.String(), errOut.String())
	for _, secret := range []string{cfg.Zuora.ClientSecret, cfg.NetSuite.ConsumerSecret, cfg.NetSuite.TokenSecret} {
		if strings.Contains(out.String()+errOut.String(), secret) {
			t.Errorf("preflight printed a secret")
		}
	}
	return out.String(), errOut.String(), code
}

func TestStarterPreflightCleanTenantExitsZero(t *testing.T) {
	f, err := fixture.Generate("seed=11,accounts=3,invoices=2,charges=2")
	if err != nil {
		t.Fatal(err)
	}
	out, _, code := runPreflight(t, f)
	if code != 0 {
		t.Fatalf("a configured tenant: exit %d", code)
	}
	mustContain(t, "preflight table", out, "SEVERITY", "zuora-fields", "netsuite-custom-fields", "VERIFY", "Auto-Generated Numbers", "No blocking finding")
}

func TestStarterPreflightMisconfiguredAccountExitsOne(t *testing.T) {
	f, err := fixture.Generate("seed=12,accounts=3,invoices=2,charges=2")
	if err != nil {
		t.Fatal(err)
	}
	f.NetSuite.Account.LegacyTax = true // settings default: SuiteTax
	f.NetSuite.Account.CustomFields = slices.DeleteFunc(slices.Clone(f.NetSuite.Account.CustomFields), func(s string) bool { return s == "custbody_zuora_id" })
	f.NetSuite.Account.AutoNumberNoOverride = []string{"invoice"}
	out, _, code := runPreflight(t, f, "--json")
	if code != 1 {
		t.Fatalf("a misconfigured account: exit %d, want 1", code)
	}
	var rep preflight.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v", err)
	}
	for _, want := range []struct{ check, where string }{
		{preflight.CheckTax, "netsuite.legacyTax"},
		{preflight.CheckNetSuiteCustom, "invoice.custbody_zuora_id"},
		{preflight.CheckAutoNumbers, "invoice.tranId"},
	} {
		if !slices.ContainsFunc(rep.Findings, func(f preflight.Finding) bool {
			return f.Severity == preflight.Block && f.Check == want.check && strings.Contains(f.Where, want.where) && f.Fix != ""
		}) {
			t.Errorf("no blocking %s finding at %s", want.check, want.where)
		}
	}
	if rep.Blocking < 3 {
		t.Errorf("blocking = %d, want at least 3", rep.Blocking)
	}
}
