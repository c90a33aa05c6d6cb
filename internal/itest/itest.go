// Package itest starts what integration tests run against: the real
// Temporal dev server (the pinned CLI in ./bin), the sandbox emulators and an
// in-process worker with the real activities and clients.
//
// Tests call Require first: without the Temporal CLI they skip, unless
// CONNECTOR_INTEGRATION=required (make test), where they fail instead.
package itest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// TemporalCLI is the path of the pinned Temporal CLI, from TEMPORAL_CLI or ./bin/temporal.
func TemporalCLI() string {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "bin", "temporal")
}

// Require skips (or, under make test, fails) a test when the dev server can't run.
func Require(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: not with -short")
	}
	if _, err := os.Stat(TemporalCLI()); err != nil {
		if os.Getenv("CONNECTOR_INTEGRATION") == "required" {
			t.Fatalf("integration test needs the Temporal CLI at %s (make test installs it): %v", TemporalCLI(), err)
		}
		t.Skipf("integration test: no Temporal CLI at %s (run make test, or set TEMPORAL_CLI)", TemporalCLI())
	}
}

// SearchAttributes are registered on the dev server, as make demo does.
var SearchAttributes = workflows.DevServerSearchAttributes()

var (
	serverOnce sync.Once
	server     *testsuite.DevServer
	serverErr  error
)

// DevServer is one dev server per test binary (in memory), started on first use.
// TestMain should call StopDevServer.
func DevServer(t testing.TB) *testsuite.DevServer {
	t.Helper()
	Require(t)
	serverOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		server, serverErr = testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
			ExistingPath:     TemporalCLI(),
			ClientOptions:    &client.Options{Logger: quietLogger()},
			LogLevel:         "error",
			SearchAttributes: SearchAttributes,
			Stdout:           io.Discard,
			Stderr:           io.Discard,
		})
	})
	if serverErr != nil {
		t.Fatalf("starting the Temporal dev server (%s): %v", TemporalCLI(), serverErr)
	}
	return server
}

// StopDevServer stops the shared dev server, if one was started.
func StopDevServer() {
	if server != nil {
		_ = server.Stop()
	}
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// Env is one test's world: the shared dev server, a fresh sandbox loaded
// with a fixture, clients for both APIs, and a worker on a task queue of its own.
type Env struct {
	T         testing.TB
	Temporal  client.Client
	TaskQueue string
	Sandbox   *sandbox.Sandbox
	Zuora     *zuora.Client
	NetSuite  *netsuite.Client
	Acts      *activities.Activities
	worker    worker.Worker
}

var queueSeq atomic.Int64

// Options tune an Env.
type Options struct {
	// NoWorker leaves starting workers to the test (StartWorker).
	NoWorker bool
	// Configure adjusts the sandbox config before it starts.
	Configure func(*sandbox.Config)
	// DataConverter and FailureConverter, when set, give the Env (and so its
	// worker) a client of its own that uses them, as worker and starter do
	// with payload encryption on.
	DataConverter    converter.DataConverter
	FailureConverter converter.FailureConverter
}

// New starts a sandbox with f and a worker; everything stops at test end.
func New(t testing.TB, f *fixture.Fixture, opts Options) *Env {
	t.Helper()
	srv := DevServer(t)
	cfg := sandbox.DefaultConfig()
	cfg.ZuoraAddr, cfg.NetSuiteAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.Logger = quietLogger()
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	if f != nil {
		if err := sb.Load(f); err != nil {
			t.Fatalf("sandbox: loading fixture: %v", err)
		}
	}
	if err := sb.Start(); err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })

	z, ns := sandboxClients(t, sb, cfg)
	tc := srv.Client()
	if opts.DataConverter != nil || opts.FailureConverter != nil {
		tc, err = client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Namespace: "default", Logger: quietLogger(),
			DataConverter: opts.DataConverter, FailureConverter: opts.FailureConverter})
		if err != nil {
			t.Fatalf("temporal client: %v", err)
		}
		t.Cleanup(tc.Close)
	}
	e := &Env{
		T: t, Temporal: tc, TaskQueue: fmt.Sprintf("itest-%d-%d", os.Getpid(), queueSeq.Add(1)),
		Sandbox: sb, Zuora: z, NetSuite: ns,
		Acts: &activities.Activities{Zuora: z, NetSuite: ns, Logger: quietLogger()},
	}
	if !opts.NoWorker {
		e.StartWorker()
	}
	return e
}

// StartWorker starts an in-process worker on the Env's task queue.
func (e *Env) StartWorker() {
	e.Acts.Fence, e.Acts.Temporal = activities.TemporalFence(e.Temporal), e.Temporal
	w := worker.New(e.Temporal, e.TaskQueue, worker.Options{MaxConcurrentActivityExecutionSize: 20,
		Interceptors: []interceptor.WorkerInterceptor{activities.ErrorClassifier()}})
	app.Register(w, e.Acts)
	if err := w.Start(); err != nil {
		e.T.Fatalf("worker: %v", err)
	}
	e.worker = w
	e.T.Cleanup(w.Stop)
}

// HTTPClient is a plain client for wire-level checks.
var HTTPClient = &http.Client{Timeout: time.Minute}

// sandboxClients are the connector's API clients for a sandbox, with the
// credentials it accepts.
func sandboxClients(t testing.TB, sb *sandbox.Sandbox, cfg sandbox.Config) (*zuora.Client, *netsuite.Client) {
	t.Helper()
	apis := app.APIConfig{
		ZuoraURL: sb.ZuoraURL(), ZuoraClientID: cfg.Zuora.ClientID, ZuoraClientSecret: cfg.Zuora.ClientSecret,
		NetSuiteURL: sb.NetSuiteURL(), NetSuiteAccount: cfg.NetSuite.Account,
		ConsumerKey: cfg.NetSuite.ConsumerKey, ConsumerSecret: cfg.NetSuite.ConsumerSecret,
		TokenID: cfg.NetSuite.TokenID, TokenSecret: cfg.NetSuite.TokenSecret,
		NetSuiteConcurrency: 10, HTTPTimeout: time.Minute,
	}
	z, err := apis.NewZuora(quietLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := apis.NewNetSuite(quietLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return z, ns
}
