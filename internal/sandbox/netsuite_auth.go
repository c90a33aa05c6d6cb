package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const invalidLogin = "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail."

// auth accepts token-based auth (OAuth 1.0a HMAC-SHA256, verified per RFC
// 5849) or a bearer token minted by the M2M token endpoint.
func (n *netsuiteAPI) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := n.verify(r); err != nil {
			n.cfg.Logger.Debug("netsuite auth refused", "why", err.Error())
			nsError(w, 401, "INVALID_LOGIN", "", invalidLogin)
			return
		}
		if n.state.roll(n.state.getFaults().SpuriousAuthRate) {
			n.state.injectedFault("spuriousAuth")
			nsError(w, 401, "INVALID_LOGIN", "", invalidLogin)
			return
		}
		next(w, r)
	}
}

func (n *netsuiteAPI) verify(r *http.Request) error {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		n.authMu.Lock()
		exp, known := n.m2mTokens[tok]
		n.authMu.Unlock()
		if !known || time.Now().After(exp) {
			return fmt.Errorf("unknown or expired bearer token")
		}
		return nil
	}
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		return fmt.Errorf("no OAuth authorization header")
	}
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("malformed authorization parameter %q", part)
		}
		v = strings.Trim(v, `"`)
		dv, err := url.PathUnescape(v)
		if err != nil {
			return fmt.Errorf("parameter %s: %w", k, err)
		}
		params[k] = dv
	}
	c := n.cfg.NetSuite
	switch {
	case params["realm"] != c.Account:
		return fmt.Errorf("realm %q is not account %q", params["realm"], c.Account)
	case params["oauth_signature_method"] != "HMAC-SHA256":
		return fmt.Errorf("signature method %q", params["oauth_signature_method"])
	case params["oauth_consumer_key"] != c.ConsumerKey || params["oauth_token"] != c.TokenID:
		return fmt.Errorf("unknown consumer key or token")
	}
	ts, err := strconv.ParseInt(params["oauth_timestamp"], 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 300*time.Second {
		return fmt.Errorf("timestamp %q outside ±300 s", params["oauth_timestamp"])
	}
	want := tbaSignature(r.Method, "http://"+strings.ToLower(r.Host)+r.URL.EscapedPath(), r.URL.Query(), params, c.ConsumerSecret, c.TokenSecret)
	if subtle.ConstantTimeCompare([]byte(want), []byte(params["oauth_signature"])) != 1 {
		return fmt.Errorf("signature mismatch")
	}
	nonce := params["oauth_consumer_key"] + "\x00" + params["oauth_nonce"]
	n.authMu.Lock()
	defer n.authMu.Unlock()
	for k, at := range n.nonces {
		if time.Since(at) > 10*time.Minute {
			delete(n.nonces, k)
		}
	}
	if _, seen := n.nonces[nonce]; seen {
		return fmt.Errorf("nonce %q used before", params["oauth_nonce"])
	}
	n.nonces[nonce] = time.Now()
	return nil
}

// tbaSignature is RFC 5849 §3.4 with HMAC-SHA256: the realm and the signature
// itself are not signed; query parameters are.
func tbaSignature(method, baseURL string, query url.Values, oauth map[string]string, consumerSecret, tokenSecret string) string {
	var pairs []string
	for k, v := range oauth {
		if k == "realm" || k == "oauth_signature" {
			continue
		}
		pairs = append(pairs, enc(k)+"="+enc(v))
	}
	for k, vs := range query {
		for _, v := range vs {
			pairs = append(pairs, enc(k)+"="+enc(v))
		}
	}
	sort.Strings(pairs)
	base := strings.ToUpper(method) + "&" + enc(baseURL) + "&" + enc(strings.Join(pairs, "&"))
	mac := hmac.New(sha256.New, []byte(enc(consumerSecret)+"&"+enc(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// enc is RFC 3986 percent-encoding: only unreserved characters stay.
func enc(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// m2mToken is NetSuite's OAuth 2.0 client credentials endpoint with a JWT
// client assertion, verified against the configured certificate's public key.
func (n *netsuiteAPI) m2mToken(w http.ResponseWriter, r *http.Request) {
	c := n.cfg.NetSuite
	fail := func(code, why string) {
		n.cfg.Logger.Debug("netsuite m2m token refused", "why", why)
		writeJSON(w, 400, map[string]string{"error": code})
	}
	if len(c.M2MPublicKeyPEM) == 0 {
		fail("unauthorized_client", "M2M is not configured in this sandbox")
		return
	}
	if err := r.ParseForm(); err != nil {
		fail("invalid_request", err.Error())
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" ||
		r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		fail("invalid_request", "grant_type or client_assertion_type")
		return
	}
	tokenURL := "http://" + r.Host + r.URL.Path
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(r.PostForm.Get("client_assertion"), claims, func(t *jwt.Token) (any, error) {
		if t.Header["kid"] != c.M2MCertificateID {
			return nil, fmt.Errorf("kid %v is not the certificate id", t.Header["kid"])
		}
		switch t.Method.Alg() {
		case "PS256":
			return jwt.ParseRSAPublicKeyFromPEM(c.M2MPublicKeyPEM)
		case "ES256":
			return jwt.ParseECPublicKeyFromPEM(c.M2MPublicKeyPEM)
		}
		return nil, fmt.Errorf("algorithm %s (PS256 or ES256)", t.Method.Alg())
	}, jwt.WithValidMethods([]string{"PS256", "ES256"}), jwt.WithAudience(tokenURL), jwt.WithIssuer(c.M2MClientID), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil {
		fail("invalid_grant", err.Error())
		return
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	if iat == nil || exp.Sub(iat.Time) > time.Hour {
		fail("invalid_grant", "exp more than 3600 s after iat")
		return
	}
	tok := newHex(24)
	n.authMu.Lock()
	n.m2mTokens[tok] = time.Now().Add(time.Hour)
	n.authMu.Unlock()
	writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": 3600})
}

// TBAHeader signs a request as a NetSuite TBA client would, for curl
// examples and debugging (sandbox --sign).
func TBAHeader(method, rawURL string, a NetSuiteAuth, now time.Time, nonce string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%q is not a URL", rawURL)
	}
	params := map[string]string{"oauth_consumer_key": a.ConsumerKey, "oauth_token": a.TokenID, "oauth_signature_method": "HMAC-SHA256",
		"oauth_timestamp": strconv.FormatInt(now.Unix(), 10), "oauth_nonce": nonce, "oauth_version": "1.0"}
	sig := tbaSignature(method, strings.ToLower(u.Scheme+"://"+u.Host)+u.EscapedPath(), u.Query(), params, a.ConsumerSecret, a.TokenSecret)
	params["oauth_signature"] = sig
	keys := []string{"oauth_consumer_key", "oauth_token", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_version", "oauth_signature"}
	parts := []string{`realm="` + a.Account + `"`}
	for _, k := range keys {
		parts = append(parts, k+`="`+enc(params[k])+`"`)
	}
	return "OAuth " + strings.Join(parts, ", "), nil
}
