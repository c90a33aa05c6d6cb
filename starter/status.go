package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/workflows"
)

// opsFlags are the flags of the status, errors, schedule and reconcile commands.
type opsFlags struct {
	Limit    int
	Type     string
	Account  string
	Schedule string
	Every    time.Duration
	Cron     string
	From     string
	To       string
}

func (o *opsFlags) addFlags(fs *pflag.FlagSet) {
	fs.IntVar(&o.Limit, "limit", 0, "status: runs to show (default 10); errors: records to show (default 100)")
	fs.StringVar(&o.Type, "type", "", "errors: only this record type: "+strings.Join(errorTypes, ", "))
	fs.StringVar(&o.Account, "account", "", "errors: only this Zuora account number, e.g. A-00012")
	fs.StringVar(&o.Schedule, "id", defaultScheduleID, "schedule: the schedule id")
	fs.DurationVar(&o.Every, "every", 0, "schedule create: run every this long, e.g. 1h or 15m")
	fs.StringVar(&o.Cron, "cron", "", `schedule create: run on this cron spec (UTC), e.g. "0 2 * * *"`)
	fs.StringVar(&o.From, "from", "", "reconcile: first invoice date, YYYY-MM-DD")
	fs.StringVar(&o.To, "to", "", "reconcile: last invoice date, YYYY-MM-DD")
}

// rpcTimeout bounds one query or describe call, so a run without a worker
// (its query would wait for one) does not hang the listing.
const rpcTimeout = 5 * time.Second

// runRow is one sync run as `status` shows it.
type runRow struct {
	WorkflowID string                 `json:"workflowId"`
	RunID      string                 `json:"runId"`
	Status     string                 `json:"status"`
	Started    time.Time              `json:"started"`
	Closed     *time.Time             `json:"closed,omitempty"`
	Phase      string                 `json:"phase,omitempty"`
	InFlight   int                    `json:"inFlight,omitempty"`
	Progress   *workflows.RunProgress `json:"progress,omitempty"`
	Errors     int                    `json:"errorsListed,omitempty"`
	Failure    string                 `json:"failure,omitempty"`
	Note       string                 `json:"note,omitempty"`
}

// statusQuery lists the sync runs of the starter's task queue (a namespace
// may serve several tenants, one queue each); continued-as-new generations
// are dropped client-side (the last generation stands for the run).
func statusQuery(taskQueue string) string {
	return fmt.Sprintf("WorkflowType = %q AND TaskQueue = %q", workflows.WorkflowSyncRun, taskQueue)
}

func cmdStatus(ctx context.Context, c *config, tc client.Client, args []string, stdout, _ io.Writer) error {
	if len(args) != 0 {
		return usageError{fmt.Errorf("status takes no argument, got %q", strings.Join(args, " "))}
	}
	limit := c.Ops.Limit
	if limit == 0 {
		limit = 10
	}
	if limit < 0 {
		return usageError{fmt.Errorf("--limit %d: must be positive", limit)}
	}
	execs, err := listExecutions(ctx, c, tc, statusQuery(c.Temporal.TaskQueue), limit, func(ex *workflowpb.WorkflowExecutionInfo) bool {
		return ex.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
	})
	if err != nil {
		return err
	}
	rows := make([]runRow, 0, len(execs))
	for _, ex := range execs {
		rows = append(rows, describeRun(ctx, tc, ex))
	}
	return printJSONOr(c, stdout, rows, func() { printStatusTable(stdout, rows) })
}

// listExecutions pages through a visibility query until limit executions pass keep.
func listExecutions(ctx context.Context, c *config, tc client.Client, query string, limit int, keep func(*workflowpb.WorkflowExecutionInfo) bool) ([]*workflowpb.WorkflowExecutionInfo, error) {
	var out []*workflowpb.WorkflowExecutionInfo
	var token []byte
	for {
		resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: c.Temporal.Namespace, PageSize: int32(min(max(limit, 10), 1000)), NextPageToken: token, Query: query,
		})
		if err != nil {
			return nil, fmt.Errorf("listing workflows (%s): %w", query, err)
		}
		for _, ex := range resp.GetExecutions() {
			if keep == nil || keep(ex) {
				out = append(out, ex)
				if len(out) == limit {
					return out, nil
				}
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return out, nil
		}
	}
}

func describeRun(ctx context.Context, tc client.Client, ex *workflowpb.WorkflowExecutionInfo) runRow {
	row := runRow{
		WorkflowID: ex.GetExecution().GetWorkflowId(), RunID: ex.GetExecution().GetRunId(),
		Status: statusName(ex.GetStatus()), Started: ex.GetStartTime().AsTime().UTC(),
	}
	if ct := ex.GetCloseTime(); ct != nil && ex.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t := ct.AsTime().UTC()
		row.Closed = &t
	}
	cctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	// Visibility lags; the execution itself says whether it has closed.
	if ex.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		if d, err := tc.DescribeWorkflowExecution(cctx, row.WorkflowID, row.RunID); err == nil {
			ex = d.GetWorkflowExecutionInfo()
			row.Status = statusName(ex.GetStatus())
			if ct := ex.GetCloseTime(); ct != nil && ex.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				t := ct.AsTime().UTC()
				row.Closed = &t
			}
		}
	}
	switch ex.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		v, err := tc.QueryWorkflow(cctx, row.WorkflowID, row.RunID, workflows.QueryProgress)
		var st workflows.SyncRunStatus
		if err == nil {
			err = v.Get(&st)
		}
		if err != nil {
			row.Note = "no progress answer (is a worker running?)"
			return row
		}
		row.Phase, row.InFlight, row.Progress = st.Phase, st.InFlight, &st.Progress
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		var res workflows.SyncRunResult
		if err := tc.GetWorkflow(cctx, row.WorkflowID, row.RunID).Get(cctx, &res); err != nil {
			row.Note = "result unreadable: " + err.Error()
			return row
		}
		row.Phase, row.Progress, row.Errors = workflows.PhaseDone, &res.Progress, len(res.Errors)+res.ErrorsOmitted
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		err := tc.GetWorkflow(cctx, row.WorkflowID, row.RunID).Get(cctx, nil)
		if err != nil {
			row.Failure = innermost(err)
		}
	}
	return row
}

// innermost is the deepest message of a wrapped error: the cause an operator acts on.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func statusName(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return "Running"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return "Completed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return "Failed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "Canceled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return "Terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return "ContinuedAsNew"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return "TimedOut"
	}
	return s.String()
}

// total is every record type's tallies together.
func total(p workflows.RunProgress) workflows.Counts {
	var t workflows.Counts
	for _, c := range []workflows.Counts{p.Customers, p.Charges, p.Invoices, p.Adjustments, p.RevRec} {
		t.Selected += c.Selected
		t.Synced += c.Synced
		t.Errored += c.Errored
		t.Ignored += c.Ignored
		t.Skipped += c.Skipped
	}
	return t
}

const timeLayout = "2006-01-02 15:04:05"

func printStatusTable(w io.Writer, rows []runRow) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "no sync runs yet (start one: starter sync --wait)")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKFLOW ID\tSTATUS\tSTARTED (UTC)\tCLOSED (UTC)\tPHASE\tSELECTED\tSYNCED\tERROR\tIGNORED\tSKIPPED\tNOTE")
	for _, r := range rows {
		closed := "-"
		if r.Closed != nil {
			closed = r.Closed.Format(timeLayout)
		}
		phase, counts := "-", "-\t-\t-\t-\t-"
		if r.Phase != "" {
			phase = r.Phase
		}
		if r.Progress != nil {
			t := total(*r.Progress)
			counts = fmt.Sprintf("%d\t%d\t%d\t%d\t%d", t.Selected, t.Synced, t.Errored, t.Ignored, t.Skipped)
		}
		note := r.Note
		if r.Failure != "" {
			note = "failed: " + r.Failure
		} else if r.InFlight > 0 {
			note = fmt.Sprintf("%d in flight", r.InFlight)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.WorkflowID, r.Status, r.Started.Format(timeLayout), closed, phase, counts, note)
	}
	_ = tw.Flush()
}
