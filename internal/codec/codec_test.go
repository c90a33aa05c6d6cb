package codec

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

func genKey(t *testing.T, id string) (line, b64 string) {
	t.Helper()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	b64 = base64.StdEncoding.EncodeToString(raw)
	return id + "=" + b64, b64
}

func ring(t *testing.T, lines ...string) *KeyRing {
	t.Helper()
	r, err := ParseKeyRing("test keys", strings.Join(lines, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type invoice struct {
	Customer string `json:"customer"`
	Number   string `json:"number"`
	Amount   string `json:"amount"`
}

var sample = invoice{Customer: "Acme Widgets Ltd", Number: "INV00001234", Amount: "1234.56"}

func TestCodec_RoundTripThroughDataConverter(t *testing.T) {
	a, _ := genKey(t, "a")
	dc := New(ring(t, a)).DataConverter()
	p, err := dc.ToPayload(sample)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(p.Metadata[converter.MetadataEncoding]); got != MetadataEncoding {
		t.Fatalf("encoding %q, want %q", got, MetadataEncoding)
	}
	if got := string(p.Metadata[MetadataKeyID]); got != "a" {
		t.Fatalf("key id %q, want a", got)
	}
	for _, s := range []string{sample.Customer, sample.Number, sample.Amount, "json/plain"} {
		if bytes.Contains(p.Data, []byte(s)) {
			t.Fatalf("encrypted payload shows %q in plain text", s)
		}
	}
	var back invoice
	if err := dc.FromPayload(p, &back); err != nil {
		t.Fatal(err)
	}
	if back != sample {
		t.Fatalf("round trip: got %+v, want %+v", back, sample)
	}
	// Two encryptions of one value differ (random nonce), so equal amounts are not linkable.
	p2, _ := dc.ToPayload(sample)
	if bytes.Equal(p.Data, p2.Data) {
		t.Fatal("two encryptions of the same value are identical: nonce not random")
	}
}

func TestCodec_RotationOldPayloadsStillDecode(t *testing.T) {
	a, _ := genKey(t, "2026-01")
	b, _ := genKey(t, "2026-11")
	old := New(ring(t, a)).DataConverter()
	written, err := old.ToPayload(sample)
	if err != nil {
		t.Fatal(err)
	}
	// Rotation: the new key first, the old one kept for reading.
	rotated := New(ring(t, b, a)).DataConverter()
	var back invoice
	if err := rotated.FromPayload(written, &back); err != nil {
		t.Fatalf("payload written with the old key after rotation: %v", err)
	}
	if back != sample {
		t.Fatalf("got %+v", back)
	}
	fresh, _ := rotated.ToPayload(sample)
	if got := string(fresh.Metadata[MetadataKeyID]); got != "2026-11" {
		t.Fatalf("after rotation new payloads use key %q, want 2026-11", got)
	}
}

func TestCodec_UnknownKeyIDNamedInError(t *testing.T) {
	a, _ := genKey(t, "retired-key")
	b, _ := genKey(t, "current")
	written, _ := New(ring(t, a)).DataConverter().ToPayload(sample)
	var back invoice
	err := New(ring(t, b)).DataConverter().FromPayload(written, &back)
	if err == nil || !strings.Contains(err.Error(), `"retired-key"`) || !strings.Contains(err.Error(), "current") {
		t.Fatalf("want an error naming the missing key id and the loaded ones, got %v", err)
	}
}

func TestCodec_TamperingDetected(t *testing.T) {
	a, b64 := genKey(t, "a")
	c := New(ring(t, a))
	plain := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"1234.56"`)}
	enc, err := c.Encode([]*commonpb.Payload{plain})
	if err != nil {
		t.Fatal(err)
	}
	flipped := &commonpb.Payload{Metadata: enc[0].Metadata, Data: bytes.Clone(enc[0].Data)}
	flipped.Data[len(flipped.Data)-5] ^= 1
	_, err = c.Decode([]*commonpb.Payload{flipped})
	if err == nil || !strings.Contains(err.Error(), "failed authentication") {
		t.Fatalf("a flipped bit: want an authentication error, got %v", err)
	}
	if strings.Contains(err.Error(), b64) {
		t.Fatal("the error shows the key")
	}
	// Relabelling with another loaded key's id fails too: the id is authenticated.
	other, _ := genKey(t, "b")
	c2 := New(ring(t, a, other))
	relabelled := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte(MetadataEncoding), MetadataKeyID: []byte("b")}, Data: enc[0].Data}
	if _, err := c2.Decode([]*commonpb.Payload{relabelled}); err == nil || !strings.Contains(err.Error(), "failed authentication") {
		t.Fatalf("relabelled key id: want an authentication error, got %v", err)
	}
	truncated := &commonpb.Payload{Metadata: enc[0].Metadata, Data: enc[0].Data[:10]}
	if _, err := c.Decode([]*commonpb.Payload{truncated}); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated: got %v", err)
	}
	noID := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte(MetadataEncoding)}, Data: enc[0].Data}
	if _, err := c.Decode([]*commonpb.Payload{noID}); err == nil || !strings.Contains(err.Error(), MetadataKeyID) {
		t.Fatalf("no key id: got %v", err)
	}
}

func TestCodec_PlainPayloadsPassThroughDecode(t *testing.T) {
	a, _ := genKey(t, "a")
	plain, _ := converter.GetDefaultDataConverter().ToPayload(sample)
	var back invoice
	if err := New(ring(t, a)).DataConverter().FromPayload(plain, &back); err != nil || back != sample {
		t.Fatalf("a payload written before encryption was on: %+v %v", back, err)
	}
}

func TestCodec_FailureMessagesEncrypted(t *testing.T) {
	a, _ := genKey(t, "a")
	c := New(ring(t, a))
	fc := c.FailureConverter()
	f := fc.ErrorToFailure(errorString("customer Acme Widgets Ltd: invoice INV00001234 rejected"))
	if strings.Contains(f.Message, "Acme") || strings.Contains(f.StackTrace, "Acme") {
		t.Fatalf("failure message in plain text: %q", f.Message)
	}
	if f.EncodedAttributes == nil || string(f.EncodedAttributes.Metadata[converter.MetadataEncoding]) != MetadataEncoding {
		t.Fatalf("failure attributes not encrypted: %v", f.EncodedAttributes)
	}
	if err := fc.FailureToError(f); err == nil || !strings.Contains(err.Error(), "INV00001234") {
		t.Fatalf("decoded failure: %v", err)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestKeyRing_WrongKeyLengthRejectedAtLoad(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	_, err := ParseKeyRing("key file k", "a="+short)
	if err == nil || !strings.Contains(err.Error(), "16 bytes") || !strings.Contains(err.Error(), "exactly 32") {
		t.Fatalf("want a clear length error, got %v", err)
	}
	if strings.Contains(err.Error(), short) {
		t.Fatal("the error shows the key")
	}
}

func TestKeyRing_ParseErrorsNeverShowKeyMaterial(t *testing.T) {
	line, b64 := genKey(t, "ok")
	for name, text := range map[string]string{
		"bare key":     b64,
		"bad id":       "bad/id=" + b64,
		"bad base64":   "x=" + b64[:10] + "!!" + b64[12:],
		"duplicate id": line + "\n" + line,
		"empty":        "# only a comment\n\n",
	} {
		_, err := ParseKeyRing("key file k", text)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(err.Error(), b64[:12]) {
			t.Errorf("%s: error shows key material: %v", name, err)
		}
		if !strings.Contains(err.Error(), "key file k") {
			t.Errorf("%s: error does not say where: %v", name, err)
		}
	}
}

func TestKeyRing_FileFormatCommentsOrderAndOneLineForm(t *testing.T) {
	a, _ := genKey(t, "new")
	b, _ := genKey(t, "old")
	path := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(path, []byte("# newest first\n"+a+"\n\n"+b+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.CurrentID() != "new" || strings.Join(r.IDs(), ",") != "new,old" {
		t.Fatalf("current %q ids %v", r.CurrentID(), r.IDs())
	}
	r2, err := ParseKeyRing("env", a+","+b)
	if err != nil || strings.Join(r2.IDs(), ",") != "new,old" {
		t.Fatalf("one-line form: %v %v", r2, err)
	}
	if _, err := LoadKeyFile(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "cannot read key file") {
		t.Fatalf("missing file: %v", err)
	}
}
