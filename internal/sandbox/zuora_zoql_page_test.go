package sandbox

import (
	"encoding/json"
	"testing"

	"github.com/zuora-netsuite/connector/internal/sandbox/query"
)

// The hand-written ZOQL page encoder answers what encoding/json would write
// for the projected records: the same JSON values for plain and escaped
// strings, numbers, booleans, nulls left out and nested values, only the
// selected columns, with the locator and done as the page says.
func TestZOQLPageEncodesAsEncodingJSON(t *testing.T) {
	sel, err := query.ParseZOQL("select Id, Amount, Flag, Gone, Name, Ref, List from InvoiceItem")
	if err != nil {
		t.Fatal(err)
	}
	recs := []Record{
		{"Id": "8a80", "Amount": json.Number("-12.345"), "Flag": true, "Gone": nil, "NotSelected": "x"},
		{"Name": "quote \" back\\slash <tag> & ünïcode\n", "Ref": map[string]any{"id": "7"}, "List": []any{"a", json.Number("1")}},
		{},
	}
	projected := make([]Record, len(recs))
	for i, r := range recs {
		projected[i] = sel.Project(r)
	}
	for _, loc := range []string{"", "abc123"} {
		body := zoqlPage(sel, recs, 5, loc)
		want := map[string]any{"records": projected, "size": 5, "done": loc == ""}
		if loc != "" {
			want["queryLocator"] = loc
		}
		wantJSON, _ := json.Marshal(want)
		var got, exp any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("page is not JSON: %v\n%s", err, body)
		}
		_ = json.Unmarshal(wantJSON, &exp)
		g, _ := json.Marshal(got)
		e, _ := json.Marshal(exp)
		if string(g) != string(e) {
			t.Errorf("locator %q:\n got %s\nwant %s", loc, g, e)
		}
	}
}
