package netsuite

import (
	"context"
	"crypto/elliptic"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// M2MCredentials are OAuth 2.0 client credentials (machine to machine): the
// integration's client id, and the certificate id and private key uploaded
// under Setup > Integration > OAuth 2.0 Client Credentials.
type M2MCredentials struct {
	ClientID, CertificateID string
	PrivateKeyPEM           []byte // RSA (PS256) or EC P-256 (ES256)
	Scope                   string // default rest_webservices
}

// String shows the public parts only.
func (m M2MCredentials) String() string {
	return "M2M(client " + m.ClientID + ", certificate " + m.CertificateID + ", key redacted)"
}

// GoString keeps %#v from printing the key.
func (m M2MCredentials) GoString() string { return m.String() }

// LogValue keeps slog from printing the key.
func (m M2MCredentials) LogValue() slog.Value { return slog.StringValue(m.String()) }

// MarshalJSON writes the redacted form (see TBACredentials.MarshalJSON).
func (m M2MCredentials) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

const (
	tokenPath     = "/auth/oauth2/v1/token"
	tokenEndpoint = "POST " + tokenPath
	// assertionTTL is the client assertion's lifetime; NetSuite refuses more than an hour.
	assertionTTL = 30 * time.Minute
)

// m2mAuth mints bearer tokens with a signed JWT client assertion and keeps
// the current one until shortly before it expires. It is its own cache (not
// oauth2.ReuseTokenSource) so minting honours the caller's context, its
// failures stay typed APIErrors, and a token NetSuite refuses can be dropped.
type m2mAuth struct {
	tokenURL string
	clientID string
	certID   string
	scope    string
	method   jwt.SigningMethod
	key      any
	http     *http.Client
	now      func() time.Time
	observe  func(endpoint string, status int, start time.Time, retried bool)

	lock   chan struct{} // a mutex a waiting caller can abandon with its context
	token  string
	expiry time.Time // stop using token at this time (before NetSuite's expiry)
	gen    uint64    // counts mints, so a stale refusal drops only its own token
}

// bearer is a token handed to one request.
type bearer struct {
	value  string
	gen    uint64
	reused bool // minted for an earlier request
}

func newM2MAuth(tokenURL string, creds M2MCredentials, hc *http.Client) (*m2mAuth, error) {
	switch {
	case creds.ClientID == "":
		return nil, configError("M2M.ClientID", "is empty")
	case creds.CertificateID == "":
		return nil, configError("M2M.CertificateID", "is empty")
	case len(creds.PrivateKeyPEM) == 0:
		return nil, configError("M2M.PrivateKeyPEM", "is empty")
	}
	a := &m2mAuth{tokenURL: tokenURL, clientID: creds.ClientID, certID: creds.CertificateID, scope: creds.Scope,
		http: hc, now: time.Now, lock: make(chan struct{}, 1)}
	if a.scope == "" {
		a.scope = "rest_webservices"
	}
	if k, err := jwt.ParseRSAPrivateKeyFromPEM(creds.PrivateKeyPEM); err == nil {
		a.method, a.key = jwt.SigningMethodPS256, k
	} else if k, err := jwt.ParseECPrivateKeyFromPEM(creds.PrivateKeyPEM); err == nil {
		if k.Curve != elliptic.P256() {
			return nil, configError("M2M.PrivateKeyPEM", fmt.Sprintf("is an EC key on %s; ES256 needs P-256", k.Curve.Params().Name))
		}
		a.method, a.key = jwt.SigningMethodES256, k
	} else {
		// The parse errors are not shown: they say nothing useful and must
		// never echo key material.
		return nil, configError("M2M.PrivateKeyPEM", "is not a PEM RSA or EC private key (PKCS#1, PKCS#8 or SEC 1)")
	}
	return a, nil
}

// get returns the current token, minting one when there is none or it is
// about to expire.
func (a *m2mAuth) get(ctx context.Context) (bearer, error) {
	select {
	case a.lock <- struct{}{}:
		defer func() { <-a.lock }()
	case <-ctx.Done():
		return bearer{}, ctx.Err()
	}
	now := a.now()
	if a.token != "" && now.Before(a.expiry) {
		return bearer{value: a.token, gen: a.gen, reused: true}, nil
	}
	tok, ttl, err := a.mint(ctx, now)
	if err != nil {
		return bearer{}, err
	}
	// Renew a minute early (a tenth of the lifetime for short ones) so a
	// request never leaves with a token that expires on the way.
	a.token, a.expiry, a.gen = tok, now.Add(ttl-min(time.Minute, ttl/10)), a.gen+1
	return bearer{value: tok, gen: a.gen}, nil
}

// drop forgets the token of generation gen (NetSuite refused it).
func (a *m2mAuth) drop(gen uint64) {
	a.lock <- struct{}{}
	if a.gen == gen {
		a.token = ""
	}
	<-a.lock
}

// assertion is the signed JWT proving the client holds the certificate's key.
func (a *m2mAuth) assertion(now time.Time) (string, error) {
	t := jwt.NewWithClaims(a.method, jwt.MapClaims{
		"iss": a.clientID, "scope": a.scope, "aud": a.tokenURL,
		"iat": now.Unix(), "exp": now.Add(assertionTTL).Unix(),
	})
	t.Header["kid"] = a.certID
	s, err := t.SignedString(a.key)
	if err != nil {
		return "", fmt.Errorf("netsuite M2M: signing the client assertion with %s: %w", a.method.Alg(), err)
	}
	return s, nil
}

// mint posts the client credentials grant and returns the token and its lifetime.
func (a *m2mAuth) mint(ctx context.Context, now time.Time) (string, time.Duration, error) {
	assertion, err := a.assertion(now)
	if err != nil {
		return "", 0, err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("netsuite %s: %w", tokenEndpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := a.http.Do(req)
	if err != nil {
		a.observe(tokenEndpoint, 0, start, false)
		if ctx.Err() != nil {
			return "", 0, ctx.Err()
		}
		return "", 0, &APIError{Endpoint: tokenEndpoint, Retryable: true, cause: sanitize(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	a.observe(tokenEndpoint, resp.StatusCode, start, false)
	if err != nil {
		return "", 0, &APIError{Status: resp.StatusCode, Endpoint: tokenEndpoint, Retryable: true,
			Detail: "reading the answer: " + err.Error(), cause: err}
	}
	if resp.StatusCode != http.StatusOK {
		return "", 0, tokenError(resp.StatusCode, resp.Header, body, now)
	}
	return decodeToken(body)
}

// decodeToken reads a token answer; the token itself never appears in errors.
func decodeToken(body []byte) (string, time.Duration, error) {
	var tok struct {
		AccessToken string          `json:"access_token"`
		TokenType   string          `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	malformed := func(why string) error {
		return &APIError{Status: http.StatusOK, Endpoint: tokenEndpoint, Retryable: true, Detail: "malformed token answer: " + why}
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		return "", 0, malformed(err.Error() + ": " + excerpt(body))
	}
	if tok.AccessToken == "" {
		return "", 0, malformed("no access_token")
	}
	if tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer") {
		return "", 0, malformed(fmt.Sprintf("token_type %q is not bearer", tok.TokenType))
	}
	ttl := time.Hour // NetSuite's lifetime when the answer does not say
	if len(tok.ExpiresIn) > 0 && string(tok.ExpiresIn) != "null" {
		var secs json.Number
		if err := json.Unmarshal(tok.ExpiresIn, &secs); err != nil {
			// NetSuite has sent expires_in as a string; both are accepted.
			var s string
			if json.Unmarshal(tok.ExpiresIn, &s) != nil {
				return "", 0, malformed("expires_in " + string(tok.ExpiresIn) + " is not a number")
			}
			secs = json.Number(s)
		}
		n, err := secs.Int64()
		if err != nil || n <= 0 || n > 7*24*3600 {
			return "", 0, malformed(fmt.Sprintf("expires_in %q is not a positive number of seconds", secs))
		}
		ttl = time.Duration(n) * time.Second
	}
	return tok.AccessToken, ttl, nil
}

// tokenError reads a refusal: OAuth's {"error","error_description"} or
// NetSuite's error document.
func tokenError(status int, h http.Header, body []byte, now time.Time) *APIError {
	var oe struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &oe) == nil && oe.Error != "" {
		e := &APIError{Status: status, Endpoint: tokenEndpoint, Title: http.StatusText(status), Code: oe.Error,
			Detail: "token refused", Retryable: retryableStatus(status), RetryAfter: retryAfter(h, now)}
		if oe.Description != "" {
			e.Detail += ": " + oe.Description
		}
		return e
	}
	e := decodeError(tokenEndpoint, status, body)
	e.RetryAfter = retryAfter(h, now)
	return e
}
