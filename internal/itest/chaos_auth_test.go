package itest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// The real clients against the sandbox's real auth: wrong credentials are
// refused and reported as what they are (invalid client / invalid login),
// final rather than retried, without the secret; an expired Zuora token is
// replaced without the caller noticing.
func TestCredentials_WrongOrExpiredAreRefusedBySandboxAndReportedClearly(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the sandbox")
	}
	cfg := sandbox.DefaultConfig()
	cfg.ZuoraAddr, cfg.NetSuiteAddr, cfg.DataDir, cfg.Logger = "127.0.0.1:0", "127.0.0.1:0", t.TempDir(), quietLogger()
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hc := &http.Client{Timeout: 10 * time.Second}

	const wrongSecret = "wrong-secret-3f9a1c"
	noSecret := func(what string, err error, secrets ...string) {
		t.Helper()
		for _, s := range append(secrets, cfg.Zuora.ClientSecret, cfg.NetSuite.ConsumerSecret, cfg.NetSuite.TokenSecret) {
			if strings.Contains(err.Error(), s) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), s) {
				t.Errorf("%s: the error shows a secret: %v", what, err)
			}
		}
	}

	t.Run("Zuora wrong client secret", func(t *testing.T) {
		z, err := zuora.New(zuora.Config{BaseURL: sb.ZuoraURL(), ClientID: cfg.Zuora.ClientID, ClientSecret: wrongSecret, HTTPClient: hc, MaxBackoff: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		_, err = zuora.QueryAll[zuora.Invoice](ctx, z, "select Id from Invoice")
		var ae *zuora.AuthError
		if !errors.As(err, &ae) || zuora.IsRetryable(err) || !strings.Contains(err.Error(), "invalid_client") {
			t.Fatalf("want a final auth error saying invalid_client, got %v", err)
		}
		noSecret("zuora", err, wrongSecret)
	})

	t.Run("Zuora token expired mid-use is replaced", func(t *testing.T) {
		z, err := zuora.New(zuora.Config{BaseURL: sb.ZuoraURL(), ClientID: cfg.Zuora.ClientID, ClientSecret: cfg.Zuora.ClientSecret, HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := zuora.QueryAll[zuora.Invoice](ctx, z, "select Id from Invoice"); err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Post(sb.ZuoraURL()+"/_sandbox/expire-tokens", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if _, err := zuora.QueryAll[zuora.Invoice](ctx, z, "select Id from Invoice"); err != nil {
			t.Fatalf("after the token expired: %v", err)
		}
		if n := len(sb.IssuedTokens("zuora")); n < 2 {
			t.Errorf("the client did not mint a new token (%d minted)", n)
		}
		if st := sb.Stats("zuora").Requests["POST /v1/action/query 401"]; st == 0 {
			t.Errorf("the sandbox never refused the expired token: %v", sb.Stats("zuora").Requests)
		}
	})

	for _, c := range []struct {
		name string
		tba  netsuite.TBACredentials
	}{
		{"NetSuite wrong token secret", netsuite.TBACredentials{ConsumerKey: cfg.NetSuite.ConsumerKey, ConsumerSecret: cfg.NetSuite.ConsumerSecret, TokenID: cfg.NetSuite.TokenID, TokenSecret: wrongSecret}},
		{"NetSuite wrong consumer secret", netsuite.TBACredentials{ConsumerKey: cfg.NetSuite.ConsumerKey, ConsumerSecret: wrongSecret, TokenID: cfg.NetSuite.TokenID, TokenSecret: cfg.NetSuite.TokenSecret}},
		{"NetSuite unknown token id", netsuite.TBACredentials{ConsumerKey: cfg.NetSuite.ConsumerKey, ConsumerSecret: cfg.NetSuite.ConsumerSecret, TokenID: "revoked-token-id", TokenSecret: cfg.NetSuite.TokenSecret}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tba := c.tba
			ns, err := netsuite.New(netsuite.Config{BaseURL: sb.NetSuiteURL(), Account: cfg.NetSuite.Account, TBA: &tba, HTTPClient: hc})
			if err != nil {
				t.Fatal(err)
			}
			_, err = ns.QueryAll(ctx, "SELECT id FROM location")
			var ae *netsuite.APIError
			if !errors.As(err, &ae) || ae.Status != 401 || netsuite.IsRetryable(err) || !strings.Contains(err.Error(), "INVALID_LOGIN") {
				t.Fatalf("want a final 401 INVALID_LOGIN, got %v", err)
			}
			noSecret(c.name, err, wrongSecret)
		})
	}
}
