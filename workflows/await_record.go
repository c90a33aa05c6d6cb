package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// One record, one writer, one answer: a run that meets a record whose sync
// workflow is already running (a single-record sync from the CLI, another
// run) does not start a second writer (the workflow id refuses it) and does
// not count the record "skipped": it waits for that workflow's outcome and
// counts it.

// ActivityAwaitRecordSync waits for a running record workflow and returns its outcome.
const ActivityAwaitRecordSync = "AwaitRecordSync"

// AwaitRecordInput names the record workflow to wait for.
type AwaitRecordInput struct {
	WorkflowID string `json:"workflowId"`
}

// RecordOutcome is the part of every record workflow's result a run reads.
type RecordOutcome struct {
	Outcome       string `json:"outcome"`
	Reason        string `json:"reason,omitempty"`
	Number        string `json:"number,omitempty"`
	InvoiceNumber string `json:"invoiceNumber,omitempty"`
}

// versionAwaitRunning guards the wait (docs/operations.md): histories
// recorded before it counted such a record skipped.
const versionAwaitRunning = "await-running-record-sync"

// awaitOptions: the other workflow may write a large invoice for hours; the
// wait heartbeats all along (activities/liveness.go).
func awaitOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout:    12 * time.Hour,
		ScheduleToCloseTimeout: 24 * time.Hour,
		HeartbeatTimeout:       3 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 2 * time.Minute, MaximumAttempts: 10,
		},
	}
}
