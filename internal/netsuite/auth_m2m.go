package netsuite

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// m2mTokenSource mints access tokens with a signed JWT client assertion
// (NetSuite OAuth 2.0 client credentials flow).
type m2mTokenSource struct {
	tokenURL string
	creds    M2MCredentials
	method   jwt.SigningMethod
	key      any
	http     *http.Client
}

func newM2MTokenSource(tokenURL string, creds M2MCredentials, hc *http.Client) (*m2mTokenSource, error) {
	if creds.ClientID == "" || creds.CertificateID == "" {
		return nil, errors.New("M2M.ClientID and M2M.CertificateID are required")
	}
	if creds.Scope == "" {
		creds.Scope = "rest_webservices"
	}
	s := &m2mTokenSource{tokenURL: tokenURL, creds: creds, http: hc}
	if k, err := jwt.ParseRSAPrivateKeyFromPEM(creds.PrivateKeyPEM); err == nil {
		s.method, s.key = jwt.SigningMethodPS256, k
	} else if k, err := jwt.ParseECPrivateKeyFromPEM(creds.PrivateKeyPEM); err == nil {
		s.method, s.key = jwt.SigningMethodES256, k
	} else {
		return nil, errors.New("M2M.PrivateKeyPEM is not a PEM RSA or EC private key")
	}
	return s, nil
}


// Token implements oauth2.TokenSource.
func (s *m2mTokenSource) Token() (*oauth2.Token, error) {
	now := time.Now()
	t := jwt.NewWithClaims(s.method, jwt.MapClaims{
		"iss": s.creds.ClientID, "scope": s.creds.Scope, "aud": s.tokenURL,
		"iat": now.Unix(), "exp": now.Add(time.Hour - time.Minute).Unix(),
	})
	t.Header["kid"] = s.creds.CertificateID
	assertion, err := t.SignedString(s.key)
	if err != nil {
		return nil, fmt.Errorf("netsuite M2M: signing the client assertion: %w", err)
	}
	form := url.Values{"grant_type": {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
	resp, err := s.http.Post(s.tokenURL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &APIError{Endpoint: "POST /auth/oauth2/v1/token", Retryable: true, cause: sanitize(err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return nil, &APIError{Status: resp.StatusCode, Endpoint: "POST /auth/oauth2/v1/token", Retryable: resp.StatusCode >= 500 || resp.StatusCode == 429,
			Detail: "token refused: " + excerpt(body)}
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return nil, &APIError{Status: resp.StatusCode, Endpoint: "POST /auth/oauth2/v1/token", Retryable: true, Detail: "malformed token answer: " + excerpt(body)}
	}
	return &oauth2.Token{AccessToken: tok.AccessToken, TokenType: "Bearer", Expiry: now.Add(time.Duration(tok.ExpiresIn) * time.Second)}, nil
}
