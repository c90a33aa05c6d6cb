// Package zuora is a client for the parts of Zuora's REST API the connector
// uses: OAuth 2.0 client credentials, ZOQL query/queryMore, the object API
// and the invoice endpoints. docs/wire.md is the contract it follows.
package zuora

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
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Observer receives each HTTP exchange for metrics.
type Observer interface {
	Observe(api, endpoint string, status int, d time.Duration, retried bool)
}

// Config configures a Client. ClientSecret is used for tokens only: it is
// never logged or put in an error.
type Config struct {
	BaseURL      string // e.g. https://rest.apisandbox.zuora.com
	ClientID     string
	ClientSecret string
	EntityID     string // Zuora-Entity-Ids for multi-entity tenants
	HTTPClient   *http.Client
	MaxRetries   int // retries of a retryable failure inside one call; default 3
	Logger       *slog.Logger
	Metrics      Observer
	// MaxBackoff caps the wait between retries (default 30 s).
	MaxBackoff time.Duration
	// BigProcessConcurrency caps ZOQL query/queryMore calls in flight from
	// this client (Zuora's "Big Process" limit, 20 a tenant; default 20).
	BigProcessConcurrency int
}

// Client talks to one Zuora tenant. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	http    *http.Client
	entity  string
	retries int
	maxWait time.Duration
	log     *slog.Logger
	obs     Observer
	bigProc chan struct{} // semaphore of ZOQL calls (Big Process)

	mu       sync.Mutex
	creds    clientcredentials.Config
	tokens   oauth2.TokenSource
	provider CredentialsProvider // optional; credentials.go
}

// New checks cfg and makes a client; no request is sent yet.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("zuora base URL %q: want http(s)://host", cfg.BaseURL)
	}
	if cfg.ClientID == "" {
		return nil, errors.New("zuora client id is empty")
	}
	if cfg.ClientSecret == "" {
		return nil, errors.New("zuora client secret is empty")
	}
	c := &Client{base: u, http: cfg.HTTPClient, entity: cfg.EntityID, retries: cfg.MaxRetries, maxWait: cfg.MaxBackoff, log: cfg.Logger, obs: cfg.Metrics}
	if c.http == nil {
		c.http = &http.Client{Timeout: 2 * time.Minute}
	}
	if c.retries == 0 {
		c.retries = 3
	}
	if c.maxWait == 0 {
		c.maxWait = 30 * time.Second
	}
	if cfg.BigProcessConcurrency <= 0 {
		cfg.BigProcessConcurrency = DefaultBigProcessConcurrency
	}
	c.bigProc = make(chan struct{}, cfg.BigProcessConcurrency)
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.setCreds(cfg.ClientID, cfg.ClientSecret)
	return c, nil
}

func (c *Client) setCreds(id, secret string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.creds = clientcredentials.Config{
		ClientID: id, ClientSecret: secret, TokenURL: c.base.String() + "/oauth/token",
		AuthStyle: oauth2.AuthStyleInParams,
	}
	c.tokens = nil
}

// SetCredentials switches to another OAuth client at run time (the
// Invoice Settlement migration rotates it without a worker restart).
func (c *Client) SetCredentials(clientID, clientSecret string) { c.setCreds(clientID, clientSecret) }

// ClientID is the OAuth client in use (not secret).
func (c *Client) ClientID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.creds.ClientID
}

// VerifyCredentials mints a token now with the current credentials.
func (c *Client) VerifyCredentials(ctx context.Context) error {
	c.mu.Lock()
	c.tokens = nil
	c.mu.Unlock()
	_, err := c.token(ctx)
	return err
}

// String never shows the secret.
func (c *Client) String() string {
	return "zuora.Client{" + c.base.String() + ", client " + c.ClientID() + "}"
}

// GoString never shows the secret.
func (c *Client) GoString() string { return c.String() }

// token returns a bearer token, reusing it until shortly before it expires.
func (c *Client) token(ctx context.Context) (string, error) {
	tok, err := c.mintToken(ctx)
	var ae *AuthError
	if errors.As(err, &ae) && c.freshCredentials() {
		// Refused with credentials another worker has just rotated away
		// (its store read was cached): once more with the store's current.
		return c.mintToken(ctx)
	}
	return tok, err
}

func (c *Client) mintToken(ctx context.Context) (string, error) {
	c.applyProvider()
	c.mu.Lock()
	if c.tokens == nil {
		tctx := context.WithValue(context.Background(), oauth2.HTTPClient, c.http)
		c.tokens = oauth2.ReuseTokenSourceWithExpiry(nil, c.creds.TokenSource(tctx), time.Minute)
	}
	ts := c.tokens
	c.mu.Unlock()
	start := time.Now()
	tok, err := ts.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		status := 0
		if errors.As(err, &re) && re.Response != nil {
			status = re.Response.StatusCode
		}
		c.observe("POST /oauth/token", status, time.Since(start), false)
		ae := APIError{Status: status, Endpoint: "POST /oauth/token", Retryable: status == 0 || status == 429 || status >= 500}
		if re != nil {
			ae.Code, ae.Message = re.ErrorCode, re.ErrorDescription
			if ae.Message == "" {
				ae.Message = http.StatusText(status)
			}
		} else {
			ae.Message = err.Error()
		}
		if status == http.StatusUnauthorized || status == http.StatusBadRequest || status == http.StatusForbidden {
			return "", &AuthError{ae}
		}
		return "", &ae
	}
	return tok.AccessToken, nil
}

// invalidate drops the cached token after a 401.
func (c *Client) invalidate(ts string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tokens = nil
}

func (c *Client) observe(endpoint string, status int, d time.Duration, retried bool) {
	if c.obs != nil {
		c.obs.Observe("zuora", endpoint, status, d, retried)
	}
}

type idemKeyCtx struct{}

// WithIdempotencyKey makes the POST/PATCH requests under ctx carry key.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idemKeyCtx{}, key)
}

// call is one API request: endpoint is its template for metrics and errors
// ("PUT /v1/invoices/{id}"), path the real path.
type call struct {
	method, endpoint, path string
	query                  url.Values
	body                   any
	out                    any
	idemKey                string
	headers                map[string]string // extra request headers (zuora-version)
	// sawBody, when set, is shown a 2xx answer's body before it is decoded
	// (the ZOQL pager reads the next page's locator from it).
	sawBody func(body []byte)
	// decode, when set, decodes a 2xx answer into out in place of
	// encoding/json's Decoder (decodeJSON).
	decode func(data []byte, out any) error
}

// do sends a request with auth, retries retryable failures with back-off
// and jitter, refreshes the token once on 401, and decodes the answer.
func (c *Client) do(ctx context.Context, cl call) error {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("zuora %s: encoding the request: %w", cl.endpoint, err)
		}
	}
	if cl.idemKey == "" {
		cl.idemKey, _ = ctx.Value(idemKeyCtx{}).(string)
	}
	// Zuora saves a keyed request's answer for 24 h whether it succeeded or
	// failed (Z7), so a key that drew a failure would replay it for a day.
	// The key sent is the caller's key plus a suffix that changes whenever an
	// answer came back, and stays when none did (lost answer: the replay is
	// what we want). Across calls the suffix is new: every keyed write is
	// made safe by a lookup before it (docs/wire.md, Idempotency).
	base := cl.idemKey
	if base != "" {
		cl.idemKey = idemAttemptKey(base)
	}
	refreshed := false
	// lost: an attempt of this call got no answer, so it may have committed.
	// From then on the key stays: a later answer (a gateway's 5xx or 429, a
	// replayed failure) says nothing about that attempt, and a new key would
	// let Zuora commit the write a second time. A stored failure replayed
	// until the call gives up sends the caller back to its lookup.
	lost := false
	for attempt := 0; ; attempt++ {
		err := c.once(ctx, cl, payload, attempt > 0)
		if base != "" && err != nil && !answered(err) {
			lost = true
		}
		if base != "" && answered(err) && !lost {
			cl.idemKey = idemAttemptKey(base)
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized && !refreshed {
			refreshed = true
			c.invalidate("")
			attempt--
			continue
		}
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			return &AuthError{*ae}
		}
		if err == nil || !IsRetryable(err) || attempt >= c.retries {
			return err
		}
		wait := backoff(attempt, c.maxWait)
		if ae != nil && ae.RetryAfter > c.maxWait {
			// A long Retry-After goes back to the caller with the error
			// (APIError.RetryAfter), whose retry policy waits it out: an
			// activity sleeping here would outlive its timeouts, and a
			// shortened wait would only be refused again.
			return err
		}
		if ae != nil && ae.RetryAfter > 0 {
			wait = ae.RetryAfter
		}
		c.log.Debug("zuora: retrying", "endpoint", cl.endpoint, "attempt", attempt+1, "wait", wait, "error", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
	}
}

// DefaultBigProcessConcurrency is Zuora's "Big Process" concurrent request
// limit (knowledgecenter, Concurrent Request Limits): ZOQL query() and
// queryMore() on the big objects.
const DefaultBigProcessConcurrency = 20

// bigProcess holds one of the client's Big Process slots while fn runs.
func (c *Client) bigProcess(ctx context.Context, fn func() error) error {
	select {
	case c.bigProc <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.bigProc }()
	return fn()
}

// idemAttemptKey is base plus a random suffix (keys are ≤ 255 characters).
func idemAttemptKey(base string) string {
	suffix := fmt.Sprintf("-%016x", rand.Uint64())
	if len(base) > 255-len(suffix) {
		base = base[:255-len(suffix)]
	}
	return base + suffix
}

// answered: Zuora sent an answer (so it saved it under the key).
func answered(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status != 0
	}
	var de *DecodeError
	return errors.As(err, &de)
}

func backoff(attempt int, max time.Duration) time.Duration {
	d := 200 * time.Millisecond << min(attempt, 8)
	d = d/2 + time.Duration(rand.Int64N(int64(d)))
	return min(d, max)
}

func (c *Client) once(ctx context.Context, cl call, payload []byte, retried bool) error {
	tok, err := c.token(ctx)
	if err != nil {
		return err
	}
	u := *c.base
	u.Path += cl.path
	if cl.query != nil {
		u.RawQuery = cl.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), body)
	if err != nil {
		return fmt.Errorf("zuora %s: %w", cl.endpoint, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.entity != "" {
		req.Header.Set("Zuora-Entity-Ids", c.entity)
	}
	for k, v := range cl.headers {
		req.Header.Set(k, v)
	}
	// Reads carry no key (a ZOQL query is a POST, but a replayed failure
	// would only hurt it).
	if cl.idemKey != "" && (cl.method == http.MethodPost || cl.method == http.MethodPatch) && !strings.HasPrefix(cl.path, "/v1/action/query") {
		req.Header.Set("Idempotency-Key", cl.idemKey)
		// Go's transport resends a request carrying an Idempotency-Key on its
		// own when the connection drops; do() must see the lost answer
		// itself to keep the key (see lost in do).
		req.GetBody = nil
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe(cl.endpoint, 0, time.Since(start), retried)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// No response: the request may or may not have been applied; writes
		// are made idempotent by the caller.
		return &APIError{Endpoint: cl.endpoint, Message: "no response: " + scrubURL(err.Error()), Retryable: true}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	c.observe(cl.endpoint, resp.StatusCode, time.Since(start), retried)
	if err != nil {
		return &APIError{Status: resp.StatusCode, Endpoint: cl.endpoint, Message: "response cut off: " + err.Error(), Retryable: true}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(cl.endpoint, resp.StatusCode, resp.Header, data)
	}
	// Zuora sometimes answers 200 with success=false. Only a body that
	// names a success key at all is parsed for it: a ZOQL page of 2,000
	// records would otherwise be parsed once more for nothing.
	var eb errorBody
	if mentionsSuccess(data) && json.Unmarshal(data, &eb) == nil {
		if failed, _, _ := eb.failed(); failed {
			return decodeError(cl.endpoint, resp.StatusCode, resp.Header, data)
		}
	}
	if cl.sawBody != nil {
		cl.sawBody(data)
	}
	if cl.out == nil {
		return nil
	}
	decode := cl.decode
	if decode == nil {
		decode = decodeJSON
	}
	if err := decode(data, cl.out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			// Well-formed JSON with one field of the wrong type: the record
			// itself is wrong (a misconfigured custom field, say), and a retry
			// reads it again. Not retried; the message names the field.
			return &DecodeError{Endpoint: cl.endpoint, Status: resp.StatusCode, Excerpt: excerpt(data),
				Err: fmt.Errorf("field %s is a JSON %s where the connector needs %s", te.Field, te.Value, te.Type)}
		}
		// Truncated, HTML or the wrong shape altogether: a broken answer, retried.
		return &DecodeError{Endpoint: cl.endpoint, Status: resp.StatusCode, Excerpt: excerpt(data), Err: err, Retryable: true}
	}
	return nil
}

// decodeJSON decodes an answer with numbers kept as json.Number.
func decodeJSON(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(out)
}

// mentionsSuccess: the body holds the word success in any case, as the
// key errorBody reads would be (encoding/json matches keys case-insensitively).
func mentionsSuccess(data []byte) bool {
	const word = "success"
	for i := 0; i+len(word) <= len(data); i++ {
		if data[i]|0x20 != 's' {
			continue
		}
		if strings.EqualFold(string(data[i:i+len(word)]), word) {
			return true
		}
	}
	return false
}

// scrubURL drops any query string from a net/http error message.
func scrubURL(msg string) string {
	if i := strings.Index(msg, "?"); i >= 0 {
		if j := strings.IndexAny(msg[i:], "\": "); j > 0 {
			return msg[:i] + msg[i+j:]
		}
	}
	return msg
}
