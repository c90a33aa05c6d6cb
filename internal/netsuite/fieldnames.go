package netsuite

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
)

// The connector's custom fields have the default ids of model.go's struct
// tags; an account whose install named them otherwise maps them with
// WithFieldNames (settings netsuite.fields). The client then renames them on
// the wire: JSON keys of request bodies and SuiteQL text on the way out,
// JSON keys of answers (records and SuiteQL rows) on the way back, so the
// rest of the connector reads and writes the default names.

type fieldNamesKey struct{}

// WithFieldNames makes the calls made with ctx use these custom field ids
// (default id -> the account's id). An empty map changes nothing.
func WithFieldNames(ctx context.Context, renames map[string]string) context.Context {
	if len(renames) == 0 {
		return ctx
	}
	return context.WithValue(ctx, fieldNamesKey{}, renames)
}

func fieldNames(ctx context.Context) map[string]string {
	m, _ := ctx.Value(fieldNamesKey{}).(map[string]string)
	return m
}

// renameKeys rewrites the object keys of a JSON document by m, at any depth.
func renameKeys(data []byte, m map[string]string) ([]byte, error) {
	if len(m) == 0 {
		return data, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(renameValue(v, m))
}

func renameValue(v any, m map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if to, ok := m[k]; ok {
				k = to
			}
			out[k] = renameValue(val, m)
		}
		return out
	case []any:
		for i := range x {
			x[i] = renameValue(x[i], m)
		}
	}
	return v
}

// inverse maps the account's ids back to the defaults, also lower-cased
// (SuiteQL answers column names in lower case).
func inverse(m map[string]string) map[string]string {
	out := make(map[string]string, 2*len(m))
	for from, to := range m {
		out[to] = from
		out[strings.ToLower(to)] = from
	}
	return out
}

// renameQuery rewrites whole-word default field ids in SuiteQL text.
func renameQuery(q string, m map[string]string) string {
	for from, to := range m {
		q = regexp.MustCompile(`(?i)\b`+regexp.QuoteMeta(from)+`\b`).ReplaceAllString(q, to)
	}
	return q
}
