package codec

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// KeyRing is the set of keys the codec knows: the first is the current one,
// which encrypts; every one decrypts the payloads that name it.
//
// Text form (a key file, or the CONNECTOR_ENCRYPTION_KEYS variable):
//
//	# newest first: this key encrypts, the others only decrypt
//	2026-11=q3J0...base64 of 32 random bytes...=
//	2026-01=Zm9v...=
//
// One "id=base64key" per line (commas or spaces also separate entries, for an
// environment variable on one line); '#' starts a comment line. Ids are 1-64
// of [A-Za-z0-9._-]. Rotation: put the new key first and keep the old ones
// for as long as histories they encrypted are kept.
type KeyRing struct {
	keys []*key
	byID map[string]*key
}

var keyID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ParseKeyRing reads the text form. source names where the text came from in
// errors; errors never contain key material.
func ParseKeyRing(source, text string) (*KeyRing, error) {
	r := &KeyRing{byID: map[string]*key{}}
	var errs []error
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, entry := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			id, b64, ok := strings.Cut(entry, "=")
			if !ok || !keyID.MatchString(id) {
				errs = append(errs, fmt.Errorf("%s line %d: want id=base64key with an id of 1-64 letters, digits, '.', '_' or '-'", source, n+1))
				continue
			}
			if b64 == "" {
				// Most likely a bare base64 key whose padding '=' was taken for
				// the separator: say so without echoing the "id", which is the key.
				errs = append(errs, fmt.Errorf("%s line %d: nothing after '=': want id=base64key (a bare key needs an id in front)", source, n+1))
				continue
			}
			raw, err := decodeBase64(b64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s line %d: key %q is not valid base64", source, n+1, id))
				continue
			}
			k, err := newKey(id, raw)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s line %d: %w", source, n+1, err))
				continue
			}
			if _, dup := r.byID[id]; dup {
				errs = append(errs, fmt.Errorf("%s line %d: key id %q appears twice", source, n+1, id))
				continue
			}
			r.keys = append(r.keys, k)
			r.byID[id] = k
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(r.keys) == 0 {
		return nil, fmt.Errorf("%s holds no key: want lines id=base64key (32 bytes each; head -c 32 /dev/urandom | base64)", source)
	}
	return r, nil
}

// LoadKeyFile reads a key file in the text form.
func LoadKeyFile(path string) (*KeyRing, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read key file: %w", err)
	}
	return ParseKeyRing("key file "+path, string(b))
}

// CurrentID is the id of the key that encrypts.
func (r *KeyRing) CurrentID() string { return r.keys[0].id }

// IDs lists the key ids, current first.
func (r *KeyRing) IDs() []string {
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = k.id
	}
	return ids
}

func (r *KeyRing) current() *key { return r.keys[0] }

func (r *KeyRing) idList() string { return "ids " + strings.Join(r.IDs(), ", ") }

func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}
