package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/converter"

	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/cli"
	"github.com/zuora-netsuite/connector/internal/codec"
)

const codecServerUsage = `Serves Temporal's codec server protocol (POST /encode, POST /decode) with the
connector's payload encryption keys, so the Temporal UI and the temporal CLI show
encrypted workflow inputs, results and errors in plain text to whoever can reach it.

Usage:
  starter codec-server [--listen 127.0.0.1:8081] --encryption-key-file KEYS [--ui-origin http://localhost:8233]

Point the UI at it:  temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8081
the CLI:             temporal workflow show --workflow-id ID --codec-endpoint http://127.0.0.1:8081
Anyone who can reach the listen address can decrypt: keep it on loopback or behind your SSO proxy.
`

// maxCodecBody bounds one request; Temporal caps a payload at 2 MiB and the
// UI sends one event's payloads at a time.
const maxCodecBody = 16 << 20

type codecServerConfig struct {
	Listen     string
	UIOrigins  []string
	Encryption app.EncryptionConfig
	Log        app.LogConfig
}

func parseCodecServer(args []string, stderr io.Writer) (*codecServerConfig, *codec.Codec, *slog.Logger, error) {
	c := &codecServerConfig{}
	fs := cli.NewFlagSet(program+" codec-server", app.EnvPrefix, codecServerUsage, stderr)
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:8081", "address to serve /encode and /decode on")
	fs.StringSliceVar(&c.UIOrigins, "ui-origin", []string{"http://localhost:8233", "http://127.0.0.1:8233"}, "origins of the Temporal UI allowed to call from a browser (CORS)")
	c.Encryption.AddFlags(fs)
	_ = fs.MarkHidden("encryption") // the codec server always needs the keys
	c.Log.AddFlags(fs)
	if err := cli.Parse(fs, app.EnvPrefix, args); err != nil {
		return nil, nil, nil, err
	}
	logger, err := c.Log.New()
	if err != nil {
		return nil, nil, nil, err
	}
	ring, err := c.Encryption.Ring()
	if err != nil {
		return nil, nil, nil, err
	}
	for _, o := range c.UIOrigins {
		if !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") || strings.HasSuffix(o, "/") {
			return nil, nil, nil, fmt.Errorf("--ui-origin %q: want scheme://host[:port] with no path, as the browser sends it (e.g. http://localhost:8233)", o)
		}
	}
	return c, codec.New(ring), logger, nil
}

// codecServerMain runs until SIGINT/SIGTERM; it returns the exit code.
func codecServerMain(args []string, stdout, stderr io.Writer) int {
	c, cdc, logger, err := parseCodecServer(args, stderr)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s codec-server: %v\nRun '%s codec-server --help' for the flags and their environment variables.\n", program, err, program)
		return cli.ExitUsage
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		fmt.Fprintf(stderr, "%s codec-server: --listen %s: %v\n", program, c.Listen, err)
		return 1
	}
	srv := &http.Server{Handler: newCodecHandler(cdc, c.UIOrigins, logger), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Fprintf(stdout, "codec server on http://%s (UI origins %s); temporal server start-dev --ui-codec-endpoint http://%s\n",
		ln.Addr(), strings.Join(c.UIOrigins, ", "), ln.Addr())
	logger.Info("codec server started", "addr", ln.Addr().String(), "ui_origins", c.UIOrigins)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "%s codec-server: %v\n", program, err)
		return 1
	}
	return 0
}

// newCodecHandler is the SDK's codec HTTP handler behind CORS for the UI's
// origins. Requests without an Origin (the temporal CLI, curl) are served; a
// browser page from any other origin is refused.
func newCodecHandler(cdc *codec.Codec, origins []string, logger *slog.Logger) http.Handler {
	inner := converter.NewPayloadCodecHTTPHandler(cdc)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" {
			if !slices.Contains(origins, origin) {
				logger.Warn("codec server: refused a browser request from an origin not in --ui-origin", "origin", origin)
				http.Error(w, "origin not allowed: start the codec server with --ui-origin "+origin, http.StatusForbidden)
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
			h.Set("Access-Control-Max-Age", "600")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxCodecBody)
		logger.Debug("codec request", "path", r.URL.Path, "namespace", r.Header.Get("X-Namespace"))
		inner.ServeHTTP(w, r)
	})
}
