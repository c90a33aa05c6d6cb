package netsuite

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/dghubble/oauth1"
)

// TBACredentials are token-based authentication credentials (an integration
// record's consumer key/secret and an access token's id/secret).
type TBACredentials struct {
	ConsumerKey, ConsumerSecret, TokenID, TokenSecret string
}

// String shows the public halves only.
func (t TBACredentials) String() string {
	return "TBA(consumer key " + t.ConsumerKey + ", token " + t.TokenID + ", secrets redacted)"
}

// GoString keeps %#v from printing the secrets.
func (t TBACredentials) GoString() string { return t.String() }

// LogValue keeps slog from printing the secrets.
func (t TBACredentials) LogValue() slog.Value { return slog.StringValue(t.String()) }

// MarshalJSON writes the redacted form: credentials are read from flags and
// files, never serialized, so an accidental json.Marshal must not leak them.
func (t TBACredentials) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

func (t *TBACredentials) validate() error {
	for _, f := range []struct{ name, v string }{
		{"TBA.ConsumerKey", t.ConsumerKey}, {"TBA.ConsumerSecret", t.ConsumerSecret},
		{"TBA.TokenID", t.TokenID}, {"TBA.TokenSecret", t.TokenSecret},
	} {
		if f.v == "" {
			return configError(f.name, "is empty")
		}
	}
	return nil
}

// tbaClient wraps base so every request (each retry too, with a fresh nonce
// and timestamp) is signed with OAuth 1.0a HMAC-SHA256. The realm is the
// account id; per RFC 5849 §3.4.1.3.1 it is sent but not signed. A noncer
// may be given by tests; nil uses the library's random one.
func tbaClient(base *http.Client, account string, t TBACredentials, noncer oauth1.Noncer) *http.Client {
	oc := &oauth1.Config{
		ConsumerKey:    t.ConsumerKey,
		ConsumerSecret: t.ConsumerSecret,
		Realm:          account,
		Signer:         &oauth1.HMAC256Signer{ConsumerSecret: t.ConsumerSecret},
		Noncer:         noncer,
	}
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, base)
	signed := oc.Client(ctx, oauth1.NewToken(t.TokenID, t.TokenSecret))
	signed.Timeout, signed.CheckRedirect, signed.Jar = base.Timeout, base.CheckRedirect, base.Jar
	return signed
}
