package zuora

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// APIError is a refusal from Zuora, decoded from either of its error shapes.
// It never carries credentials.
type APIError struct {
	Status     int    // HTTP status; 0 when no response arrived
	Code       string // Zuora error code, when given
	Message    string
	RequestID  string // Zuora-Request-Id, to quote to Zuora support
	Endpoint   string // method and path, e.g. "PUT /v1/invoices/{id}"
	Retryable  bool
	RetryAfter time.Duration // from Retry-After / RateLimit-Reset on 429
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("zuora ")
	b.WriteString(e.Endpoint)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s)", e.RequestID)
	}
	return b.String()
}

// AuthError means Zuora refused the credentials, even after a fresh token.
type AuthError struct{ APIError }

func (e *AuthError) Error() string {
	return e.APIError.Error() + ": check the OAuth client id and secret"
}

// IsRetryable reports whether err may go away by trying again (429, 5xx,
// a network error or a lost response).
func IsRetryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Retryable
	}
	var au *AuthError
	if errors.As(err, &au) {
		return false
	}
	var de *DecodeError
	if errors.As(err, &de) {
		return de.Retryable
	}
	return false
}

// IsNotFound reports a 404 from Zuora.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// DecodeError is a response Zuora sent that is not what the API promises
// (HTML, truncated JSON, wrong types). An HTML or empty body on a 5xx is
// retryable; a malformed 200 is retryable too, as it is usually a proxy's.
type DecodeError struct {
	Endpoint  string
	Status    int
	Excerpt   string
	Err       error
	Retryable bool
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("zuora %s: %d with an unreadable body (%v): %q", e.Endpoint, e.Status, e.Err, e.Excerpt)
}
func (e *DecodeError) Unwrap() error { return e.Err }

func excerpt(b []byte) string {
	const n = 200
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// errorBody covers both shapes: PascalCase `{"Success":false,"Errors":[{"Code","Message"}]}`
// (object and actions APIs) and camelCase `{"success":false,"reasons":[{"code","message"}]}`
// (current REST), plus `{"message":...}` (401, gateways) and the 429 `{"code","message"}`.
type errorBody struct {
	SuccessUpper *bool `json:"Success"`
	SuccessLower *bool `json:"success"`
	Errors       []struct {
		Code    flexString `json:"Code"`
		Message string     `json:"Message"`
	} `json:"Errors"`
	Reasons []struct {
		Code    flexString `json:"code"`
		Message string     `json:"message"`
	} `json:"reasons"`
	Message string     `json:"message"`
	Code    flexString `json:"code"`
	// ZOQL faults: {"FaultCode":"INVALID_FIELD","FaultMessage":"invalid field for query: Invoice.Foo"}.
	FaultCode    flexString `json:"FaultCode"`
	FaultMessage string     `json:"FaultMessage"`
	RequestID    string     `json:"requestId"`
	ProcessID    string     `json:"processId"`
}

// flexString accepts a JSON string or number (Zuora sends codes as both).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("error code is neither string nor number: %s", excerpt(b))
	}
	*f = flexString(n.String())
	return nil
}

// failed reports whether a decodable body says the call failed, and why.
func (b *errorBody) failed() (bool, string, string) {
	if (b.SuccessUpper != nil && !*b.SuccessUpper) || (b.SuccessLower != nil && !*b.SuccessLower) {
		var codes, msgs []string
		for _, e := range b.Errors {
			codes, msgs = append(codes, string(e.Code)), append(msgs, e.Message)
		}
		for _, r := range b.Reasons {
			codes, msgs = append(codes, string(r.Code)), append(msgs, r.Message)
		}
		if len(msgs) == 0 && b.Message != "" {
			msgs = append(msgs, b.Message)
		}
		return true, strings.Join(codes, ","), strings.Join(msgs, "; ")
	}
	return false, "", ""
}

// decodeError turns a non-2xx response (or a 2xx that says success=false)
// into an error. It never panics, whatever the body.
func decodeError(endpoint string, status int, h http.Header, body []byte) error {
	ae := &APIError{Status: status, Endpoint: endpoint, RequestID: h.Get("Zuora-Request-Id")}
	ae.Retryable = status == http.StatusTooManyRequests || status >= 500
	if status == http.StatusTooManyRequests {
		ae.RetryAfter = retryAfter(h)
	}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		if status >= 200 && status < 300 {
			return &DecodeError{Endpoint: endpoint, Status: status, Excerpt: excerpt(body), Err: err, Retryable: true}
		}
		ae.Message = strings.TrimSpace(excerpt(body))
		if strings.Contains(strings.ToLower(ae.Message), "<html") {
			ae.Message = "an HTML error page instead of JSON: " + ae.Message
		}
		return ae
	}
	if ok, codes, msgs := eb.failed(); ok {
		ae.Code, ae.Message = codes, msgs
	} else if eb.FaultCode != "" {
		ae.Code, ae.Message = string(eb.FaultCode), eb.FaultMessage
	} else {
		ae.Code, ae.Message = string(eb.Code), eb.Message
	}
	if IsTransientCode(ae.Code) {
		ae.Retryable = true
	}
	if ae.RequestID == "" {
		ae.RequestID = eb.RequestID
	}
	if ae.Message == "" {
		ae.Message = http.StatusText(status)
	}
	return ae
}

// retryAfter reads Retry-After (seconds or an HTTP date) or RateLimit-Reset (seconds).
func retryAfter(h http.Header) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := time.Until(t); d > 0 {
				return d
			}
		}
	}
	if v := h.Get("RateLimit-Reset"); v != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
	}
	return 0
}

// BadRecordError is a Zuora record the connector cannot use as it is (a
// required field missing): not retried; the record ends in Error with this
// text, which names the record and the field to fix.
type BadRecordError struct {
	Object, ID, Field, Problem string
}

func (e *BadRecordError) Error() string {
	return fmt.Sprintf("Zuora %s %s: field %s %s", e.Object, e.ID, e.Field, e.Problem)
}

// IsTransientCode reports a Zuora error code worth retrying
// (developer.zuora.com "Error handling": 8-digit codes ending 50 lock
// competition, 61 temporary error, 70 concurrency). codes may list several,
// comma-separated; one transient code is enough.
func IsTransientCode(codes string) bool {
	for _, c := range strings.Split(codes, ",") {
		c = strings.TrimSpace(c)
		if len(c) != 8 || strings.Trim(c, "0123456789") != "" {
			continue
		}
		switch c[6:] {
		case "50", "61", "70":
			return true
		}
	}
	return false
}
