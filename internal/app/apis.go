package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/zuora-netsuite/connector/internal/cli"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Local defaults: the sandbox's documented credentials (docs/sandbox.md), so
// `make demo` needs no configuration. They are test values, not secrets; a
// real tenant is configured with the flags or environment variables.
const (
	SandboxZuoraURL          = "http://127.0.0.1:8701"
	SandboxNetSuiteURL       = "http://127.0.0.1:8702/services/rest"
	SandboxZuoraClientID     = "sandbox-zuora-client"
	SandboxZuoraClientSecret = "sandbox-zuora-secret"
	SandboxNetSuiteAccount   = "1234567_SB1"
	SandboxConsumerKey       = "sandbox-consumer-key"
	SandboxConsumerSecret    = "sandbox-consumer-secret"
	SandboxTokenID           = "sandbox-token-id"
	SandboxTokenSecret       = "sandbox-token-secret"
)

// APIConfig is how the worker reaches Zuora and NetSuite.
type APIConfig struct {
	ZuoraURL              string
	ZuoraClientID         string
	ZuoraClientSecret     string
	ZuoraClientSecretFile string
	ZuoraEntityID         string

	NetSuiteURL         string
	NetSuiteAccount     string
	ConsumerKey         string
	ConsumerSecret      string
	ConsumerSecretFile  string
	TokenID             string
	TokenSecret         string
	TokenSecretFile     string
	M2MClientID         string
	M2MCertificateID    string
	M2MPrivateKeyFile   string
	NetSuiteConcurrency int // the account's limit C, shared by NetSuiteWorkers
	NetSuiteWorkers     int
	HTTPTimeout         time.Duration
	// NetSuiteLimiter, when set, holds the account's limit across workers
	// (internal/nslimit, the cluster's shared store) instead of a C/N share.
	NetSuiteLimiter netsuite.Limiter
}

// NetSuiteShare is how many NetSuite requests this worker may have in flight:
// its equal share of the account's limit, so N workers never exceed it
// together (NetSuite refuses the excess with 429 and counts it against the
// integration).
func (c *APIConfig) NetSuiteShare() (int, error) {
	workers := c.NetSuiteWorkers
	if workers == 0 {
		workers = 1 // unset in code that builds the config by hand
	}
	if c.NetSuiteConcurrency < 1 || workers < 1 {
		return 0, fmt.Errorf("--netsuite-concurrency (%d) and --netsuite-workers (%d) must be at least 1", c.NetSuiteConcurrency, workers)
	}
	if workers > c.NetSuiteConcurrency {
		return 0, fmt.Errorf("--netsuite-workers %d is more than the account's %d concurrent requests (--netsuite-concurrency): some worker would get no share",
			workers, c.NetSuiteConcurrency)
	}
	return c.NetSuiteConcurrency / workers, nil
}

// AddFlags declares the API flags on fs.
func (c *APIConfig) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.ZuoraURL, "zuora-url", SandboxZuoraURL, "Zuora REST base URL (e.g. https://rest.zuora.com, https://rest.apisandbox.zuora.com)")
	fs.StringVar(&c.ZuoraClientID, "zuora-client-id", SandboxZuoraClientID, "Zuora OAuth client id")
	fs.StringVar(&c.ZuoraClientSecret, "zuora-client-secret", SandboxZuoraClientSecret, "Zuora OAuth client secret (prefer --zuora-client-secret-file)")
	fs.StringVar(&c.ZuoraClientSecretFile, "zuora-client-secret-file", "", "file holding the Zuora OAuth client secret")
	fs.StringVar(&c.ZuoraEntityID, "zuora-entity-id", "", "Zuora-Entity-Ids header for multi-entity tenants")
	fs.StringVar(&c.NetSuiteURL, "netsuite-url", SandboxNetSuiteURL, "NetSuite REST base URL (https://<account>.suitetalk.api.netsuite.com/services/rest)")
	fs.StringVar(&c.NetSuiteAccount, "netsuite-account", SandboxNetSuiteAccount, "NetSuite account id, the TBA realm (e.g. 1234567 or 1234567_SB1)")
	fs.StringVar(&c.ConsumerKey, "netsuite-consumer-key", SandboxConsumerKey, "token-based auth: integration consumer key")
	fs.StringVar(&c.ConsumerSecret, "netsuite-consumer-secret", SandboxConsumerSecret, "token-based auth: consumer secret (prefer the -file flag)")
	fs.StringVar(&c.ConsumerSecretFile, "netsuite-consumer-secret-file", "", "file holding the consumer secret")
	fs.StringVar(&c.TokenID, "netsuite-token-id", SandboxTokenID, "token-based auth: access token id")
	fs.StringVar(&c.TokenSecret, "netsuite-token-secret", SandboxTokenSecret, "token-based auth: token secret (prefer the -file flag)")
	fs.StringVar(&c.TokenSecretFile, "netsuite-token-secret-file", "", "file holding the token secret")
	fs.StringVar(&c.M2MClientID, "netsuite-m2m-client-id", "", "OAuth 2.0 machine-to-machine: integration client id (instead of token-based auth)")
	fs.StringVar(&c.M2MCertificateID, "netsuite-m2m-certificate-id", "", "OAuth 2.0 M2M: certificate id from the M2M setup page")
	fs.StringVar(&c.M2MPrivateKeyFile, "netsuite-m2m-private-key", "", "OAuth 2.0 M2M: PEM private key file (RSA for PS256, EC P-256 for ES256)")
	fs.IntVar(&c.NetSuiteConcurrency, "netsuite-concurrency", 15, "the NetSuite account's concurrent request limit C (Setup > Integration > Integration Governance), shared by all workers")
	fs.IntVar(&c.NetSuiteWorkers, "netsuite-workers", 1, "without --state-store: how many workers share the NetSuite account, each keeping at most C/N requests in flight (with a postgres --state-store the limit is shared exactly and this is ignored)")
	fs.DurationVar(&c.HTTPTimeout, "http-timeout", 2*time.Minute, "timeout of one HTTP request to Zuora or NetSuite")
}

// Observer receives every API call's endpoint, status and latency (metrics).
type Observer interface {
	Observe(api, endpoint string, status int, d time.Duration, retried bool)
}

// NewZuora builds the Zuora client.
func (c *APIConfig) NewZuora(logger *slog.Logger, obs Observer) (*zuora.Client, error) {
	secret, err := cli.Secret("--zuora-client-secret-file", c.ZuoraClientSecret, c.ZuoraClientSecretFile)
	if err != nil {
		return nil, err
	}
	cfg := zuora.Config{
		BaseURL: c.ZuoraURL, ClientID: c.ZuoraClientID, ClientSecret: secret, EntityID: c.ZuoraEntityID,
		HTTPClient: &http.Client{Timeout: c.HTTPTimeout}, Logger: logger,
	}
	if obs != nil {
		cfg.Metrics = obs
	}
	cl, err := zuora.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("zuora: %w", err)
	}
	return cl, nil
}

// NewNetSuite builds the NetSuite client with token-based auth, or OAuth 2.0
// M2M when its flags are given.
func (c *APIConfig) NewNetSuite(logger *slog.Logger, obs Observer) (*netsuite.Client, error) {
	share, err := c.NetSuiteShare()
	if err != nil {
		return nil, err
	}
	if c.NetSuiteLimiter != nil {
		share = 0 // the shared limiter holds the whole account's limit
	}
	cfg := netsuite.Config{
		BaseURL: c.NetSuiteURL, Account: c.NetSuiteAccount, MaxConcurrent: share, Limiter: c.NetSuiteLimiter,
		HTTPClient: &http.Client{Timeout: c.HTTPTimeout}, Logger: logger,
	}
	if obs != nil {
		cfg.Metrics = obs
	}
	if c.M2MClientID != "" {
		if c.M2MCertificateID == "" || c.M2MPrivateKeyFile == "" {
			return nil, errors.New("--netsuite-m2m-client-id needs --netsuite-m2m-certificate-id and --netsuite-m2m-private-key")
		}
		pem, err := os.ReadFile(c.M2MPrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("--netsuite-m2m-private-key: cannot read %s: %w", c.M2MPrivateKeyFile, errors.Unwrap(err))
		}
		cfg.M2M = &netsuite.M2MCredentials{ClientID: c.M2MClientID, CertificateID: c.M2MCertificateID, PrivateKeyPEM: pem, Scope: "rest_webservices"}
	} else {
		cs, err := cli.Secret("--netsuite-consumer-secret-file", c.ConsumerSecret, c.ConsumerSecretFile)
		if err != nil {
			return nil, err
		}
		ts, err := cli.Secret("--netsuite-token-secret-file", c.TokenSecret, c.TokenSecretFile)
		if err != nil {
			return nil, err
		}
		cfg.TBA = &netsuite.TBACredentials{ConsumerKey: c.ConsumerKey, ConsumerSecret: cs, TokenID: c.TokenID, TokenSecret: ts}
	}
	cl, err := netsuite.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("netsuite: %w", err)
	}
	return cl, nil
}
