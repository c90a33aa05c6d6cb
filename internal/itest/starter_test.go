package itest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// starterCLI runs the built starter binary against the Env's dev server and
// task queue, as an operator would from a shell.
type starterCLI struct {
	t    *testing.T
	bin  string
	base []string
}

func newStarterCLI(t *testing.T, e *Env) starterCLI {
	return starterCLI{t: t, bin: filepath.Join(Binaries(t), "starter"),
		base: []string{"--temporal-address", DevServer(t).FrontendHostPort(), "--task-queue", e.TaskQueue, "--namespace", "default"}}
}

// run returns stdout, stderr and the exit code.
func (s starterCLI) run(args ...string) (string, string, int) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, append(append([]string{}, args...), s.base...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		s.t.Fatalf("running starter %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), code
}

// ok runs a command that must succeed and returns its stdout.
func (s starterCLI) ok(args ...string) string {
	s.t.Helper()
	out, errOut, code := s.run(args...)
	if code != 0 {
		s.t.Fatalf("starter %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	s.t.Logf("$ starter %s\n%s", strings.Join(args, " "), out)
	return out
}

// eventually retries check (visibility is eventually consistent) until it passes.
func eventually(t *testing.T, within time.Duration, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, why := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, why)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func mustContain(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s: missing %q in:\n%s", what, w, out)
		}
	}
}

// brokenInvoices are the generated tenant's invoices broken on purpose, by
// Zuora id, with their account numbers.
func brokenInvoices(t *testing.T, e *Env, f *fixture.Fixture) map[string]string {
	t.Helper()
	accts := map[string]string{}
	for _, a := range f.Zuora.Objects[zuora.ObjAccount] {
		accts[str(a["Id"])] = str(a["AccountNumber"])
	}
	out := map[string]string{}
	for _, inv := range f.Zuora.Objects[zuora.ObjInvoice] {
		if strings.HasPrefix(str(inv["Comments"]), "broken on purpose") {
			out[str(inv["Id"])] = accts[str(inv["AccountId"])]
		}
	}
	return out
}

// Each new starter command tried as a new user would: the built binary
// against the dev server, the sandbox and a worker, output checked.
func TestStarter_StatusErrorsScheduleReconcileAsANewUser(t *testing.T) {
	f, err := fixture.Generate("seed=21,accounts=6,invoices=24,items=1-5,negative=0.2,tax=0.5,broken=3")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{})
	cli := newStarterCLI(t, e)
	broken := brokenInvoices(t, e, f)
	if len(broken) != 3 {
		t.Fatalf("the fixture has %d broken invoices, want 3", len(broken))
	}

	// A new user reads the help first.
	help, helpErr, _ := cli.run("--help")
	mustContain(t, "--help", help+helpErr, "starter status", "starter errors", "starter schedule create", "starter reconcile --from")

	// Before any run.
	mustContain(t, "status before any run", cli.ok("status"), "no sync runs yet")

	// A run, followed to its end.
	out := cli.ok("sync", "--only", "invoices", "--workflow-id", "itest-starter-run-1", "--wait")
	mustContain(t, "sync --wait", out, "invoices", "records in Error")

	// status: the run with its counts, as a table and as JSON.
	eventually(t, 30*time.Second, func() (bool, string) {
		out := cli.ok("status")
		return strings.Contains(out, "itest-starter-run-1") && strings.Contains(out, "Completed"), out
	})
	out = cli.ok("status", "--limit", "5")
	mustContain(t, "status", out, "WORKFLOW ID", "STATUS", "itest-starter-run-1", "Completed", "done")
	var rows []runRowJSON
	if err := json.Unmarshal([]byte(cli.ok("status", "--json")), &rows); err != nil {
		t.Fatalf("status --json: %v", err)
	}
	var run *runRowJSON
	for i := range rows {
		if rows[i].WorkflowID == "itest-starter-run-1" {
			run = &rows[i]
		}
	}
	if run == nil || run.Status != "Completed" || run.Closed == nil || run.Progress == nil {
		t.Fatalf("status --json: run row %+v", run)
	}
	if run.Progress.Invoices.Errored != 3 || run.Progress.Invoices.Synced != run.Progress.Invoices.Selected-3 {
		t.Errorf("status --json: invoice counts %+v, want 3 errors and the rest synced", run.Progress.Invoices)
	}

	// errors: every broken invoice with its reason; filtered by type and account.
	invs := e.Invoices(context.Background())
	eventually(t, 30*time.Second, func() (bool, string) {
		out := cli.ok("errors")
		for id := range broken {
			if !strings.Contains(out, id) {
				return false, "invoice " + id + " missing from:\n" + out
			}
		}
		return true, ""
	})
	out = cli.ok("errors")
	mustContain(t, "errors", out, "TYPE", "REASON", "3 records in Error")
	for id, acct := range broken {
		inv := invs[id]
		reason := strings.TrimPrefix(inv.IntegrationStatus, "Error: ")
		if len(reason) > 60 {
			reason = reason[:60]
		}
		mustContain(t, "errors", out, inv.InvoiceNumber, acct, reason)
	}
	var errRows []struct {
		Type, ZuoraID, Number, AccountNumber, Reason, WorkflowID string
	}
	if err := json.Unmarshal([]byte(cli.ok("errors", "--type", "invoice", "--json")), &errRows); err != nil {
		t.Fatal(err)
	}
	if len(errRows) != 3 {
		t.Errorf("errors --type invoice --json: %d rows, want 3: %+v", len(errRows), errRows)
	}
	for _, r := range errRows {
		if _, ok := broken[r.ZuoraID]; !ok || r.Type != "invoice" || r.Reason == "" || r.WorkflowID != workflows.InvoiceWorkflowID(r.ZuoraID) {
			t.Errorf("errors --json row %+v", r)
		}
	}
	var oneID, oneAcct string
	for id, acct := range broken {
		oneID, oneAcct = id, acct
		break
	}
	out = cli.ok("errors", "--type", "invoice", "--account", oneAcct)
	mustContain(t, "errors --account", out, invs[oneID].InvoiceNumber, "1 records in Error")
	mustContain(t, "errors --type adjustment", cli.ok("errors", "--type", "adjustment"), "no adjustment is in Error")
	if _, stderr, code := cli.run("errors", "--type", "invoices"); code != 2 || !strings.Contains(stderr, "want one of invoice, adjustment, customer, charge") {
		t.Errorf("errors --type invoices: exit %d, stderr %q; want a usage error", code, stderr)
	}

	// schedule: create, describe, trigger (a run starts), pause, unpause, delete.
	const sid = "itest-starter-schedule"
	mustContain(t, "schedule create", cli.ok("schedule", "create", "--id", sid, "--every", "1h", "--only", "invoices"),
		"schedule "+sid+": created", "every 1h", "overlapping runs skipped")
	if _, stderr, code := cli.run("schedule", "create", "--id", sid, "--every", "1h"); code == 0 || !strings.Contains(stderr, "already exists") {
		t.Errorf("second create: exit %d, stderr %q", code, stderr)
	}
	mustContain(t, "schedule describe", cli.ok("schedule", "describe", "--id", sid),
		"every 1h", "SyncRunWorkflow", e.TaskQueue, "overlap          skip", "state            active")
	cli.ok("schedule", "trigger", "--id", sid)
	eventually(t, time.Minute, func() (bool, string) {
		var v struct {
			Runs   int `json:"runs"`
			Recent []struct {
				WorkflowID string `json:"workflowId"`
			} `json:"recent"`
		}
		out := cli.ok("schedule", "describe", "--id", sid, "--json")
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			return false, err.Error()
		}
		return v.Runs == 1 && len(v.Recent) == 1 && strings.HasPrefix(v.Recent[0].WorkflowID, "sync-run-"+sid), out
	})
	// The scheduled run shows in status and finishes (only the errored invoices are left to retry).
	eventually(t, 2*time.Minute, func() (bool, string) {
		out := cli.ok("status")
		return strings.Contains(out, "sync-run-"+sid) && !strings.Contains(out, "Running"), out
	})
	var done struct{ ID, Action string }
	if err := json.Unmarshal([]byte(cli.ok("schedule", "pause", "--id", sid, "--json")), &done); err != nil || done.Action != "paused" {
		t.Errorf("schedule pause --json: %+v, %v", done, err)
	}
	mustContain(t, "describe paused", cli.ok("schedule", "describe", "--id", sid), "paused (paused with starter schedule pause)")
	cli.ok("schedule", "unpause", "--id", sid)
	mustContain(t, "describe unpaused", cli.ok("schedule", "describe", "--id", sid), "state            active")
	mustContain(t, "schedule delete", cli.ok("schedule", "delete", "--id", sid), "deleted")
	if _, stderr, code := cli.run("schedule", "describe", "--id", sid); code != 1 || !strings.Contains(stderr, "no schedule "+sid) {
		t.Errorf("describe after delete: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := cli.run("schedule", "create", "--id", sid); code != 2 || !strings.Contains(stderr, "--every") {
		t.Errorf("create without timing: exit %d, stderr %q", code, stderr)
	}

	// reconcile: the books agree after the sync; --json without --wait, then show.
	out = cli.ok("reconcile", "--from", "2000-01-01", "--to", "2099-12-31", "--wait")
	mustContain(t, "reconcile --wait", out, "0 differences", "agree to the cent", "CURRENCY")
	var st struct{ WorkflowID string }
	if err := json.Unmarshal([]byte(cli.ok("reconcile", "--from", "2000-01-01", "--to", "2099-12-31", "--json")), &st); err != nil || st.WorkflowID == "" {
		t.Fatalf("reconcile --json: %+v, %v", st, err)
	}
	var rep workflows.ReconcileResult
	if err := json.Unmarshal([]byte(cli.ok("reconcile", "show", st.WorkflowID, "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Clean() || rep.Counts.Invoices != run.Progress.Invoices.Synced || rep.Counts.Matched != rep.Counts.Invoices {
		t.Errorf("reconcile show --json: %+v, want %d invoices all matching", rep.Counts, run.Progress.Invoices.Synced)
	}
	if _, stderr, code := cli.run("reconcile", "--from", "2026-12-31", "--to", "2026-01-01"); code != 2 || !strings.Contains(stderr, "ends before it starts") {
		t.Errorf("reconcile with a reversed range: exit %d, stderr %q", code, stderr)
	}
}

// runRowJSON mirrors the starter's status --json rows.
type runRowJSON struct {
	WorkflowID string                 `json:"workflowId"`
	Status     string                 `json:"status"`
	Closed     *time.Time             `json:"closed"`
	Phase      string                 `json:"phase"`
	Progress   *workflows.RunProgress `json:"progress"`
}
