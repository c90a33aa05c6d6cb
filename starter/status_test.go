package main

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/workflows"
)

func TestPrintStatusTable_RunningCompletedAndFailedRuns(t *testing.T) {
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	closed := start.Add(5 * time.Minute)
	rows := []runRow{
		{WorkflowID: "sync-run-b", Status: "Running", Started: start.Add(time.Hour), Phase: workflows.PhaseInvoices, InFlight: 4,
			Progress: &workflows.RunProgress{Invoices: workflows.Counts{Selected: 10, Synced: 5, Errored: 1}}},
		{WorkflowID: "sync-run-a", Status: "Completed", Started: start, Closed: &closed, Phase: workflows.PhaseDone,
			Progress: &workflows.RunProgress{Invoices: workflows.Counts{Selected: 7, Synced: 6, Ignored: 1}, RevRec: workflows.Counts{Selected: 2, Synced: 2}}},
		{WorkflowID: "sync-run-0", Status: "Failed", Started: start.Add(-time.Hour), Closed: &closed, Failure: "unknown phase x"},
	}
	var b strings.Builder
	printStatusTable(&b, rows)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want header + 3 rows:\n%s", b.String())
	}
	for i, want := range [][]string{
		{"WORKFLOW ID", "STATUS", "SELECTED", "SYNCED", "ERROR"},
		{"sync-run-b", "Running", "2026-11-25 10:00:00", "invoices", "10", "5", "1", "4 in flight"},
		{"sync-run-a", "Completed", "2026-11-25 09:05:00", "done", "9", "8", "0", "1"},
		{"sync-run-0", "Failed", "failed: unknown phase x"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d %q lacks %q", i, lines[i], w)
			}
		}
	}
	b.Reset()
	printStatusTable(&b, nil)
	if !strings.Contains(b.String(), "no sync runs yet") {
		t.Errorf("empty: %q", b.String())
	}
}

func TestParse_OpsFlags(t *testing.T) {
	c, rest, err := parse([]string{"errors", "--type", "invoice", "--account", "A-00012", "--limit", "5", "--json"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rest[0] != "errors" || c.Ops.Type != "invoice" || c.Ops.Account != "A-00012" || c.Ops.Limit != 5 || !c.JSON {
		t.Errorf("parsed %+v %v", c.Ops, rest)
	}
	c, rest, err = parse([]string{"schedule", "create", "--every", "90m", "--only", "invoices", "--id", "nightly"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rest, " ") != "schedule create" || c.Ops.Every != 90*time.Minute || c.Ops.Schedule != "nightly" || c.Only[0] != "invoices" {
		t.Errorf("parsed %+v %v", c.Ops, rest)
	}
	c, _, err = parse([]string{"schedule", "describe"}, io.Discard)
	if err != nil || c.Ops.Schedule != defaultScheduleID {
		t.Errorf("default schedule id: %q, %v", c.Ops.Schedule, err)
	}
	if _, _, err := parse([]string{"reconcile", "--from", "2026-01-01", "--to", "2026-12-31", "--every", "soon"}, io.Discard); err == nil {
		t.Error("--every soon accepted")
	}
}

// The run table has a row for every record type a run counts: a new
// phase's records must not be synced out of the operator's sight.
func TestRunTable_ARowForEveryRecordTypeTheRunCounts(t *testing.T) {
	var p workflows.RunProgress
	v := reflect.ValueOf(&p).Elem()
	for i := 0; i < v.NumField(); i++ {
		v.Field(i).Set(reflect.ValueOf(workflows.Counts{Selected: 1000 + i}))
	}
	var b strings.Builder
	printRunTable(&b, p)
	for i := 0; i < v.NumField(); i++ {
		if !strings.Contains(b.String(), fmt.Sprint(1000+i)) {
			t.Errorf("RunProgress.%s has no row in the run table:\n%s", v.Type().Field(i).Name, b.String())
		}
	}
}
