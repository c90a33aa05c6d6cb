package credstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

func TestStoreRotationPendingThenActiveWith0600Files(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.ZuoraCredentials(); ok || err != nil {
		t.Fatalf("empty store: ok=%v err=%v, want nothing", ok, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("opening made the directory (%v); it must wait for the first write", err)
	}
	c := zuora.Credentials{ClientID: "new-id", ClientSecret: "s3cret-value"}
	if err := s.SetPending(c, "test"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.ZuoraCredentials(); ok {
		t.Fatal("a pending client must not be active")
	}
	got, err := s.Activate()
	if err != nil || got != c {
		t.Fatalf("activate: %v %v", got, err)
	}
	// A second activation (a retried activity) keeps the same client.
	if again, err := s.Activate(); err != nil || again != c {
		t.Fatalf("second activate: %v %v", again, err)
	}
	act, ok, err := s.ZuoraCredentials()
	if err != nil || !ok || act != c {
		t.Fatalf("active: %v %v %v", act, ok, err)
	}
	for _, name := range []string{zuoraFile} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v mode %v, want 0600", name, err, st.Mode().Perm())
		}
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v, want 0700", st.Mode().Perm())
	}
	if strings.Contains(Fingerprint(c), "s3cret") || len(Fingerprint(c)) != 12 {
		t.Fatalf("fingerprint %q", Fingerprint(c))
	}
	if strings.Contains(c.String()+c.GoString(), "s3cret") {
		t.Fatal("Credentials print their secret")
	}
}

func TestStoreStateAndBadFilesNeverEchoSecrets(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir)
	if st, err := s.State(); err != nil || st.InvoiceSettlement {
		t.Fatalf("fresh state %+v %v", st, err)
	}
	if err := s.SetState(State{InvoiceSettlement: true, By: "wf"}); err != nil {
		t.Fatal(err)
	}
	if st, err := ReadState(dir); err != nil || !st.InvoiceSettlement {
		t.Fatalf("state %+v %v", st, err)
	}
	bad := filepath.Join(dir, "secret.json")
	_ = os.WriteFile(bad, []byte("client_secret=topsecretvalue"), 0o600)
	if _, err := ReadSecretFile(bad); err == nil || strings.Contains(err.Error(), "topsecretvalue") {
		t.Fatalf("bad secret file: %v", err)
	}
	_ = os.WriteFile(filepath.Join(dir, zuoraFile), []byte("topsecretvalue"), 0o600)
	if _, _, err := s.ZuoraCredentials(); err == nil || strings.Contains(err.Error(), "topsecretvalue") {
		t.Fatalf("bad store file: %v", err)
	}
}

func TestStoreTightensAnExistingDirectoryOnWrite(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, _ := Open(dir)
	if err := s.SetState(State{InvoiceSettlement: true}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v after a write, want 0700", st.Mode().Perm())
	}
}
