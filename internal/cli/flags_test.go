package cli

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestEnvFillsFlagsNotGivenOnCommandLine(t *testing.T) {
	fs := NewFlagSet("prog", "PROG", "test", io.Discard)
	addr := fs.String("zuora-addr", "127.0.0.1:1", "")
	ttl := fs.Duration("token-ttl", time.Hour, "")
	t.Setenv("PROG_ZUORA_ADDR", "127.0.0.1:2")
	t.Setenv("PROG_TOKEN_TTL", "5m")
	if err := Parse(fs, "PROG", []string{"--token-ttl=1m"}); err != nil {
		t.Fatal(err)
	}
	if *addr != "127.0.0.1:2" {
		t.Errorf("env not applied: %s", *addr)
	}
	if *ttl != time.Minute {
		t.Errorf("command line must win over env: %s", *ttl)
	}
}

func TestBadEnvValueNamesTheVariable(t *testing.T) {
	fs := NewFlagSet("prog", "PROG", "test", io.Discard)
	fs.Duration("token-ttl", time.Hour, "")
	t.Setenv("PROG_TOKEN_TTL", "soon")
	err := Parse(fs, "PROG", nil)
	if err == nil || !strings.Contains(err.Error(), "PROG_TOKEN_TTL") {
		t.Fatalf("want error naming PROG_TOKEN_TTL, got %v", err)
	}
}

func TestUnknownFlagAndStrayArgumentRejected(t *testing.T) {
	fs := NewFlagSet("prog", "PROG", "test", io.Discard)
	if err := Parse(fs, "PROG", []string{"--nope"}); err == nil {
		t.Fatal("unknown flag accepted")
	}
	fs = NewFlagSet("prog", "PROG", "test", io.Discard)
	if err := Parse(fs, "PROG", []string{"stray"}); err == nil {
		t.Fatal("stray argument accepted")
	}
}

func TestUsageListsEnvVariables(t *testing.T) {
	var b strings.Builder
	fs := NewFlagSet("prog", "PROG", "Does things.", &b)
	fs.String("data-dir", ".state", "where state lives")
	fs.Usage()
	if !strings.Contains(b.String(), "[PROG_DATA_DIR]") || !strings.Contains(b.String(), "Does things.") {
		t.Fatalf("usage lacks env names:\n%s", b.String())
	}
}

func TestSecretFromFile(t *testing.T) {
	p := t.TempDir() + "/s"
	if err := writeFile(p, "s3cret\n"); err != nil {
		t.Fatal(err)
	}
	v, err := Secret("zuora client secret", "", p)
	if err != nil || v != "s3cret" {
		t.Fatalf("got %q %v", v, err)
	}
	_, err = Secret("zuora client secret", "", p+"-missing")
	if err == nil || !strings.Contains(err.Error(), "zuora client secret") {
		t.Fatalf("want named error, got %v", err)
	}
}
