package activities

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Error types an activity failure carries to the workflow (and the UI).
const (
	// ErrUnavailable: a fault that may go away (429, 5xx, no answer, an
	// unreadable answer, a stale read); Temporal retries it.
	ErrUnavailable = "APIUnavailable"
	// ErrAuthRefused: Zuora or NetSuite refused the credentials. Retrying
	// changes nothing until an operator fixes them, so it is not retried.
	ErrAuthRefused = "AuthRefused"
	// ErrRefused: a 4xx other than 408/409/429 (the request itself is wrong
	// for this tenant, e.g. an Invoice Settlement tenant's 400 on
	// adjustments): not retried.
	ErrRefused = "APIRefused"
	// ErrBadRecord: a record the connector cannot use as it is: not retried.
	ErrBadRecord = "BadRecord"
)

// classify turns an activity's error into the ApplicationError Temporal acts
// on: non-retryable for refused credentials, 4xx refusals (except 408, 409,
// 429) and bad records; retryable otherwise, with the server's Retry-After
// as the next retry delay, so no attempt sleeps through a long Retry-After
// (it would stop heartbeating or outlive its timeout). An error already an
// ApplicationError, or a cancellation, is left as it is.
func classify(what string, err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return err
	}
	msg := err.Error()
	if what != "" {
		msg = what + ": " + msg
	}
	if kind := refusal(err); kind != "" {
		return temporal.NewNonRetryableApplicationError(msg, kind, err)
	}
	return temporal.NewApplicationErrorWithOptions(msg, ErrUnavailable, temporal.ApplicationErrorOptions{
		Cause: err, NextRetryDelay: retryAfter(err),
	})
}

// refusal is the non-retryable error type of err, or "" when retrying may help.
func refusal(err error) string {
	var zauth *zuora.AuthError
	if errors.As(err, &zauth) {
		return ErrAuthRefused
	}
	var bad *zuora.BadRecordError
	var prob *mapping.Problem
	var probV mapping.Problem
	if errors.As(err, &bad) || errors.As(err, &prob) || errors.As(err, &probV) {
		return ErrBadRecord
	}
	status, clientSaysRetry := 0, false
	var za *zuora.APIError
	var na *netsuite.APIError
	switch {
	case errors.As(err, &na):
		status, clientSaysRetry = na.Status, na.Retryable
	case errors.As(err, &za):
		status, clientSaysRetry = za.Status, za.Retryable
	default:
		return ""
	}
	// The client knows better for NetSuite's spurious "Invalid login
	// attempt" 401 under its concurrency limit: retryable.
	if clientSaysRetry || status < 400 || status >= 500 {
		return ""
	}
	switch status {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return ""
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrAuthRefused
	}
	return ErrRefused
}

// retryAfter is the delay the server asked for (Retry-After, RateLimit-Reset), 0 if none.
func retryAfter(err error) time.Duration {
	var na *netsuite.APIError
	if errors.As(err, &na) && na.RetryAfter > 0 {
		return na.RetryAfter
	}
	var za *zuora.APIError
	if errors.As(err, &za) && za.RetryAfter > 0 {
		return za.RetryAfter
	}
	return 0
}

// ErrorClassifier is the worker interceptor every activity runs in: it
// heartbeats in the background for the whole call when the activity has a
// heartbeat timeout (liveness.go), and classifies the returned error
// (classify), so an activity that returns a client error as it is still gets
// the right retry decision.
func ErrorClassifier() interceptor.WorkerInterceptor { return &classifierWorker{} }

type classifierWorker struct {
	interceptor.WorkerInterceptorBase
}

func (w *classifierWorker) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &classifierActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type classifierActivity struct {
	interceptor.ActivityInboundInterceptorBase
}

func (a *classifierActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (interface{}, error) {
	k := startKeepAlive(ctx, previousDetails(ctx)...)
	defer k.stop()
	res, err := a.Next.ExecuteActivity(context.WithValue(ctx, keepAliveKey{}, k), in)
	return res, classify("", err)
}
