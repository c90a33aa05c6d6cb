// Package activities holds the connector's side effects: every read and
// write of Zuora and NetSuite. Each activity is idempotent, because Temporal
// runs an activity at least once: NetSuite records are created by upsert on an
// external id derived from the Zuora id, lines carry their Zuora item id and a
// batch adds only the lines not there yet, and Zuora write-backs set values.
package activities

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Recorder counts finished records (the worker's Prometheus metrics).
type Recorder interface {
	Record(recordType, outcome string)
}

// Activities holds the clients every activity uses; the worker registers its
// methods under their names (workflows.Activity*).
type Activities struct {
	Zuora    *zuora.Client
	NetSuite *netsuite.Client
	Logger   *slog.Logger
	Metrics  Recorder
	// Now is the clock for sync dates (tests fix it).
	Now func() time.Time
	// Fence is asked before every write whether this activity attempt is
	// still current (liveness.go); the worker sets TemporalFence.
	Fence AttemptFence
	// Temporal is the worker's client: AwaitRecordSync waits on it for a
	// record workflow started elsewhere.
	Temporal client.Client
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Activities) record(recordType, outcome string) {
	if a.Metrics != nil {
		a.Metrics.Record(recordType, outcome)
	}
}

func (a *Activities) log(ctx context.Context) *slog.Logger {
	l := a.Logger
	if l == nil {
		l = slog.Default()
	}
	if activity.IsActivity(ctx) {
		info := activity.GetInfo(ctx)
		l = l.With("workflow_id", info.WorkflowExecution.ID, "activity", info.ActivityType.Name, "attempt", info.Attempt)
	}
	return l
}

// permanent reports whether an API error will not go away by retrying (a
// validation error, a rejected record): the record then ends in Error with
// the reason instead of retrying.
func permanent(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return !zuora.IsRetryable(err) && !netsuite.IsRetryable(err)
}

// retryable wraps an activity's error for Temporal: retried unless it can
// never succeed (classify: refused credentials, 4xx, bad records); its
// message carries no secret (the clients never put one in an error).
func retryable(what string, err error) error {
	return classify(what, err)
}

// heartbeat records progress so a retry resumes after the last finished
// step; the background heartbeats (liveness.go) repeat these details.
func heartbeat(ctx context.Context, details ...any) {
	if k, ok := ctx.Value(keepAliveKey{}).(*keepAlive); ok {
		k.update(details...)
	}
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, details...)
	}
}

// zuoraDate is how Zuora's connector writes SyncDate__NS.
func zuoraDate(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// statusText fits a reason into a 255-character Zuora custom field.
func statusText(prefix, reason string) string {
	s := prefix + reason
	if len(s) > 255 {
		s = s[:252] + "..."
	}
	return strings.ToValidUTF8(s, "")
}

// nsFields makes the NetSuite calls made with ctx use the account's custom
// field ids (settings netsuite.fields; the client renames them on the wire)
// and carries its date format preference for reading SuiteQL dates.
func nsFields(ctx context.Context, s settings.Settings) context.Context {
	return netsuite.WithDateFormat(netsuite.WithFieldNames(ctx, s.NetSuite.Fields.Renames()), s.NetSuite.DateFormat)
}
