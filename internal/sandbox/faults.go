package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Duration is a time.Duration written as "50ms" in JSON.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string like \"50ms\": %w", err)
	}
	if s == "" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Faults are what an API does wrong on purpose, so tests and demos see the
// failures real tenants show (docs/wire.md, "Sandbox admin").
type Faults struct {
	ReadLatency  Duration `json:"readLatency"`
	WriteLatency Duration `json:"writeLatency"`
	// ReadLatencyMax, when above ReadLatency, makes a read's latency uniform
	// in [ReadLatency, ReadLatencyMax] (NetSuite reads take 100–500 ms; the
	// bench uses it).
	ReadLatencyMax Duration `json:"readLatencyMax,omitempty"`
	ErrorRate      float64  `json:"errorRate"`     // 500/502/503, JSON or an HTML page
	RateLimitRate  float64  `json:"rateLimitRate"` // 429
	AmbiguousRate  float64  `json:"ambiguousRate"` // a write commits, then the connection closes with no response
	MalformedRate  float64  `json:"malformedRate"` // a read answers 200 with a broken body
	// SpuriousAuthRate answers NetSuite's "Invalid login attempt" 401 to a
	// correctly signed request, as NetSuite does over its concurrency limit.
	SpuriousAuthRate float64  `json:"spuriousAuthRate"`
	Concurrency      int      `json:"concurrency"` // requests in flight before 429; 0 = unlimited
	TokenTTL         Duration `json:"tokenTTL"`    // Zuora OAuth token lifetime; 0 = 1h
	// SlowRate is the share of requests held SlowLatency (default 2s) before
	// they are served: the occasional slow answer, not a uniform latency.
	SlowRate    float64  `json:"slowRate"`
	SlowLatency Duration `json:"slowLatency"`
	// RefusalShape is how NetSuite refuses a request over its concurrency
	// limit or rate (N7): "429", "SSS_REQUEST_LIMIT_EXCEEDED" (400, as
	// RESTlets answer) or "INVALID_LOGIN" (401 "Invalid login attempt" after
	// RefusalWait). "" = one chosen at random when the sandbox starts, so
	// every run meets one of them (netsuite_refusal.go). Zuora ignores it.
	RefusalShape string   `json:"refusalShape,omitempty"`
	RefusalWait  Duration `json:"refusalWait,omitempty"` // the 401's wait; 0 = 1s (NetSuite: about 60 s)
	// Corrupt damages named records in every answer that carries them
	// (faults_extra.go): a field of the wrong type or a missing field.
	Corrupt []Corruption `json:"corrupt,omitempty"`
	// RecordChangedRate is the share of updates of an existing NetSuite
	// record refused "Record has been changed" (N10), as when a person or a
	// script edits the record at the same moment; nothing of it is written.
	RecordChangedRate float64 `json:"recordChangedRate,omitempty"`
	// ZuoraLimits: Zuora-only faults (zuora_limits.go).
	ZuoraLimits
}

// Validate names a bad value.
func (f Faults) Validate() error {
	for name, v := range map[string]float64{"errorRate": f.ErrorRate, "rateLimitRate": f.RateLimitRate, "ambiguousRate": f.AmbiguousRate,
		"malformedRate": f.MalformedRate, "spuriousAuthRate": f.SpuriousAuthRate, "slowRate": f.SlowRate, "recordChangedRate": f.RecordChangedRate} {
		if v < 0 || v > 1 {
			return fmt.Errorf("faults: %s %v is not between 0 and 1", name, v)
		}
	}
	if f.Concurrency < 0 || f.ReadLatency < 0 || f.WriteLatency < 0 || f.TokenTTL < 0 || f.SlowLatency < 0 || f.ReadLatencyMax < 0 {
		return fmt.Errorf("faults: concurrency, latencies and tokenTTL must not be negative")
	}
	if err := validateRefusalShape(f.RefusalShape); err != nil {
		return err
	}
	if err := f.ZuoraLimits.validate(); err != nil {
		return err
	}
	return validateCorrupt(f.Corrupt)
}

// Stats counts what an API saw.
type Stats struct {
	Requests map[string]int64 `json:"requests"` // "METHOD /pattern status" -> count
	Faults   map[string]int64 `json:"faults"`   // kind -> count
	// PeakInFlight is the most requests the API had in flight at once (the
	// figure an account-wide concurrency limit is about).
	PeakInFlight int64 `json:"peakInFlight"`
	// QueriesFrom counts the SuiteQL queries by the table they read (lower
	// case), for tests that tell a record's line checks from its lookups.
	QueriesFrom map[string]int64 `json:"queriesFrom,omitempty"`
}

// apiState is the fault and stats state of one API.
type apiState struct {
	name     string
	mu       sync.Mutex
	faults   Faults
	requests map[string]int64
	injected map[string]int64
	queries  map[string]int64
	inFlight atomic.Int64
	peak     atomic.Int64
	rnd      *rand.Rand
	issued   []string // access tokens minted, for tests that look for them in logs
}

func newAPIState(name string, f Faults) *apiState {
	return &apiState{name: name, faults: f, requests: map[string]int64{}, injected: map[string]int64{}, queries: map[string]int64{}, rnd: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))}
}

func (a *apiState) getFaults() Faults {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.faults
}

func (a *apiState) setFaults(f Faults) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = f
}

func (a *apiState) roll(p float64) bool {
	if p <= 0 {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rnd.Float64() < p
}

func (a *apiState) count(endpoint string, status int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests[fmt.Sprintf("%s %d", endpoint, status)]++
}

func (a *apiState) countQuery(table string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.queries[strings.ToLower(table)]++
}

func (a *apiState) injectedFault(kind string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.injected[kind]++
}

func (a *apiState) stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := Stats{Requests: map[string]int64{}, Faults: map[string]int64{}, PeakInFlight: a.peak.Load()}
	for k, v := range a.requests {
		s.Requests[k] = v
	}
	for k, v := range a.injected {
		s.Faults[k] = v
	}
	if len(a.queries) > 0 {
		s.QueriesFrom = maps.Clone(a.queries)
	}
	return s
}

// faultErrors shape the injected failures per API.
type faultErrors struct {
	rateLimited func(w http.ResponseWriter)
	serverError func(w http.ResponseWriter, status int)
	overLimit   func(w http.ResponseWriter)
}

// exempt paths never get faults: the admin endpoints and token minting.
func exempt(path string) bool {
	return strings.HasPrefix(path, "/_sandbox/") || path == "/oauth/token" || strings.HasSuffix(path, "/auth/oauth2/v1/token")
}

func isWrite(method string) bool { return method != http.MethodGet && method != http.MethodHead }

// withFaults wraps an API's handler with latency, the concurrency limit,
// injected errors and request statistics.
func (a *apiState) withFaults(next http.Handler, fe faultErrors) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() { a.count(endpointOf(r), rec.status) }()
		if exempt(r.URL.Path) {
			if isTokenPath(r.URL.Path) {
				a.serveRecordingToken(rec, r, next)
				return
			}
			next.ServeHTTP(rec, r)
			return
		}
		f := a.getFaults()
		h := next
		if len(f.Corrupt) > 0 {
			h = a.corrupting(next, f.Corrupt)
		}
		n := a.inFlight.Add(1)
		defer a.inFlight.Add(-1)
		for p := a.peak.Load(); n > p && !a.peak.CompareAndSwap(p, n); p = a.peak.Load() {
		}
		if f.Concurrency > 0 && n > int64(f.Concurrency) {
			a.injectedFault("concurrency")
			fe.overLimit(rec)
			return
		}
		// The latency is the request's whole service time, the sandbox's own
		// work included: a write "takes L" as in NetSuite, rather than L plus
		// whatever this (shared, busy) machine needs to store it.
		latency := f.ReadLatency
		if f.ReadLatencyMax > f.ReadLatency {
			latency += Duration(a.pick(int(f.ReadLatencyMax-f.ReadLatency) + 1))
		}
		if isWrite(r.Method) && !isQuery(r.URL.Path) {
			latency = f.WriteLatency
		}
		answerAt := time.Now().Add(time.Duration(latency))
		r = r.WithContext(context.WithValue(r.Context(), answerAtKey{}, answerAt))
		if a.roll(f.SlowRate) {
			a.injectedFault("slow")
			if !sleepSlow(r, f.SlowLatency) {
				return
			}
		}
		switch {
		case a.roll(f.RateLimitRate):
			a.injectedFault("rateLimit")
			if waitUntil(r, answerAt) {
				fe.rateLimited(rec)
			}
			return
		case a.roll(f.ErrorRate):
			a.injectedFault("serverError")
			if waitUntil(r, answerAt) {
				fe.serverError(rec, []int{500, 502, 503}[a.pick(3)])
			}
			return
		}
		if isWrite(r.Method) && !isQuery(r.URL.Path) && a.roll(f.AmbiguousRate) {
			// Commit the write, then drop the connection without an answer.
			a.injectedFault("ambiguous")
			buf := &bufferedWriter{header: http.Header{}}
			h.ServeHTTP(buf, r)
			waitUntil(r, answerAt)
			rec.status = 0
			hijackClose(w)
			return
		}
		if a.roll(f.MalformedRate) {
			buf := &bufferedWriter{header: http.Header{}}
			h.ServeHTTP(buf, r)
			if !waitUntil(r, answerAt) {
				return
			}
			if buf.status == 0 || buf.status == http.StatusOK {
				a.injectedFault("malformed")
				rec.Header().Set("Content-Type", "application/json")
				rec.WriteHeader(http.StatusOK)
				_, _ = rec.Write(malform(buf.body.Bytes(), a.pick(3)))
				return
			}
			buf.copyTo(rec)
			return
		}
		if latency > 0 {
			buf := &bufferedWriter{header: http.Header{}}
			h.ServeHTTP(buf, r)
			if waitUntil(r, answerAt) {
				buf.copyTo(rec)
			}
			return
		}
		h.ServeHTTP(rec, r)
	})
}

// answerAtKey carries when a request's answer is due (its latency), for
// emulations that depend on a write being in flight (N10).
type answerAtKey struct{}

// waitUntil holds the answer until t; false if the client went away.
func waitUntil(r *http.Request, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return r.Context().Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (a *apiState) pick(n int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rnd.IntN(n)
}

// isQuery: query endpoints are POSTs that only read.
func isQuery(path string) bool {
	return strings.HasSuffix(path, "/action/query") || strings.HasSuffix(path, "/action/queryMore") || strings.HasSuffix(path, "/query/v1/suiteql")
}

// malform breaks a good body in one of the ways proxies and overloaded
// services do: truncated JSON, an HTML page, or a JSON array where an object is due.
func malform(body []byte, kind int) []byte {
	switch kind {
	case 0:
		if len(body) > 2 {
			return body[:len(body)/2]
		}
		return []byte("{")
	case 1:
		return []byte("<html><head><title>502 Bad Gateway</title></head><body>upstream sent an invalid response</body></html>")
	default:
		return []byte(`["unexpected"]`)
	}
}

func hijackClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func endpointOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return r.Method + " " + r.URL.Path
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := s.ResponseWriter.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, fmt.Errorf("not hijackable")
}

// bufferedWriter keeps a response to inspect or drop.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedWriter) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeBody reads a JSON body with numbers kept exact.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 256<<20))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request body is not valid JSON: %v", err)
	}
	return nil
}
