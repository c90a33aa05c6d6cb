// Package query parses and evaluates the two query languages the sandbox
// answers: Zuora's ZOQL (POST /v1/action/query) and NetSuite's SuiteQL
// (POST /services/rest/query/v1/suiteql), over schemaless records.
//
// Both parse into the same Select tree; the emulators keep records as
// map[string]any (JSON-decoded, numbers as json.Number) and ask a Select
// whether a record matches, how to order matches, and which columns to return.
package query

// Record is one stored object: field name -> JSON value (string, json.Number,
// bool, nil, map[string]any for references such as {"id":"12"}).
type Record = map[string]any

// Select is a parsed query.
type Select struct {
	Columns []Column // empty never: "select *" is rejected by both languages
	From    string   // object/table name as written (case preserved)
	Where   Expr     // nil = every record
	OrderBy []Order

	lang  string // "ZOQL" or "SuiteQL"
	count bool   // SuiteQL aggregate select: every column COUNT(*) or COUNT(DISTINCT col)
}

// Column is one selected column; Name may be a dotted path (SuiteQL "entity.id" is not supported, plain fields only).
type Column struct {
	Name  string // field as written
	Alias string // SuiteQL "AS alias"; empty = Name
	// Distinct is the column of a SuiteQL COUNT(DISTINCT col) (Name is then
	// "count(distinct col)"); empty for COUNT(*) and plain columns.
	Distinct string
}

// Order is one ORDER BY key.
type Order struct {
	Field string
	Desc  bool
}

// Expr is a WHERE condition.
type Expr interface {
	// Eval reports whether the record satisfies the condition. Field names are
	// matched case-insensitively (both services are case-insensitive on field names).
	Eval(r Record) (bool, error)
	String() string
}
