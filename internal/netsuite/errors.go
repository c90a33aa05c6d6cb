package netsuite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// APIError is a NetSuite error answer ("o:errorDetails"), an answer the
// client could not read, or a transport failure (Status 0).
type APIError struct {
	Status     int    // HTTP status; 0 = no response (network error, connection closed)
	Title      string // "Bad Request"
	Code       string // o:errorCode of the first detail, e.g. INVALID_KEY_OR_REF, DUP_RCRD
	Detail     string // the details' text, joined with "; "
	Path       string // o:errorPath of the first detail, e.g. item.items[3].item
	Endpoint   string // "POST /record/v1/invoice"
	Retryable  bool   // repeating the call may succeed
	RetryAfter time.Duration
	cause      error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "netsuite %s: ", e.Endpoint)
	if e.Status == 0 {
		b.WriteString("no response")
		if e.cause != nil {
			fmt.Fprintf(&b, ": %v", e.cause)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	switch {
	case e.Detail != "":
		fmt.Fprintf(&b, ": %s", e.Detail)
	case e.Title != "":
		fmt.Fprintf(&b, ": %s", e.Title)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, " (at %s)", e.Path)
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.cause }

// IsRetryable reports whether repeating the call may succeed: 429, 5xx, no
// response, an unreadable success answer, and the spurious "Invalid login
// attempt" NetSuite gives working credentials over its concurrency limit.
func IsRetryable(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Retryable
}

// IsNotFound reports a 404 (unknown record or external id).
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// refusedNotWritten: NetSuite refused the request for its concurrency or
// rate limit before doing anything (real-api-gaps N7: RESTlets and, in some
// reports, REST answer 400 SSS_REQUEST_LIMIT_EXCEEDED; SOAP WS_REQUEST_BLOCKED).
func refusedNotWritten(e *APIError) bool {
	return e.Status == http.StatusBadRequest && (e.Code == "SSS_REQUEST_LIMIT_EXCEEDED" || e.Code == "WS_REQUEST_BLOCKED" ||
		e.Code == "CONCURRENCY_LIMIT_EXCEEDED")
}

// recordChanged: two writes touched one record at once and NetSuite refused
// this one (N10, "Record has been changed"); nothing of it was written and a
// repeat may succeed (NetSweet/netsuite utilities.rb retries it).
func recordChanged(e *APIError) bool {
	return e.Code == "RCRD_HAS_BEEN_CHANGED" || strings.Contains(e.Detail, "Record has been changed")
}

// retryableStatus is the classification by status alone; the spurious 401
// needs the client's history and is decided in the client.
func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// errorBody is NetSuite's RFC 7807-like error document. Status is raw so a
// string status does not make a readable error unreadable.
type errorBody struct {
	Type    string          `json:"type"`
	Title   string          `json:"title"`
	Status  json.RawMessage `json:"status"`
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
	e := &APIError{Status: status, Endpoint: endpoint, Title: http.StatusText(status), Retryable: retryableStatus(status)}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil || (eb.Title == "" && len(eb.Details) == 0) {
		e.Detail = "unexpected answer, not NetSuite's error JSON: " + excerpt(body)
		return e
	}
	if eb.Title != "" {
		e.Title = eb.Title
	}
	var details []string
	for i, d := range eb.Details {
		if i == 0 {
			e.Code, e.Path = d.Code, d.Path
		}
		if d.Detail != "" {
			details = append(details, d.Detail)
		}
	}
	e.Detail = strings.Join(details, "; ")
	return e
}

// retryAfter reads Retry-After in seconds or as an HTTP date; 0 when absent
// or unreadable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, 24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// excerpt is at most 200 bytes of a body, cut on a rune boundary, with
// whitespace runs folded so it fits on a log line.
func excerpt(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "(empty body)"
	}
	cut := len(b) > 200
	if cut {
		n := 200
		for n > 0 && !utf8.RuneStart(b[n]) {
			n--
		}
		b = b[:n]
	}
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "\uFFFD")), " ")
	if cut {
		s += "…"
	}
	return fmt.Sprintf("%q", s)
}
