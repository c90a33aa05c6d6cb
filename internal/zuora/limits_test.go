package zuora

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Z8: the client keeps at most 20 ZOQL calls in flight (Big Process), however
// many goroutines query at once.
func TestClient_Z8_AtMost20ZOQLCallsInFlight(t *testing.T) {
	var inFlight, peak atomic.Int64
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		require.Empty(t, r.Header.Get("Idempotency-Key"), "reads carry no Idempotency-Key")
		_, _ = w.Write([]byte(`{"records":[],"size":0,"done":true}`))
	})
	ctx := WithIdempotencyKey(context.Background(), "k")
	var wg sync.WaitGroup
	for range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.QueryPage(ctx, "select Id from Invoice", 10)
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	require.LessOrEqual(t, peak.Load(), int64(DefaultBigProcessConcurrency))
	require.Greater(t, peak.Load(), int64(1))
}

// Z6: codes ending 50, 61, 70 are transient; others are not.
func TestClient_Z6_LockTemporaryConcurrencyCodesRetryable(t *testing.T) {
	for code, want := range map[string]bool{"50000050": true, "53100061": true, "50000070": true, "50000040": false, "50000020": false,
		"LOCK_COMPETITION": false, "50000020,53100050": true} {
		require.Equal(t, want, IsTransientCode(code), code)
	}
	err := decodeError("PUT /v1/invoices/{id}", 200, http.Header{}, []byte(`{"success":false,"reasons":[{"code":53100050,"message":"lock competition"}]}`))
	require.True(t, IsRetryable(err), err)
}

// Z9: a ZOQL fault shows its code and reason and is final.
func TestClient_Z9_FaultShapeNamesTheReason(t *testing.T) {
	err := decodeError("POST /v1/action/query", 400, http.Header{}, []byte(`{"FaultCode":"INVALID_FIELD","FaultMessage":"invalid field for query: Invoice.Foo"}`))
	require.ErrorContains(t, err, "INVALID_FIELD: invalid field for query: Invoice.Foo")
	require.False(t, IsRetryable(err))
}
