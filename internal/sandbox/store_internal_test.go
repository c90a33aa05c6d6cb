package sandbox

import "testing"

// An index lookup answers each record once and in value order, also when a
// value is asked twice, after a record changed its indexed value, and for
// ids; a field without an index is not answered.
func TestTableLookupAnswersEachRecordOnce(t *testing.T) {
	d := &db{}
	tb := newTable("InvoiceItem", "InvoiceId")
	tb.put("i1", Record{"Id": "i1", "InvoiceId": "A"}, d, 1)
	tb.put("i2", Record{"Id": "i2", "InvoiceId": "B"}, d, 2)
	tb.put("i3", Record{"Id": "i3", "InvoiceId": "A"}, d, 3)
	tb.put("i2", Record{"Id": "i2", "InvoiceId": "A"}, d, 0) // moved from B to A

	ids := func(recs []Record) []string {
		var out []string
		for _, r := range recs {
			out = append(out, r["Id"].(string))
		}
		return out
	}
	for _, tc := range []struct {
		field  string
		values []string
		want   []string
	}{
		{"InvoiceId", []string{"A", "A"}, []string{"i1", "i3", "i2"}},
		{"invoiceid", []string{"B", "A"}, []string{"i1", "i3", "i2"}},
		{"Id", []string{"i3", "i1", "i3", "nope"}, []string{"i3", "i1"}},
	} {
		got, ok := tb.lookup(tc.field, tc.values)
		if !ok || len(got) != len(tc.want) {
			t.Fatalf("lookup(%s, %v) = %v, %v; want %v", tc.field, tc.values, ids(got), ok, tc.want)
		}
		for i := range got {
			if ids(got)[i] != tc.want[i] {
				t.Fatalf("lookup(%s, %v) = %v; want %v", tc.field, tc.values, ids(got), tc.want)
			}
		}
	}
	if _, ok := tb.lookup("Status", []string{"x"}); ok {
		t.Fatal("a field without an index was answered from one")
	}
}
