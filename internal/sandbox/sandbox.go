// Package sandbox runs local emulators of Zuora's REST API and NetSuite's
// REST web services that answer with the real paths, auth, bodies, status
// codes and error shapes (docs/wire.md), keep their state in a data dir, and
// fail on purpose when told to (faults). Tests, the demo and benchmarks run
// the connector against it; docs/sandbox.md says how to run it.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
)

// The documented local credentials (docs/sandbox.md); the worker's defaults match.
const (
	DefaultZuoraAddr          = "127.0.0.1:8701"
	DefaultNetSuiteAddr       = "127.0.0.1:8702"
	DefaultZuoraClientID      = "sandbox-zuora-client"
	DefaultZuoraClientSecret  = "sandbox-zuora-secret"
	DefaultNetSuiteAccount    = "1234567_SB1"
	DefaultConsumerKey        = "sandbox-consumer-key"
	DefaultConsumerSecret     = "sandbox-consumer-secret"
	DefaultTokenID            = "sandbox-token-id"
	DefaultTokenSecret        = "sandbox-token-secret"
	DefaultNetSuiteConcurrent = 15
)

// ZuoraAuth is the OAuth client the Zuora emulator accepts.
type ZuoraAuth struct {
	ClientID, ClientSecret string
}

// NetSuiteAuth is what the NetSuite emulator accepts: token-based auth, and
// OAuth 2.0 machine-to-machine when a certificate's public key is given.
type NetSuiteAuth struct {
	Account, ConsumerKey, ConsumerSecret, TokenID, TokenSecret string
	M2MClientID, M2MCertificateID                              string
	M2MPublicKeyPEM                                            []byte
}

// Config configures a Sandbox.
type Config struct {
	ZuoraAddr, NetSuiteAddr string // loopback; ":0" port picks a free one
	DataDir                 string
	// InMemory keeps the state in memory only, nothing in DataDir: a killed
	// sandbox loses it. For the benchmark, where writing every changed
	// record through to disk (a 5,000-line invoice re-encoded on each of
	// its batches) is the test double's cost, not NetSuite's: NetSuite's is
	// the write latency the bench sets.
	InMemory                    bool
	Zuora                       ZuoraAuth
	NetSuite                    NetSuiteAuth
	ZuoraFaults, NetSuiteFaults Faults
	Logger                      *slog.Logger
	// AnyAddress allows non-loopback listen addresses: inside a container
	// (docker-compose.yml) only, where the network is the container's own.
	AnyAddress bool
}

// DefaultConfig is the documented local setup.
func DefaultConfig() Config {
	return Config{
		ZuoraAddr: DefaultZuoraAddr, NetSuiteAddr: DefaultNetSuiteAddr, DataDir: ".state/sandbox",
		Zuora: ZuoraAuth{ClientID: DefaultZuoraClientID, ClientSecret: DefaultZuoraClientSecret},
		NetSuite: NetSuiteAuth{Account: DefaultNetSuiteAccount, ConsumerKey: DefaultConsumerKey, ConsumerSecret: DefaultConsumerSecret,
			TokenID: DefaultTokenID, TokenSecret: DefaultTokenSecret},
		NetSuiteFaults: Faults{Concurrency: DefaultNetSuiteConcurrent},
	}
}

// Sandbox is both emulators.
type Sandbox struct {
	cfg     Config
	log     *slog.Logger
	zuora   *zuoraAPI
	ns      *netsuiteAPI
	servers []*http.Server
	addrs   [2]string
}

// New opens the data dir and loads what it holds.
func New(cfg Config) (*Sandbox, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.DataDir == "" && !cfg.InMemory {
		return nil, errors.New("sandbox: a data dir is required")
	}
	for _, a := range []struct{ name, v string }{{"zuora client id", cfg.Zuora.ClientID}, {"zuora client secret", cfg.Zuora.ClientSecret},
		{"netsuite account", cfg.NetSuite.Account}, {"netsuite consumer key", cfg.NetSuite.ConsumerKey}, {"netsuite consumer secret", cfg.NetSuite.ConsumerSecret},
		{"netsuite token id", cfg.NetSuite.TokenID}, {"netsuite token secret", cfg.NetSuite.TokenSecret}} {
		if a.v == "" {
			return nil, fmt.Errorf("sandbox: the %s is empty", a.name)
		}
	}
	if err := cfg.ZuoraFaults.Validate(); err != nil {
		return nil, fmt.Errorf("zuora %w", err)
	}
	if err := cfg.NetSuiteFaults.Validate(); err != nil {
		return nil, fmt.Errorf("netsuite %w", err)
	}
	s := &Sandbox{cfg: cfg, log: cfg.Logger}
	var err error
	if s.zuora, err = newZuoraAPI(cfg); err != nil {
		return nil, err
	}
	if s.ns, err = newNetSuiteAPI(cfg); err != nil {
		_ = s.zuora.db.close()
		return nil, err
	}
	return s, nil
}

// Load replaces all state with the fixture.
func (s *Sandbox) Load(f *fixture.Fixture) error {
	if err := s.zuora.load(f.Zuora); err != nil {
		return fmt.Errorf("zuora: %w", err)
	}
	if err := s.ns.load(f.NetSuite); err != nil {
		return fmt.Errorf("netsuite: %w", err)
	}
	return nil
}

// Empty reports whether no record is stored yet.
func (s *Sandbox) Empty() bool { return s.zuora.empty() && s.ns.empty() }

// Start listens on both addresses (loopback only) and serves.
func (s *Sandbox) Start() error {
	for i, a := range []struct {
		addr string
		h    http.Handler
	}{{s.cfg.ZuoraAddr, s.ZuoraHandler()}, {s.cfg.NetSuiteAddr, s.NetSuiteHandler()}} {
		host, _, err := net.SplitHostPort(a.addr)
		if err != nil {
			return fmt.Errorf("sandbox: address %q: %w", a.addr, err)
		}
		if ip := net.ParseIP(host); !s.cfg.AnyAddress && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("sandbox: address %q is not loopback; the sandbox serves 127.0.0.1 only", a.addr)
		}
		ln, err := net.Listen("tcp", a.addr)
		if err != nil {
			return fmt.Errorf("sandbox: listening on %s: %w", a.addr, err)
		}
		s.addrs[i] = ln.Addr().String()
		srv := &http.Server{Handler: a.h, ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("sandbox server stopped", "addr", ln.Addr().String(), "err", err)
			}
		}()
	}
	return nil
}

// ZuoraURL is the Zuora emulator's base URL.
func (s *Sandbox) ZuoraURL() string { return "http://" + s.addrs[0] }

// NetSuiteURL is the NetSuite emulator's REST base URL.
func (s *Sandbox) NetSuiteURL() string { return "http://" + s.addrs[1] + "/services/rest" }

// ZuoraHandler serves the Zuora API (for httptest).
func (s *Sandbox) ZuoraHandler() http.Handler { return s.zuora.handler() }

// NetSuiteHandler serves the NetSuite API (for httptest).
func (s *Sandbox) NetSuiteHandler() http.Handler { return s.ns.handler() }

// SetFaults changes an API's faults ("zuora" or "netsuite").
func (s *Sandbox) SetFaults(api string, f Faults) error {
	st, err := s.api(api)
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	st.setFaults(f)
	return nil
}

// Faults returns an API's faults.
func (s *Sandbox) Faults(api string) Faults {
	st, err := s.api(api)
	if err != nil {
		return Faults{}
	}
	return st.getFaults()
}

// Stats returns an API's request and fault counts.
func (s *Sandbox) Stats(api string) Stats {
	st, err := s.api(api)
	if err != nil {
		return Stats{}
	}
	return st.stats()
}

func (s *Sandbox) api(name string) (*apiState, error) {
	switch name {
	case "zuora":
		return s.zuora.state, nil
	case "netsuite":
		return s.ns.state, nil
	}
	return nil, fmt.Errorf("sandbox: no API %q (zuora or netsuite)", name)
}

// Close stops the servers and closes the data files.
func (s *Sandbox) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	return errors.Join(s.zuora.db.close(), s.ns.db.close())
}

// adminRoutes are the /_sandbox endpoints both APIs serve.
func adminRoutes(mux *http.ServeMux, st *apiState) {
	mux.HandleFunc("GET /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, st.getFaults()) })
	mux.HandleFunc("PUT /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		f := st.getFaults()
		if err := decodeBody(r, &f); err != nil {
			writeJSON(w, 400, map[string]string{"error": err.Error()})
			return
		}
		if err := f.Validate(); err != nil {
			writeJSON(w, 400, map[string]string{"error": err.Error()})
			return
		}
		st.setFaults(f)
		writeJSON(w, 200, f)
	})
	mux.HandleFunc("GET /_sandbox/stats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, st.stats()) })
}
