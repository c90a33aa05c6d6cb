// Package netsuite is a client of NetSuite's REST web services: records
// (create, upsert by external id, get, patch, delete) and SuiteQL, with
// token-based auth (OAuth 1.0a, HMAC-SHA256) or OAuth 2.0 machine-to-machine,
// NetSuite's error body decoded into typed errors, and in-call retries of
// what is worth retrying (below Temporal's activity retries). docs/wire.md is
// the contract it implements.
package netsuite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Observer receives one call per HTTP request (metrics). api is "netsuite";
// endpoint is a template ("GET /record/v1/invoice/{id}"); status 0 = no response.
type Observer interface {
	Observe(api, endpoint string, status int, d time.Duration, retried bool)
}

// Config configures a Client. Exactly one of TBA and M2M is given.
type Config struct {
	BaseURL       string // https://<account>.suitetalk.api.netsuite.com/services/rest
	Account       string // the account id and TBA realm, e.g. 1234567_SB1
	TBA           *TBACredentials
	M2M           *M2MCredentials
	HTTPClient    *http.Client // its Timeout bounds each request; default 2 min
	MaxRetries    int          // in-call retries of retryable failures; 0 = default 3
	MaxConcurrent int          // requests in flight from this client at most; 0 = unlimited
	Limiter       Limiter      // when set, a limit shared with other workers (internal/nslimit), held as well
	Logger        *slog.Logger
	Metrics       Observer
}

// String shows the configuration without its secrets.
func (c Config) String() string {
	auth := "no auth"
	switch {
	case c.TBA != nil && c.M2M != nil:
		auth = "TBA and M2M"
	case c.TBA != nil:
		auth = c.TBA.String()
	case c.M2M != nil:
		auth = c.M2M.String()
	}
	return fmt.Sprintf("netsuite.Config(%s, account %s, %s, retries %d, concurrency %d)", c.BaseURL, c.Account, auth, c.MaxRetries, c.MaxConcurrent)
}

// GoString keeps %#v from printing the secrets.
func (c Config) GoString() string { return c.String() }

// LogValue keeps slog (whose JSON handler would marshal the struct) from
// printing the secrets.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

const (
	defaultMaxRetries = 3
	// recentOK is how recent a success must be for an "Invalid login attempt"
	// to be taken for NetSuite's concurrency hiccup rather than bad credentials.
	recentOK = 60 * time.Second
	// maxRetryAfter is the longest Retry-After waited in-call; a longer one is
	// returned to the caller (Temporal's retry policy then waits).
	maxRetryAfter = time.Minute
)

// Client talks to one NetSuite account. It is safe for concurrent use.
type Client struct {
	base       string
	account    string
	auth       string       // "TBA" or "M2M", for String
	http       *http.Client // signs requests itself with TBA
	m2m        *m2mAuth     // nil with TBA
	maxRetries int
	sem        chan struct{}
	limiter    Limiter
	log        *slog.Logger
	metrics    Observer
	lastOK     atomic.Int64 // unix nanos of the last successful call

	// Seams for tests.
	now         func() time.Time
	sleep       func(ctx context.Context, d time.Duration) error
	backoffBase time.Duration
	backoffMax  time.Duration
}

// Limiter is a concurrency limit shared beyond this client: Acquire blocks
// until a request may be sent; release ends it (internal/nslimit).
type Limiter interface {
	Acquire(ctx context.Context) (release func(), err error)
}

// configError names the Config field at fault; it never shows a secret.
func configError(field, problem string) error {
	return fmt.Errorf("netsuite: Config.%s %s", field, problem)
}

// New validates cfg and builds a client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	switch {
	case cfg.BaseURL == "":
		return nil, configError("BaseURL", "is empty (e.g. https://1234567-sb1.suitetalk.api.netsuite.com/services/rest)")
	case err != nil:
		return nil, configError("BaseURL", "is not a URL")
	case u.User != nil:
		return nil, configError("BaseURL", "must not carry user credentials")
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return nil, configError("BaseURL", fmt.Sprintf("%q is not an http(s) URL with a host", cfg.BaseURL))
	case u.RawQuery != "" || u.Fragment != "":
		return nil, configError("BaseURL", fmt.Sprintf("%q must not have a query or fragment", cfg.BaseURL))
	}
	if err := validAccount(cfg.Account); err != nil {
		return nil, err
	}
	if (cfg.TBA == nil) == (cfg.M2M == nil) {
		return nil, configError("TBA/M2M", "must give exactly one auth method: TBA (token-based auth) or M2M (OAuth 2.0)")
	}
	if cfg.MaxRetries < 0 {
		return nil, configError("MaxRetries", fmt.Sprintf("%d is negative", cfg.MaxRetries))
	}
	if cfg.MaxConcurrent < 0 {
		return nil, configError("MaxConcurrent", fmt.Sprintf("%d is negative", cfg.MaxConcurrent))
	}
	base := cfg.HTTPClient
	if base == nil {
		base = &http.Client{Timeout: 2 * time.Minute}
	}
	c := &Client{
		base: strings.TrimRight(cfg.BaseURL, "/"), account: cfg.Account, maxRetries: cfg.MaxRetries,
		log: cfg.Logger, metrics: cfg.Metrics,
		now: time.Now, sleep: sleepCtx, backoffBase: 250 * time.Millisecond, backoffMax: 10 * time.Second,
	}
	if c.maxRetries == 0 {
		c.maxRetries = defaultMaxRetries
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxConcurrent > 0 {
		c.sem = make(chan struct{}, cfg.MaxConcurrent)
	}
	c.limiter = cfg.Limiter
	if cfg.TBA != nil {
		if err := cfg.TBA.validate(); err != nil {
			return nil, err
		}
		c.auth, c.http = "TBA", tbaClient(base, cfg.Account, *cfg.TBA, nil)
		return c, nil
	}
	m, err := newM2MAuth(c.base+tokenPath, *cfg.M2M, base)
	if err != nil {
		return nil, err
	}
	m.now, m.observe = func() time.Time { return c.now() }, c.observe
	c.auth, c.http, c.m2m = "M2M", base, m
	return c, nil
}

// validAccount accepts NetSuite account ids (1234567, 1234567_SB1, TSTDRV123).
func validAccount(a string) error {
	if a == "" {
		return configError("Account", "is empty (the NetSuite account id, e.g. 1234567_SB1)")
	}
	for _, r := range a {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return configError("Account", fmt.Sprintf("%q has a character other than letters, digits, '_' and '-'", a))
		}
	}
	return nil
}

// String names the account and auth method, never a secret.
// MaxConcurrent is how many requests this client keeps in flight at most
// (Config.MaxConcurrent; 0 = unlimited): what concurrent writers of one
// sync can use.
func (c *Client) MaxConcurrent() int { return cap(c.sem) }

func (c *Client) String() string {
	return fmt.Sprintf("netsuite(%s, account %s, %s)", c.base, c.account, c.auth)
}

// call is one logical request; do repeats it as needed.
type call struct {
	method, path string
	endpoint     string // method and path template, for errors and metrics
	query        url.Values
	body         any
	prefer       string
	accept       string // "" = application/json
	// decode reads a 2xx answer's body; its failure is a retryable error
	// (a truncated or garbled answer is worth asking again).
	decode func(status int, body []byte) error
}

type response struct {
	status int
	header http.Header
}

// do sends a call, retrying retryable failures with backoff and jitter.
func (c *Client) do(ctx context.Context, cl call) (*response, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("netsuite %s: encoding the request body: %w", cl.endpoint, err)
		}
		if payload, err = renameKeys(payload, fieldNames(ctx)); err != nil {
			return nil, fmt.Errorf("netsuite %s: renaming custom fields: %w", cl.endpoint, err)
		}
	}
	if names := fieldNames(ctx); len(names) > 0 && cl.decode != nil {
		decode, back := cl.decode, inverse(names)
		cl.decode = func(status int, data []byte) error {
			renamed, err := renameKeys(data, back)
			if err != nil {
				return err
			}
			return decode(status, renamed)
		}
	}
	loginConfirmed := false
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, cl, payload, attempt > 0)
		if err == nil {
			return resp, nil
		}
		if !loginConfirmed && unconfirmedInvalidLogin(err) && ctx.Err() == nil {
			// A client with no recent success cannot tell NetSuite's
			// occasional "Invalid login attempt" to good credentials from
			// wrong ones. Nothing was written; one repeat, freshly signed,
			// decides: wrong credentials are refused again (and then not
			// retried), a hiccup passes.
			loginConfirmed = true
			c.log.DebugContext(ctx, "netsuite refused the login, confirming once", "endpoint", cl.endpoint)
			if serr := c.sleep(ctx, c.backoff(1)); serr != nil {
				return nil, err
			}
			continue
		}
		if !IsRetryable(err) || attempt >= c.maxRetries || ctx.Err() != nil || !safeToRepeat(cl, err) {
			return nil, err
		}
		wait := c.backoff(attempt + 1)
		var ae *APIError
		if errors.As(err, &ae) && ae.RetryAfter > 0 {
			if ae.RetryAfter > maxRetryAfter {
				return nil, err
			}
			wait = max(wait, ae.RetryAfter)
		}
		if dl, ok := ctx.Deadline(); ok && dl.Sub(c.now()) < wait {
			return nil, err // no time left to wait: the caller's retry policy takes over
		}
		c.log.DebugContext(ctx, "netsuite call failed, retrying", "endpoint", cl.endpoint, "attempt", attempt+1, "wait", wait, "err", err.Error())
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("%w (stopped retrying: %w)", err, serr)
		}
	}
}

// unconfirmedInvalidLogin: a 401 "Invalid login attempt" the client took
// for wrong credentials (no recent success, not slow).
func unconfirmedInvalidLogin(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && !ae.Retryable && ae.Status == http.StatusUnauthorized &&
		strings.Contains(ae.Detail, "Invalid login attempt")
}

// safeToRepeat: POST (create) and PATCH (sublist append) are not idempotent,
// so they are repeated in-call only after an answer that says nothing was
// written (429, the spurious 401). After no answer or a 5xx the write may
// have committed: the error goes to the caller, whose retry checks what
// NetSuite has first (lines by custcol_zuora_item_id, records by external id).
// SuiteQL is a POST that only reads.
func safeToRepeat(cl call, err error) bool {
	if cl.method != http.MethodPost && cl.method != http.MethodPatch || cl.endpoint == suiteqlEndpoint {
		return true
	}
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusTooManyRequests || ae.Status == http.StatusUnauthorized ||
		refusedNotWritten(ae) || recordChanged(ae))
}

// backoff is exponential with jitter in [d/2, d].
func (c *Client) backoff(attempt int) time.Duration {
	d := min(c.backoffBase<<min(attempt-1, 16), c.backoffMax)
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// once sends one HTTP request.
func (c *Client) once(ctx context.Context, cl call, payload []byte, retried bool) (*response, error) {
	var tok bearer
	if c.m2m != nil {
		var err error
		if tok, err = c.m2m.get(ctx); err != nil {
			return nil, err
		}
	}
	if c.sem != nil {
		select {
		case c.sem <- struct{}{}:
			defer func() { <-c.sem }()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if c.limiter != nil {
		// Before signing: a TBA signature's timestamp must not age in a queue.
		release, err := c.limiter.Acquire(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// The shared limit's store is unreachable: nothing was sent; retry.
			return nil, &APIError{Endpoint: cl.endpoint, Retryable: true, Detail: "concurrency limiter: " + err.Error(), cause: err}
		}
		defer release()
	}
	u := c.base + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("netsuite %s: building the request: %w", cl.endpoint, err)
	}
	req.Header.Set("Accept", "application/json")
	if cl.accept != "" {
		req.Header.Set("Accept", cl.accept)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.prefer != "" {
		req.Header.Set("Prefer", cl.prefer)
	}
	if tok.value != "" {
		req.Header.Set("Authorization", "Bearer "+tok.value)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe(cl.endpoint, 0, start, retried)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// No answer (refused, reset, closed before the status line): the
		// write may have committed. Retrying is safe because callers write
		// by external id or look before they create.
		return nil, &APIError{Endpoint: cl.endpoint, Retryable: true, cause: sanitize(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	c.observe(cl.endpoint, resp.StatusCode, start, retried)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &APIError{Status: resp.StatusCode, Endpoint: cl.endpoint, Retryable: true,
			Detail: "the answer was cut off: " + sanitize(err).Error(), cause: sanitize(err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := decodeError(cl.endpoint, resp.StatusCode, data)
		e.RetryAfter = retryAfter(resp.Header, c.now())
		if resp.StatusCode == http.StatusUnauthorized && strings.Contains(e.Detail, "Invalid login attempt") {
			c.classifyInvalidLogin(e, tok)
			if time.Since(start) >= slowRefusal {
				// NetSuite answers "Invalid login attempt" to working
				// credentials over its concurrency limit after holding the
				// request (~60 s, real-api-gaps N7); wrong credentials are
				// refused at once. A slow one is the limit: retryable,
				// even before this client has had a success.
				e.Retryable = true
			}
		}
		if refusedNotWritten(e) || recordChanged(e) {
			e.Retryable = true
		}
		return nil, e
	}
	c.lastOK.Store(c.now().UnixNano())
	if cl.decode != nil {
		if err := cl.decode(resp.StatusCode, data); err != nil {
			return nil, &APIError{Status: resp.StatusCode, Endpoint: cl.endpoint, Retryable: true,
				Detail: fmt.Sprintf("unreadable answer (%v): %s", err, excerpt(data)), cause: err}
		}
	}
	return &response{status: resp.StatusCode, header: resp.Header}, nil
}

// slowRefusal: an "Invalid login attempt" answered after this long is
// NetSuite's concurrency refusal, not a credentials problem (N7).
const slowRefusal = 900 * time.Millisecond

// classifyInvalidLogin decides whether an "Invalid login attempt" is worth
// repeating. NetSuite gives it to good credentials when the account is over
// its concurrency limit, so it is retryable if this client succeeded within
// the last minute; with M2M, a token minted earlier may also have been
// revoked or expired early, so it is dropped and the call repeated once with
// a fresh one. Otherwise the credentials are wrong: not retryable.
func (c *Client) classifyInvalidLogin(e *APIError, tok bearer) {
	if c.m2m != nil && tok.value != "" {
		c.m2m.drop(tok.gen)
		if tok.reused {
			e.Retryable = true
		}
	}
	if last := c.lastOK.Load(); last != 0 && c.now().Sub(time.Unix(0, last)) < recentOK {
		e.Retryable = true
	}
}

// sanitize drops the URL from transport errors: it keeps messages short and
// stable (the URL carries no secret: TBA and M2M credentials travel in headers).
func sanitize(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (c *Client) observe(endpoint string, status int, start time.Time, retried bool) {
	if c.metrics != nil {
		c.metrics.Observe("netsuite", endpoint, status, time.Since(start), retried)
	}
}

// decodeJSON reads exactly one JSON value into out, numbers as json.Number
// where out is untyped, and refuses trailing data (a spliced or doubled body).
func decodeJSON(data []byte, out any) error {
	if !json.Valid(data) {
		// Checked first so a broken body never half-fills out.
		var v any
		err := json.Unmarshal(data, &v)
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
