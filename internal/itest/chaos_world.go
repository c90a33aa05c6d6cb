package itest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/workflows"
)

// ChaosWorld is what the chaos suite breaks on purpose: a file-backed
// Temporal dev server run as a process (so it can be killed and restarted
// with its history intact), the sandbox with a data dir that survives its
// restart, and the worker as a real process killed with SIGKILL.
type ChaosWorld struct {
	T   testing.TB
	Env *Env // clients and checks; Env.Sandbox follows restarts

	dir          string
	temporalArgs []string
	temporal     *Process
	TemporalAddr string

	sbCfg sandbox.Config

	workerArgs []string
	worker     *Process
	// WorkerLogs is the output of every worker process, killed ones included.
	workerLogs []string
	tokens     []string // Zuora tokens minted by sandboxes since restarted

	mu       sync.Mutex
	injected map[string]map[string]int64 // api -> kind -> count, across sandbox restarts
	Events   map[string]int              // what the chaos driver did
}

// NewChaosWorld starts the dev server (file-backed), the sandbox loaded with
// f and one worker process on a task queue of its own.
func NewChaosWorld(t testing.TB, f *fixture.Fixture, zf, nf sandbox.Faults) *ChaosWorld {
	t.Helper()
	Require(t)
	w := &ChaosWorld{T: t, dir: t.TempDir(), injected: map[string]map[string]int64{}, Events: map[string]int{}}

	w.TemporalAddr = FreeAddr(t)
	_, port, _ := strings.Cut(w.TemporalAddr, ":")
	_, httpPort, _ := strings.Cut(FreeAddr(t), ":")
	_, metricsPort, _ := strings.Cut(FreeAddr(t), ":")
	w.temporalArgs = []string{"server", "start-dev", "--db-filename", filepath.Join(w.dir, "temporal.db"),
		"--ip", "127.0.0.1", "--port", port, "--http-port", httpPort, "--metrics-port", metricsPort,
		"--headless", "--log-level", "error"}
	for _, name := range workflows.SearchAttributeNames {
		w.temporalArgs = append(w.temporalArgs, "--search-attribute", name+"=Keyword")
	}
	w.temporal = StartProcess(t, TemporalCLI(), w.temporalArgs)
	WaitTCP(t, w.TemporalAddr, 2*time.Minute)
	tc, err := dialRetry(w.TemporalAddr, 2*time.Minute)
	if err != nil {
		t.Fatalf("dialing the dev server: %v\n%s", err, w.temporal.Output())
	}
	t.Cleanup(tc.Close)

	cfg := sandbox.DefaultConfig()
	cfg.ZuoraAddr, cfg.NetSuiteAddr = FreeAddr(t), FreeAddr(t)
	cfg.DataDir = filepath.Join(w.dir, "sandbox")
	cfg.Logger = quietLogger()
	cfg.ZuoraFaults, cfg.NetSuiteFaults = zf, nf
	w.sbCfg = cfg
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	if err := sb.Load(f); err != nil {
		t.Fatalf("sandbox: loading fixture: %v", err)
	}
	if err := sb.Start(); err != nil {
		t.Fatalf("sandbox: %v", err)
	}

	z, ns := sandboxClients(t, sb, cfg)
	w.Env = &Env{T: t, Temporal: tc, TaskQueue: fmt.Sprintf("chaos-%d-%d", os.Getpid(), queueSeq.Add(1)),
		Sandbox: sb, Zuora: z, NetSuite: ns, Acts: &activities.Activities{Zuora: z, NetSuite: ns, Logger: quietLogger()}}
	t.Cleanup(func() { _ = w.Env.Sandbox.Close() })

	// The worker's credential defaults are the sandbox's (docs/sandbox.md).
	w.workerArgs = []string{"--temporal-address", w.TemporalAddr, "--task-queue", w.Env.TaskQueue, "--http-addr", FreeAddr(t),
		"--zuora-url", sb.ZuoraURL(), "--netsuite-url", sb.NetSuiteURL(), "--log-level", "info"}
	w.worker = StartProcess(t, Binaries(t)+"/worker", w.workerArgs)
	return w
}

func dialRetry(addr string, within time.Duration) (client.Client, error) {
	deadline := time.Now().Add(within)
	for {
		c, err := client.Dial(client.Options{HostPort: addr, Logger: quietLogger()})
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// KillWorker crashes the worker (SIGKILL) and starts a new one after pause.
func (w *ChaosWorld) KillWorker(pause time.Duration) {
	w.T.Helper()
	w.worker.Kill()
	w.mu.Lock()
	w.workerLogs = append(w.workerLogs, w.worker.Output())
	w.Events["worker SIGKILL"]++
	w.mu.Unlock()
	time.Sleep(pause)
	w.worker = StartProcess(w.T, Binaries(w.T)+"/worker", w.workerArgs)
}

// WorkerExited reports a worker that ended by itself (a bug, not chaos).
func (w *ChaosWorld) WorkerExited() (bool, string) { return w.worker.Exited(), w.worker.Output() }

// WorkerLogs is everything every worker process printed.
func (w *ChaosWorld) WorkerLogs() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(append(append([]string{}, w.workerLogs...), w.worker.Output()), "\n")
}

// RestartTemporal crashes the dev server (SIGKILL) and starts it again on
// the same database file and ports: history, timers and task queues survive.
func (w *ChaosWorld) RestartTemporal(pause time.Duration) {
	w.T.Helper()
	w.temporal.Kill()
	w.mu.Lock()
	w.Events["dev server SIGKILL+restart"]++
	w.mu.Unlock()
	time.Sleep(pause)
	w.temporal = StartProcess(w.T, TemporalCLI(), w.temporalArgs)
	WaitTCP(w.T, w.TemporalAddr, 2*time.Minute)
}

// RestartSandbox stops both emulators and starts them again on the same
// addresses and data dir; fault counts carry over, OAuth tokens do not.
func (w *ChaosWorld) RestartSandbox(pause time.Duration) {
	w.T.Helper()
	old := w.Env.Sandbox
	w.addInjected(old)
	w.mu.Lock()
	w.tokens = append(w.tokens, old.IssuedTokens("zuora")...)
	w.mu.Unlock()
	cfg := w.sbCfg
	cfg.ZuoraFaults, cfg.NetSuiteFaults = old.Faults("zuora"), old.Faults("netsuite")
	_ = old.Close()
	time.Sleep(pause)
	sb, err := sandbox.New(cfg)
	if err != nil {
		w.T.Fatalf("sandbox restart: %v", err)
	}
	if sb.Empty() {
		w.T.Fatal("sandbox restart: the data dir came back empty")
	}
	if err := sb.Start(); err != nil {
		w.T.Fatalf("sandbox restart: %v", err)
	}
	w.mu.Lock()
	w.Env.Sandbox = sb
	w.Events["sandbox restart"]++
	w.mu.Unlock()
}

func (w *ChaosWorld) addInjected(sb *sandbox.Sandbox) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, api := range []string{"zuora", "netsuite"} {
		if w.injected[api] == nil {
			w.injected[api] = map[string]int64{}
		}
		for k, v := range sb.Stats(api).Faults {
			w.injected[api][k] += v
		}
	}
}

// Injected is every fault injected so far, by API and kind.
func (w *ChaosWorld) Injected() map[string]map[string]int64 {
	w.mu.Lock()
	out := map[string]map[string]int64{}
	for api, m := range w.injected {
		out[api] = map[string]int64{}
		for k, v := range m {
			out[api][k] = v
		}
	}
	sb := w.Env.Sandbox
	w.mu.Unlock()
	for _, api := range []string{"zuora", "netsuite"} {
		if out[api] == nil {
			out[api] = map[string]int64{}
		}
		for k, v := range sb.Stats(api).Faults {
			out[api][k] += v
		}
	}
	return out
}

// SetFaults changes one API's faults on the running sandbox.
func (w *ChaosWorld) SetFaults(api string, f sandbox.Faults) {
	w.mu.Lock()
	sb := w.Env.Sandbox
	w.mu.Unlock()
	if err := sb.SetFaults(api, f); err != nil {
		w.T.Fatal(err)
	}
}

// Faults reads one API's current faults.
func (w *ChaosWorld) Faults(api string) sandbox.Faults {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.Env.Sandbox.Faults(api)
}

// ExpireZuoraTokens drops every OAuth token Zuora issued (admin endpoint).
func (w *ChaosWorld) ExpireZuoraTokens() {
	w.T.Helper()
	w.mu.Lock()
	url := w.Env.Sandbox.ZuoraURL() + "/_sandbox/expire-tokens"
	w.mu.Unlock()
	resp, err := HTTPClient.Post(url, "application/json", nil)
	if err != nil {
		w.T.Fatalf("expire-tokens: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		w.T.Fatalf("expire-tokens: %s", resp.Status)
	}
	w.mu.Lock()
	w.Events["Zuora tokens expired"]++
	w.mu.Unlock()
	w.addFault("zuora", "tokenExpired")
}

func (w *ChaosWorld) addFault(api, kind string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.injected[api] == nil {
		w.injected[api] = map[string]int64{}
	}
	w.injected[api][kind]++
}

// WaitRun waits for a workflow to close, riding out dev server restarts,
// and returns its result.
func (w *ChaosWorld) WaitRun(ctx context.Context, id string, out any) error {
	for {
		w.mu.Lock()
		tc := w.Env.Temporal
		w.mu.Unlock()
		d, err := tc.DescribeWorkflowExecution(ctx, id, "")
		if err == nil && d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			if d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW {
				return tc.GetWorkflow(ctx, id, "").Get(ctx, out)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last describe error: %v)", id, ctx.Err(), err)
		case <-time.After(time.Second):
		}
	}
}

// FormatInjected renders fault counts sorted, e.g. "ambiguous=12 rateLimit=40".
func FormatInjected(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// IssuedTokens is every Zuora access token minted during the run.
func (w *ChaosWorld) IssuedTokens(api string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append(append([]string{}, w.tokens...), w.Env.Sandbox.IssuedTokens(api)...)
}
