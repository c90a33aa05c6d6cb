package netsuite

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// rfc3986 is RFC 5849 §3.6 percent-encoding, written here independently of
// the oauth1 library: every byte but ALPHA / DIGIT / "-" / "." / "_" / "~".
func rfc3986(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// parseOAuthHeader reads `OAuth k="v", ...` into decoded values.
func parseOAuthHeader(t *testing.T, h string) map[string]string {
	t.Helper()
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		t.Fatalf("Authorization %q is not OAuth", h)
	}
	out := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			t.Fatalf("malformed parameter %q in %q", part, h)
		}
		dv, err := url.PathUnescape(v[1 : len(v)-1])
		if err != nil {
			t.Fatal(err)
		}
		out[k] = dv
	}
	return out
}

// expectedSignature is RFC 5849 §3.4 HMAC-SHA256 from first principles.
func expectedSignature(method, baseURI string, query url.Values, oauth map[string]string, signRealm bool) string {
	var pairs []string
	for k, v := range oauth {
		if k == "oauth_signature" || (k == "realm" && !signRealm) {
			continue
		}
		pairs = append(pairs, rfc3986(k)+"="+rfc3986(v))
	}
	for k, vs := range query {
		for _, v := range vs {
			pairs = append(pairs, rfc3986(k)+"="+rfc3986(v))
		}
	}
	sort.Strings(pairs)
	base := strings.ToUpper(method) + "&" + rfc3986(baseURI) + "&" + rfc3986(strings.Join(pairs, "&"))
	mac := hmac.New(sha256.New, []byte(rfc3986(testConsumerSecret)+"&"+rfc3986(testTokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

type fixedNonce string

func (n fixedNonce) Nonce() string { return string(n) }

func TestTBASignatureMatchesRFC5849(t *testing.T) {
	const nonce = "n0nce+with/odd=chars"
	type seen struct {
		method, requestURI, host, auth string
		query                          url.Values
	}
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.Method, r.RequestURI, r.Host, r.Header.Get("Authorization"), r.URL.Query()})
		mu.Unlock()
		switch r.Method {
		case http.MethodPut:
			w.Header().Set("Location", "http://"+r.Host+"/services/rest/record/v1/invoice/9")
			w.WriteHeader(204)
		case http.MethodPost:
			_, _ = io.WriteString(w, `{"items":[],"hasMore":false,"count":0,"offset":0,"totalResults":0}`)
		default:
			w.WriteHeader(204)
		}
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL + "/services/rest", Account: testAccount, TBA: testTBA()})
	if err != nil {
		t.Fatal(err)
	}
	c.http = tbaClient(&http.Client{}, testAccount, *testTBA(), fixedNonce(nonce))
	ctx := context.Background()
	if _, err := c.Upsert(ctx, TypeInvoice, "zuora invoice/1 ü", map[string]any{"memo": "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.QueryPage(ctx, "SELECT id FROM transaction", 10, 20); err != nil {
		t.Fatal(err)
	}
	if err := c.Patch(ctx, TypeInvoice, "9", map[string]any{}, "item", "apply"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d requests", len(got))
	}
	wantPaths := []string{
		"/services/rest/record/v1/invoice/eid:zuora%20invoice%2F1%20%C3%BC",
		"/services/rest/query/v1/suiteql?limit=10&offset=20",
		"/services/rest/record/v1/invoice/9?replace=item%2Capply",
	}
	for i, s := range got {
		t.Run(s.method, func(t *testing.T) {
			if s.requestURI != wantPaths[i] {
				t.Errorf("request URI %q, want %q", s.requestURI, wantPaths[i])
			}
			p := parseOAuthHeader(t, s.auth)
			for k, want := range map[string]string{"realm": testAccount, "oauth_consumer_key": "ck-public", "oauth_token": "tok-public",
				"oauth_signature_method": "HMAC-SHA256", "oauth_version": "1.0", "oauth_nonce": nonce} {
				if p[k] != want {
					t.Errorf("%s = %q, want %q", k, p[k], want)
				}
			}
			ts, err := strconv.ParseInt(p["oauth_timestamp"], 10, 64)
			if err != nil || time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
				t.Errorf("oauth_timestamp %q is not now", p["oauth_timestamp"])
			}
			baseURI := "http://" + s.host + strings.SplitN(s.requestURI, "?", 2)[0]
			if want := expectedSignature(s.method, baseURI, s.query, p, false); p["oauth_signature"] != want {
				t.Errorf("signature %q, want %q (independent RFC 5849 computation)", p["oauth_signature"], want)
			}
			if p["oauth_signature"] == expectedSignature(s.method, baseURI, s.query, p, true) {
				t.Error("the realm must not be signed")
			}
			if strings.Contains(s.auth, testConsumerSecret) || strings.Contains(s.auth, testTokenSecret) {
				t.Error("the Authorization header carries a secret")
			}
		})
	}
}

func TestTBAEachRetryIsSignedAfresh(t *testing.T) {
	var mu sync.Mutex
	nonces := map[string]bool{}
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		p := parseOAuthHeader(t, r.Header.Get("Authorization"))
		mu.Lock()
		dup := nonces[p["oauth_nonce"]]
		nonces[p["oauth_nonce"]] = true
		n := len(nonces)
		mu.Unlock()
		if dup {
			w.WriteHeader(401)
			return
		}
		if n < 3 {
			w.WriteHeader(503)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	})
	if err := h.c.Get(context.Background(), TypeCustomer, "1", false, nil); err != nil {
		t.Fatalf("a nonce was reused on retry: %v", err)
	}
}

// m2mServer is a token endpoint that verifies the client assertion as
// NetSuite does, and a record endpoint that accepts the tokens it minted.
type m2mServer struct {
	t       *testing.T
	srv     *httptest.Server
	pub     any
	alg     string
	now     func() time.Time
	mu      sync.Mutex
	mints   int
	valid   map[string]bool
	refuse  int    // refuse the next n record calls with INVALID_LOGIN
	tokenEx string // expires_in as raw JSON
	failing string // a token endpoint answer body to give (400) instead of a token
}

func newM2MServer(t *testing.T, pub any, alg string, now func() time.Time) *m2mServer {
	s := &m2mServer{t: t, pub: pub, alg: alg, now: now, valid: map[string]bool{}, tokenEx: "3600"}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *m2mServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/services/rest/auth/oauth2/v1/token" {
		if s.failing != "" {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, s.failing)
			return
		}
		if err := s.checkGrant(r); err != nil {
			s.t.Errorf("token request refused: %v", err)
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		s.mints++
		tok := fmt.Sprintf("token-%d", s.mints)
		s.valid[tok] = true
		_, _ = fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":%s}`, tok, s.tokenEx)
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !s.valid[tok] || s.refuse > 0 {
		if s.refuse > 0 {
			s.refuse--
		}
		w.WriteHeader(401)
		_, _ = io.WriteString(w, nsErrorBody(401, "INVALID_LOGIN", "", invalidLoginDetail))
		return
	}
	_, _ = fmt.Fprintf(w, `{"id":"1","token":%q}`, tok)
}

func (s *m2mServer) checkGrant(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		return fmt.Errorf("grant %v", r.PostForm)
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(r.PostForm.Get("client_assertion"), claims, func(t *jwt.Token) (any, error) { return s.pub, nil },
		jwt.WithValidMethods([]string{s.alg}), jwt.WithTimeFunc(s.now), jwt.WithIssuedAt(), jwt.WithExpirationRequired(),
		jwt.WithAudience(s.srv.URL+"/services/rest/auth/oauth2/v1/token"), jwt.WithIssuer("client-1"))
	if err != nil {
		return err
	}
	if tok.Header["kid"] != "cert-1" || claims["scope"] != "rest_webservices" {
		return fmt.Errorf("kid %v scope %v", tok.Header["kid"], claims["scope"])
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	if iat == nil || exp.Sub(iat.Time) > time.Hour || exp.Sub(iat.Time) <= 0 {
		return fmt.Errorf("iat %v exp %v", iat, exp)
	}
	return nil
}

func rsaKey(t *testing.T) (any, []byte) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return &k.PublicKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func ecKey(t *testing.T, curve elliptic.Curve) (any, []byte) {
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return &k.PublicKey, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

func newM2MClient(t *testing.T, keyPEM []byte, s *m2mServer, clock *fakeClock) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: s.srv.URL + "/services/rest", Account: testAccount,
		M2M: &M2MCredentials{ClientID: "client-1", CertificateID: "cert-1", PrivateKeyPEM: keyPEM}})
	if err != nil {
		t.Fatal(err)
	}
	c.now = clock.Now
	c.sleep = func(ctx context.Context, d time.Duration) error { return nil }
	return c
}

func TestM2MTokenMintReuseAndRenewal(t *testing.T) {
	rsaPub, rsaPEM := rsaKey(t)
	ecPub, ecPEM := ecKey(t, elliptic.P256())
	tests := []struct {
		name string
		pub  any
		pem  []byte
		alg  string
	}{
		{"RSA key signs PS256", rsaPub, rsaPEM, "PS256"},
		{"EC P-256 key signs ES256", ecPub, ecPEM, "ES256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Now()}
			s := newM2MServer(t, tt.pub, tt.alg, clock.Now)
			c := newM2MClient(t, tt.pem, s, clock)
			ctx := context.Background()
			get := func() string {
				t.Helper()
				var out map[string]any
				if err := c.Get(ctx, TypeCustomer, "1", false, &out); err != nil {
					t.Fatal(err)
				}
				return out["token"].(string)
			}
			if tok := get(); tok != "token-1" || s.mints != 1 {
				t.Fatalf("first call: token %s, %d mints", tok, s.mints)
			}
			clock.Advance(58 * time.Minute)
			if tok := get(); tok != "token-1" || s.mints != 1 {
				t.Fatalf("58 min later the token is reused: token %s, %d mints", tok, s.mints)
			}
			clock.Advance(90 * time.Second) // within a minute of the hour: renew
			if tok := get(); tok != "token-2" || s.mints != 2 {
				t.Fatalf("near expiry a new token is minted: token %s, %d mints", tok, s.mints)
			}
			// NetSuite refuses a token it issued (revoked, or restarted): dropped, re-minted, call repeated.
			s.mu.Lock()
			delete(s.valid, "token-2")
			s.mu.Unlock()
			if tok := get(); tok != "token-3" || s.mints != 3 {
				t.Fatalf("a refused token is replaced: token %s, %d mints", tok, s.mints)
			}
		})
	}
}

func TestM2MConcurrentCallersShareOneMint(t *testing.T) {
	pub, keyPEM := ecKey(t, elliptic.P256())
	clock := &fakeClock{t: time.Now()}
	s := newM2MServer(t, pub, "ES256", clock.Now)
	c := newM2MClient(t, keyPEM, s, clock)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if err := c.Get(context.Background(), TypeCustomer, "1", false, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if s.mints != 1 {
		t.Errorf("%d mints for 10 concurrent calls", s.mints)
	}
}

func TestM2MTokenAnswers(t *testing.T) {
	pub, keyPEM := ecKey(t, elliptic.P256())
	tests := []struct {
		name      string
		expiresIn string
		failing   string
		wantErr   string // "" = works
		retryable bool
	}{
		{"expires_in as a string", `"3600"`, "", "", false},
		{"expires_in absent means an hour", `null`, "", "", false},
		{"expires_in negative", `-5`, "", "expires_in", true},
		{"expires_in garbage", `"soon"`, "", "expires_in", true},
		{"refused grant is final and named", "", `{"error":"invalid_grant","error_description":"bad assertion"}`, "invalid_grant", false},
		{"refused with an HTML page", "", `<html>nope</html>`, "<html>nope</html>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Now()}
			s := newM2MServer(t, pub, "ES256", clock.Now)
			s.tokenEx, s.failing = tt.expiresIn, tt.failing
			c := newM2MClient(t, keyPEM, s, clock)
			c.maxRetries = 1
			err := c.Get(context.Background(), TypeCustomer, "1", false, nil)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Endpoint != tokenEndpoint || !strings.Contains(err.Error(), tt.wantErr) || IsRetryable(err) != tt.retryable {
				t.Errorf("got %v (retryable %v), want a token error with %q, retryable %v", err, IsRetryable(err), tt.wantErr, tt.retryable)
			}
		})
	}
}

func TestM2MKeyTypes(t *testing.T) {
	_, p384 := ecKey(t, elliptic.P384())
	_, p256 := ecKey(t, elliptic.P256())
	garbled := append([]byte(nil), p256...)
	garbled[40] ^= 0x55
	tests := []struct {
		name, wantErr string
		pem           []byte
	}{
		{"EC P-384 is refused for ES256", "P-384", p384},
		{"garbled PEM", "not a PEM RSA or EC private key", garbled},
		{"a certificate, not a key", "not a PEM RSA or EC private key", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{BaseURL: "http://127.0.0.1:1/services/rest", Account: testAccount,
				M2M: &M2MCredentials{ClientID: "c", CertificateID: "k", PrivateKeyPEM: tt.pem}})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "M2M.PrivateKeyPEM") {
				t.Errorf("got %v, want an error naming M2M.PrivateKeyPEM with %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "BEGIN") {
				t.Errorf("the error shows key material: %v", err)
			}
		})
	}
}
