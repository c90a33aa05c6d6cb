package query

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// SyntaxError is a query the parser refuses, with the position (0-based byte
// offset) and what was expected.
type SyntaxError struct {
	Lang string // "ZOQL" or "SuiteQL"
	Pos  int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s: at position %d: %s", e.Lang, e.Pos, e.Msg)
}

// maxZOQLConditions is Zuora's limit of conditions in one WHERE clause.
const maxZOQLConditions = 200

// maxDepth bounds nesting of parentheses and NOT so a hostile query cannot
// exhaust the stack (real queries nest a handful of levels).
const maxDepth = 100

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tPunct
)

type token struct {
	kind tokKind
	text string // ident as written; string unescaped; punct symbol
	pos  int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return fmt.Sprintf("'%s'", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

func lex(lang, q string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			start := i
			i++
			var b strings.Builder
			closed := false
			for i < len(q) {
				if q[i] == '\\' && lang == "ZOQL" && i+1 < len(q) {
					b.WriteByte(q[i+1])
					i += 2
					continue
				}
				if q[i] == '\'' {
					if i+1 < len(q) && q[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					closed = true
					i++
					break
				}
				b.WriteByte(q[i])
				i++
			}
			if !closed {
				return nil, &SyntaxError{lang, start, "unterminated string literal"}
			}
			toks = append(toks, token{tString, b.String(), start})
		case isDigit(c) || (c == '-' || c == '.') && i+1 < len(q) && (isDigit(q[i+1]) || q[i+1] == '.'):
			start := i
			i++
			for i < len(q) && (isDigit(q[i]) || q[i] == '.') {
				i++
			}
			text := q[start:i]
			if _, err := decimal.NewFromString(text); err != nil {
				return nil, &SyntaxError{lang, start, fmt.Sprintf("%q is not a number", text)}
			}
			toks = append(toks, token{tNumber, text, start})
		case isIdentStart(c):
			start := i
			for i < len(q) && isIdentPart(q[i]) {
				i++
			}
			toks = append(toks, token{tIdent, q[start:i], start})
		default:
			start := i
			two := ""
			if i+1 < len(q) {
				two = q[i : i+2]
			}
			switch two {
			case "<=", ">=", "!=", "<>":
				toks = append(toks, token{tPunct, two, start})
				i += 2
				continue
			}
			switch c {
			case '(', ')', ',', '=', '<', '>', '*':
				toks = append(toks, token{tPunct, string(c), start})
				i++
			default:
				return nil, &SyntaxError{lang, start, fmt.Sprintf("unexpected character %q", c)}
			}
		}
	}
	return append(toks, token{tEOF, "", len(q)}), nil
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '.' }

type parser struct {
	lang  string
	loose bool // tests of the shared expression engine: ZOQL syntax with parentheses and IN
	toks  []token
	i     int
	conds int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) errAt(t token, format string, args ...any) error {
	return &SyntaxError{p.lang, t.pos, fmt.Sprintf(format, args...)}
}

func (p *parser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) expectKeyword(kw string) error {
	if !p.isKeyword(kw) {
		return p.errAt(p.peek(), "expected %s, found %s", strings.ToUpper(kw), p.peek())
	}
	p.next()
	return nil
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == s
}

var reserved = map[string]bool{"select": true, "from": true, "where": true, "and": true, "or": true, "not": true, "in": true,
	"is": true, "null": true, "like": true, "order": true, "by": true, "asc": true, "desc": true, "as": true, "true": true, "false": true}

func (p *parser) ident(what string) (string, error) {
	t := p.peek()
	if t.kind != tIdent || reserved[strings.ToLower(t.text)] {
		return "", p.errAt(t, "expected %s, found %s", what, t)
	}
	p.next()
	return t.text, nil
}

// ParseZOQL parses a Zuora Object Query Language query.
func ParseZOQL(q string) (*Select, error) { return parse("ZOQL", q) }

// ParseSuiteQL parses a NetSuite SuiteQL query (the subset the sandbox answers).
func ParseSuiteQL(q string) (*Select, error) { return parse("SuiteQL", q) }

func parse(lang, q string) (*Select, error) { return parseWith(lang, q, false) }

func parseWith(lang, q string, loose bool) (*Select, error) {
	toks, err := lex(lang, q)
	if err != nil {
		return nil, err
	}
	p := &parser{lang: lang, toks: toks, loose: loose}
	s := &Select{lang: lang}
	if err := p.expectKeyword("select"); err != nil {
		return nil, err
	}
	for {
		if p.isPunct("*") {
			if lang == "ZOQL" {
				return nil, p.errAt(p.peek(), "ZOQL has no select *: name the fields")
			}
			return nil, p.errAt(p.peek(), "select * is not supported by the sandbox: name the columns")
		}
		if lang == "SuiteQL" && p.isKeyword("count") && p.toks[p.i+1].kind == tPunct && p.toks[p.i+1].text == "(" {
			// COUNT(*) or COUNT(DISTINCT col), SQL-92 aggregates SuiteQL
			// takes (docs/wire.md); without GROUP BY every column must be one.
			p.next()
			p.next()
			col := Column{Name: "count(*)"}
			if p.isPunct("*") {
				p.next()
			} else if p.isKeyword("distinct") {
				p.next()
				name, err := p.ident("field name")
				if err != nil {
					return nil, err
				}
				col = Column{Name: "count(distinct " + name + ")", Distinct: name}
			} else {
				return nil, p.errAt(p.peek(), "expected * or DISTINCT column in COUNT(), found %s", p.peek())
			}
			if !p.isPunct(")") {
				return nil, p.errAt(p.peek(), "expected ), found %s", p.peek())
			}
			p.next()
			if p.isKeyword("as") {
				p.next()
				alias, err := p.ident("alias")
				if err != nil {
					return nil, err
				}
				col.Alias = alias
			}
			if len(s.Columns) > 0 && !s.count {
				return nil, p.errAt(p.peek(), "a column beside COUNT() needs a GROUP BY, which the sandbox does not answer: select only COUNT(*) and COUNT(DISTINCT col)")
			}
			s.count = true
			s.Columns = append(s.Columns, col)
		} else {
			name, err := p.ident("field name")
			if err != nil {
				return nil, err
			}
			col := Column{Name: name}
			if lang == "SuiteQL" && p.isKeyword("as") {
				p.next()
				if col.Alias, err = p.ident("alias"); err != nil {
					return nil, err
				}
			}
			s.Columns = append(s.Columns, col)
		}
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	for _, c := range s.Columns {
		if s.count && !strings.HasPrefix(c.Name, "count(") {
			return nil, p.errAt(p.peek(), "column %s beside COUNT() needs a GROUP BY, which the sandbox does not answer: select only COUNT(*) and COUNT(DISTINCT col)", c.Name)
		}
	}
	if err := p.expectKeyword("from"); err != nil {
		return nil, err
	}
	from, err := p.ident("object name")
	if err != nil {
		return nil, err
	}
	s.From = from
	if p.isKeyword("where") {
		p.next()
		if s.Where, err = p.or(); err != nil {
			return nil, err
		}
	}
	if p.isKeyword("order") {
		if lang == "ZOQL" {
			return nil, p.errAt(p.peek(), "ZOQL has no ORDER BY")
		}
		p.next()
		if err := p.expectKeyword("by"); err != nil {
			return nil, err
		}
		for {
			f, err := p.ident("field name")
			if err != nil {
				return nil, err
			}
			o := Order{Field: f}
			if p.isKeyword("desc") {
				o.Desc = true
				p.next()
			} else if p.isKeyword("asc") {
				p.next()
			}
			s.OrderBy = append(s.OrderBy, o)
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "expected end of query, found %s", t)
	}
	return s, nil
}

func (p *parser) or() (Expr, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("or") {
		p.next()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = &binary{op: "or", l: left, r: right}
	}
	return left, nil
}

func (p *parser) and() (Expr, error) {
	left, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("and") {
		p.next()
		right, err := p.not()
		if err != nil {
			return nil, err
		}
		left = &binary{op: "and", l: left, r: right}
	}
	return left, nil
}

func (p *parser) not() (Expr, error) {
	if p.isKeyword("not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		p.next()
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		p.depth--
		return &notExpr{e}, nil
	}
	return p.primary()
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errAt(p.peek(), "conditions nested more than %d deep", maxDepth)
	}
	return nil
}

func (p *parser) primary() (Expr, error) {
	if p.isPunct("(") && p.lang == "ZOQL" && !p.loose {
		// docs.zuora.com "ZOQL Limitations": no parentheses; "and" binds tighter than "or".
		return nil, p.errAt(p.peek(), "ZOQL does not support parentheses (write the condition without them: and binds tighter than or)")
	}
	if p.isPunct("(") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.isPunct(")") {
			return nil, p.errAt(p.peek(), "expected ), found %s", p.peek())
		}
		p.next()
		p.depth--
		return e, nil
	}
	start := p.peek()
	field, err := p.ident("field name")
	if err != nil {
		return nil, err
	}
	p.conds++
	if p.lang == "ZOQL" && p.conds > maxZOQLConditions {
		return nil, p.errAt(start, "more than %d conditions in WHERE", maxZOQLConditions)
	}
	c := &cond{field: field, lower: strings.ToLower(field), lang: p.lang}
	negate := false
	if p.isKeyword("not") {
		p.next()
		negate = true
		if !p.isKeyword("in") && !p.isKeyword("like") {
			return nil, p.errAt(p.peek(), "expected IN or LIKE after NOT, found %s", p.peek())
		}
	}
	switch {
	case p.isKeyword("is"):
		p.next()
		c.op = "is null"
		if p.isKeyword("not") {
			p.next()
			c.op = "is not null"
		}
		if err := p.expectKeyword("null"); err != nil {
			return nil, err
		}
	case p.isKeyword("in"):
		if p.lang == "ZOQL" && !p.loose {
			return nil, p.errAt(p.peek(), "ZOQL does not support IN: write field = a or field = b")
		}
		p.next()
		c.op = "in"
		if !p.isPunct("(") {
			return nil, p.errAt(p.peek(), "expected ( after IN, found %s", p.peek())
		}
		p.next()
		for {
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			c.list = append(c.list, v)
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
		if !p.isPunct(")") {
			return nil, p.errAt(p.peek(), "expected , or ) in the IN list, found %s", p.peek())
		}
		p.next()
		c.set = newInSet(c.list)
	case p.isKeyword("like"):
		if p.lang == "ZOQL" {
			return nil, p.errAt(p.peek(), "ZOQL has no LIKE")
		}
		p.next()
		c.op = "like"
		t := p.peek()
		if t.kind != tString {
			return nil, p.errAt(t, "expected a string pattern after LIKE, found %s", t)
		}
		p.next()
		c.val = value{kind: vString, s: t.text}
	default:
		t := p.peek()
		if t.kind != tPunct || !strings.Contains(" = != <> < <= > >= ", " "+t.text+" ") {
			return nil, p.errAt(t, "expected a comparison (=, !=, <, <=, >, >=, IN, IS NULL), found %s", t)
		}
		p.next()
		c.op = t.text
		if c.op == "<>" {
			c.op = "!="
		}
		if c.val, err = p.literal(); err != nil {
			return nil, err
		}
	}
	if negate {
		return &notExpr{c}, nil
	}
	return c, nil
}

func (p *parser) literal() (value, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return value{kind: vString, s: t.text}, nil
	case tNumber:
		d, _ := decimal.NewFromString(t.text)
		return value{kind: vNumber, s: t.text, d: d}, nil
	case tIdent:
		switch strings.ToLower(t.text) {
		case "true":
			return value{kind: vBool, s: "true", b: true}, nil
		case "false":
			return value{kind: vBool, s: "false"}, nil
		case "null":
			return value{kind: vNull, s: "null"}, nil
		}
	}
	return value{}, p.errAt(t, "expected a value (string, number, true, false or null), found %s", t)
}
