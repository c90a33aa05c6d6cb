package query

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func rec() Record {
	return Record{"Id": "a1", "Status": "Posted", "Amount": json.Number("110.50"), "InvoiceDate": "2026-03-01",
		"TransferredToAccounting": "Error", "entity": map[string]any{"id": "12", "refName": "Acme"}, "deferrevrec": "T", "Count": json.Number("9")}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		lang, where string
		want        bool
	}{
		{"ZOQL", "Status = 'Posted'", true},
		{"ZOQL", "status = 'Posted'", true}, // field names are case-insensitive
		{"ZOQL", "Status != 'Posted'", false},
		{"ZOQL", "Amount > 100", true},
		{"ZOQL", "Amount = 110.5", true}, // decimal, not string, semantics
		{"ZOQL", "Count < 10", true},     // 9 < 10 numerically (as strings "9" > "10")
		{"ZOQL", "Amount >= 110.51", false},
		{"ZOQL", "InvoiceDate >= '2026-03-01'", true},
		{"ZOQL", "InvoiceDate < '2026-03-01'", false},
		{"ZOQL", "Comments = null", true}, // ZOQL null test
		{"ZOQL", "Status = null", false},
		{"ZOQL", "Status != null", true},
		{"ZOQL", "Status = 'Posted' and (TransferredToAccounting = null or TransferredToAccounting = 'Error')", true},
		{"ZOQL", "Status = 'Draft' or Amount > 100 and Id = 'zz'", false}, // AND binds tighter than OR
		{"ZOQL", "Status = 'Draft' or Amount > 100 and Id = 'a1'", true},
		{"ZOQL", "not Status = 'Draft'", true},
		{"SuiteQL", "entity = '12'", true}, // references compare by id
		{"SuiteQL", "entity = 12", true},
		{"SuiteQL", "entity in ('11', '12')", true},
		{"SuiteQL", "entity not in (11, 12)", false},
		{"SuiteQL", "memo is null", true},
		{"SuiteQL", "memo is not null", false},
		{"SuiteQL", "memo = null", false}, // SQL: comparison with null is never true
		{"SuiteQL", "status like 'Pos%'", true},
		{"SuiteQL", "status like 'P_sted'", true},
		{"SuiteQL", "status not like '%x%'", true},
		{"SuiteQL", "deferrevrec = 'T' AND id IS NOT NULL", true},
	}
	for _, tt := range tests {
		t.Run(tt.lang+": "+tt.where, func(t *testing.T) {
			parse := ParseZOQL
			if tt.lang == "SuiteQL" {
				parse = ParseSuiteQL
			}
			s, err := parse("select Id from X where " + tt.where)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Match(rec())
			if err != nil || got != tt.want {
				t.Fatalf("Match = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	many := "select Id from Invoice where " + strings.Repeat("Id = 'x' or ", 200) + "Id = 'y'"
	tests := []struct {
		lang, q, want string
	}{
		{"ZOQL", "select from Invoice", "ZOQL: at position 7: expected field name"},
		{"ZOQL", "select * from Invoice", "no select *"},
		{"ZOQL", "select Id from Invoice order by Id", "no ORDER BY"},
		{"ZOQL", "select Id from Invoice where Id = 'x", "unterminated string"},
		{"ZOQL", "select Id from Invoice where Id ~ 1", "unexpected character"},
		{"ZOQL", "select Id from Invoice where (Id = 1", "expected )"},
		{"ZOQL", many, "more than 200 conditions"},
		{"SuiteQL", "select * from transaction", "select * is not supported"},
		{"SuiteQL", "select id from transaction where", "expected field name, found end of query"},
		{"SuiteQL", "select id from transaction extra", "expected end of query"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			parse := ParseZOQL
			if tt.lang == "SuiteQL" {
				parse = ParseSuiteQL
			}
			_, err := parse(tt.q)
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want a SyntaxError containing %q", err, tt.want)
			}
		})
	}
}

func TestProjectAndSort(t *testing.T) {
	z, _ := ParseZOQL("select id, amount, Missing from Invoice")
	p := z.Project(rec())
	if p["Id"] != "a1" || p["Amount"] != json.Number("110.50") || len(p) != 2 {
		t.Errorf("ZOQL projection keeps canonical names and omits nulls: %v", p)
	}
	s, err := ParseSuiteQL("SELECT Entity, Status AS st FROM transaction ORDER BY n DESC, s")
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Project(rec()); p["entity"] != "12" || p["st"] != "Posted" {
		t.Errorf("SuiteQL projection lower-cases, aliases and shows references as ids: %v", p)
	}
	rs := []Record{{"n": json.Number("2"), "s": "b"}, {"n": json.Number("10"), "s": "a"}, {"s": "c"}, {"n": json.Number("10"), "s": "0"}}
	s.Sort(rs)
	got := []string{}
	for _, r := range rs {
		got = append(got, r["s"].(string))
	}
	if strings.Join(got, ",") != "0,a,b,c" {
		t.Errorf("ORDER BY n DESC (numeric, nulls last in desc), s: got %v", got)
	}
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		q, field string
		want     string
		ok       bool
	}{
		{"select Id from T where Id = 'a' or Id = 'b'", "id", "a,b", true},
		{"select Id from T where InvoiceId = 'x' and Status = 'Posted'", "InvoiceId", "x", true},
		{"select id from T where transaction = 5 AND custcol_zuora_item_id IN ('a', 'b')", "custcol_zuora_item_id", "a,b", true},
		{"select id from T where transaction = 5 AND custcol_zuora_item_id IN ('a', 'b')", "transaction", "5", true},
		{"select Id from T where Id = 'a' or Status = 'b'", "Id", "", false},
		{"select Id from T where Status = 'b'", "Id", "", false},
		{"select Id from T", "Id", "", false},
	}
	for _, tt := range tests {
		s, err := ParseSuiteQL(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		vals, ok := s.Candidates(tt.field)
		if ok != tt.ok || strings.Join(vals, ",") != tt.want {
			t.Errorf("%s: Candidates(%s) = %v, %v; want %q, %v", tt.q, tt.field, vals, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseZOQL(f *testing.F) {
	f.Add("select Id, Status from Invoice where Status = 'Posted' and (TransferredToAccounting = null or Amount > -1.5)")
	f.Add("select Id from Account where Name = 'O\\'Brien'")
	f.Fuzz(func(t *testing.T, q string) {
		s, err := ParseZOQL(q)
		if err != nil {
			return
		}
		again, err := ParseZOQL(s.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", s.String(), q, err)
		}
		if again.String() != s.String() {
			t.Fatalf("round trip changed %q to %q", s.String(), again.String())
		}
		_, _ = s.Match(rec())
	})
}

func FuzzParseSuiteQL(f *testing.F) {
	f.Add("SELECT id, tranid AS t FROM transaction WHERE externalid IN ('a', 'b') AND NOT memo LIKE '%x_' ORDER BY id DESC")
	f.Add("SELECT COUNT(*) FROM transactionline WHERE transaction = 5")
	f.Fuzz(func(t *testing.T, q string) {
		s, err := ParseSuiteQL(q)
		if err != nil {
			return
		}
		if _, err := ParseSuiteQL(s.String()); err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", s.String(), q, err)
		}
		rs := []Record{rec(), {}}
		s.Sort(rs)
		_ = s.Project(rec())
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("Amount", "12.5", "Amount >= 12")
	f.Add("x", "", "x = null")
	f.Fuzz(func(t *testing.T, field, val, where string) {
		s, err := ParseZOQL("select Id from T where " + where)
		if err != nil {
			return
		}
		for _, v := range []any{val, json.Number(val), true, nil, map[string]any{"id": val}} {
			_, _ = s.Match(Record{field: v})
		}
	})
}
