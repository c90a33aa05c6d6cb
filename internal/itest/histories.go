package itest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Recorded histories for workflows/replay_test.go (docs/operations.md,
// "Deploying new worker code"). `make record-histories` sets
// RECORD_HISTORIES=1 and runs the tests that record them.

// RecordingHistories reports whether this test run re-records the histories.
func RecordingHistories() bool { return os.Getenv("RECORD_HISTORIES") != "" }

// historiesDir is workflows/testdata/histories, from this package's directory.
const historiesDir = "../../workflows/testdata/histories"

// historyTag names the code a history was recorded on (HISTORY_TAG, the
// commit `make record-histories` passes): histories of earlier code are kept
// beside the new ones, so replay keeps proving that a workflow begun by any
// recorded version still runs on this code.
func historyTag() string {
	if tag := os.Getenv("HISTORY_TAG"); tag != "" {
		return tag
	}
	return "untagged"
}

// SaveHistories writes the history of every run of workflowID (a
// continue-as-new chain has several) to
// workflows/testdata/histories/<workflow type>--<name>[-run<N>]@<tag>.json.
func SaveHistories(ctx context.Context, t testing.TB, c client.Client, workflowID, name string) {
	t.Helper()
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowId = %q", workflowID),
	})
	if err != nil {
		t.Fatalf("listing runs of %s: %v", workflowID, err)
	}
	runs := resp.GetExecutions()
	if len(runs) == 0 {
		t.Fatalf("no run of %s to record", workflowID)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].GetStartTime().AsTime().Before(runs[j].GetStartTime().AsTime()) })
	for i, run := range runs {
		file := fmt.Sprintf("%s--%s", run.GetType().GetName(), name)
		if len(runs) > 1 {
			file += fmt.Sprintf("-run%d", i+1)
		}
		file += "@" + historyTag()
		saveHistory(ctx, t, c, workflowID, run.GetExecution().GetRunId(), filepath.Join(historiesDir, file+".json"))
	}
}

func saveHistory(ctx context.Context, t testing.TB, c client.Client, workflowID, runID, path string) {
	t.Helper()
	var h historypb.History
	it := c.GetWorkflowHistory(ctx, workflowID, runID, false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		h.Events = append(h.Events, ev)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: " "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	// The replayer needs the original ids: a workflow that derives a
	// child's id from its own replays only under the same id.
	if err := os.WriteFile(strings.TrimSuffix(path, ".json")+".id", []byte(workflowID+"\n"+runID+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s (%d events)", path, len(h.Events))
}
