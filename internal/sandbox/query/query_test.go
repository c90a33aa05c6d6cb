package query

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// rec is a typical stored record: PascalCase Zuora fields, a NetSuite
// reference, a NetSuite "T"/"F" checkbox, JSON numbers.
func rec() Record {
	return Record{"Id": "a1", "Status": "Posted", "Amount": json.Number("110.50"), "InvoiceDate": "2026-03-01",
		"UpdatedDate": "2026-03-01T10:15:00-08:00", "TransferredToAccounting": "Error",
		"entity": map[string]any{"id": "12", "refName": "Acme"}, "deferrevrec": "T", "Count": json.Number("9"),
		"Balance": json.Number("-3"), "IsActive": true, "Code": "007", "Name": "O'Brien"}
}

// parseFor parses for the shared expression engine's tests. ZOQL itself
// refuses parentheses and IN (TestZOQLRefusesParenthesesAndIn); the engine
// still evaluates them for SuiteQL, so these tests parse ZOQL loosely.
func parseFor(lang string) func(string) (*Select, error) {
	if lang == "SuiteQL" {
		return ParseSuiteQL
	}
	return parseZOQLLoose
}

func parseZOQLLoose(q string) (*Select, error) { return parseWith("ZOQL", q, true) }

func TestMatch(t *testing.T) {
	tests := []struct {
		name, lang, where string
		want              bool
	}{
		// comparison operators
		{"equal string", "ZOQL", "Status = 'Posted'", true},
		{"equal string mismatch", "ZOQL", "Status = 'Draft'", false},
		{"not equal !=", "ZOQL", "Status != 'Posted'", false},
		{"not equal <>", "SuiteQL", "status <> 'Draft'", true},
		{"less than", "ZOQL", "Count < 10", true}, // 9 < 10 numerically (as strings "9" > "10")
		{"less or equal", "ZOQL", "Amount <= 110.50", true},
		{"greater than", "ZOQL", "Amount > 100", true},
		{"greater or equal just above", "ZOQL", "Amount >= 110.51", false},
		{"negative literal", "ZOQL", "Balance < -2.5", true},
		{"negative literal equal", "ZOQL", "Balance = -3.00", true},
		// numeric vs string semantics
		{"decimal equality ignores trailing zeros", "ZOQL", "Amount = 110.5", true},
		{"numeric string literal against number field", "ZOQL", "Amount = '110.5'", true},
		{"string field against string literal compares as text", "ZOQL", "Code = '7'", false},
		{"numeric literal against numeric string field", "ZOQL", "Code = 7", true},
		{"text against number literal compares as text", "ZOQL", "Status > 5", true},
		// dates compare lexicographically
		{"date >=", "ZOQL", "InvoiceDate >= '2026-03-01'", true},
		{"date <", "ZOQL", "InvoiceDate < '2026-03-01'", false},
		{"datetime >", "ZOQL", "UpdatedDate > '2026-03-01T10:00:00-08:00'", true},
		// booleans
		{"boolean true", "ZOQL", "IsActive = true", true},
		{"boolean false", "ZOQL", "IsActive = false", false},
		{"NetSuite T checkbox is true", "SuiteQL", "deferrevrec = true", true},
		{"boolean against text is never true", "ZOQL", "Status = true", false},
		// strings with quotes
		{"doubled quote escape", "ZOQL", "Name = 'O''Brien'", true},
		{"backslash quote escape (ZOQL)", "ZOQL", `Name = 'O\'Brien'`, true},
		// case-insensitive fields and keywords
		{"field name case-insensitive", "ZOQL", "status = 'Posted'", true},
		{"keywords case-insensitive", "ZOQL", "Status = 'Posted' AND Id = 'a1' Or Id = 'x'", true},
		{"values stay case-sensitive", "ZOQL", "Status = 'posted'", false},
		// null handling
		{"ZOQL = null is a null test", "ZOQL", "Comments = null", true},
		{"ZOQL = null on a set field", "ZOQL", "Status = null", false},
		{"ZOQL != null", "ZOQL", "Status != null", true},
		{"is null on absent field", "ZOQL", "Comments is null", true},
		{"is not null", "ZOQL", "Status is not null", true},
		{"SuiteQL is null", "SuiteQL", "memo is null", true},
		{"SuiteQL is not null", "SuiteQL", "memo is not null", false},
		{"SuiteQL = null is never true", "SuiteQL", "memo = null", false},
		{"SuiteQL != null is never true", "SuiteQL", "status != null", false},
		{"comparison with null literal is never true", "ZOQL", "Amount > null", false},
		{"absent field != value is not true", "ZOQL", "Comments != 'x'", false},
		{"absent field < value is not true", "ZOQL", "Comments < 'x'", false},
		{"explicit JSON null is null", "ZOQL", "Nothing is null", true},
		// IN / NOT IN
		{"in strings", "ZOQL", "Status in ('Draft', 'Posted')", true},
		{"in miss", "ZOQL", "Status in ('Draft', 'Canceled')", false},
		{"in numbers by value", "ZOQL", "Amount in (1, 110.500)", true},
		{"in numeric strings against number field", "ZOQL", "Count in ('9.0')", true},
		{"not in", "ZOQL", "Status not in ('Draft')", true},
		{"not in hit", "SuiteQL", "entity not in (11, 12)", false},
		{"in with null never matches null", "SuiteQL", "memo in (null)", false},
		{"in with null literal", "SuiteQL", "status in (null, 'Posted')", true},
		{"in booleans", "SuiteQL", "deferrevrec in (true)", true},
		// references compare by id
		{"reference = id string", "SuiteQL", "entity = '12'", true},
		{"reference = id number", "SuiteQL", "entity = 12", true},
		{"reference in", "SuiteQL", "entity in ('11', '12')", true},
		// LIKE
		{"like prefix", "SuiteQL", "status like 'Pos%'", true},
		{"like single char", "SuiteQL", "status like 'P_sted'", true},
		{"like whole", "SuiteQL", "status like 'Posted'", true},
		{"like too short", "SuiteQL", "status like 'Post'", false},
		{"like inner", "SuiteQL", "status like '%ste%'", true},
		{"like is case-sensitive", "SuiteQL", "status like 'pos%'", false},
		{"not like", "SuiteQL", "status not like '%x%'", true},
		// boolean logic and precedence
		{"and both", "ZOQL", "Status = 'Posted' and Id = 'a1'", true},
		{"and one", "ZOQL", "Status = 'Posted' and Id = 'zz'", false},
		{"or one", "ZOQL", "Status = 'Draft' or Id = 'a1'", true},
		{"AND binds tighter than OR (false)", "ZOQL", "Status = 'Draft' or Amount > 100 and Id = 'zz'", false},
		{"AND binds tighter than OR (true)", "ZOQL", "Status = 'Draft' or Amount > 100 and Id = 'a1'", true},
		{"AND binds tighter than OR (left)", "ZOQL", "Id = 'a1' and Status = 'Draft' or Amount > 100", true},
		{"parentheses override precedence", "ZOQL", "(Status = 'Draft' or Amount > 100) and Id = 'zz'", false},
		{"NOT binds tighter than AND", "ZOQL", "not Status = 'Draft' and Id = 'a1'", true},
		{"NOT binds tighter than OR", "ZOQL", "not Status = 'Posted' or Id = 'a1'", true},
		{"NOT of parenthesised OR", "ZOQL", "not (Status = 'Posted' or Id = 'zz')", false},
		{"double NOT", "SuiteQL", "not not status = 'Posted'", true},
		{"connector selection", "ZOQL", "Status = 'Posted' and (TransferredToAccounting = null or TransferredToAccounting = 'Error')", true},
		{"SuiteQL mixed case", "SuiteQL", "deferrevrec = 'T' AND id IS NOT NULL", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseFor(tt.lang)("select Id from X where " + tt.where)
			if err != nil {
				t.Fatal(err)
			}
			r := rec()
			r["Nothing"] = nil
			got, err := s.Match(r)
			if err != nil || got != tt.want {
				t.Fatalf("%s: Match(%s) = %v, %v; want %v", tt.lang, tt.where, got, err, tt.want)
			}
		})
	}
}

func TestMatchWithoutWhere(t *testing.T) {
	s, err := ParseZOQL("select Id from Invoice")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Match(Record{}); !ok || err != nil {
		t.Fatalf("no WHERE must match everything: %v %v", ok, err)
	}
}

func TestParseShape(t *testing.T) {
	s, err := ParseSuiteQL("SELECT id, TranId AS Num FROM Transaction WHERE id > 1 ORDER BY tranid DESC, id ASC")
	if err != nil {
		t.Fatal(err)
	}
	if s.From != "Transaction" || len(s.Columns) != 2 || s.Columns[1] != (Column{Name: "TranId", Alias: "Num"}) {
		t.Errorf("columns/from: %+v %q", s.Columns, s.From)
	}
	if len(s.OrderBy) != 2 || s.OrderBy[0] != (Order{"tranid", true}) || s.OrderBy[1] != (Order{"id", false}) {
		t.Errorf("order by: %+v", s.OrderBy)
	}
	z, err := ParseZOQL("SELECT Id FROM invoice")
	if err != nil || z.From != "invoice" {
		t.Errorf("ZOQL From is returned as written: %v %v", z, err)
	}
	c, err := ParseSuiteQL("select count(*) from transactionline where transaction = 5")
	if err != nil || !c.IsCount() || c.Columns[0].Alias != "" {
		t.Errorf("count(*): %+v %v", c, err)
	}
	if s.IsCount() {
		t.Error("plain select is not a count")
	}
}

func TestSyntaxErrors(t *testing.T) {
	many := "select Id from Invoice where " + strings.Repeat("Id = 'x' or ", 200) + "Id = 'y'"
	exactly200 := "select Id from Invoice where " + strings.Repeat("Id = 'x' or ", 199) + "Id = 'y'"
	if _, err := ParseZOQL(exactly200); err != nil {
		t.Fatalf("200 conditions are allowed: %v", err)
	}
	if _, err := ParseSuiteQL(many); err != nil {
		t.Fatalf("the 200-condition limit is ZOQL's only: %v", err)
	}
	tests := []struct {
		name, lang, q, want string
	}{
		{"missing column", "ZOQL", "select from Invoice", `ZOQL: at position 7: expected field name, found "from"`},
		{"trailing comma in columns", "ZOQL", "select Id, Name, from Invoice", `ZOQL: at position 17: expected field name, found "from"`},
		{"close paren for field", "ZOQL", "select Id from T where )", `ZOQL: at position 23: expected field name, found ")"`},
		{"ZOQL select star", "ZOQL", "select * from Invoice", "ZOQL: at position 7: ZOQL has no select *"},
		{"ZOQL order by", "ZOQL", "select Id from Invoice order by Id", "ZOQL: at position 23: ZOQL has no ORDER BY"},
		{"ZOQL like", "ZOQL", "select Id from Invoice where Id like 'x%'", "ZOQL has no LIKE"},
		{"ZOQL alias", "ZOQL", "select Id as x from Invoice", `expected FROM, found "as"`},
		{"ZOQL join", "ZOQL", "select Id from Invoice join Account", `position 23: expected end of query, found "join"`},
		{"ZOQL 201st condition", "ZOQL", many, "ZOQL: at position 2429: more than 200 conditions"},
		{"no select", "ZOQL", "Id from Invoice", `position 0: expected SELECT, found "Id"`},
		{"no from", "ZOQL", "select Id", "position 9: expected FROM, found end of query"},
		{"no object", "ZOQL", "select Id from", "expected object name, found end of query"},
		{"unterminated string", "ZOQL", "select Id from Invoice where Id = 'x", "position 34: unterminated string literal"},
		{"unknown character", "ZOQL", "select Id from Invoice where Id ~ 1", `position 32: unexpected character '~'`},
		{"missing close paren", "ZOQL", "select Id from Invoice where (Id = 1", "expected ), found end of query"},
		{"missing operator", "ZOQL", "select Id from Invoice where Id 'x'", "expected a comparison"},
		{"missing value", "ZOQL", "select Id from Invoice where Id =", "expected a value"},
		{"field as value", "ZOQL", "select Id from Invoice where Id = Name", `expected a value (string, number, true, false or null), found "Name"`},
		{"bad number", "ZOQL", "select Id from Invoice where Amount > 1.2.3", `"1.2.3" is not a number`},
		{"is without null", "ZOQL", "select Id from Invoice where Id is 'x'", "expected NULL"},
		{"not without in", "ZOQL", "select Id from Invoice where Id not = 'x'", "expected IN or LIKE after NOT"},
		{"empty in list", "ZOQL", "select Id from Invoice where Id in ()", "expected a value"},
		{"in without parens", "ZOQL", "select Id from Invoice where Id in 'x'", "expected ( after IN"},
		{"unclosed in list", "ZOQL", "select Id from Invoice where Id in ('x' 'y')", "expected , or ) in the IN list"},
		{"dangling and", "ZOQL", "select Id from Invoice where Id = 'x' and", "expected field name, found end of query"},
		{"keyword as field", "ZOQL", "select Id from Invoice where and = 1", `expected field name, found "and"`},
		{"deep nesting", "ZOQL", "select Id from T where " + strings.Repeat("(", 200) + "Id = 1" + strings.Repeat(")", 200), "nested more than 100 deep"},
		{"deep NOT", "SuiteQL", "select id from t where " + strings.Repeat("not ", 200) + "id = 1", "nested more than 100 deep"},
		{"SuiteQL select star", "SuiteQL", "select * from transaction", "SuiteQL: at position 7: select * is not supported by the sandbox"},
		{"SuiteQL empty where", "SuiteQL", "select id from transaction where", "expected field name, found end of query"},
		{"SuiteQL trailing words", "SuiteQL", "select id from transaction extra", "expected end of query"},
		{"SuiteQL order without by", "SuiteQL", "select id from transaction order id", `expected BY, found "id"`},
		{"SuiteQL like needs a string", "SuiteQL", "select id from t where id like 5", "expected a string pattern after LIKE"},
		{"SuiteQL count with other columns", "SuiteQL", "select count(*), id from t", "needs a GROUP BY"},
		{"SuiteQL count of a column", "SuiteQL", "select count(id) from t", "expected * or DISTINCT column in COUNT()"},
		{"empty query", "SuiteQL", "", "SuiteQL: at position 0: expected SELECT, found end of query"},
		{"semicolon", "SuiteQL", "select id from t;", "unexpected character ';'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFor(tt.lang)(tt.q)
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want a SyntaxError containing %q", err, tt.want)
			}
			if se.Lang != tt.lang || se.Pos < 0 || se.Pos > len(tt.q) {
				t.Fatalf("SyntaxError fields: %+v", se)
			}
		})
	}
}

func TestProject(t *testing.T) {
	z, _ := ParseZOQL("select id, amount, Missing, Nothing from Invoice")
	r := rec()
	r["Nothing"] = nil
	p := z.Project(r)
	if p["Id"] != "a1" || p["Amount"] != json.Number("110.50") || len(p) != 2 {
		t.Errorf("ZOQL projection keeps canonical names and omits nulls: %v", p)
	}
	s, err := ParseSuiteQL("SELECT Entity, Status AS St, ID, nothing FROM transaction")
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Project(rec()); p["entity"] != "12" || p["st"] != "Posted" || p["id"] != "a1" || len(p) != 3 {
		t.Errorf("SuiteQL projection lower-cases, aliases and shows references as ids: %v", p)
	}
}

func TestSort(t *testing.T) {
	mk := func(n any, s string) Record {
		r := Record{"s": s}
		if n != nil {
			r["N"] = n
		}
		return r
	}
	tests := []struct {
		name, order string
		rows        []Record
		want        string
	}{
		{"numeric ascending, nulls first", "n", []Record{mk(json.Number("10"), "ten"), mk(nil, "null"), mk(json.Number("9"), "nine"), mk(json.Number("-1"), "neg")}, "null,neg,nine,ten"},
		{"numeric descending, nulls last", "N desc", []Record{mk(nil, "null"), mk(json.Number("2"), "two"), mk(json.Number("10.0"), "ten")}, "ten,two,null"},
		{"strings lexicographic", "s", []Record{mk(nil, "b"), mk(nil, "B"), mk(nil, "a")}, "B,a,b"},
		{"dates as strings", "n asc", []Record{mk("2026-03-02", "2"), mk("2026-02-28", "1"), mk("2026-03-10", "3")}, "1,2,3"},
		{"stable on ties", "n", []Record{mk(json.Number("1"), "first"), mk(json.Number("1.0"), "second"), mk(json.Number("0"), "zero")}, "zero,first,second"},
		{"second key breaks ties", "n desc, s", []Record{mk(json.Number("1"), "b"), mk(json.Number("1"), "a"), mk(json.Number("2"), "c")}, "c,a,b"},
		{"references by id", "n", []Record{mk(map[string]any{"id": "20"}, "20"), mk(map[string]any{"id": "3"}, "3")}, "3,20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSuiteQL("select s from t order by " + tt.order)
			if err != nil {
				t.Fatal(err)
			}
			s.Sort(tt.rows)
			var got []string
			for _, r := range tt.rows {
				got = append(got, r["s"].(string))
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("got %v want %s", got, tt.want)
			}
		})
	}
	t.Run("no order by is a no-op", func(t *testing.T) {
		s, _ := ParseZOQL("select Id from T")
		rows := []Record{{"Id": "b"}, {"Id": "a"}}
		s.Sort(rows)
		if rows[0]["Id"] != "b" {
			t.Error("Sort without ORDER BY reordered")
		}
	})
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		name, q, field, want string
		ok                   bool
	}{
		{"or of equals", "select Id from T where Id = 'a' or Id = 'b'", "id", "a,b", true},
		{"three-way or", "select Id from T where Id = 'a' or (Id = 'b' or Id = 'c')", "ID", "a,b,c", true},
		{"and with equals", "select Id from T where InvoiceId = 'x' and Status = 'Posted'", "InvoiceId", "x", true},
		{"and with in", "select id from T where transaction = 5 AND custcol_zuora_item_id IN ('a', 'b')", "custcol_zuora_item_id", "a,b", true},
		{"number literal as written", "select id from T where transaction = 5 AND custcol_zuora_item_id IN ('a', 'b')", "transaction", "5", true},
		{"nested and", "select Id from T where (Status = 'P' and (Id in ('x') and Amount > 1))", "id", "x", true},
		{"or of ands each pinning field", "select Id from T where (Id = 'a' and S = 1) or Id = 'b'", "Id", "a,b", true},
		{"in drops null", "select Id from T where Id in ('a', null)", "Id", "a", true},
		{"or with another field", "select Id from T where Id = 'a' or Status = 'b'", "Id", "", false},
		{"other field only", "select Id from T where Status = 'b'", "Id", "", false},
		{"no where", "select Id from T", "Id", "", false},
		{"not equal", "select Id from T where Id != 'a'", "Id", "", false},
		{"not in", "select Id from T where Id not in ('a')", "Id", "", false},
		{"range", "select Id from T where Id > 'a'", "Id", "", false},
		{"null test", "select Id from T where Id = null", "Id", "", false},
		{"boolean", "select Id from T where Id = true", "Id", "", false},
		{"boolean in list", "select Id from T where Id in ('x', true)", "Id", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseZOQLLoose(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			vals, ok := s.Candidates(tt.field)
			if ok != tt.ok || strings.Join(vals, ",") != tt.want {
				t.Errorf("Candidates(%s) = %v, %v; want %q, %v", tt.field, vals, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestStringRoundTrip(t *testing.T) {
	tests := []struct{ lang, q, want string }{
		{"ZOQL", `SELECT Id FROM Account WHERE Name = 'O\'Br\\ien' AND NOT (x IN (1, 'a')) OR y IS NOT NULL`,
			`select Id from Account where Name = 'O''Br\\ien' and not x in (1, 'a') or y is not null`},
		{"ZOQL", "select Id from T where a = 1 and (b = 2 or c = 3) or (d = 4 or not (e = 5 and f = 6))",
			"select Id from T where a = 1 and (b = 2 or c = 3) or (d = 4 or not (e = 5 and f = 6))"},
		{"ZOQL", "select Id from T where ((a = 1 or b = 2)) or c = 3 and not not d is null",
			"select Id from T where a = 1 or b = 2 or c = 3 and not not d is null"},
		{"SuiteQL", `SELECT COUNT(*) AS n FROM t WHERE a LIKE 'x\%' ORDER BY a DESC, b`,
			`select count(*) as n from t where a like 'x\%' order by a desc, b`},
		{"SuiteQL", `select count(*) from t`, `select count(*) from t`},
	}
	// The 200-condition selection must survive rendering (no added nesting).
	many := "select Id from T where " + strings.Repeat("Id = 'x' or ", 199) + "Id = 'y'"
	tests = append(tests, struct{ lang, q, want string }{"ZOQL", many, many})
	for _, tt := range tests {
		s, err := parseFor(tt.lang)(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if s.String() != tt.want {
			t.Errorf("String() = %s\nwant       %s", s.String(), tt.want)
		}
		again, err := parseFor(tt.lang)(s.String())
		if err != nil || again.String() != s.String() {
			t.Errorf("re-parse of %s: %v %v", s.String(), again, err)
		}
	}
}

// likeRef is the obvious exponential LIKE, used to check the linear one.
func likeRef(s, p []rune) bool {
	if len(p) == 0 {
		return len(s) == 0
	}
	switch p[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if likeRef(s[i:], p[1:]) {
				return true
			}
		}
		return false
	case '_':
		return len(s) > 0 && likeRef(s[1:], p[1:])
	}
	return len(s) > 0 && s[0] == p[0] && likeRef(s[1:], p[1:])
}

func TestLike(t *testing.T) {
	tests := []struct {
		s, p string
		want bool
	}{
		{"", "", true}, {"", "%", true}, {"", "_", false}, {"a", "", false},
		{"abc", "a%", true}, {"abc", "%c", true}, {"abc", "%b%", true}, {"abc", "a_c", true},
		{"abc", "a_", false}, {"abc", "%%%", true}, {"abcbc", "%bc", true}, {"abcbd", "a%bc", false},
		{"mississippi", "m%iss%ppi", true}, {"mississippi", "m%iss%x", false},
		{"héllo", "h_llo", true}, {"日本語", "__語", true}, {"日本語", "_語", false},
	}
	for _, tt := range tests {
		if got := like(tt.s, tt.p); got != tt.want || got != likeRef([]rune(tt.s), []rune(tt.p)) {
			t.Errorf("like(%q, %q) = %v, want %v", tt.s, tt.p, got, tt.want)
		}
	}
	// A pattern that makes naive backtracking exponential must stay fast.
	start := time.Now()
	if like(strings.Repeat("a", 5000), strings.Repeat("%a", 40)+"%b") {
		t.Error("pathological like matched")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("pathological like took %v", d)
	}
}

// TestLargeInListIsConstantTime guards the sandbox's hot path: IN lists of
// thousands of ids checked against 100,000 rows.
func TestLargeInListIsConstantTime(t *testing.T) {
	ids := make([]string, 5000)
	for i := range ids {
		ids[i] = fmt.Sprintf("'id-%d'", i)
	}
	s, err := ParseSuiteQL("select id from t where id in (" + strings.Join(ids, ", ") + ")")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	hits := 0
	for i := 0; i < 100000; i++ {
		if ok, _ := s.Match(Record{"id": fmt.Sprintf("id-%d", i)}); ok {
			hits++
		}
	}
	if hits != 5000 {
		t.Errorf("hits = %d", hits)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("100,000 IN checks took %v", d)
	}
}

func BenchmarkMatchIn(b *testing.B) {
	ids := make([]string, 2000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%d", i)
	}
	s, _ := ParseSuiteQL("select id from t where transaction = 5 and custcol_zuora_item_id in (" + strings.Join(ids, ", ") + ")")
	r := Record{"transaction": map[string]any{"id": "5"}, "custcol_zuora_item_id": "1999"}
	for b.Loop() {
		_, _ = s.Match(r)
	}
}

func BenchmarkSort100k(b *testing.B) {
	s, _ := ParseSuiteQL("select id from t order by line")
	rows := make([]Record, 100000)
	for b.Loop() {
		for i := range rows {
			rows[i] = Record{"line": json.Number(fmt.Sprint((i * 7919) % 100000))}
		}
		s.Sort(rows)
	}
}

func FuzzParseZOQL(f *testing.F) {
	f.Add("select Id, Status from Invoice where Status = 'Posted' and (TransferredToAccounting = null or Amount > -1.5)")
	f.Add(`select Id from Account where Name = 'O\'Brien' or Name = 'a\\b'`)
	f.Add("SELECT Id FROM Invoice WHERE not Id in ('a', 2, true, null) AND x is not null")
	f.Add("select Id from Invoice order by Id")
	f.Add("select * from Invoice")
	f.Fuzz(func(t *testing.T, q string) {
		s, err := ParseZOQL(q)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Lang != "ZOQL" || se.Pos < 0 || se.Pos > len(q) {
				t.Fatalf("bad error for %q: %#v", q, err)
			}
			return
		}
		again, err := parseWith("ZOQL", s.String(), true)
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", s.String(), q, err)
		}
		if again.String() != s.String() {
			t.Fatalf("round trip changed %q to %q", s.String(), again.String())
		}
		for _, r := range []Record{rec(), {}} {
			m1, err1 := s.Match(r)
			m2, err2 := again.Match(r)
			if m1 != m2 || (err1 == nil) != (err2 == nil) {
				t.Fatalf("re-parsed %q matches differently", s.String())
			}
		}
		_ = s.Project(rec())
	})
}

func FuzzParseSuiteQL(f *testing.F) {
	f.Add("SELECT id, tranid AS t FROM transaction WHERE externalid IN ('a', 'b') AND NOT memo LIKE '%x_' ORDER BY id DESC")
	f.Add("SELECT COUNT(*) FROM transactionline WHERE transaction = 5")
	f.Add("select count(*) as n from t where a <> -.5 or b is null order by a asc, b desc")
	f.Add(`select a from t where a = 'x\'`)
	f.Fuzz(func(t *testing.T, q string) {
		s, err := ParseSuiteQL(q)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Lang != "SuiteQL" || se.Pos < 0 || se.Pos > len(q) {
				t.Fatalf("bad error for %q: %#v", q, err)
			}
			return
		}
		again, err := ParseSuiteQL(s.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", s.String(), q, err)
		}
		if again.String() != s.String() || again.IsCount() != s.IsCount() {
			t.Fatalf("round trip changed %q to %q", s.String(), again.String())
		}
		rs := []Record{rec(), {}, {"id": json.Number("3")}}
		s.Sort(rs)
		_ = s.Project(rec())
		_, _ = s.Match(rec())
	})
}

// FuzzMatch evaluates random conditions on random records and checks the
// fast paths against their definitions: an IN list must agree with the OR
// of equalities, and a record that matches must carry one of Candidates.
func FuzzMatch(f *testing.F) {
	f.Add("Amount", "12.5", "Amount >= 12", "12.50")
	f.Add("x", "", "x = null", "")
	f.Add("id", "T", "id in (true, 'a')", "a")
	f.Add("Code", "007", "code = 7 or code like '0%'", "7")
	f.Fuzz(func(t *testing.T, field, val, where, lit string) {
		values := []any{val, json.Number(val), true, false, nil, map[string]any{"id": val}}
		if s, err := ParseSuiteQL("select id from T where " + where); err == nil {
			for _, v := range values {
				_, _ = s.Match(Record{field: v})
				_ = s.Project(Record{field: v})
			}
		}
		if s, err := ParseZOQL("select Id from T where " + where); err == nil {
			for _, v := range values {
				_, _ = s.Match(Record{field: v})
			}
		}
		// IN against OR-of-equalities, on the fuzzed literal as a string and as a number.
		lits := []string{"'" + strings.ReplaceAll(lit, "'", "''") + "'", "'z'", "true", "null"}
		if _, err := decimal.NewFromString(lit); err == nil && strings.Trim(lit, "0123456789.-") == "" {
			lits = append(lits, lit)
		}
		in, err := ParseSuiteQL("select f from T where f in (" + strings.Join(lits, ", ") + ")")
		if err != nil {
			return // e.g. a number the lexer reads differently; not what this checks
		}
		ors, err := ParseSuiteQL("select f from T where f = " + strings.Join(lits, " or f = "))
		if err != nil {
			t.Fatalf("OR form of %v does not parse: %v", lits, err)
		}
		for _, v := range values {
			r := Record{"F": v}
			a, _ := in.Match(r)
			b, _ := ors.Match(r)
			if a != b {
				t.Fatalf("IN %v and OR disagree on %#v: %v vs %v", lits, v, a, b)
			}
			if vals, ok := ors.Candidates("f"); ok && b {
				found := false
				for _, c := range vals {
					if asString(scalar(v)) == c {
						found = true
					}
					if d1, ok1 := asDecimal(scalar(v)); ok1 {
						if d2, err := decimal.NewFromString(c); err == nil && d1.Equal(d2) {
							found = true
						}
					}
				}
				if !found {
					t.Fatalf("%#v matches %s but is not among Candidates %v", v, ors.String(), vals)
				}
			}
		}
	})
}

// TestZOQLRefusesParenthesesAndIn: docs.zuora.com "ZOQL Limitations" (Z2):
// no parentheses ("and" takes priority over "or"), no IN, no sorting.
func TestZOQLRefusesParenthesesAndIn(t *testing.T) {
	for _, q := range []string{
		"select Id from Invoice where Status = 'Posted' and (TransferredToAccounting = null or TransferredToAccounting = 'No')",
		"select Id from Invoice where Id in ('a', 'b')",
		"select Id from Invoice where Id not in ('a')",
		"select Id from Invoice order by Id",
	} {
		if _, err := ParseZOQL(q); err == nil {
			t.Errorf("ParseZOQL(%q) accepted", q)
		}
	}
	s, err := ParseZOQL("select Id from Invoice where Status = 'Posted' and TransferredToAccounting = null or Status = 'Posted' and TransferredToAccounting = 'No'")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.WhereFields(), ","); got != "Status,TransferredToAccounting" {
		t.Errorf("WhereFields = %s", got)
	}
}

// COUNT(DISTINCT col) counts the column's distinct non-null values; several
// counts share the one row, unaliased ones named exprN as NetSuite names them;
// a plain column beside a count needs GROUP BY, which the sandbox refuses.
func TestCountDistinct(t *testing.T) {
	s, err := ParseSuiteQL("select count(*) as Lines, count(distinct custcol_key) from transactionline where transaction = 5")
	if err != nil || !s.IsCount() {
		t.Fatalf("parse: %+v %v", s, err)
	}
	rows := []Record{{"custcol_key": "a"}, {"custcol_key": "b"}, {"custcol_key": "a"}, {"custcol_key": nil}, {}}
	got := s.Counts(rows)
	if got["lines"] != json.Number("5") || got["expr2"] != json.Number("2") || len(got) != 2 {
		t.Errorf("counts: %v, want lines 5 and expr2 2", got)
	}
	again, err := ParseSuiteQL(s.String())
	if err != nil || again.String() != s.String() {
		t.Errorf("String does not parse back to the same query: %q -> %v %v", s.String(), again, err)
	}
	for _, q := range []string{
		"select id, count(*) from transactionline",
		"select count(*), id from transactionline",
		"select count(distinct) from transactionline",
	} {
		if _, err := ParseSuiteQL(q); err == nil {
			t.Errorf("%q: accepted, want refused", q)
		}
	}
}
