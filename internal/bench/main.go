// Command bench measures the connector against the ceilings the APIs set
// (make bench; docs/benchmarks.md). In one run, on a real Temporal dev server
// and the hostile sandbox with realistic latency (NetSuite reads uniform in
// 100–500 ms, writes L; Zuora a latency per call and its Big Process limit):
//
//   - 1,000 small invoices (1–50 lines): every NetSuite request an invoice
//     needs, and invoices/s against the ceiling C / Σ(requests × latency);
//   - the same small-invoice sync as a plain loop (same clients, same
//     concurrency, no Temporal): the Temporal/plain ratio;
//   - one invoice of 100,000 items with tax, over NetSuite's 5,000-line
//     ceiling, under each invoice.overCeiling policy (split, summarize):
//     wall time against the physical limit (the Zuora reads at 2,000 rows a
//     call plus the NetSuite writes at the ceiling), Zuora calls, NetSuite
//     writes;
//   - the Zuora calls the invoice selection makes for a 100,000-invoice
//     backlog (in-process, no Temporal);
//
// and counts history events and Temporal Cloud billable actions (progress
// queries included) and the worker processes' peak RSS. Targets are
// reported, never asserted.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/cli"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

type options struct {
	temporalCLI, workerBin, docOut              string
	smallInvoices, window, c, workers           int
	largeItems, lineCeiling, selectInvoices     int
	largeTax                                    float64
	policies                                    []string
	writeL, largeL, zuoraL, readMin, readMax    time.Duration
	bigProcessRetryAfter, queryEvery            time.Duration
	skipSmall, skipLarge, skipPlain, skipSelect bool
}

const usage = `Measures the connector against the APIs' ceilings and Temporal's cost
(docs/benchmarks.md). Needs the Temporal CLI and the worker binary: make bench.`

func main() {
	var o options
	fs := cli.NewFlagSet("bench", app.EnvPrefix, usage, os.Stderr)
	fs.StringVar(&o.temporalCLI, "temporal", "bin/temporal", "the pinned Temporal CLI (dev server)")
	fs.StringVar(&o.workerBin, "worker", "bin/worker", "the worker binary (make build)")
	fs.StringVar(&o.docOut, "write-doc", "", "also write the results table into this markdown file")
	fs.IntVar(&o.smallInvoices, "small-invoices", 1000, "small invoices (1-50 lines each)")
	fs.IntVar(&o.largeItems, "large-items", 100000, "items of the large invoice (with tax lines it exceeds NetSuite's line ceiling)")
	fs.Float64Var(&o.largeTax, "large-tax", 0.5, "share of the large invoice's items that carry a tax line")
	fs.IntVar(&o.lineCeiling, "line-ceiling", 5000, "invoice.lineCeiling: NetSuite's most lines per transaction (real-api-gaps N1)")
	fs.StringSliceVar(&o.policies, "large-policies", []string{"split", "summarize"}, "invoice.overCeiling policies the large invoice is run under, one run each")
	fs.IntVar(&o.selectInvoices, "select-invoices", 100000, "backlog of invoices whose selection's Zuora calls are counted (in-process, no Temporal)")
	fs.IntVar(&o.window, "window", 60, "invoice workflows in flight (run.window)")
	fs.IntVar(&o.c, "netsuite-concurrency", 15, "C: NetSuite's account concurrency limit (the sandbox refuses more with 429)")
	fs.IntVar(&o.workers, "workers", 2, "worker processes sharing the NetSuite account in the small-invoice run")
	fs.DurationVar(&o.writeL, "netsuite-write-latency", time.Second, "L for small invoices: latency of a NetSuite write")
	fs.DurationVar(&o.largeL, "large-write-latency", 200*time.Millisecond, "L for the large invoice: latency of one NetSuite write (of up to 100 lines)")
	fs.DurationVar(&o.readMin, "netsuite-read-latency-min", 100*time.Millisecond, "NetSuite reads (SuiteQL, GETs) take a latency uniform in [min, max]")
	fs.DurationVar(&o.readMax, "netsuite-read-latency-max", 500*time.Millisecond, "upper end of the NetSuite read latency")
	fs.DurationVar(&o.zuoraL, "zuora-latency", 50*time.Millisecond, "latency of every Zuora call, read or write")
	fs.DurationVar(&o.bigProcessRetryAfter, "big-process-retry-after", 5*time.Second,
		"Retry-After of Zuora's Big Process 429 (the limit itself stays at its default of 20; the real Retry-After goes up to 120 s)")
	fs.DurationVar(&o.queryEvery, "query-every", 0, "progress queries while a run goes (each one counted as a billable action): 0 = as starter sync --wait sends them (every 1 s, 5 s after a minute, 10 s after ten), > 0 = at this fixed interval, < 0 = none")
	fs.BoolVar(&o.skipSmall, "skip-small", false, "skip the small invoices (and the plain loop)")
	fs.BoolVar(&o.skipLarge, "skip-large", false, "skip the large invoice")
	fs.BoolVar(&o.skipPlain, "skip-plain", false, "skip the plain loop")
	fs.BoolVar(&o.skipSelect, "skip-select", false, "skip the selection of the backlog")
	if err := cli.Parse(fs, app.EnvPrefix, os.Args[1:]); err != nil {
		cli.Fail("bench", err)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	fmt.Printf("bench: starting the Temporal dev server (%s)\n", o.temporalCLI)
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{ExistingPath: o.temporalCLI, LogLevel: "error",
		ClientOptions: &client.Options{Logger: quiet}, Stdout: io.Discard, Stderr: io.Discard,
		SearchAttributes: workflows.DevServerSearchAttributes()})
	if err != nil {
		return fmt.Errorf("dev server: %w", err)
	}
	defer srv.Stop()
	b := &bench{o: o, tc: srv.Client(), addr: srv.FrontendHostPort(), log: quiet}
	var res results
	if !o.skipSmall {
		if err := b.small(ctx, &res); err != nil {
			return fmt.Errorf("small invoices: %w", err)
		}
	}
	if !o.skipSmall && !o.skipPlain {
		if err := b.plain(ctx, &res); err != nil {
			return fmt.Errorf("plain loop: %w", err)
		}
	}
	if !o.skipLarge {
		for _, policy := range o.policies {
			if err := b.large(ctx, policy, &res); err != nil {
				return fmt.Errorf("large invoice under %s: %w", policy, err)
			}
		}
	}
	if !o.skipSelect {
		if err := b.selection(ctx, &res); err != nil {
			return fmt.Errorf("selection of %d invoices: %w", o.selectInvoices, err)
		}
	}
	table := res.table(o)
	fmt.Println()
	fmt.Println(table)
	if o.docOut != "" {
		return writeDoc(o.docOut, table)
	}
	return nil
}

type bench struct {
	o    options
	tc   client.Client
	addr string
	log  *slog.Logger
	seq  int
}

// env is one scenario's sandbox and worker processes.
type env struct {
	sb      *sandbox.Sandbox
	cfg     sandbox.Config
	queue   string
	workers []*exec.Cmd
	metrics []string
	dir     string
}

func (b *bench) newEnv(spec string, nsWrite time.Duration) (*env, error) {
	e, _, err := b.newEnvFixture(spec, nsWrite)
	return e, err
}

// newEnvFixture starts a sandbox on the generated tenant spec at the bench's
// latencies: NetSuite reads uniform in [readMin, readMax], writes nsWrite,
// C requests in flight; Zuora zuoraL per call, the Big Process limit at its
// default (20) with a lower Retry-After. It returns the fixture too.
func (b *bench) newEnvFixture(spec string, nsWrite time.Duration) (*env, *fixture.Fixture, error) {
	b.seq++
	dir, err := os.MkdirTemp("", "connector-bench-")
	if err != nil {
		return nil, nil, err
	}
	cfg := sandbox.DefaultConfig()
	cfg.ZuoraAddr, cfg.NetSuiteAddr, cfg.DataDir, cfg.Logger = "127.0.0.1:0", "127.0.0.1:0", filepath.Join(dir, "sandbox"), b.log
	// NetSuite's and Zuora's costs are the latencies set below; the sandbox
	// writing each changed record through to its file is the test double's
	// own cost (a 5,000-line invoice re-encoded on each batch), kept out.
	cfg.InMemory = true
	cfg.NetSuiteFaults = sandbox.Faults{Concurrency: b.o.c, WriteLatency: sandbox.Duration(nsWrite),
		ReadLatency: sandbox.Duration(b.o.readMin), ReadLatencyMax: sandbox.Duration(b.o.readMax)}
	cfg.ZuoraFaults = sandbox.Faults{ReadLatency: sandbox.Duration(b.o.zuoraL), WriteLatency: sandbox.Duration(b.o.zuoraL),
		ZuoraLimits: sandbox.ZuoraLimits{BigProcessRetryAfter: sandbox.Duration(b.o.bigProcessRetryAfter)}}
	sb, err := sandbox.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	f, err := fixture.Generate(spec)
	if err != nil {
		return nil, nil, err
	}
	if err := sb.Load(f); err != nil {
		return nil, nil, err
	}
	if err := sb.Start(); err != nil {
		return nil, nil, err
	}
	return &env{sb: sb, cfg: cfg, queue: fmt.Sprintf("bench-%d-%d", os.Getpid(), b.seq), dir: dir}, f, nil
}

// startWorkers runs n worker processes on this env's task queue, sharing the
// NetSuite account's C (each takes C/n); their RSS is measured.
func (b *bench) startWorkers(e *env, n int) error {
	for range n {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		w := exec.Command(b.o.workerBin, "--temporal-address", b.addr, "--task-queue", e.queue, "--http-addr", addr,
			"--zuora-url", e.sb.ZuoraURL(), "--netsuite-url", e.sb.NetSuiteURL(),
			"--netsuite-concurrency", fmt.Sprint(b.o.c), "--netsuite-workers", fmt.Sprint(n),
			"--max-concurrent-activities", fmt.Sprint(max(b.o.window, 20)), "--log-level", "error")
		w.Stderr = os.Stderr
		if err := w.Start(); err != nil {
			return fmt.Errorf("starting %s (run make build): %w", b.o.workerBin, err)
		}
		e.workers = append(e.workers, w)
		e.metrics = append(e.metrics, "http://"+addr+"/metrics")
		if err := waitHTTP("http://" + addr + "/healthz"); err != nil {
			return err
		}
	}
	return nil
}

// measureWorkers adds the workers' heartbeats and their highest peak RSS.
func (e *env) measureWorkers(s *scenario) error {
	for i, w := range e.workers {
		hb, err := heartbeats(e.metrics[i])
		if err != nil {
			return err
		}
		s.heartbeats += hb
		s.rss = max(s.rss, peakRSS(w.Process.Pid))
	}
	s.workers = len(e.workers)
	s.peakInFlight = e.sb.Stats("netsuite").PeakInFlight
	s.overLimit = e.sb.Stats("netsuite").Faults["concurrency"]
	return nil
}

func (e *env) close() {
	for _, w := range e.workers {
		if w.Process != nil {
			_ = w.Process.Kill()
			_ = w.Wait()
		}
	}
	_ = e.sb.Close()
	_ = os.RemoveAll(e.dir)
}

func (b *bench) settings() settings.Settings {
	s := settings.Default()
	s.Run.Window = b.o.window
	return s
}

// runSync runs one SyncRunWorkflow (invoices only) and waits for it,
// sending progress queries as starter sync --wait does (or every queryEvery);
// queries are billable actions on Temporal Cloud, so they are counted.
func (b *bench) runSync(ctx context.Context, e *env, id string, s settings.Settings) (workflows.SyncRunResult, time.Duration, int, error) {
	start := time.Now()
	run, err := b.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: e.queue}, workflows.SyncRunWorkflow,
		workflows.SyncRunInput{Settings: s, Only: []string{workflows.PhaseInvoices}})
	if err != nil {
		return workflows.SyncRunResult{}, 0, 0, err
	}
	queries := 0
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if b.o.queryEvery < 0 {
			return
		}
		every := func() time.Duration {
			if b.o.queryEvery > 0 {
				return b.o.queryEvery
			}
			return workflows.ProgressPollInterval(time.Since(start))
		}
		tick := time.NewTimer(every())
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				tick.Reset(every())
				if v, err := b.tc.QueryWorkflow(ctx, id, "", workflows.QueryProgress); err == nil {
					var p workflows.SyncRunStatus
					_ = v.Get(&p)
					queries++
				}
			}
		}
	}()
	var res workflows.SyncRunResult
	err = run.Get(ctx, &res)
	close(stop)
	<-done
	return res, time.Since(start), queries, err
}

func (b *bench) small(ctx context.Context, r *results) error {
	spec := fmt.Sprintf("seed=5,accounts=50,invoices=%d,items=1-50,tax=0.3,negative=0.1", b.o.smallInvoices)
	fmt.Printf("bench: small invoices: %s, C=%d, L=%s, Zuora %s per call, window %d\n", spec, b.o.c, b.o.writeL, b.o.zuoraL, b.o.window)
	e, err := b.newEnv(spec, b.o.writeL)
	if err != nil {
		return err
	}
	defer e.close()
	if err := b.startWorkers(e, b.o.workers); err != nil {
		return err
	}
	res, wall, queries, err := b.runSync(ctx, e, "bench-small", b.settings())
	if err != nil {
		return err
	}
	r.small = scenario{records: res.Progress.Invoices.Synced, errored: res.Progress.Invoices.Errored, wall: wall,
		writes: netsuiteWrites(e.sb.Stats("netsuite")), queries: queries}
	r.small.nsReads, r.small.nsWrites = netsuiteRequests(e.sb.Stats("netsuite"))
	r.small.zuoraCalls, _ = zuoraCalls(e.sb.Stats("zuora"))
	printPerRecord("small: NetSuite requests per invoice", e.sb.Stats("netsuite"), r.small.records)
	printPerRecord("small: Zuora calls per invoice", e.sb.Stats("zuora"), r.small.records)
	if r.small.hist, err = b.histories(ctx, e.queue); err != nil {
		return err
	}
	if err := e.measureWorkers(&r.small); err != nil {
		return err
	}
	fmt.Printf("bench: small: %d synced in %s\n", r.small.records, wall.Round(time.Millisecond))
	return nil
}

// plain syncs the same small tenant with the same activities and clients,
// window goroutines and no Temporal.
func (b *bench) plain(ctx context.Context, r *results) error {
	spec := fmt.Sprintf("seed=5,accounts=50,invoices=%d,items=1-50,tax=0.3,negative=0.1", b.o.smallInvoices)
	fmt.Printf("bench: plain loop over the same tenant, %d goroutines\n", b.o.window)
	e, err := b.newEnv(spec, b.o.writeL)
	if err != nil {
		return err
	}
	defer e.close()
	apis := app.APIConfig{ZuoraURL: e.sb.ZuoraURL(), ZuoraClientID: e.cfg.Zuora.ClientID, ZuoraClientSecret: e.cfg.Zuora.ClientSecret,
		NetSuiteURL: e.sb.NetSuiteURL(), NetSuiteAccount: e.cfg.NetSuite.Account, ConsumerKey: e.cfg.NetSuite.ConsumerKey,
		ConsumerSecret: e.cfg.NetSuite.ConsumerSecret, TokenID: e.cfg.NetSuite.TokenID, TokenSecret: e.cfg.NetSuite.TokenSecret,
		// The same total the Temporal workers share: C/n each, n of them.
		NetSuiteConcurrency: b.o.c / b.o.workers * b.o.workers, HTTPTimeout: time.Minute}
	z, err := apis.NewZuora(b.log, nil)
	if err != nil {
		return err
	}
	ns, err := apis.NewNetSuite(b.log, nil)
	if err != nil {
		return err
	}
	acts := &activities.Activities{Zuora: z, NetSuite: ns, Logger: b.log}
	s := b.settings()
	start := time.Now()
	ids := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	synced, errs := 0, []error{}
	for range b.o.window {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				state := workflows.InvoiceSyncState{}
				for {
					step, err := acts.SyncInvoice(ctx, workflows.SyncInvoiceInput{InvoiceID: id, Settings: s, State: state})
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						break
					}
					if step.Outcome != "" {
						if step.Outcome == workflows.OutcomeSynced {
							mu.Lock()
							synced++
							mu.Unlock()
						}
						break
					}
					state = step.State
				}
			}
		}()
	}
	after := ""
	for {
		page, err := acts.SelectInvoices(ctx, workflows.SelectInput{Settings: s, AfterID: after, Limit: 500})
		if err != nil {
			close(ids)
			wg.Wait()
			return err
		}
		for _, rec := range page.Records {
			ids <- rec.ID
			after = rec.ID
		}
		if page.Done || len(page.Records) == 0 {
			break
		}
	}
	close(ids)
	wg.Wait()
	r.plain = scenario{records: synced, wall: time.Since(start), writes: netsuiteWrites(e.sb.Stats("netsuite"))}
	fmt.Printf("bench: plain: %d synced in %s (%d errors)\n", synced, r.plain.wall.Round(time.Millisecond), len(errs))
	if len(errs) > 0 {
		return errors.Join(errs[0], fmt.Errorf("%d invoices failed in the plain loop", len(errs)))
	}
	return nil
}

// printPerRecord prints an API's requests by endpoint and status, per
// record synced (on stdout, not in the doc: what the totals are made of).
func printPerRecord(title string, s sandbox.Stats, records int) {
	keys := make([]string, 0, len(s.Requests))
	for k := range s.Requests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("bench: %s:\n", title)
	for _, k := range keys {
		fmt.Printf("  %-60s %8d  %.3f\n", k, s.Requests[k], float64(s.Requests[k])/float64(max(records, 1)))
	}
}

func writeDoc(path, table string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	const begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
	s := string(data)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s ... %s markers", path, begin, end)
	}
	s = s[:i+len(begin)] + "\n" + table + "\n" + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
