package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ZuoraLimits are the Zuora-only faults and limits (embedded in Faults, so
// they are set with the same PUT /_sandbox/faults). Zero values take the
// defaults below, which are the real (or the hostile) values.
type ZuoraLimits struct {
	// LockRate is the share of writes answered success:false with a lock,
	// temporary or concurrency code (Z6; codes ending 50, 61, 70), the write
	// not applied.
	LockRate float64 `json:"lockRate"`
	// BigProcessConcurrency is how many ZOQL query/queryMore calls may be in
	// flight (Z8, "Big Process"); 0 = 20, the documented limit; -1 = unlimited.
	BigProcessConcurrency int `json:"bigProcessConcurrency"`
	// BigProcessRetryAfter is the Retry-After of its 429; 0 = 120 s (the
	// documented maximum: the hostile default). Tests lower it.
	BigProcessRetryAfter Duration `json:"bigProcessRetryAfter"`
}

// DefaultBigProcessConcurrency is Zuora's "Big Process" concurrent limit.
const DefaultBigProcessConcurrency = 20

func (l ZuoraLimits) validate() error {
	if l.LockRate < 0 || l.LockRate > 1 {
		return fmt.Errorf("faults: lockRate %v is not between 0 and 1", l.LockRate)
	}
	if l.BigProcessConcurrency < -1 || l.BigProcessRetryAfter < 0 {
		return fmt.Errorf("faults: bigProcessConcurrency must be ≥ -1 and bigProcessRetryAfter not negative")
	}
	return nil
}

// lockCodes are Zuora error codes worth retrying (developer.zuora.com
// "Error handling": codes ending 50 lock competition, 61 temporary error,
// 70 concurrency), with the messages Zuora gives them.
var lockCodes = []struct{ code, message string }{
	{"50000050", "Operation failed due to lock competition, please retry later."},
	{"50000061", "Temporary error, please retry later."},
	{"50000070", "Too many concurrent requests on this object, please retry later."},
}

// lockFault answers a write with a lock/temporary/concurrency failure, as
// 200 success:false (Zuora's REST family answers failures with 200 too).
func (z *zuoraAPI) lockFault(w http.ResponseWriter, r *http.Request) bool {
	if !isWrite(r.Method) || isQuery(r.URL.Path) || exempt(r.URL.Path) || r.URL.Path == "/oauth/token" {
		return false
	}
	if r.Method == http.MethodPost && r.Header.Get("Idempotency-Key") != "" && !inIdem(r) {
		return false // idempotent() injects it, so the failure is saved under the key too (Z7)
	}
	f := z.state.getFaults()
	if !z.state.roll(f.LockRate) {
		return false
	}
	z.state.injectedFault("lock")
	c := lockCodes[z.state.pick(len(lockCodes))]
	if strings.HasPrefix(r.URL.Path, "/v1/object/") {
		writeJSON(w, 200, map[string]any{"Success": false, "Errors": []map[string]string{{"Code": c.code, "Message": c.message}}})
		return true
	}
	writeJSON(w, 200, map[string]any{"success": false, "processId": newHex(8), "requestId": newUUID(),
		"reasons": []map[string]any{{"code": c.code, "message": c.message}}})
	return true
}

// bigProcess holds a Big Process slot for a ZOQL call's whole service time
// (latency included: the hostile reading of "concurrent").
func (z *zuoraAPI) bigProcess(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/action/query" || r.URL.Path == "/v1/action/queryMore" {
			if !z.enterBigProcess(w) {
				return
			}
			defer z.bigInFlight.Add(-1)
		}
		next.ServeHTTP(w, r)
	})
}

// enterBigProcess admits a ZOQL call under the Big Process limit, or answers
// 429 with Retry-After. The caller releases with bigInFlight.Add(-1) when true.
func (z *zuoraAPI) enterBigProcess(w http.ResponseWriter) bool {
	f := z.state.getFaults()
	limit := f.BigProcessConcurrency
	if limit == 0 {
		limit = DefaultBigProcessConcurrency
	}
	n := z.bigInFlight.Add(1)
	if limit > 0 && n > int64(limit) {
		z.bigInFlight.Add(-1)
		z.state.injectedFault("bigProcess")
		wait := time.Duration(f.BigProcessRetryAfter)
		if wait <= 0 {
			wait = 120 * time.Second
		}
		secs := strconv.Itoa(int((wait + time.Second - 1) / time.Second))
		w.Header().Set("Retry-After", secs)
		writeJSON(w, 429, map[string]string{"code": "REQUEST_EXCEEDED_LIMIT",
			"message": "Your request has exceeded the concurrent request limit for Big Process requests. Please resubmit your request later."})
		return false
	}
	return true
}

// idempotent implements Idempotency-Key (developer.zuora.com "Idempotent
// requests", Z7): the first request's result is saved for 24 h whether it
// succeeded or failed (4xx and 5xx included) and replayed to a repeat; a
// repeat while the first is in flight gets 409; the same key with another
// method, URL or body gets 422.
func (z *zuoraAPI) idempotent(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next(w, r)
			return
		}
		if len(key) > 255 {
			z.restError(w, 400, "INVALID_VALUE", "Idempotency-Key is longer than 255 characters")
			return
		}
		body, err := readAll(r)
		if err != nil {
			z.restError(w, 400, "INVALID_VALUE", err.Error())
			return
		}
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		z.authMu.Lock()
		e, seen := z.idem[key]
		if seen && time.Since(e.at) >= 24*time.Hour {
			seen = false
		}
		if !seen {
			z.idem[key] = idemEntry{hash: hash, at: time.Now(), inFlight: true}
		}
		z.authMu.Unlock()
		if seen {
			switch {
			case e.hash != hash:
				z.restError(w, 422, "INVALID_VALUE", "Idempotency-Key "+key+" was used with a different request (method, URL or body)")
			case e.inFlight:
				z.restError(w, 409, "CONFLICT", "a request with Idempotency-Key "+key+" is in progress")
			default:
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(e.status)
				_, _ = w.Write(e.body)
			}
			return
		}
		buf := &bufferedWriter{header: http.Header{}}
		defer func() {
			if p := recover(); p != nil { // no answer was made: nothing to replay
				z.authMu.Lock()
				delete(z.idem, key)
				z.authMu.Unlock()
				panic(p)
			}
		}()
		if !z.lockFault(buf, markIdem(r)) {
			next(buf, r)
		}
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		z.authMu.Lock()
		z.idem[key] = idemEntry{hash: hash, status: buf.status, body: buf.body.Bytes(), at: time.Now()}
		z.authMu.Unlock()
		buf.copyTo(w)
	}
}

type idemCtx struct{}

func markIdem(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), idemCtx{}, true))
}

func inIdem(r *http.Request) bool { v, _ := r.Context().Value(idemCtx{}).(bool); return v }
