package netsuite

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/nslimit"
)

// countingLimiter is a shared limiter (as across workers) that counts grants.
type countingLimiter struct {
	nslimit.Local
	grants atomic.Int32
}

func (l *countingLimiter) Acquire(ctx context.Context) (func(), error) {
	r, err := l.Local.Acquire(ctx)
	if err == nil {
		l.grants.Add(1)
	}
	return r, err
}

// A shared limiter's slot is taken for every request and held until the
// answer has been read to the end, not only until its headers: NetSuite
// counts a request in flight until it has sent all of it.
func TestSharedLimiterHeldUntilTheAnswerIsRead(t *testing.T) {
	var inFlight, peak, served atomic.Int32
	lim := &countingLimiter{Local: nslimit.NewLocal(1)}
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		served.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		w.(http.Flusher).Flush() // headers out; the body comes later
		time.Sleep(30 * time.Millisecond)
		_, _ = io.WriteString(w, `{}`)
	}, func(c *Config) { c.Limiter = lim })
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if err := h.c.Get(context.Background(), TypeLocation, "1", false, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if peak.Load() > 1 {
		t.Errorf("%d requests in flight at NetSuite, shared limit 1", peak.Load())
	}
	if lim.grants.Load() != served.Load() || served.Load() != 6 {
		t.Errorf("%d slots granted for %d requests served, want one each of 6", lim.grants.Load(), served.Load())
	}
}
