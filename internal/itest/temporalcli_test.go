package itest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/workflows"
)

// readmeExamples are the README's temporal CLI lines, between its markers.
func readmeExamples(t *testing.T) []string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- temporal-cli-examples:begin -->", "<!-- temporal-cli-examples:end -->"
	s := string(data)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %s ... %s block", begin, end)
	}
	var lines []string
	for _, l := range strings.Split(s[i:j], "\n") {
		if strings.HasPrefix(l, "temporal workflow start ") {
			lines = append(lines, l)
		}
	}
	return lines
}

var workflowIDFlag = regexp.MustCompile(`--workflow-id (\S+)`)

// Every workflow starts from the README's temporal CLI line, as an operator
// would type it, with the real binary; each completes with a result of the
// shape the starter and the UI read.
func TestTemporalCLI_ReadmeExamplesStartEveryWorkflow(t *testing.T) {
	f := fixture.Demo()
	e := New(t, f, Options{})
	examples := readmeExamples(t)
	types := map[string]bool{}
	for _, l := range examples {
		if m := regexp.MustCompile(`--type (\S+)`).FindStringSubmatch(l); m != nil {
			types[m[1]] = true
		}
	}
	for _, wf := range []string{workflows.WorkflowSyncRun, workflows.WorkflowCustomerSync, workflows.WorkflowCatalogSync,
		workflows.WorkflowInvoiceSync, workflows.WorkflowAdjustmentSync, workflows.WorkflowReconcile} {
		if !types[wf] {
			t.Errorf("README has no temporal CLI example for %s", wf)
		}
	}
	first := func(obj string) string { return str(f.Zuora.Objects[obj][0]["Id"]) }
	placeholders := strings.NewReplacer(
		"<ZUORA-ACCOUNT-ID>", first("Account"), "<ZUORA-CHARGE-ID>", first("ProductRatePlanCharge"),
		"<ZUORA-INVOICE-ID>", first("Invoice"), "<ZUORA-ADJUSTMENT-ID>", first("InvoiceItemAdjustment"),
		"--task-queue zuora-netsuite", "--task-queue "+e.TaskQueue,
		// Ids unique to this test run on the shared dev server.
		"--workflow-id sync-manual-1", "--workflow-id "+e.TaskQueue+"-sync-manual-1",
		"--workflow-id reconcile-2026", "--workflow-id "+e.TaskQueue+"-reconcile-2026",
	)
	cli, err := filepath.Abs(TemporalCLI())
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TEMPORAL_ADDRESS="+DevServer(t).FrontendHostPort(), "TEMPORAL_NAMESPACE=default")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, example := range examples {
		line := placeholders.Replace(example)
		id := workflowIDFlag.FindStringSubmatch(line)[1]
		// The README's line, run by a shell as typed (quotes and all).
		cmd := exec.CommandContext(ctx, "bash", "-c", cli+strings.TrimPrefix(line, "temporal"))
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s\n%v: %s", line, err, out)
		}
		result := exec.CommandContext(ctx, cli, "workflow", "result", "--workflow-id", id, "--output", "json")
		result.Env = env
		out, err := result.CombinedOutput()
		if err != nil {
			t.Fatalf("temporal workflow result --workflow-id %s: %v: %s", id, err, out)
		}
		var res struct {
			Status string          `json:"status"`
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s: result is not JSON: %v: %s", id, err, out)
		}
		if !strings.Contains(res.Status, "COMPLETED") {
			t.Errorf("%s: status %s: %s", id, res.Status, out)
			continue
		}
		var fields map[string]any
		_ = json.Unmarshal(res.Result, &fields)
		switch {
		case strings.Contains(line, "SyncRunWorkflow"):
			var run workflows.SyncRunResult
			_ = json.Unmarshal(res.Result, &run)
			if run.Progress.Invoices.Synced == 0 || run.Progress.Customers.Selected == 0 {
				t.Errorf("%s: the run synced nothing: %s", id, res.Result)
			}
		case strings.Contains(line, "ReconcileWorkflow"):
			// After the run the demo's books agree with Zuora's.
			counts, _ := fields["counts"].(map[string]any)
			if counts == nil || counts["matched"] == float64(0) || counts["differences"] != float64(0) {
				t.Errorf("%s: want matched records and no difference after a clean run: %s", id, res.Result)
			}
		default:
			// The run synced these records first: each single-record start
			// finds its record already handled and says so.
			outcome, _ := fields["outcome"].(string)
			if outcome == "" {
				t.Errorf("%s: result without an outcome: %s", id, res.Result)
			}
		}
		t.Logf("%s: %s", id, strings.TrimSpace(string(res.Result)))
	}
}
