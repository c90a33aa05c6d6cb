package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/sandbox/query"
)

// suiteql answers POST /query/v1/suiteql over views of the stored records.
func (n *netsuiteAPI) suiteql(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err1 := atoiDefault(q.Get("limit"), 1000)
	offset, err2 := atoiDefault(q.Get("offset"), 0)
	if err1 != nil || err2 != nil || limit < 1 || limit > 1000 || offset < 0 || offset%limit != 0 {
		nsError(w, 400, "INVALID_PARAMETER", "", "limit must be between 1 and 1000 and offset a non-negative multiple of limit.")
		return
	}
	var body struct {
		Q string `json:"q"`
	}
	if err := decodeBody(r, &body); err != nil {
		nsError(w, 400, "INVALID_PARAMETER", "", err.Error())
		return
	}
	sel, err := query.ParseSuiteQL(body.Q)
	if err != nil {
		nsError(w, 400, "INVALID_PARAMETER", "", "Invalid search query: "+err.Error())
		return
	}
	n.mu.RLock()
	rows, err := n.view(sel)
	var matched []Record
	if err == nil {
		for _, row := range rows {
			ok, merr := sel.Match(row)
			if merr != nil {
				err = merr
				break
			}
			if ok {
				matched = append(matched, row)
			}
		}
	}
	n.mu.RUnlock()
	if err != nil {
		nsError(w, 400, "INVALID_PARAMETER", "", "Invalid search query: "+err.Error())
		return
	}
	sel.Sort(matched)
	total := len(matched)
	start, end := min(offset, total), min(offset+limit, total)
	items := make([]Record, 0, end-start)
	for _, row := range matched[start:end] {
		p := sel.Project(row)
		p["links"] = []any{}
		items = append(items, p)
	}
	self := func(off int) string {
		return "http://" + r.Host + r.URL.Path + "?" + url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(off)}}.Encode()
	}
	links := []any{map[string]any{"rel": "self", "href": self(offset)}}
	if end < total {
		links = append(links, map[string]any{"rel": "next", "href": self(end)})
	}
	writeJSON(w, 200, map[string]any{"links": links, "count": len(items), "hasMore": end < total, "items": items, "offset": offset, "totalResults": total})
}

// view returns the candidate rows of the query's table, from an index when
// the WHERE pins a key.
func (n *netsuiteAPI) view(sel *query.Select) ([]Record, error) {
	from := strings.ToLower(sel.From)
	switch from {
	case "transaction":
		return n.transactionRows(sel), nil
	case "transactionline":
		return n.lineRows(sel), nil
	case "item":
		var out []Record
		for _, typ := range []string{netsuite.TypeInventoryItem, netsuite.TypeNonInventory, netsuite.TypeServiceItem} {
			for _, rec := range n.candidates(sel, n.records[typ], map[string]string{"id": "id", "itemid": "itemId", "externalid": "externalId"}) {
				row := lowerRow(rec)
				row["itemtype"] = itemTypes[typ]
				out = append(out, row)
			}
		}
		return out, nil
	}
	for typ, t := range n.records {
		if strings.ToLower(typ) == from {
			if _, isTx := transactionTypes[typ]; isTx {
				break
			}
			var out []Record
			for _, rec := range n.candidates(sel, t, map[string]string{"id": "id", "externalid": "externalId", "name": "name"}) {
				out = append(out, lowerRow(rec))
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("table %q is not known (tables: transaction, transactionline, customer, item, location, classification, department, subsidiary, job, currency, account)", sel.From)
}

// candidates uses the first indexed column the WHERE pins (column -> stored field).
func (n *netsuiteAPI) candidates(sel *query.Select, t *table, keys map[string]string) []Record {
	for _, col := range []string{"id", "externalid", "itemid", "name", "tranid"} {
		field, ok := keys[col]
		if !ok {
			continue
		}
		if vals, ok := sel.Candidates(col); ok {
			if recs, ok := t.lookup(field, vals); ok {
				return recs
			}
		}
	}
	return t.all()
}

// lowerRow is a record as SuiteQL shows it: lower-case column names,
// references as their id, booleans as "T"/"F".
func lowerRow(rec Record) Record {
	row := make(Record, len(rec))
	for k, v := range rec {
		row[strings.ToLower(k)] = suiteValue(v)
	}
	return row
}

func suiteValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x["id"]; ok {
			return str(id)
		}
		return nil
	case bool:
		if x {
			return "T"
		}
		return "F"
	case []any:
		return nil
	}
	return v
}

func (n *netsuiteAPI) transactionRows(sel *query.Select) []Record {
	var out []Record
	for _, typ := range []string{netsuite.TypeInvoice, netsuite.TypeCreditMemo} {
		for _, rec := range n.candidates(sel, n.records[typ], map[string]string{"id": "id", "externalid": "externalId", "tranid": "tranId"}) {
			row := lowerRow(rec)
			row["type"] = transactionTypes[typ]
			row["foreigntotal"] = rec["total"]
			row["foreignamountremaining"] = rec["amountRemaining"]
			row["recordtype"] = strings.ToLower(typ)
			out = append(out, row)
		}
	}
	return out
}

func (n *netsuiteAPI) lineRows(sel *query.Select) []Record {
	txIDs, pinned := sel.Candidates("transaction")
	if !pinned {
		for _, typ := range []string{netsuite.TypeInvoice, netsuite.TypeCreditMemo} {
			for _, rec := range n.records[typ].all() {
				txIDs = append(txIDs, str(rec["id"]))
			}
		}
	}
	zids, byZID := sel.Candidates("custcol_zuora_item_id")
	var out []Record
	for _, tx := range txIDs {
		ls := n.lines[tx]
		if ls == nil {
			continue
		}
		if byZID {
			for _, z := range zids {
				for _, k := range ls.byZID[z] {
					out = append(out, lineRow(tx, ls.lines[ls.pos[k]]))
				}
			}
			continue
		}
		for _, l := range ls.lines {
			out = append(out, lineRow(tx, l))
		}
	}
	return out
}

func lineRow(tx string, l Record) Record {
	row := lowerRow(l)
	row["transaction"] = tx
	row["id"] = l["line"]
	row["linesequencenumber"] = l["line"]
	row["foreignamount"] = l["amount"]
	if _, ok := row["deferrevrec"]; !ok {
		row["deferrevrec"] = "F"
	}
	return row
}
