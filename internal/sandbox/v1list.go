package sandbox

import "net/http"

// v1List is one GET list of the v1 REST API (40 rows a page at most, page
// and pageSize in the query, a nextPage link while rows remain). The lists
// differ only in the rows they read and how a row is answered.
type v1List struct {
	key    string // the answer's array: "items", "parts", "creditmemos", …
	isOnly bool   // an Invoice Settlement object: refused on other tenants
	// rows reads every row of the list, z.mu held. It answers itself (a 404)
	// and returns false when there is no list to give.
	rows func(w http.ResponseWriter, r *http.Request) ([]Record, bool)
	// answer gives a row its wire shape, z.mu held; nil answers it as stored.
	answer func(r *http.Request, row Record) Record
}

func (z *zuoraAPI) serveV1List(w http.ResponseWriter, r *http.Request, l v1List) {
	page, size, err := v1Page(r)
	if err != nil {
		z.restError(w, 400, "50000020", err.Error())
		return
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	if l.isOnly && !z.requireIS(w) {
		return
	}
	rows, ok := l.rows(w, r)
	if !ok {
		return
	}
	start := min((page-1)*size, len(rows))
	end := min(start+size, len(rows))
	out := make([]Record, 0, end-start)
	for _, row := range rows[start:end] {
		if l.answer != nil {
			row = l.answer(r, row)
		}
		out = append(out, row)
	}
	resp := map[string]any{"success": true, l.key: out}
	if end < len(rows) {
		resp["nextPage"] = nextPageURL(r, page, size)
	}
	writeJSON(w, 200, resp)
}

// childRows reads the rows of table whose link column holds the id (idField)
// of the parent named by the path's {key}; a 404 when there is no parent.
func (z *zuoraAPI) childRows(w http.ResponseWriter, r *http.Request, parentByKey func(string) (Record, bool), idField, table, link string) ([]Record, bool) {
	parent, ok := parentByKey(r.PathValue("key"))
	if !ok {
		z.restError(w, 404, "50000040", "Cannot find entity by key: '"+r.PathValue("key")+"'.")
		return nil, false
	}
	rows, _ := z.tables[table].lookup(link, []string{str(parent[idField])})
	return rows, true
}

// without copies rec into base, leaving out the field drop (the stored link
// to the parent, which the wire shape does not carry).
func without(base, rec Record, drop string) Record {
	for k, v := range rec {
		if k != drop {
			base[k] = v
		}
	}
	return base
}

// memoRows reads the memos of GET /v1/creditmemos and /v1/debitmemos, with
// the accountId and status filters of their OpenAPI operations.
func (z *zuoraAPI) memoRows(table string) func(http.ResponseWriter, *http.Request) ([]Record, bool) {
	return func(_ http.ResponseWriter, r *http.Request) ([]Record, bool) {
		q := r.URL.Query()
		var recs []Record
		if acct := q.Get("accountId"); acct != "" {
			recs, _ = z.tables[table].lookup("accountId", []string{acct})
		} else {
			recs = z.tables[table].all()
		}
		if st := q.Get("status"); st != "" {
			var kept []Record
			for _, rec := range recs {
				if str(rec["status"]) == st {
					kept = append(kept, rec)
				}
			}
			recs = kept
		}
		return recs, true
	}
}
