package itest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/codec"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// ClusterBin is the directory holding temporal-server and temporal-sql-tool
// (make test installs them into ./bin): CONNECTOR_CLUSTER_BIN or ./bin.
func ClusterBin() string {
	if p := os.Getenv("CONNECTOR_CLUSTER_BIN"); p != "" {
		return p
	}
	return filepath.Join(repoRoot(), "bin")
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// RequireCluster skips (or under make test fails) a test that needs the
// Temporal server binaries.
func RequireCluster(t testing.TB) {
	t.Helper()
	Require(t)
	for _, b := range []string{"temporal-server", "temporal-sql-tool"} {
		if _, err := os.Stat(filepath.Join(ClusterBin(), b)); err != nil {
			if os.Getenv("CONNECTOR_INTEGRATION") == "required" {
				t.Fatalf("the cluster tier needs %s in %s (make test installs it): %v", b, ClusterBin(), err)
			}
			t.Skipf("cluster tier: no %s in %s (make test-cluster installs it)", b, ClusterBin())
		}
	}
}

// ClusterWorld is the production shape as make cluster starts it
// (internal/deploy/cluster.sh: PostgreSQL, the Temporal server on it, the
// namespace and search attributes), with the sandbox in process and worker
// processes the test starts, kills and adds, all sharing the PostgreSQL
// state store with payload encryption on.
type ClusterWorld struct {
	T   testing.TB
	Env *Env

	State        string // the cluster's data dir
	scriptEnv    []string
	TemporalAddr string
	DSN          string // the connector's state store, password in PGPassword
	PGPassword   string
	KeyFile      string
	Codec        *codec.Codec
	sbCfg        sandbox.Config

	mu         sync.Mutex
	workers    map[string]*Process
	httpAddrs  map[string]string // worker name -> its /metrics address
	workerLogs []string
	// NetSuiteConcurrency is the account limit every worker is given.
	NetSuiteConcurrency int
	Events              map[string]int
}

// NewClusterWorld brings the cluster up (no workers yet) and a sandbox
// loaded with f whose NetSuite has faults nf. scriptEnv overrides
// cluster.sh's settings (CLUSTER_UI=1, ...).
func NewClusterWorld(t testing.TB, f *fixture.Fixture, nf sandbox.Faults, nsLimit int, scriptEnv ...string) *ClusterWorld {
	t.Helper()
	RequireCluster(t)
	state, err := os.MkdirTemp("", "cluster-")
	if err != nil {
		t.Fatal(err)
	}
	// PostgreSQL runs as the postgres user when the test runs as root.
	if err := os.Chmod(state, 0o755); err != nil {
		t.Fatal(err)
	}
	pw := make([]byte, 12)
	_, _ = rand.Read(pw)
	w := &ClusterWorld{T: t, State: state, workers: map[string]*Process{}, httpAddrs: map[string]string{}, Events: map[string]int{},
		PGPassword: "pg-" + hex.EncodeToString(pw), NetSuiteConcurrency: nsLimit}
	pgPort := freePortNum(t)
	base := freePortRange(t, 9)
	w.TemporalAddr = fmt.Sprintf("127.0.0.1:%d", base)
	w.scriptEnv = []string{
		"CLUSTER_STATE=" + state, "CLUSTER_BIN=" + ClusterBin(), "CLUSTER_TEMPORAL_CLI=" + TemporalCLI(),
		"CLUSTER_PG_PORT=" + strconv.Itoa(pgPort), "CLUSTER_TEMPORAL_PORT=" + strconv.Itoa(base),
		"CLUSTER_WORKERS_OVERRIDE=0", "CLUSTER_SANDBOX=0", "CLUSTER_UI=0", "CLUSTER_PG_PASSWORD_OVERRIDE=" + w.PGPassword,
	}
	w.scriptEnv = append(w.scriptEnv, scriptEnv...) // the last of a name wins
	t.Cleanup(func() {
		if out, err := w.script("down"); err != nil {
			t.Logf("cluster down: %v\n%s", err, out)
		}
		if !t.Failed() {
			os.RemoveAll(state)
		} else {
			t.Logf("cluster state and logs kept in %s", state)
		}
	})
	start := time.Now()
	if out, err := w.script("up"); err != nil {
		t.Fatalf("cluster up: %v\n%s\n%s", err, out, tailFile(filepath.Join(state, "temporal.log"), 3000))
	}
	t.Logf("cluster up in %s (PostgreSQL 127.0.0.1:%d, Temporal %s)", time.Since(start).Round(time.Second), pgPort, w.TemporalAddr)
	w.DSN = fmt.Sprintf("postgres://temporal@127.0.0.1:%d/connector?sslmode=disable", pgPort)

	key := make([]byte, 32)
	_, _ = rand.Read(key)
	w.KeyFile = filepath.Join(state, "itest-encryption.key")
	if err := os.WriteFile(w.KeyFile, []byte("itest-k1="+base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ring, err := codec.LoadKeyFile(w.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	w.Codec = codec.New(ring)
	tc, err := client.Dial(client.Options{HostPort: w.TemporalAddr, Logger: quietLogger(),
		DataConverter: w.Codec.DataConverter(), FailureConverter: w.Codec.FailureConverter()})
	if err != nil {
		t.Fatalf("dialing the cluster: %v", err)
	}
	t.Cleanup(tc.Close)

	cfg := sandbox.DefaultConfig()
	cfg.ZuoraAddr, cfg.NetSuiteAddr = FreeAddr(t), FreeAddr(t)
	cfg.DataDir = filepath.Join(state, "sandbox")
	cfg.Logger = quietLogger()
	cfg.NetSuiteFaults = nf
	w.sbCfg = cfg
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
	w.Env = &Env{T: t, Temporal: tc, TaskQueue: fmt.Sprintf("cluster-%d-%d", os.Getpid(), queueSeq.Add(1)),
		Sandbox: sb, Zuora: z, NetSuite: ns, Acts: &activities.Activities{Zuora: z, NetSuite: ns, Logger: quietLogger()}}
	return w
}

func (w *ClusterWorld) script(cmd string) (string, error) {
	c := exec.Command(filepath.Join(repoRoot(), "internal", "deploy", "cluster.sh"), cmd)
	c.Env = append(os.Environ(), w.scriptEnv...)
	out, err := c.CombinedOutput()
	return string(out), err
}

// StartWorker starts worker process name on its own state dir; extra
// flags are appended.
func (w *ClusterWorld) StartWorker(name string, extra ...string) *Process {
	w.T.Helper()
	dir := filepath.Join(w.State, "worker-"+name)
	httpAddr := FreeAddr(w.T)
	args := append([]string{"--temporal-address", w.TemporalAddr, "--task-queue", w.Env.TaskQueue, "--http-addr", httpAddr,
		"--zuora-url", w.Env.Sandbox.ZuoraURL(), "--netsuite-url", w.Env.Sandbox.NetSuiteURL(), "--log-level", "info",
		"--state-dir", dir, "--state-store", w.DSN, "--encryption", "on", "--encryption-key-file", w.KeyFile,
		"--netsuite-concurrency", strconv.Itoa(w.NetSuiteConcurrency), "--netsuite-lease-ttl", "6s",
		"--zuora-sandbox-admin-url", w.Env.Sandbox.ZuoraURL(), "--max-concurrent-activities", "20"}, extra...)
	p := StartProcess(w.T, Binaries(w.T)+"/worker", args, "PGPASSWORD="+w.PGPassword)
	w.mu.Lock()
	w.workers[name] = p
	w.httpAddrs[name] = httpAddr
	w.Events["worker started"]++
	w.mu.Unlock()
	return p
}

// ZuoraCallsOK is how many Zuora API requests worker name made that
// succeeded (2xx, token requests aside), from its Prometheus /metrics.
func (w *ClusterWorld) ZuoraCallsOK(name string) int {
	w.T.Helper()
	w.mu.Lock()
	addr := w.httpAddrs[name]
	w.mu.Unlock()
	var body string
	for i := 0; i < 100; i++ {
		resp, err := HTTPClient.Get("http://" + addr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		time.Sleep(200 * time.Millisecond) // still starting
	}
	if body == "" {
		w.T.Fatalf("worker %s: no /metrics at %s", name, addr)
	}
	n := 0
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, "connector_api_requests_total{") || !strings.Contains(line, `api="zuora"`) ||
			strings.Contains(line, "oauth/token") || !strings.Contains(line, `status="2`) {
			continue
		}
		if i := strings.LastIndexByte(line, ' '); i > 0 {
			v, _ := strconv.ParseFloat(line[i+1:], 64)
			n += int(v)
		}
	}
	return n
}

// KillWorker SIGKILLs worker name (a crash: no lease given back).
func (w *ClusterWorld) KillWorker(name string) {
	w.mu.Lock()
	p := w.workers[name]
	delete(w.workers, name)
	w.mu.Unlock()
	p.Kill()
	w.mu.Lock()
	w.workerLogs = append(w.workerLogs, p.Output())
	w.Events["worker SIGKILL"]++
	w.mu.Unlock()
}

// StopWorker stops worker name gracefully (a scale-down).
func (w *ClusterWorld) StopWorker(name string) {
	w.mu.Lock()
	p := w.workers[name]
	delete(w.workers, name)
	w.mu.Unlock()
	p.Stop(45 * time.Second)
	w.mu.Lock()
	w.workerLogs = append(w.workerLogs, p.Output())
	w.Events["worker stopped"]++
	w.mu.Unlock()
}

// WorkerExited names a worker that ended by itself (a bug, not chaos).
func (w *ClusterWorld) WorkerExited() (string, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for name, p := range w.workers {
		if p.Exited() {
			return name, p.Output()
		}
	}
	return "", ""
}

// WorkerLogs is everything every worker process printed.
func (w *ClusterWorld) WorkerLogs() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	logs := append([]string{}, w.workerLogs...)
	names := make([]string, 0, len(w.workers))
	for n := range w.workers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		logs = append(logs, w.workers[n].Output())
	}
	return strings.Join(logs, "\n")
}

// RestartTemporal SIGKILLs the Temporal server process (its pid from the
// cluster's pid file) and starts it again with cluster.sh, on the same
// PostgreSQL: history, timers and task queues survive.
func (w *ClusterWorld) RestartTemporal(pause time.Duration) {
	w.T.Helper()
	b, err := os.ReadFile(filepath.Join(w.State, "pids", "temporal.pid"))
	if err != nil {
		w.T.Fatalf("temporal pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		w.T.Fatalf("temporal pid file holds %q", b)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(pause)
	if out, err := w.script("temporal"); err != nil {
		w.T.Fatalf("restarting the Temporal server: %v\n%s", err, out)
	}
	w.mu.Lock()
	w.Events["Temporal server SIGKILL+restart"]++
	w.mu.Unlock()
}

// Secrets is every credential of the run by name: the sandbox's API
// credentials, every Zuora token it issued, the database password and the
// encryption key.
func (w *ClusterWorld) Secrets() map[string]string {
	cfg := w.sbCfg
	key, _ := os.ReadFile(w.KeyFile)
	_, k, _ := strings.Cut(strings.TrimSpace(string(key)), "=")
	out := map[string]string{
		"the Zuora client secret":      cfg.Zuora.ClientSecret,
		"the NetSuite consumer secret": cfg.NetSuite.ConsumerSecret,
		"the NetSuite token secret":    cfg.NetSuite.TokenSecret,
		"the NetSuite token id":        cfg.NetSuite.TokenID,
		"the database password":        w.PGPassword,
		"the encryption key":           k,
	}
	for i, tok := range w.Env.Sandbox.IssuedTokens("zuora") {
		out[fmt.Sprintf("Zuora access token #%d", i+1)] = tok
	}
	return out
}

func freePortNum(t testing.TB) int {
	t.Helper()
	_, p, _ := strings.Cut(FreeAddr(t), ":")
	n, _ := strconv.Atoi(p)
	return n
}

// freePortRange finds n consecutive free loopback ports (the Temporal
// server's services take the ports after the frontend's), all under 32768:
// the server stores its membership ports as a SQL smallint.
func freePortRange(t testing.TB, n int) int {
	t.Helper()
	for attempt := 0; attempt < 50; attempt++ {
		base := 20000 + int(time.Now().UnixNano()%12000)
		ok := true
		for i := 0; i < n && ok; i++ {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+i))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free range of loopback ports")
	return 0
}

func tailFile(path string, n int) string {
	b, _ := os.ReadFile(path)
	return lastChars(string(b), n)
}

// lastChars is the end of s, at most n bytes (tail in the test files).
func lastChars(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
