// Command sandbox runs local emulators of Zuora's REST API and NetSuite's
// REST web services (docs/sandbox.md): the same paths, auth, bodies, status
// codes and error shapes as the real services, state kept in a data dir, and
// faults on demand. The worker's defaults point at it.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.uber.org/fx"

	"github.com/zuora-netsuite/connector/internal/cli"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

const (
	program   = "sandbox"
	envPrefix = "SANDBOX"
)

type config struct {
	Sandbox  sandbox.Config
	Fixture  string
	Generate string
	Reset    bool
	LogLevel string
	Sign     string
}

func parseFlags(args []string) (*config, error) {
	d := sandbox.DefaultConfig()
	c := &config{Sandbox: d}
	s := &c.Sandbox
	fs := cli.NewFlagSet(program, envPrefix,
		"Local Zuora and NetSuite emulators for the connector's demo and tests.\n"+
			"Without --fixture or --generate it keeps what --data-dir holds, or loads the demo tenant into an empty one.", os.Stderr)
	fs.StringVar(&s.ZuoraAddr, "zuora-addr", d.ZuoraAddr, "Zuora emulator listen address (loopback only)")
	fs.StringVar(&s.NetSuiteAddr, "netsuite-addr", d.NetSuiteAddr, "NetSuite emulator listen address (loopback only)")
	fs.StringVar(&s.DataDir, "data-dir", d.DataDir, "where both tenants are kept across restarts")
	fs.BoolVar(&s.AnyAddress, "listen-any", false, "allow non-loopback --zuora-addr/--netsuite-addr (inside a container only)")
	fs.StringVar(&c.Fixture, "fixture", "", "replace all state with this fixture file (format: docs/fixtures.md)")
	fs.StringVar(&c.Generate, "generate", "", "replace all state with a generated tenant, e.g. seed=7,invoices=1000,large=100000 (keys: docs/fixtures.md)")
	fs.BoolVar(&c.Reset, "reset", false, "wipe the data dir first (then the demo tenant loads unless --fixture/--generate)")
	fs.StringVar(&s.Zuora.ClientID, "zuora-client-id", d.Zuora.ClientID, "OAuth client id the Zuora emulator accepts")
	zSecret := fs.String("zuora-client-secret", d.Zuora.ClientSecret, "its client secret")
	zSecretFile := fs.String("zuora-client-secret-file", "", "file holding the client secret")
	fs.StringVar(&s.NetSuite.Account, "netsuite-account", d.NetSuite.Account, "NetSuite account id (the TBA realm)")
	fs.StringVar(&s.NetSuite.ConsumerKey, "netsuite-consumer-key", d.NetSuite.ConsumerKey, "TBA consumer key accepted")
	csSecret := fs.String("netsuite-consumer-secret", d.NetSuite.ConsumerSecret, "TBA consumer secret")
	csFile := fs.String("netsuite-consumer-secret-file", "", "file holding the consumer secret")
	fs.StringVar(&s.NetSuite.TokenID, "netsuite-token-id", d.NetSuite.TokenID, "TBA token id accepted")
	tsSecret := fs.String("netsuite-token-secret", d.NetSuite.TokenSecret, "TBA token secret")
	tsFile := fs.String("netsuite-token-secret-file", "", "file holding the token secret")
	fs.StringVar(&s.NetSuite.M2MClientID, "netsuite-m2m-client-id", "", "OAuth 2.0 M2M client id accepted (with the two flags below)")
	fs.StringVar(&s.NetSuite.M2MCertificateID, "netsuite-m2m-certificate-id", "", "M2M certificate id (the JWT kid)")
	m2mKey := fs.String("netsuite-m2m-public-key", "", "PEM public key of the M2M certificate (RSA or EC P-256)")
	zf, nf := &s.ZuoraFaults, &s.NetSuiteFaults
	zTTL := fs.Duration("zuora-token-ttl", time.Hour, "lifetime of Zuora OAuth tokens")
	zLat := fs.Duration("zuora-latency", 0, "added to every Zuora request")
	nRead := fs.Duration("netsuite-read-latency", 0, "added to NetSuite reads and SuiteQL")
	nWrite := fs.Duration("netsuite-write-latency", 0, "added to NetSuite writes")
	fs.IntVar(&nf.Concurrency, "netsuite-concurrency", d.NetSuiteFaults.Concurrency, "NetSuite requests in flight before 429 (0: unlimited)")
	fs.IntVar(&zf.Concurrency, "zuora-concurrency", 0, "Zuora requests in flight before 429 (0: unlimited)")
	for _, api := range []struct {
		name string
		f    *sandbox.Faults
	}{{"zuora", zf}, {"netsuite", nf}} {
		fs.Float64Var(&api.f.ErrorRate, api.name+"-error-rate", 0, "share of "+api.name+" requests answered 500/502/503")
		fs.Float64Var(&api.f.RateLimitRate, api.name+"-rate-limit-rate", 0, "share answered 429")
		fs.Float64Var(&api.f.AmbiguousRate, api.name+"-ambiguous-rate", 0, "share of writes committed, then the connection dropped unanswered")
		fs.Float64Var(&api.f.MalformedRate, api.name+"-malformed-rate", 0, "share of reads answered 200 with a broken body")
	}
	fs.Float64Var(&nf.SpuriousAuthRate, "netsuite-spurious-auth-rate", 0, "share answered 401 \"Invalid login attempt\" although signed correctly")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.Sign, "sign", "", "print a TBA Authorization header for \"METHOD URL\" with the NetSuite credentials above and exit (for curl)")
	if err := cli.Parse(fs, envPrefix, args); err != nil {
		return nil, err
	}
	zf.TokenTTL, zf.ReadLatency, zf.WriteLatency = sandbox.Duration(*zTTL), sandbox.Duration(*zLat), sandbox.Duration(*zLat)
	nf.ReadLatency, nf.WriteLatency = sandbox.Duration(*nRead), sandbox.Duration(*nWrite)
	var err error
	secrets := []struct {
		dst              *string
		name, val, fileV string
	}{
		{&s.Zuora.ClientSecret, "--zuora-client-secret-file", *zSecret, *zSecretFile},
		{&s.NetSuite.ConsumerSecret, "--netsuite-consumer-secret-file", *csSecret, *csFile},
		{&s.NetSuite.TokenSecret, "--netsuite-token-secret-file", *tsSecret, *tsFile},
	}
	for _, sec := range secrets {
		if *sec.dst, err = cli.Secret(sec.name, sec.val, sec.fileV); err != nil {
			return nil, err
		}
	}
	if *m2mKey != "" {
		if s.NetSuite.M2MPublicKeyPEM, err = os.ReadFile(*m2mKey); err != nil {
			return nil, fmt.Errorf("--netsuite-m2m-public-key: %w", err)
		}
		if s.NetSuite.M2MClientID == "" || s.NetSuite.M2MCertificateID == "" {
			return nil, errors.New("--netsuite-m2m-public-key needs --netsuite-m2m-client-id and --netsuite-m2m-certificate-id")
		}
	}
	if c.Fixture != "" && c.Generate != "" {
		return nil, errors.New("give --fixture or --generate, not both")
	}
	if err := zf.Validate(); err != nil {
		return nil, fmt.Errorf("zuora %w", err)
	}
	if err := nf.Validate(); err != nil {
		return nil, fmt.Errorf("netsuite %w", err)
	}
	if _, err := logLevel(c.LogLevel); err != nil {
		return nil, err
	}
	return c, nil
}

func logLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

func newLogger(c *config) *slog.Logger {
	l, _ := logLevel(c.LogLevel)
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// newSandbox opens the data dir and loads the tenant the flags ask for.
func newSandbox(lc fx.Lifecycle, c *config, logger *slog.Logger) (*sandbox.Sandbox, error) {
	if c.Reset {
		if err := os.RemoveAll(c.Sandbox.DataDir); err != nil {
			return nil, fmt.Errorf("--reset: %w", err)
		}
	}
	c.Sandbox.Logger = logger
	sb, err := sandbox.New(c.Sandbox)
	if err != nil {
		return nil, err
	}
	var f *fixture.Fixture
	switch {
	case c.Fixture != "":
		f, err = fixture.Load(c.Fixture)
	case c.Generate != "":
		f, err = fixture.Generate(c.Generate)
	case sb.Empty():
		f = fixture.Demo()
	}
	if err == nil && f != nil {
		err = sb.Load(f)
	}
	if err != nil {
		_ = sb.Close()
		return nil, err
	}
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			if err := sb.Start(); err != nil {
				return err
			}
			fmt.Printf("Zuora    %s  (OAuth client %s; secret: --zuora-client-secret)\n", sb.ZuoraURL(), c.Sandbox.Zuora.ClientID)
			fmt.Printf("NetSuite %s  (account %s, consumer key %s, token id %s; secrets: --netsuite-*-secret)\n",
				sb.NetSuiteURL(), c.Sandbox.NetSuite.Account, c.Sandbox.NetSuite.ConsumerKey, c.Sandbox.NetSuite.TokenID)
			return nil
		},
		OnStop: func(context.Context) error { return sb.Close() },
	})
	return sb, nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		cli.Fail(program, err)
	}
	if cfg.Sign != "" {
		method, target, ok := strings.Cut(cfg.Sign, " ")
		h, err := sandbox.TBAHeader(method, strings.TrimSpace(target), cfg.Sandbox.NetSuite, time.Now(), fmt.Sprintf("%d", time.Now().UnixNano()))
		if !ok || err != nil {
			cli.Fail(program, fmt.Errorf("--sign wants \"METHOD URL\", e.g. \"GET http://127.0.0.1:8702/services/rest/record/v1/customer/101\": %v", err))
		}
		fmt.Println(h)
		return
	}
	app := fx.New(fx.NopLogger, fx.Supply(cfg), fx.Provide(newLogger, newSandbox), fx.Invoke(func(*sandbox.Sandbox) {}))
	if err := app.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, cli.StartupError(err))
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
		os.Exit(1)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	stopCtx, cancel2 := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel2()
	if err := app.Stop(stopCtx); err != nil {
		fmt.Fprintf(os.Stderr, "%s: stopping: %v\n", program, err)
		os.Exit(1)
	}
}
