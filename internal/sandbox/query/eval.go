package query

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

type valueKind int

const (
	vNull valueKind = iota
	vString
	vNumber
	vBool
)

type value struct {
	kind valueKind
	s    string
	d    decimal.Decimal
	b    bool
}

// key is the literal's identity in an IN set: numbers by value.
func (v value) key() string {
	if v.kind == vNumber {
		return "#" + v.d.String()
	}
	return v.s
}

func (v value) String() string {
	switch v.kind {
	case vString:
		return "'" + strings.ReplaceAll(v.s, "'", "''") + "'"
	}
	return v.s
}

// lookup finds a field case-insensitively; absent = nil.
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
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(v)
}

// compare returns -1/0/1 and ok=false when the two can't be compared.
func compare(rec any, lit value) (int, bool) {
	switch lit.kind {
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
		if b == lit.b {
			return 0, true
		}
		if b {
			return 1, true
		}
		return -1, true
	default:
		if _, isNum := rec.(json.Number); isNum {
			if d, err := decimal.NewFromString(lit.s); err == nil {
				rd, _ := asDecimal(rec)
				return rd.Cmp(d), true
			}
		}
		return strings.Compare(asString(rec), lit.s), true
	}
}

type cond struct {
	field, lower string
	lang         string
	op           string
	val          value
	list         []value
	set          map[string]bool
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
	if c.val.kind == vNull && (c.op == "=" || c.op == "!=") {
		// ZOQL writes null tests as "= null" / "!= null"; in SuiteQL (SQL)
		// a comparison with null is never true.
		if c.lang == "ZOQL" {
			return (v == nil) == (c.op == "="), nil
		}
		return false, nil
	}
	if v == nil {
		return false, nil
	}
	switch c.op {
	case "in":
		if c.set[asString(v)] {
			return true, nil
		}
		if d, ok := asDecimal(v); ok && c.set["#"+d.String()] {
			return true, nil
		}
		return false, nil
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
	return false, fmt.Errorf("unknown operator %s", c.op)
}

func (c *cond) String() string {
	switch c.op {
	case "is null", "is not null":
		return c.field + " " + c.op
	case "in":
		parts := make([]string, len(c.list))
		for i, v := range c.list {
			parts[i] = v.String()
		}
		return c.field + " in (" + strings.Join(parts, ", ") + ")"
	}
	return c.field + " " + c.op + " " + c.val.String()
}

// like matches SQL LIKE patterns: % any run, _ one character.
func like(s, pattern string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if like(s[i:], pattern[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && like(s[1:], pattern[1:])
	}
	return s != "" && s[0] == pattern[0] && like(s[1:], pattern[1:])
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

func (b *binary) String() string { return "(" + b.l.String() + " " + b.op + " " + b.r.String() + ")" }

type notExpr struct{ e Expr }

func (n *notExpr) Eval(r Record) (bool, error) {
	v, err := n.e.Eval(r)
	return !v, err
}

func (n *notExpr) String() string { return "not (" + n.e.String() + ")" }

// Match reports whether the record satisfies the WHERE clause.
func (s *Select) Match(r Record) (bool, error) {
	if s.Where == nil {
		return true, nil
	}
	return s.Where.Eval(r)
}

// IsCount reports a SuiteQL "SELECT COUNT(*)" query.
func (s *Select) IsCount() bool { return s.count }

// Project keeps the selected columns. ZOQL keys them as the record does
// (its canonical field names); SuiteQL lower-cases them (or uses the alias)
// and shows references as their id. Null fields are omitted, as both do.
func (s *Select) Project(r Record) Record {
	out := make(Record, len(s.Columns))
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
			out[strings.ToLower(name)] = scalar(v)
			continue
		}
		out[k] = v
	}
	return out
}

// Sort orders records by ORDER BY: numbers by value, others as strings, nulls first.
func (s *Select) Sort(rs []Record) {
	if len(s.OrderBy) == 0 {
		return
	}
	sort.SliceStable(rs, func(i, j int) bool {
		for _, o := range s.OrderBy {
			lower := strings.ToLower(o.Field)
			_, a := lookup(rs[i], o.Field, lower)
			_, b := lookup(rs[j], o.Field, lower)
			n := orderCmp(scalar(a), scalar(b))
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
}

func orderCmp(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	da, okA := asDecimal(a)
	db, okB := asDecimal(b)
	if okA && okB {
		return da.Cmp(db)
	}
	return strings.Compare(asString(a), asString(b))
}

// Candidates reports the finite set of values the WHERE restricts field to,
// so an emulator can answer from an index: a top-level AND containing
// field = v or field IN (...), or an OR whose every branch is field = v.
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
		case x.op == "=" && x.val.kind != vNull && x.val.kind != vBool:
			return []string{x.val.s}, true
		case x.op == "in":
			out := make([]string, 0, len(x.list))
			for _, v := range x.list {
				if v.kind == vString || v.kind == vNumber {
					out = append(out, v.s)
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

// String renders the query back (normalised).
func (s *Select) String() string {
	var b strings.Builder
	b.WriteString("select ")
	for i, c := range s.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		if s.count {
			b.WriteString("count(*)")
		} else {
			b.WriteString(c.Name)
		}
		if c.Alias != "" && (s.lang == "SuiteQL" && !(s.count && c.Alias == "count")) {
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
