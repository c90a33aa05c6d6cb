package credstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "github.com/lib/pq" // the database/sql driver "postgres"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Backend is what the migration and the Zuora client need of a credential
// store: the file Store for one machine, the Postgres store for many workers.
type Backend interface {
	zuora.CredentialsProvider
	Pending() (zuora.Credentials, bool, error)
	SetPending(c zuora.Credentials, note string) error
	Activate() (zuora.Credentials, error)
	State() (State, error)
	SetState(st State) error
}

var (
	_ Backend = (*Store)(nil)
	_ Backend = (*PGStore)(nil)
)

// Rows of the connector_credentials table.
const (
	slotActive  = "zuora-oauth"
	slotPending = "zuora-oauth-pending"
)

// PGStore keeps the credential store in PostgreSQL, shared by every worker
// of a cluster: a client rotated by one worker is what every other worker
// mints its next token with, without a restart. Secrets are sealed with the
// payload codec's current key before they reach the database (the database
// and its backups only see ciphertext); the connector mode is not secret.
type PGStore struct {
	db  *sql.DB
	dc  converter.DataConverter // the codec's; encrypts at rest
	ttl time.Duration           // how long a read of the active client is reused

	mu     sync.Mutex
	cached *pgCached
}

type pgCached struct {
	at    time.Time
	creds zuora.Credentials
	ok    bool
}

// pgSchema is created on open; every statement is idempotent, so workers
// starting together can all run it.
const pgSchema = `
CREATE TABLE IF NOT EXISTS connector_credentials (
	slot       text PRIMARY KEY,
	sealed     bytea NOT NULL,
	client_id  text NOT NULL,
	stored_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS connector_state (
	id         int PRIMARY KEY CHECK (id = 1),
	doc        jsonb NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);`

// OpenPostgres connects to dsn (postgres://user@host:port/db?sslmode=...;
// the password may come from PGPASSWORD) and makes the tables. encrypt is
// the payload codec's data converter: without one there is no store, since
// secrets must not sit in the database in plain text.
func OpenPostgres(ctx context.Context, dsn string, encrypt converter.DataConverter) (*PGStore, error) {
	db, err := OpenDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	s, err := NewPGStore(ctx, db, encrypt)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenDB opens and pings a PostgreSQL database; errors name the host and
// database, never the password.
func OpenDB(ctx context.Context, dsn string) (*sql.DB, error) {
	where := RedactDSN(dsn)
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return nil, fmt.Errorf("state store %s: want a postgres:// URL", where)
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("state store %s: %v", where, redactErr(err, dsn))
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	db.SetConnMaxLifetime(30 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("state store %s: cannot connect: %v", where, redactErr(err, dsn))
	}
	return db, nil
}

// NewPGStore is a store on an open database.
func NewPGStore(ctx context.Context, db *sql.DB, encrypt converter.DataConverter) (*PGStore, error) {
	if encrypt == nil {
		return nil, errors.New("state store: PostgreSQL keeps the Zuora OAuth secret encrypted with the payload encryption keys: " +
			"give --encryption-key-file (docs/operations.md)")
	}
	if err := CreateSchema(ctx, db, pgSchema); err != nil {
		return nil, fmt.Errorf("state store: creating tables: %w", err)
	}
	return &PGStore{db: db, dc: encrypt, ttl: time.Second}, nil
}

// Close closes the database.
func (s *PGStore) Close() error { return s.db.Close() }

// sealedCreds is what is encrypted; the slot inside binds the ciphertext to
// its row, so a pending client copied over the active row does not open.
type sealedCreds struct {
	Slot         string    `json:"slot"`
	ClientID     string    `json:"clientId"`
	ClientSecret string    `json:"clientSecret"`
	StoredAt     time.Time `json:"storedAt"`
	Note         string    `json:"note,omitempty"`
}

func (s *PGStore) seal(slot string, c zuora.Credentials, note string) ([]byte, error) {
	p, err := s.dc.ToPayload(sealedCreds{Slot: slot, ClientID: c.ClientID, ClientSecret: c.ClientSecret, StoredAt: time.Now().UTC(), Note: note})
	if err != nil {
		return nil, fmt.Errorf("credential store: encrypting: %w", err)
	}
	return proto.Marshal(p)
}

func (s *PGStore) open(slot string, b []byte) (zuora.Credentials, error) {
	var p commonpb.Payload
	if err := proto.Unmarshal(b, &p); err != nil {
		return zuora.Credentials{}, fmt.Errorf("credential store: row %s is not a sealed document", slot)
	}
	var f sealedCreds
	if err := s.dc.FromPayload(&p, &f); err != nil {
		// The codec names the key id, never the content.
		return zuora.Credentials{}, fmt.Errorf("credential store: row %s: %w", slot, err)
	}
	if f.Slot != slot {
		return zuora.Credentials{}, fmt.Errorf("credential store: row %s holds the document of %q", slot, f.Slot)
	}
	if f.ClientID == "" || f.ClientSecret == "" {
		return zuora.Credentials{}, fmt.Errorf("credential store: row %s has no client id or secret", slot)
	}
	return zuora.Credentials{ClientID: f.ClientID, ClientSecret: f.ClientSecret}, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *PGStore) read(ctx context.Context, q querier, slot string, lock bool) (zuora.Credentials, bool, error) {
	stmt := `SELECT sealed FROM connector_credentials WHERE slot = $1`
	if lock {
		stmt += ` FOR UPDATE`
	}
	var b []byte
	err := q.QueryRowContext(ctx, stmt, slot).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return zuora.Credentials{}, false, nil
	}
	if err != nil {
		return zuora.Credentials{}, false, fmt.Errorf("credential store: reading %s: %w", slot, err)
	}
	c, err := s.open(slot, b)
	return c, err == nil, err
}

func ctxTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// ZuoraCredentials is the zuora.CredentialsProvider. The Zuora client asks
// before every request, so a read is reused for a second: a rotation reaches
// every worker within that second.
func (s *PGStore) ZuoraCredentials() (zuora.Credentials, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cached; c != nil && time.Since(c.at) < s.ttl {
		return c.creds, c.ok, nil
	}
	ctx, cancel := ctxTimeout()
	defer cancel()
	c, ok, err := s.read(ctx, s.db, slotActive, false)
	if err != nil {
		return zuora.Credentials{}, false, err
	}
	s.cached = &pgCached{at: time.Now(), creds: c, ok: ok}
	return c, ok, nil
}

// DropCache forgets the last read of the active client: the next read asks
// PostgreSQL (a Zuora client refused with the client it had just read does
// so, in case another worker rotated it within the cache's second).
func (s *PGStore) DropCache() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cached = nil
}

// Pending is the OAuth client made for a rotation but not yet active.
func (s *PGStore) Pending() (zuora.Credentials, bool, error) {
	ctx, cancel := ctxTimeout()
	defer cancel()
	return s.read(ctx, s.db, slotPending, false)
}

// SetPending stores a new OAuth client before it is verified.
func (s *PGStore) SetPending(c zuora.Credentials, note string) error {
	return s.write(slotPending, c, note)
}

func (s *PGStore) write(slot string, c zuora.Credentials, note string) error {
	if c.ClientID == "" || c.ClientSecret == "" {
		return errors.New("credential store: client id and secret are required")
	}
	b, err := s.seal(slot, c, note)
	if err != nil {
		return err
	}
	ctx, cancel := ctxTimeout()
	defer cancel()
	_, err = s.db.ExecContext(ctx, `INSERT INTO connector_credentials (slot, sealed, client_id, stored_at) VALUES ($1, $2, $3, now())
		ON CONFLICT (slot) DO UPDATE SET sealed = EXCLUDED.sealed, client_id = EXCLUDED.client_id, stored_at = now()`, slot, b, c.ClientID)
	if err != nil {
		return fmt.Errorf("credential store: writing %s: %w", slot, err)
	}
	return nil
}

// Activate makes the pending client the active one in one transaction, so
// two workers activating at once agree on the result.
func (s *PGStore) Activate() (zuora.Credentials, error) {
	ctx, cancel := ctxTimeout()
	defer cancel()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return zuora.Credentials{}, fmt.Errorf("credential store: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	c, ok, err := s.read(ctx, tx, slotPending, true)
	if err != nil {
		return zuora.Credentials{}, err
	}
	if !ok {
		// Already activated by an earlier attempt (or another worker).
		a, ok, err := s.read(ctx, tx, slotActive, false)
		if err != nil || !ok {
			return zuora.Credentials{}, errors.Join(errors.New("credential store: no pending OAuth client to activate"), err)
		}
		return a, nil
	}
	b, err := s.seal(slotActive, c, "active")
	if err != nil {
		return zuora.Credentials{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO connector_credentials (slot, sealed, client_id, stored_at) VALUES ($1, $2, $3, now())
		ON CONFLICT (slot) DO UPDATE SET sealed = EXCLUDED.sealed, client_id = EXCLUDED.client_id, stored_at = now()`, slotActive, b, c.ClientID); err != nil {
		return zuora.Credentials{}, fmt.Errorf("credential store: activating: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM connector_credentials WHERE slot = $1`, slotPending); err != nil {
		return zuora.Credentials{}, fmt.Errorf("credential store: activating: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return zuora.Credentials{}, fmt.Errorf("credential store: activating: %w", err)
	}
	s.mu.Lock()
	s.cached = nil // this worker uses it from its next request
	s.mu.Unlock()
	return c, nil
}

// State reads the persisted mode (zero when never written).
func (s *PGStore) State() (State, error) {
	ctx, cancel := ctxTimeout()
	defer cancel()
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT doc FROM connector_state WHERE id = 1`).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("connector state: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("connector state: %w", err)
	}
	return st, nil
}

// SetState persists the mode.
func (s *PGStore) SetState(st State) error {
	b, _ := json.Marshal(st)
	ctx, cancel := ctxTimeout()
	defer cancel()
	_, err := s.db.ExecContext(ctx, `INSERT INTO connector_state (id, doc, updated_at) VALUES (1, $1, now())
		ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()`, b)
	if err != nil {
		return fmt.Errorf("connector state: %w", err)
	}
	return nil
}

// RedactDSN shows a connection URL without its password.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.Redacted()
}

// redactErr keeps a driver error from quoting the password of dsn.
func redactErr(err error, dsn string) string {
	msg := err.Error()
	if u, perr := url.Parse(dsn); perr == nil && u.User != nil {
		if pw, has := u.User.Password(); has && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	return msg
}
