package itest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/zuora-netsuite/connector/internal/sandbox"
)

// encryptedEncoding is how the UI shows an encrypted payload's encoding
// metadata without a codec server: base64 of "binary/encrypted".
const encryptedEncoding = "YmluYXJ5L2VuY3J5cHRlZA=="

// Payload encryption as an operator sees it, in a real browser: the
// cluster's Web UI pointed at the connector's codec server (starter
// codec-server) shows a run's input decoded; the same UI without a codec
// server shows only the encrypted payload. Screenshots of both are kept in
// .state/artifacts (or CONNECTOR_ARTIFACTS).
func TestCluster_BrowserShowsDecodedInputOnlyWithTheCodecServer(t *testing.T) {
	RequireCluster(t)
	if _, err := os.Stat(filepath.Join(ClusterBin(), "temporal-ui-server")); err != nil {
		if os.Getenv("CONNECTOR_INTEGRATION") == "required" {
			t.Fatalf("the browser check needs %s/temporal-ui-server (make test builds it): %v", ClusterBin(), err)
		}
		t.Skip("no temporal-ui-server")
	}
	browser := StartBrowser(t)
	uiPort := freePortNum(t)
	codecAddr := FreeAddr(t)
	w := NewClusterWorld(t, nil, sandbox.Faults{}, 15, "CLUSTER_UI=1", "CLUSTER_UI_PORT="+itoa(uiPort),
		"CLUSTER_UI_CODEC_ENDPOINT=http://"+codecAddr)
	uiOrigin := "http://127.0.0.1:" + itoa(uiPort)
	StartProcess(t, Binaries(t)+"/starter", []string{"codec-server", "--encryption-key-file", w.KeyFile,
		"--listen", codecAddr, "--ui-origin", uiOrigin})
	WaitTCP(t, codecAddr, time.Minute)

	// The same UI server without a codec endpoint: the control.
	plainPort := freePortNum(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "temporalGrpcAddress: " + w.TemporalAddr + "\nhost: 127.0.0.1\nport: " + itoa(plainPort) + "\nenableUi: true\ndefaultNamespace: default\n"
	if err := os.WriteFile(filepath.Join(dir, "config", "development.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	StartProcess(t, filepath.Join(ClusterBin(), "temporal-ui-server"), []string{"--root", dir, "--config", "config", "--env", "development", "start"})
	WaitTCP(t, "127.0.0.1:"+itoa(plainPort), time.Minute)

	// A run whose input carries a marker, encrypted by the connector's codec
	// (no worker: its input is in the history from the start).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	marker := "browser-marker-" + w.PGPassword[3:11]
	run, err := w.Env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "browser-check", TaskQueue: "browser-check-no-worker"},
		"BrowserCheck", map[string]string{"marker": marker})
	if err != nil {
		t.Fatal(err)
	}
	path := "/namespaces/default/workflows/browser-check/" + run.GetRunID() + "/history"
	artifacts := os.Getenv("CONNECTOR_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(repoRoot(), ".state", "artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	withPNG, plainPNG := filepath.Join(artifacts, "ui-with-codec-server.png"), filepath.Join(artifacts, "ui-without-codec-server.png")

	with := browser.Visit(uiOrigin+path, 90*time.Second, withPNG, func(s string) bool { return strings.Contains(s, marker) })
	if !strings.Contains(with, marker) || strings.Contains(with, encryptedEncoding) {
		t.Errorf("the UI with the codec server does not show the input decoded (marker shown: %v); page text:\n%s",
			strings.Contains(with, marker), tail(with, 2000))
	}
	plain := browser.Visit("http://127.0.0.1:"+itoa(plainPort)+path, 90*time.Second, plainPNG,
		func(s string) bool { return strings.Contains(s, encryptedEncoding) })
	if strings.Contains(plain, marker) || !strings.Contains(plain, encryptedEncoding) {
		t.Errorf("the UI without a codec server should show only the encrypted payload (marker shown: %v); page text:\n%s",
			strings.Contains(plain, marker), tail(plain, 2000))
	}
	t.Logf("screenshots: %s, %s", withPNG, plainPNG)
}

func itoa(n int) string { return strconv.Itoa(n) }
