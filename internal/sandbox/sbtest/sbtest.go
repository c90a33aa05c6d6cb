// Package sbtest starts the sandbox for a test and builds the connector's
// real Zuora and NetSuite clients against it, the way the worker builds them
// (internal/app), so unit tests of activities and preflight talk to the same
// wire as production.
package sbtest

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Tenant is a running sandbox serving one fixture, and clients of it.
type Tenant struct {
	Sandbox  *sandbox.Sandbox
	Config   sandbox.Config
	Zuora    *zuora.Client
	NetSuite *netsuite.Client
	Logger   *slog.Logger // discards: tests read results, not logs
}

// Start serves f on loopback ports until the test ends. netsuiteConcurrency
// is the NetSuite client's requests in flight.
func Start(t testing.TB, f *fixture.Fixture, netsuiteConcurrency int) *Tenant {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := sandbox.DefaultConfig()
	cfg.ZuoraAddr, cfg.NetSuiteAddr, cfg.DataDir, cfg.Logger = "127.0.0.1:0", "127.0.0.1:0", t.TempDir(), quiet
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
	apis := app.APIConfig{
		ZuoraURL: sb.ZuoraURL(), ZuoraClientID: cfg.Zuora.ClientID, ZuoraClientSecret: cfg.Zuora.ClientSecret,
		NetSuiteURL: sb.NetSuiteURL(), NetSuiteAccount: cfg.NetSuite.Account,
		ConsumerKey: cfg.NetSuite.ConsumerKey, ConsumerSecret: cfg.NetSuite.ConsumerSecret,
		TokenID: cfg.NetSuite.TokenID, TokenSecret: cfg.NetSuite.TokenSecret,
		NetSuiteConcurrency: netsuiteConcurrency, HTTPTimeout: time.Minute,
	}
	z, err := apis.NewZuora(quiet, nil)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := apis.NewNetSuite(quiet, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Tenant{Sandbox: sb, Config: cfg, Zuora: z, NetSuite: ns, Logger: quiet}
}
