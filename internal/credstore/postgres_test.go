package credstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zuora-netsuite/connector/internal/codec"
	"github.com/zuora-netsuite/connector/internal/credstore"
	"github.com/zuora-netsuite/connector/internal/pgtest"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

func ring(t *testing.T, id string, b byte) *codec.Codec {
	t.Helper()
	r, err := codec.ParseKeyRing("test", id+"="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return codec.New(r)
}

// Two workers are two stores on one database: what one worker's migration
// activates, the other's Zuora client gets on its next token, no restart.
func TestPGStore_RotatedClientReachesEveryWorkerWithoutRestart(t *testing.T) {
	srv, db := pgtest.Shared(t)
	ctx := context.Background()
	cdc := ring(t, "k1", 7)
	a, err := credstore.OpenPostgres(ctx, srv.DSN(db), cdc.DataConverter())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := credstore.OpenPostgres(ctx, srv.DSN(db), cdc.DataConverter())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, ok, err := b.ZuoraCredentials(); ok || err != nil {
		t.Fatalf("empty store: ok=%v err=%v", ok, err)
	}
	c := zuora.Credentials{ClientID: "rotated-id", ClientSecret: "rotated-s3cret-value"}
	if err := a.SetPending(c, "test"); err != nil {
		t.Fatal(err)
	}
	if p, ok, err := b.Pending(); err != nil || !ok || p != c {
		t.Fatalf("the other worker's pending: %v %v %v", p, ok, err)
	}
	if got, err := a.Activate(); err != nil || got != c {
		t.Fatalf("activate: %v %v", got, err)
	}
	// b read "nothing" above; its cached read is at most a second old.
	deadline := time.Now().Add(3 * time.Second)
	for {
		got, ok, err := b.ZuoraCredentials()
		if err != nil {
			t.Fatal(err)
		}
		if ok && got == c {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other worker still has %v (ok=%v) 3s after the rotation", got, ok)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The retried activation on the other worker agrees.
	if again, err := b.Activate(); err != nil || again != c {
		t.Fatalf("second activate: %v %v", again, err)
	}
	if err := a.SetState(credstore.State{InvoiceSettlement: true, By: "test"}); err != nil {
		t.Fatal(err)
	}
	if st, err := b.State(); err != nil || !st.InvoiceSettlement || st.By != "test" {
		t.Fatalf("state seen by the other worker: %+v %v", st, err)
	}
}

// Secrets are ciphertext in the database; another key cannot open them, and
// a sealed pending client copied over the active row is refused.
func TestPGStore_SecretEncryptedAtRestAndBoundToItsRow(t *testing.T) {
	srv, db := pgtest.Shared(t)
	ctx := context.Background()
	s, err := credstore.OpenPostgres(ctx, srv.DSN(db), ring(t, "k1", 7).DataConverter())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := zuora.Credentials{ClientID: "enc-id", ClientSecret: "plain-text-secret-never-stored"}
	if err := s.SetPending(c, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Activate(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPending(zuora.Credentials{ClientID: "next-id", ClientSecret: "next-secret-value"}, "test"); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("postgres", srv.DSN(db))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT slot, sealed::text, client_id FROM connector_credentials`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var slot, sealed, id string
		if err := rows.Scan(&slot, &sealed, &id); err != nil {
			t.Fatal(err)
		}
		n++
		raw, _ := hexBytes(sealed)
		if strings.Contains(string(raw), "secret") || strings.Contains(sealed, "secret") {
			t.Errorf("row %s holds a secret in plain text", slot)
		}
	}
	if n != 2 {
		t.Fatalf("%d rows, want active and pending", n)
	}
	other, err := credstore.OpenPostgres(ctx, srv.DSN(db), ring(t, "k2", 9).DataConverter())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, _, err := other.ZuoraCredentials(); err == nil || !strings.Contains(err.Error(), "k1") || strings.Contains(err.Error(), "plain-text") {
		t.Fatalf("a store without key k1 must fail naming the key, never the secret: %v", err)
	}
	if _, err := raw.Exec(`UPDATE connector_credentials SET sealed = (SELECT sealed FROM connector_credentials WHERE slot = 'zuora-oauth-pending') WHERE slot = 'zuora-oauth'`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // past the cached read
	if _, _, err := s.ZuoraCredentials(); err == nil {
		t.Fatal("the pending row's ciphertext copied into the active row was accepted")
	}
}

func hexBytes(s string) ([]byte, bool) {
	s = strings.TrimPrefix(s, `\x`)
	out := make([]byte, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		var b byte
		for _, c := range s[i : i+2] {
			b <<= 4
			switch {
			case c >= '0' && c <= '9':
				b |= byte(c - '0')
			case c >= 'a' && c <= 'f':
				b |= byte(c - 'a' + 10)
			}
		}
		out = append(out, b)
	}
	return out, true
}

// Two workers activating the same pending client at once both end with it.
func TestPGStore_ConcurrentActivationsAgree(t *testing.T) {
	srv, db := pgtest.Shared(t)
	ctx := context.Background()
	cdc := ring(t, "k1", 7)
	var stores []*credstore.PGStore
	for range 4 {
		s, err := credstore.OpenPostgres(ctx, srv.DSN(db), cdc.DataConverter())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	c := zuora.Credentials{ClientID: "race-id", ClientSecret: "race-secret"}
	if err := stores[0].SetPending(c, "test"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(stores))
	got := make([]zuora.Credentials, len(stores))
	for i, s := range stores {
		wg.Add(1)
		go func() { defer wg.Done(); got[i], errs[i] = s.Activate() }()
	}
	wg.Wait()
	for i := range stores {
		if errs[i] != nil || got[i] != c {
			t.Errorf("worker %d: %v %v", i, got[i], errs[i])
		}
	}
	if _, ok, _ := stores[1].Pending(); ok {
		t.Error("pending left after activation")
	}
}

func TestPGStore_RefusesToKeepSecretsWithoutEncryption(t *testing.T) {
	srv, db := pgtest.Shared(t)
	_, err := credstore.OpenPostgres(context.Background(), srv.DSN(db), nil)
	if err == nil || !strings.Contains(err.Error(), "--encryption-key-file") {
		t.Fatalf("want a refusal naming --encryption-key-file, got %v", err)
	}
}

func TestOpenDB_ErrorNeverShowsThePassword(t *testing.T) {
	_, err := credstore.OpenDB(context.Background(), "postgres://u:hunter2-password@127.0.0.1:1/db?sslmode=disable&connect_timeout=2")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("want an error without the password, got %v", err)
	}
	if got := credstore.RedactDSN("postgres://u:hunter2@h:5/db"); strings.Contains(got, "hunter2") {
		t.Fatalf("RedactDSN: %s", got)
	}
}

// Workers of a cluster start together: opening the store at once on a
// fresh database must not fail on PostgreSQL's racy CREATE TABLE IF NOT EXISTS.
func TestPGStore_WorkersStartingTogetherAllOpenTheStore(t *testing.T) {
	srv, db := pgtest.Shared(t)
	cdc := ring(t, "k1", 7)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := credstore.OpenPostgres(context.Background(), srv.DSN(db), cdc.DataConverter())
			if err == nil {
				s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", i, err)
		}
	}
}
