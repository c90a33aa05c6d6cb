package itest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

// The production shape under failure: a generated tenant synced on the
// Temporal server on PostgreSQL (make cluster's) by two worker processes on
// separate state dirs sharing the PostgreSQL state store, with payload
// encryption on. Mid-run one worker is SIGKILLed, a third worker joins, the
// Temporal server process is SIGKILLed and restarted, and a worker is
// stopped (scale-down). Afterwards the chaos suite's invariants hold, read
// through the two APIs: each record in NetSuite once with Zuora's lines and
// totals to the cent or Error with a reason, nothing stuck or lost, no
// credential in any history (decoded) or worker log. And NetSuite never saw
// more requests in flight than the account's limit, which the workers share
// through PostgreSQL leases whatever their number.
func TestCluster_TwoWorkersSyncThroughWorkerKillAndServerRestart(t *testing.T) {
	const limit = 5
	spec := "seed=1501,accounts=10,invoices=120,items=1-12,negative=0.1,tax=0.5,broken=2,adjustments=20"
	f, err := fixture.Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	// NetSuite answers slowly enough for requests to overlap, and refuses
	// (429, counted) any request beyond the account's limit.
	nf := sandbox.Faults{Concurrency: limit, ReadLatency: sandbox.Duration(30 * time.Millisecond), WriteLatency: sandbox.Duration(120 * time.Millisecond)}
	w := NewClusterWorld(t, f, nf, limit)
	e := w.Env
	start := time.Now()
	w.StartWorker("a")
	w.StartWorker("b")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	s := settings.Default()
	eligible := eligibleInvoices(f, s)
	adjustments := eligibleAdjustments(f)
	const runID = "cluster-run"
	if _, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: runID, TaskQueue: e.TaskQueue},
		workflows.SyncRunWorkflow, workflows.SyncRunInput{Settings: s, Only: []string{workflows.PhaseInvoices, workflows.PhaseAdjustments}}); err != nil {
		t.Fatal(err)
	}
	events := []struct {
		at   float64
		name string
		do   func()
	}{
		{0.15, "worker a SIGKILL", func() { w.KillWorker("a") }},
		{0.25, "worker c joins", func() { w.StartWorker("c") }},
		{0.40, "Temporal server SIGKILL+restart", func() { w.RestartTemporal(time.Second) }},
		{0.55, "worker b stopped (scale-down)", func() { w.StopWorker("b") }},
		{0.65, "worker d joins", func() { w.StartWorker("d") }},
	}
	runDone := make(chan error, 1)
	var res workflows.SyncRunResult
	go func() { runDone <- waitRun(ctx, e.Temporal, runID, &res) }()
	next := 0
	var runErr error
wait:
	for {
		select {
		case runErr = <-runDone:
			break wait
		case <-time.After(500 * time.Millisecond):
		}
		if next < len(events) {
			if synced, ok := syncedShare(ctx, e, eligible, adjustments); ok && synced >= events[next].at {
				t.Logf("%s at %.0f%% synced (%s)", events[next].name, synced*100, time.Since(start).Round(time.Second))
				events[next].do()
				next++
			}
		}
		if name, out := w.WorkerExited(); name != "" {
			t.Fatalf("worker %s exited by itself:\n%s", name, tail(out, 4000))
		}
	}
	elapsed := time.Since(start)
	if runErr != nil {
		t.Errorf("run failed: %v\nworker log tail:\n%s", runErr, tail(w.WorkerLogs(), 4000))
	}
	if next < len(events) {
		t.Errorf("the run finished before %d of %d events (next: %s)", len(events)-next, len(events), events[next].name)
	}

	ctx, cancelCheck := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancelCheck()
	stats := e.Sandbox.Stats("netsuite")
	figs := []Figures{InvoiceCheck{Eligible: eligible}.Check(ctx, e), AdjustmentCheck{Eligible: adjustments}.Check(ctx, e)}
	for _, fig := range figs {
		if fig.Duplicates+fig.Stuck+fig.Lost+fig.Mismatched != 0 {
			t.Errorf("%s", fig)
		}
	}
	if figs[0].Errored != 2 || figs[0].Synced != len(eligible)-2 {
		t.Errorf("want every clean invoice synced and the 2 broken ones Error: %s", figs[0])
	}
	if figs[1].Synced != figs[1].Eligible || figs[1].Eligible == 0 {
		t.Errorf("want every adjustment synced: %s", figs[1])
	}
	if inv := res.Progress.Invoices; inv.Synced+inv.Skipped != figs[0].Synced || inv.Errored != figs[0].Errored {
		t.Errorf("the run reports %+v, the books say %s", inv, figs[0])
	}

	// NetSuite's account-wide limit held across the workers that came and went.
	if stats.PeakInFlight > limit || stats.Faults["concurrency"] > 0 {
		t.Errorf("NetSuite saw %d requests in flight at peak (limit %d) and refused %d over the limit",
			stats.PeakInFlight, limit, stats.Faults["concurrency"])
	}

	// No credential in any history, decoded or not, nor in any worker log.
	secrets := w.Secrets()
	var needles []sensitiveString
	for name, v := range secrets {
		needles = append(needles, sensitiveString{kind: name, value: v})
	}
	histories := e.RunHistories(ctx)
	scan := scanHistories(histories, needles, w.Codec)
	for _, p := range append(scan.plainText, scan.problems...) {
		t.Error(p)
	}
	for kind, n := range scan.decodedKinds {
		t.Errorf("%d decoded payloads hold %s", n, kind)
	}
	if len(scan.unencrypted) > 0 {
		t.Errorf("%d payloads are not encrypted, e.g. %s", len(scan.unencrypted), scan.unencrypted[0])
	}
	logs := w.WorkerLogs()
	for name, v := range secrets {
		if strings.Contains(logs, v) {
			t.Errorf("a worker log contains %s", name)
		}
	}
	for name, re := range credentialShapes {
		if m := re.FindString(logs); m != "" {
			t.Errorf("a worker log contains %s: %.40s…", name, m)
		}
	}
	report := fmt.Sprintf("=== cluster tier: %s in %s\n  events: %v\n  records %s\n  records %s\n  run result: invoices %+v, adjustments %+v\n"+
		"  NetSuite: %d requests, peak in flight %d (limit %d), over-limit refusals %d\n  security: %d secrets searched in %d runs (%d events, %d payloads decoded) and %d bytes of worker log\n",
		spec, elapsed.Round(time.Second), w.Events, figs[0], figs[1], res.Progress.Invoices, res.Progress.Adjustments,
		sum(stats.Requests), stats.PeakInFlight, limit, stats.Faults["concurrency"], len(secrets), scan.runs, scan.events, scan.payloads, len(logs))
	fmt.Print(report)
	t.Log(report)
	if path := os.Getenv("CONNECTOR_CLUSTER_REPORT"); path != "" {
		_ = os.WriteFile(path, []byte(report), 0o644)
	}
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// waitRun waits for a workflow to close, riding out server restarts.
func waitRun(ctx context.Context, tc client.Client, id string, out any) error {
	for {
		err := tc.GetWorkflow(ctx, id, "").Get(ctx, out)
		if err == nil || ctx.Err() != nil {
			return err
		}
		if !isUnavailable(err) {
			return err
		}
		time.Sleep(time.Second)
	}
}

func isUnavailable(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Unavailable") || strings.Contains(msg, "connection refused") ||
		strings.Contains(msg, "context deadline exceeded") || strings.Contains(msg, "EOF") || strings.Contains(msg, "transport")
}
