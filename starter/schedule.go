package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/workflows"
)

// defaultScheduleID is the schedule a tenant normally has: one, for all phases.
const defaultScheduleID = "zuora-netsuite-sync"

// scheduleSpec is a schedule's timing from --every or --cron (exactly one).
func scheduleSpec(every time.Duration, cron string) (client.ScheduleSpec, error) {
	switch {
	case every != 0 && cron != "":
		return client.ScheduleSpec{}, errors.New("give --every or --cron, not both")
	case every < 0:
		return client.ScheduleSpec{}, fmt.Errorf("--every %s: must be positive", every)
	case every > 0 && every < time.Minute:
		return client.ScheduleSpec{}, fmt.Errorf("--every %s: at least 1m (a run selects everything eligible; more often only adds skipped runs)", every)
	case every > 0:
		return client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: every}}}, nil
	case cron != "":
		if n := len(strings.Fields(cron)); n < 5 || n > 7 {
			return client.ScheduleSpec{}, fmt.Errorf(`--cron %q: want 5 fields "minute hour day-of-month month day-of-week", e.g. "0 2 * * *"`, cron)
		}
		return client.ScheduleSpec{CronExpressions: []string{cron}}, nil
	}
	return client.ScheduleSpec{}, errors.New("schedule create needs --every (e.g. 1h) or --cron (e.g. \"0 2 * * *\")")
}

// scheduleView is what `schedule describe` prints.
type scheduleView struct {
	ID               string       `json:"id"`
	Spec             []string     `json:"spec"`
	Workflow         string       `json:"workflow"`
	TaskQueue        string       `json:"taskQueue"`
	Overlap          string       `json:"overlap"`
	Paused           bool         `json:"paused"`
	Note             string       `json:"note,omitempty"`
	NextRuns         []time.Time  `json:"nextRuns"`
	Runs             int          `json:"runs"`
	SkippedOverlap   int          `json:"skippedOverlap"`
	Running          []string     `json:"running"`
	Recent           []recentView `json:"recent"`
	WorkflowIDPrefix string       `json:"workflowIdPrefix,omitempty"`
}

type recentView struct {
	Scheduled  time.Time `json:"scheduled"`
	Started    time.Time `json:"started"`
	WorkflowID string    `json:"workflowId,omitempty"`
}

type scheduleDone struct {
	ID     string `json:"id"`
	Action string `json:"action"`
	Note   string `json:"note,omitempty"`
}

func cmdSchedule(ctx context.Context, c *config, tc client.Client, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 {
		return usageError{errors.New("schedule takes one action: create, describe, pause, unpause, trigger or delete")}
	}
	id := c.Ops.Schedule
	if id == "" {
		return usageError{errors.New("--id: the schedule id must not be empty")}
	}
	sc := tc.ScheduleClient()
	h := sc.GetHandle(ctx, id)
	done := func(action, note string) error {
		d := scheduleDone{ID: id, Action: action, Note: note}
		return printJSONOr(c, stdout, d, func() {
			fmt.Fprintf(stdout, "schedule %s: %s", id, action)
			if note != "" {
				fmt.Fprintf(stdout, " (%s)", note)
			}
			fmt.Fprintln(stdout)
		})
	}
	switch args[0] {
	case "create":
		spec, err := scheduleSpec(c.Ops.Every, c.Ops.Cron)
		if err != nil {
			return usageError{err}
		}
		s, err := c.loadSettings()
		if err != nil {
			return usageError{err}
		}
		_, err = sc.Create(ctx, client.ScheduleOptions{
			ID:   id,
			Spec: spec,
			Action: &client.ScheduleWorkflowAction{
				ID: "sync-run-" + id, Workflow: workflows.WorkflowSyncRun, TaskQueue: c.Temporal.TaskQueue,
				Args: []any{workflows.SyncRunInput{Settings: s, Only: c.Only}},
			},
			// Like the Boomi scheduler: a run due while the previous one is
			// still going is skipped, never queued or run alongside.
			Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		})
		if err != nil {
			var exists *serviceerror.AlreadyExists
			if errors.As(err, &exists) || strings.Contains(err.Error(), "already") {
				return fmt.Errorf("schedule %s already exists (starter schedule describe --id %s; delete it first to change it)", id, id)
			}
			return fmt.Errorf("creating schedule %s: %w", id, err)
		}
		return done("created", strings.Join(specText(spec), "; ")+", overlapping runs skipped")
	case "describe":
		d, err := h.Describe(ctx)
		if err != nil {
			return scheduleErr(id, err)
		}
		v := viewOf(id, d)
		return printJSONOr(c, stdout, v, func() { printSchedule(stdout, v) })
	case "pause":
		if err := h.Pause(ctx, client.SchedulePauseOptions{Note: "paused with starter schedule pause"}); err != nil {
			return scheduleErr(id, err)
		}
		return done("paused", "no run starts until: starter schedule unpause --id "+id)
	case "unpause":
		if err := h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: "unpaused with starter schedule unpause"}); err != nil {
			return scheduleErr(id, err)
		}
		return done("unpaused", "")
	case "trigger":
		// The schedule's own policy applies: skipped if a run is in flight.
		if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
			return scheduleErr(id, err)
		}
		return done("triggered", "a run starts now unless one is still running (then it is skipped); see starter status")
	case "delete":
		if err := h.Delete(ctx); err != nil {
			return scheduleErr(id, err)
		}
		return done("deleted", "runs in flight go on")
	}
	return usageError{fmt.Errorf("schedule %q: want create, describe, pause, unpause, trigger or delete", args[0])}
}

func scheduleErr(id string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("no schedule %s (create one: starter schedule create --id %s --every 1h)", id, id)
	}
	return fmt.Errorf("schedule %s: %w", id, err)
}

func viewOf(id string, d *client.ScheduleDescription) scheduleView {
	v := scheduleView{ID: id, Runs: d.Info.NumActions, SkippedOverlap: d.Info.NumActionsSkippedOverlap,
		NextRuns: d.Info.NextActionTimes, Running: []string{}, Recent: []recentView{}}
	if d.Schedule.Spec != nil {
		v.Spec = specText(*d.Schedule.Spec)
	}
	if a, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction); ok {
		v.TaskQueue, v.WorkflowIDPrefix = a.TaskQueue, a.ID
		if name, ok := a.Workflow.(string); ok {
			v.Workflow = name
		}
	}
	if d.Schedule.Policy != nil {
		v.Overlap = overlapName(d.Schedule.Policy.Overlap)
	}
	if d.Schedule.State != nil {
		v.Paused, v.Note = d.Schedule.State.Paused, d.Schedule.State.Note
	}
	for _, r := range d.Info.RunningWorkflows {
		v.Running = append(v.Running, r.WorkflowID)
	}
	for _, r := range d.Info.RecentActions {
		rv := recentView{Scheduled: r.ScheduleTime.UTC(), Started: r.ActualTime.UTC()}
		if r.StartWorkflowResult != nil {
			rv.WorkflowID = r.StartWorkflowResult.WorkflowID
		}
		v.Recent = append(v.Recent, rv)
	}
	for i := range v.NextRuns {
		v.NextRuns[i] = v.NextRuns[i].UTC()
	}
	return v
}

func overlapName(p enumspb.ScheduleOverlapPolicy) string {
	switch p {
	case enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED:
		return "skip" // the server's default is Skip too
	case enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE:
		return "buffer one"
	case enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL:
		return "buffer all"
	case enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER:
		return "cancel other"
	case enumspb.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER:
		return "terminate other"
	case enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL:
		return "allow all"
	}
	return p.String()
}

// specText describes a schedule's timing; the server turns cron expressions
// into calendars, which print as cron again.
func specText(s client.ScheduleSpec) []string {
	var out []string
	for _, iv := range s.Intervals {
		t := "every " + shortDuration(iv.Every)
		if iv.Offset != 0 {
			t += " offset " + shortDuration(iv.Offset)
		}
		out = append(out, t)
	}
	for _, c := range s.CronExpressions {
		out = append(out, "cron "+c+" (UTC)")
	}
	for _, c := range s.Calendars {
		out = append(out, "cron "+calendarCron(c)+" (UTC)")
	}
	return out
}

// shortDuration prints 1h rather than 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func calendarCron(c client.ScheduleCalendarSpec) string {
	fields := []string{
		rangesText(c.Minute, 0, 59), rangesText(c.Hour, 0, 23), rangesText(c.DayOfMonth, 1, 31),
		rangesText(c.Month, 1, 12), rangesText(c.DayOfWeek, 0, 6),
	}
	if sec := rangesText(c.Second, 0, 59); sec != "0" {
		fields = append([]string{sec}, fields...)
	}
	return strings.Join(fields, " ")
}

func rangesText(rs []client.ScheduleRange, lo, hi int) string {
	if len(rs) == 0 {
		return "*"
	}
	var parts []string
	for _, r := range rs {
		end := max(r.End, r.Start)
		p := strconv.Itoa(r.Start)
		switch {
		case r.Start == lo && end == hi:
			p = "*"
		case end > r.Start:
			p += "-" + strconv.Itoa(end)
		}
		if r.Step > 1 {
			p += "/" + strconv.Itoa(r.Step)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ",")
}

func printSchedule(w io.Writer, v scheduleView) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	state := "active"
	if v.Paused {
		state = "paused"
	}
	if v.Note != "" {
		state += " (" + v.Note + ")"
	}
	fmt.Fprintf(tw, "schedule\t%s\n", v.ID)
	fmt.Fprintf(tw, "when\t%s\n", strings.Join(v.Spec, "; "))
	fmt.Fprintf(tw, "starts\t%s on task queue %s (workflow ids %s-<time>)\n", v.Workflow, v.TaskQueue, v.WorkflowIDPrefix)
	fmt.Fprintf(tw, "overlap\t%s\n", v.Overlap)
	fmt.Fprintf(tw, "state\t%s\n", state)
	fmt.Fprintf(tw, "runs started\t%d (%d skipped because a run was still going)\n", v.Runs, v.SkippedOverlap)
	next := make([]string, 0, len(v.NextRuns))
	for _, t := range v.NextRuns {
		next = append(next, t.Format(timeLayout))
	}
	if v.Paused || len(next) == 0 {
		next = []string{"-"}
	}
	fmt.Fprintf(tw, "next runs (UTC)\t%s\n", strings.Join(next, ", "))
	running := strings.Join(v.Running, ", ")
	if running == "" {
		running = "-"
	}
	fmt.Fprintf(tw, "running\t%s\n", running)
	_ = tw.Flush()
	if len(v.Recent) > 0 {
		fmt.Fprintln(w, "\nrecent runs:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SCHEDULED (UTC)\tSTARTED (UTC)\tWORKFLOW ID")
		for _, r := range v.Recent {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Scheduled.Format(timeLayout), r.Started.Format(timeLayout), r.WorkflowID)
		}
		_ = tw.Flush()
	}
}
