// Command worker runs the connector's workflows and activities: it polls the
// Temporal task queue and talks to Zuora and NetSuite. Run as many as you
// like on one task queue; NetSuite's account-wide concurrency is shared.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.uber.org/fx"
	"google.golang.org/grpc"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/cli"
	"github.com/zuora-netsuite/connector/internal/credstore"
	"github.com/zuora-netsuite/connector/internal/metrics"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/nslimit"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

const program = "worker"

type config struct {
	Temporal app.TemporalConfig
	APIs     app.APIConfig
	Log      app.LogConfig

	HTTPAddr            string
	PProf               bool
	MaxActivities       int
	MaxWorkflowTasks    int
	ActivitiesPerSecond float64
	StopTimeout         time.Duration
	// Invoice Settlement migration (docs/migration.md).
	StateDir             string
	ZuoraSandboxAdminURL string
	// Shared state of a cluster (worker/state.go).
	StateStore       string
	NetSuiteLeaseTTL time.Duration
	// MemoryLimitMiB is the Go runtime's soft memory limit (memoryLimit).
	MemoryLimitMiB int
}

func parseFlags(args []string) (*config, error) {
	c := &config{}
	fs := cli.NewFlagSet(program, app.EnvPrefix,
		"The connector's Temporal worker: runs Zuora → NetSuite sync workflows and their activities.\n"+
			"Defaults reach a local dev server and the sandbox (make demo); point --zuora-*/--netsuite-* at real tenants.", os.Stderr)
	c.Temporal.AddFlags(fs)
	c.APIs.AddFlags(fs)
	c.Log.AddFlags(fs)
	fs.IntVar(&c.MemoryLimitMiB, "memory-limit", 128, "soft memory limit of the worker process in MiB: the Go garbage collector runs more often near it instead of letting the heap double (0: none; GOMEMLIMIT, when set, takes precedence)")
	fs.StringVar(&c.HTTPAddr, "http-addr", "127.0.0.1:9464", "address of /healthz and Prometheus /metrics (empty: off)")
	fs.BoolVar(&c.PProf, "pprof", false, "also serve Go's runtime profiles (/debug/pprof/) on --http-addr, for an operator diagnosing CPU or memory")
	fs.IntVar(&c.MaxActivities, "max-concurrent-activities", 50, "activities this worker runs at once")
	fs.IntVar(&c.MaxWorkflowTasks, "max-concurrent-workflow-tasks", 20, "workflow tasks this worker runs at once")
	fs.Float64Var(&c.ActivitiesPerSecond, "task-queue-activities-per-second", 0, "activities started per second on the whole task queue, across all workers (0: unlimited)")
	fs.DurationVar(&c.StopTimeout, "stop-timeout", 30*time.Second, "how long running activities may finish on shutdown")
	fs.StringVar(&c.StateDir, "state-dir", "connector-state", "directory of the connector's credential store (the Zuora OAuth client rotated by the Invoice Settlement migration) and state")
	fs.StringVar(&c.StateStore, "state-store", "", "shared state of several workers: postgres://user@host:port/db?sslmode=... (password from PGPASSWORD) holds the credential store, encrypted with the payload keys, and the NetSuite concurrency limit for all workers; empty: --state-dir and a per-process NetSuite share")
	fs.DurationVar(&c.NetSuiteLeaseTTL, "netsuite-lease-ttl", nslimit.DefaultLeaseTTL, "with a postgres --state-store: how long a NetSuite request slot of a worker that died stays taken")
	fs.StringVar(&c.ZuoraSandboxAdminURL, "zuora-sandbox-admin-url", "", "the sandbox's Zuora URL, whose admin endpoints stand in for the Zuora UI in the migration (sandbox only)")
	if err := cli.Parse(fs, app.EnvPrefix, args); err != nil {
		return nil, err
	}
	if _, err := c.Log.New(); err != nil {
		return nil, err
	}
	if err := c.Temporal.Check(); err != nil {
		return nil, err
	}
	if c.MaxActivities < 1 || c.MaxWorkflowTasks < 2 {
		return nil, errors.New("--max-concurrent-activities must be ≥ 1 and --max-concurrent-workflow-tasks ≥ 2")
	}
	return c, nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		cli.Fail(program, err)
	}
	memoryLimit(cfg.MemoryLimitMiB)
	fxApp := fx.New(
		fx.NopLogger,
		fx.Supply(cfg),
		fx.Provide(
			func(c *config) (*slog.Logger, error) { return c.Log.New() },
			metrics.New,
			newTemporalClient,
			func(c *config, l *slog.Logger, m *metrics.Metrics) (*zuora.Client, error) {
				return c.APIs.NewZuora(l, m)
			},
			newSharedState,
			func(c *config, l *slog.Logger, m *metrics.Metrics, st *sharedState) (*netsuite.Client, error) {
				c.APIs.NetSuiteLimiter = st.Limiter
				return c.APIs.NewNetSuite(l, m)
			},
			newActivities,
			newWorker,
		),
		fx.Invoke(serveHTTP, runWorker),
	)
	if err := fxApp.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, cli.StartupError(err))
		os.Exit(1)
	}
	startCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := fxApp.Start(startCtx); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
		os.Exit(1)
	}
	<-fxApp.Done()
	stopCtx, cancel2 := context.WithTimeout(context.Background(), cfg.StopTimeout+10*time.Second)
	defer cancel2()
	if err := fxApp.Stop(stopCtx); err != nil {
		fmt.Fprintf(os.Stderr, "%s: stopping: %v\n", program, err)
		os.Exit(1)
	}
}

// memoryLimit sets the runtime's soft memory limit. Issue 13: a worker
// syncing a 100,000-item invoice holds its item set (about 175,000 rows) for
// the sync's calls; by default the collector lets the heap grow to twice
// what is live before it runs, which is what the process's peak RSS
// measured. Near the limit it collects sooner (and more often); it is soft:
// a larger live heap is not refused, only collected harder.
func memoryLimit(mib int) {
	if mib <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(int64(mib) << 20)
}

func newTemporalClient(lc fx.Lifecycle, c *config, logger *slog.Logger, m *metrics.Metrics) (client.Client, error) {
	opts, err := c.Temporal.ClientOptions(logger)
	if err != nil {
		return nil, err
	}
	mh, err := m.TemporalHandler()
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	opts.MetricsHandler = mh
	opts.ConnectionOptions.DialOptions = append(opts.ConnectionOptions.DialOptions, grpc.WithChainUnaryInterceptor(m.TemporalRPCInterceptor()))
	tc, err := client.Dial(opts)
	if err != nil {
		return nil, fmt.Errorf("connecting to Temporal at %s (namespace %s): %w", c.Temporal.Address, c.Temporal.Namespace, err)
	}
	lc.Append(fx.StopHook(func() { tc.Close(); _ = m.Close() }))
	return tc, nil
}

func newActivities(z *zuora.Client, ns *netsuite.Client, logger *slog.Logger, m *metrics.Metrics, tc client.Client) *activities.Activities {
	return &activities.Activities{Zuora: z, NetSuite: ns, Logger: logger, Metrics: m, Fence: activities.TemporalFence(tc), Temporal: tc}
}

func newWorker(c *config, tc client.Client, a *activities.Activities, st *sharedState) (worker.Worker, error) {
	w := worker.New(tc, c.Temporal.TaskQueue, worker.Options{
		MaxConcurrentActivityExecutionSize:     c.MaxActivities,
		MaxConcurrentWorkflowTaskExecutionSize: c.MaxWorkflowTasks,
		TaskQueueActivitiesPerSecond:           c.ActivitiesPerSecond,
		WorkerStopTimeout:                      c.StopTimeout,
		// Every activity error is classified once here: refused credentials,
		// 4xx and bad records are not retried; Retry-After is the next delay.
		Interceptors: []interceptor.WorkerInterceptor{activities.ErrorClassifier()},
	})
	app.Register(w, a)
	m, err := migrationActivities(c, a, st.Store)
	if err != nil {
		return nil, err
	}
	app.RegisterMigration(w, m)
	return w, nil
}

// migrationActivities opens the credential store; the Zuora client reads its
// OAuth client from it at token time, so a rotation needs no restart.
func migrationActivities(c *config, a *activities.Activities, store credstore.Backend) (*activities.Migration, error) {
	secret, err := cli.Secret("--zuora-client-secret-file", c.APIs.ZuoraClientSecret, c.APIs.ZuoraClientSecretFile)
	if err != nil {
		return nil, err
	}
	a.Zuora.UseCredentialsProvider(store)
	return &activities.Migration{Activities: a, Store: store, SandboxAdminURL: c.ZuoraSandboxAdminURL,
		Configured: zuora.Credentials{ClientID: c.APIs.ZuoraClientID, ClientSecret: secret}}, nil
}

func runWorker(lc fx.Lifecycle, w worker.Worker, tc client.Client, c *config, logger *slog.Logger, st *sharedState) {
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			if err := app.CheckSearchAttributes(ctx, tc, c.Temporal.Namespace, logger); err != nil {
				return err
			}
			if err := w.Start(); err != nil {
				return fmt.Errorf("starting the worker on task queue %s: %w", c.Temporal.TaskQueue, err)
			}
			logger.Info("worker started", "temporal", c.Temporal.Address, "namespace", c.Temporal.Namespace,
				"task_queue", c.Temporal.TaskQueue, "encryption", c.Temporal.Encryption.Describe(c.Temporal.Address), "zuora", c.APIs.ZuoraURL, "netsuite", c.APIs.NetSuiteURL, "netsuite_account", c.APIs.NetSuiteAccount, "state", st.Where)
			return nil
		},
		OnStop: func(context.Context) error { w.Stop(); return nil },
	})
}

// serveHTTP serves the worker's HTTP endpoints (httpMux) on --http-addr.
func serveHTTP(lc fx.Lifecycle, c *config, tc client.Client, m *metrics.Metrics, logger *slog.Logger) {
	if c.HTTPAddr == "" {
		return
	}
	mux := httpMux(c, tc, m)
	srv := &http.Server{Addr: c.HTTPAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			ln, err := net.Listen("tcp", c.HTTPAddr)
			if err != nil {
				return fmt.Errorf("--http-addr %s: %w", c.HTTPAddr, err)
			}
			logger.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
			go func() { _ = srv.Serve(ln) }()
			return nil
		},
		OnStop: func(ctx context.Context) error { return srv.Shutdown(ctx) },
	})
}

// httpMux is /healthz (the worker is up and Temporal answers), /metrics
// and, with --pprof, /debug/pprof/.
func httpMux(c *config, tc client.Client, m *metrics.Metrics) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			http.Error(w, "temporal unreachable: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	if c.PProf {
		// Off by default: a profile shows the worker's memory, which may hold
		// Zuora and NetSuite data; --http-addr listens on 127.0.0.1 unless told
		// otherwise. No /cmdline: a secret may be among the flags.
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}
