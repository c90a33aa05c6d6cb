package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

type testPKI struct {
	dir                   string
	caFile                string
	serverCert            tls.Certificate
	clientCert, clientKey string
	caPool                *x509.CertPool
}

// newPKI makes a CA and a server and a client certificate it signs, as a
// Temporal Cloud namespace's CA and its client certificates.
func newPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	p := &testPKI{dir: dir, caFile: filepath.Join(dir, "ca.pem"), caPool: x509.NewCertPool()}
	p.caPool.AddCert(ca)
	writePEM(t, p.caFile, "CERTIFICATE", caDER)

	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, k
	}
	sDER, sKey := leaf(2, "temporal test server", x509.ExtKeyUsageServerAuth)
	p.serverCert = tls.Certificate{Certificate: [][]byte{sDER}, PrivateKey: sKey}
	cDER, cKey := leaf(3, "connector-worker", x509.ExtKeyUsageClientAuth)
	p.clientCert, p.clientKey = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	writePEM(t, p.clientCert, "CERTIFICATE", cDER)
	kDER, _ := x509.MarshalECPrivateKey(cKey)
	writePEM(t, p.clientKey, "EC PRIVATE KEY", kDER)
	return p
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestClientOptions_MTLSConfigFromCertAndKeyFiles(t *testing.T) {
	p := newPKI(t)
	c := TemporalConfig{Address: "ns.acct.tmprl.cloud:7233", Namespace: "ns.acct", TLSCert: p.clientCert, TLSKey: p.clientKey,
		TLSCA: p.caFile, TLSServer: "ns.acct.tmprl.cloud", Encryption: EncryptionConfig{Mode: EncryptionOff}}
	opts, err := c.ClientOptions(nil)
	if err != nil {
		t.Fatal(err)
	}
	tc := opts.ConnectionOptions.TLS
	if tc == nil || len(tc.Certificates) != 1 || tc.RootCAs == nil || tc.ServerName != "ns.acct.tmprl.cloud" || tc.MinVersion != tls.VersionTLS12 {
		t.Fatalf("TLS config: %+v", tc)
	}
	leaf, err := x509.ParseCertificate(tc.Certificates[0].Certificate[0])
	if err != nil || leaf.Subject.CommonName != "connector-worker" {
		t.Fatalf("client certificate: %v %v", leaf, err)
	}
	if opts.HostPort != c.Address || opts.Namespace != "ns.acct" || opts.Credentials != nil {
		t.Fatalf("options: %+v", opts)
	}
}

// End to end on loopback: a gRPC server that requires a client certificate
// from the CA sees the connector's certificate and its API key as a bearer token.
func TestClientOptions_MTLSAndAPIKeyReachTheServer(t *testing.T) {
	p := newPKI(t)
	var (
		mu       sync.Mutex
		clientCN string
		auth     []string
	)
	srv := grpc.NewServer(
		grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{p.serverCert}, ClientCAs: p.caPool, ClientAuth: tls.RequireAndVerifyClientCert})),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			mu.Lock()
			defer mu.Unlock()
			md, _ := metadata.FromIncomingContext(stream.Context())
			auth = append(auth, md.Get("authorization")...)
			if pr, ok := peer.FromContext(stream.Context()); ok {
				if ti, ok := pr.AuthInfo.(credentials.TLSInfo); ok && len(ti.State.PeerCertificates) > 0 {
					clientCN = ti.State.PeerCertificates[0].Subject.CommonName
				}
			}
			return status.Error(codes.Unavailable, "test server answers nothing")
		}),
	)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()

	keyFile := filepath.Join(p.dir, "api-key")
	_ = os.WriteFile(keyFile, []byte("test-api-key-123\n"), 0o600)
	c := TemporalConfig{Address: ln.Addr().String(), Namespace: "ns.acct", TLSCert: p.clientCert, TLSKey: p.clientKey,
		TLSCA: p.caFile, APIKeyFile: keyFile}
	opts, err := c.ClientOptions(nil)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Credentials == nil {
		t.Fatal("no credentials for the API key")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if tc, err := client.DialContext(ctx, opts); err == nil {
		tc.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if clientCN != "connector-worker" {
		t.Errorf("server saw client certificate %q, want connector-worker", clientCN)
	}
	if len(auth) == 0 || auth[0] != "Bearer test-api-key-123" {
		t.Errorf("server saw authorization %q, want the API key as a bearer token", auth)
	}
}

func TestClientOptions_APIKeyAloneTurnsOnTLS(t *testing.T) {
	c := TemporalConfig{Address: "ns.acct.tmprl.cloud:7233", Namespace: "ns.acct", APIKey: "k", Encryption: EncryptionConfig{Mode: EncryptionOff}}
	opts, err := c.ClientOptions(nil)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Credentials == nil || opts.ConnectionOptions.TLS == nil || len(opts.ConnectionOptions.TLS.Certificates) != 0 {
		t.Fatalf("API key: credentials %v, TLS %+v", opts.Credentials, opts.ConnectionOptions.TLS)
	}
}

func TestClientOptions_BadPathsGiveClearErrors(t *testing.T) {
	p := newPKI(t)
	notPEM := filepath.Join(p.dir, "not.pem")
	_ = os.WriteFile(notPEM, []byte("hello"), 0o600)
	base := TemporalConfig{Address: "ns.acct.tmprl.cloud:7233", Namespace: "ns.acct", Encryption: EncryptionConfig{Mode: EncryptionOff}}
	for name, tc := range map[string]struct {
		mod  func(*TemporalConfig)
		want []string
	}{
		"cert without key": {func(c *TemporalConfig) { c.TLSCert = p.clientCert }, []string{"--tls-cert and --tls-key go together"}},
		"missing cert":     {func(c *TemporalConfig) { c.TLSCert, c.TLSKey = "/nonexistent/c.pem", p.clientKey }, []string{"--tls-cert/--tls-key", "/nonexistent/c.pem"}},
		"key not a key":    {func(c *TemporalConfig) { c.TLSCert, c.TLSKey = p.clientCert, notPEM }, []string{"--tls-cert/--tls-key"}},
		"missing CA":       {func(c *TemporalConfig) { c.TLSCA = "/nonexistent/ca.pem" }, []string{"--tls-ca", "/nonexistent/ca.pem"}},
		"CA not PEM":       {func(c *TemporalConfig) { c.TLSCA = notPEM }, []string{"--tls-ca", "no PEM certificate"}},
		"missing API key":  {func(c *TemporalConfig) { c.APIKeyFile = "/nonexistent/key" }, []string{"--api-key-file", "/nonexistent/key"}},
		"no address":       {func(c *TemporalConfig) { c.Address = "" }, []string{"--temporal-address"}},
	} {
		c := base
		tc.mod(&c)
		err := c.Check()
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", name, err, w)
			}
		}
	}
}

func writeKeys(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEncryption_ModesAndDefaults(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	good := writeKeys(t, "k1="+key+"\n")
	cases := []struct {
		name    string
		addr    string
		enc     EncryptionConfig
		wantOn  bool
		wantErr string
	}{
		{"auto, local dev server, no keys: plain", "127.0.0.1:7233", EncryptionConfig{Mode: EncryptionAuto}, false, ""},
		{"auto, localhost: plain", "localhost:7233", EncryptionConfig{Mode: EncryptionAuto}, false, ""},
		{"auto, remote, no keys: refused", "temporal.prod:7233", EncryptionConfig{Mode: EncryptionAuto}, false, "--encryption=off"},
		{"auto, remote, keys: on", "ns.acct.tmprl.cloud:7233", EncryptionConfig{Mode: EncryptionAuto, KeyFile: good}, true, ""},
		{"auto, local, keys: on", "127.0.0.1:7233", EncryptionConfig{Mode: EncryptionAuto, KeyFile: good}, true, ""},
		{"on without keys: refused", "127.0.0.1:7233", EncryptionConfig{Mode: EncryptionOn}, false, "--encryption=on: no encryption keys"},
		{"off, remote: plain", "temporal.prod:7233", EncryptionConfig{Mode: EncryptionOff}, false, ""},
		{"keys from the variable", "temporal.prod:7233", EncryptionConfig{Mode: EncryptionOn, Keys: "k1=" + key}, true, ""},
		{"file and variable both", "temporal.prod:7233", EncryptionConfig{Mode: EncryptionOn, Keys: "k1=" + key, KeyFile: good}, false, "give one, not both"},
		{"bad mode", "127.0.0.1:7233", EncryptionConfig{Mode: "yes"}, false, `--encryption "yes"`},
		{"missing key file", "127.0.0.1:7233", EncryptionConfig{KeyFile: "/nonexistent/keys"}, false, "--encryption-key-file: cannot read key file"},
	}
	for _, tc := range cases {
		c := TemporalConfig{Address: tc.addr, Namespace: "default", Encryption: tc.enc}
		opts, err := c.ClientOptions(nil)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			} else if strings.Contains(err.Error(), key) {
				t.Errorf("%s: error shows the key", tc.name)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case (opts.DataConverter != nil) != tc.wantOn || (opts.FailureConverter != nil) != tc.wantOn:
			t.Errorf("%s: data converter set %v, failure converter set %v, want %v", tc.name, opts.DataConverter != nil, opts.FailureConverter != nil, tc.wantOn)
		}
	}
	on := EncryptionConfig{KeyFile: good}
	if d := on.Describe("x:1"); d != "on (current key k1, 1 keys)" {
		t.Errorf("Describe: %q", d)
	}
}

func TestEncryption_WrongKeyLengthRejectedAtLoad(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 24))
	c := TemporalConfig{Address: "127.0.0.1:7233", Namespace: "default", Encryption: EncryptionConfig{KeyFile: writeKeys(t, "old="+short+"\n")}}
	err := c.Check()
	if err == nil || !strings.Contains(err.Error(), `key "old" is 24 bytes; AES-256 needs exactly 32`) || strings.Contains(err.Error(), short) {
		t.Fatalf("want a clear length error without the key, got %v", err)
	}
}
