package zuora

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

const secret = "s3cr3t-zuora-client-secret"

// fakeZuora answers the documented shapes; handlers override per test.
type fakeZuora struct {
	tokens    atomic.Int32
	expiresIn int
	api       http.HandlerFunc
	valid     atomic.Value // current valid token
}

func newFake(t *testing.T, api http.HandlerFunc) (*fakeZuora, *Client) {
	f := &fakeZuora{expiresIn: 3599, api: api}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			_ = r.ParseForm()
			if r.PostForm.Get("client_secret") != secret || r.PostForm.Get("grant_type") != "client_credentials" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(401)
				_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"Invalid client credentials"}`))
				return
			}
			n := f.tokens.Add(1)
			tok := fmt.Sprintf("tok-%d", n)
			f.valid.Store(tok)
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":%d,"scope":"x","jti":"j"}`, tok, f.expiresIn)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+fmt.Sprint(f.valid.Load()) {
			w.Header().Set("WWW-Authenticate", "Bearer realm=Zuora API")
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"message":"Authentication error"}`))
			return
		}
		w.Header().Set("Zuora-Request-Id", "req-1")
		f.api(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, ClientID: "cid", ClientSecret: secret, MaxBackoff: 20 * time.Millisecond})
	require.NoError(t, err)
	return f, c
}

func TestNewValidatesConfigNamingTheField(t *testing.T) {
	for name, cfg := range map[string]Config{
		"base URL":      {BaseURL: "rest.zuora.com", ClientID: "a", ClientSecret: "b"},
		"client id":     {BaseURL: "https://rest.zuora.com", ClientSecret: "b"},
		"client secret": {BaseURL: "https://rest.zuora.com", ClientID: "a"},
	} {
		_, err := New(cfg)
		require.ErrorContains(t, err, name)
	}
}

func TestTokenIsReusedAcrossCalls(t *testing.T) {
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"Id":"a1","Name":"Acme"}`)) })
	for i := 0; i < 5; i++ {
		var a Account
		require.NoError(t, c.GetObject(context.Background(), ObjAccount, "a1", &a))
		require.Equal(t, "Acme", a.Name)
	}
	require.EqualValues(t, 1, f.tokens.Load())
}

func TestExpiringTokenIsMintedAgain(t *testing.T) {
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"Id":"a1"}`)) })
	f.expiresIn = 30 // inside the one-minute early-refresh margin: every call re-mints
	var a Account
	require.NoError(t, c.GetObject(context.Background(), ObjAccount, "a1", &a))
	require.NoError(t, c.GetObject(context.Background(), ObjAccount, "a1", &a))
	require.EqualValues(t, 2, f.tokens.Load())
}

func TestRevokedTokenIsRefreshedOnceOn401(t *testing.T) {
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"Id":"a1"}`)) })
	var a Account
	require.NoError(t, c.GetObject(context.Background(), ObjAccount, "a1", &a))
	f.valid.Store("revoked-by-server") // the cached token stops working
	// Next call: 401, one refresh (the fake accepts the new token), retried call succeeds.
	require.NoError(t, c.GetObject(context.Background(), ObjAccount, "a1", &a))
	require.EqualValues(t, 2, f.tokens.Load())
}

func TestPersistent401IsAnAuthError(t *testing.T) {
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		_, _ = w.Write([]byte(`{"message":"Authentication error"}`))
	})
	err := c.GetObject(context.Background(), ObjAccount, "a1", &Account{})
	var ae *AuthError
	require.ErrorAs(t, err, &ae)
	require.False(t, IsRetryable(err))
}

func TestWrongSecretIsAnAuthErrorWithoutTheSecret(t *testing.T) {
	_, c := newFake(t, nil)
	c.SetCredentials("cid", "wrong-"+secret)
	err := c.VerifyCredentials(context.Background())
	var ae *AuthError
	require.ErrorAs(t, err, &ae)
	require.Contains(t, err.Error(), "invalid_client")
	require.NotContains(t, err.Error(), secret)
	require.NotContains(t, fmt.Sprintf("%v %+v %#v %s", c, c, c, c), secret)
}

func TestQueryPagesToTheEnd(t *testing.T) {
	const total = 4500
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			QueryString  string                  `json:"queryString"`
			QueryLocator string                  `json:"queryLocator"`
			Conf         struct{ BatchSize int } `json:"conf"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		start := 0
		if r.URL.Path == "/v1/action/queryMore" {
			_, _ = fmt.Sscanf(body.QueryLocator, "loc-%d", &start)
		} else {
			require.Equal(t, "/v1/action/query", r.URL.Path)
			require.Equal(t, "select Id, Amount from Invoice", body.QueryString)
		}
		end := min(start+body.Conf.BatchSize, total)
		recs := []map[string]any{}
		for i := start; i < end; i++ {
			recs = append(recs, map[string]any{"Id": fmt.Sprintf("i%04d", i), "Amount": 10.25})
		}
		resp := map[string]any{"records": recs, "size": len(recs), "done": end == total}
		if end < total {
			resp["queryLocator"] = fmt.Sprintf("loc-%d", end)
		}
		_ = json.NewEncoder(w).Encode(resp)
	})
	invs, err := QueryAll[Invoice](context.Background(), c, "select Id, Amount from Invoice")
	require.NoError(t, err)
	require.Len(t, invs, total)
	require.Equal(t, "i4499", invs[total-1].ID)
	require.True(t, invs[0].Amount.Equal(decimal.RequireFromString("10.25")))
}

func TestErrorClassesAndRetryClassification(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		retryable bool
		notFound  bool
		contains  string
	}{
		{"validation error (object API)", 400, nil, `{"Success":false,"Errors":[{"Code":"INVALID_VALUE","Message":"TransferredToAccounting is invalid"}]}`, false, false, "INVALID_VALUE"},
		{"validation error (REST, numeric code)", 400, nil, `{"success":false,"processId":"P","reasons":[{"code":59620220,"message":"The queryType is invalid"}],"requestId":"r"}`, false, false, "59620220"},
		{"not found", 404, nil, `{"done":true,"records":[],"size":0}`, false, true, "404"},
		{"rate limited", 429, map[string]string{"Retry-After": "0"}, `{"code":"REQUEST_EXCEEDED_LIMIT","message":"Your total number of concurrent requests have exceeded the limit"}`, true, false, "REQUEST_EXCEEDED_LIMIT"},
		{"server error with HTML", 502, nil, `<html><body>Bad Gateway</body></html>`, true, false, "HTML error page"},
		{"server error JSON", 500, nil, `{"message":"internal"}`, true, false, "internal"},
		{"success false with 200", 200, nil, `{"success":false,"reasons":[{"code":"53100020","message":"invoice is not posted"}]}`, false, false, "invoice is not posted"},
		{"truncated 200", 200, nil, `{"Id":"a1","Na`, true, false, "unreadable body"},
		{"wrong type 200", 200, nil, `{"Id":"a1","Balance":"lots"}`, true, false, "unreadable body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				calls++
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			err := c.GetObject(context.Background(), ObjAccount, "a1", &Account{})
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.contains)
			require.Equal(t, tc.retryable, IsRetryable(err), "retryable")
			require.Equal(t, tc.notFound, IsNotFound(err), "not found")
			if tc.retryable {
				require.Equal(t, 4, calls, "retried MaxRetries times inside the call")
			} else {
				require.Equal(t, 1, calls)
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var first time.Time
	var waited time.Duration
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if first.IsZero() {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			return
		}
		waited = time.Since(first)
		_, _ = w.Write([]byte(`{"Id":"a1"}`))
	})
	c.maxWait = 2 * time.Second
	require.NoError(t, c.GetObject(context.Background(), ObjAccount, "a1", &Account{}))
	require.GreaterOrEqual(t, waited, 900*time.Millisecond)
}

func TestIdempotencyKeyOnPost(t *testing.T) {
	var got string
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Idempotency-Key")
		_, _ = w.Write([]byte(`{"Success":true,"Id":"adj1"}`))
	})
	id, err := c.CreateObject(context.Background(), ObjInvoiceItemAdjustment, map[string]any{"Amount": 1}, "mig-inv1-writeoff")
	require.NoError(t, err)
	require.Equal(t, "adj1", id)
	// The key carries a per-call suffix so a saved failure is never replayed (Z7).
	require.True(t, strings.HasPrefix(got, "mig-inv1-writeoff-"), got)
}

func TestInvoiceItemsPageMapsRESTNames(t *testing.T) {
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		// v1 pages hold 40 rows (Z1): page 2 of 40 is v1 page 2.
		require.Equal(t, "2", r.URL.Query().Get("page"))
		require.Equal(t, "40", r.URL.Query().Get("pageSize"))
		_, _ = w.Write([]byte(`{"success":true,"invoiceItems":[{"id":"it1","chargeAmount":12.5,"chargeId":"rpc1","serviceStartDate":"2026-01-01","IntegrationId__NS":"7"}]}`))
	})
	items, err := c.GetInvoiceItems(context.Background(), "inv1", 2, 40)
	require.NoError(t, err)
	require.Equal(t, "it1", items[0].ID)
	require.Equal(t, "rpc1", items[0].RatePlanChargeID)
	require.Equal(t, "inv1", items[0].InvoiceID)
	require.Equal(t, "7", items[0].IntegrationID)
	require.True(t, items[0].ChargeAmount.Equal(decimal.RequireFromString("12.5")))
}

func TestQuoteEscapes(t *testing.T) {
	require.Equal(t, `'O\'Brien \\ Co'`, Quote(`O'Brien \ Co`))
}

func TestDecodeNamesTheField(t *testing.T) {
	_, err := Decode[Invoice](map[string]any{"Id": "inv9", "Amount": "twelve"})
	require.ErrorContains(t, err, "inv9")
	require.ErrorContains(t, err, "Amount")
	require.True(t, strings.Contains(err.Error(), "Invoice"))
}

func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{`{"Success":false,"Errors":[{"Code":"X","Message":"m"}]}`, `{"success":false,"reasons":[{"code":1,"message":"m"}]}`,
		`<html>`, ``, `{"code":[1]}`, `{"success":false,"reasons":null}`} {
		f.Add(429, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		err := decodeError("GET /x", status, http.Header{"Retry-After": {"abc"}}, []byte(body))
		if err == nil || err.Error() == "" {
			t.Fatal("no error")
		}
	})
}

func FuzzDecodeQueryResponse(f *testing.F) {
	f.Add(`{"records":[{"Id":"1","Amount":1.5}],"size":1,"done":true}`)
	f.Add(`{"records":[],"size":0,"done":false}`)
	f.Add(`{"records":[{"Amount":"x"}],"done":true}`)
	f.Fuzz(func(t *testing.T, body string) {
		var r QueryResponse
		if json.Unmarshal([]byte(body), &r) != nil {
			return
		}
		_ = r.check("q")
		for _, rec := range r.Records {
			_, _ = Decode[Invoice](rec)
		}
	})
}

// An item without an amount must not become a zero line in the ledger: it is
// refused before any write, naming the item and the field, and not retried.
func TestInvoiceItemWithoutAmountIsRefusedByName(t *testing.T) {
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"success":true,"invoiceItems":[{"id":"it1","chargeAmount":12.5},{"id":"it2","chargeId":"rpc1"}]}`))
	})
	_, err := c.GetInvoiceItems(context.Background(), "inv1", 1, 100)
	require.ErrorContains(t, err, "Zuora InvoiceItem it2: field ChargeAmount is missing")
	require.False(t, IsRetryable(err))
}

// A Retry-After longer than the client's longest wait is not slept inside
// the call (an activity would stop heartbeating or outlive its timeout): the
// error comes back at once, carrying the delay for Temporal's retry.
func TestLongRetryAfterIsReturnedNotSlept(t *testing.T) {
	calls := 0
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(429)
		_, _ = w.Write([]byte(`{"code":"REQUEST_EXCEEDED_LIMIT","message":"too many"}`))
	})
	c.maxWait = 2 * time.Second
	start := time.Now()
	err := c.GetObject(context.Background(), ObjAccount, "a1", &Account{})
	require.Error(t, err)
	require.Less(t, time.Since(start), time.Second)
	require.Equal(t, 1, calls)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 120*time.Second, ae.RetryAfter)
}

// A create whose answer is lost may have committed. When the retry then
// meets a 503 from a gateway (no idempotency layer behind it) and the
// client retries again, it must send the key of the lost attempt: a new key
// lets Zuora commit the create a second time.
func TestIdempotencyKeyKeptAfterALostAnswerWhateverComesNext(t *testing.T) {
	var keys []string
	created := map[string]string{} // key -> id
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		keys = append(keys, key)
		switch len(keys) {
		case 1: // committed, then the connection drops
			created[key] = fmt.Sprintf("acc%d", len(created)+1)
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			_ = conn.Close()
		case 2: // a gateway answers 503 without reaching Zuora
			w.WriteHeader(503)
		default:
			id, ok := created[key]
			if !ok {
				id = fmt.Sprintf("acc%d", len(created)+1)
				created[key] = id
			}
			_, _ = w.Write([]byte(`{"Success":true,"Id":"` + id + `"}`))
		}
	})
	id, err := c.CreateObject(context.Background(), ObjAccount, map[string]any{"Name": "x"}, "netsuite-customer-244")
	require.NoError(t, err)
	require.Len(t, keys, 3)
	require.Equal(t, keys[0], keys[2], "the retry after the lost answer must replay its key")
	require.Equal(t, "acc1", id)
	require.Len(t, created, 1, "one account created")
}

// A queryMore whose answer is lost may use up its locator; the retry is then
// refused INVALID_QUERY_LOCATOR. The iterator runs the query again and hands
// out every record exactly once, whatever order the second run returns.
func TestQueryLostLocatorRestartsAndHandsOutEachRecordOnce(t *testing.T) {
	const total = 5000
	var queries, lost atomic.Int32
	used := map[string]bool{}
	var mu = make(chan struct{}, 1)
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		mu <- struct{}{}
		defer func() { <-mu }()
		var body struct {
			QueryLocator string                  `json:"queryLocator"`
			Conf         struct{ BatchSize int } `json:"conf"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		start, run := 0, 0
		if r.URL.Path == "/v1/action/queryMore" {
			if used[body.QueryLocator] {
				w.WriteHeader(400)
				_, _ = fmt.Fprintf(w, `{"FaultCode":"INVALID_QUERY_LOCATOR","FaultMessage":"invalid queryLocator %s"}`, body.QueryLocator)
				return
			}
			used[body.QueryLocator] = true
			_, _ = fmt.Sscanf(body.QueryLocator, "run%d-%d", &run, &start)
		} else {
			run = int(queries.Add(1))
		}
		end := min(start+body.Conf.BatchSize, total)
		recs := []map[string]any{}
		for i := start; i < end; i++ {
			n := i
			if run%2 == 0 { // the second run returns the rows in another order
				n = total - 1 - i
			}
			recs = append(recs, map[string]any{"Id": fmt.Sprintf("8a8aa0%026x", n), "Amount": 1})
		}
		resp := map[string]any{"records": recs, "size": total, "done": end == total}
		if end < total {
			resp["queryLocator"] = fmt.Sprintf("run%d-%d", run, end)
		}
		if r.URL.Path == "/v1/action/queryMore" && run == 1 && start == 2000 && lost.Add(1) == 1 {
			// The page is served (the locator is used up), then the answer is lost.
			hj, ok := w.(http.Hijacker)
			require.True(t, ok)
			conn, _, err := hj.Hijack()
			require.NoError(t, err)
			_ = conn.Close()
			return
		}
		_ = json.NewEncoder(w).Encode(resp)
	})
	invs, err := QueryAll[Invoice](context.Background(), c, "select Id, Amount from Invoice")
	require.NoError(t, err)
	require.Equal(t, int32(2), queries.Load(), "the query ran again after the lost locator")
	ids := map[string]bool{}
	for _, inv := range invs {
		require.False(t, ids[inv.ID], "record %s handed out twice", inv.ID)
		ids[inv.ID] = true
	}
	require.Len(t, ids, total, "every record handed out")
}

// Records without an Id cannot be told apart on a second run: the lost
// locator is reported, naming why the query cannot resume.
func TestQueryLostLocatorWithoutIdsIsReported(t *testing.T) {
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/action/queryMore" {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"FaultCode":"INVALID_QUERY_LOCATOR","FaultMessage":"invalid queryLocator"}`))
			return
		}
		_, _ = w.Write([]byte(`{"records":[{"Amount":1}],"size":2,"done":false,"queryLocator":"l1"}`))
	})
	_, err := QueryAll[Invoice](context.Background(), c, "select Amount from Invoice")
	require.ErrorContains(t, err, "INVALID_QUERY_LOCATOR")
	require.ErrorContains(t, err, "no Id")
}

// The v1 REST lists page by 40 until no nextPage follows; a row whose field
// has the wrong type is refused naming the field, not retried.
func TestV1ListPagesUntilNoNextPageAndNamesABadField(t *testing.T) {
	const total = 95
	var calls atomic.Int32
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		require.Equal(t, "/v1/payments/P-1/parts", r.URL.Path)
		require.Equal(t, "40", r.URL.Query().Get("pageSize"))
		var page int
		_, _ = fmt.Sscan(r.URL.Query().Get("page"), &page)
		start, end := (page-1)*40, min(page*40, total)
		parts := []map[string]any{}
		for i := start; i < end; i++ {
			parts = append(parts, map[string]any{"id": fmt.Sprintf("part-%d", i), "invoiceId": nil, "amount": 1.5})
		}
		resp := map[string]any{"success": true, "parts": parts, "nextPage": nil}
		if end < total {
			resp["nextPage"] = fmt.Sprintf("/v1/payments/P-1/parts?page=%d&pageSize=40", page+1)
		}
		_ = json.NewEncoder(w).Encode(resp)
	})
	parts, err := c.ListPaymentParts(context.Background(), "P-1")
	require.NoError(t, err)
	require.Len(t, parts, total)
	require.Equal(t, int32(3), calls.Load())
	require.Equal(t, "part-94", parts[total-1].ID)
	require.True(t, parts[0].Amount.Equal(decimal.RequireFromString("1.5")))

	_, bad := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"success":true,"parts":[{"id":{"x":1},"amount":1}]}`))
	})
	_, err = bad.ListPaymentParts(context.Background(), "P-1")
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	require.False(t, de.Retryable, "a wrongly typed field is the record's fault: %v", err)
	require.ErrorContains(t, err, "field id")
}

// stalePGStore stands in for the PostgreSQL credential store: it answers the
// read it cached until told to drop it.
type stalePGStore struct {
	cached, current Credentials
	drops           int
}

func (s *stalePGStore) ZuoraCredentials() (Credentials, bool, error) { return s.cached, true, nil }
func (s *stalePGStore) DropCache()                                   { s.drops++; s.cached = s.current }

// Another worker activated a new OAuth client and retired the old one
// within the store's cache: the token request with the cached (retired)
// client is refused, the client reads the store afresh and goes on with the
// new one, instead of ending the activity with an auth error.
func TestTokenRefusedWithARotatedClientRereadsTheStore(t *testing.T) {
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"done":true,"records":[],"size":0}`))
	})
	store := &stalePGStore{cached: Credentials{ClientID: "cid-retired", ClientSecret: "old-secret"}, current: Credentials{ClientID: "cid", ClientSecret: secret}}
	c.UseCredentialsProvider(store)
	require.NoError(t, c.VerifyCredentials(context.Background()))
	require.Equal(t, 1, store.drops)
	require.Equal(t, "cid", c.ClientID())

	// A store that still holds the refused client: the auth error stands.
	store2 := &stalePGStore{cached: Credentials{ClientID: "cid-retired", ClientSecret: "old-secret"}, current: Credentials{ClientID: "cid-retired", ClientSecret: "old-secret"}}
	_, c2 := newFake(t, func(w http.ResponseWriter, r *http.Request) {})
	c2.UseCredentialsProvider(store2)
	var ae *AuthError
	require.ErrorAs(t, c2.VerifyCredentials(context.Background()), &ae)
	require.Equal(t, 1, store2.drops)
}

// A ZOQL page is cut into its records by segmentio/encoding's json
// (decodeAnswer); a broken page is still a broken answer, retried inside the
// call, and a page field of the wrong type is named and not retried, as
// encoding/json's Decoder made them.
func TestBrokenZOQLPagesAreClassifiedAsBefore(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		retryable  bool
		contains   string
	}{
		{"truncated", `{"done":true,"records":[{"Id":"i1","Amount":1},{"Id":"i2","Am`, true, "unreadable body"},
		{"HTML", `<html><body>Service Unavailable</body></html>`, true, "unreadable body"},
		{"an array", `[{"Id":"i1"}]`, true, "unreadable body"},
		{"records not a list", `{"done":true,"records":{"Id":"i1"},"size":1}`, false, "records"},
		{"size not a number", `{"done":true,"records":[{"Id":"i1"}],"size":"one"}`, false, "size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				calls++
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.body))
			})
			rows := QueryRows[Invoice](c, ObjInvoice, "select Id, Amount from Invoice", 2000)
			for rows.Next(context.Background()) {
			}
			err := rows.Err()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.contains)
			require.Equal(t, tc.retryable, IsRetryable(err), "retryable: %v", err)
			if tc.retryable {
				require.Equal(t, 4, calls, "retried MaxRetries times inside the call")
			} else {
				require.Equal(t, 1, calls)
			}
		})
	}
}
