package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/zuora-netsuite/connector/internal/codec"
)

func testKeyFile(t *testing.T, id string) (string, *codec.Codec) {
	t.Helper()
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	text := id + "=" + base64.StdEncoding.EncodeToString(raw) + "\n"
	path := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := codec.ParseKeyRing("test", text)
	if err != nil {
		t.Fatal(err)
	}
	return path, codec.New(r)
}

// The server speaks the protocol the SDK's remote codec (and so the UI and
// the temporal CLI) uses: what the worker encrypted, /decode opens.
func TestCodecServer_DecodesWhatTheWorkerEncrypted(t *testing.T) {
	_, cdc := testKeyFile(t, "k1")
	srv := httptest.NewServer(newCodecHandler(cdc, []string{"http://localhost:8233"}, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()
	written, err := cdc.DataConverter().ToPayload(map[string]string{"customer": "Acme Widgets Ltd"})
	if err != nil {
		t.Fatal(err)
	}
	remote := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{Endpoint: srv.URL})
	dec, err := remote.Decode([]*commonpb.Payload{written})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(dec[0].Data, []byte("Acme Widgets Ltd")) || string(dec[0].Metadata["encoding"]) != "json/plain" {
		t.Fatalf("decoded: %s %s", dec[0].Metadata["encoding"], dec[0].Data)
	}
	enc, err := remote.Encode(dec)
	if err != nil {
		t.Fatal(err)
	}
	if string(enc[0].Metadata[codec.MetadataKeyID]) != "k1" || bytes.Contains(enc[0].Data, []byte("Acme")) {
		t.Fatalf("encode did not encrypt: %v", enc[0].Metadata)
	}
}

func TestCodecServer_CORSForTheUIOriginOnly(t *testing.T) {
	_, cdc := testKeyFile(t, "k1")
	h := newCodecHandler(cdc, []string{"http://localhost:8233"}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	pre := httptest.NewRequest(http.MethodOptions, "/decode", nil)
	pre.Header.Set("Origin", "http://localhost:8233")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, pre)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "http://localhost:8233" ||
		!strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "X-Namespace") ||
		rec.Header().Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("preflight from the UI: %d %v", rec.Code, rec.Header())
	}

	body := `{"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"IngiCg=="}]}`
	post := httptest.NewRequest(http.MethodPost, "/decode", strings.NewReader(body))
	post.Header.Set("Origin", "http://localhost:8233")
	post.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, post)
	if rec.Code != http.StatusOK || rec.Header().Get("Access-Control-Allow-Origin") != "http://localhost:8233" {
		t.Fatalf("POST from the UI: %d %s", rec.Code, rec.Body)
	}

	evil := httptest.NewRequest(http.MethodPost, "/decode", strings.NewReader(body))
	evil.Header.Set("Origin", "https://evil.example")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, evil)
	if rec.Code != http.StatusForbidden || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("another origin: %d %v", rec.Code, rec.Header())
	}
}

func TestCodecServer_FlagProblemsExit2WithAClearMessage(t *testing.T) {
	short := filepath.Join(t.TempDir(), "short")
	_ = os.WriteFile(short, []byte("k="+base64.StdEncoding.EncodeToString(make([]byte, 16))+"\n"), 0o600)
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no keys":      {nil, "no encryption keys"},
		"missing file": {[]string{"--encryption-key-file", "/nonexistent/keys"}, "cannot read key file"},
		"short key":    {[]string{"--encryption-key-file", short}, "exactly 32"},
	} {
		var stderr bytes.Buffer
		code := codecServerMain(tc.args, io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", name, code, stderr.String(), tc.want)
		}
	}
	good, _ := testKeyFile(t, "k1")
	var stderr bytes.Buffer
	if code := codecServerMain([]string{"--encryption-key-file", good, "--ui-origin", "http://localhost:8233/"}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "--ui-origin") {
		t.Errorf("bad origin: exit %d %q", code, stderr.String())
	}
}
