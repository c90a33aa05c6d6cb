package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/workflows"
)

// AwaitRecordSync waits for the workflow already syncing a record (started by
// a single-record sync or another run) and returns its outcome, so the run
// counts what happened to the record instead of "skipped". It heartbeats in
// the background while it waits (liveness.go).
func (a *Activities) AwaitRecordSync(ctx context.Context, in workflows.AwaitRecordInput) (workflows.RecordOutcome, error) {
	if a.Temporal == nil {
		return workflows.RecordOutcome{}, temporal.NewNonRetryableApplicationError("the worker has no Temporal client to wait for "+in.WorkflowID, "NoTemporalClient", nil)
	}
	var out workflows.RecordOutcome
	err := a.Temporal.GetWorkflow(ctx, in.WorkflowID, "").Get(ctx, &out)
	var wfErr *temporal.WorkflowExecutionError
	if errors.As(err, &wfErr) {
		// The other workflow failed, timed out or was terminated: the record
		// counts as an error of this run, with the reason.
		return workflows.RecordOutcome{Outcome: workflows.OutcomeError,
			Reason: fmt.Sprintf("its sync workflow %s ended without an outcome: %v", in.WorkflowID, err)}, nil
	}
	if err != nil {
		return workflows.RecordOutcome{}, fmt.Errorf("waiting for %s: %w", in.WorkflowID, err)
	}
	return out, nil
}
