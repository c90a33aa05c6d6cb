package nslimit_test

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/nslimit"
	"github.com/zuora-netsuite/connector/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

func open(t *testing.T, dsn string, limit int, ttl time.Duration) *nslimit.Postgres {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, err := nslimit.NewPostgres(context.Background(), db, dsn, "1234567_SB1", limit, nslimit.PostgresOptions{LeaseTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Workers that start and stop while requests run never hold more than the
// account's limit together, and every request gets its turn.
func TestPostgres_NeverAboveTheLimitWithWorkersComingAndGoing(t *testing.T) {
	srv, db := pgtest.Shared(t)
	const limit = 3
	var inFlight, peak, done atomic.Int64
	request := func(l nslimit.Limiter) {
		release, err := l.Acquire(context.Background())
		if err != nil {
			t.Error(err)
			return
		}
		n := inFlight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
		release()
		done.Add(1)
	}
	worker := func(requests int) {
		l := open(t, srv.DSN(db), limit, 5*time.Second)
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range requests / 10 {
					request(l)
				}
			}()
		}
		wg.Wait()
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	}
	var wg sync.WaitGroup
	for i := range 4 { // staggered: workers join and leave during the run
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 150 * time.Millisecond)
			worker(60 + 40*i)
		}()
	}
	wg.Wait()
	if got := done.Load(); got != 60+100+140+180 {
		t.Fatalf("%d requests done, want 480", got)
	}
	if peak.Load() > limit {
		t.Fatalf("peak %d requests in flight, limit %d", peak.Load(), limit)
	}
	if peak.Load() < 2 {
		t.Fatalf("peak %d: the limiter serialised everything (limit %d)", peak.Load(), limit)
	}
	t.Logf("480 requests through 4 workers joining and leaving: peak in flight %d of %d", peak.Load(), limit)
}

// A worker killed while holding slots (it never releases nor renews them)
// gives them back when their lease expires.
func TestPostgres_KilledWorkersSlotsComeBackAfterTheLease(t *testing.T) {
	srv, db := pgtest.Shared(t)
	const ttl = 3 * time.Second
	dead := open(t, srv.DSN(db), 2, ttl)
	for range 2 {
		if _, err := dead.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Kill: stop renewing without releasing (Close would give them back).
	raw, _ := sql.Open("postgres", srv.DSN(db))
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE netsuite_slots SET holder = 'dead-worker' WHERE holder = $1`, dead.Holder()); err != nil {
		t.Fatal(err)
	}
	live := open(t, srv.DSN(db), 2, ttl)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	if _, err := live.Acquire(ctx); err == nil {
		t.Fatal("took a slot a live lease holds")
	}
	cancel()
	start := time.Now()
	ctx, cancel = context.WithTimeout(context.Background(), 3*ttl)
	defer cancel()
	for range 2 {
		if _, err := live.Acquire(ctx); err != nil {
			t.Fatalf("the dead worker's slots did not come back within %s: %v", 3*ttl, err)
		}
	}
	t.Logf("slots back after %s (lease %s)", time.Since(start).Round(100*time.Millisecond), ttl)
}

func TestLocal_HoldsItsLimitAndHonoursTheContext(t *testing.T) {
	l := nslimit.NewLocal(1)
	release, err := l.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx); err == nil {
		t.Fatal("a second slot out of one")
	}
	release()
	release() // twice is harmless
	if r, err := l.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	} else {
		r()
	}
}
