package zuora

import (
	"context"
	"regexp"
	"strings"
)

// The connector's own custom fields have default names (FieldDoNotSync,
// FieldMigrationWriteOff: the struct tags); a tenant may have made them under
// other names (settings zuoraFields). WithFieldNames scopes the tenant's names
// to the calls under ctx: ZOQL text and write bodies name the tenant's field,
// and query records come back under the default name, so the model types
// decode them whatever the tenant called them.

type fieldNamesCtx struct{}

// WithFieldNames maps default custom field names to the tenant's for the
// calls under ctx (identical names are dropped).
func WithFieldNames(ctx context.Context, names map[string]string) context.Context {
	m := map[string]string{}
	for def, tenant := range names {
		if tenant != "" && tenant != def {
			m[def] = tenant
		}
	}
	if len(m) == 0 {
		return ctx
	}
	return context.WithValue(ctx, fieldNamesCtx{}, m)
}

func fieldNames(ctx context.Context) map[string]string {
	m, _ := ctx.Value(fieldNamesCtx{}).(map[string]string)
	return m
}

// tenantZOQL names the tenant's fields in a query.
func tenantZOQL(ctx context.Context, zoql string) string {
	for def, tenant := range fieldNames(ctx) {
		zoql = regexp.MustCompile(`\b`+regexp.QuoteMeta(def)+`\b`).ReplaceAllLiteralString(zoql, tenant)
	}
	return zoql
}

// defaultNames renames a record's tenant field names back to the defaults.
func defaultNames(ctx context.Context, rec map[string]any) {
	for def, tenant := range fieldNames(ctx) {
		for k, v := range rec {
			if strings.EqualFold(k, tenant) {
				delete(rec, k)
				rec[def] = v
			}
		}
	}
}

// tenantBody renames a write body's default names to the tenant's.
func tenantBody(ctx context.Context, fields map[string]any) map[string]any {
	names := fieldNames(ctx)
	if len(names) == 0 {
		return fields
	}
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		if t, ok := names[k]; ok {
			k = t
		}
		out[k] = v
	}
	return out
}
