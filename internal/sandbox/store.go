package sandbox

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// Record is one stored object, decoded with UseNumber.
type Record = map[string]any

// table holds the records of one Zuora object or NetSuite record type in
// insertion order, with the secondary indexes queries need.
type table struct {
	name    string // bbolt bucket
	byID    map[string]Record
	seq     map[string]uint64 // id -> insertion sequence (the bbolt key)
	order   []string          // ids in insertion order; deleted ids are skipped via byID
	indexed []string          // fields with an index (exact names as stored)
	idx     map[string]map[string][]string
}

func newTable(name string, indexed ...string) *table {
	t := &table{name: name, byID: map[string]Record{}, seq: map[string]uint64{}, indexed: indexed, idx: map[string]map[string][]string{}}
	for _, f := range indexed {
		t.idx[strings.ToLower(f)] = map[string][]string{}
	}
	return t
}

func (t *table) len() int { return len(t.byID) }

// all returns live records in insertion order.
func (t *table) all() []Record {
	out := make([]Record, 0, len(t.byID))
	for _, id := range t.order {
		if r, ok := t.byID[id]; ok {
			out = append(out, r)
		}
	}
	return out
}

// lookup returns the records whose field has one of values, in value order.
// ok is false when the field has no index.
func (t *table) lookup(field string, values []string) ([]Record, bool) {
	f := strings.ToLower(field)
	var ix map[string][]string
	if f != "id" {
		var ok bool
		if ix, ok = t.idx[f]; !ok {
			return nil, false
		}
	}
	// A record has one value per field and an index list holds an id once
	// (put unindexes first), so distinct values give distinct records: only
	// the values need de-duplicating, not the (up to 100,000) ids.
	seen := make(map[string]bool, len(values))
	var out []Record
	for _, v := range values {
		if seen[v] {
			continue
		}
		seen[v] = true
		if ix == nil {
			if r, ok := t.byID[v]; ok {
				out = append(out, r)
			}
			continue
		}
		ids := ix[v]
		if out == nil {
			out = make([]Record, 0, len(ids))
		}
		for _, id := range ids {
			if r, ok := t.byID[id]; ok {
				out = append(out, r)
			}
		}
	}
	return out, true
}

func (t *table) index(id string, r Record) {
	for _, f := range t.indexed {
		if v, ok := r[f]; ok && v != nil {
			k := fmt.Sprint(v)
			t.idx[strings.ToLower(f)][k] = append(t.idx[strings.ToLower(f)][k], id)
		}
	}
}

func (t *table) unindex(id string, r Record) {
	for _, f := range t.indexed {
		if v, ok := r[f]; ok && v != nil {
			k := fmt.Sprint(v)
			m := t.idx[strings.ToLower(f)]
			ids := m[k]
			for i, x := range ids {
				if x == id {
					m[k] = append(ids[:i:i], ids[i+1:]...)
					break
				}
			}
			if len(m[k]) == 0 {
				delete(m, k)
			}
		}
	}
}

// put inserts or replaces a record (in memory) and returns its change for
// the data file; seq is the stored key when loading, 0 to allocate one.
func (t *table) put(id string, r Record, d *db, seq uint64) change {
	if old, ok := t.byID[id]; ok {
		t.unindex(id, old)
	} else {
		if seq == 0 {
			seq = d.next()
		}
		t.seq[id] = seq
		t.order = append(t.order, id)
	}
	t.byID[id] = r
	t.index(id, r)
	return change{bucket: t.name, seq: t.seq[id], rec: r}
}

func (t *table) remove(id string) (change, bool) {
	r, ok := t.byID[id]
	if !ok {
		return change{}, false
	}
	t.unindex(id, r)
	delete(t.byID, id)
	s := t.seq[id]
	delete(t.seq, id)
	for i, x := range t.order {
		if x == id {
			t.order = append(t.order[:i:i], t.order[i+1:]...)
			break
		}
	}
	return change{bucket: t.name, seq: s}, true
}

// db is the bbolt file behind one API's tables. Memory is the working copy;
// every change is written through, so a killed sandbox loses nothing (NoSync:
// a machine crash may, which a test double can afford). In memory
// (Config.InMemory) bolt is nil and nothing is written.
type db struct {
	bolt *bbolt.DB
	seq  uint64
}

var metaBucket = []byte("_meta")

func openDB(cfg Config, file string) (*db, error) {
	if cfg.InMemory {
		return &db{}, nil // bolt nil: nothing is written or read
	}
	dir := cfg.DataDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, file)
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 2 * time.Second, NoSync: true, NoFreelistSync: true})
	if err != nil {
		return nil, fmt.Errorf("opening %s (is another sandbox using this data dir?): %w", path, err)
	}
	d := &db{bolt: b}
	err = b.Update(func(tx *bbolt.Tx) error {
		m, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		if v := m.Get([]byte("seq")); len(v) == 8 {
			d.seq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return d, err
}

func (d *db) next() uint64 { d.seq++; return d.seq }

func seqKey(s uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, s)
	return k
}

// write persists puts and deletes in one transaction.
type change struct {
	bucket string
	seq    uint64
	rec    Record // nil = delete
}

func (d *db) write(changes ...change) error {
	if d.bolt == nil {
		return nil
	}
	return d.bolt.Update(func(tx *bbolt.Tx) error {
		for _, c := range changes {
			b, err := tx.CreateBucketIfNotExists([]byte(c.bucket))
			if err != nil {
				return err
			}
			if c.rec == nil {
				if err := b.Delete(seqKey(c.seq)); err != nil {
					return err
				}
				continue
			}
			v, err := json.Marshal(c.rec)
			if err != nil {
				return fmt.Errorf("encoding a %s record: %w", c.bucket, err)
			}
			if err := b.Put(seqKey(c.seq), v); err != nil {
				return err
			}
		}
		return tx.Bucket(metaBucket).Put([]byte("seq"), seqKey(d.seq))
	})
}

// reset drops every bucket (a fixture load replaces all state).
func (d *db) reset() error {
	if d.bolt == nil {
		return nil
	}
	return d.bolt.Update(func(tx *bbolt.Tx) error {
		var names [][]byte
		_ = tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
			if !bytes.Equal(name, metaBucket) {
				names = append(names, append([]byte(nil), name...))
			}
			return nil
		})
		for _, n := range names {
			if err := tx.DeleteBucket(n); err != nil {
				return err
			}
		}
		return nil
	})
}

// load reads every bucket: name -> records in key (insertion) order.
func (d *db) load(fn func(bucket string, seq uint64, r Record) error) error {
	if d.bolt == nil {
		return nil
	}
	return d.bolt.View(func(tx *bbolt.Tx) error {
		var names []string
		_ = tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
			if !bytes.Equal(name, metaBucket) {
				names = append(names, string(name))
			}
			return nil
		})
		sort.Strings(names)
		for _, n := range names {
			err := tx.Bucket([]byte(n)).ForEach(func(k, v []byte) error {
				dec := json.NewDecoder(bytes.NewReader(v))
				dec.UseNumber()
				var r Record
				if err := dec.Decode(&r); err != nil {
					return fmt.Errorf("data file: bucket %s key %x: %w", n, k, err)
				}
				return fn(n, binary.BigEndian.Uint64(k), r)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (d *db) close() error {
	if d.bolt == nil {
		return nil
	}
	return d.bolt.Close()
}
