package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Corruption damages one record wherever an answer carries it (a query page,
// a GET, an items list), the way a misconfigured custom field or a broken
// integration user shows data: Mode "wrongType" makes Field a JSON value of
// the wrong kind (a number becomes a word, a string becomes an object),
// "missing" drops Field.
type Corruption struct {
	ID    string `json:"id"`    // the record's Id (Zuora) or id (NetSuite)
	Field string `json:"field"` // matched case-insensitively (ZOQL Amount, REST amount)
	Mode  string `json:"mode"`  // wrongType or missing
}

func validateCorrupt(cs []Corruption) error {
	for _, c := range cs {
		if c.ID == "" || c.Field == "" {
			return fmt.Errorf("faults: corrupt needs an id and a field")
		}
		if c.Mode != "wrongType" && c.Mode != "missing" {
			return fmt.Errorf("faults: corrupt mode %q is not wrongType or missing", c.Mode)
		}
	}
	return nil
}

// sleepSlow holds a request d (2s when unset); false if the client left.
func sleepSlow(r *http.Request, d Duration) bool {
	if d == 0 {
		d = Duration(2 * time.Second)
	}
	select {
	case <-time.After(time.Duration(d)):
		return true
	case <-r.Context().Done():
		return false
	}
}

// corrupting serves next and rewrites successful JSON answers that carry a
// corrupted record; everything else passes unchanged.
func (a *apiState) corrupting(next http.Handler, cs []Corruption) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := &bufferedWriter{header: http.Header{}}
		next.ServeHTTP(buf, r)
		body := buf.body.Bytes()
		if buf.status != 0 && buf.status != http.StatusOK || !mentionsAny(body, cs) {
			buf.copyTo(w)
			return
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			buf.copyTo(w)
			return
		}
		kinds := map[string]int{}
		corruptValue(v, cs, kinds)
		if len(kinds) == 0 {
			buf.copyTo(w)
			return
		}
		for k, n := range kinds {
			for range n {
				a.injectedFault(k)
			}
		}
		out, _ := json.Marshal(v)
		buf.body.Reset()
		buf.body.Write(out)
		buf.header.Del("Content-Length")
		buf.copyTo(w)
	})
}

func mentionsAny(body []byte, cs []Corruption) bool {
	for _, c := range cs {
		if bytes.Contains(body, []byte(c.ID)) {
			return true
		}
	}
	return false
}

// corruptValue walks a decoded JSON answer and damages matching records in place.
func corruptValue(v any, cs []Corruption, kinds map[string]int) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			corruptValue(e, cs, kinds)
		}
	case map[string]any:
		id := fmt.Sprint(fieldFold(x, "id"))
		for _, c := range cs {
			if id != c.ID {
				continue
			}
			for k, val := range x {
				if !strings.EqualFold(k, c.Field) {
					continue
				}
				if c.Mode == "missing" {
					delete(x, k)
					kinds["missingField"]++
				} else {
					x[k] = wrongTypeOf(val)
					kinds["wrongType"]++
				}
			}
		}
		for _, e := range x {
			corruptValue(e, cs, kinds)
		}
	}
}

func fieldFold(m map[string]any, name string) any {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// wrongTypeOf is a value of another JSON kind than v.
func wrongTypeOf(v any) any {
	switch v.(type) {
	case json.Number, float64, bool:
		return "twelve hundred"
	case string:
		return map[string]any{"unexpected": true}
	default:
		return json.Number("12")
	}
}

func isTokenPath(path string) bool {
	return path == "/oauth/token" || strings.HasSuffix(path, "/auth/oauth2/v1/token")
}

// serveRecordingToken serves a token request and keeps the access token it
// minted, so a test can search logs and histories for every token in use.
func (a *apiState) serveRecordingToken(w http.ResponseWriter, r *http.Request, next http.Handler) {
	buf := &bufferedWriter{header: http.Header{}}
	next.ServeHTTP(buf, r)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if buf.status == http.StatusOK && json.Unmarshal(buf.body.Bytes(), &tok) == nil && tok.AccessToken != "" {
		a.mu.Lock()
		a.issued = append(a.issued, tok.AccessToken)
		a.mu.Unlock()
	}
	buf.copyTo(w)
}

// IssuedTokens is every OAuth access token an API ("zuora" or "netsuite"
// M2M) minted since this Sandbox started.
func (s *Sandbox) IssuedTokens(api string) []string {
	st, err := s.api(api)
	if err != nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]string(nil), st.issued...)
}
