package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Temporal starts the next attempt of an activity once the current one has
// not heartbeaten within its heartbeat timeout; the old attempt learns of it
// only at its next heartbeat, so both can be writing (real-api-gaps.md T1).
// Three things keep that from duplicating a NetSuite line:
//   - keepAlive (started for every activity by ErrorClassifier's
//     interceptor) heartbeats in the background for the whole call (also while
//     a request waits for a NetSuite slot, a slow answer or a short
//     Retry-After), so a live attempt never times out;
//   - stillCurrent, before every write, asks Temporal whether this attempt is
//     still the one it runs (AttemptFence) and stops a stale one;
//   - before an invoice is marked done its NetSuite lines are checked for a
//     Zuora item id present twice (invoice.go, duplicateLines).

// AttemptFence tells whether this activity attempt is still the one Temporal
// runs. Nil in Activities: only the context's cancellation is checked.
type AttemptFence interface {
	StillCurrent(ctx context.Context) error
}

// ErrStaleAttempt: Temporal runs a newer attempt of this activity (or none);
// this one must not write. Its result is discarded by Temporal anyway.
const ErrStaleAttempt = "StaleAttempt"

func staleAttempt(why string) error {
	return temporal.NewApplicationError("this activity attempt is no longer current, it stops before writing: "+why, ErrStaleAttempt)
}

// stillCurrent is checked before every write to Zuora or NetSuite.
func (a *Activities) stillCurrent(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		// The SDK cancels the context when a heartbeat is refused because
		// the attempt timed out or the activity was cancelled.
		return staleAttempt(err.Error())
	}
	if a.Fence == nil {
		return nil
	}
	return a.Fence.StillCurrent(ctx)
}

// TemporalFence is the AttemptFence that asks the Temporal server: the
// workflow's pending activity with this activity id must be at this attempt.
// One DescribeWorkflowExecution per write (no billable action).
func TemporalFence(c client.Client) AttemptFence { return temporalFence{c} }

type temporalFence struct{ c client.Client }

func (f temporalFence) StillCurrent(ctx context.Context) error {
	if !activity.IsActivity(ctx) {
		return nil
	}
	info := activity.GetInfo(ctx)
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d, err := f.c.DescribeWorkflowExecution(dctx, info.WorkflowExecution.ID, info.WorkflowExecution.RunID)
	if err != nil {
		// Not knowing is not current: the write waits for a retry.
		return &fenceUnknownError{err}
	}
	for _, pa := range d.GetPendingActivities() {
		if pa.GetActivityId() != info.ActivityID {
			continue
		}
		if pa.GetAttempt() != info.Attempt {
			return staleAttempt(fmt.Sprintf("attempt %d runs, this is attempt %d", pa.GetAttempt(), info.Attempt))
		}
		return nil
	}
	return staleAttempt("the activity is no longer pending")
}

// keepAlive heartbeats the latest details every third of the heartbeat
// timeout until stopped. The first beat comes after one interval, so a short
// call costs no heartbeat (each one that reaches Temporal is billable).
type keepAlive struct {
	mu      sync.Mutex
	details []any
	done    chan struct{}
	once    sync.Once
}

func startKeepAlive(ctx context.Context, details ...any) *keepAlive {
	k := &keepAlive{details: details, done: make(chan struct{})}
	if !activity.IsActivity(ctx) {
		return k
	}
	timeout := activity.GetInfo(ctx).HeartbeatTimeout
	if timeout <= 0 {
		return k
	}
	go func() {
		t := time.NewTicker(timeout / 3)
		defer t.Stop()
		for {
			select {
			case <-k.done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				k.mu.Lock()
				d := k.details
				k.mu.Unlock()
				activity.RecordHeartbeat(ctx, d...)
			}
		}
	}()
	return k
}

type keepAliveKey struct{}

// previousDetails are the last attempt's heartbeat details, carried by the
// background beats until this attempt records its own (a beat without them
// would erase what the next attempt resumes from).
func previousDetails(ctx context.Context) []any {
	if !activity.IsActivity(ctx) || !activity.HasHeartbeatDetails(ctx) {
		return nil
	}
	var raw json.RawMessage
	if err := activity.GetHeartbeatDetails(ctx, &raw); err != nil {
		return nil
	}
	return []any{raw}
}

// update sets the details the next beats carry.
func (k *keepAlive) update(details ...any) {
	k.mu.Lock()
	k.details = details
	k.mu.Unlock()
}

func (k *keepAlive) stop() { k.once.Do(func() { close(k.done) }) }

// isStale reports an error from stillCurrent saying this attempt is stale.
func isStale(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.Type() == ErrStaleAttempt
}

// stopWriting: the attempt must end now without writing anything more (it is
// stale, or Temporal could not say it is current).
func stopWriting(err error) bool {
	var unknown *fenceUnknownError
	return isStale(err) || errors.As(err, &unknown)
}

// fenceUnknownError: Temporal could not be asked; retried.
type fenceUnknownError struct{ err error }

func (e *fenceUnknownError) Error() string {
	return "asking Temporal whether this attempt is current: " + e.err.Error()
}
func (e *fenceUnknownError) Unwrap() error { return e.err }
