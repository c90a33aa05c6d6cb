// Package netsuite is a client of NetSuite's REST web services: records
// (create, upsert by external id, get, patch, delete) and SuiteQL, with
// token-based auth (OAuth 1.0a, HMAC-SHA256) or OAuth 2.0 machine-to-machine,
// NetSuite's error body decoded into typed errors, and retries of what is
// worth retrying. docs/wire.md is the contract it implements.
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
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dghubble/oauth1"
	"golang.org/x/oauth2"
)

// Observer receives one call per HTTP request (metrics).
type Observer interface {
	Observe(api, endpoint string, status int, d time.Duration, retried bool)
}

// TBACredentials are token-based authentication credentials.
type TBACredentials struct {
	ConsumerKey, ConsumerSecret, TokenID, TokenSecret string
}

// M2MCredentials are OAuth 2.0 client credentials with a certificate.
type M2MCredentials struct {
	ClientID, CertificateID string
	PrivateKeyPEM           []byte // RSA (PS256) or EC P-256 (ES256)
	Scope                   string // default rest_webservices
}

// Config configures a Client.
type Config struct {
	BaseURL       string // https://<account>.suitetalk.api.netsuite.com/services/rest
	Account       string // the TBA realm, e.g. 1234567_SB1
	TBA           *TBACredentials
	M2M           *M2MCredentials
	HTTPClient    *http.Client
	MaxRetries    int // in-call retries of retryable failures; default 3
	MaxConcurrent int // requests in flight from this client at most; 0 = unlimited
	Logger        *slog.Logger
	Metrics       Observer
}

// Client talks to one NetSuite account.
type Client struct {
	base       string
	account    string
	http       *http.Client
	maxRetries int
	sem        chan struct{}
	log        *slog.Logger
	metrics    Observer
	lastOK     atomic.Int64 // unix nanos of the last successful call
}

// New validates cfg and builds a client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("BaseURL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.Account == "" {
		return nil, errors.New("Account is empty (the NetSuite account id, e.g. 1234567_SB1)")
	}
	if (cfg.TBA == nil) == (cfg.M2M == nil) {
		return nil, errors.New("give exactly one of TBA (token-based auth) and M2M (OAuth 2.0) credentials")
	}
	base := cfg.HTTPClient
	if base == nil {
		base = &http.Client{Timeout: 2 * time.Minute}
	}
	c := &Client{base: strings.TrimRight(cfg.BaseURL, "/"), account: cfg.Account, maxRetries: cfg.MaxRetries, log: cfg.Logger, metrics: cfg.Metrics}
	if c.maxRetries <= 0 {
		c.maxRetries = 3
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxConcurrent > 0 {
		c.sem = make(chan struct{}, cfg.MaxConcurrent)
	}
	switch {
	case cfg.TBA != nil:
		t := cfg.TBA
		for name, v := range map[string]string{"TBA.ConsumerKey": t.ConsumerKey, "TBA.ConsumerSecret": t.ConsumerSecret, "TBA.TokenID": t.TokenID, "TBA.TokenSecret": t.TokenSecret} {
			if v == "" {
				return nil, fmt.Errorf("%s is empty", name)
			}
		}
		oc := &oauth1.Config{ConsumerKey: t.ConsumerKey, ConsumerSecret: t.ConsumerSecret, Realm: cfg.Account,
			Signer: &oauth1.HMAC256Signer{ConsumerSecret: t.ConsumerSecret}}
		ctx := context.WithValue(context.Background(), oauth1.HTTPClient, base)
		signed := oc.Client(ctx, oauth1.NewToken(t.TokenID, t.TokenSecret))
		signed.Timeout = base.Timeout
		c.http = signed
	default:
		ts, err := newM2MTokenSource(c.base+"/auth/oauth2/v1/token", *cfg.M2M, base)
		if err != nil {
			return nil, err
		}
		c.http = &http.Client{Timeout: base.Timeout, Transport: &oauth2.Transport{Source: oauth2.ReuseTokenSourceWithExpiry(nil, ts, time.Minute), Base: base.Transport}}
	}
	return c, nil
}

// String names the account, never a secret.
func (c *Client) String() string { return fmt.Sprintf("netsuite(%s, account %s)", c.base, c.account) }

type call struct {
	method, path, endpoint string
	query                  url.Values
	body                   any
	out                    any
	prefer                 string
}

type response struct {
	status int
	header http.Header
}

// do sends a call with retries and decodes the answer into out (if any).
func (c *Client) do(ctx context.Context, cl call) (*response, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("netsuite %s: encoding the request: %w", cl.endpoint, err)
		}
	}
	var lastErr error
	for attempt := 0; attempt <= c.maxRetries; attempt++ {
		if attempt > 0 {
			wait := backoff(attempt)
			var ae *APIError
			if errors.As(lastErr, &ae) && ae.RetryAfter > wait {
				wait = min(ae.RetryAfter, 30*time.Second)
			}
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return nil, errors.Join(ctx.Err(), lastErr)
			}
		}
		resp, err := c.once(ctx, cl, payload, attempt > 0)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if !IsRetryable(err) || ctx.Err() != nil {
			return nil, err
		}
		c.log.Debug("netsuite call failed, retrying", "endpoint", cl.endpoint, "attempt", attempt+1, "err", err)
	}
	return nil, lastErr
}

func backoff(attempt int) time.Duration {
	d := time.Duration(200*(1<<min(attempt-1, 6))) * time.Millisecond
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func (c *Client) once(ctx context.Context, cl call, payload []byte, retried bool) (*response, error) {
	if c.sem != nil {
		select {
		case c.sem <- struct{}{}:
			defer func() { <-c.sem }()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
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
		return nil, fmt.Errorf("netsuite %s: %w", cl.endpoint, err)
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.prefer != "" {
		req.Header.Set("Prefer", cl.prefer)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe(cl.endpoint, 0, start, retried)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// No answer: the write may have committed; callers write by external
		// id or check first, so a retry is safe.
		return nil, &APIError{Endpoint: cl.endpoint, Retryable: true, cause: sanitize(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	c.observe(cl.endpoint, resp.StatusCode, start, retried)
	if err != nil {
		return nil, &APIError{Status: resp.StatusCode, Endpoint: cl.endpoint, Retryable: true, cause: err, Detail: "reading the answer: " + err.Error()}
	}
	if resp.StatusCode >= 300 {
		e := decodeError(cl.endpoint, resp.StatusCode, data)
		if s := resp.Header.Get("Retry-After"); s != "" {
			if n, err := strconv.Atoi(s); err == nil {
				e.RetryAfter = time.Duration(n) * time.Second
			}
		}
		// NetSuite answers "Invalid login attempt" to good credentials when the
		// account is over its concurrency limit: retry it if these credentials
		// worked a moment ago.
		if resp.StatusCode == http.StatusUnauthorized && strings.Contains(e.Detail, "Invalid login attempt") &&
			time.Since(time.Unix(0, c.lastOK.Load())) < time.Minute {
			e.Retryable = true
		}
		return nil, e
	}
	c.lastOK.Store(time.Now().UnixNano())
	if cl.out != nil && resp.StatusCode != http.StatusNoContent {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(cl.out); err != nil {
			return nil, &APIError{Status: resp.StatusCode, Endpoint: cl.endpoint, Retryable: true,
				Detail: fmt.Sprintf("malformed answer (%v): %s", err, excerpt(data)), cause: err}
		}
	}
	return &response{status: resp.StatusCode, header: resp.Header}, nil
}

// sanitize drops the URL from transport errors (it carries no secret, but
// keeps messages short and stable).
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
