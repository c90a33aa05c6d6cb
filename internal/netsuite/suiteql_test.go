package netsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// suiteqlServer serves total rows of a fake table, paging as NetSuite does,
// and fails the request at failAt (an offset) with a 400 when failAt >= 0.
func suiteqlServer(t *testing.T, total, failAt int) (*harness, *[]recorded) {
	return recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		if offset == failAt {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, nsErrorBody(400, "INVALID_PARAMETER", "", "Invalid search query: bad column"))
			return
		}
		end := min(offset+limit, total)
		items := []map[string]any{}
		for i := offset; i < end; i++ {
			items = append(items, map[string]any{"links": []any{}, "id": strconv.Itoa(i), "foreigntotal": json.Number("12.50"), "memo": nil})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"links": []any{}, "count": len(items), "hasMore": end < total,
			"items": items, "offset": offset, "totalResults": total})
	})
}

func TestQueryPagesToTheEnd(t *testing.T) {
	tests := []struct {
		name      string
		total     int
		limit     int
		wantPages []string
	}{
		{"25 rows by 10", 25, 10, []string{"limit=10&offset=0", "limit=10&offset=10", "limit=10&offset=20"}},
		{"exactly two pages", 20, 10, []string{"limit=10&offset=0", "limit=10&offset=10"}},
		{"no rows", 0, 10, []string{"limit=10&offset=0"}},
		{"limit 0 means 1000", 1500, 0, []string{"limit=1000&offset=0", "limit=1000&offset=1000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, seen := suiteqlServer(t, tt.total, -1)
			ctx := context.Background()
			it := h.c.Query(ctx, "SELECT id FROM transaction ORDER BY id", tt.limit)
			n := 0
			for it.Next(ctx) {
				row := it.Row()
				if row["id"] != strconv.Itoa(n) {
					t.Fatalf("row %d is %v", n, row)
				}
				if _, ok := row["links"]; ok {
					t.Fatal("links were kept")
				}
				if row["foreigntotal"] != json.Number("12.50") {
					t.Fatalf("foreigntotal %T %v, want json.Number 12.50", row["foreigntotal"], row["foreigntotal"])
				}
				n++
			}
			if it.Err() != nil || n != tt.total {
				t.Fatalf("%d rows, err %v", n, it.Err())
			}
			if it.Next(ctx) {
				t.Error("Next after the end")
			}
			var pages []string
			for _, s := range *seen {
				uri, _ := strings.CutPrefix(s.uri, "/services/rest/query/v1/suiteql?")
				pages = append(pages, uri)
				if s.method != "POST" || s.prefer != "transient" || s.body != `{"q":"SELECT id FROM transaction ORDER BY id"}` {
					t.Errorf("sent %+v", s)
				}
			}
			if fmt.Sprint(pages) != fmt.Sprint(tt.wantPages) {
				t.Errorf("pages %v, want %v", pages, tt.wantPages)
			}
		})
	}
}

func TestQueryAll(t *testing.T) {
	h, seen := suiteqlServer(t, 2345, -1)
	rows, err := h.c.QueryAll(context.Background(), "SELECT id FROM customer ORDER BY id")
	if err != nil || len(rows) != 2345 || rows[2344]["id"] != "2344" || len(*seen) != 3 {
		t.Errorf("%d rows in %d requests, err %v", len(rows), len(*seen), err)
	}
}

func TestQueryStopsOnAnError(t *testing.T) {
	h, _ := suiteqlServer(t, 2500, 1000)
	rows, err := h.c.QueryAll(context.Background(), "SELECT id FROM customer ORDER BY id")
	if err == nil || rows != nil || !strings.Contains(err.Error(), "INVALID_PARAMETER") || IsRetryable(err) {
		t.Errorf("want the page's error and no partial rows, got %d rows, %v", len(rows), err)
	}
	ctx := context.Background()
	it := h.c.Query(ctx, "SELECT id FROM customer ORDER BY id", 1000)
	n := 0
	for it.Next(ctx) {
		n++
	}
	if n != 1000 || it.Err() == nil {
		t.Errorf("iterator: %d rows then %v", n, it.Err())
	}
}

func TestQueryRefusesAnEmptyPageThatHasMore(t *testing.T) {
	h, _ := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"items":[],"hasMore":true,"count":0,"offset":0,"totalResults":9}`)
	})
	_, err := h.c.QueryAll(context.Background(), "SELECT id FROM item ORDER BY id")
	if err == nil || !strings.Contains(err.Error(), "empty but says hasMore") {
		t.Errorf("got %v", err)
	}
}

func TestQueryPageArguments(t *testing.T) {
	h, seen := suiteqlServer(t, 5, -1)
	ctx := context.Background()
	tests := []struct {
		name          string
		q             string
		limit, offset int
		wantErr       string
	}{
		{"valid second page", "SELECT id FROM item", 2, 2, ""},
		{"empty query", "  ", 10, 0, "the query is empty"},
		{"limit 0", "SELECT id FROM item", 0, 0, "limit 0 is not between 1 and 1000"},
		{"limit over 1000", "SELECT id FROM item", 1001, 0, "limit 1001"},
		{"negative offset", "SELECT id FROM item", 10, -10, "offset -10"},
		{"offset not a multiple of limit", "SELECT id FROM item", 10, 5, "offset 5 is not a non-negative multiple of limit 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := h.c.QueryPage(ctx, tt.q, tt.limit, tt.offset)
			if tt.wantErr == "" {
				if err != nil || len(p.Items) != 2 || !p.HasMore || p.Count != 2 || p.Offset != 2 || p.TotalResults != 5 {
					t.Errorf("page %+v err %v", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, want %q", err, tt.wantErr)
			}
		})
	}
	if len(*seen) != 1 {
		t.Errorf("%d requests sent, want only the valid one", len(*seen))
	}
}

func TestDecodeSuiteQLPage(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
		wantRows            int
	}{
		{"full page", `{"links":[],"count":2,"hasMore":true,"items":[{"links":[],"id":"1"},{"id":"2"}],"offset":0,"totalResults":3}`, "", 2},
		{"minimal page", `{"items":[],"hasMore":false}`, "", 0},
		{"truncated", `{"links":[],"count":2,"hasMore":true,"items":[{"id":"1"},{"i`, "unexpected end of JSON input", 0},
		{"HTML", `<html><title>502 Bad Gateway</title></html>`, "invalid character '<'", 0},
		{"wrong top-level type", `["unexpected"]`, "cannot unmarshal array", 0},
		{"items not an array", `{"items":"x","hasMore":false}`, "cannot unmarshal string", 0},
		{"item not an object", `{"items":[1],"hasMore":false}`, "cannot unmarshal number", 0},
		{"null item", `{"items":[null],"hasMore":false}`, "items[0] is null", 0},
		{"no items", `{"hasMore":false}`, "no items array", 0},
		{"null items", `{"items":null,"hasMore":false}`, "no items array", 0},
		{"no hasMore", `{"items":[]}`, "no hasMore", 0},
		{"count disagrees", `{"items":[{"id":"1"}],"count":2,"hasMore":false}`, "count 2 but 1 items", 0},
		{"trailing data", `{"items":[],"hasMore":false}{"items":[]}`, "invalid character '{' after top-level value", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodeSuiteQLPage([]byte(tt.body))
			if tt.wantErr == "" {
				if err != nil || len(p.Items) != tt.wantRows || p.Count != tt.wantRows {
					t.Fatalf("page %+v err %v", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "'abc'"},
		{"", "''"},
		{"O'Brien", "'O''Brien'"},
		{"''", "''''''"},
		{`back\slash`, `'back\slash'`},
		{"x' OR '1'='1", "'x'' OR ''1''=''1'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzDecodeSuiteQLPage(f *testing.F) {
	for _, s := range []string{
		`{"links":[{"rel":"next","href":"h"}],"count":1,"hasMore":true,"items":[{"links":[],"id":"1","amt":1.5}],"offset":0,"totalResults":9}`,
		`{"items":[],"hasMore":false}`,
		`{"items":[{"id":"1"}],"hasMore":false,"count":"1"}`,
		`{"items":[null],"hasMore":false}`,
		`{"links":[],"count":2,"hasMore":tr`,
		`<html><head><title>502 Bad Gateway</title></head></html>`,
		`["unexpected"]`,
		``, `null`, `{}`, `{"items":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodeSuiteQLPage(data)
		if err != nil {
			if p != nil {
				t.Fatal("a page with an error")
			}
			return
		}
		if p.Items == nil || p.Count != len(p.Items) {
			t.Fatalf("accepted page %+v", p)
		}
		for i, it := range p.Items {
			if it == nil {
				t.Fatalf("items[%d] is nil", i)
			}
			if _, ok := it["links"]; ok {
				t.Fatalf("items[%d] keeps links", i)
			}
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	f.Add(400, []byte(nsErrorBody(400, "INVALID_KEY_OR_REF", "item.items[0].item", "Invalid reference.")))
	f.Add(401, []byte(nsErrorBody(401, "INVALID_LOGIN", "", invalidLoginDetail)))
	f.Add(429, []byte(nsErrorBody(429, "CONCURRENCY_LIMIT_EXCEEDED", "", "limit")))
	f.Add(500, []byte(`{"type":"x","title":"Internal Server Error","status":"500"}`))
	f.Add(502, []byte(`<html><head><title>502 Bad Gateway</title></head></html>`))
	f.Add(404, []byte(`{"o:errorDetails":[{"detail":7}]}`))
	f.Add(400, []byte(`{"o:errorDetails":[{"detail":"a"},{"detail":"b","o:errorCode":"X"}]}`))
	f.Add(503, []byte{})
	f.Add(400, []byte("\xff\xfe{\"title\":"))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeError("GET /record/v1/invoice/{id}", status, body)
		msg := e.Error()
		if !strings.HasPrefix(msg, "netsuite GET /record/v1/invoice/{id}: ") {
			t.Fatalf("message %q does not name the endpoint", msg)
		}
		if e.Status != status || e.Retryable != (status == 429 || status >= 500) {
			t.Fatalf("status %d retryable %v", e.Status, e.Retryable)
		}
		if status != 0 && !strings.Contains(msg, strconv.Itoa(status)) {
			t.Fatalf("message %q does not name the status %d", msg, status)
		}
		if x := excerpt(body); len(x) > 2+4*200+len("…") || !utf8.ValidString(x) {
			t.Fatalf("excerpt %q is too long or not UTF-8", x)
		}
	})
}

// TestConcurrentIteratorsAreIndependent guards the iterator against shared state.
func TestConcurrentIteratorsAreIndependent(t *testing.T) {
	h, _ := suiteqlServer(t, 30, -1)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			ctx := context.Background()
			it := h.c.Query(ctx, "SELECT id FROM item ORDER BY id", 7)
			n := 0
			for it.Next(ctx) {
				n++
			}
			if n != 30 || it.Err() != nil {
				t.Errorf("%d rows, %v", n, it.Err())
			}
		})
	}
	wg.Wait()
}

// N4: NetSuite pages without ORDER BY may repeat or skip rows, so the
// iterator refuses a multi-page result of an unordered query rather than
// return rows that may be wrong.
func TestNetSuite_N4_UnorderedMultiPageQueryRefused(t *testing.T) {
	h, _ := suiteqlServer(t, 2345, -1)
	_, err := h.c.QueryAll(context.Background(), "SELECT id FROM customer")
	if err == nil || !strings.Contains(err.Error(), "no ORDER BY") {
		t.Fatalf("want a refusal naming the missing ORDER BY, got %v", err)
	}
}
