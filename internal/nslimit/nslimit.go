// Package nslimit keeps NetSuite's account-wide concurrency limit across
// every worker that talks to the account, including workers that start and
// stop during a run. NetSuite refuses requests beyond the limit with 429 and
// counts them against the integration, so the limit is held before a request
// leaves, not discovered after.
//
// Two limiters: Local, a semaphore for one process (one worker, or a static
// share of the limit per worker); and Postgres, leases on C numbered slots in
// a table all workers share. A lease expires unless its holder renews it, so
// the slots of a worker killed mid-request come back by themselves.
package nslimit

import (
	"context"
	"sync"
)

// Limiter grants one request slot at a time. Acquire blocks until a slot is
// free or ctx ends; release gives it back (safe to call once).
type Limiter interface {
	Acquire(ctx context.Context) (release func(), err error)
}

// Local is a semaphore for one process.
type Local chan struct{}

// NewLocal is a limiter of n slots in this process.
func NewLocal(n int) Local { return make(Local, n) }

// Acquire implements Limiter.
func (l Local) Acquire(ctx context.Context) (func(), error) {
	select {
	case l <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-l }) }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
