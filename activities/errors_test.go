package activities_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// activityEnv runs activities the way the worker does: with the error classifier.
func activityEnv(t *testing.T) *testsuite.TestActivityEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{activities.ErrorClassifier()}})
	return env
}

func appError(t *testing.T, err error) *temporal.ApplicationError {
	t.Helper()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		t.Fatalf("want an ApplicationError, got %T: %v", err, err)
	}
	return ae
}

// Today a refused credential was retried forever by the selection: it must
// fail at once, non-retryable, saying so.
func TestActivityErrors_RefusedCredentialIsNotRetried(t *testing.T) {
	a, sb := sandboxTenant(t, generated(t, "seed=3,accounts=2,invoices=3"))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	apis := app.APIConfig{ZuoraURL: sb.ZuoraURL(), ZuoraClientID: "connector", ZuoraClientSecret: "not-the-secret", HTTPTimeout: time.Minute}
	z, err := apis.NewZuora(quiet, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.Zuora = z
	env := activityEnv(t)
	env.RegisterActivityWithOptions(a.SelectInvoices, activity.RegisterOptions{Name: workflows.ActivitySelectInvoices})
	_, err = env.ExecuteActivity(workflows.ActivitySelectInvoices, workflows.SelectInput{Settings: settings.Default(), Limit: 10})
	ae := appError(t, err)
	if !ae.NonRetryable() || ae.Type() != activities.ErrAuthRefused {
		t.Fatalf("refused credential: type %q non-retryable %v (%v); want %s, non-retryable", ae.Type(), ae.NonRetryable(), err, activities.ErrAuthRefused)
	}
}

// 4xx answers other than 408/409/429 are not retried; those three, 5xx and
// no answer are; a Retry-After is handed to Temporal as the next retry delay
// instead of slept in the attempt.
func TestActivityErrors_4xxNotRetriedExcept408_409_429_RetryAfterIsNextRetryDelay(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		retryable bool
		typ       string
		delay     time.Duration
	}{
		{"IS tenant's 400 on adjustments", &zuora.APIError{Status: 400, Code: "53100020", Message: "Invoice Settlement is enabled"}, false, activities.ErrRefused, 0},
		{"NetSuite 400", &netsuite.APIError{Status: 400, Code: "INVALID_KEY_OR_REF"}, false, activities.ErrRefused, 0},
		{"NetSuite 403", &netsuite.APIError{Status: 403}, false, activities.ErrAuthRefused, 0},
		{"Zuora refused credential", &zuora.AuthError{APIError: zuora.APIError{Status: 401}}, false, activities.ErrAuthRefused, 0},
		{"bad record", &zuora.BadRecordError{Object: "Invoice", ID: "i1", Field: "AccountId", Problem: "is empty"}, false, activities.ErrBadRecord, 0},
		{"NetSuite spurious 401 the client calls retryable", &netsuite.APIError{Status: 401, Retryable: true}, true, activities.ErrUnavailable, 0},
		{"408", &zuora.APIError{Status: 408}, true, activities.ErrUnavailable, 0},
		{"409", &netsuite.APIError{Status: 409}, true, activities.ErrUnavailable, 0},
		{"Zuora 429 with Retry-After", &zuora.APIError{Status: 429, Retryable: true, RetryAfter: 90 * time.Second}, true, activities.ErrUnavailable, 90 * time.Second},
		{"NetSuite 429 with Retry-After", &netsuite.APIError{Status: 429, Retryable: true, RetryAfter: 5 * time.Minute}, true, activities.ErrUnavailable, 5 * time.Minute},
		{"503", &netsuite.APIError{Status: 503, Retryable: true}, true, activities.ErrUnavailable, 0},
		{"no answer", &netsuite.APIError{Status: 0, Retryable: true}, true, activities.ErrUnavailable, 0},
		{"plain error", errors.New("read back without its total"), true, activities.ErrUnavailable, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := activityEnv(t)
			env.RegisterActivityWithOptions(func(context.Context) error { return c.err }, activity.RegisterOptions{Name: "Failing"})
			_, err := env.ExecuteActivity("Failing")
			ae := appError(t, err)
			if ae.NonRetryable() == c.retryable || ae.Type() != c.typ {
				t.Fatalf("type %q non-retryable %v; want %q non-retryable %v", ae.Type(), ae.NonRetryable(), c.typ, !c.retryable)
			}
			if ae.NextRetryDelay() != c.delay {
				t.Fatalf("next retry delay %v, want %v", ae.NextRetryDelay(), c.delay)
			}
		})
	}
}

// Today an Invoice Settlement tenant's 400 on adjustments looped forever:
// the selection must fail at once, non-retryable, with Zuora's reason.
func TestActivityErrors_InvoiceSettlementTenants400OnAdjustmentsIsNotRetried(t *testing.T) {
	a, sb := sandboxTenant(t, generated(t, "seed=4,accounts=2,invoices=3,adjustments=3"))
	setInvoiceSettlement(t, sb, true)
	env := activityEnv(t)
	env.RegisterActivityWithOptions(a.SelectAdjustments, activity.RegisterOptions{Name: workflows.ActivitySelectAdjustments})
	_, err := env.ExecuteActivity(workflows.ActivitySelectAdjustments, workflows.SelectInput{Settings: settings.Default(), Limit: 10})
	ae := appError(t, err)
	if !ae.NonRetryable() || ae.Type() != activities.ErrRefused {
		t.Fatalf("IS tenant's adjustments: type %q non-retryable %v (%v); want %s, non-retryable", ae.Type(), ae.NonRetryable(), err, activities.ErrRefused)
	}
	t.Log(err)
}
