package workflows

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Running workflows survive a deployment of new worker code
// (real-api-gaps.md T2): every history recorded in testdata/histories (one
// or more per workflow type, recorded against the dev server and the sandbox
// by `make record-histories`) replays on this code without a
// non-determinism error. A change in the commands a workflow issues that is
// not guarded by workflow.GetVersion fails here (docs/operations.md,
// "Deploying new worker code").
func TestReplay_RecordedHistoriesOfEveryWorkflowTypeReplayOnThisCode(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories: run `make record-histories`")
	}
	covered := map[string]bool{}
	for _, f := range files {
		// <workflow type>--<case>.json
		covered[strings.SplitN(filepath.Base(f), "--", 2)[0]] = true
	}
	for name := range Definitions() {
		if !covered[name] && name != WorkflowPrecheck { // the pre-check is the migration's dry run
			t.Errorf("no recorded history of %s in testdata/histories", name)
		}
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			for name, fn := range Definitions() {
				r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
			}
			h, exec := loadHistory(t, f)
			if err := r.ReplayWorkflowHistoryWithOptions(quietReplayLogger(), h, worker.ReplayWorkflowHistoryOptions{OriginalExecution: exec}); err != nil {
				t.Fatalf("%s does not replay on this code: %v", f, err)
			}
		})
	}
}

// loadHistory reads a recorded history and its original workflow and run id
// (the .id file beside it).
func loadHistory(t *testing.T, path string) (*historypb.History, workflow.Execution) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	h, err := client.HistoryFromJSON(fh, client.HistoryJSONOptions{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	ids, err := os.ReadFile(strings.TrimSuffix(path, ".json") + ".id")
	if err != nil {
		t.Fatalf("%s: the original workflow id is missing: %v", path, err)
	}
	lines := strings.Fields(string(ids))
	if len(lines) != 2 {
		t.Fatalf("%s.id: want the workflow id and the run id", path)
	}
	return h, workflow.Execution{ID: lines[0], RunID: lines[1]}
}

func quietReplayLogger() log.Logger {
	if os.Getenv("REPLAY_VERBOSE") != "" {
		return log.NewStructuredLogger(slog.Default())
	}
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}
