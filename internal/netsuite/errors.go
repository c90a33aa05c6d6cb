package netsuite

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// APIError is a NetSuite error answer ("o:errorDetails") or a transport failure.
type APIError struct {
	Status     int    // HTTP status; 0 = no response (network error, connection closed)
	Title      string // "Bad Request"
	Code       string // o:errorCode, e.g. INVALID_KEY_OR_REF, DUP_RCRD
	Detail     string
	Path       string // o:errorPath, e.g. item.items[3].item
	Endpoint   string // "POST /record/v1/invoice"
	Retryable  bool
	RetryAfter time.Duration
	cause      error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "netsuite %s: ", e.Endpoint)
	if e.Status == 0 {
		fmt.Fprintf(&b, "no response: %v", e.cause)
		return b.String()
	}
	fmt.Fprintf(&b, "%d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	} else if e.Title != "" {
		fmt.Fprintf(&b, ": %s", e.Title)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, " (at %s)", e.Path)
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.cause }

// IsRetryable reports whether repeating the call may succeed: 429, 5xx,
// no response, the spurious "Invalid login attempt" under load, a malformed answer.
func IsRetryable(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Retryable
}

// IsNotFound reports a 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

type errorBody struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	Status  int    `json:"status"`
	Details []struct {
		Detail string `json:"detail"`
		Code   string `json:"o:errorCode"`
		Path   string `json:"o:errorPath"`
	} `json:"o:errorDetails"`
}

// decodeError reads an error answer. A body that is not NetSuite's error
// JSON (an HTML page from a proxy, a truncated body) is still an APIError,
// with an excerpt so the operator sees what came back.
func decodeError(endpoint string, status int, body []byte) *APIError {
	e := &APIError{Status: status, Endpoint: endpoint, Title: http.StatusText(status)}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil || (eb.Title == "" && len(eb.Details) == 0) {
		e.Detail = "unexpected answer: " + excerpt(body)
	} else {
		if eb.Title != "" {
			e.Title = eb.Title
		}
		if len(eb.Details) > 0 {
			e.Detail, e.Code, e.Path = eb.Details[0].Detail, eb.Details[0].Code, eb.Details[0].Path
		}
	}
	e.Retryable = status == http.StatusTooManyRequests || status >= 500
	return e
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}
