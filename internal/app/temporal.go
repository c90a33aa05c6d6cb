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
	"os"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/zuora-netsuite/connector/internal/cli"
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
	return opts, nil
}
