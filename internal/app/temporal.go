// Package app holds what the worker and the starter share beyond the
// command line: how to reach Temporal, how to build the API clients from
// flags, and which workflows and activities the worker registers.
package app

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/zuora-netsuite/connector/internal/cli"
	"github.com/zuora-netsuite/connector/internal/codec"
	"github.com/zuora-netsuite/connector/workflows"
)

// EnvPrefix is the environment prefix of the worker's and the starter's flags,
// so one environment file configures both.
const EnvPrefix = "CONNECTOR"

// TemporalConfig is how to reach the Temporal service: a local dev server,
// a self-hosted cluster (mTLS) or Temporal Cloud (mTLS or API key).
type TemporalConfig struct {
	Address    string
	Namespace  string
	TaskQueue  string
	TLSCert    string // client certificate file (mTLS)
	TLSKey     string // its private key file
	TLSCA      string // CA bundle for the server, when not a public CA
	TLSServer  string // server name to verify, when it differs from the address
	APIKey     string
	APIKeyFile string
	Encryption EncryptionConfig
}

// AddFlags declares the Temporal flags on fs.
func (c *TemporalConfig) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.Address, "temporal-address", "127.0.0.1:7233", "Temporal frontend host:port (Temporal Cloud: <namespace>.<account>.tmprl.cloud:7233)")
	fs.StringVar(&c.Namespace, "namespace", "default", "Temporal namespace")
	fs.StringVar(&c.TaskQueue, "task-queue", workflows.TaskQueue, "task queue the worker polls and the starter targets")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "client certificate file for mTLS (Temporal Cloud or a TLS cluster)")
	fs.StringVar(&c.TLSKey, "tls-key", "", "private key file of --tls-cert")
	fs.StringVar(&c.TLSCA, "tls-ca", "", "CA certificate file to verify the server (default: system roots)")
	fs.StringVar(&c.TLSServer, "tls-server-name", "", "server name to verify in the server's certificate")
	fs.StringVar(&c.APIKey, "api-key", "", "Temporal Cloud API key (prefer --api-key-file)")
	fs.StringVar(&c.APIKeyFile, "api-key-file", "", "file holding the Temporal Cloud API key")
	c.Encryption.AddFlags(fs)
}

// Check validates the flags and reads every file they name (TLS, API key,
// encryption keys), so a bad one is a usage error (exit 2) before anything starts.
func (c *TemporalConfig) Check() error {
	_, err := c.ClientOptions(nil)
	return err
}

// ClientOptions turns the config into SDK options. Key material is read
// here and never logged.
func (c *TemporalConfig) ClientOptions(logger *slog.Logger) (client.Options, error) {
	opts := client.Options{
		HostPort:  c.Address,
		Namespace: c.Namespace,
	}
	if logger != nil {
		opts.Logger = tlog.NewStructuredLogger(logger)
	}
	if c.Address == "" {
		return opts, errors.New("--temporal-address is empty")
	}
	if c.Namespace == "" {
		return opts, errors.New("--namespace is empty")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return opts, errors.New("--tls-cert and --tls-key go together: give both or neither")
	}
	apiKey, err := cli.Secret("--api-key-file", c.APIKey, c.APIKeyFile)
	if err != nil {
		return opts, err
	}
	if c.TLSCert != "" || c.TLSCA != "" || apiKey != "" {
		tc := &tls.Config{ServerName: c.TLSServer, MinVersion: tls.VersionTLS12}
		if c.TLSCert != "" {
			cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
			if err != nil {
				return opts, fmt.Errorf("--tls-cert/--tls-key: %w", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		if c.TLSCA != "" {
			pem, err := os.ReadFile(c.TLSCA)
			if err != nil {
				return opts, fmt.Errorf("--tls-ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return opts, fmt.Errorf("--tls-ca: %s holds no PEM certificate", c.TLSCA)
			}
			tc.RootCAs = pool
		}
		opts.ConnectionOptions.TLS = tc
	}
	if apiKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(apiKey)
	}
	cdc, err := c.Encryption.Codec(c.Address)
	if err != nil {
		return opts, err
	}
	if cdc != nil {
		opts.DataConverter = cdc.DataConverter()
		opts.FailureConverter = cdc.FailureConverter()
	}
	return opts, nil
}

// EncryptionConfig is payload encryption (internal/codec): whether it is on
// and where the keys are. Worker, starter and codec server must share the keys.
type EncryptionConfig struct {
	Mode    string // auto, on or off
	Keys    string // key ring text; prefer KeyFile or the environment
	KeyFile string
}

// Encryption modes.
const (
	EncryptionAuto = "auto"
	EncryptionOn   = "on"
	EncryptionOff  = "off"
)

// AddFlags declares the encryption flags on fs.
func (e *EncryptionConfig) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&e.Mode, "encryption", EncryptionAuto, "payload encryption: on, off, or auto (on when keys are given; off for a Temporal on 127.0.0.1/localhost without keys; otherwise refuse to start)")
	fs.StringVar(&e.KeyFile, "encryption-key-file", "", "file of AES-256 keys, one id=base64key a line, the current (encrypting) key first (docs/operations.md)")
	fs.StringVar(&e.Keys, "encryption-keys", "", "the keys themselves, id=base64key[,id=base64key...] (prefer the environment variable or --encryption-key-file)")
}

// Ring loads the keys from the file or the flag/variable.
func (e *EncryptionConfig) Ring() (*codec.KeyRing, error) {
	switch {
	case e.KeyFile != "" && e.Keys != "":
		return nil, errors.New("--encryption-key-file and --encryption-keys (" + cli.EnvName(EnvPrefix, "encryption-keys") + "): give one, not both")
	case e.KeyFile != "":
		r, err := codec.LoadKeyFile(e.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("--encryption-key-file: %w", err)
		}
		return r, nil
	case e.Keys != "":
		return codec.ParseKeyRing("--encryption-keys ("+cli.EnvName(EnvPrefix, "encryption-keys")+")", e.Keys)
	}
	return nil, errors.New("no encryption keys: give --encryption-key-file (or " + cli.EnvName(EnvPrefix, "encryption-keys") + ")")
}

// Codec resolves the mode for a Temporal at address: the codec to use, or
// nil for plain payloads. Plain payloads need a local server or an explicit
// --encryption=off, so a production history is never unencrypted by accident.
func (e *EncryptionConfig) Codec(address string) (*codec.Codec, error) {
	keysGiven := e.KeyFile != "" || e.Keys != ""
	switch e.Mode {
	case EncryptionOff:
		return nil, nil
	case EncryptionOn:
		r, err := e.Ring()
		if err != nil {
			return nil, fmt.Errorf("--encryption=on: %w", err)
		}
		return codec.New(r), nil
	case EncryptionAuto, "":
		if keysGiven {
			r, err := e.Ring()
			if err != nil {
				return nil, err
			}
			return codec.New(r), nil
		}
		if isLoopback(address) {
			return nil, nil
		}
		return nil, fmt.Errorf("payload encryption is on for a Temporal that is not local (%s) and no keys were given: "+
			"give --encryption-key-file (see docs/operations.md), or --encryption=off to store workflow data in plain text", address)
	}
	return nil, fmt.Errorf("--encryption %q: want on, off or auto", e.Mode)
}

// Describe says what Codec resolves to, for the startup log (never key material).
func (e *EncryptionConfig) Describe(address string) string {
	c, err := e.Codec(address)
	switch {
	case err != nil:
		return "error"
	case c == nil:
		return "off"
	}
	r, _ := e.Ring()
	return fmt.Sprintf("on (current key %s, %d keys)", r.CurrentID(), len(r.IDs()))
}

func isLoopback(address string) bool {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
