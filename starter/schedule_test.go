package main

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

func TestScheduleSpec_EveryOrCronExactlyOne(t *testing.T) {
	spec, err := scheduleSpec(time.Hour, "")
	if err != nil || len(spec.Intervals) != 1 || spec.Intervals[0].Every != time.Hour {
		t.Fatalf("--every 1h: %+v, %v", spec, err)
	}
	spec, err = scheduleSpec(0, "0 2 * * *")
	if err != nil || len(spec.CronExpressions) != 1 || spec.CronExpressions[0] != "0 2 * * *" {
		t.Fatalf("--cron: %+v, %v", spec, err)
	}
	for _, bad := range []struct {
		every time.Duration
		cron  string
		want  string
	}{
		{0, "", "needs --every"},
		{time.Hour, "0 2 * * *", "not both"},
		{-time.Hour, "", "must be positive"},
		{10 * time.Second, "", "at least 1m"},
		{0, "0 2 *", "want 5 fields"},
	} {
		if _, err := scheduleSpec(bad.every, bad.cron); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("every=%s cron=%q: error %v, want %q", bad.every, bad.cron, err, bad.want)
		}
	}
}

func TestSpecText_CronCalendarsPrintAsCronAgain(t *testing.T) {
	// What the server returns for "0 2 * * *" and "*/15 * * * MON-FRI".
	daily := client.ScheduleCalendarSpec{
		Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0}}, Hour: []client.ScheduleRange{{Start: 2}},
		DayOfMonth: []client.ScheduleRange{{Start: 1, End: 31}}, Month: []client.ScheduleRange{{Start: 1, End: 12}},
		DayOfWeek: []client.ScheduleRange{{Start: 0, End: 6}},
	}
	weekdays := client.ScheduleCalendarSpec{
		Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0, End: 59, Step: 15}},
		Hour: []client.ScheduleRange{{Start: 0, End: 23}}, DayOfMonth: []client.ScheduleRange{{Start: 1, End: 31}},
		Month: []client.ScheduleRange{{Start: 1, End: 12}}, DayOfWeek: []client.ScheduleRange{{Start: 1, End: 5}},
	}
	got := specText(client.ScheduleSpec{
		Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}, {Every: 90 * time.Minute, Offset: 5 * time.Minute}},
		Calendars: []client.ScheduleCalendarSpec{daily, weekdays},
	})
	want := []string{"every 1h", "every 1h30m offset 5m", "cron 0 2 * * * (UTC)", "cron */15 * * * 1-5 (UTC)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("specText:\n got %q\nwant %q", got, want)
	}
}

func TestPrintSchedule_ShowsOverlapStateAndRecentRuns(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var b strings.Builder
	printSchedule(&b, scheduleView{ID: "zuora-netsuite-sync", Spec: []string{"every 1h"}, Workflow: "SyncRunWorkflow",
		TaskQueue: "zuora-netsuite", Overlap: "skip", Paused: true, Note: "paused with starter schedule pause",
		NextRuns: []time.Time{at.Add(time.Hour)}, Runs: 3, SkippedOverlap: 1, WorkflowIDPrefix: "sync-run-zuora-netsuite-sync",
		Recent: []recentView{{Scheduled: at, Started: at.Add(time.Second), WorkflowID: "sync-run-zuora-netsuite-sync-2026-11-25T10:00:00Z"}}})
	out := b.String()
	for _, want := range []string{"every 1h", "overlap          skip", "paused (paused with starter schedule pause)",
		"3 (1 skipped because a run was still going)", "next runs (UTC)  -", "sync-run-zuora-netsuite-sync-2026-11-25T10:00:00Z"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}
