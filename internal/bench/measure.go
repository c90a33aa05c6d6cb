package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/settings"
)

// histStats sums the histories of every workflow run on a task queue.
type histStats struct {
	runs, events, maxEvents, continuedAsNew int
	actions                                 int // billable actions visible in history
	workflows                               map[string]bool
}

// histories reads every run on the queue and counts events and Temporal
// Cloud billable actions: workflow starts (child starts included; a run
// started by continue-as-new is counted as its continue-as-new instead),
// continue-as-new, activity attempts, timers, signals sent and received,
// search attribute upserts, markers (local activities, side effects).
// Heartbeats and queries do not appear in history: heartbeats are counted at
// the worker (connector_temporal_rpcs_total); the bench sends no query.
func (b *bench) histories(ctx context.Context, queue string) (histStats, error) {
	h := histStats{workflows: map[string]bool{}}
	var token []byte
	for {
		resp, err := b.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("TaskQueue = '%s'", queue), NextPageToken: token, PageSize: 1000})
		if err != nil {
			return h, err
		}
		for _, ex := range resp.Executions {
			h.runs++
			h.workflows[ex.Execution.WorkflowId] = true
			n, err := b.countHistory(ctx, ex.Execution.WorkflowId, ex.Execution.RunId, &h)
			if err != nil {
				return h, err
			}
			h.events += n
			h.maxEvents = max(h.maxEvents, n)
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return h, nil
		}
	}
}

func (b *bench) countHistory(ctx context.Context, id, runID string, h *histStats) (int, error) {
	it := b.tc.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return n, fmt.Errorf("history of %s: %w", id, err)
		}
		n++
		h.actions += actionsOf(ev)
		if ev.EventType == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW {
			h.continuedAsNew++
		}
	}
	return n, nil
}

func actionsOf(ev *historypb.HistoryEvent) int {
	switch ev.EventType {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
		if ev.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId() != "" {
			return 0
		}
		return 1
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
		enumspb.EVENT_TYPE_TIMER_STARTED,
		enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
		enumspb.EVENT_TYPE_MARKER_RECORDED:
		return 1
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		return int(max(ev.GetActivityTaskStartedEventAttributes().GetAttempt(), 1))
	}
	return 0
}

// heartbeats reads the worker's count of heartbeat calls that reached Temporal.
func heartbeats(metricsURL string) (int, error) {
	resp, err := http.Get(metricsURL)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	total := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "connector_temporal_rpcs_total{") && strings.Contains(line, "RecordActivityTaskHeartbeat") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			total += int(v)
		}
	}
	return total, sc.Err()
}

// netsuiteWrites counts record writes NetSuite accepted.
func netsuiteWrites(s sandbox.Stats) int {
	n := 0
	for k, v := range s.Requests {
		if strings.Contains(k, "/record/") && strings.HasSuffix(k, " 204") && !strings.HasPrefix(k, "GET") {
			n += int(v)
		}
	}
	return n
}

// peakRSS is the process's high-water resident set (VmHWM), in MiB.
func peakRSS(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitHTTP(url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within 30 s", url)
}

type scenario struct {
	records, errored, writes, heartbeats, workers int
	queries                                       int // progress queries sent while the run went
	nsReads, nsWrites                             int // every NetSuite request, as the sandbox counted it
	zuoraCalls, zoqlCalls                         int
	wall                                          time.Duration
	hist                                          histStats
	rss                                           float64
	peakInFlight, overLimit                       int64 // NetSuite, as the sandbox saw them
}

// actions: billable actions of the scenario (history, heartbeats, queries).
func (s scenario) actions() int { return s.hist.actions + s.heartbeats + s.queries }

type results struct {
	small, plain scenario
	large        []largeRun
	selection    selectionRun
}

func mark(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// smallRows: the small-invoice scenario and the plain loop.
func (r results) smallRows(b *strings.Builder, o options) {
	s := r.small
	n := float64(max(s.records, 1))
	meanRead := (o.readMin + o.readMax) / 2
	readsPer, writesPer := float64(s.nsReads)/n, float64(s.nsWrites)/n
	// Each request holds one of the account's C slots for its latency, so an
	// invoice costs readsPer·R̄ + writesPer·L slot-seconds: the ceiling is C
	// over that. The one-write minimum is C/L.
	slotSeconds := readsPer*meanRead.Seconds() + writesPer*o.writeL.Seconds()
	ceiling := float64(o.c) / slotSeconds
	oneWrite := float64(o.c) / o.writeL.Seconds()
	rate := float64(s.records) / s.wall.Seconds()
	fmt.Fprintf(b, "| small: invoices synced (errors) | %d (%d) in %s | | |\n", s.records, s.errored, s.wall.Round(time.Millisecond))
	fmt.Fprintf(b, "| small: NetSuite requests per invoice | %.2f = %.2f reads (R̄ = %s) + %.2f writes (L = %s); one-write minimum 1 | | |\n",
		readsPer+writesPer, readsPer, meanRead, writesPer, o.writeL)
	fmt.Fprintf(b, "| small: ceiling C / (reads·R̄ + writes·L) | %d / %.3f s = %.2f/s (%.0f%% of the one-write minimum's C/L = %.1f/s) | | |\n",
		o.c, slotSeconds, ceiling, 100*ceiling/oneWrite, oneWrite)
	fmt.Fprintf(b, "| small: invoices/s vs that ceiling | %.2f/s = **%.0f%%** (%.0f%% of C/L) | ≥ 85%% | %s |\n",
		rate, 100*rate/ceiling, 100*rate/oneWrite, mark(rate/ceiling >= 0.85))
	if r.plain.records > 0 {
		plainRate := float64(r.plain.records) / r.plain.wall.Seconds()
		fmt.Fprintf(b, "| small: Temporal / plain loop | %.2f/s ÷ %.2f/s = **%.2f** | ≥ 0.9 | %s |\n", rate, plainRate, rate/plainRate, mark(rate/plainRate >= 0.9))
	}
	perInvoice := float64(s.actions()) / n
	fmt.Fprintf(b, "| small: billable actions per invoice | %.2f (%d in history + %d heartbeats + %d progress queries, %d invoices) | ≤ 3 | %s |\n",
		perInvoice, s.hist.actions, s.heartbeats, s.queries, s.records, mark(perInvoice <= 3))
	fmt.Fprintf(b, "| small: %d workers sharing C = %d: peak NetSuite requests in flight | %d (%d refused over the limit) | ≤ %d | %s |\n",
		s.workers, o.c, s.peakInFlight, s.overLimit, o.c, mark(s.peakInFlight <= int64(o.c) && s.overLimit == 0))
	fmt.Fprintf(b, "| small: Zuora calls per invoice | %.2f | | |\n", float64(s.zuoraCalls)/n)
	fmt.Fprintf(b, "| small: history events per invoice | %.1f (%d runs, longest %d) | | |\n", float64(s.hist.events)/n, s.hist.runs, s.hist.maxEvents)
}

// table renders the run as markdown, each target marked met or not.
func (r results) table(o options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run %s on %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), hostInfo())
	fmt.Fprintf(&b, "| measure | value | target | |\n|---|---|---|---|\n")
	s := r.small
	if s.records > 0 {
		r.smallRows(&b, o)
	}
	rss := s.rss
	for _, l := range r.large {
		p := l.policy
		lim := l.limit(o)
		per100 := float64(l.actions()) / (float64(l.items) / 100)
		fmt.Fprintf(&b, "| large, %s: %d items + %d tax lines = %d lines, ceiling %d | %d synced (%d errors) in %s | | |\n",
			p, l.items, l.taxItems, l.lines, o.lineCeiling, l.records, l.errored, l.wall.Round(time.Millisecond))
		fmt.Fprintf(&b, "| large, %s: Zuora calls | %d (%d ZOQL; %d needed at %d rows a call) | | |\n",
			p, l.zuoraCalls, l.zoqlCalls, l.zuoraReadsNeeded(), zoqlPage)
		fmt.Fprintf(&b, "| large, %s: NetSuite writes | %d record writes accepted, %d write requests, %d reads (%d writes needed at the ceiling) | | |\n",
			p, l.writes, l.nsWrites, l.nsReads, l.netsuiteWritesNeeded(o.lineCeiling))
		// The writes the connector makes, one per batch of run.batchSize
		// (≤ 100) items with their tax lines, for comparison: the limit its
		// own batching sets.
		batch := settings.Default().Run.BatchSize
		batched := time.Duration(l.zuoraReadsNeeded())*o.zuoraL + time.Duration(ceilDiv(l.items, batch))*o.largeL
		if p != settings.OverCeilingSplit && l.lines > o.lineCeiling {
			batched = lim
		}
		// split writes its parts at once (activities/invoice_split_write.go:
		// C writers on one worker, at most one per part), so the limit its
		// batches reach is the batches spread over those writers.
		parallel := ""
		if p == settings.OverCeilingSplit {
			w := max(min(o.c, l.netsuiteWritesNeeded(o.lineCeiling)), 1)
			conc := time.Duration(l.zuoraReadsNeeded())*o.zuoraL + time.Duration(ceilDiv(ceilDiv(l.items, batch), w))*o.largeL
			parallel = fmt.Sprintf("; %.1f× of %s, at %d items a write by %d writers at once", l.wall.Seconds()/conc.Seconds(), conc.Round(100*time.Millisecond), batch, w)
		}
		fmt.Fprintf(&b, "| large, %s: wall vs physical limit %d×%s + %d×%s = %s | **%.1f×** (%.1f× of %s, the limit at %d items a write, one at a time%s) | ≤ 1.5× | %s |\n",
			p, l.zuoraReadsNeeded(), o.zuoraL, l.netsuiteWritesNeeded(o.lineCeiling), o.largeL, lim,
			l.wall.Seconds()/lim.Seconds(), l.wall.Seconds()/batched.Seconds(), batched.Round(100*time.Millisecond), batch, parallel,
			mark(l.records == 1 && l.wall.Seconds() <= 1.5*lim.Seconds()))
		// The starter's progress queries grow with the wall time, not the
		// work: shown apart so a slow run's cost is not read as the sync's.
		noQueries := float64(l.actions()-l.queries) / (float64(l.items) / 100)
		fmt.Fprintf(&b, "| large, %s: billable actions per 100 items | %.3f (%d in history + %d heartbeats + %d progress queries; %.3f without the queries) | ≤ 0.25 | %s |\n",
			p, per100, l.hist.actions, l.heartbeats, l.queries, noQueries, mark(per100 <= 0.25))
		fmt.Fprintf(&b, "| large, %s: history events, longest run | %d (%d runs, %d continue-as-new) | ≤ 10,240 | %s |\n",
			p, l.hist.maxEvents, l.hist.runs, l.hist.continuedAsNew, mark(l.hist.maxEvents <= 10240))
		fmt.Fprintf(&b, "| large, %s: worker peak RSS (VmHWM) | %.0f MiB | < 150 MiB | %s |\n", p, l.rss, mark(l.rss < 150))
		rss = max(rss, l.rss)
	}
	if sel := r.selection; sel.backlog > 0 {
		limit := 2 * sel.backlog / zoqlPage
		fmt.Fprintf(&b, "| selection: Zuora calls for a backlog of %d invoices | %d (%d selected in %d pages of the run's size, %s) | ≤ 2·N/2,000 = %d | %s |\n",
			sel.backlog, sel.zuoraCalls, sel.selected, sel.pages, sel.wall.Round(time.Millisecond), limit, mark(sel.zuoraCalls <= limit && sel.selected > 0))
	}
	fmt.Fprintf(&b, "| worker peak RSS (VmHWM), all scenarios | %.0f MiB (small %.0f) | < 150 MiB | %s |\n", rss, s.rss, mark(rss < 150))
	return b.String()
}

func hostInfo() string {
	cpus := 0
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		cpus = strings.Count(string(data), "processor\t:")
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := strings.Fields(strings.SplitN(string(data), "\n", 2)[0]); len(f) >= 2 {
			kb, _ := strconv.Atoi(f[1])
			mem = fmt.Sprintf("%.0f GiB", float64(kb)/1024/1024)
		}
	}
	return fmt.Sprintf("%d CPUs, %s RAM", cpus, mem)
}
