package nslimit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"github.com/zuora-netsuite/connector/internal/credstore"
)

// DefaultLeaseTTL is how long a slot stays taken without its holder renewing
// it: the longest a killed worker's slots stay lost. Holders renew at a
// third of it, so a live worker's lease never lapses while it can reach the
// database.
const DefaultLeaseTTL = 30 * time.Second

// notifyChannel is the LISTEN/NOTIFY channel a release wakes waiters on.
const notifyChannel = "connector_netsuite_slots"

// Postgres is a limiter shared through a PostgreSQL table: the account's C
// slots are rows; holding a slot is a lease (holder, expiry) on one of them.
// A waiting worker is woken by NOTIFY when a slot is released and polls
// anyway every PollInterval (an expired lease sends no notification).
type Postgres struct {
	db      *sql.DB
	account string
	limit   int
	ttl     time.Duration
	holder  string // this process; leases are renewed per holder
	log     *slog.Logger

	// One goroutine per process asks the database at a time; the others
	// queue here, so a release costs one query per waiting process, not per
	// waiting request.
	turn chan struct{}

	wakeMu sync.Mutex
	wake   chan struct{} // closed and replaced on every notification

	held     atomic.Int64
	leaseSeq atomic.Int64
	listener *pq.Listener
	stop     chan struct{}
	done     sync.WaitGroup
	// PollInterval bounds how long a waiter sleeps without a notification.
	PollInterval time.Duration
}

// PostgresOptions tune a Postgres limiter.
type PostgresOptions struct {
	LeaseTTL time.Duration // 0: DefaultLeaseTTL
	Logger   *slog.Logger
}

const pgSchema = `
CREATE TABLE IF NOT EXISTS netsuite_slots (
	account    text NOT NULL,
	slot       int  NOT NULL,
	holder     text,
	lease      bigint,
	expires_at timestamptz,
	PRIMARY KEY (account, slot)
);`

// NewPostgres opens the limiter for a NetSuite account of limit concurrent
// requests on db; dsn is the same database, for LISTEN. Every worker of the
// account must give the same limit (a worker with a lower one uses fewer
// slots; one with a higher one would overrun the others).
func NewPostgres(ctx context.Context, db *sql.DB, dsn, account string, limit int, opts PostgresOptions) (*Postgres, error) {
	if limit < 1 {
		return nil, fmt.Errorf("NetSuite limiter: limit %d must be at least 1", limit)
	}
	if account == "" {
		return nil, errors.New("NetSuite limiter: no account")
	}
	ttl := opts.LeaseTTL
	if ttl == 0 {
		ttl = DefaultLeaseTTL
	}
	if ttl < 3*time.Second {
		return nil, fmt.Errorf("NetSuite limiter: lease TTL %s is under 3s", ttl)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := credstore.CreateSchema(ctx, db, pgSchema); err != nil {
		return nil, fmt.Errorf("NetSuite limiter: creating its table: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO netsuite_slots (account, slot) SELECT $1, g FROM generate_series(0, $2 - 1) g
		ON CONFLICT DO NOTHING`, account, limit); err != nil {
		return nil, fmt.Errorf("NetSuite limiter: creating the slots: %w", err)
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	host, _ := os.Hostname()
	p := &Postgres{
		db: db, account: account, limit: limit, ttl: ttl, log: log,
		holder: fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(rnd[:])),
		turn:   make(chan struct{}, 1), wake: make(chan struct{}), stop: make(chan struct{}),
		PollInterval: 250 * time.Millisecond,
	}
	p.listener = pq.NewListener(dsn, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			log.Warn("NetSuite limiter: LISTEN connection", "event", ev, "error", err)
		}
	})
	if err := p.listener.Listen(notifyChannel); err != nil {
		p.listener.Close()
		return nil, fmt.Errorf("NetSuite limiter: LISTEN: %w", err)
	}
	p.done.Add(2)
	go p.forwardNotifications()
	go p.renewLoop()
	return p, nil
}

// Holder names this process in the slots table.
func (p *Postgres) Holder() string { return p.holder }

// Close stops renewing (the leases lapse) and stops listening. Call it
// after the last request: slots still held are given back first.
func (p *Postgres) Close() error {
	close(p.stop)
	p.done.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := p.db.ExecContext(ctx, `WITH r AS (UPDATE netsuite_slots SET holder = NULL, lease = NULL, expires_at = NULL
		WHERE account = $1 AND holder = $2 RETURNING 1) SELECT pg_notify($3, '') FROM r`, p.account, p.holder, notifyChannel)
	return errors.Join(err, p.listener.Close())
}

func (p *Postgres) forwardNotifications() {
	defer p.done.Done()
	for {
		select {
		case <-p.stop:
			return
		case <-p.listener.Notify: // nil after a reconnect: also worth a look
			p.wakeMu.Lock()
			close(p.wake)
			p.wake = make(chan struct{})
			p.wakeMu.Unlock()
		}
	}
}

func (p *Postgres) wakeCh() chan struct{} {
	p.wakeMu.Lock()
	defer p.wakeMu.Unlock()
	return p.wake
}

// renewLoop extends this process's leases at a third of their TTL.
func (p *Postgres) renewLoop() {
	defer p.done.Done()
	t := time.NewTicker(p.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		if p.held.Load() == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), p.ttl/3)
		_, err := p.db.ExecContext(ctx, `UPDATE netsuite_slots SET expires_at = now() + $3 * interval '1 millisecond'
			WHERE account = $1 AND holder = $2`, p.account, p.holder, p.ttl.Milliseconds())
		cancel()
		if err != nil {
			p.log.Warn("NetSuite limiter: renewing leases failed; they lapse after their TTL", "ttl", p.ttl, "error", err)
		}
	}
}

// Acquire implements Limiter.
func (p *Postgres) Acquire(ctx context.Context) (func(), error) {
	select {
	case p.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.turn }()
	for {
		wake := p.wakeCh()
		slot, lease, ok, err := p.try(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			p.held.Add(1)
			var once sync.Once
			return func() { once.Do(func() { p.release(slot, lease) }) }, nil
		}
		select {
		case <-wake:
		case <-time.After(p.PollInterval):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// try takes the lowest free or expired slot below the limit, if any.
func (p *Postgres) try(ctx context.Context) (slot int, lease int64, ok bool, err error) {
	lease = p.leaseSeq.Add(1)
	err = p.db.QueryRowContext(ctx, `UPDATE netsuite_slots SET holder = $2, lease = $3, expires_at = now() + $4 * interval '1 millisecond'
		WHERE (account, slot) = (
			SELECT account, slot FROM netsuite_slots
			WHERE account = $1 AND slot < $5 AND (holder IS NULL OR expires_at < now())
			ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING slot`, p.account, p.holder, lease, p.ttl.Milliseconds(), p.limit).Scan(&slot)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0, 0, false, ctx.Err()
		}
		return 0, 0, false, fmt.Errorf("NetSuite limiter: taking a slot: %w", err)
	}
	return slot, lease, true, nil
}

// release frees the slot if this lease still holds it (an expired lease may
// have been taken over) and wakes the waiters of every worker.
func (p *Postgres) release(slot int, lease int64) {
	p.held.Add(-1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := p.db.ExecContext(ctx, `WITH r AS (UPDATE netsuite_slots SET holder = NULL, lease = NULL, expires_at = NULL
		WHERE account = $1 AND slot = $2 AND holder = $3 AND lease = $4 RETURNING 1) SELECT pg_notify($5, '') FROM r`,
		p.account, slot, p.holder, lease, notifyChannel)
	if err != nil {
		// The lease lapses by itself after its TTL.
		p.log.Warn("NetSuite limiter: releasing a slot failed; it comes back after its lease", "ttl", p.ttl, "error", err)
	}
}
