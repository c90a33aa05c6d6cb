// Package credstore is the connector's credential store: a directory under
// the worker's state dir holding the Zuora OAuth client the Invoice
// Settlement migration rotated to, and the connector's persisted mode (the
// tenant is on Invoice Settlement). Files are 0600 in a 0700 directory and
// replaced atomically, so several workers on one host can share it.
//
// Secrets go in and out of this package only; what leaves it for workflows,
// logs and errors is a client id or a fingerprint.
//
// That file store is for one machine. PGStore (postgres.go) is the same
// store in PostgreSQL, shared by the workers of a cluster, with secrets
// encrypted at rest; both are a Backend.
package credstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

const (
	zuoraFile   = "zuora-oauth.json"
	pendingFile = "zuora-oauth-pending.json"
	stateFile   = "connector-state.json"
)

// Store is a file-backed credential store. Its methods are safe for
// concurrent use; reads are cached and refreshed when the file changes.
type Store struct {
	dir string

	mu     sync.Mutex
	cached *cachedCreds
}

type cachedCreds struct {
	mod   time.Time
	size  int64
	creds zuora.Credentials
	ok    bool
}

// Open opens a store in dir. The directory is made (0700) on the first
// write, so a worker that never migrates leaves nothing behind.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("credential store: no directory (set --state-dir)")
	}
	return &Store{dir: dir}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// Fingerprint names a credential without revealing it: the first 12 hex
// digits of SHA-256 over id and secret.
func Fingerprint(c zuora.Credentials) string {
	sum := sha256.Sum256([]byte(c.ClientID + "\x00" + c.ClientSecret))
	return hex.EncodeToString(sum[:6])
}

type credsFile struct {
	ClientID     string    `json:"clientId"`
	ClientSecret string    `json:"clientSecret"`
	StoredAt     time.Time `json:"storedAt"`
	Note         string    `json:"note,omitempty"`
}

// ZuoraCredentials is the zuora.CredentialsProvider: the active OAuth client
// when one is stored, ok=false to keep the configured one.
func (s *Store) ZuoraCredentials() (zuora.Credentials, bool, error) {
	path := filepath.Join(s.dir, zuoraFile)
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return zuora.Credentials{}, false, nil
	}
	if err != nil {
		return zuora.Credentials{}, false, fmt.Errorf("credential store: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cached; c != nil && c.mod.Equal(st.ModTime()) && c.size == st.Size() {
		return c.creds, c.ok, nil
	}
	c, ok, err := readCreds(path)
	if err != nil {
		return zuora.Credentials{}, false, err
	}
	s.cached = &cachedCreds{mod: st.ModTime(), size: st.Size(), creds: c, ok: ok}
	return c, ok, nil
}

// Pending is the OAuth client made for a rotation but not yet active.
func (s *Store) Pending() (zuora.Credentials, bool, error) {
	return readCreds(filepath.Join(s.dir, pendingFile))
}

// SetPending stores a new OAuth client before it is verified.
func (s *Store) SetPending(c zuora.Credentials, note string) error {
	return s.writeCreds(pendingFile, c, note)
}

// Activate makes the pending client the active one (the worker's Zuora
// client uses it from its next token) and drops the pending file.
func (s *Store) Activate() (zuora.Credentials, error) {
	c, ok, err := s.Pending()
	if err != nil {
		return zuora.Credentials{}, err
	}
	if !ok {
		// Already activated by an earlier attempt.
		c, ok, err = s.ZuoraCredentials()
		if err != nil || !ok {
			return zuora.Credentials{}, errors.Join(errors.New("credential store: no pending OAuth client to activate"), err)
		}
		return c, nil
	}
	if err := s.writeCreds(zuoraFile, c, "active"); err != nil {
		return zuora.Credentials{}, err
	}
	if err := os.Remove(filepath.Join(s.dir, pendingFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return zuora.Credentials{}, fmt.Errorf("credential store: %w", err)
	}
	return c, nil
}

func readCreds(path string) (zuora.Credentials, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return zuora.Credentials{}, false, nil
	}
	if err != nil {
		return zuora.Credentials{}, false, fmt.Errorf("credential store: %w", err)
	}
	var f credsFile
	if err := json.Unmarshal(b, &f); err != nil {
		// Never echo the content: it is a secret.
		return zuora.Credentials{}, false, fmt.Errorf("credential store: %s is not a credentials document", filepath.Base(path))
	}
	if f.ClientID == "" || f.ClientSecret == "" {
		return zuora.Credentials{}, false, fmt.Errorf("credential store: %s has no client id or secret", filepath.Base(path))
	}
	return zuora.Credentials{ClientID: f.ClientID, ClientSecret: f.ClientSecret}, true, nil
}

func (s *Store) writeCreds(name string, c zuora.Credentials, note string) error {
	if c.ClientID == "" || c.ClientSecret == "" {
		return errors.New("credential store: client id and secret are required")
	}
	b, _ := json.MarshalIndent(credsFile{ClientID: c.ClientID, ClientSecret: c.ClientSecret, StoredAt: time.Now().UTC(), Note: note}, "", "  ")
	return s.writeFile(name, b)
}

// writeFile replaces name atomically with a 0600 file.
func (s *Store) writeFile(name string, b []byte) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("credential store: %w", err)
	}
	if err := os.Chmod(s.dir, 0o700); err != nil { // an existing directory too: only the worker's user
		return fmt.Errorf("credential store: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("credential store: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("credential store: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("credential store: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("credential store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("credential store: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.dir, name)); err != nil {
		return fmt.Errorf("credential store: %w", err)
	}
	return nil
}

// State is the connector's persisted mode, read by later runs.
type State struct {
	InvoiceSettlement bool      `json:"invoiceSettlement"`
	Since             time.Time `json:"since,omitempty"`
	By                string    `json:"by,omitempty"` // the workflow that set it
}

// State reads the persisted mode (zero when never written).
func (s *Store) State() (State, error) {
	return ReadState(s.dir)
}

// SetState persists the mode.
func (s *Store) SetState(st State) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	return s.writeFile(stateFile, b)
}

// ReadState reads the persisted mode of a state dir without opening a store
// (the starter applies it to the settings of later runs).
func ReadState(dir string) (State, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("connector state: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("connector state %s: %w", filepath.Join(dir, stateFile), err)
	}
	return st, nil
}

// ReadSecretFile reads an OAuth client an operator wrote for the migration:
// JSON {"client_id": "...", "client_secret": "..."}. Errors never quote it.
func ReadSecretFile(path string) (zuora.Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return zuora.Credentials{}, fmt.Errorf("OAuth secret file: %w", err)
	}
	var f struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal(b, &f); err != nil || f.ClientID == "" || f.ClientSecret == "" {
		return zuora.Credentials{}, fmt.Errorf("OAuth secret file %s: want JSON with client_id and client_secret", path)
	}
	return zuora.Credentials{ClientID: f.ClientID, ClientSecret: f.ClientSecret}, nil
}
