package itest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/zuora-netsuite/connector/activities"
)

// The current-attempt check against the real server (real-api-gaps.md T1):
// an attempt that stopped heartbeating past its heartbeat timeout is told it
// is stale by TemporalFence before its next write, while the attempt
// Temporal started after it is current.
func TestTemporalFence_AttemptPastItsHeartbeatTimeoutIsStaleTheNextIsCurrent(t *testing.T) {
	e := New(t, nil, Options{NoWorker: true})
	fence := activities.TemporalFence(e.Temporal)
	var mu sync.Mutex
	verdicts := map[int32]string{}
	release, oneChecked := make(chan struct{}), make(chan struct{})
	fenced := func(ctx context.Context) error {
		n := activity.GetInfo(ctx).Attempt
		if n == 1 {
			<-release // a stalled attempt: no heartbeat for longer than the timeout
		}
		v := "current"
		if err := fence.StillCurrent(ctx); err != nil {
			v = err.Error()
		}
		mu.Lock()
		verdicts[n] = v
		mu.Unlock()
		if n == 1 {
			close(oneChecked)
			return nil
		}
		// Attempt 2 stays running while attempt 1 checks: Temporal shows
		// attempt 2 pending then, not attempt 1.
		close(release)
		select {
		case <-oneChecked:
		case <-time.After(20 * time.Second):
		}
		return nil
	}
	wf := func(ctx workflow.Context) error {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: time.Minute, HeartbeatTimeout: 2 * time.Second,
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 3},
		})
		return workflow.ExecuteActivity(ctx, "Fenced").Get(ctx, nil)
	}
	w := worker.New(e.Temporal, e.TaskQueue, worker.Options{})
	w.RegisterActivityWithOptions(fenced, activity.RegisterOptions{Name: "Fenced"})
	w.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: "FenceProbe"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "fence-probe", TaskQueue: e.TaskQueue}, "FenceProbe")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("verdicts: %v", verdicts)
	if verdicts[2] != "current" {
		t.Errorf("attempt 2 (the one Temporal runs) was told %q", verdicts[2])
	}
	if v, ok := verdicts[1]; !ok || !strings.Contains(v, "attempt 2 runs, this is attempt 1") {
		t.Errorf("attempt 1, past its heartbeat timeout, was told %q: it would write alongside attempt 2", v)
	}
}
