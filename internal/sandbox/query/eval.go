package query

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

type valueKind int

const (
	vNull valueKind = iota
	vString
	vNumber
	vBool
)

// value is a literal from the query text.
type value struct {
	kind valueKind
	s    string          // string contents, number text as written, "true"/"false"/"null"
	d    decimal.Decimal // vNumber only
	b    bool            // vBool only
}

// render writes the literal back as the language reads it. ZOQL's lexer
// treats backslash as an escape, so a literal backslash must be doubled.
func (v value) render(lang string) string {
	if v.kind != vString {
		return v.s
	}
	s := v.s
	if lang == "ZOQL" {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// lookup finds a field case-insensitively; absent = nil. The exact key is
// tried first because queries usually spell fields as the records do.
func lookup(r Record, name, lower string) (string, any) {
	if v, ok := r[name]; ok {
		return name, v
	}
	for k, v := range r {
		if len(k) == len(lower) && strings.EqualFold(k, lower) {
			return k, v
		}
	}
	return "", nil
}

// scalar turns a stored value into a comparable one: references become their id.
func scalar(v any) any {
	if m, ok := v.(map[string]any); ok {
		return m["id"]
	}
	return v
}

// numeric reports whether v is stored as a JSON number (as opposed to text).
func numeric(v any) bool {
	switch v.(type) {
	case json.Number, float64, int, int64:
		return true
	}
	return false
}

// asDecimal reads numbers and numeric strings.
func asDecimal(v any) (decimal.Decimal, bool) {
	switch x := v.(type) {
	case json.Number:
		d, err := decimal.NewFromString(string(x))
		return d, err == nil
	case string:
		if x == "" || !(isDigit(x[0]) || x[0] == '-' || x[0] == '.') {
			return decimal.Decimal{}, false
		}
		d, err := decimal.NewFromString(x)
		return d, err == nil
	case float64:
		return decimal.NewFromFloat(x), true
	case int:
		return decimal.NewFromInt(int64(x)), true
	case int64:
		return decimal.NewFromInt(x), true
	}
	return decimal.Decimal{}, false
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(v)
}

// numKey is a decimal's identity in a set: "1.50" and "1.5" are the same number.
func numKey(d decimal.Decimal) string { return d.String() }

// compare returns -1/0/1 and ok=false when the two can't be compared.
// Numbers compare as decimals when both sides are numeric; everything else
// (dates, datetimes, ids) compares as strings.
func compare(rec any, lit value) (int, bool) {
	switch lit.kind {
	case vNull:
		return 0, false
	case vNumber:
		if d, ok := asDecimal(rec); ok {
			return d.Cmp(lit.d), true
		}
		return strings.Compare(asString(rec), lit.s), true
	case vBool:
		var b bool
		switch x := rec.(type) {
		case bool:
			b = x
		case string:
			// NetSuite stores checkboxes as "T"/"F".
			switch strings.ToLower(x) {
			case "true", "t":
				b = true
			case "false", "f":
			default:
				return 0, false
			}
		default:
			return 0, false
		}
		switch {
		case b == lit.b:
			return 0, true
		case b:
			return 1, true
		}
		return -1, true
	default:
		if numeric(rec) {
			if d, err := decimal.NewFromString(lit.s); err == nil {
				if rd, ok := asDecimal(rec); ok {
					return rd.Cmp(d), true
				}
			}
		}
		return strings.Compare(asString(rec), lit.s), true
	}
}

// inSet is an IN list prepared at parse time so membership is O(1) however
// long the list is; it gives the same answers as comparing with each literal.
type inSet struct {
	str    map[string]struct{} // string literals, exact
	num    map[string]struct{} // number literals, by numKey
	strNum map[string]struct{} // string literals that read as numbers, by numKey (matched against numeric fields)
	bools  []value             // true/false literals (at most two that matter)
}

func newInSet(list []value) *inSet {
	s := &inSet{str: map[string]struct{}{}, num: map[string]struct{}{}, strNum: map[string]struct{}{}}
	for _, v := range list {
		switch v.kind {
		case vString:
			s.str[v.s] = struct{}{}
			if d, err := decimal.NewFromString(v.s); err == nil {
				s.strNum[numKey(d)] = struct{}{}
			}
		case vNumber:
			s.num[numKey(v.d)] = struct{}{}
		case vBool:
			s.bools = append(s.bools, v)
		}
		// null never equals anything (SQL), so it is left out.
	}
	return s
}

func (s *inSet) has(v any) bool {
	if numeric(v) {
		if d, ok := asDecimal(v); ok {
			k := numKey(d)
			if _, hit := s.num[k]; hit {
				return true
			}
			if _, hit := s.strNum[k]; hit {
				return true
			}
		} else if _, hit := s.str[asString(v)]; hit {
			return true
		}
	} else {
		if _, hit := s.str[asString(v)]; hit {
			return true
		}
		if len(s.num) > 0 {
			if d, ok := asDecimal(v); ok {
				if _, hit := s.num[numKey(d)]; hit {
					return true
				}
			}
		}
	}
	for _, b := range s.bools {
		if n, ok := compare(v, b); ok && n == 0 {
			return true
		}
	}
	return false
}

// cond is one comparison: field op literal, field IN (...), field IS [NOT] NULL.
type cond struct {
	field, lower string
	lang         string
	op           string // = != < <= > >= like in "is null" "is not null"
	val          value
	list         []value // IN literals as written (for String and Candidates)
	set          *inSet
}

func (c *cond) Eval(r Record) (bool, error) {
	_, raw := lookup(r, c.field, c.lower)
	v := scalar(raw)
	switch c.op {
	case "is null":
		return v == nil, nil
	case "is not null":
		return v != nil, nil
	}
	if c.val.kind == vNull && c.op != "in" {
		// ZOQL writes null tests as "= null" / "!= null" (Zuora's documented
		// form); in SuiteQL, as in SQL, a comparison with null is never true:
		// use IS NULL.
		if c.lang == "ZOQL" && (c.op == "=" || c.op == "!=") {
			return (v == nil) == (c.op == "="), nil
		}
		return false, nil
	}
	if v == nil {
		return false, nil
	}
	switch c.op {
	case "in":
		return c.set.has(v), nil
	case "like":
		return like(asString(v), c.val.s), nil
	}
	n, ok := compare(v, c.val)
	if !ok {
		return false, nil
	}
	switch c.op {
	case "=":
		return n == 0, nil
	case "!=":
		return n != 0, nil
	case "<":
		return n < 0, nil
	case "<=":
		return n <= 0, nil
	case ">":
		return n > 0, nil
	case ">=":
		return n >= 0, nil
	}
	return false, fmt.Errorf("%s: field %s: unknown operator %q", c.lang, c.field, c.op)
}

func (c *cond) String() string {
	switch c.op {
	case "is null", "is not null":
		return c.field + " " + c.op
	case "in":
		parts := make([]string, len(c.list))
		for i, v := range c.list {
			parts[i] = v.render(c.lang)
		}
		return c.field + " in (" + strings.Join(parts, ", ") + ")"
	}
	return c.field + " " + c.op + " " + c.val.render(c.lang)
}

// like matches SQL LIKE patterns (% any run, _ one character) in
// O(len(s)*len(pattern)) worst case: on a mismatch it only retries from the
// last %, which is enough because a later % can absorb anything an earlier
// one could.
func like(s, pattern string) bool {
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(pattern) {
			switch pc := pattern[pi]; pc {
			case '%':
				starP, starS = pi, si
				pi++
				continue
			case '_':
				_, n := utf8.DecodeRuneInString(s[si:])
				si += n
				pi++
				continue
			default:
				if s[si] == pc {
					si++
					pi++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last % swallow one more character and retry.
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		si, pi = starS, starP+1
	}
	for pi < len(pattern) && pattern[pi] == '%' {
		pi++
	}
	return pi == len(pattern)
}

type binary struct {
	op   string // and | or
	l, r Expr
}

func (b *binary) Eval(r Record) (bool, error) {
	l, err := b.l.Eval(r)
	if err != nil {
		return false, err
	}
	if b.op == "and" && !l || b.op == "or" && l {
		return l, nil
	}
	return b.r.Eval(r)
}

// String adds parentheses only where precedence needs them, so rendering
// never nests deeper than the query as written (the parser bounds nesting).
func (b *binary) String() string {
	return b.side(b.l) + " " + b.op + " " + b.side(b.r)
}

func (b *binary) side(e Expr) string {
	// An OR under an AND must keep its parentheses; the right operand of
	// the same operator came from parentheses too (the parser builds left-deep
	// trees), and keeping them preserves the tree exactly.
	if c, ok := e.(*binary); ok && (b.op == "and" && c.op == "or" || e == b.r && c.op == b.op) {
		return "(" + c.String() + ")"
	}
	return e.String()
}

type notExpr struct{ e Expr }

func (n *notExpr) Eval(r Record) (bool, error) {
	v, err := n.e.Eval(r)
	return !v, err
}

func (n *notExpr) String() string {
	if _, ok := n.e.(*binary); ok {
		return "not (" + n.e.String() + ")"
	}
	return "not " + n.e.String()
}

// Match reports whether the record satisfies the WHERE clause (no WHERE: true).
func (s *Select) Match(r Record) (bool, error) {
	if s.Where == nil {
		return true, nil
	}
	return s.Where.Eval(r)
}

// IsCount reports a SuiteQL aggregate query (COUNT(*), COUNT(DISTINCT col)):
// the emulator answers one row of counts instead of projecting records.
func (s *Select) IsCount() bool { return s.count }

// Project keeps the selected columns. ZOQL keys them as the record does
// (its canonical field names); SuiteQL lower-cases them (or uses the alias)
// and shows references as their id. Null fields are omitted, as both do.
func (s *Select) Project(r Record) Record {
	out := make(Record, len(s.Columns))
	s.EachProjected(r, func(key string, v any) { out[key] = v })
	return out
}

// EachProjected calls f with each column Project would return, in column
// order, without building the map.
func (s *Select) EachProjected(r Record, f func(key string, v any)) {
	for _, c := range s.Columns {
		k, v := lookup(r, c.Name, strings.ToLower(c.Name))
		if v == nil {
			continue
		}
		if s.lang == "SuiteQL" {
			name := c.Alias
			if name == "" {
				name = c.Name
			}
			v = scalar(v)
			if v == nil {
				continue
			}
			f(strings.ToLower(name), v)
			continue
		}
		f(k, v)
	}
}

// sortKey is one ORDER BY value, read once per record rather than once per
// comparison (sorting 100,000 lines would otherwise re-parse decimals millions of times).
type sortKey struct {
	null, num bool
	d         decimal.Decimal
	s         string
}

func makeSortKey(v any) sortKey {
	if v == nil {
		return sortKey{null: true}
	}
	k := sortKey{s: asString(v)}
	k.d, k.num = asDecimal(v)
	return k
}

// cmp orders nulls first, numbers by value when both are numeric, else as strings.
func (a sortKey) cmp(b sortKey) int {
	switch {
	case a.null && b.null:
		return 0
	case a.null:
		return -1
	case b.null:
		return 1
	case a.num && b.num:
		return a.d.Cmp(b.d)
	}
	return strings.Compare(a.s, b.s)
}

// Sort orders records by ORDER BY (stable; nulls first ascending, last
// descending). Without ORDER BY it leaves the order alone.
func (s *Select) Sort(rs []Record) {
	if len(s.OrderBy) == 0 || len(rs) < 2 {
		return
	}
	type row struct {
		r    Record
		keys []sortKey
	}
	lowers := make([]string, len(s.OrderBy))
	for i, o := range s.OrderBy {
		lowers[i] = strings.ToLower(o.Field)
	}
	rows := make([]row, len(rs))
	keys := make([]sortKey, len(rs)*len(s.OrderBy))
	for i, r := range rs {
		ks := keys[i*len(s.OrderBy) : (i+1)*len(s.OrderBy)]
		for j, o := range s.OrderBy {
			_, v := lookup(r, o.Field, lowers[j])
			ks[j] = makeSortKey(scalar(v))
		}
		rows[i] = row{r, ks}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		for k, o := range s.OrderBy {
			n := rows[i].keys[k].cmp(rows[j].keys[k])
			if n == 0 {
				continue
			}
			if o.Desc {
				return n > 0
			}
			return n < 0
		}
		return false
	})
	for i := range rows {
		rs[i] = rows[i].r
	}
}

// Candidates reports the finite set of values the WHERE restricts field to,
// so an emulator can answer from an index instead of scanning: a top-level
// AND containing field = v or field IN (...), or an OR whose every branch
// is such a restriction. Values are the literals as written (numbers in
// their query text). Every matching record has field equal to one of them;
// the emulator must still call Match on what the index returns.
func (s *Select) Candidates(field string) ([]string, bool) {
	if s.Where == nil {
		return nil, false
	}
	return candidates(s.Where, strings.ToLower(field))
}

func candidates(e Expr, field string) ([]string, bool) {
	switch x := e.(type) {
	case *cond:
		if x.lower != field {
			return nil, false
		}
		switch {
		case x.op == "=" && (x.val.kind == vString || x.val.kind == vNumber):
			return []string{x.val.s}, true
		case x.op == "in":
			out := make([]string, 0, len(x.list))
			for _, v := range x.list {
				switch v.kind {
				case vString, vNumber:
					out = append(out, v.s)
				case vBool:
					// true matches "T", "t", "true": not a finite set of keys.
					return nil, false
				}
			}
			return out, true
		}
	case *binary:
		l, lok := candidates(x.l, field)
		r, rok := candidates(x.r, field)
		if x.op == "and" {
			switch {
			case lok:
				return l, true
			case rok:
				return r, true
			}
			return nil, false
		}
		if lok && rok {
			return append(l, r...), true
		}
	}
	return nil, false
}

// String renders the query back in a normalised form that parses to the same query.
func (s *Select) String() string {
	var b strings.Builder
	b.WriteString("select ")
	for i, c := range s.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name)
		if c.Alias != "" && s.lang == "SuiteQL" {
			b.WriteString(" as " + c.Alias)
		}
	}
	b.WriteString(" from " + s.From)
	if s.Where != nil {
		b.WriteString(" where " + s.Where.String())
	}
	if len(s.OrderBy) > 0 {
		b.WriteString(" order by ")
		for i, o := range s.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(o.Field)
			if o.Desc {
				b.WriteString(" desc")
			}
		}
	}
	return b.String()
}

// Counts is the one row an aggregate query answers over the matched records:
// each column under its alias (lower-cased), or exprN for the N-th column
// unaliased, as NetSuite names an unaliased expression. COUNT(DISTINCT col)
// counts the column's distinct non-null values.
func (s *Select) Counts(matched []Record) Record {
	row := Record{}
	for i, c := range s.Columns {
		name := strings.ToLower(c.Alias)
		if name == "" {
			name = "expr" + strconv.Itoa(i+1)
		}
		n := len(matched)
		if c.Distinct != "" {
			// Sized for every row at once: a count over a 100,000-line
			// transaction set otherwise spends most of its time growing the
			// set (the sandbox's own cost, not NetSuite's latency).
			seen := make(map[string]struct{}, len(matched))
			lower := strings.ToLower(c.Distinct)
			for _, r := range matched {
				if _, v := lookup(r, c.Distinct, lower); v != nil {
					if s := asString(v); s != "" {
						seen[s] = struct{}{}
					}
				}
			}
			n = len(seen)
		}
		row[name] = json.Number(strconv.Itoa(n))
	}
	return row
}
