// Package codec encrypts workflow payloads with AES-256-GCM before they reach
// Temporal, so histories (inputs, results, heartbeats, failure texts) hold no
// customer names, amounts or numbers in plain text.
//
// Every encrypted payload names the key that sealed it ("encryption-key-id"),
// so a key ring with the new key first and the old ones after it keeps every
// history readable across a rotation.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

const (
	// MetadataEncoding is the payload encoding of an encrypted payload.
	MetadataEncoding = "binary/encrypted"
	// MetadataKeyID names the key that encrypted the payload.
	MetadataKeyID = "encryption-key-id"
)

// Codec is a converter.PayloadCodec: Encode seals each payload (its metadata
// and data) with the ring's current key; Decode opens it with the key its
// metadata names. Payloads that are not encrypted pass through Decode, so
// histories written before encryption was turned on stay readable.
type Codec struct {
	ring *KeyRing
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New returns a codec over ring.
func New(ring *KeyRing) *Codec { return &Codec{ring: ring} }

// DataConverter is the SDK's default JSON converter with this codec under it:
// what the worker, the starter and the codec server must share.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter moves failure messages and stack traces into encoded
// attributes; without it an error text (which can name a customer) would sit
// in history in plain text next to the encrypted payloads.
func (c *Codec) FailureConverter() converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          c.DataConverter(),
		EncodeCommonAttributes: true,
	})
}

// Encode implements converter.PayloadCodec.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	k := c.ring.current()
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encrypting payload: %w", err)
		}
		nonce := make([]byte, k.aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("encrypting payload: no randomness for the nonce: %w", err)
		}
		// The key id is additional data: a payload relabelled with another id fails to open.
		sealed := k.aead.Seal(nonce, nonce, plain, []byte(k.id))
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(MetadataEncoding),
				MetadataKeyID:              []byte(k.id),
			},
			Data: sealed,
		}
	}
	return out, nil
}

// Decode implements converter.PayloadCodec.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != MetadataEncoding {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		if id == "" {
			return nil, errors.New("encrypted payload has no " + MetadataKeyID + " metadata: it was not written by this connector's codec")
		}
		k, ok := c.ring.byID[id]
		if !ok {
			return nil, fmt.Errorf("payload was encrypted with key id %q, which is not in the loaded keys (%s): add that key to the key file to read it", id, c.ring.idList())
		}
		ns := k.aead.NonceSize()
		if len(p.Data) < ns+k.aead.Overhead() {
			return nil, fmt.Errorf("encrypted payload (key id %q) is truncated: %d bytes", id, len(p.Data))
		}
		plain, err := k.aead.Open(nil, p.Data[:ns], p.Data[ns:], []byte(id))
		if err != nil {
			return nil, fmt.Errorf("encrypted payload (key id %q) failed authentication: it was altered, or key %q is not the key that encrypted it", id, id)
		}
		var dec commonpb.Payload
		if err := proto.Unmarshal(plain, &dec); err != nil {
			return nil, fmt.Errorf("decrypted payload (key id %q) is not a payload: %w", id, err)
		}
		out[i] = &dec
	}
	return out, nil
}

type key struct {
	id   string
	aead cipher.AEAD
}

func newKey(id string, raw []byte) (*key, error) {
	if len(raw) != 32 {
		return nil, fmt.Errorf("key %q is %d bytes; AES-256 needs exactly 32 (generate one with: head -c 32 /dev/urandom | base64)", id, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", id, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", id, err)
	}
	return &key{id: id, aead: aead}, nil
}
