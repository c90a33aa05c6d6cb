package zuora

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Credentials are an OAuth client's id and secret.
type Credentials struct {
	ClientID     string
	ClientSecret string
}

// String never shows the secret.
func (c Credentials) String() string { return "zuora.Credentials{" + c.ClientID + "}" }

// GoString never shows the secret.
func (c Credentials) GoString() string { return c.String() }

// CredentialsProvider supplies the OAuth client at the moment a token is
// minted, so credentials rotated by the Invoice Settlement migration take
// effect without a restart. ok=false keeps the configured credentials.
type CredentialsProvider interface {
	ZuoraCredentials() (creds Credentials, ok bool, err error)
}

// UseCredentialsProvider makes the client consult p before each token use;
// without one (the default) the configured credentials are used.
func (c *Client) UseCredentialsProvider(p CredentialsProvider) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.provider = p
}

// applyProvider switches to the provider's credentials when they differ from
// those in use (dropping the cached token). A provider that cannot be read
// keeps the current credentials: a broken store must not stop syncs, and
// the migration's verification reads the store itself.
func (c *Client) applyProvider() {
	c.mu.Lock()
	p := c.provider
	c.mu.Unlock()
	if p == nil {
		return
	}
	cr, ok, err := p.ZuoraCredentials()
	if err != nil {
		c.log.Warn("zuora: credential store unreadable; keeping the current OAuth client", "error", err)
		return
	}
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.creds.ClientID == cr.ClientID && c.creds.ClientSecret == cr.ClientSecret {
		return
	}
	c.creds.ClientID, c.creds.ClientSecret = cr.ClientID, cr.ClientSecret
	c.tokens = nil
}

// cacheDropper is a provider that reuses its reads for a moment (the
// PostgreSQL store, a second) and can forget them.
type cacheDropper interface{ DropCache() }

// freshCredentials reads the provider afresh after the OAuth client in use
// was refused, and reports whether that changed the credentials: another
// worker may have activated a new client and retired this one within the
// provider's cache.
func (c *Client) freshCredentials() bool {
	c.mu.Lock()
	p, beforeID, beforeSecret := c.provider, c.creds.ClientID, c.creds.ClientSecret
	c.mu.Unlock()
	d, ok := p.(cacheDropper)
	if !ok {
		return false
	}
	d.DropCache()
	c.applyProvider()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.creds.ClientID != beforeID || c.creds.ClientSecret != beforeSecret
}

// WithCredentials is a client of the same tenant using other credentials
// and no provider (to verify a new OAuth client, or that an old one is refused).
func (c *Client) WithCredentials(cr Credentials) (*Client, error) {
	if cr.ClientID == "" || cr.ClientSecret == "" {
		return nil, errors.New("zuora: client id and secret are required")
	}
	n := &Client{base: c.base, http: c.http, entity: c.entity, retries: c.retries, maxWait: c.maxWait, log: c.log, obs: c.obs}
	n.setCreds(cr.ClientID, cr.ClientSecret)
	return n, nil
}

// InvoiceSettlementEnabled asks the tenant whether the Invoice Settlement
// endpoints answer: GET /v1/creditmemos?pageSize=1 succeeds on an IS tenant;
// a 404 or a "not enabled"/feature error means not yet. Other failures are
// returned (the caller retries).
func (c *Client) InvoiceSettlementEnabled(ctx context.Context) (bool, error) {
	q := url.Values{"page": {"1"}, "pageSize": {"1"}}
	err := c.do(ctx, call{method: "GET", endpoint: "GET /v1/creditmemos", path: "/v1/creditmemos", query: q})
	if err == nil {
		return true, nil
	}
	var ae *APIError
	if errors.As(err, &ae) {
		msg := strings.ToLower(ae.Message)
		if ae.Status == http.StatusNotFound ||
			((ae.Status == http.StatusBadRequest || ae.Status == http.StatusForbidden || ae.Status == http.StatusOK) &&
				(strings.Contains(msg, "invoice settlement") || strings.Contains(msg, "not enabled") || strings.Contains(msg, "feature"))) {
			return false, nil
		}
	}
	return false, err
}
